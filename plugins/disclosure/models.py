"""The disclosure plugin's working data: drafts on their way to the ledger, and every step taken; and the
periods of the disclosures in the ledger (LedgerPeriod, derived from the ledger alone)."""

from sqlalchemy import ForeignKey, Index, JSON, String, Text, UniqueConstraint, event, insert
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.ledger import Publication
from portal.timeutil import utcnow

from .finance import KIND, PLUGIN

CATEGORIES = ("party", "village", "finance", "government")  # 党务 / 村务 / 财务 / 政务
KINDS = ("regular", "immediate", "on_request")  # 定期 / 即时 / 点题(答复申请)
# draft → submitted → countersigned → approved → published; "returned" goes back to the clerk
STATES = ("draft", "submitted", "countersigned", "approved", "published", "returned", "withdrawn")
DONE = ("published", "withdrawn")  # in the ledger: never edited, never scanned again
EDITABLE = ("draft", "returned")
IN_PROGRESS = tuple(s for s in STATES if s not in DONE)  # on the road to the ledger


class Disclosure(db.Model):
    """A disclosure (村务公开) being drafted and reviewed at a village; published to the ledger at the end.

    A correction of a published disclosure is a new draft with `correction_of` set to the
    publication it corrects; publishing it appends a revision to that publication.
    """

    __tablename__ = "disclosure_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    disclosure_kind: Mapped[str] = mapped_column(String(20))
    period: Mapped[str | None] = mapped_column(String(10))  # "2026-10", "2026-Q4" or None
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    attachments: Mapped[list] = mapped_column(JSON, default=list)  # StoredFile.as_dict() each
    statement: Mapped[dict | None] = mapped_column(JSON)  # finance.parse_statement() result
    state: Mapped[str] = mapped_column(String(20), default="draft", index=True)
    return_reason: Mapped[str | None] = mapped_column(Text)
    pub_id: Mapped[int | None] = mapped_column(index=True)
    correction_of: Mapped[int | None] = mapped_column()
    correction_reason: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account_user.id"))
    created_at: Mapped[object] = mapped_column(db.DateTime, default=utcnow)
    updated_at: Mapped[object] = mapped_column(db.DateTime, default=utcnow, onupdate=utcnow)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("account_user.id"))
    countersigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("account_user.id"))
    countersigned_at: Mapped[object | None] = mapped_column(db.DateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("account_user.id"))
    approved_at: Mapped[object | None] = mapped_column(db.DateTime)
    published_at: Mapped[object | None] = mapped_column(db.DateTime)

    org = relationship("OrgUnit")
    steps: Mapped[list["DisclosureStep"]] = relationship(back_populates="disclosure",
                                                         order_by="DisclosureStep.id")

    def __repr__(self):
        return f"<Disclosure {self.id} {self.state} {self.title}>"

    @property
    def editable(self):
        return self.state in EDITABLE


class DisclosureStep(db.Model):
    """One step of a disclosure's road: who did what, when, and the note (a reason, a file name)."""

    __tablename__ = "disclosure_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosure_draft.id"), index=True)
    action: Mapped[str] = mapped_column(String(30))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("account_user.id"))
    username: Mapped[str] = mapped_column(String(60))
    at: Mapped[object] = mapped_column(db.DateTime, default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)

    disclosure: Mapped[Disclosure] = relationship(back_populates="steps")


# --- major decisions (四议两公开) -----------------------------------------------------------------

class MajorDecision(db.Model):
    """A village's major decision on its road of 四议两公开 (four deliberations, two disclosures).

    Its public record is a ledger publication (kind "decision", `pub_id`) re-published as each step
    is done; steps 5 and 6 are disclosure drafts that go through the normal review.
    """

    __tablename__ = "disclosure_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    matter: Mapped[str] = mapped_column(String(100))  # a matter from the disclosure.decision_matters setting
    pub_id: Mapped[int | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account_user.id"))
    created_at: Mapped[object] = mapped_column(db.DateTime, default=utcnow)

    org = relationship("OrgUnit")
    steps: Mapped[list["DecisionStep"]] = relationship(back_populates="decision", order_by="DecisionStep.number")


class DecisionStep(db.Model):
    """One of the six steps of a major decision: when, who came, how they voted, who signed.

    Steps 5 and 6 hold the disclosure draft (`draft_id`) that publishes them; they are done
    (`done`) when that draft is published, and their date is the day it was published.
    """

    __tablename__ = "disclosure_decision_step"
    __table_args__ = (UniqueConstraint("decision_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("disclosure_decision.id"), index=True)
    number: Mapped[int] = mapped_column()  # 1 … 6
    held_on: Mapped[object | None] = mapped_column(db.Date)
    content: Mapped[str] = mapped_column(Text, default="")
    meeting: Mapped[str | None] = mapped_column(String(20))  # step 4: villagers | households | representatives
    expected: Mapped[int | None] = mapped_column()
    present: Mapped[int | None] = mapped_column()
    approvals: Mapped[int | None] = mapped_column()
    signatures: Mapped[list] = mapped_column(JSON, default=list)
    township_attendees: Mapped[list] = mapped_column(JSON, default=list)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("disclosure_draft.id"), index=True)
    done: Mapped[bool] = mapped_column(default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("account_user.id"))
    recorded_at: Mapped[object] = mapped_column(db.DateTime, default=utcnow)

    decision: Mapped[MajorDecision] = relationship(back_populates="steps")
    draft = relationship("Disclosure")


# --- on-request disclosure (点题公开) and objections (异议) -----------------------------------------

class DisclosureRequest(db.Model):
    """A villager's request that the village disclose a topic (点题公开), answered by a published disclosure.

    `requester_name` and `requester_phone` are personal data: staff see them only on request,
    each view audited; never on a public page, feed, export or log line.
    """

    __tablename__ = "disclosure_request"
    shown_on_public_pages = True  # listed on the village's public pages: a change renews their ETags

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(14), unique=True)  # the villager's tracking code
    org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    topic: Mapped[str] = mapped_column(String(200))
    detail: Mapped[str] = mapped_column(Text, default="")
    requester_name: Mapped[str | None] = mapped_column(String(60))
    requester_phone: Mapped[str | None] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(20), default="open", index=True)  # open | answered
    filed_at: Mapped[object] = mapped_column(db.DateTime, default=utcnow)
    due_at: Mapped[object] = mapped_column(db.DateTime)
    extended_from: Mapped[object | None] = mapped_column(db.DateTime)  # the deadline before the one extension
    extension_reason: Mapped[str | None] = mapped_column(Text)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("disclosure_draft.id"), index=True)  # the answer
    pub_id: Mapped[int | None] = mapped_column()
    answered_at: Mapped[object | None] = mapped_column(db.DateTime)

    org = relationship("OrgUnit")
    draft = relationship("Disclosure")


