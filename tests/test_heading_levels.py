"""Headings of a release body never skip a level under the page's headline (issue 29): an
imported filing's section headings are h3, which under the h1 headline skipped h2."""

import itertools
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import at
from .shared import article

HEADING = re.compile(r"<h([1-6])\b[^>]*>(.*?)</h\1>", re.S)


def body_headings(page: str) -> list[tuple[int, str]]:
    body = "".join(re.findall(r'<div class="release-body">(.*?)</div>', article(page), re.S))
    return [(int(level), text) for level, text in HEADING.findall(body)]


def test_imported_section_headings_are_h2_under_the_headline(
    client, make_release, publish, category
):
    release = publish(
        make_release(
            categories=[category],
            published_at=at(2026, 11, 2, 8, 0, 0),
            body="<p>Lead.</p><h3>Highlights</h3><p>Revenue rose.</p>"
            "<h3>Outlook</h3><p>Guidance kept.</p>",
        )
    )
    page = client.get(release.get_absolute_url()).content.decode()
    assert '<h1 id="headline">' in page
    assert body_headings(page) == [(2, "Highlights"), (2, "Outlook")]


def test_an_editors_h2_with_h3_under_it_is_kept_as_written(client, make_release, publish, category):
    release = publish(
        make_release(
            categories=[category],
            published_at=at(2026, 11, 2, 8, 0, 0),
            body="<h2>Results</h2><h3>Revenue</h3><p>Up.</p><h3>Margins</h3><h2>Outlook</h2>",
        )
    )
    page = client.get(release.get_absolute_url()).content.decode()
    assert body_headings(page) == [
        (2, "Results"),
        (3, "Revenue"),
        (3, "Margins"),
        (2, "Outlook"),
    ]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([2, 3]), min_size=1, max_size=12))
def test_no_body_heading_skips_a_level_whatever_levels_were_written(levels):
    from releases.models import Release

    written = "".join(
        f"<h{level}>Heading {n}</h{level}><p>Text.</p>" for n, level in enumerate(levels)
    )
    html = str(
        Release(
            body=written, dateline_city="CAMBRIDGE, MA", published_at=at(2026, 1, 5, 8, 0, 0)
        ).body_html()
    )
    printed = [int(level) for level, _ in HEADING.findall(html)]
    assert len(printed) == len(levels)
    assert printed[0] == 2
    for before, after in itertools.pairwise(printed):
        assert after <= before + 1
    # Text and order are kept; only the levels change.
    assert [text for _, text in HEADING.findall(html)] == [
        f"Heading {n}" for n in range(len(levels))
    ]
