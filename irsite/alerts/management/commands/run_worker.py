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
- Stored release records made stale by a deploy are stored again at start, in the background
  on a thread of their own (`render_stale_records`): the site never waits for them.
"""

import logging
import os
import signal
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import DatabaseError, InterfaceError, close_old_connections, connections
from django_tasks_db.models import DBTaskResult

from filings import poller as edgar_poller
from filings.tasks import EDGAR_QUEUE
from irsite import clock, worker
from irsite.alerts import sending
from irsite.http import PURGE_QUEUE, schedule
from releases.actions import render_stale_batch

# django-tasks-db's worker says hello and goodbye on every pass of our loop; keep its warnings.
logging.getLogger("django_tasks_db").setLevel(logging.WARNING)
logger = logging.getLogger("irsite.worker")

# The queues served on lanes of their own: the front-cache purges
# (`irsite.http.frontcache.PURGE_QUEUE`) on one, the PDF renditions
# (`releases.tasks.render_release_pdf`) and the EDGAR poll (`filings.tasks.poll_edgar`) on another.
PDF_QUEUE = "pdf"
SIDE_QUEUES = [PDF_QUEUE, EDGAR_QUEUE]
# A purge lane looks for a due purge this often (at most), and wakes at a go-live purge's second.
PURGE_POLL_SECONDS = 0.1

# Seconds between attempts to reach a database that ended our connection: 0.5, 1, 2 ... 10.
MAX_RECONNECT_PAUSE = 10.0


def seconds_until_next_task(lane: "Lane") -> float:
    return worker.seconds_until_next_task(lane.queue_names, lane.excluded)


def until_next_check(check_every: float) -> float:
    """Seconds to the next check: ``check_every``, or less when a go-live comes sooner, so
    that what a go-live makes due (webhooks, alerts) starts at its second, by the database's
    clock. Woken a moment early, the check finds nothing and the next one is at the second."""
    now = clock.now()
    at = schedule.next_go_live(now)
    if at is None:
        return check_every
    return min(check_every, max(0.0, (at - now).total_seconds()))


class Command(BaseCommand):
    help = (
        "Run the background worker: queued tasks (django-tasks, database backend) and, every "
        "few seconds and at each go-live second, the checks that email releases which have just "
        "gone live and announce them to webhooks."
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
        worker.stop_requested.clear()
        self.once = once
        # Purges run on a lane of their own, renditions and the EDGAR poll on another (threads,
        # each with its own database connection): a purge (a go-live's, a withdrawal's) is never
        # held back by an alert batch being planned or sent, nor by a rendition or a slow EDGAR;
        # --once runs every queue in turn.
        main = Lane("tasks", [] if once else [*SIDE_QUEUES, PURGE_QUEUE], poll=interval)
        self.lanes = [main]
        if not once:
            self.lanes.append(Lane("purge", [], queue_names=[PURGE_QUEUE], poll=PURGE_POLL_SECONDS))
            self.lanes.append(Lane("side", [], queue_names=SIDE_QUEUES, poll=interval))
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self.stop)
            signal.signal(signal.SIGINT, self.stop)
        threads = []
        if not once:
            name = sending.worker_id()
            for lane in self.lanes[1:]:
                thread = threading.Thread(
                    target=self.run_lane, args=(lane, check_every, name), daemon=True
                )
                thread.start()
                threads.append(thread)
            # Not waited for at a stop: a batch cut off stores nothing (its transaction is rolled
            # back with the connection) and the next start goes on.
            threading.Thread(target=self.render_stale_records, daemon=True).start()
            self.stdout.write(f"Worker {name} started; checking every {check_every}s")
        self.edgar_ready()
        next_check = 0.0
        while not self.stopping:

            def tick() -> bool:
                nonlocal next_check
                if time.monotonic() >= next_check:
                    worker.requeue_stale()
                    worker.run_checks()
                    next_check = time.monotonic() + until_next_check(check_every)
                ran = self.run_ready_tasks(main)
                if not ran and not once:
                    wait = min(interval, max(0.0, next_check - time.monotonic()))
                    self.sleep(min(wait, seconds_until_next_task(main)))
                return bool(ran)

            ran = self.guarded(main, tick)
            if once and not ran:
                break
        if once:
            self.render_stale_records()
        for thread in threads:
            thread.join(settings.IRSITE_WORKER_STOP_SECONDS + 1)

    def edgar_ready(self) -> None:
        """Say in one line, at start, why the EDGAR poller will not run (a CIK is set but the
        declared User-Agent the SEC requires is not); each poll records it for staff too."""
        try:
            problem = edgar_poller.not_ready()
        except (DatabaseError, InterfaceError):
            return  # the database is not there yet: the loop below waits for it
        if problem:
            self.stderr.write(problem)

    def run_lane(self, lane: "Lane", check_every: float, name: str) -> None:
        """A lane's loop on its own thread (with its own database connection). It also puts
        back its tasks whose worker died (the lease), so that it does not wait for the main
        lane's next check, which may be busy."""
        sending.set_worker_id(name)
        next_check = 0.0

        def step() -> bool:
            nonlocal next_check
            if time.monotonic() >= next_check:
                worker.requeue_stale()
                next_check = time.monotonic() + check_every
            if self.run_ready_tasks(lane):
                return True
            self.sleep(min(lane.poll, seconds_until_next_task(lane)))
            return False

        try:
            while not self.stopping:
                self.guarded(lane, step)
        finally:
            connections.close_all()

    def render_stale_records(self) -> None:
        """Stored release records made stale by this deploy (other templates, other code:
        `releases.record.rendering.fingerprint`) are rendered again here, once at start, in
        batches by id on a thread of its own: the site serves at once (a stale record renders
        live, the same page) and no lane waits (purges have theirs). Two workers share the work
        (a batch skips the rows another holds); one stopped mid-batch stores nothing of it, and
        the next start goes on."""
        after: int | None = 0
        done, pause, started = 0, 0.0, time.monotonic()
        while after is not None and not self.stopping:
            try:
                close_old_connections()
                stored, after = render_stale_batch(after)
                done += stored
                pause = 0.0
            except (DatabaseError, InterfaceError) as error:
                if self.once:
                    raise
                pause = min(MAX_RECONNECT_PAUSE, max(0.5, pause * 2))
                logger.warning("Worker (records) lost the database (%s)", str(error)[:200])
                for conn in connections.all(initialized_only=True):
                    conn.close()
                self.sleep(pause)
        if done:
            seconds = time.monotonic() - started
            logger.info(
                "Stored %d release records again in %.1f s (%.0f/s)",
                done,
                seconds,
                done / max(seconds, 1e-3),
            )
        if not self.once:
            connections.close_all()

    def guarded(self, lane: "Lane", step) -> bool:
        """One pass of a lane; the database ending the connection (a restart, a failover, an
        administrator) is logged, the connection dropped and the task in hand put back once the
        database answers again, with a growing pause."""
        try:
            close_old_connections()
            done = step()
            lane.pause = 0.0
            return bool(done)
        except (DatabaseError, InterfaceError) as error:
            if self.once:
                raise  # a single pass (a test, a cron job) reports it
            lane.pause = min(MAX_RECONNECT_PAUSE, max(0.5, lane.pause * 2))
            logger.warning(
                "Worker (%s) lost the database (%s); reconnecting in %.1f s",
                lane.name,
                str(error).strip()[:200],
                lane.pause,
            )
            if lane.current is not None and lane.current.in_hand is not None:
                lane.lost = lane.current.in_hand
            lane.current = None
            for conn in connections.all(initialized_only=True):
                conn.close()
            self.sleep(lane.pause)
            if lane.lost is not None:
                try:
                    worker.release(lane.lost, "the database connection was lost during it")
                    lane.lost = None
                except (DatabaseError, InterfaceError):
                    pass  # still unreachable: next time round (or the lease)
            return False

    def run_ready_tasks(self, lane: "Lane", limit: int = 100) -> int:
        """Run up to ``limit`` ready tasks of ``lane`` with django-tasks-db's own worker; how
        many ran."""
        lane.current = worker.LeasedWorker(
            queue_names=lane.queue_names,
            excluded_queue_names=lane.excluded,
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=limit,
            worker_id=sending.worker_id(),
        )
        if self.stopping:
            lane.current.running = False
        lane.current.run()
        ran, lane.current = lane.current._run_tasks, None
        return ran

    def sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < end:
            time.sleep(min(0.1, end - time.monotonic()))

    def stop(self, signum, frame) -> None:
        if self.stopping:
            raise SystemExit(1)  # asked twice: stop now
        self.stopping = True
        worker.stop_requested.set()
        bound = settings.IRSITE_WORKER_STOP_SECONDS
        busy = False
        for lane in self.lanes:
            if lane.current is not None:
                lane.current.running = False  # finish the task in hand, then stop
                busy = busy or lane.current.in_hand is not None
        if busy:
            # ... within the bound: then put it back for another worker and exit.
            timer = threading.Timer(bound, self.give_up)
            timer.daemon = True
            timer.start()
        self.stdout.write(
            f"Worker {sending.worker_id()} stopping after the current task (at most {bound} s)"
        )

    def give_up(self) -> None:
        """The stop bound passed with a task still in hand: release it (on this thread's own
        connection) and exit now; another worker runs it again."""
        for lane in self.lanes:
            result = lane.current.in_hand if lane.current is not None else None
            if result is None:
                continue
            try:
                worker.release(result, "its worker was stopped before it finished")
            except (DatabaseError, InterfaceError):
                logger.exception("Task %s not released: its lease will bring it back", result.pk)
        connections.close_all()
        self.stdout.write(f"Worker {sending.worker_id()} stopped with a task unfinished")
        self.stdout.flush()
        os._exit(0)


class Lane:
    """A loop of the worker over some queues, with the task in hand and its reconnect pause."""

    def __init__(
        self,
        name: str,
        excluded: list[str],
        queue_names: list[str] | None = None,
        poll: float = 0.5,
    ):
        self.name = name
        self.poll = poll
        self.excluded = excluded
        self.queue_names = queue_names or ["*"]
        self.current: worker.LeasedWorker | None = None
        self.lost: DBTaskResult | None = None
        self.pause = 0.0
