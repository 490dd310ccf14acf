"""A test-only rule that makes a false claim is refuted by the real Keras and dropped from the report.

This is what separates rnnlint from a pattern matcher: the checker (real TensorFlow, no mocks) builds the model
the finding points at, and a finding Keras disproves never reaches the user (unless --show-refuted)."""
from __future__ import annotations

from typing import Iterable

import pytest

from rnnlint import engine
from rnnlint.findings import Diagnostic, Evidence
from rnnlint.rule import Rule, RuleContext
from rnnlint.settings import Settings

CORRECT_STACK = """\
import keras
from keras import layers
model = keras.Sequential([
    keras.Input(shape=(10, 1)),
    layers.LSTM(8, return_sequences=True),
    layers.LSTM(4),
    layers.Dense(1),
])
"""


class ClaimsEveryModelFails(Rule):
    """## What it does
    A test-only rule that (wrongly) claims every model fails to build."""

    code = "RNN999"
    name = "false-claim"
    severity = "error"

    def check(self, ctx: RuleContext) -> Iterable[Diagnostic]:
        for model, _shapes in ctx.models():
            yield Diagnostic("this model does not build (a false claim)", model.span,
                             evidence=Evidence("raises", model=model))


@pytest.fixture
def only_the_false_rule(monkeypatch):
    monkeypatch.setattr(engine, "enabled_rules", lambda settings: [ClaimsEveryModelFails])


def test_false_claim_is_refuted_and_dropped(tmp_path, monkeypatch, only_the_false_rule):
    monkeypatch.chdir(tmp_path)  # the checker's cache goes here
    path = tmp_path / "good.py"
    path.write_text(CORRECT_STACK)
    result = engine.lint_paths([str(path)], Settings(use_cache=False))
    assert result.findings == () or list(result.findings) == []
    assert result.refuted == 1

    shown = engine.lint_paths([str(path)], Settings(use_cache=False, show_refuted=True))
    [finding] = shown.findings
    assert finding.code == "RNN999"
    assert finding.confirmation.status == "refuted"
    assert "built" in finding.confirmation.detail
    assert finding.confirmation.keras_version
