"""Are the findings the same before and after a change? Every finding of every project of a corpus, linted by a
given checkout of rnnlint, written as JSON; then two such files compared.

    python bench/same_findings.py collect --checkout /path/to/old/checkout --out before.json /work/realcode
    python bench/same_findings.py collect --checkout . --out after.json /work/realcode
    python bench/same_findings.py compare before.json after.json     # exit 1 and a list when they differ

Each project folder (each child of the corpus folder) is one static run (`--no-confirm --no-cache`), so imports
between its modules are followed as a user's run would follow them. A finding is compared by path, cell, line,
column, code, severity and message.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys


# Run the checkout's rnnlint even where another one is installed in editable mode (its import hook would
# otherwise supply `rnnlint.rules` from the installed tree): drop editable-install finders, then run the CLI.
BOOT = ("import runpy, sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "
        "sys.argv[0] = 'rnnlint'; runpy.run_module('rnnlint', run_name='__main__')")


def collect(checkout: str, corpus: str) -> list[dict]:
    env = dict(os.environ, PYTHONPATH=os.path.abspath(checkout))
    found: list[dict] = []
    for project in sorted(os.listdir(corpus)):
        folder = os.path.join(corpus, project)
        if not os.path.isdir(folder):
            continue
        run = subprocess.run([sys.executable, "-c", BOOT, "--no-confirm", "--no-cache", "--output-format", "json",
                              folder], capture_output=True, text=True, env=env, cwd=os.path.abspath(checkout))
        if run.returncode not in (0, 1):
            raise SystemExit(f"{project}: exit {run.returncode}\n{run.stderr}")
        for f in json.loads(run.stdout):
            found.append({k: f.get(k) for k in ("path", "cell", "line", "column", "code", "severity", "message")})
    return sorted(found, key=lambda f: (f["path"], f["cell"] or 0, f["line"], f["column"], f["code"], f["message"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--checkout", required=True)
    c.add_argument("--out", required=True)
    c.add_argument("corpus")
    d = sub.add_parser("compare")
    d.add_argument("before")
    d.add_argument("after")
    args = parser.parse_args(argv)
    if args.command == "collect":
        found = collect(args.checkout, args.corpus)
        with open(args.out, "w", encoding="utf-8") as handle:
            json.dump(found, handle, indent=1)
        print(f"{len(found)} findings -> {args.out}")
        return 0
    before = {json.dumps(f, sort_keys=True) for f in json.load(open(args.before, encoding="utf-8"))}
    after = {json.dumps(f, sort_keys=True) for f in json.load(open(args.after, encoding="utf-8"))}
    for line in sorted(before - after):
        print("- " + line)
    for line in sorted(after - before):
        print("+ " + line)
    print(f"{len(before)} before, {len(after)} after: {'identical' if before == after else 'DIFFERENT'}")
    return 0 if before == after else 1


if __name__ == "__main__":
    sys.exit(main())
