"""Sample disclosures for `portal demo`: two years of monthly statements and quarterly 村务/党务 items.

For every village where the plugin is on: monthly finance statements from November 2024 to
October 2026 (balances carry over) and quarterly village-affairs and party-affairs disclosures,
each published on or before its due day — a few late, 前屯村 missing March 2026, and 导子村's
August 2026 statement corrected three days later (revision 2). Everything is appended in date order.
"""

from datetime import datetime, timedelta
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import select

from portal import ledger
from portal.accounts import Role, User
from portal.extensions import db
from portal.orgs import OrgUnit

from . import finance, services

FIRST_MONTH, LAST_MONTH = "2024-11", "2026-10"
QUARTERS = ("2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3")
MISSING = {("前屯村", "2026-03")}
LATE = {("北坡村", "2026-06"), ("王庄村", "2025-Q4"), ("红星村", "2025-02")}
CORRECTED = ("导子村", "2026-08")
DEMO_PASSWORD = "cunwu-demo-2026"

# (account, summaries, low yuan, high yuan, chance per month)
INCOME = (
    ("经营收入", ("机动地发包收入", "集体厂房租金", "鱼塘承包费", "农机服务收入"), 2000, 30000, 0.9),
    ("投资收益", ("合作社入股分红", "光伏电站收益分成"), 3000, 20000, 0.25),
    ("补助收入", ("村级组织运转经费补助", "美丽乡村建设补助资金", "高标准农田管护补助"), 5000, 50000, 0.6),
    ("其他收入", ("银行存款利息", "废旧物资处置收入"), 50, 1500, 0.5),
)
EXPENSE = (
    ("经营支出", ("集体厂房维修", "机井维修材料费", "农机燃油费"), 500, 8000, 0.6),
    ("税金及附加", ("缴纳房产税", "缴纳印花税"), 100, 1500, 0.3),
    ("管理费用", ("购买办公用品", "村委会电费", "报刊订阅费", "村干部误工补贴", "网络通信费"), 100, 3000, 1.0),
    ("公益支出", ("村内道路保洁费", "路灯维修", "村内绿化苗木", "文化广场维护", "饮水设施维护"), 500, 10000, 0.9),
    ("其他支出", ("银行手续费", "防汛物资"), 20, 2000, 0.4),
    ("所得税费用", ("缴纳企业所得税",), 200, 3000, 0.08),
)
VILLAGE_ITEMS = ("村民代表会议议定村内道路硬化方案", "机井维修及灌溉用水收费标准", "村集体土地发包结果",
                 "一事一议筹资筹劳事项", "宅基地审批情况", "低保、特困供养对象评议结果（姓名已遮盖）",
                 "高龄补贴发放情况", "村庄清洁行动安排", "集体资产清查结果")
PARTY_ITEMS = ("召开支部党员大会1次", "召开支委会3次", "开展主题党日活动3次", "讲党课1次", "确定入党积极分子1名",
               "党费收缴情况已核对无误", "组织党员志愿服务2次")


def _months():
    month, out = FIRST_MONTH, []
    while month <= LAST_MONTH:
        out.append(month)
        month = finance.shift_month(month, 1)
    return out


def _at(day, hour=9):
    """A local (Asia/Shanghai) working-hours time on `day`, as naive UTC."""
    return datetime(day.year, day.month, day.day, hour) - timedelta(hours=8)


def _statement(rng, month, opening):
    year, mon = finance.parse_month(month)
    picks = []
    for rows, direction in ((INCOME, "income"), (EXPENSE, "expense")):
        for account, summaries, low, high, chance in rows:
            times = 1 if direction == "income" else rng.randint(1, 4)
            for _ in range(times):
                if rng.random() < chance:
                    picks.append((account, direction, rng.choice(summaries), rng.randint(low * 100, high * 100)))
    while len(picks) < 8:
        summaries = EXPENSE[3][1]
        picks.append(("公益支出", "expense", rng.choice(summaries), rng.randint(50000, 300000)))
    picks = picks[:20]
    balance = opening + sum(f if d == "income" else -f for _a, d, _s, f in picks)
    if balance < 2_000_000:  # a village keeps some money: the township tops it up with a subsidy
        picks.append(("补助收入", "income", "乡镇转移支付资金", 2_000_000 - balance + rng.randint(0, 50) * 100_000))
    days = sorted(rng.randint(1, 28) for _ in picks)
    lines = []
    for n, ((account, direction, summary, fen), day) in enumerate(zip(picks, days), start=1):
        lines.append({"date": f"{year:04d}-{mon:02d}-{day:02d}", "voucher": f"记-{n:03d}",
                      "account_code": finance.resolve_account(account), "account": account,
                      "direction": direction, "summary": summary, "amount_fen": fen})
    income = sum(ln["amount_fen"] for ln in lines if ln["direction"] == "income")
    expense = sum(ln["amount_fen"] for ln in lines if ln["direction"] == "expense")
    return {"month": month, "chart": finance.CHART, "opening_fen": opening, "income_fen": income,
            "expense_fen": expense, "closing_fen": opening + income - expense, "lines": lines}


