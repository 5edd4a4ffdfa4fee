"""The `portal` command: init, demo, user create, plugins, org import, ledger verify, backup."""

import shutil
import sqlite3
import subprocess
import uuid

import pytest
from sqlalchemy import func, select, text

from portal import ledger
from portal.accounts.models import Grant, Role, User
from portal.accounts.services import authenticate
from portal.audit import AuditEvent
from portal.cli import cli
from portal.extensions import db
from portal.ledger import Publication
from portal.orgs import OrgUnit
from portal.plugins import PluginActivation
from tests.conftest import PG_URL, USE_PG, make_app
from tests.helpers import TOWN_A, TOWN_B, VILLAGE_A1, build_tree, unit

PASSWORD = "a long enough password"


def run(app, *args, **kw):
    """Invoke `portal ARGS` against `app`, as the installed command would."""
    return app.test_cli_runner().invoke(cli, list(args), catch_exceptions=False, **kw)


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def tapp(app):
    """The app with the small test county in it."""
    with app.app_context():
        build_tree()
    return app


# --- init and demo ----------------------------------------------------------------------

@pytest.mark.skipif(USE_PG, reason="needs an empty database; SQLite makes one cheaply")
def test_init_creates_an_empty_database_and_is_idempotent(tmp_path):
    app = make_app(tmp_path, "sqlite:///" + str(tmp_path / "new.db"))
    first = run(app, "init")
    assert first.exit_code == 0 and "database ready" in first.output
    roles = count(app, Role)
    assert roles >= 5
    second = run(app, "init")
    assert second.exit_code == 0, second.output
    assert count(app, Role) == roles
    with app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM ledger_head")).scalar() == 1
        db.engine.dispose()


def test_init_on_a_migrated_database_changes_nothing(app):
    roles = count(app, Role)
    assert run(app, "init").exit_code == 0
    assert count(app, Role) == roles


def test_demo_loads_the_sample_county_once(app):
    result = run(app, "demo", "--no-serve")
    assert result.exit_code == 0, result.output
    for username in ("admin", "dongfeng", "daozi-clerk"):
        assert username in result.output
    assert "cunwu-demo-2026" in result.output
    with app.app_context():
        county = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "990101000000"))
        assert county.name == "青山县"
        below = list(db.session.scalars(county.subtree_query()))
        assert sum(u.kind == "township" for u in below) == 3
        assert sum(u.kind == "village" for u in below) == 8
        assert authenticate("admin", "cunwu-demo-2026").username == "admin"
        assert ledger.verify()[1] == []
    units, pubs, users = count(app, OrgUnit), count(app, Publication), count(app, User)
    again = run(app, "demo", "--no-serve")
    assert again.exit_code == 0 and "nothing added" in again.output
    assert (count(app, OrgUnit), count(app, Publication), count(app, User)) == (units, pubs, users)


# --- user create ------------------------------------------------------------------------

