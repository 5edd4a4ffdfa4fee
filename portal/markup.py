"""Markdown to HTML, sanitized: no script, no event handlers, no javascript: links; and to plain text."""

import html
import threading

import markdown as md
import nh3
from markupsafe import Markup

EXTENSIONS = ["tables", "sane_lists", "fenced_code"]
SUMMARY_LENGTH = 120  # characters of a summary in a list or a feed
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre", "s", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"align", "colspan", "rowspan"},
    "td": {"align", "colspan", "rowspan"},
    "abbr": {"title"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"},
}


_converters = threading.local()


def _html_of(text):
    """Markdown `text` as HTML, not yet sanitized. Each thread keeps one converter and resets it
    between texts (Python-Markdown's documented reuse): making one per call cost five times the
    conversion of a short text."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = md.Markdown(extensions=EXTENSIONS, output_format="html")
    return converter.reset().convert(text or "")


def render_markdown(text):
    """Render markdown `text` to sanitized HTML, marked safe for templates."""
    clean = nh3.clean(
        _html_of(text),
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)


def plain_text(text, limit=None):
    """Markdown `text` as one line of plain text, for search and summaries: the marks and tags gone,
    entities read back (& rather than &amp;), paragraphs and table cells apart by one space, so a
    salutation such as 各乡镇： runs on into what it announces; cut at `limit` with an ellipsis."""
    out = " ".join(html.unescape(nh3.clean(_html_of(text), tags=set())).split())
    return out[:limit - 1] + "…" if limit and len(out) > limit else out
