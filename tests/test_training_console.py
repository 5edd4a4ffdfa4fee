"""Training console pages, the public QR sign-in page, the stats command and the public section."""

import re
from datetime import date

from sqlalchemy import select

from plugins.training import checkin, stats
from plugins.training.models import Attendance, TrainingSession
from portal.extensions import db
from portal.ledger import Publication
from tests.helpers import COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, filter_error, unit
from tests.test_training_helpers import BRANCH, GROUP, build_branch, make_session


def _setup(app):
    with app.app_context():
        return build_branch()


def _session(app, **kw):
    with app.app_context():
        s = make_session(**kw)
        db.session.commit()
        return s.id


def test_every_route_refuses_a_township_with_training_off(app, client, login_as):
    _setup(app)
    login_as("township_admin", TOWN_B)
    assert client.get(f"/console/training/{TOWN_B}/").status_code == 404
    assert client.get(f"/console/training/{TOWN_B}/compliance").status_code == 404


def test_units_outside_scope_answer_404(app, client, login_as):
    _setup(app)
    login_as("village_clerk", VILLAGE_A1)
    assert client.get(f"/console/training/{VILLAGE_A1}/").status_code == 200
    assert client.get(f"/console/training/{TOWN_A}/").status_code == 404
    # a clerk has no compliance pages
    assert client.get(f"/console/training/{VILLAGE_A1}/compliance").status_code == 403


def test_a_unit_holding_no_sessions_offers_no_record_button_and_says_where_they_are_recorded(app, client, login_as):
    _setup(app)
    login_as("village_clerk", VILLAGE_A1)
    page = client.get(f"/console/training/{VILLAGE_A1}/").get_data(as_text=True)
    assert "Record a session" in page and "holds no training sessions" not in page
    # the committees and a village without a party branch organize no sessions: the form would have no unit
    for code in (VILLAGE_A1 + "-cwh", VILLAGE_A1 + "-jwh"):
        resp = client.get(f"/console/training/{code}/?org={code}")
        page = resp.get_data(as_text=True)
        assert resp.status_code == 200
        assert "Record a session" not in page and f"/console/training/{code}/new" not in page
        assert "holds no training sessions of its own" in page
        assert "recorded by the party branch, party group, township or county" in page
        for href in set(re.findall(r'href="(/console/[^"#]*)"', page)):
            assert client.get(href.replace("&amp;", "&")).status_code != 404, href
    login_as("village_clerk", VILLAGE_A2)
    page = client.get(f"/console/training/{VILLAGE_A2}/").get_data(as_text=True)
    assert "Record a session" not in page and "王庄村 holds no training sessions" in page


def test_a_clerks_dashboard_lists_the_meetings_to_hold_and_starts_their_record(app, client, login_as):
    from portal.timeutil import local_today

    _setup(app)
    today = local_today()
    _session(app, type="committee_meeting", start=(today.year, today.month, 1, 8, 0),
             end=(today.year, today.month, 1, 9, 0), hours=1)
    login_as("village_clerk", VILLAGE_A1)
    home = client.get("/console/").get_data(as_text=True)
    assert "Meetings to hold (三会一课)" in home
    tile = home[home.index("Meetings to hold"):]
    assert f"/console/training/{VILLAGE_A1}/new?unit={GROUP}&amp;type=group_meeting" in tile
    assert "type=committee_meeting" not in tile  # held this month
    form = client.get(f"/console/training/{VILLAGE_A1}/new?unit={GROUP}&type=group_meeting").get_data(as_text=True)
    assert re.search(r'<option selected value="group_meeting"|<option value="group_meeting" selected', form)
    assert re.search(rf'<option selected value="{GROUP}"|<option value="{GROUP}" selected', form)
    # a township officer watches compliance instead; a village without a party branch holds no such meetings
    login_as("township_admin", TOWN_A)
    assert "Meetings to hold" not in client.get(f"/console/?org={TOWN_A}").get_data(as_text=True)
    login_as("village_clerk", VILLAGE_A2)
    home = client.get("/console/").get_data(as_text=True)
    assert "Meetings to hold" not in home and "王庄村" in home


