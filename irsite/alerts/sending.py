"""Sending alerts: the worker's due-release check, planning in chunks, and batches of
recipients sent over one SMTP connection.

How a release reaches each subscriber exactly once:

1. The due-release check (every ``IRSITE_ALERTS_CHECK_SECONDS``, and at each go-live second,
   in every worker) looks for releases that `Release.objects.public()` shows and that have no
   go-live batch yet. Creating the batch is an INSERT that a UNIQUE(release, round) constraint
   lets only one worker win.
2. Planning is claimed with a conditional UPDATE (``planned_at IS NULL``) that one worker wins;
   it goes in chunks of ``IRSITE_ALERTS_PLAN_CHUNK`` subscribers in key order, the first in the
   claiming transaction, each next one a task (`plan_alerts`). A chunk holds the batch's row
   (``SELECT ... FOR UPDATE``), creates one `Delivery` per subscriber past ``planned_through``
   (UNIQUE(batch, subscriber)), enqueues a `send_alerts` task per ``IRSITE_ALERTS_BATCH_SIZE``
   deliveries and moves ``planned_through``, in one transaction: the first mails leave after
   one chunk, whatever the count, and a chunk is never planned twice.
3. `send_alerts` reads its deliveries and what their messages share once (the message is built
   once per batch and only its personal parts replaced per reader: `emails.Personaliser`),
   opens one SMTP connection, and sends a group of ``IRSITE_ALERTS_CLAIM_GROUP`` deliveries at
   a time: the group is claimed in one ``UPDATE ... WHERE state = 'pending'`` (and the release
   still published, each reader still subscribed; `claims`), committed before anything is
   sent. Each message the server accepts is recorded ``sent`` at once, in its own statement,
   and the item is checked again before the next message (for a release, by that same
   statement: `claims.record_sent`). A failure goes back to ``pending`` with a task that
   runs after a back-off, in one transaction. A task sends for at most ``BATCH_SECONDS``
   (and stops after the group in hand when its worker is asked to stop), then queues what is
   left as a task of its own, so a task never outlives its lease.

A withdrawal (or a topic's item no longer public) stops a batch at once: after it commits, each
sending worker sends at most one more message (the one it had checked or begun at that moment)
and everything else is cancelled.

The one window no database can close is a crash after the mail server accepted a message and
before ``sent`` was committed. A delivery left ``sending`` longer than the lease
(``IRSITE_ALERTS_LEASE_SECONDS``, well above ``EMAIL_TIMEOUT``) is sent again, with the same
Message-ID: a rare duplicate that mail systems can recognise is better than a reader who never
gets material news. Each worker holds at most ONE accepted message in that window (each is
recorded as soon as the server accepts it); a claimed delivery it had not sent yet comes back
``pending`` the same way and is sent once. A
worker killed in the middle of a batch leaves the rest of it ``pending`` under its task, which
the task lease (`irsite.worker`) gives to another worker.
"""

import logging
import smtplib
import threading
import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django_tasks import task

from irsite import clock, worker
from releases.models import Release

from . import claims, topics
from .emails import AlertParts, Personaliser, already_subscribed_message, confirmation_message
from .models import AlertBatch, Delivery, Subscriber
from .topics import TopicParts

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
    topics.start_due(now)  # the registered topics' items: events, filings (`topics`)
    for batch_id in AlertBatch.objects.filter(planned_at__isnull=True).values_list("pk", flat=True):
        start_planning(batch_id, now)
    recover_stale(now)
    AlertBatch.objects.filter(plan_done_at__isnull=False, finished_at__isnull=True).exclude(
        deliveries__state__in=[State.PENDING, State.SENDING]
    ).update(finished_at=now)


@transaction.atomic
def start_planning(batch_id: int, now: datetime) -> int:
    """Claim the planning of a batch (only one worker gets to) and plan its first chunk in the
    same transaction; how many deliveries that chunk planned."""
    if not AlertBatch.objects.filter(pk=batch_id, planned_at__isnull=True).update(planned_at=now):
        return 0
    return plan_chunk(batch_id, now)


