"""点题公开 and 异议: the rules, the villagers' forms, privacy, and the hotline path against the self-handled path."""

import datetime as dt
import logging
import re

import pytest
from sqlalchemy import func, select

from plugins.disclosure import participation as p
from plugins.disclosure.models import DisclosureObjection, DisclosureRequest
from plugins.disclosure.services import DisclosureError
from portal import ledger
from portal.audit import AuditEvent
from portal.extensions import db
from portal.workdays import local_date
from tests.helpers import TOWN_A, VILLAGE_A1, build_tree, make_user, unit

NAME, PHONE = "王秀英", "13912345678"
ASK = {"topic": "村道修路工程的资金使用明细", "detail": "请公开每一笔支出", "name": NAME, "phone": PHONE}


def _setup(app, hotline=False):
    with app.app_context():
        build_tree()
        host = app.extensions["portal"]
        host.set_enabled("disclosure", unit(TOWN_A), True)
        host.set_enabled("hotline", unit(TOWN_A), hotline)
        pub = ledger.publish(plugin="disclosure", kind="disclosure", org=unit(VILLAGE_A1), title="2026年第3季度村务公开",
                             payload={"category": "village", "disclosure_kind": "regular", "period": "2026-Q3",
                                      "body": "修路花费38.6万元", "attachments": [], "statement": None,
                                      "review": {}, "due": None})
        db.session.commit()
        return pub.pub_id


@pytest.fixture
def web(app, client):
    app.pub_id = _setup(app)
    return client


def _code(resp):
    return re.search(r"code=([0-9A-Z-]{14})", resp.headers["Location"]).group(1)


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


# --- rules as plain functions ---------------------------------------------------------------

def test_request_deadline_counts_working_days_and_extends_once(app):
    _setup(app)
    with app.app_context():
        village = unit(VILLAGE_A1)
        friday = dt.datetime(2026, 11, 20, 2)  # Friday 10:00 in Shanghai
        assert local_date(p.request_deadline(village, friday) - dt.timedelta(seconds=1)) == dt.date(2026, 11, 27)
        req = p.file_request(village, topic="低保评议结果", now=friday)
        clerk = make_user("village_clerk", VILLAGE_A1)
        with pytest.raises(DisclosureError, match="reason"):
            p.extend_request(req, clerk, " ", now=friday)
        p.extend_request(req, clerk, "需要向镇财政所调取凭证", now=friday + dt.timedelta(days=1))
        assert local_date(req.due_at - dt.timedelta(seconds=1)) == dt.date(2026, 12, 4)  # 10 working days
        with pytest.raises(DisclosureError, match="already extended once"):
            p.extend_request(req, clerk, "再延一次", now=friday + dt.timedelta(days=2))
        assert p.is_overdue(req, now=dt.datetime(2026, 12, 5, 2))
        assert not p.is_overdue(req, now=dt.datetime(2026, 12, 3, 2))


def test_an_extension_after_the_deadline_is_refused(app):
    _setup(app)
    with app.app_context():
        req = p.file_request(unit(VILLAGE_A1), topic="机井收费", now=dt.datetime(2026, 11, 2, 2))
        with pytest.raises(DisclosureError, match="deadline has passed"):
            p.extend_request(req, make_user("village_clerk", VILLAGE_A1), "太忙", now=dt.datetime(2026, 11, 20, 2))


def test_objection_village_then_township_with_their_own_deadlines(app):
    pub_id = _setup(app)
    with app.app_context():
        monday = dt.datetime(2026, 11, 2, 2)
        obj, handover = p.file_objection(ledger.latest(pub_id), text="修路款数字不对", now=monday)
        assert handover is None and obj.state == "village" and obj.handler == "village"
        assert local_date(obj.due_at - dt.timedelta(seconds=1)) == dt.date(2026, 11, 16)  # 10 working days
        with pytest.raises(DisclosureError, match="township"):
            p.dispute(obj, "还是不对", now=monday + dt.timedelta(days=1))  # not answered, not late yet
        head = make_user("village_head", VILLAGE_A1)
        p.answer_objection(obj, head, "已核对，附凭证", now=monday + dt.timedelta(days=3))
        later = monday + dt.timedelta(days=4)
        p.dispute(obj, "凭证缺一张", now=later)
        assert obj.state == "township" and obj.township.code == TOWN_A
        assert local_date(obj.due_at - dt.timedelta(seconds=1)) == dt.date(2026, 12, 4)  # 20 working days
        with pytest.raises(DisclosureError, match="permission"):
            p.answer_as_township(obj, head, "村里说了算")  # the village cannot answer for the township
        p.answer_as_township(obj, make_user("township_admin", TOWN_A), "镇经管站已复核", now=later)
        assert obj.state == "closed" and obj.closed_at == later


