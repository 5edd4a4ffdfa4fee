"""The read-only JSON API /api/v1: the org tree and the publications, described by OpenAPI."""

from flask import Blueprint, abort, current_app, jsonify, request, url_for

from ..web import page_number
from . import services
from .caching import cache_public

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Public data: ETags and a minute in shared caches, like the HTML pages.
cache_public(bp)


def _org_or_404(code):
    org = services.org_by_code(code)
    if org is None:
        abort(404)
    return org


def _links(pub):
    return {"html": url_for("public.publication", pub_id=pub.pub_id, _external=True),
            "api": url_for("api.publication", pub_id=pub.pub_id, _external=True)}


@bp.route("/orgs")
def orgs():
    """Every unit as a flat list; parent_code rebuilds the tree."""
    return jsonify({"orgs": services.org_tree_records()})


@bp.route("/orgs/<code>")
def org(code):
    """One unit with its ancestors and children."""
    unit = _org_or_404(code)
    record = services.org_record(unit)
    record["ancestors"] = [services.org_record(u) for u in unit.ancestors()]
    record["children"] = [services.org_record(u, unit.code) for u in services.child_units(unit)]
    record["links"] = {
        "html": url_for("public.org", code=unit.code, _external=True),
        "feed": url_for("public.org_feed", code=unit.code, _external=True),
        "publications": url_for("api.publications", org=unit.code, _external=True),
    }
    return jsonify(record)


@bp.route("/publications")
def publications():
    """One page of the latest publications, newest first, optionally within a unit's subtree."""
    code = request.args.get("org")
    unit = _org_or_404(code) if code else None
    result = services.latest_publications(unit, page=page_number(), per_page=current_app.config["PUBLIC_PAGE_SIZE"])

    def page_url(n):
        return url_for("api.publications", org=code, page=n, _external=True) if n else None

    return jsonify({
        "page": result.page, "per_page": result.per_page, "total": result.total, "pages": result.pages,
        "next": page_url(result.next_num),
        "prev": page_url(min(result.prev_num, result.pages) if result.prev_num else None),
        "items": [dict(services.publication_brief(p), links=_links(p)) for p in result.items],
    })


@bp.route("/publications/<int:pub_id>")
def publication(pub_id):
    """The latest revision of a publication, in full, and a list of all its revisions."""
    revisions = services.revisions(pub_id)
    if not revisions:
        abort(404)
    latest = revisions[-1]
    return jsonify({
        "latest": dict(services.publication_record(latest), links=_links(latest)),
        "revisions": [{
            "revision": r.revision, "action": r.action, "reason": r.reason,
            "published_at": services.publication_record(r)["published_at"], "hash": r.hash,
            "prev_hash": r.prev_hash,
            "url": url_for("api.revision", pub_id=pub_id, number=r.revision, _external=True),
        } for r in revisions],
    })


@bp.route("/publications/<int:pub_id>/revisions/<int:number>")
def revision(pub_id, number):
    """One revision of a publication exactly as the ledger holds it."""
    rev = services.revision(pub_id, number)
    if rev is None:
        abort(404)
    return jsonify(services.publication_record(rev))


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API."""
    doc = dict(OPENAPI, servers=[{"url": url_for("api.orgs", _external=True).rsplit("/orgs", 1)[0]}])
    return jsonify(with_payload_schemas(doc, current_app.extensions["portal"].publication_kinds))


def with_payload_schemas(doc, kinds):
    """The document with each publication kind's payload schema as `Payload.<plugin>.<kind>`."""
    schemas = dict(doc["components"]["schemas"])
    names = []
    for (plugin, kind), spec in sorted(kinds.items()):
        if spec.payload_schema:
            name = f"Payload.{plugin}.{kind}"
            schemas[name] = dict(spec.payload_schema, description=(
                f"payload of a revision with plugin={plugin!r} and kind={kind!r}. "
                + spec.payload_schema.get("description", "")).strip())
            names.append(name)
    revision = dict(schemas["Revision"])
    revision["properties"] = dict(revision["properties"], payload={
        "type": "object", "description": "Shaped by plugin and kind; see the Payload.* schemas.",
        "anyOf": [{"$ref": f"#/components/schemas/{n}"} for n in names] + [{"type": "object"}]})
    schemas["Revision"] = revision
    return dict(doc, components=dict(doc["components"], schemas=schemas))


def _json(schema_ref, description):
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}}


NOT_FOUND = {"$ref": "#/components/responses/NotFound"}
PUB_ID = {"name": "pub_id", "in": "path", "required": True, "schema": {"type": "integer", "minimum": 1},
          "description": "Publication id (the seq of its first revision)."}
ORG_FIELDS = {
    "code": {"type": "string", "description": "12-digit statistical division code, or a local code"},
    "name": {"type": "string"},
    "kind": {"type": "string", "examples": ["county", "township", "village", "party_branch"]},
    "kind_label": {"type": "string"},
    "parent_code": {"type": ["string", "null"]},
}
BRIEF_FIELDS = {
    "pub_id": {"type": "integer"}, "revision": {"type": "integer"},
    "action": {"type": "string", "enum": ["publish", "correct", "withdraw"]},
    "plugin": {"type": "string"}, "kind": {"type": "string"}, "org_code": {"type": "string"},
    "org_name": {"type": "string"}, "title": {"type": "string"}, "summary": {"type": "string"},
    "published_at": {"type": "string", "format": "date-time", "description": "Asia/Shanghai time"},
    "hash": {"type": "string"},
}

