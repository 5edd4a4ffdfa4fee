"""The staff console shell: dashboard, menu, scope rules, modules, notices, audit log."""

import re

from sqlalchemy import select

from portal import hookimpl, ledger
from portal.audit import AuditEvent
from portal.extensions import db
from portal.ledger.models import Publication
from portal.ui import MenuLink
from tests.helpers import COUNTY, PASSWORD, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, make_user, unit


def test_every_console_route_names_its_permission(app):
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/console")]
    assert rules
    missing = [r.rule for r in rules if not getattr(app.view_functions[r.endpoint], "required_permission", None)]
    assert missing == []


def test_dashboard_shows_summary_and_menu(client, tree, login_as):
    login_as("township_admin", TOWN_A)
    html = client.get("/console/").get_data(as_text=True)
    assert "东风镇" in html and "At a glance" in html
    assert html.count("<h1") == 1
    for label in ("Org tree", "Notices", "Modules", "Users", "Audit log"):
        assert label in html
    assert "西湖乡" not in html
    assert 'style="' not in html and "<script" not in html


def test_the_summary_counts_this_months_publications_below_the_unit(ctx, tree):
    from datetime import timedelta

    from portal.console.services import dashboard_summary, month_start_utc

    start = month_start_utc()
    for code, at in ((VILLAGE_A1, start), (VILLAGE_A1, start + timedelta(days=1)),
                     (VILLAGE_A1, start - timedelta(seconds=1)), (VILLAGE_B1, start + timedelta(hours=1))):
        ledger.publish(plugin="core", kind="notice", org=unit(code), title="通知", published_at=at)
    db.session.commit()
    assert dashboard_summary(None, unit(TOWN_A))["publications_this_month"] == 2  # not last month's, not 西湖乡's
    assert dashboard_summary(None, unit(COUNTY))["publications_this_month"] == 3

def test_menu_hides_what_a_clerk_may_not_use(client, tree, login_as):
    login_as("village_clerk", VILLAGE_A1)
    html = client.get("/console/").get_data(as_text=True)
    assert "Org tree" in html and "Users" not in html and "Audit log" not in html


def test_menu_skips_links_to_missing_endpoints(app, client, tree, login_as):
    class Menu:
        @hookimpl
        def console_menu(self, user, org):
            return [MenuLink("Broken link", "nowhere.at_all"), MenuLink("Good link", "console.org_tree", order=5)]

    app.extensions["portal"].register(Menu(), name="menu_test")
    with app.app_context():
        app.extensions["portal"].set_enabled("menu_test", unit(TOWN_A), True)
        db.session.commit()
    login_as("township_admin", TOWN_A)
    html = client.get("/console/").get_data(as_text=True)
    assert "Good link" in html and "Broken link" not in html


def test_staff_switch_to_a_unit_by_typing_its_name_or_code(client, tree, login_as):
    login_as("township_admin", TOWN_A)
    one = client.get("/console/?unit=王庄")
    assert one.status_code == 302 and one.headers["Location"].endswith(f"/console/?org={VILLAGE_A2}")
    assert client.get(f"/console/?unit={VILLAGE_A1}").headers["Location"].endswith(f"?org={VILLAGE_A1}")
    several = client.get("/console/?unit=导子").get_data(as_text=True)  # the village, its branch and committees
    listed = re.findall(r'<li><a href="/console/\?org=([^"]+)">', several)
    assert listed[0] == VILLAGE_A1 and len(listed) == 4 and "Units matching “导子”" in several
    assert "No unit in your scope" not in client.get("/console/?unit=+").get_data(as_text=True)  # nothing typed
    # another township's village is not found, and a wildcard is a character
    for text in ("李家", "%", TOWN_B):
        page = client.get(f"/console/?unit={text}")
        assert page.status_code == 200 and "No unit in your scope has the name or code" in page.get_data(as_text=True)

def test_working_org_outside_scope_is_404(client, tree, login_as):
    login_as("township_admin", TOWN_A)
    assert client.get(f"/console/?org={VILLAGE_A1}").status_code == 200
    assert client.get(f"/console/?org={TOWN_B}").status_code == 404
    assert client.get("/console/?org=nonexistent").status_code == 404


def test_missing_permission_is_403(client, tree, login_as):
    login_as("village_clerk", VILLAGE_A1)
    for path in ("/console/users", "/console/plugins", "/console/audit", "/console/notices", "/console/orgs/import"):
        assert client.get(path).status_code == 403, path


