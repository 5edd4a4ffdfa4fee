"""Villagers take part: on-request disclosure (点题公开) and objections (异议) to a published disclosure.

Plain functions, no request objects. Deadlines count Chinese working days (portal.workdays),
like every deadline of the portal and like the hotline's objection category, so an objection
gets the same time limit whichever module handles it. Filing functions commit on their own: a
tracking code is shown only for a row that is stored. The other steps leave the commit to the
caller. Names and phones of villagers are personal data: shown to staff only through
`reveal_contact` (audited), never in a public list, a log line or an audit detail.

Objections and the hotline meet through the core hook `take_objection` (firstresult): when a
plugin active at the village takes the objection (the hotline files a case of category
`objection`), this module keeps only a pointer row (state `handed_over`, the plugin's reference
and the page to follow it on); otherwise it handles the objection itself: the village answers
within `disclosure.objection_days`; a villager still not satisfied sends it to the township,
which answers within `disclosure.objection_township_days`.
"""

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select

from portal import audit, ledger
from portal.accounts import can
from portal.codes import new_code, normalise_code
from portal.extensions import db
from portal.orgs import OrgUnit, get_setting
from portal.privacy import mask_personal_data
from portal.timeutil import utcnow
from portal.workdays import deadline

from .models import DisclosureObjection, DisclosureRequest
from .services import DisclosureError, create_draft

PLUGIN = "disclosure"
MAX_TOPIC = 200
MAX_TEXT = 1500  # leaves room in a hotline case (2000) for the disclosure's title and address
MAX_NAME = 60
MAX_PHONE = 30

REQUEST_STATES = {"open": _l("Waiting for the village's answer"), "answered": _l("Answered")}
OBJECTION_STATES = {
    "village": _l("Waiting for the village's written answer"),
    "answered": _l("Answered by the village"),
    "township": _l("Still disputed: waiting for the township's answer"),
    "closed": _l("Closed"),
    "handed_over": _l("Handled by the hotline"),
}
OPEN_OBJECTION = ("village", "township")


# --- codes -----------------------------------------------------------------------------------

def _unused_code(model):
    for _attempt in range(5):
        code = new_code()
        if db.session.scalar(select(model.id).where(model.code == code)) is None:
            return code
    raise RuntimeError("no free tracking code")  # 25**12 codes: only a bug gets here


def request_by_code(code):
    code = normalise_code(code)
    return db.session.scalar(select(DisclosureRequest).where(DisclosureRequest.code == code)) if code else None


def objection_by_code(code):
    """The objection a villager follows with `code`, or None.

    That is the objection's own tracking code or, for one handed over to another module, the
    code that module gave the villager (the hotline case code, `reference`): a villager whose
    objection went to the hotline was only ever shown that one. Both are portal codes
    (portal.codes): one normalisation, the one the hotline's tracking page applies too, serves both.
    """
    code = normalise_code(code)
    if code is None:
        return None
    own = DisclosureObjection.code == code
    return db.session.scalar(
        select(DisclosureObjection)
        .where(or_(own, (DisclosureObjection.state == "handed_over") & (DisclosureObjection.reference == code)))
        .order_by(case((own, 0), else_=1)).limit(1))


# --- rules as plain functions -----------------------------------------------------------------

def request_deadline(org, filed_at, extended=False):
    """When the village must answer a request filed at `filed_at`: N working days (5), or M (10) once extended."""
    key = "disclosure.request_extended_days" if extended else "disclosure.request_days"
    return deadline(filed_at, int(get_setting(org, key)))


def objection_deadline(org, since, level="village"):
    """When an objection must be answered: by the village (10 working days), or the township (20) from escalation."""
    key = "disclosure.objection_township_days" if level == "township" else "disclosure.objection_days"
    return deadline(since, int(get_setting(org, key)))


def is_overdue(row, now=None):
    """True for an open request or objection whose deadline has passed."""
    now = now or utcnow()
    if isinstance(row, DisclosureRequest):
        return row.state == "open" and row.due_at < now
    return row.state in OPEN_OBJECTION and row.due_at is not None and row.due_at < now


def may_extend(req, now=None):
    """A request may be extended once, before its deadline, while it is open."""
    return req.state == "open" and req.extended_from is None and (now or utcnow()) < req.due_at


def may_dispute(obj, now=None):
    """The villager may take the objection to the township once the village answered, or let its deadline pass."""
    return obj.handler == "village" and (obj.state == "answered" or (obj.state == "village" and is_overdue(obj, now)))


def _clean(text, limit, message_empty, message_long, required=True):
    text = (text or "").strip()
    if required and not text:
        raise DisclosureError(message_empty)
    if len(text) > limit:
        raise DisclosureError(message_long)
    return text


