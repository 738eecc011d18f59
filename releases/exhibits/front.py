"""Front matter: exhibit label, letterhead, contacts above the headline, FOR IMMEDIATE RELEASE,
headline and subheadlines.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from .blocks import PAGE_NUMBER_RE, Block, clean_inline
from .contacts import (
    contact_header,
    is_contact_table,
    is_name,
    is_phone_line,
    labelled_contact,
    parse_contact_lines,
    parse_contact_table,
)
from .model import ExhibitContact
from .patterns import (
    ADDRESS_RE,
    AUDIENCE_LABEL_RE,
    CONNECTOR_START_RE,
    CONTACT_HEADER_RE,
    COVER_RE,
    DATE_LINE_RE,
    DATE_RE,
    EMAIL_RE,
    END_MARK_RE,
    FAX_LINE_RE,
    FIGURE_RE,
    FIR_RE,
    LABEL_RE,
    ORG_RE,
    TEL_LINE_RE,
    TITLE_RE,
    URL_RE,
    WEB_LINE_RE,
    make_date,
    parse_date_match,
)
from .text_tables import is_columnar


@dataclass
class Front:
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
    instruction: str = ""
    tables: list[Block] = field(default_factory=list)  # summary tables set before the dateline


@dataclass
class Item:
    text: str
    block: Block
    line: int | None


def is_letterhead_line(text: str) -> bool:
    return bool(
        ADDRESS_RE.search(text)
        or TEL_LINE_RE.search(text)
        or FAX_LINE_RE.search(text)
        or WEB_LINE_RE.match(text)
    )


def parse_front(front: list[Block]) -> Front:
    res = Front()
    items: list[Item] = []
    contact_mode = False
    contact_lines: list[str | None] = []

    def flush_contacts() -> None:
        nonlocal contact_lines
        if contact_lines:
            res.contacts.extend(parse_contact_lines(contact_lines))
        contact_lines = []

    in_contacts = False
    header_text = ""
    # Contacts read from a table or from side-by-side columns, by the item standing where the
    # table stood: they join the contacts there, so contacts keep the order the exhibit prints
    # them in (a labelled block of lines above a table of columns comes first).
    read_at: dict[int, list[ExhibitContact]] = {}
    for k, b in enumerate(front):
        if b.kind == "hr":
            continue
        if b.table_bullet:
            # Highlights set as a glyph-cell layout table above the dateline: a list of the
            # body, after its lead paragraph, as a summary table is (bullets set as a list
            # right under the headline stay its subheadlines).
            res.tables.append(b)
            continue
        if b.kind == "table":
            prev = front[k - 1] if k else None
            header = (
                prev is not None
                and prev.kind == "p"
                and len(prev.text) < 90
                and bool(CONTACT_HEADER_RE.match(prev.text) or AUDIENCE_LABEL_RE.match(prev.text))
            )
            if is_contact_table(b, header):
                if header and items and items[-1].block is prev:
                    items.pop()
                # A contact stacked under the columns continues the block (a header of none).
                items.append(Item("CONTACTS:", b, b.line))
                # (A header is a paragraph before the table: header implies prev.)
                heading = [prev.text] if header and prev is not None else []
                read_at[id(items[-1])] = parse_contact_table(b, heading)
                continue
            figures = sum(1 for row in b.rows for cell in row if FIGURE_RE.match(cell.strip()))
            if figures >= 2:
                # a summary table of results above the dateline: body, not headline material
                res.tables.append(b)
                continue
            lines = [ln for row in b.rows for cell in row for ln in cell.split("\n") if ln]
            if not lines:
                lines = [ln.strip() for ln in b.raw if ln.strip()]
            for ln in lines:
                items.append(Item(clean_inline(ln), b, b.line))
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
            items.append(Item("", b, b.line))
            read_at[id(items[-1])] = parse_contact_table(
                Block(kind="table", raw=b.raw), [header_text]
            )
            continue
        split = len(b.lines) > 1 and (
            (in_contacts and b.align != "center")
            or any(
                is_letterhead_line(ln)
                or EMAIL_RE.search(ln)
                or is_phone_line(ln)
                or CONTACT_HEADER_RE.match(ln)
                or AUDIENCE_LABEL_RE.match(ln)
                or LABEL_RE.match(ln)
                or FIR_RE.match(ln)
                for ln in b.lines
            )
        )
        if split:
            for j, ln in enumerate(b.lines):
                items.append(Item(ln, b, (b.line + j) if b.line and b.raw else b.line))
        else:
            items.extend(_styled_lines(b))
    candidates: list[Item] = []
    letterhead_done = False
    masthead_cut = 0
    entry_has_reach = False
    i = 0
    while i < len(items):
        it = items[i]
        t = it.text.strip()
        i += 1
        if id(it) in read_at:
            flush_contacts()
            res.contacts.extend(read_at[id(it)])
        if not t or PAGE_NUMBER_RE.match(t):
            continue
        m = LABEL_RE.match(t)
        if m and not res.label:
            res.label = t
            continue
        m = FIR_RE.match(t) if len(t) < 120 else None
        dl = DATE_LINE_RE.match(t) if len(t) < 60 else None
        if m or dl:
            flush_contacts()
            contact_mode = False
            if m:
                res.fir = res.fir or bool(m.group("immediate") or "immediate" in t.lower())
                # "For Immediate Release: November 22, 2024" is an instruction and a date;
                # a timed instruction is kept whole.
                immediate = re.match(r"(?i)(?:for\s+)?immediate\s+release", t)
                res.instruction = res.instruction or (immediate.group() if immediate else t)
            dm = DATE_RE.search(m.group("rest") or "") if m else DATE_RE.search(t)
            if dm:
                y, mo, d = parse_date_match(dm)
                if y and mo and d:
                    res.fir_date = res.fir_date or make_date(y, mo, d)
            # What stands above a release instruction or date line is a masthead, not the
            # headline (company / "2Q 2021 Earnings Release" / date / FOR IMMEDIATE RELEASE).
            masthead_cut = len(candidates)
            continue
        if COVER_RE.match(t):
            continue
        hm = contact_header(t)
        am = AUDIENCE_LABEL_RE.match(t) if len(t) < 60 else None
        if hm or (am and (contact_mode or _next_is_contact(items, i))) or labelled_contact(t):
            contact_mode = True
            entry_has_reach = bool(EMAIL_RE.search(t) or is_phone_line(t))
            contact_lines.append(None)
            contact_lines.append(t)
            # A contact table right after "CONTACTS:" is handled by the table branch above.
            continue
        if contact_mode:
            new_entry = i >= 2 and it.block.gap_before and items[i - 2].block is not it.block
            # After a blank line, only an entry with its own phone or e-mail, or of several
            # lines, continues the contacts; a lone line there is the headline (K21).
            if is_contact_line(it) and not (
                new_entry and entry_has_reach and not _entry_is_contact(items, i - 1)
            ):
                if new_entry:
                    entry_has_reach = False
                entry_has_reach = entry_has_reach or bool(EMAIL_RE.search(t) or is_phone_line(t))
                contact_lines.append(t)
                if i < len(items) and items[i].block is not it.block and items[i].block.gap_before:
                    contact_lines.append(None)
                continue
            flush_contacts()
            contact_mode = False
        if not candidates and not letterhead_done and is_letterhead_line(t):
            _take_letterhead(res, t)
            if not res.company:
                earlier = _previous_company_candidate(items, i - 1, res)
                if earlier is not None:
                    res.company = earlier
                    candidates = [c for c in candidates if c.text != earlier]
            continue
        if not candidates and not res.company and _looks_like_company(it, items, i):
            res.company = t
            continue
        if res.company and not candidates and t == res.company:
            continue
        candidates.append(it)
        letterhead_done = True
    flush_contacts()
    if candidates[masthead_cut:]:
        masthead, candidates = candidates[:masthead_cut], candidates[masthead_cut:]
        if not res.company:
            res.company = next((c.text for c in masthead if ORG_RE.search(c.text)), "")
    _pick_headline(res, candidates)
    return res


def _entry_is_contact(items: list[Item], start: int) -> bool:
    """Whether the stacked entry starting at ``items[start]`` reads as a contact: it has a phone
    number or e-mail address, or runs over several lines (name / title / company)."""
    lines = 0
    for k in range(start, min(len(items), start + 6)):
        if k > start and items[k].block.gap_before and items[k].block is not items[k - 1].block:
            break
        lines += max(1, len(items[k].block.lines)) if k == start else 1
        t = items[k].text
        if (
            EMAIL_RE.search(t)
            or is_phone_line(t)
            or any(EMAIL_RE.search(x) or is_phone_line(x) for x in items[k].block.lines)
        ):
            return True
    return lines >= 2


def case_style(text: str) -> str:
    """ "upper", "title" or "sentence": how a line is set, which a wrapped line keeps."""
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'’]*", text)]
    if not words:
        return ""
    if all(w.isupper() for w in words if len(w) > 1):
        return "upper"
    long = [w for w in words if len(w) >= 4]
    capital = sum(1 for w in long if w[0].isupper())
    return "title" if not long or capital >= 0.7 * len(long) else "sentence"


def _styled_lines(b: Block) -> list[Item]:
    """A text block as one item per run of lines set alike: a title-case headline over a
    sentence-case subheadline are two, a wrapped headline stays one."""
    if not b.raw or len(b.lines) < 2:
        return [Item(b.text, b, b.line)]
    runs: list[list[str]] = [[b.lines[0]]]
    for ln in b.lines[1:]:
        prev = runs[-1][-1]
        if case_style(ln) != case_style(prev) and not CONNECTOR_START_RE.match(ln):
            runs.append([ln])
        else:
            runs[-1].append(ln)
    if len(runs) == 1:
        return [Item(b.text, b, b.line)]
    out, offset = [], 0
    for run in runs:
        out.append(Item(" ".join(run), b, (b.line or 0) + offset or None))
        offset += len(run)
    return out


def _next_is_contact(items: list[Item], i: int) -> bool:
    return i < len(items) and is_contact_line(items[i])


def is_contact_line(it: Item) -> bool:
    t = it.text.strip()
    if not t or len(t) > 90:
        return False
    if FIR_RE.match(t) or LABEL_RE.match(t) or END_MARK_RE.match(t):
        return False
    if EMAIL_RE.search(t) or is_phone_line(t):
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
        is_name(t.split(",")[0]) or ORG_RE.search(t) or TITLE_RE.search(t) or len(t.split()) <= 3
    )


def _take_letterhead(res: Front, t: str) -> None:
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


def _previous_company_candidate(items: list[Item], idx: int, res: Front) -> str | None:
    for j in range(idx - 1, -1, -1):
        t = items[j].text.strip()
        if not t or LABEL_RE.match(t) or PAGE_NUMBER_RE.match(t):
            continue
        if is_letterhead_line(t):
            continue
        if len(t) <= 80 and not t.endswith("."):
            return t
        if ORG_RE.search(t) and len(t) <= 80:
            return t
        return None
    return None


def _looks_like_company(it: Item, items: list[Item], i: int) -> bool:
    """A company name printed as letterhead right above an address / phone line."""
    t = it.text.strip()
    if len(t) > 80 or FIR_RE.match(t):
        return False
    nxt = next((x.text.strip() for x in items[i:] if x.text.strip()), "")
    return bool(nxt) and is_letterhead_line(nxt) and not CONTACT_HEADER_RE.match(nxt)


def _same_setting(prev: tuple[str, Item], it: Item, t: str) -> bool:
    """One headline set as several HTML paragraphs: centred, bold, the same style and case, the
    first not ending a sentence ("Larkspur Mills Acquires" / "Ridgeway Textile Company")."""
    text, first = prev
    a, b = first.block, it.block
    return (
        not a.raw
        and a.kind == b.kind == "p"
        and a.align == b.align == "center"
        and a.bold
        and b.bold
        and a.italic == b.italic
        and a is not b
        and case_style(text) == case_style(t) != ""
        and not re.search(r"[.!?:;]$", text)
        and len(text) + len(t) < 160
    )


def _pick_headline(res: Front, candidates: list[Item]) -> None:
    texts: list[tuple[str, Item]] = []
    for it in candidates:
        t = clean_inline(it.text)
        if not t or END_MARK_RE.match(t) or re.fullmatch(r"[-=_*~.]+", t):
            continue
        # A continuation of the previous line ("... REGAINS DEVELOPMENT" / "AND COMMERCIALIZATION").
        if (
            texts
            and not it.block.bullet
            and (t[0].islower() or CONNECTOR_START_RE.match(t) or _same_setting(texts[-1], it, t))
        ):
            prev, first = texts[-1]
            texts[-1] = (f"{prev} {t}", first)
            continue
        texts.append((t, it))
    if not texts:
        return
    res.headline = texts[0][0]
    res.headline_line = texts[0][1].line
    res.subheadlines = [t for t, _ in texts[1:]]
