"""The release's exchange page: what the listing venue's rule asks at its go-live second, the
notices recorded, a form to record one, and the material marking. Every write is an action
(`releases.actions.exchange`); the page states the rule and its date, not legal advice."""

from datetime import datetime

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from irsite import clock
from irsite.exchange import rules

from .. import actions
from ..actions import exchange
from ..models import Release
from .host import ReleaseAdminHost


class NoticeForm(forms.Form):
    notified_at = forms.DateTimeField(
        label="Exchange notified at (New York time)",
        input_formats=["%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"],
        help_text="As YYYY-MM-DD HH:MM[:SS], Eastern time (the exchange's).",
    )
    notified_by = forms.CharField(label="by", max_length=150)
    reference = forms.CharField(label="reference", max_length=200)

    def clean_notified_at(self) -> datetime:
        # Read as New York time, whatever the site's zone: the rule's clock.
        value = self.cleaned_data["notified_at"]
        return value.replace(tzinfo=None).replace(tzinfo=rules.NEW_YORK)


class ExchangeViews(ReleaseAdminHost):
    """Mixed into `ReleaseAdmin`."""

    def exchange_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/exchange/", view(self.exchange_view), name="releases_release_exchange")
        ]

    def exchange_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        release = self._release(request, pk)
        form = NoticeForm(
            initial={"notified_at": clock.now().astimezone(rules.NEW_YORK).replace(tzinfo=None)}
        )
        if request.method == "POST":
            try:
                if "material" in request.POST:
                    actions.mark_material(release, request.user, request.POST["material"] == "1")
                    return HttpResponseRedirect(request.path)
                form = NoticeForm(request.POST)
                if form.is_valid():
                    actions.record_exchange_notice(release, request.user, **form.cleaned_data)
                    messages.success(request, "The exchange notice is recorded.")
                    return HttpResponseRedirect(request.path)
            except actions.TransitionRefused as refused:
                form.add_error(None, str(refused))
        release.refresh_from_db()
        context = {
            **self.admin_site.each_context(request),
            "opts": Release._meta,
            "title": f"Exchange notice: {release}",
            "release": release,
            "form": form,
            "change_url": reverse("admin:releases_release_change", args=[release.pk]),
            **exchange.page_context(release),
        }
        return TemplateResponse(request, "admin/releases/release/exchange.html", context)
