"""The one road to the public: publish, correct and withdraw, and verify the chain."""

import hashlib
import json
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.orm import aliased

from .. import audit
from ..events import emit
from ..extensions import db
from ..timeutil import utcnow
from .models import LedgerHead, Publication

GENESIS = "0" * 64


@dataclass(frozen=True)
class PublicationKind:
    """A kind a plugin publishes and the template the public site renders it with."""

    plugin: str
    name: str
    label: object
    template: str  # rendered with `publication` (and `payload`) in the context
    # JSON Schema of the payload; the OpenAPI document of /api/v1 includes it
    payload_schema: dict | None = field(default=None, hash=False, compare=False)
    # True for a record that grows revision by revision (a decision's steps): a later revision
    # is shown as an update, not as a correction
    revisions_add: bool = False
    # For a kind whose title, summary and correction reasons the code writes from the payload
    # (statistics, a decision's record): describe(pub) → {"title": …, "summary": …, "reason": …}
    # in the reader's language. The stored words, in the site's language, stay the hashed record;
    # pages show these instead, so an English reader does not get Chinese the code wrote.
    describe: Callable | None = field(default=None, hash=False, compare=False)


@contextmanager
def site_language():
    """Write words that are stored for every reader (a publication's title) in the site's default
    language, whatever the language of the person whose request writes them."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        yield


def publication_text(pub):
    """{title, summary, reason} of a revision as the reader reads them.

    A kind whose words the code writes (PublicationKind.describe) says them again in the reader's
    language; everything else, and a withdrawal's reason (which a person wrote), is shown as stored.
    """
    text = {"title": pub.title, "summary": pub.summary, "reason": pub.reason}
    kind = current_app.extensions["portal"].publication_kinds.get((pub.plugin, pub.kind))
    if kind is None or kind.describe is None or not isinstance(pub.payload, dict):
        return text
    described = kind.describe(pub) or {}
    if pub.action != "correct":
        described.pop("reason", None)
    text.update({key: str(value) for key, value in described.items() if key in text and value is not None})
    return text


class LedgerError(ValueError):
    """A refused publication; the message is for the user."""


HASHED_FIELDS = ("seq", "pub_id", "revision", "action", "plugin", "kind", "org_code", "org_name",
                 "title", "summary", "payload", "reason", "published_by", "published_at", "prev_hash")


def record_of(pub):
    """The public, hashed form of a publication revision (what /ledger.jsonl carries)."""
    return {
        "seq": pub.seq, "pub_id": pub.pub_id, "revision": pub.revision, "action": pub.action,
        "plugin": pub.plugin, "kind": pub.kind, "org_code": pub.org_code, "org_name": pub.org_name,
        "title": pub.title, "summary": pub.summary, "payload": pub.payload, "reason": pub.reason,
        "published_by": pub.published_by,
        "published_at": pub.published_at.replace(microsecond=0).isoformat() + "Z",
        "prev_hash": pub.prev_hash,
    }


def canonical_json(record):
    """Canonical JSON: sorted keys, no spaces, UTF-8 (not \\u escapes)."""
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def compute_hash(record):
    """SHA-256 (hex) of the canonical JSON of the hashed fields."""
    return hashlib.sha256(canonical_json({k: record[k] for k in HASHED_FIELDS}).encode("utf-8")).hexdigest()


def _head():
    """The ledger head, locked for this transaction (SELECT … FOR UPDATE where supported)."""
    head = db.session.scalar(select(LedgerHead).where(LedgerHead.id == 1).with_for_update())
    if head is None:
        head = LedgerHead(id=1, seq=0, hash=GENESIS)
        db.session.add(head)
        db.session.flush()
    return head


def _append(*, pub_id, revision, action, plugin, kind, org, title, summary, payload, search_text, reason, user,
            published_at=None):
    kinds = current_app.extensions["portal"].publication_kinds
    if (plugin, kind) not in kinds:
        raise LedgerError(_("Unknown publication kind %(plugin)s/%(kind)s.", plugin=plugin, kind=kind))
    title = (title or "").strip()
    if not title:
        raise LedgerError(_("A publication needs a title."))
    head = _head()
    pub = Publication(
        seq=head.seq + 1, pub_id=pub_id or head.seq + 1, revision=revision, action=action,
        plugin=plugin, kind=kind, org_id=org.id, org_code=org.code, org_name=org.name,
        title=title[:200], summary=summary or "", payload=payload or {},
        search_text=" ".join(filter(None, [title, summary or "", search_text or ""])),
        reason=reason, published_by_id=user.id if user is not None else None,
        published_by=user.display_name if user is not None else "system",
        published_at=(published_at or utcnow()).replace(microsecond=0), prev_hash=head.hash,
    )
    pub.hash = compute_hash(record_of(pub))
    db.session.add(pub)
    head.seq, head.hash = pub.seq, pub.hash
    db.session.flush()
    audit.record(f"ledger.{action}", obj=pub, org=org, detail={"pub_id": pub.pub_id, "revision": revision}, user=user)
    emit("published", org=org, publication=pub)
    return pub


def publish(*, plugin, kind, org, title, summary="", payload=None, search_text="", user=None, published_at=None):
    """Publish a new item at `org`; return its first revision.

    `published_at` (naive UTC) is for loading historical records (sample data, paper records
    entered later); the chain order is still the order of appending.
    """
    return _append(pub_id=None, revision=1, action="publish", plugin=plugin, kind=kind, org=org, title=title,
                   summary=summary, payload=payload, search_text=search_text, reason=None, user=user,
                   published_at=published_at)


def latest(pub_id):
    """The latest revision of publication `pub_id`, or None."""
    return db.session.scalar(
        select(Publication).where(Publication.pub_id == pub_id).order_by(Publication.revision.desc()).limit(1)
    )


def correct(pub_id, *, reason, title, summary="", payload=None, search_text="", user=None, published_at=None):
    """Publish a correction of `pub_id` as a new revision that says why."""
    prev = latest(pub_id)
    if prev is None:
        raise LedgerError(_("No such publication."))
    if prev.action == "withdraw":
        raise LedgerError(_("A withdrawn publication cannot be corrected."))
    if not (reason or "").strip():
        raise LedgerError(_("A correction must say what changed and why."))
    from ..orgs.models import OrgUnit

    org = db.session.get(OrgUnit, prev.org_id)
    return _append(pub_id=pub_id, revision=prev.revision + 1, action="correct", plugin=prev.plugin, kind=prev.kind,
                   org=org, title=title, summary=summary, payload=payload, search_text=search_text,
                   reason=reason.strip(), user=user, published_at=published_at)


def withdraw(pub_id, *, reason, user=None):
    """Withdraw `pub_id`: a new revision that keeps the title and says why."""
    prev = latest(pub_id)
    if prev is None:
        raise LedgerError(_("No such publication."))
    if prev.action == "withdraw":
        raise LedgerError(_("This publication is already withdrawn."))
    if not (reason or "").strip():
        raise LedgerError(_("A withdrawal must say why."))
    from ..orgs.models import OrgUnit

    org = db.session.get(OrgUnit, prev.org_id)
    return _append(pub_id=pub_id, revision=prev.revision + 1, action="withdraw", plugin=prev.plugin, kind=prev.kind,
                   org=org, title=prev.title, summary="", payload={}, search_text="", reason=reason.strip(), user=user)


def history(pub_id):
    """Every revision of `pub_id`, oldest first."""
    return list(db.session.scalars(select(Publication).where(Publication.pub_id == pub_id).order_by(Publication.revision)))


def latest_revisions(*criteria, among=None, withdrawn=False, scan=False):
    """A select of the latest revision of every publication that is not withdrawn (with `withdrawn`,
    of every publication), newest first.

    `criteria` may only test what every revision of a publication shares (plugin, kind, org):
    they narrow the search for the latest revision as well, so a village's statements are
    found among its own rows rather than by grouping the whole ledger. Pass such tests here,
    not to `.where()` on the result: there they filter only the answer, after the whole
    ledger has been grouped (at county scale 30 ms a query instead of 2).

    `among`, seqs (a select or a list: the search index's candidates), keeps only those revisions, and
    each is then checked for a newer revision of its own (one index probe) instead of grouping
    the whole ledger. It is the first condition, as SQLite starts from the first list of
    primary keys it is given.

    With `scan` the ledger is read newest first and each revision is checked the same way, so
    the first pages of a large set cost what they show where grouping costs the whole set (the
    whole ledger's first page at county scale: 6 ms grouped, 0.8 ms scanned). Counting a scan
    checks every row: count with count_latest.
    """
    if among is None and not scan:
        newest = select(func.max(Publication.seq)).where(*criteria).group_by(Publication.pub_id).scalar_subquery()
        latest = [Publication.seq.in_(newest)]
    else:
        newer = aliased(Publication)
        latest = [~exists().where(newer.pub_id == Publication.pub_id, newer.seq > Publication.seq)]
        if among is not None:
            latest.insert(0, Publication.seq.in_(among))
    if not withdrawn:
        latest.append(Publication.action != "withdraw")
    return select(Publication).where(*latest, *criteria).order_by(Publication.seq.desc())


def count_latest():
    """A select of the number of publications latest_revisions() finds, without grouping the ledger:
    the first revisions less the withdrawals (a withdrawal is final: the last revision of its
    publication, and only one; an index holds the withdrawals)."""
    publications = select(func.count()).select_from(Publication).where(Publication.revision == 1)
    withdrawals = select(func.count()).select_from(Publication).where(Publication.action == "withdraw")
    return select(publications.scalar_subquery() - withdrawals.scalar_subquery())


def verify():
    """Recompute the chain; return (count, problems) where problems name each bad seq."""
    prev, last_seq, count, problems = GENESIS, 0, 0, []
    for pub in db.session.scalars(select(Publication).order_by(Publication.seq)).yield_per(1000):
        record = record_of(pub)
        if pub.prev_hash != prev:
            problems.append(f"seq {pub.seq}: prev_hash does not match the hash of seq {pub.seq - 1}")
        if compute_hash(record) != pub.hash:
            problems.append(f"seq {pub.seq}: hash does not match its content")
        prev, last_seq = pub.hash, pub.seq
        count += 1
    head = db.session.get(LedgerHead, 1)
    # Compared even when no row is left: deleting every revision must not pass as an empty ledger.
    head_ok = (head.seq, head.hash) == (last_seq, prev) if head is not None else count == 0
    if not head_ok:
        problems.append("ledger head does not match the last publication")
    return count, problems
