"""Console of 点题公开 and 异议 (/console/disclosure/participation/…): work list, one request, one objection.

Thin views; the rules are in participation.py. A row is visible to users holding a disclosure
permission at its village (or, for an objection sent to the township, at that township);
others get 404.
"""

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.accounts import can, permission_required
from portal.console.views import render_console, working_org
from portal.extensions import db
from portal.timeutil import utcnow
from portal.web import page_number

from . import participation as p
from .forms import ActionForm, AnswerForm, ReasonForm
from .models import DisclosureObjection, DisclosureRequest
from .services import DisclosureError

bp = Blueprint("disclosure_participation", __name__, url_prefix="/console/disclosure/participation",
               template_folder="templates")
PERMISSIONS = ("disclosure.draft", "disclosure.review", "disclosure.approve", "disclosure.publish",
               "disclosure.objection", "disclosure.personal")
PER_PAGE = 50  # requests, and objections, a page


def _me():
    return current_user._get_current_object()


def _may_see(org):
    return any(can(current_user, perm, org) for perm in PERMISSIONS)


def _row_or_404(model, row_id):
    row = db.session.get(model, row_id)
    if row is None:
        abort(404)
    township = getattr(row, "township", None)
    if not (_may_see(row.org) or (township is not None and can(current_user, "disclosure.objection", township))):
        abort(404)
    current_app.extensions["portal"].require_active(p.PLUGIN, row.org)
    return row


def _run(fn, success):
    try:
        result = fn()
    except DisclosureError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False, None
    db.session.commit()
    flash(success, "success")
    return True, result


@bp.route("/")
@permission_required("console.access")
def index():
    """The work list: open requests and objections first (overdue marked), then answered ones."""
    org = working_org()
    if org is None or not _may_see(org):
        abort(404)
    current_app.extensions["portal"].require_active(p.PLUGIN, org)
    requests = db.paginate(p.requests_below(org), page=page_number("requests_page"), per_page=PER_PAGE,
                           error_out=False)
    objections = db.paginate(p.objections_below(org), page=page_number("objections_page"), per_page=PER_PAGE,
                             error_out=False)
    return render_console("disclosure/console/participation.html", org=org, requests=requests,
                          objections=objections, now=utcnow(), is_overdue=p.is_overdue,
                          request_states=p.REQUEST_STATES, objection_states=p.OBJECTION_STATES)


def _render_request(req, contact=None):
    return render_console("disclosure/console/participation_request.html", org=req.org, req=req, contact=contact,
                          overdue=p.is_overdue(req), may_extend=p.may_extend(req), states=p.REQUEST_STATES,
                          may_draft=can(current_user, "disclosure.draft", req.org),
                          may_personal=can(current_user, "disclosure.personal", req.org),
                          action_form=ActionForm(), reason_form=ReasonForm(), answer=p.answer_of(req))


@bp.route("/r/<int:request_id>")
@permission_required("console.access")
def request_detail(request_id):
    """One request: topic, details, deadline, its answer's draft, and the steps."""
    return _render_request(_row_or_404(DisclosureRequest, request_id))


@bp.route("/r/<int:request_id>/answer", methods=["POST"])
@permission_required("disclosure.draft")
def request_answer(request_id):
    """Start (or open) the draft answering the request; it then goes the normal review road."""
    req = _row_or_404(DisclosureRequest, request_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    ok, d = _run(lambda: p.start_answer(req, _me()),
                 _("The answer is a draft now: write it, then it goes through review and publishing."))
    if ok:
        return redirect(url_for("disclosure.detail", draft_id=d.id), 303)
    return redirect(url_for(".request_detail", request_id=req.id), 303)


@bp.route("/r/<int:request_id>/extend", methods=["POST"])
@permission_required("disclosure.draft")
def request_extend(request_id):
    """Extend the request's deadline once, with a reason the villager reads."""
    req = _row_or_404(DisclosureRequest, request_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Give the reason for the extension; the villager will read it."), "error")
    else:
        _run(lambda: p.extend_request(req, _me(), form.reason.data), _("Deadline extended."))
    return redirect(url_for(".request_detail", request_id=req.id), 303)


@bp.route("/r/<int:request_id>/contact", methods=["POST"])
@permission_required("disclosure.personal")
def request_contact(request_id):
    """Show who asked, once, on request; the view is written to the audit log."""
    req = _row_or_404(DisclosureRequest, request_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    ok, contact = _run(lambda: p.reveal_contact(_me(), req), _("Shown once; this view is recorded."))
    return _render_request(req, contact=contact) if ok else redirect(url_for(".request_detail", request_id=req.id))


def _render_objection(obj, contact=None):
    level = "township" if obj.state == "township" else "village"
    unit = obj.township if level == "township" else obj.org
    return render_console("disclosure/console/participation_objection.html", org=obj.org, obj=obj, contact=contact,
                          overdue=p.is_overdue(obj), states=p.OBJECTION_STATES, level=level,
                          may_answer=obj.state in p.OPEN_OBJECTION and can(current_user, "disclosure.objection", unit),
                          may_personal=obj.handler == "village" and can(current_user, "disclosure.personal", obj.org),
                          action_form=ActionForm(), answer_form=AnswerForm())


@bp.route("/o/<int:objection_id>")
@permission_required("console.access")
def objection_detail(objection_id):
    """One objection: what the villager wrote, the disclosure, the answers and the deadline."""
    return _render_objection(_row_or_404(DisclosureObjection, objection_id))


@bp.route("/o/<int:objection_id>/answer", methods=["POST"])
@permission_required("disclosure.objection")
def objection_answer(objection_id):
    """The written answer of the village, or of the township once the objection was sent there."""
    obj = _row_or_404(DisclosureObjection, objection_id)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(_("Write the answer."), "error")
    elif obj.state == "township":
        _run(lambda: p.answer_as_township(obj, _me(), form.text.data),
             _("The township's answer is sent; the objection is closed."))
    else:
        _run(lambda: p.answer_objection(obj, _me(), form.text.data),
             _("Answer sent. The villager reads it with the tracking code."))
    return redirect(url_for(".objection_detail", objection_id=obj.id), 303)


@bp.route("/o/<int:objection_id>/contact", methods=["POST"])
@permission_required("disclosure.personal")
def objection_contact(objection_id):
    """Show who objected, once, on request; the view is written to the audit log."""
    obj = _row_or_404(DisclosureObjection, objection_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    ok, contact = _run(lambda: p.reveal_contact(_me(), obj), _("Shown once; this view is recorded."))
    return _render_objection(obj, contact=contact) if ok else redirect(
        url_for(".objection_detail", objection_id=obj.id))


def tile_context(org):
    """The dashboard tile: counts of open and overdue requests and objections below `org`, the overdue ones."""
    return {"counts": p.overdue_counts(org), "items": p.overdue_items(org), "org_code": org.code}
