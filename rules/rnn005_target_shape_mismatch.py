"""
## What it does
Flags a target `y` whose shape does not match the model's output: a 2D `y` for a many-to-many output, a 3D
`y` for a many-to-one output, a different number of time steps, a last dim that differs from the final
layer's units. It knows the loss: `sparse_categorical_crossentropy` takes integer labels with one dim less
(or a last dim of 1); Keras 3 also accepts `(n, T)` for an `(n, T, 1)` output and `(n,)` for `(n, 1)`.

## Why is this bad?
Regression losses broadcast: an output `(n, 4, 1)` against `y` of shape `(n, 1)` trains **without any error**
on a target that repeats one value over every time step, and a many-to-one output `(n, 1)` against `y`
`(n, 10, 1)` does the same the other way round. Classification losses raise instead, with messages about
ranks or dimensions that do not name the cause.

## Example
```python
model = Sequential([LSTM(10, input_shape=(4, 1), return_sequences=True), Dense(1)])  # (None, 4, 1)
model.compile(loss="mse")
model.fit(X, y)          # y.shape == (2, 1)
```

## Use instead
```python
model = Sequential([LSTM(10, input_shape=(4, 1)), Dense(1)])  # many-to-one: (None, 1)
```
or give `y` one target per time step, shape `(samples, 4, 1)`.

## Fix safety
No automatic fix: whether the model or the target is wrong is the user's decision.
"""
from __future__ import annotations

from typing import Iterable

from rnnlint.datacheck import followed_whole, loss_name, named, single_shape, target_ok, y_of
from rnnlint.findings import Diagnostic, Evidence
from rnnlint.ir import ArrayShape, dims_differ
from rnnlint.rule import Example, Rule, RuleContext
from rnnlint.shapes import format_shape


