"""The release desk's tools: exhibit import and export, revisions and restore.

A mixin of `ReleaseAdmin` (which provides `_release` and `_change_url`).
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    JsonResponse,
)
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from irsite.http.files import storage_guarded
from irsite.http.private import mark_private
from irsite.plaintext import multi_line
from irsite.richtext import sanitize_html

from .. import actions, edgar
from ..exhibits import ExhibitError, render_html, render_text
from ..exhibits.fragment import pasted_text_html
from ..models import BODY_MAX_BYTES, Release
from ..record.revisions import compare_revisions, recorded_attachment
from .forms import ExhibitUploadForm
from .host import ReleaseAdminHost


class ToolViews(ReleaseAdminHost):
    def tool_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="releases_release_import"),
            path("paste-text/", view(self.paste_text_view), name="releases_release_paste_text"),
            path("<int:pk>/export/<str:fmt>/", view(self.export_view),
                 name="releases_release_export"),
            path("<int:pk>/revisions/", view(self.revisions_view),
                 name="releases_release_revisions"),
            path("<int:pk>/revisions/<int:number>/restore/", view(self.restore_view),
                 name="releases_release_restore"),
            path("<int:pk>/revisions/pdf/<int:version>/", view(self.rendition_view),
                 name="releases_release_rendition"),
            path("<int:pk>/revisions/file/<str:key>/", view(self.recorded_file_view),
                 name="releases_release_recorded_file"),
        ]  # fmt: skip

    def paste_text_view(self, request: HttpRequest) -> JsonResponse:
        """POST plain text (the request body, UTF-8) pasted into the body editor; answers
        ``{"html": …}``: the text read as the importer reads a text exhibit's body, sanitised
        (`releases.exhibits.fragment`). Nothing is stored. 400 for text over the body limit."""
        if request.method != "POST":
            return JsonResponse({"error": "POST the pasted text."}, status=405)
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        text = request.body.decode("utf-8", errors="replace")
        if len(request.body) > BODY_MAX_BYTES:
            return JsonResponse(
                {"error": "The pasted text is over the body's size limit."}, status=400
            )
        return JsonResponse({"html": sanitize_html(pasted_text_html(multi_line(text)))})

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload an exhibit, see what was understood, confirm to create the draft."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ExhibitUploadForm(request.POST or None, request.FILES or None)
        parsed = None
        if request.method == "POST" and form.is_valid():
            data, name, day, headline = form.exhibit()
            company = form.cleaned_data["company_profile"]
            try:
                if "confirm" in request.POST:
                    results = edgar.import_file(
                        data, name, actor=request.user, default_date=day,
                        default_headline=headline, company_profile=company,
                    )  # fmt: skip
                    first = results[0]
                    verb = "Created draft" if first.status == "imported" else "Already imported"
                    shown = first.release.headline or "(no headline: write one before submitting)"
                    messages.success(request, f"{verb}: {shown}")
                    for warning in dict.fromkeys(w for r in results for w in r.warnings):
                        messages.warning(request, warning)
                    return HttpResponseRedirect(self._change_url(first.release))
                parsed = [doc for _source, _raw, doc in edgar.parse_file(data, name, day, headline)]
                # What the exhibit leaves to the editor (no headline printed, K14) and what the
                # import will not do without confirmation (the company details): said up front.
                said = (w for doc in parsed for w in [*doc.warnings, *edgar.company_warnings(doc)])
                for warning in dict.fromkeys(said):
                    messages.warning(request, warning)
            except ExhibitError as error:
                form.add_error("file", f"{name}: {error}")
        context = {
            **self.admin_site.each_context(request),
            "title": "Import an SEC exhibit",
            "opts": self.opts,
            "form": form,
            "parsed": parsed,
        }
        return TemplateResponse(request, "admin/releases/release/import.html", context)

    def export_view(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        release = self._release(request, pk)
        if fmt not in {"text", "html", "zip"}:
            raise PermissionDenied
        if fmt == "zip":
            response = HttpResponse(edgar.exhibit_zip(release), content_type="application/zip")
            response["Content-Disposition"] = f'attachment; filename="ex99-1-{release.slug}.zip"'
            return response
        document = edgar.to_exhibit(release)
        if fmt == "text":
            body, content_type, suffix = render_text(document), "text/plain", "txt"
        else:
            body, content_type, suffix = render_html(document), "text/html", "htm"
        response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="ex99-1-{release.slug}.{suffix}"'
        return response

    def revisions_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        release = self._release(request, pk)
        revisions = list(release.revisions.select_related("created_by"))
        by_number = {r.number: r for r in revisions}
        a, b = request.GET.get("a"), request.GET.get("b")
        diff = None
        if a and b and a.isdigit() and b.isdigit() and int(a) in by_number and int(b) in by_number:
            diff = compare_revisions(
                by_number[int(a)].data, by_number[int(b)].data, file_url=self.file_url(release)
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Revisions of “{release.headline}”",
            "opts": self.opts,
            "release": release,
            "revisions": revisions,
            "renditions": release.renditions.order_by("-version"),
            "diff": diff,
            "a": a,
            "b": b,
            "can_restore": release.is_editable and self.has_change_permission(request, release),
        }
        return TemplateResponse(request, "admin/releases/release/revisions.html", context)

    def rendition_view(self, request: HttpRequest, pk: int, version: int) -> HttpResponseBase:
        """The PDF of one version as it was published (a corrected release keeps them all),
        for staff, never cached."""
        release = self._release(request, pk)
        rendition = get_object_or_404(release.renditions, version=version)
        response = storage_guarded(
            request,
            lambda: FileResponse(
                rendition.file.open("rb"),
                filename=f"{release.slug}-version-{version}.pdf",
                content_type="application/pdf",
            ),
        )
        return mark_private(response)

    def file_url(self, release: Release) -> Callable[[str], str]:
        """Links of the comparisons: any version of a file the release's record names."""

        def url(name: str) -> str:
            key = name.rpartition("/")[2]
            return reverse("admin:releases_release_recorded_file", args=[release.pk, key])

        return url

    def recorded_file_view(self, request: HttpRequest, pk: int, key: str) -> HttpResponseBase:
        """One version of an attachment, for staff who may see the release: a current file or
        one a revision or a prepared correction records (a replaced or removed file stays in
        storage for them), never cached, never anyone else's file."""
        release = self._release(request, pk)
        item = recorded_attachment(release, key)
        if item is None:
            raise Http404("No file of this release by that name.")
        response = storage_guarded(
            request,
            lambda: FileResponse(
                item.file.open("rb"),
                as_attachment=True,
                filename=item.download_name,
                content_type=item.content_type,
            ),
        )
        return mark_private(response)

    def restore_view(self, request: HttpRequest, pk: int, number: int) -> HttpResponse:
        release = self._release(request, pk)
        revision = get_object_or_404(release.revisions, number=number)
        if request.method == "POST":
            try:
                actions.restore_revision(release, revision, request.user)
            except actions.TransitionRefused as refused:
                messages.error(request, f"Not restored: {refused}")
            else:
                messages.success(request, f"Revision {number} restored as the current draft.")
        return HttpResponseRedirect(self._change_url(release))
