"""Open311 GeoReport v2 (/open311/v2/…): service list and definitions, requests as JSON or XML, POST to file.

Field names, statuses and error bodies follow the specification (wiki.open311.org/GeoReport_v2).
Listings never carry the complainant's name, phone or email; a confidential case carries no
description, and personal data in descriptions is masked.

A request's public id (service_request_id) is the case number, never its tracking code: the code
opens the case's tracking page, where whoever holds it reads every reply and rates the answer
(不满意 reopens the case), so only the villager who filed gets it (the form's answer; the
service_notice of a POST). A client that kept a tracking code as an id may still look it up.
"""

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from flask import Blueprint, Response, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from portal.extensions import csrf, db, limiter
from portal.timeutil import LOCAL_TZ
from portal.web import MAX_SQL_INT

from . import access, labels, services
from .models import CLOSED, MERGED, PUBLIC_CATEGORIES, REPLIED, Case
from .public import submit_limit

bp = Blueprint("hotline_open311", __name__, url_prefix="/open311/v2")

FORMATS = ("json", "xml")
MAX_RESULTS = 1000
DEFAULT_DAYS = 90


# --- rendering ------------------------------------------------------------------------

def _xml(root_tag, item_tag, items):
    root = ET.Element(root_tag)
    for item in items:
        el = ET.SubElement(root, item_tag)
        for key, value in item.items():
            _xml_value(el, key, value)
    return ET.tostring(root, encoding="unicode", xml_declaration=False)


def _xml_value(parent, key, value):
    child = ET.SubElement(parent, key)
    if isinstance(value, list):
        for v in value:
            if isinstance(v, dict):
                sub = ET.SubElement(child, key.rstrip("s") or "item")
                for k2, v2 in v.items():
                    _xml_value(sub, k2, v2)
            else:
                ET.SubElement(child, key.rstrip("s") or "item").text = str(v)
    elif isinstance(value, dict):
        for k2, v2 in value.items():
            _xml_value(child, k2, v2)
    elif isinstance(value, bool):
        child.text = "true" if value else "false"
    elif value is not None:
        child.text = str(value)


def _answer(fmt, root_tag, item_tag, items, status=200):
    if fmt == "xml":
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + _xml(root_tag, item_tag, items)
        return Response(body, status=status, mimetype="text/xml")
    return jsonify(items), status


def error(fmt, status, description):
    """The spec's error body: [{code, description}] (or <errors><error>…)."""
    return _answer(fmt, "errors", "error", [{"code": status, "description": description}], status)


@bp.errorhandler(429)
def too_many(exc):
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return error(fmt, 429, _("Too many requests. Please wait a minute and try again."))


@bp.errorhandler(413)
def too_large(exc):
    fmt = "xml" if request.path.endswith(".xml") else "json"
    return error(fmt, 413, _("What you sent is too large."))


# --- services -------------------------------------------------------------------------

SERVICE_DESCRIPTIONS = {
    "consult": "咨询 · questions about policies and village affairs",
    "help": "求助 · requests for help",
    "complaint": "投诉 · complaints about services or conduct",
    "report": "举报 · reports of wrongdoing (never passed to the one reported)",
    "suggestion": "建议 · suggestions",
}


def _service(code):
    return {"service_code": code, "service_name": str(labels.CATEGORY_LABELS[code]),
            "description": SERVICE_DESCRIPTIONS[code], "metadata": True, "type": "realtime",
            "keywords": code, "group": "hotline"}


@bp.route("/services.<fmt>")
def service_list(fmt):
    if fmt not in FORMATS:
        return error("json", 404, _("Use .json or .xml."))
    return _answer(fmt, "services", "service", [_service(c) for c in PUBLIC_CATEGORIES])


