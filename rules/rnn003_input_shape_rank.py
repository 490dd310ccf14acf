"""
## What it does
Flags a declared input shape of the wrong rank for the layer that consumes it: `input_shape=(10,)` or
`input_shape=10` on an LSTM, a shape that includes the batch dimension such as `(None, 10, 1)`,
`keras.Input(shape=(10,))` fed to an LSTM, or a ConvLSTM2D input that is not rank 4.

## Why is this bad?
`input_shape` and `Input(shape=...)` give the shape of one sample; Keras adds the batch dimension itself.
A recurrent layer needs each sample to be `(timesteps, features)`, so the model input is 3D. Any other
rank makes Keras raise `expected ndim=3, found ndim=2` (or `ndim=4`) when the model is built.

## Example
```python
model = Sequential()
model.add(LSTM(32, input_shape=(None, 10, 1)))
```

## Use instead
```python
model = Sequential()
model.add(LSTM(32, input_shape=(10, 1)))
```

## Fix safety
Dropping a leading `None` (a batch dimension written into the per-sample shape) is safe. A shape that lacks
the feature axis, such as `input_shape=(10,)` or `input_shape=10`, has no automatic fix: the number of
features is not known from the source.
"""
from __future__ import annotations

from typing import Iterable

from rnnlint.findings import Diagnostic, Edit, Evidence, Fix
from rnnlint.declare import input_declaration
from rnnlint.ir import ArrayShape, DeclaredInput, Model, Node, Unknown
from rnnlint.rule import Example, Rule, RuleContext
from rnnlint.ruleutil import INPUT_KINDS, drop_leading_none, label, walk_back
from rnnlint.shapes import ModelShapes, ShapeError, format_shape


