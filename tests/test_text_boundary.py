"""Whatever an editor pastes or a row holds, feeds, e-mail and pages stay valid.

Text is normalised where it enters (`irsite.plaintext`): the admin's forms, the importer and the
actions store it clean; the feeds carry a last net for rows written any other way.
"""

import email
import importlib
from datetime import timedelta
from email.policy import default as default_policy

import feedparser
import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from irsite.alerts import actions as alert_actions
from irsite.alerts.models import Delivery, Subscriber
from irsite.contacts.models import CompanyProfile
from irsite.plaintext import markup, multi_line, single_line
from releases.models import Category, Release

from .admin_forms import ADD_URL, form_data
from .conftest import at

FEEDS = ["/news/feed/rss/", "/news/feed/atom/"]
NOW = at(2026, 11, 26, 12, 0, 0)


def valid_feed(client, url: str) -> feedparser.FeedParserDict:
    """The feed as a reader and as an XML parser see it: 200, well-formed, not bozo."""
    response = client.get(url)
    assert response.status_code == 200, url
    etree.fromstring(response.content)  # raises on anything that is not XML 1.0
    feed = feedparser.parse(response.content)
    assert not feed.bozo, (url, feed.get("bozo_exception"))
    return feed


def test_single_line_text_loses_breaks_controls_and_non_characters():
    pasted = "Q3\x0bresults\x0c  beat\r\nguidance\x1f\x7f\x85\u2028\ufffe\uffff\U0010ffff e\u0301"
    assert single_line(pasted) == "Q3 results beat guidance \u00e9"


def test_multi_line_text_keeps_line_breaks_as_newlines_only():
    pasted = "First line\x0bsecond line\x0cthird\r\nfourth\rfifth \x00\x1b\x9f"
    assert multi_line(pasted) == "First line\nsecond line\nthird\nfourth\nfifth"


# Bidi embeddings, overrides and isolates reorder what is shown ("Trojan Source",
# CVE-2021-42574); zero-width spaces hide inside words. Joiners and direction marks stay.
INVISIBLE = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u2060\ufeff"


@pytest.mark.parametrize("clean", [single_line, multi_line])
def test_direction_overrides_and_invisible_characters_are_removed_joiners_and_marks_kept(clean):
    assert clean("\u202eDETSIL\u202c Q3\u200b re\u2060sults\ufeff") == "DETSIL Q3 results"
    kept = (
        "\U0001f468\u200d\U0001f4bb \u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u200fA\u200e"
    )
    assert clean(kept) == kept


@given(st.text(alphabet=st.sampled_from([*INVISIBLE, "a", " ", "\u05d0", "\u200d"]), max_size=40))
def test_stored_text_never_holds_a_character_that_reorders_or_hides_what_is_shown(text):
    for clean in (single_line, multi_line, markup):
        assert not set(clean(text)) & set(INVISIBLE)


def test_headline_typed_with_a_direction_override_reads_as_it_is_stored_everywhere(
    client, editor, contacts, disclaimer_versions, publish
):
    client.force_login(editor)
    data = form_data(contacts, disclaimer_versions, headline="Shares \u202eDETSIL\u202c on Nasdaq",
                     published_at_0="2003-01-24", published_at_1="08:00:00")  # fmt: skip
    assert client.post(ADD_URL, data).status_code == 302
    release = publish(Release.objects.get())
    assert release.headline == "Shares DETSIL on Nasdaq"
    assert "\u202e" not in client.get(release.get_absolute_url()).content.decode()
    assert valid_feed(client, FEEDS[0]).entries[0].title == "Shares DETSIL on Nasdaq"
    assert client.get("/news/search/", {"q": "DETSIL"}).content.decode().count("DETSIL") >= 1


def test_headline_pasted_with_a_soft_return_is_stored_on_one_line_and_feeds_stay_valid(
    client, editor, contacts, disclaimer_versions, publish
):
    client.force_login(editor)
    data = form_data(
        contacts,
        disclaimer_versions,
        headline="ImmunoGen regains\x0brights to IMGN853",
        summary="Rights return.\x0cThe deal closes in Q4.\x1f",
        dateline_city="CAMBRIDGE,\nMA",
        published_at_0="2003-01-24",
        published_at_1="08:00:00",
    )
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, response.content[:2000]
    release = Release.objects.get()
    assert release.headline == "ImmunoGen regains rights to IMGN853"
    assert release.summary == "Rights return.\nThe deal closes in Q4."
    assert release.dateline_city == "CAMBRIDGE, MA"
    publish(release)
    for url in FEEDS:
        entry = valid_feed(client, url).entries[0]
        assert entry.title == "ImmunoGen regains rights to IMGN853"


def test_category_named_with_a_control_character_in_the_admin_keeps_feeds_xml(
    client, superuser, make_release, publish
):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:releases_category_add"), {"name": "Clinical\x1f trials", "slug": "clinical"}
    )
    assert response.status_code == 302
    category = Category.objects.get()
    assert category.name == "Clinical trials"
    publish(make_release(categories=[category]))
    for url in FEEDS:
        assert [t.term for t in valid_feed(client, url).entries[0].tags] == ["Clinical trials"]


