"""Console rules that belong to no other room: the dashboard summary, scope lists, grants.

Plain functions: they take users and units and return plain values; no request objects.
"""

from datetime import UTC, datetime, time

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import selectinload

from .. import audit
from ..accounts.access import can, scope_roots
from ..accounts.models import Grant, Role, User
from ..accounts.services import AccountError, grant_role
from ..audit import AuditEvent
from ..extensions import db
from ..ledger import Publication, latest_revisions
from ..markup import lead_text, plain_text
from ..orgs.kinds import kind_for, kinds
from ..orgs.models import OrgUnit
from ..orgs.services import import_csv
from ..plugins import PluginActivation
from ..timeutil import LOCAL_TZ, local_today


def in_subtrees(column, roots):
    """A SQL condition: `column` (a unit path) lies within one of `roots`."""
    if not roots:
        return False
    return or_(*[column.startswith(r.path, autoescape=True) for r in roots])


def _org_ids_under(roots):
    return select(OrgUnit.id).where(in_subtrees(OrgUnit.path, roots))


UNIT_MATCHES_MAX = 20


def find_units(user, text):
    """Units in `user`'s console scope that `text` names: the unit with that code, else those whose
    name contains it (导子 finds 导子村 and its branch), highest first; UNIT_MATCHES_MAX at most."""
    text = (text or "").strip()[:60]
    roots = scope_roots(user, "console.access")
    if not text or not roots:
        return []
    in_scope = select(OrgUnit).where(in_subtrees(OrgUnit.path, roots))
    by_code = db.session.scalar(in_scope.where(OrgUnit.code == text))
    if by_code is not None:
        return [by_code]
    return list(db.session.scalars(in_scope.where(OrgUnit.name.icontains(text, autoescape=True))
                                   .order_by(func.length(OrgUnit.path), OrgUnit.path).limit(UNIT_MATCHES_MAX)))


def month_start_utc(today=None):
    """The first moment of this month in Asia/Shanghai, as a naive UTC datetime."""
    today = today or local_today()
    local = datetime.combine(today.replace(day=1), time(0), tzinfo=LOCAL_TZ)
    return local.astimezone(UTC).replace(tzinfo=None)


def dashboard_summary(user, org):
    """Counts for the dashboard's first tile: units by kind, this month's publications, modules."""
    roots = [org] if org is not None else scope_roots(user, "console.access")
    if not roots:
        return {"org": org, "units": [], "publications_this_month": 0, "modules": []}
    rows = db.session.execute(
        select(OrgUnit.kind, func.count()).where(in_subtrees(OrgUnit.path, roots)).group_by(OrgUnit.kind)
    ).all()
    units = []
    for name, count in rows:
        k = kind_for(name)
        units.append((k.level if k else 999, k.label if k else name, count))
    # Joined rather than `org_id IN (units)`: the planner then starts from the month's revisions (the
    # index on the time), not from every revision of the county's units (5 years: 0.2 s on SQLite).
    pubs = db.session.scalar(
        select(func.count()).select_from(Publication).join(OrgUnit, OrgUnit.id == Publication.org_id)
        .where(Publication.published_at >= month_start_utc(), in_subtrees(OrgUnit.path, roots))
    )
    host = current_app.extensions["portal"]
    return {
        "org": org,
        "units": [(label, count) for _lvl, label, count in sorted(units, key=lambda u: u[0])],
        "publications_this_month": pubs,
        "modules": [str(host.label(n)) for n in sorted(host.active_names(org))] if org is not None else [],
    }


# --- the org tree ---------------------------------------------------------------------

def scope_tree(user, permission="org.view"):
    """[(unit, children)] nested: the subtrees of the units where `user` holds `permission`."""
    roots = scope_roots(user, permission)
    if not roots:
        return []
    units = db.session.scalars(select(OrgUnit).where(in_subtrees(OrgUnit.path, roots)).order_by(OrgUnit.path)).all()
    children = {}
    for u in units:
        children.setdefault(u.parent_id, []).append(u)

    def build(unit):
        kids = sorted(children.get(unit.id, []), key=lambda c: c.code)
        return (unit, [build(k) for k in kids])

    return [build(r) for r in roots]


def child_kinds(unit):
    """Kinds that may stand directly under `unit`, as (name, label), in level order."""
    found = [k for k in kinds().values() if unit.kind in k.parents]
    return [(k.name, k.label) for k in sorted(found, key=lambda k: k.level)]


def import_units(user, data):
    """Import units from CSV for `user`; every new or changed unit must lie within their scope."""
    return import_csv(data, may_place=lambda unit: unit is not None and can(user, "org.manage", unit))


# --- users and grants -----------------------------------------------------------------

def _users_condition(actor):
    """The SQL condition on User of `actor`'s user list, or None when they manage no users."""
    roots = scope_roots(actor, "user.manage")
    if not roots:
        return None
    with_grant = (select(Grant.user_id).join(OrgUnit, Grant.org_id == OrgUnit.id)
                  .where(in_subtrees(OrgUnit.path, roots)))
    cond = User.id.in_(with_grant)
    if any(r.parent_id is None for r in roots):
        cond = or_(cond, ~User.id.in_(select(Grant.user_id)))
    return cond


