"""Escalation of overdue cases (督办) up the tree, and the counts of the dashboard tile."""

from datetime import timedelta

from sqlalchemy import func, select

from portal import audit
from portal.events import emit
from portal.extensions import db
from portal.orgs import OrgUnit, get_setting
from portal.timeutil import utcnow
from portal.workdays import add_working_days, local_date

from .access import active_township_ids, visible_condition
from .labels import ESCALATION_LABELS
from .models import OPEN_STATES, Case
from .services import deadline_end_of, timeline_event


def target_level(case, now):
    """The escalation level an open case should have now: 1 once overdue, 2 when overdue by N more working days."""
    if case.state not in OPEN_STATES or case.due_at >= now:
        return 0
    more = int(get_setting(case.org, "hotline.days.county_escalation"))
    county_due = deadline_end_of(add_working_days(local_date(case.due_at - timedelta(seconds=1)), more))
    return 2 if now >= county_due else 1


def sweep(now=None, commit=True):
    """Escalate overdue cases one level up the tree (village → township → county); return counts.

    Idempotent: the level follows from the deadline and the time, so a second run at the
    same time changes nothing. Commits, then emits `hotline.case_overdue` for each step.
    """
    now = now or utcnow()
    raised = []
    counts = {"checked": 0, "township": 0, "county": 0}
    rows = db.session.scalars(select(Case).where(Case.state.in_(OPEN_STATES), Case.due_at < now))
    for case in rows:
        counts["checked"] += 1
        level = target_level(case, now)
        while case.escalation_level < level:
            case.escalation_level += 1
            unit = case.township if case.escalation_level == 1 else (case.township.parent or case.township)
            case.escalated_to = unit
            timeline_event(case, "escalated", str(ESCALATION_LABELS[case.escalation_level]) + " · " + unit.name,
                   public=True, at=now)
            counts["township" if case.escalation_level == 1 else "county"] += 1
            audit.record("hotline.escalate", obj=case, org=case.org, user=None,
                         detail={"level": case.escalation_level, "to": unit.code})
            raised.append((case.org, case.id, case.escalation_level))
    if not commit:  # sample data: the caller commits
        return counts
    db.session.commit()
    for org, case_id, level in raised:
        emit("hotline.case_overdue", org=org, case_id=case_id, level=level)
    return counts


def dashboard_counts(user, org, now=None):
    """Counts for the dashboard tile at `org`: open, overdue and supervised (督办) cases the user may handle."""
    now = now or utcnow()
    # one pass over the open cases, each count with its own condition (a county has 100,000 cases)
    conditions = {
        "open": None,
        "overdue": Case.due_at < now,
        "escalated": Case.escalation_level > 0,
        "escalated_here": Case.escalated_to_id == org.id,
        "sign_late": Case.signed_at.is_(None) & (Case.sign_due_at < now),
    }
    counts = [func.count() if c is None else func.count().filter(c) for c in conditions.values()]
    row = db.session.execute(
        select(*counts).select_from(Case).join(OrgUnit, Case.org_id == OrgUnit.id)
        .where(visible_condition(user), OrgUnit.path.startswith(org.path, autoescape=True),
               Case.township_id.in_(active_township_ids()), Case.state.in_(OPEN_STATES))).one()
    return dict(zip(conditions, row))
