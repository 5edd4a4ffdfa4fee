"""Sessions and attendance: the rules for recording them, without a request.

Members of a unit are the people holding a position there or below on the session's day
(core Position rows); attendance of anyone else is refused. A person cannot attend two
sessions whose times overlap. Every refusal is a TrainingError with messages for the user,
and nothing is saved.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal import audit
from portal.extensions import db
from portal.orgs import get_setting
from portal.orgs.models import OrgUnit, Person, Position
from portal.tabular import TableError, cell_error, read_table
from portal.timeutil import LOCAL_TZ, to_local

from .models import ATTENDED, ORGANIZER_KINDS, STATUS_LABELS, TYPE_LABELS, Attendance, TrainingSession

MAX_SESSION_DAYS = 31
# Types only a party branch holds, and the one only a party group holds (三会一课 counting relies on it).
BRANCH_TYPES = ("branch_meeting", "committee_meeting", "life_meeting", "democratic_review")
GROUP_TYPES = ("group_meeting",)
SHEET_STATUSES = {"出席": "present", "到会": "present", "缺席": "absent", "请假": "excused", "迟到": "late",
                  "present": "present", "absent": "absent", "excused": "excused", "late": "late"}
SHEET_ALIASES = {"name": "姓名", "status": "状态", "手机尾号": "手机号后四位", "phone4": "手机号后四位"}


@dataclass
class TrainingError(ValueError):
    """A refused change; `errors` are messages for the user, `fields` maps form fields to messages."""

    errors: list = field(default_factory=list)
    fields: dict = field(default_factory=dict)

    def __str__(self):
        return " ".join(str(e) for e in self.errors + list(self.fields.values()))


# --- time ----------------------------------------------------------------------------------

def local_to_utc(value):
    """A naive Asia/Shanghai datetime (as typed in a form) as naive UTC."""
    return value.replace(tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def session_day(session):
    """The local date a session starts on (positions are checked against it)."""
    return to_local(session.starts_at).date()


def local_label(dt):
    return to_local(dt).strftime("%Y-%m-%d %H:%M")


# --- members ---------------------------------------------------------------------------------

def member_positions(org, day):
    """Positions held on `day` at `org` or any unit below it."""
    return list(db.session.scalars(
        select(Position).join(OrgUnit, Position.org_id == OrgUnit.id)
        .where(OrgUnit.path.startswith(org.path, autoescape=True), Position.start_date <= day,
               (Position.end_date.is_(None)) | (Position.end_date >= day))
        .order_by(OrgUnit.path, Position.id)))


def members(org, day):
    """The people who are members of `org` on `day`, by name (each once)."""
    seen, out = set(), []
    for pos in member_positions(org, day):
        if pos.person_id not in seen:
            seen.add(pos.person_id)
            out.append(pos.person)
    return sorted(out, key=lambda p: (p.name, p.id))


def _organizers(org):
    """A select of the units at or below `org` that may organize sessions (branches, groups, townships, counties)."""
    return org.subtree_query().where(OrgUnit.kind.in_(ORGANIZER_KINDS))


def organizer_units(org):
    """Units at or below `org` that may organize sessions, by place in the tree."""
    return list(db.session.scalars(_organizers(org).order_by(OrgUnit.path)))


def organizes_sessions(org):
    """Whether a session can be recorded at `org`: it or a unit below it organizes sessions.

    A village committee, a supervision committee or a village without a party branch holds no
    sessions of its own; its members' hours come from sessions their branch, township or county held.
    """
    return db.session.scalar(_organizers(org).with_only_columns(OrgUnit.id).limit(1)) is not None


# --- sessions --------------------------------------------------------------------------------

def hour_settings(org):
    return {k: get_setting(org, f"training.hours.{k}") for k in ("full_day", "half_day", "one_hour")}


def default_hours(org, starts_at, ends_at):
    """The hours a session of this length counts for: a full day, half a day, or per hour."""
    s = hour_settings(org)
    length = (ends_at - starts_at).total_seconds() / 3600
    if length >= 6:
        days = max(1, (to_local(ends_at).date() - to_local(starts_at).date()).days + 1)
        return s["full_day"] * days
    if length >= 3:
        return s["half_day"]
    return max(1, round(length)) * s["one_hour"]


def _check_session(org, type_, starts_at, ends_at, hours, topic):
    errors = {}
    if org is None or org.kind not in ORGANIZER_KINDS:
        errors["org"] = _("Sessions are organized by a party branch, a party group, a township or a county.")
    if type_ not in TYPE_LABELS:
        errors["type"] = _("Choose a type of session from the list.")
    elif org is not None:
        if type_ in BRANCH_TYPES and org.kind != "party_branch":
            errors["type"] = _("%(type)s is held by a party branch.", type=TYPE_LABELS[type_])
        if type_ in GROUP_TYPES and org.kind != "party_group":
            errors["type"] = _("%(type)s is held by a party group.", type=TYPE_LABELS[type_])
    if not (topic or "").strip():
        errors["topic"] = _("Give the topic of the session.")
    if starts_at is None:
        errors["starts_at"] = _("Give the start date and time.")
    if ends_at is None:
        errors["ends_at"] = _("Give the end date and time.")
    if starts_at is not None and ends_at is not None:
        if ends_at <= starts_at:
            errors["ends_at"] = _("The session must end after it starts.")
        elif ends_at - starts_at > timedelta(days=MAX_SESSION_DAYS):
            errors["ends_at"] = _("A session may last at most %(n)d days.", n=MAX_SESSION_DAYS)
    if hours is None:
        if "ends_at" not in errors and starts_at is not None and ends_at is not None and org is not None:
            hours = default_hours(org, starts_at, ends_at)
    elif not isinstance(hours, int) or hours <= 0:
        errors["hours"] = _("Hours must be a positive whole number.")
    elif org is not None and starts_at is not None and ends_at is not None and ends_at > starts_at:
        days = (to_local(ends_at).date() - to_local(starts_at).date()).days + 1
        cap = hour_settings(org)["full_day"] * days
        if hours > cap:
            errors["hours"] = _("%(hours)d hours is too many: a session over %(days)d day(s) counts for at "
                                "most %(cap)d hours (a full day is %(full)d).", hours=hours, days=days, cap=cap,
                                full=hour_settings(org)["full_day"])
    if errors:
        raise TrainingError(fields=errors)
    return hours


def overlapping(person_ids, starts_at, ends_at, exclude_session_id=None):
    """{other session: [people]} for people who attended another session overlapping the times."""
    if not person_ids:
        return {}
    rows = db.session.execute(
        select(TrainingSession, Person).join(Attendance, Attendance.session_id == TrainingSession.id)
        .join(Person, Person.id == Attendance.person_id)
        .where(Attendance.person_id.in_(list(person_ids)), Attendance.status.in_(ATTENDED),
               TrainingSession.starts_at < ends_at, TrainingSession.ends_at > starts_at,
               TrainingSession.id != (exclude_session_id or 0))
        .order_by(TrainingSession.starts_at, Person.name)).all()
    out = {}
    for other, person in rows:
        out.setdefault(other, []).append(person)
    return out


def overlap_messages(clashes):
    return [_("%(names)s already attended “%(topic)s” (%(org)s, %(start)s–%(end)s), which overlaps this session.",
              names="、".join(p.name for p in people), topic=other.topic, org=other.org.name,
              start=local_label(other.starts_at), end=to_local(other.ends_at).strftime("%H:%M"))
            for other, people in clashes.items()]


def save_session(session, *, org, type, starts_at, ends_at, hours, topic, lecturer="", place="", minutes="",
                 user=None):
    """Create (session=None) or edit a session; times are naive UTC. Return the session."""
    hours = _check_session(org, type, starts_at, ends_at, hours, topic)
    if session is not None and session.attendance:
        if not org.is_within(session.org) and not session.org.is_within(org):
            raise TrainingError(fields={"org": _("A session with attendance cannot move to another unit.")})
        attended = {a.person_id for a in session.attendance if a.status in ATTENDED}
        clashes = overlapping(attended, starts_at, ends_at, exclude_session_id=session.id)
        if clashes:
            raise TrainingError(errors=overlap_messages(clashes))
    new = session is None
    if new:
        session = TrainingSession(created_by_id=user.id if user is not None else None, materials=[])
        db.session.add(session)
    session.org_id, session.org = org.id, org
    session.type, session.starts_at, session.ends_at, session.hours = type, starts_at, ends_at, hours
    session.topic = topic.strip()[:200]
    session.lecturer = (lecturer or "").strip()[:60] or None
    session.place = (place or "").strip()[:120] or None
    session.minutes = (minutes or "").strip() or None
    db.session.flush()
    audit.record("training.session.create" if new else "training.session.edit", obj=session, org=org,
                 detail={"type": type, "hours": hours}, user=user)
    return session


def add_material(session, stored, user=None):
    """Attach an uploaded file (portal.uploads StoredFile) to the session's materials."""
    if any(m["key"] == stored.key for m in session.materials or ()):
        return
    session.materials = list(session.materials or ()) + [stored.as_dict()]
    audit.record("training.material.add", obj=session, org=session.org, detail={"name": stored.name}, user=user)


