"""Compliance: which required disclosures a village made on time, late, not at all, or not yet due."""

import datetime as dt

import pytest

from plugins.disclosure import compliance
from portal import ledger
from portal.orgs import SettingSpec, set_setting
from portal.timeutil import local_today
from tests.helpers import TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, filter_error, unit


@pytest.fixture
def setup(app, ctx, tree):
    """The disclosure kind and settings (declared by the plugin; added here if they are not yet)."""
    from plugins.disclosure.schema import PAYLOAD_SCHEMA

    host = app.extensions["portal"]
    host.publication_kinds.setdefault(("disclosure", "disclosure"), ledger.PublicationKind(
        "disclosure", "disclosure", "Disclosure", "disclosure/public/kind_disclosure.html", PAYLOAD_SCHEMA))
    for spec in (SettingSpec("disclosure.fixed_day", int, 10, "Fixed day", floor=1, ceiling=28),
                 SettingSpec("disclosure.finance_frequency", str, "monthly", "Finance",
                             choices=("monthly", "quarterly")),
                 SettingSpec("disclosure.general_frequency", str, "quarterly", "General",
                             choices=("monthly", "quarterly"))):
        host.settings.setdefault(spec.key, spec)


def local(y, m, d, hour=12):
    """A naive UTC datetime for a local (Asia/Shanghai) date and hour."""
    return dt.datetime(y, m, d, hour) - dt.timedelta(hours=8)


def publish(code, category, period, at, statement_month=None):
    payload = {"category": category, "disclosure_kind": "regular", "period": period, "body": "", "attachments": [],
               "statement": None, "review": {}, "due": None}
    if statement_month:
        payload["statement"] = {"month": statement_month, "chart": "2023", "opening_fen": 0, "income_fen": 0,
                                "expense_fen": 0, "closing_fen": 0, "lines": []}
    return ledger.publish(plugin="disclosure", kind="disclosure", org=unit(code), title=f"{category} {period}",
                          payload=payload, published_at=at)


def statuses(rows, requirement):
    return {r.period: r.status for r in rows if r.requirement == requirement}


def test_finance_around_the_fixed_day(setup):
    village = unit(VILLAGE_A1)
    publish(VILLAGE_A1, "finance", "2026-07", local(2026, 8, 10, 23), "2026-07")   # on the day, late evening
    publish(VILLAGE_A1, "finance", "2026-08", local(2026, 9, 11, 0), "2026-08")    # just after midnight: late
    # 2026-09: nothing, due 2026-10-10 has passed
    # 2026-10: nothing, due 2026-11-10 - not passed on 2026-11-09
    rows = compliance.calendar([village], ["2026-07", "2026-08", "2026-09", "2026-10"], dt.date(2026, 11, 9))
    fin = statuses(rows, "finance")
    assert fin == {"2026-07": "on_time", "2026-08": "late", "2026-09": "missing", "2026-10": "not_due"}
    row = next(r for r in rows if r.period == "2026-08" and r.requirement == "finance")
    assert row.due == dt.date(2026, 9, 10) and row.published_on == dt.date(2026, 9, 11) and row.pub_id
    # the day after the fixed day the October statement is missing
    rows = compliance.calendar([village], ["2026-10"], dt.date(2026, 11, 11))
    assert statuses(rows, "finance") == {"2026-10": "missing"}
    rows = compliance.calendar([village], ["2026-10"], dt.date(2026, 11, 10))
    assert statuses(rows, "finance") == {"2026-10": "not_due"}


def test_general_items_are_quarterly_and_due_after_the_quarter(setup):
    village = unit(VILLAGE_A1)
    publish(VILLAGE_A1, "village", "2026-Q2", local(2026, 7, 9))
    publish(VILLAGE_A1, "party", "2026-Q3", local(2026, 10, 1))   # party affairs do not count as 村务
    rows = compliance.calendar([village], compliance.months_of_year(2026), dt.date(2026, 11, 22))
    general = {r.period: (r.status, r.due) for r in rows if r.requirement == "general"}
    assert general == {"2026-Q1": ("missing", dt.date(2026, 4, 10)), "2026-Q2": ("on_time", dt.date(2026, 7, 10)),
                       "2026-Q3": ("missing", dt.date(2026, 10, 10)), "2026-Q4": ("not_due", dt.date(2027, 1, 10))}
    assert len([r for r in rows if r.requirement == "finance"]) == 12


