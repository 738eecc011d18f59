"""``/api/v1/reports`` (issue 26): the public reports library as JSON, from the second the
pages show a report; one report with the files corrections replaced; 404 before its second
exactly as for an id that never existed, 410 once withdrawn; what the OpenAPI document says."""

import json
import uuid
from datetime import timedelta

import pytest
import time_machine

from irsite.uploads import check_upload
from reports import actions

from .api_reads import conforms, document
from .conftest import SYSTEM, at
from .files import PDF, upload

LIST = "/api/v1/reports"
GO_LIVE = at(2026, 12, 1, 8, 0, 0)
LATER = GO_LIVE + timedelta(days=2)


@pytest.fixture
def library(make_report, publish_report):
    with time_machine.travel(GO_LIVE - timedelta(days=3), tick=False):
        older = publish_report(
            make_report(title="Annual report 2025", fiscal_year=2025,
                        published_at=GO_LIVE - timedelta(days=1))
        )  # fmt: skip
        newer = publish_report(make_report(title="Proxy statement 2026", kind="proxy_statement"))
    return older, newer


def get(client, url, params=None):
    response = client.get(url, params or {})
    return response, json.loads(response.content)


def test_the_list_holds_public_reports_newest_first_and_pages_by_cursor(client, library):
    _, newer = library
    with time_machine.travel(GO_LIVE - timedelta(seconds=1), tick=False):
        _, body = get(client, LIST)
    assert [i["title"] for i in body["items"]] == ["Annual report 2025"]
    with time_machine.travel(LATER, tick=False):
        _, body = get(client, LIST)
        assert [i["title"] for i in body["items"]] == ["Proxy statement 2026", "Annual report 2025"]
        assert body["items"][0]["url"].endswith(newer.get_file_url())
        assert body["items"][0]["cover_url"].endswith(newer.get_cover_url())
        _, first = get(client, LIST, {"limit": "1"})
        _, second = get(client, LIST, {"limit": "1", "cursor": first["next_cursor"]})
        _, year = get(client, LIST, {"year": "2025"})
    assert [i["title"] for i in first["items"] + second["items"]] == [
        "Proxy statement 2026",
        "Annual report 2025",
    ]
    assert second["next"] is None
    assert [i["fiscal_year"] for i in year["items"]] == [2025]


def test_a_report_before_its_second_answers_like_an_id_that_never_existed(client, library):
    _, newer = library
    with time_machine.travel(GO_LIVE - timedelta(seconds=1), tick=False):
        hidden, hidden_body = get(client, f"{LIST}/{newer.uuid}")
        never, never_body = get(client, f"{LIST}/{uuid.uuid4()}")
    assert hidden.status_code == never.status_code == 404
    assert hidden_body == never_body
    with time_machine.travel(GO_LIVE, tick=False):
        assert get(client, f"{LIST}/{newer.uuid}")[0].status_code == 200


def test_one_report_lists_the_files_corrections_replaced(client, library, approver):
    _, newer = library
    with time_machine.travel(LATER, tick=False):
        edited = type(newer).objects.get(pk=newer.pk)
        edited.take(check_upload(upload("v2.pdf", PDF.replace(b"200 200", b"300 300"))))
        change = actions.save_report(edited, SYSTEM, change_note="Page 4 restated.")
        actions.approve_change(change, approver)
    with time_machine.travel(LATER + timedelta(seconds=1), tick=False):
        response, body = get(client, f"{LIST}/{newer.uuid}")
        doc = document(client)
    assert response.status_code == 200
    (earlier,) = body["earlier_versions"]
    assert earlier["note"] == "Page 4 restated."
    assert earlier["url"].endswith(newer.get_file_url())
    assert body["updated_at"] > body["published_at"]
    conforms(doc, f"{LIST}/{{report_id}}", 200, body)


def test_a_withdrawn_report_answers_410_and_leaves_the_list(client, library, approver):
    _, newer = library
    with time_machine.travel(LATER, tick=False):
        actions.withdraw(newer, approver, "Superseded.")
        response, body = get(client, f"{LIST}/{newer.uuid}")
        _, listed = get(client, LIST)
        doc = document(client)
    assert response.status_code == 410 and body["error"] == "withdrawn"
    assert "Proxy statement 2026" not in [i["title"] for i in listed["items"]]
    conforms(doc, LIST, 200, listed)
    conforms(doc, f"{LIST}/{{report_id}}", 410, body)


@pytest.mark.parametrize(
    "params", [{"year": "20003"}, {"limit": "0"}, {"cursor": "forged"}, {"year": "x"}]
)
def test_a_bad_query_value_is_a_400(client, db, params):
    response, body = get(client, LIST, params)
    assert response.status_code == 400
    assert body["parameter"] in params
