"""Abstract values the analyzer's evaluator works with (internal to the analyzer).

Plain Python literals stand for themselves; `ir.Unknown` for anything unresolved. The classes below stand
for Keras objects and data under construction. Builders are mutable while one file is being evaluated and
are turned into frozen IR at the end.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rnnlint.ir import ArrayShape, CallSite, CompileInfo, Layer, Span, TensorRef, TrainCall


@dataclass
class LayerObj:
    """A constructed Keras layer (not yet applied)."""

    layer: Layer
    applications: int = 0


@dataclass
class GraphNode:
    layer: Layer
    inputs: tuple[TensorRef, ...]
    applied_at: Span | None
    call_arguments: tuple = ()
    layer_identity: int = 0  # id() of the LayerObj, to detect shared layers
    extra_refs: tuple[TensorRef, ...] = ()  # tensors passed as call keywords (initial_state=…): reachability only


@dataclass
class Graph:
    """The functional graph of one file: Input nodes and layer applications."""

    nodes: list[GraphNode] = field(default_factory=list)

    def add(self, node: GraphNode) -> int:
        self.nodes.append(node)
        return len(self.nodes) - 1


@dataclass(frozen=True)
class TensorObj:
    """A symbolic Keras tensor: output `ref.index` of graph node `ref.node`."""

    ref: TensorRef


@dataclass
class ModelBuilder:
    """A model under construction; `kind` is sequential, functional or subclass."""

    uid: int
    api: str
    span: Span
    name: str = ""
    layers: list = field(default_factory=list)  # sequential: (LayerObj or unknown Layer, the add() CallSite or None)
    complete: bool = True
    graph_outputs: tuple[TensorRef, ...] = ()
    graph_inputs: tuple[TensorRef, ...] = ()
    compile: CompileInfo | None = None
    train_calls: list[TrainCall] = field(default_factory=list)
    extra_calls: list = field(default_factory=list)
    subclass_nodes: list = field(default_factory=list)  # subclass: (LayerObj, inputs, applied_at)
    built_by_fit: bool = False


@dataclass(frozen=True)
class ArrayObj:
    """A data array whose shape is (partly) known."""

    shape: ArrayShape


@dataclass(frozen=True)
class ModuleRef:
    """A reference to a module or attribute path we recognise (e.g. numpy.random) — for attribute chains."""

    qualified: str


@dataclass
class FunctionObj:
    """A user function defined in this file, evaluated at its call sites."""

    node: Any  # libcst.FunctionDef
    scope_env: dict
    result: Any = None
    evaluated: bool = False
    evaluating: bool = False


@dataclass
class ClassObj:
    """A user class defined in this file (a subclassed Keras model/layer when `keras_base`)."""

    node: Any  # libcst.ClassDef
    keras_base: str | None
    model: ModelBuilder | None = None


@dataclass(frozen=True)
class ListObj:
    """A Python list of abstract values (e.g. windows appended in a loop are Unknown)."""

    items: tuple


@dataclass(frozen=True)
class CallableRef:
    """A bound method we know how to evaluate: `X.reshape`, `model.add`, `rng.random`…"""

    owner: Any
    method: str
    site: CallSite | None = None
