"""Measure rnnlint on the real-code corpus (bench/REALCODE.md): what it follows and what it finds.

    python bench/realcode.py /work/realcode --out /tmp/realcode-after.json
    PYTHONPATH=/path/to/older/checkout python bench/realcode.py /work/realcode --out before.json

Each project folder is linted as one run (static: no confirmation, no cache), so that imports between its
modules can be followed. The counts are taken against the source itself, not against what rnnlint found:

- recurrent layers: every call of a recurrent layer class written in a file (`LSTM(`, `layers.GRU(`,
  `Bidirectional(` counts its inner layer once), found with CPython's `ast` in the file's (joined, for
  notebooks) text; *rank known*: the layer is a node of a model rnnlint followed and its output has a known
  rank; *shape known*: every dim of that output is a literal, a named symbol or Keras's own None;
- train calls: every `.fit(` / `.evaluate(` / `.predict(` call (and their `_generator` / `_on_batch` forms) in a
  file that calls a recurrent layer, except those on an object whose name says it is a scaler, encoder or
  tokenizer; *x known* / *y known*: rnnlint recorded the call on a model and knows the rank of x (of y, for the
  calls that take one);
- findings by code and severity; every error-level finding is listed for triage.

Works with older checkouts of rnnlint too (fields they lack count as unknown). Prints a summary table and
writes the details as JSON.
"""
from __future__ import annotations

import argparse
import ast
import collections
import json
import os
import re
import sys
import time
import warnings

RECURRENT = {"LSTM", "GRU", "SimpleRNN", "CuDNNLSTM", "CuDNNGRU", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "RNN"}
TRAIN = {"fit", "evaluate", "predict", "fit_generator", "evaluate_generator", "predict_generator",
         "train_on_batch", "test_on_batch", "predict_on_batch"}
TAKES_Y = {"fit", "evaluate", "train_on_batch", "test_on_batch"}
NOT_KERAS = re.compile(r"(scal|token|encod|vectori|pca|imput|^sc$|^le$|^ohe$|^lr$|clf|svm|regr|knn|tree|forest|"
                       r"kmeans|xgb|^rf$|^lb$|label|normaliz|transform|nb$|^mlb$)", re.I)


