"""The prose-number check itself: it must pass what agrees and name what does not."""

import sys

from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import prose_numbers  # noqa: E402


def _lesson(markdown: str, printed: str):
    code = new_code_cell("print(...)", outputs=[new_output("stream", name="stdout", text=printed)])
    return new_notebook(cells=[code, new_markdown_cell(markdown)])


def test_a_number_printed_at_more_digits_agrees_when_rounded():
    nb = _lesson("The oracle's AUC is 0.80 and the model's 0.775.", "oracle AUC 0.8031\nmodel 0.7749")
    assert prose_numbers.disagreements(nb) == []


def test_a_number_nothing_printed_is_named_with_its_sentence():
    nb = _lesson("The oracle's AUC is 0.803.", "oracle AUC 0.812")
    [(number, context)] = prose_numbers.disagreements(nb)
    assert number == "0.803" and "oracle's AUC" in context


def test_percentages_of_printed_proportions_agree():
    nb = _lesson("One patient in eight (12.5 %) is flagged.", "flagged    0.125")
    assert prose_numbers.disagreements(nb) == []


def test_parameters_in_backticks_math_and_integers_are_not_checked():
    nb = _lesson("At a threshold of `0.05`, with $z = 1.96$, 2 cores and 1,000 bootstraps.", "nothing")
    assert prose_numbers.disagreements(nb) == []


def test_numbers_in_html_tables_count_as_printed():
    nb = _lesson("The calibration slope is 0.91.", "")
    nb.cells[0].outputs = [new_output("execute_result", data={"text/html": "<td>0.912</td>"}, execution_count=1)]
    assert prose_numbers.disagreements(nb) == []
