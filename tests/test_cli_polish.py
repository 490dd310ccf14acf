"""Issue 18: what a ruff user expects from the command line — fixability shown, no surprising parsing, a missing
path as a finding, extras explained, progress on long confirmation, notebooks by cell. Each through the CLI as
a subprocess, with the exact summary lines."""
from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

from conftest import run_cli, write
from rnnlint.confirm.environment import PRE_COMMIT_HINT, install_hint

# RNN001 (a safe fix) on line 5, RNN006 (an unsafe fix: batch_size) on line 8
TWO_FIXES = """\
import numpy as np
from keras.models import Sequential
from keras.layers import LSTM, Dense
model = Sequential()
model.add(LSTM(16, input_shape=(10, 1)))
model.add(LSTM(8))
model.add(Dense(1))
model.fit(np.zeros((40, 10, 1)), np.zeros((40, 1)), epochs=2)
"""
JUDGED = "judged against Keras 3 (--target-keras 3)"
BASE = ("--no-confirm", "--no-cache", "--target-keras", "3")


def test_fixable_findings_are_marked_and_counted(tmp_path: Path) -> None:
    write(tmp_path, "m.py", TWO_FIXES)
    run = run_cli(*BASE, "--no-show-source", "m.py", cwd=tmp_path)
    assert run.code == 1, run.err
    lines = run.out.splitlines()
    assert lines[0].startswith("m.py:5:11: RNN001 [*] [error] LSTM (line 5) outputs (None, 16)")
    assert lines[1].startswith("m.py:8:1: RNN006 [warning] fit() of a recurrent model without batch_size")
    assert lines[-2:] == [f"Found 2 problems in 1 file; {JUDGED}.", "[*] 1 fixable with --fix (1 more with --unsafe-fixes)."]
    unsafe = run_cli(*BASE, "--no-show-source", "--unsafe-fixes", "--diff", "m.py", cwd=tmp_path)
    assert unsafe.code == 1  # --diff: there would be changes
    shown = run_cli(*BASE, "--no-show-source", "--select", "RNN006", "m.py", cwd=tmp_path)
    assert shown.out.splitlines()[-1] == "No fixes with --fix (1 with --fix --unsafe-fixes)."


def test_after_fix_the_summary_counts_fixed_and_remaining(tmp_path: Path) -> None:
    path = write(tmp_path, "m.py", TWO_FIXES)
    run = run_cli(*BASE, "--no-show-source", "--fix", "--show-fixes", "m.py", cwd=tmp_path)
    assert run.code == 1, run.err  # RNN006 remains
    assert "return_sequences=True" in path.read_text()
    lines = run.out.splitlines()
    assert lines[0].startswith("m.py:8:1: RNN006 [warning] ")
    assert lines[-5:] == [
        f"Found 2 problems (1 fixed, 1 remaining); {JUDGED}.",
        "No fixes with --fix (1 with --fix --unsafe-fixes).",
        "Fixed 1 problem:",
        "- m.py:",
        "    1 \u00d7 RNN001 (Add return_sequences=True)",
    ]


def test_show_fixes_without_fix_lists_what_fix_would_do(tmp_path: Path) -> None:
    path = write(tmp_path, "m.py", TWO_FIXES)
    run = run_cli(*BASE, "--no-show-source", "--show-fixes", "--unsafe-fixes", "m.py", cwd=tmp_path)
    assert path.read_text() == TWO_FIXES  # nothing written
    assert run.out.splitlines()[-5:] == [
        "[*] 2 fixable with --fix --unsafe-fixes.",
        "Would fix 2 problems:",
        "- m.py:",
        "    1 \u00d7 RNN001 (Add return_sequences=True)",
        "    1 \u00d7 RNN006 (Add batch_size=32 (what Keras was using))",
    ]


def test_no_prefix_abbreviations_and_ruffs_spellings(tmp_path: Path) -> None:
    write(tmp_path, "m.py", TWO_FIXES)
    abbreviated = run_cli(*BASE, "--output", "json", "m.py", cwd=tmp_path)
    assert abbreviated.code == 2 and "unrecognized arguments: --output" in abbreviated.err
    assert not (tmp_path / "json").exists()  # it used to write the report to a file named `json`
    ruff = run_cli(*BASE, "--output-format", "json", "m.py", cwd=tmp_path)
    assert [f["code"] for f in json.loads(ruff.out)] == ["RNN001", "RNN006"]
    ignored = run_cli(*BASE, "--output-format", "json", "--extend-ignore", "RNN006", "m.py", cwd=tmp_path)
    assert [f["code"] for f in json.loads(ignored.out)] == ["RNN001"]


