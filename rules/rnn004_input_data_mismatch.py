"""
## What it does
Flags `fit`, `evaluate` and `predict` calls whose `x` has a rank or per-sample dims that differ from the
model's declared input: a 2D `x` never reshaped to `(samples, timesteps, features)`, a single window passed
without its batch axis, the wrong number of time steps, the wrong number of features.

## Why is this bad?
A recurrent model reads `x` as `(samples, timesteps, features)`. A wrong feature count fails deep inside the
cell with a MatMul message; a wrong time-step count raises in a functional model and runs silently in a
Sequential one; a single `(timesteps, features)` window is read as `timesteps` samples of one step each.
Every Keras reads a 1D `x` as `(n, 1)`. Keras 3, tf-keras, and tf.keras from TensorFlow 2.7 (2.2 for functional
models) also add a missing size-1 feature axis (`(n, T)` for a declared `(T, 1)`); older releases raise. That case
is flagged only when every release the project allows raises (`tensorflow==2.4.0` in requirements.txt), and stays
silent when the declared range spans the change or only the major version is known. Models that start with an
Embedding take 2D integer input and only their sequence length is checked.

## Example
```python
X = np.random.rand(60, 3)                 # 60 rows of 3 readings
model = Sequential([LSTM(20, input_shape=(1, 3)), Dense(1)])
model.fit(X, y, batch_size=12)
```

## Use instead
```python
X = X.reshape((X.shape[0], 1, 3))         # (samples, timesteps, features)
model.fit(X, y, batch_size=12)
```

## Fix safety
When the missing size-1 feature axis is the only difference (an old Keras 2 release), the fix inserts
`X = X.reshape((X.shape[0], timesteps, 1))` before the call. It is unsafe (applied only with `--unsafe-fixes`):
it rebinds `X` for the rest of the script, which changes later uses of it.
"""
from __future__ import annotations

from typing import Iterable

from rnnlint.datacheck import (
    DataContext, dims_match, first_real_kind, lacks_feature_axis, named, x_contexts,
)
from rnnlint.findings import Diagnostic, Evidence, Fix
from rnnlint.ir import DatasetShape, dims_differ
from rnnlint.kerasver import KerasChoice, adds_feature_axis, explicit_choice
from rnnlint.layerkinds import recurrent_core
from rnnlint.rule import Example, Rule, RuleContext
from rnnlint.ruleutil import insertion
from rnnlint.shapes import format_shape


