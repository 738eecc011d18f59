"""Each exhibit case (../shared/exhibit-cases/expected.json) and each corpus filing
(bench/importer/corpus.json) imported with ``import_exhibit --publish``: what is saved, shown on
the page and exported holds the expected values."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from releases.management.importer_score import (
    Case,
    check,
    load_cases,
    saved_view,
    with_supplied_headline,
)

from .conftest import corpus_dir, needs_corpus

# Known gaps, kept visible: strict, so a case fails the suite the day it passes.
NOT_YET: dict[str, str] = {}


def _params(folder: Path, expected: Path | None = None) -> list:
    if not folder.is_dir():
        return []
    return [
        pytest.param(
            case,
            id=case.files[0].stem.split("_")[0] + "-" + case.files[0].stem,
            marks=[pytest.mark.xfail(strict=True, reason=NOT_YET[case.files[0].stem])]
            if case.files[0].stem in NOT_YET
            else [],
        )
        for case in load_cases(folder, expected)
    ]


def _failures(case: Case) -> list[str]:
    view = with_supplied_headline(saved_view(case), case, saved=True)
    return [
        f"{key}: expected {want!r}"
        for key, want in case.expected.items()
        if not check(key, want, view, case, saved=True)
    ] + ([f"import failed: {view.error}"] if view.error else [])


@needs_corpus
@pytest.mark.parametrize("case", _params(corpus_dir() / "exhibit-cases"))
def test_exhibit_case(db, case: Case) -> None:
    assert _failures(case) == []


CORPUS_EXPECTED = Path(settings.BASE_DIR) / "bench" / "importer" / "corpus.json"


@needs_corpus
@pytest.mark.parametrize("case", _params(corpus_dir() / "corpus", CORPUS_EXPECTED))
def test_corpus_filing_imports_with_every_expected_field(db, case: Case) -> None:
    assert _failures(case) == []


@needs_corpus
def test_score_importer_reports_every_corpus_field_right_parsed_and_saved(db, tmp_path) -> None:
    out, report = StringIO(), tmp_path / "score.md"
    call_command(
        "score_importer", str(corpus_dir() / "corpus"), "--output", str(report), stdout=out
    )
    total = next(line for line in out.getvalue().splitlines() if line.startswith("| **total**"))
    assert total.endswith("| **76/76 (100 %)** | **76/76 (100 %)** |")
    assert report.read_text(encoding="utf-8").strip() == out.getvalue().strip()
