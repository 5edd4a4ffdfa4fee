"""The disclosure console: forms, the review buttons, the refused publish, scope, compliance and exports."""

import io
import re

import pytest
from sqlalchemy import func, select

from plugins.disclosure import services
from plugins.disclosure.models import Disclosure
from portal.extensions import db
from portal.ledger import Publication
from tests.conftest import PASSWORD
from tests.helpers import COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, build_tree, make_user, unit
from tests.test_disclosure_workflow import ID_NUMBER, OCTOBER, OCTOBER_CLOSING


@pytest.fixture
def site(app):
    """Tree, the plugin on in township A, and the people of 导子村; returns a login function."""
    with app.app_context():
        build_tree()
        app.extensions["portal"].set_enabled("disclosure", unit(TOWN_A), True)
        db.session.commit()
        make_user("village_clerk", VILLAGE_A1, "clerk")
        make_user("supervisor", VILLAGE_A1, "jianwei")
        make_user("village_head", VILLAGE_A1, "head")
        make_user("township_admin", TOWN_A, "dongfeng")
        make_user("township_admin", TOWN_B, "xihu")
        make_user("village_clerk", VILLAGE_A2, "wangzhuang")
    client = app.test_client()

    def login(username):
        client.post("/logout")
        resp = client.post("/login", data={"username": username, "password": PASSWORD})
        assert resp.status_code == 302
        return client

    return login


def _new_finance_draft(client, body="本月财务收支。"):
    resp = client.post(f"/console/disclosure/{VILLAGE_A1}/new",
                       data={"category": "finance", "disclosure_kind": "regular", "period": "2026-10",
                             "title": "", "body": body})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    return int(re.search(r"/d/(\d+)", resp.headers["Location"]).group(1))


def _import(client, draft_id, data=OCTOBER, closing="17,649.50", opening="1000"):
    return client.post(f"/console/disclosure/d/{draft_id}/statement", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(data), "2026-10.csv"), "month": "2026-10", "closing": closing,
                             "opening": opening})


def _road(login, draft_id):
    assert login("clerk").post(f"/console/disclosure/d/{draft_id}/submit").status_code == 302
    assert login("jianwei").post(f"/console/disclosure/d/{draft_id}/countersign").status_code == 302
    assert login("head").post(f"/console/disclosure/d/{draft_id}/approve").status_code == 302


def _published(app, site, body="本月财务收支。"):
    """(the clerk's client, draft id, publication id) of a finance disclosure taken down the whole road."""
    client = site("clerk")
    draft_id = _new_finance_draft(client, body=body)
    _import(client, draft_id)
    _road(site, draft_id)
    client = site("clerk")
    client.post(f"/console/disclosure/d/{draft_id}/publish")
    with app.app_context():
        return client, draft_id, db.session.get(Disclosure, draft_id).pub_id


def test_clerk_drafts_imports_and_the_road_ends_on_the_public_page(app, site):
    client = site("clerk")
    page = client.get(f"/console/disclosure/?org={VILLAGE_A1}").get_data(as_text=True)
    assert f"/console/disclosure/{VILLAGE_A1}/new" in page
    draft_id = _new_finance_draft(client)
    resp = _import(client, draft_id)
    assert resp.status_code == 302
    detail = client.get(f"/console/disclosure/d/{draft_id}").get_data(as_text=True)
    assert "机动地发包收入" in detail and "17,649.50" in detail and "Submit for review" in detail
    assert "Due by the fixed disclosure day: 2026-11-10" in detail
    _road(site, draft_id)
    detail = site("clerk").get(f"/console/disclosure/d/{draft_id}").get_data(as_text=True)
    assert "Approved, ready to publish" in detail
    resp = client.post(f"/console/disclosure/d/{draft_id}/publish", follow_redirects=True)
    assert "Published as revision 1" in resp.get_data(as_text=True)
    with app.app_context():
        pub_id = db.session.get(Disclosure, draft_id).pub_id
    public = client.get(f"/p/{pub_id}")  # the ledger keeps 导子村2026年10月财务收支公开; an English page says it so
    assert public.status_code == 200 and "Finance disclosure of 导子村, October 2026" in public.get_data(as_text=True)
    history = client.get(f"/console/disclosure/d/{draft_id}").get_data(as_text=True)
    for step in ("drafted", "imported a finance statement", "submitted for review", "countersigned", "approved",
                 "published"):
        assert step in history
    resp = client.post(f"/console/disclosure/{VILLAGE_A1}/new",
                       data={"category": "finance", "disclosure_kind": "regular", "period": "2026-11", "body": "x"})
    form = client.get(resp.headers["Location"] + "/statement").get_data(as_text=True)
    assert "Opening balance carried over from the published statement of 2026-10: 17,649.50 yuan" in form


