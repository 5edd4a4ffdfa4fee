"""Public routes of the hotline: the complaint form (/hotline/) and tracking by code (/hotline/track)."""

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal.extensions import db, limiter
from portal.public.caching import form_page
from portal.uploads import UploadError, save_upload

from . import labels, services
from .forms import CaseForm, RateForm, TrackForm
from .models import REOPENING

bp = Blueprint("hotline_public", __name__, url_prefix="/hotline", template_folder="templates")

SUBMIT_LIMIT = "5 per minute;30 per day"
TRACK_LIMIT = "20 per minute;200 per day"


def submit_limit():
    """One allowance per client for the form and Open311 together (a shared limit)."""
    return current_app.config.get("HOTLINE_SUBMIT_LIMIT", SUBMIT_LIMIT)


def track_limit():
    return current_app.config.get("HOTLINE_TRACK_LIMIT", TRACK_LIMIT)


bp.context_processor(labels.template_labels)


@bp.errorhandler(429)
def too_many(exc):
    """A clear page when a client files or looks up too often (the phone number still works)."""
    return render_template("hotline/limited.html"), 429


def _photos(form):
    files = [f for f in (form.photos.data or []) if getattr(f, "filename", "")]
    if len(files) > services.MAX_PHOTOS:
        raise UploadError(_("At most %(n)d photos.", n=services.MAX_PHOTOS))
    return [save_upload(f, f.filename, kinds=("image",)) for f in files]


@bp.get("/")
def form():
    """The complaint form as a villager opens it.

    `?village=<code>` (a village's public page links so) chooses the village and lists its
    township's villages; `?township=<code>` lists that township's villages.
    """
    return form_page(_blank_form)


# The same address as the form; only filing counts against the limit, opening the form does not.
@bp.post("/")
@limiter.shared_limit(submit_limit, scope="hotline-submit")
def submit():
    """A filled complaint form; on success the case is committed and the villager sent to its tracking page."""
    form = CaseForm()
    chosen, town, township = _chosen(form.village.data)
    # Filing checks only the chosen village; the list is built only to show the form again.
    form.set_villages([(town, [chosen])] if chosen else [])
    if (form.website.data or "").strip():
        return _show(form, 400, township, refused=_("This submission looks automatic and was not accepted. "
                                                    "If you are a person, leave the last field empty and send again."))
    if form.validate_on_submit():
        village = chosen  # validation passed, so the village was looked up above
        if village is None:
            form.village.errors.append(_("The hotline does not take cases for this village."))
        else:
            try:
                photos = _photos(form)
                case = services.file_case(village=village, category=form.category.data,
                                          description=form.description.data, name=form.name.data,
                                          phone=form.phone.data, confidential=form.confidential.data,
                                          accused_text=form.accused.data, photos=photos)
            except UploadError as exc:
                form.photos.errors.append(str(exc))
            except services.HotlineError as exc:
                form.description.errors.append(str(exc))
            else:
                # shown only now that the case is committed
                return redirect(url_for("hotline_public.track", code=case.code, new=1), 303)
    return _show(form, 400, township)


def _blank_form():
    """The form as a villager opens it: the village of `?village=` chosen, its township's villages listed
    (or those of `?township=`)."""
    form = CaseForm()
    chosen, _town, township = _chosen(request.args.get("village", ""))
    if chosen is not None:
        form.village.data = chosen.code
    return _show(form, 200, township)[0]


def _chosen(code):
    """(the village of `code` open for filing or None, its township, the code of the township whose
    villages the form lists: the village's, else `?township=`)."""
    chosen = services.village_for_filing(code)
    town = chosen.ancestor_of_kind("township") if chosen is not None else None
    return chosen, town, town.code if town is not None else request.args.get("township", "")


def _show(form, status, township, **extra):
    choices = services.filing_choices(
        township, current_app.config.get("HOTLINE_FORM_VILLAGES_MAX", services.FORM_VILLAGES_MAX))
    form.set_villages(choices.groups)
    return render_template("hotline/form.html", form=form, choices=choices, **extra), status


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit(track_limit)
def track():
    """A case's status, deadline, public timeline and replies, found by its tracking code; rating after a reply."""
    lookup = TrackForm(request.args)
    raw = request.values.get("code", "")
    case = services.case_by_code(raw) if raw else None
    rate_form = RateForm()
    message = None
    if raw and case is None:
        message = _("No case has this tracking code. Check the code (12 letters and digits, e.g. RX7K-9QPM-3D2F).")
    if case is not None and request.method == "POST":
        if rate_form.validate_on_submit():
            try:
                services.rate(case, rate_form.rating.data)
            except services.HotlineError as exc:
                db.session.rollback()
                rate_form.rating.errors.append(str(exc))
            else:
                db.session.commit()
                reopened = rate_form.rating.data in REOPENING
                return redirect(url_for("hotline_public.track", code=case.code, rated="reopened" if reopened else "1"),
                                303)
    return render_template("hotline/track.html", lookup=lookup, case=case, message=message, rate_form=rate_form,
                           new=request.args.get("new") == "1", rated=request.args.get("rated"),
                           events=services.public_events(case) if case else [],
                           may_rate=case is not None and services.may_rate(case))
