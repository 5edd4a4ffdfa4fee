"""Queries of the public site: plain functions over publications, the org tree and content pages.

Nothing here reads a request or a plugin's models, so the same functions serve the HTML
pages, the JSON API, the feeds and a static export.
"""

import re
from datetime import UTC
from pathlib import Path

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import defer

from ..extensions import db
from ..ledger import Publication, count_latest, history, latest, latest_revisions, record_of
from ..ledger.services import canonical_json
from ..markup import SUMMARY_LENGTH
from ..orgs.kinds import kind_for
from ..orgs.models import OrgUnit
from ..orgs.settings import get_setting
from ..timeutil import to_local
from . import search

SEARCH_MAX_LENGTH = 100  # characters; longer queries are refused with a message
SEARCH_MAX_TERMS = 10
# Results a search lists at most, newest first. A word nearly every publication holds (管理费用)
# would otherwise be checked in all of them to count them: 0.2 s at county scale, seconds for a
# province. Past the cap, the page says there are more and asks for another word.
SEARCH_MAX_RESULTS = 1000
SLUG = re.compile(r"^[a-z0-9-]+$")
LEDGER_BATCH = 200  # whole revisions a batch: a county statement is about 50 KB once parsed into Python
BRIEF_BATCH = 1000  # revisions a batch without payload and search text (lists and downloads)


# --- the org tree -------------------------------------------------------------------

def _kind_level(kind):
    k = kind_for(kind)
    return k.level if k else 999


def org_by_code(code):
    """The unit with `code`, or None."""
    return OrgUnit.by_code(code)


def root_counties():
    """Root units of kind county, by code."""
    return list(db.session.scalars(
        select(OrgUnit).where(OrgUnit.parent_id.is_(None), OrgUnit.kind == "county").order_by(OrgUnit.code)))


def child_units(org):
    """Units directly below `org`, county-level kinds first, then by code."""
    return sorted(org.children, key=lambda u: (_kind_level(u.kind), u.code))


def all_units():
    """Every unit, parents before children (by depth, then code)."""
    return list(db.session.scalars(select(OrgUnit).order_by(OrgUnit.depth, OrgUnit.code)))


def org_record(org, parent_code=None):
    """The public form of a unit: name, code and kind only (no people)."""
    if parent_code is None and org.parent_id is not None:
        parent_code = org.parent.code
    return {"code": org.code, "name": org.name, "kind": org.kind, "kind_label": str(org.kind_label),
            "parent_code": parent_code}


def org_tree_records():
    """Every unit as a flat list of public records, each naming its parent's code."""
    units = all_units()
    codes = {u.id: u.code for u in units}
    return [org_record(u, codes.get(u.parent_id)) for u in units]


def org_public_summary(org):
    """What the core shows on a public org page: how many units of each kind stand below it."""
    rows = db.session.execute(
        select(OrgUnit.kind, func.count()).where(OrgUnit.path.startswith(org.path, autoescape=True),
                                                 OrgUnit.id != org.id).group_by(OrgUnit.kind)
    ).all()
    counts = []
    for kind, count in sorted(rows, key=lambda r: (_kind_level(r[0]), r[0])):
        k = kind_for(kind)
        counts.append({"kind": kind, "label": k.label if k else kind, "count": count})
    return {"org_code": org.code, "counts": counts}


def org_contacts(org):
    """Public contact settings of a unit: the report hotline and the office address, when set."""
    return {"report_hotline": get_setting(org, "org.report_hotline") or "",
            "public_address": get_setting(org, "org.public_address") or ""}


# --- publications -------------------------------------------------------------------

def _latest(org):
    """(select of the latest publications within `org`'s subtree, newest first; select of their number
    where cheaper than counting the first, else None)."""
    if org is None or (org.parent_id is None and db.session.scalar(
            select(func.count()).where(OrgUnit.parent_id.is_(None))) == 1):
        # The whole ledger (the only root's subtree is the whole tree): scanned newest first, lists
        # show its first pages, and counted without grouping it (the home page's first render at
        # county scale: 21 -> 5 ms on SQLite, 61 -> 11 ms on PostgreSQL).
        return latest_revisions(scan=True), count_latest()
    subtree = Publication.org_id.in_(org.subtree_ids())
    if org.parent_id is None:
        # One of several roots: its subtree is still much of the ledger, so grouping it all and then
        # keeping the subtree is cheaper than testing each row's unit first (32 vs 66 ms).
        return latest_revisions().where(subtree), None
    # Below the root the subtree narrows the search for each publication's latest revision too, so
    # a village's page groups its own few rows instead of the whole ledger (33 -> 3 ms).
    return latest_revisions(subtree), None


def latest_query(org=None):
    """A select of the latest non-withdrawn revisions, newest first, within `org`'s subtree if given."""
    return _latest(org)[0]


