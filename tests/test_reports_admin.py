"""The reports desk, driven as Editors and Approvers (non-superusers) use it (issue 26): the
form with its PDF and cover, the workflow's four-eyes approval, corrections of public reports
approved by a second person, and refusals that keep what was typed."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from reports.models import Report, ReportAuditEntry, ReportChange, ReportVersion

from .conftest import at
from .files import CAMERA, EXE, PDF, photo, upload
from .shared import body

NOW = at(2026, 11, 20, 9, 0, 0)
ADD_URL = reverse("admin:reports_report_add")
CORRECTED = PDF.replace(b"200 200", b"300 300")


def form_data(**overrides) -> dict:
    return {
        "title": "Annual report 2026",
        "kind": "annual_report",
        "fiscal_year": "2026",
        "description": "The letter to shareholders and the audited statements.",
        "published_at_0": "2026-12-01",
        "published_at_1": "08:00",
        "published_at_2": "",
        "based_on_version": "",
        "change_note": "",
    } | overrides


def signed_in(client, user):
    client.force_login(user)
    return client


def transition(client, report, name, data=None):
    url = reverse("admin:reports_report_transition", args=[report.pk, name])
    version = Report.objects.get(pk=report.pk).version
    return client.post(url, {"version": version, **(data or {})})


def add(client, **overrides):
    return client.post(
        ADD_URL,
        form_data(
            upload=upload("report.pdf", PDF), cover_upload=upload("cover.jpg", photo()), **overrides
        ),
    )


def test_an_editor_adds_and_submits_and_an_approver_schedules(client, editor, approver, company):
    with time_machine.travel(NOW, tick=False):
        response = add(signed_in(client, editor))
        assert response.status_code == 302, response.content.decode()[:2000]
        report = Report.objects.get()
        assert report.state == Report.State.DRAFT
        assert report.cover and report.content_type == "application/pdf"
        assert transition(client, report, "submit").status_code == 302
        # The editor may not approve: the page says why, nothing changes.
        refused = transition(client, report, "approve", {"now": "1"})
        assert "You do not have permission to approve reports" in refused.content.decode()
        assert Report.objects.get().state == Report.State.IN_REVIEW
        signed_in(client, approver)
        response = transition(
            client, report, "approve", {"published_at_0": "2026-12-01", "published_at_1": "08:00"}
        )
        assert response.status_code == 302, response.content.decode()[:2000]
        assert Report.objects.get().state == Report.State.SCHEDULED
    actions = list(ReportAuditEntry.objects.order_by("at", "pk").values_list("action", flat=True))
    assert actions == ["created", "submitted", "approved"]


def test_the_last_editor_cannot_approve_in_the_admin(client, approver, company):
    with time_machine.travel(NOW, tick=False):
        add(signed_in(client, approver))
        report = Report.objects.get()
        transition(client, report, "submit")
        response = transition(
            client, report, "approve", {"published_at_0": "2026-12-01", "published_at_1": "08:00"}
        )
    assert response.status_code == 200
    assert "Four-eyes rule" in response.content.decode()
    assert Report.objects.get().state == Report.State.IN_REVIEW


@pytest.mark.parametrize(
    ("field", "content", "message"),
    [
        ("upload", EXE, "accepted are"),
        ("upload", photo(), "not a PDF"),
        ("cover_upload", PDF, "PNG, JPEG or WebP"),
    ],
)
def test_a_wrong_file_is_a_form_error_that_keeps_what_was_typed(
    client, editor, company, field, content, message
):
    files = {"upload": upload("report.pdf", PDF), field: upload("x.bin", content)}
    with time_machine.travel(NOW, tick=False):
        response = signed_in(client, editor).post(ADD_URL, form_data(**files))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="Annual report 2026"' in html
    assert not Report.objects.exists()


def test_a_correction_in_the_admin_is_public_when_a_second_approver_approves(
    client, editor, approver, second_approver, make_report, publish_report
):
    report = publish_report(make_report(title="Annual report 2026", by=editor))
    url = reverse("admin:reports_report_change", args=[report.pk])
    later = report.published_at + timedelta(days=3)
    with time_machine.travel(later, tick=False):
        signed_in(client, editor)
        data = form_data(based_on_version=report.version, upload=upload("v2.pdf", CORRECTED))
        data.pop("published_at_0"), data.pop("published_at_1"), data.pop("published_at_2")
        refused = client.post(url, data)
        assert refused.status_code == 200 and "Say what changes" in refused.content.decode()
        note = "Restated segment table on page 12."
        response = client.post(
            url, {**data, "upload": upload("v2.pdf", CORRECTED), "change_note": note}
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        change = ReportChange.objects.get()
        # Nothing public yet: the old file is still served.
        assert body(client.get(report.get_file_url())) == PDF
        review = reverse("admin:reports_report_change_review", args=[report.pk, change.pk])
        # The editor may not decide; an approver may.
        client.post(review, {"approve": "1", "version": report.version})
        assert ReportChange.objects.get().status == ReportChange.Status.PENDING
        signed_in(client, approver)
        assert client.post(review, {"approve": "1", "version": report.version}).status_code == 302
    report.refresh_from_db()
    assert report.corrected_at is not None
    with time_machine.travel(later + timedelta(seconds=1), tick=False):
        assert body(client.get(report.get_file_url())) == CORRECTED
        (old,) = ReportVersion.objects.all()
        assert body(client.get(old.get_file_url())) == PDF
        assert "Updated on" in client.get(reverse("reports:list")).content.decode()


def test_the_stored_cover_carries_no_camera_metadata(client, editor, company):
    with time_machine.travel(NOW, tick=False):
        add(signed_in(client, editor))
    report = Report.objects.get()
    with report.cover.open("rb") as stored:
        assert CAMERA.encode() not in stored.read()


def test_the_audit_trail_is_append_only(client, superuser, make_report):
    make_report()
    signed_in(client, superuser)
    entry = ReportAuditEntry.objects.get()
    assert client.get(reverse("admin:reports_reportauditentry_add")).status_code == 403
    url = reverse("admin:reports_reportauditentry_delete", args=[entry.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert ReportAuditEntry.objects.count() == 1


def test_the_desk_pages_render_for_editors_and_approvers(
    client, editor, approver, make_report, publish_report
):
    draft = make_report(by=editor, title="Draft report")
    live = publish_report(make_report(title="Live report"))
    with time_machine.travel(live.published_at + timedelta(days=1), tick=False):
        signed_in(client, editor)
        assert client.get(ADD_URL).status_code == 200
        page = client.get(reverse("admin:reports_report_change", args=[draft.pk]))
        assert page.status_code == 200 and "Submit for approval" in page.content.decode()
        assert (
            "Draft report"
            in client.get(reverse("admin:reports_report_changelist")).content.decode()
        )
        live_page = client.get(reverse("admin:reports_report_change", args=[live.pk]))
        assert "What changes (shown to readers)" in live_page.content.decode()
        signed_in(client, approver)
        page = client.get(reverse("admin:reports_report_change", args=[live.pk]))
        assert "Withdraw" in page.content.decode()
        confirm = reverse("admin:reports_report_transition", args=[live.pk, "withdraw"])
        assert client.get(confirm).status_code == 200
