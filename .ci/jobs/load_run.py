#!/usr/bin/env python3
"""One backend's run of the load test (called by load-test.sh; standard library only).

Starts `laksana serve` on the prepared database, logs each test user in through the login page
(as a browser does: the login CSRF cookie and field, then the session cookie), reads each user's
inbox to find the trainings they work on, checks every address it will ask for answers 200 with
the user's page, then runs wrk with a Lua script that sends each request as the next user in turn
for one of that user's addresses. Afterwards it reads the server's own request counters from
/metrics (a 3xx to the login page would look like success to wrk, the counters would not), its
CPU time from /proc and its peak memory (VmHWM).

With --writes-per-s R a second client meanwhile makes R audited changes a second in the same
unit: a user posts the completion of a step that is another role's, which the server refuses
and records in the unit's audit chain (case W3). Each one moves the unit's audit head, so every
page the server keeps for that unit is read from the database again: this measures the load
with the kept pages going stale, not only the kept pages.
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request

PASSWORD = "coba-demo-2026"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


def fetch(url, data=None, cookies=None):
    """(status, headers, body) without following redirects."""
    req = urllib.request.Request(url, data=data)
    if cookies:
        req.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    try:
        with OPENER.open(req, timeout=30) as r:
            return r.status, r.headers, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read().decode("utf-8", "replace")


def set_cookies(headers):
    out = {}
    for value in headers.get_all("Set-Cookie") or []:
        name, _, rest = value.partition("=")
        out[name.strip()] = rest.split(";", 1)[0]
    return out


def log_in(base, username):
    status, headers, body = fetch(base + "/masuk")
    assert status == 200, f"GET /masuk: {status}"
    cookies = set_cookies(headers)
    csrf = re.search(r'name="csrf" value="([^"]+)"', body).group(1)
    form = urllib.parse.urlencode(
        {"csrf": csrf, "username": username, "password": PASSWORD}
    ).encode()
    status, headers, body = fetch(base + "/masuk", form, cookies)
    session = set_cookies(headers).get("laksana_session")
    if status not in (302, 303) or not session:
        sys.exit(f"login of {username} failed: {status} {body[:300]}")
    return f"laksana_session={session}"


def paths_of(base, cookie):
    """The inbox, the training list and up to three trainings the user has a task in."""
    jar = dict([cookie.split("=", 1)])
    status, _, body = fetch(base + "/tugas", cookies=jar)
    assert status == 200, f"/tugas: {status}"
    ids = list(dict.fromkeys(re.findall(r'href="/pelatihan/(\d+)"', body)))
    if not ids:
        _, _, listing = fetch(base + "/pelatihan", cookies=jar)
        ids = list(dict.fromkeys(re.findall(r'href="/pelatihan/(\d+)"', listing)))
    paths = ["/tugas", "/pelatihan"] + [f"/pelatihan/{i}" for i in ids[:3]]
    for p in paths:
        status, _, body = fetch(base + p, cookies=jar)
        if status != 200 or 'action="/masuk"' in body:
            sys.exit(f"{p} as a logged-in user: {status}")
    return paths, len(ids)


def refused_step(base, cookies):
    """(cookie, csrf, form action) for a user posting the step form of another role's step."""
    forms = {}
    for cookie in cookies:
        jar = dict([cookie.split("=", 1)])
        _, _, body = fetch(base + "/tugas", cookies=jar)
        for tid in list(dict.fromkeys(re.findall(r'href="/pelatihan/(\d+)"', body)))[:3]:
            _, _, page = fetch(base + f"/pelatihan/{tid}", cookies=jar)
            m = re.search(r'action="(/pelatihan/\d+/langkah/\d+)"', page)
            if m:
                forms.setdefault(m.group(1), cookie)
    for action, holder in forms.items():
        for cookie in cookies:
            jar = dict([cookie.split("=", 1)])
            tid = action.split("/")[2]
            _, _, page = fetch(base + f"/pelatihan/{tid}", cookies=jar)
            if action not in page:
                csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
                return cookie, csrf, action
    sys.exit("no step form another user could post")


def writer(base, target, rate, stop, statuses):
    cookie, csrf, action = target
    jar = dict([cookie.split("=", 1)])
    form = urllib.parse.urlencode({"csrf": csrf, "decision": "complete", "note": ""}).encode()
    next_at = time.time()
    while not stop.is_set():
        status, _, _ = fetch(base + action, form, jar)
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        next_at += 1 / rate
        stop.wait(max(0.0, next_at - time.time()))


def counters(base):
    """http_requests_total by status, over every route but /metrics itself."""
    _, _, text = fetch(base + "/metrics")
    by_status = {}
    for line in text.splitlines():
        m = re.match(r'http_requests_total\{(.*)\} (\d+)', line)
        if not m or 'route="/metrics"' in m.group(1):
            continue
        status = re.search(r'status="(\d+)"', m.group(1)).group(1)
        by_status[status] = by_status.get(status, 0) + int(m.group(2))
    return by_status


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of the whole line (11 and 12 after the name).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_kib(pid, key):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


