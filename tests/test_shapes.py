"""Tests for rnnlint.shapes: table-driven layer rows, each checked against the real Keras, plus propagation."""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass, field
from typing import Any

import pytest

from rnnlint.ir import (
    UNKNOWN,
    Argument,
    CallSite,
    DeclaredInput,
    Layer,
    Model,
    Node,
    Pos,
    Span,
    TensorRef,
)
from rnnlint.layerkinds import recurrent_core, sequence_flag
from rnnlint.shapes import (
    RECURRENT,
    ModelShapes,
    MultiOutput,
    ShapeError,
    expected_input_ndim,
    format_shape,
    layer_output,
    min_input_ndim,
    propagate,
)

SPAN = Span(1, 1, 1, 2)
CALL = CallSite(SPAN, SPAN, "f", Pos(1, 2))


# --- building IR ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class L:
    """A layer spec that becomes both an IR Layer and a real Keras layer."""

    kind: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    inner: L | None = None  # Bidirectional/TimeDistributed layer or RNN cell (positional argument 0)
    backward: L | None = None
    known: bool = True

    def ir(self) -> Layer:
        arguments = []
        if self.inner is not None:
            arguments.append(Argument(None, UNKNOWN, SPAN, SPAN, "layer"))  # a layer is not a literal
        arguments += [Argument(None, v, SPAN, SPAN, repr(v)) for v in self.args]
        arguments += [Argument(k, v, SPAN, SPAN, repr(v)) for k, v in self.kwargs.items()]
        if self.backward is not None:
            arguments.append(Argument("backward_layer", UNKNOWN, SPAN, SPAN, "layer"))
        return Layer(self.kind, self.known, tuple(arguments), CALL,
                     self.inner.ir() if self.inner else None, self.backward.ir() if self.backward else None)

    def keras(self, layers: Any) -> Any:
        cls = getattr(layers, self.kind)
        args = ((self.inner.keras(layers),) if self.inner else ()) + self.args
        kwargs = dict(self.kwargs)
        if self.backward is not None:
            kwargs["backward_layer"] = self.backward.keras(layers)
        return cls(*args, **kwargs)


def lay(kind: str, *args: Any, inner: L | None = None, backward: L | None = None, **kwargs: Any) -> L:
    return L(kind, args, kwargs, inner, backward)


def node(i: int, spec: L | Layer, *refs: int | tuple[int, int], call: dict | None = None) -> Node:
    layer = spec.ir() if isinstance(spec, L) else spec
    inputs = tuple(TensorRef(r) if isinstance(r, int) else TensorRef(*r) for r in refs)
    call_args = tuple(Argument(k, v, SPAN, SPAN) for k, v in (call or {}).items())
    return Node(i, layer, inputs, call_arguments=call_args)


def model(api: str, nodes: list[Node], *, declared: tuple | None = None, batch: Any = None,
          outputs: tuple = (), input_nodes: tuple = ()) -> Model:
    decl = None if declared is None else DeclaredInput(declared, batch, "input_shape", SPAN, 0)
    return Model(0, "m", api, tuple(nodes), tuple(TensorRef(o) if isinstance(o, int) else TensorRef(*o)
                                                  for o in outputs), decl, SPAN, input_nodes=input_nodes)


# --- the table --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Err:
    """An expected ShapeError; `text` must occur in our message and (if `keras`) in Keras's."""

    text: str
    keras: bool = True
    ndim: int | None = None


B = None  # the batch dim


@dataclass(frozen=True)
class Row:
    id: str
    layer: L
    inputs: tuple  # full input shapes, batch included
    expected: Any  # a shape, a list of shapes (MultiOutput), an Err, or UNKNOWN
    call: dict = field(default_factory=dict)  # call keyword arguments (return_attention_scores…)
    k2: Any = "same"  # the expectation under tf-keras (Keras 2) when it differs
    only3: bool = False  # the layer or argument does not exist in tf-keras
    in_keras: bool = True  # False: no installed Keras has the class (Keras 2.2's CuDNNLSTM): not built to compare

    def expected_for(self, keras_major: int) -> Any:
        return self.k2 if keras_major == 2 and self.k2 != "same" else self.expected


