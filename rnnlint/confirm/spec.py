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
from rnnlint.findings import RANK_ERROR, Evidence
from rnnlint.ir import Argument, Layer, Model, Node, Sym, TensorRef, Unknown
from rnnlint.layerkinds import INPUT_KINDS
from rnnlint.symbolic import base_symbols, evaluate

SPEC_FORMAT = 1
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
        return Refusal("not checked with Keras: this is advice")
    if evidence.expect == "removed":
        return _lookup_spec(evidence)
    model = evidence.model
    if model is None:
        return Refusal("the rule gave no model to build")
    if not model.complete:
        return Refusal("the model could not be followed completely (loops or unknown calls)")
    if evidence.release:
        return Refusal(f"not built: {evidence.release}, and the checker has only the installed Keras")
    try:
        return _build(evidence, model)
    except _Unresolved as exc:
        return Refusal(str(exc))


def _lookup_spec(evidence: Evidence) -> Spec | Refusal:
    """A removed API to look up in the target Keras: plain strings (and one literal value) only."""
    lookup = list(evidence.lookup)
    if len(lookup) < 2 or not all(isinstance(part, str) for part in lookup[:2]):
        return Refusal("nothing to look up")
    try:
        lookup = [_plain(part, "the looked-up value") for part in lookup]
    except _Unresolved as exc:
        return Refusal(str(exc))
    return Spec({"format": SPEC_FORMAT, "api": None, "nodes": [], "input": None, "outputs": [],
                 "input_order": [], "check": {"expect": "removed", "lookup": lookup}})


def _build(evidence: Evidence, model: Model) -> Spec:
    notes: list[str] = []
    outputs = _outputs(evidence, model)
    graph = model.api in ("functional", "subclass")  # a subclass's call() graph is built as a functional model
    if model.api == "subclass":
        notes.append("built the layer graph rnnlint recovered from the class's call() as a functional model "
                     "(the class itself is never run)")
    wanted = _ancestors(model, outputs) if graph else _prefix(evidence, model)
    replaced: dict[int, dict] = {}
    if graph:
        wanted, replaced = _cut_opaque_functional(model, outputs, wanted, notes)
    else:
        wanted = _cut_opaque_sequential(model, wanted, notes)
    binding = _binding(evidence, model, wanted)
    if binding:
        names = ", ".join(f"{s.name}={binding[s.key]}" for s in base_symbols(_values(evidence, model, wanted)))
        notes.append(f"built with {names} (sizes the file does not fix)")
    nodes = [replaced[i] if i in replaced else _node(model, model.node(i), notes, binding) for i in sorted(wanted)]
    spec_input = None
    if model.api == "sequential" and evidence.expect != "unbuilt" and not _declares_input(model, wanted):
        shape = evidence.synthetic_input or _synthetic_shape(model.node(min(wanted)).layer)
        spec_input = {"shape": _plain(tuple(shape), "synthetic input", binding), "batch_size": None}
        notes.append(f"built with a synthetic input shape {_show(shape)}: the model declares none")
    check = _check(evidence, binding)
    train = check.get("train")
    if train is not None and not isinstance(train.get("samples"), int):
        per = train.get("dataset_batch") or train.get("batch_size") or 32
        train["samples"] = 2 * per
        notes.append(f"run on {2 * per} samples: the file's sample count is not known")
    if evidence.match:
        check["match"] = evidence.match
    elif (binding or replaced or model.api == "sequential" and min(wanted) > 0) and evidence.expect == "raises":
        check["match"] = RANK_ERROR  # sizes or inputs chosen here: only a rank error proves a rank finding
    data = {
        "format": SPEC_FORMAT,
        "api": "functional" if graph else model.api,
        "nodes": nodes,
        "input": spec_input,
        "outputs": [[r.node, r.index] for r in outputs],
        "input_order": [i for i in model.input_nodes if i in wanted] + sorted(replaced),
        "check": check,
    }
    return Spec(data, tuple(notes))


SYMBOL_BASE = 16  # the first value a symbol is bound to (then 17, 18…: distinct, and larger than most kernels)


def _buildable(layer: Layer) -> bool:
    return layer.known and layer.kind in ALLOWED_LAYERS and not layer.has_star_args and (
        layer.inner is None or _buildable(layer.inner))


