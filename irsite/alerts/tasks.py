"""Background tasks (django-tasks, database backend): the worker runs them, never a request.

A task is enqueued in the same database transaction that makes its row pending, so a pending
delivery always has a task waiting for it, and a rolled-back request leaves no task behind.

The tasks live beside what they run (`irsite.alerts.sending`); this module keeps the dotted
paths under which tasks queued by earlier versions are stored (``irsite.alerts.tasks.*``).
"""

from .sending import send_alert, send_already_subscribed, send_confirmation

__all__ = ["send_alert", "send_already_subscribed", "send_confirmation"]
