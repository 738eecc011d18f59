#!/usr/bin/env python3
"""Faults under steady load: PostgreSQL stopped and started, Redis down, a worker killed.

    .venv/bin/python bench/faults.py            # `make faults`

CAREFUL: this stops the machine's PostgreSQL cluster and Redis server for a few seconds each
(--outage, default 5 s), which every other user of them notices. Both are restarted in a
`finally`, also on Ctrl-C or SIGTERM.

Load: a few client threads on loopback (bounded: --clients, default 4, each one request at a
time with a short pause) request the release page and /news/ of a gunicorn started here
(production settings, FAULTS_PORT default 8240, Redis cache DB 3, page cache on); a separate
thread polls /healthz. Every response is recorded; the script prints per phase what it saw:
statuses, connection errors, latency, whether error pages were the plain 503 page, and how
long recovery took. It never restarts gunicorn; the same master must serve throughout.
"""

import argparse
import contextlib
import http.client
import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

import redis_cut

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # redis-cut signs in with tests/two_servers.py's Browser
PYTHON = REPO / ".venv" / "bin" / "python"
PORT = int(os.environ.get("FAULTS_PORT", "8240"))
DATABASE_URL = os.environ.get(
    "FAULTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wt_prod_faults"
)
# FAULTS_REDIS_PORT other than 6379: a redis-server of this script's own (started if none
# answers there), so the Redis faults can run on a machine whose Redis others use.
REDIS_PORT = int(os.environ.get("FAULTS_REDIS_PORT", "6379"))
CACHE_URL = os.environ.get("FAULTS_CACHE_URL", f"redis://127.0.0.1:{REDIS_PORT}/3")
PG_VERSION = os.environ.get("FAULTS_PG_VERSION", "15")
PG_START = ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", "start"]
PG_STOP = ["pg_ctlcluster", "--skip-systemctl-redirect", PG_VERSION, "main", "stop", "-m", "fast"]
REDIS_START = (
    "redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save '' --appendonly no "
    "--dir /var/lib/redis --logfile /var/log/redis/ci.log"
    if REDIS_PORT == 6379
    else f"redis-server --daemonize yes --bind 127.0.0.1 --port {REDIS_PORT} --save '' "
    f"--appendonly no --dir /tmp --logfile /tmp/faults-redis-{REDIS_PORT}.log"
)
PHASES = ("postgres", "redis", "redis-hung", "worker", "redis-cut")

ENV = dict(os.environ)
ENV.update(
    DEBUG="False",
    HTTPS="False",
    SECRET_KEY=secrets.token_urlsafe(64),
    ALLOWED_HOSTS="127.0.0.1,localhost",
    DATABASE_URL=DATABASE_URL,
    CACHE_URL=CACHE_URL,
    IRSITE_PAGE_CACHE="1",
    WEB_CONCURRENCY="2",
    LOG_LEVEL="WARNING",
    GUNICORN_LOG_LEVEL="info",
)

_records: list[tuple[float, str, str, float, str]] = []  # (t, phase, url, seconds, outcome)
_lock = threading.Lock()
_phase = "setup"
_stop = threading.Event()
_pg_down = False
_redis_down = False


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def sh(cmd: list[str] | str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(
        cmd, shell=isinstance(cmd, str), capture_output=True, text=True, cwd=REPO, env=ENV
    )
    if check and result.returncode != 0:
        raise SystemExit(f"failed: {cmd}\n{result.stdout}{result.stderr}")
    return result


def pg_ready() -> bool:
    return sh(["pg_isready", "-q", "-h", "127.0.0.1", "-p", "5432"], check=False).returncode == 0


def redis_ready() -> bool:
    return sh(
        ["redis-cli", "-h", "127.0.0.1", "-p", str(REDIS_PORT), "ping"], check=False
    ).stdout.strip() == ("PONG")


def restore_services() -> None:
    """Bring PostgreSQL and Redis back whatever happened (called from `finally`)."""
    global _pg_down, _redis_down
    if _pg_down or not pg_ready():
        sh(PG_START, check=False)
        for _ in range(30):
            if pg_ready():
                break
            time.sleep(0.5)
        _pg_down = False
        say(f"PostgreSQL {'is back' if pg_ready() else 'DID NOT COME BACK'}")
    if _redis_down or not redis_ready():
        sh(REDIS_START, check=False)
        for _ in range(20):
            if redis_ready():
                break
            time.sleep(0.25)
        _redis_down = False
        say(f"Redis {'is back' if redis_ready() else 'DID NOT COME BACK'}")


def request(path: str) -> tuple[str, float]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        outcome = str(response.status)
        if response.status == 503:
            outcome += " page" if b"Temporarily unavailable" in body else " other"
        if b"Traceback" in body:
            outcome += " TRACEBACK"
    except (OSError, http.client.HTTPException) as exc:
        outcome = f"conn-error {type(exc).__name__}"
    finally:
        conn.close()
    return outcome, time.perf_counter() - started


def client(paths: list[str], pause: float) -> None:
    i = 0
    while not _stop.is_set():
        path = paths[i % len(paths)]
        outcome, seconds = request(path)
        with _lock:
            _records.append((time.time(), _phase, path, seconds, outcome))
        i += 1
        time.sleep(pause)


def health_poller() -> None:
    while not _stop.is_set():
        outcome, seconds = request("/healthz")
        with _lock:
            _records.append((time.time(), _phase, "/healthz", seconds, outcome))
        time.sleep(0.25)


def start_gunicorn() -> subprocess.Popen:
    log = open(REPO / "var" / "faults-gunicorn.log", "w")  # noqa: SIM115 - lives with it
    proc = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "gunicorn"), "irsite.wsgi:application",
         "--bind", f"127.0.0.1:{PORT}"],
        cwd=REPO, env=ENV, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    for _ in range(60):
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {log.name}")
        if request("/healthz")[0] == "200":
            return proc
        time.sleep(0.5)
    raise SystemExit("gunicorn did not become ready")


