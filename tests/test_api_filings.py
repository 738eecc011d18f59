"""`/api/v1/filings` through the test client: the filings the page lists (hidden ones never,
answering like a number never seen), the page's group and year filters, cursor pages while the
poller adds filings, a 400 in JSON for any bad value, and what the OpenAPI document says."""

import json
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from filings import actions, edgar
from filings.models import Filing

from .api_reads import conforms, document
from .edgar_server import CIK, columns, filing

pytestmark = pytest.mark.django_db

LIST = "/api/v1/filings"
ROWS = [
    filing(7, "8-K", "2026-02-26", primaryDocDescription="8-K", items="2.02,9.01"),
    filing(6, "10-Q", "2026-02-01", reportDate="2025-12-31"),
    filing(5, "4", "2026-01-15"),
    filing(4, "10-K/A", "2025-12-20", primaryDocDescription="AMENDMENT NO. 1"),
    filing(3, "10-K", "2025-11-20", primaryDocDescription="ANNUAL REPORT"),
    filing(2, "DEF 14A", "2025-10-01"),
    filing(1, "S-8", "2025-03-03"),
]


def store(rows=ROWS) -> None:
    records, _ = edgar.records(columns(rows), "test")
    actions.store_answer(CIK, records, name="IMMUNOGEN INC")


@pytest.fixture
def listed(db):
    actions.set_cik(CIK)
    store()


def data(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return json.loads(response.content)


def numbers(response) -> list[int]:
    return [int(i["accession_number"][-6:]) for i in data(response)["items"]]


def test_the_list_holds_every_filing_not_hidden_latest_first(client, listed):
    response = client.get(LIST)
    assert response.status_code == 200
    assert numbers(response) == [7, 6, 5, 4, 3, 2, 1]
    body = data(response)
    assert set(body) == {"items", "next_cursor", "next"}
    eight_k = body["items"][0]
    stored = Filing.objects.get(accession_number="0000855654-26-000007")
    assert eight_k == {
        "accession_number": "0000855654-26-000007",
        "form": "8-K",
        "group": {"slug": "current", "label": "Current reports"},
        "title": "Form 8-K",
        "filing_date": "2026-02-26",
        "report_date": "2026-02-26",
        "accepted_at": "2026-02-26T12:30:00Z",
        "items": ["2.02", "9.01"],
        "amendment": False,
        "index_url": stored.index_url,
        "document_url": stored.document_url,
        "xbrl": stored.is_xbrl,
        "inline_xbrl": stored.is_inline_xbrl,
        "size": stored.size,
    }


def test_the_list_filters_by_group_and_year_as_the_page_does(client, listed):
    assert numbers(client.get(LIST, {"group": "annual"})) == [4, 3]
    assert numbers(client.get(LIST, {"year": "2025"})) == [4, 3, 2, 1]
    assert numbers(client.get(LIST, {"group": "current", "year": "2026"})) == [7]
    assert numbers(client.get(LIST, {"group": "section-16"})) == [5]
    assert numbers(client.get(LIST, {"year": "2003"})) == []


def test_a_hidden_filing_answers_exactly_like_a_number_never_seen_and_leaves_the_list(
    client, listed, approver
):
    approver.is_superuser = True
    approver.save()
    hidden = Filing.objects.get(accession_number="0000855654-26-000006")
    assert client.get(f"{LIST}/{hidden.accession_number}").status_code == 200
    actions.hide_filing(hidden, "Filed under the wrong CIK by our agent", approver)
    gone = client.get(f"{LIST}/{hidden.accession_number}")
    never = client.get(f"{LIST}/0000855654-26-000099")
    assert gone.status_code == never.status_code == 404
    assert gone.content == never.content
    assert dict(gone.headers) == dict(never.headers)
    assert 6 not in numbers(client.get(LIST))
    assert numbers(client.get(LIST, {"group": "quarterly"})) == []


def test_one_filing_by_its_accession_number(client, listed):
    body = data(client.get(f"{LIST}/0000855654-26-000004"))
    assert body["form"] == "10-K/A" and body["amendment"] is True
    assert body["title"] == "AMENDMENT NO. 1"
    assert body["group"]["slug"] == "annual"
    assert {"act", "file_number", "film_number"} <= set(body)


def walk(client, params: dict) -> list[int]:
    seen, url, query = [], LIST, params
    for _ in range(20):
        response = client.get(url, query)
        assert response.status_code == 200, response.content
        seen += numbers(response)
        following = data(response)["next"]
        if following is None:
            return seen
        parts = urlsplit(following)
        url, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
    pytest.fail(f"still a next page after 20: {seen}")


def test_pages_follow_the_cursor_and_a_new_filing_between_pages_moves_nothing(client, listed):
    assert walk(client, {"limit": "2"}) == [7, 6, 5, 4, 3, 2, 1]
    assert walk(client, {"limit": "1", "year": "2025"}) == [4, 3, 2, 1]
    first = client.get(LIST, {"limit": "3"})
    store([filing(8, "8-K", "2026-03-01"), filing(9, "8-K", "2026-02-26"), *ROWS])
    second = client.get(LIST, {"limit": "3", "cursor": data(first)["next_cursor"]})
    # Number 9 shares the 8-K's day and sorts above it by accession number: before the cursor.
    assert numbers(first) + numbers(second) == [7, 6, 5, 4, 3, 2]


BAD = [
    ({"group": "annual-reports"}, "group"),
    ({"group": ""}, "group"),
    ({"year": "26"}, "year"),
    ({"limit": "1000"}, "limit"),
    ({"cursor": "2026-02-26.0000855654-26-000007"}, "cursor"),
]


@pytest.mark.parametrize(("params", "parameter"), BAD, ids=[repr(p) for p, _ in BAD])
def test_a_bad_query_value_is_a_400_naming_the_parameter(client, listed, params, parameter):
    response = client.get(LIST, params)
    assert response.status_code == 400
    body = data(response)
    assert body["parameter"] == parameter and body["message"].startswith(f"{parameter}: ")


@pytest.mark.parametrize("raw", ["000085565426000007", "0000855654-26-7", "8-K", "%00"])
def test_a_bad_accession_number_is_a_400(client, db, raw):
    response = client.get(f"{LIST}/{raw}")
    assert response.status_code == 400, raw
    assert data(response)["parameter"] == "accession_number"


NAMES = ["group", "year", "cursor", "limit", "page"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(
        st.sampled_from(NAMES),
        st.one_of(
            st.sampled_from(["annual", "current", "2025", "3"]),
            st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
        ),
        max_size=4,
    ),
    raw=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
)
def test_any_query_string_or_number_gets_json_and_never_a_server_error(client, listed, params, raw):
    response = client.get(LIST, params)
    assert response.status_code in {200, 400}, (params, response.status_code)
    if response.status_code == 400:
        assert data(response)["parameter"] in NAMES
    one = client.get(f"{LIST}/{quote(raw, safe='')}")
    assert one.status_code in {400, 404}, (raw, one.status_code)
    assert data(one)["status"] == one.status_code


def test_every_answer_is_what_the_document_says(client, listed):
    doc = document(client)
    one = f"{LIST}/{{accession_number}}"
    cases = [
        (LIST, LIST, {}),
        (LIST, LIST, {"limit": "2", "group": "annual"}),
        (LIST, LIST, {"group": "x"}),
        (one, f"{LIST}/0000855654-26-000001", {}),
        (one, f"{LIST}/0000855654-26-000042", {}),
        (one, f"{LIST}/42", {}),
    ]
    for path, url, params in cases:
        response = client.get(url, params)
        conforms(doc, path, response.status_code, data(response))
