"""The model IR: plain frozen dataclasses that every stage after the analyzer reads.

The analyzer is the only code that looks at the CST; it produces a `FileIR`. Rules, the shape
propagator, the checker, the reporters and the language server read only these values.
Everything here is JSON-serialisable through `to_jsonable`.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, Literal, Union


def fast_init(cls: type) -> type:
    """Give a frozen dataclass made many times a run an `__init__` that fills the new instance's `__dict__`
    directly. The generated one sets each field through `object.__setattr__` (the class is frozen), which costs
    ~5x as much; the IR and the analyzer's values make ~100,000 objects of the classes marked so on a 557-file tree
    (measured: 4-6% of the analysis). Same signature, defaults and result (tests/test_fast_init.py); for classes
    whose fields all take their values from `__init__`, with plain defaults and no `__post_init__`. Apply it above
    `@dataclass`."""
    fields = dataclasses.fields(cls)
    if hasattr(cls, "__post_init__") or any(not f.init or f.default_factory is not dataclasses.MISSING for f in fields):
        raise TypeError(f"fast_init cannot make {cls.__name__}'s __init__")
    defaults = {f"_default_{f.name}": f.default for f in fields if f.default is not dataclasses.MISSING}
    parameters = ", ".join(f.name if f.default is dataclasses.MISSING else f"{f.name}=_default_{f.name}" for f in fields)
    body = "".join(f"    d[{f.name!r}] = {f.name}\n" for f in fields) or "    pass\n"
    namespace = dict(defaults)
    exec(f"def __init__(self, {parameters}):\n    d = self.__dict__\n{body}", namespace)  # noqa: S102 - as dataclasses does
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    init.fast_init = True  # (for the tests that compare it with the generated one)
    cls.__init__ = init
    return cls


@dataclass(frozen=True)
class Unknown:
    """A value the analyzer could not resolve statically. Rules that need it stay silent."""

    reason: str = ""

    def __repr__(self) -> str:
        return "Unknown"

    def __eq__(self, other: object) -> bool:  # every Unknown is the same unknown
        return isinstance(other, Unknown)

    def __hash__(self) -> int:
        return hash("rnnlint.Unknown")


UNKNOWN = Unknown()


@fast_init
@dataclass(frozen=True, eq=False, repr=False)
class Sym(Unknown):
    """A value the analyzer cannot compute but can name: a size from the data (`X.shape[2]`, `len(chars)`), from
    a parameter (`n_features`) or from an opaque call bound to a variable (`vocab`).

    Two symbols are the same value exactly when their `key`s are equal (the same variable at the same
    definition, the same `X.shape[i]`). A Sym *is* an Unknown to every consumer that needs a literal (a rule that
    needs a concrete value stays silent); shapes and the data rules read it as a fixed positive size, so ranks
    survive. `expr` is set for a derived size: (operator, left, right) with ints or Syms as operands.
    """

    name: str = "?"
    key: str = ""
    expr: tuple | None = None
    at_least: int = 0  # a known lower bound (to_categorical's classes: at least 2)
    integer: bool = False  # certainly an int (a length, a shape entry, a range's counter), not an array

    def __repr__(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sym) and other.key == self.key

    def __hash__(self) -> int:
        return hash(("rnnlint.Sym", self.key))


def is_size(value: object) -> bool:
    """A static size: a non-negative int (not a bool) or a symbol."""
    if isinstance(value, Sym):
        return True
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def dims_differ(a: object, b: object) -> bool:
    """Two dims that certainly differ: both concrete and unequal. A symbol may equal anything but a different
    literal is never claimed; None (not static) matches anything."""
    if isinstance(a, Sym) and isinstance(b, int) and not isinstance(b, bool):
        return b < a.at_least
    if isinstance(b, Sym) and isinstance(a, int) and not isinstance(a, bool):
        return a < b.at_least
    return isinstance(a, int) and isinstance(b, int) and not isinstance(a, bool) and not isinstance(b, bool) \
        and a != b

# A resolved literal value: int, float, str, bool, None, or a tuple of values; else Unknown.
Value = Any


def is_unknown(value: Value) -> bool:
    """True when `value` is Unknown or is a tuple containing Unknown anywhere."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, tuple):
        return any(is_unknown(v) for v in value)
    return False


@fast_init
@dataclass(frozen=True)
class Pos:
    """A position: 1-based line, 1-based column (column counts characters)."""

    line: int
    column: int


@fast_init
@dataclass(frozen=True)
class Span:
    """A source range; `end` is exclusive. Lines and columns are 1-based.

    `path` is None for a range in the file being linted; the analyzer sets it for a range in another module of
    the project that the file imports (a layer written in `models.py`, built by a call in `train.py`)."""

    line: int
    column: int
    end_line: int
    end_column: int
    path: str | None = None

    @property
    def start(self) -> Pos:
        return Pos(self.line, self.column)

    @property
    def end(self) -> Pos:
        return Pos(self.end_line, self.end_column)