def test_a_villager_may_go_to_the_township_when_the_village_lets_the_deadline_pass(app):
    pub_id = _setup(app)
    with app.app_context():
        obj, _h = p.file_objection(ledger.latest(pub_id), text="没有公开", now=dt.datetime(2026, 11, 2, 2))
        assert not p.may_dispute(obj, now=dt.datetime(2026, 11, 10, 2))
        assert p.may_dispute(obj, now=dt.datetime(2026, 11, 17, 2))


# --- the public forms ---------------------------------------------------------------------------

def test_asking_shows_the_code_only_after_storing_and_the_public_list_never_shows_who(web, app):
    assert web.get(f"/o/{VILLAGE_A1}/disclosure/ask").status_code == 200
    resp = web.post(f"/o/{VILLAGE_A1}/disclosure/ask", data=ASK)
    assert resp.status_code == 303
    code = _code(resp)
    with app.app_context():
        req = db.session.scalar(select(DisclosureRequest))
        assert req.code == code and req.requester_name == NAME
    page = web.get(resp.headers["Location"]).get_data(as_text=True)
    assert code in page and "村道修路工程的资金使用明细" in page and NAME not in page and PHONE not in page
    for url in (f"/o/{VILLAGE_A1}/disclosure", f"/o/{VILLAGE_A1}", f"/o/{VILLAGE_A1}/feed.atom", "/feed.atom",
                f"/api/v1/orgs/{VILLAGE_A1}", "/api/v1/publications", "/ledger.jsonl"):
        body = web.get(url).get_data(as_text=True)
        assert NAME not in body and PHONE not in body and code not in body, url
    listing = web.get(f"/o/{VILLAGE_A1}/disclosure").get_data(as_text=True)
    assert "村道修路工程的资金使用明细" in listing and "Waiting for the village" in listing
    data = web.get(f"/o/{VILLAGE_A1}/disclosure/requests.json").get_json()
    assert data["requests"][0]["topic"] == "村道修路工程的资金使用明细" and data["requests"][0]["status"] == "open"
    assert NAME not in str(data) and PHONE not in str(data) and code not in str(data)


def test_a_township_with_the_module_off_takes_no_requests(web):
    from tests.helpers import VILLAGE_B1

    assert web.get(f"/o/{VILLAGE_B1}/disclosure/ask").status_code == 404
    assert web.post(f"/o/{VILLAGE_B1}/disclosure/ask", data=ASK).status_code == 404


@pytest.mark.parametrize("data, message", [
    ({"topic": ""}, "Say what you want the village to disclose"),
    ({"topic": "路" * 201}, "at most 200 characters"),
    ({"detail": "钱" * 10_000}, "at most 1500 characters"),
    ({"phone": "1" * 31}, "Field cannot be longer than 30 characters"),
])
def test_bad_requests_are_refused_with_a_message_and_nothing_is_saved(web, app, data, message):
    resp = web.post(f"/o/{VILLAGE_A1}/disclosure/ask", data=dict(ASK, **data))
    assert resp.status_code == 400 and message in resp.get_data(as_text=True)
    with app.app_context():
        assert _count(DisclosureRequest) == 0


def test_a_phone_typed_into_the_topic_is_masked_on_the_public_list(web):
    web.post(f"/o/{VILLAGE_A1}/disclosure/ask", data=dict(ASK, topic=f"低保名单，有事打{PHONE}"))
    listing = web.get(f"/o/{VILLAGE_A1}/disclosure").get_data(as_text=True)
    assert PHONE not in listing and "139****5678" in listing


