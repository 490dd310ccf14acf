"""CI output formats: GitHub annotations, SARIF 2.1.0 (validated against the OASIS schema), JUnit XML,
and --output-file."""
from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from conftest import STACKED_LSTM, finding, run_cli, write
from rnnlint.results import FileResult, RunResult
from rnnlint.findings import Confirmation, Edit, Fix
from rnnlint.ir import Span
from rnnlint.report import github, junit, sarif
from rnnlint.rule import all_rules

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"


def run_of(*findings, errors=(), notes=()) -> RunResult:
    by_path: dict[str, list] = {}
    for f in findings:
        by_path.setdefault(f.path, []).append(f)
    files = tuple(FileResult(path, tuple(fs), "", None, {}) for path, fs in by_path.items())
    return RunResult(files=files, findings=tuple(findings), errors=tuple(errors), notes=tuple(notes))


FIX = Fix("safe", "Add return_sequences=True", (Edit(Span(4, 40, 4, 40), ", return_sequences=True"),))
CONFIRMED = Confirmation("confirmed", "ValueError: expected ndim=3, found ndim=2", "3.15.1")


# --- GitHub annotations -------------------------------------------------------------------------------------

def test_github_annotation_line() -> None:
    f = finding("RNN001", 4, 11, end_column=41, path="src/train.py", message="LSTM needs 3D")
    assert github.annotation(f) == ("::error file=src/train.py,line=4,col=11,endLine=4,endColumn=41,"
                                    "title=RNN001 missing-return-sequences::LSTM needs 3D")


@pytest.mark.parametrize(("severity", "command"), [("error", "error"), ("warning", "warning"), ("info", "notice")])
def test_github_severity_commands(severity: str, command: str) -> None:
    assert github.annotation(finding(severity=severity)).startswith(f"::{command} ")


def test_github_escaping() -> None:
    f = finding(path="a,b:c%d.py", message="100% wrong\r\nsecond line: x, y")
    line = github.annotation(f)
    assert "\n" not in line and "\r" not in line
    assert "file=a%2Cb%3Ac%25d.py," in line
    assert line.endswith("::100%25 wrong%0D%0Asecond line: x, y")  # ':' and ',' stay in the message
    assert github.escape_property("t:1,2") == "t%3A1%2C2"


def test_github_notebook_finding_names_the_cell() -> None:
    f = dataclasses.replace(finding(line=2, column=11, path="nb.ipynb", message="m"), cell=5)
    line = github.annotation(f)
    assert line.startswith("::error file=nb.ipynb,title=")
    assert "line=" not in line and line.endswith("::cell 5, line 2, column 11: m")


def test_github_run_level_errors_and_confirmation() -> None:
    text = github.render(run_of(finding(message="m").with_confirmation(CONFIRMED), errors=["boom"]))
    lines = text.splitlines()
    assert lines[0].endswith("::m (confirmed by Keras 3.15.1)")
    assert lines[1] == "::error title=rnnlint internal error::boom"


def test_github_cli(tmp_path: Path) -> None:
    write(tmp_path, "train.py", STACKED_LSTM)
    run = run_cli("--no-confirm", "--format", "github", "train.py", cwd=tmp_path)
    assert run.code == 1, run.err
    assert run.out.startswith("::error file=train.py,line=4,col=11,")
    assert "title=RNN001 missing-return-sequences::" in run.out


# --- SARIF --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def validator():
    import jsonschema  # the test extra installs it: missing is a failure, not a skip
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def test_the_stored_schema_is_the_oasis_one() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$id"] == "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-2.1.0.json"
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert (SCHEMA_PATH.parent / "sarif-schema-2.1.0.LICENSE.md").is_file()


