"""Long differential run: the generator of tests/test_differential.py, more models and other seeds.

    python bench/differential.py                 # 3000 models, seed 1
    python bench/differential.py -n 5000 --seed 7 --seeds 3
    python bench/differential.py --quiet          # summary lines only

Prints every disagreement between the static analysis and Keras (source text, both verdicts), then a summary
per seed. Exit status 1 when agreement falls below 99% on any seed.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import test_differential as differential  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=3000, help="models per seed")
    parser.add_argument("--seed", type=int, default=1, help="first seed")
    parser.add_argument("--seeds", type=int, default=1, help="how many consecutive seeds")
    parser.add_argument("--quiet", action="store_true", help="no per-disagreement output")
    args = parser.parse_args(argv)
    status = 0
    for seed in range(args.seed, args.seed + args.seeds):
        outcomes, stats = differential.run(args.n, seed)
        text = differential.summary(outcomes, stats)
        bad = [o for o in outcomes if not o.agrees]
        if args.quiet:
            text = "\n".join(text.splitlines()[:2])
        print(f"== seed {seed}\n{text}")
        kinds = Counter(
            ("static-error/keras-builds" if o.static.error else "static-builds/keras-raises")
            if o.static.error != o.keras.raises else ("static-problem" if o.static.problem else "shape-differs")
            for o in bad)
        print(f"   by kind: {dict(kinds)}", flush=True)
        agree = 1 - len(bad) / len(outcomes)
        if agree < differential.REQUIRED_AGREEMENT:
            status = 1
    return status


if __name__ == "__main__":
    raise SystemExit(main())
