"""The README a newcomer reads first (issue 29): a first release in five steps near the top,
and every environment variable the tests read named where it says how to run them."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()


def test_readme_opens_with_a_first_release_in_five_steps():
    heading = README.index("### Your first release in five steps")
    assert heading < README.index("## What it does")  # before the internals
    steps = README[heading:].split("\n\n", 2)[1]
    assert [line[:2] for line in steps.splitlines() if line[:1].isdigit()] == [
        "1.",
        "2.",
        "3.",
        "4.",
        "5.",
    ]
    for said in ("make run", "editor", "approver", "Save and submit for approval", "live"):
        assert said in steps, said


def test_readme_names_every_test_variable_the_suite_reads():
    read = set()
    for module in (REPO / "tests").glob("*.py"):
        # Read from the environment, or named as the variable a helper reads (free_ports).
        read |= set(re.findall(r'(?:get\(|, |= )"(IRSITE_TEST_[A-Z_]+)"', module.read_text()))
    assert {"IRSITE_TEST_SERVER_PORT", "IRSITE_TEST_OWN_REDIS_PORT"} <= read
    assert sorted(name for name in read if name not in README) == []
