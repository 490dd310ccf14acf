"""
## What it does
Flags a suppression comment that suppresses nothing: a `# noqa: RNN001` or `# rnnlint: disable=RNN001` on a
line where that rule reports nothing, and a file-wide `# rnnlint: noqa: RNN006` in a file where RNN006
reports nothing. Off by default; enable it with `extend-select = ["RNN100"]` (or `--extend-select RNN100`).

Only rnnlint's own codes and rule names are checked: a bare `# noqa` and codes of other tools
(`# noqa: E501`) are left alone, and so are files that never mention `keras` (rnnlint does not read them). A code whose rule is not enabled in this run is reported as such, and a code
that names no rule (or RNN000, which cannot be suppressed) is reported as unknown.

## Why is this bad?
A suppression outlives the problem it silenced: once the model is fixed, `# noqa: RNN001` stays, and it will
silently hide the next real RNN001 on that line. Stale suppressions also tell the reader that something is
wrong with code that is fine.

## Example
```python
model.add(LSTM(32, input_shape=(10, 1), return_sequences=True))  # noqa: RNN001
model.add(LSTM(16))
```

## Use instead
```python
model.add(LSTM(32, input_shape=(10, 1), return_sequences=True))
model.add(LSTM(16))
```

## Fix safety
There is no automatic fix: delete the comment (or the unused code in it) by hand.
"""
from __future__ import annotations

import io
import re
import tokenize
from typing import Iterable

from rnnlint.findings import Diagnostic, Finding
from rnnlint.ir import Span
from rnnlint.rule import Example, Rule, RuleContext, all_rules

_CODES = r"(?P<codes>[A-Za-z][\w-]*(?:[ \t]*,[ \t]*[A-Za-z][\w-]*|[ \t]+RNN\d+)*)"
_LINE_NOQA = re.compile(r"#\s*noqa:\s*" + _CODES, re.IGNORECASE)
_LINE_DISABLE = re.compile(r"#\s*rnnlint:\s*disable\s*=\s*" + _CODES, re.IGNORECASE)
_FILE_NOQA = re.compile(r"#\s*rnnlint:\s*noqa:\s*" + _CODES, re.IGNORECASE)
_OURS = re.compile(r"RNN\d+", re.IGNORECASE)


class UnusedSuppression(Rule):
    __doc__ = __doc__
    code = "RNN100"
    name = "unused-suppression"
    severity = "warning"
    fix_availability = "never"
    short = "a `# noqa` or `# rnnlint: disable` comment that suppresses nothing (off by default)"
    default_enabled = False

    VALID = [
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            model = Sequential()
            model.add(LSTM(32, input_shape=(10, 1)))  # noqa: E501
            model.add(Dense(1))  # noqa
        """, note="a bare noqa and other tools' codes are not rnnlint's to judge"),
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            model = Sequential()
            model.add(LSTM(32, input_shape=(10, 1)))
            model.add(Dense(1))
        """),
    ]
    INVALID = [
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            model = Sequential()
            model.add(LSTM(32, input_shape=(10, 1), return_sequences=True))  # noqa: RNN001
            model.add(LSTM(16))
        """, line=4),
        Example("""
            # rnnlint: noqa: missing-batch-size
            from keras.layers import LSTM
            layer = LSTM(4)
        """, line=1),
        Example("""
            from keras.layers import LSTM
            layer = LSTM(4)  # rnnlint: disable=RNN999
        """, line=2),
    ]

    def check(self, ctx: RuleContext) -> Iterable[Diagnostic]:
        return ()  # it needs every rule's findings, before and after suppression: see `after_suppression`

    @classmethod
    def after_suppression(cls, before: list[Finding], after: list[Finding], text: str | None, path: str,
                          enabled: tuple[str, ...]) -> list[Finding]:
        return unused_suppressions(before, after, text, path, enabled)


def _comments(text: str) -> list[tuple[int, int, str]]:
    """(line, 1-based column, text) of each comment; a naive scan of the lines tokenize did not reach."""
    found: list[tuple[int, int, str]] = []
    last = 0
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            last = tok.start[0]
            if tok.type == tokenize.COMMENT:
                found.append((tok.start[0], tok.start[1] + 1, tok.string))
    except (tokenize.TokenError, SyntaxError, ValueError):
        for number, line in enumerate(text.splitlines()[last:], start=last + 1):
            if "#" in line:
                found.append((number, line.index("#") + 1, line[line.index("#"):]))
    return found


def _key(code: str) -> str:
    return code.upper() if _OURS.fullmatch(code) else code.lower()


def unused_suppressions(before: list[Finding], after: list[Finding], text: str | None, path: str,
                        enabled: Iterable[str]) -> list[Finding]:
    """RNN100 findings for the rnnlint codes in suppression comments of `text` that suppressed nothing.
    `before`/`after`: the file's findings before and after suppression; `enabled`: this run's rule codes."""
    if not text or "#" not in text or "keras" not in text:
        return []  # no Keras name, no rnnlint finding: the prefilter skips such files (rnnlint.prefilter)
    suppressed = [f for f in before if f not in after]
    rules = {r.code: r for r in all_rules()}
    names = {r.name: r.code for r in all_rules()}
    enabled = set(enabled)
    out: list[Finding] = []
    for line, column, comment in _comments(text):
        file_wide = _FILE_NOQA.search(comment)
        matches = [file_wide] if file_wide else [m for p in (_LINE_NOQA, _LINE_DISABLE) for m in p.finditer(comment)]
        for match in matches:
            is_disable = match.re is _LINE_DISABLE
            for raw in re.split(r"[\s,]+", match.group("codes").strip()):
                key = _key(raw)
                code = key if key in rules else names.get(key)
                if code is None and not (_OURS.fullmatch(raw) or is_disable):
                    continue  # another tool's code (E501, F401, …)
                if code is not None and any(
                        f.code == code and (file_wide or f.span.line == line) for f in suppressed):
                    continue  # it did suppress something
                if code is None or code == "RNN000":
                    why = f"{raw} names no rnnlint rule" if code is None else "RNN000 cannot be suppressed"
                elif code not in enabled:
                    why = f"{code} ({rules[code].name}) is not enabled in this run"
                else:
                    why = f"{code} reports nothing " + ("in this file" if file_wide else "on this line")
                start = column + match.start()
                out.append(Finding(
                    code=UnusedSuppression.code, name=UnusedSuppression.name, severity=UnusedSuppression.severity,
                    message=f"unused suppression `{match.group(0).strip()}`: {why}; remove it",
                    path=path, span=Span(line, start, line, column + match.end()),
                ))
    return out
