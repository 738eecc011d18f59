"""The background worker: runs queued tasks and notices go-lives by itself.

`make run` starts it beside the web server; in production run it as its own service
(`python manage.py run_worker`), one or more at once: they never send a release twice.
"""

import logging
import math
import signal
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult, get_date_max

from irsite.alerts import sending

# django-tasks-db's worker says hello and goodbye on every pass of our loop; keep its warnings.
logging.getLogger("django_tasks_db").setLevel(logging.WARNING)


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
        self.current: Worker | None = None
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self.stop)
            signal.signal(signal.SIGINT, self.stop)
        if not once:
            self.stdout.write(
                f"Worker {sending.worker_id()} started; checking every {check_every}s"
            )
        next_check = 0.0
        while not self.stopping:
            close_old_connections()
            if time.monotonic() >= next_check:
                sending.check()
                next_check = time.monotonic() + check_every
            ran = self.run_ready_tasks()
            if once:
                if not ran:
                    break
                continue
            if not ran:
                wait = min(interval, max(0.0, next_check - time.monotonic()))
                self.sleep(min(wait, seconds_until_next_task()))

    def run_ready_tasks(self, limit: int = 100) -> int:
        """Run up to ``limit`` ready tasks with django-tasks-db's own worker; how many ran."""
        self.current = Worker(
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

    def stop(self, signum, frame) -> None:
        if self.stopping:
            raise SystemExit(1)  # asked twice: stop now
        self.stopping = True
        if self.current is not None:
            self.current.running = False  # finish the task in hand, then stop
        self.stdout.write(f"Worker {sending.worker_id()} stopping after the current task")
