"""Issue 16: every `--show-repro` script of the rule pages' INVALID examples runs in a fresh Python process and
does what its finding says — it raises the error the checker saw, or (a silent broadcast, a stateful model
trained on shuffled batches, a model that runs on time steps it does not declare) runs and prints the shapes.
Keras 3 examples run with `import keras`, Keras 2 ones with tf_keras. Real TensorFlow, no mocks."""
from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from rnnlint.confirm import repro_script
from rnnlint.engine import confirm_results, lint_source
from rnnlint.rule import all_rules
from rnnlint.settings import Settings

MAX_LINES = 20  # the promise of --show-repro: a standalone script of at most 20 lines (after the two comments)


def _confirmed() -> list[tuple[str, object]]:
    """(name, finding) of every confirmed finding of every INVALID example (the checker runs here)."""
    out = []
    for major in (3, 2):
        results = []
        for rule in all_rules():
            for i, example in enumerate(rule.INVALID, 1):
                if example.target_keras != major or example.project:
                    continue
                settings = Settings(use_cache=False, target_keras=major, extend_select=("RNN100",))
                results.append(lint_source(example.source, f"{rule.code}_{i}.py", settings))
        run = confirm_results(results, Settings(use_cache=False, target_keras=major, show_refuted=True))
        for finding in run.findings:
            if finding.confirmation.status == "confirmed":
                out.append((f"{Path(finding.path).stem}:{finding.span.line}", finding))
    return out


@pytest.fixture(scope="module")
def scripts(tmp_path_factory) -> dict[str, tuple[object, str, subprocess.CompletedProcess]]:
    folder = tmp_path_factory.mktemp("repro")
    confirmed = _confirmed()
    assert len(confirmed) >= 40, len(confirmed)  # the examples give this many confirmed findings

    def run(item: tuple[str, object]) -> tuple[str, tuple[object, str, subprocess.CompletedProcess]]:
        name, finding = item
        script = repro_script(finding)
        assert script is not None, name
        path = folder / (name.replace(":", "_") + ".py")
        path.write_text(script, encoding="utf-8")
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
        done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, env=env, timeout=300,
                              cwd=folder)
        return name, (finding, script, done)

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, confirmed))


def test_every_script_is_short(scripts) -> None:
    long = {name: len(script.splitlines()) for name, (_, script, _) in scripts.items()
            if len([line for line in script.splitlines()[2:] if line.strip()]) > MAX_LINES}
    assert long == {}


def test_every_script_does_what_its_finding_says(scripts) -> None:
    wrong = {}
    for name, (finding, _, done) in scripts.items():
        detail = finding.confirmation.detail
        if not _raised_in(detail):  # Keras did something silently (trained, ran, ignored an argument)
            if done.returncode != 0:
                wrong[name] = ("should run", done.stderr[-400:])
            continue
        error = _error_type(detail)
        if done.returncode == 0 or error not in done.stderr:
            wrong[name] = (f"should raise {error}", done.returncode, done.stderr[-400:])
    assert wrong == {}


def _raised_in(detail: str) -> bool:
    """The detail reports an exception (`ValueError: ...`, `... raises TypeError: ...`)."""
    return _error_type(detail) != ""


def _error_type(detail: str) -> str:
    """The exception class a detail names: the first word that ends in Error or Exception."""
    for word in detail.replace(":", " ").split():
        if word.endswith(("Error", "Exception")) and word[:1].isupper():
            return word
    return ""
