"""A tiny plugin that implements every hook, for the tests (registered as "example")."""

import click
from flask import Blueprint, abort, current_app, render_template_string
from flask_login import current_user

from portal import hookimpl
from portal.accounts import Permission, RoleSpec, org_or_404, permission_required
from portal.ledger import PublicationKind, publish
from portal.orgs import OrgKind, SettingSpec
from portal.ui import Handover, MenuLink, Section, Widget

events = []  # (name, org code) of every Event delivered to on_event, for the tests to read

console = Blueprint("example", __name__, url_prefix="/console/example", template_folder="templates")
public = Blueprint("example_public", __name__, url_prefix="/example")


@console.route("/<code>")
@permission_required("example.use")
def console_page(code):
    org = org_or_404(code, "example.use")
    current_app.extensions["portal"].require_active("example", org)
    return render_template_string("example console for {{ org.name }}", org=org)


@public.route("/<code>")
def public_page(code):
    from sqlalchemy import select

    from portal.extensions import db
    from portal.orgs import OrgUnit

    org = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if org is None:
        abort(404)
    current_app.extensions["portal"].require_active("example", org)
    return f"example public page of {org.name}"


@hookimpl
def register_blueprints():
    return [console, public]


@hookimpl
def register_permissions():
    return [Permission("example.use", "Use the example module")]


@hookimpl
def register_roles():
    return [RoleSpec("example_officer", "Example officer", frozenset({"console.access", "example.use"}))]


@hookimpl
def register_settings():
    return [SettingSpec("example.hours", int, 32, "Yearly study hours", floor=32, ceiling=200)]


@hookimpl
def register_org_kinds():
    return [OrgKind("council", "Village-building council (村民议事会)", ("village",), False, 75)]


@hookimpl
def publication_kinds():
    return [PublicationKind("example", "report", "Example report", "example/report.html")]


@hookimpl
def console_menu(user, org):
    return [MenuLink("Example module", "example.console_page", {"code": org.code}, order=50)]


@hookimpl
def dashboard_widgets(user, org):
    return [Widget("Example tile", "example/tile.html", {"who": user.username, "where": org.name}, order=50)]


@hookimpl
def public_sections(org):
    return [Section("Example section", "example/section.html", {"org_name": org.name}, order=50)]


@hookimpl
def register_commands(cli):
    @cli.command("example-hello")
    @click.argument("name")
    def hello(name):
        """Say hello (the example plugin's command)."""
        click.echo(f"hello {name} from example")


@hookimpl
def demo_data(org, rng):
    publish(plugin="example", kind="report", org=org, title=f"Example report {rng.randint(1, 9)}",
            payload={"text": "demo"})


@hookimpl
def on_event(event):
    events.append((event.name, event.org.code if event.org is not None else None))


@hookimpl
def take_objection(org, publication, text):
    """Takes only objections that ask for it, so the disclosure module keeps the others."""
    if not text.startswith("[example]"):
        return None
    return Handover(f"EX-{publication.pub_id}", f"/example/{org.code}?new=1", "Example desk",
                    follow_url=f"/example/{org.code}")