def test_user_without_any_role_gets_403(app, client, tree):
    with app.app_context():
        from portal.accounts.services import create_user

        create_user("norole", "No role", PASSWORD)
        db.session.commit()
    client.post("/login", data={"username": "norole", "password": PASSWORD})
    assert client.get("/console/").status_code == 403


# --- modules ------------------------------------------------------------------------------

class DemoModule:
    """A throwaway plugin: only a dashboard tile."""

    @hookimpl
    def dashboard_widgets(self, user, org):
        from portal.ui import Widget

        return [Widget("Demo tile", "console/widgets/summary.html", {"units": [], "modules": ["demo!"]}, order=99)]


def test_modules_go_by_their_labels(app, client, tree, login_as):
    login_as("county_admin", COUNTY)
    page = client.get("/console/plugins").get_data(as_text=True)
    assert "Village-affairs disclosure (村务公开)" in page and "Grievance hotline" in page
    resp = client.post("/console/plugins/toggle", data={"org": TOWN_A, "plugin": "hotline", "enabled": "1"},
                       follow_redirects=True)
    assert "Grievance hotline (便民热线) is now on at" in resp.get_data(as_text=True)
    dashboard = client.get(f"/console/?org={TOWN_A}").get_data(as_text=True)
    assert "Grievance hotline (便民热线)" in dashboard


def test_plugin_toggle_on_and_off(app, client, tree, login_as):
    app.extensions["portal"].register(DemoModule(), name="demo_mod")
    login_as("township_admin", TOWN_A)
    page = client.get("/console/plugins").get_data(as_text=True)
    assert "demo_mod" in page and "西湖乡" not in page and "Villages and units below inherit" in page
    assert "Demo tile" not in client.get("/console/").get_data(as_text=True)
    resp = client.post("/console/plugins/toggle", data={"org": TOWN_A, "plugin": "demo_mod", "enabled": "1"},
                       follow_redirects=True)
    assert "demo_mod is now on" in resp.get_data(as_text=True)
    assert "Demo tile" in client.get("/console/").get_data(as_text=True)
    assert "Demo tile" in client.get(f"/console/?org={VILLAGE_A1}").get_data(as_text=True)  # villages inherit
    client.post("/console/plugins/toggle", data={"org": TOWN_A, "plugin": "demo_mod", "enabled": "0"})
    assert "Demo tile" not in client.get("/console/").get_data(as_text=True)
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]
    assert "plugin.enable" in actions and "plugin.disable" in actions


def test_plugin_toggle_refusals(app, client, tree, login_as):
    app.extensions["portal"].register(DemoModule(), name="demo_mod")
    login_as("township_admin", TOWN_A)
    resp = client.post("/console/plugins/toggle", data={"org": TOWN_A, "plugin": "nope", "enabled": "1"},
                       follow_redirects=True)
    assert "Unknown plugin: nope" in resp.get_data(as_text=True)
    resp = client.post("/console/plugins/toggle", data={"org": VILLAGE_A1, "plugin": "demo_mod", "enabled": "1"},
                       follow_redirects=True)
    assert "township or a county" in resp.get_data(as_text=True)
    assert client.post("/console/plugins/toggle",
                       data={"org": TOWN_B, "plugin": "demo_mod", "enabled": "1"}).status_code == 404
    resp = client.post("/console/plugins/toggle", data={"org": TOWN_A}, follow_redirects=True)
    assert "incomplete" in resp.get_data(as_text=True)


def _hidden_fields(html):
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', html))


