"""The public pages, read through the test client as a reader's browser would."""

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse, set_script_prefix

from releases import actions
from releases.models import Release
from releases.public.views import ReleaseListView

from .conftest import SYSTEM, at

SEED_PATH = "/news/2003/01/24/immunogen-regains-rights-cantuzumab-mertansine/"


@pytest.fixture
def seed(db, django_db_blocker):
    from django.core.management import call_command

    call_command("load_demo")
    return Release.objects.get(slug="immunogen-regains-rights-cantuzumab-mertansine")


def text_of(response) -> str:
    """The page as a reader sees it: tags dropped, entities and whitespace folded."""
    from html import unescape

    html = response.content.decode()
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
    return re.sub(r" ([:.,;])", r"\1", text)


def test_main_navigation_offers_email_alerts_on_every_public_page(client, seed):
    for path in ["/", "/news/", SEED_PATH, "/search/"]:
        nav = re.search(
            r'<nav aria-label="Main">(.*?)</nav>', client.get(path).content.decode(), re.S
        )
        assert nav and f'href="{reverse("alerts:subscribe")}">Email alerts<' in nav.group(1), path


def test_seed_release_page_prints_every_part_of_the_original(client, seed):
    response = client.get(SEED_PATH)
    assert response.status_code == 200
    page = text_of(response)
    for part in [
        "EXHIBIT 99.1",
        "IMMUNOGEN, INC.",  # letterhead
        "128 Sidney Street",
        "Cambridge, MA 02139-4239",
        "TEL: (617) 995-2500",
        "FAX: (617) 995-2510",
        "Contacts:",
        "INVESTORS",
        "Carol Hausner",
        "Senior Director, Investor Relations and Corporate Communications",
        "info@immunogen.com",
        "MEDIA",
        "Pete Holmberg",
        "Rx Communications Group, LLC",
        "Tel: (917) 322-2164",
        "pholmberg@rxir.com",
        "FOR IMMEDIATE RELEASE",
        "Regains Development and Commercialization Rights for Cantuzumab Mertansine",
        "CAMBRIDGE, MA, January 24, 2003 – ImmunoGen, Inc. (Nasdaq: IMGN) today announced",
        "Mitchel Sayare, Ph.D., ImmunoGen Chairman and CEO, commented",
        "using the huC242 antibody as a targeting vehicle.",
        "ABOUT IMMUNOGEN, INC.",
        "ImmunoGen also has multitarget agreements with Genentech, Abgenix, and Millennium.",
        "FOR IMMUNOGEN, INC.",
        "Private Securities Litigation Reform Act of 1995",
        "June 30, 2002 and other current reports filed with the Securities and Exchange",
    ]:
        assert part in page, part


def test_investor_and_media_contacts_are_side_by_side(client, seed):
    html = client.get(SEED_PATH).content.decode()
    columns = re.findall(r'<div class="contact-column">(.*?)</div>', html, re.S)
    assert ["INVESTORS" in columns[0], "MEDIA" in columns[1]] == [True, True]


def test_news_list_pages_twenty_newest_first(client, make_release, publish):
    for day in range(1, 23):
        publish(
            make_release(headline=f"Release of day {day:02d}", published_at=at(2024, 3, day, 8))
        )
    first = client.get("/news/")
    assert first.status_code == 200
    headlines = re.findall(r"Release of day (\d\d)", first.content.decode())
    assert headlines == [f"{d:02d}" for d in range(22, 2, -1)]
    second = client.get("/news/?page=2")
    assert re.findall(r"Release of day (\d\d)", second.content.decode()) == ["02", "01"]


def test_year_archive_lists_only_that_year_and_links_every_year(client, make_release, publish):
    publish(make_release(headline="Old news", published_at=at(2003, 1, 24, 8)))
    publish(make_release(headline="New news", published_at=at(2024, 5, 1, 8)))
    page = client.get("/news/2003/").content.decode()
    assert "Old news" in page and "New news" not in page
    assert 'href="/news/2024/"' in page and 'href="/news/2003/"' in page
    assert client.get("/news/1999/").status_code == 404


def test_category_archive_filters_releases(client, make_release, publish, category):
    publish(make_release(headline="In the category", categories=[category]))
    publish(make_release(headline="Elsewhere"))
    page = client.get(category.get_absolute_url()).content.decode()
    assert "In the category" in page and "Elsewhere" not in page
    assert client.get("/news/category/no-such-thing/").status_code == 404


