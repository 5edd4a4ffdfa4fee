"""Benchmarks of issue 7, each printing ratios measured side by side in one run.

    .venv/bin/python bench/run.py page     --db sqlite:///$PWD/bench/county.db
    .venv/bin/python bench/run.py growth   --db sqlite:///$PWD/bench/county.db --small sqlite:///$PWD/bench/small.db
    .venv/bin/python bench/run.py datasette --db sqlite:///$PWD/bench/county.db
    .venv/bin/python bench/run.py hotline  --db sqlite:///$PWD/bench/county.db [--kill] [--against TREE] [--client python]
    .venv/bin/python bench/run.py import
    .venv/bin/python bench/run.py search   --db sqlite:///$PWD/bench/county.db
    .venv/bin/python bench/run.py render   --db sqlite:///$PWD/bench/county.db
    .venv/bin/python bench/run.py console  --db sqlite:///$PWD/bench/county.db
    .venv/bin/python bench/run.py export   --db sqlite:///$PWD/bench/small.db

The machine is shared: every figure is a ratio of two measurements taken in alternating
rounds in the same run, and the best round of each is kept.
"""

import argparse
import os
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from loadgen import Client, fmt, run, wrk_get  # noqa: E402

VENV = ROOT / ".venv" / "bin"


# --- servers ------------------------------------------------------------------------

class Server:
    """gunicorn serving `module:app` on a free port until stop()."""

    def __init__(self, module, env, workers=2, port=None, chdir=HERE):
        self.port = port or _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [str(VENV / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{self.port}", "--chdir", str(chdir),
             "--graceful-timeout", "5", module],
            env=dict(os.environ, **env), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait_for(self.base)

    def workers(self):
        out = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True).stdout
        return [int(p) for p in out.split()]

    def rss_mb(self):
        sizes = []
        for pid in self.workers():
            status = Path(f"/proc/{pid}/status").read_text()
            sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024)
        return sizes

    def cpu_seconds(self):
        """CPU time (user + system) the workers have used so far."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.workers():
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime
        return total / tick

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=30)


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(base, path="/", timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            Client(base).request("GET", path)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{base} did not start")


PAGE_CACHE = {}  # set from --no-page-cache
LIMITS_STORAGE = {}  # set from --limits-storage


def portal_env(db):
    return {"DATABASE_URL": db, "PORTAL_HOTLINE_SUBMIT_LIMIT": "100000 per minute", **LIMITS_STORAGE,
            "PORTAL_HOTLINE_TRACK_LIMIT": "100000 per minute", **PAGE_CACHE}


def portal_app(db):
    os.environ["DATABASE_URL"] = db
    from portal import create_app

    return create_app({"SESSION_COOKIE_SECURE": False})


def a_month_page(app):
    """(path, html bytes) of a finance month page of the first village with statements."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.ledger import Publication

    with app.app_context():
        pub = db.session.scalar(select(Publication).where(Publication.plugin == "disclosure")
                                .order_by(Publication.seq.desc()).limit(1))
        path = f"/o/{pub.org_code}/finance/{pub.payload['statement']['month']}"
    html = app.test_client().get(path).get_data()
    return path, html


def best(rounds):
    return max(rounds, key=lambda s: s["rps"])


LOAD = {"client": "wrk", "seconds": 5}  # set from --client and --seconds


def load(base, path, concurrency, requests, headers=None):
    """GETs of `path` at `concurrency`: for --seconds with wrk, or `requests` of them with the Python client."""
    if LOAD["client"] == "wrk":
        return wrk_get(base, path, concurrency, LOAD["seconds"], headers)
    return run(base, path, concurrency, requests, headers)


def side_by_side(base_a, path_a, base_b, path_b, concurrency, requests, rounds=3, headers=None):
    """Alternating rounds of the two, best round of each (by requests/s), after a few unmeasured requests
    of each: every worker renders a page once per site state before it keeps it, and that first render
    (about 50 ms for a township's page at county scale, `bench render`) is not the steady state measured."""
    for base, path in ((base_a, path_a), (base_b, path_b)):
        run(base, path, concurrency, 4 * concurrency, headers)
    a, b = [], []
    for _ in range(rounds):
        a.append(load(base_a, path_a, concurrency, requests, headers))
        b.append(load(base_b, path_b, concurrency, requests, headers))
    return best(a), best(b)


