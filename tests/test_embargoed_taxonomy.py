"""A category is public only while it has a public release: before its first go-live it answers
exactly like a category that never existed, on every surface (page, feeds, e-mail sign-up
choice, menus, search, sitemap), and it appears at the go-live second, page cache or not.
"""

import re
from datetime import timedelta

import feedparser
import pytest
import time_machine
from django.db.models import ProtectedError
from django.urls import reverse

from irsite.alerts.models import Subscriber
from irsite.contacts.models import Contact, Letterhead
from releases import actions
from releases.models import AuditEntry, Category

from .conftest import SYSTEM, at

NOW = at(2026, 11, 27, 9, 0, 0)
GO_LIVE = NOW + timedelta(days=3)
NAME, SLUG = "Tender offer for Upsilon", "tender-offer-for-upsilon"
# Same length as SLUG, so that nothing but existence can tell the two apart.
NEVER = "x" * len(SLUG)


@pytest.fixture
def tender(make_release, publish, category) -> Category:
    """A category made for one release scheduled three days ahead, beside a public release."""
    publish(make_release(categories=[category], published_at=at(2026, 11, 2, 8, 0, 0)))
    tender = Category.objects.create(name=NAME, slug=SLUG)
    with time_machine.travel(NOW, tick=False):
        publish(
            make_release(headline="Offer for Upsilon", categories=[tender], published_at=GO_LIVE)
        )
    return tender


def category_urls(slug: str) -> list[str]:
    return [
        reverse("releases:category", args=[slug]),
        reverse("releases:category-rss", args=[slug]),
        reverse("releases:category-atom", args=[slug]),
        f"{reverse('releases:category', args=[slug])}?page=2",
    ]


# Where a category's name or slug is offered to readers: menus, sign-up choice, search, sitemap.
LISTINGS = [
    reverse("releases:list"),
    reverse("releases:year", args=[2026]),
    reverse("releases:search") + "?q=offer",
    reverse("releases:search") + f"?q=offer&category={SLUG}",
    reverse("alerts:subscribe"),
    reverse("alerts:subscribe") + f"?category={SLUG}",
    reverse("alerts:embed") + f"?category={SLUG}",
    # The sitemap index lists sections; the category pages are in their own section.
    reverse("sitemap-section", args=["categories"]),
]


def max_age(response) -> int | None:
    for part in response.get("Cache-Control", "").split(","):
        name, _, value = part.strip().partition("=")
        if name == "max-age":
            return int(value)
    return None


