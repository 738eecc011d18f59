"""Nothing of a scheduled release is public before its go-live second, on any public URL.

The URLs are discovered from the URLconf, so a public view added later is walked here without
editing this test. Each URL pattern is filled in from the scheduled release itself (its year,
date, slug, category), which is exactly what someone guessing URLs would try.

Both tests run with the server-side page cache off and on. With it on, every URL is cached
before the go-live, and must still show the release at the go-live second: no cached response
may outlive the next go-live.
"""

import re
from datetime import timedelta

import pytest
import time_machine

from releases import actions

from .conftest import SYSTEM, at
from .shared import PATTERNS, QUERY, fill

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


@pytest.fixture(params=[False, True], ids=["cache-off", "cache-on"])
def page_cache(request, settings) -> bool:
    settings.IRSITE_PAGE_CACHE = request.param
    return request.param


def max_age(response) -> int | None:
    for part in response.get("Cache-Control", "").split(","):
        name, _, value = part.strip().partition("=")
        if name == "max-age":
            return int(value)
    return None


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


# Headers that differ between any two requests, or that only a browser's own request decides.
PER_REQUEST = {"date", "set-cookie", "vary"}


def visible(response) -> tuple:
    headers = {k.lower(): v for k, v in response.headers.items() if k.lower() not in PER_REQUEST}
    # A form's CSRF token is new on every request (same length).
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", response.content)
    return response.status_code, len(response.content), body, headers


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
