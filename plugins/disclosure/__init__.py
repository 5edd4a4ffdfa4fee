"""Village-affairs disclosure (村务公开): drafts, supervision review, finance statements."""

from flask_babel import lazy_gettext as _l

from portal import hookimpl
from portal.accounts import Permission, RoleSpec, can
from portal.audit import AuditLabels
from portal.ledger import PublicationKind
from portal.orgs import SettingSpec
from portal.ui import MenuLink, Widget

from . import models  # noqa: F401  (the tables belong to the metadata)
from .decisions import DEFAULT_MATTERS, STATUTORY_MATTERS
from .services import ACTION_LABELS

LABEL = _l("Village-affairs disclosure (村务公开)")  # the module's name in the console

# The audit log's words for what happened: a draft's steps as its timeline names them, then the rest.
AUDIT_LABELS = AuditLabels(
    actions={**{f"disclosure.{step}": label for step, label in ACTION_LABELS.items()},
             "disclosure.decision.create": _l("Started the record of a major decision (四议两公开)"),
             "disclosure.decision.step": _l("Recorded a step of a major decision"),
             "disclosure.request_filed": _l("Request for a disclosure filed (点题公开)"),
             "disclosure.request_extended": _l("Extended the time to answer a request"),
             "disclosure.request_answer_started": _l("Started the answer to a request"),
             "disclosure.request_answered": _l("Answered a request"),
             "disclosure.objection_filed": _l("Objection filed (异议)"),
             "disclosure.objection_answered": _l("Answered an objection"),
             "disclosure.objection_accepted": _l("Objection closed: the villager accepted the answer"),
             "disclosure.objection_escalated": _l("Objection sent to the township"),
             "disclosure.objection_township_answered": _l("Answered an objection for the township")},
    objects={"Disclosure": _l("Disclosure"), "MajorDecision": _l("Major decision (四议两公开)"),
             "DisclosureRequest": _l("Request for a disclosure"), "DisclosureObjection": _l("Objection")},
    fields={"state": _l("State"), "matter": _l("Matter"), "step": _l("Step"), "draft": _l("Draft"),
            "handler": _l("Handled by"), "reference": _l("Tracking code"),
            "requester_name": _l("Requester's name"), "requester_phone": _l("Requester's phone"),
            "objector_name": _l("Objector's name"), "objector_phone": _l("Objector's phone")},
)

WORKFLOW = frozenset({"disclosure.draft", "disclosure.review", "disclosure.approve", "disclosure.publish"})
PARTICIPATION = frozenset({"disclosure.objection", "disclosure.personal"})  # 点题公开 and 异议
ALL = WORKFLOW | {"disclosure.compliance"} | PARTICIPATION


@hookimpl
def register_blueprints():
    from . import (compliance_view, decision_public, decision_views, participation_public,  # noqa: F401
                   participation_views, public, views)

    return [views.bp, public.bp, participation_views.bp, participation_public.bp]


@hookimpl
def register_permissions():
    return [
        Permission("disclosure.draft", _l("Draft disclosures and import finance statements (村务公开)")),
        Permission("disclosure.review", _l("Countersign disclosures for the supervision committee (村务监督委员会)")),
        Permission("disclosure.approve", _l("Approve disclosures for the two committees (两委)")),
        Permission("disclosure.publish", _l("Publish approved disclosures")),
        Permission("disclosure.compliance", _l("See which villages disclosed on time")),
        Permission("disclosure.objection", _l("Answer objections to disclosures (异议) for the village or township")),
        Permission("disclosure.personal", _l("See who asked for a disclosure or objected (every view is logged)")),
    ]


@hookimpl
def register_roles():
    return [
        RoleSpec("village_clerk", _l("Village clerk (村文书)"), frozenset({"disclosure.draft", "disclosure.publish"})),
        RoleSpec("village_head", _l("Head of the two village committees (村两委负责人)"),
                 frozenset({"console.access", "org.view", "disclosure.draft", "disclosure.approve",
                            "disclosure.publish"}) | PARTICIPATION),
        RoleSpec("supervisor", _l("Supervision committee member (村务监督委员)"), frozenset({"disclosure.review"})),
        RoleSpec("township_admin", _l("Township administrator"), ALL),
        RoleSpec("county_admin", _l("County administrator"), ALL),
        RoleSpec("viewer", _l("Viewer"), frozenset({"disclosure.compliance"})),
    ]


