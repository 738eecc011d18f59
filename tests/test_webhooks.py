"""Webhooks: endpoints registered in the admin, each event once per endpoint at its second,
signed per Standard Webhooks (verified with the `standardwebhooks` package by a real HTTP
receiver), retried on what is worth retrying, replayed, rotated, and refused for private
addresses.

The worker runs as `manage.py run_worker --once` (the `worker` fixture), through django-tasks'
database backend, as in production; the receiver is a real server thread (tests/webhook_receiver).
"""

import ipaddress
import socket
import threading
import time
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.test import override_settings
from django.urls import reverse
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from standardwebhooks import Webhook

from irsite.webhooks import actions, outbound
from irsite.webhooks.models import Delivery, Endpoint, Event
from releases import actions as release_actions
from releases.models import AuditEntry

from .conftest import SYSTEM, at
from .webhook_receiver import REGISTERED, register, verified

pytestmark = pytest.mark.usefixtures("webhooks_env")

GO_LIVE = at(2026, 11, 26, 16, 5, 0)


@pytest.fixture
def scheduled_release(make_release, publish, company):
    with time_machine.travel(REGISTERED, tick=False):
        return publish(make_release(published_at=GO_LIVE))


def test_release_live_reaches_each_endpoint_once_signed_per_standard_webhooks_at_its_second(
    receiver, superuser, scheduled_release, run
):
    register(receiver, "/a", superuser)
    register(receiver, "/b", superuser)
    for moment in (REGISTERED, GO_LIVE - timedelta(seconds=1)):
        with time_machine.travel(moment, tick=False):
            run()
        assert receiver.received == []
        assert not Event.objects.exists()
    with time_machine.travel(GO_LIVE, tick=False):
        run()
    with time_machine.travel(GO_LIVE + timedelta(minutes=5), tick=False):
        run()
    assert sorted(r.path for r in receiver.received) == ["/a", "/b"]
    event = Event.objects.get()
    for item in receiver.received:
        assert item.verified_with == receiver.secrets[item.path]
        assert item.body == bytes(event.body)  # signed and sent as stored
        assert item.message_id == event.message_id
        payload = verified(receiver.secrets[item.path], item)
        assert payload["type"] == "release.live"
        assert datetime.fromisoformat(payload["timestamp"]) == GO_LIVE
        data = payload["data"]
        assert data["id"] == str(scheduled_release.uuid)
        assert data["headline"] == scheduled_release.headline
        assert data["url"] == "https://ir.example.com" + scheduled_release.get_absolute_url()
        # Public data only: nothing of the workflow, the people or the draft.
        assert set(data) == {"id", "url", "headline", "subheadline", "published_at", "categories"}
    assert set(Delivery.objects.values_list("state", "response_code")) == {("delivered", 200)}


def test_an_endpoint_gets_only_the_events_it_chose_and_none_from_before_it_was_registered(
    receiver, superuser, make_release, publish, company, run
):
    with time_machine.travel(REGISTERED - timedelta(hours=1), tick=False):
        earlier = publish(make_release(published_at=REGISTERED - timedelta(minutes=1)))
    register(receiver, "/live", superuser)
    register(receiver, "/gone", superuser, events=["release.withdrawn"])
    with time_machine.travel(REGISTERED + timedelta(minutes=1), tick=False):
        run()
        assert receiver.received == []  # live before /live existed
        release_actions.withdraw(earlier, SYSTEM, "Issued in error.")
    with time_machine.travel(REGISTERED + timedelta(minutes=2), tick=False):
        run()
    assert [(r.path, r.payload["type"]) for r in receiver.received] == [
        ("/gone", "release.withdrawn")
    ]
    assert receiver.received[0].payload["data"]["reason"] == "Issued in error."


def test_a_correction_is_announced_to_endpoints_that_asked(
    receiver, superuser, scheduled_release, run
):
    register(receiver, "/c", superuser, events=["release.live", "release.corrected"])
    with time_machine.travel(GO_LIVE + timedelta(minutes=10), tick=False):
        scheduled_release.body = "<p>Revenue rose 41 percent.</p>"
        release_actions.approve_correction(
            release_actions.save_release(
                scheduled_release, SYSTEM, correction_note="Growth was 41 percent."
            ),
            SYSTEM,
        )
        run()
    types = [r.payload["type"] for r in receiver.received]
    assert sorted(types) == ["release.corrected", "release.live"]
    corrected = next(r for r in receiver.received if r.payload["type"] == "release.corrected")
    assert corrected.payload["data"]["correction_note"] == "Growth was 41 percent."
    assert len({r.message_id for r in receiver.received}) == 2


