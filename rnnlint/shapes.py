"""Static shape propagation through a model's layer graph, with the same semantics as Keras.

One table maps a Keras class name to a function (layer, input shapes, keras major) → output shape, or a
`ShapeError` describing what Keras would raise. Shapes include the batch dimension (None when not static). A dim is an int, None (not static, as Keras says) or
a symbol (`ir.Sym`: a fixed size the analyzer can name but not compute, e.g. `n_features`); checks that need a
concrete value skip symbols, so a symbol never makes an error. An unknown layer or an unresolved argument makes
that layer's output Unknown; a recurrent layer fed an unknown input still has a known output rank (it is 2D or
3D whatever it gets, when it builds at all). After a shape error the walk continues with the shape the fix gives
(for a missing `return_sequences=True`: as if it were there), so one run reports every mistake of a stack.

The dataclasses below are the stable interface; `propagate` and `layer_output` compute them.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Union

from rnnlint import symbolic
from rnnlint.ir import UNKNOWN, Layer, Model, Sym, TensorRef, Unknown, Value, dims_differ, is_unknown
from rnnlint.layerkinds import RECURRENT, recurrent_core, sequence_culprits, with_sequences

Shape = tuple  # tuple[int | None, ...] including the batch dimension
# A node's output: one shape, several (a tuple of shapes, e.g. return_state=True), or Unknown.
Output = Union[Shape, "MultiOutput", Unknown]


@dataclass(frozen=True)
class MultiOutput:
    """A layer that returns several tensors (recurrent layers with return_state=True)."""

    shapes: tuple[Shape | Unknown, ...]


@dataclass(frozen=True)
class ShapeError:
    """What Keras would raise when `node` receives `found` (one of its input shapes)."""

    node: int
    message: str  # Keras-style: "expected ndim=3, found ndim=2"
    found: Shape | None = None
    expected_ndim: int | None = None  # exact rank required, when that is the problem
    min_ndim: int | None = None
    input_index: int = 0
    kind: str = "ndim"  # "ndim" | "dim" | "argument" | "other"


@dataclass(frozen=True)
class ModelShapes:
    """Shapes of one model: per-node input and output shapes, and the errors found."""

    inputs: dict  # node id -> tuple[Output, ...] (what arrives at the node)
    outputs: dict  # node id -> Output (Unknown after an error)
    errors: tuple[ShapeError, ...]
    model_input: Output  # the model's input (batch included), Unknown if not declared/resolvable
    model_output: Output  # the model's final output
    synthetic_input: bool = False  # True when the input shape was supplied, not declared (nor built from data)
    repaired: tuple[int, ...] = ()  # nodes whose fix the shapes after them assume (return_sequences flipped
    # after an error); their own output is what they give as written


class _GiveUp(Exception):
    """Raised inside a shape function when an argument is unresolved or unsupported: the output is Unknown."""


Handler = Callable[[Layer, tuple, int], "Output | ShapeError"]

_CONV_LSTM_RANK = {"ConvLSTM1D": 1, "ConvLSTM2D": 2, "ConvLSTM3D": 3}
_CELL_STATES = {"LSTMCell": 2, "GRUCell": 1, "SimpleRNNCell": 1}
_EXACT_NDIM = {
    "LSTM": 3, "GRU": 3, "SimpleRNN": 3, "RNN": 3, "CuDNNLSTM": 3, "CuDNNGRU": 3,
    "ConvLSTM1D": 4, "ConvLSTM2D": 5, "ConvLSTM3D": 6,
    "Conv1D": 3, "MaxPooling1D": 3, "AveragePooling1D": 3, "GlobalMaxPooling1D": 3,
    "GlobalAveragePooling1D": 3, "SpatialDropout1D": 3, "RepeatVector": 2,
}
_MIN_NDIM = {"TimeDistributed": 3, "Dense": 2, "Flatten": 1, "Conv1D": 3}


# ---------------------------------------------------------------------------------------------------------
# Small helpers

def format_shape(shape: object) -> str:
    """`(None, 10, 1)` for a shape, `(None, n_steps, 64)` with symbols, `[(…), (…)]` for a MultiOutput, `?` for
    Unknown."""
    if isinstance(shape, MultiOutput):
        return "[" + ", ".join(format_shape(s) for s in shape.shapes) + "]"
    if isinstance(shape, tuple):
        inner = ", ".join(str(d) if isinstance(d, Sym) else "?" if isinstance(d, Unknown) else str(d) for d in shape)
        return f"({inner},)" if len(shape) == 1 else f"({inner})"
    return "?"


def _snake(name: str) -> str:
    """Keras's default layer name for a class (`ConvLSTM2D` → `conv_lstm2d`)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def _name(layer: Layer) -> str:
    given = layer.arg("name")
    return given if isinstance(given, str) else _snake(layer.kind)


def _opaque(value: Value) -> bool:
    """Unresolved: Unknown, or a tuple holding one. A symbol is resolved enough (a size)."""
    if isinstance(value, Sym):
        return False
    if isinstance(value, Unknown):
        return True
    return isinstance(value, tuple) and any(_opaque(v) for v in value)


def _arg(layer: Layer, name: str, position: int | None = None, default: Value = None) -> Value:
    value = layer.arg(name, position, default)
    if _opaque(value):
        raise _GiveUp(name)
    return value


def _int(layer: Layer, name: str, position: int | None = None, default: Value = None) -> int | Sym:
    """A positive size argument (units, filters…): an int or a symbol."""
    value = _arg(layer, name, position, default)
    if isinstance(value, Sym):
        return value
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise _GiveUp(name)
    return value


def _above_one(values: tuple) -> bool:
    """Whether some literal among `values` is larger than 1 (symbols are not known to be)."""
    return any(symbolic.is_int(v) and v > 1 for v in values)


def _bool(layer: Layer, name: str, default: bool = False) -> bool:
    value = _arg(layer, name, None, default)
    if not isinstance(value, bool):
        raise _GiveUp(name)
    return value


def _choice(layer: Layer, name: str, position: int | None, default: Value, allowed: tuple) -> Value:
    value = _arg(layer, name, position, default)
    if value not in allowed:
        raise _GiveUp(name)
    return value


