"""Every field of the company profile, contacts, disclaimers and categories has a bound that fits
its purpose: a value past it is a form error beside the field, with everything typed kept on the
re-displayed form, and nothing stored; a value at the bound is stored whole.

The pages are read and posted as an Approvers user does (the group that may change all four).
A 1 MB company address had been accepted, frozen into each release approved after it, and made
every public page megabytes long; the walk over the forms' fields makes the next field bounded
too, or this test names it.
"""

import pytest
from django import forms
from django.apps import apps
from django.db import models
from django.urls import reverse

from irsite.contacts.models import CompanyProfile, Contact
from irsite.disclaimers.models import Disclaimer
from irsite.plaintext import MultiLineFormField, MultiLineTextField, SingleLineFormField
from irsite.richtext import RichTextFormField
from releases.models import Category, Release

from .admin_forms import ADD_URL, form_data

# How many characters anything typed into these forms may be at most, whatever field: the
# largest bound a field of them has (a standing text's 64 KB of HTML) is well under it.
MEGABYTE = 1024 * 1024


def _data_of(form: forms.BaseForm) -> dict:
    """What the browser posts back for a form as it was rendered (its initial values)."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = value
    return data


# (the change or add page's URL, the fields posted beside the form's own for a valid save)
def _profile(company: CompanyProfile) -> str:
    return reverse("admin:contacts_companyprofile_change", args=[company.pk])


PAGES = {
    "company profile": (_profile, {}),
    "contact": (
        lambda _: reverse("admin:contacts_contact_add"),
        {"name": "Jane Doe", "audience": "investors", "position": "0", "is_active": "on"},
    ),
    "category": (
        lambda _: reverse("admin:releases_category_add"),
        {"name": "Deals", "slug": "deals"},
    ),
    "disclaimer": (
        lambda _: reverse("admin:disclaimers_disclaimer_add"),
        {
            "kind": "about",
            "name": "About us",
            "text": "<p>About us.</p>",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    ),
}


def _page(client, company, which: str) -> tuple[str, dict, forms.BaseForm]:
    url_of, extra = PAGES[which]
    url = url_of(company)
    form = client.get(url).context["adminform"].form
    return url, _data_of(form) | extra, form


def _too_long(field: forms.Field) -> str:
    """A value of about 1 MB shaped for ``field``, so only its length is wrong."""
    if isinstance(field, RichTextFormField):
        return "<p>" + "Our history. " * (MEGABYTE // 13) + "</p>"
    if isinstance(field, forms.URLField):
        return "https://example.com/" + "a" * MEGABYTE
    if isinstance(field, forms.EmailField):
        return "a" * 60 + "@" + "b" * MEGABYTE + ".com"
    if isinstance(field, forms.SlugField):
        return "a" * MEGABYTE
    if isinstance(field, MultiLineFormField):
        return "1 Main Street\n" * (MEGABYTE // 14)
    return "A" * MEGABYTE


MODELS = {"profile": CompanyProfile, "contact": Contact, "category": Category,
          "disclaimer": Disclaimer}  # fmt: skip
# Fields that take "typed-before-the-error" as it is.
PLAIN = (SingleLineFormField, MultiLineFormField, forms.SlugField)


def _text_fields(form: forms.BaseForm) -> list[tuple[str, forms.CharField]]:
    return [(n, f) for n, f in form.fields.items() if isinstance(f, forms.CharField)]


@pytest.mark.parametrize("which", list(PAGES))
def test_a_value_past_any_fields_bound_is_a_form_error_with_what_was_typed_kept(
    client, approver, company, which
):
    client.force_login(approver)
    url, valid, form = _page(client, company, which)
    fields = _text_fields(form)
    assert fields, which
    stored_before = {label: m.objects.count() for label, m in MODELS.items()}
    for name, field in fields:
        # Another field typed beside the long one, which the re-displayed form must keep.
        other = next(n for n, f in fields if n != name and isinstance(f, PLAIN))
        typed = valid | {name: _too_long(field), other: "typed-before-the-error"}
        response = client.post(url, typed)
        assert response.status_code == 200, (which, name, "saved a 1 MB value")
        bound = response.context["adminform"].form
        assert name in bound.errors, (which, name, bound.errors)
        if isinstance(field, SingleLineFormField | MultiLineFormField):
            assert f"at most {field.max_length} characters" in bound.errors[name][0]
        assert bound[other].value() == "typed-before-the-error", (which, name)
        assert bound.data[name] == typed[name]  # the long value as typed, to be shortened
    assert {label: m.objects.count() for label, m in MODELS.items()} == stored_before
    company.refresh_from_db()
    assert len(company.address_lines) < 1000


@pytest.mark.parametrize("which", list(PAGES))
def test_a_value_at_a_fields_bound_is_stored_whole(client, approver, company, which):
    client.force_login(approver)
    _, _, form = _page(client, company, which)
    for name, field in _text_fields(form):
        if not isinstance(field, SingleLineFormField | MultiLineFormField) or not field.max_length:
            continue  # typed fields (URLs, e-mail addresses, slugs) are checked by their form
        at_bound = "Z" * (field.max_length - 1) + "z"
        url, valid, _ = _page(client, company, which)
        response = client.post(url, valid | {name: at_bound})
        assert response.status_code == 302, (which, name, response.context["adminform"].form.errors)
        if which == "company profile":
            saved = getattr(CompanyProfile.load(), name)
        elif which == "disclaimer" and name == "heading":
            saved = Disclaimer.objects.latest("pk").current_version.heading
        else:
            saved = getattr(form._meta.model.objects.latest("pk"), name)
        assert saved == at_bound, (which, name)


BOUNDED_APPS = {
    "contacts": None,
    "disclaimers": None,
    "releases": {"Category", "CategorySlugRedirect"},
}


# The longest one-line value any of them prints (a disclaimer's heading): a name, a title, a
# telephone number or a ticker is far shorter; a letterhead line is not a paragraph.
ONE_LINE_MAX = 300


def test_every_text_column_of_the_profile_contacts_disclaimers_and_categories_is_bounded():
    """A CharField has a max_length a line can hold; a TextField must carry one too, or a
    validator of its size (a standing text's HTML), or it is named here."""
    too_long = [
        f"{model.__name__}.{field.name}"
        for label, only in BOUNDED_APPS.items()
        for model in apps.get_app_config(label).get_models()
        if only is None or model.__name__ in only
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField)
        and not (field.max_length and field.max_length <= ONE_LINE_MAX)
    ]
    assert too_long == []
    unbounded = [
        f"{model.__name__}.{field.name}"
        for label, only in BOUNDED_APPS.items()
        for model in apps.get_app_config(label).get_models()
        if only is None or model.__name__ in only
        for field in model._meta.concrete_fields
        if isinstance(field, models.TextField)
        and not field.max_length
        and not any("size" in getattr(v, "__name__", "") for v in field.validators)
    ]
    assert unbounded == []


