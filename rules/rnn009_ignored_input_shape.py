"""
## What it does
Flags `input_shape=`, `input_dim=` or `batch_input_shape=` on a layer that is not the first layer of a
Sequential model.

## Why is this bad?
Keras reads the input declaration of the first layer only; on any later layer the argument is silently
ignored. The reader believes the layer receives that shape, while it receives the previous layer's output.

## Example
```python
model = Sequential()
model.add(LSTM(32, input_shape=(10, 1), return_sequences=True))
model.add(LSTM(16, input_shape=(10, 32)))
```

## Use instead
```python
model = Sequential()
model.add(LSTM(32, input_shape=(10, 1), return_sequences=True))
model.add(LSTM(16))
```

## Fix safety
Removing the argument is safe: Keras ignores it, so the built model is the same.
"""
from __future__ import annotations

from typing import Iterable

from rnnlint.findings import Diagnostic, Evidence, Fix
from rnnlint.rule import Example, Rule, RuleContext
from rnnlint.ruleutil import INPUT_KINDS, label, remove_argument

DECLARING = ("input_shape", "batch_input_shape", "input_dim")


class IgnoredInputShape(Rule):
    __doc__ = __doc__
    code = "RNN009"
    name = "ignored-input-shape"
    severity = "warning"

    VALID = [
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            model = Sequential()
            model.add(LSTM(32, input_shape=(10, 1)))
            model.add(Dense(1))
        """),
        Example("""
            from keras.models import Sequential
            from keras.layers import Embedding, LSTM, Dense
            model = Sequential([Embedding(input_dim=1000, output_dim=16, input_shape=(20,)), LSTM(8), Dense(1)])
        """, note="input_dim of Embedding is the vocabulary size"),
        Example("""
            from keras.models import Sequential
            from keras.layers import Input, LSTM, Embedding, Dense
            model = Sequential([Input(shape=(20,)), Embedding(input_dim=500, output_dim=8), LSTM(4), Dense(1)])
        """, note="input_dim of Embedding after an Input is the vocabulary size"),
    ]
    INVALID = [
        Example("""
            from keras.models import Sequential
            from keras.layers import Input, LSTM, Dense
            model = Sequential()
            model.add(Input(shape=(10, 2)))
            model.add(LSTM(32, input_shape=(10, 2)))
            model.add(Dense(1))
        """, line=5, note="after an explicit Input, the argument is ignored too"),
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Flatten
            model = Sequential([LSTM(8, input_shape=(5, 1), return_sequences=True), Flatten(input_shape=(5, 8),)])
        """, line=3, fixed="""
            from keras.models import Sequential
            from keras.layers import LSTM, Flatten
            model = Sequential([LSTM(8, input_shape=(5, 1), return_sequences=True), Flatten()])
        """, note="the only argument, with a trailing comma"),
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            model = Sequential()
            model.add(LSTM(32, input_shape=(10, 1), return_sequences=True))
            model.add(LSTM(16, input_shape=(10, 32)))
            model.add(Dense(1))
        """, line=5, fixed="""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            model = Sequential()
            model.add(LSTM(32, input_shape=(10, 1), return_sequences=True))
            model.add(LSTM(16))
            model.add(Dense(1))
        """),
        Example("""
            from keras.models import Sequential
            from keras.layers import Bidirectional, LSTM, Dense
            model = Sequential()
            model.add(LSTM(16, return_sequences=True, input_shape=(60, 1)))
            model.add(Bidirectional(LSTM(16, input_shape=(60, 16))))
            model.add(Dense(1))
        """, line=5, fixed="""
            from keras.models import Sequential
            from keras.layers import Bidirectional, LSTM, Dense
            model = Sequential()
            model.add(LSTM(16, return_sequences=True, input_shape=(60, 1)))
            model.add(Bidirectional(LSTM(16)))
            model.add(Dense(1))
        """, note="on the layer a wrapper holds, too"),
        Example("""
            import keras
            model = keras.Sequential([
                keras.Input(shape=(7, 3)),
                keras.layers.GRU(8),
                keras.layers.Dense(1, input_dim=8),
            ])
        """, line=5, fixed="""
            import keras
            model = keras.Sequential([
                keras.Input(shape=(7, 3)),
                keras.layers.GRU(8),
                keras.layers.Dense(1),
            ])
        """),
    ]

    def check(self, ctx: RuleContext) -> Iterable[Diagnostic]:
        for model, _shapes in ctx.models():
            if model.api != "sequential":
                continue
            declared = model.nodes[0] if model.nodes and model.nodes[0].layer.kind in INPUT_KINDS else None
            for node in model.nodes[1:]:
                for layer in (node.layer, node.layer.inner):
                    if layer is None:
                        continue
                    for arg in layer.arguments:
                        if arg.keyword not in DECLARING:
                            continue
                        if arg.keyword == "input_dim" and layer.kind == "Embedding":
                            continue
                        where = (f"the model's input is declared by {declared.layer.kind} on line "
                                 f"{declared.layer.span.line}" if declared is not None else
                                 "Keras reads the input shape from the first layer only")
                        message = (
                            f"{arg.keyword}={arg.source} on {label(node.layer)} is ignored: it is not the first layer "
                            f"of the Sequential model (line {model.span.line}), and {where}; remove it"
                        )
                        fix = Fix("safe", f"Remove the ignored {arg.keyword}", (remove_argument(layer, arg),))
                        yield Diagnostic(message, node.layer.span, fix=fix,
                                         evidence=Evidence("no_effect", model=model, node=node.id, argument=arg.keyword))
