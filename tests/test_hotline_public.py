"""The public complaint form and tracking page: what a villager sees on a phone."""

import io
import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from plugins.hotline.models import Case
from portal.extensions import db
from tests.helpers import TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1, build_tree, unit


def _setup(app):
    with app.app_context():
        build_tree()
        app.extensions["portal"].set_enabled("hotline", unit(TOWN_A), True)
        db.session.commit()
    return app


@pytest.fixture
def hl(app):
    return _setup(app)


@pytest.fixture
def web(hl, client):
    return client


FORM = {"category": "complaint", "village": VILLAGE_A1, "description": "村口路灯坏了一个月", "name": "李秀英",
        "phone": "13912345678"}


def _file(client, **changes):
    data = dict(FORM, **changes)
    return client.post("/hotline/", data=data)


def _code(resp):
    return re.search(r"code=([0-9A-Z-]{14})", resp.headers["Location"]).group(1)


def test_form_lists_only_villages_of_townships_with_the_hotline(web):
    html = web.get("/hotline/").get_data(as_text=True)
    assert '<optgroup label="东风镇">' in html and "导子村" in html
    assert "李家村" not in html and "西湖乡" not in html
    for number in ("110", "119", "120"):
        assert f'href="tel:{number}"' in html
    assert "arbitration" in html  # the not-accepted list
    assert 'name="website"' in html  # the honeypot


def _both_townships(app):
    with app.app_context():
        app.extensions["portal"].set_enabled("hotline", unit(TOWN_B), True)
        db.session.commit()
    return app


def test_a_village_page_links_to_the_form_with_its_village_chosen(web, hl):
    _both_townships(hl)
    village_page = web.get(f"/o/{VILLAGE_A1}").get_data(as_text=True)
    link = re.search(r'href="(/hotline/\?village=\d+)"', village_page).group(1)
    assert link == f"/hotline/?village={VILLAGE_A1}"
    html = web.get(link).get_data(as_text=True)
    assert f'<option value="{VILLAGE_A1}" selected>导子村</option>' in html
    assert "王庄村" in html and "李家村" not in html  # its own township's villages only
    assert "The villages of 东风镇." in html and 'href="/hotline/">Another township' in html
    township_page = web.get(f"/o/{TOWN_B}").get_data(as_text=True)
    assert f'href="/hotline/?township={TOWN_B}"' in township_page


def test_a_large_county_chooses_the_township_before_the_village(app_factory):
    app = _both_townships(_setup(app_factory(HOTLINE_FORM_VILLAGES_MAX=2)))  # three villages take cases
    web = app.test_client()
    html = web.get("/hotline/").get_data(as_text=True)
    assert "Which township is your village in?" in html
    assert "<select" not in html and 'name="description"' not in html
    assert f'href="/hotline/?township={TOWN_A}">东风镇</a>' in html
    assert f'href="/hotline/?township={TOWN_B}">西湖乡</a>' in html
    html = web.get(f"/hotline/?township={TOWN_B}").get_data(as_text=True)
    assert "李家村" in html and "导子村" not in html
    assert f'action="/hotline/?township={TOWN_B}"' in html
    # a mistake shows the same township's villages again, with what was typed
    resp = web.post(f"/hotline/?township={TOWN_B}", data=dict(FORM, village="", description="桥面塌了"))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "李家村" in html and "导子村" not in html and "桥面塌了" in html
    resp = web.post(f"/hotline/?township={TOWN_B}", data=dict(FORM, village=VILLAGE_B1))
    assert resp.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Case)).org.code == VILLAGE_B1
    # an unknown township is no scope: the township list again
    assert "Which township is your village in?" in web.get("/hotline/?township=999").get_data(as_text=True)


def test_filing_shows_the_code_only_after_storing_it(web, hl):
    resp = _file(web)
    assert resp.status_code == 303
    code = _code(resp)
    with hl.app_context():
        case = db.session.scalar(select(Case).where(Case.code == code))
        assert case.complainant_phone == "13912345678" and case.org.code == VILLAGE_A1
    page = web.get(resp.headers["Location"]).get_data(as_text=True)
    assert code in page and "Your case is stored" in page
    assert "李秀英" not in page and "13912345678" not in page


