"""Monthly finance statements: the chart of accounts, reading a statement file, and figures from the ledger.

A village accountant keeps the month's cash book as a spreadsheet (date, voucher number,
account, summary, income or expense amount). `parse_statement` turns that file into the
statement of the disclosure payload, refusing it as a whole with every error named by row
and column. Money is integer fen throughout; amounts are read with Decimal, never float.
"""

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from operator import itemgetter

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.ledger import Publication, latest_revisions
from portal.tabular import TableError, cell_error, read_table, without_gc_pauses

from portal.extensions import db

PLUGIN = "disclosure"
KIND = "disclosure"
CHART = "2023"
MAX_LINES = 5000

# The chart of 农村集体经济组织会计制度 (财会〔2023〕14号, in force 2024-01-01): its income and
# expense (损益类) accounts. The account NAMES are those of the 2023 system. The four-digit CODES
# are our best reading of its 会计科目表 and have not been checked against the printed appendix;
# verify them before relying on the codes (names are always accepted, and four digits never collide
# with the three-digit codes of the 2004 chart, so either chart's codes can be read from one file).
ACCOUNTS_2023 = {
    # code: (name, direction)
    "5001": ("经营收入", "income"),
    "5002": ("经营支出", "expense"),
    "5003": ("税金及附加", "expense"),
    "5101": ("投资收益", "income"),
    "5201": ("补助收入", "income"),
    "5301": ("其他收入", "income"),
    "5401": ("管理费用", "expense"),
    "5402": ("公益支出", "expense"),
    "5501": ("其他支出", "expense"),
    "5601": ("所得税费用", "expense"),
}

# The 2004 chart (村集体经济组织会计制度, 财会〔2004〕12号) as older books still use it, and where
# each account goes in the 2023 chart. 发包及上交收入 was split by substance into 经营收入 and 投资收益
# in 2023; contracting fees (the usual content) are operating income, so it maps to 经营收入.
ACCOUNTS_2004 = {
    "501": ("经营收入", "5001"),
    "502": ("经营支出", "5002"),
    "511": ("发包及上交收入", "5001"),
    "522": ("补助收入", "5201"),
    "531": ("其他收入", "5301"),
    "541": ("管理费用", "5401"),
    "551": ("其他支出", "5501"),
    "561": ("投资收益", "5101"),
}

_NAME_TO_CODE = {name: code for code, (name, _d) in ACCOUNTS_2023.items()}
_NAME_TO_CODE.update({name: target for _c, (name, target) in ACCOUNTS_2004.items() if name not in _NAME_TO_CODE})
_CODE_TO_CODE = {code: code for code in ACCOUNTS_2023}
_CODE_TO_CODE.update({code: target for code, (_n, target) in ACCOUNTS_2004.items()})

# Header names as accountants write them → the canonical column names used below.
HEADER_ALIASES = {
    "日期": "date", "记账日期": "date", "Date": "date", "DATE": "date",
    "凭证号": "voucher", "凭证号码": "voucher", "凭证编号": "voucher", "凭证字号": "voucher", "Voucher": "voucher",
    "voucher no": "voucher", "voucher_no": "voucher",
    "科目": "account", "会计科目": "account", "Account": "account",
    "科目代码": "account_code", "科目编码": "account_code", "科目编号": "account_code", "account code": "account_code",
    "account_code": "account_code",
    "科目名称": "account_name", "account name": "account_name", "account_name": "account_name",
    "摘要": "summary", "Summary": "summary",
    "收入金额": "income", "收入": "income", "收入金额(元)": "income", "收入金额（元）": "income", "Income": "income",
    "支出金额": "expense", "支出": "expense", "支出金额(元)": "expense", "支出金额（元）": "expense",
    "Expense": "expense",
}

# Column names for messages: the names a clerk sees in a Chinese spreadsheet.
COLUMN_LABELS = {"date": "日期", "voucher": "凭证号", "account": "科目", "account_code": "科目代码",
                 "account_name": "科目名称", "summary": "摘要", "income": "收入金额", "expense": "支出金额"}

