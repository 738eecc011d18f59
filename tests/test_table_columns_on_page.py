"""Every figure of an imported table stands under the header the filing sets it under, on the
release page readers (and the PDF, and print) see.

Judged by horizontal extents on both sides, never by counting cells: in the filing a cell
covers the grid columns its colspan gives it (a "$", "%" or ")" in a cell of its own covers
its own column), and a figure's header is the nearest cell above it with words in it whose
columns overlap the figure's own cell. On the page the same is computed from the page's
colspans (and rowspans): the figure's cell must overlap its header's cell, and that header
must be the first cell with words in its row over the figure, as in the filing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import lxml.html
import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from releases.models import Release

from .conftest import corpus_dir, needs_corpus

# A figure: digits with a thousands comma or a decimal point, in brackets or not, maybe a sign
# or percent; a bare year ("2024") is a header, not a figure.
FIGURE_RE = re.compile(r"^\(?[$€£]?\(?-?\d{1,3}(?:,\d{3})+(?:\.\d+)?\)?%?$|^\(?-?\d+\.\d+\)?%?$")
# What filing agents set in a cell of its own beside a figure.
SYMBOLS = {"$", "%", ")", "(", "€", "£", ")%", "%)"}


@dataclass
class Cell:
    text: str
    start: int  # first grid column covered
    end: int  # last grid column covered


def _norm(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def _is_figure(text: str) -> bool:
    return bool(FIGURE_RE.match(text.replace("$", "").strip() or "x"))


def _is_header(text: str) -> bool:
    """Words, or a year or date set over a column ("2024", "12/31/2023")."""
    return any(ch.isalpha() for ch in text) or bool(
        re.fullmatch(r"(?:19|20)\d\d|\d{1,2}/\d{1,2}/(?:19|20)?\d\d", text)
    )


def _span(cell: lxml.html.HtmlElement, name: str) -> int:
    value = (cell.get(name) or "").strip()
    return max(1, min(int(value), 50)) if value.isdigit() else 1


def grid(table: lxml.html.HtmlElement) -> list[list[Cell]]:
    """The table's rows with words or figures in them, each as its non-empty cells (symbols
    alone left out) with the grid columns they cover, colspans and rowspans counted."""
    for br in table.iter("br"):  # a line break is a space between words
        br.tail = " " + (br.tail or "")
    rows: list[list[Cell]] = []
    below: dict[int, int] = {}  # column -> rows still covered by a rowspan from above
    for tr in table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"):
        cells: list[Cell] = []
        col = 0
        any_text = False
        for td in tr.xpath("./td|./th"):
            while below.get(col, 0) > 0:
                below[col] -= 1
                col += 1
            colspan, rowspan = _span(td, "colspan"), _span(td, "rowspan")
            text = _norm(td.text_content())
            any_text = any_text or bool(text)
            if text and text not in SYMBOLS:
                cells.append(Cell(text, col, col + colspan - 1))
            if rowspan > 1:
                below.update(dict.fromkeys(range(col, col + colspan), rowspan - 1))
            col += colspan
        if any_text:
            rows.append(cells)
    return rows


def _holds(cell: str, text: str) -> bool:
    """``cell`` is ``text``, a figure maybe with its "$", "%" or ")" joined to it."""
    return cell == text or (text in cell and len(cell) - len(text) <= 3 and _is_figure(text))


def _nth(row: list[Cell], text: str, n: int) -> Cell | None:
    hits = [c for c in row if _holds(c.text, text)]
    return hits[n] if n < len(hits) else None


def _overlap(a: Cell, b: Cell) -> bool:
    return a.start <= b.end and b.start <= a.end


def _header_over(row: list[Cell], fig: Cell) -> Cell | None:
    return next((c for c in row if _is_header(c.text) and _overlap(c, fig)), None)


def misplaced(source: list[list[Cell]], page: list[list[Cell]]) -> list[str]:
    """The figures of ``source`` (the filing's table) that ``page`` (the table as printed)
    does not set under every header the filing sets them under (the period's date, and a
    heading spanning several periods above it)."""
    problems = []
    for r, cells in enumerate(source):
        for fig in (c for c in cells if _is_figure(c.text)):
            n_fig = sum(1 for c in cells[: cells.index(fig)] if _holds(c.text, fig.text))
            printed = _nth(page[r], fig.text, n_fig)
            if printed is None:
                problems.append(f"row {r}: {fig.text!r} not printed in {page[r]}")
                continue
            for above in range(r - 1, -1, -1):
                head = _header_over(source[above], fig)
                if head is None:
                    continue
                over = _header_over(page[above], printed)
                if over is None or over.text != head.text:
                    problems.append(
                        f"row {r}: {fig.text!r} (columns {printed.start}-{printed.end}) under "
                        f"{over.text if over else None!r}, the filing sets it under {head.text!r}"
                    )
    return problems


def _matching(source: list[list[Cell]], printed: list[list[list[Cell]]]) -> list[list[Cell]]:
    """The printed table with the most of the source table's figures."""

    def figures(rows: list[list[Cell]]) -> list[str]:
        return [c.text.strip("$%() ") for r in rows for c in r if _is_figure(c.text)]

    wanted = figures(source)
    best = max(printed, key=lambda t: len(set(figures(t)) & set(wanted)), default=[])
    assert set(figures(best)) & set(wanted), f"no printed table has the figures {wanted[:6]}"
    return best


def _source_tables(path: Path) -> list[list[list[Cell]]]:
    root = lxml.html.document_fromstring(path.read_bytes())
    tables = [grid(t) for t in root.iter("table") if not t.xpath(".//table")]
    # The tables whose figures have a header: the financial tables.
    return [t for t in tables if _has_headed_figures(t)]


def _has_headed_figures(rows: list[list[Cell]]) -> bool:
    return any(
        _is_figure(c.text) and any(_header_over(rows[a], c) for a in range(r))
        for r, row in enumerate(rows)
        for c in row
    )


def _page_tables(client, release: Release) -> list[list[list[Cell]]]:
    page = lxml.html.fromstring(client.get(release.get_absolute_url()).content)
    return [grid(t) for t in page.xpath("//*[contains(@class, 'release-body')]//table")]


def _corpus_filings() -> list[str]:
    return sorted(p.name for p in (corpus_dir() / "corpus").glob("*.htm"))


@needs_corpus
@pytest.mark.parametrize("name", _corpus_filings())
def test_each_imported_figure_stands_under_its_header_on_the_release_page(
    name: str, client, db
) -> None:
    path = corpus_dir() / "corpus" / name
    call_command("import_exhibit", "--publish", str(path), stdout=StringIO(), stderr=StringIO())
    printed = _page_tables(client, Release.objects.get())
    sources = _source_tables(path)
    for k, source in enumerate(sources):
        page = _matching(source, printed)
        assert len(page) == len(source), f"table {k}: rows differ"
        assert misplaced(source, page) == [], f"table {k}"


# --- generated statements: symbols in cells of their own, anywhere a filing agent sets them --

_SIGNS = ("$", "€")


@st.composite
def statements(draw) -> tuple[str, list[str], list[list[str]]]:
    """A statement's HTML, its period headers and each row's figures: each period is a sign
    column, a figure column and a trailer column (maybe a spacer after it); a figure is set
    with its sign in a cell of its own, in one cell spanning the sign's column, after an empty
    sign cell, negative with "(" and ")" in cells of their own, or with "%" in the trailer
    column; period headers span their period's columns, maybe under a heading over them all."""
    periods = draw(st.integers(1, 4))
    spacer = draw(st.booleans())
    per = 4 if spacer else 3
    indent = draw(st.booleans())
    lead = '<td colspan="2"></td>' if indent else "<td></td>"
    heads = [f"Period {p}" for p in range(periods)]
    top = ""
    if draw(st.booleans()):
        top = f'<tr>{lead}<td colspan="{periods * per}">Three Months Ended</td></tr>'
    head = "".join(f'<td colspan="{per}">{h}</td>' for h in heads)
    html = [top, f"<tr>{lead}{head}</tr>"]
    figures = []
    styles = st.sampled_from(["sign", "span", "empty", "paren", "percent", "sign-paren"])
    for n in range(draw(st.integers(1, 6))):
        cells, row = [], []
        for p in range(periods):
            fig = f"{n + 1},{p}{p}{p}"
            style = draw(styles)
            sign = draw(st.sampled_from(_SIGNS))
            cells.append(
                {
                    "sign": f"<td>{sign}</td><td>{fig}</td><td></td>",
                    "span": f'<td colspan="2">{fig}</td><td></td>',
                    "empty": f"<td></td><td>{fig}</td><td></td>",
                    "paren": f"<td>(</td><td>{fig}</td><td>)</td>",
                    "percent": f"<td></td><td>{n}.{p}</td><td>%</td>",
                    "sign-paren": f"<td>{sign}</td><td>({fig}</td><td>)</td>",
                }[style]
                + ("<td></td>" if spacer else "")
            )
            row.append(f"{n}.{p}" if style == "percent" else fig)
        label = f"<td>Line {n}</td>" if not indent else f"<td></td><td>Line {n}</td>"
        html.append(f"<tr>{label}{''.join(cells)}</tr>")
        figures.append(row)
    return f"<table>{''.join(html)}</table>", heads, figures


EXHIBIT = (
    "<html><body><p>Acme Corp. Reports Results</p>"
    "<p>SPRINGFIELD, Ill., March 3, 2026 -- Acme Corp. (NYSE: ACME) today reported results.</p>"
    "{table}<p>About Acme Corp.</p><p>Acme makes things.</p></body></html>"
)


@settings(
    max_examples=25,  # an import and a page each: about 1.5 s an example
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(statement=statements())
def test_generated_statements_print_each_figure_under_its_period(
    statement: tuple[str, list[str], list[list[str]]], client, db, tmp_path
) -> None:
    table, heads, figures = statement
    path = tmp_path / "ex99.htm"
    path.write_text(EXHIBIT.format(table=table))
    Release.objects.all().delete()
    call_command("import_exhibit", "--publish", str(path), stdout=StringIO(), stderr=StringIO())
    [page] = _page_tables(client, Release.objects.get())
    source = grid(lxml.html.fragment_fromstring(table))
    assert misplaced(source, page) == []
    # And, said plainly: each figure's cell lies under its period's header cell.
    head_row = next(r for r in page if any(c.text == heads[0] for c in r))
    for n, row in enumerate(figures):
        printed = next(r for r in page if r and r[0].text == f"Line {n}")
        for p, fig in enumerate(row):
            [cell] = [c for c in printed if _holds(c.text, fig)]
            [over] = [c for c in head_row if _overlap(c, cell)]
            assert over.text == heads[p], (page, fig)
