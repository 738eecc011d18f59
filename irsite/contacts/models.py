import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields

from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import Subquery
from django.db.models.fields.files import FieldFile
from django.db.models.functions import JSONObject
from django.urls import reverse

from irsite.contacts import brand
from irsite.exchange.rules import VENUES
from irsite.plaintext import MultiLineTextField, SingleLineCharField

LOGO_FOLDER = "brand"


def _logo_name(instance: "CompanyProfile", filename: str) -> str:
    # Random, so a new logo gets a new URL and the old one can be cached for long.
    return f"{LOGO_FOLDER}/{secrets.token_hex(16)}.{filename.rpartition('.')[2].lower()}"


class LetterheadFields(models.Model):
    """What a release prints as its letterhead: the company's name, address and listing."""

    legal_name = SingleLineCharField(max_length=200, help_text="As filed, e.g. “ImmunoGen, Inc.”.")
    short_name = SingleLineCharField(
        max_length=100, help_text="How releases refer to the company, e.g. “ImmunoGen”."
    )
    # Bounded: every page, the PDF and each approved release's letterhead print it.
    address_lines = MultiLineTextField(
        max_length=500, blank=True, help_text="The letterhead address, one line per line."
    )
    telephone = SingleLineCharField(max_length=50, blank=True)
    fax = SingleLineCharField(max_length=50, blank=True)
    website = models.URLField(blank=True)
    exchange = SingleLineCharField(max_length=50, blank=True, help_text="e.g. “Nasdaq”, “NYSE”.")
    ticker = SingleLineCharField(max_length=20, blank=True, help_text="e.g. “IMGN”.")
    # Part of the letterhead: a release keeps the logo it was approved with (docs/brand.md).
    logo = models.FileField(upload_to=_logo_name, max_length=100, blank=True, editable=False)
    logo_type = models.CharField(max_length=50, blank=True, editable=False)

    FIELDS = (
        "legal_name",
        "short_name",
        "address_lines",
        "telephone",
        "fax",
        "website",
        "exchange",
        "ticker",
        "logo",
        "logo_type",
    )

    class Meta:
        abstract = True

    @property
    def address(self) -> list[str]:
        return [line.strip() for line in self.address_lines.splitlines() if line.strip()]

    @property
    def listing(self) -> str:
        """“Nasdaq: IMGN”, as a release's first paragraph quotes it."""
        return f"{self.exchange}: {self.ticker}" if self.exchange and self.ticker else self.ticker

    def letterhead_fields(self) -> dict[str, str]:
        """The letterhead as plain values: what a revision records and `Letterhead.of` keys on."""
        values = {name: getattr(self, name) for name in self.FIELDS}
        # The logo as its stored name: JSON for revisions, a plain value to look a row up by.
        return {k: (v.name or "") if isinstance(v, FieldFile) else v for k, v in values.items()}

    def get_logo_url(self) -> str:
        """The logo's public URL ('' without one): served while this letterhead's logo is the
        company's or one a public release was approved with (`irsite.contacts.views.logo`)."""
        name = self.logo.name
        if not name:  # the file field is empty
            return ""
        return reverse("contacts:logo", args=[name.rpartition("/")[2]])


class CompanyProfile(LetterheadFields):
    """The issuer: one row, printed as the letterhead of drafts and of releases approved from
    now on (an approved release keeps the `Letterhead` it was approved with)."""

    # The site's colour, not part of the record: pages, new PDFs and e-mails take the current.
    brand_colour = models.CharField(
        "primary colour",
        max_length=7,
        blank=True,
        validators=[brand.validate_brand_colour],
        help_text="Links, rules and headings on the pages, the PDF and e-mail alerts, as "
        f"#rrggbb; blank uses the site's own, {brand.DEFAULT_COLOUR}. It must reach 4.5:1 "
        "contrast against white (WCAG 2.x, level AA).",
    )

    # Whose notice rules apply to material news (`irsite.exchange.rules`); blank: none checked.
    listing_venue = models.CharField(
        "listing venue",
        max_length=10,
        blank=True,
        choices=VENUES,
        help_text="The exchange whose notice rules a material release is checked against when "
        "it is scheduled or published (Nasdaq 5250(b)(1), NYSE 202.06). Blank checks none.",
    )

    class Meta:
        verbose_name = "company profile"
        verbose_name_plural = "company profile"

    def __str__(self) -> str:
        return self.legal_name

    def save(self, *args, **kwargs) -> None:
        # A singleton: whatever form saved it, it is row 1.
        self.pk = 1
        super().save(*args, **kwargs)

    @property
    def colour(self) -> str:
        """The brand colour, safe to print in CSS (`brand.printable`)."""
        return brand.printable(self.brand_colour)

    @classmethod
    def load(cls) -> "CompanyProfile":
        """The profile, or an unsaved blank one on a fresh install."""
        return cls.objects.filter(pk=1).first() or cls._from_values(None)

    @classmethod
    def for_request(cls, request) -> "CompanyProfile":
        """`load()` once per request, however many parts of the page print the letterhead."""
        if not hasattr(request, "_irsite_company"):
            request._irsite_company = cls.load()
        return request._irsite_company

    @classmethod
    def column(cls) -> Subquery:
        """The profile as one JSON column another query may carry (None on a fresh install),
        so that a page reads it in its own query (`releases.public.views.public_page`); see
        `from_column`."""
        names = {name: name for name in _profile_fields()}
        return Subquery(cls.objects.filter(pk=1).values(json=JSONObject(**names))[:1])

    @classmethod
    def from_column(cls, request, value: dict | None) -> "CompanyProfile":
        """The profile `column` read, kept as ``request``'s (`for_request` returns it)."""
        request._irsite_company = profile = cls._from_values(value)
        return profile

    @classmethod
    def _from_values(cls, values: dict | None) -> "CompanyProfile":
        """The profile from its columns' values by name, or the blank one (None: no row)."""
        if values is None:
            return cls(legal_name="", short_name="")
        names = _profile_fields()
        return cls.from_db(DEFAULT_DB_ALIAS, names, [values[name] for name in names])


