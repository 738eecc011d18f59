#!/usr/bin/env python3
"""Two app servers, one site: two gunicorn instances on one PostgreSQL database and one Redis.

Run by `.ci/run` (and `make two-servers`). Over HTTP only, like a load balancer's clients:

1. recreates the database, migrates, loads the demo company; an approved release waits;
2. starts gunicorn A and B (production settings, page cache on, Redis cache);
3. through A's admin, schedules the release a few seconds ahead;
4. polls both until go-live: absent from both before it, present on both from it;
5. through B's admin, prepares a correction that another user approves through A; both show it;
6. checks both servers' logs are JSON lines and static files are hashed and compressed.

Prints what it saw; exits non-zero with one line saying what failed. Stops what it started.
Environment: TWO_SERVERS_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/wt_prod_two),
TWO_SERVERS_CACHE_URL (default redis://127.0.0.1:6379/3), TWO_SERVERS_PORTS (e.g. 8210,8211;
by default two ports the OS picks, so runs side by side never meet).
"""

import html.parser
import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
PYTHON = REPO / ".venv" / "bin" / "python"
GUNICORN = REPO / ".venv" / "bin" / "gunicorn"
DATABASE_URL = os.environ.get(
    "TWO_SERVERS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/wt_prod_two"
)
CACHE_URL = os.environ.get("TWO_SERVERS_CACHE_URL", "redis://127.0.0.1:6379/3")


def free_ports(count: int) -> list[int]:
    """``count`` different ports free now on 127.0.0.1, picked by the OS (held open together)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


_configured_ports = os.environ.get("TWO_SERVERS_PORTS")
PORTS = [int(p) for p in _configured_ports.split(",")] if _configured_ports else free_ports(2)
LOG_DIR = REPO / "var" / "two_servers"
ZONE = ZoneInfo("America/New_York")
LEAD = 8  # seconds between scheduling and go-live
# Correctness is order: never shown before the go-live second (or the approval). How late it
# came is printed; this bound only tells a change that reached both servers from one left to
# a cache's expiry, so it holds on a loaded machine, where a few seconds' bound can fail.
LATE_BOUND = 30.0
HEADLINE = "Two servers agree on the go-live second"
SLUG = "two-servers-agree"
CORRECTED = "Corrected figure: 43 percent"

_servers: list[subprocess.Popen] = []


class Failed(Exception):
    pass


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def env() -> dict[str, str]:
    values = dict(os.environ)
    values.update(
        DEBUG="False",
        HTTPS="False",
        SECRET_KEY=values.get("TWO_SERVERS_SECRET_KEY") or secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=DATABASE_URL,
        CACHE_URL=CACHE_URL,
        IRSITE_PAGE_CACHE="1",
        WEB_CONCURRENCY="2",
        LOG_LEVEL="WARNING",
    )
    return values


ENV = env()
ENV["TWO_SERVERS_SECRET_KEY"] = ENV["SECRET_KEY"]  # one key for both servers' sessions


def manage(*args: str) -> str:
    result = subprocess.run(
        [str(PYTHON), "manage.py", *args], cwd=REPO, env=ENV, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise Failed(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
    return result.stdout


def recreate_database() -> None:
    import psycopg

    parts = urllib.parse.urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    admin_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    import redis

    redis.Redis.from_url(CACHE_URL).flushdb()


PREPARE = """
from django.utils import timezone
from releases import actions
from releases.models import Category, Release
from irsite.contacts.models import Contact
from irsite.disclaimers.models import DisclaimerVersion
actor = actions.SystemActor("two_servers")
release = Release(headline=HEADLINE, slug=SLUG, dateline_city="CAMBRIDGE, MA",
                  published_at=timezone.now() + timezone.timedelta(days=1),
                  body="<p>Revenue rose 42 percent.</p><p>More to follow.</p>")
def related():
    for i, c in enumerate(Contact.objects.all()):
        release.releasecontact_set.create(contact=c, position=i)
    for i, v in enumerate(DisclaimerVersion.objects.all()):
        release.releasedisclaimer_set.create(version=v, position=i)
    release.categories.set(Category.objects.all())
