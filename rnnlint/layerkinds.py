"""Layer kinds and the predicates every stage shares: which layers are recurrent, which keep their input's rank,
which declare a model's input, and how to walk a model's graph back from a layer to the one that made its input.

Pure functions over the IR (`ir.Layer`, `ir.Model`); the shape propagation, the rules and the checker all read
these, so a layer kind is classified in one place.
"""
from __future__ import annotations

import dataclasses
from typing import Iterator

from rnnlint.ir import Argument, Layer, Model, Node, TensorRef, Unknown

RECURRENT_KINDS = ("LSTM", "GRU", "SimpleRNN", "RNN", "CuDNNLSTM", "CuDNNGRU")
CONV_RECURRENT_KINDS = ("ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D")
RECURRENT = frozenset(RECURRENT_KINDS + CONV_RECURRENT_KINDS)
# Every name that makes a recurrent layer: the layers, their cells (`RNN(LSTMCell(...))`) and stacked cells.
RECURRENT_NAMES = RECURRENT | frozenset({"LSTMCell", "GRUCell", "SimpleRNNCell", "StackedRNNCells"})
INPUT_KINDS = ("Input", "InputLayer")
# Layers whose output has the rank of their input: an error further down may still be the recurrent layer's.
RANK_PRESERVING = (
    "Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout", "AlphaDropout", "ActivityRegularization",
    "Activation", "LayerNormalization", "BatchNormalization", "Masking", "Dense", "ReLU", "LeakyReLU", "PReLU",
    "ELU", "Softmax", "UnitNormalization",
)

# Keyword arguments that never change a shape: when unresolved the checker leaves them out (Keras's default is
# used), and two layers that differ only in them behave the same for every shape check.
SHAPE_NEUTRAL_ARGS: frozenset[str] = frozenset({
    "activation", "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
    "bias_initializer", "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer",
    "bias_regularizer", "activity_regularizer", "kernel_constraint", "recurrent_constraint",
    "bias_constraint", "dropout", "recurrent_dropout", "rate", "seed", "name", "trainable",
    "implementation", "unroll", "stddev", "epsilon", "momentum", "center", "scale",
    "embeddings_initializer", "embeddings_regularizer", "embeddings_constraint", "beta_initializer",
    "gamma_initializer", "moving_mean_initializer", "moving_variance_initializer", "negative_slope",
    "alpha", "l1", "l2",
})


def shape_signature(layer: Layer) -> tuple:
    """What decides a layer's shapes and the rules' verdicts: its class, its arguments but the shape-neutral
    ones, and the same of the layer it wraps. Two layers with equal signatures are interchangeable for rnnlint
    (an if/else that builds the same LSTM with another activation keeps it)."""
    arguments = tuple((a.keyword, repr(a.value)) for a in layer.arguments if a.keyword not in SHAPE_NEUTRAL_ARGS
                      and not (a.keyword is None and layer.inner is not None and a is layer.arguments[0]))
    inner = shape_signature(layer.inner) if layer.inner is not None else None
    backward = shape_signature(layer.backward) if layer.backward is not None else None
    kind = {"CuDNNLSTM": "LSTM", "CuDNNGRU": "GRU"}.get(layer.kind, layer.kind)  # Keras 2's cuDNN twins
    return kind, layer.known, arguments, inner, backward


_STATES = {"LSTM": 2, "CuDNNLSTM": 2, "ConvLSTM1D": 2, "ConvLSTM2D": 2, "ConvLSTM3D": 2, "GRU": 1, "CuDNNGRU": 1,
           "SimpleRNN": 1, "LSTMCell": 2, "GRUCell": 1, "SimpleRNNCell": 1}


def output_count(layer: Layer) -> int | None:
    """How many tensors calling a recurrent layer returns (1 + its states with return_state=True; a Bidirectional
    doubles the states); None when not known."""
    core = layer.inner if layer.kind == "Bidirectional" else layer
    if core is None or not layer.known:
        return None
    flag = core.arg("return_state", default=False)
    if not isinstance(flag, bool):
        return None
    kind = core.inner.kind if core.kind == "RNN" and core.inner is not None else core.kind
    if kind not in _STATES:
        return None
    if not flag:
        return 1 if layer.kind != "Bidirectional" or layer.arg("merge_mode", 1, "concat") is not None else 2
    mains = 2 if layer.kind == "Bidirectional" and layer.arg("merge_mode", 1, "concat") is None else 1
    return mains + _STATES[kind] * (2 if layer.kind == "Bidirectional" else 1)


