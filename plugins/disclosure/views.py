"""Console views of the disclosure plugin: thin; the road itself is in services.py."""

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import ledger, uploads
from portal.accounts import can, org_or_404, permission_required
from portal.console.views import render_console, working_org
from portal.extensions import db
from portal.tabular import TableError
from portal.web import page_number

from . import revisions, services, worklist
from .compliance import REQUIREMENT_CATEGORY, last_period
from .forms import ActionForm, AttachmentForm, DraftForm, ReasonForm, StatementForm, yuan_to_fen
from .models import DONE, IN_PROGRESS, Disclosure
from .services import DisclosureError, PersonalDataFound

bp = Blueprint("disclosure", __name__, url_prefix="/console/disclosure", template_folder="templates")
WORKFLOW = ("disclosure.draft", "disclosure.review", "disclosure.approve", "disclosure.publish")
PUBLISHED_PER_PAGE = 50
DRAFTS_PER_PAGE = 50
NEW_DRAFT_LINKS_MAX = 20  # a township's villages are listed with links; a county's 400 are picked from a select


def _host():
    return current_app.extensions["portal"]


def _user():
    return current_user._get_current_object()


def _may_see(org):
    return any(can(current_user, p, org) for p in WORKFLOW)


def _draft_or_404(draft_id, permission=None):
    """The draft if the user works on disclosures at its village (and holds `permission` there)."""
    d = db.session.get(Disclosure, draft_id)
    if d is None or not _may_see(d.org) or (permission and not can(current_user, permission, d.org)):
        abort(404)
    _host().require_active("disclosure", d.org)
    return d


def _detail(d):
    return redirect(url_for("disclosure.detail", draft_id=d.id))


