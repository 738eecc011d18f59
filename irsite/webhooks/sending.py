"""Sending webhooks: the worker's check, and one delivery at a time.

How each event reaches each endpoint exactly once, never before its second:

1. The check (every few seconds, and at each go-live second: `manage.py run_worker`) asks every
   registered event type (`registry`) what happened by now, by the database's clock: a release
   is ``live`` only once `ReleaseQuerySet.public` shows it. An event is an INSERT that its
   unique key lets one worker win; in the same transaction its body is stored (the bytes that
   are signed and sent on every attempt), a `Delivery` is made per enabled endpoint that asked
   for its type and was registered before it happened, and a task is queued per delivery, at a
   priority above the other tasks (a go-live's e-mails do not hold its webhooks back).
2. `deliver` claims its row with ``UPDATE ... WHERE state = 'pending'`` (committed before the
   request), checks the second and the endpoint, POSTs once with a short timeout, and records
   the attempt and the outcome in one transaction: 2xx delivered; a timeout, a network error,
   408, 429 or 5xx again after a back-off; anything else failed.
3. A delivery left ``sending`` by a worker that died is sent again after
   ``IRSITE_WEBHOOKS_LEASE_SECONDS`` with the same ``webhook-id`` (receivers de-duplicate on
   it: Standard Webhooks' at-least-once), as is a retry or a replay.

An endpoint failing without a success for ``IRSITE_WEBHOOKS_DISABLE_AFTER_HOURS`` is disabled
and the staff who manage webhooks are e-mailed (`failures.disable_failing_endpoint`).
"""

import json
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django_tasks import task

from irsite import clock, worker

from . import outbound, registry, signing
from .failures import disable_failing_endpoint
from .models import Attempt, Delivery, Endpoint, Event

logger = logging.getLogger("irsite.webhooks")
State = Delivery.State

# Above the default (0): a go-live's webhooks go before its e-mails and renditions.
PRIORITY = 10


# --- the check -------------------------------------------------------------------------------


def check(now: datetime | None = None) -> int:
    """One tick: create the events that are due, with their deliveries; recover stale ones.
    How many events were created. Nothing while this worker's clock is out of bound."""
    if not clock.in_bound():
        logger.error(
            "Webhooks held: this worker's clock is %+.2f s off the database's.", clock.skew()
        )
        return 0
    now = now or clock.now()
    since = now - timedelta(hours=settings.IRSITE_WEBHOOKS_WINDOW_HOURS)
    created = 0
    for event_type in registry.types():
        occurrences = {o.key: o for o in event_type.due(now, since)}
        if not occurrences:
            continue
        known = set(Event.objects.filter(key__in=occurrences).values_list("key", flat=True))
        for key, occurrence in occurrences.items():
            if key not in known and occurrence.occurred_at <= now:
                created += create_event(event_type, occurrence, now)
    recover_stale(now)
    return created


def create_event(event_type: registry.EventType, occurrence: registry.Occurrence, now) -> int:
    """The event, its deliveries and their tasks, in one transaction; 0 if another worker made
    it first."""
    data = event_type.payload(occurrence.subject)
    payload = {
        "type": event_type.name,
        "timestamp": occurrence.occurred_at.isoformat(),
        "data": data,
    }
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    try:
        with transaction.atomic():
            event = Event.objects.create(
                type=event_type.name,
                key=occurrence.key,
                occurred_at=occurrence.occurred_at,
                created_at=now,
                body=body,
            )
            endpoints = [
                endpoint
                for endpoint in Endpoint.objects.filter(
                    enabled=True, created_at__lte=occurrence.occurred_at
                )
                if event_type.name in endpoint.events
            ]
            deliveries = Delivery.objects.bulk_create(
                [Delivery(event=event, endpoint=endpoint) for endpoint in endpoints]
            )
            for delivery in deliveries:
                send_webhook.using(priority=PRIORITY).enqueue(delivery.pk)
    except IntegrityError:
        return 0  # another worker created it a moment ago
    logger.info("Webhook event %s: %d endpoints", occurrence.key, len(deliveries))
    return 1


def recover_stale(now: datetime) -> None:
    """Deliveries a dead worker left ``sending`` go out again (same id, same bytes)."""
    cutoff = now - timedelta(seconds=settings.IRSITE_WEBHOOKS_LEASE_SECONDS)
    stale = Delivery.objects.filter(state=State.SENDING, claimed_at__lt=cutoff)
    for pk, claimed_at in stale.values_list("pk", "claimed_at"):
        with transaction.atomic():
            note = f"The worker stopped while sending (claimed {claimed_at:%Y-%m-%d %H:%M:%S})."
            if Delivery.objects.filter(pk=pk, state=State.SENDING, claimed_at=claimed_at).update(
                state=State.PENDING, next_attempt_at=now, last_error=note
            ):
                send_webhook.using(priority=PRIORITY).enqueue(pk)