CATEGORY_LABELS = {"party": _l("Party affairs (党务)"), "village": _l("Village affairs (村务)"),
                   "finance": _l("Finances (财务)"), "government": _l("Government affairs (政务)")}
KIND_LABELS = {"regular": _l("Regular"), "immediate": _l("Immediate (即时公开)"),
               "on_request": _l("On request (点题公开)")}


def account_name(code):
    """The 2023 name of a 2023 account code."""
    return ACCOUNTS_2023[code][0]


def account_direction(code):
    """'income' or 'expense' for a 2023 account code."""
    return ACCOUNTS_2023[code][1]


def resolve_account(text):
    """The 2023 code for an account written by name or code, of either chart, or None.

    Accepts "管理费用", "5401", "541", "541 管理费用", "管理费用-办公费" and sub-account codes such
    as "541001" (the longest known code the digits start with).
    """
    if text is None:
        return None
    text = str(text).strip()
    if isinstance(text, str) and text.endswith(".0") and text[:-2].isdigit():  # a code typed as a number in XLSX
        text = text[:-2]
    if not text:
        return None
    if text in _NAME_TO_CODE:
        return _NAME_TO_CODE[text]
    m = re.match(r"^(\d{3,12})\s*[-—–:：\s]?\s*(.*)$", text)
    if m:
        digits, rest = m.groups()
        code = None
        for length in range(len(digits), 2, -1):
            if digits[:length] in _CODE_TO_CODE:
                code = _CODE_TO_CODE[digits[:length]]
                break
        if code is None:
            return None
        if rest:  # a name written beside the code must name the same account
            named = resolve_account(rest)
            if named is not None and named != code:
                return None
        return code
    head = re.split(r"\s*[-—–/:：·]\s*", text, maxsplit=1)[0]
    return _NAME_TO_CODE.get(head)


def parse_month(text):
    """(year, month) of "2026-10"; ValueError otherwise."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", str(text or ""))
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
        raise ValueError(str(text))
    return int(m.group(1)), int(m.group(2))


def shift_month(month, delta):
    """The month `delta` months from "YYYY-MM", as "YYYY-MM"."""
    year, mon = parse_month(month)
    index = year * 12 + mon - 1 + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]00:00(?::00)?)?|(\d{4})年(\d{1,2})月(\d{1,2})日")


def _parse_date(value):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    m = _DATE.fullmatch(text)
    if not m:
        raise ValueError(text)
    y, mo, d = (g for g in m.groups() if g is not None)
    return dt.date(int(y), int(mo), int(d))


def _check_day(value, year, mon, month):
    """(ISO date, None) of a line's date cell in `month`, or (None or the ISO date, the message for the user)."""
    if value is None:
        return None, _("a date is required")
    try:
        day = _parse_date(value)
    except ValueError:
        return None, _("not a date (write 2026-10-03)")
    if (day.year, day.month) != (year, mon):
        return day.isoformat(), _("%(date)s is not in %(month)s", date=day.isoformat(), month=month)
    return day.isoformat(), None


def _parse_amount(value):
    """Fen of a yuan amount; ValueError with a message for the user."""
    if value.__class__ is str and value.isascii():
        # the common case, "1234.5": fen straight from the ASCII digits (string methods, not a regex:
        # a 100,000-line statement has 100,000 amounts)
        whole, dot, decimals = value.partition(".")
        if whole.isdigit() and len(whole) <= 12:
            if not dot:
                return int(whole) * 100
            if len(decimals) == 2 and decimals.isdigit():
                return int(whole + decimals)
            if len(decimals) == 1 and decimals.isdigit():
                return int(whole + decimals) * 10
    if isinstance(value, bool):
        raise ValueError(_("not a number"))
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        # An XLSX number cell: a float that should carry at most two decimals (e.g. 0.30000000000000004).
        amount = Decimal(repr(value))
        rounded = amount.quantize(Decimal("0.01"))
        if abs(amount - rounded) > Decimal("0.000001"):
            raise ValueError(_("more than two decimal places"))
        amount = rounded
    else:
        text = str(value).strip().replace(",", "").replace("，", "").replace("¥", "").replace("￥", "")
        text = text.removesuffix("元").strip()
        if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
            raise ValueError(_("not a number"))
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(_("not a number")) from None
        if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
            raise ValueError(_("more than two decimal places"))
    if amount < 0:
        raise ValueError(_("a negative amount (write an expense in the expense column)"))
    if amount >= Decimal("1000000000000"):
        raise ValueError(_("the amount is too large"))
    return int(amount * 100)


