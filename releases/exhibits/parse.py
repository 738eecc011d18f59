"""Parse an 8-K Exhibit 99 press release (text, HTML or a whole EDGAR submission).

The front ends in ``blocks.py`` turn either format into a flat list of blocks; this module finds
the parts of a press release in that list with layout-independent heuristics:

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
import html
import re
from dataclasses import dataclass, field

from .blocks import PAGE_NUMBER_RE, Block, clean_inline, html_blocks, is_columnar, text_blocks
from .model import ExhibitContact, ExhibitDocument, ExhibitError, ExhibitSection
from .patterns import (
    ABOUT_RE,
    ADDRESS_RE,
    AUDIENCE_LABEL_RE,
    CONNECTOR_START_RE,
    CONTACT_HEADER_RE,
    COVER_RE,
    DATE_RE,
    DATELINE_NO_CITY_RE,
    DATELINE_RES,
    EMAIL_RE,
    END_MARK_RE,
    FAX_LINE_RE,
    FIR_RE,
    FLS_HEADING_RE,
    FLS_PARA_RE,
    INVESTOR_WORDS_RE,
    LABEL_RE,
    MEDIA_WORDS_RE,
    NAME_RE,
    NOT_A_CITY_RE,
    NOTE_RE,
    ORG_RE,
    PHONE_RE,
    SYMBOL_RE,
    TEL_LINE_RE,
    TICKER_RE,
    TITLE_RE,
    URL_RE,
    WEB_LINE_RE,
    make_date,
    parse_date_match,
)

__all__ = ["ExhibitError", "parse_exhibit", "parse_submission", "split_submission"]

_HTML_SNIFF_RE = re.compile(
    r"<(?:html|body|p|div|font|br|td|tr|span|b|i|center|h[1-6]|table\s+[a-z]|!doctype)\b[^>]*>",
    re.IGNORECASE,
)
_SUBMISSION_SNIFF_RE = re.compile(
    rb"<(?:SEC-DOCUMENT|SEC-HEADER|IMS-HEADER)>|<DOCUMENT>\s*<TYPE>", re.IGNORECASE
)


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------


def split_submission(data: bytes) -> tuple[list[tuple[str, bytes]], datetime.date | None]:
    """EX-99* documents of an EDGAR submission (type, bytes) and the filing date."""
    docs, filed = _split_submission(data)
    return [(t, b) for t, b, _ in docs], filed


def parse_submission(
    data: bytes, *, filename: str = "", default_date: datetime.date | None = None
) -> list[ExhibitDocument]:
    """Every press-release exhibit of an EDGAR submission (EX-99.1, EX-99.2, ...)."""
    docs, filed = _split_submission(data)
    if not docs:
        raise ExhibitError("EDGAR submission contains no EX-99 document")
    return [
        _parse_document(body, filename, default_date, filed, offset) for _, body, offset in docs
    ]


def parse_exhibit(
    data: bytes, *, filename: str = "", default_date: datetime.date | None = None
) -> ExhibitDocument:
    """Parse one press-release exhibit; an EDGAR submission yields its first EX-99 exhibit."""
    if not data or not data.strip():
        raise ExhibitError("empty file", line=None)
    if _SUBMISSION_SNIFF_RE.search(data[:20000]):
        docs, filed = _split_submission(data)
        if not docs:
            raise ExhibitError("EDGAR submission contains no EX-99 document")
        _, body, offset = docs[0]
        return _parse_document(body, filename, default_date, filed, offset)
    return _parse_document(data, filename, default_date, None, 0)


# ---------------------------------------------------------------------------------------------
# Submission and decoding
# ---------------------------------------------------------------------------------------------

_DOC_RE = re.compile(rb"<DOCUMENT>(.*?)(?:</DOCUMENT>|\Z)", re.DOTALL | re.IGNORECASE)
_TYPE_RE = re.compile(rb"<TYPE>\s*([^\s<]+)", re.IGNORECASE)
_TEXT_RE = re.compile(rb"<TEXT>\s*?\r?\n?(.*?)(?:</TEXT>|\Z)", re.DOTALL | re.IGNORECASE)
_FILED_RES = [
    re.compile(rb"FILED\s+AS\s+OF\s+DATE:\s*(\d{8})", re.IGNORECASE),
    re.compile(rb"<FILING-DATE>\s*(\d{4}-?\d{2}-?\d{2})", re.IGNORECASE),
    re.compile(rb"CONFORMED\s+PERIOD\s+OF\s+REPORT:\s*(\d{8})", re.IGNORECASE),
    re.compile(rb"<PERIOD>\s*(\d{8})", re.IGNORECASE),
]


def _split_submission(
    data: bytes,
) -> tuple[list[tuple[str, bytes, int]], datetime.date | None]:
    filed = None
    header = data[:50000]
    for rx in _FILED_RES:
        m = rx.search(header)
        if m:
            digits = m.group(1).replace(b"-", b"").decode()
            filed = make_date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
            if filed:
                break
    found: list[tuple[str, bytes, int]] = []
    others: list[tuple[str, bytes, int]] = []
    for m in _DOC_RE.finditer(data):
        chunk = m.group(1)
        tm = _TYPE_RE.search(chunk)
        doc_type = tm.group(1).decode("ascii", "replace").upper() if tm else ""
        xm = _TEXT_RE.search(chunk)
        body = xm.group(1) if xm else chunk
        start = m.start(1) + (xm.start(1) if xm else 0)
        offset = data.count(b"\n", 0, start)
        entry = (doc_type, body, offset)
        if doc_type.startswith("EX-99"):
            found.append(entry)
        elif doc_type.startswith("EX-"):
            others.append(entry)
    # Old filings sometimes file the release as another exhibit number (EX-20, EX-28).
    return (found or others), filed


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise ExhibitError("binary file (contains NUL bytes)", line=line)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    controls = sum(1 for ch in text[:20000] if ch < " " and ch not in "\t\n\r\f\v")
    if controls > max(8, len(text[:20000]) // 100):
        raise ExhibitError("binary file (not text or HTML)", line=1)
    return text.replace("\r\n", "\n").replace("\r", "\n")


# ---------------------------------------------------------------------------------------------
# Document
# ---------------------------------------------------------------------------------------------


@dataclass
class _Dateline:
    index: int
    city: str = ""
    year: int | None = None
    month: int | None = None
    day: int | None = None
    wire: str = ""
    has_date: bool = False
    line: int | None = None


@dataclass
class _Front:
    label: str = ""
    company: str = ""
    address: list[str] = field(default_factory=list)
    telephone: str = ""
    fax: str = ""
    website: str = ""
    contacts: list[ExhibitContact] = field(default_factory=list)
    fir: bool = False
    fir_date: datetime.date | None = None
    headline: str = ""
    subheadlines: list[str] = field(default_factory=list)
    headline_line: int | None = None


def _parse_document(
    data: bytes,
    filename: str,
    default_date: datetime.date | None,
    filed: datetime.date | None,
    offset: int,
) -> ExhibitDocument:
    try:
        return _parse_document_inner(data, filename, default_date, filed)
    except ExhibitError as exc:
        if offset and exc.line:
            raise ExhibitError(exc.reason, line=exc.line + offset) from None
        raise


def _parse_document_inner(
    data: bytes,
    filename: str,
    default_date: datetime.date | None,
    filed: datetime.date | None,
) -> ExhibitDocument:
    if not data.strip():
        raise ExhibitError("empty file", line=None)
    text = _decode(data)
    if not text.strip():
        raise ExhibitError("empty file", line=None)
    is_html = filename.lower().endswith((".htm", ".html")) or bool(
        _HTML_SNIFF_RE.search(text[:50000])
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
    dl = _find_dateline(blocks)
    front_end = dl.index if dl else _guess_body_start(blocks)
    front = _parse_front(blocks[:front_end])
    if not front.headline:
        line = blocks[front_end].line if front_end < len(blocks) else None
        raise ExhibitError("no headline found before the first paragraph", line=line)

    doc.exhibit_label = front.label
    doc.company_name = front.company
    doc.address_lines = front.address
    doc.telephone, doc.fax, doc.website = front.telephone, front.fax, front.website
    doc.contacts = list(front.contacts)
    doc.for_immediate_release = front.fir
    doc.headline = front.headline
    doc.subheadlines = front.subheadlines

    body_blocks = blocks[front_end:]
    if dl:
        doc.dateline_city = dl.city
        doc.wire_tag = dl.wire
    _parse_body(body_blocks, doc)

    _resolve_date(doc, dl, front, default_date, filed)
    lead_text = _first_paragraph_text(doc.body_html)
    if not doc.company_name:
        doc.company_name = _company_from_lead(lead_text)
    doc.exchange, doc.ticker = _find_ticker(lead_text, doc)
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
        if (
            b.kind == "p"
            and PAGE_NUMBER_RE.match(b.text)
            and len(b.text) <= 12
            and not END_MARK_RE.match(b.text)
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


# ---------------------------------------------------------------------------------------------
# Dateline
# ---------------------------------------------------------------------------------------------


def match_dateline(text: str) -> tuple[re.Match[str] | None, str]:
    """Match a dateline at the start of ``text``; returns (match, lead text after it)."""
    head = text[:300]
    for rx in DATELINE_RES:
        m = rx.match(head)
        if not m:
            continue
        city = m.group("city")
        if len(city) > 60 or NOT_A_CITY_RE.search(city):
            continue
        rest = text[m.end() :].strip()
        if rest and not re.match(r"[\w“\"‘'(\[$]", rest):
            continue
        return m, rest
    m = DATELINE_NO_CITY_RE.match(head)
    if m and (m.group("year") or m.group("year2")):
        return m, text[m.end() :].strip()
    return None, text


def _find_dateline(blocks: list[Block]) -> _Dateline | None:
    paras = [i for i, b in enumerate(blocks) if b.kind == "p"]
    limit = max(12, len(paras) * 2 // 5)
    for i in paras[:limit]:
        b = blocks[i]
        if b.bullet or len(b.text) < 12:
            continue
        m, rest = match_dateline(b.text)
        if not m:
            continue
        if not rest and not any(x.kind == "p" for x in blocks[i + 1 : i + 3]):
            continue
        groups = m.groupdict()
        dl = _Dateline(index=i, line=b.line)
        dl.city = (groups.get("city") or "").strip().rstrip(",").strip()
        dl.wire = (groups.get("wire") or "").strip()
        if groups.get("mon") or groups.get("mon2"):
            dl.year, dl.month, dl.day = parse_date_match(m)
            dl.has_date = True
        elif dl.wire:
            dm = DATE_RE.search(dl.wire)  # "(Marketwire - Jan 25, 2005)"
            if dm:
                dl.year, dl.month, dl.day = parse_date_match(dm)
                dl.has_date = True
        # The block now holds the lead paragraph only (or is dropped if the dateline stood alone).
        if rest:
            lead = Block(**{**b.__dict__, "text": rest, "lines": [rest], "lead_bold": ""})
            blocks[i] = lead
        else:
            blocks[i] = Block(kind="hr", line=b.line)
        return dl
    return None


def _guess_body_start(blocks: list[Block]) -> int:
    """Without a dateline: the body starts at the first long paragraph."""
    for i, b in enumerate(blocks):
        if b.kind == "p" and (len(b.text) > 200 or (len(b.text) > 80 and b.text.endswith("."))):
            return i
    return min(len(blocks), 3)


# ---------------------------------------------------------------------------------------------
# Front matter: label, letterhead, contacts, FIR, headline
# ---------------------------------------------------------------------------------------------


@dataclass
class _Item:
    text: str
    block: Block
    line: int | None


def _is_letterhead_line(text: str) -> bool:
    return bool(
        ADDRESS_RE.search(text)
        or TEL_LINE_RE.search(text)
        or FAX_LINE_RE.search(text)
        or WEB_LINE_RE.match(text)
    )


def _parse_front(front: list[Block]) -> _Front:
    res = _Front()
    items: list[_Item] = []
    contact_mode = False
    contact_lines: list[str | None] = []

    def flush_contacts() -> None:
        nonlocal contact_lines
        if contact_lines:
            res.contacts.extend(parse_contact_lines(contact_lines))
        contact_lines = []

    in_contacts = False
    header_text = ""
    for k, b in enumerate(front):
        if b.kind == "hr":
            continue
        if b.kind == "table":
            prev = front[k - 1] if k else None
            header = (
                prev is not None
                and prev.kind == "p"
                and len(prev.text) < 90
                and bool(CONTACT_HEADER_RE.match(prev.text) or AUDIENCE_LABEL_RE.match(prev.text))
            )
            if _is_contact_table(b, header):
                if header and items and items[-1].block is prev:
                    items.pop()
                res.contacts.extend(parse_contact_table(b, [prev.text] if header else []))
                continue
            lines = [ln for row in b.rows for cell in row for ln in cell.split("\n") if ln]
            if not lines:
                lines = [ln.strip() for ln in b.raw if ln.strip()]
            for ln in lines:
                items.append(_Item(clean_inline(ln), b, b.line))
            continue
        # Multi-line blocks that mix letterhead or contact lines are read line by line, and so
        # is anything stacked under a contacts header.
        header_line = CONTACT_HEADER_RE.match(b.lines[0] if b.lines else b.text) or (
            AUDIENCE_LABEL_RE.match(b.lines[0] if b.lines else b.text)
        )
        was_in_contacts = in_contacts
        if header_line and len(b.text) < 90:
            in_contacts = True
            header_text = b.lines[0] if b.lines else b.text
        elif b.align == "center" or FIR_RE.match(b.text):
            in_contacts = False
        if was_in_contacts and b.raw and any(is_columnar(r) for r in b.raw):
            # side-by-side columns too ragged to pass as a table
            res.contacts.extend(parse_contact_table(Block(kind="table", raw=b.raw), [header_text]))
            continue
        split = len(b.lines) > 1 and (
            (in_contacts and b.align != "center")
            or any(
                _is_letterhead_line(ln)
                or EMAIL_RE.search(ln)
                or _is_phone_line(ln)
                or CONTACT_HEADER_RE.match(ln)
                or AUDIENCE_LABEL_RE.match(ln)
                or LABEL_RE.match(ln)
                or FIR_RE.match(ln)
                for ln in b.lines
            )
        )
        if split:
            for j, ln in enumerate(b.lines):
                items.append(_Item(ln, b, (b.line + j) if b.line and b.raw else b.line))
        else:
            items.append(_Item(b.text, b, b.line))
    candidates: list[_Item] = []
    letterhead_done = False
    i = 0
    while i < len(items):
        it = items[i]
        t = it.text.strip()
        i += 1
        if not t or PAGE_NUMBER_RE.match(t):
            continue
        m = LABEL_RE.match(t)
        if m and not res.label:
            res.label = t
            continue
        m = FIR_RE.match(t)
        if m:
            flush_contacts()
            contact_mode = False
            res.fir = True
            dm = DATE_RE.search(m.group("rest") or "")
            if dm:
                y, mo, d = parse_date_match(dm)
                if y and mo and d:
                    res.fir_date = make_date(y, mo, d)
            continue
        if COVER_RE.match(t):
            continue
        hm = CONTACT_HEADER_RE.match(t) if len(t) < 90 else None
        am = AUDIENCE_LABEL_RE.match(t) if len(t) < 60 else None
        if hm or (am and (contact_mode or _next_is_contact(items, i))):
            contact_mode = True
            contact_lines.append(None)
            contact_lines.append(t)
            # A contact table right after "CONTACTS:" is handled by the table branch above.
            continue
        if contact_mode:
            if _is_contact_line(it):
                contact_lines.append(t)
                if i < len(items) and items[i].block is not it.block and items[i].block.gap_before:
                    contact_lines.append(None)
                continue
            flush_contacts()
            contact_mode = False
        if not candidates and not letterhead_done and _is_letterhead_line(t):
            _take_letterhead(res, t)
            if not res.company:
                prev = _previous_company_candidate(items, i - 1, res)
                if prev is not None:
                    res.company = prev
                    candidates = [c for c in candidates if c.text != prev]
            continue
        if not candidates and not res.company and _looks_like_company(it, items, i):
            res.company = t
            continue
        if res.company and not candidates and t == res.company:
            continue
        candidates.append(it)
        letterhead_done = True
    flush_contacts()
    _pick_headline(res, candidates)
    return res


def _next_is_contact(items: list[_Item], i: int) -> bool:
    return i < len(items) and _is_contact_line(items[i])


def _is_contact_line(it: _Item) -> bool:
    t = it.text.strip()
    if not t or len(t) > 90:
        return False
    if FIR_RE.match(t) or LABEL_RE.match(t) or END_MARK_RE.match(t):
        return False
    if EMAIL_RE.search(t) or _is_phone_line(t):
        return True
    # Headlines are set bold or centred; contact lines normally are not.
    if it.block.kind == "p" and (it.block.align == "center" or (it.block.bold and len(t) > 40)):
        return False
    if AUDIENCE_LABEL_RE.match(t):
        return True
    words = t.split()
    if len(words) >= 3 and t.upper() == t and not ORG_RE.search(t.title()):
        return False  # an all-caps headline after the contacts
    return bool(
        _is_name(t.split(",")[0]) or ORG_RE.search(t) or TITLE_RE.search(t) or len(t.split()) <= 3
    )


def _take_letterhead(res: _Front, t: str) -> None:
    tel = TEL_LINE_RE.search(t)
    fax = FAX_LINE_RE.search(t)
    web = WEB_LINE_RE.match(t) or (re.match(r"^web\b", t, re.IGNORECASE) and URL_RE.search(t))
    if tel:
        res.telephone = res.telephone or tel.group("num").strip()
    if fax:
        res.fax = res.fax or fax.group("num").strip()
    if web:
        url = URL_RE.search(t)
        res.website = res.website or (url.group() if url else t)
    if not (tel or fax or web):
        res.address.append(t)


def _previous_company_candidate(items: list[_Item], idx: int, res: _Front) -> str | None:
    for j in range(idx - 1, -1, -1):
        t = items[j].text.strip()
        if not t or LABEL_RE.match(t) or PAGE_NUMBER_RE.match(t):
            continue
        if _is_letterhead_line(t):
            continue
        if len(t) <= 80 and not t.endswith("."):
            return t
        if ORG_RE.search(t) and len(t) <= 80:
            return t
        return None
    return None


def _looks_like_company(it: _Item, items: list[_Item], i: int) -> bool:
    """A company name printed as letterhead right above an address / phone line."""
    t = it.text.strip()
    if len(t) > 80 or FIR_RE.match(t):
        return False
    nxt = next((x.text.strip() for x in items[i:] if x.text.strip()), "")
    return bool(nxt) and _is_letterhead_line(nxt) and not CONTACT_HEADER_RE.match(nxt)


def _pick_headline(res: _Front, candidates: list[_Item]) -> None:
    texts: list[tuple[str, _Item]] = []
    for it in candidates:
        t = clean_inline(it.text)
        if not t or END_MARK_RE.match(t) or re.fullmatch(r"[-=_*~.]+", t):
            continue
        # A continuation of the previous line ("... REGAINS DEVELOPMENT" / "AND COMMERCIALIZATION").
        if texts and not it.block.bullet and (t[0].islower() or CONNECTOR_START_RE.match(t)):
            prev, first = texts[-1]
            texts[-1] = (f"{prev} {t}", first)
            continue
        texts.append((t, it))
    if not texts:
        return
    res.headline = texts[0][0]
    res.headline_line = texts[0][1].line
    res.subheadlines = [t for t, _ in texts[1:]]


# ---------------------------------------------------------------------------------------------
# Contacts
# ---------------------------------------------------------------------------------------------


def _audience_of(text: str) -> str:
    if INVESTOR_WORDS_RE.search(text):
        return "investors"
    if MEDIA_WORDS_RE.search(text):
        return "media"
    return ""


def _is_phone_line(t: str) -> bool:
    m = PHONE_RE.search(t)
    if not m or sum(ch.isdigit() for ch in m.group()) < 7:
        return False
    rest = (t[: m.start()] + t[m.end() :]).strip(" ,;:/")
    rest = re.sub(
        r"\b(?:tel|telephone|phone|ph|office|direct|mobile|cell|main|t|p|o|m|c|work|fax)\b\.?:?",
        "",
        rest,
        flags=re.IGNORECASE,
    )
    return len(rest.strip(" ,;:/().-")) <= 2


def _is_name(t: str) -> bool:
    t = t.strip()
    if not NAME_RE.match(t) or TITLE_RE.search(t) or ORG_RE.search(t):
        return False
    words = t.replace(",", " ").split()
    return 2 <= len(words) <= 6 and not any(w.lower() in ("the", "and", "of", "for") for w in words)


_NAME_SUFFIX_ONLY_RE = re.compile(
    r"^(?:Ph\.?\s?D\.?|M\.?D\.?|Jr\.?|Sr\.?|II|III|IV|CFA|CPA|Esq\.?|MBA)$"
)
_TITLE_CONTINUES_RE = re.compile(r"(?:\band|&|\bof|\bfor|\bto|,|-|/)$", re.IGNORECASE)


class _ContactBuilder:
    def __init__(self, audience: str | None = None) -> None:
        self.contacts: list[ExhibitContact] = []
        self.cur: ExhibitContact | None = None
        # None: no header seen (guess from titles); "" : a header for general contacts
        self.audience = audience
        self.prev_kind = ""

    def close(self) -> None:
        c = self.cur
        if c and (c.name or c.email or c.telephone):
            if not c.audience:
                # no header said who this contact is for: guess from the job title
                c.audience = self.audience if self.audience is not None else _audience_of(c.title)
            self.contacts.append(c)
        self.cur = None
        self.prev_kind = ""

    def current(self) -> ExhibitContact:
        if self.cur is None:
            self.cur = ExhibitContact(name="", audience=self.audience or "")
        return self.cur

    def feed(self, line: str | None) -> None:
        if line is None:
            self.close()
            return
        s = clean_inline(line).strip(" []")
        if not s:
            self.close()
            return
        c = self.cur
        if (
            c is not None
            and self.prev_kind == "title"
            and _TITLE_CONTINUES_RE.search(c.title)
            and not EMAIL_RE.search(s)
            and not _is_phone_line(s)
        ):
            c.title = f"{c.title} {s}"
            return
        hm = CONTACT_HEADER_RE.match(s) if len(s) < 120 else None
        am = AUDIENCE_LABEL_RE.match(s)
        if am and not hm and self.cur and self.cur.name and self.prev_kind == "name":
            # "Investor Relations" right under a name is that person's department
            self.cur.audience = self.cur.audience or _audience_of(am.group("label"))
            self.cur.title = self.cur.title or s
            self.prev_kind = "title"
            return
        if hm or (am and (len(s) < 40 or am.group("rest"))):
            m = hm or am
            label = m.group("label")
            rest = m.group("rest").strip(" :-–")
            self.close()
            self.audience = _header_audience(label)
            if not rest:
                return
            s = rest
        self.feed_value(s)

    def feed_value(self, s: str) -> None:
        # e-mail addresses and phone numbers can share a line with other fields
        for em in EMAIL_RE.findall(s):
            c = self.current()
            if c.email and c.email != em and (c.name or c.telephone):
                self.close()
                c = self.current()
            c.email = c.email or em
        if EMAIL_RE.search(s):
            s = EMAIL_RE.sub("", s)
            s = re.sub(r"\b(?:e-?mail|email)\s*:?", "", s, flags=re.IGNORECASE).strip(" ,;:/|")
        if not s:
            self.prev_kind = "email"
            return
        if _is_phone_line(s):
            c = self.current()
            num = PHONE_RE.search(s).group().strip()  # type: ignore[union-attr]
            if re.search(r"\bfax\b", s, re.IGNORECASE):
                self.prev_kind = "fax"
                return
            if not c.telephone:
                c.telephone = num
            self.prev_kind = "phone"
            return
        # "Thomas B. Heacock, Chief Financial Officer" / "Corey Davis, PhD"
        parts = [p.strip() for p in s.split(",") if p.strip()]
        if len(parts) > 1 and _is_name(parts[0]) and not ORG_RE.search(s.split(",", 1)[1][:6]):
            name = parts[0]
            rest = parts[1:]
            while rest and _NAME_SUFFIX_ONLY_RE.match(rest[0]):
                name += ", " + rest.pop(0)
            self.take_name(name)
            for p in rest:
                if _is_phone_line(p):
                    self.feed_value(p)
                elif ORG_RE.search(p) and not TITLE_RE.search(p):
                    self.current().organization = self.current().organization or p
                else:
                    c = self.current()
                    c.title = f"{c.title}, {p}" if c.title else p
                    self.prev_kind = "title"
            return
        self.classify(s)

    def take_name(self, name: str) -> None:
        c = self.cur
        if c is not None and (c.name or (self.prev_kind and self.prev_kind != "org")):
            self.close()
        self.current().name = name
        self.prev_kind = "name"

    def classify(self, s: str) -> None:
        c = self.cur
        # Wrapped job titles: "Senior Director, Investor Relations and" / "Corporate Communications"
        if (
            c is not None
            and self.prev_kind == "title"
            and (s[0].islower() or _TITLE_CONTINUES_RE.search(c.title))
            and not (ORG_RE.search(s) and not TITLE_RE.search(s))
        ):
            c.title = f"{c.title} {s}"
            return
        is_org = bool(ORG_RE.search(s))
        is_title = bool(TITLE_RE.search(s))
        if URL_RE.fullmatch(s):
            self.prev_kind = "web"
            return
        if is_org and not (is_title and not re.search(r"\b(?:Inc|LLC|Ltd|Corp|plc)\b", s)):
            cur = self.current()
            if cur.organization and cur.name and cur.telephone:
                self.close()
                cur = self.current()
            if not cur.organization:
                cur.organization = s
            self.prev_kind = "org"
            return
        if _is_name(s):
            self.take_name(s)
            return
        cur = self.current()
        if is_title:
            if cur.title and self.prev_kind == "title":
                cur.title = f"{cur.title} {s}"
            elif not cur.title:
                cur.title = s
            elif not cur.organization:
                cur.organization = s
            self.prev_kind = "title"
            return
        if not cur.name and len(s.split()) >= 2 and not cur.title:
            cur.name = s
            self.prev_kind = "name"
        elif not cur.organization:
            cur.organization = s
            self.prev_kind = "org"
        elif not cur.title:
            cur.title = s
            self.prev_kind = "title"


def _header_audience(label: str) -> str | None:
    """Audience named by a contact header; "" for general contacts, None when it says nothing."""
    aud = _audience_of(label)
    if aud:
        return aud
    if re.search(r"\b(?:general|other|company|additional)\b", label, re.IGNORECASE):
        return ""
    return None


def parse_contact_lines(
    lines: list[str | None], audience: str | None = None
) -> list[ExhibitContact]:
    """Contacts from stacked lines (None = a blank line between entries)."""
    builder = _ContactBuilder(audience)
    for ln in lines:
        builder.feed(ln)
    builder.close()
    return builder.contacts


def _is_contact_table(b: Block, after_header: bool) -> bool:
    if b.kind != "table":
        return False
    if b.raw:
        # fixed-width text: side-by-side columns, each cell a line of a stacked contact
        raw = [ln for ln in b.raw if ln.strip()]
        if len(raw) > 14 or any(len(re.split(r" {3,}", ln.strip())) > 3 for ln in raw):
            return False
        flat = [c for ln in raw for c in re.split(r" {3,}", ln.strip())]
    else:
        cells = [c for row in b.rows for c in row if c]
        if any(len(c) > 160 for c in cells) or len(b.rows) > 14 or (b.rows and len(b.rows[0]) > 5):
            return False
        flat = [ln for c in cells for ln in c.split("\n")]
    if any(CONTACT_HEADER_RE.match(x) for x in flat):
        return True
    if b.raw and any(AUDIENCE_LABEL_RE.match(c) for c in re.split(r" {3,}", b.raw[0].strip())):
        return True
    if b.rows and all(AUDIENCE_LABEL_RE.match(c) for c in b.rows[0] if c):
        return True  # column headings: INVESTORS | MEDIA
    has_reach = any(EMAIL_RE.search(x) or _is_phone_line(x) for x in flat)
    named = any(_is_name(x.split(",")[0]) for x in flat)
    if after_header and (has_reach or named):
        return True
    letterhead = sum(1 for x in flat if ADDRESS_RE.search(x) or FAX_LINE_RE.search(x))
    return has_reach and letterhead == 0 and any(_is_name(x.split(",")[0]) for x in flat)


def _split_text_columns(raw: list[str]) -> tuple[list[str], list[str]]:
    """Split side-by-side contact columns in fixed-width text on the right column's start."""
    starts = []
    for ln in raw:
        gaps = list(re.finditer(r"\S( {3,})(?=\S)", ln))
        if gaps:
            starts.append(gaps[-1].end())
    if not starts:
        return [ln.strip() for ln in raw], []
    split = min(starts)
    left, right = [], []
    for ln in raw:
        indent = len(ln) - len(ln.lstrip())
        if indent >= split - 1:
            left.append("")
            right.append(ln.strip())
            continue
        lpart, rpart = ln[:split], ln[split:]
        if lpart and not lpart.endswith(" ") and rpart and not rpart.startswith(" "):
            # a long left line running past the split point: all of it belongs left
            left.append(ln.strip())
            right.append("")
            continue
        left.append(lpart.strip())
        right.append(rpart.strip())
    return left, right


