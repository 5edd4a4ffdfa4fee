"""The `portal` command: a Flask CLI group with the commands DESIGN.md lists."""

import os
import sqlite3
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from sqlalchemy import select

from . import create_app, create_worker_app
from .extensions import db


def _create_app():
    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True, add_version_option=False)
def cli():
    """Cunwu (村务) portal: village-affairs governance and public transparency."""


def main():
    cli(prog_name="portal")


def _unit(code):
    from .orgs.models import OrgUnit

    unit = OrgUnit.by_code(code)
    if unit is None:
        raise click.ClickException(f"no unit with code {code}")
    return unit


@cli.command("init")
@with_appcontext
def init_command():
    """Create or upgrade the database (core and every plugin's branch)."""
    from .dbsetup import init_database

    init_database()
    click.echo(f"database ready: {db.engine.url.render_as_string(hide_password=True)}")


@cli.command("demo")
@click.option("--serve/--no-serve", default=True, help="Serve the portal after loading the sample county.")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--seed", default=2026, type=int, help="Random seed of the sample data.")
@with_appcontext
def demo_command(serve, host, port, seed):
    """Create the database, load a sample county with staff accounts, and serve."""
    from .dbsetup import init_database
    from .demo import DEMO_PASSWORD, load_demo

    init_database()
    accounts = load_demo(seed=seed)
    if accounts:
        click.echo("Sample county loaded. Staff accounts (password for all: %s):" % DEMO_PASSWORD)
        for username, label in accounts:
            click.echo(f"  {username:<16} {label}")
    else:
        click.echo("The sample county is already there; nothing added.")
    if serve:
        _serve(host, port, workers=2, demo=True)


def _serve(host, port, workers, demo=False, public_only=False):
    from gunicorn.app.base import BaseApplication

    overrides = {"PUBLIC_ONLY": True} if public_only else {}
    if demo or host in ("127.0.0.1", "localhost", "::1"):
        # plain http on loopback: a Secure cookie would never come back from the browser
        overrides.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)

    class Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-")

        def load(self):
            return create_worker_app(overrides)

    click.echo(f"Serving on http://{host}:{port}/  (Ctrl+C stops)")
    Server().run()


@cli.command("serve")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--workers", default=2, type=int)
@click.option("--public-only", is_flag=True,
              help="Only the public site, from a read-only connection (PUBLIC_READONLY_DATABASE_URL).")
def serve_command(host, port, workers, public_only):
    """Serve the portal with gunicorn."""
    _serve(host, port, workers, public_only=public_only)


@cli.group("user")
def user_group():
    """Staff accounts."""


@user_group.command("create")
@click.argument("username")
@click.option("--name", "display_name", default=None, help="Display name (default: the user name).")
@click.option("--role", required=True, help="Role name, e.g. county_admin, township_admin, village_clerk.")
@click.option("--org", "org_code", required=True, help="Code of the unit where the role is granted.")
@click.password_option(envvar="PORTAL_NEW_PASSWORD")
@with_appcontext
def user_create(username, display_name, role, org_code, password):
    """Create a staff user with a role at a unit (the grant covers its subtree)."""
    from . import audit
    from .accounts.models import Role
    from .accounts.services import AccountError, create_user, grant_role

    unit = _unit(org_code)
    role_row = db.session.scalar(select(Role).where(Role.name == role))
    if role_row is None:
        names = ", ".join(db.session.scalars(select(Role.name).order_by(Role.name)))
        raise click.ClickException(f"no role {role}; roles: {names}")
    try:
        user = create_user(username, display_name or username, password)
        grant_role(user, role_row, unit)
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    audit.record("user.create", obj=user, org=unit, detail={"role": role, "via": "cli"})
    db.session.commit()
    click.echo(f"created {username} as {role} at {unit.name} ({unit.code})")


@cli.group("plugins")
def plugins_group():
    """List plugins and switch them on or off for a township."""


@plugins_group.command("list")
@click.option("--township", "code", default=None, help="Show the state at this unit.")
@with_appcontext
def plugins_list(code):
    """List installed plugins (and whether each is on at --township)."""
    host = current_app.extensions["portal"]
    active = host.active_names(_unit(code)) if code else None
    for name in host.names():
        state = "" if active is None else ("  on" if name in active else "  off")
        click.echo(f"{name}{state}  {host.label(name)}")


def _switch(name, code, enabled):
    from .plugins import PluginError

    host = current_app.extensions["portal"]
    try:
        host.set_enabled(name, _unit(code), enabled)
    except PluginError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"{name} {'enabled' if enabled else 'disabled'} for {code}")