class InputDataMismatch(Rule):
    __doc__ = __doc__
    code = "RNN004"
    name = "input-data-mismatch"
    severity = "error"
    fix_availability = "sometimes"
    short = "`x` given to fit/evaluate/predict whose rank or per-sample dims differ from the model input"

    VALID = [
        Example("""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            X = np.random.rand(100, 3, 2)
            y = np.random.rand(100, 1)
            model = Sequential([LSTM(8, input_shape=(3, 2)), Dense(1)])
            model.compile(loss="mse")
            model.fit(X, y, batch_size=10)
        """, note="a multivariate series windowed into (samples, 3, 2)"),
        Example("""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            X = np.random.rand(50, 3)
            y = np.random.rand(50, 1)
            model = Sequential([LSTM(8, input_shape=(3, 1)), Dense(1)])
            model.compile(loss="mse")
            model.fit(X, y, batch_size=10)
        """, note="Keras 3 adds the size-1 feature axis itself"),
        Example("""
            import numpy as np
            from tensorflow.keras.models import Sequential
            from tensorflow.keras.layers import LSTM, Dense
            X = np.random.rand(50, 3)
            y = np.random.rand(50, 1)
            model = Sequential([LSTM(8, input_shape=(3, 1)), Dense(1)])
            model.compile(loss="mse")
            model.fit(X, y, batch_size=10)
        """, target_keras=2, project="tf-keras==2.21.0", note="tf-keras (like tf.keras from 2.7) adds the axis too"),
        Example("""
            import numpy as np
            from tensorflow.keras.models import Sequential
            from tensorflow.keras.layers import LSTM, Dense
            X = np.random.rand(50, 3)
            y = np.random.rand(50, 1)
            model = Sequential([LSTM(8, input_shape=(3, 1)), Dense(1)])
            model.compile(loss="mse")
            model.fit(X, y, batch_size=10)
        """, target_keras=2, project="tensorflow>=2.4,<2.16",
            note="the releases the project allows disagree (2.4 raises, 2.15 adds the axis): silent"),
        Example("""
            import numpy as np
            from tensorflow.keras.models import Sequential
            from tensorflow.keras.layers import Dense
            x = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
            y = 2 * x + 1
            model = Sequential([Dense(1, input_dim=1)])
            model.compile(optimizer="sgd", loss="mse")
            model.fit(x, y, epochs=5, batch_size=10)
        """, note="every Keras reads a 1D x as (samples, 1)"),
        Example("""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import Input, Embedding, LSTM, Dense
            X = np.random.randint(0, 1000, size=(64, 20))
            y = np.random.randint(0, 2, size=(64,))
            model = Sequential([Input(shape=(20,)), Embedding(1000, 16), LSTM(8), Dense(1, activation="sigmoid")])
            model.compile(loss="binary_crossentropy")
            model.fit(X, y, batch_size=16)
        """, note="Embedding on 2D integer input"),
        Example("""
            import numpy as np
            import keras
            X = np.random.rand(30, 12, 1)
            inputs = keras.Input(shape=(None, 1))
            model = keras.Model(inputs, keras.layers.LSTM(4)(inputs))
            model.predict(X[:1], batch_size=1)
        """, note="variable-length input; one window with its batch axis"),
    ]
    INVALID = [
        Example("""
            import numpy as np
            from tensorflow.keras.models import Sequential
            from tensorflow.keras.layers import LSTM, Dense
            X = np.random.rand(60, 6)
            y = np.random.rand(60)
            model = Sequential()
            model.add(LSTM(20, input_shape=(3, 2)))
            model.add(Dense(1))
            model.compile(optimizer="adam", loss="mse")
            model.fit(X, y, epochs=1, batch_size=12)
        """, line=10),
        Example("""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            X = np.random.rand(50, 3)
            y = np.random.rand(50, 1)
            model = Sequential([LSTM(8, input_shape=(3, 1)), Dense(1)])
            model.compile(loss="mse")
            model.fit(X, y, batch_size=10)
        """, line=8, target_keras=2, project="tensorflow==2.4.0", unsafe_fix=True,
            message_contains="Keras 2 (requirements.txt:1: tensorflow==2.4.0) does not add the missing feature axis",
            note="tf.keras before TensorFlow 2.7 does not add the feature axis to a Sequential model's x", fixed="""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            X = np.random.rand(50, 3)
            y = np.random.rand(50, 1)
            model = Sequential([LSTM(8, input_shape=(3, 1)), Dense(1)])
            model.compile(loss="mse")
            X = X.reshape((X.shape[0], 3, 1))
            model.fit(X, y, batch_size=10)
        """),
        Example("""
            import numpy as np
            import keras
            X = np.random.rand(30, 12, 1)
            inputs = keras.Input(shape=(10, 1))
            x = keras.layers.LSTM(8)(inputs)
            model = keras.Model(inputs, keras.layers.Dense(1)(x))
            model.compile(loss="mse")
            model.fit(X, np.zeros((30, 1)), batch_size=6)
        """, line=8),
        Example("""
            import numpy as np
            import keras
            model = keras.Sequential([keras.Input(shape=(10, 1)), keras.layers.LSTM(16), keras.layers.Dense(1)])
            window = np.random.rand(10, 1)
            model.predict(window, batch_size=1)
        """, line=5, note="a single window without its batch axis"),
    ]

    def check(self, ctx: RuleContext) -> Iterable[Diagnostic]:
        keras = ctx.keras if isinstance(ctx.keras, KerasChoice) else explicit_choice(ctx.target_keras)
        for model, shapes in ctx.models():
            first = first_real_kind(model)
            if first is None:
                continue
            for data in x_contexts(model, shapes):
                if first == "Embedding" and not _token_length_differs(data):
                    continue  # token ids into an Embedding: only their sequence length can be checked
                release = ""
                if lacks_feature_axis(data.x, data.model_input):
                    # every Keras reads (n,) as (n, 1); (n, T) as (n, T, 1) depends on the release
                    if data.x.rank < 2 or adds_feature_axis(keras, model.api) is not False:
                        continue  # it adds the axis, or the releases the project allows disagree: silent
                    release = f"Keras {keras.major} ({keras.reason}) does not add the missing feature axis"
                message = self._problem(data, recurrent=any(recurrent_core(n.layer) for n in model.nodes))
                if message:
                    if release:
                        message = f"{message}; {release}"
                    yield Diagnostic(message, data.call.span, fix=_reshape_fix(data) if release else None,
                                     evidence=Evidence("input_mismatch", model=model, data=data.x, release=release))

    @staticmethod
    def _problem(data: DataContext, recurrent: bool) -> str | None:
        x, model_input = data.x, data.model_input
        per_x, per_in = x.dims[1:], model_input[1:]
        name = data.call.x_source or "x"
        full = named(x, name, data.call)
        where = f"{data.call.method}() (line {data.call.span.line})"
        if dims_match(per_x, per_in):
            return None
        expected = format_shape(model_input)
        if dims_match(x.dims, per_in):
            return (f"{full} has shape {format_shape(x.dims)}, which is one sample without its batch axis, but the "
                    f"model expects {expected}: Keras reads it as {x.dims[0]} samples; pass "
                    f"{name}[np.newaxis] (shape {format_shape((1,) + x.dims)}) to {where}")
        if x.rank != len(model_input):
            hint = ""
            if x.rank == 2 and len(model_input) == 3 and None not in per_in and not isinstance(data.call.x, DatasetShape):
                hint = (f"; reshape it to (samples, {per_in[0]}, {per_in[1]}) with "
                        f"{name}.reshape(({name}.shape[0], {per_in[0]}, {per_in[1]}))")
            return (f"{full} has shape {format_shape(x.dims)}, {x.rank}D, but the model expects {expected}, "
                    f"{len(model_input)}D{_axes(len(model_input), recurrent)}{hint}")
        parts = []
        if len(per_in) >= 2 and dims_differ(per_x[0], per_in[0]):
            silent = " (a Sequential model runs it without error, ignoring the declared shape)" \
                if data.model.api == "sequential" else ""
            parts.append(f"{per_x[0]} time steps where the model declares {per_in[0]}{silent}")
        if dims_differ(per_x[-1], per_in[-1]):
            parts.append(f"{per_x[-1]} features where the model declares {per_in[-1]}")
        if not parts:
            parts.append("per-sample dims that differ from the model's input")
        return (f"{full} has shape {format_shape(x.dims)} but the model expects {expected}: "
                + "; ".join(parts))


