"""What both renderers share: the document's date, dateline and release instruction as
printed, ASCII transliteration, and stored HTML fragments read back into simple blocks."""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser

import lxml.etree
import lxml.html

from .blocks import clean_inline
from .model import ExhibitContact, ExhibitDocument
from .patterns import INVESTOR_WORDS_RE, MEDIA_WORDS_RE, MONTH_NAMES

_ASCII_MAP = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2033": '"',
    "\u2013": "-", "\u2014": "--", "\u2015": "--", "\u2212": "-", "\u2010": "-", "\u2011": "-",
    "\u2026": "...", "\u00a0": " ", "\u2022": "*", "\u00b7": "*",
    "\u00ae": "(R)", "\u2122": "(TM)", "\u00a9": "(C)", "\u20ac": "EUR", "\u00a3": "GBP",
}  # fmt: skip


def _ascii(text: str) -> str:
    """EDGAR text documents are ASCII: transliterate typographic characters."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
        elif ch in _ASCII_MAP:
            out.append(_ASCII_MAP[ch])
        else:
            decomposed = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
            out.append(decomposed or "?")
    return "".join(out)


def _date_text(doc: ExhibitDocument, upper: bool) -> str:
    if not doc.date:
        return ""
    month = MONTH_NAMES[doc.date.month]
    text = f"{month} {doc.date.day}, {doc.date.year}"
    return text.upper() if upper else text


def _instruction(doc: ExhibitDocument) -> str:
    return doc.release_instruction or ("FOR IMMEDIATE RELEASE" if doc.for_immediate_release else "")


def _dateline(doc: ExhibitDocument, upper_date: bool, dash: str) -> str:
    """ "CAMBRIDGE, MA, JANUARY 24, 2003 - " (with the wire tag, when there is one)."""
    parts = [p for p in (doc.dateline_city, _date_text(doc, upper_date)) if p]
    if not parts:
        return ""
    text = ", ".join(parts)
    if doc.wire_tag:
        text += f" {doc.wire_tag}"
    return f"{text} {dash} "


# ---------------------------------------------------------------------------------------------
# HTML fragments -> simple block list (shared by both renderers)
# ---------------------------------------------------------------------------------------------


def _fragment_blocks(fragment: str) -> list[tuple[str, object]]:
    """[(kind, payload)]: ("p", text) ("h", text) ("li", text) ("table", rows)."""
    if not fragment or not fragment.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return [("p", clean_inline(re.sub(r"<[^>]+>", " ", fragment)))]
    out: list[tuple[str, object]] = []
    if root.text and root.text.strip():
        out.append(("p", clean_inline(root.text)))
    for el in root:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag in ("ul", "ol"):
            for li in el.iter("li"):
                out.append(("li", _text_of(li)))
        elif tag == "li":
            out.append(("li", _text_of(el)))
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            out.append(("h", _text_of(el)))
        elif tag == "table":
            rows = _table_grid(el)
            if rows:
                out.append(("table", rows))
        elif tag:
            text = _text_of(el)
            if text:
                out.append(("p", text))
        if el.tail and el.tail.strip():
            out.append(("p", clean_inline(el.tail)))
    return [(k, v) for k, v in out if v]


def _span(cell: lxml.etree._Element, name: str) -> int:
    value = (cell.get(name) or "1").strip()
    return max(1, min(int(value), 50)) if value.isdigit() else 1


def _table_grid(table: lxml.etree._Element) -> list[list[tuple[str, int]]]:
    """Rows of (text, columns spanned): a cell spanning rows leaves an empty cell in each row
    below it, so every cell stays over its own columns."""
    rows: list[list[tuple[str, int]]] = []
    below: dict[int, int] = {}  # column -> rows still covered by a rowspan from above
    for tr in table.iter("tr"):
        row: list[tuple[str, int]] = []
        cells = [c for c in tr if c.tag in ("td", "th")]
        col = 0
        while cells or below.get(col, 0) > 0:
            if below.get(col, 0) > 0:
                below[col] -= 1
                row.append(("", 1))
                col += 1
                continue
            cell = cells.pop(0)
            colspan, rowspan = _span(cell, "colspan"), _span(cell, "rowspan")
            row.append((_text_of(cell, keep_breaks=True), colspan))
            if rowspan > 1:
                below.update(dict.fromkeys(range(col, col + colspan), rowspan - 1))
            col += colspan
        rows.append(row)
    return rows


def _text_of(el: lxml.etree._Element, keep_breaks: bool = False) -> str:
    text = _itertext_with_breaks(el)
    if keep_breaks:
        return "\n".join(x for x in (clean_inline(s) for s in text.split("\n")) if x)
    return clean_inline(text.replace("\n", " "))


def _itertext_with_breaks(el: lxml.etree._Element) -> str:
    parts: list[str] = []

    def rec(node: lxml.etree._Element) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if child.tag == "br":
                parts.append("\n")
            elif isinstance(child.tag, str):
                rec(child)
            if child.tail:
                parts.append(child.tail)

    rec(el)
    return "".join(parts)


_AUDIENCE_HEADING = {"investors": "INVESTORS", "media": "MEDIA", "": "GENERAL"}


def _needs_heading(audience: str, contacts: list[ExhibitContact]) -> bool:
    """Investor and media groups are always labelled; general contacts only when the parser
    would otherwise guess an audience from their job titles."""
    if audience:
        return True
    return any(
        INVESTOR_WORDS_RE.search(c.title) or MEDIA_WORDS_RE.search(c.title) for c in contacts
    )


def _contact_groups(contacts: list[ExhibitContact]) -> list[tuple[str, list[ExhibitContact]]]:
    groups: dict[str, list[ExhibitContact]] = {}
    for c in contacts:
        groups.setdefault(c.audience if c.audience in _AUDIENCE_HEADING else "", []).append(c)
    return list(groups.items())


# Elements that never hold content (no end tag in HTML).
_VOID_TAGS = frozenset({"br", "img", "hr", "wbr", "col", "area", "input", "meta", "link"})


class _TopLevelStarts(HTMLParser):
    """Where each top-level element of a fragment starts: (line, column) of its start tag."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.starts: list[tuple[int, int]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if self.depth == 0:
            self.starts.append(self.getpos())
        if tag not in _VOID_TAGS:
            self.depth += 1

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if self.depth == 0:
            self.starts.append(self.getpos())

    def handle_endtag(self, tag: str) -> None:
        if tag not in _VOID_TAGS:
            self.depth = max(0, self.depth - 1)


def split_blocks(fragment: str, n: int | None) -> tuple[str, str]:
    """``fragment`` cut before its top-level block ``n`` (paragraphs, headings, lists, tables,
    counted from 0), each part exactly as written: where the About and safe-harbor texts stand
    when the exhibit sets them inside the body (``standard_texts_at``). ``n`` None, below 1
    (the lead comes first) or past the last block: all of it, and ""."""
    if n is None or n < 1 or "<" not in fragment:
        return fragment, ""
    scanner = _TopLevelStarts()
    scanner.feed(fragment)
    scanner.close()
    if n >= len(scanner.starts):
        return fragment, ""
    line, column = scanner.starts[n]
    start = 0
    for _ in range(line - 1):  # HTMLParser counts lines by "\n" alone
        start = fragment.index("\n", start) + 1
    at = start + column
    return fragment[:at], fragment[at:]
