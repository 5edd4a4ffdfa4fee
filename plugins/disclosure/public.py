"""Public-facing routes of the disclosure plugin: village disclosure pages, statements, charts, downloads.

Everything here reads the ledger and the org tree only (never the plugin's working tables), so
it works from a read-only replica and in a static export. A township switching the plugin off
stops new work; what was published stays public, so these routes do not check activation.
"""

import io
import json
import re
from datetime import date

from babel.dates import format_skeleton
from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import format_date, get_locale, pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.charts import bar_chart, column_chart
from portal.extensions import db
from portal.ledger import Publication, latest_revisions
from portal.public.services import org_by_code
from portal.public.caching import cache_public
from portal.tabular import YUAN_FORMAT, write_csv, write_xlsx
from portal.timeutil import local_today
from portal.ui import Section
from portal.web import fen

from . import compliance, finance
from .services import default_title

bp = Blueprint("disclosure_public", __name__, template_folder="templates")
cache_public(bp)

CATEGORIES = ("party", "village", "finance", "government")
MONTH_RE = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# Columns of the downloads: the headers a village accountant uses, so a download reads back in.
DOWNLOAD_HEADERS = ("日期", "凭证号", "科目代码", "科目", "摘要", "收入金额", "支出金额")
# The workbook is the cash book (日记账) itself: a running balance beside the lines.
SHEET_HEADERS = (*DOWNLOAD_HEADERS, "余额")
SHEET_WIDTHS = (12, 10, 10, 14, 32, 14, 14, 14)


def _org_or_404(code):
    org = org_by_code(code)
    if org is None:
        abort(404)
    return org


def _month_or_404(month):
    if not MONTH_RE.match(month or ""):
        abort(404)
    return month


def disclosures(org_code):
    """Latest revisions of the published disclosures at `org_code`, newest first."""
    return [p for p in db.session.scalars(latest_revisions(
        Publication.plugin == finance.PLUGIN, Publication.kind == finance.KIND, Publication.org_code == org_code))
        if isinstance(p.payload, dict)]


def _year_of(pub):
    period = pub.payload.get("period")
    if isinstance(period, str) and re.match(r"^\d{4}", period):
        return int(period[:4])
    return pub.published_at.year


def _period_key(pub):
    """Sort key of a disclosure by the end of its period (a quarter after its last month), then by pub_id."""
    period = pub.payload.get("period") or ""
    m = re.fullmatch(r"(\d{4})-(?:(\d{2})|Q([1-4]))", period)
    if m:
        year, month, quarter = m.groups()
        end = (int(year), int(month) if month else 3 * int(quarter), 1 if quarter else 0)
    else:  # immediate and on-request items: when they were published
        end = (pub.published_at.year, pub.published_at.month, 2)
    return end + (pub.pub_id,)


def _label_period(period):
    if not period:
        return ""
    if "-Q" in period:
        year, q = period.split("-Q")
        return _("Q%(q)s %(year)s", q=q, year=year)
    return period


@bp.app_template_filter("disclosure_period")
def disclosure_period(period):
    """A payload period for people: "2026-10" stays, "2026-Q4" reads "Q4 2026"."""
    return _label_period(period)


# --- the words the code wrote, in the reader's language (PublicationKind.describe) -------------

def _period_words(period):
    """A period inside a sentence: "October 2026" (2026年10月), "Q4 2026" (2026年第4季度)."""
    if MONTH_RE.match(period):
        return format_skeleton("yMMMM", date(int(period[:4]), int(period[5:7]), 1), locale=get_locale())
    return _label_period(period)


def _title_words(org_name, category, period):
    what = {"party": pgettext("disclosure title", "Party affairs"),
            "village": pgettext("disclosure title", "Village affairs"),
            "finance": pgettext("disclosure title", "Finance"),
            "government": pgettext("disclosure title", "Government affairs")}[category]
    if not period:
        return _("%(category)s disclosure of %(org)s", category=what, org=org_name)
    return _("%(category)s disclosure of %(org)s, %(period)s", category=what, org=org_name,
             period=_period_words(period))


def _statement_words(statement):
    return _("%(month)s: income %(income)s yuan, expense %(expense)s yuan, closing balance %(closing)s yuan",
             month=statement["month"], income=finance.yuan(statement["income_fen"]),
             expense=finance.yuan(statement["expense_fen"]), closing=finance.yuan(statement["closing_fen"]))


def describe(pub):
    """A disclosure's title and summary in the reader's language where the code wrote them
    (PublicationKind.describe).

    The code writes the default title (services.default_title, when the clerk typed none), the title
    of a major decision's resolution or result (decisions.disclosure_text) and a finance statement's
    summary (services.summary_of), all stored in Chinese; a title the clerk typed, a summary taken
    from the text and a correction's reason are a person's words and are shown as stored (None).
    """
    from .decision_public import disclosure_title_words  # not above: decision_public imports this module

    payload = pub.payload
    category, period, statement = payload.get("category"), payload.get("period"), payload.get("statement")
    if category in CATEGORIES and pub.title == default_title(pub.org_name, category, period):
        title = _title_words(pub.org_name, category, period)
    else:
        title = disclosure_title_words(pub)
    return {"title": title, "summary": _statement_words(statement) if statement else None}


