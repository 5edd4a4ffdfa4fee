"""The road of a disclosure (村务公开) through its services: draft, review, approval, publishing, correction."""

import io

import pytest
from sqlalchemy import func, select

from plugins.disclosure import revisions, services
from plugins.disclosure.models import Disclosure, DisclosureStep
from plugins.disclosure.services import DisclosureError, PersonalDataFound
from portal import ledger
from portal.accounts import Role
from portal.extensions import db
from portal.ledger import Publication
from portal.orgs import get_setting, set_setting
from portal.orgs.settings import SettingError
from portal.tabular import TableError
from tests.helpers import TOWN_A, TOWN_B, VILLAGE_A1, VILLAGE_A2, build_tree, make_user, unit

ID_NUMBER = "11010519491231002X"  # a valid resident ID number (checksum correct)

OCTOBER = ("日期,凭证号,科目,摘要,收入金额,支出金额\n"
           "2026-10-03,记-001,经营收入,机动地发包收入,12000.00,\n"
           "2026-10-08,记-002,管理费用,购买办公用品,,350.50\n"
           "2026-10-20,记-003,补助收入,县级道路补助,5000,\n").encode("utf-8")
OCTOBER_CLOSING = 100000 + 1200000 - 35050 + 500000  # opening 1,000.00 yuan


def november(closing_note=""):
    return ("日期,凭证号,科目,摘要,收入金额,支出金额\n"
            f"2026-11-02,记-001,公益支出,村道路灯维修{closing_note},,800\n").encode("utf-8")


@pytest.fixture
def people(ctx):
    """A tree with the plugin on in township A, and the people of 导子村's road."""
    build_tree()
    ctx.extensions["portal"].set_enabled("disclosure", unit(TOWN_A), True)
    db.session.commit()
    return {
        "clerk": make_user("village_clerk", VILLAGE_A1, "clerk"),
        "supervisor": make_user("supervisor", VILLAGE_A1, "jianwei"),
        "head": make_user("village_head", VILLAGE_A1, "head"),
        "township": make_user("township_admin", TOWN_A, "dongfeng"),
        "other_supervisor": make_user("supervisor", VILLAGE_A2, "wangzhuang-jianwei"),
        "viewer": make_user("viewer", TOWN_A, "viewer"),
    }


def finance_draft(p, body="本月财务收支如下。", month="2026-10", data=OCTOBER, opening=100000,
                  closing=OCTOBER_CLOSING):
    d = services.create_draft(unit(VILLAGE_A1), p["clerk"], category="finance", disclosure_kind="regular",
                              period=month, body=body)
    services.attach_statement(d, p["clerk"], data, "statement.csv", month=month, stated_closing_fen=closing,
                              opening_fen=opening)
    db.session.commit()
    return d


def through_review(d, p):
    services.submit(d, p["clerk"])
    services.countersign(d, p["supervisor"])
    services.approve(d, p["head"])
    db.session.commit()
    return d


def test_the_whole_road_publishes_the_payload_of_the_contract(people):
    p = people
    d = through_review(finance_draft(p), p)
    pub = services.publish(d, p["clerk"])
    db.session.commit()
    assert d.state == "published" and d.pub_id == pub.pub_id
    assert pub.title == "导子村2026年10月财务收支公开"
    assert pub.plugin == "disclosure" and pub.kind == "disclosure" and pub.revision == 1
    pl = pub.payload
    assert pl["category"] == "finance" and pl["disclosure_kind"] == "regular" and pl["period"] == "2026-10"
    assert pl["statement"]["closing_fen"] == OCTOBER_CLOSING and len(pl["statement"]["lines"]) == 3
    assert pl["review"]["countersigned_at"].endswith("Z") and pl["review"]["approved_at"].endswith("Z")
    assert pl["review"]["reviewed_by"] == "导子村村务监督委员会"
    assert pl["due"] == "2026-11-10"
    from plugins.disclosure.schema import PAYLOAD_SCHEMA, STATEMENT, STATEMENT_LINE

    assert set(PAYLOAD_SCHEMA["required"]) <= set(pl) and set(pl) <= set(PAYLOAD_SCHEMA["properties"])
    assert set(STATEMENT["required"]) <= set(pl["statement"])
    assert all(set(line) == set(STATEMENT_LINE["required"]) for line in pl["statement"]["lines"])
    assert "收入 17,000.00 元" in pub.summary and "期末余额 17,649.50 元" in pub.summary
    assert "机动地发包收入" in pub.search_text
    actions = [s.action for s in d.steps]
    assert actions == ["create", "statement", "submit", "countersign", "approve", "publish"]
    assert {s.username for s in d.steps} == {"clerk", "jianwei", "head"}


