"""`--show-models`: every model found, its layer chain with output shapes, its pattern, and the data seen at fit.

Reads FileResults (IR + shapes computed by the engine); analyses nothing itself.
"""
from __future__ import annotations

import json
from typing import Any, Iterable

from rnnlint.ir import ArrayShape, DatasetShape, Sym, Unknown
from rnnlint.patterns import model_pattern
from rnnlint.shapes import MultiOutput, format_shape


def _shape_text(value: Any) -> str:
    if isinstance(value, MultiOutput):
        return "[" + ", ".join(_shape_text(s) for s in value.shapes) + "]"
    if isinstance(value, tuple):
        return format_shape(value)
    return "?"


def _data_text(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, ArrayShape):
        return format_shape(value.dims)
    if isinstance(value, tuple):
        return "[" + ", ".join(_data_text(v) for v in value) + "]"
    return "?"


def _in_cell(result: Any, line: int, path: str | None) -> tuple[int | None, int]:
    """(cell, line in that cell) for a line of a notebook's joined code (as findings give it); (None, line) for a
    .py file or a line of another module."""
    cells = getattr(result, "cells", None)
    if not cells or path not in (None, result.path):
        return None, line
    cell = next((c for c in reversed(cells) if c.first_line <= line), None)
    return (None, line) if cell is None else (cell.index, line - cell.first_line + 1)


def model_records(results: Iterable[Any]) -> list[dict]:
    """Plain data describing each model (used by both the text and the JSON output). In a notebook, every
    `line` is within its `cell`, as in the findings."""
    records = []
    for result in results:
        if result.ir is None:
            continue
        for model in result.ir.models:
            shapes = result.shapes.get(model.id)
            layers = []
            for node in model.nodes:
                name = node.layer.kind if node.layer.inner is None else f"{node.layer.kind}({node.layer.inner.kind})"
                out = shapes.outputs.get(node.id) if shapes else None
                cell, line = _in_cell(result, node.layer.span.line, node.layer.span.path)
                layers.append({"layer": name, "line": line, "cell": cell, "path": node.layer.span.path,
                               "output_shape": _jsonable_shape(out)})
            cell, line = _in_cell(result, model.span.line, model.span.path)
            records.append({
                "path": model.span.path or result.path, "line": line, "cell": cell, "name": model.name,
                "api": model.api,
                "complete": model.complete,
                "input_shape": _jsonable_shape(shapes.model_input) if shapes and not shapes.synthetic_input else None,
                "output_shape": _jsonable_shape(shapes.model_output) if shapes and not shapes.synthetic_input else None,
                "pattern": model_pattern(model, shapes) if shapes and not shapes.synthetic_input else None,
                "layers": layers,
                "train_calls": [{"method": c.method, "line": _in_cell(result, c.span.line, c.span.path)[1],
                                 "cell": _in_cell(result, c.span.line, c.span.path)[0], "path": c.span.path,
                                 "x": _jsonable_data(c.x), "y": _jsonable_data(c.y),
                                 "batch_size": _jsonable_value(c.batch_size) if c.has_batch_size else None}
                                for c in model.train_calls],
            })
    return records


def _jsonable_value(value: Any) -> Any:
    """A dim or argument as JSON: ints and None as they are, a symbol as its name, anything unresolved as
    "unknown"."""
    if isinstance(value, Sym):
        return value.name
    if isinstance(value, Unknown):
        return "unknown"
    if isinstance(value, tuple):
        return [_jsonable_value(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return "unknown"


def _jsonable_shape(value: Any) -> Any:
    if isinstance(value, MultiOutput):
        return [_jsonable_shape(s) for s in value.shapes]
    if isinstance(value, tuple):
        return [_jsonable_value(d) for d in value]
    return None


def _jsonable_data(value: Any) -> Any:
    if isinstance(value, DatasetShape):
        return {"kind": value.kind, "x": _jsonable_data(value.x), "y": _jsonable_data(value.y),
                "batch_size": _jsonable_value(value.batch_size), "shuffled": value.shuffled}
    if isinstance(value, ArrayShape):
        return [_jsonable_value(d) for d in value.dims]
    if isinstance(value, tuple):
        return [_jsonable_data(v) for v in value]
    if isinstance(value, Unknown):
        return "unknown"
    return None


def render_text(results: Iterable[Any]) -> str:
    lines: list[str] = []
    for rec in model_records(results):
        cell = f"cell {rec['cell']}:" if rec["cell"] is not None else ""
        title = f"{rec['path']}:{cell}{rec['line']}: {rec['api']} model"
        if rec["name"]:
            title += f" `{rec['name']}`"
        if rec["pattern"]:
            title += f" — {rec['pattern']}"
        lines.append(title)
        width = max((len(_where(x, rec["path"])) for x in rec["layers"]), default=10)
        for layer in rec["layers"]:
            label = _where(layer, rec["path"])
            shape = _fmt(layer["output_shape"]) if layer["output_shape"] is not None else "?"
            lines.append(f"    {label.ljust(width)}  -> {shape}")
        for call in rec["train_calls"]:
            at = f"{call['path']}:{call['line']}" if call["path"] not in (None, rec["path"]) else _line(call)
            if isinstance(call["x"], dict):
                lines.append(f"    {call['method']}() {at}: {_fmt(call['x'])}")
                continue
            lines.append(f"    {call['method']}() {at}: x {_fmt(call['x'])}, y {_fmt(call['y'])}, "
                         f"batch_size {call['batch_size'] if call['batch_size'] is not None else '-'}")
        if not rec["complete"]:
            lines.append("    (part of this model could not be followed statically)")
        lines.append("")
    if not lines:
        return "No models found.\n"
    return "\n".join(lines)


def _where(layer: dict, model_path: str) -> str:
    """'LSTM (line 8)', or 'LSTM (models.py:8)' for a layer written in another module than its model."""
    at = f"{layer['path']}:{layer['line']}" if layer["path"] not in (None, model_path) else _line(layer)
    return f"{layer['layer']} ({at})"


def _line(record: dict) -> str:
    """`line 4`, or `cell 3, line 4` in a notebook."""
    return f"cell {record['cell']}, line {record['line']}" if record.get("cell") is not None else f"line {record['line']}"


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, dict):  # a dataset or generator: its batches
        y = f", y {_fmt(value['y'])}" if value["y"] is not None else ""
        return f"a {value['kind']} of batches: x {_fmt(value['x'])}{y}"
    if value == "unknown":
        return "?"
    if isinstance(value, list) and value and isinstance(value[0], list):
        return "[" + ", ".join(_fmt(v) for v in value) + "]"
    if isinstance(value, list):
        return "(" + ", ".join("None" if d is None else "?" if d == "unknown" else str(d) for d in value) + \
            ("," if len(value) == 1 else "") + ")"
    return str(value)


def render_json(results: Iterable[Any]) -> str:
    return json.dumps(model_records(results), indent=2)
