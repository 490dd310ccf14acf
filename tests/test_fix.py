"""Fixes: `--fix`, `--unsafe-fixes`, `--diff` and the fix engine (rnnlint.fix).

Every flagged example of every rule that offers a fix is fixed through the CLI and must then lint clean, and
the fixed models must build in the real Keras through the checker's worker (the fixed file is analysed, never
executed). Around that: --diff writes nothing, fixing twice changes nothing, the file mode, encoding and
newlines are kept, a fix that would not parse is refused, and a file that cannot be written loses nothing.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import stat
from pathlib import Path

import pytest
from conftest import run_cli, write

from rnnlint import fix as fixmod
from rnnlint.fix import files as fixfiles
from rnnlint.sources import files as sourcefiles
from rnnlint.engine import lint_source
from rnnlint.findings import Edit, Finding, Fix
from rnnlint.fix import apply_fixes, fix_file, fix_source, unified_diff
from rnnlint.sources import WriteError, write_atomic
from rnnlint.ir import Span
from rnnlint.rule import Example, Rule, all_rules
from rnnlint.settings import Settings

STACKED = """\
from keras.models import Sequential
from keras.layers import LSTM, Dense
model = Sequential()
model.add(LSTM(256, input_shape=(10, 1)))
model.add(LSTM(256))
model.add(Dense(1))
"""
STACKED_FIXED = STACKED.replace("input_shape=(10, 1))", "input_shape=(10, 1), return_sequences=True)")

# Three rules on one file, two of them on the same call: the fixes must compose over passes.
MIXED = """\
from keras.models import Sequential
from keras.layers import LSTM, Dense
model = Sequential()
model.add(LSTM(32, input_shape=(None, 10, 1)))
model.add(LSTM(16, input_shape=(10, 32)))
model.add(LSTM(8))
model.add(Dense(1))
model.compile(loss="mse")
model.fit(X, y, nb_epoch=3)
"""
MIXED_FIXED = """\
from keras.models import Sequential
from keras.layers import LSTM, Dense
model = Sequential()
model.add(LSTM(32, input_shape=(10, 1), return_sequences=True))
model.add(LSTM(16, return_sequences=True))
model.add(LSTM(8))
model.add(Dense(1))
model.compile(loss="mse")
model.fit(X, y, epochs=3)
"""


def _settings(code: str | None = None, target_keras: int = 3, example: Example | None = None) -> Settings:
    return Settings(select=(code,) if code else None, confirm=False, use_cache=False, target_keras=target_keras,
                    keras=example.keras() if example is not None else None)


def _fixable(rule: type[Rule], example: Example) -> str | None:
    """'safe' / 'unsafe' when the example's findings offer such a fix (safe wins), else None."""
    result = lint_source(example.source, "example.py", _settings(rule.code, example.target_keras, example))
    kinds = {f.fix.applicability for f in result.findings if f.fix is not None and f.fix.edits}
    return "safe" if "safe" in kinds else ("unsafe" if kinds else None)


def _fixable_cases():
    for rule in all_rules():
        for i, example in enumerate(rule.INVALID, 1):
            kind = _fixable(rule, example)
            if kind is not None:
                yield pytest.param(rule, example, kind, id=f"{rule.code}-invalid-{i}")


FIXABLE = list(_fixable_cases())


def _cli_fix(path: Path, *extra: str, code: str | None = None, target_keras: int = 3, project: str = ""):
    """`rnnlint --fix` on `path`; with `project`, in a project declaring that requirement (no --target-keras)."""
    if project:
        write(path.parent, "requirements.txt", project + "\n")
    keras = () if project else ("--target-keras", str(target_keras))
    args = ["--fix", "--no-confirm", "--no-cache", *keras, *extra, str(path)]
    if code:
        args[:0] = ["--select", code]
    return run_cli(*args, cwd=path.parent)


# --- every fixable example, through the CLI ------------------------------------------------------------------

def test_there_are_fixable_examples_of_both_kinds():
    kinds = {p.values[2] for p in FIXABLE}
    assert kinds == {"safe", "unsafe"}
    codes = {p.values[0].code for p in FIXABLE}
    assert {"RNN001", "RNN003", "RNN006", "RNN009", "RNN010"} <= codes


