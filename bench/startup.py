"""Start-up cost of rnnlint: `python -X importtime` for --version, a clean run over a tree without Keras, and a
clean run over a Keras file; the biggest imports (best of N runs) and whether anything heavy was imported.

Usage: python bench/startup.py [--runs 5]   (prints a markdown section; bytecode caching on, as installed)
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

HEAVY = ("tensorflow", "keras", "pygls", "lsprotocol", "libcst", "numpy", "jax", "torch")
CLEAN_KERAS = '''import numpy as np
from keras.models import Sequential
from keras.layers import LSTM, Dense

X = np.random.rand(16, 10, 1)
y = np.random.rand(16, 1)
model = Sequential()
model.add(LSTM(8, input_shape=(10, 1)))
model.add(Dense(1))
model.compile(optimizer="adam", loss="mse")
model.fit(X, y, epochs=1, batch_size=4)
'''
PROBE = ("import sys, runpy\nsys.argv = ['rnnlint'] + sys.argv[1:]\n"
         "try:\n    runpy.run_module('rnnlint', run_name='__main__')\nexcept SystemExit:\n    pass\n"
         "print('HEAVY=' + ','.join(m for m in {heavy!r} if m in sys.modules), file=sys.stderr)\n")


def env() -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "rnnlint-bench-pycache")
    return out


def importtime(args: list[str], cwd: str) -> tuple[float, dict[str, int], str]:
    """Wall time, cumulative µs per top-level import, and the heavy modules that were imported."""
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", PROBE.format(heavy=HEAVY), *args], cwd=cwd,
                          env=env(), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    top: dict[str, int] = {}
    heavy = ""
    for line in proc.stderr.splitlines():
        if line.startswith("HEAVY="):
            heavy = line[len("HEAVY="):]
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        _, cumulative, name = line[len("import time:"):].split("|")
        if not name.startswith("  "):  # top level: imported by the program itself, not by another module
            top[name.strip()] = int(cumulative)
    return wall, top, heavy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plain = os.path.join(tmp, "plain")
        os.makedirs(plain)
        for i in range(20):
            with open(os.path.join(plain, f"m{i}.py"), "w") as handle:
                handle.write("def f(x):\n    return [i * x for i in range(10)]\n")
        with open(os.path.join(tmp, "model.py"), "w") as handle:
            handle.write(CLEAN_KERAS)
        cases = [("rnnlint --version", ["--version"]),
                 ("rnnlint --no-confirm plain/ (20 files, no Keras)", ["--no-confirm", "plain"]),
                 ("rnnlint plain/ (confirmation on, nothing to confirm)", ["plain"]),
                 ("rnnlint --no-cache model.py (a clean Keras file; nothing to confirm)", ["--no-cache", "model.py"])]
        print(f"| command | wall (best of {args.runs}) | heavy modules imported | "
              "biggest top-level imports (cumulative) |")
        print("|---|---:|---|---|")
        bare = []
        for _ in range(args.runs + 1):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], env=env(), check=False)
            bare.append(time.perf_counter() - start)
        print(f"| `python -c pass` (the interpreter alone, for scale) | {min(bare) * 1000:.0f} ms | none | |")
        for label, argv in cases:
            importtime(argv, tmp)  # warm the bytecode cache
            runs = [importtime(argv, tmp) for _ in range(args.runs)]
            wall = min(r[0] for r in runs)
            best: dict[str, int] = {}
            for _, top, _ in runs:
                for name, us in top.items():
                    best[name] = min(best.get(name, us), us)
            biggest = sorted(best.items(), key=lambda item: -item[1])[:5]
            heavy = runs[-1][2] or "none"
            print(f"| `{label}` | {wall * 1000:.0f} ms | {heavy} | "
                  + ", ".join(f"{name} {us / 1000:.0f} ms" for name, us in biggest) + " |")


if __name__ == "__main__":
    main()
