"""Training records in the browser: record a session, mark attendance, a refused sheet, hours and compliance."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

NOW = datetime.now(ZoneInfo("Asia/Shanghai"))
# the demo holds the last twelve months of sessions; early in a year the gaps to find are last year's
YEAR = NOW.year if NOW.month > 2 else NOW.year - 1
TOWN = "990101101000"  # 东风镇, where the demo has training on; user "dongfeng" manages it


def _first_gap(tab):
    """(unit code, type, period) of the first meeting the compliance table says was not held."""
    row = tab.page.locator("#gaps-table tbody tr").first
    return row.get_attribute("data-unit"), row.get_attribute("data-type"), row.get_attribute("data-period")


def _day_in(period, day):
    if "-Q" in period:
        year, q = period.split("-Q")
        return f"{year}-{3 * int(q) - 2:02d}-{day}"
    return f"{period}-{day}"


def _hours(tab, person_path):
    tab.goto(person_path)
    text = tab.page.locator("main section").first.inner_text()  # this year first
    found = re.search(r"(\d+) / \d+ 学时|(\d+) 学时", text)
    return int(found.group(1) or found.group(2))


def _check_page(tab):
    assert tab.fits_width(), f"{tab.page.url} scrolls sideways at {tab.size} size"
    assert tab.serious_a11y_violations() == []


def test_record_mark_import_and_see_hours_and_compliance_change(tab):
    tab.login("dongfeng")
    compliance = f"/console/training/{TOWN}/compliance?year={YEAR}"
    assert tab.goto(compliance).status == 200
    _check_page(tab)
    gaps_before = tab.page.locator("#gaps-table tbody tr").count()
    unit, type_, period = _first_gap(tab)
    day = "25" if tab.size == "phone" else "26"

    # record a session that fills the gap
    tab.goto(f"/console/training/{TOWN}/new")
    _check_page(tab)
    tab.page.select_option("select[name=org]", unit)
    tab.page.select_option("select[name=type]", type_)
    tab.page.fill("input[name=starts_at]", f"{_day_in(period, day)}T09:00")
    tab.page.fill("input[name=ends_at]", f"{_day_in(period, day)}T10:00")
    tab.page.fill("input[name=hours]", "1")
    tab.page.fill("input[name=topic]", f"补开会议 {tab.size}")
    tab.page.click("form.card button[type=submit]")
    tab.page.wait_for_load_state()
    assert "/attendance" in tab.page.url
    attendance_url = tab.page.url
    _check_page(tab)

    # the first member on the attendance screen: hours before
    first = tab.page.locator("fieldset.training-mark").first
    name = first.locator("legend").inner_text().strip()
    person_id = first.locator("input[value=present]").get_attribute("name").split("-")[1]
    person_path = f"/console/training/{TOWN}/people/{person_id}"
    hours_before = _hours(tab, person_path)

    tab.page.goto(attendance_url)
    tab.page.locator("fieldset.training-mark").first.locator("input[value=present]").check()
    tab.page.click("button[type=submit]:has-text('保存考勤')")
    tab.page.wait_for_load_state()
    detail_url = tab.page.url
    assert name in tab.page.inner_text("main")
    rows_before = tab.page.locator("main table tbody tr").count()
    assert rows_before == 1

    # a sheet with one bad row: refused, nothing saved
    tab.page.goto(detail_url.split("?")[0] + "/import")
    sheet = f"姓名,状态\n{name},出席\n{name}x,睡觉\n".encode()
    tab.page.set_input_files("input[name=sheet]", files=[{"name": "签到表.csv", "mimeType": "text/csv",
                                                         "buffer": sheet}])
    tab.page.click("form.card button[type=submit]")
    tab.page.wait_for_load_state()
    errors = tab.page.locator(".import-errors").inner_text()
    assert "未保存任何内容" in errors and "3" in errors
    _check_page(tab)
    tab.page.goto(detail_url)
    assert tab.page.locator("main table tbody tr").count() == rows_before

    # the member's hours went up by the session's hour
    assert _hours(tab, person_path) == hours_before + 1
    _check_page(tab)

    # the township's compliance table no longer lists the gap
    tab.goto(compliance)
    assert tab.page.locator("#gaps-table tbody tr").count() == gaps_before - 1
    filled = f"#gaps-table tr[data-unit='{unit}'][data-type='{type_}'][data-period='{period}']"
    assert tab.page.locator(filled).count() == 0
    assert tab.errors == []


def test_qr_page_and_public_township_stats(tab):
    tab.login("dongfeng")
    tab.goto(f"/console/training/{TOWN}/?year={YEAR}")
    tab.page.locator("main table tbody tr th a").first.click()
    tab.page.wait_for_load_state()
    tab.page.click("a:has-text('扫码签到')")
    tab.page.wait_for_load_state()
    assert tab.page.locator("svg.training-qr").count() == 1
    _check_page(tab)
    link = tab.page.locator(".training-url a").get_attribute("href")
    tab.goto(link.replace(re.match(r"https?://[^/]+", link).group(0), ""))
    assert "签到码已过期" in tab.page.inner_text("main")  # a past session
    tab.goto(f"/o/{TOWN}")
    main = tab.page.inner_text("main")
    assert "党员教育培训和组织生活" in main and re.search(r"\d{4}-Q[1-4]", main)
    # the only console message allowed is the browser noting the expired code's 410 answer
    assert all("410" in e for e in tab.errors)


def test_the_session_forms_date_and_time_fields_are_as_wide_as_the_others(tab):
    tab.login("dongfeng")
    assert tab.goto(f"/console/training/{TOWN}/new").status == 200
    width = {name: tab.page.locator(f"[name={name}]").bounding_box()["width"]
             for name in ("starts_at", "ends_at", "topic")}
    assert width["starts_at"] == width["ends_at"] == width["topic"], (tab.size, width)
