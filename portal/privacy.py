"""Personal data in text meant for the public: find it, and mask it.

Before anything is published, plugins scan its text for resident ID numbers (checksum
checked with python-stdnum), mobile numbers and bank card numbers (Luhn checked), refuse
to publish what they find, and offer the masked form (3201**********1234, 138****5678).
Names cannot be found in free text; `mask_name` masks the names a plugin knows are names
(a subsidy list's name column): 张三 → 张*, 张小三 → 张*三.
"""

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from stdnum import luhn
from stdnum.cn import ric

KINDS = {
    "id_number": _l("ID number"),
    "mobile": _l("Mobile number"),
    "bank_card": _l("Bank card number"),
}

_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9])")
# 16 to 19 digits, optionally grouped by spaces or dashes as printed on cards
_CARD = re.compile(r"(?<![0-9])[0-9](?:[ -]?[0-9]){15,18}(?![0-9])")


@dataclass(frozen=True)
class Finding:
    """One piece of personal data in a text: its kind, where it is, and its masked form."""

    kind: str
    text: str
    start: int
    end: int

    @property
    def label(self):
        return KINDS[self.kind]

    @property
    def masked(self):
        return MASKS[self.kind](self.text)


def _digits(s):
    return re.sub(r"[^0-9Xx]", "", s)


def mask_id_number(s):
    """3201**********1234: the region's first four and the last four stay."""
    d = _digits(s)
    return d[:4] + "*" * (len(d) - 8) + d[-4:]


def mask_mobile(s):
    """138****5678."""
    d = _digits(s)[-11:]
    return d[:3] + "****" + d[-4:]


def mask_bank_card(s):
    """6222 **** **** 1234 written without spaces: the first four and the last four stay."""
    d = _digits(s)
    return d[:4] + "*" * (len(d) - 8) + d[-4:]


def mask_name(name):
    """张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明; one character stays as it is."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


MASKS = {"id_number": mask_id_number, "mobile": mask_mobile, "bank_card": mask_bank_card}


def find_personal_data(text):
    """Every ID number, mobile number and bank card number in `text`, in order of position."""
    if not text:
        return []
    found = []
    taken = []

    def free(m):
        return all(m.end() <= a or m.start() >= b for a, b in taken)

    for m in _ID.finditer(text):
        if ric.is_valid(m.group()):
            found.append(Finding("id_number", m.group(), m.start(), m.end()))
            taken.append((m.start(), m.end()))
    for m in _CARD.finditer(text):
        if free(m) and luhn.is_valid(_digits(m.group())):
            found.append(Finding("bank_card", m.group(), m.start(), m.end()))
            taken.append((m.start(), m.end()))
    for m in _MOBILE.finditer(text):
        if free(m):
            found.append(Finding("mobile", m.group(), m.start(), m.end()))
            taken.append((m.start(), m.end()))
    return sorted(found, key=lambda f: f.start)


def mask_personal_data(text):
    """`text` with every finding replaced by its masked form."""
    out, pos = [], 0
    for f in find_personal_data(text):
        out.append(text[pos:f.start])
        out.append(f.masked)
        pos = f.end
    out.append(text[pos:] if text else "")
    return "".join(out)
