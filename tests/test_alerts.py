"""Email alerts: double opt-in, abuse protection, one-click unsubscribe, and sending each release
once at its go-live, never before, never for a withdrawn release.

Readers act through the test client; the worker runs as `manage.py run_worker --once`, with
django-tasks' database backend, so the tests go through the same path as production.
"""

import email
import re
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from irsite.alerts import actions, checks, sending, tokens
from irsite.alerts.models import AlertBatch, Delivery, Subscriber
from releases import actions as release_actions
from releases.models import Category

from .conftest import SYSTEM, at, redis_cache
from .shared import subscribe

NOW = at(2026, 11, 26, 12, 0, 0)
GO_LIVE = at(2026, 11, 26, 16, 5, 0)


@pytest.fixture(autouse=True)
def _alerts_env(settings, worker):
    settings.SITE_URL = "https://ir.example.com"
    settings.DEFAULT_FROM_EMAIL = "investors@example.com"
    cache.clear()
    with time_machine.travel(NOW, tick=False):
        yield


def run_worker() -> None:
    call_command("run_worker", "--once")


def parsed(message) -> EmailMessage:
    """A sent message as a mail client reads it: its bytes through Python's email parser."""
    return email.message_from_bytes(message.message().as_bytes(), policy=default_policy)


def links(text: str) -> list[str]:
    return re.findall(r"https://ir\.example\.com/\S+", text)


def local_path(url: str) -> str:
    return url.removeprefix("https://ir.example.com")


def reader() -> Client:
    """A browser that enforces CSRF as a real one does: it loads the sign-up frame (public and
    cached, so no token and no cookie) and posts the form as the frame sends it."""
    client = Client(enforce_csrf_checks=True)
    html = client.get(reverse("alerts:embed")).content.decode()
    assert 'name="csrfmiddlewaretoken"' not in html and not client.cookies
    return client


def sign_up(client: Client, address: str, **extra):
    data = {"email": address, "scope": "all"} | extra
    return client.post(reverse("alerts:subscribe"), data, REMOTE_ADDR=extra.get("ip", "10.0.0.1"))


@pytest.fixture
def live_release(make_release, publish, category):
    return publish(
        make_release(
            headline="Quarterly results & a new <strong> outlook",
            categories=[category],
            published_at=NOW - timedelta(minutes=1),
            body="<p>Revenue rose 42 percent to $9.87 billion.</p><p>Margins widened.</p>"
            "<p>Third paragraph, not quoted.</p>",
        )
    )


# --- the form on public pages ----------------------------------------------------------------