def test_clerk_records_a_session_and_marks_attendance(app, client, login_as):
    people = _setup(app)
    login_as("village_clerk", VILLAGE_A1)
    page = client.get(f"/console/training/{VILLAGE_A1}/new").get_data(as_text=True)
    assert "导子村党支部" in page and "第一党小组" in page
    resp = client.post(f"/console/training/{VILLAGE_A1}/new", data={
        "org": BRANCH, "type": "party_lecture", "starts_at": "2026-06-08T19:00", "ends_at": "2026-06-08T21:00",
        "hours": "2", "topic": "书记讲党课", "lecturer": "张建国", "place": "活动室", "minutes": "**要点**"})
    assert resp.status_code == 302
    with app.app_context():
        s = db.session.scalar(select(TrainingSession))
        assert (s.topic, s.hours, s.org.code) == ("书记讲党课", 2, BRANCH)
        assert s.starts_at.hour == 11  # 19:00 in Shanghai is 11:00 UTC
        sid = s.id
    page = client.get(resp.location).get_data(as_text=True)
    for name in ("张建国", "李秀英", "王海燕", "赵立新"):
        assert name in page
    assert "陈外人" not in page
    resp = client.post(resp.location, data={f"status-{people['张建国']}": "present",
                                            f"status-{people['赵立新']}": "late",
                                            f"status-{people['李秀英']}": "excused"})
    assert resp.status_code == 302
    detail = client.get(resp.location).get_data(as_text=True)
    assert "Late" in detail and "Excused" in detail and "<strong>要点</strong>" in detail
    # an attendee smuggled in who is not in the unit: refused, nothing changed
    page = client.post(f"/console/training/{VILLAGE_A1}/session/{sid}/attendance",
                       data={f"status-{people['陈外人']}": "present", f"status-{people['张建国']}": "absent"})
    assert page.status_code == 200
    assert "陈外人 is not a member of 导子村党支部" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Attendance.status).where(Attendance.person_id == people["张建国"])) == "present"


def test_absurd_hours_show_on_the_form_and_nothing_is_saved(app, client, login_as):
    _setup(app)
    login_as("village_clerk", VILLAGE_A1)
    page = client.post(f"/console/training/{VILLAGE_A1}/new", data={
        "org": BRANCH, "type": "theme_day", "starts_at": "2026-06-08T08:00", "ends_at": "2026-06-08T17:00",
        "hours": "80", "topic": "主题党日"})
    assert page.status_code == 200
    assert "80 hours is too many" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(TrainingSession)) is None


def test_import_with_a_bad_row_names_it_and_saves_nothing(app, client, login_as):
    _setup(app)
    sid = _session(app)
    login_as("village_clerk", VILLAGE_A1)
    import io

    sheet = "姓名,状态\n张建国,出席\n赵立新,睡觉\n".encode()
    page = client.post(f"/console/training/{VILLAGE_A1}/session/{sid}/import",
                       data={"sheet": (io.BytesIO(sheet), "sheet.csv")}, content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Nothing was saved" in text and "Row 3, column 状态" in text
    with app.app_context():
        assert db.session.scalar(select(Attendance)) is None
    sheet = "姓名,状态\n张建国,出席\n赵立新,迟到\n".encode()
    resp = client.post(f"/console/training/{VILLAGE_A1}/session/{sid}/import",
                       data={"sheet": (io.BytesIO(sheet), "sheet.csv")}, content_type="multipart/form-data")
    assert resp.status_code == 302


def test_qr_page_shows_an_inline_svg_without_style_attributes(app, client, login_as):
    _setup(app)
    sid = _session(app)
    login_as("village_clerk", VILLAGE_A1)
    page = client.get(f"/console/training/{VILLAGE_A1}/session/{sid}/qr").get_data(as_text=True)
    assert "<svg" in page and "style=" not in page
    assert re.search(r"/training/checkin/[\w.-]+", page)


def test_public_checkin_page_window_identity_and_replay(app, client):
    people = _setup(app)
    with app.app_context():
        from datetime import timedelta

        from portal.timeutil import utcnow

        s = make_session(start=(2000, 1, 1, 0, 0), end=(2000, 1, 1, 1, 0))
        s.starts_at = utcnow().replace(microsecond=0)  # a session going on now
        s.ends_at = s.starts_at + timedelta(hours=2)
        db.session.commit()
        token = checkin.make_token(s)
        old = make_session(start=(2026, 1, 5, 19, 0), end=(2026, 1, 5, 20, 0))
        db.session.commit()
        expired = checkin.make_token(old)
    page = client.get(f"/training/checkin/{token}")
    assert page.status_code == 200 and "Last 4 digits" in page.get_data(as_text=True)
    wrong = client.post(f"/training/checkin/{token}", data={"name": "王海燕", "phone4": "0000"})
    assert wrong.status_code == 422 and "No member of 导子村党支部" in wrong.get_data(as_text=True)
    ok = client.post(f"/training/checkin/{token}", data={"name": "王海燕", "phone4": "1111"})
    assert ok.status_code == 200 and "Signed in at" in ok.get_data(as_text=True)
    again = client.post(f"/training/checkin/{token}", data={"name": "王海燕", "phone4": "1111"})
    assert "already signed in" in again.get_data(as_text=True)
    gone = client.get(f"/training/checkin/{expired}")
    assert gone.status_code == 410 and "expired" in gone.get_data(as_text=True)
    assert client.get("/training/checkin/forged-token").status_code == 410
    with app.app_context():
        row = db.session.scalar(select(Attendance).where(Attendance.person_id == people["王海燕"]))
        assert (row.status, row.method) == ("present", "qr")


def _token_app(app_factory, **config):
    app = app_factory(**config)
    _setup(app)
    with app.app_context():
        s = make_session()
        db.session.commit()
        return app, checkin.make_token(s)


def test_public_checkin_needs_csrf(app_factory):
    app, token = _token_app(app_factory, WTF_CSRF_ENABLED=True)
    resp = app.test_client().post(f"/training/checkin/{token}", data={"name": "王海燕", "phone4": "1111"})
    assert resp.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(Attendance)) is None


