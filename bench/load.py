"""Load test (issue 9.5): lint a large generated tree with `--jobs 2` and confirmation on, cold cache; report
wall time and peak memory; then kill a run midway and check that the next run is correct.

    python bench/load.py [--files 10000] [--keras-fraction 1.0] [--jobs 2] [--kill-after 0.5] [--work DIR]

Steps, each a subprocess `rnnlint --format json --jobs J --exit-zero TREE`:
1. reference: cold, `--no-cache` (nothing read, nothing written);
2. killed: cold cache, SIGKILL to the whole process group (rnnlint, its pool workers and the Keras worker)
   once the cache holds `--kill-after` × the number of Keras files' entries;
3. killed again, 5 s after the Keras worker started (during confirmation);
4. after the kills: the same command again, on the cache the killed runs left; its output must equal step 1's,
   and every cache entry must verify and parse;
5. warm: once more, all from the cache; its output must equal step 1's.

With `--peers`, ruff and flake8 -j2 run on the same tree, for the ratios.

Memory: the resident set of the whole process tree (rnnlint + pool workers + the Keras worker), summed, sampled
every 0.1 s from /proc (Linux), and the largest single process. Prints a Markdown table.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_corpus import make  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Run:
    seconds: float
    peak_tree_mb: float
    peak_process_mb: float
    returncode: int
    out: str
    err: str


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as stream:
                    fields = stream.read().rsplit(b")", 1)[1].split()
                tree.setdefault(int(fields[1]), []).append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return tree


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm", "rb") as stream:
            return int(stream.read().split()[1]) * PAGE / 2**20
    except (OSError, IndexError, ValueError):
        return 0.0


WORKER = "rnnlint.confirm.worker"


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (children, grandchildren…), from /proc."""
    children, todo, out = _children(), [pid], []
    while todo:
        for child in children.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as stream:
            return stream.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def tree_rss(root: int) -> tuple[float, float]:
    """(sum, max) of the resident sets of `root` and all its descendants, in MiB."""
    sizes = [_rss_mb(pid) for pid in (root, *descendants(root))]
    return sum(sizes), max(sizes)


