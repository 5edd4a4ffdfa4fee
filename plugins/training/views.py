"""Console pages of the training module (/console/training/<unit code>/…): thin, rules in services."""

import re
from dataclasses import dataclass, field

from flask import Blueprint, Response, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from portal.accounts import can, org_or_404, permission_required
from portal.console.views import page_of, render_console
from portal.extensions import db
from portal.orgs.models import OrgUnit, Person, Position
from portal.tabular import write_xlsx
from portal.timeutil import local_today, to_local
from portal.ui import Problem
from portal.uploads import StoredFile, UploadError, save_upload, send_upload
from portal.web import page_number

from . import checkin, compliance, records, services
from .forms import ActionForm, ImportForm, SessionForm
from .models import ATTENDANCE_STATUSES, METHOD_LABELS, SESSION_TYPES, TYPE_LABELS, TrainingSession

bp = Blueprint("training", __name__, url_prefix="/console/training", template_folder="templates",
               static_folder=None)


def _unit(code, permission):
    """The unit `code` if the user holds `permission` there and training is on there; else 404."""
    org = org_or_404(code, permission)
    current_app.extensions["portal"].require_active("training", org)
    return org


def _session(org, session_id):
    session = db.session.get(TrainingSession, session_id)
    if session is None or not session.org.is_within(org):
        abort(404)
    return session


FIRST_YEAR, LAST_YEAR = 2000, 2100  # a year outside is a typing error


def _year_asked():
    """(year, Problem or None): ?year= when it is a year from FIRST_YEAR to LAST_YEAR; else this year, and
    the Problem that says so."""
    typed = request.args.get("year", "").strip()
    this_year = local_today().year
    if not typed:
        return this_year, None
    if re.fullmatch(r"[0-9]{4}", typed) and FIRST_YEAR <= int(typed) <= LAST_YEAR:
        return int(typed), None
    return this_year, Problem("year", _("“%(value)s” is not a year from %(first)d to %(last)d.", value=typed[:40],
                                        first=FIRST_YEAR, last=LAST_YEAR),
                              _("Showing %(year)d instead.", year=this_year))


def _type_asked():
    """(type, Problem or None): ?type= when it is a type of session; else "" (all types), and the Problem that
    says so: a list of every type must not read as a list of the one asked for."""
    typed = request.args.get("type", "").strip()
    if not typed or typed in TYPE_LABELS:
        return typed, None
    return "", Problem("type", _("“%(value)s” is not a type of session.", value=typed[:40]),
                       _("Showing all types instead."))


def _user():
    return current_user._get_current_object()


# --- sessions ----------------------------------------------------------------------------------

@bp.route("/<code>/")
@permission_required("training.view")
def index(code):
    """Sessions organized at the unit and below, filtered by year and type."""
    org = _unit(code, "training.view")
    year, year_problem = _year_asked()
    type_, type_problem = _type_asked()
    page = db.paginate(services.sessions_in(org, year, type_ or None), page=page_number(), per_page=50,
                       error_out=False)
    counts = services.attended_counts(page.items)
    # the button leads to the session form, which needs a unit here that holds sessions; a committee has none
    may_record = can(current_user, "training.record", org)
    organizes = services.organizes_sessions(org)
    return render_console("training/index.html", org=org, page=page, year=year, type_=type_, types=SESSION_TYPES,
                          counts=counts, problems=[p for p in (year_problem, type_problem) if p],
                          can_record=may_record and organizes, holds_none=may_record and not organizes)


def _fill_choices(form, org):
    units = [u for u in services.organizer_units(org) if can(current_user, "training.record", u)]
    form.org.choices = [(u.code, f"{u.name} ({u.kind_label})") for u in units]
    return {u.code: u for u in units}


