"""Tests generated from every rule's own examples (Fixit/bugbear style): each INVALID example must produce
its rule's code on the stated line, each VALID example must produce nothing, and where an example states the
fixed text, applying the rule's fixes must give exactly that text."""
from __future__ import annotations

import pytest

from rnnlint.engine import lint_source
from rnnlint.findings import Finding
from rnnlint.rule import Example, Rule, all_rules
from rnnlint.settings import Settings


def _cases(kind: str):
    for rule in all_rules():
        for i, example in enumerate(getattr(rule, kind), 1):
            yield pytest.param(rule, example, id=f"{rule.code}-{kind.lower()}-{i}")


def _lint(rule: type[Rule], example: Example) -> list[Finding]:
    settings = Settings(select=(rule.code,), confirm=False, use_cache=False, target_keras=example.target_keras,
                        keras=example.keras())
    result = lint_source(example.source, "example.py", settings)
    return list(result.findings)


def apply_edits(text: str, finding: Finding) -> str:
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    edits = sorted(finding.fix.edits, key=lambda e: (e.span.line, e.span.column), reverse=True)
    for edit in edits:
        a, b = offset(edit.span.line, edit.span.column), offset(edit.span.end_line, edit.span.end_column)
        text = text[:a] + edit.text + text[b:]
    return text


def test_every_rule_has_examples_and_docs():
    for rule in all_rules():
        assert rule.VALID and rule.INVALID, rule.code
        for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety"):
            assert section in rule.doc(), (rule.code, section)


@pytest.mark.parametrize("rule, example", list(_cases("INVALID")))
def test_invalid_example_is_flagged(rule, example):
    findings = [f for f in _lint(rule, example) if f.code != "RNN000"]
    assert findings, f"{rule.code} did not flag:\n{example.source}"
    assert all(f.code == rule.code for f in findings)
    assert example.line in {f.span.line for f in findings}, [(f.span.line, f.message) for f in findings]
    on_line = [f for f in findings if f.span.line == example.line]
    assert any(f.severity == (example.severity or rule.severity) for f in on_line), [f.severity for f in on_line]
    if example.message_contains:
        messages = [f.message for f in findings if f.span.line == example.line]
        assert any(example.message_contains in m for m in messages), messages


@pytest.mark.parametrize("rule, example", list(_cases("VALID")))
def test_valid_example_is_clean(rule, example):
    findings = _lint(rule, example)
    assert findings == [], [(f.code, f.span.line, f.message) for f in findings]


@pytest.mark.parametrize("rule, example", [p for p in _cases("INVALID") if p.values[1].fixed is not None])
def test_fix_gives_expected_text(rule, example):
    findings = [f for f in _lint(rule, example) if f.fix is not None]
    assert findings, "no fix offered"
    fixed = apply_edits(example.source, findings[0])
    expected = Example(example.fixed).source
    assert fixed == expected
    again = lint_source(fixed, "example.py", Settings(select=(rule.code,), confirm=False, use_cache=False,
                                                       target_keras=example.target_keras, keras=example.keras()))
    assert [f for f in again.findings if f.span.line == example.line] == []