def _commit_or_flash(fn, *args, success=None, **kwargs):
    """Run a service step: commit and flash success, or roll back and flash the refusal."""
    try:
        result = fn(*args, **kwargs)
    except (DisclosureError, uploads.UploadError, ledger.LedgerError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return False, None
    db.session.commit()
    if success:
        flash(success, "success")
    return True, result


# --- lists and drafts ------------------------------------------------------------------------

@bp.route("/")
@permission_required("console.access")
def index():
    """Drafts and published disclosures at the working unit and below."""
    org = working_org()
    if org is None or not _may_see(org):
        abort(404)
    _host().require_active("disclosure", org)
    drafts = db.paginate(worklist.drafts_query([org], states=IN_PROGRESS), page=page_number("drafts_page"),
                         per_page=DRAFTS_PER_PAGE, error_out=False)
    published = db.paginate(ledger.latest_revisions(ledger.Publication.plugin == "disclosure",
                                                    ledger.Publication.org_id.in_(org.subtree_ids())),
                            page=page_number("published_page"), per_page=PUBLISHED_PER_PAGE, error_out=False)
    villages = worklist.draft_villages(_user(), org, _host())
    # more villages than links to read (a county's 400): a select, by township
    picker = worklist.by_township(org, villages) if len(villages) > NEW_DRAFT_LINKS_MAX else None
    return render_console("disclosure/console/index.html", org=org, drafts=drafts, published=published,
                          waiting={d.id for d in drafts.items if worklist.next_step(current_user, d)},
                          villages=villages, picker=picker, labels=services.STATE_LABELS,
                          cats=services.CATEGORY_LABELS)


@bp.route("/new")
@permission_required("disclosure.draft")
def new_at():
    """The answer of the village picker: the new-draft page of the village chosen (which checks the user's
    right there)."""
    code = request.args.get("village", "")
    if not code:
        flash(_("Choose a village."), "error")
        return redirect(url_for("disclosure.index"))
    return redirect(url_for("disclosure.new", code=code, category=request.args.get("category", "finance")))


@bp.route("/<code>/new", methods=["GET", "POST"])
@permission_required("disclosure.draft")
def new(code):
    """A new draft at a village."""
    org = org_or_404(code, "disclosure.draft")
    _host().require_active("disclosure", org)
    form = DraftForm()
    if request.method == "GET":
        form.category.data = request.args.get("category", "finance")
        form.disclosure_kind.data = "regular"
        form.period.data = request.args.get("period", "")[:20] or last_period(org, form.category.data)
    if form.validate_on_submit():
        try:
            d = services.create_draft(org, _user(), category=form.category.data,
                                      disclosure_kind=form.disclosure_kind.data, period=form.period.data,
                                      title=form.title.data, body=form.body.data)
        except DisclosureError as exc:
            db.session.rollback()
            form.period.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Draft saved."), "success")
            return _detail(d)
    return render_console("disclosure/console/form.html", org=org, form=form, draft=None)


@bp.route("/d/<int:draft_id>")
@permission_required("console.access")
def detail(draft_id):
    """One draft: its content, findings, files, statement, the steps it may take and its history."""
    d = _draft_or_404(draft_id)
    return render_console("disclosure/console/detail.html", org=d.org, **_detail_context(d))


def _detail_context(d, findings=None):
    due = services.due_for(d.org, d.period) if d.disclosure_kind == "regular" and d.period else None
    return dict(d=d, due=due, acts=worklist.can_act(current_user, d), labels=services.STATE_LABELS,
                cats=services.CATEGORY_LABELS, kinds=services.KIND_LABELS, actions=services.ACTION_LABELS,
                findings=findings if findings is not None else ([] if d.state in DONE else services.scan(d)),
                action_form=ActionForm(), reason_form=ReasonForm(), upload_form=AttachmentForm())


@bp.route("/d/<int:draft_id>/edit", methods=["GET", "POST"])
@permission_required("disclosure.draft")
def edit(draft_id):
    """Change a draft or a returned disclosure."""
    d = _draft_or_404(draft_id, "disclosure.draft")
    if not d.editable:
        flash(_("Only a draft or a returned disclosure can be changed; this one is: %(state)s.",
                state=services.STATE_LABELS[d.state]), "error")
        return _detail(d)
    form = DraftForm(obj=d)
    if form.validate_on_submit():
        ok, _r = _commit_or_flash(services.edit_draft, d, _user(), category=form.category.data,
                                  disclosure_kind=form.disclosure_kind.data, period=form.period.data,
                                  title=form.title.data, body=form.body.data, success=_("Draft saved."))
        if ok:
            return _detail(d)
        d = _draft_or_404(draft_id, "disclosure.draft")
    return render_console("disclosure/console/form.html", org=d.org, form=form, draft=d)


@bp.route("/d/<int:draft_id>/attach", methods=["POST"])
@permission_required("disclosure.draft")
def attach(draft_id):
    """Attach a photo or PDF."""
    d = _draft_or_404(draft_id, "disclosure.draft")
    form = AttachmentForm()
    if not form.validate_on_submit():
        flash(_("Choose a file."), "error")
        return _detail(d)
    _commit_or_flash(services.add_attachment, d, _user(), form.file.data, success=_("File attached."))
    return _detail(d)


@bp.route("/d/<int:draft_id>/detach/<key>", methods=["POST"])
@permission_required("disclosure.draft")
def detach(draft_id, key):
    """Remove an attached file."""
    d = _draft_or_404(draft_id, "disclosure.draft")
    if ActionForm().validate_on_submit():
        _commit_or_flash(services.remove_attachment, d, _user(), key, success=_("File removed."))
    return _detail(d)


@bp.route("/d/<int:draft_id>/file/<key>")
@permission_required("console.access")
def attachment(draft_id, key):
    """An attached file, for the people working on the draft."""
    d = _draft_or_404(draft_id)
    found = next((a for a in d.attachments or [] if a["key"] == key), None)
    if found is None:
        abort(404)
    return uploads.send_upload(uploads.StoredFile.from_dict(found))


@bp.route("/d/<int:draft_id>/statement", methods=["GET", "POST"])
@permission_required("disclosure.draft")
def statement(draft_id):
    """Import the month's finance statement (CSV or XLSX) into a finance draft."""
    d = _draft_or_404(draft_id, "disclosure.draft")
    form = StatementForm()
    if request.method == "GET" and services.parse_period(d.period or "") and "Q" not in (d.period or ""):
        form.month.data = d.period
    errors = []
    if form.validate_on_submit():
        data = form.file.data.stream.read(current_app.config.get("UPLOAD_MAX_BYTES", 5 * 1024 * 1024) + 1)
        try:
            if len(data) > current_app.config.get("UPLOAD_MAX_BYTES", 5 * 1024 * 1024):
                raise DisclosureError(_("The file is too large."))
            services.attach_statement(d, _user(), data, form.file.data.filename or "statement.csv",
                                      month=form.month.data.strip(), stated_closing_fen=yuan_to_fen(form.closing.data),
                                      opening_fen=yuan_to_fen(form.opening.data))
        except TableError as exc:
            db.session.rollback()
            errors = [str(e) for e in exc.errors] or [str(exc)]
        except DisclosureError as exc:
            db.session.rollback()
            errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("Statement imported."), "success")
            return _detail(d)
        d = _draft_or_404(draft_id, "disclosure.draft")
    return render_console("disclosure/console/statement.html", org=d.org, d=d, form=form, errors=errors,
                          carried=_carried_over(d.org, form.month.data))


def _carried_over(org, month):
    """(previous month, its published closing balance in fen) when there is one, for the import form."""
    from . import finance

    month = (month or "").strip()
    parsed = services.parse_period(month)
    if not parsed or parsed[0] != "month":
        return None
    closing = finance.previous_closing(org, month)
    return (finance.shift_month(month, -1), closing) if closing is not None else None


# --- the review road ---------------------------------------------------------------------------

def _step_view(draft_id, permission, fn, success):
    d = _draft_or_404(draft_id, permission)
    if ActionForm().validate_on_submit():
        _commit_or_flash(fn, d, _user(), success=success)
    else:
        flash(_("The form has expired. Reload the page and try again."), "error")
    return _detail(d)


