"""Grievance hotline: public complaint form, tracking codes, case handling, Open311."""

from flask_babel import lazy_gettext as _l

from portal import hookimpl
from portal.accounts import Permission, RoleSpec, can
from portal.audit import AuditLabels
from portal.ledger import PublicationKind
from portal.orgs import SettingSpec
from portal.ui import MenuLink, Section, Widget

from . import models  # noqa: F401  (tables for the metadata)
from .labels import EVENT_LABELS

LABEL = _l("Grievance hotline (便民热线)")  # the module's name in the console

# The audit log's words for a case's steps: the ones its timeline uses.
AUDIT_LABELS = AuditLabels(
    actions={f"hotline.{action}": EVENT_LABELS[event] for action, event in (
        ("case_filed", "filed"), ("accused", "accused"), ("assign", "assigned"), ("sign", "signed"),
        ("reply", "reply"), ("extend", "extended"), ("close", "closed"), ("rate", "rated"), ("merge", "merged"),
        ("escalate", "escalated"))},
    objects={"Case": _l("Hotline case")},
    fields={"complainant_name": _l("Complainant's name"), "complainant_phone": _l("Complainant's phone"),
            "complainant_email": _l("Complainant's email"), "category": _l("Category"), "source": _l("Source"),
            "unit": _l("Unit"), "days": _l("Days added"), "rating": _l("Rating"), "into": _l("Merged into case"),
            "level": _l("Supervision level")},
)

ALL = frozenset({"hotline.handle", "hotline.assign", "hotline.personal", "hotline.confidential", "hotline.stats"})


@hookimpl
def register_blueprints():
    from .open311 import bp as open311_bp
    from .public import bp as public_bp
    from .views import bp as console_bp

    return [console_bp, public_bp, open311_bp]


@hookimpl
def register_permissions():
    return [
        Permission("hotline.handle", _l("Handle hotline cases (sign, reply, notes, extensions, close)")),
        Permission("hotline.assign", _l("Assign and merge hotline cases")),
        Permission("hotline.personal", _l("See complainants' names and phones (every view is logged)")),
        Permission("hotline.confidential", _l("See who filed a confidential hotline case (every view is logged)")),
        Permission("hotline.stats", _l("See hotline statistics")),
    ]


@hookimpl
def register_roles():
    return [
        RoleSpec("township_admin", _l("Township administrator"), ALL),
        RoleSpec("county_admin", _l("County administrator"), ALL),
        RoleSpec("village_clerk", _l("Village clerk (村文书)"), frozenset({"hotline.handle"})),
        RoleSpec("viewer", _l("Viewer"), frozenset({"hotline.stats"})),
    ]


@hookimpl
def register_settings():
    def days(key, default, label):
        return SettingSpec(f"hotline.days.{key}", int, default, label, floor=1, ceiling=60)

    return [
        days("consult", 3, _l("Hotline: working days to answer a question (咨询)")),
        days("help", 3, _l("Hotline: working days to answer a request for help (求助)")),
        days("complaint", 13, _l("Hotline: working days to handle a complaint (投诉)")),
        days("report", 13, _l("Hotline: working days to handle a report (举报)")),
        days("suggestion", 13, _l("Hotline: working days to answer a suggestion (建议)")),
        days("objection", 10, _l("Hotline: working days to answer an objection to a disclosure (村务公开异议)")),
        days("objection_review", 20, _l("Hotline: working days for the township to answer an objection still "
                                        "disputed after the village's answer (村务公开异议复核)")),
        days("sign", 1, _l("Hotline: working days to sign for an assigned case (签收)")),
        days("reopen", 15, _l("Hotline: working days to fix a case rated dissatisfied")),
        days("extension", 15, _l("Hotline: most working days one extension may add")),
        days("county_escalation", 5, _l("Hotline: working days overdue before the county supervises (县级督办)")),
    ]


@hookimpl
def publication_kinds():
    from .stats import KIND, PAYLOAD_SCHEMA, describe

    return [PublicationKind("hotline", KIND, _l("Hotline statistics (热线工单统计)"), "hotline/kinds/monthly_stats.html",
                            payload_schema=PAYLOAD_SCHEMA, describe=describe)]


@hookimpl
def console_menu(user, org):
    links = []
    if can(user, "hotline.handle"):
        links.append(MenuLink(_l("Hotline cases"), "hotline.queue", order=40))
    if can(user, "hotline.stats"):
        links.append(MenuLink(_l("Hotline statistics"), "hotline.stats_page", order=41))
    return links


@hookimpl
def dashboard_widgets(user, org):
    if org is None or not can(user, "hotline.handle", org):
        return []
    from .escalation import dashboard_counts

    return [Widget(_l("Hotline cases"), "hotline/widget.html", {"counts": dashboard_counts(user, org)}, order=20)]


@hookimpl
def public_sections(org):
    if org.kind not in ("township", "village"):
        return []
    from .stats import charts, published

    pubs = published(org) if org.kind == "township" else []
    return [Section(_l("Hotline statistics") if pubs else _l("Hotline"), "hotline/section.html",
                    {"charts": charts(pubs), "latest": pubs[-1] if pubs else None}, order=30)]


@hookimpl
def register_commands(cli):
    from .commands import hotline_group

    cli.add_command(hotline_group)


@hookimpl
def demo_data(org, rng):
    from .demo import load

    load(org, rng)


@hookimpl
def take_objection(org, publication, text, name, phone):
    """An objection to a disclosure (村务公开异议) becomes a hotline case of category objection."""
    from .services import take_objection as take

    return take(org, publication, text, name, phone)