def _apply_form(form, units, session=None):
    """Save the session from a validated form; on refusal put the messages on the fields."""
    hours = form.hours.data
    starts = services.local_to_utc(form.starts_at.data)
    ends = services.local_to_utc(form.ends_at.data)
    try:
        stored = [save_upload(f, f.filename) for f in (form.materials.data or []) if f and f.filename]
        session = services.save_session(session, org=units.get(form.org.data), type=form.type.data, starts_at=starts,
                                        ends_at=ends, hours=hours, topic=form.topic.data,
                                        lecturer=form.lecturer.data, place=form.place.data,
                                        minutes=form.minutes.data, user=_user())
        for item in stored:
            services.add_material(session, item, user=_user())
    except UploadError as exc:
        db.session.rollback()
        form.materials.errors = [str(exc)]
        return None
    except services.TrainingError as exc:
        db.session.rollback()
        for name, message in exc.fields.items():
            getattr(form, name).errors = list(getattr(form, name).errors or []) + [message]
        form.form_errors = list(exc.errors)
        return None
    db.session.commit()
    return session


@bp.route("/<code>/new", methods=["GET", "POST"])
@permission_required("training.record")
def new(code):
    """Record a session."""
    org = _unit(code, "training.record")
    form = SessionForm()
    units = _fill_choices(form, org)
    if not units:
        abort(404)
    if request.method == "GET":
        form.org.data = request.args.get("unit") if request.args.get("unit") in units else next(iter(units))
        if request.args.get("type") in TYPE_LABELS:  # from the dashboard's meetings to hold
            form.type.data = request.args["type"]
    if form.validate_on_submit():
        session = _apply_form(form, units)
        if session is not None:
            flash(_("Session recorded. Now mark the attendance."), "success")
            return redirect(url_for("training.attendance", code=code, session_id=session.id))
    return render_console("training/session_form.html", org=org, form=form, session=None,
                          hours=services.hour_settings(org))


@bp.route("/<code>/session/<int:session_id>/edit", methods=["GET", "POST"])
@permission_required("training.record")
def edit(code, session_id):
    """Edit a session (times are re-checked against its attendees' other sessions)."""
    org = _unit(code, "training.record")
    session = _session(org, session_id)
    form = SessionForm()
    units = _fill_choices(form, org)
    if request.method == "GET":
        form.org.data, form.type.data = session.org.code, session.type
        form.starts_at.data = to_local(session.starts_at).replace(tzinfo=None)
        form.ends_at.data = to_local(session.ends_at).replace(tzinfo=None)
        form.hours.data, form.topic.data = session.hours, session.topic
        form.lecturer.data, form.place.data, form.minutes.data = session.lecturer, session.place, session.minutes
    if form.validate_on_submit():
        if _apply_form(form, units, session) is not None:
            flash(_("Session saved."), "success")
            return redirect(url_for("training.detail", code=code, session_id=session.id))
    return render_console("training/session_form.html", org=org, form=form, session=session,
                          hours=services.hour_settings(org))


@bp.route("/<code>/session/<int:session_id>")
@permission_required("training.view")
def detail(code, session_id):
    """A session: its details, minutes, materials and attendance."""
    org = _unit(code, "training.view")
    session = _session(org, session_id)
    rows = sorted(session.attendance, key=lambda a: (a.person.name, a.person_id))
    return render_console("training/detail.html", org=org, session=session, rows=rows, methods=METHOD_LABELS,
                          materials=[StoredFile.from_dict(m) for m in session.materials or ()],
                          can_record=can(current_user, "training.record", session.org), form=ActionForm())


@bp.route("/<code>/session/<int:session_id>/files/<key>")
@permission_required("training.view")
def material(code, session_id, key):
    """Download one of the session's materials."""
    org = _unit(code, "training.view")
    session = _session(org, session_id)
    for item in session.materials or ():
        if item["key"] == key:
            return send_upload(StoredFile.from_dict(item))
    abort(404)


@bp.route("/<code>/session/<int:session_id>/delete", methods=["POST"])
@permission_required("training.record")
def delete(code, session_id):
    """Delete a session recorded by mistake (with its attendance)."""
    org = _unit(code, "training.record")
    session = _session(org, session_id)
    if ActionForm().validate_on_submit():
        services.delete_session(session, user=_user())
        db.session.commit()
        flash(_("Session deleted."), "success")
    return redirect(url_for("training.index", code=code))


# --- attendance --------------------------------------------------------------------------------