@bp.route("/d/<int:draft_id>/submit", methods=["POST"])
@permission_required("disclosure.draft")
def submit(draft_id):
    """Hand the draft to the supervision committee."""
    return _step_view(draft_id, "disclosure.draft", services.submit,
                      _("Submitted to the supervision committee for review."))


@bp.route("/d/<int:draft_id>/countersign", methods=["POST"])
@permission_required("disclosure.review")
def countersign(draft_id):
    """Countersign for the supervision committee."""
    return _step_view(draft_id, "disclosure.review", services.countersign, _("Countersigned."))


@bp.route("/d/<int:draft_id>/approve", methods=["POST"])
@permission_required("disclosure.approve")
def approve(draft_id):
    """Approve for the two committees."""
    return _step_view(draft_id, "disclosure.approve", services.approve, _("Approved."))


@bp.route("/d/<int:draft_id>/return", methods=["POST"])
@permission_required("console.access")
def return_draft(draft_id):
    """Send the draft back to the clerk with a reason."""
    d = _draft_or_404(draft_id)
    form = ReasonForm()
    if not form.validate_on_submit():
        flash(_("Say why the draft goes back to the clerk."), "error")
        return _detail(d)
    _commit_or_flash(services.return_draft, d, _user(), form.reason.data, success=_("Returned to the clerk."))
    return _detail(d)


@bp.route("/d/<int:draft_id>/mask", methods=["POST"])
@permission_required("disclosure.draft")
def mask(draft_id):
    """Replace every piece of personal data found in the draft by its masked form."""
    d = _draft_or_404(draft_id, "disclosure.draft")
    if ActionForm().validate_on_submit():
        ok, count = _commit_or_flash(services.mask_all, d, _user())
        if ok:
            flash(_("%(n)d pieces of personal data masked.", n=count), "success")
    return _detail(d)


@bp.route("/d/<int:draft_id>/publish", methods=["POST"])
@permission_required("disclosure.publish")
def publish(draft_id):
    """Publish an approved disclosure, unless it holds personal data (then list each finding)."""
    d = _draft_or_404(draft_id, "disclosure.publish")
    if not ActionForm().validate_on_submit():
        return _detail(d)
    try:
        pub = services.publish(d, _user())
    except PersonalDataFound as exc:
        db.session.rollback()
        d = _draft_or_404(draft_id, "disclosure.publish")
        return render_console("disclosure/console/refused.html", org=d.org,
                              **_detail_context(d, findings=exc.findings))
    except (DisclosureError, ledger.LedgerError) as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _detail(d)
    db.session.commit()
    flash(_("Published as revision %(n)d.", n=pub.revision), "success")
    return _detail(d)


def _publication_or_404(pub_id, permission):
    """(latest revision, village) of a published disclosure the user holds `permission` for, else 404."""
    found = revisions.published(pub_id)
    if found is None or not can(current_user, permission, found[1]):
        abort(404)
    pub, org = found
    _host().require_active("disclosure", org)
    return pub, org


@bp.route("/correct/<int:pub_id>", methods=["GET", "POST"])
@permission_required("disclosure.draft")
def correct(pub_id):
    """Start a correction of a published disclosure: a new draft that goes the same road."""
    pub, org = _publication_or_404(pub_id, "disclosure.draft")
    form = ReasonForm()
    if form.validate_on_submit():
        try:
            d = revisions.start_correction(pub_id, _user(), form.reason.data)
        except DisclosureError as exc:
            db.session.rollback()
            form.reason.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Correction draft started: change it, then it goes through review again."), "success")
            return _detail(d)
    return render_console("disclosure/console/correct.html", org=org, pub=pub, form=form,
                          history=ledger.history(pub_id))


@bp.route("/withdraw/<int:pub_id>", methods=["GET", "POST"])
@permission_required("disclosure.publish")
def withdraw(pub_id):
    """Withdraw a published disclosure (撤回), with a reason the public page shows."""
    pub, org = _publication_or_404(pub_id, "disclosure.publish")
    form = ReasonForm()
    if form.validate_on_submit():  # a second withdrawal is refused by revisions.withdraw
        try:
            revisions.withdraw(pub_id, _user(), form.reason.data)
        except (DisclosureError, ledger.LedgerError) as exc:
            db.session.rollback()
            form.reason.errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Withdrawn. The public page now says so, with your reason."), "success")
            return redirect(url_for("public.publication", pub_id=pub_id))
    return render_console("disclosure/console/withdraw.html", org=org, pub=pub, form=form,
                          history=ledger.history(pub_id))


def waiting_tile_context(user, org):
    """For the dashboard tile: the drafts whose next step is the user's, and at a village what it has still
    to disclose."""
    return {"waiting": worklist.waiting_for(user, org)[:8], "due": worklist.due_at(user, org), "org_code": org.code,
            "steps": STEP_LABELS, "categories": REQUIREMENT_CATEGORY}


STEP_LABELS = {"submit": _l("returned: change and submit again"), "countersign": _l("countersign"),
               "approve": _l("approve"), "publish": _l("publish")}
