"""A release on a phone (issue 29), in Chromium at 390 px: a long unbreakable URL in a paragraph
does not widen the page; a wide table scrolls inside a named region a keyboard can reach, with a
hint; the minute of publication is on the first screen. axe finds nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from releases.text import scrollable_tables

from .browsing import AXE, SCREENSHOTS, run_axe

PHONE = {"width": 390, "height": 844}
LONG_URL = "https://investors.example.com/" + "quarterly-results-supplement-" * 8 + "q3.pdf"
WIDE = (
    "<table><thead><tr><th>Line item</th><th>Thirteen weeks ended Sept. 27, 2026</th>"
    "<th>Thirteen weeks ended Sept. 28, 2025</th><th>Thirty-nine weeks ended Sept. 27, 2026</th>"
    "<th>Thirty-nine weeks ended Sept. 28, 2025</th></tr></thead><tbody>"
    "<tr><td>Revenue</td><td>$9,870,000</td><td>$6,950,000</td><td>$27,310,000</td>"
    "<td>$20,120,000</td></tr></tbody></table>"
)
BODY = f"<p>The supplement is at {LONG_URL} for investors.</p>{WIDE}<p>Margins widened.</p>"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_release_on_a_phone_keeps_the_page_width_and_reaches_its_table_by_keyboard(
    live_server, context, make_release, publish, category
):
    release = publish(
        make_release(
            headline="Third quarter results",
            body=BODY,
            categories=[category],
            published_at=timezone.now().replace(microsecond=0) - timedelta(minutes=3),
        )
    )
    page = context.new_page()
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + release.get_absolute_url())
    width = page.evaluate("document.documentElement.scrollWidth")
    print(f"page width at 390 px: {width} px")
    assert width <= PHONE["width"]
    # The minute, under the headline, on the first screen.
    time = page.locator(".release-time")
    published = timezone.localtime(release.published_at)
    minute = f"{published:%-I}:{published:%M} {'a.m.' if published.hour < 12 else 'p.m.'}"
    expect(time).to_contain_text(minute)
    box = time.bounding_box()
    assert box["y"] + box["height"] <= PHONE["height"]
    # The wide table: a region named "Table 1", described by its hint, focused by Tab, scrolled
    # by the arrow keys.
    region = page.get_by_role("region", name="Table 1")
    expect(region).to_have_attribute("tabindex", "0")
    expect(page.locator("#table-hint-1")).to_be_visible()
    expect(region).to_have_attribute("aria-describedby", "table-hint-1")
    assert region.evaluate("e => e.scrollWidth > e.clientWidth"), "the table fits: make it wider"
    page.get_by_role("link", name="Media and investor contacts").focus()  # above the body
    for _ in range(20):
        if region.evaluate("e => e === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(region).to_be_focused()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => document.querySelector('.table-scroll').scrollLeft > 0", timeout=5000
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "release-390-long-url-wide-table.png", full_page=True)
    assert AXE.exists()
    assert run_axe(page) == []
    # At 1280 px the filing's order keeps the time in the footer alone, and no hint.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.locator(".release-time")).to_be_hidden()
    expect(page.locator("#table-hint-1")).to_be_hidden()


def test_tables_are_numbered_in_order_and_only_wide_ones_get_a_hint():
    narrow = "<table><tr><td>Revenue</td><td>9,870</td></tr></table>"
    html = str(scrollable_tables(f"<p>a</p>{narrow}<p>b</p>{WIDE}", first=3))
    assert html.count('role="region"') == 2
    assert 'aria-label="Table 3">' in html and 'aria-label="Table 4"' in html
    assert html.count('class="table-hint"') == 1 and 'id="table-hint-4"' in html
    assert html.count("</table></div>") == 2
    assert html.startswith("<p>a</p>") and "<p>b</p>" in html
