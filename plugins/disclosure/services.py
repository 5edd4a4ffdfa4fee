"""The road of a disclosure: draft → submitted → countersigned → approved → published (then revisions.py).

Plain functions, no request: each takes the acting user, checks the permission at the
village with `can`, refuses steps out of order with a message for the user, records the
step, and leaves committing to the caller.
"""

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import pgettext

from portal import audit, ledger, uploads
from portal.accounts import can
from portal.extensions import db
from portal.markup import lead_text, plain_text
from portal.orgs import get_setting
from portal.privacy import find_personal_data, mask_personal_data
from portal.timeutil import utcnow

from .finance import yuan
from .models import CATEGORIES, EDITABLE, IN_PROGRESS, KINDS, Disclosure, DisclosureStep

PLUGIN = KIND = "disclosure"

CATEGORY_LABELS = {
    "party": _l("Party affairs (党务)"),
    "village": _l("Village affairs (村务)"),
    "finance": _l("Finance (财务)"),
    "government": _l("Government affairs (政务)"),
}
KIND_LABELS = {
    "regular": _l("Regular (定期公开)"),
    "immediate": _l("Immediate (即时公开)"),
    "on_request": _l("Answer to a request (点题公开)"),
}
STATE_LABELS = {
    "draft": _l("Draft"),
    "submitted": _l("Waiting for the supervision committee"),
    "countersigned": _l("Countersigned, waiting for approval"),
    "approved": _l("Approved, ready to publish"),
    "published": _l("Published"),
    "returned": _l("Returned to the clerk"),
    "withdrawn": _l("Withdrawn"),
}
ACTION_LABELS = {
    "create": _l("drafted"), "edit": _l("edited"), "attach": _l("attached a file"),
    "detach": _l("removed a file"), "statement": _l("imported a finance statement"),
    "submit": _l("submitted for review"), "countersign": _l("countersigned (村务监督委员会)"),
    "return": _l("returned"), "approve": _l("approved (两委)"), "mask": _l("masked personal data"),
    "publish": _l("published"), "correction": _l("started a correction"), "withdraw": _l("withdrew"),
}
CATEGORY_ZH = {"party": "党务", "village": "村务", "finance": "财务收支", "government": "政务"}
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


class DisclosureError(ValueError):
    """A refused step; the message is for the user."""


class PersonalDataFound(DisclosureError):
    """Publishing refused: the text holds personal data. `findings` = [ScanFinding]."""

    def __init__(self, findings):
        super().__init__(_("Publishing is refused: personal data was found. Mask it first."))
        self.findings = findings


@dataclass(frozen=True)
class ScanFinding:
    """Personal data found in a draft: its kind, where it is, and the masked form that would replace it."""

    kind: str
    label: object
    where: str
    masked: str


# --- periods and due dates -----------------------------------------------------------------

def parse_period(period):
    """("month", year, month) or ("quarter", year, quarter) for "2026-10" or "2026-Q4"; None if neither."""
    period = (period or "").strip().upper()
    if m := _MONTH.match(period):
        return "month", int(m.group(1)), int(m.group(2))
    if m := _QUARTER.match(period):
        return "quarter", int(m.group(1)), int(m.group(2))
    return None


def due_for(org, period):
    """The date a regular disclosure of `period` is due at `org`: the fixed day of the month after it ends."""
    from . import compliance

    if parse_period(period) is None:
        return None
    return compliance.due_date(period.strip().upper(), get_setting(org, "disclosure.fixed_day"))


def default_title(org_name, category, period):
    """导子村2026年10月财务收支公开, 导子村2026年第4季度村务公开, 导子村村务公开.

    Stored in Chinese whatever the site's language, as every such title already in the ledger;
    public.describe recognizes a title the code wrote by comparing it with this one.
    """
    parsed = parse_period(period)
    when = ""
    if parsed and parsed[0] == "month":
        when = f"{parsed[1]}年{parsed[2]}月"
    elif parsed:
        when = f"{parsed[1]}年第{parsed[2]}季度"
    return f"{org_name}{when}{CATEGORY_ZH.get(category, '')}公开"


