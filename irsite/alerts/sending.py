"""Sending alerts: the worker's due-release check, and one delivery at a time.

How a release reaches each subscriber exactly once:

1. The due-release check (every few seconds, in every worker) looks for releases that
   `Release.objects.public()` shows and that have no go-live batch yet. Creating the batch is
   an INSERT that a UNIQUE(release, round) constraint lets only one worker win.
2. Planning claims the batch with a conditional UPDATE (``planned_at IS NULL``) that one worker
   wins, and in the same transaction creates one `Delivery` per matching subscriber
   (UNIQUE(batch, subscriber)) and enqueues one `send_alert` task per delivery.
3. `deliver` claims its row with ``UPDATE ... WHERE state = 'pending'`` (committed before
   anything is sent), checks again that the release is public and the reader subscribed,
   sends, and records ``sent``. A failure goes back to ``pending`` with a task that runs after
   a back-off, in one transaction.

The one window no database can close is a crash after the mail server accepted a message and
before ``sent`` was committed. A delivery left ``sending`` longer than the lease
(``IRSITE_ALERTS_LEASE_SECONDS``, well above ``EMAIL_TIMEOUT``) is sent again, with the same
Message-ID: a rare duplicate that mail systems can recognise is better than a reader who never
gets material news. Each worker holds at most one delivery in that window at a time.
"""

import logging
import smtplib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from irsite import clock, worker
from releases.models import Release

from .emails import alert_message, already_subscribed_message, confirmation_message
from .models import AlertBatch, Delivery, Subscriber

logger = logging.getLogger("irsite.alerts")
State = Delivery.State

# Who claims a delivery: this process, or the worker thread a caller named (`irsite.worker`).
worker_id = worker.worker_id
set_worker_id = worker.set_worker_id


# --- the due-release check -----------------------------------------------------------------


def due_releases(now: datetime) -> "list[Release]":
    """Public releases that went live within the window and were never alerted.

    The window (``IRSITE_ALERTS_WINDOW_HOURS``) keeps history out of inboxes: importing twenty
    years of filings, or restoring a backup, makes old releases public but never emails them.
    """
    window = timedelta(hours=settings.IRSITE_ALERTS_WINDOW_HOURS)
    return list(
        Release.objects.public(now)
        .filter(published_at__gte=now - window)
        .exclude(alert_batches__round=1)
        .only("pk")
    )


def check(now: datetime | None = None) -> None:
    """One tick of the worker: start due batches, plan them, recover, close finished ones.

    "Due" is by the database's clock (`irsite.clock`); a worker whose own clock is out of bound
    does nothing until it is back (another worker sends meanwhile)."""
    if not clock.in_bound():
        logger.error(
            "Alerts held: this worker's clock is %+.2f s off the database's.", clock.skew()
        )
        return
    now = now or clock.now()
    for release in due_releases(now):
        try:
            with transaction.atomic():
                AlertBatch.objects.create(release=release, round=1, created_at=now)
        except IntegrityError:
            pass  # another worker started it a moment ago
    for batch_id in AlertBatch.objects.filter(planned_at__isnull=True).values_list("pk", flat=True):
        plan_batch(batch_id, now)
    recover_stale(now)
    AlertBatch.objects.filter(planned_at__isnull=False, finished_at__isnull=True).exclude(
        deliveries__state__in=[State.PENDING, State.SENDING]
    ).update(finished_at=now)


@transaction.atomic
def plan_batch(batch_id: int, now: datetime) -> int:
    """Create the deliveries of a batch and their tasks; only one worker gets to. Returns how
    many were planned."""
    if not AlertBatch.objects.filter(pk=batch_id, planned_at__isnull=True).update(planned_at=now):
        return 0
    batch = AlertBatch.objects.select_related("release").get(pk=batch_id)
    if not Release.objects.public(now).filter(pk=batch.release_id).exists():
        batch.finished_at = now  # withdrawn before anyone was emailed: nothing to send
        batch.save(update_fields=["finished_at"])
        return 0
    subscriber_ids = Subscriber.objects.matching(batch.release).values_list("pk", flat=True)
    deliveries = Delivery.objects.bulk_create(
        [Delivery(batch=batch, subscriber_id=pk) for pk in subscriber_ids]
    )
    for delivery in deliveries:
        send_alert.enqueue(delivery.pk)
    logger.info("Alert batch %s: %d recipients for “%s”", batch.pk, len(deliveries), batch.release)
    return len(deliveries)


def recover_stale(now: datetime) -> None:
    """Deliveries a dead worker left ``sending`` are sent again (see the module docstring)."""
    cutoff = now - timedelta(seconds=settings.IRSITE_ALERTS_LEASE_SECONDS)
    stale = Delivery.objects.filter(state=State.SENDING, claimed_at__lt=cutoff)
    for pk, claimed_at, attempts in stale.values_list("pk", "claimed_at", "attempts"):
        with transaction.atomic():
            mine = Delivery.objects.filter(pk=pk, state=State.SENDING, claimed_at=claimed_at)
            note = f"The worker stopped while sending (claimed {claimed_at:%Y-%m-%d %H:%M:%S})."
            if attempts >= settings.IRSITE_ALERTS_MAX_ATTEMPTS:
                mine.update(state=State.FAILED, last_error=note)
            elif mine.update(state=State.PENDING, next_attempt_at=now, last_error=note):
                send_alert.enqueue(pk)
    # The task a dead worker held is put back by the worker's lease on every task
    # (`irsite.worker`); run again, it finds its delivery no longer pending and does nothing.


