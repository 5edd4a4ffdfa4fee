"""Console views: thin; rules live in services of the rooms they belong to.

This module holds the blueprint, the shell every console page shares (working org, menu)
and the dashboard, modules, notices and audit pages; org_views and user_views add theirs.
"""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_sqlalchemy.pagination import Pagination
from markupsafe import Markup
from werkzeug.routing import BuildError

from .. import ledger
from ..accounts.access import can, org_or_404, permission_required, scope_roots
from ..audit.display import audit_lines
from ..extensions import db
from ..ledger.services import LedgerError
from ..orgs.models import OrgUnit
from ..plugins import PluginError
from ..web import page_number
from . import services
from .forms import CorrectionForm, NoticeForm, ToggleForm, WithdrawForm

bp = Blueprint("console", __name__, url_prefix="/console")
NOTICES_PER_PAGE = 50


def working_org():
    """The unit the console works at: ?org=<code> within scope, else the user's highest root."""
    code = request.args.get("org")
    if code:
        return org_or_404(code, "console.access")
    roots = scope_roots(current_user, "console.access")
    return roots[0] if roots else None


def menu_links(org):
    """[(label, url, active)] from every active plugin's console_menu, sorted by order."""
    host = current_app.extensions["portal"]
    links = [link for group in host.hooks_for(org).console_menu(user=current_user, org=org) for link in (group or ())]
    out = []
    for link in sorted(links, key=lambda l: l.order):
        values = dict(link.values or {})
        if org is not None and "org" not in values:
            values["org"] = org.code
        try:
            url = url_for(link.endpoint, **values)
        except BuildError:
            continue  # a link to a page this app does not have
        out.append((link.label, url, request.endpoint == link.endpoint))
    return out


def render_console(template, org=None, **context):
    """Render a console page with the menu of `org` (default: the working org)."""
    org = org if org is not None else working_org()
    return render_template(template, org=org, menu=menu_links(org), **context)


class _RowsPagination(Pagination):
    """Flask-SQLAlchemy's pagination over a list already worked out (Pagination's documented
    subclass hooks), so the shared pager macro serves it too."""

    def _query_items(self):
        return self._query_args["rows"][self._query_offset:self._query_offset + self.per_page]

    def _query_count(self):
        return len(self._query_args["rows"])


def page_of(rows, per_page, param="page"):
    """The page of the list `rows` that the request asks for (?page=, or `param` where a page has two
    lists); past the end an empty page."""
    return _RowsPagination(page=page_number(param), per_page=per_page, max_per_page=None, error_out=False, rows=rows)


def back(endpoint="console.dashboard", **values):
    """A redirect after a POST (post-redirect-get)."""
    return redirect(url_for(endpoint, **values))


@bp.route("/")
@permission_required("console.access")
def dashboard():
    """The dashboard of the working org: every active plugin's tiles. `?unit=` (a name or a code typed
    into the switcher) goes to the one unit in scope it names, or lists the several it matches."""
    wanted = (request.args.get("unit") or "").strip()
    matches = services.find_units(current_user, wanted) if wanted else None
    if matches is not None and len(matches) == 1:
        return redirect(url_for("console.dashboard", org=matches[0].code))
    org = working_org()
    host = current_app.extensions["portal"]
    widgets = [w for group in host.hooks_for(org).dashboard_widgets(user=current_user, org=org) for w in (group or ())]
    tiles = []
    for w in sorted(widgets, key=lambda w: w.order):
        html = render_template(w.template, **{"widget": w, "org": org, **(w.context or {})})
        tiles.append((w.title, Markup(html)))
    switch = [r for r in scope_roots(current_user, "console.access")]
    return render_console("console/dashboard.html", org=org, tiles=tiles, roots=switch, wanted=wanted,
                          matches=matches, max_matches=services.UNIT_MATCHES_MAX)


# --- modules ----------------------------------------------------------------------------

@bp.route("/plugins")
@permission_required("plugin.manage")
def plugins():
    """Modules on or off per township (and county); villages inherit."""
    units = [(u, services.module_states(u)) for u in services.switchable_units(current_user)]
    return render_console("console/plugins.html", units=units, form=ToggleForm())


@bp.route("/plugins/toggle", methods=["GET", "POST"])
@permission_required("plugin.manage")
def plugin_toggle():
    """Switch a module on or off at a township or county in scope. Switching off is asked first
    (GET): it stops the work of every village below."""
    if request.method == "GET":
        return _confirm_switch_off()
    form = ToggleForm()
    if not form.validate_on_submit():
        flash(_("The request was incomplete. Please try again."), "error")
        return back("console.plugins")
    unit = org_or_404(form.org.data, "plugin.manage")
    enabled = form.enabled.data == "1"
    try:
        current_app.extensions["portal"].set_enabled(form.plugin.data, unit, enabled, current_user)
    except PluginError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return back("console.plugins")
    db.session.commit()
    msg = _("%(plugin)s is now on at %(org)s.") if enabled else _("%(plugin)s is now off at %(org)s.")
    flash(msg % {"plugin": current_app.extensions["portal"].label(form.plugin.data), "org": unit.name}, "success")
    return back("console.plugins")


