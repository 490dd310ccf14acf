"""The evaluator: walks a module's statements in order, abstractly, and records the models it builds.

Straight-line code is followed exactly (the last assignment wins); what is assigned inside a branch or loop
is Unknown afterwards; `if __name__ == "__main__":` is straight-line. User functions are evaluated at their
first call site with the arguments resolved there (or, if never called, once with Unknown parameters).
Imports bind module references in the same environment as every other name, so a name resolves to Keras exactly
when the import that binds it, followed through the code as written, says so (`import tensorflow as tf`,
`from keras import layers as L`, a try/except ImportError pair, a user's own class named LSTM, a star import
of Keras's layers or models, which binds their public names).

The tree is CPython's own `ast` (which gives exact start and end positions); libcst would cost ~40x more per
file for the same information (its parse plus PositionProvider were 75% of the analysis time, measured in
bench/). Columns are converted from CPython's UTF-8 byte offsets to characters.
"""
from __future__ import annotations

import ast
import bisect
import contextlib
import re
import signal
import sys
import threading
import time
import warnings
from typing import Any, Iterator

from rnnlint.analyze import arrays
from rnnlint.analyze.errors import AnalysisLimit, SourceSyntaxError
from rnnlint.analyze.finalize import finalize_model
from rnnlint.analyze.names import keras_name, numpy_name, star_exports, tf_name
from rnnlint.analyze.values import (
    ArrayObj, CallableRef, ClassObj, FunctionObj, Graph, GraphNode, LayerObj, ListObj, ModelBuilder, ModuleRef,
    TensorObj,
)
from rnnlint.ir import (
    UNKNOWN, Argument, CallSite, CompileInfo, FileIR, Import, Layer, ModelCall, Pos, Span, TensorRef, TrainCall,
    Unknown, is_unknown,
)

TRAIN_METHODS = {
    "fit": ("x", "y", "batch_size", "epochs"),
    "evaluate": ("x", "y", "batch_size"),
    "predict": ("x", "batch_size"),
    "train_on_batch": ("x", "y"),
    "test_on_batch": ("x", "y"),
    "predict_on_batch": ("x",),
    "fit_generator": ("generator",),
}
OTHER_MODEL_METHODS = {"reset_states", "predict_classes", "predict_proba", "summary", "build", "save"}
_BINOPS = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
    ast.FloorDiv: lambda a, b: a // b, ast.Div: lambda a, b: a / b, ast.Mod: lambda a, b: a % b,
    ast.Pow: lambda a, b: a ** b if abs(b) < 64 else UNKNOWN,
}
_TRY = (ast.Try, ast.TryStar) if sys.version_info >= (3, 11) else (ast.Try,)
_NEWLINE = re.compile(r"\r\n|\r|\n")  # CPython's line breaks (not str.splitlines', which has more)
MAX_DEPTH = 60
BUILTINS = ("len", "int", "float", "tuple", "list", "range", "round", "max", "min", "abs")


# Layers called with several tensors as separate positional arguments (the others take one tensor or a list).
POSITIONAL_TENSORS = frozenset({"MultiHeadAttention"})


class Env:
    """A scope's bindings, falling back to the enclosing (module) scope."""

    def __init__(self, parent: "Env | None" = None, bindings: dict | None = None) -> None:
        self.vars: dict[str, Any] = dict(bindings or {})
        self.parent = parent

    def get(self, name: str) -> Any:
        if name in self.vars:
            return self.vars[name]
        if self.parent is not None:
            return self.parent.get(name)
        return UNKNOWN

    def set(self, name: str, value: Any) -> None:
        self.vars[name] = value

    def bound(self, name: str) -> bool:
        """Whether any enclosing scope binds `name` (a builtin is only a builtin when nothing shadows it)."""
        return name in self.vars or (self.parent is not None and self.parent.bound(name))


class SelfObj:
    """`self` inside a subclassed Keras model: attributes hold its layers."""

    def __init__(self) -> None:
        self.attrs: dict[str, Any] = {}


# Safety limits (see docs/security.md): CPython's own hardened parser rejects pathological nesting with an
# exception (not a crash); the evaluator below recurses over the tree, so depth and size are capped too.
MAX_SOURCE_CHARS = 1_000_000
MAX_NESTING = 1_000  # AST depth (CPython allows 200 nested brackets)
FILE_TIME_LIMIT = 10.0  # seconds per file (SIGALRM in the main thread, a deadline check elsewhere)


class _TimeUp(BaseException):
    """Raised by the per-file alarm; a BaseException so that no `except Exception` on the way swallows it."""


def _preflight(text: str) -> ast.Module:
    """Parse `text` with CPython; reject a source that is too large or too deeply nested to analyse safely
    (AnalysisLimit), and one that CPython does not accept (SourceSyntaxError)."""
    if len(text) > MAX_SOURCE_CHARS:
        raise AnalysisLimit(f"file too large to analyse: {len(text):,} characters (the limit is "
                            f"{MAX_SOURCE_CHARS:,})")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning/DeprecationWarning (e.g. "\d") are not ours
            tree = compile(text, "<rnnlint>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (RecursionError, MemoryError):
        raise AnalysisLimit("too deeply nested to analyse") from None
    except SyntaxError as err:  # also "too many nested parentheses": CPython rejects the file too
        raise SourceSyntaxError(err.msg or "invalid syntax", err.lineno or 1, max(err.offset or 1, 1)) from None
    except ValueError as err:  # source code string cannot contain null bytes (Python < 3.12)
        raise SourceSyntaxError(str(err), 1, 1) from None
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_NESTING:
            raise AnalysisLimit(f"too deeply nested to analyse (more than {MAX_NESTING} levels)")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return tree


@contextlib.contextmanager
def _alarm(seconds: float | None) -> Iterator[None]:
    """Raise _TimeUp after `seconds` of wall time, where signals allow it (the main thread, POSIX)."""
    usable = (seconds and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
              and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0))
    if not usable:
        yield
        return

    def on_alarm(signum, frame):  # noqa: ARG001
        raise _TimeUp()

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def analyze_module(text: str, time_limit: float | None = None) -> FileIR:
    """Parse and evaluate a module; raise SourceSyntaxError when it does not parse, AnalysisLimit when it is
    too large, too deeply nested, or takes longer than `time_limit` seconds (default FILE_TIME_LIMIT)."""
    tree = _preflight(text)
    limit = FILE_TIME_LIMIT if time_limit is None else time_limit
    try:
        with _alarm(limit):
            evaluator = Evaluator(tree, text, deadline=time.monotonic() + limit if limit else None)
            return evaluator.run()
    except RecursionError:
        raise AnalysisLimit("too deeply nested to analyse") from None
    except _TimeUp:
        raise AnalysisLimit(f"analysis took longer than the per-file time limit ({limit:g} s)") from None