class TargetShapeMismatch(Rule):
    __doc__ = __doc__
    code = "RNN005"
    name = "target-shape-mismatch"
    severity = "error"
    fix_availability = "never"
    short = "`y` that does not match the model output (loss-aware; catches the silent broadcasts)"

    VALID = [
        Example("""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import LSTM, Dense, TimeDistributed
            X = np.random.rand(2, 4, 1)
            y = np.random.rand(2, 4, 1)
            model = Sequential([LSTM(10, input_shape=(4, 1), return_sequences=True), TimeDistributed(Dense(1))])
            model.compile(loss="mse")
            model.fit(X, y, batch_size=2)
        """, note="TimeDistributed many-to-many with 3D y"),
        Example("""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            X = np.random.rand(2, 4, 1)
            y = np.random.rand(2, 4)
            model = Sequential([LSTM(10, input_shape=(4, 1), return_sequences=True), Dense(1)])
            model.compile(loss="mse")
            model.fit(X, y, batch_size=2)
        """, note="(n, T) against (n, T, 1): Keras 3 adds the axis"),
        Example("""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import Input, GRU, Dense
            X = np.random.rand(60, 15, 4)
            y = np.random.randint(0, 3, size=(60,))
            model = Sequential([Input(shape=(15, 4)), GRU(16), Dense(3, activation="softmax")])
            model.compile(loss="sparse_categorical_crossentropy")
            model.fit(X, y, batch_size=12)
        """, note="integer labels with a sparse loss"),
        Example("""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import Input, LSTM, RepeatVector, TimeDistributed, Dense
            X = np.random.rand(30, 12, 1)
            y = np.random.rand(30, 5, 1)
            model = Sequential([Input(shape=(12, 1)), LSTM(32), RepeatVector(5),
                                LSTM(32, return_sequences=True), TimeDistributed(Dense(1))])
            model.compile(loss="mse")
            model.fit(X, y, batch_size=6)
        """, note="RepeatVector seq2seq"),
        Example("""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            X = np.random.rand(16, 10, 1)
            y = np.random.rand(16)
            model = Sequential([LSTM(8, input_shape=(10, 1)), Dense(1)])
            model.compile(loss="mse")
            model.fit(X, y, batch_size=4)
        """, note="(n,) against Dense(1)"),
        Example("""
            import numpy as np
            import keras
            X = np.random.rand(30, 5, 1)
            y = np.random.rand(30, 3).reshape((30, 3, 1))
            model = keras.Sequential([keras.Input(shape=(5, 1)), keras.layers.LSTM(16), keras.layers.Dense(3)])
            model.compile(loss="mse")
            model.fit(X, y, batch_size=6)
        """, note="(n, 3, 1) against (None, 3): Keras 3 drops the trailing 1 of y"),
    ]
    INVALID = [
        Example("""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            X = np.array([[[1.], [2.], [3.], [4.]], [[2.], [3.], [4.], [5.]]])
            y = np.array([[5.], [6.]])
            model = Sequential()
            model.add(LSTM(10, input_shape=(4, 1), return_sequences=True))
            model.add(Dense(1))
            model.compile(optimizer="adam", loss="mse")
            model.fit(X, y, epochs=1, batch_size=1)
        """, line=10),
        Example("""
            import numpy as np
            import keras
            X = np.random.rand(32, 10, 1)
            y = np.random.rand(32, 10, 1)
            model = keras.Sequential([keras.Input(shape=(10, 1)), keras.layers.LSTM(16), keras.layers.Dense(1)])
            model.compile(loss="mse")
            model.fit(X, y, batch_size=8)
        """, line=7, note="many-to-one output, sequence target"),
        Example("""
            import numpy as np
            from keras import Sequential
            from keras.layers import Input, LSTM, Dense
            X = np.random.rand(40, 12, 2)
            y = np.random.randint(0, 4, size=(40,))
            model = Sequential([Input(shape=(12, 2)), LSTM(32), Dense(4, activation="softmax")])
            model.compile(optimizer="adam", loss="categorical_crossentropy")
            model.fit(X, y, batch_size=8)
        """, line=8, note="integer labels with a categorical loss"),
        Example("""
            import numpy as np
            import keras
            from keras import layers
            X = np.random.rand(24, 10, 1)
            y = np.random.rand(24, 8, 1)
            model = keras.Sequential([keras.Input(shape=(10, 1)), layers.GRU(16, return_sequences=True),
                                      layers.TimeDistributed(layers.Dense(1))])
            model.compile(loss=keras.losses.MeanSquaredError())
            model.fit(X, y, batch_size=6)
        """, line=9),
    ]

    def check(self, ctx: RuleContext) -> Iterable[Diagnostic]:
        for model, shapes in ctx.models():
            if shapes.errors or not followed_whole(model):
                continue
            output = single_shape(shapes.model_output)
            if output is None:
                continue
            for call in model.train_calls:
                loss = loss_name(model, call)  # the compile in effect at this call
                y = y_of(call)
                if loss is None or y is None or target_ok(y, output, loss):
                    continue
                plain = call.y_source or "y"
                message = self._message(y, output, loss, plain, named(y, plain, call))
                yield Diagnostic(message, call.span, evidence=Evidence("output_mismatch", model=model, data=y, loss=loss))

    @staticmethod
    def _message(y: ArrayShape, output: tuple, loss: str, name: str, full_name: str) -> str:
        head = f"{full_name} has shape {format_shape(y.dims)} but the model outputs {format_shape(output)}"
        silent = loss not in ("sparse_categorical_crossentropy", "categorical_crossentropy", "binary_crossentropy") \
            and _broadcasts(y.dims, output)
        tail = ("; Keras would broadcast this silently and train on the wrong target" if silent
                else "; Keras raises when fit computes the loss")
        if loss == "sparse_categorical_crossentropy":
            want = f"integer labels of shape (samples{_dims(output[1:-1])})"
            return f"{head}: with {loss} it needs {want}{tail}"
        if loss == "categorical_crossentropy" and y.dtype == "int" and y.rank == len(output) - 1:
            return (f"{head}: {loss} needs one-hot targets of shape (samples{_dims(output[1:])}); for integer labels "
                    f"use loss='sparse_categorical_crossentropy' or keras.utils.to_categorical({name})")
        if len(output) == 3:
            alt = f" or (samples, {output[1]})" if output[-1] == 1 else ""
            return (f"{head}: many-to-many needs {name} of shape (samples{_dims(output[1:])}){alt}{tail}")
        if len(output) == 2 and y.rank >= 3:
            return (f"{head}: many-to-one needs {name} of shape (samples, {output[1]}); drop the time axis of "
                    f"{name} or add return_sequences=True for one output per step{tail}")
        if len(output) == 2:
            units = "1 unit" if output[1] == 1 else f"{output[1]} units"
            return (f"{head}: the final layer has {units}, so {name} needs shape (samples, {output[1]})"
                    f"{tail}")
        return f"{head}: they must match{tail}"


def _broadcasts(y: tuple, output: tuple) -> bool:
    """Whether the loss would broadcast y against the output (Keras squeezes a trailing 1 of the output first)."""
    candidates = [output]
    if output and output[-1] == 1 and len(y) == len(output) - 1:
        candidates = [output[:-1]]
    return any(_numpy_broadcast(y, out) for out in candidates)


def _numpy_broadcast(a: tuple, b: tuple) -> bool:
    for x, z in zip(reversed(a), reversed(b)):
        if dims_differ(x, z) and 1 not in (x, z):
            return False
    return True


def _dims(dims: tuple) -> str:
    return "".join(f", {'?' if d is None else d}" for d in dims)
