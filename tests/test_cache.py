"""Cached public pages and feeds: fast, invalidated by the workflow, never past a go-live, and
answering feed readers' conditional requests with 304."""

import logging
import os
import subprocess
import sys
import threading
import time
import uuid
from datetime import timedelta

import feedparser
import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date

from releases import actions

from .conftest import SYSTEM, redis_cache
from .servers import REDIS_URL, REPO, database_url
from .shared import NOW, PUBLIC_URLS, get

# What every public response tells caches, whatever is scheduled (irsite/http/frontcache.py).
SHARED_POLICY = "public, max-age=0, must-revalidate, s-maxage=300"


@pytest.fixture(params=["locmem", "redis"])
def backend(request, settings) -> str:
    """The default local-memory cache, and Django's Redis backend (through irsite.http.redis)."""
    if request.param == "redis":
        # A prefix of its own: nothing another test or process keeps is seen or cleared.
        settings.CACHES = {"default": redis_cache(REDIS_URL, f"irsite-test-{uuid.uuid4().hex}")}
    return request.param


@pytest.fixture
def live(make_release, publish, category):
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        release = publish(
            make_release(
                headline="First quarter results",
                slug="first-quarter-results",
                categories=[category],
                published_at=NOW - timedelta(hours=20),
            )
        )
    return release


@pytest.mark.parametrize("url", PUBLIC_URLS)
def test_cached_public_response_costs_no_database_query(
    client, live, backend, url, django_assert_num_queries
):
    with time_machine.travel(NOW, tick=False):
        first = get(client, url)
        assert first.status_code == 200
        with django_assert_num_queries(0):
            again = get(client, url)
    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]


