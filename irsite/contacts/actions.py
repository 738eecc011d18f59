"""Writes to what every public page prints: the company profile and the IR contacts.

Each is one atomic action that checks the user's permission, saves, records the change in the
audit trail and then makes every public page show it: the shared page cache invalidated, the
site's Last-Modified moved and every page purged from the front cache once the change commits
(`irsite.http.site_changed`). The admin's ``save_model`` and ``delete_*``, the exhibit import's
"use the exhibit's company details" and the commands only call these, so no path writes the
profile or a contact around the permission or the audit trail.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import models, transaction

from irsite import audit
from irsite.http import site_changed

from .models import CompanyProfile, Contact

# What these actions record in the audit trail (`irsite.audit`); ``kind`` is one of these.
PROFILE_CHANGED, CONTACT_CHANGED, CONTACT_DELETED = (
    "company_profile_changed",
    "contact_changed",
    "contact_deleted",
)


def _require(user, perm: str) -> None:
    # None: a command or a migration acting for the operator, who holds every permission.
    if user is not None and not user.has_perm(f"contacts.{perm}"):
        raise PermissionDenied(f"You may not {perm.replace('_', ' ')}.")


def _shown(value: object) -> str:
    return getattr(value, "name", None) or str(value or "")  # a file: its stored name


def _changes(obj: models.Model) -> str:
    """What saving ``obj`` changes, field by field ("" when it changes nothing); every field
    for a new row."""
    fields = [f for f in obj._meta.concrete_fields if not f.primary_key]
    stored = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk else None
    said = []
    for field in fields:
        new = _shown(field.value_from_object(obj))
        old = _shown(field.value_from_object(stored)) if stored is not None else ""
        if new != old:
            said.append(f"{field.name}: “{old}” → “{new}”" if stored else f"{field.name}: “{new}”")
    return "; ".join(said)


@transaction.atomic
def save_company_profile(profile: CompanyProfile, user=None) -> None:
    _require(user, "change_companyprofile" if profile.pk else "add_companyprofile")
    changes = _changes(profile)
    profile.save()
    if changes:
        audit.record(user, PROFILE_CHANGED, changes)
    site_changed()


@transaction.atomic
def save_contact(contact: Contact, user=None) -> None:
    _require(user, "change_contact" if contact.pk else "add_contact")
    changes = _changes(contact)
    contact.save()
    if changes:
        audit.record(user, CONTACT_CHANGED, f"{contact}: {changes}")
    site_changed()


@transaction.atomic
def delete_contacts(contacts: Iterable[Contact], user=None) -> None:
    """Contacts a release prints cannot be deleted (the database refuses: deactivate them)."""
    _require(user, "delete_contact")
    for contact in contacts:
        said = str(contact)
        contact.delete()
        audit.record(user, CONTACT_DELETED, said)
    site_changed()
