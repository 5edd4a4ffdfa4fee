"""Console users: create, grant within scope without escalation, revoke, disable, reset."""

import re

from sqlalchemy import func, select

from portal.accounts.access import can
from portal.accounts.models import Grant, User
from portal.audit import AuditEvent
from portal.extensions import db
from tests.helpers import COUNTY, PASSWORD, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_B1, make_user, unit


def _user(app, name):
    with app.app_context():
        return db.session.scalar(select(User).where(User.username == name))


def _grants(app, name):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == name))
        return sorted((g.role.name, g.org.code) for g in user.grants)


def _actions(app):
    with app.app_context():
        return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def _new_user(client, username="liu", role="village_clerk", code=VILLAGE_A1, password="a long password"):
    return client.post("/console/users", data={"username": username, "display_name": "刘文书", "password": password,
                                               "role": role, "org_code": code})


def test_create_user_with_a_role_that_covers_the_subtree(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    resp = _new_user(client)
    assert resp.status_code == 302
    assert _grants(app, "liu") == [("village_clerk", VILLAGE_A1)]
    with app.app_context():
        liu = db.session.scalar(select(User).where(User.username == "liu"))
        assert can(liu, "org.view", unit(VILLAGE_A1 + "-dxz1"))  # a party group below the village
        assert not can(liu, "org.view", unit(TOWN_A))
    assert "user.create" in _actions(app) and "grant.add" in _actions(app)
    listing = client.get("/console/users").get_data(as_text=True)
    assert "liu" in listing
    # roles are offered by their labels; the codes stay out of sight
    assert 'value="village_clerk"' in listing and "(village_clerk)" not in listing


def test_create_user_refusals_change_nothing(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    short = _new_user(client, password="short")
    assert short.status_code == 422 and "at least 10" in short.get_data(as_text=True)
    outside = _new_user(client, code=VILLAGE_B1)
    assert "no unit with this code in your scope" in outside.get_data(as_text=True)
    login_as_name = "township_admin-" + TOWN_A
    taken = _new_user(client, username=login_as_name)
    assert "is taken" in taken.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "liu")) is None


def test_a_role_must_be_chosen_the_list_starts_empty(app, client, tree, login_as):
    login_as("county_admin", COUNTY)
    page = client.get("/console/users").get_data(as_text=True)
    select_tag = re.search(r'<select[^>]*name="role"[^>]*>\s*<option([^>]*)>([^<]*)<', page)
    assert select_tag.group(1).strip() == 'value=""' and select_tag.group(2) == "— choose —"
    for no_role in ("", None):  # left on "— choose —", or not sent at all
        data = {"username": "liu", "display_name": "刘文书", "password": "a long password", "org_code": VILLAGE_A1}
        if no_role is not None:
            data["role"] = no_role
        resp = client.post("/console/users", data=data)
        assert resp.status_code == 422 and "Choose a role." in resp.get_data(as_text=True)
        assert _user(app, "liu") is None
    with app.app_context():
        liu_id = make_user("village_clerk", VILLAGE_A1, "liu").id
    detail = client.get(f"/console/users/{liu_id}").get_data(as_text=True)
    assert re.search(r'<select[^>]*name="grant-role"[^>]*>\s*<option value="">— choose —</option>', detail)
    resp = client.post(f"/console/users/{liu_id}/grants", data={"grant-role": "", "grant-org_code": TOWN_A})
    assert resp.status_code == 422 and "Choose a role." in resp.get_data(as_text=True)
    assert _grants(app, "liu") == [("village_clerk", VILLAGE_A1)]


