"""The dotted paths under which webhook tasks are queued (``irsite.webhooks.tasks.*``)."""

from .failures import tell_staff_endpoint_disabled
from .sending import send_webhook

__all__ = ["send_webhook", "tell_staff_endpoint_disabled"]
