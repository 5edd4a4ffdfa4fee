"""Hotline rules: tracking codes, filing, deadlines in working days, and every step of handling a case.

Plain functions over plain values and models; no request objects. Functions that change a
case add rows to the session and leave the commit to the caller, except `file_case`, which
commits on its own: a tracking code is shown only for a case that is stored.
Who may handle a case and the conflict rule live in access.py; escalation in escalation.py.
"""

import re
from collections import namedtuple
from datetime import timedelta

from flask import current_app
from babel.lists import format_list
from flask_babel import get_locale, gettext as _
from sqlalchemy import insert, select

from portal import audit
from portal.accounts import can
from portal.codes import new_code, normalise_code
from portal.events import emit
from portal.extensions import as_loaded, db, insert_row
from portal.orgs import OrgUnit, get_setting, get_settings
from portal.orgs.memo import memoized
from portal.privacy import find_personal_data, mask_personal_data
from portal.timeutil import utcnow
from portal.workdays import add_working_days, deadline, local_date

from .access import conflict_with_unit, conflict_with_user
from .labels import RATING_LABELS
from .models import (ACCEPTED, ASSIGNED, CATEGORIES, CLOSED, IN_PROGRESS, MERGED, OPEN_STATES, PLUGIN, RATINGS,
                     REOPENED, REOPENING, REPLIED, Case, CaseEvent, HotlineError)

MAX_DESCRIPTION = 2000
MAX_PHOTOS = 3
MAX_PHONE = 30  # Case.complainant_phone
# 7 to 20 digits (a landline without area code to one with area code and extension), spaced
# with blanks, dashes or brackets, and a leading + for a country code. Written so that it is
# also valid as an HTML `pattern` (which browsers anchor and read with the `v` flag).
PHONE_PATTERN = r"(?=(?:[^0-9]*[0-9]){7,20}[^0-9]*$)\+?[0-9 \-\(\)]+"


# --- codes and deadlines ------------------------------------------------------------

def days_for(org, category):
    """Working days allowed for a case of `category` at `org` (settings hotline.days.*)."""
    return int(get_setting(org, f"hotline.days.{category}"))


def case_by_code(code):
    code = normalise_code(code)
    if code is None:
        return None
    return db.session.scalar(select(Case).where(Case.code == code))


def timeline_event(case, kind, text="", public=False, user=None, at=None):
    ev = CaseEvent(case=case, kind=kind, text=text or "", public=public, at=at or utcnow(),
                   user_id=user.id if user is not None else None,
                   actor=user.display_name if user is not None else "")
    db.session.add(ev)
    case.updated_at = ev.at
    return ev


# --- filing ---------------------------------------------------------------------------

Place = namedtuple("Place", "code name")


def villages_open_for_filing():
    """((township, (village, ...)), ...) of the townships with the hotline on, for the public form and
    Open311; each a Place (code, name). Kept in the worker until the tree or a switch changes."""
    return memoized(("hotline.villages_open_for_filing",), _villages_open_for_filing)


def _villages_open_for_filing():
    host = current_app.extensions["portal"]
    townships = list(db.session.scalars(select(OrgUnit).where(OrgUnit.kind == "township").order_by(OrgUnit.code)))
    open_townships = {t.id: t for t in host.units_where_active(PLUGIN, townships)}
    by_township = {}
    # every village at once (a county has hundreds), placed under its township by its path
    for village in db.session.scalars(select(OrgUnit).where(OrgUnit.kind == "village").order_by(OrgUnit.code)):
        township_id = next((i for i in village.ancestor_ids if i in open_townships), None)
        if township_id is not None:
            by_township.setdefault(township_id, []).append(Place(village.code, village.name))
    return tuple((Place(t.code, t.name), tuple(by_township[t.id])) for t in townships if t.id in by_township)


# A phone copes with a select of a county's few hundred villages; a province has tens of thousands,
# so above this many the form first asks for the township (HOTLINE_FORM_VILLAGES_MAX overrides it).
FORM_VILLAGES_MAX = 600


FilingChoices = namedtuple("FilingChoices", "groups townships township")


