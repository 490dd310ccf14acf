"""The pre-commit hook, run for real: `pre-commit try-repo <this repo> rnnlint --files ...`.

try-repo clones this repository at its committed HEAD and pip-installs it into pre-commit's own environment
(from PyPI: libcst), so this is slow; it is kept to two runs sharing one PRE_COMMIT_HOME. The environment has no
TensorFlow, so confirmation is skipped with a single note: that is what a user without
`additional_dependencies: [tensorflow]` sees.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUGGY = textwrap.dedent("""\
    from keras.models import Sequential
    from keras.layers import LSTM, Dense
    model = Sequential()
    model.add(LSTM(256, input_shape=(10, 1)))
    model.add(LSTM(256))
    model.add(Dense(1))
""")
CLEAN = BUGGY.replace("input_shape=(10, 1))", "input_shape=(10, 1), return_sequences=True)")

pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="needs git"),
    pytest.mark.skipif(not (REPO / ".git").exists(), reason="needs this repository's git checkout"),
]


def _git(*args: str, cwd: Path) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    """A throwaway git repository with one buggy and one clean file, and a PRE_COMMIT_HOME for both runs."""
    import pre_commit  # noqa: F401 - the test extra installs it: missing is a failure, not a skip
    if _git("ls-files", ".pre-commit-hooks.yaml", cwd=REPO) == "":
        pytest.skip(".pre-commit-hooks.yaml is not committed yet (try-repo uses the committed HEAD)")
    root = tmp_path_factory.mktemp("precommit")
    work = root / "project"
    work.mkdir()
    (work / "buggy.py").write_text(BUGGY)
    (work / "clean.py").write_text(CLEAN)
    _git("init", "-q", cwd=work)
    _git("add", "buggy.py", "clean.py", cwd=work)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env["PRE_COMMIT_HOME"] = str(root / "pre-commit-home")
    env["PRE_COMMIT_COLOR"] = "never"
    return work, env


def _try_repo(project, filename: str) -> subprocess.CompletedProcess:
    work, env = project
    head = _git("rev-parse", "HEAD", cwd=REPO)
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "rnnlint", "--ref", head,
         "--files", filename, "--verbose"],
        cwd=work, env=env, capture_output=True, text=True, timeout=900,
    )


def test_hook_fails_on_buggy_file(project):
    run = _try_repo(project, "buggy.py")
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "Failed" in output
    assert "buggy.py:4:11: RNN001" in output


def test_hook_passes_on_clean_file(project):
    run = _try_repo(project, "clean.py")
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "Passed" in output
