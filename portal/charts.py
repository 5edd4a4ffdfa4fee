"""Server-rendered SVG charts: the geometry here, the markup in templates/charts.html.

Public pages work without JavaScript and under a CSP that forbids inline styles, so a
chart is plain SVG shapes with classes (colours come from portal.css) and a data table
beside it for screen readers and for anyone who prefers numbers:

    chart = bar_chart(_("Expense by account"), [("管理费用", 120000), ...], fmt=yuan)
    {% from "charts.html" import render_chart %}{{ render_chart(chart) }}
"""

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

WIDTH = 400  # viewBox units; on a 360 px phone one unit is about 0.85 px
LABEL_W = 96  # room for the category labels of a bar chart
VALUE_W = 84  # room for the value written after a bar
ROW_H = 26
PLOT_H = 160
SERIES_CLASSES = 4  # .chart-s0 … .chart-s3 in portal.css
FONT = 13  # viewBox units: .chart-label and .chart-value in portal.css
LINE_H = 16  # from one line of a label to the next
BAR_H = 18  # a bar under its label, when the labels do not fit beside the bars
LABEL_LINES = 2  # a label longer than this many lines is abbreviated; <title> and the table say it whole
SLANT_W = 110  # the longest a slanted category label under the columns may be
ELLIPSIS = "…"
# a word, with the spaces before it; a hyphen ends one ("2026-" "11"), so a date breaks after it
_WORDS = re.compile(r"\s*[^\s-]*-|\s*[^\s-]+")


def text_width(text):
    """How wide `text` is drawn at FONT, in viewBox units, estimated on the generous side.

    Chinese characters take a full em; Latin letters about 0.6 of one in DejaVu Sans, the widest
    fallback a phone or Chromium on Linux uses, so a label measured to fit does fit.
    """
    em = 0.0
    for ch in text:
        if unicodedata.east_asian_width(ch) in ("W", "F"):
            em += 1.0
        elif ch in " .,:;'!|()[]ijlft":
            em += 0.36
        elif ch in "mwMW%":
            em += 0.92
        elif ch.isupper():
            em += 0.72
        else:
            em += 0.62
    return em * FONT


def _abbreviate(line, width):
    """`line` shortened to end in "…" within `width`: whole words dropped first, letters only from a
    single word too wide for a line."""
    words = _WORDS.findall(line)
    while len(words) > 1 and text_width("".join(words).rstrip() + ELLIPSIS) > width:
        words.pop()
    line = "".join(words).rstrip()
    while line and text_width(line + ELLIPSIS) > width:
        line = line[:-1]
    return line.rstrip() + ELLIPSIS


def wrap_label(text, width, max_lines=LABEL_LINES):
    """`text` in at most `max_lines` lines no wider than `width`, broken between words.

    A run without spaces (a Chinese phrase) breaks between its characters only when it is wider
    than a whole line. When the words need more lines, the last one ends in "…": the chart shows
    the whole label in its <title> and its data table. Returns (lines, abbreviated).
    """
    pieces = []  # what may start a line
    for word in _WORDS.findall(text.strip()):
        bare = word.lstrip()
        if text_width(bare) <= width:
            pieces.append(word)
        else:
            pieces.extend([word[:len(word) - len(bare) + 1], *bare[1:]])
    lines = []
    for piece in pieces:
        if lines and text_width(lines[-1] + piece) <= width:
            lines[-1] += piece
        else:
            lines.append(piece.lstrip())
    lines = [line.rstrip() for line in lines] or [""]
    if len(lines) <= max_lines:
        return lines, False
    return lines[:max_lines - 1] + [_abbreviate(lines[max_lines - 1], width)], True


def _ident(*parts):
    """A stable element id for a chart (the same page renders the same ids)."""
    return "chart-" + hashlib.sha1(repr(parts).encode()).hexdigest()[:10]


@dataclass
class Shape:
    """One bar or column: where it is drawn and what it says."""

    label: str
    value: float
    text: str
    x: float
    y: float
    w: float
    h: float
    series: int = 0
    label_lines: list = field(default_factory=list)  # the label as drawn: one or two lines, maybe abbreviated
    label_x: float = 0
    label_y: float = 0  # the baseline of its first line
    label_anchor: str = "end"
    abbreviated: bool = False


@dataclass
class Chart:
    """Everything a template needs to draw one chart and its data table."""

    title: str
    kind: str  # "bars" (horizontal, one per category) or "columns" (grouped, per category)
    width: int
    height: int
    shapes: list
    labels: list = field(default_factory=list)  # Label: a category under its columns
    legend: list = field(default_factory=list)  # (series index, name)
    table_head: list = field(default_factory=list)
    table_rows: list = field(default_factory=list)
    ident: str = ""
    axis_y: float = 0  # where the columns stand
    line_h: int = LINE_H
    left: int = 0  # room left of x=0 that slanted labels reach into

    @property
    def empty(self):
        return not self.shapes