def test_the_requesters_own_name_typed_into_the_topic_is_masked_on_the_public_list(web):
    web.post(f"/o/{VILLAGE_A1}/disclosure/ask", data=dict(ASK, topic=f"{NAME}家的低保为什么停了"))
    listing = web.get(f"/o/{VILLAGE_A1}/disclosure").get_data(as_text=True)
    assert NAME not in listing and "王*英家的低保为什么停了" in listing


def test_html_is_shown_as_text_and_emoji_survive(web):
    resp = web.post(f"/o/{VILLAGE_A1}/disclosure/ask",
                    data=dict(ASK, topic="<script>alert(1)</script>修路👍", detail="<b>粗</b>"))
    page = web.get(resp.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;修路👍" in page
    assert "&lt;b&gt;粗&lt;/b&gt;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;修路👍" in web.get(f"/o/{VILLAGE_A1}/disclosure").get_data(as_text=True)


def test_honeypot_refuses_a_bot(web, app):
    resp = web.post(f"/o/{VILLAGE_A1}/disclosure/ask", data=dict(ASK, website="http://spam"))
    assert resp.status_code == 400 and "looks automatic" in resp.get_data(as_text=True)
    resp = web.post(f"/disclosure/object/{app.pub_id}", data={"text": "x", "website": "spam"})
    assert resp.status_code == 400
    with app.app_context():
        assert _count(DisclosureRequest) == 0 and _count(DisclosureObjection) == 0


def test_forms_carry_csrf_and_refuse_a_post_without_it(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    pub_id = _setup(app)
    client = app.test_client()
    html = client.get(f"/o/{VILLAGE_A1}/disclosure/ask").get_data(as_text=True)
    assert 'name="csrf_token"' in html
    assert client.post(f"/o/{VILLAGE_A1}/disclosure/ask", data=ASK).status_code == 400
    assert client.post(f"/disclosure/object/{pub_id}", data={"text": "不对"}).status_code == 400
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    assert client.post(f"/o/{VILLAGE_A1}/disclosure/ask", data=dict(ASK, csrf_token=token)).status_code == 303


def test_asking_and_objecting_are_rate_limited_with_a_clear_page(app_factory):
    app = app_factory(DISCLOSURE_ASK_LIMIT="2 per minute", DISCLOSURE_TRACK_LIMIT="3 per minute")
    _setup(app)
    client = app.test_client()
    codes = [client.post(f"/o/{VILLAGE_A1}/disclosure/ask", data=ASK).status_code for _ in range(3)]
    assert codes == [303, 303, 429]
    assert "Too many attempts" in client.post(f"/o/{VILLAGE_A1}/disclosure/ask", data=ASK).get_data(as_text=True)
    assert client.get(f"/o/{VILLAGE_A1}/disclosure/ask").status_code == 200  # opening the form is not limited
    looks = [client.get(f"/disclosure/request?code=AAAA-CCCC-DDD{c}").status_code for c in "EFGH"]
    assert looks == [200, 200, 200, 429]


def test_a_wrong_code_gets_a_clear_message(web):
    for url in ("/disclosure/request?code=AAAA-BBBB-CCCC", "/disclosure/objection?code=<script>",
                "/disclosure/request?code=" + "9" * 5000):
        resp = web.get(url)
        assert resp.status_code == 200 and "has this tracking code" in resp.get_data(as_text=True)


def test_unknown_village_or_publication_is_404_not_500(web):
    assert web.get("/o/000000000000/disclosure/ask").status_code == 404
    assert web.get("/disclosure/object/999999").status_code == 404
    assert web.post("/disclosure/object/999999", data={"text": "x"}).status_code == 404


# --- objections: self-handled, and through the hotline ------------------------------------------

def test_self_handled_objection_road_village_then_township(web, app, login_as):
    pub_id = app.pub_id
    assert "Object to this disclosure" in web.get(f"/p/{pub_id}").get_data(as_text=True)
    resp = web.post(f"/disclosure/object/{pub_id}", data={"text": "修路款少算了一笔", "name": NAME, "phone": PHONE})
    code = _code(resp)
    assert "/disclosure/objection" in resp.headers["Location"]
    page = web.get(resp.headers["Location"]).get_data(as_text=True)
    assert code in page and "Waiting for the village" in page and NAME not in page
    with app.app_context():
        obj_id = db.session.scalar(select(DisclosureObjection.id))
    login_as("village_head", VILLAGE_A1)
    detail = web.get(f"/console/disclosure/participation/o/{obj_id}").get_data(as_text=True)
    assert "修路款少算了一笔" in detail and NAME not in detail and PHONE not in detail
    web.post(f"/console/disclosure/participation/o/{obj_id}/answer", data={"text": "已补充第7号凭证"})
    web.get("/logout")
    page = web.get(f"/disclosure/objection?code={code}").get_data(as_text=True)
    assert "已补充第7号凭证" in page and "Send to the township" in page
    web.post("/disclosure/objection", data={"code": code, "action": "dispute", "reason": "凭证金额对不上"})
    page = web.get(f"/disclosure/objection?code={code}").get_data(as_text=True)
    assert "waiting for the township" in page
    login_as("township_admin", TOWN_A)
    web.post(f"/console/disclosure/participation/o/{obj_id}/answer", data={"text": "镇经管站复核无误"})
    web.get("/logout")
    page = web.get(f"/disclosure/objection?code={code}").get_data(as_text=True)
    assert "镇经管站复核无误" in page and "Closed" in page


def test_with_the_hotline_on_an_objection_becomes_a_hotline_case(app, client):
    from plugins.hotline.models import Case

    pub_id = _setup(app, hotline=True)
    resp = client.post(f"/disclosure/object/{pub_id}", data={"text": "修路款数字不对", "name": NAME, "phone": PHONE})
    assert resp.status_code == 303 and "/hotline/track" in resp.headers["Location"]
    with app.app_context():
        case = db.session.scalar(select(Case))
        assert case.category == "objection" and case.source == "disclosure"
        assert case.complainant_name == NAME and "2026年第3季度村务公开" in case.description
        obj = db.session.scalar(select(DisclosureObjection))
        assert obj.state == "handed_over" and obj.reference == case.code
        assert obj.objector_name is None and obj.objector_phone is None  # only the hotline keeps them
    track = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert case.code in track and "Objection to a disclosure" in track


def test_the_hotline_code_given_at_filing_follows_the_objection(app, client):
    pub_id = _setup(app, hotline=True)
    form = client.get(f"/disclosure/object/{pub_id}").get_data(as_text=True)
    assert 'href="/disclosure/objection"' in form
    assert "passed to the hotline" in client.get("/disclosure/objection").get_data(as_text=True)
    resp = client.post(f"/disclosure/object/{pub_id}", data={"text": "修路款数字不对"})
    code = _code(resp)  # the hotline case code: the only code the villager is shown
    # typed back as people do: lower case, spaces for dashes
    follow = client.get("/disclosure/objection", query_string={"code": " " + code.lower().replace("-", " ")})
    assert follow.status_code == 303
    assert follow.headers["Location"].startswith(f"/hotline/track?code={code}")
    track = client.get(follow.headers["Location"]).get_data(as_text=True)
    assert code in track and "Objection to a disclosure" in track


def test_coming_back_with_the_hotline_code_does_not_say_the_case_was_just_stored(app, client):
    pub_id = _setup(app, hotline=True)
    filed = client.post(f"/disclosure/object/{pub_id}", data={"text": "修路款数字不对"})
    first = client.get(filed.headers["Location"]).get_data(as_text=True)
    assert "Your case is stored" in first  # the first answer greets the new case once
    code = _code(filed)
    follow = client.get("/disclosure/objection", query_string={"code": code})
    assert follow.status_code == 303 and "new=1" not in follow.headers["Location"]
    later = client.get(follow.headers["Location"]).get_data(as_text=True)
    assert code in later and "Objection to a disclosure" in later and "Your case is stored" not in later
    with app.app_context():
        obj = db.session.scalar(select(DisclosureObjection))
        own = obj.code
        assert "new=1" not in obj.reference_url  # the console's link to the case, too
    # the objection's own code leads to the same page
    assert "new=1" not in client.get(f"/disclosure/objection?code={own}").headers["Location"]


def test_a_code_of_no_objection_still_gets_the_clear_message(app, client):
    from plugins.hotline.services import file_case

    pub_id = _setup(app, hotline=True)
    client.post(f"/disclosure/object/{pub_id}", data={"text": "修路款数字不对"})
    with app.app_context():
        other = file_case(village=unit(VILLAGE_A1), category="help", description="路灯坏了").code
        db.session.commit()
    for code in ("AAAA-CCCC-DDDE", other):  # unknown, and a hotline case that is no objection
        resp = client.get(f"/disclosure/objection?code={code}")
        assert resp.status_code == 200 and "No objection has this tracking code" in resp.get_data(as_text=True)


def test_the_dashboard_counts_objections_passed_to_the_hotline_apart(app, client, login_as):
    pub_id = _setup(app, hotline=True)
    client.post(f"/disclosure/object/{pub_id}", data={"text": "修路款数字不对"})
    with app.app_context():
        counts = p.overdue_counts(unit(TOWN_A))
        assert counts["objections_open"] == 0 and counts["objections_hotline"] == 1
    login_as("township_admin", TOWN_A)
    dash = client.get(f"/console/?org={TOWN_A}").get_data(as_text=True)
    assert re.search(r"Objections to answer <strong>0</strong>", dash)
    assert re.search(r"Objections passed to the hotline \(handled there\) <strong>1</strong>", dash)


def test_switching_the_hotline_off_brings_objections_back_to_the_village(app, client):
    pub_id = _setup(app, hotline=True)
    with app.app_context():
        app.extensions["portal"].set_enabled("hotline", unit(TOWN_A), False)
        db.session.commit()
    resp = client.post(f"/disclosure/object/{pub_id}", data={"text": "数字不对"})
    assert "/disclosure/objection" in resp.headers["Location"]


# --- answering a request through the review road ------------------------------------------------

def test_a_request_is_answered_by_publishing_a_linked_disclosure(app, client, login_as):
    from plugins.disclosure import services

    _setup(app)
    code = _code(client.post(f"/o/{VILLAGE_A1}/disclosure/ask", data=ASK))
    with app.app_context():
        req_id = db.session.scalar(select(DisclosureRequest.id))
    login_as("village_head", VILLAGE_A1)
    resp = client.post(f"/console/disclosure/participation/r/{req_id}/answer")
    draft_id = int(re.search(r"/d/(\d+)", resp.headers["Location"]).group(1))
    draft_page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "answers the villagers’ request “村道修路工程的资金使用明细”" in draft_page
    with app.app_context():
        from plugins.disclosure.models import Disclosure

        d = db.session.get(Disclosure, draft_id)
        assert d.disclosure_kind == "on_request"
        head, clerk = make_user("village_head", VILLAGE_A1, "head2"), make_user("village_clerk", VILLAGE_A1, "c2")
        jw = make_user("supervisor", VILLAGE_A1, "jw2")
        d.body += "共支出38.6万元，明细见附表。"
        services.submit(d, clerk)
        services.countersign(d, jw)
        services.approve(d, head)
        pub = services.publish(d, clerk)
        db.session.commit()
        req = db.session.get(DisclosureRequest, req_id)
        assert req.state == "answered" and req.pub_id == pub.pub_id
    page = client.get(f"/disclosure/request?code={code}").get_data(as_text=True)
    assert f"/p/{pub.pub_id}" in page and "Answered" in page
    assert f"/p/{pub.pub_id}" in client.get(f"/o/{VILLAGE_A1}/disclosure").get_data(as_text=True)


# --- privacy and the dashboard --------------------------------------------------------------------

def test_contact_is_shown_only_on_request_and_each_view_is_audited(app, client, login_as, caplog):
    _setup(app)
    caplog.set_level(logging.DEBUG)
    client.post(f"/o/{VILLAGE_A1}/disclosure/ask", data=ASK)
    with app.app_context():
        req_id = db.session.scalar(select(DisclosureRequest.id))
    login_as("village_clerk", VILLAGE_A1)
    page = client.get(f"/console/disclosure/participation/r/{req_id}").get_data(as_text=True)
    assert NAME not in page and PHONE not in page and "Show who asked" not in page
    assert client.post(f"/console/disclosure/participation/r/{req_id}/contact").status_code in (302, 403, 404)
    client.get("/logout")
    login_as("township_admin", TOWN_A)
    page = client.post(f"/console/disclosure/participation/r/{req_id}/contact").get_data(as_text=True)
    assert NAME in page and PHONE in page
    with app.app_context():
        views = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "personal_data.view")).all()
        assert len(views) == 1 and views[0].username == f"township_admin-{TOWN_A}"
        details = " ".join(str(e.detail) for e in db.session.scalars(select(AuditEvent)))
        assert NAME not in details and PHONE not in details
    assert NAME not in caplog.text and PHONE not in caplog.text


