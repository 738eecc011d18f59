"""Form helpers every app's forms share."""

from django import forms
from django.db import models


def https_formfield(db_field: models.Field, **kwargs) -> forms.Field | None:
    """A ``formfield_callback``: bare URLs typed by the IR team are taken as https."""
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)
