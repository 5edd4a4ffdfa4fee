"""The plugin host and every hook, through the example plugin in tests/example."""

import random
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from portal import hookspecs
from portal.extensions import db
from portal.ledger import Publication
from portal.orgs import get_setting, set_setting
from portal.orgs.settings import SettingError
from portal.plugins import PluginError
from portal.ui import Handover
from tests import example
from tests.helpers import COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1, build_tree, unit

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def papp(app_factory):
    """An app with the example plugin, a tree, and the plugin on in township A only."""
    app = app_factory(PORTAL_EXTRA_PLUGINS=("tests.example",))
    with app.app_context():
        build_tree()
        app.extensions["portal"].set_enabled("example", unit(TOWN_A), True)
        db.session.commit()
    example.events.clear()
    return app


def _host(app):
    return app.extensions["portal"]


# --- the host -----------------------------------------------------------------------

def test_plugin_is_discovered_and_named(papp):
    assert "example" in _host(papp).names()
    assert "core" not in _host(papp).names()


def test_activation_is_inherited_by_villages_and_off_elsewhere(papp):
    with papp.app_context():
        host = _host(papp)
        assert host.is_active("example", unit(TOWN_A))
        assert host.is_active("example", unit(VILLAGE_A1))  # inherited
        assert host.is_active("example", unit(VILLAGE_A1 + "-dzb"))
        assert not host.is_active("example", unit(TOWN_B))
        assert not host.is_active("example", unit(VILLAGE_B1))
        assert host.is_active("example", unit(COUNTY))  # some township below has it on
        host.set_enabled("example", unit(TOWN_A), False)
        db.session.commit()
        assert not host.is_active("example", unit(VILLAGE_A1))


def test_units_where_active_agrees_with_is_active(papp):
    with papp.app_context():
        host = _host(papp)
        units = [unit(c) for c in (TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A1 + "-dzb", VILLAGE_B1)]
        assert host.units_where_active("example", units) == [u for u in units if host.is_active("example", u)]
        assert [u.code for u in host.units_where_active("example", units)] == [TOWN_A, VILLAGE_A1, VILLAGE_A1 + "-dzb"]
        host.set_enabled("example", unit(COUNTY), True)
        host.set_enabled("example", unit(TOWN_A), False)
        db.session.commit()
        assert [u.code for u in host.units_where_active("example", units)] == [TOWN_B, VILLAGE_B1]


def test_unknown_plugin_and_village_switch_are_refused(papp):
    with papp.app_context():
        with pytest.raises(PluginError):
            _host(papp).set_enabled("nonexistent", unit(TOWN_A), True)
        with pytest.raises(PluginError):
            _host(papp).set_enabled("example", unit(VILLAGE_A1), True)


def test_plugin_routes_refuse_a_township_with_the_plugin_off(papp):
    client = papp.test_client()
    assert client.get(f"/example/{VILLAGE_A1}").status_code == 200
    assert client.get(f"/example/{VILLAGE_B1}").status_code == 404


def test_blueprint_named_after_another_plugin_is_refused(app_factory):
    from flask import Blueprint

    from portal.hookspecs import hookimpl

    class Rogue:
        @hookimpl
        def register_blueprints(self):
            return [Blueprint("console_evil", __name__)]

    app = app_factory()
    host = _host(app)
    host.register(Rogue(), name="rogue")
    try:
        with pytest.raises(PluginError, match="must be named"):
            host.blueprints()
    finally:
        host.unregister("rogue")


# --- one test per hook (test_hook_<name>; a meta-test below keeps it so) ----------------

def test_hook_register_blueprints(papp):
    assert "example" in papp.blueprints and "example_public" in papp.blueprints


def test_hook_register_permissions(papp):
    assert "example.use" in _host(papp).permissions


def test_hook_register_roles(papp):
    from portal.accounts import Role

    with papp.app_context():
        role = db.session.scalar(select(Role).where(Role.name == "example_officer"))
        assert role is not None and "example.use" in role.permissions


def test_hook_register_settings(papp):
    with papp.app_context():
        village = unit(VILLAGE_A1)
        assert get_setting(village, "example.hours") == 32
        set_setting(unit(TOWN_A), "example.hours", "40")
        db.session.commit()
        assert get_setting(village, "example.hours") == 40  # inherited down the tree
        set_setting(village, "example.hours", "48")
        assert get_setting(village, "example.hours") == 48  # overridden below
        assert get_setting(unit(VILLAGE_A1 + "-dzb"), "example.hours") == 48
        assert get_setting(unit(VILLAGE_B1), "example.hours") == 32
        with pytest.raises(SettingError, match="32"):
            set_setting(village, "example.hours", "20")  # below the statutory floor
        with pytest.raises(SettingError):
            set_setting(village, "example.hours", "lots")


def test_hook_register_org_kinds(papp):
    from portal.orgs.services import OrgError, create_unit

    with papp.app_context():
        council = create_unit("council", "导子村村民议事会", VILLAGE_A1 + "-ysh", unit(VILLAGE_A1))
        assert council.kind_label == "Village-building council (村民议事会)"
        with pytest.raises(OrgError):
            create_unit("council", "镇议事会", TOWN_A + "-ysh", unit(TOWN_A))


