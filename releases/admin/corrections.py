"""Corrections of published releases: prepared by one person, approved by a second.

A mixin of `ReleaseAdmin` (which provides `_release` and `_change_url`). Saving a live release's
change form prepares a `PendingCorrection` (`actions.save_release`); these pages show it (the
changes against what is public, a preview, a share link) and let someone else approve or
reject it.
"""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from .. import actions
from ..models import PendingCorrection
from ..previews import corrected_copy
from ..public.views import render_preview
from ..record.revisions import compare_revisions
from .host import ReleaseAdminHost
from .printed import as_printed

# What the approve form carries besides the version: a signature of the correction, the version
# and the person, made only when the review page has been rendered for them (the changes, files
# included, and the release as it will print, all above the form). A POST made without having
# been shown that page (typed by hand, or from a page that failed) approves nothing.
_SEEN_SALT = "releases.correction.seen"


def seen_token(correction: PendingCorrection, version: int, user) -> str:
    return signing.dumps([correction.pk, version, user.pk], salt=_SEEN_SALT)


def was_shown(token: str, correction: PendingCorrection, version: int, user) -> bool:
    try:
        return signing.loads(token, salt=_SEEN_SALT) == [correction.pk, version, user.pk]
    except signing.BadSignature:
        return False


class CorrectionViews(ReleaseAdminHost):
    def correction_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/corrections/<int:cid>/", view(self.correction_view),
                 name="releases_release_correction"),
            path("<int:pk>/corrections/<int:cid>/preview/", view(self.correction_preview_view),
                 name="releases_release_correction_preview"),
        ]  # fmt: skip

    def _correction(self, request: HttpRequest, pk: int, cid: int) -> PendingCorrection:
        release = self._release(request, pk)
        return get_object_or_404(release.pending_corrections, pk=cid)

    def correction_view(self, request: HttpRequest, pk: int, cid: int) -> HttpResponse:
        correction = self._correction(request, pk, cid)
        release = correction.release
        if request.method == "POST":
            try:
                if request.POST.get("decision") == "approve":
                    version = request.POST.get("version", "")
                    if not version.isdigit():
                        raise actions.TransitionRefused(
                            "The approval did not say which version it was for; open the page "
                            "again."
                        )
                    if not was_shown(
                        request.POST.get("seen", ""), correction, int(version), request.user
                    ):
                        raise actions.TransitionRefused(
                            "The approval did not come from this correction's review page; read "
                            "the changes below and approve there."
                        )
                    actions.approve_correction(correction, request.user, version=int(version))
                    messages.success(request, "Correction approved: it is public now.")
                elif request.POST.get("decision") == "reject":
                    actions.reject_correction(
                        correction, request.user, request.POST.get("reason", "")[:2000]
                    )
                    messages.success(request, "Correction rejected; the release is unchanged.")
                else:
                    raise PermissionDenied
            except actions.TransitionRefused as refused:
                messages.error(request, f"Not done: {refused}")
                return HttpResponseRedirect(request.path)
            return HttpResponseRedirect(self._change_url(release))
        with corrected_copy(correction) as corrected:
            printed = as_printed(corrected, self.file_url(release))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Correction of “{release.headline}”",
            "printed": printed,
            "preview_url": reverse(
                "admin:releases_release_correction_preview", args=[release.pk, correction.pk]
            ),
            "opts": self.opts,
            "release": release,
            "correction": correction,
            "diff": compare_revisions(
                release.snapshot(), correction.data, file_url=self.file_url(release)
            ),
            "seen": seen_token(correction, release.version, request.user),
            "can_decide": request.user.has_perm("releases.correct_release")
            and correction.status == PendingCorrection.Status.PENDING,
            "can_share": request.user.has_perm("releases.share_release_preview")
            and correction.status == PendingCorrection.Status.PENDING,
        }
        return TemplateResponse(request, "admin/releases/release/correction.html", context)

    def correction_preview_view(self, request: HttpRequest, pk: int, cid: int) -> HttpResponse:
        correction = self._correction(request, pk, cid)
        with corrected_copy(correction) as release:
            return render_preview(request, release, correction=correction)