@pytest.mark.parametrize("answers", [[500, 500], [408], [429, 503], [502]])
def test_a_failing_answer_is_retried_with_the_same_webhook_id_until_accepted(
    receiver, superuser, scheduled_release, run, answers
):
    register(receiver, "/r", superuser)
    receiver.answers["/r"] = list(answers)
    with time_machine.travel(GO_LIVE + timedelta(seconds=1), tick=False):
        run()
    got = receiver.on("/r")
    assert [r.answered for r in got] == [*answers, 200]
    assert len({r.message_id for r in got}) == 1
    assert {r.body for r in got} == {bytes(Event.objects.get().body)}
    assert all(r.verified_with for r in got)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.response_code) == (
        "delivered",
        len(answers) + 1,
        200,
    )
    assert [a.response_code for a in delivery.attempt_set.order_by("pk")] == [*answers, 200]


def test_a_slow_receiver_times_out_and_is_tried_again(
    receiver, superuser, scheduled_release, run, settings
):
    settings.IRSITE_WEBHOOKS_MAX_ATTEMPTS = 2
    register(receiver, "/slow", superuser)
    receiver.delay = 1.0
    with time_machine.travel(GO_LIVE + timedelta(seconds=1), tick=True):
        run()
    delivery = Delivery.objects.get()
    assert delivery.state == "failed" and delivery.attempts == 2
    assert all("No answer within 0.5 s" in a.error for a in delivery.attempt_set.all())


@pytest.mark.parametrize("status", [400, 404, 410, 302])
def test_other_answers_fail_at_once_and_a_redirect_is_not_followed(
    receiver, superuser, scheduled_release, run, status
):
    register(receiver, "/x", superuser)
    receiver.answers["/x"] = [status]
    with time_machine.travel(GO_LIVE + timedelta(seconds=1), tick=False):
        run()
    assert [r.path for r in receiver.received] == ["/x"]  # never /moved
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.response_code, delivery.attempts) == ("failed", status, 1)


def test_a_url_to_127_0_0_1_is_refused_without_the_setting(receiver, superuser, client, settings):
    settings.IRSITE_WEBHOOKS_ALLOW_PRIVATE_URLS = False
    for url in [
        receiver.url("/a"),
        "http://localhost:8000/",
        "http://10.0.0.5/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://192.168.1.1/",
        "http://0.0.0.0/",
    ]:
        with pytest.raises(actions.WebhookRefused, match="public addresses only"):
            actions.register_endpoint(superuser, url=url, events=["release.live"])
    client.force_login(superuser)
    response = client.post(
        reverse("admin:webhooks_endpoint_add"),
        {"url": receiver.url("/a"), "description": "", "events": ["release.live"]},
    )
    assert response.status_code == 200
    assert "public addresses only" in response.content.decode()
    assert not Endpoint.objects.exists()
    assert not AuditEntry.objects.filter(action="webhook_registered").exists()


def test_a_name_that_resolves_to_a_private_address_by_delivery_time_is_not_called(
    receiver, superuser, scheduled_release, run, settings
):
    register(receiver, "/a", superuser)  # allowed when registered (the setting)
    settings.IRSITE_WEBHOOKS_ALLOW_PRIVATE_URLS = False  # and no longer when delivering
    with time_machine.travel(GO_LIVE + timedelta(seconds=1), tick=False):
        run()
    assert receiver.received == []
    delivery = Delivery.objects.get()
    assert delivery.state == "failed" and "public addresses only" in delivery.last_error


def test_urls_that_are_not_http_or_carry_credentials_are_refused():
    for url in ["ftp://example.com/", "file:///etc/passwd", "https://user:pw@example.com/"]:
        with pytest.raises(outbound.AddressRefused):
            outbound.check_url(url)


