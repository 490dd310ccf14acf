"""
## What it does
When the target is Keras 3, flags Keras 1/2 spellings that Keras 3 removed: `batch_input_shape=`,
`input_length=` and `batch_size=` on layers, `time_major=`, `nb_epoch=` in `fit`, `CuDNNLSTM`/`CuDNNGRU`,
imports from the Keras 2 submodules of `keras.layers` (`keras.layers.recurrent`, `keras.layers.core`,
`keras.layers.convolutional`, …) and from `keras.utils.np_utils`, `model.predict_classes(...)` and
`model.reset_states()` on a model.

## Why is this bad?
Keras 3 rejects these: `Unrecognized keyword arguments passed to LSTM: {'batch_input_shape': ...}`,
`fit() got an unexpected keyword argument 'nb_epoch'`, an ImportError, an AttributeError. (On Embedding,
`input_length` is only warned about and ignored.) Much tutorial code was written for Keras 2.

## Example
```python
model.add(LSTM(16, batch_input_shape=(4, 10, 1), stateful=True))
model.fit(X, y, nb_epoch=10)
```

## Use instead
```python
model.add(keras.Input(batch_shape=(4, 10, 1)))
model.add(LSTM(16, stateful=True))
model.fit(X, y, epochs=10)
```

## Fix safety
All fixes are safe: each spells the same model in Keras 3.
- `batch_input_shape=(b, t, f)` on the first layer of a Sequential → a `keras.Input(batch_shape=(b, t, f))` first
  layer, written in the file's own import style (the import is extended when needed); `batch_size=` with
  `input_shape=` → `Input(batch_shape=(batch_size, *input_shape))`; `input_length=`/`input_dim=` on a recurrent
  layer → `Input(shape=(input_length, input_dim))`.
- `nb_epoch=` → `epochs=`; `input_length=` on Embedding is removed (Keras 3 ignores it).
- `CuDNNLSTM`/`CuDNNGRU` → `LSTM`/`GRU` (Keras 3 picks the cuDNN kernel itself); a name imported bare is imported
  as `LSTM as CuDNNLSTM`, so every use keeps working.
- `keras.layers.recurrent` / `keras.layers.core` / … imports → `keras.layers`.
`model.predict_classes(X)` has an unsafe fix, `np.argmax(model.predict(X), axis=-1)`: it is the same for a
softmax output, but Keras 2 thresholded a single sigmoid output at 0.5 instead. `time_major=` and
`model.reset_states()` are flagged without a fix: Keras 3 removed the API outright and the replacement changes
the code around the call.
"""
from __future__ import annotations

import re
from typing import Iterable

from rnnlint.findings import Diagnostic, Edit, Evidence, Fix
from rnnlint.ir import FileIR, KerasObject, Layer, Model, ModelCall, Span, TrainCall
from rnnlint.rule import Example, Rule, RuleContext
from rnnlint.ruleutil import (
    INPUT_KINDS, all_layers, file_has_recurrent, insertion, label, prepend_input, remove_argument, remove_arguments,
    rename_keyword, tuple_source,
)

LAYER_ARGS = {
    "batch_input_shape": "declare keras.Input(batch_shape={value}) as the first layer instead",
    "input_length": "declare the time steps in keras.Input(shape=(timesteps, features)) instead",
    "batch_size": "declare keras.Input(batch_shape=(batch_size, ...)) as the first layer instead",
    "time_major": "Keras 3 layers are batch-major; transpose the data instead",
}
# Keras 2 submodules of keras.layers that Keras 3 removed (each fails to import; measured on Keras 3.15.1);
# their classes are all in keras.layers itself. Likewise keras.utils.np_utils.
_LAYER_SUBMODULES = ("recurrent", "core", "cudnn_recurrent", "convolutional_recurrent", "wrappers", "embeddings",
                     "convolutional", "normalization", "pooling", "merge", "advanced_activations", "noise")
