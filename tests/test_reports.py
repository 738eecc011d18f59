"""The reports library (issue 26): the pages, files, feeds and sitemap readers reach, the
publication rule at its second, corrections that keep the old file, and withdrawal."""

from datetime import timedelta

import feedparser
import pytest
import time_machine
from django.urls import reverse

from irsite.uploads import check_upload
from reports import actions
from reports.models import Report, ReportChange, ReportVersion

from .conftest import SYSTEM, at
from .files import CAMERA, PDF, upload
from .shared import body

GO_LIVE = at(2026, 12, 1, 8, 0, 0)
LATER = GO_LIVE + timedelta(days=10)
# A second PDF, different bytes: the corrected report.
CORRECTED = PDF.replace(b"200 200", b"300 300")


@pytest.fixture
def public_report(make_report, publish_report):
    return publish_report(make_report(title="Annual report 2026"))


def test_library_lists_a_public_report_with_its_cover_and_year(client, public_report):
    with time_machine.travel(LATER, tick=False):
        page = client.get(reverse("reports:list")).content.decode()
        year = client.get(reverse("reports:year", args=[2026])).content.decode()
    for html in (page, year):
        assert "Annual report 2026" in html
        assert public_report.get_file_url() in html
        assert public_report.get_cover_url() in html
    assert 'href="/reports/2026/"' in page


def test_a_year_without_public_reports_answers_404(client, public_report):
    with time_machine.travel(LATER, tick=False):
        assert client.get(reverse("reports:year", args=[2019])).status_code == 404


def test_the_file_and_cover_are_served_with_validators_and_ranges(client, public_report):
    with time_machine.travel(LATER, tick=False):
        response = client.get(public_report.get_file_url())
        assert response.status_code == 200
        assert body(response) == PDF
        assert response["Content-Type"] == "application/pdf"
        again = client.get(
            public_report.get_file_url(), headers={"If-None-Match": response["ETag"]}
        )
        assert again.status_code == 304
        part = client.get(public_report.get_file_url(), headers={"Range": "bytes=0-7"})
        assert part.status_code == 206 and body(part) == PDF[:8]
        cover = client.get(public_report.get_cover_url())
    assert cover.status_code == 200
    assert cover["Content-Type"] == "image/jpeg"
    # The cover is re-encoded as body images are: the camera's EXIF is gone.
    assert CAMERA.encode() not in body(cover)


def test_nothing_of_a_report_is_public_a_second_before_its_publication(
    client, make_report, publish_report
):
    report = publish_report(make_report(title="Proxy statement 2026", kind="proxy_statement"))
    urls = [reverse("reports:list"), reverse("reports:rss"), reverse("reports:atom"),
            "/sitemap-reports.xml"]  # fmt: skip
    with time_machine.travel(GO_LIVE - timedelta(seconds=1), tick=False):
        for url in urls:
            assert "Proxy statement 2026" not in client.get(url).content.decode(), url
        assert client.get(report.get_file_url()).status_code == 404
        assert client.get(report.get_cover_url()).status_code == 404
        assert client.get(reverse("reports:year", args=[2026])).status_code == 404
    with time_machine.travel(GO_LIVE, tick=False):
        assert "Proxy statement 2026" in client.get(reverse("reports:list")).content.decode()
        assert client.get(report.get_file_url()).status_code == 200
        assert client.get(reverse("reports:year", args=[2026])).status_code == 200


def test_feeds_list_public_reports_with_their_pdf(client, public_report):
    with time_machine.travel(LATER, tick=False):
        rss = feedparser.parse(client.get(reverse("reports:rss")).content)
        atom = feedparser.parse(client.get(reverse("reports:atom")).content)
    for feed in (rss, atom):
        assert not feed.bozo, feed.bozo_exception
        (entry,) = feed.entries
        assert entry.title == "Annual report 2026"
        assert entry.link.endswith(public_report.get_file_url())
    assert rss.entries[0].enclosures[0]["type"] == "application/pdf"


def test_sitemap_lists_the_library_and_the_year(client, public_report):
    with time_machine.travel(LATER, tick=False):
        index = client.get("/sitemap.xml").content.decode()
        section = client.get("/sitemap-reports.xml").content.decode()
    assert "sitemap-reports.xml" in index
    assert "/reports/</loc>" in section and "/reports/2026/</loc>" in section