def filing_choices(township=None, most=FORM_VILLAGES_MAX):
    """What the public form offers: `groups` of villages to choose from, grouped as
    villages_open_for_filing() groups them; when there are too many to list, no groups but the
    `townships` (Places) to choose from first. `township` (a code) lists that township's villages
    only; the Place of that township, if it takes cases, is returned as `township`."""
    groups = villages_open_for_filing()
    if township:
        mine = tuple(group for group in groups if group[0].code == township)
        if mine:
            return FilingChoices(mine, (), mine[0][0])
    if sum(len(villages) for _t, villages in groups) <= most:
        return FilingChoices(groups, (), None)
    return FilingChoices((), tuple(t for t, _villages in groups), None)


def village_for_filing(code):
    """The village with `code` if the hotline takes cases there, else None."""
    unit = OrgUnit.by_code(code)
    if unit is None or unit.kind != "village":
        return None
    if not current_app.extensions["portal"].is_active(PLUGIN, unit):
        return None
    return unit


def clean_phone(phone):
    """The complainant's phone as typed (trimmed), None when left empty; HotlineError when it is
    no number staff could call back (the web form and Open311 both check it so)."""
    phone = (phone or "").strip()
    if not phone:
        return None
    if len(phone) > MAX_PHONE or not re.fullmatch(PHONE_PATTERN, phone):
        raise HotlineError(_("Write the phone number in digits, 7 to 20 of them; spaces, dashes, brackets "
                             "and a leading + are fine, e.g. 138 0013 8000 or 0571-8888 8888."))
    return phone


def file_case(*, village, category, description, name=None, phone=None, email=None, confidential=False,
              accused_text=None, photos=(), source="web", address=None, lat=None, lon=None, now=None):
    """Store a new case and COMMIT it; return it. The tracking code may be shown only after this returns.

    The event `hotline.case_filed` is emitted after the commit, so a failing listener cannot
    lose the case.
    """
    if category not in CATEGORIES:
        raise HotlineError(_("Choose a kind of matter."))
    description = (description or "").strip()
    if not description:
        raise HotlineError(_("Describe the matter."))
    if len(description) > MAX_DESCRIPTION:
        raise HotlineError(_("The description may have at most %(max)d characters; this one has %(n)d.",
                             max=MAX_DESCRIPTION, n=len(description)))
    if len(photos) > MAX_PHOTOS:
        raise HotlineError(_("At most %(n)d photos.", n=MAX_PHOTOS))
    township = village.ancestor_of_kind("township")
    if township is None:
        raise HotlineError(_("This village belongs to no township."))
    now = now or utcnow()
    days = get_settings(village, "hotline.days.sign", f"hotline.days.{category}")
    # ~56 random bits: the UNIQUE index on the code is the guard against the odd collision
    code = new_code()
    filed = audit.entry("hotline.case_filed", org=village, detail={"category": category, "source": source})
    # Everything is prepared before the first INSERT: on SQLite that takes the database's one write
    # lock, which other workers filing at the same moment wait for until the COMMIT. The case, its
    # first timeline event and the audit entry are written with one INSERT each, without the unit of work.
    row = insert_row(Case, dict(
        code=code, category=category, org_id=village.id, township_id=township.id, description=description,
        complainant_name=(name or "").strip()[:60] or None, complainant_phone=(phone or "").strip()[:30] or None,
        complainant_email=(email or "").strip()[:120] or None, confidential=bool(confidential),
        accused_text=(accused_text or "").strip()[:200] or None, photos=[p.as_dict() for p in photos],
        source=source, address=(address or None), lat=lat, lon=lon, state=ACCEPTED, filed_at=now,
        updated_at=now, sign_due_at=deadline(now, int(days["hotline.days.sign"])),
        due_at=deadline(now, int(days[f"hotline.days.{category}"]))))
    db.session.connection().execute(insert(CaseEvent.__table__), dict(case_id=row["id"], kind="filed", text="",
                                                                      public=True, at=now, actor=""))
    audit.write(dict(filed, object_type=Case.__name__, object_id=str(row["id"])))
    session = db.session()
    session.expire_on_commit = False  # the village and its township are as the database holds them
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
    case = as_loaded(Case, row)  # what was just written is what the database holds: nothing to reload
    try:
        emit("hotline.case_filed", org=village, case_id=case.id, category=category)
    except Exception:  # the case is stored: a failing listener must not keep its code from the villager
        current_app.logger.exception("hotline.case_filed listeners failed for case %s", case.id)
    return case


