"""Saving a kit and setting the fiscal calendar.

A kit is edited freely until it is public. Any edit makes it a draft again, so a kit approved
for a scheduled release needs approval again after a change (`workflow.approve`). A public kit
is not edited: its documents change by corrections (`corrections`)."""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from irsite import clock
from irsite.uploads import removed_if_failed

from ..models import FiscalCalendar, KitAuditEntry, Period, ResultsKit
from .base import TransitionRefused, audit, lock, person, require


def _check(kit: ResultsKit) -> None:
    if kit.fiscal_year is None or not 1900 <= kit.fiscal_year <= 2999:
        raise TransitionRefused("Enter a fiscal year between 1900 and 2999.", field="fiscal_year")
    if kit.period not in Period.values:
        raise TransitionRefused("Choose Q1, Q2, Q3, Q4 or the full year.", field="period")
    others = ResultsKit.objects.exclude(pk=kit.pk)
    if others.filter(fiscal_year=kit.fiscal_year, period=kit.period).exists():
        raise TransitionRefused(
            f"There is already a kit for {kit.period_name}: edit that one.", field="period"
        )
    if kit.release_id is None:
        raise TransitionRefused("Choose the earnings release.", field="release")
    if others.filter(release_id=kit.release_id).exists():
        raise TransitionRefused("That release already has a kit.", field="release")
    if kit.release.withdrawn_at is not None:
        raise TransitionRefused("That release is withdrawn.", field="release")


def period_refusal(fiscal_year: int, period: str, published_at: datetime | None) -> str | None:
    """Why a kit for ``period`` of ``fiscal_year`` cannot go with a release published at
    ``published_at`` (None when it can): results are published after their period ends, so a
    release going live on or before the period's last day names the wrong period (or is the
    wrong release). Judged by the day in the site's zone, where the IR team reads both dates;
    a release without a time yet is judged when the kit is next saved. The admin form says it
    beside the field; `save_kit` refuses it whoever calls."""
    if published_at is None or period not in Period.values:
        return None
    end = FiscalCalendar.current().span(fiscal_year, Period(period).quarter)[1]
    day = timezone.localdate(published_at)
    if day > end:
        return None
    name = ResultsKit(fiscal_year=fiscal_year, period=period).period_name
    return (
        f"{name} ends on {end:%-d %B %Y}, but the release goes live on {day:%-d %B %Y}: "
        "choose the period the release reports, or its release."
    )


def save_kit(
    kit: ResultsKit,
    user,
    *,
    write_related: Callable[[], None] | None = None,
    expected_version: int | None = None,
) -> ResultsKit:
    """Save ``kit`` as edited, with its documents (``write_related``), as a draft waiting for
    a second person's approval. Refused (nothing saved, files removed) when the kit is public,
    when someone saved it since ``expected_version``, or when its period or release is taken."""
    with transaction.atomic(), removed_if_failed():
        creating = kit.pk is None
        require(user, "add_resultskit" if creating else "change_resultskit", "edit results kits")
        if not creating:
            stored = ResultsKit.objects.select_related("release").get(pk=kit.pk)
            lock(stored)
            if expected_version is not None and stored.version != expected_version:
                raise TransitionRefused(
                    f"This kit was saved by {stored.content_changed_by or 'someone else'} while "
                    f"you were editing (version {expected_version}, now {stored.version}). Your "
                    "changes are still on screen, but were not saved."
                )
            if stored.is_live:
                raise TransitionRefused(
                    "The kit is public: replace or add a document as a correction, which a "
                    "second person approves."
                )
            kit.version = stored.version + 1
        _check(kit)
        quarter = Period(kit.period).quarter
        kit.period_end = FiscalCalendar.current().span(kit.fiscal_year, quarter)[1]
        if refusal := period_refusal(kit.fiscal_year, kit.period, kit.release.published_at):
            raise TransitionRefused(refusal, field="period")
        kit.status = ResultsKit.Status.DRAFT
        kit.approved_by, kit.approved_at = None, None
        kit.content_changed_at, kit.content_changed_by = clock.now(), person(user)
        kit.save()
        if write_related:
            write_related()
        action = KitAuditEntry.Action.CREATED if creating else KitAuditEntry.Action.EDITED
        audit(user, action, kit, f"version {kit.version}")
        return kit


@transaction.atomic
def set_fiscal_calendar(year_end_month: int, user) -> FiscalCalendar:
    """Set the month the fiscal year ends in. Kits keep the period end they were saved with."""
    require(user, "change_fiscalcalendar", "set the fiscal calendar")
    if not 1 <= int(year_end_month) <= 12:
        raise TransitionRefused("Choose a month.", field="year_end_month")
    calendar = FiscalCalendar.current()
    calendar.year_end_month = int(year_end_month)
    calendar.save()
    audit(user, KitAuditEntry.Action.CALENDAR, None, str(calendar))
    return calendar