def _contact(name, phone):
    name = (name or "").strip()
    phone = (phone or "").strip()
    if len(name) > MAX_NAME or len(phone) > MAX_PHONE:
        raise DisclosureError(_("The name may have at most %(name)d characters and the phone %(phone)d.",
                                name=MAX_NAME, phone=MAX_PHONE))
    return name or None, phone or None


def _active(org):
    return current_app.extensions["portal"].is_active(PLUGIN, org)


# --- on-request disclosure (点题公开) -------------------------------------------------------------

def file_request(village, *, topic, detail="", name=None, phone=None, now=None):
    """Store a villager's request that `village` disclose `topic`, and COMMIT it; return it."""
    if village is None or village.kind != "village" or not _active(village):
        raise DisclosureError(_("This village does not take requests online."))
    topic = _clean(topic, MAX_TOPIC, _("Say what you want the village to disclose."),
                   _("The topic may have at most %(max)d characters.", max=MAX_TOPIC))
    detail = _clean(detail, MAX_TEXT, "", _("The details may have at most %(max)d characters.", max=MAX_TEXT),
                    required=False)
    name, phone = _contact(name, phone)
    now = now or utcnow()
    req = DisclosureRequest(code=_unused_code(DisclosureRequest), org_id=village.id, topic=topic, detail=detail,
                            requester_name=name, requester_phone=phone, state="open", filed_at=now,
                            due_at=request_deadline(village, now))
    db.session.add(req)
    db.session.flush()
    audit.record("disclosure.request_filed", obj=req, org=village, user=None)
    db.session.commit()
    return req


def extend_request(req, user, reason, now=None):
    """Extend the answer once, before the deadline, to the longer limit (10 working days), with a reason."""
    _require(user, "disclosure.draft", req.org)
    now = now or utcnow()
    reason = (reason or "").strip()
    if not reason:
        raise DisclosureError(_("Give the reason for the extension; the villager will read it."))
    if req.state != "open":
        raise DisclosureError(_("Only an open request can be extended."))
    if req.extended_from is not None:
        raise DisclosureError(_("This request was already extended once."))
    if now >= req.due_at:
        raise DisclosureError(_("The deadline has passed; an extension must be given before it."))
    req.extended_from = req.due_at
    req.due_at = max(request_deadline(req.org, req.filed_at, extended=True), req.due_at)
    req.extension_reason = reason[:1000]
    audit.record("disclosure.request_extended", obj=req, org=req.org, user=user)


def start_answer(req, user):
    """The answer's draft (kind on_request, linked to the request), made now or the one already under way."""
    _require(user, "disclosure.draft", req.org)
    if req.state != "open":
        raise DisclosureError(_("This request is already answered."))
    if req.draft is not None and req.draft.state != "published":
        return req.draft
    title = f"关于“{req.topic}”的答复"[:200]
    body = f"村民点题：{req.topic}\n\n"
    d = create_draft(req.org, user, category="village", disclosure_kind="on_request", title=title, body=body)
    req.draft_id = d.id
    req.draft = d
    audit.record("disclosure.request_answer_started", obj=req, org=req.org, user=user, detail={"draft": d.id})
    return d


def draft_published(d, pub):
    """A published draft answers the requests linked to it (services.publish calls this)."""
    for req in db.session.scalars(select(DisclosureRequest).where(DisclosureRequest.draft_id == d.id)):
        if req.state == "open":
            req.state, req.pub_id, req.answered_at = "answered", pub.pub_id, pub.published_at
            audit.record("disclosure.request_answered", obj=req, org=req.org, detail={"pub_id": pub.pub_id})


def public_requests(org_code, limit=50):
    """The requests of a village for its public page, newest first: topic, dates, status, the answer; never who asked."""
    rows = db.session.execute(
        select(DisclosureRequest.code, DisclosureRequest.topic, DisclosureRequest.filed_at, DisclosureRequest.due_at,
               DisclosureRequest.state, DisclosureRequest.pub_id, DisclosureRequest.extended_from,
               DisclosureRequest.answered_at, DisclosureRequest.requester_name, DisclosureRequest.requester_phone)
        .join(OrgUnit, DisclosureRequest.org_id == OrgUnit.id).where(OrgUnit.code == org_code)
        .order_by(DisclosureRequest.filed_at.desc(), DisclosureRequest.id.desc()).limit(limit))
    now = utcnow()
    # a villager may type a phone or an ID number into the topic, or their own name: the public list masks them
    return [{"topic": mask_personal_data(r.topic, names=[r.requester_name], phones=[r.requester_phone]),
             "filed_at": r.filed_at, "due_at": r.due_at, "state": r.state,
             "state_label": REQUEST_STATES[r.state], "pub_id": r.pub_id, "extended": r.extended_from is not None,
             "answered_at": r.answered_at, "overdue": r.state == "open" and r.due_at < now} for r in rows]


