"""Every write with side effects on a results kit: one atomic action each, with a check step,
a refusal that says why (`TransitionRefused`, the releases' own) and an audit entry. The admin
and the demo loader only call these.

`content` (saving a kit, the fiscal calendar), `workflow` (approval, on the releases'
`Transition`), `corrections` (documents of a public kit); `base` holds what they share.
"""

from .base import SystemActor, TransitionRefused, audit
from .content import period_refusal, save_kit, set_fiscal_calendar
from .corrections import approve_document, prepare_document, reject_document
from .workflow import TRANSITIONS, approve

__all__ = [
    "TRANSITIONS",
    "SystemActor",
    "TransitionRefused",
    "approve",
    "approve_document",
    "audit",
    "period_refusal",
    "prepare_document",
    "reject_document",
    "save_kit",
    "set_fiscal_calendar",
]
