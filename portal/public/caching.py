"""Conditional GET and cache headers of the public pages.

A public page changes only when the ledger grows, when the org tree, a setting or a plugin
switch changes (counted by PublicRevision), with the language, and with the date (the
compliance record and "this year" of a page are counted against today). The ETag of every
public page is a digest of exactly these, so a repeat request is answered 304 before the
page is rendered. Staff who are logged in see console links and the state of the moment:
their pages get no ETag and no shared caching.
"""

import hashlib
import threading
import time
from collections import OrderedDict

from flask import current_app, g, has_app_context, request, session
from flask_babel import get_locale
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event, select, true, update
from sqlalchemy.orm import Session
from werkzeug.wrappers import Request

from ..extensions import db
from ..ledger.models import LedgerHead
from ..orgs.memo import BUMPED
from ..timeutil import local_today
from ..web import PRIVATE, carries_visitor_token
from .models import PublicRevision

# Fresh for a minute in browsers and proxies, then asked again (answered 304 while nothing changed).
CACHE_CONTROL = "public, max-age=60, must-revalidate"


_HEAD, _REVISION = LedgerHead.__table__, PublicRevision.__table__
_STATE = (select(_HEAD.c.seq, _HEAD.c.hash, _REVISION.c.n).select_from(_HEAD.join(_REVISION, true()))
          .where(_HEAD.c.id == 1, _REVISION.c.id == 1))


def site_state():
    """(ledger head seq, head hash, public revision): what changes when published data or the tree,
    settings and plugin switches change. One query: both rows in a single SELECT."""
    return tuple(db.session.execute(_STATE).first() or (0, "", 0))


def site_validator(locale=None, state=None):
    """A digest of everything a public page depends on besides its URL: ledger head, public revision,
    language, today's date (Asia/Shanghai) and the release (see deploy_fingerprint)."""
    parts = (*(state or site_state()), str(locale or get_locale()), local_today().isoformat(),
             current_app.extensions.get("portal_deploy", ""))
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:32]


def _cacheable_request():
    # A message waiting in the session (flash) is shown by the next page rendered: render it.
    return (request.method in ("GET", "HEAD") and not current_user.is_authenticated
            and "_flashes" not in session)


class PageCache:
    """The last public pages answered to anonymous visitors, kept by (ETag, URL) in this process
    (and form pages with a placeholder for the visitor's token: form_page).

    The ETag covers everything a public page depends on, so a page stored under it is the
    page the view would render again; when anything changes the ETag changes and the old
    entries are never asked for (they age out, least recently used first). An entry is the
    answer as it left the app: body and every header.
    """

    MAX_BYTES = 256 * 1024  # a larger answer (a big download) is rendered each time

    def __init__(self, size):
        self.size = size
        self._pages = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key, body, headers):
        if self.size <= 0 or len(body) > self.MAX_BYTES:
            return
        with self._lock:
            self._pages[key] = (body, headers)
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)


def page_cache():
    return current_app.extensions["portal_page_cache"]


_OFFER = "portal.page_cache_key"  # environ: the app offers its answer to the page cache under this key
_ANONYMOUS_ETAG = "portal.anonymous_etag"  # environ: the ETag of a cookie-less visitor, as the store computed it


