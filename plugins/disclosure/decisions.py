"""Major decisions (四议两公开): the six steps, their quorum and majority rules, and the public record.

Plain functions, no request. The road: (1) the party branch proposes (党支部提议), (2) the two
committees discuss (村两委会议商议), (3) the party members' meeting reviews (党员大会审议),
(4) the villagers' or representatives' meeting decides (村民会议或村民代表会议决议), (5) the
resolution is disclosed (决议公开), (6) the result is disclosed (实施结果公开). Steps 1–4 are
recorded by the clerk; steps 5 and 6 are disclosure drafts that go the normal review road and
are done when published. The record is a ledger publication (kind "decision") re-published as
each step is done, so the public pages read only the ledger.
"""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal import audit, ledger
from portal.extensions import db
from portal.orgs import get_setting, list_items
from portal.privacy import find_personal_data
from portal.timeutil import local_today, to_local, utcnow

from .models import DecisionStep, MajorDecision
from .services import DisclosureError, _require

KIND = "decision"
STEP_LABELS = {
    1: _l("Branch proposal (党支部提议)"),
    2: _l("Discussion by the two committees (村两委会议商议)"),
    3: _l("Review by the party members' meeting (党员大会审议)"),
    4: _l("Decision by the villagers' or representatives' meeting (村民会议或村民代表会议决议)"),
    5: _l("Resolution disclosed (决议公开)"),
    6: _l("Result disclosed (实施结果公开)"),
}
MEETING_LABELS = {
    "villagers": _l("Villagers' meeting of adult villagers (村民会议)"),
    "households": _l("Villagers' meeting of household representatives (村民会议，户代表)"),
    "representatives": _l("Villagers' representatives' meeting (村民代表会议)"),
}
MEETING_ZH = {"villagers": "村民会议", "households": "村民会议（户代表）", "representatives": "村民代表会议"}
# The matters the villagers' meeting must decide (村民委员会组织法 §24) and that DOMAIN.md lists as
# to be disclosed: collective projects (economic and public works), land and asset contracting,
# collective income, compensation, 一事一议, collective debts, homestead plans. They are the floor
# of disclosure.decision_matters: a township may add its own matters, never drop these.
STATUTORY_MATTERS = ("村集体经济项目立项", "集体土地和资产发包", "集体收益使用", "征地补偿费分配使用",
                     "村级公益事业建设", "一事一议筹资筹劳", "集体债务处理", "宅基地使用方案")
DEFAULT_MATTERS = "、".join(STATUTORY_MATTERS)
_NAME_SEPARATORS = re.compile(r"[、,，;；\s]+")


class DecisionError(DisclosureError):
    """A refused step of a major decision; the message is for the user."""


# --- the rules: plain functions on numbers ----------------------------------------------------

def count_problems(expected, present, approvals=None):
    """Messages for counts that cannot be: negative, nobody expected, more present than expected."""
    problems = []
    if any(n is not None and n < 0 for n in (expected, present, approvals)):
        problems.append(_("Counts cannot be negative."))
        return problems
    if expected is not None and expected < 1:
        problems.append(_("At least one person must be expected to attend."))
    if expected is not None and present is not None and present > expected:
        problems.append(_("%(present)d present is more than the %(expected)d expected.",
                          present=present, expected=expected))
    if approvals is not None and present is not None and approvals > present:
        problems.append(_("%(approvals)d approvals is more than the %(present)d present.",
                          approvals=approvals, present=present))
    return problems


def party_meeting_problems(expected, present, approvals):
    """Why a party members' meeting (党员大会) fails, or [] when it holds.

    At least two thirds of the members who should attend are present, and more than half of
    those who should attend (not of those present) approve (DOMAIN.md, 四议两公开).
    """
    problems = count_problems(expected, present, approvals)
    if problems:
        return problems
    if present * 3 < expected * 2:
        problems.append(_("The party members' meeting needs at least two thirds of the %(expected)d members "
                          "to be present; %(present)d were.", expected=expected, present=present))
    if approvals * 2 <= expected:
        problems.append(_("More than half of the %(expected)d members who should attend must approve; "
                          "%(approvals)d did.", expected=expected, approvals=approvals))
    return problems


