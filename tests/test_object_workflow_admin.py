"""The workflow pages events and reports share (`releases.admin.steps.ObjectWorkflowAdmin`):
a step's URL that names no step is not found, for every app that uses them, and each app's
pages answer under its own names."""

import pytest
from django.urls import reverse

from events.actions import TRANSITIONS as EVENT_STEPS
from reports.actions import TRANSITIONS as REPORT_STEPS


@pytest.fixture(params=["event", "report"])
def item(request, make_event, make_report):
    if request.param == "event":
        return "events_event", make_event(), EVENT_STEPS
    return "reports_report", make_report(), REPORT_STEPS


def test_a_step_that_does_not_exist_is_not_found(client, approver, item):
    name, obj, _ = item
    client.force_login(approver)
    for method in (client.get, client.post):
        response = method(reverse(f"admin:{name}_transition", args=[obj.pk, "publish-twice"]))
        assert response.status_code == 404


def test_every_declared_step_has_its_confirmation_page(client, approver, item):
    name, obj, steps = item
    client.force_login(approver)
    for step in steps:
        response = client.get(reverse(f"admin:{name}_transition", args=[obj.pk, step]))
        assert response.status_code == 200, step
        assert steps[step].label in response.content.decode()
