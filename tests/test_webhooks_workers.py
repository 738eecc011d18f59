"""Webhooks with real workers: `manage.py run_worker` processes on the suite's database (its
production clock, the database's), a real HTTP receiver verifying every signature with the
`standardwebhooks` package, a worker killed with SIGKILL in the middle of a delivery and a
receiver that answers 500 twice.

Transactional: the workers, in other processes, see what the test wrote. CI runs the suite on
SQLite and on PostgreSQL, so this runs on both.
"""

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from irsite.webhooks import actions
from irsite.webhooks.models import Delivery, Endpoint, Event

from .servers import REPO, database_url
from .shared import wait_until
from .webhook_receiver import Receiver

pytestmark = [pytest.mark.server, pytest.mark.django_db(transaction=True)]

# Seconds from "publish" to the go-live, the workers already started: time for both to see
# the next go-live at a check (every 0.5 s) and wait for its second.
LEAD = 3


def start_worker(name: str) -> subprocess.Popen:
    environment = os.environ | {
        "DEBUG": "True",
        "DATABASE_URL": database_url(),
        "LOG_LEVEL": "WARNING",
        "IRSITE_WEBHOOKS_ALLOW_PRIVATE_URLS": "True",  # the receiver is on 127.0.0.1
        "IRSITE_WEBHOOKS_RETRY_SECONDS": "0.1",
        "IRSITE_WEBHOOKS_TIMEOUT_SECONDS": "3",
        "IRSITE_WEBHOOKS_LEASE_SECONDS": "3.5",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "run_worker",
            "--check-every",
            "0.5",
            "--interval",
            "0.1",
            "--worker-id",
            name,
        ],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_started(process: subprocess.Popen, seconds: float = 120) -> None:
    """Until the worker says it started (Django loaded, its loop running)."""
    assert process.stdout is not None
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        line = process.stdout.readline().decode()
        if "started" in line:
            return
        assert line, "the worker exited before it started"
    raise AssertionError("the worker did not start")


def test_each_endpoint_gets_release_live_once_within_a_second_of_its_go_live_across_a_killed_worker_and_two_500s(  # noqa: E501
    make_release, publish, company, superuser, settings
):
    settings.IRSITE_WEBHOOKS_ALLOW_PRIVATE_URLS = True
    receiver = Receiver().start()
    let_go = threading.Event()
    receiver.hold["/a"] = let_go  # the first request to /a waits: its worker is killed then
    receiver.answers["/b"] = [500, 500]
    for path in ("/a", "/b"):
        _endpoint, receiver.secrets[path] = actions.register_endpoint(
            superuser, url=receiver.url(path), events=["release.live"]
        )
    workers = {name: start_worker(name) for name in ("worker-1", "worker-2")}
    try:
        for process in workers.values():
            wait_started(process)
        go_live = (timezone.now() + timedelta(seconds=LEAD + 1)).replace(microsecond=0)
        release = publish(make_release(published_at=go_live))
        assert receiver.holding.setdefault("/a", threading.Event()).wait(LEAD + 30)
        holder = Delivery.objects.get(endpoint__url=receiver.url("/a")).claimed_by
        workers[holder].send_signal(signal.SIGKILL)  # no goodbye: mid-request
        workers[holder].wait(10)
        let_go.set()  # its answer goes to a dead worker
        wait_until(
            lambda: Delivery.objects.filter(state="delivered").count() == 2,
            60,
            "both deliveries",
        )
    finally:
        for process in workers.values():
            if process.poll() is None:
                process.terminate()
                process.wait(10)
        receiver.stop()

    event = Event.objects.get()
    assert event.key == f"release.live:{release.pk}"
    start = go_live.timestamp()
    for path in ("/a", "/b"):
        got = receiver.on(path)
        assert all(r.verified_with == receiver.secrets[path] for r in got)
        assert all(r.body == bytes(event.body) for r in got)
        assert {r.message_id for r in got} == {event.message_id}  # one message, de-duplicable
        assert {r.payload["type"] for r in got} == {"release.live"}
        assert min(r.at for r in got) >= start  # none before its second
        assert min(r.at for r in got) < start + 1.0, [r.at - start for r in got]
        assert [r.answered for r in got][-1] == 200
    print(
        "first release.live after the go-live second:",
        {path: round(min(r.at for r in receiver.on(path)) - start, 3) for path in ("/a", "/b")},
        "s; /b accepted after",
        round(receiver.on("/b")[-1].at - start, 3),
        "s",
    )
    assert [r.answered for r in receiver.on("/b")] == [500, 500, 200]
    assert len(receiver.on("/a")) == 2  # the killed worker's, then the same message again
    a = Delivery.objects.get(endpoint__url=receiver.url("/a"))
    assert a.claimed_by != holder and a.attempts == 2
    assert Endpoint.objects.filter(enabled=True).count() == 2


def test_a_receiver_gets_exactly_one_event_live_after_the_announce_second_and_none_before(
    make_event, announce, company, superuser, settings
):
    """One real worker, asking the database's clock (`irsite.clock`): an event approved to be
    announced a few seconds ahead reaches the receiver once, verified with `standardwebhooks`,
    at or after its announce second and never before."""
    settings.IRSITE_WEBHOOKS_ALLOW_PRIVATE_URLS = True
    receiver = Receiver().start()
    _endpoint, receiver.secrets["/e"] = actions.register_endpoint(
        superuser, url=receiver.url("/e"), events=["event.live", "event.materials_live"]
    )
    process = start_worker("worker-events")
    try:
        wait_started(process)
        go_live = (timezone.now() + timedelta(seconds=LEAD + 1)).replace(microsecond=0)
        event = announce(make_event(announce_at=go_live), go_live)
        wait_until(lambda: len(receiver.on("/e")) >= 1, 60, "the event.live")
        time.sleep(2)  # a second delivery, were there one, would have come by now
    finally:
        process.terminate()
        process.wait(10)
        receiver.stop()
    [got] = receiver.on("/e")
    assert got.verified_with == receiver.secrets["/e"]
    assert got.payload["type"] == "event.live"
    assert got.payload["data"]["id"] == str(event.uid)
    start = go_live.timestamp()
    print("event.live after the announce second:", round(got.at - start, 3), "s")
    assert got.at >= start
    assert got.at < start + 2.0, got.at - start
    assert Event.objects.get().key == f"event.live:{event.pk}"