OPENAPI = {
    "openapi": "3.1.0",
    "info": {
        "title": "Cunwu portal public API",
        "version": "1.0.0",
        "description": "Read-only access to the org tree and the published ledger of village affairs "
                       "(村务公开). Every publication is a revision in a SHA-256 hash chain; the whole "
                       "ledger is also at /ledger.jsonl.",
    },
    "paths": {
        "/orgs": {"get": {
            "summary": "All org units as a flat list", "operationId": "listOrgs",
            "responses": {"200": _json("OrgList", "Every unit; parent_code rebuilds the tree")},
        }},
        "/orgs/{code}": {"get": {
            "summary": "One org unit with its ancestors and children", "operationId": "getOrg",
            "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": _json("OrgDetail", "The unit"), "404": NOT_FOUND},
        }},
        "/publications": {"get": {
            "summary": "Latest revisions of publications, newest first (withdrawn ones left out)",
            "operationId": "listPublications",
            "parameters": [
                {"name": "org", "in": "query", "required": False, "schema": {"type": "string"},
                 "description": "Only this unit and the units below it"},
                {"name": "page", "in": "query", "required": False, "schema": {"type": "integer", "minimum": 1},
                 "description": "1 when missing, not a whole number or below 1; past the last page, an empty "
                                "page whose prev is the last one"},
            ],
            "responses": {"200": _json("PublicationPage", "One page"), "404": NOT_FOUND},
        }},
        "/publications/{pub_id}": {"get": {
            "summary": "The latest revision of a publication and the list of its revisions",
            "operationId": "getPublication", "parameters": [PUB_ID],
            "responses": {"200": _json("PublicationDetail", "The publication"), "404": NOT_FOUND},
        }},
        "/publications/{pub_id}/revisions/{number}": {"get": {
            "summary": "One revision exactly as the ledger holds it", "operationId": "getRevision",
            "parameters": [PUB_ID, {"name": "number", "in": "path", "required": True,
                                    "schema": {"type": "integer", "minimum": 1}}],
            "responses": {"200": _json("Revision", "The revision"), "404": NOT_FOUND},
        }},
        "/openapi.json": {"get": {
            "summary": "This document", "operationId": "getOpenApi",
            "responses": {"200": {"description": "OpenAPI 3.1 document",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}},
        }},
    },
    "components": {
        "schemas": {
            "Org": {"type": "object", "properties": ORG_FIELDS, "required": ["code", "name", "kind", "parent_code"]},
            "OrgList": {"type": "object", "properties": {"orgs": {"type": "array",
                                                                  "items": {"$ref": "#/components/schemas/Org"}}}},
            "OrgDetail": {"allOf": [{"$ref": "#/components/schemas/Org"}, {"type": "object", "properties": {
                "ancestors": {"type": "array", "items": {"$ref": "#/components/schemas/Org"}},
                "children": {"type": "array", "items": {"$ref": "#/components/schemas/Org"}},
                "links": {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}},
            }}]},
            "PublicationBrief": {"type": "object", "properties": dict(BRIEF_FIELDS, links={
                "type": "object", "additionalProperties": {"type": "string", "format": "uri"}})},
            "PublicationPage": {"type": "object", "properties": {
                "page": {"type": "integer"}, "per_page": {"type": "integer"}, "total": {"type": "integer"},
                "pages": {"type": "integer"}, "next": {"type": ["string", "null"]},
                "prev": {"type": ["string", "null"]},
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/PublicationBrief"}},
            }},
            "Revision": {
                "type": "object",
                "description": "A ledger record; hash = sha256 of the canonical JSON of every other field.",
                "properties": {
                    "seq": {"type": "integer"}, "pub_id": {"type": "integer"}, "revision": {"type": "integer"},
                    "action": {"type": "string"}, "plugin": {"type": "string"}, "kind": {"type": "string"},
                    "org_code": {"type": "string"}, "org_name": {"type": "string"}, "title": {"type": "string"},
                    "summary": {"type": "string"}, "payload": {"type": "object"},
                    "reason": {"type": ["string", "null"]}, "published_by": {"type": "string"},
                    "published_at": {"type": "string", "format": "date-time", "description": "UTC"},
                    "prev_hash": {"type": "string"}, "hash": {"type": "string"},
                },
            },
            "PublicationDetail": {"type": "object", "properties": {
                "latest": {"$ref": "#/components/schemas/Revision"},
                "revisions": {"type": "array", "items": {"type": "object", "properties": {
                    "revision": {"type": "integer"}, "action": {"type": "string"},
                    "reason": {"type": ["string", "null"]}, "published_at": {"type": "string"},
                    "hash": {"type": "string"}, "prev_hash": {"type": "string"},
                    "url": {"type": "string", "format": "uri"}}}},
            }},
            "Error": {"type": "object", "properties": {
                "error": {"type": "string"}, "message": {"type": "string"}, "status": {"type": "integer"}}},
        },
        "responses": {"NotFound": _json("Error", "No such unit, publication or revision")},
    },
}
