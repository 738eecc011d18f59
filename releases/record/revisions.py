"""Two revisions of a release compared for people: side by side, as text, changed words marked.

Editor HTML is compared as the paragraphs, headings, list items and table rows a reader sees
(not as markup); the publication time in the company's zone, as the admin prints times; contacts,
standard texts and categories by name, not by id. Built on `difflib.SequenceMatcher`: lines are
paired first, then the words of each changed pair.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher
from itertools import zip_longest
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db.models import ForeignObjectRel
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from irsite.contacts.models import Contact, ContactDetails, LetterheadFields
from irsite.disclaimers.models import DisclaimerVersion

from ..models import Attachment, Category, Release
from ..text import plain_text
from ..times import zoned

HTML_FIELDS = {"body"}
# A block's end starts a line of its own: a one-word change shows as one changed paragraph.
_BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|tr|caption)>|<br\s*/?>", re.I)
_CELL_END = re.compile(r"</t[hd]>", re.I)
# Words with the space after them: a change of several words in a row is marked as one.
_WORDS = re.compile(r"\s*\S+\s*|\s+")
REFERENCES: dict[str, type[Contact | DisclaimerVersion | Category]] = {
    "contacts": Contact,
    "disclaimers": DisclaimerVersion,
    "categories": Category,
}


@dataclass(frozen=True)
class Row:
    """One line of the comparison: ``before`` and ``after`` are safe HTML ("" where absent)."""

    before: SafeString
    after: SafeString
    changed: bool = False
    gap: bool = False  # unchanged lines left out here


@dataclass(frozen=True)
class FieldChange:
    label: str
    rows: list[Row]


# A stored file's name -> a staff-only link to it (the admin's; None: no link).
FileUrl = Callable[[str], str] | None


def compare_revisions(
    old: dict, new: dict, context: int = 1, file_url: FileUrl = None
) -> list[FieldChange]:
    """The fields that differ between two revisions' data (`Release.snapshot`), in the order of
    the form, each as rows of text with ``context`` unchanged lines around each change.
    Attachments are compared file by file (`compare_files`), each with a link from
    ``file_url``."""
    # Whatever a revision holds (one written by an older version, a row edited by hand) is
    # compared as text: a comparison never fails on the data it is shown.
    old, new = (data if isinstance(data, dict) else {} for data in (old, new))
    order = (*Release.CONTENT_FIELDS, "letterhead", *REFERENCES, "attachments")
    names = [n for n in order if n in old or n in new]
    names += sorted((set(old) | set(new)) - set(names))
    changes = []
    for name in names:
        if old.get(name) == new.get(name):
            continue
        if name == "attachments":
            rows = compare_files(_listed(old.get(name)), _listed(new.get(name)), file_url)
            if rows:
                changes.append(FieldChange("Attachments", rows))
            continue
        before, after = text_lines(name, old.get(name)), text_lines(name, new.get(name))
        changes.append(FieldChange(_label(name), _rows(before, after, context)))
    return changes


def text_lines(name: str, value: Any) -> list[str]:
    """A field's value as the lines of text a person compares."""
    if value in (None, ""):
        return []
    if name in HTML_FIELDS:
        blocks = _BLOCK_END.split(_CELL_END.sub(" | ", str(value)))
        lines = [plain_text(block).strip(" |") for block in blocks]
        return [line for line in lines if line]
    if name == "published_at":
        try:
            moment = datetime.fromisoformat(value)
        except (TypeError, ValueError):  # a revision written before the format was fixed
            return [str(value)]
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return [zoned(moment)]  # as the admin prints every time
    if isinstance(value, dict):  # the letterhead: one line per field, in print order
        return [f"{key}: {item}" for key, item in _in_print_order(value)]
    if isinstance(value, list) and all(isinstance(item, dict) for item in value):
        # Contacts as printed: one line per contact, its details in print order.
        return [
            " · ".join(f"{key}: {item}" for key, item in _in_print_order(row) if item != "")
            for row in value
        ]
    if name in REFERENCES and isinstance(value, list):
        ids = [pk for pk in value if type(pk) is int]
        found = REFERENCES[name].objects.in_bulk(ids)
        return [_reference(found, pk) for pk in value]
    return str(value).splitlines()


def _reference(found: dict, pk: Any) -> str:
    if type(pk) is not int:
        return f"(not an id: {pk!r})"
    return str(found[pk]) if pk in found else f"(deleted, id {pk})"


def _listed(value: Any) -> list:
    return value if isinstance(value, list) else []


# PostgreSQL's jsonb keeps keys in its own order; a comparison lists them as a release prints.
_PRINT_ORDER = ("contact", *ContactDetails.field_names(), *LetterheadFields.FIELDS)


def _in_print_order(data: dict) -> list[tuple[str, Any]]:
    rank = {key: i for i, key in enumerate(_PRINT_ORDER)}
    return sorted(data.items(), key=lambda kv: (rank.get(kv[0], len(rank)), kv[0]))


def _label(name: str) -> str:
    try:
        field = Release._meta.get_field(name)
    except FieldDoesNotExist:  # contacts and disclaimers are related rows, not fields
        return name.replace("_", " ").capitalize()
    if isinstance(field, ForeignObjectRel):  # attachments: rows pointing here, with no label
        return name.replace("_", " ").capitalize()
    return str(field.verbose_name).capitalize()