def parse_contact_table(
    b: Block, header_lines: list[str | None] | None = None
) -> list[ExhibitContact]:
    """Contacts laid out in columns: an HTML table or fixed-width text columns."""
    audience: str | None = None
    for ln in header_lines or []:
        if ln:
            m = CONTACT_HEADER_RE.match(ln) or AUDIENCE_LABEL_RE.match(ln)
            if m:
                audience = _header_audience(m.group("label"))
    columns: list[list[str]] = []
    if b.raw:
        left, right = _split_text_columns(b.raw)
        columns = [left, right]
    else:
        ncols = max(len(r) for r in b.rows)
        for j in range(ncols):
            col: list[str] = []
            for r in b.rows:
                cell = r[j] if j < len(r) else ""
                col.extend(cell.split("\n") if cell else [])
                if cell and "\n" in cell:
                    col.append("")  # a whole contact per cell: blank after it
            columns.append(col)
    contacts: list[ExhibitContact] = []
    for col in columns:
        lines: list[str | None] = []
        col_audience = audience
        for _k, ln in enumerate(col):
            s = ln.strip()
            if not s:
                lines.append(None)
                continue
            hm = CONTACT_HEADER_RE.match(s)
            am = AUDIENCE_LABEL_RE.match(s)
            first = not any(x for x in lines)
            if (hm or (am and first)) and not (hm or am).group("rest"):  # type: ignore[union-attr]
                label = (hm or am).group("label")  # type: ignore[union-attr]
                # A label column ("Contact:") or a column heading ("INVESTORS")
                found = _header_audience(label)
                col_audience = found if found is not None else col_audience
                lines.append(None)
                continue
            lines.append(s)
        contacts.extend(parse_contact_lines(lines, col_audience))
    return contacts


