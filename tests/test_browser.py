"""End to end in a real browser: Playwright driving Debian's Chromium against a live server.

Two tests, one browser for both: the public pages pass axe-core (WCAG 2.2 AA and axe's best
practices) with zero violations at phone and desktop widths, and are photographed for review
(`artifacts/screenshots/`); and a release written in the admin's rich-text editor, submitted,
approved and scheduled by two people, stays off every public surface until its go-live second
and is on all of them right after, with nothing restarted (the page cache is on throughout).
"""

import importlib
import json
import os
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from releases import actions
from releases.models import Release

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
WIDTHS = {"phone": 390, "desktop": 1280}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

# Committed data must be visible to the live server's threads.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def roles() -> None:
    """The Editors and Approvers groups as migration 0002 makes them: the flush that ends each
    transactional test removes them (pytest-django's serialized rollback did not bring them
    back here once other tests had run first)."""
    groups = importlib.import_module("releases.migrations.0002_groups")
    for name, codenames in [("Editors", groups.EDITORS), ("Approvers", groups.APPROVERS)]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(codename__in=codenames))


@pytest.fixture(scope="session")
def browser() -> Browser:
    # Playwright's sync API runs an event loop in this thread; Django would otherwise take the
    # test's own ORM calls for calls from async code.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    assert Path(CHROMIUM).exists(), "Debian's chromium is missing: apt-get install chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser: Browser) -> BrowserContext:
    context = browser.new_context(bypass_csp=True)  # for axe, injected into the page
    context.set_default_timeout(10_000)
    yield context
    context.close()


BODY = (
    "<p>Revenue rose to $9.87 billion; details on the "
    '<a href="https://investors.example.com/q3">investor site</a>.</p>'
    "<table><thead><tr><th>Quarter</th><th>Revenue</th><th>Change</th></tr></thead>"
    "<tbody><tr><td>Q3 2026</td><td>$9.87 billion</td><td>+42%</td></tr>"
    "<tr><td>Q3 2025</td><td>$6.95 billion</td><td>+8%</td></tr></tbody></table>"
    "<p>The company will host a conference call at 8:30 a.m. Eastern Time.</p>"
)


@pytest.fixture
def site(make_release, publish, category):
    """A few public releases, the newest with a table, a link and both kinds of contact."""
    now = timezone.now().replace(microsecond=0)
    for n in range(3):
        publish(
            make_release(
                headline=f"Company presents at investor conference number {n}",
                published_at=now - timedelta(days=40 * (n + 1)),
                categories=[category],
            )
        )
    return publish(
        make_release(
            headline="Third quarter results: revenue up 42 percent",
            subheadline="Record quarter\nGuidance raised for the full year",
            slug="third-quarter-results",
            body=BODY,
            published_at=now - timedelta(hours=2),
            categories=[category],
        )
    )


def run_axe(page: Page) -> list[dict]:
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "targets": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


def test_public_pages_have_no_axe_violations_at_phone_and_desktop_width(live_server, context, site):
    assert AXE.exists(), "axe-core is missing: run `npm ci` (make test does)"
    pages = {
        "home": "/",
        "list": "/news/",
        "search": "/news/search/?q=quarter+results",
        "release": site.get_absolute_url(),
        "contacts": "/contacts/",
    }
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    report: dict[str, dict[str, list]] = {}
    page = context.new_page()
    for name, path in pages.items():
        for label, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            response = page.goto(live_server.url + path)
            assert response.status == 200, path
            expect(page.locator("h1")).to_have_count(1)
            page.screenshot(path=SCREENSHOTS / f"{name}-{width}.png", full_page=True)
            report.setdefault(name, {})[label] = run_axe(page)
    (ARTIFACTS / "axe-results.json").write_text(json.dumps(report, indent=2))
    violations = {
        f"{name} at {label}": found
        for name, by_width in report.items()
        for label, found in by_width.items()
        if found
    }
    assert violations == {}, json.dumps(violations, indent=2)


