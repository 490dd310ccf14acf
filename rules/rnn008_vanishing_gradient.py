"""
## What it does
Flags a SimpleRNN (or `RNN(SimpleRNNCell(...))`) that runs over more than 300 time steps.

## Why is this bad?
A plain RNN multiplies its gradient by the same recurrent matrix at every step, so over a few hundred steps
it vanishes (or explodes): the model stops learning long-range dependencies. LSTM and GRU were made for
this; shorter windows help too.

## Example
```python
model = Sequential([Input(shape=(500, 1)), SimpleRNN(32), Dense(1)])
```

## Use instead
```python
model = Sequential([Input(shape=(500, 1)), LSTM(32), Dense(1)])
```

## Options
`vanishing-gradient-timesteps = 300` in `[tool.rnnlint]` (or `rnnlint.toml`): the number of time steps above
which a plain RNN is flagged.

## Fix safety
No automatic fix: changing the layer type changes the model.
"""
from __future__ import annotations

from typing import Iterable

from rnnlint.findings import Diagnostic, Evidence
from rnnlint.rule import Example, Rule, RuleContext
from rnnlint.ruleutil import label

THRESHOLD = 300


def _is_simple_rnn(layer) -> bool:
    if layer.kind == "SimpleRNN":
        return True
    if layer.kind == "RNN" and layer.inner is not None and layer.inner.kind == "SimpleRNNCell":
        return True
    if layer.kind == "Bidirectional" and layer.inner is not None:
        return _is_simple_rnn(layer.inner)
    return False


class VanishingGradient(Rule):
    __doc__ = __doc__
    code = "RNN008"
    name = "vanishing-gradient"
    severity = "info"
    fix_availability = "never"
    short = "SimpleRNN over more than 300 time steps"

    VALID = [
        Example("""
            import keras
            model = keras.Sequential([keras.Input(shape=(50, 1)), keras.layers.SimpleRNN(16), keras.layers.Dense(1)])
        """),
        Example("""
            import keras
            model = keras.Sequential([keras.Input(shape=(1000, 1)), keras.layers.LSTM(16), keras.layers.Dense(1)])
        """, note="LSTM over long sequences is the remedy"),
        Example("""
            import keras
            model = keras.Sequential([keras.Input(shape=(None, 1)), keras.layers.SimpleRNN(16)])
        """, note="unknown length"),
    ]
    INVALID = [
        Example("""
            from keras.models import Sequential
            from keras.layers import SimpleRNN, Dense
            model = Sequential()
            model.add(SimpleRNN(32, input_shape=(500, 1)))
            model.add(Dense(1))
        """, line=4),
        Example("""
            import keras
            inputs = keras.Input(shape=(1000, 2))
            x = keras.layers.RNN(keras.layers.SimpleRNNCell(8))(inputs)
            model = keras.Model(inputs, x)
        """, line=3),
    ]

    def check(self, ctx: RuleContext) -> Iterable[Diagnostic]:
        threshold = int(ctx.options.get("vanishing-gradient-timesteps", THRESHOLD))
        for model, shapes in ctx.models():
            if shapes.synthetic_input:
                continue
            for node in model.nodes:
                if not _is_simple_rnn(node.layer):
                    continue
                arriving = shapes.inputs.get(node.id, ())
                shape = arriving[0] if arriving else None
                if not isinstance(shape, tuple) or len(shape) != 3 or not isinstance(shape[1], int):
                    continue
                steps = shape[1]
                if steps > threshold:
                    message = (f"{label(node.layer)} runs over {steps} time steps (more than {threshold}): a plain "
                               f"RNN's gradient vanishes over long sequences; use LSTM or GRU, or shorter windows")
                    yield Diagnostic(message, node.layer.span, evidence=Evidence("gradient", model=model, upto=node.id))