# --- the release's own multi-line texts, and every multi-line column of the project ----------

RELEASE_TEXTS = {
    "subheadline": "Revenue up 12%\n" * (MEGABYTE // 15),
    "summary": "Results for the quarter. " * (MEGABYTE // 25),
    "notes": "Trademarks are their owners'.\n" * (MEGABYTE // 30),
}


def test_a_releases_texts_past_their_bounds_are_form_errors_with_what_was_typed_kept(
    client, editor, contacts, disclaimer_versions, company
):
    client.force_login(editor)
    for name, value in RELEASE_TEXTS.items():
        typed = form_data(contacts, disclaimer_versions, published_at_0="2027-01-05") | {
            name: value,
            "headline": "Typed before the error",
        }
        response = client.post(ADD_URL, typed)
        assert response.status_code == 200, (name, "saved a 1 MB value")
        form = response.context["adminform"].form
        limit = Release._meta.get_field(name).max_length
        assert f"at most {limit} characters" in form.errors[name][0], form.errors
        assert form["headline"].value() == "Typed before the error"
    assert not Release.objects.exists()


def test_a_releases_texts_at_their_bounds_are_stored_whole(
    client, editor, contacts, disclaimer_versions, company
):
    client.force_login(editor)
    typed = {}
    for name in RELEASE_TEXTS:
        limit = Release._meta.get_field(name).max_length
        assert limit
        typed[name] = ("Line of text.\n" * limit)[: limit - 1] + "."
    data = form_data(contacts, disclaimer_versions, published_at_0="2027-01-05") | typed
    response = client.post(ADD_URL, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    release = Release.objects.get()
    for name, value in typed.items():
        assert getattr(release, name) == value, name


# Multi-line columns bounded elsewhere than their own model: by the one form that writes them.
BOUNDED_BY_THEIR_FORM = {
    # The correction note: ReleaseForm.correction_note, at Revision.note's length.
    ("Correction", "note"), ("PendingCorrection", "note"),
    # The withdrawal's reason: ReasonForm, 2,000 characters.
    ("Release", "withdrawal_reason"),
    # What a filings action wrote down for the audit trail, not typed.
    ("FilingAudit", "detail"),
}  # fmt: skip


def test_every_multi_line_column_a_person_types_has_a_bound():
    from django.conf import settings

    unbounded = [
        f"{model.__name__}.{field.name}"
        for config in apps.get_app_configs()
        if (settings.BASE_DIR / config.name.split(".")[0] / "__init__.py").exists()
        for model in config.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, MultiLineTextField)
        and not field.max_length
        and (model.__name__, field.name) not in BOUNDED_BY_THEIR_FORM
    ]
    assert unbounded == []
