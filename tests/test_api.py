"""The public JSON API (`api`, docs/api.md) through the test client, as a program reads it:
every endpoint and filter, cursor pages while releases go live, the caching and validators the
pages have, a 400 in JSON for any bad query value, and the OpenAPI document validated by
openapi-spec-validator with every answer checked against it."""

import json
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

import feedparser
import pytest
import time_machine
from django.core import signing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate as validate_spec

from releases import actions
from releases.models import Category

from .api_reads import DOCUMENT, NOW, conforms, data, document, read
from .conftest import SYSTEM, at

LIST = "/api/v1/releases"


def detail_url(release) -> str:
    return f"{LIST}/{release.uuid}"


def headlines(response) -> list[str]:
    return [item["headline"] for item in data(response)["items"]]


@pytest.fixture
def earnings(db) -> Category:
    return Category.objects.create(name="Earnings", slug="earnings")


@pytest.fixture
def archive(make_release, publish, category, earnings):
    """Three public releases over two years and two categories, a draft and a scheduled one."""
    made = {
        "old": publish(
            make_release(
                headline="Old news", categories=[category], published_at=at(2003, 1, 24, 8, 0, 0)
            )
        ),
        "q2": publish(
            make_release(
                headline="Second quarter results",
                categories=[earnings],
                published_at=at(2026, 8, 4, 16, 5, 0),
            )
        ),
        "q3": publish(
            make_release(
                headline="Third quarter results",
                subheadline="Revenue up\nMargins up",
                categories=[earnings, category],
                published_at=at(2026, 11, 3, 16, 5, 0),
            )
        ),
    }
    made["draft"] = make_release(
        headline="A draft nobody may see", published_at=at(2026, 11, 20, 8, 0, 0)
    )
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        made["scheduled"] = publish(
            make_release(
                headline="Fourth quarter results",
                categories=[earnings],
                published_at=NOW + timedelta(hours=4),
            )
        )
    return made


# --- the list ----------------------------------------------------------------------------------


def test_the_list_holds_the_public_releases_newest_first_and_nothing_else(client, archive):
    response = read(client, LIST)
    assert response.status_code == 200
    assert headlines(response) == ["Third quarter results", "Second quarter results", "Old news"]
    body = data(response)
    assert set(body) == {"items", "next_cursor", "next"}  # no count, ever
    assert body["next_cursor"] is None and body["next"] is None
    q3 = body["items"][0]
    assert q3 == {
        "id": str(archive["q3"].uuid),
        "url": "http://testserver" + archive["q3"].get_absolute_url(),
        "headline": "Third quarter results",
        "subheadlines": ["Revenue up", "Margins up"],
        "published_at": "2026-11-03T21:05:00Z",
        "updated_at": "2026-11-03T21:05:00Z",
        "summary": archive["q3"].excerpt(),
        "categories": [
            {"slug": "corporate", "name": "Corporate"},
            {"slug": "earnings", "name": "Earnings"},
        ],
    }


def test_the_list_filters_by_category_and_year(client, archive):
    assert headlines(read(client, LIST, {"category": "earnings"})) == [
        "Third quarter results",
        "Second quarter results",
    ]
    assert headlines(read(client, LIST, {"year": "2003"})) == ["Old news"]
    assert headlines(read(client, LIST, {"category": "corporate", "year": "2026"})) == [
        "Third quarter results"
    ]
    assert headlines(read(client, LIST, {"year": "1999"})) == []


def test_a_category_s_old_slug_still_filters_by_it(client, archive, earnings):
    earnings.slug = "results"
    actions.save_category(earnings, SYSTEM)
    renamed = read(client, LIST, {"category": "results"})
    assert headlines(renamed) == ["Third quarter results", "Second quarter results"]
    assert read(client, LIST, {"category": "earnings"}).content == renamed.content