def test_public_checkin_is_rate_limited(app_factory):
    app, token = _token_app(app_factory, TRAINING_CHECKIN_RATE_LIMIT="2 per minute")
    client = app.test_client()
    codes = [client.post(f"/training/checkin/{token}", data={"name": "x", "phone4": "1234"}).status_code
             for _ in range(3)]
    assert codes[-1] == 429


def test_the_hours_table_is_paged_with_every_member_on_one_page_or_another(app, client, login_as, monkeypatch):
    from plugins.training import views

    _setup(app)
    login_as("township_admin", TOWN_A)
    base = f"/console/training/{TOWN_A}/members?year=2026"
    link = re.compile(r"/people/(\d+)\"")
    everyone = link.findall(client.get(base).get_data(as_text=True))  # one page of 100
    monkeypatch.setattr(views, "MEMBERS_PER_PAGE", 2)
    pages = [client.get(base + (f"&page={n}" if n > 1 else "")).get_data(as_text=True)
             for n in range(1, (len(everyone) + 1) // 2 + 1)]
    assert [person for html in pages for person in link.findall(html)] == everyone and len(everyone) >= 4
    assert all(len(link.findall(html)) <= 2 for html in pages)
    assert 'rel="next"' in pages[0] and "year=2026" in pages[0].split('rel="next"')[1].split(">")[0]

def test_the_sessions_list_counts_who_attended(app, client, login_as):
    people = _setup(app)
    with app.app_context():
        from plugins.training.services import mark_attendance

        held = make_session(topic="学习新党章")
        mark_attendance(held, {people["赵立新"]: "present", people["李秀英"]: "late", people["王海燕"]: "absent",
                               people["王海燕2"]: "excused"})
        make_session(topic="无人签到", start=(2026, 4, 5, 19, 0), end=(2026, 4, 5, 21, 0))
        db.session.commit()
    login_as("township_admin", TOWN_A)
    html = client.get(f"/console/training/{TOWN_A}/?year=2026").get_data(as_text=True)
    attended = dict(re.findall(r'>([^<]+)</a></th>.*?data-label="Attended">(\d+)</td>', html, re.S))
    assert attended["学习新党章"] == "2" and attended["无人签到"] == "0"  # present and late; not absent, excused

def test_member_record_and_hours_table(app, client, login_as):
    people = _setup(app)
    with app.app_context():
        s = make_session(type="theme_day", start=(2026, 5, 10, 8, 0), end=(2026, 5, 10, 17, 0), hours=8)
        from plugins.training.services import mark_attendance

        mark_attendance(s, {people["赵立新"]: "present"})
        db.session.commit()
    login_as("township_admin", TOWN_A)
    table = client.get(f"/console/training/{TOWN_A}/members?year=2026").get_data(as_text=True)
    assert "赵立新" in table and "≥ 32" in table and "≥ 56" in table
    page = client.get(f"/console/training/{TOWN_A}/people/{people['赵立新']}").get_data(as_text=True)
    assert "8 of 32 hours" in page
    assert "13500003333" not in page  # no phone numbers
    # a person with no position in the unit's subtree: 404
    login_as("township_admin", TOWN_B, "other-admin")
    assert client.get(f"/console/training/{TOWN_A}/people/{people['赵立新']}").status_code == 404


def test_compliance_page_tiles_filters_chart_and_xlsx(app, client, login_as):
    _setup(app)
    login_as("township_admin", TOWN_A)
    page = client.get(f"/console/training/{TOWN_A}/compliance?year=2026").get_data(as_text=True)
    assert "<svg" in page and "导子村党支部" in page and "张建国" in page
    assert "Branch committee meeting (支委会)" in page
    filtered = client.get(f"/console/training/{TOWN_A}/compliance?year=2026&type=party_lecture").get_data(as_text=True)
    table = filtered.split('id="gaps-table"')[1].split("</table>")[0]
    assert "Party lecture" in table and "Branch committee meeting" not in table
    resp = client.get(f"/console/training/{TOWN_A}/compliance.xlsx?year=2026")
    assert resp.status_code == 200 and resp.data[:2] == b"PK"
    from openpyxl import load_workbook
    import io

    sheet = load_workbook(io.BytesIO(resp.data)).active
    sections = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "Meeting not held" in sections and "Behind on hours" in sections
    dash = client.get(f"/console/?org={TOWN_A}").get_data(as_text=True)
    assert "Training compliance" in dash


def test_the_county_sees_compliance_by_township_and_opens_one(app, client, login_as):
    from portal.orgs.services import create_unit
    from tests.helpers import VILLAGE_B1

    _setup(app)
    with app.app_context():
        create_unit("party_branch", "李家村党支部", VILLAGE_B1 + "-dzb", unit(VILLAGE_B1))
        app.extensions["portal"].set_enabled("training", unit(TOWN_B), True)
        db.session.commit()
    login_as("county_admin", COUNTY)
    county = client.get(f"/console/training/{COUNTY}/compliance?year=2026").get_data(as_text=True)
    table = county.split('id="township-table"')[1].split("</table>")[0]
    rows = re.findall(r'<tr data-township="(\d+)"><th scope="row"><a href="([^"]+)">[^<]+</a></th>\s*'
                      r'<td class="num"[^>]*>(\d+)</td><td class="num"[^>]*>(\d+)</td>', table)
    assert [code for code, *_rest in rows] == [TOWN_A, TOWN_B]
    gaps_of = {}
    for code, link, gaps, behind in rows:
        own = client.get(link.replace("&amp;", "&")).get_data(as_text=True)
        assert f"{code}/compliance" in link and "year=2026" in link
        assert 'id="township-table"' not in own  # one township: no roll-up
        tiles = dict((label, n) for n, label in re.findall(r'<span class="training-count">(\d+)</span> ([^<]+)</li>', own))
        assert tiles["meetings not held"] == gaps and tiles["members and cadres behind on hours"] == behind
        gaps_of[code] = int(gaps)
    assert gaps_of[TOWN_B] > 0 and gaps_of[TOWN_A] > gaps_of[TOWN_B]  # 导子村 also has a party group
    total = re.search(r'<span class="training-count">(\d+)</span> meetings not held', county).group(1)
    assert sum(gaps_of.values()) == int(total)


def test_the_compliance_lists_are_paged_each_on_its_own(app, client, login_as, monkeypatch):
    from plugins.training import views

    _setup(app)
    login_as("township_admin", TOWN_A)
    monkeypatch.setattr(views, "COMPLIANCE_ROWS_PER_PAGE", 2)
    base = f"/console/training/{TOWN_A}/compliance?year=2026"
    first = client.get(base).get_data(as_text=True)
    total = int(re.search(r'<span class="training-count">(\d+)</span> meetings not held', first).group(1))
    gaps, pages = [], -(-total // 2)
    for n in range(1, pages + 1):
        html = client.get(f"{base}&gaps_page={n}&behind_page=1").get_data(as_text=True)
        table = html.split('id="gaps-table"')[1].split("</table>")[0]
        gaps += re.findall(r'<tr data-unit="([^"]+)" data-type="([^"]+)" data-period="([^"]+)">', table)
    assert total > 4 and len(gaps) == total == len(set(gaps))  # every gap once, two a page
    second = client.get(f"{base}&gaps_page=2").get_data(as_text=True)
    nav = second.split('id="gaps-table"')[1].split("</nav>")[0]
    assert f"Page 2 of {pages}" in nav and re.search(r'rel="next" href="[^"]*gaps_page=3[^"]*#meetings"', nav)
    assert "year=2026" in nav.split('rel="next"')[1].split(">")[0]
    # a page past the end (an old link) does not claim that every meeting was held
    past = client.get(f"{base}&gaps_page={pages + 5}").get_data(as_text=True)
    assert "Every required meeting was held" not in past and "This page is past the end of the list." in past
    assert re.search(rf'href="[^"]*gaps_page={pages}[^"]*#meetings">Go to the last page', past)


def test_publish_stats_command_is_idempotent_and_corrects_and_shows_no_names(app, runner, client):
    people = _setup(app)
    with app.app_context():
        s = make_session(start=(2026, 8, 5, 19, 0), end=(2026, 8, 5, 21, 0), hours=2)
        from plugins.training.services import mark_attendance

        mark_attendance(s, {people["张建国"]: "present", people["赵立新"]: "late", people["李秀英"]: "absent"})
        db.session.commit()
        sid = s.id
    out = runner.invoke(args=["training", "publish-stats", "--quarter", "2026-Q3"])
    assert out.exit_code == 0 and "published" in out.output
    out = runner.invoke(args=["training", "publish-stats", "--quarter", "2026-Q3"])
    assert "unchanged" in out.output
    with app.app_context():
        mark_attendance(db.session.get(TrainingSession, sid), {people["李秀英"]: "present"})
        db.session.commit()
    out = runner.invoke(args=["training", "publish-stats", "--quarter", "2026-Q3"])
    assert "corrected" in out.output
    assert runner.invoke(args=["training", "publish-stats", "--quarter", "2026-13"]).exit_code != 0
    with app.app_context():
        pubs = list(db.session.scalars(select(Publication).where(Publication.plugin == "training")))
        assert [p.revision for p in pubs] == [1, 2]
        assert pubs[-1].payload == {"quarter": "2026-Q3", "sessions": 1, "person_times": 3, "hours": 6,
                                    "by_type": {"branch_meeting": 1}}
        pub_id = pubs[0].pub_id
    org_page = client.get(f"/o/{TOWN_A}").get_data(as_text=True)
    pub_page = client.get(f"/p/{pub_id}").get_data(as_text=True)
    ledger = client.get("/ledger.jsonl").get_data(as_text=True)
    api = client.get("/api/v1/openapi.json").get_data(as_text=True)
    assert "2026-Q3" in org_page and "person_times" in api
    for text in (org_page, pub_page, ledger):
        for name in ("张建国", "赵立新", "李秀英"):
            assert name not in text


def test_quarter_stats_count_only_the_township(app):
    people = _setup(app)
    with app.app_context():
        s = make_session(start=(2026, 2, 5, 19, 0), end=(2026, 2, 5, 21, 0), hours=2)
        from plugins.training.services import mark_attendance

        mark_attendance(s, {people["张建国"]: "present"})
        county = make_session(code=COUNTY, type="party_school", start=(2026, 2, 9, 8, 0), end=(2026, 2, 9, 17, 0),
                              hours=8)
        mark_attendance(county, {people["张建国"]: "present"})
        assert stats.quarter_stats(unit(TOWN_A), "2026-Q1")["sessions"] == 1
        assert stats.quarter_stats(unit(TOWN_A), "2026-Q2")["sessions"] == 0
        assert stats.previous_quarter(date(2026, 1, 3)) == "2025-Q4"


def _png():
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (20, 20), (200, 0, 0)).save(out, "PNG")
    return out.getvalue()


def test_materials_are_checked_stored_and_downloaded_by_staff_only(app, client, login_as):
    import io

    _setup(app)
    login_as("village_clerk", VILLAGE_A1)
    form = {"org": BRANCH, "type": "theme_day", "starts_at": "2026-06-10T14:00", "ends_at": "2026-06-10T17:30",
            "topic": "主题党日"}
    page = client.post(f"/console/training/{VILLAGE_A1}/new", content_type="multipart/form-data",
                       data={**form, "materials": [(io.BytesIO(b"MZ\x90\x00 not a picture"), "photo.jpg")]})
    assert page.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(TrainingSession)) is None
    resp = client.post(f"/console/training/{VILLAGE_A1}/new", content_type="multipart/form-data",
                       data={**form, "materials": [(io.BytesIO(_png()), "现场照片.png")]})
    assert resp.status_code == 302
    with app.app_context():
        s = db.session.scalar(select(TrainingSession))
        assert s.hours == 4  # half a day, counted from the length
        key = s.materials[0]["key"]
        sid = s.id
    detail = client.get(f"/console/training/{VILLAGE_A1}/session/{sid}").get_data(as_text=True)
    assert "现场照片.png" in detail
    got = client.get(f"/console/training/{VILLAGE_A1}/session/{sid}/files/{key}")
    assert got.status_code == 200 and got.data[:4] == b"\x89PNG"
    client.post("/logout")
    assert client.get(f"/console/training/{VILLAGE_A1}/session/{sid}/files/{key}").status_code in (302, 401)


def test_logged_in_user_linked_to_a_member_signs_in_with_one_button(app, client, login_as):
    people = _setup(app)
    with app.app_context():
        from datetime import timedelta

        from portal.accounts.models import User
        from portal.timeutil import utcnow

        s = make_session()
        s.starts_at = utcnow().replace(microsecond=0)
        s.ends_at = s.starts_at + timedelta(hours=1)
        db.session.commit()
        token = checkin.make_token(s)
    username = login_as("village_clerk", VILLAGE_A1)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        user.person_id = people["李秀英"]
        db.session.commit()
    page = client.get(f"/training/checkin/{token}").get_data(as_text=True)
    assert "Sign in as 李秀英" in page
    resp = client.post(f"/training/checkin/{token}", data={"me-submit": "1"})
    assert "Signed in at" in resp.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Attendance.person_id).where(Attendance.method == "qr")) == people["李秀英"]


