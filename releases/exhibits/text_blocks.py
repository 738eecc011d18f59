"""Plain-text exhibit -> blocks: EDGAR markers and page numbers dropped, lines grouped into
paragraphs, headings, bullets and tables (cells in ``text_tables.py``)."""

from __future__ import annotations

import itertools
import re

from .blocks import PAGE_NUMBER_RE, Block, clean_inline
from .patterns import END_MARK_RE
from .text_tables import (
    _PANEL_RULE_RE,
    _is_table_group,
    _join_panels,
    is_columnar,
    read_ruled_table,
    split_text_table,
)

_PAGE_MARK_RE = re.compile(r"^\s*<PAGE>\s*\d*\s*$", re.IGNORECASE)
_SGML_DROP_RE = re.compile(
    r"^\s*(?:</?(?:S|C|CAPTION|FN|F\d+|TEXT|PRE|DOCUMENT|SEQUENCE|FILENAME|DESCRIPTION)>\s*)+"
    r"(?:<[SC]>\s*)*$|^\s*<TYPE>.*$",
    re.IGNORECASE,
)
_TABLE_OPEN_RE = re.compile(r"^\s*<TABLE>\s*$", re.IGNORECASE)
_TABLE_CLOSE_RE = re.compile(r"^\s*</TABLE>\s*$", re.IGNORECASE)
_RULE_RE = re.compile(r"^\s*(?:[-=_]{3,}|[-=_](?: [-=_]){4,})\s*$")
_TEXT_BULLET_RE = re.compile(r"^(\s*)(?:[•·●◦▪■\uf0b7]|[-*o])\s+(?=\S)")
_BULLET_STARTS = frozenset("•·●◦▪■\uf0b7-*o")  # what _TEXT_BULLET_RE can match past the indent


def _may_be_page_number(line: str) -> bool:
    """What PAGE_NUMBER_RE can match starts, past its indent, with a dash, a digit, "page" or
    a roman numeral: a cheap test before the expression."""
    c = line.lstrip()[:1]
    return c.isdecimal() or c in "-pPiIvVxX\u0130\u0131"


_SENTENCE_END_RE = re.compile(r"[.!?:;\"”’)]\s*$")


def join_lines(lines: list[str]) -> str:
    """Re-flow hard-wrapped lines into one string.

    A line ending in a hyphen glued to a word ("customer-" / "focused", "industry--" /
    "first") continues the word; anything else gets one space.
    """
    parts = [x for x in map(str.strip, lines) if x]
    if not any(x[-1] == "-" for x in parts[:-1]):  # nothing to glue: the common case
        return clean_inline(" ".join(parts))
    out = ""
    for line in parts:
        if not out:
            out = line
        elif (
            out.endswith("-")
            and out.rsplit(" ", 1)[-1].strip("-")  # "customer-" glues on, a lone "--" does not
            and line[0].isalnum()
        ):
            out += line
        else:
            out += " " + line
    return clean_inline(out)


