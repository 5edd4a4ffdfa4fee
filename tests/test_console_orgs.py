"""Console pages of the org tree: scope, units, moves, people, phones, settings, CSV import."""

import re

from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.extensions import db
from portal.orgs.models import OrgUnit, Position
from tests.helpers import COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, unit


def _count_units(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(OrgUnit))


def _parent_code(app, code):
    with app.app_context():
        u = unit(code)
        return u.parent.code if u.parent else None


def test_township_admin_sees_only_their_subtree(client, tree, login_as):
    login_as("township_admin", TOWN_A)
    html = client.get("/console/orgs").get_data(as_text=True)
    assert "东风镇" in html and "导子村" in html and "第一党小组" in html
    assert "西湖乡" not in html and "李家村" not in html and "德城区" not in html
    assert client.get(f"/console/orgs/{VILLAGE_A1}").status_code == 200
    assert client.get("/console/orgs/371402102201").status_code == 404
    assert client.get(f"/console/orgs/{COUNTY}").status_code == 404
    assert client.get("/console/orgs/does-not-exist").status_code == 404


def test_the_tree_opens_at_the_top_and_folds_what_lies_deeper(client, tree, login_as):
    login_as("county_admin", COUNTY)
    html = client.get("/console/orgs").get_data(as_text=True)
    fold = r'<a href="/console/orgs/([^"]+)">[^<]*</a>\s*<span class="muted">[^<]*</span>\s*<details( open)?>'
    folds = re.findall(fold, html)
    assert folds[0] == (COUNTY, " open")  # the county's townships show at once
    assert (TOWN_A, "") in folds and (VILLAGE_A1, "") in folds  # their villages and bodies one click away
    assert "<summary>2 units below</summary>" in html  # the county's two townships
    assert VILLAGE_A1 + "-dxz1" not in [code for code, _open in folds]  # a leaf has nothing to fold

def test_unit_page_shows_kind_children_people_settings_grants(client, tree, login_as):
    login_as("township_admin", TOWN_A)
    html = client.get(f"/console/orgs/{VILLAGE_A1}-dzb").get_data(as_text=True)
    assert "Party branch" in html and "第一党小组" in html and "张建国" in html
    assert "Report hotline" in html and "default" in html
    town = client.get(f"/console/orgs/{TOWN_A}").get_data(as_text=True)
    assert "township_admin-" + TOWN_A in town  # the grant at this unit
    assert town.count("<h1") == 1


