"""Public pages: thin views over portal.public.services; no JavaScript, no personal data."""

from flask import Blueprint, Response, abort, current_app, render_template, request, stream_with_context, url_for
from flask_babel import get_locale, gettext as _
from markupsafe import Markup

from ..extensions import limiter
from ..ledger import publication_text
from ..web import page_number
from . import feeds, services
from .caching import cache_public

bp = Blueprint("public", __name__)

cache_public(bp)


def _page_size():
    return current_app.config["PUBLIC_PAGE_SIZE"]


def _org_or_404(code):
    org = services.org_by_code(code)
    if org is None:
        abort(404)
    return org


def pub_url(pub):
    """The absolute URL of a publication's public page."""
    return url_for("public.publication", pub_id=pub.pub_id, _external=True)


@bp.app_template_global("publication_kind_label")
def kind_label(pub):
    """The label of a publication's kind, or its raw name when the plugin is gone."""
    kind = current_app.extensions["portal"].publication_kinds.get((pub.plugin, pub.kind))
    return kind.label if kind else pub.kind


# a publication's title, summary and reason as the reader reads them (PublicationKind.describe)
bp.add_app_template_global(publication_text, "publication_text")


@bp.app_template_global("publication_revision_note")
def revision_note(pub):
    """How a later revision is announced: a correction, or an update of a record that grows."""
    kind = current_app.extensions["portal"].publication_kinds.get((pub.plugin, pub.kind))
    if kind is not None and kind.revisions_add:
        return _("Updated (revision %(n)d)", n=pub.revision)
    return _("Corrected (revision %(n)d)", n=pub.revision)


@bp.route("/")
def home():
    """The county, its townships and the latest publications."""
    counties = [(county, [u for u in services.child_units(county) if u.kind == "township"])
                for county in services.root_counties()]
    pubs = services.latest_publications(page=page_number(), per_page=_page_size())
    return render_template("public/home.html", counties=counties, pubs=pubs)


@bp.route("/o/<code>")
def org(code):
    """A unit: where it stands, what is below it, plugin sections and its latest publications."""
    unit = _org_or_404(code)
    hooks = current_app.extensions["portal"].hooks_for(unit)
    sections = sorted((s for items in hooks.public_sections(org=unit) for s in (items or ())),
                      key=lambda s: s.order)
    # Each section renders with its own context (plus the unit), so plugins cannot see each other's.
    rendered = [(s, Markup(render_template(s.template, **dict(s.context, org=unit)))) for s in sections]
    pubs = services.latest_publications(unit, page=page_number(), per_page=_page_size())
    return render_template("public/org.html", org=unit, ancestors=unit.ancestors(),
                           children=services.child_units(unit), sections=rendered, pubs=pubs,
                           contacts=services.org_contacts(unit))


@bp.route("/p/<int:pub_id>")
def publication(pub_id):
    """The latest revision of a publication, rendered with its kind's template."""
    pub = services.publication(pub_id)
    if pub is None:
        abort(404)
    kind = current_app.extensions["portal"].publication_kinds.get((pub.plugin, pub.kind))
    return render_template("public/publication.html", publication=pub, payload=pub.payload or {},
                           kind=kind, first=services.revision(pub_id, 1))


@bp.route("/p/<int:pub_id>/history")
def history(pub_id):
    """Every revision of a publication with its reason, date and hashes."""
    revisions = services.revisions(pub_id)
    if not revisions:
        abort(404)
    return render_template("public/history.html", publication=revisions[-1], revisions=revisions)


def _atom(pubs, title, alternate_url):
    body = feeds.atom_feed(pubs, feed_id=request.base_url, title=title, self_url=request.base_url,
                           alternate_url=alternate_url, author=_site_name(), url_for_pub=pub_url,
                           empty_updated=None if pubs else services.ledger_updated())
    return Response(body, mimetype="application/atom+xml")