def _int_tuple(layer: Layer, name: str, position: int | None, default: Value, rank: int) -> tuple[int, ...]:
    """An int-or-tuple argument (kernel_size, strides…) normalised to a tuple of length `rank`."""
    value = _arg(layer, name, position, default)
    if isinstance(value, (list, tuple)) and len(value) == 1:
        value = value[0]
    if isinstance(value, Sym) or isinstance(value, int) and not isinstance(value, bool):
        value = (value,) * rank
    if (not isinstance(value, tuple) or len(value) != rank
            or any(not isinstance(v, Sym) and (isinstance(v, bool) or not isinstance(v, int) or v <= 0)
                   for v in value)):
        raise _GiveUp(name)
    return value


def _valid_shape(value: Value) -> bool:
    return isinstance(value, tuple) and all(
        d is None or isinstance(d, Sym) or (isinstance(d, int) and not isinstance(d, bool) and d >= 0) for d in value
    )


def _one(inputs: tuple) -> Shape:
    """The single input shape of a one-input layer."""
    if len(inputs) != 1 or not isinstance(inputs[0], tuple):
        raise _GiveUp("inputs")
    return inputs[0]


def _first(inputs: tuple) -> Shape:
    """The sequence input of a recurrent layer (later inputs, if any, are initial states)."""
    if not inputs or not isinstance(inputs[0], tuple):
        raise _GiveUp("inputs")
    return inputs[0]


def _many(inputs: tuple) -> tuple[Shape, ...]:
    """The input shapes of a multi-input layer (a single MultiOutput counts as its list)."""
    if len(inputs) == 1 and isinstance(inputs[0], MultiOutput):
        inputs = inputs[0].shapes
    if not all(isinstance(s, tuple) for s in inputs):
        raise _GiveUp("inputs")
    return tuple(inputs)


def _ndim_error(layer: Layer, shape: Shape, keras_major: int, *, ndim: int | None = None,
                min_ndim: int | None = None, index: int = 0) -> ShapeError | None:
    """Keras's InputSpec check: None if `shape` passes, else the error Keras raises."""
    if ndim is not None and len(shape) != ndim:
        what = f"expected ndim={ndim}"
    elif min_ndim is not None and len(shape) < min_ndim:
        what = f"expected min_ndim={min_ndim}"
    else:
        return None
    name = f"'{_name(layer)}'" if keras_major >= 3 else f'"{_name(layer)}"'
    message = (f"Input {index} of layer {name} is incompatible with the layer: {what}, "
               f"found ndim={len(shape)}. Full shape received: {format_shape(shape)}")
    return ShapeError(-1, message, shape, expected_ndim=ndim, min_ndim=min_ndim, input_index=index)


def _undefined_last(layer: Layer, shape: Shape, size: int, keras_major: int = 3) -> ShapeError | None:
    """Layers with weights need a static last dimension (Keras fails creating the kernel)."""
    if shape[-1] is not None:
        return None
    if keras_major < 3 and layer.kind == "Dense":
        return ShapeError(-1, "The last dimension of the inputs to a Dense layer should be defined. Found None. "
                              f"Full input shape received: {format_shape(shape)}", shape, kind="dim")
    return ShapeError(-1, "Shapes used to initialize variables must be fully-defined (no `None` dimensions). "
                          f"Received: shape=(None, {size}) for the kernel of layer '{_name(layer)}'",
                      shape, kind="dim")


