"""Differential test: the static analysis against the real Keras as the oracle.

A seeded generator writes random Sequential and functional models as *source text* (random chains of the layers
rnnlint models, several import styles and model-building styles). For each model:

  (a) the static side: `lint_source` with RNN001/RNN003, its shape errors and the model's final output shape;
  (b) the oracle: the same model built in this process with `keras.layers`, **from the generator's structured
      spec** (the generated text is never exec'd), recording whether Keras raises and its `output_shape`.

Verdicts must agree ("static finds a shape error" ⇔ "Keras raises while building"), and when both build, the
static output shape must equal Keras's, on at least 99% of the models. Every disagreement is printed.
Keras missing is a failure, not a skip: this test is the evidence that shapes.py mirrors Keras.

`bench/differential.py` runs the same generator for more models / other seeds.
"""
from __future__ import annotations

import math
import os
import random
import time
import warnings
from dataclasses import dataclass, field
from typing import Any

SEED = 20250401
N_MODELS = 520
REQUIRED_AGREEMENT = 0.995
N_SYMBOLIC = 260
TIME_BUDGET_S = 90  # the model loop (Keras import excluded); printed, asserted loosely below

# ---------------------------------------------------------------------------------------------------------
# Specs


@dataclass
class LayerSpec:
    """One layer constructor: keras.layers.<kind>(*args, **kwargs), `inner` as the first positional arg."""

    kind: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    inner: "LayerSpec | None" = None

    def n_outputs(self) -> int:
        """How many tensors calling the layer returns (return_state, Bidirectional merge_mode=None)."""
        if self.kind == "Bidirectional":
            inner = self.inner
            assert inner is not None
            mains = 2 if ("merge_mode" in self.kwargs and self.kwargs["merge_mode"] is None) else 1
            states = 2 * inner.n_states() if inner.kwargs.get("return_state") else 0
            return mains + states
        if self.kwargs.get("return_state"):
            return 1 + self.n_states()
        return 1

    def n_states(self) -> int:
        kind = self.inner.kind if self.kind == "RNN" and self.inner is not None else self.kind
        return 2 if kind in ("LSTM", "LSTMCell", "ConvLSTM1D", "ConvLSTM2D") else 1


@dataclass
class InputSpec:
    shape: tuple  # per-sample
    dtype: str | None = None  # "int32" for Embedding inputs
    batch_size: int | None = None
    via: str = "Input"  # Sequential: Input | add_Input | InputLayer | input_shape; functional: Input
    spelling: str = "shape"  # shape= | positional | batch_shape= | input_shape= (InputLayer's alias)


@dataclass
class Step:
    """A functional step: `out = layer(ins)` (+ `[0]` or tuple unpacking when it returns several tensors)."""

    out: str
    layer: LayerSpec
    ins: tuple[str, ...]
    take: str = "whole"  # whole | index0 | unpack


@dataclass
class ModelSpec:
    api: str  # sequential | functional
    style: str  # import style
    input: InputSpec
    layers: list[LayerSpec] = field(default_factory=list)  # sequential
    steps: list[Step] = field(default_factory=list)  # functional
    seq_form: str = "list"  # sequential: list | add
    output: str = ""  # functional: the output variable
    variant: str = "plain"  # plain | constants (named dims) | function (dims as parameters) | bound (functional)


# ---------------------------------------------------------------------------------------------------------
# Generator (an approximate per-sample shape tracker steers it toward plausible models; Keras decides)

RNNS = ("LSTM", "GRU", "SimpleRNN")


def _prod(shape: tuple) -> int | None:
    return None if shape is None or None in shape else math.prod(shape)


