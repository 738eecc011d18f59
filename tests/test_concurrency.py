"""Concurrent editors on one database: they wait for each other, nobody gets a 500.

Runs on whichever database the suite uses; on SQLite (a file, as `make run` serves it) this is
what WAL, the busy timeout and immediate transactions are for.
"""

import contextlib
import threading

import pytest
from django.db import connection, connections

from releases import actions
from releases.models import AuditEntry, Release

from .conftest import LATER, SYSTEM


def run_at_once(work, count: int) -> list[BaseException]:
    """Start ``count`` threads on ``work(i)`` together; the exceptions they raised."""
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def thread(i: int) -> None:
        try:
            start.wait()
            work(i)
        except BaseException as error:  # collected and asserted on below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=thread, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_of_one_release_all_succeed_one_after_another(make_release):
    release = make_release(headline="Start")
    if connection.vendor == "sqlite":
        assert connection.cursor().execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    def edit(i: int) -> None:
        for round_ in range(3):
            mine = Release.objects.get(pk=release.pk)
            mine.headline = f"Edit {i}.{round_}"
            actions.save_release(mine, SYSTEM)

    errors = run_at_once(edit, 10)
    assert errors == []
    release.refresh_from_db()
    assert release.version == 1 + 10 * 3
    assert release.revisions.count() == 1 + 10 * 3


@pytest.mark.django_db(transaction=True)
def test_approve_and_publish_races_refuse_cleanly_and_never_fail(make_release):
    releases = [make_release(published_at=LATER) for _ in range(5)]
    for release in releases:
        actions.submit(release, SYSTEM)

    def race(i: int) -> None:
        release = Release.objects.get(pk=releases[i // 4].pk)
        # Two approvers and two publishers click at once on each release.
        with contextlib.suppress(actions.TransitionRefused):  # the other came first: refused
            (actions.approve if i % 4 < 2 else actions.publish)(release, SYSTEM)

    assert run_at_once(race, 20) == []
    assert set(Release.objects.values_list("status", flat=True)) <= {"approved", "published"}
    assert AuditEntry.objects.filter(action="approved").count() == 5
