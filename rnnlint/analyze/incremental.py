"""Incremental analysis for the editor: after an edit, analyse again only what the edit can change.

A module is cut into *segments*: groups of top-level statements that share a module-level name (a statement
that binds `model` and the ones that use it; a builder function and its callers). The import block at the top of
the file is the *header*: every segment is analysed with it. Each segment is analysed alone, as the module text
with every other line blank (so every position is the file's own), and the pieces' IRs are merged. A piece is
reused while its statements and their lines, the header, and the project modules it read are unchanged, so an
edit re-analyses the segment it touches (and, when it moves lines, the segments below it).

After an edit only the changed lines are parsed again, as whole top-level statements; if they do not parse on
their own (an open bracket, a block that lost its header), or the file uses what makes names dynamic
(`global`, `exec`, `eval`, `globals()`, `locals()`, `vars()`, `from m import *`, `del` of a module name), the
file is analysed whole, exactly as the command line does. tests/test_incremental.py checks the merged result
against the whole-file analysis on generated edit sequences.
"""
from __future__ import annotations

import ast
import dataclasses
import warnings
from dataclasses import dataclass

from rnnlint.analyze.limits import MAX_SOURCE_CHARS, too_deep
from rnnlint.ir import FileIR
from rnnlint.runindex import stat_of
from rnnlint.sources.notebook import split_lines

_DYNAMIC_CALLS = frozenset({"exec", "eval", "globals", "locals", "vars", "__import__"})


@dataclass(frozen=True)
class Statement:
    """One top-level statement: its lines (decorators included), text, and the module names it touches."""

    start: int
    end: int
    text: str
    names: frozenset[str]  # every identifier it binds or reads, at any depth (conservative)
    binds: frozenset[str]  # the module-level names it binds
    importish: bool = False  # an import (or a docstring): may belong to the header
    dynamic: bool = False  # names it uses cannot be known statically
    header: bool = False  # an import of the file's leading import block (set by `_with_header`)


def _bound_at_top(node: ast.stmt) -> set[str]:
    """Module-level names a top-level statement binds (assignment targets, defs, classes, imports, loop and
    with targets; names bound inside nested blocks of if/for/while/try/with count too)."""
    out: set[str] = set()
    stack: list[ast.AST] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(current.name)
            continue  # their bodies are another scope
        if isinstance(current, (ast.Import, ast.ImportFrom)):
            out.update((a.asname or a.name).split(".")[0] for a in current.names)
            continue
        if isinstance(current, ast.Name) and isinstance(current.ctx, (ast.Store, ast.Del)):
            out.add(current.id)
        if isinstance(current, (ast.Lambda, ast.GeneratorExp, ast.ListComp, ast.SetComp, ast.DictComp)):
            continue
        stack.extend(ast.iter_child_nodes(current))
    return out


def _describe(node: ast.stmt, text: str, start: int, end: int, importish: bool) -> Statement:
    names: set[str] = set()
    dynamic = False
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            names.add(sub.id)
            if sub.id in _DYNAMIC_CALLS:
                dynamic = True
        elif isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(sub.name)
        elif isinstance(sub, ast.arg):
            names.add(sub.arg)
        elif isinstance(sub, (ast.Global, ast.Nonlocal)):
            dynamic = True
        elif isinstance(sub, ast.ImportFrom) and any(a.name == "*" for a in sub.names):
            dynamic = True
        elif isinstance(sub, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in sub.names)
    if isinstance(node, ast.Delete):
        dynamic = True
    return Statement(start, end, text, frozenset(names), frozenset(_bound_at_top(node)), importish, dynamic)


def _first_line(node: ast.stmt) -> int:
    decorators = getattr(node, "decorator_list", None) or []
    return min([node.lineno] + [d.lineno for d in decorators])


def _parse(lines: list[str], first: int) -> list[ast.stmt] | None:
    """The top-level statements of `lines` (line `first` of the file onwards), positioned in the file; None when
    they do not parse on their own (or nest too deeply: the whole-file path reports it)."""
    text = "\n".join(lines) + "\n"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = compile(text, "<rnnlint>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if too_deep(tree, [len(line) for line in lines]):
        return None
    if first > 1:
        ast.increment_lineno(tree, first - 1)
    return list(tree.body)


def _statements(nodes: list[ast.stmt], lines: list[str]) -> list[Statement]:
    out = []
    for node in nodes:
        start, end = _first_line(node), node.end_lineno or node.lineno
        importish = isinstance(node, (ast.Import, ast.ImportFrom)) or (
            isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str))
        out.append(_describe(node, "\n".join(lines[start - 1:end]), start, end, importish))
    return out


def _with_header(statements: list[Statement]) -> list[Statement]:
    """The leading run of imports (and docstrings) is the header."""
    out, open_ = [], True
    for statement in statements:
        open_ = open_ and statement.importish
        out.append(statement if statement.header == open_ else dataclasses.replace(statement, header=open_))
    return out


def _mutable_header(statements: list[Statement]) -> set[str]:
    """Header names some later statement binds again: those are not shared read-only, so they join segments."""
    header = {n for s in statements if s.header for n in s.binds}
    return {n for s in statements if not s.header for n in s.binds if n in header}


