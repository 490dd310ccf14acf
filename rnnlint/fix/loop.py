"""The fix loop: text ─► lint (no confirmation) ─► apply the applicable, non-overlapping fixes ─► re-lint ─► … (at
most MAX_ITERATIONS passes) ─► the result must parse. A fix that collides is recomputed on the new text in the
next pass (so fixes from several rules compose); a result that does not parse is never returned: the original
text comes back with the reason."""
from __future__ import annotations

import ast
import dataclasses
import warnings
from dataclasses import dataclass

from rnnlint.fix.edits import apply_fixes


MAX_ITERATIONS = 10


@dataclass(frozen=True)
class FixResult:
    """The outcome of fixing one text. `text` is the original one when `error` is set."""

    text: str
    fixed_count: int = 0
    iterations: int = 0
    error: str | None = None
    converged: bool = True  # False when fixes were still applicable after MAX_ITERATIONS passes


def parse_error(text: str) -> str | None:
    """Why `text` does not parse (libcst), or None when it does."""
    import libcst

    try:
        libcst.parse_module(text)
    except libcst.ParserSyntaxError as exc:
        return f"line {exc.raw_line}, column {exc.raw_column + 1}: {' '.join(exc.message.split())}"
    except Exception as exc:  # noqa: BLE001 - e.g. RecursionError: not parseable either
        return f"{type(exc).__name__}: {' '.join(str(exc).split())}"
    return None


def _compiles(text: str) -> str | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes etc.: not ours to print
            compile(text, "<rnnlint-fix>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        return f"line {exc.lineno}, column {exc.offset}: {exc.msg}"
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {exc}"
    return None


def fix_source(text: str, path: str, settings=None, unsafe: bool = False,
               max_passes: int = MAX_ITERATIONS, resolver=None) -> FixResult:
    """Apply fixes to `text` (as the file `path`), re-linting after each pass until nothing applicable is left
    or `max_passes` passes (then `converged` is False). Never returns text that does not parse: then the
    original comes back, with `error` "fix would not parse: …"."""
    from rnnlint.engine import lint_source
    from rnnlint.settings import Settings

    settings = dataclasses.replace(settings or Settings(), confirm=False)
    original = text
    compiled_before = _compiles(text) is None
    fixed = iterations = 0
    converged = True
    while True:
        result = lint_source(text, path, settings, resolver)
        if result.ir is None:  # does not parse (or the analyzer failed): nothing to fix
            break
        new, applied = apply_fixes(text, result.findings, unsafe)
        if not applied or new == text:
            break
        if iterations == max_passes:
            converged = False
            break
        iterations += 1
        problem = parse_error(new) or (_compiles(new) if compiled_before else None)
        if problem is not None:
            codes = ", ".join(sorted({f.code for f in applied}))
            return FixResult(original, 0, iterations, f"fix would not parse: {problem} (fixes of {codes}); "
                                                      "the file was left unchanged")
        text = new
        fixed += len(applied)
    return FixResult(text, fixed, iterations, None, converged)


# --- files ---------------------------------------------------------------------------------------------------
