"""SARIF 2.1.0 output, for GitHub code scanning and other SARIF viewers.

One run: `tool.driver` describes rnnlint and every rule (id, name, short and full description, help text and
markdown from the rule's own documentation, helpUri, default level and whether it is on by default), and each
finding is a result with ruleId/ruleIndex, level (error, warning, note), message, one physical location (a
relative URI and a region) and its fix as `fixes` (artifact changes with deleted regions and inserted text).

Positions: lines and columns are 1-based and count Unicode code points (`columnKind: unicodeCodePoints`);
endColumn is exclusive, as rnnlint's own. SARIF has no notebook cells: a notebook finding's region is the line
of the .ipynb file where the flagged source line is written (its JSON string), the cell and the cell-relative
region are in `properties.cell` / `properties.cellRegion` and at the start of the message, and its fix is not
included (its edits are cell-relative; `rnnlint --fix` applies them). When the .ipynb cannot be read back,
the region is the cell-relative one. Confirmation by Keras is
in `properties.confirmation`. The output validates against the OASIS SARIF 2.1.0 JSON schema
(tests/data/sarif-schema-2.1.0.json, checked by tests/test_formats.py).
"""
from __future__ import annotations

import json
import os
import re
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

from rnnlint import __version__
from rnnlint.findings import Finding, Fix
from rnnlint.report.json import judged_by_path, keras_to_dict

if TYPE_CHECKING:
    from rnnlint.results import RunResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/rnnlint/rnnlint"
HELP_URI = INFORMATION_URI + "/blob/main/docs/rules/{code}.md"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
RESERVED_DOC = (
    "Problems rnnlint reports about a file rather than about a model: the file does not parse as Python "
    "(syntax-error), cannot be read or decoded, or is a malformed notebook (unreadable-file), or rnnlint itself "
    "failed on it (internal-error). Nothing else in such a file is checked."
)


def _uri(path: str) -> str:
    """A relative, '/'-separated, percent-encoded URI for a path (absolute paths become file: URIs)."""
    if os.path.isabs(path):
        relative = os.path.relpath(path)
        if relative.startswith(os.pardir):
            return "file://" + quote(os.fsencode(path.replace(os.sep, "/")))
        path = relative
    return quote(os.fsencode(path.replace(os.sep, "/")))  # bytes: a non-UTF-8 name is percent-encoded as is


def _region(span) -> dict[str, int]:
    return {"startLine": span.line, "startColumn": span.column, "endLine": span.end_line,
            "endColumn": span.end_column}


def rule_descriptors() -> list[dict[str, Any]]:
    """`tool.driver.rules`: RNN000 first, then every rule by code."""
    from rnnlint.rule import all_rules

    descriptors = [{
        "id": "RNN000", "name": "file-problem",
        "shortDescription": {"text": "The file could not be linted (syntax error, unreadable, internal error)."},
        "fullDescription": {"text": RESERVED_DOC},
        "help": {"text": RESERVED_DOC, "markdown": RESERVED_DOC},
        "defaultConfiguration": {"level": "error", "enabled": True},
    }]
    for rule in all_rules():
        doc = rule.doc()
        descriptors.append({
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary() or rule.name},
            "fullDescription": {"text": doc or rule.name},
            "help": {"text": doc or rule.name, "markdown": doc or rule.name},
            "helpUri": HELP_URI.format(code=rule.code),
            "defaultConfiguration": {"level": LEVELS.get(rule.severity, "warning"),
                                     "enabled": bool(rule.default_enabled)},
            "properties": {"tags": ["keras", "rnn"], "fixable": bool(rule.can_fix())},
        })
    return descriptors


def _fix(fix: Fix, uri: str) -> dict[str, Any]:
    return {
        "description": {"text": fix.message or "fix"},
        "artifactChanges": [{
            "artifactLocation": {"uri": uri},
            "replacements": [{"deletedRegion": _region(edit.span), "insertedContent": {"text": edit.text}}
                             for edit in fix.edits],
        }],
    }


def result_object(finding: Finding, rule_index: dict[str, int]) -> dict[str, Any]:
    uri = _uri(finding.path)
    message = finding.message
    if finding.cell is not None:
        message = f"cell {finding.cell}, line {finding.span.line}: {message}"
    properties: dict[str, Any] = {
        "name": finding.name,
        "severity": finding.severity,
        "confirmation": {"status": finding.confirmation.status, "detail": finding.confirmation.detail,
                         "keras_version": finding.confirmation.keras_version},
    }
    region = _region(finding.span)
    raw_line = None
    if finding.cell is not None:
        from rnnlint.sources.notebook import json_line

        properties["cell"] = finding.cell
        properties["cellRegion"] = region
        raw_line = json_line(finding.path, finding.cell, finding.span.line)
        if raw_line is not None:  # the line of the .ipynb JSON text where the cell's line is written
            region = {"startLine": raw_line}
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}],
        "properties": properties,
    }
    if finding.code in rule_index:
        result["ruleIndex"] = rule_index[finding.code]
    if finding.fix is not None and finding.fix.edits and finding.cell is None:  # cell positions: see properties
        result["fixes"] = [_fix(finding.fix, uri)]
    return result


def _with_keras(result: dict[str, Any], choice: Any) -> dict[str, Any]:
    """A result's properties name the Keras its file was judged against."""
    if choice is not None:
        result["properties"]["keras"] = keras_to_dict(choice)
    return result


def build(result: "RunResult") -> dict[str, Any]:
    keras = judged_by_path(result)
    rules = rule_descriptors()
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    notifications = [{"level": "error", "message": {"text": e}} for e in result.errors]
    notifications += [{"level": "note", "message": {"text": n}} for n in result.notes]
    invocation: dict[str, Any] = {"executionSuccessful": not result.internal_error}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "rnnlint", "version": __version__, "semanticVersion": __version__,
                                "informationUri": INFORMATION_URI, "rules": rules}},
            "columnKind": "unicodeCodePoints",
            "invocations": [invocation],
            "results": [_with_keras(result_object(f, index), keras.get(f.path)) for f in result.findings],
            "properties": {"kerasTargets": [{**keras_to_dict(choice), "files": n}
                                            for choice, n in getattr(result, "targets", ())]},
        }],
    }


def render(result: "RunResult") -> str:
    text = json.dumps(build(result), indent=2, ensure_ascii=False)
    return re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", text)  # lone surrogates: escaped


def write(result: "RunResult", stream: TextIO) -> None:
    stream.write(render(result) + "\n")
