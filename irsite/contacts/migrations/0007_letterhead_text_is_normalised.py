import irsite.plaintext
from django.db import migrations


def keep_letterheads_immutable(apps, schema_editor):
    """SQLite alters a column by copying the table, which drops its triggers: put back the one
    of 0003 that refuses to change a letterhead. (No stored letterhead is rewritten: they are
    records, cleaned as they are shown.)"""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER IF NOT EXISTS contacts_letterhead_immutable "
            "BEFORE UPDATE ON contacts_letterhead "
            "BEGIN SELECT RAISE(ABORT, 'letterheads as approved are immutable: add a new one "
            "instead'); END;"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('contacts', '0006_text_is_normalised'),
    ]

    operations = [
        migrations.AlterField(
            model_name='letterhead',
            name='address_lines',
            field=irsite.plaintext.MultiLineTextField(blank=True, help_text='The letterhead address, one line per line.'),
        ),
        migrations.AlterField(
            model_name='letterhead',
            name='exchange',
            field=irsite.plaintext.SingleLineCharField(blank=True, help_text='e.g. “Nasdaq”, “NYSE”.', max_length=50),
        ),
        migrations.AlterField(
            model_name='letterhead',
            name='fax',
            field=irsite.plaintext.SingleLineCharField(blank=True, max_length=50),
        ),
        migrations.AlterField(
            model_name='letterhead',
            name='legal_name',
            field=irsite.plaintext.SingleLineCharField(help_text='As filed, e.g. “ImmunoGen, Inc.”.', max_length=200),
        ),
        migrations.AlterField(
            model_name='letterhead',
            name='short_name',
            field=irsite.plaintext.SingleLineCharField(help_text='How releases refer to the company, e.g. “ImmunoGen”.', max_length=100),
        ),
        migrations.AlterField(
            model_name='letterhead',
            name='telephone',
            field=irsite.plaintext.SingleLineCharField(blank=True, max_length=50),
        ),
        migrations.AlterField(
            model_name='letterhead',
            name='ticker',
            field=irsite.plaintext.SingleLineCharField(blank=True, help_text='e.g. “IMGN”.', max_length=20),
        ),
        migrations.RunPython(keep_letterheads_immutable, migrations.RunPython.noop),
    ]