@bp.route("/services/<code>.<fmt>")
def service_definition(code, fmt):
    """The definition of a service: the one required attribute, attribute[village] (a village code)."""
    if fmt not in FORMATS:
        return error("json", 404, _("Use .json or .xml."))
    if code not in PUBLIC_CATEGORIES:
        return error(fmt, 404, _("Unknown service_code."))
    values = [{"key": v.code, "name": f"{t.name} {v.name}"} for t, vs in services.villages_open_for_filing() for v in vs]
    definition = {"service_code": code, "attributes": [{
        "variable": True, "code": "village", "datatype": "singlevaluelist", "required": True,
        "datatype_description": "The village concerned: send attribute[village]=<12-digit village code>. "
                                "Without it, address_string must contain the village's name.",
        "order": 1, "description": "Village (村)", "values": values}]}
    if fmt == "xml":
        root = ET.Element("service_definition")
        ET.SubElement(root, "service_code").text = code
        attrs = ET.SubElement(root, "attributes")
        a = definition["attributes"][0]
        attr = ET.SubElement(attrs, "attribute")
        for key in ("variable", "code", "datatype", "required", "datatype_description", "order", "description"):
            ET.SubElement(attr, key).text = str(a[key]).lower() if isinstance(a[key], bool) else str(a[key])
        vals = ET.SubElement(attr, "values")
        for v in values:
            val = ET.SubElement(vals, "value")
            ET.SubElement(val, "key").text = v["key"]
            ET.SubElement(val, "name").text = v["name"]
        body = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")
        return Response(body, mimetype="text/xml")
    return jsonify(definition)


# --- requests -------------------------------------------------------------------------

def _iso(moment):
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC).astimezone(LOCAL_TZ).isoformat(timespec="seconds")


def _status_notes(case):
    if case.state == MERGED:
        return "Merged with another request about the same matter."
    replies = [e for e in services.public_events(case) if e.kind == "reply"]
    return replies[-1].text if replies else None


def request_record(case):
    """A case in the spec's field names; no name, phone or email, ever."""
    return {
        "service_request_id": str(case.id),
        "status": "closed" if case.state in (CLOSED, MERGED, REPLIED) else "open",
        "status_notes": _status_notes(case),
        "service_name": str(labels.CATEGORY_LABELS[case.category]),
        "service_code": case.category,
        "description": services.public_description(case),
        "agency_responsible": case.township.name,
        "service_notice": str(labels.STATE_LABELS[case.state]),
        "requested_datetime": _iso(case.filed_at),
        "updated_datetime": _iso(case.updated_at),
        "expected_datetime": _iso(case.due_at),
        "address": f"{case.township.name}{case.org.name}",
        "address_id": case.org.code,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lon,
        "media_url": None,
    }


