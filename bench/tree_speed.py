"""rnnlint against ruff on a real tree, in the same run: cold, warm (unchanged tree: a replay; a new command line:
the run index) and warm after one edit.

    python bench/tree_speed.py /work/realcode [--rounds 3] [--edit FILE]

Each round runs, interleaved (the order rotated every round, so the noise of a busy machine falls on all alike):
- `ruff check --isolated --no-cache -q TREE`
- `rnnlint --no-confirm --no-cache -q TREE` (cold: nothing cached)
- `rnnlint --no-confirm -q TREE` twice from a fresh cache folder: the first run fills the cache and the run index
  (cold with cache), the second is the warm run on the unchanged tree;
- a third run with a command line the cache has no report of (`--exit-zero`): no replay (rnnlint.replay keys its
  records by command line), so the run index answers the unchanged files;
- with `--edit FILE`: one more warm run after appending a comment line to FILE (restored afterwards), which
  re-decides what that change can change (the file, its importers, the skipped files).
Reported: median wall time and peak RSS (ru_maxrss of the run, the largest process of its tree) per command, and
the ratios rnnlint cold ÷ ruff and warm ÷ cold. The cache lives in a temporary working folder; the tree is given
by absolute path, so nothing is written into it (except the edit, undone).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from rnnlint.replay import RACY_NS


def timed(argv: list[str], cwd: str) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"{' '.join(argv)}: exit {os.waitstatus_to_exitcode(status)}")
    return elapsed, usage.ru_maxrss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--edit", help="a file of the tree to touch for the warm-after-edit run")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter whose rnnlint to time (default: this one); e.g. a venv with a regular "
                             "`pip install .`, which starts ~15 ms sooner than an editable install's import hook")
    parser.add_argument("--bytecode", action="store_true",
                        help="run rnnlint with Python's bytecode cache, as a pip install has it, even where the "
                             "environment sets PYTHONDONTWRITEBYTECODE (an untimed first run writes it); without "
                             "it, such an environment recompiles rnnlint's ~50 modules on every run (~0.09 s)")
    args = parser.parse_args(argv)
    if args.bytecode:
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    tree = os.path.abspath(args.tree)
    rnnlint = [args.python, "-m", "rnnlint", "--no-confirm", "-q"]
    results: dict[str, list[tuple[float, int]]] = {}
    work = tempfile.mkdtemp(prefix="rnnlint-tree-speed-")
    env_key = os.path.join(work, "cache-key")
    os.environ["RNNLINT_CACHE_KEY_FILE"] = env_key  # a private signing key for this benchmark's cache
    try:
        timed(["ruff", "check", "--isolated", "--no-cache", "-q", tree], work)  # warm the page cache
        timed(rnnlint + ["--no-cache", tree], work)  # and rnnlint's imports (with --bytecode: writes the cache)
        for round_ in range(args.rounds):
            steps = ["ruff", "cold", "cached"]
            steps = steps[round_ % 3:] + steps[:round_ % 3]
            for step in steps:
                if step == "ruff":
                    results.setdefault("ruff check --no-cache", []).append(
                        timed(["ruff", "check", "--isolated", "--no-cache", "-q", tree], work))
                elif step == "cold":
                    results.setdefault("rnnlint cold (--no-cache)", []).append(timed(rnnlint + ["--no-cache", tree], work))
                else:
                    cache = os.path.join(work, ".rnnlint_cache")
                    shutil.rmtree(cache, ignore_errors=True)
                    results.setdefault("rnnlint cold, filling the cache", []).append(timed(rnnlint + [tree], work))
                    results.setdefault("rnnlint warm (unchanged tree)", []).append(timed(rnnlint + [tree], work))
                    results.setdefault("rnnlint warm, new command line", []).append(
                        timed(rnnlint + ["--exit-zero", tree], work))
                    if args.edit:
                        with open(args.edit, "rb") as handle:
                            original = handle.read()
                        try:
                            with open(args.edit, "ab") as handle:
                                handle.write(b"\n# edited by bench/tree_speed.py\n")
                            results.setdefault("rnnlint warm after editing one file", []).append(
                                timed(rnnlint + [tree], work))
                        finally:
                            with open(args.edit, "wb") as handle:
                                handle.write(original)
                        # the next round's run that fills the cache would otherwise write no replay record (an input
                        # changed less than rnnlint.replay.RACY_NS before it started), and its warm run would miss
                        time.sleep(RACY_NS / 1e9 + 0.1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    medians = {name: statistics.median(t for t, _ in runs) for name, runs in results.items()}
    bytecode = "on" if not os.environ.get("PYTHONDONTWRITEBYTECODE") else "off (PYTHONDONTWRITEBYTECODE)"
    print(f"{tree}: {args.rounds} rounds, interleaved; Python's bytecode cache {bytecode}")
    print(f"{'command':40} {'median s':>9} {'min-max s':>13} {'peak RSS':>9}")
    for name, runs in results.items():
        times = [t for t, _ in runs]
        print(f"{name:40} {medians[name]:9.2f} {min(times):6.2f}-{max(times):<6.2f} {max(r for _, r in runs) // 1024:6d} MB")
    ruff = medians["ruff check --no-cache"]
    cold = medians["rnnlint cold (--no-cache)"]
    print(f"rnnlint cold ÷ ruff: {cold / ruff:.2f}×; warm ÷ cold: {medians['rnnlint warm (unchanged tree)'] / cold:.3f}×"
          + (f"; warm after an edit ÷ cold: {medians['rnnlint warm after editing one file'] / cold:.3f}×"
             if args.edit else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
