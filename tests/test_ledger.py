"""The ledger: append-only revisions, hash chain, verification."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from portal import ledger
from portal.extensions import db
from tests.helpers import VILLAGE_A1, tamper_with_ledger, unit


def _publish(title="村道修路工程公示", body="修路"):
    return ledger.publish(plugin="core", kind="notice", org=unit(VILLAGE_A1), title=title,
                          summary="", payload={"body": body}, search_text=body)


def test_publish_chains_hashes_and_verifies(ctx, tree):
    first = _publish()
    second = _publish("第二条")
    db.session.commit()
    assert first.pub_id == first.seq and second.prev_hash == first.hash
    assert ledger.verify() == (2, [])


@pytest.mark.parametrize("sql", [
    "UPDATE ledger_publication SET title = 'forged'",
    "DELETE FROM ledger_publication",
    "UPDATE audit_event SET action = 'forged'",
    "DELETE FROM audit_event",
])
def test_database_refuses_update_and_delete(ctx, tree, sql):
    _publish()
    db.session.commit()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text(sql))
    db.session.rollback()
    assert ledger.latest(1).title == "村道修路工程公示"


def test_correction_is_a_new_revision_with_reason(ctx, tree):
    pub = _publish()
    with pytest.raises(ledger.LedgerError):
        ledger.correct(pub.pub_id, reason=" ", title="x")
    fixed = ledger.correct(pub.pub_id, reason="金额笔误", title="村道修路工程公示（更正）", payload={"body": "修路 2"})
    db.session.commit()
    assert (fixed.pub_id, fixed.revision, fixed.reason) == (pub.pub_id, 2, "金额笔误")
    assert [p.revision for p in ledger.history(pub.pub_id)] == [1, 2]
    assert ledger.latest(pub.pub_id).title.endswith("（更正）")
    assert ledger.verify() == (2, [])


def test_verify_finds_a_tampered_row(ctx, tree):
    _publish()
    _publish("第二条")
    db.session.commit()
    tamper_with_ledger("UPDATE ledger_publication SET title = 'forged' WHERE seq = 1")
    count, problems = ledger.verify()
    assert count == 2 and problems == ["seq 1: hash does not match its content"]


def test_unknown_kind_is_refused(ctx, tree):
    with pytest.raises(ledger.LedgerError):
        ledger.publish(plugin="nope", kind="x", org=unit(VILLAGE_A1), title="t")


def test_verify_finds_every_revision_deleted(ctx, tree):
    """An emptied ledger is not an empty one: the head still says how far it went."""
    _publish()
    db.session.commit()
    tamper_with_ledger("DELETE FROM ledger_publication")
    assert ledger.verify() == (0, ["ledger head does not match the last publication"])


def test_verify_of_a_new_installation_is_clean(ctx):
    assert ledger.verify() == (0, [])


def test_historical_records_keep_their_date_and_the_chain(ctx):
    """Records entered later (paper archives, sample data) keep their own date; the chain still verifies."""
    import datetime as dt

    from tests.helpers import build_tree

    build_tree()
    when = dt.datetime(2025, 3, 10, 2, 0)
    pub = ledger.publish(plugin="core", kind="notice", org=unit(VILLAGE_A1), title="2025年3月公示",
                         payload={"body": "x"}, published_at=when)
    fixed = ledger.correct(pub.pub_id, reason="金额更正", title="2025年3月公示", payload={"body": "y"},
                           published_at=when + dt.timedelta(days=2))
    db.session.commit()
    assert (pub.published_at, fixed.published_at) == (when, when + dt.timedelta(days=2))
    assert ledger.verify() == (2, [])
