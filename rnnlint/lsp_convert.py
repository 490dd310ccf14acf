"""The language server's pure half: findings, edits, suppressions and hovers as LSP values.

Nothing here talks to a client, so all of it is testable without a server. rnnlint's positions are 1-based
lines and 1-based columns counted in characters (code points), end exclusive; LSP's are 0-based lines and
0-based columns counted in the negotiated position encoding (UTF-16 code units unless the client offers
UTF-8 or UTF-32). Every conversion goes through `to_units` / `from_units` on the text of that one line.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from lsprotocol import types

from rnnlint.findings import Edit, Finding
from rnnlint.ir import Span
from rnnlint.patterns import model_pattern

SOURCE = "rnnlint"
DOCS_BASE_URL = "https://github.com/rnnlint/rnnlint/blob/main/docs/rules/"
FIX_ALL_KIND = "source.fixAll.rnnlint"
UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # exactly LSP's line terminators (not str.splitlines's)

SEVERITY = {
    "error": types.DiagnosticSeverity.Error,
    "warning": types.DiagnosticSeverity.Warning,
    "info": types.DiagnosticSeverity.Information,
}


def rule_url(code: str) -> str:
    """The documentation page of a rule."""
    return f"{DOCS_BASE_URL}{code}.md"


# ---------------------------------------------------------------------------------------------------------
# Positions

def split_lines(text: str) -> list[str]:
    """The lines of `text` as LSP counts them (a trailing newline gives a final empty line)."""
    return _LINE_BREAK.split(text)


def _width(char: str, encoding: str) -> int:
    point = ord(char)
    if encoding == UTF8:
        return 1 if point < 0x80 else 2 if point < 0x800 else 3 if point < 0x10000 else 4
    if encoding == UTF32:
        return 1
    return 2 if point > 0xFFFF else 1


def to_units(line: str, char_index: int, encoding: str = UTF16) -> int:
    """0-based character index on `line` → 0-based column in `encoding` units (past the end: counted as 1 each)."""
    prefix = line[:char_index]
    extra = max(char_index - len(line), 0)
    if encoding == UTF32:
        return len(prefix) + extra
    return sum(_width(c, encoding) for c in prefix) + extra


def from_units(line: str, units: int, encoding: str = UTF16) -> int:
    """0-based column in `encoding` units → 0-based character index on `line` (clamped to the line's end)."""
    count = 0
    for index, char in enumerate(line):
        if count >= units:
            return index
        count += _width(char, encoding)
        if count > units:  # inside a surrogate pair / multi-byte sequence: snap to the character
            return index
    return len(line)


def _line(lines: Sequence[str], number: int) -> str:
    return lines[number] if 0 <= number < len(lines) else ""


def to_position(lines: Sequence[str], line: int, column: int, encoding: str = UTF16, line_offset: int = 0) -> types.Position:
    """1-based (line, column) in the linted text → LSP Position in a document whose line 0 is `line_offset` + 1."""
    row = max(line - 1 - line_offset, 0)
    return types.Position(line=row, character=to_units(_line(lines, row), max(column - 1, 0), encoding))


def to_range(lines: Sequence[str], span: Span, encoding: str = UTF16, line_offset: int = 0) -> types.Range:
    start = to_position(lines, span.line, span.column, encoding, line_offset)
    end = to_position(lines, span.end_line, span.end_column, encoding, line_offset)
    if (end.line, end.character) < (start.line, start.character):
        end = start
    return types.Range(start=start, end=end)


def from_position(lines: Sequence[str], position: types.Position, encoding: str = UTF16,
                  line_offset: int = 0) -> tuple[int, int]:
    """LSP Position → 1-based (line, column) in the linted text."""
    column = from_units(_line(lines, position.line), position.character, encoding)
    return position.line + 1 + line_offset, column + 1


def span_contains(span: Span, line: int, column: int) -> bool:
    """Whether 1-based (line, column) lies inside `span` (end inclusive, so the closing paren counts)."""
    return (span.line, span.column) <= (line, column) <= (span.end_line, span.end_column)


# ---------------------------------------------------------------------------------------------------------
# Findings → diagnostics

def confirmation_note(finding: Finding) -> str:
    """What the checker said, for the end of a diagnostic's message ("" before it has run)."""
    c = finding.confirmation
    if c.detail == "not run" and c.status == "unconfirmed":
        return ""
    keras = f"Keras {c.keras_version}" if c.keras_version else "Keras"
    detail = " ".join(c.detail.split())
    if len(detail) > 200:
        detail = detail[:197] + "..."
    if c.status == "confirmed":
        return f"[confirmed by {keras}: {detail}]"
    if c.status == "refuted":
        return f"[refuted: {keras} builds this model: {detail}]"
    if detail.startswith(("not checked with Keras", "this is advice")):
        return f"[{detail}]"
    return f"[not checked with Keras: {detail}]"


def to_diagnostic(finding: Finding, lines: Sequence[str], encoding: str = UTF16,
                  line_offset: int = 0) -> types.Diagnostic:
    note = confirmation_note(finding)
    message = f"{finding.message} {note}" if note else finding.message
    c = finding.confirmation
    data = {
        "name": finding.name,
        "fixable": finding.fix is not None,
        "confirmation": {"status": c.status, "detail": c.detail, "keras_version": c.keras_version},
    }
    return types.Diagnostic(
        range=to_range(lines, finding.span, encoding, line_offset),
        message=message,
        severity=SEVERITY.get(finding.severity, types.DiagnosticSeverity.Warning),
        code=finding.code,
        code_description=None if finding.code == "RNN000" else types.CodeDescription(href=rule_url(finding.code)),
        source=SOURCE,
        data=data,
    )


# ---------------------------------------------------------------------------------------------------------
# Edits

def edits_to_text_edits(edits: Iterable[Edit], lines: Sequence[str], encoding: str = UTF16,
                        line_offset: int = 0) -> list[types.TextEdit]:
    return [types.TextEdit(range=to_range(lines, e.span, encoding, line_offset), new_text=e.text) for e in edits]


def whole_text_edit(old: str, new: str, encoding: str = UTF16) -> types.TextEdit | None:
    """One TextEdit turning `old` into `new`, covering only the lines between their common prefix and suffix."""
    if old == new:
        return None
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    lines = split_lines(old)
    end_line = len(a) - tail
    start = types.Position(line=head, character=0)
    if end_line >= len(lines):  # the change reaches the end of a text without a final newline
        last = len(lines) - 1
        end = types.Position(line=last, character=to_units(lines[last], len(lines[last]), encoding))
    else:
        end = types.Position(line=end_line, character=0)
    return types.TextEdit(range=types.Range(start=start, end=end), new_text="".join(b[head:len(b) - tail]))


# ---------------------------------------------------------------------------------------------------------
# Suppression comments

_NOQA_CODES = re.compile(r"#\s*noqa(?P<colon>:\s*)(?P<codes>[A-Za-z][\w-]*(?:[ \t]*,[ \t]*[A-Za-z][\w-]*|[ \t]+[A-Za-z]+\d+)*)",
                         re.IGNORECASE)
_BARE_NOQA = re.compile(r"#\s*noqa(?!\s*:)", re.IGNORECASE)


def noqa_edit(text: str, line: int, code: str) -> Edit | None:
    """The edit that adds `code` to the `# noqa` comment of 1-based `line`, or appends `  # noqa: CODE`.

    None when the line already suppresses everything (a bare `# noqa`) or the code, or when a comment cannot go
    there (a line ending in a backslash continuation).
    """
    from rnnlint.suppress import comments

    lines = split_lines(text)
    if not 1 <= line <= len(lines):
        return None
    source_line = lines[line - 1]
    comment = next((c for number, c in comments(text) if number == line), None)
    if comment is not None:
        start = len(source_line) - len(comment) if source_line.endswith(comment) else source_line.rfind(comment)
        if start >= 0:
            if _BARE_NOQA.search(comment) and not _NOQA_CODES.search(comment):
                return None
            match = _NOQA_CODES.search(comment)
            if match:
                present = {c.upper() for c in re.split(r"[\s,]+", match.group("codes")) if c}
                if code.upper() in present:
                    return None
                at = start + match.end("codes") + 1
                return Edit(Span(line, at, line, at), f", {code}")
    if source_line.rstrip().endswith("\\"):
        return None
    stripped = len(source_line.rstrip())
    at = stripped + 1
    return Edit(Span(line, at, line, len(source_line) + 1), f"  # noqa: {code}")


# ---------------------------------------------------------------------------------------------------------
# Documents inside the linted program

@dataclass(frozen=True)
class Part:
    """One document the client shows: a text file, or a notebook cell. Findings come back by cell (as on the
    command line), in the cell's own lines; `first_line` places the cell in the linted program, for hovers over
    the model IR (0: an empty cell, not in the program)."""

    uri: str
    text: str
    cell: int | None = None  # 1-based position in the notebook's cells (None: a text document)
    first_line: int = 1

    @property
    def lines(self) -> list[str]:
        return split_lines(self.text)

    @property
    def offset(self) -> int:
        return self.first_line - 1


# ---------------------------------------------------------------------------------------------------------
# Hover: shapes, the model's pattern, and the data a fit gives it

def _fmt(value: object) -> str:
    from rnnlint.shapes import format_shape

    return format_shape(value)


def _node_spans(node) -> list[Span]:
    spans = [node.layer.span]
    if node.applied_at is not None:
        spans.append(node.applied_at)
    inner = node.layer.inner
    while inner is not None:
        spans.append(inner.span)
        inner = inner.inner
    if node.layer.backward is not None:
        spans.append(node.layer.backward.span)
    return spans


def _size(span: Span) -> tuple[int, int]:
    return (span.end_line - span.line, span.end_column - span.column if span.end_line == span.line else 10**6)


def find_node(ir, line: int, column: int):
    """The (model, node) whose layer call (or its application `layer(x)`) most tightly holds the position."""
    best = None
    for model in ir.models:
        for node in model.nodes:
            for span in _node_spans(node):
                if span_contains(span, line, column) and (best is None or _size(span) < best[0]):
                    best = (_size(span), model, node)
    return (best[1], best[2]) if best else None


def find_model(ir, line: int, column: int):
    """The model whose construction (`Sequential(...)`, `Model(...)`) holds the position."""
    for model in ir.models:
        if span_contains(model.span, line, column):
            return model
    return None


def _model_line(model, shapes) -> str:
    name = f"`{model.name}`" if model.name else "model"
    pattern = model_pattern(model, shapes)
    head = f"{name} ({model.api}): `{_fmt(shapes.model_input)}` → `{_fmt(shapes.model_output)}`"
    if shapes.synthetic_input:
        head += " (input shape not declared)"
    if pattern:
        return f"{head} — **{pattern}**"
    reason = "shape errors upstream" if shapes.errors else "a shape is not known statically"
    return f"{head} — pattern unknown ({reason})"


def find_train_call(ir, line: int, column: int):
    """The (model, call) whose `model.fit(...)`-like call most tightly holds the position."""
    best = None
    for model in ir.models:
        for call in model.train_calls:
            if call.span.path is None and span_contains(call.span, line, column) and (
                    best is None or _size(call.span) < best[0]):
                best = (_size(call.span), model, call)
    return (best[1], best[2]) if best else None


def _data(value: Any) -> str:
    from rnnlint.ir import ArrayShape, DatasetShape

    if value is None:
        return "—"
    if isinstance(value, ArrayShape):
        return f"`{_fmt(value.dims)}`"
    if isinstance(value, DatasetShape):
        y = f", y {_data(value.y)}" if value.y is not None else ""
        return f"a {value.kind} of batches: x {_data(value.x)}{y}"
    if isinstance(value, tuple):
        return "[" + ", ".join(_data(v) for v in value) + "]"
    return "not known statically"


def _call_markdown(model, call, shapes) -> str:
    """x and y of a fit/evaluate/predict call next to the model's input and output (as --show-models lists)."""
    name = model.name or "model"
    rows = [f"**{name}.{call.method}()** (rnnlint)", "",
            f"x: {_data(call.x)}  ", f"model input: `{_fmt(shapes.model_input) if shapes else '?'}`"]
    if call.y is not None:
        rows += [f"  \ny: {_data(call.y)}  ", f"model output: `{_fmt(shapes.model_output) if shapes else '?'}`"]
    if call.has_batch_size:
        rows.append(f"  \nbatch_size: `{_fmt_value(call.batch_size)}`")
    return "\n".join(rows)


def _fmt_value(value: object) -> str:
    from rnnlint.ir import Unknown

    return "?" if isinstance(value, Unknown) else str(value)


def hover_markdown(result, line: int, column: int) -> str | None:
    """Markdown for a hover at 1-based (line, column) of the linted text, or None when nothing is there."""
    ir = getattr(result, "ir", None)
    if ir is None:
        return None
    call = find_train_call(ir, line, column)
    if call is not None:
        model, train = call
        return _call_markdown(model, train, result.shapes.get(model.id))
    found = find_node(ir, line, column)
    if found is not None:
        model, node = found
        shapes = result.shapes.get(model.id)
        if shapes is None:
            return None
        layer = node.layer
        kind = layer.kind if layer.inner is None else f"{layer.kind}({layer.inner.kind})"
        inputs = shapes.inputs.get(node.id, ())
        shown_in = ", ".join(_fmt(s) for s in inputs) if inputs else "—"
        out = shapes.outputs.get(node.id)
        text = [f"**{kind}** (rnnlint)", "",
                f"input: `{shown_in}`  ", f"output: `{_fmt(out)}`"]
        errors = [e for e in shapes.errors if e.node == node.id]
        for error in errors:
            text.append(f"  \n⚠ Keras would raise: {error.message}")
        text += ["", _model_line(model, shapes)]
        return "\n".join(text)
    model = find_model(ir, line, column)
    if model is None:
        return None
    shapes = result.shapes.get(model.id)
    if shapes is None:
        return None
    rows = ["| # | layer | output |", "|---|---|---|"]
    for node in model.nodes:
        kind = node.layer.kind if node.layer.inner is None else f"{node.layer.kind}({node.layer.inner.kind})"
        rows.append(f"| {node.id} | {kind} | `{_fmt(shapes.outputs.get(node.id))}` |")
    return "\n".join([_model_line(model, shapes), "", *rows])
