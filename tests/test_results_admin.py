"""The results desk (issue 26) as Editors and Approvers, never superusers: a kit with its
documents, approval by a second person, corrections of a public kit, the fiscal calendar."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from results.models import FiscalCalendar, KitAuditEntry, KitDocument, ResultsKit

from .conftest import at
from .files import EXE, PDF, office_document, upload
from .results_kits import approved_kit, reported_period

NOW = at(2026, 10, 20, 10, 0, 0)
GO_LIVE = at(2026, 10, 27, 16, 5, 0)
ADD_URL = reverse("admin:results_resultskit_add")


def signed_in(client, user):
    client.force_login(user)
    return client


def form_data(release, **overrides) -> dict:
    """The add form as an editor fills it in, for the period ``release`` reports."""
    fiscal_year, period = reported_period(release)
    data = {
        "fiscal_year": str(fiscal_year),
        "period": period,
        "release": str(release.pk),
        "event": "",
        "based_on_version": "",
        "documents-TOTAL_FORMS": "1",
        "documents-INITIAL_FORMS": "0",
        "documents-MIN_NUM_FORMS": "0",
        "documents-MAX_NUM_FORMS": "1000",
        "documents-0-position": "1",
        "documents-0-category": "slides",
        "documents-0-title": "Q1 presentation",
        "documents-0-upload": upload("slides.pdf", PDF),
    }
    return data | overrides


def test_an_editor_prepares_a_kit_and_an_approver_approves_it(
    client, editor, approver, make_release, publish
):
    release = make_release(published_at=GO_LIVE)
    with time_machine.travel(NOW, tick=False):
        response = signed_in(client, editor).post(ADD_URL, form_data(release))
        assert response.status_code == 302, response.content.decode()[:3000]
        kit = ResultsKit.objects.get()
        assert kit.status == ResultsKit.Status.DRAFT and kit.content_changed_by == editor
        assert kit.documents.get().title == "Q1 presentation"
        change_url = reverse("admin:results_resultskit_change", args=[kit.pk])
        assert "Approve the kit" not in client.get(change_url).content.decode()
        refused = client.post(reverse("admin:results_resultskit_approve", args=[kit.pk]))
        assert "You do not have permission" in refused.content.decode()
        kit.refresh_from_db()
        assert kit.status == ResultsKit.Status.DRAFT
        signed_in(client, approver)
        assert "Approve the kit" in client.get(change_url).content.decode()
        response = client.post(
            reverse("admin:results_resultskit_approve", args=[kit.pk]), {"version": kit.version}
        )
        assert response.status_code == 302
    kit.refresh_from_db()
    assert kit.status == ResultsKit.Status.APPROVED and kit.approved_by == approver
    assert KitAuditEntry.objects.filter(kit=kit, action="approved").exists()
    publish(release)
    with time_machine.travel(GO_LIVE, tick=False):
        assert client.get(kit.get_absolute_url()).status_code == 200


def test_the_last_editor_of_a_kit_cannot_approve_it(client, approver, make_release):
    release = make_release(published_at=GO_LIVE)
    with time_machine.travel(NOW, tick=False):
        signed_in(client, approver).post(ADD_URL, form_data(release))
        kit = ResultsKit.objects.get()
        response = client.post(
            reverse("admin:results_resultskit_approve", args=[kit.pk]), {"version": kit.version}
        )
    assert response.status_code == 200 and "Four-eyes rule" in response.content.decode()
    kit.refresh_from_db()
    assert kit.status == ResultsKit.Status.DRAFT


def test_bad_input_is_a_form_error_that_keeps_what_was_typed(client, editor, make_release):
    release = make_release(published_at=GO_LIVE)
    with time_machine.travel(NOW, tick=False):
        response = signed_in(client, editor).post(
            ADD_URL,
            form_data(release, **{"documents-0-upload": upload("tool.pdf", EXE),
                                  "documents-0-title": "Typed title"}),
        )  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert "Typed title" in page and "errorlist" in page
    assert not ResultsKit.objects.exists() and not KitDocument.objects.exists()


def test_office_properties_are_stripped_from_kit_documents(client, editor, make_release):
    release = make_release(published_at=GO_LIVE)
    xlsx = office_document("xl/workbook.xml", "Jane Insider", "Deal Team", "Project Falcon")
    data = form_data(release, **{"documents-0-upload": upload("tables.xlsx", xlsx)})
    with time_machine.travel(NOW, tick=False):
        assert signed_in(client, editor).post(ADD_URL, data).status_code == 302
    stored = KitDocument.objects.get().file.open("rb").read()
    for secret in (b"Jane Insider", b"Deal Team", b"Project Falcon"):
        assert secret not in stored


def test_a_correction_prepared_in_the_admin_is_public_when_a_second_person_approves(
    client, editor, approver, make_release, publish
):
    release = publish(make_release(published_at=GO_LIVE))
    kit = approved_kit(release)
    old = kit.documents.current().get(category="slides")
    with time_machine.travel(GO_LIVE + timedelta(days=1), tick=False):
        change_url = reverse("admin:results_resultskit_change", args=[kit.pk])
        page = signed_in(client, editor).get(change_url).content.decode()
        assert "Replace or add a document" in page
        response = client.post(
            reverse("admin:results_resultskit_correct", args=[kit.pk]),
            {"replaces": str(old.pk), "category": "slides", "title": "Q1 presentation",
             "upload": upload("slides-v2.pdf", PDF + b"% v2\n"), "note": "Slide 7 corrected."},
        )  # fmt: skip
        assert response.status_code == 302
        pending = kit.documents.pending().get()
        assert "Slide 7 corrected." not in client.get(kit.get_absolute_url()).content.decode()
        review = reverse("admin:results_resultskit_review", args=[kit.pk, pending.pk])
        signed_in(client, approver).post(review, {"approve": "1"})
        assert "Slide 7 corrected." in client.get(kit.get_absolute_url()).content.decode()
        assert "Earlier versions" in client.get(change_url).content.decode()
    old.refresh_from_db()
    assert old.status == KitDocument.Status.REPLACED


def test_a_correction_needs_a_note_and_nothing_is_half_saved(client, editor, make_release, publish):
    release = publish(make_release(published_at=GO_LIVE))
    kit = approved_kit(release)
    with time_machine.travel(GO_LIVE + timedelta(days=1), tick=False):
        response = signed_in(client, editor).post(
            reverse("admin:results_resultskit_correct", args=[kit.pk]),
            {"replaces": "", "category": "transcript", "title": "Call transcript",
             "upload": upload("transcript.pdf", PDF), "note": ""},
        )  # fmt: skip
    assert response.status_code == 200 and "Call transcript" in response.content.decode()
    assert not kit.documents.pending().exists()


def test_only_approvers_set_the_fiscal_calendar(client, editor, approver):
    url = reverse("admin:results_fiscalcalendar_add")
    assert signed_in(client, editor).post(url, {"year_end_month": "6"}).status_code == 403
    assert signed_in(client, approver).post(url, {"year_end_month": "6"}).status_code == 302
    assert FiscalCalendar.current().year_end_month == 6
    assert KitAuditEntry.objects.filter(action="calendar").exists()


def test_the_demo_loads_a_fiscal_calendar_and_a_kit_with_documents_once(client, db):
    from django.core.management import call_command

    call_command("load_demo")
    call_command("load_demo")
    kit = ResultsKit.objects.get()
    assert FiscalCalendar.current().year_end_month == 6
    # 24 January 2003 in a June year: fiscal 2003's second quarter had just ended.
    assert (kit.fiscal_year, kit.period) == (2003, "q2")
    assert kit.documents.current().count() == 2
    page = client.get(kit.get_absolute_url())
    assert page.status_code == 200 and "Supplemental tables" in page.content.decode()


def test_the_new_kit_form_proposes_the_quarter_just_ended(client, editor):
    from results import actions

    actions.set_fiscal_calendar(6, actions.SystemActor("tests"))
    with time_machine.travel(NOW, tick=False):  # 20 October 2026: fiscal 2027's Q1 just ended
        form = signed_in(client, editor).get(ADD_URL).context["adminform"].form
    assert (form.initial["fiscal_year"], form.initial["period"]) == (2027, "q1")


def test_a_period_or_release_already_taken_is_a_form_error(client, editor, make_release):
    taken = make_release(published_at=GO_LIVE)
    approved_kit(taken)
    other = make_release(published_at=GO_LIVE)
    with time_machine.travel(NOW, tick=False):
        signed_in(client, editor)
        same_period = client.post(ADD_URL, form_data(other))
        same_release = client.post(ADD_URL, form_data(taken, period="q2"))
    for response in (same_period, same_release):
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()
    assert ResultsKit.objects.count() == 1 and KitDocument.objects.count() == 2


def test_editing_an_approved_kit_in_the_admin_returns_it_to_draft(
    client, editor, make_release, publish
):
    release = publish(make_release(published_at=GO_LIVE))
    kit = approved_kit(release)
    url = reverse("admin:results_resultskit_change", args=[kit.pk])
    documents = list(kit.documents.current())
    data = form_data(release, based_on_version=str(kit.version), event="")
    data |= {"documents-TOTAL_FORMS": "2", "documents-INITIAL_FORMS": "2"}
    for n, document in enumerate(documents):
        fields = {"id": document.pk, "kit": kit.pk, "position": 5 - n, "upload": "",
                  "category": document.category, "title": document.title}  # fmt: skip
        data |= {f"documents-{n}-{name}": str(value) for name, value in fields.items()}
    with time_machine.travel(GO_LIVE - timedelta(hours=1), tick=False):
        response = signed_in(client, editor).post(url, data)
        assert response.status_code == 302, response.content.decode()[:3000]
    kit.refresh_from_db()
    assert kit.status == ResultsKit.Status.DRAFT and kit.version == 2
    assert [d.title for d in kit.documents.current()] == ["Supplemental tables", "Q1 presentation"]


def test_the_approval_message_says_approved_once_and_when_the_kit_goes_public(
    client, editor, approver, make_release
):
    release = make_release(published_at=GO_LIVE)
    with time_machine.travel(NOW, tick=False):
        signed_in(client, editor).post(ADD_URL, form_data(release))
        kit = ResultsKit.objects.get()
        response = signed_in(client, approver).post(
            reverse("admin:results_resultskit_approve", args=[kit.pk]),
            {"version": kit.version},
            follow=True,
        )
    shown = [str(message) for message in response.context["messages"]]
    assert "Approved: public with its release." in shown, shown


def test_a_kit_for_a_period_not_yet_ended_at_its_releases_go_live_is_a_form_error(
    client, editor, make_release
):
    """Results are published after their period: a June-year company's release of 27 October
    2026 reports fiscal 2027's Q1 (July-September), not its Q2 (ending in December)."""
    from results import actions

    actions.set_fiscal_calendar(6, actions.SystemActor("tests"))
    release = make_release(published_at=GO_LIVE)
    with time_machine.travel(NOW, tick=False):
        signed_in(client, editor)
        early = client.post(ADD_URL, form_data(release, fiscal_year="2027", period="q2"))
        assert early.status_code == 200
        form = early.context["adminform"].form
        assert form.errors["period"] == [
            "Q2 fiscal 2027 ends on 31 December 2026, but the release goes live on 27 October "
            "2026: choose the period the release reports, or its release."
        ]
        assert (form["fiscal_year"].value(), form["period"].value()) == ("2027", "q2")
        assert ResultsKit.objects.count() == 0 and KitDocument.objects.count() == 0
        # The quarter just ended is accepted.
        fine = client.post(ADD_URL, form_data(release))
        assert fine.status_code == 302
    assert (ResultsKit.objects.get().fiscal_year, ResultsKit.objects.get().period) == (2027, "q1")


def test_the_kit_action_refuses_a_period_not_yet_ended_whoever_calls_it(make_release):
    from results import actions

    from .results_kits import make_kit

    release = make_release(published_at=GO_LIVE)
    with pytest.raises(actions.TransitionRefused, match="ends on 31 December 2026"):
        make_kit(release, fiscal_year=2026, period="q4")
    with pytest.raises(actions.TransitionRefused, match="ends on 31 December 2026"):
        make_kit(release, fiscal_year=2026, period="fy")
    assert ResultsKit.objects.count() == 0 and KitDocument.objects.count() == 0