def test_steps_out_of_order_are_refused_with_a_message(people):
    p = people
    d = finance_draft(p)
    with pytest.raises(DisclosureError, match="submitted draft can be countersigned"):
        services.countersign(d, p["supervisor"])
    with pytest.raises(DisclosureError, match="countersigned draft can be approved"):
        services.approve(d, p["head"])
    with pytest.raises(DisclosureError, match="approved disclosure can be published"):
        services.publish(d, p["clerk"])
    services.submit(d, p["clerk"])
    with pytest.raises(DisclosureError, match="Only a draft or a returned"):
        services.edit_draft(d, p["clerk"], category="finance", disclosure_kind="regular", period="2026-10",
                            body="changed")
    with pytest.raises(DisclosureError, match="countersigned draft can be approved"):
        services.approve(d, p["head"])
    assert db.session.scalar(select(func.count()).select_from(Publication)) == 0


def test_the_drafter_cannot_countersign_and_review_needs_the_village(people):
    p = people
    d = services.create_draft(unit(VILLAGE_A1), p["township"], category="village", disclosure_kind="immediate",
                              body="村委会换届选举结果公告。")
    services.submit(d, p["township"])
    with pytest.raises(DisclosureError, match="someone else"):
        services.countersign(d, p["township"])  # holds disclosure.review, but drafted it
    with pytest.raises(DisclosureError, match="permission"):
        services.countersign(d, p["other_supervisor"])  # a supervisor of another village
    with pytest.raises(DisclosureError, match="permission"):
        services.countersign(d, p["clerk"])  # a clerk does not review
    services.countersign(d, p["supervisor"])
    assert d.state == "countersigned"


def test_a_returned_draft_goes_back_to_the_clerk_with_the_reason(people):
    p = people
    d = finance_draft(p)
    services.submit(d, p["clerk"])
    with pytest.raises(DisclosureError, match="Say why"):
        services.return_draft(d, p["supervisor"], "  ")
    services.return_draft(d, p["supervisor"], "记-002 缺少经手人签字")
    assert d.state == "returned" and d.return_reason == "记-002 缺少经手人签字"
    services.edit_draft(d, p["clerk"], category="finance", disclosure_kind="regular", period="2026-10",
                        body="已补签字。")
    services.submit(d, p["clerk"])
    services.countersign(d, p["supervisor"])
    services.return_draft(d, p["head"], "请附会议记录")  # the approver may return it too
    assert d.state == "returned" and d.countersigned_at is None
    assert [s.note for s in d.steps if s.action == "return"] == ["记-002 缺少经手人签字", "请附会议记录"]


def test_personal_data_refuses_publishing_until_masked(people):
    p = people
    body = f"低保户王小明，身份证号 {ID_NUMBER}，电话 13912345678。"
    d = through_review(finance_draft(p, body=body), p)
    with pytest.raises(PersonalDataFound) as refused:
        services.publish(d, p["clerk"])
    db.session.rollback()
    findings = refused.value.findings
    assert [(f.kind, f.masked) for f in findings] == [("id_number", "1101**********002X"),
                                                       ("mobile", "139****5678")]
    assert all(f.where == "Text" for f in findings)
    assert db.session.scalar(select(func.count()).select_from(Publication)) == 0
    d = db.session.get(Disclosure, d.id)
    assert services.mask_all(d, p["clerk"]) == 2
    db.session.commit()
    assert ID_NUMBER not in d.body and "1101**********002X" in d.body and "139****5678" in d.body
    assert d.steps[-1].action == "mask" and d.state == "approved"
    pub = services.publish(d, p["clerk"])
    assert ID_NUMBER not in str(pub.payload) and "13912345678" not in pub.search_text