# --- handling -------------------------------------------------------------------------

def _require(case, states, message):
    if case.state not in states:
        raise HotlineError(message)


def set_accused(case, user, unit=None, person=None, text=None):
    """Record whom the case is about; an assignee it now conflicts with is removed."""
    case.accused_unit = unit
    case.accused_person = person
    if text is not None:
        case.accused_text = text.strip()[:200] or None
    names = ", ".join(x for x in (unit.name if unit else None, person.name if person else None) if x)
    timeline_event(case, "accused", names or _("nobody in particular"), user=user)
    if case.assignee_unit is not None and conflict_with_unit(case, case.assignee_unit):
        case.assignee_unit = None
    if case.assignee_user is not None and conflict_with_user(case, case.assignee_user):
        case.assignee_user = None
    audit.record("hotline.accused", obj=case, org=case.org, user=user,
                 detail={"unit": unit.code if unit else None, "person_id": person.id if person else None})


def assign(case, user, *, unit=None, assignee=None, now=None):
    """Assign (派单) the case to a unit and/or a person, enforcing the conflict rule."""
    _require(case, OPEN_STATES, _("Only an open case can be assigned."))
    if unit is None and assignee is None:
        raise HotlineError(_("Choose a unit or a person to assign the case to."))
    if unit is not None:
        if not unit.is_within(case.township):
            raise HotlineError(_("Assign within the township of the case."))
        problem = conflict_with_unit(case, unit)
        if problem:
            raise HotlineError(problem)
    if assignee is not None:
        problem = conflict_with_user(case, assignee)
        if problem:
            raise HotlineError(problem)
        if not can(assignee, "hotline.handle", case.org):
            raise HotlineError(_("%(name)s cannot handle hotline cases there.", name=assignee.display_name))
    now = now or utcnow()
    case.assignee_unit = unit
    case.assignee_user = assignee
    case.signed_at = None
    case.sign_due_at = deadline(now, int(get_setting(case.org, "hotline.days.sign")))
    if case.state in (ACCEPTED, IN_PROGRESS):
        case.state = ASSIGNED
    target = ", ".join(x for x in (unit.name if unit else None, assignee.display_name if assignee else None) if x)
    timeline_event(case, "assigned", target, user=user, at=now)
    # the public timeline says a unit handles it, never which person
    timeline_event(case, "assigned", unit.name if unit else "", public=True, at=now)
    audit.record("hotline.assign", obj=case, org=case.org, user=user,
                 detail={"unit": unit.code if unit else None, "user": assignee.username if assignee else None})


def sign(case, user, now=None):
    """Sign for the case (签收): work starts; an unassigned case is taken by the signer."""
    _require(case, (ACCEPTED, ASSIGNED, REOPENED), _("This case is already being handled or is finished."))
    problem = conflict_with_user(case, user)
    if problem:
        raise HotlineError(problem)
    now = now or utcnow()
    if case.assignee_user is None and case.assignee_unit is None:
        case.assignee_user = user
    case.signed_at = now
    case.state = IN_PROGRESS
    timeline_event(case, "signed", public=True, user=user, at=now)
    audit.record("hotline.sign", obj=case, org=case.org, user=user)


def complainant_details(case):
    """The complainant's own name, phone and e-mail as `portal.privacy.find_personal_data` takes them."""
    return {"names": [case.complainant_name], "phones": [case.complainant_phone], "emails": [case.complainant_email]}


