"""Parse an 8-K Exhibit 99 press release (text, HTML or a whole EDGAR submission).

The front ends (``html_blocks.py``, ``text_blocks.py``) turn either format into a flat list
of blocks; this module finds the parts of a press release in that list with layout-independent
heuristics:

* the *dateline* ("CITY, Month D, YYYY -- ") anchors everything: blocks before it are the front
  matter (exhibit label, letterhead, contacts, FOR IMMEDIATE RELEASE, headline, subheadlines),
  blocks after it are the body;
* in the body, headings starting "About" open About sections, forward-looking-statement headings
  or paragraphs open the safe harbor, contact headers / contact tables / wire trailers give the
  contacts, and end marks (###, * * *, +++, -0-) are recorded;
* everything else stays in the body, re-flowed into paragraphs, headings, lists and tables.
"""

from __future__ import annotations

import datetime
import re

from .blocks import PAGE_NUMBER_RE, Block
from .body import company_from_lead, find_ticker, first_paragraph_text, parse_body
from .dateline import find_dateline, guess_body_start, resolve_date
from .front import parse_front
from .html_blocks import html_blocks
from .model import ExhibitDocument, ExhibitError
from .patterns import (
    CONTINUED_RE,
    END_MARK_RE,
    HTML_SNIFF_RE,
    SUBMISSION_SNIFF_RE,
    WIRE_DATE_RE,
    make_date,
)
from .submission import decode, split_documents
from .text_blocks import text_blocks

NO_HEADLINE_WARNING = (
    "the exhibit prints no headline: it is left empty (write one before the draft is "
    "submitted, or pass --headline)"
)

__all__ = ["ExhibitError", "parse_exhibit", "parse_submission", "split_submission"]


def split_submission(data: bytes) -> tuple[list[tuple[str, bytes]], datetime.date | None]:
    """EX-99* documents of an EDGAR submission (type, bytes) and the filing date."""
    docs, filed = split_documents(data)
    return [(t, b) for t, b, _ in docs], filed


def parse_submission(
    data: bytes,
    *,
    filename: str = "",
    default_date: datetime.date | None = None,
    default_headline: str = "",
) -> list[ExhibitDocument]:
    """Every press-release exhibit of an EDGAR submission (EX-99.1, EX-99.2, ...)."""
    docs, filed = split_documents(data)
    if not docs:
        raise ExhibitError("EDGAR submission contains no EX-99 document")
    return [
        _parse_document(body, filename, default_date, default_headline, filed, offset)
        for _, body, offset in docs
    ]


def parse_exhibit(
    data: bytes,
    *,
    filename: str = "",
    default_date: datetime.date | None = None,
    default_headline: str = "",
) -> ExhibitDocument:
    """Parse one press-release exhibit; an EDGAR submission yields its first EX-99 exhibit.

    ``default_date`` dates an exhibit that prints no full date; without it such a file raises
    ExhibitError, whose ``line`` is a line of the file as given (for HTML too).
    ``default_headline`` heads one that prints no headline (a wire continuation); without it
    the headline is left empty and ``warnings`` says so.
    """
    if not data or not data.strip():
        raise ExhibitError("empty file", line=None)
    if SUBMISSION_SNIFF_RE.search(data[:20000]):
        docs, filed = split_documents(data)
        if not docs:
            raise ExhibitError("EDGAR submission contains no EX-99 document")
        _, body, offset = docs[0]
        return _parse_document(body, filename, default_date, default_headline, filed, offset)
    return _parse_document(data, filename, default_date, default_headline, None, 0)


def _parse_document(
    data: bytes,
    filename: str,
    default_date: datetime.date | None,
    default_headline: str,
    filed: datetime.date | None,
    offset: int,
) -> ExhibitDocument:
    try:
        return _parse_document_inner(data, filename, default_date, default_headline, filed)
    except ExhibitError as exc:
        if offset and exc.line:
            raise ExhibitError(exc.reason, line=exc.line + offset) from None
        raise


