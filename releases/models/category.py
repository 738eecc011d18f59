"""Categories of releases, public only while they have a public release."""

from datetime import datetime

from django.apps import apps
from django.db import models

from irsite.plaintext import SingleLineCharField
from irsite.urlcache import reverse_cached


class CategoryQuerySet(models.QuerySet["Category"]):
    def public(self, now: datetime | None = None) -> "CategoryQuerySet":
        """Categories readers may see: those with a release `ReleaseQuerySet.public()` shows.

        Before its first release goes live a category is as absent as one that never existed
        (its page, feeds, sign-up choice, menus and sitemap entry), so a category named for an
        embargoed deal cannot leak it; it leaves again when its last release is withdrawn.
        """
        # Looked up, not imported: the release model is built on this one.
        release = apps.get_model("releases", "Release")
        return release.objects.public(now).categories(self)

    def printed(self) -> "CategoryQuerySet":
        """Those a published release (scheduled or live) prints: part of its record."""
        release = apps.get_model("releases", "Release")
        return self.filter(releases__status=release.Status.PUBLISHED).distinct()

    def delete(self) -> tuple[int, dict[str, int]]:
        refuse_printed(self)
        return super().delete()


def refuse_printed(categories: CategoryQuerySet) -> None:
    """The one rule for deleting categories, whoever asks (the admin's delete view and bulk
    action through `actions.delete_categories`, a command, a shell): one a published release
    prints is refused with `ProtectedError`, as the database's PROTECT refuses deleting a
    standard text's version, a contact or a letterhead a release prints. Deleting it would
    change the legal record (its page, its category's URL) with no correction."""
    release = apps.get_model("releases", "Release")
    for category in categories.printed():
        printing = release.objects.filter(categories=category, status=release.Status.PUBLISHED)
        raise models.ProtectedError(
            f"“{category}” is printed by {printing.count()} published release(s): remove it "
            "from them by corrections before deleting it.",
            set(printing),
        )


class Category(models.Model):
    name = SingleLineCharField(max_length=100, unique=True)
    slug = models.SlugField(
        max_length=100,
        unique=True,
        help_text="The last part of the category's page and feed URLs. If you change it, the "
        "old URLs keep working as permanent redirects.",
    )

    objects = CategoryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse_cached("releases:category", self.slug)

    def delete(self, *args, **kwargs) -> tuple[int, dict[str, int]]:
        refuse_printed(Category.objects.filter(pk=self.pk))
        return super().delete(*args, **kwargs)


class CategorySlugRedirect(models.Model):
    """A slug a category had before: its old page and feed URLs redirect permanently."""

    old_slug = models.SlugField(max_length=100, unique=True)
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.category.slug}"
