"""
## What it does
Flags a layer that needs a sequence — a recurrent layer, Conv1D, 1D pooling, TimeDistributed, attention —
fed by a layer that is not recurrent and has already removed the time axis: `Flatten`, global pooling over
time, a `Reshape` to one dimension per sample.

## Why is this bad?
A recurrent layer reads `(batch, timesteps, features)`. `Flatten` turns `(batch, 20, 3)` into `(batch, 60)`
and global pooling into `(batch, features)`: there are no timesteps left, so Keras raises
`expected ndim=3, found ndim=2` when it builds the model. `Dense` layers in between do not help: they keep the
rank they are given. (When the 2D tensor comes from a recurrent layer without `return_sequences=True`, RNN001
reports it; when it is the model's declared input, RNN003.)

## Example
```python
model = keras.Sequential([
    keras.Input(shape=(20, 3)),
    layers.Flatten(),
    layers.Dense(32),
    layers.LSTM(16),
    layers.Dense(1),
])
```

## Use instead
```python
model = keras.Sequential([
    keras.Input(shape=(20, 3)),
    layers.Dense(32),  # Dense works on every timestep of a 3D input
    layers.LSTM(16),
    layers.Dense(1),
])
```
Or give the vector a time axis again: `layers.RepeatVector(n)` repeats it n times, and
`layers.Reshape((timesteps, features))` splits it.

## Fix safety
No automatic fix: removing the layer, moving the pooling after the recurrent layer, or reshaping are
different models; the choice is the user's.
"""
from __future__ import annotations

from typing import Iterable

from rnnlint.findings import RANK_ERROR, Diagnostic, Evidence
from rnnlint.ir import Model
from rnnlint.rule import Example, Rule, RuleContext
from rnnlint.ruleutil import INPUT_KINDS, label, recurrent_core, walk_back
from rnnlint.shapes import ModelShapes, ShapeError, format_shape

# Layers that are not recurrent and give a 2D output from a sequence, with what to do instead.
ADVICE = {
    "Flatten": "Flatten merges the time axis into the features; remove it (Dense and the recurrent layers work "
               "on 3D input), or follow it with Reshape((timesteps, features))",
    "GlobalAveragePooling1D": "pooling over time removes the time axis; pool after the recurrent layer instead",
    "GlobalMaxPooling1D": "pooling over time removes the time axis; pool after the recurrent layer instead",
    "Reshape": "its target shape has no time axis; reshape to (timesteps, features)",
}


class LostTimeAxis(Rule):
    __doc__ = __doc__
    code = "RNN011"
    name = "lost-time-axis"
    severity = "error"
    fix_availability = "never"
    short = (
        "a recurrent layer / Conv1D / TimeDistributed fed by a `Flatten`, a global pooling over time or a "
        "`Reshape` that already removed the time axis"
    )

    VALID = [
        Example("""
            import keras
            from keras import layers
            model = keras.Sequential([keras.Input(shape=(20, 3)), layers.Dense(32), layers.LSTM(16), layers.Dense(1)])
        """),
        Example("""
            import keras
            from keras import layers
            model = keras.Sequential([keras.Input(shape=(20, 3)), layers.Flatten(), layers.Dense(16),
                                      layers.RepeatVector(5), layers.LSTM(8), layers.Dense(1)])
        """, note="RepeatVector gives the vector a time axis again"),
        Example("""
            import keras
            from keras import layers
            model = keras.Sequential([keras.Input(shape=(20, 3)), layers.LSTM(16, return_sequences=True),
                                      layers.GlobalAveragePooling1D(), layers.Dense(1)])
        """, note="pooling after the recurrent layer"),
        Example("""
            import keras
            from keras import layers
            model = keras.Sequential([keras.Input(shape=(60,)), layers.Reshape((20, 3)), layers.GRU(8)])
        """, note="a Reshape that makes a sequence"),
        Example("""
            import keras
            from keras import layers
            inputs = keras.Input(shape=(20, 3))
            x = layers.Flatten()(inputs)
            x = layers.Dense(8)(x)
            model = keras.Model(inputs, layers.Dense(1)(x))
        """, note="nothing after the Flatten needs a sequence"),
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            model = Sequential([LSTM(8, input_shape=(5, 2)), Dense(4), LSTM(4)])
        """, note="a recurrent layer without return_sequences=True: RNN001's"),
    ]
    INVALID = [
        Example("""
            import keras
            from keras import layers
            model = keras.Sequential([
                keras.Input(shape=(20, 3)),
                layers.Flatten(),
                layers.Dense(32),
                layers.LSTM(16),
                layers.Dense(1),
            ])
        """, line=5, message_contains="LSTM (line 7) needs 3D input (batch, timesteps, features), but Flatten"),
        Example("""
            from keras.models import Sequential
            from keras.layers import Conv1D, GlobalMaxPooling1D, GRU, Dense
            model = Sequential()
            model.add(Conv1D(16, 3, input_shape=(30, 4)))
            model.add(GlobalMaxPooling1D())
            model.add(GRU(8))
            model.add(Dense(1))
        """, line=5, message_contains="pool after the recurrent layer instead"),
        Example("""
            import tensorflow as tf
            inputs = tf.keras.Input(shape=(10, 2))
            x = tf.keras.layers.Reshape((20,))(inputs)
            x = tf.keras.layers.Dropout(0.1)(x)
            x = tf.keras.layers.SimpleRNN(4)(x)
            model = tf.keras.Model(inputs, x)
        """, line=3),
    ]

    def check(self, ctx: RuleContext) -> Iterable[Diagnostic]:
        for model, shapes, error in ctx.shape_errors():
            diagnostic = self._diagnose(model, shapes, error)
            if diagnostic is not None:
                yield diagnostic

    @staticmethod
    def _diagnose(model: Model, shapes: ModelShapes, error: ShapeError) -> Diagnostic | None:
        found = error.found
        if error.kind != "ndim" or found is None or len(found) != 2:
            return None
        if (error.expected_ndim or error.min_ndim or 0) < 3:
            return None
        consumer = model.nodes[error.node]
        culprit = None
        for node in walk_back(model, consumer, error.input_index):
            culprit = node
        if culprit is None or not culprit.layer.known or culprit.layer.kind in INPUT_KINDS:
            return None  # the model's input: RNN003
        if recurrent_core(culprit.layer) is not None or culprit.layer.kind not in ADVICE:
            return None  # a recurrent layer: RNN001; anything else: not sure enough to explain
        needed = error.expected_ndim or error.min_ndim
        output = shapes.outputs.get(culprit.id)
        shown = format_shape(output) if isinstance(output, tuple) and len(output) == 2 else format_shape(found)
        message = (
            f"{label(consumer.layer)} needs {needed}D input (batch, timesteps, features), but "
            f"{label(culprit.layer)} outputs {shown}, 2D: "
            f"{ADVICE[culprit.layer.kind]}"
        )
        return Diagnostic(message, culprit.layer.span, evidence=Evidence("raises", model=model, upto=consumer.id,
                                                                                  match=RANK_ERROR))
