"""Turn a model builder (mutable, during evaluation) into the frozen `ir.Model`."""
from __future__ import annotations

from typing import Any

from rnnlint.analyze.values import Graph, LayerObj, ModelBuilder
from rnnlint.ir import UNKNOWN, DeclaredInput, Layer, Model, Node, TensorRef, Unknown

INPUT_KINDS = ("Input", "InputLayer")


def finalize_model(builder: ModelBuilder, model_id: int, graph: Graph) -> Model | None:
    """The IR of one model, or None when nothing of it could be followed."""
    if builder.api == "sequential":
        return _sequential(builder, model_id)
    return _functional(builder, model_id, graph)


def _sequential(builder: ModelBuilder, model_id: int) -> Model | None:
    nodes: list[Node] = []
    for i, item in enumerate(builder.layers):
        layer = item.layer if isinstance(item, LayerObj) else item
        if i == 0:
            inputs: tuple[TensorRef, ...] = ()
        else:
            inputs = (TensorRef(i - 1),)
        nodes.append(Node(i, layer, inputs))
    return Model(
        id=model_id, name=builder.name, api="sequential", nodes=tuple(nodes),
        outputs=(TensorRef(len(nodes) - 1),) if nodes else (), declared_input=sequential_input(nodes),
        span=builder.span, complete=builder.complete, compile=builder.compile,
        train_calls=tuple(builder.train_calls), extra_calls=tuple(builder.extra_calls),
    )


def _functional(builder: ModelBuilder, model_id: int, graph: Graph) -> Model | None:
    if not builder.graph_outputs:
        return None
    reachable: set[int] = set()
    stack = [r.node for r in builder.graph_outputs]
    while stack:
        n = stack.pop()
        if n in reachable:
            continue
        reachable.add(n)
        stack.extend(r.node for r in graph.nodes[n].inputs + graph.nodes[n].extra_refs)
    order = sorted(reachable)
    renumber = {old: new for new, old in enumerate(order)}
    applications: dict[int, int] = {}
    for old in order:
        ident = graph.nodes[old].layer_identity
        if ident:
            applications[ident] = applications.get(ident, 0) + 1
    nodes = []
    complete = builder.complete
    for old in order:
        g = graph.nodes[old]
        if not g.layer.known and g.layer.kind == "<unknown>":
            complete = False
        nodes.append(Node(
            renumber[old], g.layer, tuple(TensorRef(renumber[r.node], r.index) for r in g.inputs),
            applied_at=g.applied_at, call_arguments=g.call_arguments,
            shared=applications.get(g.layer_identity, 0) > 1 if g.layer_identity else False,
        ))
    input_nodes = tuple(renumber[r.node] for r in builder.graph_inputs if r.node in renumber)
    declared = None
    firsts = [n for n in nodes if n.layer.kind in INPUT_KINDS]
    if firsts:
        declared = input_declaration(firsts[0])
    return Model(
        id=model_id, name=builder.name, api=builder.api, nodes=tuple(nodes),
        outputs=tuple(TensorRef(renumber[r.node], r.index) for r in builder.graph_outputs),
        declared_input=declared, span=builder.span, complete=complete, compile=builder.compile,
        train_calls=tuple(builder.train_calls), input_nodes=input_nodes, extra_calls=tuple(builder.extra_calls),
    )


def input_declaration(node: Node) -> DeclaredInput:
    """The declaration made by an Input / InputLayer node."""
    layer = node.layer
    batch_shape = layer.arg("batch_shape", default=None)
    if batch_shape is None:
        batch_shape = layer.arg("batch_input_shape", default=None)
    if isinstance(batch_shape, tuple) and batch_shape:
        return DeclaredInput(batch_shape[1:], batch_shape[0], "batch_shape", layer.span, node.id)
    if isinstance(batch_shape, Unknown):
        return DeclaredInput(UNKNOWN, UNKNOWN, "batch_shape", layer.span, node.id)
    shape = layer.arg("shape", 0 if layer.kind == "Input" else None, default=None)
    if shape is None:
        shape = layer.arg("input_shape", default=None)
    batch = layer.arg("batch_size", default=None)
    return DeclaredInput(_as_shape(shape), batch, layer.kind, layer.span, node.id)  # type: ignore[arg-type]


def _as_shape(value: Any) -> Any:
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    return value if value is not None else UNKNOWN


def layer_declaration(layer: Layer, node_id: int) -> DeclaredInput | None:
    """input_shape / input_dim / batch_input_shape declared on a (first) layer or its wrapped inner layer."""
    for candidate in (layer, layer.inner):
        if candidate is None:
            continue
        bis = candidate.arg("batch_input_shape")
        if bis is not None:
            if isinstance(bis, tuple) and bis:
                return DeclaredInput(bis[1:], bis[0], "batch_input_shape", candidate.span, node_id)
            return DeclaredInput(UNKNOWN, UNKNOWN, "batch_input_shape", candidate.span, node_id)
        batch = candidate.arg("batch_size")
        shape = candidate.arg("input_shape")
        if shape is not None:
            return DeclaredInput(_as_shape(shape), batch, "input_shape", candidate.span, node_id)
        dim = candidate.arg("input_dim")
        if dim is not None:
            length = candidate.arg("input_length")
            if length is not None and candidate.kind != "Embedding":
                shape = (length, dim)
            elif candidate.kind == "Embedding":
                shape = (length,) if length is not None else (None,)
            else:
                shape = (dim,)
            if isinstance(dim, Unknown) or isinstance(length, Unknown):
                shape = UNKNOWN
            return DeclaredInput(shape, batch, "input_dim", candidate.span, node_id)
    return None


def sequential_input(nodes: list[Node]) -> DeclaredInput | None:
    if not nodes:
        return None
    first = nodes[0]
    if first.layer.kind in INPUT_KINDS:
        return input_declaration(first)
    return layer_declaration(first.layer, first.id)
