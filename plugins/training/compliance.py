"""Compliance: 三会一课, 主题党日, 组织生活会 and 民主评议 not held, members behind on hours, secretaries not trained.

Everything here is computed from sessions, attendance and the core org tree for a unit's
subtree and a year; the console shows it as tiles, tables and a chart and exports it.
A branch or party group owes no meeting for a period that ended before it was established
(OrgUnit.established_on).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from portal.extensions import db
from portal.orgs import get_settings
from portal.orgs.models import OrgUnit, Position
from portal.timeutil import to_local

from .models import ATTENDED, TYPE_LABELS, Attendance, TrainingSession
from .records import member_hours
from .services import local_to_utc

# 三会一课, 主题党日, and the yearly 组织生活会 and 民主评议党员 (条例 §17–18), with the unit kind that
# holds each; frequencies are settings.
REGULAR_TYPES = (
    ("branch_meeting", "party_branch"),
    ("committee_meeting", "party_branch"),
    ("group_meeting", "party_group"),
    ("party_lecture", "party_branch"),
    ("theme_day", "party_branch"),
    ("life_meeting", "party_branch"),
    ("democratic_review", "party_branch"),
)
FREQUENCIES = ("monthly", "quarterly", "yearly")
NEW_SECRETARY_WINDOW_MONTHS = 6


@dataclass(frozen=True)
class Period:
    """A month, quarter or year: its label and first and last days."""

    label: str
    first: date
    last: date


def add_months(day, months):
    """The same day `months` later (clamped to the month's end)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month, d)
        except ValueError:
            continue


def periods(frequency, year, today):
    """The periods of `frequency` in `year` that have ended by `today`."""
    if frequency == "yearly":
        spans = [(str(year), date(year, 1, 1), date(year, 12, 31))]
    elif frequency == "quarterly":
        spans = [(f"{year}-Q{q}", date(year, 3 * q - 2, 1), add_months(date(year, 3 * q - 2, 1), 3) - timedelta(days=1))
                 for q in range(1, 5)]
    else:
        spans = [(f"{year}-{m:02d}", date(year, m, 1), add_months(date(year, m, 1), 1) - timedelta(days=1))
                 for m in range(1, 13)]
    return [Period(label, first, last) for label, first, last in spans if last < today]


def _sessions_by_unit(org, year):
    """{(org_id, type): [local dates]} of sessions in `org`'s subtree during `year`."""
    start, end = local_to_utc(datetime(year, 1, 1)), local_to_utc(datetime(year + 1, 1, 1))
    rows = db.session.execute(
        select(TrainingSession.org_id, TrainingSession.type, TrainingSession.starts_at)
        .join(OrgUnit, TrainingSession.org_id == OrgUnit.id)
        .where(OrgUnit.path.startswith(org.path, autoescape=True), TrainingSession.starts_at >= start,
               TrainingSession.starts_at < end)).all()
    out = {}
    for org_id, type_, starts_at in rows:
        out.setdefault((org_id, type_), []).append(to_local(starts_at).date())
    return out


def _active(unit):
    """True when training is on where `unit` is (a county's compliance skips townships that have it off)."""
    return current_app.extensions["portal"].is_active("training", unit)


def branches_at(org):
    """Party branches at or below `org` (or the branch a party group belongs to) where training is on."""
    if org.kind == "party_group":
        return [b for b in [org.ancestor_of_kind("party_branch")] if b is not None]
    return [b for b in db.session.scalars(org.subtree_query().where(OrgUnit.kind == "party_branch")
                                          .order_by(OrgUnit.path)) if _active(b)]


def period_of(frequency, day):
    """The month, quarter or year of `frequency` that holds `day`."""
    return next(p for p in periods(frequency, day.year, date(day.year + 1, 1, 1)) if p.first <= day <= p.last)


def meeting_gaps(org, year, today):
    """[{branch, unit, type, type_label, frequency, period}] for each required meeting not held."""
    return _not_held(org, year, lambda frequency: periods(frequency, year, today))


def meetings_to_hold(org, today):
    """The same for the period now running (this month, quarter or year) at the branches at or below `org`:
    a branch's to-do list of 三会一课 (a party group's: its own meetings only)."""
    todo = _not_held(org, today.year, lambda frequency: [period_of(frequency, today)])
    return [g for g in todo if g["unit"].id == org.id] if org.kind == "party_group" else todo


def _not_held(org, year, periods_for):
    """[{branch, unit, type, type_label, frequency, period}] for each required meeting of `year` not held in
    a period that `periods_for(frequency)` names."""
    held = _sessions_by_unit(org.ancestor_of_kind("party_branch") if org.kind == "party_group" else org, year)
    branches = branches_at(org)
    groups_of = {}  # branch id -> its party groups, read in one query (a county has 400 branches)
    if branches:
        for group in db.session.scalars(select(OrgUnit).where(OrgUnit.parent_id.in_([b.id for b in branches]),
                                                              OrgUnit.kind == "party_group").order_by(OrgUnit.code)):
            groups_of.setdefault(group.parent_id, []).append(group)
    keys = [f"training.frequency.{type_}" for type_, _holder in REGULAR_TYPES]
    periods_of = {}  # frequency -> its periods asked for
    gaps = []
    for branch in branches:
        groups = groups_of.get(branch.id, [])
        frequencies = get_settings(branch, *keys)
        for (type_, holder), key in zip(REGULAR_TYPES, keys):
            frequency = frequencies[key]
            if frequency not in periods_of:
                periods_of[frequency] = periods_for(frequency)
            units = [branch] if holder == "party_branch" else groups
            for unit in units:
                if org.kind == "party_group" and unit.kind == "party_group" and unit.id != org.id:
                    continue
                dates = held.get((unit.id, type_), [])
                for period in periods_of[frequency]:
                    # a party group is no older than its branch: a new branch's groups, imported without
                    # a date of their own, owe nothing before it either
                    if not (unit.existed_on(period.last) and branch.existed_on(period.last)):
                        continue
                    if not any(period.first <= d <= period.last for d in dates):
                        gaps.append({"branch": branch, "unit": unit, "type": type_, "type_label": TYPE_LABELS[type_],
                                     "frequency": frequency, "period": period})
    return gaps


def behind_on_hours(org, year, today):
    """Rows of member_hours() for people below what they should have by `today`."""
    return [r for r in member_hours(org, year, today) if r["kind"] and r["behind"] and _active(r["branch"])]


def by_township(org, gaps, behind):
    """[(township, meetings not held, people behind on hours)] of every township with training on
    below `org`, by code, from the rows of meeting_gaps() and behind_on_hours(): a county's roll-up.
    Empty when the branches are all of one township."""
    branches = branches_at(org)
    town_of = org.nearest_of_kind(branches, "township")
    tally = {}
    for branch in branches:
        town = town_of[branch.id]
        if town is not None:
            tally.setdefault(town.code, [town, 0, 0])
    for rows, column in ((gaps, 1), (behind, 2)):
        for row in rows:
            town = town_of.get(row["branch"].id)
            if town is not None and town.code in tally:
                tally[town.code][column] += 1
    return [tuple(entry) for _code, entry in sorted(tally.items())] if len(tally) > 1 else []


def _county_trained(person_ids, since, until):
    """{person_id: first date} of attendance at a party-school session organized by a county."""
    if not person_ids:
        return {}
    rows = db.session.execute(
        select(Attendance.person_id, TrainingSession.starts_at)
        .join(TrainingSession, Attendance.session_id == TrainingSession.id)
        .join(OrgUnit, TrainingSession.org_id == OrgUnit.id)
        .where(Attendance.person_id.in_(list(person_ids)), Attendance.status.in_(ATTENDED),
               TrainingSession.type == "party_school", OrgUnit.kind == "county",
               TrainingSession.starts_at >= local_to_utc(datetime.combine(since, datetime.min.time())),
               TrainingSession.starts_at < local_to_utc(datetime.combine(until + timedelta(days=1),
                                                                         datetime.min.time())))
        .order_by(TrainingSession.starts_at)).all()
    out = {}
    for pid, starts_at in rows:
        out.setdefault(pid, to_local(starts_at).date())
    return out


def village_secretaries(org, today):
    """Current secretaries of village (and community) party branches at or below `org`."""
    positions = db.session.scalars(
        select(Position).join(OrgUnit, Position.org_id == OrgUnit.id)
        .where(OrgUnit.path.startswith(org.path, autoescape=True), OrgUnit.kind == "party_branch",
               Position.title == "secretary", Position.start_date <= today,
               (Position.end_date.is_(None)) | (Position.end_date >= today))
        .order_by(OrgUnit.path))
    return [p for p in positions if p.org.parent is not None and p.org.parent.kind in ("village", "community")
            and _active(p.org)]


def rotation(org, today):
    """Village secretaries not trained by the county this year, and new secretaries not trained in time.

    Returns (not_this_year, new): rows {position, village, trained_on/due, overdue}.
    """
    secretaries = village_secretaries(org, today)
    ids = [p.person_id for p in secretaries]
    this_year = _county_trained(ids, date(today.year, 1, 1), today)
    not_this_year = [{"position": p, "village": p.org.parent} for p in secretaries if p.person_id not in this_year]
    new = []
    for p in secretaries:
        if p.start_date < add_months(today, -12):
            continue
        due = add_months(p.start_date, NEW_SECRETARY_WINDOW_MONTHS)
        trained = _county_trained([p.person_id], p.start_date, min(due, today)).get(p.person_id)
        if trained is None:
            new.append({"position": p, "village": p.org.parent, "due": due, "overdue": today > due})
    return not_this_year, new


def summary(org, year, today):
    """Counts for the dashboard tiles and the top of the compliance page."""
    gaps = meeting_gaps(org, year, today)
    behind = behind_on_hours(org, year, today)
    not_this_year, new = rotation(org, today) if year == today.year else ([], [])
    return {"gaps": len(gaps), "branches_with_gaps": len({g["branch"].id for g in gaps}),
            "behind": len(behind), "untrained": len(not_this_year), "new_untrained": len(new)}


def gaps_by_type(gaps):
    """[(type label, count)] for the chart."""
    counts = {}
    for g in gaps:
        counts[g["type_label"]] = counts.get(g["type_label"], 0) + 1
    return [(str(TYPE_LABELS[t]), counts.get(TYPE_LABELS[t], 0)) for t, _h in REGULAR_TYPES]


def narrowed(gaps, behind, branch_code="", type_=""):
    """(gaps, behind): the rows of meeting_gaps() and behind_on_hours() of the party branch `branch_code`
    and (meetings) of the type `type_`, where they are given."""
    return ([g for g in gaps if (not branch_code or g["branch"].code == branch_code)
             and (not type_ or g["type"] == type_)],
            [r for r in behind if not branch_code or r["branch"].code == branch_code])


def export_rows(org, year, today, branch_code="", type_=""):
    """(headers, rows) of the compliance picture, for XLSX: the meetings not held and the people behind
    on hours of one branch (and type of meeting) when given, as on the page."""
    headers = [_("Section"), _("Party branch"), _("Unit"), _("Item"), _("Period or person"), _("Detail")]
    rows = []
    gaps, behind = narrowed(meeting_gaps(org, year, today), behind_on_hours(org, year, today), branch_code, type_)
    for g in gaps:
        rows.append([_("Meeting not held"), g["branch"].name, g["unit"].name, str(g["type_label"]), g["period"].label,
                     ""])
    for r in behind:
        basis = _("pro rata to date") if r["basis"] == "pro_rata" else _("full year")
        rows.append([_("Behind on hours"), r["branch"].name, r["branch"].name,
                     _("cadre") if r["kind"] == "cadre" else _("member"), r["person"].name,
                     _("%(hours)d of %(expected)d hours (%(basis)s; requirement %(required)d)",
                       hours=r["hours"], expected=r["expected"], basis=basis, required=r["required"])])
    if year == today.year:
        not_this_year, new = rotation(org, today)
        for r in not_this_year:
            rows.append([_("Secretary not trained by the county this year"), r["position"].org.name,
                         r["village"].name, _("Village secretary (村党支部书记)"), r["position"].person.name, ""])
        for r in new:
            rows.append([_("New secretary not trained within 6 months"), r["position"].org.name, r["village"].name,
                         _("Village secretary (村党支部书记)"), r["position"].person.name,
                         _("since %(start)s, due by %(due)s", start=r["position"].start_date.isoformat(),
                           due=r["due"].isoformat())])
    return headers, rows
