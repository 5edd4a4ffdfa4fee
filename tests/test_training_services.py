"""Training services without a request: sessions, attendance, import, QR sign-in, hours, compliance."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import Workbook

from plugins.training import checkin, compliance, records, services
from plugins.training.services import TrainingError
from portal.extensions import db
from portal.orgs import SettingError, set_setting
from portal.orgs.models import Person
from tests.helpers import TOWN_A, VILLAGE_A1, unit
from tests.test_training_helpers import BRANCH, GROUP, add_person, local, make_session, people  # noqa: F401


# --- sessions ----------------------------------------------------------------------------------

def test_members_are_people_in_positions_in_the_branch_and_its_groups(people):
    names = sorted(p.name for p in services.members(unit(BRANCH), date(2026, 3, 5)))
    assert names == ["张建国", "李秀英", "王海燕", "王海燕", "赵立新"]  # not the village committee director
    assert [p.name for p in services.members(unit(GROUP), date(2026, 3, 5))] == ["王海燕", "王海燕", "赵立新"]


@pytest.mark.parametrize("hours, message", [
    (0, "positive"), (-4, "positive"), (17, "too many"), (500, "too many"),
])
def test_absurd_hours_are_refused(people, hours, message):
    with pytest.raises(TrainingError) as exc:
        make_session(hours=hours)
    assert message in exc.value.fields["hours"]


def test_two_day_course_may_count_sixteen_hours_and_length_gives_the_default(people):
    course = make_session(code=TOWN_A, type="party_school", start=(2026, 4, 1, 8, 30), end=(2026, 4, 2, 17, 30),
                          hours=16)
    assert course.hours == 16
    half = make_session(code=TOWN_A, type="skills", start=(2026, 4, 3, 8, 30), end=(2026, 4, 3, 11, 45), hours=None)
    assert half.hours == 4
    set_setting(unit(TOWN_A), "training.hours.half_day", 3)
    other = make_session(code=TOWN_A, type="skills", start=(2026, 4, 4, 8, 30), end=(2026, 4, 4, 11, 45), hours=None)
    assert other.hours == 3


def test_session_that_ends_before_it_starts_or_wrong_unit_is_refused(people):
    with pytest.raises(TrainingError) as exc:
        make_session(start=(2026, 3, 5, 19, 0), end=(2026, 3, 5, 18, 0))
    assert "end after it starts" in exc.value.fields["ends_at"]
    with pytest.raises(TrainingError) as exc:
        make_session(code=BRANCH, type="group_meeting")
    assert "party group" in exc.value.fields["type"]
    with pytest.raises(TrainingError) as exc:
        make_session(code=VILLAGE_A1)
    assert "org" in exc.value.fields


def test_overlapping_sessions_for_the_same_person_are_refused_with_names(people):
    first = make_session(topic="支部党员大会")
    services.mark_attendance(first, {people["赵立新"]: "present", people["王海燕"]: "absent"})
    second = make_session(code=GROUP, type="group_meeting", start=(2026, 3, 5, 20, 0), end=(2026, 3, 5, 21, 30),
                          hours=1, topic="小组学习")
    with pytest.raises(TrainingError) as exc:
        services.mark_attendance(second, {people["赵立新"]: "present"})
    text = str(exc.value)
    assert "赵立新" in text and "支部党员大会" in text and "导子村党支部" in text
    assert services.attendance_map(second) == {}
    # absent at the first one: no clash
    services.mark_attendance(second, {people["王海燕"]: "present"})
    # moving a later session of 赵立新 onto the first one is refused too
    later = make_session(code=GROUP, type="group_meeting", start=(2026, 3, 5, 21, 30), end=(2026, 3, 5, 22, 0),
                         hours=1, topic="补学")
    services.mark_attendance(later, {people["赵立新"]: "present"})
    with pytest.raises(TrainingError) as exc:
        services.save_session(later, org=unit(GROUP), type="group_meeting", starts_at=local(2026, 3, 5, 20, 30),
                              ends_at=local(2026, 3, 5, 21, 0), hours=1, topic="补学")
    assert "赵立新" in str(exc.value)


def test_attendee_not_in_the_unit_is_refused_and_nothing_saved(people):
    session = make_session()
    with pytest.raises(TrainingError) as exc:
        services.mark_attendance(session, {people["张建国"]: "present", people["陈外人"]: "present"})
    assert "陈外人 is not a member of 导子村党支部" in str(exc.value)
    assert services.attendance_map(session) == {}


def test_a_member_whose_position_ended_before_the_session_is_not_in_the_unit(people):
    gone = add_person("孙德明", "13300005555", GROUP, "party_member", end=date(2025, 12, 31))
    session = make_session()
    with pytest.raises(TrainingError):
        services.mark_attendance(session, {gone.id: "present"})


# --- import --------------------------------------------------------------------------------------

def _csv(text):
    return text.encode("utf-8")


def test_import_sheet_records_everyone(people):
    session = make_session()
    n = services.import_sheet(session, _csv("姓名,状态,手机号后四位\n张建国,出席,\n王海燕,迟到,1111\n王海燕,请假,2222\n"
                                            "赵立新,缺席,\n"), "签到表.csv")
    assert n == 4
    got = {pid: a.status for pid, a in services.attendance_map(session).items()}
    assert got == {people["张建国"]: "present", people["王海燕"]: "late", people["王海燕2"]: "excused",
                   people["赵立新"]: "absent"}
    assert {a.method for a in session.attendance} == {"imported"}


def test_import_with_one_bad_row_is_refused_whole(people):
    session = make_session()
    with pytest.raises(TrainingError) as exc:
        services.import_sheet(session, _csv("姓名,状态\n张建国,出席\n赵立新,睡觉\n李秀英,出席\n"), "s.csv")
    assert exc.value.errors == ["Row 3, column 状态: “睡觉” is not one of 出席, 缺席, 请假, 迟到."]
    assert services.attendance_map(session) == {}


def test_import_reports_every_error_by_row_and_column(people):
    session = make_session()
    sheet = "姓名,状态,手机号后四位\n王海燕,出席,\n陈外人,出席,\n李秀英,出席,12\n,出席,\n张建国,出席,\n张建国,缺席,\n"
    with pytest.raises(TrainingError) as exc:
        services.import_sheet(session, _csv(sheet), "s.csv")
    errors = exc.value.errors
    assert "Row 2, column 姓名: 2 members are named 王海燕; add 手机号后四位 to tell them apart." in errors
    assert "Row 3, column 姓名: 陈外人 is not a member of 导子村党支部." in errors
    assert any(e.startswith("Row 4, column 手机号后四位") for e in errors)
    assert any(e.startswith("Row 5, column 姓名") for e in errors)
    assert "Row 7, column 姓名: 张建国 is listed twice (also in row 6)." in errors
    assert services.attendance_map(session) == {}


def test_import_xlsx_and_missing_columns(people):
    session = make_session()
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "状态", "手机号后四位"])
    sheet.append(["王海燕", "出席", 2222])
    out = io.BytesIO()
    book.save(out)
    assert services.import_sheet(session, out.getvalue(), "s.xlsx") == 1
    assert services.attendance_map(session)[people["王海燕2"]].status == "present"
    with pytest.raises(TrainingError) as exc:
        services.import_sheet(session, _csv("名字,到没到\n张建国,出席\n"), "s.csv")
    assert "missing columns: 姓名, 状态" in str(exc.value)


# --- QR sign-in ---------------------------------------------------------------------------------

def test_qr_token_opens_30_minutes_before_and_closes_at_the_end(people):
    session = make_session()
    token = checkin.make_token(session)
    with pytest.raises(TrainingError, match="Sign-in opens at 2026-03-05 18:30"):
        checkin.session_for_token(token, now=local(2026, 3, 5, 18, 20))
    assert checkin.session_for_token(token, now=local(2026, 3, 5, 18, 35)) is session
    assert checkin.session_for_token(token, now=local(2026, 3, 5, 20, 59)) is session
    with pytest.raises(TrainingError, match="expired: the session ended at 2026-03-05 21:00"):
        checkin.session_for_token(token, now=local(2026, 3, 5, 21, 1))
    with pytest.raises(TrainingError, match="not valid"):
        checkin.session_for_token(token[:-2] + "xx", now=local(2026, 3, 5, 19, 0))


def test_qr_token_of_a_moved_session_is_refused(people):
    session = make_session()
    token = checkin.make_token(session)
    session.ends_at = session.ends_at + timedelta(hours=1)
    with pytest.raises(TrainingError, match="time was changed"):
        checkin.session_for_token(token, now=local(2026, 3, 5, 19, 0))


def test_qr_sign_in_identifies_by_name_and_phone_and_refuses_a_replay(people):
    session = make_session()
    assert checkin.identify(session, "王海燕", "9999") is None
    assert checkin.identify(session, "陈外人", "4444") is None  # not a member
    person = checkin.identify(session, "王海燕", "2222")
    assert person.id == people["王海燕2"]
    row = checkin.check_in(session, person, now=local(2026, 3, 5, 18, 50))
    assert (row.status, row.method) == ("present", "qr")
    with pytest.raises(TrainingError, match=r"already signed in to this session \(at 18:50\)"):
        checkin.check_in(session, person, now=local(2026, 3, 5, 18, 55))


# --- hours ------------------------------------------------------------------------------------

def test_hours_per_year_against_the_requirement_of_positions(people):
    s1 = make_session(hours=2)
    s2 = make_session(type="theme_day", start=(2026, 5, 10, 8, 0), end=(2026, 5, 10, 17, 0), hours=8)
    s3 = make_session(start=(2025, 6, 1, 19, 0), end=(2025, 6, 1, 21, 0), hours=2)
    services.mark_attendance(s1, {people["李秀英"]: "present", people["赵立新"]: "late"})
    services.mark_attendance(s2, {people["李秀英"]: "present", people["赵立新"]: "absent"})
    services.mark_attendance(s3, {people["李秀英"]: "present"})
    cadre = db.session.get(Person, people["李秀英"])
    this, last = records.person_record(cadre, {2026, 2025})
    assert (this.year, this.kind, this.required, this.hours, len(this.sessions)) == (2026, "cadre", 56, 10, 2)
    assert (last.year, last.hours) == (2025, 2)
    member = db.session.get(Person, people["赵立新"])
    (rec,) = records.person_record(member, {2026})
    assert (rec.kind, rec.required, rec.hours, rec.met) == ("member", 32, 2, False)
    set_setting(unit(TOWN_A), "training.hours.member", 40)
    (rec,) = records.person_record(member, {2026})
    assert rec.required == 40


def test_behind_on_hours_is_pro_rata_this_year_and_full_for_past_years(people):
    s = make_session(type="theme_day", start=(2026, 2, 10, 8, 0), end=(2026, 2, 10, 17, 0), hours=8)
    services.mark_attendance(s, {people["王海燕"]: "present", people["李秀英"]: "present"})
    rows = {r["person"].id: r for r in compliance.behind_on_hours(unit(TOWN_A), 2026, date(2026, 2, 28))}
    assert people["王海燕"] not in rows  # 8 ≥ 32 × 59/365
    assert rows[people["赵立新"]]["basis"] == "pro_rata"
    rows = {r["person"].id: r for r in compliance.behind_on_hours(unit(TOWN_A), 2026, date(2026, 11, 22))}
    assert rows[people["王海燕"]]["hours"] == 8 and rows[people["王海燕"]]["expected"] == 29
    assert rows[people["李秀英"]]["kind"] == "cadre" and rows[people["李秀英"]]["expected"] == 50
    past = {r["person"].id: r for r in compliance.behind_on_hours(unit(TOWN_A), 2025, date(2026, 11, 22))}
    assert past[people["王海燕"]]["basis"] == "year" and past[people["王海燕"]]["expected"] == 32


# --- compliance -------------------------------------------------------------------------------

def test_meeting_gaps_per_branch_group_and_period(people):
    today = date(2026, 4, 15)
    make_session(type="committee_meeting", start=(2026, 1, 5, 19, 0), end=(2026, 1, 5, 20, 0), hours=1)
    make_session(type="committee_meeting", start=(2026, 3, 5, 19, 0), end=(2026, 3, 5, 20, 0), hours=1)
    make_session(code=GROUP, type="group_meeting", start=(2026, 2, 15, 19, 0), end=(2026, 2, 15, 20, 0), hours=1)
    make_session(type="branch_meeting", start=(2026, 2, 20, 19, 0), end=(2026, 2, 20, 21, 0), hours=2)
    gaps = {(g["unit"].code, g["type"], g["period"].label) for g in compliance.meeting_gaps(unit(TOWN_A), 2026, today)}
    assert (BRANCH, "committee_meeting", "2026-02") in gaps
    assert (BRANCH, "committee_meeting", "2026-01") not in gaps
    assert (BRANCH, "committee_meeting", "2026-04") not in gaps  # April has not ended
    assert (GROUP, "group_meeting", "2026-01") in gaps and (GROUP, "group_meeting", "2026-02") not in gaps
    assert (BRANCH, "branch_meeting", "2026-Q1") not in gaps
    assert (BRANCH, "party_lecture", "2026-Q1") in gaps
    assert {(BRANCH, "theme_day", f"2026-0{m}") for m in (1, 2, 3)} <= gaps
    types = {g["type"] for g in compliance.meeting_gaps(unit(TOWN_A), 2026, today)}
    assert "life_meeting" not in types and "democratic_review" not in types  # yearly: due when the year ends
    # frequency is a setting: a township may ask for a quarterly 组织生活会, due each quarter then
    set_setting(unit(TOWN_A), "training.frequency.life_meeting", "quarterly")
    gaps = {(g["type"], g["period"].label) for g in compliance.meeting_gaps(unit(TOWN_A), 2026, today)}
    assert ("life_meeting", "2026-Q1") in gaps
    # but never less often than 支部工作条例: a yearly 主题党日 or 支委会 is refused
    for key in ("theme_day", "committee_meeting"):
        with pytest.raises(SettingError, match="must be one of: monthly"):
            set_setting(unit(TOWN_A), f"training.frequency.{key}", "yearly")


def test_meetings_to_hold_are_those_of_the_running_period_not_yet_held(people):
    today = date(2026, 5, 20)
    make_session(type="committee_meeting", start=(2026, 5, 6, 19, 0), end=(2026, 5, 6, 20, 0), hours=1)
    make_session(type="branch_meeting", start=(2026, 4, 10, 19, 0), end=(2026, 4, 10, 21, 0), hours=2)
    make_session(type="life_meeting", start=(2026, 1, 18, 14, 0), end=(2026, 1, 18, 17, 0), hours=3)
    todo = {(g["unit"].code, g["type"], g["period"].label, g["period"].last)
            for g in compliance.meetings_to_hold(unit(VILLAGE_A1), today)}
    assert todo == {(GROUP, "group_meeting", "2026-05", date(2026, 5, 31)),
                    (BRANCH, "party_lecture", "2026-Q2", date(2026, 6, 30)),
                    (BRANCH, "theme_day", "2026-05", date(2026, 5, 31)),
                    (BRANCH, "democratic_review", "2026", date(2026, 12, 31))}
    assert {(g["unit"].code, g["type"]) for g in compliance.meetings_to_hold(unit(GROUP), today)} == {
        (GROUP, "group_meeting")}  # a party group's list: its own meetings
    # April's missed 主题党日 is a gap of the year, not on the list of this month
    assert (BRANCH, "theme_day", "2026-04") in {(g["unit"].code, g["type"], g["period"].label)
                                                 for g in compliance.meeting_gaps(unit(VILLAGE_A1), 2026, today)}


def test_a_branch_and_its_groups_owe_no_meeting_for_periods_that_ended_before_they_were_established(people):
    """导子村党支部 set up on 2026-06-15, its first party group (no date of its own) with it; a second group
    set up on 2026-09-01: nothing before those days counts as not held."""
    from portal.orgs.services import create_unit

    unit(BRANCH).established_on = date(2026, 6, 15)
    create_unit("party_group", "第二党小组", VILLAGE_A1 + "-dxz2", unit(BRANCH), established_on=date(2026, 9, 1))
    db.session.commit()
    gaps = {(g["unit"].code, g["type"], g["period"].label)
            for g in compliance.meeting_gaps(unit(TOWN_A), 2026, date(2026, 11, 20))}
    branch = {(t, p) for u, t, p in gaps if u == BRANCH}
    assert {p for t, p in branch if t == "committee_meeting"} == {f"2026-{m:02d}" for m in range(6, 11)}
    assert {p for t, p in branch if t == "branch_meeting"} == {"2026-Q2", "2026-Q3"}  # Q2 ends after it was set up
    assert {p for u, t, p in gaps if u == GROUP} == {f"2026-{m:02d}" for m in range(6, 11)}  # no older than its branch
    assert {p for u, t, p in gaps if u == VILLAGE_A1 + "-dxz2"} == {"2026-09", "2026-10"}
    # the year before it was set up owes nothing at all; a year that ends after that day is owed
    assert compliance.meeting_gaps(unit(TOWN_A), 2025, date(2026, 11, 20)) == []
    yearly = {g["type"] for g in compliance.meeting_gaps(unit(TOWN_A), 2026, date(2027, 1, 5))
              if g["unit"].code == BRANCH and g["period"].label == "2026"}
    assert yearly == {"life_meeting", "democratic_review"}


def test_the_yearly_life_meeting_and_democratic_review(people):
    """组织生活会 and 民主评议党员 at least once a year (条例 §17–18): a year without them is a gap."""
    make_session(type="life_meeting", start=(2025, 1, 18, 14, 0), end=(2025, 1, 18, 17, 0), hours=3)
    gaps = {(g["unit"].code, g["type"], g["period"].label)
            for g in compliance.meeting_gaps(unit(TOWN_A), 2025, date(2026, 1, 10))}
    assert (BRANCH, "life_meeting", "2025") not in gaps
    assert (BRANCH, "democratic_review", "2025") in gaps


def test_village_secretaries_not_trained_by_the_county_and_new_secretaries(people):
    from tests.helpers import COUNTY

    today = date(2026, 11, 22)
    not_this_year, new = compliance.rotation(unit(TOWN_A), today)
    assert [r["position"].person.name for r in not_this_year] == ["张建国"]
    assert new == []
    course = make_session(code=COUNTY, type="party_school", start=(2026, 4, 13, 8, 30), end=(2026, 4, 17, 17, 30),
                          hours=40, topic="村党组织书记轮训班")
    services.mark_attendance(course, {people["张建国"]: "present"})
    assert compliance.rotation(unit(TOWN_A), today)[0] == []
    # a township course does not count as the county's rotation; a new secretary is overdue after 6 months
    newcomer = add_person("高振华", "13905341234", BRANCH, "secretary", start=date(2026, 4, 1))
    not_this_year, new = compliance.rotation(unit(TOWN_A), today)
    assert [r["position"].person.name for r in not_this_year] == ["高振华"]
    assert [(r["position"].person_id, r["due"], r["overdue"]) for r in new] == [(newcomer.id, date(2026, 10, 1), True)]
    counts = compliance.summary(unit(TOWN_A), 2026, today)
    assert counts["untrained"] == 1 and counts["new_untrained"] == 1
