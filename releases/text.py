"""Small text helpers for how a release reads."""

import html as html_module
import re
from html.parser import HTMLParser

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator


def first_paragraph_with_dateline(body: SafeString, dateline: str) -> SafeString:
    """Put the dateline in front of the first paragraph, as a printed release does.

    ``body`` must already be sanitized; the dateline is escaped here.
    """
    lead = format_html('<span class="dateline">{}</span> ', dateline)
    if body.startswith("<p>"):
        return mark_safe(f"<p>{lead}{body[3:]}")  # noqa: S308 - both parts are safe
    return mark_safe(f'<p class="dateline-only">{lead}</p>{body}')  # noqa: S308


# Blocks and cells end a word; inline markup (links, bold) does not: "site</a>." stays "site.".
_BLOCK_TAG = re.compile(
    r"</?(?:p|br|h[1-6]|li|ul|ol|table|caption|thead|tbody|tfoot|tr|th|td)\b[^>]*>", re.I
)
_TAG = re.compile(r"<[^>]*>")
# Control characters have no place in text to search (and PostgreSQL refuses NUL).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def plain_text(html: str) -> str:
    """Sanitized editor HTML as the words a reader sees, one space between blocks and cells."""
    text = html_module.unescape(_TAG.sub("", _BLOCK_TAG.sub(" ", html or "")))
    # split() and join() collapse the same whitespace as re's \s+, and cost less (this runs
    # for every item of a feed).
    return " ".join(_CONTROL.sub("", text).split())


# A figure as filings print them: "$9.87 billion", "+42%", "(1,234)", "€0.5m", or a dash for nil.
_FIGURE = re.compile(
    r"[(\-+−–]?\s*[$€£¥]?\s*\d[\d,.\s]*(?:%|\s*(?:billion|million|thousand|bn|m|k)\b)?\)?"
    r"|[—–-]",
    re.I,
)
_CELL = re.compile(r"<td\b([^>]*)>(.*?)</td>", re.S | re.I)


def mark_figure_cells(html: SafeString) -> SafeString:
    """Give table cells that hold a figure ``class="num"``, so figures align on the right.

    ``html`` must already be sanitized (cells carry no class of their own then).
    """

    def mark(cell: re.Match) -> str:
        if "class=" in cell[1] or not _FIGURE.fullmatch(plain_text(cell[2])):
            return cell[0]
        return f'<td{cell[1]} class="num">{cell[2]}</td>'

    return mark_safe(_CELL.sub(mark, html))  # noqa: S308 - only a fixed attribute is added


_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b", re.I)


def level_headings(html: SafeString, top: int = 2) -> SafeString:
    """Sanitized HTML with its headings renumbered so that none skips a level: the first
    heading is ``top`` (an h2 under the page's h1 headline) and each one after it is at most
    one below the one it follows. An imported filing's section headings are all h3, which
    under the headline skipped h2 (assistive technology announces a missing level, and the Nu
    checker and axe flag it); an editor's h2 with h3s under it is kept as written."""
    stack: list[tuple[int, int]] = []  # (level as written, level printed) of open sections
    printed = top

    def renumber(tag: re.Match) -> str:
        nonlocal printed
        level = int(tag[2])
        if not tag[1]:  # an opening tag: its closing tag, next, takes the same level
            while stack and stack[-1][0] >= level:
                stack.pop()
            printed = min(stack[-1][1] + 1 if stack else top, 6)
            stack.append((level, printed))
        return f"<{tag[1]}h{printed}"

    return mark_safe(_HEADING_TAG.sub(renumber, html))  # noqa: S308 - only tag names change


_TABLE_TAG = re.compile(r"<(/?)table\b[^>]*>", re.I)
_ROW = re.compile(r"<tr\b.*?</tr>", re.I | re.S)
_CELL_START = re.compile(r"<t[dh]\b", re.I)
# A table this many columns wide is wider than a phone's screen, as printed figures go.
WIDE_TABLE_COLUMNS = 3


