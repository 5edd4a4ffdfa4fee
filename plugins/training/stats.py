"""Public aggregates per township and quarter (sessions, person-times, hours), via the ledger.

Only counts leave the plugin: no names, no per-person figures. A re-run with the same numbers
publishes nothing; changed numbers publish a correction of the quarter's publication.
"""

import re
from datetime import date, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from portal import ledger
from portal.extensions import db
from portal.ledger import Publication
from portal.orgs.models import OrgUnit

from .models import ATTENDED, SESSION_TYPES, Attendance, TrainingSession
from .services import local_to_utc

QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
KIND = "quarterly_stats"

PAYLOAD_SCHEMA = {
    "type": "object",
    "description": "Training and party-life sessions held in a township in one quarter (aggregates only).",
    "required": ["quarter", "sessions", "person_times", "hours"],
    "properties": {
        "quarter": {"type": "string", "pattern": "^[0-9]{4}-Q[1-4]$", "description": "e.g. 2026-Q3"},
        "sessions": {"type": "integer", "minimum": 0, "description": "sessions held"},
        "person_times": {"type": "integer", "minimum": 0, "description": "attendances (present or late)"},
        "hours": {"type": "integer", "minimum": 0, "description": "study hours credited, summed over attendees"},
        "by_type": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0},
                    "description": "sessions held by type of session"},
    },
    "additionalProperties": False,
}


def parse_quarter(text):
    """(year, quarter) from '2026-Q3'; ValueError with a message for a bad value."""
    m = QUARTER.match((text or "").strip().upper())
    if not m:
        raise ValueError(_("A quarter is written like 2026-Q3."))
    return int(m.group(1)), int(m.group(2))


def quarter_of(day):
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def previous_quarter(day):
    year, q = day.year, (day.month - 1) // 3 + 1
    return f"{year - 1}-Q4" if q == 1 else f"{year}-Q{q - 1}"


def quarter_bounds(year, q):
    first = date(year, 3 * q - 2, 1)
    nxt = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return local_to_utc(datetime.combine(first, datetime.min.time())), \
        local_to_utc(datetime.combine(nxt, datetime.min.time()))


def quarter_stats(township, quarter):
    """The aggregates of one township and quarter as the publication payload."""
    year, q = parse_quarter(quarter)
    start, end = quarter_bounds(year, q)
    in_scope = (OrgUnit.path.startswith(township.path, autoescape=True), TrainingSession.starts_at >= start,
                TrainingSession.starts_at < end)
    by_type = dict(db.session.execute(
        select(TrainingSession.type, func.count(TrainingSession.id))
        .join(OrgUnit, TrainingSession.org_id == OrgUnit.id).where(*in_scope)
        .group_by(TrainingSession.type)).all())
    person_times, hours = db.session.execute(
        select(func.count(Attendance.id), func.coalesce(func.sum(TrainingSession.hours), 0))
        .join(TrainingSession, Attendance.session_id == TrainingSession.id)
        .join(OrgUnit, TrainingSession.org_id == OrgUnit.id)
        .where(*in_scope, Attendance.status.in_(ATTENDED))).one()
    return {"quarter": f"{year}-Q{q}", "sessions": int(sum(by_type.values())), "person_times": int(person_times),
            "hours": int(hours), "by_type": {t: int(by_type[t]) for t, _l in SESSION_TYPES if by_type.get(t)}}


def existing(township, quarter):
    """The latest revision of the township's publication for `quarter`, or None."""
    for pub in db.session.scalars(ledger.latest_revisions(
            Publication.plugin == "training", Publication.kind == KIND, Publication.org_id == township.id)):
        if (pub.payload or {}).get("quarter") == quarter:
            return pub
    return None


def _title(org_name, quarter):
    return _("%(org)s training and party-life sessions, %(quarter)s", org=org_name, quarter=quarter)


def _summary(payload):
    return _("%(sessions)d sessions held, %(times)d person-times, %(hours)d study hours.",
             sessions=payload.get("sessions", 0), times=payload.get("person_times", 0), hours=payload.get("hours", 0))


def _recounted():
    return _("Recounted: sessions or attendance were recorded or corrected after the first publication.")


def describe(pub):
    """The quarter's title, summary and reason in the reader's language (PublicationKind.describe)."""
    return {"title": _title(pub.org_name, pub.payload.get("quarter", "")), "summary": _summary(pub.payload),
            "reason": _recounted()}


def publish_township(township, quarter, user=None, published_at=None):
    """Publish (or correct) one township's quarter; return 'published', 'corrected' or 'unchanged'."""
    payload = quarter_stats(township, quarter)
    prev = existing(township, quarter)
    with ledger.site_language():  # the ledger keeps the site's words; pages show the reader's (describe)
        title, summary, reason = _title(township.name, quarter), _summary(payload), _recounted()
    if prev is None:
        ledger.publish(plugin="training", kind=KIND, org=township, title=title, summary=summary, payload=payload,
                       search_text=summary, user=user, published_at=published_at)
        return "published"
    if prev.payload == payload:
        return "unchanged"
    ledger.correct(prev.pub_id, reason=reason, title=title, summary=summary, payload=payload, search_text=summary,
                   user=user, published_at=published_at)
    return "corrected"


def publish_stats(quarter, user=None, published_at=None):
    """Publish the quarter's aggregates for every township where training is on: [(township, outcome)]."""
    parse_quarter(quarter)
    host = current_app.extensions["portal"]
    out = []
    for township in db.session.scalars(select(OrgUnit).where(OrgUnit.kind == "township").order_by(OrgUnit.code)):
        if host.is_active("training", township):
            out.append((township, publish_township(township, quarter, user=user,
                                                                published_at=published_at)))
    return out


def public_rows(township):
    """[(quarter, payload, pub_id)] of the township's published quarters, newest first (ledger only)."""
    rows = [(p.payload.get("quarter", ""), p.payload, p.pub_id) for p in db.session.scalars(
        ledger.latest_revisions(Publication.plugin == "training", Publication.kind == KIND,
                                Publication.org_id == township.id))]
    return sorted(rows, key=lambda r: r[0], reverse=True)
