"""`rnnlint --show-models`: the model chain, shapes and pattern of each example, against shapes computed by hand."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

# Computed by hand from the layer arguments (batch dim None; LSTM/GRU give units; Dense replaces the last dim).
EXPECTED = {
    "stacked_lstm_fixed.py": ("many-to-one", [[None, 10, 256], [None, 256], [None, 1]], [16, 10, 1], [16, 1]),
    "many_to_many_wrong_target.py": ("many-to-many", [[None, 4, 10], [None, 4, 1]], [2, 4, 1], [2, 1]),
    "missing_reshape.py": ("many-to-one", [[None, 2, 3], [None, 16], [None, 1]], [60, 6], [60, 1]),
    "functional_encoder_decoder.py": (
        "many-to-many",
        [[None, 8, 30], [[None, 64], [None, 64], [None, 64]], [None, 6, 30], [None, 6, 64], [None, 6, 30]],
        [[48, 8, 30], [48, 6, 30]], [48, 6]),
}


def _show(path: Path) -> list[dict]:
    proc = subprocess.run([sys.executable, "-m", "rnnlint", "--show-models", "--format", "json", str(path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_show_models_json(name):
    pattern, shapes, x, y = EXPECTED[name]
    [record] = _show(EXAMPLES / name)
    assert record["pattern"] == pattern
    assert [layer["output_shape"] for layer in record["layers"]] == shapes
    assert record["train_calls"][0]["x"] == x
    assert record["train_calls"][0]["y"] == y


def test_show_models_text_is_readable():
    proc = subprocess.run([sys.executable, "-m", "rnnlint", "--show-models", str(EXAMPLES / "stacked_lstm_fixed.py")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0
    assert "sequential model `model` — many-to-one" in proc.stdout
    assert "LSTM (line 11)" in proc.stdout and "-> (None, 10, 256)" in proc.stdout
    assert "fit() line 16: x (16, 10, 1), y (16, 1), batch_size 4" in proc.stdout
