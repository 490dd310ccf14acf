"""Abstract values the analyzer's evaluator works with (internal to the analyzer).

Plain Python literals stand for themselves; `ir.Unknown` for anything unresolved, and `ir.Sym` for an unresolved
value with an identity (a variable bound to an opaque call, a parameter, `X.shape[2]`). The classes below stand
for Keras objects, data, and the user's own functions, classes and modules under evaluation. Builders are mutable
while one file is being evaluated and are turned into frozen IR at the end.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rnnlint.ir import ArrayShape, CallSite, CompileInfo, Layer, Span, TensorRef, TrainCall, fast_init


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
    """The functional graph of one analysis: Input nodes and layer applications."""

    nodes: list[GraphNode] = field(default_factory=list)

    def add(self, node: GraphNode) -> int:
        self.nodes.append(node)
        return len(self.nodes) - 1


@fast_init
@dataclass(frozen=True)
class TensorObj:
    """A symbolic Keras tensor: output `ref.index` of graph node `ref.node`."""

    ref: TensorRef


@dataclass
class ModelBuilder:
    """A model under construction; `api` is sequential, functional or subclass."""

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
    nested: bool = False  # used as a layer of another model (its parent builds it)


@fast_init
@dataclass(frozen=True)
class ArrayObj:
    """A data array whose shape is (partly) known."""

    shape: ArrayShape


@fast_init
@dataclass(frozen=True)
class ModuleRef:
    """A reference to a library module or attribute path (`numpy.random`, `keras.layers.LSTM`)."""

    qualified: str


@dataclass
class ModuleContext:
    """Where code being evaluated is written: the module's text positions, its path (None for the file being
    linted) and a short key that makes symbol keys unique across modules."""

    src: Any  # positions.SourceText
    path: str | None
    key: str


@dataclass
class FunctionObj:
    """A user function (or method), evaluated at its call sites."""

    node: Any  # ast.FunctionDef
    scope_env: Any  # the Env it closes over
    context: ModuleContext
    result: Any = None
    evaluated: bool = False
    evaluating: bool = False
    kind: str = "function"  # function | method | staticmethod | classmethod | property
    owner: Any = None  # the ClassObj of a method
    results: dict = field(default_factory=dict)  # argument signature → what that call returned


@dataclass
class ClassObj:
    """A user class (a subclassed Keras model/layer when `keras_base`)."""

    node: Any  # ast.ClassDef
    keras_base: str | None
    context: ModuleContext
    model: ModelBuilder | None = None
    attrs: dict = field(default_factory=dict)  # class-level attributes and methods (FunctionObj)
    instance: Any = None  # the first InstanceObj made of it


@dataclass
class InstanceObj:
    """An instance of a user class: its attributes (set in `__init__` and other methods), then the class's."""

    cls: ClassObj
    attrs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class BoundMethod:
    """`instance.method` (or `Class.staticmethod`): a user function with what it is bound to."""

    function: FunctionObj
    self_value: Any  # the instance (or class, for a classmethod); None for a staticmethod


@dataclass
class DictObj:
    """A dict whose keys are literals (a config dict): `cfg["units"]`, `cfg.get("units", 32)`."""

    items: dict


@dataclass
class ArgParserObj:
    """An `argparse.ArgumentParser`: the defaults its arguments declare, by destination name."""

    defaults: dict = field(default_factory=dict)


@dataclass(frozen=True)
class NamespaceObj:
    """What `parse_args()` returns: the declared defaults (`args.units`); other attributes are symbols."""

    values: tuple  # ((dest, value), ...)
    key: str


@dataclass(frozen=True)
class ProjectModule:
    """A module of the linted project (`import utils`, `from models import lstm`): its evaluated namespace."""

    name: str
    env: Any  # the module's Env after its evaluation (None: a package with no __init__.py)
    path: str | None = None


@fast_init
@dataclass(frozen=True)
class ListObj:
    """A Python list of abstract values."""

    items: tuple


@fast_init
@dataclass(frozen=True)
class CallableRef:
    """A bound method we know how to evaluate: `X.reshape`, `model.add`, `rng.random`…"""

    owner: Any
    method: str
    site: CallSite | None = None


@dataclass(frozen=True)
class FileObj:
    """`open("config.json")` with a literal path: a JSON config the code loads (`json.load(f)`) is read."""

    path: str


@dataclass(frozen=True)
class DatasetObj:
    """A tf.data dataset, a Keras timeseries or image generator, or a Python generator: what one element (or,
    once batched, one batch) holds. `x`/`y` are per-sample shapes (`ArrayShape` without the batch axis, a tuple
    of them, or Unknown); `y` None: no target."""

    x: Any
    y: Any
    batch: Any = None  # the batch size (int or Sym) once batched, None when each element is one sample
    shuffled: bool | None = None
    kind: str = "dataset"  # dataset | generator
    source: str = ""
    window: Any = None  # after .window(size): each element is a dataset of `size` elements


@dataclass(frozen=True)
class FrameObj:
    """A pandas DataFrame (`columns` None: unknown) or, with `series`, a Series: `rows` is a symbol."""

    rows: Any
    columns: Any = None
    series: bool = False


@dataclass(frozen=True)
class ToolObj:
    """A scikit-learn or Keras preprocessing object whose outputs have known shapes: a scaler, an encoder, a
    Tokenizer, an ImageDataGenerator. `kind` names it."""

    kind: str
    options: tuple = ()  # (name, value) pairs of its constructor that matter