class ImmutableLetterheadError(Exception):
    """A frozen letterhead was about to be changed; letterheads are only ever added."""


class Letterhead(LetterheadFields):
    """The company profile as releases were approved with it: immutable, one row per distinct
    content, shared by every release approved while the profile read so.

    A release points at one from approval on (`Release.freeze_borrowed`), so editing the
    profile changes drafts and future releases, never a published record.
    """

    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "letterhead as approved"
        verbose_name_plural = "letterheads as approved"

    def __str__(self) -> str:
        return f"{self.legal_name or 'Letterhead'} (as of {self.created_at:%Y-%m-%d})"

    def save(self, *args, **kwargs) -> None:
        # A record: the database refuses updates too (trigger in migration 0002).
        if self.pk is not None:
            raise ImmutableLetterheadError(f"{self} is part of a published record.")
        super().save(*args, **kwargs)

    @classmethod
    def of(cls, profile: LetterheadFields) -> "Letterhead":
        """The letterhead row carrying exactly ``profile``'s fields, created if none does."""
        values = profile.letterhead_fields()
        found = cls.objects.filter(**values).order_by("pk").first()
        return found or cls.objects.create(**values)


@dataclass(frozen=True)
class ContactDetails:
    """A contact as a release prints it, whether read from the contact now or from the copy a
    release froze at approval (`releases.models.ReleaseContact`)."""

    name: str
    title: str
    organization: str
    telephone: str
    email: str
    audience: str  # a `Contact.Audience` value

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def of(cls, row: object) -> "ContactDetails":
        """The details of any object with these attributes (a contact, a frozen row)."""
        return cls(**{name: getattr(row, name) for name in cls.field_names()})

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


class Contact(models.Model):
    class Audience(models.TextChoices):
        INVESTORS = "investors", "Investors"
        MEDIA = "media", "Media"
        # An imported exhibit that does not say whom a contact serves: kept as it says.
        UNSPECIFIED = "", "Contacts"

    name = SingleLineCharField(max_length=200)
    title = SingleLineCharField(max_length=200, blank=True)
    organization = SingleLineCharField(
        max_length=200,
        blank=True,
        help_text="Leave blank for the company itself; name the agency for an outside contact.",
    )
    telephone = SingleLineCharField(max_length=50, blank=True)
    email = models.EmailField(blank=True)
    audience = models.CharField(max_length=20, choices=Audience.choices, blank=True)
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


def _profile_fields() -> list[str]:
    return [f.attname for f in CompanyProfile._meta.concrete_fields]


# Apps whose public items print a letterhead say which, from their `AppConfig.ready` (releases:
# the letterheads public releases were approved with): a logo stays served while one does. This
# app knows no release; the publication rule stays the printing app's.
_PRINTED_LETTERHEADS: dict[str, Callable[[], models.QuerySet]] = {}


def register_printed_letterheads(name: str, letterhead_ids: Callable[[], models.QuerySet]) -> None:
    """``letterhead_ids()``: a ``.values("letterhead")``-style queryset of letterhead ids."""
    _PRINTED_LETTERHEADS[name] = letterhead_ids


def printed_letterheads() -> models.QuerySet["Letterhead"]:
    """Letterheads a public item prints now."""
    printed = models.Q(pk__in=[])
    for letterhead_ids in _PRINTED_LETTERHEADS.values():
        printed |= models.Q(pk__in=letterhead_ids())
    return Letterhead.objects.filter(printed)