def _check_fields(category, disclosure_kind, period):
    if category not in CATEGORIES:
        raise DisclosureError(_("Choose a category."))
    if disclosure_kind not in KINDS:
        raise DisclosureError(_("Choose a kind of disclosure."))
    period = (period or "").strip().upper() or None
    if disclosure_kind == "regular":
        if period is None or parse_period(period) is None:
            raise DisclosureError(_("A regular disclosure needs its period: a month such as 2026-10 "
                                    "or a quarter such as 2026-Q4."))
    elif period is not None and parse_period(period) is None:
        raise DisclosureError(_("The period must be a month such as 2026-10 or a quarter such as 2026-Q4."))
    return period


# --- steps -----------------------------------------------------------------------------------

def _step(d, user, action, note=None):
    step = DisclosureStep(disclosure=d, action=action, user_id=user.id if user is not None else None,
                          username=user.display_name if user is not None else "system", at=utcnow(), note=note)
    db.session.add(step)
    audit.record(f"disclosure.{action}", obj=d, org=d.org, detail={"state": d.state}, user=user)
    return step


def _require(user, permission, org):
    if not can(user, permission, org):
        raise DisclosureError(_("You do not have the permission for this step at %(org)s.", org=org.name))


def _require_state(d, states, message):
    if d.state not in states:
        raise DisclosureError(message)


def _require_editable(d):
    _require_state(d, EDITABLE, _("Only a draft or a returned disclosure can be changed; this one is: %(state)s.",
                                  state=STATE_LABELS[d.state]))


def create_draft(org, user, *, category, disclosure_kind, period=None, title="", body=""):
    """A new draft at the village `org`."""
    _require(user, "disclosure.draft", org)
    if org.kind != "village":
        raise DisclosureError(_("Disclosures are drafted for a village."))
    period = _check_fields(category, disclosure_kind, period)
    d = Disclosure(org=org, org_id=org.id, category=category, disclosure_kind=disclosure_kind, period=period,
                   title=(title or "").strip()[:200] or default_title(org.name, category, period), body=body or "",
                   attachments=[], state="draft", created_by_id=user.id, created_at=utcnow())
    db.session.add(d)
    db.session.flush()
    _step(d, user, "create")
    return d


def edit_draft(d, user, *, category, disclosure_kind, period=None, title="", body=""):
    """Change a draft's fields (only while it is a draft or returned)."""
    _require(user, "disclosure.draft", d.org)
    _require_editable(d)
    d.period = _check_fields(category, disclosure_kind, period)
    d.category, d.disclosure_kind = category, disclosure_kind
    d.title = (title or "").strip()[:200] or default_title(d.org.name, category, d.period)
    d.body = body or ""
    _step(d, user, "edit")
    return d


def add_attachment(d, user, file, filename=None):
    """Store an uploaded photo or PDF (checked, EXIF stripped) and attach it; raises UploadError."""
    _require(user, "disclosure.draft", d.org)
    _require_editable(d)
    stored = uploads.save_upload(file, filename, kinds=("image", "pdf"))
    if any(a["key"] == stored.key for a in d.attachments or []):
        raise DisclosureError(_("This file is already attached."))
    d.attachments = [*(d.attachments or []), stored.as_dict()]
    _step(d, user, "attach", stored.name)
    return stored


def remove_attachment(d, user, key):
    """Detach the file with `key` from a draft."""
    _require(user, "disclosure.draft", d.org)
    _require_editable(d)
    keep = [a for a in d.attachments or [] if a["key"] != key]
    if len(keep) == len(d.attachments or []):
        raise DisclosureError(_("No such attachment."))
    gone = next(a for a in d.attachments if a["key"] == key)
    d.attachments = keep
    _step(d, user, "detach", gone["name"])