def _callee(node: ast.Call) -> str | None:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _receiver(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        value = func.value
        while isinstance(value, ast.Attribute):
            if value.attr:
                return value.attr
            value = value.value
        if isinstance(value, ast.Name):
            return value.id
    return ""


def syntactic(text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int, str]]] | None:
    """(recurrent layer calls as (line, col1), train calls as (line, col1, method)) of a text; None if it does not
    parse."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    layers, calls = [], []
    lines = text.splitlines()

    def col(node: ast.AST) -> int:  # 1-based character column, as rnnlint reports
        line = lines[node.lineno - 1] if node.lineno - 1 < len(lines) else ""
        return len(line.encode("utf-8")[:node.col_offset].decode("utf-8", "replace")) + 1

    wrapped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _callee(node) == "Bidirectional" and node.args:
            inner = node.args[0]
            if isinstance(inner, ast.Call) and _callee(inner) in RECURRENT:
                wrapped.add(id(inner))
                layers.append((node.lineno, col(node)))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _callee(node)
        if name in RECURRENT and id(node) not in wrapped:
            layers.append((node.lineno, col(node)))
        elif name in TRAIN and isinstance(node.func, ast.Attribute) and (node.args or node.keywords) \
                and not NOT_KERAS.search(_receiver(node)):
            calls.append((node.lineno, col(node), name))
    return layers, calls


def _rank_known(out) -> bool:
    from rnnlint.shapes import MultiOutput

    if isinstance(out, MultiOutput):
        return bool(out.shapes) and isinstance(out.shapes[0], tuple)
    return isinstance(out, tuple)


def _shape_known(out) -> bool:
    from rnnlint.shapes import MultiOutput

    try:
        from rnnlint.ir import Sym
    except ImportError:  # older checkouts
        Sym = ()  # noqa: N806
    if isinstance(out, MultiOutput):
        out = out.shapes[0] if out.shapes else None
    if not isinstance(out, tuple):
        return False
    for d in out[1:]:
        if d is None or (isinstance(d, int) and not isinstance(d, bool)):
            continue
        if Sym and isinstance(d, Sym) and not str(getattr(d, "key", "")).startswith("anon:"):
            continue
        return False
    return True


def _data_known(value) -> bool:
    from rnnlint.ir import ArrayShape

    if isinstance(value, ArrayShape):
        return True
    if isinstance(value, tuple) and value:
        return all(_data_known(v) for v in value)
    dataset = getattr(sys.modules.get("rnnlint.ir"), "DatasetShape", None)
    return dataset is not None and isinstance(value, dataset) and _data_known(value.x)  # a dataset's batches


def _own(span) -> bool:
    return getattr(span, "path", None) is None


def measure_project(folder: str) -> dict:
    from rnnlint.engine import lint_paths
    from rnnlint.settings import Settings
    try:
        from rnnlint.layerkinds import recurrent_core

        def is_recurrent(layer) -> bool:
            return recurrent_core(layer) is not None
    except ImportError:  # an older checkout
        from rnnlint.shapes import is_recurrent

    run = lint_paths([folder], Settings(confirm=False), jobs=1, cache=False, keep_ir=True)
    out = {"files": 0, "analysed": 0, "with_model": 0, "recurrent_files": 0, "layers": 0, "rank_known": 0,
           "shape_known": 0, "calls": 0, "x_known": 0, "y_calls": 0, "y_known": 0,
           "findings": collections.Counter(), "errors": [], "all": []}
    for result in run.files:
        out["files"] += 1
        if result.skipped:
            continue
        out["analysed"] += 1
        for f in result.findings:
            out["findings"][f"{f.code} {f.severity}"] += 1
            row = {"path": result.path, "line": f.span.line, "cell": f.cell, "code": f.code,
                   "severity": f.severity, "message": f.message}
            out["all"].append(row)
            if f.severity == "error" and f.code != "RNN000":
                out["errors"].append(row)
        text = result.source or ""
        found = syntactic(text)
        if found is None:
            continue
        layers, calls = found
        if not layers:
            continue
        out["recurrent_files"] += 1
        out["layers"] += len(layers)
        ir = result.ir
        if ir is None:
            out["calls"] += len(calls)
            out["y_calls"] += sum(1 for c in calls if c[2] in TAKES_Y)
            continue
        if ir.models:
            out["with_model"] += 1
        outputs = {}
        for model in ir.models:
            shapes = result.shapes.get(model.id)
            for node in model.nodes:
                value = shapes.outputs.get(node.id) if shapes is not None else None
                layer = node.layer
                while layer is not None:  # a wrapped layer (TimeDistributed(Bidirectional(LSTM))) counts with its node
                    if _own(layer.call.span) and (is_recurrent(layer) or layer.kind in ("Bidirectional",
                                                                                        "TimeDistributed")):
                        key = (layer.call.span.line, layer.call.span.column)
                        previous = outputs.get(key)
                        if previous is None or (not _rank_known(previous) and _rank_known(value)):
                            outputs[key] = value
                    layer = layer.inner
        for key in layers:
            value = outputs.get(key)
            if value is not None and _rank_known(value):
                out["rank_known"] += 1
                if _shape_known(value):
                    out["shape_known"] += 1
        recorded = {}
        for model in ir.models:
            for call in model.train_calls:
                if _own(call.span):
                    recorded[(call.span.line, call.span.column)] = call
        for line, column, method in calls:
            out["calls"] += 1
            takes_y = method in TAKES_Y
            out["y_calls"] += takes_y
            call = recorded.get((line, column))
            if call is None:
                continue
            if _data_known(call.x):
                out["x_known"] += 1
            y = call.y
            dataset = getattr(sys.modules.get("rnnlint.ir"), "DatasetShape", None)
            if y is None and dataset is not None and isinstance(call.x, dataset):
                y = call.x.y  # a dataset's batches bring their targets
            if takes_y and y is not None and _data_known(y):
                out["y_known"] += 1
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", help="the folder holding one folder per project (/work/realcode)")
    parser.add_argument("--out", help="write the details (JSON) here")
    parser.add_argument("--only", help="a comma-separated list of project folders")
    args = parser.parse_args(argv)
    projects = sorted(d for d in os.listdir(args.corpus) if os.path.isdir(os.path.join(args.corpus, d)))
    if args.only:
        projects = [p for p in projects if p in args.only.split(",")]
    totals: dict = collections.Counter()
    findings: collections.Counter = collections.Counter()
    details = {}
    started = time.perf_counter()
    for project in projects:
        result = measure_project(os.path.join(args.corpus, project))
        details[project] = {k: (dict(v) if isinstance(v, collections.Counter) else v) for k, v in result.items()}
        findings.update(result["findings"])
        for key, value in result.items():
            if isinstance(value, int):
                totals[key] += value
    elapsed = time.perf_counter() - started

    def share(a: str, b: str) -> str:
        return f"{totals[a]}/{totals[b]} = {100 * totals[a] / totals[b]:.0f} %" if totals[b] else "0/0"

    print(f"projects {len(projects)}, files {totals['files']}, analysed {totals['analysed']}, "
          f"files calling a recurrent layer {totals['recurrent_files']}, of which with a model followed "
          f"{totals['with_model']} ({elapsed:.1f} s)")
    print(f"recurrent layers with a known output rank: {share('rank_known', 'layers')}")
    print(f"recurrent layers with a known output shape (up to symbols): {share('shape_known', 'layers')}")
    print(f"fit/evaluate/predict calls with a known x rank: {share('x_known', 'calls')}")
    print(f"fit/evaluate calls with a known y rank: {share('y_known', 'y_calls')}")
    print("findings: " + ", ".join(f"{k} {v}" for k, v in sorted(findings.items())))
    errors = [e for d in details.values() for e in d["errors"]]
    print(f"error-level findings: {len(errors)}")
    for e in errors:
        where = f"{e['path']}:{e['line']}" + (f" (cell {e['cell']})" if e["cell"] else "")
        print(f"  {where}: {e['code']} {e['message'][:160]}")
    if args.out:
        with open(args.out, "w", encoding="utf-8") as handle:
            json.dump({"totals": dict(totals), "findings": dict(findings), "projects": details}, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
