"""The publish page in a real browser: pickers that load, the company's clock, a live read-back.

Playwright on Debian's Chromium against a live server, as in `test_browser.py` (its fixtures).
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from releases import actions

from .test_browser import SCREENSHOTS, browser, roles, sign_in  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def test_publish_page_has_pickers_no_script_errors_and_reads_the_go_live_back(
    roles,  # noqa: F811
    live_server,
    browser,  # noqa: F811
    make_release,
    editor,
    approver,
):
    tomorrow = timezone.localtime() + timedelta(days=1)
    release = make_release(by=editor, published_at=tomorrow)
    actions.submit(release, editor)
    actions.approve(release, approver)
    context = browser.new_context()
    context.set_default_timeout(10_000)
    try:
        page = sign_in(context, live_server.url, approver.username)
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on(
            "console", lambda m: errors.append(m.text) if m.type == "error" else None
        )  # fmt: skip
        page.goto(f"{live_server.url}/admin/releases/release/{release.pk}/transition/publish/")
        # The admin's calendar and clock shortcuts appear only once their script ran.
        expect(page.locator(".datetimeshortcuts").first).to_be_visible()
        zone = timezone.localtime().strftime("%Z")
        expect(page.locator("#irsite-clock")).to_contain_text(f" {zone}")
        page.fill("#id_go_live_0", f"{tomorrow:%Y-%m-%d}")
        page.fill("#id_go_live_1", "4:05 PM")
        readback = page.locator("#irsite-readback")
        day = f"{tomorrow:%Y-%m-%d}"
        expect(readback).to_contain_text("Goes live in ")
        expect(readback).to_contain_text(f"(at {day} 16:05:00 {tomorrow:%Z})")
        page.fill("#id_go_live_0", f"{timezone.localtime() - timedelta(days=1):%Y-%m-%d}")
        expect(readback).to_contain_text("choose a later time, or Publish now")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "admin-publish-page.png"), full_page=True)
        assert errors == []
    finally:
        context.close()