def test_overdue_requests_show_on_the_township_dashboard_and_work_list(app, client, login_as):
    _setup(app)
    with app.app_context():
        p.file_request(unit(VILLAGE_A1), topic="土地发包合同", now=dt.datetime(2026, 1, 5, 2))
        p.file_request(unit(VILLAGE_A1), topic="新的点题")
    login_as("township_admin", TOWN_A)
    dash = client.get(f"/console/?org={TOWN_A}").get_data(as_text=True)
    assert "Requests and objections" in dash and "土地发包合同" in dash and "新的点题" not in dash
    work = client.get(f"/console/disclosure/participation/?org={TOWN_A}").get_data(as_text=True)
    assert work.index("土地发包合同") < work.index("新的点题") and "overdue" in work


def test_an_old_open_request_heads_the_work_list_however_many_came_after_it(app, client, login_as, monkeypatch):
    from plugins.disclosure import participation_views

    monkeypatch.setattr(participation_views, "PER_PAGE", 2)
    _setup(app)
    with app.app_context():
        p.file_request(unit(VILLAGE_A1), topic="旧的点题", now=dt.datetime(2026, 1, 5, 2))
        for n in range(4):
            p.file_request(unit(VILLAGE_A1), topic=f"已答复{n}", now=dt.datetime(2026, 2, 1 + n, 2)).state = "answered"
        db.session.commit()
    login_as("township_admin", TOWN_A)
    base = f"/console/disclosure/participation/?org={TOWN_A}"
    pages = [client.get(base + (f"&requests_page={n}" if n > 1 else "")).get_data(as_text=True) for n in (1, 2, 3)]
    listed = [re.findall(r"(旧的点题|已答复\d)</a>", html) for html in pages]
    assert listed == [["旧的点题", "已答复3"], ["已答复2", "已答复1"], ["已答复0"]]
    assert re.search(r'rel="next" href="[^"]*requests_page=2[^"]*#req-title', pages[0])
    assert "No objections." in pages[0]  # the other list on the page is not paged along

def test_staff_outside_the_village_get_404(app, client, login_as):
    from tests.helpers import VILLAGE_A2

    _setup(app)
    client.post(f"/o/{VILLAGE_A1}/disclosure/ask", data=ASK)
    with app.app_context():
        req_id = db.session.scalar(select(DisclosureRequest.id))
    login_as("village_head", VILLAGE_A2)
    assert client.get(f"/console/disclosure/participation/r/{req_id}").status_code == 404


def test_a_new_request_renews_the_village_pages_etag(web):
    """The requests list is on the village's public pages, so a cached copy must not hide a new one."""
    for path in (f"/o/{VILLAGE_A1}/disclosure", f"/o/{VILLAGE_A1}"):
        etag = web.get(path).headers["ETag"]
        topic = f"公开{path[-4:]}的机井维修费用"
        assert web.post(f"/o/{VILLAGE_A1}/disclosure/ask", data=dict(ASK, topic=topic)).status_code == 303
        resp = web.get(path, headers={"If-None-Match": etag})
        assert resp.status_code == 200 and topic in resp.get_data(as_text=True), path
