"""Turn a text or HTML exhibit into a flat list of blocks.

Both front ends produce the same ``Block`` list so that one analyser (``parse.py``) finds the
headline, dateline, contacts, About sections and so on, whatever the source format.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field

import lxml.etree
import lxml.html

from .patterns import END_MARK_RE

BULLET_CHARS = "•·●◦▪■□‣⁃○◘∙\uf0b7\uf0a7\uf076\uf0d8"
# "o" and "-" are bullets too, but only when followed by a space and at line start.
BULLET_RE = re.compile(rf"^\s*(?:[{BULLET_CHARS}]|[-*o](?=\s))\s*")
ONLY_BULLET_RE = re.compile(rf"^\s*(?:[{BULLET_CHARS}]|[-*o])\s*$")
PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:-\s*[1-9]\d{0,2}\s*-|\d{1,3}|page\s+\d{1,3}(?:\s+of\s+\d{1,3})?|[ivx]{1,5})\s*$",
    re.IGNORECASE,
)
BR = "\u2028"  # marks an HTML <br> while collecting inline text
_WS = r"[ \t\r\f\v\xa0\u2000-\u200a\u202f\u205f\u3000]"
# A run of white space that is not already one plain space (those are left as they are).
_WS_RE = re.compile(rf" {_WS}+|(?! ){_WS}+")
_SEPARATOR_CONTROLS_RE = re.compile("[\x1c-\x1f]")
_ZERO_WIDTH_RE = re.compile(r"[\u200b\u200c\u200d\ufeff\xad]")


@dataclass
class Block:
    kind: str  # "p" | "table" | "hr"
    text: str = ""
    lines: list[str] = field(default_factory=list)  # visual lines, trailing spaces stripped
    line: int | None = None  # 1-based line in the decoded source
    bold: bool = False
    italic: bool = False
    align: str = ""  # "" | "center" | "right"
    underlined: bool = False  # text: next line is ----- / =====
    indent: int = 0
    bullet: bool = False
    gap_before: bool = True  # a blank line / empty paragraph separates it from the previous one
    lead_bold: str = ""  # leading bold run of a paragraph that is not bold throughout
    rows: list[list[str]] = field(default_factory=list)
    # text tables keep their rendered lines so they can be re-split on column gaps
    raw: list[str] = field(default_factory=list)
    ruled: bool = False  # text: a table set as ruled panels, its cells read exactly
    blank_lines: int = 1  # text: blank lines before the block


_C1_RE = re.compile("[\x80-\x9f]")


def fix_c1(text: str) -> str:
    """Map C1 control characters to their cp1252 meaning.

    Old HTML exhibits use numeric references such as ``&#151;`` that libxml2 decodes to
    U+0097 rather than the em dash the author meant.
    """
    if not _C1_RE.search(text):
        return text
    out = []
    for ch in text:
        if "\x80" <= ch <= "\x9f":
            try:
                out.append(ch.encode("latin-1").decode("cp1252"))
            except UnicodeDecodeError:
                out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def clean_inline(text: str) -> str:
    """Normalise whitespace inside one line of text."""
    if text.isascii():
        if not _SEPARATOR_CONTROLS_RE.search(text):  # str.split() would take those as spaces
            return " ".join(text.split())
    else:
        text = _ZERO_WIDTH_RE.sub("", fix_c1(text))
    return _WS_RE.sub(" ", text.replace("\n", " ")).strip()


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------

_BLOCK_TAGS = {
    "p", "div", "address", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt",
    "dd", "blockquote", "pre", "center", "body", "section", "article", "header", "footer",
    "form", "fieldset", "html", "main", "nav", "aside", "figure", "caption", "tr", "td", "th",
    "thead", "tbody", "tfoot",
}  # fmt: skip
_SKIP_TAGS = {"script", "style", "head", "title", "noscript", "template", "object", "iframe"}
_BOLD_STYLE_RE = re.compile(
    r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)|font\s*:[^;]*\bbold\b", re.IGNORECASE
)
_NOT_BOLD_STYLE_RE = re.compile(r"font-weight\s*:\s*(?:normal|lighter|[1-4]00)", re.IGNORECASE)
_ITALIC_STYLE_RE = re.compile(r"font-style\s*:\s*italic|font\s*:[^;]*\bitalic\b", re.IGNORECASE)
_NOT_ITALIC_STYLE_RE = re.compile(r"font-style\s*:\s*normal", re.IGNORECASE)
_ALIGN_STYLE_RE = re.compile(r"text-align\s*:\s*(center|right|left|justify)", re.IGNORECASE)
_PAD_LEFT_RE = re.compile(r"(?:padding|margin)-left\s*:\s*(\d+(?:\.\d+)?)\s*(?:pt|px|em)?")
_SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_CURRENCY_CELL_RE = re.compile(r"^(?:\$|€|£|¥|US\$|C\$|RMB|\(\$|\(|\$\()$")
_CLOSING_CELL_RE = re.compile(r"^(?:\)|%|\)%|%\)|pts?|bps|x)$")


class _HtmlWalker:
    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.runs: list[tuple[str, bool, bool]] = []
        self.run_line: int | None = None
        self.align = ""
        self.bullet = False
        self.gap = True
        self.indent = 0

    # -- buffer handling --------------------------------------------------------------------
    def add(self, text: str | None, bold: bool, italic: bool, line: int | None) -> None:
        if not text:
            return
        # Source newlines are just spaces in HTML; only <br> (BR below) breaks a line.
        text = text.replace("\r", " ").replace("\n", " ").replace(BR, "\n")
        if self.run_line is None and text.strip():
            self.run_line = line
        self.runs.append((text, bold, italic))

    def flush(self) -> None:
        runs, self.runs = self.runs, []
        line, self.run_line = self.run_line, None
        align, bullet = self.align, self.bullet
        self.bullet = False
        raw = "".join(t for t, _, _ in runs)
        lines = [clean_inline(x) for x in raw.split("\n")]
        lines = [x for x in lines if x]
        if not lines:
            return
        # "•Adobe achieved ..." - a bullet typed into the paragraph itself (not "-$5 million")
        if (
            BULLET_RE.match(lines[0])
            and not ONLY_BULLET_RE.match(lines[0])
            and not re.match(r"^-\s*\$?\d", lines[0])
            and not END_MARK_RE.match(lines[0])  # "* * *" closes a release
        ):
            bullet = True
            lines[0] = BULLET_RE.sub("", lines[0])
        text = " ".join(lines)
        visible = [(clean_inline(t), b, i) for t, b, i in runs]
        total = sum(len(t) for t, _, _ in visible) or 1
        bold_chars = sum(len(t) for t, b, _ in visible if b)
        italic_chars = sum(len(t) for t, _, i in visible if i)
        # The leading bold runs as printed ("“", "Safe Harbor", "”", " Statement:"): joined
        # before cleaning, so the heading is exactly the start of the text.
        lead_runs: list[str] = []
        for (raw_text, _, _), (t, b, _) in zip(runs, visible, strict=True):
            if t and not b:
                break
            lead_runs.append(raw_text)
        lead = clean_inline("".join(lead_runs))
        block = Block(
            kind="p",
            text=text,
            lines=lines,
            line=line,
            bold=bold_chars >= 0.9 * total,
            italic=italic_chars >= 0.9 * total,
            align=align,
            bullet=bullet,
            gap_before=self.gap,
            indent=self.indent,
        )
        if not block.bold and lead and text.startswith(lead):
            block.lead_bold = lead
        self.blocks.append(block)
        self.gap = False

    # -- tree walk ----------------------------------------------------------------------------
    def walk(self, el: lxml.etree._Element, bold: bool, italic: bool, align: str) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not tag or tag in _SKIP_TAGS:
            return
        style = el.get("style") or ""
        if tag in (
            "b",
            "strong",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "th",
        ) or _BOLD_STYLE_RE.search(style):
            bold = True
        elif _NOT_BOLD_STYLE_RE.search(style):
            bold = False
        if tag in ("i", "em", "cite") or _ITALIC_STYLE_RE.search(style):
            italic = True
        elif _NOT_ITALIC_STYLE_RE.search(style) or tag == "address":
            italic = False
        if tag == "br":
            self.add(BR, bold, italic, el.sourceline)
            return
        if tag == "sup" and re.fullmatch(r"\s*\d{1,3}\s*", el.text or "") and not len(el):
            # a footnote marker: "Million<sup>1</sup>" reads "Million¹", not "Million1"
            self.add(el.text.strip().translate(_SUPERSCRIPT), bold, italic, el.sourceline)
            return
        if tag not in _BLOCK_TAGS and _PAD_LEFT_RE.search(style):
            self.add(" ", bold, italic, el.sourceline)  # space set by padding is a word break
        if tag == "hr":
            self.flush()
            self.blocks.append(Block(kind="hr", line=el.sourceline))
            self.gap = True
            return
        if tag == "table":
            self.flush()
            self.table(el)
            return
        is_block = tag in _BLOCK_TAGS
        if is_block:
            self.flush()
            count_before = len(self.blocks)
            m = _ALIGN_STYLE_RE.search(style)
            a = (el.get("align") or "").lower()
            if tag == "center":
                align = "center"
            elif m:
                align = m.group(1).lower()
            elif a in ("center", "right", "left", "justify"):
                align = a
            if align in ("left", "justify"):
                align = ""
            self.align = align
            if tag == "li":
                self.bullet = True
            pad = _PAD_LEFT_RE.search(style)
            self.indent = int(float(pad.group(1))) if pad else 0
        self.add(el.text, bold, italic, el.sourceline)
        for child in el:
            self.walk(child, bold, italic, align)
            if is_block:
                self.align = align
            self.add(child.tail, bold, italic, getattr(child, "sourceline", None))
        if is_block:
            self.flush()
            if len(self.blocks) == count_before:
                # an empty <p>&nbsp;</p> or <div><br></div>: the HTML spelling of a blank line
                self.gap = True

    def cell_text(self, cell: lxml.etree._Element) -> str:
        parts: list[str] = []

        def rec(el: lxml.etree._Element) -> None:
            tag = el.tag.lower() if isinstance(el.tag, str) else ""
            if tag in _SKIP_TAGS:
                return
            if tag == "br" or (tag in _BLOCK_TAGS and tag not in ("td", "th")):
                parts.append("\n")
            if tag and el.text:
                parts.append(el.text)
            for child in el:
                rec(child)
                if child.tail:
                    parts.append(child.tail)
            if tag in _BLOCK_TAGS and tag not in ("td", "th"):
                parts.append("\n")

        rec(cell)
        lines = [clean_inline(x) for x in "".join(parts).split("\n")]
        return "\n".join(x for x in lines if x)

    def table(self, table: lxml.etree._Element) -> None:
        rows: list[list[str]] = []
        bold_rows: list[bool] = []
        for tr in table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"):
            cells = []
            for cell in tr.xpath("./td|./th"):
                text = self.cell_text(cell)
                cells.append(text)
                try:
                    span = int(cell.get("colspan") or 1)
                except ValueError:
                    span = 1
                cells.extend([""] * (min(span, 50) - 1))
            rows.append(cells)
            bold_rows.append(bool(tr.xpath(".//b|.//strong|.//th")))
        rows = tidy_rows(rows)
        line = table.sourceline
        if not rows:
            self.gap = True
            return
        ncols = max(len(r) for r in rows)
        if ncols == 1 or (ncols == 2 and all(ONLY_BULLET_RE.match(r[0]) or not r[0] for r in rows)):
            # Layout table: one column of paragraphs, or a bullet column plus text.
            for r in rows:
                text = r[-1]
                if not text:
                    continue
                lines = text.split("\n")
                is_bullet = ncols == 2 and bool(r[0])
                if BULLET_RE.match(text) and not re.match(r"^-?\d", text):
                    is_bullet = True
                    lines[0] = BULLET_RE.sub("", lines[0])
                self.blocks.append(
                    Block(
                        kind="p",
                        text=" ".join(lines),
                        lines=lines,
                        line=line,
                        bullet=is_bullet,
                        gap_before=self.gap,
                    )
                )
                self.gap = False
            self.gap = True
            return
        self.blocks.append(Block(kind="table", rows=rows, line=line, gap_before=True))
        self.gap = True


def tidy_rows(rows: list[list[str]]) -> list[list[str]]:
    """Merge split currency/percent cells, drop empty rows and columns."""
    out: list[list[str]] = []
    for row in rows:
        merged: list[str] = []
        carry = ""
        for cell in row:
            c = cell.strip()
            if _CURRENCY_CELL_RE.match(c):
                carry += c
                merged.append("")
                continue
            if carry:
                if c:
                    c = carry + c if carry.endswith("(") else f"{carry}{c}"
                    carry = ""
                else:
                    merged.append("")
                    continue
            if _CLOSING_CELL_RE.match(c):
                for k in range(len(merged) - 1, -1, -1):
                    if merged[k]:
                        merged[k] += c
                        break
                merged.append("")
                continue
            merged.append(c)
        if carry:
            merged.append(carry)
        if any(merged):
            out.append(merged)
    if not out:
        return []
    width = max(len(r) for r in out)
    for r in out:
        r.extend([""] * (width - len(r)))
    keep = [j for j in range(width) if any(r[j] for r in out)]
    return [[r[j] for j in keep] for r in out]


def html_blocks(text: str) -> list[Block]:
    """Blocks of an HTML exhibit; raises ValueError if nothing readable is inside."""
    # lxml rejects str input with an XML encoding declaration; strip it.
    text = re.sub(r"^\s*<\?xml[^>]*>", "", text)
    try:
        root = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise ValueError(str(exc)) from exc
    walker = _HtmlWalker()
    body = root.find("body")
    walker.walk(body if body is not None else root, False, False, "")
    walker.flush()
    return walker.blocks


# ---------------------------------------------------------------------------------------------
# Plain text
# ---------------------------------------------------------------------------------------------

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
_COLUMN_GAP_RE = re.compile(r"\S {3,}\S")
_COLUMN_SPLIT_RE = re.compile(r" {3,}")


def _may_be_page_number(line: str) -> bool:
    """What PAGE_NUMBER_RE can match starts, past its indent, with a dash, a digit, "page" or
    a roman numeral: a cheap test before the expression."""
    c = line.lstrip()[:1]
    return c.isdecimal() or c in "-pPiIvVxX\u0130\u0131"


_SENTENCE_END_RE = re.compile(r"[.!?:;\"”’)]\s*$")


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
