"""An event's announce second across machines whose clocks disagree (Debian's faketime), one
PostgreSQL database whose clock decides (irsite/clock.py): two app servers, one of them 3 s
ahead, show an event on every surface at its second and not before; a worker 5 s ahead mails
nobody early, and each reader who chose "Events" gets the alert once.

PostgreSQL only, as `test_clock`: on SQLite the database's clock is the process's own."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from irsite.alerts import actions as alert_actions
from irsite.alerts.models import Delivery, Subscriber

from .servers import free_port, skewed
from .test_clock import REPO, STALE_BOUND, Mail, Server, db_now, environment

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TITLE = "Earnings call at the bell"


def scheduled_event(make_event, announce, seconds: int):
    announce_at = (timezone.now() + timedelta(seconds=seconds)).replace(microsecond=0)
    return announce(make_event(title=TITLE, announce_at=announce_at))


def test_an_event_goes_public_on_two_servers_at_its_second_one_of_them_3s_ahead(
    make_event, announce, company
):
    from .conftest import redis_cache

    redis = os.environ.get("IRSITE_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
    prefix = f"irsite-event-clock-{time.time_ns()}"
    redis_cache(redis, prefix)
    env = environment(CACHE_URL=f"{redis}?key_prefix={prefix}", IRSITE_PAGE_CACHE="1")
    offset = db_now() - time.time()
    assert abs(offset) < 0.5, f"this host's clock is {offset:+.2f} s off the database's"
    servers = {"ahead-3s": Server(3, env), "correct": Server(0, env)}
    seen: list[tuple[str, str, float, bool]] = []
    try:
        for server in servers.values():
            server.wait()
        # Scheduled once both answer (starting them takes seconds on a loaded machine).
        event = scheduled_event(make_event, announce, 8)
        paths = ["/events/", "/events/calendar.ics", "/events/feed/rss/", "/",
                 "/sitemap-events.xml", event.get_absolute_url(), event.get_ics_url()]  # fmt: skip
        second = event.announce_at.timestamp()
        own = {event.get_absolute_url(), event.get_ics_url()}
        # Both servers' caches hold every surface before the second.
        for server in servers.values():
            for path in paths:
                server.get(path)
        while time.time() < second + 4:
            for name, server in servers.items():
                for path in paths:
                    status, body = server.get(path)
                    # Its own URLs answer (404 before: a 404 page names the path it was asked
                    # for); every other surface (the sitemap too) carries its address.
                    shows = status == 200 and (path in own or event.get_absolute_url() in body)
                    seen.append((name, path, time.time(), shows))
            time.sleep(0.05)
    finally:
        for server in servers.values():
            server.stop()
    early = [(n, p, round(second - at, 2)) for n, p, at, shows in seen if shows and at < second]
    assert not early, f"shown before its second: {early[:5]}"
    stale = [(n, p, round(at - second, 2)) for n, p, at, shows in seen
             if not shows and at > second + STALE_BOUND]  # fmt: skip
    first = {
        (name, path): min((at for n, p, at, s in seen if (n, p) == (name, path) and s), default=0)
        for name in servers
        for path in paths
    }
    print(
        "event through two servers (one 3 s ahead), first shown s after its second:",
        {f"{n} {p}": round(t - second, 2) for (n, p), t in first.items() if t},
    )
    assert not stale, f"still without the event {STALE_BOUND} s after its second: {stale[:5]}"
    assert all(first.values()), [k for k, t in first.items() if not t]


def test_a_worker_3s_ahead_mails_no_event_early_and_each_reader_who_chose_events_once(
    make_event, announce, company
):
    readers = [f"reader{n}@example.com" for n in range(4)]
    for address in [*readers, "releases-only@example.com"]:
        topics = ["events"] if address in readers else []
        alert_actions.request_subscription(
            address, all_categories=True, categories=[], source="tests", topics=topics,
            releases=address not in readers,
        )  # fmt: skip
        subscriber = Subscriber.objects.get(email=address)
        alert_actions.confirm(subscriber, subscriber.requested_at.isoformat())
    offset = db_now() - time.time()
    assert abs(offset) < 0.5, f"this host's clock is {offset:+.2f} s off the database's"
    event = scheduled_event(make_event, announce, 8)
    mail = Mail()
    smtp_port = free_port()
    smtp = Controller(mail, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    env = environment(EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}")
    run_worker = [sys.executable, "manage.py", "run_worker", "--check-every", "0.2",
                  "--interval", "0.1"]  # fmt: skip
    workers = {
        name: subprocess.Popen(
            [*run_worker, "--worker-id", name],
            cwd=REPO,
            env=skewed(ahead, env),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for name, ahead in [("ahead-3s", 3), ("correct", 0)]
    }
    deadline = time.monotonic() + 90
    try:
        while Delivery.objects.filter(state="sent").count() < len(readers):
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        time.sleep(3)  # anything sent twice would be here
    finally:
        for worker in workers.values():
            worker.terminate()
        logs = {name: worker.communicate(timeout=20)[0] for name, worker in workers.items()}
        smtp.stop()
    sent = Delivery.objects.filter(state="sent").count()
    assert sent == len(readers), f"{sent} sent; the correct worker said: {logs['correct'][-3000:]}"
    second = event.announce_at.timestamp()
    early = [(rcpt, round(second - at, 2)) for rcpt, at in mail.arrived if at < second]
    assert not early, f"e-mailed before its second: {early}"
    alerts = sorted(r for r, at in mail.arrived if r in readers and at >= second)
    assert alerts == readers, alerts  # each once, and none to the reader of releases only
    assert "Alerts held" in logs["ahead-3s"], logs["ahead-3s"][-2000:]
    assert set(Delivery.objects.values_list("claimed_by", flat=True)) == {"correct"}
    assert "releases-only@example.com" not in {r for r, at in mail.arrived if at >= second}
    print(
        "worker 3 s ahead: first event alert",
        round(min(at for r, at in mail.arrived if r in readers) - second, 2),
        "s after the announce second",
    )
