"""Which required disclosures each village made on time: pure computation from the ledger and the settings.

Rules (DOMAIN.md, 村民委员会组织法 §30; settings per township):
- finance: a statement for every month (or quarter, `disclosure.finance_frequency`), due on the fixed
  disclosure day (`disclosure.fixed_day`, default the 10th) of the month after the period;
- general village affairs (村务): at least every quarter (or month, `disclosure.general_frequency`),
  due on the fixed day of the month after the period.
A requirement is on_time when first published on or before its due date (local date), late when
published after it, missing when the due date has passed with nothing published, not_due otherwise.
Only the first publication counts for timeliness: a later correction does not make it late.
Nothing is required of a village for a period that ended before it was established
(OrgUnit.established_on): such a period is not_established (未设立), outside the counts of what was due.
"""

import calendar as _calendar
import datetime as dt
import functools
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from portal.extensions import db
from portal.orgs import get_settings
from portal.timeutil import local_today, to_local

from .finance import parse_month, shift_month
from .models import LedgerPeriod

DEFAULTS = {"disclosure.fixed_day": 10, "disclosure.finance_frequency": "monthly",
            "disclosure.general_frequency": "quarterly"}

STATUSES = ("on_time", "late", "missing", "not_due", "not_established")
DUE_AHEAD_DAYS = 31  # a clerk's to-do list shows what falls due within a month
STATUS_LABELS = {"on_time": _l("On time"), "late": _l("Late"), "missing": _l("Missing"), "not_due": _l("Not yet due"),
                 "not_established": _l("Not yet established")}
REQUIREMENT_LABELS = {"finance": _l("Finance statement (财务)"), "general": _l("Village affairs (村务)")}
# Which payload category satisfies which requirement.
REQUIREMENT_CATEGORY = {"finance": "finance", "general": "village"}


@dataclass
class Row:
    """One required disclosure of one village for one period, and how it went."""

    village: object  # OrgUnit
    period: str  # "2026-10" or "2026-Q4"
    requirement: str  # "finance" | "general"
    status: str
    due: dt.date
    published_on: dt.date | None = None
    pub_id: int | None = None

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def requirement_label(self):
        return REQUIREMENT_LABELS[self.requirement]


def settings_at(org):
    """{key: value} of the disclosure settings at `org` (one lookup), defaults where the plugin has not
    declared them."""
    try:
        found = get_settings(org, *DEFAULTS)
    except (KeyError, ValueError):  # SettingError (a ValueError) for an undeclared key
        found = {}
    return {key: DEFAULTS[key] if found.get(key) is None else found[key] for key in DEFAULTS}


def quarter_of(month):
    """"2026-Q4" for "2026-11"."""
    year, mon = parse_month(month)
    return f"{year:04d}-Q{(mon - 1) // 3 + 1}"


def months_of(period):
    """The months ("YYYY-MM") a period covers."""
    if "-Q" in period:
        year, q = period.split("-Q")
        return [f"{int(year):04d}-{m:02d}" for m in range(3 * int(q) - 2, 3 * int(q) + 1)]
    return [period]


MONTHS_MAX = 60  # five years: a county's calendar of more is a download nobody opens


def months_between(first, last):
    """The months from `first` to `last` inclusive (at most MONTHS_MAX)."""
    out, month = [], first
    while month <= last and len(out) < MONTHS_MAX:
        out.append(month)
        month = shift_month(month, 1)
    return out


def months_of_year(year):
    """The twelve months of `year` as "YYYY-MM"."""
    return [f"{year:04d}-{m:02d}" for m in range(1, 13)]


@functools.lru_cache(maxsize=4096)  # asked for each village and period: a county's record asks 38,400 times
def due_date(period, fixed_day):
    """The fixed disclosure day of the month after `period` (clamped to that month's last day)."""
    year, mon = parse_month(months_of(period)[-1])
    year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    day = max(1, min(int(fixed_day), _calendar.monthrange(year, mon)[1]))
    return dt.date(year, mon, day)


@functools.lru_cache(maxsize=4096)
def period_end(period):
    """The last day of `period` (a month or a quarter)."""
    year, mon = parse_month(months_of(period)[-1])
    return dt.date(year, mon, _calendar.monthrange(year, mon)[1])


def periods_for(frequency, months):
    """The periods (months, or quarters) required for `months` at `frequency`, in order, without repeats."""
    out = []
    for month in months:
        period = quarter_of(month) if frequency == "quarterly" else month
        if period not in out:
            out.append(period)
    return out