def attach_statement(d, user, data, filename, *, month, stated_closing_fen, opening_fen=None):
    """Import a month's finance statement into a finance draft; nothing changes unless the whole file is valid.

    The opening balance is the previous month's published closing balance; only when there is
    none is the balance the clerk states used. Raises portal.tabular.TableError for a bad file.
    """
    from . import finance

    _require(user, "disclosure.draft", d.org)
    _require_editable(d)
    if d.category != "finance":
        raise DisclosureError(_("A finance statement belongs to a finance (财务) disclosure."))
    if parse_period(month) is None or parse_period(month)[0] != "month":
        raise DisclosureError(_("The statement's month must look like 2026-10."))
    if d.period and parse_period(d.period)[0] == "month" and d.period != month:
        raise DisclosureError(_("This disclosure is for %(period)s; import the statement of that month.",
                                period=d.period))
    previous = finance.previous_closing(d.org, month)
    opening = previous if previous is not None else opening_fen
    if opening is None:
        raise DisclosureError(_("No statement of the previous month is published: state the opening balance."))
    statement = finance.parse_statement(data, filename, month, opening, stated_closing_fen)
    d.statement = statement
    if d.disclosure_kind == "regular" and not d.period:
        d.period = month
    _step(d, user, "statement", filename)
    return statement


def submit(d, user):
    """The clerk hands the draft to the supervision committee."""
    _require(user, "disclosure.draft", d.org)
    _require_editable(d)
    if not (d.body or "").strip() and not d.statement and not d.attachments:
        raise DisclosureError(_("The draft is empty: write the text, attach a file or import a statement."))
    if d.category == "finance" and d.disclosure_kind == "regular" and not d.statement and not d.attachments:
        raise DisclosureError(_("A regular finance disclosure needs its statement: import it first."))
    d.state, d.submitted_by_id, d.return_reason = "submitted", user.id, None
    _step(d, user, "submit")


def countersign(d, user):
    """A supervision committee member (村务监督委员会) checks and countersigns the draft."""
    _require(user, "disclosure.review", d.org)
    _require_state(d, ("submitted",), _("Only a submitted draft can be countersigned."))
    if user.id in (d.created_by_id, d.submitted_by_id):
        raise DisclosureError(_("You drafted this disclosure: someone else of the supervision committee must "
                                "countersign it."))
    d.state, d.countersigned_by_id, d.countersigned_at = "countersigned", user.id, utcnow()
    _step(d, user, "countersign")


def return_draft(d, user, reason):
    """Send the draft back to the clerk with a reason (by a reviewer or an approver)."""
    if not (can(user, "disclosure.review", d.org) or can(user, "disclosure.approve", d.org)):
        raise DisclosureError(_("You do not have the permission for this step at %(org)s.", org=d.org.name))
    _require_state(d, ("submitted", "countersigned", "approved"),
                   _("Only a draft under review can be returned."))
    reason = (reason or "").strip()
    if not reason:
        raise DisclosureError(_("Say why the draft goes back to the clerk."))
    d.state, d.return_reason = "returned", reason
    d.countersigned_by_id = d.countersigned_at = d.approved_by_id = d.approved_at = None
    _step(d, user, "return", reason)


def approve(d, user):
    """The two committees (两委) approve the countersigned draft."""
    _require(user, "disclosure.approve", d.org)
    _require_state(d, ("countersigned",), _("Only a countersigned draft can be approved; the supervision "
                                            "committee countersigns first."))
    d.state, d.approved_by_id, d.approved_at = "approved", user.id, utcnow()
    _step(d, user, "approve")


# --- privacy ---------------------------------------------------------------------------------

def _texts(d):
    """[(where, text, setter)] of everything in a draft that goes public."""
    out = [(_("Title"), d.title, lambda v: setattr(d, "title", v)),
           (pgettext("disclosure body", "Text"), d.body, lambda v: setattr(d, "body", v))]
    for i, line in enumerate((d.statement or {}).get("lines", []), start=1):
        out.append((_("Statement line %(n)d, summary", n=i), line.get("summary") or "",
                    lambda v, line=line: line.__setitem__("summary", v)))
    for i, att in enumerate(d.attachments or [], start=1):
        out.append((_("Attachment %(n)d, file name", n=i), att.get("name") or "",
                    lambda v, att=att: att.__setitem__("name", v)))
    return out


