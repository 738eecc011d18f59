import irsite.plaintext
from django.db import migrations

from irsite.plaintext import normalise_rows


def clean_stored_text(apps, schema_editor):
    """Rows written before text was normalised where it enters (see `irsite.plaintext`).

    Versions are immutable records (a trigger refuses UPDATE): they are cleaned as they are
    shown, by the sanitiser and the feeds' last net.
    """
    normalise_rows(apps.get_model("disclaimers", "Disclaimer"), ("name",))


def keep_versions_immutable(apps, schema_editor):
    """SQLite alters a column by copying the table, which drops its triggers: put back the one
    of 0002 that refuses to change a version."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER IF NOT EXISTS disclaimers_version_immutable "
            "BEFORE UPDATE ON disclaimers_disclaimerversion "
            "BEGIN SELECT RAISE(ABORT, 'disclaimer versions are immutable: add a new version "
            "instead'); END;"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('disclaimers', '0002_versions_are_immutable'),
    ]

    operations = [
        migrations.RunPython(clean_stored_text, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='disclaimer',
            name='name',
            field=irsite.plaintext.SingleLineCharField(help_text='For editors only, e.g. “About ImmunoGen (2003)”.', max_length=200),
        ),
        migrations.AlterField(
            model_name='disclaimerversion',
            name='heading',
            field=irsite.plaintext.SingleLineCharField(blank=True, help_text='Printed above the text, e.g. “ABOUT IMMUNOGEN, INC.”.', max_length=300),
        ),
        migrations.RunPython(keep_versions_immutable, migrations.RunPython.noop),
    ]