def test_everyone_present_button_edit_and_delete(app, client, login_as):
    people = _setup(app)
    sid = _session(app)
    login_as("village_clerk", VILLAGE_A1)
    resp = client.post(f"/console/training/{VILLAGE_A1}/session/{sid}/attendance", data={"all_present": "1"})
    assert resp.status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(Attendance)).all()
        assert {r.person_id for r in rows} == {people[n] for n in ("张建国", "李秀英", "王海燕", "王海燕2", "赵立新")}
        assert {r.status for r in rows} == {"present"}
    form = {"org": BRANCH, "type": "branch_meeting", "starts_at": "2026-03-05T19:00", "ends_at": "2026-03-05T21:00",
            "hours": "3", "topic": "支部党员大会（补记）"}
    assert client.post(f"/console/training/{VILLAGE_A1}/session/{sid}/edit", data=form).status_code == 302
    with app.app_context():
        s = db.session.get(TrainingSession, sid)
        assert (s.hours, s.topic) == (3, "支部党员大会（补记）")
    # moved onto another session its attendees attended: refused on the form, nothing changed
    other = _session(app, start=(2026, 3, 6, 19, 0), end=(2026, 3, 6, 21, 0), topic="另一次会议")
    client.post(f"/console/training/{VILLAGE_A1}/session/{other}/attendance", data={"all_present": "1"})
    page = client.post(f"/console/training/{VILLAGE_A1}/session/{sid}/edit",
                       data={**form, "starts_at": "2026-03-06T20:00", "ends_at": "2026-03-06T22:00"})
    assert page.status_code == 200 and "which overlaps this session" in page.get_data(as_text=True)
    assert client.post(f"/console/training/{VILLAGE_A1}/session/{sid}/delete").status_code == 302
    with app.app_context():
        assert db.session.get(TrainingSession, sid) is None
        assert db.session.scalar(select(Attendance).where(Attendance.session_id == sid)) is None


