"""Static shape propagation through a model's layer graph, with the same semantics as Keras.

One table maps a Keras class name to a function (layer, input shapes, keras major) → output shape, or a
`ShapeError` describing what Keras would raise. Shapes include the batch dimension (None when not static).
Unknown layers or unresolved arguments make the shape Unknown downstream: never a guess.

INTERFACE (stable; implementation filled in by the shape-table work):
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from rnnlint.ir import Layer, Model, Unknown, UNKNOWN

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
    synthetic_input: bool = False  # True when the input shape was supplied, not declared
