"""Console views of the hotline (/console/hotline/…): the queue, one case and its actions, statistics."""

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal.accounts import permission_required, scope_roots
from portal.accounts.models import User
from portal.console.views import render_console
from portal.extensions import db
from portal.orgs import OrgUnit, Person
from portal.timeutil import local_today, utcnow
from portal.uploads import StoredFile, send_upload
from portal.web import page_number

from . import access, labels, services, stats
from .forms import AccusedForm, ActionForm, AssignForm, ExtendForm, MergeForm, SelectChoice, TextForm
from .models import CATEGORIES, STATES

bp = Blueprint("hotline", __name__, url_prefix="/console/hotline", template_folder="templates")
bp.context_processor(labels.template_labels)


def _me():
    return current_user._get_current_object()


def _case_or_404(case_id):
    case = access.case_for_user(case_id, _me())
    if case is None:
        abort(404)
    current_app.extensions["portal"].require_active(services.PLUGIN, case.org)
    return case


@bp.route("/")
@permission_required("hotline.handle")
def queue():
    """Cases in the user's subtree, newest first, filtered by state, kind, village, overdue or supervised."""
    me = _me()
    state = request.args.get("state", "open")
    state = state if state in STATES or state in ("open", "") else "open"
    category = request.args.get("category", "")
    category = category if category in CATEGORIES else ""
    village = request.args.get("village", "")[:40]
    overdue = request.args.get("overdue") == "1"
    escalated = request.args.get("escalated") == "1"
    q = access.queue(me, state=state, category=category, overdue=overdue, village_code=village or None,
                       escalated=escalated)
    page = db.paginate(q, page=page_number(), per_page=50, error_out=False, count=True)
    villages = list(db.session.scalars(select(OrgUnit).where(
        OrgUnit.kind == "village", access.in_scope(scope_roots(me, "hotline.handle"))).order_by(OrgUnit.code)))
    return render_console("hotline/queue.html", page=page, villages=villages, now=utcnow(),
                          filters={"state": state, "category": category, "village": village,
                                   "overdue": overdue, "escalated": escalated})


def _forms(case):
    assign = AssignForm(prefix="assign")
    assignable = access.assignable_units(case)
    units, people = access.accused_choices(case)
    label = access.unit_labels(case, [*units, *assignable, *(org for _p, org in people)])
    assign.unit.choices = [SelectChoice(value="", label="—")] + [
        SelectChoice(value=u.code, label=label[u.id]) for u in assignable]
    assign.user.choices = [SelectChoice(value="", label="—")] + [
        SelectChoice(value=str(u.id), label=u.display_name) for u in access.assignable_users(case)]
    accused = AccusedForm(prefix="accused")
    accused.unit.choices = [SelectChoice(value="", label="—")] + [SelectChoice(value=u.code, label=label[u.id])
                                                                  for u in units]
    accused.person.choices = [SelectChoice(value="", label="—")] + [
        SelectChoice(value=str(p.id), label=f"{p.name} · {label[org.id]}") for p, org in people]
    if request.method == "GET":
        accused.unit.data = case.accused_unit.code if case.accused_unit else ""
        accused.person.data = str(case.accused_person_id or "")
    return {"assign_form": assign, "accused_form": accused, "reply_form": TextForm(prefix="reply"),
            "note_form": TextForm(prefix="note"), "extend_form": ExtendForm(prefix="extend"),
            "merge_form": MergeForm(prefix="merge"), "action_form": ActionForm()}


def _render_case(case, personal=None, status=200, **forms):
    context = _forms(case)
    context.update(forms)
    me = _me()
    return render_console("hotline/case.html", org=case.org, case=case, personal=personal, now=utcnow(),
                          may_see_personal=access.may_see_personal(me, case),
                          overdue=access.is_overdue(case), **context), status


@bp.route("/cases/<int:case_id>")
@permission_required("hotline.handle")
def case_detail(case_id):
    """One case: facts, deadline, the whole timeline (internal notes too) and the action forms."""
    return _render_case(_case_or_404(case_id))


def _act(case, action, success):
    """Run `action()`; commit and redirect on success, flash the refusal otherwise."""
    try:
        action()
    except services.HotlineError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(success, "success")
    return redirect(url_for("hotline.case_detail", case_id=case.id), 303)


def _invalid(case):
    flash(_("The form was incomplete. Please try again."), "error")
    return redirect(url_for("hotline.case_detail", case_id=case.id), 303)


@bp.route("/cases/<int:case_id>/sign", methods=["POST"])
@permission_required("hotline.handle")
def case_sign(case_id):
    case = _case_or_404(case_id)
    if not ActionForm().validate_on_submit():
        return _invalid(case)
    return _act(case, lambda: services.sign(case, _me()), _("Signed for. The case is in progress."))


@bp.route("/cases/<int:case_id>/reply", methods=["POST"])
@permission_required("hotline.handle")
def case_reply(case_id):
    case = _case_or_404(case_id)
    form = TextForm(prefix="reply")
    if not form.validate_on_submit():
        return _invalid(case)
    return _act(case, lambda: services.reply(case, _me(), form.text.data),
                _("Reply sent. The villager sees it with the tracking code."))