def test_demo_data_has_a_year_of_sessions_with_gaps_and_published_stats(app_factory):
    app = app_factory(PORTAL_DISABLED_PLUGINS=("hotline", "disclosure"))
    with app.app_context():
        from plugins.training import compliance
        from portal.demo import load_demo
        from portal.timeutil import local_today

        load_demo()
        today = local_today()
        town = unit("990101101000")
        assert db.session.query(TrainingSession).count() > 100
        counts = compliance.summary(town, today.year, today)
        assert counts["gaps"] > 0 and counts["behind"] > 0
        county = unit("990101000000")
        _not_this_year, new = compliance.rotation(county, today)
        assert [(r["position"].person.name, r["overdue"]) for r in new] == [("高振华", True)]
        # 西湖乡 has training off: none of its branches is counted
        gaps = compliance.meeting_gaps(county, today.year, today)
        assert all(not g["branch"].code.startswith("990101102") for g in gaps)
        pubs = list(db.session.scalars(select(Publication).where(Publication.plugin == "training")))
        assert pubs and {p.org_code for p in pubs} == {"990101101000", "990101103000"}


def test_the_sessions_and_hours_pages_say_a_year_that_is_no_year_and_what_they_show_instead(app, client, login_as):
    from portal.timeutil import local_today

    this_year = local_today().year
    people = _setup(app)
    with app.app_context():
        from plugins.training.services import mark_attendance

        now = make_session(topic="今年的支委会", start=(this_year, 1, 5, 19, 0), end=(this_year, 1, 5, 21, 0))
        make_session(topic="往年的支委会", start=(2019, 1, 5, 19, 0), end=(2019, 1, 5, 21, 0))
        mark_attendance(now, {people["赵立新"]: "present"})
        db.session.commit()
    login_as("township_admin", TOWN_A)
    for typed in ("abc", "99999", "1999"):
        said = f"Year: “{typed}” is not a year from 2000 to 2100. Showing {this_year} instead."
        resp = client.get(f"/console/training/{TOWN_A}/?year={typed}")
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200 and filter_error(html, "f-year") == said
        assert "今年的支委会" in html and "往年的支委会" not in html
        resp = client.get(f"/console/training/{TOWN_A}/members?year={typed}")
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200 and filter_error(html, "f-year") == said
        assert f"{this_year}</h1>" in html and "赵立新" in html
    for page in ("/", "/members"):
        good = client.get(f"/console/training/{TOWN_A}{page}?year=2019").get_data(as_text=True)
        assert "filter-errors" not in good and 'aria-invalid' not in good
        assert "filter-errors" not in client.get(f"/console/training/{TOWN_A}{page}").get_data(as_text=True)
    assert "往年的支委会" in client.get(f"/console/training/{TOWN_A}/?year=2019").get_data(as_text=True)
    chinese = client.get(f"/console/training/{TOWN_A}/members?year=abc&lang=zh_Hans_CN").get_data(as_text=True)
    assert filter_error(chinese, "f-year") == f"年度：“abc”不是 2000 至 2100 之间的年份。已改为显示 {this_year} 年。"


