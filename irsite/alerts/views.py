"""Subscribing, confirming, preferences and unsubscribing: no login, the signed link is the key.

Every response here is private and uncached (they carry a reader's address or a signed link),
except the sign-up frame that public pages embed (`embed`): it is a public page like the list it
sits on, cached by the server and the front cache and purged with them, so results-day traffic
does not reach the app server once per page view.

The sign-up POST takes no CSRF token (a token would set a cookie and make the frame private).
CSRF protects nothing there: a forged sign-up can only ask for a confirmation e-mail to an
address the forger could type into the form themselves, and nothing is subscribed until the
address's owner confirms (double opt-in); per-address and per-network rate limits cap the mail.
"""

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import FormView

from irsite.http.pagecache import cache_publicly
from irsite.http.private import mark_private
from irsite.security import client_ip
from releases.models import Category

from . import actions, ratelimit, tokens
from .forms import CategoryChoiceForm, SubscribeForm
from .models import Subscriber

if TYPE_CHECKING:
    _View = View  # what the mixin is mixed into
else:
    _View = object


class PrivateMixin(_View):
    def dispatch(self, request: HttpRequest, *args, **kwargs) -> HttpResponseBase:
        return mark_private(super().dispatch(request, *args, **kwargs))


def message(
    request: HttpRequest, title: str, text: str, status: int = 200, **extra
) -> HttpResponse:
    context = {"title": title, "text": text, **extra}
    return mark_private(render(request, "alerts/message.html", context, status=status))


def _initial(request: HttpRequest) -> dict:
    """The page the form sits on (the consent source) and its category, if any."""
    source = request.GET.get("from", "")
    initial: dict[str, Any] = {"source": source if source.startswith("/") else ""}
    category = Category.objects.public().filter(slug=request.GET.get("category", "")).first()
    if category:
        initial.update(scope=CategoryChoiceForm.CHOSEN, categories=[category])
    return initial


@method_decorator(csrf_exempt, name="dispatch")
class SubscribeView(PrivateMixin, FormView):
    """`/alerts/`: the full form, and where every sign-up form posts to (no CSRF token: see
    the module's docstring)."""

    template_name = "alerts/subscribe.html"
    form_class = SubscribeForm

    def get_initial(self) -> dict:
        return _initial(self.request)

    def form_valid(self, form: SubscribeForm) -> HttpResponse:
        request = self.request
        email = form.cleaned_data["email"]
        # The same answer whatever happens next: it must not tell whether the address is known.
        done = message(
            request,
            "Check your inbox",
            f"If {email} can receive alerts, a message is on its way to it. Follow the link "
            f"in it within {settings.IRSITE_ALERTS_CONFIRM_HOURS} hours to confirm.",
        )
        if form.is_bot():
            return done
        ip = client_ip(request)
        if not ratelimit.hit("ip", ip, settings.IRSITE_ALERTS_RATE_PER_IP):
            return message(
                request,
                "Too many requests",
                "Too many sign-ups came from your network in the last hour. Please try later.",
                status=429,
            )
        if not ratelimit.hit("address", email.lower(), settings.IRSITE_ALERTS_RATE_PER_ADDRESS):
            return done  # its owner has enough links in their inbox already
        source = form.cleaned_data["source"] or request.path
        actions.request_subscription(
            email,
            all_categories=form.cleaned_data["all_categories"],
            categories=form.cleaned_data["categories"],
            source=f"web form on {source}",
            topics=form.cleaned_data["topics"],
            releases=form.cleaned_data["releases"],
        )
        return done


@method_decorator(xframe_options_sameorigin, name="dispatch")
@method_decorator(cache_publicly(reads=("category", "from")), name="dispatch")
class EmbedView(FormView):
    """The compact sign-up form that public pages show in a frame: public and cached like them
    (it names only public categories)."""

    template_name = "alerts/embed.html"
    form_class = SubscribeForm
    http_method_names = ["get"]

    def get_initial(self) -> dict:
        return _initial(self.request)


