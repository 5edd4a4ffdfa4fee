"""A villager files a complaint on a phone and follows it; township staff handle it; another township sees nothing."""

import re

import pytest

DAOZI = "990101101201"  # 导子村, 东风镇


def _file_complaint(tab, text):
    tab.goto("/hotline/")
    tab.page.get_by_label("投诉", exact=True).check()
    tab.page.select_option("select[name=village]", DAOZI)
    tab.page.fill("textarea[name=description]", text)
    tab.page.locator("form.hotline-form button[type=submit]").click()
    tab.page.wait_for_url("**/hotline/track?code=*")
    return tab.page.inner_text(".hotline-code-value").strip()


def test_from_the_village_page_the_form_has_the_village_chosen(tab):
    tab.goto(f"/o/{DAOZI}")
    tab.page.locator("a[href*='/hotline/?village=']").click()
    tab.page.wait_for_url(f"**/hotline/?village={DAOZI}")
    assert tab.page.input_value("select[name=village]") == DAOZI
    assert "东风镇" in tab.page.inner_text("#village-help ~ .help")
    tab.page.get_by_label("求助", exact=True).check()
    tab.page.fill("textarea[name=description]", f"导子村的机井坏了，浇不了地（{tab.size}）")
    tab.page.locator("form.hotline-form button[type=submit]").click()
    tab.page.wait_for_url("**/hotline/track?code=*")
    assert "已受理" in tab.page.inner_text("main")


def test_complaint_filed_tracked_handled_rated_and_reopened(tab, browser, live_server):
    text = f"导子村村口路灯坏了一个月，晚上看不见路（{tab.size}）"
    code = _file_complaint(tab, text)
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", code)
    assert "已受理" in tab.page.inner_text("main")
    assert tab.fits_width()
    assert tab.serious_a11y_violations() == []

    # township staff of 东风镇 sign for it and reply, in their own browser
    staff_ctx = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    staff = staff_ctx.new_page()
    staff.goto(live_server + "/login")
    staff.fill("input[name=username]", "dongfeng")
    staff.fill("input[name=password]", "cunwu-demo-2026")
    staff.click("form button[type=submit]")
    staff.wait_for_load_state()
    staff.goto(live_server + "/console/hotline/")
    staff.get_by_role("link", name=code).click()
    staff.wait_for_url("**/console/hotline/cases/*")
    case_url = staff.url
    assert text in staff.inner_text("main")
    staff.locator("form[action$='/sign'] button").click()
    staff.wait_for_load_state()
    assert "办理中" in staff.inner_text("main")
    staff.fill("textarea[name=reply-text]", "已安排电工更换路灯，今晚恢复照明。")
    staff.locator("form[action$='/reply'] button").click()
    staff.wait_for_load_state()
    assert "已答复" in staff.inner_text("main")
    staff_ctx.close()

    # the villager sees the reply and rates it 不满意: the case reopens with a new deadline
    tab.goto(f"/hotline/track?code={code}")
    body = tab.page.inner_text("main")
    assert "已安排电工更换路灯" in body and "dongfeng" not in body
    tab.page.get_by_label("不满意", exact=True).check()
    tab.page.locator("form[method=post] button[type=submit]").click()
    tab.page.wait_for_url("**rated=reopened*")
    body = tab.page.inner_text("main")
    assert "重办" in body and "工单已重新办理" in body
    assert tab.errors == []

    # a staff user of 西湖乡 gets 404 on the case
    other_ctx = browser.new_context(locale="zh-CN")
    other = other_ctx.new_page()
    other.goto(live_server + "/login")
    other.fill("input[name=username]", "xihu")
    other.fill("input[name=password]", "cunwu-demo-2026")
    other.click("form button[type=submit]")
    other.wait_for_load_state()
    assert other.goto(case_url).status == 404
    other_ctx.close()


@pytest.mark.parametrize("path", ["/hotline/", f"/hotline/?village={DAOZI}", "/hotline/track",
                                  "/hotline/track?code=AAAA-BBBB-CCCC", "/o/990101101000"])
def test_hotline_public_pages_are_clean_and_accessible(tab, path):
    assert tab.goto(path).status == 200
    assert tab.fits_width(), f"{path} scrolls sideways at {tab.size} size"
    assert tab.serious_a11y_violations() == []
    assert tab.errors == []


@pytest.mark.parametrize("path", ["/console/hotline/", "/console/hotline/?overdue=1", "/console/hotline/stats",
                                  "/console/?org=990101101000"])
def test_hotline_console_pages_are_clean_and_accessible(tab, path):
    tab.login("dongfeng")
    assert tab.goto(path).status == 200
    assert tab.fits_width(), f"{path} scrolls sideways at {tab.size} size"
    assert tab.serious_a11y_violations() == []
    assert tab.errors == []


def test_case_page_is_clean_and_accessible(tab):
    tab.login("dongfeng")
    tab.goto("/console/hotline/")
    tab.page.locator("table a[href*='/console/hotline/cases/']").first.click()
    tab.page.wait_for_url("**/console/hotline/cases/*")
    assert tab.fits_width(), f"case page scrolls sideways at {tab.size} size"
    assert tab.serious_a11y_violations() == []
    assert tab.errors == []


def test_form_works_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server + "/hotline/")
    page.get_by_label("求助", exact=True).check()
    page.select_option("select[name=village]", DAOZI)
    page.fill("textarea[name=description]", "家里停水三天了 🙏")
    page.locator("form.hotline-form button[type=submit]").click()
    page.wait_for_url("**/hotline/track?code=*")
    assert "家里停水三天了 🙏" in page.inner_text("main")
    context.close()


def test_case_list_keeps_village_names_and_codes_whole(tab):
    """A row of the township's case list: the tracking code and the village name each on one line
    (a squeezed table stacked 导子村 one character a line on a phone)."""
    tab.login("dongfeng")
    tab.goto("/console/hotline/")
    row = tab.page.locator("table tbody tr").first
    line = float(tab.page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight) || 24"))
    for cell in (row.locator("th a"), row.locator("td").nth(1)):
        box = cell.bounding_box()
        assert box["height"] < 1.5 * line, (tab.size, cell.inner_text(), box)
    assert tab.fits_width()


def test_the_contact_details_stand_apart_from_the_photos_above_them(tab):
    """The form's groups of fields (the kind of matter, the contact details) are set off like a label,
    not drawn flush under the field before them."""
    tab.goto(f"/hotline/?village={DAOZI}")
    photos = tab.page.locator("input[name=photos]").bounding_box()
    contact = tab.page.locator("form.hotline-form fieldset legend").nth(1).bounding_box()
    assert contact["y"] - (photos["y"] + photos["height"]) >= 12, (tab.size, photos, contact)
