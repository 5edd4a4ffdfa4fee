"""Users, roles and grants (a role given to a user at an org unit, covering its subtree)."""

from flask import current_app
from flask_login import UserMixin
from sqlalchemy import ForeignKey, JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..orgs.models import OrgUnit, Person
from ..timeutil import utcnow


class User(UserMixin, db.Model):
    """A staff login. Villagers have none: they use the public site and forms."""

    __tablename__ = "account_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("org_person.id"))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(20))
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[object | None] = mapped_column(db.DateTime)
    last_login_at: Mapped[object | None] = mapped_column(db.DateTime)
    created_at: Mapped[object] = mapped_column(db.DateTime, default=utcnow)
    # Part of what a session cookie holds (get_id): a signed cookie cannot be taken back, so
    # ending sessions (logout, a new password, disabling) moves this on and the old cookies no
    # longer match. The server default gives rows older than the column a first generation.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")

    person: Mapped[Person | None] = relationship()
    grants: Mapped[list["Grant"]] = relationship(back_populates="user", cascade="all, delete-orphan",
                                                 foreign_keys="Grant.user_id")

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        """What the session cookie keeps of the login (Flask-Login's "alternative token"): the id
        and the session generation, checked by accounts.services.user_for_session."""
        return f"{self.id}:{self.session_generation}"

    def __repr__(self):
        return f"<User {self.username}>"


class Role(db.Model):
    """A named set of permissions; default roles come from register_roles()."""

    __tablename__ = "account_role"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(120))  # as registered, in the language of `portal init`
    permissions: Mapped[list] = mapped_column(JSON, default=list)

    @property
    def display_label(self):
        """The label in the reader's language, from the registered RoleSpec (not the stored string)."""
        return current_app.extensions["portal"].role_label(self.name, self.label)


class Grant(db.Model):
    """A role held by a user at an org unit and everything below it."""

    __tablename__ = "account_grant"
    __table_args__ = (UniqueConstraint("user_id", "role_id", "org_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("account_user.id"), index=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("account_role.id"))
    org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("account_user.id"))
    created_at: Mapped[object] = mapped_column(db.DateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="grants", foreign_keys=[user_id])
    role: Mapped[Role] = relationship()
    org: Mapped[OrgUnit] = relationship()