def test_news_list_filters_by_year_and_category_on_the_list_itself(
    client, make_release, publish, category, monkeypatch
):
    monkeypatch.setattr(ReleaseListView, "paginate_by", 2)  # read from settings at import
    for day in (1, 2, 3):
        publish(make_release(headline=f"Wanted {day}", published_at=at(2003, 1, day, 8),
                             categories=[category]))  # fmt: skip
    publish(make_release(headline="Other category", published_at=at(2003, 1, 9, 8)))
    publish(make_release(headline="Other year", published_at=at(2004, 1, 9, 8),
                         categories=[category]))  # fmt: skip
    form = client.get("/news/").content.decode()
    assert '<form class="search-form list-filters" method="get" action="/news/"' in form
    assert '<option value="2003">2003</option>' in form
    assert f'<option value="{category.slug}">{category.name}</option>' in form

    query = f"year=2003&category={category.slug}"
    first = client.get(f"/news/?{query}").content.decode()
    assert re.findall(r">(Wanted \d|Other \w+)<", first) == ["Wanted 3", "Wanted 2"]
    assert '<option value="2003" selected>' in first and "noindex" in first
    assert f'href="?year=2003&amp;category={category.slug}&amp;page=2"' in first
    second = client.get(f"/news/?{query}&page=2").content.decode()
    assert re.findall(r">(Wanted \d|Other \w+)<", second) == ["Wanted 1"]
    # Unknown or malformed values are ignored, as in search; never a 500.
    for junk in ["year=abc", "year=99999", "category=no-such", "category=%C3%A9", "year="]:
        response = client.get(f"/news/?{junk}")
        assert response.status_code == 200, junk
        assert "Other year" in response.content.decode()


def test_scheduled_release_answers_exactly_like_a_missing_slug(client, make_release, publish):
    with time_machine.travel(at(2026, 11, 26, 12), tick=False):
        release = publish(make_release(published_at=at(2026, 11, 27, 8)))
        scheduled = client.get(release.get_absolute_url())
        missing = client.get("/news/2026/11/27/never-existed/")
    assert scheduled.status_code == missing.status_code == 404
    assert scheduled.content.replace(release.slug.encode(), b"") == missing.content.replace(
        b"never-existed", b""
    )


@pytest.mark.parametrize("page_cache", [False, True])
def test_a_process_that_served_release_pages_shows_a_release_from_its_go_live_second_not_before(
    client, make_release, publish, settings, page_cache
):
    """The page's statement is built once per process (`releases.public.views`); it decides
    what is public at each render's instant, never at the instant it was built."""
    settings.IRSITE_PAGE_CACHE = page_cache
    older = publish(make_release(published_at=at(2026, 11, 2, 8)))
    go_live = at(2026, 11, 27, 8)
    with time_machine.travel(go_live - timedelta(days=1), tick=False):
        release = publish(make_release(published_at=go_live))
        assert client.get(older.get_absolute_url()).status_code == 200  # the statement built
    for moment in moments_before(go_live):
        with time_machine.travel(moment, tick=False):
            assert client.get(release.get_absolute_url()).status_code == 404, moment
            assert release.headline not in client.get(older.get_absolute_url()).content.decode()
    for moment in (go_live, go_live + timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            assert client.get(release.get_absolute_url()).status_code == 200, moment
            # ... and the older release's page links to it as its next.
            assert release.headline in client.get(older.get_absolute_url()).content.decode()


def moments_before(go_live: datetime) -> tuple[datetime, ...]:
    return (go_live - timedelta(hours=1), go_live - timedelta(seconds=1))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_release_page_statement_is_prepared_on_postgresql_and_answers_every_slug(
    client, make_release, publish, settings
):
    """With DB_PREPARED_STATEMENTS=1 the page's statement is bound on the server, the same
    text for every release, so the connection prepares it after psycopg's five runs and
    PostgreSQL stops planning it."""
    settings.IRSITE_PAGE_CACHE = False  # every request runs the statement
    saved = connection.settings_dict["OPTIONS"]
    connection.close()  # reconnects with the options settings.py sets for the switch
    connection.settings_dict["OPTIONS"] = {
        **saved,
        "server_side_binding": True,
        "prepare_threshold": 5,
    }
    try:
        _page_prepared(client, make_release, publish)
    finally:
        connection.close()
        connection.settings_dict["OPTIONS"] = saved


def _page_prepared(client, make_release, publish) -> None:
    releases = [publish(make_release(published_at=at(2024, 5, day, 8))) for day in (1, 2, 3)]
    for _ in range(3):
        for release in releases:
            page = client.get(release.get_absolute_url())
            assert page.status_code == 200
            assert release.headline in page.content.decode()
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]
    assert any('"previous_link"' in statement for statement in prepared), prepared


