"""Turn a finding's `Evidence` into a build spec: plain JSON data, literals only.

The spec is all the worker ever sees of the user's file: class names from the allow-list, literal
numbers, strings, booleans, None and lists of them, and node references. A value the analyzer could not
resolve, a custom layer or an incomplete model makes a `Refusal` instead: nothing is built.
"""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Iterable

from rnnlint.confirm.allowlist import (
    ALLOWED_LAYERS, INNER_ARGUMENT, INPUT_RANK, SHAPE_NEUTRAL_ARGS,
)
from rnnlint.findings import Evidence
from rnnlint.ir import Argument, Layer, Model, Node, TensorRef, Unknown

SPEC_FORMAT = 1
INPUT_KINDS = frozenset({"Input", "InputLayer"})
DECLARING_ARGS = ("input_shape", "input_dim", "batch_input_shape", "batch_shape")
DEFAULT_TIMESTEPS = 10
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Spec:
    """A buildable spec (`data` is plain JSON data) and what the report must add to the detail."""

    data: dict
    notes: tuple[str, ...] = ()

    def canonical_json(self) -> str:
        return canonical_json(self.data)


@dataclass(frozen=True)
class Refusal:
    """Why a finding cannot be built (it stays unconfirmed with this reason)."""

    reason: str


class _Unresolved(Exception):
    """Raised inside spec building when something cannot cross into the worker."""


def canonical_json(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False)


def build_spec(evidence: Evidence) -> Spec | Refusal:
    """The spec for `evidence`, or the reason it cannot be built."""
    if evidence.expect == "advice":
        return Refusal("advice, nothing to build")
    model = evidence.model
    if model is None:
        return Refusal("the rule gave no model to build")
    if model.api == "subclass":
        return Refusal("a subclassed model is not built: its code would have to run")
    if not model.complete:
        return Refusal("the model could not be followed completely (loops or unknown calls)")
    try:
        return _build(evidence, model)
    except _Unresolved as exc:
        return Refusal(str(exc))


def _build(evidence: Evidence, model: Model) -> Spec:
    notes: list[str] = []
    outputs = _outputs(evidence, model)
    wanted = _ancestors(model, outputs) if model.api == "functional" else _prefix(evidence, model)
    first_use: dict[tuple[int, int], int] = {}
    nodes = [_node(model.node(i), notes, first_use) for i in sorted(wanted)]
    spec_input = None
    if model.api == "sequential" and evidence.expect != "unbuilt" and not _declares_input(model, wanted):
        shape = evidence.synthetic_input or _synthetic_shape(model.node(min(wanted)).layer)
        spec_input = {"shape": _plain(tuple(shape), "synthetic input"), "batch_size": None}
        notes.append(f"built with a synthetic input shape {_show(shape)}: the model declares none")
    data = {
        "format": SPEC_FORMAT,
        "api": model.api,
        "nodes": nodes,
        "input": spec_input,
        "outputs": [[r.node, r.index] for r in outputs],
        "input_order": [i for i in model.input_nodes if i in wanted],
        "check": _check(evidence),
    }
    return Spec(data, tuple(notes))


def _outputs(evidence: Evidence, model: Model) -> tuple[TensorRef, ...]:
    if evidence.expect in ("raises", "gets_2d") and evidence.upto is not None:
        return (TensorRef(evidence.upto),)
    if model.outputs:
        return model.outputs
    if not model.nodes:
        raise _Unresolved("the model has no layers")
    return (TensorRef(model.nodes[-1].id),)


def _prefix(evidence: Evidence, model: Model) -> set[int]:
    """Sequential: every node, or those up to and including `upto` for a build error."""
    if not model.nodes:
        raise _Unresolved("the model has no layers")
    up_to = evidence.expect in ("raises", "gets_2d") and evidence.upto is not None
    last = evidence.upto if up_to else model.nodes[-1].id
    return {n.id for n in model.nodes if n.id <= last}


def _ancestors(model: Model, outputs: Iterable[TensorRef]) -> set[int]:
    """Functional: the nodes the outputs depend on (through inputs and call arguments)."""
    seen: set[int] = set()
    stack = [r.node for r in outputs]
    while stack:
        node_id = stack.pop()
        if node_id in seen:
            continue
        if not 0 <= node_id < len(model.nodes):
            raise _Unresolved(f"node {node_id} is not in the model")
        seen.add(node_id)
        node = model.node(node_id)
        stack.extend(r.node for r in node.inputs)
        stack.extend(r.node for a in node.call_arguments for r in _refs(a.value))
    return seen


def _refs(value: Any) -> list[TensorRef]:
    if isinstance(value, TensorRef):
        return [value]
    if isinstance(value, tuple):
        return [r for v in value for r in _refs(v)]
    return []


def _declares_input(model: Model, wanted: set[int]) -> bool:
    if model.declared_input is not None:
        return True
    first = model.node(min(wanted)).layer
    return first.kind in INPUT_KINDS or any(first.has_arg(name) for name in DECLARING_ARGS)


