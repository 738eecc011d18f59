"""Categories: saved with their old URLs kept as redirects, every page purged."""

from collections.abc import Iterable

from django.db import transaction
from django.db.models import ProtectedError

from irsite.http import site_changed

from ..models import (
    AuditEntry,
    Category,
    CategorySlugRedirect,
    Release,
)
from .base import (
    TransitionRefused,
    _require,
    audit,
)

Status = Release.Status
State = Release.State


def check_category(category: Category, user) -> None:
    """The check step of `save_category`, also run by the admin's form: refuses (``field``
    "slug") a slug that another category had, since its old URLs lead there."""
    _require(user, "change_category" if category.pk else "add_category", "edit categories")
    taken = (
        CategorySlugRedirect.objects.filter(old_slug=category.slug)
        .exclude(category_id=category.pk)
        .select_related("category")
        .first()
    )
    if taken:
        raise TransitionRefused(
            f"The URL “{category.slug}” belongs to the category “{taken.category}”: its old "
            "links and feed subscriptions lead there. Choose another slug.",
            field="slug",
        )


@transaction.atomic
def save_category(category: Category, user) -> None:
    """Save a category; a changed slug keeps the old page and feed URLs as permanent redirects
    (feed readers follow a 301 and keep their subscription)."""
    check_category(category, user)
    renamed = ""
    if category.pk is not None:
        stored = Category.objects.select_for_update().values_list("name", "slug")
        old_name, old = stored.get(pk=category.pk)
        if old != category.slug:
            CategorySlugRedirect.objects.update_or_create(
                old_slug=old, defaults={"category": category}
            )
        if (old_name, old) != (category.name, category.slug):
            renamed = f"“{old_name}” ({old}) → “{category.name}” ({category.slug})"
    category.save()
    if renamed:
        # Published pages print the category: what they say changed without a correction, so
        # the audit trail says which pages changed and how.
        pages = [r.get_absolute_url() for r in _printed_by(category).only("slug", "published_at")]
        if pages:
            audit(user, AuditEntry.Action.CATEGORY_CHANGED, None,
                  f"{renamed} on {len(pages)} page(s): {' '.join(pages)}"[:2000])  # fmt: skip
    CategorySlugRedirect.objects.filter(old_slug=category.slug, category=category).delete()
    # Every page prints the categories (menus, filters, feeds): all of them, at the front cache too.
    site_changed()


@transaction.atomic
def delete_categories(categories: Iterable[Category], user) -> None:
    """Delete categories that no published release prints; every page purged.

    A published release (scheduled or live) prints its categories: deleting one would change
    the legal record with no correction, so the model refuses it (`models.category.
    refuse_printed`, whoever asks), as a standard text's version that a release uses is refused.
    Remove it from those releases by corrections first."""
    _require(user, "delete_category", "delete categories")
    try:
        Category.objects.filter(pk__in=[c.pk for c in categories]).delete()
    except ProtectedError as refused:
        raise TransitionRefused(refused.args[0]) from None
    site_changed()


def _printed_by(category: Category):
    return Release.objects.filter(categories=category, status=Status.PUBLISHED)
