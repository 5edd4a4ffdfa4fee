"""Words the code writes (titles of records and statistics, timeline lines, role names) read in the reader's
language: the site's own language in what is stored, the reader's on the page."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from plugins.disclosure import decisions
from plugins.hotline import services as hotline
from plugins.hotline import stats as hotline_stats
from plugins.training import stats as training_stats
from portal.accounts.models import Role
from portal.config import Defaults
from portal.extensions import db
from portal.ledger import Publication
from portal.timeutil import local_today
from tests.helpers import COUNTY, TOWN_A, VILLAGE_A1, VILLAGE_A2, build_tree, make_user, unit

DAY = local_today() - timedelta(days=30)


@pytest.fixture
def zh_app(app_factory):
    """A site whose default language is Simplified Chinese, as deployed; readers may switch to English."""
    app = app_factory(BABEL_DEFAULT_LOCALE=Defaults.BABEL_DEFAULT_LOCALE)
    with app.app_context():
        build_tree()
        for plugin in ("disclosure", "hotline", "training"):
            app.extensions["portal"].set_enabled(plugin, unit(TOWN_A), True)
        db.session.commit()
    return app


def _decision_with_two_steps():
    clerk = make_user("village_clerk", VILLAGE_A1, "clerk")
    d = decisions.create_decision(unit(VILLAGE_A1), clerk, title="村内道路硬化", matter="村级公益事业建设")
    decisions.record_step(d, clerk, 1, held_on=DAY, content="党支部提议硬化村内道路。", signatures="张建国")
    decisions.record_step(d, clerk, 2, held_on=DAY + timedelta(days=1), content="两委会议商议同意。",
                          signatures="张建国、李春生")
    db.session.commit()
    return d.pub_id


def test_a_decision_record_is_stored_in_chinese_and_read_in_english(zh_app):
    with zh_app.app_context():
        pub_id = _decision_with_two_steps()
        stored = db.session.scalar(select(Publication).where(Publication.pub_id == pub_id)
                                   .order_by(Publication.revision.desc()).limit(1))
        # the hashed record keeps the site's words, written through the catalog
        assert stored.title == "导子村四议两公开：村内道路硬化"
        assert stored.summary == "村级公益事业建设 · 第2/6步 村两委会议商议"
        assert stored.reason == "记录第2步：村两委会议商议"
    client = zh_app.test_client()
    page = client.get(f"/p/{pub_id}?lang=en").get_data(as_text=True)
    assert "Four deliberations, two disclosures (四议两公开) at 导子村: 村内道路硬化" in page
    assert "Step 2 recorded: Discussion by the two committees (村两委会议商议)" in page
    assert "记录第2步" not in page and "四议两公开：" not in page
    listing = client.get(f"/o/{VILLAGE_A1}?lang=en").get_data(as_text=True)
    assert "村级公益事业建设 · step 2 of 6: Discussion by the two committees (村两委会议商议)" in listing
    assert "第2/6步" not in listing
    history = client.get(f"/p/{pub_id}/history?lang=en").get_data(as_text=True)
    assert "History: Four deliberations, two disclosures (四议两公开) at 导子村" in history
    assert "Step 2 recorded" in history and "记录第2步" not in history
    # and a Chinese reader reads what is stored
    chinese = client.get(f"/p/{pub_id}?lang=zh_Hans_CN").get_data(as_text=True)
    assert "导子村四议两公开：村内道路硬化" in chinese and "记录第2步：村两委会议商议" in chinese


def test_an_english_speaking_clerk_still_writes_the_record_in_the_site_language(zh_app):
    with zh_app.test_request_context("/?lang=en"):
        pub_id = _decision_with_two_steps()
        first = db.session.scalar(select(Publication).where(Publication.pub_id == pub_id, Publication.revision == 1))
        assert first.title == "导子村四议两公开：村内道路硬化"


def test_a_withdrawal_keeps_the_reason_a_person_wrote(zh_app):
    from portal import ledger

    with zh_app.app_context():
        pub_id = _decision_with_two_steps()
        ledger.withdraw(pub_id, reason="录入错误，撤回")
        db.session.commit()
    page = zh_app.test_client().get(f"/p/{pub_id}?lang=en").get_data(as_text=True)
    assert "录入错误，撤回" in page and "Step 2 recorded" not in page


def test_hotline_statistics_titles_read_in_english(zh_app):
    with zh_app.app_context():
        hotline.file_case(village=unit(VILLAGE_A1), category="consult", description="低保政策咨询",
                          now=datetime(2026, 10, 12, 2, 0))
        hotline_stats.publish_all("2026-10")
        pub = db.session.scalar(select(Publication).where(Publication.plugin == "hotline"))
        assert pub.title == "东风镇 2026-10 热线工单统计"
        assert pub.summary.startswith("受理 1 件，答复率 0.0%")
        pub_id = pub.pub_id
    client = zh_app.test_client()
    town = client.get(f"/o/{TOWN_A}?lang=en").get_data(as_text=True)
    assert "Hotline statistics (热线工单统计) of 东风镇, 2026-10" in town and "热线工单统计</a>" not in town
    page = client.get(f"/p/{pub_id}?lang=en").get_data(as_text=True)
    assert "Hotline statistics (热线工单统计) of 东风镇, 2026-10" in page
    home = client.get("/?lang=en").get_data(as_text=True)
    assert "1 cases filed, reply rate 0.0%, on-time closure rate 0.0%, satisfaction rate —" in home


def test_training_statistics_titles_read_in_english(zh_app):
    with zh_app.app_context():
        assert training_stats.publish_township(unit(TOWN_A), "2026-Q3") == "published"
        db.session.commit()
        pub = db.session.scalar(select(Publication).where(Publication.plugin == "training"))
        assert pub.title == "东风镇 2026-Q3 党员教育培训和组织生活情况"
        pub_id = pub.pub_id
    page = zh_app.test_client().get(f"/p/{pub_id}?lang=en").get_data(as_text=True)
    assert "东风镇 training and party-life sessions, 2026-Q3" in page
    assert "党员教育培训和组织生活情况" not in page


def test_a_merged_case_says_so_in_the_readers_language(zh_app):
    with zh_app.app_context():
        first = hotline.file_case(village=unit(VILLAGE_A1), category="complaint", description="路灯坏了")
        dup = hotline.file_case(village=unit(VILLAGE_A2), category="complaint", description="路灯又坏了")
        admin = make_user("township_admin", TOWN_A, "boss")
        first_id, dup_code = first.id, dup.code
    with zh_app.test_request_context("/?lang=zh_Hans_CN"):  # a clerk reading Chinese merges the two
        hotline.merge(db.session.merge(dup), db.session.merge(first), db.session.merge(admin))
        db.session.commit()
    client = zh_app.test_client()
    track = client.get(f"/hotline/track?code={dup_code}&lang=en").get_data(as_text=True)
    assert "Handled together with another case about the same matter; its replies are shown here." in track
    assert "合并办理" not in track
    assert "与反映同一事项的另一工单合并办理" in client.get(
        f"/hotline/track?code={dup_code}&lang=zh_Hans_CN").get_data(as_text=True)
    client.post("/login", data={"username": "boss", "password": "correct horse battery"})
    case = client.get(f"/console/hotline/cases/{first_id}?lang=en").get_data(as_text=True)
    assert f"Case {dup_code} was merged into this one." in case and "A duplicate merged in" in case
    assert f"工单 {dup_code} 已合并到本工单。" in client.get(
        f"/console/hotline/cases/{first_id}?lang=zh_Hans_CN").get_data(as_text=True)


def test_role_names_stored_in_chinese_read_in_english(app, client, login_as):
    with app.app_context():
        build_tree()
        # `portal init` ran in Chinese: the table keeps the labels in Chinese
        db.session.scalar(select(Role).where(Role.name == "county_admin")).label = "县级管理员"
        db.session.scalar(select(Role).where(Role.name == "village_clerk")).label = "村文书"
        make_user("village_clerk", VILLAGE_A1, "clerk")
        db.session.commit()
    login_as("county_admin", COUNTY, "admin")
    users = client.get("/console/users").get_data(as_text=True)
    assert "County administrator @ 德城区" in users and "Village clerk (村文书) @ 导子村" in users
    assert "县级管理员 @" not in users
    chinese = client.get("/console/users?lang=zh_Hans_CN").get_data(as_text=True)
    assert "县级管理员 @ 德城区" in chinese


def test_role_choices_and_revoke_question_read_in_english(app, client, login_as):
    with app.app_context():
        build_tree()
        db.session.scalar(select(Role).where(Role.name == "village_clerk")).label = "村文书"
        clerk = make_user("village_clerk", VILLAGE_A1, "clerk")
        db.session.commit()
        clerk_id, grant_id = clerk.id, clerk.grants[0].id
    login_as("county_admin", COUNTY, "admin")
    page = client.get(f"/console/users/{clerk_id}").get_data(as_text=True)
    assert ">Village clerk (村文书)</option>" in page and ">村文书</option>" not in page
    question = client.get(f"/console/users/{clerk_id}/grants/{grant_id}/revoke").get_data(as_text=True)
    assert "Village clerk (村文书)" in question and "村文书 @" not in question


# --- disclosures: the default title and a finance statement's summary are the code's words ------------

STATEMENT_CSV = ("日期,凭证号,科目,摘要,收入金额,支出金额\n"
                 "2026-10-03,记-001,经营收入,机动地发包收入,12000.00,\n"
                 "2026-10-08,记-002,管理费用,购买办公用品,,350.50\n"
                 "2026-10-20,记-003,补助收入,县级道路补助,5000,\n").encode("utf-8")


def _publish_disclosure(category="finance", period="2026-10", title="", body="本月财务收支如下。"):
    """A disclosure of 导子村 published the whole road round, a statement imported for a finance one."""
    from plugins.disclosure import services

    clerk = make_user("village_clerk", VILLAGE_A1, f"clerk-{category}-{period}")
    d = services.create_draft(unit(VILLAGE_A1), clerk, category=category, disclosure_kind="regular",
                              period=period, title=title, body=body)
    if category == "finance":
        services.attach_statement(d, clerk, STATEMENT_CSV, "oct.csv", month=period, opening_fen=100000,
                                  stated_closing_fen=100000 + 1200000 - 35050 + 500000)
    services.submit(d, clerk)
    services.countersign(d, make_user("supervisor", VILLAGE_A1, f"jianwei-{category}-{period}"))
    services.approve(d, make_user("village_head", VILLAGE_A1, f"head-{category}-{period}"))
    pub = services.publish(d, clerk)
    db.session.commit()
    return pub.pub_id


FINANCE_EN = "Finance disclosure of 导子村, October 2026"
SUMMARY_EN = "2026-10: income 17,000.00 yuan, expense 350.50 yuan, closing balance 17,649.50 yuan"
FINANCE_ZH = "导子村2026年10月财务收支公开"
SUMMARY_ZH = "2026-10 收入 17,000.00 元，支出 350.50 元，期末余额 17,649.50 元"


def test_a_finance_statement_is_stored_in_chinese_and_read_in_english_everywhere(zh_app):
    with zh_app.test_request_context("/?lang=en"):  # a clerk reading English publishes it
        pub_id = _publish_disclosure()
        stored = db.session.scalar(select(Publication).where(Publication.pub_id == pub_id))
        assert (stored.title, stored.summary) == (FINANCE_ZH, SUMMARY_ZH)  # the hashed words stay Chinese
    client = zh_app.test_client()
    village = f"/o/{VILLAGE_A1}"
    pages = {"publication": f"/p/{pub_id}", "history": f"/p/{pub_id}/history", "home": "/",
             "village": village, "township": f"/o/{TOWN_A}", "disclosures": f"{village}/disclosure",
             "month": f"{village}/finance/2026-10", "notice": f"{village}/finance/2026-10/notice",
             "objection": f"/disclosure/object/{pub_id}", "search": "/search?q=机动地发包收入"}
    for name, path in pages.items():
        page = client.get(path + ("&" if "?" in path else "?") + "lang=en").get_data(as_text=True)
        assert FINANCE_EN in page, name
        assert "财务收支公开" not in page and "期末余额" not in page, name
    for name in ("home", "village"):  # lists show the summary (the publication page shows the statement)
        assert SUMMARY_EN in client.get(pages[name] + "?lang=en").get_data(as_text=True), name
    # a Chinese reader reads what is stored, word for word
    for name, path in pages.items():
        page = client.get(path + ("&" if "?" in path else "?") + "lang=zh_Hans_CN").get_data(as_text=True)
        assert FINANCE_ZH in page and "Finance disclosure of" not in page, name
    assert SUMMARY_ZH in client.get(f"/o/{VILLAGE_A1}?lang=zh_Hans_CN").get_data(as_text=True)
    # the feed carries the ledger's words, whoever reads it
    feed = client.get("/feed.atom?lang=en").get_data(as_text=True)
    assert FINANCE_ZH in feed and SUMMARY_ZH in feed


def test_a_search_result_shows_the_statement_summary_in_the_readers_language(zh_app):
    with zh_app.app_context():
        _publish_disclosure()
    page = zh_app.test_client().get("/search?q=17,000.00&lang=en").get_data(as_text=True)
    assert "2026-10: income <mark>17,000.00</mark> yuan, expense 350.50 yuan" in page
    assert "收入 <mark>" not in page


def test_a_title_the_clerk_typed_stays_as_typed_and_a_summary_from_the_text_too(zh_app):
    with zh_app.app_context():
        typed = _publish_disclosure(title="十月份集体账目公开")
        village = _publish_disclosure(category="village", period="2026-Q3", title="第三季度修路情况",
                                      body="村内道路硬化已完工。")
    client = zh_app.test_client()
    page = client.get(f"/p/{typed}?lang=en").get_data(as_text=True)
    assert "十月份集体账目公开" in page and "Finance disclosure of" not in page
    page = client.get(f"/p/{village}?lang=en").get_data(as_text=True)
    assert "第三季度修路情况" in page and "disclosure of 导子村" not in page
    listing = client.get(f"/o/{VILLAGE_A1}?lang=en").get_data(as_text=True)
    assert "十月份集体账目公开" in listing and "第三季度修路情况" in listing and "disclosure of 导子村" not in listing
    assert SUMMARY_EN in listing  # a statement's summary is still the code's words
    assert '<p class="pub-summary">村内道路硬化已完工。</p>' in listing  # the lead of the text, as written


def test_a_default_quarterly_title_reads_in_english_too(zh_app):
    with zh_app.app_context():
        pub_id = _publish_disclosure(category="village", period="2026-Q3", body="村内道路硬化已完工。")
        assert db.session.scalar(select(Publication.title).where(Publication.pub_id == pub_id)) == \
            "导子村2026年第3季度村务公开"
    page = zh_app.test_client().get(f"/p/{pub_id}?lang=en").get_data(as_text=True)
    assert "Village affairs disclosure of 导子村, Q3 2026" in page and "季度村务公开" not in page
    assert "村内道路硬化已完工。" in page  # the text a person wrote is shown as written


@pytest.mark.parametrize("category", ["party", "village", "finance", "government"])
@pytest.mark.parametrize("period", ["2026-03", "2026-10", "2026-Q1", None])
def test_the_chinese_words_of_describe_are_the_stored_ones(zh_app, category, period):
    """The catalog says in Chinese exactly what services store, so a Chinese reader never sees two wordings."""
    from types import SimpleNamespace

    from plugins.disclosure import public, services

    st = {"month": "2026-03", "opening_fen": 0, "income_fen": 123456789, "expense_fen": 5,
          "closing_fen": -1234500, "lines": []}
    pub = SimpleNamespace(org_name="导子村", title=services.default_title("导子村", category, period),
                          payload={"category": category, "period": period, "statement": st})
    with zh_app.test_request_context("/?lang=zh_Hans_CN"):
        assert public.describe(pub) == {"title": pub.title,
                                        "summary": services.summary_of(SimpleNamespace(statement=st))}
    with zh_app.test_request_context("/?lang=en"):
        words = public.describe(pub)
        assert "公开" not in words["title"] and "导子村" in words["title"]
        assert words["summary"] == ("2026-03: income 1,234,567.89 yuan, expense 0.05 yuan, "
                                    "closing balance -12,345.00 yuan")


# --- the resolution and result of a major decision (四议两公开): titles the code wrote -----------------

def _decision_disclosed(title, typed_resolution=""):
    """A decision of 导子村 taken through all six steps; (decision id, resolution pub_id, result pub_id)."""
    from plugins.disclosure import services
    from tests.test_disclosure_decisions import STEPS

    clerk = make_user("village_clerk", VILLAGE_A1, f"clerk-{title}")
    supervisor, head = make_user("supervisor", VILLAGE_A1, f"jianwei-{title}"), make_user(
        "village_head", VILLAGE_A1, f"head-{title}")
    d = decisions.create_decision(unit(VILLAGE_A1), clerk, title=title, matter="村级公益事业建设")
    for n in range(1, 5):
        decisions.record_step(d, clerk, n, held_on=DAY + timedelta(days=n), **STEPS[n])
    pubs = []
    for number, typed in ((5, typed_resolution), (6, "")):
        draft = decisions.start_disclosure(d, clerk, number, title=typed)
        services.submit(draft, clerk)
        services.countersign(draft, supervisor)
        services.approve(draft, head)
        pubs.append(services.publish(draft, clerk).pub_id)
    db.session.commit()
    return d.id, *pubs


def test_a_decisions_resolution_and_result_are_titled_in_chinese_and_read_in_english(zh_app):
    from plugins.disclosure import public

    with zh_app.test_request_context("/?lang=en"):  # a clerk reading English takes it through
        decision_id, resolution, result = _decision_disclosed("村内道路硬化")
        stored = {p.pub_id: p.title for p in db.session.scalars(select(Publication).where(
            Publication.pub_id.in_((resolution, result))))}
        # the hashed words stay what the code always wrote
        assert stored == {resolution: "导子村关于村内道路硬化的决议公开", result: "导子村关于村内道路硬化的实施结果公开"}
    with zh_app.test_request_context("/?lang=zh_Hans_CN"):  # the catalog's Chinese is the stored title, exactly
        for pub in db.session.scalars(select(Publication).where(Publication.pub_id.in_((resolution, result)))):
            assert public.describe(pub)["title"] == pub.title
    client = zh_app.test_client()
    english = {resolution: "Resolution of 导子村 on 村内道路硬化",
               result: "Result of the resolution of 导子村 on 村内道路硬化"}
    for path, shown in ((f"/p/{resolution}", [resolution]), (f"/p/{result}", [result]),
                        (f"/p/{resolution}/history", [resolution]), (f"/o/{VILLAGE_A1}", [resolution, result]),
                        (f"/o/{VILLAGE_A1}/decisions/{decision_id}", [resolution, result]),
                        (f"/disclosure/object/{resolution}", [resolution])):
        page = client.get(f"{path}?lang=en").get_data(as_text=True)
        assert all(english[pub_id] in page for pub_id in shown), path
        assert "的决议公开" not in page and "的实施结果公开" not in page, path
        chinese = client.get(f"{path}?lang=zh_Hans_CN").get_data(as_text=True)  # what is stored, word for word
        assert all(stored[pub_id] in chinese for pub_id in shown), path
        assert "Resolution of" not in chinese and "Result of the resolution" not in chinese, path


def test_a_title_of_the_same_shape_that_the_code_did_not_write_stays_as_stored(zh_app):
    with zh_app.app_context():
        # the clerk typed the resolution's title; the decision is called otherwise
        _id, typed, result = _decision_disclosed("修建文化广场", typed_resolution="导子村关于文化广场的决议公开")
        # and a disclosure of no decision, titled like one
        lookalike = _publish_disclosure(category="village", period="2026-Q3", title="导子村关于修建文化广场的决议公开",
                                        body="文化广场已开工。")
    client = zh_app.test_client()
    assert "导子村关于文化广场的决议公开" in client.get(f"/p/{typed}?lang=en").get_data(as_text=True)
    page = client.get(f"/p/{lookalike}?lang=en").get_data(as_text=True)
    assert "导子村关于修建文化广场的决议公开" in page and "Resolution of" not in page
    assert "Result of the resolution of 导子村 on 修建文化广场" in client.get(f"/p/{result}?lang=en").get_data(
        as_text=True)  # the result's title is still the code's