def test_sarif_synthetic_run_validates(validator) -> None:
    nb = dataclasses.replace(finding("RNN006", 3, 1, name="missing-batch-size", severity="warning",
                                     path="notebooks/a b.ipynb"), cell=2)
    run = run_of(
        dataclasses.replace(finding("RNN001", 4, 11, end_column=41, path="src/train.py"), fix=FIX,
                            confirmation=CONFIRMED),
        finding("RNN008", 1, 1, name="vanishing-gradient", severity="info", path="src/rnn.py"),
        finding("RNN000", 2, 5, name="syntax-error", path="broken.py"),
        nb, errors=["checker crashed"], notes=["a note"],
    )
    document = sarif.build(run)
    validator.validate(document)
    results = document["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "note", "error", "warning"]
    first = results[0]
    assert first["ruleId"] == "RNN001"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "src/train.py"},
        "region": {"startLine": 4, "startColumn": 11, "endLine": 4, "endColumn": 41}}
    assert first["fixes"][0]["artifactChanges"][0]["replacements"] == [{
        "deletedRegion": {"startLine": 4, "startColumn": 40, "endLine": 4, "endColumn": 40},
        "insertedContent": {"text": ", return_sequences=True"}}]
    assert first["properties"]["confirmation"]["status"] == "confirmed"
    assert results[3]["properties"]["cell"] == 2 and results[3]["message"]["text"].startswith("cell 2, line 3: ")
    assert results[3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "notebooks/a%20b.ipynb"
    invocation = document["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False


def test_sarif_rules_metadata(validator) -> None:
    document = sarif.build(run_of())
    validator.validate(document)
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["name"] == "rnnlint"
    rules = driver["rules"]
    assert [r["id"] for r in rules] == ["RNN000"] + [r.code for r in all_rules()]
    by_id = {r["id"]: r for r in rules}
    for rule in all_rules():
        descriptor = by_id[rule.code]
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary()
        assert descriptor["fullDescription"]["text"] == rule.doc()
        assert descriptor["help"]["text"] == rule.doc() and descriptor["help"]["markdown"] == rule.doc()
        assert descriptor["helpUri"].startswith("https://") and rule.code in descriptor["helpUri"]
        assert descriptor["defaultConfiguration"]["enabled"] is rule.default_enabled


def test_sarif_rule_index_points_at_the_rule(validator) -> None:
    document = sarif.build(run_of(finding("RNN006", name="missing-batch-size", severity="warning")))
    run = document["runs"][0]
    result = run["results"][0]
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "RNN006"


def test_sarif_cli_on_the_examples(validator) -> None:
    run = run_cli("--no-confirm", "--format", "sarif", "examples/stacked_lstm_lecture.py",
                  "examples/stacked_lstm.ipynb", cwd=ROOT)
    assert run.code == 1, run.err
    document = json.loads(run.out)
    validator.validate(document)
    results = document["runs"][0]["results"]
    assert {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]) for r in results} >= {
        ("RNN001", "examples/stacked_lstm_lecture.py"), ("RNN001", "examples/stacked_lstm.ipynb")}
    by_uri = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in results}
    assert "fixes" in by_uri["examples/stacked_lstm_lecture.py"]
    notebook = by_uri["examples/stacked_lstm.ipynb"]
    assert "fixes" not in notebook  # cell-relative edits: not expressible on the .ipynb text
    assert notebook["locations"][0]["physicalLocation"]["region"] == {"startLine": NOTEBOOK_LINE}
    assert notebook["properties"]["cell"] == 5
    assert notebook["properties"]["cellRegion"] == {"startLine": 2, "startColumn": 11, "endLine": 2, "endColumn": 41}


# the line of examples/stacked_lstm.ipynb (the JSON text) where cell 5's flagged line is written
NOTEBOOK_LINE = 1 + next(i for i, line in enumerate(
    (ROOT / "examples" / "stacked_lstm.ipynb").read_text(encoding="utf-8").splitlines())
    if '"model.add(LSTM(256, input_shape=(10, 1)))\\n"' in line)


def test_github_notebook_annotation_on_the_ipynb_line() -> None:
    run = run_cli("--no-confirm", "--format", "github", "examples/stacked_lstm.ipynb", cwd=ROOT)
    assert run.out.startswith(f"::error file=examples/stacked_lstm.ipynb,line={NOTEBOOK_LINE},title=RNN001 ")
    assert "::cell 5, line 2, column 11: " in run.out


# --- JUnit --------------------------------------------------------------------------------------------------

