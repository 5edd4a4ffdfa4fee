"""The core's own hookimpls: core permissions, roles, kinds, settings and console tiles.

Also the labels of the core's audit actions (AUDIT_LABELS, read by the host as a plugin's are).

Registered first under the name "core" and always active; plugins add to what it returns.
"""

from flask_babel import lazy_gettext as _l

from .accounts.access import Permission, RoleSpec, can
from .audit import AuditLabels
from .hookspecs import hookimpl
from .ledger.services import PublicationKind
from .orgs.settings import SettingSpec
from .ui import MenuLink, Section, Widget

CORE_PERMISSIONS = (
    Permission("console.access", _l("Use the staff console")),
    Permission("org.view", _l("See units, people and positions")),
    Permission("org.manage", _l("Edit the org tree, people and positions")),
    Permission("user.manage", _l("Create users and grant roles")),
    Permission("plugin.manage", _l("Switch modules on or off")),
    Permission("settings.manage", _l("Change settings")),
    Permission("audit.view", _l("Read the audit log")),
    Permission("notice.publish", _l("Publish notices (通知公告)")),
    Permission("personal.view", _l("See personal data (phone numbers); every view is logged")),
)

_ALL = frozenset(p.name for p in CORE_PERMISSIONS)

AUDIT_LABELS = AuditLabels(
    actions={
        "personal_data.view": _l("Viewed personal data"),
        "login": _l("Signed in"),
        "login.failed": _l("Failed to sign in"),
        "logout": _l("Signed out"),
        "user.create": _l("Created a user account"),
        "user.enable": _l("Enabled a user account"),
        "user.disable": _l("Disabled a user account"),
        "user.password_reset": _l("Reset a password"),
        "grant.add": _l("Granted a role"),
        "grant.revoke": _l("Revoked a role"),
        "org.create": _l("Added a unit"),
        "org.rename": _l("Renamed a unit"),
        "org.move": _l("Moved a unit"),
        "org.establish": _l("Changed the date a unit was established"),
        "org.import": _l("Imported units"),
        "position.add": _l("Added a position"),
        "position.end": _l("Ended a position"),
        "setting.change": _l("Changed a setting"),
        "plugin.enable": _l("Switched a module on"),
        "plugin.disable": _l("Switched a module off"),
        "ledger.publish": _l("Published"),
        "ledger.correct": _l("Published a correction"),
        "ledger.withdraw": _l("Withdrew a publication"),
    },
    objects={
        "Publication": _l("Publication"),
        "OrgUnit": _l("Unit"),
        "User": _l("User account"),
        "Person": _l("Person"),
        "Position": _l("Position"),
        "PluginActivation": _l("Module switch"),
    },
    fields={
        "fields": _l("Fields seen"),
        "phone": _l("Phone"),
        "plugin": _l("Module"),
        "role": _l("Role"),
        "user": _l("User name"),
        "username": _l("User name"),
        "via": _l("Through"),
        "code": _l("Code"),
        "parent": _l("Parent unit"),
        "established_on": _l("Established on (设立日期)"),
        "old": _l("Before"),
        "new": _l("After"),
        "from": _l("From unit"),
        "to": _l("To unit"),
        "key": _l("Setting"),
        "value": _l("Value"),
        "title": _l("Position"),
        "person_id": _l("Person"),
        "end_date": _l("End date"),
        "file": _l("File"),
        "created": _l("Created"),
        "updated": _l("Updated"),
        "pub_id": _l("Publication"),
        "revision": _l("Revision"),
    },
)


@hookimpl
def register_permissions():
    return CORE_PERMISSIONS


@hookimpl
def register_roles():
    return (
        RoleSpec("county_admin", _l("County administrator"), _ALL),
        RoleSpec("township_admin", _l("Township administrator"), _ALL),
        RoleSpec("village_clerk", _l("Village clerk (村文书)"), frozenset({"console.access", "org.view"})),
        RoleSpec("supervisor", _l("Supervision committee member (村务监督委员)"), frozenset({"console.access", "org.view"})),
        RoleSpec("viewer", _l("Viewer"), frozenset({"console.access", "org.view"})),
    )


@hookimpl
def register_settings():
    return (
        SettingSpec("org.report_hotline", str, "", _l("Report hotline (举报电话) shown on public pages")),
        SettingSpec("org.public_address", str, "", _l("Office address shown on public pages")),
    )


@hookimpl
def publication_kinds():
    return (PublicationKind("core", "notice", _l("Notice (通知公告)"), "public/kinds/notice.html"),)


@hookimpl
def console_menu(user, org):
    links = [MenuLink(_l("Dashboard"), "console.dashboard", order=0)]
    checks = (
        ("org.view", MenuLink(_l("Org tree"), "console.org_tree", order=10)),
        ("notice.publish", MenuLink(_l("Notices"), "console.notices", order=20)),
        ("plugin.manage", MenuLink(_l("Modules"), "console.plugins", order=30)),
        ("user.manage", MenuLink(_l("Users"), "console.users", order=40)),
        ("audit.view", MenuLink(_l("Audit log"), "console.audit_log", order=90)),
    )
    links += [link for perm, link in checks if can(user, perm)]
    return links


@hookimpl
def dashboard_widgets(user, org):
    from .console.services import dashboard_summary

    return [Widget(_l("At a glance"), "console/widgets/summary.html", dashboard_summary(user, org), order=0)]


@hookimpl
def public_sections(org):
    from .public.services import org_public_summary

    return [Section(_l("Units"), "public/sections/units.html", org_public_summary(org), order=90)]