def test_a_category_not_yet_public_is_refused_exactly_like_one_that_never_existed(
    client, archive, db
):
    Category.objects.create(name="Mergers", slug="mergers")  # only a scheduled release's
    archive["scheduled"].categories.add(Category.objects.get(slug="mergers"))
    embargoed = read(client, LIST, {"category": "mergers"})
    never = read(client, LIST, {"category": "acquisitions"})
    assert embargoed.status_code == never.status_code == 400
    assert embargoed.content == never.content
    assert data(never) == {
        "status": 400,
        "error": "invalid_parameter",
        "message": "category: no public category has this slug",
        "parameter": "category",
    }


# --- cursor pages ------------------------------------------------------------------------------


def walk(client, params: dict) -> list[str]:
    """Every page from the first, following ``next`` as a client does."""
    seen, url, query = [], LIST, params
    for _ in range(20):  # more pages than any test has: a cursor that does not advance fails
        response = read(client, url, query)
        assert response.status_code == 200, response.content
        seen += headlines(response)
        following = data(response)["next"]
        if following is None:
            return seen
        parts = urlsplit(following)
        url, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
    pytest.fail(f"still a next page after 20: {seen}")


def test_pages_follow_the_cursor_to_the_last_one_without_a_count(client, archive):
    assert walk(client, {"limit": "1"}) == [
        "Third quarter results",
        "Second quarter results",
        "Old news",
    ]
    assert walk(client, {"limit": "1", "category": "earnings"}) == [
        "Third quarter results",
        "Second quarter results",
    ]
    first = data(read(client, LIST, {"limit": "2", "category": "earnings"}))
    assert first["next"] is None  # exactly two: the page that would follow is not promised


def test_releases_published_in_the_same_second_are_each_listed_once(client, make_release, publish):
    second = at(2026, 10, 1, 8, 0, 0)
    for n in range(5):
        publish(make_release(headline=f"Same second {n}", published_at=second))
    paged = walk(client, {"limit": "2"})
    assert sorted(paged) == [f"Same second {n}" for n in range(5)]


def test_a_release_going_live_between_two_pages_is_neither_repeated_nor_skipped(
    client, archive, make_release, publish
):
    """Page 1 is read, a release goes live, page 2 is read: among the releases visible when
    page 1 was read, each appears exactly once across the two pages."""
    go_live = archive["scheduled"].published_at
    with time_machine.travel(go_live - timedelta(seconds=1), tick=False):
        before = client.get(LIST, {"limit": "2"})
        visible = [i["headline"] for i in data(client.get(LIST, {"limit": "100"}))["items"]]
    page_one = headlines(before)
    with time_machine.travel(go_live, tick=False):
        # Live now, at the top of the first page.
        assert headlines(client.get(LIST, {"limit": "2"}))[0] == "Fourth quarter results"
        page_two = headlines(
            client.get(LIST, {"limit": "2", "cursor": data(before)["next_cursor"]})
        )
    assert page_one + page_two == visible
    assert "Fourth quarter results" not in page_one + page_two


def test_a_tampered_or_foreign_cursor_is_a_400(client, archive):
    cursor = data(read(client, LIST, {"limit": "1"}))["next_cursor"]
    seconds, rest = cursor.split(".", 1)
    tampered = [
        f"{int(seconds) + 1}.{rest}",  # a later position, signature kept
        cursor[:-1] + ("A" if cursor[-1] != "A" else "B"),
        cursor[:20],
        signing.Signer(salt="irsite.api.v1.events.cursor").sign(cursor.split(":")[0]),
        signing.Signer(key="another site's key", salt="irsite.api.v1.releases.cursor").sign(
            cursor.split(":")[0]
        ),
        "x" * 1000,
        "",
    ]
    for value in tampered:
        response = read(client, LIST, {"cursor": value})
        assert response.status_code == 400, value
        assert data(response)["parameter"] == "cursor"


# --- one release ---------------------------------------------------------------------------------


