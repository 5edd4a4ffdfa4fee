"""Settings looked up at a unit, then up the tree to the declared default; floors enforced."""

import re
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import ForeignKey, JSON, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .memo import memoized
from ..timeutil import utcnow


@dataclass(frozen=True)
class SettingSpec:
    """A setting a plugin or the core declares: type, default and statutory bounds."""

    key: str
    type: type
    default: object
    label: object
    floor: object = None  # the law's minimum; nobody may set lower (a list setting: a tuple of the items it must keep)
    ceiling: object = None  # the law's maximum (a deadline that may not be longer)
    help: object = ""
    choices: tuple = ()


class SettingValue(db.Model):
    """A value set for a unit; it holds for the unit's whole subtree unless overridden below."""

    __tablename__ = "org_setting"
    __table_args__ = (UniqueConstraint("org_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"))
    key: Mapped[str] = mapped_column(String(80))
    value: Mapped[object] = mapped_column(JSON)
    changed_at: Mapped[object] = mapped_column(db.DateTime, default=utcnow, onupdate=utcnow)


class SettingError(ValueError):
    """A value a user typed that the setting refuses; the message is for the user."""


# A list setting is typed as text: items separated by 顿号, commas, semicolons or new lines.
_LIST_SEPARATORS = re.compile(r"[、,，;；\n\r]+")


def list_items(text):
    """["a", "b"] from the text of a list setting, each item once, in the order typed."""
    items = []
    for item in (p.strip() for p in _LIST_SEPARATORS.split(text or "")):
        if item and item not in items:
            items.append(item)
    return items


def _statutory_items(spec):
    """The items a list setting must keep (its floor is a tuple of them), or None for a setting of another kind."""
    return spec.floor if isinstance(spec.floor, tuple) else None


def _missing_items(spec, value):
    return [item for item in _statutory_items(spec) if item not in list_items(value)]


def at_floor(spec, value):
    """`value` as it holds: a stored list that lacks statutory items (stored before they were the floor)
    reads with them added, since the law applies whatever a unit once typed."""
    if _statutory_items(spec) is None or value is None:
        return value
    missing = _missing_items(spec, value)
    return "、".join(list_items(value) + missing) if missing else value


def setting_specs():
    """Every declared setting by key."""
    return current_app.extensions["portal"].settings


def _spec(key):
    try:
        return setting_specs()[key]
    except KeyError:
        raise SettingError(_("Unknown setting: %(key)s", key=key)) from None


def effective_settings(org):
    """Return {key: (value, unit_id_where_set or None)} for every setting at `org`."""
    ids = org.ancestor_ids
    rows = db.session.scalars(select(SettingValue).where(SettingValue.org_id.in_(ids))).all()
    depth = {unit_id: i for i, unit_id in enumerate(ids)}
    nearest = {}
    for row in sorted(rows, key=lambda r: depth[r.org_id]):
        nearest[row.key] = row
    out = {}
    for key, spec in setting_specs().items():
        row = nearest.get(key)
        out[key] = (at_floor(spec, row.value), row.org_id) if row else (spec.default, None)
    return out


def get_setting(org, key):
    """The value of `key` at `org`: set here, or at the nearest unit above, or the default."""
    return get_settings(org, key)[key]


def get_settings(org, *keys):
    """{key: value} of several settings at `org`, each looked up as get_setting does, in one query."""
    return dict(memoized(("settings", org.path, keys), lambda: tuple(_settings_at(org, keys).items())))


def _settings_at(org, keys):
    specs = {key: _spec(key) for key in keys}
    ids = org.ancestor_ids
    rows = db.session.execute(
        select(SettingValue.org_id, SettingValue.key, SettingValue.value).where(
            SettingValue.org_id.in_(ids), SettingValue.key.in_(keys)
        )
    ).all()
    depth = {unit_id: i for i, unit_id in enumerate(ids)}
    out = {key: spec.default for key, spec in specs.items()}
    for row in sorted(rows, key=lambda r: depth[r.org_id]):  # the nearest unit is applied last
        out[row.key] = at_floor(specs[row.key], row.value)
    return out


def coerce(spec, raw):
    """Turn user input into the setting's type, checking bounds; raise SettingError."""
    if spec.type is bool:
        value = raw if isinstance(raw, bool) else str(raw).strip().lower() in ("1", "true", "yes", "on")
    elif spec.type is int:
        try:
            value = int(str(raw).strip())
        except ValueError:
            raise SettingError(_("%(label)s must be a whole number.", label=spec.label)) from None
    else:
        value = str(raw).strip()
    if spec.choices and value not in spec.choices:
        raise SettingError(_("%(label)s must be one of: %(choices)s", label=spec.label,
                             choices=", ".join(map(str, spec.choices))))
    if _statutory_items(spec) is not None:
        missing = _missing_items(spec, value)
        if missing:
            raise SettingError(_("%(label)s must keep every statutory item; missing: %(missing)s. "
                                 "You may add items, not remove these.", label=spec.label, missing="、".join(missing)))
    elif spec.floor is not None and value < spec.floor:
        raise SettingError(_("%(label)s may not be below %(floor)s (statutory minimum).",
                             label=spec.label, floor=spec.floor))
    if spec.ceiling is not None and value > spec.ceiling:
        raise SettingError(_("%(label)s may not be above %(ceiling)s (statutory maximum).",
                             label=spec.label, ceiling=spec.ceiling))
    return value


def set_setting(org, key, raw):
    """Set `key` at `org` from user input (or clear it with None); return the stored value."""
    spec = _spec(key)
    row = db.session.scalar(select(SettingValue).where(SettingValue.org_id == org.id, SettingValue.key == key))
    if raw is None or raw == "":
        if row:
            db.session.delete(row)
        return None
    value = coerce(spec, raw)
    if row:
        row.value = value
    else:
        db.session.add(SettingValue(org_id=org.id, key=key, value=value))
    return value
