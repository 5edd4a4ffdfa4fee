"""Open311 GeoReport v2: existing clients list services, file requests and follow them, in JSON and XML."""

import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from plugins.hotline.models import Case
from portal.extensions import db
from tests.helpers import TOWN_A, VILLAGE_A1, VILLAGE_B1, build_tree, unit


@pytest.fixture
def api(app, client):
    with app.app_context():
        build_tree()
        app.extensions["portal"].set_enabled("hotline", unit(TOWN_A), True)
        db.session.commit()
    return client


POST = {"service_code": "help", "description": "自来水停了三天", "attribute[village]": VILLAGE_A1,
        "first_name": "秀英", "last_name": "李", "phone": "13912345678", "email": "li@example.cn",
        "lat": "36.1", "long": "116.3"}


def test_services_in_json_and_xml(api):
    services = api.get("/open311/v2/services.json").get_json()
    assert {s["service_code"] for s in services} == {"consult", "help", "complaint", "report", "suggestion"}
    assert all(s["metadata"] is True and s["type"] == "realtime" for s in services)
    root = ET.fromstring(api.get("/open311/v2/services.xml").data)
    assert root.tag == "services" and len(root.findall("service")) == 5
    definition = api.get("/open311/v2/services/help.json").get_json()
    village = definition["attributes"][0]
    assert village["code"] == "village" and village["required"] is True
    assert {"key": VILLAGE_A1, "name": "东风镇 导子村"} in village["values"]
    assert ET.fromstring(api.get("/open311/v2/services/help.xml").data).find("service_code").text == "help"
    assert api.get("/open311/v2/services/nope.json").status_code == 404


def test_post_files_a_case_and_get_follows_it(api, app):
    resp = api.post("/open311/v2/requests.json", data=POST)
    assert resp.status_code == 201
    [answer] = resp.get_json()
    rid = answer["service_request_id"]
    with app.app_context():
        case = db.session.get(Case, int(rid))  # the id is the public case number
        assert case.source == "open311" and case.complainant_name == "李 秀英" and case.lat == 36.1
        code = case.code
    assert f"/hotline/track?code={code}" in answer["service_notice"]  # the tracking code: to the filer only
    [record] = api.get(f"/open311/v2/requests/{rid}.json").get_json()
    assert record["status"] == "open" and record["service_code"] == "help"
    assert record["agency_responsible"] == "东风镇" and record["expected_datetime"].endswith("+08:00")
    for field in ("service_request_id", "status_notes", "service_name", "description", "requested_datetime",
                  "updated_datetime", "address", "lat", "long"):
        assert field in record
    xml = api.get(f"/open311/v2/requests/{rid}.xml")
    assert xml.mimetype == "text/xml"
    assert ET.fromstring(xml.data).find("request/service_request_id").text == rid
    listed = api.get("/open311/v2/requests.json?status=open&service_code=help").get_json()
    assert [r["service_request_id"] for r in listed] == [rid]
    assert api.get("/open311/v2/requests.json?status=closed").get_json() == []
    assert len(api.get(f"/open311/v2/requests.json?service_request_id={rid},AAAA-AAAA-AAAA").get_json()) == 1
    # a client that kept the tracking code as the id (before ids were case numbers) still finds it
    assert api.get(f"/open311/v2/requests/{code}.json").get_json()[0]["service_request_id"] == rid
    assert len(api.get(f"/open311/v2/requests.json?service_request_id={code.lower()}").get_json()) == 1
    assert api.get("/open311/v2/requests.json?start_date=2030-01-01T00:00:00Z").get_json() == []


def test_open311_never_exposes_the_complainant(api):
    api.post("/open311/v2/requests.json", data=dict(POST, description="我的电话13912345678，请回电"))
    everything = (api.get("/open311/v2/requests.json").data + api.get("/open311/v2/requests.xml").data).decode()
    for secret in ("李", "秀英", "13912345678", "li@example.cn"):
        assert secret not in everything
    assert "139****5678" in everything  # personal data in the description is masked


def test_an_id_number_and_the_filers_own_name_in_the_description_are_masked(api):
    """The reviewer's case: a made-up ID number (check digit wrong) came out whole, and the name typed in too."""
    resp = api.post("/open311/v2/requests.json", data=dict(
        POST, last_name="张", first_name="测试", phone="13812345678",
        description="我叫张测试，电话13812345678，身份证110101199001011234"))
    [answer] = resp.get_json()
    [record] = api.get(f"/open311/v2/requests/{answer['service_request_id']}.json").get_json()
    assert record["description"] == "我叫张*试，电话138****5678，身份证1101**********1234"


