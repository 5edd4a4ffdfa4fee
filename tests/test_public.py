"""The public site: what a villager sees on the home, unit, publication, search and feed pages."""

import csv
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime

from portal import ledger
from portal.ledger import Publication
from portal.extensions import db
from portal.orgs import set_setting
from tests.helpers import COUNTY, TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, VILLAGE_B1, unit

ATOM = "{http://www.w3.org/2005/Atom}"


def publish(app, code, title, body="", summary=""):
    """Publish a core notice at the unit `code`; return its pub_id."""
    with app.app_context():
        pub = ledger.publish(plugin="core", kind="notice", org=unit(code), title=title, summary=summary,
                             payload={"body": body}, search_text=body)
        db.session.commit()
        return pub.pub_id


def text_of(resp):
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def test_home_lists_townships_and_latest_publications(app, client, tree):
    publish(app, VILLAGE_A1, "村道修路工程公示")
    publish(app, VILLAGE_B1, "2024年1月财务公开")
    html = text_of(client.get("/"))
    assert "德城区" in html and "东风镇" in html and "西湖乡" in html
    assert f'href="/o/{TOWN_A}"' in html
    assert html.index("2024年1月财务公开") < html.index("村道修路工程公示")  # newest first
    assert html.count("<h1") == 1


def test_org_page_shows_place_children_and_its_subtree_publications(app, client, tree):
    publish(app, VILLAGE_A1, "导子村的公告")
    publish(app, VILLAGE_B1, "李家村的公告")
    html = text_of(client.get(f"/o/{TOWN_A}"))
    assert "东风镇" in html and "德城区" in html  # the unit and its breadcrumb
    assert "导子村" in html and "王庄村" in html and "李家村" not in html
    assert "导子村的公告" in html and "李家村的公告" not in html
    for link in (f"/o/{TOWN_A}/feed.atom", f"/o/{TOWN_A}/publications.csv", f"/o/{TOWN_A}/publications.json"):
        assert link in html


def test_a_root_page_lists_only_its_own_tree_when_there_are_two(app, client, tree):
    from portal.orgs.services import create_unit

    with app.app_context():
        other = create_unit("county", "另一个县", "371403000000")
        town = create_unit("township", "北关镇", "371403101000", other)
        create_unit("village", "北关村", "371403101201", town)
        db.session.commit()
    publish(app, VILLAGE_A1, "导子村的公告")
    publish(app, "371403101201", "北关村的公告")
    for path in ("", "/feed.atom", "/publications.csv"):
        mine, theirs = text_of(client.get(f"/o/{COUNTY}{path}")), text_of(client.get(f"/o/371403000000{path}"))
        assert "导子村的公告" in mine and "北关村的公告" not in mine, path
        assert "北关村的公告" in theirs and "导子村的公告" not in theirs, path
    home = text_of(client.get("/"))
    assert "导子村的公告" in home and "北关村的公告" in home


def test_org_page_shows_unit_counts_section_and_hotline(app, client, tree):
    with app.app_context():
        set_setting(unit(TOWN_A), "org.report_hotline", "0534-1234567")
        db.session.commit()
    html = text_of(client.get(f"/o/{VILLAGE_A1}"))
    assert "0534-1234567" in html  # inherited from the township
    assert 'class="unit-counts"' in html


def test_org_page_never_shows_personal_data(client, tree):
    for code in (VILLAGE_A1, VILLAGE_A1 + "-dzb"):
        html = text_of(client.get(f"/o/{code}"))
        assert "13800138000" not in html and "张建国" not in html


def test_unknown_org_is_404(client, tree):
    assert client.get("/o/999999999999").status_code == 404
    assert client.get("/o/999999999999/feed.atom").status_code == 404
    assert client.get("/o/999999999999/publications.csv").status_code == 404


def test_pagination_of_an_org_page(app, client, tree):
    app.config["PUBLIC_PAGE_SIZE"] = 2
    for i in range(3):
        publish(app, VILLAGE_A1, f"公告第{i}号")
    first = text_of(client.get(f"/o/{VILLAGE_A1}"))
    second = text_of(client.get(f"/o/{VILLAGE_A1}?page=2"))
    assert "公告第2号" in first and "公告第0号" not in first
    assert "公告第0号" in second and "公告第2号" not in second
    assert "page=2" in first
    assert "公告" not in text_of(client.get(f"/o/{VILLAGE_A1}?page=99999999999999999999")).split("<main")[1]