def test_a_release_s_id_is_the_uuid_of_its_feed_guid(client, archive):
    feed = feedparser.parse(read(client, "/news/feed/rss/").content)
    for entry in feed.entries:
        response = read(client, f"{LIST}/{uuid.UUID(entry.id)}")
        assert response.status_code == 200
        assert data(response)["headline"] == entry.title
        assert data(response)["id"] == str(uuid.UUID(entry.id))


def test_one_release_holds_what_its_page_shows(client, archive, contacts):
    release = archive["q3"]
    body = data(read(client, detail_url(release)))
    page = read(client, release.get_absolute_url()).content.decode()
    assert body["headline"] == "Third quarter results"
    assert body["dateline"] == release.dateline
    assert "First paragraph of release" in body["body_html"]
    assert body["body_html"].startswith("<p>")
    assert [c["name"] for c in body["contacts"]] == [c.name for c in contacts]
    assert all(c["name"] in page for c in body["contacts"])
    assert body["pdf_url"] == "http://testserver" + release.get_pdf_url()
    assert body["corrections"] == [] and body["attachments"] == []
    # Public fields only: no database key, status, version or author, nothing of a schedule.
    assert set(body) == {
        "id", "url", "headline", "subheadlines", "published_at", "updated_at", "summary",
        "categories", "dateline", "body_html", "pdf_url", "attachments", "contacts",
        "corrections", "exhibit_label", "filing_url",
    }  # fmt: skip
    assert all(
        set(c) == {"name", "title", "organization", "telephone", "email", "audience"}
        for c in body["contacts"]
    )
    assert f'"{release.pk}"' not in json.dumps(body) and f":{release.pk}," not in json.dumps(body)


def test_a_release_not_public_answers_exactly_like_an_id_that_never_existed(client, archive):
    never = read(client, f"{LIST}/{uuid.uuid4()}")
    for hidden in (archive["scheduled"], archive["draft"]):
        response = read(client, detail_url(hidden))
        assert response.status_code == never.status_code == 404
        assert response.content == never.content
        assert dict(response.headers) == dict(never.headers)
    assert data(never)["error"] == "not_found"


def test_a_withdrawn_release_answers_410_with_its_reason_and_leaves_the_list(client, archive):
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        actions.withdraw(archive["q2"], SYSTEM, "Issued in error.")
    response = read(client, detail_url(archive["q2"]))
    assert response.status_code == 410
    body = data(response)
    assert body["error"] == "withdrawn" and body["reason"] == "Issued in error."
    assert body["headline"] == "Second quarter results"
    assert "Second quarter results" not in headlines(read(client, LIST))


def test_a_correction_reaches_a_cached_release_and_its_validators_move(
    client, settings, archive, editor, approver
):
    settings.IRSITE_PAGE_CACHE = True
    release = archive["q3"]
    before = read(client, detail_url(release))
    assert read(client, detail_url(release)).content == before.content  # from the cache
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        release.refresh_from_db()
        release.headline = "Third quarter results (corrected)"
        pending = actions.save_release(release, editor, correction_note="A typo.")
        actions.approve_correction(pending, approver)
        after = client.get(detail_url(release), headers={"if-none-match": before["ETag"]})
        listed = client.get(LIST)
    assert after.status_code == 200, "a 304 for changed bytes"
    body = data(after)
    assert body["headline"] == "Third quarter results (corrected)"
    assert body["corrections"][0]["note"] == "A typo."
    assert body["updated_at"] == "2026-11-30T17:01:00Z"
    assert after["ETag"] != before["ETag"]
    assert "Third quarter results (corrected)" in headlines(listed)


# --- caching, validators, HEAD -----------------------------------------------------------------