def _parse_time(text):
    """A naive UTC datetime from an ISO 8601 (w3) string, or ValueError."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(UTC).replace(tzinfo=None)


@bp.route("/requests.<fmt>", methods=["GET", "POST"])
@csrf.exempt
@limiter.shared_limit(submit_limit, scope="hotline-submit", methods=["POST"])
def requests_(fmt):
    if fmt not in FORMATS:
        return error("json", 404, _("Use .json or .xml."))
    if request.method == "POST":
        return _create(fmt)
    args = request.args
    q = select(Case).where(Case.township_id.in_(access.active_township_ids()))
    if args.get("service_request_id"):
        ids = [c.strip() for c in args["service_request_id"].split(",")[:100]]
        codes = [code for code in map(services.normalise_code, ids) if code]
        q = q.where(or_(Case.id.in_([int(i) for i in ids if _is_id(i)]), Case.code.in_(codes)))
    else:
        try:
            start = _parse_time(args["start_date"]) if args.get("start_date") else None
            end = _parse_time(args["end_date"]) if args.get("end_date") else None
        except ValueError:
            return error(fmt, 400, _("start_date and end_date must be ISO 8601 dates, e.g. 2026-10-01T00:00:00+08:00."))
        if start is None and end is None:
            start = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=DEFAULT_DAYS)
        if start is not None:
            q = q.where(Case.filed_at >= start)
        if end is not None:
            q = q.where(Case.filed_at <= end)
        if args.get("service_code"):
            q = q.where(Case.category.in_(args["service_code"].split(",")[:10]))
        status = args.get("status")
        if status:
            wanted = set(status.split(","))
            if not wanted <= {"open", "closed"}:
                return error(fmt, 400, _("status must be open or closed."))
            closed_states = (CLOSED, MERGED, REPLIED)
            if wanted == {"open"}:
                q = q.where(Case.state.notin_(closed_states))
            elif wanted == {"closed"}:
                q = q.where(Case.state.in_(closed_states))
    cases = db.session.scalars(q.order_by(Case.filed_at.desc()).limit(MAX_RESULTS))
    return _answer(fmt, "service_requests", "request", [request_record(c) for c in cases])


@bp.route("/requests/<rid>.<fmt>")
def request_detail(rid, fmt):
    if fmt not in FORMATS:
        return error("json", 404, _("Use .json or .xml."))
    case = _case_by_request_id(rid)
    if case is None or case.township_id not in access.active_township_ids():
        return error(fmt, 404, _("No service request has this id."))
    return _answer(fmt, "service_requests", "request", [request_record(case)])


def _case_by_request_id(rid):
    """The case of a service_request_id: its case number, or (as a client may have kept it) its tracking code."""
    rid = (rid or "").strip()
    if _is_id(rid):
        return db.session.get(Case, int(rid))
    return None if rid.isdigit() else services.case_by_code(rid)


def _is_id(text):
    """Whether `text` is a case number an SQL INTEGER can hold (a larger one is no case, not a database error)."""
    return text.isdigit() and int(text) <= MAX_SQL_INT


def _float(name):
    raw = request.form.get(name, "").strip()
    if not raw:
        return None
    value = float(raw)
    if value != value or abs(value) > 180:
        raise ValueError(name)
    return value


def _village_from(form):
    code = (form.get("attribute[village]") or "").strip()
    if code:
        return services.village_for_filing(code)
    address = (form.get("address_string") or "").strip()
    if address:
        for township, villages in services.villages_open_for_filing():
            for v in villages:
                if v.name in address and (township.name in address or
                                          sum(1 for _t, vs in services.villages_open_for_filing()
                                              for x in vs if x.name == v.name) == 1):
                    return services.village_for_filing(v.code)
    return None


def _create(fmt):
    """POST requests: file a case as the web form does (committed before the id is answered)."""
    form = request.form
    code = (form.get("service_code") or "").strip()
    if code not in PUBLIC_CATEGORIES:
        return error(fmt, 400, _("service_code is missing or unknown; see services.json."))
    description = (form.get("description") or "").strip()
    if not description:
        return error(fmt, 400, _("description is required."))
    try:
        lat, lon = _float("lat"), _float("long")
    except ValueError:
        return error(fmt, 400, _("lat and long must be decimal degrees."))
    village = _village_from(form)
    if village is None:
        return error(fmt, 400, _("Name the village: attribute[village] with a village code from the service "
                                 "definition, or an address_string containing the village's name."))
    name = " ".join(x for x in ((form.get("last_name") or "").strip(), (form.get("first_name") or "").strip()) if x)
    try:
        case = services.file_case(village=village, category=code, description=description, name=name or None,
                                  phone=services.clean_phone(form.get("phone")), email=form.get("email"),
                                  source="open311",
                                  address=(form.get("address_string") or "").strip()[:200] or None, lat=lat, lon=lon)
    except services.HotlineError as exc:
        return error(fmt, 400, str(exc))
    notice = _("Accepted. Follow it at %(url)s", url=url_for("hotline_public.track", code=case.code, _external=True))
    # the tracking code goes to the filer only, in the notice; the id is the public case number
    return _answer(fmt, "service_requests", "request",
                   [{"service_request_id": str(case.id), "service_notice": notice, "account_id": None}], 201)
