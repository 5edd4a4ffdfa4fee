"""Simplified Chinese by default, English available, and no message left untranslated."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "pgettext": ((1, "c"), 2), "lazy_pgettext": ((1, "c"), 2)}
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
# The core and each plugin keep their own catalog in <folder>/translations.
CATALOG_FOLDERS = ["portal"] + sorted(str(p.parent.relative_to(ROOT)) for p in ROOT.glob("plugins/*/__init__.py"))


def _messages_in(folder):
    found = set()
    for _file, _line, message, _comments, context in extract_from_dir(
            str(ROOT / folder), METHOD_MAP, keywords=KEYWORDS):
        found.add((context, message[0] if isinstance(message, tuple) else message))
    return found


def _translated(folder):
    po = ROOT / folder / "translations/zh_Hans_CN/LC_MESSAGES/messages.po"
    if not po.exists():
        return {}
    with po.open("rb") as f:
        catalog = read_po(f)
    return {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in catalog if m.id}


@pytest.mark.parametrize("folder", CATALOG_FOLDERS)
def test_every_message_has_a_chinese_translation(folder):
    translated = _translated(folder)
    missing = sorted(m for m in _messages_in(folder) if m not in translated or not translated[m].string
                     or translated[m].fuzzy)
    assert missing == [], (f"{folder}: {len(missing)} messages lack a Chinese translation "
                           f"(run `make translations`): {missing[:20]}")


def test_a_message_reads_the_same_in_every_catalog():
    """The catalogs are merged into one at run time, the last loaded winning, so a message in two
    catalogs must have one translation; a word with two meanings takes a context (pgettext)."""
    seen = {}
    for folder in CATALOG_FOLDERS:
        for key, message in _translated(folder).items():
            seen.setdefault(key, {})[folder] = message.string
    differing = {key: by_folder for key, by_folder in seen.items() if len(set(by_folder.values())) > 1}
    assert differing == {}, f"{len(differing)} messages are translated differently: {list(differing.items())[:5]}"


def test_a_word_with_two_meanings_reads_right_in_each_module(app_factory):
    from plugins.disclosure.compliance import STATUS_LABELS
    from plugins.training.models import ATTENDANCE_STATUSES
    from portal.config import Defaults

    with app_factory(BABEL_DEFAULT_LOCALE=Defaults.BABEL_DEFAULT_LOCALE).test_request_context():
        assert str(STATUS_LABELS["late"]) == "逾期"  # a disclosure after its day
        assert str(dict(ATTENDANCE_STATUSES)["late"]) == "迟到"  # a member at a meeting


def test_chinese_is_the_default_language(app_factory):
    from portal.config import Defaults

    assert Defaults.BABEL_DEFAULT_LOCALE == "zh_Hans_CN"
    client = app_factory(BABEL_DEFAULT_LOCALE=Defaults.BABEL_DEFAULT_LOCALE).test_client()
    html = client.get("/login").get_data(as_text=True)
    assert '<html lang="zh-CN">' in html
    assert "登录" in html


def test_english_is_available(client):
    html = client.get("/login?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Log in" in html
    # the choice sticks for the session
    assert '<html lang="en">' in client.get("/").get_data(as_text=True)


def test_error_pages_speak_the_visitors_language(app_factory):
    from portal.config import Defaults

    client = app_factory(BABEL_DEFAULT_LOCALE=Defaults.BABEL_DEFAULT_LOCALE).test_client()
    resp = client.get("/no-such-page")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 404 and "页面不存在" in html and "这里没有内容" in html and "Not found" not in html
    assert client.get("/api/v1/no-such-thing").get_json()["error"] == "页面不存在"
    english = client.get("/no-such-page?lang=en").get_data(as_text=True)
    assert "Not found" in english and "There is nothing here" in english
