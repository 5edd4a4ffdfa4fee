"""Labels of the hotline's categories, states, ratings and timeline events (translated lazily)."""

from datetime import timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.workdays import local_date

from .models import ACCEPTED, ASSIGNED, CLOSED, IN_PROGRESS, MERGED, REOPENED, REPLIED

CATEGORY_LABELS = {
    "consult": _l("Question (咨询)"),
    "help": _l("Request for help (求助)"),
    "complaint": _l("Complaint (投诉)"),
    "report": _l("Report of wrongdoing (举报)"),
    "suggestion": _l("Suggestion (建议)"),
    "objection": _l("Objection to a disclosure (村务公开异议)"),
}
STATE_LABELS = {
    ACCEPTED: _l("Accepted (受理)"),
    ASSIGNED: _l("Assigned (派单)"),
    IN_PROGRESS: _l("In progress (办理)"),
    REPLIED: _l("Replied (答复)"),
    CLOSED: _l("Closed (办结)"),
    REOPENED: _l("Reopened (重办)"),
    MERGED: _l("Merged (合并)"),
}
RATING_LABELS = {
    "very_satisfied": _l("Very satisfied (非常满意)"),
    "satisfied": _l("Satisfied (满意)"),
    "basically_satisfied": _l("Basically satisfied (基本满意)"),
    "dissatisfied": _l("Dissatisfied (不满意)"),
    "very_dissatisfied": _l("Very dissatisfied (非常不满意)"),
}
EVENT_LABELS = {
    "filed": _l("Filed and accepted"),
    "assigned": _l("Assigned"),
    "signed": _l("Signed for"),
    "reply": _l("Reply"),
    "note": _l("Internal note"),
    "extended": _l("Deadline extended"),
    "closed": _l("Closed"),
    "rated": _l("Rated"),
    "reopened": _l("Reopened"),
    "escalated": _l("Supervised (督办)"),
    "merged": _l("Merged"),
    "merged_in": _l("A duplicate merged in"),
    "accused": _l("Marked whom the case is about"),
}
# Timeline lines whose words the code writes: said when shown, in the reader's language, from what
# the event keeps (a case code). Older "merged" lines kept the words in the merger's language; these
# words replace them.
EVENT_TEXTS = {
    "merged": lambda _kept: _("Handled together with another case about the same matter; its replies are "
                              "shown here."),
    "merged_in": lambda code: _("Case %(code)s was merged into this one.", code=code),
}
ESCALATION_LABELS = {1: _l("Township supervision (乡镇督办)"), 2: _l("County supervision (县级督办)")}

def due(moment):
    """A deadline (the end of a local day, stored as the next midnight in UTC) as "2026-10-09, end of day"."""
    if moment is None:
        return ""
    day = local_date(moment - timedelta(seconds=1))
    return _("%(date)s, end of day", date=format_date(day, "yyyy-MM-dd"))


def event_text(event):
    """What a timeline line says: the code's words in the reader's language, a person's words as written."""
    say = EVENT_TEXTS.get(event.kind)
    return say(event.text) if say is not None else event.text


def template_labels():
    """Label dictionaries the hotline's templates use."""
    return {"categories": CATEGORY_LABELS, "states": STATE_LABELS, "ratings": RATING_LABELS,
            "escalations": ESCALATION_LABELS, "event_labels": EVENT_LABELS, "event_text": event_text, "due": due}
