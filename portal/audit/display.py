"""The audit log as people read it: a label for each action, a name for each object, the detail
as short "field: value" pairs.

Labels come from the AUDIT_LABELS of the core and the plugins (merged by the host); an action,
type or field nobody labels shows its code. Values are shown as recorded: a detail never holds
personal data (a personal_data.view names the fields seen, not what they held), and nothing here
looks it up.
"""

from dataclasses import dataclass

from babel.lists import format_list
from flask import current_app, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..orgs.models import OrgUnit

MAX_VALUE = 80  # characters of one detail value; a long topic or file name is cut


@dataclass
class AuditLine:
    """One audit event as the audit page shows it."""

    event: object
    action: str
    unit: object  # the OrgUnit it is filed under, or None
    object: str
    object_url: str | None
    detail: list  # [(field label, value text)]


def audit_lines(events):
    """An AuditLine for each of `events`, the units they name loaded in one query."""
    host = current_app.extensions["portal"]
    ids = {e.org_id for e in events if e.org_id}
    ids |= {int(e.object_id) for e in events if e.object_type == "OrgUnit" and (e.object_id or "").isdigit()}
    units = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(ids)))} if ids else {}
    lines = []
    for event in events:
        name, url, shown = object_name(event, host.audit_labels, units)
        lines.append(AuditLine(event, action_label(event.action, host.audit_labels), units.get(event.org_id),
                               name, url, detail_items(event, host, skip=shown)))
    return lines


def action_label(action, labels):
    """The label of `action`, else its code."""
    label = labels.actions.get(action)
    if label is None:
        return action
    label = str(label)
    # labels reused from a timeline follow a name ("drafted"); in a column each starts with a capital
    return label[:1].upper() + label[1:]


def object_name(event, labels, units):
    """(name, url or None, detail keys the name already says) of the object an event acted on."""
    kind, key = event.object_type, event.object_id
    if not kind:
        return "", None, ()
    detail = event.detail if isinstance(event.detail, dict) else {}
    if kind == "Publication" and detail.get("pub_id"):
        # the object id is the ledger number; a correction or withdrawal is a later revision of pub_id
        pub_id, revision = detail["pub_id"], detail.get("revision") or 1
        url = url_for("public.history", pub_id=pub_id)
        if revision != 1 or str(pub_id) != key:
            return (_("Publication %(id)s, revision %(revision)s (ledger number %(seq)s)", id=pub_id,
                      revision=revision, seq=key), url, ("pub_id", "revision"))
        return _("Publication %(id)s", id=pub_id), url, ("pub_id", "revision")
    if kind == "OrgUnit" and (key or "").isdigit() and int(key) in units:
        return units[int(key)].name, None, ()
    label = labels.objects.get(kind, kind)
    return (_("%(kind)s #%(id)s", kind=label, id=key) if key else str(label)), None, ()


def detail_items(event, host, skip=()):
    """[(field label, value text)] of an event's detail, leaving out the keys in `skip`."""
    detail = event.detail
    if detail in (None, {}, []):
        return []
    if not isinstance(detail, dict):
        return [(_("Detail"), _text(detail))]
    fields = host.audit_labels.fields
    return [(str(fields.get(key, key)), _value(key, value, host)) for key, value in detail.items() if key not in skip]


def _value(key, value, host):
    if key == "fields" and isinstance(value, list):  # the personal-data fields a view showed: their names
        return _list([host.audit_labels.fields.get(name, name) for name in value])
    if key == "plugin" and isinstance(value, str):
        return str(host.label(value))
    if key == "role" and isinstance(value, str):
        return str(host.role_label(value, value))
    if key == "key" and isinstance(value, str) and value in host.settings:
        return str(host.settings[value].label)
    return _text(value)


def _text(value):
    if value is None:
        return "—"
    if isinstance(value, list):  # parts of one value, such as a unit's [name, code]
        return " / ".join(_text(item) for item in value)
    if isinstance(value, dict):
        return " / ".join(f"{k}: {_text(v)}" for k, v in value.items())
    text = str(value)
    return text if len(text) <= MAX_VALUE else text[:MAX_VALUE - 1] + "…"


def _list(items):
    """Items of a list in the reader's language: "A, B and C", "A、B和C"."""
    return format_list([_text(item) for item in items], locale=get_locale())