def _correct(report, editor, content=CORRECTED, note="Typo on page 3 corrected."):
    report = Report.objects.get(pk=report.pk)
    report.take(check_upload(upload("annual-report-v2.pdf", content)))
    return actions.save_report(report, editor, change_note=note)


def test_a_correction_needs_a_second_person_and_keeps_the_old_file(
    client, public_report, editor, approver, second_approver
):
    old_url = public_report.get_file_url()
    with time_machine.travel(LATER, tick=False):
        change = _correct(public_report, approver)
        assert isinstance(change, ReportChange)
        # Nothing public changed: the old file is still the report's.
        assert body(client.get(old_url)) == PDF
        with pytest.raises(actions.TransitionRefused, match="Four-eyes"):
            actions.approve_change(change, approver)
        with pytest.raises(actions.TransitionRefused, match="permission"):
            actions.approve_change(change, editor)
        actions.approve_change(change, second_approver)
    report = Report.objects.get(pk=public_report.pk)
    with time_machine.travel(LATER + timedelta(seconds=5), tick=False):
        html = client.get(reverse("reports:list")).content.decode()
        assert body(client.get(report.get_file_url())) == CORRECTED
        # The replaced file: kept, and still served at its own address.
        (old,) = ReportVersion.objects.filter(report=report)
        assert old.get_file_url() == old_url
        assert body(client.get(old_url)) == PDF
    assert "Updated on" in html
    assert old_url in html and "Typo on page 3 corrected." in html


def test_a_correction_without_a_note_or_without_a_change_is_refused(public_report, approver):
    with time_machine.travel(LATER, tick=False):
        with pytest.raises(actions.TransitionRefused, match="Say what changes"):
            _correct(public_report, approver, note="")
        with pytest.raises(actions.TransitionRefused, match="Nothing changed"):
            _correct(public_report, approver, content=PDF)
    assert not ReportChange.objects.exists()


def test_a_withdrawn_reports_files_answer_410(client, public_report, approver):
    with time_machine.travel(LATER, tick=False):
        actions.withdraw(public_report, approver, "Superseded by the restated report.")
        assert client.get(public_report.get_file_url()).status_code == 410
        assert client.get(public_report.get_cover_url()).status_code == 410
        assert "Annual report 2026" not in client.get(reverse("reports:list")).content.decode()


def test_the_approver_cannot_approve_their_own_report(make_report, approver, second_approver):
    with time_machine.travel(GO_LIVE - timedelta(days=1), tick=False):
        report = make_report(by=approver)
        actions.submit(report, approver)
        with pytest.raises(actions.TransitionRefused, match="Four-eyes"):
            actions.approve(report, approver)
        actions.approve(report, second_approver)
        report.refresh_from_db()
        assert report.state == Report.State.SCHEDULED


def test_a_report_without_its_pdf_is_refused(company):
    report = Report(title="Empty", fiscal_year=2026, published_at=GO_LIVE)
    with pytest.raises(actions.TransitionRefused, match="PDF"):
        actions.save_report(report, SYSTEM)
    assert not Report.objects.exists()


def test_load_demo_adds_a_public_report(client, db):
    from django.core.management import call_command

    call_command("load_reports_demo")
    call_command("load_reports_demo")  # idempotent
    (report,) = Report.objects.all()
    assert report.is_public() and report.cover
    response = client.get(report.get_file_url())
    assert response.status_code == 200 and body(response).startswith(b"%PDF")


def test_the_approval_purges_the_front_cache_at_the_publication_second_never_before(
    make_report, publish_report, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    report = make_report()
    with django_capture_on_commit_callbacks(execute=True):
        publish_report(report)
    purges = DBTaskResult.objects.filter(task_path__endswith="purge_front_cache").order_by(
        "run_after"
    )
    assert [p.args_kwargs["kwargs"]["keys"] for p in purges] == [["list"], ["list"]]
    first, second = purges
    # At the second (not when approved the second before), then again after it; neither runs
    # before the database's clock reaches its second (`not_before`).
    assert first.run_after == GO_LIVE
    assert second.run_after > GO_LIVE
    assert first.args_kwargs["kwargs"]["not_before"] == GO_LIVE.timestamp()
