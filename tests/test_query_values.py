"""Whatever a query parameter holds, every public list, search, feed and API filter answers it
with a page, a list or a 400: never a 500. A NUL reached PostgreSQL, which refuses it in any
string, through one filter after another (`?category=%00` on /news/, then the sign-up page's
``?category=``); the rule now sits in one place (`irsite.http.query`), so a filter added later
cannot forget it. Run on PostgreSQL to see what the database refuses."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

# Every public page that reads a query parameter, and the API's lists.
PAGES = [
    "/news/",
    "/news/{year}/",
    "/news/search/",
    "/news/category/{category}/",
    "/news/feed/rss/",
    "/events/",
    "/reports/",
    "/results/",
    "/filings/",
    "/alerts/",
    "/alerts/embed/",
]
API = [
    "/api/v1/releases",
    "/api/v1/events",
    "/api/v1/reports",
    "/api/v1/results",
    "/api/v1/filings",
]
# Every parameter a public view or the API reads (`api.v1.params.QUERY_PARAMETERS`, the pages'
# filters), and one none reads.
NAMES = ["category", "year", "q", "page", "kind", "group", "when", "cursor", "limit", "from", "x"]

ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@pytest.fixture
def site(make_release, publish, category) -> dict[str, str]:
    at = timezone.now() - timedelta(days=1)
    publish(make_release(categories=[category], published_at=at))
    return {"year": str(timezone.localtime(at).year), "category": category.slug}


@pytest.mark.parametrize("path", PAGES + API)
@pytest.mark.parametrize("value", ["\x00", "earnings\x00", "a\x00b", "\x00' OR 1=1 --"])
def test_a_nul_in_any_parameter_is_a_400_not_a_server_error(client, site, path, value):
    for name in NAMES:
        response = client.get(path.format(**site), {name: value})
        assert response.status_code == 400, (path, name, response.status_code)
    # The name of a parameter too.
    assert client.get(path.format(**site), {f"cat\x00{value}": "1"}).status_code == 400


def test_the_refusal_says_what_is_wrong_and_the_api_answers_in_its_own_shape(client, site):
    page = client.get("/news/", {"category": "\x00"})
    assert "category: a value without a NUL character" in page.content.decode()
    api = client.get("/api/v1/releases", {"category": "\x00"})
    assert api["Content-Type"].startswith("application/json")
    assert api.json() == {
        "status": 400,
        "error": "invalid_parameter",
        "message": "category: a value without a NUL character (none may be in a query)",
        "parameter": "category",
    }


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.sampled_from(PAGES + API),
    params=st.dictionaries(st.sampled_from(NAMES), ANY_TEXT, max_size=4),
)
@example(path="/alerts/", params={"category": "\x00"})
@example(path="/api/v1/events", params={"kind": "\x00", "when": "\x00"})
@example(path="/filings/", params={"group": "8-k\x00"})
@example(path="/news/", params={"page": "9" * 30})
@example(path="/news/search/", params={"page": "9" * 30, "q": "x"})
def test_any_value_of_any_filter_answers_a_page_a_list_or_a_400(client, site, path, params):
    response = client.get(path.format(**site), params)
    # 404: a page number past the end of a list, as for any list.
    assert response.status_code in {200, 400, 404}, (path, params, response.status_code)
    if any("\x00" in value for value in params.values()):
        assert response.status_code == 400