class InputShapeRank(Rule):
    __doc__ = __doc__
    code = "RNN003"
    name = "input-shape-rank"
    severity = "error"
    fix_availability = "sometimes"
    short = (
        "a declared input shape of the wrong rank: `input_shape=(10,)`, `(None, 10, 1)`, `Input(shape=(10,))`"
        " into an LSTM"
    )

    VALID = [
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            model = Sequential([LSTM(32, input_shape=(10, 1)), Dense(1)])
        """),
        Example("""
            from keras.models import Sequential
            from keras.layers import ConvLSTM2D, Flatten, Dense
            model = Sequential([ConvLSTM2D(8, (3, 3), input_shape=(5, 16, 16, 1)), Flatten(), Dense(1)])
        """),
        Example("""
            import keras
            from keras import layers
            inputs = keras.Input(shape=(20,), dtype="int32")
            x = layers.Embedding(1000, 16)(inputs)
            x = layers.LSTM(8)(x)
            model = keras.Model(inputs, x)
        """, note="Embedding + LSTM on 2D integer input"),
        Example("""
            import keras
            inputs = keras.Input(shape=(None, 3))
            x = keras.layers.GRU(8)(inputs)
            model = keras.Model(inputs, x)
        """, note="variable-length sequences"),
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            model = Sequential([LSTM(32, input_dim=3), Dense(1)])
        """, target_keras=2, note="Keras 2 reads input_dim alone as (None, input_dim)"),
    ]
    INVALID = [
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            model = Sequential()
            model.add(LSTM(32, input_shape=(10,)))
            model.add(Dense(1))
        """, line=4),
        Example("""
            from keras.models import Sequential
            from keras.layers import GRU, Dense
            model = Sequential()
            model.add(GRU(16, input_shape=(None, 10, 1)))
            model.add(Dense(1))
        """, line=4, fixed="""
            from keras.models import Sequential
            from keras.layers import GRU, Dense
            model = Sequential()
            model.add(GRU(16, input_shape=(10, 1)))
            model.add(Dense(1))
        """),
        Example("""
            import tensorflow as tf
            inputs = tf.keras.Input(shape=(24,))
            x = tf.keras.layers.LSTM(8)(inputs)
            model = tf.keras.Model(inputs=inputs, outputs=x)
        """, line=2),
        Example("""
            from keras.models import Sequential
            from keras.layers import ConvLSTM2D, Flatten
            model = Sequential([ConvLSTM2D(8, (3, 3), input_shape=(16, 16, 1)), Flatten()])
        """, line=3),
    ]

    def check(self, ctx: RuleContext) -> Iterable[Diagnostic]:
        for model, shapes, error in ctx.shape_errors():
            if shapes.synthetic_input:
                continue
            diagnostic = self._diagnose(model, shapes, error, ctx.target_keras)
            if diagnostic is not None:
                yield diagnostic

    def _diagnose(self, model: Model, shapes: ModelShapes, error: ShapeError, keras_major: int) -> Diagnostic | None:
        if error.kind != "ndim" or error.found is None:
            return None
        consumer = model.nodes[error.node]
        if consumer.layer.kind == "TimeDistributed":
            return None  # the rank the wrapped layer reports is not the rank of one sample: stay silent
        declaration = self._declaration(model, consumer, error.input_index)
        if declaration is None or isinstance(declaration.shape, Unknown):
            return None
        if declaration.via == "input_dim" and keras_major == 2:
            return None  # Keras 2 reads input_dim alone on a recurrent layer as (None, input_dim): variable length
        needed = error.expected_ndim or error.min_ndim
        if needed is None:
            return None
        declared = declaration.shape
        found = error.found
        per_sample = needed - 1
        message = (
            f"{_spelling(declaration, declared)} (line {declaration.span.line}) gives {label(consumer.layer)} a "
            f"{len(found)}D input {format_shape(found)}, but it needs {needed}D"
        )
        fix = None
        if isinstance(declared, tuple) and len(declared) == per_sample + 1 and declared and declared[0] is None:
            message += (f": the shape of one sample must not include the batch dimension; use "
                        f"{_spelling(declaration, declared[1:])}")
            arg = self._shape_argument(model, declaration)
            if arg is not None and not arg.unpacked:
                new = drop_leading_none(arg.source)
                if new is not None:
                    fix = Fix("safe", "Drop the batch dimension from the declared shape",
                              (Edit(arg.value_span, new),))
        else:
            example = self._example(model, per_sample)
            dims = {2: "(timesteps, features)", 3: "(timesteps, width, channels)",
                    4: "(timesteps, rows, cols, channels)"}.get(per_sample, f"{per_sample} dims")
            message += f": declare the shape of one sample as {dims}"
            if example:
                message += f", e.g. {_spelling(declaration, example)}"
        return Diagnostic(message, declaration.span, fix=fix, evidence=Evidence("raises", model=model, upto=consumer.id))

    @staticmethod
    def _declaration(model: Model, consumer: Node, index: int) -> DeclaredInput | None:
        for node in walk_back(model, consumer, index):
            if node is None:
                return model.declared_input if model.api == "sequential" else None
            if node.layer.kind in INPUT_KINDS:
                return input_declaration(node)
            return None
        return None

    @staticmethod
    def _shape_argument(model: Model, declaration: DeclaredInput):
        for node in model.nodes:
            for layer in (node.layer, node.layer.inner):
                if layer is not None and layer.span == declaration.span:
                    for name in ("input_shape", "shape", "batch_input_shape"):
                        arg = layer.argument(name)
                        if arg is not None:
                            return arg
                    positional = [a for a in layer.arguments if a.keyword is None]
                    if layer.kind == "Input" and positional:
                        return positional[0]
        return None

    @staticmethod
    def _example(model: Model, per_sample: int) -> tuple | None:
        for call in model.train_calls:
            if isinstance(call.x, ArrayShape) and call.x.rank == per_sample + 1:
                return call.x.dims[1:]
        return None


def _spelling(declaration: DeclaredInput, shape: object) -> str:
    """How the declaration reads in the source: 'Input(shape=(24,))', 'input_shape=(10,)'."""
    text = format_shape(shape)
    if declaration.via in ("Input", "InputLayer"):
        return f"{declaration.via}(shape={text})"
    if declaration.via in ("batch_shape", "batch_input_shape"):
        return f"{declaration.via}=(batch, *{text})"
    return f"input_shape={text}"