def villagers_meeting_problems(meeting, expected, present, approvals):
    """Why a villagers' meeting (村民会议) or representatives' meeting (村民代表会议) fails, or [].

    村民委员会组织法 §22: more than half of the adult villagers, or at least two thirds of the
    households' representatives, attend a villagers' meeting; §26: at least two thirds of the
    representatives attend a representatives' meeting; both decide by more than half of those
    present. "以上" includes the number itself, "过半数" does not.
    """
    if meeting not in MEETING_LABELS:
        return [_("Choose which meeting decided: villagers' meeting or representatives' meeting.")]
    problems = count_problems(expected, present, approvals)
    if problems:
        return problems
    if meeting == "villagers" and present * 2 <= expected:
        problems.append(_("A villagers' meeting needs more than half of the %(expected)d adult villagers "
                          "present; %(present)d were.", expected=expected, present=present))
    elif meeting == "households" and present * 3 < expected * 2:
        problems.append(_("A villagers' meeting of household representatives needs at least two thirds of the "
                          "%(expected)d households; %(present)d were represented.", expected=expected,
                          present=present))
    elif meeting == "representatives" and present * 3 < expected * 2:
        problems.append(_("A representatives' meeting needs at least two thirds of the %(expected)d "
                          "representatives present; %(present)d were.", expected=expected, present=present))
    if approvals * 2 <= present:
        problems.append(_("More than half of the %(present)d present must approve; %(approvals)d did.",
                          present=present, approvals=approvals))
    return problems


def split_names(text):
    """["张建国", "李秀英"] from names typed with commas, 顿号 or spaces."""
    if isinstance(text, (list, tuple)):
        text = "、".join(text)
    return [n for n in (p.strip() for p in _NAME_SEPARATORS.split(text or "")) if n][:60]


def matters(org):
    """The matters that must go the road of 四议两公开 at `org` (the disclosure.decision_matters setting,
    which always holds the statutory ones)."""
    seen = []
    for m in list_items(get_setting(org, "disclosure.decision_matters")):
        if m[:100] not in seen:
            seen.append(m[:100])
    return seen


OFFICIAL_TITLES = ("secretary", "deputy_secretary", "branch_committee", "committee_director", "committee_member",
                   "supervision_director", "supervision_member", "clerk")


def officials(village, day=None):
    """(village officials, township cadres): [(name, title label)] holding a position on `day`, to help sign."""
    from portal.orgs.models import POSITION_TITLES, OrgUnit, Person, Position

    day, labels = day or local_today(), dict(POSITION_TITLES)
    rows = db.session.execute(
        select(Person.name, Position.title, OrgUnit.path).join(Person, Position.person_id == Person.id)
        .join(OrgUnit, Position.org_id == OrgUnit.id)
        .where(Position.start_date <= day, (Position.end_date.is_(None)) | (Position.end_date >= day),
               OrgUnit.id.in_(village.ancestor_ids) | OrgUnit.path.startswith(village.path, autoescape=True))
        .order_by(Position.id)).all()
    ours = [(n, labels[t]) for n, t, path in rows if t in OFFICIAL_TITLES and path.startswith(village.path)]
    township = [(n, labels[t]) for n, t, _path in rows if t == "township_cadre"]
    return ours, township


# --- recording ----------------------------------------------------------------------------------

def create_decision(org, user, *, title, matter):
    """A new major decision at the village `org`, of a matter the township's setting lists."""
    _require(user, "disclosure.draft", org)
    if org.kind != "village":
        raise DecisionError(_("Major decisions are recorded for a village."))
    title = (title or "").strip()
    if not title:
        raise DecisionError(_("Give the decision a title."))
    if matter not in matters(org):
        raise DecisionError(_("Choose a matter from the list of matters that need 四议两公开."))
    _refuse_personal_data([(_("Title"), title)])
    decision = MajorDecision(org=org, org_id=org.id, title=title[:200], matter=matter, created_by_id=user.id,
                             created_at=utcnow())
    _add(decision)
    audit.record("disclosure.decision.create", obj=decision, org=org, detail={"matter": matter}, user=user)
    return decision


def _add(obj):
    db.session.add(obj)
    db.session.flush()


def step(decision, number):
    """The recorded step `number` of `decision`, or None."""
    return next((s for s in decision.steps if s.number == number), None)


def done_count(decision):
    """How many steps are done, in order (the stage: 0 … 6)."""
    n = 0
    while (s := step(decision, n + 1)) is not None and s.done:
        n += 1
    return n


def next_number(decision):
    """The number of the step to take next, or None when all six are done."""
    n = done_count(decision) + 1
    return n if n <= 6 else None


def _refuse_personal_data(texts):
    for where, text in texts:
        found = find_personal_data(text)
        if found:
            raise DecisionError(_("Personal data was found in %(where)s (%(masked)s): leave it out or mask it; "
                                  "the record is public.", where=where, masked=found[0].masked))


