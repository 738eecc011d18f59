"""The public pages are valid HTML by the Nu HTML checker (issue 29): vnu-jar from npm
(package.json), run with the machine's Java over the pages the test client renders: home,
/news/, a release, a corrected and a withdrawn one, /events/ and an event, /filings/."""

import json
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from filings import actions as filing_actions
from filings import edgar
from releases import actions

from .conftest import SYSTEM, at
from .edgar_server import CIK, columns, filing

pytestmark = pytest.mark.server  # starts the checker's Java process

VNU = (
    Path(__file__).resolve().parents[1] / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)
NOW = at(2026, 12, 7, 12, 0, 0)
BODY = (
    "<p>Revenue rose to $9.87 billion.</p><h3>Highlights</h3><ul><li>Record quarter</li></ul>"
    "<table><thead><tr><th>Quarter</th><th>Revenue</th><th>Change</th></tr></thead><tbody>"
    "<tr><td>Q3 2026</td><td>$9.87 billion</td><td>+42%</td></tr></tbody></table>"
)


def check(pages: dict[str, str], folder: Path) -> list[dict]:
    """The checker's errors (``--errors-only``) over ``pages`` (name: HTML), each with its page."""
    java = shutil.which("java")
    assert java, "Java is missing: apt-get install default-jre-headless"
    assert VNU.exists(), "the Nu HTML checker is missing: run `npm ci` (make test does)"
    files = []
    for name, html in pages.items():
        path = folder / f"{name}.html"
        path.write_text(html)
        files.append(str(path))
    done = subprocess.run(  # noqa: S603 - fixed arguments, our own files
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(done.stderr or '{"messages": []}')["messages"]
    return [
        {"page": Path(m.get("url", "")).stem, "message": m["message"], "extract": m.get("extract")}
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]


@pytest.fixture
def site(make_release, publish, make_event, announce, category, approver, editor):
    with time_machine.travel(NOW - timedelta(days=30), tick=False):
        live = publish(
            make_release(
                headline="Third quarter results",
                body=BODY,
                categories=[category],
                published_at=NOW - timedelta(days=2),
            )
        )
        gone = publish(make_release(headline="Draft figures", published_at=NOW - timedelta(days=3)))
        corrected = publish(
            make_release(headline="Dividend declared", published_at=NOW - timedelta(days=4))
        )
        event = announce(
            make_event(
                title="Q4 2026 earnings call",
                releases=[live],
                webcast_url="https://webcast.example.com/q4",
                starts_at=NOW + timedelta(days=20),
                announce_at=NOW - timedelta(days=1),
            )
        )
        filing_actions.set_cik(CIK)
        records, _ = edgar.records(
            columns([filing(2, "8-K", "2026-12-05"), filing(1, "10-Q", "2026-11-05")]), "test"
        )
        filing_actions.store_answer(CIK, records, name="IMMUNOGEN INC")
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        corrected.headline = "Dividend of $0.25 declared"
        pending = actions.save_release(corrected, editor, correction_note="The amount was missing.")
        actions.approve_correction(pending, approver)
        actions.withdraw(gone, SYSTEM, "Issued in error.")
    return {"release": live, "corrected": corrected, "withdrawn": gone, "event": event}


def test_public_pages_have_no_errors_in_the_nu_html_checker(client, site, tmp_path):
    urls = {
        "home": "/",
        "news": "/news/",
        "release": site["release"].get_absolute_url(),
        "corrected": site["corrected"].get_absolute_url(),
        "withdrawn": site["withdrawn"].get_absolute_url(),
        "events": "/events/",
        "event": site["event"].get_absolute_url(),
        "filings": "/filings/",
    }
    pages = {}
    with time_machine.travel(NOW, tick=False):
        for name, url in urls.items():
            response = client.get(url)
            assert response.status_code == (410 if name == "withdrawn" else 200), name
            pages[name] = response.content.decode()
    assert "Corrected on" in pages["corrected"] and "Issued in error." in pages["withdrawn"]
    errors = check(pages, tmp_path)
    assert errors == [], json.dumps(errors, indent=1)
