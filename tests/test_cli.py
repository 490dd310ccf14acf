"""The command line (as a subprocess), the engine API and rule selection.

Tests marked `needs_analyzer` use the seed's stacked-LSTM file and expect RNN001 on line 4: they fail until
the analyzer and rule RNN001 land (search for STACKED_LSTM).
"""
from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys

import pytest

import rnnlint.confirm
import rnnlint.engine as engine
import rnnlint.settings as settings_module
from conftest import STACKED_LSTM, run_cli, write
from rnnlint.launch import main
from rnnlint.findings import Confirmation, Diagnostic
from rnnlint.ir import FileIR, Model, Span
from rnnlint.rule import Rule, all_rules
from rnnlint.settings import Settings, enabled_rules, unknown_selectors

CONTRACT_TYPES = {
    "code": str, "name": str, "severity": str, "message": str, "path": str, "line": int, "column": int,
    "end_line": int, "end_column": int, "cell": (int, type(None)), "confirmation": dict, "fix": (dict, type(None)),
    "keras": (dict, type(None)),  # the Keras the file was judged against: {"major", "reason"}
}
SYNTAX_ERROR = "from keras.layers import LSTM\n\ndef f(:\n    pass\n"  # keras and LSTM: else the prefilter
# skips it
ESC = "\033["

# --- basic CLI behaviour ------------------------------------------------------------------------------------


def test_version() -> None:
    r = run_cli("--version")
    assert (r.code, r.out) == (0, "rnnlint 0.1.0\n")


def test_help_has_examples_and_exit_codes() -> None:
    r = run_cli("--help")
    assert r.code == 0
    for text in ("usage: rnnlint", "examples:", "exit status:", "--select", "--no-confirm", "--explain"):
        assert text in r.out


