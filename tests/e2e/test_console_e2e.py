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
    currently_on = form.locator("input[name=enabled]").get_attribute("value") == "0"
    if currently_on != on:
        form.locator("button").click()
        tab.page.wait_for_load_state()


def test_township_staff_switch_a_module_on_and_see_it_appear(tab):
    tab.login("xihu")
    _switch(tab, "example", XIHU, False)
    tab.goto(f"/o/{LIJIA}")
    assert "section of 李家村" not in tab.page.inner_text("main")

    _switch(tab, "example", XIHU, True)
    assert _toggle_form(tab.page, "example", XIHU).locator("input[name=enabled]").get_attribute("value") == "0"
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
