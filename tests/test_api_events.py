"""`/api/v1/events` through the test client, as a program reads it: the events app's rules
(announce second, materials second) on every answer, each filter, cursor pages while events are
announced, times with the event's zone, a 400 in JSON for any bad value, and every answer what
the OpenAPI document says. (The leak walks over these URLs are in tests/test_leaks.py.)"""

import json
import uuid
from datetime import timedelta
from urllib.parse import parse_qs, quote, urlsplit

import pytest
import time_machine
from django.core import signing
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from events import actions as event_actions
from events.models import Event

from .api_reads import conforms, document
from .conftest import at
from .shared import counted_queries

LIST = "/api/v1/events"
NOW = at(2026, 12, 5, 12, 0, 0)
MATERIALS = at(2026, 12, 8, 16, 5, 0)


def read(client, url: str, params: dict | None = None, moment=NOW, **headers):
    with time_machine.travel(moment, tick=False):
        return client.get(url, params or {}, headers=headers)


def data(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return json.loads(response.content)


def titles(response) -> list[str]:
    return [item["title"] for item in data(response)["items"]]


@pytest.fixture
def calendar(make_event, announce):
    """Two past events, two upcoming ones (one with its materials still hidden), one scheduled
    to be announced later and a draft."""
    made = {
        "older": announce(
            make_event(
                title="Q3 2025 earnings call",
                starts_at=at(2025, 11, 4, 17, 0, 0),
                announce_at=at(2025, 10, 1, 8, 0, 0),
            )
        ),
        "conference": announce(
            make_event(
                title="Healthcare conference",
                kind=Event.Kind.CONFERENCE,
                starts_at=at(2026, 3, 2, 14, 0, 0),
                announce_at=at(2026, 2, 1, 8, 0, 0),
            )
        ),
        "investor_day": announce(
            make_event(
                title="Investor day",
                kind=Event.Kind.INVESTOR_DAY,
                starts_at=at(2026, 12, 10, 12, 0, 0),
                zone="America/Los_Angeles",
                webcast_url="https://webcast.example.com/investor-day",
                dial_in="+1 800 555 0100, passcode 4321",
                announce_at=at(2026, 11, 20, 8, 0, 0),
                materials_at=MATERIALS,
            )
        ),
        "q4": announce(
            make_event(
                title="Q4 2026 earnings call",
                webcast_url="https://webcast.example.com/q4",
                announce_at=at(2026, 12, 1, 8, 0, 0),
            )
        ),
    }
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        made["scheduled"] = announce(
            make_event(
                title="Annual meeting",
                kind=Event.Kind.ANNUAL_MEETING,
                starts_at=at(2027, 5, 12, 10, 0, 0),
                announce_at=NOW + timedelta(hours=4),
            )
        )
    made["draft"] = make_event(title="A draft nobody may see")
    return made


# --- the list ----------------------------------------------------------------------------------


def test_the_list_holds_the_announced_events_latest_start_first_and_nothing_else(client, calendar):
    response = read(client, LIST)
    assert response.status_code == 200
    assert titles(response) == [
        "Q4 2026 earnings call",
        "Investor day",
        "Healthcare conference",
        "Q3 2025 earnings call",
    ]
    body = data(response)
    assert set(body) == {"items", "next_cursor", "next"}  # no count, ever
    investor_day = body["items"][1]
    event = calendar["investor_day"]
    assert investor_day == {
        "id": str(event.uid),
        "url": "http://testserver" + event.get_absolute_url(),
        "ics_url": "http://testserver" + event.get_ics_url(),
        "title": "Investor day",
        "kind": "investor_day",
        "status": "scheduled",
        # 12:00 in New York is 09:00 in Los Angeles, where it is held: its offset and zone.
        "starts_at": "2026-12-10T09:00:00-08:00",
        "ends_at": "2026-12-10T10:00:00-08:00",
        "time_zone": "America/Los_Angeles",
        "all_day": False,
        "attendance": "online",
        "announced_at": "2026-11-20T05:00:00-08:00",
        "updated_at": "2026-11-20T05:00:00-08:00",
    }


def test_the_list_filters_by_kind_year_and_when(client, calendar):
    assert titles(read(client, LIST, {"kind": "earnings_call"})) == [
        "Q4 2026 earnings call",
        "Q3 2025 earnings call",
    ]
    assert titles(read(client, LIST, {"year": "2025"})) == ["Q3 2025 earnings call"]
    # Upcoming: the soonest first; past: the latest first.
    assert titles(read(client, LIST, {"when": "upcoming"})) == [
        "Investor day",
        "Q4 2026 earnings call",
    ]
    assert titles(read(client, LIST, {"when": "past"})) == [
        "Healthcare conference",
        "Q3 2025 earnings call",
    ]
    assert titles(read(client, LIST, {"when": "upcoming", "kind": "investor_day"})) == [
        "Investor day"
    ]
    assert titles(read(client, LIST, {"when": "past", "year": "2026"})) == ["Healthcare conference"]
    assert titles(read(client, LIST, {"kind": "annual_meeting"})) == []  # only a scheduled one


def test_an_event_moves_from_upcoming_to_past_when_it_ends(client, calendar):
    ends = calendar["investor_day"].ends_at
    before = titles(read(client, LIST, {"when": "upcoming"}, moment=ends - timedelta(seconds=1)))
    after = titles(read(client, LIST, {"when": "upcoming"}, moment=ends))
    assert "Investor day" in before and "Investor day" not in after
    assert "Investor day" in titles(read(client, LIST, {"when": "past"}, moment=ends))


# --- cursor pages ------------------------------------------------------------------------------


def walk(client, params: dict, moment=NOW) -> list[str]:
    seen, url, query = [], LIST, params
    for _ in range(20):
        response = read(client, url, query, moment)
        assert response.status_code == 200, response.content
        seen += titles(response)
        following = data(response)["next"]
        if following is None:
            return seen
        parts = urlsplit(following)
        url, query = parts.path, {k: v[0] for k, v in parse_qs(parts.query).items()}
    pytest.fail(f"still a next page after 20: {seen}")


def test_pages_follow_the_cursor_in_each_order(client, calendar):
    assert walk(client, {"limit": "1"}) == titles(read(client, LIST))
    assert walk(client, {"limit": "1", "when": "upcoming"}) == [
        "Investor day",
        "Q4 2026 earnings call",
    ]
    assert walk(client, {"limit": "1", "when": "past", "kind": "conference"}) == [
        "Healthcare conference"
    ]


def test_an_event_announced_between_two_pages_neither_repeats_nor_skips_the_others(
    client, calendar
):
    """Page 1 is read, an event is announced (it starts later than any: the top of the list),
    page 2 is read: among the events visible when page 1 was read, each appears exactly once."""
    announced = calendar["scheduled"].announce_at
    just_before = announced - timedelta(seconds=1)
    before = read(client, LIST, {"limit": "2"}, just_before)
    visible = titles(read(client, LIST, {"limit": "100"}, just_before))
    assert titles(read(client, LIST, {"limit": "2"}, announced))[0] == "Annual meeting"
    cursor = data(before)["next_cursor"]
    after = read(client, LIST, {"limit": "2", "cursor": cursor}, announced)
    assert titles(before) + titles(after) == visible
    assert len(visible) == 4


def test_a_cursor_of_one_order_or_noun_is_refused_by_another(client, calendar):
    upcoming = data(read(client, LIST, {"limit": "1", "when": "upcoming"}))["next_cursor"]
    latest = data(read(client, LIST, {"limit": "1"}))["next_cursor"]
    release_cursor = signing.Signer(salt="irsite.api.v1.releases.cursor").sign(latest.split(":")[0])
    for params in (
        {"cursor": upcoming},
        {"cursor": latest, "when": "upcoming"},
        {"cursor": release_cursor},
        {"cursor": latest[:-2]},
    ):
        response = read(client, LIST, params)
        assert response.status_code == 400, params
        assert data(response)["parameter"] == "cursor"


# --- one event -----------------------------------------------------------------------------------


def test_the_webcast_dial_in_and_documents_appear_at_the_materials_second(client, calendar):
    url = f"{LIST}/{calendar['investor_day'].uid}"
    hidden = data(read(client, url, moment=MATERIALS - timedelta(seconds=1)))
    assert hidden["materials"] is None
    assert "webcast.example.com" not in json.dumps(hidden)
    assert "4321" not in json.dumps(hidden)
    shown = data(read(client, url, moment=MATERIALS))
    assert shown["materials"] == {
        "webcast_url": "https://webcast.example.com/investor-day",
        "dial_in": "+1 800 555 0100, passcode 4321",
        "replay_url": "",
        "documents": [],
    }
    assert shown["updated_at"] == "2026-12-08T13:05:00-08:00"
    # Without a materials second of its own, the materials come with the announcement.
    q4 = data(read(client, f"{LIST}/{calendar['q4'].uid}"))
    assert q4["materials"]["webcast_url"] == "https://webcast.example.com/q4"


def test_one_event_holds_what_its_page_shows_and_nothing_of_the_workflow(client, calendar):
    event = calendar["q4"]
    body = data(read(client, f"{LIST}/{event.uid}"))
    assert set(body) == {
        "id", "url", "ics_url", "title", "kind", "status", "starts_at", "ends_at",
        "time_zone", "all_day", "attendance", "announced_at", "updated_at", "description",
        "location", "registration_url", "rescheduled_from", "releases", "changes", "materials",
    }  # fmt: skip
    assert body["starts_at"] == "2027-01-28T17:00:00-05:00"
    assert body["time_zone"] == "America/New_York"
    assert f":{event.pk}," not in json.dumps(body)


def test_a_reschedule_and_a_cancellation_show_in_the_event(client, calendar, editor, approver):
    event = calendar["q4"]
    with time_machine.travel(NOW - timedelta(hours=2), tick=False):
        edited = Event.objects.get(pk=event.pk)
        edited.starts_at = at(2027, 2, 4, 17, 0, 0)
        edited.ends_at = at(2027, 2, 4, 18, 0, 0)
        change = event_actions.save_event(edited, editor, change_note="Moved a week later.")
        event_actions.approve_change(change, approver)
    body = data(read(client, f"{LIST}/{event.uid}"))
    assert body["status"] == "rescheduled"
    assert body["starts_at"] == "2027-02-04T17:00:00-05:00"
    assert body["rescheduled_from"] == "2027-01-28T17:00:00-05:00"
    assert [c["note"] for c in body["changes"]] == ["Moved a week later."]
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        edited = Event.objects.get(pk=event.pk)
        edited.schedule = Event.Schedule.CANCELLED
        change = event_actions.save_event(edited, editor, change_note="Cancelled.")
        event_actions.approve_change(change, approver)
    assert data(read(client, f"{LIST}/{event.uid}"))["status"] == "cancelled"
    assert "Q4 2026 earnings call" in titles(read(client, LIST))  # still listed, as on /events/


def test_an_event_not_announced_answers_exactly_like_an_id_that_never_existed(client, calendar):
    never = read(client, f"{LIST}/{uuid.uuid4()}")
    for hidden in (calendar["scheduled"], calendar["draft"]):
        response = read(client, f"{LIST}/{hidden.uid}")
        assert response.status_code == never.status_code == 404
        assert response.content == never.content
        assert dict(response.headers) == dict(never.headers)
    assert data(never)["error"] == "not_found"
    assert (
        read(
            client, f"{LIST}/{calendar['scheduled'].uid}", moment=calendar["scheduled"].announce_at
        ).status_code
        == 200
    )


def test_an_announcement_reaches_a_cached_list_at_its_second(client, settings, calendar):
    settings.IRSITE_PAGE_CACHE = True
    announced = calendar["scheduled"].announce_at
    for moment in (announced - timedelta(seconds=100), announced - timedelta(seconds=1)):
        assert "Annual meeting" not in titles(read(client, LIST, moment=moment))
    assert titles(read(client, LIST, moment=announced))[0] == "Annual meeting"


def test_answers_carry_the_pages_caching_policy_and_answer_304(client, calendar):
    page = read(client, "/events/")
    for url in [LIST, f"{LIST}?when=upcoming", f"{LIST}/{calendar['q4'].uid}"]:
        response = read(client, url)
        assert response["Cache-Control"] == page["Cache-Control"], url
        # The key every announcement and materials second purges (`events.actions.golive`).
        assert response["Surrogate-Key"] == page["Surrogate-Key"] == "all list", url
        assert response["Access-Control-Allow-Origin"] == "*"
        assert read(client, url, if_none_match=response["ETag"]).status_code == 304, url


# --- bad input: a 400 in JSON, never a 500 -----------------------------------------------------

BAD = [
    ({"kind": "webinar"}, "kind"),
    ({"kind": ""}, "kind"),
    ({"kind": "earnings_call\x00"}, "kind"),
    ({"when": "soon"}, "when"),
    ({"when": "UPCOMING"}, "when"),
    ({"year": "20026"}, "year"),
    ({"year": "abc"}, "year"),
    ({"limit": "0"}, "limit"),
    ({"cursor": "abc"}, "cursor"),
]


@pytest.mark.parametrize(("params", "parameter"), BAD, ids=[repr(p) for p, _ in BAD])
def test_a_bad_query_value_is_a_400_naming_the_parameter(client, calendar, params, parameter):
    response = read(client, LIST, params)
    assert response.status_code == 400
    body = data(response)
    assert body["error"] == "invalid_parameter" and body["parameter"] == parameter
    assert body["message"].startswith(f"{parameter}: ")


@pytest.mark.parametrize("raw", ["123", "%00", "not-a-uuid", "q4-earnings-call-1"])
def test_a_bad_event_id_is_a_400(client, db, raw):
    response = read(client, f"{LIST}/{raw}")
    assert response.status_code == 400, raw
    assert data(response)["parameter"] == "event_id"


NAMES = ["kind", "year", "when", "cursor", "limit", "q"]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    params=st.dictionaries(
        st.sampled_from(NAMES),
        st.one_of(
            st.sampled_from(["upcoming", "past", "earnings_call", "2026", "5"]),
            st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
        ),
        max_size=4,
    ),
    raw=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30),
)
def test_any_query_string_or_id_gets_json_and_never_a_server_error(client, calendar, params, raw):
    response = read(client, LIST, params)
    assert response.status_code in {200, 400}, (params, response.status_code)
    if response.status_code == 400:
        assert data(response)["parameter"] in NAMES
    one = read(client, f"{LIST}/{quote(raw, safe='')}")
    assert one.status_code in {400, 404}, (raw, one.status_code)
    assert data(one)["status"] == one.status_code


