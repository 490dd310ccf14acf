"""
## What it does
Flags `fit` on a recurrent model with array data and no explicit `batch_size` (Keras silently uses 32), and
`predict`/`evaluate` without one when the model is stateful (there the batch size changes the result); and a
`fit` whose `batch_size` is larger than the number of samples, when both are known. Never a dataset or
generator (its batches are its own), and never a stateful model that declares its batch size (RNN007 compares
every call with it).

## Why is this bad?
With recurrent models the batch size shapes training: the default of 32 is rarely what a recurrent model
wants, and small data sets (the lecture's 2 samples) are trained in one short batch of everything. A batch size
larger than the data makes every epoch one short batch, which is rarely what the number in the code says. A
stateless model predicts the same whatever the batch size, so `predict`/`evaluate` are left alone there.

## Example
```python
model.fit(X, y, epochs=100)
```

## Use instead
```python
model.fit(X, y, epochs=100, batch_size=2)
```

## Fix safety
No fix for a stateful model (the size to pass is the one it is built with). Otherwise the fix adds `batch_size=32` (or the sample count, when smaller), the batch Keras was using, so behaviour is unchanged; it is marked unsafe
because the right value is the user's choice, and applied only with `--unsafe-fixes`.
"""
from __future__ import annotations

from typing import Iterable

from rnnlint.findings import Diagnostic, Evidence, Fix
from rnnlint.ir import ArrayShape, Model, TrainCall
from rnnlint.rule import Example, Rule, RuleContext
from rnnlint.ruleutil import append_to_call, batched_samples, model_has_recurrent, stateful_layer

METHODS = ("fit", "evaluate", "predict")