def test_switching_a_module_off_asks_first_and_says_what_stops(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    app.extensions["portal"].register(DemoModule(), name="demo_mod")
    with app.app_context():
        from tests.helpers import build_tree

        build_tree()
        app.extensions["portal"].set_enabled("demo_mod", unit(TOWN_A), True)
        make_user("township_admin", TOWN_A, "chen")
        db.session.commit()
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": "chen", "password": PASSWORD, "csrf_token": token})
    modules = client.get("/console/plugins").get_data(as_text=True)
    switch = re.search(r'<form method="get" action="/console/plugins/toggle"[^>]*>(.*?)</form>', modules, re.S)
    assert switch and "Switch off" in switch.group(1)  # a link-like GET, no JavaScript needed
    # the first click only asks
    ask = client.get("/console/plugins/toggle", query_string=_hidden_fields(switch.group(1)))
    page = ask.get_data(as_text=True)
    assert ask.status_code == 200 and "Switch demo_mod off at 东风镇?" in page
    assert "New work in demo_mod stops at 东风镇 and in its villages" in page
    assert "What was already published stays public." in page and 'href="/console/plugins"' in page
    assert "Demo tile" in client.get("/console/").get_data(as_text=True)
    # the confirmed POST, with the page's CSRF token, switches it off
    confirm = re.search(r'<form method="post" action="/console/plugins/toggle">(.*?)</form>', page, re.S).group(1)
    fields = _hidden_fields(confirm)
    assert fields["csrf_token"] and fields["enabled"] == "0"
    done = client.post("/console/plugins/toggle", data=fields, follow_redirects=True)
    assert "demo_mod is now off at 东风镇." in done.get_data(as_text=True)
    assert "Demo tile" not in client.get("/console/").get_data(as_text=True)


def test_the_switch_off_question_keeps_the_switchs_scope_rules(app, client, tree, login_as):
    app.extensions["portal"].register(DemoModule(), name="demo_mod")
    with app.app_context():
        for code in (TOWN_A, TOWN_B):
            app.extensions["portal"].set_enabled("demo_mod", unit(code), True)
        db.session.commit()
    login_as("township_admin", TOWN_A)
    for code in (TOWN_B, "nonexistent"):  # another township answers as if it did not exist
        assert client.get(f"/console/plugins/toggle?org={code}&plugin=demo_mod").status_code == 404
    unknown = client.get(f"/console/plugins/toggle?org={TOWN_A}&plugin=nope", follow_redirects=True)
    assert "Unknown plugin: nope" in unknown.get_data(as_text=True)
    village = client.get(f"/console/plugins/toggle?org={VILLAGE_A1}&plugin=demo_mod", follow_redirects=True)
    assert "township or a county" in village.get_data(as_text=True)
    assert "incomplete" in client.get("/console/plugins/toggle", follow_redirects=True).get_data(as_text=True)
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEvent))]
        assert "plugin.disable" not in actions and app.extensions["portal"].is_active("demo_mod", unit(TOWN_B))
    # a county admin is told what switching off at the county reaches
    login_as("county_admin", COUNTY)
    page = client.get(f"/console/plugins/toggle?org={COUNTY}&plugin=demo_mod").get_data(as_text=True)
    assert "stops in every township of 德城区 that has not switched it on for itself" in page


def test_the_question_is_asked_in_the_users_language(app, client, tree, login_as):
    app.extensions["portal"].register(DemoModule(), name="demo_mod")
    login_as("township_admin", TOWN_A)
    page = client.get(f"/console/plugins/toggle?org={TOWN_A}&plugin=demo_mod&lang=zh_Hans_CN").get_data(as_text=True)
    assert "确定在东风镇停用demo_mod吗？" in page and "已经公开的内容仍然公开。" in page


def test_county_admin_sees_county_and_every_township(app, client, tree, login_as):
    app.extensions["portal"].register(DemoModule(), name="demo_mod")
    login_as("county_admin", COUNTY)
    page = client.get("/console/plugins").get_data(as_text=True)
    assert "德城区" in page and "东风镇" in page and "西湖乡" in page


# --- notices ------------------------------------------------------------------------------

def _pubs(app):
    with app.app_context():
        return [(p.pub_id, p.revision, p.action, p.title, p.reason)
                for p in db.session.scalars(select(Publication).order_by(Publication.seq))]