def test_every_answer_is_what_the_document_says(client, calendar):
    doc = document(client)
    one = f"{LIST}/{{event_id}}"
    cases = [
        (LIST, LIST, {}, NOW),
        (LIST, LIST, {"when": "upcoming", "limit": "1"}, NOW),
        (LIST, LIST, {"kind": "webinar"}, NOW),
        (one, f"{LIST}/{calendar['investor_day'].uid}", {}, NOW),
        (one, f"{LIST}/{calendar['investor_day'].uid}", {}, MATERIALS),
        (one, f"{LIST}/{calendar['scheduled'].uid}", {}, NOW),
        (one, f"{LIST}/nope", {}, NOW),
    ]
    statuses = set()
    for path, url, params, moment in cases:
        response = read(client, url, params, moment)
        statuses.add(response.status_code)
        conforms(doc, path, response.status_code, data(response))
    assert statuses == {200, 400, 404}


def test_another_list_s_parameter_is_ignored_like_any_unknown_one(client, calendar, settings):
    """Each operation reads only its own filters (`responses.reads_of`): the events' ``when``
    and ``kind`` on the releases' list, or the releases' ``category`` here, change nothing and
    make no cache entry of their own (served from the cache: as few queries as the same URL
    without them)."""
    settings.IRSITE_PAGE_CACHE = True
    assert read(client, LIST, {"category": "no-such"}).content == read(client, LIST).content
    releases = read(client, "/api/v1/releases")
    with counted_queries() as plain:
        read(client, "/api/v1/releases")
    for params in ({"when": "never"}, {"kind": "webinar"}, {"group": "x"}):
        with counted_queries() as asked:
            response = read(client, "/api/v1/releases", params)
        assert response.status_code == 200, params
        assert response.content == releases.content
        assert len(asked.captured_queries) == len(plain.captured_queries), params
