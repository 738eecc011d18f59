"""No task is lost with a worker: real `manage.py run_worker` processes, killed (SIGKILL),
stopped (SIGTERM) or cut off by PostgreSQL (`pg_terminate_backend`) while they hold a task.

The task in hand is a front-cache purge (the go-live purge is the one a reader notices when it
is lost), sent to a small HTTP server standing in for Varnish that answers ``PURGE`` like it
and can hold a request open, so the test acts at a known moment in the middle of the task.
The lease is the same for every task kind (`irsite.worker`); a purge is the quickest to hold.
"""

import signal
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from irsite.http.frontcache import purge_front_cache
from releases.models import Rendition

from .fronts import HoldingFront, start_worker, stop
from .shared import wait_until

# Real worker processes: left out of `make test-fast` (docs/testing.md).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.server]


@pytest.fixture
def front():
    f = HoldingFront(hold=1)
    yield f
    f.close()


def result_of(task_id: str) -> DBTaskResult:
    return DBTaskResult.objects.get(pk=task_id)


def test_a_task_whose_worker_was_killed_runs_again_after_its_lease(front):
    task_id = purge_front_cache.enqueue(keys=["/news/go-live/", "list"]).id
    first = start_worker(front)
    second = None
    try:
        assert front.holding.wait(60), first.stderr.read1().decode()
        first.send_signal(signal.SIGKILL)  # no goodbye, its purge half-sent
        first.wait(10)
        front.let_go.set()
        assert result_of(task_id).status == "RUNNING"  # what the dead worker left

        # Another worker takes it up once the lease (1 s here) has expired, and completes it.
        second = start_worker(front, IRSITE_TASK_LEASE_SECONDS="1")
        wait_until(lambda: result_of(task_id).status == "SUCCESSFUL", 30, "the purge run again")
    finally:
        stop(first, *([second] if second else []))
    result = result_of(task_id)
    assert len(result.worker_ids) == 2  # claimed by the dead worker, then by the new one
    assert result.return_value == "purged /news/go-live/ list"
    assert front.purges[-1] == "/news/go-live/ list"


def test_a_live_workers_task_is_not_taken_from_it_before_the_lease(front):
    # The lease is long (the default) for a live worker: its held task stays its own.
    task_id = purge_front_cache.enqueue(keys=["all"]).id
    first = start_worker(front)
    other = start_worker(front)
    try:
        assert front.holding.wait(60)
        time.sleep(1.5)  # the other worker checks many times meanwhile
        assert result_of(task_id).status == "RUNNING"
        assert len(result_of(task_id).worker_ids) == 1
        front.let_go.set()
        wait_until(lambda: result_of(task_id).status == "SUCCESSFUL", 30, "the purge")
    finally:
        stop(first, other)
    assert front.purges == ["all"]


def test_sigterm_stops_a_worker_within_the_bound_and_puts_its_task_back(front):
    task_id = purge_front_cache.enqueue(keys=["/news/withdrawn/"]).id
    first = start_worker(front, IRSITE_WORKER_STOP_SECONDS="0.5")
    other = None
    try:
        assert front.holding.wait(60)
        started = time.monotonic()
        first.send_signal(signal.SIGTERM)
        first.wait(10)
        took = time.monotonic() - started
        # Within the bound (0.5 s, plus the signal's and the release's own time), not when the
        # purge's 2 s timeout ends the task, and not never.
        assert took < 1.5, took
        assert first.returncode == 0
        assert result_of(task_id).status == "READY"  # put back, not lost in RUNNING
        front.let_go.set()
        other = start_worker(front)
        wait_until(lambda: result_of(task_id).status == "SUCCESSFUL", 30, "the purge run again")
    finally:
        stop(first, *([other] if other else []))
    assert front.purges == ["/news/withdrawn/", "/news/withdrawn/"]


# The stop bound an idle worker is given here: one that waited for it (as for a task in hand),
# or for its lanes' threads (joined within the bound plus 1 s), would take this long at least.
IDLE_STOP_BOUND = 60


