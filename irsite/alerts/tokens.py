"""Signed links in alert emails: they are the reader's only credential, so nothing else is asked.

A confirmation link expires and is bound to the one request that sent it; the links to the
preferences and unsubscribe pages do not expire (an unsubscribe link must work years later),
and each purpose has its own salt, so one kind of link can never be used as another.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Subscriber

_CONFIRM_SALT = "irsite.alerts.confirm"
_MANAGE_SALT = "irsite.alerts.manage"


class LinkExpired(Exception):
    pass


class LinkInvalid(Exception):
    pass


def confirm_token(subscriber: Subscriber) -> str:
    # Made for the request just recorded: requested_at is set.
    assert subscriber.requested_at is not None
    return signing.dumps(
        {"s": subscriber.pk, "r": subscriber.requested_at.isoformat()}, salt=_CONFIRM_SALT
    )


def read_confirm_token(token: str) -> tuple[Subscriber, str]:
    """The subscriber a confirmation link names and the request time it was sent for."""
    max_age = timedelta(hours=settings.IRSITE_ALERTS_CONFIRM_HOURS)
    try:
        payload = signing.loads(token, salt=_CONFIRM_SALT, max_age=max_age)
    except signing.SignatureExpired as e:
        raise LinkExpired from e
    except signing.BadSignature as e:
        raise LinkInvalid from e
    subscriber = Subscriber.objects.filter(pk=payload.get("s")).first()
    if subscriber is None:
        raise LinkInvalid
    return subscriber, payload.get("r", "")


def manage_token(subscriber: Subscriber) -> str:
    return signing.dumps(subscriber.pk, salt=_MANAGE_SALT)


def read_manage_token(token: str) -> Subscriber:
    try:
        pk = signing.loads(token, salt=_MANAGE_SALT)
    except signing.BadSignature as e:
        raise LinkInvalid from e
    subscriber = Subscriber.objects.filter(pk=pk).first()
    if subscriber is None:
        raise LinkInvalid
    return subscriber


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def confirm_url(subscriber: Subscriber) -> str:
    return absolute(reverse("alerts:confirm", kwargs={"token": confirm_token(subscriber)}))


def unsubscribe_url(subscriber: Subscriber) -> str:
    return absolute(reverse("alerts:unsubscribe", kwargs={"token": manage_token(subscriber)}))


def preferences_url(subscriber: Subscriber) -> str:
    return absolute(reverse("alerts:preferences", kwargs={"token": manage_token(subscriber)}))