LSTM4 = lay("LSTM", 4)
ROWS = [
    # recurrent layers
    Row("lstm-many-to-one", LSTM4, ((B, 10, 1),), (B, 4)),
    Row("lstm-units-kw", lay("LSTM", units=7), ((B, 10, 1),), (B, 7)),
    Row("lstm-many-to-many", lay("LSTM", 4, return_sequences=True), ((B, 10, 1),), (B, 10, 4)),
    Row("lstm-static-batch", lay("LSTM", 4, return_sequences=True), ((2, 10, 1),), (2, 10, 4)),
    Row("lstm-none-timesteps", LSTM4, ((B, None, 3),), (B, 4)),
    Row("lstm-2d-input", LSTM4, ((B, 10),), Err("expected ndim=3, found ndim=2", ndim=3)),
    Row("lstm-4d-input", LSTM4, ((B, 10, 1, 2),), Err("expected ndim=3, found ndim=4", ndim=3)),
    Row("lstm-undefined-features", LSTM4, ((B, 10, None),), Err("fully-defined")),
    Row("lstm-return-state", lay("LSTM", 4, return_state=True), ((B, 10, 1),), [(B, 4), (B, 4), (B, 4)]),
    Row("lstm-sequences-and-state", lay("LSTM", 4, return_sequences=True, return_state=True), ((3, 10, 1),),
        [(3, 10, 4), (3, 4), (3, 4)]),
    Row("lstm-go-backwards", lay("LSTM", 4, go_backwards=True), ((B, 10, 1),), (B, 4)),
    Row("gru-return-state", lay("GRU", 5, return_state=True), ((B, 10, 2),), [(B, 5), (B, 5)]),
    Row("gru-2d-input", lay("GRU", 5), ((B, 10),), Err("expected ndim=3, found ndim=2", ndim=3)),
    Row("simplernn-sequences", lay("SimpleRNN", 3, return_sequences=True), ((B, 8, 2),), (B, 8, 3)),
    Row("simplernn-state", lay("SimpleRNN", 3, return_state=True), ((B, 8, 2),), [(B, 3), (B, 3)]),
    Row("simplernn-2d-input", lay("SimpleRNN", 3), ((B, 8),), Err("expected ndim=3, found ndim=2", ndim=3)),
    Row("rnn-lstmcell-state", lay("RNN", inner=lay("LSTMCell", 4), return_state=True), ((B, 10, 1),),
        [(B, 4), (B, 4), (B, 4)]),
    Row("rnn-grucell-sequences", lay("RNN", inner=lay("GRUCell", 6), return_sequences=True), ((B, 10, 1),),
        (B, 10, 6)),
    Row("rnn-simplecell-state", lay("RNN", inner=lay("SimpleRNNCell", 4), return_sequences=True,
                                    return_state=True), ((B, 10, 2),), [(B, 10, 4), (B, 4)]),
    Row("rnn-cell-2d-input", lay("RNN", inner=lay("LSTMCell", 4)), ((B, 10),), Err("ndim=2", keras=False)),
    Row("rnn-cell-4d-unknown", lay("RNN", inner=lay("LSTMCell", 4)), ((B, 10, 2, 3),), UNKNOWN),
    # Bidirectional
    Row("bi-concat", lay("Bidirectional", inner=LSTM4), ((B, 10, 1),), (B, 8)),
    Row("bi-concat-sequences", lay("Bidirectional", inner=lay("GRU", 3, return_sequences=True)),
        ((B, 10, 1),), (B, 10, 6)),
    Row("bi-sum", lay("Bidirectional", inner=lay("LSTM", 3, return_sequences=True), merge_mode="sum"),
        ((B, 5, 16),), (B, 5, 3)),
    Row("bi-ave", lay("Bidirectional", inner=LSTM4, merge_mode="ave"), ((B, 5, 16),), (B, 4)),
    Row("bi-mul", lay("Bidirectional", inner=LSTM4, merge_mode="mul"), ((B, 5, 16),), (B, 4)),
    Row("bi-merge-none", lay("Bidirectional", inner=LSTM4, merge_mode=None), ((B, 10, 1),), [(B, 4), (B, 4)]),
    Row("bi-state", lay("Bidirectional", inner=lay("LSTM", 4, return_state=True)), ((B, 10, 1),),
        [(B, 8), (B, 4), (B, 4), (B, 4), (B, 4)]),
    Row("bi-state-merge-none", lay("Bidirectional", inner=lay("GRU", 4, return_state=True), merge_mode=None),
        ((B, 10, 1),), [(B, 4), (B, 4), (B, 4), (B, 4)]),
    Row("bi-sequences-state-ave", lay("Bidirectional", inner=lay("GRU", 3, return_sequences=True,
                                                                  return_state=True), merge_mode="ave"),
        ((B, 5, 16),), [(B, 5, 3), (B, 3), (B, 3)]),
    Row("bi-backward-layer", lay("Bidirectional", inner=lay("LSTM", 3, return_sequences=True),
                                 backward=lay("LSTM", 3, return_sequences=True, go_backwards=True)),
        ((B, 5, 16),), (B, 5, 6)),
    Row("bi-rnn-cell", lay("Bidirectional", inner=lay("RNN", inner=lay("GRUCell", 3))), ((B, 5, 16),), (B, 6)),
    Row("bi-2d-input", lay("Bidirectional", inner=LSTM4), ((B, 10),),
        Err("of layer 'bidirectional' is incompatible with the layer: expected ndim=3, found ndim=2", keras=False,
            ndim=3), k2=Err('of layer "bidirectional" is incompatible', ndim=3)),
    Row("bi-convlstm1d", lay("Bidirectional", inner=lay("ConvLSTM1D", 3, 2)), ((B, 5, 8, 16),), (B, 7, 6)),
    # TimeDistributed
    Row("td-dense", lay("TimeDistributed", inner=lay("Dense", 3)), ((B, 5, 16),), (B, 5, 3)),
    Row("td-dense-static-batch", lay("TimeDistributed", inner=lay("Dense", 3)), ((4, 5, 16),), (4, 5, 3)),
    Row("td-conv1d", lay("TimeDistributed", inner=lay("Conv1D", 3, 2)), ((B, 5, 16, 8),), (B, 5, 15, 3)),
    Row("td-lstm", lay("TimeDistributed", inner=lay("LSTM", 3)), ((B, 5, 16, 8),), (B, 5, 3)),
    Row("td-bidirectional", lay("TimeDistributed", inner=lay("Bidirectional", inner=lay("LSTM", 3))),
        ((B, 4, 5, 16),), (B, 4, 6)),
    Row("td-td", lay("TimeDistributed", inner=lay("TimeDistributed", inner=lay("Dense", 2))),
        ((B, 4, 5, 16),), (B, 4, 5, 2)),
    Row("td-2d-input", lay("TimeDistributed", inner=lay("Dense", 3)), ((B, 16),),
        Err("`TimeDistributed` Layer should be passed an `input_shape` with at least 3 dimensions, "
            "received: (None, 16)"), k2=Err("with at least 3 dimensions, received: (None, 16)")),
    Row("td-lstm-3d-input", lay("TimeDistributed", inner=lay("LSTM", 3)), ((B, 4, 16),), Err("ndim", keras=False)),
    # ConvLSTM
    Row("convlstm1d-valid", lay("ConvLSTM1D", 4, 3), ((B, 5, 8, 3),), (B, 6, 4)),
    Row("convlstm1d-state", lay("ConvLSTM1D", 4, 3, return_sequences=True, return_state=True),
        ((B, 5, 8, 3),), [(B, 5, 6, 4), (B, 6, 4), (B, 6, 4)]),
    Row("convlstm1d-channels-first", lay("ConvLSTM1D", 4, 3, data_format="channels_first"), ((B, 5, 3, 8),),
        (B, 4, 6)),
    Row("convlstm1d-dilation-none-time", lay("ConvLSTM1D", 3, 3, dilation_rate=2), ((B, None, 9, 16),),
        (B, 5, 3)),
    Row("convlstm1d-stride", lay("ConvLSTM1D", 3, 3, strides=2), ((B, 5, 9, 16),), (B, 4, 3)),
    Row("convlstm1d-none-space", lay("ConvLSTM1D", 3, 3), ((B, 5, None, 16),),
        Err("only support static input shapes for the spatial dimension"), k2=(B, None, 3)),
    Row("convlstm1d-too-small", lay("ConvLSTM1D", 3, 3), ((B, 5, 2, 16),), Err("zero or negative")),
    Row("convlstm2d-valid", lay("ConvLSTM2D", 4, 3), ((B, 5, 8, 8, 3),), (B, 6, 6, 4)),
    Row("convlstm2d-tuple-kernel-same", lay("ConvLSTM2D", 4, (3, 1), padding="same", return_sequences=True),
        ((B, 5, 8, 7, 3),), (B, 5, 8, 7, 4)),
    Row("convlstm2d-4d-input", lay("ConvLSTM2D", 4, 3), ((B, 5, 8, 8),), Err("expected ndim=5, found ndim=4")),
    Row("convlstm3d-same-stride", lay("ConvLSTM3D", 4, 3, padding="same", strides=2), ((B, 5, 8, 8, 8, 3),),
        (B, 4, 4, 4, 4)),
    # Dense and shape-preserving layers
    Row("dense-2d", lay("Dense", 3), ((B, 8),), (B, 3)),
    Row("dense-3d", lay("Dense", 1), ((B, 10, 4),), (B, 10, 1)),
    Row("dense-4d", lay("Dense", units=3), ((B, 2, 3, 4),), (B, 2, 3, 3)),
    Row("dense-1d", lay("Dense", 3), ((B,),), Err("expected min_ndim=2, found ndim=1")),
    Row("dense-undefined-last", lay("Dense", 3), ((B, 10, None),), Err("fully-defined"),
        k2=Err("The last dimension of the inputs to a Dense layer should be defined")),
    Row("dropout", lay("Dropout", 0.2), ((B, 10, 4),), (B, 10, 4)),
    Row("spatial-dropout1d", lay("SpatialDropout1D", 0.2), ((B, 10, 4),), (B, 10, 4)),
    Row("spatial-dropout1d-2d", lay("SpatialDropout1D", 0.2), ((B, 10),), Err("expected ndim=3, found ndim=2")),
    Row("gaussian-noise", lay("GaussianNoise", 0.1), ((B, 10, 4),), (B, 10, 4)),
    Row("gaussian-dropout", lay("GaussianDropout", 0.1), ((B, 4),), (B, 4)),
    Row("alpha-dropout", lay("AlphaDropout", 0.1), ((B, 4),), (B, 4)),
    Row("activity-regularization", lay("ActivityRegularization"), ((B, 4),), (B, 4)),
    Row("activation", lay("Activation", "relu"), ((B, 7, 4),), (B, 7, 4)),
    Row("layer-normalization", lay("LayerNormalization"), ((B, 10, 8),), (B, 10, 8)),
    Row("batch-normalization", lay("BatchNormalization"), ((B, 10, 8),), (B, 10, 8)),
    Row("masking", lay("Masking", mask_value=0.0), ((B, 10, 8),), (B, 10, 8)),
    # Embedding
    Row("embedding-2d", lay("Embedding", 100, 8), ((B, 10),), (B, 10, 8)),
    Row("embedding-input-length-ignored", lay("Embedding", 100, 8, input_length=12), ((B, 10),), (B, 10, 8)),
    Row("embedding-3d", lay("Embedding", 100, 8), ((B, 10, 2),), (B, 10, 2, 8)),
    Row("embedding-1d", lay("Embedding", input_dim=10, output_dim=3), ((B,),), (B, 3)),
    Row("embedding-static-batch", lay("Embedding", 10, 3), ((4, 7),), (4, 7, 3)),
    # Conv1D and pooling
    Row("conv1d-valid", lay("Conv1D", 3, 2), ((B, 10, 4),), (B, 9, 3)),
    Row("conv1d-same-strides", lay("Conv1D", 3, 3, strides=2, padding="same"), ((B, 10, 4),), (B, 5, 3)),
    Row("conv1d-causal-dilation", lay("Conv1D", 3, 3, padding="causal", dilation_rate=2), ((B, 10, 1),),
        (B, 10, 3)),
    Row("conv1d-valid-dilation", lay("Conv1D", 3, 3, dilation_rate=2), ((B, 10, 1),), (B, 6, 3)),
    Row("conv1d-none-steps", lay("Conv1D", 3, 3), ((B, None, 1),), (B, None, 3)),
    Row("conv1d-channels-first", lay("Conv1D", 3, 3, data_format="channels_first"), ((B, 4, 10),), (B, 3, 8)),
    Row("conv1d-too-small", lay("Conv1D", 3, 5), ((B, 3, 1),), Err("Computed output size would be zero")),
    Row("conv1d-same-small", lay("Conv1D", 3, 5, padding="same"), ((B, 3, 1),), (B, 3, 3)),
    Row("conv1d-2d", lay("Conv1D", 3, 2), ((B, 10),), Err("expected min_ndim=3, found ndim=2")),
    Row("conv1d-4d", lay("Conv1D", 4, 2), ((B, 10, 2, 3),), Err("Kernel shape must have the same length"),
        k2=(B, 10, 1, 4)),
    Row("maxpool1d-default", lay("MaxPooling1D"), ((B, 10, 3),), (B, 5, 3)),
    Row("maxpool1d-odd", lay("MaxPooling1D"), ((B, 11, 3),), (B, 5, 3)),
    Row("maxpool1d-stride1", lay("MaxPooling1D", pool_size=3, strides=1), ((B, 10, 3),), (B, 8, 3)),
    Row("avgpool1d-same", lay("AveragePooling1D", pool_size=3, strides=2, padding="same"), ((B, 10, 3),),
        (B, 5, 3)),
    Row("maxpool1d-channels-first", lay("MaxPooling1D", data_format="channels_first"), ((B, 3, 10),),
        (B, 3, 5)),
    Row("maxpool1d-2d", lay("MaxPooling1D"), ((B, 10),), Err("expected ndim=3, found ndim=2")),
    Row("maxpool1d-too-small", lay("MaxPooling1D", 3), ((B, 1, 3),), Err("zero or negative")),
    Row("global-max-pool", lay("GlobalMaxPooling1D"), ((B, 10, 3),), (B, 3)),
    Row("global-avg-pool-keepdims", lay("GlobalAveragePooling1D", keepdims=True), ((B, 10, 3),), (B, 1, 3)),
    Row("global-avg-pool-channels-first", lay("GlobalAveragePooling1D", data_format="channels_first"),
        ((B, 10, 3),), (B, 10)),
    Row("global-max-pool-2d", lay("GlobalMaxPooling1D"), ((B, 10),), Err("expected ndim=3, found ndim=2")),
    # reshaping
    Row("flatten", lay("Flatten"), ((B, 10, 3),), (B, 30)),
    Row("flatten-none", lay("Flatten"), ((B, None, 3),), (B, None)),
    Row("flatten-1d", lay("Flatten"), ((B,),), (B, 1)),
    Row("flatten-static-batch", lay("Flatten"), ((4, 7, 2),), (4, 14)),
    Row("reshape-minus-one", lay("Reshape", (-1, 5)), ((B, 10, 3),), (B, 6, 5)),
    Row("reshape-add-axis", lay("Reshape", target_shape=(10, 1)), ((B, 10),), (B, 10, 1)),
    Row("reshape-none-input", lay("Reshape", (-1, 3, 1)), ((B, None, 3),), (B, None, 3, 1)),
    Row("reshape-none-no-minus", lay("Reshape", (3, 2)), ((B, None, 3),), (B, 3, 2)),
    Row("reshape-size-mismatch", lay("Reshape", (7, 5)), ((B, 10, 3),), Err("total size of the tensor")),
    Row("reshape-not-divisible", lay("Reshape", (-1, 7)), ((B, 10, 3),), Err("cannot by divided")),
    Row("repeat-vector", lay("RepeatVector", 3), ((B, 10),), (B, 3, 10)),
    Row("repeat-vector-static-batch", lay("RepeatVector", 3), ((4, 8),), (4, 3, 8)),
    Row("repeat-vector-3d", lay("RepeatVector", 3), ((B, 10, 3),), Err("expected ndim=2, found ndim=3", ndim=2)),
    Row("permute", lay("Permute", (2, 1)), ((B, 10, 3),), (B, 3, 10)),
    Row("permute-3", lay("Permute", (3, 1, 2)), ((B, 10, 3, 2),), (B, 2, 10, 3)),
    Row("permute-wrong-rank", lay("Permute", (2, 1)), ((B, 10, 3, 2),), Err("expected ndim=3, found ndim=4")),
    # attention
    Row("attention", lay("Attention"), ((B, 10, 8), (B, 5, 8)), (B, 10, 8)),
    Row("attention-scores", lay("Attention"), ((B, 10, 8), (B, 5, 8)), [(B, 10, 8), (B, 10, 5)],
        call={"return_attention_scores": True}),
    Row("attention-value-dim", lay("Attention"), ((B, 10, 8), (B, 5, 7)), (B, 10, 7),
        k2=Err("Dimensions must be equal, but are 8 and 7")),
    Row("additive-attention-value-dim", lay("AdditiveAttention"), ((B, 10, 8), (B, 5, 7)), (B, 10, 7),
        k2=Err("Dimensions must be equal", keras=False)),
    Row("attention-2d", lay("Attention"), ((B, 8), (B, 8)), (B, 8)),
    Row("additive-attention", lay("AdditiveAttention"), ((B, 10, 8), (B, 5, 8)), (B, 10, 8)),
    Row("mha", lay("MultiHeadAttention", 2, 4), ((B, 10, 8), (B, 5, 6)), (B, 10, 8)),
    Row("mha-output-shape", lay("MultiHeadAttention", 2, 4, output_shape=3), ((B, 10, 8), (B, 5, 6)),
        (B, 10, 3)),
    Row("mha-output-shape-tuple", lay("MultiHeadAttention", num_heads=2, key_dim=4, output_shape=(3, 2)),
        ((B, 10, 8), (B, 5, 6)), (B, 10, 3, 2)),
    Row("mha-scores-unknown", lay("MultiHeadAttention", 2, 4), ((B, 10, 8), (B, 5, 6)), UNKNOWN,
        call={"return_attention_scores": True}),
    Row("mha-key-mismatch", lay("MultiHeadAttention", 2, 4), ((B, 10, 8), (B, 5, 6), (B, 4, 6)),
        Err("All dimensions of `value` and `key`")),
    # merging
    Row("concatenate", lay("Concatenate"), ((B, 10, 8), (B, 10, 3)), (B, 10, 11)),
    Row("concatenate-axis1", lay("Concatenate", axis=1), ((B, 10, 8), (B, 9, 8)), (B, 19, 8)),
    Row("concatenate-none-axis", lay("Concatenate", axis=1), ((B, None, 8), (B, 9, 8)), (B, None, 8)),
    Row("concatenate-none-other", lay("Concatenate"), ((B, None, 8), (B, 9, 3)), (B, None, 11),
        k2=(B, 9, 11)),
    Row("concatenate-three", lay("Concatenate"), ((B, 4), (B, 5), (B, 6)), (B, 15)),
    Row("concatenate-mismatch", lay("Concatenate"), ((B, 10, 8), (B, 9, 3)), Err("matching shapes")),
    Row("concatenate-rank", lay("Concatenate"), ((B, 10, 8), (B, 3)), Err("matching shapes")),
    Row("concatenate-size-one", lay("Concatenate"), ((B, 1, 8), (B, 9, 3)), Err("matching shapes")),
    Row("add", lay("Add"), ((B, 10, 8), (B, 10, 8)), (B, 10, 8)),
    Row("add-broadcast-rank", lay("Add"), ((B, 10, 8), (B, 8)), (B, 10, 8)),
    Row("add-broadcast-one", lay("Add"), ((B, 1, 8), (B, 5, 8)), (B, 5, 8)),
    Row("add-mismatch", lay("Add"), ((B, 10, 8), (B, 10, 7)), Err("Inputs have incompatible shapes")),
    Row("add-batch-mismatch", lay("Add"), ((2, 8), (3, 8)), Err("different batch sizes")),
    Row("add-static-batch", lay("Add"), ((2, 8), (B, 8)), (2, 8)),
    Row("subtract", lay("Subtract"), ((B, 8), (B, 8)), (B, 8)),
    Row("subtract-three", lay("Subtract"), ((B, 8), (B, 8), (B, 8)), Err("exactly 2 inputs")),
    Row("multiply-broadcast", lay("Multiply"), ((B, 10, 1), (B, 10, 8)), (B, 10, 8)),
    Row("average", lay("Average"), ((B, 8), (B, 8), (B, 8)), (B, 8)),
    Row("maximum", lay("Maximum"), ((B, 3, 8), (B, 3, 8)), (B, 3, 8)),
    Row("minimum", lay("Minimum"), ((B, 3, 8), (B, 3, 8)), (B, 3, 8)),
    # never guess
    Row("lambda-unknown", lay("Lambda", "f"), ((B, 10, 4),), UNKNOWN),
    Row("unresolved-units", lay("LSTM", UNKNOWN), ((B, 10, 4),), UNKNOWN),
    Row("unresolved-return-sequences", lay("LSTM", 4, return_sequences=UNKNOWN), ((B, 10, 4),), UNKNOWN),
    Row("unresolved-merge-mode", lay("Bidirectional", inner=LSTM4, merge_mode=UNKNOWN), ((B, 10, 4),), UNKNOWN),
    Row("attention-one-input", lay("Attention"), ((B, 10, 4),), UNKNOWN),
    Row("unresolved-scores", lay("Attention"), ((B, 10, 8), (B, 5, 8)), UNKNOWN,
        call={"return_attention_scores": UNKNOWN}),
    # neither installed Keras has CuDNNLSTM (RNN010 says so); its output rank comes from its arguments, as LSTM's
    Row("cudnnlstm-rank-only", lay("CuDNNLSTM", 4), ((B, 10, 1),), (None, 4), in_keras=False),
]
ROW_IDS = [r.id for r in ROWS]
assert len(set(ROW_IDS)) == len(ROW_IDS)