@pytest.mark.parametrize("rule, example, kind", FIXABLE)
def test_fix_makes_the_example_lint_clean(tmp_path, rule, example, kind):
    path = write(tmp_path, "example.py", example.source)
    extra = ("--unsafe-fixes",) if kind == "unsafe" else ()
    run = _cli_fix(path, *extra, code=rule.code, target_keras=example.target_keras, project=example.project)
    assert run.code in (0, 1), run.err
    fixed = path.read_text(encoding="utf-8")
    assert fixed != example.source
    assert re.search(r"\([1-9]\d* fixed, \d+ remaining\)", run.out), run.out
    if example.fixed is not None:
        assert fixed == Example(example.fixed).source
    again = lint_source(fixed, str(path), _settings(rule.code, example.target_keras, example))
    assert [f for f in again.findings if f.code == "RNN000"] == []
    assert [f for f in again.findings if f.code == rule.code and f.span.line == example.line] == [], \
        [(f.span.line, f.message) for f in again.findings]


@pytest.mark.parametrize("rule, example, kind", [p for p in FIXABLE if p.values[2] == "unsafe"])
def test_unsafe_fix_needs_the_flag(tmp_path, rule, example, kind):
    path = write(tmp_path, "example.py", example.source)
    before = path.read_bytes()
    run = _cli_fix(path, code=rule.code, target_keras=example.target_keras, project=example.project)
    assert run.code == 1, run.err
    assert path.read_bytes() == before
    assert " fixed, " not in run.out and "No fixes with --fix (" in run.out, run.out


# --- the fixed models build in the real Keras (through the checker's worker, never by running the file) -------

def _fixed_cases():
    """(id, source as fixed, rule code, whether to build the unfixed source too) for every fixable example,
    and for the Keras-2-era script."""
    for param in FIXABLE:
        rule, example, kind = param.values
        result = fix_source(example.source, "example.py", _settings(None, example.target_keras, example), kind == "unsafe")
        assert result.error is None and result.fixed_count, (param.id, result)
        yield param.id, example.source, result.text, rule.code in ("RNN001", "RNN003")
    result = fix_source(KERAS2_SCRIPT, "old.py", _settings(None, 3))
    yield "keras2-script", KERAS2_SCRIPT, result.text, False


@pytest.fixture(scope="module")
def built():
    """Fix every fixable example, analyse the fixed text, and build each of its models in one Keras worker
    (calling it on the fit data when that is known). Returns ({id: [(model name, status, detail)]},
    {id: [why a model was not built]})."""
    from rnnlint.analyze import analyze_source
    from rnnlint.confirm.client import WorkerOptions, run_batch
    from rnnlint.confirm.environment import KerasTarget, find_keras
    from rnnlint.confirm.spec import Spec, build_spec
    from rnnlint.engine import synthetic_input
    from rnnlint.findings import Evidence
    from rnnlint.ir import ArrayShape

    target = find_keras(None)
    if not isinstance(target, KerasTarget):
        pytest.fail(f"no Keras here: {target} (these tests need the real Keras: pip install -e '.[tensorflow,test]')")
    specs, owners = [], []
    refused: dict[str, list[str]] = {}
    for pid, source, fixed, control in _fixed_cases():
        for model in analyze_source(source).models if control else ():
            spec = build_spec(Evidence("raises", model=model, synthetic_input=synthetic_input(model)))
            if isinstance(spec, Spec):  # control: the unfixed model must fail to build
                specs.append(spec.data)
                owners.append((pid + "-unfixed", model.name))
        models = analyze_source(fixed).models
        if not models:
            refused.setdefault(pid, []).append("no model in this example")
        for model in models:
            call = next((c for c in model.train_calls if isinstance(c.x, ArrayShape)
                         and all(isinstance(d, int) for d in c.x.dims)), None)
            x = call.x if call is not None else None
            y = call.y if call is not None and isinstance(call.y, ArrayShape) else None
            batch = call.batch_size if call is not None and isinstance(call.batch_size, int) else None
            loss = model.compile.loss if model.compile is not None and isinstance(model.compile.loss, str) else None
            spec = build_spec(Evidence("raises", model=model, synthetic_input=synthetic_input(model), data=x,
                                       batch_size=batch, target=y, loss=loss))
            if isinstance(spec, Spec):
                specs.append(spec.data)
                owners.append((pid, model.name))
            else:
                refused.setdefault(pid, []).append(spec.reason)
    options = WorkerOptions(env=target.environment(dict(os.environ)), build_timeout=60)
    batch = run_batch(specs, options)
    assert batch.note is None, batch.note
    out: dict[str, list] = {}
    for (pid, name), answer in zip(owners, batch.results):
        out.setdefault(pid, []).append((name, answer["status"], answer["detail"]))
    return out, refused


