"""Nothing of a scheduled release is public before its go-live second, on any public URL.

The URLs are discovered from the URLconf, so a public view added later is walked here without
editing this test. Each URL pattern is filled in from the scheduled release itself (its year,
date, slug, category), which is exactly what someone guessing URLs would try.

Both tests run with the server-side page cache off and on. With it on, every URL is cached
before the go-live, and must still show the release at the go-live second: no cached response
may outlive the next go-live.
"""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.utils.http import http_date

from releases import actions
from releases.models import Category

from .conftest import SYSTEM, at
from .shared import PATTERNS, QUERY, body, counted_queries, fill, max_age, visible

GO_LIVE = at(2026, 11, 30, 16, 5, 0)
# Public URLs that never list releases (the share-link preview needs a valid token: it has its
# own tests). Every other URL must show the release from its go-live second on.
NOT_RELEASE_SURFACES = {
    "contacts:list",
    "contacts:logo",
    "releases:preview",
    # A release's files: tests/test_attachments.py holds them to the same rule.
    "releases:file",
    # The PDF rendition: its text is compressed (tests/test_pdf.py reads it from the page).
    "releases:pdf",
    # Email alert sign-up and the signed links in alert emails: they never list releases.
    "alerts:subscribe",
    "alerts:embed",
    "alerts:confirm",
    "alerts:unsubscribe",
    "alerts:preferences",
    "robots",
    "healthz",
    "favicon",  # a redirect to the icon's static file
    "brand-css",  # the company's colour, one CSS rule
    # The index lists sections, not releases; the section of a release is checked below.
    "sitemap",
    # The SEC filings list and its feeds: filings from EDGAR, never a release
    # (tests/test_filings_public.py).
    "filings:list",
    "filings:rss",
    "filings:group-rss",
    # The JSON API's document, its index and any other path under /api/ (a JSON 404).
    "api-v1:openapi-json",
    "api-v1:index",
    "api-v1:api-root",
    "api-no-such-path",
    # Events list events, never releases (an event's page lists only public ones, which
    # tests/test_events_public.py holds); their own rule is walked at the end of this file.
    "events:list",
    "events:calendar",
    "events:detail",
    "events:ics",
    "events:rss",
    "events:atom",
    "events:file",
    # Results kits show a release only with its kit, at the release's second
    # (tests/test_results_public.py walks them a second before and at it).
    "results:list",
    "results:detail",
    "results:rss",
    "results:atom",
    "results:file",
    "api-v1:list_results",
    "api-v1:get_results_kit",
    # Reports list reports, never releases; their own rule is walked at the end of this file.
    "reports:list",
    "reports:year",
    "reports:rss",
    "reports:atom",
    "reports:file",
    "api-v1:list_reports",
    "api-v1:get_report",
    # The API's events and filings: their own rules (tests/test_api_events.py,
    # tests/test_api_filings.py); the events' are walked at the end of this file.
    "api-v1:list_events",
    "api-v1:get_event",
    "api-v1:list_filings",
    "api-v1:get_filing",
}


RELEASE_SURFACES = [(n, r) for n, r in PATTERNS if n not in NOT_RELEASE_SURFACES]


@pytest.fixture
def scheduled(make_release, publish, category):
    # A release already public, so every list and feed has something to show.
    publish(make_release(categories=[category], published_at=at(2026, 11, 2, 8, 0, 0)))
    with time_machine.travel(GO_LIVE - timedelta(days=1), tick=False):
        return publish(
            make_release(
                headline="Quarterly results beat every estimate",
                slug="quarterly-results-beat-estimates",
                body="<p>Revenue of $9.87 billion, up 42 percent.</p>",
                categories=[category],
                published_at=GO_LIVE,
            )
        )


SECRETS = ("Quarterly results beat every estimate", "quarterly-results-beat-estimates", "9.87")
# What shows the release where its headline is not printed as it is: the sitemap lists URLs
# only, and search marks the matched words inside the headline.
SHOWN_BY = {"sitemap-section": SECRETS[1], "releases:search": SECRETS[1]}


@pytest.mark.slow
@pytest.mark.parametrize(("name", "route"), PATTERNS, ids=[n for n, _ in PATTERNS])
def test_scheduled_release_is_on_no_public_url_until_go_live(
    client, scheduled, page_cache, name, route
):
    url = fill(route, scheduled, scheduled.categories.get())
    for moment in (
        GO_LIVE - timedelta(hours=3),
        GO_LIVE - timedelta(seconds=100),
        GO_LIVE - timedelta(seconds=1),
    ):
        with time_machine.travel(moment, tick=False):
            response = client.get(url, QUERY.get(name, {}))
        body = response.content.decode()
        for secret in SECRETS:
            assert secret not in body, f"{url} shows {secret!r} at {moment}"
        # Nothing of it in headers either (Location, Link, ETag computed from content ...).
        assert not any(s in str(response.headers) for s in SECRETS[1:])
        # No HTTP cache may keep this response past the go-live either.
        if (age := max_age(response)) is not None:
            assert age <= (GO_LIVE - moment).total_seconds(), f"{url} max-age {age} at {moment}"