def _why_not(layer: Layer) -> str:
    """Why the checker does not build `layer` (the same words `_layer` refuses with)."""
    if not layer.known:
        return f"`{layer.kind}` is not a Keras layer (custom layers are not built)"
    if layer.kind not in ALLOWED_LAYERS:
        return f"`{layer.kind}` is not on the checker's allow-list of Keras layers"
    if layer.has_star_args:
        return f"`{layer.kind}(...)` takes *args/**kwargs that are not resolved"
    return _why_not(layer.inner) if layer.inner is not None else f"`{layer.kind}` cannot be built"


def _cut_opaque_sequential(model: Model, wanted: set[int], notes: list[str]) -> set[int]:
    """A Sequential prefix with an opaque layer (a custom or third-party one) is built from the layer after the
    last one, on a synthetic input."""
    opaque = [i for i in sorted(wanted) if not _buildable(model.node(i).layer)]
    if not opaque:
        return wanted
    start = opaque[-1] + 1
    kept = {i for i in wanted if i >= start}
    if not kept:
        raise _Unresolved(_why_not(model.node(opaque[-1]).layer))
    notes.append(f"built from {model.node(start).layer.kind} on: `{model.node(opaque[-1]).layer.kind}` before it "
                 f"is not built (a custom or third-party layer)")
    return kept


def _cut_opaque_functional(model: Model, outputs: tuple[TensorRef, ...], wanted: set[int], notes: list[str]
                           ) -> tuple[set[int], dict[int, dict]]:
    """Each opaque node the outputs depend on becomes a synthetic Input of the rank its consumer needs; what
    only fed the opaque node is dropped."""
    opaque = {i for i in wanted if not _buildable(model.node(i).layer) and model.node(i).layer.kind not in INPUT_KINDS}
    if not opaque:
        return wanted, {}
    replaced: dict[int, dict] = {}
    for i in sorted(opaque):
        consumers = [n for n in model.nodes if n.id in wanted and any(r.node == i for r in n.inputs)]
        if not consumers or any(r.node == i and r.index is not None for n in consumers for r in n.inputs):
            raise _Unresolved(_why_not(model.node(i).layer))
        shape = _synthetic_shape(consumers[0].layer)
        kwargs: dict[str, Any] = {"shape": list(shape)}
        if consumers[0].layer.kind == "Embedding":
            kwargs["dtype"] = "int32"
        replaced[i] = {"id": i, "layer": {"class": "Input", "args": [], "kwargs": kwargs, "inner": None,
                                          "backward": None},
                       "inputs": [], "call_kwargs": {}, "instance": i}
        if model.node(i).layer.kind == "<subclass-input>":
            notes.append(f"a synthetic input of shape {_show(shape)} stands for the input of call()")
        else:
            notes.append(f"`{model.node(i).layer.kind}` (line {model.node(i).layer.span.line}) is not built: a "
                         f"synthetic input of shape {_show(shape)} stands for its output")
    seen: set[int] = set()
    stack = [r.node for r in outputs]
    while stack:
        node_id = stack.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        if node_id in replaced:
            continue
        node = model.node(node_id)
        stack.extend(r.node for r in node.inputs)
        stack.extend(r.node for a in node.call_arguments for r in _refs(a.value))
    return seen, {i: v for i, v in replaced.items() if i in seen}


def _values(evidence: Evidence, model: Model, wanted: set[int]) -> list[Any]:
    """Every value of the spec that may hold a symbol."""
    values: list[Any] = []

    def layer_values(layer: Layer) -> None:
        values.extend(a.value for a in layer.arguments)
        for wrapped in (layer.inner, layer.backward):
            if wrapped is not None:
                layer_values(wrapped)

    for i in sorted(wanted):
        layer_values(model.node(i).layer)
        values.extend(a.value for a in model.node(i).call_arguments)
    for shape in (evidence.data, evidence.target):
        if shape is not None:
            values.append(tuple(shape.dims))
    if evidence.synthetic_input is not None:
        values.append(tuple(evidence.synthetic_input))
    return values


def _binding(evidence: Evidence, model: Model, wanted: set[int]) -> dict[str, int]:
    """A small distinct value for each symbol the spec uses (a size the file does not fix), by key."""
    return {sym.key: SYMBOL_BASE + i for i, sym in enumerate(base_symbols(_values(evidence, model, wanted)))}