def test_user_create_with_password_from_the_environment(tapp):
    result = run(tapp, "user", "create", "clerk1", "--name", "王文书", "--role", "village_clerk",
                 "--org", VILLAGE_A1, env={"PORTAL_NEW_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    assert "created clerk1 as village_clerk" in result.output
    with tapp.app_context():
        user = authenticate("clerk1", PASSWORD)
        assert user.display_name == "王文书"
        grant = db.session.scalar(select(Grant).where(Grant.user_id == user.id))
        assert grant.org_id == unit(VILLAGE_A1).id


def test_user_create_with_password_typed_twice(tapp):
    result = run(tapp, "user", "create", "boss", "--role", "township_admin", "--org", TOWN_A,
                 input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    with tapp.app_context():
        assert authenticate("boss", PASSWORD).username == "boss"


@pytest.mark.parametrize("role, org, words", [
    ("emperor", VILLAGE_A1, "no role emperor"),
    ("village_clerk", "999999999999", "no unit with code 999999999999"),
])
def test_user_create_refuses_unknown_role_or_org(tapp, role, org, words):
    result = run(tapp, "user", "create", "clerk2", "--role", role, "--org", org,
                 env={"PORTAL_NEW_PASSWORD": PASSWORD})
    assert result.exit_code != 0
    assert words in result.output
    assert "Traceback" not in result.output
    assert count(tapp, User) == 0


def test_user_create_refuses_a_short_password_and_a_taken_name(tapp):
    short = run(tapp, "user", "create", "c3", "--role", "viewer", "--org", TOWN_A, env={"PORTAL_NEW_PASSWORD": "short"})
    assert short.exit_code != 0 and "at least 10" in short.output
    assert count(tapp, User) == 0
    assert run(tapp, "user", "create", "c3", "--role", "viewer", "--org", TOWN_A,
               env={"PORTAL_NEW_PASSWORD": PASSWORD}).exit_code == 0
    taken = run(tapp, "user", "create", "c3", "--role", "viewer", "--org", TOWN_B,
                env={"PORTAL_NEW_PASSWORD": PASSWORD})
    assert taken.exit_code != 0 and "taken" in taken.output
    assert count(tapp, User) == 1


# --- plugins ----------------------------------------------------------------------------

@pytest.fixture
def papp(app_factory):
    app = app_factory(PORTAL_EXTRA_PLUGINS=("tests.example",))
    with app.app_context():
        build_tree()
    return app


def test_plugins_list_enable_disable(papp):
    assert "example" in run(papp, "plugins", "list").output.split()
    assert "example  off" in run(papp, "plugins", "list", "--township", TOWN_A).output
    result = run(papp, "plugins", "enable", "example", "--township", TOWN_A)
    assert result.exit_code == 0, result.output
    assert "example  on" in run(papp, "plugins", "list", "--township", TOWN_A).output
    assert "example  on" in run(papp, "plugins", "list", "--township", VILLAGE_A1).output  # inherited
    assert "example  off" in run(papp, "plugins", "list", "--township", TOWN_B).output
    assert run(papp, "plugins", "disable", "example", "--township", TOWN_A).exit_code == 0
    assert "example  off" in run(papp, "plugins", "list", "--township", VILLAGE_A1).output


@pytest.mark.parametrize("name, code, words", [
    ("nope", TOWN_A, "Unknown plugin: nope"),
    ("example", "999999999999", "no unit with code"),
    ("example", VILLAGE_A1, "township or a county"),
])
def test_plugins_enable_refuses_clearly_and_changes_nothing(papp, name, code, words):
    audit_before = count(papp, AuditEvent)
    result = run(papp, "plugins", "enable", name, "--township", code)
    assert result.exit_code != 0 and words in result.output
    assert count(papp, PluginActivation) == 0
    assert count(papp, AuditEvent) == audit_before


# --- org import -------------------------------------------------------------------------

def test_org_import_good_file(tapp, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind,parent_code\n"
                    f"{TOWN_A}-gq1,第一管区,area,{TOWN_A}\n"
                    f"371402101205,新村,village,{TOWN_A}-gq1\n", encoding="utf-8")
    result = run(tapp, "org", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "2 created, 0 updated" in result.output
    with tapp.app_context():
        assert unit("371402101205").depth == 3


def test_org_import_bad_file_prints_lines_and_saves_nothing(tapp, tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("code,name,kind,parent_code\n"
                    f"371402101205,好村,village,{TOWN_A}\n"
                    f"37140210120,坏村,village,{TOWN_A}\n"
                    f"371402101206,孤村,village,371402109000\n", encoding="utf-8")
    before = count(tapp, OrgUnit)
    result = run(tapp, "org", "import", str(path))
    assert result.exit_code != 0
    assert "Line 3:" in result.output and "Line 4:" in result.output
    assert "nothing was imported" in result.output
    assert count(tapp, OrgUnit) == before


# --- ledger verify and backup -----------------------------------------------------------

def _publish_two(app):
    with app.app_context():
        for title in ("村道修路工程公示", "第三季度财务公开"):
            ledger.publish(plugin="core", kind="notice", org=unit(VILLAGE_A1), title=title, payload={"body": title})
        db.session.commit()


def test_ledger_verify_ok_then_tampered(tapp):
    from tests.helpers import tamper_with_ledger

    _publish_two(tapp)
    ok = run(tapp, "ledger", "verify")
    assert ok.exit_code == 0 and "2 revisions" in ok.output
    with tapp.app_context():
        tamper_with_ledger("UPDATE ledger_publication SET title = 'forged' WHERE seq = 2")
    bad = run(tapp, "ledger", "verify")
    assert bad.exit_code == 1
    assert "seq 2" in bad.output


def test_backup_copy_opens_and_verifies(tapp, tmp_path):
    _publish_two(tapp)
    dest = tmp_path / ("backup.db" if not USE_PG else "backup.dump")
    result = run(tapp, "backup", str(dest))
    assert result.exit_code == 0, result.output
    assert dest.exists() and dest.stat().st_size > 0
    if USE_PG:
        uri = _restore_pg(dest, tmp_path)
    else:
        with sqlite3.connect(dest) as conn:
            titles = [r[0] for r in conn.execute("SELECT title FROM ledger_publication ORDER BY seq")]
        assert titles == ["村道修路工程公示", "第三季度财务公开"]
        copy = tmp_path / "restored.db"
        shutil.copyfile(dest, copy)
        uri = "sqlite:///" + str(copy)
    restored = make_app(tmp_path, uri)
    try:
        verified = run(restored, "ledger", "verify")
        assert verified.exit_code == 0 and "2 revisions" in verified.output
    finally:
        with restored.app_context():
            db.engine.dispose()
        if USE_PG:
            subprocess.run(["dropdb", "--if-exists", *_pg_args(), uri.rsplit("/", 1)[1]], check=False)


def _pg_args():
    from sqlalchemy.engine import make_url

    url = make_url(PG_URL)
    return ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]


def _restore_pg(dump, tmp_path):
    """Restore a pg_dump file into a new database; return its URL."""
    if not shutil.which("pg_restore"):
        pytest.skip("pg_restore is not installed")
    name = "cunwu_restore_" + uuid.uuid4().hex[:8]
    subprocess.run(["createdb", *_pg_args(), name], check=True)
    subprocess.run(["pg_restore", *_pg_args(), "--no-owner", "-d", name, str(dump)], check=True)
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def test_backup_keeps_the_postgresql_password_off_the_command_line(tmp_path, monkeypatch):
    """pg_dump gets the password through PGPASSWORD: argv is visible to every local user."""
    import portal.cli

    calls = []

    def fake_run(args, **kw):
        calls.append((args, kw.get("env") or {}))
        return subprocess.CompletedProcess(args, 0, "", "")

    monkeypatch.setattr(portal.cli.subprocess, "run", fake_run)
    app = make_app(tmp_path, "postgresql://portal:s3cret-pw@db.example:5432/cunwu")
    result = run(app, "backup", str(tmp_path / "x.dump"))
    assert result.exit_code == 0, result.output
    (args, env), = calls
    assert args[0] == "pg_dump" and not any("s3cret-pw" in a for a in args)
    assert "portal@db.example:5432/cunwu" in args[-1]
    assert env["PGPASSWORD"] == "s3cret-pw"


def test_portal_serve_answers_from_gunicorn_workers(tmp_path):
    """`portal serve`, the README's command, starts gunicorn workers that answer the public site."""
    import os
    import socket
    import sys
    import time
    import urllib.request
    from pathlib import Path

    portal = str(Path(sys.executable).parent / "portal")
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}", PORTAL_SECRET_KEY="serve-test",
               PORTAL_UPLOAD_FOLDER=str(tmp_path / "uploads"))
    subprocess.run([portal, "init"], env=env, check=True, capture_output=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen([portal, "serve", "--port", str(port), "--workers", "1"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/pages/about", timeout=5) as resp:
                    status, body = resp.status, resp.read().decode()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "portal serve did not answer"
                time.sleep(0.3)
        assert status == 200 and "<html" in body
    finally:
        server.terminate()
        server.wait(timeout=30)
