"""Training sessions (meetings, lectures, courses) and who attended them.

People are the core's Person rows; a unit's members are the people holding positions in
it and below it (no second registry of party members).
"""

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.orgs.models import OrgUnit, Person
from portal.timeutil import utcnow

# 三会一课, 主题党日 and the other kinds of session a unit records.
SESSION_TYPES = (
    ("branch_meeting", _l("Branch general meeting (支部党员大会)")),
    ("committee_meeting", _l("Branch committee meeting (支委会)")),
    ("group_meeting", _l("Party group meeting (党小组会)")),
    ("party_lecture", _l("Party lecture (党课)")),
    ("theme_day", _l("Theme party day (主题党日)")),
    ("life_meeting", _l("Organizational life meeting (组织生活会)")),
    ("democratic_review", _l("Democratic review of members (民主评议)")),
    ("party_school", _l("Concentrated training at the party school (党校集中培训)")),
    ("remote", _l("Remote education (远程教育)")),
    ("winter_spring", _l("Winter-spring training (冬春训)")),
    ("skills", _l("Skills training (技能培训)")),
)
TYPE_LABELS = dict(SESSION_TYPES)

ATTENDANCE_STATUSES = (
    ("present", _l("Present")),
    ("late", lazy_pgettext("attendance", "Late")),  # 迟到, not a disclosure's 逾期
    ("excused", _l("Excused")),
    ("absent", _l("Absent")),
)
STATUS_LABELS = dict(ATTENDANCE_STATUSES)
ATTENDED = ("present", "late")  # statuses that earn the session's hours

METHODS = (("marked", _l("marked")), ("imported", _l("imported")), ("qr", _l("QR sign-in")))
METHOD_LABELS = dict(METHODS)

# Kinds of unit that organize sessions.
ORGANIZER_KINDS = ("party_branch", "party_group", "township", "county")


class TrainingSession(db.Model):
    """One meeting, lecture or course held by a unit, with the hours it counts for."""

    __tablename__ = "training_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)
    type: Mapped[str] = mapped_column(String(30))
    starts_at: Mapped[object] = mapped_column(db.DateTime, index=True)  # UTC
    ends_at: Mapped[object] = mapped_column(db.DateTime)  # UTC
    hours: Mapped[int] = mapped_column()  # 学时 credited to each attendee
    topic: Mapped[str] = mapped_column(String(200))
    lecturer: Mapped[str | None] = mapped_column(String(60))
    place: Mapped[str | None] = mapped_column(String(120))
    minutes: Mapped[str | None] = mapped_column(Text)  # markdown
    materials: Mapped[list] = mapped_column(JSON, default=list)  # StoredFile dicts
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account_user.id"))
    created_at: Mapped[object] = mapped_column(db.DateTime, default=utcnow)
    updated_at: Mapped[object] = mapped_column(db.DateTime, default=utcnow, onupdate=utcnow)

    org: Mapped[OrgUnit] = relationship()
    attendance: Mapped[list["Attendance"]] = relationship(back_populates="session", cascade="all, delete-orphan")

    @property
    def type_label(self):
        return TYPE_LABELS.get(self.type, self.type)

    def __repr__(self):
        return f"<TrainingSession {self.id} {self.type} {self.starts_at}>"


class Attendance(db.Model):
    """A person's attendance at a session: present, late, excused or absent, and how it was recorded."""

    __tablename__ = "training_attendance"
    __table_args__ = (UniqueConstraint("session_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_session.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("org_person.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    method: Mapped[str] = mapped_column(String(10), default="marked")
    signed_at: Mapped[object | None] = mapped_column(db.DateTime)  # UTC, for a QR sign-in

    session: Mapped[TrainingSession] = relationship(back_populates="attendance")
    person: Mapped[Person] = relationship()

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)