def run(command: list[str], cwd: Path, stop_when=None) -> Run:
    """Run `command` in its own process group, sampling memory; SIGKILL the group once `stop_when(pid)` is
    true."""
    start = time.perf_counter()
    out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    proc = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, start_new_session=True)
    peak_tree = peak_process = 0.0
    while proc.poll() is None:
        total, largest = tree_rss(proc.pid)
        peak_tree, peak_process = max(peak_tree, total), max(peak_process, largest)
        if stop_when is not None and stop_when(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            break
        time.sleep(0.1)
    seconds = time.perf_counter() - start
    out.seek(0), err.seek(0)
    return Run(seconds, peak_tree, peak_process, proc.returncode, out.read().decode(), err.read().decode())


def entries(cache: Path) -> list[Path]:
    """The cache entries (not the temporary files of a write cut short: those are never read)."""
    found = list(cache.glob("results/*.json")) + list(cache.glob("confirm/*.json"))
    return [p for p in found if not p.name.startswith(".tmp-")]


def temporaries(cache: Path) -> int:
    return len(list(cache.glob("*/.tmp-*")))


def check_cache(cache: Path) -> tuple[int, int]:
    """(entries, bad entries): each entry must verify under the user's key and be JSON."""
    from rnnlint.cachedir import verified

    bad = 0
    found = entries(cache)
    for path in found:
        try:
            text = verified(path.read_text(encoding="utf-8"))
            json.loads(text if text is not None else "")
        except (OSError, ValueError):
            bad += 1
    return len(found), bad


def summary(out: str) -> str:
    findings = json.loads(out)
    statuses = Counter(f["confirmation"]["status"] for f in findings)
    return f"{len(findings)} findings ({', '.join(f'{n} {s}' for s, n in sorted(statuses.items()))})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--keras-fraction", type=float, default=1.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--kill-after", type=float, default=0.5, help="fraction of the Keras files cached")
    parser.add_argument("--seed", type=int, default=9)
    parser.add_argument("--work", help="folder for the tree (default: a temporary one, removed after)")
    parser.add_argument("--peers", action="store_true", help="also time ruff and flake8 -j2 on the same tree")
    args = parser.parse_args()
    work = Path(args.work or tempfile.mkdtemp(prefix="rnnlint-load-"))
    tree = work / "tree"
    if tree.exists():
        shutil.rmtree(tree)
    made = make(str(tree), args.files, args.keras_fraction, args.seed)
    keras_files = made["keras_files"]
    cache = tree / ".rnnlint_cache"
    command = [sys.executable, "-m", "rnnlint", "--format", "json", "--jobs", str(args.jobs), "--exit-zero", "."]

    rows = []
    reference = run([*command[:-1], "--no-cache", "."], tree)
    rows.append(("1. reference, `--no-cache`", reference, summary(reference.out)))
    assert not cache.exists(), "--no-cache wrote a cache"

    target = max(1, int(keras_files * args.kill_after))
    killed = run(command, tree, stop_when=lambda _pid: len(entries(cache)) >= target)
    n, bad = check_cache(cache)
    rows.append((f"2. killed (SIGKILL to the group at ≥{target} result entries)", killed,
                 f"exit {killed.returncode}; cache left: {n} entries, {bad} bad, "
                 f"{temporaries(cache)} temporary files"))

    started: list[float] = []

    def confirming(pid: int) -> bool:  # the Keras worker has been building for 5 s
        if not started:
            if any(WORKER in cmdline(child) for child in descendants(pid)):
                started.append(time.monotonic())
            return False
        return time.monotonic() - started[0] > 5

    during = run(command, tree, stop_when=confirming)
    n, bad = check_cache(cache)
    rows.append(("3. killed again, 5 s into confirmation", during,
                 f"exit {during.returncode}; cache left: {n} entries, {bad} bad, "
                 f"{temporaries(cache)} temporary files"))

    after = run(command, tree)
    n, bad = check_cache(cache)
    same = after.out == reference.out
    rows.append(("4. after the kills", after, f"{summary(after.out)}; equals reference: {same}; "
                                            f"cache: {n} entries, {bad} bad"))
    warm = run(command, tree)
    peers = []
    if args.peers:
        static = run([sys.executable, "-m", "rnnlint", "--no-confirm", "--no-cache", "--jobs", str(args.jobs),
                      "--exit-zero", "--quiet", "."], tree)
        peers.append(("rnnlint --no-confirm --no-cache", static))
    for name, peer in (("ruff", ["ruff", "check", "--no-cache", "--exit-zero", "--quiet", "."]),
                       ("flake8 -j2", ["flake8", "-j", "2", "--exit-zero", "."])):
        if args.peers and shutil.which(peer[0]):
            peers.append((name, run(peer, tree)))
    rows.append(("5. warm", warm, f"{summary(warm.out)}; equals reference: {warm.out == reference.out}"))

    print(f"\n{args.files} files ({keras_files} Keras), `--jobs {args.jobs}`, confirmation on, "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} cores\n")
    print("| run | wall s | peak RSS, whole tree (MB) | peak RSS, one process (MB) | result |")
    print("|---|---|---|---|---|")
    for name, result, note in rows:
        print(f"| {name} | {result.seconds:.1f} | {result.peak_tree_mb:.0f} | {result.peak_process_mb:.0f} | {note} |")
    for name, result in peers:
        print(f"| `{name}` | {result.seconds:.1f} | {result.peak_tree_mb:.0f} | {result.peak_process_mb:.0f} | "
              f"step 1 took {reference.seconds / result.seconds:.1f}× as long |")
    ok = same and warm.out == reference.out and bad == 0
    for result in (reference, after, warm):
        if "Traceback" in result.err:
            print(result.err[-3000:], file=sys.stderr)
            ok = False
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)
    print("\nOK" if ok else "\nFAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
