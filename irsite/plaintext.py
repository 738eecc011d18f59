"""Text at the boundary: what any typed, pasted or imported text is reduced to before it is stored.

Every surface irsite serves (HTML pages, RSS and Atom, the sitemap, JSON-LD, e-mail headers,
EDGAR exports) must stay valid whatever an editor pastes or a filing holds. XML 1.0 forbids most
C0 controls and the non-characters U+FFFE/U+FFFF; an e-mail header may not hold a line break;
text pasted from presentations carries U+000B (a "soft return") and U+000C (a page break). So
text is normalised once, where it enters (model fields, the HTML sanitiser, the importer), by
these rules (docs/text-and-sizes.md):

- Unicode NFC, so one text has one encoding (search, slugs and comparisons agree).
- Line breaks (CR LF, CR, NEL, U+2028, U+2029) and U+000B/U+000C become "\\n" in multi-line
  text and a space in single-line text; single-line text also holds no tab and no run of spaces.
- Every other C0 and C1 control (U+0000-U+001F except tab and line feed, U+007F-U+009F),
  non-characters (U+FDD0-U+FDEF, U+xFFFE, U+xFFFF) and lone surrogates are removed.
- Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the invisible
  U+200B ZERO WIDTH SPACE, U+2060 WORD JOINER and U+FEFF are removed: they make the text shown
  differ from the text stored and searched (Unicode TR #36 3.1, "Trojan Source"
  CVE-2021-42574). Joiners (U+200C, U+200D: Persian, Indic scripts, emoji) and the direction
  marks U+200E/U+200F, which only nudge neutral characters, are kept.
"""

import re
import unicodedata

from django import forms
from django.db import models

# Breaks a person meant as a new line, whatever program they were typed in.
_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\U0001fffe\U0001ffff\U0002fffe\U0002ffff\U0003fffe\U0003ffff\U0004fffe\U0004ffff"
    "\U0005fffe\U0005ffff\U0006fffe\U0006ffff\U0007fffe\U0007ffff\U0008fffe\U0008ffff"
    "\U0009fffe\U0009ffff\U000afffe\U000affff\U000bfffe\U000bffff\U000cfffe\U000cffff"
    "\U000dfffe\U000dffff\U000efffe\U000effff\U000ffffe\U000fffff\U0010fffe\U0010ffff"
    "\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]"
)
_TRAILING_SPACE = re.compile(r"[ \t]+\n")
_SPACES = re.compile(r"[ \t\n]+")


def _clean(text: str) -> str:
    text = _BREAKS.sub("\n", _FORBIDDEN.sub("", text))
    # NFC after removing: a lone surrogate would make normalize() raise.
    return unicodedata.normalize("NFC", text)


def single_line(text: str | None) -> str:
    """``text`` as one line: breaks and tabs become spaces, runs of spaces one, ends stripped."""
    if not text:
        return ""
    return _SPACES.sub(" ", _clean(text)).strip()


def multi_line(text: str | None) -> str:
    """``text`` with "\\n" as its only line break, no spaces at line ends, ends stripped."""
    if not text:
        return ""
    return _TRAILING_SPACE.sub("\n", _clean(text)).strip()


def markup(html: str | None) -> str:
    """HTML source with the same characters removed; its whitespace means nothing, so it is
    otherwise kept as it is (the HTML sanitiser applies this before parsing)."""
    if not html:
        return ""
    return _clean(html)


def xml_safe(text: str) -> str:
    """Only what XML 1.0 allows (https://www.w3.org/TR/xml/#charsets): the last net under the
    feeds, for text that reached the database by another path than the forms."""
    return _clean(text)


# --- where text enters: model fields and their form fields --------------------------------


class SingleLineFormField(forms.CharField):
    """A form's text input, normalised by `single_line` before it is validated (max_length
    counts what will be stored)."""

    def to_python(self, value):
        return single_line(super().to_python(value))


class MultiLineFormField(forms.CharField):
    def to_python(self, value):
        return multi_line(super().to_python(value))


class SingleLineCharField(models.CharField):
    """A `CharField` that stores `single_line` text, whoever writes it (a form, the importer,
    an action): headlines, names, datelines, telephone numbers."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": SingleLineFormField, **kwargs})

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = single_line(value)
            setattr(model_instance, self.attname, value)
        return value


class MultiLineTextField(models.TextField):
    """A `TextField` that stores `multi_line` text: subheadlines, summaries, addresses, notes."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": MultiLineFormField, **kwargs})

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = multi_line(value)
            setattr(model_instance, self.attname, value)
        return value


def normalise_rows(model, single: tuple[str, ...] = (), multi: tuple[str, ...] = (), html=()):
    """Apply the rules to every stored row of ``model`` (for data migrations): the named
    single-line, multi-line and HTML fields; only rows that change are written."""
    for row in model.objects.all().iterator():
        changed = {}
        for names, rule in ((single, single_line), (multi, multi_line), (html, markup)):
            for name in names:
                value = getattr(row, name)
                if isinstance(value, str) and rule(value) != value:
                    changed[name] = rule(value)
        if changed:
            model.objects.filter(pk=row.pk).update(**changed)
