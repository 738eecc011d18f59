"""The workflow pages of another app's publishable object (events, reports): each step's
confirmation page and the review of a prepared correction, written once.

A mixin of that app's `ModelAdmin`, whose steps are declared on `actions.ObjectTransition`.
The subclass names its steps, its go-live form, its correction model and actions, and the
words that say when the object is (to be) public; the templates are the app's own
(``admin/<app>/<model>/transition.html`` and ``change_review.html``), given the object under
its noun ("event", "report").
"""

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from irsite import clock

from ..actions import Transition, TransitionRefused
from .timefields import ZonedDateTimeField


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class GoLiveForm(forms.Form):
    """The go-live second a step asks for (in the company's zone, under the object's own field
    name), and the version the person saw."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, data, field: str, label: str, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.fields[field] = ZonedDateTimeField(label=label, required=False)


class ObjectWorkflowAdmin:
    """Confirmation pages for ``steps`` and the review of ``change_model`` rows, on top of a
    `ModelAdmin` (``model``, ``admin_site``, ``media``, ``has_view_permission``)."""

    model: type[models.Model]
    admin_site: Any
    media: Any
    has_view_permission: Callable[..., bool]

    steps: ClassVar[Mapping[str, Transition]]
    # The field a step that asks for the go-live second fills in ("announce_at"), and its label.
    go_live_field: ClassVar[str]
    go_live_label: ClassVar[str]
    # What the page calls the go-live words in its context ("announce_words").
    words_name: ClassVar[str]
    change_model: ClassVar[type[models.Model]]
    # The app's correction actions (``staticmethod(actions.approve_change)``).
    approve_change: Callable[..., Any]
    reject_change: Callable[..., Any]
    correct_perm: ClassVar[str]  # "events.correct_event"
    review_title: ClassVar[str]  # "Change of a public event"
    change_noun: ClassVar[str] = "correction"  # "The correction is public."

    def public_words(self, obj: Any) -> str:
        """When ``obj`` is, or is to be, public ("is to be announced …")."""
        raise NotImplementedError

    def review_fields(self, obj: Any, item: Any) -> list[str]:
        """The fields the review page compares."""
        return list(item.data)

    # --- URLs ----------------------------------------------------------------------------

    def _name(self, view: str) -> str:
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}_{view}"

    def step_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/transition/<str:name>/", view(self.transition_view),
                 name=self._name("transition")),
            path("<int:pk>/changes/<int:change>/", view(self.change_review_view),
                 name=self._name("change_review")),
        ]  # fmt: skip

    def _object(self, request: HttpRequest, pk: int) -> Any:
        obj = get_object_or_404(self.model, pk=pk)
        if not self.has_view_permission(request, obj):
            raise PermissionDenied
        return obj

    def _change_url(self, obj: Any) -> str:
        return reverse(f"admin:{self._name('change')}", args=[obj.pk])

    def _template(self, page: str) -> str:
        return f"admin/{self.model._meta.app_label}/{self.model._meta.model_name}/{page}.html"

    # --- a step's confirmation page ------------------------------------------------------

    def _step_form(self, step: Transition, obj: Any, data) -> forms.Form:
        if step.asks == "reason":
            return ReasonForm(data)
        if step.asks == "go_live":
            initial = {self.go_live_field: getattr(obj, self.go_live_field), "version": obj.version}
            return GoLiveForm(data, self.go_live_field, self.go_live_label, initial=initial)
        return forms.Form(data)

    def transition_view(self, request: HttpRequest, pk: int, name: str) -> HttpResponse:
        """A step's confirmation page (GET) and the step itself (POST)."""
        obj = self._object(request, pk)
        step = self.steps.get(name)
        if step is None:
            raise Http404(f"No step “{name}”.")
        form = self._step_form(step, obj, request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            params: dict[str, Any] = {}
            if step.asks == "reason":
                params["reason"] = form.cleaned_data["reason"]
            elif step.asks == "go_live":
                params.update(
                    at=form.cleaned_data[self.go_live_field],
                    now="now" in request.POST,
                    version=form.cleaned_data["version"],
                )
            try:
                step.run(obj, request.user, **params)
            except TransitionRefused as refused:
                form.add_error(
                    refused.field if refused.field in form.fields else None, str(refused)
                )
            else:
                noun = step.noun
                messages.success(
                    request, f"{step.label}: done. The {noun} {self.public_words(obj)}."
                )
                return HttpResponseRedirect(self._change_url(obj))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            step.noun: obj,
            "transition": step,
            "form": form,
            "media": self.media + form.media,
            "now": clock.now(),
            self.words_name: self.public_words(obj),
            "title": step.label,
        }
        return TemplateResponse(request, self._template("transition"), context)

    # --- a prepared correction -----------------------------------------------------------

    def change_review_view(self, request: HttpRequest, pk: int, change: int) -> HttpResponse:
        """A prepared correction, what it changes, and approve / reject."""
        obj = self._object(request, pk)
        noun = self.model._meta.model_name or ""
        item: Any = get_object_or_404(self.change_model, pk=change, **{noun: obj})
        form = ReasonForm(request.POST if "reject" in request.POST else None)
        if request.method == "POST":
            seen = request.POST.get("version") or ""
            try:
                if "approve" in request.POST:
                    if seen and not seen.isdigit():
                        raise TransitionRefused("The page did not say which version you saw.")
                    self.approve_change(item, request.user, version=int(seen or 0) or None)
                    messages.success(request, f"The {self.change_noun} is public.")
                    return HttpResponseRedirect(self._change_url(obj))
                if form.is_valid():
                    self.reject_change(item, request.user, form.cleaned_data["reason"])
                    messages.success(request, f"The {self.change_noun} was rejected.")
                    return HttpResponseRedirect(self._change_url(obj))
            except TransitionRefused as refused:
                messages.error(request, str(refused))
        current = obj.snapshot()
        rows = [
            (name, current.get(name), item.data.get(name))
            for name in self.review_fields(obj, item)
            if current.get(name) != item.data.get(name)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            noun: obj,
            "item": item,
            "rows": rows,
            "form": form,
            "title": self.review_title,
            "can_decide": request.user.has_perm(self.correct_perm),
        }
        return TemplateResponse(request, self._template("change_review"), context)
