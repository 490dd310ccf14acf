"""`--show-repro` prints the checker's standalone Keras script for a confirmed finding (real TensorFlow)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "stacked_lstm_lecture.py"


def test_show_repro_prints_a_script_that_builds_the_failing_stack(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "rnnlint", "--no-cache", "--show-repro", str(EXAMPLE)],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "confirmed by Keras" in proc.stdout
    script = proc.stdout.split("reproduce with:\n", 1)[1]
    assert "keras.layers.LSTM(256, input_shape=(10, 1))" in script
    assert "keras.layers.LSTM(256)" in script
    compile(script, "repro.py", "exec")  # it is a valid standalone script