def test_the_sessions_page_says_a_type_that_is_no_type_of_session_and_what_it_shows_instead(app, client, login_as):

    _setup(app)
    _session(app, topic="四月的支委会", type="committee_meeting")
    _session(app, topic="四月的党课", type="party_lecture", start=(2026, 4, 8, 19, 0), end=(2026, 4, 8, 21, 0))
    login_as("township_admin", TOWN_A)
    page = f"/console/training/{TOWN_A}/?year=2026"
    for typed in ("lunch", "Party_Lecture", "<b>x</b>"):
        resp = client.get(f"{page}&type={typed}")
        html = resp.get_data(as_text=True)
        shown = typed.replace("<", "&lt;").replace(">", "&gt;")
        assert resp.status_code == 200 and filter_error(html, "f-type") == (
            f"Type of session: “{shown}” is not a type of session. Showing all types instead.")
        assert "四月的支委会" in html and "四月的党课" in html
    both = client.get(f"/console/training/{TOWN_A}/?type=lunch&year=abc").get_data(as_text=True)
    assert filter_error(both, "f-year") and filter_error(both, "f-type")  # each under its own field
    good = client.get(f"{page}&type=party_lecture").get_data(as_text=True)
    assert "filter-errors" not in good and "四月的党课" in good and "四月的支委会" not in good
    chinese = client.get(f"{page}&type=lunch&lang=zh_Hans_CN").get_data(as_text=True)
    assert filter_error(chinese, "f-type") == "活动类型：“lunch”不是活动类型。已改为显示全部类型。"
