"""Public forms of villagers taking part: ask for a topic (点题公开), object to a disclosure (异议), follow both.

No account is needed. Each form carries a CSRF token and a honeypot field, is rate-limited
per client address (DISCLOSURE_ASK_LIMIT, lookups DISCLOSURE_TRACK_LIMIT), and shows the
tracking code only after the row is committed. Names and phones never appear on these pages.
"""

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _

from portal import ledger
from portal.extensions import db, limiter
from portal.public.caching import form_page
from portal.public.services import org_by_code
from portal.workdays import local_date

from . import participation as p
from .forms import ActionForm, AskForm, CodeForm, DisputeForm, ObjectionForm
from .services import DisclosureError

bp = Blueprint("disclosure_ask", __name__, template_folder="templates")

ASK_LIMIT = "5 per minute;30 per day"
TRACK_LIMIT = "20 per minute;200 per day"


def ask_limit():
    return current_app.config.get("DISCLOSURE_ASK_LIMIT", ASK_LIMIT)


def track_limit():
    return current_app.config.get("DISCLOSURE_TRACK_LIMIT", TRACK_LIMIT)


@bp.errorhandler(429)
def too_many(exc):
    """A clear page when a client sends or looks up too often."""
    return render_template("disclosure/public/limited.html"), 429


@bp.app_template_global("disclosure_requests")
def disclosure_requests(org_code, limit=50):
    """The public list of a village's requests (topic, dates, status, answer), for its pages; never who asked."""
    return p.public_requests(org_code, limit)


@bp.app_template_global("disclosure_active")
def disclosure_active(org):
    """Whether the module takes new requests and objections at `org` (its township has it on)."""
    return current_app.extensions["portal"].is_active(p.PLUGIN, org)


@bp.app_template_global("disclosure_objectable")
def disclosure_objectable(publication):
    """Whether villagers may object online to `publication` (a disclosure of a village with the module on)."""
    return p.objectable(publication) is not None


@bp.app_template_global("disclosure_answers")
def disclosure_answers(draft_id):
    """The requests a draft answers (for the console's draft page)."""
    from sqlalchemy import select

    from .models import DisclosureRequest

    return list(db.session.scalars(select(DisclosureRequest).where(DisclosureRequest.draft_id == draft_id)))


@bp.app_template_filter("due_day")
def due_day(moment):
    """A deadline (the end of a local day, stored as the next midnight UTC) as its local date."""
    from datetime import timedelta

    return local_date(moment - timedelta(seconds=1)).isoformat() if moment else ""


def _bot(form):
    return request.method == "POST" and (form.website.data or "").strip()


def _refused():
    return _("This submission looks automatic and was not accepted. "
             "If you are a person, leave the last field empty and send again.")


@bp.get("/o/<code>/disclosure/ask")
def ask(code):
    """The request form of a village (点题公开)."""
    return form_page(lambda: render_template("disclosure/public/ask.html", org=_askable_or_404(code), form=AskForm()))


# The forms' own addresses; only sending counts against the limit, opening a form does not.
@bp.post("/o/<code>/disclosure/ask")
@limiter.limit(ask_limit)
def submit_request(code):
    """A filled request form; on success the request is stored and the villager sent to follow it."""
    org = _askable_or_404(code)
    form = AskForm()
    if _bot(form):
        return render_template("disclosure/public/ask.html", org=org, form=form, refused=_refused()), 400
    if form.validate_on_submit():
        try:
            req = p.file_request(org, topic=form.topic.data, detail=form.detail.data, name=form.name.data,
                                 phone=form.phone.data)
        except DisclosureError as exc:
            db.session.rollback()
            form.topic.errors.append(str(exc))
        else:
            return redirect(url_for("disclosure_ask.follow_request", code=req.code, new=1), 303)
    return render_template("disclosure/public/ask.html", org=org, form=form), 400


def _askable_or_404(code):
    """The village of `code` where the plugin takes requests; 404 otherwise."""
    org = org_by_code(code)
    if org is None or org.kind != "village":
        abort(404)
    current_app.extensions["portal"].require_active(p.PLUGIN, org)
    return org


@bp.route("/o/<code>/disclosure/requests.json")
def requests_json(code):
    """A village's requests as JSON: topic, dates, status, deadline and the answer's address; never who asked."""
    import json

    from flask import Response

    org = org_by_code(code)
    if org is None or org.kind != "village":
        abort(404)
    rows = [{"topic": r["topic"], "asked_on": local_date(r["filed_at"]).isoformat(),
             "status": r["state"], "due": due_day(r["due_at"]), "extended": r["extended"], "overdue": r["overdue"],
             "answer": url_for("public.publication", pub_id=r["pub_id"], _external=True) if r["pub_id"] else None}
            for r in p.public_requests(org.code, limit=500)]
    body = json.dumps({"org": {"code": org.code, "name": org.name}, "requests": rows}, ensure_ascii=False, indent=1)
    return Response(body, mimetype="application/json")


