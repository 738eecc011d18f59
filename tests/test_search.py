"""Search over public releases: PostgreSQL full-text search, or the SQLite fallback with the same
interface; the same answers to simple queries on both."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection

from releases import actions

from .conftest import SYSTEM, at
from .shared import found

NOW = at(2026, 6, 1, 12, 0, 0)


@pytest.fixture
def releases(make_release, publish, category):
    """Three public releases that mention 'cantuzumab' in different places, and one scheduled."""
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        made = {
            "headline": publish(
                make_release(
                    headline="Cantuzumab rights regained",
                    body="<p>The company announced news.</p>",
                    published_at=at(2025, 5, 1, 8, 0, 0),
                )
            ),
            "subheadline": publish(
                make_release(
                    headline="Company reports results",
                    subheadline="Cantuzumab program moves ahead",
                    body="<p>Revenue was strong.</p>",
                    categories=[category],
                    published_at=at(2026, 2, 1, 8, 0, 0),
                )
            ),
            "body": publish(
                make_release(
                    headline="Annual meeting held",
                    body="<p>Shareholders heard about <strong>cantuzumab</strong> & more.</p>"
                    "<table><tr><th>Item</th></tr><tr><td>Votes counted</td></tr></table>",
                    categories=[category],
                    published_at=at(2026, 3, 1, 8, 0, 0),
                )
            ),
            "scheduled": publish(
                make_release(
                    headline="Cantuzumab approved ahead of schedule",
                    slug="cantuzumab-approved",
                    body="<p>Secret cantuzumab news.</p>",
                    published_at=NOW + timedelta(hours=1),
                )
            ),
        }
    return made


def search(client, **params):
    with time_machine.travel(NOW, tick=False):
        response = client.get("/news/search/", params)
    assert response.status_code == 200
    return response


def test_search_ranks_headline_over_subheadline_over_body(client, releases):
    assert found(search(client, q="cantuzumab")) == [
        "Cantuzumab rights regained",
        "Company reports results",
        "Annual meeting held",
    ]


def test_search_shows_no_release_before_its_go_live(client, releases):
    body = search(client, q="cantuzumab approved").content.decode()
    assert "cantuzumab-approved" not in body
    assert "ahead of schedule" not in body
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        later = client.get("/news/search/", {"q": "cantuzumab approved"})
    assert found(later) == ["Cantuzumab approved ahead of schedule"]


def test_search_needs_every_word(client, releases):
    assert found(search(client, q="cantuzumab revenue")) == ["Company reports results"]
    assert found(search(client, q="cantuzumab nowhere")) == []


def test_search_finds_other_forms_of_a_word(client, releases):
    assert found(search(client, q="announcing")) == ["Cantuzumab rights regained"]
    assert found(search(client, q="result")) == ["Company reports results"]


def test_search_reads_table_cells_and_ignores_markup(client, releases):
    assert found(search(client, q="votes counted")) == ["Annual meeting held"]
    assert found(search(client, q="strong")) == ["Company reports results"]


def test_search_highlights_matches_in_an_escaped_excerpt(client, releases):
    body = search(client, q="cantuzumab").content.decode()
    assert "<mark>Cantuzumab</mark> rights regained" in body
    assert "Shareholders heard about <mark>cantuzumab</mark> &amp; more." in body


def test_search_escapes_the_query_and_the_text_before_highlighting(client, make_release, publish):
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        publish(
            make_release(
                headline="Results <script>alert(1)</script> amp",
                body="<p>Tom &amp; Jerry &lt;b&gt;amp&lt;/b&gt;</p>",
                published_at=NOW - timedelta(hours=2),
            )
        )
    body = search(client, q='amp "><script>').content.decode()
    assert "<script>" not in body
    assert (
        "Results &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; <mark>amp</mark>"
        in body
    )
    # A match inside an entity would break it: "amp" is highlighted as a word only.
    assert "Tom &amp; Jerry &lt;b&gt;<mark>amp</mark>&lt;/b&gt;" in body
    assert 'value="amp &quot;&gt;&lt;script&gt;"' in body


def test_search_combines_year_and_category_filters(client, releases, category):
    assert found(search(client, q="cantuzumab", year="2026")) == [
        "Company reports results",
        "Annual meeting held",
    ]
    assert found(search(client, q="cantuzumab", year="2026", category=category.slug)) == [
        "Company reports results",
        "Annual meeting held",
    ]
    assert found(search(client, q="cantuzumab", year="2025", category=category.slug)) == []
    assert found(search(client, q="revenue", year="2025")) == []


def test_search_paginates_and_keeps_the_query(client, make_release, publish, category):
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        for n in range(12):
            publish(
                make_release(
                    headline=f"Dividend declared number {n}",
                    categories=[category],
                    published_at=at(2026, 1, 1, 8, 0, 0) + timedelta(days=n),
                )
            )
    first = search(client, q="dividend", category=category.slug)
    assert len(found(first)) == 10
    # Matches are not counted (Previous and Next, as the lists): no "12 results", no "of 2".
    assert "12 results" not in first.content.decode()
    assert "Page 1</span>" in first.content.decode()
    link = re.search(r'<a rel="next" href="([^"]+)"', first.content.decode()).group(1)
    assert "q=dividend" in link and f"category={category.slug}" in link and "page=2" in link
    second = search(client, q="dividend", category=category.slug, page="2")
    assert found(second) == ["Dividend declared number 1", "Dividend declared number 0"]
    # A page past the end says so and links to the first; one not a number shows the first.
    past = search(client, q="dividend", page="99").content.decode()
    assert "No more results" in past and 'href="?q=dividend"' in past
    assert found(search(client, q="dividend", page="x")) == found(first)


ODD_QUERIES = [
    "",
    " ",
    '"',
    "'",
    "%",
    "_",
    "'--",
    "'; DROP TABLE releases_release; --",
    "a & b | !c <-> d:*",
    "((((",
    "\\",
    "Ünïcødé ✓ 株式会社",
    "the and of",
    "x" * 5000,
    "cantuzumab " * 200,
]


@pytest.mark.parametrize("query", ODD_QUERIES, ids=range(len(ODD_QUERIES)))
def test_odd_queries_give_a_normal_results_page(client, releases, query):
    response = search(client, q=query, year="nineteen", category="no-such", page="-1")
    body = response.content.decode()
    assert "<h1>Search press releases</h1>" in body
    value = re.search(r'<input type="search" id="search-q" name="q" value="([^"]*)"', body)
    assert value and len(value.group(1)) <= 200 * 6  # capped (and escaped)


def test_query_with_a_nul_character_is_a_bad_request(client, releases):
    # Refused before the search reads it, as in any parameter (irsite.http.query).
    with time_machine.travel(NOW, tick=False):
        response = client.get("/news/search/", {"q": "\x00cantuzumab"})
    assert response.status_code == 400


def test_search_follows_a_correction(client, releases, django_capture_on_commit_callbacks):
    release = releases["body"]
    release.body = "<p>Shareholders heard about the merger.</p>"
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        actions.approve_correction(
            actions.save_release(release, SYSTEM, correction_note="Wrong product named."), SYSTEM
        )
    assert found(search(client, q="merger")) == ["Annual meeting held"]
    assert "Annual meeting held" not in found(search(client, q="cantuzumab"))


def test_search_index_fits_the_database(releases):
    """PostgreSQL keeps a weighted tsvector with a GIN index; SQLite a plain-text column."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'releases_searchdocument'"
            )
            assert any("USING gin (vector)" in row[0] for row in cursor.fetchall())
            cursor.execute(
                "SELECT vector::text FROM releases_searchdocument WHERE release_id = %s",
                [releases["headline"].pk],
            )
            vector = cursor.fetchone()[0]
            assert "'cantuzumab':1A" in vector and "'regain':3A" in vector
            assert "'announc':6C" in vector
        else:
            cursor.execute("SELECT body_text FROM releases_searchdocument WHERE release_id = %s",
                           [releases["body"].pk])  # fmt: skip
            assert cursor.fetchone()[0] == (
                "Shareholders heard about cantuzumab & more. Item Votes counted"
            )