def test_post_outside_scope_is_404_and_changes_nothing(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    resp = client.post(f"/console/orgs/{VILLAGE_B1}/rename", data={"rename-name": "x", "rename-code": VILLAGE_B1})
    assert resp.status_code == 404
    with app.app_context():
        assert unit(VILLAGE_B1).name == "李家村"


def test_viewer_cannot_change_the_tree(client, tree, login_as):
    login_as("viewer", TOWN_A)
    html = client.get(f"/console/orgs/{VILLAGE_A1}").get_data(as_text=True)
    assert "Add a unit below" not in html
    resp = client.post(f"/console/orgs/{VILLAGE_A1}/children",
                       data={"child-kind": "party_branch", "child-name": "x", "child-code": "x1"})
    assert resp.status_code == 403


def test_create_child_unit_with_allowed_kinds_only(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    html = client.get(f"/console/orgs/{TOWN_A}").get_data(as_text=True)
    assert 'value="village"' in html and 'value="party_group"' not in html
    resp = client.post(f"/console/orgs/{TOWN_A}/children",
                       data={"child-kind": "village", "child-name": "新村", "child-code": "371402101203"})
    assert resp.status_code == 302
    assert _parent_code(app, "371402101203") == TOWN_A
    before = _count_units(app)
    bad = client.post(f"/console/orgs/{TOWN_A}/children",
                      data={"child-kind": "village", "child-name": "坏村", "child-code": "12345"})
    assert bad.status_code == 422 and "12-digit" in bad.get_data(as_text=True)
    dup = client.post(f"/console/orgs/{TOWN_A}/children",
                      data={"child-kind": "village", "child-name": "重复", "child-code": VILLAGE_A2})
    assert "already used" in dup.get_data(as_text=True)
    wrong_kind = client.post(f"/console/orgs/{TOWN_A}/children",
                             data={"child-kind": "party_group", "child-name": "组", "child-code": "g1"})
    assert wrong_kind.status_code == 422
    assert _count_units(app) == before


def test_rename_and_recode(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    resp = client.post(f"/console/orgs/{VILLAGE_A2}/rename",
                       data={"rename-name": "王庄新村", "rename-code": "371402101209"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/console/orgs/371402101209")
    bad = client.post("/console/orgs/371402101209/rename", data={"rename-name": "王庄新村", "rename-code": VILLAGE_A1})
    assert bad.status_code == 422 and "already used" in bad.get_data(as_text=True)
    with app.app_context():
        assert unit("371402101209").name == "王庄新村"


def test_a_new_unit_gets_the_date_it_was_established_and_the_page_shows_it(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    form = client.get(f"/console/orgs/{TOWN_A}").get_data(as_text=True)
    assert '<label for="child-established_on">Established on (设立日期)</label>' in form
    assert "Leave it empty if it existed before the records began." in form
    resp = client.post(f"/console/orgs/{TOWN_A}/children",
                       data={"child-kind": "village", "child-name": "新村", "child-code": "371402101203",
                             "child-established_on": "2026-06-15"})
    assert resp.status_code == 302
    page = client.get("/console/orgs/371402101203").get_data(as_text=True)
    assert re.search(r'<dt>Established on \(设立日期\)</dt><dd class="date">2026-06-15</dd>', page)
    old = client.get(f"/console/orgs/{VILLAGE_A1}").get_data(as_text=True)  # no date: nothing to show
    assert "<dt>Established on" not in old
    with app.app_context():
        assert unit("371402101203").established_on.isoformat() == "2026-06-15"
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "org.create"))
        assert event.detail["established_on"] == "2026-06-15"


def test_a_date_in_the_future_is_refused_and_changes_nothing(app, client, tree, login_as):
    from datetime import timedelta

    from portal.timeutil import local_today

    login_as("township_admin", TOWN_A)
    tomorrow = (local_today() + timedelta(days=1)).isoformat()
    before = _count_units(app)
    resp = client.post(f"/console/orgs/{TOWN_A}/children",
                       data={"child-kind": "village", "child-name": "新村", "child-code": "371402101203",
                             "child-established_on": tomorrow})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and _count_units(app) == before
    assert re.search(r'<ul class="errors" id="child-established_on-error"><li>' + tomorrow +
                     r" is in the future: give the date the unit was set up, or leave it empty.</li>", html)
    edit = client.post(f"/console/orgs/{VILLAGE_A2}/rename",
                       data={"rename-name": "王庄村", "rename-code": VILLAGE_A2, "rename-established_on": tomorrow})
    assert edit.status_code == 422 and "is in the future" in edit.get_data(as_text=True)
    bad = client.post(f"/console/orgs/{VILLAGE_A2}/rename",
                      data={"rename-name": "王庄村", "rename-code": VILLAGE_A2, "rename-established_on": "2026-02-30"})
    assert bad.status_code == 422 and 'id="rename-established_on-error"' in bad.get_data(as_text=True)
    with app.app_context():
        assert unit(VILLAGE_A2).established_on is None
        assert not db.session.scalar(select(func.count()).select_from(AuditEvent)
                                     .where(AuditEvent.action.in_(("org.create", "org.establish"))))


def test_the_date_established_is_set_changed_and_cleared_on_the_unit_and_audited(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    resp = client.post(f"/console/orgs/{VILLAGE_A2}/rename",
                       data={"rename-name": "王庄村", "rename-code": VILLAGE_A2, "rename-established_on": "2026-06-15"})
    assert resp.status_code == 302
    page = client.get(f"/console/orgs/{VILLAGE_A2}").get_data(as_text=True)
    assert '<dd class="date">2026-06-15</dd>' in page
    assert re.search(r'<input[^>]*id="rename-established_on"[^>]*value="2026-06-15"', page)  # to change it
    client.post(f"/console/orgs/{VILLAGE_A2}/rename",
                data={"rename-name": "王庄村", "rename-code": VILLAGE_A2, "rename-established_on": ""})
    assert "<dt>Established on" not in client.get(f"/console/orgs/{VILLAGE_A2}").get_data(as_text=True)
    with app.app_context():
        assert unit(VILLAGE_A2).established_on is None
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.object_type == "OrgUnit")
                                    .order_by(AuditEvent.id)).all()
        # the name and code stayed as they were: no rename is recorded, only the dates
        assert [(e.action, e.detail) for e in events] == [
            ("org.establish", {"old": None, "new": "2026-06-15"}),
            ("org.establish", {"old": "2026-06-15", "new": None})]
    audit_page = client.get("/console/audit").get_data(as_text=True)
    assert "Changed the date a unit was established" in audit_page


def test_move_within_scope_and_cycle_refused(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    area = client.post(f"/console/orgs/{TOWN_A}/children",
                       data={"child-kind": "area", "child-name": "一管区", "child-code": "gq1"})
    assert area.status_code == 302
    resp = client.post(f"/console/orgs/{VILLAGE_A2}/move", data={"move-parent_code": "gq1"})
    assert resp.status_code == 302 and _parent_code(app, VILLAGE_A2) == "gq1"
    cycle = client.post("/console/orgs/gq1/move", data={"move-parent_code": VILLAGE_A2})
    assert cycle.status_code == 422 and "below itself" in cycle.get_data(as_text=True)
    kind = client.post(f"/console/orgs/{VILLAGE_A2}/move", data={"move-parent_code": VILLAGE_A1})
    assert "cannot stand under" in kind.get_data(as_text=True)
    out = client.post(f"/console/orgs/{VILLAGE_A2}/move", data={"move-parent_code": TOWN_B})
    assert "no unit with this code in your scope" in out.get_data(as_text=True)
    assert _parent_code(app, VILLAGE_A2) == "gq1" and _parent_code(app, "gq1") == TOWN_A


def test_add_and_end_positions(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    url = f"/console/orgs/{VILLAGE_A1}-cwh/positions"
    bad = client.post(url, data={"pos-person": "new", "pos-name": "李红", "pos-title": "committee_director",
                                 "pos-start_date": "2024-05-01", "pos-end_date": "2024-01-01"})
    assert bad.status_code == 422 and "end date cannot be before" in bad.get_data(as_text=True)
    noname = client.post(url, data={"pos-person": "new", "pos-title": "clerk", "pos-start_date": "2024-05-01"})
    assert noname.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Position)) == 1
    ok = client.post(url, data={"pos-person": "new", "pos-name": "李红", "pos-phone": "13900000001",
                                "pos-title": "committee_director", "pos-start_date": "2024-05-01"})
    assert ok.status_code == 302
    with app.app_context():
        pos = db.session.scalar(select(Position).where(Position.title == "committee_director"))
        pos_id, person_id = pos.id, pos.person_id
    # the same person in a second position
    client.post(f"/console/orgs/{VILLAGE_A1}-dzb/positions",
                data={"pos-person": str(person_id), "pos-title": "branch_committee", "pos-start_date": "2024-06-01"})
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Position).where(Position.person_id == person_id)) == 2
    end_url = f"/console/orgs/{VILLAGE_A1}-cwh/positions/{pos_id}/end"
    early = client.post(end_url, data={"end-end_date": "2020-01-01"}, follow_redirects=True)
    assert "end date cannot be before" in early.get_data(as_text=True)
    client.post(end_url, data={"end-end_date": "2024-12-31"})
    page = client.get(f"/console/orgs/{VILLAGE_A1}-cwh").get_data(as_text=True)
    assert "2024-12-31" in page
    # a position of another unit is not reachable through this one
    assert client.post(f"/console/orgs/{VILLAGE_A2}/positions/{pos_id}/end",
                       data={"end-end_date": "2024-12-31"}).status_code == 404


def _phone_views(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent)
                                 .where(AuditEvent.action == "personal_data.view"))