# --- objections (异议) ----------------------------------------------------------------------------

def objectable(pub):
    """The village of a published disclosure villagers may object to, or None."""
    if pub is None or pub.plugin != PLUGIN or pub.action == "withdraw":
        return None
    org = db.session.get(OrgUnit, pub.org_id)
    if org is None or org.kind != "village" or not _active(org):
        return None
    return org


def file_objection(pub, *, text, name=None, phone=None, now=None):
    """File an objection to `pub` and COMMIT; return (objection row, Handover or None).

    Another plugin active at the village may take it (take_objection hook); then the row only
    points at it and keeps no name or phone. Otherwise the village must answer in writing.
    """
    org = objectable(pub)
    if org is None:
        raise DisclosureError(_("Objections to this publication are not taken online."))
    text = _clean(text, MAX_TEXT, _("Say what is wrong with the disclosure."),
                  _("The objection may have at most %(max)d characters.", max=MAX_TEXT))
    name, phone = _contact(name, phone)
    now = now or utcnow()
    handover = current_app.extensions["portal"].hooks_for(org).take_objection(
        org=org, publication=pub, text=text, name=name, phone=phone)
    obj = DisclosureObjection(code=_unused_code(DisclosureObjection), org_id=org.id, pub_id=pub.pub_id,
                              pub_title=pub.title[:200], text=text, filed_at=now)
    if handover is not None:
        obj.handler, obj.state = "handed_over", "handed_over"
        # the page to come back to later, not the first answer that greets a just-filed case
        obj.reference, obj.reference_url = str(handover.reference)[:40], str(handover.follow_url)[:300]
    else:
        obj.handler, obj.state = "village", "village"
        obj.objector_name, obj.objector_phone = name, phone
        obj.due_at = objection_deadline(org, now)
    db.session.add(obj)
    db.session.flush()
    audit.record("disclosure.objection_filed", obj=obj, org=org, user=None,
                 detail={"pub_id": pub.pub_id, "handler": obj.handler, "reference": obj.reference})
    db.session.commit()
    return obj, handover


def answer_objection(obj, user, text, now=None):
    """The village's written answer (within 10 working days); the villager then accepts it or disputes it."""
    _require(user, "disclosure.objection", obj.org)
    if obj.handler != "village" or obj.state != "village":
        raise DisclosureError(_("This objection is not waiting for the village's answer."))
    text = _clean(text, 5000, _("Write the answer."), _("The answer may have at most %(max)d characters.", max=5000))
    now = now or utcnow()
    obj.state, obj.answer, obj.answered_at, obj.answered_by_id = "answered", text, now, user.id
    audit.record("disclosure.objection_answered", obj=obj, org=obj.org, user=user)


def accept_answer(obj, now=None):
    """The villager is satisfied with the village's answer: the objection is closed."""
    if obj.handler != "village" or obj.state != "answered":
        raise DisclosureError(_("This objection cannot be closed now."))
    obj.state, obj.closed_at = "closed", now or utcnow()
    audit.record("disclosure.objection_accepted", obj=obj, org=obj.org, user=None)


def dispute(obj, reason, now=None):
    """The villager is still not satisfied: the objection goes to the township, which answers within 20 working days."""
    now = now or utcnow()
    if not may_dispute(obj, now):
        raise DisclosureError(_("The objection can go to the township once the village has answered it, "
                                "or when the village let its deadline pass."))
    reason = _clean(reason, MAX_TEXT, _("Say why you are still not satisfied."),
                    _("The reason may have at most %(max)d characters.", max=MAX_TEXT))
    township = obj.org.ancestor_of_kind("township")
    if township is None:
        raise DisclosureError(_("This village belongs to no township."))
    obj.state, obj.dispute, obj.escalated_at, obj.township_id = "township", reason, now, township.id
    obj.township = township
    obj.due_at = objection_deadline(obj.org, now, level="township")
    audit.record("disclosure.objection_escalated", obj=obj, org=obj.org, user=None, detail={"to": township.code})