@transaction.atomic
def plan_chunk(batch_id: int, now: datetime | None = None) -> int:
    """Plan the next ``IRSITE_ALERTS_PLAN_CHUNK`` subscribers of a batch whose planning began:
    their deliveries, a sending task per ``IRSITE_ALERTS_BATCH_SIZE`` of them, and the task
    of the next chunk (or the end of planning). How many deliveries it planned."""
    now = now or clock.now()
    batch = (
        # Only the batch's row is locked: a topic's batch has no release, and PostgreSQL locks
        # no nullable side of the outer join that reads it.
        AlertBatch.objects.select_for_update(of=("self",))
        .select_related("release")
        .filter(pk=batch_id, planned_at__isnull=False, plan_done_at__isnull=True)
        .first()
    )
    if batch is None:
        return 0  # planned to the end (a task run twice finds nothing left)
    if not _still_public(batch, now):
        # Withdrawn: nothing more is planned (what was planned is cancelled as it is reached).
        batch.plan_done_at = now
        if batch.planned_through == 0:
            batch.finished_at = now  # withdrawn before anyone was emailed: nothing to send
        batch.save(update_fields=["plan_done_at", "finished_at"])
        return 0
    size = settings.IRSITE_ALERTS_PLAN_CHUNK
    subscriber_ids = list(
        topics.recipients(batch)
        .filter(pk__gt=batch.planned_through)
        .order_by("pk")
        .values_list("pk", flat=True)[:size]
    )
    deliveries = Delivery.objects.bulk_create(
        [Delivery(batch=batch, subscriber_id=pk) for pk in subscriber_ids]
    )
    per_task = settings.IRSITE_ALERTS_BATCH_SIZE
    for start in range(0, len(deliveries), per_task):
        send_alerts.enqueue(batch.pk, [d.pk for d in deliveries[start : start + per_task]])
    if subscriber_ids:
        batch.planned_through = subscriber_ids[-1]
    more = len(subscriber_ids) == size and (
        topics.recipients(batch).filter(pk__gt=batch.planned_through).exists()
    )
    if not more:
        batch.plan_done_at = now
    else:
        plan_alerts.enqueue(batch.pk)  # after this chunk's sending tasks
    batch.save(update_fields=["planned_through", "plan_done_at"])
    logger.info(
        "Alert batch %s: %d recipients planned for “%s”%s",
        batch.pk,
        len(deliveries),
        batch.release or batch,
        "" if batch.plan_done_at else ", more to plan",
    )
    return len(deliveries)


def _still_public(batch: AlertBatch, now: datetime) -> bool:
    if batch.topic:
        return topics.message(batch, now) is not None
    return Release.objects.public(now).filter(pk=batch.release_id or 0).exists()


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


# --- a batch of recipients -------------------------------------------------------------------

# A sending task stops after this many seconds and queues what is left as a task of its own: a
# task stays well inside the task lease (IRSITE_TASK_LEASE_SECONDS), whatever the relay's pace.
BATCH_SECONDS = 30.0


