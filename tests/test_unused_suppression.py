"""RNN100 unused-suppression (off by default): suppression comments that suppress nothing."""
from __future__ import annotations

import json

from conftest import STACKED_LSTM, run_cli, write
from rnnlint.engine import lint_source
from rnnlint.settings import Settings

FIXED = STACKED_LSTM.replace("input_shape=(10, 1))", "input_shape=(10, 1), return_sequences=True)")


def lint(text: str, **kw) -> list[tuple[str, int, str]]:
    settings = Settings(confirm=False, extend_select=("RNN100",), **kw)
    return [(f.code, f.span.line, f.message) for f in lint_source(text, "m.py", settings).findings]


def test_off_by_default() -> None:
    text = FIXED.replace("return_sequences=True))", "return_sequences=True))  # noqa: RNN001")
    assert lint_source(text, "m.py", Settings(confirm=False)).findings == ()


def test_used_suppression_is_not_flagged() -> None:
    text = STACKED_LSTM.replace("input_shape=(10, 1)))", "input_shape=(10, 1)))  # noqa: RNN001")
    assert lint(text) == []


def test_stale_suppression_is_flagged_at_the_comment() -> None:
    text = FIXED.replace("return_sequences=True))", "return_sequences=True))  # noqa: RNN001, E501")
    [(code, line, message)] = lint(text)
    assert (code, line) == ("RNN100", 4)
    assert "RNN001 reports nothing on this line" in message and "E501" not in message.split("`:")[-1]
    finding = lint_source(text, "m.py", Settings(confirm=False, extend_select=("RNN100",))).findings[0]
    assert text.splitlines()[3][finding.span.column - 1:].startswith("# noqa: RNN001")


def test_not_enabled_unknown_and_file_wide() -> None:
    text = "# rnnlint: noqa: RNN006\n" + FIXED.replace("Dense(1))", "Dense(1))  # rnnlint: disable=RNN042")
    found = lint(text, ignore=("RNN006",))
    assert [(c, l) for c, l, _ in found] == [("RNN100", 1), ("RNN100", 7)]
    assert "RNN006 (missing-batch-size) is not enabled" in found[0][2]
    assert "RNN042 names no rnnlint rule" in found[1][2]


def test_bare_noqa_and_other_tools_are_left_alone() -> None:
    assert lint(FIXED.replace("Dense(1))", "Dense(1))  # noqa") + "x = 1  # noqa: F841\n") == []


def test_suppressed_by_itself() -> None:
    assert lint(FIXED.replace("Dense(1))", "Dense(1))  # noqa: RNN001,RNN100")) == []


def test_cli_notebook_cell(tmp_path) -> None:
    cells = [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
              "source": FIXED.replace("return_sequences=True))", "return_sequences=True))  # noqa: RNN001")}]
    write(tmp_path, "nb.ipynb", json.dumps({"cells": [{"cell_type": "markdown", "metadata": {}, "source": "x"}]
                                            + cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    run = run_cli("--no-confirm", "--format", "json", "--extend-select", "RNN100", "nb.ipynb", cwd=tmp_path)
    assert [(f["code"], f["cell"], f["line"]) for f in json.loads(run.out)] == [("RNN100", 2, 4)]
