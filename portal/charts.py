"""Server-rendered SVG charts: the geometry here, the markup in templates/charts.html.

Public pages work without JavaScript and under a CSP that forbids inline styles, so a
chart is plain SVG shapes with classes (colours come from portal.css) and a data table
beside it for screen readers and for anyone who prefers numbers:

    chart = bar_chart(_("Expense by account"), [("管理费用", 120000), ...], fmt=yuan)
    {% from "charts.html" import render_chart %}{{ render_chart(chart) }}
"""

import hashlib
from dataclasses import dataclass, field

WIDTH = 400  # viewBox units; on a 360 px phone one unit is about 0.85 px
LABEL_W = 96  # room for the category labels of a bar chart
VALUE_W = 84  # room for the value written after a bar
ROW_H = 26
PLOT_H = 160
SERIES_CLASSES = 4  # .chart-s0 … .chart-s3 in portal.css



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


@dataclass
class Chart:
    """Everything a template needs to draw one chart and its data table."""

    title: str
    kind: str  # "bars" (horizontal, one per category) or "columns" (grouped, per category)
    width: int
    height: int
    shapes: list
    labels: list = field(default_factory=list)  # (x, y, text) of axis labels
    legend: list = field(default_factory=list)  # (series index, name)
    table_head: list = field(default_factory=list)
    table_rows: list = field(default_factory=list)
    ident: str = ""

    @property
    def empty(self):
        return not self.shapes


def _scale(values):
    top = max([v for v in values if v is not None] + [0])
    return top if top > 0 else 1


def bar_chart(title, items, fmt=str, label_head="", value_head=""):
    """Horizontal bars, one per (label, value), longest scale at the largest value."""
    items = [(str(label), value or 0) for label, value in items]
    top = _scale([v for _l, v in items])
    plot_w = WIDTH - LABEL_W - VALUE_W
    shapes = []
    for i, (label, value) in enumerate(items):
        w = max(0.0, value) / top * plot_w
        shapes.append(Shape(label, value, fmt(value), LABEL_W, i * ROW_H + 4, round(w, 1), ROW_H - 8))
    return Chart(title=str(title), kind="bars", width=WIDTH, height=max(1, len(items)) * ROW_H + 8,
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
    labels = [(round(10 + c * slot + slot / 2, 1), PLOT_H + 28, category) for c, category in enumerate(categories)]
    rows = [[category] + [fmt(v) if (v := values[c] if c < len(values) else None) is not None else str(missing)
                          for _n, values in series]
            for c, category in enumerate(categories)]
    return Chart(title=str(title), kind="columns", width=WIDTH, height=PLOT_H + 40, shapes=shapes, labels=labels,
                 legend=[(i % SERIES_CLASSES, name) for i, (name, _v) in enumerate(series)],
                 table_head=[category_head] + [name for name, _v in series], table_rows=rows,
                 ident=_ident(str(title), "columns", categories))