def test_a_bad_statement_names_row_and_column_and_saves_nothing(app, site):
    client = site("clerk")
    draft_id = _new_finance_draft(client)
    bad = ("日期,凭证号,科目,摘要,收入金额,支出金额\n"
           "2026-09-30,记-001,经营收入,发包收入,abc,\n"
           "2026-10-02,记-001,不存在的科目,杂项,,10\n").encode("utf-8")
    resp = _import(client, draft_id, data=bad)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "The statement was not imported" in html
    assert "Row 2, column 日期" in html and "Row 2, column 收入金额" in html and "Row 3, column 凭证号" in html
    assert "Row 3, column 科目" in html
    assert _import(client, draft_id, data=b"x" * (9 * 1024 * 1024)).status_code == 413  # over MAX_CONTENT_LENGTH
    truncated = _import(client, draft_id, data=b"PK\x03\x04" + b"\x00" * 100)
    assert "not a readable XLSX workbook" in truncated.get_data(as_text=True)
    resp = _import(client, draft_id, closing="12.3.4")
    assert "at most two decimals" in resp.get_data(as_text=True)
    with app.app_context():
        d = db.session.get(Disclosure, draft_id)
        assert d.statement is None and [s.action for s in d.steps] == ["create"]


def test_publish_refused_for_an_id_number_then_mask_all_then_publish(app, site):
    client = site("clerk")
    draft_id = _new_finance_draft(client, body=f"补助对象身份证号 {ID_NUMBER}")
    _import(client, draft_id)
    _road(site, draft_id)
    client = site("clerk")
    resp = client.post(f"/console/disclosure/d/{draft_id}/publish")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "role=\"alert\"" in html
    assert "Publishing is refused" in html and "ID number" in html and "1101**********002X" in html
    assert "Mask all" in html
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Publication)) == 0
    resp = client.post(f"/console/disclosure/d/{draft_id}/mask", follow_redirects=True)
    assert "1 pieces of personal data masked" in resp.get_data(as_text=True)
    resp = client.post(f"/console/disclosure/d/{draft_id}/publish", follow_redirects=True)
    assert "Published as revision 1" in resp.get_data(as_text=True)


def test_a_correction_from_the_console_becomes_revision_two(app, site):
    client, draft_id, pub_id = _published(app, site)
    assert "reason" in client.post(f"/console/disclosure/correct/{pub_id}", data={"reason": ""}).get_data(as_text=True)
    resp = client.post(f"/console/disclosure/correct/{pub_id}", data={"reason": "补充路灯维修说明"})
    correction_id = int(re.search(r"/d/(\d+)", resp.headers["Location"]).group(1))
    client.post(f"/console/disclosure/d/{correction_id}/edit",
                data={"category": "finance", "disclosure_kind": "regular", "period": "2026-10", "title": "",
                      "body": "更正后的说明。"})
    _road(site, correction_id)
    site("clerk").post(f"/console/disclosure/d/{correction_id}/publish")
    history = client.get(f"/p/{pub_id}/history").get_data(as_text=True)
    assert "补充路灯维修说明" in history
    with app.app_context():
        assert db.session.scalar(select(func.max(Publication.revision)).where(Publication.pub_id == pub_id)) == 2


