"""Every rule's messages, as users read them (ruff's snapshot tests): each flagged example of a rule is linted and
rendered by the text reporter — path:line:column, code, fix marker, severity, message and the caret excerpt — into
one file per rule, `tests/snapshots/<CODE>.txt`. A change to any message, column or to the set of findings of an
example fails here; after reviewing the diff, accept it with

    python -m pytest tests/test_snapshots.py --update-snapshots

and review `git diff tests/snapshots/` before committing.
"""
from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from rnnlint.engine import lint_source
from rnnlint.results import RunResult
from rnnlint.report.text import render
from rnnlint.rule import all_rules
from rnnlint.settings import Settings

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def rendered(rule) -> str:
    """The text report of each flagged example of `rule`, one section per example."""
    out = [f"# {rule.code} {rule.name}: the text report of each flagged example (tests/test_snapshots.py)\n"]
    for i, example in enumerate(rule.INVALID, 1):
        settings = Settings(select=(rule.code,), confirm=False, use_cache=False, target_keras=example.target_keras,
                            keras=example.keras())
        result = lint_source(example.source, "example.py", settings)
        run = RunResult(files=(result,), findings=result.findings)
        project = f", project declares {example.project}" if example.project else ""
        out.append(f"## flagged example {i} (expected on line {example.line}{project})\n")
        out.append(render(run, quiet=True, show_source=True))
    return "\n".join(out)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_messages_match_the_snapshot(rule, request):
    path = SNAPSHOTS / f"{rule.code}.txt"
    text = rendered(rule)
    if request.config.getoption("--update-snapshots"):
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    assert path.exists(), f"no snapshot for {rule.code}: run pytest {__file__} --update-snapshots and review it"
    old = path.read_text(encoding="utf-8")
    if old != text:
        diff = "".join(difflib.unified_diff(old.splitlines(True), text.splitlines(True), str(path), "now"))
        pytest.fail(f"{rule.code}'s messages changed (accept with --update-snapshots after review):\n{diff}")


def test_every_snapshot_belongs_to_a_rule():
    codes = {rule.code for rule in all_rules()}
    assert sorted(p.stem for p in SNAPSHOTS.glob("*.txt")) == sorted(codes)
