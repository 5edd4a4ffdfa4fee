"""Creating and upgrading the database, and the rows every installation needs."""

from flask import current_app
from flask_migrate import upgrade
from sqlalchemy import select

from .accounts.services import sync_roles
from .extensions import db
from .ledger.models import LedgerHead
from .ledger.services import GENESIS
from .public.models import PublicRevision


def init_database():
    """Upgrade the schema to every branch head (core and plugins), then seed the fixed rows."""
    upgrade(directory=current_app.extensions["migrate"].directory, revision="heads")
    seed_fixed_rows()


def seed_fixed_rows():
    """The ledger head, the public revision counter and the default roles declared by the hooks."""
    if db.session.scalar(select(LedgerHead).where(LedgerHead.id == 1)) is None:
        db.session.add(LedgerHead(id=1, seq=0, hash=GENESIS))
    if db.session.scalar(select(PublicRevision).where(PublicRevision.id == 1)) is None:
        db.session.add(PublicRevision(id=1, n=0))
    sync_roles(current_app.extensions["portal"].role_specs)
    db.session.commit()
