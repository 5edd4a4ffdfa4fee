"""Wiring of the web app: locale, login, templates, security headers, errors, static files."""

import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from flask import abort, current_app, g, has_request_context, jsonify, redirect, render_template, request, session, url_for
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, ServiceUnavailable
from werkzeug.routing import IntegerConverter
from whitenoise import WhiteNoise

from .extensions import migrate
from .markup import render_markdown
from .timeutil import to_local

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")
HASHED_NAME = re.compile(r"\.[0-9a-f]{12}\.\w+$")


def select_locale():
    """The user's language: ?lang=, then the session, then the account, then zh_Hans_CN."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    wanted = request.args.get("lang")
    if wanted in languages:
        session["lang"] = wanted
        return wanted
    if session.get("lang") in languages:
        return session["lang"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


MAX_SQL_INT = 2**31 - 1  # the largest id an SQL INTEGER holds


class BoundedInt(IntegerConverter):
    """`<int:…>` limited to what an SQL INTEGER holds: a larger number is a 404, not a database error."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_SQL_INT, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


# Past this a page is empty anyway (a province's ledger has a few million publications); bounding
# it keeps the OFFSET within SQL integers (PostgreSQL refuses one past bigint).
MAX_PAGE = 1_000_000


def page_number(param="page"):
    """The page of a list the request asks for (?page=, or `param` where a page has two lists):
    1 when missing or not a number, at most MAX_PAGE."""
    return min(max(request.args.get(param, 1, type=int), 1), MAX_PAGE)


def init_urls(app):
    """URL converters; called before any blueprint adds a rule."""
    app.url_map.converters["int"] = BoundedInt


def init_login(app, login_manager):
    from .accounts.services import user_for_session

    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    # the loader gets what User.get_id() put in the cookie; an ended session loads no one
    login_manager.user_loader(user_for_session)


def fen(amount):
    """Format integer fen as yuan with two decimals and thousands separators."""
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    yuan, cents = divmod(abs(int(amount)), 100)
    return f"{sign}{yuan:,}.{cents:02d}"


def localtime(dt, fmt="yyyy-MM-dd HH:mm"):
    """A stored UTC datetime shown in Asia/Shanghai."""
    if dt is None:
        return ""
    return format_datetime(to_local(dt), fmt)


def init_templates(app):
    from .ui import MenuLink  # noqa: F401  (templates sort MenuLink objects)

    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.filters["fen"] = fen
    app.jinja_env.filters["localtime"] = localtime
    app.jinja_env.globals["static_url"] = static_url
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.add_extension("jinja2.ext.do")

    @app.context_processor
    def portal_globals():
        from .accounts.access import can

        return {
            "site_name": app.config.get("SITE_NAME") or _("Village affairs portal"),
            "languages": app.config["LANGUAGES"],
            "current_locale": str(get_locale()),
            "can": lambda perm, org=None: can(current_user, perm, org),
        }


PRIVATE = "private, no-cache"  # a page for this browser only


def carries_visitor_token():
    """Whether the page answered holds this visitor's CSRF token (a form): Flask-WTF keeps the token
    it made for the request in `g`."""
    return current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g


SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


class ReadOnlySite(ServiceUnavailable):
    """A write asked of a public-only copy of the site (PUBLIC_ONLY)."""


READ_METHODS = ("GET", "HEAD", "OPTIONS")


def init_security(app):
    if app.config.get("PUBLIC_ONLY"):
        @app.before_request
        def refuse_writes():
            # The database connection is read-only: refuse up front what would need to write,
            # rather than fail half-way. Staff work, logins and complaints go to the main site.
            if request.method not in READ_METHODS or request.path.startswith(("/console", "/login", "/logout")):
                raise ReadOnlySite()

    @app.before_request
    def refuse_nul_characters():
        # No text a person types holds NUL, and PostgreSQL refuses it in text with an error.
        values = [request.path, *request.args.values()]
        if request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded",
                                                             "multipart/form-data"):
            values += request.form.values()
        if any("\x00" in v for v in values):
            abort(400)

    @app.before_request
    def console_needs_login():
        # Every console route, the core's and every plugin's, needs a login.
        if request.path.startswith("/console") and not current_user.is_authenticated:
            return redirect(url_for("accounts.login", next=request.full_path))
        return None

    @app.after_request
    def security_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.path.startswith(("/console", "/login")):
            response.headers["Cache-Control"] = "no-store"
        elif carries_visitor_token():  # a public form, or the tracking page
            response.headers.setdefault("Cache-Control", PRIVATE)
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