@pytest.mark.parametrize("rule, example, kind", FIXABLE)
def test_fixed_model_builds_in_keras(built, rule, example, kind, request):
    pid = request.node.callspec.id
    models = built[0].get(pid)
    if not models:
        pytest.skip("; ".join(built[1].get(pid, ["nothing to build"])))
    for name, status, detail in models:
        assert status == "refuted", (name, status, detail)  # refuted = "Keras built the model without error"


@pytest.mark.parametrize("pid", [p.id for p in FIXABLE if p.id.startswith(("RNN001", "RNN003"))])
def test_unfixed_model_fails_to_build_in_keras(built, pid):
    """The control for the test above: the same build of the unfixed example makes Keras raise."""
    builds = {"RNN001-invalid-5": "RepeatVector after a sequence: Keras 3 builds it (RNN001 reports the shape change)",
              "RNN001-invalid-8": "attention on a 2D tensor: Keras builds it (the claim, that the attention gets 2D, "
                                  "is confirmed in test_examples_confirmed)"}
    if pid in builds:
        pytest.skip(builds[pid])
    unfixed = built[0].get(pid + "-unfixed")
    if not unfixed:
        pytest.skip("nothing the checker can build (e.g. a subclassed model)")
    assert any(status == "confirmed" for _, status, _ in unfixed), unfixed


KERAS2_SCRIPT = """\
import numpy as np
from keras.models import Sequential
from keras.layers.recurrent import LSTM
from keras.layers import Dense, CuDNNLSTM
X = np.zeros((8, 10, 1))
y = np.zeros((8, 1))
model = Sequential()
model.add(LSTM(16, batch_input_shape=(4, 10, 1), stateful=True, return_sequences=True))
model.add(CuDNNLSTM(8))
model.add(Dense(1))
model.compile(loss="mse", optimizer="adam")
model.fit(X, y, nb_epoch=2, batch_size=4, shuffle=False)
"""


def test_keras2_script_is_carried_to_keras3(tmp_path, built):
    """batch_input_shape stateful LSTM, nb_epoch, CuDNNLSTM and a keras.layers.recurrent import: after --fix it
    lints clean under Keras 3, and the real Keras builds its model and trains it one epoch on zeros of the fit
    data shapes (batch 4) in the checker's worker — the file itself is never run."""
    path = write(tmp_path, "old.py", KERAS2_SCRIPT)
    run = _cli_fix(path, target_keras=3)
    fixed = path.read_text()
    for gone in ("nb_epoch", "keras.layers.recurrent", "batch_input_shape"):  # CuDNNLSTM: aliased to LSTM
        assert gone not in fixed, (gone, fixed)
    assert "(4 fixed, 0 remaining)" in run.out, run.out
    remaining = lint_source(fixed, str(path), _settings(None, 3)).findings
    assert [(f.code, f.span.line, f.message) for f in remaining] == []
    models = built[0].get("keras2-script")
    assert models, built[1]
    for name, status, detail in models:
        assert status == "refuted", (name, status, detail)


# --- --diff, idempotence, mode, encoding ----------------------------------------------------------------------

def test_diff_writes_nothing_and_exits_1(tmp_path):
    path = write(tmp_path, "model.py", STACKED)
    before = path.read_bytes()
    mtime = path.stat().st_mtime_ns
    run = run_cli("--diff", "--no-confirm", str(path), cwd=tmp_path)
    assert run.code == 1, run.err
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime
    assert f"--- {path}\n+++ {path}\n" in run.out
    assert "-model.add(LSTM(256, input_shape=(10, 1)))\n" in run.out
    assert "+model.add(LSTM(256, input_shape=(10, 1), return_sequences=True))\n" in run.out
    assert "Would fix 1 problem in 1 file." in run.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.py"]


def test_diff_on_a_clean_file_exits_0(tmp_path):
    path = write(tmp_path, "model.py", STACKED_FIXED)
    run = run_cli("--diff", "--no-confirm", str(path), cwd=tmp_path)
    assert run.code == 0, run.err
    assert run.out == ""


