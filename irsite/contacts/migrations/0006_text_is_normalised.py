import irsite.plaintext
from django.db import migrations

from irsite.plaintext import normalise_rows


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