def test_a_correction_keeps_the_first_publication_date(setup):
    village = unit(VILLAGE_A1)
    pub = publish(VILLAGE_A1, "finance", "2026-09", local(2026, 10, 8), "2026-09")
    ledger.correct(pub.pub_id, reason="wrong amount", title="fixed", payload=dict(pub.payload),
                   published_at=local(2026, 10, 20))
    rows = compliance.calendar([village], ["2026-09"], dt.date(2026, 11, 22))
    assert statuses(rows, "finance") == {"2026-09": "on_time"}
    ledger.withdraw(pub.pub_id, reason="published at the wrong village")
    rows = compliance.calendar([village], ["2026-09"], dt.date(2026, 11, 22))
    assert statuses(rows, "finance") == {"2026-09": "missing"}


def test_a_correction_that_moves_a_disclosure_to_another_period_counts_there_only(setup):
    village = unit(VILLAGE_A1)
    pub = publish(VILLAGE_A1, "finance", "2026-08", local(2026, 9, 8), "2026-08")
    moved = dict(pub.payload, period="2026-09", statement=dict(pub.payload["statement"], month="2026-09"))
    ledger.correct(pub.pub_id, reason="it was September's statement", title="fixed", payload=moved,
                   published_at=local(2026, 10, 20))
    # asked for August alone, then September alone: the latest revision decides, the first one dates it
    assert statuses(compliance.calendar([village], ["2026-08"], dt.date(2026, 11, 22)), "finance") == {
        "2026-08": "missing"}
    assert statuses(compliance.calendar([village], ["2026-09"], dt.date(2026, 11, 22)), "finance") == {
        "2026-09": "on_time"}


def test_township_settings_change_the_day_and_frequency(setup):
    town = unit(TOWN_A)
    set_setting(town, "disclosure.fixed_day", "15")
    set_setting(town, "disclosure.finance_frequency", "quarterly")
    village = unit(VILLAGE_A2)
    publish(VILLAGE_A2, "finance", "2026-Q3", local(2026, 10, 14), None)
    rows = compliance.calendar([village], ["2026-07", "2026-08", "2026-09"], dt.date(2026, 11, 22))
    fin = [r for r in rows if r.requirement == "finance"]
    assert [(r.period, r.status, r.due) for r in fin] == [("2026-Q3", "on_time", dt.date(2026, 10, 15))]


def test_periods_of_one_length_are_answered_by_disclosures_of_another(setup):
    """A quarter is answered by a disclosure of one of its months or a statement of one; a month by its
    quarter's disclosure; when several answer, the earliest first publication counts."""
    town = unit(TOWN_A)
    set_setting(town, "disclosure.finance_frequency", "quarterly")
    set_setting(town, "disclosure.general_frequency", "monthly")
    village = unit(VILLAGE_A2)
    publish(VILLAGE_A2, "finance", None, local(2026, 10, 12), "2026-08")   # a statement of the quarter's 2nd month
    publish(VILLAGE_A2, "finance", "2026-09", local(2026, 10, 9))           # a month of the quarter, earlier
    publish(VILLAGE_A2, "village", "2026-Q3", local(2026, 8, 5))            # answers each of its months
    publish(VILLAGE_A2, "finance", None, local(2026, 7, 1), "2026-06")     # a statement of another quarter
    rows = compliance.calendar([village], ["2026-07", "2026-08", "2026-09"], dt.date(2026, 11, 22))
    fin = [(r.period, r.status, r.published_on) for r in rows if r.requirement == "finance"]
    assert fin == [("2026-Q3", "on_time", dt.date(2026, 10, 9))]
    general = {r.period: (r.status, r.published_on) for r in rows if r.requirement == "general"}
    assert general == {"2026-07": ("on_time", dt.date(2026, 8, 5)), "2026-08": ("on_time", dt.date(2026, 8, 5)),
                       "2026-09": ("on_time", dt.date(2026, 8, 5))}


def test_village_record_counts(setup):
    village = unit(VILLAGE_A1)
    publish(VILLAGE_A1, "finance", "2026-01", local(2026, 2, 5), "2026-01")
    publish(VILLAGE_A1, "finance", "2026-02", local(2026, 3, 20), "2026-02")
    record = compliance.village_record(village, 2026, today=dt.date(2026, 4, 1))
    c = record["counts"]
    # finance: Jan on time, Feb late, Mar and later not due; general Q1 not due yet (due 2026-04-10)
    assert (c["on_time"], c["late"], c["missing"], c["not_due"]) == (1, 1, 0, 10 + 4)
    assert c["rate"] == 50