def test_publication_shows_latest_revision_and_history_lists_both(app, client, tree):
    pub_id = publish(app, VILLAGE_A1, "村道修路工程公示", body="预算 **10万元**")
    with app.app_context():
        ledger.correct(pub_id, reason="金额笔误", title="村道修路工程公示（更正）", payload={"body": "预算 **12万元**"})
        db.session.commit()
        revisions = ledger.history(pub_id)
    html = text_of(client.get(f"/p/{pub_id}"))
    assert "（更正）" in html and "<strong>12万元</strong>" in html and "10万元" not in html
    assert "<strong>Corrected (revision 2)</strong> 金额笔误" in html and revisions[1].hash in html
    assert f"/p/{pub_id}/history" in html
    history = text_of(client.get(f"/p/{pub_id}/history"))
    assert "金额笔误" in history
    # newest first, and a numbered list counts down with it (item 1 would otherwise be revision 2)
    assert '<ol class="plain revisions" reversed>' in history
    assert history.index("Revision 2") < history.index("Revision 1")
    for rev in revisions:
        assert rev.hash in history and rev.prev_hash in history


def test_withdrawn_publication_shows_notice_not_content(app, client, tree):
    pub_id = publish(app, VILLAGE_A1, "低保名单公示", body="旧内容不应再显示")
    with app.app_context():
        ledger.withdraw(pub_id, reason="含有未遮挡的身份证号")
        db.session.commit()
    html = text_of(client.get(f"/p/{pub_id}"))
    assert "含有未遮挡的身份证号" in html and "旧内容不应再显示" not in html
    assert 'class="notice withdrawn"' in html
    assert "低保名单公示" not in text_of(client.get("/"))  # gone from lists


def test_unknown_publication_is_404(client, tree):
    assert client.get("/p/12345").status_code == 404
    assert client.get("/p/12345/history").status_code == 404


def test_search_finds_chinese_substrings(app, client, tree):
    publish(app, VILLAGE_A1, "村道修路工程公示", body="硬化道路 1.2 公里")
    publish(app, VILLAGE_A1, "2024年1月财务公开", body="管理费用")
    html = text_of(client.get("/search?q=修路"))
    assert "村道修路工程公示" in html and "2024年1月财务公开" not in html
    assert "村道修路工程公示" in text_of(client.get("/search?q=硬化"))  # body text counts


def test_search_every_term_must_match(app, client, tree):
    publish(app, VILLAGE_A1, "村道修路工程公示", body="东头")
    publish(app, VILLAGE_A1, "桥梁修路补贴", body="西头")
    both = text_of(client.get("/search?q=修路"))
    assert "村道修路工程公示" in both and "桥梁修路补贴" in both
    one = text_of(client.get("/search?q=修路+西头"))
    assert "桥梁修路补贴" in one and "村道修路工程公示" not in one
    assert "村道" not in text_of(client.get("/search?q=修路+不存在"))


def test_a_result_shows_where_its_text_matched_with_the_terms_marked(app, client, tree):
    before, after = (" ".join(f"管理费用 {side}{i}笔" for i in range(30)) for side in "前后")
    publish(app, VILLAGE_A1, "2024年1月财务公开", summary="收入 100 元", body=f"{before} 公益支出 路灯维修 {after}")
    publish(app, VILLAGE_A1, "路灯安装公示", summary="安装路灯20盏", body="路灯")
    html = text_of(client.get("/search?q=路灯+维修"))
    assert "公益支出 <mark>路灯</mark><mark>维修</mark>" in html  # found forty lines in, shown
    assert "前29笔" in html and "后0笔" in html  # the lines around the match,
    assert "前0笔" not in html and "后29笔" not in html and "…" in html  # and only those, cut with an ellipsis
    shown = text_of(client.get("/search?q=路灯"))
    assert "安装<mark>路灯</mark>20盏" in shown  # the title shows the term: the summary stays, marked
    assert "<script>" not in text_of(client.get("/search?q=%3Cscript%3E"))