class Generator:
    def __init__(self, rng: random.Random) -> None:
        self.r = rng

    # -- helpers
    def units(self) -> int:
        return self.r.randint(1, 8)

    def dim(self, none_p: float = 0.0) -> int | None:
        return None if self.r.random() < none_p else self.r.randint(1, 12)

    def maybe_kw(self, name: str, value: Any, args: list, kwargs: dict, positional_ok: bool = True) -> None:
        """Put a leading argument positionally (when everything before it is positional) or by keyword."""
        if positional_ok and not kwargs and self.r.random() < 0.6:
            args.append(value)
        else:
            kwargs[name] = value

    # -- layers
    def rnn(self, kind: str | None = None, *, functional: bool, seq: bool | None = None) -> LayerSpec:
        kind = kind or self.r.choice(RNNS)
        args: list = []
        kwargs: dict = {}
        cell = None
        if self.r.random() < 0.08:  # keras.layers.RNN(LSTMCell(units), ...)
            cell = LayerSpec(kind + "Cell", (self.units(),))
            kind = "RNN"
        else:
            self.maybe_kw("units", self.units(), args, kwargs)
        rs = self.r.random() < 0.55 if seq is None else seq
        if rs or self.r.random() < 0.3:
            kwargs["return_sequences"] = rs
        if functional and self.r.random() < 0.2:
            kwargs["return_state"] = True
        if cell is None and self.r.random() < 0.1:
            kwargs["activation"] = self.r.choice(["tanh", "relu"])
        if cell is None and self.r.random() < 0.1:
            kwargs["dropout"] = 0.1
        return LayerSpec(kind, tuple(args), kwargs, cell)

    def bidirectional(self, *, functional: bool, seq: bool | None = None) -> LayerSpec:
        inner = self.rnn(functional=functional, seq=seq)
        kwargs: dict = {}
        modes = ["concat", "sum", "mul", "ave"] + ([None] if functional else [])
        if self.r.random() < 0.6:
            kwargs["merge_mode"] = self.r.choice(modes)
        return LayerSpec("Bidirectional", (), kwargs, inner)

    def conv1d(self) -> LayerSpec:
        args: list = []
        kwargs: dict = {}
        self.maybe_kw("filters", self.r.randint(1, 8), args, kwargs)
        k = self.r.randint(1, 5)
        self.maybe_kw("kernel_size", k if self.r.random() < 0.8 else (k,), args, kwargs)
        if self.r.random() < 0.4:
            kwargs["strides"] = self.r.randint(1, 3)
        if self.r.random() < 0.6:
            kwargs["padding"] = self.r.choice(["valid", "same", "causal"])
        if self.r.random() < (0.1 if "strides" not in kwargs else 0.04):
            kwargs["dilation_rate"] = 2
        if self.r.random() < 0.2:
            kwargs["activation"] = "relu"
        if self.r.random() < 0.05:
            kwargs["data_format"] = "channels_first"
        return LayerSpec("Conv1D", tuple(args), kwargs)

    def pooling(self) -> LayerSpec:
        kind = self.r.choice(["MaxPooling1D", "AveragePooling1D"])
        args: list = []
        kwargs: dict = {}
        if self.r.random() < 0.7:
            self.maybe_kw("pool_size", self.r.randint(1, 4), args, kwargs)
        if self.r.random() < 0.3:
            kwargs["strides"] = self.r.randint(1, 3)
        if self.r.random() < 0.4:
            kwargs["padding"] = self.r.choice(["valid", "same"])
        if self.r.random() < 0.05:
            kwargs["data_format"] = "channels_first"
        return LayerSpec(kind, tuple(args), kwargs)

    def dense(self, units: int | None = None) -> LayerSpec:
        args: list = []
        kwargs: dict = {}
        self.maybe_kw("units", units or self.units(), args, kwargs)
        if self.r.random() < 0.3:
            kwargs["activation"] = self.r.choice(["relu", "sigmoid", "softmax", "linear"])
        return LayerSpec("Dense", tuple(args), kwargs)

    def time_distributed(self) -> LayerSpec:
        x = self.r.random()
        if x < 0.75:
            inner = self.dense()
        elif x < 0.85:
            inner = self.conv1d()
        elif x < 0.93:
            inner = self.rnn(functional=False)
        else:
            inner = LayerSpec("Flatten") if x < 0.97 else LayerSpec("Dropout", (0.1,))
        return LayerSpec("TimeDistributed", (), {}, inner)

    def reshape(self, cur: tuple | None) -> LayerSpec:
        size = _prod(cur) if cur is not None else None
        if size is None or size < 1:
            last = cur[-1] if cur else None
            target = (-1, last) if isinstance(last, int) and self.r.random() < 0.6 else (-1, self.r.randint(1, 4))
        else:
            divisors = [d for d in range(1, size + 1) if size % d == 0]
            d = self.r.choice(divisors)
            shape = self.r.choice([(size // d, d), (size,), (d, size // d, 1)])
            if self.r.random() < 0.3:
                i = self.r.randrange(len(shape))
                shape = shape[:i] + (-1,) + shape[i + 1:]
            if self.r.random() < 0.1:  # a wrong size
                shape = shape + (2,)
            target = shape
        args: list = []
        kwargs: dict = {}
        self.maybe_kw("target_shape", target, args, kwargs)
        return LayerSpec("Reshape", tuple(args), kwargs)

    def permute(self, cur: tuple | None) -> LayerSpec:
        rank = len(cur) if cur else self.r.randint(2, 3)
        if self.r.random() < 0.1:
            rank = self.r.randint(1, 3)
        dims = list(range(1, rank + 1))
        self.r.shuffle(dims)
        return LayerSpec("Permute", (tuple(dims),), {})

    def conv_lstm(self, kind: str, *, functional: bool) -> LayerSpec:
        args: list = []
        kwargs: dict = {}
        self.maybe_kw("filters", self.r.randint(1, 4), args, kwargs)
        k = self.r.randint(1, 3)
        kernel = k if self.r.random() < 0.5 else ((k,) if kind == "ConvLSTM1D" else (k, self.r.randint(1, 3)))
        self.maybe_kw("kernel_size", kernel, args, kwargs)
        if self.r.random() < 0.4:
            kwargs["padding"] = self.r.choice(["valid", "same"])
        if self.r.random() < 0.2:
            kwargs["strides"] = 2
        if self.r.random() < 0.1:
            kwargs["dilation_rate"] = 2
        if self.r.random() < 0.5:
            kwargs["return_sequences"] = self.r.random() < 0.5
        if functional and self.r.random() < 0.15:
            kwargs["return_state"] = True
        return LayerSpec(kind, tuple(args), kwargs)

    def pick(self, cur: tuple | None, *, functional: bool, first: bool = False) -> LayerSpec:
        """A next layer: usually one that fits the tracked rank, sometimes any layer at all."""
        rank = len(cur) if cur is not None else None
        r = self.r
        fitting: list[str]
        if rank == 1:
            fitting = ["Dense"] * 4 + ["Dropout", "RepeatVector", "RepeatVector", "Reshape", "LayerNormalization",
                                       "Flatten"]
        elif rank == 2:
            fitting = ["RNN"] * 6 + ["Bidirectional"] * 3 + ["Conv1D"] * 2 + [
                "Pooling", "TimeDistributed", "Dense", "Dropout", "GlobalAveragePooling1D", "Flatten", "Reshape",
                "Permute", "LayerNormalization"]
        elif rank is not None and rank >= 3:
            fitting = ["Flatten", "Reshape", "TimeDistributed", "Dense", "Permute", "Dropout"]
        else:
            fitting = ["Dense", "Dropout", "RNN", "Flatten"]
        everything = ["RNN", "Bidirectional", "Conv1D", "Pooling", "TimeDistributed", "Dense", "Dropout",
                      "GlobalAveragePooling1D", "Flatten", "Reshape", "RepeatVector", "Permute", "LayerNormalization",
                      "Embedding", "Noise"]
        if r.random() < 0.04:
            fitting = ["Noise"]
        choice = r.choice(fitting if r.random() < 0.9 else everything)
        if choice == "RNN":
            # the last recurrent layer of a stack tends not to return sequences: the classic RNN001 bug
            return self.rnn(functional=functional)
        if choice == "Bidirectional":
            return self.bidirectional(functional=functional)
        if choice == "Conv1D":
            return self.conv1d()
        if choice == "Pooling":
            return self.pooling()
        if choice == "TimeDistributed":
            return self.time_distributed()
        if choice == "Dense":
            return self.dense()
        if choice == "Dropout":
            rate = r.choice([0.1, 0.2, 0.5])
            return LayerSpec("Dropout", (rate,)) if r.random() < 0.6 else LayerSpec("Dropout", (), {"rate": rate})
        if choice == "GlobalAveragePooling1D":
            kwargs = {"keepdims": True} if r.random() < 0.15 else {}
            if r.random() < 0.05:
                kwargs["data_format"] = "channels_first"
            return LayerSpec(r.choice(["GlobalAveragePooling1D", "GlobalMaxPooling1D"]), (), kwargs)
        if choice == "Flatten":
            return LayerSpec("Flatten")
        if choice == "Reshape":
            return self.reshape(cur)
        if choice == "RepeatVector":
            return LayerSpec("RepeatVector", (r.randint(1, 6),))
        if choice == "Permute":
            return self.permute(cur)
        if choice == "LayerNormalization":
            return LayerSpec("LayerNormalization")
        if choice == "Noise":
            kind = r.choice(["Masking", "SpatialDropout1D", "GaussianNoise"])
            return LayerSpec(kind, () if kind == "Masking" else (0.1,))
        if choice == "Embedding":
            return LayerSpec("Embedding", (r.randint(5, 50), r.randint(1, 8)))
        raise AssertionError(choice)

    # -- approximate tracking (only steers the generator)
    def track(self, layer: LayerSpec, cur: tuple | None) -> tuple | None:
        k, a = layer.kind, layer.kwargs
        if cur is None:
            return None
        try:
            if k == "RNN":
                u = layer.inner.args[0]
                return (cur[0], u) if a.get("return_sequences") else (u,)
            if "data_format" in a:
                return None
            if k in RNNS:
                u = (layer.args or (a.get("units"),))[0]
                return (cur[0], u) if a.get("return_sequences") else (u,)
            if k == "Bidirectional":
                inner = self.track(layer.inner, cur)
                mode = a.get("merge_mode", "concat")
                if inner is None or mode is None:
                    return inner
                return inner[:-1] + (inner[-1] * 2,) if mode == "concat" else inner
            if k in ("Dense",):
                return cur[:-1] + ((layer.args or (a.get("units"),))[0],)
            if k == "TimeDistributed":
                if layer.inner.kind != "Dense":
                    return None
                return cur[:-1] + ((layer.inner.args or (layer.inner.kwargs.get("units"),))[0],)
            if k == "Conv1D":
                f = (layer.args or (a.get("filters"),))[0]
                return (cur[0], f) if len(cur) == 2 else None
            if k in ("MaxPooling1D", "AveragePooling1D"):
                return (None if cur[0] is None else max(cur[0] // 2, 1), cur[1]) if len(cur) == 2 else None
            if k.startswith("Global"):
                return (1, cur[-1]) if a.get("keepdims") else (cur[-1],)
            if k == "Flatten":
                return (_prod(cur),)
            if k == "Reshape":
                target = (layer.args or (a.get("target_shape"),))[0]
                size = _prod(cur)
                if -1 in target:
                    known = math.prod(d for d in target if d != -1)
                    fill = size // known if size is not None and known else None
                    return tuple(fill if d == -1 else d for d in target)
                return target
            if k == "RepeatVector":
                return (layer.args[0],) + cur if len(cur) == 1 else None
            if k == "Permute":
                dims = layer.args[0]
                return tuple(cur[d - 1] for d in dims) if len(dims) == len(cur) else None
            if k == "Embedding":
                return cur + (layer.args[1],)
            if k in ("ConvLSTM1D", "ConvLSTM2D"):
                f = (layer.args or (a.get("filters"),))[0]
                spatial = cur[1:-1]
                return ((cur[0],) if a.get("return_sequences") else ()) + spatial + (f,)
            return cur  # Dropout, LayerNormalization
        except (TypeError, IndexError, AttributeError):
            return None

    # -- models
    def input_spec(self, api: str) -> tuple[InputSpec, str | None]:
        """An input and, sometimes, the kind of first layer it is meant for (Embedding, ConvLSTM*D)."""
        r = self.r
        x = r.random()
        if x < 0.10:
            shape = (r.randint(1, 12),) if r.random() < 0.8 else (r.randint(1, 6), r.randint(1, 6))
            spec, first = InputSpec(shape, dtype="int32"), "Embedding"
        elif x < 0.20:
            kind = r.choice(["ConvLSTM1D", "ConvLSTM2D"])
            rank = 3 if kind == "ConvLSTM1D" else 4
            if r.random() < 0.15:
                rank = r.choice([2, 3, 4, 5])  # sometimes the wrong rank
            shape = (self.dim(0.1),) + tuple(r.randint(2, 9) for _ in range(rank - 2)) + (r.randint(1, 3),)
            spec, first = InputSpec(shape), kind
        else:
            rank = r.choices([1, 2, 3, 4], weights=[12, 70, 12, 6])[0]
            if rank == 1:
                shape = (r.randint(1, 12),)
            elif rank == 3 and r.random() < 0.5:
                shape = (None, r.randint(1, 12), r.randint(1, 4))  # the batch dim written into the shape
            else:
                shape = (self.dim(0.15),) + tuple(r.randint(1, 6) for _ in range(rank - 1))
                if rank > 1 and r.random() < 0.04:
                    shape = shape[:-1] + (None,)  # an undefined feature axis
            spec, first = InputSpec(shape), None
        if r.random() < 0.08:
            spec.batch_size = r.randint(1, 8)
        if api == "sequential":
            spec.via = r.choices(["Input", "add_Input", "InputLayer", "input_shape"], weights=[4, 2, 1, 4])[0]
            if spec.via in ("InputLayer", "input_shape"):
                spec.batch_size = None
            if spec.via == "input_shape":
                spec.dtype = None
        x = r.random()
        if spec.via == "InputLayer":
            spec.spelling = "input_shape" if x < 0.3 else "shape"
        elif spec.via in ("Input", "add_Input"):
            spec.spelling = "positional" if x < 0.2 else ("batch_shape" if x < 0.27 else "shape")
        return spec, first

    def first_layer(self, first: str | None, *, functional: bool) -> LayerSpec | None:
        if first == "Embedding":
            return LayerSpec("Embedding", (self.r.randint(5, 50), self.r.randint(1, 8)))
        if first in ("ConvLSTM1D", "ConvLSTM2D"):
            return self.conv_lstm(first, functional=functional)
        return None

    def sequential(self, style: str) -> ModelSpec:
        inp, first = self.input_spec("sequential")
        spec = ModelSpec("sequential", style, inp, seq_form=self.r.choice(["list", "add"]))
        cur: tuple | None = inp.shape
        n = self.r.randint(1, 5)
        layer = self.first_layer(first, functional=False)
        for i in range(n):
            if layer is None:
                layer = self.pick(cur, functional=False, first=(i == 0))
            spec.layers.append(layer)
            cur = self.track(layer, cur)
            layer = None
        return spec

    def functional(self, style: str) -> ModelSpec:
        inp, first = self.input_spec("functional")
        inp.via = "Input"
        spec = ModelSpec("functional", style, inp)
        names = iter(f"x{i}" for i in range(1, 1000))
        var, cur = "inputs", inp.shape
        layer = self.first_layer(first, functional=True)
        n = self.r.randint(1, 5)
        branched = False
        for _ in range(n):
            if layer is None and not branched and self.r.random() < 0.3 and cur is not None and len(cur) in (1, 2):
                branched = True
                var, cur = self.branch(spec, var, cur, names)
                continue
            if layer is None:
                layer = self.pick(cur, functional=True)
            var, cur = self.apply(spec, layer, (var,), cur, names)
            layer = None
        spec.output = var
        return spec

    def apply(self, spec: ModelSpec, layer: LayerSpec, ins: tuple, cur, names) -> tuple[str, tuple | None]:
        out = next(names)
        take = "whole"
        if layer.n_outputs() > 1:
            take = "index0" if self.r.random() < 0.6 else "unpack"
        spec.steps.append(Step(out, layer, ins, take))
        return out, self.track(layer, cur)

    def branch(self, spec: ModelSpec, var: str, cur: tuple, names) -> tuple[str, tuple | None]:
        """Two branches from `var`, merged by Concatenate or Add."""
        r = self.r
        add = r.random() < 0.45
        units = self.units()
        ends = []
        for b in range(2):
            v, c = var, cur
            length = r.randint(1, 2) if b == 0 else r.randint(0, 2)
            for _ in range(length):
                x = r.random()
                if x < 0.45:
                    layer = self.dense(units if add and r.random() < 0.85 else (1 if r.random() < 0.3 else None))
                elif x < 0.6:
                    layer = LayerSpec("Dropout", (0.2,))
                elif x < 0.7:
                    layer = LayerSpec("LayerNormalization")
                elif c is not None and len(c) == 2:
                    layer = self.rnn(functional=True, seq=r.random() < 0.8)
                    if add and r.random() < 0.8:
                        if layer.kind == "RNN":
                            layer.inner.args = (units,)
                        else:
                            layer.args, layer.kwargs = (), {**layer.kwargs, "units": units}
                        layer.kwargs.pop("return_state", None)
                else:
                    layer = self.pick(c, functional=True)
                v, c = self.apply(spec, layer, (v,), c, names)
            ends.append(v)
        if add:
            merge = LayerSpec("Add")
        else:
            kwargs = {"axis": 1} if r.random() < 0.15 else ({"axis": -1} if r.random() < 0.3 else {})
            merge = LayerSpec("Concatenate", (), kwargs)
        out = next(names)
        spec.steps.append(Step(out, merge, tuple(ends)))
        return out, None if not add else cur[:-1] + (units,)

    def model(self) -> ModelSpec:
        style = self.r.choice(STYLES)
        spec = self.sequential(style) if self.r.random() < 0.5 else self.functional(style)
        variants = ["plain"] * 6 + ["constants", "function"] + (["bound"] if spec.api == "functional" else [])
        spec.variant = self.r.choice(variants)
        return spec


def generate(n: int = N_MODELS, seed: int = SEED) -> list[ModelSpec]:
    rng = random.Random(seed)
    gen = Generator(rng)
    return [gen.model() for _ in range(n)]


# ---------------------------------------------------------------------------------------------------------
# Rendering as source text, in several import styles

STYLES = ("keras", "keras_layers", "from_keras", "tf", "tf_kl", "aliases", "keras_models", "tf_import_keras",
          "tfk")
LAYER_KINDS = ("LSTM", "GRU", "SimpleRNN", "Bidirectional", "TimeDistributed", "Dense", "Dropout", "Conv1D",
               "MaxPooling1D", "AveragePooling1D", "GlobalAveragePooling1D", "GlobalMaxPooling1D", "Flatten",
               "Reshape", "RepeatVector", "Permute", "Embedding", "ConvLSTM1D", "ConvLSTM2D", "LayerNormalization",
               "Concatenate", "Add", "InputLayer", "RNN", "LSTMCell", "GRUCell", "SimpleRNNCell", "Masking",
               "SpatialDropout1D", "GaussianNoise")


def _names(style: str) -> tuple[str, dict]:
    """(import header, {'layer': fmt, 'Input': …, 'Sequential': …, 'Model': …})."""
    if style == "keras":
        return "import keras\n", {"layer": "keras.layers.{}", "Input": "keras.Input", "Sequential": "keras.Sequential",
                                  "Model": "keras.Model"}
    if style == "keras_layers":
        return "import keras\nfrom keras import layers\n", {
            "layer": "layers.{}", "Input": "keras.Input", "Sequential": "keras.models.Sequential", "Model": "keras.Model"}
    if style == "from_keras":
        kinds = ", ".join(LAYER_KINDS)
        return f"from keras.models import Sequential, Model\nfrom keras.layers import Input, {kinds}\n", {
            "layer": "{}", "Input": "Input", "Sequential": "Sequential", "Model": "Model"}
    if style == "tf":
        return "import tensorflow as tf\n", {"layer": "tf.keras.layers.{}", "Input": "tf.keras.Input",
                                             "Sequential": "tf.keras.Sequential", "Model": "tf.keras.Model"}
    if style == "tf_kl":
        return "from tensorflow.keras import layers as kl, Sequential, Model, Input\n", {
            "layer": "kl.{}", "Input": "Input", "Sequential": "Sequential", "Model": "Model"}
    if style == "aliases":
        kinds = ", ".join(f"{k} as K{k}" for k in LAYER_KINDS)
        return (f"from tensorflow.keras.layers import {kinds}\n"
                "from tensorflow.keras.models import Sequential as Seq, Model as Mdl\n"
                "from tensorflow.keras import Input as In\n"), {
            "layer": "K{}", "Input": "In", "Sequential": "Seq", "Model": "Mdl"}
    if style == "keras_models":
        return "from keras import layers, models\n", {
            "layer": "layers.{}", "Input": "layers.Input", "Sequential": "models.Sequential", "Model": "models.Model"}
    if style == "tf_import_keras":
        return "from tensorflow import keras\n", {"layer": "keras.layers.{}", "Input": "keras.layers.Input",
                                                  "Sequential": "keras.Sequential", "Model": "keras.models.Model"}
    if style == "tfk":
        return "import tensorflow.keras as tfk\n", {"layer": "tfk.layers.{}", "Input": "tfk.Input",
                                                    "Sequential": "tfk.models.Sequential", "Model": "tfk.Model"}
    raise ValueError(style)


def _fmt(value: Any) -> str:
    return repr(value)


def render_layer(layer: LayerSpec, n: dict, extra: dict | None = None) -> str:
    parts = []
    if layer.inner is not None:
        parts.append(render_layer(layer.inner, n))
    parts += [_fmt(a) for a in layer.args]
    parts += [f"{k}={_fmt(v)}" for k, v in {**layer.kwargs, **(extra or {})}.items()]
    return f"{n['layer'].format(layer.kind)}({', '.join(parts)})"


def _tuple_src(items: list[str]) -> str:
    return f"({items[0]},)" if len(items) == 1 else "(" + ", ".join(items) + ")"


def render_input(inp: InputSpec, n: dict, dims: list[str] | None = None) -> str:
    dims = dims or [_fmt(d) for d in inp.shape]
    if inp.spelling == "batch_shape":
        parts = [f"batch_shape={_tuple_src([_fmt(inp.batch_size)] + dims)}"]
    elif inp.spelling == "positional":
        parts = [_tuple_src(dims)]
    else:
        parts = [f"{inp.spelling}={_tuple_src(dims)}"]
    if inp.dtype:
        parts.append(f"dtype={_fmt(inp.dtype)}")
    if inp.batch_size is not None and inp.spelling != "batch_shape":
        parts.append(f"batch_size={inp.batch_size}")
    if inp.via == "InputLayer":
        return f"{n['layer'].format('InputLayer')}({', '.join(parts)})"
    return f"{n['Input']}({', '.join(parts)})"


class _Src(str):
    """Source text that `_fmt` writes as is (a name instead of a literal)."""

    def __repr__(self) -> str:
        return str(self)


def render(spec: ModelSpec) -> str:
    """The model as a Python module. Variants change only how values reach the calls, never the model."""
    header, n = _names(spec.style)
    lines = [header.rstrip("\n")]
    dims = [_fmt(d) for d in spec.input.shape]
    named = [i for i, d in enumerate(spec.input.shape) if d is not None]
    if spec.variant == "constants":
        lines += [f"D{i} = {spec.input.shape[i]}" for i in named]
        dims = [f"D{i}" if i in named else "None" for i in range(len(dims))]
    elif spec.variant in ("function", "symbolic_builder"):
        dims = [f"d{i}" if i in named else "None" for i in range(len(dims))]
    elif spec.variant == "symbolic":  # sizes read off data the analyzer cannot see: symbols
        lines += ["import numpy as np", "data = np.load('data.npy')"]
        lines += [f"D{i} = data.shape[{i + 1}]" for i in named]
        dims = [f"D{i}" if i in named else "None" for i in range(len(dims))]
    body = _render_body(spec, n, dims)
    if spec.variant == "symbolic_builder":  # a builder nobody calls: its parameters are symbols
        params = ", ".join(f"d{i}" for i in named)
        lines.append(f"def build_model({params}):")
        lines += ["    " + line for line in body]
        lines.append("    return model")
    elif spec.variant == "function":
        params = ", ".join(f"d{i}" for i in named)
        lines.append(f"def build_model({params}):")
        lines += ["    " + line for line in body]
        lines.append("    return model")
        lines.append(f"model = build_model({', '.join(str(spec.input.shape[i]) for i in named)})")
    else:
        lines += body
    return "\n".join(lines) + "\n"


def _render_body(spec: ModelSpec, n: dict, dims: list[str]) -> list[str]:
    lines: list[str] = []
    if spec.api == "sequential":
        items = []
        if spec.input.via != "input_shape":
            items.append(render_input(spec.input, n, dims))
        for i, layer in enumerate(spec.layers):
            extra = {"input_shape": _Src(_tuple_src(dims))} if i == 0 and spec.input.via == "input_shape" else None
            items.append(render_layer(layer, n, extra))
        if spec.seq_form == "list":
            lines.append(f"model = {n['Sequential']}([")
            lines += [f"    {item}," for item in items]
            lines.append("])")
        else:
            lines.append(f"model = {n['Sequential']}()")
            lines += [f"model.add({item})" for item in items]
    else:
        lines.append(f"inputs = {render_input(spec.input, n, dims)}")
        for k, step in enumerate(spec.steps):
            arg = step.ins[0] if len(step.ins) == 1 else "[" + ", ".join(step.ins) + "]"
            if spec.variant == "bound":
                lines.append(f"layer{k} = {render_layer(step.layer, n)}")
                call = f"layer{k}({arg})"
            else:
                call = f"{render_layer(step.layer, n)}({arg})"
            if step.take == "index0":
                lines.append(f"{step.out} = {call}[0]")
            elif step.take == "unpack":
                rest = ", ".join(f"{step.out}_s{i}" for i in range(1, step.layer.n_outputs()))
                lines.append(f"{step.out}, {rest} = {call}")
            else:
                lines.append(f"{step.out} = {call}")
        form = len(spec.steps) % 3
        lines.append(f"model = {n['Model']}(inputs, {spec.output})" if form == 0
                     else f"model = {n['Model']}(inputs=inputs, outputs={spec.output})" if form == 1
                     else f"model = {n['Model']}(inputs=[inputs], outputs=[{spec.output}])")
    return lines


# ---------------------------------------------------------------------------------------------------------
# The oracle: build the spec with keras.layers (never the text)

def keras_layer(keras: Any, layer: LayerSpec, extra: dict | None = None) -> Any:
    args = list(layer.args)
    if layer.inner is not None:
        args.insert(0, keras_layer(keras, layer.inner))
    return getattr(keras.layers, layer.kind)(*args, **{**layer.kwargs, **(extra or {})})


def keras_input(keras: Any, inp: InputSpec) -> Any:
    if inp.spelling == "batch_shape":
        kwargs: dict = {"batch_shape": (inp.batch_size,) + inp.shape}
    else:
        kwargs = {"input_shape" if inp.spelling == "input_shape" else "shape": inp.shape}
    if inp.dtype:
        kwargs["dtype"] = inp.dtype
    if inp.batch_size is not None and inp.spelling != "batch_shape":
        kwargs["batch_size"] = inp.batch_size
    if inp.via == "InputLayer":
        return keras.layers.InputLayer(**kwargs)
    return keras.Input(**kwargs)


@dataclass
class KerasVerdict:
    raises: bool
    output_shape: tuple | None = None
    message: str = ""
    call_error: str = ""  # built, but the first call on zeros raised (Keras deferred the error to run time)


def first_call_error(keras: Any, model: Any, inp: InputSpec) -> str:
    """Call a built model once on zeros: Keras 3 builds some wrong models (TimeDistributed and RNN(cell) do not
    check the inner layer's input rank while building) that then fail on their first batch."""
    import numpy as np

    shape = (inp.batch_size or 2,) + tuple(3 if d is None else d for d in inp.shape)
    try:
        model(np.zeros(shape, dtype=inp.dtype or "float32"))
    except Exception as exc:  # noqa: BLE001
        return f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
    return ""


def keras_build(keras: Any, spec: ModelSpec, *, call_if_built: bool = False) -> KerasVerdict:
    try:
        if spec.api == "sequential":
            items = [] if spec.input.via == "input_shape" else [keras_input(keras, spec.input)]
            for i, layer in enumerate(spec.layers):
                extra = {"input_shape": spec.input.shape} if i == 0 and spec.input.via == "input_shape" else None
                items.append(keras_layer(keras, layer, extra))
            model = keras.Sequential(items)
            if not model.built:
                return KerasVerdict(False, None, "Sequential model left unbuilt")
        else:
            tensors = {"inputs": keras_input(keras, spec.input)}
            for step in spec.steps:
                ins = [tensors[v] for v in step.ins]
                out = keras_layer(keras, step.layer)(ins[0] if len(ins) == 1 else ins)
                tensors[step.out] = out[0] if step.take != "whole" else out
            if len(spec.steps) % 3 == 2:
                model = keras.Model(inputs=[tensors["inputs"]], outputs=[tensors[spec.output]])
            else:
                model = keras.Model(tensors["inputs"], tensors[spec.output])
        shape = model.output_shape
    except Exception as exc:  # noqa: BLE001 - any exception at build is Keras's verdict
        return KerasVerdict(True, None, f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
    if isinstance(shape, list) and len(shape) == 1:
        shape = shape[0]
    if isinstance(shape, list):
        return KerasVerdict(False, None, f"several outputs {shape}")
    call_error = first_call_error(keras, model, spec.input) if call_if_built else ""
    return KerasVerdict(False, tuple(shape), call_error=call_error)


# ---------------------------------------------------------------------------------------------------------
# The static side

@dataclass
class StaticVerdict:
    error: bool
    output_shape: Any = None  # tuple, or the Unknown/MultiOutput the propagation gave
    detail: str = ""
    problem: str = ""  # the analysis did not see the model as expected (no model, internal error)


def symbol_binding(spec: ModelSpec, output: Any) -> dict[str, int]:
    """The values the generator chose for the symbols a symbolic variant names (data.shape[k], or d<i>)."""
    from rnnlint.symbolic import base_symbols

    binding = {}
    for sym in base_symbols(output):
        name = sym.name
        if name.startswith("data.shape[") and name.endswith("]"):
            binding[sym.key] = spec.input.shape[int(name[len("data.shape["):-1]) - 1]
        elif name.startswith("d") and name[1:].isdigit():
            binding[sym.key] = spec.input.shape[int(name[1:])]
    return binding


def static_verdict(text: str) -> StaticVerdict:
    from rnnlint.engine import lint_source
    from rnnlint.settings import Settings
    from rnnlint.shapes import format_shape

    settings = Settings(select=("RNN001", "RNN003"), confirm=False, use_cache=False, target_keras=3)
    result = lint_source(text, "gen.py", settings)
    internal = [f.message for f in result.findings if f.code == "RNN000"]
    if internal:
        return StaticVerdict(False, None, "; ".join(internal), problem="RNN000")
    if result.ir is None or len(result.ir.models) != 1:
        count = 0 if result.ir is None else len(result.ir.models)
        return StaticVerdict(False, None, f"{count} models found", problem="model count")
    model = result.ir.models[0]
    shapes = result.shapes[model.id]
    findings = [f"{f.code} line {f.span.line}: {f.message}" for f in result.findings if f.code in ("RNN001", "RNN003")]
    errors = [f"node {e.node} ({model.nodes[e.node].layer.kind}): {e.message}" for e in shapes.errors]
    detail = "; ".join(findings + errors)
    if findings or errors:
        return StaticVerdict(True, None, detail)
    out = shapes.model_output
    return StaticVerdict(False, out if isinstance(out, tuple) else out, format_shape(out))


# ---------------------------------------------------------------------------------------------------------
# The comparison

@dataclass
class Outcome:
    index: int
    spec: ModelSpec
    text: str
    static: StaticVerdict
    keras: KerasVerdict
    literal: StaticVerdict | None = None  # symbolic variants: the same model with literal sizes

    @property
    def symbolic(self) -> bool:
        return self.spec.variant in SYMBOLIC

    @property
    def silent(self) -> bool:
        """Symbolic sizes hide an error that only a concrete size shows (a kernel longer than the steps): static is
        silent, as it must be, and the same model with literal sizes is flagged."""
        return (self.symbolic and not self.static.error and not self.static.problem and self.keras.raises
                and self.literal is not None and self.literal.error)

    @property
    def deferred(self) -> bool:
        """Static says error, Keras built the model but it fails on its first call: the static verdict holds."""
        return not self.static.problem and self.static.error and not self.keras.raises and bool(self.keras.call_error)

    @property
    def agrees(self) -> bool:
        if self.static.problem:
            return False
        if self.deferred or self.silent:
            return True
        if self.static.error or self.keras.raises:
            return self.static.error == self.keras.raises
        if not isinstance(self.static.output_shape, tuple):
            return False
        output = self.static.output_shape
        if self.symbolic:  # bind the symbols to the sizes the generator chose, then compare
            from rnnlint.symbolic import evaluate

            output = evaluate(output, symbol_binding(self.spec, output))
        return output == self.keras.output_shape

    def describe(self) -> str:
        from rnnlint.shapes import format_shape

        static = (f"static: {'ERROR' if self.static.error else 'builds'}"
                  + (f" [{self.static.problem}]" if self.static.problem else "") + f" — {self.static.detail}")
        keras = (f"keras:  RAISES — {self.keras.message}" if self.keras.raises
                 else f"keras:  builds {format_shape(self.keras.output_shape)} {self.keras.message}".rstrip())
        if self.keras.call_error:
            keras += f"; its first call RAISES — {self.keras.call_error}"
        body = "\n".join("    | " + line for line in self.text.rstrip("\n").splitlines())
        return f"--- model #{self.index} ({self.spec.api}, {self.spec.style})\n{body}\n  {static}\n  {keras}"


SYMBOLIC = ("symbolic", "symbolic_builder")


def run(n: int = N_MODELS, seed: int = SEED, *, clear_every: int = 40, symbolic: bool = False
        ) -> tuple[list[Outcome], dict]:
    """Generate, analyse and build `n` models (with `symbolic`, each one's input sizes are symbols: read off
    data, or parameters of a builder nobody calls). Returns the outcomes and timing/coverage statistics."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    t0 = time.perf_counter()
    import keras  # noqa: PLC0415 - a missing Keras must fail the test, not skip it

    t_import = time.perf_counter() - t0
    specs = generate(n, seed)
    outcomes: list[Outcome] = []
    t_static = t_keras = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, spec in enumerate(specs):
            if i % clear_every == 0:
                keras.backend.clear_session()
            literal = None
            if symbolic:
                plain = render(spec)
                spec.variant = SYMBOLIC[i % 2]
            text = render(spec)
            t = time.perf_counter()
            static = static_verdict(text)
            if symbolic:
                literal = static_verdict(plain)
            t_static += time.perf_counter() - t
            t = time.perf_counter()
            verdict = keras_build(keras, spec, call_if_built=static.error)
            t_keras += time.perf_counter() - t
            outcomes.append(Outcome(i, spec, text, static, verdict, literal))
    keras.backend.clear_session()
    stats = {"keras_version": keras.__version__, "import_s": t_import, "static_s": t_static, "keras_s": t_keras,
             "total_s": time.perf_counter() - t0}
    return outcomes, stats


def _kinds(spec: ModelSpec) -> set[str]:
    layers = spec.layers if spec.api == "sequential" else [s.layer for s in spec.steps]
    out = set()
    for layer in layers:
        out.add(layer.kind)
        if layer.inner is not None:
            out.add(layer.inner.kind)
    return out


def summary(outcomes: list[Outcome], stats: dict) -> str:
    total = len(outcomes)
    bad = [o for o in outcomes if not o.agrees]
    raising = sum(o.keras.raises for o in outcomes)
    lines = [
        f"differential: {total - len(bad)}/{total} agree ({(total - len(bad)) / total:.2%}); "
        f"Keras {stats['keras_version']} raised on {raising}, built {total - raising}",
        f"time: keras import {stats['import_s']:.1f}s, static {stats['static_s']:.1f}s, "
        f"keras builds {stats['keras_s']:.1f}s, total {stats['total_s']:.1f}s",
    ]
    silent = [o for o in outcomes if o.silent]
    if silent:
        lines.append(f"{len(silent)} silent on purpose (symbolic sizes hide a size error that literal sizes show): "
                     + ", ".join(f"#{o.index}" for o in silent))
    deferred = [o for o in outcomes if o.deferred]
    if deferred:
        lines.append(f"{len(deferred)} agree only at run time (static error; Keras builds, then its first call "
                     "raises): " + ", ".join(f"#{o.index}" for o in deferred))
    lines += [o.describe() for o in bad]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------
# The test

def test_generator_is_deterministic_and_varied():
    a = [render(s) for s in generate(60, SEED)]
    b = [render(s) for s in generate(60, SEED)]
    assert a == b
    specs = generate(N_MODELS, SEED)
    assert len(specs) >= 500
    assert {s.api for s in specs} == {"sequential", "functional"}
    assert {s.style for s in specs} == set(STYLES)
    seen: dict[str, int] = {}
    for s in specs:
        for k in _kinds(s):
            seen[k] = seen.get(k, 0) + 1
    for kind in ("LSTM", "GRU", "SimpleRNN", "Bidirectional", "TimeDistributed", "Dense", "Dropout", "Conv1D",
                 "MaxPooling1D", "AveragePooling1D", "GlobalAveragePooling1D", "Flatten", "Reshape", "RepeatVector",
                 "Permute", "Embedding", "ConvLSTM1D", "ConvLSTM2D", "LayerNormalization", "Concatenate", "Add"):
        assert seen.get(kind, 0) >= 5, (kind, seen)
    assert {s.input.via for s in specs if s.api == "sequential"} == {"Input", "add_Input", "InputLayer", "input_shape"}
    takes = {st.take for s in specs for st in s.steps}
    assert takes == {"whole", "index0", "unpack"}
    assert {s.input.spelling for s in specs} == {"shape", "positional", "batch_shape", "input_shape"}
    assert {s.variant for s in specs} == {"plain", "constants", "function", "bound"}


def test_static_analysis_agrees_with_keras():
    outcomes, stats = run()
    report = summary(outcomes, stats)
    print(report)
    assert stats["keras_version"].startswith("3."), stats["keras_version"]
    total = len(outcomes)
    agree = sum(o.agrees for o in outcomes)
    raising = sum(o.keras.raises for o in outcomes)
    assert total >= 500
    # both verdicts must be well represented, or the test proves little
    assert 0.15 * total <= raising <= 0.7 * total, report
    assert agree / total >= REQUIRED_AGREEMENT, report


def test_static_analysis_agrees_with_keras_on_symbolic_sizes():
    """The same generator, with every model's input sizes symbolic: read off data (`D0 = data.shape[1]`) or the
    parameters of a builder nobody calls. A static error must be a Keras error whatever the sizes are; when both
    build, the static output shape (its symbols bound to the sizes Keras was given) equals Keras's."""
    outcomes, stats = run(N_SYMBOLIC, SEED + 1, symbolic=True)
    report = summary(outcomes, stats)
    print(report)
    total = len(outcomes)
    agree = sum(o.agrees for o in outcomes)
    assert {o.spec.variant for o in outcomes} == set(SYMBOLIC)
    assert sum(o.keras.raises for o in outcomes) >= 0.15 * total, report
    assert sum(o.silent for o in outcomes) <= 0.1 * total, report  # symbols may not hide much
    assert agree / total >= REQUIRED_AGREEMENT, report
