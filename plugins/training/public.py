"""The public QR sign-in page: /training/checkin/<token> (rate-limited, CSRF-protected)."""

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from portal.extensions import db, limiter
from portal.timeutil import to_local

from . import checkin as checkin_mod
from .forms import ActionForm, CheckinForm
from .services import TrainingError, members, session_day

bp = Blueprint("training_public", __name__, url_prefix="/training", template_folder="templates")
DEFAULT_CHECKIN_LIMIT = "10 per minute"


def _limit():
    return current_app.config.get("TRAINING_CHECKIN_RATE_LIMIT", DEFAULT_CHECKIN_LIMIT)


def _linked_person(session):
    """The person of the logged-in user, if that person is a member of the session's unit."""
    person = current_user.person if current_user.is_authenticated else None
    if person is None:
        return None
    return person if any(p.id == person.id for p in members(session.org, session_day(session))) else None


@bp.route("/checkin/<token>", methods=["GET", "POST"])
@limiter.limit(_limit, methods=["POST"])
def checkin(token):
    """A member signs in to a session by name and the last 4 digits of the phone number."""
    try:
        session = checkin_mod.session_for_token(token)
    except TrainingError as exc:
        return render_template("training/checkin.html", session=None, errors=exc.errors), 410
    current_app.extensions["portal"].require_active("training", session.org)
    form, linked_form = CheckinForm(), ActionForm(prefix="me")
    linked = _linked_person(session)
    errors, done, person = [], None, None
    if request.method == "POST":
        if linked is not None and "me-submit" in request.form:
            if linked_form.validate_on_submit():
                person = linked
            else:
                errors = [_("The form has expired. Please try again.")]
        elif form.validate_on_submit():
            person = checkin_mod.identify(session, form.name.data, form.phone4.data)
            if person is None:
                errors = [_("No member of %(org)s has this name and phone number. Check both, or ask the "
                            "person keeping the sign-in sheet.", org=session.org.name)]
        if person is not None:
            try:
                row = checkin_mod.check_in(session, person)
            except TrainingError as exc:
                db.session.rollback()
                errors = exc.errors
            else:
                db.session.commit()
                done = to_local(row.signed_at).strftime("%H:%M")
    status = 422 if errors else 200
    return render_template("training/checkin.html", session=session, form=form, linked_form=linked_form,
                           linked=linked, errors=errors, done=done), status

