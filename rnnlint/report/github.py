"""GitHub Actions workflow annotations: one `::error …::message` line per finding.

    ::error file=train.py,line=4,col=11,endLine=4,endColumn=41,title=RNN001 missing-return-sequences::LSTM …

Severity → command: error → `::error`, warning → `::warning`, info → `::notice`. Values are escaped as the
Actions toolkit does: in the message `%`, `\\r`, `\\n` become `%25`, `%0D`, `%0A`; in properties also `:` → `%3A`
and `,` → `%2C`. A notebook finding's lines are relative to its cell, which GitHub cannot show inside the .ipynb
JSON: its annotation is put on the line of the .ipynb file where that source line is written (when the file
can be read; else on the file as a whole), and the message starts with `cell N, line L, column C:`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from rnnlint.findings import Finding

if TYPE_CHECKING:
    from rnnlint.results import RunResult

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    # a file name that is not UTF-8 arrives with lone surrogates (os.fsdecode): shown as U+FFFD, never a crash
    text = text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _message(finding: Finding) -> str:
    message = finding.message
    if finding.cell is not None:
        span = finding.span
        message = f"cell {finding.cell}, line {span.line}, column {span.column}: {message}"
    status = finding.confirmation
    if status.status == "confirmed":
        message += f" (confirmed by Keras {status.keras_version})" if status.keras_version else " (confirmed by Keras)"
    return message


def annotation(finding: Finding) -> str:
    """The workflow command for one finding."""
    span = finding.span
    properties = [("file", finding.path.replace("\\", "/"))]
    if finding.cell is None:
        properties += [("line", span.line), ("col", span.column), ("endLine", span.end_line),
                       ("endColumn", span.end_column)]
    else:
        from rnnlint.sources.notebook import json_line

        raw_line = json_line(finding.path, finding.cell, span.line)
        if raw_line is not None:
            properties.append(("line", raw_line))
    properties.append(("title", f"{finding.code} {finding.name}"))
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    return f"::{COMMANDS.get(finding.severity, 'error')} {props}::{escape_data(_message(finding))}"


def render(result: "RunResult") -> str:
    lines = [annotation(f) for f in result.findings]
    lines += [f"::error title=rnnlint internal error::{escape_data(e)}" for e in result.errors]
    lines += [f"::notice title=rnnlint::{escape_data(n)}" for n in result.notes]
    return "".join(line + "\n" for line in lines)


def write(result: "RunResult", stream: TextIO) -> None:
    stream.write(render(result))
