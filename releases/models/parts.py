"""What a release prints from elsewhere: its contacts and its standard texts, as approved."""

from django.db import models
from django.utils import timezone

from irsite.contacts.models import Contact, ContactDetails
from irsite.disclaimers.models import DisclaimerVersion
from irsite.plaintext import SingleLineCharField


class ReleaseContact(models.Model):
    """A contact a release lists; from approval on, with the details it was approved with."""

    release = models.ForeignKey("Release", on_delete=models.CASCADE)
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT)
    position = models.PositiveIntegerField(default=0)
    # The contact's details as approved (`Release.freeze_borrowed`); unset until then.
    frozen_at = models.DateTimeField(null=True, blank=True, editable=False)
    name = SingleLineCharField(max_length=200, blank=True, editable=False)
    title = SingleLineCharField(max_length=200, blank=True, editable=False)
    organization = SingleLineCharField(max_length=200, blank=True, editable=False)
    telephone = SingleLineCharField(max_length=50, blank=True, editable=False)
    email = models.EmailField(blank=True, editable=False)
    audience = models.CharField(
        max_length=20, choices=Contact.Audience.choices, blank=True, editable=False
    )

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "contact"
        constraints = [
            models.UniqueConstraint(fields=["release", "contact"], name="contact_once_per_release")
        ]

    def __str__(self) -> str:
        return str(self.contact)

    @staticmethod
    def recorded(entry: "dict | int") -> dict:
        """A row's fields from a revision's record of it: the contact and the details as then
        printed (kept frozen), or, from revisions older than that record, the contact's id."""
        if not isinstance(entry, dict):
            return {"contact_id": entry}
        details = {name: entry.get(name, "") for name in ContactDetails.field_names()}
        return {"contact_id": entry["contact"], "frozen_at": timezone.now(), **details}

    def printed(self, frozen: bool) -> ContactDetails:
        """The details printed on a release that is (``frozen``) or is not approved yet."""
        if frozen and self.frozen_at is not None:
            return ContactDetails.of(self)
        return ContactDetails.of(self.contact)


class ReleaseDisclaimer(models.Model):
    release = models.ForeignKey("Release", on_delete=models.CASCADE)
    # PROTECT here and the foreign key in the database: a version a release uses stays.
    version = models.ForeignKey(DisclaimerVersion, on_delete=models.PROTECT)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = "standard text"
        constraints = [
            models.UniqueConstraint(
                fields=["release", "version"], name="disclaimer_version_once_per_release"
            )
        ]

    def __str__(self) -> str:
        return str(self.version)