actions.save_release(release, actor, write_related=related)
actions.submit(release, actor)
actions.approve(release, actor)
print(release.pk)
""".replace("HEADLINE", repr(HEADLINE)).replace("SLUG", repr(SLUG))


def start_server(port: int) -> subprocess.Popen:
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = open(LOG_DIR / f"gunicorn-{port}.log", "w")  # noqa: SIM115 - lives with the server
    proc = subprocess.Popen(
        [str(GUNICORN), "irsite.wsgi:application", "--bind", f"127.0.0.1:{port}"],
        cwd=REPO,
        env=ENV,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    _servers.append(proc)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise Failed(f"gunicorn on port {port} exited; see {log.name}")
        try:
            if get(f"http://127.0.0.1:{port}/healthz")[0] == 200:
                say(f"gunicorn pid {proc.pid} ready on port {port}")
                return proc
        except OSError:
            pass
        time.sleep(0.3)
    raise Failed(f"gunicorn on port {port} did not answer /healthz within 30 s")


def stop_servers(*_args) -> None:
    for proc in _servers:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in _servers:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    _servers.clear()


def get(url: str, headers: dict | None = None) -> tuple[int, str, dict]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode(errors="replace"), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace"), dict(error.headers)


class FormReader(html.parser.HTMLParser):
    """The fields of one HTML form as a browser would submit them (no submit buttons)."""

    def __init__(self, form_id: str | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.fields = form_id, False, []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (self.form_id is None or a.get("id") == self.form_id):
            self.inside = True
        if not self.inside:
            return
        kind = (a.get("type") or "text").lower()
        if tag == "input" and a.get("name") and kind not in {"submit", "button", "file"}:
            if kind not in {"checkbox", "radio"} or "checked" in a:
                self.fields.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.fields.append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None


class Browser:
    """A signed-in admin user of one server: cookies, CSRF, forms."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def open(self, path: str, data: list[tuple[str, str]] | None = None) -> tuple[int, str, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body)
        if body is not None:
            request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=15) as response:
                return response.status, response.read().decode(), response.url
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace"), error.url

    def form(self, path: str, form_id: str | None = None) -> list[tuple[str, str]]:
        status, page, _ = self.open(path)
        if status != 200:
            raise Failed(f"GET {self.base}{path} answered {status}")
        reader = FormReader(form_id)
        reader.feed(page)
        return reader.fields

    def submit(self, path: str, changes: dict[str, str], form_id: str | None = None) -> str:
        fields = [(k, v) for k, v in self.form(path, form_id) if k not in changes]
        status, page, url = self.open(path, fields + list(changes.items()))
        errors = re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S)
        errors += re.findall(r'<li class="error">(.*?)</li>', page, re.S)
        if status != 200 or errors or url.rstrip("/").endswith(path.rstrip("/")):
            detail = "; ".join(re.sub("<[^>]+>", " ", e).strip() for e in errors) or page[:300]
            raise Failed(f"POST {self.base}{path} was not accepted ({status}): {detail}")
        return page

    def sign_in(self, username: str, password: str) -> None:
        self.submit("/admin/login/?next=/admin/", {"username": username, "password": password})


def shows(base: str, path: str, text: str) -> tuple[int, bool]:
    status, body, _ = get(base + path)
    return status, text in body


