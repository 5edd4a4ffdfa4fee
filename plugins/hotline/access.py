"""Who may see and handle a case: scope, the conflict rule (信访工作条例 §30) and the complainant's privacy.

Plain functions; no request objects.
"""

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, not_, or_, select
from sqlalchemy.orm import aliased

from portal import audit
from portal.accounts import can, scope_roots
from portal.accounts.models import User
from portal.extensions import db
from portal.orgs import OrgUnit, Position
from portal.timeutil import utcnow
from portal.workdays import local_date

from .models import OPEN_STATES, PLUGIN, Case, HotlineError


def active_township_ids():
    """Ids of the townships where the hotline is on (switched-off townships take and show no new work)."""
    host = current_app.extensions["portal"]
    return [t.id for t in db.session.scalars(select(OrgUnit).where(OrgUnit.kind == "township"))
            if host.is_active(PLUGIN, t)]


def _handle_roots(user):
    return scope_roots(user, "hotline.handle")


def visible_condition(user):
    """A SQL condition on Case (joined with its village as OrgUnit): cases `user` may handle.

    The rule of conflict_with_user, in SQL: a case is hidden from users whose whole authority lies
    inside the circle of whom it is about (see _circle), and from the person it is about. One more
    rule holds only here: while the township has neither recorded whom a case is about nor
    assigned it, a case in which the villager named someone (accused_text) is hidden from the
    village's own staff; assigning it is the township's decision that they may handle it.
    """
    roots = _handle_roots(user)
    if not roots:
        return False
    parts = [and_(OrgUnit.path.startswith(r.path, autoescape=True), not_(_withheld_from_root(r))) for r in roots]
    cond = or_(*parts)
    if user.person_id is not None:
        cond = and_(cond, or_(Case.accused_person_id.is_(None), Case.accused_person_id != user.person_id))
    return cond


def _withheld_from_root(root):
    """SQL: the case is withheld from staff whose authority is `root` (and its subtree).

    A circle holds `root` when it is one of root's ancestors (or root itself); the circle of a
    unit inside a village is the village, so for staff at or below a village V, a unit counts
    when it is one of root's ancestors or lies anywhere in V.
    """
    today = local_date(utcnow())
    village = root.ancestor_of_kind("village")
    unit = aliased(OrgUnit)  # not the case's village of the enclosing query
    units = [unit.id.in_(root.ancestor_ids)]
    if village is not None:
        units.append(unit.path.startswith(village.path, autoescape=True))
    circle = select(unit.id).where(or_(*units))
    held = select(Position.person_id).where(Position.org_id.in_(circle), Position.start_date <= today,
                                             or_(Position.end_date.is_(None), Position.end_date >= today))
    # each term is TRUE or FALSE, never NULL, so that not_() of them is too
    withheld = [and_(Case.accused_unit_id.is_not(None), Case.accused_unit_id.in_(circle)),
                and_(Case.accused_person_id.is_not(None), Case.accused_person_id.in_(held))]
    if village is not None:
        withheld.append(and_(Case.accused_text.is_not(None), *[c.is_(None) for c in _TRIAGE_COLUMNS]))
    return or_(*withheld)


def in_scope(roots):
    """A SQL condition: OrgUnit lies within one of `roots`."""
    if not roots:
        return False
    return or_(*[OrgUnit.path.startswith(r.path, autoescape=True) for r in roots])


def case_for_user(case_id, user):
    """The case if `user` may handle it, else None (the view answers 404)."""
    return db.session.scalar(select(Case).join(OrgUnit, Case.org_id == OrgUnit.id)
                             .where(Case.id == case_id, visible_condition(user)))


def queue(user, *, state=None, category=None, overdue=False, village_code=None, escalated=False, now=None):
    """A select of the cases `user` may handle, newest first, with the filters of the console queue."""
    now = now or utcnow()
    q = (select(Case).join(OrgUnit, Case.org_id == OrgUnit.id)
         .where(visible_condition(user), Case.township_id.in_(active_township_ids()))
         .order_by(Case.filed_at.desc(), Case.id.desc()))
    if state == "open":
        q = q.where(Case.state.in_(OPEN_STATES))
    elif state:
        q = q.where(Case.state == state)
    if category:
        q = q.where(Case.category == category)
    if overdue:
        q = q.where(Case.state.in_(OPEN_STATES), Case.due_at < now)
    if escalated:
        q = q.where(Case.escalation_level > 0, Case.state.in_(OPEN_STATES))
    if village_code:
        q = q.where(OrgUnit.code == village_code)
    return q


def is_overdue(case, now=None):
    return case.state in OPEN_STATES and case.due_at < (now or utcnow())