REMOVED_MODULES = {
    **{f"{package}.layers.{sub}": f"{package}.layers"
       for package in ("keras", "tensorflow.keras") for sub in _LAYER_SUBMODULES},
    "keras.utils.np_utils": "keras.utils",
}
# Names Keras 3 dropped from a module that still exists (measured on Keras 3.15.1; `pad_sequences` stays), and
# whole modules with no Keras 3 counterpart to import from. tensorflow.keras keeps TensorFlow's own copies.
REMOVED_NAMES = {
    ("keras.preprocessing.sequence", "TimeseriesGenerator"): "use keras.utils.timeseries_dataset_from_array",
    ("keras.preprocessing.sequence", "skipgrams"): "Keras 3 has no replacement",
    ("keras.preprocessing.sequence", "make_sampling_table"): "Keras 3 has no replacement",
}
GONE_MODULES = {"keras.preprocessing.text": "use keras.layers.TextVectorization"}
# Keras 1/2 method names Keras 3 removed, and the method that takes their place (fit takes a generator too).
GENERATOR_METHODS = {"fit_generator": "fit", "predict_generator": "predict", "evaluate_generator": "evaluate"}
GENERATOR_ONLY_KEYWORDS = ("workers", "use_multiprocessing", "max_queue_size", "generator")  # fit() rejects them
# Keras 1 spelling of `units` (Embedding's output_dim is its own, current argument).
UNITS_ALIASES = ("output_dim",)


