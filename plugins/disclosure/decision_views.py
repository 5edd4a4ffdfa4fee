"""Console pages of major decisions (四议两公开): the list, a new decision, a decision and its next step.

Thin: the rules are in decisions.py. Recording needs disclosure.draft at the village; anyone on
the disclosure road there, and compliance viewers, may read.
"""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal import ledger
from portal.accounts import can, org_or_404, permission_required
from portal.console.forms import choices
from portal.console.views import render_console, working_org
from portal.extensions import db
from portal.orgs import OrgUnit
from portal.timeutil import local_today
from portal.web import page_number

from . import decisions
from .decisions import DecisionError
from .forms import DecisionDisclosureForm, DecisionForm, DecisionStepForm
from .models import MajorDecision
from .services import STATE_LABELS
from .views import _host, _user, bp

READERS = ("disclosure.draft", "disclosure.review", "disclosure.approve", "disclosure.publish",
           "disclosure.compliance")
DECISIONS_PER_PAGE = 50


def _may_read(org):
    return any(can(current_user, p, org) for p in READERS)


def _decision_or_404(decision_id):
    decision = db.session.get(MajorDecision, decision_id)
    if decision is None or not _may_read(decision.org):
        abort(404)
    _host().require_active("disclosure", decision.org)
    return decision


@bp.route("/decisions", endpoint="decisions")
@permission_required("console.access")
def decisions_index():
    """Major decisions at the working unit and below, with their stage; links to start one per village."""
    org = working_org()
    if org is None or not _may_read(org):
        abort(404)
    _host().require_active("disclosure", org)
    # a grant covers its unit's subtree: whoever may read `org` may read every decision below it
    rows = db.paginate(select(MajorDecision).join(OrgUnit, MajorDecision.org_id == OrgUnit.id)
                       .where(OrgUnit.path.startswith(org.path, autoescape=True)).order_by(MajorDecision.id.desc()),
                       page=page_number(), per_page=DECISIONS_PER_PAGE, error_out=False)
    villages = [v for v in db.session.scalars(org.subtree_query().where(OrgUnit.kind == "village")
                                              .order_by(OrgUnit.code))
                if can(current_user, "disclosure.draft", v) and _host().is_active("disclosure", v)]
    return render_console("disclosure/console/decisions.html", org=org, rows=rows, villages=villages,
                          stage=decisions.done_count, labels=decisions.STEP_LABELS)


@bp.route("/decisions/<code>/new", methods=["GET", "POST"])
@permission_required("disclosure.draft")
def decision_new(code):
    """Start a major decision at a village: its title and matter."""
    org = org_or_404(code, "disclosure.draft")
    _host().require_active("disclosure", org)
    form = DecisionForm()
    form.matter.choices = choices((m, m) for m in decisions.matters(org))
    if form.validate_on_submit():
        try:
            decision = decisions.create_decision(org, _user(), title=form.title.data, matter=form.matter.data)
        except DecisionError as exc:
            db.session.rollback()
            form.title.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Decision started: record the branch's proposal."), "success")
            return redirect(url_for("disclosure.decision_detail", decision_id=decision.id))
    return render_console("disclosure/console/decision_new.html", org=org, form=form)


def _step_form(decision, number):
    form = DecisionStepForm(prefix="step")
    form.meeting.choices = choices(decisions.MEETING_LABELS.items())
    if request.method == "GET":
        form.held_on.data = local_today()
        form.meeting.data = "representatives"
    return form


def _disclosure_form(decision, number):
    form = DecisionDisclosureForm(prefix="pub")
    if request.method == "GET":
        form.title.data, form.body.data = decisions.disclosure_text(decision, number)
    return form


def _render(decision, step_form=None, pub_form=None, error=None):
    number = decisions.next_number(decision)
    pending = decisions.step(decision, number) if number else None
    may_record = can(current_user, "disclosure.draft", decision.org)
    if may_record and number in (1, 2, 3, 4) and step_form is None:
        step_form = _step_form(decision, number)
    if may_record and number in (5, 6) and pending is None and pub_form is None:
        pub_form = _disclosure_form(decision, number)
    return render_console("disclosure/console/decision.html", org=decision.org, decision=decision, number=number,
                          pending=pending, may_record=may_record, step_form=step_form, pub_form=pub_form,
                          error=error, labels=decisions.STEP_LABELS, meetings=decisions.MEETING_LABELS,
                          officials=decisions.officials(decision.org) if step_form is not None else ([], []),
                          states=STATE_LABELS, stage=decisions.done_count(decision),
                          public_url=url_for("disclosure_public.decision", code=decision.org.code,
                                             decision_id=decision.id) if decision.pub_id else None)


@bp.route("/decisions/<int:decision_id>")
@permission_required("console.access")
def decision_detail(decision_id):
    """A decision's record so far and the form of its next step."""
    return _render(_decision_or_404(decision_id))


@bp.route("/decisions/<int:decision_id>/step", methods=["POST"])
@permission_required("disclosure.draft")
def decision_step(decision_id):
    """Record the next step (1–4); a refused step saves nothing and says why."""
    decision = _decision_or_404(decision_id)
    if not can(current_user, "disclosure.draft", decision.org):
        abort(404)
    number = decisions.next_number(decision)
    form = _step_form(decision, number)
    if not form.validate_on_submit():
        return _render(decision, step_form=form), 422
    try:
        decisions.record_step(decision, _user(), request.form.get("number", type=int),
                              held_on=form.held_on.data, content=form.content.data,
                              signatures=form.signatures.data, township_attendees=form.township_attendees.data,
                              expected=form.expected.data, present=form.present.data,
                              approvals=form.approvals.data, meeting=form.meeting.data)
        db.session.commit()
    except (DecisionError, ledger.LedgerError) as exc:
        db.session.rollback()
        return _render(_decision_or_404(decision_id), step_form=form, error=str(exc)), 422
    except IntegrityError:  # the same step recorded by someone else a moment before
        db.session.rollback()
        return _render(_decision_or_404(decision_id), error=_(
            "This step was recorded by someone else a moment ago; the record below is the current one.")), 409
    flash(_("Step recorded and the public record updated."), "success")
    return redirect(url_for("disclosure.decision_detail", decision_id=decision_id))


@bp.route("/decisions/<int:decision_id>/disclose", methods=["POST"])
@permission_required("disclosure.draft")
def decision_disclose(decision_id):
    """Start the disclosure draft of step 5 or 6; it then goes the normal review road."""
    decision = _decision_or_404(decision_id)
    if not can(current_user, "disclosure.draft", decision.org):
        abort(404)
    form = _disclosure_form(decision, decisions.next_number(decision))
    if not form.validate_on_submit():
        return _render(decision, pub_form=form), 422
    try:
        d = decisions.start_disclosure(decision, _user(), request.form.get("number", type=int),
                                       title=form.title.data, body=form.body.data)
    except DecisionError as exc:
        db.session.rollback()
        return _render(_decision_or_404(decision_id), pub_form=form, error=str(exc)), 422
    db.session.commit()
    flash(_("Draft started: submit it to the supervision committee; the step is done when it is published."),
          "success")
    return redirect(url_for("disclosure.detail", draft_id=d.id))