@bp.route("/cases/<int:case_id>/note", methods=["POST"])
@permission_required("hotline.handle")
def case_note(case_id):
    case = _case_or_404(case_id)
    form = TextForm(prefix="note")
    if not form.validate_on_submit():
        return _invalid(case)
    return _act(case, lambda: services.note(case, _me(), form.text.data), _("Note added (staff only)."))


@bp.route("/cases/<int:case_id>/extend", methods=["POST"])
@permission_required("hotline.handle")
def case_extend(case_id):
    case = _case_or_404(case_id)
    form = ExtendForm(prefix="extend")
    if not form.validate_on_submit():
        flash(_("Give the number of working days and the reason."), "error")
        return redirect(url_for("hotline.case_detail", case_id=case.id), 303)
    return _act(case, lambda: services.extend(case, _me(), form.days.data, form.reason.data),
                _("Deadline extended. The villager sees the new date and the reason."))


@bp.route("/cases/<int:case_id>/close", methods=["POST"])
@permission_required("hotline.handle")
def case_close(case_id):
    case = _case_or_404(case_id)
    if not ActionForm().validate_on_submit():
        return _invalid(case)
    return _act(case, lambda: services.close(case, _me()), _("Case closed."))


@bp.route("/cases/<int:case_id>/assign", methods=["POST"])
@permission_required("hotline.assign")
def case_assign(case_id):
    case = _case_or_404(case_id)
    form = AssignForm(prefix="assign")
    unit = user = None
    if form.unit.raw_data and form.unit.raw_data[0]:
        unit = OrgUnit.by_code(form.unit.raw_data[0][:40])
    if form.user.raw_data and form.user.raw_data[0].isdigit():
        user = db.session.get(User, int(form.user.raw_data[0][:9]))
    if not ActionForm().validate_on_submit() or (form.unit.raw_data and form.unit.raw_data[0] and unit is None):
        return _invalid(case)
    return _act(case, lambda: services.assign(case, _me(), unit=unit, assignee=user), _("Case assigned."))


@bp.route("/cases/<int:case_id>/accused", methods=["POST"])
@permission_required("hotline.assign")
def case_accused(case_id):
    case = _case_or_404(case_id)
    form = AccusedForm(prefix="accused")
    code = (form.unit.raw_data or [""])[0][:40]
    pid = (form.person.raw_data or [""])[0][:9]
    unit = OrgUnit.by_code(code) if code else None
    person = db.session.get(Person, int(pid)) if pid.isdigit() else None
    if not ActionForm().validate_on_submit() or (unit is not None and not unit.is_within(case.township)):
        return _invalid(case)
    return _act(case, lambda: services.set_accused(case, _me(), unit=unit, person=person),
                _("Recorded whom the case is about. It can no longer be assigned to them."))


@bp.route("/cases/<int:case_id>/merge", methods=["POST"])
@permission_required("hotline.assign")
def case_merge(case_id):
    case = _case_or_404(case_id)
    form = MergeForm(prefix="merge")
    if not form.validate_on_submit():
        return _invalid(case)
    target = services.case_by_code(form.target.data)
    if target is None or access.case_for_user(target.id, _me()) is None:
        flash(_("No case with this tracking code in your scope."), "error")
        return redirect(url_for("hotline.case_detail", case_id=case.id), 303)
    return _act(case, lambda: services.merge(case, target, _me()), _("Merged into %(code)s.", code=target.code))


@bp.route("/cases/<int:case_id>/personal", methods=["POST"])
@permission_required("hotline.personal")
def case_personal(case_id):
    """Show the complainant's contact details once, on request; the view is written to the audit log."""
    case = _case_or_404(case_id)
    if not ActionForm().validate_on_submit():
        return _invalid(case)
    try:
        personal = access.reveal_personal(_me(), case)
    except services.HotlineError as exc:
        flash(str(exc), "error")
        return redirect(url_for("hotline.case_detail", case_id=case.id), 303)
    db.session.commit()
    return _render_case(case, personal=personal)


@bp.route("/cases/<int:case_id>/photos/<int:index>")
@permission_required("hotline.handle")
def case_photo(case_id, index):
    case = _case_or_404(case_id)
    if index >= len(case.photos or []):
        abort(404)
    return send_upload(StoredFile.from_dict(case.photos[index]))


@bp.route("/stats")
@permission_required("hotline.stats")
def stats_page():
    """Live statistics of this and the last five months for the townships in scope (not yet published)."""
    me = _me()
    roots = scope_roots(me, "hotline.stats")
    townships = [t for t in stats.townships_with_hotline() if any(t.is_within(r) or r.is_within(t) for r in roots)]
    today = local_today()
    months = []
    y, m = today.year, today.month
    for _i in range(6):
        months.append(f"{y}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    rows = [(t, [stats.compute(t, month) for month in months]) for t in townships]
    return render_console("hotline/stats.html", rows=rows, months=months)