class Keras3RemovedArgument(Rule):
    __doc__ = __doc__
    code = "RNN010"
    name = "keras3-removed-argument"
    severity = "error"
    fix_availability = "sometimes"
    short = (
        "in files with recurrent layers, Keras 1/2 spellings that Keras 3 rejects: `batch_input_shape`, "
        "`nb_epoch`, `output_dim=`, `lr=`, `fit_generator`, `Model(input=, output=)`, `CuDNNLSTM`, "
        "`keras.layers.recurrent` …; `input_length` on Embedding (ignored) as a warning"
    )

    VALID = [
        Example("""
            import keras
            model = keras.Sequential([keras.Input(batch_shape=(4, 10, 1)), keras.layers.LSTM(16, stateful=True)])
        """),
        Example("""
            import tensorflow as tf
            inputs = tf.keras.Input(shape=(5, 2), batch_size=8)
            x = tf.keras.layers.GRU(12, stateful=True)(inputs)
        """, note="batch_size on Input is valid Keras 3"),
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM
            model = Sequential([LSTM(16, batch_input_shape=(4, 10, 1), stateful=True)])
        """, target_keras=2, note="valid under Keras 2"),
        Example("""
            from keras.layers import Embedding, LSTM
            from keras.preprocessing.sequence import pad_sequences
            from tensorflow.keras.preprocessing.text import Tokenizer
            embedding = Embedding(input_dim=1000, output_dim=64)
            model_inputs = {"input": None}
        """, note="Embedding's output_dim is its own; pad_sequences and TensorFlow's Tokenizer are still there"),
        Example("""
            from keras.models import Sequential
            from keras.layers.convolutional import Conv2D
            from keras.optimizers import Adam
            model = Sequential([Conv2D(8, 3, input_shape=(28, 28, 1))])
            model.compile(optimizer=Adam(lr=0.01), loss="mse")
        """, note="no recurrent layer: migrating a CNN is not rnnlint's job (RNN010 speaks in recurrent files)"),
        Example("""
            import tf_keras as keras
            model = keras.Sequential()
            model.add(keras.layers.LSTM(4, batch_input_shape=(1, 1, 1), stateful=True))
            model.add(keras.layers.Dense(1))
            model.reset_states()
        """, note="tf_keras is Keras 2 whatever Keras is installed: the file is judged as Keras 2 code"),
    ]
    INVALID = [
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            model = Sequential()
            model.add(LSTM(16, batch_input_shape=(4, 10, 1)))
            model.add(Dense(1))
        """, line=4, fixed="""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense, Input
            model = Sequential()
            model.add(Input(batch_shape=(4, 10, 1)))
            model.add(LSTM(16))
            model.add(Dense(1))
        """),
        Example("""
            from tensorflow.keras import layers, models
            model = models.Sequential([
                layers.GRU(8, input_dim=3, input_length=12),
                layers.Dense(1),
            ])
        """, line=3, fixed="""
            from tensorflow.keras import layers, models
            model = models.Sequential([
                layers.Input(shape=(12, 3)),
                layers.GRU(8),
                layers.Dense(1),
            ])
        """),
        Example("""
            from keras.models import Sequential
            from keras.layers import CuDNNLSTM, Dense
            model = Sequential([CuDNNLSTM(16, input_shape=(10, 1)), Dense(1)])
        """, line=3, fixed="""
            from keras.models import Sequential
            from keras.layers import LSTM as CuDNNLSTM, Dense
            model = Sequential([CuDNNLSTM(16, input_shape=(10, 1)), Dense(1)])
        """),
        Example("""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            X = np.random.rand(20, 5, 1)
            y = np.random.rand(20, 1)
            model = Sequential([LSTM(8, input_shape=(5, 1)), Dense(1)])
            model.compile(loss="mse")
            model.fit(X, y, nb_epoch=1, batch_size=4)
        """, line=8, fixed="""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            X = np.random.rand(20, 5, 1)
            y = np.random.rand(20, 1)
            model = Sequential([LSTM(8, input_shape=(5, 1)), Dense(1)])
            model.compile(loss="mse")
            model.fit(X, y, epochs=1, batch_size=4)
        """),
        Example("""
            from keras.models import Sequential
            from keras.layers import Embedding, LSTM, Dense
            model = Sequential([Embedding(1000, 32, input_length=20), LSTM(16), Dense(1)])
        """, line=3, severity="warning", fixed="""
            from keras.models import Sequential
            from keras.layers import Embedding, LSTM, Dense
            model = Sequential([Embedding(1000, 32), LSTM(16), Dense(1)])
        """, note="deprecated and ignored, not rejected: a warning"),
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            model = Sequential([LSTM(output_dim=16, input_shape=(10, 1)), Dense(1)])
        """, line=3, message_contains="output_dim= on LSTM (line 3) is the Keras 1 name of units", fixed="""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            model = Sequential([LSTM(units=16, input_shape=(10, 1)), Dense(1)])
        """),
        Example("""
            import keras
            inputs = keras.Input(shape=7)
            model = keras.Model(inputs, keras.layers.LSTM(4)(keras.layers.Reshape((7, 1))(inputs)))
        """, line=2, message_contains="Cannot convert '7' to a shape", fixed="""
            import keras
            inputs = keras.Input(shape=(7,))
            model = keras.Model(inputs, keras.layers.LSTM(4)(keras.layers.Reshape((7, 1))(inputs)))
        """),
        Example("""
            from keras.models import Model
            from keras.layers import Input, LSTM, Dense
            inputs = Input(shape=(10, 1))
            model = Model(input=inputs, output=Dense(1)(LSTM(8)(inputs)))
        """, line=4, fixed="""
            from keras.models import Model
            from keras.layers import Input, LSTM, Dense
            inputs = Input(shape=(10, 1))
            model = Model(inputs=inputs, outputs=Dense(1)(LSTM(8)(inputs)))
        """),
        Example("""
            import keras
            model = keras.Sequential([keras.Input(shape=(10, 1)), keras.layers.LSTM(8), keras.layers.Dense(1)])
            model.compile(optimizer=keras.optimizers.Adam(lr=0.001), loss="mse")
        """, line=3, message_contains="Argument(s) not recognized: {'lr': 0.001}", fixed="""
            import keras
            model = keras.Sequential([keras.Input(shape=(10, 1)), keras.layers.LSTM(8), keras.layers.Dense(1)])
            model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
        """),
        Example("""
            import keras
            model = keras.Sequential([keras.Input(shape=(10, 1)), keras.layers.LSTM(8), keras.layers.Dense(1)])
            model.compile(loss="mse")
            model.fit_generator(batches(), steps_per_epoch=100, epochs=5)
        """, line=4, fixed="""
            import keras
            model = keras.Sequential([keras.Input(shape=(10, 1)), keras.layers.LSTM(8), keras.layers.Dense(1)])
            model.compile(loss="mse")
            model.fit(batches(), steps_per_epoch=100, epochs=5)
        """),
        Example("""
            import keras
            model = keras.Sequential([keras.Input(shape=(10, 1)), keras.layers.LSTM(8), keras.layers.Dense(1)])
            scores = model.evaluate_generator(batches(), 20, workers=4)
        """, line=3, message_contains="pass its other arguments by keyword",
            note="no fix: evaluate's second positional argument is y, and evaluate takes no workers="),
        Example("""
            from keras.preprocessing.sequence import TimeseriesGenerator, pad_sequences
            from keras.layers import LSTM
        """, line=1, message_contains="use keras.utils.timeseries_dataset_from_array",
            note="pad_sequences is still there; TimeseriesGenerator is not"),
        Example("""
            from keras.preprocessing.text import Tokenizer
            from keras.layers import Embedding, GRU
        """, line=1, message_contains="use keras.layers.TextVectorization"),
        Example("""
            import numpy as np
            import keras
            X = np.random.rand(8, 5, 1)
            model = keras.Sequential([keras.Input(shape=(5, 1)), keras.layers.LSTM(4), keras.layers.Dense(3)])
            classes = model.predict_classes(X, batch_size=8)
        """, line=5, unsafe_fix=True, fixed="""
            import numpy as np
            import keras
            X = np.random.rand(8, 5, 1)
            model = keras.Sequential([keras.Input(shape=(5, 1)), keras.layers.LSTM(4), keras.layers.Dense(3)])
            classes = np.argmax(model.predict(X, batch_size=8), axis=-1)
        """),
        Example("""
            from keras.layers.recurrent import LSTM
        """, line=1, fixed="""
            from keras.layers import LSTM
        """),
        Example("""
            import keras
            model = keras.Sequential([keras.Input(shape=(8, 2)), keras.layers.LSTM(4), keras.layers.Dropout(0.1)])
            model.reset_states()
        """, line=3, message_contains="this model has no stateful layer, so remove the call"),
        Example("""
            from keras.models import Sequential
            from keras.layers.convolutional import Conv1D
            from keras.layers import LSTM
            model = Sequential([Conv1D(8, 3, input_shape=(20, 1)), LSTM(4)])
        """, line=2, fixed="""
            from keras.models import Sequential
            from keras.layers import Conv1D
            from keras.layers import LSTM
            model = Sequential([Conv1D(8, 3, input_shape=(20, 1)), LSTM(4)])
        """, note="every Keras 2 submodule of keras.layers is gone"),
    ]

    def check(self, ctx: RuleContext) -> Iterable[Diagnostic]:
        if ctx.target_keras != 3 or not file_has_recurrent(ctx.ir):
            return  # Keras 2 code, or a file without recurrent layers (not rnnlint's to migrate)
        seen: set = set()
        owners = {id(n.layer): (m, n.id) for m in ctx.ir.models for n in m.nodes}
        layers: list[Layer] = [n.layer for m in ctx.ir.models for n in m.nodes] + list(ctx.ir.standalone_layers)
        for top in layers:
            model, node = owners.get(id(top), (None, None))
            evidence = Evidence("raises", model=model, upto=node) if model is not None else Evidence("advice")
            first_of = model if model is not None and model.api == "sequential" and node == 0 else None
            for layer in all_layers(top):
                if id(layer) in seen:
                    continue
                seen.add(id(layer))
                yield from self._layer(ctx.ir, layer, evidence, first_of if layer is top else None)
        for obj in ctx.ir.keras_objects:
            yield from _object(obj)
        for model in ctx.ir.models:
            for call in (*model.train_calls, *model.extra_calls):
                if call.method in GENERATOR_METHODS:
                    yield _generator_method(call)
            for call in model.train_calls:
                arg = next((a for a in call.arguments if a.keyword == "nb_epoch"), None)
                if arg is not None:
                    fix = None if "epochs" in call.keywords or arg.unpacked else Fix("safe", "Rename nb_epoch to epochs",
                                                                     (rename_keyword(arg, "epochs"),))
                    yield Diagnostic(f"{call.method}(nb_epoch=...) was removed in Keras 3: use epochs={arg.source}",
                                     call.span, fix=fix, evidence=_removed("fit_keyword", "nb_epoch", 1))
            for extra in model.extra_calls:
                if extra.method == "predict_classes":
                    yield Diagnostic("model.predict_classes() was removed in Keras 3: use "
                                     "np.argmax(model.predict(x), axis=-1)", extra.span,
                                     fix=_predict_classes_fix(ctx.ir, extra), evidence=_removed("method", extra.method))
                if extra.method == "predict_proba":
                    yield Diagnostic("model.predict_proba() was removed in Keras 3: use model.predict(x)", extra.span,
                                     evidence=_removed("method", extra.method))
                if extra.method == "reset_states":
                    advice = ("this model has no stateful layer, so remove the call" if _surely_stateless(model)
                              else "call reset_states() on each stateful layer (for layer in model.layers: ...)")
                    yield Diagnostic(f"model.reset_states() was removed in Keras 3: {advice}", extra.span,
                                     evidence=_removed("method", extra.method))
        for imp in ctx.ir.imports:
            if imp.module in GONE_MODULES:
                yield Diagnostic(f"{imp.module} does not exist in Keras 3 (ModuleNotFoundError): "
                                 f"{GONE_MODULES[imp.module]}", imp.span, evidence=_removed("module", imp.module))
            for name, span in zip(imp.names, imp.name_spans or (imp.span,) * len(imp.names)):
                if (imp.module, name) in REMOVED_NAMES:
                    yield Diagnostic(f"{name} is not in Keras 3's {imp.module} (ImportError): "
                                     f"{REMOVED_NAMES[imp.module, name]}", span,
                                     evidence=_removed("name", imp.module, name))
            if imp.module in REMOVED_MODULES:
                new = REMOVED_MODULES[imp.module]
                fix = Fix("safe", f"Import from {new}", (Edit(imp.module_span, new),)) if imp.module_span else None
                yield Diagnostic(f"{imp.module} does not exist in Keras 3: import from {new} instead",
                                 imp.span, fix=fix, evidence=_removed("module", imp.module))

    def _layer(self, ir: FileIR, layer: Layer, evidence: Evidence, first_of: Model | None) -> Iterable[Diagnostic]:
        if layer.known and layer.kind in ("CuDNNLSTM", "CuDNNGRU"):  # Keras's (not an unknown name)
            plain = layer.kind[len("CuDNN"):]
            yield Diagnostic(f"{layer.kind} was removed in Keras 3: use {plain}, which picks the cuDNN kernel itself",
                             layer.span, fix=_cudnn_fix(ir, layer, plain), evidence=_removed("layer", layer.kind))
        if layer.kind in INPUT_KINDS:
            shape = next((a for a in layer.arguments if a.keyword == "shape" or (a.keyword is None
                                                                                and layer.kind == "Input")), None)
            if shape is not None and isinstance(shape.value, int) and not isinstance(shape.value, bool):
                inner = shape.source.strip()
                while inner.startswith("(") and inner.endswith(")"):  # `(1024)` is the int 1024, not a tuple
                    inner = inner[1:-1].strip()
                fix = None if shape.unpacked else Fix("safe", f"Write shape=({inner},)",
                                                      (Edit(shape.value_span, f"({inner},)"),))
                yield Diagnostic(f"shape={shape.source} on {layer.kind} is an int, not a tuple, which Keras 3 rejects "
                                 f"(Cannot convert '{shape.value}' to a shape): write shape=({inner},)",
                                 shape.span, fix=fix, evidence=evidence)
            return
        if layer.kind != "Embedding":
            for arg in layer.arguments:
                if arg.keyword in UNITS_ALIASES:
                    clash = any(a.keyword in (None, "units") for a in layer.arguments)
                    fix = None if clash or arg.unpacked else Fix("safe", "Rename output_dim to units",
                                                                 (rename_keyword(arg, "units"),))
                    yield Diagnostic(f"{arg.keyword}= on {label(layer)} is the Keras 1 name of units: Keras 3 "
                                     f"rejects it (missing 1 required positional argument: 'units'); write "
                                     f"units={arg.source}", arg.span, fix=fix, evidence=evidence)
        migration = _input_migration(ir, layer, first_of) if first_of is not None else None
        reported = False
        for arg in layer.arguments:
            if arg.keyword not in LAYER_ARGS:
                continue
            if arg.keyword == "input_length" and layer.kind == "Embedding":
                yield Diagnostic(f"input_length on {label(layer)} is deprecated in Keras 3 and ignored: remove it "
                                 f"(declare keras.Input(shape=({arg.source},)) if the length matters)", layer.span,
                                 fix=None if arg.unpacked else Fix("safe", "Remove input_length",
                                                                   (remove_argument(layer, arg),)),
                                 evidence=Evidence("advice"), severity="warning")
                continue
            hint = LAYER_ARGS[arg.keyword].format(value=arg.source)
            fix = None if reported else migration
            if fix is None and first_of is None and arg.keyword == "input_length" and not arg.unpacked \
                    and not any(a.keyword == "input_dim" for a in layer.arguments):
                hint = "it declared nothing on a layer that is not the first either: remove it"
                fix = Fix("safe", "Remove input_length", (remove_argument(layer, arg),))
            yield Diagnostic(f"{arg.keyword}= on {label(layer)} is rejected by Keras 3 (Unrecognized keyword "
                             f"arguments): {hint}", layer.span, fix=fix, evidence=evidence)
            reported = True


def _removed(*lookup: object) -> Evidence:
    """Evidence the checker decides by looking the API up in the target Keras (no model is built)."""
    return Evidence("removed", lookup=lookup)


def _object(obj: KerasObject) -> Iterable[Diagnostic]:
    """`Model(input=..., output=...)` and an optimizer's `lr=`: Keras 1/2 keywords Keras 3 rejects."""
    keywords = {a.keyword for a in obj.arguments}
    if obj.name in ("Model", "Functional"):
        old = [a for a in obj.arguments if a.keyword in ("input", "output")]
        if old:
            clash = any(a.unpacked for a in old) or keywords & {"inputs", "outputs"}
            fix = None if clash else Fix("safe", "Rename to inputs=/outputs=",
                                         tuple(rename_keyword(a, a.keyword + "s") for a in old))
            spelled = ", ".join(f"{a.keyword}=..." for a in old)
            yield Diagnostic(f"Model({spelled}) uses the Keras 1 keyword names: Keras 3 rejects them (Unrecognized "
                             f"keyword arguments passed to Model); write "
                             + ", ".join(f"{a.keyword}s=" for a in old), obj.call.span, fix=fix,
                             evidence=_removed("keyword", "Model", ",".join(a.keyword for a in old), None))
    elif obj.name.startswith("optimizers."):
        arg = next((a for a in obj.arguments if a.keyword == "lr"), None)
        if arg is not None:
            optimizer = obj.name.rsplit(".", 1)[-1]
            fix = None if arg.unpacked or "learning_rate" in keywords else Fix(
                "safe", "Rename lr to learning_rate", (rename_keyword(arg, "learning_rate"),))
            value = arg.value if isinstance(arg.value, (int, float)) and not isinstance(arg.value, bool) else 0.001
            yield Diagnostic(f"lr= on {optimizer} was renamed learning_rate: Keras 3 rejects it (Argument(s) not "
                             f"recognized: {{'lr': {arg.source}}}); write learning_rate={arg.source}", arg.span,
                             fix=fix, evidence=_removed("keyword", obj.name, "lr", value))


