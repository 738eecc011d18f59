from django.db import models
from django.urls import reverse

from irsite.plaintext import MultiLineTextField, SingleLineCharField


class CompanyProfile(models.Model):
    """The issuer: one row, printed as the letterhead of every release."""

    legal_name = SingleLineCharField(max_length=200, help_text="As filed, e.g. “ImmunoGen, Inc.”.")
    short_name = SingleLineCharField(
        max_length=100, help_text="How releases refer to the company, e.g. “ImmunoGen”."
    )
    address_lines = MultiLineTextField(
        blank=True, help_text="The letterhead address, one line per line."
    )
    telephone = SingleLineCharField(max_length=50, blank=True)
    fax = SingleLineCharField(max_length=50, blank=True)
    website = models.URLField(blank=True)
    exchange = SingleLineCharField(max_length=50, blank=True, help_text="e.g. “Nasdaq”, “NYSE”.")
    ticker = SingleLineCharField(max_length=20, blank=True, help_text="e.g. “IMGN”.")

    class Meta:
        verbose_name = "company profile"
        verbose_name_plural = "company profile"

    def __str__(self) -> str:
        return self.legal_name

    def save(self, *args, **kwargs) -> None:
        # A singleton: whatever form saved it, it is row 1.
        self.pk = 1
        super().save(*args, **kwargs)

    @classmethod
    def load(cls) -> "CompanyProfile":
        """The profile, or an unsaved blank one on a fresh install."""
        return cls.objects.filter(pk=1).first() or cls(legal_name="", short_name="")

    @classmethod
    def for_request(cls, request) -> "CompanyProfile":
        """`load()` once per request, however many parts of the page print the letterhead."""
        if not hasattr(request, "_irsite_company"):
            request._irsite_company = cls.load()
        return request._irsite_company

    @property
    def address(self) -> list[str]:
        return [line.strip() for line in self.address_lines.splitlines() if line.strip()]

    @property
    def listing(self) -> str:
        """“Nasdaq: IMGN”, as a release's first paragraph quotes it."""
        return f"{self.exchange}: {self.ticker}" if self.exchange and self.ticker else self.ticker


class Contact(models.Model):
    class Audience(models.TextChoices):
        INVESTORS = "investors", "Investors"
        MEDIA = "media", "Media"

    name = SingleLineCharField(max_length=200)
    title = SingleLineCharField(max_length=200, blank=True)
    organization = SingleLineCharField(
        max_length=200,
        blank=True,
        help_text="Leave blank for the company itself; name the agency for an outside contact.",
    )
    telephone = SingleLineCharField(max_length=50, blank=True)
    email = models.EmailField(blank=True)
    audience = models.CharField(max_length=20, choices=Audience.choices)
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Inactive contacts stay on the releases that name them but leave /contacts/.",
    )
    position = models.PositiveIntegerField(default=0, help_text="Lower numbers are listed first.")

    class Meta:
        ordering = ["audience", "position", "name"]

    def __str__(self) -> str:
        org = f", {self.organization}" if self.organization else ""
        return f"{self.name}{org} ({self.get_audience_display()})"

    def get_absolute_url(self) -> str:
        return reverse("contacts:list")
