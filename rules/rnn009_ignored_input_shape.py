"""
## What it does
Flags `input_shape=`, `input_dim=` or `batch_input_shape=` on a layer that is not the first layer of a
Sequential model, and on the layer a wrapper holds (`TimeDistributed(Conv1D(..., input_shape=...))`).

## Why is this bad?
Keras reads the input declaration of the first layer only, and of a wrapper rather than the layer inside it;
anywhere else the argument is silently ignored. The reader believes the layer receives that shape, while it receives the previous layer's output.

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
Removing the argument is safe: Keras ignores it, so the built model is the same. On the first layer's wrapped
layer there is no automatic fix: the wrapper's declaration needs the time axis the inner one lacks.
"""
from __future__ import annotations

from typing import Iterable

from rnnlint.findings import Diagnostic, Evidence, Fix
from rnnlint.ir import Model
from rnnlint.rule import Example, Rule, RuleContext
from rnnlint.ruleutil import DECLARING, INPUT_KINDS, label, recurrent_core, remove_argument, wrapped_declaration



class IgnoredInputShape(Rule):
    __doc__ = __doc__
    code = "RNN009"
    name = "ignored-input-shape"
    severity = "warning"
    fix_availability = "sometimes"
    short = "`input_shape` / `input_dim` on a layer that is not the first of a Sequential"

    VALID = [
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            model = Sequential()
            for i, units in enumerate([64, 32]):
                model.add(LSTM(units, input_shape=(10, 1), return_sequences=i == 0))
            model.add(Dense(1))
        """, note="one line made in a loop: its first layer declares the input"),
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
        """, line=5, fixed="""
            from keras.models import Sequential
            from keras.layers import Input, LSTM, Dense
            model = Sequential()
            model.add(Input(shape=(10, 2)))
            model.add(LSTM(32))
            model.add(Dense(1))
        """, note="after an explicit Input, the argument is ignored too"),
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
        Example("""
            from keras.models import Sequential
            from keras.layers import TimeDistributed, Conv1D, Flatten, LSTM, Dense
            model = Sequential()
            model.add(TimeDistributed(Conv1D(8, 3, input_shape=(15, 1))))
            model.add(TimeDistributed(Flatten()))
            model.add(LSTM(16))
            model.add(Dense(1))
        """, line=4, message_contains="move it to the TimeDistributed (with the time axis in front)",
            note="on the first layer too, when the wrapper holds a layer that is not recurrent (RNN002 has those)"),
    ]

    def check(self, ctx: RuleContext) -> Iterable[Diagnostic]:
        for model, _shapes in ctx.models():
            if model.api != "sequential":
                continue
            yield from self._wrapped_first_layer(model)
            declared = model.nodes[0] if model.nodes and model.nodes[0].layer.kind in INPUT_KINDS else None
            for node in model.nodes[1:]:
                if model.nodes and node.layer.span == model.nodes[0].layer.span:
                    continue  # written once and made in a loop: the first time it declares the input
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
                        fix = None if arg.unpacked else Fix("safe", f"Remove the ignored {arg.keyword}",
                                                            (remove_argument(layer, arg),))
                        yield Diagnostic(message, node.layer.span, fix=fix,
                                         evidence=Evidence("no_effect", model=model, node=node.id, argument=arg.keyword))

    @staticmethod
    def _wrapped_first_layer(model: Model) -> Iterable[Diagnostic]:
        """`TimeDistributed(Conv1D(..., input_shape=...))` first: Keras reads the wrapper's declaration only.
        (A recurrent layer in the wrapper is RNN002's: its model cannot be built at all.)"""
        if not model.nodes or model.declared_input is not None or any(
                call.method == "build" for call in model.extra_calls):
            return
        first = model.nodes[0].layer
        inner = first.inner
        if inner is None or recurrent_core(first) is not None or not first.known:
            return
        arg = wrapped_declaration(first)
        if arg is not None:
            message = (f"{arg.keyword}={arg.source} on the {inner.kind} inside {first.kind} (line "
                       f"{first.span.line}) is ignored: Keras reads the input declaration of the wrapper, not of the "
                       f"layer it wraps, so the Sequential model (line {model.span.line}) declares no input")
            if arg.keyword == "input_shape":
                message += f"; move it to the {first.kind} (with the time axis in front)"
            yield Diagnostic(message, arg.span, evidence=Evidence("unbuilt", model=model))
