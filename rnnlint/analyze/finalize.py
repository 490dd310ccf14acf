"""Turn a model builder (mutable, during evaluation) into the frozen `ir.Model`."""
from __future__ import annotations

from rnnlint.analyze.values import Graph, LayerObj, ModelBuilder
from rnnlint.declare import INPUT_KINDS, input_declaration, sequential_input
from rnnlint.ir import ArrayShape, DatasetShape, Model, Node, TensorRef


def _once(calls: list) -> tuple:
    """Calls in order, each place once (a function run several times records its calls again)."""
    seen: set = set()
    out = []
    for call in calls:
        if call.span not in seen:
            seen.add(call.span)
            out.append(call)
    return tuple(out)


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
        first = next((c.x if isinstance(c.x, ArrayShape) else c.x.x for c in builder.train_calls
                      if isinstance(c.x, ArrayShape) or isinstance(c.x, DatasetShape) and isinstance(c.x.x, ArrayShape)),
                     None)  # in run order; a dataset's first batch
        data_input = tuple(first.dims[1:]) if first is not None and first.rank >= 2 else None
    return Model(
        id=model_id, name=builder.name, api="sequential", nodes=tuple(nodes),
        outputs=(TensorRef(len(nodes) - 1),) if nodes else (), declared_input=declared,
        span=builder.span, complete=builder.complete, compile=builder.compile,
        train_calls=_once(builder.train_calls), extra_calls=_once(builder.extra_calls), nested=builder.nested,
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
        train_calls=_once(builder.train_calls), input_nodes=input_nodes, extra_calls=_once(builder.extra_calls),
        nested=builder.nested,
    )


def dangling_graphs(graph: Graph, builders: list[ModelBuilder], recurrent: frozenset[str]) -> list[ModelBuilder]:
    """Layer applications no `Model(...)` closes: a chain of tensors from an `Input` (or from an array, called
    eagerly) that the code only prints or inspects. Keras computes their shapes at each call, and a build error
    raises there, so each connected piece holding a recurrent layer is checked as a functional model of its own."""
    covered: set[int] = set()
    stack = [r.node for b in builders if b.api != "sequential" for r in b.graph_outputs]
    while stack:
        n = stack.pop()
        if n in covered:
            continue
        covered.add(n)
        stack.extend(r.node for r in graph.nodes[n].inputs + graph.nodes[n].extra_refs)
    rest = [i for i in range(len(graph.nodes)) if i not in covered]
    parent = {i: i for i in rest}

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    consumed: set[int] = set()
    for i in rest:
        for ref in graph.nodes[i].inputs:
            if ref.node in parent:
                parent[find(ref.node)] = find(i)
                consumed.add(ref.node)
    groups: dict[int, list[int]] = {}
    for i in rest:
        groups.setdefault(find(i), []).append(i)
    out = []
    for members in groups.values():
        layers = [graph.nodes[i].layer for i in members]
        if not any(k.known and (k.kind in recurrent or (k.inner is not None and k.inner.kind in recurrent))
                   for k in layers) or len(members) < 2:
            continue
        first = graph.nodes[members[0]]
        builder = ModelBuilder(uid=len(builders) + len(out), api="functional", span=first.layer.span)
        builder.graph_inputs = tuple(TensorRef(i) for i in members if graph.nodes[i].layer.kind == "Input")
        builder.graph_outputs = tuple(TensorRef(i) for i in members if i not in consumed)
        out.append(builder)
    return out