def test_answers_carry_the_pages_caching_policy_etag_and_answer_304(client, archive, page_cache):
    page = read(client, "/news/")
    for url in [LIST, detail_url(archive["q3"]), DOCUMENT, f"{LIST}?category=earnings"]:
        response = read(client, url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == page["Cache-Control"], url
        assert response["Surrogate-Key"] == page["Surrogate-Key"] == "all list", url
        assert response["Access-Control-Allow-Origin"] == "*"
        etag = response["ETag"]
        again = read(client, url, if_none_match=etag)
        assert again.status_code == 304, url
        assert again["ETag"] == etag
        assert again["Cache-Control"] == page["Cache-Control"]
        modified = read(client, url, if_modified_since=response["Last-Modified"])
        assert modified.status_code == 304, url
        with time_machine.travel(NOW, tick=False):
            head = client.head(url)
        assert head.status_code == 200 and head.content == b""
        assert head["ETag"] == etag


def test_errors_carry_the_same_policy_and_are_json(client, archive, page_cache):
    page = read(client, "/news/")
    for url in [f"{LIST}?year=abc", f"{LIST}/{uuid.uuid4()}", "/api/v1/nothing-here", "/api/v2/"]:
        response = read(client, url)
        assert response.status_code in {400, 404}, url
        assert response["Cache-Control"] == page["Cache-Control"], url
        assert data(response)["status"] == response.status_code


def test_a_go_live_reaches_a_cached_list_at_its_second(client, settings, archive):
    settings.IRSITE_PAGE_CACHE = True
    go_live = archive["scheduled"].published_at
    for moment in (go_live - timedelta(seconds=100), go_live - timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            assert "Fourth quarter results" not in headlines(client.get(LIST))
            assert client.get(detail_url(archive["scheduled"])).status_code == 404
    with time_machine.travel(go_live, tick=False):
        assert headlines(client.get(LIST))[0] == "Fourth quarter results"
        assert client.get(detail_url(archive["scheduled"])).status_code == 200


def test_a_method_the_api_does_not_take_is_a_405_in_json(client, archive):
    for url in [LIST, detail_url(archive["q3"]), DOCUMENT]:
        for method in (client.post, client.put, client.delete, client.options):
            response = method(url)
            assert response.status_code == 405, (method, url)
            assert data(response)["error"] == "method_not_allowed"
            assert set(response["Allow"].split(", ")) >= {"GET"}


# --- bad input: a 400 in JSON, never a 500 -----------------------------------------------------

BAD = [
    ({"category": "no-such-category"}, "category"),
    ({"category": "\x00"}, "category"),
    ({"category": "earnings\x00"}, "category"),
    ({"category": "<script>"}, "category"),
    ({"category": ""}, "category"),
    ({"year": "abc"}, "year"),
    ({"year": "99999"}, "year"),
    ({"year": "02003"}, "year"),
    ({"year": "1899"}, "year"),
    ({"year": "٢٠٠٣"}, "year"),
    ({"year": ""}, "year"),
    ({"limit": "0"}, "limit"),
    ({"limit": "101"}, "limit"),
    ({"limit": "-1"}, "limit"),
    ({"limit": "9" * 40}, "limit"),
    ({"cursor": "abc"}, "cursor"),
    ({"cursor": "\x00"}, "cursor"),
]


@pytest.mark.parametrize(("params", "parameter"), BAD, ids=[repr(p) for p, _ in BAD])
def test_a_bad_query_value_is_a_400_naming_the_parameter(client, archive, params, parameter):
    response = read(client, LIST, params)
    assert response.status_code == 400
    body = data(response)
    assert body["status"] == 400 and body["error"] == "invalid_parameter"
    assert body["parameter"] == parameter
    assert body["message"].startswith(f"{parameter}: ")


@pytest.mark.parametrize(
    "raw",
    [
        "123",
        "%00",
        "not-a-uuid",
        "3b1cc8c1-9e85-45d4-a2f1-e354a0dae67",
        "3b1cc8c19e8545d4a2f1e354a0dae67f",
        "{3b1cc8c1-9e85-45d4-a2f1-e354a0dae67f}",
        "urn:uuid:3b1cc8c1-9e85-45d4-a2f1-e354a0dae67f",
        "%E2%80%AE",
    ],
)
def test_a_bad_release_id_is_a_400(client, db, raw):
    response = read(client, f"{LIST}/{raw}")
    assert response.status_code == 400, raw
    assert data(response)["parameter"] == "release_id"


NAMES = ["category", "year", "cursor", "limit", "q", "page"]


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(
        st.sampled_from(NAMES),
        st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
        max_size=4,
    ),
    raw=st.text(alphabet="%0123456789abcdefxyz=&;+-_.~ ", max_size=30),
)
def test_any_query_string_gets_json_and_never_a_server_error(client, archive, params, raw):
    for response in (read(client, LIST, params), read(client, f"{LIST}?{raw}")):
        assert response.status_code in {200, 400}, (params, raw, response.status_code)
        body = data(response)
        if response.status_code == 400:
            assert body["parameter"] in NAMES


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(raw=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=50))
def test_any_release_id_in_the_path_gets_json_and_never_a_server_error(client, db, raw):
    response = read(client, f"{LIST}/{quote(raw, safe='')}")
    assert response.status_code in {400, 404}, (raw, response.status_code)
    assert data(response)["status"] == response.status_code


