"""Kinds of org unit: the core's, and those plugins add through register_org_kinds()."""

from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class OrgKind:
    """A kind of org unit, where it may stand in the tree, and whether it has a division code."""

    name: str
    label: object
    parents: tuple = ()  # kinds it may sit under; empty = a root
    statistical_code: bool = False  # True: the code is a 12-digit statistical division code
    level: int = 0  # sort order on screens, county first
    extra: dict = field(default_factory=dict, compare=False)


CORE_KINDS = (
    OrgKind("county", _l("County"), (), True, 10),
    OrgKind("township", _l("Township"), ("county",), True, 20),
    OrgKind("area", _l("Management area (管区)"), ("township",), False, 30),
    OrgKind("community", _l("Community (社区)"), ("township", "area"), True, 35),
    OrgKind("village", _l("Village"), ("township", "area"), True, 40),
    OrgKind("party_general_branch", _l("Party general branch (党总支)"), ("village", "community"), False, 50),
    OrgKind("party_branch", _l("Party branch (党支部)"), ("village", "community", "party_general_branch"), False, 55),
    OrgKind("party_group", _l("Party group (党小组)"), ("party_branch",), False, 60),
    OrgKind("village_committee", _l("Village committee (村委会)"), ("village", "community"), False, 65),
    OrgKind("supervision_committee", _l("Supervision committee (村务监督委员会)"), ("village", "community"), False, 70),
)


def kinds():
    """Return every known kind by name: the core's and the plugins'."""
    return current_app.extensions["portal"].org_kinds


def kind_for(name):
    """Return the OrgKind called `name`, or None."""
    return kinds().get(name)
