"""Generate a benchmark county with bulk inserts (not through the per-row services).

    .venv/bin/python bench/dataset.py --scale small  --db sqlite:///bench/small.db
    .venv/bin/python bench/dataset.py --scale county --db sqlite:///bench/county.db

Publications are appended in one pass: each row's hash is computed with the ledger's own
`record_of`/`compute_hash`, chained on the previous one, and the ledger head set at the end,
so `portal ledger verify` passes. Rows go in with SQLAlchemy Core executemany in batches.
"""

import argparse
import os
import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SCALES = {
    # townships, villages per township, months, lines per statement, cases, sessions, attendees per session
    "county": dict(townships=20, villages=20, months=60, lines=40, cases=100_000, sessions=20_000, attendees=20),
    "medium": dict(townships=5, villages=20, months=60, lines=40, cases=25_000, sessions=5_000, attendees=20),
    "small": dict(townships=1, villages=4, months=60, lines=40, cases=1_000, sessions=200, attendees=20),
}
FIRST_MONTH = (2021, 11)
BATCH = 2000

ACCOUNTS = [("5001", "经营收入", "income", "机动地发包收入"), ("5101", "投资收益", "income", "合作社入股分红"),
            ("5201", "补助收入", "income", "村级组织运转经费补助"), ("5301", "其他收入", "income", "银行存款利息"),
            ("5002", "经营支出", "expense", "集体厂房维修"), ("5401", "管理费用", "expense", "村委会电费"),
            ("5402", "公益支出", "expense", "村内道路保洁费"), ("5501", "其他支出", "expense", "银行手续费")]


def months(n):
    year, mon = FIRST_MONTH
    for _ in range(n):
        yield f"{year:04d}-{mon:02d}"
        mon += 1
        if mon == 13:
            year, mon = year + 1, 1


def statement(rng, month, opening, n_lines):
    lines = []
    for i in range(n_lines):
        code, account, direction, summary = ACCOUNTS[rng.randrange(len(ACCOUNTS))]
        lines.append({"date": f"{month}-{rng.randint(1, 28):02d}", "voucher": f"记-{i + 1:03d}", "account_code": code,
                      "account": account, "direction": direction, "summary": summary,
                      "amount_fen": rng.randint(1_000, 3_000_000)})
    lines.sort(key=lambda ln: (ln["date"], ln["voucher"]))
    income = sum(ln["amount_fen"] for ln in lines if ln["direction"] == "income")
    expense = sum(ln["amount_fen"] for ln in lines if ln["direction"] == "expense")
    if opening + income - expense < 0:  # the township tops it up
        top = expense - income - opening + 5_000_000
        lines.append({"date": f"{month}-28", "voucher": f"记-{n_lines + 1:03d}", "account_code": "5201",
                      "account": "补助收入", "direction": "income", "summary": "乡镇转移支付资金", "amount_fen": top})
        income += top
    return {"month": month, "chart": "2023", "opening_fen": opening, "income_fen": income, "expense_fen": expense,
            "closing_fen": opening + income - expense, "lines": lines}


