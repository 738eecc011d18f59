#!/usr/bin/env python3
"""`make bench-front` (or `make bench FRONT=1`): the front cache measured (issue 15).

One run, on a generated site (BENCH_FRONT_DATABASE_URL, recreated; --releases, default 1,000),
with what `make front-cache` runs: gunicorn (gunicorn.conf.py) on BENCH_PORT, Varnish
(deploy/varnish/irsite.vcl) on FRONT_PORT, the worker purging it; and nginx on FRONT_PORT+1:

1. **throughput**: the release page, /news/ and RSS through Varnish, and the same bytes
   (fetched through Varnish) served by nginx as static files, at wrk -t2 -c32, as ratios;
2. **go-live, correction, withdrawal through Varnish**: a release scheduled a few seconds
   ahead; pollers ask every surface every 50 ms and judge by when answers *arrive*: never
   shown before its second, shown everywhere how soon after it; after a correction and a
   withdrawal, how long after the action returned an answer still showed the old content;
   With --subscribers N, N confirmed e-mail subscribers are waiting and the worker mails them
   into a local SMTP server (aiosmtpd, in this process) from the go-live on: the correction,
   a second release's "Publish now" and the withdrawal are made while that fan-out is being
   planned and sent, and must reach the front cache as fast as without it (issue 30);
3. **storm**: 64 clients (asyncio, keep-alive where the server keeps it) on /news/, RSS and
   the home page's release list across a go-live second, once straight to gunicorn and once
   through Varnish: statuses, renders per page per change (the cache's "rendering" log lines,
   CACHE_LOG_LEVEL=DEBUG), p50/p99 in the 5 s before the go-live and the 3 s after it.

Results: bench/results/front-bench-<stamp>.md and .json. Every process started here is
stopped by its PID. Client and servers share this machine's cores.
"""

import argparse
import asyncio
import contextlib
import datetime
import http.client
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from pathlib import Path

import mailsink  # bench/mailsink.py

from bench import parse_wrk, run  # bench/bench.py: the same wrk runs and parsing

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PYTHON = REPO / ".venv" / "bin" / "python"
RESULTS = HERE / "results"
DATABASE_URL = os.environ.get(
    "BENCH_FRONT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wt_prod_front"
)
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/2")
APP_PORT = int(os.environ.get("BENCH_PORT", "8220"))
FRONT_PORT = int(os.environ.get("FRONT_PORT", "8080"))
NGINX_PORT = FRONT_PORT + 1
VAR = REPO / "var" / "bench-front"
STORM_CLIENTS = 64

_processes: list[subprocess.Popen] = []


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def site_env() -> dict[str, str]:
    return (
        dict(os.environ)
        | {
            "DEBUG": "False",
            "HTTPS": "False",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": DATABASE_URL,
            "CACHE_URL": CACHE_URL,
            "IRSITE_PAGE_CACHE": "1",
            "IRSITE_EDGE_PURGE_URLS": f"http://127.0.0.1:{FRONT_PORT}",
            "SITE_URL": f"http://127.0.0.1:{FRONT_PORT}",
            "HOST": "127.0.0.1",
            "PORT": str(APP_PORT),
            "LOG_LEVEL": "WARNING",
            "CACHE_LOG_LEVEL": "DEBUG",
            "GUNICORN_LOG_LEVEL": "warning",
        }
        | ({"EMAIL_URL": f"smtp://127.0.0.1:{MAIL_PORT}"} if MAIL_PORT else {})
    )


# Set by --subscribers: the port of the SMTP sink the worker mails into.
MAIL_PORT = 0


SECRET_KEY = secrets.token_urlsafe(64)


def manage(*args: str) -> str:
    return run([str(PYTHON), "manage.py", *args], site_env())


