"""Staff in the console, at phone and desktop sizes, in Chromium."""

import pytest

XIHU = "990101102000"  # 西湖乡, managed by the demo user "xihu"
LIJIA = "990101102201"  # 李家村, a village of 西湖乡
DAOZI = "990101101201"  # 导子村, in 东风镇: outside xihu's scope


def _toggle_form(page, plugin, org):
    return page.locator(f"form:has(input[name=plugin][value={plugin}]):has(input[name=org][value='{org}'])")


def _switch(tab, plugin, org, on):
    tab.goto("/console/plugins")
    form = _toggle_form(tab.page, plugin, org)
    if _is_on(form) != on:
        form.locator("button").click()
        tab.page.wait_for_load_state()
        if not on:  # switching off asks first, on a page that says what stops
            assert "已经公开的内容仍然公开" in tab.page.inner_text("main")  # what was published stays public
            tab.page.locator("main form button[type=submit]").click()
            tab.page.wait_for_load_state()


def _is_on(form):
    """A module that is on offers "Switch off", which leads to the page that asks (a GET)."""
    return form.get_attribute("method") == "get"


def test_township_staff_switch_a_module_on_and_see_it_appear(tab):
    tab.login("xihu")
    _switch(tab, "example", XIHU, False)
    tab.goto(f"/o/{LIJIA}")
    assert "section of 李家村" not in tab.page.inner_text("main")

    _switch(tab, "example", XIHU, True)
    assert _is_on(_toggle_form(tab.page, "example", XIHU))
    tab.goto(f"/o/{LIJIA}")
    assert "section of 李家村" in tab.page.inner_text("main")  # the village inherits
    tab.goto(f"/console/?org={XIHU}")
    assert tab.page.locator(f"a[href^='/console/example/{XIHU}']").count() == 1  # its menu entry
    assert tab.errors == []


def test_other_township_answers_404(tab):
    tab.login("xihu")
    assert tab.goto(f"/console/orgs/{LIJIA}").status == 200
    assert tab.goto(f"/console/orgs/{DAOZI}").status == 404
    assert tab.goto(f"/console/?org={DAOZI}").status == 404


def test_wrong_password_is_refused_in_the_users_language(tab):
    tab.login("xihu", password="not the password")
    assert tab.page.url.endswith("/login")
    assert tab.page.locator(".flash-error, .errors").count() >= 1


CONSOLE_PAGES = ["/console/", "/console/orgs", f"/console/orgs/{XIHU}", f"/console/orgs/{LIJIA}",
                 "/console/orgs/import", "/console/users", "/console/plugins", "/console/notices", "/console/audit"]


@pytest.mark.parametrize("path", CONSOLE_PAGES)
def test_console_page_is_clean_and_accessible(tab, path):
    tab.login("admin")
    assert tab.goto(path).status == 200
    assert tab.fits_width(), f"{path} scrolls sideways at {tab.size} size"
    assert tab.serious_a11y_violations() == []
    assert tab.errors == []


COUNTY = "990101000000"
FILTERED_LISTS = ["/console/hotline/", "/console/disclosure/compliance", f"/console/training/{COUNTY}",
                  f"/console/training/{COUNTY}/members", f"/console/training/{COUNTY}/compliance"]


@pytest.mark.parametrize("path", FILTERED_LISTS)
def test_a_lists_filters_read_label_over_field_and_sit_in_one_row_on_a_wide_screen(tab, path):
    """Every plugin's filter bar is laid out alike: each label over its own field, a year field
    as wide as a year, and on a desktop the fields side by side."""
    tab.login("admin")
    assert tab.goto(path).status == 200
    fields = tab.page.evaluate("""() => [...document.querySelectorAll('form.filters label[for]')].map(label => {
        const field = document.getElementById(label.htmlFor), l = label.getBoundingClientRect(),
              f = field.getBoundingClientRect();
        return {name: field.name, type: field.type, labelBottom: l.bottom, labelLeft: l.left,
                top: f.top, left: f.left, width: f.width};
    })""")
    assert len(fields) >= 1
    for f in fields:
        assert f["labelBottom"] <= f["top"] + 1 and abs(f["labelLeft"] - f["left"]) <= 2, f
        if f["type"] == "number":
            assert f["width"] <= 120, f
    if tab.size == "desktop":
        tops = [f["top"] for f in fields]
        assert max(tops) - min(tops) <= 4, fields  # one row (a select and a text field differ by a pixel)
    assert tab.fits_width()


DONGFENG = "990101101000"  # 东风镇, managed by the demo user "dongfeng"
TABLE_PAGES = [f"/console/hotline/stats?org={DONGFENG}", f"/console/plugins?org={DONGFENG}",
               f"/console/users?org={DONGFENG}", f"/console/orgs/{DONGFENG}", f"/console/disclosure/?org={DONGFENG}",
               f"/console/disclosure/compliance?org={DONGFENG}", f"/console/training/{DONGFENG}/",
               f"/console/training/{DONGFENG}/compliance", f"/console/hotline/?org={DONGFENG}",
               f"/console/audit?org={DONGFENG}"]


@pytest.mark.parametrize("path", TABLE_PAGES)
def test_console_tables_never_break_a_word_letter_by_letter(tab, path):
    """A township admin on a phone read the headings Mo/nt/h, Sta/te and the months 20/26/-1/2: a
    console cell could break anywhere, and a squeezed table did. A heading's word, a date and a
    month keep to one line; a table wider than the screen scrolls in its own box."""
    tab.login("dongfeng")
    assert tab.goto(path + ("&" if "?" in path else "?") + "lang=en").status == 200
    broken = tab.page.evaluate("""() => {
        const out = [], range = document.createRange(), date = /^\\d{4}-\\d{2}(-\\d{2})?$/;
        for (const cell of document.querySelectorAll('main table :is(th, td)')) {
            const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const text = node.textContent.trim();
                // Chinese breaks between any two characters; a value of a cell may wrap where it likes
                if (!text || /\\p{Script=Han}/u.test(text) || (cell.tagName === 'TD' && !date.test(text))) continue;
                // visually hidden text (a card's column headings, a button's label for screen readers) is 1 px wide
                const boxes = [node.parentElement, cell.closest('thead')];
                if (boxes.some(e => e && e.getBoundingClientRect().width <= 2)) continue;
                range.selectNodeContents(node);
                const tops = [...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top));
                const lines = new Set(tops).size;
                // a line may end at a space or at a hyphen between letters (On-/time), never inside 2026-12
                const words = text.split(/\\s+|(?<=\\p{L})-(?=\\p{L})/u).length;
                if (lines > words) out.push(`${text} (${lines} lines)`);
            }
        }
        return out; }""")
    assert broken == [], f"{path} at {tab.size} size breaks inside words: {broken[:5]}"
    unboxed = tab.page.evaluate("""() => [...document.querySelectorAll('main table')].filter(table => {
        const box = table.closest('.table-scroll');
        return table.getBoundingClientRect().width > table.parentElement.clientWidth + 1
            && !(box && getComputedStyle(box).overflowX === 'auto'); }).map(t => t.className)""")
    assert unboxed == [], f"{path}: a table wider than its box pushes the page sideways"
    assert tab.fits_width(), f"{path} scrolls sideways at {tab.size} size"
    assert tab.serious_a11y_violations() == []
