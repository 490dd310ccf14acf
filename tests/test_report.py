"""Reporters (rnnlint.report.text / json) on synthetic results: a reporter never analyses."""
from __future__ import annotations

import dataclasses
import io
import json

import pytest

from conftest import finding
from rnnlint.engine import judged_against
from rnnlint.results import FileResult, RunResult
from rnnlint.findings import Confirmation, Edit, Fix
from rnnlint.kerasver import KerasChoice
from rnnlint.ir import Span
from rnnlint.report import json as json_report
from rnnlint.report import text as text_report

SOURCE = "import keras\nmodel.add(LSTM(256, input_shape=(10, 1)))\n\tx = LSTM(4)(y)\n"


def _run(*findings, source: str | None = SOURCE, path: str = "x.py", refuted: int = 0, notes=()) -> RunResult:
    files = (FileResult(path, tuple(findings), source, None, {}),)
    return RunResult(files=files, findings=tuple(findings), notes=tuple(notes), refuted=refuted)


# --- text ---------------------------------------------------------------------------------------------------

def test_text_header_excerpt_and_caret() -> None:
    f = finding(line=2, column=11, end_column=41, message="LSTM outputs 2D")
    out = text_report.render(_run(f))
    assert out.splitlines()[:3] == [
        "x.py:2:11: RNN001 [error] LSTM outputs 2D",
        " 2 | model.add(LSTM(256, input_shape=(10, 1)))",
        "   |           " + "^" * 30,
    ]
    assert out.rstrip().endswith("Found 1 problem in 1 file.")


def test_caret_keeps_tabs_aligned() -> None:
    f = finding(line=3, column=6, end_column=10)
    lines = text_report.render(_run(f)).splitlines()
    assert lines[2] == "   | \t    ^^^^"


def test_multiline_span_carets_to_end_of_first_line() -> None:
    f = finding(line=2, column=11, end_line=3, end_column=5)
    caret = text_report.render(_run(f)).splitlines()[2]
    assert caret.endswith("^" * 31)  # from column 11 to the end of line 2


def test_zero_width_span_still_gets_one_caret() -> None:
    f = finding(line=1, column=13, end_column=13)
    assert text_report.render(_run(f)).splitlines()[2].endswith(" ^")


def test_no_excerpt_without_source_or_when_disabled() -> None:
    f = finding(line=2, column=1)
    for out in (text_report.render(_run(f, source=None)), text_report.render(_run(f), show_source=False)):
        assert out.splitlines() == ["x.py:2:1: RNN001 [error] msg", "", "Found 1 problem in 1 file."]


def test_internal_error_has_no_excerpt() -> None:
    f = finding("RNN000", name="internal-error")
    assert "|" not in text_report.render(_run(f))


CONFIRMATIONS = [
    ("confirmed", Confirmation("confirmed", "ValueError: Input 0 of layer \"lstm_1\" is incompatible with the "
                               "layer: expected ndim=3, found ndim=2.\nFull shape received: (None, 256)", "3.15.1"),
     "   = confirmed by Keras 3.15.1: ValueError: Input 0 of layer \"lstm_1\" is incompatible with the layer: "
     "expected ndim=3, found ndim=2. Full shape received: (None, 256)"),
    ("refuted", Confirmation("refuted", "output (None, 10, 1)", "3.15.1"),
     "   = refuted by Keras 3.15.1 (it builds fine): output (None, 10, 1)"),
    ("unconfirmed", Confirmation("unconfirmed", "keras is not installed", None),
     "   = not checked with Keras: keras is not installed"),
    ("advice", Confirmation("unconfirmed", "not checked with Keras: this is advice", None),
     "   = not checked with Keras: this is advice"),
]


@pytest.mark.parametrize(("confirmation", "line"), [c[1:] for c in CONFIRMATIONS], ids=[c[0] for c in CONFIRMATIONS])
def test_confirmation_line(confirmation, line) -> None:
    f = finding(line=2).with_confirmation(confirmation)
    assert line in text_report.render(_run(f)).splitlines()


def test_not_run_confirmation_prints_nothing() -> None:
    assert "=" not in text_report.render(_run(finding(line=1, column=1))).replace("==", "")


def test_long_confirmation_detail_is_truncated_to_one_line() -> None:
    f = finding(line=2).with_confirmation(Confirmation("confirmed", "ValueError: " + "x " * 500, "3.15.1"))
    line = next(l for l in text_report.render(_run(f)).splitlines() if "confirmed by" in l)
    assert len(line) < 200 and line.endswith("…")


SUMMARIES = [
    ("clean", [], 0, "All checks passed."),
    ("one", [finding()], 0, "Found 1 problem in 1 file."),
    ("two-files", [finding(), finding(line=2), finding(path="y.py")], 0, "Found 3 problems in 2 files."),
    ("refuted-hidden", [], 2, "All checks passed (2 findings refuted by Keras, hidden; --show-refuted shows them)."),
]

