"""Deploys that do not wait (issue 30): after a change of what a stored release record is made of,
the site answers at once (a stale record renders live, the same page) and the worker stores
every record again in the background, in batches, on a thread of its own: no purge waits for it
and nothing public changes."""

import os
import subprocess
import sys
import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from irsite.contacts.models import CompanyProfile, Letterhead
from releases import actions
from releases.models import Release, ReleaseRendering
from releases.purges import release_keys
from releases.record import rendering

from .conftest import SYSTEM, at
from .fronts import RecordingFront, wait_for
from .servers import REPO, database_url

NOW = at(2026, 6, 1, 12, 0, 0)


def page(client, release: Release) -> tuple[int, bytes]:
    with time_machine.travel(NOW, tick=False):
        response = client.get(release.get_absolute_url())
    return response.status_code, response.content


@pytest.fixture
def published(make_release, publish, company):
    """Four public releases, one scheduled after NOW, one withdrawn: each with its record."""
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        public = [
            publish(make_release(published_at=NOW - timedelta(days=2, hours=n))) for n in range(4)
        ]
        scheduled = publish(make_release(published_at=NOW + timedelta(hours=1)))
        withdrawn = publish(make_release(published_at=NOW - timedelta(days=2, hours=9)))
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        actions.withdraw(withdrawn, SYSTEM, "Filed in error")
    return public, scheduled, withdrawn


def test_after_a_template_change_pages_answer_at_once_and_the_worker_stores_every_record(
    client, published, settings, worker, request
):
    settings.IRSITE_PAGE_CACHE = False
    public, scheduled, withdrawn = published
    assert not rendering.stale_records().exists()
    request.getfixturevalue("changed_template")  # the deploy
    assert rendering.stale_records().count() == 6
    # At once, before any worker ran: the pages print the record rendered live, in the new form.
    before = {r.pk: page(client, r) for r in [*public, scheduled, withdrawn]}
    assert all(b'class="new-template"' in before[r.pk][1] for r in public)
    assert before[scheduled.pk][0] == 404 and before[withdrawn.pk][0] == 410
    worker()
    assert not rendering.stale_records().exists()
    assert ReleaseRendering.objects.filter(fingerprint=rendering.fingerprint()).count() == 6
    # Stored again from the same rows: every page, public or not, answers byte for byte the same.
    assert {r.pk: page(client, r) for r in [*public, scheduled, withdrawn]} == before
    with time_machine.travel(scheduled.published_at - timedelta(seconds=1), tick=False):
        assert client.get(scheduled.get_absolute_url()).status_code == 404
    with time_machine.travel(scheduled.published_at, tick=False):
        assert b'class="new-template"' in client.get(scheduled.get_absolute_url()).content


def test_render_stale_batch_goes_by_id_and_says_when_none_is_left(published, request):
    request.getfixturevalue("changed_template")
    ids = sorted(rendering.stale_records().values_list("pk", flat=True))
    stored, after = actions.render_stale_batch(0, batch=4)
    assert (stored, after) == (4, ids[3])
    assert sorted(rendering.stale_records().values_list("pk", flat=True)) == ids[4:]
    assert actions.render_stale_batch(after, batch=4) == (2, ids[5])
    assert actions.render_stale_batch(ids[5], batch=4) == (0, None)


# --- a real worker process: the purge lane does not wait for the re-render --------------------


def stale_releases(count: int) -> None:
    """``count`` published releases without a stored record, as after a deploy that changed
    their templates (bulk rows, as bench/generate.py writes them)."""
    letterhead = Letterhead.of(CompanyProfile.load())
    body = "<p>" + "Revenue rose in every region of the company's markets. " * 40 + "</p>"
    start = timezone.now() - timedelta(days=400)
    Release.objects.bulk_create(
        Release(
            headline=f"Bulk release {n}",
            slug=f"bulk-release-{n}",
            dateline_city="CAMBRIDGE, MA",
            published_at=start + timedelta(hours=n),
            body=body,
            status=Release.Status.PUBLISHED,
            content_changed_at=start,
            letterhead=letterhead,
        )
        for n in range(count)
    )


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_is_purged_while_the_worker_stores_stale_records(
    make_release, publish, company
):
    release = publish(make_release(published_at=timezone.now() - timedelta(seconds=1)))
    count = 5000
    stale_releases(count)
    page_key = next(k for k in release_keys(release.pk) if k.startswith("/news/"))
    front = RecordingFront()
    env = os.environ | {
        "DEBUG": "True",
        "DATABASE_URL": database_url(),
        "IRSITE_EDGE_PURGE_URLS": front.url,
        "LOG_LEVEL": "WARNING",
    }
    started = time.monotonic()
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--check-every", "0.2", "--interval", "0.1"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(lambda: len(front.of(page_key)) >= 2, 60, "the go-live's two purges")
        print(f"go-live purges at {[round(t - started, 2) for t in front.of(page_key)]} s")
        remaining = rendering.stale_records().count()
        assert remaining > 0, "the re-render ended before the withdrawal: make count larger"
        clicked = time.monotonic()
        actions.withdraw(release, SYSTEM, "Filed in error")
        committed = time.monotonic()
        wait_for(lambda: front.of(page_key, after=clicked), 30, "the withdrawal's purge")
        late = front.of(page_key, after=clicked)[0] - committed
        still = rendering.stale_records().count()
        print(f"{remaining} stale at the withdrawal, {time.monotonic() - started:.1f} s in")
        wait_for(lambda: not rendering.stale_records().exists(), 300, "every record stored")
        took = time.monotonic() - started
        print(
            f"withdrawal purged {late:.3f} s after it, {still} of {count + 1} records still "
            f"stale then; all stored {took:.1f} s after the worker started "
            f"({count / took:.0f}/s at least, start-up included); load {os.getloadavg()[0]:.1f}"
        )
        assert still > 0  # the re-render was still going when the purge went out
        assert late <= 5.0
    finally:
        if worker.poll() is None:
            worker.terminate()
            worker.wait(30)
        front.close()
    assert worker.returncode == 0, worker.stderr.read().decode()[-2000:]
    assert ReleaseRendering.objects.count() == count + 1