@fast_init
@dataclass(frozen=True)
class Argument:
    """One argument of a call: keyword (or None for positional), its resolved value and its span.

    `span` covers the whole argument including `name=`; `value_span` only the value expression.
    """

    keyword: str | None
    value: Value
    span: Span
    value_span: Span
    source: str = ""  # the value expression as written (for messages and fixes)
    unpacked: bool = False  # an entry of a `**config` dict: `span` is the whole `**config` (no fix may edit it)


@fast_init
@dataclass(frozen=True)
class CallSite:
    """Where a call is written, and what a fix needs to edit its argument list."""

    span: Span  # the whole call expression
    func_span: Span  # the callee expression (e.g. `layers.LSTM`)
    func_source: str  # the callee as written
    close_paren: Pos  # position of the closing `)` (insertion point for a new argument)
    has_trailing_comma: bool = False
    statement: Pos | None = None  # start of the statement that contains the call (insertion point for a new line)
    statement_indent: str = ""  # the indentation of that statement
    line_indent: str = ""  # the indentation of the line where the call starts
    starts_line: bool = False  # the call is the first thing on its line


@fast_init
@dataclass(frozen=True)
class Layer:
    """A Keras layer as constructed in the source.

    `kind` is the canonical Keras class name (`LSTM`, `Bidirectional`, `InputLayer`, `Input`…) when
    the constructor resolves to Keras; otherwise `known` is False and `kind` is the name as written.
    """

    kind: str
    known: bool
    arguments: tuple[Argument, ...]
    call: CallSite
    inner: Layer | None = None  # Bidirectional/TimeDistributed layer, or RNN's cell
    backward: Layer | None = None  # Bidirectional(backward_layer=...)

    @property
    def span(self) -> Span:
        return self.call.span

    def arg(self, name: str, position: int | None = None, default: Value = None) -> Value:
        """The value of keyword `name` (or positional `position`), else `default`."""
        for a in self.arguments:
            if a.keyword == name:
                return a.value
        if position is not None:
            positional = [a for a in self.arguments if a.keyword is None]
            if position < len(positional):
                return positional[position].value
        return default

    def has_arg(self, name: str, position: int | None = None) -> bool:
        if any(a.keyword == name for a in self.arguments):
            return True
        if any(a.keyword in ("*", "**") for a in self.arguments):
            return True  # **kwargs may hold it: treat as present-but-unknown
        if position is not None:
            return len([a for a in self.arguments if a.keyword is None]) > position
        return False

    def argument(self, name: str) -> Argument | None:
        for a in self.arguments:
            if a.keyword == name:
                return a
        return None

    @property
    def has_star_args(self) -> bool:
        return any(a.keyword in ("*", "**") for a in self.arguments)


@fast_init
@dataclass(frozen=True)
class TensorRef:
    """An edge of the layer graph: output `index` of node `node` (index None = the whole output)."""

    node: int
    index: int | None = None


@fast_init
@dataclass(frozen=True)
class Node:
    """One application of a layer in a model's graph (Sequential position or functional call)."""

    id: int
    layer: Layer
    inputs: tuple[TensorRef, ...]  # empty for input nodes
    applied_at: Span | None = None  # functional: where `layer(x)` is called
    call_arguments: tuple[Argument, ...] = ()  # functional call kwargs (initial_state=…, mask=…)
    shared: bool = False  # the same layer object is applied more than once
    added_by: CallSite | None = None  # Sequential: the `model.add(...)` call that added it
    instance: int | None = None  # the first node applying the same layer object (a shared layer), else None


@dataclass(frozen=True)
class DeclaredInput:
    """The per-sample input shape a model declares, and how it declares it."""

    shape: Value  # tuple of dims (ints / None) without batch, or Unknown
    batch_size: Value  # int, None (not static), or Unknown
    via: Literal["Input", "InputLayer", "input_shape", "input_dim", "batch_input_shape", "batch_shape"]
    span: Span
    node: int | None  # the node that carries the declaration


@fast_init
@dataclass(frozen=True)
class ArrayShape:
    """The statically known shape of a data array (samples first). Dims are ints, symbols (`Sym`: a fixed size
    the analyzer can name but not compute) or None (unknown dim)."""

    dims: tuple[int | Sym | None, ...]
    dtype: Literal["int", "float", "bool", "str", "object"] | None = None  # object: a list of sequences
    source: str = ""  # where it was made, for messages ("to_categorical(y_train) on line 6")
    classes: int | None = None  # integer labels whose number of classes is known (mnist's: 10)

    @property
    def rank(self) -> int:
        return len(self.dims)

    @property
    def samples(self) -> int | Sym | None:
        return self.dims[0] if self.dims else None


@dataclass(frozen=True)
class DatasetShape:
    """A dataset or generator given to fit/evaluate/predict (tf.data, TimeseriesGenerator, an image directory
    iterator): what one of its batches holds. Keras ignores the call's batch_size and shuffle for it."""

    x: Any  # the batch's x: an ArrayShape with the batch axis first, a tuple of them, or Unknown
    y: Any  # the batch's y, or None when its elements have no target
    batch_size: Any  # int, Sym, or Unknown (None: not batched — each element is one sample)
    shuffled: bool | None = None  # True after .shuffle(...) (or a shuffling iterator), None when not known
    kind: Literal["dataset", "generator"] = "dataset"
    source: str = ""