def test_reader_sees_the_email_signup_form_inside_a_public_page(live_server, context, site):
    """The form lives in a same-origin frame; a CSP of `frame-ancestors 'none'` on it once left
    an empty box on every public page, which no client-level test could see."""
    page = context.new_page()
    page.goto(live_server.url + site.get_absolute_url())
    page.locator("iframe.alerts-frame").scroll_into_view_if_needed()
    email = page.frame_locator("iframe.alerts-frame").locator('input[name="email"]')
    expect(email).to_be_visible()


def test_keyboard_user_skips_to_content_with_a_visible_focus(live_server, context, site):
    page = context.new_page()
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(live_server.url + site.get_absolute_url())
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to content")
    box = skip.bounding_box()
    assert box and box["x"] >= 0 and box["y"] >= 0, "the focused skip link is off screen"
    outline = skip.evaluate("e => getComputedStyle(e).outlineStyle")
    assert outline not in ("", "none")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


# --- the whole workflow, as its people do it --------------------------------------------------

HEADLINE = "Quarterly results beat every estimate"
SLUG = "quarterly-results-beat-every-estimate"  # as the admin prepopulates it


def sign_in(context: BrowserContext, base: str, username: str) -> Page:
    page = context.new_page()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(username)
    return page


def write_release(page: Page, base: str, publication: str) -> None:
    """The editor writes the release as a person would: typing, and the editor's toolbar."""
    page.goto(f"{base}/admin/releases/release/add/")
    page.fill("#id_headline", HEADLINE)
    page.fill("#id_dateline_city", "CAMBRIDGE, MA")
    date, clock = publication.split(" ")
    page.fill("#id_published_at_0", date)
    page.fill("#id_published_at_1", clock)

    editor = page.locator(".prose-editor .ProseMirror[contenteditable=true]")
    editor.click()
    page.keyboard.type("Revenue of $9.87 billion, up 42 percent. Read more on our investor site")
    expect(editor).to_contain_text("our investor site")
    for _ in range(len("investor site")):
        page.keyboard.press("Shift+ArrowLeft")
    link = page.locator(".prose-menubar button[data-name=link]")
    expect(link).not_to_have_class(re.compile(r"\bdisabled\b"))
    link.click()
    dialog = page.locator("dialog[open]")
    dialog.locator("input[name=href]").fill("https://investors.example.com/q3")
    dialog.locator("button[type=submit]").click()
    expect(dialog).to_have_count(0)
    expect(editor.locator("a")).to_have_text("investor site")
    # Click after the end of the paragraph's last line, as a user would, and start a new one.
    # (The editor may still be restoring the link's selection when the dialog has closed.)
    paragraph = editor.locator("p").first
    box = paragraph.bounding_box()
    collapsed = "() => window.getSelection().isCollapsed"
    for _ in range(20):
        paragraph.click(position={"x": box["width"] - 2, "y": box["height"] - 3})
        page.wait_for_timeout(50)
        if page.evaluate(collapsed):
            break
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    expect(editor.locator("p")).to_have_count(2)
    expect(editor.locator("a")).to_have_text("investor site")
    page.click(".prose-menubar button[data-name=table]")
    dialog = page.locator("dialog[open]")
    dialog.locator("input[name=rows]").fill("2")
    dialog.locator("input[name=cols]").fill("2")
    dialog.locator("select[name=withHeaderRow]").select_option("Yes")
    dialog.locator("button[type=submit]").click()
    for n, cell in enumerate(["Quarter", "Revenue", "Q3 2026", "$9.87 billion"]):
        if n:
            page.keyboard.press("Tab")  # to the next cell (a Tab in the last would add a row)
        page.keyboard.type(cell)
    expect(editor.locator("th")).to_have_count(2)
    expect(editor.locator("a")).to_have_text("investor site")

    # Attach both contacts through the autocomplete of the contacts inline.
    for name in ["Carol Hausner", "Pete Holmberg"]:
        page.click("#releasecontact_set-group .add-row a")
        row = page.locator("#releasecontact_set-group tr.form-row.dynamic-releasecontact_set").last
        row.locator(".select2-selection").click()
        page.locator(".select2-search__field").fill(name.split()[0])
        page.locator(".select2-results__option", has_text=name).click()

    page.click("input[name=_continue]")
    expect(page.locator(".messagelist")).to_contain_text("was added successfully")
    stored = page.locator("#id_body").input_value()
    assert '<a href="https://investors.example.com/q3"' in stored and "<th>" in stored


