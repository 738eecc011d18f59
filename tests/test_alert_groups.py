"""Alert fan-out a group at a time (`irsite.alerts.sending`, `irsite.alerts.claims`): a group
of deliveries claimed and recorded in one UPDATE each, and a withdrawal in the middle of a
batch stopping it at the very next message, whatever the group's size."""

import email
import time
from datetime import timedelta
from email.policy import default as default_policy

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from irsite.alerts import sending
from irsite.alerts.models import AlertBatch, Subscriber
from releases import actions as release_actions
from releases.models import Release

from .conftest import SYSTEM

pytestmark = pytest.mark.django_db


class WithdrawingBackend(LocmemBackend):
    """A mail server taking ``pause`` seconds a message; once it has accepted the
    ``withdraw_after``-th, the release is withdrawn through the releases' actions."""

    release: Release | None = None
    withdraw_after = 0
    pause = 0.0
    accepted_before_withdrawal = 0

    def send_messages(self, messages):
        time.sleep(self.pause)
        count = super().send_messages(messages)
        cls = type(self)
        if cls.release is not None and len(mail.outbox) == cls.withdraw_after:
            release_actions.withdraw(cls.release, SYSTEM, "Issued in error.")
            cls.accepted_before_withdrawal = len(mail.outbox)
            cls.release = None
        return count


@pytest.fixture
def readers(db):
    def make(count: int) -> list[str]:
        addresses = [f"reader{n:04d}@example.com" for n in range(count)]
        Subscriber.objects.bulk_create(
            [Subscriber(email=a, status=Subscriber.Status.ACTIVE) for a in addresses]
        )
        return addresses

    return make


def planned(make_release, publish, settings, count: int, readers) -> tuple[Release, AlertBatch]:
    settings.IRSITE_ALERTS_PLAN_CHUNK = count
    settings.IRSITE_ALERTS_BATCH_SIZE = count
    readers(count)
    release = publish(make_release(published_at=timezone.now() - timedelta(seconds=1)))
    sending.check()
    return release, AlertBatch.objects.get(release=release)


def ids(batch: AlertBatch) -> list[int]:
    return list(batch.deliveries.order_by("pk").values_list("pk", flat=True))


def test_a_batch_claims_and_records_its_deliveries_a_group_per_statement(
    make_release, publish, company, settings, readers
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.IRSITE_ALERTS_CLAIM_GROUP = 25
    _, batch = planned(make_release, publish, settings, 60, readers)
    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        outcomes = sending.deliver_many(batch.pk, ids(batch))
    seconds = time.monotonic() - started
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "alerts_delivery"')]
    claims = [u for u in updates if "SET \"state\" = 'sending'" in u]
    print(
        f"60 mails in {seconds:.2f} s: {len(updates)} UPDATEs of deliveries, {len(queries)} in all"
    )
    assert set(outcomes.values()) == {"sent"} and len(mail.outbox) == 60
    # Three groups: a claim each (per mail it was a claim each: 60); each mail's "sent" is its
    # own statement, recorded as soon as the server accepts it (a kill re-sends one at most).
    assert len(claims) == 3
    assert len(updates) - len(claims) == 60
    assert set(batch.deliveries.values_list("state", flat=True)) == {"sent"}


def test_each_mail_of_a_release_is_recorded_and_the_release_checked_in_one_statement(
    make_release, publish, company, settings, readers
):
    """The UPDATE that records a message ``sent`` records it only while the release is public:
    the check before the next message needs no SELECT of its own (it was ~14 % of a sending
    worker's time: bench/results/fanout-idle-20261207.md)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.IRSITE_ALERTS_CLAIM_GROUP = 25
    _, batch = planned(make_release, publish, settings, 60, readers)
    with CaptureQueriesContext(connection) as queries:
        sending.deliver_many(batch.pk, ids(batch))
    sql = [q["sql"] for q in queries]
    records = [s for s in sql if s.startswith('UPDATE "alerts_delivery" SET "state" = \'sent\'')]
    checks = [s for s in sql if s.startswith('SELECT 1 AS "a" FROM "releases_release"')]
    assert len(mail.outbox) == 60
    assert len(records) == 60 and all(
        'EXISTS(SELECT 1 AS "a" FROM "releases_release"' in s for s in records
    )
    assert checks == []


def test_each_reader_gets_the_batch_message_with_their_own_address_and_links(
    make_release, publish, company, settings, readers
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    _, batch = planned(make_release, publish, settings, 3, readers)
    sending.deliver_many(batch.pk, ids(batch))
    seen = set()
    for message in mail.outbox:
        parsed = email.message_from_bytes(message.message().as_bytes(), policy=default_policy)
        to = parsed["To"]
        text = parsed.get_body(("plain",)).get_content()
        html = parsed.get_body(("html",)).get_content()
        unsubscribe = parsed["List-Unsubscribe"].strip("<>")
        assert to == message.to[0]
        assert f"because {to} subscribed" in text and f"because {to} subscribed" in html
        assert f"Unsubscribe with one click: {unsubscribe}" in text
        assert f'href="{unsubscribe}"' in html
        assert f".{Subscriber.objects.get(email=to).pk}@" in parsed["Message-ID"]
        assert "placeholder" not in message.message().as_bytes().decode()
        seen.add(unsubscribe)
    assert len(seen) == 3  # a link of each reader's own


@pytest.mark.parametrize("group", [1, 10, 1000])
def test_a_withdrawal_in_the_middle_of_a_batch_stops_it_at_the_next_message(
    make_release, publish, company, settings, readers, group
):
    """The withdrawal commits while the fifth message is with the mail server: nothing after
    it is sent, whether the group in hand is one message, ten or the whole batch."""
    settings.EMAIL_BACKEND = f"{__name__}.WithdrawingBackend"
    settings.IRSITE_ALERTS_CLAIM_GROUP = group
    release, batch = planned(make_release, publish, settings, 40, readers)
    WithdrawingBackend.release, WithdrawingBackend.withdraw_after = release, 5
    WithdrawingBackend.pause = 0.0
    outcomes = sending.deliver_many(batch.pk, ids(batch))
    assert WithdrawingBackend.accepted_before_withdrawal == 5
    assert len(mail.outbox) == 5
    states = list(batch.deliveries.values_list("state", flat=True))
    assert states.count("sent") == 5
    assert states.count("cancelled") == 35
    assert list(outcomes.values()).count("cancelled") == 35
