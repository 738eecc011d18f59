"""The release desk's own mail: approvers hear when a release or a correction of a live one
waits for them.

Sent by the worker (a django-tasks task enqueued in the submit's or the correction's
transaction), never from the request: a slow mail server must not slow the editor's click, and
a rolled-back submit sends nothing.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse
from django_tasks import task

from irsite.times import local_time

from .models import PendingCorrection, Release


def approvers(exclude_pk: int | None = None, codename: str = "approve_release"):
    """Active staff who may approve releases (or, with ``codename="correct_release"``,
    corrections) and have an e-mail address (the submitter left out: under the four-eyes rule
    they cannot approve their own change)."""
    User = get_user_model()
    may_approve = (
        Q(is_superuser=True)
        | Q(groups__permissions__codename=codename)
        | Q(user_permissions__codename=codename)
    )
    users = User.objects.filter(may_approve, is_active=True, is_staff=True).exclude(email="")
    if exclude_pk is not None:
        users = users.exclude(pk=exclude_pk)
    return users.distinct().order_by("pk")


def waiting_message(release: Release, recipients: list[str]) -> EmailMessage:
    """“Waiting for your approval: <headline>”, with who submitted it, the go-live time with
    its zone, and the link to the approve page."""
    # A header holds one line: a headline with a line break must not split it.
    headline = " ".join(release.headline.split())
    url = settings.SITE_URL + reverse(
        "admin:releases_release_transition", args=[release.pk, "approve"]
    )
    body = "\n".join(
        [
            f"{release.content_changed_by or 'An editor'} submitted a release for approval:",
            "",
            headline,
            f"Publication time: {local_time(release.published_at)}",
            "",
            f"Review and approve it: {url}",
        ]
    )
    return EmailMessage(
        subject=f"Waiting for your approval: {headline}"[:200],
        body=body,
        to=recipients,
    )


@task()
def notify_approvers(release_id: int, submitted_by: int | None) -> str:
    release = Release.objects.filter(pk=release_id, status=Release.Status.IN_REVIEW).first()
    if release is None:
        return "no longer in review"
    recipients = list(approvers(exclude_pk=submitted_by).values_list("email", flat=True))
    if not recipients:
        return "no approver has an e-mail address"
    waiting_message(release, recipients).send()
    return f"sent to {len(recipients)}"


def correction_message(correction: PendingCorrection, recipients: list[str]) -> EmailMessage:
    """“Correction waiting for your approval: <headline>”: a live release is wrong until a
    second person approves it, so it says so, with the note readers will see, who prepared it
    and the link to the review page (where it is approved)."""
    release = correction.release
    headline = " ".join(release.headline.split())
    url = settings.SITE_URL + reverse(
        "admin:releases_release_correction", args=[release.pk, correction.pk]
    )
    body = "\n".join(
        [
            f"{correction.prepared_by_name or 'An editor'} prepared a correction of a live "
            "release:",
            "",
            headline,
            f"Published: {local_time(release.published_at)}",
            f"Correction note for readers: {correction.note}",
            "",
            "Nothing public changes until someone else approves it.",
            f"Review and approve it: {url}",
        ]
    )
    return EmailMessage(
        subject=f"Correction waiting for your approval: {headline}"[:200],
        body=body,
        to=recipients,
    )


@task()
def notify_correction(correction_id: int, prepared_by: int | None) -> str:
    correction = (
        PendingCorrection.objects.filter(pk=correction_id, status=PendingCorrection.Status.PENDING)
        .select_related("release")
        .first()
    )
    if correction is None:
        return "no longer waiting"
    users = approvers(exclude_pk=prepared_by, codename="correct_release")
    recipients = list(users.values_list("email", flat=True))
    if not recipients:
        return "no approver of corrections has an e-mail address"
    correction_message(correction, recipients).send()
    return f"sent to {len(recipients)}"