@without_gc_pauses
def parse_statement(data, filename, month, opening_fen, stated_closing_fen):
    """The statement dict of a month's cash-book file (CSV or XLSX), or TableError with every error.

    `opening_fen` is the balance carried over; `stated_closing_fen` is the closing balance the
    clerk states (None: not stated). The computed closing balance must equal it.
    """
    try:
        year, mon = parse_month(month)
    except ValueError:
        raise TableError([_("The month must be written like 2026-10.")]) from None
    table = read_table(data, filename, aliases=HEADER_ALIASES, as_lists=True)
    # the position of each column, by its name folded to lower case (the last of two same-named columns)
    position = {h.lower() if h.isascii() else h: i for i, h in enumerate(table.headers)}
    missing = [COLUMN_LABELS[c] for c in ("date", "voucher", "summary", "income", "expense") if c not in position]
    if not position.keys() & {"account", "account_code", "account_name"}:
        missing.insert(2, COLUMN_LABELS["account"])
    if missing:
        raise TableError([_("Row 1: missing columns: %(cols)s", cols=", ".join(missing))])
    if len(table.rows) > MAX_LINES:
        raise TableError([_("A statement has at most %(n)d lines.", n=MAX_LINES)])
    if opening_fen is None:
        opening_fen = 0
    errors, lines, vouchers = [], [], {}
    # a month's lines repeat a few dozen dates and accounts: each distinct cell is checked once
    days, accounts = {}, {}
    totals = {"income": 0, "expense": 0}
    i_date, i_voucher, i_summary = position["date"], position["voucher"], position["summary"]
    amount_columns = (("income", position["income"]), ("expense", position["expense"]))
    i_account, i_code, i_name = position.get("account"), position.get("account_code"), position.get("account_name")

    def err(row_number, column, message):
        errors.append(cell_error(row_number, COLUMN_LABELS[column], message))

    for row_number, row in table.rows:
        if row[i_voucher] is None and row[i_summary] in BALANCE_ROWS:
            continue  # a cash book's opening, totals or closing row (the XLSX download has them): no transaction
        row_errors = len(errors)
        # date
        value = row[i_date]
        if value.__class__ is str:
            day = days.get(value)
            if day is None:
                day = days[value] = _check_day(value, year, mon, month)
        else:
            day = _check_day(value, year, mon, month)
        if day[1] is not None:
            err(row_number, "date", day[1])
        # voucher
        voucher = row[i_voucher]
        if voucher is None:
            err(row_number, "voucher", _("a voucher number is required"))
        else:
            if voucher.__class__ is not str:
                voucher = str(voucher).strip()
            if voucher.endswith(".0") and voucher[:-2].isdigit():
                voucher = voucher[:-2]
            first = vouchers.setdefault(voucher, row_number)
            if first != row_number:
                err(row_number, "voucher", _("voucher %(v)s is already on row %(row)d", v=voucher, row=first))
        # amounts: a line has exactly one of the two
        direction = amount = None
        wrong = both = False
        for column, i in amount_columns:
            value = row[i]
            if value is not None:
                try:
                    fen = _parse_amount(value)
                except ValueError as exc:
                    err(row_number, column, str(exc))
                    wrong = True
                else:
                    if fen:
                        both = direction is not None
                        direction, amount = column, fen
        if wrong:
            direction = None
        elif both:
            err(row_number, "income", _("a line has either an income or an expense amount, not both"))
            direction = None
        elif direction is None:
            err(row_number, "income", _("a line needs an income or an expense amount"))
        # account
        text = row[i_account] if i_account is not None else None
        if text:
            column = "account"
        else:  # by code or by name, in the columns the file has
            code_text, name_text = (row[i] if i is not None else None for i in (i_code, i_name))
            column = "account" if i_account is not None else "account_code" if code_text else "account_name"
            text = code_text or name_text or None
        account = None
        if text is None:
            err(row_number, column, _("an account is required"))
        else:
            account = accounts.get(text)
            if account is None:
                code = resolve_account(text)
                account = accounts[text] = (code, account_name(code), account_direction(code)) if code else ()
            if not account:
                err(row_number, column, _("%(account)s is not an income or expense account of the chart",
                                          account=str(text)))
            elif direction and account[2] != direction:
                if direction == "income":
                    err(row_number, column,
                        _("%(account)s is an expense account, but the line has an income amount", account=str(text)))
                else:
                    err(row_number, column,
                        _("%(account)s is an income account, but the line has an expense amount", account=str(text)))
        # summary
        summary = row[i_summary]
        if summary is None:
            err(row_number, "summary", _("a summary is required"))
        if len(errors) == row_errors:  # a valid line
            voucher = voucher[:40]
            totals[direction] += amount
            lines.append({
                "date": day[0], "voucher": voucher, "account_code": account[0], "account": account[1],
                "direction": direction,
                "summary": (summary if summary.__class__ is str else str(summary).strip())[:200], "amount_fen": amount})
    if not lines and not errors:
        errors.append(_("The file has no statement lines."))
    if errors:
        raise TableError(errors)
    # the cash book's order, date then voucher: two stable sorts by one existing value each, with no
    # key made per line (a file is mostly in order already, which each pass finds in one sweep)
    lines.sort(key=itemgetter("voucher"))
    lines.sort(key=itemgetter("date"))
    income, expense = totals["income"], totals["expense"]
    closing = opening_fen + income - expense
    if stated_closing_fen is not None and closing != stated_closing_fen:
        raise TableError([_("The statement does not balance: opening %(opening)s + income %(income)s − expense "
                            "%(expense)s = %(computed)s yuan, but the stated closing balance is %(stated)s yuan.",
                            opening=yuan(opening_fen), income=yuan(income), expense=yuan(expense),
                            computed=yuan(closing), stated=yuan(stated_closing_fen))])
    return {"month": month, "chart": CHART, "opening_fen": opening_fen, "income_fen": income,
            "expense_fen": expense, "closing_fen": closing, "lines": lines}


