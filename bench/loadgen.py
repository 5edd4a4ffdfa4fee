"""Load for the benchmarks: wrk when installed (wrk_get), else a small threaded HTTP client (run)."""

import http.client
import re
import statistics
import subprocess
import threading
import time
from urllib.parse import urlsplit


class Client:
    """One keep-alive connection to host:port, reconnecting after an error."""

    def __init__(self, base):
        parts = urlsplit(base)
        self.host, self.port = parts.hostname, parts.port
        self.conn = None
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                resp = self.conn.getresponse()
                data = resp.read()
                break
            except (OSError, http.client.HTTPException):
                self.conn.close()
                self.conn = None
                if attempt == 2 or method != "GET":
                    raise
        for value in resp.headers.get_all("Set-Cookie") or ():
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return resp.status, resp.headers, data


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    k = min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))
    return values[k]


def run(base, path, concurrency=1, requests=200, headers=None):
    """GET `path` `requests` times from `concurrency` clients; return a summary dict (seconds)."""
    latencies, errors, lock = [], [0], threading.Lock()
    per_client = max(1, requests // concurrency)

    def worker():
        client = Client(base)
        mine = []
        for _ in range(per_client):
            t = time.perf_counter()
            try:
                status, _h, _d = client.request("GET", path, headers=headers)
                ok = status in (200, 304)
            except OSError:
                ok = False
            if ok:
                mine.append(time.perf_counter() - t)
            else:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"n": len(latencies), "errors": errors[0], "rps": len(latencies) / wall,
            "median": statistics.median(latencies) if latencies else float("nan"),
            "p99": percentile(latencies, 99)}


def _seconds(value, unit):
    return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]


def wrk_get(base, path, concurrency=1, seconds=5, headers=None):
    """GET `path` for `seconds` from `concurrency` wrk connections; the same summary as run()."""
    command = ["wrk", f"-c{concurrency}", f"-t{min(concurrency, 2)}", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    report = subprocess.run([*command, base + path], capture_output=True, text=True, check=True).stdout
    n = int(re.search(r"(\d+) requests in", report).group(1))
    errors = sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses: (\d+)", report))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", report)
    errors += sum(int(x) for x in socket_errors.groups()) if socket_errors else 0
    return {"n": n - errors, "errors": errors, "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", report).group(1)),
            "median": _seconds(*re.search(r"50%\s+([\d.]+)(us|ms|s|m)", report).groups()),
            "p99": _seconds(*re.search(r"99%\s+([\d.]+)(us|ms|s|m)", report).groups())}


def fmt(s):
    return f"{s['rps']:7.1f} req/s  median {1000 * s['median']:6.1f} ms  p99 {1000 * s['p99']:6.1f} ms  errors {s['errors']}"