def delete_session(session, user=None):
    audit.record("training.session.delete", obj=session, org=session.org,
                 detail={"type": session.type, "topic": session.topic}, user=user)
    db.session.delete(session)


# --- attendance ------------------------------------------------------------------------------

def attendance_map(session):
    """{person_id: Attendance} of a session."""
    return {a.person_id: a for a in session.attendance}


def mark_attendance(session, statuses, user=None, method="marked", signed_at=None):
    """Record {person_id: status} for a session, all or nothing; status '' removes a record.

    Refuses people who are not members of the organizing unit on the session's day, unknown
    statuses, and people who attended another session at an overlapping time.
    """
    allowed = {p.id: p for p in members(session.org, session_day(session))}
    errors = []
    for person_id, status in statuses.items():
        if person_id not in allowed:
            person = db.session.get(Person, person_id)
            who = person.name if person is not None else str(person_id)
            errors.append(_("%(name)s is not a member of %(org)s on %(day)s.", name=who, org=session.org.name,
                            day=session_day(session).isoformat()))
        elif status and status not in STATUS_LABELS:
            errors.append(_("Unknown attendance status for %(name)s.", name=allowed[person_id].name))
    if errors:
        raise TrainingError(errors=errors)
    attending = {pid for pid, status in statuses.items() if status in ATTENDED}
    clashes = overlapping(attending, session.starts_at, session.ends_at, exclude_session_id=session.id)
    if clashes:
        raise TrainingError(errors=overlap_messages(clashes))
    existing = attendance_map(session)
    changed = 0
    for person_id, status in statuses.items():
        row = existing.get(person_id)
        if not status:
            if row is not None:
                session.attendance.remove(row)
                changed += 1
            continue
        if row is None:
            row = Attendance(person_id=person_id, status=status, method=method, signed_at=signed_at)
            session.attendance.append(row)
            changed += 1
        elif row.status != status:
            row.status, row.method = status, method
            row.signed_at = signed_at or row.signed_at
            changed += 1
    db.session.flush()
    audit.record("training.attendance." + method, obj=session, org=session.org,
                 detail={"changed": changed}, user=user)
    return changed


