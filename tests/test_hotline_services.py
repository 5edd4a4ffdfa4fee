"""Hotline rules without a request: deadlines, the conflict rule, escalation, reopening, merging, privacy."""

import random
import re
from datetime import datetime

import pytest
from sqlalchemy import select

from plugins.hotline import access, escalation, services, stats
from plugins.hotline.models import Case
from portal.audit import AuditEvent
from portal.extensions import db
from portal.ledger import Publication
from portal.orgs import Person, set_setting
from tests.helpers import TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, build_tree, make_user, unit


@pytest.fixture
def hl(ctx):
    """A tree with the hotline on in township A (东风镇) only."""
    build_tree()
    ctx.extensions["portal"].set_enabled("hotline", unit(TOWN_A), True)
    db.session.commit()
    return ctx


def file(category="complaint", village=VILLAGE_A1, now=None, **kw):
    return services.file_case(village=unit(village), category=category, description=kw.pop("description", "路灯坏了"),
                              now=now, **kw)


# --- codes and deadlines ----------------------------------------------------------------

def test_tracking_codes_are_unguessable_and_forgiving_to_type(hl):
    codes = {services.new_code() for _ in range(500)}
    assert len(codes) == 500
    for code in list(codes)[:50]:
        assert re.fullmatch(r"[34679ACDEFGHJKMNPQRTUVWXY]{4}(-[34679ACDEFGHJKMNPQRTUVWXY]{4}){2}", code)
    # every letter turns up in every place (500 codes: ~20 times each), so no place is predictable
    for place in (0, 1, 2, 3, 5, 6, 7, 8, 10, 11, 12, 13):
        assert {code[place] for code in codes} == set("34679ACDEFGHJKMNPQRTUVWXY")
    code = next(iter(codes))
    assert services.normalise_code(code.lower().replace("-", " ")) == code
    assert services.normalise_code("RX7K-9QPM-3D2") is None
    assert services.normalise_code("O0O0-O0O0-O0O0") is None


def test_deadline_counts_working_days_over_national_day(hl):
    # filed on Tuesday 2026-09-29 (local); 1–7 October are holidays, 10 October a make-up working day
    filed = datetime(2026, 9, 29, 2, 0)  # 10:00 in Shanghai
    case = file("consult", now=filed)
    # working days after 29 Sep: 30 Sep, 8 Oct, 9 Oct → due at the end of 9 October, Shanghai time
    assert case.due_at == datetime(2026, 10, 9, 16, 0)
    assert case.sign_due_at == datetime(2026, 9, 30, 16, 0)
    complaint = file("complaint", now=filed)
    assert complaint.due_at > datetime(2026, 10, 15)


def test_deadline_days_are_settings_per_township(hl):
    set_setting(unit(TOWN_A), "hotline.days.consult", 5)
    filed = datetime(2026, 11, 2, 2, 0)  # Monday
    assert file("consult", now=filed).due_at == datetime(2026, 11, 9, 16, 0)  # five working days later


def test_filing_commits_the_case_before_returning(hl):
    case = file()
    db.session.rollback()  # what a crashed request would do after the code was shown
    stored = db.session.scalar(select(Case).where(Case.code == case.code))
    assert stored is not None and stored.state == "accepted"
    assert [e.kind for e in stored.events] == ["filed"]


def test_filing_refuses_a_too_long_description(hl):
    with pytest.raises(services.HotlineError, match="at most 2000"):
        file(description="长" * 10000)
    assert db.session.scalar(select(Case)) is None


# --- the conflict rule -------------------------------------------------------------------

def test_case_about_a_village_cannot_go_to_it_or_a_unit_inside(hl):
    case = file("report")
    me = make_user("township_admin", TOWN_A, "boss")
    services.set_accused(case, me, unit=unit(VILLAGE_A1))
    for code in (VILLAGE_A1, VILLAGE_A1 + "-cwh", VILLAGE_A1 + "-dzb"):
        with pytest.raises(services.HotlineError, match="cannot be assigned"):
            services.assign(case, me, unit=unit(code))
    assert unit(VILLAGE_A1) not in access.assignable_units(case)
    services.assign(case, me, unit=unit(VILLAGE_A2))  # a neighbouring village is fine
    assert case.assignee_unit.code == VILLAGE_A2


def test_case_about_a_person_cannot_go_to_them_nor_their_unit(hl):
    case = file("report")
    me = make_user("township_admin", TOWN_A, "boss")
    secretary = db.session.scalar(select(Person).where(Person.name == "张建国"))
    clerk = make_user("village_clerk", VILLAGE_A1, "zhang")
    clerk.person_id = secretary.id
    db.session.commit()
    services.set_accused(case, me, person=secretary)
    with pytest.raises(services.HotlineError, match="about 张建国|about zhang"):
        services.assign(case, me, assignee=clerk)
    with pytest.raises(services.HotlineError, match="works in"):
        services.assign(case, me, unit=unit(VILLAGE_A1 + "-dzb"))
    # and the person complained about never sees it in the queue
    assert db.session.scalars(access.queue(clerk)).all() == []
    assert case in db.session.scalars(access.queue(me)).all()


