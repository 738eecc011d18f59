"""One clock: every action (the writes that publish, correct, withdraw, approve, schedule and
record when they did), the sends and the worker take their moments from `irsite.clock` (the
database's time), never from a process's own wall clock. A moment written by one clock and
compared by another is early or late by the skew between hosts: an approval 5 s "in the
future" from an app server ahead, a retry due at once on a worker behind.

Read from the source as import-linter reads imports: a call of ``timezone.now()``,
``datetime.now()``, ``datetime.utcnow()`` or ``time.time()`` in these modules fails, naming it."""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# The rooms that decide or record moments: each app's actions, the sends, the worker.
ROOMS = [
    *sorted(REPO.glob("*/actions/*.py")),
    *sorted(REPO.glob("irsite/*/actions.py")),
    *sorted(REPO.glob("*/actions.py")),
    REPO / "irsite/alerts/sending.py",
    REPO / "irsite/webhooks/sending.py",
    REPO / "irsite/webhooks/failures.py",
    REPO / "irsite/worker.py",
]
PROCESS_CLOCKS = {
    ("timezone", "now"),
    ("datetime", "now"),
    ("datetime", "utcnow"),
    ("time", "time"),
}


def process_clock_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            owner = node.func.value
            if isinstance(owner, ast.Name) and (owner.id, node.func.attr) in PROCESS_CLOCKS:
                found.append(
                    f"{path.relative_to(REPO)}:{node.lineno}: {owner.id}.{node.func.attr}()"
                )
    return found


def test_the_rooms_are_found():
    assert len(ROOMS) > 20 and all(path.is_file() for path in ROOMS)


@pytest.mark.parametrize("path", ROOMS, ids=[str(p.relative_to(REPO)) for p in ROOMS])
def test_actions_sends_and_the_worker_take_their_moments_from_the_database_clock(path):
    assert process_clock_calls(path) == []
