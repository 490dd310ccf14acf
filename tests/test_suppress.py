"""Suppression comments (rnnlint.suppress), on synthetic findings."""
from __future__ import annotations

import pytest

from conftest import finding
from rnnlint.suppress import apply_suppressions, comments, parse_suppressions

SOURCE_LINE = "model.add(LSTM(256, input_shape=(10, 1)))"

# (comment on line 1, the finding's code/name, suppressed?)
LINE_CASES = [
    ("# noqa", "RNN001", True),
    ("#noqa", "RNN001", True),
    ("# NOQA", "RNN001", True),
    ("# noqa: RNN001", "RNN001", True),
    ("# noqa:RNN001", "RNN001", True),
    ("# noqa: RNN001,RNN003", "RNN003", True),
    ("# noqa: RNN001, RNN003", "RNN003", True),
    ("# noqa: rnn001", "RNN001", True),
    ("# noqa: RNN003", "RNN001", False),
    ("# noqa: missing-return-sequences", "RNN001", True),
    ("# rnnlint: disable=RNN001", "RNN001", True),
    ("# rnnlint: disable=RNN002,RNN001", "RNN001", True),
    ("# rnnlint: disable=RNN002", "RNN001", False),
    ("# rnnlint:disable = RNN001", "RNN001", True),
    ("# type: ignore  # noqa: RNN001", "RNN001", True),
    ("# a plain comment", "RNN001", False),
    ("# noqa: RNN001 -- the LSTM is stacked on purpose", "RNN001", True),
]


@pytest.mark.parametrize(("comment", "code", "suppressed"), LINE_CASES, ids=[c[0] for c in LINE_CASES])
def test_line_comment(comment: str, code: str, suppressed: bool) -> None:
    text = f"{SOURCE_LINE}  {comment}\nx = 1\n"
    f = finding(code, line=1)
    assert (apply_suppressions([f], text) == []) is suppressed


def test_comment_on_another_line_does_not_suppress() -> None:
    text = f"{SOURCE_LINE}\nx = 1  # noqa\n"
    assert apply_suppressions([finding(line=1)], text) == [finding(line=1)]


def test_multiline_call_comment_on_first_line() -> None:
    text = "model.add(LSTM(  # noqa: RNN001\n    256,\n))\n"
    flagged = finding(line=1, end_line=3, end_column=2)
    assert apply_suppressions([flagged], text) == []
    # the same comment on the closing line does not count: the finding is reported on the first line
    text = "model.add(LSTM(\n    256,\n))  # noqa: RNN001\n"
    assert apply_suppressions([flagged], text) == [flagged]


@pytest.mark.parametrize("text", [
    's = "# noqa"\n',
    "s = '''\n# noqa\n'''\n",
    's = f"{1}  # noqa: RNN001"\n',
], ids=["string", "multiline-string", "f-string"])
def test_noqa_inside_strings_does_not_count(text: str) -> None:
    for line in range(1, text.count("\n") + 1):
        f = finding(line=line)
        assert apply_suppressions([f], text) == [f]


FILE_CASES = [
    ("# rnnlint: noqa", "RNN001", True),
    ("# rnnlint: noqa", "RNN006", True),
    ("# rnnlint: noqa: RNN006", "RNN006", True),
    ("# rnnlint: noqa: RNN006", "RNN001", False),
    ("# rnnlint: noqa: RNN006, RNN001", "RNN001", True),
    ("# rnnlint:noqa:RNN006", "RNN006", True),
]


@pytest.mark.parametrize(("comment", "code", "suppressed"), FILE_CASES, ids=[f"{c[0]}-{c[1]}" for c in FILE_CASES])
def test_file_level(comment: str, code: str, suppressed: bool) -> None:
    text = f"import keras\n\n{comment}\nx = 1\ny = 2\n"
    f = finding(code, line=5)
    assert (apply_suppressions([f], text) == []) is suppressed


def test_only_matching_findings_are_dropped() -> None:
    text = "a = 1  # noqa: RNN001\nb = 2\n"
    keep = [finding("RNN003", line=1), finding("RNN001", line=2)]
    assert apply_suppressions([finding("RNN001", line=1), *keep], text) == keep


@pytest.mark.parametrize("comment", ["# noqa", "# rnnlint: noqa", "# noqa: RNN000"])
def test_rnn000_cannot_be_suppressed(comment: str) -> None:
    f = finding("RNN000", line=1, name="internal-error")
    assert apply_suppressions([f], f"x = 1  {comment}\n") == [f]


def test_untokenizable_text_falls_back_to_line_scan() -> None:
    text = "x = 1  # noqa: RNN001\ny = (\nz = 3  # noqa: RNN003\n"  # unclosed paren: tokenize fails at EOF
    found = comments(text)
    assert (1, "# noqa: RNN001") in found
    assert any(line == 3 for line, _ in found)
    assert apply_suppressions([finding("RNN003", line=3)], text) == []


def test_parse_suppressions_shape() -> None:
    s = parse_suppressions("a = 1  # noqa\nb = 2  # noqa: RNN001\n# rnnlint: noqa: RNN006\n")
    assert s.lines[1] is None
    assert s.lines[2] == frozenset({"RNN001"})
    assert s.file == frozenset({"RNN006"})


def test_no_text_or_no_comment_is_identity() -> None:
    fs = [finding(line=1)]
    assert apply_suppressions(fs, None) == fs
    assert apply_suppressions(fs, "x = 1\n") == fs
