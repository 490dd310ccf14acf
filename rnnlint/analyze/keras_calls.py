"""Keras calls: layer and model constructors, layer applications, model methods and train calls.

A Keras layer constructor makes a `LayerObj`; calling it on tensors adds a node to the file's graph. `Sequential`
collects layers (`add`, or its list), `Model(inputs, outputs)` closes a functional graph, and a subclass of
`keras.Model` is followed through its `__init__` and `call`. The lower-case merge helpers (`concatenate([a, b])`)
are their layer classes applied at once.

Opaque layers hide only themselves: a custom or third-party layer (a user's `Attention`, a TF-Hub layer, a
function the analyzer cannot follow) applied to tensors becomes an unknown node with those tensors as inputs, so
everything upstream of it, and every branch around it, is still followed.
"""
from __future__ import annotations

import ast
import re
from typing import Any

from rnnlint.analyze import datasources
from rnnlint.analyze.interpret import Env, callee_name, ir_literal
from rnnlint.analyze.names import keras_name
from rnnlint.analyze.values import (
    ArrayObj, CallableRef, ClassObj, DatasetObj, FrameObj, GraphNode, InstanceObj, LayerObj, ListObj, ModelBuilder,
    ModuleRef, TensorObj,
)
from rnnlint.ir import (
    UNKNOWN, Argument, ArrayShape, CallSite, CompileInfo, KerasObject, Layer, ModelCall, Pos, TensorRef, TrainCall,
)

TRAIN_METHODS = {
    "fit": ("x", "y", "batch_size", "epochs"),
    "evaluate": ("x", "y", "batch_size"),
    "predict": ("x", "batch_size"),
    "train_on_batch": ("x", "y"),
    "test_on_batch": ("x", "y"),
    "predict_on_batch": ("x",),
    "fit_generator": ("generator",),
}
OTHER_MODEL_METHODS = {"reset_states", "predict_classes", "predict_proba", "summary", "build", "save",
                       "fit_generator", "predict_generator", "evaluate_generator"}
# Layers called with several tensors as separate positional arguments (the others take one tensor or a list).
POSITIONAL_TENSORS = frozenset({"MultiHeadAttention"})
# keras.layers' merge functions and the layer class each one applies.
MERGE_HELPERS = {
    "concatenate": "Concatenate", "add": "Add", "subtract": "Subtract", "multiply": "Multiply",
    "average": "Average", "maximum": "Maximum", "minimum": "Minimum", "dot": "Dot",
}
WRAPPERS = ("Bidirectional", "TimeDistributed", "RNN")


def tensors_in(values: Any) -> list[TensorRef]:
    """Every tensor among call arguments (in lists and tuples too), in order."""
    found: list[TensorRef] = []
    stack = list(values)[::-1]
    while stack:
        v = stack.pop()
        if isinstance(v, TensorObj):
            found.append(v.ref)
        elif isinstance(v, ListObj):
            stack.extend(v.items[::-1])
        elif isinstance(v, tuple):
            stack.extend(v[::-1])
    return found