def test_an_excerpt_marks_every_term_in_its_window_and_ignores_case():
    from types import SimpleNamespace

    from portal.public.services import search_excerpt

    text = "before " * 10 + "Road lamp ROAD repair" + " after" * 10
    pub = SimpleNamespace(title="Minutes", summary="", search_text=text)
    pieces = search_excerpt(pub, ["road", "lamp"], width=11)
    assert [p for p, matched in pieces if matched] == ["Road", "lamp", "ROAD"]
    assert "".join(p for p, _m in pieces) == "…ore before Road lamp ROAD …"
    assert search_excerpt(SimpleNamespace(title="Road works", summary="", search_text="road"), ["ROAD"]) is None

def test_every_result_marks_the_term_and_no_excerpt_runs_on_into_a_title(app, client, tree):
    from portal.console.services import notice_text

    with app.app_context():  # as the console publishes notices: the ledger's search text starts with the title
        for title, body in (("东风镇关于冬季农村道路安全的提示", "入冬以来道路结冰，请各村做好村道修路工程收尾和安全提示工作。"),
                            ("导子村村道修路工程公示", "导子村村道修路工程已经村民代表会议通过，全长1.2公里。")):
            ledger.publish(plugin="core", kind="notice", org=unit(VILLAGE_A1), title=title, **notice_text(body))
        db.session.commit()
    html = text_of(client.get("/search?q=修路"))
    results = re.findall(r'<li>\s*<a class="pub-title".*?</li>', html, re.S)
    assert len(results) == 2 and all("<mark>修路</mark>" in r for r in results)
    # the text under a result is said once, without its title run on after it
    assert html.count("东风镇关于冬季农村道路安全的提示") == 1 and html.count("入冬以来道路结冰") == 1


def test_a_notice_with_a_table_has_a_prose_summary_and_shows_its_body_once(app, client, tree):
    from portal.console.services import notice_text

    lead = "导子村村道修路工程已经村民代表会议通过，由县交通局补助资金20万元。"
    body = lead + "\n\n| 项目 | 金额（元） |\n|---|---:|\n| 县补助 | 200,000.00 |\n| 村集体自筹 | 186,000.00 |"
    with app.app_context():
        pub_id = ledger.publish(plugin="core", kind="notice", org=unit(VILLAGE_A1), title="村道修路工程公示",
                                **notice_text(body)).pub_id
        db.session.commit()
    page = text_of(client.get(f"/p/{pub_id}"))
    assert page.count("<table") == 1 and page.count("县补助") == 1 and page.count(lead) == 1
    listing = text_of(client.get(f"/o/{VILLAGE_A1}"))
    assert lead in listing and "县补助" not in listing and "200,000.00" not in listing
    feed = ET.fromstring(client.get("/feed.atom").data)
    assert [e.findtext(ATOM + "summary") for e in feed.iter(ATOM + "entry")] == [lead]
    assert "村道修路工程公示" in text_of(client.get("/search?q=县补助"))  # the table is still searched


def test_a_publication_of_a_kind_no_longer_shown_keeps_its_summary_on_its_page(app, client, tree):
    kinds = app.extensions["portal"].publication_kinds
    kinds[("gone", "report")] = ledger.PublicationKind("gone", "report", "Report", "public/kinds/notice.html")
    with app.app_context():
        pub_id = ledger.publish(plugin="gone", kind="report", org=unit(VILLAGE_A1), title="旧模块的公示",
                                summary="旧模块公示的摘要", payload={"body": "正文"}).pub_id
        db.session.commit()
    del kinds[("gone", "report")]  # the plugin that published it is uninstalled: its template is gone
    page = text_of(client.get(f"/p/{pub_id}"))
    assert "旧模块公示的摘要" in page and "can no longer be displayed" in page


def test_search_treats_like_wildcards_literally_and_skips_withdrawn(app, client, tree):
    publish(app, VILLAGE_A1, "完成率100%")
    publish(app, VILLAGE_A1, "完成率1000")
    html = text_of(client.get("/search?q=100%25"))
    assert "完成率100%" in html and "完成率1000" not in html
    pub_id = publish(app, VILLAGE_A1, "已撤回的修路公示")
    with app.app_context():
        ledger.withdraw(pub_id, reason="重复")
        db.session.commit()
    assert "已撤回的修路公示" not in text_of(client.get("/search?q=修路"))


