"""The block: what both front ends (``html_blocks.py``, ``text_blocks.py``) read an exhibit into.

Both produce the same flat ``Block`` list (paragraph, table, rule) so that one analyser
(``parse.py``) finds the headline, dateline, contacts, About sections and so on, whatever the
source format. Also the inline clean-up both apply to every run of text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

BULLET_CHARS = "•·●◦▪■□‣⁃○◘∙\uf0b7\uf0a7\uf076\uf0d8"
# "o" and "-" are bullets too, but only when followed by a space and at line start.
BULLET_RE = re.compile(rf"^\s*(?:[{BULLET_CHARS}]|[-*o](?=\s))\s*")
# Alone (a glyph cell of a layout table, K06) more marks are bullets: dashes and arrows, and
# what Word's Wingdings and Symbol bullets become in EDGAR HTML ("§" the square, "Ø" the
# arrow). Not at a line's start, where "§ 230.405" or "— Brown" are text.
ALONE_BULLET_CHARS = "§Ø–—►▶➢➤◆❖✓✔→»"
ONLY_BULLET_RE = re.compile(rf"^\s*(?:[{BULLET_CHARS}{ALONE_BULLET_CHARS}]|[-*o])\s*$")
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
    # HTML: each row entry's colspan as the filing sets it (0 where a cell to the left covers
    # the column, whose entry is ""); empty: every cell one column
    spans: list[list[int]] = field(default_factory=list)
    # text tables keep their rendered lines so they can be re-split on column gaps
    raw: list[str] = field(default_factory=list)
    ruled: bool = False  # text: a table set as ruled panels, its cells read exactly
    blank_lines: int = 1  # text: blank lines before the block
    # HTML: a bullet set as a row of a layout table (a glyph cell and a text cell), or a title
    # row of such a table: a list the release prints, not subheadlines, even above the dateline
    # (K06)
    table_bullet: bool = False


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
