"""Public pages of major decisions (四议两公开), read from the ledger only (kind "decision")."""

from flask import abort, render_template
from flask_babel import gettext as _

from portal.extensions import db
from portal.ledger import Publication, latest, latest_revisions, publication_text

from .decisions import DISCLOSURE_TITLE_ENDS, KIND, MEETING_LABELS, STEP_LABELS, disclosure_title
from .public import _org_or_404, bp


def decision_publications(org_code):
    """Latest revisions of the decision records published at `org_code`, newest first."""
    return [p for p in db.session.scalars(latest_revisions(
        Publication.plugin == "disclosure", Publication.kind == KIND, Publication.org_code == org_code))
        if isinstance(p.payload, dict)]


@bp.app_template_global("disclosure_decisions")
def disclosure_decisions(org_code):
    """[(decision publication, stage label of its last step)] for the village pages."""
    return [(p, STEP_LABELS.get(p.payload.get("stage"))) for p in decision_publications(org_code)]


def disclosure_title_words(pub):
    """The title of a published disclosure in the reader's language if it is the title the code gave a
    decision's resolution or result (decisions.disclosure_text); else None: shown as stored.

    Only the decision's record says which step `pub` is, and of what decision: a title a clerk typed
    in the same shape is theirs, and stays as they wrote it.
    """
    if not pub.title.endswith(tuple(DISCLOSURE_TITLE_ENDS.values())):
        return None  # nearly every disclosure: no record to read
    for record in decision_publications(pub.org_code):
        title = record.payload.get("title")
        for s in record.payload.get("steps") or ():
            number = s.get("number")
            if s.get("pub_id") == pub.pub_id and number in DISCLOSURE_TITLE_ENDS \
                    and pub.title == disclosure_title(pub.org_name, title, number):
                return _title_in_words(pub.org_name, title, number)
    return None


def _title_in_words(org_name, decision_title, number):
    if number == 5:
        return _("Resolution of %(org)s on %(title)s", org=org_name, title=decision_title)
    return _("Result of the resolution of %(org)s on %(title)s", org=org_name, title=decision_title)


@bp.app_template_global("decision_labels")
def decision_labels():
    """Labels of the six steps and of the meetings, for the kind template rendered by the core."""
    return {"step": STEP_LABELS, "meeting": MEETING_LABELS}


@bp.app_template_global("disclosure_pub_title")
def disclosure_pub_title(pub_id):
    """The title of the latest revision of a published disclosure as the reader reads it (steps 5 and 6
    link to it)."""
    pub = latest(pub_id) if pub_id else None
    return publication_text(pub)["title"] if pub is not None and pub.action != "withdraw" else None


@bp.route("/o/<code>/decisions/<int:decision_id>")
def decision(code, decision_id):
    """The whole record of a major decision, with links to its published resolution and result."""
    org = _org_or_404(code)
    pub = next((p for p in decision_publications(org.code) if p.payload.get("decision_id") == decision_id), None)
    if pub is None:
        abort(404)
    return render_template("disclosure/public/decision.html", org=org, publication=pub, payload=pub.payload)
