"""Results pages in Chromium (issue 26): axe-core finds nothing on /results/ and a kit page at
phone and desktop width, nothing overflows sideways, and each is photographed for review
(artifacts/screenshots/results-*.png)."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from irsite.uploads import check_upload
from results import actions

from .conftest import SYSTEM
from .files import PDF, upload
from .results_kits import SECOND, approved_kit
from .test_browser import AXE, SCREENSHOTS, WIDTHS, run_axe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def kits(make_release, publish, make_event, announce):
    now = timezone.now().replace(microsecond=0)
    actions.set_fiscal_calendar(6, SYSTEM)
    earlier = publish(make_release(published_at=now - timedelta(days=95)))
    approved_kit(earlier, fiscal_year=2026, period="fy")
    release = publish(
        make_release(
            headline="Fiscal first quarter results: revenue up, guidance raised for the year",
            published_at=now - timedelta(hours=2),
        )
    )
    event = announce(
        make_event(
            title="First quarter earnings call",
            starts_at=now - timedelta(hours=1),
            webcast_url="https://webcast.example.com/q1",
            announce_at=now - timedelta(days=7),
        ),
        now - timedelta(days=7),
    )
    kit = approved_kit(release, event=event)
    old = kit.documents.current().get(category="slides")
    new = actions.prepare_document(
        kit, SYSTEM, checked=check_upload(upload("slides-v2.pdf", PDF + b"% v2\n")),
        title="Q1 presentation", category="slides", note="Slide 7 corrected.", replaces=old,
    )  # fmt: skip
    actions.approve_document(new, SECOND)
    return kit


def test_results_pages_have_no_axe_violations_at_phone_and_desktop_width(
    live_server, context, kits
):
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"
    pages = {"list": "/results/", "kit": kits.get_absolute_url()}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    report: dict[str, dict[str, list]] = {}
    page = context.new_page()
    for name, path in pages.items():
        for label, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            assert page.goto(live_server.url + path).status == 200, path
            expect(page.locator("h1")).to_have_count(1)
            overflow = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 0, f"{path} overflows by {overflow}px at {width}px"
            page.screenshot(path=SCREENSHOTS / f"results-{name}-{width}.png", full_page=True)
            report.setdefault(name, {})[label] = run_axe(page)
    kit_page = page.content()
    assert "Updated on" in kit_page and "Join the webcast" in kit_page
    violations = {
        f"{name} at {label}": found
        for name, by_width in report.items()
        for label, found in by_width.items()
        if found
    }
    assert violations == {}, json.dumps(violations, indent=2)