def get(port: int, path: str) -> tuple[int, bytes, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read(), {k.lower(): v for k, v in response.getheaders()}
    except (OSError, http.client.HTTPException):
        return 0, b"", {}
    finally:
        conn.close()


def spawn(cmd: list[str], env: dict | None, name: str) -> subprocess.Popen:
    logfile = open(VAR / f"{name}.log", "w")  # noqa: SIM115 - lives with the process
    proc = subprocess.Popen(
        cmd, cwd=REPO, env=env, stdout=logfile, stderr=subprocess.STDOUT, start_new_session=True
    )
    _processes.append(proc)
    return proc


def stop_all() -> None:
    for proc in reversed(_processes):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in _processes:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    _processes.clear()


def wait_healthy(port: int, path: str = "/healthz") -> None:
    deadline = time.monotonic() + 90
    while get(port, path)[0] != 200:
        if time.monotonic() > deadline:
            raise SystemExit(f"nothing answers 200 on {port}{path}; logs in {VAR}")
        time.sleep(0.3)


# --------------------------------------------------------------------------- the site


def prepare(releases: int) -> None:
    parts = urllib.parse.urlsplit(DATABASE_URL)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    name = parts.path.lstrip("/")
    run(["psql", admin, "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'])
    run(["psql", admin, "-qc", f'CREATE DATABASE "{name}"'])
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    run([str(PYTHON), "bench/generate.py", str(releases)], site_env())
    import redis

    redis.Redis.from_url(CACHE_URL).flushdb()


SUBSCRIBE = """
from django.db import connection
from django.utils import timezone
from irsite.alerts.models import Subscriber
now = timezone.now()
Subscriber.objects.bulk_create(
    [Subscriber(email=f"reader{n:07d}@example.com", status=Subscriber.Status.ACTIVE,
                confirmed_at=now) for n in range(COUNT)], batch_size=5000)
with connection.cursor() as cursor:
    cursor.execute("ANALYZE")
print(Subscriber.objects.filter(status=Subscriber.Status.ACTIVE).count())
"""


def start_mail(subscribers: int) -> mailsink.Sink:
    """The SMTP sink and N confirmed subscribers, before the stack starts."""
    global MAIL_PORT
    sink, MAIL_PORT, _ = mailsink.start()  # its thread lives as long as this process
    log(f"{shell(SUBSCRIBE, COUNT=subscribers)[0]} confirmed subscribers; SMTP on {MAIL_PORT}")
    return sink


def start_stack() -> None:
    VAR.mkdir(parents=True, exist_ok=True)
    VAR.chmod(0o755)
    env = site_env()
    spawn([str(REPO / ".venv" / "bin" / "gunicorn"), "irsite.wsgi:application"], env, "gunicorn")
    vcl = VAR / "irsite.vcl"
    text = (REPO / "deploy" / "varnish" / "irsite.vcl").read_text()
    vcl.write_text(text.replace('.port = "8000";', f'.port = "{APP_PORT}";'))
    vcl.chmod(0o644)
    shutil.rmtree(VAR / "n", ignore_errors=True)
    spawn(
        ["varnishd", "-F", "-n", str(VAR / "n"), "-a", f"127.0.0.1:{FRONT_PORT}", "-f", str(vcl),
         "-s", "malloc,256m", "-T", "none"],
        None, "varnish",
    )  # fmt: skip
    spawn([str(PYTHON), "manage.py", "run_worker"], env, "worker")
    wait_healthy(APP_PORT)
    wait_healthy(FRONT_PORT, "/robots.txt")


# A release drafted for AT, submitted and approved: what SCHEDULE and PUBLISH_NOW publish.
APPROVED = """
import time
from datetime import UTC, datetime
from releases import actions
from releases.models import Category, Release
actor = actions.SystemActor("bench-front")
release = Release(headline=HEADLINE, slug=SLUG, dateline_city="CAMBRIDGE, MA",
                  published_at=datetime.fromtimestamp(AT, UTC),
                  body="<p>Revenue rose 42 percent.</p>")
actions.save_release(release, actor, write_related=lambda: release.categories.set(
    Category.objects.all()[:1]))
actions.submit(release, actor)
actions.approve(release, actor)
"""

SCHEDULE = (
    APPROVED
    + """
actions.publish(release, actor, datetime.fromtimestamp(AT, UTC))
print(time.time(), release.pk, release.get_absolute_url())
"""
)

# Drafted for later, then the approver's "Publish now", which sets the moment.
PUBLISH_NOW = (
    APPROVED
    + """
actions.publish(release, actor, now=True)
print(time.time(), release.get_absolute_url())
"""
)

CORRECT = """
import time
from releases import actions
from releases.models import Release
release = Release.objects.get(pk=PK)
release.headline = HEADLINE
actions.approve_correction(actions.save_release(
    release, actions.SystemActor("bench-front"), correction_note="The headline was wrong."),
    actions.SystemActor("bench-front-approver"))
print(time.time())
"""

WITHDRAW = """
import time
from releases import actions
from releases.models import Release
actions.withdraw(Release.objects.get(pk=PK), actions.SystemActor("bench-front"), "In error.")
print(time.time())
"""


def shell(script: str, **values: object) -> list[str]:
    for name, value in values.items():
        script = script.replace(name, repr(value))
    return manage("shell", "-c", script).strip().splitlines()[-1].split()


def schedule(headline: str, slug: str, at: float) -> tuple[int, str]:
    _, pk, path = shell(SCHEDULE, HEADLINE=headline, SLUG=slug, AT=at)
    return int(pk), path


# --------------------------------------------------------------------------- 1. throughput


NGINX_CONF = """
worker_processes 2;
pid {var}/nginx.pid;
error_log {var}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    types {{ }}
    client_body_temp_path {var}/nginx-tmp;
    proxy_temp_path {var}/nginx-tmp;
    fastcgi_temp_path {var}/nginx-tmp;
    uwsgi_temp_path {var}/nginx-tmp;
    scgi_temp_path {var}/nginx-tmp;
    server {{
        listen 127.0.0.1:{port};
{locations}
    }}
}}
"""


def start_nginx(pages: dict[str, tuple[str, bytes, str]]) -> None:
    """nginx serving each page's bytes as a static file at the page's own path."""
    static = VAR / "static"
    static.mkdir(parents=True, exist_ok=True)
    (VAR / "nginx-tmp").mkdir(exist_ok=True)
    locations = []
    for name, (path, body, content_type) in pages.items():
        (static / name).write_bytes(body)
        locations.append(
            f'        location = {path} {{ default_type "{content_type}"; root {static}; '
            f"try_files /{name} =404; }}"
        )
    for item in [VAR, static, *static.iterdir()]:
        item.chmod(0o755 if item.is_dir() else 0o644)
    conf = VAR / "nginx.conf"
    conf.write_text(NGINX_CONF.format(var=VAR, port=NGINX_PORT, locations="\n".join(locations)))
    spawn(["nginx", "-p", str(VAR), "-c", str(conf), "-g", "daemon off;"], None, "nginx")
    for path, body, _ in pages.values():
        wait_healthy(NGINX_PORT, path)
        if get(NGINX_PORT, path)[1] != body:
            raise SystemExit(f"nginx does not serve the same bytes for {path}")


def wrk32(port: int, path: str, duration: int) -> dict:
    cmd = ["wrk", "-t2", "-c32", f"-d{duration}s", "--latency", f"http://127.0.0.1:{port}{path}"]
    return parse_wrk(run(cmd, timeout=duration + 60)) | {"cmd": " ".join(cmd)}


def throughput(pages: dict[str, str], args) -> list[dict]:
    static = {}
    for name, path in pages.items():
        for _ in range(3):  # the third answer is Varnish's copy
            status, body, headers = get(FRONT_PORT, path)
        if status != 200 or headers.get("x-cache") != "HIT":
            raise SystemExit(f"{path} is not served from Varnish ({status})")
        static[name] = (path, body, headers["content-type"])
    start_nginx(static)
    rows = []
    for name, path in pages.items():
        row = {"page": name, "path": path, "bytes": len(static[name][1])}
        for target, port in (("varnish", FRONT_PORT), ("nginx", NGINX_PORT)):
            run(["wrk", "-t2", "-c32", "-d2s", f"http://127.0.0.1:{port}{path}"], timeout=60)
            time.sleep(args.drain)
            row[target] = wrk32(port, path, args.duration)
        row["ratio"] = round(row["varnish"]["rps"] / row["nginx"]["rps"], 2)
        log(
            f"  {name:8} Varnish {row['varnish']['rps']:>9.0f} req/s, nginx static "
            f"{row['nginx']['rps']:>9.0f} req/s: {row['ratio']:.2f}x; non-2xx "
            f"{row['varnish']['non_2xx_3xx']}/{row['nginx']['non_2xx_3xx']}"
        )
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- 2. go-live


class Pollers:
    """A thread per surface asking Varnish every ``every`` seconds; rows of (path, sent,
    received, status, body)."""

    def __init__(self, paths: list[str], every: float = 0.05) -> None:
        self.rows: list[tuple[str, float, float, int, bytes]] = []
        self.stopping = threading.Event()
        self.threads = [
            threading.Thread(target=self.poll, args=(p, every), daemon=True) for p in paths
        ]

    def poll(self, path: str, every: float) -> None:
        while not self.stopping.is_set():
            sent = time.time()
            status, body, _ = get(FRONT_PORT, path)
            self.rows.append((path, sent, time.time(), status, body))
            time.sleep(every)

    def __enter__(self) -> "Pollers":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=15)


def first_sustained(rows: list, path: str, shows) -> float | None:
    """When an answer for ``path`` first showed it, every later one showing it too (arrival)."""
    since = None
    for row in sorted((r for r in rows if r[0] == path), key=lambda r: r[1]):
        since = (since or row[2]) if shows(row[3], row[4]) else None
    return since


def go_live(args) -> dict:
    stamp = secrets.token_hex(3)
    headline, corrected = f"Results at the bell {stamp}", f"Figures restated {stamp}"
    at = float(int(time.time()) + args.lead)
    pk, page = schedule(headline, f"results-{stamp}", at)
    surfaces = [page, "/", "/news/", "/news/feed/rss/", "/news/feed/atom/"]
    log(f"scheduled {page} for {datetime.datetime.fromtimestamp(at):%H:%M:%S}")
    result: dict = {"surfaces": surfaces}

    def present(text: str):
        return lambda status, body: status == 200 and text.encode() in body

    with Pollers(surfaces) as pollers:
        while time.time() < at + 3:
            time.sleep(0.1)
    early = [
        (r[0], round(at - r[2], 3)) for r in pollers.rows if r[2] < at and headline.encode() in r[4]
    ]
    shown = {p: first_sustained(pollers.rows, p, present(headline)) for p in surfaces}
    result["go_live"] = {
        "early": early,
        "after_s": {p: round(t - at, 3) if t else None for p, t in shown.items()},
        "answers": len(pollers.rows),
        "errors": sorted({r[3] for r in pollers.rows} - {200, 404}),
    }
    log(f"  go-live: early {early or 'none'}; after {result['go_live']['after_s']}")

    sink: mailsink.Sink | None = getattr(args, "sink", None)
    if sink:
        result["mail_at_go_live_plus_3s"] = len(sink.received)
    for event, script, values, old_shows in (
        ("correction", CORRECT, {"PK": pk, "HEADLINE": corrected}, present(headline)),
        ("withdrawal", WITHDRAW, {"PK": pk}, present(corrected)),
    ):
        with Pollers(surfaces) as pollers:
            time.sleep(1.5)
            done = float(shell(script, **values)[0])
            time.sleep(3)
        old = {
            p: max((r[2] for r in pollers.rows if r[0] == p and r[2] >= done and old_shows(*r[3:])),
                   default=None)
            for p in surfaces
        }  # fmt: skip
        result[event] = {
            "old_gone_after_s": {p: round(t - done, 3) if t else 0.0 for p, t in old.items()},
            "answers": len(pollers.rows),
            "statuses": sorted({r[3] for r in pollers.rows}),
        }
        if event == "withdrawal":
            gone = first_sustained(pollers.rows, page, lambda s, b: s == 410)
            result[event]["page_410_after_s"] = round(gone - done, 3) if gone else None
        if sink:
            result[event]["mails_sent_by_then"] = len(sink.received)
        log(f"  {event}: old content last seen {result[event]['old_gone_after_s']}")
        if event == "correction" and sink:
            result["publish_now"] = publish_now(stamp, sink)
    if sink:
        # The sink's times are monotonic; the go-live second is a wall-clock one.
        first = sink.first and sink.first - time.monotonic() + time.time()
        result["mail"] = {
            "received": len(sink.received),
            "first_after_go_live_s": round(first - at, 3) if first else None,
        }
    return result


def publish_now(stamp: str, sink: mailsink.Sink) -> dict:
    """A second release's "Publish now" while the first one's fan-out runs: from the action's
    return to each list and feed showing it through Varnish."""
    headline = f"Second announcement {stamp}"
    lists = ["/", "/news/", "/news/feed/rss/", "/news/feed/atom/"]
    with Pollers(lists) as pollers:
        time.sleep(1.5)
        done = float(
            shell(PUBLISH_NOW, HEADLINE=headline, SLUG=f"second-{stamp}", AT=time.time() + 3600)[0]
        )
        time.sleep(3)
    shown = {
        p: first_sustained(pollers.rows, p, lambda st, b: st == 200 and headline.encode() in b)
        for p in lists
    }
    result = {
        "after_s": {p: round(t - done, 3) if t else None for p, t in shown.items()},
        "mails_sent_by_then": len(sink.received),
    }
    log(f"  publish now during the fan-out: {result['after_s']}")
    return result


# --------------------------------------------------------------------------- 3. storm


async def _client(port: int, paths: list[str], offset: int, until: float, rows: list) -> None:
    reader = writer = None
    i = offset
    host = f"127.0.0.1:{port}"
    while time.time() < until:
        path = paths[i % len(paths)]
        i += 1
        sent = time.time()
        status, body = 0, b""
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            status = int(head.split(" ", 2)[1])
            fields = {
                k.strip().lower(): v.strip()
                for k, _, v in (line.partition(":") for line in head.split("\r\n")[1:] if line)
            }
            if "content-length" in fields:
                body = await reader.readexactly(int(fields["content-length"]))
            elif fields.get("transfer-encoding") == "chunked":
                while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                    body += await reader.readexactly(size)
                    await reader.readuntil(b"\r\n")
                await reader.readuntil(b"\r\n")
            else:
                body = await reader.read()
            close = fields.get("connection", "").lower() == "close"
        except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            close = True
        rows.append((path, sent, time.time(), status, body))
        if close and writer is not None:
            writer.close()
            reader = writer = None


def renders(since: float, until: float) -> Counter:
    """The page cache's "rendering <path>" lines (irsite.http.pagecache, DEBUG) in a time span."""
    found: Counter = Counter()
    for line in (VAR / "gunicorn.log").read_text().splitlines():
        with contextlib.suppress(ValueError):
            entry = json.loads(line)
            message = entry.get("message", "")
            if entry.get("logger") == "irsite.http.pagecache" and message.startswith("rendering "):
                at = datetime.datetime.fromisoformat(entry["time"]).timestamp()
                if since <= at < until:
                    found[message.split(" ", 1)[1]] += 1
    return found


def percentile(values: list[float], q: float) -> float | None:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * q))] * 1000, 1) if values else None


