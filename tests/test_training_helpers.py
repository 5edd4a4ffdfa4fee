"""Shared builders for the training tests: a branch with members, the module on in township A."""

from datetime import date, datetime

import pytest

from portal.extensions import db
from portal.orgs.models import Person, Position
from tests.helpers import TOWN_A, VILLAGE_A1, build_tree, unit

BRANCH = VILLAGE_A1 + "-dzb"
GROUP = VILLAGE_A1 + "-dxz1"


def add_person(name, phone, code, title, start=date(2020, 1, 1), end=None):
    person = Person(name=name, phone=phone)
    db.session.add(person)
    db.session.flush()
    db.session.add(Position(person_id=person.id, org_id=unit(code).id, title=title, start_date=start, end_date=end))
    db.session.flush()
    return person


def build_branch():
    """The test tree plus members: {name: person id}. 王海燕 is there twice (namesakes)."""
    build_tree()
    people = {
        "李秀英": add_person("李秀英", "13600001234", BRANCH, "branch_committee"),
        "王海燕": add_person("王海燕", "13900001111", GROUP, "party_member"),
        "王海燕2": add_person("王海燕", "13700002222", GROUP, "party_member"),
        "赵立新": add_person("赵立新", "13500003333", GROUP, "group_leader"),
        "陈外人": add_person("陈外人", "13400004444", VILLAGE_A1 + "-cwh", "committee_director"),
    }
    from sqlalchemy import select

    people["张建国"] = db.session.scalar(select(Person).where(Person.name == "张建国"))
    from flask import current_app

    current_app.extensions["portal"].set_enabled("training", unit(TOWN_A), True)
    db.session.commit()
    return {k: p.id for k, p in people.items()}


def local(*args):
    """A local (Asia/Shanghai) time as the naive UTC the services take."""
    from plugins.training.services import local_to_utc

    return local_to_utc(datetime(*args))


def make_session(code=BRANCH, type="branch_meeting", start=(2026, 3, 5, 19, 0), end=(2026, 3, 5, 21, 0), hours=2,
                 topic="学习党章"):
    from plugins.training.services import save_session

    return save_session(None, org=unit(code), type=type, starts_at=local(*start), ends_at=local(*end), hours=hours,
                        topic=topic)


@pytest.fixture
def people(ctx):
    return build_branch()
