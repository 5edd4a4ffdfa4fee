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


def test_the_audit_page_says_what_happened_in_words_without_personal_data(app, client, login_as):
    import html
    import re

    from plugins.hotline import services as hotline

    with app.app_context():
        build_tree()
        app.extensions["portal"].set_enabled("hotline", unit(TOWN_A), True)
        db.session.commit()
        case = hotline.file_case(village=unit(VILLAGE_A1), category="complaint", description="垃圾清运不及时",
                                 name="陈海燕", phone="13666668888")
        first = ledger.publish(plugin="core", kind="notice", org=unit(VILLAGE_A1), title="公示", payload={"body": "x"})
        ledger.publish(plugin="core", kind="notice", org=unit(VILLAGE_A1), title="通知", payload={"body": "y"})
        ledger.correct(first.pub_id, reason="错字", title="公示（更正）", payload={"body": "x"})
        db.session.commit()
        case_id = case.id
    login_as("township_admin", TOWN_A)
    assert "13666668888" in client.post(f"/console/hotline/cases/{case_id}/personal").get_data(as_text=True)
    page = client.get("/console/audit").get_data(as_text=True)
    text = html.unescape(page)
    # an action's label, with its code kept for the filter; the object by what it is
    assert re.search(r'title="personal_data.view">Viewed personal data<', page)
    assert f"Hotline case #{case_id}" in text and "Case #" not in text
    # the detail as field: value, the fields seen by name, never what they held
    assert re.search(r"<dt>Fields seen</dt><dd>Complainant's name and Complainant's phone</dd>", text)
    assert '{"fields"' not in text and "complainant_name" not in re.sub(r'title="[^"]*"', "", text)
    assert "陈海燕" not in text and "13666668888" not in text
    # a correction names the publication and its revision, not only its ledger number
    assert ">Published a correction<" in page
    assert "Publication 1, revision 2 (ledger number 3)" in text and 'href="/p/1/history"' in page
    assert ">导子村<" in page  # the unit by name


def test_a_plugin_labels_only_its_own_audit_actions(app):
    import pytest

    from portal.audit import AuditLabels
    from portal.plugins import PluginError

    class Stray:
        AUDIT_LABELS = AuditLabels(actions={"stray.thing": "did a thing", "ledger.publish": "took over"})

    host = app.extensions["portal"]
    host.register(Stray(), name="stray")
    try:
        with pytest.raises(PluginError, match="ledger.publish"):
            host.collect()
    finally:
        host.unregister("stray")
        host.collect()
    assert str(host.audit_labels.actions["ledger.publish"]) == "Published"