def _expected_output(expected: Any) -> Any:
    return MultiOutput(tuple(expected)) if isinstance(expected, list) else expected


def _ours(row: Row, keras_major: int) -> Any:
    call = tuple(Argument(k, v, SPAN, SPAN) for k, v in row.call.items())
    return layer_output(row.layer.ir(), row.inputs, keras_major, call)


@pytest.mark.parametrize("keras_major", [3, 2], ids=["keras3", "keras2"])
@pytest.mark.parametrize("row", ROWS, ids=ROW_IDS)
def test_layer_output(row: Row, keras_major: int) -> None:
    out = _ours(row, keras_major)
    expected = row.expected_for(keras_major)
    if isinstance(expected, Err):
        assert isinstance(out, ShapeError), out
        assert expected.text in out.message
        assert out.node == -1
        if expected.ndim is not None:
            assert out.expected_ndim == expected.ndim
            assert out.found == row.inputs[0]
    else:
        assert out == _expected_output(expected)


# --- the same rows, built in the real Keras ---------------------------------------------------------------

@pytest.fixture(scope="module")
def real_keras() -> dict:
    """keras (3) and tf_keras (2), imported once. Missing → the comparison test fails (not skipped)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras
    import tf_keras

    assert keras.__version__.startswith("3."), keras.__version__
    return {3: keras, 2: tf_keras}


def _build(module: Any, row: Row) -> Any:
    xs = [module.Input(batch_shape=s) for s in row.inputs]
    layer = row.layer.keras(module.layers)
    if row.layer.kind == "MultiHeadAttention":
        return layer(*xs, **row.call)
    if row.layer.kind in ("Attention", "AdditiveAttention") or len(xs) > 1:
        return layer(xs, **row.call)
    return layer(xs[0], **row.call)


def _shape(t: Any) -> tuple:
    return tuple(None if d is None else int(d) for d in t.shape)


def _compare(module: Any, keras_major: int) -> list[str]:
    """Build every row in `module`; return the rows whose expectation Keras contradicts."""
    mismatches = []
    for row in ROWS:
        expected = row.expected_for(keras_major)
        if expected == UNKNOWN or (keras_major == 2 and row.only3) or not row.in_keras:
            continue
        try:
            with warnings.catch_warnings():  # Keras warns about deprecated arguments some rows use
                warnings.simplefilter("ignore")
                result = _build(module, row)
        except Exception as exc:  # noqa: BLE001 - any Keras failure is what we compare
            if not isinstance(expected, Err):
                mismatches.append(f"{row.id}: Keras raised {type(exc).__name__}: {str(exc)[:200]}")
            elif keras_major == 3 and expected.keras and expected.text not in str(exc):
                mismatches.append(f"{row.id}: Keras message lacks {expected.text!r}: {str(exc)[:300]}")
            continue
        got = [_shape(t) for t in result] if isinstance(result, (list, tuple)) else _shape(result)
        if isinstance(expected, Err):
            mismatches.append(f"{row.id}: Keras built {got}, we expect an error")
        elif got != expected:
            mismatches.append(f"{row.id}: Keras {got} != expected {expected}")
    return mismatches


def test_rows_match_real_keras(real_keras: dict) -> None:
    """Every row's expectation is what Keras 3 computes (or Keras raises where we expect an error)."""
    mismatches = _compare(real_keras[3], 3)
    assert not mismatches, "\n".join(mismatches)