def _conv_dims(layer: Layer, shape: Shape, spatial: tuple, kernel: tuple, strides: tuple,
               dilation: tuple, padding: str) -> tuple | ShapeError:
    """Output spatial dims of a convolution (keras.src.ops.operation_utils.compute_conv_output_shape)."""
    out = []
    for d, k, s, r in zip(spatial, kernel, strides, dilation):
        if d is None:
            out.append(None)
        elif any(isinstance(v, Sym) for v in (d, k, s, r)):
            b = symbolic.binop
            span = d if padding != "valid" else b("-", b("-", d, b("*", r, b("-", k, 1))), 1)
            out.append(b("+", b("//", b("-", span, 1) if padding != "valid" else span, s), 1))
        elif padding == "valid":
            size = (d - r * (k - 1) - 1) // s + 1
            if size <= 0:
                return ShapeError(-1, "Computed output size would be zero or negative. Received "
                                      f"`inputs shape={format_shape(shape)}`, `kernel_size={kernel}`, "
                                      f"`dilation_rate={list(dilation)}`, `strides={strides}`, "
                                      f"`padding={padding}`.", shape, kind="dim")
            out.append(size)
        else:
            out.append((d - 1) // s + 1)
    return tuple(out)


# ---------------------------------------------------------------------------------------------------------
# Shape functions, one per Keras class

def _input(layer: Layer, inputs: tuple, keras_major: int) -> Output:
    """keras.Input / InputLayer: `shape` (+ `batch_size`) or `batch_shape` (aliases for InputLayer)."""
    shape = _arg(layer, "shape", 0)
    batch_shape = _arg(layer, "batch_shape")
    if layer.kind == "InputLayer" or keras_major < 3:
        shape = shape if shape is not None else _arg(layer, "input_shape")
        batch_shape = batch_shape if batch_shape is not None else _arg(layer, "batch_input_shape")
    if batch_shape is not None:
        if shape is not None or not _valid_shape(batch_shape) or not batch_shape:
            raise _GiveUp("batch_shape")
        return batch_shape
    batch = _arg(layer, "batch_size", None, None)
    if not _valid_shape(shape) or not (batch is None or isinstance(batch, Sym) or symbolic.is_int(batch)):
        raise _GiveUp("shape")
    return (batch,) + shape


def _rnn_result(layer: Layer, shape: Shape, state: tuple, n_states: int) -> Output:
    """Output of a recurrent layer whose per-step output/state shape is `state` (without batch)."""
    sequences = _bool(layer, "return_sequences")
    return_state = _bool(layer, "return_state")
    main = (shape[0], shape[1]) + state if sequences else (shape[0],) + state
    if return_state:
        return MultiOutput((main,) + ((shape[0],) + state,) * n_states)
    return main


def _recurrent(layer: Layer, inputs: tuple, keras_major: int) -> Output | ShapeError:
    """LSTM / GRU / SimpleRNN: (b, T, F) → (b, T, units) or (b, units); return_state adds h (and c)."""
    shape = _first(inputs)
    units = _int(layer, "units", 0)
    error = _ndim_error(layer, shape, keras_major, ndim=3) or _undefined_last(layer, shape, units)
    if error:
        return error
    n_states = 2 if layer.kind == "LSTM" else 1
    return _rnn_result(layer, shape, (units,), n_states)


def _rnn(layer: Layer, inputs: tuple, keras_major: int) -> Output | ShapeError:
    """RNN(cell) for LSTMCell / GRUCell / SimpleRNNCell; other cells (lists, StackedRNNCells) are Unknown."""
    shape = _first(inputs)
    cell = layer.inner
    if cell is None or not cell.known or cell.kind not in _CELL_STATES or cell.has_star_args:
        raise _GiveUp("cell")
    units = _int(cell, "units", 0)
    if len(shape) > 3:
        raise _GiveUp("ndim")  # RNN has no input spec: the cell sees the extra axes
    error = _ndim_error(layer, shape, keras_major, ndim=3) or _undefined_last(layer, shape, units)
    if error:
        return error
    return _rnn_result(layer, shape, (units,), _CELL_STATES[cell.kind])


def _conv_lstm(layer: Layer, inputs: tuple, keras_major: int) -> Output | ShapeError:
    """ConvLSTM1D/2D/3D: (b, T, *spatial, C) → convolved per step; return_state adds h and c."""
    rank = _CONV_LSTM_RANK[layer.kind]
    shape = _first(inputs)
    filters = _int(layer, "filters", 0)
    kernel = _int_tuple(layer, "kernel_size", 1, None, rank)
    strides = _int_tuple(layer, "strides", 2, 1, rank)
    padding = _choice(layer, "padding", 3, "valid", ("valid", "same"))
    data_format = _choice(layer, "data_format", 4, None, (None, "channels_last", "channels_first"))
    dilation = _int_tuple(layer, "dilation_rate", 5, 1, rank)
    error = _ndim_error(layer, shape, keras_major, ndim=rank + 3)
    if error:
        return error
    if _above_one(strides) and _above_one(dilation):  # both Keras versions refuse it (messages differ)
        return ShapeError(-1, "Specifying `strides > 1` is not compatible with `dilation_rate > 1`. Please provide "
                              f"`strides=1` or `dilation_rate=1`. Received: strides={strides} and "
                              f"dilation_rate={dilation}", shape, kind="argument")
    last = data_format != "channels_first"
    spatial = shape[2:-1] if last else shape[3:]
    if None in spatial and keras_major >= 3:
        return ShapeError(-1, "ConvLSTM layers only support static input shapes for the spatial dimension. "
                              f"Received invalid input shape: input_shape={format_shape(shape[:1] + shape[2:])}",
                          shape, kind="dim")
    if (shape[-1] if last else shape[2]) is None:  # both Keras versions raise this (ConvRNN.build)
        return ShapeError(-1, "The channel dimension of the inputs (last axis) should be defined. Found None. "
                              f"Full input shape received: input_shape={format_shape(shape[:1] + shape[2:])}",
                          shape, kind="dim")
    dims = _conv_dims(layer, shape, spatial, kernel, strides, dilation, padding)
    if isinstance(dims, ShapeError):
        return dims
    state = dims + (filters,) if last else (filters,) + dims
    return _rnn_result(layer, shape, state, 2)


def _bidirectional(layer: Layer, inputs: tuple, keras_major: int) -> Output | ShapeError:
    """Bidirectional(rnn): concat doubles the last axis, sum/mul/ave keep it, None returns both outputs."""
    inner = layer.inner
    if inner is None or not inner.known or recurrent_core(inner) is None or inner.kind == "Bidirectional":
        raise _GiveUp("inner")
    merge_mode = _choice(layer, "merge_mode", 1, "concat", ("concat", "sum", "mul", "ave", None))
    shape = _first(inputs)
    ndim = expected_input_ndim(inner)
    error = _ndim_error(layer, shape, keras_major, ndim=ndim) if ndim is not None else None
    if error:
        return error
    forward = layer_output(inner, (shape,), keras_major)
    if isinstance(forward, (ShapeError, Unknown)):
        return forward
    if layer.backward is not None and layer_output(layer.backward, (shape,), keras_major) != forward:
        raise _GiveUp("backward_layer")
    main, states = (forward.shapes[0], forward.shapes[1:]) if isinstance(forward, MultiOutput) else (forward, ())
    if merge_mode == "concat":
        main = main[:-1] + (None if main[-1] is None else symbolic.binop("*", 2, main[-1]),)
    mains = (main, main) if merge_mode is None else (main,)
    if not states and merge_mode is not None:
        return main
    return MultiOutput(mains + states + states)


def _time_distributed(layer: Layer, inputs: tuple, keras_major: int) -> Output | ShapeError:
    """TimeDistributed(inner): inner applied to (b, *rest) for every timestep."""
    shape = _one(inputs)
    if layer.inner is None:
        raise _GiveUp("inner")
    if len(shape) < 3:
        argument = "`input_shape`" if keras_major >= 3 else "`input_shape `"
        return ShapeError(-1, f"`TimeDistributed` Layer should be passed an {argument} with at least 3 "
                              f"dimensions, received: {format_shape(shape)}", shape, min_ndim=3)
    inner = layer_output(layer.inner, ((shape[0],) + shape[2:],), keras_major)
    if not isinstance(inner, tuple):
        return inner if isinstance(inner, ShapeError) else UNKNOWN
    return (inner[0], shape[1]) + inner[1:]


def _dense(layer: Layer, inputs: tuple, keras_major: int) -> Output | ShapeError:
    """Dense: applies to the last axis of an input of rank ≥ 2."""
    shape = _one(inputs)
    units = _int(layer, "units", 0)
    error = _ndim_error(layer, shape, keras_major, min_ndim=2) or _undefined_last(layer, shape, units, keras_major)
    return error or shape[:-1] + (units,)


def _same(layer: Layer, inputs: tuple, keras_major: int) -> Output:
    """Shape-preserving layers (dropout family, activation, masking…)."""
    return _one(inputs)


def _text_vectorization(layer: Layer, inputs: tuple, keras_major: int) -> Output:
    """TextVectorization in its "int" mode: strings (batch,) or (batch, 1), or one string, become token ids
    (batch, output_sequence_length) — the length is None (each batch's longest) when not given. The other modes
    give the adapted vocabulary's size, which is known only at run time."""
    shape = _one(inputs)
    if _choice(layer, "output_mode", 4, "int", ("int", "multi_hot", "count", "tf_idf")) != "int":
        raise _GiveUp("vocabulary size")
    length = None if _arg(layer, "output_sequence_length", 5, None) is None else _int(layer, "output_sequence_length", 5)
    if len(shape) > 2 or len(shape) == 2 and shape[1] != 1:
        raise _GiveUp("rank")
    return shape[:1] + (length,)


def _normalization(layer: Layer, inputs: tuple, keras_major: int) -> Output:
    """LayerNormalization / BatchNormalization: shape-preserving; Unknown if the normalised axis is not static."""
    shape = _one(inputs)
    axis = _arg(layer, "axis", 0, -1)
    if axis not in (-1, len(shape) - 1) or len(shape) < 2:
        raise _GiveUp("axis")
    if shape[-1] is None:  # Keras 3 and tf-keras both fail creating gamma (messages differ)
        if keras_major >= 3:
            return ShapeError(-1, "Shapes used to initialize variables must be fully-defined (no `None` "
                                  f"dimensions). Received: shape=(None,) for variable path='{_name(layer)}/gamma'",
                              shape, kind="dim")
        return ShapeError(-1, f"The normalised axis of the inputs to {layer.kind} should be defined. Found None. "
                              f"Full input shape received: {format_shape(shape)}", shape, kind="dim")
    return shape


def _spatial_dropout_1d(layer: Layer, inputs: tuple, keras_major: int) -> Output | ShapeError:
    """SpatialDropout1D: 3D in, same shape out. In Keras 3 its __init__ takes no **kwargs (not even input_shape)."""
    shape = _one(inputs)
    if keras_major >= 3:
        extra = [a.keyword for a in layer.arguments if a.keyword not in (None, "rate", "seed", "name", "dtype")]
        if extra:
            return ShapeError(-1, f"SpatialDropout1D.__init__() got an unexpected keyword argument '{extra[0]}'",
                              shape, kind="argument")
    return _ndim_error(layer, shape, keras_major, ndim=3) or shape


def _embedding(layer: Layer, inputs: tuple, keras_major: int) -> Output:
    """Embedding: adds an axis of `output_dim`. `input_length` does not change a built graph (Keras 3 ignores
    it; tf-keras only uses it to declare the input shape of a first layer, which the analyzer handles)."""
    shape = _one(inputs)
    _int(layer, "input_dim", 0)
    return shape + (_int(layer, "output_dim", 1),)


def _conv1d(layer: Layer, inputs: tuple, keras_major: int) -> Output | ShapeError:
    """Conv1D: (b, steps, C) → (b, new_steps, filters); padding valid/same/causal."""
    shape = _one(inputs)
    filters = _int(layer, "filters", 0)
    kernel = _int_tuple(layer, "kernel_size", 1, None, 1)
    strides = _int_tuple(layer, "strides", 2, 1, 1)
    padding = _choice(layer, "padding", 3, "valid", ("valid", "same", "causal"))
    data_format = _choice(layer, "data_format", 4, "channels_last", (None, "channels_last", "channels_first"))
    dilation = _int_tuple(layer, "dilation_rate", 5, 1, 1)
    if _arg(layer, "groups", 6, 1) != 1:
        raise _GiveUp("groups")
    if _above_one(strides) and _above_one(dilation):  # Keras 3 and tf-keras raise this when constructing the layer
        return ShapeError(-1, "`strides > 1` not supported in conjunction with `dilation_rate > 1`. Received: "
                              f"strides={strides} and dilation_rate={dilation}", shape, kind="argument")
    error = _ndim_error(layer, shape, keras_major, min_ndim=3)
    if error:
        return error
    last = data_format != "channels_first"
    if (shape[-1] if last else shape[-2]) is None:  # Keras 3 fails in build (`None % groups`), tf-keras checks
        return ShapeError(-1, "The channel dimension of the inputs should be defined. The input_shape received is "
                              f"{format_shape(shape)}, where axis {-1 if last else -2} (0-based) is the channel "
                              "dimension, which found to be `None`.", shape, kind="dim")
    if len(shape) > 3 and keras_major >= 3:
        return ShapeError(-1, "Kernel shape must have the same length as input, but received kernel of shape "
                              f"{kernel + (shape[-1], filters)} and input of shape {format_shape(shape)}.",
                          shape, expected_ndim=3)
    lead = shape[:-2]  # tf-keras folds extra leading axes into the batch
    steps = shape[-2] if last else shape[-1]  # causal padding works channels_first too (both versions)
    dims = _conv_dims(layer, shape, (steps,), kernel, strides, dilation, padding)
    if isinstance(dims, ShapeError):
        return dims
    return lead + ((dims[0], filters) if last else (filters, dims[0]))


def _pooling_1d(layer: Layer, inputs: tuple, keras_major: int) -> Output | ShapeError:
    """MaxPooling1D / AveragePooling1D: pool_size 2, strides = pool_size by default."""
    shape = _one(inputs)
    if keras_major >= 3 and layer.kind == "AveragePooling1D" and not layer.has_arg("pool_size", 0):
        return ShapeError(-1, "AveragePooling1D.__init__() missing 1 required positional argument: 'pool_size' "
                              "(Keras 3 has no default pool size for average pooling)", shape, kind="argument")
    pool = _int_tuple(layer, "pool_size", 0, 2, 1)[0]
    strides = _arg(layer, "strides", 1, None)
    stride = pool if strides is None else _int_tuple(layer, "strides", 1, None, 1)[0]
    padding = _choice(layer, "padding", 2, "valid", ("valid", "same"))
    data_format = _choice(layer, "data_format", 3, None, (None, "channels_last", "channels_first"))
    error = _ndim_error(layer, shape, keras_major, ndim=3)
    if error:
        return error
    last = data_format != "channels_first"
    steps = shape[1] if last else shape[2]
    if steps is None:
        out = None
    elif isinstance(steps, Sym) or isinstance(pool, Sym) or isinstance(stride, Sym):
        b = symbolic.binop
        out = b("+", b("//", b("-", steps, pool) if padding == "valid" else b("-", steps, 1), stride), 1)
    elif padding == "valid":
        out = (steps - pool) // stride + 1
        if out <= 0:
            return ShapeError(-1, "Computed output size would be zero or negative. Received: "
                                  f"`inputs.shape={format_shape(shape)}`, `pool_size=[{pool}]`, "
                                  f"`strides=({stride},)`, `padding={padding}`.", shape, kind="dim")
    else:
        out = (steps - 1) // stride + 1
    return (shape[0], out, shape[2]) if last else (shape[0], shape[1], out)


def _global_pooling_1d(layer: Layer, inputs: tuple, keras_major: int) -> Output | ShapeError:
    """GlobalMax/AveragePooling1D: drops the steps axis (keepdims keeps it as 1)."""
    shape = _one(inputs)
    data_format = _choice(layer, "data_format", 0, None, (None, "channels_last", "channels_first"))
    keepdims = _bool(layer, "keepdims")
    error = _ndim_error(layer, shape, keras_major, ndim=3)
    if error:
        return error
    if data_format == "channels_first":
        return (shape[0], shape[1], 1) if keepdims else (shape[0], shape[1])
    return (shape[0], 1, shape[2]) if keepdims else (shape[0], shape[2])


def _flatten(layer: Layer, inputs: tuple, keras_major: int) -> Output | ShapeError:
    """Flatten: (b, *dims) → (b, prod(dims)); None if any dim is None; (b,) → (b, 1)."""
    shape = _one(inputs)
    error = _ndim_error(layer, shape, keras_major, min_ndim=1)
    if error:
        return error
    rest = shape[1:]
    return (shape[0], None if None in rest else symbolic.product(rest))


def _reshape(layer: Layer, inputs: tuple, keras_major: int) -> Output | ShapeError:
    """Reshape(target_shape): the batch axis is kept; one -1 is resolved from the input size."""
    shape = _one(inputs)
    target = _arg(layer, "target_shape", 0)
    if isinstance(target, list):
        target = tuple(target)
    if (not isinstance(target, tuple) or target.count(-1) > 1
            or any(not isinstance(d, Sym) and (isinstance(d, bool) or not isinstance(d, int) or (d <= 0 and d != -1))
                   for d in target)):
        raise _GiveUp("target_shape")
    rest = shape[1:]
    if None in rest:
        return (shape[0],) + tuple(None if d == -1 else d for d in target)
    size = symbolic.product(rest)
    known = symbolic.product(d for d in target if d != -1)
    if isinstance(size, Sym) or isinstance(known, Sym):  # the sizes cannot be checked: keep what is written
        missing = symbolic.binop("//", size, known)
        return (shape[0],) + tuple(missing if d == -1 else d for d in target)
    if -1 not in target:
        if size != known:
            return ShapeError(-1, "The total size of the tensor must be unchanged. Received: "
                                  f"input_shape={format_shape(rest)}, target_shape={format_shape(target)}",
                              shape, kind="dim")
        return (shape[0],) + target
    if size % known:
        return ShapeError(-1, "The total size of the tensor must be unchanged, however, the input size cannot "
                              "by divided by the specified dimensions in target_shape. Received: "
                              f"input_shape={format_shape(rest)}, target_shape={format_shape(target)}",
                          shape, kind="dim")
    return (shape[0],) + tuple(size // known if d == -1 else d for d in target)


def _repeat_vector(layer: Layer, inputs: tuple, keras_major: int) -> Output | ShapeError:
    """RepeatVector(n): (b, F) → (b, n, F); the input must be 2D."""
    shape = _one(inputs)
    n = _int(layer, "n", 0)
    return _ndim_error(layer, shape, keras_major, ndim=2) or (shape[0], n, shape[1])


def _permute(layer: Layer, inputs: tuple, keras_major: int) -> Output | ShapeError:
    """Permute(dims): dims are 1-based and exclude the batch axis."""
    shape = _one(inputs)
    dims = _arg(layer, "dims", 0)
    if not isinstance(dims, tuple) or not all(type(d) is int for d in dims) \
            or sorted(dims) != list(range(1, len(dims) + 1)):  # (0, None): not comparable, not a permutation
        raise _GiveUp("dims")
    error = _ndim_error(layer, shape, keras_major, ndim=len(dims) + 1)
    return error or (shape[0],) + tuple(shape[d] for d in dims)


def _attention(layer: Layer, inputs: tuple, keras_major: int) -> Output:
    """Attention / AdditiveAttention([query, value(, key)]): query's shape with value's last dim."""
    shapes = _many(inputs)
    if len(shapes) not in (2, 3):
        raise _GiveUp("inputs")
    query, value = shapes[0], shapes[1]
    key = shapes[2] if len(shapes) == 3 else value
    if keras_major < 3 and dims_differ(query[-1], key[-1]):
        # tf-keras runs the score op while building; Keras 3 builds and fails only when run
        return ShapeError(-1, f"Dimensions must be equal, but are {query[-1]} and {key[-1]} (the last axes of "
                              "the query and the key)", key, input_index=len(shapes) - 1, kind="dim")
    return query[:-1] + (value[-1],)


def _multi_head_attention(layer: Layer, inputs: tuple, keras_major: int) -> Output | ShapeError:
    """MultiHeadAttention(query, value(, key)): query's shape, last axis replaced by `output_shape`."""
    shapes = _many(inputs)
    if len(shapes) not in (2, 3):
        raise _GiveUp("inputs")
    _int(layer, "num_heads", 0)
    _int(layer, "key_dim", 1)
    query, value = shapes[0], shapes[1]
    key = shapes[2] if len(shapes) == 3 else value
    if len(value) != len(key) or any(dims_differ(a, b) for a, b in zip(value[1:-1], key[1:-1])):
        return ShapeError(-1, "All dimensions of `value` and `key`, except the last one, must be equal. "
                              f"Received: value_shape={format_shape(value)} and key_shape={format_shape(key)}",
                          key, input_index=2, kind="dim")
    out = _arg(layer, "output_shape", None, None)
    if out is None:
        return query
    if isinstance(out, int) and not isinstance(out, bool):
        out = (out,)
    if not _valid_shape(out):
        raise _GiveUp("output_shape")
    return query[:-1] + out


def _concatenate(layer: Layer, inputs: tuple, keras_major: int) -> Output | ShapeError:
    """Concatenate(axis=-1): all dims but `axis` must match (None matches anything)."""
    shapes = _many(inputs)
    axis = _arg(layer, "axis", 0, -1)
    if len(shapes) < 2 or isinstance(axis, bool) or not isinstance(axis, int):
        raise _GiveUp("inputs")
    error = ShapeError(-1, "A `Concatenate` layer requires inputs with matching shapes except for the "
                           f"concatenation axis. Received: input_shape=[{', '.join(map(format_shape, shapes))}]",
                       shapes[1], input_index=1, kind="dim")
    rank = len(shapes[0])
    if any(len(s) != rank for s in shapes):
        return error
    if not -rank <= axis < rank:
        raise _GiveUp("axis")
    axis %= rank
    for i in range(rank):
        if i == axis:
            continue
        if any(dims_differ(a[i], b[i]) for a in shapes for b in shapes):
            return error
    out = list(shapes[0])
    if keras_major < 3:  # tf-keras fills a None axis from the other inputs
        out = [next((s[i] for s in shapes if s[i] is not None), None) for i in range(rank)]
    total: object = 0
    for s in shapes:
        total = None if s[axis] is None or total is None else symbolic.binop("+", total, s[axis])
    out[axis] = total
    return tuple(out)


def _broadcast(a: tuple, b: tuple) -> tuple | None:
    """Keras's Merge._compute_elemwise_op_output_shape (per-sample shapes); None if incompatible."""
    if len(a) < len(b):
        a, b = b, a
    if not b:
        return a
    out = list(a[: len(a) - len(b)])
    for i, j in zip(a[len(a) - len(b):], b):
        if i is None or j is None:
            out.append(None)
        elif i == 1 or j == 1:
            out.append(j if i == 1 else i)
        elif dims_differ(i, j):
            return None
        elif isinstance(i, Sym) and isinstance(j, Sym) and i != j:
            out.append(symbolic.anonymous(f"broadcast({i.key},{j.key})"))
        else:
            out.append(j if isinstance(i, Sym) else i)  # a literal wins over a symbol that must equal it
    return tuple(out)


def _merge(layer: Layer, inputs: tuple, keras_major: int) -> Output | ShapeError:
    """Add / Subtract / Multiply / Average / Maximum / Minimum: broadcast-compatible shapes."""
    shapes = _many(inputs)
    if len(shapes) < 2:
        raise _GiveUp("inputs")
    listed = f"[{', '.join(map(format_shape, shapes))}]"
    if layer.kind == "Subtract" and len(shapes) != 2:
        return ShapeError(-1, "A `Subtract` layer should be called on exactly 2 inputs. "
                              f"Received: input_shape={listed}", shapes[2], input_index=2, kind="other")
    batches = {s[0] for s in shapes if s and symbolic.is_int(s[0])}
    if len(batches) > 1:
        received = "Received" if keras_major >= 3 else "Got"
        return ShapeError(-1, f"Cannot merge tensors with different batch sizes. {received} tensors with shapes "
                              f"{listed}", shapes[1], input_index=1, kind="dim")
    out = shapes[0][1:]
    for i, s in enumerate(shapes[1:], start=1):
        merged = _broadcast(out, s[1:])
        if merged is None:
            return ShapeError(-1, f"Inputs have incompatible shapes. Received shapes {format_shape(out)} and "
                                  f"{format_shape(s[1:])}", s, input_index=i, kind="dim")
        out = merged
    return (batches.pop() if batches else None,) + out


_TABLE: dict[str, Handler] = {
    "Input": _input, "InputLayer": _input,
    "LSTM": _recurrent, "GRU": _recurrent, "SimpleRNN": _recurrent,
    "RNN": _rnn, "ConvLSTM1D": _conv_lstm, "ConvLSTM2D": _conv_lstm, "ConvLSTM3D": _conv_lstm,
    "Bidirectional": _bidirectional, "TimeDistributed": _time_distributed,
    "Dense": _dense, "Embedding": _embedding, "Conv1D": _conv1d,
    "Dropout": _same, "GaussianNoise": _same, "GaussianDropout": _same, "AlphaDropout": _same,
    "ActivityRegularization": _same, "Activation": _same, "Masking": _same,
    "ReLU": _same, "LeakyReLU": _same, "ELU": _same, "Softmax": _same,
    "SpatialDropout1D": _spatial_dropout_1d,
    "LayerNormalization": _normalization, "BatchNormalization": _normalization,
    "MaxPooling1D": _pooling_1d, "AveragePooling1D": _pooling_1d,
    "GlobalMaxPooling1D": _global_pooling_1d, "GlobalAveragePooling1D": _global_pooling_1d,
    "Flatten": _flatten, "Reshape": _reshape, "RepeatVector": _repeat_vector, "Permute": _permute,
    "Attention": _attention, "AdditiveAttention": _attention, "MultiHeadAttention": _multi_head_attention,
    "Concatenate": _concatenate, "TextVectorization": _text_vectorization,
    "Normalization": _same, "Rescaling": _same, "RandomFlip": _same, "RandomRotation": _same, "RandomZoom": _same,
    "RandomTranslation": _same, "RandomContrast": _same, "RandomBrightness": _same,
    "Add": _merge, "Subtract": _merge, "Multiply": _merge, "Average": _merge, "Maximum": _merge, "Minimum": _merge,
}


# ---------------------------------------------------------------------------------------------------------
# Public API

INPUT_KINDS: frozenset[str] = frozenset({"Input", "InputLayer"})


def _has_unknown(value: object) -> bool:
    if isinstance(value, MultiOutput):
        return any(_has_unknown(s) for s in value.shapes)
    if isinstance(value, tuple):
        return not _valid_shape(value)
    return True


def _call_flag(call_arguments: tuple, name: str) -> Value:
    for a in call_arguments:
        if a.keyword == name:
            return a.value
        if a.keyword in ("*", "**"):
            return UNKNOWN
    return False


def _with_scores(layer: Layer, inputs: tuple, out: Output) -> Output:
    """Attention layers called with return_attention_scores=True also return the score tensor."""
    shapes = _many(inputs)
    query, key = shapes[0], shapes[-1]
    if layer.kind == "MultiHeadAttention":
        raise _GiveUp("scores")  # Keras 3.15 reports (b, heads, Tq, Tq) here, not (b, heads, Tq, Tv)
    return MultiOutput((out, query[:-1] + (key[-2],)))


def layer_output(layer: Layer, inputs: tuple, keras_major: int = 3,
                 call_arguments: tuple = ()) -> Output | ShapeError:
    """The output of `layer` applied to `inputs` (shapes with batch), as Keras `keras_major` computes it.

    Unknown when the layer is not a Keras class in the table, an argument or input is unresolved, or Keras's
    behaviour is not modelled; a ShapeError (node -1) when Keras would raise. `call_arguments` are the
    keyword arguments of the call (only `return_attention_scores` matters).
    """
    if not layer.known or layer.has_star_args:
        return UNKNOWN
    if layer.kind in _CUDNN or layer.kind == "Bidirectional" and layer.inner is not None and layer.inner.kind in _CUDNN:
        return _rank_only_output(layer, keras_major)  # no installed Keras builds them (RNN010); their rank is known
    fn = _TABLE.get(layer.kind)
    if fn is None:
        return UNKNOWN
    if layer.kind not in INPUT_KINDS and (not inputs or any(_has_unknown(i) for i in inputs)):
        return _rank_only_output(layer, keras_major)
    try:
        out = fn(layer, inputs, keras_major)
        if layer.kind in ("Attention", "AdditiveAttention", "MultiHeadAttention") and isinstance(out, tuple):
            scores = _call_flag(call_arguments, "return_attention_scores")
            if scores is True:
                out = _with_scores(layer, inputs, out)
            elif scores is not False and scores is not None:
                return UNKNOWN
    except _GiveUp:
        return UNKNOWN
    return out


# Recurrent layers output 2D or 3D whatever their input (when they build at all): with an unknown input, their
# output rank is still known. The sizes they take from the input are unnamed symbols.
_RANK_FROM_ARGUMENTS = frozenset({"LSTM", "GRU", "SimpleRNN", "RNN", "Bidirectional", "ConvLSTM1D", "ConvLSTM2D",
                                  "ConvLSTM3D"})


_CUDNN = {"CuDNNLSTM": "LSTM", "CuDNNGRU": "GRU"}  # Keras 2's cuDNN layers: the shapes of LSTM and GRU


def _rank_only_output(layer: Layer, keras_major: int) -> Output:
    """The output of a layer whose input is unknown, when its arguments alone give the output's rank."""
    if layer.kind in _CUDNN:
        layer = dataclasses.replace(layer, kind=_CUDNN[layer.kind])
    elif layer.kind == "Bidirectional" and layer.inner is not None and layer.inner.kind in _CUDNN:
        layer = dataclasses.replace(layer, inner=dataclasses.replace(layer.inner, kind=_CUDNN[layer.inner.kind]))
    core = layer.inner if layer.kind == "Bidirectional" else layer
    if layer.kind not in _RANK_FROM_ARGUMENTS or core is None or core.kind not in _RANK_FROM_ARGUMENTS - {
            "Bidirectional"}:
        return UNKNOWN
    span = layer.call.span
    where = f"{span.path or ''}:{span.line}:{span.column}"
    middle = (symbolic.anonymous(f"{where}:size{i}") for i in range(_CONV_LSTM_RANK.get(core.kind, 0)))
    assumed = (None, symbolic.anonymous(f"{where}:steps"), *middle, symbolic.anonymous(f"{where}:features"))
    try:
        out = _TABLE[layer.kind](layer, (assumed,), keras_major)
    except _GiveUp:
        return UNKNOWN
    return UNKNOWN if isinstance(out, ShapeError) else out


def _resolve(outputs: dict, ref: TensorRef) -> Output:
    out = outputs.get(ref.node, UNKNOWN)
    if ref.index is None:
        return out
    if isinstance(out, MultiOutput) and -len(out.shapes) <= ref.index < len(out.shapes):
        return out.shapes[ref.index]
    return UNKNOWN


def _declared(model: Model, synthetic_input: tuple | None) -> tuple[Output, bool]:
    """The input of a Sequential model without an Input node: declared, synthetic, or Unknown."""
    declared = model.declared_input
    if declared is not None:
        batch = declared.batch_size
        batch_ok = batch is None or isinstance(batch, Sym) or (symbolic.is_int(batch) and batch > 0)
        if _valid_shape(declared.shape) and batch_ok:
            return (batch,) + declared.shape, False
        return UNKNOWN, False
    if synthetic_input is not None and _valid_shape(tuple(synthetic_input)):
        return (None,) + tuple(synthetic_input), True
    return UNKNOWN, False


def _gather(values: list) -> Output:
    if not values:
        return UNKNOWN
    return values[0] if len(values) == 1 else MultiOutput(tuple(values))


SUBCLASS_INPUT = "<subclass-input>"


def _walk(model: Model, keras_major: int, synthetic_input: tuple | None, layers: dict[int, Layer]
          ) -> tuple[dict, dict, list[ShapeError], Output, bool]:
    """One pass over `model.nodes` in order, with some nodes' layers replaced (`layers`: the repairs so far):
    (inputs, outputs, errors, model input, synthetic)."""
    inputs: dict = {}
    outputs: dict = {}
    errors: list[ShapeError] = []
    sequential = model.api == "sequential"
    starts_with_input = bool(model.nodes) and model.nodes[0].layer.kind in INPUT_KINDS
    feed, synthetic = (UNKNOWN, False)
    if sequential and not starts_with_input:
        feed, synthetic = _declared(model, synthetic_input)
    fed = False
    for node in model.nodes:
        layer = layers.get(node.id, node.layer)
        if layer.kind in INPUT_KINDS and not node.inputs:
            node_inputs: tuple = ()
        elif not node.inputs:
            node_inputs = (feed if sequential and not fed and not starts_with_input else UNKNOWN,)
            fed = True
        else:
            node_inputs = tuple(_resolve(outputs, ref) for ref in node.inputs)
        inputs[node.id] = node_inputs
        if layer.kind == SUBCLASS_INPUT:  # a subclassed model's `call` input: only a synthetic shape (the first)
            first = not any(n.layer.kind == SUBCLASS_INPUT for n in model.nodes[:node.id])
            outputs[node.id] = (None,) + tuple(synthetic_input) if synthetic_input is not None and first else UNKNOWN
            synthetic = synthetic or (synthetic_input is not None and first)
            continue
        out = layer_output(layer, node_inputs, keras_major, node.call_arguments)
        if isinstance(out, ShapeError):
            errors.append(dataclasses.replace(out, node=node.id))
            out = _rank_only_output(layer, keras_major)  # go on as if its input were right
        outputs[node.id] = out
    if sequential and not starts_with_input:
        model_input: Output = feed
    else:
        ids = model.input_nodes or tuple(n.id for n in model.nodes if n.layer.kind in INPUT_KINDS and not n.inputs)
        model_input = _gather([outputs.get(i, UNKNOWN) for i in ids])
    return inputs, outputs, errors, model_input, synthetic


def repair(model: Model, error: ShapeError, layers: dict[int, Layer] | None = None) -> list[tuple[int, Layer]]:
    """The fix a rank error calls for, as (node, layer as fixed) pairs: the recurrent layers upstream (one per
    branch of a merge) that lack return_sequences=True when the consumer needs a sequence (or have it when the
    consumer needs a vector). Empty when the error is not of that kind."""
    found = error.found
    if error.kind != "ndim" or found is None:
        return []
    needs_sequence = (error.expected_ndim or error.min_ndim or 0) >= 3 and len(found) == 2
    needs_vector = error.expected_ndim == 2 and len(found) == 3
    if not (needs_sequence or needs_vector):
        return []
    culprits = sequence_culprits(model, model.nodes[error.node], error.input_index, needs_sequence, layers)
    return [(c.id, with_sequences((layers or {}).get(c.id, c.layer), needs_sequence)) for c in culprits]


def propagate(model: Model, keras_major: int = 3, synthetic_input: tuple | None = None) -> ModelShapes:
    """Every node's input and output shapes, and every error, as Keras `keras_major` would compute them.

    A Sequential model without a declared input takes the per-sample shape Keras would build it from (its
    first train call's x, `model.data_input`), else `synthetic_input`. After a rank error that a missing (or
    extra) return_sequences explains, the walk runs again as if that fix were made, until no such error is
    left: the errors of every pass are kept (the first pass's at each node), the shapes are the last pass's."""
    from_data = model.api == "sequential" and model.declared_input is None and model.data_input is not None \
        and bool(model.nodes) and expected_input_ndim(model.nodes[0].layer) in (None, len(model.data_input) + 1)
    if from_data:
        synthetic_input = tuple(model.data_input)
    repairs: dict[int, Layer] = {}
    seen: dict[tuple[int, int], ShapeError] = {}
    for _ in range(len(model.nodes) + 1):
        inputs, outputs, errors, model_input, synthetic = _walk(model, keras_major, synthetic_input, repairs)
        pending: list[list[tuple[int, Layer]]] = []
        for error in errors:
            fix = repair(model, error, repairs)
            if any(node in repairs for node, _ in fix):
                continue  # the repair itself made this one: not a mistake of the code as written
            seen.setdefault((error.node, error.input_index), error)
            if fix:
                pending.append(fix)
        if not pending:
            break
        repairs.update(pending[0])  # one error's fix per pass (every branch of a merge at once)
    if model.outputs:
        model_output = _gather([_resolve(outputs, ref) for ref in model.outputs])
    else:
        model_output = outputs[model.nodes[-1].id] if model.nodes else UNKNOWN
    for node_id in repairs:  # a repaired node itself shows what it outputs as written
        written = layer_output(model.nodes[node_id].layer, inputs[node_id], keras_major,
                               model.nodes[node_id].call_arguments)
        outputs[node_id] = written if not isinstance(written, ShapeError) else UNKNOWN
    ordered = tuple(sorted(seen.values(), key=lambda e: (e.node, e.input_index)))
    return ModelShapes(inputs, outputs, ordered, model_input, model_output, synthetic and not from_data,
                       repaired=tuple(sorted(repairs)))


def expected_input_ndim(layer: Layer) -> int | None:
    """The input rank the layer requires (for TimeDistributed, Dense and Flatten: the minimum); None if any."""
    if not layer.known:
        return None
    if layer.kind == "Bidirectional":
        return expected_input_ndim(layer.inner) if layer.inner is not None else None
    if layer.kind == "Permute":
        dims = layer.arg("dims", 0)
        return len(dims) + 1 if isinstance(dims, tuple) and not is_unknown(dims) else None
    return _EXACT_NDIM.get(layer.kind, _MIN_NDIM.get(layer.kind))


def min_input_ndim(layer: Layer) -> int | None:
    """The minimum input rank of layers that accept several ranks (TimeDistributed 3, Dense 2, Flatten 1)."""
    if not layer.known:
        return None
    return _MIN_NDIM.get(layer.kind)


__all__ = [
    "INPUT_KINDS",
    "RECURRENT",
    "ModelShapes",
    "MultiOutput",
    "Output",
    "Shape",
    "ShapeError",
    "expected_input_ndim",
    "format_shape",
    "layer_output",
    "min_input_ndim",
    "propagate",
]
