"""Small builders shared by the tests."""

import re
from datetime import date

from sqlalchemy import select

from portal.accounts.models import Role
from portal.accounts.services import create_user, grant_role
from portal.extensions import db
from portal.orgs.models import OrgUnit, Person, Position
from portal.orgs.services import create_unit

PASSWORD = "correct horse battery"

COUNTY = "371402000000"
TOWN_A = "371402101000"  # 东风镇
TOWN_B = "371402102000"  # 西湖乡
VILLAGE_A1 = "371402101201"  # 导子村
VILLAGE_A2 = "371402101202"
VILLAGE_B1 = "371402102201"


def build_tree():
    """County → 2 townships → villages (A1 with branch, group and both committees)."""
    county = create_unit("county", "德城区", COUNTY)
    town_a = create_unit("township", "东风镇", TOWN_A, county)
    town_b = create_unit("township", "西湖乡", TOWN_B, county)
    a1 = create_unit("village", "导子村", VILLAGE_A1, town_a)
    create_unit("village", "王庄村", VILLAGE_A2, town_a)
    create_unit("village", "李家村", VILLAGE_B1, town_b)
    branch = create_unit("party_branch", "导子村党支部", VILLAGE_A1 + "-dzb", a1)
    create_unit("party_group", "第一党小组", VILLAGE_A1 + "-dxz1", branch)
    create_unit("village_committee", "导子村村民委员会", VILLAGE_A1 + "-cwh", a1)
    create_unit("supervision_committee", "导子村村务监督委员会", VILLAGE_A1 + "-jwh", a1)
    secretary = Person(name="张建国", phone="13800138000")
    db.session.add(secretary)
    db.session.flush()
    db.session.add(Position(person=secretary, org_id=branch.id, title="secretary", start_date=date(2021, 1, 1)))
    db.session.commit()
    return {u.code: u.id for u in db.session.scalars(select(OrgUnit))}


def unit(code):
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def make_user(role, code, username=None):
    username = username or f"{role}-{code}"
    user = create_user(username, username, PASSWORD)
    grant_role(user, db.session.scalar(select(Role).where(Role.name == role)), unit(code))
    db.session.commit()
    return user


def tamper_with_ledger(sql):
    """Run `sql` on the ledger with its append-only guard lifted, as an attacker with database access would."""
    from sqlalchemy import text

    from portal.appendonly import drop_statements, trigger_statements

    dialect = db.engine.dialect.name
    for statement in drop_statements("ledger_publication", dialect):
        db.session.execute(text(statement))
    db.session.execute(text(sql))
    for statement in trigger_statements("ledger_publication", dialect):
        db.session.execute(text(statement))
    db.session.commit()


def filter_error(html, field_id):
    """The message of the console filter `field_id` under the filters, or None; its control must point to it
    (aria-invalid, aria-describedby)."""
    found = re.search(rf'<ul class="errors filter-errors">(?:(?!</ul>).)*<li id="{field_id}-error">(.*?)</li>',
                      html, re.S)
    if found:
        control = re.search(rf'<(?:input|select)[^>]*id="{field_id}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in control and f'aria-describedby="{field_id}-error"' in control
    return found and found.group(1)
