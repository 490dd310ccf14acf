"""
## What it does
Flags a stateful recurrent layer (`stateful=True`) when the model has no static batch size
(`keras.Input(batch_shape=(batch, timesteps, features))`, or `batch_size=` on the Input; Keras 2 also
`batch_input_shape`); when the batches `fit`/`evaluate`/`predict` cut (from `batch_size`, the default 32, the
sample count and `validation_split`) or a dataset's batches do not all hold exactly that many samples; and when
`fit` shuffles (the default). One finding per call: what must agree with what, never a fix that empties the data.

## Why is this bad?
A stateful layer carries its state from batch *i* to batch *i* of the next call, sample by sample, so
Keras must know the batch size when it builds the layer (`ValueError: ... batch size must be static`).
A different batch size at fit raises; a sample count that is not a multiple of it crashes at the end of
the first epoch; shuffling breaks the order that the carried state relies on.

## Example
```python
model = keras.Sequential([keras.Input(shape=(10, 1)), layers.LSTM(16, stateful=True), layers.Dense(1)])
model.fit(X, y, batch_size=4)
```

## Use instead
```python
model = keras.Sequential([keras.Input(batch_shape=(4, 10, 1)), layers.LSTM(16, stateful=True), layers.Dense(1)])
model.fit(X, y, batch_size=4, shuffle=False)
```

## Fix safety
No automatic fix: the batch size is the user's choice.
"""
from __future__ import annotations

from typing import Iterable

from rnnlint.findings import Diagnostic, Evidence
from rnnlint.ir import ArrayShape, DatasetShape, Model, TrainCall, Unknown
from rnnlint.rule import Example, Rule, RuleContext
from rnnlint.ruleutil import batched_samples, label, stateful_layer

KERAS_DEFAULT_BATCH = 32