class ConfirmView(View):
    """GET shows a button and POST confirms, so a mail scanner that opens links confirms
    nothing on the reader's behalf."""

    def dispatch(self, request: HttpRequest, token: str) -> HttpResponseBase:
        try:
            self.subscriber, self.requested_at = tokens.read_confirm_token(token)
        except tokens.LinkExpired:
            return message(
                request,
                "This link has expired",
                "Confirmation links are valid for "
                f"{settings.IRSITE_ALERTS_CONFIRM_HOURS} hours. Please subscribe again.",
                status=400,
                subscribe_again=True,
            )
        except tokens.LinkInvalid:
            return invalid_link(request)
        return super().dispatch(request, token)

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        if self.subscriber.status == Subscriber.Status.ACTIVE:
            return already_confirmed(request, self.subscriber)
        return message(
            request,
            "Confirm your email alerts",
            f"Send email alerts to {self.subscriber.email} ({self.subscriber.category_names()})?",
            button="Confirm subscription",
        )

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        result = actions.confirm(self.subscriber, self.requested_at)
        if result is actions.Confirmation.ALREADY:
            return already_confirmed(request, self.subscriber)
        if result is actions.Confirmation.SUPERSEDED:
            return message(
                request,
                "This link is no longer valid",
                "A newer confirmation link was sent, or the address unsubscribed since. "
                "Use the newest link, or subscribe again.",
                status=400,
                subscribe_again=True,
            )
        return message(
            request,
            "You are subscribed",
            f"{self.subscriber.email} will receive each alert "
            f"({self.subscriber.category_names()}) the moment it is published.",
            preferences_url=tokens.preferences_url(self.subscriber),
        )


def already_confirmed(request: HttpRequest, subscriber: Subscriber) -> HttpResponse:
    return message(
        request,
        "Already confirmed",
        f"{subscriber.email} already receives email alerts ({subscriber.category_names()}).",
        preferences_url=tokens.preferences_url(subscriber),
    )


def invalid_link(request: HttpRequest) -> HttpResponse:
    return message(
        request,
        "This link is not valid",
        "The link may have been cut off by your email program. Copy the whole link from the "
        "email, or subscribe again.",
        status=400,
        subscribe_again=True,
    )


@method_decorator(csrf_exempt, name="dispatch")
class UnsubscribeView(View):
    """One click: GET asks, POST unsubscribes at once.

    CSRF-exempt on purpose and only here: a mail client posts ``List-Unsubscribe=One-Click``
    (RFC 8058) from outside any page of ours, and the signed token is the authority. The worst
    a forged POST can do is what the link in the reader's own email does.
    """

    def dispatch(self, request: HttpRequest, token: str) -> HttpResponseBase:
        try:
            self.subscriber = tokens.read_manage_token(token)
        except tokens.LinkInvalid:
            return invalid_link(request)
        return super().dispatch(request, token)

    def get(self, request: HttpRequest, token: str) -> HttpResponse:
        if self.subscriber.status == Subscriber.Status.UNSUBSCRIBED:
            return message(request, "Unsubscribed", f"{self.subscriber.email} gets no alerts.")
        return message(
            request,
            "Unsubscribe from email alerts?",
            f"{self.subscriber.email} will receive no more press releases by email.",
            button="Unsubscribe",
        )

    def post(self, request: HttpRequest, token: str) -> HttpResponse:
        actions.unsubscribe(self.subscriber)
        return message(
            request,
            "You are unsubscribed",
            f"{self.subscriber.email} will receive no more press releases by email.",
            subscribe_again=True,
        )


class PreferencesView(PrivateMixin, FormView):
    """Which categories an address receives, reached from the link in every alert."""

    template_name = "alerts/preferences.html"
    form_class = CategoryChoiceForm

    def dispatch(self, request: HttpRequest, token: str) -> HttpResponseBase:
        try:
            self.subscriber = tokens.read_manage_token(token)
        except tokens.LinkInvalid:
            return invalid_link(request)
        return super().dispatch(request, token=token)

    def get_form_kwargs(self) -> dict:
        return {
            **super().get_form_kwargs(),
            "keep": self.subscriber.categories.all(),
            "keep_topics": self.subscriber.topics(),
        }

    def get_initial(self) -> dict:
        subscriber = self.subscriber
        if subscriber.all_categories:
            scope = CategoryChoiceForm.ALL
        elif subscriber.receives_releases:
            scope = CategoryChoiceForm.CHOSEN
        else:
            scope = CategoryChoiceForm.NONE
        return {
            "scope": scope,
            "categories": list(subscriber.categories.all()),
            "topics": subscriber.topics(),
        }

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context.update(
            subscriber=self.subscriber,
            unsubscribe_url=tokens.unsubscribe_url(self.subscriber),
            active=self.subscriber.status == Subscriber.Status.ACTIVE,
        )
        return context

    def form_valid(self, form: CategoryChoiceForm) -> HttpResponse:
        actions.update_preferences(
            self.subscriber,
            all_categories=form.cleaned_data["all_categories"],
            categories=form.cleaned_data["categories"],
            topics=form.cleaned_data["topics"],
            releases=form.cleaned_data["releases"],
        )
        self.subscriber.refresh_from_db()
        return self.render_to_response(self.get_context_data(form=form, saved=True))
