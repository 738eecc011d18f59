"""Every folder of stored files, declared by the app that stores them, and the files in them
that nothing refers to any more (`manage.py clean_orphan_files`).

A save that fails removes what it stored (`irsite.uploads.removed_if_failed`); a crashed
process can still leave a file behind, and this finds it. Each app declares, from its
`AppConfig.ready`, the folders it writes and every stored name its rows refer to (current
files and those a revision or a pending change keeps): an app that stores files in a folder
no one declared would have them neither cleaned nor, worse, taken for another's orphans; a
file is an orphan only if no app refers to it.
"""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.core.files.storage import default_storage
from django.utils import timezone

# app -> (the folders it stores files in, every stored name its rows refer to now)
_declared: dict[str, tuple[tuple[str, ...], Callable[[], Iterable[str]]]] = {}


def declare(app: str, folders: Iterable[str], referenced: Callable[[], Iterable[str]]) -> None:
    """``app`` stores files in ``folders``; ``referenced()``: the names its rows refer to."""
    _declared[app] = (tuple(folders), referenced)


def folders() -> list[str]:
    return sorted({folder for names, _ in _declared.values() for folder in names})


def referenced_names() -> set[str]:
    """Every stored name any app refers to (in any folder: one app may keep another's)."""
    names: set[str] = set()
    for _, referenced in _declared.values():
        names.update(name for name in referenced() if name)
    return names


def orphans(older_than: timedelta) -> list[str]:
    """Stored files nothing refers to, last written before ``older_than`` ago (younger ones
    may belong to a save still in progress)."""
    cutoff: datetime = timezone.now() - older_than
    referenced = referenced_names()
    found = []
    for folder in folders():
        try:
            _, files = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        for file in sorted(files):
            name = f"{folder}/{file}"
            if name not in referenced and default_storage.get_modified_time(name) <= cutoff:
                found.append(name)
    return found
