"""Spreadsheets in (CSV in UTF-8 or GBK, XLSX) and out (CSV with a BOM, XLSX)."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook, load_workbook

from portal.tabular import TableError, read_table, write_csv, write_xlsx


def _xlsx(rows):
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_csv_in_utf8_with_bom_and_in_gbk(ctx):
    text = "日期,摘要,金额\n2026-10-03,购买办公用品,120.50\n\n2026-10-05,电费,80\n"
    for data in (("\ufeff" + text).encode("utf-8"), text.encode("gbk")):
        table = read_table(data, "statement.csv")
        assert table.headers == ["日期", "摘要", "金额"]
        assert table.rows == [(2, {"日期": "2026-10-03", "摘要": "购买办公用品", "金额": "120.50"}),
                              (4, {"日期": "2026-10-05", "摘要": "电费", "金额": "80"})]


def test_rows_as_lists_are_padded_stripped_and_skip_blank_lines(ctx):
    csv_table = read_table(" 日期 ,摘要,金额\n2026-10-03, 电费 \n,,\n2026-10-05,,80\n".encode(), "s.csv", as_lists=True)
    assert csv_table.headers == ["日期", "摘要", "金额"]
    assert csv_table.rows == [(2, ["2026-10-03", "电费", None]), (4, ["2026-10-05", None, "80"])]
    xlsx_table = read_table(_xlsx([["日期", "金额"], [dt.datetime(2026, 10, 3), 0], [None, None]]), "a.xlsx",
                            as_lists=True)
    assert xlsx_table.rows == [(2, [dt.datetime(2026, 10, 3), 0])]


def test_xlsx_keeps_dates_and_numbers_and_aliases_headers(ctx):
    data = _xlsx([["日期 ", "amount"], [dt.datetime(2026, 10, 3), 120.5], [None, None]])
    table = read_table(data, "a.xlsx", aliases={"amount": "金额"})
    assert table.headers == ["日期", "金额"]
    assert table.rows == [(2, {"日期": dt.datetime(2026, 10, 3), "金额": 120.5})]
    with pytest.raises(TableError, match="missing columns: 摘要"):
        table.require(["日期", "摘要"])


def test_a_truncated_xlsx_and_an_empty_file_are_refused_clearly(ctx):
    data = _xlsx([["a"], [1]])
    with pytest.raises(TableError, match="damaged or cut short"):
        read_table(data[: len(data) // 2], "cut.xlsx")
    with pytest.raises(TableError, match="empty"):
        read_table(b"", "x.csv")


def test_extra_values_beyond_the_header_are_refused(ctx):
    with pytest.raises(TableError, match="Row 2: more values than columns"):
        read_table("a,b\n1,2,3\n".encode(), "x.csv")


def test_downloads_open_in_a_spreadsheet():
    csv_bytes = write_csv(["月份", "收入"], [["2026-10", 1205], ["2026-11", None]])
    assert csv_bytes.startswith("\ufeff".encode()) and "2026-11,\r\n" in csv_bytes.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(write_xlsx(["月份", "收入"], [["2026-10", 1205]], title="收支")))
    assert book.sheetnames == ["收支"]
    assert [list(r) for r in book.active.iter_rows(values_only=True)] == [["月份", "收入"], ["2026-10", 1205]]


def test_a_file_with_too_many_rows_is_refused(ctx, monkeypatch):
    import portal.tabular

    monkeypatch.setattr(portal.tabular, "MAX_ROWS", 3)
    text = "日期,摘要\n" + "2026-10-01,a\n" * 3 + "\n,\n"  # blank lines are not rows
    assert len(read_table(text.encode(), "s.csv").rows) == 3
    for data in ((text + "2026-10-02,b\n").encode(), _xlsx([["日期", "摘要"]] + [["2026-10-01", "a"]] * 4)):
        with pytest.raises(TableError) as exc:
            read_table(data, "s.xlsx" if data[:2] == b"PK" else "s.csv")
        assert exc.value.errors == ["The file has more than 3 rows."]


def test_a_workbook_dated_by_its_data_is_the_same_bytes_each_time(ctx):
    import time

    made = dt.datetime(2026, 10, 8, 2, 30)
    first = write_xlsx(["月份", "收入"], [["2026-10", 1205]], title="收支", made_at=made)
    time.sleep(1.1)  # zip entries and the document's dates would carry the second they were written
    assert write_xlsx(["月份", "收入"], [["2026-10", 1205]], title="收支", made_at=made) == first
    book = load_workbook(io.BytesIO(first))
    assert book.properties.created == made == book.properties.modified
    assert list(book.active.values) == [("月份", "收入"), ("2026-10", 1205)]
