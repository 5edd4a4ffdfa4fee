"""Markdown on the public site: content pages and publication bodies are sanitized."""

import pytest

from portal import ledger
from portal.extensions import db
from tests.helpers import VILLAGE_A1, unit

HOSTILE = """# 关于本站

正文<script>alert("x")</script>

[点我](javascript:alert(1)) <img src=x onerror="alert(2)">
"""


@pytest.fixture
def content_app(app_factory, tmp_path):
    """An app whose content folder holds one hostile page, and a secret beside the folder."""
    content = tmp_path / "content"
    content.mkdir()
    (content / "about.md").write_text(HOSTILE, encoding="utf-8")
    (tmp_path / "secret.md").write_text("# secret\n\nTOP SECRET", encoding="utf-8")
    return app_factory(CONTENT_DIR=str(content))


def test_content_page_renders_markdown_with_title(content_app):
    resp = content_app.test_client().get("/pages/about")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "<title>关于本站" in html and html.count("<h1") == 1
    assert "正文" in html and "点我" in html
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html


def test_publication_body_is_sanitized(app, client, tree):
    with app.app_context():
        pub = ledger.publish(plugin="core", kind="notice", org=unit(VILLAGE_A1), title="公告",
                             payload={"body": HOSTILE})
        db.session.commit()
        pub_id = pub.pub_id
    html = client.get(f"/p/{pub_id}").get_data(as_text=True)
    assert "正文" in html and "点我" in html
    assert "<script" not in html and "javascript:" not in html and "onerror" not in html


@pytest.mark.parametrize("path", ["/pages/../secret", "/pages/..%2Fsecret", "/pages/Secret", "/pages/secret.md",
                                  "/pages/nope", "/pages/a_b"])
def test_bad_or_missing_slug_is_404(content_app, path):
    resp = content_app.test_client().get(path)
    assert resp.status_code == 404
    assert "TOP SECRET" not in resp.get_data(as_text=True)


def test_shipped_content_pages_exist(client):
    for slug in ("about", "privacy", "how-to-complain", "verify-ledger"):
        html = client.get(f"/pages/{slug}").get_data(as_text=True)
        assert "<h1>" in html and html.count("<h1") == 1, slug


def test_a_content_page_is_read_in_the_visitors_language_where_it_is_written(client):
    english = client.get("/pages/about").get_data(as_text=True)  # the tests' locale is English
    assert "<h1>About this site</h1>" in english and "关于本站" not in english
    chinese = client.get("/pages/about?lang=zh_Hans_CN").get_data(as_text=True)
    assert "<h1>关于本站</h1>" in chinese
    assert client.get("/pages/about.en").status_code == 404  # a translation is no page of its own


def test_a_page_not_translated_falls_back_to_the_default_language(content_app):
    assert "关于本站" in content_app.test_client().get("/pages/about").get_data(as_text=True)


def test_one_text_leaves_nothing_behind_for_the_next():
    from portal.markup import plain_text, render_markdown

    first = render_markdown("见[通知][n]。\n\n[n]: https://example.org/notice")
    assert 'href="https://example.org/notice"' in first
    # the converter is reused: the reference defined by the first text must not resolve in the second
    assert "href" not in render_markdown("见[通知][n]。") and plain_text("见[通知][n]。") == "见[通知][n]。"


def test_a_lead_is_the_first_prose_without_tables_headings_code_or_marks():
    from portal.markup import lead_text

    table = "| 项目 | 金额（元） |\n|---|---:|\n| 县补助 | 200,000.00 |\n\n"
    text = f"# 村道修路工程公示\n\n{table}全长**1.2公里**，见[附件](https://example.org/a)。\n\n```\n代码\n```\n\n后文。"
    assert lead_text(text) == "全长1.2公里，见附件。"  # what follows the code block is no longer the lead
    assert lead_text("各乡镇：\n\n- 检查时间：12月\n- 检查内容：签字\n\n" + table) == "各乡镇： 检查时间：12月 检查内容：签字"
    assert lead_text(table) == "" and lead_text("") == ""
    assert lead_text("甲 &amp; 乙<script>alert(1)</script>") == "甲 & 乙"


def test_a_long_lead_ends_at_a_whole_sentence_or_with_an_ellipsis():
    from portal.markup import lead_text

    sentence = "本村召开村民代表会议，议定机井维修和村内绿化两件事项。"  # 27 characters
    cut = lead_text(sentence * 5, limit=100)
    assert cut == sentence * 3  # the last whole sentence within the limit
    word = lead_text("公" * 300, limit=100)
    assert len(word) == 100 and word.endswith("…")
    assert lead_text("Fix the road. " * 10, limit=50) == "Fix the road. Fix the road. Fix the road."
    assert lead_text("短句。" + "公" * 200, limit=50).endswith("公…")  # a sentence too short to keep alone
