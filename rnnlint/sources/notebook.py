"""Jupyter notebooks (.ipynb, nbformat 4): code cells → one Python program, and positions back to cells.

The code cells are joined in notebook order, one after the other (markdown and raw cells are skipped), so a
model built in one cell and fitted in another is analysed as one program. Each cell keeps its own lines:
`Source.cells` records where each cell starts in the joined text, and the engine turns joined-text positions
back into (cell, line within the cell). Columns never change.

IPython syntax that is not Python is neutralised line for line, so nothing moves:
- a cell magic on the cell's first line (`%%bash`, `%%html`, `%%writefile`, `%%timeit`, …) blanks the whole cell
  (its lines become empty), except the magics that run the cell as Python in the user's namespace (`%%time`,
  `%%capture`, `%%prun`, `%%debug`): only their first line is blanked, and the code below is linted;
- a line magic or shell line (`%matplotlib inline`, `!pip install keras`, `files = !ls`, `x = %time f()`) and a
  help line (`model.fit?`, `??LSTM`) becomes `pass` at the same indentation (valid inside a block, too).
A cell is only touched when it does not parse as Python as it is, so a `%` or `!` inside a string is left alone.

`cell` numbers are 1-based positions in the notebook's `cells` array, counting every cell (markdown too), so
`cells[cell - 1]` in the .ipynb JSON is the cell a finding is in.

The layout is read with the json module only (nbformat is not needed for reading). A file that is not JSON, not
an nbformat 4 notebook, or has malformed cells raises `NotebookError` with a one-line reason.
"""
from __future__ import annotations

import ast
import json
import os
import re
import warnings
from dataclasses import dataclass

from rnnlint.sources.types import Cell, Source

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# `%magic`, `!shell`, `?obj` at the start of a line, or an assignment from one: `files = !ls`, `t = %time f()`.
_MAGIC = re.compile(r"^(?P<indent>[ \t]*)(?:[%!?]|[A-Za-z_][\w.]*(?:\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*[%!])")
_HELP = re.compile(r"^[ \t]*[^#\s][^#]*\?\s*$")  # `obj?`, `obj??` (not a comment)


# Cell magics that run the rest of the cell as Python in the user's namespace: only their first line is blanked.
PYTHON_CELL_MAGICS = frozenset({"time", "capture", "prun", "debug"})


class NotebookError(ValueError):
    """A file that is not a readable nbformat 4 notebook; the message is one line for the user."""


@dataclass(frozen=True)
class NotebookCell:
    """One code cell: its 1-based position in the notebook, its text as stored and as linted."""

    index: int
    text: str  # the cell's source, joined as stored (line breaks kept)
    lines: tuple[str, ...]  # the cell's lines as linted (magics neutralised), without line breaks
    error: "CellError | None" = None  # the cell does not parse: it is linted as blank lines


@dataclass(frozen=True)
class CellError:
    """Why a cell does not parse, where (1-based line and column within the cell)."""

    message: str
    line: int
    column: int


