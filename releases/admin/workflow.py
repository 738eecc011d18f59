"""The workflow pages of a release: transition confirmations, the preview, share links.

A mixin of `ReleaseAdmin`: these views read `actions.TRANSITIONS` for what each step is
called, which states and permission it needs and what its confirmation page asks.
"""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone

from .. import actions
from ..models import PendingCorrection, PreviewLink, Release
from ..views import render_preview
from .display import go_live_in_words, local_time
from .forms import TRANSITION_FORMS
from .tools import revision_diff


class WorkflowViews:
    """Views for `ReleaseAdmin` (which provides `_release` and `_change_url`)."""

    def workflow_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/transition/<str:name>/", view(self.transition_view),
                 name="releases_release_transition"),
            path("<int:pk>/preview/", view(self.preview_view), name="releases_release_preview"),
            path("<int:pk>/share/", view(self.share_view), name="releases_release_share"),
            path("<int:pk>/share/<int:link_id>/revoke/", view(self.revoke_share_view),
                 name="releases_release_revoke_share"),
        ]  # fmt: skip

    def workflow_context(self, request: HttpRequest, release: Release) -> dict:
        """What the change form's workflow panel shows: the steps this user may take now."""
        return {
            "transitions": [
                (name, t)
                for name, t in actions.TRANSITIONS.items()
                if t.allows(release, request.user)
            ],
            "go_live_words": go_live_in_words(release),
            "preview_links": release.preview_links.all()[:10],
            "pending_corrections": release.pending_corrections.filter(
                status=PendingCorrection.Status.PENDING
            ),
            "can_share": request.user.has_perm("releases.share_release_preview")
            and not release.is_public,
        }

    def transition_view(self, request: HttpRequest, pk: int, name: str) -> HttpResponse:
        """A step's confirmation page (GET) and the step itself (POST). A refusal that names
        one of the page's fields re-displays the page with it, keeping what was typed."""
        release = self._release(request, pk)
        transition = actions.TRANSITIONS.get(name)
        if transition is None:
            raise PermissionDenied
        data = request.POST if request.method == "POST" else None
        form = TRANSITION_FORMS[transition.asks](data, release=release)
        if request.method == "POST":
            if not form.is_valid():
                if "version" in form.errors:
                    messages.error(
                        request,
                        f"{transition.label} refused: the confirmation did not say which version "
                        "of the release it was for. Open the page again.",
                    )
                    return HttpResponseRedirect(self._change_url(release))
            else:
                try:
                    transition.run(release, request.user, **form.action_kwargs())
                except actions.TransitionRefused as refused:
                    if refused.field not in form.fields:
                        messages.error(request, f"{transition.label} refused: {refused}")
                        return HttpResponseRedirect(self._change_url(release))
                    form.add_error(refused.field, str(refused))
                else:
                    done = f"{transition.label}: done."
                    if transition.asks == "go_live":
                        done += f" The release {go_live_in_words(release)}."
                    messages.success(request, done)
                    return HttpResponseRedirect(self._change_url(release))
        context = {
            **self.admin_site.each_context(request),
            "title": f"{transition.label}: {release.headline}",
            "opts": self.opts,
            "release": release,
            "transition": transition,
            "form": form,
            "media": self.media + form.media,
            "go_live_words": go_live_in_words(release),
            "now": timezone.now(),
            "zone": timezone.get_current_timezone_name(),
            **(self.review_context(release) if transition.binds_content else {}),
        }
        return TemplateResponse(request, "admin/releases/release/transition.html", context)

    def review_context(self, release: Release) -> dict:
        """What an approver reviews: the release as it stands, and what changed since the last
        version approved (or published), if there was one."""
        shown = Release.objects.for_page().get(pk=release.pk)
        base = None
        if release.approved_version and release.approved_version != release.version:
            base = release.revisions.filter(number__lte=release.approved_version).first()
        return {
            "review": shown,
            "review_base": base,
            "review_diff": revision_diff(base.data, release.snapshot()) if base else None,
        }

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        release = self._release(request, pk)
        return render_preview(request, Release.objects.for_page().get(pk=release.pk))

    def share_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        release = self._release(request, pk)
        if request.method != "POST":
            return HttpResponseRedirect(self._change_url(release))
        hours = request.POST.get("hours") or settings.IRSITE_PREVIEW_LINK_HOURS
        correction = None
        if cid := request.POST.get("correction", ""):
            correction = get_object_or_404(
                release.pending_corrections, pk=int(cid) if cid.isdigit() else 0
            )
        try:
            link = actions.create_preview_link(
                release,
                request.user,
                hours=int(hours),
                note=request.POST.get("note", "")[:200],
                correction=correction,
            )
        except (actions.TransitionRefused, ValueError) as refused:
            messages.error(request, f"No preview link created: {refused}")
        else:
            url = request.build_absolute_uri(link.get_absolute_url())
            messages.success(
                request, f"Preview link, valid until {local_time(link.expires_at)}: {url}"
            )
        return HttpResponseRedirect(self._change_url(release))

    def revoke_share_view(self, request: HttpRequest, pk: int, link_id: int) -> HttpResponse:
        release = self._release(request, pk)
        link = get_object_or_404(PreviewLink, pk=link_id, release=release)
        if request.method == "POST":
            try:
                actions.revoke_preview_link(link, request.user)
            except actions.TransitionRefused as refused:
                messages.error(request, str(refused))
            else:
                messages.success(request, "Preview link revoked: it now answers 404.")
        return HttpResponseRedirect(self._change_url(release))
