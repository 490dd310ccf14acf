"""Time rnnlint against ruff and flake8 on generated corpora and write a report (RESULTS.md in the corpus folder).

For each case (N files, a fraction of them Keras RNN scripts, made by bench/make_corpus.py) every tool runs once
untimed (warm page cache), then `--repeats` times, interleaved (one run of each tool per round, the order
rotated each round) so that the noise of a busy 2-core machine falls on all of them alike. Reported per tool:
median wall time, min–max, files/s and lines/s at the median, peak RSS (the largest `ru_maxrss` of a run, from
os.wait4 — the largest single process of the run's tree, so for `flake8 -j2` the biggest worker or the parent),
and the ratio of rnnlint's median to each peer's median.

Usage:
    python bench/run_bench.py [--cases 5000:0.01,1000:1.0] [--repeats 5] [--corpus-dir /tmp/rnnlint-bench]
                              [--out FILE] [--profile]
`--out` defaults to RESULTS.md in the corpus folder, not bench/RESULTS.md: that file is the measured history of
the project, written by hand from reports like this one, and a run would replace all of it.
`--profile` also runs rnnlint under cProfile on the last case and reports where its time goes.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime
import io
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_corpus


@dataclass
class Tool:
    name: str
    argv: list[str]
    times: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)


RNNLINT = shutil.which("rnnlint") or f"{sys.executable} -m rnnlint"  # --rnnlint overrides
BASELINE: str | None = None  # --baseline: an older rnnlint timed in the same rounds (e.g. the last release)


def tools_for(corpus: str) -> list[Tool]:
    rnnlint = RNNLINT
    baseline = [Tool("rnnlint baseline -j1", [*BASELINE.split(), "--no-confirm", "--no-cache", "--jobs", "1",
                                               "--exit-zero", corpus])] if BASELINE else []
    return baseline + [
        Tool("rnnlint", [*rnnlint.split(), "--no-confirm", "--no-cache", "--exit-zero", corpus]),
        Tool("rnnlint -j1", [*rnnlint.split(), "--no-confirm", "--no-cache", "--jobs", "1", "--exit-zero", corpus]),
        Tool("rnnlint warm", [*rnnlint.split(), "--no-confirm", "--exit-zero", corpus]),
        Tool("ruff ALL", ["ruff", "check", "--isolated", "--select", "ALL", "--no-cache", "--exit-zero", corpus]),
        Tool("ruff default", ["ruff", "check", "--isolated", "--no-cache", "--exit-zero", corpus]),
        Tool("flake8 -j2", ["flake8", "--isolated", "-j2", "--exit-zero", corpus]),
    ]


def tool_env() -> dict[str, str]:
    """As installed tools run: bytecode cached (PYTHONDONTWRITEBYTECODE, if set here, is dropped; the .pyc files
    go to a private PYTHONPYCACHEPREFIX so the source tree is not touched). The untimed first run fills it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = os.path.join(os.environ.get("TMPDIR", "/tmp"), "rnnlint-bench-pycache")
    return env


def run_once(tool: Tool, timed: bool = True) -> None:
    """Run with stdout/stderr to /dev/null; wall time and the run's peak RSS (ru_maxrss of wait4, KiB)."""
    start = time.perf_counter()
    proc = subprocess.Popen(tool.argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=tool_env(),
                            cwd=os.path.dirname(tool.argv[-1]))  # a result cache lands next to the corpus
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if timed:
        tool.times.append(elapsed)
        tool.rss_kb.append(usage.ru_maxrss)
        tool.statuses.append(proc.returncode)


def count_lines(corpus: str) -> tuple[int, int]:
    files = lines = 0
    for folder, _, names in os.walk(corpus):
        for name in names:
            if name.endswith(".py"):
                files += 1
                with open(os.path.join(folder, name), "rb") as handle:
                    lines += handle.read().count(b"\n")
    return files, lines


