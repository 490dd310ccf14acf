"""Library calls that are not Keras layers or models: NumPy and TensorFlow data (`arrays`), argparse, and the
methods of the Python containers the evaluator tracks (lists, config dicts).

`argparse` values are known values: `parser.add_argument("--units", type=int, default=64)` then
`args = parser.parse_args()` makes `args.units` 64 (the default a script runs with); an argument without a
default is a symbol named `args.<dest>`.
"""
from __future__ import annotations

import ast
import json
import os
from typing import Any

from rnnlint.analyze import arrays
from rnnlint.analyze.interpret import Env, is_literal
from rnnlint.analyze.names import keras_name, numpy_name, tf_name
from rnnlint.analyze.project import roots as project_roots
from rnnlint.analyze.values import ArgParserObj, ArrayObj, CallableRef, DictObj, FileObj, ListObj, NamespaceObj
from rnnlint.ir import UNKNOWN


class _RNG:
    """numpy.random.default_rng(...) / RandomState(...): a generator whose methods make arrays."""


class _UnknownArray:
    """The receiver of `.reshape(...)` when its own shape is unknown (the shape is given by the call)."""


_CONVERTERS = {"int": int, "float": float}


class LibraryCalls:
    """The data and library half of the evaluator; mixed with `Interpreter` and `KerasCalls`."""

    unknown_array = _UnknownArray()

    def is_library_object(self, value: Any) -> bool:
        return isinstance(value, _RNG)

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

    def keras_utility(self, kname: str, args: tuple, kwargs: dict) -> Any:
        """Keras functions that make data (`keras.utils.to_categorical`)."""
        if kname == "utils.to_categorical":
            return arrays.to_categorical(args, kwargs)
        return UNKNOWN

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
        if isinstance(owner, DictObj):
            return dict_method(owner, method, args, self.branch_depth > 0)
        if isinstance(owner, ArgParserObj):
            return self.parser_method(owner, method, args, kwargs, call)
        return UNKNOWN

    def list_method(self, owner: ListObj, method: str, args: tuple, call: ast.Call, env: Env) -> Any:
        """`xs.append(v)` on a list bound to a name: straight-line code extends it; in a branch or loop its
        contents become unknown."""
        target = call.func.value if isinstance(call.func, ast.Attribute) else None
        if not isinstance(target, ast.Name):
            return UNKNOWN
        if self.branch_depth == 0 and method == "append" and len(args) == 1:
            env.set(target.id, ListObj(owner.items + (args[0],)))
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