# --- benchmarks ---------------------------------------------------------------------

def bench_page(args):
    """Finance month page vs a static file of the same size from the same gunicorn; p99 at 16 clients; RSS."""
    app = portal_app(args.db)
    path, html = a_month_page(app)
    static = Path(app.extensions["portal_static_root"]) / "bench-finance.html"
    static.write_bytes(html)  # WhiteNoise indexes the folder when the workers start
    server = Server("wsgi_portal:app", portal_env(args.db), workers=args.workers)
    try:
        print(f"page {path}: {len(html)} bytes; static copy /static/bench-finance.html")
        for c in (1, 16):
            page, stat = side_by_side(server.base, path, server.base, "/static/bench-finance.html", c, args.requests)
            print(f"  c={c:2d} page   {fmt(page)}")
            print(f"  c={c:2d} static {fmt(stat)}")
            print(f"  c={c:2d} RATIO page/static throughput {page['rps'] / stat['rps']:.2f}  "
                  f"p99 page/static {page['p99'] / stat['p99']:.2f}")
        etag = Client(server.base).request("GET", path)[1]["ETag"]
        cond, stat = side_by_side(server.base, path, server.base, "/static/bench-finance.html", 16, args.requests,
                                  headers={"If-None-Match": etag})
        print(f"  c=16 page with If-None-Match (304) {fmt(cond)}")
        print(f"  c=16 RATIO 304/static throughput {cond['rps'] / stat['rps']:.2f}")
        print(f"  worker RSS after the runs: {', '.join(f'{m:.0f} MB' for m in server.rss_mb())}")
        downloads = ("/ledger.jsonl", "/publications.csv", "/publications.json")
        for download in downloads:
            for _ in range(2 * args.workers):  # a new connection each: every worker serves some
                Client(server.base).request("GET", download)
        print(f"  worker RSS after {2 * args.workers} downloads each of {', '.join(downloads)}: "
              f"{', '.join(f'{m:.0f} MB' for m in server.rss_mb())}")
    finally:
        server.stop()
        static.unlink()