def pair_files(old: list[dict], new: list[dict]) -> list[tuple[dict | None, dict | None]]:
    """The attachments of two revisions paired, in the newer order (removed ones last): the
    same stored file first (retitled or moved), then the same title (its file replaced), then
    the same position; what is left was removed or added. A revision records no row ids."""
    left = [item for item in old if isinstance(item, dict)]
    right = [item for item in new if isinstance(item, dict)]
    partner: dict[int, dict] = {}
    for key in ("file", "title", "position"):
        for j, after in enumerate(right):
            if j in partner:
                continue
            match = next((b for b in left if b.get(key) == after.get(key)), None)
            if match is not None:
                partner[j] = match
                left.remove(match)
    pairs: list[tuple[dict | None, dict | None]] = [
        (partner.get(j), after) for j, after in enumerate(right)
    ]
    return pairs + [(before, None) for before in left]


def compare_files(old: list, new: list, file_url: FileUrl = None) -> list[Row]:
    """One row per attachment that differs: added, removed, replaced (another file under the
    title), retitled, moved or marked otherwise; each side names the file, its size and type,
    with a link to that version's file."""
    rows = []
    for before, after in pair_files(old, new):
        if before == after:
            continue
        if before is None:
            what = "Added"
        elif after is None:
            what = "Removed"
        elif before.get("file") != after.get("file"):
            what = "Replaced"
        elif before.get("title") != after.get("title"):
            what = "Retitled"
        elif before.get("position") != after.get("position"):
            what = "Moved"
        else:
            what = "Changed"
        rows.append(
            Row(
                _file_cell(before, what, file_url),
                _file_cell(after, what, file_url),
                changed=True,
            )
        )
    return rows


def _file_cell(item: dict | None, what: str, file_url: FileUrl) -> SafeString:
    if item is None:
        return mark_safe("")
    name = str(item.get("file") or "")
    size = item.get("size")
    facts = [
        str(item.get("original_name") or name.rpartition("/")[2]),
        filesizeformat(size) if isinstance(size, int) else "size unknown",
        str(item.get("content_type") or "type unknown"),
        f"position {item.get('position')}",
    ]
    if item.get("is_release_image"):
        facts.append("release image")
    link = (
        format_html(' <a href="{}" class="irsite-file-link">Open this version</a>', file_url(name))
        if file_url and name.rpartition("/")[2]  # a stored file's name, not "" or a folder
        else ""
    )
    return format_html(
        '<span class="irsite-file"><span class="irsite-file-change">{}:</span> '
        "<strong>{}</strong> ({}){}</span>",
        what,
        item.get("title") or "(untitled)",
        format_html_join(", ", "{}", ((fact,) for fact in facts)),
        link,
    )


def _rows(before: list[str], after: list[str], context: int) -> list[Row]:
    rows: list[Row] = []
    gap = Row(mark_safe(""), mark_safe(""), gap=True)
    shown_to = 0
    for group in SequenceMatcher(None, before, after, autojunk=False).get_grouped_opcodes(context):
        if group[0][1] > shown_to:
            rows.append(gap)
        shown_to = group[-1][2]
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [Row(escape(line), escape(line)) for line in before[i1:i2]]
                continue
            for old, new in zip_longest(before[i1:i2], after[j1:j2]):
                rows.append(Row(*_marked(old, new), changed=True))
    if shown_to < len(before):
        rows.append(gap)
    return rows


def _marked(old: str | None, new: str | None) -> tuple[SafeString, SafeString]:
    """Both sides of a changed line, removed words in <del> and added words in <ins>."""
    if old is None:
        return mark_safe(""), format_html("<ins>{}</ins>", new)
    if new is None:
        return format_html("<del>{}</del>", old), mark_safe("")
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    left, right = [], []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        removed, added = "".join(a[i1:i2]), "".join(b[j1:j2])
        if tag == "equal":
            left.append(escape(removed))
            right.append(escape(added))
            continue
        if removed:
            left.append(_tagged("del", removed))
        if added:
            right.append(_tagged("ins", added))
    return mark_safe("".join(left)), mark_safe("".join(right))  # noqa: S308 - escaped parts


def _tagged(tag: str, words: str) -> SafeString:
    """``words`` in ``<tag>``, the space after them outside it."""
    core = words.rstrip()
    return format_html("<{}>{}</{}>{}", tag, core, tag, words[len(core) :])


def recorded_attachment(release: Release, key: str) -> Attachment | None:
    """The attachment of ``release`` whose stored file is named ``key`` (``<hex>.<ext>``) as
    its current files, a revision or a prepared correction record it (unsaved: for serving one
    version of a file to staff), or None when the release's record names no such file."""
    current = next((a for a in release.attachments.all() if a.key == key), None)
    if current is not None:
        return current
    fields = {f.name for f in Attachment._meta.get_fields()}
    for records in (release.revisions, release.pending_corrections):
        for data in records.values_list("data", flat=True).iterator():
            items = data.get("attachments") if isinstance(data, dict) else None
            for item in items if isinstance(items, list) else []:
                if not isinstance(item, dict) or not _serves(item):
                    continue
                if item["file"].rpartition("/")[2] == key:
                    known = {k: v for k, v in item.items() if k in fields and k != "release"}
                    return Attachment(release=release, **known)
    return None


def _serves(item: dict) -> bool:
    """Whether a recorded file names what serving it needs as text (a hand-edited or garbled
    record may not: such an entry is no file to serve)."""
    return isinstance(item.get("file"), str) and all(
        isinstance(item.get(name, ""), str) for name in ("title", "content_type", "original_name")
    )
