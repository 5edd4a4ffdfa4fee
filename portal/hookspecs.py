"""The whole plugin API of the portal, one hook a function.

Hooks return data; the core registers and checks it. Call them with keyword arguments.
An implementation may accept fewer arguments than its spec (pluggy "opt-in arguments").
"""

import pluggy

hookspec = pluggy.HookspecMarker("portal")
hookimpl = pluggy.HookimplMarker("portal")


@hookspec
def register_blueprints():
    """Return Flask blueprints; each must be named after the plugin (or '<plugin>_<suffix>')."""


@hookspec
def register_permissions():
    """Return Permission objects the plugin defines, e.g. Permission('disclosure.review', ...)."""


@hookspec
def register_roles():
    """Return RoleSpec objects: default roles, each a name, a label and a set of permissions."""


@hookspec
def register_settings():
    """Return SettingSpec objects: key, type, default, statutory floor/ceiling, label."""


@hookspec
def register_org_kinds():
    """Return OrgKind objects: extra kinds of org unit, such as a village-building council."""


@hookspec
def publication_kinds():
    """Return PublicationKind objects: kinds the plugin publishes, each with its public template."""


@hookspec
def console_menu(user, org):
    """Return MenuLink objects for the staff console of `user` looking at `org`."""


@hookspec
def dashboard_widgets(user, org):
    """Return Widget objects (title, template, context) for the console dashboard at `org`."""


@hookspec
def public_sections(org):
    """Return Section objects (title, template, context) shown on the public page of `org`."""


@hookspec
def register_commands(cli):
    """Add `portal` subcommands to the click group `cli`."""


@hookspec
def demo_data(org, rng):
    """Create sample data below the county `org` for `portal demo`, using the random.Random `rng`."""


@hookspec
def on_event(event):
    """React to a domain Event (published, case filed, case overdue…); the return value is ignored."""


@hookspec(firstresult=True)
def take_objection(org, publication, text, name, phone):
    """Take a villager's objection (村务公开异议) to `publication` at the village `org`; return a Handover or None."""
