"""Categories: saved with their old URLs kept as redirects, every page purged."""

from collections.abc import Iterable

from django.db import transaction

from irsite.http import site_changed

from ..models import (
    Category,
    CategorySlugRedirect,
    Release,
)
from .base import (
    TransitionRefused,
    _require,
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
    if category.pk is not None:
        stored = Category.objects.select_for_update().values_list("slug", flat=True)
        old = stored.get(pk=category.pk)
        if old != category.slug:
            CategorySlugRedirect.objects.update_or_create(
                old_slug=old, defaults={"category": category}
            )
    category.save()
    CategorySlugRedirect.objects.filter(old_slug=category.slug, category=category).delete()
    # Every page prints the categories (menus, filters, feeds): all of them, at the front cache too.
    site_changed()


@transaction.atomic
def delete_categories(categories: Iterable[Category], user) -> None:
    """Delete categories (their releases stay, without them); every page purged."""
    _require(user, "delete_category", "delete categories")
    for category in categories:
        category.delete()
    site_changed()
