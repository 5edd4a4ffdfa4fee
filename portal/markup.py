"""Markdown to HTML, sanitized: no script, no event handlers, no javascript: links."""

import markdown as md
import nh3
from markupsafe import Markup

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


def render_markdown(text):
    """Render markdown `text` to sanitized HTML, marked safe for templates."""
    html = md.markdown(text or "", extensions=["tables", "sane_lists", "fenced_code"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)


def plain_text(text, limit=None):
    """Markdown `text` as plain text (for search and summaries)."""
    out = nh3.clean(md.markdown(text or ""), tags=set()).strip()
    return out[:limit] if limit else out
