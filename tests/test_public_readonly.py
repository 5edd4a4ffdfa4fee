"""The public site from a read-only database connection (PUBLIC_ONLY)."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from portal.config import readonly_database
from portal.extensions import db
from tests.conftest import USE_PG, make_app
from tests.helpers import TOWN_A, VILLAGE_A1
from tests.test_public import publish


@pytest.fixture
def readonly_app(app, tree, tmp_path):
    """The portal in PUBLIC_ONLY mode on the database of `app` (which holds the tree and a notice)."""
    publish(app, VILLAGE_A1, "村道修路工程公示", body="正文")
    with app.app_context():
        db.engine.dispose()
    ro = make_app(tmp_path, app.config["SQLALCHEMY_DATABASE_URI"], PUBLIC_ONLY=True)
    yield ro
    with ro.app_context():
        db.session.remove()
        db.engine.dispose()


def test_public_pages_are_served_from_a_read_only_connection(readonly_app):
    client = readonly_app.test_client()
    for path in ("/", f"/o/{TOWN_A}", f"/o/{VILLAGE_A1}", f"/o/{VILLAGE_A1}/disclosure", "/feed.atom",
                 "/ledger.jsonl", "/api/v1/orgs", "/pages/about", "/search?q=修路"):
        assert client.get(path).status_code == 200, path
    assert "村道修路工程公示" in client.get("/").get_data(as_text=True)
    # conditional requests work there too
    etag = client.get("/").headers["ETag"]
    assert client.get("/", headers={"If-None-Match": etag}).status_code == 304


def test_the_database_refuses_writes(readonly_app):
    with readonly_app.app_context():
        with pytest.raises(DBAPIError) as caught:
            db.session.execute(text("UPDATE org_unit SET name = 'x'"))
            db.session.commit()
        db.session.rollback()
    assert "read-only" in str(caught.value) or "readonly" in str(caught.value)


@pytest.mark.parametrize("method, path", [("post", "/hotline/"), ("get", "/login"), ("post", "/login"),
                                          ("get", "/console/"), ("post", "/training/checkin/abc")])
def test_writes_are_refused_with_a_clear_page(readonly_app, method, path):
    resp = getattr(readonly_app.test_client(), method)(path, data={"description": "路灯坏了"})
    assert resp.status_code == 503
    assert "use the main site" in resp.get_data(as_text=True)


def test_readonly_database_urls():
    assert readonly_database("sqlite:////srv/portal.db")[0] == "sqlite:///file:/srv/portal.db?mode=ro&uri=true"
    url, options = readonly_database("postgresql+psycopg://portal@db/portal", {"pool_pre_ping": True})
    assert url == "postgresql+psycopg://portal@db/portal"
    assert options == {"pool_pre_ping": True, "connect_args": {"options": "-c default_transaction_read_only=on"}}


def test_a_replica_url_is_used_when_given(tmp_path):
    replica = "postgresql://reader@replica/portal" if USE_PG else "sqlite:///" + str(tmp_path / "replica.db")
    app = make_app(tmp_path, "sqlite:///" + str(tmp_path / "main.db"), PUBLIC_ONLY=True,
                   PUBLIC_READONLY_DATABASE_URL=replica)
    assert "replica" in app.config["SQLALCHEMY_DATABASE_URI"]


def test_serve_has_a_public_only_mode(runner):
    from portal.cli import cli

    result = runner.invoke(cli, ["serve", "--help"])
    assert "--public-only" in result.output
