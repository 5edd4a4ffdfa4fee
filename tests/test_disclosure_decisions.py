"""Major decisions (四议两公开): the quorum and majority rules, the order of steps, the console and the public record."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from plugins.disclosure import decisions, services
from plugins.disclosure.decisions import (DEFAULT_MATTERS, STATUTORY_MATTERS, DecisionError, party_meeting_problems,
                                         villagers_meeting_problems)
from plugins.disclosure.models import DecisionStep, Disclosure, MajorDecision
from portal.extensions import db
from portal.ledger import Publication
from portal.orgs import SettingError, set_setting
from portal.orgs.settings import SettingValue, effective_settings
from portal.timeutil import local_today
from tests.helpers import TOWN_A, VILLAGE_A1, VILLAGE_A2, build_tree, make_user, unit

ID_NUMBER = "11010519491231002X"
DAY = local_today() - timedelta(days=30)


# --- the rules as plain functions ------------------------------------------------------------------

def test_party_meeting_needs_two_thirds_present_and_more_than_half_of_all_members_approving(ctx):
    assert party_meeting_problems(30, 20, 16) == []  # exactly two thirds present is enough
    assert party_meeting_problems(30, 30, 16) == []
    short = party_meeting_problems(30, 19, 16)
    assert len(short) == 1 and "two thirds" in short[0]
    half = party_meeting_problems(30, 20, 15)  # exactly half of those who should attend is not more than half
    assert len(half) == 1 and "More than half of the 30" in half[0]
    # 11 of 20 present is a majority of those present, but not of the 30 who should attend
    assert party_meeting_problems(30, 20, 11) != []


def test_villagers_and_representatives_meetings_follow_the_organic_law(ctx):
    assert villagers_meeting_problems("representatives", 36, 24, 13) == []  # exactly 2/3; 13 > 12
    assert villagers_meeting_problems("representatives", 36, 23, 13) != []
    half = villagers_meeting_problems("representatives", 36, 24, 12)  # exactly half of those present
    assert len(half) == 1 and "More than half of the 24 present" in half[0]
    assert villagers_meeting_problems("villagers", 100, 50, 40) != []  # half of adults is not more than half
    assert villagers_meeting_problems("villagers", 100, 51, 26) == []
    assert villagers_meeting_problems("households", 30, 20, 11) == []
    assert villagers_meeting_problems("households", 30, 19, 11) != []
    assert villagers_meeting_problems("", 30, 20, 11) != []


def test_more_present_than_expected_or_more_approving_than_present_cannot_be(ctx):
    assert "more than the 30 expected" in party_meeting_problems(30, 31, 20)[0]
    assert "more than the 25 present" in villagers_meeting_problems("representatives", 30, 25, 26)[0]
    assert party_meeting_problems(30, -1, 0) == ["Counts cannot be negative."]


# --- recording through the services ----------------------------------------------------------------

@pytest.fixture
def people(ctx):
    build_tree()
    ctx.extensions["portal"].set_enabled("disclosure", unit(TOWN_A), True)
    db.session.commit()
    return {
        "clerk": make_user("village_clerk", VILLAGE_A1, "clerk"),
        "supervisor": make_user("supervisor", VILLAGE_A1, "jianwei"),
        "head": make_user("village_head", VILLAGE_A1, "head"),
        "other_clerk": make_user("village_clerk", VILLAGE_A2, "wangzhuang-clerk"),
        "viewer": make_user("viewer", TOWN_A, "viewer"),
    }


STEPS = {
    1: dict(content="党支部提议硬化村内道路。", signatures="张建国"),
    2: dict(content="两委会议商议同意。", expected=7, present=7, signatures="张建国、李春生"),
    3: dict(content="党员大会审议通过。", expected=30, present=20, approvals=16, signatures="张建国"),
    4: dict(content="村民代表会议表决通过，预算48万元。", meeting="representatives", expected=36, present=24,
            approvals=13, signatures="张建国、李春生", township_attendees="刘洋"),
}


def new_decision(p, title="村内道路硬化"):
    d = decisions.create_decision(unit(VILLAGE_A1), p["clerk"], title=title, matter="村级公益事业建设")
    db.session.commit()
    return d


def record(d, p, upto, start=DAY):
    for n in range(decisions.next_number(d), upto + 1):
        decisions.record_step(d, p["clerk"], n, held_on=start + timedelta(days=n), **STEPS[n])
    db.session.commit()


def counts():
    return (db.session.scalar(select(func.count(DecisionStep.id))),
            db.session.scalar(select(func.count(Publication.seq))))


@pytest.mark.parametrize("number, fields, message", [
    (3, STEPS[3], "the next step is Discussion by the two committees"),
    (2, dict(STEPS[2], present=8), "8 present is more than the 7 expected"),
    (2, dict(STEPS[2], held_on=DAY), "is before the previous step"),
    (2, dict(STEPS[2], held_on=local_today() + timedelta(days=1)), "is in the future"),
    (2, dict(STEPS[2], content=f"户主身份证号{ID_NUMBER}"), "Personal data was found in Content"),
    (2, dict(STEPS[2], signatures=""), "Name at least one person who signed"),
    (2, dict(STEPS[2], present=None), "Give both how many should attend"),
])
def test_a_refused_step_says_why_and_saves_nothing(people, number, fields, message):
    d = new_decision(people)
    record(d, people, 1)
    before = counts()
    fields = dict(fields)
    held_on = fields.pop("held_on", DAY + timedelta(days=2))
    with pytest.raises(DecisionError, match=message):
        decisions.record_step(d, people["clerk"], number, held_on=held_on, **fields)
    db.session.rollback()
    assert counts() == before and decisions.next_number(db.session.get(MajorDecision, d.id)) == 2


def test_a_party_meeting_short_of_quorum_is_refused_and_nothing_saved(people):
    d = new_decision(people)
    record(d, people, 2)
    before = counts()
    with pytest.raises(DecisionError, match="at least two thirds of the 30 members"):
        decisions.record_step(d, people["clerk"], 3, held_on=DAY + timedelta(days=3),
                              **dict(STEPS[3], present=19))
    db.session.rollback()
    assert counts() == before


def test_steps_five_and_six_go_the_review_road_and_count_when_published(people):
    p = people
    d = new_decision(p)
    record(d, p, 4)
    with pytest.raises(DecisionError, match="Steps 5 and 6 are disclosures"):
        decisions.record_step(d, p["clerk"], 5, held_on=DAY, content="x", signatures="x")
    with pytest.raises(DecisionError, match="next step is Resolution disclosed"):
        decisions.start_disclosure(d, p["clerk"], 6)
    draft = decisions.start_disclosure(d, p["clerk"], 5)
    db.session.commit()
    assert (draft.category, draft.disclosure_kind, draft.state) == ("village", "immediate", "draft")
    assert draft.title == "导子村关于村内道路硬化的决议公开"
    assert "应到36人，实到24人，13人同意" in draft.body and "预算48万元" in draft.body
    assert decisions.done_count(d) == 4  # not done until published
    with pytest.raises(DecisionError, match="already under review"):
        decisions.start_disclosure(d, p["clerk"], 5)
    services.submit(draft, p["clerk"])
    services.countersign(draft, p["supervisor"])
    services.approve(draft, p["head"])
    pub = services.publish(draft, p["clerk"])
    db.session.commit()
    assert decisions.done_count(d) == 5 and decisions.step(d, 5).held_on == local_today()
    record_pub = db.session.scalar(select(Publication).where(Publication.kind == "decision")
                                   .order_by(Publication.seq.desc()).limit(1))
    # in the site's language (English in the tests; test_generated_words_i18n checks Chinese)
    assert record_pub.revision == 5 and record_pub.reason == "Step 5 recorded: Resolution disclosed (决议公开)"
    assert record_pub.payload["steps"][4]["pub_id"] == pub.pub_id and record_pub.payload["stage"] == 5


def test_a_returned_resolution_does_not_count_and_the_record_ends_after_the_result(people):
    p = people
    d = new_decision(p)
    record(d, p, 4)

    def road(draft):
        services.submit(draft, p["clerk"])
        services.countersign(draft, p["supervisor"])
        services.approve(draft, p["head"])
        services.publish(draft, p["clerk"])
        db.session.commit()

    draft = decisions.start_disclosure(d, p["clerk"], 5)
    services.submit(draft, p["clerk"])
    services.return_draft(draft, p["supervisor"], "请补充预算明细")
    db.session.commit()
    assert decisions.next_number(d) == 5 and draft.state == "returned"
    road(draft)
    result = decisions.start_disclosure(d, p["clerk"], 6, body="已完工，决算45.6万元。")
    db.session.commit()
    assert result.title == "导子村关于村内道路硬化的实施结果公开" and decisions.done_count(d) == 5
    road(result)
    assert decisions.done_count(d) == 6 and decisions.next_number(d) is None
    with pytest.raises(DecisionError, match="the record is complete"):
        decisions.record_step(d, p["clerk"], 4, held_on=DAY, **STEPS[4])


def test_the_township_setting_lists_the_matters(people):
    village = unit(VILLAGE_A1)
    assert decisions.matters(village) == list(STATUTORY_MATTERS)
    set_setting(unit(TOWN_A), "disclosure.decision_matters", DEFAULT_MATTERS + "、修建村部，光伏收益分配")
    db.session.commit()
    assert decisions.matters(village) == [*STATUTORY_MATTERS, "修建村部", "光伏收益分配"]
    with pytest.raises(DecisionError, match="Choose a matter"):
        decisions.create_decision(village, people["clerk"], title="广场", matter="修建广场")
    assert decisions.create_decision(village, people["clerk"], title="村部", matter="修建村部").matter == "修建村部"


def test_a_township_may_not_drop_a_statutory_matter(people):
    town = unit(TOWN_A)
    set_setting(town, "disclosure.decision_matters", DEFAULT_MATTERS + "、修建村部")
    db.session.commit()
    for value in ("修建村部、机动地发包，光伏收益分配",  # none of the statutory ones
                  "、".join(m for m in STATUTORY_MATTERS if m not in ("集体收益使用", "宅基地使用方案"))):
        with pytest.raises(SettingError) as refused:
            set_setting(town, "disclosure.decision_matters", value)
        db.session.rollback()
        assert "must keep every statutory item; missing:" in str(refused.value)
        assert "集体收益使用" in str(refused.value) and "宅基地使用方案" in str(refused.value)
    assert decisions.matters(unit(VILLAGE_A1)) == [*STATUTORY_MATTERS, "修建村部"]  # the refused values changed nothing
    # written in another order, with commas and line breaks, the statutory ones are all there
    set_setting(town, "disclosure.decision_matters", "修建村部\n" + "，".join(reversed(STATUTORY_MATTERS)))
    db.session.commit()
    assert set(decisions.matters(unit(VILLAGE_A1))) == {*STATUTORY_MATTERS, "修建村部"}


def test_a_stored_list_without_statutory_matters_still_reads_with_them(people):
    # stored before the floor existed: the law applies anyway
    db.session.add(SettingValue(org_id=unit(TOWN_A).id, key="disclosure.decision_matters",
                                value="修建村部、集体收益使用"))
    db.session.commit()
    village = unit(VILLAGE_A1)
    listed = decisions.matters(village)
    assert listed[:2] == ["修建村部", "集体收益使用"] and set(listed) == {*STATUTORY_MATTERS, "修建村部"}
    assert decisions.create_decision(village, people["clerk"], title="宅基地", matter="宅基地使用方案").matter
    value, _where = effective_settings(village)["disclosure.decision_matters"]
    assert "修建村部" in value and all(m in value for m in STATUTORY_MATTERS)  # what the console shows


# --- the console -------------------------------------------------------------------------------------

@pytest.fixture
def town(app):
    with app.app_context():
        build_tree()
        app.extensions["portal"].set_enabled("disclosure", unit(TOWN_A), True)
        db.session.commit()


def _form(number, **fields):
    data = {"number": number, "step-held_on": (DAY + timedelta(days=number)).isoformat()}
    for key, value in STEPS.get(number, {}).items():
        data[f"step-{key}"] = value
    data.update({f"step-{k}": v for k, v in fields.items()})
    return data


def test_the_clerk_records_a_decision_in_the_console_and_the_public_sees_it(app, client, login_as, town):
    login_as("village_clerk", VILLAGE_A1)
    page = client.get(f"/console/disclosure/decisions?org={VILLAGE_A1}").get_data(as_text=True)
    assert f"/console/disclosure/decisions/{VILLAGE_A1}/new" in page
    form = client.get(f"/console/disclosure/decisions/{VILLAGE_A1}/new").get_data(as_text=True)
    assert "集体收益使用" in form
    resp = client.post(f"/console/disclosure/decisions/{VILLAGE_A1}/new",
                       data={"title": "村内道路硬化", "matter": "村级公益事业建设"})
    url = resp.headers["Location"]
    decision_id = int(re.search(r"/decisions/(\d+)$", url).group(1))
    page = client.get(url).get_data(as_text=True)
    assert "Next step: Branch proposal" in page
    assert "Officials of 导子村: 张建国 (Party branch secretary (书记))" in page  # from the org tree, to help sign

    for n in (1, 2):
        assert client.post(f"{url}/step", data=_form(n)).status_code == 302
    refused = client.post(f"{url}/step", data=_form(3, present="19"))
    assert refused.status_code == 422
    assert "at least two thirds of the 30 members" in refused.get_data(as_text=True)
    out_of_order = client.post(f"{url}/step", data=_form(4))
    assert out_of_order.status_code == 422 and "the next step is Review by the party members" in \
        out_of_order.get_data(as_text=True)
    for n in (3, 4):
        assert client.post(f"{url}/step", data=_form(n)).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Next step: Resolution disclosed" in page and "Expected 36, present 24, approved 13" in page

    resp = client.post(f"{url}/disclose", data={"number": 5, "pub-title": "导子村道路硬化决议公开",
                                                "pub-body": "村民代表会议表决通过道路硬化方案。"})
    assert re.search(r"/console/disclosure/d/\d+$", resp.headers["Location"])
    with app.app_context():
        draft = db.session.scalar(select(Disclosure).where(Disclosure.title == "导子村道路硬化决议公开"))
        p = {"clerk": draft.created_by_id}
        from portal.accounts import User

        clerk = db.session.get(User, p["clerk"])
        services.submit(draft, clerk)
        services.countersign(draft, make_user("supervisor", VILLAGE_A1, "jianwei"))
        services.approve(draft, make_user("village_head", VILLAGE_A1, "head"))
        pub = services.publish(draft, clerk)
        db.session.commit()
        pub_id = pub.pub_id
    assert "Next step: Result disclosed" in client.get(url).get_data(as_text=True)

    client.get("/logout")
    public = client.get(f"/o/{VILLAGE_A1}/decisions/{decision_id}")
    text = public.get_data(as_text=True)
    assert public.status_code == 200 and "村内道路硬化" in text and "预算48万元" in text
    assert f'href="/p/{pub_id}"' in text and "导子村道路硬化决议公开" in text
    assert "Signed by: 张建国、李春生" in text and "Township attendees: 刘洋" in text
    assert "5 of 6 steps done" in text
    village = client.get(f"/o/{VILLAGE_A1}/disclosure").get_data(as_text=True)
    assert f"/o/{VILLAGE_A1}/decisions/{decision_id}" in village and "5/6" in village
    org_page = client.get(f"/o/{VILLAGE_A1}").get_data(as_text=True)
    assert f"/o/{VILLAGE_A1}/decisions/{decision_id}" in org_page
    assert client.get(f"/o/{VILLAGE_A1}/decisions/{decision_id + 1}").status_code == 404


def test_who_may_see_and_record(app, client, login_as, town):
    with app.app_context():
        clerk = make_user("village_clerk", VILLAGE_A1, "clerk")
        d = decisions.create_decision(unit(VILLAGE_A1), clerk, title="机动地发包", matter="集体土地和资产发包")
        db.session.commit()
        url = f"/console/disclosure/decisions/{d.id}"
    assert client.get(url).status_code == 302  # to the login page
    login_as("village_clerk", VILLAGE_A2)  # another village's clerk: not in scope
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/step", data=_form(1)).status_code == 404
    client.get("/logout")
    login_as("viewer", TOWN_A)  # compliance viewer at the township: reads, cannot record
    page = client.get(url)
    assert page.status_code == 200 and "机动地发包" in page.get_data(as_text=True)
    assert "Record this step" not in page.get_data(as_text=True)
    assert client.post(f"{url}/step", data=_form(1)).status_code == 403
    with app.app_context():
        assert db.session.scalar(select(func.count(DecisionStep.id))) == 0


def test_the_township_lists_every_decision_below_it_a_page_at_a_time(app, client, login_as, town, monkeypatch):
    from plugins.disclosure import decision_views

    monkeypatch.setattr(decision_views, "DECISIONS_PER_PAGE", 2)
    with app.app_context():
        clerks = {code: make_user("village_clerk", code, f"clerk-{code}") for code in (VILLAGE_A1, VILLAGE_A2)}
        for n in range(3):
            village = VILLAGE_A1 if n % 2 else VILLAGE_A2  # two villages of the township
            decisions.create_decision(unit(village), clerks[village], title=f"第{n}项决策", matter="集体土地和资产发包")
        db.session.commit()
    login_as("viewer", TOWN_A)
    base = f"/console/disclosure/decisions?org={TOWN_A}"
    pages = [client.get(base + (f"&page={n}" if n > 1 else "")).get_data(as_text=True) for n in (1, 2)]
    assert [re.findall(r"第(\d)项决策</a>", html) for html in pages] == [["2", "1"], ["0"]]
    assert "Page 2 of 2" in pages[1]

def test_the_demo_has_a_complete_decision_and_one_in_progress(app, client):
    from portal.demo import load_demo

    with app.app_context():
        load_demo()
        code = db.session.scalar(select(MajorDecision)).org.code  # 导子村
        stages = sorted(decisions.done_count(d) for d in db.session.scalars(select(MajorDecision)))
    assert stages == [3, 6]
    village = client.get(f"/o/{code}/disclosure").get_data(as_text=True)
    assert "村内主干道路硬化工程" in village and "6/6" in village
    assert "村集体机动地发包" in village and "3/6" in village
    complete = client.get(f"/o/{code}/decisions/1").get_data(as_text=True)
    assert "All six steps done" in complete
    # the titles the code wrote in Chinese, in the reader's language (English here)
    assert "Resolution of 导子村 on 村内主干道路硬化工程" in complete
    assert "Result of the resolution of 导子村 on 村内主干道路硬化工程" in complete
    assert len(re.findall(r'href="/p/\d+"', complete)) == 2
    in_progress = client.get(f"/o/{code}/decisions/2").get_data(as_text=True)
    assert "3 of 6 steps done" in in_progress and in_progress.count("Not yet done.") == 3


def test_decision_forms_carry_a_csrf_token_and_a_post_without_one_saves_nothing(app_factory):
    from tests.helpers import PASSWORD

    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        build_tree()
        app.extensions["portal"].set_enabled("disclosure", unit(TOWN_A), True)
        db.session.commit()
        d = decisions.create_decision(unit(VILLAGE_A1), make_user("village_clerk", VILLAGE_A1, "clerk"),
                                      title="道路", matter="村级公益事业建设")
        db.session.commit()
        url = f"/console/disclosure/decisions/{d.id}"
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    assert client.post("/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": token}).status_code == 302
    for path in (url, f"/console/disclosure/decisions/{VILLAGE_A1}/new"):
        html = client.get(path).get_data(as_text=True)
        assert html.count('method="post"') >= 1 and html.count('name="step-csrf_token"') + \
            html.count('name="csrf_token"') >= html.count('method="post"'), path
    assert client.post(f"{url}/step", data=_form(1)).status_code == 400  # no token
    with app.app_context():
        assert db.session.scalar(select(func.count(DecisionStep.id))) == 0


def test_a_step_recorded_twice_at_once_answers_with_a_message_not_an_error(app, client, login_as, town,
                                                                            monkeypatch):
    login_as("village_clerk", VILLAGE_A1)
    resp = client.post(f"/console/disclosure/decisions/{VILLAGE_A1}/new",
                       data={"title": "村内道路硬化", "matter": "村级公益事业建设"})
    url = resp.headers["Location"]
    assert client.post(f"{url}/step", data=_form(1)).status_code == 302
    # a second clerk's request that read the record before the first one was saved
    real_record, real_next = decisions.record_step, decisions.next_number

    def record_from_a_stale_read(*args, **kwargs):
        monkeypatch.setattr(decisions, "next_number", lambda decision: 1)
        try:
            return real_record(*args, **kwargs)
        finally:
            monkeypatch.setattr(decisions, "next_number", real_next)

    monkeypatch.setattr(decisions, "record_step", record_from_a_stale_read)
    late = client.post(f"{url}/step", data=_form(1))
    assert late.status_code == 409
    assert "recorded by someone else a moment ago" in late.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DecisionStep)) == 1


def test_a_recorded_step_shows_as_an_update_not_a_correction(people, ctx):
    d = new_decision(people)
    record(d, people, 2)
    page = ctx.test_client().get(f"/p/{d.pub_id}").get_data(as_text=True)
    assert "Updated (revision 2)" in page and "Corrected" not in page
