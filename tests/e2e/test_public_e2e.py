"""A villager on the public site, at phone and desktop sizes, in Chromium."""

import pytest

PUBLIC_PAGES = ["/", "/o/990101000000", "/o/990101101000", "/o/990101101201", "/search?q=修路",
                "/pages/about", "/pages/privacy", "/pages/verify-ledger", "/login", "/no-such-page"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_is_clean_and_accessible(tab, path):
    response = tab.goto(path)
    assert response.status == (404 if path == "/no-such-page" else 200)
    assert tab.fits_width(), f"{path} scrolls sideways at {tab.size} size"
    assert tab.serious_a11y_violations() == []
    errors = [e for e in tab.errors if "404" not in e or path != "/no-such-page"]
    assert errors == []


def test_villager_walks_from_home_to_a_corrected_notice(tab):
    tab.goto("/")
    tab.page.get_by_role("link", name="东风镇", exact=True).first.click()
    tab.page.wait_for_url("**/o/990101101000")
    tab.page.get_by_role("link", name="导子村", exact=True).first.click()
    tab.page.wait_for_url("**/o/990101101201")
    tab.page.get_by_role("link", name="导子村村道修路工程公示").first.click()
    body = tab.page.inner_text("main")
    assert "含监理费" in body  # the latest revision, not the first
    tab.page.locator("a[href$='/history']").first.click()
    history = tab.page.inner_text("main")
    assert "补充说明预算包含监理费" in history  # the reason of revision 2
    assert tab.errors == []


def test_search_finds_chinese_substrings(tab):
    tab.goto("/")
    tab.page.fill("input[name=q]", "修路")
    tab.page.keyboard.press("Enter")
    tab.page.wait_for_url("**/search?q=*")
    assert "导子村村道修路工程公示" in tab.page.inner_text("main")


def test_public_pages_work_without_javascript(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server + "/search?q=修路")
    assert "导子村村道修路工程公示" in page.inner_text("main")
    page.goto(live_server + "/o/990101101201")
    assert "导子村" in page.inner_text("h1")
    context.close()


def test_english_is_available(tab):
    tab.goto("/?lang=en")
    assert tab.page.get_attribute("html", "lang") == "en"
    tab.goto("/?lang=zh_Hans_CN")
    assert tab.page.get_attribute("html", "lang") == "zh-CN"
