"""Sample cases for `portal demo`: a few hundred cases in every state in 东风镇 and 南岭镇, and published stats."""

from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.orgs import OrgUnit
from portal.timeutil import local_today, utcnow
from portal.workdays import add_working_days, local_date

from . import escalation, labels, services, stats
from .models import (ACCEPTED, ASSIGNED, CLOSED, IN_PROGRESS, PUBLIC_CATEGORIES, RATINGS, REOPENED, REPLIED, Case,
                     CaseEvent)

DESCRIPTIONS = {
    "consult": ["请问今年的耕地地力保护补贴什么时候发放？标准是多少？", "新农合缴费截止到哪天？在哪里交？",
                "宅基地申请需要准备哪些材料？", "低保申请的条件是什么？"],
    "help": ["村东头的路灯坏了一个多月，晚上出行很不方便。", "家里老人独居，冬天取暖有困难，希望村里帮助。",
             "自来水这几天一直没有水，请尽快维修。"],
    "complaint": ["村里修路后排水沟堵塞，下雨天积水进院子。", "垃圾清运不及时，村口垃圾堆了一周。",
                  "村委会办事要跑好几趟，希望简化手续。"],
    "report": ["举报有人在基本农田上违规建房。", "反映村里危房改造补贴名单不公开。", "举报河道内有人私自采砂。"],
    "suggestion": ["建议在村文化广场增加健身器材。", "建议村务公开栏每月按时更新财务。", "建议在小学门口设置减速带。"],
}
REPLIES = ["已联系相关部门核实处理，具体情况已电话告知。", "经核查，已安排人员维修完毕。",
           "您反映的问题已转交镇相关办公室，按政策答复如下：请携带身份证到便民服务中心办理。",
           "已现场查看并责令整改，后续将持续跟踪。"]


def _at(now, days_ago, rng):
    return now - timedelta(days=days_ago, hours=rng.randint(0, 10), minutes=rng.randint(0, 59))


def load(county, rng):
    """Create the sample cases and publish the statistics of the past months (quick, deterministic from `rng`)."""
    host = current_app.extensions["portal"]
    townships = [t for t in db.session.scalars(county.subtree_query().where(OrgUnit.kind == "township")
                                                .order_by(OrgUnit.code)) if host.is_active(services.PLUGIN, t)]
    staff = {u.username: u for u in db.session.scalars(select(User))}
    now = utcnow()
    for township in townships:
        villages = list(db.session.scalars(township.subtree_query().where(OrgUnit.kind == "village")
                                           .order_by(OrgUnit.code)))
        handler = staff.get("dongfeng") if township.code == "990101101000" else staff.get("admin")
        cases = [_one(rng, now, township, rng.choice(villages), handler) for _i in range(110)]
        db.session.flush()
        open_cases = [c for c in cases if c.state in ("accepted", "assigned")]
        for dup, target in zip(open_cases[:3], open_cases[3:6]):
            if handler is not None:
                services.merge(dup, target, handler, now=dup.filed_at + timedelta(hours=3))
    db.session.flush()
    escalation.sweep(now=now, commit=False)
    today = local_today()
    for back in (3, 2, 1):
        y, m = today.year, today.month - back
        while m < 1:
            y, m = y - 1, m + 12
        for township in townships:
            stats.publish_month(township, f"{y}-{m:02d}")


def _one(rng, now, township, village, handler):
    category = rng.choices(PUBLIC_CATEGORIES, weights=(3, 2, 4, 2, 2))[0]
    days_ago = rng.randint(0, 120)
    filed = _at(now, days_ago, rng)
    days = services.days_for(village, category)
    case = Case(code=services.new_code(), category=category, org_id=village.id, township_id=township.id,
                description=rng.choice(DESCRIPTIONS[category]), source=rng.choice(("web", "web", "web", "open311")),
                complainant_name=(rng.choice("王李张刘陈杨赵") + rng.choice(("建国", "秀英", "志强", "桂兰")))
                if rng.random() < 0.6 else None,
                complainant_phone=("13" + "".join(rng.choice("0123456789") for _ in range(9)))
                if rng.random() < 0.5 else None,
                confidential=category == "report" and rng.random() < 0.6, photos=[], state=ACCEPTED,
                filed_at=filed, updated_at=filed, sign_due_at=services.deadline(filed, 1),
                due_at=services.deadline(filed, days))
    db.session.add(case)
    events = [CaseEvent(case=case, kind="filed", public=True, at=filed)]
    due_day = local_date(case.due_at - timedelta(seconds=1))
    elapsed = (now - filed).days
    # older cases are mostly finished; recent ones still open
    roll = rng.random()
    if elapsed > 25:
        target = REPLIED if roll < 0.1 else CLOSED if roll < 0.9 else IN_PROGRESS
    elif elapsed > 5:
        target = (ACCEPTED, ASSIGNED, IN_PROGRESS, REPLIED, CLOSED)[min(4, int(roll * 5))]
    else:
        target = (ACCEPTED, ACCEPTED, ASSIGNED, IN_PROGRESS, REPLIED)[min(4, int(roll * 5))]
    if target == ACCEPTED:
        return _finish(case, events)
    t = filed + timedelta(hours=rng.randint(2, 20))
    case.assignee_unit_id = village.id
    case.state = ASSIGNED
    events.append(CaseEvent(case=case, kind="assigned", public=True, at=t, text=village.name))
    if target == ASSIGNED:
        return _finish(case, events)
    t += timedelta(hours=rng.randint(1, 20))
    case.signed_at, case.state = t, IN_PROGRESS
    events.append(CaseEvent(case=case, kind="signed", public=True, at=t,
                            actor=handler.display_name if handler else "", user_id=handler.id if handler else None))
    if target == IN_PROGRESS:
        return _finish(case, events)
    late = rng.random() < 0.15
    span = (add_working_days(due_day, 3) if late else due_day) - local_date(filed)
    t = min(now - timedelta(hours=1), filed + timedelta(days=rng.randint(1, max(1, span.days)), hours=rng.randint(0, 8)))
    case.state, case.replied_at = REPLIED, t
    events.append(CaseEvent(case=case, kind="reply", public=True, at=t, text=rng.choice(REPLIES),
                            actor=handler.display_name if handler else "", user_id=handler.id if handler else None))
    if target == REPLIED:
        return _finish(case, events)
    t = min(now, t + timedelta(hours=rng.randint(1, 30)))
    if rng.random() < 0.7:
        rating = rng.choices(RATINGS, weights=(5, 8, 3, 2, 1))[0]
        case.rating, case.rated_at = rating, t
        events.append(CaseEvent(case=case, kind="rated", public=True, at=t, text=str(labels.RATING_LABELS[rating])))
        if rating in ("dissatisfied", "very_dissatisfied") and elapsed < 60:
            case.state, case.reopened_at, case.reopen_count = REOPENED, t, 1
            case.signed_at = None
            case.due_at = services.deadline(t, 15)
            events.append(CaseEvent(case=case, kind="reopened", public=True, at=t))
            return _finish(case, events)
    case.state, case.closed_at = CLOSED, t
    events.append(CaseEvent(case=case, kind="closed", public=True, at=t))
    return _finish(case, events)


def _finish(case, events):
    case.updated_at = events[-1].at
    db.session.add_all(events)
    return case