def scrollable_tables(html: SafeString, first: int = 1) -> SafeString:
    """Sanitized HTML with each top-level table in a region that scrolls sideways on a narrow
    screen: focusable (a keyboard scrolls it; axe's scrollable-region-focusable), named
    ("Table 2"), and for a table of `WIDE_TABLE_COLUMNS` or more a hint, which the page's
    stylesheet shows on a phone only; numbered from ``first``. The page's own markup, not the
    stored body's (feeds, e-mails and the PDF print tables as they are)."""
    out: list[str] = []
    depth = last = 0
    count = first - 1
    for tag in _TABLE_TAG.finditer(html):
        if not tag[1]:
            depth += 1
            if depth == 1:
                count += 1
                end = html.find("</table>", tag.end())
                rows = _ROW.findall(html, tag.end(), end if end != -1 else len(html))
                columns = max((len(_CELL_START.findall(row)) for row in rows), default=0)
                hint = ""
                described = ""
                if columns >= WIDE_TABLE_COLUMNS:
                    hint = (
                        f'<p class="table-hint" id="table-hint-{count}">Table {count} scrolls '
                        "sideways: swipe it, or focus it and use the arrow keys.</p>"
                    )
                    described = f' aria-describedby="table-hint-{count}"'
                out.append(html[last : tag.start()])
                out.append(
                    f'{hint}<div class="table-scroll" role="region" tabindex="0" '
                    f'aria-label="Table {count}"{described}>'
                )
                last = tag.start()
        else:
            depth -= 1
            if depth == 0:
                out.append(html[last : tag.end()] + "</div>")
                last = tag.end()
    out.append(html[last:])
    return mark_safe("".join(out))  # noqa: S308 - fixed markup around sanitized tables


class _Blocks(HTMLParser):
    """(tag, text) of each top-level block of sanitized HTML: p, h2, h3, ul/ol (li), table."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self._stack: list[str] = []
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag == "br":
            self._text.append(" ")
        elif tag in _BLOCKS:
            if not self._stack:
                self._text = []
            self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS and self._stack:
            top = self._stack.pop()
            if not self._stack:
                text = " ".join("".join(self._text).split())
                if text:
                    self.blocks.append((top, text))
        elif tag in _CELL_OR_ITEM and self._stack:
            self._text.append(" ")

    def handle_data(self, data: str) -> None:
        if self._stack:
            self._text.append(data)


_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote"}
_CELL_OR_ITEM = {"li", "td", "th", "tr"}


def blocks(html: str) -> list[tuple[str, str]]:
    """The top-level blocks of sanitized HTML as (tag, plain text), empty ones left out."""
    parser = _Blocks()
    parser.feed(html or "")
    parser.close()
    return parser.blocks


# A summary is taken from this many characters at the start of a body: a 4 MB body is not
# parsed whole for forty words.
SUMMARY_SOURCE_CHARS = 64 * 1024


def paragraphs(html: str) -> list[str]:
    """The text of the paragraphs (``<p>``) of sanitized HTML: what reads as prose, without the
    headings, lists and tables between them."""
    return [text for tag, text in blocks(html) if tag == "p"]


# A full stop after these is no end of a sentence ("ImmunoGen, Inc. (Nasdaq: IMGN) today …").
_ABBREVIATIONS = re.compile(
    r"\b(?:Inc|Corp|Co|Ltd|LLC|N\.V|S\.A|plc|Mr|Mrs|Ms|Dr|Prof|St|No|Nos|vs|U\.S|U\.K|approx|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec|[A-Z])\.$"
)
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”’)]?\s+")


def sentences(text: str) -> list[str]:
    """``text`` split after each full stop, question or exclamation mark that ends a sentence."""
    found, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start : match.start()].rstrip() + match.group().strip()
        if _ABBREVIATIONS.search(text[start : match.start()]):
            continue
        found.append(candidate)
        start = match.end()
    if text[start:].strip():
        found.append(text[start:].strip())
    return found


def summary(html: str, words: int = 40) -> str:
    """A summary of sanitized HTML for feeds, search engines and e-mail: whole sentences of its
    paragraphs, about ``words`` words, headings, bullets and tables left out. A first sentence
    longer than that is cut at a word, with " …"."""
    chosen: list[str] = []
    count = 0
    found = blocks((html or "")[:SUMMARY_SOURCE_CHARS])
    prose = [t for tag, t in found if tag == "p"] or [t for tag, t in found if tag[0] != "h"]
    for paragraph in prose:
        for sentence in sentences(paragraph):
            length = len(sentence.split())
            if chosen and count + length > words:
                return " ".join(chosen)
            if not chosen and length > words:
                return Truncator(sentence).words(words, truncate=" …")
            chosen.append(sentence)
            count += length
    return " ".join(chosen)
