"""Login and logout."""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from .. import audit
from ..extensions import db, limiter
from .forms import LoginForm
from .services import AccountError, authenticate, end_sessions

bp = Blueprint("accounts", __name__)


def safe_next(target):
    """`target` if it is a path on this site, else None (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(c in target for c in "\r\n\\"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    """Show the login form; on a right name and password, start a fresh session."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
        if current_user.is_authenticated:
            return redirect(form.next.data or url_for("console.dashboard"))
    if form.validate_on_submit():
        try:
            user = authenticate(form.username.data, form.password.data)
        except AccountError as exc:
            db.session.rollback()
            audit.record("login.failed", detail={"username": (form.username.data or "")[:60]})
            db.session.commit()
            form.password.errors.append(str(exc))
        else:
            target = safe_next(form.next.data) or url_for("console.dashboard")
            lang = session.get("lang")
            session.clear()  # a new session id for the signed-in user (no fixation)
            if lang:
                session["lang"] = lang
            login_user(user)
            audit.record("login", obj=user, user=user)
            db.session.commit()
            return redirect(target)
    elif request.method == "POST":
        # Keep a typed user name; the password is never sent back.
        form.password.data = ""
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    """End the user's sessions (POST with a CSRF token, so no other site can log a user out)."""
    # CSRFProtect has already refused a POST without a valid token.
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        end_sessions(user)  # a copy of the cookie kept from before would still log in
        audit.record("logout", obj=user)
        db.session.commit()
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("You are logged out."), "success")
    return redirect(url_for("accounts.login"))
