from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max, Q

from irsite.plaintext import SingleLineCharField
from irsite.richtext import EDITOR_EXTENSIONS, RichTextField, sanitize_html

# The largest standing text, in bytes of stored HTML: every release that carries it prints it,
# and the PDF and e-mail too. A long safe harbor runs to 5 KB; a pasted report is not one.
TEXT_MAX_BYTES = 64 * 1024


def validate_text_size(html: str) -> None:
    """Refuse a standing text over `TEXT_MAX_BYTES`, saying how large it is and the limit."""
    size = len((html or "").encode("utf-8", "replace"))
    if size > TEXT_MAX_BYTES:
        raise ValidationError(
            f"The text is {size / 1024:.0f} KB of HTML; the limit is "
            f"{TEXT_MAX_BYTES // 1024} KB. A standing text prints on every release that "
            "carries it.",
            code="text_too_large",
        )


class Disclaimer(models.Model):
    """A standing text that releases carry: an About boilerplate or the safe-harbor paragraph.

    Its wording lives in immutable versions. A release points at the version it was written
    with, so a release keeps, forever, the text it was published with.
    """

    class Kind(models.TextChoices):
        ABOUT = "about", "About the company"
        SAFE_HARBOR = "safe_harbor", "Forward-looking statements (safe harbor)"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = SingleLineCharField(
        max_length=200, help_text="For editors only, e.g. “About ImmunoGen (2003)”."
    )
    is_default = models.BooleanField(
        "default for new releases",
        default=False,
        help_text="New releases start with the latest version of the default text of each kind.",
    )

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"], condition=Q(is_default=True), name="one_default_per_kind"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def current_version(self) -> "DisclaimerVersion | None":
        return self.versions.order_by("-number").first()

    @transaction.atomic
    def revise(self, heading: str, text: str, user=None) -> "DisclaimerVersion":
        """The version carrying this wording: the current one if unchanged, else a new one."""
        text = sanitize_html(text)
        current = self.current_version
        if current and current.heading == heading and current.text == text:
            return current
        # Lock the parent row so two editors revising at once get distinct numbers.
        Disclaimer.objects.select_for_update().filter(pk=self.pk).first()
        number = (self.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        return DisclaimerVersion.objects.create(
            disclaimer=self, number=number, heading=heading, text=text, created_by=user
        )

    @classmethod
    def default_versions(cls) -> list["DisclaimerVersion"]:
        """The current version of each kind's default text, About first."""
        versions = []
        for disclaimer in cls.objects.filter(is_default=True).order_by("kind"):
            if version := disclaimer.current_version:
                versions.append(version)
        return versions


class ImmutableVersionError(Exception):
    """A disclaimer version was about to be changed; versions are only ever added."""


class DisclaimerVersion(models.Model):
    disclaimer = models.ForeignKey(Disclaimer, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    heading = SingleLineCharField(
        max_length=300,
        blank=True,
        help_text="Printed above the text, e.g. “ABOUT IMMUNOGEN, INC.”.",
    )
    text = RichTextField(
        extensions=EDITOR_EXTENSIONS, sanitize=sanitize_html, validators=[validate_text_size]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["disclaimer", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["disclaimer", "number"], name="unique_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.disclaimer.name} v{self.number}"

    def save(self, *args, **kwargs) -> None:
        # Versions are a record; the database refuses updates too (trigger in migration 0002).
        if self.pk is not None:
            raise ImmutableVersionError(f"{self} is a published record and cannot be changed.")
        self.text = sanitize_html(self.text)
        super().save(*args, **kwargs)

    if TYPE_CHECKING:
        # Added by the text's field (django-prose-editor's `contribute_to_class`).
        def get_text_excerpt(self, words: int = 10, truncate: str = " ...") -> str: ...

    @property
    def kind(self) -> str:
        return self.disclaimer.kind

    @property
    def html(self):
        return sanitize_html(self.text)
