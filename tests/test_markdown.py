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


def test_one_text_leaves_nothing_behind_for_the_next():
    from portal.markup import plain_text, render_markdown

    first = render_markdown("见[通知][n]。\n\n[n]: https://example.org/notice")
    assert 'href="https://example.org/notice"' in first
    # the converter is reused: the reference defined by the first text must not resolve in the second
    assert "href" not in render_markdown("见[通知][n]。") and plain_text("见[通知][n]。") == "见[通知][n]。"
