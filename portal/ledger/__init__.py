"""Publications: immutable published snapshots, revisions, hash chain."""

from .models import LedgerHead, Publication
from .services import (LedgerError, PublicationKind, correct, count_latest, history, latest, latest_revisions,
                       publication_text, publish, record_of, site_language, verify, withdraw)

__all__ = ["LedgerError", "LedgerHead", "Publication", "PublicationKind", "correct", "count_latest", "history",
           "latest", "latest_revisions", "publication_text", "publish", "record_of", "site_language", "verify",
           "withdraw"]