def test_an_idle_worker_stops_at_once_on_sigterm(front):
    worker = start_worker(front, IRSITE_WORKER_STOP_SECONDS=str(IDLE_STOP_BOUND))
    try:
        assert b"started" in worker.stdout.readline()  # its signal handlers are in place
        started = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        worker.wait(2 * IDLE_STOP_BOUND)
        took = time.monotonic() - started
        print(f"an idle worker stopped {took:.2f} s after SIGTERM")
        # "At once" is: without waiting for the stop bound or its lanes. Its exit (the lanes'
        # last 0.1 s naps, the interpreter's teardown) took 0.2-0.4 s on a quiet machine and
        # over 2 s on a loaded one; half the bound tells the two apart under any load.
        assert took < IDLE_STOP_BOUND / 2, took
        assert worker.returncode == 0
    finally:
        stop(worker)


def _worker_backends() -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        return [pid for (pid,) in cursor.fetchall()]


def _terminate_worker_backends() -> int:
    pids = _worker_backends()
    with connection.cursor() as cursor:
        for pid in pids:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    return len(pids)


@pytest.mark.postgres
def test_a_worker_whose_connection_postgresql_ends_reconnects_and_goes_on(front):
    # Cut off in the middle of a task: the purge is sent, the worker's connection is gone
    # when it records the outcome. It reconnects, puts the task back, and runs it again.
    task_id = purge_front_cache.enqueue(keys=["/news/corrected/"]).id
    worker = start_worker(front)
    try:
        assert front.holding.wait(60)
        assert _terminate_worker_backends() >= 1
        front.let_go.set()
        wait_until(lambda: result_of(task_id).status == "SUCCESSFUL", 30, "the purge recorded")
        assert worker.poll() is None, worker.stderr.read1().decode()

        # Cut off again and again while idle (each pass queries): still alive, still working.
        for _ in range(10):
            _terminate_worker_backends()
            time.sleep(0.05)
        later = purge_front_cache.enqueue(keys=["list"]).id
        wait_until(lambda: result_of(later).status == "SUCCESSFUL", 30, "a purge after the blips")
        assert worker.poll() is None, worker.stderr.read1().decode()
    finally:
        stop(worker)
    assert front.purges.count("/news/corrected/") == 2  # sent, then sent again: no harm
    assert front.purges[-1] == "list"


def left_running_by_dead_workers(task_path: str, workers: int, seconds_ago: float) -> str:
    """The state a worker killed mid-task leaves (as the SIGKILL test above shows for real):
    the task claimed, RUNNING, since ``seconds_ago``, by ``workers`` workers in turn."""
    result = DBTaskResult.objects.get(task_path=task_path)
    for n in range(workers):
        result.claim(f"dead-{n}")
    DBTaskResult.objects.filter(pk=result.pk).update(
        started_at=timezone.now() - timedelta(seconds=seconds_ago)
    )
    return str(result.pk)


def test_a_pdf_whose_worker_died_is_rendered_after_the_lease(
    make_release, publish, worker, settings
):
    # Every task kind has the lease, not only alert deliveries: a rendition in flight when its
    # worker was killed is made by the next worker once the lease has expired.
    settings.IRSITE_TASK_LEASE_SECONDS = 60
    release = publish(make_release(published_at=timezone.now() - timedelta(minutes=1)))
    task_id = left_running_by_dead_workers("releases.tasks.render_release_pdf", 1, 30)
    worker()
    assert result_of(task_id).status == "RUNNING"  # within its lease: maybe still alive
    DBTaskResult.objects.filter(pk=task_id).update(
        started_at=timezone.now() - timedelta(seconds=61)
    )
    worker()
    assert result_of(task_id).status == "SUCCESSFUL"
    assert result_of(task_id).return_value == "stored"
    assert Rendition.objects.filter(release=release, version=release.version).exists()


def test_a_task_whose_workers_keep_dying_fails_for_good_with_the_reason(
    make_release, publish, worker, settings
):
    # A task that kills its worker each time (memory, a crash in a library) must not take
    # every worker down in turn: after IRSITE_TASK_MAX_ATTEMPTS claims it fails, saying why.
    settings.IRSITE_TASK_LEASE_SECONDS = 1
    publish(make_release(published_at=timezone.now() - timedelta(minutes=1)))
    task_id = left_running_by_dead_workers(
        "releases.tasks.render_release_pdf", settings.IRSITE_TASK_MAX_ATTEMPTS, 5
    )
    worker()
    result = result_of(task_id)
    assert result.status == "FAILED"
    assert result.exception_class_path == "irsite.worker.WorkerLost"
    assert "workers stopped during this task" in result.traceback