def test_search_reads_only_the_publications_holding_every_bigram(app, client, tree):
    """The bigram index narrows the search; LIKE still decides, so the results are a scan's."""
    from portal.public import search

    publish(app, VILLAGE_A1, "修路和路灯", body="ABC-12 项目")  # 修路 and 路灯, but not 修路灯
    publish(app, VILLAGE_A1, "村道修路灯杆更换")
    publish(app, VILLAGE_A1, "低保名单")
    assert search.grams("修路灯 ABC-12") == {"修路", "路灯", "ab", "bc", "12"}
    with app.app_context():
        seqs = lambda *terms: set(db.session.scalars(search.candidates(terms, db.engine.dialect.name)))  # noqa: E731
        assert seqs("修路灯") == {1, 2} and seqs("低保") == {3} and seqs("修路", "低保") == set()
        assert search.candidates(["路"], db.engine.dialect.name) is None  # one character: the scan decides
    html = text_of(client.get("/search?q=修路灯"))
    assert "村道修路灯杆更换" in html and "修路和路灯" not in html
    assert "修路和路灯" in text_of(client.get("/search?q=abc-12"))  # ASCII in any case, across the hyphen
    html = text_of(client.get("/search?q=路"))
    assert "修路和路灯" in html and "村道修路灯杆更换" in html and "低保名单" not in html


def test_search_reads_the_candidates_a_batch_at_a_time_newest_first(app, client, tree, monkeypatch):
    from portal.public import services

    monkeypatch.setattr(services, "SEARCH_BATCH", 2)
    titles = ["修路灯01", "修路和路灯02", "修路灯03", "低保04", "修路和路灯05", "修路和路灯06", "修路灯07", "修路灯08"]
    ids = [publish(app, VILLAGE_A1, title) for title in titles]
    with app.app_context():
        ledger.correct(ids[2], reason="改名", title="路灯维修03", payload={"body": ""})  # no longer 修路灯
        ledger.withdraw(ids[6], reason="重复")
        db.session.commit()
        found = lambda cap: [db.session.get(Publication, seq).title  # noqa: E731
                             for seq in services.search_seqs(services.search_terms("修路灯"), cap)]
        # the candidates (every bigram) come two at a time; 修路和路灯 and the old revision of 03 are not matches
        assert found(10) == ["修路灯08", "修路灯01"]
        assert found(1) == ["修路灯08", "修路灯01"]  # the cap and one more: there are more
        assert found(0) == ["修路灯08"]
        assert [db.session.get(Publication, seq).title for seq in services.search_seqs(["路"], 3)] == [
            "路灯维修03", "修路灯08", "修路和路灯06", "修路和路灯05"]  # no bigram: the ledger, newest first
    html = text_of(client.get("/search?q=修路灯"))
    assert "2 results" in html and html.index("修路灯08") < html.index("修路灯01")


def test_a_correction_is_found_by_its_new_text_only(app, client, tree):
    pub_id = publish(app, VILLAGE_A1, "自来水管网改造公示")
    with app.app_context():
        ledger.correct(pub_id, reason="改名", title="饮水工程公示", payload={"body": ""})
        db.session.commit()
    assert "1 results for" in text_of(client.get("/search?q=饮水"))
    assert "Nothing found" in text_of(client.get("/search?q=自来水"))  # the old revision's text is not searched


def test_search_empty_and_too_long(client, tree):
    html = text_of(client.get("/search"))
    assert 'name="q"' in html and "<label" in html and "results for" not in html
    long = text_of(client.get("/search?q=" + "修" * 101))
    assert 'role="alert"' in long


def test_feeds_are_atom_with_entries(app, client, tree):
    publish(app, VILLAGE_A1, "导子村的公告", summary="摘要")
    publish(app, VILLAGE_B1, "李家村的公告")
    resp = client.get("/feed.atom")
    assert resp.mimetype == "application/atom+xml"
    root = ET.fromstring(resp.data)
    assert root.tag == ATOM + "feed"
    titles = [e.findtext(ATOM + "title") for e in root.iter(ATOM + "entry")]
    assert titles == ["李家村的公告", "导子村的公告"]
    link = root.find(ATOM + "entry").find(ATOM + "link").get("href")
    assert link.startswith("http://") and "/p/" in link

    town = ET.fromstring(client.get(f"/o/{TOWN_B}/feed.atom").data)
    assert [e.findtext(ATOM + "title") for e in town.iter(ATOM + "entry")] == ["李家村的公告"]
    assert town.findtext(ATOM + "updated") == town.find(ATOM + "entry").findtext(ATOM + "updated")


