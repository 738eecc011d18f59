"""What the background worker guarantees for every task, whatever its kind (purges, PDFs,
alerts): no task is lost with a worker.

- **A lease.** A task is ``RUNNING`` from the moment a worker claims it. A worker that dies
  (SIGKILL, the machine lost) never says so; a task left ``RUNNING`` longer than
  ``IRSITE_TASK_LEASE_SECONDS`` is put back ``READY`` by any worker's next pass, and runs again.
  After ``IRSITE_TASK_MAX_ATTEMPTS`` claims it is failed for good (a task that kills its worker
  each time must not take every worker down in turn). The lease is longer than any task may
  take (a rendition stops at ``IRSITE_PDF_RENDER_SECONDS``, a purge at its HTTP timeouts), so a
  live worker's task is not taken from it.
- **Released on the way out.** A worker asked to stop (SIGTERM) finishes its task within
  ``IRSITE_WORKER_STOP_SECONDS``, or puts it back ``READY`` and exits; a worker that loses its
  database connection in the middle of a task puts it back once it has reconnected.

Running a task twice must change nothing: a purge purges again, a rendition is stored again
(the newest wins, the same text), an alert delivery is claimed by a conditional UPDATE and a
second run finds it no longer pending.
"""

import logging
import math
import os
import socket
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta

from django.conf import settings
from django.db import OperationalError, close_old_connections
from django.db.models import Q, QuerySet
from django.utils.crypto import get_random_string
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from irsite import clock

logger = logging.getLogger("irsite.worker")

_default_worker_id = f"{socket.gethostname()[:40]}:{os.getpid()}:{get_random_string(6)}"
_local = threading.local()


def worker_id() -> str:
    """Who claims a delivery (an alert's, a webhook's): this process, or the worker thread a
    caller named."""
    return getattr(_local, "worker_id", _default_worker_id)


def set_worker_id(value: str) -> None:
    _local.worker_id = value[:64]


# The checks every worker runs every few seconds and at each go-live second, registered by the
# apps that act on what becomes due (alerts, webhooks) from their `AppConfig.ready`, in order.
_checks: dict[str, Callable[[], object]] = {}


def register_check(name: str, check: Callable[[], object]) -> None:
    _checks[name] = check


def run_checks() -> None:
    for check in list(_checks.values()):
        check()


# Tasks a worker whose own clock is out of bound (`irsite.clock.in_bound`) leaves to the others:
# the sends (alerts, webhooks), which hold themselves while their worker's clock is off. Held at
# the claim, not inside the task: a skewed worker that claimed one only to put it back 2 s later
# took it again and again, and a worker with a right clock never got it (seen under load).
_held_while_skewed: set[str] = set()


def hold_while_skewed(task_path: str) -> None:
    """Called from an `AppConfig.ready` with a task's dotted path (``task.module_path``)."""
    _held_while_skewed.add(task_path)


def held_while_skewed() -> frozenset[str]:
    return frozenset(_held_while_skewed)


# Set when this worker process is asked to stop (SIGTERM): a long task (a batch of alerts)
# ends after the item in hand and queues the rest, rather than being cut off at the bound.
stop_requested = threading.Event()


class WorkerLost(Exception):
    """Recorded on a task whose workers kept dying while they held it."""


def release(result: DBTaskResult, why: str) -> bool:
    """Put a task this worker claimed back ``READY`` (only if it is still the claim we made:
    same start, still running), so another worker, or this one, runs it again."""
    released = DBTaskResult.objects.filter(
        pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
    ).update(status=TaskResultStatus.READY, run_after=clock.now())
    if released:
        logger.warning("Task %s (%s) released: %s", result.pk, result.task_path, why)
    return bool(released)