def test_steps_without_the_permission_or_out_of_order(app, site):
    client = site("clerk")
    draft_id = _new_finance_draft(client)
    _import(client, draft_id)
    assert client.post(f"/console/disclosure/d/{draft_id}/approve").status_code == 403  # no approve anywhere
    resp = client.post(f"/console/disclosure/d/{draft_id}/publish", follow_redirects=True)
    assert "Only an approved disclosure can be published" in resp.get_data(as_text=True)
    client = site("jianwei")
    resp = client.post(f"/console/disclosure/d/{draft_id}/countersign", follow_redirects=True)
    assert "Only a submitted draft can be countersigned" in resp.get_data(as_text=True)
    site("clerk").post(f"/console/disclosure/d/{draft_id}/submit")
    client = site("jianwei")
    resp = client.post(f"/console/disclosure/d/{draft_id}/return", data={"reason": "附件不全"}, follow_redirects=True)
    assert "Returned to the clerk" in resp.get_data(as_text=True)
    assert "附件不全" in site("clerk").get(f"/console/disclosure/d/{draft_id}").get_data(as_text=True)


def test_drafts_outside_scope_and_where_the_plugin_is_off_answer_404(app, site):
    client = site("clerk")
    draft_id = _new_finance_draft(client)
    assert site("wangzhuang").get(f"/console/disclosure/d/{draft_id}").status_code == 404  # another village
    assert site("wangzhuang").post(f"/console/disclosure/d/{draft_id}/submit").status_code == 404
    assert site("xihu").get(f"/console/disclosure/d/{draft_id}").status_code == 404  # another township
    assert site("clerk").get(f"/console/disclosure/{VILLAGE_A2}/new").status_code == 404
    with app.app_context():
        make_user("village_clerk", VILLAGE_B1, "lijia")
    assert site("lijia").get(f"/console/disclosure/{VILLAGE_B1}/new").status_code == 404  # plugin off in 西湖乡
    with app.app_context():
        make_user("county_admin", "371402000000", "county")
    county_page = site("county").get("/console/disclosure/?org=371402000000").get_data(as_text=True)
    assert f"/console/disclosure/{VILLAGE_A1}/new" in county_page
    assert f"/console/disclosure/{VILLAGE_B1}/new" not in county_page  # no links where the module is off
    assert site("county").get(f"/console/disclosure/d/{draft_id}/edit").status_code == 200
    with app.app_context():
        app.extensions["portal"].set_enabled("disclosure", unit(TOWN_A), False)
        db.session.commit()
    assert site("clerk").get(f"/console/disclosure/d/{draft_id}").status_code == 404
    assert site("clerk").get(f"/console/disclosure/{VILLAGE_A1}/new").status_code == 404


def test_attachments_upload_refuse_executables_and_download_in_the_console(app, site):
    client = site("clerk")
    draft_id = _new_finance_draft(client)
    resp = client.post(f"/console/disclosure/d/{draft_id}/attach", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(b"MZ\x90\x00" + b"\x00" * 300), "合同.pdf")}, follow_redirects=True)
    assert "Only JPEG or PNG photos and PDF documents" in resp.get_data(as_text=True)
    from tests.test_disclosure_workflow import _png

    resp = client.post(f"/console/disclosure/d/{draft_id}/attach", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(_png()), "凭证.png")}, follow_redirects=True)
    assert "File attached" in resp.get_data(as_text=True)
    with app.app_context():
        key = db.session.get(Disclosure, draft_id).attachments[0]["key"]
    assert client.get(f"/console/disclosure/d/{draft_id}/file/{key}").headers["Content-Type"] == "image/png"
    assert site("wangzhuang").get(f"/console/disclosure/d/{draft_id}/file/{key}").status_code == 404
    assert site("clerk").get(f"/files/{key}/凭证.png").status_code == 404  # not public before publishing