def test_village_staff_do_not_see_a_case_about_their_village(hl):
    clerk = make_user("village_clerk", VILLAGE_A1)
    me = make_user("township_admin", TOWN_A, "boss")
    case = file("report")
    assert db.session.scalars(access.queue(clerk)).all() == [case]
    services.set_accused(case, me, unit=unit(VILLAGE_A1))
    db.session.commit()
    assert db.session.scalars(access.queue(clerk)).all() == []
    with pytest.raises(services.HotlineError, match="works in"):
        services.assign(case, me, assignee=clerk)


def test_a_case_about_a_village_body_stays_out_of_the_whole_village(hl):
    """信访工作条例 §30: the clerk is a colleague of the village committee, so a case about it goes past them."""
    clerk = make_user("village_clerk", VILLAGE_A1)
    me = make_user("township_admin", TOWN_A, "boss")
    case = file("report")
    services.set_accused(case, me, unit=unit(VILLAGE_A1 + "-cwh"))
    db.session.commit()
    assert db.session.scalars(access.queue(clerk)).all() == []
    assert access.case_for_user(case.id, clerk) is None
    assert db.session.scalars(access.queue(me)).all() == [case]
    with pytest.raises(services.HotlineError, match="cannot be assigned"):
        services.assign(case, me, unit=unit(VILLAGE_A1))
    with pytest.raises(services.HotlineError, match="works in 导子村"):
        services.assign(case, me, assignee=clerk)
    assert clerk not in access.assignable_users(case)
    services.assign(case, me, unit=unit(VILLAGE_A2))  # a neighbouring village is no colleague
    assert case.assignee_unit.code == VILLAGE_A2


def test_a_case_about_a_village_cadre_stays_out_of_their_village(hl):
    clerk = make_user("village_clerk", VILLAGE_A1)
    me = make_user("township_admin", TOWN_A, "boss")
    secretary = db.session.scalar(select(Person).where(Person.name == "张建国"))  # holds office in the branch
    case = file("report")
    services.set_accused(case, me, person=secretary)
    db.session.commit()
    assert db.session.scalars(access.queue(clerk)).all() == []
    with pytest.raises(services.HotlineError, match="works in 导子村党支部"):
        services.assign(case, me, unit=unit(VILLAGE_A1))
    assert db.session.scalars(access.queue(me)).all() == [case]


def test_a_case_naming_someone_waits_for_the_township_before_the_village_sees_it(hl):
    clerk = make_user("village_clerk", VILLAGE_A1)
    me = make_user("township_admin", TOWN_A, "boss")
    named = file("report", accused_text="村委会主任")
    plain = file()
    assert db.session.scalars(access.queue(clerk)).all() == [plain]
    assert set(db.session.scalars(access.queue(me)).all()) == {named, plain}
    services.assign(named, me, unit=unit(VILLAGE_A1))  # the township looked and sends it to the village
    db.session.commit()
    assert set(db.session.scalars(access.queue(clerk)).all()) == {named, plain}


# --- handling -------------------------------------------------------------------------------

def test_a_case_goes_through_every_stage(hl):
    me = make_user("township_admin", TOWN_A, "boss")
    clerk = make_user("village_clerk", VILLAGE_A1)
    case = file()
    services.assign(case, me, unit=unit(VILLAGE_A1), assignee=clerk)
    assert case.state == "assigned"
    services.sign(case, clerk)
    assert case.state == "in_progress" and case.signed_at
    with pytest.raises(services.HotlineError, match="Reply"):
        services.close(case, me)
    services.reply(case, clerk, "已修好")
    assert case.state == "replied"
    services.close(case, me)
    assert case.state == "closed"
    kinds = [e.kind for e in case.events]
    assert kinds[:1] == ["filed"] and "reply" in kinds and kinds[-1] == "closed"
    # the public timeline names a unit, never the person handling it
    public_text = " ".join(e.text + e.actor for e in case.events if e.public and e.kind == "assigned")
    assert clerk.display_name not in public_text


def test_extension_only_before_the_deadline_with_a_reason(hl):
    me = make_user("township_admin", TOWN_A, "boss")
    filed = datetime(2026, 11, 2, 2, 0)
    case = file("consult", now=filed)
    with pytest.raises(services.HotlineError, match="reason"):
        services.extend(case, me, 3, "", now=filed)
    old = case.due_at
    services.extend(case, me, 3, "需要现场核实", now=filed)
    assert case.extended_from == old and case.due_at == datetime(2026, 11, 10, 16, 0)
    assert any(e.kind == "extended" and e.public and "现场核实" in e.text for e in case.events)
    with pytest.raises(services.HotlineError, match="already"):
        services.extend(case, me, 1, "again", now=filed)
    late = file("consult", now=filed)
    with pytest.raises(services.HotlineError, match="passed"):
        services.extend(late, me, 3, "太晚了", now=datetime(2026, 11, 30))