class PageCacheMiddleware:
    """WSGI middleware in front of the app: stores the public pages the app offers, and answers a
    repeat request of a visitor without cookies from the store before Flask is entered.

    A browser without cookies is anonymous, has no waiting message and reads the default
    language, so its page is found by the ETag computed for the default language alone.
    The site state behind that ETag is read at most once per PUBLIC_STATE_TTL seconds (and
    again after any commit in this process), so another worker's publication reaches such a
    browser within that time; pages are public for a minute anyway (CACHE_CONTROL).
    Visitors with a cookie go through the app, which looks in the same store after loading
    their session (conditional_get) and always reads the state.
    A kept public form is answered to such a browser the same way, with a token of its own (_form).
    """

    def __init__(self, app, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.cache = PageCache(app.config.get("PUBLIC_PAGE_CACHE_SIZE", 0))
        self.state_ttl = float(app.config.get("PUBLIC_STATE_TTL", 0))
        self._state = None  # (monotonic time read, site_state())
        app.extensions["portal_page_cache"] = self.cache
        app.extensions["portal_page_cache_middleware"] = self

    def forget_state(self):
        self._state = None

    def _site_state(self):
        known = self._state
        if known is not None and time.monotonic() - known[0] < self.state_ttl:
            return known[1]
        with self.app.app_context():
            state = site_state()
        self._state = (time.monotonic(), state)
        return state

    def __call__(self, environ, start_response):
        if self.cache.size > 0 and environ.get("REQUEST_METHOD") == "GET" and not environ.get("HTTP_COOKIE"):
            answer = self._from_store(environ, start_response)
            if answer is not None:
                return answer
        captured = []

        def capture(status, headers, exc_info=None):
            captured[:] = [status, headers]
            return start_response(status, headers, exc_info)

        result = self.wsgi_app(environ, capture)
        key = environ.get(_OFFER)
        if key is None or not captured or not captured[0].startswith("200 ") \
                or any(name.lower() == "set-cookie" for name, _ in captured[1]):
            return result
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        # another visitor gets the page, not this one's rate-limit counters
        self.cache.put(key, body, [(k, v) for k, v in captured[1] if not k.lower().startswith(_PER_CLIENT)])
        return [body]

    def _from_store(self, environ, start_response):
        request = Request(environ)
        state = self._site_state()
        with self.app.app_context():
            etag = site_validator(locale=self.app.config["BABEL_DEFAULT_LOCALE"], state=state)
        page = self.cache.get((etag, request.host_url, request.full_path))
        if page is None:
            form = self.cache.get(_form_key(etag, request)) if "lang" not in request.args else None
            if form is not None:
                return self._form(environ, form[0], start_response)
            environ[_ANONYMOUS_ETAG] = etag  # a form page keeps its form under it (form_page)
            return None
        body, headers = page
        if request.if_none_match.contains_weak(etag):
            start_response("304 NOT MODIFIED", [(k, v) for k, v in headers if k not in _BODY_HEADERS])
            return []
        start_response("200 OK", headers)
        return [body]

    def _form(self, environ, html, start_response):
        """A kept form (form_page) for a browser without cookies: the visitor's own token put in, and
        the answer finished by Flask as the view's answer is (the after_request functions, the new
        session's cookie). No view runs and no before_request function: like a kept page, the form
        was kept under the current site state, and opening it is limited by nothing."""
        with self.app.request_context(environ):
            response = self.app.response_class(html.replace(_FORM_TOKEN, generate_csrf()), mimetype="text/html")
            response = self.app.process_response(response)
        return response(environ, start_response)


_BODY_HEADERS = ("Content-Type", "Content-Length", "Content-Disposition")
_PER_CLIENT = ("x-ratelimit", "retry-after")


def _page_key():
    return (g.public_etag, request.host_url, request.full_path)


def conditional_get():
    """before_request: answer 304 at once when the client holds the page's current ETag,
    or the page rendered for someone else under the same ETag."""
    if not _cacheable_request():
        return None
    state = site_state()
    g.tree_revision = state[2]  # what portal.orgs.memo keeps is used under the revision this ETag is made of
    g.public_etag = site_validator(state=state)
    response = current_app.response_class(status=200)
    response.set_etag(g.public_etag)
    response.make_conditional(request)  # Werkzeug's If-None-Match handling (weak comparison)
    if response.status_code == 304:
        return public_cache_headers(response)
    if request.method == "GET" and not session.modified:
        page = page_cache().get(_page_key())
        if page is not None:
            g.public_page_cached = True
            return current_app.response_class(page[0], headers=page[1])  # complete: after_request adds nothing
    return None


def public_cache_headers(response):
    """after_request: ETag and Cache-Control on a successful public answer.

    Staff who are logged in, and responses that change the session, get no shared cache:
    a township that has just switched a module on must see it at once.
    """
    if response.status_code not in (200, 304) or "Cache-Control" in response.headers:
        return response
    response.vary.add("Cookie")  # the language and a login live in the session cookie
    if current_user.is_authenticated:
        response.headers["Cache-Control"] = PRIVATE
        return response
    if carries_visitor_token():  # a form with this visitor's CSRF token: never stored, never revalidated
        response.headers["Cache-Control"] = PRIVATE
        return response
    # A response that sets the session cookie (?lang=) is for this browser only.
    response.headers["Cache-Control"] = PRIVATE if session.modified else CACHE_CONTROL
    etag = g.get("public_etag")
    if etag and response.status_code == 200 and not response.get_etag()[0]:
        response.set_etag(etag)
        if (not session.modified and request.method == "GET" and not g.get("public_page_cached")
                and not response.is_streamed and not response.direct_passthrough):
            request.environ[_OFFER] = _page_key()  # PageCacheMiddleware stores it as it leaves the app
    return response


_FORM_TOKEN = "\x00csrf-token\x00"  # where a kept form page takes each visitor's own token


def form_page(render):
    """The HTML of a public form (the hotline, 点题, an objection) that `render()` makes for this GET.

    A form page is never shared whole: its CSRF token is the visitor's. But nothing else in it is, for
    an anonymous visitor without a waiting message. So it is rendered once per site state, language
    and URL (the public ETag) and kept in this worker's page cache with a placeholder where the token
    stands; every later visitor gets the kept page with a token of their own (Flask-WTF's, from their
    session): here, or before Flask for a browser without cookies (PageCacheMiddleware._form). Staff,
    and a visitor with a message waiting, get it rendered.
    """
    if not _cacheable_request() or not current_app.config.get("WTF_CSRF_ENABLED", True):
        return render()
    key = _form_key(_form_validator(), request)
    kept = page_cache().get(key)
    if kept is not None:
        return kept[0].replace(_FORM_TOKEN, generate_csrf())
    html = render()  # (a page that is not found raises here, before a token is made)
    token = generate_csrf()  # the one the form just rendered: Flask-WTF makes one a request
    if token in html:
        page_cache().put(key, html.replace(token, _FORM_TOKEN), ())
    return html


def _form_key(etag, request):
    return ("form", etag, request.host_url, request.full_path)


def _form_validator():
    """The public ETag a kept form is found under: for a browser without cookies the one the store looked
    under before Flask (on the site state this worker read within PUBLIC_STATE_TTL), so that the store
    finds the form it keeps; otherwise the state of the moment."""
    if g.get("public_etag"):
        return g.public_etag
    if _ANONYMOUS_ETAG in request.environ and "lang" not in request.args:  # the default language's, made
        return request.environ[_ANONYMOUS_ETAG]  # when the store looked for this page before Flask
    return site_validator()


def cache_public(bp):
    """Give the GET routes of blueprint `bp` (public pages of the core or a plugin) ETags and 304s."""
    bp.before_request(conditional_get)
    bp.after_request(public_cache_headers)


# --- the public revision counter ----------------------------------------------------

def _watched():
    """The core's models that public pages show; a plugin's model says so with a class attribute
    `shown_on_public_pages = True` (e.g. villagers' requests listed on a village page)."""
    from ..orgs.models import OrgUnit
    from ..orgs.settings import SettingValue
    from ..plugins import PluginActivation

    return (OrgUnit, SettingValue, PluginActivation)


@event.listens_for(Session, "after_commit")
def _forget_site_state(_session):
    """A commit in this process may have published: the next cookie-less request reads the state again."""
    if has_app_context():
        middleware = current_app.extensions.get("portal_page_cache_middleware")
        if middleware is not None:
            middleware.forget_state()


@event.listens_for(Session, "before_flush")
def _count_public_changes(session, _flush_context, _instances):
    """Bump the public revision when a flush changes what public pages show besides the ledger."""
    watched = _watched()
    if any(isinstance(obj, watched) or getattr(obj, "shown_on_public_pages", False)
           for objs in (session.new, session.dirty, session.deleted) for obj in objs):
        session.connection().execute(
            update(PublicRevision.__table__).where(PublicRevision.__table__.c.id == 1)
            .values(n=PublicRevision.__table__.c.n + 1))
        session.info[BUMPED] = True  # no answer of portal.orgs.memo is read or kept until the commit


def deploy_fingerprint(app, static_manifest):
    """A digest of what a release changes on the public pages: static files, templates,
    translations and content pages. A new release changes every ETag."""
    from pathlib import Path

    digest = hashlib.sha256(repr(sorted(static_manifest.items())).encode())
    for name in sorted(app.jinja_env.list_templates()):
        source, _filename, _uptodate = app.jinja_env.loader.get_source(app.jinja_env, name)
        digest.update(name.encode() + source.encode())
    for folder in app.config.get("BABEL_TRANSLATION_DIRECTORIES", "").split(";"):
        for path in sorted(Path(folder).rglob("*.mo")) if folder else ():
            digest.update(path.read_bytes())
    content = Path(app.config["CONTENT_DIR"])
    if content.is_dir():
        for path in sorted(content.rglob("*.md")):
            digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]
