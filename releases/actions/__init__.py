"""Every write with side effects on a release: one explicit, atomic action each.

Each action has a check step and an execute step: it checks the user's permission and the
release's state here, refuses with a `TransitionRefused` whose message says why (and changes
nothing), and records what it did in the audit trail. Every effect of a write (the stored
record, the page cache, the front-cache purge, the PDF, approvers told) happens inside the
action, never in a `save()` override, a signal or an admin's ``save_model``, which only call
these. The workflow is declared once, in `TRANSITIONS` (`workflow`).

Direction: actions use the models, the record and the tasks of this app and the site-wide HTTP
layer (``irsite.http``); the admin, the public site, the importer and the commands use actions.

One module per noun: `content` (saving a release), `corrections`, `workflow` (submit to
withdraw), `golive` (what a go-live and every public change set in motion: read it first),
`history`, `taxonomy` (categories), `previews` (share links), `security` (sign-in lockouts);
`base` holds what they share.
"""

from .base import (
    ContentChanged,
    EditConflict,
    SystemActor,
    TransitionRefused,
    audit,
    set_status,
)
from .content import (
    check_save,
    save_release,
)
from .corrections import (
    approve_correction,
    reject_correction,
)
from .exchange import is_material, mark_material, record_exchange_notice
from .golive import (
    goes_public,
    public_release_changed,
)
from .history import (
    record_past_publication,
    render_stale_batch,
    render_stale_records,
    restore_revision,
)
from .previews import (
    PREVIEW_LINK_MAX_HOURS,
    PREVIEW_LINK_MIN_HOURS,
    create_preview_link,
    revoke_preview_link,
)
from .security import (
    record_login_lockout,
)
from .taxonomy import (
    check_category,
    delete_categories,
    save_category,
)
from .workflow import (
    TRANSITIONS,
    Approve,
    ObjectTransition,
    Publish,
    Recall,
    ReturnToDraft,
    Submit,
    Transition,
    Unschedule,
    Withdraw,
    approve,
    publish,
    reason_given,
    recall,
    return_to_draft,
    submit,
    unschedule,
    withdraw,
)

__all__ = [
    "PREVIEW_LINK_MAX_HOURS",
    "PREVIEW_LINK_MIN_HOURS",
    "TRANSITIONS",
    "Approve",
    "ContentChanged",
    "EditConflict",
    "ObjectTransition",
    "Publish",
    "Recall",
    "ReturnToDraft",
    "Submit",
    "SystemActor",
    "Transition",
    "TransitionRefused",
    "Unschedule",
    "Withdraw",
    "approve",
    "approve_correction",
    "audit",
    "check_category",
    "check_save",
    "create_preview_link",
    "delete_categories",
    "goes_public",
    "is_material",
    "mark_material",
    "public_release_changed",
    "publish",
    "reason_given",
    "recall",
    "record_exchange_notice",
    "record_login_lockout",
    "record_past_publication",
    "reject_correction",
    "render_stale_batch",
    "render_stale_records",
    "restore_revision",
    "return_to_draft",
    "revoke_preview_link",
    "save_category",
    "save_release",
    "set_status",
    "submit",
    "unschedule",
    "withdraw",
]
