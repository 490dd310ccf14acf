"""Tests generated from every rule's own examples (Fixit/bugbear style): each INVALID example must produce
its rule's code on the stated line, each VALID example must produce nothing, and where an example states the
fixed text, applying the rule's fixes must give exactly that text."""
from __future__ import annotations

import pytest

from rnnlint.engine import lint_source
from rnnlint.findings import Finding
from rnnlint.fix import fix_source
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
    """The example's fixes, applied by the engine's own fix loop (`fix_source`, as `--fix` does), give exactly
    the expected text, which no longer has the finding."""
    settings = Settings(select=(rule.code,), confirm=False, use_cache=False, target_keras=example.target_keras,
                        keras=example.keras())
    result = fix_source(example.source, "example.py", settings, unsafe=example.unsafe_fix)
    assert result.error is None and result.fixed_count, result
    assert result.text == Example(example.fixed).source
    again = lint_source(result.text, "example.py", settings)
    assert [f for f in again.findings if f.span.line == example.line] == []


@pytest.mark.parametrize("rule, example", list(_cases("INVALID")))
def test_declared_fix_safety_is_what_the_example_emits(rule, example):
    """The contract of each INVALID example (as Fixit and ruff hold theirs): a fix it emits has an expected
    result, and its applicability is the declared one (`unsafe_fix`)."""
    emitted = {f.fix.applicability for f in _lint(rule, example) if f.code == rule.code and f.fix and f.fix.edits}
    if not emitted:
        assert example.fixed is None, "an expected fix result, but no fix is emitted"
        return
    assert example.fixed is not None, "a fix is emitted without an expected result"
    assert emitted == {"unsafe" if example.unsafe_fix else "safe"}, emitted

@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.code)
def test_declared_fix_availability_is_what_the_examples_show(rule):
    """ruff's FixAvailability: "always" — every flagged example's finding has a fix; "never" — none has;
    "sometimes" — the examples show both (so the README's fix column cannot drift from the code)."""
    offered = []
    for example in rule.INVALID:
        on_line = [f for f in _lint(rule, example) if f.code == rule.code and f.span.line == example.line]
        offered.append(any(f.fix is not None for f in on_line))
    expected = {"always": all(offered), "never": not any(offered),
                "sometimes": any(offered) and not all(offered)}[rule.fix_availability]
    assert expected, (rule.fix_availability, offered)
    assert bool(rule.fix_safeties()) == (rule.fix_availability != "never")
