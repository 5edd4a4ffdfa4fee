"""Login and logout: passwords, lock-out, rate limit, CSRF, safe redirects, audit, ending sessions."""

import re

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit import AuditEvent
from portal.extensions import db
from tests.helpers import PASSWORD, TOWN_A, VILLAGE_A1, make_user


@pytest.fixture
def user(app, tree):
    with app.app_context():
        return make_user("township_admin", TOWN_A, "wang").username


def actions(app):
    with app.app_context():
        return [e.action for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_login_page_has_labelled_fields(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<label for="username"' in html and '<label for="password"' in html
    assert html.count("<h1") == 1


def test_login_success_goes_to_dashboard_and_is_audited(app, client, user):
    resp = client.post("/login", data={"username": user, "password": PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/console/")
    assert client.get("/console/").status_code == 200
    assert "login" in actions(app)


def test_wrong_password_is_refused_and_audited_by_username_only(app, client, user):
    resp = client.post("/login", data={"username": user, "password": "wrong password!"})
    assert resp.status_code == 200
    assert "Wrong user name or password." in resp.get_data(as_text=True)
    assert client.get("/console/").status_code == 302
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "login.failed"))
        assert event.detail == {"username": user}
        assert "wrong password" not in str(event.detail)


def test_unknown_user_gets_the_same_message(client, tree):
    resp = client.post("/login", data={"username": "nobody", "password": "whatever123"})
    assert "Wrong user name or password." in resp.get_data(as_text=True)


def test_five_failures_lock_the_account_even_for_the_right_password(client, user):
    for _ in range(5):
        client.post("/login", data={"username": user, "password": "not the password"})
    resp = client.post("/login", data={"username": user, "password": PASSWORD})
    assert resp.status_code == 200
    assert "locked" in resp.get_data(as_text=True)
    assert client.get("/console/").status_code == 302


def test_empty_form_shows_field_errors(client, tree):
    resp = client.post("/login", data={})
    assert resp.status_code == 200
    assert 'aria-invalid="true"' in resp.get_data(as_text=True)


def test_next_is_followed_only_for_local_paths(client, user):
    resp = client.post("/login", data={"username": user, "password": PASSWORD, "next": "/console/orgs"})
    assert resp.headers["Location"].endswith("/console/orgs")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:x"])
def test_next_to_another_site_is_ignored(client, user, target):
    resp = client.post("/login", data={"username": user, "password": PASSWORD, "next": target})
    assert resp.headers["Location"].endswith("/console/")


def test_anonymous_console_request_redirects_to_login_with_next(client):
    resp = client.get("/console/orgs")
    assert resp.status_code == 302 and "/login?next=" in resp.headers["Location"]


def test_login_starts_a_new_session(client, user):
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    client.post("/login", data={"username": user, "password": PASSWORD})
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_logout_is_a_post_and_is_audited(app, client, user):
    client.post("/login", data={"username": user, "password": PASSWORD})
    assert client.get("/logout").status_code == 405
    resp = client.post("/logout")
    assert resp.status_code == 302
    assert client.get("/console/").status_code == 302
    assert actions(app)[-1] == "logout"


def test_disabled_user_cannot_log_in(app, client, user):
    with app.app_context():
        db.session.scalar(select(User).where(User.username == user)).active = False
        db.session.commit()
    resp = client.post("/login", data={"username": user, "password": PASSWORD})
    assert "disabled" in resp.get_data(as_text=True)


def test_login_is_rate_limited(app_factory):
    app = app_factory(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [client.post("/login", data={"username": "x", "password": "y"}).status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429
    assert client.get("/login").status_code == 200  # only POSTs count


def _token(html):
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_csrf_login_needs_a_real_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from tests.helpers import build_tree

        build_tree()
        make_user("township_admin", TOWN_A, "li")
    client = app.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"username": "li", "password": PASSWORD}).status_code == 400
    forged = client.post("/login", data={"username": "li", "password": PASSWORD, "csrf_token": "forged"})
    assert forged.status_code == 400
    assert client.get("/console/").status_code == 302  # still logged out
    ok = client.post("/login", data={"username": "li", "password": PASSWORD, "csrf_token": token})
    assert ok.status_code == 302
    # Logout without the token is refused and the session survives.
    assert client.post("/logout").status_code == 400
    assert client.get("/console/").status_code == 200


# Sessions are signed cookies: ending one means the server no longer honours a copy of it.

BROWSER = {"User-Agent": "Mozilla/5.0 (Linux; Android 14) Mobile"}


def _logged_in_browser(app, username, password=PASSWORD):
    browser = app.test_client()
    resp = browser.post("/login", data={"username": username, "password": password}, headers=BROWSER)
    assert resp.status_code == 302
    return browser


def _replay(app, cookie):
    """A request from another client carrying a copy of a saved session cookie (same browser name)."""
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief.get("/console/", headers=BROWSER)


def test_a_logged_in_session_lasts_across_requests(app, user):
    browser = _logged_in_browser(app, user)
    for _ in range(3):
        assert browser.get("/console/", headers=BROWSER).status_code == 200
    assert _replay(app, browser.get_cookie("session").value).status_code == 200  # the same cookie, still live


def test_a_session_cookie_saved_before_logout_no_longer_logs_in(app, user):
    browser = _logged_in_browser(app, user)
    saved = browser.get_cookie("session").value
    assert browser.post("/logout", headers=BROWSER).status_code == 302
    resp = _replay(app, saved)
    assert resp.status_code == 302 and "/login?next=" in resp.headers["Location"]
    # logging in again gives a working session
    assert _logged_in_browser(app, user).get("/console/", headers=BROWSER).status_code == 200


def test_logging_in_elsewhere_keeps_a_session_and_logging_out_ends_them_all(app, user):
    phone, pc = _logged_in_browser(app, user), _logged_in_browser(app, user)
    assert phone.get("/console/", headers=BROWSER).status_code == 200
    pc.post("/logout", headers=BROWSER)
    assert phone.get("/console/", headers=BROWSER).status_code == 302


def test_a_new_password_ends_the_sessions_of_the_old_one(app, client, tree, login_as):
    with app.app_context():
        clerk_id = make_user("village_clerk", VILLAGE_A1, "liu").id
    clerk = _logged_in_browser(app, "liu")
    saved = clerk.get_cookie("session").value
    login_as("township_admin", TOWN_A)
    resp = client.post(f"/console/users/{clerk_id}/password", data={"pw-password": "a brand new password"})
    assert resp.status_code == 302
    assert clerk.get("/console/", headers=BROWSER).status_code == 302
    assert _replay(app, saved).status_code == 302
    assert _logged_in_browser(app, "liu", "a brand new password").get("/console/", headers=BROWSER).status_code == 200


def test_setting_your_own_password_keeps_this_session_and_ends_the_others(app, client, tree, login_as):
    name = login_as("township_admin", TOWN_A)
    other = _logged_in_browser(app, name)
    with app.app_context():
        my_id = db.session.scalar(select(User).where(User.username == name)).id
    assert client.post(f"/console/users/{my_id}/password", data={"pw-password": "my own new password"}).status_code == 302
    assert client.get("/console/").status_code == 200
    assert other.get("/console/", headers=BROWSER).status_code == 302


def test_disabling_a_user_ends_their_sessions_for_good(app, client, tree, login_as):
    with app.app_context():
        clerk_id = make_user("village_clerk", VILLAGE_A1, "liu").id
    clerk = _logged_in_browser(app, "liu")
    login_as("township_admin", TOWN_A)
    client.post(f"/console/users/{clerk_id}/active", data={"active": "0"})
    assert clerk.get("/console/", headers=BROWSER).status_code == 302
    client.post(f"/console/users/{clerk_id}/active", data={"active": "1"})
    assert clerk.get("/console/", headers=BROWSER).status_code == 302  # enabled again, but must log in


def test_user_for_session_honours_only_the_current_generation(ctx, tree):
    from portal.accounts.services import end_sessions, user_for_session

    user = make_user("viewer", VILLAGE_A1, "zhao")
    token = user.get_id()
    assert user_for_session(token) is user
    assert user_for_session(str(user.id)) is None  # a cookie written before generations existed
    end_sessions(user)
    db.session.commit()
    assert user_for_session(token) is None
    assert user_for_session(user.get_id()) is user
    assert user_for_session("not a login") is None


@pytest.mark.parametrize("weak", ["aaaaaaaaaa", "1234567890", "abcdefghijk", "qwertyuiop", "password123",
                                  "1qaz2wsx3edc", "1985-06-12"])
def test_check_password_refuses_what_is_easy_to_guess(ctx, weak):
    from portal.accounts.services import AccountError, check_password

    with pytest.raises(AccountError, match="too easy to guess: avoid repeated characters, sequences"):
        check_password(weak)


def test_check_password_wants_the_length_first_and_counts_the_users_own_names(ctx):
    from portal.accounts.services import AccountError, check_password
    from portal.demo import DEMO_PASSWORD

    with pytest.raises(AccountError, match="at least 10 characters"):
        check_password("x7#Kq!")
    check_password("liuwenshu2026")  # strong enough for anyone else
    with pytest.raises(AccountError, match="too easy to guess"):
        check_password("liuwenshu2026", ("liuwenshu", "刘文书"))
    for strong in (PASSWORD, DEMO_PASSWORD, "a long password", "x" * 40 + "q7 lantern river ox" * 4):
        check_password(strong, ("liu", "刘文书"))