@bp.route("/<code>/session/<int:session_id>/attendance", methods=["GET", "POST"])
@permission_required("training.record")
def attendance(code, session_id):
    """Mark every member of the organizing unit present, late, excused or absent, on one screen."""
    org = _unit(code, "training.record")
    session = _session(org, session_id)
    roster = services.members(session.org, services.session_day(session))
    current = {pid: a.status for pid, a in services.attendance_map(session).items()}
    form = ActionForm()
    errors = []
    if form.validate_on_submit():
        wanted = {}
        everyone = "all_present" in request.form  # one button for the usual case: everybody came
        for person in roster:
            wanted[person.id] = "present" if everyone else request.form.get(f"status-{person.id}", "")
        for key in request.form:
            if key.startswith("status-") and key[7:].isdigit() and int(key[7:]) not in wanted:
                wanted[int(key[7:])] = request.form[key]  # refused below: not a member
        try:
            services.mark_attendance(session, wanted, user=_user())
        except services.TrainingError as exc:
            db.session.rollback()
            errors = exc.errors
            current = {pid: s for pid, s in wanted.items()}
        else:
            db.session.commit()
            flash(_("Attendance saved."), "success")
            return redirect(url_for("training.detail", code=code, session_id=session.id))
    return render_console("training/attendance.html", org=org, session=session, roster=roster, current=current,
                          statuses=ATTENDANCE_STATUSES, form=form, errors=errors)


@bp.route("/<code>/session/<int:session_id>/import", methods=["GET", "POST"])
@permission_required("training.record")
def import_sheet(code, session_id):
    """Import a sign-in sheet: every error by row and column, all or nothing."""
    org = _unit(code, "training.record")
    session = _session(org, session_id)
    form = ImportForm()
    errors = []
    if form.validate_on_submit():
        upload = form.sheet.data
        try:
            n = services.import_sheet(session, upload.read(), upload.filename or "", user=_user())
        except services.TrainingError as exc:
            db.session.rollback()
            errors = exc.errors
        else:
            db.session.commit()
            flash(_("Sign-in sheet imported: %(n)d people recorded.", n=n), "success")
            return redirect(url_for("training.detail", code=code, session_id=session.id))
    return render_console("training/import.html", org=org, session=session, form=form, errors=errors)


@bp.route("/<code>/session/<int:session_id>/qr")
@permission_required("training.record")
def qr(code, session_id):
    """The QR code members scan to sign in, valid from 30 minutes before the start to the end."""
    org = _unit(code, "training.record")
    session = _session(org, session_id)
    url = url_for("training_public.checkin", token=checkin.make_token(session), _external=True)
    opens, closes = checkin.window(session)
    return render_console("training/qr.html", org=org, session=session, url=url, svg=Markup(checkin.qr_svg(url)),
                          opens=opens, closes=closes)


# --- members and their hours -------------------------------------------------------------------

MEMBERS_PER_PAGE = 100


@bp.route("/<code>/members")
@permission_required("training.view")
def members(code):
    """Party members and cadres at the unit and below: sessions and hours this year, against the requirement."""
    org = _unit(code, "training.view")
    year, problem = _year_asked()
    rows = page_of(records.member_hours(org, year, local_today()), MEMBERS_PER_PAGE)
    return render_console("training/members.html", org=org, rows=rows, year=year,
                          problems=[problem] if problem else [])


@bp.route("/<code>/people/<int:person_id>")
@permission_required("training.view")
def person(code, person_id):
    """A member's record (党员档案): sessions attended and hours per year against the requirement."""
    org = _unit(code, "training.view")
    who = db.session.get(Person, person_id)
    held_here = who is not None and db.session.scalar(
        select(Position.id).join(OrgUnit, Position.org_id == OrgUnit.id)
        .where(Position.person_id == who.id, OrgUnit.path.startswith(org.path, autoescape=True)).limit(1))
    if not held_here:
        abort(404)
    this_year = local_today().year
    years = {this_year}
    for pos in who.positions:
        years |= set(range(max(pos.start_date.year, this_year - 4), this_year + 1))
    return render_console("training/person.html", org=org, person=who, records=records.person_record(who, years),
                          statuses=dict(ATTENDANCE_STATUSES))


# --- compliance --------------------------------------------------------------------------------

COMPLIANCE_ROWS_PER_PAGE = 500  # rows of each list on the compliance page


