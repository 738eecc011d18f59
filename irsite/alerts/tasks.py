"""Background tasks (django-tasks, database backend): the worker runs them, never a request.

A task is enqueued in the same database transaction that makes its row pending, so a pending
delivery always has a task waiting for it, and a rolled-back request leaves no task behind.
"""

from django_tasks import task


@task()
def send_alert(delivery_id: int) -> str:
    from .sending import deliver

    return deliver(delivery_id)


@task()
def send_confirmation(subscriber_id: int, requested_at: str) -> str:
    from .sending import send_confirmation_email

    return send_confirmation_email(subscriber_id, requested_at)


@task()
def send_already_subscribed(subscriber_id: int) -> str:
    from .sending import send_already_subscribed_email

    return send_already_subscribed_email(subscriber_id)