def _line_align(line: str, width: int) -> str:
    stripped = line.strip()
    indent = len(line) - len(line.lstrip())
    right = width - len(line.rstrip())
    if indent >= width // 3 and right <= 3:
        return "right"
    if indent >= 4 and abs(indent - right) <= max(4, width // 10) and len(stripped) < width * 0.85:
        return "center"
    return ""


def _same_centre(a: str, b: str) -> bool:
    """Two indented lines centred on the same column (a wrapped, centred headline)."""
    ia, ib = len(a) - len(a.lstrip()), len(b) - len(b.lstrip())
    if ia < 4 or ib < 4:
        return False
    # Same indent, different lengths: left-aligned and indented (a contact stacked under a
    # heading), not centred, where the shorter line would start further right.
    if ia == ib and abs(len(a.strip()) - len(b.strip())) >= 2:
        return False
    return abs((ia + len(a.rstrip())) / 2 - (ib + len(b.rstrip())) / 2) <= 2


def text_blocks(text: str) -> list[Block]:
    """Blocks of a plain-text exhibit (EDGAR <PAGE> markers and page numbers removed)."""
    # (Tab stops restart after each line break: expanding the whole text at once is the same.)
    src = [ln.rstrip() for ln in text.expandtabs(8).split("\n")]
    # seq: ("line", lineno, text, in_table, columnar, glued) | ("ruled", lineno, "", rows)
    # | ("blank",) | ("page",). Whether a line is set in columns is asked of each line three
    # or four times on the way to its block: it is found once, here.
    seq: list[tuple] = []
    page_numbers: list[int] = []  # where in seq a line reads as a page number
    in_table = False
    k = 0
    while k < len(src):
        no, line = k + 1, src[k]
        k += 1
        ruled = (
            read_ruled_table(src, k - 1) if line[:1] == "=" and _PANEL_RULE_RE.match(line) else None
        )
        tagged = "<" in line  # EDGAR's markup lines all hold a tag
        if ruled:
            k, rows = ruled
            seq.append(("ruled", no, "", rows))
        elif tagged and _PAGE_MARK_RE.match(line):
            seq.append(("page",))
        elif tagged and _TABLE_OPEN_RE.match(line):
            in_table = True
            seq.append(("blank",))
        elif tagged and _TABLE_CLOSE_RE.match(line):
            in_table = False
            seq.append(("blank",))
        elif tagged and _SGML_DROP_RE.match(line):
            continue
        elif not line.strip():
            seq.append(("blank",))
        else:
            if _may_be_page_number(line) and PAGE_NUMBER_RE.match(line):
                page_numbers.append(len(seq))
            seq.append(("line", no, line, in_table, is_columnar(line), False))

    def content_neighbour(i: int, step: int) -> int | None:
        j = i + step
        while 0 <= j < len(seq):
            if seq[j][0] in ("line", "ruled"):
                return j
            j += step
        return None

    # Page numbers next to a <PAGE> marker, or alone at the very end after a blank line.
    has_pages = any(e[0] == "page" for e in seq)
    for i in page_numbers:
        entry = seq[i]
        before = [e[0] for e in seq[max(0, i - 3) : i] if e[0] != "blank"]
        after = [e[0] for e in seq[i + 1 : i + 4] if e[0] != "blank"]
        last = content_neighbour(i, 1) is None
        prev_blank = i > 0 and seq[i - 1][0] == "blank"
        indented = len(entry[2]) - len(entry[2].lstrip()) >= 8
        if (
            (before and before[-1] == "page")
            or (after and after[0] == "page")
            or (last and indented and not END_MARK_RE.match(entry[2].strip()))
            or (last and prev_blank and has_pages and not END_MARK_RE.match(entry[2].strip()))
        ):
            seq[i] = ("blank",)

    # Estimate the page width from the longest ordinary lines.
    lengths = sorted(len(e[2]) for e in seq if e[0] == "line" and not e[4])
    width = max(64, min(100, lengths[int(len(lengths) * 0.97)] if lengths else 78))

    # A page break either continues the paragraph (mid-sentence) or separates paragraphs.
    for i, entry in enumerate(seq):
        if entry[0] != "page":
            continue
        p, n = content_neighbour(i, -1), content_neighbour(i, 1)
        if p is None or n is None:
            seq[i] = ("blank",)
            continue
        if "ruled" in (seq[p][0], seq[n][0]):
            seq[i] = ("blank",)
            continue
        prev, nxt = seq[p][2], seq[n][2]
        # Text continues across the page break unless the previous line closes a sentence
        # and the next one starts a new one.
        nxt_s = nxt.strip()
        glue = (
            (not _SENTENCE_END_RE.search(prev) or nxt_s[:1].islower() or nxt_s[:1] in ",;)")
            and not seq[p][4]  # not set in columns
            and len(prev.strip()) >= width * 0.5  # a mid-sentence break comes after a full line
        )
        for j in range(p + 1, n):
            seq[j] = ("glue",) if glue else ("blank",)
        seq[n] = (*seq[n][:5], True) if glue else seq[n]
    seq = [e for e in seq if e[0] != "glue"]

    groups: list[tuple[int, list[tuple]]] = []  # (blank lines before, lines or one ruled table)
    cur: list[tuple] = []
    blanks = 0
    for entry in seq:
        if entry[0] == "ruled":
            groups.append((blanks, [entry]))
            cur, blanks = [], 0
        elif entry[0] == "line":
            if not cur:
                groups.append((blanks, cur))
            cur.append(entry)
            blanks = 0
        else:
            if cur:
                cur = []
            blanks += 1

    blocks: list[Block] = []
    for blanks, group in groups:
        if group[0][0] == "ruled":
            _, no, _, rows = group[0]
            text = " ".join(c for r in rows for c in r if c)
            new = [Block(kind="table", rows=rows, line=no, text=text, ruled=True)]
        else:
            new = _group_blocks(group, width)
        if new:
            new[0].blank_lines = blanks
        blocks.extend(new)
    _join_panels(blocks)
    _merge_text_tables(blocks)
    return blocks


def _group_blocks(group: list[tuple], width: int) -> list[Block]:
    out: list[Block] = []
    pending: list[tuple] = []
    first = True

    def emit(lines: list[tuple], underlined: bool = False) -> None:
        nonlocal first
        if not lines:
            return
        texts = [e[2] for e in lines]
        forced_table = any(e[3] for e in lines)
        gap = first
        first = False
        if forced_table or _is_table_group(texts, sum(e[4] for e in lines)):
            out.append(
                Block(
                    kind="table",
                    raw=texts,
                    line=lines[0][1],
                    gap_before=gap,
                    text="",  # set by _merge_text_tables, once it is known to stay a table
                )
            )
            return
        for para in _split_paragraphs(lines, width):
            ptexts = [e[2] for e in para]
            # One alignment for the paragraph when all its lines share it (most have none).
            align = _line_align(ptexts[0], width)
            if align and any(_line_align(t, width) != align for t in ptexts[1:]):
                align = ""
            if len(ptexts) > 1 and all(_same_centre(ptexts[0], t) for t in ptexts[1:]):
                align = "center"
            first_text = ptexts[0].lstrip()
            bullet = (
                first_text[:1] in _BULLET_STARTS
                and bool(_TEXT_BULLET_RE.match(ptexts[0]))
                and not END_MARK_RE.match(first_text.rstrip())
            )
            if bullet:
                ptexts = [_TEXT_BULLET_RE.sub("", ptexts[0], count=1), *ptexts[1:]]
            out.append(
                Block(
                    kind="p",
                    text=join_lines(ptexts),
                    lines=[t.strip() for t in ptexts],
                    raw=[e[2] for e in para],
                    line=para[0][1],
                    align=align,
                    indent=len(ptexts[0]) - len(ptexts[0].lstrip()),
                    bullet=bullet,
                    gap_before=gap,
                    underlined=underlined and para is not None,
                )
            )
            gap = False

    for entry in group:
        if entry[2].lstrip()[:1] in "-=_" and _RULE_RE.match(entry[2]):
            if pending:
                # The rule underlines the line(s) right above it: a heading, possibly wrapped.
                k = len(pending) - 1
                while (
                    k > 0
                    and len(pending) - k < 3
                    and not _SENTENCE_END_RE.search(pending[k - 1][2])
                    and len(pending[k - 1][2].strip()) < 80
                ):
                    k -= 1
                emit(pending[:k])
                emit(pending[k:], underlined=True)
                pending = []
            else:
                out.append(Block(kind="hr", line=entry[1]))
                first = True
            continue
        pending.append(entry)
    emit(pending)
    return out


def _split_paragraphs(lines: list[tuple], width: int) -> list[list[tuple]]:
    """Split a blank-line-free run of lines on first-line indents and bullets."""
    paras: list[list[tuple]] = [[lines[0]]]
    indent = len(lines[0][2]) - len(lines[0][2].lstrip())
    for prev, entry in itertools.pairwise(lines):
        text, ptext = entry[2], prev[2]
        pindent, indent = indent, len(text) - len(text.lstrip())
        glued = entry[5]
        new = False
        if not glued:
            bullet = (
                text[indent : indent + 1] in _BULLET_STARTS
                and bool(_TEXT_BULLET_RE.match(text))
                and not END_MARK_RE.match(text.strip())
            )
            first_line_indent = (
                indent >= pindent + 2
                and not _line_align(text, width)
                and not _line_align(ptext, width)
                and not _same_centre(text, ptext)
                and len(ptext.strip()) >= width * 0.6
                and not prev[4]  # set in columns: a right-hand column running on below
                and not _TEXT_BULLET_RE.match(paras[-1][0][2])
            )
            new = bullet or first_line_indent
        if new:
            paras.append([entry])
        else:
            paras[-1].append(entry)
    return paras


def _merge_text_tables(blocks: list[Block]) -> None:
    """Join table groups separated only by blank lines or by short row labels ("Diluted")."""
    i = 0
    while i < len(blocks) - 1:
        b = blocks[i]
        if b.kind != "table":
            i += 1
            continue
        nxt = blocks[i + 1]
        if b.ruled:
            i += 1
            continue
        if not b.text:  # a table's text is that of its first group
            b.text = join_lines(b.raw)
        if nxt.kind == "table" and not nxt.ruled and nxt.blank_lines <= 1:
            b.raw += ["", *nxt.raw]
            del blocks[i + 1]
            continue
        if (
            i + 2 < len(blocks)
            and blocks[i + 2].kind == "table"
            and not blocks[i + 2].ruled
            and nxt.kind == "p"
            and nxt.blank_lines <= 1
            and blocks[i + 2].blank_lines <= 1
            and len(nxt.raw) <= 2
            and all(len(t.strip()) < 60 for t in nxt.raw)
            and not _SENTENCE_END_RE.search(nxt.raw[-1])
        ):
            b.raw += ["", *nxt.raw, "", *blocks[i + 2].raw]
            del blocks[i + 1 : i + 3]
            continue
        i += 1
    for b in blocks:
        if b.kind == "table" and not b.rows:
            b.text = b.text or join_lines(b.raw)
            b.rows = split_text_table(b.raw)