def test_public_pages_and_their_signup_frame_stay_cookie_free_and_cacheable(client, live_release):
    for path in ["/", "/news/", live_release.get_absolute_url()]:
        response = client.get(path)
        html = response.content.decode()
        assert f'src="{reverse("alerts:embed")}?from={path}' in html, path
        assert "Set-Cookie" not in str(response.headers) and "csrftoken" not in response.cookies
        assert response["Cache-Control"].startswith("public")

    frame = client.get(reverse("alerts:embed"), {"from": "/news/"})
    html = frame.content.decode()
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    # Browsers obey the CSP over X-Frame-Options: 'none' here would blank the frame.
    assert "frame-ancestors 'self'" in frame["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in client.get("/news/")["Content-Security-Policy"]
    # The frame is a public page too: one per page view on results day, served by the caches.
    assert frame["Cache-Control"].startswith("public") and "csrftoken" not in frame.cookies
    assert "Set-Cookie" not in str(frame.headers)
    assert 'name="csrfmiddlewaretoken"' not in html and 'name="email"' in html
    assert 'name="website"' in html and 'class="hp"' in html  # the honeypot
    assert 'target="_top"' in html and 'value="/news/"' in html


def test_category_page_frame_preselects_its_category(client, live_release, category):
    html = client.get(reverse("alerts:embed"), {"category": category.slug}).content.decode()
    assert re.search(rf'value="{category.pk}"[^>]*checked', html)
    assert re.search(r'name="scope" value="chosen"[^>]*checked', html)
    assert not re.search(r'name="scope" value="all"[^>]*checked', html)


@pytest.mark.parametrize(
    ("choice", "message"),
    [
        ({"scope": "all", "categories": "PK"}, "You ticked categories but chose all"),
        ({"scope": "chosen"}, "Tick at least one category"),
        ({"scope": ""}, "This field is required"),
    ],
)
def test_signup_that_contradicts_itself_is_refused_and_keeps_what_was_typed(
    company, live_release, category, choice, message
):
    """Never silently everything: "all" with a category ticked is a question, not a guess."""
    browser = reader()
    data = {k: category.pk if v == "PK" else v for k, v in choice.items()}
    response = sign_up(browser, "reader@example.com", **data)
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert 'value="reader@example.com"' in html
    assert not Subscriber.objects.exists()


def test_signup_for_chosen_categories_receives_only_those(company, live_release, category):
    other = Category.objects.create(name="Products", slug="products")
    live_release.categories.add(other)  # offered: it has a public release
    browser = reader()
    sign_up(browser, "reader@example.com", scope="chosen", categories=[other.pk])
    subscriber = Subscriber.objects.get()
    assert not subscriber.all_categories
    assert list(subscriber.categories.all()) == [other]


# --- double opt-in ---------------------------------------------------------------------------


def test_double_opt_in_subscribes_only_once_the_emailed_link_is_confirmed(company):
    browser = reader()
    response = sign_up(browser, "Reader@Example.com", source="/news/")
    assert "Check your inbox" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status) == ("reader@example.com", "pending")
    assert mail.outbox == []  # the worker sends it, not the request

    run_worker()
    (message,) = mail.outbox
    assert message.to == ["reader@example.com"]
    (confirm_url,) = links(message.body)

    page = browser.get(local_path(confirm_url))  # a mail scanner opening the link ...
    assert "Confirm subscription" in page.content.decode()
    assert Subscriber.objects.get().status == "pending"  # ... confirms nothing

    page_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    done = browser.post(local_path(confirm_url), {"csrfmiddlewaretoken": page_token.group(1)})
    assert "You are subscribed" in done.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == "active"
    assert subscriber.confirmed_at == NOW
    assert subscriber.consent_source == "web form on /news/"


def test_confirming_twice_says_it_is_confirmed_already(client, company):
    actions.request_subscription("a@example.com", all_categories=True, categories=[], source="t")
    run_worker()
    path = local_path(links(mail.outbox[0].body)[0])
    assert client.post(path).status_code == 200
    second = client.post(path)
    assert second.status_code == 200
    assert "Already confirmed" in second.content.decode()
    assert "Already confirmed" in client.get(path).content.decode()


def test_expired_confirmation_link_says_so_and_subscribes_nobody(client, company):
    actions.request_subscription("a@example.com", all_categories=True, categories=[], source="t")
    run_worker()
    path = local_path(links(mail.outbox[0].body)[0])
    with time_machine.travel(NOW + timedelta(hours=72, seconds=1), tick=False):
        response = client.post(path)
    assert response.status_code == 400
    assert "This link has expired" in response.content.decode()
    assert Subscriber.objects.get().status == "pending"


@pytest.mark.parametrize("name", ["confirm", "unsubscribe", "preferences"])
def test_tampered_links_say_the_link_is_not_valid_and_change_nothing(client, company, name):
    actions.request_subscription("a@example.com", all_categories=True, categories=[], source="t")
    subscriber = Subscriber.objects.get()
    token = (
        tokens.confirm_token(subscriber) if name == "confirm" else tokens.manage_token(subscriber)
    )
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for method in (client.get, client.post):
        response = method(reverse(f"alerts:{name}", args=[tampered]))
        assert response.status_code == 400
        assert "This link is not valid" in response.content.decode()
    assert Subscriber.objects.get().status == "pending"


def test_old_confirmation_link_no_longer_works_after_unsubscribing(client, company):
    actions.request_subscription("a@example.com", all_categories=True, categories=[], source="t")
    run_worker()
    path = local_path(links(mail.outbox[0].body)[0])
    client.post(path)
    actions.unsubscribe(Subscriber.objects.get())
    response = client.post(path)
    assert "no longer valid" in response.content.decode()
    assert Subscriber.objects.get().status == "unsubscribed"


# --- no duplicates, no disclosure, no abuse --------------------------------------------------