class StatefulBatch(Rule):
    __doc__ = __doc__
    code = "RNN007"
    name = "stateful-batch"
    severity = "error"
    fix_availability = "never"
    short = (
        "`stateful=True` without a static batch size, or batches (from batch_size, samples, validation_split,"
        " a dataset) that do not all hold it; fitting shuffled"
    )

    VALID = [
        Example("""
            import numpy as np
            import tensorflow as tf
            import keras
            X = np.random.rand(64, 10, 1)
            y = np.random.rand(64, 1)
            ds = tf.data.Dataset.from_tensor_slices((X, y)).batch(8)
            model = keras.Sequential([keras.Input(batch_shape=(8, 10, 1)), keras.layers.GRU(4, stateful=True),
                                      keras.layers.Dense(1)])
            model.compile(loss="mse")
            model.fit(ds, epochs=3)
        """, note="a stateful GRU fitted on a dataset of batches of its own size (unshuffled)"),
        Example("""
            import numpy as np
            import keras
            from keras import layers
            X = np.random.rand(400, 10, 1)
            y = np.random.rand(400, 1)
            model = keras.Sequential([keras.Input(batch_shape=(4, 10, 1)), layers.LSTM(16, stateful=True),
                                      layers.Dense(1)])
            model.compile(loss="mse")
            model.fit(X, y, epochs=1, batch_size=4, shuffle=False)
        """),
        Example("""
            import numpy as np
            import tensorflow as tf
            X = np.random.rand(80, 5, 2)
            y = np.random.rand(80, 1)
            inputs = tf.keras.Input(shape=(5, 2), batch_size=8)
            x = tf.keras.layers.GRU(12, stateful=True)(inputs)
            model = tf.keras.Model(inputs, tf.keras.layers.Dense(1)(x))
            model.compile(loss="mse")
            model.fit(X, y, batch_size=8, shuffle=False)
            model.predict(X, batch_size=8)
        """),
        Example("""
            import keras
            model = keras.Sequential([keras.Input(shape=(10, 1)), keras.layers.LSTM(16), keras.layers.Dense(1)])
        """, note="not stateful"),
        Example("""
            import numpy as np
            import keras
            model = keras.Sequential([keras.Input(batch_shape=(1, 4, 2)), keras.layers.LSTM(8, stateful=True),
                                      keras.layers.Dense(3)])
            model.predict(np.zeros((1, 4, 2)))
        """, note="one sample: the only batch has the model's size, whatever batch_size says"),
        Example("""
            import numpy as np
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            X = np.random.rand(40, 10, 1)
            model = Sequential([LSTM(16, batch_input_shape=(4, 10, 1), stateful=True), Dense(1)])
            model.compile(loss="mse")
            model.fit(X, np.zeros((40, 1)), batch_size=4)
        """, note="under Keras 3 batch_input_shape itself is the problem (RNN010)"),
    ]
    INVALID = [
        Example("""
            import numpy as np
            import keras
            X = np.random.rand(15, 4, 1)
            y = np.random.rand(15, 1)
            model = keras.Sequential([keras.Input(batch_shape=(20, 4, 1)), keras.layers.LSTM(8, stateful=True),
                                      keras.layers.Dense(1)])
            model.compile(loss="mse")
            model.fit(X, y, epochs=2, batch_size=5, shuffle=False)
        """, line=5, message_contains="the declared batch size, batch_size= and the number of samples must agree",
            note="one mistake, one finding: 15 samples cannot fill batches of 20 (never 'trim to 0 samples')"),
        Example("""
            import keras
            from keras import layers
            model = keras.Sequential([keras.Input(shape=(10, 1)), layers.LSTM(16, stateful=True), layers.Dense(1)])
        """, line=3),
        Example("""
            import numpy as np
            import keras
            from keras import layers
            X = np.random.rand(400, 10, 1)
            y = np.random.rand(400, 1)
            model = keras.Sequential([
                keras.Input(batch_shape=(4, 10, 1)),
                layers.LSTM(16, stateful=True),
                layers.Dense(1),
            ])
            model.compile(loss="mse")
            model.fit(X, y, epochs=1, batch_size=8, shuffle=False)
        """, line=8),
        Example("""
            import numpy as np
            import keras
            X = np.random.rand(404, 10, 1)
            model = keras.Sequential([keras.Input(batch_shape=(4, 10, 1)), keras.layers.GRU(4, stateful=True)])
            model.compile(loss="mse")
            model.fit(X, np.zeros((404, 4)), batch_size=4, shuffle=False, validation_split=0.1)
        """, line=4, message_contains="into 363 for training and 41 for validation",
            note="404 samples are a multiple of 4, but the split leaves floor(404 * 0.9) = 363 and 41"),
        Example("""
            import numpy as np
            import keras
            X = np.random.rand(402, 10, 1)
            model = keras.Sequential([keras.Input(batch_shape=(4, 10, 1)), keras.layers.GRU(4, stateful=True)])
            model.compile(loss="mse")
            model.fit(X, np.zeros((402, 4)), batch_size=4)
        """, line=4),
    ]

    def check(self, ctx: RuleContext) -> Iterable[Diagnostic]:
        for model, _shapes in ctx.models():
            stateful = stateful_layer(model)
            if stateful is not None:  # one finding per cause and call, however many layers are stateful
                yield from self._check_layer(model, stateful, ctx.target_keras)

    def _check_layer(self, model: Model, layer, keras_major: int) -> Iterable[Diagnostic]:
        declared = model.declared_input
        if declared is not None and declared.via == "batch_input_shape" and keras_major >= 3:
            return  # Keras 3 rejects batch_input_shape itself: RNN010 reports the root cause
        evidence = Evidence("raises", model=model)
        if declared is None or isinstance(declared.batch_size, Unknown) or isinstance(declared.shape, Unknown):
            if declared is None and model.api == "sequential":
                batch, per_sample = _from_fit(model)
                dims = ", ".join([batch or "<batch size>"] + (per_sample or ["<timesteps>", "<features>"]))
                yield Diagnostic(
                    f"{label(layer)} is stateful=True but the model has no static batch size: declare "
                    f"keras.Input(batch_shape=({dims})) as its first layer", layer.span, evidence=evidence)
            return
        batch = declared.batch_size
        if batch is None:
            used, _ = _from_fit(model)
            spelled = f"keras.Input(batch_shape=({used or '<batch size>'}, " + ", ".join(
                "None" if d is None else str(d) for d in declared.shape) + "))"
            yield Diagnostic(
                f"{label(layer)} is stateful=True but the model's batch size is not static (line "
                f"{declared.span.line}): declare {spelled}", layer.span, evidence=evidence)
            return
        if not isinstance(batch, int) or isinstance(batch, bool) or batch <= 0:
            return
        for call in model.train_calls:
            if call.method not in ("fit", "evaluate", "predict"):
                continue
            if isinstance(call.x, DatasetShape):  # Keras ignores batch_size and shuffle for a dataset: its own
                yield from self._dataset(model, layer, call, batch)
                continue
            shuffles = call.method == "fit" and (not call.has_shuffle or call.shuffle is True)
            problem = _batch_problem(call, batch)
            if problem is not None:
                if shuffles:
                    problem += "; and pass shuffle=False, or the carried state links unrelated sequences"
                at = f" (line {declared.span.line})" if declared.span.line != layer.span.line else ""
                yield Diagnostic(f"{label(layer)} is stateful with a static batch size of {batch}{at}, but {problem}",
                                 layer.span, evidence=_fit_evidence(model, call, "batches", batch))
            elif shuffles:
                yield Diagnostic(
                    f"{label(layer)} is stateful, but fit() on line {call.span.line} shuffles the samples "
                    f"(shuffle defaults to True): the carried state then links unrelated sequences; pass shuffle=False",
                    layer.span, evidence=_fit_evidence(model, call, "shuffle", batch))

    @staticmethod
    def _dataset(model: Model, layer, call, batch: int) -> Iterable[Diagnostic]:
        """A dataset or generator brings its own batches (and its own shuffling)."""
        data = call.x
        what = "dataset" if data.kind == "dataset" else "generator"
        made = f" ({data.source})" if data.source else ""
        if isinstance(data.batch_size, int) and not isinstance(data.batch_size, bool) and data.batch_size != batch:
            yield Diagnostic(
                f"{label(layer)} is stateful with a static batch size of {batch}, but the {what} given to "
                f"{call.method}() on line {call.span.line}{made} yields batches of {data.batch_size} (Keras ignores "
                f"batch_size= for it): batch it by {batch}", layer.span,
                evidence=_dataset_evidence(model, call, "batches", data.batch_size))
        if call.method == "fit" and data.shuffled is True:
            yield Diagnostic(
                f"{label(layer)} is stateful, but the {what} given to fit() on line {call.span.line} is shuffled: the "
                f"carried state then links unrelated sequences; do not shuffle it", layer.span,
                evidence=_dataset_evidence(model, call, "shuffle", batch))