def statistics_line(corpus: str) -> str:
    """The findings of a static run over the corpus, per code (from `--statistics --format json`: one entry per
    code with its count)."""
    import json

    out = subprocess.run([*RNNLINT.split(), "--no-confirm", "--no-cache", "--statistics", "--format", "json",
                          corpus], check=False, capture_output=True, text=True)
    try:
        counts = {entry["code"]: entry["count"] for entry in json.loads(out.stdout or "[]")}
    except (ValueError, TypeError, KeyError):
        return f"? (exit {out.returncode}: {out.stderr.strip()[-200:]})"
    summary = ", ".join(f"{code} {n}" for code, n in sorted(counts.items()))
    return f"{sum(counts.values())} findings ({summary or 'none'})"


def version(argv: list[str]) -> str:
    try:
        return subprocess.run(argv, check=False, capture_output=True, text=True).stdout.strip().splitlines()[0]
    except (OSError, IndexError):
        return "?"


def bench_case(files: int, fraction: float, repeats: int, corpus_dir: str) -> dict:
    corpus = os.path.join(corpus_dir, f"corpus_{files}_{fraction:g}")
    made = make_corpus.make(corpus, files, fraction, seed=0)
    n_files, n_lines = count_lines(corpus)
    tools = tools_for(corpus)
    for tool in tools:
        run_once(tool, timed=False)
    for round_ in range(repeats):
        shift = round_ % len(tools)
        for tool in tools[shift:] + tools[:shift]:
            run_once(tool, timed=True)
            print(f"  {files}:{fraction:g} round {round_ + 1} {tool.name}: {tool.times[-1]:.2f}s "
                  f"(exit {tool.statuses[-1]})", flush=True)
    return {"files": n_files, "lines": n_lines, "keras_files": made["keras_files"], "tools": tools,
            "corpus": corpus, "stats": statistics_line(corpus)}


def profile_case(corpus: str, sample: int = 150) -> str:
    """Run rnnlint in-process under cProfile on the first `sample` files (sorted) of the corpus; the share of
    time in libcst parsing, libcst metadata, our analysis, shapes and rules."""
    from rnnlint.engine import lint_paths
    from rnnlint.settings import Settings

    files = sorted(os.path.join(folder, name) for folder, _, names in os.walk(corpus)
                   for name in names if name.endswith(".py"))[:sample]
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    lint_paths(files, Settings(confirm=False, use_cache=False))
    profiler.disable()
    wall = time.perf_counter() - start
    stats = pstats.Stats(profiler, stream=io.StringIO())
    total = max(v[3] for v in stats.stats.values())  # cumulative time of the outermost call

    def cum(module_part: str, function: str) -> float:
        return sum(v[3] for (path, _, name), v in stats.stats.items()
                   if module_part in path and name == function)

    builtin = {name: v[3] for (path, _, name), v in stats.stats.items() if path == "~"}
    parse = builtin.get("<built-in method builtins.compile>", 0.0)  # CPython's parser (the analyzer's ast)
    libcst_parse = cum("libcst/_parser/entrypoints", "parse_module")
    metadata = cum("libcst/metadata/wrapper", "resolve")
    analyze = cum("rnnlint/analyze/__init__", "analyze_source")
    propagate = cum("rnnlint/engine", "_propagate")
    lint = cum("rnnlint/engine", "_lint")
    rules = lint - analyze - propagate
    evaluator = analyze - parse - libcst_parse - metadata
    by_provider = []
    for (path, _, name), v in stats.stats.items():
        if "libcst/metadata" in path and name.startswith("visit_Module") and v[3] > 0.01 * total:
            by_provider.append((os.path.basename(path), v[3]))
    rows = [
        ("parsing: CPython's parser (`compile(..., PyCF_ONLY_AST)`)", parse),
        ("libcst parse (native parser), when the analyzer used libcst", libcst_parse),
        ("libcst metadata (positions, scopes, qualified names), idem", metadata),
        ("our analysis (evaluator → IR)", evaluator),
        ("shape propagation", propagate),
        ("rules, suppression, sorting", rules),
        ("everything else (discovery, reading, prefilter, report)", total - lint),
    ]
    out = [(f"cProfile, in-process, `lint_paths` on {len(files)} files of the {os.path.basename(corpus)} corpus: "
           f"{wall:.1f} s wall under "
           "the profiler (profiling inflates Python-heavy code more than native code)."), "",
           "| stage | time (s) | share |", "|---|---:|---:|"]
    out += [f"| {label} | {seconds:.2f} | {seconds / total:.0%} |" for label, seconds in rows]
    if by_provider:
        out += ["", "Metadata, by provider visit (cumulative, overlapping): " +
                ", ".join(f"{name} {seconds:.2f} s" for name, seconds in sorted(by_provider, key=lambda r: -r[1]))]
    return "\n".join(out)