@plugins_group.command("enable")
@click.argument("name")
@click.option("--township", "code", required=True, help="Code of the township (or county).")
@with_appcontext
def plugins_enable(name, code):
    """Switch plugin NAME on for a township; its villages inherit."""
    _switch(name, code, True)


@plugins_group.command("disable")
@click.argument("name")
@click.option("--township", "code", required=True, help="Code of the township (or county).")
@with_appcontext
def plugins_disable(name, code):
    """Switch plugin NAME off for a township; what was published stays public."""
    _switch(name, code, False)


@cli.group("org")
def org_group():
    """The org tree."""


@org_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def org_import(file):
    """Import units from a CSV file (code,name,kind,parent_code[,established_on]); all or nothing."""
    from . import audit
    from .orgs.services import ImportErrors, import_csv

    try:
        created, updated = import_csv(file.read_bytes())
    except ImportErrors as exc:
        db.session.rollback()
        for line in exc.errors:
            click.echo(line, err=True)
        raise click.ClickException("nothing was imported") from None
    audit.record("org.import", detail={"file": file.name, "created": created, "updated": updated})
    db.session.commit()
    click.echo(f"imported: {created} created, {updated} updated")


@cli.group("ledger")
def ledger_group():
    """The publication ledger."""


@ledger_group.command("verify")
@with_appcontext
def ledger_verify():
    """Recompute the hash chain; exit 1 when any revision does not match."""
    from .ledger import verify

    count, problems = verify()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise click.ClickException(f"{len(problems)} problem(s) in {count} revisions")
    click.echo(f"ledger ok: {count} revisions, chain intact")


@cli.command("export-site")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--base-url", default="http://localhost", show_default=True,
              help="Where the copy will be served: absolute links (feeds, QR codes) point there.")
@click.option("--lang", default=None, help="Language of the pages (default: the site's, Simplified Chinese).")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Processes rendering pages  [default: one per CPU]")
@with_appcontext
def export_site_command(dest, base_url, lang, jobs):
    """Write the public site as static files under DEST (serve DEST as the web root)."""
    from .public.export import ExportFolderError, export_site

    if lang is not None and lang not in current_app.config["LANGUAGES"]:
        raise click.ClickException(f"no language {lang}; languages: {', '.join(current_app.config['LANGUAGES'])}")
    try:
        result = export_site(current_app._get_current_object(), dest, base_url=base_url.rstrip("/"), lang=lang,
                             progress=lambda done, left: click.echo(f"  {done} pages, {left} queued", err=True),
                             jobs=jobs or len(os.sched_getaffinity(0)))
    except ExportFolderError as exc:
        raise click.ClickException(str(exc)) from None
    for page, link, status in result.broken:
        click.echo(f"{page or '(start)'}: {link} answered {status}", err=True)
    if result.live:
        click.echo(f"{result.live} linked pages (forms, pages read from working data) are left to the live site",
                   err=True)
    if result.removed:
        click.echo(f"removed {result.removed} file(s) of an earlier export that this one did not write", err=True)
    click.echo(f"exported {result.pages} pages in {result.seconds:.1f} s "
               f"({result.pages_per_second:.0f} pages/s) to {dest}")
    if result.broken:
        raise click.ClickException(f"{len(result.broken)} link(s) answered no page")


@cli.command("backup")
@click.argument("dest", required=False, type=click.Path(path_type=Path))
@with_appcontext
def backup_command(dest):
    """Write a consistent copy of the database while the portal serves."""
    url = db.engine.url
    if dest is not None and not dest.parent.is_dir():
        raise click.ClickException(f"folder {dest.parent} does not exist")
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    if url.get_backend_name() == "sqlite":
        dest = dest or Path(current_app.instance_path) / f"backup-{stamp}.db"
        source = sqlite3.connect(url.database)
        target = sqlite3.connect(dest)
        with target:
            source.backup(target)  # SQLite online backup: consistent while others write
        source.close()
        target.close()
    else:
        dest = dest or Path(current_app.instance_path) / f"backup-{stamp}.dump"
        # the password goes through the environment: a command line is visible to every local user
        plain = url._replace(drivername="postgresql", password=None).render_as_string(hide_password=False)
        env = dict(os.environ, PGPASSWORD=url.password) if url.password else None
        result = subprocess.run(["pg_dump", "--format=custom", "--file", str(dest), plain],
                                capture_output=True, text=True, env=env)
        if result.returncode:
            raise click.ClickException(result.stderr.strip())
    click.echo(f"backup written: {dest}")


if __name__ == "__main__":
    sys.exit(main())
