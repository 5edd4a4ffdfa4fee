"""Staff handle hotline cases in the console: queue, actions, the conflict rule, privacy, dashboard."""

import pytest
from sqlalchemy import select

from plugins.hotline import escalation, services
from portal.audit import AuditEvent
from portal.extensions import db
from tests.helpers import COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, build_tree, unit


@pytest.fixture
def hl(app):
    with app.app_context():
        build_tree()
        host = app.extensions["portal"]
        host.set_enabled("hotline", unit(TOWN_A), True)
        host.set_enabled("hotline", unit(TOWN_B), True)
        db.session.commit()
    return app


def _case(app, village=VILLAGE_A1, **kw):
    with app.app_context():
        kw.setdefault("description", "垃圾清运不及时")
        case = services.file_case(village=unit(village), category=kw.pop("category", "complaint"), **kw)
        return case.id, case.code


def test_queue_shows_cases_of_the_subtree_with_deadlines(hl, client, login_as):
    cid, code = _case(hl)
    _case(hl, village="371402102201")  # 李家村 of the other township
    login_as("township_admin", TOWN_A)
    html = client.get("/console/hotline/").get_data(as_text=True)
    assert code in html and html.count("hotline/cases/") == 1
    assert "Deadline" in html
    assert client.get("/console/hotline/?state=closed").get_data(as_text=True).count("hotline/cases/") == 0
    assert client.get("/console/hotline/?page=99999999999").status_code == 200


def test_staff_of_another_township_get_404(hl, client, login_as):
    cid, _code = _case(hl)
    login_as("township_admin", TOWN_B)
    assert client.get(f"/console/hotline/cases/{cid}").status_code == 404
    assert client.post(f"/console/hotline/cases/{cid}/reply", data={"reply-text": "x"}).status_code == 404


def test_sign_reply_and_close_through_the_console(hl, client, login_as):
    cid, code = _case(hl)
    login_as("township_admin", TOWN_A)
    assert client.post(f"/console/hotline/cases/{cid}/sign").status_code == 303
    client.post(f"/console/hotline/cases/{cid}/note", data={"note-text": "内部：需要联系环卫"})
    client.post(f"/console/hotline/cases/{cid}/reply", data={"reply-text": "已安排清运"})
    client.post(f"/console/hotline/cases/{cid}/close")
    html = client.get(f"/console/hotline/cases/{cid}").get_data(as_text=True)
    assert "Closed (办结)" in html and "内部：需要联系环卫" in html
    public = client.get(f"/hotline/track?code={code}").get_data(as_text=True)
    assert "已安排清运" in public and "需要联系环卫" not in public


def test_closing_before_a_reply_is_refused_with_a_message(hl, client, login_as):
    cid, _code = _case(hl)
    login_as("township_admin", TOWN_A)
    resp = client.post(f"/console/hotline/cases/{cid}/close", follow_redirects=True)
    assert "Reply to the villager before closing" in resp.get_data(as_text=True)


def test_assigning_to_the_accused_unit_is_refused_with_a_clear_message(hl, client, login_as):
    cid, _code = _case(hl, category="report")
    login_as("township_admin", TOWN_A)
    client.post(f"/console/hotline/cases/{cid}/accused", data={"accused-unit": VILLAGE_A1})
    resp = client.post(f"/console/hotline/cases/{cid}/assign", data={"assign-unit": VILLAGE_A1 + "-cwh"},
                       follow_redirects=True)
    assert "it cannot be assigned to 导子村村民委员会" in resp.get_data(as_text=True)
    ok = client.post(f"/console/hotline/cases/{cid}/assign", data={"assign-unit": VILLAGE_A2}, follow_redirects=True)
    assert "Case assigned." in ok.get_data(as_text=True)


def test_a_case_about_the_village_committee_never_reaches_the_village_clerk(hl, client, login_as):
    """The form promises a case is never passed to whom it is about: the clerk neither sees nor signs it."""
    cid, code = _case(hl, category="report", accused_text="导子村村委会", confidential=True)
    login_as("village_clerk", VILLAGE_A1)
    assert code not in client.get("/console/hotline/").get_data(as_text=True)
    assert client.get(f"/console/hotline/cases/{cid}").status_code == 404
    assert client.post(f"/console/hotline/cases/{cid}/sign").status_code == 404
    with hl.app_context():
        assert db.session.get(services.Case, cid).signed_at is None


def test_units_inside_a_village_are_named_with_their_village_in_the_case_forms(hl, client, login_as):
    cid, _code = _case(hl)
    login_as("township_admin", TOWN_A)
    page = client.get(f"/console/hotline/cases/{cid}").get_data(as_text=True)
    assert ">导子村 · 第一党小组</option>" in page and ">导子村党支部</option>" in page
    assert ">张建国 · 导子村党支部</option>" in page