def test_an_easily_guessed_password_is_refused_a_strong_one_taken(app, client, tree, login_as):
    login_as("township_admin", TOWN_A)
    for weak in ("aaaaaaaaaa", "1234567890", "password123"):
        resp = _new_user(client, password=weak)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 422 and "too easy to guess" in html and "avoid repeated characters" in html
    # the user's own name is among the first guesses
    named = _new_user(client, username="liuwenshu", password="liuwenshu2026")
    assert named.status_code == 422 and "too easy to guess" in named.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.username.like("liu%"))) == 0
    assert _new_user(client, password="river lantern 1987 ox").status_code == 302
    liu_id = _user(app, "liu").id
    weak_reset = client.post(f"/console/users/{liu_id}/password", data={"pw-password": "liuliuliuliu"})
    assert weak_reset.status_code == 422 and "too easy to guess" in weak_reset.get_data(as_text=True)
    assert app.test_client().post("/login", data={"username": "liu", "password": "liuliuliuliu"}).status_code != 302
    assert app.test_client().post("/login", data={"username": "liu",
                                                  "password": "river lantern 1987 ox"}).status_code == 302


def test_the_user_list_is_paged_and_found_by_name(app, client, tree, login_as, monkeypatch):
    from portal.console import user_views

    monkeypatch.setattr(user_views, "USERS_PER_PAGE", 2)
    with app.app_context():
        for name in ("clerk-a", "clerk-b", "clerk-c"):
            make_user("village_clerk", VILLAGE_A1, name)
        make_user("village_clerk", VILLAGE_B1, "bclerk")  # another township's: never found from here
    login_as("township_admin", TOWN_A)
    pages = [client.get("/console/users" + (f"?page={n}" if n > 1 else "")).get_data(as_text=True) for n in (1, 2, 3)]
    names = [re.findall(r'<td><a href="/console/users/\d+">([^<]+)</a>', html) for html in pages]
    listed = sum(names, [])
    assert len(listed) == len(set(listed)) and {"clerk-a", "clerk-b", "clerk-c"} <= set(listed)  # each once
    assert all(len(n) <= 2 for n in names) and 'rel="next"' in pages[0]
    found = client.get("/console/users?q=CLERK-B").get_data(as_text=True)  # in any case, on every database
    assert re.findall(r'<td><a href="/console/users/\d+">([^<]+)</a>', found) == ["clerk-b"]
    other = client.get("/console/users?q=bclerk").get_data(as_text=True)
    assert "No user in your scope has “bclerk” in their name." in other

def test_users_outside_scope_are_hidden(app, client, tree, login_as):
    with app.app_context():
        other = make_user("village_clerk", VILLAGE_B1, "bclerk")
        other_id = other.id
    login_as("township_admin", TOWN_A)
    assert "bclerk" not in client.get("/console/users").get_data(as_text=True)
    assert client.get(f"/console/users/{other_id}").status_code == 404
    assert client.post(f"/console/users/{other_id}/active", data={"active": "0"}).status_code == 404
    assert _user(app, "bclerk").active


def test_grant_is_limited_to_permissions_the_granter_holds(app, client, tree, login_as):
    with app.app_context():
        make_user("village_clerk", VILLAGE_A1, "liu")
        liu_id = _user(app, "liu").id
        # a role bundling permissions a township admin does not hold
        from portal.accounts.models import Role

        db.session.add(Role(name="superrole", label="Super", permissions=["console.access", "example.secret"]))
        db.session.commit()
    login_as("township_admin", TOWN_A)
    ok = client.post(f"/console/users/{liu_id}/grants", data={"grant-role": "township_admin", "grant-org_code": TOWN_A})
    assert ok.status_code == 302
    assert ("township_admin", TOWN_A) in _grants(app, "liu")
    up = client.post(f"/console/users/{liu_id}/grants", data={"grant-role": "township_admin", "grant-org_code": COUNTY})
    assert "no unit with this code in your scope" in up.get_data(as_text=True)
    escalate = client.post(f"/console/users/{liu_id}/grants", data={"grant-role": "superrole", "grant-org_code": TOWN_A})
    assert escalate.status_code == 422 and "permissions you hold" in escalate.get_data(as_text=True)
    dup = client.post(f"/console/users/{liu_id}/grants", data={"grant-role": "township_admin", "grant-org_code": TOWN_A})
    assert "already has this role" in dup.get_data(as_text=True)
    assert _grants(app, "liu") == [("township_admin", TOWN_A), ("village_clerk", VILLAGE_A1)]


