# PublicChange now belongs to the site-wide HTTP layer (irsite.http); its table stays.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('releases', '0017_release_rendering'),
        ('irsite_http', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='PublicChange')],
            database_operations=[],
        ),
    ]
