"""Who may take which step on which draft, and what waits for whom (the console's lists and tiles)."""

from sqlalchemy import or_, select

from portal.accounts import can
from portal.extensions import db
from portal.orgs import OrgUnit

from .compliance import due, satisfies
from .models import DONE, IN_PROGRESS, Disclosure


def drafts_query(orgs, states=None):
    """A select of the drafts at the given villages (or below the given units), newest change first."""
    q = select(Disclosure).join(OrgUnit, Disclosure.org_id == OrgUnit.id)
    if orgs:
        q = q.where(or_(*[OrgUnit.path.startswith(o.path, autoescape=True) for o in orgs]))
    if states:
        q = q.where(Disclosure.state.in_(states))
    return q.order_by(Disclosure.updated_at.desc(), Disclosure.id.desc())


def draft_villages(user, org, host):
    """The villages at or below `org` where `user` may start a draft, by code: those where the user holds
    disclosure.draft and whose township has the plugin on (asked once per parent unit)."""
    active, villages = {}, []
    for unit in db.session.scalars(org.subtree_query().where(OrgUnit.kind == "village").order_by(OrgUnit.code)):
        if unit.parent_id not in active:
            active[unit.parent_id] = host.is_active("disclosure", unit)
        if active[unit.parent_id] and can(user, "disclosure.draft", unit):
            villages.append(unit)
    return villages


def by_township(org, villages):
    """{township (None for a village under none): its villages} of `villages` below `org`, in their order."""
    towns, grouped = org.nearest_of_kind(villages, "township"), {}
    for village in villages:
        grouped.setdefault(towns[village.id], []).append(village)
    return grouped


def drafts_at(orgs, states=None):
    """Drafts at the given villages (or below the given units), newest change first; 500 at most."""
    return list(db.session.scalars(drafts_query(orgs, states).limit(500)))


def can_act(user, d):
    """The steps `user` may take on `d` now (for the buttons the console shows)."""
    acts = set()
    org = d.org
    if d.editable and can(user, "disclosure.draft", org):
        acts |= {"edit", "submit"}
    if d.state == "submitted" and can(user, "disclosure.review", org) and user.id not in (d.created_by_id,
                                                                                           d.submitted_by_id):
        acts.add("countersign")
    if d.state in ("submitted", "countersigned", "approved") and (can(user, "disclosure.review", org)
                                                                  or can(user, "disclosure.approve", org)):
        acts.add("return")
    if d.state == "countersigned" and can(user, "disclosure.approve", org):
        acts.add("approve")
    if d.state == "approved" and can(user, "disclosure.publish", org):
        acts.add("publish")
    if d.state not in DONE and can(user, "disclosure.draft", org):
        acts.add("mask")
    if d.state == "published" and can(user, "disclosure.draft", org):
        acts.add("correct")
    if d.state == "published" and can(user, "disclosure.publish", org):
        acts.add("withdraw")
    return acts


WAITING_STEPS = ("submit", "countersign", "approve", "publish")


def next_step(user, d):
    """The step of draft `d` that waits for `user` ("countersign", "approve", "publish", or "submit"
    for a returned draft), or None."""
    acts = can_act(user, d)
    step = next((s for s in WAITING_STEPS[1:] if s in acts), None)
    if step is None and d.state == "returned" and "submit" in acts:
        step = "submit"
    return step


def due_at(user, org, today=None):
    """[(requirement row, its draft in progress or None)] of what `org`, a village where `user` drafts, has
    still to disclose (compliance.due); empty elsewhere: a township watches its villages on the late tile."""
    if org.kind != "village" or not can(user, "disclosure.draft", org):
        return []
    drafts = drafts_at([org], states=IN_PROGRESS)
    return [(row, next((d for d in drafts if satisfies(d.category, d.period, row)), None))
            for row in due(org, today)]


def waiting_for(user, org):
    """Drafts at or below `org` whose next step is `user`'s: [(draft, step)], oldest change first."""
    steps = ((d, next_step(user, d)) for d in drafts_at([org], states=IN_PROGRESS))
    return sorted(((d, step) for d, step in steps if step), key=lambda t: t[0].updated_at)