# --- one delivery ----------------------------------------------------------------------------


def deliver(delivery_id: int) -> str:
    """POST one event to one endpoint, unless someone else is, or it is not yet its second."""
    if not clock.in_bound():
        return _later(
            delivery_id, clock.now() + timedelta(seconds=settings.IRSITE_CLOCK_CHECK_SECONDS)
        )
    now = clock.now()
    claimed = Delivery.objects.filter(pk=delivery_id, state=State.PENDING).update(
        state=State.SENDING,
        claimed_at=now,
        claimed_by=worker.worker_id(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return "not pending"
    delivery = Delivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    event, endpoint = delivery.event, delivery.endpoint
    if event.occurred_at > now:
        # Cannot happen by the database's clock (events are made once due); if it does, the
        # delivery waits for its second.
        _mine(delivery).update(state=State.PENDING)
        return _later(delivery_id, event.occurred_at)
    if not endpoint.enabled:
        return _close(delivery, State.CANCELLED, "The endpoint is disabled.", None)
    event_type = registry.get(event.type)
    withheld = event_type and event_type.withheld and event_type.withheld(event.key)
    if withheld:
        # Withdrawn since the event was made: a retry never announces it as live.
        return _close(delivery, State.CANCELLED, withheld, None)
    body = bytes(event.body)
    headers = signing.headers(event.message_id, int(now.timestamp()), body, endpoint.secrets(now))
    try:
        answer = outbound.post(
            endpoint.url, body, headers, timeout=settings.IRSITE_WEBHOOKS_TIMEOUT_SECONDS
        )
    except outbound.AddressRefused as exc:
        answer = outbound.Answer(None, str(exc), 0, retry=False)
    return _record(delivery, now, answer)


def _later(delivery_id: int, at: datetime) -> str:
    send_webhook.using(run_after=at, priority=PRIORITY).enqueue(delivery_id)
    return f"later: {at:%H:%M:%S}"


def _mine(delivery: Delivery):
    return Delivery.objects.filter(
        pk=delivery.pk, state=State.SENDING, claimed_by=worker.worker_id()
    )


def _close(delivery: Delivery, state: str, note: str, code: int | None) -> str:
    _mine(delivery).update(
        state=state,
        last_error=note,
        response_code=code,
        delivered_at=clock.now() if state == State.DELIVERED else None,
    )
    return state


def retry_delay(attempts: int) -> float:
    """Seconds before attempt ``attempts + 1``: IRSITE_WEBHOOKS_RETRY_SECONDS, times 4 for each
    attempt made, at most six hours (with 10 attempts and 30 s: about 16 hours in all)."""
    return min(6 * 3600.0, settings.IRSITE_WEBHOOKS_RETRY_SECONDS * 4 ** (attempts - 1))


@transaction.atomic
def _record(delivery: Delivery, started: datetime, answer: outbound.Answer) -> str:
    Attempt.objects.create(
        delivery=delivery,
        started_at=started,
        duration_ms=answer.duration_ms,
        response_code=answer.status,
        error=answer.error,
        worker=worker.worker_id(),
    )
    endpoint = delivery.endpoint
    if not answer.error:
        Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        return _close(delivery, State.DELIVERED, "", answer.status)
    Endpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
        failing_since=started
    )
    endpoint.refresh_from_db(fields=["failing_since", "enabled"])
    limit = timedelta(hours=settings.IRSITE_WEBHOOKS_DISABLE_AFTER_HOURS)
    if endpoint.enabled and endpoint.failing_since and started - endpoint.failing_since >= limit:
        disable_failing_endpoint(endpoint, answer.error)
    if not answer.retry or delivery.attempts >= settings.IRSITE_WEBHOOKS_MAX_ATTEMPTS:
        logger.warning("Webhook delivery %s failed for good: %s", delivery.pk, answer.error)
        return _close(delivery, State.FAILED, answer.error, answer.status)
    retry_at = clock.now() + timedelta(seconds=retry_delay(delivery.attempts))
    if _mine(delivery).update(
        state=State.PENDING,
        next_attempt_at=retry_at,
        last_error=answer.error,
        response_code=answer.status,
    ):
        send_webhook.using(run_after=retry_at, priority=PRIORITY).enqueue(delivery.pk)
    logger.info("Webhook delivery %s: %s; again at %s", delivery.pk, answer.error[:200], retry_at)
    return "retry"


# --- the tasks -------------------------------------------------------------------------------


@task(priority=PRIORITY)
def send_webhook(delivery_id: int) -> str:
    return deliver(delivery_id)
