"""An HTML table's cells into rows of columns, each figure under the header the filing sets
it under.

Financial tables set a currency sign in a cell of its own ("$" | "293,618") in some rows and
the figure in a cell spanning both columns in others ("153,547" with colspan="2"). Counting
cells would put the two figures in different columns; the columns here come from the cells'
horizontal extents instead: two grid columns are one column unless some row has different
cells in them.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

_CURRENCY_CELL_RE = re.compile(r"^(?:\$|€|£|¥|US\$|C\$|RMB|\(\$|\(|\$\()$")
_CLOSING_CELL_RE = re.compile(r"^(?:\)|%|\)%|%\)|pts?|bps|x)$")


@dataclass
class _Cell:
    text: str
    start: int  # first grid column the cell covers (with a currency cell merged into it)
    end: int  # last grid column it covers (with a closing cell merged into it)
    # The grid column a figure stands in (not its "$"'s); -1 for any other cell.
    anchor: int


def _merged_cells(row: list[tuple[str, int]]) -> list[_Cell]:
    """The row's non-empty cells, a currency cell joined to the figure after it and a closing
    cell (")", "%") to the one before it, each with the grid columns it covers."""
    cells: list[_Cell] = []
    carry = ""
    carry_start = 0
    col = 0
    for text, span in row:
        c = text.strip()
        start, end = col, col + span - 1
        col += span
        if _CURRENCY_CELL_RE.match(c):
            if not carry:
                carry_start = start
            carry += c
            continue
        if not c:
            continue
        if _CLOSING_CELL_RE.match(c):
            if cells:  # (one with nothing before it is dropped)
                cells[-1].text += c
                cells[-1].end = end
            continue
        if carry:
            cells.append(_Cell(carry + c, carry_start, end, start))
            carry = ""
            continue
        cells.append(_Cell(c, start, end, -1))
    if carry:  # a currency sign with no figure after it stays where it is
        cells.append(_Cell(carry, carry_start, col - 1, carry_start))
    return cells


def table_rows(rows: list[list[tuple[str, int]]]) -> tuple[list[list[str]], list[list[int]]]:
    """Rows of cell texts, one entry per column, from rows of (text, columns spanned), and
    each entry's span: the columns its cell covers in the filing, from the column it stands
    in (see ``_column``) to the one its last grid column falls in, so a heading spanning two
    periods stands over both (the columns it covers hold "" and a span of 0).

    Every two neighbouring cells of a row need a column boundary somewhere between them; as
    few boundaries as do that are placed (each as far right as it can go, the classic interval
    stabbing), so grid columns no row tells apart are one column. Empty rows and columns are
    dropped.
    """
    cell_rows = [_merged_cells(r) for r in rows]
    cell_rows = [r for r in cell_rows if r]
    if not cell_rows:
        return [], []
    gaps = sorted(
        {(a.end, b.start) for r in cell_rows for a, b in itertools.pairwise(r)},
        key=lambda g: g[1],
    )
    cuts: list[int] = []
    for left, right in gaps:  # a boundary at p falls between grid columns p - 1 and p
        if not cuts or cuts[-1] <= left:
            cuts.append(right)
    width = len(cuts) + 1
    # The grid columns each column's own cells fill (cells lying within one column): a heading
    # stands over the first column whose content it covers.
    filled: list[set[int]] = [set() for _ in range(width)]
    for r in cell_rows:
        for cell in r:
            g = bisect.bisect_right(cuts, cell.start)
            if g == bisect.bisect_right(cuts, cell.end):
                filled[g].update(range(cell.start, cell.end + 1))
    # Each cell as (column it stands in, last column it covers): neighbours never share a
    # column, since a boundary lies between them.
    placed: list[list[tuple[str, int, int]]] = [
        [(c.text, _column(c, cuts, filled), bisect.bisect_right(cuts, c.end)) for c in r]
        for r in cell_rows
    ]
    keep = sorted({cell[1] for r in placed for cell in r})
    index = {col: k for k, col in enumerate(keep)}
    out: list[list[str]] = []
    spans: list[list[int]] = []
    for placed_row in placed:
        row, span = [""] * len(keep), [1] * len(keep)
        for text, first, last in placed_row:
            k = index[first]
            n = bisect.bisect_right(keep, last) - k
            row[k], span[k] = text, n
            span[k + 1 : k + n] = [0] * (n - 1)
        out.append(row)
        spans.append(span)
    return out, spans


def _column(cell: _Cell, cuts: list[int], filled: list[set[int]]) -> int:
    """A figure's column is its own cell's; any other cell stands in the first column whose
    content it covers ("GAAP" spanning the "$" and figure columns, and an empty grid column
    of the labels' column, stands over the figures), else the column it starts in."""
    if cell.anchor >= 0:
        return bisect.bisect_right(cuts, cell.anchor)
    first = bisect.bisect_right(cuts, cell.start)
    last = bisect.bisect_right(cuts, cell.end)
    for g in range(first, last + 1):
        if any(cell.start <= p <= cell.end for p in filled[g]):
            return g
    return first