def transition(page: Page, label: str, go_live: str | None = None) -> None:
    page.click(f"#workflow a.button:text-is('{label}')")
    if go_live:
        date, clock = go_live.split(" ")
        page.fill("#id_go_live_0", date)
        page.fill("#id_go_live_1", clock)
    page.click(f"input[type=submit][value='{label}']")
    expect(page.locator(".messagelist")).to_contain_text(f"{label}: done.")


def public_views(context: BrowserContext, base: str, release_path: str) -> dict[str, str]:
    """What an anonymous reader gets from the list, the page, search and both feeds."""
    urls = {
        "list": "/news/",
        "page": release_path,
        "search": "/news/search/?q=quarterly+results",
        "rss": "/news/feed/rss/",
        "atom": "/news/feed/atom/",
    }
    return {name: context.request.get(base + url).text() for name, url in urls.items()}


def test_release_written_in_the_admin_goes_live_on_every_surface_at_its_second(
    roles, live_server, browser, company, contacts, disclaimer_versions, editor, approver
):
    base = live_server.url
    editing = browser.new_context()
    approving = browser.new_context()
    reading = browser.new_context(bypass_csp=True)  # axe runs in it
    try:
        later = timezone.localtime() + timedelta(days=1)
        page = sign_in(editing, base, editor.username)
        write_release(page, base, f"{later:%Y-%m-%d %H:%M:%S}")
        transition(page, "Submit for approval")

        release = Release.objects.get(headline=HEADLINE)
        assert release.slug == SLUG
        path = f"/admin/releases/release/{release.pk}/change/"
        page = sign_in(approving, base, approver.username)
        page.goto(base + path)
        transition(page, "Approve")
        go_live = timezone.localtime().replace(microsecond=0) + timedelta(seconds=12)
        transition(page, "Publish or schedule", f"{go_live:%Y-%m-%d %H:%M:%S}")
        release.refresh_from_db()
        assert release.state == "scheduled"
        assert release.published_at == go_live

        release_path = release.get_absolute_url()
        before = public_views(reading, base, release_path)
        assert timezone.now() < go_live, "too slow to check before the go-live"
        for name, text in before.items():
            assert HEADLINE not in text and SLUG not in text, f"{name} shows it early"

        time.sleep(max(0.0, (go_live - timezone.now()).total_seconds()) + 0.05)
        after = public_views(reading, base, release_path)
        for name, text in after.items():
            shown = re.sub(r"</?mark>", "", text)
            assert HEADLINE in shown, f"{name} lacks it after the go-live"
        assert '<a href="https://investors.example.com/q3"' in after["page"]
        assert re.search(r"<th>(<p>)?Quarter(</p>)?</th>", after["page"])
        assert "Carol Hausner" in after["page"] and "Pete Holmberg" in after["page"]

        page = reading.new_page()
        page.set_viewport_size({"width": 390, "height": 900})
        page.goto(base + release_path)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "e2e-release-390.png", full_page=True)
        assert run_axe(page) == [], "the release as the editor wrote it is not accessible"
    finally:
        for context in (editing, approving, reading):
            context.close()


def test_publish_page_has_pickers_no_script_errors_and_reads_the_go_live_back(
    roles,
    live_server,
    browser,
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