def test_registration_in_the_admin_shows_the_secret_once_and_is_audited(
    receiver, superuser, client
):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:webhooks_endpoint_add"),
        {"url": receiver.url("/a"), "description": "Web team", "events": ["release.live"]},
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    endpoint = Endpoint.objects.get()
    page = response.content.decode()
    assert endpoint.secret.startswith("whsec_") and endpoint.secret in page
    Webhook(endpoint.secret)  # the form receivers' libraries read
    change = client.get(reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]))
    assert change.status_code == 200 and endpoint.secret not in change.content.decode()
    entry = AuditEntry.objects.get(action="webhook_registered")
    assert entry.user == superuser and receiver.url("/a") in entry.detail


def test_rotation_signs_with_both_secrets_for_a_while_then_the_new_one_only(
    receiver, superuser, client, make_release, publish, company, run, settings
):
    settings.IRSITE_WEBHOOKS_ROTATION_HOURS = 1
    endpoint = register(receiver, "/rot", superuser)
    old = receiver.secrets["/rot"]
    client.force_login(superuser)
    with time_machine.travel(REGISTERED + timedelta(minutes=1), tick=False):
        response = client.post(reverse("admin:webhooks_endpoint_rotate", args=[endpoint.pk]))
        assert response.status_code == 200
    endpoint.refresh_from_db()
    new = endpoint.secret
    assert new != old and new in response.content.decode()
    assert AuditEntry.objects.filter(action="webhook_rotated").count() == 1
    with time_machine.travel(REGISTERED + timedelta(minutes=2), tick=False):
        publish(make_release(published_at=REGISTERED + timedelta(minutes=3)))
        publish(make_release(published_at=REGISTERED + timedelta(hours=2)))
    receiver.secrets["/rot"], receiver.extra_secrets["/rot"] = new, [old]
    with time_machine.travel(REGISTERED + timedelta(minutes=3), tick=False):
        run()
    with time_machine.travel(REGISTERED + timedelta(hours=2), tick=False):
        run()
    during, after = receiver.on("/rot")
    for secret in (old, new):
        verified(secret, during)  # either secret verifies
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    verified(new, after)
    assert after.verified_with == new and len(after.headers["webhook-signature"].split()) == 1


def test_replay_sends_the_same_bytes_under_the_same_webhook_id_and_is_audited(
    receiver, superuser, scheduled_release, run, client, editor
):
    register(receiver, "/a", superuser)
    with time_machine.travel(GO_LIVE + timedelta(seconds=1), tick=False):
        run()
    delivery = Delivery.objects.get()
    with pytest.raises(actions.WebhookRefused, match="permission"):
        actions.replay(editor, delivery)
    client.force_login(superuser)
    listing = client.get(reverse("admin:webhooks_delivery_changelist"))
    assert listing.status_code == 200 and "Delivered" in listing.content.decode()
    page = client.get(reverse("admin:webhooks_delivery_change", args=[delivery.pk]))
    assert "Replay" in page.content.decode() and "200" in page.content.decode()
    response = client.post(reverse("admin:webhooks_delivery_replay", args=[delivery.pk]))
    assert response.status_code == 302
    with time_machine.travel(GO_LIVE + timedelta(minutes=1), tick=False):
        run()
    first, again = receiver.on("/a")
    assert first.message_id == again.message_id and first.body == again.body
    assert again.verified_with
    assert AuditEntry.objects.filter(action="webhook_replayed").count() == 1
    assert delivery.attempt_set.count() == 2


