"""Comparing data shapes with a model's input and output shapes (shared by the data rules).

Knows the adjustments Keras makes by itself, so that rules flag only what fails or trains on the wrong thing.
"""
from __future__ import annotations

from dataclasses import dataclass

from rnnlint.ir import ArrayShape, DatasetShape, Model, Sym, TrainCall, Unknown, dims_differ
from rnnlint.shapes import ModelShapes

SPARSE_LOSSES = ("sparse_categorical_crossentropy",)
KNOWN_LOSSES = ("mse", "mae", "msle", "mape", "huber", "binary_crossentropy", "categorical_crossentropy",
                "sparse_categorical_crossentropy")


def dims_match(a: tuple, b: tuple) -> bool:
    """Equal rank and no dim that certainly differs (None and symbols may be anything)."""
    return len(a) == len(b) and all(not dims_differ(x, y) for x, y in zip(a, b))


def maybe_one(dim: object) -> bool:
    """A dim that is 1, or may be (a symbol, or None): Keras's size-1 adjustments may apply."""
    return dim == 1 and not isinstance(dim, bool) or dim is None or isinstance(dim, Sym) and dim.at_least <= 1


def single_shape(value: object) -> tuple | None:
    """A plain shape tuple (batch included; dims may be symbols), or None for Unknown / several outputs."""
    if isinstance(value, tuple) and all(d is None or isinstance(d, (int, Sym)) for d in value):
        return value
    return None


def first_real_kind(model: Model) -> str | None:
    for node in model.nodes:
        if node.layer.kind not in ("Input", "InputLayer"):
            return node.layer.kind
    return None


@dataclass(frozen=True)
class DataContext:
    """The pieces a data rule needs for one train call."""

    model: Model
    shapes: ModelShapes
    call: TrainCall
    model_input: tuple
    x: ArrayShape


def followed_whole(model: Model) -> bool:
    """Every layer of the model was followed and is one rnnlint models: no opaque layer (a custom or third-party
    layer may reshape the data any way it likes, or behave differently in training and inference), nothing lost.
    The data rules compare x and y with the model only then."""
    return model.complete and all(n.layer.known or n.layer.kind == "<subclass-input>" for n in model.nodes)


def x_contexts(model: Model, shapes: ModelShapes):
    """Train calls whose x is one known array and whose model has a single declared (non-synthetic) input."""
    if shapes.synthetic_input or shapes.errors or not followed_whole(model):
        return
    model_input = single_shape(shapes.model_input)
    if model_input is None:
        return
    for call in model.train_calls:
        x = x_of(call)
        if x is not None:
            yield DataContext(model, shapes, call, model_input, x)


def x_of(call: TrainCall) -> ArrayShape | None:
    """The x a train call gives the model, as one array: the array itself, or a dataset's batches."""
    if isinstance(call.x, ArrayShape):
        return call.x
    if isinstance(call.x, DatasetShape) and isinstance(call.x.x, ArrayShape):
        return call.x.x
    return None


def y_of(call: TrainCall) -> ArrayShape | None:
    """The target a train call trains on: its y, or a dataset's batches' targets."""
    if isinstance(call.y, ArrayShape):
        return call.y
    if call.y is None and isinstance(call.x, DatasetShape) and isinstance(call.x.y, ArrayShape):
        return call.x.y
    return None


def named(data: ArrayShape, name: str, call: TrainCall) -> str:
    """How a message names the data: `y_train`, `y in the batches of ds`, and where it was made when that says
    more ("y (from to_categorical(labels) on line 7)")."""
    if isinstance(call.x, DatasetShape) and (data is call.x.x or data is call.x.y):
        name = f"{'x' if data is call.x.x else 'y'} in the batches of {call.x_source or 'the dataset'}"
    if data.source and data.source.rsplit(" on ", 1)[0] != name:
        return f"{name} (from {data.source})"
    return name


def lacks_feature_axis(x: ArrayShape, model_input: tuple) -> bool:
    """x is the model input without its trailing size-1 feature axis: (n, T) for a declared (T, 1), (n,) for
    (None, 1) (or may be: the feature dim is a symbol that could be 1). Whether Keras adds the axis depends on
    the release (rnnlint.kerasver.adds_feature_axis)."""
    return (x.rank == len(model_input) - 1 and maybe_one(model_input[-1])
            and dims_match(x.dims[1:], model_input[1:-1]))


def target_ok(y: ArrayShape, output: tuple, loss: str) -> bool:
    """Whether y fits the output under `loss` (with the adjustments Keras makes)."""
    per_y, per_out = y.dims[1:], output[1:]
    if loss in SPARSE_LOSSES:
        return dims_match(per_y, per_out[:-1]) or dims_match(per_y, per_out[:-1] + (1,))
    if dims_match(per_y, per_out):
        return True
    # Keras 3 squeezes a trailing size-1 axis when the ranks differ by one: (n, T) fits (None, T, 1),
    # (n,) fits (None, 1), and (n, 3, 1) fits (None, 3).
    if len(per_out) >= 1 and maybe_one(per_out[-1]) and dims_match(per_y, per_out[:-1]):
        return True
    return len(per_y) >= 1 and maybe_one(per_y[-1]) and dims_match(per_y[:-1], per_out)


def loss_name(model: Model, call: TrainCall | None = None) -> str | None:
    """The loss a train call trains with: the compile in effect when it runs (else the model's last one)."""
    compiled = call.compile if call is not None and call.compile is not None else model.compile
    if compiled is None or isinstance(compiled.loss, Unknown):
        return None
    loss = compiled.loss
    return loss if loss in KNOWN_LOSSES else None