def test_clerk_holding_user_manage_only_cannot_grant_more(app, client, tree, login_as):
    with app.app_context():
        from portal.accounts.models import Role

        db.session.add(Role(name="user_admin", label="User admin", permissions=["console.access", "user.manage"]))
        db.session.commit()
        make_user("village_clerk", VILLAGE_A1, "liu")
        liu_id = _user(app, "liu").id
    login_as("user_admin", TOWN_A)
    resp = client.post(f"/console/users/{liu_id}/grants",
                       data={"grant-role": "township_admin", "grant-org_code": TOWN_A})
    assert resp.status_code == 422
    assert _grants(app, "liu") == [("village_clerk", VILLAGE_A1)]


def test_revoke_a_grant_and_the_same_rule_applies(app, client, tree, login_as):
    with app.app_context():
        make_user("village_clerk", VILLAGE_A1, "liu")
        county_boss = make_user("county_admin", COUNTY, "boss")
        from portal.accounts.models import Role
        from portal.accounts.services import grant_role

        grant_role(county_boss, db.session.scalar(select(Role).where(Role.name == "viewer")), unit(TOWN_A))
        db.session.commit()
        liu = db.session.scalar(select(User).where(User.username == "liu"))
        liu_id, liu_grant = liu.id, liu.grants[0].id
        boss_id = county_boss.id
        boss_county_grant = next(g.id for g in county_boss.grants if g.org.code == COUNTY)
    login_as("township_admin", TOWN_A)
    assert client.post(f"/console/users/{liu_id}/grants/{liu_grant}/revoke").status_code == 302
    assert _grants(app, "liu") == []
    assert "grant.revoke" in _actions(app)
    # the county admin shows (viewer at the township) but their county grant is out of reach
    assert client.post(f"/console/users/{boss_id}/grants/{boss_county_grant}/revoke").status_code == 302
    assert ("county_admin", COUNTY) in _grants(app, "boss")


def test_revoking_a_role_asks_first_and_says_whose_role_at_which_unit(app, client, tree, login_as):
    with app.app_context():
        liu = make_user("village_clerk", VILLAGE_A1, "liu")
        liu_id, liu_grant = liu.id, liu.grants[0].id
    login_as("township_admin", TOWN_A)
    detail = client.get(f"/console/users/{liu_id}").get_data(as_text=True)
    # the button on the user's page is a GET: it leads to the question, it takes nothing away
    assert re.search(rf'<form method="get" action="/console/users/{liu_id}/grants/{liu_grant}/revoke"', detail)
    ask = client.get(f"/console/users/{liu_id}/grants/{liu_grant}/revoke")
    page = ask.get_data(as_text=True)
    assert ask.status_code == 200 and _grants(app, "liu") == [("village_clerk", VILLAGE_A1)]
    assert "grant.revoke" not in _actions(app)
    with app.app_context():
        role = db.session.get(Grant, liu_grant).role.label
    assert f"Revoke the role {role} of" in page and "(liu) at 导子村?" in page
    assert f"at 导子村 ({VILLAGE_A1}) or at any unit below it" in page
    assert re.search(rf'<form method="post" action="/console/users/{liu_id}/grants/{liu_grant}/revoke">', page)
    assert 'name="csrf_token"' in page and f'href="/console/users/{liu_id}">Cancel</a>' in page
    # confirmed: the role is gone
    assert client.post(f"/console/users/{liu_id}/grants/{liu_grant}/revoke").status_code == 302
    assert _grants(app, "liu") == [] and "grant.revoke" in _actions(app)
    assert client.get(f"/console/users/{liu_id}/grants/{liu_grant}/revoke").status_code == 404  # nothing left to ask


