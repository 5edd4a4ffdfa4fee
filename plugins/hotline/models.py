"""Hotline cases (工单), their timeline, and the monthly statistics published for each township."""

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.orgs.models import OrgUnit, Person
from portal.timeutil import utcnow

PLUGIN = "hotline"


class HotlineError(ValueError):
    """A refused action on a case; the message is for the user."""


# state names (stored), in the order of the stages of 国办发〔2020〕53号
ACCEPTED = "accepted"  # 受理
ASSIGNED = "assigned"  # 派单
IN_PROGRESS = "in_progress"  # 办理
REPLIED = "replied"  # 答复
CLOSED = "closed"  # 办结
REOPENED = "reopened"  # 不满意: back to work with a new deadline
MERGED = "merged"  # a duplicate, answered through the case it was merged into
OPEN_STATES = (ACCEPTED, ASSIGNED, IN_PROGRESS, REOPENED)
STATES = (ACCEPTED, ASSIGNED, IN_PROGRESS, REPLIED, CLOSED, REOPENED, MERGED)

CATEGORIES = ("consult", "help", "complaint", "report", "suggestion", "objection")
PUBLIC_CATEGORIES = CATEGORIES[:5]  # objection (村务公开异议) is filed by the disclosure module
RATINGS = ("very_satisfied", "satisfied", "basically_satisfied", "dissatisfied", "very_dissatisfied")
SATISFIED = RATINGS[:3]
REOPENING = RATINGS[3:]


class Case(db.Model):
    """One complaint, question, report or suggestion a villager filed, with who handles it and by when."""

    __tablename__ = "hotline_case"
    __table_args__ = (Index("ix_hotline_case_township_filed", "township_id", "filed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(14), unique=True)  # the villager's tracking code, RX7K-9QPM-3D2F
    category: Mapped[str] = mapped_column(String(20))
    org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the village concerned
    township_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    description: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20), default="web")  # web | open311 | disclosure
    address: Mapped[str | None] = mapped_column(String(200))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    photos: Mapped[list] = mapped_column(JSON, default=list)  # StoredFile dicts (portal.uploads)
    # Personal data: shown only with hotline.personal, every view audited; never public.
    complainant_name: Mapped[str | None] = mapped_column(String(60))
    complainant_phone: Mapped[str | None] = mapped_column(String(30))
    complainant_email: Mapped[str | None] = mapped_column(String(120))
    confidential: Mapped[bool] = mapped_column(default=False)
    # Whom the case is about: never assigned to them (信访工作条例 §30)
    accused_text: Mapped[str | None] = mapped_column(String(200))
    accused_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    accused_person_id: Mapped[int | None] = mapped_column(ForeignKey("org_person.id"))

    state: Mapped[str] = mapped_column(String(20), default=ACCEPTED, index=True)
    filed_at: Mapped[object] = mapped_column(db.DateTime, default=utcnow)
    updated_at: Mapped[object] = mapped_column(db.DateTime, default=utcnow)
    sign_due_at: Mapped[object] = mapped_column(db.DateTime)
    signed_at: Mapped[object | None] = mapped_column(db.DateTime)
    due_at: Mapped[object] = mapped_column(db.DateTime)
    extended_from: Mapped[object | None] = mapped_column(db.DateTime)  # the deadline before the extension
    extension_reason: Mapped[str | None] = mapped_column(Text)
    assignee_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    assignee_user_id: Mapped[int | None] = mapped_column(ForeignKey("account_user.id"))
    replied_at: Mapped[object | None] = mapped_column(db.DateTime)
    closed_at: Mapped[object | None] = mapped_column(db.DateTime)
    reopened_at: Mapped[object | None] = mapped_column(db.DateTime)
    reopen_count: Mapped[int] = mapped_column(default=0)
    # 督办: 0 none, 1 the township supervises, 2 the county supervises
    escalation_level: Mapped[int] = mapped_column(default=0)
    escalated_to_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"))
    rating: Mapped[str | None] = mapped_column(String(30))
    rated_at: Mapped[object | None] = mapped_column(db.DateTime)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("hotline_case.id"))

    org: Mapped[OrgUnit] = relationship(foreign_keys=[org_id])
    township: Mapped[OrgUnit] = relationship(foreign_keys=[township_id])
    accused_unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[accused_unit_id])
    accused_person: Mapped[Person | None] = relationship(foreign_keys=[accused_person_id])
    assignee_unit: Mapped[OrgUnit | None] = relationship(foreign_keys=[assignee_unit_id])
    assignee_user: Mapped["object | None"] = relationship("User", foreign_keys=[assignee_user_id])
    escalated_to: Mapped[OrgUnit | None] = relationship(foreign_keys=[escalated_to_id])
    merged_into: Mapped["Case | None"] = relationship(remote_side=[id])
    events: Mapped[list["CaseEvent"]] = relationship(back_populates="case", order_by="CaseEvent.id")

    def __repr__(self):
        return f"<Case {self.code} {self.state}>"

    @property
    def is_open(self):
        return self.state in OPEN_STATES


class CaseEvent(db.Model):
    """A line of a case's timeline: public (the villager sees it) or internal."""

    __tablename__ = "hotline_case_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("hotline_case.id"), index=True)
    at: Mapped[object] = mapped_column(db.DateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(30))  # filed, assigned, signed, reply, note, extended, …
    public: Mapped[bool] = mapped_column(default=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("account_user.id"))
    actor: Mapped[str] = mapped_column(String(60), default="")  # staff display name, or "" for the villager/system
    text: Mapped[str] = mapped_column(Text, default="")

    case: Mapped[Case] = relationship(back_populates="events")


class StatsPublication(db.Model):
    """Which ledger publication holds a township's statistics for a month (one per township and month)."""

    __tablename__ = "hotline_stats_publication"
    __table_args__ = (UniqueConstraint("org_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    pub_id: Mapped[int]