@pytest.mark.parametrize("bad", ["\x0b", "\x0c", "\x1f", "\x08", "\x85", "\ufffe", "\uffff"])
def test_feeds_stay_valid_xml_whatever_characters_a_stored_row_holds(
    client, make_release, publish, category, bad
):
    release = publish(make_release(categories=[category]))
    # Rows written around the forms (an old database, a script): the feeds' own net catches it.
    Release.objects.filter(pk=release.pk).update(
        headline=f"Results{bad}beat", summary=f"Sum{bad}mary", subheadline=f"Sub{bad}head"
    )
    Category.objects.filter(pk=category.pk).update(name=f"Corp{bad}orate")
    CompanyProfile.objects.update(legal_name=f"ImmunoGen{bad}, Inc.")
    for url in FEEDS:
        feed = valid_feed(client, url)
        # Removed, or (a line break) kept as whitespace XML allows.
        assert feed.entries[0].title.split() in (["Resultsbeat"], ["Results", "beat"])
        assert len(feed.entries[0].tags) == 1


def test_migration_cleans_rows_stored_before_text_was_normalised(make_release, category):
    release = make_release(categories=[category])
    Release.objects.filter(pk=release.pk).update(
        headline="Old\x0bheadline\ufffe", summary="Line one\x0cline two\x1f"
    )
    Category.objects.filter(pk=category.pk).update(name="Corp\x1forate")
    migration = importlib.import_module("releases.migrations.0014_text_is_normalised")
    from django.apps import apps

    migration.clean_stored_text(apps, None)
    release.refresh_from_db()
    category.refresh_from_db()
    assert (release.headline, release.summary) == ("Old headline", "Line one\nline two")
    assert category.name == "Corporate"


# --- Atom and summaries --------------------------------------------------------------------


def test_atom_feed_names_the_company_as_author_and_describes_it_with_one_period(
    client, make_release, publish
):
    publish(make_release())
    response = client.get("/news/feed/atom/")
    root = etree.fromstring(response.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    # RFC 4287 4.1.1: atom:author on the feed, or on every entry.
    assert root.xpath("a:author/a:name/text()", namespaces=ns) == ["ImmunoGen, Inc."]
    assert root.xpath("a:subtitle/text()", namespaces=ns) == ["Press releases of ImmunoGen, Inc."]
    rss = valid_feed(client, "/news/feed/rss/")
    assert rss.feed.description == "Press releases of ImmunoGen, Inc."


BODY_WITH_HEADINGS = (
    "<p>ImmunoGen, Inc. (Nasdaq: IMGN) today reported data from its phase 3 study of "
    "mirvetuximab in ovarian cancer. The study met its primary endpoint.</p>"
    "<h2>Study highlights</h2><ul><li>Response rate of 32 percent</li>"
    "<li>Median duration 6.9 months</li></ul>"
    "<p>Full results will be presented at a medical meeting in the spring, the company said, "
    "together with the secondary endpoints and the safety data of all patients.</p>"
)


@pytest.mark.parametrize("url", FEEDS)
def test_feed_summary_is_whole_sentences_without_headings_or_bullets(
    client, make_release, publish, url
):
    publish(make_release(body=BODY_WITH_HEADINGS))
    summary = valid_feed(client, url).entries[0].summary
    assert summary == (
        "ImmunoGen, Inc. (Nasdaq: IMGN) today reported data from its phase 3 study of "
        "mirvetuximab in ovarian cancer. The study met its primary endpoint."
    )


# --- e-mail --------------------------------------------------------------------------------


@pytest.fixture
def alerts_env(settings, worker):
    settings.SITE_URL = "https://ir.example.com"
    with time_machine.travel(NOW, tick=False):
        yield


def subscribe(address: str) -> Subscriber:
    alert_actions.request_subscription(address, all_categories=True, categories=(), source="t")
    subscriber = Subscriber.objects.get(email=address)
    alert_actions.confirm(subscriber, subscriber.requested_at.isoformat())
    return subscriber


def parsed(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.message().as_bytes(), policy=default_policy)


def test_alert_subject_is_one_line_whatever_the_stored_headline_holds(
    alerts_env, make_release, publish, company
):
    subscribe("a@example.com")
    release = publish(
        make_release(published_at=NOW - timedelta(minutes=1), body=BODY_WITH_HEADINGS)
    )
    # A CR/LF headline, as a crafted POST or an old row could leave it.
    Release.objects.filter(pk=release.pk).update(headline="Results\r\nBcc: x@evil.example\x0bbeat")
    call_command("run_worker", "--once")
    assert Delivery.objects.get().state == "sent"
    message = parsed(mail.outbox[0])
    assert message.get_all("Subject") == ["Results Bcc: x@evil.example beat"]
    assert message["To"] == "a@example.com"
    assert message["List-Unsubscribe"].strip().startswith("<https://ir.example.com/")
    assert message["Bcc"] is None
    text = message.get_body(("plain",)).get_content()
    assert "Study highlights" not in text
    assert "The study met its primary endpoint." in text


def test_delivery_whose_content_cannot_be_mailed_fails_with_its_reason_and_others_are_sent(
    alerts_env, make_release, publish, company
):
    good = subscribe("good@example.com")
    broken = subscribe("broken@example.com")
    # An address that cannot be a header (a row written around the sign-up form).
    Subscriber.objects.filter(pk=broken.pk).update(email="broken@example.com\nBcc: x@evil.example")
    publish(make_release(published_at=NOW - timedelta(minutes=1)))
    call_command("run_worker", "--once")
    states = dict(Delivery.objects.values_list("subscriber_id", "state"))
    assert states == {good.pk: "sent", broken.pk: "failed"}
    error = Delivery.objects.get(subscriber=broken).last_error
    assert error.startswith("The message could not be built: ")
    assert "newline" in error.lower() or "header" in error.lower()
    assert [m.to for m in mail.outbox] == [["good@example.com"]]