def test_notice_publish_correct_withdraw(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    resp = client.post("/console/notices", data={"org_code": VILLAGE_A1, "title": "停水通知", "body": "明天停水"},
                       follow_redirects=True)
    assert "Notice published" in resp.get_data(as_text=True)
    (pub_id, *_), = _pubs(app)
    page = client.get(f"/console/notices/{pub_id}").get_data(as_text=True)
    assert "明天停水" in page
    # a correction without a reason is refused, nothing published
    resp = client.post(f"/console/notices/{pub_id}", data={"title": "停水通知", "body": "后天停水", "reason": ""})
    assert resp.status_code == 200 and len(_pubs(app)) == 1
    client.post(f"/console/notices/{pub_id}", data={"title": "停水通知（更正）", "body": "后天停水", "reason": "日期错了"})
    assert _pubs(app)[-1][1:] == (2, "correct", "停水通知（更正）", "日期错了")
    resp = client.post(f"/console/notices/{pub_id}/withdraw", data={"withdraw-reason": ""}, follow_redirects=True)
    assert "Say why" in resp.get_data(as_text=True) and len(_pubs(app)) == 2
    client.post(f"/console/notices/{pub_id}/withdraw", data={"withdraw-reason": "已恢复供水"})
    assert _pubs(app)[-1][1:3] == (3, "withdraw")
    listing = client.get("/console/notices").get_data(as_text=True)
    assert "withdrawn" in listing


def test_a_notice_is_listed_with_its_opening_words_past_the_salutation(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    body = "各村：\n\n因**管道维修**，12月3日全天停水。\n\n| 村 | 时间 |\n|---|---|\n| 东村 | 8:00–18:00 |"
    client.post("/console/notices", data={"org_code": TOWN_A, "title": "停水通知", "body": body})
    home = client.get("/").get_data(as_text=True)
    assert "各村： 因管道维修，12月3日全天停水。" in home  # no markdown marks,
    assert "东村" not in home and "8:00–18:00" not in home  # nor the table's cells run together
    (pub_id, *_), = _pubs(app)
    client.post(f"/console/notices/{pub_id}", data={"title": "停水通知", "body": "各村：\n\n改为12月4日停水。",
                                                     "reason": "日期改了"})
    assert "各村： 改为12月4日停水。" in client.get("/").get_data(as_text=True)  # the correction's own summary
    with app.app_context():
        searched = db.session.scalar(select(Publication.search_text).order_by(Publication.seq))
    assert "东村 8:00–18:00" in searched and "|" not in searched and "*" not in searched  # text, not markdown

def test_every_notice_in_scope_is_listed_a_page_at_a_time(app, client, tree, login_as, monkeypatch):
    from portal.console import views

    monkeypatch.setattr(views, "NOTICES_PER_PAGE", 2)
    login_as("township_admin", TOWN_A)
    for n in range(5):
        client.post("/console/notices", data={"org_code": VILLAGE_A1, "title": f"第{n}号通知", "body": "见附件"})
    pages = [client.get("/console/notices" + (f"?page={n}" if n > 1 else "")).get_data(as_text=True) for n in (1, 2, 3)]
    listed = [re.findall(r"第(\d)号通知</a>", html) for html in pages]
    assert listed == [["4", "3"], ["2", "1"], ["0"]] and "Page 3 of 3" in pages[2]
    assert "past the end of the list" in client.get("/console/notices?page=9").get_data(as_text=True)

def test_notice_outside_scope_is_refused(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    resp = client.post("/console/notices", data={"org_code": VILLAGE_B1, "title": "x", "body": "y"})
    assert "no unit with this code in your scope" in resp.get_data(as_text=True)
    assert _pubs(app) == []
    with app.app_context():
        from portal import ledger

        pub = ledger.publish(plugin="core", kind="notice", org=unit(VILLAGE_B1), title="B", payload={"body": "b"})
        db.session.commit()
        pub_id = pub.pub_id
    assert client.get(f"/console/notices/{pub_id}").status_code == 404
    assert client.post(f"/console/notices/{pub_id}/withdraw", data={"withdraw-reason": "x"}).status_code == 404
    assert "B" not in re.findall(r"<li><a[^>]*>([^<]*)</a>", client.get("/console/notices").get_data(as_text=True))


# --- audit log ----------------------------------------------------------------------------

def test_audit_log_shows_events_in_scope_only(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    client.post("/console/notices", data={"org_code": VILLAGE_A1, "title": "A 通知", "body": "a"})
    with app.app_context():
        from portal import audit

        audit.record("secret.thing", org=unit(VILLAGE_B1))
        db.session.commit()
    page = client.get("/console/audit").get_data(as_text=True)
    assert "ledger.publish" in page and "secret.thing" not in page
    filtered = client.get("/console/audit?action=ledger").get_data(as_text=True)
    assert "ledger.publish" in filtered
    assert "ledger.publish" not in client.get("/console/audit?action=plugin").get_data(as_text=True)
    assert client.get("/console/audit?page=999").status_code == 200


def test_csrf_forged_token_changes_nothing(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from tests.helpers import build_tree

        build_tree()
        make_user("township_admin", TOWN_A, "chen")
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": "chen", "password": PASSWORD, "csrf_token": token})
    data = {"org_code": VILLAGE_A1, "title": "伪造", "body": "x"}
    assert client.post("/console/notices", data=dict(data, csrf_token="forged")).status_code == 400
    assert client.post("/console/notices", data=data).status_code == 400
    assert _pubs(app) == []
    page = client.get("/console/notices").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post("/console/notices", data=dict(data, csrf_token=token)).status_code == 302
    assert len(_pubs(app)) == 1
