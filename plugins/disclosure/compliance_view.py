"""The console's side of the compliance calendar: its page, filters, table rows, exports and the dashboard tile.

The computation itself (on time, late, missing) is compliance.calendar; this module only
chooses the villages and months a township or county officer asked for.
"""

from dataclasses import dataclass

from flask import Response, abort, request
from flask_babel import gettext as _

from portal.accounts import org_or_404, permission_required
from portal.console.views import page_of, render_console, working_org
from portal.extensions import db
from portal.orgs import OrgUnit
from portal.tabular import write_csv, write_xlsx
from portal.timeutil import local_today

from . import compliance
from .finance import shift_month
from .services import parse_period
from .views import _host, bp

ROWS_PER_PAGE = 500  # a township's year (20 villages) is one page

STATUS_LABELS = compliance.STATUS_LABELS


def _month(text):
    parsed = parse_period(text)
    return f"{parsed[1]:04d}-{parsed[2]:02d}" if parsed and parsed[0] == "month" else None


@dataclass
class Filters:
    """What the officer asked for: a township, a village, a range of months, a status."""

    township: str = ""
    village: str = ""
    first: str = ""
    last: str = ""
    status: str = ""

    @classmethod
    def from_args(cls, args, org):
        today = local_today()
        this_month = f"{today.year:04d}-{today.month:02d}"
        last = _month(args.get("to", "")) or shift_month(this_month, -1)
        first = _month(args.get("from", "")) or shift_month(last, -11)
        if first > last:
            first, last = last, first
        status = args.get("status", "")
        return cls(township=args.get("township", "")[:40], village=args.get("village", "")[:40],
                   first=first, last=last, status=status if status in compliance.STATUSES else "")


def _villages(org, filters):
    villages = compliance.villages_under(org)
    if filters.township:
        town = OrgUnit.by_code(filters.township)
        villages = [v for v in villages if town is not None and v.is_within(town)]
    if filters.village:
        villages = [v for v in villages if v.code == filters.village]
    return villages


def rows(org, filters, today=None):
    """Calendar rows for the villages below `org` that match the filters."""
    from flask import current_app

    host = current_app.extensions["portal"]
    villages = [v for v in _villages(org, filters) if host.is_active("disclosure", v)]
    months = compliance.months_between(filters.first, filters.last)
    found = compliance.calendar(villages, months, today or local_today())
    if filters.status:
        found = [r for r in found if r.status == filters.status]
    return found


def counts(found):
    return compliance.counts(found)


def options(org, filters):
    """Townships and villages below `org` for the filter selects; the villages of the township
    chosen, when one is (a county has hundreds)."""
    below = list(db.session.scalars(org.subtree_query().where(OrgUnit.kind.in_(("township", "village")))
                                    .order_by(OrgUnit.code)))
    townships = [u for u in below if u.kind == "township"]
    chosen = next((t for t in townships if t.code == filters.township), None)
    return {"townships": townships,
            "villages": [u for u in below if u.kind == "village" and (chosen is None or u.is_within(chosen))]}


def _townships_of(org, found):
    """{village id: its township unit, or None} for the rows below `org`."""
    return org.nearest_of_kind({r.village.id: r.village for r in found}.values(), "township")


def township_names(org, found):
    """{village id: name of its township} for the rows below `org`."""
    return {village_id: town.name if town else "" for village_id, town in _townships_of(org, found).items()}


def by_township(org, found):
    """[(township, counts)] of the rows below `org` by township code: a county's roll-up; empty when
    the rows are of one township only."""
    towns, rows_of = _townships_of(org, found), {}
    for r in found:
        town = towns[r.village.id]
        if town is not None:
            rows_of.setdefault(town.code, (town, []))[1].append(r)
    if len(rows_of) < 2:
        return []
    return [(town, compliance.counts(town_rows)) for _code, (town, town_rows) in sorted(rows_of.items())]


def export(org, found, fmt):
    """(bytes, mimetype, extension) of the rows as CSV or XLSX."""
    headers = [_("Township"), _("Village"), _("Village code"), _("Period"), _("Requirement"), _("Due"),
               _("Status"), _("Published on"), _("Publication")]
    towns = township_names(org, found)
    table = [[towns.get(r.village.id, ""), r.village.name, r.village.code, r.period, str(r.requirement_label), r.due,
              str(r.status_label), r.published_on, r.pub_id] for r in found]
    if fmt == "xlsx":
        return (write_xlsx(headers, table, title=_("Disclosure compliance")),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
    return write_csv(headers, table), "text/csv; charset=utf-8", "csv"


def tile(org, today=None):
    """Late and missing disclosures of the last twelve months below `org`, for the dashboard."""
    today = today or local_today()
    this_month = f"{today.year:04d}-{today.month:02d}"
    filters = Filters(first=shift_month(this_month, -12), last=shift_month(this_month, -1))
    found = rows(org, filters, today)
    bad = [r for r in found if r.status in ("late", "missing")]
    by_village = {}
    for r in bad:
        entry = by_village.setdefault(r.village.code, {"village": r.village, "late": 0, "missing": 0})
        entry[r.status] += 1
    worst = sorted(by_village.values(), key=lambda e: (-e["missing"], -e["late"], e["village"].code))[:8]
    return {"counts": compliance.counts(found), "worst": worst, "filters": filters, "org_code": org.code}


# --- the page --------------------------------------------------------------------------------

@bp.route("/compliance", endpoint="compliance")
@permission_required("disclosure.compliance")
def calendar_page():
    """For every village and period in scope: on time, late or missing; filtered; CSV or XLSX."""
    org = working_org()
    if org is None:
        abort(404)
    org = org_or_404(org.code, "disclosure.compliance")
    _host().require_active("disclosure", org)
    filters = Filters.from_args(request.args, org)
    found = rows(org, filters)
    fmt = request.args.get("format")
    if fmt in ("csv", "xlsx"):
        data, mime, ext = export(org, found, fmt)
        name = f"disclosure-compliance-{org.code}.{ext}"
        return Response(data, mimetype=mime, headers={"Content-Disposition": f"attachment; filename={name}"})
    page = page_of(found, ROWS_PER_PAGE)  # a county has 6,800 rows a year: the downloads hold them all
    return render_console("disclosure/console/compliance.html", org=org, page=page, filters=filters,
                          options=options(org, filters), counts=counts(found), by_township=by_township(org, found),
                          towns=township_names(org, page.items), status_labels=STATUS_LABELS)