def test_a_village_owes_nothing_for_the_periods_that_ended_before_it_was_established(setup):
    """导子村 was set up on 2026-06-15: January to May and the first quarter are not yet established (未设立),
    outside the counts and the rate; June and the second quarter, which end after that day, are due."""
    village, other = unit(VILLAGE_A1), unit(VILLAGE_A2)
    village.established_on = dt.date(2026, 6, 15)
    publish(VILLAGE_A1, "finance", "2026-06", local(2026, 7, 8), "2026-06")
    publish(VILLAGE_A1, "finance", "2026-04", local(2026, 7, 8), "2026-04")  # a statement of before, still linked
    months = [f"2026-{m:02d}" for m in range(1, 10)]
    rows = compliance.calendar([village, other], months, dt.date(2026, 11, 22))
    mine = [r for r in rows if r.village is village]
    assert statuses(mine, "finance") == {
        **{f"2026-{m:02d}": "not_established" for m in range(1, 6)},
        "2026-06": "on_time", "2026-07": "missing", "2026-08": "missing", "2026-09": "missing"}
    assert statuses(mine, "general") == {"2026-Q1": "not_established", "2026-Q2": "missing", "2026-Q3": "missing"}
    april = next(r for r in mine if r.period == "2026-04")
    assert april.status_label == "Not yet established" and april.published_on == dt.date(2026, 7, 8) and april.pub_id
    c = compliance.counts(mine)
    assert (c["on_time"], c["late"], c["missing"], c["not_due"], c["not_established"]) == (1, 0, 5, 0, 6)
    assert c["due"] == 6 and c["rate"] == 17
    # a village with no date existed before the records began: every month of it is owed
    assert set(statuses([r for r in rows if r.village is other], "finance").values()) == {"missing"}
    record = compliance.village_record(village, 2026, today=dt.date(2026, 11, 22))["counts"]
    assert record["not_established"] == 6 and record["due"] == 5 + 2  # June–October statements; Q2 and Q3
    # its clerk's to-do list asks for no statement of January to May, nor for the first quarter
    assert [r.period for r in compliance.due(village, dt.date(2026, 7, 1))] == ["2026-Q2"]  # June's is published


def test_a_new_drafts_period_is_the_last_one_that_has_ended_at_the_required_frequency(setup):
    village = unit(VILLAGE_A1)
    assert compliance.last_period(village, "finance", today=dt.date(2026, 12, 1)) == "2026-11"
    assert compliance.last_period(village, "finance", today=dt.date(2026, 1, 31)) == "2025-12"
    assert compliance.last_period(village, "village", today=dt.date(2026, 12, 1)) == "2026-Q3"
    assert compliance.last_period(village, "party", today=dt.date(2026, 2, 10)) == "2025-Q4"
    set_setting(unit(TOWN_A), "disclosure.finance_frequency", "quarterly")  # the township's rule reaches the village
    assert compliance.last_period(village, "finance", today=dt.date(2026, 4, 1)) == "2026-Q1"


def test_a_clerks_to_do_list_is_what_is_missing_and_what_falls_due_within_a_month(setup):
    village = unit(VILLAGE_A1)
    for month in ("2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07",
                  "2026-09", "2026-10"):  # August's statement never came
        publish(VILLAGE_A1, "finance", month, local(int(month[:4]) + (month[5:] == "12"), int(month[5:]) % 12 + 1, 5),
                month)
    for quarter in ("2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"):
        publish(VILLAGE_A1, "village", quarter, local(int(quarter[:4]) + (quarter[-1] == "4"),
                                                      int(quarter[-1]) * 3 % 12 + 1, 5))
    due = compliance.due(village, dt.date(2026, 12, 2))
    assert [(r.period, r.requirement, r.status, r.due) for r in due] == [
        ("2026-08", "finance", "missing", dt.date(2026, 9, 10)),
        ("2026-11", "finance", "not_due", dt.date(2026, 12, 10)),
    ]  # December's statement (due 2027-01-10) and 2026-Q4 (due 2027-01-10) are more than a month away
    assert [r.period for r in compliance.due(village, dt.date(2026, 12, 12))][-3:] == ["2026-11", "2026-12", "2026-Q4"]
    assert compliance.satisfies("finance", "2026-11", due[1]) and not compliance.satisfies("village", "2026-11", due[1])


# --- the console page: a filter value not understood is said, not silently replaced --------------

@pytest.fixture
def officer(app, tree):
    """东风镇's officer (the disclosure module on there), logged in; returns a GET of the compliance page."""
    from portal.extensions import db
    from tests.helpers import make_user

    with app.app_context():
        app.extensions["portal"].set_enabled("disclosure", unit(TOWN_A), True)
        db.session.commit()
        make_user("township_admin", TOWN_A, "dongfeng")
    client = app.test_client()
    assert client.post("/login", data={"username": "dongfeng", "password": "correct horse battery"}).status_code == 302

    def get(query):
        return client.get(f"/console/disclosure/compliance?org={TOWN_A}&{query}")

    return get




