"""Sign-in security events recorded in the audit trail."""

from django.conf import settings
from django.db import transaction

from ..models import (
    AuditEntry,
    Release,
)

Status = Release.Status
State = Release.State


@transaction.atomic
def record_login_lockout(username: str, ip_address: str, failures: int) -> AuditEntry:
    """An address was locked out of the admin after repeated failed sign-ins (django-axes)."""
    hours = settings.AXES_COOLOFF_TIME
    return AuditEntry.objects.create(
        username=username[:150],
        action=AuditEntry.Action.LOGIN_LOCKED_OUT,
        detail=f"{failures} failed sign-ins from {ip_address}; locked out for {hours:g} h",
    )
