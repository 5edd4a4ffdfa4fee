"""Console pages of the org tree: the tree, a unit, its people, settings, and CSV import."""

from flask import abort, flash, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import audit
from ..accounts.access import can, org_or_404, permission_required, scope_roots
from ..accounts.models import Grant
from ..extensions import db
from ..orgs.models import POSITION_TITLES, OrgUnit, Person, Position
from ..orgs.services import (ImportErrors, OrgError, add_position, create_unit, end_position, move_unit,
                             rename_unit, set_established_on)
from ..orgs.settings import SettingError, effective_settings, set_setting, setting_specs
from ..timeutil import local_today
from . import services
from .forms import (NEW_PERSON, choices, EndPositionForm, ImportForm, MoveForm, PositionForm, RenameForm, SettingForm,
                    UnitForm)
from .views import back, bp, render_console


def _unit_form(unit):
    form = UnitForm(prefix="child")
    form.kind.choices = choices(services.child_kinds(unit))
    return form


def _position_form(unit):
    form = PositionForm(prefix="pos")
    people = db.session.scalars(
        select(Person).join(Position, Position.person_id == Person.id).join(OrgUnit, Position.org_id == OrgUnit.id)
        .where(OrgUnit.path.startswith(unit.ancestor_of_kind("township").path if unit.ancestor_of_kind("township")
                                       else unit.path, autoescape=True))
        .distinct().order_by(Person.name).limit(500)
    ).all()
    form.person.choices = choices([(NEW_PERSON, _("— a new person (type the name below) —"))] + [
        (str(p.id), f"{p.name} (#{p.id})") for p in people])
    return form, {p.id: p for p in people}


def _setting_form():
    form = SettingForm(prefix="setting")
    form.key.choices = choices((key, str(spec.label)) for key, spec in sorted(setting_specs().items()))
    return form


def _rename_form(unit):
    form = RenameForm(prefix="rename")
    if request.method == "GET":
        form.name.data, form.code.data, form.established_on.data = unit.name, unit.code, unit.established_on
    return form


def _iso(day):
    return day.isoformat() if day else None


def _detail(unit, status=200, **forms):
    """Render the unit page with its forms (those given carry the user's input and errors)."""
    show_phones = request.args.get("phones") == "1" and can(current_user, "personal.view", unit)
    positions = db.session.scalars(
        select(Position).where(Position.org_id == unit.id).order_by(Position.start_date.desc())).all()
    today = local_today()
    current = [p for p in positions if p.current_on(today)]
    past = [p for p in positions if not p.current_on(today)]
    if show_phones:
        for person in {p.person for p in positions if p.person.phone}:
            audit.record_view_of_personal_data(person, ["phone"], org=unit)
        db.session.commit()
    values = effective_settings(unit)
    where = {u.id: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(unit.ancestor_ids)))}
    specs = setting_specs()
    settings = [(specs[k], v, where.get(at)) for k, (v, at) in sorted(values.items())]
    grants = db.session.scalars(select(Grant).where(Grant.org_id == unit.id)).all()
    pos_form, _people = _position_form(unit)
    context = dict(
        unit=unit, ancestors=[a for a in unit.ancestors() if can(current_user, "org.view", a)],
        children=unit.children, current=current, past=past, show_phones=show_phones,
        titles=dict(POSITION_TITLES), settings=settings, grants=grants,
        child_form=_unit_form(unit), rename_form=_rename_form(unit), move_form=MoveForm(prefix="move"),
        position_form=pos_form, end_form=EndPositionForm(prefix="end", end_date=today),
        setting_form=_setting_form(),
    )
    context.update(forms)
    return render_console("console/org_detail.html", org=unit, **context), status


@bp.route("/orgs")
@permission_required("org.view")
def org_tree():
    """The tree of the units the user may see, each linked to its page."""
    return render_console("console/org_tree.html", tree=services.scope_tree(current_user, "org.view"))


@bp.route("/orgs/<code>")
@permission_required("org.view")
def org_detail(code):
    """A unit: kind, code, children, people in positions, settings and grants."""
    return _detail(org_or_404(code, "org.view"))


@bp.route("/orgs/<code>/children", methods=["POST"])
@permission_required("org.manage")
def org_create_child(code):
    """Create a unit under this one."""
    unit = org_or_404(code, "org.manage")
    form = _unit_form(unit)
    if form.validate_on_submit():
        try:
            child = create_unit(form.kind.data, form.name.data, form.code.data, unit,
                                established_on=form.established_on.data)
            detail = {"code": child.code, "parent": unit.code}
            if child.established_on:
                detail["established_on"] = child.established_on.isoformat()
            audit.record("org.create", obj=child, org=child, detail=detail)
        except OrgError as exc:
            db.session.rollback()
            form.code.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("%(name)s created.", name=child.name), "success")
            return back("console.org_detail", code=unit.code)
    return _detail(unit, 422, child_form=form)


