import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import DataError, connection, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from irsite import clock
from irsite.contacts.models import CompanyProfile, Contact, ContactDetails, Letterhead
from irsite.disclaimers.models import Disclaimer, DisclaimerVersion
from irsite.plaintext import MultiLineTextField, SingleLineCharField
from irsite.richtext import EDITOR_EXTENSIONS, RichTextField, sanitize_html
from irsite.urlcache import reverse_cached

from .. import body_images
from ..exhibits.render_common import split_blocks
from ..text import (
    first_paragraph_with_dateline,
    level_headings,
    mark_figure_cells,
    plain_text,
    summary,
)
from .category import Category
from .fields import weighted_vector
from .files import Attachment
from .history import Correction
from .limits import (
    HEADLINE_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    SEARCH_CONFIG,
    SUBHEADLINE_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    search_prefix,
    validate_body_size,
)
from .links import SlugRedirect
from .parts import ReleaseContact
from .querysets import ReleaseQuerySet
from .record import SearchDocument
from .states import State, Status


class Release(models.Model):
    Status = Status
    State = State

    # Fields an editor writes; everything a revision records and a correction may change.
    CONTENT_FIELDS = (
        "headline",
        "subheadline",
        "slug",
        "dateline_city",
        "published_at",
        "summary",
        "body",
        "exhibit_label",
        "filing_url",
        "release_instruction",
        "wire_tag",
        "end_mark",
        "notes",
        "standard_texts_at",
    )

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Long enough for any headline filed so far (the longest seen: 334 characters).
    headline = SingleLineCharField(max_length=HEADLINE_MAX_LENGTH)
    subheadline = MultiLineTextField(
        blank=True,
        max_length=SUBHEADLINE_MAX_LENGTH,
        help_text="Optional; one subheadline or bullet per line, printed under the headline.",
    )
    slug = models.SlugField(
        max_length=200,
        unique=True,
        help_text=(
            "The last part of the permanent URL. After publication the old URL keeps working "
            "as a permanent redirect if you change it."
        ),
    )
    dateline_city = SingleLineCharField(
        max_length=100, help_text="As printed before the date, e.g. “CAMBRIDGE, MA”."
    )
    published_at = models.DateTimeField(
        "publication time",
        null=True,
        blank=True,
        help_text=(
            "To the second, in the company's time zone. The release becomes public at exactly "
            "this time once an approver publishes it; until then nothing of it is public."
        ),
    )
    summary = MultiLineTextField(
        blank=True,
        max_length=SUMMARY_MAX_LENGTH,
        help_text="One or two sentences for feeds and search engines; blank uses the first "
        "paragraph.",
    )
    body = RichTextField(
        extensions=EDITOR_EXTENSIONS,
        sanitize=sanitize_html,
        validators=[validate_body_size],
        help_text="Starts with the first paragraph; the dateline is put in front of it.",
    )
    contacts = models.ManyToManyField(Contact, through="ReleaseContact", blank=True)
    # The company letterhead as approved (`freeze_borrowed`); drafts print the profile's.
    letterhead = models.ForeignKey(
        Letterhead,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        editable=False,
        related_name="+",
    )
    disclaimers = models.ManyToManyField(DisclaimerVersion, through="ReleaseDisclaimer", blank=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="releases")
    exhibit_label = SingleLineCharField(
        max_length=50, blank=True, help_text="If filed with the SEC, e.g. “EXHIBIT 99.1”."
    )
    filing_url = models.URLField(
        "SEC filing", blank=True, help_text="The 8-K on EDGAR this release was filed with."
    )
    # What a filed exhibit prints around the text, kept as filed (an import never invents them).
    release_instruction = SingleLineCharField(
        max_length=200,
        blank=True,
        default="FOR IMMEDIATE RELEASE",
        help_text="Printed above the headline, e.g. “FOR IMMEDIATE RELEASE” or “FOR RELEASE AT "
        "4:05 P.M. ET”; blank prints none.",
    )
    wire_tag = SingleLineCharField(
        max_length=100, blank=True, help_text="Printed in the dateline, e.g. “/PRNewswire/”."
    )
    end_mark = SingleLineCharField(
        max_length=20, blank=True, help_text="Printed after the text, e.g. “###”."
    )
    notes = MultiLineTextField(
        blank=True,
        max_length=NOTES_MAX_LENGTH,
        help_text="Notices printed after the end mark (notes to editors, trademarks), one per "
        "line.",
    )
    # Where the filing sets its standard texts when more of the body follows them (filings
    # print the safe harbor before their financial tables: K22); `exhibits.split_blocks`.
    standard_texts_at = models.PositiveIntegerField(
        "standard texts after block",
        null=True,
        blank=True,
        help_text="The About and safe-harbor texts are printed after this many blocks "
        "(paragraphs, headings, lists, tables) of the body, as the filing sets them before its "
        "tables. Empty: after the body.",
    )

    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    # Optimistic locking: a save based on an older version is refused, never merged blindly.
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    content_changed_at = models.DateTimeField(null=True, editable=False)
    content_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    approved_at = models.DateTimeField(null=True, editable=False)
    # The version last approved (kept when returned to draft): the next review diffs against it.
    approved_version = models.PositiveIntegerField(null=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    corrected_at = models.DateTimeField("last corrected", null=True, editable=False)
    withdrawn_at = models.DateTimeField(null=True, editable=False)
    withdrawal_reason = MultiLineTextField(blank=True, editable=False)
    # Material news, checked against the listing exchange's notice rules when scheduled or
    # published; None: decided by its categories (on for earnings and results).
    material = models.BooleanField("material news", null=True, blank=True, editable=False)
    # SHA-256 of the exhibit file a release was imported from: importing it again is a no-op.
    source_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)

    objects = ReleaseQuerySet.as_manager()

    # Set only on rows some querysets load (`ReleaseQuerySet`): the prefetched lists
    # (`for_listing()`, `for_page()`...) and the columns `for_public_page()` adds.
    prefetched_categories: list[Category]
    prefetched_attachments: list[Attachment]
    category_rows: list[dict[str, Any]]
    previous_link: dict[str, Any] | None
    next_link: dict[str, Any] | None

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="release_public_order"),
            # The admin's list in every state, and its year filter's probes (`years()`).
            models.Index(fields=["-published_at", "-id"], name="release_admin_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="published_release_has_time",
            )
        ]
        permissions = [
            ("submit_release", "Can submit a release for approval"),
            ("approve_release", "Can approve or return a release"),
            ("publish_release", "Can publish, schedule and unschedule a release"),
            ("correct_release", "Can correct a published release"),
            ("withdraw_release", "Can withdraw a published release"),
            ("share_release_preview", "Can create and revoke preview share links"),
        ]

    def __str__(self) -> str:
        return self.headline

    def save(self, *args, **kwargs) -> None:
        # Publication times are stated to the second; sub-second parts would make "exactly
        # at 08:00:00" ambiguous between the admin, the feeds and the database.
        if self.published_at is not None:
            self.published_at = self.published_at.replace(microsecond=0)
        self.body = sanitize_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        local = timezone.localtime(self.published_at)
        return reverse_cached("releases:detail", local.year, local.month, local.day, self.slug)

    def get_pdf_url(self) -> str:
        """The PDF rendition ("Download PDF"), public exactly when the page is."""
        local = timezone.localtime(self.published_at)
        return reverse_cached("releases:pdf", local.year, local.month, local.day, self.slug)

    # --- state -----------------------------------------------------------------------------
    @property
    def is_public(self) -> bool:
        """Row form of `ReleaseQuerySet.public()`, for one release already in hand."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= clock.now()
        )

    @property
    def state(self) -> str:
        """The state an editor sees (a `Release.State`): a published release is "scheduled"
        until its time comes, then "live"."""
        if self.status == self.Status.PUBLISHED:
            return self.State.LIVE if self.is_public else self.State.SCHEDULED
        return self.State(self.status)

    @property
    def state_label(self) -> str:
        """The state in plain words: "In review", "Scheduled"."""
        return self.State(self.state).label

    @property
    def is_frozen(self) -> bool:
        """Approved, scheduled, live or withdrawn: it prints the contact details and letterhead
        it was approved with (`freeze_borrowed`); a draft or a release in review prints the
        current ones, so returning to draft unfreezes them and approving again re-freezes."""
        return self.status in {self.Status.APPROVED, self.Status.PUBLISHED, self.Status.WITHDRAWN}

    @property
    def is_editable(self) -> bool:
        """Drafts take edits; a live release takes corrections. A release in review is frozen
        (what the approver reviews is what they approve) until taken back to draft."""
        return self.status == self.Status.DRAFT

    @property
    def category_list(self) -> list[Category]:
        """Its categories by name, from the queryset's prefetch (`for_listing()` and the like)
        when there was one."""
        if hasattr(self, "prefetched_categories"):
            return self.prefetched_categories
        return list(self.categories.all())

    @property
    def attachment_list(self) -> list["Attachment"]:
        """Its attachments in print order, from the queryset's prefetch when there was one."""
        if hasattr(self, "prefetched_attachments"):
            return self.prefetched_attachments
        return list(self.attachments.order_by("position", "pk"))

    @property
    def release_image(self) -> "Attachment | None":
        """The attachment marked as the release's image (link previews, JSON-LD), if any."""
        return next((a for a in self.attachment_list if a.is_release_image), None)

    @property
    def subheadlines(self) -> list[str]:
        return [line.strip() for line in self.subheadline.splitlines() if line.strip()]

    def can_be_changed_by(self, user) -> bool:
        """Whether ``user`` may change the content now: edit a draft, or prepare a correction
        of a live release (which a second person with `correct_release` approves)."""
        if self.pk is None or self.is_editable or self.state == self.State.LIVE:
            return user.has_perm("releases.change_release")
        return False

    def slug_reserved_by(self) -> "Release | None":
        """The other release whose permanent URL once had this slug (its old link redirects
        to it, or answers 410 if it was withdrawn), if any: that slug is not free."""
        old = SlugRedirect.objects.filter(old_slug=self.slug).exclude(release_id=self.pk)
        found = old.select_related("release").first()
        return found.release if found else None

    @property
    def last_modified(self) -> datetime | None:
        """When readers last saw the content change: publication or the latest correction."""
        return max(filter(None, [self.published_at, self.corrected_at]), default=None)

    # --- what the page prints --------------------------------------------------------------
    @property
    def dateline(self) -> str:
        """“CAMBRIDGE, MA, January 24, 2003 –” in the company's time zone."""
        date = timezone.localtime(self.published_at) if self.published_at else None
        parts = [self.dateline_city, f"{date:%B} {date.day}, {date.year}" if date else ""]
        text = ", ".join(p for p in parts if p)
        return f"{text} {self.wire_tag} –" if self.wire_tag else f"{text} –"

    @property
    def note_list(self) -> list[str]:
        return [line.strip() for line in self.notes.splitlines() if line.strip()]

    def body_html(self, image_src: "Callable[[Attachment], str] | None" = None) -> SafeString:
        """The sanitized body with the dateline leading into its first paragraph, figures in
        tables marked to align right, and only the release's own images (`body_images`), each
        at ``image_src(attachment)`` if given (else its relative file URL)."""
        head, rest = self.body_parts(image_src)
        return mark_safe(head + rest)  # noqa: S308 - both parts are safe

    def body_parts(
        self, image_src: "Callable[[Attachment], str] | None" = None
    ) -> tuple[SafeString, SafeString]:
        """`body_html` in two: the blocks printed before the standard texts (About, safe
        harbor) and the rest, where the filing sets them inside the body (K22); else the whole
        body and ""."""
        body = level_headings(mark_figure_cells(sanitize_html(self.body)))
        if "<img" in body:
            own = body_images.image_attachments(self.attachment_list)
            body = body_images.with_images(body, own, image_src)
        head, rest = split_blocks(body, self.standard_texts_at)
        # Both parts of the sanitized body are safe.
        return first_paragraph_with_dateline(mark_safe(head), self.dateline), mark_safe(rest)  # noqa: S308

    def body_html_embedded(self) -> SafeString:
        """`body_html` with its images' bytes embedded (``data:`` URLs), for what staff and
        reviewers see before go-live, when the images' URLs answer 404 to everyone."""
        return self.body_html(image_src=body_images.data_url)

    def excerpt(self, words: int = 40) -> str:
        """Plain text (escaped again by whoever prints it): the summary, or whole sentences of
        the body's paragraphs (headings, bullets and tables left out; see `text.summary`)."""
        return " ".join(self.summary.split()) or summary(self.body, words)

    def correction_notes(self) -> list["Correction"]:
        """The recorded corrections, oldest first. `actions.save_release` stamps `corrected_at`
        with each one, so a release never corrected (nearly all) costs no query."""
        if self.corrected_at is None:
            return []
        return list(self.corrections.order_by("corrected_at"))

    def ordered_contacts(self) -> list[ContactDetails]:
        """The contacts in print order, as printed: frozen copies once approved."""
        return [rc.printed(self.is_frozen) for rc in self.releasecontact_set.all()]

    def contacts_by_audience(self) -> list[tuple[str, list[ContactDetails]]]:
        """Investors beside media, as the letterhead prints them."""
        contacts = self.ordered_contacts()
        return [
            (label, [c for c in contacts if c.audience == value])
            for value, label in Contact.Audience.choices
            if any(c.audience == value for c in contacts)
        ]

    @property
    def printed_letterhead(self) -> "Letterhead | CompanyProfile":
        """The letterhead as printed: the one frozen at approval, else the company profile now."""
        if self.is_frozen and self.letterhead is not None:
            return self.letterhead
        if not hasattr(self, "_current_letterhead"):
            self._current_letterhead = CompanyProfile.load()
        return self._current_letterhead

    def freeze_borrowed(self, *, correction: bool = False) -> None:
        """Copy what the release borrows onto it, so it prints them as approved from now on:
        each contact's details onto its `ReleaseContact` row and the company profile as a
        `Letterhead` (the approve step and `actions.record_past_publication` call this).

        Later edits of a contact or of the profile reach drafts and future releases only.
        With ``correction``, only the rows a correction added or re-pointed (those not frozen)
        take the contact's current details; the rest and the letterhead stay as published.
        """
        rows = list(self.releasecontact_set.select_related("contact"))
        if correction:
            rows = [row for row in rows if row.frozen_at is None]
        now = timezone.now()
        for row in rows:
            for name, value in ContactDetails.of(row.contact).as_dict().items():
                setattr(row, name, value)
            row.frozen_at = now
        ReleaseContact.objects.bulk_update(rows, [*ContactDetails.field_names(), "frozen_at"])
        if not (correction and self.letterhead_id):
            self.letterhead = Letterhead.of(CompanyProfile.load())
            self.save(update_fields=["letterhead"])

    def disclaimer_versions(self, kind: str) -> list[DisclaimerVersion]:
        return [
            rd.version
            for rd in self.releasedisclaimer_set.all()
            if rd.version.disclaimer.kind == kind
        ]

    def abouts(self) -> list[DisclaimerVersion]:
        return self.disclaimer_versions(Disclaimer.Kind.ABOUT)

    def safe_harbors(self) -> list[DisclaimerVersion]:
        return self.disclaimer_versions(Disclaimer.Kind.SAFE_HARBOR)

    def update_search_document(self) -> None:
        """Refresh what search finds of this release; `actions.save_release` calls it."""
        body_text = plain_text(self.body)
        SearchDocument.objects.update_or_create(release=self, defaults={"body_text": body_text})
        if connection.vendor != "postgresql":
            return
        # The text of a body past the first SEARCH_INDEX_MAX_BYTES is not indexed (a tsvector
        # holds 1 MB); should a pathological text still not fit, half as much, and so on.
        indexed = search_prefix(body_text)
        while True:
            vector = weighted_vector(self.headline, self.subheadline, indexed, SEARCH_CONFIG)
            try:
                with transaction.atomic():
                    SearchDocument.objects.filter(pk=self.pk).update(vector=vector)
                return
            except DataError:
                if not indexed:
                    raise
                indexed = search_prefix(indexed, len(indexed.encode("utf-8")) // 2)

    def snapshot(self) -> dict:
        """The content as a revision records it: JSON, comparable, restorable."""
        data = {name: getattr(self, name) for name in self.CONTENT_FIELDS}
        data["published_at"] = self.published_at.isoformat() if self.published_at else None
        # Details as printed, not only ids: a contact's later edits must not rewrite history.
        rows = self.releasecontact_set.select_related("contact").order_by("position", "pk")
        data["contacts"] = [
            {"contact": row.contact_id, **row.printed(self.is_frozen).as_dict()} for row in rows
        ]
        data["letterhead"] = self.printed_letterhead.letterhead_fields()
        data["disclaimers"] = list(
            self.releasedisclaimer_set.order_by("position").values_list("version_id", flat=True)
        )
        data["categories"] = sorted(self.categories.values_list("pk", flat=True))
        # Stored names: a revision keeps its files in storage (`attachments.referenced_names`).
        data["attachments"] = [a.snapshot() for a in self.attachments.order_by("position", "pk")]
        return data
