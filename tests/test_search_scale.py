"""Search whose cost does not grow with the number of matches (issue 30): the newest
``IRSITE_SEARCH_RANKED`` matches ranked best first, the older ones after them newest first,
never a count of the matches; the same on PostgreSQL and on the SQLite fallback."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .conftest import at
from .shared import found

NOW = at(2026, 6, 1, 12, 0, 0)
RANKED = 3


@pytest.fixture
def ranked(settings):
    settings.IRSITE_SEARCH_RANKED = RANKED
    return RANKED


def day(n: int):
    return at(2026, 1, 1, 8, 0, 0) + timedelta(days=n)


@pytest.fixture
def dividends(make_release, publish):
    """Seven public releases naming "dividend", day 0 the oldest: days 1 and 5 in the headline,
    the others in the body only; and one naming nothing."""
    made = {}
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        for n in range(7):
            in_headline = n in (1, 5)
            made[n] = publish(
                make_release(
                    headline=f"Dividend declared on day {n}" if in_headline else f"Update {n}",
                    body="<p>The board set the dividend.</p>" if not in_headline else "<p>x</p>",
                    published_at=day(n),
                )
            )
        publish(make_release(headline="Unrelated", body="<p>Nothing.</p>", published_at=day(9)))
    return made


def page(client, number=None, moment=NOW, **params):
    if number is not None:
        params["page"] = str(number)
    with time_machine.travel(moment, tick=False):
        response = client.get("/news/search/", {"q": "dividend", **params})
    assert response.status_code == 200
    return response


def all_pages(client, moment=NOW):
    """Every result, page after page, following the Next links."""
    seen, number = [], 1
    while True:
        body = page(client, number, moment).content.decode()
        seen += found_in(body)
        if 'rel="next"' not in body:
            return seen
        number += 1


def found_in(body: str) -> list[str]:
    return [
        re.sub(r"</?mark>", "", h) for h in re.findall(r'<h3><a href="[^"]+">(.*?)</a></h3>', body)
    ]


def test_the_newest_matches_are_ranked_then_older_ones_follow_newest_first(
    client, dividends, ranked
):
    # The three newest matches (days 6, 5, 4), best first: day 5 has the word in its headline.
    # Then days 3, 2, 1, 0 by date: day 1's headline match is past the ranked few.
    assert found(page(client)) == [
        "Dividend declared on day 5",
        "Update 6",
        "Update 4",
        "Update 3",
        "Update 2",
        "Dividend declared on day 1",
        "Update 0",
    ]


def test_with_every_match_ranked_the_best_come_first(client, dividends, settings):
    settings.IRSITE_SEARCH_RANKED = 200
    assert found(page(client))[:2] == ["Dividend declared on day 5", "Dividend declared on day 1"]


@pytest.mark.parametrize("ranked_count", [1, 3, 7, 10, 11, 25])
def test_pages_join_into_every_match_once_and_read_the_same_again(
    client, make_release, publish, settings, ranked_count
):
    settings.IRSITE_SEARCH_RANKED = ranked_count
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        for n in range(23):
            headline = f"Dividend {n}" if n % 4 == 0 else f"Note {n}"
            publish(
                make_release(
                    headline=headline,
                    body="<p>A dividend.</p>",
                    slug=f"note-{n}",
                    published_at=day(n),
                )
            )
    first = all_pages(client)
    assert sorted(first) == sorted({*first}) and len(first) == 23
    assert all_pages(client) == first
    # Past the ranked few, newest first.
    older = first[ranked_count:]
    days = [int(h.split()[-1]) for h in older]
    assert days == sorted(days, reverse=True)


def test_a_page_past_the_end_says_so(client, dividends, ranked):
    body = page(client, 2).content.decode()
    assert "No more results" in body
    assert found_in(body) == []
    assert 'href="?q=dividend"' in body


def search_queries(client, **params) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        page(client, **params)
    return [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize("number", [1, 2])
def test_the_query_count_does_not_grow_with_the_matches_and_nothing_counts_them(
    client, make_release, publish, ranked, django_assert_max_num_queries, number
):
    def add(count: int, start: int) -> None:
        with time_machine.travel(NOW - timedelta(days=1), tick=False):
            for n in range(start, start + count):
                publish(
                    make_release(
                        headline=f"Dividend {n}", slug=f"dividend-{n}", published_at=day(n)
                    )
                )

    add(2, 0)
    few = search_queries(client, number=1)
    add(30, 2)
    many = search_queries(client, number=number)
    assert len(many) <= len(few) + 1  # a page across the ranked few reads both sides
    with django_assert_max_num_queries(len(few) + 1):
        page(client, number)
    for sql in many:
        assert "COUNT(" not in sql.upper(), sql
    print(f"queries: {len(few)} with 2 matches, {len(many)} with 32 (page {number})")


@pytest.mark.parametrize("number", [1, 2, 3])
def test_a_scheduled_release_matches_from_its_second_never_before(
    client, dividends, make_release, publish, ranked, number
):
    go_live = NOW + timedelta(hours=1)
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        publish(
            make_release(
                headline="Dividend doubled (embargoed)",
                slug="dividend-doubled",
                body="<p>The dividend doubles.</p>",
                published_at=go_live,
            )
        )
    for moment in (NOW, go_live - timedelta(seconds=1)):
        for n in range(1, number + 1):
            body = page(client, n, moment).content.decode()
            assert "dividend-doubled" not in body and "doubled" not in body
        assert len(all_pages(client, moment)) == 7
        assert found_in(page(client, moment=moment, q="dividend doubled").content.decode()) == []
    assert found(page(client, moment=go_live, q="dividend doubled")) == [
        "Dividend doubled (embargoed)"
    ]
    assert found(page(client, moment=go_live))[0] == "Dividend doubled (embargoed)"