def test_select_all_enables_the_rules_that_are_off_by_default(tmp_path: Path) -> None:
    write(tmp_path, "m.py", "from keras.layers import LSTM\nx = 1  # noqa: RNN001\n")  # analysed: LSTM in code
    default = run_cli(*BASE, "--output-format", "json", "m.py", cwd=tmp_path)
    assert json.loads(default.out) == []
    every = run_cli(*BASE, "--output-format", "json", "--select", "ALL", "m.py", cwd=tmp_path)
    assert [f["code"] for f in json.loads(every.out)] == ["RNN100"]
    minus = run_cli(*BASE, "--output-format", "json", "--select", "ALL", "--ignore", "RNN1", "m.py", cwd=tmp_path)
    assert json.loads(minus.out) == []


def test_statistics_is_the_table_only(tmp_path: Path) -> None:
    write(tmp_path, "m.py", TWO_FIXES)
    run = run_cli(*BASE, "--statistics", "m.py", cwd=tmp_path)
    assert run.out == "1\tRNN001\t[*]\tmissing-return-sequences\n1\tRNN006\t[ ]\tmissing-batch-size\n"


def test_lsp_without_the_extra_says_which_to_install(tmp_path: Path) -> None:
    fake = write(tmp_path, "blocked/pygls/__init__.py",
                 "raise ModuleNotFoundError(\"No module named 'pygls'\", name='pygls')\n").parent.parent
    env = {**os.environ, "PYTHONPATH": str(fake)}
    run = subprocess.run([sys.executable, "-m", "rnnlint", "--lsp"], capture_output=True, text=True, env=env,
                         stdin=subprocess.DEVNULL, timeout=60)
    assert run.returncode == 2
    assert run.stderr == ("rnnlint: error: the language server needs the 'lsp' extra (pygls, lsprotocol): "
                          "pip install pygls lsprotocol, or pip install -e '.[lsp]' in the rnnlint clone\n")


def test_inside_pre_commit_the_note_says_how_to_add_tensorflow() -> None:
    assert install_hint({"PRE_COMMIT": "1"}) == PRE_COMMIT_HINT
    assert "additional_dependencies: [tensorflow]" in PRE_COMMIT_HINT
    assert install_hint({}).startswith("pip install tensorflow")


def _stderr_on_a_terminal(args: list[str], cwd: Path) -> tuple[int, bytes]:
    """Run rnnlint with its standard error on a pseudo-terminal; (exit status, what the terminal received)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "rnnlint", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    received = b""
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal closed: rnnlint has exited
                break
            if not chunk:
                break
            received += chunk
        elif proc.poll() is not None:
            break
    proc.stdout.read()
    os.close(master)
    return proc.wait(), received


def test_progress_line_on_a_terminal_only(tmp_path: Path) -> None:
    write(tmp_path, "m.py", TWO_FIXES)
    code, terminal = _stderr_on_a_terminal(["--no-cache", "m.py"], tmp_path)  # confirmation imports TensorFlow
    assert code == 1
    text = terminal.decode("utf-8")
    assert "\r\x1b[Kconfirming 1 finding with Keras " in text and "\u2026 0/1" in text, text
    assert text.endswith("\r\x1b[K")  # erased at the end
    piped = run_cli("--no-cache", "m.py", cwd=tmp_path)  # standard error is a pipe: nothing
    assert "confirming" not in piped.err


def test_show_models_in_a_notebook_says_cell_and_line() -> None:
    examples = Path(__file__).resolve().parent.parent / "examples"
    run = run_cli("--show-models", "stacked_lstm.ipynb", cwd=examples)
    lines = run.out.splitlines()
    assert lines[0] == "stacked_lstm.ipynb:cell 5:1: sequential model `model` \u2014 many-to-one"
    assert lines[1].split() == ["LSTM", "(cell", "5,", "line", "2)", "->", "(None,", "256)"]
    assert lines[4] == "    fit() cell 7, line 1: x (16, 10, 1), y (16, 1), batch_size 4"
    records = json.loads(run_cli("--show-models", "--format", "json", "stacked_lstm.ipynb", cwd=examples).out)
    assert (records[0]["cell"], records[0]["line"], records[0]["train_calls"][0]["cell"]) == (5, 1, 7)


def test_a_notebook_on_standard_input_is_read_as_one() -> None:
    examples = Path(__file__).resolve().parent.parent / "examples"
    data = (examples / "stacked_lstm.ipynb").read_bytes()
    run = subprocess.run([sys.executable, "-m", "rnnlint", "--no-confirm", "--no-cache", "-"], input=data,
                         capture_output=True, timeout=120)
    assert run.returncode == 1, run.stderr
    assert run.stdout.decode().startswith("-:cell 5:2:11: RNN001 [*] [error] ")
