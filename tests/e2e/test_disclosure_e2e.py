"""村务公开 in Chromium: from the clerk's draft to the villager's phone, a refused publish, a correction."""

import json
import re

DAOZI = "990101101201"  # 导子村 in 东风镇 (plugin on in the demo)
DONGFENG = "990101101000"
ID_NUMBER = "11010519491231002X"


def _review_and_approve(tab, detail_url):
    tab.login_as("daozi-jianwei")  # 村务监督委员会
    tab.goto(detail_url)
    tab.click("form[action$='/countersign'] button")
    tab.login_as("daozi-head")  # 村两委负责人
    tab.goto(detail_url)
    tab.click("form[action$='/approve'] button")
    assert tab.page.locator("form[action$='/approve']").count() == 0


def test_statement_from_draft_to_the_villagers_phone(tab):
    october = json.loads(tab.page.request.get(f"{tab.base_url}/o/{DAOZI}/finance/2026-10.json").text())
    opening = october["statement"]["closing_fen"]
    csv = ("日期,凭证号,科目,摘要,收入金额,支出金额\n"
           "2026-11-03,记-001,经营收入,机动地发包收入,8000.00,\n"
           "2026-11-12,记-002,公益支出,村内路灯维修,,1250.40\n").encode("utf-8")
    closing = opening + 800000 - 125040

    tab.login_as("daozi-clerk")
    tab.goto(f"/console/disclosure/?org={DAOZI}")
    tab.click(f"a[href='/console/disclosure/{DAOZI}/new?category=finance']")
    tab.page.fill("#period", "2026-11")
    tab.page.fill("#body", f"本月发放临时救助1笔，对象身份证号 {ID_NUMBER}。")
    tab.click(".console-main form button[type=submit]")
    detail_url = re.search(r"/console/disclosure/d/\d+", tab.page.url).group(0)
    assert tab.serious_a11y_violations() == []
    assert tab.fits_width(), f"the draft page scrolls sideways at {tab.size} size"

    tab.click("a[href$='/statement']")
    tab.page.set_input_files("#file", files=[{"name": "2026-11.csv", "mimeType": "text/csv", "buffer": csv}])
    assert tab.page.input_value("#month") == "2026-11"
    tab.page.fill("#closing", f"{closing / 100:.2f}")
    tab.click(".console-main form button[type=submit]")
    assert tab.page.url.endswith(detail_url)
    assert "村内路灯维修" in tab.page.inner_text("main")
    tab.click("form[action$='/submit'] button")

    _review_and_approve(tab, detail_url)

    tab.login_as("daozi-clerk")
    tab.goto(detail_url)
    tab.click("form[action$='/publish'] button")
    refused = tab.page.inner_text("main")
    assert "1101**********002X" in refused and tab.page.locator("[role=alert]").count() >= 1
    tab.click("form[action$='/mask'] button")
    tab.click("form[action$='/publish'] button")
    public_link = tab.page.locator("a[href^='/p/']").first.get_attribute("href")

    tab.page.context.clear_cookies()  # the villager has no account
    tab.goto(public_link)
    text = tab.page.inner_text("main")
    assert "导子村2026年11月财务收支公开" in text and "1101**********002X" in text and ID_NUMBER not in text
    assert tab.fits_width(), f"the public page scrolls sideways at {tab.size} size"
    tab.goto(f"/o/{DAOZI}/disclosure")
    assert "导子村2026年11月财务收支公开" in tab.page.inner_text("main")
    assert tab.errors == []


def test_a_correction_shows_up_as_revision_two(tab):
    # each viewport corrects its own demo publication, so both see revision 2
    title = "导子村2026年第2季度村务公开" if tab.size == "phone" else "导子村2026年第3季度党务公开"
    tab.login_as("daozi-clerk")
    tab.goto(f"/console/disclosure/?org={DAOZI}")
    tab.click(f"li:has(a:text-is('{title}')) a[href*='/console/disclosure/correct/']")
    pub_id = re.search(r"/correct/(\d+)", tab.page.url).group(1)
    tab.page.fill("#reason", "补记第三项的表决结果")
    tab.click(".console-main form button[type=submit]")
    detail_url = re.search(r"/console/disclosure/d/\d+", tab.page.url).group(0)
    tab.click("a[href$='/edit']")
    tab.page.fill("#body", tab.page.input_value("#body") + "\n\n补记：该事项经村民代表会议表决通过（应到35人，实到31人）。")
    tab.click(".console-main form button[type=submit]")
    tab.click("form[action$='/submit'] button")
    _review_and_approve(tab, detail_url)
    tab.login_as("daozi-clerk")
    tab.goto(detail_url)
    tab.click("form[action$='/publish'] button")

    tab.page.context.clear_cookies()
    tab.goto(f"/p/{pub_id}/history")
    history = tab.page.inner_text("main")
    assert "补记第三项的表决结果" in history and tab.page.locator("ol.revisions > li").count() == 2
    tab.goto(f"/p/{pub_id}")
    assert "实到31人" in tab.page.inner_text("main") and "补记第三项的表决结果" in tab.page.inner_text("main")
    api = json.loads(tab.page.request.get(f"{tab.base_url}/api/v1/publications/{pub_id}").text())
    assert api["latest"]["revision"] == 2 and [r["revision"] for r in api["revisions"]] == [1, 2]
    assert tab.errors == []


def test_township_staff_see_late_and_missing_disclosures(tab):
    tab.login_as("dongfeng")
    tab.goto(f"/console/?org={DONGFENG}")
    assert tab.page.locator(f"a[href*='/console/disclosure/compliance?org={DONGFENG}']").count() >= 1
    tab.goto(f"/console/disclosure/compliance?org={DONGFENG}&from=2026-01&to=2026-10&status=missing")
    table = tab.page.inner_text("main table")
    assert "前屯村" in table and "2026-03" in table  # the demo's missing month
    assert tab.serious_a11y_violations() == []
    assert tab.fits_width(), f"the compliance page scrolls sideways at {tab.size} size"
    href = tab.page.locator("a[href*='format=csv']").get_attribute("href")
    csv = tab.page.request.get(tab.base_url + href)
    assert csv.ok and "前屯村" in csv.body().decode("utf-8-sig")
    assert tab.errors == []