def test_phone_numbers_need_personal_view_and_each_view_is_logged(app, client, tree, login_as):
    login_as("viewer", TOWN_A)
    page = client.get(f"/console/orgs/{VILLAGE_A1}-dzb?phones=1").get_data(as_text=True)
    assert "张建国" in page and "13800138000" not in page and "Show phone numbers" not in page
    assert _phone_views(app) == 0


def test_admin_sees_phone_only_on_request_and_it_is_audited(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    page = client.get(f"/console/orgs/{VILLAGE_A1}-dzb").get_data(as_text=True)
    assert "13800138000" not in page and "Show phone numbers" in page
    assert _phone_views(app) == 0
    page = client.get(f"/console/orgs/{VILLAGE_A1}-dzb?phones=1").get_data(as_text=True)
    assert "13800138000" in page
    assert _phone_views(app) == 1
    client.get(f"/console/orgs/{VILLAGE_A1}-dzb?phones=1")
    assert _phone_views(app) == 2
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "personal_data.view"))
        assert event.detail == {"fields": ["phone"]} and "13800138000" not in str(event.detail)


def test_settings_set_clear_and_refused(app, client, tree, login_as, app_factory):
    login_as("township_admin", TOWN_A)
    url = f"/console/orgs/{TOWN_A}/settings"
    resp = client.post(url, data={"setting-key": "org.report_hotline", "setting-value": "0534-1234567"})
    assert resp.status_code == 302
    village = client.get(f"/console/orgs/{VILLAGE_A1}").get_data(as_text=True)
    assert "0534-1234567" in village and "东风镇" in village  # inherited, says where it was set
    unknown = client.post(url, data={"setting-key": "no.such", "setting-value": "1"})
    assert unknown.status_code == 422
    client.post(url, data={"setting-key": "org.report_hotline", "setting-value": ""})
    assert "0534-1234567" not in client.get(f"/console/orgs/{VILLAGE_A1}").get_data(as_text=True)