@dataclass
class Label:
    """A category's label under its columns: one or two lines; `text` whole for its <title>."""

    x: float
    y: float
    lines: list
    text: str
    abbreviated: bool = False
    slanted: bool = False  # drawn at 45°, ending under its columns


def _column_labels(categories, slot):
    """The labels under the columns and how far they reach below the axis and left of the chart.

    A label that fits its slot stays on one line; one that fits in two lines of whole words
    takes two; when a word alone is wider than the slot (twelve months written 2026-01 on a
    phone), every label is slanted at 45° instead, so that no word is cut.
    """
    centres = [round(10 + c * slot + slot / 2, 1) for c in range(len(categories))]
    wrapped = [wrap_label(category, slot - 4) for category in categories]
    if all(text_width(word.strip()) <= slot - 4 for category in categories for word in _WORDS.findall(category)):
        labels = [Label(x, PLOT_H + 28, lines, category, abbreviated)
                  for x, category, (lines, abbreviated) in zip(centres, categories, wrapped)]
        return labels, max((len(label.lines) for label in labels), default=1) * LINE_H + 14, 0
    labels, reach, left = [], 0, 0
    for x, category in zip(centres, categories):
        lines, abbreviated = wrap_label(category, SLANT_W, max_lines=1)
        labels.append(Label(x, PLOT_H + 22, lines, category, abbreviated, slanted=True))
        drop = text_width(lines[0]) * 0.71  # sin 45°: as far down as it reaches left
        reach, left = max(reach, drop), max(left, drop - x)
    return labels, round(reach) + 20, round(left + 4) if left > 0 else 0


def _scale(values):
    top = max([v for v in values if v is not None] + [0])
    return top if top > 0 else 1


def bar_chart(title, items, fmt=str, label_head="", value_head=""):
    """Horizontal bars, one per (label, value), longest scale at the largest value.

    Labels that fit (Chinese account names, categories) stand beside their bars; when one does not
    (the same categories in English), every label stands on its own line above its bar, the width
    of the chart, wrapped between words and abbreviated only past two lines.
    """
    items = [(str(label), value or 0) for label, value in items]
    top = _scale([v for _l, v in items])
    beside = all(text_width(label) <= LABEL_W - 8 for label, _v in items)
    shapes, y = [], 4
    for label, value in items:
        if beside:
            w = max(0.0, value) / top * (WIDTH - LABEL_W - VALUE_W)
            shapes.append(Shape(label, value, fmt(value), LABEL_W, y, round(w, 1), ROW_H - 8, label_lines=[label],
                                label_x=LABEL_W - 6, label_y=y + ROW_H - 12))
            y += ROW_H
            continue
        lines, abbreviated = wrap_label(label, WIDTH - 4)
        bar_y = y + len(lines) * LINE_H
        w = max(0.0, value) / top * (WIDTH - VALUE_W)
        shapes.append(Shape(label, value, fmt(value), 0, bar_y, round(w, 1), BAR_H, label_lines=lines, label_x=0,
                            label_y=y + FONT - 1, label_anchor="start", abbreviated=abbreviated))
        y = bar_y + BAR_H + 10
    return Chart(title=str(title), kind="bars", width=WIDTH, height=max(y + 4, ROW_H + 8),
                 shapes=shapes, table_head=[label_head, value_head],
                 table_rows=[(s.label, s.text) for s in shapes], ident=_ident(str(title), "bars", items))


def column_chart(title, categories, series, fmt=str, category_head="", missing="—"):
    """Grouped vertical columns: for each category, one column per (name, values) series.

    A value of None is no figure at all (a month with nothing published): no column, and `missing`
    in the data table, where 0 would claim a figure of nothing.
    """
    categories = [str(c) for c in categories]
    series = [(str(name), list(values)) for name, values in series]
    top = _scale([v for _n, values in series for v in values])
    n_cat, n_ser = max(1, len(categories)), max(1, len(series))
    slot = (WIDTH - 20) / n_cat
    col_w = max(2.0, (slot - 6) / n_ser)
    shapes = []
    for c, category in enumerate(categories):
        for s, (_name, values) in enumerate(series):
            value = values[c] if c < len(values) else None
            if value is None:
                continue
            h = max(0.0, value) / top * PLOT_H
            shapes.append(Shape(category, value, fmt(value), round(10 + c * slot + 3 + s * col_w, 1),
                                round(10 + PLOT_H - h, 1), round(col_w - 1, 1), round(h, 1), series=s % SERIES_CLASSES))
    labels, below, left = _column_labels(categories, slot)
    rows = [[category] + [fmt(v) if (v := values[c] if c < len(values) else None) is not None else str(missing)
                          for _n, values in series]
            for c, category in enumerate(categories)]
    return Chart(title=str(title), kind="columns", width=WIDTH, height=PLOT_H + 10 + max(30, below), shapes=shapes,
                 labels=labels, axis_y=10 + PLOT_H, left=left,
                 legend=[(i % SERIES_CLASSES, name) for i, (name, _v) in enumerate(series)],
                 table_head=[category_head] + [name for name, _v in series], table_rows=rows,
                 ident=_ident(str(title), "columns", categories))