# Data given to a train call: a known shape, several (multi-input list), a dataset, or Unknown.
Data = Union[ArrayShape, tuple["Data", ...], DatasetShape, Unknown, None]


@dataclass(frozen=True)
class TrainCall:
    """`model.fit/evaluate/predict/train_on_batch/...` with what the analyzer could resolve of it."""

    method: str
    x: Data
    y: Data  # None when not given
    batch_size: Value  # the literal, Unknown, or None when absent
    has_batch_size: bool
    shuffle: Value
    has_shuffle: bool
    epochs: Value
    validation_data: tuple[Data, Data] | None
    span: Span
    call: CallSite
    keywords: tuple[str, ...] = ()  # keyword names passed (nb_epoch, …)
    arguments: tuple[Argument, ...] = ()
    x_source: str = ""  # the x expression as written
    y_source: str = ""
    compile: "CompileInfo | None" = None  # the compile in effect when the call runs (a model may be recompiled)


@dataclass(frozen=True)
class ModelCall:
    """Another method called on a model (`summary`, `build`, `reset_states`, `predict_classes`…)."""

    method: str
    span: Span
    call: CallSite
    arguments: tuple[Argument, ...] = ()


@dataclass(frozen=True)
class CompileInfo:
    loss: Value  # canonical loss name (e.g. "mse", "sparse_categorical_crossentropy"), Unknown, or None
    span: Span


@dataclass(frozen=True)
class Model:
    """A model found in the source."""

    id: int
    name: str  # the variable it is bound to, or "" when anonymous
    api: Literal["sequential", "functional", "subclass"]
    nodes: tuple[Node, ...]  # in topological (source) order
    outputs: tuple[TensorRef, ...]
    declared_input: DeclaredInput | None
    span: Span  # the model's construction (Sequential(...) / Model(...) / class statement)
    complete: bool = True  # False when some layers could not be followed (loops, unknown calls)
    compile: CompileInfo | None = None
    train_calls: tuple[TrainCall, ...] = ()
    input_nodes: tuple[int, ...] = ()  # functional: the Input nodes, in the order of Model(inputs=...)
    adds_after_build: bool = False
    extra_calls: tuple["ModelCall", ...] = ()  # other model methods called (reset_states, predict_classes…)
    nested: bool = False  # used as a layer of another model, which builds it
    data_input: tuple | None = None  # Sequential without a declared input: per-sample dims of the first known x

    def node(self, node_id: int) -> Node:
        return self.nodes[node_id]


@dataclass(frozen=True)
class Import:
    """An import statement (for rules about removed modules)."""

    module: str
    names: tuple[str, ...]
    span: Span
    module_span: Span | None = None  # the dotted module name (`from X import …` / `import X`)
    name_spans: tuple[Span, ...] = ()  # each imported name (without its `as` alias)
    names_end: Pos | None = None  # just after the last imported name (`from X import a, b|`)
    aliases: tuple[str | None, ...] = ()  # the `as` name of each imported name, or None


@dataclass(frozen=True)
class KerasObject:
    """A Keras object made outside the layer graph whose keywords rules read: a model construction
    (`Model(input=..., output=...)`) or an optimizer (`Adam(lr=0.01)`). `name` is the canonical Keras name
    (`Model`, `optimizers.Adam`)."""

    name: str
    call: CallSite
    arguments: tuple[Argument, ...] = ()


@dataclass(frozen=True)
class FileIR:
    """Everything the analyzer found in one source file."""

    models: tuple[Model, ...] = ()
    imports: tuple[Import, ...] = ()
    mentions_keras: bool = False
    standalone_layers: tuple[Layer, ...] = ()  # Keras layers constructed outside any model we followed
    keras_objects: tuple[KerasObject, ...] = ()  # models and optimizers constructed in this file
    dependencies: tuple[str, ...] = ()  # the project modules the analysis imported (their paths)


def to_jsonable(value: Any) -> Any:
    """Turn IR values into plain JSON data (dataclasses become dicts with a `type` key)."""
    if isinstance(value, Sym):
        return {"type": "Sym", "name": value.name}
    if isinstance(value, Unknown):
        return {"type": "Unknown"}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {"type": type(value).__name__}
        for f in dataclasses.fields(value):
            out[f.name] = to_jsonable(getattr(value, f.name))
        return out
    if isinstance(value, (tuple, list)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return repr(value)
    return value


__all__ = [
    "UNKNOWN", "Unknown", "Sym", "is_size", "dims_differ", "Value", "is_unknown", "Pos", "Span", "Argument", "CallSite", "Layer",
    "TensorRef", "Node", "DeclaredInput", "ArrayShape", "DatasetShape", "Data", "TrainCall", "ModelCall", "CompileInfo", "Model", "KerasObject",
    "Import", "FileIR", "to_jsonable", "field",
]
