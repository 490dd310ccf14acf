"""The evaluator and the analyzer's entry point: a module's text → its IR (`ir.FileIR`).

`Evaluator` is the three halves of the interpretation mixed together: general Python (`interpret`: statements,
control flow, expressions, functions, classes, imports), Keras calls (`keras_calls`: constructors, layer
applications, model methods, train calls) and library calls (`library`: NumPy/TensorFlow data, argparse,
containers); `limits` holds the safety limits and `project` finds the modules of the linted project a file
imports. Each construct is handled in exactly one of them.

The tree is CPython's own `ast` (which gives exact start and end positions); libcst would cost ~40x more per
file for the same information (its parse plus PositionProvider were 75% of the analysis time, measured in
bench/). Columns are converted from CPython's UTF-8 byte offsets to characters (`positions`).
"""
from __future__ import annotations

import ast
import time

from rnnlint.analyze.errors import AnalysisLimit
from rnnlint.analyze.finalize import dangling_graphs, finalize_model
from rnnlint.analyze.interpret import Env, Interpreter
from rnnlint.analyze.keras_calls import KerasCalls
from rnnlint.analyze.library import LibraryCalls
from rnnlint.analyze.limits import TimeUp, alarm, preflight
from rnnlint.analyze.positions import SourceText
from rnnlint.analyze.project import ModuleLoader
from rnnlint.analyze.values import Graph, ModuleContext
from rnnlint.ir import FileIR
from rnnlint.layerkinds import RECURRENT


FILE_TIME_LIMIT = 10.0  # seconds per file, imported modules included


def analyze_module(text: str, time_limit: float | None = None, path: str | None = None,
                   loader: ModuleLoader | None = None, tree: ast.Module | None = None) -> FileIR:
    """Parse and evaluate a module; raise SourceSyntaxError when it does not parse, AnalysisLimit when it is
    too large, too deeply nested, or takes longer than `time_limit` seconds (default FILE_TIME_LIMIT).

    `path` is the module's file (where its imports are looked for); `loader` finds and parses the project
    modules it imports (None: imports of the project stay unknown); `tree`: the text's tree, when it was parsed
    (with preflight) already."""
    tree = preflight(text) if tree is None else tree
    limit = FILE_TIME_LIMIT if time_limit is None else time_limit
    try:
        with alarm(limit):  # and a deadline checked per statement: the limit in a thread (no signal there), and
            # the net for an alarm whose TimeUp lands in a finalizer or a gc callback, where Python swallows it
            deadline = time.monotonic() + limit if limit else None
            evaluator = Evaluator(tree, text, deadline=deadline, path=path, loader=loader)
            return evaluator.run()
    except RecursionError:
        raise AnalysisLimit("too deeply nested to analyse") from None
    except TimeUp:
        raise AnalysisLimit(f"analysis took longer than the per-file time limit ({limit:g} s)") from None


class Evaluator(Interpreter, KerasCalls, LibraryCalls):
    """One module's abstract evaluation (and of the project modules it imports)."""

    def __init__(self, tree: ast.Module, text: str, deadline: float | None = None, path: str | None = None,
                 loader: ModuleLoader | None = None) -> None:
        self.tree = tree
        self.ctx = ModuleContext(SourceText(text), None, "")
        self.root_path = path
        self.loader = loader
        self.deadline = deadline  # time.monotonic() after which the analysis gives up (checked per statement)
        self.graph = Graph()
        self.builders: list = []
        self.imports: list = []
        self.layers: list = []
        self.keras_objects: list = []  # ir.KerasObject: models and optimizers made (for their keywords)
        self.functions: list = []
        self.classes: list = []
        self.modules: dict = {}  # project modules imported: path → ProjectModule
        self.data_files: list = []  # config files read (json.load): paths
        self.frames: list = []
        self.attributes: dict = {}  # (owner identity, name) → value: attributes set on objects rnnlint does not model
        self.branch_depth = 0
        self.depth = 0
        self.call_depth = 0
        self.unrolled = 1  # iterations of the unrolled loops being run, multiplied (Interpreter.exec_for)
        self.evaluations = 0
        self.mentions_keras = False
        self.statement: ast.stmt | None = None  # the simple statement being evaluated
        self.generators: dict[int, bool] = {}  # id(function node) → whether it is a generator (see `generates`)
        self.unrollable_loops: dict[int, bool] = {}  # id(for node) → whether it may be unrolled (`unrollable`)
        self.made: list = []  # the functions, classes and instances made (their cycles are broken by `release`)

    def run(self) -> FileIR:
        env = Env()
        self.exec_block(self.tree.body, env)
        self.finish_functions()
        models = []
        for builder in self.builders + dangling_graphs(self.graph, self.builders, RECURRENT):
            model = finalize_model(builder, len(models), self.graph)
            if model is not None:
                models.append(model)
        used = {id(n.layer) for m in models for n in m.nodes}
        standalone = tuple(o.layer for o in self.layers if id(o.layer) not in used and o.layer.span.path is None)
        dependencies = tuple(sorted(set(self.modules) | set(self.data_files)))
        objects = tuple(o for o in self.keras_objects if o.call.span.path is None)  # not another module's
        ir = FileIR(models=tuple(models), imports=tuple(self.imports), mentions_keras=self.mentions_keras,
                    standalone_layers=standalone, dependencies=dependencies, keras_objects=objects)
        self.release()
        return ir
