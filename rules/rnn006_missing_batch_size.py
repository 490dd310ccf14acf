"""
## What it does
Flags `fit`, `evaluate` and `predict` on a recurrent model with NumPy data and no explicit `batch_size`
(Keras silently uses 32), and a `batch_size` larger than the number of samples when both are known.

## Why is this bad?
With recurrent models the batch size shapes training: small data sets (the lecture's 2 samples) are trained
in one batch of everything, and stateful layers need a fixed batch. A batch size larger than the data makes
Keras run one short batch per epoch, which is rarely what the number in the code says.

## Example
```python
model.fit(X, y, epochs=100)
```

## Use instead
```python
model.fit(X, y, epochs=100, batch_size=2)
```

## Fix safety
The fix adds `batch_size=32` (or the sample count, when smaller), the batch Keras was using, so behaviour is unchanged; it is marked unsafe
because the right value is the user's choice, and applied only with `--unsafe-fixes`.
"""
from __future__ import annotations

from typing import Iterable

from rnnlint.findings import Diagnostic, Evidence, Fix
from rnnlint.ir import ArrayShape
from rnnlint.rule import Example, Rule, RuleContext
from rnnlint.ruleutil import append_to_call, batched_samples, model_has_recurrent

METHODS = ("fit", "evaluate", "predict")


class MissingBatchSize(Rule):
    __doc__ = __doc__
    code = "RNN006"
    name = "missing-batch-size"
    severity = "warning"

    VALID = [
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
            for call in model.train_calls:
                if call.method not in METHODS or not isinstance(call.x, ArrayShape):
                    continue
                counts = batched_samples(call)  # None also when a validation_split is not a literal
                samples = counts[0] if counts else None
                split = counts is not None and len(counts) == 2
                if not call.has_batch_size:
                    extra = ""
                    if split:
                        extra = (f" ({call.x.samples} samples, {samples} of them for training after "
                                 f"validation_split: {_batches(samples)})")
                    elif samples:
                        extra = f" ({samples} samples: {_batches(samples)})"
                    message = (f"{call.method}() of a recurrent model without batch_size: Keras silently uses 32"
                               f"{extra}; set batch_size explicitly")
                    size = min(samples, 32) if samples else 32
                    fix = Fix("unsafe", f"Add batch_size={size} (what Keras was using)",
                              (append_to_call(call.call, bool(call.arguments), f"batch_size={size}"),))
                    yield Diagnostic(message, call.span, fix=fix, evidence=Evidence("advice"))
                elif isinstance(call.batch_size, int) and not isinstance(call.batch_size, bool) and samples \
                        and call.batch_size > samples:
                    which = "training samples (after validation_split)" if split else "samples"
                    message = (f"batch_size={call.batch_size} is larger than the {samples} {which} of "
                               f"{call.x_source or 'x'}: Keras will run a single short batch of {samples} "
                               f"per epoch; use batch_size <= {samples}")
                    yield Diagnostic(message, call.span, evidence=Evidence("advice"))


def _batches(samples: int) -> str:
    if samples <= 32:
        return "one batch of all of them"
    full, rest = divmod(samples, 32)
    return f"{full} batches of 32" + (f" and one of {rest}" if rest else "")
