"""Webhooks of results kits and reports: ``results.live`` at the kit's public second (its
release's go-live, or its approval if later) and never before, ``results.corrected`` when a
document added or replaced after go-live is approved, ``report.live``, ``report.corrected`` and
``report.withdrawn``; each exactly once, public data only, and a withdrawn report's deliveries
not yet sent never sent. The harness is tests/webhook_receiver.py's: the worker as
`manage.py run_worker --once`, a real receiver verifying with `standardwebhooks`."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from irsite.uploads import check_upload
from irsite.webhooks import registry
from irsite.webhooks.models import Delivery, Event
from releases import actions as release_actions
from reports import actions as report_actions
from reports.models import Report
from results import actions as kit_actions

from .conftest import SYSTEM, at
from .files import PDF, upload
from .results_kits import approved_kit, make_kit
from .webhook_receiver import REGISTERED, register, verified

pytestmark = pytest.mark.usefixtures("webhooks_env")

GO_LIVE = at(2026, 11, 27, 16, 5, 0)
NEW_TYPES = [
    "results.live",
    "results.corrected",
    "report.live",
    "report.corrected",
    "report.withdrawn",
]


def _runs(run, *moments: datetime) -> None:
    for moment in moments:
        with time_machine.travel(moment, tick=False):
            run()


@pytest.fixture
def kit(make_release, publish):
    """A Q1 FY2027 kit (June year-end), approved before its release, scheduled for GO_LIVE."""
    with time_machine.travel(REGISTERED, tick=False):
        kit_actions.set_fiscal_calendar(6, SYSTEM)
        release = publish(make_release(published_at=GO_LIVE))
        return approved_kit(release)


def test_results_live_once_at_the_release_s_second_with_public_data_only(
    receiver, superuser, kit, run
):
    register(receiver, "/k", superuser, events=["results.live"])
    _runs(run, REGISTERED + timedelta(minutes=1), GO_LIVE - timedelta(seconds=1))
    assert receiver.received == [] and not Event.objects.exists()
    _runs(run, GO_LIVE, GO_LIVE + timedelta(minutes=5))
    [item] = receiver.received
    payload = verified(receiver.secrets["/k"], item)
    assert payload["type"] == "results.live"
    assert datetime.fromisoformat(payload["timestamp"]) == GO_LIVE
    data = payload["data"]
    assert data["url"] == "https://ir.example.com/results/2027/q1/"
    assert (data["title"], data["period_end"]) == ("Q1 fiscal 2027 results", "2026-09-30")
    assert data["release"]["id"] == str(kit.release.uuid)
    assert [d["title"] for d in data["documents"]] == ["Q1 presentation", "Supplemental tables"]
    assert set(data) == {
        "url", "fiscal_year", "period", "title", "period_end", "published_at", "release",
        "documents",
    }  # fmt: skip
    assert b"approved_by" not in item.body and b"second person" not in item.body


def test_a_kit_approved_after_its_release_is_live_at_its_approval_never_before(
    receiver, superuser, make_release, publish, run
):
    register(receiver, "/late", superuser, events=["results.live"])
    with time_machine.travel(REGISTERED, tick=False):
        kit_actions.set_fiscal_calendar(6, SYSTEM)
        release = publish(make_release(published_at=GO_LIVE))
        kit = make_kit(release)
    approval = GO_LIVE + timedelta(hours=2)
    _runs(run, GO_LIVE, approval - timedelta(seconds=1))
    assert receiver.received == []  # the release is live; the kit is not yet approved
    with time_machine.travel(approval, tick=False):
        kit_actions.approve(kit, kit_actions.SystemActor("second person"))
        run()
        run()
    [item] = receiver.received
    assert datetime.fromisoformat(item.payload["timestamp"]) == approval
    assert Event.objects.filter(type="results.live").count() == 1


def test_an_approved_document_correction_is_announced_once_and_a_pending_one_never(
    receiver, superuser, kit, run, approver, second_approver
):
    register(receiver, "/c", superuser, events=["results.corrected"])
    old = kit.documents.current().get(category="slides")
    with time_machine.travel(GO_LIVE + timedelta(days=1), tick=False):
        new = kit_actions.prepare_document(
            kit, approver, checked=check_upload(upload("slides-v2.pdf", PDF + b"% v2\n")),
            title="Q1 presentation", category="slides", note="Slide 7 corrected.", replaces=old,
        )  # fmt: skip
        run()
        assert receiver.received == []  # prepared, not approved: nothing public changed
    decided = GO_LIVE + timedelta(days=1, minutes=5)
    with time_machine.travel(decided, tick=False):
        kit_actions.approve_document(new, second_approver)
    _runs(run, decided, decided + timedelta(minutes=5))
    [item] = receiver.received
    assert item.verified_with == receiver.secrets["/c"]
    data = item.payload["data"]
    assert item.payload["type"] == "results.corrected"
    assert datetime.fromisoformat(data["corrected_at"]) == decided
    assert (data["correction_note"], data["replaced"]) == ("Slide 7 corrected.", True)
    assert new.get_absolute_url() in data["documents"][0]["url"]


def test_a_kit_withdrawn_with_its_release_has_its_pending_deliveries_cancelled(
    receiver, superuser, kit, run, settings
):
    settings.IRSITE_WEBHOOKS_RETRY_SECONDS = 60
    register(receiver, "/kw", superuser, events=["results.live"])
    receiver.answers["/kw"] = [503]
    _runs(run, GO_LIVE)
    with time_machine.travel(GO_LIVE + timedelta(seconds=30), tick=False):
        release_actions.withdraw(kit.release, SYSTEM, "Issued in error.")
    _runs(run, GO_LIVE + timedelta(minutes=2))
    assert [r.answered for r in receiver.on("/kw")] == [503]
    delivery = Delivery.objects.get()
    assert delivery.state == "cancelled" and "withdrawn" in delivery.last_error


@pytest.fixture
def scheduled_report(make_report, publish_report):
    with time_machine.travel(REGISTERED, tick=False):
        return publish_report(make_report(title="Annual report 2026", published_at=GO_LIVE))


def test_report_live_once_at_its_second_with_public_data_only(
    receiver, superuser, scheduled_report, run
):
    register(receiver, "/r", superuser, events=["report.live"])
    _runs(run, REGISTERED + timedelta(minutes=1), GO_LIVE - timedelta(seconds=1))
    assert receiver.received == [] and not Event.objects.exists()
    _runs(run, GO_LIVE, GO_LIVE + timedelta(minutes=5))
    [item] = receiver.received
    payload = verified(receiver.secrets["/r"], item)
    assert payload["type"] == "report.live"
    assert datetime.fromisoformat(payload["timestamp"]) == GO_LIVE
    data = payload["data"]
    assert (data["id"], data["title"]) == (str(scheduled_report.uuid), "Annual report 2026")
    assert data["file_url"] == "https://ir.example.com" + scheduled_report.get_file_url()
    assert data["url"] == "https://ir.example.com/reports/2026/"
    assert data["cover_url"] == "https://ir.example.com" + scheduled_report.get_cover_url()


def test_a_report_correction_and_a_withdrawal_are_each_announced_once(
    receiver, superuser, scheduled_report, run, approver, second_approver
):
    register(receiver, "/rc", superuser, events=["report.corrected", "report.withdrawn"])
    with time_machine.travel(GO_LIVE + timedelta(hours=1), tick=False):
        report = Report.objects.get(pk=scheduled_report.pk)
        report.title = "Annual report 2026 (restated)"
        change = report_actions.save_report(report, approver, change_note="Title corrected.")
        run()
        assert receiver.received == []  # waiting for a second person
        report_actions.approve_change(change, second_approver)
        run()
    with time_machine.travel(GO_LIVE + timedelta(hours=2), tick=False):
        report_actions.withdraw(report, approver, "Superseded by the restated report.")
        run()
        run()
    got = [(r.payload["type"], r.payload["data"]) for r in receiver.received]
    assert [t for t, _ in got] == ["report.corrected", "report.withdrawn"]
    assert got[0][1]["correction_note"] == "Title corrected."
    assert got[0][1]["title"] == "Annual report 2026 (restated)"
    assert got[1][1]["reason"] == "Superseded by the restated report."
    assert datetime.fromisoformat(got[1][1]["withdrawn_at"]) == GO_LIVE + timedelta(hours=2)
    assert "file_url" not in got[1][1]  # its file answers 410 now


def test_a_withdrawn_report_s_pending_deliveries_are_not_sent(
    receiver, superuser, scheduled_report, run, approver, settings
):
    settings.IRSITE_WEBHOOKS_RETRY_SECONDS = 60
    register(receiver, "/p", superuser, events=["report.live"])
    receiver.answers["/p"] = [503]  # the first attempt fails: a retry a minute later
    _runs(run, GO_LIVE)
    assert [r.answered for r in receiver.on("/p")] == [503]
    with time_machine.travel(GO_LIVE + timedelta(seconds=30), tick=False):
        report_actions.withdraw(scheduled_report, approver, "Issued in error.")
    _runs(run, GO_LIVE + timedelta(minutes=2), GO_LIVE + timedelta(hours=1))
    assert [r.answered for r in receiver.on("/p")] == [503]
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.last_error) == ("cancelled", "The report was withdrawn.")


def test_the_admin_s_endpoint_form_offers_the_kit_and_report_types(client, superuser):
    assert set(NEW_TYPES) <= {t.name for t in registry.types()}
    client.force_login(superuser)
    form = client.get(reverse("admin:webhooks_endpoint_add")).content.decode()
    for name in NEW_TYPES:
        assert f'value="{name}"' in form


def test_a_withdrawn_release_s_pending_live_delivery_is_cancelled_not_sent_after_it(
    receiver, superuser, make_release, publish, run, settings
):
    """A release.live whose receiver failed is not retried after the release's withdrawal (its
    release.withdrawn follows), as a kit's and a report's are not."""
    settings.IRSITE_WEBHOOKS_RETRY_SECONDS = 60
    with time_machine.travel(REGISTERED, tick=False):
        release = publish(make_release(published_at=GO_LIVE))
    register(receiver, "/rw", superuser, events=["release.live"])
    receiver.answers["/rw"] = [503]
    _runs(run, GO_LIVE)
    with time_machine.travel(GO_LIVE + timedelta(seconds=30), tick=False):
        release_actions.withdraw(release, SYSTEM, "Issued in error.")
    _runs(run, GO_LIVE + timedelta(minutes=2))
    assert [r.answered for r in receiver.on("/rw")] == [503]
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.last_error) == ("cancelled", "The release was withdrawn.")
