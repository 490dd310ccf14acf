"""General interpretation: statements, control flow, expressions, user functions, classes and imports.

The evaluator walks a module's statements in order, abstractly:
- straight-line code exactly (the last assignment wins); a value it cannot compute becomes a named symbol when
  it is bound to a name (`vocab = len(tok.word_index) + 1` → the symbol `vocab`), so sizes keep an identity and
  ranks survive;
- an `if` whose test it can decide runs that branch only; otherwise every branch runs in a scope of its own over
  the enclosing one (reads fall through to it, live), and a name keeps its value afterwards when every way through
  gives the same value (else it becomes a symbol);
- a loop over a literal sequence (`range(3)`, `[128, 64]`, `enumerate(...)` of one) is unrolled up to
  `limits.MAX_UNROLL` iterations, counted with those of the unrolled loops it runs in (multiplied); any other loop
  runs once, as a branch;
- `try`/`except ImportError` pairs that bind the same Keras module under two spellings bind it;
- a user function runs at its call with the arguments resolved there (a parameter the call leaves unknown is a
  symbol named after it), once — again at each call that passes tensors or layers (a block applied several
  times); one that is never called runs once at the end with its parameters as symbols (or their defaults);
- a user class: its instances keep their attributes (`self.model = Sequential()` in `__init__`, `self.model.add`
  in another method); classes never instantiated, and methods never called, run at the end with symbols;
- imports bind library modules as references (resolved to canonical Keras names by `names`), and modules of the
  linted project (found by `project.ModuleLoader`) as their evaluated namespaces.

Keras and library calls are the other mixins' concern (`keras_calls`, `library`); this one never decides what a
Keras name means.
"""
from __future__ import annotations

import ast
import dataclasses
import sys
import time
from typing import Any

from rnnlint import symbolic
from rnnlint.analyze import arrays, datasources
from rnnlint.analyze.limits import MAX_CALL_DEPTH, MAX_DEPTH, MAX_EVALUATIONS, MAX_MODULES, MAX_UNROLL, TimeUp
from rnnlint.analyze.names import keras_name, keras_path, numpy_name, star_exports
from rnnlint.analyze.positions import SourceText
from rnnlint.analyze.values import (
    ArgParserObj, ArrayObj, BoundMethod, CallableRef, ClassObj, DatasetObj, DictObj, FileObj, FrameObj, FunctionObj,
    InstanceObj, LayerObj,
    ListObj, ModelBuilder, ModuleContext, ModuleRef, NamespaceObj, ProjectModule, TensorObj,
)
from rnnlint.ir import UNKNOWN, Argument, CallSite, Import, Pos, Span, Sym, TensorRef, Unknown
from rnnlint.layerkinds import output_count, shape_signature

_TRY = (ast.Try, ast.TryStar) if sys.version_info >= (3, 11) else (ast.Try,)
# The statements `exec_stmt` runs itself (the others are `exec_simple`'s).
_COMPOUND = frozenset({ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.If, ast.For, ast.AsyncFor, ast.While,
                       ast.With, ast.AsyncWith, ast.Match, *_TRY})
_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//", ast.Mod: "%", ast.Div: "/", ast.Pow: "**"}
BUILTINS = ("len", "int", "float", "tuple", "list", "range", "round", "max", "min", "abs", "enumerate", "zip",
            "dict", "sum", "sorted", "reversed", "bool", "str", "open")
_MISSING = object()


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


class Frame:
    """What a user function's evaluation returned from inside branches (a return the walk could not follow)."""

    def __init__(self) -> None:
        self.returns: list[Any] = []


def is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def is_literal(v: Any) -> bool:
    if isinstance(v, tuple):
        return all(is_literal(x) for x in v)
    return v is None or isinstance(v, (int, float, str, bool))


def same_value(a: Any, b: Any) -> bool:
    """Whether two abstract values are certainly the same value (for merging branches)."""
    if a is b:
        return True
    if isinstance(a, Sym) or isinstance(b, Sym):
        return isinstance(a, Sym) and isinstance(b, Sym) and a == b
    if isinstance(a, Unknown) or isinstance(b, Unknown):
        return False
    if is_literal(a) and is_literal(b):
        return type(a) is type(b) and a == b
    if isinstance(a, LayerObj) and isinstance(b, LayerObj):  # the same layer but for shape-neutral arguments
        return shape_signature(a.layer) == shape_signature(b.layer)
    if isinstance(a, ModuleRef) and isinstance(b, ModuleRef):
        if a.qualified == b.qualified:
            return True
        ka, kb = keras_path(a.qualified), keras_path(b.qualified)
        if ka is not None and ka == kb:
            return True
        na, nb = keras_name(a.qualified), keras_name(b.qualified)  # `LSTM = CuDNNLSTM` on a GPU: the same shapes
        return na is not None and nb is not None and _SAME_SHAPES.get(na, na) == _SAME_SHAPES.get(nb, nb)
    return False


# Keras classes that compute the same shapes (the cuDNN versions of Keras 2).
_SAME_SHAPES = {"layers.CuDNNLSTM": "layers.LSTM", "layers.CuDNNGRU": "layers.GRU"}


def preferred(values: list) -> Any:
    """Of equivalent values (`CuDNNGRU if gpu else GRU`), the one that spells today's Keras: the first that is
    not one of Keras 2's cuDNN classes (their import is reported where it is written)."""
    for value in values:
        if not (isinstance(value, ModuleRef) and keras_name(value.qualified) in _SAME_SHAPES):
            return value
    return values[0]


def truth(value: Any) -> bool | None:
    """The truth value of a literal, else None (not decidable)."""
    if isinstance(value, Unknown):
        return None
    if is_literal(value):
        return bool(value)
    if isinstance(value, (ListObj, DictObj)):
        return bool(value.items)
    return None


_EXITS = ("break", "continue", "yield")  # what `_loop_exits` looks for, as its lines must spell it


def _loop_exits(body: list) -> bool:
    """Whether a loop body has a `break`, `continue` or `yield` of its own (then it is not unrolled)."""
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Break, ast.Continue, ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.For,
                             ast.AsyncFor, ast.While)):
            continue  # their own breaks are theirs
        stack.extend(ast.iter_child_nodes(node))
    return False


MAX_VARIANTS = 8  # distinct argument lists one function is run for


def _signature(args: tuple, kwargs: dict) -> tuple | None:
    """What makes two calls the same call, or None when a call must run again whatever came before (it passes
    tensors, layers or models, whose graph it extends)."""
    parts = []
    for value in (*args, *(kwargs[k] for k in sorted(kwargs))) if kwargs else args:
        kind = type(value)
        if kind is str or kind is int or kind is float or kind is bool or value is None:  # most arguments
            parts.append(("value", kind.__name__, value))
            continue
        if isinstance(value, (TensorObj, LayerObj, ModelBuilder)) or Interpreter._graph_valued((value,)):
            return None
        if isinstance(value, Sym):
            parts.append(("sym", value.key))
        elif is_literal(value):
            parts.append(("value", type(value).__name__, value))
        else:
            parts.append(("object", id(value)))
    return tuple(sorted(kwargs)), tuple(parts)


