"""Monthly statistics per township: computed from cases, published to the ledger, drawn as charts.

Only counts and rates leave this module: never a name, a phone or a description.
"""

from datetime import UTC, date, datetime, time

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import ledger
from portal.charts import bar_chart, column_chart
from portal.extensions import db
from portal.ledger import Publication
from portal.orgs import OrgUnit
from portal.timeutil import LOCAL_TZ, local_today

from .labels import CATEGORY_LABELS
from .models import CATEGORIES, CLOSED, MERGED, PLUGIN, SATISFIED, Case, StatsPublication

KIND = "monthly_stats"

PAYLOAD_SCHEMA = {
    "type": "object",
    "description": "Hotline statistics of one township for one month (cases filed that month; duplicates "
                   "merged into another case are not counted). Rates are percentages with one decimal, "
                   "null when nothing was there to count.",
    "required": ["month", "township_code", "total", "by_category"],
    "properties": {
        "month": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "description": "YYYY-MM (Asia/Shanghai)"},
        "township_code": {"type": "string"},
        "total": {"type": "integer", "description": "cases filed in the month"},
        "by_category": {"type": "object", "description": "cases by category code",
                        "properties": {c: {"type": "integer"} for c in CATEGORIES}},
        "replied": {"type": "integer", "description": "cases that have had a public reply"},
        "closed": {"type": "integer", "description": "cases closed (办结)"},
        "closed_on_time": {"type": "integer", "description": "cases closed by their deadline (with extension)"},
        "rated": {"type": "integer"},
        "satisfied": {"type": "integer", "description": "rated 非常满意, 满意 or 基本满意"},
        "reply_rate": {"type": ["number", "null"], "description": "replied / total, %"},
        "on_time_rate": {"type": ["number", "null"], "description": "closed on time / total, %"},
        "satisfaction_rate": {"type": ["number", "null"], "description": "satisfied / rated, %"},
    },
}


def parse_month(text):
    """(year, month) from 'YYYY-MM'; ValueError otherwise."""
    year, month = (int(x) for x in text.split("-"))
    if not (2000 <= year <= 2100 and 1 <= month <= 12) or len(text) != 7:
        raise ValueError(text)
    return year, month


def previous_month(today=None):
    today = today or local_today()
    first = today.replace(day=1)
    return f"{first.year - (first.month == 1)}-{(first.month - 2) % 12 + 1:02d}"


def _utc(day):
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ).astimezone(UTC).replace(tzinfo=None)


def month_bounds(month):
    """The month as [start, end) in naive UTC."""
    year, m = parse_month(month)
    start = date(year, m, 1)
    end = date(year + (m == 12), m % 12 + 1, 1)
    return _utc(start), _utc(end)


