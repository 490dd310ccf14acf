"""The command line: `rnnlint [PATH ...]`. Parses options, calls the engine, prints a report, picks the exit status.

Start-up stays lean: --help and --version import neither libcst nor TensorFlow (the engine is imported lazily); a
replayed run (rnnlint.launch, rnnlint.replay) does not import this module.
"""
from __future__ import annotations

import sys

from rnnlint import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_INTERRUPTED = 130
NO_CACHE = "--no-cache"  # looked for as written before parsing (rnnlint.launch): an abbreviation only costs the
# replay look-up

TYPE_CHECKING = False
if TYPE_CHECKING:
    import argparse
    from collections.abc import Sequence


DESCRIPTION = """\
A static linter for Keras recurrent-network code (LSTM, GRU, SimpleRNN, ConvLSTM, Bidirectional).
It finds the models your code builds, propagates tensor shapes through them without running anything,
and reports the mistakes that make Keras fail or train the wrong thing; each finding is then confirmed by
building the model with the Keras installed on this machine (your code is never imported or run)."""

EPILOG = """\
examples:
  rnnlint                          lint every .py/.ipynb file under the current folder
  rnnlint train.py models/         lint a file and a folder
  rnnlint --select RNN001,RNN003   only these rules (codes, prefixes like RNN00, or rule names)
  rnnlint --ignore RNN006 src/     every default rule except RNN006
  rnnlint --format json . > out.json
  rnnlint --list-rules             the rule table
  rnnlint --explain RNN001         what a rule flags, why, and what to write instead
  rnnlint --fix .                  apply the safe fixes in place, then report what is left
  rnnlint --diff --unsafe-fixes .  show every fix (safe and unsafe) as a diff; write nothing

suppression:
  x = LSTM(8)(x)  # noqa: RNN001           on the flagged line (a multi-line call: its first line)
  x = LSTM(8)(x)  # rnnlint: disable=RNN001
  # rnnlint: noqa: RNN006                  anywhere in a file: for the whole file

exit status:
  0  nothing reported at or above the fail level
  1  findings were reported
  2  usage error, unreadable configuration, or an internal error"""

ENGINE_CODES = {
    "syntax-error": "the file does not parse as Python; nothing else in it is checked.",
    "unreadable-file": "the file cannot be read or decoded (binary, undecodable, permission denied).",
    "internal-error": "rnnlint itself failed on this file (analyzer, shapes or a rule); please report it.",
    "analysis-limit": "the file was not analysed: larger than 1,000,000 characters, nested too deeply, or over "
                      "the 10 s per-file time limit.",
}


class UsageError(Exception):
    """Bad command-line input: reported in one line, exit status 2."""