class MissingBatchSize(Rule):
    __doc__ = __doc__
    code = "RNN006"
    name = "missing-batch-size"
    severity = "warning"
    fix_availability = "sometimes"
    short = (
        "`fit` of a recurrent model without `batch_size` (predict/evaluate only for stateful models; never a "
        "dataset), or a fit batch larger than the data"
    )

    VALID = [
        Example("""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            X = np.random.rand(200, 4, 1)
            model = Sequential([LSTM(10, input_shape=(4, 1)), Dense(1)])
            model.compile(loss="mse")
            model.fit(X, X[:, -1], epochs=5, batch_size=16)
            print(model.predict(X))
            model.evaluate(X, X[:, -1])
        """, note="predict/evaluate of a stateless model: the batch size does not change the result"),
        Example("""
            import numpy as np
            import tensorflow as tf
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            X = np.random.rand(200, 4, 1)
            ds = tf.data.Dataset.from_tensor_slices((X, X[:, -1])).batch(16)
            model = Sequential([LSTM(10, input_shape=(4, 1)), Dense(1)])
            model.compile(loss="mse")
            model.fit(ds, epochs=5)
        """, note="a dataset brings its own batches"),
        Example("""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            X = np.random.rand(2, 4, 1)
            y = np.random.rand(2, 1)
            model = Sequential([LSTM(10, input_shape=(4, 1)), Dense(1)])
            model.compile(loss="mse")
            model.fit(X, y, epochs=5, batch_size=2)
        """),
        Example("""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import Dense
            X = np.random.rand(200, 4)
            model = Sequential([Dense(1, input_shape=(4,))])
            model.fit(X, X[:, :1], epochs=5)
        """, note="not a recurrent model"),
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            def train(model, dataset):
                model.fit(dataset, epochs=5)
            model = Sequential([LSTM(10, input_shape=(4, 1)), Dense(1)])
            model.fit(load_dataset(), epochs=3)
        """, note="unknown data (a tf.data pipeline takes no batch_size)"),
    ]
    INVALID = [
        Example("""
            import sys
            import numpy as np
            import keras
            def build(batch_size):
                inputs = keras.Input(batch_shape=(batch_size, 6, 1))
                outputs = keras.layers.Dense(1)(keras.layers.GRU(8, stateful=True)(inputs))
                return keras.Model(inputs, outputs)
            model = build(int(sys.argv[1]))
            model.predict(np.random.rand(64, 6, 1))
        """, line=9, message_contains="the state carried from batch to batch makes the result depend on it",
            note="predict of a stateful model (its batch size known only at run time)"),
        Example("""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            X = np.array([[[1.], [2.], [3.], [4.]], [[2.], [3.], [4.], [5.]]])
            y = np.array([[5.], [6.]])
            model = Sequential([LSTM(10, input_shape=(4, 1)), Dense(1)])
            model.compile(loss="mse")
            model.fit(X, y, epochs=100)
        """, line=8, unsafe_fix=True, fixed="""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            X = np.array([[[1.], [2.], [3.], [4.]], [[2.], [3.], [4.], [5.]]])
            y = np.array([[5.], [6.]])
            model = Sequential([LSTM(10, input_shape=(4, 1)), Dense(1)])
            model.compile(loss="mse")
            model.fit(X, y, epochs=100, batch_size=2)
        """),
        Example("""
            import numpy as np
            import keras
            X = np.random.rand(10, 6, 1)
            y = np.random.rand(10, 1)
            model = keras.Sequential([keras.Input(shape=(6, 1)), keras.layers.GRU(8), keras.layers.Dense(1)])
            model.compile(loss="mse")
            model.fit(X, y, epochs=1, batch_size=64)
        """, line=7),
        Example("""
            import numpy as np
            import keras
            X = np.random.rand(95, 6, 1)
            model = keras.Sequential([keras.Input(shape=(6, 1)), keras.layers.LSTM(8), keras.layers.Dense(1)])
            model.compile(loss="mse")
            model.fit(X, np.zeros((95, 1)), epochs=1, validation_split=0.2)
        """, line=6, message_contains="76 of them for training after validation_split: 2 batches of 32 and one of 12",
            unsafe_fix=True, fixed="""
            import numpy as np
            import keras
            X = np.random.rand(95, 6, 1)
            model = keras.Sequential([keras.Input(shape=(6, 1)), keras.layers.LSTM(8), keras.layers.Dense(1)])
            model.compile(loss="mse")
            model.fit(X, np.zeros((95, 1)), epochs=1, validation_split=0.2, batch_size=32)
        """, note="Keras trains on floor(95 * 0.8) = 76 samples"),
    ]

    def check(self, ctx: RuleContext) -> Iterable[Diagnostic]:
        for model, _shapes in ctx.models():
            if not model_has_recurrent(model):
                continue
            stateful = _stateful_batch(model)
            if isinstance(stateful, int) and not isinstance(stateful, bool):
                continue  # a static batch size on a stateful model: RNN007 compares every call with it
            for call in model.train_calls:
                if call.method not in METHODS or not isinstance(call.x, ArrayShape):
                    continue  # a dataset or generator brings its own batches
                if call.method != "fit" and stateful is None:
                    continue  # predict/evaluate of a stateless model: the batch size does not change the result
                counts = batched_samples(call)  # None also when a validation_split is not a literal
                samples = counts[0] if counts else None
                split = counts is not None and len(counts) == 2
                if not call.has_batch_size:
                    yield self._missing(call, samples, split, stateful is not None)
                elif call.method == "fit" and isinstance(call.batch_size, int) \
                        and not isinstance(call.batch_size, bool) and samples and call.batch_size > samples:
                    which = "training samples (after validation_split)" if split else "samples"
                    message = (f"batch_size={call.batch_size} is larger than the {samples} {which} of "
                               f"{call.x_source or 'x'}: each epoch is a single short batch of {samples}; "
                               f"use batch_size <= {samples}")
                    yield Diagnostic(message, call.span, evidence=Evidence("advice"))

    @staticmethod
    def _missing(call: TrainCall, samples: int | None, split: bool, stateful: bool) -> Diagnostic:
        extra = ""
        if split:
            extra = (f" ({call.x.samples} samples, {samples} of them for training after "
                     f"validation_split: {_batches(samples)})")
        elif samples:
            extra = f" ({samples} samples: {_batches(samples)})"
        if stateful and call.method != "fit":
            message = (f"{call.method}() of a stateful model without batch_size: Keras silently uses 32{extra}, "
                       f"and the state carried from batch to batch makes the result depend on it; pass the batch "
                       f"size the model declares")
        else:
            message = (f"{call.method}() of a recurrent model without batch_size: Keras silently uses 32"
                       f"{extra}; set batch_size explicitly")
        if stateful and call.method != "fit":
            return Diagnostic(message, call.span, evidence=Evidence("advice"))  # 32 is not the size to write in
        size = min(samples, 32) if samples else 32
        fix = Fix("unsafe", f"Add batch_size={size} (what Keras was using)",
                  append_to_call(call.call, call.arguments, f"batch_size={size}"))
        return Diagnostic(message, call.span, fix=fix, evidence=Evidence("advice"))


def _stateful_batch(model: Model) -> int | bool | None:
    """None for a stateless model; a stateful model's static batch size when it declares one, else True."""
    if stateful_layer(model) is None:
        return None
    declared = model.declared_input
    batch = declared.batch_size if declared is not None else None
    return batch if isinstance(batch, int) and not isinstance(batch, bool) and batch > 0 else True


def _batches(samples: int) -> str:
    if samples <= 32:
        return "one batch of all of them"
    full, rest = divmod(samples, 32)
    return f"{full} batches of 32" + (f" and one of {rest}" if rest else "")