def _rate(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def compute(township, month):
    """The statistics payload of `township` for `month` (YYYY-MM)."""
    start, end = month_bounds(month)
    cases = db.session.scalars(select(Case).where(Case.township_id == township.id, Case.filed_at >= start,
                                                  Case.filed_at < end, Case.state != MERGED)).all()
    by_category = {c: 0 for c in CATEGORIES}
    replied = closed = on_time = rated = satisfied = 0
    for case in cases:
        by_category[case.category] = by_category.get(case.category, 0) + 1
        replied += case.replied_at is not None
        if case.state == CLOSED and case.closed_at is not None:
            closed += 1
            on_time += case.closed_at <= case.due_at
        if case.rating:
            rated += 1
            satisfied += case.rating in SATISFIED
    total = len(cases)
    return {
        "month": month, "township_code": township.code, "total": total, "by_category": by_category,
        "replied": replied, "closed": closed, "closed_on_time": on_time, "rated": rated, "satisfied": satisfied,
        "reply_rate": _rate(replied, total), "on_time_rate": _rate(on_time, total),
        "satisfaction_rate": _rate(satisfied, rated),
    }


def _title(org_name, month):
    return _("Hotline statistics (热线工单统计) of %(org)s, %(month)s", org=org_name, month=month)


def _summary(p):
    def pct(v):
        return "—" if v is None else f"{v}%"

    return _("%(total)d cases filed, reply rate %(reply)s, on-time closure rate %(on_time)s, satisfaction rate "
             "%(satisfaction)s", total=p.get("total") or 0, reply=pct(p.get("reply_rate")),
             on_time=pct(p.get("on_time_rate")), satisfaction=pct(p.get("satisfaction_rate")))


def _recounted():
    return _("Recounted with the latest handling (the figures change as cases are closed or rated).")


def describe(pub):
    """The statistics' title, summary and reason in the reader's language (PublicationKind.describe)."""
    return {"title": _title(pub.org_name, pub.payload.get("month", "")), "summary": _summary(pub.payload),
            "reason": _recounted()}


def publish_month(township, month, user=None):
    """Publish (or correct, when the numbers changed) the statistics; return 'published', 'corrected' or 'unchanged'."""
    payload = compute(township, month)
    row = db.session.scalar(select(StatsPublication).where(StatsPublication.org_id == township.id,
                                                           StatsPublication.month == month))
    with ledger.site_language():  # the ledger keeps the site's words; pages show the reader's (describe)
        title, summary, reason = _title(township.name, month), _summary(payload), _recounted()
    if row is None:
        pub = ledger.publish(plugin=PLUGIN, kind=KIND, org=township, title=title, summary=summary, payload=payload,
                             search_text=summary, user=user)
        db.session.add(StatsPublication(org_id=township.id, month=month, pub_id=pub.pub_id))
        return "published"
    last = ledger.latest(row.pub_id)
    if last is not None and last.action != "withdraw" and last.payload == payload:
        return "unchanged"
    ledger.correct(row.pub_id, reason=reason, title=title, summary=summary, payload=payload, search_text=summary,
                   user=user)
    return "corrected"


def townships_with_hotline():
    host = current_app.extensions["portal"]
    units = db.session.scalars(select(OrgUnit).where(OrgUnit.kind == "township").order_by(OrgUnit.code))
    return [u for u in units if host.is_active(PLUGIN, u)]


def publish_all(month, user=None):
    """Publish the month's statistics for every township with the hotline on; commit; return counts."""
    counts = {"published": 0, "corrected": 0, "unchanged": 0}
    for township in townships_with_hotline():
        counts[publish_month(township, month, user)] += 1
    db.session.commit()
    return counts


def published(org, months=6):
    """The latest published statistics of `org`, oldest month first (payloads from the ledger only)."""
    q = ledger.latest_revisions(Publication.plugin == PLUGIN, Publication.kind == KIND, Publication.org_id == org.id)
    by_month = {}
    for pub in db.session.scalars(q):
        month = (pub.payload or {}).get("month")
        if month and month not in by_month:
            by_month[month] = pub
    return [by_month[m] for m in sorted(by_month)[-months:]]


def charts(pubs):
    """SVG charts of published statistics: cases by category of the latest month, rates by month."""
    if not pubs:
        return []
    last = pubs[-1].payload
    by_cat = last.get("by_category", {})
    out = [bar_chart(_l("Cases by kind, %(month)s", month=last["month"]),
                     [(CATEGORY_LABELS[c], by_cat.get(c, 0)) for c in CATEGORIES if c in CATEGORY_LABELS],
                     label_head=_l("Kind"), value_head=_l("Cases"))]
    months = [p.payload["month"] for p in pubs]

    def series(key):
        return [p.payload.get(key) for p in pubs]  # a rate of a month without cases is None: "—", not 0%

    out.append(column_chart(_l("Rates by month (%)"), months, [
        (_l("Reply rate"), series("reply_rate")),
        (_l("On-time closure rate"), series("on_time_rate")),
        (_l("Satisfaction rate"), series("satisfaction_rate")),
    ], fmt=lambda v: f"{v:g}%", category_head=_l("Month")))
    out.append(column_chart(_l("Cases by month"), months, [(_l("Cases"), [p.payload.get("total") or 0 for p in pubs])],
                            category_head=_l("Month")))
    return out
