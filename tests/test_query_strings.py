"""Whatever a query string holds, the list, archive and search pages answer it: a value that is
not a category, a year or a page is ignored or a 404, never a 500; a NUL (which PostgreSQL
refuses in any string) is a 400 before any view reads it (tests/test_query_values.py)."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PATHS = ["/news/", "/news/2003/", "/news/search/"]
NAMES = ["category", "year", "q", "page"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(PATHS),
    params=st.dictionaries(
        st.sampled_from(NAMES),
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
        max_size=4,
    ),
)
def test_any_query_string_on_lists_and_search_answers_without_a_server_error(
    client, db, path, params
):
    response = client.get(path, params)
    # 400: a NUL, refused before any view reads it (tests/test_query_values.py).
    assert response.status_code in {200, 400, 404}, (path, params, response.status_code)


# --- one cache entry per page (issue 30) --------------------------------------------------------

TRACKING = "utm_source=newsletter&utm_medium=email&fbclid=IwAR0x&gclid=Cj0K&mc_cid=1&mc_eid=2&ref=x"


@pytest.fixture
def renders(caplog):
    """The pages the page cache rendered (its debug line per render), as they come."""
    caplog.set_level(logging.DEBUG, logger="irsite.http.pagecache")

    def rendered() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.getMessage().startswith("rendering")]

    return rendered


@pytest.mark.parametrize("path", ["/", "/news/", "/news/feed/rss/", "/news/search/?q=results"])
def test_a_tracking_parameter_is_served_from_the_bare_urls_cache_entry(
    client, make_release, publish, renders, path
):
    publish(make_release(published_at=timezone.now() - timedelta(days=1)))
    bare = client.get(path)
    assert len(renders()) == 1
    joiner = "&" if "?" in path else "?"
    tracked = client.get(f"{path}{joiner}{TRACKING}")
    assert len(renders()) == 1, "a tracking parameter rendered the page again"
    assert (tracked.status_code, tracked.content) == (bare.status_code, bare.content)
    assert tracked["ETag"] == bare["ETag"]


def test_a_release_page_ignores_every_parameter_it_does_not_read(
    client, make_release, publish, renders
):
    release = publish(make_release(published_at=timezone.now() - timedelta(days=1)))
    url = release.get_absolute_url()
    bare = client.get(url)
    for query in ["page=2", "q=anything", "preview=1&draft=true", "x=1&y=2&z=3", TRACKING]:
        answer = client.get(f"{url}?{query}")
        assert answer.content == bare.content, query
    assert len(renders()) == 1, "an unknown parameter rendered the page again"


def test_a_list_is_keyed_on_the_parameters_it_reads_in_one_order(
    client, make_release, publish, category, renders
):
    publish(make_release(categories=[category], published_at=timezone.now() - timedelta(days=1)))
    year = timezone.localtime().year
    first = client.get(f"/news/?year={year}&category={category.slug}")
    again = [
        f"/news/?category={category.slug}&year={year}",
        f"/news/?utm_campaign=q3&category={category.slug}&unknown=1&year={year}",
    ]
    for url in again:
        assert client.get(url).content == first.content, url
    assert len(renders()) == 1
    # What it reads makes another page.
    client.get(f"/news/?year={year}")
    assert len(renders()) == 2


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(
        st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12).filter(
            lambda name: name not in {"page", "year", "category", "q"}
        ),
        # A NUL anywhere is a 400 before the page is looked at (tests/test_query_values.py).
        st.text(
            alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
            max_size=20,
        ),
        max_size=4,
    )
)
def test_no_unknown_parameter_changes_a_public_page(client, db, params):
    bare = client.get("/news/")
    answer = client.get("/news/", params)
    assert (answer.status_code, answer.content) == (bare.status_code, bare.content), params
