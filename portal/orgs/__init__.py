"""The org tree: units and their kinds, people in positions, settings inherited down the tree."""

from .kinds import OrgKind, kind_for, kinds
from .models import OrgUnit, Person, Position
from .settings import SettingSpec, SettingError, get_setting, get_settings, list_items, set_setting

__all__ = [
    "OrgKind", "OrgUnit", "Person", "Position", "SettingError", "SettingSpec",
    "get_setting", "get_settings", "kind_for", "kinds", "list_items", "set_setting",
]
