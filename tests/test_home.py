"""The home page as an IR landing page (issue 29): on results day the newest results release
with its call (time, webcast, slides as the event's materials rule shows them), the upcoming
events, the latest SEC filings, then the releases and the sign-up; nothing of a scheduled
release, event or filing before its second, on a page cached and purged like /news/."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache

from events.models import Event, EventDocument
from filings import actions as filing_actions
from filings import edgar
from filings.models import Filing
from irsite.uploads import check_upload
from releases.models import Category

from .conftest import SYSTEM, at
from .edgar_server import CIK, columns, filing
from .files import PDF, upload

ANNOUNCE = at(2026, 12, 1, 8, 0, 0)
GO_LIVE = at(2027, 1, 28, 16, 5, 0)  # the results release and the call's materials
WEBCAST = "https://webcast.example.com/q4-2026"
FILED = [
    filing(3, "8-K", "2027-01-28", primaryDocDescription="8-K"),
    filing(2, "10-Q", "2026-11-05", reportDate="2026-09-30"),
    filing(1, "10-K", "2026-02-20", primaryDocDescription="ANNUAL REPORT"),
]


def store_filings(rows=FILED) -> None:
    records, _ = edgar.records(columns(rows), "test")
    filing_actions.store_answer(CIK, records, name="IMMUNOGEN INC")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def day(make_release, publish, make_event, announce, category):
    """Results day: an older corporate release, the Q4 results scheduled for GO_LIVE with its
    call (materials at GO_LIVE), an investor day later on, and three filings."""
    earnings = Category.objects.create(name="Earnings", slug="earnings")
    with time_machine.travel(ANNOUNCE - timedelta(days=2), tick=False):
        older = publish(
            make_release(
                headline="Company opens a new plant",
                categories=[category],
                published_at=at(2026, 11, 20, 9, 0, 0),
            )
        )
        results = publish(
            make_release(
                headline="Fourth quarter and full year 2026 results",
                slug="q4-2026-results",
                categories=[earnings],
                published_at=GO_LIVE,
            )
        )
        call = make_event(
            title="Q4 2026 earnings call",
            slug="q4-2026-earnings-call",
            releases=[results],
            webcast_url=WEBCAST,
            materials_at=GO_LIVE,
            starts_at=at(2027, 1, 28, 17, 0, 0),
            announce_at=ANNOUNCE,
        )
        slides = EventDocument(event=call, kind="slides", title="Q4 2026 slides")
        slides.take(check_upload(upload("slides.pdf", PDF)))
        slides.save()
        call = announce(call)
        investor_day = announce(
            make_event(
                title="Investor day 2027",
                slug="investor-day-2027",
                kind=Event.Kind.INVESTOR_DAY,
                starts_at=at(2027, 3, 10, 9, 0, 0),
                announce_at=ANNOUNCE,
            )
        )
        filing_actions.set_cik(CIK)
        store_filings()
    return {"older": older, "results": results, "call": call, "investor_day": investor_day}


def home(client, moment) -> str:
    with time_machine.travel(moment, tick=False):
        response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_on_results_day_the_home_page_leads_with_the_results_call_and_slides(client, day):
    page = home(client, GO_LIVE + timedelta(minutes=1))
    order = [
        "<h1",
        "Latest results",
        "Fourth quarter and full year 2026 results",
        "January 28, 2027, 4:05 p.m. EST",
        "Q4 2026 earnings call",
        "Thursday, January 28, 2027, 5:00 p.m.",
        WEBCAST,
        "Q4 2026 slides",
        "Upcoming events",
        "Investor day 2027",
        "Latest SEC filings",
        "8-K",
        "10-Q",
        "Latest press releases",
        "Company opens a new plant",
        'class="alerts-signup',
    ]
    places = [page.find(text) for text in order]
    assert -1 not in places, [t for t, p in zip(order, places, strict=True) if p == -1]
    assert places == sorted(places), order
    assert day["call"].documents.get().get_absolute_url() in page
    assert "Nasdaq: IMGN" in page and "128 Sidney Street" in page  # the company block stays


def test_nothing_scheduled_reaches_the_home_page_before_its_second(client, day, make_event):
    later = make_event(
        title="Annual meeting 2027",
        kind=Event.Kind.ANNUAL_MEETING,
        starts_at=at(2027, 2, 15, 10, 0, 0),  # before the investor day: next, once announced
        announce_at=GO_LIVE + timedelta(hours=1),
    )
    with time_machine.travel(ANNOUNCE - timedelta(days=1), tick=False):
        from events import actions as event_actions

        event_actions.submit(later, SYSTEM)
        event_actions.approve(later, SYSTEM, at=later.announce_at)
    hidden = Filing.objects.get(accession_number__endswith="000003")
    filing_actions.hide_filing(hidden, "Filed under the wrong CIK", SYSTEM)
    for moment in (ANNOUNCE - timedelta(seconds=1), GO_LIVE - timedelta(seconds=1)):
        page = home(client, moment)  # cached at each moment, and never past the next second
        for unseen in (
            "Fourth quarter and full year 2026 results",
            "Latest results",
            WEBCAST,
            "Q4 2026 slides",
            "Annual meeting 2027",
            "000085565426000003",
        ):
            assert unseen not in page, (moment, unseen)
    before = home(client, ANNOUNCE - timedelta(seconds=1))
    assert "Q4 2026 earnings call" not in before and "Investor day 2027" not in before
    # The call is announced (its time) before its materials: no webcast or slides yet.
    announced = home(client, GO_LIVE - timedelta(seconds=1))
    assert "Q4 2026 earnings call" in announced and "Latest news" in announced
    at_second = home(client, GO_LIVE)
    assert "Fourth quarter and full year 2026 results" in at_second
    assert WEBCAST in at_second and "Q4 2026 slides" in at_second
    assert "Annual meeting 2027" not in at_second
    assert "Annual meeting 2027" in home(client, later.announce_at)
    assert "000085565426000003" not in home(client, later.announce_at)


def test_a_newer_release_leads_and_the_results_follow_it(client, day, make_release, publish):
    news = publish(
        make_release(headline="Company names a new CFO", published_at=GO_LIVE + timedelta(hours=2))
    )
    page = home(client, news.published_at)
    assert page.index("Latest news") < page.index("Company names a new CFO")
    assert page.index("Company names a new CFO") < page.index("Latest results")
    assert page.index("Latest results") < page.index("Fourth quarter and full year 2026 results")
    assert "January 28, 2027, 6:05 p.m. EST" in page  # the lead's minute


def test_the_home_page_is_purged_with_the_lists_and_a_new_filing_shows_at_once(client, day):
    with time_machine.travel(GO_LIVE + timedelta(minutes=1), tick=False):
        response = client.get("/")
        assert "list" in response["Surrogate-Key"].split()  # what every change purges
        assert "10-K/A" not in response.content.decode()
        store_filings(
            [filing(4, "10-K/A", "2027-01-28", primaryDocDescription="AMENDMENT"), *FILED]
        )
        assert "10-K/A" in client.get("/").content.decode()


def test_the_results_kit_stands_under_its_release_on_the_home_page_from_its_second(
    client, make_release, publish
):
    """A kit is public with its release, never before (`KitQuerySet.public`); the home page
    shows it under the results with its documents, and a release with a kit counts as results
    whatever its categories."""
    from .results_kits import approved_kit

    with time_machine.travel(ANNOUNCE, tick=False):
        results = publish(
            make_release(headline="Second quarter results", slug="q2", published_at=GO_LIVE)
        )
        kit = approved_kit(results)
    before = home(client, GO_LIVE - timedelta(seconds=1))
    assert "Second quarter results" not in before and kit.get_absolute_url() not in before
    cache.clear()  # the page cache's entry ends at the go-live anyway; this reads the rows again
    page = home(client, GO_LIVE)
    order = ["Latest results", "Second quarter results", kit.title, "Q1 presentation"]
    places = [page.find(text) for text in order]
    assert -1 not in places and places == sorted(places), (order, places)
    assert kit.get_absolute_url() in page
    assert kit.documents.current().first().get_absolute_url() in page


def test_upcoming_events_lists_the_next_few_public_ones_soonest_first_without_the_results_call(
    client, day, make_event, announce
):
    """Issue 25: "Upcoming events" lists at most `UPCOMING` public events not yet over, soonest
    first, with a link to /events/; the call shown with its results is not listed again, and an
    event announced later is not on the page before its announce second."""
    from irsite.home import UPCOMING

    starts = [at(2027, 2, day_, 10, 0, 0) for day_ in (3, 12, 20, 25)]
    with time_machine.travel(ANNOUNCE - timedelta(days=2), tick=False):
        for n, start in enumerate(starts):
            announce(make_event(title=f"Conference {n}", slug=f"conference-{n}",
                                kind=Event.Kind.CONFERENCE, starts_at=start,
                                announce_at=ANNOUNCE))  # fmt: skip
        early = announce(make_event(title="Capital markets day", slug="capital-markets-day",
                                    kind=Event.Kind.INVESTOR_DAY,
                                    starts_at=at(2027, 2, 1, 9, 0, 0),
                                    announce_at=GO_LIVE + timedelta(hours=1)))  # fmt: skip
    page = home(client, GO_LIVE + timedelta(minutes=1))
    section = page.split('id="upcoming-heading"')[1].split("</section>")[0]
    listed = section.count('class="event-item"')
    print(f"upcoming events listed: {listed} (bound {UPCOMING})")
    assert listed == UPCOMING == 3
    shown = ["Conference 0", "Conference 1", "Conference 2"]
    places = [section.find(title) for title in shown]
    assert -1 not in places and places == sorted(places), places
    assert "Conference 3" not in section and "Investor day 2027" not in section
    assert "Q4 2026 earnings call" not in section  # shown with its results above
    assert 'href="/events/"' in section and "All events" in section
    assert "Capital markets day" not in page  # announced an hour later
    later = home(client, early.announce_at)
    section = later.split('id="upcoming-heading"')[1].split("</section>")[0]
    assert section.count('class="event-item"') == UPCOMING
    assert section.index("Capital markets day") < section.index("Conference 0")
    assert "Conference 2" not in section