def test_rendered_forms_carry_a_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        build_tree()
        app.extensions["portal"].set_enabled("disclosure", unit(TOWN_A), True)
        db.session.commit()
        user = make_user("village_clerk", VILLAGE_A1, "clerk")
        d = services.create_draft(unit(VILLAGE_A1), user, category="village", disclosure_kind="immediate",
                                  body="公告")
        db.session.commit()
        draft_id = d.id
    client = app.test_client()
    login = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login).group(1)
    assert client.post("/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": token}).status_code == 302
    for path in (f"/console/disclosure/{VILLAGE_A1}/new", f"/console/disclosure/d/{draft_id}",
                 f"/console/disclosure/d/{draft_id}/statement", f"/console/disclosure/d/{draft_id}/edit"):
        html = client.get(path).get_data(as_text=True)
        forms = html.count('method="post"')
        assert forms >= 1 and html.count('name="csrf_token"') >= forms, path
    assert client.post(f"/console/disclosure/d/{draft_id}/submit").status_code == 400  # no token


def _published_history(app):
    """导子村: October on time, September late; 王庄村: nothing."""
    from datetime import datetime

    with app.app_context():
        user = make_user("county_admin", "371402000000", "county")
        for month, when in (("2026-09", datetime(2026, 10, 14, 2)), ("2026-10", datetime(2026, 11, 9, 2))):
            d = services.create_draft(unit(VILLAGE_A1), user, category="finance", disclosure_kind="regular",
                                      period=month, body=f"{month} 财务公开")
            d.state, d.countersigned_at, d.approved_at = "approved", datetime(2026, 1, 1), datetime(2026, 1, 1)
            services.publish(d, user, published_at=when)
        db.session.commit()


def test_compliance_table_filters_and_exports(app, site):
    _published_history(app)
    client = site("dongfeng")
    html = client.get(f"/console/disclosure/compliance?org={TOWN_A}&from=2026-09&to=2026-10").get_data(as_text=True)
    assert "导子村" in html and "王庄村" in html
    assert "On time" in html and "Late" in html and "Missing" in html
    only_late = client.get(f"/console/disclosure/compliance?org={TOWN_A}&from=2026-09&to=2026-10&status=late")
    rows = re.findall(r'<tr><td>([^<]*)</td><td>([^<]+)</td><td class="date">(\d{4}-[\dQ]+)</td>',
                      only_late.get_data(as_text=True))
    assert rows == [("东风镇", "导子村", "2026-09")]
    csv = client.get(f"/console/disclosure/compliance?org={TOWN_A}&from=2026-09&to=2026-10&village={VILLAGE_A1}"
                     "&format=csv")
    assert csv.headers["Content-Type"].startswith("text/csv")
    text = csv.data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Township,Village,Village code,Period")
    assert "东风镇,导子村,371402101201,2026-09,Finance statement (财务),2026-10-10,Late,2026-10-14" in text
    assert "王庄村" not in text
    xlsx = client.get(f"/console/disclosure/compliance?org={TOWN_A}&format=xlsx")
    assert xlsx.data[:2] == b"PK" and "attachment" in xlsx.headers["Content-Disposition"]
    assert client.get(f"/console/disclosure/compliance?org={TOWN_B}").status_code == 404  # not dongfeng's
    assert site("clerk").get(f"/console/disclosure/compliance?org={VILLAGE_A1}").status_code == 403


