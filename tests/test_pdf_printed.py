"""The PDF rendition prints what the page shows, as the page shows it (issue 29): a long table's
column headings on every page it runs to, figures on the right, the correction notice under the
headline, the readers' time format and the "CONTACTS:" heading. Read back through pypdf."""

import io
from datetime import timedelta

import pytest
import time_machine
from pypdf import PdfReader

from releases import actions
from releases.media.pdf import render_pdf
from releases.models import Release

from .conftest import at
from .shared import text_of

GO_LIVE = at(2026, 12, 6, 22, 21, 0)  # 10:21 p.m. EST (at() reads the company zone)
HEADINGS = ("Thirty-nine weeks ended", "Revenue in millions")
ROWS = 90  # more than a letter page holds


def figure(n: int) -> str:
    """Figures of widths from one character to nine: "1", "10", … "1,000,000"."""
    return f"{10 ** (n % 7):,}"


def long_table() -> str:
    """A table as the importer writes one: no <thead>, its heading row plain cells."""
    head = f"<tr><td>Line item</td><td>{HEADINGS[0]}</td><td>{HEADINGS[1]}</td></tr>"
    rows = "".join(
        f"<tr><td>Item {n}</td><td>{n},{n:03d}</td><td>{figure(n)}</td></tr>" for n in range(ROWS)
    )
    return f"<p>Revenue rose.</p><table><tbody>{head}{rows}</tbody></table>"


@pytest.fixture
def release(make_release, publish):
    with time_machine.travel(GO_LIVE - timedelta(days=1), tick=False):
        draft = make_release(
            headline="Results of the thirty-nine weeks",
            slug="results-39-weeks",
            body=long_table(),
            published_at=GO_LIVE,
        )
    return publish(draft)


def pages(pdf: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


def runs(pdf: bytes, page: int = 0) -> dict[str, list[float]]:
    """Each printed line of ``page`` with the left edges (x, points) of its text runs: a table
    row's runs are its cells, each placed where its alignment puts it."""
    xs: dict[float, list[float]] = {}
    texts: dict[float, str] = {}

    def y_of(cm, tm) -> float:
        return round(cm[5] + tm[5] * cm[3], 1)

    def before(operator, operands, cm, tm) -> None:
        if operator in (b"TJ", b"Tj"):
            xs.setdefault(y_of(cm, tm), []).append(cm[4] + tm[4] * cm[0])

    def text(value, cm, tm, font, size) -> None:
        if value.strip():
            texts[y_of(cm, tm)] = texts.get(y_of(cm, tm), "") + value

    reader = PdfReader(io.BytesIO(pdf))
    reader.pages[page].extract_text(visitor_operand_before=before, visitor_text=text)
    return {" ".join(texts[y].split()): xs.get(y, []) for y in texts}


def test_pdf_repeats_a_long_tables_column_headings_on_every_page_it_runs_to(release):
    printed = pages(render_pdf(Release.objects.for_page().get(pk=release.pk)))
    with_rows = [text for text in printed if "Item " in text]
    assert len(with_rows) >= 2, "the table fits one page: make it longer"
    for text in with_rows:
        assert HEADINGS[0] in text and HEADINGS[1] in text, text[:200]


def test_pdf_aligns_figures_on_the_right_under_their_heading_as_the_page_does(release):
    pdf = render_pdf(Release.objects.for_page().get(pk=release.pk))
    lines = runs(pdf)
    cells = [
        next(x for line, x in lines.items() if line.startswith(f"Item {n} ")) for n in range(7)
    ]
    # Right-aligned, a one-digit figure starts far right of a nine-character one under the
    # same heading; left-aligned, all would start at one x.
    figures = [row[-1] for row in cells]
    assert figures == sorted(figures, reverse=True) and figures[0] - figures[-1] > 20, figures
    assert len({round(row[0]) for row in cells}) == 1  # labels stay on the left


def test_pdf_prints_the_correction_under_the_headline_and_times_as_the_page_does(
    release, editor, approver, client
):
    with time_machine.travel(GO_LIVE + timedelta(minutes=30), tick=False):
        draft = Release.objects.get(pk=release.pk)
        draft.headline = "Results of the thirty-nine weeks, restated"
        pending = actions.save_release(draft, editor, correction_note="Restated the headline.")
        actions.approve_correction(pending, approver)
        page = client.get(release.get_absolute_url()).content.decode()
    pdf = render_pdf(Release.objects.for_page().get(pk=release.pk))
    first = pages(pdf)[0]
    notice = "Corrected on December 6, 2026, 10:51 p.m. EST: Restated the headline."
    assert "December 6, 2026, 10:51 p.m. EST" in page  # the page's own format
    assert notice in first, first[:600]
    assert first.index("restated") < first.index(notice) < first.index("Revenue rose.")
    assert notice not in pages(pdf)[-1]
    assert "Published December 6, 2026, 10:21 p.m. EST" in text_of(pdf)
    assert ":51:00" not in text_of(pdf) and "22:21" not in text_of(pdf)


def test_pdf_prints_the_contacts_heading_before_the_contacts(release):
    first = pages(render_pdf(Release.objects.for_page().get(pk=release.pk)))[0]
    assert "CONTACTS:" in first
    assert (
        first.index("CONTACTS:")
        < first.index("Carol Hausner")
        < first.index("FOR IMMEDIATE RELEASE")
    )