def test_an_endpoint_failing_for_long_is_disabled_and_staff_are_told(
    receiver, superuser, make_release, publish, company, run, settings
):
    settings.IRSITE_WEBHOOKS_DISABLE_AFTER_HOURS = 1
    settings.IRSITE_WEBHOOKS_MAX_ATTEMPTS = 1
    superuser.email = "ir-team@example.com"
    superuser.save()
    register(receiver, "/down", superuser)
    receiver.answers["/down"] = [503] * 10
    with time_machine.travel(REGISTERED + timedelta(minutes=1), tick=False):
        first = publish(make_release(published_at=REGISTERED + timedelta(minutes=2)))
        second = publish(make_release(published_at=REGISTERED + timedelta(hours=2)))
        third = publish(make_release(published_at=REGISTERED + timedelta(hours=3)))
    with time_machine.travel(REGISTERED + timedelta(minutes=2), tick=False):
        run()
    assert Endpoint.objects.get().enabled
    with time_machine.travel(REGISTERED + timedelta(hours=2), tick=False):
        run()
    endpoint = Endpoint.objects.get()
    assert not endpoint.enabled and "503" in endpoint.disabled_reason
    assert [m.to for m in mail.outbox] == [[superuser.email]]
    assert endpoint.url in mail.outbox[0].subject
    assert AuditEntry.objects.filter(action="webhook_disabled").count() == 1
    with time_machine.travel(REGISTERED + timedelta(hours=3), tick=False):
        run()
    assert len(receiver.on("/down")) == 2  # nothing more once disabled
    assert {first.pk, second.pk, third.pk}  # all three went live


@given(
    st.one_of(
        st.ip_addresses(network="127.0.0.0/8"),
        st.ip_addresses(network="10.0.0.0/8"),
        st.ip_addresses(network="172.16.0.0/12"),
        st.ip_addresses(network="192.168.0.0/16"),
        st.ip_addresses(network="169.254.0.0/16"),
        st.ip_addresses(network="100.64.0.0/10"),
        st.ip_addresses(network="fc00::/7"),
        st.ip_addresses(network="fe80::/10"),
        st.ip_addresses(network="::1/128"),
        st.ip_addresses(network="224.0.0.0/4"),
        st.ip_addresses(v=4)
        .map(lambda a: ipaddress.ip_address(f"::ffff:{a}"))
        .filter(lambda a: not a.ipv4_mapped.is_global),
    )
)
@hypothesis_settings(max_examples=200, deadline=None)
def test_no_loopback_private_link_local_or_shared_address_is_ever_called(address):
    host = f"[{address}]" if address.version == 6 else str(address)
    with override_settings(IRSITE_WEBHOOKS_ALLOW_PRIVATE_URLS=False):
        with pytest.raises(outbound.AddressRefused, match="public addresses only"):
            outbound.check_url(f"https://{host}/hook")
        with pytest.raises(outbound.AddressRefused):
            outbound.post(f"http://{host}:9/hook", b"{}", {}, timeout=0.1)


def test_a_public_address_is_accepted():
    with override_settings(IRSITE_WEBHOOKS_ALLOW_PRIVATE_URLS=False):
        outbound.check_url("https://93.184.215.14/hook")
        outbound.check_url("https://[2606:2800:21f:cb07:6820:80da:af6b:8b2c]/hook")


def test_a_receiver_answering_a_byte_at_a_time_is_cut_off_within_twice_the_timeout():
    listener = socket.create_server(("127.0.0.1", 0))

    def dribble() -> None:
        connection, _ = listener.accept()
        connection.recv(65536)
        try:
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100:
                connection.sendall(bytes([byte]))
                time.sleep(0.1)
        except OSError:
            pass
        connection.close()

    threading.Thread(target=dribble, daemon=True).start()
    started = time.monotonic()
    answer = outbound.post(f"http://127.0.0.1:{listener.getsockname()[1]}/", b"{}", {}, timeout=0.5)
    assert time.monotonic() - started < 1.5
    assert answer.status is None and answer.retry
    listener.close()


def test_disabling_and_enabling_an_endpoint_in_the_admin_is_audited_and_forgets_failures(
    receiver, superuser, client
):
    endpoint = register(receiver, "/a", superuser)
    Endpoint.objects.filter(pk=endpoint.pk).update(
        enabled=False, failing_since=REGISTERED, disabled_reason="Failing since ..."
    )
    client.force_login(superuser)
    response = client.post(
        reverse("admin:webhooks_endpoint_change", args=[endpoint.pk]),
        {
            "url": receiver.url("/a"),
            "description": "again",
            "events": ["release.live", "release.withdrawn"],
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.enabled and endpoint.failing_since is None and not endpoint.disabled_reason
    assert endpoint.events == ["release.live", "release.withdrawn"]
    entry = AuditEntry.objects.get(action="webhook_changed")
    assert "enabled" in entry.detail and "release.withdrawn" in entry.detail
