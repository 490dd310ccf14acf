"""Run settings (from the command line, later also from `[tool.rnnlint]`) and rule selection.

Selectors are rule codes (`RNN001`), code prefixes (`RNN00`, `RNN`) or rule names
(`missing-return-sequences`). As in ruff, the most specific matching selector decides: `--select RNN
--ignore RNN00` leaves RNN010 on, `--ignore RNN --select RNN001` keeps RNN001. On a tie, ignore wins.
A rule that is off by default is only enabled by its exact code or name.
RNN000 (syntax errors, unreadable files, internal errors) is not a rule and is always reported.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Literal

from rnnlint.findings import SEVERITY_RANK, Severity
from rnnlint.rule import Rule, all_rules

RESERVED_CODE = "RNN000"
OutputFormat = Literal["text", "json", "github", "sarif", "junit"]
FORMATS: tuple[str, ...] = ("text", "json", "github", "sarif", "junit")
EXACT = 10_000  # specificity of an exact code or name match


@dataclass(frozen=True)
class Settings:
    """Everything that shapes a run. Frozen and hashable; build a new one with dataclasses.replace."""

    select: tuple[str, ...] | None = None  # None = the default rule set
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    target_keras: int | None = None  # None = what the project declares, else the installed Keras
    keras: object = None  # the file's rnnlint.kerasver.KerasChoice (set per file by the configuration resolver)
    confirm: bool = True
    use_cache: bool = True
    show_refuted: bool = False
    confirm_timeout: float = 20.0  # seconds the checker may spend building one model
    fail_on: Severity = "info"  # findings at or above this severity make the exit status 1
    output_format: OutputFormat = "text"
    show_source: bool = True
    exclude: tuple[str, ...] = ()
    rule_options: tuple[tuple[str, int], ...] = ()  # (key, value) of the rules' options (`vanishing-gradient-timesteps`)

    def fails(self, severity: str) -> bool:
        """Whether a finding of `severity` makes the run fail."""
        return SEVERITY_RANK.get(severity, 2) >= SEVERITY_RANK[self.fail_on]


ALL = "ALL"  # the selector naming every rule, off-by-default ones too (as ruff's `--select ALL`)


def _specificity(selector: str, rule: type[Rule]) -> int:
    """How specifically `selector` names `rule`: 0 = not at all, EXACT = its code or name."""
    key = selector.strip()
    if key.upper() == rule.code.upper() or key.lower() == rule.name:
        return EXACT
    if key.upper() == ALL:
        return 1  # every rule, the least specific selector: any code or prefix in --ignore wins over it
    if key and rule.code.upper().startswith(key.upper()):
        return len(key)
    return 0


def unknown_selectors(selectors: Iterable[str]) -> list[str]:
    """The selectors that name no rule (nor RNN000 or a prefix of it)."""
    rules = all_rules()
    unknown = []
    for selector in selectors:
        if RESERVED_CODE.startswith(selector.strip().upper()) and selector.strip():
            continue
        if not any(_specificity(selector, rule) for rule in rules):
            unknown.append(selector)
    return unknown


def _selected(rule: type[Rule], settings: Settings) -> bool:
    if settings.select is None:
        best_select = 1 if rule.default_enabled else 0
    else:
        best_select = max((_specificity(s, rule) for s in settings.select), default=0)
    extend = max((_specificity(s, rule) for s in settings.extend_select), default=0)
    best_select = max(best_select, extend)
    chosen = tuple(settings.select or ()) + tuple(settings.extend_select)
    if not rule.default_enabled and best_select < EXACT and not any(s.strip().upper() == ALL for s in chosen):
        return False
    best_ignore = max((_specificity(s, rule) for s in settings.ignore), default=0)
    return best_select > 0 and best_select > best_ignore


@lru_cache(maxsize=32)
def _enabled(settings: Settings) -> tuple[type[Rule], ...]:
    return tuple(rule for rule in all_rules() if _selected(rule, settings))


def enabled_rules(settings: Settings) -> list[type[Rule]]:
    """The rule classes this run applies, sorted by code."""
    return list(_enabled(settings))