def _parse_document_inner(
    data: bytes,
    filename: str,
    default_date: datetime.date | None,
    default_headline: str,
    filed: datetime.date | None,
) -> ExhibitDocument:
    if not data.strip():
        raise ExhibitError("empty file", line=None)
    text = decode(data)
    if not text.strip():
        raise ExhibitError("empty file", line=None)
    is_html = filename.lower().endswith((".htm", ".html")) or bool(
        HTML_SNIFF_RE.search(text[:50000])
    )
    if is_html:
        try:
            blocks = html_blocks(text)
        except ValueError as exc:
            raise ExhibitError(f"unparseable HTML: {exc}", line=1) from None
        if not any(b.kind in ("p", "table") for b in blocks):
            raise ExhibitError("HTML has no readable text (truncated or unparseable)", line=1)
    else:
        blocks = text_blocks(text)
        if not blocks:
            raise ExhibitError("no text found", line=1)
    blocks = _tidy_blocks(blocks)

    doc = ExhibitDocument(source_format="html" if is_html else "text")
    dl = find_dateline(blocks)
    front_end = dl.index if dl else guess_body_start(blocks)
    front = parse_front(blocks[:front_end])
    if default_headline.strip() and not front.headline:
        front.headline = " ".join(default_headline.split())
    if not front.headline and not dl:
        # Neither headline nor dateline: nothing shows this is a press release at all.
        line = blocks[front_end].line if front_end < len(blocks) else None
        raise ExhibitError(
            "no headline found before the first paragraph; pass --headline", line=line
        )

    doc.exhibit_label = front.label
    doc.company_name = front.company
    doc.address_lines = front.address
    doc.telephone, doc.fax, doc.website = front.telephone, front.fax, front.website
    doc.contacts = list(front.contacts)
    doc.for_immediate_release = front.fir
    doc.release_instruction = front.instruction
    doc.headline = front.headline
    if not doc.headline:
        # A wire continuation prints its dateline and text but no headline (K14): it is read
        # whole, and the headline is left for an editor to write, never made up from the text.
        doc.warnings.append(NO_HEADLINE_WARNING)
    doc.subheadlines = front.subheadlines

    body_blocks = blocks[front_end:]
    if front.tables:  # summary tables above the dateline follow its lead paragraph
        body_blocks = body_blocks[:1] + front.tables + body_blocks[1:]
    if dl:
        doc.dateline_city = dl.city
        doc.wire_tag = dl.wire
    parse_body(body_blocks, doc)

    wire_dates = [
        make_date(int(y), int(mo), int(d)) for mo, d, y in WIRE_DATE_RE.findall(text[-20000:])
    ]
    resolve_date(doc, dl, front, default_date, filed, [d for d in wire_dates if d])
    lead_text = first_paragraph_text(doc.body_html)
    if not doc.company_name:
        doc.company_name = company_from_lead(lead_text)
    doc.exchange, doc.ticker = find_ticker(lead_text, doc)
    return doc


def _tidy_blocks(blocks: list[Block]) -> list[Block]:
    """Drop page numbers and re-join paragraphs split by an HTML page break."""
    out: list[Block] = []
    page_break = False
    split: list[Block] = []
    for b in blocks:
        # "<p><b>About Acme</b><br>Acme makes ...</p>": a run-in heading on its own line
        if b.kind == "p" and b.lead_bold and len(b.lines) > 1 and b.lines[0] == b.lead_bold:
            head = Block(**{**b.__dict__, "text": b.lines[0], "lines": b.lines[:1]})
            head.bold, head.lead_bold = True, ""
            rest = Block(**{**b.__dict__, "text": " ".join(b.lines[1:]), "lines": b.lines[1:]})
            rest.lead_bold, rest.gap_before = "", False
            split += [head, rest]
        else:
            split.append(b)
    for b in split:
        if b.kind == "p" and (
            (PAGE_NUMBER_RE.match(b.text) and len(b.text) <= 12 and not END_MARK_RE.match(b.text))
            or CONTINUED_RE.match(b.text)
        ):
            page_break = True
            continue
        if b.kind == "hr":
            page_break = True
            out.append(b)
            continue
        if b.kind == "p" and page_break and b.text[:1].islower():
            prev = next((x for x in reversed(out) if x.kind != "hr"), None)
            if (
                prev is not None
                and prev.kind == "p"
                and not re.search(r"[.!?:]['\"”’)]?$", prev.text)
            ):
                while out and out[-1].kind == "hr":
                    out.pop()
                prev.text = f"{prev.text} {b.text}"
                prev.lines = prev.lines + b.lines
                page_break = False
                continue
        if b.kind != "hr":
            page_break = False
        out.append(b)
    return out
