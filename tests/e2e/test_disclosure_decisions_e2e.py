"""四议两公开 in Chromium: the clerk records the four deliberations, the resolution goes the review road,
and a villager's phone shows the decision with its published resolution."""

import re

from tests.e2e.test_disclosure_e2e import DAOZI, _review_and_approve

STEPS = {
    1: {"content": "党支部提议：修缮村文化广场。", "signatures": "张建国"},
    2: {"content": "村两委会议商议同意。", "expected": "7", "present": "7", "signatures": "张建国、李春生"},
    3: {"content": "党员大会审议通过。", "expected": "28", "present": "25", "approvals": "24", "signatures": "张建国"},
    4: {"content": "村民代表会议表决通过：修缮文化广场，预算12万元。", "expected": "35", "present": "31",
        "approvals": "29", "signatures": "张建国、李春生", "township_attendees": "刘洋"},
}


def _record(tab, number, **override):
    for name, value in dict(STEPS[number], **override).items():
        tab.page.fill(f"#step-{name}", value)
    tab.click("form[action$='/step'] button[type=submit]")


def test_from_the_four_deliberations_to_the_villagers_phone(tab):
    title = f"村文化广场修缮（{tab.size}）"
    tab.login_as("daozi-clerk")
    tab.goto(f"/console/disclosure/decisions?org={DAOZI}")
    tab.click(f"a[href='/console/disclosure/decisions/{DAOZI}/new']")
    tab.page.fill("#title", title)
    tab.page.select_option("#matter", "村级公益事业建设")
    tab.click(".console-main form button[type=submit]")
    decision_url = re.search(r"/console/disclosure/decisions/\d+", tab.page.url).group(0)

    _record(tab, 1)
    _record(tab, 2)
    _record(tab, 3, present="18", approvals="15")  # short of two thirds of 28: refused, nothing saved
    alert = tab.page.locator("[role=alert]").first.inner_text()
    assert "28" in alert and "18" in alert
    assert tab.serious_a11y_violations() == []
    assert tab.fits_width(), f"the decision page scrolls sideways at {tab.size} size"
    tab.goto(decision_url)
    _record(tab, 3)
    _record(tab, 4)
    assert tab.page.locator("form[action$='/step']").count() == 0  # steps 1–4 done; 5 is a disclosure

    tab.click("form[action$='/disclose'] button[type=submit]")  # the prefilled resolution draft
    detail_url = re.search(r"/console/disclosure/d/\d+", tab.page.url).group(0)
    assert "预算12万元" in tab.page.inner_text("main")
    tab.click("form[action$='/submit'] button")
    _review_and_approve(tab, detail_url)
    tab.login_as("daozi-clerk")
    tab.goto(detail_url)
    tab.click("form[action$='/publish'] button")
    tab.goto(decision_url)
    assert tab.page.locator("form[action$='/disclose']").count() == 1  # next: the result disclosure

    tab.page.context.clear_cookies()  # the villager has no account
    tab.goto(f"/o/{DAOZI}/disclosure")
    tab.click(f"a:text-is('{title}')")
    assert re.search(rf"/o/{DAOZI}/decisions/\d+$", tab.page.url)
    record = tab.page.inner_text("main")
    assert title in record and "张建国、李春生" in record and "刘洋" in record and "预算12万元" in record
    assert tab.serious_a11y_violations() == []
    assert tab.fits_width(), f"the public decision page scrolls sideways at {tab.size} size"
    resolution = f"导子村关于{title}的决议公开"
    tab.click(f"a:text-is('{resolution}')")
    assert re.search(r"/p/\d+$", tab.page.url)
    text = tab.page.inner_text("main")
    assert resolution in text and "应到35人，实到31人，29人同意" in text
    assert [e for e in tab.errors if "422" not in e] == []  # 422: the refused meeting, answered on purpose
