"""Training records: sessions, attendance, hours, 三会一课 compliance."""

import click
from flask_babel import lazy_gettext as _l

from portal import hookimpl
from portal.accounts import Permission, RoleSpec, can
from portal.audit import AuditLabels
from portal.ledger import PublicationKind
from portal.orgs import SettingSpec
from portal.ui import MenuLink, Section, Widget

from . import models  # noqa: F401  (the tables belong to the app's metadata)

LABEL = _l("Training records (培训记录)")  # the module's name in the console

AUDIT_LABELS = AuditLabels(
    actions={"training.session.create": _l("Recorded a session"), "training.session.edit": _l("Edited a session"),
             "training.session.delete": _l("Deleted a session"), "training.material.add": _l("Added material"),
             "training.attendance.marked": _l("Marked attendance"),
             "training.attendance.imported": _l("Imported a sign-in sheet"),
             "training.attendance.qr": _l("QR sign-in")},
    objects={"TrainingSession": _l("Training session")},
    fields={"type": _l("Type of session"), "hours": _l("Hours"), "topic": _l("Topic"), "name": _l("File name"),
            "changed": _l("Attendance records changed")},
)

PERMISSIONS = (
    Permission("training.record", _l("Record training sessions and attendance")),
    Permission("training.view", _l("See training sessions and members' hours")),
    Permission("training.compliance", _l("See training compliance (三会一课, hours, rotation)")),
)
ALL = frozenset(p.name for p in PERMISSIONS)


@hookimpl
def register_blueprints():
    from .public import bp as public_bp
    from .views import bp

    return [bp, public_bp]


@hookimpl
def register_permissions():
    return PERMISSIONS


@hookimpl
def register_roles():
    return (
        RoleSpec("village_clerk", _l("Village clerk (村文书)"), frozenset({"training.record", "training.view"})),
        RoleSpec("township_admin", _l("Township administrator"), ALL),
        RoleSpec("county_admin", _l("County administrator"), ALL),
        RoleSpec("viewer", _l("Viewer"), frozenset({"training.view", "training.compliance"})),
        RoleSpec("training_officer", _l("Training officer (培训专干)"),
                 frozenset({"console.access", "org.view"}) | ALL),
    )


@hookimpl
def register_settings():
    def frequency(*choices):
        # 支部工作条例 sets how often at least: a township may ask for more often, never for less
        return dict(type=str, choices=choices, help=_l("monthly, quarterly or yearly"))

    return (
        SettingSpec("training.hours.full_day", int, 8, _l("Training hours for a full day"), floor=1, ceiling=12),
        SettingSpec("training.hours.half_day", int, 4, _l("Training hours for half a day"), floor=1, ceiling=6),
        SettingSpec("training.hours.one_hour", int, 1, _l("Training hours for one hour of study"), floor=1, ceiling=2),
        SettingSpec("training.hours.member", int, 32, _l("Yearly study hours of a party member"), floor=32,
                    ceiling=400),
        SettingSpec("training.hours.cadre", int, 56, _l("Yearly study hours of secretaries and committee members"),
                    floor=56, ceiling=400),
        SettingSpec("training.frequency.branch_meeting", default="quarterly",
                    label=_l("How often the branch general meeting (支部党员大会) is held"),
                    **frequency("monthly", "quarterly")),
        SettingSpec("training.frequency.committee_meeting", default="monthly",
                    label=_l("How often the branch committee (支委会) meets"),
                    **frequency("monthly",)),
        SettingSpec("training.frequency.group_meeting", default="monthly",
                    label=_l("How often each party group (党小组会) meets"),
                    **frequency("monthly",)),
        SettingSpec("training.frequency.party_lecture", default="quarterly",
                    label=_l("How often a party lecture (党课) is given"),
                    **frequency("monthly", "quarterly")),
        SettingSpec("training.frequency.theme_day", default="monthly",
                    label=_l("How often the theme party day (主题党日) is held"),
                    **frequency("monthly",)),
        SettingSpec("training.frequency.life_meeting", default="yearly",
                    label=_l("How often the organizational life meeting (组织生活会) is held"),
                    **frequency("monthly", "quarterly", "yearly")),
        SettingSpec("training.frequency.democratic_review", default="yearly",
                    label=_l("How often members are democratically reviewed (民主评议党员)"),
                    **frequency("monthly", "quarterly", "yearly")),
    )


@hookimpl
def publication_kinds():
    from .stats import KIND, PAYLOAD_SCHEMA, describe

    return (PublicationKind("training", KIND, _l("Training statistics by quarter"),
                            "training/public_stats.html", payload_schema=PAYLOAD_SCHEMA, describe=describe),)


@hookimpl
def console_menu(user, org):
    if org is None:
        return []
    links = []
    if can(user, "training.view", org):
        links.append(MenuLink(_l("Training sessions"), "training.index", {"code": org.code}, order=60))
        links.append(MenuLink(_l("Members' hours"), "training.members", {"code": org.code}, order=61))
    if can(user, "training.compliance", org):
        links.append(MenuLink(_l("Training compliance"), "training.compliance_page", {"code": org.code}, order=62))
    return links


@hookimpl
def dashboard_widgets(user, org):
    if org is None:
        return []
    from portal.timeutil import local_today

    from .compliance import branches_at, meetings_to_hold, summary

    today = local_today()
    tiles = []
    if org.kind in ("village", "party_branch", "party_group") and can(user, "training.record", org) \
            and branches_at(org):  # (a village without a branch holds none of these meetings)
        tiles.append(Widget(_l("Meetings to hold (三会一课)"), "training/todo_tile.html",
                            {"todo": meetings_to_hold(org, today), "code": org.code}, order=58))
    if can(user, "training.compliance", org):
        tiles.append(Widget(_l("Training compliance"), "training/tile.html",
                            {"counts": summary(org, today.year, today), "year": today.year, "code": org.code},
                            order=60))
    return tiles


@hookimpl
def public_sections(org):
    if org.kind != "township":
        return []
    from .stats import public_rows

    rows = public_rows(org)
    if not rows:
        return []
    return [Section(_l("Training and party life (by quarter)"), "training/public_section.html",
                    {"rows": rows}, order=60)]


@hookimpl
def register_commands(cli):
    @cli.group("training")
    def training():
        """Training records."""

    @training.command("publish-stats")
    @click.option("--quarter", default=None, help="e.g. 2026-Q3 (default: the last quarter that ended)")
    def publish_stats_command(quarter):
        """Publish per-township quarterly aggregates to the ledger (a re-run publishes corrections)."""
        from portal.extensions import db
        from portal.timeutil import local_today

        from .stats import parse_quarter, previous_quarter, publish_stats

        quarter = quarter or previous_quarter(local_today())
        try:
            parse_quarter(quarter)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--quarter") from None
        results = publish_stats(quarter)
        db.session.commit()
        for township, outcome in results:
            click.echo(f"{township.code} {township.name} {quarter}: {outcome}")
        if not results:
            click.echo("no township has the training module on")


@hookimpl
def demo_data(org, rng):
    from .demo import load

    load(org, rng)
