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
import os
import socket
import threading
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

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
    ).update(status=TaskResultStatus.READY, run_after=timezone.now())
    if released:
        logger.warning("Task %s (%s) released: %s", result.pk, result.task_path, why)
    return bool(released)


def requeue_stale() -> int:
    """Tasks held by a worker past the lease go back to ``READY`` (or fail after too many
    claims); how many were taken up again. Each is a conditional UPDATE on the claim it saw,
    so two workers doing this at once requeue a task once."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.IRSITE_TASK_LEASE_SECONDS)
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
