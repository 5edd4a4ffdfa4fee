"""Answers derived from the org tree, its settings and the plugin switches, kept in this worker.

Which plugins are on at a unit and what a setting is there are asked on nearly every request
and change a few times a year. Every flush that changes a unit, a setting value or a plugin
switch bumps the public revision (portal.public.caching), so an answer computed under
revision n is right for as long as the revision is n. A request reads the revision once
(before it computes anything, so what it stores is never older than the number it is filed
under); a transaction that bumped the revision itself neither reads nor stores answers until
it has committed, since its own changes may still roll back.
"""

import functools
import threading

from flask import current_app, g, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from ..extensions import db

BUMPED = "portal.public_revision_bumped"  # Session.info: this transaction changed the tree, settings or switches
MAX_ANSWERS = 4096


class TreeMemo:
    """The answers of one worker, all under one revision; a new revision starts afresh."""

    def __init__(self):
        self.revision = None
        self._answers = {}
        self._lock = threading.Lock()

    def get(self, revision, key):
        with self._lock:
            return self._answers.get(key) if revision == self.revision else None

    def put(self, revision, key, value):
        with self._lock:
            if revision != self.revision or len(self._answers) >= MAX_ANSWERS:
                self._answers, self.revision = {}, revision
            self._answers[key] = value


@functools.cache
def _revision_query():
    from ..public.models import PublicRevision  # the public room counts the revisions; imported late (cycle)

    table = PublicRevision.__table__
    return select(table.c.n).where(table.c.id == 1)


def _revision():
    """The public revision this request works under, read once per request (None: do not memoize)."""
    session = db.session()
    if session.autoflush:
        session.flush()  # as a query would: a pending change to the tree, a setting or a switch counts
    if session.info.get(BUMPED):
        return None
    revision = g.get("tree_revision")
    if revision is None:
        revision = g.tree_revision = db.session.connection().execute(_revision_query()).scalar()
    return revision


def memoized(key, compute):
    """compute(), or the answer it gave under the current revision in this worker.

    The answer is shared between requests: keep it immutable (a frozenset, a tuple) or copy it.
    """
    if not has_app_context():
        return compute()
    store = current_app.extensions.get("portal_tree_memo")
    if store is None:
        store = current_app.extensions.setdefault("portal_tree_memo", TreeMemo())
    revision = _revision()
    if revision is None:
        return compute()
    answer = store.get(revision, key)
    if answer is None:
        answer = compute()
        store.put(revision, key, answer)
    return answer


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _transaction_ended(session):
    """After a transaction that changed the tree, the next answer reads the revision again."""
    if session.info.pop(BUMPED, None) and has_app_context():
        g.pop("tree_revision", None)