def test_same_address_again_makes_no_duplicate_and_discloses_nothing(
    company, live_release, category
):
    run_worker()  # the release's alert goes out before anyone subscribes
    subscribe("known@example.com")
    browser = reader()
    known = sign_up(browser, "KNOWN@example.com", scope="chosen", categories=category.pk)
    unknown = sign_up(browser, "new@example.com", scope="chosen", categories=category.pk)
    assert known.status_code == unknown.status_code == 200
    assert known.content.decode().replace("KNOWN@example.com", "X") == (
        unknown.content.decode().replace("new@example.com", "X")
    )
    assert Subscriber.objects.filter(email="known@example.com").count() == 1
    known_row = Subscriber.objects.get(email="known@example.com")
    assert known_row.all_categories  # a stranger's form does not change the reader's choice

    run_worker()
    by_address = {m.to[0]: m for m in mail.outbox}
    assert "already" in by_address["known@example.com"].subject
    assert "/alerts/preferences/" in by_address["known@example.com"].body
    assert "/alerts/confirm/" in by_address["new@example.com"].body


def test_a_signup_posted_from_another_site_subscribes_no_one_until_the_owner_confirms(company):
    # The form takes no CSRF token (the frame is cached publicly): a forged post can only ask
    # for the same confirmation e-mail anyone could ask for by typing the address.
    forger = Client(enforce_csrf_checks=True)
    response = forger.post(
        reverse("alerts:subscribe"), {"email": "a@example.com", "scope": "all"},
        HTTP_ORIGIN="https://elsewhere.example", REMOTE_ADDR="10.0.0.9",
    )  # fmt: skip
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert not Subscriber.objects.filter(status=Subscriber.Status.ACTIVE).exists()
    run_worker()
    assert [m.to for m in mail.outbox] == [["a@example.com"]]
    assert "/alerts/confirm/" in mail.outbox[0].body


def test_honeypot_filled_in_answers_alike_and_does_nothing(company):
    browser = reader()
    response = sign_up(browser, "bot@example.com", website="http://spam.example")
    assert "Check your inbox" in response.content.decode()
    assert not Subscriber.objects.exists()
    run_worker()
    assert mail.outbox == []


def test_one_address_gets_at_most_three_confirmation_emails_an_hour(company):
    browser = reader()
    for n in range(4):
        response = sign_up(browser, "target@example.com", ip=f"10.0.0.{n}")
        assert "Check your inbox" in response.content.decode()
        run_worker()
    assert len(mail.outbox) == 3
    with time_machine.travel(NOW + timedelta(hours=1, seconds=1), tick=False):
        sign_up(browser, "target@example.com")
        run_worker()
    assert len(mail.outbox) == 4


def test_one_ip_address_is_refused_after_its_hourly_limit(company, settings):
    settings.IRSITE_ALERTS_RATE_PER_IP = 5
    browser = reader()
    for n in range(5):
        assert sign_up(browser, f"r{n}@example.com").status_code == 200
    refused = sign_up(browser, "r5@example.com")
    assert refused.status_code == 429
    assert "Too many" in refused.content.decode()
    assert not Subscriber.objects.filter(email="r5@example.com").exists()
    assert sign_up(browser, "r6@example.com", ip="10.9.9.9").status_code == 200