def test_diff_matches_what_fix_writes(tmp_path):
    import shutil
    import subprocess

    if shutil.which("patch") is None:
        pytest.skip("no patch(1)")
    write(tmp_path, "model.py", MIXED)
    diff = run_cli("--diff", "--no-confirm", "model.py", cwd=tmp_path)
    assert diff.code == 1
    patch = write(tmp_path, "fix.patch", diff.out)
    proc = subprocess.run(["patch", "-p0", "-o", "patched.py", "model.py", str(patch)], cwd=tmp_path, check=False,
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "patched.py").read_text() == MIXED_FIXED


def test_fix_twice_is_idempotent(tmp_path):
    path = write(tmp_path, "model.py", MIXED)
    first = _cli_fix(path)
    assert path.read_text() == MIXED_FIXED, first.err
    assert "Found 5 problems (5 fixed, 0 remaining)" in first.out
    after_first = path.read_bytes()
    second = _cli_fix(path)
    assert path.read_bytes() == after_first
    assert second.out.startswith("All checks passed"), second.out
    assert run_cli("--diff", "--no-confirm", str(path), cwd=tmp_path).code == 0


def test_fix_then_report_what_remains(tmp_path):
    source = "import numpy as np\n" + STACKED + "X = np.zeros((8, 10, 1))\nmodel.fit(X, np.zeros((8, 1)))\n"
    path = write(tmp_path, "model.py", source)
    run = _cli_fix(path)
    assert "return_sequences=True" in path.read_text()
    assert run.code == 1  # RNN006 (unsafe fix only) remains
    assert "RNN006" in run.out and "RNN001" not in run.out
    assert "Found 2 problems (1 fixed, 1 remaining)" in run.out, run.out


def test_exit_non_zero_on_fix(tmp_path):
    path = write(tmp_path, "model.py", STACKED)
    assert _cli_fix(path).code == 0
    path.write_text(STACKED)
    assert _cli_fix(path, "--exit-non-zero-on-fix").code == 1
    assert _cli_fix(path, "--exit-non-zero-on-fix").code == 0  # nothing left to fix


def test_unsafe_fixes_alone_only_marks_them_fixable(tmp_path):
    """As in ruff: --unsafe-fixes without --fix writes nothing; the report counts unsafe fixes as fixable."""
    path = write(tmp_path, "model.py", STACKED)
    run = run_cli("--unsafe-fixes", "--no-confirm", str(path), cwd=tmp_path)
    assert run.code == 1 and run.err == "", run.err
    assert run.out.splitlines()[-1] == "[*] 1 fixable with --fix --unsafe-fixes."
    assert path.read_text() == STACKED
    alone = run_cli("--exit-non-zero-on-fix", "--no-confirm", str(path), cwd=tmp_path)
    assert alone.code == 2 and "--fix" in alone.err


def test_fix_keeps_the_file_mode(tmp_path):
    path = write(tmp_path, "model.py", STACKED)
    path.chmod(0o640)
    _cli_fix(path)
    assert path.read_text() == STACKED_FIXED
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.py"]  # no temporary file left


def test_fix_through_a_symlink_keeps_the_link(tmp_path):
    real = write(tmp_path, "real.py", STACKED)
    link = tmp_path / "link.py"
    link.symlink_to(real)
    fixed = fix_file(str(link), _settings())
    assert fixed.error is None and fixed.written
    assert link.is_symlink() and real.read_text() == STACKED_FIXED


def test_fix_keeps_crlf_newlines(tmp_path):
    path = write(tmp_path, "model.py", STACKED.replace("\n", "\r\n").encode())
    _cli_fix(path)
    assert path.read_bytes() == STACKED_FIXED.replace("\n", "\r\n").encode()


def test_fix_keeps_the_declared_encoding_and_bom(tmp_path):
    latin = ("# -*- coding: latin-1 -*-\n# données\n" + STACKED).encode("latin-1")
    path = write(tmp_path, "latin.py", latin)
    _cli_fix(path)
    assert path.read_bytes() == ("# -*- coding: latin-1 -*-\n# données\n" + STACKED_FIXED).encode("latin-1")
    bom = write(tmp_path, "bom.py", b"\xef\xbb\xbf" + STACKED.encode())
    _cli_fix(bom)
    assert bom.read_bytes() == b"\xef\xbb\xbf" + STACKED_FIXED.encode()