def test_an_empty_feed_is_dated_by_the_ledger_not_by_the_moment_it_is_read(app, client, tree):
    # so that two reads (two static exports) of the same data give the same document
    with app.app_context():
        ledger.publish(plugin="core", kind="notice", org=unit(VILLAGE_B1), title="李家村的公告",
                       payload={"body": ""}, published_at=datetime(2024, 1, 5, 8, 30))
        db.session.commit()
    empty = ET.fromstring(client.get(f"/o/{VILLAGE_A2}/feed.atom").data)
    assert list(empty.iter(ATOM + "entry")) == []
    assert empty.findtext(ATOM + "updated") == "2024-01-05T08:30:00+00:00"


def test_ledger_jsonl_lines_recompute_to_their_hash_and_chain(app, client, tree):
    pub_id = publish(app, VILLAGE_A1, "村道修路工程公示", body="修路")
    publish(app, COUNTY, "全区通知")
    with app.app_context():
        ledger.withdraw(pub_id, reason="撤回")
        db.session.commit()
    resp = client.get("/ledger.jsonl")
    assert resp.mimetype in ("application/x-ndjson", "application/jsonl") and resp.mimetype_params["charset"] == "utf-8"
    lines = resp.get_data(as_text=True).splitlines()
    assert len(lines) == 3
    prev = "0" * 64
    for seq, line in enumerate(lines, start=1):
        record = json.loads(line)
        claimed = record.pop("hash")
        canonical = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert hashlib.sha256(canonical.encode("utf-8")).hexdigest() == claimed
        assert record["seq"] == seq and record["prev_hash"] == prev
        prev = claimed


def test_downloads_read_in_batches_hold_every_revision(app, client, tree, monkeypatch):
    """The ledger and the lists are read a few revisions at a time; nothing is lost at the seams."""
    from portal.public import services

    monkeypatch.setattr(services, "LEDGER_BATCH", 2)
    monkeypatch.setattr(services, "BRIEF_BATCH", 2)
    ids = [publish(app, VILLAGE_A1, f"第{n}期公告") for n in range(1, 6)]
    with app.app_context():
        ledger.withdraw(ids[1], reason="撤回")  # six revisions: a multiple of the batch
        db.session.commit()
    seqs = [json.loads(line)["seq"] for line in client.get("/ledger.jsonl").get_data(as_text=True).splitlines()]
    assert seqs == [1, 2, 3, 4, 5, 6]
    rows = list(csv.DictReader(io.StringIO(client.get("/publications.csv").data.decode("utf-8-sig"))))
    assert [r["title"] for r in rows] == ["第5期公告", "第4期公告", "第3期公告", "第1期公告"]
    listed = client.get(f"/o/{TOWN_A}/publications.json").get_json()["publications"]
    assert [p["title"] for p in listed] == ["第5期公告", "第4期公告", "第3期公告", "第1期公告"]


def test_csv_download_has_bom_and_rows(app, client, tree):
    publish(app, VILLAGE_A1, "村道修路工程公示", summary="修路, 含逗号")
    publish(app, VILLAGE_B1, "李家村的公告")
    resp = client.get(f"/o/{TOWN_A}/publications.csv")
    assert resp.mimetype == "text/csv" and "attachment" in resp.headers["Content-Disposition"]
    assert resp.data.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.DictReader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert [r["title"] for r in rows] == ["村道修路工程公示"]
    assert rows[0]["summary"] == "修路, 含逗号" and rows[0]["org_code"] == VILLAGE_A1
    assert rows[0]["url"].endswith(f"/p/{rows[0]['pub_id']}")


def test_json_download_lists_the_subtree(app, client, tree):
    publish(app, VILLAGE_A1, "导子村的公告")
    publish(app, VILLAGE_B1, "李家村的公告")
    data = client.get(f"/o/{TOWN_A}/publications.json").get_json()
    assert data["org"]["code"] == TOWN_A
    assert [p["title"] for p in data["publications"]] == ["导子村的公告"]
    everything = client.get("/publications.json").get_json()
    assert len(everything["publications"]) == 2


