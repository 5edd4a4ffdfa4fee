"""A villager reads 导子村's finances on a phone and a desktop: statement, charts, downloads, the board notice."""

import re

import pytest

VILLAGE = "990101101201"  # 导子村 in the sample county
PAGES = [f"/o/{VILLAGE}/disclosure", f"/o/{VILLAGE}/finance", f"/o/{VILLAGE}/finance/2026-08",
         f"/o/{VILLAGE}/finance/2026-10/notice", f"/o/{VILLAGE}", "/o/990101101000"]


@pytest.mark.parametrize("path", PAGES)
def test_disclosure_pages_are_clean_and_accessible(tab, path):
    response = tab.goto(path)
    assert response.status == 200
    assert tab.fits_width(), f"{path} scrolls sideways at {tab.size} size"
    assert tab.serious_a11y_violations() == []
    assert tab.errors == []


def test_villager_reads_a_corrected_month_and_downloads_it(tab):
    tab.goto(f"/o/{VILLAGE}/disclosure?category=finance")
    tab.page.locator(f"a[href='/o/{VILLAGE}/finance/2026-08']").first.click()
    tab.page.wait_for_url(f"**/finance/2026-08")
    main = tab.page.inner_text("main")
    assert "期初余额" in main and "期末余额" in main and "合计" in main
    assert "第2版" in main  # the demo's corrected August statement
    assert "村务监督委员会" in main
    assert tab.page.locator("main svg").count() >= 3
    # the charts' labels keep a reading size on a wide screen too (the SVG scales with its width)
    label_px = tab.page.evaluate("Math.max(...[...document.querySelectorAll('main .chart-label')]"
                                 ".map(e => e.getBoundingClientRect().height))")
    assert 8 < label_px <= 24, label_px
    csv = tab.page.request.get(tab.base_url + f"/o/{VILLAGE}/finance/2026-08.csv")
    assert csv.status == 200 and csv.text().lstrip("\ufeff").startswith("日期,凭证号,科目代码,科目,摘要")
    tab.page.locator(f"a[href='/o/{VILLAGE}/finance/2026-08/notice']").click()
    tab.page.wait_for_url("**/finance/2026-08/notice")
    qr = tab.page.locator("svg.qr")
    assert qr.count() == 1
    assert re.search(rf"/o/{VILLAGE}/finance/2026-08$", tab.page.inner_text(".notice-url"))
    assert tab.errors == []
