"""What a block of the body is, read from it and the blocks around it: a heading, the start of
a contact entry, the end of the main text. The body's reader (`body.parse_body`) asks these as
it walks the blocks; pasted fragments ask `is_heading` too.
"""

from __future__ import annotations

from .blocks import PAGE_NUMBER_RE, Block
from .contacts import is_name, is_phone_line, labelled_contact
from .patterns import (
    ABBREV_END_RE,
    ABOUT_RE,
    AUDIENCE_LABEL_RE,
    CONTACT_HEADER_RE,
    EMAIL_RE,
    END_MARK_RE,
    is_note,
)


def is_heading(b: Block, url_follows: bool = False) -> bool:
    """``url_follows``: the next block is a URL line (which a line ending in ":" leads into)."""
    if b.kind != "p" or b.bullet:
        return False
    t = b.text
    if not t or len(t) > 130 or len(t.split()) > 18:
        return False
    if PAGE_NUMBER_RE.match(t) or t.startswith(("(", "*")):
        return False
    if t[-1] in ".;," and not (ABBREV_END_RE.search(t) or (b.underlined and t[-1] == ".")):
        return False
    if not (t[0].isupper() or t[0].isdigit() or t[0] in "\"“‘'"):
        return False
    if not b.raw and len(b.lines) > 1 and not b.bold:
        return False  # lines broken with <br> in a plain paragraph: a quote over its attribution
    if (
        t.endswith(":")
        and (len(t.split()) >= 5 or url_follows)
        and not (b.bold or b.underlined or t.isupper() or b.align == "center")
    ):
        # A lead-in sentence ("Orrin Health will be:") introducing a list, or a short one
        # ("For more information, visit:") that the URL line under it finishes (K26).
        return False
    if b.raw and len(b.lines) > 1 and not (b.underlined or b.align == "center"):
        # text mode: a heading sits on a line of its own
        return len(b.lines) <= 2 and all(len(x) < 70 for x in b.lines)
    return True


def entry_has_reach(blocks: list[Block], i: int) -> bool:
    """Whether the entry starting at block ``i`` (it and the short paragraphs set right under
    it, up to the next break) gives a phone number or an e-mail address."""
    for k in range(i, min(i + 8, len(blocks))):
        b = blocks[k]
        if k > i and (b.gap_before or b.kind != "p" or len(b.text) > 120):
            return False
        if any(EMAIL_RE.search(x) or is_phone_line(x) for x in (b.lines or [b.text])):
            return True
    return False


def main_text_follows(blocks: list[Block], i: int) -> bool:
    """Whether more of the release follows block ``i``: tables (K20), or paragraphs up to the
    end. Paragraphs that lead to the closing parts (a contacts header or a labelled entry, an
    end mark, an About heading) do not count: they are the unheaded company paragraph and such
    boilerplate, and the forward-looking paragraph before them is the safe harbor (K22)."""
    paragraphs = False
    for k in range(i + 1, len(blocks)):
        b = blocks[k]
        if b.kind == "table":
            return True
        if b.kind != "p" or not b.text.strip():
            continue
        first = (b.lines[0] if b.lines else b.text).strip("[] ")
        if END_MARK_RE.match(b.text.strip()) or CONTACT_HEADER_RE.match(first):
            return False
        if labelled_contact(first) or label_over_entry(blocks, k) is not None:
            return False
        if (is_heading(b) and ABOUT_RE.match(b.text)) or (len(b.text) < 800 and is_note(b.text)):
            return False
        paragraphs = True
    return paragraphs


def between_rules(blocks: list[Block], i: int) -> bool:
    """Whether block ``i`` stands alone between two rules (or page breaks): set off from the
    text around it, as the exports set a safe harbor that stands inside the body (K22)."""
    after = next((b for b in blocks[i + 1 :] if b.kind != "p" or b.text.strip()), None)
    return i > 0 and blocks[i - 1].kind == "hr" and after is not None and after.kind == "hr"


def label_over_entry(blocks: list[Block], i: int) -> int | None:
    """Whether block ``i`` opens with an audience label alone on its line ("Investor
    Relations", "Media:") over a stacked entry: a name under it, then a phone number or an
    e-mail address, in the same paragraph or the short ones right under it. The index of the
    entry's last block, else None. (The front matter reads such labels in its own columns;
    after the text only a label that heads a whole entry opens a contact block, so a section
    headed "Investors" stays a section.)"""
    b = blocks[i]
    lines = [x.strip() for x in (b.lines or [b.text])]
    m = AUDIENCE_LABEL_RE.match(lines[0].strip("[] "))
    if not m or m.group("rest").strip():
        return None
    entry, last = lines[1:], i
    while not any(EMAIL_RE.search(x) or is_phone_line(x) for x in entry):
        k = last + 1
        if len(entry) >= 4 or k >= len(blocks):
            return None
        nb = blocks[k]
        if nb.kind != "p" or not nb.text.strip() or len(nb.text) > 120:
            return None
        entry += [x.strip() for x in (nb.lines or [nb.text])]
        last = k
    return last if entry and is_name(entry[0].split(",")[0]) else None