class KerasCalls:
    """The Keras half of the evaluator; mixed with `Interpreter` (general) and `LibraryCalls` (data)."""

    # ------------------------------------------------------------------ constructors
    def keras_call(self, kname: str, call: ast.Call, env: Env) -> Any:
        recorded = kname in ("Model", "Functional", "Input") or kname.startswith(("optimizers.", "layers."))
        args, kwargs, arguments = self.eval_args(call, env, spans=recorded)  # the IR keeps these calls' arguments
        site = self.callsite(call)
        if kname in ("Model", "Functional") or kname.startswith("optimizers."):
            self.keras_objects.append(KerasObject(kname, site, tuple(arguments)))
        if kname == "Input":
            layer = Layer("Input", True, tuple(arguments), site)
            node = self.graph.add(GraphNode(layer, (), self.span(call)))
            return TensorObj(TensorRef(node))
        if kname == "Sequential":
            builder = ModelBuilder(uid=len(self.builders), api="sequential", span=self.span(call))
            self.builders.append(builder)
            items = args[0] if args else kwargs.get("layers")
            written = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "layers"), None)
            if isinstance(items, ListObj):
                elements = written.elts if isinstance(written, (ast.List, ast.Tuple)) and \
                    len(written.elts) == len(items.items) else [None] * len(items.items)
                for item, element in zip(items.items, elements):
                    self.seq_add(builder, item, site, written=element)
            elif items is not None:
                self.seq_add(builder, UNKNOWN, site)
            return builder
        if kname in ("Model", "Functional"):
            inputs = kwargs.get("inputs", kwargs.get("input", args[0] if args else None))
            outputs = kwargs.get("outputs", kwargs.get("output", args[1] if len(args) > 1 else None))
            if inputs is None and outputs is None:
                return UNKNOWN  # a bare Model() call is something else (subclass super().__init__ etc.)
            builder = ModelBuilder(uid=len(self.builders), api="functional", span=self.span(call))
            builder.graph_inputs = self.tensor_refs(inputs)
            builder.graph_outputs = self.tensor_refs(outputs)
            if not builder.graph_outputs:
                builder.complete = False
            self.builders.append(builder)
            return builder
        if kname.startswith("layers."):
            kind = kname[len("layers."):]
            if kind in MERGE_HELPERS:
                return self.merge_helper(MERGE_HELPERS[kind], call, args, kwargs, arguments, site)
            inner = backward = None
            if kind in WRAPPERS:
                candidate = kwargs.get("layer", kwargs.get("cell", args[0] if args else None))
                if isinstance(candidate, LayerObj):
                    inner = candidate.layer
                back = kwargs.get("backward_layer")
                if isinstance(back, LayerObj):
                    backward = back.layer
            layer = Layer(kind, True, tuple(arguments), site, inner=inner, backward=backward)
            obj = LayerObj(layer)
            self.layers.append(obj)
            return obj
        if kname.startswith("losses."):
            return "loss:" + kname[len("losses."):]
        return self.keras_utility(kname, call, args, kwargs)

    def merge_helper(self, kind: str, call: ast.Call, args: tuple, kwargs: dict, arguments: list[Argument],
                     site: CallSite) -> Any:
        """`concatenate([a, b], axis=-1)`: the layer `Concatenate(axis=-1)` applied to [a, b]."""
        inputs = kwargs.get("inputs", args[0] if args else None)
        own = tuple(a for a in arguments if a.keyword not in (None, "inputs"))
        layer = Layer(kind, True, own, site)
        refs = self.tensor_refs(inputs)
        if not refs:
            return self.opaque_call(call, args, kwargs)
        node = self.graph.add(GraphNode(layer, refs, self.span(call), (), id(layer)))
        return TensorObj(TensorRef(node))

    def tensor_refs(self, value: Any) -> tuple[TensorRef, ...]:
        if isinstance(value, TensorObj):
            return (value.ref,)
        if isinstance(value, ListObj):
            value = value.items
        if isinstance(value, tuple) and value and all(isinstance(v, TensorObj) for v in value):
            return tuple(v.ref for v in value)
        return ()

    def opaque_layer(self, name: str, site: CallSite) -> Layer:
        return Layer(name, False, (), site)

    def opaque_call(self, call: ast.Call, args: tuple, kwargs: dict) -> Any:
        """A call the analyzer cannot follow. Applied to tensors, it is an opaque layer: a node whose output is
        unknown but whose inputs are kept (so the graph upstream is still checked)."""
        refs = tensors_in((*args, *kwargs.values()))
        if not refs:  # its result has an identity: this call's (a size read off a tokenizer keeps its rank role)
            key = ("opaque", call)
            name = self.src.memo.get(key)
            if name is None:  # the same at every run of the call
                text = " ".join(self.source(call).split())
                name = self.src.memo[key] = text if len(text) <= 60 else callee_name(call.func, self.source) + "(...)"
            return self.mint(name, call)
        layer = self.opaque_layer(callee_name(call.func, self.source), self.callsite(call))
        node = self.graph.add(GraphNode(layer, tuple(refs), self.span(call)))
        return TensorObj(TensorRef(node))

    def construct(self, cls: ClassObj, call: ast.Call, env: Env) -> Any:
        """A user class called: a custom Keras layer, a subclassed model, or a plain instance."""
        args, kwargs, arguments = self.eval_args(call, env, spans=cls.keras_base == "layers.Layer")
        if cls.keras_base == "layers.Layer":
            obj = LayerObj(Layer(cls.node.name, False, tuple(arguments), self.callsite(call)))
            self.layers.append(obj)
            return obj
        if cls.keras_base == "Model":
            return cls.model if cls.model is not None else UNKNOWN
        return self.instantiate(cls, args, kwargs, call)

    def subclass_model(self, cls: ClassObj, node: ast.ClassDef, env: Env) -> None:
        """A subclass of keras.Model (or of keras.layers.Layer): its layers from `__init__`, its graph from `call`
        run on synthetic inputs (one per parameter without a default: `call(self, x, context)` takes two)."""
        name_span = self._class_name_span(node)
        builder = ModelBuilder(uid=len(self.builders), api="subclass", span=name_span, name=node.name)
        builder.nested = cls.keras_base != "Model"  # a custom layer: whatever uses it builds it
        me = InstanceObj(cls)
        self.made.append(me)
        cls.instance = me
        init = self.class_attr(cls, "__init__")
        if hasattr(init, "node"):
            self.call_function(init, (), {}, self_value=me)
        build = self.class_attr(cls, "build")  # Keras calls build(input_shape) before the first call
        if hasattr(build, "node"):
            self.call_function(build, (), {}, self_value=me)
        call = self.class_attr(cls, "call")
        if hasattr(call, "node"):
            spec = call.node.args
            params = spec.posonlyargs + spec.args
            required = len(params) - len(spec.defaults)
            site = CallSite(name_span, name_span, node.name, Pos(name_span.end_line, name_span.end_column))
            inputs = []
            for _ in params[1:required]:
                inputs.append(self.graph.add(GraphNode(layer=Layer("<subclass-input>", False, (), site), inputs=(),
                                                       applied_at=None)))
            if inputs:
                out = self.call_function(call, tuple(TensorObj(TensorRef(i)) for i in inputs), {}, self_value=me)
                outs = self.tensor_refs(out)
                if outs:
                    builder.graph_inputs = tuple(TensorRef(i) for i in inputs)
                    builder.graph_outputs = outs
                    self.builders.append(builder)
        cls.model = builder

    # ------------------------------------------------------------------ layers and models applied
    def seq_add(self, builder: ModelBuilder, item: Any, site: CallSite, added_by: CallSite | None = None,
                written: ast.AST | None = None) -> None:
        if isinstance(item, LayerObj):
            builder.layers.append((item, added_by))
        elif isinstance(item, TensorObj) and item.ref.index is None \
                and self.graph.nodes[item.ref.node].layer.kind == "Input":
            builder.layers.append((LayerObj(self.graph.nodes[item.ref.node].layer), added_by))
        elif isinstance(item, ModelBuilder) and item is not builder:
            item.nested = True  # a model used as a layer: its parent builds it
            builder.layers.append((self.opaque_layer(item.name or "Sequential", site), added_by))
        elif isinstance(written, ast.Call) and not isinstance(item, (ArrayObj, ListObj, TensorObj)):
            # an opaque layer (a custom or third-party class the analyzer cannot follow): only its output is unknown
            layer = self.opaque_layer(callee_name(written.func, self.source), self.callsite(written))
            builder.layers.append((layer, added_by))
        else:
            builder.layers.append((Layer("<unknown>", False, (), site), added_by))
            builder.complete = False

    def apply_layer(self, obj: LayerObj, call: ast.Call, env: Env) -> Any:
        args, kwargs, arguments = self.eval_args(call, env, spans=bool(call.keywords))  # the node keeps keywords
        source = kwargs.get("inputs", args[0] if args else None)
        refs = self.tensor_refs(source)
        if obj.layer.kind in POSITIONAL_TENSORS and len(args) > 1:  # mha(query, value(, key))
            each = [self.tensor_refs(a) for a in args[:3]]
            refs = tuple(r[0] for r in each) if all(len(r) == 1 for r in each) else ()
        if not refs and isinstance(source, ArrayObj) and obj.layer.kind in datasources.PREPROCESSING:
            return datasources.preprocessed(obj.layer, source, self.symbol_maker(call))  # in a dataset.map
        if not refs and isinstance(source, ArrayObj):  # a layer called eagerly on an array: the array is its input
            refs = (self.array_input(source, call),)
        if not refs:
            unknown = self.graph.add(GraphNode(Layer("<unknown>", False, (), self.callsite(call)), (),
                                               self.span(call)))
            refs = (TensorRef(unknown),)
        obj.applications += 1
        extra = tuple(a for a in arguments if a.keyword not in (None, "inputs"))
        extra_refs = tuple(r for k, v in kwargs.items() if k != "inputs" for r in self.tensor_refs(v))
        node = self.graph.add(GraphNode(obj.layer, refs, self.span(call), extra, id(obj), extra_refs))
        return TensorObj(TensorRef(node))

    def array_input(self, array: ArrayObj, call: ast.Call) -> TensorRef:
        """An input node of the array's whole shape (its first dim is the batch)."""
        site = self.callsite(call)
        dims = tuple(d if d is not None else None for d in array.shape.dims)
        argument = Argument("batch_shape", dims, site.span, site.span, repr(dims))
        node = self.graph.add(GraphNode(Layer("Input", True, (argument,), site), (), self.span(call)))
        return TensorRef(node)

    def apply_model(self, builder: ModelBuilder, call: ast.Call, env: Env) -> Any:
        """A model called on tensors (an encoder used inside another model): an opaque layer of that model."""
        args, kwargs, _ = self.eval_args(call, env)
        refs = tensors_in((*args, *kwargs.values()))
        if not refs and args and isinstance(args[0], ArrayObj) and builder.api == "sequential" and builder.complete \
                and builder.layers and all(isinstance(item, LayerObj) and item.layer.kind in datasources.PREPROCESSING
                                           for item, _ in builder.layers):
            out: Any = args[0]  # an augmentation pipeline called on images in a dataset.map
            for item, _ in builder.layers:
                out = datasources.preprocessed(item.layer, out, self.symbol_maker(call)) \
                    if isinstance(out, ArrayObj) else UNKNOWN
            return out
        if not refs:
            return UNKNOWN
        builder.nested = True
        layer = self.opaque_layer(builder.name or "Model", self.callsite(call))
        node = self.graph.add(GraphNode(layer, tuple(refs), self.span(call)))
        return TensorObj(TensorRef(node))

    # ------------------------------------------------------------------ methods
    def method_call(self, ref: CallableRef, call: ast.Call, env: Env) -> Any:
        owner, method = ref.owner, ref.method
        if isinstance(owner, ModelBuilder):
            return self.model_method(owner, method, call, env)
        if isinstance(owner, LayerObj):
            args, kwargs, _ = self.eval_args(call, env)
            if method == "__call__":
                return self.apply_layer(owner, call, env)
            return UNKNOWN
        if isinstance(owner, TensorObj):
            args, kwargs, _ = self.eval_args(call, env)
            return self.opaque_call(call, (owner, *args), kwargs)  # `x.reshape(...)` on a tensor (TF ops)
        return self.library_method(ref, call, env)

    def model_method(self, builder: ModelBuilder, method: str, call: ast.Call, env: Env) -> Any:
        recorded = method in TRAIN_METHODS or method in OTHER_MODEL_METHODS  # the IR keeps these calls' arguments
        args, kwargs, arguments = self.eval_args(call, env, spans=recorded)
        site = self.callsite(call)
        if method == "add":
            item = args[0] if args else kwargs.get("layer", UNKNOWN)
            if builder.api != "sequential":
                return None
            written = call.args[0] if call.args else None
            if self.branch_depth > 0:
                builder.complete = False
                item, written = UNKNOWN, None
            self.seq_add(builder, item, site, added_by=site, written=written)
            return None
        if method == "compile":
            loss = kwargs.get("loss", args[1] if len(args) > 1 else None)
            if isinstance(loss, ModuleRef):  # loss=keras.losses.mse
                kn = keras_name(loss.qualified)
                loss = "loss:" + kn[len("losses."):] if kn and kn.startswith("losses.") else UNKNOWN
            builder.compile = CompileInfo(canonical_loss(loss), self.span(call))
            return None
        if method in TRAIN_METHODS:
            builder.train_calls.append(self.train_call(method, args, kwargs, arguments, call, site, builder.compile))
            return UNKNOWN
        if method in OTHER_MODEL_METHODS:
            builder.extra_calls.append(ModelCall(method, self.span(call), site, tuple(arguments)))
        if method == "__call__":
            return self.apply_model(builder, call, env)
        return UNKNOWN

    def train_call(self, method: str, args: tuple, kwargs: dict, arguments: list[Argument], call: ast.Call,
                   site: CallSite, compiled: CompileInfo | None = None) -> TrainCall:
        order = TRAIN_METHODS[method]

        def get(name: str) -> tuple[bool, Any]:
            if name in kwargs:
                return True, kwargs[name]
            if name in order and order.index(name) < len(args):
                return True, args[order.index(name)]
            return False, None

        has_x, x = get("x")
        has_y, y = get("y")
        has_bs, bs = get("batch_size")
        has_shuffle, shuffle = get("shuffle")
        _, epochs = get("epochs")
        _, vd = get("validation_data")
        validation = None
        if isinstance(vd, (tuple, ListObj)):
            items = vd.items if isinstance(vd, ListObj) else vd
            if len(items) >= 2:
                validation = (data_of(items[0]), data_of(items[1]))
        x_src = y_src = ""
        positional = [a for a in call.args if not isinstance(a, ast.Starred)]
        for kw in call.keywords:
            if kw.arg == "x":
                x_src = self.source(kw.value)
            if kw.arg == "y":
                y_src = self.source(kw.value)
        if not x_src and positional:
            x_src = self.source(positional[0])
        if not y_src and len(positional) > 1 and "y" in order:
            y_src = self.source(positional[1])
        return TrainCall(
            method=method, x=data_of(x) if has_x else None, y=data_of(y) if has_y else None,
            batch_size=ir_literal(bs) if has_bs else None, has_batch_size=has_bs,
            shuffle=ir_literal(shuffle) if has_shuffle else None, has_shuffle=has_shuffle,
            epochs=ir_literal(epochs), validation_data=validation, span=self.span(call), call=site,
            keywords=tuple(kwargs), arguments=tuple(arguments), x_source=x_src, y_source=y_src,
            compile=compiled,
        )


