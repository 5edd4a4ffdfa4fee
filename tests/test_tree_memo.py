"""Answers about the tree kept in a worker (portal.orgs.memo) are never older than the database says,
and a row written with insert_row reads, through as_loaded, like a loaded one."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from portal.extensions import as_loaded, db, insert_row
from portal.orgs import get_setting, set_setting
from portal.plugins import PluginActivation
from tests.helpers import TOWN_A, VILLAGE_A1, build_tree, unit


def test_a_switch_committed_by_another_worker_is_seen_by_the_next_request(app):
    host = app.extensions["portal"]
    with app.app_context():
        build_tree()
        host.set_enabled("hotline", unit(TOWN_A), True)
        db.session.commit()
    with app.app_context():
        assert "hotline" in host.active_names(unit(VILLAGE_A1))  # remembered in this worker now
    with app.app_context():
        other = Session(db.engine)  # another worker: its own connection, same database
        switch = other.scalar(select(PluginActivation).where(PluginActivation.plugin == "hotline"))
        switch.enabled = False
        other.commit()
        other.close()
    with app.app_context():
        assert "hotline" not in host.active_names(unit(VILLAGE_A1))


def test_a_setting_changed_in_this_transaction_counts_at_once_and_not_after_a_rollback(ctx):
    build_tree()
    village = unit(VILLAGE_A1)
    before = get_setting(village, "disclosure.fixed_day")
    set_setting(unit(TOWN_A), "disclosure.fixed_day", str(before + 5))  # not flushed, not committed
    assert get_setting(village, "disclosure.fixed_day") == before + 5
    db.session.rollback()
    assert get_setting(unit(VILLAGE_A1), "disclosure.fixed_day") == before
    set_setting(unit(TOWN_A), "disclosure.fixed_day", str(before + 5))
    db.session.commit()
    assert get_setting(unit(VILLAGE_A1), "disclosure.fixed_day") == before + 5


def test_an_inserted_row_as_loaded_is_a_persistent_object_that_commits_or_rolls_back_with_the_session(ctx):
    from plugins.hotline.models import Case
    from portal.timeutil import utcnow

    ids = build_tree()
    now = utcnow()
    values = dict(code="RX7K-9QPM-3D2F", category="complaint", org_id=ids[VILLAGE_A1], township_id=ids[TOWN_A],
                  description="路灯坏了", sign_due_at=now, due_at=now)
    case = as_loaded(Case, insert_row(Case, values))
    assert case.id is not None and case.code == "RX7K-9QPM-3D2F"
    assert case.state == "accepted" and case.photos == [] and case.rating is None  # defaults and NULLs
    assert case.org.code == VILLAGE_A1  # relationships load as for any persistent object
    assert db.session.get(Case, case.id) is case and not db.session.dirty
    case.state = "assigned"  # an ordinary persistent object: a change is flushed as an UPDATE
    db.session.flush()
    assert db.session.scalar(select(Case.state).where(Case.id == case.id)) == "assigned"
    db.session.rollback()
    assert db.session.scalar(select(func.count(Case.id))) == 0
    case = as_loaded(Case, insert_row(Case, values))
    db.session.commit()
    assert db.session.scalar(select(Case.code).where(Case.id == case.id)) == "RX7K-9QPM-3D2F"