def test_scheduled_release_category_answers_like_a_missing_one_until_go_live(
    client, tender, page_cache
):
    for moment in (NOW, GO_LIVE - timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            for url, never in zip(category_urls(SLUG), category_urls(NEVER), strict=True):
                response, missing = client.get(url), client.get(never)
                assert response.status_code == missing.status_code == 404, url
                assert dict(response.headers) == dict(missing.headers), url
                assert response.content == missing.content, url
                # No cache may keep this 404 past the go-live second.
                assert max_age(response) <= (GO_LIVE - moment).total_seconds(), url
            for url in LISTINGS:
                body = client.get(url).content.decode()
                assert NAME not in body and SLUG not in body, f"{url} shows it at {moment}"


def test_category_appears_everywhere_at_go_live_second(client, tender, page_cache):
    # Asked just before (and cached, when on): nothing kept may outlive the go-live.
    with time_machine.travel(GO_LIVE - timedelta(seconds=1), tick=False):
        for url in [*category_urls(SLUG)[:3], *LISTINGS]:
            client.get(url)
    for moment in (GO_LIVE, GO_LIVE + timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            page, rss, atom = (client.get(url) for url in category_urls(SLUG)[:3])
            assert page.status_code == 200 and "Offer for Upsilon" in page.content.decode()
            for feed in (rss, atom):
                assert feed.status_code == 200
                entries = feedparser.parse(feed.content).entries
                assert [e.title for e in entries] == ["Offer for Upsilon"]
            for url in LISTINGS:
                assert NAME in client.get(url).content.decode() or SLUG in (
                    client.get(url).content.decode()
                ), f"{url} lacks it at {moment}"


def test_signup_refuses_a_category_that_is_not_public_yet(client, tender, company):
    with time_machine.travel(NOW, tick=False):
        response = client.post(
            reverse("alerts:subscribe"),
            {"email": "reader@example.com", "categories": [tender.pk]},
        )
    assert response.status_code == 200
    assert "categories" in response.context["form"].errors
    assert not Subscriber.objects.exists()


def test_category_leaves_public_view_when_its_last_release_is_withdrawn(
    client, make_release, publish
):
    gone = Category.objects.create(name="Recalled product", slug="recalled-product")
    release = publish(make_release(categories=[gone], published_at=at(2026, 11, 2, 8)))
    url = gone.get_absolute_url()
    assert client.get(url).status_code == 200
    actions.withdraw(release, SYSTEM, "Issued in error.")
    assert client.get(url).status_code == 404
    assert client.get(reverse("releases:category-rss", args=[gone.slug])).status_code == 404
    assert "Recalled product" not in client.get(reverse("alerts:subscribe")).content.decode()


def test_subscriber_keeps_a_chosen_category_after_its_releases_are_withdrawn(
    client, make_release, publish, company
):
    from irsite.alerts import actions as alerts
    from irsite.alerts import tokens

    recalled = Category.objects.create(name="Recalled product", slug="recalled-product")
    release = publish(make_release(categories=[recalled], published_at=at(2026, 11, 2, 8)))
    alerts.request_subscription(
        "reader@example.com", all_categories=False, categories=[recalled], source="tests"
    )
    subscriber = Subscriber.objects.get()
    alerts.confirm(subscriber, subscriber.requested_at.isoformat())
    actions.withdraw(release, SYSTEM, "Issued in error.")
    url = tokens.preferences_url(subscriber).split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + url).content.decode()
    assert "Recalled product" in page  # still theirs, still ticked
    assert re.search(rf'value="{recalled.pk}"[^>]*checked', page)
    assert "Recalled product" not in client.get(reverse("alerts:subscribe")).content.decode()


def test_a_category_a_published_release_prints_cannot_be_deleted(
    client, make_release, publish, category, superuser
):
    live = publish(make_release(categories=[category], published_at=at(2026, 1, 5, 8, 0, 0)))
    client.force_login(superuser)
    url = f"/admin/releases/category/{category.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403
    changelist = "/admin/releases/category/"
    client.post(
        changelist, {"action": "delete_selected", "_selected_action": [category.pk], "post": "yes"}
    )
    with pytest.raises(actions.TransitionRefused, match="printed by 1 published release"):
        actions.delete_categories([category], superuser)
    assert Category.objects.filter(pk=category.pk).exists()
    assert list(live.categories.all()) == [category]


def test_renaming_a_category_on_published_pages_is_recorded_with_the_pages_it_changed(
    client, make_release, publish, category, superuser
):
    live = publish(make_release(categories=[category], published_at=at(2026, 1, 5, 8, 0, 0)))
    client.force_login(superuser)
    response = client.post(
        f"/admin/releases/category/{category.pk}/change/", {"name": "Earnings", "slug": "earnings"}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CATEGORY_CHANGED)
    assert entry.username == superuser.username
    assert "“Corporate” (corporate) → “Earnings” (earnings)" in entry.detail
    assert live.get_absolute_url() in entry.detail


def test_no_path_deletes_a_category_a_published_release_prints(make_release, publish, category):
    """The rule is the model's (a `ProtectedError`, as the database's PROTECT gives for a
    standard text's version or a contact a release prints): a command or a shell is refused as
    the admin is, and the live page keeps its category."""
    live = publish(make_release(categories=[category], published_at=at(2026, 1, 5, 8, 0, 0)))
    with pytest.raises(ProtectedError, match="printed by 1 published release"):
        category.delete()
    with pytest.raises(ProtectedError):
        Category.objects.filter(slug=category.slug).delete()
    with pytest.raises(ProtectedError):
        Category.objects.all().delete()
    assert list(live.categories.all()) == [category]


def test_a_category_only_drafts_use_can_still_be_deleted(make_release, category, superuser):
    draft = make_release(categories=[category])
    actions.delete_categories([category], superuser)
    assert not Category.objects.exists()
    assert list(draft.categories.all()) == []


def test_contacts_and_letterheads_a_published_release_prints_cannot_be_deleted(
    client, make_release, publish, superuser
):
    live = publish(make_release(published_at=at(2026, 1, 5, 8, 0, 0)))
    contact = live.releasecontact_set.first().contact
    client.force_login(superuser)
    page = client.post(reverse("admin:contacts_contact_delete", args=[contact.pk]), {"post": "yes"})
    assert "would require deleting the following protected related objects" in (
        page.content.decode()
    )
    client.post(
        reverse("admin:contacts_contact_changelist"),
        {"action": "delete_selected", "_selected_action": [contact.pk], "post": "yes"},
    )
    assert Contact.objects.filter(pk=contact.pk).exists()
    with pytest.raises(ProtectedError):
        live.letterhead.delete()
    assert Letterhead.objects.filter(pk=live.letterhead_id).exists()