def may_see_personal(user, case):
    """Whether `user` may see the complainant's name and phone of `case`.

    Confidential cases: only holders of hotline.confidential there, and never the assignee.
    """
    if case.confidential:
        return can(user, "hotline.confidential", case.org) and case.assignee_user_id != user.id
    return can(user, "hotline.personal", case.org)


def reveal_personal(user, case):
    """The complainant's contact details for `user`, audited; HotlineError when not allowed."""
    if not may_see_personal(user, case):
        raise HotlineError(_("You may not see who filed this case."))
    fields = [f for f in ("complainant_name", "complainant_phone", "complainant_email") if getattr(case, f)]
    audit.record_view_of_personal_data(case, fields or ["complainant_name"], org=case.org, user=user)
    return {"name": case.complainant_name, "phone": case.complainant_phone, "email": case.complainant_email}


# --- the conflict rule ----------------------------------------------------------------
# 信访工作条例 §30: a report is never passed to the person or unit it reports on. The staff of a
# village are the colleagues of its committees, branch and groups, so a case about any of them,
# or about a person holding office there, stays out of the whole village's hands: the township
# handles it. A case about a unit above the villages (a township's own office) stays out of that
# unit's hands and goes up.

_TRIAGE_COLUMNS = (Case.accused_unit_id, Case.accused_person_id, Case.assignee_unit_id, Case.assignee_user_id)


def _circle(unit):
    """The unit whose staff count as the colleagues of `unit`: its village, or `unit` itself above the villages."""
    return unit.ancestor_of_kind("village") or unit


def _person_units(person_id, day):
    rows = db.session.scalars(select(Position).where(Position.person_id == person_id))
    return [p.org for p in rows if p.current_on(day)]


def _circles(case):
    """(unit, circle) for the unit the case is about and each unit where the person it is about holds office."""
    units = [case.accused_unit] if case.accused_unit is not None else []
    if case.accused_person_id is not None:
        units += _person_units(case.accused_person_id, local_date(utcnow()))
    return [(u, _circle(u)) for u in units]


def conflict_with_unit(case, unit, circles=None):
    """A message when `unit` may not handle `case` (it lies in the circle of the unit or person complained about).

    `circles`: _circles(case), when the caller asks for many units."""
    for about, circle in _circles(case) if circles is None else circles:
        if unit.is_within(circle):
            if about is case.accused_unit:
                return _("This case is about %(accused)s; it cannot be assigned to %(unit)s.",
                         accused=about.name, unit=unit.name)
            return _("This case is about a person who works in %(unit)s; it cannot be assigned to %(to)s.",
                     unit=about.name, to=unit.name)
    return None


def conflict_with_user(case, user):
    """A message when `user` may not handle `case`: the person complained about, or staff whose authority
    over the case's village lies wholly in the circle of whom it is about."""
    if case.accused_person_id is not None and user.person_id == case.accused_person_id:
        return _("This case is about %(name)s; it cannot be assigned to them.", name=user.display_name)
    covering = [r for r in _handle_roots(user) if case.org.is_within(r)]
    for _about, circle in _circles(case) if covering else ():
        if all(r.is_within(circle) for r in covering):
            return _("%(name)s works in %(circle)s, where whom this case is about works too; it cannot be "
                     "assigned to them.", name=user.display_name, circle=circle.name)
    return None


def assignable_units(case):
    """Units the case may be assigned to: the township's subtree (villages and committees), minus conflicts."""
    units = db.session.scalars(case.township.subtree_query()
                               .where(OrgUnit.kind.notin_(("party_group",))).order_by(OrgUnit.path))
    circles = _circles(case)  # once, not a query of the person's positions per unit
    return [u for u in units if conflict_with_unit(case, u, circles) is None]


def assignable_users(case):
    """Active users who may handle cases at the case's village, minus conflicts."""
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.username))
    return [u for u in users if can(u, "hotline.handle", case.org) and conflict_with_user(case, u) is None]


def accused_choices(case):
    """Units and people of the case's township that a case can be about (for the console form)."""
    units = list(db.session.scalars(case.township.subtree_query().order_by(OrgUnit.path)))
    ids = [u.id for u in units]
    today = local_date(utcnow())
    people = {}
    for pos in db.session.scalars(select(Position).where(Position.org_id.in_(ids))):
        if pos.current_on(today):
            people.setdefault(pos.person_id, (pos.person, pos.org))
    return units, sorted(people.values(), key=lambda p: (p[1].path, p[0].name))


def unit_labels(case, units):
    """{unit id: its name as a township's staff tell it apart}: a unit inside a village is named with
    its village (every village has a 第1党小组)."""
    villages = case.township.nearest_of_kind(units, "village")
    labels = {}
    for u in units:
        village = villages.get(u.id)
        inside = village is not None and village.id != u.id and not u.name.startswith(village.name)
        labels[u.id] = f"{village.name} · {u.name}" if inside else u.name
    return labels
