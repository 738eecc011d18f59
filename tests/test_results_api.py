"""``/api/v1/results`` (issue 26): public kits as JSON from their release's second, exactly as
their pages; 404 like a period with no kit before, 410 after a withdrawal, 400 for a bad
period; every answer what the OpenAPI document says."""

import json
from datetime import timedelta

import pytest
import time_machine

from releases import actions as release_actions

from .api_reads import conforms
from .conftest import SYSTEM
from .results_kits import GO_LIVE, HEADLINE
from .shared import visible

LIST = "/api/v1/results"
ONE = f"{LIST}/2027/q1"


def data(response) -> dict:
    return json.loads(response.content)


def test_a_kit_is_in_the_api_from_its_release_s_second_and_not_before(client, kit, page_cache):
    for moment in (GO_LIVE - timedelta(hours=3), GO_LIVE - timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            hidden, never = client.get(ONE), client.get(f"{LIST}/2027/q2")
            assert hidden.status_code == 404
            assert visible(hidden)[:3] == visible(never)[:3]
            listed = client.get(LIST).content.decode()
            assert HEADLINE not in listed and "2027/q1" not in listed
    with time_machine.travel(GO_LIVE, tick=False):
        one = data(client.get(ONE))
        listed = data(client.get(LIST))
    assert one["title"] == "Q1 fiscal 2027 results" and one["release"]["headline"] == HEADLINE
    assert [d["category"] for d in one["documents"]] == ["slides", "supplemental"]
    assert one["period_end"] == "2026-09-30"
    assert listed["items"][0]["title"] == "Q1 fiscal 2027 results"


def test_the_year_filter_and_bad_values(client, kit):
    with time_machine.travel(GO_LIVE, tick=False):
        titles = [i["title"] for i in data(client.get(LIST, {"year": "2026"}))["items"]]
        assert titles == ["Full year fiscal 2026 results"]
        bad = client.get(f"{LIST}/2027/q5")
        assert bad.status_code == 400 and data(bad)["parameter"] == "period"
        assert client.get(LIST, {"year": "20265"}).status_code == 400


@pytest.mark.parametrize("withdraw", [False, True])
def test_every_answer_is_what_the_document_says(client, kit, withdraw):
    release, _ = kit
    with time_machine.travel(GO_LIVE + timedelta(minutes=5), tick=False):
        if withdraw:
            release_actions.withdraw(release, SYSTEM, "Restated.")
        doc = data(client.get("/api/v1/openapi.json"))
        cases = [(LIST, LIST), (f"{LIST}/{{fiscal_year}}/{{period}}", ONE)]
        cases.append((f"{LIST}/{{fiscal_year}}/{{period}}", f"{LIST}/2031/fy"))
        statuses = set()
        for path, url in cases:
            response = client.get(url)
            statuses.add(response.status_code)
            conforms(doc, path, response.status_code, data(response))
    assert statuses == ({200, 404, 410} if withdraw else {200, 404})