def yuan(fen):
    """Fen as a yuan string with two decimals and thousands separators: 123456 → "1,234.56"."""
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


# --- Figures from the ledger (the public side reads only published statements) -------------

def _statement_criteria(org_code):
    return (Publication.plugin == PLUGIN, Publication.kind == KIND, Publication.org_code == org_code)


def finance_publications(org_code):
    """Latest revisions of the disclosures at `org_code` that carry a statement, newest first."""
    pubs = db.session.scalars(latest_revisions(*_statement_criteria(org_code)))
    return [p for p in pubs if isinstance(p.payload, dict) and isinstance(p.payload.get("statement"), dict)]


def statements_by_month(org_code):
    """{month: publication} with the latest published statement of each month."""
    found = {}
    for pub in finance_publications(org_code):  # newest first: the first seen wins
        month = pub.payload["statement"].get("month")
        if month and month not in found:
            found[month] = pub
    return found


@dataclass(frozen=True)
class StatementEntry:
    """A month's latest published statement in brief: where it is and its totals (fen)."""

    seq: int
    pub_id: int
    opening_fen: int
    income_fen: int
    expense_fen: int
    closing_fen: int


def statement_index(org_code):
    """{month: StatementEntry} of the latest published statement of each month at `org_code`.

    Reads the figures out of the payloads in the database (JSON paths), so a page that needs
    one month's statement and the others' totals does not load every month's lines.
    """
    fields = [Publication.payload[("statement", key)] for key in ("month", "opening_fen", "income_fen",
                                                                   "expense_fen", "closing_fen")]
    query = latest_revisions(*_statement_criteria(org_code)).with_only_columns(
        Publication.seq, Publication.pub_id, fields[0].as_string(), *(f.as_integer() for f in fields[1:]))
    found = {}
    for seq, pub_id, month, opening, income, expense, closing in db.session.execute(query):
        if month and month not in found:  # newest first: the first seen wins
            found[month] = StatementEntry(seq, pub_id, opening, income, expense, closing)
    return found