def test_rows_match_tf_keras(real_keras: dict) -> None:
    """The same rows under tf-keras (Keras 2), with the `k2` expectations where Keras 2 differs."""
    mismatches = _compare(real_keras[2], 2)
    assert not mismatches, "\n".join(mismatches)


# --- propagation ------------------------------------------------------------------------------------------

def test_sequential_stacked_lstm_without_return_sequences() -> None:
    """The lecture note's bug: LSTM(256, input_shape=(10, 1)) then LSTM(256)."""
    m = model("sequential", [node(0, lay("LSTM", 256)), node(1, lay("LSTM", 256), 0), node(2, lay("Dense", 1), 1)],
              declared=(10, 1))
    shapes = propagate(m)
    assert shapes.model_input == (None, 10, 1)
    assert shapes.outputs[0] == (None, 256)
    assert [(e.node, e.expected_ndim, e.found) for e in shapes.errors] == [(1, 3, (None, 256))]
    # the walk goes on as if the fix (return_sequences=True on node 0) were made; node 0 still shows its own output
    assert shapes.repaired == (0,) and shapes.inputs[1] == ((None, 10, 256),)
    assert shapes.outputs[1] == (None, 256) and shapes.model_output == (None, 1) and not shapes.synthetic_input


def test_every_missing_return_sequences_of_a_stack_is_found_in_one_walk() -> None:
    """Four LSTMs, none returning sequences: three errors, each at the next LSTM, each fixed in turn."""
    nodes = [node(0, lay("LSTM", 50))] + [node(i, lay("LSTM", 50), i - 1) for i in (1, 2, 3)] + \
        [node(4, lay("Dense", 1), 3)]
    shapes = propagate(model("sequential", nodes, declared=(30, 1)))
    assert [(e.node, e.found) for e in shapes.errors] == [(1, (None, 50)), (2, (None, 50)), (3, (None, 50))]
    assert shapes.repaired == (0, 1, 2) and shapes.model_output == (None, 1)


