"""The villager's side of disclosure: pages, statements, charts, downloads, the board notice, the API schema."""

import csv
import datetime as dt
import io
import json
import re
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from plugins.disclosure import finance
from portal import ledger
from portal.extensions import db
from tests.helpers import TOWN_A, VILLAGE_A1, VILLAGE_A2, unit

BASE = "/o/" + VILLAGE_A1


def statement(month, opening, lines):
    income = sum(a for _d, _v, _acc, _s, a, kind in lines if kind == "income")
    expense = sum(a for _d, _v, _acc, _s, a, kind in lines if kind == "expense")
    return {"month": month, "chart": "2023", "opening_fen": opening, "income_fen": income, "expense_fen": expense,
            "closing_fen": opening + income - expense,
            "lines": [{"date": d, "voucher": v, "account_code": finance.resolve_account(acc), "account": acc,
                       "direction": kind, "summary": s, "amount_fen": a} for d, v, acc, s, a, kind in lines]}


def payload(category="finance", period=None, st=None, body="", attachments=()):
    return {"category": category, "disclosure_kind": "regular", "period": period, "body": body,
            "attachments": list(attachments), "statement": st,
            "review": {"countersigned_at": "2026-11-03T02:00:00Z", "approved_at": "2026-11-04T02:00:00Z",
                       "reviewed_by": "导子村村务监督委员会"},
            "due": None}


OCTOBER = statement("2026-10", 500000, [
    ("2026-10-03", "记-001", "经营收入", "鱼塘承包费", 1200000, "income"),
    ("2026-10-05", "记-002", "管理费用", "办公用品", 35650, "expense"),
    ("2026-10-20", "记-003", "公益支出", "村道路灯维修", 120000, "expense"),
])
SEPTEMBER = statement("2026-09", 400000, [("2026-09-09", "记-101", "补助收入", "上级转移支付", 100000, "income")])


@pytest.fixture
def published(app, ctx, tree):
    """A village with two published monthly statements and a 村务 item (published straight to the ledger)."""
    village = unit(VILLAGE_A1)
    at = dt.datetime(2026, 10, 8, 2)
    sep = ledger.publish(plugin="disclosure", kind="disclosure", org=village, title="2026年9月财务公开",
                         payload=payload(period="2026-09", st=SEPTEMBER), published_at=at)
    octo = ledger.publish(plugin="disclosure", kind="disclosure", org=village, title="2026年10月财务公开",
                          payload=payload(period="2026-10", st=OCTOBER), published_at=dt.datetime(2026, 11, 5, 2))
    item = ledger.publish(plugin="disclosure", kind="disclosure", org=village, title="第三季度村务公开",
                          payload=payload("village", "2026-Q3", body="**修路**完成情况",
                                          attachments=[{"key": "a" * 32, "name": "合同.pdf",
                                                        "mime": "application/pdf", "size": 2048}]),
                          published_at=dt.datetime(2026, 10, 9, 2))
    db.session.commit()
    return {"sep": sep.pub_id, "oct": octo.pub_id, "item": item.pub_id}


def test_month_page_shows_table_totals_review_and_charts(client, published):
    resp = client.get(BASE + "/finance/2026-10")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    for text in ("鱼塘承包费", "记-002", "村道路灯维修", "12,000.00", "356.50", "1,200.00",
                 "5,000.00",      # opening balance
                 "15,443.50",     # closing balance
                 "1,556.50"):     # expense total
        assert text in html
    assert "Reviewed by the supervision committee (导子村村务监督委员会) on 2026-11-03" in html
    assert html.count("<svg") >= 3  # income and expense by account, the year's trend
    assert "Income by account, 2026-10" in html and "Income and expense by month, 2026" in html
    assert 'class="table-scroll"' in html
    assert f'/p/{published["oct"]}/history' in html
    assert f'href="{BASE}/finance/2026-09"' in html  # previous month
    for ext in ("csv", "xlsx", "json"):
        assert f"{BASE}/finance/2026-10.{ext}" in html
    assert "style=" not in html


def test_a_correction_shows_as_revision_2(client, published):
    corrected = statement("2026-10", 500000, [("2026-10-03", "记-001", "经营收入", "鱼塘承包费(更正)", 1300000,
                                               "income")])
    ledger.correct(published["oct"], reason="承包费金额更正", title="2026年10月财务公开",
                   payload=payload(period="2026-10", st=corrected))
    db.session.commit()
    html = client.get(BASE + "/finance/2026-10").get_data(as_text=True)
    assert "Revision 2" in html and "承包费金额更正" in html and "鱼塘承包费(更正)" in html
    assert "村道路灯维修" not in html


