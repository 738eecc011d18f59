"""For tests of one clock across machines (tests/test_clock.py and the ones beside it): app
servers whose own clock is off (Debian's faketime), their environment, the database's clock
and a mail server that notes when each message arrived."""

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.db import connection

from .servers import REPO, database_url, free_port, skewed

# Seconds after a go-live past which an answer without the release is stale (see the test).
STALE_BOUND = 3.0


def db_now() -> float:
    """The database's clock (the test's own is correct, but the database's is the truth)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT extract(epoch FROM clock_timestamp())")
        return float(cursor.fetchone()[0])


def environment(**extra: str) -> dict[str, str]:
    return os.environ | {
        "DEBUG": "True",
        "DATABASE_URL": database_url(),
        "LOG_LEVEL": "WARNING",
        "IRSITE_CLOCK": "database",
        **extra,
    }


class Mail:
    """An SMTP server that notes when each message arrived, by the database's clock."""

    def __init__(self) -> None:
        self.arrived: list[tuple[str, float]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        at = time.time()
        self.arrived.extend((rcpt, at) for rcpt in envelope.rcpt_tos)
        return "250 OK"


class Server:
    """gunicorn serving the suite's database and a Redis of its own prefix."""

    def __init__(self, ahead: float, env: dict[str, str]) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "gunicorn"), "irsite.wsgi:application",
             "--bind", f"127.0.0.1:{self.port}", "--workers", "2"],
            cwd=REPO, env=skewed(ahead, env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def wait(self) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                self.get("/robots.txt")
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"nothing answers on port {self.port}")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(20)
