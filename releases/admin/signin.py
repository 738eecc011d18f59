"""Sign-in throttling for the admin (django-axes), with lockouts in the audit trail."""

import time

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from django.conf import settings

from ..actions import record_login_lockout


class AuditedAxesHandler(AxesDatabaseHandler):
    """Axes' database handler, plus the slowing down and the audit-trail entry."""

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs) -> None:
        # A failure during a lockout extends it (axes' default) but is not a new lockout.
        already_locked = request is not None and self.is_locked(request, credentials)
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or already_locked:
            return
        failures = getattr(request, "axes_failures_since_start", 0)
        if getattr(request, "axes_locked_out", False):
            record_login_lockout(
                username=get_client_username(request, credentials) or "",
                ip_address=request.axes_ip_address,
                failures=failures,
            )
        else:
            # Each failure answers later than the one before, so guessing is slow even
            # before the lockout; capped so a worker is never held for long.
            time.sleep(
                min(
                    settings.IRSITE_LOGIN_FAILURE_DELAY * failures,
                    settings.IRSITE_LOGIN_FAILURE_DELAY_MAX,
                )
            )