def test_an_error_the_fix_would_cause_is_not_reported() -> None:
    """LSTM → LSTM and LSTM → RepeatVector: fixing the first error (return_sequences=True) would break the
    RepeatVector; that is not a mistake of the code as written."""
    nodes = [node(0, lay("Input", shape=(10, 2))), node(1, lay("LSTM", 8), 0), node(2, lay("LSTM", 4), 1),
             node(3, lay("RepeatVector", 3), 1)]
    shapes = propagate(model("functional", nodes, outputs=(2, 3)))
    assert [e.node for e in shapes.errors] == [2]


def test_a_recurrent_layer_after_an_unknown_one_still_has_a_rank() -> None:
    """An opaque layer hides only its own output: an LSTM after it is 2D (or 3D) whatever it gets."""
    nodes = [node(0, lay("Input", shape=(10, 3))), node(1, L("MyLayer", known=False), 0),
             node(2, lay("LSTM", 8), 1), node(3, lay("LSTM", 4), 2)]
    shapes = propagate(model("functional", nodes, outputs=(3,)))
    assert shapes.outputs[1] == UNKNOWN and shapes.outputs[2] == (None, 8)
    assert [(e.node, e.found) for e in shapes.errors] == [(3, (None, 8))]


def test_sequential_fixed_with_static_batch() -> None:
    m = model("sequential", [node(0, lay("LSTM", 8, return_sequences=True)), node(1, lay("LSTM", 4), 0),
                             node(2, lay("Dense", 1), 1)], declared=(10, 1), batch=2)
    shapes = propagate(m)
    assert shapes.errors == ()
    assert shapes.model_input == (2, 10, 1)
    assert shapes.model_output == (2, 1)


