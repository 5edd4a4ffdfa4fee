"""Personal data in text meant for the public: find it, and mask it.

Before anything is published, plugins scan its text for resident ID numbers (18 characters
with a plausible birth date; the check digit need not hold), mobile numbers and bank card
numbers (Luhn checked), refuse to publish what they find, and offer the masked form
(3201**********1234, 138****5678). Names cannot be found in free text: `mask_name` masks the
names a plugin knows are names (a subsidy list's name column): 张三 → 张*, 张小三 → 张*三, and
a caller that knows whose text it is (a complainant's own name, phone and e-mail from the
form) passes them to `find_personal_data`, which then finds them too. Anyone else's name
typed into free text stays as it is.
"""

import re
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from stdnum import luhn
from stdnum.cn import ric
from stdnum.exceptions import ValidationError

from portal.timeutil import local_today

KINDS = {
    "id_number": _l("ID number"),
    "mobile": _l("Mobile number"),
    "bank_card": _l("Bank card number"),
    # the kinds below are found only when the caller names them (a person's own, from a form)
    "name": _l("Person's name"),
    "phone": _l("Phone"),
    "email": _l("E-mail address"),
}

_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9])(?:\+?86[ -]?)?1[3-9][0-9][ -]?[0-9]{4}[ -]?[0-9]{4}(?![0-9])")
# 16 to 19 digits, optionally grouped by spaces or dashes as printed on cards
_CARD = re.compile(r"(?<![0-9])[0-9](?:[ -]?[0-9]){15,18}(?![0-9])")
# No one alive was born before this; a birth date before it or after today is no ID number's.
EARLIEST_BIRTH = date(1900, 1, 1)


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


def mask_phone(s):
    """A phone number known to be someone's (a landline too): the last four digits stay, and the first
    three of a long one: 053****3456, ***3456."""
    d = _digits(s)
    keep = 3 if len(d) >= 11 else 0
    return d[:keep] + "*" * (len(d) - keep - 4) + d[-4:]


def mask_email(s):
    """w***@example.cn: the first character and the domain stay."""
    local, _at, domain = s.partition("@")
    return local[:1] + "***@" + domain


def mask_name(name):
    """张三 → 张*, 张小三 → 张*三, 欧阳小明 → 欧**明; one character stays as it is."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


MASKS = {"id_number": mask_id_number, "mobile": mask_mobile, "bank_card": mask_bank_card, "name": mask_name,
         "phone": mask_phone, "email": mask_email}


def is_id_number(s):
    """Whether `s` (17 digits and a digit or X) reads as a resident ID number: a plausible birth date in digits 7–14.

    The check digit is not asked for: a mistyped or made-up ID number is still read as someone's
    (and PIPL §28 counts ID numbers sensitive), so it is masked or refused all the same. The birth
    date is what tells an ID number from an 18-digit amount or voucher number (202601011234567890:
    digits 7–14 are 12345678); only about one such number in 2,000 passes it.
    """
    try:
        born = ric.get_birth_date(s)
    except ValidationError:
        return False
    return EARLIEST_BIRTH <= born <= local_today()


def _known_patterns(names, phones, emails):
    """(kind, pattern) for a person's own name, phone and e-mail as they may be typed into a text."""
    out = []
    for phone in phones:
        digits = re.sub(r"[^0-9]", "", phone or "")
        if len(digits) >= 7:  # shorter is an extension or a typo, and would hit amounts
            # the digits as typed, grouped or not: 0539-8123456, 0539 812 3456, (0539)8123456
            out.append(("phone", re.compile(r"(?<![0-9])" + r"[ ().-]{0,2}".join(digits) + r"(?![0-9])")))
    for email in emails:
        email = (email or "").strip()
        if "@" in email:
            out.append(("email", re.compile(re.escape(email), re.IGNORECASE)))
    for name in names:
        chars = re.sub(r"\s+", "", name or "")
        if len(chars) >= 2:  # one character would mask that character everywhere
            # Open311 stores "李 秀英" (last and first name); the villager types 李秀英
            out.append(("name", re.compile(r"\s*".join(map(re.escape, chars)), re.IGNORECASE)))
    return out


def find_personal_data(text, *, names=(), phones=(), emails=()):
    """Every ID number, mobile number and bank card number in `text`, in order of position.

    `names`, `phones` and `emails` are a person's own details the caller knows (a complainant's,
    from the form): every place they occur is a finding too. Where findings overlap, the first
    kind in this order wins: ID number, bank card, mobile, phone, e-mail, name.
    """
    if not text:
        return []
    found = []
    taken = []

    def free(m):
        return all(m.end() <= a or m.start() >= b for a, b in taken)

    def take(kind, m):
        found.append(Finding(kind, m.group(), m.start(), m.end()))
        taken.append((m.start(), m.end()))

    for m in _ID.finditer(text):
        if is_id_number(m.group()):
            take("id_number", m)
    for m in _CARD.finditer(text):
        # Luhn only: 16 to 19 digits that fail it are far more often amounts, voucher, order or
        # account numbers of the collective than a mistyped card
        if free(m) and luhn.is_valid(_digits(m.group())):
            take("bank_card", m)
    for m in _MOBILE.finditer(text):
        if free(m):
            take("mobile", m)
    for kind, pattern in _known_patterns(names, phones, emails):
        for m in pattern.finditer(text):
            if free(m):
                take(kind, m)
    return sorted(found, key=lambda f: f.start)


def mask_personal_data(text, *, names=(), phones=(), emails=()):
    """`text` with every finding (see `find_personal_data`) replaced by its masked form."""
    out, pos = [], 0
    for f in find_personal_data(text, names=names, phones=phones, emails=emails):
        out.append(text[pos:f.start])
        out.append(f.masked)
        pos = f.end
    out.append(text[pos:] if text else "")
    return "".join(out)
