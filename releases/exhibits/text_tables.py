"""Fixed-width tables in plain-text exhibits: which lines are set in columns or carry figures,
ruled panels read by their extents, and table lines split into cells."""

from __future__ import annotations

import bisect
import itertools
import re

from .blocks import Block
from .patterns import END_MARK_RE

_COLUMN_GAP_RE = re.compile(r"\S {3,}\S")
_COLUMN_SPLIT_RE = re.compile(r" {3,}")


# A figure cell: "(", a currency sign or both (each way round) before the number. Each space
# and parenthesis has one place in the pattern: the old form ("\(?[$€£]?\s*\(?...") could read
# "(1)" or a space two ways, and a row of figures ending in a word backtracked exponentially.
_NUM_CELL = r"(?:(?:\(\s*(?:[$€£]\s*)?|[$€£]\s*\(?)?(?:-?\d[\d,.]*\)?%?\*?|-|—|–)|n/?[am])"
# A cell never starts with a space, so the gap before it is taken whole (possessive "+"), and
# only from its first space ("(?<! )"): tried from every space of a wide gap, each attempt
# giving the spaces back one at a time, a 30-space gap cost some 500 steps. Same matches.
_NUMERIC_TAIL_RE = re.compile(rf"(?<! ) {{2,}}+{_NUM_CELL}(?: ++{_NUM_CELL})+\s*$")
_FIGURE_END = frozenset("0123456789)%*-—–am")
_ROW_MAX = 400  # a financial row fits a printed page; longer lines are prose


def has_numeric_tail(line: str) -> bool:
    """A row of figures: a label, then two or more figure cells to the end of the line."""
    return (
        len(line) <= _ROW_MAX
        and "  " in line
        and line.rstrip()[-1:] in _FIGURE_END
        and bool(_NUMERIC_TAIL_RE.search(line))
    )


def is_columnar(line: str) -> bool:
    """A line laid out in columns: a gap of three or more spaces inside it."""
    # The gap has a character on each side, so it survives stripping; the indent of an
    # ordinary paragraph's first line does not, and the pattern is not run for that line.
    return "   " in line.strip() and bool(_COLUMN_GAP_RE.search(line))


def _is_table_group(texts: list[str], columnar: int) -> bool:
    """Whether a blank-line-free run of lines is a table; ``columnar`` of them are set in
    columns (``is_columnar``)."""
    if len(texts) == 1 and END_MARK_RE.match(texts[0].strip()):
        return False
    if len(texts) >= 2 and columnar >= 2 and columnar * 2 >= len(texts):
        return True
    if len(texts) == 1 and columnar and len(_COLUMN_SPLIT_RE.split(texts[0].strip())) >= 3:
        return True
    # Financial rows: a label (possibly wrapped over short lines) and two or more figures.
    # Every long line must be a row of figures: those are tested first, so prose (whose long
    # lines are not) is rejected on its first line; short lines need test only until one is.
    long_lines = [t for t in texts if len(t.strip()) >= 50]
    if not all(has_numeric_tail(t) for t in long_lines):
        return False
    return bool(long_lines) or any(has_numeric_tail(t) for t in texts)


# A ruled panel (``render._ruled_table``): a line of two or more runs of "=" two spaces apart.
_PANEL_RULE_RE = re.compile(r"^=+(?:  =+)+$")


def read_ruled_table(src: list[str], start: int) -> tuple[int, list[list[str]]] | None:
    """The panel opened by the rule ``src[start]``: (index after its closing rule, rows). Each
    run of "=" is a column's extent; a row is the lines up to a "-" rule; a cell is its
    column's text on those lines, joined by spaces. None if the panel is never closed."""
    top = src[start]
    extents = [(m.start(), m.end()) for m in re.finditer("=+", top)]
    between = top.replace("=", "-")
    rows: list[list[str]] = []
    lines: list[str] = []
    for k in range(start + 1, len(src)):
        if src[k] not in (top, between):
            lines.append(src[k])
            continue
        rows.append(
            [" ".join(p for p in (ln[a:b].strip() for ln in lines) if p) for a, b in extents]
        )
        lines = []
        if src[k] == top:
            return k + 1, rows
    return None


def _join_panels(blocks: list[Block]) -> None:
    """Consecutive ruled panels with the same row labels are one table, side by side."""
    i = 0
    while i < len(blocks) - 1:
        a, b = blocks[i], blocks[i + 1]
        if (
            a.ruled
            and b.ruled
            and len(a.rows) == len(b.rows)
            and [r[0] for r in a.rows] == [r[0] for r in b.rows]
        ):
            a.rows = [ra + rb[1:] for ra, rb in zip(a.rows, b.rows, strict=True)]
            a.text = " ".join(c for r in a.rows for c in r if c)
            del blocks[i + 1]
            continue
        i += 1