def test_non_ascii_before_the_edit(tmp_path):
    source = STACKED.replace("LSTM(256, input_shape=(10, 1))", 'LSTM(256, name="lstm_é", input_shape=(10, 1))')
    path = write(tmp_path, "model.py", source)
    _cli_fix(path)
    assert 'LSTM(256, name="lstm_é", input_shape=(10, 1), return_sequences=True)' in path.read_text()


def test_json_fix_edits_give_the_same_text_as_fix(tmp_path):
    """The JSON `fix` field is enough for an editor: applying its edits gives what --fix writes (one pass)."""
    source = STACKED.replace("LSTM(256, input_shape=(10, 1))", 'LSTM(256, name="é", input_shape=(10, 1))')
    path = write(tmp_path, "model.py", source)
    run = run_cli("--format", "json", "--no-confirm", str(path), cwd=tmp_path)
    findings = json.loads(run.out)
    [item] = [f for f in findings if f["code"] == "RNN001"]
    assert item["fix"]["applicability"] == "safe"
    assert item["fix"]["message"]
    lines = source.splitlines(keepends=True)
    text = source
    for e in sorted(item["fix"]["edits"], key=lambda e: (e["line"], e["column"]), reverse=True):
        start = sum(len(l) for l in lines[:e["line"] - 1]) + e["column"] - 1
        end = sum(len(l) for l in lines[:e["end_line"] - 1]) + e["end_column"] - 1
        text = text[:start] + e["content"] + text[end:]
    assert text == fix_source(source, str(path), _settings()).text


def test_fix_in_json_mode_prints_only_json_on_stdout(tmp_path):
    path = write(tmp_path, "model.py", STACKED)
    run = run_cli("--fix", "--format", "json", "--no-confirm", str(path), cwd=tmp_path)
    assert json.loads(run.out) == []
    assert "Fixed 1 problem." in run.err
    assert path.read_text() == STACKED_FIXED


