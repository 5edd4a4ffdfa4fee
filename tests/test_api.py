"""The read-only JSON API /api/v1 and its OpenAPI description."""

import re

from portal import ledger
from portal.extensions import db
from tests.helpers import COUNTY, TOWN_A, VILLAGE_A1, VILLAGE_B1, unit


def publish(app, code, title, body=""):
    """Publish a core notice at the unit `code`; return its pub_id."""
    with app.app_context():
        pub = ledger.publish(plugin="core", kind="notice", org=unit(code), title=title, payload={"body": body})
        db.session.commit()
        return pub.pub_id


def test_orgs_is_a_flat_tree(client, tree):
    resp = client.get("/api/v1/orgs")
    assert resp.status_code == 200 and resp.is_json
    orgs = {o["code"]: o for o in resp.get_json()["orgs"]}
    assert orgs[COUNTY]["parent_code"] is None and orgs[COUNTY]["kind"] == "county"
    assert orgs[TOWN_A]["parent_code"] == COUNTY and orgs[TOWN_A]["name"] == "东风镇"
    assert orgs[VILLAGE_A1]["parent_code"] == TOWN_A
    assert len(orgs) == len(tree)
    assert "13800138000" not in resp.get_data(as_text=True)


def test_one_org_with_ancestors_and_children(client, tree):
    data = client.get(f"/api/v1/orgs/{TOWN_A}").get_json()
    assert data["name"] == "东风镇" and data["kind"] == "township"
    assert [a["code"] for a in data["ancestors"]] == [COUNTY]
    assert {c["code"] for c in data["children"]} == {VILLAGE_A1, "371402101202"}
    assert data["links"]["html"].endswith(f"/o/{TOWN_A}")


def test_publications_page_with_subtree_filter(app, client, tree):
    a = publish(app, VILLAGE_A1, "导子村的公告")
    publish(app, VILLAGE_B1, "李家村的公告")
    data = client.get(f"/api/v1/publications?org={TOWN_A}").get_json()
    assert data["total"] == 1 and data["page"] == 1
    assert [(p["pub_id"], p["title"]) for p in data["items"]] == [(a, "导子村的公告")]
    everything = client.get("/api/v1/publications").get_json()
    assert [p["title"] for p in everything["items"]] == ["李家村的公告", "导子村的公告"]


def test_publications_paginate(app, client, tree):
    app.config["PUBLIC_PAGE_SIZE"] = 2
    for i in range(3):
        publish(app, VILLAGE_A1, f"公告{i}")
    first = client.get("/api/v1/publications").get_json()
    assert first["pages"] == 2 and len(first["items"]) == 2 and "page=2" in first["next"]
    second = client.get("/api/v1/publications?page=2").get_json()
    assert [p["title"] for p in second["items"]] == ["公告0"] and second["next"] is None


def test_a_page_number_past_any_list_is_an_empty_page_not_an_error(app, client, tree):
    pub_id = publish(app, VILLAGE_A1, "公告")
    huge = "99999999999999999999"  # its offset overflows PostgreSQL's bigint
    data = client.get(f"/api/v1/publications?page={huge}").get_json()
    assert data["items"] == [] and data["total"] == 1 and data["next"] is None
    assert data["prev"].endswith("page=1")  # back to the last page there is, not to page 99…998
    for path in ("/", f"/o/{VILLAGE_A1}", f"/o/{TOWN_A}", "/search?q=公告"):
        resp = client.get(f"{path}{'&' if '?' in path else '?'}page={huge}")
        assert resp.status_code == 200, path
        assert f'href="/p/{pub_id}"' not in resp.get_data(as_text=True), path
    assert f'href="/p/{pub_id}"' in client.get("/search?q=公告").get_data(as_text=True)


def test_the_whole_list_counts_each_publication_once_by_its_latest_revision(app, client, tree):
    app.config["PUBLIC_PAGE_SIZE"] = 2
    a, b, c, d = (publish(app, code, f"公告{i}") for i, code in enumerate((VILLAGE_A1, VILLAGE_B1, COUNTY, TOWN_A)))
    with app.app_context():
        for n in (1, 2):
            ledger.correct(a, reason="更正", title=f"公告0（更正{n}）")
        ledger.withdraw(b, reason="撤回")
        ledger.correct(d, reason="更正", title="公告3（更正）")
        ledger.withdraw(d, reason="撤回")
        db.session.commit()
    pages = [client.get(f"/api/v1/publications?page={n}").get_json() for n in (1, 2)]
    assert [(p["total"], p["pages"]) for p in pages] == [(2, 1), (2, 1)]
    assert [(p["pub_id"], p["revision"], p["title"]) for p in pages[0]["items"]] == [(a, 3, "公告0（更正2）"),
                                                                                   (c, 1, "公告2")]
    assert pages[1]["items"] == []
    assert client.get(f"/api/v1/publications?org={VILLAGE_A1}").get_json()["total"] == 1


def test_publication_latest_and_revisions(app, client, tree):
    pub_id = publish(app, VILLAGE_A1, "村道修路工程公示", body="10万元")
    with app.app_context():
        ledger.correct(pub_id, reason="金额笔误", title="村道修路工程公示（更正）", payload={"body": "12万元"})
        db.session.commit()
    data = client.get(f"/api/v1/publications/{pub_id}").get_json()
    assert data["latest"]["revision"] == 2 and data["latest"]["payload"] == {"body": "12万元"}
    assert [r["revision"] for r in data["revisions"]] == [1, 2]
    assert data["revisions"][1]["reason"] == "金额笔误"
    assert data["revisions"][1]["prev_hash"] == data["revisions"][0]["hash"]
    first = client.get(f"/api/v1/publications/{pub_id}/revisions/1").get_json()
    assert first["payload"] == {"body": "10万元"} and first["hash"] == data["revisions"][0]["hash"]


def test_unknown_ids_answer_404_json(client, tree):
    for path in ("/api/v1/orgs/000000000000", "/api/v1/publications/999", "/api/v1/publications/1/revisions/9",
                 "/api/v1/publications?org=nope", "/api/v1/nothing"):
        resp = client.get(path)
        assert resp.status_code == 404 and resp.is_json, path
        assert resp.get_json()["status"] == 404


def test_api_is_read_only(client, tree):
    assert client.post("/api/v1/orgs").status_code == 405
    assert client.delete("/api/v1/publications/1").status_code == 405


def test_openapi_documents_every_api_route(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    documented = set(doc["paths"])
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule[len("/api/v1"):])
        assert path in documented, f"{rule.rule} is missing from openapi.json"
        assert "get" in doc["paths"][path]
    for ref in _refs(doc):
        _hash, _components, group, name = ref.split("/")
        assert name in doc["components"][group], ref


def _refs(node):
    """Every $ref in an OpenAPI document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from [value] if key == "$ref" else _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)
