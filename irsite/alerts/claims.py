"""The delivery rows' states, a group at a time: the claim of a group of deliveries in one
conditional UPDATE, and each outcome recorded in one UPDATE for all the deliveries it befell
(`irsite.alerts.sending` sends what is claimed here).

One statement per group instead of two per mail (bench/results/fanout-profile-20261207.md: the
claim, the "sent" and a commit per mail were 29 % of a mail's time).
"""

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q

from irsite import clock, worker
from releases.models import Release

from .models import AlertBatch, Delivery, Subscriber

State = Delivery.State


def claim(delivery_ids: list[int]) -> tuple[datetime, set[int]]:
    """Claim those of ``delivery_ids`` that are pending, while the release is published and
    the reader subscribed (by the rows as they are now), in one UPDATE; which this worker
    holds, read back by its name and the claim's moment (Django's UPDATE returns a count).

    The conditions on other tables are EXISTS clauses, so the UPDATE names only these rows and
    ``state`` is checked on each: a join would make Django write ``id IN (SELECT ...)``, whose
    pending state PostgreSQL does not read again after waiting for another worker's claim
    (both would send). Committed before anything is sent."""
    now = clock.now()
    me = worker.worker_id()
    with transaction.atomic():
        Delivery.objects.filter(
            Exists(
                AlertBatch.objects.filter(
                    # A topic's batch has no release: its item is checked by the sender.
                    Q(release__status=Release.Status.PUBLISHED) | Q(release__isnull=True),
                    pk=OuterRef("batch_id"),
                )
            ),
            Exists(
                Subscriber.objects.filter(
                    pk=OuterRef("subscriber_id"), status=Subscriber.Status.ACTIVE
                )
            ),
            pk__in=delivery_ids,
            state=State.PENDING,
        ).update(state=State.SENDING, claimed_at=now, claimed_by=me, attempts=F("attempts") + 1)
        held = set(
            Delivery.objects.filter(
                pk__in=delivery_ids, state=State.SENDING, claimed_by=me, claimed_at=now
            ).values_list("pk", flat=True)
        )
    return now, held


def mine(delivery_ids: list[int]):
    """The deliveries this worker holds (claimed, not yet closed)."""
    return Delivery.objects.filter(
        pk__in=delivery_ids, state=State.SENDING, claimed_by=worker.worker_id()
    )


def record_sent(
    delivery_ids: list[int], bounced: list[int], *, while_public: int | None = None
) -> bool:
    """The deliveries the mail server accepted, ``sent`` in one UPDATE; ``bounced``: their
    subscribers whose earlier hard failures an accepted message clears.

    ``while_public``: a release's id. The UPDATE then records only while that release is
    public (`Release.objects.public`, by the database's clock), so the one statement that
    records a message also checks the release before the next one, with no SELECT of its own
    (the per-message check cost ~14 % of a sending worker's time). True when it recorded them
    and the release was public at that moment; False when it was not (or a delivery is no
    longer this worker's): they are then recorded unconditionally, the caller checks again."""
    if not delivery_ids:
        return False
    rows, now = mine(delivery_ids), clock.now()
    sent = {"state": State.SENT, "sent_at": now, "last_error": ""}
    with transaction.atomic():
        recorded = 0
        if while_public is not None:
            public = Release.objects.public(now).filter(pk=while_public)
            recorded = rows.filter(Exists(public)).update(**sent)
        if recorded != len(delivery_ids):
            # Withdrawn at this moment (rare): what the server accepted is recorded all the same.
            rows.update(**sent)
        if bounced:
            Subscriber.objects.filter(pk__in=bounced, hard_failures__gt=0).update(hard_failures=0)
    return recorded == len(delivery_ids)


def cancel(delivery_ids: list[int], note: str) -> None:
    """Pending deliveries, and those this worker holds unsent, that may not be sent."""
    Delivery.objects.filter(
        Q(state=State.PENDING) | Q(state=State.SENDING, claimed_by=worker.worker_id()),
        pk__in=delivery_ids,
    ).update(state=State.CANCELLED, last_error=note)


def not_claimed(delivery_ids: list[int]) -> dict[int, str]:
    """Why pending deliveries could not be claimed: each that may not be sent is cancelled."""
    outcomes: dict[int, str] = {}
    rows = Delivery.objects.filter(pk__in=delivery_ids).values_list(
        "pk", "state", "batch__release__status", "subscriber__status"
    )
    for pk, state, release_status, subscriber_status in rows:
        if state != State.PENDING:
            outcomes[pk] = "not pending"
            continue
        if release_status is not None and release_status != Release.Status.PUBLISHED:
            note = "The release was withdrawn."
        else:
            note = f"The subscriber is {subscriber_status}."
        Delivery.objects.filter(pk=pk, state=State.PENDING).update(
            state=State.CANCELLED, last_error=note
        )
        outcomes[pk] = State.CANCELLED
    return outcomes
