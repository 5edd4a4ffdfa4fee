"""Sample data for `portal demo`: a year of sessions in the sample branches, with gaps to find.

Branches of townships where training is on hold 支委会, 主题党日 and 党小组会 monthly and
支部党员大会 and 党课 quarterly, with some skipped; a few members often miss sessions; the
county runs a party-school rotation that some village secretaries missed; one village has a
new secretary not yet trained. Quarterly aggregates are published to the ledger.
"""

from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import select

from portal.extensions import db
from portal.orgs.models import OrgUnit, Person, Position
from portal.timeutil import local_today

from .models import Attendance, TrainingSession
from .records import CADRE_TITLES
from .services import local_to_utc, member_positions
from .stats import publish_stats, quarter_bounds

TOPICS = {
    "committee_meeting": ["研究本月党建工作安排", "讨论发展党员工作", "研究村道修路工程", "部署秋收秸秆禁烧"],
    "theme_day": ["学习党的二十大精神", "清洁家园志愿服务", "重温入党誓词", "走访慰问困难党员"],
    "group_meeting": ["学习党章", "交流学习体会", "讨论村规民约修订"],
    "branch_meeting": ["通报支部工作", "审议发展对象", "民主评议党员准备"],
    "party_lecture": ["书记讲党课：乡村振兴", "党史学习教育专题党课", "基层治理与村务公开"],
}


def _at(day, hour, minute=0):
    return local_to_utc(datetime(day.year, day.month, day.day, hour, minute))


def _add(org, type_, day, start, minutes, hours, rng, lecturer=None):
    starts = _at(day, *start)
    session = TrainingSession(org_id=org.id, type=type_, starts_at=starts, ends_at=starts + timedelta(minutes=minutes),
                              hours=hours, topic=rng.choice(TOPICS.get(type_, ["集中培训"])), lecturer=lecturer,
                              place=org.name + "活动室" if org.kind != "county" else "县委党校", materials=[],
                              minutes="- 会议由书记主持\n- 传达上级精神\n- 讨论并形成决议")
    db.session.add(session)
    return session


def _attend(session, people, rng, weak):
    for person in people:
        roll = rng.random()
        if person.id in weak:
            status = "absent" if roll < 0.6 else "present"
        else:
            status = "present" if roll < 0.82 else "late" if roll < 0.87 else "excused" if roll < 0.94 else "absent"
        session.attendance.append(Attendance(person_id=person.id, status=status, method="marked"))


def _people(org, day, titles=None):
    seen, out = set(), []
    for pos in member_positions(org, day):
        if pos.person_id not in seen and (titles is None or pos.title in titles):
            seen.add(pos.person_id)
            out.append(pos.person)
    return out


def load(county, rng):
    """Sessions and attendance for the sample county (only where training is on), then quarterly stats."""
    host = current_app.extensions["portal"]
    today = local_today()
    year = today.year
    # the twelve months up to this one, so the demo has a year of history whatever the date
    months = [((today.year * 12 + today.month - 1 - back) // 12, (today.year * 12 + today.month - 1 - back) % 12 + 1)
              for back in range(11, -1, -1)]
    townships = [t for t in db.session.scalars(select(OrgUnit).where(OrgUnit.kind == "township",
                                                                     OrgUnit.parent_id == county.id)
                                               .order_by(OrgUnit.code)) if host.is_active("training", t)]
    if not townships:
        return
    branches = [b for t in townships for b in db.session.scalars(
        t.subtree_query().where(OrgUnit.kind == "party_branch").order_by(OrgUnit.path))]
    newcomer = None
    # A new secretary in the last village branch: took office in spring, not yet trained (overdue by autumn).
    if branches:
        last = branches[-1]
        took_office = today - timedelta(days=230)  # about seven and a half months ago: overdue
        for pos in db.session.scalars(select(Position).where(Position.org_id == last.id,
                                                             Position.title == "secretary")):
            if pos.end_date is None:
                pos.end_date = took_office - timedelta(days=1)
        newcomer = Person(name="高振华", phone="13905341234")
        db.session.add(newcomer)
        db.session.flush()
        db.session.add(Position(person_id=newcomer.id, org_id=last.id, title="secretary", start_date=took_office))
        db.session.flush()

    def done(day, start_hour):
        return _at(day, start_hour) < local_to_utc(datetime.combine(today, datetime.min.time()))

    for b_index, branch in enumerate(branches):
        groups = [g for g in branch.children if g.kind == "party_group"]
        everyone = _people(branch, today)
        weak = {p.id for p in rng.sample(everyone, k=min(2, len(everyone)))} if everyone else set()
        sloppy = b_index % 3 == 1  # every third branch skips more meetings
        skip = 0.3 if sloppy else 0.06
        for y, month in months:
            for type_, day_no, start, minutes, hours in (("committee_meeting", 5, (19, 0), 90, 1),
                                                         ("theme_day", 10, (14, 0), 210, 4)):
                day = date(y, month, day_no)
                if not done(day, start[0]) or rng.random() < skip:
                    continue
                titles = CADRE_TITLES if type_ == "committee_meeting" else None
                _attend(_add(branch, type_, day, start, minutes, hours, rng), _people(branch, day, titles), rng, weak)
            for group in groups:
                day = date(y, month, 15)
                if done(day, 19) and rng.random() >= skip:
                    _attend(_add(group, "group_meeting", day, (19, 0), 60, 1, rng), _people(group, day), rng, weak)
            if month % 3 == 2:
                day = date(y, month, 20)
                if done(day, 19) and rng.random() >= skip:
                    _attend(_add(branch, "branch_meeting", day, (19, 0), 120, 2, rng), _people(branch, day), rng, weak)
            if month == 1:  # the yearly 组织生活会 and 民主评议党员, in January; the sloppy branches skip them
                for type_, day_no in (("life_meeting", 18), ("democratic_review", 25)):
                    day = date(y, month, day_no)
                    if done(day, 19) and not sloppy:
                        _attend(_add(branch, type_, day, (14, 0), 180, 3, rng), _people(branch, day), rng, weak)
            if month % 3 == 0:
                day = date(y, month, 8)
                if done(day, 19) and rng.random() >= skip * 1.5:
                    secretary = _people(branch, day, ("secretary",))
                    _attend(_add(branch, "party_lecture", day, (19, 0), 120, 2, rng,
                                 lecturer=secretary[0].name if secretary else None), _people(branch, day), rng, weak)

    # The county's rotation at the party school, in April: five days, most secretaries attend.
    course_day = date(year if today >= date(year, 4, 20) else year - 1, 4, 13)
    if done(course_day, 8):
        course = _add(county, "party_school", course_day, (8, 30), 4 * 24 * 60 + 9 * 60, 40, rng, lecturer="县委党校")
        course.topic = "村党组织书记轮训班"
        secretaries = [p for b in branches for p in _people(b, course_day, ("secretary",))]
        missed = set(rng.sample(range(len(secretaries)), k=min(2, len(secretaries))))
        for i, person in enumerate(secretaries):
            if i not in missed and person is not newcomer:
                course.attendance.append(Attendance(person_id=person.id, status="present", method="marked"))
    db.session.flush()

    first = local_to_utc(datetime(*months[0], 1))
    for y in (year - 1, year):
        for q in range(1, 5):
            start, end = quarter_bounds(y, q)
            if start >= first and end <= local_to_utc(datetime.combine(today, datetime.min.time())):
                publish_stats(f"{y}-Q{q}", published_at=end + timedelta(days=5))