def recurrent_core(layer: Layer) -> Layer | None:
    """The recurrent layer itself: the layer, or the one a Bidirectional wraps; None when it is not recurrent (nor
    a layer rnnlint could not resolve to Keras). The one test of "is this recurrent" every stage uses."""
    if not layer.known:
        return None
    if layer.kind in RECURRENT:
        return layer
    inner = layer.inner
    if layer.kind == "Bidirectional" and inner is not None and inner.known and inner.kind in RECURRENT:
        return inner
    return None


def sequence_flag(layer: Layer) -> bool | Unknown:
    """return_sequences of a recurrent layer (of the inner one for Bidirectional); False for any other layer;
    Unknown when not a literal, or when `*args`/`**kwargs` may hold it."""
    core = recurrent_core(layer)
    if core is None:
        return False
    if core.has_star_args and core.argument("return_sequences") is None:
        return Unknown()
    value = core.arg("return_sequences", default=False)
    return value if isinstance(value, bool) else Unknown()


def with_sequences(layer: Layer, flag: bool) -> Layer:
    """`layer` as if written with return_sequences=`flag` (on the layer a Bidirectional wraps): the shape the
    fix for a missing (or extra) return_sequences gives."""
    core = recurrent_core(layer)
    if core is None:
        return layer
    arguments = tuple(a for a in core.arguments if a.keyword != "return_sequences")
    span = core.call.span
    patched = dataclasses.replace(core, arguments=arguments + (
        Argument("return_sequences", flag, span, span, str(flag)),))
    if core is layer:
        return patched
    return dataclasses.replace(layer, inner=patched)


def input_ref(node: Node, index: int) -> TensorRef | None:
    return node.inputs[index] if index < len(node.inputs) else None


def producer(model: Model, node: Node, index: int = 0) -> Node | None:
    """The node whose output arrives at input `index` of `node` (None = the model input)."""
    ref = input_ref(node, index)
    if ref is None:
        return None
    return model.nodes[ref.node]


def walk_back(model: Model, node: Node, index: int = 0) -> Iterator[Node | None]:
    """Nodes upstream of `node` through rank-preserving layers; yields None for the model input."""
    current = producer(model, node, index)
    seen = 0
    while seen < len(model.nodes) + 1:
        seen += 1
        yield current
        if current is None or current.layer.kind not in RANK_PRESERVING:
            return
        current = producer(model, current, 0)


# Layers that combine their inputs element-wise or along the features: a rank error after one is the rank of
# every branch that feeds it.
MERGE_KINDS = ("Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum")


def sequence_culprits(model: Model, consumer: Node, index: int, want_sequences: bool,
                      layers: dict[int, Layer] | None = None) -> list[Node]:
    """The recurrent nodes upstream of input `index` of `consumer` whose return_sequences is the wrong way round:
    False when the consumer needs a sequence (`want_sequences`), True when it needs a vector. The walk goes back
    through rank-preserving layers and into every branch of a merge layer (one culprit per branch); a branch
    whose recurrent layer has an unresolved return_sequences gives none. `layers` overrides some nodes' layers
    (the propagation's repairs)."""
    found: list[Node] = []
    seen: set[int] = set()
    stack: list[TensorRef | None] = [input_ref(consumer, index)]
    while stack:
        ref = stack.pop()
        if ref is None or ref.node in seen or not 0 <= ref.node < len(model.nodes):
            continue
        seen.add(ref.node)
        node = model.nodes[ref.node]
        layer = (layers or {}).get(node.id, node.layer)
        if recurrent_core(layer) is not None:
            flag = sequence_flag(layer)
            if not isinstance(flag, Unknown) and flag is not want_sequences and ref.index in (None, 0):
                found.append(node)
        elif layer.known and layer.kind in RANK_PRESERVING:
            stack.append(input_ref(node, 0))
        elif layer.known and layer.kind in MERGE_KINDS:
            stack.extend(node.inputs)
    return sorted(found, key=lambda n: n.id)


__all__ = ["CONV_RECURRENT_KINDS", "INPUT_KINDS", "MERGE_KINDS", "RANK_PRESERVING", "RECURRENT", "RECURRENT_KINDS",
           "RECURRENT_NAMES", "SHAPE_NEUTRAL_ARGS", "input_ref", "output_count", "producer", "recurrent_core",
           "sequence_culprits", "sequence_flag", "shape_signature", "walk_back", "with_sequences"]
