"""Library calls that are not Keras layers or models: NumPy and TensorFlow data (`arrays`), the data sources of
`datasources` (Keras and scikit-learn datasets, encoders, pandas, tf.data, generators), argparse, JSON configs,
and the methods of the Python containers the evaluator tracks (lists, config dicts).

Arrays made by a data source carry where they came from (`ArrayShape.source`, "to_categorical(y_train) on line
6"), so that a finding about them can say so.

`argparse` values are known values: `parser.add_argument("--units", type=int, default=64)` then
`args = parser.parse_args()` makes `args.units` 64 (the default a script runs with); an argument without a
default is a symbol named `args.<dest>`.
"""
from __future__ import annotations

import ast
import json
import os
from typing import Any

from rnnlint.analyze import arrays, datasources
from rnnlint.analyze.interpret import Env, is_literal
from rnnlint.analyze.names import keras_name, numpy_name, tf_name
from rnnlint.analyze.project import roots as project_roots
from rnnlint.analyze.values import (
    ArgParserObj, ArrayObj, BoundMethod, CallableRef, DatasetObj, DictObj, FileObj, FrameObj, FunctionObj, ListObj,
    NamespaceObj, ToolObj,
)
from rnnlint.ir import UNKNOWN, Sym


class _RNG:
    """numpy.random.default_rng(...) / RandomState(...): a generator whose methods make arrays."""


class _UnknownArray:
    """The receiver of `.reshape(...)` when its own shape is unknown (the shape is given by the call)."""


_CONVERTERS = {"int": int, "float": float}


