"""JSON output: one array of finding objects — the stable contract of DESIGN.md.

Each object has exactly: code, name, severity, message, path, line, column, end_line, end_column, cell,
confirmation {status, detail, keras_version}, fix (null or {applicability, message, edits}).
Lines and columns are 1-based and count characters. `end_line`/`end_column` are exclusive, as in ruff:
`end_column` is the column just after the span's last character. Fix edits use the same convention
(an edit whose end equals its start inserts `content`). For notebooks `cell` is the 1-based position of the
cell in the notebook (every cell counts, markdown too: `cells[cell - 1]` in the .ipynb), and lines — of the
finding and of its fix edits — are relative to that cell; for .py files `cell` is null.
"""
from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any, TextIO

from rnnlint.findings import Finding, Fix

if TYPE_CHECKING:
    from rnnlint.results import RunResult


def fix_to_dict(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {
        "applicability": fix.applicability,
        "message": fix.message,
        "edits": [
            {"line": e.span.line, "column": e.span.column, "end_line": e.span.end_line,
             "end_column": e.span.end_column, "content": e.text}
            for e in fix.edits
        ],
    }


def keras_to_dict(choice: Any) -> dict[str, Any] | None:
    """The Keras a file was judged against: {"major": 2, "reason": "requirements.txt:3: tensorflow==2.12.0"}."""
    return None if choice is None else {"major": choice.major, "reason": choice.reason}


def judged_by_path(result: "RunResult") -> dict[str, Any]:
    return {r.path: r.keras for r in result.files}


def finding_to_dict(finding: Finding, keras: Any = None) -> dict[str, Any]:
    """The contract object for one finding; `keras`: the KerasChoice its file was judged against."""
    span = finding.span
    return {
        "code": finding.code,
        "name": finding.name,
        "severity": finding.severity,
        "message": finding.message,
        "path": finding.path,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
        "cell": finding.cell,
        "confirmation": {
            "status": finding.confirmation.status,
            "detail": finding.confirmation.detail,
            "keras_version": finding.confirmation.keras_version,
        },
        "fix": fix_to_dict(finding.fix),
        "keras": keras_to_dict(keras),
    }


def render(result: "RunResult") -> str:
    keras = judged_by_path(result)
    return escape_lone_surrogates(json.dumps([finding_to_dict(f, keras.get(f.path)) for f in result.findings],
                                             indent=2, ensure_ascii=False))


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def escape_lone_surrogates(text: str) -> str:
    """JSON text made by json.dumps(ensure_ascii=False), with lone surrogates written as \\uXXXX escapes.

    A file name that is not UTF-8 reaches us with lone surrogates (os.fsdecode); written raw they would make the
    output invalid UTF-8. Escaped, the JSON stays valid, and json.loads + os.fsencode give the name back."""
    return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def write(result: "RunResult", stream: TextIO) -> None:
    stream.write(render(result) + "\n")