def test_an_id_number_with_a_wrong_check_digit_refuses_publishing_too_but_a_voucher_number_does_not(people):
    """A mistyped ID number is still someone's; 18 digits without a plausible birth date are not one."""
    p = people
    d = through_review(finance_draft(p, body="低保户王小明，身份证号 110101199001011234。"), p)
    with pytest.raises(PersonalDataFound) as refused:
        services.publish(d, p["clerk"])
    db.session.rollback()
    assert [(f.kind, f.masked) for f in refused.value.findings] == [("id_number", "1101**********1234")]
    assert db.session.scalar(select(func.count()).select_from(Publication)) == 0
    d = through_review(finance_draft(p, body="收款凭证号 202601011234567890，合计 20260101123456789 分。",
                                     month="2026-11", data=november(), opening=OCTOBER_CLOSING,
                                     closing=OCTOBER_CLOSING - 80000), p)
    pub = services.publish(d, p["clerk"])
    assert "202601011234567890" in pub.payload["body"]


def test_statement_lines_and_attachment_names_are_scanned_too(people):
    p = people
    data = ("日期,凭证号,科目,摘要,收入金额,支出金额\n"
            f"2026-10-03,记-001,公益支出,发放补助 {ID_NUMBER},,300\n").encode("utf-8")
    d = finance_draft(p, data=data, closing=100000 - 30000)
    services.add_attachment(d, p["clerk"], _png(), "13912345678.png")
    found = services.scan(d)
    assert [f.where for f in found] == ["Statement line 1, summary", "Attachment 1, file name"]
    services.mask_all(d, p["clerk"])
    db.session.commit()
    d = db.session.get(Disclosure, d.id)
    assert d.statement["lines"][0]["summary"] == "发放补助 1101**********002X"
    assert d.attachments[0]["name"] == "139****5678.png"
    assert services.scan(d) == []


def test_a_correction_is_revision_two_with_its_reason(people):
    p = people
    d = through_review(finance_draft(p), p)
    pub = services.publish(d, p["clerk"])
    db.session.commit()
    with pytest.raises(DisclosureError, match="what changed"):
        revisions.start_correction(pub.pub_id, p["clerk"], "")
    c = revisions.start_correction(pub.pub_id, p["clerk"], "记-002 金额录入有误")
    with pytest.raises(DisclosureError, match="already under way"):
        revisions.start_correction(pub.pub_id, p["clerk"], "again")
    assert c.correction_of == pub.pub_id and c.statement == pub.payload["statement"] and c.state == "draft"
    services.edit_draft(c, p["clerk"], category="finance", disclosure_kind="regular", period="2026-10",
                        body="更正：办公用品支出。")
    through_review(c, p)
    rev2 = services.publish(c, p["clerk"])
    db.session.commit()
    assert rev2.pub_id == pub.pub_id and rev2.revision == 2 and rev2.reason == "记-002 金额录入有误"
    assert ledger.latest(pub.pub_id).payload["body"] == "更正：办公用品支出。"
    assert [r.revision for r in ledger.history(pub.pub_id)] == [1, 2]


def test_the_opening_balance_carries_over_from_the_published_previous_month(people):
    p = people
    d = through_review(finance_draft(p), p)
    services.publish(d, p["clerk"])
    db.session.commit()
    nov = services.create_draft(unit(VILLAGE_A1), p["clerk"], category="finance", disclosure_kind="regular",
                                period="2026-11")
    statement = services.attach_statement(nov, p["clerk"], november(), "nov.csv", month="2026-11",
                                          stated_closing_fen=OCTOBER_CLOSING - 80000, opening_fen=1)
    assert statement["opening_fen"] == OCTOBER_CLOSING  # the stated 0.01 is ignored: October is published
    dec = services.create_draft(unit(VILLAGE_A2), p["township"], category="finance", disclosure_kind="regular",
                                period="2026-11")
    with pytest.raises(DisclosureError, match="state the opening balance"):
        services.attach_statement(dec, p["township"], november(), "nov.csv", month="2026-11",
                                  stated_closing_fen=0)


