"""What the worker purges at the front cache, and when: a recording HTTP server stands in for
Varnish's PURGE endpoint (tests/test_front_cache.py runs the real varnishd), and the worker is
the real `run_worker --once`."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from irsite.http.frontcache import path_key
from releases import actions

from .conftest import SYSTEM, at
from .fronts import purged, run_worker

NOW = at(2026, 11, 30, 16, 0, 0)


@pytest.mark.django_db(transaction=True)
def test_a_go_live_is_purged_at_its_second_never_before(
    edge, make_release, publish, category, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        older = publish(make_release(headline="Older", published_at=NOW - timedelta(days=2)))
    go_live = NOW + timedelta(hours=1)
    with time_machine.travel(NOW, tick=False):
        run_worker()  # the older release's own purges
        edge.purges.clear()
        release = publish(make_release(headline="Results", published_at=go_live))
        run_worker()
    with time_machine.travel(go_live - timedelta(seconds=1), tick=False):
        run_worker()
    assert purged(edge) == [], "purged before the go-live"
    with time_machine.travel(go_live, tick=False):
        run_worker()
    assert len(purged(edge)) == 1
    keys = purged(edge)[0]
    # The release's URL (its 404 may be cached), its older neighbour (its "next" link), lists.
    assert path_key(release.get_absolute_url()) in keys
    assert path_key(older.get_absolute_url()) in keys
    assert "list" in keys and "all" not in keys
    # Once more a few seconds later: a render in flight at the go-live may be stored after it.
    with time_machine.travel(go_live + timedelta(seconds=3), tick=False):
        run_worker()
    assert len(purged(edge)) == 2


@pytest.mark.django_db(transaction=True)
def test_a_failed_purge_is_logged_and_retried_until_it_succeeds(
    edge, make_release, publish, caplog
):
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        release = publish(make_release(headline="Results", published_at=NOW - timedelta(hours=1)))
    edge.statuses = [503, 503]
    with (
        time_machine.travel(NOW, tick=False),
        caplog.at_level(logging.WARNING, logger="irsite.edge"),
    ):
        actions.withdraw(release, SYSTEM, "Issued in error.")
        run_worker()
    assert "Front-cache purge" in caplog.text and "failed" in caplog.text
    # Retried after a growing delay until the front cache says it is done.
    for seconds in (1, 3, 7, 15):
        with time_machine.travel(NOW + timedelta(seconds=seconds), tick=False):
            run_worker()
    statuses = [status for status, _ in edge.purges]
    assert statuses[:2] == [503, 503] and statuses.count(200) >= 2, statuses
    assert all(path_key(release.get_absolute_url()) in keys for _, keys in edge.purges)


@pytest.mark.django_db(transaction=True)
def test_a_company_edit_in_the_admin_purges_every_page(edge, superuser, company):
    client = Client()
    client.force_login(superuser)
    url = f"/admin/contacts/companyprofile/{company.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: "" if value is None else value for name, value in form.initial.items()}
    data["legal_name"] = "Renamed, Inc."
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    company.refresh_from_db()
    assert company.legal_name == "Renamed, Inc."
    run_worker()
    assert ["all"] in purged(edge)


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_an_idle_worker_wakes_for_a_go_live_purge_at_its_second(edge, make_release, publish):
    """The real worker in its own process, idling with a long --interval: it sleeps until the
    go-live's purge is due instead of noticing it at its next poll."""
    import os
    import subprocess
    import sys
    import time

    from django.utils import timezone

    from .servers import REPO, database_url

    go_live = (timezone.now() + timedelta(seconds=4)).replace(microsecond=0)
    publish(make_release(headline="Results", published_at=go_live))
    env = os.environ | {
        "DEBUG": "True",
        "DATABASE_URL": database_url(),
        "IRSITE_EDGE_PURGE_URLS": f"http://127.0.0.1:{edge.server_port}",
        "LOG_LEVEL": "WARNING",
    }
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_worker", "--interval", "30", "--check-every", "30"],
        cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    arrived = []
    try:
        deadline = go_live.timestamp() + 15
        while time.time() < deadline and not arrived:
            if any("list" in keys for status, keys in list(edge.purges)):
                arrived.append(time.time())
            time.sleep(0.01)
    finally:
        worker.terminate()
        worker.wait(timeout=10)
    assert arrived, f"the go-live was never purged: {edge.purges}"
    late = arrived[0] - go_live.timestamp()
    print(f"go-live purge {late:+.2f} s after its second")
    # Order first: never before the second. The bound only tells a worker that woke for the
    # go-live from one that waited for its next 30-s poll, so it holds on a loaded machine.
    assert late >= 0, f"purged {-late:.2f} s before the go-live"
    assert late < 10, f"purged {late:.2f} s after the go-live"


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_made_where_no_front_cache_is_configured_is_purged_by_the_worker(
    edge, settings, make_release, publish
):
    """A change made by a process that does not know the front cache (a management command, a
    shell) is still purged: the worker, which does, sends the purge."""
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        release = publish(make_release(headline="Results", published_at=NOW - timedelta(hours=1)))
    urls = settings.IRSITE_EDGE_PURGE_URLS
    with time_machine.travel(NOW, tick=False):
        run_worker()
        edge.purges.clear()
        settings.IRSITE_EDGE_PURGE_URLS = []  # the shell's environment
        actions.withdraw(release, SYSTEM, "Issued in error.")
        settings.IRSITE_EDGE_PURGE_URLS = urls  # the worker's
        run_worker()
    assert any(path_key(release.get_absolute_url()) in keys for keys in purged(edge))


@pytest.mark.django_db(transaction=True)
def test_a_release_s_go_live_correction_and_withdrawal_purge_the_api_s_answers(
    edge, make_release, publish, editor, approver
):
    """Every answer of the JSON API carries a surrogate key that each of a release's purges
    names (the lists' key), so the front cache drops the API's lists and items with the pages."""
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        older = publish(make_release(headline="Older", published_at=NOW - timedelta(days=2)))
    go_live = NOW + timedelta(hours=1)
    client = Client()
    with time_machine.travel(NOW, tick=False):
        release = publish(make_release(headline="Results", published_at=go_live))
        answers = [
            client.get("/api/v1/releases"),
            client.get("/api/v1/releases", {"year": "2026", "limit": "1"}),
            client.get(f"/api/v1/releases/{older.uuid}"),
            client.get(f"/api/v1/releases/{release.uuid}"),  # its 404 may be cached too
        ]
        run_worker()
        edge.purges.clear()
    keys = [set(answer["Surrogate-Key"].split()) for answer in answers]
    with time_machine.travel(go_live, tick=False):
        run_worker()
    changes = {"go-live": purged(edge)}
    edge.purges.clear()
    with time_machine.travel(go_live + timedelta(minutes=1), tick=False):
        release.refresh_from_db()
        release.headline = "Results (corrected)"
        pending = actions.save_release(release, editor, correction_note="A typo.")
        actions.approve_correction(pending, approver)
        run_worker()
    changes["correction"] = purged(edge)
    edge.purges.clear()
    with time_machine.travel(go_live + timedelta(minutes=2), tick=False):
        actions.withdraw(release, SYSTEM, "Issued in error.")
        run_worker()
    changes["withdrawal"] = purged(edge)
    for change, purges in changes.items():
        assert purges, f"nothing purged at the {change}"
        for answer_keys in keys:
            assert all(answer_keys & set(purge) for purge in purges), (change, answer_keys)