def test_cached_release_page_costs_no_database_query(
    client, live, backend, django_assert_num_queries
):
    with time_machine.travel(NOW, tick=False):
        get(client, live.get_absolute_url())
        with django_assert_num_queries(0):
            assert get(client, live.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("segment", ["./", "x/../", "%2e/", "x/%2E%2E/"])
def test_a_dot_segment_spelling_of_a_cached_page_is_not_its_copy(client, live, backend, segment):
    """URL resolution answers 404 to a path with "." or ".." segments (the app servers pass
    them as they come); the page cache's key resolved them, so once the release's page was
    kept, `/news/2003/…/./slug/` answered its copy: a 200 a front cache kept under a path no
    purge names (a withdrawn release stayed there)."""
    page = live.get_absolute_url()
    head, slug = page.rstrip("/").rsplit("/", 1)
    with time_machine.travel(NOW, tick=False):
        assert get(client, page).status_code == 200
        assert get(client, page).status_code == 200  # from the page cache
        assert get(client, f"{head}/{segment}{slug}/").status_code == 404


def test_cached_feed_is_sent_in_one_piece(client, live):
    """Django writes a feed in hundreds of small chunks; a WSGI server writes each one."""
    with time_machine.travel(NOW, tick=False):
        rendered = get(client, "/news/feed/rss/")
        cached = get(client, "/news/feed/rss/")
    assert len(list(rendered)) == 1
    assert len(list(cached)) == 1
    assert feedparser.parse(cached.content).entries[0].title == "First quarter results"


def test_feed_reader_polling_with_etag_gets_304_without_rendering(
    client, live, backend, django_assert_num_queries
):
    with time_machine.travel(NOW, tick=False):
        first = get(client, "/news/feed/rss/")
        statuses = []
        with django_assert_num_queries(0):
            for _ in range(20):
                response = get(
                    client,
                    "/news/feed/rss/",
                    if_none_match=first["ETag"],
                    if_modified_since=first["Last-Modified"],
                )
                statuses.append(response.status_code)
    assert statuses == [304] * 20
    assert response.content == b""
    assert response["ETag"] == first["ETag"]
    assert "max-age" in response["Cache-Control"]


def test_feed_reader_sending_only_if_modified_since_gets_304(client, live):
    with time_machine.travel(NOW, tick=False):
        first = get(client, "/news/feed/atom/")
        again = get(client, "/news/feed/atom/", if_modified_since=first["Last-Modified"])
    assert again.status_code == 304


def test_etag_is_strong_and_stable_across_cache_loss(client, live, settings):
    with time_machine.travel(NOW, tick=False):
        cached = get(client, "/news/feed/rss/")
        settings.IRSITE_PAGE_CACHE = False
        rendered = get(client, "/news/feed/rss/")
        conditional = get(client, "/news/feed/rss/", if_none_match=cached["ETag"])
    assert not cached["ETag"].startswith("W/")
    assert rendered["ETag"] == cached["ETag"]
    # With the page cache off the page is rendered again, but the answer is still a 304.
    assert conditional.status_code == 304


def test_page_cache_can_be_switched_off(client, live, settings):
    settings.IRSITE_PAGE_CACHE = False
    with time_machine.travel(NOW, tick=False):
        get(client, "/news/")
        with CaptureQueriesContext(connection) as queries:
            assert get(client, "/news/").status_code == 200
    assert len(queries) > 0


def _correct(release, headline: str) -> None:
    release.headline = headline
    actions.approve_correction(
        actions.save_release(release, SYSTEM, correction_note="Fixed the headline."), SYSTEM
    )


@pytest.mark.parametrize("path", ["/news/feed/rss/", "/news/feed/atom/", "page"])
def test_correction_changes_etag_and_last_modified_at_once(
    client, live, backend, path, django_capture_on_commit_callbacks
):
    url = live.get_absolute_url() if path == "page" else path
    with time_machine.travel(NOW, tick=False):
        before = get(client, url)
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            _correct(live, "First quarter results, corrected")
        after = get(client, url, if_none_match=before["ETag"])
    assert after.status_code == 200
    assert "First quarter results, corrected" in after.content.decode()
    assert after["ETag"] != before["ETag"]
    assert after["Last-Modified"] != before["Last-Modified"]


def test_new_release_changes_feed_validators(
    client, live, make_release, publish, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        before = get(client, "/news/feed/rss/")
        with django_capture_on_commit_callbacks(execute=True):
            publish(make_release(headline="Second release", published_at=NOW))
        after = get(client, "/news/feed/rss/", if_none_match=before["ETag"])
    assert after.status_code == 200
    assert feedparser.parse(after.content).entries[0].title == "Second release"
    assert after["ETag"] != before["ETag"]
    assert after["Last-Modified"] != before["Last-Modified"]


def test_withdrawal_leaves_cached_lists_and_feeds_at_once(
    client, live, backend, django_capture_on_commit_callbacks
):
    urls = ["/", "/news/", "/news/feed/rss/", "/news/search/?q=quarter", "/sitemap-releases-0.xml"]
    with time_machine.travel(NOW, tick=False):
        for url in urls:
            assert live.slug in get(client, url).content.decode(), url
        with django_capture_on_commit_callbacks(execute=True):
            actions.withdraw(live, SYSTEM, "Issued in error.")
        for url in urls:
            assert live.slug not in get(client, url).content.decode(), url
        assert get(client, live.get_absolute_url()).status_code == 410


def test_scheduling_a_release_changes_no_public_validator(
    client, live, make_release, publish, django_capture_on_commit_callbacks
):
    """An ETag or Last-Modified that moved when a release was scheduled would tell a watcher
    that something is coming; they change only with what the page shows."""
    urls = ["/", "/news/", "/news/feed/rss/", "/news/feed/atom/", "/sitemap.xml", "/news/2026/"]
    urls.append("/sitemap-releases-0.xml")
    with time_machine.travel(NOW, tick=False):
        before = {url: get(client, url) for url in urls}
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            publish(make_release(headline="Secret results", published_at=NOW + timedelta(hours=1)))
        assert callbacks, "scheduling must invalidate the cached pages (the go-live cap moved)"
        for url in urls:
            again = get(client, url, if_none_match=before[url]["ETag"])
            assert again.status_code == 304, url
            assert again["ETag"] == before[url]["ETag"]
            assert again.get("Last-Modified") == before[url].get("Last-Modified")


def test_unscheduling_before_go_live_keeps_the_release_off_cached_pages(
    client, live, make_release, publish, django_capture_on_commit_callbacks
):
    go_live = NOW + timedelta(minutes=10)
    with time_machine.travel(NOW, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            scheduled = publish(make_release(headline="Pulled results", published_at=go_live))
        get(client, "/news/")
        with django_capture_on_commit_callbacks(execute=True):
            actions.unschedule(scheduled, SYSTEM)
    with time_machine.travel(go_live + timedelta(seconds=1), tick=False):
        assert "Pulled results" not in get(client, "/news/").content.decode()


def test_a_page_rendered_in_the_last_second_before_a_go_live_is_kept_until_that_second(
    client, live, make_release, publish, backend, django_assert_num_queries
):
    """At results day's busiest moment one render serves everyone until the go-live instant
    (a copy that could not be kept for less than a whole second made every request render)."""
    go_live = NOW + timedelta(seconds=5)
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        publish(make_release(headline="Results at noon", published_at=go_live))
    with time_machine.travel(go_live - timedelta(milliseconds=600), tick=False):
        first = get(client, "/news/")
    with (
        time_machine.travel(go_live - timedelta(milliseconds=100), tick=False),
        django_assert_num_queries(0),
    ):
        again = get(client, "/news/")
    assert again.content == first.content and "Results at noon" not in first.content.decode()
    with time_machine.travel(go_live, tick=False):
        assert "Results at noon" in get(client, "/news/").content.decode()


def test_a_copy_rendered_a_moment_later_by_another_clock_is_waited_for_not_rendered_again(
    client, live, make_release, publish, backend, django_assert_num_queries
):
    """Processes estimate the database's time each to within milliseconds of the others: at a
    go-live second one renders the page "just after" while another is still "just before".
    The second waits those milliseconds for the copy instead of rendering its own, and never
    serves it before its own clock has reached it."""
    go_live = NOW + timedelta(seconds=5)
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        publish(make_release(headline="Results at noon", published_at=go_live))
    with time_machine.travel(go_live + timedelta(milliseconds=20), tick=False):
        first = get(client, "/news/")
    assert "Results at noon" in first.content.decode()
    with (
        time_machine.travel(go_live - timedelta(milliseconds=30), tick=True),
        django_assert_num_queries(0),
    ):
        again = get(client, "/news/")
        waited_until = timezone.now()
    assert again.content == first.content
    assert waited_until >= go_live + timedelta(milliseconds=20)


def test_server_cache_ends_at_the_next_go_live_and_no_header_says_when(
    client, live, make_release, publish, backend, django_capture_on_commit_callbacks
):
    go_live = NOW + timedelta(seconds=42)
    with (
        time_machine.travel(NOW - timedelta(hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        publish(make_release(headline="Results at noon", published_at=go_live))
    with time_machine.travel(NOW, tick=False):
        warm = get(client, "/news/feed/rss/")
        assert warm["Cache-Control"] == SHARED_POLICY
    with time_machine.travel(NOW + timedelta(seconds=30), tick=False):
        cached = get(client, "/news/feed/rss/", if_none_match=warm["ETag"])
        assert cached.status_code == 304
        assert cached["Cache-Control"] == SHARED_POLICY
    with time_machine.travel(go_live, tick=False):
        response = get(client, "/news/feed/rss/", if_none_match=warm["ETag"])
    assert response.status_code == 200
    assert feedparser.parse(response.content).entries[0].title == "Results at noon"
    assert response["Cache-Control"] == SHARED_POLICY


def test_pages_are_served_when_the_cache_server_is_down(client, live, settings, caplog):
    # Nothing listens on port 1.
    settings.CACHES = {"default": redis_cache("redis://127.0.0.1:1/0")}
    with (
        caplog.at_level(logging.WARNING, logger="irsite.http.redis"),
        time_machine.travel(NOW, tick=False),
    ):
        for url in [*PUBLIC_URLS, live.get_absolute_url()]:
            response = get(client, url)
            assert response.status_code == 200, url
        feed = get(client, "/news/feed/rss/")
        assert get(client, "/news/feed/rss/", if_none_match=feed["ETag"]).status_code == 304
    warnings = [r for r in caplog.records if r.name == "irsite.http.redis"]
    assert warnings and "unreachable" in warnings[0].getMessage()
    # One warning per outage window, not one per request.
    assert len(warnings) == 1


def test_admin_edits_of_company_and_contacts_reach_cached_pages(
    client, live, superuser, company, contacts, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW, tick=False):
        assert "Renamed Person" not in get(client, "/contacts/").content.decode()
        admin = type(client)()
        admin.force_login(superuser)
        contact = contacts[0]
        url = reverse("admin:contacts_contact_change", args=[contact.pk])
        data = {
            "name": "Renamed Person",
            "title": contact.title,
            "organization": contact.organization,
            "telephone": contact.telephone,
            "email": contact.email,
            "audience": contact.audience,
            "is_active": "on",
            "position": contact.position,
        }
        with django_capture_on_commit_callbacks(execute=True):
            assert admin.post(url, data).status_code == 302
        assert "Renamed Person" in get(client, "/contacts/").content.decode()


def test_signed_in_staff_get_private_responses_even_from_the_cache(client, live, superuser):
    with time_machine.travel(NOW, tick=False):
        public = get(client, "/news/")
        client.force_login(superuser)
        staff = get(client, "/news/")
    assert "public" in public["Cache-Control"]
    assert "private" in staff["Cache-Control"] and "no-store" in staff["Cache-Control"]


def test_a_change_made_through_another_server_retires_this_servers_copy_at_once(
    live, make_release, publish, backend, django_capture_on_commit_callbacks
):
    """Two test clients are two middleware stacks, each with copies of its own, sharing the
    cache (Redis in the `redis` case, as two app servers would)."""
    here, there = Client(), Client()
    with time_machine.travel(NOW, tick=False):
        assert "Second release" not in get(here, "/news/feed/rss/").content.decode()
        assert "Second release" not in get(here, "/news/feed/rss/").content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            publish(make_release(headline="Second release", published_at=NOW))
        get(there, "/news/feed/rss/")
        assert feedparser.parse(get(here, "/news/feed/rss/").content).entries[0].title == (
            "Second release"
        )


def test_pages_render_from_the_database_while_the_cache_is_unreachable(client, live, settings):
    """Without the shared generation nothing may be reused: a copy could not be retired by
    another server's change."""
    # Nothing listens on port 1.
    settings.CACHES = {"default": redis_cache("redis://127.0.0.1:1/0")}
    with time_machine.travel(NOW, tick=False):
        get(client, "/news/")
        with CaptureQueriesContext(connection) as queries:
            assert get(client, "/news/").status_code == 200
    assert len(queries) > 0


def test_every_public_answer_says_how_shared_caches_may_keep_it(
    client, live, make_release, publish, category, django_capture_on_commit_callbacks
):
    """404s and 410s too: a cache that picks its own lifetime for them keeps a release's URL
    dead after its go-live (Varnish: 120 s by default)."""
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        scheduled = publish(make_release(slug="not-yet", published_at=NOW + timedelta(hours=1)))
        gone = publish(make_release(slug="gone", published_at=NOW - timedelta(hours=2)))
        with django_capture_on_commit_callbacks(execute=True):
            actions.withdraw(gone, SYSTEM, "Issued in error.")
    not_yet = scheduled.get_absolute_url()
    with time_machine.travel(NOW, tick=False):
        answers = {
            not_yet: get(client, not_yet),
            "/news/2026/01/01/never-was/": get(client, "/news/2026/01/01/never-was/"),
            "/no-such-page/": get(client, "/no-such-page/"),
            "/news/1999/": get(client, "/news/1999/"),
            "/news/category/no-such/": get(client, "/news/category/no-such/"),
            gone.get_absolute_url(): get(client, gone.get_absolute_url()),
        }
    for url, response in answers.items():
        assert response.status_code in {404, 410}, url
        assert response["Cache-Control"] == SHARED_POLICY, url
    # The same keys as a release URL that never existed (the front cache adds the path).
    assert (
        answers[not_yet]["Surrogate-Key"] == answers["/news/2026/01/01/never-was/"]["Surrogate-Key"]
    )


def test_last_modified_moves_past_every_earlier_value_whenever_the_bytes_change(
    client, live, make_release, publish, category, superuser, backend,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    """Feed readers that send only If-Modified-Since (FreshRSS) must never get 304 for changed
    bytes: after a publication with a go-live in the past, a go-live, a correction, a category
    renamed, a withdrawal (an older neighbour's "next" link goes), several in one second."""
    urls = [
        "/", "/news/", "/news/feed/rss/", "/news/feed/atom/", f"/news/category/{category.slug}/",
        "/sitemap.xml", live.get_absolute_url(),
    ]  # fmt: skip
    seen: dict[str, list[tuple[bytes, int]]] = {url: [] for url in urls}
    staff = Client()
    staff.force_login(superuser)

    def look(moment) -> None:
        with time_machine.travel(moment, tick=False):
            for url in urls:
                response = get(client, url)
                assert response.status_code == 200, url
                body, stamp = response.content, parse_http_date(response["Last-Modified"])
                if seen[url] and body != seen[url][-1][0]:
                    assert stamp > max(s for _, s in seen[url]), f"{url}: bytes changed at {moment}"
                    again = get(client, url, if_modified_since=http_date(seen[url][-1][1]))
                    assert again.status_code == 200, f"{url}: 304 for changed bytes at {moment}"
                elif seen[url]:
                    # Unchanged bytes may carry a newer date (the whole site's), never older.
                    assert stamp >= seen[url][-1][1], f"{url}: went back at {moment}"
                seen[url].append((body, stamp))

    def at_(seconds: float):
        return NOW + timedelta(seconds=seconds)

    def act(seconds: float, action) -> None:
        with (
            time_machine.travel(at_(seconds), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            action()

    look(at_(0))
    # Published now with a go-live in the past, in the same second as the last look.
    act(0.2, lambda: publish(make_release(headline="Backdated", published_at=at_(-7200))))
    look(at_(0.4))
    # Scheduled: nothing public changes, no validator moves.
    newer: list = []
    act(0.5, lambda: newer.append(publish(make_release(headline="Newer", published_at=at_(5)))))
    look(at_(0.6))
    # Its go-live passes; a correction in the same second.
    look(at_(5))
    act(5.3, lambda: _correct(live, "First quarter results, restated"))
    look(at_(5.6))
    # A category renamed in the admin, and the newest release withdrawn, within one second.
    category_url = f"/admin/releases/category/{category.pk}/change/"
    act(
        6.1,
        lambda: staff.post(category_url, {"name": "Renamed news", "slug": category.slug}),
    )
    look(at_(6.2))
    act(6.4, lambda: actions.withdraw(newer[0], SYSTEM, "Issued in error."))
    look(at_(6.5))
    look(at_(9))
    changed = {url: len({body for body, _ in seen[url]}) for url in urls}
    assert changed["/news/feed/rss/"] >= 4 and changed[live.get_absolute_url()] >= 3, changed


@pytest.mark.server
@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_whose_invalidation_never_reached_redis_is_served_within_seconds(
    client, live, settings
):
    """Another server, cut from Redis, withdraws the release (its replacement of the shared
    generation is lost); this server, on Redis, must stop serving the cached page within
    IRSITE_GENERATION_CHECK_SECONDS, not after IRSITE_PUBLIC_MAX_AGE."""
    settings.CACHES = {"default": redis_cache(REDIS_URL, f"irsite-test-{uuid.uuid4().hex}")}
    settings.IRSITE_GENERATION_CHECK_SECONDS = 1.0
    url = live.get_absolute_url()
    assert get(client, url).status_code == 200
    assert "first-quarter-results" in get(client, "/news/").content.decode()
    other_server = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from releases import actions; from releases.models import Release; "
         f"actions.withdraw(Release.objects.get(pk={live.pk}), "
         "actions.SystemActor('server b'), 'Issued in error.')"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
        env=os.environ | {"DATABASE_URL": database_url(), "CACHE_URL": "redis://127.0.0.1:1/0",
                          "LOG_LEVEL": "CRITICAL"},
    )  # fmt: skip
    assert other_server.returncode == 0, other_server.stderr[-2000:]
    time.sleep(settings.IRSITE_GENERATION_CHECK_SECONDS + 0.2)
    assert get(client, url).status_code == 410
    assert "first-quarter-results" not in get(client, "/news/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_concurrent_readers_of_a_changed_page_wait_for_one_render(live, settings):
    """At a go-live every page changes at once and every reader arrives at once: one request
    renders each page, the others are answered with its copy, none fails."""
    settings.CACHES = {"default": redis_cache(REDIS_URL, f"irsite-test-{uuid.uuid4().hex}")}
    readers = 12
    barrier = threading.Barrier(readers)
    results: list[tuple[int, int]] = []  # (status, queries on releases_release)

    def reader() -> None:
        counted = []

        def count(execute, sql, params, many, context):
            if "releases_release" in sql:
                counted.append(sql)
            return execute(sql, params, many, context)

        client = Client()
        try:
            with connection.execute_wrapper(count):
                barrier.wait()
                status = client.get("/news/").status_code
            results.append((status, len(counted)))
        finally:
            connection.close()

    threads = [threading.Thread(target=reader) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [status for status, _ in results] == [200] * readers
    rendered = [queries for _, queries in results if queries]
    assert len(rendered) == 1, f"{len(rendered)} of {readers} concurrent readers rendered /news/"


def test_a_frame_revalidated_from_the_cache_keeps_the_framing_its_view_allows(
    client, live, backend
):
    """The sign-up frame allows same-origin framing (its view's decorator): a copy answered
    from the cache, a 304 to a browser revalidating it included, says so as the view did, or
    the browser blocks the frame."""
    with time_machine.travel(NOW, tick=False):
        first = get(client, "/alerts/embed/")
        again = get(client, "/alerts/embed/")
        revalidated = get(client, "/alerts/embed/", if_none_match=first["ETag"])
    assert first["X-Frame-Options"] == again["X-Frame-Options"] == "SAMEORIGIN"
    assert revalidated.status_code == 304
    assert revalidated["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in revalidated["Content-Security-Policy"]