def test_extension_is_shown_to_the_villager(hl, client, login_as):
    cid, code = _case(hl)
    login_as("township_admin", TOWN_A)
    client.post(f"/console/hotline/cases/{cid}/extend", data={"extend-days": "5", "extend-reason": "需要县里协调"})
    page = client.get(f"/hotline/track?code={code}").get_data(as_text=True)
    assert "需要县里协调" in page and "extended from" in page


def test_merge_by_tracking_code(hl, client, login_as):
    first_id, first_code = _case(hl)
    dup_id, _dup_code = _case(hl)
    login_as("township_admin", TOWN_A)
    resp = client.post(f"/console/hotline/cases/{dup_id}/merge", data={"merge-target": first_code.lower()},
                       follow_redirects=True)
    assert f"Merged into {first_code}" in resp.get_data(as_text=True)
    resp = client.post(f"/console/hotline/cases/{first_id}/merge", data={"merge-target": "AAAA-AAAA-AAAA"},
                       follow_redirects=True)
    assert "No case with this tracking code" in resp.get_data(as_text=True)


def test_complainant_shown_only_behind_a_button_and_audited(hl, client, login_as):
    cid, _code = _case(hl, name="陈海燕", phone="13666668888")
    login_as("township_admin", TOWN_A)
    assert "13666668888" not in client.get("/console/hotline/").get_data(as_text=True)
    detail = client.get(f"/console/hotline/cases/{cid}").get_data(as_text=True)
    assert "13666668888" not in detail and "Show name and phone" in detail
    shown = client.post(f"/console/hotline/cases/{cid}/personal").get_data(as_text=True)
    assert "陈海燕" in shown and "13666668888" in shown
    with hl.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data.view")).all()
        assert len(events) == 1 and events[0].object_id == str(cid)


def test_village_clerk_may_handle_but_not_see_the_complainant(hl, client, login_as):
    cid, _code = _case(hl, name="陈海燕", phone="13666668888")
    login_as("village_clerk", VILLAGE_A1)
    detail = client.get(f"/console/hotline/cases/{cid}").get_data(as_text=True)
    assert "Show name and phone" not in detail and "13666668888" not in detail
    assert client.post(f"/console/hotline/cases/{cid}/personal").status_code == 403
    assert client.post(f"/console/hotline/cases/{cid}/assign", data={"assign-unit": VILLAGE_A2}).status_code == 403


def test_confidential_case_hides_the_complainant_from_its_assignee(hl, client, login_as):
    cid, _code = _case(hl, name="陈海燕", phone="13666668888", confidential=True)
    username = login_as("township_admin", TOWN_A)
    with hl.app_context():
        from portal.accounts.models import User

        me = db.session.scalar(select(User).where(User.username == username))
        client.post(f"/console/hotline/cases/{cid}/assign", data={"assign-user": str(me.id)})
    resp = client.post(f"/console/hotline/cases/{cid}/personal", follow_redirects=True)
    page = resp.get_data(as_text=True)
    assert "13666668888" not in page and "You may not see who filed this case" in page


def test_dashboard_tile_counts_overdue_and_supervised_cases(hl, client, login_as):
    from datetime import datetime

    with hl.app_context():
        services.file_case(village=unit(VILLAGE_A1), category="consult", description="旧案",
                           now=datetime(2026, 1, 5, 2, 0))
        escalation.sweep()
    login_as("county_admin", COUNTY)
    html = client.get(f"/console/?org={TOWN_A}").get_data(as_text=True)
    assert "Hotline cases" in html and "Supervised (督办)" in html
    assert "Overdue" in html
    with hl.app_context():
        from portal.accounts.models import User

        admin = db.session.scalar(select(User).where(User.username == "county_admin-" + COUNTY))
        services.file_case(village=unit(VILLAGE_A1), category="consult", description="新案")
        db.session.commit()
        counts = escalation.dashboard_counts(admin, unit(COUNTY))
        # the old case: overdue, never signed for, supervised by the county; the new one only open
        assert counts == {"open": 2, "overdue": 1, "escalated": 1, "escalated_here": 1, "sign_late": 1}
        assert escalation.dashboard_counts(admin, unit(TOWN_A))["escalated_here"] == 0


def test_statistics_page_for_viewers(hl, client, login_as):
    _case(hl)
    login_as("viewer", TOWN_A)
    html = client.get("/console/hotline/stats").get_data(as_text=True)
    assert "东风镇" in html and "Reply rate" in html
    assert client.get("/console/hotline/").status_code == 403


def test_switching_the_hotline_off_takes_the_township_out_of_the_queue(hl, client, login_as):
    cid, code = _case(hl)
    login_as("county_admin", COUNTY)
    assert code in client.get("/console/hotline/").get_data(as_text=True)
    with hl.app_context():
        hl.extensions["portal"].set_enabled("hotline", unit(TOWN_A), False)
        db.session.commit()
    assert code not in client.get("/console/hotline/").get_data(as_text=True)
    assert client.get(f"/console/hotline/cases/{cid}").status_code == 404
    assert client.get("/hotline/track?code=" + code).status_code == 200  # the villager can still follow it
