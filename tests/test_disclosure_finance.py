"""Finance statements: reading a month's cash book, every refusal a clerk can meet, the chart mapping."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook

from plugins.disclosure import finance
from portal.tabular import TableError

HEAD = "日期,凭证号,科目,摘要,收入金额,支出金额\n"


def csv_bytes(*rows, head=HEAD, encoding="utf-8"):
    return (head + "".join(r + "\n" for r in rows)).encode(encoding)


def xlsx_bytes(rows, head=("日期", "凭证号", "科目", "摘要", "收入金额", "支出金额")):
    book = Workbook()
    sheet = book.active
    sheet.append(list(head))
    for r in rows:
        sheet.append(list(r))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def refused(data, filename="s.csv", month="2026-10", opening=0, closing=None):
    with pytest.raises(TableError) as info:
        finance.parse_statement(data, filename, month, opening, closing)
    return [str(e) for e in info.value.errors]


def test_a_good_csv_gives_totals_and_closing_balance(ctx):
    data = csv_bytes("2026-10-03,记-001,经营收入,鱼塘承包费,\"12,000.00\",",
                     "2026/10/5,记-002,管理费用,办公用品,,356.5",
                     "2026年10月20日,记-003,公益支出,村道路灯维修,,1200")
    st = finance.parse_statement(data, "october.csv", "2026-10", 500000, 500000 + 1200000 - 35650 - 120000)
    assert st["month"] == "2026-10" and st["chart"] == "2023"
    assert (st["opening_fen"], st["income_fen"], st["expense_fen"]) == (500000, 1200000, 155650)
    assert st["closing_fen"] == 1544350
    assert [ln["date"] for ln in st["lines"]] == ["2026-10-03", "2026-10-05", "2026-10-20"]
    first = st["lines"][0]
    assert first == {"date": "2026-10-03", "voucher": "记-001", "account_code": "5001", "account": "经营收入",
                     "direction": "income", "summary": "鱼塘承包费", "amount_fen": 1200000}
    assert st["lines"][1]["direction"] == "expense" and st["lines"][1]["amount_fen"] == 35650


def test_lines_are_in_cash_book_order_by_date_then_voucher_whatever_the_file_order(ctx):
    data = csv_bytes("2026-10-20,记-002,管理费用,电费,,10", "2026-10-03,记-010,管理费用,水费,,10",
                     "2026-10-20,记-001,管理费用,网费,,10", "2026-10-03,记-009,管理费用,纸,,10")
    st = finance.parse_statement(data, "s.csv", "2026-10", 100, None)
    assert [(ln["date"], ln["voucher"]) for ln in st["lines"]] == [
        ("2026-10-03", "记-009"), ("2026-10-03", "记-010"), ("2026-10-20", "记-001"), ("2026-10-20", "记-002")]


def test_amounts_are_exact_to_the_fen(ctx):
    data = csv_bytes("2026-10-01,1,其他收入,a,0.1,", "2026-10-02,2,其他收入,b,0.2,")
    st = finance.parse_statement(data, "s.csv", "2026-10", 0, 30)
    assert st["income_fen"] == 30 and st["closing_fen"] == 30


def test_amounts_in_the_forms_clerks_write(ctx):
    amounts = {"1234": 123400, "1234.5": 123450, "1234.56": 123456, "007.00": 700, "1234.": 123400, ".5": 50,
               '"1,234.50"': 123450, "¥12": 1200, "12元": 1200, "１２": 1200, "999999999999.99": 99999999999999}
    rows = [f"2026-10-{i + 1:02d},{i + 1},其他收入,a,{text}," for i, text in enumerate(amounts)]
    st = finance.parse_statement(csv_bytes(*rows), "s.csv", "2026-10", 0, None)
    assert [ln["amount_fen"] for ln in st["lines"]] == list(amounts.values())
    bad = csv_bytes("2026-10-01,1,其他收入,a,1.234,", "2026-10-02,2,其他收入,b,12a,", "2026-10-03,3,其他收入,c,1000000000000,")
    with pytest.raises(TableError) as exc:
        finance.parse_statement(bad, "s.csv", "2026-10", 0, None)
    assert [e.split(": ", 1)[1] for e in exc.value.errors] == [
        "more than two decimal places", "not a number", "the amount is too large"]


def test_english_headers_and_gbk_csv(ctx):
    data = csv_bytes("2026-10-03,V1,管理费用,电费,,88.80", head="date,voucher,account,summary,income,expense\n")
    assert finance.parse_statement(data, "s.csv", "2026-10", 0, None)["expense_fen"] == 8880
    gbk = csv_bytes("2026-10-03,记-1,补助收入,上级转移支付,5000,", encoding="gbk")
    st = finance.parse_statement(gbk, "s.csv", "2026-10", 0, 500000)
    assert st["lines"][0]["summary"] == "上级转移支付" and st["lines"][0]["account"] == "补助收入"


def test_2004_chart_names_and_codes_map_to_2023(ctx):
    data = csv_bytes("2026-10-01,1,511,土地承包费,100,", "2026-10-02,2,发包及上交收入,果园承包,50,",
                     "2026-10-03,3,541 管理费用,报刊费,,10", "2026-10-04,4,561,分红,20,",
                     "2026-10-05,5,551001,利息支出,,5", "2026-10-06,6,522,补助,1,")
    lines = finance.parse_statement(data, "s.csv", "2026-10", 0, None)["lines"]
    assert [(ln["account"], ln["account_code"]) for ln in lines] == [
        ("经营收入", "5001"), ("经营收入", "5001"), ("管理费用", "5401"), ("投资收益", "5101"),
        ("其他支出", "5501"), ("补助收入", "5201")]


def test_separate_code_and_name_columns(ctx):
    data = csv_bytes("2026-10-01,1,5402,,修桥,,300", head="日期,凭证号,科目代码,科目名称,摘要,收入金额,支出金额\n")
    assert finance.parse_statement(data, "s.csv", "2026-10", 0, None)["lines"][0]["account"] == "公益支出"


def test_every_error_is_reported_with_row_and_column(ctx):
    data = csv_bytes("2026-10-01,记-001,招待费,吃饭,,100",          # row 2: unknown account
                     "2026-10-02,记-002,管理费用,电费,,十元",       # row 3: not a number
                     "2026-11-01,记-003,管理费用,水费,,10",         # row 4: date outside the month
                     "2026-10-04,记-003,管理费用,网费,,10",         # row 5: duplicate voucher
                     "2026-10-05,记-005,管理费用,,,10",             # row 6: no summary
                     "2026-10-06,记-006,管理费用,两个金额,5,10",     # row 7: both amounts
                     "2026-10-07,记-007,管理费用,没有金额,,",        # row 8: neither
                     "2026-10-08,记-008,管理费用,负数,,-10",         # row 9: negative
                     "2026-10-09,记-009,管理费用,三位小数,,1.005",   # row 10: too precise
                     "2026-10-10,记-010,经营收入,收入记成支出,,10",  # row 11: income account, expense amount
                     "10月11日,记-011,管理费用,日期,,10")             # row 12: not a date
    errors = refused(data)
    joined = "\n".join(errors)
    assert "Row 2, column 科目: 招待费 is not an income or expense account" in joined
    assert "Row 3, column 支出金额: not a number" in joined
    assert "Row 4, column 日期: 2026-11-01 is not in 2026-10" in joined
    assert "Row 5, column 凭证号: voucher 记-003 is already on row 4" in joined
    assert "Row 6, column 摘要: a summary is required" in joined
    assert "Row 7, column 收入金额: a line has either an income or an expense amount, not both" in joined
    assert "Row 8, column 收入金额: a line needs an income or an expense amount" in joined
    assert "Row 9, column 支出金额: a negative amount" in joined
    assert "Row 10, column 支出金额: more than two decimal places" in joined
    assert "Row 11, column 科目: 经营收入 is an income account, but the line has an expense amount" in joined
    assert "Row 12, column 日期: not a date" in joined
    assert len(errors) == 11


def test_a_statement_that_does_not_balance_is_refused_with_both_figures(ctx):
    data = csv_bytes("2026-10-03,1,经营收入,租金,100.00,", "2026-10-04,2,管理费用,纸,,30.00")
    errors = refused(data, opening=701000, closing=8000)
    assert len(errors) == 1
    assert "= 7,080.00 yuan" in errors[0] and "is 80.00 yuan" in errors[0] and "does not balance" in errors[0]


def test_missing_columns_are_named(ctx):
    errors = refused("日期,摘要,收入金额\n2026-10-01,x,1\n".encode())
    assert "missing columns" in errors[0] and "凭证号" in errors[0] and "科目" in errors[0] and "支出金额" in errors[0]


def test_xlsx_with_dates_and_numbers(ctx):
    data = xlsx_bytes([(dt.datetime(2026, 10, 3), "记-001", "经营收入", "租金", 1500.5, None),
                       (dt.date(2026, 10, 9), 2, "管理费用", "电费", None, 0.1 + 0.2)])
    st = finance.parse_statement(data, "s.xlsx", "2026-10", 0, 150050 - 30)
    assert [ln["amount_fen"] for ln in st["lines"]] == [150050, 30]
    assert st["lines"][1]["voucher"] == "2"


def test_truncated_xlsx_is_refused(ctx):
    data = xlsx_bytes([(dt.date(2026, 10, 3), "1", "经营收入", "租金", 1, None)])
    errors = refused(data[: len(data) // 2], filename="s.xlsx")
    assert "damaged or cut short" in errors[0]


def test_empty_file_and_bad_month(ctx):
    assert refused(b"") == ["The file is empty."]
    assert refused(csv_bytes()) == ["The file has no statement lines."]
    assert "2026-10" in refused(csv_bytes("2026-10-01,1,经营收入,a,1,"), month="2026-13")[0]


def test_chart_helpers(ctx):
    assert finance.resolve_account("管理费用-办公费") == "5401"
    assert finance.resolve_account("541 其他收入") is None  # code and name disagree
    assert finance.resolve_account("101") is None  # cash is not an income or expense account
    assert finance.shift_month("2026-01", -1) == "2025-12"
    assert finance.yuan(123456) == "1,234.56" and finance.yuan(-5) == "-0.05"
    st = {"lines": [{"account": "管理费用", "direction": "expense", "amount_fen": 5},
                    {"account": "经营收入", "direction": "income", "amount_fen": 7},
                    {"account": "管理费用", "direction": "expense", "amount_fen": 6}]}
    assert finance.totals_by_account(st) == [("经营收入", "income", 7), ("管理费用", "expense", 11)]


@pytest.fixture
def kind(app):
    """The disclosure publication kind (registered by the plugin; added here if it is not yet)."""
    from plugins.disclosure.schema import PAYLOAD_SCHEMA
    from portal.ledger import PublicationKind

    kinds = app.extensions["portal"].publication_kinds
    kinds.setdefault(("disclosure", "disclosure"), PublicationKind(
        "disclosure", "disclosure", "Disclosure", "disclosure/public/kind_disclosure.html", PAYLOAD_SCHEMA))


def test_previous_closing_reads_the_latest_published_statement(ctx, tree, kind):
    from portal import ledger
    from tests.helpers import VILLAGE_A1, unit

    org = unit(VILLAGE_A1)
    assert finance.previous_closing(org, "2026-10") is None

    def payload(month, closing):
        return {"category": "finance", "disclosure_kind": "regular", "period": month, "body": "", "attachments": [],
                "statement": {"month": month, "chart": "2023", "opening_fen": 0, "income_fen": closing,
                              "expense_fen": 0, "closing_fen": closing, "lines": []},
                "review": {}, "due": None}

    pub = ledger.publish(plugin="disclosure", kind="disclosure", org=org, title="9月", payload=payload("2026-09", 100))
    ledger.publish(plugin="disclosure", kind="disclosure", org=org, title="8月", payload=payload("2026-08", 7))
    assert finance.previous_closing(org, "2026-10") == 100
    ledger.correct(pub.pub_id, reason="typo", title="9月", payload=payload("2026-09", 120))
    assert finance.previous_closing(org, "2026-10") == 120
    assert finance.previous_closing(org, "2026-09") == 7
    series = finance.monthly_series(VILLAGE_A1, 2026)
    assert series[8] == ("2026-09", 120, 0) and series[0] == ("2026-01", None, None)
