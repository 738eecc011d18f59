"""The layout kinds of issue 28, each read by its rule: one example test per kind (written to
fail before its fix) and property tests that vary the kind's wording and layout."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from releases.exhibits import ExhibitDocument, parse_exhibit
from tests.conftest import corpus_dir, needs_corpus

CASES = corpus_dir() / "exhibit-cases"


def html_doc(body: str, **kwargs: object) -> ExhibitDocument:
    return parse_exhibit(f"<html><body>{body}</body></html>".encode(), filename="x.htm", **kwargs)


def text_doc(text: str, **kwargs: object) -> ExhibitDocument:
    return parse_exhibit(text.encode(), filename="x.txt", **kwargs)


def case(name: str, **kwargs: object) -> ExhibitDocument:
    return parse_exhibit((CASES / name).read_bytes(), filename=name, **kwargs)


def text_of(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


HEAD = (
    '<div style="text-align:center"><b>Dunmore Chemicals Reports Fourth-Quarter Results</b></div>'
    "<div>WILMINGTON, Del., Feb. 11, 2016 &#8211; Dunmore Chemicals Inc. (NYSE: DCH) reported"
    " fourth-quarter sales of $728 million.</div>"
)


# --- K25: a lone "#" end mark ----------------------------------------------------------------


@pytest.mark.parametrize("mark", ["#", "# #", "- # -"])
def test_a_run_of_one_or_more_hash_marks_closing_the_release_is_its_end_mark(mark: str) -> None:
    doc = html_doc(
        HEAD + "<table><tr><td>Coatings</td><td>$412</td><td>$405</td></tr></table>"
        f'<div style="text-align:center">{mark}</div>'
    )
    assert doc.end_mark == mark
    assert doc.body_html.endswith("</table>")


@needs_corpus
def test_k25a_single_hash_closes_the_release_after_its_table() -> None:
    doc = case("K25a_single_hash_end_mark_after_table.htm")
    assert doc.end_mark == "#"
    assert doc.body_html.endswith("</table>")


@settings(max_examples=60, deadline=None, database=None)
@given(
    hashes=st.integers(1, 5),
    sep=st.sampled_from(["", " "]),
    dashes=st.booleans(),
    after=st.sampled_from(["table", "paragraph"]),
    html=st.booleans(),
)
def test_generated_hash_end_marks_close_the_release(
    hashes: int, sep: str, dashes: bool, after: str, html: bool
) -> None:
    mark = sep.join("#" * hashes) if sep else "#" * hashes
    if dashes:
        mark = f"- {mark} -"
    last = "Lower resin prices offset higher volumes in coatings."
    if html:
        tail = (
            "<table><tr><td>Coatings</td><td>$412</td><td>$405</td></tr></table>"
            if after == "table"
            else f"<p>{last}</p>"
        )
        doc = html_doc(HEAD + tail + f'<p style="text-align:center">{mark}</p>')
    else:
        tail = "Coatings            $412      $405" if after == "table" else last
        doc = text_doc(
            "Dunmore Chemicals Reports Fourth-Quarter Results\n\n"
            "WILMINGTON, Del., Feb. 11, 2016 -- Dunmore Chemicals Inc. (NYSE: DCH) reported\n"
            f"fourth-quarter sales of $728 million.\n\n{tail}\n\n{' ' * 30}{mark}\n"
        )
    assert doc.end_mark == mark
    assert mark not in text_of(doc.body_html)