def test_sequential_with_input_layer_node() -> None:
    m = model("sequential", [node(0, lay("InputLayer", input_shape=(10,))), node(1, lay("LSTM", 4), 0)])
    shapes = propagate(m)
    assert shapes.model_input == (None, 10)
    assert shapes.errors[0].node == 1 and "expected ndim=3, found ndim=2" in shapes.errors[0].message


@pytest.mark.parametrize(
    ("layer", "expected"),
    [
        pytest.param(lay("Input", (10, 1)), (None, 10, 1), id="input-shape-positional"),
        pytest.param(lay("Input", shape=(10, 1), batch_size=4), (4, 10, 1), id="input-batch-size"),
        pytest.param(lay("Input", batch_shape=(2, 10, 1)), (2, 10, 1), id="input-batch-shape"),
        pytest.param(lay("Input", shape=10), UNKNOWN, id="input-int-shape"),
        pytest.param(lay("InputLayer", shape=(5,)), (None, 5), id="inputlayer-shape"),
        pytest.param(lay("InputLayer", batch_input_shape=(3, 5)), (3, 5), id="inputlayer-batch-input-shape"),
        pytest.param(lay("InputLayer", input_shape=(None, 5)), (None, None, 5), id="inputlayer-input-shape"),
        pytest.param(lay("Input", shape=(UNKNOWN, 1)), UNKNOWN, id="input-unresolved"),
    ],
)
def test_input_nodes(layer: L, expected: Any) -> None:
    assert propagate(model("functional", [node(0, layer)], outputs=(0,))).model_input == expected