def _periods(html):
    import re

    return sorted(set(re.findall(r'<td class="date">(\d{4}-\d{2})</td>', html)))


def test_a_month_that_is_no_month_is_said_and_what_is_shown_instead(officer):
    resp = officer("from=2026-13&to=2026-10")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert filter_error(html, "f-from") == ("From month: “2026-13” is not a month from 2000-01 to 2100-12, such as "
                                            "2026-03. Showing from 2025-11 instead.")
    assert 'name="from" value="2026-13"' in html  # what was typed, to correct it
    assert _periods(html)[0] == "2025-11" and _periods(html)[-1] == "2026-10"
    html = officer("from=2026-01&to=abc").get_data(as_text=True)
    today = local_today()
    last = compliance.shift_month(f"{today.year:04d}-{today.month:02d}", -1)
    assert filter_error(html, "f-to") == ("To month: “abc” is not a month from 2000-01 to 2100-12, such as 2026-03. "
                                          f"Showing up to {last} instead.")
    assert filter_error(html, "f-from") is None
    assert filter_error(officer("from=9999-12").get_data(as_text=True), "f-from").startswith(
        "From month: “9999-12” is not a month")


def test_the_problems_are_listed_in_the_order_of_the_form(officer):
    import re

    def listed(query):
        html = officer(query).get_data(as_text=True)
        errors = html.split('<ul class="errors filter-errors">')[1].split("</ul>")[0]
        return re.findall(r'<li id="f-(\w+)-error">', errors)

    # the form reads township, village, from, to, status: so do its messages, however the page checks them
    assert listed("from=2026-13&to=abc") == ["from", "to"]
    assert listed("from=2026-10&to=2016-01") == ["from", "to"]  # backwards (to), then too long (from)
    assert listed("status=overdue&to=abc&from=xyz&village=371402101299&township=1") == [
        "township", "village", "from", "to", "status"]


def test_a_range_backwards_or_too_long_is_said(officer):
    html = officer("from=2026-10&to=2026-07").get_data(as_text=True)
    assert filter_error(html, "f-to") == ("To month: The range ends (2026-07) before it starts (2026-10). "
                                          "Showing 2026-07 to 2026-10 instead.")
    assert _periods(html) == ["2026-07", "2026-08", "2026-09", "2026-10"]
    assert 'name="from" value="2026-07"' in html and 'name="to" value="2026-10"' in html
    html = officer("from=2016-01&to=2026-10").get_data(as_text=True)
    assert filter_error(html, "f-from") == ("From month: The range 2016-01 to 2026-10 is longer than 60 months. "
                                            "Showing 2021-11 to 2026-10 instead.")
    assert _periods(html)[0] == "2021-11"
    html = officer("from=2021-11&to=2026-10").get_data(as_text=True)  # sixty months is allowed
    assert filter_error(html, "f-from") is None and _periods(html)[0] == "2021-11"


def test_an_unknown_township_village_or_status_is_said(officer):
    html = officer(f"from=2026-09&to=2026-10&township={TOWN_B}").get_data(as_text=True)  # not dongfeng's
    assert filter_error(html, "f-township") == (f"Township: No township below 东风镇 has the code “{TOWN_B}”. "
                                                "Showing all townships instead.")
    assert "导子村" in html
    html = officer("from=2026-09&to=2026-10&village=371402101299").get_data(as_text=True)
    assert filter_error(html, "f-village") == ("Village: No village below 东风镇 has the code “371402101299”. "
                                               "Showing all villages instead.")
    html = officer(f"from=2026-09&to=2026-10&township={TOWN_A}&village={VILLAGE_A1}-dzb").get_data(as_text=True)
    assert filter_error(html, "f-village") == (f"Village: No village of 东风镇 has the code “{VILLAGE_A1}-dzb”. "
                                               "Showing all villages of 东风镇 instead.")  # a branch is no village
    html = officer("from=2026-09&to=2026-10&status=overdue").get_data(as_text=True)
    assert filter_error(html, "f-status") == ("Status: “overdue” is not one of the statuses. "
                                              "Showing every status instead.")
    html = officer("status=<b>late</b>").get_data(as_text=True)  # what was typed is text, not markup
    assert filter_error(html, "f-status").startswith("Status: “&lt;b&gt;late&lt;/b&gt;” is not one of the statuses.")
    good = officer(f"from=2026-09&to=2026-10&township={TOWN_A}&village={VILLAGE_A1}&status=missing")
    assert "filter-errors" not in good.get_data(as_text=True) and good.status_code == 200


