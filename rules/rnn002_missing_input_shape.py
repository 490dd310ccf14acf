"""
## What it does
Flags a Sequential model whose first layer is recurrent and that declares no input shape: no
`keras.Input(...)` / `InputLayer`, no `input_shape=`, no `batch_input_shape=`, and no `model.build(...)`.

An `input_shape=` written on the layer a wrapper holds, as in `Bidirectional(LSTM(32, input_shape=(6, 2)))`,
counts as no declaration: Keras 2 and 3 read the input declaration of the wrapper only and silently ignore the
inner one. The message says so, and the fix moves it onto the wrapper.

## Why is this bad?
Keras cannot build the model until it sees data: `model.summary()` prints an unbuilt model, weights do not
exist yet, and shape mistakes in the layers (a missing `return_sequences=True`) surface only inside
`fit`, far from the line that causes them. Declaring the input makes Keras check the whole stack when the
model is defined.

## Example
```python
model = Sequential()
model.add(LSTM(32))
model.add(Dense(1))
```

## Use instead
```python
model = Sequential()
model.add(keras.Input(shape=(timesteps, features)))
model.add(LSTM(32))
model.add(Dense(1))
```

## Fix safety
An `input_shape=(timesteps, features)` on the wrapped layer is moved onto the wrapper. This is unsafe (applied only with
`--unsafe-fixes`): Keras starts to honour the declaration, so a declaration that does not match the data now
fails when the model is defined instead of being ignored.

When the data given to `fit` has a known shape, the fix inserts `Input(shape=<that shape>)` as the first layer.
It is unsafe (applied only with `--unsafe-fixes`): it declares what the data happens to be, which fixes the
model to that number of time steps; `Input(shape=(None, features))` may be what the user wants.
"""
from __future__ import annotations

from typing import Iterable

from rnnlint.findings import Diagnostic, Evidence, Fix
from rnnlint.ir import ArrayShape, Argument, Layer, Model
from rnnlint.rule import Example, Rule, RuleContext
from rnnlint.ruleutil import (
    INPUT_KINDS, insert_argument, label, prepend_input, recurrent_core, remove_argument, wrapped_declaration,
)

from rnnlint.shapes import format_shape


