"""Alert fan-out with real `manage.py run_worker` processes and a real SMTP server (aiosmtpd):
planning in chunks starts the sending at once, and a worker killed in the middle of a batch
of recipients loses or duplicates nothing (`irsite.alerts.sending`).

Transactional tests: the workers, in subprocesses with their own connections, see what the
test committed. CI runs them on SQLite and on PostgreSQL.
"""

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from irsite.alerts.models import AlertBatch, Delivery, Subscriber

from .servers import REPO, database_url, free_port

pytestmark = [pytest.mark.server, pytest.mark.django_db(transaction=True)]


class Sink:
    """An SMTP server recording each accepted recipient with the time it was accepted; it can
    hold the ``hold``-th message in the middle of its transaction until `let_go`."""

    def __init__(self, hold: int = 0) -> None:
        self.accepted: list[tuple[str, datetime]] = []
        self.seen = 0
        self.hold = hold
        self.holding = threading.Event()
        self.let_go = threading.Event()

    async def handle_DATA(self, server, session, envelope) -> str:
        self.seen += 1
        if self.seen == self.hold:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.let_go.wait, 60)
            return "451 4.3.0 Try again later"
        self.accepted.extend((rcpt, timezone.now()) for rcpt in envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def smtp():
    servers: list[Controller] = []

    def start(sink: Sink) -> int:
        port = free_port()
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        servers.append(controller)
        return port

    yield start
    for controller in servers:
        controller.stop()


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


def stop(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(30)


def wait_for(condition, seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.05)


def subscribers(count: int) -> list[str]:
    addresses = [f"reader{n:06d}@example.com" for n in range(count)]
    Subscriber.objects.bulk_create(
        [Subscriber(email=a, status=Subscriber.Status.ACTIVE) for a in addresses], batch_size=2000
    )
    return addresses


def expire_task_leases() -> None:
    """The alert tasks a killed worker held, as if their lease had passed (the task lease is
    minutes; shortening it for the next worker would also take back that worker's own long
    tasks while it runs them, and a PDF rendition taken back makes its stop wait for it)."""
    DBTaskResult.objects.filter(status="RUNNING", task_path__startswith="irsite.alerts.").update(
        started_at=timezone.now() - timedelta(seconds=settings.IRSITE_TASK_LEASE_SECONDS + 1)
    )


def test_a_worker_killed_in_the_middle_of_a_batch_loses_and_duplicates_nothing(
    make_release, publish, company, smtp
):
    addresses = subscribers(30)
    publish(make_release(published_at=timezone.now() - timedelta(seconds=1)))
    sink = Sink(hold=11)
    port = smtp(sink)
    # Chunks of 7 subscribers, batches of 3: the kill lands with chunks still to plan and a
    # batch half sent.
    chunked = {"IRSITE_ALERTS_PLAN_CHUNK": "7", "IRSITE_ALERTS_BATCH_SIZE": "3"}
    workers = [start_worker(port, **chunked)]
    try:
        assert sink.holding.wait(60), workers[0].stderr.read1().decode()
        workers[0].send_signal(signal.SIGKILL)  # no goodbye: mid-transaction with the server
        workers[0].wait(10)
        sink.let_go.set()
        assert len(sink.accepted) == 10
        assert Delivery.objects.filter(state="sent").count() == 10
        # The group it died in (a task's 3, claimed in one UPDATE): the one at the server and
        # two not sent yet, all back to pending after the lease.
        assert Delivery.objects.filter(state="sending").count() == 3
        assert AlertBatch.objects.get().plan_done_at is None  # planning was not over either

        # Another worker: the dead one's claim comes back after a second's lease, and the
        # tasks it held are as old as the task lease.
        expire_task_leases()
        workers.append(start_worker(port, **chunked, IRSITE_ALERTS_LEASE_SECONDS="1"))
        wait_for(
            lambda: AlertBatch.objects.filter(finished_at__isnull=False).exists(),
            90,
            "the batch to finish",
        )
    finally:
        sink.let_go.set()
        stop(workers)
    received = sorted(rcpt for rcpt, _ in sink.accepted)
    assert received == sorted(addresses)  # everyone, and nobody twice
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}


def test_the_first_mails_leave_before_the_planning_of_a_large_batch_ends(
    make_release, publish, company, smtp
):
    count = 600
    addresses = subscribers(count)
    sink = Sink()
    port = smtp(sink)
    # Three chunks: the last is planned once the first two chunks' mails are on their way.
    workers = [start_worker(port, IRSITE_ALERTS_PLAN_CHUNK="200", IRSITE_ALERTS_BATCH_SIZE="20")]
    try:
        # The worker is up (its idle loop) before the go-live.
        time.sleep(2)
        go_live = timezone.now()
        publish(make_release(published_at=go_live - timedelta(milliseconds=1)))
        wait_for(lambda: sink.accepted, 60, "the first mail")
        wait_for(
            lambda: AlertBatch.objects.filter(plan_done_at__isnull=False).exists(),
            300,
            "the planning to end",
        )
    finally:
        stop(workers)
    first = min(at for _, at in sink.accepted)
    planned = AlertBatch.objects.get().plan_done_at
    print(
        f"{count} subscribers: first mail {(first - go_live).total_seconds():.2f} s after the "
        f"go-live, planning ended {(planned - go_live).total_seconds():.2f} s after it"
    )
    assert first < planned
    # Each address at most once, and only subscribers'.
    received = [rcpt for rcpt, _ in sink.accepted]
    assert len(received) == len(set(received)) and set(received) <= set(addresses)
