"""Console pages for users: list, create, grant and revoke roles, disable, reset password."""

from collections import Counter

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user
from sqlalchemy import select

from .. import audit
from ..accounts.access import can, permission_required
from ..accounts.models import Grant, Role, User
from ..accounts.services import AccountError, create_user, set_active, set_password
from ..extensions import db
from ..orgs.models import OrgUnit
from ..web import page_number
from . import services
from .forms import ActionForm, GrantForm, PasswordForm, UserForm, choices
from .views import back, bp, render_console

USERS_PER_PAGE = 50


def _role_choices():
    """Roles by their labels; a label two roles share is told apart by the role's name.

    The list starts empty: a form sent without a choice is refused, where preselecting the first
    role (县级管理员, by name order) made a forgotten choice a county admin.
    """
    roles = services.roles()
    uses = Counter(str(r.display_label) for r in roles)
    return choices([("", _("— choose —"))] +
                   [(r.name, f"{r.display_label} ({r.name})" if uses[str(r.display_label)] > 1 else r.display_label)
                    for r in roles])


def _actor():
    return current_user._get_current_object()


def _user_or_404(user_id):
    """A user shown in the current user's list; others answer 404."""
    user = db.session.get(User, user_id)
    if user is None or not services.user_visible(current_user, user):
        abort(404)
    return user


def _unit_in_scope(code, field):
    """The unit with `code` where the user manages users, or None with an error on `field`."""
    unit = OrgUnit.by_code(code)
    if unit is None or not can(current_user, "user.manage", unit):
        field.errors.append(_("There is no unit with this code in your scope."))
        return None
    return unit


def _role(name):
    return db.session.scalar(select(Role).where(Role.name == name))


@bp.route("/users", methods=["GET", "POST"])
@permission_required("user.manage")
def users():
    """Users with roles in scope, and the form to create one with a first role."""
    form = UserForm()
    form.role.choices = _role_choices()
    if form.validate_on_submit():
        unit = _unit_in_scope(form.org_code.data, form.org_code)
        if unit is not None:
            try:
                user = create_user(form.username.data, form.display_name.data, form.password.data)
                services.give_role(_actor(), user, _role(form.role.data), unit)
                audit.record("user.create", obj=user, org=unit, detail={"user": user.username})
            except AccountError as exc:
                db.session.rollback()
                form.username.errors.append(str(exc))
            else:
                db.session.commit()
                flash(_("User %(name)s created.", name=user.username), "success")
                return back("console.user_detail", user_id=user.id)
    status = 422 if form.errors else 200
    wanted = request.args.get("q", "")
    users = db.paginate(services.users_in_scope(current_user, wanted), page=page_number(), per_page=USERS_PER_PAGE,
                        error_out=False)
    return render_console("console/users.html", form=form, users=users, wanted=wanted), status


def _render_user(user, status=200, **forms):
    grant_form = forms.pop("grant_form", None) or GrantForm(prefix="grant")
    grant_form.role.choices = _role_choices()
    context = dict(user=user, grants=sorted(user.grants, key=lambda g: g.org.path),
                   may_manage=services.may_manage_user(current_user, user),
                   may_revoke={g.id: services.may_grant(current_user, g.role, g.org) for g in user.grants},
                   grant_form=grant_form, password_form=PasswordForm(prefix="pw"), action_form=ActionForm())
    context.update(forms)
    return render_console("console/user.html", **context), status


@bp.route("/users/<int:user_id>")
@permission_required("user.manage")
def user_detail(user_id):
    """A user: their roles, and forms to grant, revoke, disable and reset the password."""
    return _render_user(_user_or_404(user_id))


@bp.route("/users/<int:user_id>/grants", methods=["POST"])
@permission_required("user.manage")
def user_grant(user_id):
    """Give the user a role at a unit in scope (only roles the granter holds there)."""
    user = _user_or_404(user_id)
    form = GrantForm(prefix="grant")
    form.role.choices = _role_choices()
    if form.validate_on_submit():
        unit = _unit_in_scope(form.org_code.data, form.org_code)
        if unit is not None:
            try:
                services.give_role(_actor(), user, _role(form.role.data), unit)
            except AccountError as exc:
                db.session.rollback()
                form.role.errors.append(str(exc))
            else:
                db.session.commit()
                flash(_("Role granted."), "success")
                return back("console.user_detail", user_id=user.id)
    return _render_user(user, 422, grant_form=form)


