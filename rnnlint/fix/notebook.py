"""Fixing a notebook: its code cells are fixed as one program (as they are linted), then only the cells whose code
changed get a new "source" in the JSON text, byte for byte elsewhere. The language server's "Fix all" uses
`fix_cells` too."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from rnnlint.fix.loop import fix_source
from rnnlint.sources.notebook import NotebookCell, NotebookError, is_python, load, source_spans, split_lines

_MARKER = "# rnnlint-notebook-cell-end {index} 5f0c2a"  # between cells while fixing (a comment: no effect)
_MARKER_LINE = re.compile(r"^# rnnlint-notebook-cell-end (\d+) 5f0c2a$")


@dataclass(frozen=True)
class NotebookFix:
    """The outcome of fixing a notebook's text: the new JSON text (the original when nothing changed)."""

    original: str
    text: str
    fixed_count: int = 0
    error: str | None = None
    converged: bool = True


def _source_value(old_value: str, text: str, ascii_only: bool) -> str:
    """The JSON for a cell's new source, in the style of its old value (a string, or a list of lines laid out
    one per line with the same indentation, as Jupyter writes them)."""
    dump = lambda s: json.dumps(s, ensure_ascii=ascii_only)  # noqa: E731
    if not old_value.lstrip().startswith("["):
        return dump(text)
    lines = text.splitlines(keepends=True)
    if not lines:
        return "[]"
    match = re.match(r"\[(\s*)", old_value)
    inner = match.group(1) if match else ""
    closing = re.search(r"(\s*)\]$", old_value)
    close_ws = closing.group(1) if closing else ""
    if "\n" not in inner:  # compact: ["a\n", "b"]
        return "[" + inner + ", ".join(dump(line) for line in lines) + close_ws + "]"
    return "[" + inner + ("," + inner).join(dump(line) for line in lines) + close_ws + "]"


def _restore(original: list[str], linted: list[str], fixed: list[str]) -> list[str] | None:
    """The fixed cell's lines with the IPython lines (neutralised while linting) put back; None when a fix
    touched one of them."""
    from difflib import SequenceMatcher

    out: list[str] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, linted, fixed, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(original[i1:i2])
            continue
        if any(original[k] != linted[k] for k in range(i1, i2)):
            return None
        out.extend(fixed[j1:j2])
    return out


@dataclass(frozen=True)
class CellsFix:
    """The code cells after fixing: the new text of each cell that changed (by 1-based cell index)."""

    texts: dict[int, str]
    fixed_count: int = 0
    error: str | None = None
    converged: bool = True


def fix_cells(path: str, cells: list[NotebookCell], settings=None, unsafe: bool = False,
              resolver=None) -> CellsFix:
    """Fix the code cells as one program (as they are linted), with the fix loop's parse gate; IPython lines are
    put back as they were. Used by `fix_notebook` (the CLI) and by the language server's "Fix all"."""
    if not cells:
        return CellsFix({})
    joined: list[str] = []
    for cell in cells:
        joined.extend(cell.lines)
        joined.append(_MARKER.format(index=cell.index))
    result = fix_source("\n".join(joined) + "\n", path, settings, unsafe, resolver=resolver)
    if result.error is not None:
        return CellsFix({}, error=result.error)
    by_index: dict[int, list[str]] = {}
    current: list[str] = []
    for line in split_lines(result.text):
        match = _MARKER_LINE.match(line)
        if match:
            by_index[int(match.group(1))] = current
            current = []
        else:
            current.append(line)
    if [c.index for c in cells] != list(by_index) or any(line.strip() for line in current):
        return CellsFix({}, error="a fix crossed a cell boundary; the notebook was left unchanged")
    texts: dict[int, str] = {}
    for cell in cells:
        fixed = by_index[cell.index]
        if fixed == list(cell.lines):
            continue
        restored = _restore(split_lines(cell.text), list(cell.lines), fixed)
        if restored is None:
            return CellsFix({}, error=f"a fix would change an IPython line in cell {cell.index}; "
                                      "the notebook was left unchanged")
        texts[cell.index] = "\n".join(restored) + ("\n" if cell.text.endswith(("\n", "\r")) else "")
    return CellsFix(texts, result.fixed_count, None, result.converged)


def fix_notebook(path: str, data: bytes, settings=None, unsafe: bool = False, resolver=None) -> NotebookFix:
    """Apply rnnlint's fixes to a notebook: the code cells are fixed as one program (`fix_cells`), then only the
    cells whose code changed get a new "source" in the JSON text; outputs, metadata, execution counts, key
    order, indentation and the trailing newline stay exactly as they were. Never raises for a bad file."""
    try:
        raw = data.decode("utf-8")
        document, cells = load(raw)
        spans = source_spans(raw)
    except (UnicodeDecodeError, NotebookError) as exc:
        return NotebookFix("", "", error=f"cannot fix this notebook: {exc}")
    if not is_python(document) or not cells:
        return NotebookFix(raw, raw)
    fixed = fix_cells(path, cells, settings, unsafe, resolver)
    if fixed.error is not None:
        return NotebookFix(raw, raw, error=fixed.error)
    ascii_only = raw.isascii() and "\\u" in raw
    replacements: list[tuple[int, int, str]] = []
    for index, text in fixed.texts.items():
        if index not in spans:
            return NotebookFix(raw, raw, error=f"cell {index}: cannot find its source in the JSON text")
        start, end = spans[index]
        replacements.append((start, end, _source_value(raw[start:end], text, ascii_only)))
    new = raw
    for start, end, value in sorted(replacements, reverse=True):
        new = new[:start] + value + new[end:]
    try:
        load(new)
    except NotebookError as exc:  # pragma: no cover - a bug here must not write a broken notebook
        return NotebookFix(raw, raw, error=f"internal error: the fixed notebook would not load ({exc})")
    return NotebookFix(raw, new, fixed.fixed_count, None, fixed.converged)