def test_the_county_sees_compliance_by_township_and_opens_one(app, site):
    _published_history(app)
    with app.app_context():
        app.extensions["portal"].set_enabled("disclosure", unit(TOWN_B), True)
        db.session.commit()
    client = site("county")
    query = f"/console/disclosure/compliance?org={COUNTY}&from=2026-09&to=2026-10"
    html = client.get(query).get_data(as_text=True)
    table = html.split('id="township-table"')[1].split("</table>")[0]
    cells = {code: re.findall(r'<td class="num"[^>]*>([^<]+)</td>', row)
             for code, row in re.findall(r'<tr data-township="(\d+)">(.*?)</tr>', table, re.S)}
    # each village owes finance for September and October and village affairs for Q3 (Q4 is not yet due).
    # 东风镇: 导子村's September late, October on time, Q3 missing; 王庄村 all three missing.
    # 西湖乡: 李家村 published nothing.
    assert cells[TOWN_A] == ["1", "1", "4", "2", "17%"] and cells[TOWN_B] == ["0", "0", "3", "1", "0%"]
    link = re.search(rf'<a href="([^"]+)">东风镇</a>', table).group(1).replace("&amp;", "&")
    assert f"township={TOWN_A}" in link and "from=2026-09" in link
    one = client.get(link).get_data(as_text=True)
    villages = set(re.findall(r'<tr><td>[^<]*</td><td>([^<]+)</td><td class="date">\d{4}-', one))
    assert 'id="township-table"' not in one and villages == {"导子村", "王庄村"}
    village_select = one.split('id="f-village"')[1].split("</select>")[0]
    assert "王庄村" in village_select and "李家村" not in village_select  # the township's villages to choose from


def test_a_long_compliance_table_is_paged_and_its_counts_and_downloads_hold_every_row(app, site, monkeypatch):
    from plugins.disclosure import compliance_view

    _published_history(app)
    monkeypatch.setattr(compliance_view, "ROWS_PER_PAGE", 3)
    client = site("dongfeng")
    query = f"/console/disclosure/compliance?org={TOWN_A}&from=2026-07&to=2026-10"
    row = re.compile(r'<tr><td>[^<]*</td><td>([^<]+)</td><td class="date">(\d{4}-[\dQ]+)</td>')
    pages = [client.get(query + (f"&page={n}" if n > 1 else "")).get_data(as_text=True) for n in (1, 2, 3, 4)]
    seen = [row.findall(html) for html in pages]
    # two villages, each with four months of finance and two quarters (Q3, Q4) of village affairs:
    # 12 rows, 3 a page, each row once
    assert [len(rows) for rows in seen] == [3, 3, 3, 3] and len(set(sum(seen, []))) == 12
    assert "Page 2 of 4" in pages[1]
    counted = re.search(r"On time: <strong>(\d+)</strong> · Late: <strong>(\d+)</strong> ·\s*Missing: <strong>(\d+)"
                        r"</strong> · Not yet due: (\d+)", pages[1])
    assert sum(map(int, counted.groups())) == 12  # the counts are of every page's rows
    assert re.search(r'rel="next" href="[^"]*page=3', pages[1]) and "from=2026-07" in pages[1].split('rel="next"')[1]
    csv = client.get(query + "&format=csv").data.decode("utf-8-sig")
    assert len(csv.splitlines()) == 13  # the header and every row


def test_dashboard_tile_and_menu_for_township_staff(app, site):
    _published_history(app)
    client = site("dongfeng")
    html = client.get(f"/console/?org={TOWN_A}").get_data(as_text=True)
    assert "Late or missing disclosures" in html and "王庄村" in html
    assert "/console/disclosure/compliance" in html and "/console/disclosure/?org=" in html
    clerk_home = site("clerk").get("/console/").get_data(as_text=True)
    assert "Late or missing disclosures" not in clerk_home and "/console/disclosure/" in clerk_home


def test_the_next_person_sees_the_draft_waiting_on_the_dashboard(app, site):
    client = site("clerk")
    draft_id = _new_finance_draft(client)
    _import(client, draft_id)
    assert "Nothing waits for you" in site("jianwei").get("/console/").get_data(as_text=True)
    site("clerk").post(f"/console/disclosure/d/{draft_id}/submit")
    home = site("jianwei").get("/console/").get_data(as_text=True)
    assert "Disclosures waiting for you" in home and f"/console/disclosure/d/{draft_id}" in home
    assert "countersign" in home
    assert "your turn" in site("jianwei").get(f"/console/disclosure/?org={VILLAGE_A1}").get_data(as_text=True)
    waiting = f'<li><a href="/console/disclosure/d/{draft_id}">'  # (the to-do list links it as "draft in progress")
    assert waiting not in site("head").get("/console/").get_data(as_text=True)
    site("jianwei").post(f"/console/disclosure/d/{draft_id}/countersign")
    assert waiting in site("head").get("/console/").get_data(as_text=True)