def test_hook_publication_kinds(papp):
    from portal.ledger import publish

    with papp.app_context():
        pub = publish(plugin="example", kind="report", org=unit(VILLAGE_A1), title="Report", payload={"text": "hello"})
        db.session.commit()
        pub_id = pub.pub_id
    html = papp.test_client().get(f"/p/{pub_id}").get_data(as_text=True)
    assert '<p class="example-report">hello</p>' in html


def test_hook_console_menu(papp):
    with papp.app_context(), papp.test_request_context():
        from tests.helpers import make_user

        user = make_user("county_admin", COUNTY)
        labels_a = [link.label for links in _host(papp).hooks_for(unit(VILLAGE_A1)).console_menu(user=user, org=unit(VILLAGE_A1)) for link in links]
        labels_b = [link.label for links in _host(papp).hooks_for(unit(VILLAGE_B1)).console_menu(user=user, org=unit(VILLAGE_B1)) for link in links]
    assert "Example module" in labels_a and "Example module" not in labels_b


def test_hook_dashboard_widgets(papp):
    with papp.app_context():
        from tests.helpers import make_user

        make_user("county_admin", COUNTY, "boss")
    client = papp.test_client()
    client.post("/login", data={"username": "boss", "password": "correct horse battery"})
    assert "tile for boss at 东风镇" in client.get(f"/console/?org={TOWN_A}").get_data(as_text=True)
    assert "tile for boss" not in client.get(f"/console/?org={TOWN_B}").get_data(as_text=True)


def test_hook_public_sections(papp):
    client = papp.test_client()
    assert "section of 导子村" in client.get(f"/o/{VILLAGE_A1}").get_data(as_text=True)
    assert "section of" not in client.get(f"/o/{VILLAGE_B1}").get_data(as_text=True)


def test_hook_register_commands(papp):
    result = papp.test_cli_runner().invoke(args=["example-hello", "村民"])
    assert result.exit_code == 0 and "hello 村民 from example" in result.output


def test_hook_demo_data(papp):
    with papp.app_context():
        _host(papp).hook.demo_data(org=unit(COUNTY), rng=random.Random(1))
        db.session.commit()
        assert db.session.scalar(select(Publication).where(Publication.plugin == "example")) is not None


def test_hook_on_event(papp):
    from portal.ledger import publish

    with papp.app_context():
        publish(plugin="core", kind="notice", org=unit(VILLAGE_A1), title="in A", payload={"body": "x"})
        publish(plugin="core", kind="notice", org=unit(VILLAGE_B1), title="in B", payload={"body": "x"})
        db.session.commit()
    # delivered only where the plugin is active
    assert example.events == [("published", VILLAGE_A1)]


def test_hook_take_objection(papp):
    from portal.ledger import publish

    with papp.app_context():
        pub = publish(plugin="core", kind="notice", org=unit(VILLAGE_A1), title="公示", payload={"body": "x"})
        db.session.commit()
        host = _host(papp)
        taken = host.hooks_for(unit(VILLAGE_A1)).take_objection(
            org=unit(VILLAGE_A1), publication=pub, text="[example] 数字不对", name=None, phone=None)
        assert taken.reference == f"EX-{pub.pub_id}" and taken.url == f"/example/{VILLAGE_A1}?new=1"
        assert taken.follow_url == f"/example/{VILLAGE_A1}"  # to come back to, without the first answer's greeting
        assert Handover("EX-1", "/example/x").follow_url == "/example/x"  # a plugin with one page gives only url
        # firstresult: a plugin that declines leaves the objection to the caller (None)
        assert host.hooks_for(unit(VILLAGE_A1)).take_objection(
            org=unit(VILLAGE_A1), publication=pub, text="数字不对", name=None, phone=None) is None
        # not active in township B: not asked
        assert host.hooks_for(unit(VILLAGE_B1)).take_objection(
            org=unit(VILLAGE_B1), publication=pub, text="[example] 数字不对", name=None, phone=None) is None


# --- meta-tests ----------------------------------------------------------------------

HOOK_NAMES = sorted(n for n in dir(hookspecs) if not n.startswith("_") and callable(getattr(hookspecs, n))
                    and hasattr(getattr(hookspecs, n), "portal_spec"))


def test_every_hook_is_listed():
    assert len(HOOK_NAMES) == 13


@pytest.mark.parametrize("hook", HOOK_NAMES)
def test_plugin_hooks_have_tests(hook):
    assert f"test_hook_{hook}" in globals(), f"hook {hook} has no test_hook_{hook}"


@pytest.mark.parametrize("hook", HOOK_NAMES)
def test_example_plugin_implements_every_hook(hook):
    assert hasattr(example, hook)


@pytest.mark.parametrize("hook", HOOK_NAMES)
def test_plugin_hooks_are_documented_with_signature(hook):
    import inspect

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    signature = f"{hook}{inspect.signature(getattr(hookspecs, hook))}"
    assert re.search(rf"^#+ `{re.escape(signature)}`", readme, re.M), f"README lacks a heading `{signature}`"