def workers_of(master: int) -> list[int]:
    out = sh(["pgrep", "-P", str(master)], check=False).stdout.split()
    return sorted(int(p) for p in out)


def summarize(phase: str, since: float | None = None) -> dict:
    with _lock:
        rows = [r for r in _records if r[1] == phase and r[2] != "/healthz"]
        health = [r for r in _records if r[1] == phase and r[2] == "/healthz"]
    outcomes = Counter(r[4] for r in rows)
    latencies = sorted(r[3] * 1000 for r in rows if r[4] == "200")
    p50 = statistics.median(latencies) if latencies else float("nan")
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else float("nan")
    say(
        f"  {phase}: {len(rows)} requests {dict(outcomes)}; 200s p50 {p50:.1f} ms p99 {p99:.1f}"
        f" ms; /healthz {dict(Counter(r[4] for r in health))}"
    )
    return {"outcomes": outcomes, "rows": rows, "p50": p50, "p99": p99}


def first_ok_after(phase: str, moment: float) -> float | None:
    with _lock:
        oks = [r[0] for r in _records if r[1] == phase and r[2] != "/healthz" and r[4] == "200"]
    later = [t for t in oks if t >= moment]
    return min(later) - moment if later else None


def main() -> None:
    global _phase
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--outage", type=float, default=5.0, help="seconds each service is down")
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--pause", type=float, default=0.02)
    ap.add_argument("--releases", type=int, default=500)
    ap.add_argument(
        "--only",
        default="postgres,redis,worker,redis-cut",
        help=f"comma-separated faults to run, of {','.join(PHASES)} (redis-hung: the Redis "
        "process stopped with SIGSTOP, so connections hang instead of being refused; only "
        "with FAULTS_REDIS_PORT, on a redis-server of this script's own; redis-cut: two "
        "servers and Varnish, one server's link to Redis cut while a release is withdrawn "
        "through it, bench/redis_cut.py)",
    )
    args = ap.parse_args()
    only = set(args.only.split(","))
    if only - set(PHASES):
        ap.error(f"unknown faults: {', '.join(sorted(only - set(PHASES)))}")
    if "redis-hung" in only and REDIS_PORT == 6379:
        ap.error("redis-hung stops the Redis process: only with FAULTS_REDIS_PORT (its own)")
    if args.outage > 10:
        ap.error("keep outages under 10 s: other people use these services")
    (REPO / "var").mkdir(exist_ok=True)
    if REDIS_PORT != 6379 and not redis_ready():
        sh(REDIS_START)

    name = urllib.parse.urlsplit(DATABASE_URL).path.lstrip("/")
    admin = urllib.parse.urlunsplit(urllib.parse.urlsplit(DATABASE_URL)._replace(path="/postgres"))
    sh(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])
    sh(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'])
    sh([str(PYTHON), "manage.py", "migrate", "--noinput", "-v0"])
    sh([str(PYTHON), "manage.py", "collectstatic", "--noinput", "-v0"])
    sh([str(PYTHON), "bench/generate.py", str(args.releases)])
    detail = sh(
        [str(PYTHON), "manage.py", "shell", "-c",
         "from releases.models import Release; "
         "print(Release.objects.public().order_by('-published_at').first().get_absolute_url())"],
    ).stdout.strip().splitlines()[-1]  # fmt: skip
    proc = start_gunicorn()
    master = proc.pid
    say(f"gunicorn master {master}, workers {workers_of(master)}, on 127.0.0.1:{PORT}")
    threads = [
        threading.Thread(target=client, args=([detail, "/news/"], args.pause), daemon=True)
        for _ in range(args.clients)
    ] + [threading.Thread(target=health_poller, daemon=True)]
    verdicts = []
    try:
        for t in threads:
            t.start()
        _phase = "baseline"
        time.sleep(5)
        summarize("baseline")

        if "postgres" in only:
            verdicts.append(postgres_fault(args.outage))
        if "redis" in only:
            verdicts.append(redis_fault(args.outage))
        if "redis-hung" in only:
            verdicts.append(redis_hung_fault(args.outage))
        if "worker" in only:
            verdicts.append(worker_fault(master))
        if "redis-cut" in only:
            _phase = "redis-cut"
            verdicts.append(redis_cut.run(ENV, PORT, REDIS_PORT, args.outage))
        verdicts.append(("same gunicorn master throughout", proc.poll() is None, f"pid {master}"))
    finally:
        _stop.set()
        restore_services()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
        if REDIS_PORT != 6379:
            # The script's own redis-server goes with it, like every server it starts.
            cli = ["redis-cli", "-h", "127.0.0.1", "-p", str(REDIS_PORT), "shutdown", "nosave"]
            sh(cli, check=False)
    print()
    for what, ok, detail_text in verdicts:
        print(f"{'OK  ' if ok else 'FAIL'} {what}: {detail_text}")
    sys.exit(0 if verdicts and all(ok for _, ok, _ in verdicts) else 1)


def postgres_fault(outage: float) -> tuple[str, bool, str]:
    """PostgreSQL stopped and started under load."""
    global _phase, _pg_down
    _phase = "postgres-down"
    say(f"stopping PostgreSQL for {outage:g} s")
    _pg_down = True
    sh(PG_STOP)
    time.sleep(outage)
    _phase = "postgres-back"
    sh(PG_START)
    _pg_down = False
    back = time.time()
    say("PostgreSQL started again")
    time.sleep(6)
    down = summarize("postgres-down")
    after = summarize("postgres-back")
    recovery = first_ok_after("postgres-back", back)
    late_errors = [r for r in after["rows"] if r[4] != "200" and r[0] > back + 2]
    bad_pages = [o for o in down["outcomes"] if o not in {"200", "503 page"}]
    ok = not bad_pages and recovery is not None and not late_errors
    return (
        "PostgreSQL stop/start",
        ok,
        f"while down: {dict(down['outcomes'])}; first 200 {recovery:.2f} s after start; "
        f"errors later than 2 s after start: {len(late_errors)}"
        if recovery is not None
        else "never recovered",
    )


def redis_fault(outage: float) -> tuple[str, bool, str]:
    """Redis shut down (connections refused) and started again."""
    global _phase, _redis_down
    _phase = "redis-up"
    time.sleep(4)
    up = summarize("redis-up")
    _phase = "redis-down"
    say(f"stopping Redis for {outage:g} s")
    _redis_down = True
    sh(["redis-cli", "-h", "127.0.0.1", "-p", str(REDIS_PORT), "shutdown", "nosave"], check=False)
    time.sleep(outage)
    rd = summarize("redis-down")
    _phase = "redis-back"
    sh(REDIS_START)
    _redis_down = False
    say("Redis started again")
    time.sleep(3)
    summarize("redis-back")
    errors = {o: n for o, n in rd["outcomes"].items() if o != "200"}
    return (
        "Redis down",
        not errors and bool(rd["rows"]),
        f"while down: {dict(rd['outcomes'])}; 200s p50 {rd['p50']:.1f} ms p99 "
        f"{rd['p99']:.1f} ms (with Redis p50 {up['p50']:.1f} ms)",
    )


def redis_hung_fault(outage: float) -> tuple[str, bool, str]:
    """The Redis process frozen (SIGSTOP): connections hang until the client's timeouts, as
    when the link to it is cut."""
    global _phase
    pid = int(
        sh(["redis-cli", "-p", str(REDIS_PORT), "info", "server"]).stdout.split("process_id:")[1]
        .split()[0]
    )  # fmt: skip
    _phase = "redis-up2"
    time.sleep(4)
    up = summarize("redis-up2")
    _phase = "redis-hung"
    say(f"freezing Redis (pid {pid}) for {outage:g} s")
    os.kill(pid, signal.SIGSTOP)
    try:
        time.sleep(outage)
    finally:
        os.kill(pid, signal.SIGCONT)
    rd = summarize("redis-hung")
    _phase = "redis-thawed"
    time.sleep(3)
    summarize("redis-thawed")
    errors = {o: n for o, n in rd["outcomes"].items() if o != "200"}
    return (
        "Redis hung",
        not errors and bool(rd["rows"]),
        f"while hung: {dict(rd['outcomes'])}; 200s p50 {rd['p50']:.1f} ms p99 "
        f"{rd['p99']:.1f} ms (with Redis p50 {up['p50']:.1f} ms)",
    )


def worker_fault(master: int) -> tuple[str, bool, str]:
    """A gunicorn worker SIGKILLed mid-request: the master replaces it."""
    global _phase
    _phase = "worker-killed"
    before = workers_of(master)
    victim = before[0]
    say(f"SIGKILL worker {victim} under load")
    os.kill(victim, signal.SIGKILL)
    killed = time.time()
    replaced_after = None
    while time.time() - killed < 10:
        now = workers_of(master)
        if victim not in now and len(now) == len(before):
            replaced_after = time.time() - killed
            break
        time.sleep(0.1)
    time.sleep(3)
    wk = summarize("worker-killed")
    errors = {o: n for o, n in wk["outcomes"].items() if o != "200"}
    return (
        "worker killed",
        replaced_after is not None,
        f"replaced by {sorted(set(workers_of(master)) - set(before))} after "
        f"{replaced_after:.2f} s; failed requests: {errors or 'none'}"
        if replaced_after is not None
        else "not replaced within 10 s",
    )


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    main()