# --- the OpenAPI document ----------------------------------------------------------------------


def test_the_openapi_document_is_valid_openapi_3_1(client, db):
    doc = document(client)
    assert doc["openapi"].startswith("3.1.")
    validate_spec(doc)  # raises with the first violation
    # Each noun's list and item (other nouns: their own test modules, e.g. test_reports_api).
    assert {LIST, f"{LIST}/{{release_id}}"} <= set(doc["paths"])
    assert {
        "/api/v1/events",
        "/api/v1/events/{event_id}",
        "/api/v1/filings",
        "/api/v1/filings/{accession_number}",
    } <= set(doc["paths"])
    for path in doc["paths"].values():
        assert set(path) == {"get"}  # HEAD is GET without a body: not a second operation
        assert "400" in path["get"]["responses"]


def test_every_answer_is_what_the_document_says(client, archive):
    doc = document(client)
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        actions.withdraw(archive["q2"], SYSTEM, "Issued in error.")
    one = f"{LIST}/{{release_id}}"
    cases = [
        (LIST, LIST, {}),
        (LIST, LIST, {"limit": "1"}),
        (LIST, LIST, {"year": "abc"}),
        (one, detail_url(archive["q3"]), {}),
        (one, detail_url(archive["scheduled"]), {}),
        (one, detail_url(archive["q2"]), {}),
        (one, f"{LIST}/not-an-id", {}),
    ]
    statuses = set()
    for path, url, params in cases:
        response = read(client, url, params)
        statuses.add(response.status_code)
        conforms(doc, path, response.status_code, data(response))
    assert statuses == {200, 400, 404, 410}


def test_every_query_parameter_the_document_names_reaches_its_operation(client, db):
    """The page cache hands a view only the parameters it declares (tracking and unknown ones
    never make a render of their own): every query parameter the OpenAPI document offers is
    among those the API declares, so none is silently dropped before its operation reads it."""
    from api.v1.params import QUERY_PARAMETERS

    document = client.get("/api/v1/openapi.json").json()
    offered = {
        parameter["name"]
        for operations in document["paths"].values()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    }
    assert offered, "the document names the list's filters"
    assert offered <= set(QUERY_PARAMETERS), offered - set(QUERY_PARAMETERS)


def test_a_tracking_parameter_leaves_the_filters_as_they_are(client, archive):
    filtered = read(client, LIST, {"category": "earnings"})
    tracked = read(client, LIST, {"category": "earnings", "utm_source": "newsletter"})
    assert headlines(tracked) == headlines(filtered)
