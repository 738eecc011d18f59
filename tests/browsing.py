"""For tests in a real browser (Playwright on Debian's Chromium, the `browser` and `context`
fixtures of conftest.py): axe-core's audit, where screenshots go, the widths pages are seen at,
and signing in to the admin as a person does."""

from pathlib import Path

from playwright.sync_api import BrowserContext, Frame, Page, expect

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
WIDTHS = {"phone": 390, "desktop": 1280}
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def run_axe(page: Page | Frame, skip: list[str] = ()) -> list[dict]:
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        """([tags, skip]) => axe.run(document, {
            runOnly: {type: 'tag', values: tags},
            rules: Object.fromEntries(skip.map(id => [id, {enabled: false}])),
        })""",
        [AXE_TAGS, list(skip)],
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


def sign_in(context: BrowserContext, base: str, username: str) -> Page:
    page = context.new_page()
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    expect(page.locator("#user-tools")).to_contain_text(username)
    return page