def last_period(org, category, today=None):
    """The period a regular disclosure of `category` at `org` is most likely for: the last month, or
    quarter, that has ended, at the frequency of its requirement (finance monthly, 村务 and 党务
    quarterly by default). A new draft's period starts as this."""
    settings = settings_at(org)
    frequency = settings["disclosure.finance_frequency" if category == "finance" else "disclosure.general_frequency"]
    today = today or local_today()
    start = today.replace(day=1)  # of this period: the month, or the quarter's first month
    if frequency == "quarterly":
        start = start.replace(month=(today.month - 1) // 3 * 3 + 1)
    return periods_for(frequency, [(start - dt.timedelta(days=1)).strftime("%Y-%m")])[0]


def _publications(codes, months):
    """{org_code: {key: (first published local date, pub_id)}}: the earliest disclosure at each of `codes`
    under each key it answers (see _keys) that a requirement of `months` wants, from the latest
    revisions that are not withdrawn.

    Read from the periods copied out of the ledger (LedgerPeriod), not from the payloads, and only
    for the publications that answer those months: a county's five years of statements are not
    read to count one year.
    """
    codes = list(codes)
    if not codes:
        return {}
    periods, statement_months = _periods_wanted(months)
    table = LedgerPeriod.__table__  # rows, not objects
    answering = select(table.c.pub_id).where(table.c.org_code.in_(codes),
                                             or_(table.c.period.in_(periods), table.c.month.in_(statement_months)))
    first, latest = {}, {}
    # every revision of those publications: the latest decides, even if it moved to another period
    for row in db.session.execute(select(table).where(table.c.pub_id.in_(answering)).order_by(table.c.seq)):
        if row.revision == 1:
            first[row.pub_id] = row.published_at
        latest[row.pub_id] = row  # revisions come in ledger order: the last one stays
    out = {}
    for pub_id, row in latest.items():
        if row.action == "withdraw":
            continue
        found = (to_local(first.get(pub_id, row.published_at)).date(), pub_id)
        earliest = out.setdefault(row.org_code, {})
        for key in _keys(row.category, row.period, row.month):
            if key not in earliest or found < earliest[key]:
                earliest[key] = found
    return out


def _periods_wanted(months):
    """(periods, statement months) that the keys wanted by any requirement of `months` name (see _wanted)."""
    keys = {key for month in months for period in {month, quarter_of(month)}
            for requirement in REQUIREMENT_CATEGORY for key in _wanted(requirement, period)}
    return sorted({k[1] for k in keys if len(k) == 2}), sorted({k[2] for k in keys if len(k) == 3})


def _keys(category, period, month):
    """The keys a disclosure answers: its category with its own period, and with its statement's month."""
    keys = [(category, period)] if period else []
    if month:
        keys.append((category, "statement", month))
    return keys


@functools.lru_cache(maxsize=4096)
def _wanted(requirement, period):
    """The keys of the disclosures that satisfy `requirement` for `period`: one for the period itself,
    each month of a quarter, the quarter of a month, and for finance a statement of any of its months."""
    category = REQUIREMENT_CATEGORY[requirement]
    months = months_of(period)
    keys = [(category, period)] + [(category, m) for m in months if m != period]
    if "-Q" not in period:
        keys.append((category, quarter_of(period)))
    if requirement == "finance":
        keys += [(category, "statement", m) for m in months]
    return tuple(keys)


def calendar(villages, periods, today=None):
    """Rows (village, period, requirement, status, due, published_on, pub_id) for `villages` over `periods`.

    `periods` are the months ("YYYY-MM") to cover; each village's settings decide whether its
    requirements are monthly or quarterly. `today` is the local date (default: today in Asia/Shanghai).
    """
    today = today or local_today()
    months = [p for period in periods for p in months_of(period)]
    villages = list(villages)
    found = _publications((v.code for v in villages), months)
    periods_of = {}  # frequency -> its periods (the same for every village)
    rows = []
    for village in villages:
        settings = settings_at(village)
        fixed_day = settings["disclosure.fixed_day"]
        earliest = found.get(village.code, {})
        for requirement, key in (("finance", "disclosure.finance_frequency"),
                                 ("general", "disclosure.general_frequency")):
            frequency = settings[key]
            if frequency not in periods_of:
                periods_of[frequency] = periods_for(frequency, months)
            for period in periods_of[frequency]:
                due = due_date(period, fixed_day)
                match = min((earliest[k] for k in _wanted(requirement, period) if k in earliest), default=None)
                if not village.existed_on(period_end(period)):
                    # a village set up in June owed nothing for May; what it published anyway is still linked
                    on, pub_id = match or (None, None)
                    rows.append(Row(village, period, requirement, "not_established", due, on, pub_id))
                elif match:
                    on, pub_id = match
                    status = "on_time" if on <= due else "late"
                    rows.append(Row(village, period, requirement, status, due, on, pub_id))
                else:
                    rows.append(Row(village, period, requirement, "missing" if today > due else "not_due", due))
    return rows


def counts(rows):
    """{status: number} for every status, and the on-time rate (%) of the requirements already due (neither
    not_due nor not_established)."""
    out = {s: 0 for s in STATUSES}
    for row in rows:
        out[row.status] += 1
    due = out["on_time"] + out["late"] + out["missing"]
    out["due"] = due
    out["rate"] = round(100 * out["on_time"] / due) if due else None
    return out


def due(village, today=None, ahead_days=DUE_AHEAD_DAYS):
    """The required disclosures of `village` still to be made: those missing (past their due date) in the
    last twelve months, and those due within `ahead_days`, by due date. Its clerk's to-do list."""
    today = today or local_today()
    this_month = f"{today.year:04d}-{today.month:02d}"
    months = months_between(shift_month(this_month, -12), this_month)
    horizon = today + dt.timedelta(days=ahead_days)
    rows = [r for r in calendar([village], months, today)
            if r.status == "missing" or (r.status == "not_due" and r.due <= horizon)]
    return sorted(rows, key=lambda r: (r.due, r.requirement))


def satisfies(category, period, row):
    """Whether a disclosure of `category` for `period` (a draft's) would answer the requirement of `row`."""
    return (category, period) in _wanted(row.requirement, row.period)


def village_record(org, year, today=None):
    """The public record of on-time disclosure of village `org` in `year`: counts and the rows by period."""
    today = today or local_today()
    rows = calendar([org], months_of_year(year), today)
    return {"year": year, "counts": counts(rows), "rows": rows}


def villages_under(org):
    """The villages at or below `org`, by code."""
    from portal.orgs import OrgUnit

    return list(db.session.scalars(org.subtree_query().where(OrgUnit.kind == "village").order_by(OrgUnit.code)))
