"""How a model declares its input: `Input`/`InputLayer` nodes, or `input_shape`/`input_dim`/`batch_input_shape` on
the first layer (or on the layer a wrapper holds). Pure functions over the IR, shared by the analyzer and rules."""
from __future__ import annotations

from typing import Any

from rnnlint.ir import UNKNOWN, DeclaredInput, Layer, Node, Unknown
from rnnlint.layerkinds import INPUT_KINDS


def input_declaration(node: Node) -> DeclaredInput:
    """The declaration made by an Input / InputLayer node."""
    layer = node.layer
    batch_shape = layer.arg("batch_shape", default=None)
    if batch_shape is None:
        batch_shape = layer.arg("batch_input_shape", default=None)
    if isinstance(batch_shape, tuple) and batch_shape:
        return DeclaredInput(_as_shape(batch_shape[1:]), _as_batch(batch_shape[0]), "batch_shape", layer.span,
                             node.id)
    if isinstance(batch_shape, Unknown):
        return DeclaredInput(UNKNOWN, UNKNOWN, "batch_shape", layer.span, node.id)
    shape = layer.arg("shape", 0 if layer.kind == "Input" else None, default=None)
    if shape is None:
        shape = layer.arg("input_shape", default=None)
    batch = _as_batch(layer.arg("batch_size", default=None))
    return DeclaredInput(_as_shape(shape), batch, layer.kind, layer.span, node.id)  # type: ignore[arg-type]


def _as_batch(value: Any) -> Any:
    """A static batch size: an int, None (not static), else Unknown."""
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return UNKNOWN


def _as_shape(value: Any) -> Any:
    """A declared shape as a tuple of dims (int or None); anything else (a bool, a string…) is Unknown."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (value,)
    if isinstance(value, tuple) and all(d is None or (isinstance(d, int) and not isinstance(d, bool)) or
                                        isinstance(d, Unknown) for d in value):
        return value
    return UNKNOWN


def layer_declaration(layer: Layer, node_id: int) -> DeclaredInput | None:
    """input_shape / input_dim / batch_input_shape declared on a (first) layer.

    Not on the layer a wrapper holds: Keras 2 and 3 both ignore `Bidirectional(LSTM(8, input_shape=…))` (the
    model stays unbuilt until it sees data; measured on Keras 3.15.1 and tf_keras 2.21). RNN009 reports it."""
    bis = layer.arg("batch_input_shape")
    if bis is not None:
        if isinstance(bis, tuple) and bis:
            return DeclaredInput(_as_shape(bis[1:]), _as_batch(bis[0]), "batch_input_shape", layer.span,
                                 node_id)
        return DeclaredInput(UNKNOWN, UNKNOWN, "batch_input_shape", layer.span, node_id)
    batch = _as_batch(layer.arg("batch_size"))
    shape = layer.arg("input_shape")
    if shape is not None:
        return DeclaredInput(_as_shape(shape), batch, "input_shape", layer.span, node_id)
    dim = layer.arg("input_dim")
    if dim is not None:
        length = layer.arg("input_length")
        if length is not None and layer.kind != "Embedding":
            shape = (length, dim)
        elif layer.kind == "Embedding":
            shape = (length,) if length is not None else (None,)
        else:
            shape = (dim,)
        if isinstance(dim, Unknown) or isinstance(length, Unknown):
            shape = UNKNOWN
        return DeclaredInput(shape, batch, "input_dim", layer.span, node_id)
    return None


def sequential_input(nodes: list[Node]) -> DeclaredInput | None:
    if not nodes:
        return None
    first = nodes[0]
    if first.layer.kind in INPUT_KINDS:
        return input_declaration(first)
    return layer_declaration(first.layer, first.id)