def statement_publication(org_code, month, index=None):
    """The publication with the latest published statement of `month` at `org_code`, or None."""
    entry = (index if index is not None else statement_index(org_code)).get(month)
    return db.session.get(Publication, entry.seq) if entry is not None else None


def previous_closing(org, month):
    """The closing balance (fen) of the previous month's published statement of `org`, or None."""
    entry = statement_index(org.code).get(shift_month(month, -1))
    return entry.closing_fen if entry is not None else None


def totals_by_account(statement):
    """[(account, direction, fen)] of a statement, income accounts first, largest first."""
    totals = {}
    for line in statement.get("lines", []):
        key = (line["account"], line["direction"])
        totals[key] = totals.get(key, 0) + line["amount_fen"]
    return sorted(((a, d, f) for (a, d), f in totals.items()), key=lambda t: (t[1] != "income", -t[2], t[0]))


def monthly_series(org_code, year, index=None):
    """[(month, income_fen, expense_fen)] for the twelve months of `year` (None where nothing published)."""
    index = index if index is not None else statement_index(org_code)
    series = []
    for mon in range(1, 13):
        month = f"{year:04d}-{mon:02d}"
        entry = index.get(month)
        series.append((month, entry.income_fen if entry else None, entry.expense_fen if entry else None))
    return series


STATEMENT_HEADERS = ("date", "voucher", "account_code", "account", "summary", "income_yuan", "expense_yuan")


def statement_rows(statement):
    """Rows for a CSV/XLSX download: date, voucher, code, account, summary, income, expense (yuan, Decimal)."""
    rows = []
    for line in statement.get("lines", []):
        amount = (Decimal(line["amount_fen"]) / 100).quantize(Decimal("0.01"))
        rows.append((line["date"], line["voucher"], line["account_code"], line["account"], line["summary"],
                     amount if line["direction"] == "income" else None,
                     amount if line["direction"] == "expense" else None))
    return rows


# The rows of a cash book (日记账) that are not transactions: the download writes them and an import
# skips them (a row without a voucher number whose summary is one of these).
OPENING_ROW, TOTALS_ROW, CLOSING_ROW = "期初余额", "本月合计", "期末余额"
BALANCE_ROWS = frozenset({OPENING_ROW, TOTALS_ROW, CLOSING_ROW, "上月结转", "本年累计"})


def _yuan_amount(fen):
    """Fen as an exact yuan Decimal with two places: 35650 → Decimal("356.50")."""
    return Decimal(int(fen)).scaleb(-2)


def statement_sheet(statement):
    """The month as an accountant's cash book, for the XLSX download.

    The opening balance on the first day, each line (a date, yuan amounts and the running balance),
    the month's income and expense totals, and the closing balance on the last day. Amounts are
    exact Decimals made from fen; totals and balances are summed in fen, then turned into yuan.
    Returns (rows, indexes of the rows that are balances or totals).
    """
    year, mon = parse_month(statement["month"])
    first = dt.date(year, mon, 1)
    last = (dt.date(year + (mon == 12), mon % 12 + 1, 1) - dt.timedelta(days=1))
    balance = int(statement.get("opening_fen") or 0)
    rows = [(first, None, None, None, OPENING_ROW, None, None, _yuan_amount(balance))]
    income = expense = 0
    for line in statement.get("lines", []):
        fen = int(line["amount_fen"])
        if line["direction"] == "income":
            income, balance = income + fen, balance + fen
        else:
            expense, balance = expense + fen, balance - fen
        rows.append((dt.date.fromisoformat(line["date"]), line["voucher"], line["account_code"], line["account"],
                     line["summary"], _yuan_amount(fen) if line["direction"] == "income" else None,
                     _yuan_amount(fen) if line["direction"] == "expense" else None, _yuan_amount(balance)))
    rows.append((last, None, None, None, TOTALS_ROW, _yuan_amount(income), _yuan_amount(expense), None))
    rows.append((last, None, None, None, CLOSING_ROW, None, None, _yuan_amount(balance)))
    return rows, (0, len(rows) - 2, len(rows) - 1)