def test_the_public_list_never_gives_away_a_tracking_code(api, app):
    """The code opens the tracking page, where its holder reads the replies and rates (不满意 reopens)."""
    api.post("/open311/v2/requests.json", data=POST)
    with app.app_context():
        code = db.session.scalar(select(Case.code))
    listed = (api.get("/open311/v2/requests.json").data + api.get("/open311/v2/requests.xml").data).decode()
    assert code not in listed and code.replace("-", "") not in listed


def test_address_string_maps_to_a_village_by_name(api):
    resp = api.post("/open311/v2/requests.json", data={"service_code": "consult", "description": "问补贴",
                                                      "address_string": "东风镇导子村村委会旁"})
    assert resp.status_code == 201


@pytest.mark.parametrize("data, message", [
    ({}, "service_code"),
    ({"service_code": "help"}, "description"),
    ({"service_code": "help", "description": "x"}, "attribute[village]"),
    ({"service_code": "help", "description": "x", "attribute[village]": VILLAGE_B1}, "attribute[village]"),
    ({"service_code": "help", "description": "x", "attribute[village]": VILLAGE_A1, "lat": "north"}, "lat"),
    ({"service_code": "help", "description": "长" * 10000, "attribute[village]": VILLAGE_A1}, "2000"),
    ({"service_code": "help", "description": "x", "attribute[village]": VILLAGE_A1, "phone": "abc123"}, "phone"),
])
def test_malformed_post_gets_the_spec_errors(api, data, message):
    resp = api.post("/open311/v2/requests.json", data=data)
    assert resp.status_code == 400
    [err] = resp.get_json()
    assert err["code"] == 400 and message in err["description"]


def test_errors_in_xml_and_unknown_ids(api):
    resp = api.post("/open311/v2/requests.xml", data={})
    assert resp.status_code == 400
    assert ET.fromstring(resp.data).find("error/code").text == "400"
    missing = api.get("/open311/v2/requests/AAAA-BBBB-CCCC.json")
    assert missing.status_code == 404 and missing.get_json()[0]["code"] == 404
    assert api.get("/open311/v2/requests/whatever.xml").status_code == 404
    huge = "99999999999999999999"  # past any SQL integer: no such request, not a database error
    assert api.get(f"/open311/v2/requests/{huge}.json").status_code == 404
    assert api.get(f"/open311/v2/requests.json?service_request_id={huge}").get_json() == []
    assert api.get("/open311/v2/requests.json?status=maybe").status_code == 400
    assert api.get("/open311/v2/requests.json?start_date=yesterday").status_code == 400


def test_post_needs_no_csrf_token_but_is_rate_limited(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True, HOTLINE_SUBMIT_LIMIT="1 per minute")
    with app.app_context():
        build_tree()
        app.extensions["portal"].set_enabled("hotline", unit(TOWN_A), True)
        db.session.commit()
    client = app.test_client()
    assert client.post("/open311/v2/requests.json", data=POST).status_code == 201
    limited = client.post("/open311/v2/requests.json", data=POST)
    assert limited.status_code == 429 and limited.get_json()[0]["code"] == 429


def test_the_form_and_open311_share_one_allowance(app_factory):
    app = app_factory(HOTLINE_SUBMIT_LIMIT="1 per minute")
    with app.app_context():
        build_tree()
        app.extensions["portal"].set_enabled("hotline", unit(TOWN_A), True)
        db.session.commit()
    client = app.test_client()
    assert client.post("/open311/v2/requests.json", data=POST).status_code == 201
    # a second case by the web form from the same client waits too
    assert client.post("/hotline/", data={"category": "help"}).status_code == 429


def test_the_public_form_wants_its_csrf_token(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        build_tree()
        app.extensions["portal"].set_enabled("hotline", unit(TOWN_A), True)
        db.session.commit()
    assert app.test_client().post("/hotline/", data={"category": "help"}).status_code == 400


def test_reports_and_confidential_cases_are_listed_without_their_text(api):
    api.post("/open311/v2/requests.json", data=dict(POST, service_code="report", description="举报某人违规占地"))
    [record] = api.get("/open311/v2/requests.json").get_json()
    assert record["service_code"] == "report" and record["description"] == ""
