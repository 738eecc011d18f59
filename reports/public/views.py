"""What readers reach of reports: the library, a fiscal year's reports and the files (each
report's PDF, its cover, the files a correction replaced). Each asks `ReportQuerySet.public()`,
through the page cache (`cache_publicly`): a report before its second answers exactly like one
that never existed, on every one of them; a withdrawn report's files answer 410 Gone."""

from itertools import groupby

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView

from irsite import clock
from irsite.http import StoredFile, cache_publicly, file_response, serve_file

from ..models import FOLDER, Kind, Report, ReportVersion


def _kind(request: HttpRequest) -> str:
    value = request.GET.get("kind", "")
    return value if value in Kind.values else ""


def _with_history(reports) -> list[Report]:
    """``reports`` with their replaced files (one query for all), newest first."""
    reports = list(reports)
    versions: dict[int, list[ReportVersion]] = {}
    for version in ReportVersion.objects.filter(report__in=reports):
        versions.setdefault(version.report_id, []).append(version)
    for report in reports:
        report.earlier = versions.get(report.pk, [])
    return reports


@method_decorator(cache_publicly(reads=("kind",)), name="dispatch")
class ReportListView(TemplateView):
    """`/reports/` (every fiscal year, newest first) and `/reports/<yyyy>/` (one fiscal year;
    404 when it holds no public report, as a year that never had one); ``?kind=`` filters (an
    unknown kind is ignored)."""

    template_name = "reports/report_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = clock.now()
        public = Report.objects.public(now)
        year = kwargs.get("year")
        if year is not None:
            public = public.filter(fiscal_year=year)
        kind = _kind(self.request)
        if kind:
            public = public.filter(kind=kind)
        reports = _with_history(public.newest_first())
        if year is not None and not reports and not kind:
            raise Http404("No reports of this year.")
        context.update(
            year=year,
            by_year=[(y, list(r)) for y, r in groupby(reports, lambda r: r.fiscal_year)],
            years=Report.objects.public(now).years(),
            kind=kind,
            kinds=Kind.choices,
        )
        return context


def report_file(request: HttpRequest, name: str) -> HttpResponseBase:
    """``/reports/files/<random>.<ext>``: a public report's PDF, its cover or a file a
    correction replaced; before the report's second, as a name that never existed (404); once
    withdrawn, 410 Gone."""
    return serve_file(request, lambda: _file_response(request, name))


def _owner(stored: str, reports) -> tuple[Report, StoredFile | None] | None:
    """The report in ``reports`` one of whose files is ``stored``, and that file."""
    report = reports.filter(Q(file=stored) | Q(cover=stored)).first()
    if report is not None:
        if report.file.name == stored:
            return report, _stored(report, report)
        return (
            report,
            StoredFile(
                open=lambda: report.cover.open("rb"),
                size=report.cover_size,
                content_type=report.cover_content_type,
                etag=f'"{report.cover_sha256[:40]}"',
                last_modified=report.last_modified,  # public: published
                filename=f"{report.download_name.rpartition('.')[0]}-cover.{stored[-3:]}",
                as_attachment=False,
            ),
        )
    version = (
        ReportVersion.objects.filter(file=stored, report__in=reports)
        .select_related("report")
        .first()
    )
    if version is not None:
        return version.report, _stored(version.report, version)
    return None


def _stored(report: Report, item) -> StoredFile:
    last_modified = report.last_modified
    assert last_modified is not None  # public: published
    return StoredFile(
        open=lambda: item.file.open("rb"),
        size=item.size,
        content_type=item.content_type,
        etag=f'"{item.sha256[:40]}"',
        last_modified=last_modified,
        filename=item.download_name,
        as_attachment=False,  # PDFs open in the browser
    )


def _file_response(request: HttpRequest, name: str) -> HttpResponseBase:
    # Nothing of the request but the name is read before the report is known to be public.
    stored = f"{FOLDER}/{name}"
    found = _owner(stored, Report.objects.public())
    if found is None:
        if _owner(stored, Report.objects.withdrawn()) is not None:
            return _gone(request)
        raise Http404("No such file.")
    _, item = found
    assert item is not None
    return file_response(request, item)


def _gone(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/withdrawn.html", status=410)