def _site_name():
    return current_app.config.get("SITE_NAME") or _("Village affairs portal")


@bp.route("/feed.atom")
def feed():
    """Atom feed of the latest publications of the whole site."""
    pubs = services.newest_publications(limit=_page_size())
    return _atom(pubs, _site_name(), url_for("public.home", _external=True))


@bp.route("/o/<code>/feed.atom")
def org_feed(code):
    """Atom feed of the latest publications of a unit and the units below it."""
    unit = _org_or_404(code)
    pubs = services.newest_publications(unit, limit=_page_size())
    return _atom(pubs, f"{unit.name} · {_site_name()}", url_for("public.org", code=code, _external=True))


def _csv_response(org, filename):
    chunks = feeds.csv_lines(services.iter_latest(org), pub_url)
    resp = Response(stream_with_context(chunks), mimetype="text/csv")
    resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return resp


def _json_response(org):
    head = {"org": services.org_record(org) if org is not None else None}
    return Response(stream_with_context(feeds.json_chunks(head, services.iter_latest(org), pub_url)),
                    mimetype="application/json")


@bp.route("/publications.csv")
def publications_csv():
    """Every latest publication as CSV (UTF-8 with BOM, for Excel)."""
    return _csv_response(None, "publications.csv")


@bp.route("/publications.json")
def publications_json():
    """Every latest publication as JSON."""
    return _json_response(None)


@bp.route("/o/<code>/publications.csv")
def org_csv(code):
    """The latest publications of a unit and the units below it as CSV (UTF-8 with BOM)."""
    unit = _org_or_404(code)
    return _csv_response(unit, f"publications-{unit.code}.csv")


@bp.route("/o/<code>/publications.json")
def org_json(code):
    """The latest publications of a unit and the units below it as JSON."""
    return _json_response(_org_or_404(code))


@bp.route("/search")
@limiter.limit(lambda: current_app.config["SEARCH_RATE_LIMIT"], exempt_when=lambda: not request.args.get("q"))
def search():
    """Search the latest publications; every term must match somewhere in the text."""
    q = request.args.get("q", "").strip()
    error, terms, results = None, [], None
    try:
        terms = services.search_terms(q)
    except services.SearchTooLong:
        error = _("Your search is too long. Use at most %(n)d characters.", n=services.SEARCH_MAX_LENGTH)
    if terms:
        results = services.search_publications(terms, page=page_number(), per_page=_page_size())
    excerpts = {pub.seq: services.search_excerpt(pub, terms, words=publication_text(pub))
                for pub in (results.items if results else ())}
    return render_template("public/search.html", q=q, error=error, results=results, excerpts=excerpts)


@bp.route("/pages/<slug>")
def page(slug):
    """A markdown page from the content folder (about, privacy, how to complain…)."""
    found = services.content_page(current_app.config["CONTENT_DIR"], slug, language=get_locale().language)
    if found is None:
        abort(404)
    title, body = found
    return render_template("public/page.html", title=title, body=body)


@bp.route("/ledger.jsonl")
def ledger_jsonl():
    """The whole ledger, one JSON record per line in seq order, for anyone to verify."""
    resp = Response(stream_with_context(services.iter_ledger_lines()),
                    content_type="application/x-ndjson; charset=utf-8")
    resp.headers["Content-Disposition"] = 'inline; filename="ledger.jsonl"'
    return resp


@bp.route("/files/<key>/<name>")
def published_file(key, name):
    """A file attached to a publication (only published files are here; see portal.uploads)."""
    from .. import uploads

    if not uploads.KEY.match(key):
        abort(404)
    mime = {"jpg": "image/jpeg", "png": "image/png", "pdf": "application/pdf"}[key.rsplit(".", 1)[1]]
    stored = uploads.StoredFile(key=key, name=uploads.clean_name(name, key.rsplit(".", 1)[1]), mime=mime, size=0)
    return uploads.send_upload(stored, public=True)