def _generator_method(call: TrainCall | ModelCall) -> Diagnostic:
    """`model.fit_generator(gen, ...)` → `model.fit(gen, ...)` when nothing else changes meaning."""
    new = GENERATOR_METHODS[call.method]
    func = call.call.func_source
    positional = [a for a in call.arguments if a.keyword is None]
    safe = (func.endswith("." + call.method) and len(positional) <= 1
            and not any(a.keyword in GENERATOR_ONLY_KEYWORDS or a.unpacked for a in call.arguments))
    fix = Fix("safe", f"Call {new}()", (Edit(call.call.func_span, func[: -len(call.method)] + new),)) if safe else None
    advice = [f"{new}() takes the generator (or a dataset) itself"]
    if len(positional) > 1:
        advice.append("pass its other arguments by keyword (their positions differ)")
    if any(a.keyword in GENERATOR_ONLY_KEYWORDS for a in call.arguments):
        advice.append("workers=, use_multiprocessing= and max_queue_size= belong to a keras.utils.PyDataset now")
    receiver = func[: -len(call.method) - 1] if func.endswith("." + call.method) else "model"
    advice = "; ".join(advice)
    return Diagnostic(f"{receiver}.{call.method}() was removed in Keras 3 (AttributeError): {advice}", call.span,
                      fix=fix, evidence=_removed("method", call.method))