def test_junit_parses_back() -> None:
    clean = FileResult("clean.py", (), "x = 1\n", None, {})
    bad = run_of(finding("RNN001", 4, 11, path="a.py", message="needs <3D> & more\x01"),
                 finding("RNN006", 9, 1, name="missing-batch-size", severity="warning", path="a.py"),
                 finding("RNN000", 1, 1, name="internal-error", path="b.py"))
    run = dataclasses.replace(bad, files=bad.files + (clean,))
    root = ET.fromstring(junit.render(run))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "2", "1")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"a.py", "b.py", "clean.py"}
    cases = suites["a.py"].findall("testcase")
    assert [c.get("name") for c in cases] == ["RNN001 missing-return-sequences at 4:11",
                                             "RNN006 missing-batch-size at 9:1"]
    failure = cases[0].find("failure")
    assert failure.get("type") == "RNN001" and failure.get("message") == "needs <3D> & more\ufffd"
    assert failure.text.startswith("a.py:4:11: RNN001 [error] needs <3D> & more")
    assert suites["b.py"].find("testcase/error") is not None
    [passing] = suites["clean.py"].findall("testcase")
    assert list(passing) == []


def test_junit_cli(tmp_path: Path) -> None:
    write(tmp_path, "train.py", STACKED_LSTM)
    write(tmp_path, "ok.py", "import keras\n")
    run = run_cli("--no-confirm", "--format", "junit", ".", cwd=tmp_path)
    assert run.code == 1, run.err
    root = ET.fromstring(run.out)
    failures = root.findall(".//failure")
    assert [f.get("type") for f in failures] == ["RNN001"]


# --- --output-file ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["text", "json", "github", "sarif", "junit"])
def test_output_file(tmp_path: Path, fmt: str) -> None:
    write(tmp_path, "train.py", STACKED_LSTM)
    run = run_cli("--no-confirm", "--format", fmt, "--output-file", "report.out", "train.py", cwd=tmp_path)
    assert run.code == 1, run.err
    assert run.out == ""
    content = (tmp_path / "report.out").read_text(encoding="utf-8")
    assert "RNN001" in content


def test_output_file_unwritable(tmp_path: Path) -> None:
    write(tmp_path, "train.py", STACKED_LSTM)
    run = run_cli("--no-confirm", "--output-file", str(tmp_path / "no" / "such" / "dir" / "r.txt"), "train.py",
                  cwd=tmp_path)
    assert run.code == 2 and "--output-file" in run.err


def test_quiet_prints_findings_only(tmp_path: Path) -> None:
    write(tmp_path, "train.py", STACKED_LSTM)
    write(tmp_path, "ok.py", "import keras\n")
    run = run_cli("--no-confirm", "-q", "--no-show-source", ".", cwd=tmp_path)
    assert run.code == 1
    assert run.out.splitlines() == [line for line in run.out.splitlines() if ": RNN" in line] and run.out
    clean = run_cli("--no-confirm", "--quiet", "ok.py", cwd=tmp_path)
    assert (clean.code, clean.out) == (0, "")


def test_show_source_flags(tmp_path: Path) -> None:
    write(tmp_path, "train.py", STACKED_LSTM)
    shown = run_cli("--no-confirm", "--no-show-source", "--show-source", "train.py", cwd=tmp_path)
    hidden = run_cli("--no-confirm", "--show-source", "--no-show-source", "train.py", cwd=tmp_path)
    assert " 4 | model.add(LSTM(256, input_shape=(10, 1)))" in shown.out
    assert " | " not in hidden.out


@pytest.mark.parametrize("fmt", ["github", "sarif", "junit"])
def test_file_name_that_is_not_utf8(tmp_path: Path, fmt: str, validator) -> None:
    import os

    name = os.fsdecode(b"bad\xff,:%.py")
    try:
        (tmp_path / name).write_text(STACKED_LSTM, encoding="utf-8")
    except (OSError, UnicodeError):
        pytest.skip("the file system does not take that name")
    run = run_cli("--no-confirm", "--format", fmt, ".", cwd=tmp_path)
    assert run.code == 1, run.err
    if fmt == "github":
        assert run.out.startswith("::error file=bad\ufffd%2C%3A%25.py,line=4,")
    elif fmt == "sarif":
        document = json.loads(run.out)
        validator.validate(document)
        location = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "bad%FF%2C%3A%25.py"
    else:
        assert ET.fromstring(run.out).get("failures") == "1"
