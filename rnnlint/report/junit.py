"""JUnit XML: one <testsuite> per linted file, one failing <testcase> per finding (RNN000 internal errors are
<error>s), and one passing <testcase> for a clean file. CI systems (GitLab, Jenkins, Azure) show these as
test results.

    <testsuites name="rnnlint" tests="2" failures="1" errors="0">
      <testsuite name="train.py" tests="1" failures="1" errors="0" skipped="0">
        <testcase classname="train.py" name="RNN001 missing-return-sequences at 4:11" file="train.py" line="4">
          <failure type="RNN001" message="LSTM …">train.py:4:11: RNN001 [error] LSTM …</failure>
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, TextIO

from rnnlint.findings import Finding

if TYPE_CHECKING:
    from rnnlint.results import RunResult

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # + lone surrogates (non-UTF-8 names)


def _clean(text: str) -> str:
    """XML 1.0 cannot carry most control characters, escaped or not."""
    return _XML_INVALID.sub("\ufffd", text)


def _where(finding: Finding) -> str:
    span = finding.span
    cell = f"cell {finding.cell}:" if finding.cell is not None else ""
    return f"{cell}{span.line}:{span.column}"


def _detail(finding: Finding) -> str:
    lines = [f"{finding.path}:{_where(finding)}: {finding.code} [{finding.severity}] {finding.message}"]
    c = finding.confirmation
    if c.status != "unconfirmed" or c.detail != "not run":
        lines.append(f"confirmation: {c.status}" + (f" (Keras {c.keras_version})" if c.keras_version else "")
                     + (f": {c.detail}" if c.detail else ""))
    return "\n".join(lines)


def build(result: "RunResult") -> ET.Element:
    suites = ET.Element("testsuites", name="rnnlint")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for file_result in result.files:
        if getattr(file_result, "skipped", False) and not file_result.findings:
            continue  # the prefilter never read it: nothing was checked
        path = file_result.path.replace("\\", "/")
        suite = ET.SubElement(suites, "testsuite", name=_clean(path))
        counts = {"tests": 0, "failures": 0, "errors": 0}
        for finding in file_result.findings:
            counts["tests"] += 1
            line = finding.span.line
            if finding.cell is not None:  # a notebook: the line of the .ipynb text (the name says cell and line)
                from rnnlint.sources.notebook import json_line

                line = json_line(finding.path, finding.cell, line) or line
            case = ET.SubElement(suite, "testcase", classname=_clean(path),
                                 name=_clean(f"{finding.code} {finding.name} at {_where(finding)}"),
                                 file=_clean(path), line=str(line))
            internal = finding.code == "RNN000" and finding.name == "internal-error"
            kind = "error" if internal else "failure"
            counts["errors" if internal else "failures"] += 1
            element = ET.SubElement(case, kind, type=finding.code, message=_clean(finding.message))
            element.text = _clean(_detail(finding))
        if not file_result.findings:
            counts["tests"] += 1
            ET.SubElement(suite, "testcase", classname=_clean(path), name="rnnlint", file=_clean(path))
        for key, value in counts.items():
            suite.set(key, str(value))
            totals[key] += value
        suite.set("skipped", "0")
    if result.errors:
        suite = ET.SubElement(suites, "testsuite", name="rnnlint", tests=str(len(result.errors)),
                              failures="0", errors=str(len(result.errors)), skipped="0")
        for message in result.errors:
            case = ET.SubElement(suite, "testcase", classname="rnnlint", name="run")
            ET.SubElement(case, "error", type="internal-error", message=_clean(message)).text = _clean(message)
        totals["tests"] += len(result.errors)
        totals["errors"] += len(result.errors)
    for key, value in totals.items():
        suites.set(key, str(value))
    return suites


def render(result: "RunResult") -> str:
    root = build(result)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write(result: "RunResult", stream: TextIO) -> None:
    stream.write(render(result))