def test_startup_is_lean() -> None:
    code = ("import sys\nfrom rnnlint.launch import main\n"
            "for argv in (['--version'], ['--help']):\n"
            "    try: main(argv)\n    except SystemExit: pass\n"
            "print([m for m in ('libcst', 'tensorflow', 'keras') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "[]"


# (id, files, args, exit status)
EXIT_CASES = [
    ("clean-file", {"a.py": "x = 1\n"}, ["a.py"], 0),
    ("empty-folder", {}, ["."], 0),
    ("syntax-error", {"a.py": SYNTAX_ERROR}, ["a.py"], 1),
    ("syntax-error-exit-zero", {"a.py": SYNTAX_ERROR}, ["--exit-zero", "a.py"], 0),
    ("binary", {"a.py": b"keras LSTM\x00\x01"}, ["a.py"], 1),
    ("missing-path", {}, ["nope.py"], 1),
    ("unknown-select", {"a.py": "x = 1\n"}, ["--select", "XYZ123", "a.py"], 2),
    ("unknown-ignore", {"a.py": "x = 1\n"}, ["--ignore", "bogus-name", "a.py"], 2),
    ("bad-format", {}, ["--format", "xml"], 2),
    ("bad-target-keras", {}, ["--target-keras", "4"], 2),
    ("unknown-option", {}, ["--frobnicate"], 2),
    ("explain-unknown", {}, ["--explain", "RNN999"], 2),
    ("explain-rnn000", {}, ["--explain", "RNN000"], 0),
    ("list-rules", {}, ["--list-rules"], 0),
    ("rnn000-selectable", {"a.py": "x = 1\n"}, ["--select", "RNN000", "a.py"], 0),
]


@pytest.mark.parametrize(("files", "args", "status"), [c[1:] for c in EXIT_CASES], ids=[c[0] for c in EXIT_CASES])
def test_exit_status(tmp_path, files, args, status) -> None:
    for name, content in files.items():
        write(tmp_path, name, content)
    r = run_cli("--no-confirm", *args, cwd=tmp_path)
    assert r.code == status, r.out + r.err
    assert "Traceback" not in r.err
    if status == 2 and "--" not in " ".join(args[:1]):
        assert r.err.count("\n") <= 3  # a short message, never a traceback


def test_missing_path_is_a_finding_and_the_others_are_linted(tmp_path) -> None:
    write(tmp_path, "seed.py", STACKED_LSTM)
    r = run_cli("--no-confirm", "nope.py", "seed.py", cwd=tmp_path)
    assert r.code == 1 and r.err == "", r.err
    lines = r.out.splitlines()
    assert lines[0] == "nope.py:1:1: RNN000 [error] No such file or directory"
    assert any(line.startswith("seed.py:4:") and " RNN001 " in line for line in lines), r.out
    assert "Found 2 problems in 2 files" in r.out


def test_list_rules_table() -> None:
    r = run_cli("--list-rules")
    lines = r.out.splitlines()
    assert lines[0].split() == ["code", "name", "severity", "fix", "what", "it", "flags"]
    rows = {line.split()[0]: line for line in lines[1:]}
    assert sorted(rows) == [rule.code for rule in all_rules()]
    assert rows["RNN001"].split("  ")[:1] == ["RNN001"] and "missing-return-sequences" in rows["RNN001"]
    assert " sometimes, safe or unsafe " in rows["RNN001"] and " – " in rows["RNN005"]  # the README's fix column
    assert rows["RNN100"].endswith("(off by default)")


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_explain_prints_the_rules_doc(rule: type[Rule]) -> None:
    for key in (rule.code, rule.code.lower(), rule.name):
        r = run_cli("--explain", key)
        assert r.code == 0
        assert r.out.startswith(f"{rule.code} ({rule.name}) [{rule.severity}")
        assert rule.doc().splitlines()[0] in r.out


# --- output -------------------------------------------------------------------------------------------------


def _check_contract(obj: dict) -> None:
    assert set(obj) == set(CONTRACT_TYPES)
    for key, kind in CONTRACT_TYPES.items():
        assert isinstance(obj[key], kind), (key, obj[key])
    assert obj["severity"] in ("error", "warning", "info")
    assert re.fullmatch(r"RNN\d{3}", obj["code"])
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", obj["name"])
    assert obj["line"] >= 1 and obj["column"] >= 1
    assert (obj["end_line"], obj["end_column"]) >= (obj["line"], obj["column"])
    assert set(obj["confirmation"]) == {"status", "detail", "keras_version"}
    assert obj["confirmation"]["status"] in ("confirmed", "refuted", "unconfirmed")
    assert isinstance(obj["confirmation"]["detail"], str)
    assert isinstance(obj["confirmation"]["keras_version"], (str, type(None)))
    if obj["fix"] is not None:
        assert set(obj["fix"]) == {"applicability", "message", "edits"}
        assert obj["fix"]["applicability"] in ("safe", "unsafe")
        for edit in obj["fix"]["edits"]:
            assert set(edit) == {"line", "column", "end_line", "end_column", "content"}


def test_json_contract_on_a_syntax_error(tmp_path) -> None:
    write(tmp_path, "a.py", SYNTAX_ERROR)
    r = run_cli("--format", "json", "--no-confirm", "a.py", cwd=tmp_path)
    assert r.code == 1
    [obj] = json.loads(r.out)
    _check_contract(obj)
    assert (obj["code"], obj["name"], obj["severity"], obj["path"]) == ("RNN000", "syntax-error", "error", "a.py")
    assert obj["confirmation"] == {"status": "unconfirmed", "detail": "not run", "keras_version": None}
    assert obj["cell"] is None and obj["fix"] is None


def test_json_empty_array_when_clean(tmp_path) -> None:
    write(tmp_path, "a.py", "x = 1\n")
    r = run_cli("--format", "json", "a.py", cwd=tmp_path)
    assert (r.code, json.loads(r.out)) == (0, [])


def _mixed_folder(root) -> None:
    write(root, "pkg/bad_syntax.py", SYNTAX_ERROR)
    write(root, "pkg/binary.py", b"\x89PNG\r\n\x1a\n\x00\x00\x00keras LSTM")
    write(root, "pkg/latin1_cookie.py", b"# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n")
    write(root, "pkg/latin1_plain.py", b"from keras.layers import LSTM\nname = 'caf\xe9'\n")
    write(root, "pkg/stacked.py", STACKED_LSTM)
    write(root, "pkg/clean.py", "x = 1\n")


def test_folder_with_broken_files_still_lints_the_rest(tmp_path) -> None:
    _mixed_folder(tmp_path)
    r = run_cli("--format", "json", "--no-confirm", "pkg", cwd=tmp_path)
    found = json.loads(r.out)
    for obj in found:
        _check_contract(obj)
    rnn000 = {(o["path"].replace("\\", "/"), o["name"]) for o in found if o["code"] == "RNN000"}
    assert rnn000 == {("pkg/bad_syntax.py", "syntax-error"), ("pkg/binary.py", "unreadable-file"),
                      ("pkg/latin1_plain.py", "unreadable-file")}
    reasons = {o["path"].replace("\\", "/"): o["message"] for o in found if o["code"] == "RNN000"}
    assert "binary" in reasons["pkg/binary.py"]
    assert "cannot decode as utf-8" in reasons["pkg/latin1_plain.py"]
    assert r.code == 1


def test_text_output_with_caret(tmp_path) -> None:
    write(tmp_path, "a.py", "from keras.layers import LSTM\nx = 1\ny = (1,\n")
    r = run_cli("--no-confirm", "a.py", cwd=tmp_path)
    lines = r.out.splitlines()
    assert re.fullmatch(r"a\.py:\d+:\d+: RNN000 \[error\] syntax error: .+", lines[0])
    assert re.fullmatch(r" \d+ \| .*", lines[1])
    assert re.fullmatch(r" +\| *\^+", lines[2])
    assert re.fullmatch(r"Found 1 problem in 1 file; judged against Keras [23] \(.+\)\.", lines[-1])
    assert ESC not in r.out


@pytest.mark.parametrize(("env", "colour"), [
    ({}, False), ({"FORCE_COLOR": "1"}, True), ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
], ids=["pipe", "force-color", "no-color"])
def test_colour(tmp_path, env, colour) -> None:
    write(tmp_path, "a.py", SYNTAX_ERROR)
    r = run_cli("--no-confirm", "a.py", cwd=tmp_path, env=env)
    assert (ESC in r.out) is colour


def test_clean_run_summary(tmp_path) -> None:
    write(tmp_path, "a.py", "x = 1\n")
    assert run_cli("a.py", cwd=tmp_path).out == "All checks passed.\n"


# --- the seed's stacked LSTM: needs the analyzer and RNN001 (marked needs_analyzer) --------------------------


def test_needs_analyzer_stacked_lstm_text(tmp_path) -> None:
    write(tmp_path, "seed.py", STACKED_LSTM)
    r = run_cli("--no-confirm", "seed.py", cwd=tmp_path)
    assert r.code == 1, r.out + r.err
    assert re.search(r"^seed\.py:4:\d+: RNN001 \[\*\] \[error\] ", r.out, re.M), r.out  # [*]: --fix fixes it
    assert " 4 | model.add(LSTM(256, input_shape=(10, 1)))" in r.out


def test_needs_analyzer_stacked_lstm_json(tmp_path) -> None:
    write(tmp_path, "seed.py", STACKED_LSTM)
    r = run_cli("--format", "json", "--no-confirm", "seed.py", cwd=tmp_path)
    found = json.loads(r.out)
    for obj in found:
        _check_contract(obj)
    rnn001 = [o for o in found if o["code"] == "RNN001"]
    assert [(o["name"], o["severity"], o["line"]) for o in rnn001] == [("missing-return-sequences", "error", 4)]
    assert rnn001[0]["confirmation"] == {"status": "unconfirmed", "detail": "not run", "keras_version": None}


def test_needs_analyzer_in_mixed_folder(tmp_path) -> None:
    _mixed_folder(tmp_path)
    r = run_cli("--format", "json", "--no-confirm", "pkg", cwd=tmp_path)
    found = json.loads(r.out)
    assert [(o["path"].replace("\\", "/"), o["line"]) for o in found if o["code"] == "RNN001"] == [("pkg/stacked.py", 4)]


SEED_SUPPRESSION = [
    ("noqa-code", STACKED_LSTM.replace("(10, 1)))\n", "(10, 1)))  # noqa: RNN001\n"), [], 0),
    ("noqa-bare", STACKED_LSTM.replace("(10, 1)))\n", "(10, 1)))  # noqa\n"), [], 0),
    ("disable", STACKED_LSTM.replace("(10, 1)))\n", "(10, 1)))  # rnnlint: disable=RNN001\n"), [], 0),
    ("file-noqa", "# rnnlint: noqa: RNN001\n" + STACKED_LSTM, [], 0),
    ("noqa-other-code", STACKED_LSTM.replace("(10, 1)))\n", "(10, 1)))  # noqa: RNN003\n"), [], 1),
    ("ignore-code", STACKED_LSTM, ["--ignore", "RNN001"], 0),
    ("ignore-name", STACKED_LSTM, ["--ignore", "missing-return-sequences"], 0),
    ("ignore-prefix", STACKED_LSTM, ["--ignore", "RNN00"], 0),
    ("select-it", STACKED_LSTM, ["--select", "RNN001"], 1),
    ("select-prefix-ignore-code", STACKED_LSTM, ["--select", "RNN", "--ignore", "RNN001"], 0),
    ("ignore-prefix-select-code", STACKED_LSTM, ["--ignore", "RNN", "--select", "RNN001"], 1),
]


@pytest.mark.parametrize(("text", "args", "status"), [c[1:] for c in SEED_SUPPRESSION],
                         ids=[c[0] for c in SEED_SUPPRESSION])
def test_needs_analyzer_selection_and_suppression(tmp_path, text, args, status) -> None:
    write(tmp_path, "seed.py", text)
    r = run_cli("--no-confirm", *args, "seed.py", cwd=tmp_path)
    assert r.code == status, r.out + r.err


def test_needs_analyzer_confirmation_field(tmp_path) -> None:
    """With the checker on (the default), the seed's finding is there and the real Keras confirms it."""
    write(tmp_path, "seed.py", STACKED_LSTM)
    r = run_cli("--format", "json", "--no-cache", "seed.py", cwd=tmp_path)
    assert r.code == 1, r.err
    found = json.loads(r.out)
    for obj in found:
        _check_contract(obj)
    [rnn001] = [o for o in found if o["code"] == "RNN001"]
    assert rnn001["confirmation"]["status"] == "confirmed", rnn001["confirmation"]
    assert rnn001["confirmation"]["keras_version"] and "ndim" in rnn001["confirmation"]["detail"]


# --- in-process: internal errors make exit 2 ----------------------------------------------------------------


def test_analyzer_crash_is_rnn000_and_exit_2(tmp_path, monkeypatch, capsys) -> None:
    write(tmp_path, "a.py", "x = 1; keras = LSTM = None\n")
    write(tmp_path, "b.py", SYNTAX_ERROR)

    def boom(text: str, **kwargs) -> FileIR:
        if text.startswith("x"):
            raise RuntimeError("boom")
        return real(text, **kwargs)

    real = engine.analyze_source
    monkeypatch.setattr(engine, "analyze_source", boom)
    monkeypatch.chdir(tmp_path)
    assert main(["--no-confirm", "--format", "json", "."]) == 2
    found = {(o["path"], o["name"]) for o in json.loads(capsys.readouterr().out)}
    assert found == {("a.py", "internal-error"), ("b.py", "syntax-error")}


def test_crash_in_main_is_one_line(tmp_path, monkeypatch, capsys) -> None:
    def boom(*args, **kwargs):
        raise RuntimeError("kaput\nsecond line")

    monkeypatch.setattr(engine, "lint_paths", boom)
    assert main([str(tmp_path)]) == 2
    assert capsys.readouterr().err == "rnnlint: internal error: RuntimeError: kaput second line\n"


# --- engine API with synthetic rules ------------------------------------------------------------------------


class _Flag(Rule):
    """Flags every model, and line 3 as a warning."""

    code, name, severity = "RNN901", "test-flag", "error"

    def check(self, ctx):
        yield Diagnostic("second", Span(3, 1, 3, 2), severity="warning")
        for model, shapes in ctx.models():
            assert shapes.model_output is not None
            yield Diagnostic(f"model {model.name}", model.span)


class _Crash(Rule):
    """Always crashes."""

    code, name, severity = "RNN902", "test-crash", "error"

    def check(self, ctx):
        raise KeyError("oops")


def _model(line: int) -> Model:
    return Model(id=0, name="m", api="sequential", nodes=(), outputs=(), declared_input=None,
                 span=Span(line, 5, line, 17))


@pytest.fixture
def synthetic(monkeypatch):
    monkeypatch.setattr(engine, "enabled_rules", lambda settings: [_Crash, _Flag])
    monkeypatch.setattr(engine, "analyze_source", lambda text, **kwargs: FileIR(models=(_model(1),)))
    return monkeypatch


def test_engine_turns_diagnostics_into_sorted_findings(synthetic) -> None:
    result = engine.lint_source("m = Sequential()\nx = 1\ny = 2\n", "f.py", Settings())
    assert [(f.code, f.name, f.severity, f.span.line, f.path) for f in result.findings] == [
        ("RNN000", "internal-error", "error", 1, "f.py"),
        ("RNN901", "test-flag", "error", 1, "f.py"),
        ("RNN901", "test-flag", "warning", 3, "f.py"),
    ]
    assert "rule RNN902 (test-crash)" in result.findings[0].message
    assert result.internal_error and result.ir is not None and 0 in result.shapes


def test_engine_applies_suppressions(synthetic) -> None:
    result = engine.lint_source("m = Sequential()  # noqa: RNN901\nx = 1\ny = 2  # noqa\n", "f.py", Settings())
    assert [f.code for f in result.findings] == ["RNN000"]


def test_engine_shape_failure_is_reported_and_rules_still_run(synthetic) -> None:
    def bad_propagate(model, **options):
        raise ValueError("no table")

    synthetic.setattr(engine, "propagate", bad_propagate)  # the engine's own reference
    result = engine.lint_source("m = Sequential()\n\n\n", "f.py")
    names = [(f.code, f.message) for f in result.findings]
    assert any("shape propagation of model 'm'" in m and "ValueError: no table" in m for c, m in names if c == "RNN000")
    assert sum(c == "RNN901" for c, _ in names) == 2


def test_lint_file_unreadable(tmp_path) -> None:
    path = write(tmp_path, "a.py", b"keras LSTM\x00")
    result = engine.lint_file(str(path))
    assert [(f.code, f.name) for f in result.findings] == [("RNN000", "unreadable-file")]
    assert result.source is None


def test_lint_source_syntax_error_position() -> None:
    result = engine.lint_source("x = 1\ny = )\n", "s.py")
    [f] = result.findings
    assert (f.code, f.name, f.span.line) == ("RNN000", "syntax-error", 2)


def test_lint_paths_reports_a_missing_path(tmp_path) -> None:
    missing = str(tmp_path / "nope")
    result = engine.lint_paths([missing], Settings(confirm=False, use_cache=False))
    assert [(f.path, f.code, f.name, f.message) for f in result.findings] == [
        (missing, "RNN000", "unreadable-file", "No such file or directory")]


# --- confirmation plumbing (with a fake checker) -------------------------------------------------------------


def _fake_checker(calls: list):
    def confirm_findings(findings, settings, **_options):
        calls.append(list(findings))
        out = []
        for f in findings:
            status = "refuted" if f.span.line == 3 else "confirmed"
            out.append(f.with_confirmation(Confirmation(status, "ValueError: x", "3.15.1")))
        return out, ["checked with Keras 3.15.1"]

    return confirm_findings


def test_confirmation_runs_once_per_run_and_drops_refuted(tmp_path, synthetic) -> None:
    calls: list = []
    synthetic.setattr(rnnlint.confirm, "confirm_findings", _fake_checker(calls), raising=False)
    write(tmp_path, "a.py", "m = 1; keras = LSTM = None\n\n\n")
    write(tmp_path, "b.py", "m = 1; keras = LSTM = None\n\n\n")
    result = engine.lint_paths([str(tmp_path)], Settings())
    assert len(calls) == 1 and len(calls[0]) == 4  # two files × two rule findings; RNN000 is never sent
    assert result.refuted == 2
    assert {f.confirmation.status for f in result.findings if f.code != "RNN000"} == {"confirmed"}
    assert result.notes == ("checked with Keras 3.15.1",)
    shown = engine.lint_paths([str(tmp_path)], Settings(show_refuted=True))
    assert sum(f.confirmation.status == "refuted" for f in shown.findings) == 2 and shown.refuted == 2


def test_no_confirm_skips_the_checker(tmp_path, synthetic) -> None:
    calls: list = []
    synthetic.setattr(rnnlint.confirm, "confirm_findings", _fake_checker(calls), raising=False)
    write(tmp_path, "a.py", "m = 1; keras = LSTM = None\n\n\n")
    result = engine.lint_paths([str(tmp_path)], Settings(confirm=False))
    assert calls == [] and result.refuted == 0
    assert all(f.confirmation.detail == "not run" for f in result.findings)


def test_checker_crash_keeps_findings_and_is_an_internal_error(tmp_path, synthetic) -> None:
    def crash(findings, settings, **_options):
        raise OSError("worker died")

    synthetic.setattr(rnnlint.confirm, "confirm_findings", crash, raising=False)
    write(tmp_path, "a.py", "m = 1; keras = LSTM = None\n\n\n")
    result = engine.lint_paths([str(tmp_path)], Settings())
    assert result.internal_error and "worker died" in result.errors[0]
    assert all("checker failed" in f.confirmation.detail for f in result.findings if f.code != "RNN000")


# --- rule selection -----------------------------------------------------------------------------------------


def _fake_rule(code: str, name: str, default_enabled: bool = True) -> type[Rule]:
    return type(name, (Rule,), {"code": code, "name": name, "severity": "error", "default_enabled": default_enabled})


FAKE_RULES = (_fake_rule("RNN001", "one"), _fake_rule("RNN002", "two"), _fake_rule("RNN010", "ten"),
              _fake_rule("RNN100", "unused-suppression", default_enabled=False))

SELECTION = [
    ("default", {}, ["RNN001", "RNN002", "RNN010"]),
    ("select-code", {"select": ("RNN002",)}, ["RNN002"]),
    ("select-name", {"select": ("ten",)}, ["RNN010"]),
    ("select-prefix", {"select": ("RNN00",)}, ["RNN001", "RNN002"]),
    ("select-lowercase", {"select": ("rnn001",)}, ["RNN001"]),
    ("ignore-code", {"ignore": ("RNN002",)}, ["RNN001", "RNN010"]),
    ("ignore-prefix", {"ignore": ("RNN0",)}, []),
    ("select-prefix-ignore-code", {"select": ("RNN",), "ignore": ("RNN001",)}, ["RNN002", "RNN010"]),
    ("ignore-prefix-select-code", {"select": ("RNN001",), "ignore": ("RNN",)}, ["RNN001"]),
    ("tie-ignore-wins", {"select": ("RNN001",), "ignore": ("one",)}, []),
    ("off-by-default-prefix", {"select": ("RNN",)}, ["RNN001", "RNN002", "RNN010"]),
    ("off-by-default-exact", {"select": ("RNN100",)}, ["RNN100"]),
    ("off-by-default-name", {"extend_select": ("unused-suppression",)}, ["RNN001", "RNN002", "RNN010", "RNN100"]),
    ("extend-select", {"select": ("RNN001",), "extend_select": ("RNN010",)}, ["RNN001", "RNN010"]),
]


@pytest.fixture
def fake_rules(monkeypatch):
    monkeypatch.setattr(settings_module, "all_rules", lambda: FAKE_RULES)
    settings_module._enabled.cache_clear()
    yield
    settings_module._enabled.cache_clear()


@pytest.mark.parametrize(("options", "codes"), [c[1:] for c in SELECTION], ids=[c[0] for c in SELECTION])
def test_enabled_rules(fake_rules, options, codes) -> None:
    assert [r.code for r in enabled_rules(Settings(**options))] == codes


def test_unknown_selectors(fake_rules) -> None:
    assert unknown_selectors(["RNN001", "RNN1", "one", "RNN000", "RNN00", "RNN9", "nope", "RNN0010"]) == [
        "RNN9", "nope", "RNN0010"]


def test_settings_fail_level() -> None:
    assert Settings().fails("info")
    s = dataclasses.replace(Settings(), fail_on="error")
    assert s.fails("error") and not s.fails("warning")


# --- a source checkout run without installing (`python -m rnnlint` in the repository) ----------------------


def test_runs_from_a_source_checkout_that_is_not_installed(tmp_path) -> None:
    """`rules/` is `rnnlint.rules` only through the install's package mapping; from a plain checkout on
    sys.path (the install's finder removed) rnnlint still finds its rules, and without pathspec it lints and says
    that .gitignore is not read (a note, never an internal error)."""
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parent.parent
    blocked = write(tmp_path, "blocked/pathspec/__init__.py", "raise ImportError('no pathspec here')\n").parent.parent
    (tmp_path / "tree" / ".git").mkdir(parents=True)
    write(tmp_path / "tree", ".gitignore", "ignored/\n")
    write(tmp_path / "tree", "seed.py", STACKED_LSTM)
    runner = ("import runpy, sys\n"
              "sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]\n"
              f"sys.path[:0] = [{str(blocked)!r}, {str(repo)!r}]\n"
              "sys.argv = ['rnnlint', '--no-confirm', '--no-cache', '--format', 'json', '.']\n"
              "runpy.run_module('rnnlint', run_name='__main__')\n")
    run = subprocess.run([sys.executable, "-c", runner], cwd=tmp_path / "tree", capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 1, run.stderr
    assert [(f["code"], f["line"]) for f in json.loads(run.stdout)] == [("RNN001", 4)]
    assert run.stderr == ("rnnlint: note: pathspec is not installed, so .gitignore files are not read "
                          "(pip install pathspec, or pip install -e . in the rnnlint clone)\n")