@bp.route("/disclosure/request")
@limiter.limit(track_limit)
def follow_request():
    """A request's status, deadline and answer, found by its tracking code."""
    lookup = CodeForm(request.args)
    raw = request.args.get("code", "")
    req = p.request_by_code(raw) if raw else None
    message = None
    if raw and req is None:
        message = _("No request has this tracking code. Check the code (12 letters and digits, e.g. RX7K-9QPM-3D2F).")
    return render_template("disclosure/public/follow_request.html", lookup=lookup, req=req, message=message,
                           new=request.args.get("new") == "1", answer=p.answer_of(req) if req else None,
                           overdue=req is not None and p.is_overdue(req), states=p.REQUEST_STATES)


def _objectable_or_404(pub_id):
    pub = ledger.latest(pub_id)
    org = p.objectable(pub)
    if org is None:
        abort(404)
    return pub, org


@bp.get("/disclosure/object/<int:pub_id>")
def object_to(pub_id):
    """The objection form of a published disclosure (异议)."""
    return form_page(lambda: render_template("disclosure/public/object.html", **_objection_page(pub_id)))


@bp.post("/disclosure/object/<int:pub_id>")
@limiter.limit(ask_limit)
def submit_objection(pub_id):
    """A filled objection form; on success the objection is stored and the villager sent to follow it."""
    pub, org = _objectable_or_404(pub_id)
    form = ObjectionForm()
    if _bot(form):
        return render_template("disclosure/public/object.html", org=org, pub=pub, form=form,
                               refused=_refused()), 400
    if form.validate_on_submit():
        try:
            obj, handover = p.file_objection(pub, text=form.text.data, name=form.name.data, phone=form.phone.data)
        except DisclosureError as exc:
            db.session.rollback()
            form.text.errors.append(str(exc))
        else:
            if handover is not None:  # another module (the hotline) took it: follow it there
                return redirect(handover.url, 303)
            return redirect(url_for("disclosure_ask.follow_objection", code=obj.code, new=1), 303)
    return render_template("disclosure/public/object.html", org=org, pub=pub, form=form), 400


def _objection_page(pub_id):
    pub, org = _objectable_or_404(pub_id)
    return {"pub": pub, "org": org, "form": ObjectionForm()}


@bp.route("/disclosure/objection", methods=["GET", "POST"])
@limiter.limit(track_limit)
def follow_objection():
    """An objection's status and answers by its tracking code; the villager accepts the answer or disputes it.

    A code of an objection handed over to the hotline leads to the hotline's page for it.
    """
    lookup = CodeForm(request.args)
    raw = request.values.get("code", "")
    obj = p.objection_by_code(raw) if raw else None
    if obj is not None and obj.state == "handed_over" and obj.reference_url:
        # another module (the hotline) handles it: its page has the status, the deadline and the answer
        return redirect(obj.reference_url, 303)
    message = None
    if raw and obj is None:
        message = _("No objection has this tracking code. Check the code (12 letters and digits, e.g. RX7K-9QPM-3D2F).")
    dispute_form, accept_form = DisputeForm(), ActionForm()
    if obj is not None and request.method == "POST":
        step, done = None, None
        if request.form.get("action") == "accept" and accept_form.validate_on_submit():
            step, done = (lambda: p.accept_answer(obj)), "accepted"
        elif request.form.get("action") == "dispute" and dispute_form.validate_on_submit():
            step, done = (lambda: p.dispute(obj, dispute_form.reason.data)), "disputed"
        elif not dispute_form.errors:
            message = _("The form has expired. Reload the page and try again.")
        if step is not None:
            try:
                step()
            except DisclosureError as exc:
                db.session.rollback()
                message = str(exc)
            else:
                db.session.commit()
                return redirect(url_for("disclosure_ask.follow_objection", code=obj.code, done=done), 303)
    status = 400 if request.method == "POST" else 200
    return render_template("disclosure/public/follow_objection.html", lookup=lookup, obj=obj, message=message,
                           new=request.args.get("new") == "1", done=request.args.get("done"),
                           dispute_form=dispute_form, accept_form=accept_form, states=p.OBJECTION_STATES,
                           may_dispute=obj is not None and p.may_dispute(obj),
                           overdue=obj is not None and p.is_overdue(obj)), status

