"""Writes to the standard texts (About boilerplates, safe harbors): each one atomic action that
checks the user's permission, writes, and records the change in the audit trail
(`irsite.audit`). The admin's ``save_model`` and ``delete_*``, the exhibit import and the demo
loader only call these, so no path writes a standard text around the permission or the trail.

Nothing public changes here: a release prints the version it was written with, for ever, and a
new version only reaches releases written after it (so no page is purged).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from irsite import audit
from irsite.richtext import sanitize_html

from .models import Disclaimer, DisclaimerVersion

# What these actions record in the audit trail (a standard text is never deleted once a release
# prints one of its versions: `DisclaimerVersion` is protected).
STANDARD_TEXT_CHANGED = "standard_text_changed"


def _require(user, perm: str) -> None:
    # None: a command or a migration acting for the operator, who holds every permission.
    if user is not None and not user.has_perm(f"disclaimers.{perm}"):
        raise PermissionDenied(f"You may not {perm.replace('_', ' ')}s.")


def _person(user):
    return user if getattr(user, "is_authenticated", False) else None


@transaction.atomic
def save_standard_text(
    disclaimer: Disclaimer, heading: str, text: str, user=None
) -> DisclaimerVersion:
    """Save ``disclaimer`` (its kind, name, default flag) with this wording: its current version
    when the wording is unchanged, else a new version (earlier ones are kept for the releases
    that print them). Recorded in the audit trail when anything changed."""
    _require(user, "change_disclaimer" if disclaimer.pk else "add_disclaimer")
    stored = Disclaimer.objects.filter(pk=disclaimer.pk).first() if disclaimer.pk else None
    said = []
    if stored is None:
        said.append(f"added ({disclaimer.get_kind_display()})")
    else:
        for field in ("kind", "name", "is_default"):
            if getattr(stored, field) != getattr(disclaimer, field):
                said.append(f"{field}: “{getattr(stored, field)}” → “{getattr(disclaimer, field)}”")
    disclaimer.save()
    before = disclaimer.current_version
    version = disclaimer.revise(heading, text, user=_person(user))
    if before is None or version.pk != before.pk:
        said.append(f"version {version.number}")
    if said:
        audit.record(user, STANDARD_TEXT_CHANGED, f"{disclaimer}: {'; '.join(said)}")
    return version


@transaction.atomic
def version_for(kind: str, heading: str, text: str, user=None) -> DisclaimerVersion:
    """The version carrying exactly this wording (an imported filing's About or safe harbor):
    reused if any standing text of ``kind`` has it, else a new standing text, never the
    default, recorded in the audit trail. Any person who may import a release may do this: the
    text is what the filing printed, and only the release imported with it uses it."""
    text = sanitize_html(text)
    for version in DisclaimerVersion.objects.filter(disclaimer__kind=kind, heading=heading):
        if version.text == text:
            return version
    name = (heading or Disclaimer.Kind(kind).label)[:200]
    disclaimer, created = Disclaimer.objects.get_or_create(kind=kind, name=name)
    version = disclaimer.revise(heading, text, user=_person(user))
    what = "added from an imported filing" if created else "from an imported filing"
    audit.record(user, STANDARD_TEXT_CHANGED, f"{disclaimer}: {what}, version {version.number}")
    return version
