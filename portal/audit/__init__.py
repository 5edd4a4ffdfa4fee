"""Append-only log of who did what, and who viewed personal data."""

from dataclasses import dataclass, field

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import ForeignKey, JSON, String, insert
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapped, mapped_column

from ..appendonly import make_append_only
from ..extensions import db
from ..timeutil import utcnow


class AuditEvent(db.Model):
    """One change or one view of personal data. Never updated, never deleted."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[object] = mapped_column(db.DateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("account_user.id"))
    username: Mapped[str | None] = mapped_column(String(60))
    action: Mapped[str] = mapped_column(String(60), index=True)
    object_type: Mapped[str | None] = mapped_column(String(60))
    object_id: Mapped[str | None] = mapped_column(String(60))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    detail: Mapped[dict | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))


make_append_only(AuditEvent.__table__)


@dataclass(frozen=True)
class AuditLabels:
    """What audit events mean to people, for the audit log page (a plugin's module sets AUDIT_LABELS).

    `actions`: {action: label}, the plugin's own (`hotline.assign`); `objects`: {type: label},
    keyed by the model's class name (`Case`); `fields`: {name: label} of the keys in `detail`
    and of the personal-data fields a personal_data.view names.
    """

    actions: dict = field(default_factory=dict)
    objects: dict = field(default_factory=dict)
    fields: dict = field(default_factory=dict)


def record(action, obj=None, org=None, detail=None, user=None):
    """Write an audit event for `action` on `obj` at `org`, by `user` (default: the current user).

    `detail` must never hold personal data itself: say which field was seen, not its value.
    """
    write(entry(action, obj=obj, org=org, detail=detail, user=user))


def entry(action, obj=None, org=None, detail=None, user=None):
    """The row record() writes, made ahead of write(): a caller may fill in `object_type` and
    `object_id` once a new row has its id, and keep its write transaction short."""
    if user is None and has_request_context() and current_user and current_user.is_authenticated:
        user = current_user
    row = dict(
        at=utcnow(),
        action=action,
        user_id=user.id if user is not None else None,
        username=user.username if user is not None else None,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=_object_id(obj),
        org_id=org.id if org is not None else None,
        detail=detail,
        ip=request.remote_addr if has_request_context() else None,
    )
    if detail is None:
        del row["detail"]  # SQL NULL, not the JSON text null
    return row


def write(row):
    """Insert an entry() at once (an append-only row has nothing for the unit of work to track), in
    the caller's transaction: it commits or rolls back with the change it records."""
    db.session.connection().execute(insert(AuditEvent.__table__), row)


def _object_id(obj):
    """The primary key of `obj` as text; a new row is flushed first so that it has one."""
    if obj is None:
        return None
    state = sa_inspect(obj, raiseerr=False)
    if state is None or not hasattr(state, "mapper"):
        return str(getattr(obj, "id", ""))
    if state.identity is None and state.pending:
        db.session.flush()
    return "/".join(map(str, state.identity or ()))


def record_view_of_personal_data(obj, fields, org=None, user=None):
    """Record that `user` saw the personal-data `fields` of `obj` (e.g. a complainant's phone)."""
    return record("personal_data.view", obj=obj, org=org, detail={"fields": sorted(fields)}, user=user)