@hookimpl
def register_settings():
    return [
        SettingSpec("disclosure.fixed_day", int, 10, _l("Fixed disclosure day of the month (固定公开日)"),
                    floor=1, ceiling=28,
                    help=_l("Regular disclosures are due on this day of the month after their period; "
                            "10 by default, some places use the 15th or the 20th.")),
        SettingSpec("disclosure.finance_frequency", str, "monthly", _l("How often finances are disclosed"),
                    choices=("monthly", "quarterly"),
                    help=_l("monthly where transactions are many (村民委员会组织法 §30), else quarterly")),
        SettingSpec("disclosure.general_frequency", str, "quarterly",
                    _l("How often party and village affairs are disclosed"), choices=("monthly", "quarterly"),
                    help=_l("at least quarterly (村民委员会组织法 §30)")),
        SettingSpec("disclosure.decision_matters", str, DEFAULT_MATTERS,
                    _l("Matters decided by 四议两公开 (major decisions)"), floor=STATUTORY_MATTERS,
                    help=_l("The matters a village must take through the six steps, separated by 、 or commas; "
                            "the statutory ones always stay, a township may add its own")),
        *_participation_settings(),
    ]


def _participation_settings():
    # working days, as every deadline of the portal (DOMAIN.md: 5 extendable to 10; objections 10, then 20)
    return [
        SettingSpec("disclosure.request_days", int, 5, _l("Working days to answer a request (点题公开)"),
                    floor=1, ceiling=30),
        SettingSpec("disclosure.request_extended_days", int, 10,
                    _l("Working days to answer a request after its one extension"), floor=1, ceiling=30),
        SettingSpec("disclosure.objection_days", int, 10,
                    _l("Working days for the village's written answer to an objection (异议)"), floor=1, ceiling=10),
        SettingSpec("disclosure.objection_township_days", int, 20,
                    _l("Working days for the township's answer to a still disputed objection"), floor=1, ceiling=20),
    ]


@hookimpl
def publication_kinds():
    from . import decisions, public
    from .schema import PAYLOAD_SCHEMA

    return [PublicationKind("disclosure", "disclosure", _l("Village-affairs disclosure (村务公开)"),
                            "disclosure/public/kind_disclosure.html", payload_schema=PAYLOAD_SCHEMA,
                            describe=public.describe),
            PublicationKind("disclosure", "decision", _l("Major decision (四议两公开)"),
                            "disclosure/public/kind_decision.html", payload_schema=decisions.DECISION_SCHEMA,
                            revisions_add=True, describe=decisions.describe)]


@hookimpl
def console_menu(user, org):
    links = []
    if any(can(user, p) for p in WORKFLOW):
        links.append(MenuLink(_l("Disclosures (村务公开)"), "disclosure.index", order=50))
    if any(can(user, p) for p in ALL):
        links.append(MenuLink(_l("Major decisions (四议两公开)"), "disclosure.decisions", order=52))
    if can(user, "disclosure.compliance"):
        links.append(MenuLink(_l("Disclosure compliance"), "disclosure.compliance", order=51))
    if any(can(user, p) for p in WORKFLOW | PARTICIPATION):
        links.append(MenuLink(_l("Requests and objections (点题·异议)"), "disclosure_participation.index", order=53))
    return links


@hookimpl
def dashboard_widgets(user, org):
    from . import compliance_view, views

    tiles = []
    if org is not None and any(can(user, p, org) for p in WORKFLOW):
        tiles.append(Widget(_l("Disclosures waiting for you"), "disclosure/console/waiting_tile.html",
                            views.waiting_tile_context(user, org), order=15))
    if org is not None and org.kind in ("township", "county") and can(user, "disclosure.compliance", org):
        tiles.append(Widget(_l("Late or missing disclosures"), "disclosure/console/tile.html",
                            compliance_view.tile(org), order=20))
    if org is not None and any(can(user, p, org) for p in WORKFLOW | PARTICIPATION):
        from .participation_views import tile_context

        tiles.append(Widget(_l("Requests and objections (点题·异议)"), "disclosure/console/participation_tile.html",
                            tile_context(org), order=16))
    return tiles


@hookimpl
def public_sections(org):
    from . import public

    return public.org_sections(org)


@hookimpl
def demo_data(org, rng):
    from . import demo

    demo.load(org, rng)
    demo.load_decisions(org)
    demo.load_participation(org)