@bp.route("/orgs/<code>/rename", methods=["POST"])
@permission_required("org.manage")
def org_rename(code):
    """Change a unit's name, code and the date it was established."""
    unit = org_or_404(code, "org.manage")
    form = _rename_form(unit)
    if form.validate_on_submit():
        old, old_established = (unit.name, unit.code), unit.established_on
        try:
            rename_unit(unit, form.name.data, form.code.data)
            set_established_on(unit, form.established_on.data)
            if (unit.name, unit.code) != old:
                audit.record("org.rename", obj=unit, org=unit, detail={"old": list(old), "new": [unit.name, unit.code]})
            if unit.established_on != old_established:
                audit.record("org.establish", obj=unit, org=unit,
                             detail={"old": _iso(old_established), "new": _iso(unit.established_on)})
        except OrgError as exc:
            db.session.rollback()
            unit = org_or_404(code, "org.manage")
            form.code.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return back("console.org_detail", code=unit.code)
    return _detail(unit, 422, rename_form=form)


@bp.route("/orgs/<code>/move", methods=["POST"])
@permission_required("org.manage")
def org_move(code):
    """Put a unit (and its subtree) under another unit in scope."""
    unit = org_or_404(code, "org.manage")
    form = MoveForm(prefix="move")
    if form.validate_on_submit():
        parent = OrgUnit.by_code(form.parent_code.data)
        if parent is None or not can(current_user, "org.manage", parent):
            form.parent_code.errors.append(_("There is no unit with this code in your scope."))
        else:
            try:
                old_parent = unit.parent.code if unit.parent else None
                move_unit(unit, parent)
                unit = db.session.get(OrgUnit, unit.id)
                audit.record("org.move", obj=unit, org=unit, detail={"from": old_parent, "to": parent.code})
            except OrgError as exc:
                db.session.rollback()
                form.parent_code.errors.append(str(exc))
            else:
                db.session.commit()
                flash(_("%(name)s now stands under %(parent)s.", name=unit.name, parent=parent.name), "success")
                return back("console.org_detail", code=unit.code)
        unit = org_or_404(code, "org.manage")
    return _detail(unit, 422, move_form=form)


@bp.route("/orgs/<code>/positions", methods=["POST"])
@permission_required("org.manage")
def org_add_position(code):
    """Put a person (existing or new) in a position at this unit."""
    unit = org_or_404(code, "org.manage")
    form, people = _position_form(unit)
    if form.validate_on_submit():
        person = None if form.person.data == NEW_PERSON else people.get(int(form.person.data))
        try:
            position = add_position(unit, form.title.data, form.start_date.data, form.end_date.data, person=person,
                                    name=form.name.data, phone=form.phone.data)
            audit.record("position.add", obj=position, org=unit,
                         detail={"person_id": position.person_id, "title": position.title})
        except OrgError as exc:
            db.session.rollback()
            form.title.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("%(name)s added.", name=position.person.name), "success")
            return back("console.org_detail", code=unit.code)
    return _detail(unit, 422, position_form=form)


@bp.route("/orgs/<code>/positions/<int:position_id>/end", methods=["POST"])
@permission_required("org.manage")
def org_end_position(code, position_id):
    """End a position held at this unit."""
    unit = org_or_404(code, "org.manage")
    position = db.session.get(Position, position_id)
    if position is None or position.org_id != unit.id:
        abort(404)
    form = EndPositionForm(prefix="end")
    if form.validate_on_submit():
        try:
            end_position(position, form.end_date.data)
            audit.record("position.end", obj=position, org=unit, detail={"end_date": position.end_date.isoformat()})
        except OrgError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("Position ended."), "success")
    else:
        flash(_("Give the date the position ended."), "error")
    return back("console.org_detail", code=unit.code)


@bp.route("/orgs/<code>/settings", methods=["POST"])
@permission_required("settings.manage")
def org_setting(code):
    """Set (or clear, to inherit) one setting at this unit."""
    unit = org_or_404(code, "settings.manage")
    form = _setting_form()
    if form.validate_on_submit():
        try:
            value = set_setting(unit, form.key.data, form.value.data)
            audit.record("setting.change", obj=unit, org=unit, detail={"key": form.key.data, "value": value})
        except SettingError as exc:
            db.session.rollback()
            form.value.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Setting saved."), "success")
            return back("console.org_detail", code=unit.code)
    return _detail(unit, 422, setting_form=form)


@bp.route("/orgs/import", methods=["GET", "POST"])
@permission_required("org.manage")
def org_import():
    """Import units from a CSV file: all or nothing, every bad line named."""
    form = ImportForm()
    errors = []
    if form.validate_on_submit():
        try:
            created, updated = services.import_units(current_user, form.file.data.read())
            roots = scope_roots(current_user, "org.manage")
            audit.record("org.import", org=roots[0] if roots else None, detail={"created": created, "updated": updated})
        except ImportErrors as exc:
            db.session.rollback()
            errors = exc.errors
        except OrgError as exc:
            db.session.rollback()
            errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("Import done: %(created)d units created, %(updated)d updated.", created=created, updated=updated),
                  "success")
            return back("console.org_tree")
    return render_console("console/org_import.html", form=form, errors=errors), 422 if errors else 200