def test_input_nodes_match_keras(real_keras: dict) -> None:
    keras = real_keras[3]
    assert _shape(keras.Input((10, 1))) == (None, 10, 1)
    assert _shape(keras.Input(shape=(10, 1), batch_size=4)) == (4, 10, 1)
    assert _shape(keras.layers.InputLayer(batch_input_shape=(3, 5)).output) == (3, 5)
    with pytest.warns(UserWarning, match="input_shape"):
        assert _shape(keras.layers.InputLayer(input_shape=(None, 5)).output) == (None, None, 5)


def test_sequential_without_input_keeps_its_ranks() -> None:
    m = model("sequential", [node(0, lay("LSTM", 4)), node(1, lay("LSTM", 4), 0)])
    shapes = propagate(m)
    assert shapes.model_input == UNKNOWN and shapes.outputs[0] == (None, 4)
    assert [e.node for e in shapes.errors] == [1]  # the stack is wrong whatever the input


def test_sequential_without_input_is_built_from_its_first_known_x() -> None:
    """Keras builds it from the first batch it sees: fit(x) with x (n, 40) into Embedding → GRU."""
    from dataclasses import replace

    m = model("sequential", [node(0, lay("Embedding", 300, 24)), node(1, lay("GRU", 8), 0)])
    shapes = propagate(replace(m, data_input=(40,)))
    assert shapes.model_input == (None, 40) and shapes.model_output == (None, 8) and not shapes.synthetic_input


def test_sequential_synthetic_input() -> None:
    m = model("sequential", [node(0, lay("LSTM", 4)), node(1, lay("LSTM", 4), 0)])
    shapes = propagate(m, synthetic_input=(10, 1))
    assert shapes.synthetic_input and shapes.model_input == (None, 10, 1)
    assert [e.node for e in shapes.errors] == [1]


def test_declared_input_wins_over_synthetic() -> None:
    m = model("sequential", [node(0, lay("GRU", 4))], declared=(7, 2))
    shapes = propagate(m, synthetic_input=(10, 1))
    assert not shapes.synthetic_input and shapes.model_output == (None, 4)


