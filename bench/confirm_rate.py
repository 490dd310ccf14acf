"""How many error-level findings the checker decides (issue 16): on the rule pages' INVALID examples and on
the public eval cases, lint with confirmation on (no cache) and count confirmed / refuted / unconfirmed, with
every unconfirmed reason.

    python bench/confirm_rate.py [--eval ../shared/eval/cases]
"""
from __future__ import annotations

import argparse
import collections
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from rnnlint.rule import all_rules


def _examples(folder: Path) -> dict[int, Path]:
    """Write the INVALID examples (one folder per Keras major); release-specific ones are left out."""
    out = {}
    for major in (3, 2):
        target = folder / f"keras{major}"
        target.mkdir()
        for rule in all_rules():
            for i, example in enumerate(rule.INVALID, 1):
                if example.target_keras == major and not example.project:
                    (target / f"{rule.code}_{i}.py").write_text(example.source, encoding="utf-8")
        out[major] = target
    return out


def _lint(folder: Path, *extra: str) -> list[dict]:
    done = subprocess.run([sys.executable, "-m", "rnnlint", "--format", "json", "--no-cache", "--show-refuted",
                           "--exit-zero", *extra, "."], cwd=folder, capture_output=True, text=True)
    return json.loads(done.stdout or "[]")


def _count(name: str, findings: list[dict]) -> None:
    errors = [f for f in findings if f["severity"] == "error"]
    statuses = collections.Counter(f["confirmation"]["status"] for f in errors)
    reasons = collections.Counter(f"{f['code']}: {f['confirmation']['detail']}" for f in errors
                                  if f["confirmation"]["status"] == "unconfirmed")
    print(f"{name}: {len(errors)} error-level findings: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    for reason, count in reasons.most_common():
        print(f"  unconfirmed x{count}: {reason[:160]}")
    for f in errors:
        if f["confirmation"]["status"] == "refuted":
            print(f"  refuted: {f['path']}:{f['line']} {f['code']}: {f['confirmation']['detail'][:160]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=None, help="a folder of eval cases (*.py) to lint too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for major, folder in _examples(Path(tmp)).items():
            _count(f"rule examples, Keras {major}", _lint(folder, "--target-keras", str(major)))
    if args.eval is not None:
        _count(f"eval cases ({args.eval})", _lint(args.eval.resolve()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
