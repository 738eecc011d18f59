"""Every figure of every corpus (and exhibit case) table stands under the header the filing
sets it under.

Judged on the filing's own layout, not by counting cells: in HTML a cell covers the grid
columns its colspan gives it, and a figure's header is the nearest cell above it with words
in it whose columns overlap the figure's; in plain text the same holds of character columns.
The parsed table must then put the figure in its header's column (or, for a header over
several figures of the row, between it and the next header of its row).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from releases.exhibits.html_blocks import html_blocks
from releases.exhibits.submission import decode
from releases.exhibits.text_blocks import text_blocks
from tests.conftest import corpus_dir, needs_corpus

SHARED = corpus_dir()
FOLDERS = ("corpus", "exhibit-cases")
# A figure: digits with a thousands comma or a decimal point, in brackets or not, maybe a
# sign or percent; a bare year ("2024") is a header, not a figure.
FIGURE_RE = re.compile(r"^\(?[$€£]?\(?-?\d{1,3}(?:,\d{3})+(?:\.\d+)?\)?%?$|^\(?-?\d+\.\d+\)?%?$")


@dataclass
class Cell:
    text: str
    start: int  # first column covered (grid column in HTML, character in text)
    end: int  # last column covered


def _norm(text: str) -> str:
    return " ".join(text.split())


def _is_figure(text: str) -> bool:
    return bool(FIGURE_RE.match(text.replace("$", "").strip() or "x"))


def _is_number(text: str) -> bool:
    return any(ch.isdigit() for ch in text) and not any(ch.isalpha() for ch in text)


def _is_header(text: str) -> bool:
    """Words, or a year or date set over a column ("2024", "12/31/2023")."""
    return any(ch.isalpha() for ch in text) or bool(
        re.fullmatch(r"(?:19|20)\d\d|\d{1,2}/\d{1,2}/(?:19|20)?\d\d", text)
    )


def _check(source: list[list[Cell]], rows: list[list[str]]) -> list[str]:
    """The figures of ``source`` (rows of cells with extents, the table as the filing lays it
    out, empty rows left out) that ``rows`` (the parsed table) puts outside their header."""
    problems = []
    for r, cells in enumerate(source):
        out = [_norm(c) for c in rows[r]]
        figures = [c for c in cells if _is_figure(c.text)]
        for fig in figures:
            head_row, head = None, None
            for above in range(r - 1, -1, -1):
                over = [
                    c
                    for c in source[above]
                    if _is_header(c.text) and c.start <= fig.end and fig.start <= c.end
                ]
                if over:
                    head_row, head = above, over[0]
                    break
            if head is None:
                continue
            head_out = [_norm(c) for c in rows[head_row]]
            h = _nth(head_out, head.text, _ordinal(source[head_row], head))
            j = _nth(out, fig.text, _ordinal(cells, fig))
            if h is None or j is None:
                problems.append(f"row {r}: {fig.text!r} or {head.text!r} not found in {out}")
                continue
            numbers = [c for c in cells if _is_number(c.text)]
            under = [f for f in numbers if head.start <= f.end and f.start <= head.end]
            if len(under) == 1:
                ok = j == h
            else:
                nxt = next((k for k in range(h + 1, len(head_out)) if head_out[k]), len(head_out))
                ok = h <= j < nxt
            if not ok:
                problems.append(
                    f"row {r}: {fig.text!r} in column {j}, its header {head.text!r} in {h}"
                )
    return problems


def _holds(cell: str, text: str) -> bool:
    """``cell`` is ``text``, a figure maybe with its "$" or "%" joined to it."""
    return cell == text or (text in cell and len(cell) - len(text) <= 3)


def _ordinal(row: list[Cell], cell: Cell) -> int:
    """How many cells before ``cell`` in its row hold its text (the same test as ``_nth``)."""
    return sum(1 for c in row[: row.index(cell)] if _holds(c.text, cell.text))


def _nth(cells: list[str], text: str, n: int) -> int | None:
    """The column of the n-th cell of a parsed row that holds ``text``."""
    hits = [k for k, c in enumerate(cells) if _holds(c, text)]
    return hits[n] if n < len(hits) else None


# --- HTML: extents from colspans -------------------------------------------------------------


def _html_source(table: lxml.html.HtmlElement) -> list[list[Cell]]:
    for br in table.iter("br"):  # a line break is a space between words
        br.tail = " " + (br.tail or "")
    rows = []
    for tr in table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"):
        cells, col = [], 0
        for td in tr.xpath("./td|./th"):
            span = int(td.get("colspan")) if (td.get("colspan") or "").isdigit() else 1
            span = max(1, min(span, 50))
            text = _norm(td.text_content().replace("\xa0", " "))
            if text and text not in ("$", "%", ")", "(", "€", "£"):
                cells.append(Cell(text, col, col + span - 1))
            col += span
        if any(_norm(td.text_content().replace("\xa0", " ")) for td in tr.xpath("./td|./th")):
            rows.append(cells)
    return rows


def _html_tables() -> list[tuple[str, int]]:
    found = []
    for folder in FOLDERS:
        for path in sorted((SHARED / folder).glob("*.htm")):
            root = lxml.html.document_fromstring(path.read_bytes())
            tables = [t for t in root.iter("table") if not t.xpath(".//table")]
            found += [(f"{folder}/{path.name}", k) for k in range(len(tables))]
    return found


@needs_corpus
@pytest.mark.parametrize(("name", "k"), _html_tables())
def test_each_figure_of_an_html_table_stands_under_its_header(name: str, k: int) -> None:
    root = lxml.html.document_fromstring((SHARED / name).read_bytes())
    table = [t for t in root.iter("table") if not t.xpath(".//table")][k]
    html = lxml.html.tostring(table, encoding="unicode")
    blocks = [b for b in html_blocks(f"<html><body>{html}</body></html>") if b.kind == "table"]
    if not blocks:  # a layout table, read as paragraphs
        return
    source = _html_source(table)
    rows = blocks[0].rows
    assert len(rows) == len(source)
    assert _check(source, rows) == []


# --- plain text: extents are character columns ----------------------------------------------


def _text_source(raw: list[str]) -> list[list[Cell]]:
    rows = []
    for line in raw:
        if not line.strip():
            continue
        cells = []
        for m in re.finditer(r"\S+(?: \S+)*", line):  # words one space apart: one cell
            if any(ch.isalpha() for ch in m.group()):
                cells.append(Cell(m.group(), m.start(), m.end() - 1))
                continue
            # Figures and their signs ("$ 8,851", "$ (3.71) $"): each figure, signs apart.
            for f in re.finditer(r"\(?-?\d[\d,.]*\)?%?|[-—–]+", m.group()):
                cells.append(Cell(f.group(), m.start() + f.start(), m.start() + f.end() - 1))
        rows.append(cells)
    return rows


def _text_tables() -> list[tuple[str, int]]:
    found = []
    for folder in FOLDERS:
        for path in sorted((SHARED / folder).glob("*.txt")):
            tables = [b for b in text_blocks(decode(path.read_bytes())) if b.kind == "table"]
            found += [(f"{folder}/{path.name}", k) for k in range(len(tables))]
    return found


@needs_corpus
@pytest.mark.parametrize(("name", "k"), _text_tables())
def test_each_figure_of_a_text_table_stands_under_its_header(name: str, k: int) -> None:
    table = [b for b in text_blocks(decode((SHARED / name).read_bytes())) if b.kind == "table"][k]
    if table.ruled:  # ruled panels give each column's extent exactly (test_exhibit_render)
        return
    source = _text_source(table.raw)
    assert len(table.rows) == len(source)
    assert _check(source, table.rows) == []


# --- generated: "$" in a cell of its own, or a figure spanning the sign's column ---------------


@settings(max_examples=120, deadline=None, database=None)
@given(
    periods=st.integers(1, 4),
    rows=st.lists(
        st.tuples(st.booleans(), st.sampled_from(["sign", "span", "empty", "paren"])),
        min_size=1,
        max_size=6,
    ),
    spacer=st.booleans(),
    indent=st.booleans(),
)
def test_generated_statements_put_each_figure_under_its_period(
    periods: int, rows: list[tuple[bool, str]], spacer: bool, indent: bool
) -> None:
    """Each period is two grid columns (sign, figure) and maybe a spacer; a row sets each
    figure with its sign in a cell of its own, in one cell spanning both, after an empty sign
    cell, or in brackets with "(" in the sign's cell; the period header spans both columns."""
    gap = "<td></td>" if spacer else ""
    lead = "<td></td>" if indent else ""
    head = f"<tr><td colspan={2 if indent else 1}></td>" + "".join(
        f'<td colspan="2">Period {p}</td>{gap}' for p in range(periods)
    )
    html = [head + "</tr>"]
    for n, (bold, style) in enumerate(rows):
        label = f"<b>Line {n}</b>" if bold else f"Line {n}"
        cells = []
        for p in range(periods):
            fig = f"{n + 1},{p}{p}{p}"
            cells.append(
                {
                    "sign": f"<td>$</td><td>{fig}</td>",
                    "span": f'<td colspan="2">{fig}</td>',
                    "empty": f"<td></td><td>{fig}</td>",
                    # ")" in the spacer column, as filings set it, or inside the figure cell
                    "paren": f"<td>(</td><td>{fig}</td><td>)</td>"
                    if spacer
                    else f"<td>(</td><td>{fig})</td>",
                }[style]
                + ("" if style == "paren" else gap)
            )
        html.append(f"<tr>{lead}<td>{label}</td>{''.join(cells)}</tr>")
    blocks = html_blocks(f"<html><body><table>{''.join(html)}</table></body></html>")
    table = next(b for b in blocks if b.kind == "table")
    header = table.rows[0]
    for n, row in enumerate(table.rows[1:]):
        for p in range(periods):
            fig = f"{n + 1},{p}{p}{p}"
            j = next(k for k, c in enumerate(row) if fig in c)
            assert header[j] == f"Period {p}", (table.rows, fig)