def stage_times(corpus: str) -> str:
    """In-process: discovery, then each file's `lint_file`, summed separately for prefiltered and linted files."""
    from rnnlint.config import discover_files
    from rnnlint.engine import lint_file
    from rnnlint.settings import Settings

    settings = Settings(confirm=False, use_cache=False)
    start = time.perf_counter()
    files = discover_files([corpus], settings)
    discovery = time.perf_counter() - start
    skipped = linted = 0.0
    n_linted = 0
    for path in files:
        start = time.perf_counter()
        result = lint_file(path, settings)
        elapsed = time.perf_counter() - start
        if result.skipped:
            skipped += elapsed
        else:
            linted += elapsed
            n_linted += 1
    n_skipped = len(files) - n_linted
    per_skipped = f"{skipped / n_skipped * 1e6:.0f} µs/file" if n_skipped else "—"
    per_linted = f"{linted / n_linted * 1e3:.0f} ms/file" if n_linted else "—"
    return (f"| {os.path.basename(corpus)} | {len(files):,} | {discovery:.2f} | {n_skipped:,} in {skipped:.2f} "
            f"({per_skipped}) | {n_linted:,} in {linted:.2f} ({per_linted}) |")


def profile_sections(corpora: list[str]) -> str:
    """Where the time goes: per-stage wall times for every case, and a cProfile of the last (parse-bound) one."""
    out = ["## Where rnnlint's time goes", "",
           ("In-process wall times (one run, `--jobs 1`, no cache; the first linted file also pays for the "
            "analyzer's imports):"), "",
           "| corpus | files | discovery (s) | prefiltered: files in s | linted: files in s |",
           "|---|---:|---:|---:|---:|"]
    out += [stage_times(corpus) for corpus in corpora]
    out += ["", profile_case(corpora[-1]), ""]
    return "\n".join(out)


def fmt_rss(kb: int) -> str:
    return f"{kb / 1024:.0f} MB"


