"""Small text helpers for how a release reads."""

import html as html_module
import re

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe


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