@bp.app_template_filter("disclosure_month")
def disclosure_month(month):
    """The month of a "2026-10" period alone, as the locale names it (10月, Oct): for a table whose
    year is shown above it, narrow enough for a phone."""
    return format_date(date(int(month[:4]), int(month[5:7]), 1), "MMM")


@bp.app_template_filter("disclosure_date")
def disclosure_date(value):
    """The local date (Asia/Shanghai) of an ISO UTC timestamp in a payload; the text itself if unreadable."""
    import datetime as dt

    from portal.timeutil import to_local

    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value or "")
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return to_local(moment).date().isoformat()


@bp.app_template_global("disclosure_labels")
def disclosure_labels():
    """Labels of categories and kinds, for the kind template rendered by the core."""
    return {"category": finance.CATEGORY_LABELS, "kind": finance.KIND_LABELS}


@bp.route("/o/<code>/disclosure")
def village(code):
    """A unit's disclosures by category and period, filtered by category and year."""
    org = _org_or_404(code)
    pubs = disclosures(org.code)
    years = sorted({_year_of(p) for p in pubs}, reverse=True)
    category = request.args.get("category", "")
    category = category if category in CATEGORIES else ""
    year = request.args.get("year", "")
    year = int(year) if year.isdigit() and int(year) in years else None
    shown = [p for p in pubs if (not category or p.payload.get("category") == category)
             and (year is None or _year_of(p) == year)]
    groups = []
    for cat in CATEGORIES:
        items = sorted((p for p in shown if p.payload.get("category") == cat), key=_period_key, reverse=True)
        if items or category == cat:
            groups.append((cat, finance.CATEGORY_LABELS[cat], items))
    record = compliance.village_record(org, year or local_today().year) if org.kind == "village" else None
    months = sorted(finance.statement_index(org.code), reverse=True)
    return render_template("disclosure/public/village.html", org=org, groups=groups, years=years, year=year,
                           category=category, categories=[(c, finance.CATEGORY_LABELS[c]) for c in CATEGORIES],
                           record=record, months=months[:24])


def _statement_or_404(org, month, index=None):
    pub = finance.statement_publication(org.code, month, index)
    if pub is None:
        abort(404)
    return pub, pub.payload["statement"]


def _neighbours(index, month):
    months = sorted(index)
    earlier = [m for m in months if m < month]
    later = [m for m in months if m > month]
    return (earlier[-1] if earlier else None), (later[0] if later else None)


def month_charts(org_code, statement, index=None):
    """The month's income and expense by account (bars) and the year's monthly trend (columns)."""
    totals = finance.totals_by_account(statement)
    income = bar_chart(_("Income by account, %(month)s (yuan)", month=statement["month"]),
                       [(a, f) for a, d, f in totals if d == "income"], fmt=fen,
                       label_head=_("Account"), value_head=_("Income"))
    expense = bar_chart(_("Expense by account, %(month)s (yuan)", month=statement["month"]),
                        [(a, f) for a, d, f in totals if d == "expense"], fmt=fen,
                        label_head=_("Account"), value_head=_("Expense"))
    return [income, expense, year_trend(org_code, int(statement["month"][:4]), index)]


def year_trend(org_code, year, index=None):
    """The year's income and expense by month (columns); a month with no statement published shows none."""
    series = finance.monthly_series(org_code, year, index)
    return column_chart(_("Income and expense by month, %(year)d (yuan)", year=year),
                        [m[5:] for m, _i, _e in series],
                        [(_("Income"), [i for _m, i, _e in series]), (_("Expense"), [e for _m, _i, e in series])],
                        fmt=fen, category_head=_("Month"), missing=_("not published"))


@bp.route("/o/<code>/finance")
def finance_index(code):
    """The months with a published statement, and the year's trend."""
    org = _org_or_404(code)
    index = finance.statement_index(org.code)
    months = sorted(index, reverse=True)
    years = sorted({int(m[:4]) for m in months}, reverse=True)
    year = request.args.get("year", type=int)
    year = year if year in years else (years[0] if years else None)
    chart = year_trend(org.code, year, index) if year else None
    rows = [(m, index[m]) for m in months if year is None or m.startswith(f"{year:04d}-")]
    return render_template("disclosure/public/finance_index.html", org=org, rows=rows, years=years, year=year,
                           chart=chart)