def users_in_scope(actor, text=""):
    """A select of the users with a grant at a unit within `actor`'s user.manage scope (plus grantless
    users for an actor who manages users at a root unit) whose user name or display name contains
    `text`, ordered by user name; their grants come with them."""
    cond = _users_condition(actor)
    q = select(User).where(cond if cond is not None else false())
    text = (text or "").strip()[:60]
    if text:
        q = q.where(or_(User.username.icontains(text, autoescape=True),
                        User.display_name.icontains(text, autoescape=True)))
    grants = selectinload(User.grants)
    return q.options(grants.joinedload(Grant.role), grants.joinedload(Grant.org)).order_by(User.username)


def may_grant(actor, role, org):
    """True when `actor` may give (or take away) `role` at `org`: they manage users there and
    hold every permission of the role there themselves (no privilege escalation)."""
    known = current_app.extensions["portal"].permissions
    perms = role.permissions or ()
    # A permission no plugin declares any more cannot be checked, so it is never handed out.
    return (can(actor, "user.manage", org) and all(p in known for p in perms)
            and all(can(actor, p, org) for p in perms))


def may_manage_user(actor, target):
    """True when `actor` may disable, enable or reset the password of `target`.

    Each of the target's grants must be one the actor could have given; otherwise a
    township admin could take over a county account by resetting its password.
    """
    if not can(actor, "user.manage"):
        return False
    if not target.grants:
        return any(r.parent_id is None for r in scope_roots(actor, "user.manage"))
    return all(may_grant(actor, g.role, g.org) for g in target.grants)


def user_visible(actor, target):
    """True when `target` shows in `actor`'s user list."""
    cond = _users_condition(actor)
    return cond is not None and db.session.scalar(select(User.id).where(cond, User.id == target.id)) is not None


def give_role(actor, target, role, org):
    """Grant `role` at `org` to `target` on behalf of `actor`; raise AccountError if refused."""
    if not may_grant(actor, role, org):
        raise AccountError(_("You may only grant roles whose permissions you hold at that unit."))
    grant = grant_role(target, role, org, granted_by=actor)
    audit.record("grant.add", obj=target, org=org, detail={"role": role.name, "user": target.username}, user=actor)
    return grant


def check_take_role(actor, grant):
    """Raise AccountError unless `actor` may revoke `grant`; the confirmation page asks it before the revocation."""
    if not may_grant(actor, grant.role, grant.org):
        raise AccountError(_("You may only revoke roles whose permissions you hold at that unit."))


def take_role(actor, grant):
    """Revoke `grant` on behalf of `actor`; raise AccountError if refused."""
    check_take_role(actor, grant)
    audit.record("grant.revoke", obj=grant.user, org=grant.org,
                 detail={"role": grant.role.name, "user": grant.user.username}, user=actor)
    db.session.delete(grant)
    db.session.flush()


def roles():
    """Every role, by name."""
    return list(db.session.scalars(select(Role).order_by(Role.name)))


# --- modules --------------------------------------------------------------------------

def switchable_units(user):
    """Townships (and counties) in `user`'s plugin.manage scope, where modules are switched."""
    out = []
    for root in scope_roots(user, "plugin.manage"):
        if root.kind in ("county", "township"):
            out.append(root)
        if root.kind != "township":
            out += db.session.scalars(
                select(OrgUnit).where(OrgUnit.path.startswith(root.path, autoescape=True), OrgUnit.id != root.id,
                                      OrgUnit.kind.in_(("county", "township"))).order_by(OrgUnit.path, OrgUnit.code)
            ).all()
    return out


def module_states(unit):
    """[(plugin, label, on, set_here)] at `unit`: the nearest switch on its path decides."""
    host = current_app.extensions["portal"]
    ids = unit.ancestor_ids
    rows = db.session.scalars(select(PluginActivation).where(PluginActivation.org_id.in_(ids))).all()
    depth = {i: n for n, i in enumerate(ids)}
    state = {}
    for row in sorted(rows, key=lambda r: depth[r.org_id]):
        state[row.plugin] = (row.enabled, row.org_id == unit.id)
    return [(name, host.label(name), *state.get(name, (False, False))) for name in host.names()]


# --- notices and the audit log --------------------------------------------------------

def notice_text(body):
    """The summary, payload and search text of a notice (通知公告) whose body is the markdown `body`."""
    return dict(summary=lead_text(body), payload={"body": body}, search_text=plain_text(body))


def notices_query(user):
    """A select of the latest revision of every core notice published within `user`'s notice.publish
    scope, newest first, withdrawn ones included."""
    roots = scope_roots(user, "notice.publish")
    return latest_revisions(Publication.plugin == "core", Publication.kind == "notice",
                            Publication.org_id.in_(_org_ids_under(roots)) if roots else False, withdrawn=True)


def audit_query(user, action=None):
    """A select of audit events at units within `user`'s audit.view scope, newest first."""
    roots = scope_roots(user, "audit.view")
    q = select(AuditEvent).where(AuditEvent.org_id.in_(_org_ids_under(roots)) if roots else False)
    action = (action or "").strip()
    if action:
        q = q.where(AuditEvent.action.startswith(action, autoescape=True))
    return q.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