def _batch_problem(call: TrainCall, batch: int) -> str | None:
    """How the batches Keras cuts for `call` disagree with the declared batch size, and what must agree with
    what; None when every batch has exactly `batch` samples (or the sizes are not known)."""
    used = call.batch_size if call.has_batch_size else KERAS_DEFAULT_BATCH
    if not isinstance(used, int) or isinstance(used, bool) or used <= 0:
        return None
    how = f"batch_size={used}" if call.has_batch_size else "the default batch_size of 32"
    where = f"{call.method}() on line {call.span.line}"
    counts = batched_samples(call)
    if counts is None:  # the sample count is not known: only batch_size can be compared
        return None if used == batch else f"{where} uses {how}: pass batch_size={batch}"
    if all(size == batch for count in counts for size in _sizes(count, used)):
        return None
    if len(counts) == 2 and used == batch:
        return (f"{where} splits its {counts[0] + counts[1]} samples into {counts[0]} for training and "
                f"{counts[1]} for validation (validation_split), not both multiples of {batch}: Keras fails on "
                f"the short batch; pass validation_data with a multiple of {batch} samples instead")
    samples = sum(counts)
    fed = f"{where} feeds it {_describe(_sizes(counts[0], used))} ({how} on {counts[0]} samples)"
    if all(count % batch == 0 for count in counts):
        return f"{fed}: pass batch_size={batch}"
    if samples >= batch and len(counts) == 1:
        return (f"{fed}: every batch must hold exactly {batch} samples; pass batch_size={batch} and a multiple of "
                f"{batch} samples (the first {samples - samples % batch})")
    divisor = _divisor(samples, used)
    return (f"{fed}: every batch must hold exactly {batch} samples, and {samples} samples cannot be cut into "
            f"batches of {batch}; the declared batch size, batch_size= and the number of samples must agree"
            + (f" (for example batch_shape=({divisor}, ...) with batch_size={divisor})" if divisor else ""))


