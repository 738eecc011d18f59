"""The two roles: Editors write and submit; Approvers approve, publish, correct and withdraw."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = ["view_contact", "view_companyprofile", "view_disclaimer", "view_disclaimerversion"]
EDITORS = [
    *VIEW,
    "add_release", "change_release", "view_release", "submit_release",
    "add_releasecontact", "change_releasecontact", "delete_releasecontact",
    "view_releasecontact", "add_releasedisclaimer", "change_releasedisclaimer",
    "delete_releasedisclaimer", "view_releasedisclaimer",
    "add_contact", "change_contact", "view_category", "add_category",
]  # fmt: skip
APPROVERS = [
    *EDITORS,
    "approve_release", "publish_release", "correct_release", "withdraw_release",
    "share_release_preview", "view_auditentry", "view_previewlink", "view_revision",
    "change_companyprofile", "add_disclaimer", "change_disclaimer", "change_category",
]  # fmt: skip


def create_groups(apps, schema_editor):
    # Permissions are normally created after migrations; these groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in [("Editors", EDITORS), ("Approvers", APPROVERS)]:
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(codename__in=codenames)
        missing = set(codenames) - set(perms.values_list("codename", flat=True))
        assert not missing, f"unknown permissions for {name}: {missing}"
        group.permissions.set(perms)


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0001_initial"),
        ("contacts", "0001_initial"),
        ("disclaimers", "0002_versions_are_immutable"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
