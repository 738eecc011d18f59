"""Freeze what every approved, scheduled, live and withdrawn release prints today: each contact
row takes its contact's current details, and the company profile becomes one shared letterhead.

From here on the approve step freezes (`Release.freeze_borrowed`); this gives releases approved
before it the same footing. Their history before today is not known, so today's is kept.
"""

from django.db import migrations
from django.utils import timezone

FROZEN = ["approved", "published", "withdrawn"]
LETTERHEAD = [
    "legal_name", "short_name", "address_lines", "telephone", "fax", "website", "exchange",
    "ticker",
]  # fmt: skip
CONTACT = ["name", "title", "organization", "telephone", "email", "audience"]


def freeze(apps, schema_editor):
    Release = apps.get_model("releases", "Release")
    ReleaseContact = apps.get_model("releases", "ReleaseContact")
    CompanyProfile = apps.get_model("contacts", "CompanyProfile")
    Letterhead = apps.get_model("contacts", "Letterhead")
    releases = Release.objects.filter(status__in=FROZEN, letterhead__isnull=True)
    if not releases.exists():
        return
    profile = CompanyProfile.objects.filter(pk=1).first()
    values = {name: getattr(profile, name) if profile else "" for name in LETTERHEAD}
    letterhead = Letterhead.objects.filter(**values).first() or Letterhead.objects.create(
        **values
    )
    releases.update(letterhead=letterhead)
    now = timezone.now()
    rows = list(
        ReleaseContact.objects.filter(
            release__status__in=FROZEN, frozen_at__isnull=True
        ).select_related("contact")
    )
    for row in rows:
        for name in CONTACT:
            setattr(row, name, getattr(row.contact, name))
        row.frozen_at = now
    ReleaseContact.objects.bulk_update(rows, [*CONTACT, "frozen_at"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0008_frozen_contacts_and_letterhead"),
        ("contacts", "0003_letterheads_are_immutable"),
    ]
    operations = [migrations.RunPython(freeze, migrations.RunPython.noop)]
