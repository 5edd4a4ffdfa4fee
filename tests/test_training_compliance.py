"""The training compliance page and workbook: a filter value not understood is said, never silently replaced."""

import io
import re

import pytest
from openpyxl import load_workbook

from portal.timeutil import local_today
from tests.helpers import TOWN_A, VILLAGE_A1, filter_error
from tests.test_training_helpers import BRANCH, build_branch


@pytest.fixture
def officer(app, client, login_as):
    """东风镇's officer, logged in (training on there, 导子村党支部 with members and no meetings held)."""
    with app.app_context():
        build_branch()
    login_as("township_admin", TOWN_A)
    return lambda query: client.get(f"/console/training/{TOWN_A}/compliance{query}")




def _gap_rows(html):
    return re.findall(r'<tr data-unit="([^"]+)" data-type="([^"]+)" data-period="([^"]+)">', html)


def test_a_year_that_is_no_year_is_said_and_what_is_shown_instead(officer):
    this_year = local_today().year
    for typed in ("abc", "1999", "20260"):
        resp = officer(f"?year={typed}")
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200
        assert filter_error(html, "f-year") == (f"Year: “{typed}” is not a year from 2000 to 2100. "
                                                f"Showing {this_year} instead.")
        assert f"{this_year}</h1>" in html
    assert filter_error(officer("?year=2025").get_data(as_text=True), "f-year") is None


def test_an_unknown_branch_or_type_is_said_and_does_not_read_as_all_meetings_held(officer):
    html = officer("?year=2026&branch=371402101201-nope").get_data(as_text=True)
    assert filter_error(html, "f-branch") == ("Party branch: 东风镇 has no party branch with the code "
                                              "“371402101201-nope”. Showing all branches instead.")
    assert "Every required meeting was held." not in html and _gap_rows(html)
    html = officer("?year=2026&type=lunch").get_data(as_text=True)
    assert filter_error(html, "f-type") == ("Type of session: “lunch” is not a type of required meeting. "
                                            "Showing all types instead.")
    assert "Every required meeting was held." not in html and _gap_rows(html)
    # a session type that is no required meeting (a party-school course) is no filter of this list either
    assert filter_error(officer("?year=2026&type=party_school").get_data(as_text=True), "f-type")
    good = officer(f"?year=2026&branch={BRANCH}&type=party_lecture").get_data(as_text=True)
    assert "filter-errors" not in good and {t for _u, t, _p in _gap_rows(good)} == {"party_lecture"}


def test_a_workbook_with_a_filter_not_understood_is_refused(officer, client):
    for query in ("?year=abc", "?year=2026&branch=nope", "?year=2026&type=lunch"):
        resp = client.get(f"/console/training/{TOWN_A}/compliance.xlsx{query}")
        html = resp.get_data(as_text=True)
        assert resp.status_code == 400 and "attachment" not in resp.headers.get("Content-Disposition", "")
        assert "Nothing was downloaded: a filter was not understood" in html and "filter-errors" in html


def test_the_workbook_holds_what_the_page_shows(officer, client):
    page = officer(f"?year=2026&branch={BRANCH}&type=party_lecture").get_data(as_text=True)
    link = re.search(r'href="([^"]*compliance\.xlsx[^"]*)"', page).group(1).replace("&amp;", "&")
    assert f"branch={BRANCH}" in link and "type=party_lecture" in link
    resp = client.get(link)
    assert resp.status_code == 200 and resp.data[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(resp.data)).active
    meetings = {row[3] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == "Meeting not held"}
    assert meetings == {"Party lecture (党课)"}


def test_the_messages_are_in_chinese_on_a_chinese_page(officer):
    html = officer("?year=abc&type=lunch&lang=zh_Hans_CN").get_data(as_text=True)
    this_year = local_today().year
    assert filter_error(html, "f-year") == f"年度：“abc”不是 2000 至 2100 之间的年份。已改为显示 {this_year} 年。"
    assert filter_error(html, "f-type") == "活动类型：“lunch”不是规定要开的会议类型。已改为显示全部类型。"


def test_a_village_page_names_its_own_branch(officer, login_as, client):
    login_as("county_admin", "371402000000", "county")
    html = client.get(f"/console/training/{VILLAGE_A1}/compliance?year=2026&branch=x").get_data(as_text=True)
    assert filter_error(html, "f-branch").startswith("Party branch: 导子村 has no party branch with the code “x”.")
    assert f'<option value="{BRANCH}"' in html.split('id="f-branch"')[1].split("</select>")[0]


def test_a_branch_set_up_this_year_owes_no_meeting_of_the_months_before(app, officer, client):
    """导子村党支部 set up on 2026-06-15: the page lists no meeting of a period that ended before it, for the
    branch or its party group, and its count says the same; the workbook too."""
    from datetime import date

    from portal.extensions import db
    from tests.helpers import unit

    def shown(query):
        html = officer(query).get_data(as_text=True)
        count = int(re.search(r'<span class="training-count">(\d+)</span> meetings not held', html).group(1))
        return count, _gap_rows(html)

    before, rows_before = shown("?year=2026&type=committee_meeting")
    assert "2026-01" in {p for _u, _t, p in rows_before}
    with app.app_context():
        unit(BRANCH).established_on = date(2026, 6, 15)
        db.session.commit()
    after, rows = shown("?year=2026&type=committee_meeting")
    months = {p for _u, _t, p in rows}
    assert months and min(months) == "2026-06"  # June ends after the branch was set up: it is owed
    assert len(rows_before) - len(rows) == 5 and before - after > 5  # January to May; the other types too
    group_rows = _gap_rows(officer("?year=2026&type=group_meeting").get_data(as_text=True))
    assert group_rows and min(p for _u, _t, p in group_rows) == "2026-06"  # a group is no older than its branch
    sheet = load_workbook(io.BytesIO(client.get(f"/console/training/{TOWN_A}/compliance.xlsx?year=2026").data)).active
    periods = [row[4] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == "Meeting not held"]
    assert "2026-Q2" in periods and "2026-Q1" not in periods and min(p for p in periods if "Q" not in p) == "2026-06"
    assert len(periods) == after
