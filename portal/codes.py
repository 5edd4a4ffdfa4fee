"""Tracking codes a villager is given for a case or a request, reads aloud and types back.

12 characters (~56 random bits) in groups of four, e.g. RX7K-9QPM-3D2F: unguessable, so a code
alone may show a case's status; the UNIQUE index of each table that stores one guards against
the odd collision.
"""

import secrets

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: codes are read aloud and copied by hand.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 12
_CODES = len(CODE_ALPHABET) ** CODE_LENGTH


def new_code():
    """A new random tracking code."""
    # one draw from the system's generator (one read of the kernel's randomness), written in base 25
    n = secrets.randbelow(_CODES)
    raw = []
    for _ in range(CODE_LENGTH):
        n, digit = divmod(n, len(CODE_ALPHABET))
        raw.append(CODE_ALPHABET[digit])
    return _grouped("".join(raw))


def normalise_code(text):
    """The canonical form of a code someone typed (case, spaces and dashes forgiven), or None."""
    raw = "".join(ch for ch in (text or "")[:40].upper() if ch.isalnum())
    if len(raw) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in raw):
        return None
    return _grouped(raw)


def _grouped(raw):
    return "-".join(raw[i:i + 4] for i in range(0, CODE_LENGTH, 4))
