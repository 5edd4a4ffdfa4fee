"""The migrations build exactly the schema the models describe, append-only guards included."""

import datetime as dt
import pprint

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from portal import ledger
from portal.dbsetup import init_database
from portal.public.search import include_name
from portal.extensions import db
from tests.conftest import USE_PG, make_app
from tests.helpers import VILLAGE_A1, build_tree, unit


def _diff(app):
    with app.app_context(), db.engine.connect() as conn:
        mc = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True,
                                                    "include_name": include_name})  # the search index
        return compare_metadata(mc, db.metadata)


def test_migrated_database_matches_the_models(app):
    """The conftest template database was built by `init` (the migrations), not create_all()."""
    diff = _diff(app)
    assert diff == [], "migrations and models differ:\n" + pprint.pformat(diff)


def test_every_model_table_exists_with_the_alembic_version(app):
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        heads = {r[0] for r in db.session.execute(text("SELECT version_num FROM alembic_version"))}
        # the core branch is at its own head; each plugin's branch at its own
        assert "core_0008" in heads and "core_0001" not in heads


@pytest.mark.parametrize("sql", [
    "UPDATE ledger_publication SET title = 'forged'",
    "DELETE FROM ledger_publication",
    "UPDATE audit_event SET action = 'forged'",
])
def test_migration_makes_ledger_and_audit_append_only(ctx, sql):
    build_tree()
    ledger.publish(plugin="core", kind="notice", org=unit(VILLAGE_A1), title="公示", payload={"body": "x"})
    db.session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(sql))
    db.session.rollback()
    assert ledger.latest(1).title == "公示"


@pytest.mark.skipif(USE_PG, reason="needs an empty database; SQLite makes one cheaply")
def test_init_runs_each_plugin_branch_after_the_core(tmp_path):
    """A plugin's migrations (in its package's migrations/ folder) run on their own branch."""
    app = make_app(tmp_path, "sqlite:///" + str(tmp_path / "new.db"), PORTAL_EXTRA_PLUGINS=("tests.example",))
    with app.app_context():
        init_database()
        heads = {r[0] for r in db.session.execute(text("SELECT version_num FROM alembic_version"))}
        # core_0001 is implied: example_0001 depends on it
        assert "example_0001" in heads and "core_0001" not in heads
        assert {"example_note", "org_unit"} <= set(inspect(db.engine).get_table_names())
        init_database()  # again: nothing to do
        db.engine.dispose()


@pytest.mark.skipif(USE_PG, reason="needs an empty database; SQLite makes one cheaply")
def test_upgrading_indexes_what_the_ledger_already_holds(tmp_path):
    """core_0004 makes the search index and fills it with every revision published before it."""
    from flask_migrate import upgrade

    from portal.public import services

    app = make_app(tmp_path, "sqlite:///" + str(tmp_path / "old.db"))
    with app.test_request_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="core@core_0003")
        db.session.execute(text("INSERT INTO org_unit (id, kind, name, code, path, depth, created_at) "
                                "VALUES (1, 'village', '导子村', '1', '/1/', 0, '2026-10-01 00:00:00')"))
        db.session.execute(text(
            "INSERT INTO ledger_publication (seq, pub_id, revision, action, plugin, kind, org_id, org_code, "
            "org_name, title, summary, payload, search_text, published_by, published_at, prev_hash, hash) VALUES "
            "(1, 1, 1, 'publish', 'core', 'notice', 1, '1', '导子村', '村道修路工程公示', '', '{}', "
            "'硬化道路', 'system', '2026-10-01 00:00:00', '0', 'x')"))
        db.session.commit()
        init_database()
        found = services.search_publications(services.search_terms("修路 硬化"))
        assert [pub.title for pub in found.items] == ["村道修路工程公示"]
        db.engine.dispose()


@pytest.mark.skipif(USE_PG, reason="needs an empty database; SQLite makes one cheaply")
def test_upgrading_leaves_every_unit_there_is_without_an_establishment_date(tmp_path):
    """core_0008 adds OrgUnit.established_on; the units already there existed before the records began,
    whenever their rows were written."""
    from flask_migrate import downgrade, upgrade

    from portal.orgs.models import OrgUnit

    app = make_app(tmp_path, "sqlite:///" + str(tmp_path / "old.db"))
    with app.test_request_context():
        directory = app.extensions["migrate"].directory
        upgrade(directory=directory, revision="core@core_0007")
        db.session.execute(text("INSERT INTO org_unit (id, kind, name, code, path, depth, created_at) "
                                "VALUES (1, 'village', '导子村', '1', '/1/', 0, '2026-10-01 00:00:00')"))
        db.session.commit()
        init_database()
        village = db.session.get(OrgUnit, 1)
        assert village.established_on is None and village.existed_on(dt.date(2000, 1, 1))
        village.established_on = dt.date(2026, 6, 15)
        db.session.commit()
        db.session.expire_all()
        assert db.session.get(OrgUnit, 1).established_on == dt.date(2026, 6, 15)
        db.session.remove()
        downgrade(directory=directory, revision="core_0007")
        columns = {c["name"] for c in inspect(db.engine).get_columns("org_unit")}
        assert "established_on" not in columns and "created_at" in columns
        assert db.session.execute(text("SELECT name FROM org_unit")).scalar() == "导子村"
        db.engine.dispose()


