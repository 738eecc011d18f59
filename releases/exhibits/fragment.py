"""Plain text pasted into the body editor, read by the importer's own text rules.

A filing's text is hard-wrapped at about 78 columns; the browser's editor would make every line
a paragraph. The admin's paste handler sends such text here and inserts what comes back:
paragraphs re-flowed, bullets as lists, tables as tables, short lines on their own as headings,
exactly as `import_exhibit` reads the body of a text exhibit.
"""

from __future__ import annotations

from .blocks import PAGE_NUMBER_RE
from .body import _block_html, _Out
from .patterns import END_MARK_RE
from .reading import is_heading
from .text_blocks import text_blocks


def pasted_text_html(text: str) -> str:
    """``text`` (plain, any line endings) as body HTML: ``<p>``, ``<h3>``, ``<ul>``/``<li>``
    and ``<table>``, text escaped. Not sanitised here: the caller passes it to the editor, and
    every save goes through `irsite.richtext.sanitize_html`. Empty text gives ""."""
    out = _Out()
    for block in text_blocks(text.replace("\r\n", "\n").replace("\r", "\n")):
        if block.kind == "hr" or (block.kind == "p" and not block.text.strip()):
            continue
        if (
            block.kind == "p"
            and PAGE_NUMBER_RE.match(block.text)
            and not END_MARK_RE.match(block.text)
        ):
            continue
        piece, bullet = _block_html(block, heading=is_heading(block))
        out.add(piece, bullet=bullet, indent=block.indent)
    return out.html()