def test_a_published_disclosure_is_withdrawn_with_a_reason(app, site):
    """撤回: the public page says withdrawn and why; the text leaves the village page; a reason is required."""
    client, draft_id, pub_id = _published(app, site, body="路灯维修费用明细。")
    assert f"/console/disclosure/withdraw/{pub_id}" in client.get(f"/console/disclosure/d/{draft_id}").get_data(
        as_text=True)
    refused = client.post(f"/console/disclosure/withdraw/{pub_id}", data={"reason": "  "})
    assert refused.status_code == 200 and "reason" in refused.get_data(as_text=True).lower()
    assert site("jianwei").post(f"/console/disclosure/withdraw/{pub_id}",
                                data={"reason": "误发"}).status_code in (403, 404)  # reviews, does not publish
    with app.app_context():
        assert db.session.scalar(select(func.max(Publication.revision)).where(Publication.pub_id == pub_id)) == 1
    client = site("clerk")
    resp = client.post(f"/console/disclosure/withdraw/{pub_id}", data={"reason": "误发到本村，应为王庄村"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"/p/{pub_id}")
    page = client.get(f"/p/{pub_id}").get_data(as_text=True)
    assert "误发到本村，应为王庄村" in page and "路灯维修费用明细" not in page
    assert "路灯维修费用明细" not in client.get(f"/o/{VILLAGE_A1}/disclosure").get_data(as_text=True)
    detail = client.get(f"/console/disclosure/d/{draft_id}").get_data(as_text=True)
    assert "Withdrawn" in detail and f"/console/disclosure/correct/{pub_id}" not in detail
    again = client.post(f"/console/disclosure/withdraw/{pub_id}", data={"reason": "再撤一次"})
    assert again.status_code == 200
    with app.app_context():
        revisions = db.session.scalars(select(Publication).where(Publication.pub_id == pub_id)
                                       .order_by(Publication.revision)).all()
        assert [r.action for r in revisions] == ["publish", "withdraw"]


def test_every_published_disclosure_can_be_reached_from_the_console_a_page_at_a_time(app, site, monkeypatch):
    from plugins.disclosure import views

    _published_history(app)
    monkeypatch.setattr(views, "PUBLISHED_PER_PAGE", 1)
    client = site("clerk")
    first, second = (client.get(f"/console/disclosure/?org={VILLAGE_A1}" + (f"&published_page={n}" if n > 1 else ""))
                     .get_data(as_text=True) for n in (1, 2))
    assert "2026年10月" in first and "2026年9月" not in first  # newest first
    assert "2026年9月" in second and "Page 2 of 2" in second
    assert re.search(r'rel="next" href="[^"]*org=%s[^"]*published_page=2[^"]*#published' % VILLAGE_A1, first)
    past = client.get(f"/console/disclosure/?org={VILLAGE_A1}&published_page=7").get_data(as_text=True)
    assert "past the end of the list" in past and "Nothing published yet" not in past



def test_drafts_in_progress_are_paged_and_each_page_marks_the_readers_turn(app, site, monkeypatch):
    from plugins.disclosure import views

    monkeypatch.setattr(views, "DRAFTS_PER_PAGE", 2)
    client = site("clerk")
    ids = [_new_finance_draft(client, body=f"第{n}份草稿") for n in range(3)]
    _import(client, ids[0])
    client.post(f"/console/disclosure/d/{ids[0]}/submit")  # the oldest change is now the newest
    jianwei = site("jianwei")
    pages = [jianwei.get(f"/console/disclosure/?org={VILLAGE_A1}" + (f"&drafts_page={n}" if n > 1 else ""))
             .get_data(as_text=True) for n in (1, 2)]
    listed = [[int(i) for i in re.findall(r'href="/console/disclosure/d/(\d+)"', html)] for html in pages]
    assert listed == [[ids[0], ids[2]], [ids[1]]]
    assert pages[0].count("your turn") == 1  # the submitted one waits for the supervision committee
    assert re.search(r'rel="next" href="[^"]*drafts_page=2[^"]*#in-progress', pages[0])

def test_a_new_draft_starts_with_the_period_just_ended(app, site):
    from datetime import timedelta

    from portal.timeutil import local_today

    client = site("clerk")
    last_month = (local_today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    finance = client.get(f"/console/disclosure/{VILLAGE_A1}/new?category=finance").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="period"[^>]*value="%s"' % last_month, finance)
    village = client.get(f"/console/disclosure/{VILLAGE_A1}/new?category=village").get_data(as_text=True)
    assert re.search(r'<input[^>]*name="period"[^>]*value="\d{4}-Q[1-4]"', village)  # 村务: quarterly


def test_many_villages_are_picked_from_a_select_by_township(app, site, monkeypatch):
    from plugins.disclosure import views

    client = site("dongfeng")
    links = client.get(f"/console/disclosure/?org={TOWN_A}").get_data(as_text=True)
    assert f'href="/console/disclosure/{VILLAGE_A2}/new?category=finance"' in links
    monkeypatch.setattr(views, "NEW_DRAFT_LINKS_MAX", 1)  # a county's 400 villages
    page = client.get(f"/console/disclosure/?org={TOWN_A}").get_data(as_text=True)
    assert f"/console/disclosure/{VILLAGE_A2}/new" not in page
    group = re.search(r'<optgroup label="东风镇">(.*?)</optgroup>', page, re.S).group(1)
    assert re.findall(r'<option value="(\d+)"', group) == [VILLAGE_A1, VILLAGE_A2]
    assert VILLAGE_B1 not in page  # another township's village is not offered
    chosen = client.get(f"/console/disclosure/new?village={VILLAGE_A2}&category=village")
    assert chosen.status_code == 302
    assert chosen.headers["Location"].endswith(f"/console/disclosure/{VILLAGE_A2}/new?category=village")
    assert client.get(chosen.headers["Location"]).status_code == 200
    outside = client.get(f"/console/disclosure/new?village={VILLAGE_B1}", follow_redirects=True)
    assert outside.status_code == 404
    nothing = client.get("/console/disclosure/new?village=", follow_redirects=True)
    assert "Choose a village." in nothing.get_data(as_text=True)


def test_a_clerks_dashboard_lists_what_is_still_to_disclose_and_starts_its_draft(app, site):
    from datetime import timedelta

    from portal.timeutil import local_today

    last_month = (local_today().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    client = site("clerk")
    home = client.get("/console/").get_data(as_text=True)
    assert "Still to disclose" in home and "overdue" in home  # nothing published for a year
    link = f"/console/disclosure/{VILLAGE_A1}/new?category=finance&amp;period={last_month}"
    assert link in home
    form = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
    assert re.search(r'<input[^>]*name="period"[^>]*value="%s"' % last_month, form)
    resp = client.post(f"/console/disclosure/{VILLAGE_A1}/new", data={
        "category": "finance", "disclosure_kind": "regular", "period": last_month, "title": "", "body": "本月"})
    draft_id = int(re.search(r"/d/(\d+)", resp.headers["Location"]).group(1))
    home = client.get("/console/").get_data(as_text=True)
    assert link not in home and f'href="/console/disclosure/d/{draft_id}">draft in progress' in home
    # a township officer watches the villages on the late tile instead
    assert "Still to disclose" not in site("dongfeng").get(f"/console/?org={TOWN_A}").get_data(as_text=True)