def public_text_problem(case, text):
    """A message when `text`, meant for the case's public timeline, holds personal data, else None.

    The tracking page and Open311's requests.json show replies and extension reasons to anyone:
    they may hold no ID, mobile or bank card number (portal.privacy) and none of the complainant's
    own contact details, whatever the case's confidentiality.
    """
    own = {"name": _("the complainant's name"), "phone": _("the complainant's phone"),
           "email": _("the complainant's e-mail")}
    found = list(dict.fromkeys(own.get(f.kind) or str(f.label)
                               for f in find_personal_data(text, **complainant_details(case))))
    if not found:
        return None
    return _("Anyone with the tracking code reads this, and Open311 lists it: take out %(found)s and send again. "
             "To reach the villager, use the contact details behind the button.",
             found=format_list(found, locale=get_locale()))


def reply(case, user, text, now=None):
    """Reply publicly (答复): the villager reads it on the tracking page and may rate it."""
    text = (text or "").strip()
    if not text:
        raise HotlineError(_("Write the reply."))
    problem = public_text_problem(case, text)
    if problem:
        raise HotlineError(problem)
    _require(case, OPEN_STATES, _("This case is not open for a reply."))
    problem = conflict_with_user(case, user)
    if problem:
        raise HotlineError(problem)
    now = now or utcnow()
    if case.signed_at is None:
        case.signed_at = now
    case.state = REPLIED
    case.replied_at = now
    timeline_event(case, "reply", text, public=True, user=user, at=now)
    audit.record("hotline.reply", obj=case, org=case.org, user=user)


def note(case, user, text):
    """An internal note: staff see it, the villager does not."""
    text = (text or "").strip()
    if not text:
        raise HotlineError(_("Write the note."))
    timeline_event(case, "note", text, user=user)


def extend(case, user, days, reason, now=None):
    """Extend the deadline by `days` working days, asked before it passes, with a reason the villager sees."""
    now = now or utcnow()
    reason = (reason or "").strip()
    _require(case, OPEN_STATES, _("Only an open case can be extended."))
    if not reason:
        raise HotlineError(_("Give the reason for the extension; the villager will read it."))
    problem = public_text_problem(case, reason)
    if problem:
        raise HotlineError(problem)
    if now >= case.due_at:
        raise HotlineError(_("The deadline has passed; an extension must be asked for before it."))
    if case.extended_from is not None:
        raise HotlineError(_("This case was already extended once."))
    limit = int(get_setting(case.org, "hotline.days.extension"))
    if not 1 <= days <= limit:
        raise HotlineError(_("An extension is 1 to %(n)d working days.", n=limit))
    due_day = add_working_days(local_date(case.due_at - timedelta(seconds=1)), days)
    case.extended_from = case.due_at
    case.due_at = deadline_end_of(due_day)
    case.extension_reason = reason
    timeline_event(case, "extended", reason, public=True, user=user, at=now)
    audit.record("hotline.extend", obj=case, org=case.org, user=user, detail={"days": days})


def deadline_end_of(day):
    """The end of the local day `day` as naive UTC (what deadline() returns for a due day)."""
    import datetime as dt

    from portal.workdays import LOCAL

    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0, 0), tzinfo=LOCAL)
    return end.astimezone(dt.timezone.utc).replace(tzinfo=None)


def close(case, user, now=None):
    """Close (办结) a replied case."""
    _require(case, (REPLIED,), _("Reply to the villager before closing the case."))
    now = now or utcnow()
    case.state = CLOSED
    case.closed_at = now
    timeline_event(case, "closed", public=True, user=user, at=now)
    audit.record("hotline.close", obj=case, org=case.org, user=user)


def may_rate(case):
    """The villager may rate once per reply (a reopened case replied again may be rated again)."""
    return (case.state in (REPLIED, CLOSED) and case.replied_at is not None
            and (case.rated_at is None or case.rated_at < case.replied_at))