# --- one delivery --------------------------------------------------------------------------


def deliver(delivery_id: int) -> str:
    """Send one release to one subscriber, unless someone else has, or it may not be sent.

    Cancelled only when the release is withdrawn or the subscriber left; a worker that finds
    itself early by the database's clock, or whose clock is out of bound, leaves the delivery
    pending for its second (or for another worker), never closes it."""
    if not clock.in_bound():
        return _later(
            delivery_id, clock.now() + timedelta(seconds=settings.IRSITE_CLOCK_CHECK_SECONDS)
        )
    now = clock.now()
    claimed = Delivery.objects.filter(pk=delivery_id, state=State.PENDING).update(
        state=State.SENDING,
        claimed_at=now,
        claimed_by=worker_id(),
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return "not pending"
    delivery = Delivery.objects.select_related("batch__release__letterhead", "subscriber").get(
        pk=delivery_id
    )
    release = delivery.batch.release
    if release.status != Release.Status.PUBLISHED:
        return _close(delivery, State.CANCELLED, "The release was withdrawn.")
    if release.published_at is not None and release.published_at > now:
        # Cannot happen by the database's clock (the batch starts at the go-live); if it does,
        # the delivery waits for its second.
        _mine(delivery).update(state=State.PENDING)
        return _later(delivery_id, release.published_at)
    if delivery.subscriber.status != Subscriber.Status.ACTIVE:
        return _close(delivery, State.CANCELLED, f"The subscriber is {delivery.subscriber.status}.")
    try:
        message = alert_message(delivery)
        message.message()  # builds the MIME message: what its content can break, breaks here
    except DatabaseError:
        raise  # not the content: the lease brings this delivery back
    except Exception as exc:
        # Content that cannot be mailed fails again on every attempt: failed for good, with the
        # reason an operator can act on, and the other deliveries go on.
        logger.exception("Alert delivery %s cannot be built", delivery.pk)
        return _close(delivery, State.FAILED, f"The message could not be built: {_reason(exc)}")
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        return _failed(delivery, exc)
    _close(delivery, State.SENT, "")
    Subscriber.objects.filter(pk=delivery.subscriber_id, hard_failures__gt=0).update(
        hard_failures=0
    )
    return "sent"


def _later(delivery_id: int, at: datetime) -> str:
    """Run this delivery's task again at ``at`` (its row stays or goes back to pending)."""
    send_alert.using(run_after=at).enqueue(delivery_id)
    return f"later: {at:%H:%M:%S}"


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _mine(delivery: Delivery):
    return Delivery.objects.filter(pk=delivery.pk, state=State.SENDING, claimed_by=worker_id())


def _close(delivery: Delivery, state: str, note: str) -> str:
    sent_at = timezone.now() if state == State.SENT else None
    _mine(delivery).update(state=state, sent_at=sent_at, last_error=note)
    return state


def is_hard_failure(exc: Exception) -> bool:
    """The mail server refused the address itself (5xx): the reader's mailbox, not our setup."""
    return isinstance(exc, smtplib.SMTPRecipientsRefused) and all(
        code >= 500 for code, _ in exc.recipients.values()
    )


@transaction.atomic
def _failed(delivery: Delivery, exc: Exception) -> str:
    error = _reason(exc)
    bouncing = False
    if is_hard_failure(exc):
        Subscriber.objects.filter(pk=delivery.subscriber_id).update(
            hard_failures=F("hard_failures") + 1
        )
        bouncing = bool(
            Subscriber.objects.filter(
                pk=delivery.subscriber_id, hard_failures__gte=settings.IRSITE_ALERTS_BOUNCE_LIMIT
            ).update(status=Subscriber.Status.BOUNCING)
        )
    attempts = delivery.attempts  # read after the claim, so it counts this attempt
    if bouncing or attempts >= settings.IRSITE_ALERTS_MAX_ATTEMPTS:
        logger.warning("Alert delivery %s failed for good: %s", delivery.pk, error)
        _mine(delivery).update(state=State.FAILED, last_error=error)
        return State.FAILED
    retry_at = timezone.now() + timedelta(
        seconds=settings.IRSITE_ALERTS_RETRY_SECONDS * 5 ** (attempts - 1)
    )
    if _mine(delivery).update(state=State.PENDING, next_attempt_at=retry_at, last_error=error):
        send_alert.using(run_after=retry_at).enqueue(delivery.pk)
    logger.info("Alert delivery %s failed (%s); retrying at %s", delivery.pk, error, retry_at)
    return "retry"


# --- confirmation emails -------------------------------------------------------------------


def send_confirmation_email(subscriber_id: int, requested_at: str) -> str:
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if (
        subscriber is None
        or subscriber.status != Subscriber.Status.PENDING
        or subscriber.requested_at != datetime.fromisoformat(requested_at)
    ):
        return "superseded"
    confirmation_message(subscriber).send()
    return "sent"


def send_already_subscribed_email(subscriber_id: int) -> str:
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    if subscriber is None or subscriber.status != Subscriber.Status.ACTIVE:
        return "not subscribed"
    already_subscribed_message(subscriber).send()
    return "sent"


# --- the tasks (re-exported by `irsite.alerts.tasks`, the dotted path queued tasks name) ------


@task()
def send_alert(delivery_id: int) -> str:
    return deliver(delivery_id)


@task()
def send_confirmation(subscriber_id: int, requested_at: str) -> str:
    return send_confirmation_email(subscriber_id, requested_at)


@task()
def send_already_subscribed(subscriber_id: int) -> str:
    return send_already_subscribed_email(subscriber_id)