class LibraryCalls:
    """The data and library half of the evaluator; mixed with `Interpreter` and `KerasCalls`."""

    unknown_array = _UnknownArray()

    def is_library_object(self, value: Any) -> bool:
        return isinstance(value, (_RNG, DatasetObj, ToolObj, FrameObj))

    def described(self, call: ast.AST) -> str:
        """A call as a message names it: "to_categorical(y_train) on line 6"."""
        text = " ".join(self.source(call).split())
        if len(text) > 60:
            text = (" ".join(self.source(call.func).split()) + "(...)" if isinstance(call, ast.Call)
                    else text[:57] + "...")
        where = f"{self.ctx.path}:{call.lineno}" if self.ctx.path else f"line {call.lineno}"
        return f"{text} on {where}"

    def symbol_maker(self, call: ast.Call):
        """A `sym(name)` for the data sources: fresh symbols of this call (a split's sample counts)."""
        return lambda name, at_least=0: Sym(name=name, key=f"{self.ctx.key}:{name}@{call.lineno}:{call.col_offset}",
                                            at_least=at_least)

    def library_call(self, qualified: str, call: ast.Call, env: Env) -> Any:
        """A call of something an import bound: a Keras constructor, a NumPy / TensorFlow function, argparse, or
        something unknown (opaque: a layer when applied to tensors)."""
        kname = keras_name(qualified)
        if kname is not None:
            self.mentions_keras = True
            return self.keras_call(kname, call, env)
        args, kwargs, _ = self.eval_args(call, env)
        if qualified == "argparse.ArgumentParser":
            return ArgParserObj()
        if qualified in ("json.load", "json.loads") and args:
            return self.json_value(args[0])
        made = self.data_source(qualified, call, args, kwargs)
        if made is not None:
            return made
        npname = numpy_name(qualified)
        if npname is not None:
            if npname in ("random.default_rng", "random.RandomState", "random.Generator"):
                return _RNG()
            return arrays.numpy_call(npname, args, kwargs)
        tfname = tf_name(qualified)
        if tfname is not None:
            result = arrays.tf_call(tfname, args, kwargs)
            if result is not UNKNOWN:
                return result
        return self.opaque_call(call, args, kwargs)

    def json_value(self, source: Any) -> Any:
        """What `json.load(open("config.json"))` or `json.loads("…")` gives: the config's dicts, lists and values.
        The file is looked for next to the file being linted; it is a dependency of the result (a changed config
        invalidates the cached findings)."""
        if isinstance(source, FileObj):
            base = os.path.dirname(os.path.abspath(self.root_path)) if self.root_path else os.getcwd()
            path = os.path.normpath(os.path.join(base, source.path))
            inside = [os.path.realpath(r) + os.sep for r in project_roots(base)]
            if os.path.isabs(source.path) or not any(os.path.realpath(path).startswith(r) for r in inside):
                return UNKNOWN  # only a config of the project (next to the file, up to the project root)
            try:
                if os.path.getsize(path) > MAX_CONFIG_BYTES:
                    return UNKNOWN
                with open(path, encoding="utf-8") as handle:
                    data = json.load(handle)
            except (OSError, ValueError, RecursionError):
                return UNKNOWN
            self.data_files.append(path if os.path.isabs(self.root_path or "") else os.path.relpath(path))
            return from_json(data)
        if isinstance(source, str) and len(source) <= MAX_CONFIG_BYTES:
            try:
                return from_json(json.loads(source))
            except (ValueError, RecursionError):
                return UNKNOWN
        return UNKNOWN

    def call_user(self, fn: Any, args: tuple) -> Any:
        """Run a user function (or lambda, or bound method) the library calls back (`dataset.map(fn)`)."""
        if isinstance(fn, BoundMethod):
            return self.call_function(fn.function, args, {}, self_value=fn.self_value)
        return self.call_function(fn, args, {})

    def keras_utility(self, kname: str, call: ast.Call, args: tuple, kwargs: dict) -> Any:
        """Keras functions and classes that make or hold data: its datasets, to_categorical, pad_sequences,
        Tokenizer, the timeseries and image generators and datasets."""
        source = self.described(call)
        sym = self.symbol_maker(call)
        name = kname.rsplit(".", 1)[-1]
        if kname.startswith("datasets.") and name == "load_data":
            return datasources.keras_dataset(kname.split(".")[1], kwargs, source)
        if name == "to_categorical":
            return arrays.with_source(arrays.to_categorical(args, kwargs, sym("classes", 2)), source)
        if name == "pad_sequences":
            return arrays.with_source(arrays.pad_sequences(args, kwargs, sym("longest")), source)
        if name in datasources.KERAS_TOOLS:
            return datasources.tool(name, args, kwargs)
        if name == "timeseries_dataset_from_array":
            return datasources.timeseries_dataset(args, kwargs, source)
        if name == "TimeseriesGenerator":
            return datasources.timeseries_generator(args, kwargs, source)
        if name == "image_dataset_from_directory":
            return datasources.image_dataset(args, kwargs, sym, source)
        if name == "text_dataset_from_directory":
            return datasources.text_dataset(args, kwargs, sym, source)
        return UNKNOWN

    def data_source(self, qualified: str, call: ast.Call, args: tuple, kwargs: dict) -> Any:
        """scikit-learn, pandas and tf.data calls that make data; None when `qualified` is none of them."""
        parts = qualified.split(".")
        if parts[0] not in ("sklearn", "pandas") and not qualified.startswith("tensorflow.data.Dataset."):
            return None  # most library calls: no data source (and no description or symbols to make)
        name = parts[-1]
        source = self.described(call)
        sym = self.symbol_maker(call)
        if parts[0] == "sklearn":
            if name in datasources.SKLEARN_DATASETS:
                return datasources.sklearn_dataset(name, kwargs, source)
            if name == "train_test_split":
                return datasources.train_test_split(args, kwargs, sym)
            if name in datasources.SCALERS or name in datasources.ENCODERS:
                return datasources.tool(name, args, kwargs)
            return None
        if parts[0] == "pandas":
            if name.startswith("read_") or name == "DataFrame":
                return datasources.frame(sym("rows"))
            if name == "Series":
                return FrameObj(sym("rows"), None, series=True)
            if name == "get_dummies":
                return datasources.get_dummies(args, sym, source)
            if name == "concat":
                return FrameObj(sym("rows"), None)
            return None
        if qualified in ("tensorflow.data.Dataset.from_tensor_slices", "tensorflow.data.Dataset.from_tensors"):
            return datasources.from_tensor_slices(args, source)
        if qualified == "tensorflow.data.Dataset.zip":
            parts = args[0] if len(args) == 1 and isinstance(args[0], tuple) else args
            if len(parts) == 2 and all(isinstance(d, DatasetObj) and d.y is None and d.batch is None for d in parts):
                return DatasetObj(parts[0].x, parts[1].x, source=source)  # zip(inputs, labels)
            return DatasetObj(UNKNOWN, UNKNOWN, source=source)
        return None

    def library_method(self, ref: CallableRef, call: ast.Call, env: Env) -> Any:
        owner, method = ref.owner, ref.method
        args, kwargs, _ = self.eval_args(call, env)
        if isinstance(owner, ArrayObj):
            return arrays.method_call(owner, method, args, kwargs)
        if owner is self.unknown_array:
            return arrays.method_call(None, method, args, kwargs)
        if isinstance(owner, _RNG):
            return arrays.random_shape(method, args, kwargs)
        if isinstance(owner, ListObj):
            return self.list_method(owner, method, args, call, env)
        if isinstance(owner, arrays.GrowingList):
            target = call.func.value if isinstance(call.func, ast.Attribute) else None
            if isinstance(target, ast.Name) and (method != "append" or len(args) != 1 or
                                                 arrays.GrowingList(owner.count, args[0]) != owner):
                env.set(target.id, UNKNOWN)  # appends of another shape, or another change: unknown
            return UNKNOWN
        if isinstance(owner, DictObj):
            return dict_method(owner, method, args, self.branch_depth > 0)
        if isinstance(owner, ArgParserObj):
            return self.parser_method(owner, method, args, kwargs, call)
        if isinstance(owner, ToolObj):
            made = datasources.tool_method(owner, method, args, kwargs, self.symbol_maker(call), self.described(call))
            return arrays.with_source(made, self.described(call))
        if isinstance(owner, FrameObj):
            return datasources.frame_method(owner, method, args, kwargs, self.symbol_maker(call),
                                            self.described(call))
        if isinstance(owner, DatasetObj):
            fn = args[0] if args else kwargs.get("map_func")
            if method == "map" and isinstance(fn, (FunctionObj, BoundMethod)):
                given = datasources.element(owner)
                positional = given if isinstance(given, tuple) and owner.y is not None else (given,)
                return datasources.mapped(owner, self.call_user(fn, positional))
            if method == "flat_map" and owner.window is not None and isinstance(fn, (FunctionObj, BoundMethod)):
                window = DatasetObj(owner.x, owner.y, source=owner.source)
                return datasources.flattened(owner, self.call_user(fn, (window,)))
            return datasources.dataset_method(owner, method, args, kwargs)
        return UNKNOWN

    def list_method(self, owner: ListObj, method: str, args: tuple, call: ast.Call, env: Env) -> Any:
        """`xs.append(v)` on a list bound to a name: straight-line code extends it; in a branch or loop its
        contents become unknown."""
        target = call.func.value if isinstance(call.func, ast.Attribute) else None
        if not isinstance(target, ast.Name):
            return UNKNOWN
        if self.branch_depth == 0 and method == "append" and len(args) == 1:
            env.set(target.id, ListObj(owner.items + (args[0],)))
        elif method == "append" and len(args) == 1 and not owner.items:  # a list filled in a loop: windows
            env.set(target.id, arrays.GrowingList(self.mint(f"len({target.id})", call, integer=True), args[0]))
        elif self.branch_depth == 0 and method == "extend" and len(args) == 1 and \
                isinstance(args[0], (ListObj, tuple)):
            env.set(target.id, ListObj(owner.items + (args[0].items if isinstance(args[0], ListObj) else args[0])))
        elif method in ("append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse"):
            env.set(target.id, UNKNOWN)
        return UNKNOWN

    def parser_method(self, parser: ArgParserObj, method: str, args: tuple, kwargs: dict, call: ast.Call) -> Any:
        if method == "add_argument":
            names = [a for a in args if isinstance(a, str)]
            if not names:
                return UNKNOWN
            longs = [n for n in names if n.startswith("--")]
            dest = kwargs.get("dest")
            if not isinstance(dest, str):
                raw = longs[0] if longs else names[0]
                dest = raw.lstrip("-").replace("-", "_")
            default = kwargs.get("default", None if "default" not in kwargs else kwargs["default"])
            kind = call_keyword_name(call, "type")
            if isinstance(default, str) and kind in _CONVERTERS:
                try:
                    default = _CONVERTERS[kind](default)
                except ValueError:
                    default = UNKNOWN
            if "default" not in kwargs and kwargs.get("action") in ("store_true", "store_false"):
                default = kwargs["action"] == "store_false"
            parser.defaults[dest] = default if "default" in kwargs or "action" in kwargs else UNKNOWN
            return UNKNOWN
        if method in ("add_argument_group", "add_mutually_exclusive_group"):
            return parser
        if method == "set_defaults":
            parser.defaults.update(kwargs)
            return None
        if method in ("parse_args", "parse_known_args"):
            values = tuple((k, v) for k, v in parser.defaults.items() if is_literal(v))
            namespace = NamespaceObj(values, f"{self.ctx.key}:args@{call.lineno}")
            return (namespace, UNKNOWN) if method == "parse_known_args" else namespace
        return UNKNOWN


