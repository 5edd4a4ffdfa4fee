"""点题公开 and 异议 in Chromium: a villager asks on a phone, the clerk answers through the review road; an objection."""

import re

DAOZI = "990101101201"  # 导子村 in 东风镇 (disclosure and hotline on in the demo)
DONGFENG = "990101101000"
CODE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


def test_a_villager_asks_and_the_answer_goes_through_review_to_the_public_page(tab):
    topic = f"村卫生室建设资金来源（{tab.size}）"
    tab.goto(f"/o/{DAOZI}/disclosure")
    tab.click(f"a[href='/o/{DAOZI}/disclosure/ask']")
    assert tab.serious_a11y_violations() == []
    tab.page.fill("input[name=topic]", topic)
    tab.page.fill("textarea[name=detail]", "听说镇里补助了一部分，想知道各出多少钱👍")
    tab.page.fill("input[name=name]", "赵桂兰")
    tab.page.fill("input[name=phone]", "13712345678")
    tab.click("form.participation-form button[type=submit]")
    assert "/disclosure/request?code=" in tab.page.url
    code = tab.page.inner_text(".participation-code").strip()
    assert CODE.fullmatch(code)
    assert "等待村里答复" in tab.page.inner_text("main") and "👍" in tab.page.inner_text("main")
    assert tab.fits_width(), f"the request page scrolls sideways at {tab.size} size"
    tab.goto(f"/o/{DAOZI}/disclosure")
    listing = tab.page.inner_text("main")
    assert topic in listing and "赵桂兰" not in listing and "13712345678" not in listing

    tab.login_as("daozi-clerk")
    tab.goto(f"/console/disclosure/participation/?org={DAOZI}")
    tab.page.get_by_role("link", name=topic).click()
    tab.page.wait_for_load_state()
    assert "赵桂兰" not in tab.page.inner_text("main")  # a clerk does not see who asked
    tab.click("form[action$='/answer'] button")
    detail_url = re.search(r"/console/disclosure/d/\d+", tab.page.url).group(0)
    tab.click("a[href$='/edit']")
    tab.page.fill("#body", tab.page.input_value("#body") + "村卫生室建设共投入12万元：镇卫生院补助8万元，村集体4万元。")
    tab.click(".console-main form button[type=submit]")
    tab.click("form[action$='/submit'] button")
    tab.login_as("daozi-jianwei")
    tab.goto(detail_url)
    tab.click("form[action$='/countersign'] button")
    tab.login_as("daozi-head")
    tab.goto(detail_url)
    tab.click("form[action$='/approve'] button")
    tab.login_as("daozi-clerk")
    tab.goto(detail_url)
    tab.click("form[action$='/publish'] button")

    tab.page.context.clear_cookies()  # the villager again, without an account
    tab.goto(f"/disclosure/request?code={code}")
    assert "已答复" in tab.page.inner_text("main")
    tab.click("main a[href^='/p/']")
    assert "镇卫生院补助8万元" in tab.page.inner_text("main")
    tab.goto(f"/o/{DAOZI}/disclosure")
    assert tab.page.locator(f".disclosure-requests li:has-text('{topic}') a[href^='/p/']").count() == 1
    assert tab.errors == []


def test_an_objection_becomes_a_hotline_case_and_the_villager_reads_the_reply(tab, browser, live_server):
    text = f"财务公开中路灯维修支出偏高，请说明单价（{tab.size}）"
    tab.goto(f"/o/{DAOZI}/disclosure")
    tab.click("main a.pub-title")
    tab.click("a[href^='/disclosure/object/']")
    assert tab.serious_a11y_violations() == []
    tab.page.fill("textarea[name=text]", text)
    tab.click("form.participation-form button[type=submit]")
    tab.page.wait_for_url("**/hotline/track?code=*")
    code = tab.page.inner_text(".hotline-code-value").strip()
    assert CODE.fullmatch(code) and "村务公开异议" in tab.page.inner_text("main")

    staff_ctx = browser.new_context(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    staff = staff_ctx.new_page()
    staff.goto(live_server + "/login")
    staff.fill("input[name=username]", "dongfeng")
    staff.fill("input[name=password]", "cunwu-demo-2026")
    staff.click("form button[type=submit]")
    staff.wait_for_load_state()
    staff.goto(f"{live_server}/console/?org={DONGFENG}")
    dashboard = staff.inner_text("main")
    assert "村集体厂房租金收取及使用情况" in dashboard  # the demo's overdue request
    staff.goto(live_server + "/console/hotline/?category=objection")
    staff.get_by_role("link", name=code).click()
    staff.wait_for_url("**/console/hotline/cases/*")
    assert text in staff.inner_text("main")
    staff.fill("textarea[name=reply-text]", "经核实，共维修路灯12盏，单价含人工费，明细已补充公开。")
    staff.locator("form[action$='/reply'] button").click()
    staff.wait_for_load_state()
    staff_ctx.close()

    tab.goto(f"/hotline/track?code={code}")
    assert "共维修路灯12盏" in tab.page.inner_text("main")
    assert tab.fits_width(), f"the tracking page scrolls sideways at {tab.size} size"
    assert tab.errors == []
