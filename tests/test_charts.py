"""SVG charts: bars scale to the largest value and every value is also in a data table."""

from flask import render_template_string

from portal.charts import bar_chart, column_chart

MACRO = '{% from "charts.html" import render_chart %}{{ render_chart(chart) }}'


def test_bars_scale_to_the_largest_value(app):
    chart = bar_chart("支出", [("管理费用", 200), ("公益支出", 100), ("其他支出", 0)], fmt=lambda v: f"{v}元")
    widths = [s.w for s in chart.shapes]
    assert widths[0] == 2 * widths[1] and widths[2] == 0
    with app.test_request_context():
        html = render_template_string(MACRO, chart=chart)
    assert html.count("<rect") == 3 and 'role="img"' in html
    assert "<th scope=\"row\">公益支出</th><td class=\"num\">100元</td>" in html
    assert "style=" not in html  # the CSP forbids inline styles


def test_columns_group_series_per_category(app):
    chart = column_chart("月度收支", ["1月", "2月"], [("收入", [300, 150]), ("支出", [100, 0])])
    assert len(chart.shapes) == 4
    tallest = max(chart.shapes, key=lambda s: s.h)
    assert (tallest.label, tallest.series) == ("1月", 0)
    with app.test_request_context():
        html = render_template_string(MACRO, chart=chart)
    assert "chart-legend" in html and html.count("<rect") == 4


def test_a_value_of_none_is_no_column_and_no_zero(app):
    """A month with nothing published is not a month of 0.00 yuan."""
    chart = column_chart("月度收支", ["1月", "2月"], [("收入", [300, None]), ("支出", [100, None])],
                         missing="未公开")
    assert len(chart.shapes) == 2 and {s.label for s in chart.shapes} == {"1月"}
    assert chart.table_rows == [["1月", "300", "100"], ["2月", "未公开", "未公开"]]


def test_an_empty_chart_says_so(app):
    with app.test_request_context():
        html = render_template_string(MACRO, chart=bar_chart("支出", []))
    assert "No data for this period." in html and "<svg" not in html