def test_a_statement_that_does_not_balance_changes_nothing(people):
    p = people
    d = services.create_draft(unit(VILLAGE_A1), p["clerk"], category="finance", disclosure_kind="regular",
                              period="2026-10")
    db.session.commit()
    with pytest.raises(TableError, match="does not balance"):
        services.attach_statement(d, p["clerk"], OCTOBER, "oct.csv", month="2026-10",
                                  stated_closing_fen=OCTOBER_CLOSING + 1, opening_fen=100000)
    db.session.rollback()
    d = db.session.get(Disclosure, d.id)
    assert d.statement is None and [s.action for s in d.steps] == ["create"]
    with pytest.raises(DisclosureError, match="import the statement of that month"):
        services.attach_statement(d, p["clerk"], OCTOBER, "oct.csv", month="2026-09",
                                  stated_closing_fen=OCTOBER_CLOSING, opening_fen=100000)
    village = services.create_draft(unit(VILLAGE_A1), p["clerk"], category="village", disclosure_kind="immediate")
    with pytest.raises(DisclosureError, match="finance"):
        services.attach_statement(village, p["clerk"], OCTOBER, "oct.csv", month="2026-10",
                                  stated_closing_fen=OCTOBER_CLOSING, opening_fen=100000)


def _png():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def test_attachments_are_checked_and_published_with_the_disclosure(people, ctx):
    from portal.uploads import UploadError

    p = people
    d = finance_draft(p)
    with pytest.raises(UploadError):
        services.add_attachment(d, p["clerk"], b"MZ\x90\x00" + b"\x00" * 200, "voucher.pdf")
    stored = services.add_attachment(d, p["clerk"], _png(), "凭证.png")
    with pytest.raises(DisclosureError, match="already attached"):
        services.add_attachment(d, p["clerk"], _png(), "again.png")
    db.session.commit()
    through_review(d, p)
    pub = services.publish(d, p["clerk"])
    db.session.commit()
    assert pub.payload["attachments"] == [stored.as_dict()]
    client = ctx.test_client()
    assert client.get(f"/files/{stored.key}/{stored.name}").status_code == 200


def test_removing_an_attachment_is_a_recorded_step(people):
    p = people
    d = finance_draft(p)
    stored = services.add_attachment(d, p["clerk"], _png(), "合同.png")
    services.remove_attachment(d, p["clerk"], stored.key)
    assert d.attachments == [] and d.steps[-1].action == "detach" and d.steps[-1].note == "合同.png"
    with pytest.raises(DisclosureError):
        services.remove_attachment(d, p["clerk"], stored.key)


def test_drafts_need_a_village_and_a_valid_period(people):
    p = people
    with pytest.raises(DisclosureError, match="village"):
        services.create_draft(unit(TOWN_A), p["township"], category="village", disclosure_kind="immediate")
    with pytest.raises(DisclosureError, match="period"):
        services.create_draft(unit(VILLAGE_A1), p["clerk"], category="village", disclosure_kind="regular")
    with pytest.raises(DisclosureError, match="period"):
        services.create_draft(unit(VILLAGE_A1), p["clerk"], category="village", disclosure_kind="regular",
                              period="2026-13")
    with pytest.raises(DisclosureError, match="permission"):
        services.create_draft(unit(VILLAGE_A2), p["clerk"], category="village", disclosure_kind="immediate")
    d = services.create_draft(unit(VILLAGE_A1), p["clerk"], category="village", disclosure_kind="regular",
                              period="2026-q3")
    assert d.period == "2026-Q3" and d.title == "导子村2026年第3季度村务公开"


def test_due_dates_follow_the_fixed_disclosure_day_setting(people):
    village = unit(VILLAGE_A1)
    assert get_setting(village, "disclosure.fixed_day") == 10
    assert services.due_for(village, "2026-12").isoformat() == "2027-01-10"
    set_setting(unit(TOWN_A), "disclosure.fixed_day", "20")
    assert services.due_for(village, "2026-Q3").isoformat() == "2026-10-20"
    for bad in ("0", "29"):
        with pytest.raises(SettingError):
            set_setting(unit(TOWN_A), "disclosure.fixed_day", bad)
    with pytest.raises(SettingError):
        set_setting(unit(TOWN_A), "disclosure.general_frequency", "yearly")  # at least quarterly
    assert get_setting(village, "disclosure.finance_frequency") == "monthly"