_TEXT_CELL_RE = re.compile(r"\S+(?: \S+)*")  # words one space apart: one cell
_CURRENCY_ONLY = frozenset({"$", "€", "£", "($", "$("})
_CURRENCY_GAP_RE = re.compile(r"^([$€£(]+)\s+(?=[\d(])")


def split_text_table(lines: list[str]) -> list[list[str]]:
    """Split fixed-width table lines into cells on gaps of two or more spaces.

    Cells after the first are assigned to columns by their right edge (figures are
    right-aligned), so rows with missing values still line up.
    """
    parsed = [_text_cells(line) for line in lines]
    row_edges = [[c[1] for c in cells[1:]] for cells in parsed]  # right edges past the first
    edges: list[int] = sorted(itertools.chain.from_iterable(row_edges))
    clusters: list[list[int]] = []
    for e in edges:
        if clusters and e - clusters[-1][-1] <= 2:
            clusters[-1].append(e)
        else:
            clusters.append([e])
    # In longer tables a lone right edge is a stray header word, not a column of its own.
    min_size = 2 if sum(1 for cells in parsed if cells) >= 4 else 1
    centres = [sum(c) / len(c) for c in clusters if len(c) >= min_size] or [
        sum(c) / len(c) for c in clusters
    ]
    # Every right edge of the table (a first cell's too) mapped to its column, for the centres
    # as they are: a table has a few dozen distinct edges and thousands of cells.
    all_edges = set(edges).union(cells[0][1] for cells in parsed if cells)
    column_of = _nearest_centres(all_edges, centres)

    # Neighbouring edge clusters that no row ever fills together are one column whose
    # entries are aligned a little differently ("1997" over "$90").
    merged_any = True
    while merged_any and len(centres) > 1:
        merged_any = False
        # Most rows fill the same few sets of columns: each set is looked at once.
        filled = {frozenset(map(column_of.__getitem__, ends)) for ends in row_edges}
        filled_together = {k for used in filled for k in used if k + 1 in used}
        for k in range(len(centres) - 1):
            close = centres[k + 1] - centres[k] <= 8
            if close and k not in filled_together:
                centres[k : k + 2] = [(centres[k] + centres[k + 1]) / 2]
                column_of = _nearest_centres(all_edges, centres)
                merged_any = True
                break
    rows: list[list[str]] = []
    for cells in parsed:
        if not cells:
            continue
        # "$" printed a few spaces before its figure belongs to that figure
        merged: list[tuple[int, int, str]] = []
        for cell in cells:
            if merged and merged[-1][2] in _CURRENCY_ONLY:
                merged[-1] = (merged[-1][0], cell[1], merged[-1][2] + cell[2])
            else:
                merged.append(cell)
        row = [""] * (1 + len(centres))
        for k, (start, end, text) in enumerate(merged):
            if text[0] in "$€£(" and " " in text:
                text = _CURRENCY_GAP_RE.sub(r"\1", text)
            if k == 0 and (not centres or end < centres[0] - 3 or start < 8):
                row[0] = text
                continue
            col = column_of[end] + 1
            row[col] = f"{row[col]} {text}" if row[col] else text
        rows.append(row)
    keep = [j for j in range(len(rows[0]) if rows else 0) if any(r[j] for r in rows)]
    if rows and len(keep) == len(rows[0]):
        return rows  # no empty column to drop
    return [[r[j] for j in keep] for r in rows]


def _text_cells(line: str) -> list[tuple[int, int, str]]:
    """(start, end, text) of each cell of a table line; a blank line has none."""
    # The text of each match is found again from the end of the one before: cheaper than
    # asking each match object for its span, and only spaces lie between two matches.
    cells = []
    end = 0
    for text in _TEXT_CELL_RE.findall(line):
        start = line.find(text, end)
        end = start + len(text)
        cells.append((start, end, text))
    return cells


def _nearest_centres(edges: set[int], centres: list[float]) -> dict[int, int]:
    """Each edge's closest centre, by index (the lower one on a tie); centres are ascending."""
    out = {}
    for edge in edges:
        j = bisect.bisect_left(centres, edge)
        if j == len(centres) or (j and edge - centres[j - 1] <= centres[j] - edge):
            j -= 1
        out[edge] = j
    return out
