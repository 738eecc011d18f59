"""The workflow pages of a release: transition confirmations, the preview, share links.

A mixin of `ReleaseAdmin`: these views read `actions.TRANSITIONS` for what each step is
called, which states and permission it needs and what its confirmation page asks.
"""

from typing import cast

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone

from .. import actions
from ..models import PendingCorrection, PreviewLink, Release
from ..public.views import render_preview
from ..record.revisions import compare_revisions
from .display import go_live_in_words, local_time
from .forms import TRANSITION_FORMS
from .host import ReleaseAdminHost
from .printed import as_printed


class ShareLinkForm(forms.Form):
    """What a share link is made with; `actions.create_preview_link` holds the rules and its
    refusals show beside the field, with what was typed kept."""

    note = forms.CharField(
        required=False,
        max_length=PreviewLink._meta.get_field("note").max_length,
        label="For",
        help_text="Who the link is for, e.g. “counsel”.",
    )
    hours = forms.IntegerField(
        initial=lambda: settings.IRSITE_PREVIEW_LINK_HOURS,
        min_value=actions.PREVIEW_LINK_MIN_HOURS,
        max_value=actions.PREVIEW_LINK_MAX_HOURS,
        label="Valid for (hours)",
        help_text=f"{actions.PREVIEW_LINK_MIN_HOURS} to {actions.PREVIEW_LINK_MAX_HOURS} hours "
        "(14 days). The link stops working earlier if it is revoked or the release withdrawn.",
    )

    # Set for a link to a pending correction (its review page posts it).
    correction = forms.ModelChoiceField(
        queryset=PendingCorrection.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, release: Release, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["correction"])
        field.queryset = release.pending_corrections.all()

    def create(self, release: Release, user) -> PreviewLink | None:
        """The new link, or None with the refusal added to the form."""
        data = self.cleaned_data
        try:
            return actions.create_preview_link(
                release, user, data["hours"], data["note"], correction=data["correction"]
            )
        except actions.TransitionRefused as refused:
            self.add_error(refused.field if refused.field in self.fields else None, str(refused))
            return None


class WorkflowViews(ReleaseAdminHost):
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
            # All of them, newest first: a link someone was sent stays findable and revocable.
            "preview_links": release.preview_links.select_related(
                "created_by", "release", "correction"
            ),
            "share_form": ShareLinkForm(release=release),
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
        if request.method != "POST" and not transition.asks and not transition.binds_content:
            # A step that asks nothing is refused at once when it would be refused on
            # confirming (e.g. a submit without a publication time): back to the form to fix it.
            try:
                transition.check(release, request.user)
            except actions.TransitionRefused as refused:
                messages.error(request, f"{transition.label} refused: {refused}")
                return HttpResponseRedirect(self._change_url(release))
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
            "printed": as_printed(shown, self.file_url(release)),
            "preview_url": reverse("admin:releases_release_preview", args=[release.pk]),
            "review_base": base,
            "review_diff": (
                compare_revisions(base.data, release.snapshot(), file_url=self.file_url(release))
                if base
                else None
            ),
        }

    def preview_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        release = self._release(request, pk)
        return render_preview(request, Release.objects.for_page().get(pk=release.pk))

    def share_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Make a share link; a refused one re-displays its form with the reason."""
        release = self._release(request, pk)
        form = ShareLinkForm(request.POST if request.method == "POST" else None, release=release)
        if request.method == "POST" and form.is_valid():
            link = form.create(release, request.user)
            if link is not None:
                url = request.build_absolute_uri(link.get_absolute_url())
                messages.success(
                    request, f"Preview link, valid until {local_time(link.expires_at)}: {url}"
                )
                return HttpResponseRedirect(self._change_url(release))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Share a preview: {release.headline}",
            "opts": self.opts,
            "release": release,
            "transition": {"label": "Create a preview share link"},
            "form": form,
            "media": self.media + form.media,
            "go_live_words": go_live_in_words(release),
        }
        return TemplateResponse(request, "admin/releases/release/transition.html", context)

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
