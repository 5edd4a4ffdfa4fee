"""Rules of the org tree: creating, renaming, moving units and importing them from CSV."""

import csv
import io
import re
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from ..extensions import db
from ..timeutil import local_today
from .kinds import kind_for
from .models import OrgUnit

DIVISION_CODE = re.compile(r"^\d{12}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
LOCAL_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{0,39}$")


class OrgError(ValueError):
    """A change to the tree that the rules refuse; the message is for the user."""


def check_code(kind, code):
    """Raise OrgError unless `code` fits `kind` (12 digits for kinds with division codes)."""
    k = kind_for(kind)
    if k is None:
        raise OrgError(_("Unknown kind of unit: %(kind)s", kind=kind))
    if k.statistical_code:
        if not DIVISION_CODE.match(code or ""):
            raise OrgError(_("A %(kind)s needs a 12-digit statistical division code, not “%(code)s”.",
                             kind=k.label, code=code))
    elif not LOCAL_CODE.match(code or ""):
        raise OrgError(_("Code “%(code)s” may use only letters, digits, - and _ (at most 40).", code=code))


def check_parent(kind, parent):
    """Raise OrgError unless a unit of `kind` may stand under `parent` (None: a root)."""
    k = kind_for(kind)
    if k is None:
        raise OrgError(_("Unknown kind of unit: %(kind)s", kind=kind))
    if parent is None:
        if k.parents:
            raise OrgError(_("A %(kind)s needs a parent unit.", kind=k.label))
        return
    if parent.kind not in k.parents:
        raise OrgError(_("A %(kind)s cannot stand under a %(parent)s.", kind=k.label, parent=parent.kind_label))


def check_established_on(day, today=None):
    """Raise OrgError when `day`, the date a unit was established, is after `today` (local); None (the
    unit existed before the records began) is always right."""
    today = today or local_today()
    if day is not None and day > today:
        raise OrgError(_("%(date)s is in the future: give the date the unit was set up, or leave it empty.",
                         date=day.isoformat()))


def _established_on_cell(text, today):
    """The date of an import's established_on cell (YYYY-MM-DD), None when it is empty or the column is
    left out; OrgError when it is no such date or in the future."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        # the pattern first: fromisoformat also takes 20260615 and 2026-W24, which a person did not mean
        day = date.fromisoformat(text) if ISO_DATE.match(text) else None
    except ValueError:
        day = None
    if day is None:
        raise OrgError(_("“%(value)s” is not a date such as 2026-06-15 (year-month-day).", value=text[:40]))
    check_established_on(day, today)
    return day


def _code_taken(code, except_id=None):
    q = select(func.count()).select_from(OrgUnit).where(OrgUnit.code == code)
    if except_id:
        q = q.where(OrgUnit.id != except_id)
    return db.session.scalar(q) > 0


def create_unit(kind, name, code, parent=None, established_on=None):
    """Create a unit under `parent` after checking kind, code, place and the date it was established
    (None: before the records began); return it."""
    name = (name or "").strip()
    code = (code or "").strip()
    if not name:
        raise OrgError(_("A unit needs a name."))
    check_code(kind, code)
    check_parent(kind, parent)
    check_established_on(established_on)
    if _code_taken(code):
        raise OrgError(_("Code %(code)s is already used by another unit.", code=code))
    unit = OrgUnit(kind=kind, name=name, code=code, parent=parent, depth=(parent.depth + 1) if parent else 0,
                   established_on=established_on)
    db.session.add(unit)
    db.session.flush()  # the id is part of the path
    unit.path = (parent.path if parent else "/") + f"{unit.id}/"
    return unit


def rename_unit(unit, name, code):
    """Change a unit's name and code after checking them."""
    name = (name or "").strip()
    code = (code or "").strip()
    if not name:
        raise OrgError(_("A unit needs a name."))
    check_code(unit.kind, code)
    if _code_taken(code, except_id=unit.id):
        raise OrgError(_("Code %(code)s is already used by another unit.", code=code))
    unit.name, unit.code = name, code


def set_established_on(unit, day):
    """Set the date `unit` was established (None: before the records began) after checking it."""
    check_established_on(day)
    unit.established_on = day


def move_unit(unit, new_parent):
    """Put `unit` and its subtree under `new_parent`, refusing cycles and misplaced kinds."""
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise OrgError(_("%(unit)s cannot be moved below itself.", unit=unit.name))
    check_parent(unit.kind, new_parent)
    old_path = unit.path
    new_path = (new_parent.path if new_parent else "/") + f"{unit.id}/"
    shift = (new_parent.depth + 1 if new_parent else 0) - unit.depth
    db.session.execute(
        update(OrgUnit)
        .where(OrgUnit.path.startswith(old_path, autoescape=True))
        .values(path=new_path + func.substr(OrgUnit.path, len(old_path) + 1), depth=OrgUnit.depth + shift)
        .execution_options(synchronize_session=False)
    )
    unit.parent_id = new_parent.id if new_parent else None
    db.session.flush()
    db.session.expire_all()


class ImportErrors(OrgError):
    """Every problem found in an import file, each naming its line."""

    def __init__(self, errors):
        super().__init__("\n".join(errors))
        self.errors = errors


IMPORT_COLUMNS = ("code", "name", "kind", "parent_code")
_LINE_NO = re.compile(r"(\d+)")


def _line_of(message):
    m = _LINE_NO.search(message)
    return int(m.group(1)) if m else 0


def _outside_scope(rows, existing, file_rows, may_place):
    """Errors for rows that would change or place units where `may_place` says no."""
    errors = []
    for line, row in rows:
        unit = existing.get(row["code"])
        parent_code = row["parent_code"]
        if unit is not None and not may_place(unit):
            errors.append(_("Line %(line)d: %(code)s is outside your scope.", line=line, code=row["code"]))
            continue
        if parent_code in file_rows:
            continue  # that row is checked on its own line
        parent = existing.get(parent_code) if parent_code else None
        moves = unit is None or (unit.parent_id != (parent.id if parent else None))
        if moves and not may_place(parent):
            errors.append(_("Line %(line)d: parent %(code)s is outside your scope.",
                            line=line, code=parent_code or "-"))
    return errors


def import_csv(data, may_place=None):
    """Create or update units from CSV text (code,name,kind,parent_code[,established_on]); all or nothing.

    established_on (YYYY-MM-DD) is optional: a new unit without one existed before the records began;
    an empty cell leaves an existing unit's date as it is (a file that does not know it erases nothing).

    `may_place(unit)`, when given, says whether the importer may create or change units at
    or below an existing `unit` (or, with None, create a root); a file reaching outside is
    refused whole. Returns (created, updated). Raises ImportErrors listing every bad line;
    then nothing has changed.
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportErrors([_("The file is not UTF-8 text.")]) from None
    if not data.strip():
        raise ImportErrors([_("The file is empty.")])
    reader = csv.DictReader(io.StringIO(data))
    missing = [c for c in IMPORT_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportErrors([_("Line 1: missing columns: %(cols)s", cols=", ".join(missing))])

    rows, errors, seen, today = [], [], {}, local_today()
    for row in reader:
        # the reader's own count: blank lines and quoted newlines do not shift the numbers
        line = reader.line_num
        if None in row or any(v is None for v in row.values()):
            errors.append(_("Line %(line)d: wrong number of fields.", line=line))
            continue
        row = {k: (v or "").strip() for k, v in row.items()}
        if not any(row.values()):
            continue
        try:
            if not row["name"]:
                raise OrgError(_("A unit needs a name."))
            check_code(row["kind"], row["code"])
        except OrgError as exc:
            errors.append(_("Line %(line)d: %(msg)s", line=line, msg=exc))
            continue
        try:
            row["established_on"] = _established_on_cell(row.get("established_on"), today)
        except OrgError as exc:
            errors.append(_("Line %(line)d, established_on: %(msg)s", line=line, msg=exc))
            continue
        if row["code"] in seen:
            errors.append(_("Line %(line)d: code %(code)s appears again (first on line %(first)d).",
                            line=line, code=row["code"], first=seen[row["code"]]))
            continue
        seen[row["code"]] = line
        rows.append((line, row))

    existing = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    file_rows = {row["code"]: (line, row) for line, row in rows}
    for line, row in rows:
        if row["code"] in existing and existing[row["code"]].kind != row["kind"]:
            errors.append(_("Line %(line)d: %(code)s exists as another kind of unit.", line=line, code=row["code"]))

    # Every parent must exist in the file or the tree, fit the kind, and no chain may loop.
    for line, row in rows:
        parent_code = row["parent_code"]
        if not parent_code:
            parent_kind = None
        elif parent_code in file_rows:
            parent_kind = file_rows[parent_code][1]["kind"]
        elif parent_code in existing:
            parent_kind = existing[parent_code].kind
        else:
            errors.append(_("Line %(line)d: parent %(code)s is neither in the file nor in the tree.",
                            line=line, code=parent_code))
            continue
        k = kind_for(row["kind"])
        if parent_kind is None and k.parents:
            errors.append(_("Line %(line)d: a %(kind)s needs a parent unit.", line=line, kind=k.label))
        elif parent_kind is not None and parent_kind not in k.parents:
            parent_label = kind_for(parent_kind).label if kind_for(parent_kind) else parent_kind
            errors.append(_("Line %(line)d: a %(kind)s cannot stand under a %(parent)s.",
                            line=line, kind=k.label, parent=parent_label))
        # follow the parents; a loop comes back to this code
        chain, code = set(), row["code"]
        while code:
            if code in chain:
                # a loop that does not come back to this row is another row's, reported on its own line
                if code == row["code"]:
                    errors.append(_("Line %(line)d: the parents of %(code)s form a cycle.",
                                    line=line, code=row["code"]))
                break
            chain.add(code)
            if code in file_rows:
                code = file_rows[code][1]["parent_code"]
            elif code in existing:
                parent = existing[code].parent
                code = parent.code if parent else ""
            else:
                break
    if may_place is not None:
        errors += _outside_scope(rows, existing, file_rows, may_place)
    if errors:
        raise ImportErrors(sorted(set(errors), key=_line_of))
    if not rows:
        raise ImportErrors([_("The file has no units.")])

    created = updated = 0
    pending = dict(file_rows)
    # create parents before children: repeat until every row is placed
    while pending:
        progress = False
        for code, (line, row) in list(pending.items()):
            pc = row["parent_code"]
            if pc and pc in pending:
                continue
            parent = existing.get(pc) if pc else None
            unit = existing.get(code)
            if unit is None:
                unit = create_unit(row["kind"], row["name"], code, parent, established_on=row["established_on"])
                existing[code] = unit
                created += 1
            else:
                # a unit the file leaves as it is does not count as updated
                changed = unit.name != row["name"]
                unit.name = row["name"]
                if row["established_on"] is not None and unit.established_on != row["established_on"]:
                    unit.established_on = row["established_on"]
                    changed = True
                if unit.parent_id != (parent.id if parent else None):
                    move_unit(unit, parent)
                    changed = True
                updated += changed
            del pending[code]
            progress = True
        if not progress:  # unreachable after the cycle check, kept as a guard
            raise ImportErrors([_("The parents in the file form a cycle.")])
    return created, updated


# --- people in positions --------------------------------------------------------------

def add_position(unit, title, start_date, end_date=None, person=None, name=None, phone=None):
    """Put a person (an existing one, or a new one from name and phone) in `title` at `unit`."""
    from .models import POSITION_TITLES, Person, Position

    if title not in dict(POSITION_TITLES):
        raise OrgError(_("Unknown position title: %(title)s", title=title))
    if start_date is None:
        raise OrgError(_("A position needs a start date."))
    if end_date is not None and end_date < start_date:
        raise OrgError(_("The end date cannot be before the start date."))
    if person is None:
        name = (name or "").strip()
        if not name:
            raise OrgError(_("Choose a person or type the name of a new one."))
        person = Person(name=name[:60], phone=(phone or "").strip()[:30] or None)
        db.session.add(person)
    position = Position(person=person, org_id=unit.id, title=title, start_date=start_date, end_date=end_date)
    db.session.add(position)
    db.session.flush()
    return position


def end_position(position, end_date):
    """End `position` on `end_date` (not before it started)."""
    if end_date is None:
        raise OrgError(_("An end date is needed."))
    if end_date < position.start_date:
        raise OrgError(_("The end date cannot be before the start date."))
    position.end_date = end_date
