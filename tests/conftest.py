"""Fixtures: app, client, runner, a sample tree, and a helper to log in as a role at a unit.

Each test gets a fresh database: on SQLite a copy of a migrated template file; on
PostgreSQL (DATABASE_URL set) one migrated database whose tables are emptied per test.
"""

import os
import shutil

import pytest
from sqlalchemy import text

from portal import create_app
from portal.extensions import db
from portal.public import search

PG_URL = os.environ.get("DATABASE_URL", "")
USE_PG = PG_URL.startswith(("postgres://", "postgresql"))

TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "test-secret",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "ARGON2_TIME_COST": 1,
    "ARGON2_MEMORY_COST": 64,
    # Tests assert the English messages; test_i18n checks the real default (Simplified Chinese).
    "BABEL_DEFAULT_LOCALE": "en",
    # Tests post forms without tokens; tests of CSRF itself use app_factory(WTF_CSRF_ENABLED=True).
    "WTF_CSRF_ENABLED": False,
}
PASSWORD = "correct horse battery"


def make_app(instance, db_uri, **extra):
    config = dict(TEST_CONFIG, SQLALCHEMY_DATABASE_URI=db_uri, **extra)
    app = create_app(config)
    app.instance_path = str(instance)
    return app


def pytest_sessionstart(session):
    """Compile the translation catalogs, as `make install` does, so the tests see them."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    root = Path(__file__).resolve().parent.parent
    for po in [*root.glob("portal/translations/*/LC_MESSAGES/messages.po"),
               *root.glob("plugins/*/translations/*/LC_MESSAGES/messages.po")]:
        with po.open("rb") as src:
            catalog = read_po(src)
        with po.with_suffix(".mo").open("wb") as dst:
            write_mo(dst, catalog, use_fuzzy=True)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory):
    """A database migrated once for the session (SQLite file, or the PostgreSQL database)."""
    from portal.dbsetup import init_database

    base = tmp_path_factory.mktemp("template")
    uri = PG_URL if USE_PG else "sqlite:///" + str(base / "template.db")
    app = make_app(base, uri)
    with app.app_context():
        if USE_PG:
            db.drop_all()
            with db.engine.begin() as conn:
                conn.execute(text("DROP TABLE IF EXISTS alembic_version"))
                conn.execute(text(f"DROP TABLE IF EXISTS {search.TABLE}"))  # made by its migration, not the models
        init_database()
        db.engine.dispose()
    return uri if USE_PG else base / "template.db"


def _fresh_db_uri(template_db, tmp_path):
    if USE_PG:
        return PG_URL
    target = tmp_path / "portal.db"
    shutil.copyfile(template_db, target)
    return "sqlite:///" + str(target)


def _empty_pg_tables():
    tables = [t.name for t in db.metadata.sorted_tables] + [search.TABLE]
    with db.engine.begin() as conn:
        conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))


@pytest.fixture
def app_factory(template_db, tmp_path):
    """Build an app on a fresh database; extra config as keyword arguments."""
    made = []

    def factory(**extra):
        app = make_app(tmp_path, _fresh_db_uri(template_db, tmp_path), **extra)
        with app.app_context():
            if USE_PG and not made:
                _empty_pg_tables()
            from portal.dbsetup import seed_fixed_rows

            seed_fixed_rows()
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(app_factory):
    return app_factory()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def ctx(app):
    """An app context for tests that call services directly."""
    with app.app_context():
        yield app


@pytest.fixture
def tree(app):
    """A small county: 2 townships, villages with branches and committees."""
    from tests.helpers import build_tree

    with app.app_context():
        return build_tree()


@pytest.fixture
def login_as(app, client):
    """Log the test client in as a new user holding `role` at the unit with `code`."""
    from tests.helpers import make_user

    def login(role, code, username=None):
        with app.app_context():
            user = make_user(role, code, username)
            username = user.username
        resp = client.post("/login", data={"username": username, "password": PASSWORD})
        assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
        return username

    return login