@dataclass
class ComplianceFilters:
    """The year, party branch and type of meeting an officer asked for on the compliance page.

    A value not understood is replaced by what the page shows without it, and `problems` says so: an
    unknown branch or type must not read as "every required meeting was held".
    """

    year: int
    branch: str = ""
    type_: str = ""
    problems: list = field(default_factory=list)

    @classmethod
    def from_args(cls, args, org, branches):
        """The filters of `args` at `org`, whose party branches (with training on) are `branches`."""
        year, problem = _year_asked()
        filters = cls(year, problems=[problem] if problem else [])
        branch = args.get("branch", "").strip()
        if branch in {b.code for b in branches}:
            filters.branch = branch
        elif branch:
            filters.problems.append(Problem("branch", _("%(org)s has no party branch with the code “%(value)s”.",
                                                        org=org.name, value=branch[:40]),
                                            _("Showing all branches instead.")))
        type_ = args.get("type", "").strip()
        if type_ in {t for t, _h in compliance.REGULAR_TYPES}:
            filters.type_ = type_
        elif type_:
            filters.problems.append(Problem("type", _("“%(value)s” is not a type of required meeting.",
                                                      value=type_[:40]), _("Showing all types instead.")))
        return filters


def _compliance_page(org, filters, branches, status=200):
    """The compliance page of `org` for `filters` (with `status`: 400 when a download was refused)."""
    today = local_today()
    year = filters.year
    gaps_all = compliance.meeting_gaps(org, year, today)
    behind_all = compliance.behind_on_hours(org, year, today)
    gaps, behind = compliance.narrowed(gaps_all, behind_all, filters.branch, filters.type_)
    not_this_year, new = compliance.rotation(org, today) if year == today.year else ([], [])
    from portal.charts import bar_chart

    chart = bar_chart(_("Meetings not held, by type (%(year)d)", year=year), compliance.gaps_by_type(gaps_all),
                      label_head=_("Type of session"), value_head=_("Periods without a meeting"))
    counts = {"gaps": len(gaps_all), "branches_with_gaps": len({g["branch"].id for g in gaps_all}),
              "behind": len(behind), "untrained": len(not_this_year), "new_untrained": len(new)}
    regular = [(t, TYPE_LABELS[t]) for t, _h in compliance.REGULAR_TYPES]
    # a county has thousands of each: a page of each list; the counts of all; the workbook of what the lists hold
    gaps = page_of(gaps, COMPLIANCE_ROWS_PER_PAGE, "gaps_page")
    behind = page_of(behind, COMPLIANCE_ROWS_PER_PAGE, "behind_page")
    return render_console("training/compliance.html", org=org, year=year, today=today, gaps=gaps, behind=behind,
                          not_this_year=not_this_year, new=new, chart=chart, counts=counts, branches=branches,
                          filters=filters, branch_code=filters.branch, type_=filters.type_, regular=regular,
                          by_township=compliance.by_township(org, gaps_all, behind_all)), status


@bp.route("/<code>/compliance")
@permission_required("training.compliance")
def compliance_page(code):
    """Meetings not held, members behind on hours and secretaries not trained, for a year."""
    org = _unit(code, "training.compliance")
    branches = compliance.branches_at(org)
    return _compliance_page(org, ComplianceFilters.from_args(request.args, org, branches), branches)


@bp.route("/<code>/compliance.xlsx")
@permission_required("training.compliance")
def compliance_xlsx(code):
    """The compliance tables as an XLSX workbook, of the branch and type asked for."""
    org = _unit(code, "training.compliance")
    branches = compliance.branches_at(org)
    filters = ComplianceFilters.from_args(request.args, org, branches)
    if filters.problems:  # a workbook of something else, read without the page's messages, would mislead
        flash(_("Nothing was downloaded: a filter was not understood (see below). Correct it, or download what "
                "the page shows."), "error")
        return _compliance_page(org, filters, branches, status=400)
    year = filters.year
    headers, rows = compliance.export_rows(org, year, local_today(), filters.branch, filters.type_)
    data = write_xlsx(headers, rows, title=f"{year}")
    filename = f"training-compliance-{org.code}-{year}.xlsx"
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