def main() -> None:
    bases = [f"http://127.0.0.1:{port}" for port in PORTS]
    say(f"database {DATABASE_URL}, cache {CACHE_URL}, servers {', '.join(bases)}")
    recreate_database()
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    manage("load_demo", "--users")
    pk = int(manage("shell", "-c", PREPARE).strip().splitlines()[-1])
    say(f"approved release {pk} waits: {HEADLINE!r}")
    for base in bases:
        start_server(int(base.rsplit(":", 1)[1]))
    a, b = Browser(bases[0]), Browser(bases[1])
    a.sign_in("admin", os.environ.get("ADMIN_PASSWORD", "admin"))
    b.sign_in("admin", os.environ.get("ADMIN_PASSWORD", "admin"))

    # Warm both servers' caches with pages that must later change at go-live.
    surfaces = ["/", "/news/", "/news/feed/rss/", "/news/feed/atom/"]
    for base in bases:
        for path in surfaces:
            if get(base + path)[0] != 200:
                raise Failed(f"{base}{path} did not answer 200 before go-live")

    go_live = (datetime.now(ZONE) + timedelta(seconds=LEAD)).replace(microsecond=0)
    a.submit(
        f"/admin/releases/release/{pk}/transition/publish/",
        {"go_live_0": f"{go_live:%Y-%m-%d}", "go_live_1": f"{go_live:%H:%M:%S}"},
    )
    say(f"scheduled through A for {go_live:%H:%M:%S %Z}")
    release_path = f"/news/{go_live:%Y/%m/%d}/{SLUG}/"
    surfaces.append(release_path)

    checks_before = 0
    while datetime.now(ZONE) < go_live - timedelta(seconds=0.6):
        for base in bases:
            for path in surfaces:
                status, present = shows(base, path, HEADLINE)
                if present:
                    raise Failed(f"{base}{path} showed the release before go-live ({status})")
            checks_before += len(surfaces)
        time.sleep(0.3)
    say(f"before go-live: absent on both ({checks_before} requests)")

    while datetime.now(ZONE) < go_live:
        time.sleep(0.02)
    seen: dict[tuple[str, str], float] = {}
    deadline = go_live + timedelta(seconds=LATE_BOUND)
    while len(seen) < len(bases) * len(surfaces) and datetime.now(ZONE) < deadline:
        for base in bases:
            for path in surfaces:
                if (base, path) not in seen and shows(base, path, HEADLINE)[1]:
                    seen[(base, path)] = (datetime.now(ZONE) - go_live).total_seconds()
        time.sleep(0.05)
    for base in bases:
        for path in surfaces:
            if (base, path) not in seen:
                raise Failed(f"{base}{path} did not show the release {LATE_BOUND} s after go-live")
    latest = max(seen.values())
    say(f"at go-live: present on both, every page within {latest:.2f} s of the go-live second")

    # A correction prepared through B and approved by a second person through A; both
    # servers, whose caches hold the page, must show it.
    change = f"/admin/releases/release/{pk}/change/"
    prepared = b.submit(
        change,
        {
            "body": f"<p>{CORRECTED}.</p><p>More to follow.</p>",
            "correction_note": "Revenue growth was 43 percent, not 42 percent.",
        },
        form_id="release_form",
    )
    found = re.search(r"/corrections/(\d+)/preview/", prepared)
    if not found:
        raise Failed("the correction prepared through B was not shown for review")
    approver = Browser(bases[0])
    approver.sign_in("approver", os.environ.get("DEMO_PASSWORD", "irsite-demo"))
    approver.submit(
        f"/admin/releases/release/{pk}/corrections/{found.group(1)}/", {}, "approve-correction"
    )
    corrected_at = time.monotonic()
    say("correction prepared through B, approved by another user through A")
    pending = {(base, path) for base in bases for path in (release_path, "/news/feed/rss/")}
    while pending and time.monotonic() - corrected_at < LATE_BOUND:
        for base, path in sorted(pending):
            if shows(base, path, CORRECTED)[1]:
                pending.discard((base, path))
        time.sleep(0.05)
    if pending:
        raise Failed(f"not corrected {LATE_BOUND} s after the approval: {sorted(pending)}")
    say(f"correction visible on both within {time.monotonic() - corrected_at:.2f} s")

    # Production serving details seen through both servers.
    for base in bases:
        status, page, _ = get(base + release_path)
        css = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)
        if not css:
            raise Failed(f"{base}: the page does not link a hashed stylesheet")
        status, _, headers = get(base + css.group(1), {"Accept-Encoding": "gzip"})
        if status != 200 or headers.get("Content-Encoding") != "gzip":
            raise Failed(f"{base}{css.group(1)}: not served compressed ({status}, {headers})")
        if "immutable" not in headers.get("Cache-Control", ""):
            raise Failed(f"{base}{css.group(1)}: not cached as immutable")
    say("static files: hashed names, gzip, Cache-Control immutable")

    stop_servers()
    for port in PORTS:
        lines = (LOG_DIR / f"gunicorn-{port}.log").read_text().splitlines()
        requests = 0
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                raise Failed(f"gunicorn {port} logged a non-JSON line: {line[:200]}") from None
            requests += entry.get("logger") == "gunicorn.access"
        say(f"gunicorn {port}: {len(lines)} log lines, all JSON, {requests} access entries")
    say("TWO SERVERS OK")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))
    try:
        main()
    except Failed as failure:
        print(f"TWO SERVERS FAILED: {failure}", file=sys.stderr, flush=True)
        sys.exit(1)
    finally:
        stop_servers()
