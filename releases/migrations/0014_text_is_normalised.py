import irsite.plaintext
from django.db import migrations, models

from irsite.plaintext import normalise_rows


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
