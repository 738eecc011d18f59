# PublicChange moved here from the releases app: the table (releases_publicchange, created by
# releases 0016) stays as it is; only Django's record of which app owns it changes.

from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('releases', '0017_release_rendering'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='PublicChange',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('changed_at', models.DateTimeField()),
                        ('last_modified', models.BigIntegerField(help_text='Epoch seconds, strictly increasing.')),
                        ('version', models.BigIntegerField(default=0)),
                    ],
                    options={'db_table': 'releases_publicchange'},
                ),
            ],
            database_operations=[],
        ),
    ]