def _axes(rank: int, recurrent: bool) -> str:
    """What the axes of a model input of `rank` mean, when that is plain: ` (samples, features)`."""
    if rank == 2:
        return " (samples, features)"
    if rank == 3 and recurrent:
        return " (samples, timesteps, features)"
    return ""


def _token_length_differs(data: DataContext) -> bool:
    """Padded token ids (samples, length) against an Embedding model's (None, length): the lengths differ."""
    return data.x.rank == len(data.model_input) == 2 and dims_differ(data.x.dims[1], data.model_input[1])


def _reshape_fix(data: DataContext) -> Fix | None:
    """`X = X.reshape((X.shape[0], t, f))` before the call, when the missing size-1 feature axis is the only
    difference and x is a plain name."""
    x, model_input, call = data.x, data.model_input, data.call.call
    name = data.call.x_source
    if not name.isidentifier() or call.statement is None or isinstance(data.call.x, DatasetShape):
        return None
    if not (x.rank == len(model_input) - 1 and model_input[-1] == 1 and dims_match(x.dims[1:], model_input[1:-1])):
        return None
    if not all(isinstance(d, int) for d in model_input[1:]):
        return None  # a size the file does not fix (a symbol) cannot be written into the fix
    dims = ", ".join(str(d) for d in model_input[1:])
    text = f"{name} = {name}.reshape(({name}.shape[0], {dims}))\n{call.statement_indent}"
    return Fix("unsafe", f"Reshape {name} to (samples, {dims})", (insertion(call.statement, text),))
