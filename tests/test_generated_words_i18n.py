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
