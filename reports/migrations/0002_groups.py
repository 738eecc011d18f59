"""Editors write and submit reports and prepare corrections of public ones; Approvers approve,
schedule, unschedule, withdraw and approve those corrections (never their own: four-eyes)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = ["add_report", "change_report", "view_report", "submit_report", "view_reportchange"]
APPROVERS = [*EDITORS, "approve_report", "correct_report", "view_reportauditentry"]


def grant(apps, schema_editor):
    # Permissions are normally created after migrations; these groups need them now.
    app_config = apps.get_app_config("reports")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in [("Editors", EDITORS), ("Approvers", APPROVERS)]:
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(content_type__app_label="reports", codename__in=codenames)
        missing = set(codenames) - set(perms.values_list("codename", flat=True))
        assert not missing, f"unknown permissions for {name}: {missing}"
        group.permissions.add(*perms)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    perms = Permission.objects.filter(content_type__app_label="reports")
    for group in Group.objects.filter(name__in=["Editors", "Approvers"]):
        group.permissions.remove(*perms)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
        ("releases", "0002_groups"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
