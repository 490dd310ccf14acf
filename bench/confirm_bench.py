"""Benchmark the checker: confirm 1, 10 and 100 flagged models, cold and with a warm cache.

Each time is also given as a ratio to `python -c "import tensorflow"` measured in the same run.
Usage: python bench/confirm_bench.py [--sizes 1,10,100] [--repeat 1]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from rnnlint.confirm import confirm_findings
from rnnlint.findings import Evidence, Finding
from rnnlint.ir import ArrayShape, Argument, CallSite, DeclaredInput, Layer, Model, Node, Pos, Span, TensorRef

SPAN = Span(1, 1, 1, 2)


@dataclass(frozen=True)
class Settings:
    cache_dir: str
    use_cache: bool = True
    target_keras: int | None = None


def _layer(kind: str, line: int, *args: object, **kwargs: object) -> Layer:
    arguments = tuple(Argument(None, a, SPAN, SPAN) for a in args)
    arguments += tuple(Argument(k, v, SPAN, SPAN) for k, v in kwargs.items())
    return Layer(kind, True, arguments, CallSite(Span(line, 1, line, 9), SPAN, kind, Pos(line, 8)))


def _sequential(*layers: Layer) -> Model:
    nodes = tuple(Node(i, l, (TensorRef(i - 1),) if i else ()) for i, l in enumerate(layers))
    shape = layers[0].arg("input_shape")
    declared = DeclaredInput(shape, None, "input_shape", SPAN, 0) if shape else None
    return Model(0, "m", "sequential", nodes, (TensorRef(len(nodes) - 1),), declared, SPAN)


def flagged(count: int) -> list[Finding]:
    """`count` distinct flagged models: build errors, input and output mismatches, in turn."""
    findings = []
    for i in range(count):
        units, steps = 4 + i, 5 + i % 7
        kind = i % 3
        if kind == 0:
            model = _sequential(_layer("LSTM", 1, units, input_shape=(steps, 1)), _layer("LSTM", 2, units))
            evidence = Evidence("raises", model, upto=1)
        elif kind == 1:
            model = _sequential(_layer("GRU", 1, units, input_shape=(steps, 2)), _layer("Dense", 2, 1))
            evidence = Evidence("input_mismatch", model, data=ArrayShape((60, steps)))
        else:
            model = _sequential(_layer("LSTM", 1, units, input_shape=(steps, 1), return_sequences=True),
                                _layer("Dense", 2, 1))
            evidence = Evidence("output_mismatch", model, data=ArrayShape((60, 1)), loss="mse")
        findings.append(Finding("RNN001", "bench", "error", "bench", "bench.py", SPAN, evidence=evidence))
    return findings


def time_import_tensorflow() -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import tensorflow"], check=True, capture_output=True)
    return time.perf_counter() - start


def time_confirm(findings: list[Finding], cache_dir: Path) -> tuple[float, dict[str, int]]:
    start = time.perf_counter()
    out, notes = confirm_findings(findings, Settings(str(cache_dir)))
    elapsed = time.perf_counter() - start
    if notes:
        raise SystemExit(f"confirmation failed: {notes}")
    counts: dict[str, int] = {}
    for f in out:
        counts[f.confirmation.status] = counts.get(f.confirmation.status, 0) + 1
    return elapsed, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1,10,100")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    baseline = statistics.median(time_import_tensorflow() for _ in range(3))
    rows = []
    for size in sizes:
        findings = flagged(size)
        colds, warms = [], []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                cache = Path(tmp) / ".rnnlint_cache"
                cold, counts = time_confirm(findings, cache)
                warm, _ = time_confirm(findings, cache)
                colds.append(cold)
                warms.append(warm)
        rows.append((size, min(colds), min(warms), counts))
    print(f"`python -c \"import tensorflow\"`: {baseline:.2f} s (median of 3)\n")
    print("| models | cold (s) | cold / import tf | warm (ms) | warm / import tf | statuses |")
    print("|---:|---:|---:|---:|---:|---|")
    for size, cold, warm, counts in rows:
        statuses = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
        print(f"| {size} | {cold:.2f} | {cold / baseline:.2f}× | {warm * 1000:.1f} | {warm / baseline:.3f}× "
              f"| {statuses} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