def bench_pages(args):
    """p99 at 16 connections of one page of each kind of the public site vs the static file, same gunicorn
    (the issue's "p99 of public pages ≤ 3× the static file's"); `bench page` measures the month page alone."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.ledger import Publication
    from portal.orgs import OrgUnit

    app = portal_app(args.db)
    month_path, html = a_month_page(app)
    village = month_path.split("/")[2]
    with app.app_context():
        county = db.session.scalar(select(OrgUnit.code).where(OrgUnit.kind == "county").order_by(OrgUnit.code))
        town = db.session.scalar(select(OrgUnit.code).where(OrgUnit.kind == "township").order_by(OrgUnit.code))
        pub = db.session.scalar(select(Publication.pub_id).where(Publication.org_code == village)
                                .order_by(Publication.seq.desc()).limit(1))
    paths = ["/", f"/o/{county}", f"/o/{town}", f"/o/{village}", f"/o/{village}/disclosure", f"/o/{village}/finance",
             month_path, f"/p/{pub}", f"/p/{pub}/history", "/feed.atom", f"/o/{village}/feed.atom",
             "/search?q=" + urllib.parse.quote("路灯"), "/api/v1/publications", "/pages/about",
             f"/hotline/?village={village}", f"/o/{village}/disclosure/ask", f"/disclosure/object/{pub}"]
    paths = [path for path in paths if args.only in path]
    static = Path(app.extensions["portal_static_root"]) / "bench-finance.html"
    static.write_bytes(html)
    server = Server("wsgi_portal:app", portal_env(args.db), workers=args.workers)
    try:
        for path in paths:
            page, stat = side_by_side(server.base, path, server.base, "/static/bench-finance.html", 16, args.requests,
                                      rounds=args.rounds or 2)
            print(f"  {path[:44]:44s} {page['rps']:7.0f} req/s  p99 {1000 * page['p99']:6.1f} ms  static p99 "
                  f"{1000 * stat['p99']:5.1f} ms  RATIO p99 {page['p99'] / stat['p99']:5.2f}  errors {page['errors']}")
    finally:
        server.stop()
        static.unlink()


def bench_growth(args):
    """Median latency of the month page at the county scale vs the small scale, served side by side."""
    big = Server("wsgi_portal:app", portal_env(args.db), workers=1)
    small = Server("wsgi_portal:app", portal_env(args.small), workers=1)
    try:
        path_big, _ = a_month_page(portal_app(args.db))
        path_small, _ = a_month_page(portal_app(args.small))
        a, b = side_by_side(big.base, path_big, small.base, path_small, 1, args.requests)
        print(f"  large {path_big} {fmt(a)}")
        print(f"  small {path_small} {fmt(b)}")
        print(f"  RATIO median large/small {a['median'] / b['median']:.2f}")
    finally:
        big.stop()
        small.stop()


def bench_datasette(args):
    """The month page vs Datasette serving the same statement lines as an HTML table."""
    import json

    app = portal_app(args.db)
    path, _html = a_month_page(app)
    code, month = path.split("/")[2], path.split("/")[-1]
    from sqlalchemy import select

    from portal.extensions import db
    from portal.ledger import Publication

    tmp = Path(tempfile.mkdtemp())
    lines_db = tmp / "finance.db"
    conn = sqlite3.connect(lines_db)
    conn.execute("CREATE TABLE finance_line (org_code, month, date, voucher, account_code, account, direction, "
                 "summary, amount_fen INTEGER)")
    with app.app_context():
        for pub in db.session.scalars(select(Publication).where(Publication.org_code == code)):
            st = pub.payload["statement"]
            conn.executemany("INSERT INTO finance_line VALUES (?,?,?,?,?,?,?,?,?)",
                             [(code, st["month"], ln["date"], ln["voucher"], ln["account_code"], ln["account"],
                               ln["direction"], ln["summary"], ln["amount_fen"]) for ln in st["lines"]])
    conn.execute("CREATE INDEX ix_month ON finance_line (org_code, month)")
    conn.commit()
    conn.close()
    port = _free_port()
    ds = subprocess.Popen([str(VENV / "datasette"), "serve", str(lines_db), "-p", str(port)],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    server = Server("wsgi_portal:app", portal_env(args.db), workers=args.workers)
    try:
        ds_base = f"http://127.0.0.1:{port}"
        ds_path = f"/finance/finance_line?org_code={code}&month={month}&_size=100"
        _wait_for(ds_base, ds_path)
        print(f"  datasette rows: {json.loads(Client(ds_base).request('GET', ds_path.replace('finance_line?', 'finance_line.json?'))[2])['rows'].__len__()}")
        page, dset = side_by_side(server.base, path, ds_base, ds_path, 16, args.requests)
        print(f"  portal    {fmt(page)}")
        print(f"  datasette {fmt(dset)}")
        print(f"  RATIO portal/datasette throughput {page['rps'] / dset['rps']:.2f}")
    finally:
        server.stop()
        ds.terminate()
        ds.wait()


def _hotline_client(base, village, n, results, errors):
    """One villager's browser: the form once (session cookie and CSRF token), then `n` submissions."""
    client, token = Client(base), None
    for i in range(n):
        try:
            if token is None:
                _s, _h, body = client.request("GET", "/hotline/")
                token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body).group(1).decode()
            form = urllib.parse.urlencode({"csrf_token": token, "category": "complaint", "village": village,
                                           "description": f"路灯坏了，第{i}次反映。", "website": ""})
            status, headers, _b = client.request("POST", "/hotline/", body=form,
                                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
            if status == 303:
                results.append(re.search(r"code=([0-9A-Z-]+)", headers["Location"]).group(1))
            else:
                errors.append(status)
        except (OSError, AttributeError) as exc:
            errors.append(repr(exc))
            client, token = Client(base), None


def _form_sessions(base, n=32):
    """[cookie, token, ...] of `n` villagers who opened the form: wrk's requests go round them."""
    pairs = []
    for _ in range(n):
        client = Client(base)
        body = client.request("GET", "/hotline/")[2]
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', body)
        # a portal run with PORTAL_WTF_CSRF_ENABLED=false (--against-env) gives neither cookie nor token
        pairs += ["; ".join(f"{k}={v}" for k, v in client.cookies.items()) or "none=0",
                  token.group(1).decode() if token else ""]
    return pairs


def _start_wrk(base, path, status, fields, sessions, seconds, clients=32):
    """wrk filing through `path` for `seconds` at `clients` connections (bench/hotline.lua); _wrk_joined()."""
    out = Path(tempfile.mkdtemp()) / "codes"
    before = os.times()
    proc = subprocess.Popen(["wrk", f"-c{clients}", "-t2", f"-d{seconds}s", "--timeout", "30s", "-s",
                             str(HERE / "hotline.lua"), base, "--", path, str(status), fields, str(out), *sessions],
                            stdout=subprocess.PIPE, text=True)
    return proc, out, before


def _wrk_joined(started):
    """(codes, errors, seconds, CPU seconds of wrk) of a wrk run, like _joined()."""
    proc, out, before = started
    report = proc.communicate()[0]
    now = os.times()
    lines = out.read_text().split("\n") if out.exists() else []
    shutil.rmtree(out.parent)
    codes = [line for line in lines if line and not line.startswith("error")]
    errors = [line for line in lines if line.startswith("error")]
    errors += re.findall(r"Socket errors: .*", report)  # connections refused, reset or timed out
    seconds = float(re.search(r"requests in ([\d.]+)(m?s)", report).group(1))
    seconds /= 1000 if re.search(r"requests in [\d.]+ms", report) else 1
    cpu = (now.children_user - before.children_user) + (now.children_system - before.children_system)
    return codes, errors, seconds, cpu


def _bare_client(base, n, results, errors):
    client = Client(base)
    body = urllib.parse.urlencode({"category": "complaint", "village": "990901101201", "description": "路灯坏了"})
    for _ in range(n):
        try:
            status, _h, data = client.request("POST", "/file", body=body,
                                              headers={"Content-Type": "application/x-www-form-urlencoded"})
            (results if status == 201 else errors).append(data.decode() if status == 201 else status)
        except OSError as exc:
            errors.append(repr(exc))
            client = Client(base)


def _cpu_since(before):
    now = os.times()
    return (now.user - before.user) + (now.system - before.system)


def _file_in_parallel(target, args, clients=32):
    """Start `clients` threads of `target`; _joined() waits for them."""
    results, errors = [], []
    threads = [threading.Thread(target=target, args=(*args, results, errors)) for _ in range(clients)]
    t, own = time.perf_counter(), os.times()
    for th in threads:
        th.start()
    return threads, results, errors, t, own


def _joined(started):
    """(codes, errors, seconds, CPU seconds of this load generator) of the threads started."""
    threads, results, errors, t, own = started
    for th in threads:
        th.join()
    return results, errors, time.perf_counter() - t, _cpu_since(own)


def bench_hotline(args):
    """Filing through /hotline/ at 32 clients vs a bare sqlite3 insert view, in alternating rounds
    (best of each); every tracking code returned is looked up afterwards. With wrk (the default when
    installed) each round lasts --seconds and the 32 connections go round 32 villagers' sessions,
    each opened with a GET of the form; with --client python each client GETs the form, then
    POSTs --requests/32 times.
    With --against, a second portal (another checkout, or other settings) files in the same rounds."""
    from sqlalchemy import func, select

    from plugins.hotline.models import Case
    from portal.extensions import db

    app = portal_app(args.db)
    bare_db = Path(tempfile.mkdtemp()) / "bare.db"
    portals = [("portal", Server("wsgi_portal:app", portal_env(args.db), workers=args.workers))]
    if args.against or args.against_env:
        env = dict(pair.split("=", 1) for pair in args.against_env.split(",") if pair)
        tree = Path(args.against).resolve() if args.against else ROOT
        portals.append((" ".join(["against", *([str(tree)] if args.against else []), *([args.against_env] if env else [])]),
                        Server("wsgi_portal:app", {**portal_env(args.db), **env}, workers=args.workers,
                               chdir=tree / "bench")))
    server = portals[0][1]
    bare = Server("wsgi_bare:app", {"BARE_DB": str(bare_db)}, workers=args.workers)
    village = re.search(rb'<option value="(\d{12})"', Client(server.base).request("GET", "/hotline/")[2]).group(1).decode()
    per_client = args.requests // 32
    rounds = 1 if args.kill else args.rounds or 3
    wrk = args.client == "wrk"
    fields = urllib.parse.urlencode({"category": "complaint", "village": village,
                                     "description": "路灯坏了，晚上村口一片黑。", "website": ""})
    if wrk:
        sessions = {srv: _form_sessions(srv.base) for _name, srv in portals}
        print(f"  wrk, 32 connections, {args.seconds} s a round", flush=True)
    try:
        with app.app_context():
            before = db.session.scalar(select(func.count(Case.id)))
        codes, failed, theirs = [], [], []
        ours = {name: [] for name, _s in portals}
        killed = None
        for _round in range(rounds):
            for name, srv in portals:
                cpu = srv.cpu_seconds()
                if wrk:
                    started = _start_wrk(srv.base, "/hotline/", 303, fields, sessions[srv], args.seconds)
                else:
                    started = _file_in_parallel(_hotline_client, (srv.base, village, per_client))
                if args.kill and srv is server:
                    time.sleep(2)
                    killed = server.workers()[0]
                    os.kill(killed, signal.SIGKILL)
                results, errors, seconds, own = (_wrk_joined if wrk else _joined)(started)
                codes += results
                failed += errors
                ours[name].append((len(results) / seconds, len(results), seconds, srv.cpu_seconds() - cpu, own))
            cpu = bare.cpu_seconds()
            if wrk:
                results, errors, seconds, own = _wrk_joined(_start_wrk(bare.base, "/file", 201, fields, [], args.seconds))
            else:
                results, errors, seconds, own = _joined(_file_in_parallel(_bare_client, (bare.base, per_client)))
            theirs.append((len(results) / seconds, len(results), seconds, bare.cpu_seconds() - cpu, own))
        with app.app_context():
            found = set(db.session.scalars(select(Case.code).where(Case.code.in_(codes))))
            after = db.session.scalar(select(func.count(Case.id)))
        lost = [c for c in codes if c not in found]
        b = max(theirs)
        for name, runs in ours.items():
            o = max(runs)
            print(f"  {name}: best of {rounds} rounds {o[1]} cases filed in {o[2]:.1f} s = {o[0]:.1f}/s "
                  f"(rounds: {', '.join(f'{r[0]:.0f}' for r in runs)}/s; CPU ms a filing: {', '.join(f'{1000 * r[3] / max(r[1], 1):.2f}' for r in runs)})")
        print(f"  {len(failed)} failed requests {sorted(set(map(str, failed)))[:5]}"
              + (f"; worker {killed} SIGKILLed after 2 s" if killed else ""))
        print(f"  bare:   best of {rounds} rounds {b[1]} rows in {b[2]:.1f} s = {b[0]:.1f}/s "
              f"(rounds: {', '.join(f'{r[0]:.0f}' for r in theirs)}/s; CPU ms a row: {', '.join(f'{1000 * r[3] / max(r[1], 1):.2f}' for r in theirs)})")
        for name, runs in ours.items():
            o = max(runs)
            if not args.kill:
                print(f"  CPU per filing (best rounds): {name} workers {1000 * o[3] / o[1]:.2f} ms, bare workers "
                      f"{1000 * b[3] / b[1]:.2f} ms; the load generator {1000 * o[4] / o[1]:.2f} ms and "
                      f"{1000 * b[4] / b[1]:.2f} ms")
            median = statistics.median(r[0] for r in runs) / statistics.median(r[0] for r in theirs)
            print(f"  RATIO {name}/bare filings per second {o[0] / b[0]:.2f} (medians of the rounds: {median:.2f})")
        print(f"  tracking codes returned {len(codes)}, found afterwards {len(found)}, lost {len(lost)}; "
              f"cases in the database grew by {after - before}"
              + (" (wrk stops with up to 32 filings in flight a round: stored, their answers not read)" if wrk else ""))
    finally:
        for _name, srv in portals:
            srv.stop()
        bare.stop()


class ScratchDatabase:
    """An empty database beside `url` for a benchmark that writes: a new SQLite file in a temporary
    directory, or a new database `name` on the same PostgreSQL server (dropped by `drop`)."""

    def __init__(self, url, name):
        from sqlalchemy.engine import make_url

        self.server = make_url(url)
        self.postgres = self.server.get_backend_name() == "postgresql"
        if self.postgres:
            self.url = self.server.set(database=name).render_as_string(hide_password=False)
            self._admin("DROP DATABASE IF EXISTS " + name, "CREATE DATABASE " + name)
            self.name, self.placeholder = name, "%s"
        else:
            self.path = Path(tempfile.mkdtemp()) / "import.db"
            self.url, self.placeholder = "sqlite:///" + str(self.path), "?"

    def _admin(self, *statements):
        import sqlalchemy

        engine = sqlalchemy.create_engine(self.server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            for statement in statements:
                conn.exec_driver_sql(statement)
        engine.dispose()

    def connect(self):
        """A bare DBAPI connection (sqlite3 in WAL mode, or psycopg) to the scratch database."""
        if self.postgres:
            import psycopg

            server = self.server
            return psycopg.connect(host=server.host, port=server.port, user=server.username,
                                   password=server.password, dbname=self.name)
        conn = sqlite3.connect(self.path.with_name("bare.db"))
        conn.execute("PRAGMA journal_mode=WAL")
        return conn

    def drop(self):
        if self.postgres:
            self._admin("DROP DATABASE " + self.name)
        else:
            shutil.rmtree(self.path.parent, ignore_errors=True)


def bench_import(args):
    """The clerk's whole import of a statement file (parse, check, store the draft, commit) vs a bare
    executemany of the same rows into the same kind of database as --db (a new scratch database, on
    the same PostgreSQL server for a postgresql URL); alternating rounds, best of each."""
    import random

    from plugins.disclosure import finance, services
    from portal.dbsetup import init_database
    from portal.extensions import db
    from portal.tabular import TableError
    from tests.helpers import VILLAGE_A1, build_tree, make_user, unit

    scratch = ScratchDatabase(args.db, "cunwu_bench_import")
    app = portal_app(scratch.url)
    rng = random.Random(1)
    n = args.lines or finance.MAX_LINES
    # a statement is capped at MAX_LINES; a larger file measures the same per-line work with the cap raised here
    finance.MAX_LINES = max(finance.MAX_LINES, n)
    rows = [("2026-10-%02d" % rng.randint(1, 28), f"记-{i:06d}", "管理费用", "村委会电费", "",
             f"{rng.randint(1, 99999)}.{rng.randint(0, 99):02d}") for i in range(n)]
    csv = ("日期,凭证号,科目,摘要,收入,支出\n" + "\n".join(",".join(r) for r in rows) + "\n").encode()
    bad = csv + "2026-10-01,记-x,管理费用,错误金额,,abc\n".encode()
    conn = scratch.connect()
    conn.execute("CREATE TABLE bare_line (date text, voucher text, account text, summary text, income text, "
                 "expense text)")
    conn.commit()
    insert = "INSERT INTO bare_line VALUES (%s)" % ",".join([scratch.placeholder] * 6)
    ours, bare = [], []
    with app.test_request_context():
        init_database()
        build_tree()
        clerk = make_user("village_clerk", VILLAGE_A1, "bench-clerk")
        db.session.commit()
        for _round in range(args.rounds or 5):
            draft = services.create_draft(unit(VILLAGE_A1), clerk, category="finance", disclosure_kind="regular",
                                          period="2026-10", title="2026年10月财务收支")
            db.session.commit()
            t = time.perf_counter()
            services.attach_statement(draft, clerk, csv, "statement.csv", month="2026-10", stated_closing_fen=None,
                                      opening_fen=10**12)
            db.session.commit()
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            conn.cursor().executemany(insert, rows)
            conn.commit()
            bare.append(time.perf_counter() - t)
        stored = len(db.session.get(type(draft), draft.id).statement["lines"])
        draft = services.create_draft(unit(VILLAGE_A1), clerk, category="finance", disclosure_kind="regular",
                                      period="2026-10", title="有一行错误")
        db.session.commit()
        try:
            services.attach_statement(draft, clerk, bad, "statement.csv", month="2026-10", stated_closing_fen=None,
                                      opening_fen=10**12)
            refused = False
        except TableError:
            db.session.rollback()
            refused = db.session.get(type(draft), draft.id).statement is None
        db.session.remove()
        db.engine.dispose()
    conn.close()
    scratch.drop()
    o, b = min(ours), min(bare)
    print(f"  import (attach_statement + commit): {n} lines in {o:.3f} s ({n / o:.0f} lines/s), {stored} stored; "
          f"a file with one bad line refused and nothing stored: {refused}")
    print(f"  bare executemany: {n} rows in {b:.3f} s ({n / b:.0f} rows/s)")
    print(f"  RATIO import/executemany lines per second {(n / o) / (n / b):.3f}  (best of {args.rounds or 5} rounds each)")


def bench_search(args):
    """/search?q= at the dataset's scale, in one process with every page rendered: milliseconds a query
    for a rare term, a term every statement holds (listed up to the cap), and a term with no match."""
    os.environ["PORTAL_PUBLIC_PAGE_CACHE_SIZE"] = "0"
    app = portal_app(args.db)
    client = app.test_client()
    for term in ("路灯", "2026年10月", "管理费用", "不存在的词", "路"):
        times = []
        for _ in range(5):
            t = time.perf_counter()
            html = client.get("/search", query_string={"q": term}).get_data(as_text=True)
            times.append(time.perf_counter() - t)
        found = re.search(r"(More than )?(\d+) results for|的搜索结果(共|超过)(\d+)条", html)
        more = found and (found.group(1) or found.group(3) == "超过")
        count = (found.group(2) or found.group(4)) if found else 0
        print(f"  {term}: {1000 * statistics.median(times):.1f} ms (median of 5), "
              f"{'more than ' if more else ''}{count} results")


def bench_render(args):
    """The first render of each kind of public page, in one process with the page cache off: a different
    unit or publication each time (after one warm-up of the kind), milliseconds, median and worst."""
    os.environ["PORTAL_PUBLIC_PAGE_CACHE_SIZE"] = "0"
    app = portal_app(args.db)
    client = app.test_client()
    from sqlalchemy import select

    from portal.extensions import db
    from portal.ledger import Publication
    from portal.orgs import OrgUnit

    def codes(kind, n, step=1):
        return db.session.scalars(select(OrgUnit.code).where(OrgUnit.kind == kind).order_by(OrgUnit.code)
                                  .limit(n * step)).all()[::step]

    with app.app_context():
        county, towns, villages = codes("county", 1)[0], codes("township", 6), codes("village", 6, 33)
        pubs = db.session.scalars(select(Publication.pub_id).where(Publication.revision == 1)
                                  .order_by(Publication.pub_id).limit(6000)).all()[::1000]
        month = db.session.scalar(select(Publication.payload["statement"]["month"].as_string())
                                  .where(Publication.org_code == villages[0]).limit(1))
    pages = {
        "/ (the whole ledger)": ["/"] * 6, "/o/<county>": [f"/o/{county}"] * 6,
        "/o/<township>": [f"/o/{t}" for t in towns], "/o/<village>": [f"/o/{v}" for v in villages],
        "/o/<village>/finance": [f"/o/{v}/finance" for v in villages],
        "/o/<village>/finance/<month>": [f"/o/{v}/finance/{month}" for v in villages],
        "/o/<village>/disclosure": [f"/o/{v}/disclosure" for v in villages],
        "/p/<id>": [f"/p/{p}" for p in pubs], "/p/<id>/history": [f"/p/{p}/history" for p in pubs],
        "/feed.atom": ["/feed.atom"] * 6, "/o/<township>/feed.atom": [f"/o/{t}/feed.atom" for t in towns],
        "/o/<village>/feed.atom": [f"/o/{v}/feed.atom" for v in villages],
        "/api/v1/publications": ["/api/v1/publications"] * 6, "/hotline/ (the form)": ["/hotline/"] * 6,
    }
    for name, paths in pages.items():
        times = []
        for i, path in enumerate([paths[0]] + paths):
            t = time.perf_counter()
            resp = client.get(path)
            resp.get_data()
            resp.close()
            if resp.status_code != 200:
                raise SystemExit(f"{path} answered {resp.status_code}")
            if i:  # the first is the warm-up
                times.append(time.perf_counter() - t)
        print(f"  {name}: {1000 * statistics.median(times):.1f} ms median, {1000 * max(times):.1f} ms worst")


def bench_console(args):
    """Console pages at the data's scale for a county and a township administrator (staff work on them
    all day): milliseconds, median of 3 after one warm-up; each user is made on first use."""
    os.environ["DATABASE_URL"] = args.db
    from portal import create_app

    app = create_app({"SESSION_COOKIE_SECURE": False, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
    from sqlalchemy import select

    from portal.accounts.models import Role, User
    from portal.accounts.services import create_user, grant_role
    from portal.extensions import db
    from portal.orgs import OrgUnit

    password = "bench-console-2026"
    with app.app_context():
        county = db.session.scalar(select(OrgUnit).where(OrgUnit.kind == "county").order_by(OrgUnit.code))
        town = db.session.scalar(select(OrgUnit).where(OrgUnit.kind == "township").order_by(OrgUnit.code))
        staff = {"bench-county": ("county_admin", county), "bench-township": ("township_admin", town)}
        for name, (role, unit) in staff.items():
            if db.session.scalar(select(User).where(User.username == name)) is None:
                user = create_user(name, name, password)
                grant_role(user, db.session.scalar(select(Role).where(Role.name == role)), unit)
        db.session.commit()
        codes = {"bench-county": county.code, "bench-township": town.code}
    for name, code in codes.items():
        client = app.test_client()
        if client.post("/login", data={"username": name, "password": password}).status_code not in (302, 303):
            raise SystemExit(f"{name} could not log in")
        print(f"  {name} ({code}):")
        for path in ("/console/", "/console/hotline/", "/console/hotline/stats", "/console/disclosure/",
                     "/console/disclosure/compliance", f"/console/training/{code}/",
                     f"/console/training/{code}/compliance", "/console/audit", "/console/orgs"):
            times = []
            for i in range(4):
                t = time.perf_counter()
                resp = client.get(path)
                if resp.status_code != 200:
                    raise SystemExit(f"{path} answered {resp.status_code}")
                if i:
                    times.append(time.perf_counter() - t)
            print(f"    {path}: {1000 * statistics.median(times):.0f} ms ({len(resp.data) // 1024} KB)")


def bench_export(args):
    """`portal export-site` on the database: pages per second."""
    env = dict(os.environ, DATABASE_URL=args.db)
    t = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:  # a county export is GBs: not left behind
        out = subprocess.run([str(VENV / "portal"), "export-site", str(Path(tmp) / "site")], env=env,
                             capture_output=True, text=True)
    print("  " + out.stdout.strip().splitlines()[-1] if out.stdout else out.stderr[-500:])
    print(f"  wall time with start-up: {time.perf_counter() - t:.1f} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bench", choices=["page", "pages", "growth", "datasette", "hotline", "import", "search", "render",
                                          "console", "export"])
    parser.add_argument("--db", default=f"sqlite:///{HERE}/county.db")
    parser.add_argument("--small", default=f"sqlite:///{HERE}/small.db")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=0,
                        help="alternating rounds, best of each (default: import 5, hotline 3)")
    parser.add_argument("--lines", type=int, default=0, help="import: lines in the file (default finance.MAX_LINES)")
    parser.add_argument("--kill", action="store_true", help="hotline: SIGKILL one worker mid-run")
    parser.add_argument("--client", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python",
                        help="the load generator (default wrk when installed: apt-get install wrk); "
                             "--requests counts the Python client's requests, --seconds wrk's rounds")
    parser.add_argument("--seconds", type=int, default=5, help="with wrk: length of a round")
    parser.add_argument("--limits-storage", default="",
                        help="the portal's RATELIMIT_STORAGE_URI, e.g. redis://127.0.0.1:6379 (default: worker-memory://)")
    parser.add_argument("--against", default="",
                        help="hotline: also file, in the same rounds, into the portal of this checkout "
                             "(e.g. made with git worktree add /tmp/before REV)")
    parser.add_argument("--against-env", default="",
                        help="hotline: environment of that second portal, e.g. PORTAL_RATELIMIT_STORAGE_URI=memory://")
    parser.add_argument("--only", default="", help="pages: only the pages whose path holds this text, e.g. /hotline")
    parser.add_argument("--no-page-cache", action="store_true",
                        help="serve with PUBLIC_PAGE_CACHE_SIZE=0: every page rendered")
    args = parser.parse_args()
    if args.no_page_cache:
        PAGE_CACHE["PORTAL_PUBLIC_PAGE_CACHE_SIZE"] = "0"
    LOAD.update(client=args.client, seconds=args.seconds)
    if args.limits_storage:
        LIMITS_STORAGE["PORTAL_RATELIMIT_STORAGE_URI"] = args.limits_storage
    served = args.bench in ("page", "growth", "datasette", "hotline")
    print(f"== {args.bench} ({args.db}){' without the page cache' if args.no_page_cache else ''}"
          + (f", load from {args.client}" if served else ""), flush=True)
    globals()["bench_" + args.bench](args)


if __name__ == "__main__":
    main()