def segments(statements: list[Statement]) -> list[list[Statement]]:
    """The statements (but the header) grouped by the module-level names they share, in file order."""
    body = [s for s in statements if not s.header]
    rebound = _mutable_header(statements)
    bound = {n for s in body for n in s.binds} | rebound
    parent = list(range(len(body)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, statement in enumerate(body):
        for name in statement.names & bound:
            if name in owner:
                parent[find(i)] = find(owner[name])
            else:
                owner[name] = i
    groups: dict[int, list[Statement]] = {}
    for i, statement in enumerate(body):
        groups.setdefault(find(i), []).append(statement)
    return sorted(groups.values(), key=lambda group: group[0].start)


def _merge(pieces: list[FileIR]) -> FileIR:
    models = []
    for piece in pieces:
        for model in piece.models:
            models.append(dataclasses.replace(model, id=len(models)))
    imports, seen = [], set()
    for piece in pieces:
        for item in piece.imports:
            if (item.module, item.span) not in seen:
                seen.add((item.module, item.span))
                imports.append(item)
    imports.sort(key=lambda i: (i.span.line, i.span.column))
    return FileIR(models=tuple(models), imports=tuple(imports),
                  mentions_keras=any(p.mentions_keras for p in pieces),
                  standalone_layers=tuple(layer for p in pieces for layer in p.standalone_layers),
                  keras_objects=tuple(o for p in pieces for o in p.keras_objects),
                  dependencies=tuple(sorted({d for p in pieces for d in p.dependencies})))


@dataclass
class IncrementalAnalyzer:
    """The analysis of one open document, kept between edits (the language server keeps one per document)."""

    lines: list[str] = dataclasses.field(default_factory=list)
    statements: list[Statement] | None = None
    pieces: dict[tuple, tuple[FileIR, tuple]] = dataclasses.field(default_factory=dict)
    reused: int = 0  # segments taken from the last analysis (for tests and the benchmark)
    analysed: int = 0  # segments analysed in the last call

    def analyse(self, text: str, path: str | None = None, loader=None) -> FileIR:
        """The IR of `text`, as rnnlint.analyze.analyze_source gives it, re-analysing only what changed."""
        from rnnlint.analyze.module import analyze_module

        lines = split_lines(text)
        statements = self._split(lines) if len(text) <= MAX_SOURCE_CHARS else None
        self.lines, self.statements = lines, statements
        if statements is None or any(s.dynamic for s in statements):
            self.pieces.clear()
            self.reused, self.analysed = 0, 1
            return analyze_module(text, path=path, loader=loader)  # the whole file (and its errors), as the CLI
        header = tuple((s.start, s.text) for s in statements if s.header)
        header_lines = [(s.start, s.end) for s in statements if s.header]
        groups = segments(statements) or [[]]
        pieces, kept = [], {}
        self.reused = self.analysed = 0
        for group in groups:
            key = (header, tuple((s.start, s.text) for s in group))
            cached = self.pieces.get(key)
            if cached is not None and all(stat_of(d) == stat for d, stat in cached[1]):
                self.reused += 1
                piece = cached[0]
            else:
                self.analysed += 1
                keep = header_lines + [(s.start, s.end) for s in group]
                piece = analyze_module(_blank_except(lines, keep), path=path, loader=loader)
                cached = (piece, tuple((d, stat_of(d)) for d in piece.dependencies))
            kept[key] = cached
            pieces.append(piece)
        self.pieces = kept
        return _merge(pieces)

    def _split(self, lines: list[str]) -> list[Statement] | None:
        """The top-level statements of `lines`, parsing only the lines that changed since the last call."""
        old, previous = self.lines, self.statements
        if previous is None:
            nodes = _parse(lines, 1)
            return None if nodes is None else _with_header(_statements(nodes, lines))
        prefix = 0
        while prefix < min(len(old), len(lines)) and old[prefix] == lines[prefix]:
            prefix += 1
        suffix = 0
        while (suffix < min(len(old), len(lines)) - prefix
               and old[len(old) - 1 - suffix] == lines[len(lines) - 1 - suffix]):
            suffix += 1
        if prefix == len(old) == len(lines):
            return previous
        first, last = prefix + 1, len(old) - suffix  # the changed old lines (may be empty: an insertion)
        touched = [s for s in previous if s.end >= first - 1 and s.start <= last + 1]
        start = min([first] + [s.start for s in touched])
        end = max([last] + [s.end for s in touched])
        shift = len(lines) - len(old)
        before = [s for s in previous if s.end < start]
        after = [s for s in previous if s.start > end]
        region = lines[start - 1:end + shift]
        nodes = _parse(region, start) if region else []
        if nodes is None:
            return None
        middle = _statements(nodes, lines)
        moved = [dataclasses.replace(s, start=s.start + shift, end=s.end + shift) if shift else s for s in after]
        return _with_header(before + middle + moved)


def _blank_except(lines: list[str], keep: list[tuple[int, int]]) -> str:
    """The module text with every line outside the `keep` ranges (1-based, inclusive) blank."""
    out = [""] * len(lines)
    for start, end in keep:
        out[start - 1:end] = lines[start - 1:end]
    return "\n".join(out) + "\n"


__all__ = ["IncrementalAnalyzer", "Statement", "segments"]