def test_behind_the_front_cache_each_reader_has_their_own_hourly_limit(company, settings):
    """Behind Varnish every request comes from Varnish's address: the limit is per client as the
    trusted proxy saw it (X-Forwarded-For), or one script shuts the sign-up for everyone."""
    settings.IRSITE_ALERTS_RATE_PER_IP = 2
    settings.IRSITE_TRUSTED_PROXIES = 1
    browser = Client()
    for n in range(3):
        browser.post(reverse("alerts:subscribe"), {"email": f"x{n}@example.com", "scope": "all"},
                     REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7")  # fmt: skip
    abuser = browser.post(
        reverse("alerts:subscribe"), {"email": "x3@example.com", "scope": "all"},
        REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7",
    )  # fmt: skip
    assert abuser.status_code == 429
    reader = browser.post(
        reverse("alerts:subscribe"), {"email": "reader@example.com", "scope": "all"},
        REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.77",
    )  # fmt: skip
    assert reader.status_code == 200


def test_sign_up_works_while_the_cache_server_is_down(company, settings):
    # Nothing listens on port 1: the rate counters cannot be read, and sign-up goes on.
    settings.CACHES = {"default": redis_cache("redis://127.0.0.1:1/0")}
    browser = reader()
    assert sign_up(browser, "down@example.com").status_code == 200
    assert Subscriber.objects.filter(email="down@example.com").exists()


# --- sending at go-live ----------------------------------------------------------------------


def test_nothing_is_sent_before_go_live_and_everything_at_its_second(
    make_release, publish, company
):
    subscribe("a@example.com")
    subscribe("b@example.com")
    release = publish(make_release(published_at=GO_LIVE))
    for moment in (NOW, GO_LIVE - timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            run_worker()
        assert mail.outbox == []
        assert not AlertBatch.objects.exists()
    with time_machine.travel(GO_LIVE, tick=False):
        run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == ["a@example.com", "b@example.com"]
    assert {m.subject for m in mail.outbox} == {release.headline}
    with time_machine.travel(GO_LIVE + timedelta(minutes=5), tick=False):
        run_worker()
    assert len(mail.outbox) == 2
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
    assert AlertBatch.objects.get().finished_at == GO_LIVE + timedelta(minutes=5)


def test_only_subscribers_of_a_release_category_receive_it(make_release, publish, company):
    results, products = (
        Category.objects.create(name="Results", slug="results"),
        Category.objects.create(name="Products", slug="products"),
    )
    subscribe("all@example.com")
    subscribe("results@example.com", results)
    subscribe("products@example.com", products)
    subscribe("both@example.com", results, products)
    publish(make_release(categories=[results, products], published_at=NOW))
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "all@example.com",
        "both@example.com",
        "products@example.com",
        "results@example.com",
    ]
    mail.outbox.clear()
    publish(make_release(categories=[results], published_at=NOW))
    publish(make_release(categories=[], published_at=NOW))
    run_worker()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "all@example.com",
        "all@example.com",
        "both@example.com",
        "results@example.com",
    ]


def test_unconfirmed_unsubscribed_and_bouncing_addresses_receive_nothing(live_release, company):
    actions.request_subscription(
        "pending@example.com", all_categories=True, categories=[], source=""
    )
    actions.unsubscribe(subscribe("gone@example.com"))
    Subscriber.objects.filter(pk=subscribe("bounce@example.com").pk).update(status="bouncing")
    run_worker()
    assert [m.to for m in mail.outbox] == [["pending@example.com"]]  # its confirmation only


def test_withdrawn_release_is_never_sent(make_release, publish, company):
    subscribe("a@example.com")
    release = publish(make_release(published_at=GO_LIVE))
    with time_machine.travel(GO_LIVE + timedelta(seconds=1), tick=False):
        release_actions.withdraw(release, SYSTEM, "Issued in error.")
        run_worker()
    assert mail.outbox == []
    assert not Delivery.objects.exists()


def test_release_withdrawn_while_its_alerts_are_queued_is_not_sent(live_release, company):
    subscribe("a@example.com")
    subscribe("b@example.com")
    sending.check()  # the due-release check plans both deliveries and queues them ...
    assert Delivery.objects.filter(state="pending").count() == 2
    release_actions.withdraw(live_release, SYSTEM, "Issued in error.")
    run_worker()  # ... but the release was withdrawn before the worker got to them
    assert mail.outbox == []
    assert set(Delivery.objects.values_list("state", flat=True)) == {"cancelled"}


def test_history_published_long_ago_is_never_emailed(make_release, company):
    subscribe("a@example.com")
    old = make_release(published_at=at(2003, 1, 24, 8, 0, 0))
    release_actions.record_past_publication(old, SYSTEM, "EDGAR import")
    recent = make_release(published_at=NOW - timedelta(hours=25))
    release_actions.record_past_publication(recent, SYSTEM, "EDGAR import")
    run_worker()
    assert mail.outbox == []


def test_a_correction_is_not_sent_again_unless_an_approver_asks(
    live_release, company, approver, editor
):
    subscribe("a@example.com")
    run_worker()
    assert len(mail.outbox) == 1
    live_release.body = "<p>Revenue rose 41 percent to $9.87 billion.</p>"
    with time_machine.travel(NOW + timedelta(minutes=10), tick=False):
        release_actions.approve_correction(
            release_actions.save_release(
                live_release, SYSTEM, correction_note="Growth was 41 percent."
            ),
            SYSTEM,
        )
        run_worker()
        assert len(mail.outbox) == 1

        with pytest.raises(actions.AlertRefused, match="permission"):
            actions.request_resend(live_release, editor)
        actions.request_resend(live_release, approver)
        with pytest.raises(actions.AlertRefused, match="no correction since"):
            actions.request_resend(live_release, approver)
        run_worker()
    assert len(mail.outbox) == 2
    corrected = parsed(mail.outbox[1])
    assert corrected["Subject"] == f"Corrected: {live_release.headline}"
    text = corrected.get_body(("plain",)).get_content()
    assert "Growth was 41 percent." in text and "41 percent to $9.87" in text
    assert corrected["Message-ID"] != parsed(mail.outbox[0])["Message-ID"]


