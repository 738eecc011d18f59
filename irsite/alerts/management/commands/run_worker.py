"""The background worker: runs queued tasks and notices go-lives by itself.

`make run` starts it beside the web server; in production run it as its own service
(`python manage.py run_worker`, deploy/systemd/irsite-worker.service), one or more at once:
they never send a release twice, and no task is lost with one of them (`irsite.worker`):

- SIGTERM (or Ctrl-C): the task in hand is finished within ``IRSITE_WORKER_STOP_SECONDS``, or
  put back for another worker, and the worker exits; a second signal exits at once.
- The database ends the connection (a restart, a failover, ``pg_terminate_backend``): the
  worker logs it, reconnects with a growing pause (at most ``MAX_RECONNECT_PAUSE``) and goes on;
  a task it held is put back and runs again.
- A task whose worker died is taken up by any other worker once its lease expires.
"""

import logging
import math
import os
import signal
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, InterfaceError, close_old_connections, connections
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max

from irsite import worker
from irsite.alerts import sending

# django-tasks-db's worker says hello and goodbye on every pass of our loop; keep its warnings.
logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
logger = logging.getLogger("irsite.worker")

# Seconds between attempts to reach a database that ended our connection: 0.5, 1, 2 ... 10.
MAX_RECONNECT_PAUSE = 10.0


class LeasedWorker(Worker):
    """django-tasks-db's worker, remembering the task in hand so that it can be put back."""

    in_hand: DBTaskResult | None = None

    def run_task(self, db_task_result: DBTaskResult) -> None:
        self.in_hand = db_task_result
        super().run_task(db_task_result)
        self.in_hand = None  # only once its outcome is recorded (an error leaves it in hand)


def seconds_until_next_task() -> float:
    """Seconds until the earliest task enqueued to run later (a go-live's purge, due at the
    go-live second), so an idle worker wakes for it then rather than at its next poll;
    ``inf`` when none is waiting."""
    now = timezone.now()
    at = (
        DBTaskResult.objects.filter(status=TaskResultStatus.READY, run_after__gt=now)
        .exclude(run_after=get_date_max())
        .order_by("run_after")
        .values_list("run_after", flat=True)
        .first()
    )
    return (at - now).total_seconds() if at else math.inf


class Command(BaseCommand):
    help = (
        "Run the background worker: queued tasks (django-tasks, database backend) and, every "
        "few seconds, the check that emails releases which have just gone live."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check-every",
            type=float,
            default=settings.IRSITE_ALERTS_CHECK_SECONDS,
            help="Seconds between due-release checks (default: %(default)s).",
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=0.5,
            help="Seconds to wait when no task is ready (default: %(default)s).",
        )
        parser.add_argument(
            "--once",
            action="store_true",
            help="Check once, run every task that is ready, and exit.",
        )
        parser.add_argument("--worker-id", default="", help="A name unique among workers.")

    def handle(self, *, check_every: float, interval: float, once: bool, worker_id: str, **opts):
        if worker_id:
            sending.set_worker_id(worker_id)
        self.stopping = False
        self.current: LeasedWorker | None = None
        self.lost: DBTaskResult | None = None
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self.stop)
            signal.signal(signal.SIGINT, self.stop)
        if not once:
            self.stdout.write(
                f"Worker {sending.worker_id()} started; checking every {check_every}s"
            )
        next_check = 0.0
        pause = 0.0
        while not self.stopping:
            try:
                close_old_connections()
                if time.monotonic() >= next_check:
                    worker.requeue_stale()
                    sending.check()
                    next_check = time.monotonic() + check_every
                ran = self.run_ready_tasks()
                pause = 0.0
                if once:
                    if not ran:
                        break
                    continue
                if not ran:
                    wait = min(interval, max(0.0, next_check - time.monotonic()))
                    self.sleep(min(wait, seconds_until_next_task()))
            except (DatabaseError, InterfaceError) as error:
                # The database ended our connection (a restart, a failover, an administrator):
                # drop it, wait, and go on with a new one; the task in hand goes back.
                pause = min(MAX_RECONNECT_PAUSE, max(0.5, pause * 2))
                logger.warning(
                    "Worker lost the database (%s); reconnecting in %.1f s",
                    str(error).strip()[:200],
                    pause,
                )
                self.lost = self.current.in_hand if self.current else self.lost
                self.current = None
                connections.close_all()
                self.sleep(pause)
                self.put_back_lost()

    def run_ready_tasks(self, limit: int = 100) -> int:
        """Run up to ``limit`` ready tasks with django-tasks-db's own worker; how many ran."""
        self.current = LeasedWorker(
            queue_names=["*"],
            excluded_queue_names=[],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=limit,
            worker_id=sending.worker_id(),
        )
        self.current.run()
        ran, self.current = self.current._run_tasks, None
        return ran

    def sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < end:
            time.sleep(min(0.1, end - time.monotonic()))

    def put_back_lost(self) -> None:
        """The task held when the connection was lost goes back to ``READY`` (its outcome was
        not recorded; it runs again), once the database answers again."""
        if self.lost is not None:
            try:
                worker.release(self.lost, "the database connection was lost during it")
            except DatabaseError:
                return  # still unreachable: next time round (or the lease)
            self.lost = None

    def stop(self, signum, frame) -> None:
        if self.stopping:
            raise SystemExit(1)  # asked twice: stop now
        self.stopping = True
        bound = settings.IRSITE_WORKER_STOP_SECONDS
        if self.current is not None:
            self.current.running = False  # finish the task in hand, then stop
            if self.current.in_hand is not None:
                # ... within the bound: then put it back for another worker and exit.
                timer = threading.Timer(bound, self.give_up, args=(self.current,))
                timer.daemon = True
                timer.start()
        self.stdout.write(
            f"Worker {sending.worker_id()} stopping after the current task (at most {bound} s)"
        )

    def give_up(self, current: LeasedWorker) -> None:
        """The stop bound passed with a task still in hand: release it (on this thread's own
        connection) and exit now; another worker runs it again."""
        result = current.in_hand
        if result is not None:
            try:
                worker.release(result, "its worker was stopped before it finished")
            except DatabaseError:
                logger.exception("Task %s not released: its lease will bring it back", result.pk)
            finally:
                connections.close_all()
        self.stdout.write(f"Worker {sending.worker_id()} stopped with a task unfinished")
        self.stdout.flush()
        os._exit(0)