def chunks(rows, size=BATCH):
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def generate(scale, seed=7):
    from sqlalchemy import insert, update

    from plugins.disclosure import services as disclosure_services
    from plugins.disclosure.models import LedgerPeriod, ledger_period_row
    from plugins.hotline.models import Case
    from plugins.hotline.services import new_code
    from plugins.training.models import Attendance, TrainingSession
    from portal.dbsetup import init_database
    from portal.extensions import db
    from portal.ledger.models import LedgerHead, Publication
    from portal.ledger.services import GENESIS, compute_hash, record_of
    from portal.orgs.models import OrgUnit, Person
    from portal.public import search
    from flask import current_app

    p = SCALES[scale]
    rng = random.Random(seed)
    init_database()
    if db.session.query(OrgUnit.id).first() is not None:
        raise SystemExit(f"{db.engine.url.render_as_string(hide_password=True)} already holds an org tree: "
                         "give an empty database (remove the file, or dropdb and createdb)")
    started = time.perf_counter()
    now = datetime(2026, 11, 1)

    # --- org tree: county → townships → villages → party branch + supervision committee
    units, next_id = [], 1
    county = dict(id=next_id, kind="county", name="基准县", code="990901000000", parent_id=None, path="/1/", depth=0,
                  created_at=now)
    units.append(county)
    villages, branches = [], []
    for t in range(p["townships"]):
        next_id += 1
        town = dict(id=next_id, kind="township", name=f"第{t + 1}镇", code=f"9909011{t + 1:02d}000",
                    parent_id=county["id"], path=f"/1/{next_id}/", depth=1, created_at=now)
        units.append(town)
        for v in range(p["villages"]):
            next_id += 1
            village = dict(id=next_id, kind="village", name=f"第{t + 1}镇{v + 1}村", code=f"9909011{t + 1:02d}{201 + v:03d}",
                           parent_id=town["id"], path=f"{town['path']}{next_id}/", depth=2, created_at=now)
            village["township_id"] = town["id"]
            units.append(village)
            villages.append(village)
            for kind, suffix, label in (("party_branch", "dzb", "党支部"), ("supervision_committee", "jwh", "村务监督委员会")):
                next_id += 1
                unit = dict(id=next_id, kind=kind, name=village["name"] + label, code=f"{village['code']}-{suffix}",
                            parent_id=village["id"], path=f"{village['path']}{next_id}/", depth=3, created_at=now)
                units.append(unit)
                if kind == "party_branch":
                    branches.append(unit)
    db.session.execute(insert(OrgUnit), [{k: v for k, v in u.items() if k != "township_id"} for u in units])
    if db.engine.dialect.name == "postgresql":  # ids were given: move the sequence past them
        db.session.execute(db.text("SELECT setval(pg_get_serial_sequence('org_unit', 'id'), :n)"), {"n": next_id})
    db.session.commit()
    host = current_app.extensions["portal"]
    for town in (u for u in units if u["kind"] == "township"):
        org = db.session.get(OrgUnit, town["id"])
        for plugin in ("disclosure", "hotline", "training"):
            host.set_enabled(plugin, org, True)
    db.session.commit()
    print(f"units: {len(units)} ({len(villages)} villages)", flush=True)

    # --- the ledger: one finance statement per village and month, appended in month order
    head_hash, seq, n_lines = GENESIS, 0, 0
    any_village = db.session.get(OrgUnit, villages[0]["id"])
    opening = {v["id"]: rng.randint(1_000_000, 50_000_000) for v in villages}
    for month in months(p["months"]):
        due = disclosure_services.due_for(any_village, month)
        published_at = datetime(due.year, due.month, due.day, 1, 0, 0) - timedelta(days=rng.randint(0, 5))
        rows = []
        for v in villages:
            st = statement(rng, month, opening[v["id"]], p["lines"])
            opening[v["id"]] = st["closing_fen"]
            n_lines += len(st["lines"])
            seq += 1
            payload = {"category": "finance", "disclosure_kind": "regular", "period": month, "body": "",
                       "attachments": [], "statement": st,
                       "review": {"countersigned_at": (published_at - timedelta(days=2)).isoformat() + "Z",
                                  "approved_at": (published_at - timedelta(days=1)).isoformat() + "Z",
                                  "reviewed_by": v["name"] + "村务监督委员会"},
                       "due": due.isoformat()}
            draft = SimpleNamespace(statement=st, body="")
            row = dict(seq=seq, pub_id=seq, revision=1, action="publish", plugin="disclosure", kind="disclosure",
                       org_id=v["id"], org_code=v["code"], org_name=v["name"],
                       title=disclosure_services.default_title(v["name"], "finance", month),
                       summary=disclosure_services.summary_of(draft), payload=payload,
                       search_text=disclosure_services.search_text_of(draft), reason=None, published_by_id=None,
                       published_by="system", published_at=published_at, prev_hash=head_hash)
            row["hash"] = head_hash = compute_hash(record_of(SimpleNamespace(**row)))
            rows.append(row)
        for batch in chunks(rows, 500):
            db.session.execute(insert(Publication), batch)
            # a bulk insert skips the ORM's events: the search index and the disclosures' periods are
            # filled here, as publishing does
            search.index_rows(db.session.connection(),
                              [(r["seq"], r["title"], r["summary"], r["search_text"]) for r in batch])
            db.session.execute(insert(LedgerPeriod), [ledger_period_row(SimpleNamespace(**r)) for r in batch])
        db.session.commit()
    db.session.execute(update(LedgerHead).where(LedgerHead.id == 1).values(seq=seq, hash=head_hash))
    db.session.commit()
    print(f"publications: {seq}, statement lines: {n_lines}", flush=True)

    # --- hotline cases
    cats = ("consult", "help", "complaint", "report", "suggestion")
    states = ("accepted", "assigned", "in_progress", "replied", "closed", "closed", "closed")
    rows, codes = [], set()
    for _ in range(p["cases"]):
        v = villages[rng.randrange(len(villages))]
        code = new_code()
        while code in codes:
            code = new_code()
        codes.add(code)
        filed = now - timedelta(minutes=rng.randint(0, 5 * 365 * 24 * 60))
        # as in a real county: a case older than two months is closed but for a stubborn few
        old = now - filed > timedelta(days=60)
        state = "closed" if old and rng.random() < 0.98 else rng.choice(states)
        replied = min(now, filed + timedelta(hours=rng.randint(4, 20 * 24))) if state in ("replied", "closed") else None
        closed = min(now, replied + timedelta(hours=rng.randint(1, 5 * 24))) if state == "closed" else None
        rows.append(dict(code=code, category=rng.choice(cats), org_id=v["id"], township_id=v["township_id"],
                         description="村里路灯坏了很久，晚上出行不便，请尽快维修。", source="web", photos=[],
                         confidential=False, state=state, filed_at=filed, updated_at=closed or replied or filed,
                         sign_due_at=filed + timedelta(days=3), due_at=filed + timedelta(days=30),
                         replied_at=replied, closed_at=closed, reopen_count=0, escalation_level=0))
    for batch in chunks(rows):
        db.session.execute(insert(Case), batch)
    db.session.commit()
    print(f"hotline cases: {len(rows)}", flush=True)

    # --- training: party members per branch, sessions and attendance
    per_branch = max(p["attendees"], 25)
    people = [dict(name=f"党员{i:06d}", created_at=now) for i in range(len(branches) * per_branch)]
    for batch in chunks(people):
        db.session.execute(insert(Person), batch)
    db.session.commit()
    first_person = db.session.scalar(db.select(db.func.min(Person.id)))
    sessions = []
    for i in range(p["sessions"]):
        b = i % len(branches)
        start = now - timedelta(hours=rng.randint(0, 5 * 365 * 24))
        sessions.append(dict(org_id=branches[b]["id"], type="branch_meeting", starts_at=start,
                             ends_at=start + timedelta(hours=2), hours=2, topic="学习党的二十届三中全会精神",
                             materials=[], created_at=now, updated_at=now))
    for batch in chunks(sessions):
        db.session.execute(insert(TrainingSession), batch)
    db.session.commit()
    first_session = db.session.scalar(db.select(db.func.min(TrainingSession.id)))
    attendance = []
    for i in range(p["sessions"]):
        b = i % len(branches)
        members = rng.sample(range(per_branch), p["attendees"])
        for m in members:
            attendance.append(dict(session_id=first_session + i, person_id=first_person + b * per_branch + m,
                                   status="present" if rng.random() < 0.9 else "absent", method="marked"))
    for batch in chunks(attendance, 5000):
        db.session.execute(insert(Attendance), batch)
    db.session.commit()
    print(f"training sessions: {len(sessions)}, attendance rows: {len(attendance)}", flush=True)
    if db.engine.dialect.name == "postgresql":
        # Autovacuum would get to it within minutes; until then the planner guesses from empty tables
        # (the public search once took 8 s instead of 0.4 on a database measured right away).
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    print(f"generated {scale} in {time.perf_counter() - started:.0f} s", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="small")
    parser.add_argument("--db", required=True, help="database URL (an empty database)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.db
    from portal import create_app

    app = create_app()
    with app.app_context():
        generate(args.scale, args.seed)


if __name__ == "__main__":
    main()