def record_step(decision, user, number, *, held_on, content="", signatures="", township_attendees="",
                expected=None, present=None, approvals=None, meeting=None, published_at=None):
    """Record step 1–4 of `decision` and re-publish its record; refuse anything out of order or short of quorum.

    `published_at` (naive UTC) is for entering paper records of past meetings, as in ledger.publish.
    """
    _require(user, "disclosure.draft", decision.org)
    expect = next_number(decision)
    if number not in (1, 2, 3, 4):
        raise DecisionError(_("Steps 5 and 6 are disclosures: start their draft instead."))
    if expect != number:
        raise DecisionError(_("Steps are recorded in order: the next step is %(label)s.",
                              label=STEP_LABELS[expect] if expect else _("none (the record is complete)")))
    if held_on is None:
        raise DecisionError(_("Give the date of the step."))
    if held_on > local_today():
        raise DecisionError(_("The date %(date)s is in the future.", date=held_on.isoformat()))
    before = step(decision, number - 1)
    if before is not None and before.held_on and held_on < before.held_on:
        raise DecisionError(_("The date %(date)s is before the previous step (%(previous)s): steps follow each "
                              "other in time.", date=held_on.isoformat(), previous=before.held_on.isoformat()))
    content = (content or "").strip()
    if not content:
        raise DecisionError(_("Write what was proposed, discussed or decided."))
    signed, township = split_names(signatures), split_names(township_attendees)
    if not signed:
        raise DecisionError(_("Name at least one person who signed."))
    if number in (3, 4) and None in (expected, present, approvals):
        raise DecisionError(_("Give how many should attend, how many were present and how many approved."))
    if number == 3:
        problems = party_meeting_problems(expected, present, approvals)
    elif number == 4:
        problems = villagers_meeting_problems(meeting, expected, present, approvals)
    else:
        approvals, meeting = None, None
        if (expected is None) != (present is None):
            raise DecisionError(_("Give both how many should attend and how many were present, or neither."))
        problems = count_problems(expected, present)
    if problems:
        raise DecisionError(" ".join(problems))
    _refuse_personal_data([(_("Content"), content), (_("Signatures"), "、".join(signed)),
                           (_("Township attendees"), "、".join(township))])
    s = DecisionStep(decision=decision, number=number, held_on=held_on, content=content, meeting=meeting,
                     expected=expected, present=present, approvals=approvals, signatures=signed,
                     township_attendees=township, done=True, recorded_by_id=user.id, recorded_at=utcnow())
    _add(s)
    audit.record("disclosure.decision.step", obj=decision, org=decision.org, detail={"step": number}, user=user)
    publish_record(decision, user, number, published_at=published_at)
    return s


# How the titles disclosure_text writes for steps 5 and 6 end: 导子村关于村内道路硬化的决议公开 (…的实施结果公开)
DISCLOSURE_TITLE_ENDS = {5: "的决议公开", 6: "的实施结果公开"}


def disclosure_title(org_name, decision_title, number):
    """The title the code gives the disclosure of step 5 or 6.

    Stored in Chinese whatever the site's language, as every such title already in the ledger;
    decision_public.disclosure_title_words recognizes it by comparing with this one.
    """
    return f"{org_name}关于{decision_title}{DISCLOSURE_TITLE_ENDS[number]}"


def disclosure_text(decision, number):
    """(title, body) prefilled for the draft of step 5 (the resolution) or 6 (the result)."""
    title = disclosure_title(decision.org.name, decision.title, number)
    if number == 5:
        s4 = step(decision, 4)
        votes = (f"{s4.held_on:%Y年%m月%d日}召开{MEETING_ZH.get(s4.meeting, '村民代表会议')}，应到{s4.expected}人，"
                 f"实到{s4.present}人，{s4.approvals}人同意，形成如下决议：") if s4 else ""
        body = (f"经党支部提议、村两委会议商议、党员大会审议，{votes}\n\n{s4.content if s4 else ''}\n\n"
                f"事项类别：{decision.matter}。如有异议，请于公开之日起10日内向村务监督委员会反映。")
        return title, body
    return title, f"{decision.title}已按决议实施，现将实施结果公开如下：\n\n事项类别：{decision.matter}。\n\n"


def start_disclosure(decision, user, number, *, title="", body=""):
    """Step 5 or 6: a disclosure draft (村务, immediate) linked to the decision; done when it is published."""
    from . import services

    _require(user, "disclosure.draft", decision.org)
    if number not in (5, 6):
        raise DecisionError(_("Only steps 5 and 6 are disclosures."))
    expect = next_number(decision)
    pending = step(decision, number)
    if pending is not None and not pending.done:
        raise DecisionError(_("The draft of this step is already under review."))
    if expect != number:
        raise DecisionError(_("Steps are recorded in order: the next step is %(label)s.",
                              label=STEP_LABELS[expect] if expect else _("none (the record is complete)")))
    default_title, default_body = disclosure_text(decision, number)
    d = services.create_draft(decision.org, user, category="village", disclosure_kind="immediate",
                              title=(title or "").strip() or default_title, body=(body or "").strip() or default_body)
    _add(DecisionStep(decision=decision, number=number, content="", signatures=[], township_attendees=[],
                        draft_id=d.id, done=False, recorded_by_id=user.id, recorded_at=utcnow()))
    return d


