"""Spreadsheets in and out: CSV or XLSX uploads read into rows, tables written as CSV or XLSX.

Plugins import finance statements and sign-in sheets through `read_table` and offer their
tables for download through `write_csv` / `write_xlsx`, so every import reports errors the
same way (row and column named) and every download opens in the spreadsheet a clerk uses.
"""

import csv
import datetime as dt
import functools
import gc
import io
import zipfile
from dataclasses import dataclass, field

from flask_babel import gettext as _

XLSX_MAGIC = b"PK\x03\x04"
MAX_ROWS = 200_000


def without_gc_pauses(fn):
    """Run `fn` with the cyclic garbage collector paused: reading a large file builds hundreds of
    thousands of rows, none of them cyclic, and every collection on the way would walk them all
    again (a third of the time of a 100,000-line statement). Reference counting still frees them."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        enabled = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return wrapper


@dataclass
class TableError(ValueError):
    """A file that cannot be read, or rows that are wrong; `errors` are messages for the user."""

    errors: list = field(default_factory=list)

    def __str__(self):
        return "; ".join(str(e) for e in self.errors)


@dataclass
class Table:
    """The rows of a sheet: header names and, for each data row, its number in the file and a dict."""

    headers: list
    rows: list  # [(row_number, {header: value})], or [(row_number, [value, ...])] read `as_lists`;
    # values are str, or date/number from XLSX

    def require(self, columns):
        """Raise TableError naming every required column the header row lacks."""
        missing = [c for c in columns if c not in self.headers]
        if missing:
            raise TableError([_("Row 1: missing columns: %(cols)s", cols=", ".join(missing))])


def cell_error(row, column, message):
    """The one wording of an error in a cell: "Row 7, column 金额: …"."""
    return _("Row %(row)d, column %(col)s: %(msg)s", row=row, col=column, msg=message)


@without_gc_pauses
def read_table(data, filename, aliases=None, *, as_lists=False):
    """Read CSV or XLSX bytes into a Table; header names are stripped and mapped through `aliases`.

    The format is decided by content (an XLSX is a zip file), not by the file name alone.
    Raises TableError with a clear message for an empty, truncated or unreadable file.
    With `as_lists` a row is a list of values in the order of `headers` instead of a dict (the
    finance import reads 100,000-line files, and a dict per line is a third of the reading).
    """
    if not data:
        raise TableError([_("The file is empty.")])
    is_csv = not (data[:4] == XLSX_MAGIC or filename.lower().endswith((".xlsx", ".xlsm")))
    headers, raw_rows = _read_csv(data) if is_csv else _read_xlsx(data)
    aliases = aliases or {}
    headers = [aliases.get(h, h) for h in (str(h).strip() if h is not None else "" for h in headers)]
    rows, width, named = [], len(headers), all(headers)
    for row in raw_rows:  # (row number, [value, ...]), values stripped
        values = row[1]
        if len(values) != width:
            if any(v is not None for v in values[width:]):
                raise TableError([_("Row %(row)d: more values than columns.", row=row[0])])
            values = (values + [None] * width)[:width]
            row = (row[0], values)
        if values.count(None) == width:
            continue  # blank lines in a sheet are not rows
        rows.append(row if as_lists else (row[0], dict(zip(headers, values)) if named
                                          else {h: v for h, v in zip(headers, values) if h}))
    if len(rows) > MAX_ROWS:
        raise TableError([_("The file has more than %(n)d rows.", n=MAX_ROWS)])
    if not any(headers):
        raise TableError([_("The file has no header row.")])
    return Table(headers=headers, rows=rows)


def _read_csv(data):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes nearly anything
        raise TableError([_("The file is neither UTF-8 nor GB18030 text.")])
    if "\x00" in text:
        raise TableError([_("The file is not a CSV text file.")])
    reader = csv.reader(io.StringIO(text))
    try:
        headers = next(reader, None)
        if headers is None:
            raise TableError([_("The file is empty.")])
        rows = [(reader.line_num, [v.strip() or None for v in values]) for values in reader]  # every cell a str
    except csv.Error as exc:
        raise TableError([_("The CSV file cannot be read: %(err)s", err=str(exc))]) from None
    return headers, rows


def _read_xlsx(data):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        it = sheet.iter_rows(values_only=True)
        headers = next(it, None)
        if headers is None:
            raise TableError([_("The file is empty.")])
        rows = [(i, [(v.strip() or None) if v.__class__ is str else v for v in values])
                for i, values in enumerate(it, start=2)]
        book.close()
    except TableError:
        raise
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, EOFError):
        raise TableError([_("The file is not a readable XLSX workbook (is it damaged or cut short?).")]) from None
    return headers, rows


def _cell_text(value):
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)


def write_csv(headers, rows):
    """CSV bytes with a BOM, so that Excel on a Chinese Windows opens it as UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_cell_text(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


DATE_FORMAT = "yyyy-mm-dd"
YUAN_FORMAT = "#,##0.00"  # yuan with two decimals and thousands separators


def write_xlsx(headers, rows, title="Sheet1", made_at=None, formats=None, emphasised=(), widths=None):
    """XLSX bytes of one sheet: a bold header row frozen above the rows, then the rows as given.

    Numbers stay numbers (a Decimal is written exactly); a date is a date cell shown yyyy-mm-dd.
    `formats` maps a column's index to its number format (YUAN_FORMAT); the rows whose indexes are
    in `emphasised` (totals, balances) are bold; `widths` are the columns' widths in characters.
    `made_at` (naive UTC), when the data was made (a publication's time), dates the workbook and
    every part of its zip, so the same data gives the same bytes (a static export written again
    leaves it unchanged); without it they carry the moment they are written.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    if made_at is not None:
        book.properties.created = book.properties.modified = made_at
    sheet = book.create_sheet(title=title[:31] or "Sheet1")
    sheet.freeze_panes = "A2"  # the header stays in view while the rows scroll
    for i, width in enumerate(widths or ()):
        sheet.column_dimensions[get_column_letter(i + 1)].width = width
    bold = Font(bold=True)
    formats, emphasised = formats or {}, set(emphasised)
    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(sheet, value=str(h))
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for r, row in enumerate(rows):
        if not formats and not emphasised and not any(v.__class__ is dt.date for v in row):
            sheet.append(list(row))  # plain values go in as they are: no cell object each in a large sheet
            continue
        cells = []
        for c, value in enumerate(row):
            cell = WriteOnlyCell(sheet, value=value)
            if value.__class__ is dt.date:  # a datetime keeps openpyxl's date-and-time format
                cell.number_format = DATE_FORMAT
            elif c in formats:
                cell.number_format = formats[c]
            if r in emphasised:
                cell.font = bold
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    if made_at is None:
        return out.getvalue()
    # saving sets the document's "modified" to now: its properties are written again, dated made_at
    from openpyxl.xml.constants import ARC_CORE
    from openpyxl.xml.functions import tostring

    book.properties.modified = made_at
    return _dated(out.getvalue(), made_at, {ARC_CORE: tostring(book.properties.to_tree())})


def _dated(data, when, replaced):
    """The zip `data` with every entry dated `when` (zip entries carry the time they were written),
    the entries named in `replaced` with the bytes given there."""
    stamp = when.timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type, entry.external_attr = info.compress_type, info.external_attr
            dst.writestr(entry, replaced.get(info.filename) or src.read(info))
    return out.getvalue()