class _Pace:
    """At most ``IRSITE_ALERTS_RATE`` messages a second from this worker process (0: as fast
    as the mail server takes them): a relay's sending rate, shared out between workers."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.next_at = 0.0

    def wait(self) -> None:
        rate = settings.IRSITE_ALERTS_RATE
        if rate <= 0:
            return
        with self.lock:
            now = time.monotonic()
            at = max(now, self.next_at)
            self.next_at = at + 1.0 / rate
        if at > now:
            time.sleep(at - now)


pace = _Pace()


def deliver_many(batch_id: int, delivery_ids: Iterable[int]) -> dict[int, str]:
    """Send a batch's release to the subscribers of ``delivery_ids`` over one SMTP connection,
    each unless someone else has, or it may not be sent; each delivery's outcome.

    Cancelled only when the release is withdrawn or the subscriber left; a worker that finds
    itself early by the database's clock, or whose clock is out of bound, leaves the
    deliveries pending for their second (or for another worker), never closes them."""
    ids = list(delivery_ids)
    if not clock.in_bound():
        at = clock.now() + timedelta(seconds=settings.IRSITE_CLOCK_CHECK_SECONDS)
        send_alerts.using(run_after=at).enqueue(batch_id, ids)
        return dict.fromkeys(ids, f"later: {at:%H:%M:%S}")
    batch = AlertBatch.objects.select_related("release__letterhead").get(pk=batch_id)
    release = batch.release
    parts: AlertParts | TopicParts | None = None
    if release is None:
        # A topic's item (`topics`): sent while the topic says it is public, by the database's
        # clock; once it is not (hidden, withdrawn), what is pending is cancelled.
        found = topics.message(batch, clock.now())
        if found is None:
            claims.cancel(ids, "The item is no longer public.")
            return dict.fromkeys(ids, State.CANCELLED)
        parts = TopicParts(batch, found)
    elif release.status != Release.Status.PUBLISHED:
        claims.cancel(ids, "The release was withdrawn.")
        return dict.fromkeys(ids, State.CANCELLED)
    elif release.published_at is not None and release.published_at > clock.now():
        # Cannot happen by the database's clock (the batch starts at the go-live); if it does,
        # the deliveries wait for their second.
        send_alerts.using(run_after=release.published_at).enqueue(batch_id, ids)
        return dict.fromkeys(ids, f"later: {release.published_at:%H:%M:%S}")
    deliveries = list(
        Delivery.objects.filter(pk__in=ids, state=State.PENDING)
        .select_related("subscriber")
        .prefetch_related("subscriber__categories", "subscriber__topic_choices")
        .order_by("pk")
    )
    outcomes = dict.fromkeys(ids, "not pending")
    sender = _BatchSender(batch, parts)
    try:
        sender.run(deliveries, outcomes)
    finally:
        sender.close()
    return outcomes


def deliver(delivery_id: int) -> str:
    """Send one delivery (a retry, a delivery a dead worker left): `deliver_many` of one."""
    batch_id = Delivery.objects.filter(pk=delivery_id).values_list("batch_id", flat=True).first()
    if batch_id is None:
        return "not pending"
    return deliver_many(batch_id, [delivery_id])[delivery_id]


class _BatchSender:
    """Sends the messages of one batch over one SMTP connection, a claimed group at a time.

    Each group of ``IRSITE_ALERTS_CLAIM_GROUP`` deliveries is claimed in one UPDATE (while the
    release is published and each reader subscribed). Before each further message of the
    group the item is checked again by the database's clock: for a release, by the UPDATE
    that recorded the message before (it records only while the release is public, else
    records all the same and says so: `claims.record_sent`); for a topic's item, or after a
    message that was not recorded, by a SELECT of its own. After a withdrawal commits, each
    sending worker sends at most the one message it had checked or begun (docs/deployment.md,
    "E-mail alerts at scale")."""

    def __init__(self, batch: AlertBatch, parts: "AlertParts | TopicParts | None") -> None:
        self.batch = batch
        self.parts = parts
        self.personaliser: Personaliser | None = None
        self.connection = get_connection()
        self.accepted: list[Delivery] = []  # sent, not yet recorded
        # The release was public when the last message was recorded: the next needs no check.
        self.checked = False

    def run(self, deliveries: list[Delivery], outcomes: dict[int, str]) -> None:
        size = max(1, settings.IRSITE_ALERTS_CLAIM_GROUP)
        deadline = time.monotonic() + BATCH_SECONDS
        for start in range(0, len(deliveries), size):
            rest = [d.pk for d in deliveries[start:]]
            if time.monotonic() > deadline or worker.stop_requested.is_set():
                send_alerts.enqueue(self.batch.pk, rest)  # the rest, as a task of its own
                outcomes.update(dict.fromkeys(rest, "queued again"))
                return
            group = deliveries[start : start + size]
            if self.batch.topic and not self._still_public():
                return self._withdrawn(rest, outcomes)
            with transaction.atomic():
                self._record()
                _, held = claims.claim([d.pk for d in group])
            unclaimed = [d.pk for d in group if d.pk not in held]
            if unclaimed and not self._still_public():
                return self._withdrawn(rest, outcomes)
            outcomes.update(claims.not_claimed(unclaimed))
            mine = [d for d in group if d.pk in held]
            for n, delivery in enumerate(mine):
                # The claim checked the first; each later one is checked again, so that a
                # withdrawal committed while a message was in its SMTP transaction stops the
                # very next one (a group would otherwise go on for its whole length).
                if (n or self.batch.topic) and not (self.checked or self._still_public()):
                    unsent = [d.pk for d in mine[n:]]
                    return self._withdrawn(unsent + rest[len(group) :], outcomes)
                delivery.batch = self.batch
                outcomes[delivery.pk] = self.send(delivery)

    def _still_public(self) -> bool:
        return _still_public(self.batch, clock.now())

    def _withdrawn(self, delivery_ids: list[int], outcomes: dict[int, str]) -> None:
        note = "The item is no longer public." if self.batch.topic else "The release was withdrawn."
        claims.cancel(delivery_ids, note)
        outcomes.update(dict.fromkeys(delivery_ids, State.CANCELLED))

    def message(self, delivery: Delivery):
        self.parts = self.parts or AlertParts(self.batch)
        self.personaliser = self.personaliser or Personaliser(self.parts)
        return self.personaliser.message(delivery)

    def send(self, delivery: Delivery) -> str:
        delivery.attempts += 1
        self.checked = False
        try:
            message = self.message(delivery)
            pace.wait()
            # Opened here if it is not (the batch's first message, or after a failure), so
            # that send_messages keeps it open for the next message rather than closing it.
            self.connection.open()
            # What its content can break, breaks before anything reaches the server.
            self.connection.send_messages([message])
        except DatabaseError:
            raise  # not the content: the lease brings this delivery back
        except (smtplib.SMTPException, OSError) as exc:
            self.connection.close()  # the next message opens a new one (this may be broken)
            return _failed(delivery, exc)
        except Exception as exc:
            # Content that cannot be mailed fails again on every attempt: failed for good, with
            # the reason an operator can act on, and the other deliveries go on.
            self.connection.close()
            logger.exception("Alert delivery %s cannot be built", delivery.pk)
            return _close(delivery, State.FAILED, f"The message could not be built: {_reason(exc)}")
        self.accepted.append(delivery)
        # Recorded at once, in its own statement: a crash between the server's acceptance and
        # this record sends that one message again, never more (exactly once is the promise;
        # recording a group later re-sent up to a group's worth after a kill).
        self._record()
        return "sent"

    def _record(self) -> None:
        accepted, self.accepted = self.accepted, []
        self.checked = claims.record_sent(
            [d.pk for d in accepted],
            [d.subscriber_id for d in accepted if d.subscriber.hard_failures],
            while_public=self.batch.release_id,
        )

    def close(self) -> None:
        try:
            self._record()
        finally:
            self.connection.close()


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


def _mine(delivery: Delivery):
    return claims.mine([delivery.pk])


def _close(delivery: Delivery, state: str, note: str) -> str:
    _mine(delivery).update(state=state, last_error=note)
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
    attempts = delivery.attempts  # counts this attempt
    if bouncing or attempts >= settings.IRSITE_ALERTS_MAX_ATTEMPTS:
        logger.warning("Alert delivery %s failed for good: %s", delivery.pk, error)
        _mine(delivery).update(state=State.FAILED, last_error=error)
        return State.FAILED
    retry_at = clock.now() + timedelta(
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
def send_alerts(batch_id: int, delivery_ids: list[int]) -> str:
    outcomes = list(deliver_many(batch_id, delivery_ids).values())
    return ", ".join(f"{outcomes.count(o)} {o}" for o in sorted(set(outcomes)))


@task()
def plan_alerts(batch_id: int) -> str:
    return f"{plan_chunk(batch_id)} planned"


@task()
def send_alert(delivery_id: int) -> str:
    """One delivery: a retry, or one a dead worker left sending."""
    return deliver(delivery_id)


@task()
def send_confirmation(subscriber_id: int, requested_at: str) -> str:
    return send_confirmation_email(subscriber_id, requested_at)


@task()
def send_already_subscribed(subscriber_id: int) -> str:
    return send_already_subscribed_email(subscriber_id)
