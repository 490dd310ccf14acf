"""Build a Keras model from a spec (runs in the worker; `keras` is passed in, never imported here)."""
from __future__ import annotations

from typing import Any

from rnnlint.confirm.allowlist import ALLOWED_LAYERS

POSITIONAL_CALL = frozenset({"MultiHeadAttention"})  # called as layer(query, value), not layer([q, v])


class SpecError(Exception):
    """The spec asks for something the worker refuses to build."""


def build_model(keras: Any, spec: dict, *, drop: tuple[int, str] | None = None) -> Any:
    """The Keras model of `spec`; `drop` = (node id, keyword) leaves that argument out."""
    if spec["api"] == "sequential":
        return _sequential(keras, spec, drop)
    if spec["api"] == "functional":
        return _functional(keras, spec, drop)
    raise SpecError(f"unsupported api {spec['api']!r}")


def construct_layer(keras: Any, layer: dict, *, without: str | None = None) -> Any:
    """One layer object from the allow-list, with literal arguments only; `without` names a keyword argument
    to leave out (of this layer, else of the layer it wraps)."""
    name = layer["class"]
    if name not in ALLOWED_LAYERS:
        raise SpecError(f"{name!r} is not on the allow-list")
    args = [_literal(a) for a in layer["args"]]
    kwargs = {}
    for key, value in layer["kwargs"].items():
        if not (isinstance(key, str) and key.isidentifier()):
            raise SpecError("argument names must be identifiers")
        if key != without:
            kwargs[key] = _literal(value)
    if layer.get("inner") is not None:
        args.insert(0, construct_layer(keras, layer["inner"], without=inner_without(layer, without)))
    if layer.get("backward") is not None:
        kwargs["backward_layer"] = construct_layer(keras, layer["backward"])
    factory = keras.Input if name == "Input" else getattr(keras.layers, name)
    return factory(*args, **kwargs)


def inner_without(layer: dict, without: str | None) -> str | None:
    """The keyword to leave out of the layer `layer` wraps: `without`, when the wrapper itself lacks it."""
    return without if without is not None and without not in layer["kwargs"] else None


def holds_argument(layer: dict, name: str) -> bool:
    """Whether the keyword argument `name` is given to `layer` or to the layer it wraps."""
    return name in layer["kwargs"] or (layer.get("inner") is not None and holds_argument(layer["inner"], name))


def _sequential(keras: Any, spec: dict, drop: tuple[int, str] | None) -> Any:
    items = []
    declared = spec.get("input")
    if declared is not None:
        items.append(keras.Input(shape=_literal(declared["shape"]), batch_size=declared.get("batch_size")))
    for node in spec["nodes"]:
        without = drop[1] if drop and drop[0] == node["id"] else None
        items.append(construct_layer(keras, node["layer"], without=without))
    return keras.Sequential(items)


def _functional(keras: Any, spec: dict, drop: tuple[int, str] | None) -> Any:
    tensors: dict[int, Any] = {}
    instances: dict[int, Any] = {}
    inputs: dict[int, Any] = {}

    def resolve(ref: list) -> Any:
        node_id, index = ref
        if node_id not in tensors:
            raise SpecError(f"node {node_id} is used before it is built")
        return tensors[node_id] if index is None else tensors[node_id][index]

    for node in spec["nodes"]:
        layer = node["layer"]
        without = drop[1] if drop and drop[0] == node["id"] else None
        if layer["class"] == "Input":
            tensors[node["id"]] = inputs[node["id"]] = construct_layer(keras, layer, without=without)
            continue
        obj = instances.get(node["instance"])
        if obj is None:
            obj = instances[node["instance"]] = construct_layer(keras, layer, without=without)
        if layer["class"] == "InputLayer":
            tensors[node["id"]] = inputs[node["id"]] = obj.output
            continue
        incoming = [resolve(ref) for ref in node["inputs"]]
        kwargs = {key: _call_value(value, resolve) for key, value in node["call_kwargs"].items()}
        if layer["class"] in POSITIONAL_CALL and len(incoming) > 1:
            tensors[node["id"]] = obj(*incoming, **kwargs)
        else:
            tensors[node["id"]] = obj(incoming[0] if len(incoming) == 1 else incoming, **kwargs)
    outputs = [resolve(ref) for ref in spec["outputs"]]
    order = [i for i in spec.get("input_order") or [] if i in inputs]
    ordered = [inputs[i] for i in order] + [t for i, t in inputs.items() if i not in order]
    return keras.Model(
        inputs=ordered[0] if len(ordered) == 1 else ordered,
        outputs=outputs[0] if len(outputs) == 1 else outputs,
    )


def _call_value(value: dict, resolve: Any) -> Any:
    if "ref" in value:
        return resolve(value["ref"])
    if "refs" in value:
        return [resolve(ref) for ref in value["refs"]]
    return _literal(value["literal"])


def _literal(value: Any) -> Any:
    """Plain JSON data back to Python literals (lists become tuples, as in the source)."""
    if isinstance(value, list):
        return tuple(_literal(v) for v in value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise SpecError("only literal values are accepted")


__all__ = ["build_model", "construct_layer", "holds_argument", "inner_without", "SpecError"]