def _sizes(count: int, used: int) -> list[int]:
    """The batch sizes Keras cuts `count` samples into with batch_size=`used`."""
    full, rest = divmod(count, used)
    return [used] * full + ([rest] if rest else [])


def _describe(sizes: list[int]) -> str:
    """`3 batches of 5`, `one batch of 15`, `2 batches of 32 and one of 4`."""
    full = [s for s in sizes if s == sizes[0]]
    head = f"one batch of {sizes[0]}" if len(full) == 1 else f"{len(full)} batches of {sizes[0]}"
    return head + (f" and one of {sizes[-1]}" if len(full) < len(sizes) else "")


def _divisor(samples: int, used: int) -> int | None:
    """A batch size that cuts `samples` evenly: the one passed when it does, else the largest up to 32 (not 1)."""
    if samples % used == 0 and used < samples:
        return used
    return next((d for d in range(min(samples - 1, KERAS_DEFAULT_BATCH), 1, -1) if samples % d == 0), None)


def _fit_evidence(model: Model, call: TrainCall, claim: str, batch: int) -> Evidence:
    """Run the call as written (its samples, batch_size, validation_split, shuffle) on the model."""
    used = call.batch_size if call.has_batch_size else KERAS_DEFAULT_BATCH
    samples = call.x.samples if isinstance(call.x, ArrayShape) else None
    split = next((a.value for a in call.arguments if a.keyword == "validation_split"), None)
    train: list[tuple[str, object]] = [
        ("method", call.method), ("claim", claim),
        ("samples", samples if isinstance(samples, int) and not isinstance(samples, bool) else None),
        ("batch_size", used if isinstance(used, int) and not isinstance(used, bool) else batch),
        ("shuffle", not (call.has_shuffle and call.shuffle is False)),
    ]
    if isinstance(split, (int, float)) and not isinstance(split, bool):
        train.append(("validation_split", split))
    return Evidence("stateful_fit", model=model, batch_size=batch, train=tuple(train))


def _dataset_evidence(model: Model, call: TrainCall, claim: str, chunk: int) -> Evidence:
    """Fit on batches of the dataset's size (its sample count is not known: two batches' worth)."""
    return Evidence("stateful_fit", model=model, batch_size=chunk, train=(
        ("method", call.method), ("claim", claim), ("samples", None), ("dataset_batch", chunk)))


def _from_fit(model: Model) -> tuple[str | None, list[str] | None]:
    """The batch size the first fit passes (a literal) and its x's per-sample dims, as text for a suggestion."""
    for call in model.train_calls:
        if call.method != "fit":
            continue
        batch = call.batch_size if call.has_batch_size and isinstance(call.batch_size, int) \
            and not isinstance(call.batch_size, bool) else None
        dims = call.x.dims[1:] if isinstance(call.x, ArrayShape) else None
        known = dims is not None and all(isinstance(d, int) and not isinstance(d, bool) for d in dims) and dims
        return (str(batch) if batch else None), ([str(d) for d in dims] if known else None)
    return None, None
