"""Stand-ins for the front cache (Varnish's PURGE endpoint) and the real worker purging them.

Three small HTTP servers answering ``PURGE`` as Varnish does, each keeping what its tests read:
`FrontCache` behind the `edge` fixture (answers with the statuses it is given), `RecordingFront`
(notes when each purge arrived) and `HoldingFront` (holds one request open so a worker is
mid-task). tests/varnish.py starts the real varnishd. Fixtures here are registered by
conftest.py's `pytest_plugins`.
"""

import http.server
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import call_command

from .servers import REPO, database_url


class FrontCache(BaseHTTPRequestHandler):
    """Answers PURGE with the statuses it is given in turn (200 once they run out)."""

    def do_PURGE(self) -> None:
        server = self.server
        status = server.statuses.pop(0) if server.statuses else 200
        server.purges.append((status, self.headers.get("xkey-purge", "").split()))
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def edge(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FrontCache)  # a port the OS picks
    server.purges, server.statuses = [], []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.IRSITE_EDGE_PURGE_URLS = [f"http://127.0.0.1:{server.server_port}"]
    yield server
    server.shutdown()
    server.server_close()


def run_worker() -> None:
    call_command("run_worker", "--once")


def purged(edge) -> list[list[str]]:
    return [keys for status, keys in edge.purges if status == 200]


class RecordingFront:
    """Answers ``PURGE`` with 200, noting the monotonic time and keys of each."""

    def __init__(self) -> None:
        self.purges: list[tuple[float, set[str]]] = []
        front = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PURGE(self) -> None:
                front.purges.append(
                    (time.monotonic(), set(self.headers.get("xkey-purge", "").split()))
                )
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def of(self, key: str, after: float = 0.0) -> list[float]:
        return [at for at, keys in self.purges if key in keys and at >= after]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def wait_for(condition, seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.02)


class HoldingFront:
    """Answers ``PURGE`` with 200 as Varnish does, recording each request's keys; holds the
    ``hold``-th request open until `let_go`, so a worker is mid-task for as long as the test
    wants."""

    def __init__(self, hold: int = 0) -> None:
        self.purges: list[str] = []
        self.hold = hold
        self.holding = threading.Event()
        self.let_go = threading.Event()
        front = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_PURGE(self) -> None:
                seen = len(front.purges) + 1
                front.purges.append(self.headers.get("xkey-purge", ""))
                if seen == front.hold:
                    front.holding.set()
                    front.let_go.wait(30)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.let_go.set()
        self.server.shutdown()
        self.server.server_close()


def start_worker(front: HoldingFront, **env: str) -> subprocess.Popen:
    environment = os.environ | {
        "DEBUG": "True",
        "DATABASE_URL": database_url(),
        "IRSITE_EDGE_PURGE_URLS": front.url,
        "LOG_LEVEL": "WARNING",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--check-every", "0.2", "--interval", "0.1"],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def stop(*workers: subprocess.Popen) -> None:
    for w in workers:
        if w.poll() is None:
            w.kill()
        w.wait(10)
