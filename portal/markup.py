"""Markdown to HTML, sanitized: no script, no event handlers, no javascript: links; and to plain text."""

import html
import re
import threading
from html.parser import HTMLParser

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
    """Markdown `text` as one line of plain text, for search: the marks and tags gone, entities read
    back (& rather than &amp;), paragraphs and table cells apart by one space, so a salutation such
    as 各乡镇： runs on into what it announces; cut at `limit` with an ellipsis. A summary takes
    lead_text instead: table cells run together read as nonsense there."""
    out = " ".join(html.unescape(nh3.clean(_html_of(text), tags=set())).split())
    return out[:limit - 1] + "…" if limit and len(out) > limit else out


class _LeadParser(HTMLParser):
    """Collects the prose blocks (paragraphs, list items) of sanitized HTML in order, and stops at
    the first table, heading or code block that comes after some prose."""

    SKIPPED = {"table", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}
    BLOCKS = {"p", "li", "ul", "ol", "dd", "dt", "dl", "blockquote", "div", "hr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks, self.current, self.skipping, self.done = [], [], 0, False

    def _close_block(self):
        block = " ".join("".join(self.current).split())
        if block:
            self.blocks.append(block)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self._close_block()
            # the lead is the first run of prose: what follows a table is no longer its lead
            self.done = self.done or bool(self.blocks)
            self.skipping += 1
        elif tag in self.BLOCKS:
            self._close_block()
        elif tag == "br":
            self.current.append(" ")

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self._close_block()

    def handle_data(self, data):
        if not self.skipping and not self.done:
            self.current.append(data)

    def close(self):
        super().close()
        self._close_block()


# where a lead may end whole: Chinese and Western sentence ends
SENTENCE_END = re.compile(r"[。！？；…]|[.!?;](?=\s)")


def lead_text(text, limit=SUMMARY_LENGTH):
    """The lead of markdown `text` as one line of plain text, for a summary in lists, search and feeds:
    the first paragraphs and list items of prose, without headings (the title says it), tables or
    code (their cells run together read as nonsense). Longer than `limit`, it ends at the last whole
    sentence that keeps at least half of it, or is cut with an ellipsis."""
    parser = _LeadParser()
    parser.feed(render_markdown(text))
    parser.close()
    out = " ".join(parser.blocks)
    if len(out) <= limit:
        return out
    ends = [m.end() for m in SENTENCE_END.finditer(out[:limit + 1]) if m.end() <= limit]
    if ends and ends[-1] >= limit // 2:
        return out[:ends[-1]]
    return out[:limit - 1] + "…"
