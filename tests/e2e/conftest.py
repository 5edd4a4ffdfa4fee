"""Browser tests: the portal served on loopback, driven in Debian's headless Chromium.

The server runs the sample county (`portal demo` data) plus the example plugin on its own
database: a temporary SQLite file, or `<DATABASE_URL's db>_e2e` on PostgreSQL.
"""

import os
import threading

import pytest
from sqlalchemy import make_url, text
from werkzeug.serving import make_server

from portal import create_app
from portal.extensions import db

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORTS = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 860}}
DEMO_PASSWORD = "cunwu-demo-2026"


def _e2e_database(tmp_path_factory):
    """A URL of an empty database for the server, and a function that removes it."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql")):
        path = tmp_path_factory.mktemp("e2e") / "portal.db"
        return "sqlite:///" + str(path), lambda: None
    base = make_url(url.replace("postgres://", "postgresql://", 1)).set(drivername="postgresql+psycopg")
    name = f"{base.database}_e2e"
    from sqlalchemy import create_engine

    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return base.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """Base URL of the portal with the sample county, served from a thread."""
    from portal.dbsetup import init_database
    from portal.demo import load_demo

    uri, drop = _e2e_database(tmp_path_factory)
    instance = tmp_path_factory.mktemp("e2e-instance")
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": uri, "SECRET_KEY": "e2e", "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 64,
        "PORTAL_EXTRA_PLUGINS": ("tests.example",), "LOGIN_RATE_LIMIT": "1000 per minute",
    })
    app.instance_path = str(instance)
    with app.app_context():
        init_database()
        load_demo()
        # the example module starts off everywhere, so a test can switch it on
        from portal.plugins import PluginActivation

        for row in db.session.scalars(db.select(PluginActivation).where(PluginActivation.plugin == "example")):
            row.enabled = False
        db.session.commit()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    with app.app_context():
        db.engine.dispose()
    drop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, headless, through Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


class Tab:
    """A browser page that collects console errors and page errors as it goes."""

    def __init__(self, page, base_url):
        self.page, self.base_url, self.errors = page, base_url, []
        page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

    def goto(self, path):
        response = self.page.goto(self.base_url + path)
        return response

    def login(self, username, password=DEMO_PASSWORD):
        self.goto("/login")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", password)
        self.page.click("form button[type=submit], form input[type=submit]")
        self.page.wait_for_load_state()

    def login_as(self, username):
        """Log out whoever was in, then log in as `username` (demo password)."""
        self.page.context.clear_cookies()
        self.login(username)
        assert "/login" not in self.page.url, f"{username} could not log in"

    def click(self, selector):
        """Click the first match of `selector` and wait for the page it leads to."""
        self.page.locator(selector).first.click()
        self.page.wait_for_load_state()

    def fits_width(self):
        """True when the page does not scroll sideways at this viewport."""
        return self.page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    def serious_a11y_violations(self):
        """axe-core violations of impact serious or critical on the current page."""
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(self.page)
        return [f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {v['nodes'][0]['target']})"
                for v in results.response["violations"] if v.get("impact") in ("serious", "critical")]


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def tab(request, browser, live_server):
    """A fresh browser context at phone or desktop size."""
    context = browser.new_context(viewport=VIEWPORTS[request.param], locale="zh-CN")
    page = context.new_page()
    t = Tab(page, live_server)
    t.size = request.param
    yield t
    context.close()
