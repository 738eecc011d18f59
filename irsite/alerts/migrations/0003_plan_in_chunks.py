"""Alert batches are planned in chunks (issue 30): how far planning has got, and when it ended.
A batch planned before this migration was planned whole, in the transaction that claimed it, so
its planning ended when it began."""

from django.db import migrations, models
from django.db.models import F


def planned_whole(apps, schema_editor) -> None:
    AlertBatch = apps.get_model("alerts", "AlertBatch")
    AlertBatch.objects.filter(planned_at__isnull=False).update(plan_done_at=F("planned_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("alerts", "0002_groups"),
    ]

    operations = [
        migrations.AddField(
            model_name="alertbatch",
            name="plan_done_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="alertbatch",
            name="planned_through",
            field=models.PositiveBigIntegerField(default=0),
        ),
        migrations.RunPython(planned_whole, migrations.RunPython.noop),
    ]