def import_sheet(session, data, filename, user=None):
    """Record attendance from a sign-in sheet (CSV/XLSX: 姓名, 状态, optional 手机号后四位).

    Every error is reported by row and column and nothing is saved unless every row is right.
    Returns the number of rows recorded.
    """
    try:
        table = read_table(data, filename, aliases=SHEET_ALIASES)
        table.require(["姓名", "状态"])
    except TableError as exc:
        raise TrainingError(errors=list(exc.errors)) from None
    roster = members(session.org, session_day(session))
    errors, statuses, rows_of = [], {}, {}
    for number, row in table.rows:
        name = str(row.get("姓名") or "").strip()
        raw_status = str(row.get("状态") or "").strip()
        phone4 = str(row.get("手机号后四位") or "").strip()
        if phone4.endswith(".0"):  # a number cell read from XLSX
            phone4 = phone4[:-2]
        if not name:
            errors.append(cell_error(number, "姓名", _("the name is missing.")))
            continue
        status = SHEET_STATUSES.get(raw_status) or SHEET_STATUSES.get(raw_status.lower())
        if status is None:
            errors.append(cell_error(number, "状态", _("“%(value)s” is not one of 出席, 缺席, 请假, 迟到.",
                                                     value=raw_status)))
        if phone4 and not (len(phone4) == 4 and phone4.isdigit()):
            errors.append(cell_error(number, "手机号后四位", _("give exactly the last 4 digits of the phone number.")))
            continue
        found = [p for p in roster if p.name == name and (not phone4 or (p.phone or "").endswith(phone4))]
        if not found:
            errors.append(cell_error(number, "姓名", _("%(name)s is not a member of %(org)s.", name=name,
                                                     org=session.org.name)))
            continue
        if len(found) > 1:
            errors.append(cell_error(number, "姓名", _("%(n)d members are named %(name)s; add 手机号后四位 to tell "
                                                     "them apart.", n=len(found), name=name)))
            continue
        person = found[0]
        if person.id in rows_of:
            errors.append(cell_error(number, "姓名", _("%(name)s is listed twice (also in row %(row)d).",
                                                     name=name, row=rows_of[person.id])))
            continue
        rows_of[person.id] = number
        if status:
            statuses[person.id] = status
    if not table.rows:
        errors.append(_("The sheet has no rows."))
    if errors:
        raise TrainingError(errors=errors)
    try:
        mark_attendance(session, statuses, user=user, method="imported")
    except TrainingError as exc:
        raise TrainingError(errors=exc.errors) from None
    return len(statuses)


def attended_counts(sessions):
    """{session id: how many attended (present or late)} for `sessions`, in one query."""
    ids = [s.id for s in sessions]
    attended = (select(Attendance.session_id, func.count())
                .where(Attendance.session_id.in_(ids), Attendance.status.in_(ATTENDED)).group_by(Attendance.session_id))
    found = dict(db.session.execute(attended).all()) if ids else {}
    return {i: found.get(i, 0) for i in ids}


def sessions_in(org, year=None, type_=None):
    """A select of sessions organized at `org` or below, newest first, optionally for a year and type."""
    q = (select(TrainingSession).join(OrgUnit, TrainingSession.org_id == OrgUnit.id)
         .where(OrgUnit.path.startswith(org.path, autoescape=True)))
    if year:
        start, end = local_to_utc(datetime(year, 1, 1)), local_to_utc(datetime(year + 1, 1, 1))
        q = q.where(TrainingSession.starts_at >= start, TrainingSession.starts_at < end)
    if type_:
        q = q.where(TrainingSession.type == type_)
    return q.order_by(TrainingSession.starts_at.desc(), TrainingSession.id.desc())
