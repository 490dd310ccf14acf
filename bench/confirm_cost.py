"""Cost of cold confirmation (issue 16): confirm 100 flagged models with an empty cache, against a bare
`import tensorflow` in the same run, interleaved.

    python bench/confirm_cost.py [--models 100] [--rounds 3]

The 100 models are small scripts of the kinds rnnlint flags (stacked LSTMs without return_sequences, 4D inputs,
many-to-many targets under mse, stateful batch mismatches, Keras 1/2 spellings), each with different sizes so
that no two specs share a cache entry. Prints the median wall time of each and their ratio.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

KINDS = [
    # RNN001: a stacked LSTM without return_sequences (a build error)
    """import keras
model = keras.Sequential([keras.Input(shape=({t}, {f})), keras.layers.LSTM({u}), keras.layers.LSTM({u2}),
                          keras.layers.Dense(1)])
""",
    # RNN003: a 3D input_shape into an LSTM (a build error)
    """import keras
model = keras.Sequential([keras.layers.LSTM({u}, input_shape=({t}, {f}, 1)), keras.layers.Dense(1)])
""",
    # RNN005: a many-to-many output trained on one value per sample (trained once on zeros)
    """import numpy as np
import keras
X = np.zeros(({n}, {t}, {f}))
y = np.zeros(({n}, 1))
model = keras.Sequential([keras.Input(shape=({t}, {f})), keras.layers.LSTM({u}, return_sequences=True),
                          keras.layers.Dense(1)])
model.compile(loss="mse", optimizer="adam")
model.fit(X, y, batch_size=8, epochs=1)
""",
    # RNN007: a stateful model fitted with another batch size (fitted once on zeros)
    """import numpy as np
import keras
X = np.zeros(({n}, {t}, {f}))
model = keras.Sequential([keras.Input(batch_shape=(4, {t}, {f})), keras.layers.GRU({u}, stateful=True),
                          keras.layers.Dense(1)])
model.compile(loss="mse")
model.fit(X, X[:, -1, :1], batch_size=8, shuffle=False)
""",
    # RNN010: Keras 1/2 spellings (looked up)
    """import keras
model = keras.Sequential([keras.Input(shape=({t}, {f})), keras.layers.LSTM({u}), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(lr=0.00{u}), loss="mse")
""",
]


def write_models(folder: Path, count: int) -> None:
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        values = {"t": 5 + i % 7, "f": 1 + i % 3, "u": 4 + i, "u2": 3 + i % 5, "n": 16 + 8 * (i % 4)}
        (folder / f"model_{i:03d}.py").write_text(kind.format(**values), encoding="utf-8")


def timed(command: list[str], cwd: Path) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    return time.perf_counter() - start, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    bare, confirm = [], []
    statuses: dict[str, int] = {}
    for _ in range(args.rounds):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            write_models(folder, args.models)
            seconds, _ = timed([sys.executable, "-c", "import tensorflow"], folder)
            bare.append(seconds)
            seconds, out = timed([sys.executable, "-m", "rnnlint", "--no-cache", "--format", "json",
                                  "--exit-zero", "."], folder)
            confirm.append(seconds)
            statuses = {}
            for finding in json.loads(out):
                key = f"{finding['code']} {finding['confirmation']['status']}"
                statuses[key] = statuses.get(key, 0) + 1
    b, c = statistics.median(bare), statistics.median(confirm)
    print(f"bare import tensorflow: {b:.2f} s (median of {args.rounds})")
    print(f"rnnlint, cold confirmation of {args.models} flagged models: {c:.2f} s")
    print(f"ratio: {c / b:.2f}x (goal < 3x)")
    print("findings: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