def test_release_at_a_wrong_date_is_not_found(client, make_release, publish):
    release = publish(make_release(published_at=at(2024, 5, 1, 8)))
    assert client.get(f"/news/2024/05/02/{release.slug}/").status_code == 404
    assert client.get(f"/news/2024/5/1/{release.slug}/").status_code == 404


def test_previous_and_next_link_neighbours_but_never_a_scheduled_release(
    client, make_release, publish
):
    with time_machine.travel(at(2024, 5, 2, 12), tick=False):
        older = publish(make_release(headline="Older one", published_at=at(2024, 5, 1, 8)))
        middle = publish(make_release(headline="Middle one", published_at=at(2024, 5, 2, 8)))
        publish(make_release(headline="Future one", published_at=at(2024, 5, 3, 8)))
        page = client.get(middle.get_absolute_url()).content.decode()
    assert f'rel="prev" href="{older.get_absolute_url()}"' in page
    assert "Future one" not in page and 'rel="next"' not in page


def test_withdrawn_release_answers_410_naming_the_release_its_date_and_the_reason(
    client, make_release, publish
):
    release = publish(make_release(headline="Merger <agreed> & signed"), at(2003, 1, 24, 8, 0))
    actions.withdraw(release, SYSTEM, "Issued in error; see the release of May 2.")
    response = client.get(release.get_absolute_url())
    assert response.status_code == 410
    page = response.content.decode()
    assert "Issued in error; see the release of May 2." in page
    assert "Merger &lt;agreed&gt; &amp; signed" in page
    assert "January 24, 2003, 8:00 a.m. EST" in page  # the original publication, readers' format
    assert "Merger" not in client.get("/news/").content.decode()


def test_readers_see_every_time_in_one_format_in_the_company_zone(client, make_release, publish):
    """ "January 24, 2003, 8:00 a.m. EST" for the publication and the correction; no seconds,
    no 24-hour clock, no UTC anywhere a reader looks."""
    release = publish(make_release(), at(2003, 7, 4, 14, 5))
    with time_machine.travel(at(2003, 12, 1, 0, 0), tick=False):
        actions.approve_correction(
            actions.save_release(release, SYSTEM, correction_note="Revenue figure corrected."),
            SYSTEM,
        )
    page = client.get(release.get_absolute_url()).content.decode()
    assert (
        'Published <time datetime="2003-07-04T14:05:00-04:00">July 4, 2003, 2:05 p.m. EDT' in page
    )
    assert "December 1, 2003, 12:00 a.m. EST</time>:</strong> Revenue figure corrected." in page
    shown = re.sub(r"<[^>]*>", "", re.sub(r"<script.*?</script>", "", page, flags=re.S))
    assert not re.search(r"\d:\d\d:\d\d|\b(1[3-9]|2[0-3]):\d\d|UTC", shown)


def test_changed_slug_of_a_published_release_redirects_permanently(client, make_release, publish):
    release = publish(make_release(slug="old-slug"))
    old_url = release.get_absolute_url()
    release.slug = "new-slug"
    actions.approve_correction(
        actions.save_release(release, SYSTEM, correction_note="Shorter URL."), SYSTEM
    )
    response = client.get(old_url)
    assert response.status_code == 301
    assert response["Location"] == release.get_absolute_url()
    assert client.get(release.get_absolute_url()).status_code == 200


def test_correction_is_shown_on_the_public_page(client, make_release, publish):
    release = publish(make_release(published_at=at(2024, 5, 1, 8)))
    with time_machine.travel(at(2024, 5, 1, 9, 30, 15), tick=False):
        release.body = "<p>Revenue was $1.2 billion.</p>"
        actions.approve_correction(
            actions.save_release(release, SYSTEM, correction_note="Revenue figure corrected."),
            SYSTEM,
        )
    page = text_of(client.get(release.get_absolute_url()))
    assert "Corrected on May 1, 2024, 9:30 a.m. EDT: Revenue figure corrected." in page
    assert "Revenue was $1.2 billion." in page


def test_contacts_page_groups_active_contacts_by_audience(client, company, contacts):
    contacts[1].is_active = False
    contacts[1].save()
    page = text_of(client.get(reverse("contacts:list")))
    assert "Investors Carol Hausner" in page
    assert "Pete Holmberg" not in page
    assert "128 Sidney Street" in page and "Tel: (617) 995-2500" in page