def test_setting_below_statutory_floor_is_refused(app_factory):
    from tests.helpers import PASSWORD, build_tree, make_user

    app = app_factory(PORTAL_EXTRA_PLUGINS=("tests.example",))
    with app.app_context():
        build_tree()
        make_user("township_admin", TOWN_A, "zhao")
    client = app.test_client()
    client.post("/login", data={"username": "zhao", "password": PASSWORD})
    resp = client.post(f"/console/orgs/{TOWN_A}/settings", data={"setting-key": "example.hours", "setting-value": "10"})
    assert resp.status_code == 422 and "statutory minimum" in resp.get_data(as_text=True)
    resp = client.post(f"/console/orgs/{TOWN_A}/settings", data={"setting-key": "example.hours", "setting-value": "abc"})
    assert "whole number" in resp.get_data(as_text=True)


def test_a_list_setting_that_drops_a_statutory_item_is_refused_with_what_is_missing(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    url = f"/console/orgs/{TOWN_A}/settings"
    resp = client.post(url, data={"setting-key": "disclosure.decision_matters", "setting-value": "修建村部、集体收益使用"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "must keep every statutory item; missing:" in page
    assert "宅基地使用方案" in page and "You may add items, not remove these." in page
    shown = client.get(f"/console/orgs/{TOWN_A}").get_data(as_text=True)
    assert "修建村部" not in shown  # nothing stored
    from plugins.disclosure.decisions import DEFAULT_MATTERS

    resp = client.post(url, data={"setting-key": "disclosure.decision_matters",
                                  "setting-value": DEFAULT_MATTERS + "、修建村部"})
    assert resp.status_code == 302 and "修建村部" in client.get(f"/console/orgs/{TOWN_A}").get_data(as_text=True)


# --- CSV import ---------------------------------------------------------------------------

def _upload(client, text, name="units.csv"):
    import io

    return client.post("/console/orgs/import", data={"file": (io.BytesIO(text.encode("utf-8")), name)},
                       content_type="multipart/form-data")


def test_import_good_file(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    text = ("code,name,kind,parent_code\n"
            f"371402101204,赵庄村,village,{TOWN_A}\n"
            "zz-dzb,赵庄村党支部,party_branch,371402101204\n"
            f"{VILLAGE_A2},王庄村（改名）,village,{TOWN_A}\n")
    resp = _upload(client, text)
    assert resp.status_code == 302
    follow = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "2 units created, 1 updated" in follow
    assert _parent_code(app, "zz-dzb") == "371402101204"


def test_import_bad_file_lists_lines_and_saves_nothing(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    before = _count_units(app)
    text = ("code,name,kind,parent_code\n"
            f"371402101204,赵庄村,village,{TOWN_A}\n"
            "123,坏码村,village,371402101000\n"
            "x-1,无名,party_branch,nowhere\n")
    resp = _upload(client, text)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "Nothing was imported" in html
    assert "Line 3" in html and "Line 4" in html
    assert _count_units(app) == before


def test_import_duplicate_codes_and_cycle(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    before = _count_units(app)
    dup = _upload(client, "code,name,kind,parent_code\n"
                          f"371402101204,甲,village,{TOWN_A}\n371402101204,乙,village,{TOWN_A}\n")
    assert "appears again" in dup.get_data(as_text=True) and "Line 3" in dup.get_data(as_text=True)
    cycle = _upload(client, "code,name,kind,parent_code\n"
                            "pb1,支部一,party_branch,pb2\npb2,支部二,party_general_branch,pb1\n")
    html = cycle.get_data(as_text=True)
    assert cycle.status_code == 422 and "cycle" in html
    assert _count_units(app) == before


def test_import_outside_scope_is_refused_whole(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    before = _count_units(app)
    resp = _upload(client, "code,name,kind,parent_code\n"
                           f"371402101204,赵庄村,village,{TOWN_A}\n"
                           f"371402102209,外乡村,village,{TOWN_B}\n"
                           f"{VILLAGE_B1},改名,village,{TOWN_B}\n"
                           "371402999000,新乡,township,\n")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "Line 3" in html and "Line 4" in html and "outside your scope" in html
    assert _count_units(app) == before
    with app.app_context():
        assert unit(VILLAGE_B1).name == "李家村"


def test_import_reads_established_on_and_a_bad_date_refuses_the_whole_file(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    page = client.get("/console/orgs/import").get_data(as_text=True)
    assert "An optional column established_on gives the date a unit was set up" in page
    before = _count_units(app)
    bad = _upload(client, "code,name,kind,parent_code,established_on\n"
                          f"371402101204,赵庄村,village,{TOWN_A},2026-06-15\n"
                          f"{VILLAGE_A2},王庄新村,village,{TOWN_A},2026-06-31\n")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "Nothing was imported" in html
    assert ("<li>Line 3, established_on: “2026-06-31” is not a date such as 2026-06-15 (year-month-day).</li>"
            in html)
    assert _count_units(app) == before
    with app.app_context():
        assert unit(VILLAGE_A2).name == "王庄村"
    good = _upload(client, "code,name,kind,parent_code,established_on\n"
                           f"371402101204,赵庄村,village,{TOWN_A},2026-06-15\n")
    assert good.status_code == 302
    assert '<dd class="date">2026-06-15</dd>' in client.get("/console/orgs/371402101204").get_data(as_text=True)


def test_import_without_file_or_with_garbage(client, tree, login_as):
    login_as("township_admin", TOWN_A)
    resp = client.post("/console/orgs/import", data={}, content_type="multipart/form-data")
    assert resp.status_code == 200 and "Choose a file" in resp.get_data(as_text=True)
    import io

    garbage = client.post("/console/orgs/import", data={"file": (io.BytesIO(b"\xff\xfe\x00bad"), "x.csv")},
                          content_type="multipart/form-data")
    assert garbage.status_code == 422 and "UTF-8" in garbage.get_data(as_text=True)