MAX_CONFIG_BYTES = 1_000_000


def from_json(data: Any, depth: int = 0) -> Any:
    """JSON data as the evaluator's values: objects → DictObj, arrays → ListObj, scalars as they are."""
    if depth > 40:
        return UNKNOWN
    if isinstance(data, dict):
        return DictObj({k: from_json(v, depth + 1) for k, v in data.items()})
    if isinstance(data, list):
        return ListObj(tuple(from_json(v, depth + 1) for v in data))
    if data is None or isinstance(data, (bool, int, float, str)):
        return data
    return UNKNOWN


def call_keyword_name(call: ast.Call, keyword: str) -> str | None:
    """The name written as a keyword's value (`type=int` → 'int')."""
    for kw in call.keywords:
        if kw.arg == keyword and isinstance(kw.value, ast.Name):
            return kw.value.id
    return None


def dict_method(owner: DictObj, method: str, args: tuple, in_branch: bool) -> Any:
    if "<unknown>" in owner.items and method in ("get", "keys", "values", "items", "copy"):
        return UNKNOWN  # written to with a key the analyzer does not know
    if method == "get" and args and is_literal(args[0]) and not isinstance(args[0], tuple):
        if args[0] in owner.items:
            return owner.items[args[0]]
        return args[1] if len(args) > 1 else None
    if method == "keys":
        return tuple(owner.items)
    if method == "values":
        return tuple(owner.items.values())
    if method == "items":
        return tuple(owner.items.items())
    if method == "copy":
        return DictObj(dict(owner.items))
    if method in ("update", "setdefault", "pop", "clear", "popitem"):
        if method == "update" and args and isinstance(args[0], DictObj) and not in_branch:
            owner.items.update(args[0].items)
        else:
            owner.items.clear()
            owner.items["<unknown>"] = UNKNOWN
    return UNKNOWN


__all__ = ["LibraryCalls", "dict_method"]