def storm(through: str, port: int, args) -> dict:
    stamp = secrets.token_hex(3)
    headline = f"Storm at the bell {stamp}"
    at = float(int(time.time()) + args.lead + 6)
    schedule(headline, f"storm-{stamp}", at)
    paths = ["/news/", "/news/feed/rss/", "/"]
    for path in paths:  # cached before the storm starts
        get(port, path)
    while time.time() < at - 6:
        time.sleep(0.05)
    rows: list = []
    until = at + 5

    async def clients() -> None:
        await asyncio.gather(*(_client(port, paths, i, until, rows) for i in range(STORM_CLIENTS)))

    log(f"storm through {through}: {STORM_CLIENTS} clients from go-live -6 s to +5 s")
    asyncio.run(clients())
    time.sleep(1)  # the last log lines reach the file
    before = [r for r in rows if at - 5 <= r[1] < at]
    after = [r for r in rows if at <= r[1] < at + 3]
    made = renders(at, until)
    made_before = renders(at - 6, at)
    late = {
        p: first_sustained(rows, p, lambda s, b: headline.encode() in b) for p in paths
    }  # fmt: skip
    result = {
        "through": through,
        "requests": len(rows),
        "statuses": dict(Counter(r[3] for r in rows)),
        "early": sum(1 for r in rows if r[2] < at and headline.encode() in r[4]),
        "shown_after_s": {p: round(t - at, 3) if t else None for p, t in late.items()},
        "renders_after": {p: made.get(p, 0) for p in paths},
        "renders_before": {p: made_before.get(p, 0) for p in paths},
        "before": _window(before, 5),
        "after": _window(after, 3),
        # Second by second from go-live -6 s (by when each request was sent).
        "per_second": {
            f"{second:+d}": _window([r for r in rows if at + second <= r[1] < at + second + 1], 1)
            for second in range(-6, 5)
        },
    }
    log(
        f"  {through}: {result['statuses']}; renders after go-live {result['renders_after']}"
        f"; before p99 {result['before']['p99_ms']} ms, after p99 {result['after']['p99_ms']} ms"
    )
    return result


