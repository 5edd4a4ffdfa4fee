"""Access: permissions, default roles, the one `can` check and the view decorator."""

from dataclasses import dataclass
from functools import wraps

from flask import abort, current_app, g
from flask_login import current_user, login_required
from sqlalchemy import select

from ..extensions import db
from ..orgs.models import OrgUnit
from .models import Grant


@dataclass(frozen=True)
class Permission:
    """A permission a plugin or the core defines, e.g. 'disclosure.review'."""

    name: str
    label: object


@dataclass(frozen=True)
class RoleSpec:
    """A default role: a name, a label and the permissions it holds."""

    name: str
    label: object
    permissions: frozenset


def _grant_paths(user):
    """[(org_path, permissions)] of the user's grants, cached for the request."""
    cache = g.setdefault("_portal_grants", {})
    if user.id not in cache:
        rows = db.session.execute(
            select(OrgUnit.path, Grant.role_id).join(Grant, Grant.org_id == OrgUnit.id).where(Grant.user_id == user.id)
        ).all()
        from .models import Role

        roles = {r.id: set(r.permissions or ()) for r in db.session.scalars(select(Role))}
        cache[user.id] = [(path, roles.get(role_id, set())) for path, role_id in rows]
    return cache[user.id]


def can(user, permission, org=None):
    """True when `user` holds `permission` at `org` (through a grant at it or above it).

    With org=None: whether the user holds the permission anywhere.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if permission not in current_app.extensions["portal"].permissions:
        raise KeyError(f"unknown permission {permission!r}")
    for path, perms in _grant_paths(user):
        if permission in perms and (org is None or org.path.startswith(path)):
            return True
    return False


def scope_roots(user, permission):
    """The highest units where `user` holds `permission` (their subtrees are the user's scope)."""
    paths = sorted({path for path, perms in _grant_paths(user) if permission in perms}, key=len)
    roots = []
    for p in paths:
        if not any(p.startswith(r) for r in roots):
            roots.append(p)
    if not roots:
        return []
    return list(db.session.scalars(select(OrgUnit).where(OrgUnit.path.in_(roots)).order_by(OrgUnit.path)))


def org_or_404(code, permission):
    """The unit with `code` if `current_user` holds `permission` there; otherwise 404.

    Units outside the user's scope answer 404, so they cannot be enumerated.
    """
    unit = OrgUnit.by_code(code)
    if unit is None or not can(current_user, permission, unit):
        abort(404)
    return unit


def permission_required(permission):
    """Decorate a console view: login required, and `permission` held somewhere.

    The view itself narrows to an org with org_or_404(); the mark lets a test check
    that every console route names its permission.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not can(current_user, permission):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_permission = permission
        return login_required(wrapped)

    return decorator
