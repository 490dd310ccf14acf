"""Hostile inputs: the CLI (a subprocess, `--no-confirm --format json`) on files built to crash, hang or
mislead a linter. Every case asserts the same contract:

- no Python traceback on stderr (a crash of the interpreter — a segfault — shows as a negative exit status);
- standard output is one JSON array (the --format json contract);
- the exit status is 0 or 1 (2 only where a case says why: usage errors);
- the buggy stacked-LSTM file lying next to the hostile one is still linted: its RNN001 on line 4 is reported.

docs/security.md lists what each case proves.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pytest

import rnnlint.analyze.module as analyzer
from conftest import STACKED_LSTM, run_cli, write
from rnnlint.analyze.limits import line_lengths
from rnnlint.engine import lint_file, lint_paths, lint_source
from rnnlint.settings import Settings

NEIGHBOUR = "neighbour_stacked.py"
KERAS_HEADER = "from keras.models import Sequential\nfrom keras.layers import LSTM, Dense\n"
ONE_LINE_MODEL = "model = Sequential([LSTM(8, input_shape=(10, 1)), LSTM(8), Dense(1)])"


def lint_folder(root: Path, *args: str, expect_codes=(0, 1), timeout_ok: float | None = None) -> list[dict]:
    """Put the stacked-LSTM neighbour in `root`, lint `root` (or `args`), check the common contract and
    return the findings."""
    write(root, NEIGHBOUR, STACKED_LSTM)
    started = time.monotonic()
    run = run_cli("--no-confirm", "--format", "json", *(args or (".",)), cwd=root)
    elapsed = time.monotonic() - started
    assert "Traceback" not in run.err, run.err
    assert run.code in expect_codes, (run.code, run.err[-2000:])
    findings = json.loads(run.out)
    assert isinstance(findings, list)
    neighbour = [f for f in findings if Path(f["path"]).name == NEIGHBOUR]
    assert [(f["code"], f["line"]) for f in neighbour] == [("RNN001", 4)], neighbour
    if timeout_ok is not None:
        assert elapsed < timeout_ok, f"took {elapsed:.1f} s"
    return findings


def of(findings: list[dict], name: str) -> list[dict]:
    return [f for f in findings if Path(f["path"]).name == name]


# --- size ---------------------------------------------------------------------------------------------------


def test_twenty_megabyte_file(tmp_path):
    # A file the analyzer cannot afford (libcst needs ~1 GB and tens of seconds per MB of dense code):
    # reported as RNN000 analysis-limit, quickly, and the rest of the run goes on.
    line = "model.add(LSTM(256, input_shape=(10, 1)))  # keras keras keras\n"
    body = KERAS_HEADER + "model = Sequential()\n" + line * (20 * 2 ** 20 // len(line) + 1)
    write(tmp_path, "huge.py", body)
    assert (tmp_path / "huge.py").stat().st_size > 20 * 2 ** 20
    findings = lint_folder(tmp_path, timeout_ok=120)
    assert [(f["code"], f["name"]) for f in of(findings, "huge.py")] == [("RNN000", "analysis-limit")]
    assert "too large" in of(findings, "huge.py")[0]["message"]


def test_one_megabyte_single_line(tmp_path):
    # A minified-style 1 MB line (a model and a long data string) is analysed: the bug on it is found
    # and its position lies on that line.
    prefix = ONE_LINE_MODEL + '; DATA = "'
    budget = 1_000_000 - len(KERAS_HEADER) - len(prefix) - 2
    line = prefix + "x" * budget + '"'
    write(tmp_path, "one_line.py", KERAS_HEADER + line + "\n")
    assert len(line) > 999_000
    findings = of(lint_folder(tmp_path), "one_line.py")
    assert [(f["code"], f["line"]) for f in findings] == [("RNN001", 3)]
    assert findings[0]["column"] <= len(line) + 1 and findings[0]["end_column"] <= len(line) + 1


# --- nesting ------------------------------------------------------------------------------------------------

DEEP = {
    # 10,000 nested parentheses segfaulted libcst's native parser before the CPython pre-parse guard.
    "parentheses": lambda n: "x = " + "(" * n + "1" + ")" * n,
    "brackets": lambda n: "x = " + "[" * n + "1" + "]" * n,
    "calls": lambda n: "x = " + "f(" * n + ")" * n,
    "unary-minus": lambda n: "x = " + "-" * n + "1",
    "not": lambda n: "x = " + "not " * n + "1",
    "conditional": lambda n: "x = " + "1 if y else " * n + "1",
    "lambda": lambda n: "x = " + "lambda: " * n + "1",
    "attributes": lambda n: "x = keras" + ".a" * n,
    "call-chain": lambda n: "x = keras" + ".a()" * n,
    "additions": lambda n: "x = " + " + ".join(["1"] * n),
    "power": lambda n: "x = " + " ** ".join(["2"] * n),
    "indentation": lambda n: "".join(" " * i + "if x:\n" for i in range(min(n, 400))) + " " * min(n, 400) + "pass",
}


@pytest.mark.parametrize("kind", sorted(DEEP))
def test_ten_thousand_levels_of_nesting(tmp_path, kind):
    write(tmp_path, "deep.py", "from keras.layers import LSTM\n" + DEEP[kind](10_000) + "\n")
    findings = of(lint_folder(tmp_path, timeout_ok=120), "deep.py")
    assert [(f["code"], f["name"]) for f in findings] in (
        [("RNN000", "syntax-error")], [("RNN000", "analysis-limit")]), findings


@pytest.mark.parametrize("kind", ["brackets", "additions", "call-chain", "conditional"])
def test_moderate_nesting_in_process_never_raises(kind):
    # Depths around the limits of CPython (200 brackets) and of the Python recursion in libcst's metadata.
    for depth in (50, 150, 199, 250, 400, 1_500):
        result = lint_source("from keras.layers import LSTM\n" + DEEP[kind](depth) + "\n", "deep.py")
        assert all(f.code == "RNN000" and f.name != "internal-error" for f in result.findings), result.findings


# --- bytes that are not Python text --------------------------------------------------------------------------

BAD_BYTES = {
    "nul-bytes": b"from keras.layers import LSTM\nx = 1\x00\x00\x00\nmodel = keras.Sequential()\n",
    "invalid-utf8": b"from keras.layers import LSTM\nname = '\xff\xfe\xc3\x28'\n",
    "truncated-utf8": b"from keras.layers import LSTM\nname = '\xe6\x97'",
    "utf16-bom": ("import keras\n" + STACKED_LSTM).encode("utf-16"),
    "utf16-bom-with-ascii-keras": b"\xff\xfe" + "import keras\n".encode("utf-16-le") + b"# keras LSTM\n",
    "bogus-coding-cookie": b"# -*- coding: rot13-nonexistent -*-\nfrom keras.layers import LSTM\n",
    "utf8-bom-and-latin1-cookie": b"\xef\xbb\xbf# coding: latin-1\nfrom keras.layers import LSTM\n",
    "random-binary": bytes(range(256)) * 64 + b"keras LSTM",
    "lone-surrogate-escape": b"from keras.layers import LSTM\ns = '\\udcff'\n",
    "form-feed-and-cr": b"import keras\r\x0c\rmodel = keras.Sequential()\r\r\n",
}


@pytest.mark.parametrize("name", sorted(BAD_BYTES))
def test_bytes_that_are_not_clean_python(tmp_path, name):
    write(tmp_path, "hostile.py", BAD_BYTES[name])
    findings = of(lint_folder(tmp_path), "hostile.py")
    # Undecodable or binary files are one RNN000 finding (or skipped when their bytes never say `keras`).
    assert all(f["code"] == "RNN000" and f["name"] != "internal-error" for f in findings), findings


def test_nul_bytes_and_invalid_utf8_are_reported_as_unreadable(tmp_path):
    write(tmp_path, "nul.py", BAD_BYTES["nul-bytes"])
    write(tmp_path, "latin.py", BAD_BYTES["invalid-utf8"])
    findings = lint_folder(tmp_path)
    for name in ("nul.py", "latin.py"):
        assert [(f["code"], f["name"]) for f in of(findings, name)] == [("RNN000", "unreadable-file")]


# --- notebooks that are JSON but not notebooks ---------------------------------------------------------------

NOT_NOTEBOOKS = {
    "array": [1, 2, "keras"],
    "string": "import keras",
    "number": 42,
    "null": None,
    "cells-not-a-list": {"cells": "keras", "nbformat": 4},
    "cell-not-an-object": {"cells": [None, 5, "keras"], "nbformat": 4},
    "source-not-text": {"cells": [{"cell_type": "code", "source": {"keras": 1}}], "nbformat": 4},
    "source-list-of-numbers": {"cells": [{"cell_type": "code", "source": [1, 2, None]}], "metadata": "keras"},
    "no-cells": {"metadata": {"kernelspec": {"name": "keras"}}, "nbformat": 4},
    "nbformat-3-worksheets": {"worksheets": [{"cells": [{"cell_type": "code", "input": "import keras"}]}],
                              "nbformat": 3},
    "cell-type-not-text": {"cells": [{"cell_type": ["code"], "source": "import keras"}], "nbformat": 4},
}


@pytest.mark.parametrize("name", sorted(NOT_NOTEBOOKS))
def test_json_that_is_not_a_notebook(tmp_path, name):
    write(tmp_path, "fake.ipynb", json.dumps(NOT_NOTEBOOKS[name]))
    findings = of(lint_folder(tmp_path), "fake.ipynb")
    assert all(f["code"] == "RNN000" and f["name"] != "internal-error" for f in findings), findings


def test_deeply_nested_json_notebook(tmp_path):
    # json.loads raises RecursionError (not ValueError) on 100,000 nested arrays.
    write(tmp_path, "deep.ipynb", '{"keras": ' + "[" * 100_000 + "]" * 100_000 + "}")
    findings = of(lint_folder(tmp_path), "deep.ipynb")
    assert all(f["code"] == "RNN000" and f["name"] != "internal-error" for f in findings), findings


def test_notebook_that_is_not_json(tmp_path):
    write(tmp_path, "broken.ipynb", b'{"cells": [{"source": "import keras\\n", "cell_type": "code"' + b"\xff")
    findings = of(lint_folder(tmp_path), "broken.ipynb")
    assert all(f["code"] == "RNN000" and f["name"] != "internal-error" for f in findings), findings


# --- the file system -----------------------------------------------------------------------------------------

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="no symlinks")


@needs_symlinks
def test_symlink_loops_are_not_followed(tmp_path):
    os.symlink("self_loop.py", tmp_path / "self_loop.py")  # a file symlink to itself (ELOOP)
    os.symlink("b_loop.py", tmp_path / "a_loop.py")
    os.symlink("a_loop.py", tmp_path / "b_loop.py")
    (tmp_path / "pkg").mkdir()
    os.symlink("..", tmp_path / "pkg" / "up")  # a folder loop
    os.symlink(tmp_path, tmp_path / "pkg" / "root")
    os.symlink("missing_target.py", tmp_path / "dangling.py")
    findings = lint_folder(tmp_path, timeout_ok=60)
    assert {Path(f["path"]).name for f in findings} == {NEIGHBOUR}


def tree_linking_outside(tmp_path: Path, name: str) -> tuple[Path, Path]:
    """A folder `tree` whose `linked_model.py` is a symlink to the stacked-LSTM file `outside/<name>`."""
    outside = tmp_path / "outside"
    write(outside, name, STACKED_LSTM)
    tree = tmp_path / "tree"
    tree.mkdir()
    os.symlink(outside / name, tree / "linked_model.py")
    return tree, outside


@needs_symlinks
def test_symlink_to_outside_the_tree_is_not_followed(tmp_path):
    tree, outside = tree_linking_outside(tmp_path, "secret_model.py")
    os.symlink(outside, tree / "linked_folder")
    findings = lint_folder(tree)
    assert {Path(f["path"]).name for f in findings} == {NEIGHBOUR}
    assert not any("outside" in f["path"] or "linked" in f["path"] for f in findings)


@needs_symlinks
def test_symlink_named_explicitly_is_linted(tmp_path):
    tree, _ = tree_linking_outside(tmp_path, "model.py")
    findings = lint_folder(tree, ".", "linked_model.py")
    assert [(f["code"], f["line"]) for f in of(findings, "linked_model.py")] == [("RNN001", 4)]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_fifo_named_like_a_python_file_does_not_hang(tmp_path):
    os.mkfifo(tmp_path / "pipe.py")  # reading it would block forever
    findings = lint_folder(tmp_path, timeout_ok=60)
    assert of(findings, "pipe.py") == []


FILE_NAMES = ["-rf.py", "--fix.py", "with space.py", "  leading and trailing  .py", "ünïcødé_모델_模型.py",
              "quote'\"and$dollar`tick.py", "new\nline.py", "semi;colon&amp.py"]


@pytest.mark.parametrize("name", FILE_NAMES)
def test_hostile_file_names_found_by_a_walk(tmp_path, name):
    write(tmp_path, name, STACKED_LSTM)
    findings = of(lint_folder(tmp_path), name)
    assert [(f["code"], f["line"]) for f in findings] == [("RNN001", 4)]


@pytest.mark.parametrize("name", ["-rf.py", "with space.py", "ünïcødé_모델_模型.py"])
def test_hostile_file_names_given_on_the_command_line(tmp_path, name):
    write(tmp_path, name, STACKED_LSTM)
    findings = lint_folder(tmp_path, "--", NEIGHBOUR, name)
    assert [(f["code"], f["line"]) for f in of(findings, name)] == [("RNN001", 4)]


def test_dash_rf_without_double_dash_is_a_usage_error(tmp_path):
    # Documented: argparse reads `-rf.py` as options; exit 2 with a usage message, no traceback, nothing run.
    write(tmp_path, "-rf.py", STACKED_LSTM)
    run = run_cli("--no-confirm", "--format", "json", "-rf.py", cwd=tmp_path)
    assert run.code == 2 and "Traceback" not in run.err and "usage:" in run.err
    assert (tmp_path / "-rf.py").read_text() == STACKED_LSTM


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="needs a file system that accepts any bytes")
def test_file_name_that_is_not_utf8(tmp_path):
    name = os.fsdecode(b"latin1_\xe9\xff.py")
    write(tmp_path, name, STACKED_LSTM)
    findings = lint_folder(tmp_path)
    assert sum(1 for f in findings if f["path"].startswith("latin1_")) == 1


def test_directory_named_like_a_python_file(tmp_path):
    write(tmp_path / "package.py", "inner.py", STACKED_LSTM)
    findings = lint_folder(tmp_path)
    assert [(f["code"], f["line"]) for f in of(findings, "inner.py")] == [("RNN001", 4)]


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file(tmp_path):
    path = write(tmp_path, "secret.py", STACKED_LSTM)
    path.chmod(0)
    try:
        findings = of(lint_folder(tmp_path), "secret.py")
    finally:
        path.chmod(0o644)
    assert [(f["code"], f["name"]) for f in findings] == [("RNN000", "unreadable-file")]


def test_path_that_vanishes_before_it_is_read(tmp_path):
    # lint_file on a path that no longer exists: one RNN000 finding, no exception.
    result = lint_file(str(tmp_path / "gone.py"))
    assert [(f.code, f.name) for f in result.findings] == [("RNN000", "unreadable-file")]
    assert "No such file" in result.findings[0].message


def test_path_that_vanishes_mid_run(tmp_path, monkeypatch):
    # Discovery sees three files; one is deleted before it is read; the others are still linted.
    import rnnlint.engine as engine

    for name in ("a.py", "b_vanishing.py", "c.py"):
        write(tmp_path, name, STACKED_LSTM)
    real = engine.discover_files

    def discover_then_delete(paths, settings, resolver=None, walked=None):
        files = real(paths, settings, resolver, walked)
        (tmp_path / "b_vanishing.py").unlink()
        return files

    monkeypatch.setattr(engine, "discover_files", discover_then_delete)
    result = lint_paths([str(tmp_path)], Settings(confirm=False, use_cache=False))
    by_name = {Path(r.path).name: [(f.code, f.name) for f in r.findings] for r in result.files}
    assert by_name["b_vanishing.py"] == [("RNN000", "unreadable-file")]
    assert by_name["a.py"] == by_name["c.py"] == [("RNN001", "missing-return-sequences")]
    assert not result.internal_error


def test_folder_that_vanishes_mid_walk(tmp_path, monkeypatch):
    import shutil

    import rnnlint.engine as engine

    write(tmp_path / "sub", "model.py", STACKED_LSTM)
    write(tmp_path, "keep.py", STACKED_LSTM)
    real = engine.discover_files

    def discover_then_delete(paths, settings, resolver=None, walked=None):
        files = real(paths, settings, resolver, walked)
        shutil.rmtree(tmp_path / "sub")
        return files

    monkeypatch.setattr(engine, "discover_files", discover_then_delete)
    result = lint_paths([str(tmp_path)], Settings(confirm=False, use_cache=False))
    names = {Path(r.path).name: [f.name for f in r.findings] for r in result.files}
    assert names == {"model.py": ["unreadable-file"], "keep.py": ["missing-return-sequences"]}


# --- time ---------------------------------------------------------------------------------------------------


def test_per_file_time_limit(monkeypatch):
    # A pathological file becomes RNN000 analysis-limit instead of a hang (limit lowered for the test).
    monkeypatch.setattr(analyzer, "FILE_TIME_LIMIT", 0.001)
    text = "import keras\n" + "".join(f"m{i} = keras.Sequential([keras.layers.LSTM({i % 9 + 1})])\n"
                                      for i in range(5_000))
    started = time.monotonic()
    result = lint_source(text, "slow.py")
    assert [(f.code, f.name) for f in result.findings] == [("RNN000", "analysis-limit")]
    assert "time limit" in result.findings[0].message
    assert time.monotonic() - started < 60
    monkeypatch.setattr(analyzer, "FILE_TIME_LIMIT", 10.0)
    assert lint_source(STACKED_LSTM, "fine.py").findings[0].code == "RNN001"  # the alarm was cleared


def test_time_limit_outside_the_main_thread(monkeypatch):
    # The language server lints in worker threads, where no signal can be used: the evaluator's deadline does.
    import threading

    monkeypatch.setattr(analyzer, "FILE_TIME_LIMIT", 0.001)
    text = "import keras\n" + "".join(f"m{i} = keras.Sequential([keras.layers.LSTM({i % 9 + 1})])\n"
                                      for i in range(5_000))
    out = []
    thread = threading.Thread(target=lambda: out.append(lint_source(text, "slow.py")))
    thread.start()
    thread.join(120)
    assert [(f.code, f.name) for f in out[0].findings] == [("RNN000", "analysis-limit")]


def _too_deep_walking_every_statement(tree, line_lengths) -> bool:
    """rnnlint.analyze.limits.too_deep as it was before it passed over short statements: the oracle."""
    import ast

    from rnnlint.analyze.limits import _SHORT_STATEMENT, MAX_NESTING, _nested

    stack = [(s, 1) for s in tree.body]
    while stack:
        statement, level = stack.pop()
        inner = _nested(statement)
        header_end = inner[0].lineno - 1 if inner else (statement.end_lineno or statement.lineno)
        if sum(line_lengths[statement.lineno - 1:max(header_end, statement.lineno)]) >= _SHORT_STATEMENT:
            nodes = [(statement, 3 * level)]
            while nodes:
                node, depth = nodes.pop()
                if depth > MAX_NESTING:
                    return True
                nodes.extend((child, depth + 1) for child in ast.iter_child_nodes(node) if not isinstance(child, ast.stmt))
        if 3 * level > MAX_NESTING:
            return True
        stack.extend((s, level + 1) for s in inner)
    return False


def _nested_blocks(levels: int, body: str) -> str:
    return "".join(" " * i + "if x:\n" for i in range(levels)) + " " * levels + body + "\n"


TOO_DEEP_CASES = [
    *(DEEP[kind](n) for kind in sorted(DEEP) for n in (150, 190, 330, 340, 600, 1200) if kind != "indentation"),
    *(_nested_blocks(levels, DEEP[kind](n)) for levels in (1, 40, 95) for kind in ("additions", "attributes", "not")
      for n in (150, 330, 340, 700, 720, 990, 1000, 1010)),
    *(_nested_blocks(levels, "y = 1  # " + "c" * width) for levels in (1, 60, 99) for width in (10, 700)),
]


def _parsed(source: str):
    import ast

    try:
        return ast.parse(source), line_lengths(source)
    except (SyntaxError, RecursionError, MemoryError):
        return None, []  # CPython rejects it: too_deep is never asked


@pytest.mark.parametrize("source", TOO_DEEP_CASES, ids=lambda source: f"{len(source)}-chars")
def test_too_deep_agrees_with_walking_every_statement(source):
    from rnnlint.analyze.limits import too_deep

    tree, lengths = _parsed(source)
    if tree is not None:
        assert too_deep(tree, lengths) == _too_deep_walking_every_statement(tree, lengths)


def test_the_too_deep_cases_have_both_answers():
    answers = {_too_deep_walking_every_statement(*parsed) for parsed in map(_parsed, TOO_DEEP_CASES) if parsed[0]}
    assert answers == {True, False}


@pytest.mark.parametrize("before", [
    "x = 1" + "\x0c" * 3000 + "\n",  # form feeds: whitespace to CPython, line breaks to str.splitlines
    "# " + "\u2028\x0b\x1c\x1d\x1e\x85\u2029" * 500 + "\n",  # the other separators, in a comment
    "x = 1\r" * 3000,  # a lone carriage return does break a line
], ids=["form-feeds", "separators-in-a-comment", "carriage-returns"])
def test_a_deep_expression_after_many_line_separators_is_still_too_deep(before):
    """The nesting check counts characters per line as CPython numbers the lines: a file whose earlier lines
    hold separators that only str.splitlines breaks at does not put the deep statement on a line of none."""
    from rnnlint.analyze.errors import AnalysisLimit
    from rnnlint.analyze.limits import preflight

    with pytest.raises(AnalysisLimit, match="too deeply nested"):
        preflight(before + DEEP["additions"](1500) + "\n")


def test_too_deep_agrees_on_rnnlints_own_code_and_examples():
    import ast

    from rnnlint.analyze.limits import too_deep

    root = Path(__file__).resolve().parent.parent
    for path in sorted([*root.glob("rnnlint/**/*.py"), *root.glob("rules/*.py"), *root.glob("examples/*.py")]):
        text = path.read_text(encoding="utf-8")
        tree, lengths = ast.parse(text), line_lengths(text)
        assert too_deep(tree, lengths) == _too_deep_walking_every_statement(tree, lengths) is False, path