class SourceText:
    """Positions in the source: CPython's (line, UTF-8 byte offset) → 1-based character columns, and slices."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = _NEWLINE.split(text)
        self.starts = [0]
        for match in _NEWLINE.finditer(text):
            self.starts.append(match.end())

    def column(self, line: int, byte_offset: int) -> int:
        """1-based character column of a byte offset on `line`."""
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        if text.isascii():
            return byte_offset + 1
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", "replace")) + 1

    def span(self, node: ast.AST) -> Span:
        return Span(node.lineno, self.column(node.lineno, node.col_offset),
                    node.end_lineno, self.column(node.end_lineno, node.end_col_offset))

    def offset(self, line: int, column: int) -> int:
        return self.starts[line - 1] + column - 1

    def slice(self, span: Span) -> str:
        return self.text[self.offset(span.line, span.column):self.offset(span.end_line, span.end_column)]

    def indent_of(self, line: int) -> str:
        text = self.lines[line - 1] if 0 < line <= len(self.lines) else ""
        return text[: len(text) - len(text.lstrip(" \t"))]

    def position(self, offset: int) -> tuple[int, int]:
        """(line, 1-based column) of a character offset."""
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def with_parens(self, span: Span, low: int, high: int) -> Span:
        """`span` widened over redundant parentheses around it (`(8)` in `f((8), x)`), staying strictly between
        the offsets `low` and `high` (the call's own parentheses). CPython's positions leave such parentheses out."""
        start, end = self.offset(span.line, span.column), self.offset(span.end_line, span.end_column)
        text = self.text
        while True:
            a, b = start - 1, end
            while a > low and text[a] in " \t\r\n\\":
                a -= 1
            while b < high and text[b] in " \t\r\n\\":
                b += 1
            if not (low < a and b < high and text[a] == "(" and text[b] == ")"):
                break
            start, end = a, b + 1
        if (start, end) == (self.offset(span.line, span.column), self.offset(span.end_line, span.end_column)):
            return span
        return Span(*self.position(start), *self.position(end))


class Evaluator:
    def __init__(self, tree: ast.Module, text: str, deadline: float | None = None) -> None:
        self.tree = tree
        self.src = SourceText(text)
        self.deadline = deadline  # time.monotonic() after which the analysis gives up (checked per statement)
        self.graph = Graph()
        self.builders: list[ModelBuilder] = []
        self.imports: list[Import] = []
        self.layers: list[LayerObj] = []
        self.functions: list[FunctionObj] = []
        self.branch_depth = 0
        self.depth = 0
        self.mentions_keras = False
        self.statement: ast.stmt | None = None  # the simple statement being evaluated

    # ------------------------------------------------------------------ entry
    def run(self) -> FileIR:
        env = Env()
        self.exec_block(self.tree.body, env)
        for fn in self.functions:
            if not fn.evaluated:
                self.call_function(fn, (), {}, None)
        models = []
        for builder in self.builders:
            model = finalize_model(builder, len(models), self.graph)
            if model is not None:
                models.append(model)
        used = {id(n.layer) for m in models for n in m.nodes}
        standalone = tuple(o.layer for o in self.layers if id(o.layer) not in used)
        return FileIR(models=tuple(models), imports=tuple(self.imports), mentions_keras=self.mentions_keras,
                      standalone_layers=standalone)

    # ------------------------------------------------------------------ positions
    def span(self, node: ast.AST) -> Span:
        return self.src.span(node)

    def source(self, node: ast.AST) -> str:
        return self.src.slice(self.span(node))

    def callsite(self, call: ast.Call) -> CallSite:
        s = self.span(call)
        parts = [*call.args, *call.keywords]
        trailing = False
        if parts:
            last_end = max((p.end_lineno, p.end_col_offset) for p in parts)
            between = self.src.slice(Span(last_end[0], self.src.column(*last_end), s.end_line, s.end_column - 1))
            trailing = "," in re.sub(r"#[^\r\n]*", "", between)
        statement, statement_indent = None, ""
        if self.statement is not None:
            st = self.span(self.statement)
            statement, statement_indent = Pos(st.line, st.column), self.src.indent_of(st.line)
        line_indent = self.src.indent_of(s.line)
        return CallSite(span=s, func_span=self.span(call.func), func_source=self.source(call.func),
                        close_paren=Pos(s.end_line, s.end_column - 1), has_trailing_comma=trailing,
                        statement=statement, statement_indent=statement_indent, line_indent=line_indent,
                        starts_line=s.column == len(line_indent) + 1)

    # ------------------------------------------------------------------ statements
    def exec_block(self, body: list, env: Env) -> Any:
        """Execute statements in order; returns ("return", value) when a straight-line return is hit."""
        for stmt in body:
            result = self.exec_stmt(stmt, env)
            if result is not None:
                return result
        return None

    def exec_stmt(self, stmt: ast.stmt, env: Env) -> Any:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise _TimeUp()
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            fn = FunctionObj(stmt, env)
            self.functions.append(fn)
            env.set(stmt.name, fn)
            return None
        if isinstance(stmt, ast.ClassDef):
            self.exec_class(stmt, env)
            return None
        if isinstance(stmt, ast.If):
            if self.is_main_guard(stmt.test):
                return self.exec_block(stmt.body, env)
            self.eval_expr(stmt.test, env)
            branches = [stmt.body]
            orelse = stmt.orelse
            while orelse:
                if len(orelse) == 1 and isinstance(orelse[0], ast.If):  # elif
                    self.eval_expr(orelse[0].test, env)
                    branches.append(orelse[0].body)
                    orelse = orelse[0].orelse
                else:
                    branches.append(orelse)
                    orelse = []
            self.exec_branches(branches, env)
            return None
        if isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
            if isinstance(stmt, (ast.For, ast.AsyncFor)):
                self.eval_expr(stmt.iter, env)
            bodies = [stmt.body] + ([stmt.orelse] if stmt.orelse else [])
            pre_assign = self.assigned_names(stmt.target) if isinstance(stmt, (ast.For, ast.AsyncFor)) else set()
            self.exec_branches(bodies, env, extra_unknown=pre_assign)
            return None
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                self.eval_expr(item.context_expr, env)
                if item.optional_vars is not None:
                    self.assign(item.optional_vars, UNKNOWN, env)
            return self.exec_block(stmt.body, env)
        if isinstance(stmt, _TRY):
            result = self.exec_block(stmt.body, env)
            branches = [h.body for h in stmt.handlers] + ([stmt.orelse] if stmt.orelse else [])
            self.exec_branches(branches, env)
            if stmt.finalbody:
                self.exec_block(stmt.finalbody, env)
            return result
        if isinstance(stmt, ast.Match):  # pragma: no cover - rare in notebooks
            self.eval_expr(stmt.subject, env)
            self.exec_branches([c.body for c in stmt.cases], env)
            return None
        self.statement = stmt
        return self.exec_simple(stmt, env)

    def exec_branches(self, bodies: list, env: Env, extra_unknown: set[str] | None = None) -> None:
        """Run each body in a copy of `env`; names any of them assign become Unknown afterwards."""
        assigned: set[str] = set(extra_unknown or ())
        branch_values: dict[str, list] = {}
        self.branch_depth += 1
        try:
            for body in bodies:
                local = Env(env.parent, dict(env.vars))
                for name in extra_unknown or ():
                    local.set(name, UNKNOWN)
                self.exec_block(body, local)
                for name, value in local.vars.items():
                    if name not in env.vars or env.vars[name] is not value:
                        assigned.add(name)
                        branch_values.setdefault(name, []).append(value)
        finally:
            self.branch_depth -= 1
        for name in assigned:
            before = env.vars.get(name)
            if isinstance(before, ModuleRef) and name in branch_values and all(
                    _same_module(before, v) for v in branch_values[name]):
                continue  # try: import A / except ImportError: import the same thing from B
            env.set(name, UNKNOWN)

    def exec_simple(self, stmt: ast.stmt, env: Env) -> Any:
        if isinstance(stmt, ast.Assign):
            value = self.eval_expr(stmt.value, env)
            for target in stmt.targets:
                self.assign(target, value, env)
        elif isinstance(stmt, ast.AnnAssign):
            if stmt.value is not None:
                self.assign(stmt.target, self.eval_expr(stmt.value, env), env)
        elif isinstance(stmt, ast.AugAssign):
            current = self.eval_expr(stmt.target, env)
            value = self.eval_expr(stmt.value, env)
            fn = _BINOPS.get(type(stmt.op))
            self.assign(stmt.target, self.arith(fn, current, value) if fn else UNKNOWN, env)
        elif isinstance(stmt, ast.Expr):
            self.eval_expr(stmt.value, env)
        elif isinstance(stmt, ast.Return):
            return ("return", self.eval_expr(stmt.value, env) if stmt.value is not None else None)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            self.record_import(stmt)
            self.bind_import(stmt, env)
        return None

    def _name_span(self, alias: ast.alias) -> Span:
        """The span of an imported dotted name (without its `as` alias)."""
        start = self.src.column(alias.lineno, alias.col_offset)
        return Span(alias.lineno, start, alias.lineno, start + len(alias.name))

    def record_import(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in ("keras", "tensorflow", "tf_keras"):
                    self.mentions_keras = True
                self.imports.append(Import(alias.name, (), self.span(node), module_span=self._name_span(alias),
                                           aliases=(alias.asname,)))
            return
        module = "." * node.level + (node.module or "")
        if module.split(".")[0] in ("keras", "tensorflow", "tf_keras"):
            self.mentions_keras = True
        star = len(node.names) == 1 and node.names[0].name == "*"
        aliases = () if star else tuple(node.names)
        end = None
        if aliases:
            last = self.span(aliases[-1])
            end = Pos(last.end_line, last.end_column)
        self.imports.append(Import(
            module, tuple(a.name for a in aliases), self.span(node), module_span=self._module_span(node),
            name_spans=tuple(self._name_span(a) for a in aliases), names_end=end,
            aliases=tuple(a.asname for a in aliases)))

    def _module_span(self, node: ast.ImportFrom) -> Span | None:
        """Where `from MODULE import …` spells its module (found after `from` in the statement's text)."""
        if not node.module:
            return None
        s = self.span(node)
        text = self.src.slice(s)
        match = re.match(r"from\s+\.*\s*", text)
        if match is None or not text[match.end():].startswith(node.module):
            return None
        before = text[:match.end()]
        line = s.line + before.count("\n")
        column = (len(before) - before.rfind("\n") if "\n" in before else s.column + len(before))
        return Span(line, column, line, column + len(node.module))

    def bind_import(self, node: ast.Import | ast.ImportFrom, env: Env) -> None:
        """Bind the names an import statement defines to module references."""
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname is not None:
                    env.set(alias.asname, ModuleRef(alias.name))
                else:
                    top = alias.name.split(".")[0]
                    env.set(top, ModuleRef(top))
            return
        if node.level or not node.module:
            for alias in node.names:
                if alias.name != "*":
                    env.set(alias.asname or alias.name, UNKNOWN)
            return
        for alias in node.names:
            if alias.name != "*":
                env.set(alias.asname or alias.name, ModuleRef(f"{node.module}.{alias.name}"))
            else:  # `from keras.layers import *`: binds each public name, in order, like Python
                for name in sorted(star_exports(node.module)):
                    env.set(name, ModuleRef(f"{node.module}.{name}"))

    @staticmethod
    def is_main_guard(test: ast.expr) -> bool:
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq):
            sides = (test.left, test.comparators[0])
            names = {s.id for s in sides if isinstance(s, ast.Name)}
            strings = {s.value for s in sides if isinstance(s, ast.Constant)}
            return names == {"__name__"} and strings == {"__main__"}
        return False

    def assigned_names(self, target: ast.AST) -> set[str]:
        if isinstance(target, ast.Name):
            return {target.id}
        if isinstance(target, (ast.Tuple, ast.List)):
            out: set[str] = set()
            for el in target.elts:
                out |= self.assigned_names(el.value if isinstance(el, ast.Starred) else el)
            return out
        return set()

    def assign(self, target: ast.AST, value: Any, env: Env) -> None:
        if isinstance(target, ast.Name):
            env.set(target.id, value)
            if isinstance(value, ModelBuilder) and not value.name:
                value.name = target.id
        elif isinstance(target, (ast.Tuple, ast.List)):
            elements = target.elts
            if any(isinstance(el, ast.Starred) for el in elements):
                for el in elements:
                    self.assign(el.value if isinstance(el, ast.Starred) else el, UNKNOWN, env)
                return
            for el, part in zip(elements, self.unpack(value, len(elements))):
                self.assign(el, part, env)
        elif isinstance(target, ast.Attribute):
            owner = self.eval_expr(target.value, env)
            if isinstance(owner, SelfObj):
                owner.attrs[target.attr] = value
        elif isinstance(target, ast.Subscript):
            self.eval_expr(target.value, env)
        elif isinstance(target, ast.Starred):
            self.assign(target.value, UNKNOWN, env)

    def unpack(self, value: Any, count: int) -> list[Any]:
        if isinstance(value, TensorObj) and value.ref.index is None:
            return [TensorObj(TensorRef(value.ref.node, i)) for i in range(count)]
        if isinstance(value, ListObj):
            value = value.items
        if isinstance(value, tuple) and len(value) == count:
            return list(value)
        return [UNKNOWN] * count

    # ------------------------------------------------------------------ classes (subclassed models)
    def _class_name_span(self, node: ast.ClassDef) -> Span:
        line = self.src.lines[node.lineno - 1] if node.lineno <= len(self.src.lines) else ""
        match = re.search(r"\bclass\s+" + re.escape(node.name) + r"\b", line)
        if match is None:
            return Span(node.lineno, 1, node.lineno, 1)
        column = match.end() - len(node.name) + 1
        return Span(node.lineno, column, node.lineno, column + len(node.name))

    def exec_class(self, node: ast.ClassDef, env: Env) -> None:
        base = None
        for arg in node.bases:
            ref = self.eval_expr(arg, env)
            kn = keras_name(ref.qualified) if isinstance(ref, ModuleRef) else None
            if kn in ("Model", "layers.Layer"):
                base = kn
        cls = ClassObj(node, base)
        env.set(node.name, cls)
        methods = {s.name: s for s in node.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
        if base is None:
            for method in methods.values():  # methods of plain classes: evaluate for models built inside
                self.functions.append(FunctionObj(method, env))
            return
        self.mentions_keras = True
        name_span = self._class_name_span(node)
        builder = ModelBuilder(uid=len(self.builders), api="subclass", span=name_span, name=node.name)
        me = SelfObj()
        if "__init__" in methods:
            self.call_method_body(methods["__init__"], me, env)
        call = methods.get("call")
        params = call.args.posonlyargs + call.args.args if call is not None else []
        if call is not None and len(params) >= 2:
            site = CallSite(name_span, name_span, node.name, Pos(name_span.end_line, name_span.end_column))
            inp_node = self.graph.add(GraphNode(layer=Layer("<subclass-input>", False, (), site), inputs=(),
                                                applied_at=None))
            local = Env(env, {})
            local.set(params[0].arg, me)
            local.set(params[1].arg, TensorObj(TensorRef(inp_node)))
            for p in params[2:] + call.args.kwonlyargs:
                local.set(p.arg, UNKNOWN)
            self.depth += 1
            try:
                result = self.exec_block(call.body, local)
            finally:
                self.depth -= 1
            out = result[1] if result else UNKNOWN
            if isinstance(out, TensorObj):
                builder.graph_inputs = (TensorRef(inp_node),)
                builder.graph_outputs = (out.ref,)
                if base == "Model":
                    self.builders.append(builder)
        cls.model = builder

    def call_method_body(self, fn: ast.FunctionDef, me: SelfObj, env: Env) -> None:
        local = Env(env, {})
        params = fn.args.posonlyargs + fn.args.args
        defaults = _defaults(fn.args)
        if params:
            local.set(params[0].arg, me)
        for p in params[1:] + fn.args.kwonlyargs:
            default = defaults.get(p.arg)
            local.set(p.arg, self.eval_expr(default, env) if default is not None else UNKNOWN)
        self.depth += 1
        try:
            self.exec_block(fn.body, local)
        finally:
            self.depth -= 1

    # ------------------------------------------------------------------ functions
    def call_function(self, fn: FunctionObj, args: tuple, kwargs: dict, site: ast.Call | None) -> Any:
        if fn.evaluated:
            return fn.result
        if fn.evaluating or self.depth > 20:
            return UNKNOWN
        fn.evaluating = True
        local = Env(fn.scope_env, {})
        spec = fn.node.args
        defaults = _defaults(spec)
        for i, p in enumerate(spec.posonlyargs + spec.args):
            if i < len(args):
                value = args[i]
            elif p.arg in kwargs:
                value = kwargs[p.arg]
            elif p.arg in defaults:
                value = self.eval_expr(defaults[p.arg], fn.scope_env)
            else:
                value = UNKNOWN
            local.set(p.arg, value)
        for p in spec.kwonlyargs:
            default = defaults.get(p.arg)
            value = kwargs.get(p.arg, self.eval_expr(default, fn.scope_env) if default is not None else UNKNOWN)
            local.set(p.arg, value)
        for star in (spec.vararg, spec.kwarg):
            if star is not None:
                local.set(star.arg, UNKNOWN)
        self.depth += 1
        saved_branch, saved_statement = self.branch_depth, self.statement
        self.branch_depth = 0
        try:
            result = self.exec_block(fn.node.body, local)
        except RecursionError:
            result = None
        finally:
            self.depth -= 1
            self.branch_depth, self.statement = saved_branch, saved_statement
            fn.evaluating = False
        fn.evaluated = True
        fn.result = result[1] if result else UNKNOWN
        return fn.result

    # ------------------------------------------------------------------ expressions
    def eval_expr(self, node: ast.AST | None, env: Env) -> Any:
        if node is None:
            return None
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                return UNKNOWN
            return self._eval(node, env)
        except RecursionError:
            return UNKNOWN
        finally:
            self.depth -= 1

    def _eval(self, node: ast.AST, env: Env) -> Any:
        if isinstance(node, ast.Constant):
            value = node.value
            if value is Ellipsis or value is None or isinstance(value, (bool, int, float, str)):
                return value
            return UNKNOWN  # bytes, complex
        if isinstance(node, ast.Name):
            return env.get(node.id)
        if isinstance(node, ast.Tuple):
            return self.eval_elements(node.elts, env, tuple_=True)
        if isinstance(node, ast.List):
            return self.eval_elements(node.elts, env, tuple_=False)
        if isinstance(node, ast.UnaryOp):
            value = self.eval_expr(node.operand, env)
            if isinstance(node.op, ast.USub) and _is_number(value):
                return -value
            if isinstance(node.op, ast.UAdd) and _is_number(value):
                return value
            if isinstance(node.op, ast.Not) and not is_unknown(value) and isinstance(value, (bool, int)):
                return not value
            return UNKNOWN
        if isinstance(node, ast.BinOp):
            left = self.eval_expr(node.left, env)
            right = self.eval_expr(node.right, env)
            fn = _BINOPS.get(type(node.op))
            return self.arith(fn, left, right) if fn else UNKNOWN
        if isinstance(node, ast.Attribute):
            return self.eval_attribute(node, env)
        if isinstance(node, ast.Subscript):
            return self.eval_subscript(node, env)
        if isinstance(node, ast.Call):
            return self.eval_call(node, env)
        if isinstance(node, ast.IfExp):
            self.eval_expr(node.test, env)
            body = self.eval_expr(node.body, env)
            orelse = self.eval_expr(node.orelse, env)
            return body if body == orelse and not is_unknown(body) and _is_literal(body) else UNKNOWN
        if isinstance(node, ast.Dict):
            for value in node.values:
                self.eval_expr(value, env)
            return UNKNOWN
        if isinstance(node, ast.NamedExpr):
            value = self.eval_expr(node.value, env)
            self.assign(node.target, value, env)
            return value
        return UNKNOWN  # comprehensions, lambdas, f-strings, comparisons, await …

    def eval_elements(self, elements: list, env: Env, tuple_: bool) -> Any:
        values = []
        for el in elements:
            if isinstance(el, ast.Starred):
                self.eval_expr(el.value, env)
                return UNKNOWN
            values.append(self.eval_expr(el, env))
        return tuple(values) if tuple_ else ListObj(tuple(values))

    @staticmethod
    def arith(fn: Any, left: Any, right: Any) -> Any:
        if fn is None:
            return UNKNOWN
        if _is_number(left) and _is_number(right):
            try:
                return fn(left, right)
            except (ZeroDivisionError, OverflowError, ValueError, TypeError):
                return UNKNOWN
        if isinstance(left, tuple) and isinstance(right, tuple) and fn is _BINOPS[ast.Add]:
            return left + right
        if isinstance(left, str) and isinstance(right, str) and fn is _BINOPS[ast.Add] and len(left) + len(right) < 10000:
            return left + right
        return UNKNOWN

    def eval_attribute(self, node: ast.Attribute, env: Env) -> Any:
        owner = self.eval_expr(node.value, env)
        attr = node.attr
        if isinstance(owner, ModuleRef):
            qualified = f"{owner.qualified}.{attr}"
            if numpy_name(qualified) == "newaxis":
                return None
            return ModuleRef(qualified)
        if isinstance(owner, ArrayObj):
            if attr == "shape":
                return tuple(d if d is not None else UNKNOWN for d in owner.shape.dims)
            if attr == "ndim":
                return owner.shape.rank
            if attr == "T":
                return arrays.array(tuple(reversed(owner.shape.dims)), owner.shape.dtype)
            return CallableRef(owner, attr)
        if isinstance(owner, SelfObj):
            return owner.attrs.get(attr, UNKNOWN)
        if isinstance(owner, (ModelBuilder, LayerObj, ListObj, TensorObj)):
            return CallableRef(owner, attr)
        if isinstance(owner, CallableRef) and owner.owner is not None and not isinstance(owner.owner, str):
            return UNKNOWN
        if isinstance(owner, Unknown) and attr == "reshape":
            return CallableRef(_UNKNOWN_ARRAY, attr)  # `X.reshape(shape)` of an unknown X: the shape is given
        if isinstance(owner, _RNG):
            return CallableRef(owner, attr)
        return UNKNOWN

    def eval_subscript(self, node: ast.Subscript, env: Env) -> Any:
        value = self.eval_expr(node.value, env)
        index = node.slice
        parts = index.elts if isinstance(index, ast.Tuple) else [index]
        items: list[Any] = []
        for part in parts:
            if isinstance(part, ast.Slice):
                bounds = [self.eval_expr(p, env) if p is not None else None for p in (part.lower, part.upper, part.step)]
                items.append(slice(*bounds))
            else:
                items.append(self.eval_expr(part, env))
        if isinstance(value, ArrayObj):
            return arrays.index(value, tuple(items))
        if len(items) != 1 or isinstance(index, ast.Tuple):
            return UNKNOWN
        key = items[0]
        if isinstance(value, TensorObj) and isinstance(key, int) and value.ref.index is None:
            return TensorObj(TensorRef(value.ref.node, key))
        if isinstance(value, ListObj):
            value = value.items
        if isinstance(value, (tuple, str)) and (isinstance(key, int) or isinstance(key, slice)) \
                and not isinstance(key, bool):
            if isinstance(key, slice) and any(isinstance(p, Unknown) for p in (key.start, key.stop, key.step)):
                return UNKNOWN
            try:
                return value[key]
            except (IndexError, TypeError, ValueError):
                return UNKNOWN
        return UNKNOWN

    # ------------------------------------------------------------------ calls
    def eval_args(self, call: ast.Call, env: Env) -> tuple[tuple, dict, list[Argument]]:
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        arguments: list[Argument] = []
        parts = sorted([*call.args, *call.keywords], key=lambda p: (p.lineno, p.col_offset))
        call_span = self.span(call)
        func_span = self.span(call.func)
        low = self.src.text.find("(", self.src.offset(func_span.end_line, func_span.end_column))  # the call's `(`
        high = self.src.offset(call_span.end_line, call_span.end_column) - 1  # the call's `)`
        for part in parts:
            if isinstance(part, ast.keyword):
                value_node = part.value
                value = self.eval_expr(value_node, env)
                keyword: str | None = part.arg if part.arg is not None else "**"
                if part.arg is not None:
                    kwargs[part.arg] = value
            elif isinstance(part, ast.Starred):
                value_node = part.value
                value = self.eval_expr(value_node, env)
                keyword = "*"
                args.append(UNKNOWN)
            else:
                value_node = part
                value = self.eval_expr(part, env)
                keyword = None
                args.append(value)
            span = self.span(part)
            value_span = self.span(value_node)
            if keyword is None:  # a positional argument: its redundant parentheses belong to it
                span = self.src.with_parens(span, low, high)
                value_span = span
            elif isinstance(part, ast.keyword) and part.arg is not None:  # `name=(value)`: after `=` to the end
                start = self.src.offset(span.line, span.column)
                text = self.src.text[start:self.src.offset(span.end_line, span.end_column)]
                eq = text.index("=") + 1
                eq += len(text[eq:]) - len(text[eq:].lstrip())
                value_span = Span(*self.src.position(start + eq), span.end_line, span.end_column)
            arguments.append(Argument(keyword, _literal(value), span, value_span, self.src.slice(value_span)))
        return tuple(args), kwargs, arguments

    def eval_call(self, call: ast.Call, env: Env) -> Any:
        if isinstance(call.func, ast.Name) and call.func.id in BUILTINS and not env.bound(call.func.id):
            args, kwargs, _ = self.eval_args(call, env)
            return _builtin(call.func.id, args)
        callee = self.eval_expr(call.func, env)
        if isinstance(callee, ModuleRef):
            return self.library_call(callee.qualified, call, env)
        if isinstance(callee, CallableRef):
            return self.method_call(callee, call, env)
        if isinstance(callee, LayerObj):
            return self.apply_layer(callee, call, env)
        if isinstance(callee, FunctionObj):
            args, kwargs, _ = self.eval_args(call, env)
            return self.call_function(callee, args, kwargs, call)
        if isinstance(callee, ClassObj):
            args, kwargs, arguments = self.eval_args(call, env)
            if callee.keras_base == "layers.Layer":
                obj = LayerObj(Layer(callee.node.name, False, tuple(arguments), self.callsite(call)))
                self.layers.append(obj)
                return obj
            if callee.keras_base == "Model" and callee.model is not None:
                return callee.model
            return UNKNOWN
        self.eval_args(call, env)
        return UNKNOWN

    def library_call(self, qualified: str, call: ast.Call, env: Env) -> Any:
        """A call of something an import bound: a Keras constructor, a NumPy / TensorFlow function, or unknown."""
        kname = keras_name(qualified)
        if kname is not None:
            self.mentions_keras = True
            return self.keras_call(kname, call, env)
        args, kwargs, _ = self.eval_args(call, env)
        npname = numpy_name(qualified)
        if npname is not None:
            if npname in ("random.default_rng", "random.RandomState", "random.Generator"):
                return _RNG()
            return arrays.numpy_call(npname, args, kwargs)
        tfname = tf_name(qualified)
        if tfname is not None:
            return arrays.tf_call(tfname, args, kwargs)
        return UNKNOWN

    def keras_call(self, kname: str, call: ast.Call, env: Env) -> Any:
        args, kwargs, arguments = self.eval_args(call, env)
        site = self.callsite(call)
        if kname == "Input":
            layer = Layer("Input", True, tuple(arguments), site)
            node = self.graph.add(GraphNode(layer, (), self.span(call)))
            return TensorObj(TensorRef(node))
        if kname in ("Sequential",):
            builder = ModelBuilder(uid=len(self.builders), api="sequential", span=self.span(call))
            self.builders.append(builder)
            items = args[0] if args else kwargs.get("layers")
            if isinstance(items, ListObj):
                for item in items.items:
                    self.seq_add(builder, item, site)
            elif items is not None:
                self.seq_add(builder, UNKNOWN, site)
            return builder
        if kname in ("Model", "Functional"):
            inputs = kwargs.get("inputs", args[0] if args else None)
            outputs = kwargs.get("outputs", args[1] if len(args) > 1 else None)
            if inputs is None and outputs is None:
                return UNKNOWN  # a bare Model() call is something else (subclass super().__init__ etc.)
            builder = ModelBuilder(uid=len(self.builders), api="functional", span=self.span(call))
            builder.graph_inputs = self.tensor_refs(inputs)
            builder.graph_outputs = self.tensor_refs(outputs)
            if not builder.graph_outputs:
                builder.complete = False
            self.builders.append(builder)
            return builder
        if kname.startswith("layers."):
            kind = kname[len("layers."):]
            inner = None
            backward = None
            if kind in ("Bidirectional", "TimeDistributed", "RNN"):
                candidate = kwargs.get("layer", kwargs.get("cell", args[0] if args else None))
                if isinstance(candidate, LayerObj):
                    inner = candidate.layer
                back = kwargs.get("backward_layer")
                if isinstance(back, LayerObj):
                    backward = back.layer
            layer = Layer(kind, True, tuple(arguments), site, inner=inner, backward=backward)
            obj = LayerObj(layer)
            self.layers.append(obj)
            return obj
        if kname.startswith("losses."):
            return "loss:" + kname[len("losses."):]
        if kname == "utils.to_categorical":
            return arrays.to_categorical(args, kwargs)
        return UNKNOWN

    def tensor_refs(self, value: Any) -> tuple[TensorRef, ...]:
        if isinstance(value, TensorObj):
            return (value.ref,)
        if isinstance(value, ListObj):
            value = value.items
        if isinstance(value, tuple) and value and all(isinstance(v, TensorObj) for v in value):
            return tuple(v.ref for v in value)
        return ()

    def seq_add(self, builder: ModelBuilder, item: Any, site: CallSite, added_by: CallSite | None = None) -> None:
        if isinstance(item, LayerObj):
            builder.layers.append((item, added_by))
        elif isinstance(item, TensorObj) and item.ref.index is None \
                and self.graph.nodes[item.ref.node].layer.kind == "Input":
            builder.layers.append((LayerObj(self.graph.nodes[item.ref.node].layer), added_by))
        else:
            builder.layers.append((Layer("<unknown>", False, (), site), added_by))
            builder.complete = False

    def apply_layer(self, obj: LayerObj, call: ast.Call, env: Env) -> Any:
        args, kwargs, arguments = self.eval_args(call, env)
        source = kwargs.get("inputs", args[0] if args else None)
        refs = self.tensor_refs(source)
        if obj.layer.kind in POSITIONAL_TENSORS and len(args) > 1:  # mha(query, value(, key))
            each = [self.tensor_refs(a) for a in args[:3]]
            refs = tuple(r[0] for r in each) if all(len(r) == 1 for r in each) else ()
        if not refs:
            unknown = self.graph.add(GraphNode(Layer("<unknown>", False, (), self.callsite(call)), (),
                                               self.span(call)))
            refs = (TensorRef(unknown),)
        obj.applications += 1
        extra = tuple(a for a in arguments if a.keyword not in (None, "inputs"))
        extra_refs = tuple(r for k, v in kwargs.items() if k != "inputs" for r in self.tensor_refs(v))
        node = self.graph.add(GraphNode(obj.layer, refs, self.span(call), extra, id(obj), extra_refs))
        return TensorObj(TensorRef(node))

    def method_call(self, ref: CallableRef, call: ast.Call, env: Env) -> Any:
        owner, method = ref.owner, ref.method
        if owner is None:  # a Keras/NumPy attribute chain that is not a known constructor
            self.eval_args(call, env)
            return UNKNOWN
        if isinstance(owner, ArrayObj):
            args, kwargs, _ = self.eval_args(call, env)
            return arrays.method_call(owner, method, args, kwargs)
        if owner is _UNKNOWN_ARRAY:
            args, kwargs, _ = self.eval_args(call, env)
            return arrays.method_call(None, method, args, kwargs)
        if isinstance(owner, _RNG):
            args, kwargs, _ = self.eval_args(call, env)
            return arrays.random_shape(method, args, kwargs)
        if isinstance(owner, ListObj):
            self.eval_args(call, env)
            if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
                env.set(call.func.value.id, UNKNOWN)  # a list mutated in place: its contents are unknown
            return UNKNOWN
        if isinstance(owner, ModelBuilder):
            return self.model_method(owner, method, call, env)
        if isinstance(owner, LayerObj):
            self.eval_args(call, env)
            return UNKNOWN
        self.eval_args(call, env)
        return UNKNOWN

    def model_method(self, builder: ModelBuilder, method: str, call: ast.Call, env: Env) -> Any:
        args, kwargs, arguments = self.eval_args(call, env)
        site = self.callsite(call)
        if method == "add":
            item = args[0] if args else kwargs.get("layer", UNKNOWN)
            if builder.api != "sequential":
                return None
            if self.branch_depth > 0:
                builder.complete = False
                item = UNKNOWN
            self.seq_add(builder, item, site, added_by=site)
            return None
        if method == "compile":
            loss = kwargs.get("loss", args[1] if len(args) > 1 else None)
            if isinstance(loss, ModuleRef):  # loss=keras.losses.mse
                kn = keras_name(loss.qualified)
                loss = "loss:" + kn[len("losses."):] if kn and kn.startswith("losses.") else UNKNOWN
            builder.compile = CompileInfo(canonical_loss(loss), self.span(call))
            return None
        if method in TRAIN_METHODS:
            builder.train_calls.append(self.train_call(method, args, kwargs, arguments, call, site))
            return UNKNOWN
        if method in OTHER_MODEL_METHODS:
            builder.extra_calls.append(ModelCall(method, self.span(call), site, tuple(arguments)))
        return UNKNOWN

    def train_call(self, method: str, args: tuple, kwargs: dict, arguments: list[Argument], call: ast.Call,
                   site: CallSite) -> TrainCall:
        order = TRAIN_METHODS[method]

        def get(name: str) -> tuple[bool, Any]:
            if name in kwargs:
                return True, kwargs[name]
            if name in order and order.index(name) < len(args):
                return True, args[order.index(name)]
            return False, None

        has_x, x = get("x")
        has_y, y = get("y")
        has_bs, bs = get("batch_size")
        has_shuffle, shuffle = get("shuffle")
        _, epochs = get("epochs")
        _, vd = get("validation_data")
        validation = None
        if isinstance(vd, (tuple, ListObj)):
            items = vd.items if isinstance(vd, ListObj) else vd
            if len(items) >= 2:
                validation = (_data(items[0]), _data(items[1]))
        x_src = y_src = ""
        positional = [a for a in call.args if not isinstance(a, ast.Starred)]
        for kw in call.keywords:
            if kw.arg == "x":
                x_src = self.source(kw.value)
            if kw.arg == "y":
                y_src = self.source(kw.value)
        if not x_src and positional:
            x_src = self.source(positional[0])
        if not y_src and len(positional) > 1 and "y" in order:
            y_src = self.source(positional[1])
        return TrainCall(
            method=method, x=_data(x) if has_x else None, y=_data(y) if has_y else None,
            batch_size=_literal(bs) if has_bs else None, has_batch_size=has_bs,
            shuffle=_literal(shuffle) if has_shuffle else None, has_shuffle=has_shuffle,
            epochs=_literal(epochs), validation_data=validation, span=self.span(call), call=site,
            keywords=tuple(kwargs), arguments=tuple(arguments), x_source=x_src, y_source=y_src,
        )


def _defaults(spec: ast.arguments) -> dict[str, ast.expr]:
    """Parameter name → default expression."""
    positional = spec.posonlyargs + spec.args
    out = {p.arg: d for p, d in zip(positional[len(positional) - len(spec.defaults):], spec.defaults)}
    out.update({p.arg: d for p, d in zip(spec.kwonlyargs, spec.kw_defaults) if d is not None})
    return out


_UNKNOWN_ARRAY = object()  # the receiver of `.reshape(...)` when its own shape is unknown


class _RNG:
    """numpy.random.default_rng(...) / RandomState(...): a generator whose methods make arrays."""


def _same_module(a: Any, b: Any) -> bool:
    """Two module references that name the same Keras / NumPy / TensorFlow object."""
    if not (isinstance(a, ModuleRef) and isinstance(b, ModuleRef)):
        return False
    if a.qualified == b.qualified:
        return True
    ka, kb = keras_name(a.qualified), keras_name(b.qualified)
    return ka is not None and ka == kb


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_literal(v: Any) -> bool:
    if isinstance(v, tuple):
        return all(_is_literal(x) for x in v)
    return v is None or isinstance(v, (int, float, str, bool))


def _literal(value: Any) -> Any:
    """An abstract value as an IR literal: lists become tuples, Keras objects and arrays become Unknown."""
    if isinstance(value, ListObj):
        value = value.items
    if isinstance(value, tuple):
        return tuple(_literal(v) for v in value)
    if isinstance(value, str) and value.startswith("loss:"):
        return value
    if value is None or isinstance(value, (int, float, str, bool)):
        return value
    return UNKNOWN


def _data(value: Any) -> Any:
    if isinstance(value, ArrayObj):
        return value.shape
    if isinstance(value, ListObj):
        value = value.items
    if isinstance(value, tuple) and value and all(isinstance(v, ArrayObj) for v in value):
        return tuple(v.shape for v in value)
    return UNKNOWN


def _builtin(name: str, args: tuple) -> Any:
    if name == "len" and len(args) == 1:
        a = args[0]
        if isinstance(a, ArrayObj) and a.shape.dims and a.shape.dims[0] is not None:
            return a.shape.dims[0]
        if isinstance(a, (tuple, str)):
            return len(a)
        if isinstance(a, ListObj):
            return len(a.items)
        return UNKNOWN
    if name == "int" and len(args) == 1 and _is_number(args[0]):
        return int(args[0])
    if name == "float" and len(args) == 1 and _is_number(args[0]):
        return float(args[0])
    if name == "tuple" and len(args) == 1:
        a = args[0]
        return a.items if isinstance(a, ListObj) else a if isinstance(a, tuple) else UNKNOWN
    if name == "round" and len(args) == 1 and _is_number(args[0]):
        return round(args[0])
    if name in ("max", "min") and len(args) >= 2 and all(_is_number(a) for a in args):
        return max(args) if name == "max" else min(args)
    if name == "abs" and len(args) == 1 and _is_number(args[0]):
        return abs(args[0])
    return UNKNOWN


_LOSS_ALIASES = {
    "mse": "mse", "mean_squared_error": "mse", "meansquarederror": "mse",
    "mae": "mae", "mean_absolute_error": "mae", "meanabsoluteerror": "mae",
    "binary_crossentropy": "binary_crossentropy", "binarycrossentropy": "binary_crossentropy",
    "categorical_crossentropy": "categorical_crossentropy", "categoricalcrossentropy": "categorical_crossentropy",
    "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
    "sparsecategoricalcrossentropy": "sparse_categorical_crossentropy",
    "huber": "huber", "huber_loss": "huber", "msle": "msle", "mean_squared_logarithmic_error": "msle",
    "mape": "mape", "mean_absolute_percentage_error": "mape",
}


def canonical_loss(value: Any) -> Any:
    """'mean_squared_error', keras.losses.MeanSquaredError(), 'loss:MSE' → 'mse'; None when absent."""
    if value is None:
        return None
    if isinstance(value, str):
        raw = value[len("loss:"):] if value.startswith("loss:") else value
        key = re.sub(r"[^a-z_]", "", raw.lower())
        return _LOSS_ALIASES.get(key, _LOSS_ALIASES.get(key.replace("_", ""), raw))
    return UNKNOWN
