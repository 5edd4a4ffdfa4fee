"""Account rules: password hashing (argon2id), login with lock-out, users and grants."""

from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..extensions import db
from ..timeutil import utcnow
from .models import Grant, Role, User

MIN_PASSWORD_LENGTH = 10
# zxcvbn's scores run 0–4; 3 means at least 10^8 guesses: out of reach of a login form that locks
# after a few failures, and slow work even for someone holding the argon2 hashes
MIN_PASSWORD_SCORE = 3
# zxcvbn refuses longer input (its cost grows fast with the length): a longer password is judged
# by its beginning
ZXCVBN_MAX_LENGTH = 72


class AccountError(ValueError):
    """A refused account change or login; the message is for the user."""


def _hasher():
    cfg = current_app.config
    return PasswordHasher(time_cost=cfg["ARGON2_TIME_COST"], memory_cost=cfg["ARGON2_MEMORY_COST"])


def check_password(password, user_inputs=()):
    """Refuse (AccountError) a password that is too short or too easy to guess.

    `user_inputs` are the words an attacker tries first for this account: its user name and
    display name. Guessability is zxcvbn's estimate (repeats, sequences, keyboard patterns,
    dates, names and common words count for little).
    """
    password = password or ""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(_("A password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    from zxcvbn import zxcvbn  # here, not at the top: loading its word lists takes ~0.3 s that only this needs

    words = [str(w) for w in user_inputs if w]
    if zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=words)["score"] < MIN_PASSWORD_SCORE:
        raise AccountError(_("This password is too easy to guess: avoid repeated characters, sequences "
                             "(abc, 123, qwerty), names, dates and common words. A few unrelated words "
                             "make a strong password."))


def hash_password(password, user_inputs=()):
    """An argon2id hash of `password` once check_password has let it through."""
    check_password(password, user_inputs)
    return _hasher().hash(password)


def create_user(username, display_name, password, person=None):
    """Create a staff user; raise AccountError for a taken name or a weak password."""
    username = (username or "").strip()
    if not username or len(username) > 60:
        raise AccountError(_("A user name is needed (at most 60 characters)."))
    if db.session.scalar(select(func.count()).select_from(User).where(func.lower(User.username) == username.lower())):
        raise AccountError(_("The user name %(name)s is taken.", name=username))
    user = User(username=username, display_name=(display_name or username).strip()[:60],
                password_hash=hash_password(password, (username, display_name)), person=person)
    db.session.add(user)
    db.session.flush()
    return user


def set_password(user, password):
    """Give `user` a new password, lift any lock and end the sessions logged in with the old one."""
    user.password_hash = hash_password(password, (user.username, user.display_name))
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(user)


def set_active(user, active):
    """Enable or disable the login of `user`; disabling ends their sessions, so enabling the
    account again does not bring an old session back."""
    user.active = active
    if not active:
        end_sessions(user)


def end_sessions(user):
    """End every session of `user`, in every browser (logout, a new password, disabling).

    Sessions are signed cookies the server cannot delete; each holds the user's session
    generation (User.get_id), and a cookie of an earlier generation no longer logs anyone in.
    """
    user.session_generation += 1


def user_for_session(session_id):
    """The user a session cookie's login (`User.get_id()`) names, or None when that session has ended."""
    # Cookies are signed, so the value is one the portal wrote: a bare id is a session from
    # before generations existed, ended like any other.
    user_id, _sep, generation = (session_id or "").partition(":")
    try:
        user_id, generation = int(user_id), int(generation)
    except ValueError:
        return None
    user = db.session.get(User, user_id)
    if user is None or user.session_generation != generation:
        return None
    return user


def authenticate(username, password):
    """Return the user for a right name and password; raise AccountError otherwise.

    Repeated failures lock the account for a while; a locked account refuses even the
    right password until the lock ends.
    """
    cfg = current_app.config
    user = db.session.scalar(select(User).where(func.lower(User.username) == (username or "").strip().lower()))
    wrong = AccountError(_("Wrong user name or password."))
    if user is None:
        _hasher().hash("spend the same time as a real check")
        raise wrong
    now = utcnow()
    if user.locked_until and user.locked_until > now:
        raise AccountError(_("This account is locked after repeated failed logins. Try again later."))
    try:
        _hasher().verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        user.failed_logins += 1
        if user.failed_logins >= cfg["LOGIN_MAX_FAILURES"]:
            user.locked_until = now + timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
            user.failed_logins = 0
        db.session.commit()
        raise wrong from None
    if not user.active:
        raise AccountError(_("This account is disabled."))
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = _hasher().hash(password)
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


def sync_roles(role_specs):
    """Create the default roles declared by the hooks, and update their permissions."""
    existing = {r.name: r for r in db.session.scalars(select(Role))}
    for spec in role_specs:
        role = existing.get(spec.name)
        if role is None:
            # a plugin may extend a core role before the core's own spec comes by: create it once
            existing[spec.name] = Role(name=spec.name, label=str(spec.label), permissions=sorted(spec.permissions))
            db.session.add(existing[spec.name])
        else:
            role.permissions = sorted(set(role.permissions or ()) | set(spec.permissions))


def grant_role(user, role, org, granted_by=None):
    """Give `user` the `role` at `org`; a second identical grant is refused."""
    dup = db.session.scalar(select(Grant).where(Grant.user_id == user.id, Grant.role_id == role.id, Grant.org_id == org.id))
    if dup:
        raise AccountError(_("%(user)s already has this role at %(org)s.", user=user.display_name, org=org.name))
    grant = Grant(user=user, role=role, org=org, granted_by_id=granted_by.id if granted_by else None)
    db.session.add(grant)
    db.session.flush()
    return grant
