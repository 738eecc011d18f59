import re
import unicodedata

import irsite.plaintext
from django.db import migrations, models


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
    for name, single, multi, html in [
        ("Category", ("name",), (), ()),
        (
            "Release",
            ("headline", "dateline_city", "exhibit_label"),
            ("subheadline", "summary", "withdrawal_reason"),
            ("body",),
        ),
        ("Correction", (), ("note",), ()),
        ("Revision", ("note",), (), ()),
        ("PreviewLink", ("note",), (), ()),
    ]:
        normalise_rows(apps.get_model("releases", name), single, multi, html)



class Migration(migrations.Migration):

    dependencies = [
        ('releases', '0013_attachments_renditions'),
    ]

    operations = [
        migrations.RunPython(clean_stored_text, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='auditentry',
            name='release_headline',
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.AlterField(
            model_name='category',
            name='name',
            field=irsite.plaintext.SingleLineCharField(max_length=100, unique=True),
        ),
        migrations.AlterField(
            model_name='correction',
            name='note',
            field=irsite.plaintext.MultiLineTextField(),
        ),
        migrations.AlterField(
            model_name='previewlink',
            name='note',
            field=irsite.plaintext.SingleLineCharField(blank=True, help_text='Who it is for, e.g. “counsel”.', max_length=200),
        ),
        migrations.AlterField(
            model_name='release',
            name='dateline_city',
            field=irsite.plaintext.SingleLineCharField(help_text='As printed before the date, e.g. “CAMBRIDGE, MA”.', max_length=100),
        ),
        migrations.AlterField(
            model_name='release',
            name='exhibit_label',
            field=irsite.plaintext.SingleLineCharField(blank=True, help_text='If filed with the SEC, e.g. “EXHIBIT 99.1”.', max_length=50),
        ),
        migrations.AlterField(
            model_name='release',
            name='headline',
            field=irsite.plaintext.SingleLineCharField(max_length=500),
        ),
        migrations.AlterField(
            model_name='release',
            name='subheadline',
            field=irsite.plaintext.MultiLineTextField(blank=True, help_text='Optional; one subheadline or bullet per line, printed under the headline.'),
        ),
        migrations.AlterField(
            model_name='release',
            name='summary',
            field=irsite.plaintext.MultiLineTextField(blank=True, help_text='One or two sentences for feeds and search engines; blank uses the first paragraph.'),
        ),
        migrations.AlterField(
            model_name='release',
            name='withdrawal_reason',
            field=irsite.plaintext.MultiLineTextField(blank=True, editable=False),
        ),
        migrations.AlterField(
            model_name='revision',
            name='note',
            field=irsite.plaintext.SingleLineCharField(blank=True, max_length=500),
        ),
    ]