def _confirm_switch_off():
    """The page that asks before a module is switched off at ?org= (same scope rule as the switch: 404)."""
    code, plugin = request.args.get("org", ""), request.args.get("plugin", "")
    if not code or not plugin:
        flash(_("The request was incomplete. Please try again."), "error")
        return back("console.plugins")
    unit = org_or_404(code, "plugin.manage")
    host = current_app.extensions["portal"]
    try:
        host.check_switchable(plugin, unit)
    except PluginError as exc:
        flash(str(exc), "error")
        return back("console.plugins")
    names = {"plugin": host.label(plugin), "org": unit.name}
    below = (_("New work in %(plugin)s stops at %(org)s and in its villages: nothing new can be drafted, "
               "filed or recorded there.", **names) if unit.kind == "township" else
             _("New work in %(plugin)s stops in every township of %(org)s that has not switched it on "
               "for itself, and in their villages.", **names))
    return render_console(
        "console/confirm.html", heading=_("Switch a module off"),
        question=_("Switch %(plugin)s off at %(org)s?", **names),
        consequences=[below, _("What was already published stays public."),
                      _("You can switch it on again later.")],
        action=url_for("console.plugin_toggle"), fields={"org": unit.code, "plugin": plugin, "enabled": "0"},
        button=_("Switch off"), cancel=url_for("console.plugins"))


# --- notices ----------------------------------------------------------------------------

def _notice_or_404(pub_id):
    """The latest revision of notice `pub_id` if it is at a unit where the user publishes."""
    pub = ledger.latest(pub_id)
    if pub is None or (pub.plugin, pub.kind) != ("core", "notice"):
        abort(404)
    unit = db.session.get(OrgUnit, pub.org_id)
    if unit is None or not can(current_user, "notice.publish", unit):
        abort(404)
    return pub, unit


@bp.route("/notices", methods=["GET", "POST"])
@permission_required("notice.publish")
def notices():
    """Notices (通知公告) published in scope, and the form to publish one."""
    form = NoticeForm()
    if request.method == "GET":
        org = working_org()
        if org is not None and can(current_user, "notice.publish", org):
            form.org_code.data = org.code
    if form.validate_on_submit():
        unit = OrgUnit.by_code(form.org_code.data)
        if unit is None or not can(current_user, "notice.publish", unit):
            form.org_code.errors.append(_("There is no unit with this code in your scope."))
        else:
            try:
                pub = ledger.publish(plugin="core", kind="notice", org=unit, title=form.title.data,
                                     user=current_user._get_current_object(), **services.notice_text(form.body.data))
            except LedgerError as exc:
                db.session.rollback()
                form.title.errors.append(str(exc))
            else:
                db.session.commit()
                flash(_("Notice published (no. %(id)d).", id=pub.pub_id), "success")
                return back("console.notices")
    page = db.paginate(services.notices_query(current_user), page=page_number(), per_page=NOTICES_PER_PAGE,
                       error_out=False)
    return render_console("console/notices.html", form=form, page=page)


@bp.route("/notices/<int:pub_id>", methods=["GET", "POST"])
@permission_required("notice.publish")
def notice_detail(pub_id):
    """One notice: its revisions, a correction form and a withdrawal form."""
    pub, unit = _notice_or_404(pub_id)
    form = CorrectionForm()
    if request.method == "GET":
        form.title.data = pub.title
        form.body.data = (pub.payload or {}).get("body", "")
    if form.validate_on_submit():
        try:
            ledger.correct(pub_id, reason=form.reason.data, title=form.title.data,
                           user=current_user._get_current_object(), **services.notice_text(form.body.data))
        except LedgerError as exc:
            db.session.rollback()
            form.reason.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("The correction is published as a new revision."), "success")
            return back("console.notice_detail", pub_id=pub_id)
    return render_console("console/notice.html", org=unit, pub=pub, history=ledger.history(pub_id),
                          form=form, withdraw_form=WithdrawForm(prefix="withdraw"))


@bp.route("/notices/<int:pub_id>/withdraw", methods=["POST"])
@permission_required("notice.publish")
def notice_withdraw(pub_id):
    """Withdraw a notice: a new revision that says why."""
    _notice_or_404(pub_id)
    form = WithdrawForm(prefix="withdraw")
    if not form.validate_on_submit():
        flash(_("Say why the notice is withdrawn."), "error")
        return back("console.notice_detail", pub_id=pub_id)
    try:
        ledger.withdraw(pub_id, reason=form.reason.data, user=current_user._get_current_object())
    except LedgerError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return back("console.notice_detail", pub_id=pub_id)
    db.session.commit()
    flash(_("The notice is withdrawn. Its history stays public."), "success")
    return back("console.notice_detail", pub_id=pub_id)


# --- audit log --------------------------------------------------------------------------

@bp.route("/audit")
@permission_required("audit.view")
def audit_log():
    """Audit events at units in scope, newest first, filtered by action."""
    action = request.args.get("action", "")[:60]
    page = db.paginate(services.audit_query(current_user, action), page=page_number(), per_page=50, error_out=False)
    return render_console("console/audit.html", page=page, action=action, lines=audit_lines(page.items))


from . import org_views, user_views  # noqa: E402,F401  (routes on the same blueprint)
