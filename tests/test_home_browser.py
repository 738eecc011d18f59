"""The home page in Chromium (issue 29): at 390 px the first screen holds the newest release's
headline and its minute; axe finds nothing at 390 and 1280 px; both are photographed
(artifacts/screenshots/home-*.png)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from events.models import EventDocument
from filings import actions as filing_actions
from filings import edgar
from irsite.uploads import check_upload
from releases.models import Category

from .browsing import AXE, SCREENSHOTS, run_axe
from .edgar_server import CIK, columns, filing
from .files import PDF, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
HEADLINE = "Fourth quarter and full year 2026 results: revenue up 42 percent"


@pytest.fixture
def results_day(make_release, publish, make_event, announce, category):
    now = timezone.now().replace(microsecond=0)
    earnings = Category.objects.create(name="Earnings", slug="earnings")
    publish(
        make_release(
            headline="Company opens a new plant in Norwood",
            categories=[category],
            published_at=now - timedelta(days=10),
        )
    )
    results = publish(
        make_release(
            headline=HEADLINE,
            slug="q4-2026-results",
            categories=[earnings],
            published_at=now - timedelta(minutes=5),
        )
    )
    call = make_event(
        title="Q4 2026 earnings call",
        releases=[results],
        webcast_url="https://webcast.example.com/q4-2026",
        starts_at=now + timedelta(hours=1),
        announce_at=now - timedelta(days=20),
        materials_at=now - timedelta(minutes=5),
    )
    slides = EventDocument(event=call, kind="slides", title="Q4 2026 slides")
    slides.take(check_upload(upload("slides.pdf", PDF)))
    slides.save()
    announce(call, now - timedelta(days=20))
    announce(
        make_event(
            title="Investor day 2027",
            slug="investor-day-2027",
            kind="investor_day",
            starts_at=now + timedelta(days=40),
            announce_at=now - timedelta(days=1),
        ),
        now - timedelta(days=1),
    )
    filing_actions.set_cik(CIK)
    rows = [
        filing(3, "8-K", f"{now:%Y-%m-%d}", primaryDocDescription="8-K"),
        filing(2, "10-Q", "2026-11-05", reportDate="2026-09-30"),
        filing(1, "10-K", "2026-02-20", primaryDocDescription="ANNUAL REPORT"),
    ]
    records, _ = edgar.records(columns(rows), "test")
    filing_actions.store_answer(CIK, records, name="IMMUNOGEN INC")
    return results


def test_the_first_screen_on_a_phone_holds_the_latest_results_headline_and_minute(
    live_server, context, results_day
):
    assert AXE.exists()
    folder, prefix = SCREENSHOTS, "home-"
    folder.mkdir(parents=True, exist_ok=True)
    page = context.new_page()
    page.set_viewport_size(PHONE)
    assert page.goto(live_server.url + "/").status == 200
    headline = page.get_by_role("link", name=HEADLINE).first.bounding_box()
    minute = page.locator(".home-lead .home-time").bounding_box()
    published = timezone.localtime(results_day.published_at)
    expect(page.locator(".home-lead .home-time")).to_contain_text(
        f"{published:%B} {published.day}, {published.year}, "
    )
    bottom = minute["y"] + minute["height"]
    print(f"headline at y={headline['y']:.0f}, its time ends at y={bottom:.0f}")
    assert bottom <= PHONE["height"], "the minute is below the fold"
    assert headline["y"] < minute["y"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=folder / f"{prefix}home-390-first-screen.png")
    page.screenshot(path=folder / f"{prefix}home-390.png", full_page=True)
    assert run_axe(page) == []
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/")
    expect(page.get_by_role("link", name="Join the webcast")).to_be_visible()
    expect(page.get_by_role("link", name="Q4 2026 slides")).to_be_visible()
    page.screenshot(path=folder / f"{prefix}home-1280.png", full_page=True)
    assert run_axe(page) == []