def _when(rng, village, org, period):
    """(countersigned, approved, published) naive UTC times: before the due day, or after it when late."""
    due = services.due_for(org, period)
    if (village, period) in LATE or rng.random() < 0.03:
        day = due + timedelta(days=rng.randint(2, 9))
    else:
        day = due - timedelta(days=rng.randint(0, 6))
    return _at(day - timedelta(days=2), 15), _at(day - timedelta(days=1), 10), _at(day, 9)


def _item(org, category, period, body, statement, times):
    signed, approved, published = times
    draft = SimpleNamespace(org=org, category=category, disclosure_kind="regular", period=period, body=body,
                            attachments=[], statement=statement, countersigned_at=signed, approved_at=approved)
    return {"published_at": published, "org": org,
            "title": services.default_title(org.name, category, period), "summary": services.summary_of(draft),
            "payload": services.payload_of(draft), "search_text": services.search_text_of(draft)}


def _finance_body(month):
    year, mon = finance.parse_month(month)
    return (f"经村务监督委员会审核、村两委审定，现将{year}年{mon}月村集体财务收支情况公开如下，欢迎村民监督。"
            "如有疑问，请于公开之日起10日内向村务监督委员会反映。")


def _quarter_body(rng, category, period):
    year, q = period.split("-Q")
    items = rng.sample(VILLAGE_ITEMS if category == "village" else PARTY_ITEMS, 3)
    head = f"{year}年第{q}季度{'村务' if category == 'village' else '党务'}公开："
    return head + "\n\n" + "\n".join(f"{n}. {text}" for n, text in enumerate(items, start=1))


def load(county, rng):
    """Publish the sample history below `county`, and add the demo user daozi-head (村两委负责人)."""
    host = current_app.extensions["portal"]
    villages = [v for v in db.session.scalars(county.subtree_query().where(OrgUnit.kind == "village")
                                              .order_by(OrgUnit.code))
                if host.is_active("disclosure", v)]
    events = []
    for village in villages:
        balance = rng.randint(800, 3000) * 10_000
        for month in _months():
            statement = _statement(rng, month, balance)
            balance = statement["closing_fen"]
            if (village.name, month) in MISSING:
                continue
            events.append(_item(village, "finance", month, _finance_body(month), statement,
                                _when(rng, village.name, village, month)))
        for period in QUARTERS:
            for category in ("village", "party"):
                events.append(_item(village, category, period, _quarter_body(rng, category, period), None,
                                    _when(rng, village.name, village, period)))
    users = {u.username: u for u in db.session.scalars(select(User))}
    by_township = {"东风镇": users.get("dongfeng")}
    corrected = next((e for e in events if (e["org"].name, e["payload"]["category"], e["payload"]["period"])
                      == (CORRECTED[0], "finance", CORRECTED[1])), None)
    if corrected is not None:
        events.append({"published_at": corrected["published_at"] + timedelta(days=3), "org": corrected["org"],
                       "correct": (CORRECTED[0], "finance", CORRECTED[1])})
    pubs = {}
    for e in sorted(events, key=lambda e: (e["published_at"], e["org"].code)):
        if "correct" in e:
            _correct(pubs[e["correct"]], users.get("daozi-clerk"), e["published_at"])
            continue
        township = e["org"].parent.name if e["org"].parent else ""
        user = users.get("daozi-clerk") if e["org"].name == "导子村" else by_township.get(township, users.get("admin"))
        pub = ledger.publish(plugin="disclosure", kind="disclosure", org=e["org"], title=e["title"],
                             summary=e["summary"], payload=e["payload"], search_text=e["search_text"], user=user,
                             published_at=e["published_at"])
        pubs[(e["org"].name, e["payload"]["category"], e["payload"]["period"])] = pub
    _head_user(users)


