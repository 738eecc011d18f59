"""Every write with side effects on an event: one explicit, atomic action each, with a check
step, a refusal that says why (`TransitionRefused`, the releases' own) and an audit entry. The
admin's ``save_model`` and the demo loader only call these.

One module per noun: `content` (saving), `workflow` (`TRANSITIONS`), `corrections` (changes
of a public event), `golive` (what an announcement and a change set in motion); `base` holds
what they share.
"""

from .base import SystemActor, TransitionRefused, audit
from .content import save_event
from .corrections import approve_change, reject_change
from .golive import event_goes_public, public_event_changed
from .workflow import TRANSITIONS, approve, recall, return_to_draft, submit, unschedule

__all__ = [
    "TRANSITIONS",
    "SystemActor",
    "TransitionRefused",
    "approve",
    "approve_change",
    "audit",
    "event_goes_public",
    "public_event_changed",
    "recall",
    "reject_change",
    "return_to_draft",
    "save_event",
    "submit",
    "unschedule",
]
