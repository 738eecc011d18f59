"""Plain-text layout: words wrapped so the parser re-joins them, centred and underlined lines,
and tables set in columns or, when too wide, as ruled panels (read back by
``text_tables.read_ruled_table``)."""

from __future__ import annotations

import re
import textwrap

from .blocks import clean_inline

# Bullets and stray numbers must never start a wrapped line: the parser would read them as a
# list item or a page number.
_GLUE_TOKENS_RE = re.compile(r"^(?:[-*o•–—―]|--|\d{1,3}|#+|\+{3,}|-0-)$")


def _wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    tokens = text.split()
    glued: list[str] = []
    for tok in tokens:
        if glued and _GLUE_TOKENS_RE.match(tok):
            glued[-1] += "\x00" + tok
        else:
            glued.append(tok)
    lines: list[str] = []
    cur = first
    cur_has = False
    for tok in glued:
        word = tok.replace("\x00", " ")
        candidate = f"{cur} {word}" if cur_has else cur + word
        if cur_has and len(candidate) > width:
            lines.append(cur)
            cur = rest + word
        else:
            cur = candidate
        cur_has = True
    if cur_has:
        lines.append(cur)
    return lines


def _center(text: str, width: int) -> list[str]:
    lines = _wrap(text, min(width - 12, 62))
    return [(" " * max(4, (width - len(ln)) // 2) + ln) for ln in lines]


def _underlined(text: str, width: int) -> list[str]:
    lines = _wrap(text, width)
    return [*lines, "-" * min(width, max(len(x) for x in lines))]


def _right(text: str, width: int) -> str:
    return " " * max(0, width - len(text)) + text


def _text_table(rows: list[list[tuple[str, int]]], width: int = 78) -> list[str]:
    """Columns of text: the first left-aligned, figures right-aligned, and a cell spanning
    columns centred over exactly those columns; a table wider than ``width`` is set as ruled
    panels (``_ruled_table``)."""
    rows = [[(clean_inline(t.replace("\n", " ")), span) for t, span in r] for r in rows]
    rows = [r for r in rows if any(t for t, _ in r)]
    if not rows:
        return []
    lines = _natural_table(rows)
    if max(len(x) for x in lines) <= width:
        return lines
    return _ruled_table(rows, width)


def _natural_table(rows: list[list[tuple[str, int]]]) -> list[str]:
    ncols = max(sum(span for _, span in r) for r in rows)
    widths = [0] * ncols
    for r in rows:
        col = 0
        for text, span in r:
            if span == 1:
                widths[col] = max(widths[col], len(text))
            col += span
    for r in rows:  # widen the last column under a spanned cell that needs more room
        col = 0
        for text, span in r:
            if span > 1:
                have = sum(widths[col : col + span]) + 3 * (span - 1)
                widths[col + span - 1] += max(0, len(text) - have)
            col += span
    out = []
    for r in rows:
        cells, col = [], 0
        for text, span in r:
            width = sum(widths[col : col + span]) + 3 * (span - 1)
            if col == 0:
                cells.append(text.ljust(width))
            elif span > 1:
                cells.append(text.center(width))
            else:
                cells.append(text.rjust(width))
            col += span
        out.append("   ".join(cells).rstrip())
    return out


RULED_GAP = 2  # spaces between the columns of a ruled panel
_STUB_CAP, _COLUMN_CAP = 32, 18  # widths a long label or heading wraps at in a ruled panel


def _ruled_table(rows: list[list[tuple[str, int]]], width: int) -> list[str]:
    """A table too wide for the layout, as panels of columns that fit, the row labels repeated
    in each: ``=`` rules above and below give each column's extent, ``-`` rules end each row,
    and a cell too long for its column wraps inside it (``blocks.read_ruled_table`` reads it
    back cell for cell). A spanned cell stands in the first of its columns."""
    grid = [[t for text, span in r for t in [text] + [""] * (span - 1)] for r in rows]
    ncols = max(len(r) for r in grid)
    grid = [r + [""] * (ncols - len(r)) for r in grid]
    keep = [k for k in range(ncols) if any(r[k] for r in grid)]
    grid = [[r[k] for k in keep] for r in grid]
    if len(keep) == 1:  # one column: its cells are paragraphs, as the importer reads them
        out: list[str] = []
        for r in grid:
            out += [*textwrap.wrap(r[0], width, break_long_words=False, break_on_hyphens=False), ""]
        return out[:-1]
    natural = [max(len(r[k]) for r in grid) for k in range(len(keep))]
    longest = [
        max((len(w) for r in grid for w in r[k].split()), default=1) for k in range(len(keep))
    ]
    widths = [min(natural[0], max(longest[0], _STUB_CAP))] + [
        max(1, min(n, max(w, _COLUMN_CAP))) for n, w in zip(natural[1:], longest[1:], strict=True)
    ]
    widest = max(widths[1:])
    if widths[0] + RULED_GAP + widest > width:  # make room for the widest column beside the label
        widths[0] = max(longest[0], width - RULED_GAP - widest)
    for k in range(1, len(widths)):
        widths[k] = min(widths[k], max(longest[k], width - RULED_GAP - widths[0]))
    panels: list[list[int]] = []
    for k in range(1, len(widths)):
        used = widths[0] + sum(RULED_GAP + widths[j] for j in panels[-1]) if panels else width
        if used + RULED_GAP + widths[k] > width:
            panels.append([])
        panels[-1].append(k)
    out = []
    for panel in panels:
        cols = [0, *panel]
        rule = (" " * RULED_GAP).join("=" * widths[k] for k in cols)
        between = rule.replace("=", "-")
        out.append(rule)
        for n, r in enumerate(grid):
            if n:
                out.append(between)
            wrapped = [
                textwrap.wrap(r[k], widths[k], break_long_words=False, break_on_hyphens=False)
                for k in cols
            ]
            for i in range(max(len(w) for w in wrapped)):
                cells = [
                    (w[i] if i < len(w) else "").ljust(widths[k])
                    if k == 0
                    else (w[i] if i < len(w) else "").rjust(widths[k])
                    for k, w in zip(cols, wrapped, strict=True)
                ]
                out.append((" " * RULED_GAP).join(cells).rstrip())
        out += [rule, ""]
    return out[:-1]
