"""Exactly once with real workers: two at once, and one killed mid-batch and started again.

These run against the suite's database with committed data (transactional tests), so the
workers, in threads or subprocesses with their own connections, see what the test wrote. CI
runs the suite on SQLite and on PostgreSQL, so both run on both; on PostgreSQL the workers
are separate server sessions racing for the same rows.
"""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connections
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from irsite.alerts.management.commands.run_worker import Command as RunWorker
from irsite.alerts.models import AlertBatch, Delivery

from .servers import REPO, database_url, free_port
from .shared import subscribe

pytestmark = pytest.mark.django_db(transaction=True)


class SlowLocmemBackend(LocmemBackend):
    """A mail server that takes a moment per message, so two workers overlap."""

    def send_messages(self, messages):
        time.sleep(0.01)
        return super().send_messages(messages)


def wait_for(condition, seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.05)


def expire_task_leases() -> None:
    """The alert tasks a killed worker held, as if their lease had passed (the task lease is
    minutes; shortening it for the next worker would also take back that worker's own long
    tasks while it runs them, and a PDF rendition taken back makes its stop wait for it)."""
    DBTaskResult.objects.filter(status="RUNNING", task_path__startswith="irsite.alerts.").update(
        started_at=timezone.now() - timedelta(seconds=settings.IRSITE_TASK_LEASE_SECONDS + 1)
    )


@pytest.mark.slow
def test_two_workers_at_once_send_each_alert_exactly_once(make_release, publish, company, settings):
    settings.EMAIL_BACKEND = f"{__name__}.SlowLocmemBackend"
    # Small chunks and batches, so that both workers plan and send.
    settings.IRSITE_ALERTS_PLAN_CHUNK = 10
    settings.IRSITE_ALERTS_BATCH_SIZE = 4
    addresses = [f"reader{n}@example.com" for n in range(40)]
    for address in addresses:
        subscribe(address)
    publish(make_release(published_at=timezone.now() - timedelta(seconds=1)))

    workers = [RunWorker(), RunWorker()]
    errors: list[BaseException] = []

    def work(command: RunWorker, name: str) -> None:
        try:
            command.handle(check_every=0.05, interval=0.01, once=False, worker_id=name)
        except BaseException as e:
            errors.append(e)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=work, args=(w, f"worker-{n}")) for n, w in enumerate(workers)
    ]
    for thread in threads:
        thread.start()
    try:
        wait_for(
            lambda: (
                Delivery.objects.filter(state="sent").count() == len(addresses)
                and AlertBatch.objects.filter(finished_at__isnull=False).exists()
            ),
            60,
            "every delivery",
        )
    finally:
        for worker in workers:
            worker.stopping = True
        for thread in threads:
            thread.join(30)
    assert not errors
    assert sorted(m.to[0] for m in mail.outbox) == sorted(addresses)  # each exactly once
    assert AlertBatch.objects.count() == 1
    # Both workers really took part: the database, not luck, kept them apart.
    assert set(Delivery.objects.values_list("claimed_by", flat=True)) == {"worker-0", "worker-1"}


class Sink:
    """An SMTP server (aiosmtpd) that records what it accepted, and that holds one message in
    the middle of its transaction so the test can kill the sending worker at that moment."""

    def __init__(self, hold_message: int) -> None:
        self.accepted: list[tuple[str, bytes]] = []
        self.seen = 0
        self.hold_message = hold_message
        self.holding = threading.Event()
        self.let_go = threading.Event()

    async def handle_DATA(self, server, session, envelope) -> str:
        self.seen += 1
        if self.seen == self.hold_message:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.let_go.wait, 30)
            return "451 4.3.0 Try again later"
        self.accepted.extend((rcpt, envelope.content) for rcpt in envelope.rcpt_tos)
        return "250 OK"


def start_worker(port: int, **env: str) -> subprocess.Popen:
    environment = os.environ | {
        "DEBUG": "True",
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        **env,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--check-every", "0.2", "--interval", "0.1"],
        cwd=REPO,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.mark.server
def test_worker_killed_mid_batch_and_restarted_sends_each_alert_exactly_once(
    make_release, publish, company
):
    addresses = [f"reader{n}@example.com" for n in range(12)]
    for address in addresses:
        subscribe(address)
    publish(make_release(published_at=timezone.now() - timedelta(seconds=1)))
    sink = Sink(hold_message=5)
    port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    workers = []
    try:
        workers.append(start_worker(port))
        assert sink.holding.wait(60), workers[0].stderr.read1().decode()
        workers[0].send_signal(signal.SIGKILL)  # no goodbye: mid-transaction with the server
        workers[0].wait(10)
        sink.let_go.set()
        assert len(sink.accepted) == 4
        # Each accepted message is recorded "sent" at once; the rest of the group it claimed in
        # one statement (the one it died on among them) waits for the lease.
        assert Delivery.objects.filter(state="sent").count() == 4
        assert Delivery.objects.filter(state="sending").count() == len(addresses) - 4

        # A new worker; the dead one's claim expires after a second's lease, and the task it
        # held (the rest of the batch) is as old as the task lease.
        expire_task_leases()
        workers.append(start_worker(port, IRSITE_ALERTS_LEASE_SECONDS="1"))
        wait_for(
            lambda: Delivery.objects.filter(state="sent").count() == len(addresses),
            60,
            "the restarted worker",
        )
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(10)
        controller.stop()
    received = sorted(rcpt for rcpt, _ in sink.accepted)
    assert received == sorted(addresses)  # everyone, and nobody twice
