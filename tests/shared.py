"""Helpers shared by several test modules: reading responses, PDFs and pages, an uploaded logo
(and a company given one through its form), a confirmed subscriber, a filing's text as pasted,
the public URL patterns filled in, and a search page's headlines."""

import io
import re
import secrets
import time
import uuid
from contextlib import contextmanager

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image
from pypdf import PdfReader

from irsite.alerts import actions as alert_actions
from irsite.alerts.models import Subscriber
from irsite.http.pagecache import forget_committed_version
from releases.models import Attachment, Category, Release

from .admin_forms import CHANGE, profile_data
from .conftest import NY, at
from .files import photo, upload


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@contextmanager
def counted_queries():
    """The queries of what runs inside, counted from the same start as its twin's: the page
    cache reads the count of changes at most once a second per process, so without this a
    request that happened to cross that second would count one query more than its twin on a
    loaded machine (the work compared is the same)."""
    forget_committed_version()
    with CaptureQueriesContext(connection) as captured:
        yield captured


def never_existed_url(like: Attachment) -> str:
    return reverse("releases:file", args=[f"{secrets.token_hex(16)}.{like.extension}"])


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def missing_pdf_url(release: Release) -> str:
    local = release.published_at.astimezone(NY)
    return reverse(
        "releases:pdf",
        args=[local.year, local.month, local.day, f"never-{secrets.token_hex(4)}"],
    )


def article(html: str) -> str:
    """The release itself, without the site's header and footer (which show the company now)."""
    return re.search(r"<article class=\"release\".*?</article>", html, re.S).group(0)


def logo(colour: tuple[int, int, int], size: tuple[int, int]):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return upload("logo.png", buffer.getvalue())


def get(client, url, **headers):
    return client.get(url, headers=headers)


def subscribe(email_address: str, *categories: Category) -> Subscriber:
    """An address that asked for alerts and confirmed them."""
    alert_actions.request_subscription(
        email_address, all_categories=not categories, categories=categories, source="tests"
    )
    subscriber = Subscriber.objects.get(email=email_address.lower())
    assert (
        alert_actions.confirm(subscriber, subscriber.requested_at.isoformat()).value == "confirmed"
    )
    subscriber.refresh_from_db()
    return subscriber


# A filing's hard-wrapped text as an editor pastes it (the paste-text tests, in the admin and
# in the browser).
FILING = """\
\t\t\tExhibit 99.1

CAMBRIDGE, Mass.--Jan. 24, 2003--ImmunoGen, Inc. (Nasdaq: IMGN) today announced that it
has regained the rights to cantuzumab mertansine from GlaxoSmithKline, and that it will
take the compound forward itself.

"This is an important step for the company," said Mitchel Sayare, Chairman and CEO of
ImmunoGen. "We believe in the compound."

Highlights

  o  Rights to the compound return to ImmunoGen on March 1, 2003.
  o  No payments are due by either party.
"""


# URLs that need a query string to show a release, keyed by URL name.
QUERY = {
    "releases:search": {"q": "quarterly results"},
    # The API's list with both of its filters (tests/test_leaks.py: the release's own).
    "api-v1:list_releases": {"category": "corporate", "year": "2026"},
    # The events' list with its filters, as the scheduled event of tests/test_leaks.py has them.
    "api-v1:list_events": {"kind": "investor_day", "year": "2026", "when": "upcoming"},
}


def public_patterns() -> list[tuple[str, str]]:
    """(name, route) of every URL pattern outside the admin."""
    found: list[tuple[str, str]] = []

    def walk(patterns, prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                found.append((f"{namespace}{p.name}", prefix + str(p.pattern)))

    walk(get_resolver().url_patterns, "", "")
    return found


PATTERNS = public_patterns()


def fill(route: str, release, category: Category, event=None, report=None) -> str:
    """``route`` filled in from ``release`` and ``category``; an event's routes (``events/``)
    from ``event`` when given (its date in its own zone, its slug, its first document); a
    report's (``reports/``) from ``report`` when given (its fiscal year, its PDF)."""
    section = "events" if event is not None else "releases-0"  # 0: low ids
    if report is not None and route.startswith("reports/"):
        local = report.published_at.replace(year=report.fiscal_year)
        name, slug = report.key, release.slug
    elif report is not None and route.startswith("sitemap-"):
        local, name, slug, section = release.published_at, "", "", "reports"
    elif event is not None and route.startswith("events/"):
        local = event.local_start
        document = event.documents.first()
        name = document.key if document else f"{event.slug}.pdf"
        slug = event.slug
    else:
        local = release.published_at.astimezone(NY)
        name = f"{release.slug}.pdf"
        slug = release.slug if "<year:year>" in route else category.slug
    values = {
        "<year:year>": str(local.year),
        "<dd:month>": f"{local.month:02d}",
        "<dd:day>": f"{local.day:02d}",
        "<slug:slug>": slug,
        "<str:token>": release.slug,
        "<str:name>": name,
        "<str:section>": section,
        "<filinggroup:group>": "current",
        "<fiscalperiod:period>": "q4",
        "<fiscal_year>": "2026",
        "<period>": "q4",
        # The JSON API: a release by its id, an event by its (or an id nobody has), a filing
        # by an accession number; any other path under /api/.
        "<release_id>": str(release.uuid),
        # A report by its id; from the release's when no report is given (no such report).
        "<report_id>": str(report.uuid if report is not None else release.uuid),
        "<event_id>": str(event.uid if event is not None else uuid.uuid4()),
        "<accession_number>": "0000855654-26-000001",
        "<path:rest>": f"v1/{release.slug}",
    }
    url = "/" + route
    for placeholder, value in values.items():
        url = url.replace(placeholder, value)
    assert "<" not in url, f"add the parameter of {route!r} to fill() in {__file__}"
    return url


def wait_until(condition, seconds: float, what: str) -> None:
    """Poll ``condition()`` every 50 ms until it holds; fail saying ``what`` after ``seconds``."""
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.05)


def with_logo(client, superuser, company):
    client.force_login(superuser)
    url = reverse(CHANGE, args=[company.pk])
    response = client.post(url, profile_data(company, logo_upload=upload("logo.png", photo("PNG"))))
    assert response.status_code == 302, response.context and response.context["errors"]
    client.logout()
    company.refresh_from_db()
    return company


# The moment the page-cache tests (test_cache.py, test_redis_full.py) run at, and the public
# URLs they read through the cache.
NOW = at(2026, 3, 2, 12, 0, 0)
PUBLIC_URLS = [
    "/",
    "/news/",
    "/news/2026/",
    "/news/feed/rss/",
    "/news/feed/atom/",
    "/news/search/?q=results",
    "/sitemap.xml",
    "/sitemap-releases-0.xml",
    "/contacts/",
]


def found(response) -> list[str]:
    """Headlines of the results, in order, without the highlighting."""
    return [
        re.sub(r"</?mark>", "", h)
        for h in re.findall(r'<h3><a href="[^"]+">(.*?)</a></h3>', response.content.decode())
    ]


def max_age(response) -> int | None:
    for part in response.get("Cache-Control", "").split(","):
        name, _, value = part.strip().partition("=")
        if name == "max-age":
            return int(value)
    return None


# Headers that differ between any two requests, or that only a browser's own request decides.
PER_REQUEST = {"date", "set-cookie", "vary"}


def visible(response) -> tuple:
    headers = {k.lower(): v for k, v in response.headers.items() if k.lower() not in PER_REQUEST}
    # A form's CSRF token is new on every request (same length).
    content = body(response)  # a file's answer is streamed
    kept = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", content)
    return response.status_code, len(content), kept, headers
