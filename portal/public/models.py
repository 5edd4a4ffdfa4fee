"""The revision counter of what the public site shows besides the ledger."""

from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class PublicRevision(db.Model):
    """One row counting changes to the org tree, settings and plugin switches.

    Public pages show these as well as publications, and they change without a ledger
    append; the counter goes into every public page's ETag (see portal.public.caching).
    """

    __tablename__ = "public_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(default=0)
