"""Hours per person per year (学时) against the requirement of the positions held."""

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select

from portal.extensions import db
from portal.orgs import get_setting
from portal.orgs.models import OrgUnit, Position
from portal.timeutil import to_local

from .models import ATTENDED, Attendance, TrainingSession
from .services import local_to_utc

# Position titles that make a person a cadre (secretary, committee member) or a member for the requirement.
CADRE_TITLES = ("secretary", "deputy_secretary", "branch_committee")
MEMBER_TITLES = ("party_member", "probationary_member", "group_leader")
PARTY_TITLES = CADRE_TITLES + MEMBER_TITLES


def year_bounds(year):
    """(first day, last day) of a year."""
    return date(year, 1, 1), date(year, 12, 31)


def party_positions(person_id, year):
    """The person's party positions held at some time during `year`."""
    first, last = year_bounds(year)
    return list(db.session.scalars(
        select(Position).where(Position.person_id == person_id, Position.title.in_(PARTY_TITLES),
                               Position.start_date <= last,
                               (Position.end_date.is_(None)) | (Position.end_date >= first))))


def requirement(positions):
    """(kind, hours): 'cadre' with the cadre requirement if any position is a cadre's, else 'member'.

    None when no party position is held (no requirement). The setting is read at the unit of the position.
    """
    cadre = [p for p in positions if p.title in CADRE_TITLES]
    if cadre:
        return "cadre", max(get_setting(p.org, "training.hours.cadre") for p in cadre)
    if positions:
        return "member", max(get_setting(p.org, "training.hours.member") for p in positions)
    return None, 0


def attended_rows(person_ids, year):
    """[(person_id, session)] for sessions attended (present or late) in `year`."""
    if not person_ids:
        return []
    start, end = local_to_utc(datetime(year, 1, 1)), local_to_utc(datetime(year + 1, 1, 1))
    return db.session.execute(
        select(Attendance.person_id, TrainingSession)
        .join(TrainingSession, Attendance.session_id == TrainingSession.id)
        .where(Attendance.person_id.in_(list(person_ids)), Attendance.status.in_(ATTENDED),
               TrainingSession.starts_at >= start, TrainingSession.starts_at < end)
        .order_by(TrainingSession.starts_at)).all()


def hours_of(person_ids, year):
    """{person_id: (sessions attended, hours)} in `year`."""
    out = {pid: (0, 0) for pid in person_ids}
    for pid, session in attended_rows(person_ids, year):
        n, h = out[pid]
        out[pid] = (n + 1, h + session.hours)
    return out


def expected_by(required, year, today):
    """Hours expected by `today`: pro rata in the current year, the whole requirement for a past year."""
    first, last = year_bounds(year)
    if today > last:
        return required, "year"
    elapsed = (today - first).days + 1
    return round(required * elapsed / ((last - first).days + 1)), "pro_rata"


@dataclass
class YearRecord:
    """A person's year: sessions attended, hours, and the requirement."""

    year: int
    kind: str | None
    required: int
    hours: int
    sessions: list = field(default_factory=list)  # (session, status)

    @property
    def met(self):
        return self.kind is None or self.hours >= self.required


def person_record(person, years):
    """[YearRecord] for the person, one per year given (newest first)."""
    records = []
    all_rows = db.session.execute(
        select(Attendance, TrainingSession).join(TrainingSession, Attendance.session_id == TrainingSession.id)
        .where(Attendance.person_id == person.id).order_by(TrainingSession.starts_at)).all()
    for year in sorted(years, reverse=True):
        kind, required = requirement(party_positions(person.id, year))
        sessions = [(s, a.status) for a, s in all_rows if to_local(s.starts_at).year == year]
        hours = sum(s.hours for s, status in sessions if status in ATTENDED)
        records.append(YearRecord(year, kind, required, hours, sessions))
    return records


def party_people(org, year):
    """{person_id: [positions]} of party positions held during `year` at `org` or below."""
    first, last = year_bounds(year)
    rows = db.session.scalars(
        select(Position).join(OrgUnit, Position.org_id == OrgUnit.id)
        .where(OrgUnit.path.startswith(org.path, autoescape=True), Position.title.in_(PARTY_TITLES),
               Position.start_date <= last, (Position.end_date.is_(None)) | (Position.end_date >= first)))
    out = {}
    for pos in rows:
        out.setdefault(pos.person_id, []).append(pos)
    return out


def branch_of(unit):
    """The party branch a unit belongs to (itself, or the branch above a party group), else the unit."""
    return unit.ancestor_of_kind("party_branch") or unit


def member_hours(org, year, today):
    """Rows for every party member and cadre at `org` or below: person, branch, kind, hours, requirement."""
    people = party_people(org, year)
    totals = hours_of(list(people), year)
    rows = []
    for pid, positions in people.items():
        kind, required = requirement(positions)
        expected, basis = expected_by(required, year, today)
        n, hours = totals[pid]
        rows.append({"person": positions[0].person, "branch": branch_of(positions[0].org), "kind": kind,
                     "required": required, "expected": expected, "basis": basis, "sessions": n, "hours": hours,
                     "behind": hours < expected})
    rows.sort(key=lambda r: (r["branch"].path, r["person"].name))
    return rows