def _window(rows: list, seconds: float) -> dict:
    latency = [r[2] - r[1] for r in rows]
    return {
        "requests": len(rows),
        "rps": round(len(rows) / seconds),
        "p50_ms": percentile(latency, 0.5),
        "p99_ms": percentile(latency, 0.99),
        "max_ms": round(max(latency) * 1000, 1) if latency else None,
        "non_2xx": sum(1 for r in rows if not 200 <= r[3] < 300),
    }


# --------------------------------------------------------------------------- report


def markdown(results: dict) -> str:
    meta = results["meta"]
    lines = [
        "# Front cache benchmark (bench/front.py)",
        "",
        f"Started {meta['started']}, `{' '.join(meta['argv'])}`, {meta['releases']:,} releases, "
        f"load average at start {meta['loadavg']}. gunicorn (gunicorn.conf.py, "
        f"WEB_CONCURRENCY={os.environ.get('WEB_CONCURRENCY', '2×cores')}) on {APP_PORT}, "
        f"Varnish on {FRONT_PORT}, nginx on {NGINX_PORT}; wrk -t2 -c32 -d{meta['duration']}s.",
    ]
    if results.get("throughput"):
        lines += ["", "## Through Varnish vs nginx serving the same bytes as a static file", ""]
        lines += ["| page | bytes | Varnish req/s | nginx req/s | ratio | non-2xx |",
                  "|---|--:|--:|--:|--:|--:|"]  # fmt: skip
        for r in results["throughput"]:
            bad = r["varnish"]["non_2xx_3xx"] + r["nginx"]["non_2xx_3xx"]
            lines.append(
                f"| {r['page']} | {r['bytes']:,} | {r['varnish']['rps']:,.0f} | "
                f"{r['nginx']['rps']:,.0f} | {r['ratio']:.2f}× | {bad} |"
            )
    if results.get("go_live"):
        g = results["go_live"]
        lines += ["", "## Go-live, correction, withdrawal through Varnish (50 ms polls, arrival)",
                  "", "| surface | shown after go-live | old headline gone after correction | "
                  "gone after withdrawal |", "|---|--:|--:|--:|"]  # fmt: skip
        for p in g["surfaces"]:
            lines.append(
                f"| {p} | {g['go_live']['after_s'][p]} s | "
                f"{g['correction']['old_gone_after_s'][p]} s | "
                f"{g['withdrawal']['old_gone_after_s'][p]} s |"
            )
        lines += [
            "",
            f"Shown before its second: {g['go_live']['early'] or 'never'} "
            f"({g['go_live']['answers']} answers). Withdrawn page answered 410 "
            f"{g['withdrawal'].get('page_410_after_s')} s after the action returned.",
        ]
        if g.get("mail"):
            lines += [
                "",
                f"During an alert fan-out to {meta.get('subscribers', 0):,} confirmed subscribers "
                f"(first mail {g['mail']['first_after_go_live_s']} s after the go-live; mails "
                f"received by the correction {g['correction']['mails_sent_by_then']:,}, by the "
                f"withdrawal {g['withdrawal']['mails_sent_by_then']:,}; the withdrawal cancels "
                f'the rest). A second release\'s "Publish now" in the middle of it, shown after '
                f"the action returned: "
                + ", ".join(f"{p} {t} s" for p, t in g["publish_now"]["after_s"].items())
                + ".",
            ]
    if results.get("storm"):
        lines += ["", f"## Storm: {STORM_CLIENTS} clients on /news/, RSS and the home page "
                  "across a go-live", "", "| through | requests | statuses | shown after | "
                  "renders after go-live (before) | before: req/s p50 p99 | 3 s after: req/s "
                  "p50 p99 | non-2xx |", "|---|--:|---|---|---|---|---|--:|"]  # fmt: skip
        for s in results["storm"]:
            r = ", ".join(
                f"{p} {s['renders_after'][p]} ({s['renders_before'][p]})"
                for p in s["renders_after"]
            )
            b, a = s["before"], s["after"]
            lines.append(
                f"| {s['through']} | {s['requests']:,} | {s['statuses']} | "
                f"{max(v or 0 for v in s['shown_after_s'].values())} s | {r} | "
                f"{b['rps']} / {b['p50_ms']} / {b['p99_ms']} ms | "
                f"{a['rps']} / {a['p50_ms']} / {a['p99_ms']} ms | {b['non_2xx'] + a['non_2xx']} |"
            )
        lines += ["", "Second by second (requests sent; req/s and p99 ms), go-live at 0:", ""]
        seconds = list(results["storm"][0]["per_second"])
        lines += ["| through | " + " | ".join(seconds) + " |", "|---|" + "--:|" * len(seconds)]
        for s in results["storm"]:
            cells = [f"{w['rps']} / {w['p99_ms']}" for w in s["per_second"].values()]
            lines.append(f"| {s['through']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--releases", type=int, default=1000)
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run (10)")
    ap.add_argument("--drain", type=float, default=2.0, help="idle seconds before each run")
    ap.add_argument("--lead", type=float, default=8.0, help="seconds from scheduling to go-live")
    ap.add_argument("--runs", default="throughput,go-live,storm")
    ap.add_argument("--out", default=None, help="results path without extension")
    ap.add_argument(
        "--subscribers",
        type=int,
        default=0,
        help="confirmed e-mail subscribers mailed from the go-live on (0)",
    )
    args = ap.parse_args()
    runs = set(args.runs.split(","))
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = Path(args.out) if args.out else RESULTS / f"front-bench-{stamp}"
    results: dict = {
        "meta": {
            "started": datetime.datetime.now().isoformat(timespec="seconds"),
            "argv": sys.argv,
            "releases": args.releases,
            "duration": args.duration,
            "loadavg": tuple(round(x, 1) for x in os.getloadavg()),
            "subscribers": args.subscribers,
        }
    }
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    try:
        log(f"preparing {args.releases:,} releases in {DATABASE_URL}")
        prepare(args.releases)
        if args.subscribers:
            args.sink = start_mail(args.subscribers)
        start_stack()
        newest = get(APP_PORT, "/news/feed/rss/")[1].split(b"<link>")[2].split(b"</link>")[0]
        release = urllib.parse.urlsplit(newest.decode()).path
        pages = {"release": release, "news": "/news/", "rss": "/news/feed/rss/"}
        if "throughput" in runs:
            results["throughput"] = throughput(pages, args)
        if "go-live" in runs:
            results["go_live"] = go_live(args)
        if "storm" in runs:
            results["storm"] = [
                storm("gunicorn", APP_PORT, args),
                storm("Varnish", FRONT_PORT, args),
            ]
    finally:
        stop_all()
    results["meta"]["finished"] = datetime.datetime.now().isoformat(timespec="seconds")
    out.with_suffix(".json").write_text(json.dumps(results, indent=2, default=str))
    out.with_suffix(".md").write_text(markdown(results))
    print(markdown(results))
    print(f"results: {out}.md and .json")


if __name__ == "__main__":
    main()