LUA = r"""
-- Each request is the next user's next address, so the 100 sessions are all in play.
local pairs_ = {PAIRS}
local i = 0
function setup(thread)
  thread:set("offset", math.floor(#pairs_ / 2) * (thread_count or 0))
  thread_count = (thread_count or 0) + 1
end
function init(args)
  i = offset or 0
end
function request()
  i = i + 1
  local p = pairs_[(i % #pairs_) + 1]
  return wrk.format("GET", p[2], { ["Cookie"] = p[1] })
end
function done(summary, latency, requests)
  io.write(string.format(
    "WRK requests=%d seconds=%.3f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f connect_err=%d read_err=%d write_err=%d timeouts=%d status_err=%d\n",
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status))
end
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--db", required=True)
    ap.add_argument("--backend", required=True)
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--connections", type=int, default=100)
    ap.add_argument("--work", required=True)
    ap.add_argument("--writes-per-s", type=float, default=0)
    a = ap.parse_args()

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    base = f"http://127.0.0.1:{port}"
    log = open(os.path.join(a.work, f"server-{a.backend}.log"), "w")
    server = subprocess.Popen(
        [a.bin, "serve", "--db", a.db, "--listen", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.time() + 120
        while True:
            try:
                if fetch(base + "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.time() > deadline:
                sys.exit(f"server did not become ready; see {log.name}")
            time.sleep(0.2)

        pairs = []
        inbox_sizes = []
        cookies = []
        for n in range(1, a.users + 1):
            cookie = log_in(base, f"pengguna{n:03}")
            cookies.append(cookie)
            paths, tasks = paths_of(base, cookie)
            inbox_sizes.append(tasks)
            pairs.extend((cookie, p) for p in paths)
        writes = {}
        stop = threading.Event()
        if a.writes_per_s > 0:
            target = refused_step(base, cookies)
            thread = threading.Thread(
                target=writer, args=(base, target, a.writes_per_s, stop, writes)
            )
        # Interleave users, so consecutive requests are different users.
        pairs.sort(key=lambda cp: (cp[1].count("/"), cp[0]))
        lua_path = os.path.join(a.work, f"load-{a.backend}.lua")
        with open(lua_path, "w") as f:
            f.write(
                LUA.replace(
                    "{PAIRS}",
                    "{" + ",".join(f'{{"{c}","{p}"}}' for c, p in pairs) + "}",
                )
            )

        before_counts = counters(base)
        before_cpu = cpu_seconds(server.pid)
        started = time.time()
        if a.writes_per_s > 0:
            thread.start()
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{a.connections}",
                f"-d{a.duration}s",
                "--timeout",
                "5s",
                "-s",
                lua_path,
                base,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        wall = time.time() - started
        stop.set()
        if a.writes_per_s > 0:
            thread.join()
        cpu = cpu_seconds(server.pid) - before_cpu
        after_counts = counters(base)
        print(out, end="")
        line = next(l for l in out.splitlines() if l.startswith("WRK "))
        w = {k: float(v) for k, v in (kv.split("=") for kv in line.split()[1:])}
        delta = {
            st: after_counts.get(st, 0) - before_counts.get(st, 0)
            for st in set(after_counts) | set(before_counts)
        }
        # The writer's refused posts are expected; every other answer must be a 200.
        for st, n in writes.items():
            delta[st] = delta.get(st, 0) - n
        delta = {k: v for k, v in delta.items() if v}
        not_ok = sum(v for k, v in delta.items() if k != "200")
        wrk_errors = sum(
            int(w[k])
            for k in ("connect_err", "read_err", "write_err", "timeouts", "status_err")
        )
        rps = w["requests"] / w["seconds"]
        result = {
            "backend": a.backend,
            "users": a.users,
            "connections": a.connections,
            "addresses": len(pairs),
            "median_inbox_links": sorted(inbox_sizes)[len(inbox_sizes) // 2],
            "requests": int(w["requests"]),
            "requests_per_s": round(rps, 1),
            "p50_ms": w["p50_ms"],
            "p90_ms": w["p90_ms"],
            "p99_ms": w["p99_ms"],
            "max_ms": w["max_ms"],
            "wrk_errors": wrk_errors,
            "server_statuses": delta,
            "writes_per_s": round(sum(writes.values()) / wall, 1) if writes else 0,
            "write_statuses": writes,
            "server_not_200": not_ok,
            "server_cpu_s": round(cpu, 2),
            "wall_s": round(wall, 2),
            "requests_per_server_cpu_s": round(w["requests"] / cpu, 1) if cpu else None,
            "server_peak_rss_mib": round(memory_kib(server.pid, "VmHWM") / 1024, 1),
            "server_rss_mib": round(memory_kib(server.pid, "VmRSS") / 1024, 1),
        }
        print("RESULT " + json.dumps(result))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