def test_notebooks_only_the_changed_cell_is_rewritten(tmp_path):
    output = {"output_type": "stream", "name": "stdout", "text": ["hello\n"]}
    notebook = {
        "cells": [{"cell_type": "markdown", "metadata": {}, "source": ["# title"]},
                  {"cell_type": "code", "metadata": {"tags": ["x"]}, "execution_count": 3, "outputs": [output],
                   "source": STACKED.splitlines(keepends=True)}],
        "metadata": {"language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5,
    }
    path = write(tmp_path, "model.ipynb", json.dumps(notebook, indent=1) + "\n")
    before = path.read_text()
    diff = run_cli("--diff", "--no-confirm", str(path), cwd=tmp_path)
    assert diff.code == 1 and "return_sequences=True" in diff.out and path.read_text() == before
    _cli_fix(path)
    after = json.loads(path.read_text())
    assert "".join(after["cells"][1]["source"]) == STACKED_FIXED
    notebook["cells"][1]["source"] = STACKED_FIXED.splitlines(keepends=True)
    assert path.read_text() == json.dumps(notebook, indent=1) + "\n"  # outputs, metadata, layout as they were


def test_fix_a_folder(tmp_path):
    a = write(tmp_path, "pkg/a.py", STACKED)
    b = write(tmp_path, "pkg/b.py", MIXED)
    clean = write(tmp_path, "pkg/c.py", STACKED_FIXED)
    mtime = clean.stat().st_mtime_ns
    run = run_cli("--fix", "--no-confirm", "pkg", cwd=tmp_path)
    assert a.read_text() == STACKED_FIXED and b.read_text() == MIXED_FIXED
    assert clean.stat().st_mtime_ns == mtime  # a file with nothing to fix is not rewritten
    assert "(6 fixed, 0 remaining)" in run.out


# --- refusals: a fix that would not parse, a file that cannot be written --------------------------------------

def _breaking_lint(real_lint):
    """lint_source that adds, to every lint, a fabricated safe fix whose edit breaks the syntax."""
    def lint(text, path, settings=None, resolver=None):
        result = real_lint(text, path, settings, resolver)
        bad = Finding("RNN001", "missing-return-sequences", "error", "fabricated", path, Span(4, 1, 4, 1),
                      fix=Fix("safe", "break it", (Edit(Span(4, 10, 4, 11), "(("),)))
        return dataclasses.replace(result, findings=result.findings + (bad,))
    return lint


def test_fix_that_would_not_parse_is_refused(monkeypatch):
    from rnnlint import engine

    monkeypatch.setattr(engine, "lint_source", _breaking_lint(engine.lint_source))
    result = fix_source(STACKED, "model.py", _settings())
    assert result.text == STACKED
    assert result.fixed_count == 0
    assert result.error.startswith("fix would not parse: ")


def test_file_whose_fix_would_not_parse_is_left_byte_for_byte(monkeypatch, tmp_path):
    from rnnlint import engine

    data = STACKED.replace("\n", "\r\n").encode()
    path = write(tmp_path, "model.py", data)
    mtime = path.stat().st_mtime_ns
    monkeypatch.setattr(engine, "lint_source", _breaking_lint(engine.lint_source))
    outcome = fix_file(str(path), _settings())
    assert outcome.error.startswith("fix would not parse: ") and not outcome.written
    assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime


def test_read_only_file_is_reported_and_kept(tmp_path):
    path = write(tmp_path, "model.py", STACKED)
    path.chmod(0o444)
    run = _cli_fix(path)
    assert run.code == 2
    assert f"{path}: cannot write file: it is read-only" in run.err
    assert path.read_text() == STACKED
    assert "RNN001" in run.out  # what remains is still reported


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root writes anywhere")
def test_read_only_folder_is_reported_and_kept(tmp_path):
    folder = tmp_path / "ro"
    path = write(folder, "model.py", STACKED)
    folder.chmod(0o555)
    try:
        run = _cli_fix(path)
        assert run.code == 2 and "cannot write file" in run.err
        assert path.read_text() == STACKED
    finally:
        folder.chmod(0o755)


def test_failed_replace_leaves_the_file_and_no_temporary(monkeypatch, tmp_path):
    path = write(tmp_path, "model.py", STACKED)

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied", dst)

    monkeypatch.setattr(sourcefiles.os, "replace", refuse)
    outcome = fix_file(str(path), _settings())
    assert outcome.error.startswith("cannot write file: Permission denied") and not outcome.written
    assert path.read_text() == STACKED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.py"]


def test_failed_write_midway_leaves_the_file(monkeypatch, tmp_path):
    path = write(tmp_path, "model.py", STACKED)

    def full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sourcefiles.os, "fsync", full)
    with pytest.raises(WriteError, match="No space left on device"):
        write_atomic(str(path), STACKED_FIXED)
    assert path.read_text() == STACKED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.py"]


def test_file_changed_while_fixing_is_left_alone(monkeypatch, tmp_path):
    path = write(tmp_path, "model.py", STACKED)
    real = fixfiles.fix_source

    def slow(text, *args, **kwargs):  # an editor saves the file while rnnlint is fixing it
        path.write_text(STACKED + "# edited\n")
        return real(text, *args, **kwargs)

    monkeypatch.setattr(fixfiles, "fix_source", slow)  # the name fix_file calls
    outcome = fix_file(str(path), _settings())
    assert outcome.error == "the file changed while it was being fixed; run again"
    assert path.read_text() == STACKED + "# edited\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.py"]


def test_unencodable_fix_is_refused(tmp_path):
    path = write(tmp_path, "model.py", b"# -*- coding: ascii -*-\n")
    with pytest.raises(WriteError, match="cannot be encoded as ascii"):
        write_atomic(str(path), "# é\n", "ascii")
    assert path.read_bytes() == b"# -*- coding: ascii -*-\n"


def test_unreadable_or_undecodable_file_is_an_error_not_a_write(tmp_path):
    path = write(tmp_path, "bad.py", b"x = '\xff'\n")
    outcome = fix_file(str(path), _settings())
    assert outcome.error and "decode" in outcome.error and not outcome.written
    assert path.read_bytes() == b"x = '\xff'\n"


# --- the engine itself ------------------------------------------------------------------------------------------

def _f(line: int, edits, applicability: str = "safe", code: str = "RNN001") -> Finding:
    edits = tuple(Edit(Span(*span), text) for span, text in edits)
    return Finding(code, "n", "error", "m", "x.py", Span(line, 1, line, 2), fix=Fix(applicability, "m", edits))