# (title, explanation) of each error page, translated when the page is shown
ERROR_TEXT = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    403: (_l("Not allowed"), _l("You do not have permission for this.")),
    404: (_l("Not found"), _l("There is nothing here. Check the address.")),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    429: (_l("Too many requests"), _l("Too many attempts. Please wait a minute and try again.")),
    503: (_l("Read only"), _l("This copy of the site only shows what has been published.")),
}
OTHER_ERROR = (_l("Error"), _l("Something went wrong."))


def init_errors(app):
    def render_error(code, message=None):
        title, text = ERROR_TEXT.get(code, OTHER_ERROR)
        title, message = str(title), message or str(text)
        if request.path.startswith(("/api/", "/open311/")) or request.accept_mimetypes.best == "application/json":
            return jsonify({"error": title, "message": message, "status": code}), code
        return render_template("error.html", code=code, title=title, message=message), code

    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        return render_error(400, _("The form has expired or was not sent from this site. Reload the page and try again."))

    @app.errorhandler(ReadOnlySite)
    def read_only_site(exc):
        return render_error(503, _("This copy of the site only shows what has been published. "
                                   "To file a complaint or to log in, use the main site."))

    @app.errorhandler(HTTPException)
    def http_error(exc):
        if exc.code in ERROR_TEXT:
            return render_error(exc.code)
        return exc

    @app.errorhandler(500)
    def server_error(exc):
        return render_error(500, _("Something went wrong on our side. It has been logged."))


def plugin_dirs(host, sub):
    """[(plugin_name, folder)] for each plugin package that has the folder `sub`."""
    out = []
    for name, plugin in host.pm.list_name_plugin():
        module_file = getattr(plugin, "__file__", None)
        if module_file and name != "core":
            d = Path(module_file).parent / sub
            if d.is_dir():
                out.append((name, d))
    return out


def translation_dirs(app, host):
    """The core's translations/ folder, then each plugin's."""
    return [str(Path(app.root_path) / "translations")] + [str(d) for _n, d in plugin_dirs(host, "translations")]


@migrate.configure
def configure_alembic(config):
    """The core's migration branch plus each plugin's own (plugins/<name>/migrations)."""
    host = current_app.extensions["portal"]
    locations = [str(Path(MIGRATIONS_DIR) / "versions")] + [str(d) for _n, d in plugin_dirs(host, "migrations")]
    config.set_main_option("version_locations", os.pathsep.join(locations))
    return config


# --- static files ------------------------------------------------------------------

def static_url(filename):
    """URL of a static file under its content-hashed name (cached for a year)."""
    manifest = current_app.extensions["portal_static"]
    return "/static/" + manifest.get(filename, filename)


def _static_sources(host):
    """[(prefix, directory)]: the core's static/ and each plugin's static/<name>/."""
    return [("", Path(current_app.root_path) / "static")] + [("", d) for _n, d in plugin_dirs(host, "static")]


def build_static(sources, base):
    """Copy static files under `base`/<digest>/, each also under a name carrying its hash.

    The folder is named after the content, so workers starting together share it and a
    changed file never overwrites what a running worker serves. Returns (folder, manifest).
    """
    files, manifest = {}, {}
    for _prefix, root in sources:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                rel = path.relative_to(root).as_posix()
                digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
                stem, dot, ext = rel.rpartition(".")
                manifest[rel] = f"{stem}.{digest}.{ext}" if dot else f"{rel}.{digest}"
                files[rel] = path
    folder = base / hashlib.sha256(json.dumps(manifest, sort_keys=True).encode()).hexdigest()[:16]
    if not folder.exists():
        base.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=base))
        for rel, path in files.items():
            for name in (rel, manifest[rel]):
                dest = tmp / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dest)
        try:
            tmp.rename(folder)
        except OSError:  # another worker made it first
            shutil.rmtree(tmp, ignore_errors=True)
    return folder, manifest


def init_static(app, host):
    """Serve static files through WhiteNoise, hashed names cached as immutable."""
    with app.app_context():
        folder, manifest = build_static(_static_sources(host), Path(app.instance_path) / "static-build")
    app.extensions["portal_static"] = manifest
    app.extensions["portal_static_root"] = folder
    from .public.caching import deploy_fingerprint

    app.extensions["portal_deploy"] = deploy_fingerprint(app, manifest)
    app.wsgi_app = WhiteNoise(
        app.wsgi_app,
        root=str(folder),
        prefix="static/",
        max_age=3600,
        immutable_file_test=lambda path, url: bool(HASHED_NAME.search(url)),
    )
