"""A purge never waits behind other work: real `manage.py run_worker` processes whose main lane
is busy (an alert being sent, a large batch being planned) purge the front cache for a
withdrawal at once, on the purge lane (`irsite.http.frontcache.PURGE_QUEUE`).

The front cache is a small HTTP server answering ``PURGE`` as Varnish does and noting when
each arrived; the mail server is aiosmtpd, holding a message as long as the test wants, so
the worker is known to be in the middle of a send when the release is withdrawn.

Lateness is judged as docs/testing.md says: order exactly (nothing for the change before it
committed), how late printed (``pytest -rP``) and bounded loosely for a loaded machine.
"""

import asyncio
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from irsite.alerts.models import AlertBatch, Delivery, Subscriber
from releases import actions
from releases.purges import release_keys

from .fronts import RecordingFront, wait_for
from .servers import REPO, database_url, free_port

pytestmark = [pytest.mark.server, pytest.mark.django_db(transaction=True)]

SYSTEM = actions.SystemActor("tests")
# Seconds a purge may come after the withdrawal returned, on a loaded 2-core machine (the
# purge lane looks every 0.1 s; measured well under a second when idle).
LATE_AT_MOST = 5.0


class HeldMail:
    """An SMTP server that holds the first message until `let_go`: the worker's main lane is
    in the middle of a send for as long as the test wants."""

    def __init__(self) -> None:
        self.holding = threading.Event()
        self.let_go = threading.Event()
        self.accepted: list[str] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        if not self.holding.is_set():
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.let_go.wait, 60)
        self.accepted.extend(envelope.rcpt_tos)
        return "250 OK"


@pytest.fixture
def front():
    f = RecordingFront()
    yield f
    f.close()


def start_worker(front: RecordingFront, mail_port: int, **env: str) -> subprocess.Popen:
    environment = os.environ | {
        "DEBUG": "True",
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{mail_port}",
        "IRSITE_EDGE_PURGE_URLS": front.url,
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


def withdraw_and_time_the_purge(release, front: RecordingFront) -> float:
    """Withdraw ``release``; how long after the action returned its page was purged. Nothing
    for it may reach the front cache between the click and the commit."""
    page = next(k for k in release_keys(release.pk) if k.startswith("/news/"))
    clicked = time.monotonic()
    actions.withdraw(release, SYSTEM, "Filed in error")
    committed = time.monotonic()
    wait_for(lambda: front.of(page, after=clicked), 30, "the withdrawal's purge")
    first = front.of(page, after=clicked)[0]
    assert first >= committed, "a purge for the withdrawal reached the front cache before it"
    return first - committed


def test_a_withdrawal_is_purged_while_the_worker_is_in_the_middle_of_sending_an_alert(
    make_release, publish, company, front
):
    Subscriber.objects.create(email="reader@example.com", status=Subscriber.Status.ACTIVE)
    # Public for a while: its own go-live purges (now and SECOND_PURGE_AFTER later) are done
    # before the test withdraws it.
    release = publish(make_release(published_at=timezone.now() - timedelta(seconds=1)))
    page = next(k for k in release_keys(release.pk) if k.startswith("/news/"))
    mail = HeldMail()
    port = free_port()
    controller = Controller(mail, hostname="127.0.0.1", port=port)
    controller.start()
    worker = start_worker(front, port)
    try:
        assert mail.holding.wait(60), worker.stderr.read1().decode()
        wait_for(lambda: len(front.of(page)) >= 2, 30, "the go-live's two purges")
        late = withdraw_and_time_the_purge(release, front)
        # The main lane was in the send all along: the purge did not wait for it.
        assert not mail.accepted
        print(f"withdrawal purged {late:.3f} s after it, the worker mid-send")
        assert late <= LATE_AT_MOST
    finally:
        mail.let_go.set()
        if worker.poll() is None:
            worker.terminate()
            worker.wait(30)
        controller.stop()
    assert worker.returncode == 0
    assert Delivery.objects.filter(batch__in=AlertBatch.objects.all()).count() == 1


def test_a_withdrawal_is_purged_while_a_large_batch_is_still_being_planned(
    make_release, publish, company, front
):
    """20,000 subscribers: the worker plans them in chunks between sends; the first send is
    held, so the withdrawal comes with most of the batch still to plan (before issue 30 the
    whole batch was planned in one transaction, ~274 s at 100,000, and the purge waited)."""
    count = 20_000
    Subscriber.objects.bulk_create(
        [
            Subscriber(email=f"r{n}@example.com", status=Subscriber.Status.ACTIVE)
            for n in range(count)
        ],
        batch_size=5000,
    )
    release = publish(make_release(published_at=timezone.now() - timedelta(seconds=1)))
    page = next(k for k in release_keys(release.pk) if k.startswith("/news/"))
    mail = HeldMail()
    port = free_port()
    controller = Controller(mail, hostname="127.0.0.1", port=port)
    controller.start()
    worker = start_worker(front, port)
    try:
        assert mail.holding.wait(60), worker.stderr.read1().decode()
        wait_for(lambda: len(front.of(page)) >= 2, 30, "the go-live's two purges")
        batch = AlertBatch.objects.get()
        assert batch.plan_done_at is None and batch.deliveries.count() < count
        late = withdraw_and_time_the_purge(release, front)
        print(f"withdrawal purged {late:.3f} s after it, {count} subscribers being planned")
        assert late <= LATE_AT_MOST
        assert AlertBatch.objects.get().plan_done_at is None  # still planning then
    finally:
        mail.let_go.set()
        if worker.poll() is None:
            worker.terminate()
            worker.wait(30)
        controller.stop()
    # Withdrawn: the rest was never planned, and nothing more was sent.
    assert not mail.accepted[1:]
