"""Every rule's INVALID examples, linted through the CLI with the checker on: the real Keras must confirm each
finding it can build, and refute none. This is the promise of the README ("proves each finding by building the
model"), checked on the examples the rule pages show. Keras 3 examples are built with Keras 3, Keras 2 ones
(`target_keras=2`) with tf_keras.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli, write
from rnnlint.rule import all_rules

# Why a finding may stay unconfirmed: nothing to build, or a model the checker must not build.
NOT_BUILDABLE = ("not checked with Keras: this is advice", "the rule gives nothing to build",
                 "a subclassed model is not built: its code would have to run")


def examples(major: int) -> dict[str, str]:
    """The INVALID examples for this Keras major, except those judged against one old release (`project`):
    the checker has only the installed Keras, and says so (tests/test_confirm.py)."""
    return {f"{rule.code}_{i}.py": example.source
            for rule in all_rules() for i, example in enumerate(rule.INVALID, 1)
            if example.target_keras == major and not example.project}


@pytest.mark.parametrize("major", [3, 2])
def test_invalid_examples_are_confirmed_by_keras(tmp_path: Path, major: int) -> None:
    files = examples(major)
    assert files
    for name, source in files.items():
        write(tmp_path, name, source)
    run = run_cli("--format", "json", "--no-cache", "--show-refuted", "--exit-zero", "--extend-select", "RNN100",
                  "--target-keras", str(major), ".", cwd=tmp_path)
    assert run.code == 0 and "Traceback" not in run.err, run.err
    findings = json.loads(run.out)
    assert {f["path"] for f in findings} == set(files)  # every example flagged
    refuted = [(f["path"], f["code"], f["confirmation"]["detail"]) for f in findings
               if f["confirmation"]["status"] == "refuted"]
    assert refuted == []
    unproven = [(f["path"], f["code"], f["confirmation"]["detail"]) for f in findings
                if f["confirmation"]["status"] != "confirmed" and f["confirmation"]["detail"] not in NOT_BUILDABLE
                and not f["confirmation"]["detail"].startswith("this is advice (nothing fails); Keras measured")]
    assert unproven == []
    versions = {f["confirmation"]["keras_version"].split(".")[0] for f in findings
                if f["confirmation"]["status"] == "confirmed"}
    assert versions == {str(major)}