def test_home_shows_latest_releases_company_and_feed_links(client, seed):
    html = client.get("/").content.decode()
    assert seed.headline in html
    assert "ImmunoGen, Inc." in html and "Nasdaq: IMGN" in html
    assert 'type="application/rss+xml"' in html and 'type="application/atom+xml"' in html


@pytest.mark.parametrize("path", ["/", "/news/", SEED_PATH, "/news/feed/rss/", "/contacts/"])
def test_public_responses_tell_caches_the_same_whatever_is_scheduled(
    client, make_release, publish, path
):
    """Shared caches keep a public response a constant time and are purged by the site;
    browsers revalidate. A cache lifetime cut at the next go-live would announce it."""
    publish(
        make_release(
            slug="immunogen-regains-rights-cantuzumab-mertansine",
            published_at=at(2003, 1, 24, 8, 0, 0),
        )
    )
    policy = "public, max-age=0, must-revalidate, s-maxage=300"
    with time_machine.travel(at(2026, 11, 26, 12, 0, 0), tick=False):
        assert client.get(path)["Cache-Control"] == policy
        publish(make_release(published_at=at(2026, 11, 26, 12, 1, 30)))
        assert client.get(path)["Cache-Control"] == policy


def test_signed_in_staff_get_private_uncached_pages(client, seed, editor):
    client.force_login(editor)
    response = client.get(SEED_PATH)
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"


@pytest.mark.slow
def test_news_pages_link_older_pages_only_while_older_releases_exist(client, make_release, publish):
    for day in range(1, 42):
        publish(
            make_release(
                headline=f"Release {day:02d}", published_at=at(2024, 1, 1, 8) + timedelta(days=day)
            )
        )
    pages = {n: client.get(f"/news/?page={n}") for n in (1, 2, 3)}
    assert 'rel="next" href="?page=2"' in pages[1].content.decode()
    assert 'rel="prev"' not in pages[1].content.decode()
    third = pages[3].content.decode()
    assert re.findall(r"Release (\d\d)", third) == ["01"]
    assert 'rel="prev" href="?page=2"' in third and 'rel="next"' not in third
    for past_the_end in ("4", "99", "0", "-1", "x", "last", "2.5"):
        assert client.get(f"/news/?page={past_the_end}").status_code == 404, past_the_end


def test_news_pages_never_count_the_archive(client, make_release, publish):
    for day in range(1, 4):
        publish(make_release(published_at=at(2024, 1, day, 8)))
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/news/?page=1").status_code == 200
        assert client.get("/news/2024/").status_code == 200
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]


def test_links_follow_the_script_prefix_of_each_request(client, make_release, publish, category):
    """Release, category and year links are remembered per script prefix: a site mounted
    under /ir/ never prints the links of one mounted at /, or the other way round."""
    release = publish(make_release(categories=[category], published_at=at(2024, 1, 2, 8)))
    at_root = client.get("/news/").content.decode()
    # Django's WSGI handler sets the prefix from SCRIPT_NAME; the test client does not.
    set_script_prefix("/ir/")
    try:
        mounted = client.get("/news/", SCRIPT_NAME="/ir").content.decode()
    finally:
        set_script_prefix("/")
    assert f'href="{release.get_absolute_url()}"' in at_root
    for path in (release.get_absolute_url(), category.get_absolute_url(), "/news/2024/"):
        assert f'href="/ir{path}"' in mounted, path
        assert f'href="{path}"' not in mounted, path


def _queries_per_page(client, urls: list[str]) -> dict[str, int]:
    counts = {}
    for url in urls:
        client.get(url)  # a process's first request may load what later ones reuse
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[url] = len(queries)
    return counts


@pytest.mark.slow
def test_public_pages_cost_the_same_queries_with_ten_times_the_releases(
    client, settings, make_release, publish, category
):
    """No public page reads row by row: ten times the releases (each with categories, contacts
    and standard texts; two pages of /news/) cost each page the same number of queries."""
    settings.IRSITE_PAGE_CACHE = False

    def add(days: range) -> list[Release]:
        return [
            publish(make_release(categories=[category], published_at=at(2024, 1, 1 + d, 8)))
            for d in days
        ]

    middle = add(range(3))[1]
    urls = [
        "/",
        "/news/",
        "/news/2024/",
        category.get_absolute_url(),
        middle.get_absolute_url(),
        "/news/search/?q=result",
        "/news/feed/rss/",
        "/news/feed/atom/",
        "/sitemap.xml",
    ]
    few = _queries_per_page(client, urls)
    add(range(3, 30))
    assert _queries_per_page(client, urls) == few