def test_apply_fixes_applies_from_the_end_and_keeps_positions():
    text = "abc\ndef\n"
    new, applied = apply_fixes(text, [_f(1, [((1, 2, 1, 3), "X")]), _f(2, [((2, 1, 2, 1), ">>"), ((2, 4, 2, 4), "!")])])
    assert new == "aXc\n>>def!\n" and len(applied) == 2


def test_apply_fixes_skips_unsafe_unless_allowed():
    text = "abc\n"
    unsafe = _f(1, [((1, 1, 1, 2), "Z")], "unsafe")
    assert apply_fixes(text, [unsafe]) == (text, [])
    assert apply_fixes(text, [unsafe], unsafe=True) == ("Zbc\n", [unsafe])


def test_apply_fixes_defers_overlapping_and_touching_fixes():
    text = "abcdef\n"
    first = _f(1, [((1, 2, 1, 4), "")])
    overlapping = _f(1, [((1, 3, 1, 5), "Q")], code="RNN002")
    touching = _f(1, [((1, 4, 1, 4), "T")], code="RNN003")
    apart = _f(1, [((1, 6, 1, 7), "F")], code="RNN004")
    new, applied = apply_fixes(text, [first, overlapping, touching, apart])
    assert new == "adeF\n" and applied == [first, apart]


def test_apply_fixes_counts_identical_fixes_once_applied_twice_counted():
    text = "abc\n"
    one, two = _f(1, [((1, 4, 1, 4), "!")]), _f(1, [((1, 4, 1, 4), "!")], code="RNN009")
    new, applied = apply_fixes(text, [one, two])
    assert new == "abc!\n" and len(applied) == 2


def test_apply_fixes_ignores_edits_outside_the_text():
    text = "abc\n"
    for span in [(1, 6, 1, 6), (3, 1, 3, 1), (1, 3, 1, 2), (0, 1, 1, 1)]:
        assert apply_fixes(text, [_f(1, [(span, "x")])]) == (text, [])
    assert apply_fixes(text, [_f(1, [((2, 1, 2, 1), "end")])])[0] == "abc\nend"  # the line after the last break


def test_apply_fixes_writes_inserted_lines_in_the_file_newline_style():
    text = "a = 1\r\nb = 2\r\n"
    new, _ = apply_fixes(text, [_f(2, [((2, 1, 2, 1), "import keras\n")])])
    assert new == "a = 1\r\nimport keras\r\nb = 2\r\n"


def test_apply_fixes_counts_lines_like_python_not_splitlines():
    text = "a = 1  # \x0c form feed\nb = 2\n"
    new, _ = apply_fixes(text, [_f(2, [((2, 1, 2, 2), "c")])])
    assert new == "a = 1  # \x0c form feed\nc = 2\n"


def test_fix_source_composes_several_rules():
    result = fix_source(MIXED, "x.py", _settings())
    assert result.error is None
    assert result.text == MIXED_FIXED
    assert result.fixed_count == 5 and 1 < result.iterations <= fixmod.MAX_ITERATIONS


def test_fix_source_stops_after_max_iterations(monkeypatch):
    from rnnlint import engine

    real = engine.lint_source

    def forever(text, path, settings=None, resolver=None):  # always offers one more "# x" at the start of the file
        result = real(text, path, settings, resolver)
        grow = Finding("RNN001", "n", "error", "m", path, Span(1, 1, 1, 1),
                       fix=Fix("safe", "m", (Edit(Span(1, 1, 1, 1), "#x\n"),)))
        return dataclasses.replace(result, findings=(grow,))

    monkeypatch.setattr(engine, "lint_source", forever)
    result = fix_source("x = 1\n", "x.py", _settings())
    assert result.iterations == fixmod.MAX_ITERATIONS and not result.converged
    assert result.text == "#x\n" * fixmod.MAX_ITERATIONS + "x = 1\n"


def test_fix_source_leaves_unparsable_text_alone():
    result = fix_source("model = (\n", "x.py", _settings())
    assert result == fixmod.FixResult("model = (\n", 0, 0, None, True)


def test_unified_diff_marks_a_missing_final_newline():
    diff = unified_diff("m.py", "a\nb", "a\nc")
    assert diff.endswith("-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n")