def test_roles_carry_the_disclosure_permissions(people):
    roles = {r.name: set(r.permissions) for r in db.session.scalars(select(Role))}
    assert {"disclosure.draft", "disclosure.publish"} <= roles["village_clerk"]
    assert "disclosure.approve" not in roles["village_clerk"]
    assert {"disclosure.draft", "disclosure.approve", "disclosure.publish"} <= roles["village_head"]
    assert "disclosure.review" in roles["supervisor"]
    all_five = {"disclosure.draft", "disclosure.review", "disclosure.approve", "disclosure.publish",
                "disclosure.compliance"}
    assert all_five <= roles["township_admin"] and all_five <= roles["county_admin"]
    assert "disclosure.compliance" in roles["viewer"] and "disclosure.draft" not in roles["viewer"]
    assert "console.access" in roles["village_clerk"]  # the core's own permissions stay


def test_every_step_is_in_the_audit_log(people):
    from portal.audit import AuditEvent

    p = people
    d = through_review(finance_draft(p), p)
    services.publish(d, p["clerk"])
    db.session.commit()
    actions = set(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("disclosure.%"))))
    assert {"disclosure.create", "disclosure.submit", "disclosure.countersign", "disclosure.approve",
            "disclosure.publish"} <= actions
    assert db.session.scalar(select(func.count()).select_from(DisclosureStep)) == 6
    assert TOWN_B  # 西湖乡 has the plugin off: see the console tests for its 404s


def test_demo_history_has_statements_late_missing_and_a_correction(ctx):
    from plugins.disclosure import compliance, finance
    from portal.accounts import User, can
    from portal.demo import load_demo

    load_demo()
    daozi = unit("990101101201")
    months = finance.statements_by_month(daozi.code)
    assert len(months) == 24 and min(months) == "2024-11" and max(months) == "2026-10"
    for month in ("2025-06", "2026-10"):  # balances carry over from month to month
        assert finance.previous_closing(daozi, month) == months[month].payload["statement"]["opening_fen"]
    assert all(8 <= len(p.payload["statement"]["lines"]) <= 21 for p in months.values())
    corrected = months["2026-08"]
    assert corrected.revision == 2 and "已更正" in corrected.reason
    assert finance.statements_by_month(unit("990101102201").code) == {}  # 西湖乡 has the plugin off
    county = unit("990101000000")
    rows = compliance.calendar([v for v in compliance.villages_under(county)
                                if ctx.extensions["portal"].is_active("disclosure", v)],
                               compliance.months_of_year(2026))
    bad = {(r.village.name, r.period, r.status) for r in rows if r.status in ("late", "missing")}
    assert ("前屯村", "2026-03", "missing") in bad and ("北坡村", "2026-06", "late") in bad
    assert sum(r.status == "on_time" for r in rows) > 10 * len(bad)
    head = db.session.scalar(select(User).where(User.username == "daozi-head"))
    assert can(head, "disclosure.approve", daozi) and not can(head, "disclosure.review", daozi)


def test_the_summary_of_a_text_carries_on_past_its_lead_in():
    from types import SimpleNamespace

    draft = SimpleNamespace(statement=None, body="## 2026年第3季度村务公开\n\n本季度议定事项如下：\n\n"
                                                 "1. 机井维修\n2. **村内绿化** &amp; 修路")
    # the heading is left to the title; the lead-in runs on into the list it announces, without marks
    assert services.summary_of(draft) == "本季度议定事项如下： 机井维修 村内绿化 & 修路"
    long = SimpleNamespace(statement=None, body="公" * 300)
    assert len(services.summary_of(long)) == 120 and services.summary_of(long).endswith("…")


ROAD_WORKS = ("| 项目 | 金额（元） |\n|---|---:|\n| 县补助 | 200,000.00 |\n\n"
              "村道修路工程已经村民代表会议通过，预算38.6万元。\n\n"
              "| 项目 | 金额（元） |\n|---|---:|\n| 村集体自筹 | 186,000.00 |\n\n"
              "以上如有异议，请向村务监督委员会反映。")


def test_a_published_summary_is_the_prose_lead_without_table_cells(people):
    p = people
    d = services.create_draft(unit(VILLAGE_A1), p["clerk"], category="village", disclosure_kind="immediate",
                              body=ROAD_WORKS)
    pub = services.publish(through_review(d, p), p["clerk"])
    db.session.commit()
    # the body starts with a table and has another one: the summary is the first prose, alone
    assert pub.summary == "村道修路工程已经村民代表会议通过，预算38.6万元。"
    assert "200,000.00" in pub.search_text and "186,000.00" in pub.search_text  # the figures are still found
