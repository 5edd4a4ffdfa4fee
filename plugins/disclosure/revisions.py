"""After publication: a correction (a new revision through the same review road) or a withdrawal (撤回).

Plain functions like those of services.py: permission checked at the village, a message for
the user when a step is refused, committing left to the caller.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from portal import ledger
from portal.extensions import db
from portal.orgs import OrgUnit
from portal.timeutil import utcnow

from .models import DONE, Disclosure
from .services import PLUGIN, DisclosureError, _require, _step


def published(pub_id):
    """(latest revision, village) of the disclosure published as `pub_id`, withdrawn or not; None if there is none."""
    pub = ledger.latest(pub_id)
    if pub is None or pub.plugin != PLUGIN:
        return None
    return pub, db.session.get(OrgUnit, pub.org_id)


def _published_for(pub_id, user, permission, reason, reason_missing):
    """(latest revision, village, stripped reason) of a published, not withdrawn disclosure that `user`
    holds `permission` for; DisclosureError (`reason_missing` for an empty reason) otherwise."""
    found = published(pub_id)
    if found is None or found[0].action == "withdraw":
        raise DisclosureError(_("No such published disclosure."))
    pub, org = found
    _require(user, permission, org)
    reason = (reason or "").strip()
    if not reason:
        raise DisclosureError(reason_missing)
    return pub, org, reason


def start_correction(pub_id, user, reason):
    """A new draft copying the latest revision of `pub_id`; publishing it appends a corrected revision."""
    pub, org, reason = _published_for(pub_id, user, "disclosure.draft", reason,
                                      _("A correction must say what changed and why."))
    open_one = db.session.scalar(select(Disclosure).where(Disclosure.correction_of == pub_id,
                                                          Disclosure.state.notin_(DONE)))
    if open_one is not None:
        raise DisclosureError(_("A correction of this disclosure is already under way."))
    p = pub.payload or {}
    d = Disclosure(org=org, org_id=org.id, category=p.get("category", "village"),
                   disclosure_kind=p.get("disclosure_kind", "immediate"), period=p.get("period"), title=pub.title,
                   body=p.get("body", ""), attachments=list(p.get("attachments") or []), statement=p.get("statement"),
                   state="draft", correction_of=pub_id, correction_reason=reason, created_by_id=user.id,
                   created_at=utcnow())
    db.session.add(d)
    db.session.flush()
    _step(d, user, "correction", reason)
    return d


def withdraw(pub_id, user, reason):
    """Withdraw a published disclosure (撤回): a withdrawal revision in the ledger that says why.

    Whoever may publish at the village may withdraw. The public page then says it was withdrawn
    and why; earlier revisions stay in its history; the compliance calendar no longer counts it.
    """
    _pub, _org, reason = _published_for(pub_id, user, "disclosure.publish", reason, _("A withdrawal must say why."))
    revision = ledger.withdraw(pub_id, reason=reason, user=user)
    source = db.session.scalar(select(Disclosure).where(Disclosure.pub_id == pub_id)
                               .order_by(Disclosure.id.desc()).limit(1))
    if source is not None:
        source.state = "withdrawn"
        _step(source, user, "withdraw", reason)
    return revision