def test_public_answers_are_cacheable_but_errors_are_not(client, tree):
    assert client.get("/").headers["Cache-Control"] == "public, max-age=60, must-revalidate"
    assert client.get("/feed.atom").headers["Cache-Control"] == "public, max-age=60, must-revalidate"
    assert "public" not in client.get("/o/nope").headers.get("Cache-Control", "")


def test_public_pages_carry_no_script_and_no_inline_style(app, client, tree):
    pub_id = publish(app, VILLAGE_A1, "村道修路工程公示", body="正文")
    for path in ("/", f"/o/{TOWN_A}", f"/p/{pub_id}", f"/p/{pub_id}/history", "/search?q=修路", "/pages/about"):
        html = text_of(client.get(path))
        assert "<script" not in html and "style=" not in html and "<style" not in html, path
        assert html.count("<h1") == 1, path
        assert '<main id="main"' in html


def test_english_is_available(client, tree):
    resp = client.get("/?lang=en")
    assert resp.status_code == 200 and '<html lang="en">' in resp.get_data(as_text=True)


def test_searches_are_rate_limited_per_client(app_factory):
    """Each search reads every publication's text: a client may search SEARCH_RATE_LIMIT times, then waits."""
    app = app_factory(SEARCH_RATE_LIMIT="2 per minute", RATELIMIT_ENABLED=True)
    client = app.test_client()
    assert client.get("/search?q=修路").status_code == 200
    assert client.get("/search?q=低保").status_code == 200
    limited = client.get("/search?q=电费")
    assert limited.status_code == 429
    assert limited.headers.get("Cache-Control") != "public, max-age=60, must-revalidate"
    assert client.get("/search").status_code == 200  # the empty form costs nothing and is not counted


def test_a_stored_search_page_does_not_carry_another_clients_counters(app_factory):
    app = app_factory(SEARCH_RATE_LIMIT="5 per minute", RATELIMIT_ENABLED=True)
    first = app.test_client(use_cookies=False).get("/search?q=修路")
    assert first.headers["X-RateLimit-Remaining"] == "4"
    again = app.test_client(use_cookies=False).get("/search?q=修路")  # from the page cache
    assert again.data == first.data and "X-RateLimit-Remaining" not in again.headers


def test_search_results_are_counted_and_paged_newest_first(app, client, tree):
    for n in range(1, 24):
        publish(app, VILLAGE_A1, f"第{n:02d}期修路简报")
    first = text_of(client.get("/search?q=修路简报"))
    assert "23 results" in first or "23 条" in first
    assert first.index("第23期修路简报") < first.index("第04期修路简报") and "第03期修路简报" not in first
    assert "修路简报</a>" in first
    second = text_of(client.get("/search?q=修路简报&page=2"))
    assert "第03期修路简报" in second and "第01期修路简报" in second and "第04期修路简报" not in second
    past = text_of(client.get("/search?q=修路简报&page=9"))
    assert ("23 results" in past or "23 条" in past) and "修路简报</a>" not in past


def test_search_lists_at_most_the_newest_results_and_says_there_are_more(app, client, tree, monkeypatch):
    from portal.public import services

    monkeypatch.setattr(services, "SEARCH_MAX_RESULTS", 5)
    for n in range(1, 8):
        publish(app, VILLAGE_A1, f"第{n:02d}期修路简报")
    html = text_of(client.get("/search?q=修路简报"))
    assert "More than 5 results" in html and "Add a word" in html
    assert html.index("第07期修路简报") < html.index("第03期修路简报") and "第02期修路简报" not in html
    assert "Page 1 of" not in html  # five results make one page
    past = text_of(client.get("/search?q=修路简报&page=3"))  # a page typed into the address bar
    assert "past the end of the list" in past and "Nothing found" not in past
    assert re.search(r'href="/search\?q=[^"]+page=\d">Go to the last page', past)
    monkeypatch.setattr(services, "SEARCH_MAX_RESULTS", 7)  # as many results as the cap: the exact count
    exact = text_of(client.get("/search?q=修路简报&again=1"))  # another URL: not from the page cache
    assert "7 results" in exact and "More than" not in exact and "Add a word" not in exact