def test_functional_return_state_indexing() -> None:
    """inputs → LSTM(return_state) → [out, h, c]; Concatenate()([h, c]) → Dense."""
    nodes = [
        node(0, lay("Input", shape=(10, 3))),
        node(1, lay("LSTM", 4, return_state=True), 0),
        node(2, lay("Concatenate"), (1, 1), (1, 2)),
        node(3, lay("Dense", 2), 2),
        node(4, lay("Dense", 1), (1, 0)),
    ]
    shapes = propagate(model("functional", nodes, outputs=(3, 4), input_nodes=(0,)))
    assert shapes.outputs[1] == MultiOutput(((None, 4), (None, 4), (None, 4)))
    assert shapes.inputs[2] == ((None, 4), (None, 4))
    assert shapes.model_output == MultiOutput(((None, 2), (None, 1)))
    assert shapes.model_input == (None, 10, 3)


def test_functional_multi_input_and_unknown_branch() -> None:
    nodes = [
        node(0, lay("Input", shape=(10, 3))),
        node(1, lay("Input", shape=(5,))),
        node(2, L("MyLayer", known=False), 0),
        node(3, lay("LSTM", 4), 2),
        node(4, lay("Concatenate"), 3, 1),
    ]
    shapes = propagate(model("functional", nodes, outputs=(4,), input_nodes=(0, 1)))
    assert shapes.model_input == MultiOutput(((None, 10, 3), (None, 5)))
    assert shapes.outputs[2] == UNKNOWN and shapes.errors == ()
    assert shapes.outputs[3] == (None, 4) and shapes.model_output == (None, 9)  # the LSTM's rank survives MyLayer


def test_error_then_continue_on_other_branch() -> None:
    nodes = [
        node(0, lay("Input", shape=(10,))),
        node(1, lay("LSTM", 4), 0),
        node(2, lay("Dense", 3), 0),
        node(3, lay("RepeatVector", 2), 2),
    ]
    shapes = propagate(model("functional", nodes, outputs=(3,)))
    assert [e.node for e in shapes.errors] == [1]
    assert shapes.model_output == (None, 2, 3)
    assert isinstance(shapes, ModelShapes)


def test_bad_index_is_unknown() -> None:
    nodes = [node(0, lay("Input", shape=(10, 3))), node(1, lay("LSTM", 4), 0), node(2, lay("Dense", 1), (1, 1))]
    assert propagate(model("functional", nodes)).outputs[2] == UNKNOWN


def test_empty_model() -> None:
    shapes = propagate(model("sequential", []))
    assert shapes.model_input == UNKNOWN and shapes.model_output == UNKNOWN and shapes.errors == ()


# --- predicates and formatting ----------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("spec", "recurrent", "sequences", "ndim"),
    [
        pytest.param(lay("LSTM", 4), True, False, 3, id="lstm"),
        pytest.param(lay("GRU", 4, return_sequences=True), True, True, 3, id="gru-sequences"),
        pytest.param(lay("SimpleRNN", 4, return_sequences=UNKNOWN), True, UNKNOWN, 3, id="simplernn-unresolved"),
        pytest.param(lay("RNN", inner=lay("LSTMCell", 4)), True, False, 3, id="rnn-cell"),
        pytest.param(lay("ConvLSTM1D", 4, 3), True, False, 4, id="convlstm1d"),
        pytest.param(lay("ConvLSTM2D", 4, 3, return_sequences=True), True, True, 5, id="convlstm2d"),
        pytest.param(lay("ConvLSTM3D", 4, 3), True, False, 6, id="convlstm3d"),
        pytest.param(lay("Bidirectional", inner=lay("LSTM", 4, return_sequences=True)), True, True, 3,
                     id="bidirectional"),
        pytest.param(lay("Bidirectional", inner=lay("Dense", 4)), False, False, 2, id="bidirectional-dense"),
        pytest.param(lay("TimeDistributed", inner=lay("Dense", 4)), False, False, 3, id="time-distributed"),
        pytest.param(lay("Conv1D", 4, 3), False, False, 3, id="conv1d"),
        pytest.param(lay("GlobalMaxPooling1D"), False, False, 3, id="global-pooling"),
        pytest.param(lay("RepeatVector", 3), False, False, 2, id="repeat-vector"),
        pytest.param(lay("Permute", (2, 1)), False, False, 3, id="permute"),
        pytest.param(lay("Dense", 4), False, False, 2, id="dense"),
        pytest.param(lay("Dropout", 0.1), False, False, None, id="dropout"),
        pytest.param(L("LSTM", (4,), known=False), False, False, None, id="users-own-lstm"),
    ],
)
def test_predicates(spec: L, recurrent: bool, sequences: Any, ndim: int | None) -> None:
    layer = spec.ir()
    assert (recurrent_core(layer) is not None) is recurrent
    assert sequence_flag(layer) == sequences
    assert expected_input_ndim(layer) == ndim


def test_min_input_ndim_and_recurrent_set() -> None:
    assert min_input_ndim(lay("TimeDistributed", inner=lay("Dense", 1)).ir()) == 3
    assert min_input_ndim(lay("LSTM", 1).ir()) is None
    assert {"LSTM", "GRU", "SimpleRNN", "RNN"} <= RECURRENT


@pytest.mark.parametrize(
    ("shape", "text"),
    [
        pytest.param((None, 10, 1), "(None, 10, 1)", id="3d"),
        pytest.param((None,), "(None,)", id="1d"),
        pytest.param((), "()", id="scalar"),
        pytest.param(MultiOutput(((None, 4), (None, 4))), "[(None, 4), (None, 4)]", id="multi"),
        pytest.param(UNKNOWN, "?", id="unknown"),
    ],
)
def test_format_shape(shape: Any, text: str) -> None:
    assert format_shape(shape) == text
    if isinstance(shape, tuple):
        assert text == str(shape)
