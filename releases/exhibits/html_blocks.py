"""HTML exhibit -> blocks: one block per paragraph, table or rule, with the run-level
formatting (bold, italic, alignment, indent, bullets) the analyser reads."""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

from .blocks import BR, BULLET_RE, ONLY_BULLET_RE, Block, clean_inline
from .html_tables import table_rows
from .patterns import END_MARK_RE

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
        spanned: list[list[tuple[str, int]]] = []
        for tr in table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"):
            cells = []
            for cell in tr.xpath("./td|./th"):
                try:
                    span = int(cell.get("colspan") or 1)
                except ValueError:
                    span = 1
                cells.append((self.cell_text(cell), max(1, min(span, 50))))
            spanned.append(cells)
        rows, spans = table_rows(spanned)
        line = table.sourceline
        if not rows:
            self.gap = True
            return
        ncols = max(len(r) for r in rows)
        # A bullet column plus text, maybe with rows of one cell (a "Highlights" title over
        # the bullets): every row a glyph and its text, or one cell alone (K06).
        bullet_table = (
            ncols == 2
            and any(ONLY_BULLET_RE.match(r[0]) and r[1] for r in rows)
            and all(ONLY_BULLET_RE.match(r[0]) or not r[0] or not r[1] for r in rows)
        )
        if ncols == 1 or bullet_table:
            # Layout table: one column of paragraphs, or a bullet column plus text.
            for r in rows:
                glyph = ncols == 2 and bool(ONLY_BULLET_RE.match(r[0]))
                text = r[-1] or ("" if glyph else r[0])
                if not text:
                    continue
                lines = text.split("\n")
                is_bullet = glyph
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
                        table_bullet=is_bullet or bullet_table,
                    )
                )
                self.gap = False
            self.gap = True
            return
        self.blocks.append(Block(kind="table", rows=rows, spans=spans, line=line, gap_before=True))
        self.gap = True


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