class MissingInputShape(Rule):
    __doc__ = __doc__
    code = "RNN002"
    name = "missing-input-shape"
    severity = "warning"
    fix_availability = "sometimes"
    short = (
        "a Sequential model starting with a recurrent layer and declaring no input shape (an `input_shape` "
        "inside `Bidirectional(...)` is ignored by Keras)"
    )

    VALID = [
        Example("""
            import keras
            from keras import layers
            encoder_inputs = keras.Input(shape=(20, 8))
            state = layers.LSTM(32)(encoder_inputs)
            repeated = layers.RepeatVector(10)(state)
            decoder = keras.Sequential([layers.LSTM(32, return_sequences=True), layers.TimeDistributed(layers.Dense(8))])
            model = keras.Model(encoder_inputs, decoder(repeated))
            model.compile(loss="mse")
        """, note="a decoder Sequential used as a layer of another model is built by its parent"),
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense, Input
            model = Sequential([Input(shape=(6, 2)), LSTM(32), Dense(1)])
        """),
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            model = Sequential()
            model.add(LSTM(32, input_shape=(6, 2)))
            model.add(Dense(1))
        """),
        Example("""
            from keras.models import Sequential
            from keras.layers import Embedding, LSTM, Dense
            model = Sequential([Embedding(1000, 16), LSTM(32), Dense(1)])
        """, note="first layer is not recurrent"),
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            model = Sequential([LSTM(32), Dense(1)])
            model.build((None, 6, 2))
        """, note="built explicitly"),
        Example("""
            from keras.models import Sequential
            from keras.layers import Bidirectional, LSTM, Dense
            model = Sequential([Bidirectional(LSTM(8), input_shape=(5, 3)), Dense(1)])
        """),
    ]
    INVALID = [
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            model = Sequential()
            model.add(LSTM(32))
            model.add(Dense(1))
        """, line=4),
        Example("""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            X = np.random.rand(24, 6, 2)
            model = Sequential()
            model.add(LSTM(32))
            model.add(Dense(1))
            model.compile(loss="mse")
            model.fit(X, np.zeros((24, 1)), batch_size=8)
        """, line=6, unsafe_fix=True, fixed="""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import LSTM, Dense, Input
            X = np.random.rand(24, 6, 2)
            model = Sequential()
            model.add(Input(shape=(6, 2)))
            model.add(LSTM(32))
            model.add(Dense(1))
            model.compile(loss="mse")
            model.fit(X, np.zeros((24, 1)), batch_size=8)
        """),
        Example("""
            import tensorflow as tf
            model = tf.keras.Sequential([
                tf.keras.layers.GRU(16),
                tf.keras.layers.Dense(1, activation="sigmoid"),
            ])
        """, line=3),
        Example("""
            from keras.models import Sequential
            from keras.layers import Bidirectional, LSTM, Dense
            model = Sequential()
            model.add(Bidirectional(LSTM(16, return_sequences=True, input_shape=(60, 1))))
            model.add(LSTM(16))
            model.add(Dense(1))
        """, line=4, unsafe_fix=True, fixed="""
            from keras.models import Sequential
            from keras.layers import Bidirectional, LSTM, Dense
            model = Sequential()
            model.add(Bidirectional(LSTM(16, return_sequences=True), input_shape=(60, 1)))
            model.add(LSTM(16))
            model.add(Dense(1))
        """, note="input_shape on the wrapped layer is ignored by Keras: it belongs on the wrapper"),
        Example("""
            import keras
            model = keras.Sequential([keras.layers.Bidirectional(keras.layers.GRU(8, input_dim=3)),
                                      keras.layers.Dense(1)])
        """, line=2, note="no fix for input_dim: the wrapper's own declaration is input_shape"),
        Example("""
            from keras.models import Sequential
            from keras.layers import Bidirectional, LSTM, Dense
            model = Sequential([Bidirectional(LSTM(16, input_shape=(60,))), Dense(1)])
        """, line=3, note="no fix: moving a 2D declaration onto the wrapper would make it a wrong one"),
    ]

    def check(self, ctx: RuleContext) -> Iterable[Diagnostic]:
        for model, _shapes in ctx.models():
            if model.api != "sequential" or not model.nodes or model.declared_input is not None:
                continue
            if model.nested and not model.train_calls:
                continue  # a sub-model of another model: its parent builds it
            first = model.nodes[0]
            if first.layer.kind in INPUT_KINDS or recurrent_core(first.layer) is None:
                continue
            if any(call.method == "build" for call in model.extra_calls):
                continue
            ignored = wrapped_declaration(first.layer)
            if ignored is not None:
                yield self._ignored_inner(model, first.layer, ignored)
                continue
            hint = "keras.Input(shape=(timesteps, features))"
            fix = None
            for call in model.train_calls:
                if isinstance(call.x, ArrayShape) and call.x.rank >= 3 and None not in call.x.dims[1:]:
                    shape = format_shape(call.x.dims[1:])
                    hint = f"keras.Input(shape={shape})"
                    fix = _insert_input(ctx, model, first.layer, shape)
                    break
            message = (
                f"Sequential model (line {model.span.line}) starts with {label(first.layer)} but declares no "
                f"input shape: Keras cannot build it or check its layers before fit; add {hint} as the first layer"
            )
            yield Diagnostic(message, first.layer.span, fix=fix, evidence=Evidence("unbuilt", model=model))


    @staticmethod
    def _ignored_inner(model: Model, wrapper: Layer, arg: Argument) -> Diagnostic:
        inner = wrapper.inner
        assert inner is not None
        message = (
            f"{arg.keyword}={arg.source} on the {inner.kind} inside {wrapper.kind} (line {wrapper.span.line}) is "
            f"ignored: Keras reads the input declaration of the wrapper, not of the layer it wraps, so the "
            f"Sequential model (line {model.span.line}) declares no input shape and cannot be built or checked "
            f"before fit"
        )
        fix = None
        if arg.keyword == "input_shape" and isinstance(arg.value, tuple) and len(arg.value) == 2 and not arg.unpacked:
            message += f"; move it to the {wrapper.kind}"
            fix = Fix("unsafe", f"Move {arg.keyword} to the {wrapper.kind}",
                      (remove_argument(inner, arg), *insert_argument(wrapper, f"{arg.keyword}={arg.source}")))
        return Diagnostic(message, arg.span, fix=fix, evidence=Evidence("unbuilt", model=model))


def _insert_input(ctx: RuleContext, model, layer, shape: str) -> Fix | None:
    """Insert `Input(shape=...)` (in the file's import style) as the first layer."""
    made = prepend_input(ctx.ir, model, layer, f"shape={shape}")
    if made is None:
        return None
    name, edits = made
    return Fix("unsafe", f"Declare the input as {name}(shape={shape})", edits)