def test_dissatisfied_rating_reopens_with_fifteen_working_days(hl):
    me = make_user("township_admin", TOWN_A, "boss")
    case = file()
    services.sign(case, me)
    services.reply(case, me, "已处理")
    with pytest.raises(services.HotlineError):
        services.rate(case, "terrible")
    rated_at = datetime(2026, 11, 16, 2, 0)  # Monday
    services.rate(case, "dissatisfied", now=rated_at)
    assert case.state == "reopened" and case.reopen_count == 1
    assert case.due_at == datetime(2026, 12, 7, 16, 0)  # 15 working days after 16 November
    assert not services.may_rate(case)
    services.sign(case, me)
    services.reply(case, me, "重新处理完毕")
    assert services.may_rate(case)
    services.rate(case, "satisfied")
    assert case.state == "closed"


def test_a_disputed_objection_goes_to_the_township_with_twenty_working_days(hl):
    """村务公开异议: still disputed after the village's answer, the township answers (DOMAIN: within 20 days)."""
    me = make_user("township_admin", TOWN_A, "boss")
    case = file("objection", accused_text="导子村村委会")
    services.assign(case, me, unit=unit(VILLAGE_A1))
    services.sign(case, me)
    services.reply(case, me, "村委会已书面答复")
    services.rate(case, "very_dissatisfied", now=datetime(2026, 11, 16, 2, 0))  # Monday
    assert case.state == "reopened" and case.assignee_unit.code == TOWN_A
    assert case.due_at == datetime(2026, 12, 14, 16, 0)  # 20 working days after 16 November
    assert any(e.kind == "reopened" and e.public and "township" in e.text for e in case.events)


def test_a_public_reply_or_extension_may_not_carry_personal_data(hl):
    """Replies and extension reasons are public (tracking page, Open311): no complainant's details in them."""
    me = make_user("township_admin", TOWN_A, "boss")
    case = file(name="王测试", phone="139 1234 5678", confidential=True)
    for text, what in (("王测试您好，已处理", "the complainant's name"), ("请拨打13912345678联系", "Mobile number"),
                       ("身份证 11010519491231002X 已核实", "ID number")):
        with pytest.raises(services.HotlineError, match=what):
            services.reply(case, me, text)
        with pytest.raises(services.HotlineError, match=what):
            services.extend(case, me, 3, text)
    assert case.state == "accepted" and case.extended_from is None
    assert [e.kind for e in case.events] == ["filed"]
    landline = file(phone="0539-8123456")
    with pytest.raises(services.HotlineError, match="the complainant's phone"):
        services.reply(landline, me, "已电话联系 05398123456")
    services.reply(case, me, "已处理，如有疑问请拨打镇便民服务中心 0539-8123456")  # an office's number is fine
    assert case.state == "replied"


def test_the_public_description_masks_id_numbers_and_the_complainants_own_details(hl):
    """A reviewer's made-up ID number (check digit wrong) and their own name and phone never reach Open311."""
    case = file(name="张测试", phone="138 1234 5678",
                description="我叫张测试，电话13812345678，身份证110101199001011234，另有11010519491231002X")
    assert services.public_description(case) == "我叫张*试，电话138****5678，身份证1101**********1234，另有1101**********002X"
    landline = file(name="王 小明", phone="0539-8123456", description="王小明，家里电话05398123456，凭证号202601011234567890")
    assert services.public_description(landline) == "王*明，家里电话053****3456，凭证号202601011234567890"
    assert services.public_description(file("report", name="张测试", description="举报张测试")) == ""


def test_merge_a_duplicate_shows_the_replies_of_the_target(hl):
    me = make_user("township_admin", TOWN_A, "boss")
    first, dup = file(), file(village=VILLAGE_A2)
    services.merge(dup, first, me)
    assert dup.state == "merged" and dup.merged_into == first
    services.sign(first, me)
    services.reply(first, me, "统一答复")
    assert "统一答复" in [e.text for e in services.public_events(dup)]
    with pytest.raises(services.HotlineError):
        services.merge(first, first, me)


# --- escalation ----------------------------------------------------------------------------

