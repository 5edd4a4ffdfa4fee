"""Simplified Chinese by default, English available, and no message left untranslated."""

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
# The core and each plugin keep their own catalog in <folder>/translations.
CATALOG_FOLDERS = ["portal"] + sorted(str(p.parent.relative_to(ROOT)) for p in ROOT.glob("plugins/*/__init__.py"))


def _messages_in(folder):
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
            str(ROOT / folder), METHOD_MAP, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _translated(folder):
    po = ROOT / folder / "translations/zh_Hans_CN/LC_MESSAGES/messages.po"
    if not po.exists():
        return {}
    with po.open("rb") as f:
        catalog = read_po(f)
    return {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog if m.id}


@pytest.mark.parametrize("folder", CATALOG_FOLDERS)
def test_every_message_has_a_chinese_translation(folder):
    translated = _translated(folder)
    missing = sorted(m for m in _messages_in(folder) if m not in translated or not translated[m].string
                     or translated[m].fuzzy)
    assert missing == [], (f"{folder}: {len(missing)} messages lack a Chinese translation "
                           f"(run `make translations`): {missing[:20]}")


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
