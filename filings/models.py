"""The SEC filings list: the issuer's filings as EDGAR lists them, and where they come from.

- `EdgarSource`: one row. The issuer's CIK, set once by the IR team in the admin (a filings
  setting of the site, not of the company profile: it is what the poller reads, with the poller's
  state beside it: EDGAR's Last-Modified, the last good update, the last error, the back-off).
- `Filing`: one row per accession number (EDGAR's unique name of a filing), upserted by the
  poller, never deleted; the IR team may hide one (with a reason, `FilingAudit`).
- THE publication rule of a filing is `FilingQuerySet.public()`: not hidden. A filing is public
  on EDGAR before it is here; nothing is scheduled, so the page cache needs no go-live from
  this app.
"""

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models

from irsite import clock
from irsite.plaintext import MultiLineTextField, SingleLineCharField

from .edgar import DESCRIPTION_MAX_LENGTH
from .groups import BY_SLUG, GROUPS, Group, base_form, group_of, is_amendment


class EdgarSource(models.Model):
    """The one row saying whose filings are listed and how the last polls went."""

    cik = models.CharField(
        "CIK",
        max_length=10,
        blank=True,
        help_text="The issuer's Central Index Key on EDGAR, 10 digits (e.g. 0000855654). Set "
        "once: it cannot be changed while filings of it are stored.",
    )
    name = models.CharField(max_length=200, blank=True, help_text="The issuer's name on EDGAR.")
    # EDGAR's Last-Modified of the submissions file, sent back as If-Modified-Since.
    edgar_last_modified = models.CharField(max_length=64, blank=True)
    # Names of the older pages (`filings.files`) already read: they list settled history.
    pages_read = models.JSONField(default=list, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True, help_text="Last attempt.")
    updated_at = models.DateTimeField(
        null=True, blank=True, help_text="Last answer from EDGAR that was read (or 304)."
    )
    # The time the public pages print as "last updated from EDGAR" (`filings.actions`).
    shown_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(
        blank=True, help_text="The last attempt's error; empty after a good one."
    )
    error_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="Failed attempts in a row.")
    # Keys EDGAR sent that irsite does not read (not an error: reported to staff).
    notes = models.TextField(blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "EDGAR source"
        verbose_name_plural = "EDGAR source"

    def __str__(self) -> str:
        return f"EDGAR CIK {self.cik}" if self.cik else "EDGAR (no CIK set)"

    @classmethod
    def load(cls) -> "EdgarSource":
        source, _ = cls.objects.get_or_create(pk=1)
        return source

    def staleness(self, now: datetime | None = None) -> str:
        """What staff are told when the list is stale ("" while it is fresh or no CIK is set):
        no good answer from EDGAR for ``IRSITE_EDGAR_STALE_SECONDS``, or never one while the
        attempts fail."""
        if not self.cik:
            return ""
        why = f" Last error: {self.error}" if self.error else ""
        if self.updated_at is None:
            return f"The filings list was never read from EDGAR.{why}" if self.error else ""
        age = (now or clock.now()) - self.updated_at
        if age < timedelta(seconds=settings.IRSITE_EDGAR_STALE_SECONDS):
            return ""
        minutes = int(age.total_seconds() // 60)
        return f"The filings list was last updated from EDGAR {minutes} minutes ago.{why}"


class FilingQuerySet(models.QuerySet["Filing"]):
    def public(self) -> "FilingQuerySet":
        """THE publication rule of a filing: every one the IR team has not hidden."""
        return self.filter(hidden_at__isnull=True)

    def in_group(self, group: Group) -> "FilingQuerySet":
        return self.filter(group=group.slug)

    def newest_first(self) -> "FilingQuerySet":
        # A filing without an acceptance time (EDGAR gives none for some old ones) comes last of
        # its day on either database (PostgreSQL would put NULL first).
        accepted = models.F("accepted_at").desc(nulls_last=True)
        return self.order_by("-filing_date", accepted, "-accession_number")

    def years(self) -> list[int]:
        dates = self.order_by().dates("filing_date", "year", order="DESC")
        return [d.year for d in dates]


class Filing(models.Model):
    """One filing of the issuer on EDGAR, keyed by its accession number."""

    accession_number = models.CharField(max_length=20, unique=True)
    cik = models.CharField("CIK", max_length=10)
    form = models.CharField(max_length=30)
    group = models.CharField(
        max_length=20, choices=[(g.slug, g.label) for g in GROUPS], db_index=True
    )
    filing_date = models.DateField(db_index=True)
    report_date = models.DateField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    act = models.CharField(max_length=10, blank=True)
    file_number = models.CharField(max_length=40, blank=True)
    film_number = models.CharField(max_length=40, blank=True)
    items = models.CharField(max_length=200, blank=True, help_text="8-K items, e.g. 2.02,9.01.")
    size = models.BigIntegerField(default=0)
    is_xbrl = models.BooleanField(default=False)
    is_inline_xbrl = models.BooleanField(default=False)
    primary_document = models.CharField(max_length=300, blank=True)
    description = models.CharField(max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    first_seen_at = models.DateTimeField()
    # Listed by a poll after the list was first read, and filed within the last days: new on
    # EDGAR since the site follows it (what an alert may announce; the first read's history,
    # or an older page read late, never is).
    new_on_edgar = models.BooleanField(default=False)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = SingleLineCharField(max_length=500, blank=True)

    objects = FilingQuerySet.as_manager()

    # What the poller writes (and compares, so that a second poll changes nothing).
    EDGAR_FIELDS = (
        "cik",
        "form",
        "group",
        "filing_date",
        "report_date",
        "accepted_at",
        "act",
        "file_number",
        "film_number",
        "items",
        "size",
        "is_xbrl",
        "is_inline_xbrl",
        "primary_document",
        "description",
    )

    class Meta:
        ordering = [
            "-filing_date",
            models.F("accepted_at").desc(nulls_last=True),
            "-accession_number",
        ]
        indexes = [models.Index(fields=["group", "filing_date"], name="filing_group_date")]

    def __str__(self) -> str:
        return f"{self.form} {self.accession_number}"

    @property
    def group_info(self) -> Group:
        return BY_SLUG.get(self.group) or group_of(self.form)

    @property
    def base_form(self) -> str:
        return base_form(self.form)

    @property
    def is_amendment(self) -> bool:
        return is_amendment(self.form)

    @property
    def title(self) -> str:
        """The row's and the feed item's description: EDGAR's, or the form's when it has none
        (EDGAR's description of an 8-K is often just "8-K")."""
        description = self.description.strip()
        if not description or description.upper() == self.form.upper():
            return f"Form {self.form}"
        return description

    # --- links to EDGAR (never hosted here: docs/filings.md) ---------------------------------

    def _folder(self) -> str:
        base = settings.IRSITE_EDGAR_ARCHIVES_URL.rstrip("/")
        folder = self.accession_number.replace("-", "")
        return f"{base}/Archives/edgar/data/{int(self.cik)}/{folder}"

    @property
    def index_url(self) -> str:
        """The filing's index page on sec.gov (every document of the filing)."""
        return f"{self._folder()}/{self.accession_number}-index.htm"

    @property
    def document_url(self) -> str:
        """The primary document; with inline XBRL, EDGAR's viewer of it ("" without one)."""
        if not self.primary_document:
            return ""
        url = f"{self._folder()}/{self.primary_document}"
        if self.is_inline_xbrl:
            base = settings.IRSITE_EDGAR_ARCHIVES_URL.rstrip("/")
            return f"{base}/ix?doc={url.removeprefix(base)}"
        return url

    @property
    def filed_on(self) -> date:
        return self.filing_date


class FilingAudit(models.Model):
    """Append-only: who hid or showed a filing again, when and why. The admin cannot edit it."""

    class Action(models.TextChoices):
        HIDDEN = "hidden", "Hidden"
        SHOWN = "shown", "Shown again"
        CIK_SET = "cik_set", "CIK set"

    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    filing = models.ForeignKey(
        Filing, null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_entries"
    )
    accession_number = models.CharField(max_length=20, blank=True)
    detail = MultiLineTextField(blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "filings audit entry"
        verbose_name_plural = "filings audit trail"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or 'system'} {self.action}"