_TRAILER_CONTACT_RE = re.compile(r"/\s*CONTACT:\s*(?P<body>.+?)/\s*(?=/|\(|$|[A-Z]{2}:)", re.DOTALL)


def parse_wire_trailer(text: str) -> list[ExhibitContact]:
    """Contacts from a PR Newswire style ``/CONTACT: ... /`` trailer."""
    m = _TRAILER_CONTACT_RE.search(text)
    if not m:
        return []
    body = clean_inline(m.group("body"))
    org = ""
    om = re.search(r",?\s*(?:both|all)\s+of\s+(?P<org>[^/]+?)\s*$", body)
    if om:
        org = om.group("org").strip()
        body = body[: om.start()]
    contacts = []
    for chunk in re.split(r",?\s+or\s+|;\s*", body):
        chunk = chunk.strip(" ,")
        if not chunk:
            continue
        c = ExhibitContact(name="", organization=org)
        for part in [p.strip() for p in chunk.split(",") if p.strip()]:
            em = EMAIL_RE.search(part)
            if em:
                c.email = c.email or em.group()
            elif _is_phone_line(part):
                c.telephone = c.telephone or PHONE_RE.search(part).group().strip()  # type: ignore[union-attr]
            elif re.search(r"\bcontacts?\b", part, re.IGNORECASE) and not c.name:
                c.audience = _audience_of(part)
            elif not c.name:
                nm = re.match(r"^(?P<name>.+?)\s+of\s+(?P<org>.+)$", part)
                if nm and _is_name(nm.group("name")):
                    c.name, c.organization = nm.group("name"), nm.group("org")
                else:
                    c.name = part
            elif TITLE_RE.search(part) and not c.title:
                c.title = part
            elif not c.organization:
                c.organization = part
        if not c.audience:
            c.audience = _audience_of(f"{c.title} {chunk.split(',')[0]}")
        if c.name or c.telephone or c.email:
            contacts.append(c)
    return contacts


