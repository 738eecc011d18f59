"""irsite behind Debian's PgBouncer (1.18) in transaction mode, started by these tests.

PostgreSQL only: a pooler sits in front of a PostgreSQL server. PgBouncer runs from a folder of
the test's own on a port picked by the kernel, in front of the suite's server (127.0.0.1:5432,
user postgres, trusted): each transaction may run on another server connection, which is what
breaks a server-side cursor (``QuerySet.iterator()``) and what `irsite.pooler` detects.
"""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from releases.models import Release

from .admin_forms import ADD_URL, approval_of, change_url, confirm, edit_data, form_data
from .clocks import Server, environment
from .servers import REPO, free_port

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


@contextlib.contextmanager
def running_pgbouncer(pool_mode: str) -> Iterator[int]:
    """A PgBouncer in ``pool_mode`` in front of the suite's PostgreSQL; its port."""
    assert Path(PGBOUNCER).exists(), "Debian's pgbouncer is not installed (.ci/run installs it)"
    port = free_port()
    settings = connection.settings_dict
    # Not under pytest's tmp_path: its parents are closed to the user PgBouncer drops to.
    temporary = tempfile.TemporaryDirectory(prefix="irsite-pgbouncer-")
    folder = Path(temporary.name)
    (folder / "users.txt").write_text(f'"{settings["USER"]}" ""\n')
    (folder / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={settings['HOST']} port={settings['PORT']}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {folder / 'users.txt'}\n"
        f"pool_mode = {pool_mode}\ndefault_pool_size = 20\nmax_client_conn = 200\n"
        f"logfile = {folder / 'pgbouncer.log'}\n"
    )
    command = [PGBOUNCER, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:
        # PgBouncer refuses to run as root; it drops to this user, who must write its log.
        folder.chmod(0o777)
        command[1:1] = ["-u", "nobody"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()
                assert time.monotonic() < deadline, "PgBouncer did not start"
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(10)
        temporary.cleanup()


@pytest.fixture
def pgbouncer() -> Iterator[int]:
    """PgBouncer in transaction mode: each transaction may get another server connection."""
    with running_pgbouncer("transaction") as port:
        yield port


def through(port: int) -> str:
    """The suite's test database, reached through the pooler at ``port``."""
    s = connection.settings_dict
    return f"postgres://{s['USER']}:{s['PASSWORD']}@127.0.0.1:{port}/{s['NAME']}"


class ThisProcessThrough:
    """This test process's own connection through the pooler for a while, set as
    ``DB_POOLER`` says (settings.py), then back to PostgreSQL for the suite's teardown."""

    def __init__(self, port: int, pooler_setting: bool) -> None:
        self.port, self.setting = port, pooler_setting

    def __enter__(self) -> None:
        self.saved = dict(connection.settings_dict)
        connection.close()
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(self.port))
        connection.settings_dict["DISABLE_SERVER_SIDE_CURSORS"] = self.setting
        if self.setting:  # and no prepared statements, as settings.py has it then
            options = dict(connection.settings_dict.get("OPTIONS", {}))
            options.pop("server_side_binding", None)
            options.pop("prepare_threshold", None)
            connection.settings_dict["OPTIONS"] = options

    def __exit__(self, *exc) -> None:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(self.saved)


class PublicReader(threading.Thread):
    """Reads the public pages from a real server in a loop, noting every status."""

    def __init__(self, server: Server, paths: list[str]) -> None:
        super().__init__(daemon=True)
        self.server, self.paths, self.stop = server, paths, threading.Event()
        self.statuses: list[tuple[str, int]] = []

    def run(self) -> None:
        while not self.stop.is_set():
            for path in self.paths:
                self.statuses.append((path, self.server.get(path)[0]))


def test_behind_pgbouncer_in_transaction_mode_the_public_pages_and_the_admin_workflow_never_5xx(
    pgbouncer, editor, approver, contacts, disclaimer_versions, company, category
):
    server = Server(0, environment(DATABASE_URL=through(pgbouncer), DB_POOLER="transaction"))
    public = ["/", "/news/", "/news/feed/rss/", "/news/feed/atom/", "/sitemap.xml",
              "/news/search/?q=results", "/contacts/", "/news/category/corporate/"]  # fmt: skip
    admin: list[tuple[str, int]] = []
    try:
        server.wait()
        reader = PublicReader(server, public)
        reader.start()
        client = Client()
        with ThisProcessThrough(pgbouncer, pooler_setting=True):

            def note(what: str, response) -> None:
                admin.append((what, response.status_code))

            # The editor signs in and writes a release.
            note("sign in", client.post(reverse("admin:login"), {"username": "erin",
                                                                "password": "pw"}))  # fmt: skip
            note("release list", client.get(reverse("admin:releases_release_changelist")))
            ahead = timezone.localtime() + timedelta(days=1)  # a submit needs a time ahead
            data = form_data(contacts, disclaimer_versions, headline="Results at the bell",
                             published_at_0=f"{ahead:%Y-%m-%d}")  # fmt: skip
            note("add", client.post(ADD_URL, data))
            release = Release.objects.get(slug="immunogen-regains-rights")
            note("change page", client.get(change_url(release)))
            release.refresh_from_db()
            note("edit", client.post(change_url(release), edit_data(release, summary="Q3.")))
            note("change page", client.get(change_url(release)))
            note("submit", confirm(client, release, "submit"))
            # The approver approves and schedules it a few seconds ahead.
            client.logout()
            note("sign in", client.post(reverse("admin:login"), {"username": "alex",
                                                                "password": "pw"}))  # fmt: skip
            note("change page", client.get(change_url(release)))
            note("approve", confirm(client, release, "approve"))
            go_live = timezone.localtime(timezone.now() + timedelta(seconds=4))
            schedule = {"go_live_0": f"{go_live:%Y-%m-%d}", "go_live_1": f"{go_live:%H:%M:%S}"}
            note("schedule", confirm(client, release, "publish", schedule))
            note("change page", client.get(change_url(release)))
            release.refresh_from_db()
            page = release.get_absolute_url()
            reader.paths = [*public, page]
            while timezone.now() < release.published_at + timedelta(seconds=1):
                time.sleep(0.1)
            live_status, live = server.get(page)
            # The editor prepares a correction; the approver approves it.
            client.logout()
            note("sign in", client.post(reverse("admin:login"), {"username": "erin",
                                                                "password": "pw"}))  # fmt: skip
            note("change page", client.get(change_url(release)))
            release.refresh_from_db()
            corrected = edit_data(release, headline="Results at the bell, corrected",
                                  correction_note="Headline.")  # fmt: skip
            note("correct", client.post(change_url(release), corrected))
            pending = release.pending_corrections.get()
            client.logout()
            note("sign in", client.post(reverse("admin:login"), {"username": "alex",
                                                                "password": "pw"}))  # fmt: skip
            review = reverse("admin:releases_release_correction", args=[release.pk, pending.pk])
            shown = client.get(review)
            note("review correction", shown)
            note("approve correction", client.post(review, approval_of(shown.content.decode())))
            note("change page", client.get(change_url(release)))
            note("history", client.get(reverse("admin:releases_release_history",
                                               args=[release.pk])))  # fmt: skip
        time.sleep(2)  # the correction reaches the server's pages within its 1 s re-read
        corrected_status, corrected_page = server.get(page)
        reader.stop.set()
        reader.join(20)
        health_status, health = server.get("/healthz")
    finally:
        server.stop()
    server_errors = [(what, status) for what, status in admin + reader.statuses if status >= 500]
    print(
        f"through PgBouncer (transaction mode, DB_POOLER=transaction): {len(admin)} admin and "
        f"{len(reader.statuses)} public requests, {len(server_errors)} answered 5xx"
    )
    assert not server_errors, server_errors[:10]
    assert [s for _, s in admin if s not in (200, 302)] == [], admin
    assert live_status == 200 and "Results at the bell" in live
    assert corrected_status == 200 and "Results at the bell, corrected" in corrected_page
    assert len(reader.statuses) > 100
    assert health_status == 200, health
    # Told of the pooler, the server says so and is healthy.
    assert json.loads(health)["pooler"] == "ok", health


def test_healthz_behind_a_transaction_pooler_without_db_pooler_is_503_naming_the_setting(
    pgbouncer, company
):
    server = Server(0, environment(DATABASE_URL=through(pgbouncer)))
    direct = Server(0, environment())
    try:
        server.wait()
        direct.wait()
        status, body = server.get("/healthz")
        direct_status, direct_body = direct.get("/healthz")
    finally:
        server.stop()
        direct.stop()
    health = json.loads(body)
    assert status == 503 and health["status"] == "misconfigured", health
    assert "DB_POOLER=transaction" in health["pooler"], health
    assert health["database"] == "ok"  # the database answers: the configuration is the fault
    # The same settings straight to PostgreSQL: nothing is wrong, and nothing says so.
    assert direct_status == 200 and json.loads(direct_body)["pooler"] == "ok", direct_body
    # Any process (a worker, a command) says so in its log at its first connection.
    first_connection = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from django.db import connection; connection.ensure_connection()"],
        cwd=REPO, env=environment(DATABASE_URL=through(pgbouncer)), capture_output=True,
        text=True, timeout=60,
    )  # fmt: skip
    assert "DB_POOLER=transaction" in first_connection.stdout + first_connection.stderr
    # `manage.py check --database default` (and migrate, which runs it) refuses it too.
    with ThisProcessThrough(pgbouncer, pooler_setting=False), pytest.raises(CommandError) as e:
        call_command("check", "--database", "default")
    assert "DB_POOLER=transaction" in str(e.value)
    # In session mode each client keeps its server connection: nothing to report.
    with running_pgbouncer("session") as session, ThisProcessThrough(session, False):
        call_command("check", "--database", "default")