def test_the_revoke_question_keeps_the_revocations_scope_rules(app, client, tree, login_as):
    with app.app_context():
        other = make_user("village_clerk", VILLAGE_B1, "wang")  # in the other township
        other_id, other_grant = other.id, other.grants[0].id
        liu = make_user("village_clerk", VILLAGE_A1, "liu")
        liu_id, liu_grant = liu.id, liu.grants[0].id
        county_boss = make_user("county_admin", COUNTY, "boss")
        from portal.accounts.models import Role
        from portal.accounts.services import grant_role

        grant_role(county_boss, db.session.scalar(select(Role).where(Role.name == "viewer")), unit(TOWN_A))
        db.session.commit()
        boss_id = county_boss.id
        boss_county_grant = next(g.id for g in county_boss.grants if g.org.code == COUNTY)
    login_as("township_admin", TOWN_A)
    assert client.get(f"/console/users/{other_id}/grants/{other_grant}/revoke").status_code == 404
    assert client.get(f"/console/users/{liu_id}/grants/{other_grant}/revoke").status_code == 404  # not liu's grant
    assert client.get(f"/console/users/{liu_id}/grants/999999/revoke").status_code == 404
    # a role the township admin could not have given: told so on the user's page, not asked
    refused = client.get(f"/console/users/{boss_id}/grants/{boss_county_grant}/revoke", follow_redirects=True)
    assert "You may only revoke roles whose permissions you hold" in refused.get_data(as_text=True)
    assert ("county_admin", COUNTY) in _grants(app, "boss") and _grants(app, "liu") == [("village_clerk", VILLAGE_A1)]
    login_as("village_clerk", VILLAGE_A1)  # no user.manage at all
    assert client.get(f"/console/users/{liu_id}/grants/{liu_grant}/revoke").status_code == 403


def test_disable_enable_and_reset_password(app, client, tree, login_as):
    with app.app_context():
        liu_id = make_user("village_clerk", VILLAGE_A1, "liu").id
    login_as("township_admin", TOWN_A)
    client.post(f"/console/users/{liu_id}/active", data={"active": "0"})
    assert not _user(app, "liu").active
    other = app.test_client()
    assert "disabled" in other.post("/login", data={"username": "liu", "password": PASSWORD}).get_data(as_text=True)
    client.post(f"/console/users/{liu_id}/active", data={"active": "1"})
    assert _user(app, "liu").active
    short = client.post(f"/console/users/{liu_id}/password", data={"pw-password": "short"})
    assert short.status_code == 422
    client.post(f"/console/users/{liu_id}/password", data={"pw-password": "a brand new password"})
    assert other.post("/login", data={"username": "liu", "password": "a brand new password"}).status_code == 302
    actions = _actions(app)
    assert {"user.disable", "user.enable", "user.password_reset"} <= set(actions)


def test_township_admin_cannot_take_over_a_county_account(app, client, tree, login_as):
    with app.app_context():
        boss = make_user("county_admin", COUNTY, "boss")
        from portal.accounts.models import Role
        from portal.accounts.services import grant_role

        grant_role(boss, db.session.scalar(select(Role).where(Role.name == "viewer")), unit(TOWN_A))
        db.session.commit()
        boss_id = boss.id
    login_as("township_admin", TOWN_A)
    page = client.get(f"/console/users/{boss_id}").get_data(as_text=True)
    assert "Set a new password" not in page
    resp = client.post(f"/console/users/{boss_id}/password", data={"pw-password": "taken over password"},
                       follow_redirects=True)
    assert "ask someone above you" in resp.get_data(as_text=True)
    client.post(f"/console/users/{boss_id}/active", data={"active": "0"})
    assert _user(app, "boss").active
    assert app.test_client().post("/login", data={"username": "boss", "password": PASSWORD}).status_code == 302


def test_cannot_disable_yourself(app, client, tree, login_as):
    name = login_as("township_admin", TOWN_A)
    me = _user(app, name)
    resp = client.post(f"/console/users/{me.id}/active", data={"active": "0"}, follow_redirects=True)
    assert "cannot disable your own account" in resp.get_data(as_text=True)
    assert _user(app, name).active


def test_other_township_admin_cannot_see_grants_at_b(app, client, tree, login_as):
    with app.app_context():
        make_user("township_admin", TOWN_B, "badmin")
    login_as("township_admin", TOWN_A)
    assert "badmin" not in client.get("/console/users").get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(Grant).join(User, Grant.user_id == User.id).where(User.username == "badmin")) is not None