# ---------------------------------------------------------------------------------------------
# Body
# ---------------------------------------------------------------------------------------------

_ABBREV_END_RE = re.compile(
    r"\b(?:Inc|Ltd|Co|Corp|Corporation|plc|L\.P|N\.V|S\.A|LLC|Jr|U\.S|Ph\.D|A\.G)\.$", re.IGNORECASE
)
_WIRE_CODES_RE = re.compile(
    r"^/?\s*(?:CO|ST|IN|SU|SOURCE|Web\s*site|Photo|PRN\s+Photo\s+Desk|AP\s+Archive)\s*:",
    re.IGNORECASE,
)


def _is_heading(b: Block) -> bool:
    if b.kind != "p" or b.bullet:
        return False
    t = b.text
    if not t or len(t) > 130 or len(t.split()) > 18:
        return False
    if PAGE_NUMBER_RE.match(t) or t.startswith(("(", "*")):
        return False
    if t[-1] in ".;," and not (_ABBREV_END_RE.search(t) or (b.underlined and t[-1] == ".")):
        return False
    if not (t[0].isupper() or t[0].isdigit() or t[0] in "\"“‘'"):
        return False
    if b.raw and len(b.lines) > 1 and not (b.underlined or b.align == "center"):
        # text mode: a heading sits on a line of its own
        return len(b.lines) <= 2 and all(len(x) < 70 for x in b.lines)
    return True