def requeue_stale() -> int:
    """Tasks held by a worker past the lease go back to ``READY`` (or fail after too many
    claims); how many were taken up again. Each is a conditional UPDATE on the claim it saw,
    so two workers doing this at once requeue a task once."""
    cutoff = clock.now() - timedelta(seconds=settings.IRSITE_TASK_LEASE_SECONDS)
    stale = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
    requeued = 0
    for result in stale:
        holder = result.worker_ids[-1] if result.worker_ids else "?"
        if len(result.worker_ids) >= settings.IRSITE_TASK_MAX_ATTEMPTS:
            if DBTaskResult.objects.filter(
                pk=result.pk, status=TaskResultStatus.RUNNING, started_at=result.started_at
            ).exists():
                result.set_failed(
                    WorkerLost(
                        f"{len(result.worker_ids)} workers stopped during this task "
                        f"(the last: {holder})"
                    )
                )
                logger.error(
                    "Task %s (%s) failed for good: its workers died", result.pk, result.task_path
                )
            continue
        if release(result, f"its worker {holder} held it past the lease"):
            requeued += 1
    return requeued


# --- when a task is due: by the database's clock ----------------------------------------------
#
# django-tasks-db's worker takes a task whose ``run_after`` has passed by the worker's own wall
# clock: a worker whose clock is ahead would run a go-live's purge early, one behind would run
# it late by its skew. Here the database's clock (`irsite.clock`) decides, as it decides every
# publication; ``run_after`` is written from it too (`irsite.http.frontcache.purge_moments`).


def lane_tasks(queue_names: Sequence[str], excluded: Sequence[str]) -> QuerySet[DBTaskResult]:
    """The READY tasks of a lane (``queue_names`` may be ``["*"]``: every queue)."""
    tasks = DBTaskResult.objects.filter(status=TaskResultStatus.READY)
    if "*" not in queue_names:
        tasks = tasks.filter(queue_name__in=queue_names)
    if excluded:
        tasks = tasks.exclude(queue_name__in=excluded)
    return tasks


def due(tasks: QuerySet[DBTaskResult]) -> QuerySet[DBTaskResult]:
    """Those of ``tasks`` whose ``run_after`` has come by the database's clock (the library
    marks "as soon as possible" with the greatest date)."""
    return tasks.filter(Q(run_after=get_date_max()) | Q(run_after__lte=clock.now()))


def seconds_until_next_task(queue_names: Sequence[str], excluded: Sequence[str]) -> float:
    """Seconds, by the database's clock, until the earliest task of a lane enqueued to run later
    (a go-live's purge), so an idle worker wakes for it then rather than at its next poll;
    ``inf`` when none is waiting."""
    now = clock.now()
    at = (
        lane_tasks(queue_names, excluded)
        .filter(run_after__gt=now)
        .exclude(run_after=get_date_max())
        .order_by("run_after")
        .values_list("run_after", flat=True)
        .first()
    )
    return (at - now).total_seconds() if at else math.inf


class LeasedWorker(Worker):
    """django-tasks-db's worker, taking what is due by the database's clock and remembering
    the task in hand so that it can be put back. Its ``run`` is the library's loop (batch mode:
    until nothing is due or ``max_tasks`` ran) with `due` as the one change."""

    in_hand: DBTaskResult | None = None

    def run(self) -> None:
        while self.running:
            close_old_connections()
            tasks = due(lane_tasks(self.queue_names, self.excluded_queue_names)).filter(
                backend_name=self.backend_name
            )
            if _held_while_skewed and not clock.in_bound():
                tasks = tasks.exclude(task_path__in=_held_while_skewed)
            with exclusive_transaction(tasks.db):
                try:
                    task_result = tasks.select_for_update(skip_locked=True).first()
                except OperationalError as error:
                    if not is_locked_database_exception(error):
                        raise
                    continue  # SQLite busy: try again
                if task_result is None:
                    return
                task_result.claim(self.worker_id)
            self.run_task(task_result)
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.in_hand = db_task_result
        super().run_task(db_task_result)
        self.in_hand = None  # only once its outcome is recorded (an error leaves it in hand)