def rate(case, rating, now=None):
    """The villager's rating (回访/评价); 不满意 or 非常不满意 reopens the case with a new deadline
    (an objection to a disclosure goes to the township for review)."""
    if rating not in RATINGS:
        raise HotlineError(_("Choose one of the five grades."))
    if not may_rate(case):
        raise HotlineError(_("This case cannot be rated now."))
    now = now or utcnow()
    case.rating = rating
    case.rated_at = now
    timeline_event(case, "rated", str(RATING_LABELS[rating]), public=True, at=now)
    if rating in REOPENING:
        case.state = REOPENED
        case.reopened_at = now
        case.reopen_count += 1
        case.closed_at = None
        case.signed_at = None
        case.extended_from = None
        case.extension_reason = None
        case.escalation_level = 0
        case.escalated_to = None
        days = get_settings(case.org, "hotline.days.reopen", "hotline.days.objection_review", "hotline.days.sign")
        case.sign_due_at = deadline(now, int(days["hotline.days.sign"]))
        if case.category == "objection" and case.township is not None:
            # an objection still disputed after the village's answer goes to the township (DOMAIN: 20 days)
            case.due_at = deadline(now, int(days["hotline.days.objection_review"]))
            if conflict_with_unit(case, case.township) is None:
                case.assignee_unit, case.assignee_user = case.township, None
            timeline_event(case, "reopened", _("The township reviews the objection and answers it."),
                           public=True, at=now)
        else:
            case.due_at = deadline(now, int(days["hotline.days.reopen"]))
            timeline_event(case, "reopened", public=True, at=now)
    elif case.state == REPLIED:
        case.state = CLOSED
        case.closed_at = now
        timeline_event(case, "closed", public=True, at=now)
    audit.record("hotline.rate", obj=case, org=case.org, user=None, detail={"rating": rating})


def merge(duplicate, target, user, now=None):
    """Merge a duplicate into another case of the same township; its villager follows the target's replies."""
    if duplicate.id == target.id:
        raise HotlineError(_("A case cannot be merged into itself."))
    if duplicate.township_id != target.township_id:
        raise HotlineError(_("Only cases of the same township can be merged."))
    if duplicate.state in (MERGED, CLOSED) or target.state == MERGED:
        raise HotlineError(_("Closed or merged cases cannot be merged."))
    now = now or utcnow()
    duplicate.state = MERGED
    duplicate.merged_into = target
    duplicate.closed_at = now
    # the words of these two are said at display time in the reader's language (labels.event_text):
    # the villager may read English, the clerk who merged Chinese
    timeline_event(duplicate, "merged", public=True, user=user, at=now)
    timeline_event(target, "merged_in", duplicate.code, user=user, at=now)
    audit.record("hotline.merge", obj=duplicate, org=duplicate.org, user=user, detail={"into": target.id})


def public_events(case):
    """The villager's timeline: public events of the case, and of the case it was merged into."""
    events = [e for e in case.events if e.public]
    if case.merged_into is not None:
        events += [e for e in case.merged_into.events if e.public and e.kind in ("reply", "extended", "closed")]
    return sorted(events, key=lambda e: (e.at, e.id))


def public_description(case):
    """The description as a public listing (Open311) may show it.

    None for confidential cases and reports of wrongdoing (举报: a listing must not become a
    public accusation); personal data masked in the rest, and with it the complainant's own name,
    phone and e-mail wherever the villager typed them into the text. Other people's names in the
    text cannot be told from other words and stay.
    """
    if case.confidential or case.category == "report":
        return ""
    return mask_personal_data(case.description, **complainant_details(case))


def take_objection(village, publication, text, name=None, phone=None):
    """File a villager's objection to a published disclosure as a case (category objection, source disclosure).

    The disclosure's title and address lead the description, so the handler sees what it is
    about; the case then follows the hotline's handling and deadlines (hotline.days.objection).
    Returns the Handover the disclosure module sends the villager to.
    """
    from flask import url_for
    from flask_babel import lazy_gettext as _l

    from portal.ui import Handover

    head = f"《{publication.title}》 {url_for('public.publication', pub_id=publication.pub_id, _external=True)}"
    description = f"{head}\n\n{(text or '').strip()}"[:MAX_DESCRIPTION]
    case = file_case(village=village, category="objection", description=description, name=name, phone=phone,
                     source="disclosure")
    return Handover(case.code, url_for("hotline_public.track", code=case.code, new=1),
                    _l("Hotline (村务公开异议)"), follow_url=url_for("hotline_public.track", code=case.code))