def _is_fls_paragraph(t: str, window: int = 400) -> bool:
    return bool(FLS_PARA_RE.search(t[:window])) and len(t) > 150


def _inline_heading(b: Block) -> tuple[str, str] | None:
    """A run-in heading: "SAFE HARBOR STATEMENT ...: All forward-looking statements ..."."""
    if b.lead_bold and len(b.lead_bold) < 200 and len(b.text) > len(b.lead_bold) + 20:
        return b.lead_bold, b.text[len(b.lead_bold) :].strip()
    m = re.match(r"^(?P<h>[^:]{6,200}:)\s+(?P<rest>\S.+)$", b.text)
    if m and (m.group("h").upper() == m.group("h") or FLS_HEADING_RE.search(m.group("h"))):
        return m.group("h"), m.group("rest")
    return None


def _p(text: str) -> str:
    return f"<p>{html.escape(text, quote=False)}</p>"


def table_html(rows: list[list[str]]) -> str:
    out = ["<table>", "<tbody>"]
    for row in rows:
        cells = "".join(
            f"<td>{'<br>'.join(html.escape(x, quote=False) for x in c.split(chr(10)))}</td>"
            for c in row
        )
        out.append(f"<tr>{cells}</tr>")
    out += ["</tbody>", "</table>"]
    return "".join(out)