def _outputs(evidence: Evidence, model: Model) -> tuple[TensorRef, ...]:
    if evidence.expect in ("raises", "gets_2d", "gradient") and evidence.upto is not None:
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
    up_to = evidence.expect in ("raises", "gets_2d", "gradient") and evidence.upto is not None
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
    if model.declared_input is not None and (model.declared_input.node is None or model.declared_input.node in wanted):
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


def _node(model: Model, node: Node, notes: list[str], binding: dict[str, int]) -> dict:
    """One node; `instance` is the id of the first node applying the same layer object (shared layers): the
    analyzer's `Node.instance`, else the first node holding this very Layer object."""
    instance = node.instance
    if instance is None:
        instance = next(n.id for n in model.nodes if n.layer is node.layer)
    return {
        "id": node.id,
        "layer": _layer(node.layer, notes, binding),
        "inputs": [[r.node, r.index] for r in node.inputs],
        "call_kwargs": {_keyword(a): _call_value(a, binding) for a in node.call_arguments},
        "instance": instance,
    }


def _layer(layer: Layer, notes: list[str], binding: dict[str, int]) -> dict:
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
            args.append(_plain(a.value, what, binding))
        else:
            kwargs[_keyword(a)] = _plain(a.value, what, binding)
    if omitted:
        notes.append(f"unresolved {', '.join(omitted)} of {layer.kind} left at Keras's default")
    if slot and layer.inner is None:
        raise _Unresolved(f"the layer wrapped by `{layer.kind}` is not resolved")
    return {
        "class": layer.kind,
        "args": args,
        "kwargs": kwargs,
        "inner": _layer(layer.inner, notes, binding) if layer.inner is not None else None,
        "backward": _layer(layer.backward, notes, binding) if layer.backward is not None else None,
    }


def _ordered(arguments: tuple[Argument, ...]) -> list[Argument]:
    """Positional arguments first (in order), then keywords: the order a call may be replayed in."""
    return [a for a in arguments if a.keyword is None] + [a for a in arguments if a.keyword is not None]


def _keyword(argument: Argument) -> str:
    if argument.keyword is None or not _NAME.match(argument.keyword):
        raise _Unresolved("a call argument has no plain keyword")
    return argument.keyword


def _call_value(argument: Argument, binding: dict[str, int]) -> Any:
    refs = _refs(argument.value)
    if isinstance(argument.value, TensorRef):
        return {"ref": [argument.value.node, argument.value.index]}
    if refs and isinstance(argument.value, tuple) and len(refs) == len(argument.value):
        return {"refs": [[r.node, r.index] for r in refs]}
    return {"literal": _plain(argument.value, f"call argument `{argument.keyword}`", binding)}


def _plain(value: Any, what: str, binding: dict[str, int] | None = None) -> Any:
    """`value` as plain JSON data (a symbol as its bound value), or _Unresolved when it is not a literal."""
    if isinstance(value, Sym):
        bound = evaluate(value, binding or {})
        if not isinstance(bound, int) or isinstance(bound, bool) or bound <= 0:
            raise _Unresolved(f"{what} is the size {value.name}, which the checker cannot choose a value for")
        return bound
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
        return [_plain(v, what, binding) for v in value]
    raise _Unresolved(f"{what} is not a literal")


def _check(evidence: Evidence, binding: dict[str, int]) -> dict:
    loss = evidence.loss
    if loss is not None and not (isinstance(loss, str) and _NAME.match(loss)):
        raise _Unresolved("the loss is not a plain loss name")
    data = evidence.data
    return {
        "expect": evidence.expect,
        "data": _plain(tuple(data.dims), "the data shape", binding) if data is not None else None,
        "loss": loss,
        "node": evidence.node,
        "argument": evidence.argument,
        "batch_size": evidence.batch_size if isinstance(evidence.batch_size, int) else None,
        "target": _plain(tuple(evidence.target.dims), "the target shape", binding)
        if evidence.target is not None else None,
        **({"train": {key: _plain(value, f"the training call's {key}", binding) for key, value in evidence.train}}
           if evidence.train else {}),
    }


def _show(shape: Iterable[Any]) -> str:
    return str(tuple(shape))


__all__ = ["Spec", "Refusal", "build_spec", "canonical_json", "SPEC_FORMAT"]