def _correct(pub, user, published_at):
    """导子村's August statement: one summary was entered wrong; revision 2 says so."""
    payload = dict(pub.payload)
    statement = dict(payload["statement"])
    statement["lines"] = [dict(line) for line in statement["lines"]]
    line = next(ln for ln in statement["lines"] if ln["account"] == "管理费用")
    line["summary"] = line["summary"] + "（更正：原误记为公益支出摘要）"
    payload["statement"] = statement
    ledger.correct(pub.pub_id, reason=f"{line['voucher']} 摘要录入有误，已更正", title=pub.title,
                   summary=pub.summary, payload=payload, search_text=pub.search_text,
                   user=user, published_at=published_at)


def _head_user(users):
    """A 村两委负责人 at 导子村 who can approve (the browser tests use it); prints nothing."""
    if "daozi-head" in users:
        return
    from portal.accounts.services import create_user, grant_role

    daozi = db.session.scalar(select(OrgUnit).where(OrgUnit.name == "导子村"))
    role = db.session.scalar(select(Role).where(Role.name == "village_head"))
    if daozi is None or role is None:
        return
    grant_role(create_user("daozi-head", "导子村两委负责人", DEMO_PASSWORD), role, daozi)


def load_decisions(county):
    """导子村's major decisions (四议两公开): road hardening with all six steps, a land lease at step 3."""
    from datetime import date

    from portal.orgs.models import Person, Position

    from . import decisions

    users = {u.username: u for u in db.session.scalars(select(User).where(
        User.username.in_(("daozi-clerk", "daozi-jianwei", "daozi-head"))))}
    daozi = db.session.scalar(county.subtree_query().where(OrgUnit.name == "导子村"))
    if daozi is None or len(users) < 3 or not current_app.extensions["portal"].is_active("disclosure", daozi):
        return
    names = {title: name for title, name in db.session.execute(
        select(Position.title, Person.name).join(Person, Position.person_id == Person.id)
        .join(OrgUnit, Position.org_id == OrgUnit.id).where(OrgUnit.path.startswith(daozi.path)))}
    secretary, director = names.get("secretary", "张建国"), names.get("committee_director", "李春生")
    cadres = [name for name, _title in decisions.officials(daozi, date(2026, 8, 1))[1]] or ["刘洋"]
    cadre, cadres = cadres[0], "、".join(cadres[:2])
    two = f"{secretary}、{director}、{names.get('branch_committee', '王桂兰')}"
    clerk = users["daozi-clerk"]
    roads = [
        (1, date(2026, 8, 3), dict(content="党支部提议：硬化村内主干道路1.2公里，资金来自上级奖补和村集体收益。",
                                   signatures=secretary, township_attendees=cadre)),
        (2, date(2026, 8, 6), dict(content="村两委会议商议，同意提议，形成实施方案。", expected=7, present=7,
                                   signatures=two, township_attendees=cadre)),
        (3, date(2026, 8, 10), dict(content="党员大会审议通过实施方案。", expected=28, present=25, approvals=24,
                                    signatures=secretary)),
        (4, date(2026, 8, 15), dict(content="村民代表会议表决通过：硬化村内主干道路1.2公里，预算48万元，"
                                            "公开招标确定施工单位。", meeting="representatives", expected=35,
                                    present=31, approvals=29, signatures=f"{secretary}、{director}",
                                    township_attendees=cadres)),
    ]
    lease = [(1, date(2026, 11, 2), dict(content="党支部提议：村集体机动地86亩公开发包，期限5年。",
                                         signatures=secretary)),
             (2, date(2026, 11, 5), dict(content="村两委会议商议，确定底价和竞价办法。", expected=7, present=6,
                                         signatures=two)),
             (3, date(2026, 11, 12), dict(content="党员大会审议通过发包方案。", expected=28, present=22,
                                          approvals=20, signatures=secretary, township_attendees=cadre))]
    for title, matter, steps, disclosed in (
            ("村内主干道路硬化工程", "村级公益事业建设", roads,
             ((5, date(2026, 8, 18), ""), (6, date(2026, 10, 28), "道路硬化1.2公里已完工并通过验收，决算45.6万元。"))),
            ("村集体机动地发包", "集体土地和资产发包", lease, ())):
        decision = decisions.create_decision(daozi, clerk, title=title, matter=matter)
        for number, day, fields in steps:
            decisions.record_step(decision, clerk, number, held_on=day, published_at=_at(day, 16), **fields)
        for number, day, result in disclosed:
            draft_title, body = decisions.disclosure_text(decision, number)
            draft = decisions.start_disclosure(decision, clerk, number, title=draft_title, body=body + result)
            services.submit(draft, clerk)
            services.countersign(draft, users["daozi-jianwei"])
            services.approve(draft, users["daozi-head"])
            draft.countersigned_at, draft.approved_at = _at(day - timedelta(days=2), 15), _at(day - timedelta(1), 10)
            services.publish(draft, clerk, published_at=_at(day, 9))


