"""Security at the edge: headers, cookies, request size, static caching, odd URLs."""

import re

import pytest

from portal import ledger
from portal.config import Defaults
from portal.extensions import db
from tests.conftest import PASSWORD
from tests.helpers import VILLAGE_A1, build_tree, make_user, unit


@pytest.fixture
def tapp(app):
    with app.app_context():
        build_tree()
        ledger.publish(plugin="core", kind="notice", org=unit(VILLAGE_A1), title="村道修路工程公示",
                       payload={"body": "修路"})
        db.session.commit()
    return app


@pytest.mark.parametrize("path", ["/", f"/o/{VILLAGE_A1}", "/p/1", "/login", "/no-such-page"])
def test_security_headers(tapp, path):
    resp = tapp.test_client().get(path)
    assert resp.status_code in (200, 404)
    csp = resp.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "same-origin", "no-referrer")


def test_login_page_is_not_cached(tapp):
    assert tapp.test_client().get("/login").headers["Cache-Control"] == "no-store"


def test_production_defaults_make_cookies_secure():
    assert Defaults.SESSION_COOKIE_SECURE and Defaults.SESSION_COOKIE_HTTPONLY
    assert Defaults.SESSION_COOKIE_SAMESITE == "Lax"
    assert Defaults.REMEMBER_COOKIE_SECURE and Defaults.REMEMBER_COOKIE_HTTPONLY


def test_session_cookie_flags_after_login(app_factory):
    app = app_factory(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    with app.app_context():
        build_tree()
        make_user("viewer", VILLAGE_A1, "clerk")
    client = app.test_client()
    resp = client.post("/login", data={"username": "clerk", "password": PASSWORD},
                       base_url="https://localhost")
    assert resp.status_code == 302
    cookies = [c for c in resp.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, resp.headers
    flags = cookies[-1]
    assert "Secure" in flags and "HttpOnly" in flags and "SameSite=Lax" in flags
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=")


def test_too_large_request_answers_413_with_a_message(app_factory):
    app = app_factory(MAX_CONTENT_LENGTH=1024)
    client = app.test_client()
    resp = client.post("/login", data={"username": "x" * 4096, "password": "y"})
    assert resp.status_code == 413
    assert "too large" in resp.get_data(as_text=True)
    resp = client.post("/login", data=b"x" * 4096, headers={"Accept": "application/json",
                                                           "Content-Type": "application/octet-stream"})
    assert resp.status_code == 413
    assert resp.get_json()["status"] == 413


def test_hashed_static_files_are_cached_for_ever(app):
    hashed = app.extensions["portal_static"]["css/portal.css"]
    assert hashed != "css/portal.css" and re.search(r"\.[0-9a-f]{12}\.css$", hashed)
    client = app.test_client()
    resp = client.get("/static/" + hashed)
    assert resp.status_code == 200 and b"{" in resp.data
    cache = resp.headers["Cache-Control"]
    assert "immutable" in cache
    assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= 365 * 24 * 3600
    resp.close()


def test_plain_static_names_are_cached_briefly(app):
    resp = app.test_client().get("/static/css/portal.css")
    assert resp.status_code == 200
    cache = resp.headers["Cache-Control"]
    assert "immutable" not in cache
    assert int(re.search(r"max-age=(\d+)", cache).group(1)) <= 24 * 3600
    resp.close()


def test_pages_link_static_files_by_hashed_name(tapp):
    html = tapp.test_client().get("/").get_data(as_text=True)
    assert "/static/" + tapp.extensions["portal_static"]["css/portal.css"] in html


ODD_PATHS = [
    "/o/%00", "/o/%27%20OR%201=1", "/o/' OR 1=1--", "/o/%E2%80%AE", "/o/" + "9" * 500,
    "/o/..%2F..%2Fetc%2Fpasswd", "/o/%ff/feed.atom",
    "/p/99999999999999999999", "/p/2147483648", "/p/9223372036854775808", "/p/-1", "/p/0", "/p/1e3",
    "/p/99999999999999999999/history",
    "/search?q=%ff", "/search?q=%00", "/search?q=" + "村" * 5000, "/search?q=%25%25%25_",
    "/search?q=' OR 1=1--", "/search?page=-1&q=x",
    "/pages/..%2F..%2Fpyproject", "/pages/%00", "/static/..%2F..%2Fportal%2Fconfig.py",
    "/login?next=//evil.example/", "/o/%00/publications.csv", "/publications.json?page=abc",
    "/api/v1/orgs/%00", "/api/v1/publications/99999999999999999999",
]
# page numbers past what the database can OFFSET
HUGE_PAGES = ["/search?page=99999999999999999999&q=x", "/publications.json?page=99999999999999999999",
              "/api/v1/publications?page=99999999999999999999"]


@pytest.mark.parametrize("path", ODD_PATHS + HUGE_PAGES)
def test_odd_urls_never_give_a_server_error(tapp, path):
    resp = tapp.test_client().get(path)
    assert resp.status_code < 500, (path, resp.status_code)
    assert b"Traceback" not in resp.data
    resp.close()


def test_login_next_never_leaves_the_site(tapp):
    with tapp.app_context():
        make_user("viewer", VILLAGE_A1, "clerk")
    resp = tapp.test_client().post("/login?next=//evil.example/x",
                                   data={"username": "clerk", "password": PASSWORD})
    assert resp.status_code == 302
    assert "evil.example" not in resp.headers["Location"]


def test_nul_in_a_form_is_a_bad_request(tapp):
    """PostgreSQL cannot store NUL in text; the portal refuses it instead of failing."""
    resp = tapp.test_client().post("/login", data={"username": "a\x00b", "password": "x"})
    assert resp.status_code == 400


def test_a_visitor_with_a_language_cookie_gets_the_cached_page_and_no_new_cookies(tapp):
    """Strong session protection guards logins only: a session that holds no login (a language
    choice, a form's CSRF token) is not rewritten on every request (flask-login#569), so the visitor
    is served from the page cache like anyone else."""
    client = tapp.test_client()
    assert client.get(f"/o/{VILLAGE_A1}?lang=en").status_code == 200  # the language goes into the session
    first = client.get(f"/o/{VILLAGE_A1}")
    assert first.status_code == 200 and "Set-Cookie" not in first.headers
    again = client.get(f"/o/{VILLAGE_A1}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and "Set-Cookie" not in again.headers


def test_a_stolen_login_session_is_still_refused_from_another_browser(app):
    with app.app_context():
        build_tree()
        make_user("viewer", VILLAGE_A1, "clerk")
    client = app.test_client()
    client.post("/login", data={"username": "clerk", "password": PASSWORD},
                headers={"User-Agent": "Firefox"})
    assert client.get("/console/", headers={"User-Agent": "Firefox"}).status_code == 200
    # the same session cookie from another browser: strong protection drops the login
    assert client.get("/console/", headers={"User-Agent": "curl"}).status_code == 302