def paginate(query, page, per_page, count=None):
    """One page of `query` (a Flask-SQLAlchemy Pagination); past the end is an empty page, not a 404.
    `count`, a select of the number of rows, stands in for counting `query` where it is cheaper."""
    pages = db.paginate(query, page=max(1, page), per_page=per_page, error_out=False,
                        count=count is None)
    if count is not None:
        pages.total = db.session.scalar(count)  # as Flask-SQLAlchemy documents for count=False
    return pages


def latest_publications(org=None, page=1, per_page=20):
    """One page of the latest publications (within `org`'s subtree if given)."""
    query, count = _latest(org)
    return paginate(query, page, per_page, count)


def newest_publications(org=None, limit=20):
    """The `limit` latest publications (within `org`'s subtree if given), newest first: a feed's, uncounted."""
    return list(db.session.scalars(latest_query(org).limit(limit)))


def iter_latest(org=None):
    """Every latest publication (within `org`'s subtree), newest first, fetched in batches, without
    payload and search text: for lists and downloads of briefs (publication_brief)."""
    # Keyset batches keep memory flat and never hold a cursor open between yields. Without the
    # payloads: a thousand county statements parsed into Python took 100 MB of a worker.
    last = None
    while True:
        query = latest_query(org).options(defer(Publication.payload, raiseload=True),
                                          defer(Publication.search_text, raiseload=True))
        if last is not None:
            query = query.where(Publication.seq < last)
        batch = list(db.session.scalars(query.limit(BRIEF_BATCH)))
        yield from batch
        if len(batch) < BRIEF_BATCH:
            return
        last = batch[-1].seq


def ledger_updated():
    """When the ledger last grew (UTC), or None while it is empty."""
    last = db.session.scalar(select(Publication.published_at).order_by(Publication.seq.desc()).limit(1))
    return None if last is None else last.replace(tzinfo=UTC)


def all_publication_ids():
    """The pub_id of every publication (withdrawn ones too: their page says so), in order."""
    return list(db.session.scalars(select(Publication.pub_id).where(Publication.revision == 1)
                                   .order_by(Publication.pub_id)))


def publication(pub_id):
    """The latest revision of `pub_id` (withdrawn or not), or None."""
    return latest(pub_id)


def revisions(pub_id):
    """Every revision of `pub_id`, oldest first."""
    return history(pub_id)


def revision(pub_id, number):
    """Revision `number` of `pub_id`, or None."""
    return db.session.scalar(select(Publication).where(Publication.pub_id == pub_id, Publication.revision == number))


def publication_record(pub):
    """The full public form of a revision: the ledger record plus its hash."""
    return dict(record_of(pub), hash=pub.hash)


def publication_brief(pub):
    """A short public form of a revision for lists and downloads (no payload)."""
    return {
        "pub_id": pub.pub_id, "revision": pub.revision, "action": pub.action, "plugin": pub.plugin,
        "kind": pub.kind, "org_code": pub.org_code, "org_name": pub.org_name, "title": pub.title,
        "summary": pub.summary, "published_at": to_local(pub.published_at).isoformat(), "hash": pub.hash,
    }


def iter_ledger_lines():
    """The whole ledger in seq order, one canonical JSON line per revision (record plus hash)."""
    last = 0
    while True:
        batch = list(db.session.scalars(
            select(Publication).where(Publication.seq > last).order_by(Publication.seq).limit(LEDGER_BATCH)))
        for pub in batch:
            yield canonical_json(publication_record(pub)) + "\n"
        if len(batch) < LEDGER_BATCH:
            return
        last = batch[-1].seq
        del batch  # every record here is whole: let this batch go before the next is read


# --- search -------------------------------------------------------------------------

class SearchTooLong(ValueError):
    """A query longer than SEARCH_MAX_LENGTH."""


def search_terms(q):
    """The terms of a query: split on whitespace, duplicates dropped; raise SearchTooLong."""
    q = (q or "").strip()
    if len(q) > SEARCH_MAX_LENGTH:
        raise SearchTooLong(q)
    terms = []
    for term in q.split():
        if term not in terms:
            terms.append(term)
    return terms[:SEARCH_MAX_TERMS]


# Candidates checked exactly at a time: a common word (管理费用 is in every statement) fills a page of
# results from the newest few thousand publications instead of checking the whole ledger.
SEARCH_BATCH = 2000


def search_seqs(terms, cap):
    """The seqs of the latest publications whose title, summary or search text contain every term,
    newest first, `cap` + 1 at most (one more tells that there are more).

    The candidates (the bigram index's, portal.public.search; the whole ledger's when no term has
    a bigram) are read newest first, SEARCH_BATCH at a time, and each batch is checked exactly
    until enough are found.
    """
    # LIKE on substrings rather than a word index: Chinese has no spaces between words,
    # so 修路 must match inside 村道修路工程. autoescape keeps % and _ literal.
    conditions = [
        or_(Publication.title.icontains(t, autoescape=True), Publication.summary.icontains(t, autoescape=True),
            Publication.search_text.icontains(t, autoescape=True))
        for t in terms
    ]
    dialect = db.session.get_bind().dialect.name
    found, before = [], None
    while len(found) <= cap:
        candidates = search.candidates(terms, dialect, before=before, limit=SEARCH_BATCH)
        if candidates is None:
            candidates = select(Publication.seq).order_by(Publication.seq.desc()).limit(SEARCH_BATCH)
            if before is not None:
                candidates = candidates.where(Publication.seq < before)
        batch = db.session.scalars(candidates).all()
        if not batch:
            break
        matching = (latest_revisions(among=batch).where(and_(*conditions)).with_only_columns(Publication.seq)
                    .limit(cap + 1 - len(found)))
        found += db.session.scalars(matching).all()
        if len(batch) < SEARCH_BATCH:
            break
        before = batch[-1]
    return found[:cap + 1]