def _counters(loop: ast.For | ast.AsyncFor) -> set[str]:
    """The loop targets that are ints: `i` in `for i in range(...)` and in `for i, x in enumerate(...)`."""
    call = loop.iter
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)):
        return set()
    if call.func.id == "range" and isinstance(loop.target, ast.Name):
        return {loop.target.id}
    if call.func.id == "enumerate" and isinstance(loop.target, ast.Tuple) and loop.target.elts and \
            isinstance(loop.target.elts[0], ast.Name):
        return {loop.target.elts[0].id}
    return set()


def _generates(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether a function is a generator (a `yield` of its own, not of a nested function)."""
    stack = list(node.body)
    while stack:
        item = stack.pop()
        if isinstance(item, (ast.Yield, ast.YieldFrom)):
            return True
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(ast.iter_child_nodes(item))
    return False


def builds(body: list) -> bool:
    """Whether a loop body may build a model (then it is worth unrolling): it constructs a class (`LSTM(...)`,
    `layers.Dense(...)`), adds to something (`model.add`, `xs.append`), threads a value through a call
    (`x = block(x)`), or calls a function of its own. A training or data loop is run once instead."""
    stack = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if name[:1].isupper() or name in ("add", "append", "extend", "insert"):
                return True
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            targets = {t.id for t in node.targets if isinstance(t, ast.Name)}
            if any(isinstance(n, ast.Name) and n.id in targets for n in ast.walk(node.value)):
                return True
        stack.extend(ast.iter_child_nodes(node))
    return False


def _decorators(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    out = set()
    for d in node.decorator_list:
        if isinstance(d, ast.Name):
            out.add(d.id)
        elif isinstance(d, ast.Attribute):
            out.add(d.attr)
    return out


def callee_name(func: ast.AST, source: Any) -> str:
    """A readable name for what a call calls (`Attention` for `Attention()(x)`), for opaque layers."""
    while isinstance(func, ast.Call):
        func = func.func
    text = source(func) if isinstance(func, (ast.Name, ast.Attribute)) else "<call>"
    text = " ".join(text.split())
    return text if len(text) <= 60 else text[:57] + "..."


class Interpreter:
    """The general-interpretation half of the evaluator (see the module docstring); `Evaluator` mixes it with
    `KerasCalls` and `LibraryCalls`."""

    ctx: ModuleContext

    # ------------------------------------------------------------------ positions
    @property
    def src(self) -> SourceText:
        return self.ctx.src

    def span(self, node: ast.AST) -> Span:
        return self.ctx.src.span(node)

    def source(self, node: ast.AST) -> str:
        return self.ctx.src.slice(self.span(node))

    def callsite(self, call: ast.Call) -> CallSite:
        """Where the call is written (made once per call and enclosing statement: `SourceText.memo`)."""
        key = ("callsite", call, self.statement)
        site = self.src.memo.get(key)
        if site is None:
            site = self.src.memo[key] = self._callsite(call)
        return site

    def _callsite(self, call: ast.Call) -> CallSite:
        s = self.span(call)
        trailing = self.src.trailing_comma(call)
        statement, statement_indent = None, ""
        if self.statement is not None:
            st = self.span(self.statement)
            statement, statement_indent = Pos(st.line, st.column), self.src.indent_of(st.line)
        line_indent = self.src.indent_of(s.line)
        return CallSite(span=s, func_span=self.span(call.func), func_source=self.source(call.func),
                        close_paren=Pos(s.end_line, s.end_column - 1), has_trailing_comma=trailing,
                        statement=statement, statement_indent=statement_indent, line_indent=line_indent,
                        starts_line=s.column == len(line_indent) + 1)

    # ------------------------------------------------------------------ symbols
    def mint(self, name: str, node: ast.AST | None, integer: bool = False) -> Sym:
        """A fresh symbol for a value bound to `name` at `node` (the same name at the same place is the same
        symbol, so re-evaluating a statement gives equal values: the one made at the first, `SourceText.memo`)."""
        memo_key = ("mint", name, node, integer, self.ctx.key)
        symbol = self.src.memo.get(memo_key)
        if symbol is None:
            where = f"{node.lineno}:{node.col_offset}" if node is not None and hasattr(node, "lineno") else "?"
            symbol = self.src.memo[memo_key] = symbolic.named(name, f"{self.ctx.key}:{name}@{where}", integer)
        return symbol

    # ------------------------------------------------------------------ statements
    def generates(self, fn: FunctionObj) -> bool:
        """Whether a user function is a generator: `_generates`, once per definition (a function is called many
        times; its body never changes), and only when its lines say `yield` at all."""
        node = fn.node
        known = self.generators.get(id(node))
        if known is None:
            lines = fn.context.src.lines[node.lineno - 1:node.end_lineno]
            known = any("yield" in line for line in lines) and _generates(node)
            self.generators[id(node)] = known
        return known

    def unrollable(self, loop: ast.For | ast.AsyncFor) -> bool:
        """Whether a loop may be unrolled: its body has no exit of its own and may build a model. Once per loop (a
        loop in a function, or inside another unrolled loop, runs many times; its body never changes)."""
        known = self.unrollable_loops.get(id(loop))
        if known is None:
            lines = self.src.lines[loop.lineno - 1:loop.end_lineno]  # a keyword is written whole on one line
            may_exit = any(word in line for line in lines for word in _EXITS) and _loop_exits(loop.body)
            known = self.unrollable_loops[id(loop)] = not may_exit and builds(loop.body)
        return known

    def release(self) -> None:
        """Break the reference cycles of the evaluation once its IR is built (the IR holds none of its values): a
        function and the scope it closes over (which holds the function), a class and its instance and methods,
        an instance that refers to itself. Reference counting then frees the evaluation's values — and the syntax
        tree and positions they hold — as soon as the analysis is done, and the cyclic collector does not have to
        traverse them (measured with one process: the collector's time 136 → 49 ms on the real-code set, 38 → 10 ms
        on the issue-shaped tree; no cyclic garbage is left by any file of either)."""
        for made in self.made:
            if isinstance(made, FunctionObj):
                made.scope_env = made.owner = made.result = None
                made.results = {}
            elif isinstance(made, ClassObj):
                made.attrs, made.instance, made.model = {}, None, None
            else:  # an InstanceObj
                made.attrs = {}
        self.made = []

    def exec_block(self, body: list, env: Env) -> Any:
        """Execute statements in order; returns ("return", value) when a straight-line return is hit."""
        for stmt in body:
            result = self.exec_stmt(stmt, env)
            if result is not None:
                return result
        return None

    def exec_stmt(self, stmt: ast.stmt, env: Env) -> Any:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise TimeUp()
        if type(stmt) not in _COMPOUND:  # most statements (CPython's parser makes no subclasses)
            self.statement = stmt
            return self.exec_simple(stmt, env)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            env.set(stmt.name, self.define_function(stmt, env))
            return None
        if isinstance(stmt, ast.ClassDef):
            self.exec_class(stmt, env)
            return None
        if isinstance(stmt, ast.If):
            return self.exec_if(stmt, env)
        if isinstance(stmt, (ast.For, ast.AsyncFor)):
            return self.exec_for(stmt, env)
        if isinstance(stmt, ast.While):
            self.eval_expr(stmt.test, env)
            return self.exec_branches([stmt.body] + ([stmt.orelse] if stmt.orelse else []), env, stmt,
                                      fallthrough=True)
        if isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                entered = self.eval_expr(item.context_expr, env)
                if item.optional_vars is not None:  # `with open(path) as f`: a file enters as itself
                    self.assign(item.optional_vars, entered if isinstance(entered, FileObj) else UNKNOWN, env)
            return self.exec_block(stmt.body, env)
        if isinstance(stmt, _TRY):
            result = self.exec_block(stmt.body, env)
            if result is None and stmt.orelse:
                result = self.exec_block(stmt.orelse, env)
            handled = self.exec_branches([h.body for h in stmt.handlers], env, stmt, fallthrough=True) \
                if stmt.handlers else None
            if stmt.finalbody:
                self.exec_block(stmt.finalbody, env)
            return result if result is not None else handled
        # the last of _COMPOUND: ast.Match
        self.eval_expr(stmt.subject, env)  # pragma: no cover - rare in notebooks
        return self.exec_branches([c.body for c in stmt.cases], env, stmt, fallthrough=True)

    def exec_if(self, stmt: ast.If, env: Env) -> Any:
        if self.is_main_guard(stmt.test):  # run as a script: the file being linted; imported: as Python, not
            return self.exec_block(stmt.body if self.ctx.path is None else stmt.orelse, env)
        decided = truth(self.eval_expr(stmt.test, env))
        if decided is True:
            return self.exec_block(stmt.body, env)
        if decided is False:
            return self.exec_block(stmt.orelse, env)
        if stmt.orelse:
            return self.exec_branches([stmt.body, stmt.orelse], env, stmt, fallthrough=False)
        return self.exec_branches([stmt.body], env, stmt, fallthrough=True)

    def exec_for(self, stmt: ast.For | ast.AsyncFor, env: Env) -> Any:
        items = self.iteration(self.eval_expr(stmt.iter, env))
        if items is not None and self.unrolled * len(items) <= MAX_UNROLL and self.unrollable(stmt):
            outer = self.unrolled
            self.unrolled = outer * max(len(items), 1)  # a loop inside runs once per iteration of this one
            try:
                for item in items:  # unrolled: each iteration is straight-line code
                    self.assign(stmt.target, item, env)
                    result = self.exec_block(stmt.body, env)
                    if result is not None:
                        return result
            finally:
                self.unrolled = outer
            return self.exec_block(stmt.orelse, env) if stmt.orelse else None
        targets = self.assigned_names(stmt.target)
        return self.exec_branches([stmt.body] + ([stmt.orelse] if stmt.orelse else []), env, stmt,
                                  fallthrough=True, loop_targets=targets, counters=_counters(stmt))

    def iteration(self, value: Any) -> tuple | None:
        """The items a `for` loop over `value` takes, when they are known."""
        if isinstance(value, ListObj):
            return value.items
        if isinstance(value, tuple):
            return value
        if isinstance(value, DictObj):
            return tuple(value.items)
        return None

    def exec_branches(self, bodies: list, env: Env, at: ast.AST, fallthrough: bool,
                      loop_targets: set[str] | None = None, counters: set[str] = frozenset()) -> Any:
        """Run each body in a scope of its own over `env` (what it binds stays there until the merge; what it reads
        falls through, as Python's names are live: a function defined in the body sees the module's later names). A
        name keeps its value when every way through (each body that does not return, and the way around them when
        `fallthrough`) gives the same value; otherwise it becomes a symbol. Returns ("return", v) when every body
        returns the same v."""
        before = env.vars  # the branches write to scopes of their own: unchanged until they are merged below
        outcomes: list[tuple[dict, Any]] = []
        self.branch_depth += 1
        try:
            for body in bodies:
                local = Env(env, {})  # reads fall through to the scope; what the body binds stays in `local`
                for name in loop_targets or ():
                    local.set(name, self.mint(name, at, integer=name in counters))
                outcomes.append((local.vars, self.exec_block(body, local)))
        finally:
            self.branch_depth -= 1
        changed = {name for scope, _ in outcomes for name, value in scope.items()
                   if name not in before or before[name] is not value}
        through = [scope for scope, result in outcomes if result is None]
        first = fallthrough or not through  # the value before comes first: it is kept when all are equivalent
        growing = arrays.GrowingList
        for name in changed:
            kept = before.get(name, _MISSING)  # a body that does not bind the name leaves it as it was
            values = [kept] if first and kept is not _MISSING else []
            for scope in through:
                value = scope.get(name, kept)
                if value is not _MISSING:
                    values.append(value)
            grown = [v for v in values if isinstance(v, growing)]
            if grown and all(v == grown[0] or isinstance(v, ListObj) and not v.items for v in values):
                env.set(name, grown[0])  # a list a loop appends to: its count is the loop's
            elif values and all(same_value(values[0], v) for v in values[1:]):
                env.set(name, preferred(values))
            else:
                env.set(name, self.mint(name, at))
        returned = [result[1] for _, result in outcomes if result is not None]
        if returned and not through and not fallthrough and all(same_value(returned[0], r) for r in returned[1:]):
            return ("return", returned[0])
        if returned and self.frames:
            self.frames[-1].returns.extend(returned)
        return None

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
            op = _BINOPS.get(type(stmt.op))
            self.assign(stmt.target, self.arith(op, current, value) if op else UNKNOWN, env)
        elif isinstance(stmt, ast.Expr):
            self.eval_expr(stmt.value, env)
        elif isinstance(stmt, ast.Return):
            return ("return", self.eval_expr(stmt.value, env) if stmt.value is not None else None)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
            if self.ctx.path is None:
                self.record_import(stmt)
            self.bind_import(stmt, env)
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    env.set(target.id, UNKNOWN)
        return None

    # ------------------------------------------------------------------ imports
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
        """Where `from MODULE import …` spells its module: the first occurrence of the dotted name after `from`
        and the relative dots (comments cannot come between them on one logical line)."""
        if not node.module:
            return None
        s = self.span(node)
        text = self.src.slice(s)
        rest = text[4:]  # after `from`
        skipped = len(rest) - len(rest.lstrip(" \t\\\r\n."))
        if not rest[skipped:].startswith(node.module):
            return None
        start = self.src.offset(s.line, s.column) + 4 + skipped
        return self.src.at(start, start + len(node.module))

    def bind_import(self, node: ast.Import | ast.ImportFrom, env: Env) -> None:
        """Bind the names an import statement defines: library modules as references, project modules as their
        evaluated namespaces."""
        if isinstance(node, ast.Import):
            for alias in node.names:
                project = self.import_project(alias.name, 0)
                if alias.asname is not None:
                    env.set(alias.asname, project or ModuleRef(alias.name))
                else:
                    top = alias.name.split(".")[0]
                    env.set(top, self.import_project(top, 0) or ModuleRef(top))
            return
        module = node.module or ""
        if node.level or self.loader_finds(module, node.level):
            package = self.import_project(module, node.level)
            for alias in node.names:
                if alias.name == "*":
                    if package is not None and package.env is not None:
                        for name, value in package.env.vars.items():
                            if not name.startswith("_"):
                                env.set(name, value)
                    continue
                value = UNKNOWN
                if package is not None and package.env is not None and alias.name in package.env.vars:
                    value = package.env.vars[alias.name]
                else:
                    sub = self.import_project(f"{module}.{alias.name}" if module else alias.name, node.level)
                    value = sub if sub is not None else UNKNOWN
                env.set(alias.asname or alias.name, value)
            return
        for alias in node.names:
            if alias.name != "*":
                env.set(alias.asname or alias.name, ModuleRef(f"{module}.{alias.name}"))
            else:  # `from keras.layers import *`: binds each public name, in order, like Python
                for name in sorted(star_exports(module)):
                    env.set(name, ModuleRef(f"{module}.{name}"))

    def loader_finds(self, module: str, level: int) -> bool:
        return self.loader is not None and self.loader.resolve(self.ctx.path or self.root_path, module,
                                                               level) is not None

    def import_project(self, module: str, level: int) -> ProjectModule | None:
        """The namespace of a project module (evaluated on first import, as Python does), or None when the module
        is not one of the linted project's."""
        if self.loader is None:
            return None
        path = self.loader.resolve(self.ctx.path or self.root_path, module, level)
        if path is None:
            return None
        if path in self.modules:
            return self.modules[path]
        if len(self.modules) >= MAX_MODULES or (self.root_path and self.loader.same_file(path, self.root_path)):
            return None
        loaded = self.loader.load(path)
        if loaded is None:
            return None
        env = Env()
        project = ProjectModule(module, env, path)
        self.modules[path] = project  # before running it: an import cycle sees the partial module, as in Python
        context = ModuleContext(loaded.src, path, path)
        saved = (self.ctx, self.branch_depth, self.statement, self.frames)
        self.ctx, self.branch_depth, self.statement, self.frames = context, 0, None, []
        try:
            self.exec_block(loaded.tree.body, env)
        except RecursionError:
            pass
        finally:
            self.ctx, self.branch_depth, self.statement, self.frames = saved
        return project

    @staticmethod
    def is_main_guard(test: ast.expr) -> bool:
        if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq):
            sides = (test.left, test.comparators[0])
            names = {s.id for s in sides if isinstance(s, ast.Name)}
            strings = {s.value for s in sides if isinstance(s, ast.Constant)}
            return names == {"__name__"} and strings == {"__main__"}
        return False

    # ------------------------------------------------------------------ assignment
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
            if type(value) is Unknown:
                value = self.mint(target.id, target)
            elif isinstance(value, Sym) and value.expr is None and "(" in value.name:
                value = dataclasses.replace(value, name=target.id)  # `header = line.split(",")`: say `header`
            env.set(target.id, value)
            if isinstance(value, ModelBuilder) and not value.name:
                value.name = target.id
        elif isinstance(target, (ast.Tuple, ast.List)):
            elements = target.elts
            starred = [i for i, el in enumerate(elements) if isinstance(el, ast.Starred)]
            if starred:
                parts = self.unpack_starred(value, len(elements), starred[0]) if len(starred) == 1 else None
                for i, el in enumerate(elements):
                    inner = el.value if isinstance(el, ast.Starred) else el
                    self.assign(inner, parts[i] if parts is not None else UNKNOWN, env)
                return
            for el, part in zip(elements, self.unpack(value, len(elements))):
                self.assign(el, part, env)
        elif isinstance(target, ast.Attribute):
            owner = self.eval_expr(target.value, env)
            identity = attribute_owner(owner)
            if identity is not None:  # `config.units = 64` on an object rnnlint does not model (wandb.config, args)
                name = f"{self.source(target.value)}.{target.attr}"
                if type(value) is Unknown or self.branch_depth > 0:
                    value = self.mint(name, target)
                self.attributes[(identity, target.attr)] = value
            elif isinstance(owner, (InstanceObj, ClassObj)):
                holder = owner.attrs
                name = f"{self.source(target.value)}.{target.attr}"
                if type(value) is Unknown:
                    value = self.mint(name, target)
                holder[target.attr] = value
                if isinstance(value, ModelBuilder) and not value.name:
                    value.name = name
        elif isinstance(target, ast.Subscript):
            owner = self.eval_expr(target.value, env)
            if isinstance(owner, DictObj):
                key = self.eval_expr(target.slice, env)
                if is_literal(key) and self.branch_depth == 0:
                    owner.items[key] = value
                elif is_literal(key):
                    owner.items[key] = self.mint(f"{self.source(target.value)}[{key!r}]", target)
                else:
                    owner.items.clear()  # an unknown key may replace any entry
                    owner.items["<unknown>"] = UNKNOWN
        elif isinstance(target, ast.Starred):
            self.assign(target.value, UNKNOWN, env)

    def unpack_starred(self, value: Any, count: int, star: int) -> list[Any] | None:
        """`a, *rest = value`: the parts, the starred one a list; None when the length of `value` is unknown."""
        if isinstance(value, TensorObj) and value.ref.index is None:
            total = output_count(self.graph.nodes[value.ref.node].layer)
            items: tuple | None = tuple(TensorObj(TensorRef(value.ref.node, i)) for i in range(total)) \
                if total is not None else None
        else:
            items = value.items if isinstance(value, ListObj) else value if isinstance(value, tuple) else None
        if items is None or len(items) < count - 1:
            return None
        after = count - star - 1
        middle = items[star:len(items) - after]
        return [*items[:star], ListObj(tuple(middle)), *items[len(items) - after:]]

    def unpack(self, value: Any, count: int) -> list[Any]:
        if isinstance(value, TensorObj) and value.ref.index is None:
            return [TensorObj(TensorRef(value.ref.node, i)) for i in range(count)]
        if isinstance(value, ListObj):
            value = value.items
        if isinstance(value, tuple) and len(value) == count:
            return list(value)
        return [UNKNOWN] * count

    # ------------------------------------------------------------------ functions
    def define_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, env: Env, owner: Any = None
                        ) -> FunctionObj:
        decorators = _decorators(node)
        kind = "function" if owner is None else "method"
        for special in ("staticmethod", "classmethod", "property"):
            if special in decorators and owner is not None:
                kind = special
        fn = FunctionObj(node, env, self.ctx, kind=kind, owner=owner)
        self.made.append(fn)
        if owner is None:
            self.functions.append(fn)
        return fn

    def parameter_value(self, fn: FunctionObj, name: str) -> Sym:
        """The symbol a parameter stands for when no call gives it a value."""
        return symbolic.named(name, f"{fn.context.key}:{getattr(fn.node, 'name', 'lambda')}.{name}@{fn.node.lineno}")

    def bind_parameters(self, fn: FunctionObj, args: tuple, kwargs: dict, local: Env) -> None:
        spec = fn.node.args
        positional = spec.posonlyargs + spec.args
        defaults = {p.arg: d for p, d in zip(positional[len(positional) - len(spec.defaults):], spec.defaults)}
        defaults.update({p.arg: d for p, d in zip(spec.kwonlyargs, spec.kw_defaults) if d is not None})
        saved = self.ctx
        self.ctx = fn.context
        try:
            for i, p in enumerate(positional):
                if i < len(args):
                    value = args[i]
                elif p.arg in kwargs:
                    value = kwargs[p.arg]
                elif p.arg in defaults:
                    value = self.eval_expr(defaults[p.arg], fn.scope_env)
                else:
                    value = UNKNOWN
                local.set(p.arg, self.parameter_value(fn, p.arg) if type(value) is Unknown else value)
            for p in spec.kwonlyargs:
                if p.arg in kwargs:
                    value = kwargs[p.arg]
                elif p.arg in defaults:
                    value = self.eval_expr(defaults[p.arg], fn.scope_env)
                else:
                    value = UNKNOWN
                local.set(p.arg, self.parameter_value(fn, p.arg) if type(value) is Unknown else value)
            for star in (spec.vararg, spec.kwarg):
                if star is not None:
                    local.set(star.arg, UNKNOWN)
        finally:
            self.ctx = saved

    @staticmethod
    def _graph_valued(values: Any) -> bool:
        """Whether arguments carry tensors, layers or models (then a function is run again at this call)."""
        stack = list(values)
        while stack:
            v = stack.pop()
            if isinstance(v, (TensorObj, LayerObj, ModelBuilder)):
                return True
            if isinstance(v, ListObj):
                stack.extend(v.items)
            elif isinstance(v, tuple):
                stack.extend(v)
        return False

    def call_function(self, fn: FunctionObj, args: tuple, kwargs: dict, self_value: Any = None) -> Any:
        """Run a user function (a method with `self_value` prepended) and return what it returns."""
        if fn.kind in ("method", "property") or (fn.kind == "classmethod" and self_value is not None):
            args = (self_value,) + tuple(args)
        # A function runs once per distinct arguments (three calls with three layer types build three models),
        # and again at every call that passes tensors, layers or models (a block applied several times).
        signature = _signature(args, kwargs)
        if signature is not None and signature in fn.results:
            return fn.results[signature]
        if fn.evaluated and (len(fn.results) >= MAX_VARIANTS or self.evaluations >= MAX_EVALUATIONS):
            return fn.result
        if fn.evaluating or self.call_depth > MAX_CALL_DEPTH or self.evaluations >= MAX_EVALUATIONS:
            return UNKNOWN
        if fn.kind != "lambda" and self.generates(fn):  # a generator function: fit gets its own batches
            return DatasetObj(UNKNOWN, UNKNOWN, UNKNOWN, None, "generator", f"{fn.node.name}()")
        self.evaluations += 1
        fn.evaluating = True
        local = Env(fn.scope_env, {})
        self.bind_parameters(fn, args, kwargs, local)
        if fn.kind == "lambda":
            saved = self.ctx
            self.ctx = fn.context
            try:
                return self.eval_expr(fn.node.body, local)
            finally:
                self.ctx = saved
                fn.evaluating = False
        saved = (self.ctx, self.branch_depth, self.statement)
        self.ctx, self.branch_depth = fn.context, 0
        self.call_depth += 1
        frame = Frame()
        self.frames.append(frame)
        try:
            result = self.exec_block(fn.node.body, local)
        except RecursionError:
            result = None
        finally:
            self.call_depth -= 1
            self.frames.pop()
            self.ctx, self.branch_depth, self.statement = saved
            fn.evaluating = False
        value = result[1] if result else (None if not frame.returns else UNKNOWN)
        if frame.returns and not all(same_value(value, r) for r in frame.returns):
            value = UNKNOWN  # returns from branches that disagree with the last one
        if not fn.evaluated:
            fn.result = value
        fn.evaluated = True
        if signature is not None:
            fn.results[signature] = value
        return value

    # ------------------------------------------------------------------ classes
    def _class_name_span(self, node: ast.ClassDef) -> Span:
        """The class name after `class` (its first occurrence on the statement's first line)."""
        line = self.src.lines[node.lineno - 1] if node.lineno <= len(self.src.lines) else ""
        start = self.src.column(node.lineno, node.col_offset) - 1
        at = line.find(node.name, start + len("class"))
        if at < 0:
            return Span(node.lineno, 1, node.lineno, 1, self.ctx.path)
        return Span(node.lineno, at + 1, node.lineno, at + 1 + len(node.name), self.ctx.path)

    def exec_class(self, node: ast.ClassDef, env: Env) -> None:
        base = None
        bases = []
        for arg in node.bases:
            ref = self.eval_expr(arg, env)
            if isinstance(ref, ClassObj):
                bases.append(ref)
                base = base or ref.keras_base
            kn = keras_name(ref.qualified) if isinstance(ref, ModuleRef) else None
            if kn in ("Model", "layers.Layer"):
                base = kn
        cls = ClassObj(node, base, self.ctx)
        self.made.append(cls)
        cls.attrs["<bases>"] = tuple(bases)
        env.set(node.name, cls)
        body_env = Env(env, {})
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                body_env.set(stmt.name, self.define_function(stmt, env, owner=cls))
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                self.statement = stmt
                self.exec_simple(stmt, body_env)
        cls.attrs.update(body_env.vars)
        if base is None:
            self.classes.append(cls)
            return
        self.mentions_keras = True
        if base == "layers.Layer" and self.ctx.path is not None:
            return  # a custom layer of an imported module: used here as an opaque layer, whose own graph that
            # module's analysis checks (what the graph would give here are findings in that module, the same)
        self.subclass_model(cls, node, env)  # a custom Model or Layer: its `call` is a graph of its own

    def class_attr(self, cls: ClassObj, name: str) -> Any:
        """A class attribute (or method), looked up through the user's base classes."""
        if name in cls.attrs:
            return cls.attrs[name]
        for base in cls.attrs.get("<bases>", ()):
            found = self.class_attr(base, name)
            if found is not _MISSING:
                return found
        return _MISSING

    def instantiate(self, cls: ClassObj, args: tuple, kwargs: dict, node: ast.AST | None) -> InstanceObj:
        """A plain class's instance, with `__init__` run on it."""
        instance = InstanceObj(cls)
        self.made.append(instance)
        if cls.instance is None:
            cls.instance = instance
        init = self.class_attr(cls, "__init__")
        if isinstance(init, FunctionObj):
            self.call_function(init, args, kwargs, self_value=instance)
        return instance

    def instance_attr(self, instance: InstanceObj, attr: str, node: ast.AST) -> Any:
        if attr in instance.attrs:
            return instance.attrs[attr]
        found = self.class_attr(instance.cls, attr)
        if isinstance(found, FunctionObj):
            if found.kind == "property":
                return self.call_function(found, (), {}, self_value=instance)
            if found.kind == "staticmethod":
                return BoundMethod(found, None)
            return BoundMethod(found, instance)
        if found is not _MISSING:
            return found
        return UNKNOWN

    def finish_functions(self) -> None:
        """Run what the module never called: functions with their parameters as symbols (or defaults), classes
        never instantiated (their `__init__` with symbols) and every method not yet run, on the class's instance.
        Only this module's own: an imported module's are analysed when that module is linted."""
        index = 0
        while index < len(self.functions):  # running one may define more (nested functions)
            fn = self.functions[index]
            index += 1
            if not fn.evaluated and fn.context.path is None:
                self.call_function(fn, (), {})
        for cls in self.classes:
            if cls.context.path is not None:
                continue
            instance = cls.instance if cls.instance is not None else self.instantiate(cls, (), {}, None)
            for name, member in list(cls.attrs.items()):
                if isinstance(member, FunctionObj) and not member.evaluated and name != "__init__":
                    self_value = cls if member.kind == "classmethod" else instance
                    self.call_function(member, (), {}, self_value=None if member.kind == "staticmethod"
                                       else self_value)

    # ------------------------------------------------------------------ expressions
    def eval_expr(self, node: ast.AST | None, env: Env) -> Any:
        if node is None:
            return None
        kind = type(node)  # names and constants, most of what is evaluated, need no depth accounting
        if kind is ast.Name:
            return env.get(node.id)
        if kind is ast.Constant:
            return _constant(node.value)
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
        kind = type(node)  # identity tests, most frequent first (CPython's parser makes no subclasses); names and
        if kind is ast.Attribute:  # constants never get here: eval_expr answers them
            return self.eval_attribute(node, env)
        if kind is ast.Call:
            return self.eval_call(node, env)
        if kind is ast.Tuple:
            return self.eval_elements(node.elts, env, tuple_=True)
        if kind is ast.List:
            return self.eval_elements(node.elts, env, tuple_=False)
        if kind is ast.Subscript:
            return self.eval_subscript(node, env)
        if kind is ast.BinOp:
            left = self.eval_expr(node.left, env)
            right = self.eval_expr(node.right, env)
            op = _BINOPS.get(type(node.op))
            return self.arith(op, left, right) if op else UNKNOWN
        if isinstance(node, ast.UnaryOp):
            value = self.eval_expr(node.operand, env)
            if isinstance(node.op, ast.USub) and is_number(value):
                return -value
            if isinstance(node.op, ast.UAdd) and is_number(value):
                return value
            if isinstance(node.op, ast.Not):
                decided = truth(value)
                return UNKNOWN if decided is None else not decided
            return UNKNOWN
        if isinstance(node, ast.Compare):
            return self.compare(node, env)
        if isinstance(node, ast.BoolOp):
            return self.boolop(node, env)
        if isinstance(node, ast.IfExp):
            decided = truth(self.eval_expr(node.test, env))
            if decided is not None:
                return self.eval_expr(node.body if decided else node.orelse, env)
            body = self.eval_expr(node.body, env)
            orelse = self.eval_expr(node.orelse, env)
            return preferred([body, orelse]) if same_value(body, orelse) else UNKNOWN
        if isinstance(node, ast.Dict):
            items: dict = {}
            known = True
            for key, value in zip(node.keys, node.values):
                k = self.eval_expr(key, env) if key is not None else _MISSING
                v = self.eval_expr(value, env)
                if k is _MISSING or not is_literal(k) or isinstance(k, tuple):
                    known = False
                else:
                    items[k] = v
            return DictObj(items) if known else UNKNOWN
        if isinstance(node, ast.NamedExpr):
            value = self.eval_expr(node.value, env)
            self.assign(node.target, value, env)
            return value
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp)):
            return UNKNOWN
        if isinstance(node, ast.Lambda):  # a function of one expression: run where it is called (dataset.map)
            lambda_ = FunctionObj(node, env, self.ctx, kind="lambda")
            self.made.append(lambda_)
            return lambda_
        return UNKNOWN  # lambdas, f-strings, await …

    def eval_elements(self, elements: list, env: Env, tuple_: bool) -> Any:
        values = []
        for el in elements:
            if isinstance(el, ast.Starred):
                inner = self.eval_expr(el.value, env)
                items = self.iteration(inner)
                if items is None:
                    return UNKNOWN
                values.extend(items)
                continue
            values.append(self.eval_expr(el, env))
        return tuple(values) if tuple_ else ListObj(tuple(values))

    @staticmethod
    def arith(op: str | None, left: Any, right: Any) -> Any:
        if op is None:
            return UNKNOWN
        if is_number(left) and is_number(right):
            try:
                if op == "**":
                    return left ** right if abs(right) < 64 and abs(left) < 1e6 else UNKNOWN
                if op == "/":
                    return left / right
                return {"+": left + right, "-": left - right, "*": left * right}[op] if op in "+-*" else (
                    left // right if op == "//" else left % right)
            except (ZeroDivisionError, OverflowError, ValueError, TypeError):
                return UNKNOWN
        if isinstance(left, ArrayObj) or isinstance(right, ArrayObj):
            return arrays.elementwise(left, right)  # data scaled, shifted, normalised: the shape stays
        if isinstance(left, FrameObj) and (is_number(right) or isinstance(right, Unknown) and not isinstance(right, Sym)):
            return left  # df / 1e6, (df - mean) / std: the frame's shape stays
        if isinstance(right, FrameObj) and is_number(left):
            return right
        if (isinstance(left, Sym) or isinstance(right, Sym)) and op in ("+", "-", "*", "//", "%"):
            return symbolic.binop(op, left, right)
        if op == "+" and isinstance(left, tuple) and isinstance(right, tuple):
            return left + right
        if op == "+" and isinstance(left, ListObj) and isinstance(right, ListObj):
            return ListObj(left.items + right.items)
        if op == "*" and isinstance(left, (tuple, ListObj)) and symbolic.is_int(right) and 0 <= right <= 64:
            items = left.items if isinstance(left, ListObj) else left
            return ListObj(items * right) if isinstance(left, ListObj) else items * right
        if op == "+" and isinstance(left, str) and isinstance(right, str) and len(left) + len(right) < 10000:
            return left + right
        return UNKNOWN

    def compare(self, node: ast.Compare, env: Env) -> Any:
        left = self.eval_expr(node.left, env)
        result: Any = True
        for op, comparator in zip(node.ops, node.comparators):
            right = self.eval_expr(comparator, env)
            step = _compare(op, left, right)
            if step is None:
                result = UNKNOWN
            elif step is False and result is not UNKNOWN:
                return False
            left = right
        return result

    def boolop(self, node: ast.BoolOp, env: Env) -> Any:
        values = [self.eval_expr(v, env) for v in node.values]
        for value in values:
            decided = truth(value)
            if decided is None:
                return UNKNOWN
            if isinstance(node.op, ast.And) and not decided:
                return value
            if isinstance(node.op, ast.Or) and decided:
                return value
        return values[-1]

    def eval_attribute(self, node: ast.Attribute, env: Env) -> Any:
        owner = self.eval_expr(node.value, env)
        attr = node.attr
        identity = attribute_owner(owner)
        if identity is not None and (identity, attr) in self.attributes:
            return self.attributes[(identity, attr)]
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
        if isinstance(owner, InstanceObj):
            return self.instance_attr(owner, attr, node)
        if isinstance(owner, ClassObj):
            found = self.class_attr(owner, attr)
            if isinstance(found, FunctionObj) and found.kind == "classmethod":
                return BoundMethod(found, owner)
            return UNKNOWN if found is _MISSING else found
        if isinstance(owner, ProjectModule):
            if owner.env is not None and attr in owner.env.vars:
                return owner.env.vars[attr]
            sub = self.import_project(f"{owner.name}.{attr}", 0) if owner.path else None
            return sub if sub is not None else UNKNOWN
        if isinstance(owner, FrameObj):
            found = datasources.frame_attr(owner, attr, self.symbol_maker(node), self.described(node))
            return found if found is not None else CallableRef(owner, attr)
        if isinstance(owner, DictObj) and attr in owner.items and isinstance(attr, str):
            return owner.items[attr]  # a scikit-learn Bunch: `iris.data`
        if isinstance(owner, arrays.GrowingList):
            return CallableRef(owner, attr)
        if isinstance(owner, NamespaceObj):
            values = dict(owner.values)
            if attr in values:
                return values[attr]
            return symbolic.named(f"args.{attr}", f"{owner.key}.{attr}")
        if isinstance(owner, (ModelBuilder, LayerObj, ListObj, TensorObj, DictObj, ArgParserObj)):
            return CallableRef(owner, attr)
        if isinstance(owner, (CallableRef, BoundMethod, FunctionObj)):
            return UNKNOWN
        if isinstance(owner, Unknown) and attr == "reshape":
            return CallableRef(self.unknown_array, attr)  # `X.reshape(shape)` of an unknown X: the shape is given
        if isinstance(owner, Sym):
            return symbolic.named(f"{owner.name}.{attr}", f"{owner.key}.{attr}")
        if self.is_library_object(owner):
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
        if isinstance(value, FrameObj):
            return datasources.frame_index(value, items[0] if len(items) == 1 and not isinstance(index, ast.Tuple)
                                           else tuple(items), self.symbol_maker(node))
        if len(items) != 1 or isinstance(index, ast.Tuple):
            return UNKNOWN
        key = items[0]
        if isinstance(value, TensorObj) and symbolic.is_int(key) and value.ref.index is None:
            return TensorObj(TensorRef(value.ref.node, key))
        if isinstance(value, DictObj):
            if is_literal(key) and not isinstance(key, tuple) and key in value.items:
                return value.items[key]
            return UNKNOWN
        if isinstance(value, Sym) and (isinstance(key, (int, str)) and not isinstance(key, bool)):
            return symbolic.named(f"{value.name}[{key!r}]", f"{value.key}[{key!r}]",
                                  integer=value.name.endswith(".shape") and isinstance(key, int))
        was_list = isinstance(value, ListObj)
        if was_list:
            value = value.items
        if isinstance(value, (tuple, str)) and (symbolic.is_int(key) or isinstance(key, slice)):
            if isinstance(key, slice) and any(isinstance(p, Unknown) for p in (key.start, key.stop, key.step)):
                return UNKNOWN
            try:
                picked = value[key]
            except (IndexError, TypeError, ValueError):
                return UNKNOWN
            return ListObj(picked) if was_list and isinstance(key, slice) else picked
        return UNKNOWN

    # ------------------------------------------------------------------ calls
    def eval_args(self, call: ast.Call, env: Env, spans: bool = False) -> tuple[tuple, dict, list[Argument]]:
        """The call's positional and keyword values, and — with `spans`, for the calls the IR records (Keras
        constructors, model methods) — each argument with its exact source range."""
        if not spans and not call.keywords:  # most calls: positional values only
            values = []
            for part in call.args:
                if type(part) is ast.Starred:
                    self.eval_expr(part.value, env)
                    values.append(UNKNOWN)
                else:
                    values.append(self.eval_expr(part, env))
            return tuple(values), {}, []
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        evaluated: list[tuple[ast.AST, ast.AST, str | None, Any]] = []  # (part, value node, keyword, value)
        for part in _written_order(call):
            if isinstance(part, ast.keyword):
                value = self.eval_expr(part.value, env)
                keyword: str | None = part.arg if part.arg is not None else "**"
                if part.arg is not None:
                    kwargs[part.arg] = value
                elif isinstance(value, DictObj) and "<unknown>" not in value.items and \
                        all(isinstance(k, str) for k in value.items):
                    kwargs.update(value.items)  # f(**config): the dict's entries are the keywords
                    keyword = "**dict"
                evaluated.append((part, part.value, keyword, value))
            elif isinstance(part, ast.Starred):
                evaluated.append((part, part.value, "*", self.eval_expr(part.value, env)))
                args.append(UNKNOWN)
            else:
                value = self.eval_expr(part, env)
                evaluated.append((part, part, None, value))
                args.append(value)
        return tuple(args), kwargs, self.arguments(call, evaluated) if spans else []

    def arguments(self, call: ast.Call, evaluated: list) -> list[Argument]:
        """The IR arguments of a call, with their spans (`argument_spans`)."""
        key = ("arguments", call)
        layout = self.src.memo.get(key)
        if layout is None:
            layout = self.src.memo[key] = self.argument_spans(call, [part for part, *_ in evaluated])
        arguments: list[Argument] = []
        for (_, _, keyword, value), (span, value_span, written) in zip(evaluated, layout):
            if keyword == "**dict":  # one argument per entry, all spanning the whole `**config`
                arguments.extend(Argument(k, ir_literal(v), span, span, f"{written}[{k!r}]", unpacked=True)
                                 for k, v in value.items.items())
                continue
            arguments.append(Argument(keyword, ir_literal(value), span, value_span, written))
        return arguments

    def argument_spans(self, call: ast.Call, parts: list) -> list[tuple[Span, Span, str]]:
        """(span, value span, value as written) of each argument of the call, in written order: a positional one
        widened over redundant parentheses (they belong to it), a keyword's value from after the `=`, a `*x` or
        `**x` its expression. The same at every run of the call: made once (`SourceText.memo`)."""
        call_span = self.span(call)
        func_span = self.span(call.func)
        low = self.src.text.find("(", self.src.offset(func_span.end_line, func_span.end_column))  # the call's `(`
        high = self.src.offset(call_span.end_line, call_span.end_column) - 1  # the call's `)`
        layout = []
        for part in parts:
            span = self.span(part)
            if isinstance(part, ast.keyword) and part.arg is not None:  # `name=(value)`: after `=` to the end
                start = self.src.offset(span.line, span.column)
                text = self.src.text[start:self.src.offset(span.end_line, span.end_column)]
                eq = text.index("=") + 1
                eq += len(text[eq:]) - len(text[eq:].lstrip())
                value_span = self.src.at(start + eq, self.src.offset(span.end_line, span.end_column))
            elif isinstance(part, (ast.keyword, ast.Starred)):  # `**x`, `*x`
                value_span = self.span(part.value)
            else:  # a positional argument
                span = value_span = self.src.with_parens(span, low, high)
            layout.append((span, value_span, self.src.slice(value_span)))
        return layout

    def eval_call(self, call: ast.Call, env: Env) -> Any:
        if isinstance(call.func, ast.Name) and call.func.id in BUILTINS and not env.bound(call.func.id):
            args, kwargs, _ = self.eval_args(call, env)
            return builtin(call.func.id, args, kwargs)
        callee = self.eval_expr(call.func, env)
        if isinstance(callee, ModuleRef):
            return self.library_call(callee.qualified, call, env)
        if isinstance(callee, CallableRef):
            return self.method_call(callee, call, env)
        if isinstance(callee, LayerObj):
            return self.apply_layer(callee, call, env)
        if isinstance(callee, ModelBuilder):
            return self.apply_model(callee, call, env)
        if isinstance(callee, FunctionObj):
            args, kwargs, _ = self.eval_args(call, env)
            return self.call_function(callee, args, kwargs)
        if isinstance(callee, BoundMethod):
            args, kwargs, _ = self.eval_args(call, env)
            return self.call_function(callee.function, args, kwargs, self_value=callee.self_value)
        if isinstance(callee, ClassObj):
            return self.construct(callee, call, env)
        args, kwargs, _ = self.eval_args(call, env)
        return self.opaque_call(call, args, kwargs)


def _position(node: ast.AST) -> tuple[int, int]:
    return node.lineno, node.col_offset


def _written_order(call: ast.Call) -> list:
    """The call's positional and keyword arguments in the order they are written (each list is in order; they
    interleave only when a `*x` follows a keyword, as in `f(a, k=1, *rest)`)."""
    args, keywords = call.args, call.keywords
    if not keywords:
        return args
    if not args or _position(args[-1]) < _position(keywords[0]):
        return [*args, *keywords]
    return sorted([*args, *keywords], key=_position)


def _constant(value: Any) -> Any:
    """A literal's value; bytes and complex numbers are not modelled."""
    if value is Ellipsis or value is None or isinstance(value, (bool, int, float, str)):
        return value
    return UNKNOWN


def attribute_owner(value: Any) -> str | None:
    """An identity for an object whose attributes the code sets and reads but rnnlint does not model (a library
    module's object such as `wandb.config`, or a symbol), so `config.units = 64` then `config.units` is 64."""
    if isinstance(value, ModuleRef) and keras_path(value.qualified) is None and numpy_name(value.qualified) is None:
        return "module:" + value.qualified
    if isinstance(value, Sym):
        return "sym:" + value.key
    return None


def _compare(op: ast.cmpop, a: Any, b: Any) -> bool | None:
    """One comparison of literals; None when it cannot be decided."""
    if isinstance(op, (ast.Is, ast.IsNot)):
        if a is None or b is None:
            if isinstance(a, Unknown) or isinstance(b, Unknown):
                return None
            same = a is None and b is None
            return same if isinstance(op, ast.Is) else not same
        return None
    if isinstance(op, (ast.In, ast.NotIn)):
        container = b.items if isinstance(b, (ListObj, DictObj)) else b
        if not is_literal(a) or not isinstance(container, (tuple, str, dict)):
            return None
        if isinstance(container, tuple) and not all(is_literal(x) for x in container):
            return None
        try:
            found = a in container
        except TypeError:
            return None
        return found if isinstance(op, ast.In) else not found
    if isinstance(a, Sym) and isinstance(b, Sym) and a == b and isinstance(op, (ast.Eq, ast.NotEq)):
        return isinstance(op, ast.Eq)
    if not (is_literal(a) and is_literal(b)) or isinstance(a, tuple) != isinstance(b, tuple):
        return None
    try:
        if isinstance(op, ast.Eq):
            return a == b
        if isinstance(op, ast.NotEq):
            return a != b
        if isinstance(op, ast.Lt):
            return a < b
        if isinstance(op, ast.LtE):
            return a <= b
        if isinstance(op, ast.Gt):
            return a > b
        if isinstance(op, ast.GtE):
            return a >= b
    except TypeError:
        return None
    return None


def ir_literal(value: Any) -> Any:
    """An abstract value as an IR literal: lists become tuples, symbols stay symbols, Keras objects and arrays
    become Unknown."""
    if isinstance(value, ListObj):
        value = value.items
    if isinstance(value, tuple):
        return tuple(ir_literal(v) for v in value)
    if isinstance(value, Sym):
        return value
    if value is None or isinstance(value, (int, float, str, bool)):
        return value
    if isinstance(value, ModuleRef) and keras_path(value.qualified) is None and numpy_name(value.qualified) is None:
        return symbolic.named(value.qualified, "module:" + value.qualified)  # `wandb.config.units`: a fixed value
    return UNKNOWN


def builtin(name: str, args: tuple, kwargs: dict) -> Any:
    """The builtins sizes flow through (`len`, `int`, `range`…); Unknown when an argument is not known."""
    if kwargs and name not in ("dict", "sorted", "open"):
        return UNKNOWN
    one = args[0] if len(args) == 1 else _MISSING
    if name == "len" and one is not _MISSING:
        if isinstance(one, ArrayObj) and one.shape.dims and (symbolic.is_int(one.shape.dims[0])
                                                             or isinstance(one.shape.dims[0], Sym)):
            return one.shape.dims[0]
        if isinstance(one, (tuple, str)):
            return len(one)
        if isinstance(one, (ListObj, DictObj)):
            return len(one.items)
        if isinstance(one, arrays.GrowingList):
            return one.count
        if isinstance(one, FrameObj):
            return one.rows
        if isinstance(one, Sym):
            return symbolic.named(f"len({one.name})", f"len({one.key})", integer=True)
        return UNKNOWN
    if name == "int" and one is not _MISSING:
        if is_number(one):
            return int(one)
        if isinstance(one, Sym):
            return one
        if isinstance(one, str):
            try:
                return int(one)
            except ValueError:
                return UNKNOWN
        return UNKNOWN
    if name == "float" and one is not _MISSING:
        return float(one) if is_number(one) else UNKNOWN
    if name == "bool" and one is not _MISSING:
        decided = truth(one)
        return UNKNOWN if decided is None else decided
    if name in ("tuple", "list") and one is not _MISSING:
        items = one.items if isinstance(one, ListObj) else one if isinstance(one, tuple) else None
        if isinstance(one, DictObj):
            items = tuple(one.items)
        if items is None:
            return UNKNOWN
        return ListObj(items) if name == "list" else items
    if name == "round" and one is not _MISSING:
        return round(one) if is_number(one) else one if isinstance(one, Sym) else UNKNOWN
    if name in ("max", "min") and len(args) >= 2 and all(is_number(a) for a in args):
        return max(args) if name == "max" else min(args)
    if name in ("max", "min", "sum") and one is not _MISSING:
        items = one.items if isinstance(one, ListObj) else one
        if isinstance(items, tuple) and items and all(is_number(a) for a in items):
            return {"max": max, "min": min, "sum": sum}[name](items)
        return UNKNOWN
    if name == "abs" and one is not _MISSING:
        return abs(one) if is_number(one) else UNKNOWN
    if name == "range" and 1 <= len(args) <= 3 and all(symbolic.is_int(a) for a in args):
        r = range(*args) if args[-1] != 0 or len(args) < 3 else range(0)
        return tuple(r) if len(r) <= 10_000 else UNKNOWN
    if name == "enumerate" and one is not _MISSING:
        items = one.items if isinstance(one, ListObj) else one
        return tuple(enumerate(items)) if isinstance(items, tuple) else UNKNOWN
    if name == "zip" and args:
        columns = [a.items if isinstance(a, ListObj) else a for a in args]
        return tuple(zip(*columns)) if all(isinstance(c, tuple) for c in columns) else UNKNOWN
    if name in ("sorted", "reversed") and len(args) == 1 and not kwargs:
        items = one.items if isinstance(one, ListObj) else one
        if isinstance(items, tuple) and all(is_number(a) for a in items) or isinstance(items, tuple) and \
                all(isinstance(a, str) for a in items):
            return tuple(sorted(items)) if name == "sorted" else tuple(reversed(items))
        return UNKNOWN
    if name == "open" and args and isinstance(args[0], str):
        return FileObj(args[0])
    if name == "dict" and not args:
        return DictObj(dict(kwargs))
    if name == "dict" and isinstance(one, DictObj) and not kwargs:
        return DictObj(dict(one.items))
    return UNKNOWN


__all__ = ["BUILTINS", "Env", "Interpreter", "builtin", "callee_name", "ir_literal", "is_literal", "is_number",
           "same_value", "truth"]