def render(results: list[dict], repeats: int, profile: str | None, argv: list[str]) -> str:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as handle:
            cpu = next(line.split(":", 1)[1].strip() for line in handle if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    from rnnlint import __version__

    out = ["# rnnlint benchmark", "",
           (f"Generated by `python bench/run_bench.py {' '.join(argv)}` on "
           f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC."),
           (f"Machine: {os.cpu_count()} CPUs ({cpu}), Python {platform.python_version()}, {platform.system()}; "
           "other work was running on it (ratios are what to read, not absolute times)."),
           (f"Tools: rnnlint {__version__}, {version(['ruff', '--version'])}, "
           f"flake8 {version(['flake8', '--version']).split(' ')[0]}."), "",
           (f"Each tool ran once untimed, then {repeats} times interleaved (order rotated each round). "
           "Times are wall-clock medians; peak RSS is the largest `ru_maxrss` over the runs "
           "(largest single process of the run, via `os.wait4`). Bytecode caching on for every tool "
           "(this machine sets PYTHONDONTWRITEBYTECODE=1; the bench drops it and uses a private PYTHONPYCACHEPREFIX, "
           "as an installed package has its .pyc files)."), ""]
    for result in results:
        tools = result["tools"]
        med = {t.name: statistics.median(t.times) for t in tools}
        rn = med["rnnlint"]
        out += [(f"## {result['files']:,} files, {result['keras_files']:,} Keras RNN scripts "
                f"({result['keras_files'] / result['files']:.0%}), {result['lines']:,} lines"), "",
                "| tool | median (s) | min–max (s) | files/s | lines/s | peak RSS | rnnlint ÷ tool |",
                "|---|---:|---:|---:|---:|---:|---:|"]
        for t in tools:
            m = med[t.name]
            out.append(f"| {t.name} | {m:.2f} | {min(t.times):.2f}–{max(t.times):.2f} | "
                       f"{result['files'] / m:,.0f} | {result['lines'] / m:,.0f} | {fmt_rss(max(t.rss_kb))} | "
                       f"{'—' if t.name.startswith('rnnlint') else f'{rn / m:.2f}×'} |")
        variants = [f"{t.name} ÷ rnnlint = {med[t.name] / rn:.2f}×" for t in tools
                    if t.name.startswith("rnnlint") and t.name != "rnnlint"]
        if "rnnlint baseline -j1" in med:
            variants.insert(0, f"**rnnlint -j1 ÷ rnnlint baseline -j1 = "
                               f"{med['rnnlint -j1'] / med['rnnlint baseline -j1']:.2f}×**")
        if variants:
            out += ["", "rnnlint variants: " + "; ".join(variants) + " (`rnnlint` = cold: `--no-cache`, default "
                    "`--jobs` = the available cores; `-j1` = in-process; `warm` = the same command again: the replay of "
                    "its report (rnnlint/replay.py) — recorded by the untimed first run, or by the first timed one "
                    "when the corpus was written less than 2 s before (then that run is the run index's, the max))."]
        failed = [f"{t.name}: {t.statuses}" for t in tools if any(t.statuses)]
        if failed:  # every command runs with --exit-zero: anything else is a crash or a kill
            out += ["", "**Runs that did not exit 0 (their times are suspect):** " + "; ".join(failed)]
        out += ["", f"rnnlint --statistics: {result['stats']}", "", "Commands (the corpus path as generated):",
                "```"]
        out += [" ".join(t.argv) + " > /dev/null" for t in tools]
        out += ["```", ""]
    if profile:
        out += [profile]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", default="5000:0.01,1000:1.0",
                        help="comma-separated FILES:KERAS_FRACTION (default: 5000:0.01,1000:1.0)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--corpus-dir", default=os.path.join(os.environ.get("TMPDIR", "/tmp"), "rnnlint-bench"))
    parser.add_argument("--out", default=None, help="the report (default: RESULTS.md in the corpus folder)")
    parser.add_argument("--profile", action="store_true",
                        help="also report per-stage times for every case and a cProfile of the last case")
    parser.add_argument("--append-profile", action="store_true",
                        help="skip the timings: (re)make the corpora, append the --profile sections to --out")
    parser.add_argument("--rnnlint", default=None,
                        help="the rnnlint command to time (default: `rnnlint` on PATH), e.g. to time a checkout")
    parser.add_argument("--baseline", default=None,
                        help="another rnnlint command timed in the same rounds (e.g. `env PYTHONPATH=/old/checkout "
                             "python -m rnnlint`), for before/after ratios")
    args = parser.parse_args()
    global RNNLINT, BASELINE
    if args.rnnlint:
        RNNLINT = args.rnnlint
    BASELINE = args.baseline
    if args.out is None:
        os.makedirs(args.corpus_dir, exist_ok=True)
        args.out = os.path.join(args.corpus_dir, "RESULTS.md")
    if args.append_profile:
        corpora = []
        for case in args.cases.split(","):
            files, fraction = case.split(":")
            corpus = os.path.join(args.corpus_dir, f"corpus_{files}_{float(fraction):g}")
            if not os.path.isdir(corpus):
                make_corpus.make(corpus, int(files), float(fraction), seed=0)
            corpora.append(corpus)
        text = profile_sections(corpora)
        with open(args.out, "a", encoding="utf-8") as handle:
            handle.write(f"\n<!-- appended by `python bench/run_bench.py {' '.join(sys.argv[1:])}` -->\n{text}")
        print(text)
        return
    results = []
    for case in args.cases.split(","):
        files, fraction = case.split(":")
        print(f"case {files} files, Keras fraction {fraction}", flush=True)
        results.append(bench_case(int(files), float(fraction), args.repeats, args.corpus_dir))
    profile = profile_sections([r["corpus"] for r in results]) if args.profile else None
    text = render(results, args.repeats, profile, sys.argv[1:])
    with open(args.out, "w", encoding="utf-8") as handle:
        handle.write(text)
    print(text)
    print(f"(written to {args.out})")


if __name__ == "__main__":
    main()
