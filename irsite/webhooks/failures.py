"""An endpoint that keeps failing: disabled by the worker, audited, and the staff told.

After ``IRSITE_WEBHOOKS_DISABLE_AFTER_HOURS`` without a success the worker stops calling it
(its pending deliveries are not sent: cancelled, replayable once it is enabled again) and
e-mails the active staff who may change endpoints.
"""

import logging

from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django_tasks import task

from irsite import clock
from releases.actions import audit
from releases.models import AuditEntry

from .models import Endpoint

logger = logging.getLogger("irsite.webhooks")


@transaction.atomic
def disable_failing_endpoint(endpoint: Endpoint, error: str) -> bool:
    """The worker disables an endpoint that has failed for too long, and tells the staff."""
    now = clock.now()
    reason = f"Failing since {endpoint.failing_since:%Y-%m-%d %H:%M:%S %Z}: {error}"[:500]
    if not Endpoint.objects.filter(pk=endpoint.pk, enabled=True).update(
        enabled=False, disabled_at=now, disabled_reason=reason
    ):
        return False
    audit(None, AuditEntry.Action.WEBHOOK_DISABLED, detail=f"{endpoint.url}: {reason}")
    tell_staff_endpoint_disabled.enqueue(endpoint.pk)
    return True


def tell_staff(endpoint_id: int) -> str:
    """E-mail the staff who manage webhooks that an endpoint was disabled."""
    endpoint = Endpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None or endpoint.enabled:
        return "nothing to tell"
    users = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    to = sorted({u.email for u in users if u.has_perm("webhooks.change_endpoint")})
    if not to:
        logger.error("Webhook endpoint %s disabled and no staff address to tell", endpoint.url)
        return "nobody to tell"
    send_mail(
        f"Webhook endpoint disabled: {endpoint.url}"[:200],
        f"The webhook endpoint {endpoint.url} was disabled after failing since "
        f"{endpoint.failing_since:%Y-%m-%d %H:%M:%S %Z}.\n\nLast error: "
        f"{endpoint.disabled_reason}\n\nEnable it again in the admin once it answers; "
        "deliveries that failed meanwhile can be replayed there.\n",
        None,
        to,
    )
    return "told"


@task()
def tell_staff_endpoint_disabled(endpoint_id: int) -> str:
    return tell_staff(endpoint_id)