def _synthetic_shape(first: Layer) -> tuple[int | None, ...]:
    kind = first.inner.kind if first.kind in ("TimeDistributed",) and first.inner else first.kind
    rank = INPUT_RANK.get(kind, 2)
    if first.kind == "TimeDistributed":
        rank += 1
    if rank == 1:
        return (DEFAULT_TIMESTEPS,) if kind == "Embedding" else (1,)
    return (DEFAULT_TIMESTEPS,) + (8,) * (rank - 2) + (1,)


def _node(node: Node, notes: list[str], first_use: dict[tuple[int, int], int]) -> dict:
    """One node; `instance` is the id of the first node applying the same layer object (shared layers)."""
    where = (node.layer.call.span.line, node.layer.call.span.column)
    instance = first_use.setdefault(where, node.id)
    return {
        "id": node.id,
        "layer": _layer(node.layer, notes),
        "inputs": [[r.node, r.index] for r in node.inputs],
        "call_kwargs": {_keyword(a): _call_value(a) for a in node.call_arguments},
        "instance": instance,
    }


def _layer(layer: Layer, notes: list[str]) -> dict:
    if not layer.known:
        raise _Unresolved(f"`{layer.kind}` is not a Keras layer (custom layers are not built)")
    if layer.kind not in ALLOWED_LAYERS:
        raise _Unresolved(f"`{layer.kind}` is not on the checker's allow-list of Keras layers")
    if layer.has_star_args:
        raise _Unresolved(f"`{layer.kind}(...)` takes *args/**kwargs that are not resolved")
    slot = INNER_ARGUMENT.get(layer.kind)
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    omitted: list[str] = []
    for position, a in enumerate(_ordered(layer.arguments)):
        if slot and layer.inner is not None and (a.keyword == slot or (a.keyword is None and position == 0)):
            continue  # the wrapped layer travels as `inner`
        if a.keyword == "backward_layer" and layer.backward is not None:
            continue
        if a.keyword in SHAPE_NEUTRAL_ARGS and isinstance(a.value, Unknown):
            omitted.append(a.keyword)
            continue
        what = (f"argument `{a.keyword}` of `{layer.kind}`" if a.keyword is not None
                else f"positional argument {position + 1} of `{layer.kind}`")
        if a.keyword is None:
            args.append(_plain(a.value, what))
        else:
            kwargs[_keyword(a)] = _plain(a.value, what)
    if omitted:
        notes.append(f"unresolved {', '.join(omitted)} of {layer.kind} left at Keras's default")
    if slot and layer.inner is None:
        raise _Unresolved(f"the layer wrapped by `{layer.kind}` is not resolved")
    return {
        "class": layer.kind,
        "args": args,
        "kwargs": kwargs,
        "inner": _layer(layer.inner, notes) if layer.inner is not None else None,
        "backward": _layer(layer.backward, notes) if layer.backward is not None else None,
    }


def _ordered(arguments: tuple[Argument, ...]) -> list[Argument]:
    """Positional arguments first (in order), then keywords: the order a call may be replayed in."""
    return [a for a in arguments if a.keyword is None] + [a for a in arguments if a.keyword is not None]


def _keyword(argument: Argument) -> str:
    if argument.keyword is None or not _NAME.match(argument.keyword):
        raise _Unresolved("a call argument has no plain keyword")
    return argument.keyword


def _call_value(argument: Argument) -> Any:
    refs = _refs(argument.value)
    if isinstance(argument.value, TensorRef):
        return {"ref": [argument.value.node, argument.value.index]}
    if refs and isinstance(argument.value, tuple) and len(refs) == len(argument.value):
        return {"refs": [[r.node, r.index] for r in refs]}
    return {"literal": _plain(argument.value, f"call argument `{argument.keyword}`")}


def _plain(value: Any, what: str) -> Any:
    """`value` as plain JSON data, or _Unresolved when it is not a literal."""
    if isinstance(value, Unknown):
        why = f" ({value.reason})" if value.reason else ""
        raise _Unresolved(f"{what} is not a literal{why}")
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Unresolved(f"{what} is not a finite number")
        return value
    if isinstance(value, (tuple, list)):
        return [_plain(v, what) for v in value]
    raise _Unresolved(f"{what} is not a literal")


def _check(evidence: Evidence) -> dict:
    loss = evidence.loss
    if loss is not None and not (isinstance(loss, str) and _NAME.match(loss)):
        raise _Unresolved("the loss is not a plain loss name")
    data = evidence.data
    return {
        "expect": evidence.expect,
        "data": _plain(tuple(data.dims), "the data shape") if data is not None else None,
        "loss": loss,
        "node": evidence.node,
        "argument": evidence.argument,
        "batch_size": evidence.batch_size if isinstance(evidence.batch_size, int) else None,
        "target": _plain(tuple(evidence.target.dims), "the target shape") if evidence.target is not None else None,
    }


def _show(shape: Iterable[Any]) -> str:
    return str(tuple(shape))


__all__ = ["Spec", "Refusal", "build_spec", "canonical_json", "SPEC_FORMAT"]
