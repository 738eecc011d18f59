"""Every write with side effects on a report: one explicit, atomic action each, with a check
step, a refusal that says why (`TransitionRefused`, the releases' own) and an audit entry. The
admin's ``save_model`` and the demo loader only call these.

One module per noun: `content` (saving), `workflow` (`TRANSITIONS`), `corrections` (changes of
a public report), `golive` (what a publication and a correction set in motion); `base` holds
what they share.
"""

from .base import SystemActor, TransitionRefused, audit
from .content import save_report
from .corrections import approve_change, reject_change
from .golive import public_report_changed, report_goes_public
from .workflow import (
    TRANSITIONS,
    approve,
    recall,
    return_to_draft,
    submit,
    unschedule,
    withdraw,
)

__all__ = [
    "TRANSITIONS",
    "SystemActor",
    "TransitionRefused",
    "approve",
    "approve_change",
    "audit",
    "public_report_changed",
    "recall",
    "reject_change",
    "report_goes_public",
    "return_to_draft",
    "save_report",
    "submit",
    "unschedule",
    "withdraw",
]