def load_participation(county, now=None):
    """Sample 点题公开 and 异议: requests at 导子村 (one overdue, one answered by a linked disclosure, one new),
    and objections the villages handle themselves (one at the township, one overdue, one closed).

    The objections are of 南岭镇 and 导子村 from before their townships took objections through the
    hotline (a row keeps the handler it was filed with); new objections there go to the hotline.
    """
    from portal.timeutil import utcnow
    from portal.workdays import deadline

    from . import participation as p
    from .models import Disclosure, DisclosureObjection, DisclosureRequest

    now = now or utcnow()
    host = current_app.extensions["portal"]
    villages = {v.name: v for v in db.session.scalars(county.subtree_query().where(OrgUnit.kind == "village"))
                if host.is_active("disclosure", v)}
    daozi = villages.get("导子村")
    clerk = db.session.scalar(select(User).where(User.username == "daozi-clerk"))
    if daozi is None or clerk is None:
        return

    def request(topic, days_ago, detail=""):
        filed = now - timedelta(days=days_ago)
        req = DisclosureRequest(code=p.new_code(), org_id=daozi.id, topic=topic, detail=detail, state="open",
                                filed_at=filed, due_at=p.request_deadline(daozi, filed))
        db.session.add(req)
        return req

    request("村集体厂房租金收取及使用情况", 14, "厂房出租给谁了、一年租金多少、钱用到哪里了？")
    request("2026年冬季取暖补贴发放名单", 1)
    answered = request("村道修路工程资金使用明细", 9, "县里补助和村里自筹各多少？")
    d = Disclosure(org=daozi, org_id=daozi.id, category="village", disclosure_kind="on_request",
                   title="关于“村道修路工程资金使用明细”的答复", attachments=[], state="published",
                   body=("村民点题：村道修路工程资金使用明细\n\n"
                         "村道修路工程预算38.6万元（含监理费），其中县交通局补助20万元，村集体自筹18.6万元。"
                         "截至11月底已支付工程款30万元，余款待验收后支付。"),
                   created_by_id=clerk.id, created_at=now - timedelta(days=8),
                   countersigned_at=now - timedelta(days=6), approved_at=now - timedelta(days=5))
    db.session.add(d)
    db.session.flush()
    pub = ledger.publish(plugin="disclosure", kind="disclosure", org=daozi, title=d.title,
                         summary=services.summary_of(d), payload=services.payload_of(d),
                         search_text=services.search_text_of(d), user=clerk, published_at=now - timedelta(days=4))
    d.pub_id, d.published_at = pub.pub_id, pub.published_at
    answered.draft_id, answered.pub_id, answered.state, answered.answered_at = d.id, pub.pub_id, "answered", \
        pub.published_at

    def latest_of(village, before):
        return db.session.scalar(ledger.latest_revisions().where(ledger.Publication.plugin == "disclosure",
                                                                  ledger.Publication.org_code == village.code,
                                                                  ledger.Publication.published_at < before))

    def objection(village, text, days_ago, **fields):
        filed = now - timedelta(days=days_ago)
        target = latest_of(village, filed) if village is not None else None
        if target is None:
            return None
        fields = {"state": "village", "due_at": deadline(filed, 10), **fields}
        obj = DisclosureObjection(code=p.new_code(), org_id=village.id, pub_id=target.pub_id,
                                  pub_title=target.title[:200], text=text, handler="village", filed_at=filed,
                                  **fields)
        db.session.add(obj)
        return obj

    shiqiao = villages.get("石桥村")
    township = shiqiao.parent if shiqiao is not None else None
    objection(shiqiao, "财务公开中“路灯维修”一笔支出金额偏高，请说明维修了几盏灯、单价多少。", 20, state="township",
              answer="共维修路灯12盏，单价含人工，明细附后。", answered_at=now - timedelta(days=12),
              dispute="同样的灯镇上别的村单价低一半，请镇里核实。", escalated_at=now - timedelta(days=10),
              township_id=township.id if township else None,
              due_at=deadline(now - timedelta(days=10), 20))
    objection(villages.get("北坡村"), "第三季度村务公开没有写低保评议的结果。", 18)
    objection(daozi, "上月办公用品支出为何比往月多？", 30, state="closed", answer="本月集中购置了打印机硒鼓和档案盒。",
              answered_at=now - timedelta(days=25), closed_at=now - timedelta(days=24))
