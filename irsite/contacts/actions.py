"""Writes to what every public page prints: the company profile and the IR contacts.

Each is one atomic action that saves and then makes every public page show the change: the
shared page cache invalidated, the site's Last-Modified moved and every page purged from the
front cache once the change commits (`irsite.http.site_changed`). The admin's ``save_model`` and
``delete_*`` only call these, so a shell, a command or another admin gets the same effects.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import transaction

from irsite.http import site_changed

from .models import CompanyProfile, Contact


def _require(user, perm: str) -> None:
    # None: a command or a migration acting for the operator, who holds every permission.
    if user is not None and not user.has_perm(f"contacts.{perm}"):
        raise PermissionDenied(f"You may not {perm.replace('_', ' ')}.")


@transaction.atomic
def save_company_profile(profile: CompanyProfile, user=None) -> None:
    _require(user, "change_companyprofile" if profile.pk else "add_companyprofile")
    profile.save()
    site_changed()


@transaction.atomic
def save_contact(contact: Contact, user=None) -> None:
    _require(user, "change_contact" if contact.pk else "add_contact")
    contact.save()
    site_changed()


@transaction.atomic
def delete_contacts(contacts: Iterable[Contact], user=None) -> None:
    """Contacts a release prints cannot be deleted (the database refuses: deactivate them)."""
    _require(user, "delete_contact")
    for contact in contacts:
        contact.delete()
    site_changed()
