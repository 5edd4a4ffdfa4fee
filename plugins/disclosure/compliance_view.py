"""The console's side of the compliance calendar: its page, filters, table rows, exports and the dashboard tile.

The computation itself (on time, late, missing) is compliance.calendar; this module only
chooses the villages and months a township or county officer asked for.
"""

from dataclasses import dataclass, field

from flask import Response, abort, flash, request
from flask_babel import gettext as _

from portal.accounts import org_or_404, permission_required
from portal.console.views import page_of, render_console, working_org
from portal.extensions import db
from portal.orgs import OrgUnit
from portal.tabular import write_csv, write_xlsx
from portal.timeutil import local_today
from portal.ui import Problem

from . import compliance
from .finance import shift_month
from .services import parse_period
from .views import _host, bp

ROWS_PER_PAGE = 500  # a township's year (20 villages) is one page

STATUS_LABELS = compliance.STATUS_LABELS
FIRST_YEAR, LAST_YEAR = 2000, 2100  # a month outside is a typing error (and a due date past 9999 is no date)
CODE_MAX = 40  # the longest code a unit has (OrgUnit.code)
FIELDS = ("township", "village", "from", "to", "status")  # the filters in the order the form shows them


def _month(text):
    """"2026-03" for a month of FIRST_YEAR to LAST_YEAR; None otherwise."""
    parsed = parse_period(text)
    if not parsed or parsed[0] != "month" or not FIRST_YEAR <= parsed[1] <= LAST_YEAR:
        return None
    return f"{parsed[1]:04d}-{parsed[2]:02d}"


def _quoted(value):
    """A typed value as a message quotes it: at most a code's length."""
    return value if len(value) <= CODE_MAX else value[:CODE_MAX] + "…"


@dataclass
class Filters:
    """What the officer asked for: a township, a village, a range of months, a status.

    A value that is not understood is replaced by what the page shows without it, and `problems` says
    so: the officer must not read a calendar of something else believing it is what was asked for.
    `typed` keeps what was typed into those fields, to show it again with its message.
    """

    township: str = ""
    village: str = ""
    first: str = ""
    last: str = ""
    status: str = ""
    problems: list = field(default_factory=list)
    typed: dict = field(default_factory=dict)

    def _refuse(self, name, message, instead, typed=None):
        self.problems.append(Problem(name, message, instead))
        if typed is not None:  # shown again in its field; otherwise the field shows what the page shows
            self.typed[name] = typed

    @classmethod
    def from_args(cls, args, org):
        """The filters asked for in `args` at `org`; every value not understood is in `problems`."""
        filters = cls()
        town = filters._township(args.get("township", "").strip(), org)
        filters._village(args.get("village", "").strip(), org, town)
        filters._months(args)
        status = args.get("status", "").strip()
        if status and status not in compliance.STATUSES:
            filters._refuse("status", _("“%(value)s” is not one of the statuses.", value=_quoted(status)),
                            _("Showing every status instead."))
        else:
            filters.status = status
        # the months are checked "to" first (a bound not understood follows from the other): the
        # messages are read in the order of the form's fields all the same
        filters.problems.sort(key=lambda p: FIELDS.index(p.field))
        return filters

    def _months(self, args):
        """The range of months: by default the twelve that ended last month. A bound left out or not
        understood follows from the other one; a range typed backwards is turned round; a range longer
        than MONTHS_MAX keeps its last months."""
        today = local_today()
        default_last = shift_month(f"{today.year:04d}-{today.month:02d}", -1)
        typed_first, typed_last = args.get("from", "").strip(), args.get("to", "").strip()
        first, last = _month(typed_first), _month(typed_last)
        if last is None:
            last = max(default_last, first or default_last)
            if typed_last:
                self._refuse("to", _not_a_month(typed_last), _("Showing up to %(month)s instead.", month=last),
                             typed=typed_last)
        if first is None:
            first = shift_month(last, -11)
            if typed_first:
                self._refuse("from", _not_a_month(typed_first), _("Showing from %(month)s instead.", month=first),
                             typed=typed_first)
        if first > last:  # both typed, the wrong way round
            self._refuse("to", _("The range ends (%(last)s) before it starts (%(first)s).", first=first, last=last),
                         _("Showing %(first)s to %(last)s instead.", first=last, last=first))
            first, last = last, first
        if shift_month(first, compliance.MONTHS_MAX - 1) < last:
            shown = shift_month(last, 1 - compliance.MONTHS_MAX)
            self._refuse("from", _("The range %(first)s to %(last)s is longer than %(max)d months.",
                                   first=first, last=last, max=compliance.MONTHS_MAX),
                         _("Showing %(first)s to %(last)s instead.", first=shown, last=last))
            first = shown
        self.first, self.last = first, last

    def _township(self, code, org):
        """The township `code` names if it is one whose villages `org` covers; else None (and a problem)."""
        if not code:
            return None
        town = OrgUnit.by_code(code) if len(code) <= CODE_MAX else None
        if town is None or town.kind != "township" or not (town.is_within(org) or org.is_within(town)):
            self._refuse("township", _("No township below %(org)s has the code “%(value)s”.",
                                       org=org.name, value=_quoted(code)), _("Showing all townships instead."))
            return None
        self.township = code
        return town

    def _village(self, code, org, town):
        """The village `code`, if it is one below `org` (and `town`, when one was chosen); else a problem."""
        if not code:
            return
        village = OrgUnit.by_code(code) if len(code) <= CODE_MAX else None
        if village is not None and village.kind == "village" and village.is_within(org) \
                and (town is None or village.is_within(town)):
            self.village = code
        elif town is not None:
            self._refuse("village", _("No village of %(township)s has the code “%(value)s”.",
                                      township=town.name, value=_quoted(code)),
                         _("Showing all villages of %(township)s instead.", township=town.name))
        else:
            self._refuse("village", _("No village below %(org)s has the code “%(value)s”.",
                                      org=org.name, value=_quoted(code)), _("Showing all villages instead."))


def _not_a_month(value):
    return _("“%(value)s” is not a month from %(first)d-01 to %(last)d-12, such as 2026-03.",
             value=_quoted(value), first=FIRST_YEAR, last=LAST_YEAR)


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
    fmt = request.args.get("format", "")
    status = 200
    # a download is a file read elsewhere, without the page's messages: with a filter not understood
    # it is refused (400) and the page says why, rather than a file of something else
    if fmt and fmt not in ("csv", "xlsx"):
        flash(_("“%(value)s” is not a download format: choose CSV or XLSX.", value=_quoted(fmt)), "error")
        status = 400
    elif fmt and filters.problems:
        flash(_("Nothing was downloaded: a filter was not understood (see below). Correct it, or download what "
                "the page shows."), "error")
        status = 400
    elif fmt:
        data, mime, ext = export(org, found, fmt)
        name = f"disclosure-compliance-{org.code}.{ext}"
        return Response(data, mimetype=mime, headers={"Content-Disposition": f"attachment; filename={name}"})
    page = page_of(found, ROWS_PER_PAGE)  # a county has 6,800 rows a year: the downloads hold them all
    return render_console("disclosure/console/compliance.html", org=org, page=page, filters=filters,
                          options=options(org, filters), counts=counts(found), by_township=by_township(org, found),
                          towns=township_names(org, page.items), status_labels=STATUS_LABELS), status
