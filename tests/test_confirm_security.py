"""End to end: code in a linted file's layer arguments is never run, by the analyzer nor by the checker."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap


def test_layer_arguments_that_run_code_are_never_run(tmp_path):
    marker = tmp_path / "pwned"
    source = textwrap.dedent(f"""
        import os
        import keras
        from keras import layers
        model = keras.Sequential([
            layers.LSTM(os.system("touch {marker}"), input_shape=(10, 1)),
            layers.LSTM(int(open("{marker}", "w").write("x")), input_dim=__import__("os").getpid()),
            layers.Dense(1),
        ])
    """)
    path = tmp_path / "evil.py"
    path.write_text(source)
    cache = tmp_path / ".rnnlint_cache"  # where this run (in tmp_path, cache on) keeps its confirmations
    out = subprocess.run([sys.executable, "-m", "rnnlint", "--format", "json", str(path)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode in (0, 1), out.stderr
    assert not marker.exists()
    for finding in json.loads(out.stdout):
        assert finding["confirmation"]["status"] in ("unconfirmed", "confirmed")
    entries = list((cache / "confirm").glob("*.json"))  # what the checker built and answered (the results cache
    # holds the findings' messages, which quote the source as text)
    assert entries, "the run kept no confirmations: this check would look at nothing"
    assert not any(b"os.system" in p.read_bytes() or b"getpid" in p.read_bytes() for p in entries)
