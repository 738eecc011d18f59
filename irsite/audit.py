"""Where the site-wide layers' actions record their changes: the audit trail.

The trail (`releases.models.AuditEntry`) lives in the releases app, a layer above the company
profile, the contacts and the standard texts, whose actions must record every change all the
same. So those actions call `record`, and the releases app registers the recorder at start-up
(`releases.apps`), as it registers the letterheads public releases print. Without a recorder
(a layer used on its own) nothing is recorded; the project always registers one.
"""

from collections.abc import Callable

Recorder = Callable[[object, str, str], object]

_RECORDERS: dict[str, Recorder] = {}


def register(name: str, recorder: Recorder) -> None:
    """``recorder(user, kind, detail)`` is called for every change recorded; ``name`` keeps a
    second registration (a reloaded app) from recording twice."""
    _RECORDERS[name] = recorder


def record(user, kind: str, detail: str) -> None:
    """Record that ``user`` (a person, a command's actor, or None) made a change of ``kind``."""
    for recorder in _RECORDERS.values():
        recorder(user, kind, detail[:2000])