def syntax_error(text: str) -> CellError | None:
    """CPython's complaint about `text` as a module, or None when it parses."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes etc.
            ast.parse(text)
    except SyntaxError as err:
        return CellError(err.msg or "invalid syntax", err.lineno or 1, max(err.offset or 1, 1))
    except (ValueError, RecursionError, MemoryError) as err:
        return CellError(str(err) or type(err).__name__, 1, 1)
    return None


def split_lines(text: str) -> list[str]:
    """Lines without their breaks, splitting only on \\r\\n, \\r and \\n (as Python's tokenizer does)."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "" and len(lines) > 1:
        lines.pop()  # a trailing newline does not start another line
    return lines


def _parses(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes etc.
            ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def neutralise(lines: list[str]) -> list[str]:
    """IPython magics, shell and help lines → `pass` (or blank for a cell magic); same line count and lines."""
    if not lines:
        return lines
    if lines[0].lstrip().startswith("%%"):
        magic = lines[0].lstrip()[2:].split(None, 1)
        if not magic or magic[0] not in PYTHON_CELL_MAGICS:
            return ["" for _ in lines]
        return [""] + neutralise(lines[1:]) if len(lines) > 1 else [""]
    if _parses("\n".join(lines) + "\n"):
        return lines
    out = []
    for line in lines:
        match = _MAGIC.match(line)
        if match:
            out.append(match.group("indent") + "pass")
        elif _HELP.match(line):
            out.append(line[: len(line) - len(line.lstrip())] + "pass")
        else:
            out.append(line)
    return out


def _cell_source(cell: dict, position: int) -> str:
    source = cell.get("source", "")
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    raise NotebookError(f"cell {position}: 'source' must be a string or a list of strings")


def parse_document(data: bytes | str) -> tuple[dict, list[tuple[int, str]]]:
    """Parse a notebook's JSON: (the document, its code cells' positions and sources). Raises NotebookError."""
    try:
        document = json.loads(data)
    except UnicodeDecodeError as exc:
        raise NotebookError(f"not a notebook: cannot decode as UTF-8 ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise NotebookError(f"not a notebook: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise NotebookError("not a notebook: JSON nested too deeply") from None
    if not isinstance(document, dict):
        raise NotebookError(f"not a notebook: the JSON document is a {type(document).__name__}, not an object")
    version = document.get("nbformat")
    if "cells" not in document and "worksheets" in document or isinstance(version, int) and version < 4:
        raise NotebookError(f"nbformat {version} notebooks are not supported; convert it to nbformat 4 with "
                            "`jupyter nbconvert --to notebook --nbformat 4`")
    if version != 4:
        raise NotebookError("not an nbformat 4 notebook: 'nbformat' is "
                            + ("missing" if version is None else repr(version)))
    cells = document.get("cells")
    if not isinstance(cells, list):
        raise NotebookError("not a notebook: 'cells' is " + ("missing" if cells is None else "not a list"))
    sources: list[tuple[int, str]] = []
    for position, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict):
            raise NotebookError(f"cell {position} is not an object")
        kind = cell.get("cell_type")
        if not isinstance(kind, str):
            raise NotebookError(f"cell {position} has no 'cell_type'")
        if kind == "code":
            sources.append((position, _cell_source(cell, position)))
    return document, sources


def load(data: bytes | str) -> tuple[dict, list[NotebookCell]]:
    """Parse a notebook: (the JSON document, its code cells in order). Raises NotebookError."""
    document, sources = parse_document(data)
    return document, code_cells(sources)[0]


# A line IPython rewrites (or may: `x?`): a cell with one is made alone (`code_cell`), not assumed to parse;
# the prefilter searches such a cell whole (its quotes need not pair).
IPYTHON_LINE = re.compile(r"^[ \t]*[%!?]|=[ \t]*[%!]|\?[ \t]*$", re.MULTILINE)


def code_cells(sources: list[tuple[int, str]]) -> tuple[list[NotebookCell], ast.Module | None]:
    """The code cells (1-based position, source) as `code_cell` makes them, and the tree of their joined program
    when it was parsed here (else None). Parsing every cell alone and then the program costs two parses of each
    line; so the cells without IPython lines are first assumed to parse alone and the program is parsed once.
    The assumption holds when the program parses and each of its statements lies within one cell: a cell's
    tokens are then the same alone as in the program (brackets, strings and blocks close inside it, and it does
    not end in a backslash continuation), so it parses alone, and `code_cell` would keep it as it is. Otherwise
    those cells are made one by one, as before."""
    cells: list[NotebookCell] = []
    assumed: list[int] = []  # positions in `cells`
    for index, text in sources:
        if not text.strip():
            continue
        if IPYTHON_LINE.search(text) or text.rstrip().endswith("\\"):
            made = code_cell(index, text)
            if made is not None:
                cells.append(made)
        else:
            assumed.append(len(cells))
            cells.append(NotebookCell(index=index, text=text, lines=tuple(split_lines(text))))
    if not assumed:
        return cells, None
    program_text, placed = join(cells)
    tree = _parse(program_text)
    if tree is not None and _within_cells(tree, [c.first_line for c in placed]):
        return cells, tree
    for position in assumed:
        cells[position] = code_cell(cells[position].index, cells[position].text)
    return cells, None


def _parse(text: str) -> ast.Module | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes etc.
            return compile(text, "<rnnlint>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _within_cells(tree: ast.Module, starts: list[int]) -> bool:
    """Whether every top-level statement of the program (decorators included) starts and ends in one cell."""
    import bisect

    for statement in tree.body:
        first = min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", ())])
        last = statement.end_lineno or statement.lineno
        if bisect.bisect_right(starts, first) != bisect.bisect_right(starts, last):
            return False
    return True


def code_cell(index: int, text: str) -> NotebookCell | None:
    """One code cell as it is linted (IPython lines neutralised; a cell that does not parse is blank lines with
    its error), or None for an empty cell, which adds nothing. The CLI and the language server both make their
    cells here, so they lint the same program."""
    if not text.strip():
        return None
    original = split_lines(text)
    lines = neutralise(original)
    # one broken cell must not hide the others (a cell neutralise left as it was has just parsed)
    error = None if lines is original else syntax_error("\n".join(lines) + "\n")
    return NotebookCell(index=index, text=text, lines=tuple(lines) if error is None else tuple("" for _ in lines),
                        error=error)


def is_python(document: dict) -> bool:
    """False for notebooks whose kernel language is known and is not Python (R, Julia, …)."""
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return True
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        info = metadata.get(key)
        if isinstance(info, dict) and isinstance(info.get(field), str):
            return info[field].strip().lower() in ("python", "python3", "python2", "ipython", "")
    return True


def join(cells: list[NotebookCell]) -> tuple[str, tuple[Cell, ...]]:
    """The program text of the code cells, and where each cell starts in it."""
    chunks: list[str] = []
    placed: list[Cell] = []
    line = 1
    for cell in cells:
        placed.append(Cell(index=cell.index, first_line=line, line_count=len(cell.lines)))
        chunks.extend(cell.lines)
        line += len(cell.lines)
    return ("\n".join(chunks) + "\n" if chunks else ""), tuple(placed)


def read_notebook(path: str, data: bytes) -> Source:
    """A notebook file → Source with `cells` (and the syntax errors of cells that do not parse, which are
    linted as blank lines). Raises NotebookError for a malformed notebook."""
    return parsed_notebook(path, ParsedNotebook.of(*parse_document(data)))


@dataclass(frozen=True)
class ParsedNotebook:
    """What of a notebook's JSON the linting reads: whether its kernel is Python, and its code cells' positions
    and sources. The command line's main process parses a notebook to decide whether to lint it
    (rnnlint.prefilter) and hands this to the worker that lints it, instead of the notebook's bytes to parse
    again (with their outputs, often most of them)."""

    python: bool
    sources: tuple[tuple[int, str], ...]

    @classmethod
    def of(cls, document: dict, sources: list[tuple[int, str]]) -> "ParsedNotebook":
        return cls(is_python(document), tuple(sources))


def parsed_notebook(path: str, parsed: ParsedNotebook) -> Source:
    """`read_notebook` of a notebook already parsed."""
    if not parsed.python:
        return Source(path=path, text="", cells=())
    cells, tree = code_cells(list(parsed.sources))
    return program(path, cells, tree)


def program(path: str, cells: list[NotebookCell], tree: ast.Module | None = None) -> Source:
    """The code cells as the one program rnnlint lints: the joined text, where each cell sits in it, and the
    syntax errors of the cells linted as blank lines. `tree`: the program's, when `code_cells` parsed it."""
    text, placed = join(cells)
    errors = tuple((placed[i].first_line + c.error.line - 1, c.error.column, c.error.message)
                   for i, c in enumerate(cells) if c.error is not None)
    return Source(path=path, text=text, cells=placed, syntax_errors=errors, tree=tree)


def cell_lines(data: bytes | str) -> dict[int, list[str]]:
    """Each code cell's lines as stored (1-based cell position → lines), for source excerpts."""
    try:
        _, cells = load(data)
    except NotebookError:
        return {}
    return {cell.index: split_lines(cell.text) for cell in cells}


# ---------------------------------------------------------------------------------------------------------
# Positions: joined text → (cell, line within the cell)

_LINE_MENTION = re.compile(r"\bline (\d+)\b")


def cell_at(cells: tuple[Cell, ...], line: int) -> Cell | None:
    """The cell holding `line` of the joined text (the last cell for a line past the end)."""
    return next((c for c in reversed(cells) if c.first_line <= line), None)


def _relative(span, cell: Cell):
    from dataclasses import replace

    shift = cell.first_line - 1
    return replace(span, line=span.line - shift, end_line=span.end_line - shift)


def _mention(cells: tuple[Cell, ...], home: Cell, match: re.Match) -> str:
    line = int(match.group(1))
    cell = cell_at(cells, line)
    if cell is None or line >= cell.first_line + cell.line_count:
        return match.group(0)
    relative = line - cell.first_line + 1
    return f"line {relative}" if cell is home else f"cell {cell.index}, line {relative}"


def locate(finding, cells: tuple[Cell, ...]):
    """A finding in joined-text positions → the same finding in its cell: `cell` set, span lines relative to
    the cell, "line N" in the message rewritten (to "cell C, line n" when another cell), and fix edits made
    relative to the finding's cell (a fix with an edit in another cell is dropped: it cannot be expressed)."""
    from dataclasses import replace

    cell = cell_at(cells, finding.span.line)
    if cell is None:
        return finding
    message = _LINE_MENTION.sub(lambda m: _mention(cells, cell, m), finding.message)
    fix = finding.fix
    if fix is not None:
        if all(cell_at(cells, e.span.line) is cell and cell_at(cells, e.span.end_line) is cell for e in fix.edits):
            fix = replace(fix, edits=tuple(replace(e, span=_relative(e.span, cell)) for e in fix.edits))
        else:
            fix = None
    return replace(finding, span=_relative(finding.span, cell), cell=cell.index, message=message, fix=fix)


# ---------------------------------------------------------------------------------------------------------
# Where each cell's source is in the .ipynb JSON text (for fixing it in place, and for CI annotations)

def source_spans(raw: str) -> dict[int, tuple[int, int]]:
    """1-based cell position → (start, end) offsets of that cell's "source" value in the notebook's JSON text.
    Raises NotebookError when the text is not a JSON object with a "cells" array."""
    decoder = json.JSONDecoder()
    scan = json.decoder.scanstring
    ws = re.compile(r"[ \t\n\r]*")

    def skip(i: int) -> int:
        return ws.match(raw, i).end()

    def members(i: int):
        """Yield (key, value_start) of the object starting at raw[i] == '{'; the caller must consume values."""
        if raw[i] != "{":
            raise NotebookError("not a notebook: expected a JSON object")
        i = skip(i + 1)
        if raw[i] == "}":
            return
        while True:
            if raw[i] != '"':
                raise NotebookError("not a notebook: malformed JSON object")
            key, i = scan(raw, i + 1)
            i = skip(i)
            if raw[i] != ":":
                raise NotebookError("not a notebook: malformed JSON object")
            i = skip(i + 1)
            end = yield key, i
            i = skip(end)
            if raw[i] == "}":
                return
            if raw[i] != ",":
                raise NotebookError("not a notebook: malformed JSON object")
            i = skip(i + 1)

    def value_end(i: int) -> int:
        return decoder.raw_decode(raw, i)[1]

    spans: dict[int, tuple[int, int]] = {}
    top = members(skip(0))
    try:
        key, at = next(top)
        while True:
            if key == "cells" and raw[at] == "[":
                i = skip(at + 1)
                position = 0
                while raw[i] != "]":
                    position += 1
                    if raw[i] == "{":
                        cell = members(i)
                        try:
                            ckey, cat = next(cell)
                            while True:
                                cend = value_end(cat)
                                if ckey == "source":
                                    spans[position] = (cat, cend)
                                ckey, cat = cell.send(cend)
                        except StopIteration:
                            pass
                        i = skip(_object_end(raw, i, decoder))
                    else:
                        i = skip(value_end(i))
                    if raw[i] == ",":
                        i = skip(i + 1)
                end = i + 1
            else:
                end = value_end(at)
            key, at = top.send(end)
    except StopIteration:
        pass
    except (IndexError, ValueError) as exc:
        raise NotebookError(f"not a notebook: malformed JSON ({exc})") from None
    return spans


def _object_end(raw: str, i: int, decoder: json.JSONDecoder) -> int:
    return decoder.raw_decode(raw, i)[1]


def json_lines(raw: str) -> dict[int, list[int]]:
    """1-based cell position → for each line of its source, the 1-based line of the .ipynb JSON text where that
    line's text starts (a list-form source has one JSON string per line; a string-form source is one string)."""
    decoder = json.JSONDecoder()
    out: dict[int, list[int]] = {}
    for position, (start, end) in source_spans(raw).items():
        value = raw[start:end]
        if value.startswith("["):
            i = start + 1
            lines: list[int] = []
            while True:
                while raw[i] in " \t\r\n,":
                    i += 1
                if raw[i] == "]":
                    break
                element, after = decoder.raw_decode(raw, i)
                first = raw.count("\n", 0, i) + 1
                count = len(split_lines(element)) if isinstance(element, str) else 1
                lines.extend([first] * count)  # normally one line per string
                i = after
            out[position] = lines
        else:
            text = json.loads(value)
            out[position] = [raw.count("\n", 0, start) + 1] * max(len(split_lines(text)), 1)
    return out


_JSON_LINES: dict[str, tuple[tuple[int, int], dict[int, list[int]]]] = {}


def json_line(path: str, cell: int, line: int) -> int | None:
    """The 1-based line of the notebook file at `path` where line `line` of cell `cell` is written, or None."""
    try:
        info = os.stat(path)
        stamp = (info.st_mtime_ns, info.st_size)
        cached = _JSON_LINES.get(path)
        if cached is None or cached[0] != stamp:
            with open(path, encoding="utf-8") as handle:
                cached = _JSON_LINES[path] = (stamp, json_lines(handle.read()))
        lines = cached[1].get(cell)
    except (OSError, UnicodeDecodeError, NotebookError, ValueError, IndexError):
        return None
    if not lines or not 1 <= line <= len(lines):
        return None
    return lines[line - 1]