@pytest.mark.parametrize("phone", ["abc123", "123456", "1" * 21, "138-0013-8000 ext 12", "+86+13800138000"])
def test_a_phone_that_is_no_number_is_refused_and_the_form_keeps_what_was_typed(web, hl, phone):
    resp = _file(web, phone=phone)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "Write the phone number in digits, 7 to 20 of them" in html
    assert f'value="{phone}"' in html and "村口路灯坏了一个月" in html and 'value="李秀英"' in html
    with hl.app_context():
        assert db.session.scalar(select(Case)) is None


@pytest.mark.parametrize("phone", ["0539-8123 4567", "0571-8888-8888-123", "(0539) 8123456", "13912345678",
                                   "+86 139 1234 5678"])
def test_a_landline_or_a_mobile_is_taken_as_typed(web, hl, phone):
    resp = _file(web, phone=f"  {phone} ")
    assert resp.status_code == 303
    with hl.app_context():
        assert db.session.scalar(select(Case).where(Case.code == _code(resp))).complainant_phone == phone


def test_the_phone_input_tells_the_browser_what_a_number_looks_like(web):
    from plugins.hotline.services import PHONE_PATTERN

    field = re.search(r'<input[^>]*name="phone"[^>]*>', web.get("/hotline/").get_data(as_text=True)).group(0)
    assert 'inputmode="tel"' in field and 'maxlength="30"' in field and f'pattern="{PHONE_PATTERN}"' in field


def test_a_text_at_the_browsers_limit_is_taken_whatever_its_line_breaks(web, hl):
    """Browsers send a textarea's line breaks as CRLF but count each as one character for maxlength."""
    lines = ["路灯坏了" * 24 + "。"] * 20  # 20 lines of 97 characters and 19 line breaks: 1,959
    text = "\r\n".join(lines) + "长" * (2000 - 1959)
    assert len(text.replace("\r\n", "\n")) == 2000
    resp = _file(web, description=text)
    assert resp.status_code == 303
    with hl.app_context():
        stored = db.session.scalar(select(Case).where(Case.code == _code(resp))).description
        assert len(stored) == 2000 and "\r" not in stored and stored.count("\n") == 19
    too_long = _file(web, description=text + "长")
    assert too_long.status_code == 400 and "at most 2000" in too_long.get_data(as_text=True)


def test_a_village_of_a_township_without_the_hotline_is_refused(web, hl):
    resp = _file(web, village=VILLAGE_B1)
    assert resp.status_code == 400
    with hl.app_context():
        assert db.session.scalar(select(Case)) is None


def test_ten_thousand_characters_are_refused_with_a_message(web, hl):
    resp = _file(web, description="长" * 10000)
    assert resp.status_code == 400
    assert "at most 2000 characters" in resp.get_data(as_text=True)
    with hl.app_context():
        assert db.session.scalar(select(Case)) is None


def test_html_and_script_are_shown_as_text_and_emoji_survive(web):
    evil = '<script>alert(1)</script><b>粗体</b> 路灯坏了 😀🙏'
    resp = _file(web, description=evil, name="<img src=x onerror=alert(1)>")
    page = web.get(resp.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "😀🙏" in page
    assert "onerror" not in page


def test_honeypot_refuses_a_bot(web, hl):
    resp = _file(web, website="http://spam.example")
    assert resp.status_code == 400 and "looks automatic" in resp.get_data(as_text=True)
    with hl.app_context():
        assert db.session.scalar(select(Case)) is None


def test_photos_are_checked_by_content(web, hl):
    png = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(png, format="PNG")
    ok = web.post("/hotline/", data=dict(FORM, photos=[(io.BytesIO(png.getvalue()), "路灯.png")]),
                  content_type="multipart/form-data")
    assert ok.status_code == 303
    bad = web.post("/hotline/", data=dict(FORM, photos=[(io.BytesIO(b"MZ\x90\x00evil"), "photo.jpg")]),
                   content_type="multipart/form-data")
    assert bad.status_code == 400 and "JPEG or PNG" in bad.get_data(as_text=True)
    with hl.app_context():
        cases = db.session.scalars(select(Case)).all()
        assert len(cases) == 1 and cases[0].photos[0]["mime"] == "image/png"


def test_form_has_a_csrf_token_and_refuses_a_post_without_it(app_factory):
    app = _setup(app_factory(WTF_CSRF_ENABLED=True))
    client = app.test_client()
    html = client.get("/hotline/").get_data(as_text=True)
    assert 'name="csrf_token"' in html
    resp = client.post("/hotline/", data=FORM)
    assert resp.status_code == 400 and "expired" in resp.get_data(as_text=True)
    assert client.post("/hotline/", data=dict(FORM, csrf_token="forged")).status_code == 400
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    assert client.post("/hotline/", data=dict(FORM, csrf_token=token)).status_code == 303
    # a form shown again with its errors carries a token that files
    again = client.post("/hotline/", data=dict(FORM, description="", csrf_token=token))
    assert again.status_code == 400 and "Describe the matter." in again.get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', again.get_data(as_text=True)).group(1)
    assert client.post("/hotline/", data=dict(FORM, csrf_token=token)).status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count(Case.id))) == 2


