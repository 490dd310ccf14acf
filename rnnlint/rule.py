"""The rule base class, rule examples, and discovery of the rules package.

A rule is a small class in `rnnlint.rules.rnnNNN_<name>`: its docstring is the user documentation
(ruff's sections), `VALID` and `INVALID` hold its own examples, and `check` turns the IR of one file
(with the shapes of its models) into diagnostics. Rules never parse.
"""
from __future__ import annotations

import importlib
import inspect
import pkgutil
import textwrap
from dataclasses import dataclass, field
from functools import lru_cache
from typing import ClassVar, Iterable, Literal

from rnnlint.declared import choice_from_requirement
from rnnlint.findings import Diagnostic, Finding, Severity
from rnnlint.ir import FileIR, Model
from rnnlint.shapes import ModelShapes, ShapeError


@dataclass(frozen=True)
class Example:
    """A code snippet for a rule. For INVALID examples, `line` is where the finding must be reported.

    `fixed`: the expected text after applying the rule's fix (None = not checked / no fix).
    `target_keras`: run the example under this Keras major version.
    `project`: run it as part of a project that declares this one requirement (`tensorflow==2.4.0`), for
    behaviours that changed within a major version; it sets the Keras the example is judged against.
    `message_contains`: a text the message of the finding on `line` must contain.
    """

    code: str
    line: int | None = None
    fixed: str | None = None
    unsafe_fix: bool = False
    target_keras: int = 3
    project: str = ""
    note: str = ""
    message_contains: str = ""
    severity: str = ""  # the severity of the finding on `line`, when it differs from the rule's

    @property
    def source(self) -> str:
        return textwrap.dedent(self.code).lstrip("\n")

    def keras(self) -> object:
        """The rnnlint.kerasver.KerasChoice `project` declares (None without one)."""
        if not self.project:
            return None
        return choice_from_requirement(self.project)


@dataclass(frozen=True)
class RuleContext:
    """What a rule sees: the file's IR, the shapes of each model, and the settings that matter to rules."""

    ir: FileIR
    shapes: dict[int, ModelShapes]  # by model id
    target_keras: int = 3
    options: dict = field(default_factory=dict)
    keras: object = None  # the file's rnnlint.kerasver.KerasChoice (which releases; None: only the major is known)

    def models(self) -> Iterable[tuple[Model, ModelShapes]]:
        for model in self.ir.models:
            yield model, self.shapes[model.id]

    def shape_errors(self) -> Iterable[tuple[Model, ModelShapes, ShapeError]]:
        """Every error shape propagation found, with its model (the rules that explain them share this walk)."""
        for model, shapes in self.models():
            for error in shapes.errors:
                yield model, shapes, error


class Rule:
    """Base class. Subclasses set `code`, `name`, `severity`, `VALID`, `INVALID` and implement `check`."""

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    default_enabled: ClassVar[bool] = True
    # Whether a finding of this rule comes with a fix (ruff's FixAvailability), checked against the examples.
    fix_availability: ClassVar[Literal["always", "sometimes", "never"]] = "never"
    short: ClassVar[str] = ""  # one line for the rule table (README, --list-rules); the docstring says the rest
    VALID: ClassVar[list[Example]] = []
    INVALID: ClassVar[list[Example]] = []

    def check(self, ctx: RuleContext) -> Iterable[Diagnostic]:  # pragma: no cover - abstract
        raise NotImplementedError

    @classmethod
    def after_suppression(cls, before: list[Finding], after: list[Finding], text: str | None, path: str,
                          enabled: tuple[str, ...]) -> list[Finding]:
        """A post-suppression hook: findings about the suppressions themselves, from the file's findings `before`
        and `after` its suppression comments and the run's enabled codes. Most rules have none; the engine calls
        it for every enabled rule after suppression (RNN100 unused-suppression uses it)."""
        return []

    @classmethod
    def doc(cls) -> str:
        """The rule's documentation (its docstring, dedented)."""
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """The first sentence of 'What it does'."""
        text = cls.doc()
        marker = "## What it does"
        if marker in text:
            text = text.split(marker, 1)[1]
        first = text.strip().split("\n\n", 1)[0]
        return " ".join(first.split())

    @classmethod
    def can_fix(cls) -> bool:
        """Whether the rule offers fixes (its declared availability; tests check it against the examples)."""
        return cls.fix_availability != "never"

    @classmethod
    def fix_safeties(cls) -> tuple[str, ...]:
        """The applicabilities of the fixes its examples show ("safe", "unsafe"), from the examples themselves."""
        kinds = {"unsafe" if e.unsafe_fix else "safe" for e in cls.INVALID if e.fixed is not None}
        return tuple(k for k in ("safe", "unsafe") if k in kinds)

    @classmethod
    def fix_column(cls) -> str:
        """The rule table's fix column: "–", or how often and how safely it fixes ("sometimes, safe")."""
        if cls.fix_availability == "never":
            return "–"
        return ", ".join((cls.fix_availability, " or ".join(cls.fix_safeties()) or "?"))


def rule_table() -> list[tuple[str, str, str, str, str]]:
    """(code, name, severity, fix, what it flags) of every rule: the README's table and `--list-rules`."""
    def what(rule: type[Rule]) -> str:
        text = rule.short or rule.summary()
        return text if rule.default_enabled or "off by default" in text else text + " (off by default)"

    return [(r.code, r.name, r.severity, r.fix_column(), what(r)) for r in all_rules()]


@lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule class in `rnnlint.rules`, sorted by code. Discovered by walking the package."""
    import rnnlint.rules as package

    found: list[type[Rule]] = []
    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("rnn"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, Rule) and obj is not Rule and obj.__module__ == module.__name__:
                found.append(obj)
    found.sort(key=lambda r: r.code)
    codes = [r.code for r in found]
    if len(codes) != len(set(codes)):
        raise RuntimeError(f"duplicate rule codes: {codes}")
    return tuple(found)


def rule_by_code(code_or_name: str) -> type[Rule] | None:
    key = code_or_name.strip()
    for rule in all_rules():
        if rule.code.upper() == key.upper() or rule.name == key.lower():
            return rule
    return None