def test_a_download_with_a_filter_not_understood_is_refused(officer):
    for fmt in ("csv", "xlsx"):
        resp = officer(f"from=2026-09&to=2026-10&status=overdue&format={fmt}")
        html = resp.get_data(as_text=True)
        assert resp.status_code == 400 and "attachment" not in resp.headers.get("Content-Disposition", "")
        assert "Nothing was downloaded: a filter was not understood" in html
        assert filter_error(html, "f-status").startswith("Status: “overdue” is not one of the statuses.")
    resp = officer("from=2026-09&to=2026-10&format=pdf")
    assert resp.status_code == 400 and "“pdf” is not a download format: choose CSV or XLSX." in resp.get_data(
        as_text=True)
    ok = officer("from=2026-09&to=2026-10&status=missing&format=csv")
    assert ok.status_code == 200 and ok.headers["Content-Type"].startswith("text/csv")


def test_the_messages_are_in_chinese_on_a_chinese_page(officer):
    html = officer("from=2026-13&to=2026-10&status=overdue&lang=zh_Hans_CN").get_data(as_text=True)
    assert filter_error(html, "f-from") == ("起始月份：“2026-13”不是 2000-01 至 2100-12 之间的月份，应写成 2026-03 这样。"
                                            "已改为从 2025-11 起显示。")
    assert filter_error(html, "f-status") == "状态：“overdue”不是可选的状态。已改为显示全部状态。"
    html = officer("from=2026-13&lang=en").get_data(as_text=True)
    assert "is not a month" in filter_error(html, "f-from")


def test_the_page_its_downloads_and_the_dashboard_tile_agree_on_a_village_established_mid_range(
        app, client, tree, login_as):
    """导子村 set up five months ago: the tile's missing count, the page's and the downloads' all leave out
    the months before it, which the page and the downloads show as not yet established (未设立)."""
    import io
    import re

    from openpyxl import load_workbook

    from portal.extensions import db

    with app.app_context():
        app.extensions["portal"].set_enabled("disclosure", unit(TOWN_A), True)
        db.session.commit()
    login_as("township_admin", TOWN_A)

    def numbers():
        """(tile: missing, page: missing, page: not established, the page's query) over the tile's months."""
        dash = client.get(f"/console/?org={TOWN_A}").get_data(as_text=True)
        tile = re.search(r"missing <strong>(\d+)</strong>", dash)
        link = re.search(r'href="/console/disclosure/compliance\?([^"]*from=[^"]*)"', dash)
        query = link.group(1).replace("&amp;", "&")
        page = client.get(f"/console/disclosure/compliance?{query}").get_data(as_text=True)
        missing = re.search(r"Missing: <strong>(\d+)</strong>", page)
        not_established = re.search(r"Not yet established: (\d+)", page)
        return (int(tile.group(1)), int(missing.group(1)), int(not_established.group(1)) if not_established else 0,
                query, page)

    tile_before, page_before, none_before, _query, _page = numbers()
    assert tile_before == page_before and none_before == 0
    established = compliance.shift_month(local_today().strftime("%Y-%m"), -5) + "-01"
    with app.app_context():
        unit(VILLAGE_A1).established_on = dt.date.fromisoformat(established)
        db.session.commit()
    tile_after, page_after, not_established, query, page = numbers()
    assert not_established > 0 and page_after == page_before - not_established
    assert tile_after == page_after
    rows = re.findall(r'<tr><td>[^<]*</td><td>([^<]+)</td><td class="date">([^<]+)</td>(?:(?!</tr>).)*?'
                      r'<span class="badge status-(\w+)">([^<]+)</span>', page, re.S)
    shown = [(period, label) for village, period, status, label in rows if status == "not_established"]
    assert len(shown) == not_established and {label for _p, label in shown} == {"Not yet established"}
    assert {village for village, _p, status, _l in rows if status == "not_established"} == {"导子村"}
    assert all(compliance.period_end(period).isoformat() < established for period, _label in shown)
    text = client.get(f"/console/disclosure/compliance?{query}&format=csv").data.decode("utf-8-sig")
    assert len([line for line in text.splitlines() if ",Not yet established," in line]) == not_established
    sheet = load_workbook(io.BytesIO(client.get(f"/console/disclosure/compliance?{query}&format=xlsx").data)).active
    assert [row[6] for row in sheet.iter_rows(min_row=2, values_only=True)].count("Not yet established") == \
        not_established
    chinese = client.get(f"/console/disclosure/compliance?{query}&lang=zh_Hans_CN").get_data(as_text=True)
    assert '<span class="badge status-not_established">未设立</span>' in chinese