def draft_published(d, pub, user):
    """services.publish calls this: the step whose draft `d` is becomes done on the day it was published."""
    s = db.session.scalar(select(DecisionStep).where(DecisionStep.draft_id == d.id))
    if s is None or s.done:
        return
    s.done, s.held_on, s.content = True, to_local(pub.published_at).date(), d.title
    before = step(s.decision, s.number - 1)
    if before is not None and before.held_on and s.held_on < before.held_on:
        s.held_on = before.held_on  # a back-dated publication never reads as earlier than the meeting
    db.session.flush()
    publish_record(s.decision, user, s.number, published_at=pub.published_at)


# --- the public record ----------------------------------------------------------------------------

def payload_of(decision):
    """The public record: the done steps with their dates, counts, names and the disclosures' pub_ids."""
    steps = []
    for s in decision.steps:
        if not s.done:
            continue
        steps.append({"number": s.number, "date": s.held_on.isoformat() if s.held_on else None,
                      "content": s.content or "", "meeting": s.meeting, "expected": s.expected,
                      "present": s.present, "approvals": s.approvals, "signatures": list(s.signatures or []),
                      "township_attendees": list(s.township_attendees or []),
                      "pub_id": s.draft.pub_id if s.draft is not None else None})
    return {"decision_id": decision.id, "title": decision.title, "matter": decision.matter,
            "stage": done_count(decision), "steps": steps}


def record_text(org_name, payload):
    """(title, summary) of a decision's record in the current language, from its payload."""
    title = _("Four deliberations, two disclosures (四议两公开) at %(org)s: %(title)s", org=org_name,
              title=payload.get("title", ""))
    stage = payload.get("stage")
    summary = _("%(matter)s · step %(n)d of 6: %(step)s", matter=payload.get("matter", ""), n=stage,
                step=STEP_LABELS[stage]) if stage in STEP_LABELS else ""
    return title, summary


def step_recorded(number):
    """The reason of the revision that records step `number`, in the current language."""
    return _("Step %(n)d recorded: %(step)s", n=number, step=STEP_LABELS[number])


def describe(pub):
    """The record's title, summary and reason in the reader's language (PublicationKind.describe).

    Each revision records the step its stage names: steps are done in order, one a revision.
    """
    title, summary = record_text(pub.org_name, pub.payload)
    stage = pub.payload.get("stage")
    return {"title": title, "summary": summary, "reason": step_recorded(stage) if stage in STEP_LABELS else None}


def publish_record(decision, user, number, published_at=None):
    """Publish the record (first step) or append a revision saying which step was recorded."""
    payload = payload_of(decision)
    with ledger.site_language():  # the ledger keeps the site's words; pages show the reader's (describe)
        title, summary = record_text(decision.org.name, payload)
        reason = step_recorded(number)
    text = " ".join([decision.matter, *(s["content"] for s in payload["steps"])])
    fields = dict(title=title, summary=summary, payload=payload, search_text=text, user=user,
                  published_at=published_at)
    if decision.pub_id is None:
        decision.pub_id = ledger.publish(plugin="disclosure", kind=KIND, org=decision.org, **fields).pub_id
    else:
        ledger.correct(decision.pub_id, reason=reason, **fields)



_NAMES = {"type": "array", "items": {"type": "string"}}
_COUNT = {"type": ["integer", "null"], "minimum": 0}
DECISION_SCHEMA = {
    "type": "object",
    "description": "The record of a major decision (四议两公开); re-published as each step is done.",
    "required": ["decision_id", "title", "matter", "stage", "steps"],
    "properties": {
        "decision_id": {"type": "integer"},
        "title": {"type": "string"},
        "matter": {"type": "string", "description": "One of the township's disclosure.decision_matters."},
        "stage": {"type": "integer", "minimum": 0, "maximum": 6, "description": "Steps done, in order."},
        "steps": {"type": "array", "items": {
            "type": "object",
            "required": ["number", "date", "content", "signatures", "township_attendees"],
            "properties": {
                "number": {"type": "integer", "minimum": 1, "maximum": 6,
                           "description": "1 党支部提议, 2 村两委会议商议, 3 党员大会审议, 4 村民(代表)会议决议, "
                                          "5 决议公开, 6 实施结果公开"},
                "date": {"type": ["string", "null"], "format": "date"},
                "content": {"type": "string"},
                "meeting": {"type": ["string", "null"], "enum": ["villagers", "households", "representatives", None]},
                "expected": _COUNT, "present": _COUNT, "approvals": _COUNT,
                "signatures": _NAMES, "township_attendees": _NAMES,
                "pub_id": {"type": ["integer", "null"], "description": "Steps 5 and 6: the published disclosure."},
            },
        }},
    },
}