def test_downloads(client, published):
    resp = client.get(BASE + "/finance/2026-10.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[0] == ["日期", "凭证号", "科目代码", "科目", "摘要", "收入金额", "支出金额"]
    assert rows[1:] == [["2026-10-03", "记-001", "5001", "经营收入", "鱼塘承包费", "12000.00", ""],
                        ["2026-10-05", "记-002", "5401", "管理费用", "办公用品", "", "356.50"],
                        ["2026-10-20", "记-003", "5402", "公益支出", "村道路灯维修", "", "1200.00"]]
    # the download reads back in as the same statement
    again = finance.parse_statement(resp.data, "x.csv", "2026-10", 500000, OCTOBER["closing_fen"])
    assert again["lines"] == OCTOBER["lines"]

    resp = client.get(BASE + "/finance/2026-10.xlsx")
    assert resp.status_code == 200
    sheet = load_workbook(io.BytesIO(resp.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:2] == ("日期", "凭证号") and len(values) == 7  # header, opening, 3 lines, totals, closing
    assert values[3][3] == "管理费用" and values[3][6] == pytest.approx(356.5)

    resp = client.get(BASE + "/finance/2026-10.json")
    doc = json.loads(resp.data)
    assert doc["statement"]["closing_fen"] == 1544350 and doc["revision"] == 1
    assert doc["org"] == {"code": VILLAGE_A1, "name": "导子村"}
    assert doc["url"].endswith(f"/p/{published['oct']}")


def test_the_xlsx_is_a_cash_book_an_accountant_can_work_with(client, published):
    """Real dates, yuan as numbers with two decimals, totals, balances, a bold frozen header; it reads back in."""
    resp = client.get(BASE + "/finance/2026-10.xlsx")
    book = load_workbook(io.BytesIO(resp.data))
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    header = sheet[1]
    assert [c.value for c in header] == ["日期", "凭证号", "科目代码", "科目", "摘要", "收入金额", "支出金额", "余额"]
    assert all(c.font.b for c in header)
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert [r[4] for r in rows] == ["期初余额", "鱼塘承包费", "办公用品", "村道路灯维修", "本月合计", "期末余额"]
    # dates are date cells, shown as dates
    assert [r[0] for r in rows] == [dt.datetime(2026, 10, d) for d in (1, 3, 5, 20, 31, 31)]
    assert all(sheet.cell(row=i, column=1).number_format == "yyyy-mm-dd" for i in range(2, 8))
    # amounts are numbers in yuan with two decimals; the running balance beside them
    assert rows[1][5] == 12000 and rows[2][6] == 356.5 and rows[3][6] == 1200
    assert [r[7] for r in rows[:4]] == [5000, 17000, 16643.5, 15443.5]
    for i in range(2, 8):
        for col in (6, 7, 8):
            cell = sheet.cell(row=i, column=col)
            assert cell.value is None or (isinstance(cell.value, (int, float)) and cell.number_format == "#,##0.00")
    # totals of the month and the closing balance, in bold
    assert rows[4][5:7] == [12000, 1556.5] and rows[5][7] == 15443.5
    assert sheet.cell(row=6, column=5).font.b and sheet.cell(row=7, column=8).font.b
    assert not sheet.cell(row=3, column=5).font.b
    # the workbook reads back in as the same statement: the balance rows are no transactions
    again = finance.parse_statement(resp.data, "x.xlsx", "2026-10", 500000, OCTOBER["closing_fen"])
    assert again["lines"] == OCTOBER["lines"] and again["closing_fen"] == OCTOBER["closing_fen"]


def test_xlsx_totals_are_summed_in_fen(client, app, tree):
    """Thirty lines of 0.10 and 0.20 yuan: a float sum drifts (0.1 + 0.2 != 0.3), a sum in fen does not."""
    lines = [(f"2026-10-{d:02d}", f"记-{d:03d}", "管理费用", "邮费", 10 if d % 2 else 20, "expense") for d in range(1, 31)]
    lines.append(("2026-10-31", "记-031", "经营收入", "租金", 33, "income"))
    st = statement("2026-10", 1, lines)
    with app.app_context():
        ledger.publish(plugin="disclosure", kind="disclosure", org=unit(VILLAGE_A1), title="2026年10月财务公开",
                       payload=payload(period="2026-10", st=st), published_at=dt.datetime(2026, 11, 5, 2))
        db.session.commit()
    sheet = load_workbook(io.BytesIO(client.get(BASE + "/finance/2026-10.xlsx").data)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[-2][5:7] == (0.33, 4.5)  # exactly what the statement says, 33 and 450 fen
    assert rows[-1][7] == -4.16 == (st["closing_fen"]) / 100  # 0.01 + 0.33 − 4.50: a negative balance shows


def test_notice_has_a_qr_code_with_the_page_url(client, published):
    resp = client.get(BASE + "/finance/2026-10/notice")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    url = f"http://localhost{BASE}/finance/2026-10"
    assert url in html
    svg = re.search(r"<svg[^>]*class=\"qr\".*?</svg>", html, re.S)
    assert svg and "<path" in svg.group(0)
    assert "style=" not in html
    assert "print" in html and "鱼塘承包费" in html and "15,443.50" in html
    assert "Reviewed by the supervision committee" in html


class _StatementTable(HTMLParser):
    """The rows of a page's statement table (table.statement), each cell as (text, first column, colspan)."""

    def __init__(self):
        super().__init__()
        self.rows, self._in_table, self._cell = [], False, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "statement" in (attrs.get("class") or "").split():
            self._in_table = True
        elif self._in_table and tag == "tr":
            self.rows.append([])
        elif self._in_table and tag in ("td", "th"):
            row = self.rows[-1]
            column = sum(span for _text, _col, span in row)
            self._cell = ["", column, int(attrs.get("colspan", 1))]

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[0] += data

    def handle_endtag(self, tag):
        if self._in_table and tag in ("td", "th") and self._cell is not None:
            text, column, span = self._cell
            self.rows[-1].append((" ".join(text.split()), column, span))
            self._cell = None
        elif tag == "table":
            self._in_table = False


def statement_columns(html):
    """Each row of the statement table as {column heading: text}, a cell spanning columns under each."""
    parser = _StatementTable()
    parser.feed(html)
    headings = [text for text, _col, _span in parser.rows[0]]
    return [{headings[c]: text for text, col, span in row for c in range(col, col + span)} | {"row": row[0][0]}
            for row in parser.rows[1:]]


@pytest.mark.parametrize("path", ["/finance/2026-10/notice", "/finance/2026-10"])
def test_balances_stand_in_their_own_column_not_under_expense(client, published, path):
    """On the notice board the opening balance read as an expense: it stood in the 支出 column."""
    rows = statement_columns(client.get(BASE + path).get_data(as_text=True))
    opening = next(r for r in rows if r["row"] == "Opening balance")
    closing = next(r for r in rows if r["row"] == "Closing balance")
    for row, amount in ((opening, "5,000.00"), (closing, "15,443.50")):
        assert row["Income"] == "" and row["Expense"] == ""
        assert row.get("Balance") == amount
    line = next(r for r in rows if r.get("Summary") == "办公用品")
    assert line["Expense"] == "356.50" and line["Income"] == "" and line["Balance"] == ""
    totals = next(r for r in rows if r["row"] == "Totals")
    assert (totals["Income"], totals["Expense"], totals["Balance"]) == ("12,000.00", "1,556.50", "")


@pytest.mark.parametrize("path", [
    "/o/999999999999/finance/2026-10", "/o/999999999999/disclosure", "/o/999999999999/finance",
    BASE + "/finance/2026-08", BASE + "/finance/2026-13", BASE + "/finance/oct", BASE + "/finance/2026-08.csv",
    BASE + "/finance/2026-08.xlsx", BASE + "/finance/2026-08.json", BASE + "/finance/2026-08/notice",
])
def test_unknown_village_or_month_is_404(client, published, path):
    assert client.get(path).status_code == 404


def test_village_disclosure_page_by_category_and_year(client, published):
    html = client.get(BASE + "/disclosure").get_data(as_text=True)
    assert "Finances (财务)" in html and "Village affairs (村务)" in html
    assert "2026年10月财务公开" in html and "第三季度村务公开" in html
    assert f'/p/{published["item"]}' in html
    assert f"{BASE}/feed.atom" in html
    assert "Record of on-time disclosure" in html
    html = client.get(BASE + "/disclosure?category=village&year=2026").get_data(as_text=True)
    assert "第三季度村务公开" in html and "2026年10月财务公开" not in html
    html = client.get(BASE + "/disclosure?category=nonsense&year=abc").get_data(as_text=True)
    assert "第三季度村务公开" in html and "2026年10月财务公开" in html


def test_disclosures_are_listed_by_period_newest_first(app, client, published):
    ledger.correct(published["sep"], reason="摘要更正", title="2026年9月财务公开",
                   payload=payload(period="2026-09", st=SEPTEMBER))
    app.extensions["portal"].set_enabled("disclosure", unit(TOWN_A), True)
    db.session.commit()
    html = client.get(BASE + "/disclosure").get_data(as_text=True)
    assert html.index("2026年10月财务公开") < html.index("2026年9月财务公开")
    html = client.get(BASE).get_data(as_text=True)
    section = html[html.index("Village-affairs disclosure (村务公开)"):]  # after the core's newest-first list
    assert section.index("2026年10月财务公开") < section.index("2026年9月财务公开")


def test_finance_index_lists_months(client, published):
    html = client.get(BASE + "/finance").get_data(as_text=True)
    assert f"{BASE}/finance/2026-09" in html and f"{BASE}/finance/2026-10" in html and "<svg" in html
    # the year is shown above the table, so a row names its month alone: narrow enough for a phone
    assert ">Oct</a>" in html and ">Sep</a>" in html and ">2026-10</a>" not in html


def test_finance_index_names_months_in_chinese(client, published):
    html = client.get(BASE + "/finance?lang=zh_Hans_CN").get_data(as_text=True)
    assert ">10月</a>" in html and ">9月</a>" in html


def test_publication_page_renders_the_kind_template(client, published):
    html = client.get(f"/p/{published['oct']}").get_data(as_text=True)
    assert "Finances (财务)" in html and "鱼塘承包费" in html and "15,443.50" in html
    assert f"{BASE}/finance/2026-10" in html
    html = client.get(f"/p/{published['item']}").get_data(as_text=True)
    assert "<strong>修路</strong>" in html and "/files/" + "a" * 32 + "/" in html and "Q3 2026" in html


def test_publication_page_shows_its_body_once_under_the_title(client, published):
    body = ("导子村村道修路工程已经村民代表会议通过，由县交通局补助资金20万元。\n\n"
            "| 项目 | 金额（元） |\n|---|---:|\n| 县补助 | 200,000.00 |\n| 村集体自筹 | 186,000.00 |")
    # a summary as they were made before: the body on one line, its table cells run together;
    # published, it stays so in the ledger, but the page no longer repeats it above the body
    flattened = "导子村村道修路工程已经村民代表会议通过，由县交通局补助资金20万元。 项目 金额（元） 县补助 200,000.00 村集体自筹 186,000.00"
    pub = ledger.publish(plugin="disclosure", kind="disclosure", org=unit(VILLAGE_A1), title="村道修路工程公示",
                         summary=flattened, payload=payload("village", "2026-Q3", body=body))
    db.session.commit()
    html = client.get(f"/p/{pub.pub_id}").get_data(as_text=True)
    assert html.count("<table") == 1 and html.count("县补助") == 1 and html.count("200,000.00") == 1
    assert html.count("由县交通局补助资金20万元") == 1 and "项目 金额（元）" not in html


def test_sections_on_village_and_township_pages(app, client, published):
    app.extensions["portal"].set_enabled("disclosure", unit(TOWN_A), True)
    db.session.commit()
    html = client.get("/o/" + VILLAGE_A1).get_data(as_text=True)
    assert "Record of on-time disclosure" in html and "Finance statement 2026-10" in html
    assert f"{BASE}/disclosure" in html
    html = client.get("/o/" + TOWN_A).get_data(as_text=True)
    assert "On-time disclosure by village" in html and f"/o/{VILLAGE_A2}/disclosure" in html


def test_published_pages_stay_public_when_the_plugin_is_off(client, published):
    # the plugin is off for the township in this test: published items still show
    assert client.get(BASE + "/finance/2026-10").status_code == 200
    assert client.get(BASE + "/disclosure").status_code == 200


def test_no_personal_data_on_the_public_pages(client, published):
    # the secretary's phone (a Person in the tree) and the publishing account never show
    for path in (BASE + "/disclosure", BASE + "/finance/2026-10", BASE + "/finance/2026-10/notice",
                 BASE + "/finance/2026-10.json"):
        body = client.get(path).get_data(as_text=True)
        assert "13800138000" not in body and "张建国" not in body
        assert "published_by" not in body


def test_openapi_has_the_payload_schema_with_statement_lines(client, app):
    doc = client.get("/api/v1/openapi.json").get_json()
    schema = doc["components"]["schemas"]["Payload.disclosure.disclosure"]
    line = schema["properties"]["statement"]["properties"]["lines"]["items"]
    assert set(line["required"]) >= {"date", "voucher", "account", "direction", "amount_fen"}
    assert schema["properties"]["category"]["enum"] == ["party", "village", "finance", "government"]


def test_api_returns_statement_lines(client, published):
    doc = client.get(f"/api/v1/publications/{published['oct']}").get_json()
    text = json.dumps(doc, ensure_ascii=False)
    assert "鱼塘承包费" in text and "1544350" in text
