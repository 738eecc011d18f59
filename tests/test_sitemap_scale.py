"""A release section of the sitemap written from three columns a row (issue 30: 50,000 URLs in
under a second; bench/results/search-*.md): the same bytes and headers as Django's own view
with the project's template, which it replaced, and the publication rule kept."""

from datetime import timedelta

import pytest
import time_machine
from django.contrib.sitemaps.views import sitemap
from django.test import RequestFactory

from irsite.urls import SITEMAPS
from releases import actions
from releases.public.sitemaps import section_view

from .conftest import SYSTEM, at

NOW = at(2026, 6, 1, 12, 0, 0)


@pytest.fixture
def releases(make_release, publish, django_capture_on_commit_callbacks):
    """Public releases in winter and summer time, one corrected, one scheduled, one withdrawn."""
    with time_machine.travel(NOW - timedelta(days=60), tick=False):
        made = [
            publish(make_release(slug=f"release-{n}", published_at=NOW - timedelta(days=50 - n)))
            for n in range(4)
        ]
        made.append(publish(make_release(slug="winter", published_at=at(2026, 1, 5, 23, 30, 0))))
        scheduled = publish(make_release(slug="later", published_at=NOW + timedelta(hours=1)))
        gone = publish(make_release(slug="gone", published_at=NOW - timedelta(days=55)))
    corrected = made[1]
    corrected.summary = "Corrected."
    with (
        time_machine.travel(NOW - timedelta(days=2, seconds=-7), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        actions.approve_correction(
            actions.save_release(corrected, SYSTEM, correction_note="Summary."), SYSTEM
        )
        actions.withdraw(gone, SYSTEM, reason="Issued in error.")
    return made, scheduled, gone


def django_section(section: str, view=sitemap):
    request = RequestFactory().get(f"/sitemap-{section}.xml")
    response = view(request, SITEMAPS, section, "sitemaps/sitemap.xml")
    if hasattr(response, "render"):
        response.render()
    return response


@pytest.mark.parametrize("moment", [NOW, NOW + timedelta(hours=1)])
def test_a_release_section_is_what_djangos_view_wrote(client, releases, moment):
    made, scheduled, _ = releases
    with time_machine.travel(moment, tick=False):
        ours = client.get("/sitemap-releases-0.xml")
        theirs = django_section("releases-0")
        view = django_section("releases-0", section_view)
    assert ours.status_code == 200
    assert ours.content == theirs.content == view.content
    # The view's own headers (the page cache then dates the response by the site's changes).
    for header in ("Content-Type", "Last-Modified", "X-Robots-Tag"):
        assert view[header] == theirs[header]
    body = ours.content.decode()
    assert all(f"<loc>http://testserver{r.get_absolute_url()}</loc>" in body for r in made)
    assert "/gone/" not in body
    assert ("/later/" in body) == (moment >= scheduled.published_at)
    # The corrected release is dated by its correction, to the second, in the issuer's zone.
    assert "<lastmod>2026-05-30T12:00:07-04:00</lastmod>" in body
    assert "/news/2026/01/05/winter/</loc><lastmod>2026-01-05T23:30:00-05:00" in body


def test_other_sections_and_pages_answer_as_before(client, releases):
    with time_machine.travel(NOW, tick=False):
        assert client.get("/sitemap-pages.xml").content == django_section("pages").content
        assert client.get("/sitemap-releases-0.xml?p=2").status_code == 404
        assert client.get("/sitemap-releases-7.xml").status_code == 200
        assert client.get("/sitemap-nothing.xml").status_code == 404