def test_filing_is_rate_limited_with_a_clear_page(app_factory):
    app = _setup(app_factory(HOTLINE_SUBMIT_LIMIT="2 per minute"))
    client = app.test_client()
    assert [_file(client).status_code for _ in range(2)] == [303, 303]
    resp = _file(client)
    assert resp.status_code == 429
    page = resp.get_data(as_text=True)
    assert "Too many requests" in page and 'href="tel:110"' in page
    assert client.get("/hotline/").status_code == 200  # reading the form is not limited


def test_unknown_code_gets_a_clear_message_not_a_404(web):
    resp = web.get("/hotline/track?code=AAAA-BBBB-CCCC")
    assert resp.status_code == 200
    assert "No case has this tracking code" in resp.get_data(as_text=True)
    assert web.get("/hotline/track?code=<script>").status_code == 200


def test_guessing_codes_is_rate_limited(app_factory):
    app = _setup(app_factory(HOTLINE_TRACK_LIMIT="3 per minute"))
    client = app.test_client()
    codes = [client.get(f"/hotline/track?code=AAAA-BBBB-CCC{c}").status_code for c in "DEFG"]
    assert codes == [200, 200, 200, 429]


def test_villager_rates_dissatisfied_and_the_case_reopens(web, hl):
    code = _code(_file(web))
    with hl.app_context():
        from plugins.hotline import services
        from tests.helpers import make_user

        case = services.case_by_code(code)
        staff = make_user("township_admin", TOWN_A)
        services.sign(case, staff)
        services.reply(case, staff, "已经修好了")
        db.session.commit()
    page = web.get(f"/hotline/track?code={code}").get_data(as_text=True)
    assert "已经修好了" in page and 'name="rating"' in page
    resp = web.post("/hotline/track", data={"code": code, "rating": "dissatisfied"})
    assert resp.status_code == 303
    page = web.get(resp.headers["Location"]).get_data(as_text=True)
    assert "reopened" in page.lower() and 'name="rating"' not in page


def test_public_pages_never_show_the_complainant(web, hl):
    code = _code(_file(web, name="赵志强", phone="13500009999"))
    pages = [web.get(p).get_data(as_text=True) for p in
             (f"/hotline/track?code={code}", "/o/" + TOWN_A, "/o/" + VILLAGE_A1, "/feed.atom", "/publications.json",
              "/open311/v2/requests.json", f"/open311/v2/requests/{code}.xml", "/ledger.jsonl")]
    for page in pages:
        assert "赵志强" not in page and "13500009999" not in page


def test_township_public_page_shows_published_statistics(web, hl):
    _file(web)
    with hl.app_context():
        from plugins.hotline import stats
        from portal.timeutil import local_today

        stats.publish_all(local_today().strftime("%Y-%m"))
    html = web.get("/o/" + TOWN_A).get_data(as_text=True)
    assert "Hotline statistics" in html and "<svg" in html
    assert "Hotline statistics" not in web.get("/o/" + TOWN_B).get_data(as_text=True)
    village = web.get("/o/" + VILLAGE_A1).get_data(as_text=True)
    assert f'href="/hotline/?village={VILLAGE_A1}"' in village and "Hotline statistics" not in village
    assert "Payload.hotline.monthly_stats" in web.get("/api/v1/openapi.json").get_data(as_text=True)


def test_track_page_shows_the_working_day_deadline_as_a_date(web, hl):
    from datetime import datetime

    with hl.app_context():
        from plugins.hotline import services

        code = services.file_case(village=unit(VILLAGE_A1), category="consult", description="国庆前的咨询",
                                  now=datetime(2026, 9, 29, 2, 0)).code
    page = web.get(f"/hotline/track?code={code}").get_data(as_text=True)
    assert "2026-10-09, end of day" in page  # National Day holidays are not counted