def data_of(value: Any) -> Any:
    """What a train call's x or y is, for the rules: an array's shape, a tuple of them, a dataset's batches, or
    Unknown."""
    if isinstance(value, ArrayObj):
        return value.shape
    if isinstance(value, DatasetObj):
        return datasources.dataset_shape(value)
    if isinstance(value, FrameObj):
        columns = value.columns if value.columns is not None else None
        return ArrayShape((value.rows,) if value.series else (value.rows, columns))
    if isinstance(value, ListObj):
        value = value.items
    if isinstance(value, tuple) and value and all(isinstance(v, ArrayObj) for v in value):
        return tuple(v.shape for v in value)
    return UNKNOWN


_LOSS_ALIASES = {
    "mse": "mse", "mean_squared_error": "mse", "meansquarederror": "mse",
    "mae": "mae", "mean_absolute_error": "mae", "meanabsoluteerror": "mae",
    "binary_crossentropy": "binary_crossentropy", "binarycrossentropy": "binary_crossentropy",
    "categorical_crossentropy": "categorical_crossentropy", "categoricalcrossentropy": "categorical_crossentropy",
    "sparse_categorical_crossentropy": "sparse_categorical_crossentropy",
    "sparsecategoricalcrossentropy": "sparse_categorical_crossentropy",
    "huber": "huber", "huber_loss": "huber", "msle": "msle", "mean_squared_logarithmic_error": "msle",
    "mape": "mape", "mean_absolute_percentage_error": "mape",
}


def canonical_loss(value: Any) -> Any:
    """'mean_squared_error', keras.losses.MeanSquaredError(), 'loss:MSE' → 'mse'; None when absent."""
    if value is None:
        return None
    if isinstance(value, str):
        raw = value[len("loss:"):] if value.startswith("loss:") else value
        key = re.sub(r"[^a-z_]", "", raw.lower())
        return _LOSS_ALIASES.get(key, _LOSS_ALIASES.get(key.replace("_", ""), raw))
    return UNKNOWN


__all__ = ["KerasCalls", "MERGE_HELPERS", "TRAIN_METHODS", "canonical_loss", "data_of", "tensors_in"]
