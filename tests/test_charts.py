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


# --- labels that do not fit: English beside Chinese ------------------------------------------------

ENGLISH_KINDS = [("Question (咨询)", 7), ("Request for help (求助)", 7), ("Complaint (投诉)", 7),
                 ("Report of wrongdoing (举报)", 4), ("Suggestion (建议)", 3),
                 ("Objection to a disclosure (村务公开异议)", 0)]


def _drawn_labels(html):
    """The words of each chart label as drawn (its lines joined), without the <title> of an abbreviated one."""
    import re

    texts = [re.sub(r"<title>.*?</title>", "", t)
             for t in re.findall(r'<text class="chart-label"[^>]*>(.*?)</text>', html)]
    return [" ".join(re.findall(r"<tspan[^>]*>(.*?)</tspan>", t)) if "<tspan" in t else t for t in texts]


def test_english_bar_labels_are_drawn_whole_above_their_bars(app):
    chart = bar_chart("Cases by kind", ENGLISH_KINDS)
    with app.test_request_context():
        html = render_template_string(MACRO, chart=chart)
    assert _drawn_labels(html) == [label for label, _v in ENGLISH_KINDS]  # no "Questi…"
    assert "…" not in html
    for shape in chart.shapes:  # each label on its own line, the bar below it
        assert shape.label_anchor == "start" and shape.label_y < shape.y
    assert chart.height >= chart.shapes[-1].y + chart.shapes[-1].h


def test_chinese_bar_labels_stay_beside_their_bars(app):
    chart = bar_chart("各类工单数量", [("咨询", 7), ("村务公开异议", 0)])
    assert [(s.label_lines, s.label_anchor, s.x) for s in chart.shapes] == [
        (["咨询"], "end", 96), (["村务公开异议"], "end", 96)]
    with app.test_request_context():
        assert _drawn_labels(render_template_string(MACRO, chart=chart)) == ["咨询", "村务公开异议"]


def test_a_label_too_long_for_two_lines_ends_between_words_and_is_whole_in_its_title_and_table(app):
    long = ("Concentrated training at the county party school for newly elected village secretaries and their "
            "deputies (党校集中轮训)")
    chart = bar_chart("Sessions", [(long, 5)])
    lines = chart.shapes[0].label_lines
    assert len(lines) == 2 and lines[1].endswith("…") and chart.shapes[0].abbreviated
    for line in lines:  # every word drawn is a whole word of the label
        assert set(line.rstrip("…").split()) <= set(long.split())
    with app.test_request_context():
        html = render_template_string(MACRO, chart=chart)
    assert f"<title>{long}</title>" in html and f'<th scope="row">{long}</th>' in html


def test_column_labels_wrap_between_words_or_slant_rather_than_cut_a_word(app):
    words = column_chart("Cases", ["Question (咨询)", "Request for help (求助)", "Suggestion (建议)"],
                         [("Cases", [1, 2, 3])])
    assert [label.lines for label in words.labels] == [["Question (咨询)"], ["Request for help", "(求助)"],
                                                       ["Suggestion (建议)"]]
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    slanted = column_chart("Cases by month", months, [("Cases", list(range(12)))])
    assert all(label.slanted and label.lines == [label.text] for label in slanted.labels)
    with app.test_request_context():
        html = render_template_string(MACRO, chart=slanted)
    assert _drawn_labels(html) == months and 'transform="rotate(-45' in html
    assert html.count('viewBox="-') == 1  # room on the left for the first slanted label
    short = column_chart("月度收支", ["01", "02"], [("收入", [1, 2])])
    assert [(label.lines, label.slanted) for label in short.labels] == [(["01"], False), (["02"], False)]
    assert short.height == 200 and short.left == 0  # as before