def _grant_or_404(user_id, grant_id):
    """A user shown in the current user's list and one of their grants; anything else answers 404."""
    user = _user_or_404(user_id)
    grant = db.session.get(Grant, grant_id)
    if grant is None or grant.user_id != user.id:
        abort(404)
    return user, grant


@bp.route("/users/<int:user_id>/grants/<int:grant_id>/revoke", methods=["GET", "POST"])
@permission_required("user.manage")
def user_revoke(user_id, grant_id):
    """Take a role away (only roles the revoker could have granted). GET asks first: one click
    on the user's page must not take away someone's work."""
    user, grant = _grant_or_404(user_id, grant_id)
    if request.method == "GET":
        try:
            services.check_take_role(_actor(), grant)
        except AccountError as exc:
            flash(str(exc), "error")
            return back("console.user_detail", user_id=user.id)
        names = {"name": user.display_name, "user": user.username, "role": grant.role.display_label,
                 "org": grant.org.name, "code": grant.org.code}
        return render_console(
            "console/confirm.html", heading=_("Revoke a role"),
            question=_("Revoke the role %(role)s of %(name)s (%(user)s) at %(org)s?", **names),
            consequences=[_("%(name)s can no longer act as %(role)s at %(org)s (%(code)s) "
                            "or at any unit below it.", **names),
                          _("Their other roles stay as they are.")],
            action=url_for("console.user_revoke", user_id=user.id, grant_id=grant.id), fields={},
            button=_("Revoke the role"), cancel=url_for("console.user_detail", user_id=user.id))
    try:
        services.take_role(_actor(), grant)
    except AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Role revoked."), "success")
    return back("console.user_detail", user_id=user.id)


def _home(user):
    """The unit an audit event about `user` is filed under: their first grant's unit."""
    grants = sorted(user.grants, key=lambda g: g.org.path)
    return grants[0].org if grants else None


def _manageable(user):
    if not services.may_manage_user(current_user, user):
        flash(_("%(name)s holds roles you do not hold yourself; ask someone above you.", name=user.username), "error")
        return False
    return True


@bp.route("/users/<int:user_id>/active", methods=["POST"])
@permission_required("user.manage")
def user_set_active(user_id):
    """Disable or enable a login."""
    user = _user_or_404(user_id)
    enable = request.form.get("active") == "1"
    if user.id == current_user.id and not enable:
        flash(_("You cannot disable your own account."), "error")
    elif _manageable(user):
        set_active(user, enable)
        audit.record("user.enable" if enable else "user.disable", obj=user, org=_home(user),
                     detail={"user": user.username})
        db.session.commit()
        flash(_("%(name)s can log in again.", name=user.username) if enable
              else _("%(name)s can no longer log in.", name=user.username), "success")
    return back("console.user_detail", user_id=user.id)


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@permission_required("user.manage")
def user_password(user_id):
    """Set a new password for a user (and lift a lock)."""
    user = _user_or_404(user_id)
    form = PasswordForm(prefix="pw")
    if not _manageable(user):
        return back("console.user_detail", user_id=user.id)
    if form.validate_on_submit():
        try:
            set_password(user, form.password.data)
        except AccountError as exc:
            db.session.rollback()
            form.password.errors.append(str(exc))
        else:
            audit.record("user.password_reset", obj=user, org=_home(user), detail={"user": user.username})
            db.session.commit()
            if user.id == current_user.id:
                login_user(user)  # the new password ended this session too: keep this one, in its new generation
            flash(_("New password set for %(name)s. Tell them in person, not by chat.", name=user.username), "success")
            return back("console.user_detail", user_id=user.id)
    return _render_user(user, 422, password_form=form)
