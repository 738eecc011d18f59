"""Entering a publication time: a date, a time as people type it, and the zone when it matters.

Times are read in the company's zone (settings.TIME_ZONE). "7:00 AM", "7 pm", "4:05 p.m.",
"16:05" and "16:05:00" are all accepted. In the repeated hour of a change from summer time
(01:30 happens twice in New York on the first Sunday of November) the editor chooses which
one; a time that does not exist (skipped when clocks go forward) is refused.
"""

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from django import forms
from django.contrib.admin.widgets import AdminDateWidget, AdminTimeWidget
from django.core.exceptions import ValidationError
from django.utils import timezone

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p", "%I %p"]
_MERIDIEM = re.compile(r"\s*([AP])\.?\s*M\.?$", re.IGNORECASE)

FOLD_CHOICES = [
    ("", "usual zone"),
    ("0", "first: summer time (e.g. EDT)"),
    ("1", "second: standard time (e.g. EST)"),
]


class TimeOfDayField(forms.TimeField):
    """A time of day in the 12- or 24-hour spellings people type."""

    input_formats = TIME_INPUT_FORMATS

    def to_python(self, value):
        if isinstance(value, str):
            # "4:05 p.m." / "4:05pm" / "4:05 PM" all become "4:05 PM" for strptime's %p.
            value = _MERIDIEM.sub(lambda m: f" {m.group(1).upper()}M", value.strip())
        return super().to_python(value)


class ZonedDateTimeWidget(forms.MultiWidget):
    # Found by the default form renderer, which reads apps' templates only.
    template_name = "releases/widgets/zoned_datetime.html"

    def __init__(self, attrs=None) -> None:
        super().__init__(
            [
                AdminDateWidget(attrs={"placeholder": "YYYY-MM-DD"}),
                AdminTimeWidget(attrs={"placeholder": "e.g. 16:05 or 4:05 PM"}),
                forms.Select(choices=FOLD_CHOICES, attrs={"aria-label": "Which occurrence"}),
            ],
            attrs,
        )

    def decompress(self, value: datetime | None) -> list:
        if not value:
            return [None, None, ""]
        local = timezone.localtime(value)
        # The occurrence is shown only where it matters: a time in a repeated hour.
        other = local.replace(fold=1 - local.fold)
        fold = str(local.fold) if other.utcoffset() != local.utcoffset() else ""
        return [local.date(), local.time().replace(microsecond=0), fold]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["date_label"], context["time_label"] = "Date:", "Time:"
        return context


class ZonedDateTimeField(forms.MultiValueField):
    """An aware datetime in the company's zone, to the second, from date, time and occurrence."""

    widget = ZonedDateTimeWidget
    default_error_messages = {
        "ambiguous": "%(time)s happens twice on %(date)s (clocks go back): choose the first "
        "(%(first)s) or the second (%(second)s).",
        "missing": "%(time)s does not exist on %(date)s (clocks go forward): choose another time.",
    }

    def __init__(self, **kwargs) -> None:
        kwargs.pop("form_class", None)
        kwargs.pop("max_length", None)
        fields = (
            forms.DateField(),
            TimeOfDayField(),
            forms.ChoiceField(choices=FOLD_CHOICES, required=False),
        )
        super().__init__(fields, require_all_fields=False, **kwargs)
        self.fields[0].required = self.fields[1].required = self.required

    def compress(self, data_list: list) -> datetime | None:
        if not data_list or data_list[0] in self.empty_values:
            if data_list and data_list[1] not in self.empty_values:
                raise ValidationError("Enter a date.", code="invalid_date")
            return None
        day, clock, fold = data_list
        if clock in self.empty_values:
            raise ValidationError("Enter a time.", code="invalid_time")
        return zoned(day, clock, fold, self.error_messages)


def zoned(day: date, clock: time, fold: str, messages: Mapping[str, "StrOrPromise"]) -> datetime:
    """``day`` at ``clock`` in the current zone; ``fold`` ("0"/"1") picks a repeated hour."""
    zone = timezone.get_current_timezone()
    naive = datetime.combine(day, clock.replace(microsecond=0))
    first, second = naive.replace(tzinfo=zone), naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    params: dict[str, str | None] = {"time": f"{clock:%H:%M:%S}", "date": f"{day:%Y-%m-%d}"}
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != naive:
        raise ValidationError(messages["missing"], code="missing", params=params)
    if fold not in {"0", "1"}:
        params |= {"first": first.tzname(), "second": second.tzname()}
        raise ValidationError(messages["ambiguous"], code="ambiguous", params=params)
    return second if fold == "1" else first
