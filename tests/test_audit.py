"""The audit log names the object each change was made to."""

from sqlalchemy import select

from portal import ledger
from portal.audit import AuditEvent
from portal.extensions import db
from portal.plugins import PluginActivation
from tests.helpers import TOWN_A, VILLAGE_A1, build_tree, unit


def _events(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_switching_a_plugin_on_is_audited_with_the_row_it_made(app_factory):
    app = app_factory(PORTAL_EXTRA_PLUGINS=("tests.example",))
    with app.app_context():
        build_tree()
        app.extensions["portal"].set_enabled("example", unit(TOWN_A), True)
        db.session.commit()
        row = db.session.scalar(select(PluginActivation))
        (event,) = _events("plugin.enable")
        assert (event.object_type, event.object_id, event.org_id) == ("PluginActivation", str(row.id), unit(TOWN_A).id)
        assert event.detail == {"plugin": "example"}


def test_publishing_is_audited_with_the_ledger_seq(ctx):
    build_tree()
    pub = ledger.publish(plugin="core", kind="notice", org=unit(VILLAGE_A1), title="公示", payload={"body": "x"})
    db.session.commit()
    (event,) = _events("ledger.publish")
    assert (event.object_type, event.object_id) == ("Publication", str(pub.seq))
