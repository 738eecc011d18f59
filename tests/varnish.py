"""The real front cache for tests: gunicorn, varnishd (deploy/varnish/irsite.vcl) and the
worker purging it, started for one test (`VarnishFront`, the `front` fixture), and a `Poller`
that asks for URLs through Varnish every 100 ms and keeps what it saw. Fixtures here are
registered by conftest.py's `pytest_plugins`; tests/fronts.py has the lighter stand-ins.
"""

import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import NamedTuple

import pytest

from .conftest import redis_cache
from .servers import REDIS_URL, REPO, database_url, free_ports, skewed

VCL = REPO / "deploy" / "varnish" / "irsite.vcl"
# A change is judged by order: nothing of it through Varnish before its go-live second (or its
# action), every surface showing it after. How late it showed is measured and printed; the
# bound on lateness only tells a purge from its absence (then it is 300 s, Varnish's TTL), so
# it holds on a loaded 2-core machine, where a 3.0 s bound failed (issue 23). The figures on a
# quiet machine (the worker's poll, the purge, one render: well under a second) are in
# bench/results/ and docs/deployment.md.
LATE_BOUND = 30.0


def poll_until_shown(poller: "Poller", paths: list[str], shows, since: float) -> None:
    """Let ``poller`` run until every path shows what ``shows(status, body)`` looks for and a
    second more (to see it stay), or until LATE_BOUND after ``since``."""
    while time.time() < since + LATE_BOUND:
        if all(poller.first(path, shows) is not None for path in paths):
            time.sleep(1.0)
            return
        time.sleep(0.1)


def fetch(port: int, path: str) -> tuple[int, str, dict[str, str]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        # A page as text; a file's bytes need not be UTF-8 (what is compared of them is
        # their status and headers here; tests of their bytes read them whole).
        body = response.read().decode(errors="replace")
        return response.status, body, dict(response.getheaders())
    finally:
        conn.close()


def wait_for(port: int, path: str = "/robots.txt", seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            fetch(port, path)
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing answers on port {port}")


class VarnishFront:
    """gunicorn, varnishd and the worker, started for one test and stopped after it."""

    def __init__(self, settings, app_clock_ahead: float = 0) -> None:
        self.app_port, self.port = free_ports(2, "IRSITE_TEST_FRONT_PORT")
        # The app server's host clock, seconds off the database's (0: right).
        self.app_clock_ahead = app_clock_ahead
        prefix = f"irsite-test-{uuid.uuid4().hex}"
        settings.CACHES = {"default": redis_cache(REDIS_URL, prefix)}
        settings.IRSITE_EDGE_PURGE_URLS = [f"http://127.0.0.1:{self.port}"]
        self.env = os.environ | {
            "DEBUG": "True",
            "DATABASE_URL": database_url(),
            "CACHE_URL": f"{REDIS_URL}?key_prefix={prefix}",
            "IRSITE_EDGE_PURGE_URLS": f"http://127.0.0.1:{self.port}",
            "LOG_LEVEL": "WARNING",
            # The test's own storage (conftest): the app serves the files the test stored.
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        }
        self.dir = Path(tempfile.mkdtemp(prefix="irsite-varnish-"))
        self.dir.chmod(0o755)
        self.processes: list[subprocess.Popen] = []

    def start(self) -> None:
        bin_dir = Path(sys.executable).parent
        self.processes.append(
            subprocess.Popen(
                [str(bin_dir / "gunicorn"), "irsite.wsgi:application", "--bind",
                 f"127.0.0.1:{self.app_port}", "--workers", "2", "--access-logfile", "-"],
                cwd=REPO, env=skewed(self.app_clock_ahead, self.env),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        )  # fmt: skip
        vcl = self.dir / "irsite.vcl"
        vcl.write_text(VCL.read_text().replace('.port = "8000";', f'.port = "{self.app_port}";'))
        vcl.chmod(0o644)
        self.processes.append(
            subprocess.Popen(
                ["varnishd", "-F", "-n", str(self.dir / "n"), "-a", f"127.0.0.1:{self.port}",
                 "-f", str(vcl), "-s", "malloc,32m", "-T", "none"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        )  # fmt: skip
        self.processes.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "run_worker", "--interval", "0.1"],
                cwd=REPO, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
        )  # fmt: skip
        wait_for(self.app_port)
        wait_for(self.port)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)

    def get(self, path: str) -> tuple[int, str, dict[str, str]]:
        return fetch(self.port, path)

    def settle(self, seconds: float = LATE_BOUND) -> None:
        """Wait until the worker has run every purge enqueued so far (a change's second purge
        runs SECOND_PURGE_AFTER after it): a test that counts cache hits starts on a front
        cache that nothing already under way will empty."""
        from django_tasks_db.models import DBTaskResult

        deadline = time.monotonic() + seconds
        pending = DBTaskResult.objects.filter(queue_name="purge", status__in=["READY", "RUNNING"])
        while pending.exists():
            assert time.monotonic() < deadline, "the worker left purges unrun"
            time.sleep(0.1)


@pytest.fixture
def front(settings):
    front = VarnishFront(settings)
    front.start()
    yield front
    front.stop()


class Seen(NamedTuple):
    sent: float
    received: float
    path: str
    status: int
    body: str
    x_cache: str


class Poller:
    """Requests each URL through Varnish every 100 ms (a thread per URL) and keeps what it saw.

    Each row is a `Seen`: when the request was sent and when its answer arrived. An answer is
    only proof of what the site showed *by* the time it arrived (a request sent before a go-live
    may be answered after it, e.g. while it waits for another request's render), so both the
    early and the late checks read ``received``.
    """

    def __init__(self, front: VarnishFront, paths: list[str]) -> None:
        self.front, self.paths = front, paths
        self.seen: list[Seen] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(p,), daemon=True) for p in paths]

    def run(self, path: str) -> None:
        while not self.stopping.is_set():
            sent = time.time()
            status, body, headers = self.front.get(path)
            self.seen.append(
                Seen(sent, time.time(), path, status, body, headers.get("X-Cache", ""))
            )
            time.sleep(0.1)

    def __enter__(self) -> "Poller":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=10)

    def first(self, path: str, shows) -> float | None:
        """When an answer for ``path`` first showed what ``shows(status, body)`` looks for (and
        every later one kept showing it): the time it arrived."""
        rows = sorted((r for r in self.seen if r.path == path), key=lambda r: r.sent)
        since = None
        for row in rows:
            since = (since or row.received) if shows(row.status, row.body) else None
        return since

    def slowest(self) -> float:
        """The longest a request took, in seconds (printed with the figures)."""
        return max((r.received - r.sent for r in self.seen), default=0.0)


def cached_before(poller: Poller, path: str, moment: float) -> bool:
    return any(r.path == path and r.x_cache == "HIT" and r.received < moment for r in poller.seen)
