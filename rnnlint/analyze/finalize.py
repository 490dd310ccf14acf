"""Turn a model builder (mutable, during evaluation) into the frozen `ir.Model`."""
from __future__ import annotations

from rnnlint.analyze.values import Graph, LayerObj, ModelBuilder
from rnnlint.declare import INPUT_KINDS, input_declaration, sequential_input
from rnnlint.ir import ArrayShape, Model, Node, TensorRef


def finalize_model(builder: ModelBuilder, model_id: int, graph: Graph) -> Model | None:
    """The IR of one model, or None when nothing of it could be followed."""
    if builder.api == "sequential":
        return _sequential(builder, model_id)
    return _functional(builder, model_id, graph)


def _sequential(builder: ModelBuilder, model_id: int) -> Model | None:
    nodes: list[Node] = []
    for i, (item, added_by) in enumerate(builder.layers):
        layer = item.layer if isinstance(item, LayerObj) else item
        inputs: tuple[TensorRef, ...] = () if i == 0 else (TensorRef(i - 1),)
        nodes.append(Node(i, layer, inputs, added_by=added_by))
    declared = sequential_input(nodes)
    data_input = None
    if declared is None:  # Keras builds such a model from the first batch it sees
        first = next((c.x for c in builder.train_calls if isinstance(c.x, ArrayShape)), None)
        data_input = tuple(first.dims[1:]) if first is not None and first.rank >= 2 else None
    return Model(
        id=model_id, name=builder.name, api="sequential", nodes=tuple(nodes),
        outputs=(TensorRef(len(nodes) - 1),) if nodes else (), declared_input=declared,
        span=builder.span, complete=builder.complete, compile=builder.compile,
        train_calls=tuple(builder.train_calls), extra_calls=tuple(builder.extra_calls), nested=builder.nested,
        data_input=data_input,
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
    first_use: dict[int, int] = {}
    for old in order:
        g = graph.nodes[old]
        if not g.layer.known and g.layer.kind == "<unknown>":
            complete = False
        instance = first_use.setdefault(g.layer_identity, renumber[old]) if g.layer_identity else None
        nodes.append(Node(
            renumber[old], g.layer, tuple(TensorRef(renumber[r.node], r.index) for r in g.inputs),
            applied_at=g.applied_at, call_arguments=g.call_arguments,
            shared=applications.get(g.layer_identity, 0) > 1 if g.layer_identity else False,
            instance=instance if instance != renumber[old] else None,
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
        nested=builder.nested,
    )