def test_alert_prints_each_subheadline_on_its_own_line_in_both_parts(
    make_release, publish, company
):
    publish(
        make_release(
            subheadline="Record quarter\nGuidance raised for the full year",
            published_at=NOW - timedelta(minutes=1),
        )
    )
    subscribe("reader@example.com")
    run_worker()
    message = parsed(mail.outbox[0])
    text = message.get_body(("plain",)).get_content()
    assert "Record quarter\nGuidance raised for the full year\n" in text
    html = message.get_body(("html",)).get_content()
    assert re.search(r">Record quarter</p>\s*<p[^>]*>Guidance raised for the full year</p>", html)


def test_alert_has_plain_text_and_html_parts_with_headline_dateline_lead_and_link(
    live_release, company
):
    subscriber = subscribe("reader@example.com")
    run_worker()
    (sent,) = mail.outbox
    message = parsed(sent)
    assert message["From"].addresses[0].display_name == "ImmunoGen, Inc."
    assert message["From"].addresses[0].addr_spec == "investors@example.com"
    assert message["To"] == "reader@example.com"
    assert message["Subject"] == "Quarterly results & a new <strong> outlook"
    assert message.get_content_type() == "multipart/alternative"
    url = f"https://ir.example.com{live_release.get_absolute_url()}"

    text = message.get_body(("plain",)).get_content()
    assert text.startswith("Quarterly results & a new <strong> outlook\n")
    assert "CAMBRIDGE, MA, November 26, 2026 – Revenue rose 42 percent to $9.87 billion." in text
    assert "Margins widened." in text and "Third paragraph" not in text
    assert url in text

    html = message.get_body(("html",)).get_content()
    assert "Quarterly results &amp; a new &lt;strong&gt; outlook" in html
    assert "<strong> outlook" not in html
    assert "November 26, 2026 – Revenue rose 42 percent" in html
    assert f'href="{url}"' in html

    unsubscribe = message["List-Unsubscribe"].strip()  # folded: it is longer than a line
    assert re.fullmatch(r"<https://ir\.example\.com/alerts/unsubscribe/[^>]+/>", unsubscribe)
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe[1:-1] in text and unsubscribe[1:-1] in html
    expected_id = f"<alert.{live_release.uuid}.1.{subscriber.pk}@ir.example.com>"
    assert message["Message-ID"] == expected_id


# --- leaving and preferences -----------------------------------------------------------------