@pytest.mark.slow
@pytest.mark.parametrize(("name", "route"), RELEASE_SURFACES, ids=[n for n, _ in RELEASE_SURFACES])
def test_scheduled_release_is_on_every_release_url_at_go_live(
    client, scheduled, page_cache, name, route
):
    url = fill(route, scheduled, scheduled.categories.get())
    shown_by = SHOWN_BY.get(name, SECRETS[0])
    # Warm the cache (when on) shortly before: what it keeps must not outlive the go-live.
    for moment in (GO_LIVE - timedelta(seconds=100), GO_LIVE - timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            response = client.get(url, QUERY.get(name, {}))
        assert shown_by not in response.content.decode(), f"{url} shows it at {moment}"
    for moment in (GO_LIVE, GO_LIVE + timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            response = client.get(url, QUERY.get(name, {}))
        assert response.status_code == 200, url
        assert shown_by in response.content.decode(), f"{url} lacks the release at {moment}"


@pytest.mark.slow
@pytest.mark.parametrize(("name", "route"), PATTERNS, ids=[n for n, _ in PATTERNS])
def test_no_status_header_or_length_tells_whether_a_release_is_scheduled(
    client, scheduled, page_cache, name, route, django_capture_on_commit_callbacks
):
    """The same request gets the same answer, byte for byte and header for header, with the
    release scheduled and after it is unscheduled: Cache-Control, ETag, Last-Modified and
    surrogate keys included."""
    url = fill(route, scheduled, scheduled.categories.get())
    with time_machine.travel(GO_LIVE - timedelta(seconds=100), tick=False):
        with_it = visible(client.get(url, QUERY.get(name, {})))
        with django_capture_on_commit_callbacks(execute=True):
            actions.unschedule(scheduled, SYSTEM)
        without = visible(client.get(url, QUERY.get(name, {})))
    assert with_it[0] == without[0], url
    assert with_it[3] == without[3], url
    assert with_it[1:3] == without[1:3], url


API = [(n, r) for n, r in PATTERNS if r.startswith("api/")]


def test_the_leak_walk_covers_the_api(scheduled):
    """The walks above take every pattern of the URLconf: the API's list and release are
    among them, filled in from the scheduled release (its id, its category and year)."""
    walked = {fill(r, scheduled, scheduled.categories.get()) for _, r in API}
    assert f"/api/v1/releases/{scheduled.uuid}" in walked
    assert "/api/v1/releases" in walked
    assert QUERY["api-v1:list_releases"] == {"category": "corporate", "year": "2026"}


def test_the_api_answers_what_is_scheduled_exactly_like_what_never_existed(
    client, scheduled, page_cache
):
    """A scheduled release's id, and a category only a scheduled release has, get the answer
    an id or a slug that never existed gets: status, length, bytes and every header, after the
    same number of queries (no timing tell)."""
    scheduled.categories.add(Category.objects.create(name="Mergers", slug="mergers"))
    pairs = [
        (f"/api/v1/releases/{scheduled.uuid}", f"/api/v1/releases/{uuid.uuid4()}"),
        ("/api/v1/releases?category=mergers", "/api/v1/releases?category=acquisitions"),
        (
            "/api/v1/releases?category=mergers&year=2026&limit=5",
            "/api/v1/releases?category=acquisitions&year=2026&limit=5",
        ),
    ]
    for moment in (GO_LIVE - timedelta(hours=3), GO_LIVE - timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            for hidden, never in pairs:
                client.get(never)  # the cache's reads of this moment, done once for both
                with counted_queries() as asked:
                    response = client.get(hidden)
                with counted_queries() as asked_never:
                    missing = client.get(never)
                assert response.status_code in {400, 404}, hidden
                assert visible(response) == visible(missing), hidden
                assert len(asked.captured_queries) == len(asked_never.captured_queries), hidden
    with time_machine.travel(GO_LIVE, tick=False):
        assert client.get(pairs[0][0]).status_code == 200
        assert client.get(pairs[1][0]).status_code == 200


# --- events (issue 25): nothing of an event before its announce second, nothing of its webcast,
# dial-in or documents before its materials second, on any public URL --------------------------

ANNOUNCE = at(2026, 11, 30, 16, 5, 0)
MATERIALS = at(2026, 12, 2, 16, 5, 0)
EVENT_SECRETS = ("Investor day on the new platform", "investor-day-new-platform")
MATERIAL_SECRETS = ("webcast.example.com/secret-room", "passcode 990077")
# Event URLs that show the event itself (its files have their own rule, the materials').
EVENT_SURFACES = [(n, r) for n, r in PATTERNS if n.startswith("events:") and n != "events:file"] + [
    ("sitemap-section", "sitemap-<str:section>.xml"),
    ("api-v1:list_events", "api/v1/events"),
    ("api-v1:get_event", "api/v1/events/<event_id>"),
]
# Event URLs that carry the webcast, dial-in and documents from the materials second on.
MATERIAL_SURFACES = {"events:detail", "events:ics", "events:calendar", "api-v1:get_event"}
SHOWN_AT_ANNOUNCE = {"sitemap-section": EVENT_SECRETS[1]}


@pytest.fixture
def scheduled_event(make_release, publish, category, make_event, announce):
    from events.models import EventDocument
    from irsite.uploads import check_upload

    from .files import PDF, upload

    release = publish(make_release(categories=[category], published_at=at(2026, 11, 2, 8, 0, 0)))
    with time_machine.travel(ANNOUNCE - timedelta(days=1), tick=False):
        # One already public, so every list, feed and calendar has something to show.
        announce(make_event(title="Annual meeting", announce_at=ANNOUNCE - timedelta(hours=20)))
        event = make_event(
            title=EVENT_SECRETS[0],
            slug=EVENT_SECRETS[1],
            kind="investor_day",
            starts_at=at(2026, 12, 10, 9, 0, 0),
            webcast_url=f"https://{MATERIAL_SECRETS[0]}",
            dial_in=f"+1 800 555 0100, {MATERIAL_SECRETS[1]}",
            announce_at=ANNOUNCE,
            materials_at=MATERIALS,
        )
        document = EventDocument(event=event, kind="slides", title="Platform slides")
        document.take(check_upload(upload("slides.pdf", PDF)))
        document.save()
        return release, category, announce(event)


def _assert_absent(response, secrets, url, moment) -> None:
    text = body(response).decode(errors="replace")
    for secret in secrets:
        assert secret not in text, f"{url} shows {secret!r} at {moment}"
        assert secret not in str(response.headers), f"{url} headers show {secret!r} at {moment}"


# Parameters someone guessing would add, tracking ones and those the lists read, with values
# drawn from the scheduled release: none may show it before its second (each view sees only
# the parameters it reads, `irsite.http.pagecache.keep_only`).
GUESSED_PARAMETERS = [
    {"utm_source": "newsletter", "fbclid": "x", "gclid": "y", "mc_cid": "1", "ref": "z"},
    {"preview": "1", "draft": "true", "status": "scheduled", "show": "all", "at": "2026-11-30"},
    {"year": "2026", "page": "1", "q": "quarterly results", "p": "1", "from": "/news/"},
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "route"), PATTERNS, ids=[n for n, _ in PATTERNS])
def test_scheduled_event_is_on_no_public_url_until_announced(
    client, scheduled_event, page_cache, name, route
):
    release, category, event = scheduled_event
    url = fill(route, release, category, event)
    key = event.documents.get().key
    for moment in (ANNOUNCE - timedelta(hours=3), ANNOUNCE - timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            response = client.get(url, QUERY.get(name, {}))
        _assert_absent(response, (*EVENT_SECRETS, *MATERIAL_SECRETS, key), url, moment)
        if (age := max_age(response)) is not None:
            assert age <= (ANNOUNCE - moment).total_seconds(), f"{url} max-age {age}"


@pytest.mark.slow
@pytest.mark.parametrize(("name", "route"), PATTERNS, ids=[n for n, _ in PATTERNS])
def test_hidden_materials_are_on_no_public_url_until_their_second(
    client, scheduled_event, page_cache, name, route
):
    release, category, event = scheduled_event
    url = fill(route, release, category, event)
    key = event.documents.get().key
    for moment in (ANNOUNCE, MATERIALS - timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            response = client.get(url, QUERY.get(name, {}))
        _assert_absent(response, (*MATERIAL_SECRETS, key), url, moment)
        if name == "events:file":
            assert response.status_code == 404


@pytest.mark.slow
@pytest.mark.parametrize(("name", "route"), EVENT_SURFACES, ids=[n for n, _ in EVENT_SURFACES])
def test_scheduled_event_is_on_every_event_url_at_its_seconds(
    client, scheduled_event, page_cache, name, route
):
    release, category, event = scheduled_event
    url = fill(route, release, category, event)
    shown_by = SHOWN_AT_ANNOUNCE.get(name, EVENT_SECRETS[0])
    # Warm the cache (when on) just before each second: no copy may outlive it.
    with time_machine.travel(ANNOUNCE - timedelta(seconds=1), tick=False):
        assert shown_by not in client.get(url).content.decode()
    with time_machine.travel(ANNOUNCE, tick=False):
        response = client.get(url)
    assert response.status_code == 200, url
    assert shown_by in response.content.decode(), f"{url} lacks the event at its announce second"
    if name in MATERIAL_SURFACES:
        with time_machine.travel(MATERIALS - timedelta(seconds=1), tick=False):
            assert MATERIAL_SECRETS[0] not in client.get(url).content.decode()
        with time_machine.travel(MATERIALS, tick=False):
            assert MATERIAL_SECRETS[0] in client.get(url).content.decode(), url


@pytest.mark.slow
@pytest.mark.parametrize(("name", "route"), PATTERNS, ids=[n for n, _ in PATTERNS])
def test_no_status_header_or_length_tells_whether_an_event_is_scheduled(
    client, scheduled_event, page_cache, name, route, django_capture_on_commit_callbacks
):
    from events import actions as event_actions

    release, category, event = scheduled_event
    url = fill(route, release, category, event)
    with time_machine.travel(ANNOUNCE - timedelta(seconds=100), tick=False):
        with_it = visible(client.get(url, QUERY.get(name, {})))
        with django_capture_on_commit_callbacks(execute=True):
            event_actions.unschedule(event, SYSTEM)
        without = visible(client.get(url, QUERY.get(name, {})))
    assert with_it[0] == without[0], url
    assert with_it[3] == without[3], url
    assert with_it[1:3] == without[1:3], url


@pytest.mark.slow
@pytest.mark.parametrize(("name", "route"), PATTERNS, ids=[n for n, _ in PATTERNS])
def test_no_query_parameter_shows_a_scheduled_release_before_its_go_live(
    client, scheduled, page_cache, name, route
):
    category = scheduled.categories.get()
    url = fill(route, scheduled, category)
    with time_machine.travel(GO_LIVE - timedelta(seconds=1), tick=False):
        for params in GUESSED_PARAMETERS:
            query = QUERY.get(name, {}) | params | {"category": category.slug}
            response = client.get(url, query)
            body = response.content.decode()
            for secret in SECRETS:
                assert secret not in body, f"{url} {query} shows {secret!r}"
            assert not any(s in str(response.headers) for s in SECRETS[1:]), (url, query)


# --- reports (issue 26): nothing of a report (title, PDF, cover) before its publication second,
# on any public URL; every report URL shows it from that second --------------------------------

REPORT_GO_LIVE = at(2026, 11, 30, 16, 5, 0)
REPORT_SECRETS = ("Sustainability report on the new platform",)
REPORT_SURFACES = [
    (n, r) for n, r in PATTERNS if n.startswith("reports:") or n.endswith("_reports")
] + [
    ("sitemap-section", "sitemap-<str:section>.xml"),
    *[(n, r) for n, r in PATTERNS if n == "api-v1:get_report"],
]


@pytest.fixture
def scheduled_report(make_release, publish, category, make_report, publish_report):
    release = publish(make_release(categories=[category], published_at=at(2026, 11, 2, 8, 0, 0)))
    with time_machine.travel(REPORT_GO_LIVE - timedelta(days=1), tick=False):
        # One already public in the same fiscal year, so its page and the feeds answer 200.
        publish_report(
            make_report(title="Annual report", published_at=REPORT_GO_LIVE - timedelta(hours=20))
        )
        report = make_report(
            title=REPORT_SECRETS[0], kind="sustainability_report", published_at=REPORT_GO_LIVE
        )
        return release, category, publish_report(report)


def _report_secrets(report) -> tuple[str, ...]:
    return (*REPORT_SECRETS, report.key, report.cover.name.rpartition("/")[2])


@pytest.mark.slow
@pytest.mark.parametrize(("name", "route"), PATTERNS, ids=[n for n, _ in PATTERNS])
def test_scheduled_report_is_on_no_public_url_until_its_second(
    client, scheduled_report, page_cache, name, route
):
    release, category, report = scheduled_report
    url = fill(route, release, category, report=report)
    urls = [url, report.get_cover_url()] if name == "reports:file" else [url]
    for moment in (REPORT_GO_LIVE - timedelta(hours=3), REPORT_GO_LIVE - timedelta(seconds=1)):
        for address in urls:
            with time_machine.travel(moment, tick=False):
                response = client.get(address, QUERY.get(name, {}))
            _assert_absent(response, _report_secrets(report), address, moment)
            if name == "reports:file":
                assert response.status_code == 404, address
            if (age := max_age(response)) is not None:
                assert age <= (REPORT_GO_LIVE - moment).total_seconds(), f"{address} max-age"


@pytest.mark.slow
@pytest.mark.parametrize(("name", "route"), REPORT_SURFACES, ids=[n for n, _ in REPORT_SURFACES])
def test_scheduled_report_is_on_every_report_url_at_its_second(
    client, scheduled_report, page_cache, name, route
):
    release, category, report = scheduled_report
    url = fill(route, release, category, report=report)
    urls = [url, report.get_cover_url()] if name == "reports:file" else [url]
    for address in urls:
        # Warm the cache (when on) just before the second: no copy may outlive it.
        with time_machine.travel(REPORT_GO_LIVE - timedelta(seconds=1), tick=False):
            before = client.get(address)
        with time_machine.travel(REPORT_GO_LIVE, tick=False):
            response = client.get(address)
        assert response.status_code == 200, address
        if name == "reports:file":
            assert before.status_code == 404, address
            continue
        # The sitemap lists the year's page (already listed for the other report): it shows the
        # report by its new lastmod, the other pages by its file's address.
        shown_by = REPORT_GO_LIVE.isoformat()[:19] if name == "sitemap-section" else report.key
        assert shown_by not in before.content.decode(), address
        assert shown_by in response.content.decode(), f"{address} lacks the report at its second"


@pytest.mark.slow
@pytest.mark.parametrize(("name", "route"), PATTERNS, ids=[n for n, _ in PATTERNS])
def test_no_status_header_or_length_tells_whether_a_report_is_scheduled(
    client, scheduled_report, page_cache, name, route, django_capture_on_commit_callbacks
):
    from reports import actions as report_actions

    release, category, report = scheduled_report
    url = fill(route, release, category, report=report)
    with time_machine.travel(REPORT_GO_LIVE - timedelta(seconds=100), tick=False):
        with_it = visible(client.get(url, QUERY.get(name, {})))
        with django_capture_on_commit_callbacks(execute=True):
            report_actions.unschedule(report, SYSTEM)
        without = visible(client.get(url, QUERY.get(name, {})))
    assert with_it == without, url


def test_the_api_answers_what_is_scheduled_or_hidden_of_an_event_exactly_like_what_never_existed(
    client, scheduled_event, page_cache, django_capture_on_commit_callbacks
):
    """A scheduled event's id gets the 404 of an id nobody has, after the same number of
    queries; once announced, its webcast, dial-in and documents still hidden answer exactly as
    an event that has none: same status, bytes and headers (ETag and Last-Modified too)."""
    release, category, event = scheduled_event
    walked = {fill(r, release, category, event) for _, r in API}
    hidden, never = f"/api/v1/events/{event.uid}", f"/api/v1/events/{uuid.uuid4()}"
    assert hidden in walked and "/api/v1/events" in walked
    for moment in (ANNOUNCE - timedelta(hours=3), ANNOUNCE - timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            client.get(never)  # the cache's reads of this moment, done once for both
            with counted_queries() as asked:
                response = client.get(hidden)
            with counted_queries() as asked_never:
                missing = client.get(never)
        assert response.status_code == 404
        assert visible(response) == visible(missing)
        assert len(asked.captured_queries) == len(asked_never.captured_queries)
    moment = MATERIALS - timedelta(seconds=1)
    with time_machine.travel(moment, tick=False):
        with_materials = visible(client.get(hidden))
        # The same event without any, changed as a correction changes it (every cached page
        # invalidated, the site's Last-Modified moved to now), keeping its version, so that
        # nothing but the materials differ.
        from events.actions import public_event_changed

        with django_capture_on_commit_callbacks(execute=True):
            event.documents.all().delete()
            type(event).objects.filter(pk=event.pk).update(webcast_url="", dial_in="")
            public_event_changed(event)
        without = visible(client.get(hidden))
    assert with_materials[0] == 200
    assert with_materials[:3] == without[:3]
    # Before the change, Last-Modified named the announce second, not the materials' to come.
    assert with_materials[3].pop("last-modified") == http_date(ANNOUNCE.timestamp())
    assert without[3].pop("last-modified") == http_date(moment.timestamp())
    assert with_materials[3] == without[3]
