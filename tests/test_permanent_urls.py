"""Permanent URLs stay permanent: a slug a release was published under stays its own (a draft
cannot take it, or delete its redirect), a withdrawn release is 410 Gone under every slug it
had, and a category's old page and feed URLs redirect to its new slug.
"""

import feedparser
import pytest
import time_machine
from django.urls import reverse

from releases import actions, edgar
from releases.edgar.bridge import _unique_slug
from releases.models import Category, Release

from .admin_forms import ADD_URL, change_url, edit_data, form_data
from .conftest import SYSTEM, at, corpus_dir, needs_corpus

NOW = at(2026, 11, 26, 12, 0, 0)
SEED = corpus_dir() / "seed" / "ex99-1-immunogen-2003-01-24.txt"


@pytest.fixture(autouse=True)
def _frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def corrected(client, make_release, publish, approver, second_approver) -> Release:
    """A live release whose slug was corrected in the admin: its old URL redirects."""
    first = make_release(
        headline="Merger agreed", slug="merger-agreed", published_at=at(2026, 11, 2)
    )
    release = publish(first)
    client.force_login(approver)
    data = edit_data(release, slug="merger-agreed-with-beta", correction_note="Name the partner.")
    assert client.post(change_url(release), data).status_code == 302
    actions.approve_correction(release.pending_corrections.get(), second_approver)
    client.logout()
    release.refresh_from_db()
    return release


OLD_URL = "/news/2026/11/02/merger-agreed/"


def test_a_draft_cannot_take_a_slug_a_release_was_published_under(
    client, corrected, editor, contacts, disclaimer_versions, make_release
):
    assert client.get(OLD_URL).status_code == 301
    client.force_login(editor)
    response = client.post(ADD_URL, form_data(contacts, disclaimer_versions, slug="merger-agreed"))
    assert response.status_code == 200
    errors = " ".join(response.context["adminform"].form.errors["slug"])
    assert "“Merger agreed”" in errors and "November 2, 2026" in errors
    assert 'name="slug" value="merger-agreed"' in response.content.decode()  # kept as typed
    assert not Release.objects.filter(slug="merger-agreed").exists()

    # Nor an existing draft renamed to it, nor anything saved through the actions (importer).
    draft = make_release(by=editor)
    response = client.post(change_url(draft), edit_data(draft, slug="merger-agreed"))
    assert response.status_code == 200
    assert "slug" in response.context["adminform"].form.errors
    draft.slug = "merger-agreed"
    with pytest.raises(actions.TransitionRefused):
        actions.save_release(draft, editor)

    client.logout()
    response = client.get(OLD_URL)
    assert response.status_code == 301
    assert response["Location"] == "/news/2026/11/02/merger-agreed-with-beta/"


def test_a_release_may_take_back_its_own_old_slug(client, corrected, approver, second_approver):
    client.force_login(approver)
    data = edit_data(corrected, slug="merger-agreed", correction_note="Back to the first URL.")
    assert client.post(change_url(corrected), data).status_code == 302
    pending = corrected.pending_corrections.get(status="pending")
    actions.approve_correction(pending, second_approver)
    client.logout()
    assert client.get(OLD_URL).status_code == 200
    assert client.get("/news/2026/11/02/merger-agreed-with-beta/").status_code == 301


def test_withdrawn_release_is_gone_under_every_slug_it_had(client, corrected):
    actions.withdraw(corrected, SYSTEM, "Issued in error.")
    for page in (OLD_URL, "/news/2026/11/02/merger-agreed-with-beta/"):
        # The page and its PDF rendition answer alike under every slug.
        for url in (page, page.rstrip("/") + ".pdf"):
            response = client.get(url)
            assert response.status_code == 410, url
            assert "Issued in error." in response.content.decode()


@pytest.fixture
def public_category(make_release, publish) -> Category:
    category = Category.objects.create(name="Earnings", slug="earnings")
    release = make_release(
        headline="Q3 results", categories=[category], published_at=at(2026, 11, 2)
    )
    publish(release)
    return category


def test_renamed_category_keeps_its_old_page_and_feed_urls_as_redirects(
    client, public_category, approver
):
    client.force_login(approver)
    url = reverse("admin:releases_category_change", args=[public_category.pk])
    response = client.post(url, {"name": "Financial results", "slug": "financial-results"})
    assert response.status_code == 302
    client.logout()
    # The redirect keeps the parameters the page reads (a list's page; a feed reads none, and
    # tracking parameters are never part of a page: irsite.http.pagecache.keep_only).
    for name, kept in [
        ("releases:category", "?page=1"),
        ("releases:category-rss", ""),
        ("releases:category-atom", ""),
    ]:
        old = reverse(name, args=["earnings"])
        response = client.get(old + "?page=1&utm_source=feedly")
        assert response.status_code == 301, old
        assert response["Location"] == reverse(name, args=["financial-results"]) + kept
    # A feed reader follows the redirect and keeps reading the same items.
    followed = client.get(reverse("releases:category-rss", args=["earnings"]), follow=True)
    assert [e.title for e in feedparser.parse(followed.content).entries] == ["Q3 results"]


def test_another_category_cannot_take_a_renamed_categorys_old_slug(
    client, public_category, approver
):
    client.force_login(approver)
    change = reverse("admin:releases_category_change", args=[public_category.pk])
    client.post(change, {"name": "Financial results", "slug": "financial-results"})
    response = client.post(
        reverse("admin:releases_category_add"), {"name": "Earnings calls", "slug": "earnings"}
    )
    assert response.status_code == 200
    assert "“Financial results”" in " ".join(response.context["adminform"].form.errors["slug"])
    assert 'value="Earnings calls"' in response.content.decode()
    assert not Category.objects.filter(slug="earnings").exists()


def test_old_slug_of_a_category_not_public_answers_like_a_missing_one(client, approver):
    hidden = Category.objects.create(name="Upsilon deal", slug="upsilon-deal")
    client.force_login(approver)
    change = reverse("admin:releases_category_change", args=[hidden.pk])
    assert client.post(change, {"name": "Upsilon", "slug": "upsilon"}).status_code == 302
    client.logout()
    old = client.get(reverse("releases:category", args=["upsilon-deal"]))
    missing = client.get(reverse("releases:category", args=["xxxxxxxxxxxx"]))
    assert old.status_code == missing.status_code == 404
    assert old.content == missing.content


@needs_corpus
def test_importer_never_takes_a_slug_a_release_was_published_under(
    client, make_release, publish, approver, second_approver
):
    data = SEED.read_bytes()
    ((_source, _raw, doc),) = list(edgar.parse_file(data, SEED.name, None))
    taken = _unique_slug(doc.headline, doc.date)  # what the importer would choose
    live = publish(make_release(slug=taken, published_at=at(2026, 11, 2, 8)))
    live.slug = "moved-elsewhere"
    pending = actions.save_release(live, approver, correction_note="New URL.")
    actions.approve_correction(pending, second_approver)

    (result,) = edgar.import_file(data, SEED.name, actor=SYSTEM)
    assert result.release.slug == f"{taken}-2"
    response = client.get(f"/news/2026/11/02/{taken}/")
    assert response.status_code == 301
    assert response["Location"] == "/news/2026/11/02/moved-elsewhere/"
