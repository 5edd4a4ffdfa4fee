"""Publications: frozen, append-only snapshots chained by SHA-256."""

from sqlalchemy import ForeignKey, Index, JSON, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..appendonly import make_append_only
from ..extensions import db


class Publication(db.Model):
    """One revision of a published item. Never updated, never deleted (triggers refuse it).

    `seq` orders the whole ledger; `pub_id` names the item across its revisions (it is the
    seq of revision 1); `hash` covers the canonical JSON form of the row and `prev_hash`.
    """

    __tablename__ = "ledger_publication"
    __table_args__ = (
        UniqueConstraint("pub_id", "revision"),
        Index("ix_ledger_publication_org_seq", "org_id", "seq"),
        # the public pages of a unit find its publications by code (finance statements, disclosures)
        Index("ix_ledger_publication_org_code_seq", "org_code", "seq"),
        # the few withdrawals, which count_latest subtracts without reading the whole ledger
        Index("ix_ledger_publication_withdrawn", "pub_id", sqlite_where=text("action = 'withdraw'"),
              postgresql_where=text("action = 'withdraw'")),
        # where a period begins in the ledger (the dashboard's "published this month")
        Index("ix_ledger_publication_published_at", "published_at"),
    )

    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    pub_id: Mapped[int] = mapped_column(index=True)
    revision: Mapped[int]
    action: Mapped[str] = mapped_column(String(20))  # publish | correct | withdraw
    plugin: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(60))
    org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    org_code: Mapped[str] = mapped_column(String(40))
    org_name: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text, default="")
    payload: Mapped[dict] = mapped_column(JSON)
    search_text: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str | None] = mapped_column(Text)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("account_user.id"))
    published_by: Mapped[str] = mapped_column(String(60))
    published_at: Mapped[object] = mapped_column(db.DateTime)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


make_append_only(Publication.__table__)


class LedgerHead(db.Model):
    """The last seq and hash of the ledger: one row, locked while a revision is appended."""

    __tablename__ = "ledger_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(String(64))