def test_sweep_escalates_overdue_cases_and_is_idempotent(hl):
    filed = datetime(2026, 11, 2, 2, 0)
    overdue = file("consult", now=filed)  # due at the end of 5 November
    fresh = file("complaint", now=datetime(2026, 11, 20, 2, 0))
    first = escalation.sweep(now=datetime(2026, 11, 6, 3, 0))
    assert first == {"checked": 1, "township": 1, "county": 0}
    assert overdue.escalation_level == 1 and overdue.escalated_to.code == TOWN_A
    assert escalation.sweep(now=datetime(2026, 11, 6, 3, 0)) == {"checked": 1, "township": 0, "county": 0}
    assert sum(e.kind == "escalated" for e in overdue.events) == 1
    # five more working days overdue: the county supervises
    escalation.sweep(now=datetime(2026, 11, 13, 3, 0))
    assert overdue.escalation_level == 2 and overdue.escalated_to.kind == "county"
    escalation.sweep(now=datetime(2026, 11, 13, 3, 0))
    assert sum(e.kind == "escalated" for e in overdue.events) == 2
    assert fresh.escalation_level == 0


def test_sweep_command_prints_counts(hl):
    file("consult", now=datetime(2026, 1, 5, 2, 0))
    runner = hl.test_cli_runner()
    out = runner.invoke(args=["hotline", "sweep"])
    assert out.exit_code == 0 and "township: 1" in out.output and "county: 1" in out.output
    again = runner.invoke(args=["hotline", "sweep"])
    assert "township: 0" in again.output and "county: 0" in again.output


# --- privacy --------------------------------------------------------------------------------

def test_personal_data_only_with_permission_and_audited(hl):
    case = file(name="李秀英", phone="13912345678")
    admin = make_user("township_admin", TOWN_A, "boss")
    clerk = make_user("village_clerk", VILLAGE_A1)
    with pytest.raises(services.HotlineError):
        access.reveal_personal(clerk, case)
    assert access.reveal_personal(admin, case)["phone"] == "13912345678"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "personal_data.view"))
    assert event.username == "boss" and "13912345678" not in str(event.detail)


def test_confidential_case_hidden_even_from_its_assignee(hl):
    case = file("report", name="王建国", phone="13800001111", confidential=True)
    admin = make_user("township_admin", TOWN_A, "boss")
    other = make_user("township_admin", TOWN_A, "deputy")
    services.assign(case, admin, assignee=admin)
    assert not access.may_see_personal(admin, case)
    assert access.may_see_personal(other, case)


def test_statistics_publish_once_and_correct_when_numbers_change(hl):
    me = make_user("township_admin", TOWN_A, "boss")
    case = file("consult", name="刘桂兰", phone="13700001234", now=datetime(2026, 10, 12, 2, 0))
    file("report", now=datetime(2026, 10, 13, 2, 0))
    assert stats.publish_all("2026-10") == {"published": 1, "corrected": 0, "unchanged": 0}
    assert stats.publish_all("2026-10") == {"published": 0, "corrected": 0, "unchanged": 1}
    services.reply(case, me, "答复")
    services.rate(case, "very_satisfied")
    db.session.commit()
    assert stats.publish_all("2026-10") == {"published": 0, "corrected": 1, "unchanged": 0}
    pubs = db.session.scalars(select(Publication).where(Publication.plugin == "hotline")).all()
    assert [p.revision for p in pubs] == [1, 2]
    latest = pubs[-1].payload
    assert latest["total"] == 2 and latest["by_category"]["consult"] == 1
    assert latest["reply_rate"] == 50.0 and latest["satisfaction_rate"] == 100.0
    dumped = str([p.payload for p in pubs]) + " ".join(p.title + p.summary for p in pubs)
    assert "刘桂兰" not in dumped and "13700001234" not in dumped


def test_publish_stats_command_refuses_a_bad_month(hl):
    runner = hl.test_cli_runner()
    bad = runner.invoke(args=["hotline", "publish-stats", "--month", "2026-13"])
    assert bad.exit_code != 0 and "YYYY-MM" in bad.output
    ok = runner.invoke(args=["hotline", "publish-stats", "--month", "2026-10"])
    assert ok.exit_code == 0 and "published 1" in ok.output


def test_demo_data_is_quick_and_covers_every_state(hl):
    from plugins.hotline.demo import load

    ctx = hl
    ctx.extensions["portal"].set_enabled("hotline", unit(TOWN_B), False)
    load(unit(TOWN_A).parent, random.Random(1))
    db.session.commit()
    states = {c.state for c in db.session.scalars(select(Case))}
    assert {"accepted", "assigned", "in_progress", "replied", "closed"} <= states
    assert db.session.scalar(select(Publication).where(Publication.plugin == "hotline")) is not None


def test_a_failing_listener_does_not_lose_the_case(hl, monkeypatch):
    import portal.events

    def broken(name, org=None, **data):
        raise RuntimeError("listener down")

    monkeypatch.setattr(services, "emit", broken)
    case = file()
    assert db.session.scalar(select(Case).where(Case.code == case.code)) is not None
    assert portal.events.emit is not broken