def test_one_click_unsubscribe_from_a_mail_client_without_csrf_token(
    live_release, make_release, publish, company
):
    subscribe("reader@example.com")
    run_worker()
    url = parsed(mail.outbox[0])["List-Unsubscribe"].strip()[1:-1]
    mail_client = Client(enforce_csrf_checks=True)

    page = mail_client.get(local_path(url))
    assert "Unsubscribe from email alerts?" in page.content.decode()
    assert Subscriber.objects.get().status == "active"  # opening the link changes nothing

    response = mail_client.post(
        local_path(url),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert Subscriber.objects.get().status == "unsubscribed"
    assert Subscriber.objects.get().unsubscribed_at == NOW

    publish(make_release(published_at=NOW))
    run_worker()
    assert len(mail.outbox) == 1


def test_preferences_link_changes_the_categories_received(
    live_release, company, category, make_release, publish
):
    other = Category.objects.create(name="Products", slug="products")
    publish(make_release(categories=[other], published_at=NOW - timedelta(days=1)))
    subscriber = subscribe("reader@example.com")
    run_worker()
    text = parsed(mail.outbox[0]).get_body(("plain",)).get_content()
    (url,) = [u for u in links(text) if "/preferences/" in u]
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(local_path(url))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    response = browser.post(
        local_path(url),
        {"scope": "chosen", "categories": [other.pk], "csrfmiddlewaretoken": token.group(1)},
    )
    assert "Saved. You receive Products." in response.content.decode()
    subscriber.refresh_from_db()
    assert not subscriber.all_categories
    assert list(subscriber.categories.all()) == [other]


# --- failures --------------------------------------------------------------------------------


class RefusingBackend(LocmemBackend):
    """A mail server that does not know the address."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused(
            {m.to[0]: (550, b"5.1.1 user unknown") for m in messages}
        )


class UnreachableBackend(LocmemBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_temporary_failure_is_retried_with_back_off(live_release, company, settings):
    subscribe("reader@example.com")
    settings.EMAIL_BACKEND = f"{__name__}.UnreachableBackend"
    run_worker()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("pending", 1)
    assert delivery.next_attempt_at == NOW + timedelta(seconds=60)
    assert "mail server down" in delivery.last_error
    with time_machine.travel(NOW + timedelta(seconds=59), tick=False):
        run_worker()
    assert Delivery.objects.get().attempts == 1  # not before its time
    with time_machine.travel(NOW + timedelta(seconds=60), tick=False):
        run_worker()
    delivery = Delivery.objects.get()
    assert (delivery.attempts, delivery.next_attempt_at) == (2, NOW + timedelta(seconds=360))

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(NOW + timedelta(seconds=360), tick=False):
        run_worker()
    assert Delivery.objects.get().state == "sent"
    assert len(mail.outbox) == 1


def test_repeated_hard_failures_mark_the_subscriber_bouncing(live_release, company, settings):
    subscribe("nobody@example.com")
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    for seconds in (0, 60, 360):
        with time_machine.travel(NOW + timedelta(seconds=seconds), tick=False):
            run_worker()
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("failed", 3)
    assert "user unknown" in delivery.last_error
    assert Subscriber.objects.get().status == "bouncing"


def test_delivery_a_dead_worker_left_sending_is_sent_again_with_the_same_message_id(
    live_release, company, settings
):
    """The crash window between "SMTP accepted" and "recorded as sent": at-least-once, with a
    stable Message-ID, rather than a reader who silently never hears."""
    subscribe("reader@example.com")
    sending.check()
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(
        state="sending", claimed_at=NOW, claimed_by="dead-worker", attempts=1
    )
    run_worker()  # within the lease: the other worker may still be talking to the server
    assert mail.outbox == []
    later = NOW + timedelta(seconds=settings.IRSITE_ALERTS_LEASE_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        run_worker()
    (sent,) = mail.outbox
    assert parsed(sent)["Message-ID"].startswith(f"<alert.{live_release.uuid}.1.")
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("sent", 2)


# --- admin -----------------------------------------------------------------------------------


def test_approver_sees_counts_exports_csv_and_deletes_a_subscriber_on_request(
    client, company, approver, editor
):
    subscribe("=cmd@example.com")
    subscribe("b@example.com")
    actions.request_subscription("c@example.com", all_categories=True, categories=[], source="x")
    client.force_login(approver)
    page = client.get(reverse("admin:alerts_subscriber_changelist")).content.decode()
    assert "3 addresses:" in page
    assert re.search(r"active <strong>2</strong>", page)
    assert re.search(r"awaiting confirmation <strong>1</strong>", page)

    ids = [str(pk) for pk in Subscriber.objects.values_list("pk", flat=True)]
    export = client.post(
        reverse("admin:alerts_subscriber_changelist"),
        {"action": "export_csv", "_selected_action": ids},
    )
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    rows = export.content.decode().splitlines()
    assert rows[0].startswith("email,status,categories")
    assert rows[1].startswith("'=cmd@example.com,active,all press releases,")  # not a formula
    assert len(rows) == 4

    target = Subscriber.objects.get(email="b@example.com")
    response = client.post(
        reverse("admin:alerts_subscriber_delete", args=[target.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Subscriber.objects.filter(email="b@example.com").exists()

    client.force_login(editor)
    assert client.get(reverse("admin:alerts_subscriber_changelist")).status_code == 403
    assert not AnonymousUser().has_perm("alerts.export_subscriber")


def test_production_without_a_mail_server_fails_the_deploy_check(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    assert [w.id for w in checks.email_is_configured(None)] == ["alerts.W001"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    assert checks.email_is_configured(None) == []