def scan(d):
    """Personal data in the title, text, statement lines and attachment names of a draft."""
    return [ScanFinding(f.kind, f.label, where, f.masked)
            for where, text, _set in _texts(d) for f in find_personal_data(text)]


def mask_all(d, user):
    """Replace every finding by its masked form (a draft edit, recorded as a step); return how many."""
    _require(user, "disclosure.draft", d.org)
    _require_state(d, IN_PROGRESS, _("A published disclosure cannot be changed; start a correction."))
    count = len(scan(d))
    if not count:
        return 0
    statement = dict(d.statement) if d.statement else None
    if statement:
        statement["lines"] = [dict(line) for line in statement.get("lines", [])]
        d.statement = statement
    d.attachments = [dict(a) for a in d.attachments or []]
    for _where, text, setter in _texts(d):
        if find_personal_data(text):
            setter(mask_personal_data(text))
    if d.statement is not None:  # reassign so the JSON column sees the change
        d.statement = dict(d.statement)
    _step(d, user, "mask", str(count))
    return count


# --- publishing --------------------------------------------------------------------------------

def _iso(dt):
    return dt.replace(microsecond=0).isoformat() + "Z" if dt else None


def payload_of(d):
    """The publication payload of a draft, as the contract between the console and the public pages says."""
    supervision = next((u.name for u in d.org.children if u.kind == "supervision_committee"), None)
    due = due_for(d.org, d.period) if d.disclosure_kind == "regular" and d.period else None
    return {
        "category": d.category, "disclosure_kind": d.disclosure_kind, "period": d.period,
        "body": d.body or "", "attachments": list(d.attachments or []), "statement": d.statement,
        "review": {"countersigned_at": _iso(d.countersigned_at), "approved_at": _iso(d.approved_at),
                   "reviewed_by": supervision or "村务监督委员会"},
        "due": due.isoformat() if due else None,
    }


def summary_of(d):
    """One line: for a statement its income, expense and closing balance in yuan; else the text's lead."""
    s = d.statement
    if s:  # stored in Chinese as it always was; public.describe says it in the reader's language
        return (f"{s['month']} 收入 {yuan(s['income_fen'])} 元，支出 {yuan(s['expense_fen'])} 元，"
                f"期末余额 {yuan(s['closing_fen'])} 元")
    return lead_text(d.body)


def search_text_of(d):
    """Plain text for search: the body without markdown marks, and the statement's summaries."""
    words = [plain_text(d.body)]
    for line in (d.statement or {}).get("lines", []):
        words.append(f"{line.get('account', '')} {line.get('summary', '')}")
    return " ".join(w.strip() for w in words if w.strip())


def publish(d, user, published_at=None):
    """Scan for personal data (refuse with PersonalDataFound), publish files, then the ledger revision."""
    _require(user, "disclosure.publish", d.org)
    _require_state(d, ("approved",), _("Only an approved disclosure can be published: the supervision committee "
                                       "countersigns and the two committees approve first."))
    findings = scan(d)
    if findings:
        raise PersonalDataFound(findings)
    for att in d.attachments or []:
        uploads.publish_file(att["key"])
    fields = dict(title=d.title, summary=summary_of(d), payload=payload_of(d), search_text=search_text_of(d),
                  user=user, published_at=published_at)
    if d.correction_of:
        pub = ledger.correct(d.correction_of, reason=d.correction_reason, **fields)
    else:
        pub = ledger.publish(plugin=PLUGIN, kind=KIND, org=d.org, **fields)
    d.state, d.pub_id, d.published_at = "published", pub.pub_id, pub.published_at
    _step(d, user, "publish", _("revision %(n)d", n=pub.revision))
    from .decisions import draft_published  # a draft may be step 5 or 6 of a major decision (四议两公开)

    draft_published(d, pub, user)
    from .participation import draft_published as answers_request  # a draft may answer a request (点题公开)

    answers_request(d, pub)
    return pub