class DisclosureObjection(db.Model):
    """A villager's objection (异议) to a published disclosure, answered by the village, then the township.

    `handler` says who took it when it was filed: "village" (this module: village within N days,
    township within M days when still disputed) or another plugin through the take_objection hook
    (then `reference` and `reference_url` say where the villager follows it). Name and phone are
    personal data, as for requests.
    """

    __tablename__ = "disclosure_objection"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(14), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    pub_id: Mapped[int] = mapped_column(index=True)
    pub_title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text, default="")
    objector_name: Mapped[str | None] = mapped_column(String(60))
    objector_phone: Mapped[str | None] = mapped_column(String(30))
    handler: Mapped[str] = mapped_column(String(30), default="village")
    reference: Mapped[str | None] = mapped_column(String(40))
    reference_url: Mapped[str | None] = mapped_column(String(300))
    # village → answered → township → closed; or handed_over (another plugin handles it)
    state: Mapped[str] = mapped_column(String(20), default="village", index=True)
    filed_at: Mapped[object] = mapped_column(db.DateTime, default=utcnow)
    due_at: Mapped[object | None] = mapped_column(db.DateTime)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[object | None] = mapped_column(db.DateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("account_user.id"))
    dispute: Mapped[str | None] = mapped_column(Text)  # why the villager is still not satisfied
    escalated_at: Mapped[object | None] = mapped_column(db.DateTime)
    township_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    township_answer: Mapped[str | None] = mapped_column(Text)
    township_answered_at: Mapped[object | None] = mapped_column(db.DateTime)
    township_answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("account_user.id"))
    closed_at: Mapped[object | None] = mapped_column(db.DateTime)

    org = relationship("OrgUnit", foreign_keys=[org_id])
    township = relationship("OrgUnit", foreign_keys=[township_id])


class LedgerPeriod(db.Model):
    """What the on-time record (compliance.py) needs of each revision of a disclosure in the ledger.

    The category, period and statement month are copied out of the payload as the revision is
    appended, so the record of a county reads a few bytes a disclosure instead of 24,000 payloads
    (a statement's is 6 KB; on PostgreSQL each JSON path decompresses it again: a county's
    dashboard took 2 s). Derived from the ledger and from nothing else, like the search index:
    written by the event below in the publishing transaction, filled from the ledger by the
    migration that made it, never edited.
    """

    __tablename__ = "disclosure_ledger_period"
    __table_args__ = (Index("ix_disclosure_ledger_period_org_code_seq", "org_code", "seq"),)

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # the revision's seq in the ledger
    pub_id: Mapped[int]
    revision: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))
    org_code: Mapped[str] = mapped_column(String(40))
    published_at: Mapped[object] = mapped_column(db.DateTime)
    category: Mapped[str | None] = mapped_column(String(20))
    period: Mapped[str | None] = mapped_column(String(10))
    month: Mapped[str | None] = mapped_column(String(10))  # of its finance statement


def ledger_period_row(pub):
    """The LedgerPeriod values of the ledger revision `pub` (a Publication or anything with its fields)."""
    payload = pub.payload or {}
    return {"seq": pub.seq, "pub_id": pub.pub_id, "revision": pub.revision, "action": pub.action,
            "org_code": pub.org_code, "published_at": pub.published_at, "category": payload.get("category"),
            "period": payload.get("period"), "month": (payload.get("statement") or {}).get("month")}


@event.listens_for(Publication, "after_insert")
def _copy_period(_mapper, connection, pub):
    if pub.plugin == PLUGIN and pub.kind == KIND:
        connection.execute(insert(LedgerPeriod.__table__).values(ledger_period_row(pub)))