REQUIREMENTS_2 = KerasChoice(2, "requirements.txt:3: tensorflow==2.12.0", "tensorflow", ("2.12.0",))
INSTALLED_3 = KerasChoice(3, "installed keras 3.15.1", "keras", ("3.15.1",))
JUDGED = [
    ("one-choice", ((REQUIREMENTS_2, 2),),
     "Found 1 problem in 1 file; judged against Keras 2 (requirements.txt:3: tensorflow==2.12.0)."),
    ("two-choices", ((REQUIREMENTS_2, 2), (INSTALLED_3, 1)),
     "Found 1 problem in 1 file; judged against Keras 2 (requirements.txt:3: tensorflow==2.12.0; 2 files) and "
     "Keras 3 (installed keras 3.15.1; 1 file)."),
]


@pytest.mark.parametrize(("findings", "refuted", "expected"), [c[1:] for c in SUMMARIES], ids=[c[0] for c in SUMMARIES])
def test_summary(findings, refuted, expected) -> None:
    files = tuple(FileResult(p, tuple(f for f in findings if f.path == p), "", None, {}) for p in ("x.py", "y.py"))
    assert text_report.summary(RunResult(files, tuple(findings), refuted=refuted)) == expected


@pytest.mark.parametrize(("targets", "expected"), [c[1:] for c in JUDGED], ids=[c[0] for c in JUDGED])
def test_summary_says_what_it_judged_against(targets, expected) -> None:
    files = (FileResult("x.py", (finding(),), "", None, {}),)
    assert text_report.summary(RunResult(files, (finding(),), targets=targets)) == expected


def test_judged_against_counts_the_files_of_each_choice() -> None:
    files = [FileResult(p, (), "", None, {}, keras=k)
             for p, k in (("a.py", INSTALLED_3), ("b.py", REQUIREMENTS_2), ("c.py", REQUIREMENTS_2))]
    files.append(FileResult("d.py", (), None, None, {}, skipped=True, keras=INSTALLED_3))  # skipped: not judged
    assert judged_against(files) == ((REQUIREMENTS_2, 2), (INSTALLED_3, 1))


def test_summary_no_files() -> None:
    assert text_report.summary(RunResult((), ())) == "No Python files found."


def test_notes_are_printed() -> None:
    assert "note: keras not installed" in text_report.render(_run(notes=["keras not installed"]))


COLOR_ENV = [
    ("tty", {}, True, True),
    ("pipe", {}, False, False),
    ("no-color", {"NO_COLOR": "1"}, True, False),
    ("empty-no-color-ignored", {"NO_COLOR": ""}, True, True),
    ("force-color", {"FORCE_COLOR": "1"}, False, True),
    ("no-color-beats-force", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),
]


class _Stream(io.StringIO):
    def __init__(self, tty: bool) -> None:
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize(("env", "tty", "expected"), [c[1:] for c in COLOR_ENV], ids=[c[0] for c in COLOR_ENV])
def test_use_color(monkeypatch, env, tty, expected) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    stream = _Stream(tty)
    assert text_report.use_color(stream) is expected
    text_report.write(_run(finding(line=2)), stream)
    assert ("\033[" in stream.getvalue()) is expected


# --- json ---------------------------------------------------------------------------------------------------

CONTRACT_KEYS = {"code", "name", "severity", "message", "path", "line", "column", "end_line", "end_column",
                 "cell", "confirmation", "fix", "keras"}


def test_json_contract_fields() -> None:
    fix = Fix("safe", "add return_sequences=True", (Edit(Span(2, 40, 2, 40), ", return_sequences=True"),))
    f = dataclasses.replace(finding(line=2, column=11, end_column=41), fix=fix)
    [obj] = json.loads(json_report.render(_run(f)))
    assert set(obj) == CONTRACT_KEYS
    assert obj["line"] == 2 and obj["column"] == 11 and obj["end_line"] == 2 and obj["end_column"] == 41
    assert obj["cell"] is None
    assert obj["confirmation"] == {"status": "unconfirmed", "detail": "not run", "keras_version": None}
    assert obj["fix"] == {
        "applicability": "safe", "message": "add return_sequences=True",
        "edits": [{"line": 2, "column": 40, "end_line": 2, "end_column": 40, "content": ", return_sequences=True"}],
    }


def test_json_is_one_array_even_when_empty() -> None:
    stream = io.StringIO()
    json_report.write(_run(), stream)
    assert json.loads(stream.getvalue()) == []


def test_json_keeps_unicode() -> None:
    f = finding(message="shape (None, 10) → (None, 10, 1)")
    assert "→" in json_report.render(_run(f))


def test_json_cell_and_confirmation() -> None:
    f = dataclasses.replace(finding(), cell=3).with_confirmation(Confirmation("confirmed", "ValueError: x", "3.15.1"))
    [obj] = json.loads(json_report.render(_run(f)))
    assert obj["cell"] == 3
    assert obj["confirmation"] == {"status": "confirmed", "detail": "ValueError: x", "keras_version": "3.15.1"}