class _Out:
    """Collects HTML for the body or a section, wrapping consecutive bullets in <ul>."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.in_list = False

    def add(self, piece: str, bullet: bool = False) -> None:
        if bullet and not self.in_list:
            self.parts.append("<ul>")
            self.in_list = True
        elif not bullet and self.in_list:
            self.parts.append("</ul>")
            self.in_list = False
        self.parts.append(piece)

    def html(self) -> str:
        if self.in_list:
            self.parts.append("</ul>")
            self.in_list = False
        return "".join(self.parts)


def _block_html(b: Block, heading: bool = False) -> tuple[str, bool]:
    if b.kind == "table":
        return table_html(b.rows or [[x] for x in b.raw]), False
    esc = html.escape(b.text, quote=False)
    if b.bullet:
        return f"<li>{esc}</li>", True
    if heading:
        return f"<h3>{esc}</h3>", False
    return f"<p>{esc}</p>", False


def _parse_body(blocks: list[Block], doc: ExhibitDocument) -> None:
    body = _Out()
    section: tuple[str, str, _Out] | None = None  # (kind, heading, out)
    single_para_section = False
    tail = False  # past the main text: notices go to notes
    contact_mode = False
    contact_lines: list[str | None] = []

    def close_section() -> None:
        nonlocal section
        if section:
            kind, heading, out = section
            sec = ExhibitSection(heading=heading, html=out.html())
            if kind == "about":
                doc.abouts.append(sec)
            elif doc.safe_harbor is None:
                doc.safe_harbor = sec
            else:
                doc.safe_harbor.html += sec.html
        section = None

    def flush_contacts() -> None:
        nonlocal contact_lines, contact_mode
        if contact_lines:
            doc.contacts.extend(parse_contact_lines(contact_lines))
        contact_lines = []
        contact_mode = False

    def next_para(i: int) -> Block | None:
        for b in blocks[i + 1 : i + 3]:
            if b.kind == "p":
                return b
            if b.kind == "table":
                return None
        return None

    # Notices closing the document (trademarks, "home page" lines) are notes even when no
    # About / safe-harbor / end mark comes before them.
    tail_start = len(blocks)
    for k in range(len(blocks) - 1, -1, -1):
        bk = blocks[k]
        if bk.kind == "hr" or (bk.kind == "p" and NOTE_RE.search(bk.text) and len(bk.text) < 800):
            tail_start = k
            continue
        break

    for i, b in enumerate(blocks):
        if i >= tail_start:
            tail = True
        if b.kind == "hr":
            if contact_mode:
                contact_lines.append(None)
            continue
        t = b.text.strip()
        # -- contacts -------------------------------------------------------------------------
        if b.kind == "table" and _is_contact_table(b, contact_mode):
            close_section()
            header = contact_lines
            contact_lines = []
            doc.contacts.extend(parse_contact_table(b, header))
            contact_mode = False
            tail = True
            continue
        if b.kind == "p" and "/CONTACT:" in t.upper().replace(" ", ""):
            close_section()
            flush_contacts()
            doc.contacts.extend(parse_wire_trailer(b.text))
            if re.search(r"(?:^|\s)-0-(?:\s|$)", b.text) and not doc.end_mark:
                doc.end_mark = "-0-"
            tail = True
            continue
        if b.kind == "p" and _WIRE_CODES_RE.match(t) and tail:
            continue
        first_line = (b.lines[0] if b.lines else t).strip("[] ")
        if b.kind == "p" and len(first_line) < 90 and CONTACT_HEADER_RE.match(first_line):
            close_section()
            flush_contacts()
            contact_mode = True
            tail = True
            for ln in b.lines or [t]:
                contact_lines.append(ln)
            continue
        if contact_mode:
            if (
                b.kind == "p"
                and (
                    (len(b.lines) > 1 and all(len(x) < 90 for x in b.lines))
                    or _is_contact_line(_Item(t, b, b.line))
                )
                and not NOTE_RE.search(t)
            ):
                if b.gap_before:
                    contact_lines.append(None)
                contact_lines.extend(b.lines or [t])
                continue
            flush_contacts()
        # -- end marks and notes ---------------------------------------------------------------
        if b.kind == "p" and END_MARK_RE.match(t):
            close_section()
            doc.end_mark = doc.end_mark or re.sub(r"\s+", " ", t)
            tail = True
            continue
        if (
            b.kind == "p"
            and (tail or section)
            and NOTE_RE.search(t)
            and len(t) < 800
            and not (section and section[0] == "safe" and FLS_PARA_RE.search(t))
        ):
            close_section()
            if not re.fullmatch(r"trademarks?:?", t, re.IGNORECASE):
                doc.notes.append(t)
            continue
        # -- About and safe-harbor sections ---------------------------------------------------
        heading = _is_heading(b)
        if heading and ABOUT_RE.match(t):
            close_section()
            section = ("about", t, _Out())
            single_para_section = False
            tail = True
            continue
        if (
            heading
            and doc.safe_harbor is None
            and (
                FLS_HEADING_RE.search(t)
                or (next_para(i) is not None and _is_fls_paragraph(next_para(i).text))  # type: ignore[union-attr]
            )
        ):
            close_section()
            section = ("safe", t, _Out())
            single_para_section = False
            tail = True
            continue
        if b.kind == "p" and doc.safe_harbor is None and not (section and section[0] == "safe"):
            inline = _inline_heading(b)
            if inline and FLS_HEADING_RE.search(inline[0]):
                close_section()
                section = ("safe", inline[0], _Out())
                section[2].add(_p(inline[1]))
                single_para_section = False
                tail = True
                continue
            # Unheaded safe harbor: "This press release contains forward-looking statements..."
            # or, after the main text, "Certain statements in this press release ... are
            # forward-looking statements" (the phrase can come late in a long list).
            opener = re.match(
                r"^(?:this|certain|statements|except|the|all|any|some|information)\b",
                t,
                re.IGNORECASE,
            )
            if (tail and _is_fls_paragraph(t, 2500 if opener else 400)) or (
                opener and _is_fls_paragraph(t)
            ):
                close_section()
                section = ("safe", "", _Out())
                section[2].add(_p(t))
                single_para_section = True
                tail = True
                continue
        if section:
            ends = (
                heading
                or b.kind == "table"
                or single_para_section
                or (b.align == "center" and not b.bullet)
            )
            if not ends:
                piece, bullet = _block_html(b)
                section[2].add(piece, bullet)
                continue
            close_section()
        # -- body -------------------------------------------------------------------------------
        if b.kind == "p" and not t:
            continue
        piece, bullet = _block_html(b, heading=heading and b.kind == "p")
        body.add(piece, bullet)
    close_section()
    flush_contacts()
    doc.body_html = body.html()


def _first_paragraph_text(body_html: str) -> str:
    m = re.search(r"<p>(.*?)</p>", body_html, re.DOTALL)
    return html.unescape(m.group(1)) if m else ""


_LEAD_COMPANY_RE = re.compile(
    r"^(?P<co>[A-Z][\w&.,'’®™\- ]{1,70}?)(?:\s*\([^)]{0,60}\))?,?\s+"
    r"(?:today|announced|reported|said|has|have|will|is|a|an|the|—|--|–)\b"
)


def _company_from_lead(lead: str) -> str:
    m = _LEAD_COMPANY_RE.match(lead)
    if not m:
        return ""
    co = re.sub(r"[®™]|\(R\)|\(TM\)", "", m.group("co")).strip(" ,")
    if len(co.split()) > 8 or co.lower() in ("the", "we", "it"):
        return ""
    return co


def _find_ticker(lead: str, doc: ExhibitDocument) -> tuple[str, str]:
    for text in (
        lead,
        _strip_tags(doc.body_html),
        " ".join(_strip_tags(a.html) for a in doc.abouts),
    ):
        m = TICKER_RE.search(text)
        if m:
            return re.sub(r"\s+", " ", m.group("ex")), m.group("sym")
    for text in (_strip_tags(doc.body_html), " ".join(_strip_tags(a.html) for a in doc.abouts)):
        m = SYMBOL_RE.search(text)
        if m:
            return m.group("ex"), m.group("sym")
    return "", ""


def _strip_tags(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


# ---------------------------------------------------------------------------------------------
# Date
# ---------------------------------------------------------------------------------------------


def _closest_year(month: int, day: int, ref: datetime.date) -> datetime.date | None:
    """The month/day nearest to ``ref`` (a December dateline filed in January is last year)."""
    options = [make_date(y, month, day) for y in (ref.year - 1, ref.year, ref.year + 1)]
    valid = [d for d in options if d]
    return min(valid, key=lambda d: abs((d - ref).days)) if valid else None


def _resolve_date(
    doc: ExhibitDocument,
    dl: _Dateline | None,
    front: _Front,
    default_date: datetime.date | None,
    filed: datetime.date | None,
) -> None:
    line = dl.line if dl else front.headline_line
    if dl and dl.has_date and dl.month and dl.day:
        if dl.year:
            d = make_date(dl.year, dl.month, dl.day)
            if d is None:
                raise ExhibitError("dateline date is not a valid date", line=line)
            doc.date, doc.date_source = d, "dateline"
            return
        for ref, source in ((default_date, "option"), (filed, "filing")):
            if ref:
                doc.date, doc.date_source = _closest_year(dl.month, dl.day, ref), source
                if doc.date:
                    return
        raise ExhibitError("dateline has no year; pass --date YYYY-MM-DD", line=line)
    # No date in the dateline (or no dateline): a dated FOR IMMEDIATE RELEASE line, or the caller.
    for ref, source in ((front.fir_date, "document"), (default_date, "option"), (filed, "filing")):
        if ref:
            doc.date, doc.date_source = ref, source
            return
    if dl:
        raise ExhibitError("dateline has no date; pass --date YYYY-MM-DD", line=line)
    raise ExhibitError("no dateline with a release date found; pass --date YYYY-MM-DD", line=line)
