import re
import unicodedata

import irsite.plaintext
from django.db import migrations


# --- frozen copy of irsite.plaintext.normalise_rows and the rules it applies ---------------
# Frozen as of this migration: a migration must do on every later install what it did when it
# was written, whatever irsite.plaintext becomes. Never change it; change the live code and, if
# stored rows need it, write a new migration. tests/test_migrations_frozen.py compares it with
# the live rules; when those change on purpose, that test changes, never this copy.

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


def _clean(text):
    text = _BREAKS.sub("\n", _FORBIDDEN.sub("", text))
    # NFC after removing: a lone surrogate would make normalize() raise.
    return unicodedata.normalize("NFC", text)


def single_line(text):
    if not text:
        return ""
    return _SPACES.sub(" ", _clean(text)).strip()


def multi_line(text):
    if not text:
        return ""
    return _TRAILING_SPACE.sub("\n", _clean(text)).strip()


def markup(html):
    if not html:
        return ""
    return _clean(html)


def normalise_rows(model, single=(), multi=(), html=()):
    """Apply the rules to every stored row of ``model``: the named single-line, multi-line and
    HTML fields; only rows that change are written."""
    for row in model.objects.all().iterator():
        changed = {}
        for names, rule in ((single, single_line), (multi, multi_line), (html, markup)):
            for name in names:
                value = getattr(row, name)
                if isinstance(value, str) and rule(value) != value:
                    changed[name] = rule(value)
        if changed:
            model.objects.filter(pk=row.pk).update(**changed)


def clean_stored_text(apps, schema_editor):
    """Rows written before text was normalised where it enters (see `irsite.plaintext`)."""
    normalise_rows(
        apps.get_model("contacts", "CompanyProfile"),
        ("legal_name", "short_name", "telephone", "fax", "exchange", "ticker"),
        ("address_lines",),
    )
    normalise_rows(
        apps.get_model("contacts", "Contact"), ("name", "title", "organization", "telephone")
    )


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0005_logo'),
    ]

    operations = [
        migrations.RunPython(clean_stored_text, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='companyprofile',
            name='address_lines',
            field=irsite.plaintext.MultiLineTextField(blank=True, help_text='The letterhead address, one line per line.'),
        ),
        migrations.AlterField(
            model_name='companyprofile',
            name='exchange',
            field=irsite.plaintext.SingleLineCharField(blank=True, help_text='e.g. “Nasdaq”, “NYSE”.', max_length=50),
        ),
        migrations.AlterField(
            model_name='companyprofile',
            name='fax',
            field=irsite.plaintext.SingleLineCharField(blank=True, max_length=50),
        ),
        migrations.AlterField(
            model_name='companyprofile',
            name='legal_name',
            field=irsite.plaintext.SingleLineCharField(help_text='As filed, e.g. “ImmunoGen, Inc.”.', max_length=200),
        ),
        migrations.AlterField(
            model_name='companyprofile',
            name='short_name',
            field=irsite.plaintext.SingleLineCharField(help_text='How releases refer to the company, e.g. “ImmunoGen”.', max_length=100),
        ),
        migrations.AlterField(
            model_name='companyprofile',
            name='telephone',
            field=irsite.plaintext.SingleLineCharField(blank=True, max_length=50),
        ),
        migrations.AlterField(
            model_name='companyprofile',
            name='ticker',
            field=irsite.plaintext.SingleLineCharField(blank=True, help_text='e.g. “IMGN”.', max_length=20),
        ),
        migrations.AlterField(
            model_name='contact',
            name='name',
            field=irsite.plaintext.SingleLineCharField(max_length=200),
        ),
        migrations.AlterField(
            model_name='contact',
            name='organization',
            field=irsite.plaintext.SingleLineCharField(blank=True, help_text='Leave blank for the company itself; name the agency for an outside contact.', max_length=200),
        ),
        migrations.AlterField(
            model_name='contact',
            name='telephone',
            field=irsite.plaintext.SingleLineCharField(blank=True, max_length=50),
        ),
        migrations.AlterField(
            model_name='contact',
            name='title',
            field=irsite.plaintext.SingleLineCharField(blank=True, max_length=200),
        ),
    ]