def _csv(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def _jobs(value: str) -> int:
    import argparse

    try:
        jobs = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid number of jobs: {value!r}") from None
    if jobs < 1:
        raise argparse.ArgumentTypeError("--jobs must be at least 1")
    return jobs


def build_parser() -> argparse.ArgumentParser:
    import argparse

    parser = argparse.ArgumentParser(
        prog="rnnlint", description=DESCRIPTION, epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,  # `--output json` must not quietly mean --output-file
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or folders to lint (default: .); - reads standard input")
    parser.add_argument("--stdin-filename", metavar="NAME",
                        help="lint standard input as if it were the file NAME (its configuration, per-file ignores "
                             "and notebook format apply); with --fix the fixed text is printed")
    rules = parser.add_argument_group("rule selection")
    rules.add_argument("--select", action="append", type=_csv, metavar="CODES",
                       help="comma-separated rule codes, prefixes or names to enable (replaces the default set; "
                            "ALL: every rule)")
    rules.add_argument("--extend-select", action="append", type=_csv, metavar="CODES",
                       help="rules to enable on top of the selection")
    rules.add_argument("--ignore", action="append", type=_csv, metavar="CODES",
                       help="comma-separated rule codes, prefixes or names to disable")
    rules.add_argument("--extend-ignore", action="append", type=_csv, metavar="CODES",
                       help="rules to disable on top of --ignore and the configuration's ignore")
    config = parser.add_argument_group("configuration ([tool.rnnlint] in pyproject.toml, or rnnlint.toml)")
    config.add_argument("--config", metavar="PATH",
                        help="use this configuration file for every path (default: the closest one above each file)")
    config.add_argument("--isolated", action="store_true", help="ignore all configuration files")
    config.add_argument("--no-respect-gitignore", dest="respect_gitignore", action="store_const", const=False,
                        default=None, help="also lint files that .gitignore excludes")
    config.add_argument("--force-exclude", action="store_true",
                        help="apply exclude patterns and .gitignore to files named on the command line too "
                             "(for pre-commit and editors)")
    rules.add_argument("--target-keras", "--keras", dest="target_keras", type=int, choices=(2, 3), metavar="{2,3}",
                       help="the Keras major version to check against (default: the installed Keras, else 3)")
    out = parser.add_argument_group("output")
    out.add_argument("--output-format", "--format", dest="format",
                     choices=("text", "json", "github", "sarif", "junit"), default="text",
                     help="output format (default: text): json, github (workflow annotations), sarif (2.1.0), junit")
    out.add_argument("--output-file", metavar="PATH", help="write the report to this file instead of stdout")
    out.add_argument("-q", "--quiet", action="store_true",
                     help="text format: print the findings only (no notes, no summary line)")
    out.add_argument("--no-show-source", dest="show_source", action="store_false",
                     help="do not print the source line under each finding")
    out.add_argument("--show-source", dest="show_source", action="store_true",
                     help="print the source line under each finding (the default)")
    out.add_argument("--exit-zero", action="store_true", help="exit 0 even when findings are reported")
    out.add_argument("--statistics", action="store_true",
                     help="print findings per rule (count, code, fixable, name) instead of the findings")
    parser.add_argument("-j", "--jobs", type=_jobs, default=None, metavar="N",
                        help="analyse files in N worker processes (default: the cores not kept busy by other processes; "
                             "1: no workers; small runs never start workers)")
    out.add_argument("--fail-on", choices=("error", "warning", "info"), default=None,
                     help="lowest severity that makes the exit status 1 (default: info, i.e. any finding)")
    checker = parser.add_argument_group("confirmation with the real Keras")
    checker.add_argument("--no-confirm", dest="confirm", action="store_false",
                         help="do not build flagged models with Keras (faster; findings stay unconfirmed)")
    checker.add_argument(NO_CACHE, dest="use_cache", action="store_false",
                         help="do not read or write the caches in .rnnlint_cache/ (results and confirmations)")
    checker.add_argument("--show-refuted", action="store_true",
                         help="also show findings that Keras refuted (built fine)")
    checker.add_argument("--confirm-timeout", type=float, metavar="SECONDS",
                         help="time limit for building one model with Keras (default: 20)")
    checker.add_argument("--show-repro", action="store_true",
                         help="print a minimal standalone Keras script that reproduces each confirmed finding")
    fixes = parser.add_argument_group("fixes")
    fixes.add_argument("--fix", action="store_true",
                       help="apply safe fixes in place, then report what remains (notebooks: only the changed code cells)")
    fixes.add_argument("--unsafe-fixes", action="store_true",
                       help="with --fix or --diff: also apply unsafe fixes (they may change what the model does)")
    fixes.add_argument("--diff", action="store_true",
                       help="print a unified diff of what --fix would change and write nothing "
                            "(exit 1 if there would be changes)")
    fixes.add_argument("--show-fixes", action="store_true",
                       help="list the fixes that were applied (with --fix) or that --fix would apply")
    fixes.add_argument("--exit-non-zero-on-fix", action="store_true",
                       help="with --fix: exit 1 when something was fixed, even if nothing remains")
    info = parser.add_argument_group("information")
    info.add_argument("--version", action="version", version=f"rnnlint {__version__}")
    info.add_argument("--list-rules", action="store_true", help="print the rule table and exit")
    info.add_argument("--explain", metavar="CODE", help="print a rule's documentation and exit")
    info.add_argument("--show-models", action="store_true",
                      help="print every model found: layers with output shapes, pattern, data at fit (no Keras run)")
    info.add_argument("--lsp", action="store_true",
                      help="run the language server on stdin/stdout (for editors; needs the 'lsp' extra: pygls)")
    return parser


def _flatten(groups: list[list[str]] | None) -> tuple[str, ...] | None:
    if groups is None:
        return None
    return tuple(item for group in groups for item in group)


def _settings(args: argparse.Namespace):
    from rnnlint.settings import Settings, unknown_selectors

    select = _flatten(args.select)
    extend = _flatten(args.extend_select) or ()
    ignore = (_flatten(args.ignore) or ()) + (_flatten(args.extend_ignore) or ())
    for option, selectors in (("--select", select or ()), ("--extend-select", extend), ("--ignore", ignore)):
        unknown = unknown_selectors(selectors)
        if unknown:
            raise UsageError(f"unknown rule selector {unknown[0]!r} in {option} (see rnnlint --list-rules)")
    settings = Settings(
        select=select, extend_select=extend, ignore=ignore, target_keras=args.target_keras, confirm=args.confirm,
        use_cache=args.use_cache, show_refuted=args.show_refuted, fail_on=args.fail_on or "info",
        output_format=args.format, show_source=args.show_source,
    )
    from rnnlint.config import Overrides, configure  # [tool.rnnlint]: raises ConfigError (exit 2)

    overrides = Overrides(select=select, extend_select=extend, ignore=ignore, target_keras=args.target_keras)
    paths = [args.stdin_filename] if _reads_stdin(args) and args.stdin_filename else list(args.paths or ["."])
    return configure(settings, overrides, paths, config_file=args.config,
                     isolated=args.isolated, fail_on=args.fail_on, respect_gitignore=args.respect_gitignore,
                     force_exclude=args.force_exclude, confirm_timeout=args.confirm_timeout)


def list_rules(stream) -> int:
    from rnnlint.rule import rule_table

    rows = [("code", "name", "severity", "fix", "what it flags"), *rule_table()]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    for row in rows:
        stream.write("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:4])) + "  " + row[4] + "\n")
    return EXIT_OK


def explain(code: str, stream) -> int:
    from rnnlint.rule import rule_by_code

    if code.strip().upper() == "RNN000":
        stream.write("RNN000: problems rnnlint reports about a file rather than about a model\n\n")
        for name, text in ENGINE_CODES.items():
            stream.write(f"  {name}: {text}\n")
        return EXIT_OK
    rule = rule_by_code(code)
    if rule is None:
        raise UsageError(f"unknown rule {code!r} (see rnnlint --list-rules)")
    state = "" if rule.default_enabled else ", off by default"
    stream.write(f"{rule.code} ({rule.name}) [{rule.severity}{state}]\n\n{rule.doc()}\n")
    return EXIT_OK


def exit_status(result, settings, exit_zero: bool) -> int:
    """2 on an internal error; else 1 when a shown, non-refuted finding reaches the fail level; else 0."""
    if result.internal_error:
        return EXIT_ERROR
    failing = [f for f in result.findings if f.confirmation.status != "refuted" and settings.fails(f.severity)]
    return EXIT_FINDINGS if failing and not exit_zero else EXIT_OK


def _fix(args: argparse.Namespace, settings, resolver):
    """--fix: fix the files and return the FixRun (the caller then reports what remains).
    --diff: print the diff, write nothing, and return the exit status (1 when there would be changes)."""
    from rnnlint.discover import PathNotFound
    from rnnlint.fix import fix_paths, unified_diff

    if not (args.fix or args.diff):
        raise UsageError("--exit-non-zero-on-fix needs --fix (or --diff)")
    try:
        fixing = fix_paths(args.paths or ["."], settings, unsafe=args.unsafe_fixes, write=not args.diff,
                           resolver=resolver)
    except PathNotFound as exc:
        raise UsageError(str(exc)) from None
    for file_fix in fixing.errors:
        print(f"rnnlint: error: {file_fix.path}: {file_fix.error}", file=sys.stderr)
    for note in fixing.notes:
        print(f"rnnlint: note: {note}", file=sys.stderr)
    if not args.diff:
        return fixing
    for file_fix in fixing.changed:
        sys.stdout.write(unified_diff(file_fix.path, file_fix.original, file_fix.text))
    count, files = fixing.fixed_count, len(fixing.changed)
    if count:
        print(f"Would fix {count} problem{'s' if count != 1 else ''} in {files} file{'s' if files != 1 else ''}.",
              file=sys.stderr)
    else:
        print("No fixes available.", file=sys.stderr)
    if fixing.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if fixing.changed else EXIT_OK


def _after_fix(fixing, status: int, args: argparse.Namespace) -> int:
    """--fix: the exit status (the report's summary already said how many were fixed)."""
    count = fixing.fixed_count
    if fixing.errors:
        return EXIT_ERROR
    if args.exit_non_zero_on_fix and count and status == EXIT_OK:
        return EXIT_FINDINGS
    return status


def run(args: argparse.Namespace, recording=None) -> int:
    """Run the command `args` asks for; `recording` (rnnlint.replay.Recording) keeps its report for a replay."""
    if args.lsp:
        try:
            from rnnlint.lsp import start  # lazy: a normal run never imports pygls
        except ModuleNotFoundError as exc:
            if exc.name not in ("pygls", "lsprotocol") and not str(exc.name or "").startswith(("pygls.", "lsprotocol.")):
                raise
            raise UsageError("the language server needs the 'lsp' extra (pygls, lsprotocol): "
                             "pip install pygls lsprotocol, or pip install -e '.[lsp]' in the rnnlint clone") from None
        return start()
    if args.list_rules:
        return list_rules(sys.stdout)
    if args.explain:
        return explain(args.explain, sys.stdout)
    settings, resolver = _settings(args)
    from rnnlint.discover import PathNotFound
    from rnnlint.engine import lint_paths

    if _reads_stdin(args) and (args.fix or args.diff):
        return _fix_stdin(args, settings, resolver)
    fixing = None
    if args.fix or args.diff or args.exit_non_zero_on_fix:  # --unsafe-fixes alone: marks them fixable ([*])
        fixing = _fix(args, settings, resolver)
        if isinstance(fixing, int):
            return fixing  # --diff: nothing else to do
    if args.show_models:
        from dataclasses import replace

        settings = replace(settings, confirm=False)
    try:
        # the result cache holds findings only: --show-models needs the IR, so it analyses every file
        from rnnlint.progress import ProgressLine

        stderr = sys.stderr
        if recording is not None:  # the real stream under the recorded one: a progress line is never replayed
            from rnnlint.replay import unrecorded

            stderr = unrecorded(stderr)
        progress = ProgressLine.for_terminal(stderr) if settings.confirm else None
        result = _lint_stdin(args, settings, resolver) if _reads_stdin(args) else lint_paths(
            args.paths or ["."], settings, resolver=resolver, jobs=args.jobs, cache=settings.use_cache and not args.show_models,
            keep_ir=args.show_models, progress=progress)
    except PathNotFound as exc:
        raise UsageError(str(exc)) from None
    if args.show_models:
        from rnnlint.report import models as models_report

        render = models_report.render_json if settings.output_format == "json" else models_report.render_text
        sys.stdout.write(render(result.files))
        return EXIT_OK
    stream = _report_stream(args)
    fixed = fixing.fixed_count if fixing is not None else None
    if args.statistics:  # the table only, as ruff prints it
        print_statistics(result, stream, as_json=settings.output_format == "json", unsafe=args.unsafe_fixes)
    elif settings.output_format in ("json", "github", "sarif", "junit"):
        import importlib

        importlib.import_module(f"rnnlint.report.{settings.output_format}").write(result, stream)
        for line in (*result.notes, *result.errors):
            print(f"rnnlint: {line}", file=sys.stderr)
        if fixed is not None:
            from rnnlint.report.text import plural

            print(f"Fixed {plural(fixed, 'problem')}.", file=sys.stderr)
    else:
        from rnnlint.report import text as text_report

        text_report.write(result, stream, show_source=settings.show_source, quiet=args.quiet,
                          unsafe=args.unsafe_fixes, fixed=fixed)
        if args.show_fixes:
            _print_fixes(fixing, result, args.unsafe_fixes, stream)
        if args.show_repro:
            _print_repros(result.findings)
    if stream is not sys.stdout:
        stream.close()
    status = exit_status(result, settings, args.exit_zero)
    if recording is not None and fixing is None and settings.use_cache:
        sys.stdout.flush()
        recording.save(result, status, args.config)
    return status if fixing is None else _after_fix(fixing, status, args)


def _print_fixes(fixing, result, unsafe: bool, stream) -> None:
    """`--show-fixes`: per file, the fixes --fix applied (or, without --fix, would apply), by rule."""
    from collections import Counter

    from rnnlint.report.text import fixable, plural

    if fixing is not None:
        done = [(f.path, f.fixes) for f in fixing.files if f.error is None and f.fixes]
        head = f"Fixed {plural(sum(len(x) for _, x in done), 'problem')}:"
    else:
        by_path: dict[str, list[tuple[str, str]]] = {}
        for finding in result.findings:
            if fixable(finding, unsafe):
                by_path.setdefault(finding.path, []).append((finding.code, finding.fix.message))
        done = [(path, tuple(items)) for path, items in sorted(by_path.items())]
        head = f"Would fix {plural(sum(len(x) for _, x in done), 'problem')}:"
    if not done:
        stream.write("No fixes applied.\n" if fixing is not None else "No fixes available.\n")
        return
    stream.write(head + "\n")
    for path, items in done:
        stream.write(f"- {path}:\n")
        for (code, title), count in sorted(Counter(items).items()):
            stream.write(f"    {count} \u00d7 {code} ({title})\n")


def _reads_stdin(args: argparse.Namespace) -> bool:
    """`rnnlint -` or `rnnlint --stdin-filename NAME` (no paths): lint standard input."""
    if "-" in args.paths and len(args.paths) > 1:
        raise UsageError("- (standard input) cannot be combined with other paths")
    return args.paths == ["-"] or (args.stdin_filename is not None and not args.paths)


def _lint_stdin(args: argparse.Namespace, settings, resolver):
    """Standard input linted as the file --stdin-filename (or "-"): one file's RunResult."""
    from rnnlint.engine import confirm_results, lint_file

    name = args.stdin_filename or "-"
    data = sys.stdin.buffer.read()
    if args.stdin_filename and resolver is not None and resolver.force_exclude and resolver.excluded(name):
        return confirm_results([], settings)
    return confirm_results([lint_file(name, settings, data=data, resolver=resolver)], settings)


def _fix_stdin(args: argparse.Namespace, settings, resolver) -> int:
    """--fix / --diff on standard input: the fixed text (or the diff) on stdout, the rest on stderr.
    Exit 0 when nothing fixable remains unfixed and nothing else is found, 1 otherwise, 2 on an error."""
    import dataclasses

    from rnnlint.engine import confirm_results, lint_file
    from rnnlint.fix import fix_source, unified_diff
    from rnnlint.sources import detect_encoding

    name = args.stdin_filename or "-"
    data = sys.stdin.buffer.read()
    settings = dataclasses.replace(settings, confirm=False)
    encoding = "utf-8"
    if name.lower().endswith(".ipynb"):
        from rnnlint.fix.notebook import fix_notebook

        outcome = fix_notebook(name, data, settings, args.unsafe_fixes, resolver)
        original, fixed, count, error = outcome.original, outcome.text, outcome.fixed_count, outcome.error
    else:
        from rnnlint.sources import decode_python

        try:
            encoding = detect_encoding(data)
            original = decode_python(data)
        except (ValueError, SyntaxError, LookupError) as exc:
            print(f"rnnlint: error: {name}: cannot fix: {exc}", file=sys.stderr)
            if not args.diff:
                sys.stdout.buffer.write(data)
            return EXIT_ERROR
        outcome = fix_source(original, name, settings, args.unsafe_fixes, resolver=resolver)
        fixed, count, error = outcome.text, outcome.fixed_count, outcome.error
    if error is not None:
        print(f"rnnlint: error: {name}: {error}", file=sys.stderr)
        if not args.diff:
            sys.stdout.buffer.write(data)  # a pipe must not lose the text
        return EXIT_ERROR
    if args.diff:
        sys.stdout.write(unified_diff(name, original, fixed))
        return EXIT_FINDINGS if fixed != original else EXIT_OK
    sys.stdout.buffer.write(fixed.encode(encoding) if fixed != original else data)
    sys.stdout.flush()
    remaining = confirm_results([lint_file(name, settings, data=fixed.encode(encoding), resolver=resolver)], settings)
    from rnnlint.report import text as text_report

    text_report.write(remaining, sys.stderr, show_source=False, quiet=True)
    print(f"Fixed {count} problem{'s' if count != 1 else ''}.", file=sys.stderr)
    status = exit_status(remaining, settings, args.exit_zero)
    if args.exit_non_zero_on_fix and count and status == EXIT_OK:
        return EXIT_FINDINGS
    return status


def _report_stream(args: argparse.Namespace):
    """--output-file: the report goes to that file (closed at exit), else to stdout."""
    if not getattr(args, "output_file", None):
        return sys.stdout
    try:
        return open(args.output_file, "w", encoding="utf-8", newline="")  # noqa: SIM115 - lives for the run
    except OSError as exc:
        raise UsageError(f"cannot write --output-file {args.output_file}: {exc.strerror or exc}") from None


def print_statistics(result, stream, as_json: bool = False, unsafe: bool = False) -> None:
    """`--statistics`: findings per rule, most frequent first — count, code, `[*]` when --fix fixes them all,
    name (as ruff prints it); a JSON list with --format json."""
    from collections import Counter

    from rnnlint.report.text import fixable

    counts = Counter((f.code, f.name) for f in result.findings)
    rows = []
    for (code, name), count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        mine = [f for f in result.findings if f.code == code]
        rows.append({"code": code, "name": name, "count": count, "fixable": all(fixable(f, unsafe) for f in mine)})
    if as_json:
        import json

        stream.write(json.dumps(rows, indent=2) + "\n")
        return
    width = max((len(str(r["count"])) for r in rows), default=1)
    for row in rows:
        stream.write(f"{row['count']:>{width}}\t{row['code']}\t{'[*]' if row['fixable'] else '[ ]'}\t{row['name']}\n")


def _print_repros(findings) -> None:
    """`--show-repro`: the checker's standalone script for each confirmed finding."""
    from rnnlint.confirm import repro_script

    for finding in findings:
        script = repro_script(finding) if finding.confirmation.status == "confirmed" else None
        if script:
            print(f"# {finding.path}:{finding.span.line}: {finding.code} — reproduce with:")
            print(script.rstrip() + "\n")


def run_command(arguments: list[str], key: str | None) -> int:
    """Parse `arguments`, run, report; the exit status. `key`: this command line's replay key, when it has one (the
    run is then recorded for the next, if it is one to replay)."""
    parser = build_parser()
    args = parser.parse_args(arguments)  # exits 2 itself on a usage error
    recording = None
    try:
        if getattr(args, "lsp", False):
            return run(args)  # a long-lived server keeps the default collector
        if key is not None:
            from rnnlint import replay

            if replay.eligible(args):
                recording = replay.Recording(key).start()
        from rnnlint.parallel import batch_gc

        with batch_gc():
            return run(args, recording)
    except UsageError as exc:
        print(f"rnnlint: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("rnnlint: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_ERROR
    except Exception as exc:  # noqa: BLE001 - never a traceback for the user
        if type(exc).__name__ == "ConfigError":  # rnnlint.config: one line naming the file and the key
            print(f"rnnlint: {exc}", file=sys.stderr)
            return EXIT_ERROR
        detail = " ".join(str(exc).split())
        print(f"rnnlint: internal error: {type(exc).__name__}: {detail}", file=sys.stderr)
        return EXIT_ERROR
    finally:
        if recording is not None:
            recording.stop()
