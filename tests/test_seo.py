"""What search engines and link previews read: sitemap, robots.txt, and each release page's
canonical link, description, Open Graph, Twitter card and schema.org NewsArticle."""

import json
import re
from datetime import datetime, timedelta
from xml.etree import ElementTree

import pytest
import time_machine

from releases import actions

from .conftest import SYSTEM, at

NOW = at(2026, 4, 1, 12, 0, 0)
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def live(make_release, publish):
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        return publish(
            make_release(
                headline='Results "beat" estimates </script><script>alert(1)</script>',
                slug="results-beat-estimates",
                summary="Revenue & profit up; <b>record</b> quarter.",
                published_at=NOW - timedelta(days=1),
            )
        )


def get(client, url: str, moment: datetime = NOW):
    with time_machine.travel(moment, tick=False):
        response = client.get(url)
    assert response.status_code == 200, url
    return response


def meta(html: str, attribute: str, name: str) -> str:
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', html)
    assert match, f"no {name} meta tag"
    return match.group(1)


def ld_json(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_release_page_has_canonical_link_and_social_metadata(client, live):
    html = get(client, live.get_absolute_url()).content.decode()
    url = f"http://testserver{live.get_absolute_url()}"
    assert f'<link rel="canonical" href="{url}">' in html
    description = "Revenue &amp; profit up; &lt;b&gt;record&lt;/b&gt; quarter."
    assert meta(html, "name", "description") == description
    headline = (
        "Results &quot;beat&quot; estimates &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    )
    assert meta(html, "property", "og:type") == "article"
    assert meta(html, "property", "og:title") == headline
    assert meta(html, "property", "og:description") == description
    assert meta(html, "property", "og:url") == url
    assert meta(html, "property", "og:site_name") == "ImmunoGen"
    assert meta(html, "name", "twitter:card") == "summary"
    assert meta(html, "name", "twitter:title") == headline
    published = meta(html, "property", "article:published_time")
    assert datetime.fromisoformat(published) == live.published_at


def test_description_without_a_summary_reads_the_body_as_text(client, make_release, publish):
    """The body's first words, entities decoded once and paragraphs kept apart: what a link
    preview shows is "AT&T", never "AT&amp;T", and never "sign.Second"."""
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        release = publish(
            make_release(
                summary="",
                body="<p>AT&amp;T and <b>Johnson</b> &amp; Johnson sign.</p><p>Second one.</p>",
                published_at=NOW - timedelta(days=1),
            )
        )
    html = get(client, release.get_absolute_url()).content.decode()
    description = "AT&amp;T and Johnson &amp; Johnson sign. Second one."
    assert meta(html, "name", "description") == description
    assert meta(html, "property", "og:description") == description
    assert ld_json(html)["description"] == "AT&T and Johnson & Johnson sign. Second one."


def test_release_page_has_news_article_json_ld_that_parses(client, live):
    html = get(client, live.get_absolute_url()).content.decode()
    data = ld_json(html)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    # The headline's "</script>" is escaped inside the block and comes back intact.
    assert data["headline"] == live.headline
    assert "</script><script>alert(1)" not in html
    assert datetime.fromisoformat(data["datePublished"]) == live.published_at
    assert datetime.fromisoformat(data["dateModified"]) == live.published_at
    assert data["publisher"] == {"@type": "Organization", "name": "ImmunoGen, Inc."}
    assert data["url"] == f"http://testserver{live.get_absolute_url()}"


def test_correction_moves_date_modified(client, live, django_capture_on_commit_callbacks):
    corrected_at = NOW + timedelta(hours=1)
    live.summary = "Revenue up."
    with (
        time_machine.travel(corrected_at, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.approve_correction(
            actions.save_release(live, SYSTEM, correction_note="Summary fixed."), SYSTEM
        )
    html = get(client, live.get_absolute_url(), corrected_at).content.decode()
    data = ld_json(html)
    assert datetime.fromisoformat(data["dateModified"]) == corrected_at
    assert datetime.fromisoformat(data["datePublished"]) == live.published_at
    assert datetime.fromisoformat(meta(html, "property", "article:modified_time")) == corrected_at


def test_preview_has_no_canonical_link_or_structured_data(client, superuser, make_release):
    draft = make_release(headline="Draft results")
    client.force_login(superuser)
    html = client.get(f"/admin/releases/release/{draft.pk}/preview/").content.decode()
    assert "Draft results" in html
    assert 'rel="canonical"' not in html
    assert "application/ld+json" not in html


def sitemap_sections(client, moment: datetime = NOW) -> dict[str, str | None]:
    """The index at /sitemap.xml: {section URL: its lastmod}."""
    response = get(client, "/sitemap.xml", moment)
    assert response["Content-Type"].startswith("application/xml")
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own response
    assert root.tag == f"{SITEMAP}sitemapindex"
    return {
        entry.findtext(f"{SITEMAP}loc"): entry.findtext(f"{SITEMAP}lastmod")
        for entry in root.iter(f"{SITEMAP}sitemap")
    }


def section_entries(client, url: str, moment: datetime = NOW) -> dict[str, str | None]:
    response = get(client, url.removeprefix("http://testserver"), moment)
    assert response.status_code == 200
    root = ElementTree.fromstring(response.content)  # noqa: S314 - our own response
    return {
        entry.findtext(f"{SITEMAP}loc"): entry.findtext(f"{SITEMAP}lastmod")
        for entry in root.iter(f"{SITEMAP}url")
    }


def sitemap_entries(client, moment: datetime = NOW) -> dict[str, str | None]:
    """Every URL of every section the index lists: {URL: its lastmod}."""
    entries = {}
    for url in sitemap_sections(client, moment):
        entries |= section_entries(client, url, moment)
    return entries


def test_sitemap_lists_public_releases_with_last_correction_as_lastmod(
    client, live, make_release, publish, django_capture_on_commit_callbacks
):
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        scheduled = publish(make_release(slug="not-yet", published_at=NOW + timedelta(hours=1)))
        draft = make_release(slug="just-a-draft")
    entries = sitemap_entries(client)
    page = f"http://testserver{live.get_absolute_url()}"
    assert datetime.fromisoformat(entries[page]) == live.published_at
    assert {"http://testserver/", "http://testserver/news/", "http://testserver/contacts/"} <= set(
        entries
    )
    assert not any(scheduled.slug in loc or draft.slug in loc for loc in entries)

    corrected_at = NOW + timedelta(minutes=5)
    live.summary = "Revenue up."
    with (
        time_machine.travel(corrected_at, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.approve_correction(
            actions.save_release(live, SYSTEM, correction_note="Summary fixed."), SYSTEM
        )
    entries = sitemap_entries(client, corrected_at)
    assert datetime.fromisoformat(entries[page]) == corrected_at
    assert any(scheduled.slug in loc for loc in sitemap_entries(client, NOW + timedelta(hours=1)))


def test_robots_txt_points_at_the_sitemap(client, live):
    response = get(client, "/robots.txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /news/preview/" in lines


def test_sitemap_index_splits_releases_into_sections_of_at_most_the_limit_each_with_lastmod(
    client, make_release, publish, settings, django_assert_max_num_queries
):
    settings.IRSITE_SITEMAP_SECTION_SIZE = 3
    releases = [publish(make_release(published_at=NOW - timedelta(days=30 - n))) for n in range(8)]
    sections = sitemap_sections(client)
    release_sections = {url: mod for url, mod in sections.items() if "releases-" in url}
    urls = {}
    for url, lastmod in release_sections.items():
        entries = section_entries(client, url)
        assert 1 <= len(entries) <= 3
        # The section's lastmod is its newest entry's.
        assert lastmod == max(entries.values())
        urls |= entries
    # Every public release is in exactly one section, the oldest too.
    expected = {f"http://testserver{r.get_absolute_url()}" for r in releases}
    assert set(urls) == expected
    assert sum(len(section_entries(client, u)) for u in release_sections) == len(releases)
    # The index and a section cost a constant number of queries, however many sections: their
    # own, plus the four every public response reads here, with the page cache off (the
    # site-wide change count and the latest go-live of each registered schedule, releases',
    # events' and reports', irsite/http/lastmodified.py); the index also dates the events',
    # the results kits' and the reports' sections (one query each).
    settings.IRSITE_PAGE_CACHE = False
    with django_assert_max_num_queries(11):
        client.get("/sitemap.xml")
    with django_assert_max_num_queries(8):
        client.get(next(iter(release_sections)).removeprefix("http://testserver"))
    assert client.get("/sitemap-releases-x.xml").status_code == 404
    assert client.get(f"/sitemap-releases-{'9' * 30}.xml").status_code == 404
