"""The reports library in Chromium (issue 26): axe-core finds nothing on `/reports/` and a
fiscal year's page at phone and desktop width; covers load; each page is photographed for
review (artifacts/screenshots/reports-*.png)."""

import io
import json
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from reports import actions
from reports.models import Report

from .browsing import AXE, SCREENSHOTS, WIDTHS, run_axe
from .conftest import SYSTEM
from .files import PDF, upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def cover(colour: tuple[int, int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (240, 320), colour).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def reports(make_report, publish_report, roles):
    now = timezone.now().replace(microsecond=0)
    made = [
        make_report(title="Annual report 2026", fiscal_year=2026, published_at=now, cover=False),
        make_report(title="Proxy statement 2026", kind="proxy_statement", fiscal_year=2026,
                    published_at=now, cover=False),
        make_report(title="Sustainability report 2025", kind="sustainability_report",
                    fiscal_year=2025, published_at=now, cover=False),
    ]  # fmt: skip
    from irsite.uploads import check_upload

    for report, colour in zip(made, [(18, 52, 86), (120, 30, 30), (20, 110, 60)], strict=True):
        report.take_cover(check_upload(upload("cover.png", cover(colour))))
        report.save()
        publish_report(report, now - timedelta(seconds=2))
    # One corrected: "Updated on" and its earlier version on the page.
    edited = Report.objects.get(pk=made[0].pk)
    edited.take(check_upload(upload("v2.pdf", PDF.replace(b"200 200", b"300 300"))))
    change = actions.save_report(edited, SYSTEM, change_note="Restated segment table.")
    actions.approve_change(change, SYSTEM)
    return made


def test_reports_pages_have_no_axe_violations_at_phone_and_desktop_width(
    live_server, context, reports
):
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"
    pages = {"reports": "/reports/", "reports-2026": "/reports/2026/"}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    found: dict[str, dict[str, list]] = {}
    page = context.new_page()
    for name, path in pages.items():
        for label, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            assert page.goto(live_server.url + path).status == 200, path
            expect(page.locator("h1")).to_have_count(1)
            expect(page.get_by_text("Updated on")).to_have_count(1)
            # Every cover loaded (a broken image would have no natural width). The covers are
            # lazy: the page's load event does not wait for them, so each is brought into view
            # and waited for until the browser is done with it (loaded or broken).
            covers = page.locator("img.report-cover")
            for n in range(covers.count()):
                covers.nth(n).scroll_into_view_if_needed()
            page.wait_for_function(
                "[...document.querySelectorAll('img.report-cover')].every(i => i.complete)"
            )
            widths = covers.evaluate_all("imgs => imgs.map(i => i.naturalWidth)")
            assert widths and all(widths), widths
            # Nothing wider than the screen at phone width.
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
            found.setdefault(name, {})[label] = run_axe(page)
    violations = {
        f"{name} at {label}": items
        for name, by_width in found.items()
        for label, items in by_width.items()
        if items
    }
    assert violations == {}, json.dumps(violations, indent=2)