@pytest.mark.skipif(USE_PG, reason="needs an empty database; SQLite makes one cheaply")
def test_upgrading_copies_the_periods_of_the_disclosures_the_ledger_already_holds(tmp_path):
    """disclosure_0004 fills the periods table (the on-time record reads it) from the ledger's payloads."""
    import json

    from flask_migrate import upgrade

    from plugins.disclosure.models import LedgerPeriod

    app = make_app(tmp_path, "sqlite:///" + str(tmp_path / "old.db"))
    statement = {"category": "finance", "period": "2026-09", "statement": {"month": "2026-09", "lines": []}}
    revisions = [  # (pub_id, revision, action, plugin, kind, payload)
        (1, 1, "publish", "disclosure", "disclosure", statement),
        (1, 2, "correct", "disclosure", "disclosure", dict(statement, body="更正")),
        (3, 1, "publish", "disclosure", "disclosure", {"category": "village", "period": "2026-Q3"}),
        (3, 2, "withdraw", "disclosure", "disclosure", {}),
        (5, 1, "publish", "core", "notice", {"category": "finance", "period": "2026-09"}),
    ]
    with app.test_request_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="disclosure@disclosure_0003")
        db.session.execute(text("INSERT INTO org_unit (id, kind, name, code, path, depth, created_at) "
                                "VALUES (1, 'village', '导子村', '1', '/1/', 0, '2026-10-01 00:00:00')"))
        for seq, (pub_id, number, action, plugin, kind, payload) in enumerate(revisions, start=1):
            db.session.execute(text(
                "INSERT INTO ledger_publication (seq, pub_id, revision, action, plugin, kind, org_id, org_code, "
                "org_name, title, summary, payload, search_text, published_by, published_at, prev_hash, hash) "
                "VALUES (:seq, :pub_id, :number, :action, :plugin, :kind, 1, '1', '导子村', '公开', '', :payload, '', "
                "'system', '2026-10-0' || :seq || ' 00:00:00', '0', :seq)"),
                {"seq": seq, "pub_id": pub_id, "number": number, "action": action, "plugin": plugin, "kind": kind,
                 "payload": json.dumps(payload, ensure_ascii=False)})
        db.session.commit()
        init_database()
        rows = [(r.seq, r.pub_id, r.revision, r.action, r.category, r.period, r.month, r.published_at.day)
                for r in db.session.scalars(db.select(LedgerPeriod).order_by(LedgerPeriod.seq))]
        assert rows == [(1, 1, 1, "publish", "finance", "2026-09", "2026-09", 1),
                        (2, 1, 2, "correct", "finance", "2026-09", "2026-09", 2),
                        (3, 3, 1, "publish", "village", "2026-Q3", None, 3),
                        (4, 3, 2, "withdraw", None, None, None, 4)]
        db.engine.dispose()


def test_upgrading_leads_the_objections_handed_to_the_hotline_to_its_follow_page(app):
    """disclosure_0005: an objection handed over before the Handover had a follow_url kept the hotline's first
    answer (new=1), which greeted the villager as if the case had just been stored, every time they came back.
    A data migration only: the database goes back to disclosure_0004 and up again (PostgreSQL too)."""
    from flask_migrate import downgrade

    from plugins.disclosure.models import DisclosureObjection
    from portal.codes import new_code

    stored = {  # as the code of the day wrote them → as they read after the upgrade
        "/hotline/track?code=RX7K-9QPM-3D2F&new=1": "/hotline/track?code=RX7K-9QPM-3D2F",
        "/hotline/track?new=1&code=AB2C-DE3F-GH4J": "/hotline/track?code=AB2C-DE3F-GH4J",
        "https://cunwu.example.org/portal/hotline/track?new=1": "https://cunwu.example.org/portal/hotline/track",
        "/hotline/track?code=KM5N-PQ6R-ST7U": "/hotline/track?code=KM5N-PQ6R-ST7U",  # written today: as it is
        "/elsewhere/follow?code=1&new=1": "/elsewhere/follow?code=1&new=1",  # not the hotline's: not ours to read
    }
    with app.test_request_context():
        build_tree()
        village = unit(VILLAGE_A1)
        codes = {}
        for url in stored:
            obj = DisclosureObjection(code=new_code(), org_id=village.id, pub_id=1, pub_title="修路款公开",
                                      text="数字不对", handler="handed_over", state="handed_over",
                                      reference=new_code(), reference_url=url)
            db.session.add(obj)
            codes[url] = obj.code
        db.session.add(DisclosureObjection(code=new_code(), org_id=village.id, pub_id=1, pub_title="修路款公开",
                                           text="数字不对", handler="village", state="village"))
        db.session.commit()
        db.session.remove()
        directory = app.extensions["migrate"].directory
        downgrade(directory=directory, revision="disclosure_0004")
        heads = {r[0] for r in db.session.execute(text("SELECT version_num FROM alembic_version"))}
        assert "disclosure_0004" in heads and "core_0008" in heads  # the other branches stay where they are
        db.session.remove()
        init_database()
        after = dict(db.session.execute(db.select(DisclosureObjection.code, DisclosureObjection.reference_url)).all())
        assert {url: after[code] for url, code in codes.items()} == stored
        assert len(after) == len(stored) + 1 and None in after.values()  # the village's own: no URL, none given
        db.session.remove()
    # what the villager notices: coming back with the code no longer says the case was just stored
    follow = app.test_client().get("/disclosure/objection",
                                   query_string={"code": codes["/hotline/track?code=RX7K-9QPM-3D2F&new=1"]})
    assert follow.status_code == 303 and follow.headers["Location"] == "/hotline/track?code=RX7K-9QPM-3D2F"
