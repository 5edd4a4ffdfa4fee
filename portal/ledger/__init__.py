"""Publications: immutable published snapshots, revisions, hash chain."""

from .models import LedgerHead, Publication
from .services import (LedgerError, PublicationKind, correct, history, latest, latest_revisions, publish,
                       record_of, verify, withdraw)

__all__ = ["LedgerError", "LedgerHead", "Publication", "PublicationKind", "correct", "history", "latest",
           "latest_revisions", "publish", "record_of", "verify", "withdraw"]