class OnePassPagination(Pagination):
    """A page of search results: the matching seqs are found once (up to `cap`, newest first) and
    counted, then only the page's publications are loaded; db.paginate would read the text twice
    (items, then count), and to the end.

    `more` says the cap cut the results short: `total` is then the cap, not the number that match.
    """

    def __init__(self, cap, **kwargs):
        self.cap = cap
        super().__init__(**kwargs)

    def _query_items(self):
        seqs = search_seqs(self._query_args["terms"], self.cap)
        self.more = len(seqs) > self.cap
        self._seqs = seqs[:self.cap]
        page = self._seqs[self._query_offset:self._query_offset + self.per_page]
        found = {pub.seq: pub for pub in db.session.scalars(select(Publication).where(Publication.seq.in_(page)))}
        return [found[seq] for seq in page]

    def _query_count(self):
        return len(self._seqs)


def search_publications(terms, page=1, per_page=20):
    """One page of search results for `terms` (a list from search_terms), of the newest SEARCH_MAX_RESULTS."""
    return OnePassPagination(SEARCH_MAX_RESULTS, terms=terms, page=max(1, page), per_page=per_page,
                             error_out=False)


EXCERPT_WIDTH = 24  # characters shown on each side of the first match


def marked_terms(text, terms):
    """`text` as [(piece, is_match), ...] with every term marked, ignoring case, the longest first
    where two overlap."""
    pieces, at = [], 0
    if terms:
        pattern = "|".join(map(re.escape, sorted(terms, key=len, reverse=True)))
        for match in re.finditer(pattern, text or "", re.IGNORECASE):
            pieces += [(text[at:match.start()], False), (match.group(), True)]
            at = match.end()
    pieces.append(((text or "")[at:], False))
    return [piece for piece in pieces if piece[0]]


def _text_below_summary(pub):
    """The search text of a publication without the title and the summary the ledger puts at its
    start (ledger.services._append): the title is shown above an excerpt and the summary on its own,
    so neither runs on into a window cut from the text."""
    text = pub.search_text or ""
    for prefix in (pub.title, pub.summary):
        if prefix and text.startswith(prefix):
            text = text[len(prefix):].lstrip()
    return text


def search_excerpt(pub, terms, width=EXCERPT_WIDTH, words=None):
    """What a search result shows below its title, the terms marked (marked_terms): its summary,
    unless the title and the summary leave a term out and the text has it; then a few dozen
    characters around the first such term (a statement matches 路灯 somewhere in its forty lines;
    this shows where). None when there is nothing to show.

    `words` are the {title, summary} the reader is shown (ledger.publication_text), the stored ones
    by default: a summary the code wrote is shown in the reader's language, not the stored one."""
    title, summary = (words["title"], words["summary"]) if words else (pub.title, pub.summary)
    summary = summary or ""
    if len(summary) > SUMMARY_LENGTH:
        summary = summary[:SUMMARY_LENGTH - 1] + "…"
    shown = f"{title or ''}\n{summary}".casefold()  # a term has no line break: none spans the two
    hidden = [t for t in terms if t.casefold() not in shown]
    text = _text_below_summary(pub)
    first = re.search("|".join(map(re.escape, hidden)), text, re.IGNORECASE) if hidden else None
    if first is None:
        return marked_terms(summary, terms) or None
    start, end = max(0, first.start() - width), min(len(text), first.end() + width)
    pieces = marked_terms(text[start:end], terms)
    return ([("…", False)] if start > 0 else []) + pieces + ([("…", False)] if end < len(text) else [])


# --- content pages ------------------------------------------------------------------

def content_page(content_dir, slug, language=None):
    """(title, markdown body) of content/<slug>.<language>.md if there is one, else of content/<slug>.md
    (the default language's), or None when the slug is bad or the file missing."""
    if not SLUG.match(slug or ""):
        return None
    folder = Path(content_dir)
    translated = folder / f"{slug}.{language}.md" if language and SLUG.match(language) else None
    path = translated if translated is not None and translated.is_file() else folder / f"{slug}.md"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    title, body = slug, text
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("# "):
            # The heading becomes the page's one h1, so it leaves the body.
            title, body = line[2:].strip(), "\n".join(lines[:i] + lines[i + 1:])
            break
        if line.strip():
            break
    return title, body
