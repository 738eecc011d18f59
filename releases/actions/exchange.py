"""Material news and the listing exchange: marking a release material, recording that the
exchange was told, and the check the publish step makes (`notice_problem`).

What the venue's rule asks at a go-live second comes from `irsite.exchange.rules` (data, by the
text in force that day, in New York time). When it asks a notice before the go-live, scheduling
or publishing a material release is refused unless a recorded notice was given within what the
rule asks and at least ten minutes before the go-live; in an after-close window the page warns.
The screen states the rule and its date, not legal advice.
"""

from datetime import datetime

from django.db import transaction

from irsite import clock
from irsite.contacts.models import CompanyProfile
from irsite.exchange import rules
from irsite.plaintext import single_line
from irsite.times import local_time

from ..models import AuditEntry, ExchangeNotice, Release
from .base import TransitionRefused, _person, _require, audit

# Categories whose releases are material unless marked otherwise ("default on for earnings").
MATERIAL_CATEGORY_WORDS = ("earning", "result")


def venue() -> str:
    profile = CompanyProfile.objects.only("listing_venue").first()
    return profile.listing_venue if profile else ""


def is_material(release: Release) -> bool:
    """Marked so, or, never marked, in an earnings or results category."""
    if release.material is not None:
        return release.material
    if release.pk is None:
        return False
    return any(
        word in f"{c.slug} {c.name}".lower()
        for c in release.categories.all()
        for word in MATERIAL_CATEGORY_WORDS
    )


def asked(release: Release, at: datetime | None) -> rules.Asked | None:
    """What the company's venue asks of ``release`` going live at ``at``; None when nothing is
    checked (no venue named, not material, no time)."""
    where = venue()
    if not where or at is None or not is_material(release):
        return None
    return rules.what_is_asked(where, at)


def notice_problem(release: Release, at: datetime) -> str:
    """Why a go-live of ``release`` at ``at`` must wait for a notice ('' when it need not)."""
    what = asked(release, at)
    if what is None or not what.notice_before_go_live:
        return ""
    notices = release.exchange_notices.filter(venue=what.venue)
    if any(what.go_live_allowed_after(n.notified_at) for n in notices):
        return ""
    assert what.notice_by is not None
    return (
        f"This release is material and {' '.join(what.lines)} Record the notice (when, by whom, "
        f"the exchange's reference) before this go-live: it must be given by "
        f"{what.notice_by:%-I:%M:%S %p %Z}, at least ten minutes before the go-live."
    )


def page_context(release: Release) -> dict:
    """What the admin shows of ``release`` and its exchange (the exchange page, the include on
    the publish page): the venue, the marking, what its go-live asks, the notices."""
    return {
        "exchange_venue": dict(rules.VENUES).get(venue(), ""),
        "exchange_material": is_material(release),
        "exchange_asked": asked(release, release.published_at),
        "exchange_notices": list(release.exchange_notices.all()),
    }


@transaction.atomic
def record_exchange_notice(
    release: Release, user, *, notified_at: datetime, notified_by: str, reference: str
) -> ExchangeNotice:
    """Record that the exchange was told of ``release``: audited as "exchange notified at …
    by … (reference)"."""
    _require(user, "publish_release", "record exchange notices")
    where = venue()
    if not where:
        raise TransitionRefused("Name the listing venue in the company profile first.")
    release = Release.objects.select_for_update().get(pk=release.pk)
    if release.status == Release.Status.WITHDRAWN:
        raise TransitionRefused("The release is withdrawn.")
    notified_by, reference = single_line(notified_by).strip(), single_line(reference).strip()
    if not notified_by or len(notified_by) > 150:
        raise TransitionRefused("Say who told the exchange (up to 150 characters).")
    if not reference or len(reference) > 200:
        raise TransitionRefused("Give the exchange's reference (up to 200 characters).")
    if notified_at > clock.now():
        raise TransitionRefused(
            f"{local_time(notified_at)} has not come yet: record a notice once it is given."
        )
    notice = ExchangeNotice.objects.create(
        release=release,
        venue=where,
        notified_at=notified_at.replace(microsecond=0),
        notified_by=notified_by,
        reference=reference,
        recorded_at=clock.now(),
        recorded_by=_person(user),
    )
    at_ny = notice.notified_at.astimezone(rules.NEW_YORK)
    audit(
        user,
        AuditEntry.Action.EXCHANGE_NOTIFIED,
        release,
        f"Exchange ({dict(rules.VENUES)[where]}) notified at {at_ny:%Y-%m-%d %H:%M:%S %Z} by "
        f"{notified_by} ({reference})",
    )
    return notice


@transaction.atomic
def mark_material(release: Release, user, material: bool) -> None:
    """Mark a release material news or not (audited); an approver's call."""
    _require(user, "publish_release", "mark releases material")
    release = Release.objects.select_for_update().get(pk=release.pk)
    if release.material is material:
        return
    Release.objects.filter(pk=release.pk).update(material=material)
    audit(
        user,
        AuditEntry.Action.MATERIAL_MARKED,
        release,
        "material news" if material else "not material news",
    )
