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

from typing import Iterable

from rnnlint.findings import Diagnostic, Edit, Evidence, Fix
from rnnlint.ir import FileIR, Layer, Model, ModelCall
from rnnlint.rule import Example, Rule, RuleContext
from rnnlint.ruleutil import (
    all_layers, label, prepend_input, remove_argument, remove_arguments, rename_keyword,
    tuple_source,
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
INPUT_KINDS = ("Input", "InputLayer")


class Keras3RemovedArgument(Rule):
    __doc__ = __doc__
    code = "RNN010"
    name = "keras3-removed-argument"
    severity = "error"

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
        """, line=3, fixed="""
            from keras.models import Sequential
            from keras.layers import Embedding, LSTM, Dense
            model = Sequential([Embedding(1000, 32), LSTM(16), Dense(1)])
        """),
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
            model = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(4), keras.layers.Dropout(0.1)])
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
        if ctx.target_keras != 3:
            return
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
        for model in ctx.ir.models:
            for call in model.train_calls:
                arg = next((a for a in call.arguments if a.keyword == "nb_epoch"), None)
                if arg is not None:
                    fix = None if "epochs" in call.keywords or arg.unpacked else Fix("safe", "Rename nb_epoch to epochs",
                                                                     (rename_keyword(arg, "epochs"),))
                    yield Diagnostic(f"{call.method}(nb_epoch=...) was removed in Keras 3: use epochs={arg.source}",
                                     call.span, fix=fix, evidence=Evidence("advice"))
            for extra in model.extra_calls:
                if extra.method == "predict_classes":
                    yield Diagnostic("model.predict_classes() was removed in Keras 3: use "
                                     "np.argmax(model.predict(x), axis=-1)", extra.span,
                                     fix=_predict_classes_fix(ctx.ir, extra), evidence=Evidence("advice"))
                if extra.method == "predict_proba":
                    yield Diagnostic("model.predict_proba() was removed in Keras 3: use model.predict(x)", extra.span,
                                     evidence=Evidence("advice"))
                if extra.method == "reset_states":
                    advice = ("this model has no stateful layer, so remove the call" if _surely_stateless(model)
                              else "call reset_states() on each stateful layer (for layer in model.layers: ...)")
                    yield Diagnostic(f"model.reset_states() was removed in Keras 3: {advice}", extra.span,
                                     evidence=Evidence("advice"))
        for imp in ctx.ir.imports:
            if imp.module in REMOVED_MODULES:
                new = REMOVED_MODULES[imp.module]
                fix = Fix("safe", f"Import from {new}", (Edit(imp.module_span, new),)) if imp.module_span else None
                yield Diagnostic(f"{imp.module} does not exist in Keras 3: import from {new} instead",
                                 imp.span, fix=fix, evidence=Evidence("advice"))

    def _layer(self, ir: FileIR, layer: Layer, evidence: Evidence, first_of: Model | None) -> Iterable[Diagnostic]:
        if layer.kind in ("CuDNNLSTM", "CuDNNGRU"):
            plain = layer.kind[len("CuDNN"):]
            yield Diagnostic(f"{layer.kind} was removed in Keras 3: use {plain}, which picks the cuDNN kernel itself",
                             layer.span, fix=_cudnn_fix(ir, layer, plain), evidence=Evidence("advice"))
        if layer.kind in INPUT_KINDS:
            return
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
                                 evidence=Evidence("advice"))
                continue
            hint = LAYER_ARGS[arg.keyword].format(value=arg.source)
            yield Diagnostic(f"{arg.keyword}= on {label(layer)} is rejected by Keras 3 (Unrecognized keyword "
                             f"arguments): {hint}", layer.span, fix=None if reported else migration, evidence=evidence)
            reported = True


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
    """`model.predict_classes(X)` → `np.argmax(model.predict(X), axis=-1)` (NumPy as the file imports it)."""
    numpy = next((imp.aliases[0] or imp.module for imp in ir.imports if imp.module == "numpy" and not imp.names), None)
    func = extra.call.func_source
    if numpy is None or not func.endswith(".predict_classes") or any(a.keyword in ("*", "**") for a in extra.arguments):
        return None
    receiver = func[: -len(".predict_classes")]
    args = ", ".join(a.source if a.keyword is None else f"{a.keyword}={a.source}" for a in extra.arguments)
    return Fix("unsafe", "Use argmax of predict",
               (Edit(extra.span, f"{numpy}.argmax({receiver}.predict({args}), axis=-1)"),))


def _cudnn_fix(ir: FileIR, layer: Layer, plain: str) -> Fix | None:
    """`layers.CuDNNLSTM(...)` → `layers.LSTM(...)`; a bare imported name keeps working as `LSTM as CuDNNLSTM`."""
    func = layer.call.func_source.strip()
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
