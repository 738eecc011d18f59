"""Whatever a query string holds, the list, archive and search pages answer it: a value that is
not a category, a year or a page is ignored or a 404, never a 500 (a NUL reached PostgreSQL,
which refuses it in any string)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

PATHS = ["/news/", "/news/2003/", "/news/search/"]
NAMES = ["category", "year", "q", "page"]


@pytest.mark.parametrize("path", ["/news/", "/news/{year}/", "/news/search/"])
def test_a_nul_in_the_category_filter_is_ignored_not_a_server_error(
    client, make_release, publish, category, path
):
    at = timezone.now() - timedelta(days=1)
    publish(make_release(categories=[category], published_at=at))
    path = path.format(year=timezone.localtime(at).year)
    for value in ["\x00", "corporate\x00", "a\x00b", "\x00' OR 1=1 --"]:
        response = client.get(path, {"category": value, "q": "results"})
        assert response.status_code == 200, (path, value, response.status_code)


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
    assert response.status_code in {200, 404}, (path, params, response.status_code)
