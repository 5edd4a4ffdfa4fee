"""Machine-readable forms of publication lists: Atom feeds and CSV/JSON downloads."""

import csv
import io
import json
from datetime import UTC

from feedgen.feed import FeedGenerator

from .services import publication_brief

CSV_COLUMNS = ("pub_id", "revision", "action", "kind", "org_code", "org_name", "title", "summary",
               "published_at", "url", "hash")
BOM = "\ufeff"  # Excel on Windows reads UTF-8 with a BOM correctly, without it as GBK


def atom_feed(publications, *, feed_id, title, self_url, alternate_url, author, url_for_pub, empty_updated=None):
    """An Atom document (bytes) of `publications`; `url_for_pub(pub)` gives each one's absolute URL.

    The feed's <updated> is its newest entry's; with no entries, `empty_updated` (a feed must have
    one: given a time of the data, the same data gives the same document)."""
    fg = FeedGenerator()
    fg.id(feed_id)
    fg.title(title)
    fg.author({"name": author})
    fg.link(href=alternate_url, rel="alternate")
    fg.link(href=self_url, rel="self")
    fg.language("zh-CN")
    newest = None
    for pub in publications:
        published = pub.published_at.replace(tzinfo=UTC)
        newest = max(newest, published) if newest else published
        url = url_for_pub(pub)
        entry = fg.add_entry(order="append")
        entry.id(url)
        entry.title(pub.title)
        entry.link(href=url, rel="alternate")
        entry.updated(published)
        entry.published(published)
        entry.author({"name": pub.org_name})
        entry.summary(pub.summary or pub.title)
    if newest or empty_updated:
        fg.updated(newest or empty_updated)
    return fg.atom_str(pretty=True)


def csv_lines(publications, url_for_pub):
    """CSV text in chunks: a BOM and the header, then one row per publication."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(CSV_COLUMNS)
    yield BOM + buf.getvalue()
    for pub in publications:
        buf.seek(0)
        buf.truncate()
        row = dict(publication_brief(pub), url=url_for_pub(pub))
        writer.writerow([row[c] for c in CSV_COLUMNS])
        yield buf.getvalue()


def json_chunks(head, publications, url_for_pub):
    """A JSON object in chunks: the `head` keys, then "publications" as a streamed array."""
    opening = json.dumps(head, ensure_ascii=False)[:-1]
    yield opening + (", " if head else "") + '"publications": ['
    for i, pub in enumerate(publications):
        item = dict(publication_brief(pub), url=url_for_pub(pub))
        yield ("," if i else "") + "\n" + json.dumps(item, ensure_ascii=False)
    yield "\n]}\n"