@bp.route("/o/<code>/finance/<month>")
def finance_month(code, month):
    """A month's statement: lines, totals, balances, review, charts, downloads."""
    org = _org_or_404(code)
    index = finance.statement_index(org.code)
    pub, statement = _statement_or_404(org, _month_or_404(month), index)
    previous, following = _neighbours(index, month)
    return render_template("disclosure/public/finance_month.html", org=org, pub=pub, statement=statement,
                           review=pub.payload.get("review") or {}, charts=month_charts(org.code, statement, index),
                           previous=previous, following=following)


def _attachment(resp, filename):
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


@bp.route("/o/<code>/finance/<month>.csv")
def finance_csv(code, month):
    """The month's statement lines as CSV (UTF-8 with BOM), in the columns an accountant keeps."""
    org = _org_or_404(code)
    _pub, statement = _statement_or_404(org, _month_or_404(month))
    data = write_csv(DOWNLOAD_HEADERS, finance.statement_rows(statement))
    return _attachment(Response(data, mimetype="text/csv"), f"finance-{org.code}-{month}.csv")


@bp.route("/o/<code>/finance/<month>.xlsx")
def finance_xlsx(code, month):
    """The month's cash book as an XLSX workbook: balances, lines, totals; dates and yuan as numbers."""
    org = _org_or_404(code)
    pub, statement = _statement_or_404(org, _month_or_404(month))
    rows, emphasised = finance.statement_sheet(statement)
    data = write_xlsx(SHEET_HEADERS, rows, title=month, made_at=pub.published_at,
                      formats={5: YUAN_FORMAT, 6: YUAN_FORMAT, 7: YUAN_FORMAT}, emphasised=emphasised,
                      widths=SHEET_WIDTHS)
    mime = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _attachment(Response(data, mimetype=mime), f"finance-{org.code}-{month}.xlsx")


@bp.route("/o/<code>/finance/<month>.json")
def finance_json(code, month):
    """The month's statement as JSON, with where it was published."""
    org = _org_or_404(code)
    pub, statement = _statement_or_404(org, _month_or_404(month))
    doc = {"org": {"code": org.code, "name": org.name}, "pub_id": pub.pub_id, "revision": pub.revision,
           "url": url_for("public.publication", pub_id=pub.pub_id, _external=True),
           "review": pub.payload.get("review") or {}, "statement": statement}
    body = json.dumps(doc, ensure_ascii=False, indent=1)
    return _attachment(Response(body, mimetype="application/json"), f"finance-{org.code}-{month}.json")


def qr_svg(url):
    """An inline SVG QR code of `url` (no style attribute: the CSP forbids inline styles)."""
    import segno

    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", xmldecl=False, svgns=True, scale=4, border=2,
                                    svgclass="qr", lineclass=None, omitsize=True, title=url)
    return out.getvalue().decode("utf-8")


@bp.route("/o/<code>/finance/<month>/notice")
def finance_notice(code, month):
    """A printable A4 notice of the month's statement for the village notice board (公开栏)."""
    from markupsafe import Markup

    org = _org_or_404(code)
    pub, statement = _statement_or_404(org, _month_or_404(month))
    url = url_for("disclosure_public.finance_month", code=org.code, month=month, _external=True)
    return render_template("disclosure/public/notice.html", org=org, pub=pub, statement=statement,
                           review=pub.payload.get("review") or {}, url=url, qr=Markup(qr_svg(url)))


def township_record(org, year, today=None):
    """[(village, counts)] of the on-time record of the villages under `org` in `year`."""
    today = today or local_today()
    villages = compliance.villages_under(org)
    rows = compliance.calendar(villages, compliance.months_of_year(year), today)
    by_code = {}
    for row in rows:
        by_code.setdefault(row.village.code, []).append(row)
    return [(v, compliance.counts(by_code.get(v.code, []))) for v in villages]


SECTION_TITLE = _l("Village-affairs disclosure (村务公开)")


def org_sections(org):
    """Sections for the public page of `org` (the public_sections hook returns these)."""
    year = local_today().year
    if org.kind == "village":
        pubs = disclosures(org.code)
        latest = []
        for cat in CATEGORIES:
            items = sorted((p for p in pubs if p.payload.get("category") == cat), key=_period_key, reverse=True)[:3]
            if items:
                latest.append((finance.CATEGORY_LABELS[cat], items))
        index = finance.statement_index(org.code)
        last_month = max(index) if index else None
        statement = finance.statement_publication(org.code, last_month, index).payload["statement"] if index else None
        return [Section(SECTION_TITLE, "disclosure/public/section_village.html",
                        {"latest": latest, "last_month": last_month, "statement": statement,
                         "record": compliance.village_record(org, year)}, order=10)]
    if org.kind == "township":
        return [Section(_l("On-time disclosure by village (村务公开)"), "disclosure/public/section_township.html",
                        {"rows": township_record(org, year), "year": year}, order=10)]
    return []