def answer_as_township(obj, user, text, now=None):
    """The township's answer to a still disputed objection; it closes the objection."""
    if obj.state != "township" or obj.township is None:
        raise DisclosureError(_("This objection is not waiting for the township's answer."))
    _require(user, "disclosure.objection", obj.township)
    text = _clean(text, 5000, _("Write the answer."), _("The answer may have at most %(max)d characters.", max=5000))
    now = now or utcnow()
    obj.state, obj.township_answer, obj.township_answered_at = "closed", text, now
    obj.township_answered_by_id, obj.closed_at = user.id, now
    audit.record("disclosure.objection_township_answered", obj=obj, org=obj.org, user=user)


# --- staff: scope, personal data, work lists --------------------------------------------------------

def _require(user, permission, org):
    if not can(user, permission, org):
        raise DisclosureError(_("You do not have the permission for this step at %(org)s.", org=org.name))


def reveal_contact(user, row):
    """The villager's name and phone for `user`, written to the audit log; DisclosureError when not allowed."""
    if not can(user, "disclosure.personal", row.org):
        raise DisclosureError(_("You may not see who filed this."))
    if isinstance(row, DisclosureRequest):
        name, phone = row.requester_name, row.requester_phone
        fields = ["requester_name", "requester_phone"]
    else:
        name, phone = row.objector_name, row.objector_phone
        fields = ["objector_name", "objector_phone"]
    audit.record_view_of_personal_data(row, fields, org=row.org, user=user)
    return {"name": name, "phone": phone}


def _below(model, org):
    return select(model).join(OrgUnit, model.org_id == OrgUnit.id).where(
        OrgUnit.path.startswith(org.path, autoescape=True))


def requests_below(org):
    """A select of the requests at or below `org`: the open ones first, soonest deadline first (an old
    overdue request heads the list, however many came after it), then the answered ones, newest first."""
    is_open = DisclosureRequest.state == "open"
    return _below(DisclosureRequest, org).order_by(
        case((is_open, 0), else_=1), case((is_open, DisclosureRequest.due_at)), DisclosureRequest.filed_at.desc(),
        DisclosureRequest.id.desc())


def objections_below(org):
    """A select of the objections at or below `org` (and those escalated to it), in the order of
    requests_below: the open ones by deadline, then the settled ones, newest first."""
    is_open = DisclosureObjection.state.in_(OPEN_OBJECTION)
    q = select(DisclosureObjection).join(OrgUnit, DisclosureObjection.org_id == OrgUnit.id).where(
        or_(OrgUnit.path.startswith(org.path, autoescape=True), DisclosureObjection.township_id == org.id))
    return q.order_by(case((is_open, 0), else_=1), case((is_open, DisclosureObjection.due_at)),
                      DisclosureObjection.filed_at.desc(), DisclosureObjection.id.desc())


def overdue_counts(org, now=None):
    """Counts for the dashboard: open and overdue requests and objections at or below `org`.

    `objections_open` counts those the village or the township must answer here; the ones handed
    over to the hotline are handled there and counted apart (`objections_hotline`, all of them),
    so a clerk does not read "0 open" as "nobody objected".
    """
    now = now or utcnow()

    def count(model, *where):
        q = select(func.count()).select_from(model).join(OrgUnit, model.org_id == OrgUnit.id).where(
            OrgUnit.path.startswith(org.path, autoescape=True), *where)
        return db.session.scalar(q) or 0

    open_obj = DisclosureObjection.state.in_(OPEN_OBJECTION)
    return {
        "requests_open": count(DisclosureRequest, DisclosureRequest.state == "open"),
        "requests_overdue": count(DisclosureRequest, DisclosureRequest.state == "open",
                                  DisclosureRequest.due_at < now),
        "objections_open": count(DisclosureObjection, open_obj),
        "objections_overdue": count(DisclosureObjection, open_obj, DisclosureObjection.due_at < now),
        "objections_township": count(DisclosureObjection, DisclosureObjection.state == "township"),
        "objections_hotline": count(DisclosureObjection, DisclosureObjection.state == "handed_over"),
    }


def overdue_items(org, now=None, limit=8):
    """[(kind, row)] of the overdue requests and objections at or below `org`, the most overdue first."""
    now = now or utcnow()
    reqs = db.session.scalars(_below(DisclosureRequest, org).where(
        DisclosureRequest.state == "open", DisclosureRequest.due_at < now).limit(limit))
    objs = db.session.scalars(_below(DisclosureObjection, org).where(
        DisclosureObjection.state.in_(OPEN_OBJECTION), DisclosureObjection.due_at < now).limit(limit))
    items = [("request", r) for r in reqs] + [("objection", o) for o in objs]
    return sorted(items, key=lambda t: t[1].due_at)[:limit]


def answer_of(req):
    """The latest revision of the publication answering `req`, or None."""
    return ledger.latest(req.pub_id) if req.pub_id else None

