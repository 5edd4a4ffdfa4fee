"""The sample county of `portal demo`: org tree, people in positions, staff, a few notices."""

import random
from datetime import date

from flask import current_app
from sqlalchemy import select

from . import ledger
from .accounts.models import Role
from .accounts.services import create_user, grant_role
from .console.services import notice_text
from .extensions import db
from .orgs.models import OrgUnit, Person, Position
from .orgs.services import create_unit
from .orgs.settings import set_setting

DEMO_PASSWORD = "cunwu-demo-2026"
COUNTY_CODE = "990101000000"  # province 99 does not exist: the sample can never clash with real codes

# township code, name, hotline, villages (code suffix, name)
TOWNSHIPS = (
    ("990101101000", "东风镇", "0534-2101234", (("201", "导子村"), ("202", "王庄村"), ("203", "前屯村"))),
    ("990101102000", "西湖乡", "0534-2102345", (("201", "李家村"), ("202", "柳河村"))),
    ("990101103000", "南岭镇", "0534-2103456", (("201", "石桥村"), ("202", "北坡村"), ("203", "红星村"))),
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗"
GIVEN = "建国 秀英 志强 桂兰 海燕 永胜 春梅 德明 玉珍 文华 国庆 丽娟 长江 凤英 振华 金花 立新 淑珍".split()

# username, role, unit code, display name (as the console and a case's timeline name the user), label
STAFF = (
    ("admin", "county_admin", COUNTY_CODE, "县级管理员", "县级管理员 county administrator"),
    ("dongfeng", "township_admin", "990101101000", "东风镇管理员", "东风镇 township administrator"),
    ("xihu", "township_admin", "990101102000", "西湖乡管理员", "西湖乡 township administrator"),
    ("daozi-clerk", "village_clerk", "990101101201", "导子村文书", "导子村 village clerk"),
    ("daozi-jianwei", "supervisor", "990101101201", "导子村监委会委员", "导子村 supervision committee member"),
)


def _name(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _person_in(rng, unit, title, since):
    person = Person(name=_name(rng), phone="1" + str(rng.randint(3, 9)) + "".join(rng.choice("0123456789") for _ in range(9)))
    db.session.add(person)
    db.session.flush()
    db.session.add(Position(person_id=person.id, org_id=unit.id, title=title, start_date=since))
    return person


def _village(rng, township, code, name):
    village = create_unit("village", name, code, township)
    branch = create_unit("party_branch", f"{name}党支部", f"{code}-dzb", village)
    committee = create_unit("village_committee", f"{name}村民委员会", f"{code}-cwh", village)
    supervision = create_unit("supervision_committee", f"{name}村务监督委员会", f"{code}-jwh", village)
    groups = [create_unit("party_group", f"第{n}党小组", f"{code}-dxz{n}", branch) for n in (1, 2)]
    _person_in(rng, branch, "secretary", date(2021, 1, 8))
    _person_in(rng, branch, "branch_committee", date(2021, 1, 8))
    _person_in(rng, committee, "committee_director", date(2021, 1, 8))
    _person_in(rng, committee, "clerk", date(2022, 3, 1))
    _person_in(rng, committee, "accountant", date(2020, 6, 1))
    _person_in(rng, supervision, "supervision_director", date(2021, 1, 8))
    _person_in(rng, supervision, "supervision_member", date(2021, 1, 8))
    for group in groups:
        _person_in(rng, group, "group_leader", date(2021, 3, 1))
        for _ in range(rng.randint(3, 5)):
            _person_in(rng, group, "party_member", date(rng.randint(1995, 2023), rng.randint(1, 12), 1))
    return village


def load_demo(seed=2026):
    """Load the sample county unless it is there; return [(username, label)] of staff created."""
    if OrgUnit.by_code(COUNTY_CODE) is not None:
        return []
    rng = random.Random(seed)
    county = create_unit("county", "青山县", COUNTY_CODE)
    set_setting(county, "org.public_address", "青山县人民政府 民生路 1 号")
    for code, name, hotline, villages in TOWNSHIPS:
        township = create_unit("township", name, code, county)
        set_setting(township, "org.report_hotline", hotline)
        cadre = _person_in(rng, township, "township_cadre", date(2020, 9, 1))
        cadre.note = "包村干部"
        for suffix, vname in villages:
            _village(rng, township, code[:9] + suffix, vname)

    roles = {r.name: r for r in db.session.scalars(select(Role))}
    created = []
    admin = None
    for username, role, code, display_name, label in STAFF:
        user = create_user(username, display_name, DEMO_PASSWORD)
        grant_role(user, roles[role], OrgUnit.by_code(code))
        admin = admin or user
        created.append((username, label))

    host = current_app.extensions["portal"]
    # every installed module on in 东风镇 and 南岭镇; 西湖乡 left off to show the switch
    for code in ("990101101000", "990101103000"):
        township = OrgUnit.by_code(code)
        for plugin in host.names():
            host.set_enabled(plugin, township, True, user=admin)
    db.session.flush()
    host.hook.demo_data(org=county, rng=rng)
    # Plugins back-fill past periods; today's notices come last so they head the ledger,
    # whose order (seq) is the order of the public lists.
    _demo_notices(county, admin)
    db.session.commit()
    return created


def _demo_notices(county, admin):
    units = {u.code: u for u in db.session.scalars(select(OrgUnit))}
    notices = (
        (COUNTY_CODE, "关于开展2026年度村务公开专项检查的通知",
         "各乡镇：\n\n为规范村务公开工作，县里将于**12月**开展专项检查。请各村对照《村民委员会组织法》第三十条，"
         "按时公开党务、村务、财务。\n\n- 检查时间：12月1日至12月20日\n- 检查内容：公开内容、公开时间、监督委员会审核签字"),
        ("990101101000", "东风镇关于冬季农村道路安全的提示",
         "入冬以来道路结冰，请各村做好村道修路工程收尾和安全提示工作。"),
        ("990101101201", "导子村村道修路工程公示",
         "导子村村道修路工程已经村民代表会议通过，全长1.2公里，预算38.6万元，由县交通局补助资金20万元。\n\n"
         "| 项目 | 金额（元） |\n|---|---:|\n| 县补助 | 200,000.00 |\n| 村集体自筹 | 186,000.00 |"),
        ("990101102201", "李家村2026年第三季度村务公开",
         "本季度召开村民代表会议2次，议定事项：机井维修、村内绿化。"),
    )
    pubs = []
    for code, title, body in notices:
        pubs.append(ledger.publish(plugin="core", kind="notice", org=units[code], title=title, user=admin,
                                   **notice_text(body)))
    first = pubs[2]
    body = first.payload["body"].replace("38.6万元", "38.6万元（含监理费）")
    ledger.correct(first.pub_id, reason="补充说明预算包含监理费", title=first.title, user=admin, **notice_text(body))