def _input_migration(ir: FileIR, layer: Layer, model: Model) -> Fix | None:
    """Keras 2 input declarations on the first layer → a `keras.Input(...)` first layer, arguments removed."""
    args = {a.keyword: a for a in layer.arguments if a.keyword}
    if "batch_input_shape" in args:
        expression, removed = f"batch_shape={args['batch_input_shape'].source}", ["batch_input_shape"]
    elif "batch_size" in args and "input_shape" in args:
        expression = "batch_shape=" + tuple_source((args["batch_size"].source, False), (args["input_shape"].source, True))
        removed = ["batch_size", "input_shape"]
    elif "input_length" in args and "input_dim" in args and layer.kind != "Embedding":
        expression = "shape=" + tuple_source((args["input_length"].source, False), (args["input_dim"].source, False))
        removed = ["input_length", "input_dim"]
    else:
        return None
    if any(args[k].unpacked for k in removed):
        return None  # written inside a `**config` dict: no edit can remove it alone
    made = prepend_input(ir, model, layer, expression)
    if made is None:
        return None
    name, edits = made
    removals = remove_arguments(layer, [args[k] for k in removed])
    return Fix("safe", f"Declare the input with {name}({expression})", (*edits, *removals))


def _predict_classes_fix(ir: FileIR, extra: ModelCall) -> Fix | None:
    """`model.predict_classes(X)` → `np.argmax(model.predict(X), axis=-1)` (NumPy as the file imports it): three
    edits at exact places — a call opened before the call, the method's name, the call closed after it — so the
    receiver and the arguments keep their text, comments and layout as written. Each place is a token boundary of
    the call itself (its first character, its name token, its end), so the result is the call wrapped, whatever
    is around it."""
    numpy = next((imp.aliases[0] or imp.module for imp in ir.imports if imp.module == "numpy" and not imp.names), None)
    func = extra.call.func_source
    if numpy is None or not func.endswith(".predict_classes") or any(a.keyword in ("*", "**") for a in extra.arguments):
        return None
    call, callee = extra.span, extra.call.func_span
    name = Span(callee.end_line, callee.end_column - len("predict_classes"), callee.end_line, callee.end_column)
    return Fix("unsafe", "Use argmax of predict", (
        insertion(call.start, f"{numpy}.argmax("), Edit(name, "predict"), insertion(call.end, ", axis=-1)")))


_DOTTED = re.compile(r"[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*")


def _cudnn_fix(ir: FileIR, layer: Layer, plain: str) -> Fix | None:
    """`layers.CuDNNLSTM(...)` → `layers.LSTM(...)`; a bare imported name keeps working as `LSTM as CuDNNLSTM`."""
    func = layer.call.func_source.strip()
    if not _DOTTED.fullmatch(func):
        return None  # the layer is made by an expression, not a name (`make()(x)`): no safe rename
    if "." in func:
        return Fix("safe", f"Use {plain}", (Edit(layer.call.func_span, func.rsplit(".", 1)[0] + "." + plain),))
    for imp in ir.imports:
        for name, alias, span in zip(imp.names, imp.aliases, imp.name_spans):
            if name == layer.kind and alias is None and name == func:
                return Fix("safe", f"Import {plain} in its place", (Edit(span, f"{plain} as {name}"),))
    return None


def _surely_stateless(model: Model) -> bool:
    """Every layer of the model is known, and none is (or may be) stateful."""
    if not model.complete:
        return False
    layers = [layer for node in model.nodes for layer in all_layers(node.layer)]
    return all(layer.known and not layer.has_star_args and layer.arg("stateful") in (None, False) for layer in layers)
