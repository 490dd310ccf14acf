"""
## What it does
Flags a recurrent layer whose output goes into a layer that needs a sequence (another recurrent layer,
Conv1D, 1D pooling, TimeDistributed, attention) without `return_sequences=True` — and the inverse: a layer
that returns sequences feeding one that needs a single vector (RepeatVector).

## Why is this bad?
Without `return_sequences=True` a recurrent layer returns only its last output, `(batch, units)`, 2D.
Attention layers accept that 2D tensor without an error, which is worse: there are no timesteps to attend
over, and `Attention` / `AdditiveAttention` attend across the samples of the batch instead.
The next recurrent layer needs 3D `(batch, timesteps, features)`, so Keras raises
`expected ndim=3, found ndim=2` when the model is built (or only inside `fit` when no input shape is
declared). In the inverse case RepeatVector receives `(batch, timesteps, units)` and raises
`expected ndim=2, found ndim=3`.

## Example
```python
model = Sequential()
model.add(LSTM(256, input_shape=(10, 1)))
model.add(LSTM(256))
model.add(Dense(1))
```

## Use instead
```python
model = Sequential()
model.add(LSTM(256, input_shape=(10, 1), return_sequences=True))
model.add(LSTM(256))
model.add(Dense(1))
```
Every recurrent layer of a stack returns sequences except the last one.

## Fix safety
Adding `return_sequences=True` is safe: the model did not build before, and the fix gives the stacked
model the tutorial intends. In front of an attention layer it is unsafe: that model did build, and the fix
changes the shape of everything after the attention. Removing `return_sequences=True` in front of RepeatVector is unsafe: it also
changes what the encoder summarises, so it is only applied with `--unsafe-fixes`.
"""
from __future__ import annotations

import dataclasses

from typing import Iterable

from rnnlint.findings import RANK_ERROR, Diagnostic, Edit, Evidence, Fix
from rnnlint.ir import Layer, Model, Node
from rnnlint.rule import Example, Rule, RuleContext
from rnnlint.layerkinds import MERGE_KINDS, sequence_culprits, walk_back, with_sequences
from rnnlint.ruleutil import input_ref, insert_argument, label, recurrent_core, remove_argument
from rnnlint.shapes import ModelShapes, ShapeError, format_shape, layer_output


ATTENTION = ("Attention", "AdditiveAttention", "MultiHeadAttention")


class MissingReturnSequences(Rule):
    __doc__ = __doc__
    code = "RNN001"
    name = "missing-return-sequences"
    severity = "error"
    fix_availability = "sometimes"
    short = (
        "a recurrent layer feeding another recurrent layer / Conv1D / TimeDistributed / attention without "
        "`return_sequences=True` (and sequences fed into RepeatVector)"
    )

    VALID = [
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            model = Sequential()
            model.add(LSTM(256, input_shape=(10, 1), return_sequences=True))
            model.add(LSTM(256))
            model.add(Dense(1))
        """, note="the last LSTM of a stack without return_sequences"),
        Example("""
            import keras
            from keras import layers
            model = keras.Sequential([
                keras.Input(shape=(20,), dtype="int32"),
                layers.Embedding(1000, 32),
                layers.LSTM(32),
                layers.Dense(1, activation="sigmoid"),
            ])
        """, note="Embedding + LSTM on 2D integer input"),
        Example("""
            import keras
            from keras import layers
            inputs = keras.Input(shape=(10, 2))
            x = layers.LSTM(16, return_sequences=True)(inputs)
            x = layers.Conv1D(8, 3)(x)
            x = layers.TimeDistributed(layers.Dense(1))(x)
            model = keras.Model(inputs, x)
        """, note="return_sequences=True into Conv1D and TimeDistributed"),
        Example("""
            import keras
            from keras import layers
            q = keras.Input(shape=(10, 8))
            seq = layers.LSTM(16, return_sequences=True)(q)
            att = layers.Attention()([seq, seq])
            model = keras.Model(q, layers.GlobalAveragePooling1D()(att))
        """, note="return_sequences=True into attention"),
        Example("""
            import keras
            from keras import layers
            enc_in = keras.Input(shape=(8, 30))
            _, h, c = layers.LSTM(64, return_state=True)(enc_in)
            dec_in = keras.Input(shape=(6, 30))
            seq = layers.LSTM(64, return_sequences=True)(dec_in, initial_state=[h, c])
            out = layers.Dense(30, activation="softmax")(seq)
            model = keras.Model([enc_in, dec_in], out)
        """, note="return_state=True encoder-decoder"),
        Example("""
            from tensorflow.keras.models import Sequential
            from tensorflow.keras.layers import Bidirectional, LSTM, Dense
            model = Sequential()
            model.add(Bidirectional(LSTM(32, return_sequences=True), input_shape=(15, 2)))
            model.add(Bidirectional(LSTM(16)))
            model.add(Dense(1))
        """),
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, RepeatVector, TimeDistributed, Dense, Input
            model = Sequential([Input(shape=(12, 1)), LSTM(32), RepeatVector(5),
                                LSTM(32, return_sequences=True), TimeDistributed(Dense(1))])
        """, note="RepeatVector seq2seq"),
        Example("""
            class LSTM:
                def __init__(self, units, **kw):
                    self.units = units
            from keras.models import Sequential
            model = Sequential([LSTM(4), LSTM(4)])
        """, note="a user's own class named LSTM is not Keras's"),
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            def build(seq):
                model = Sequential()
                model.add(LSTM(32, input_shape=(10, 1), return_sequences=seq))
                model.add(LSTM(32))
                return model
        """, note="return_sequences unknown: stay silent"),
        Example("""
            import keras
            from keras import layers
            class Forecaster(keras.Model):
                def __init__(self):
                    super().__init__()
                    self.lstm1 = layers.LSTM(32, return_sequences=True)
                    self.lstm2 = layers.LSTM(16)
                def call(self, inputs, training=False):
                    x = self.lstm1(inputs)
                    if training:
                        x = self.drop(x)
                    return self.lstm2(x)
        """, note="subclassed model, correct; a branch in call"),
        Example("""
            import keras
            from keras import layers
            inputs = keras.Input(shape=(20, 8))
            seq, h, c = layers.LSTM(32, return_sequences=True, return_state=True)(inputs)
            att = layers.Attention()([seq, seq])
            pooled = layers.GlobalAveragePooling1D()(att)
            model = keras.Model(inputs, layers.Dense(1)(layers.Concatenate()([pooled, h])))
        """, note="attention over the sequence; the state h is a vector on purpose"),
        Example("""
            import keras
            model = keras.Sequential([keras.Input(shape=(20, 2))])
            sizes = [128, 64, 32]
            for i, units in enumerate(sizes):
                model.add(keras.layers.LSTM(units, return_sequences=i < len(sizes) - 1))
            model.add(keras.layers.Dense(1))
        """, note="a loop whose every layer but the last returns sequences"),
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            from my_layers import Attention
            model = Sequential([LSTM(32, input_shape=(20, 1), return_sequences=True), Attention(), LSTM(16),
                                Dense(1)])
        """, note="a custom layer in between: what it outputs is unknown, and rnnlint stays silent after it"),
    ]
    INVALID = [
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            model = Sequential()
            model.add(LSTM(256, input_shape=(10, 1)))
            model.add(LSTM(256))
            model.add(Dense(1))
        """, line=4, fixed="""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            model = Sequential()
            model.add(LSTM(256, input_shape=(10, 1), return_sequences=True))
            model.add(LSTM(256))
            model.add(Dense(1))
        """),
        Example("""
            import tensorflow as tf
            inputs = tf.keras.Input(shape=(20, 4))
            x = tf.keras.layers.LSTM(64)(inputs)
            x = tf.keras.layers.Dropout(0.2)(x)
            x = tf.keras.layers.LSTM(32)(x)
            model = tf.keras.Model(inputs=inputs, outputs=tf.keras.layers.Dense(1)(x))
        """, line=3, fixed="""
            import tensorflow as tf
            inputs = tf.keras.Input(shape=(20, 4))
            x = tf.keras.layers.LSTM(64, return_sequences=True)(inputs)
            x = tf.keras.layers.Dropout(0.2)(x)
            x = tf.keras.layers.LSTM(32)(x)
            model = tf.keras.Model(inputs=inputs, outputs=tf.keras.layers.Dense(1)(x))
        """),
        Example("""
            from tensorflow.keras import layers as kl, Sequential
            model = Sequential([
                kl.Input(shape=(15, 2)),
                kl.Bidirectional(kl.LSTM(32)),
                kl.Bidirectional(kl.LSTM(16)),
                kl.Dense(1),
            ])
        """, line=4, fixed="""
            from tensorflow.keras import layers as kl, Sequential
            model = Sequential([
                kl.Input(shape=(15, 2)),
                kl.Bidirectional(kl.LSTM(32, return_sequences=True)),
                kl.Bidirectional(kl.LSTM(16)),
                kl.Dense(1),
            ])
        """),
        Example("""
            import keras
            from keras import layers
            model = keras.Sequential([
                keras.Input(shape=(10, 1)),
                layers.GRU(16),
                layers.TimeDistributed(layers.Dense(1)),
            ])
        """, line=5, fixed="""
            import keras
            from keras import layers
            model = keras.Sequential([
                keras.Input(shape=(10, 1)),
                layers.GRU(16, return_sequences=True),
                layers.TimeDistributed(layers.Dense(1)),
            ])
        """),
        Example("""
            from keras.models import Sequential
            from keras.layers import Input, LSTM as L, RepeatVector
            model = Sequential([Input(shape=(12, 1)), L(32, return_sequences=True), RepeatVector(12)])
        """, line=3, fixed="""
            from keras.models import Sequential
            from keras.layers import Input, LSTM as L, RepeatVector
            model = Sequential([Input(shape=(12, 1)), L(32), RepeatVector(12)])
        """, unsafe_fix=True),
        Example("""
            from keras.models import Sequential
            from keras.layers import SimpleRNN, Dense
            model = Sequential()
            model.add(SimpleRNN(32))
            model.add(SimpleRNN(16))
            model.add(Dense(1))
        """, line=4, fixed="""
            from keras.models import Sequential
            from keras.layers import SimpleRNN, Dense
            model = Sequential()
            model.add(SimpleRNN(32, return_sequences=True))
            model.add(SimpleRNN(16))
            model.add(Dense(1))
        """, note="no declared input: the rank error still shows"),
        Example("""
            import keras
            from keras import layers
            class Forecaster(keras.Model):
                def __init__(self):
                    super().__init__()
                    self.lstm1 = layers.LSTM(32)
                    self.lstm2 = layers.LSTM(16)
                def call(self, inputs):
                    x = self.lstm1(inputs)
                    return self.lstm2(x)
        """, line=6, fixed="""
            import keras
            from keras import layers
            class Forecaster(keras.Model):
                def __init__(self):
                    super().__init__()
                    self.lstm1 = layers.LSTM(32, return_sequences=True)
                    self.lstm2 = layers.LSTM(16)
                def call(self, inputs):
                    x = self.lstm1(inputs)
                    return self.lstm2(x)
        """, note="subclassed model"),
        Example("""
            from keras.models import Model
            from keras.layers import Input, Embedding, LSTM, Attention, Dense
            inputs = Input(shape=(None,))
            x = Embedding(10000, 128)(inputs)
            x = LSTM(64)(x)
            x = Attention()([x, x])
            model = Model(inputs, Dense(10, activation="softmax")(x))
        """, line=5, message_contains="no timesteps to attend over", unsafe_fix=True, fixed="""
            from keras.models import Model
            from keras.layers import Input, Embedding, LSTM, Attention, Dense
            inputs = Input(shape=(None,))
            x = Embedding(10000, 128)(inputs)
            x = LSTM(64, return_sequences=True)(x)
            x = Attention()([x, x])
            model = Model(inputs, Dense(10, activation="softmax")(x))
        """, note="Keras builds it: self-attention over a 2D tensor mixes the samples of the batch"),
        Example("""
            import keras
            from keras import layers
            inputs = keras.Input(shape=(10, 4))
            h = layers.GRU(16)(inputs)
            att = layers.MultiHeadAttention(num_heads=2, key_dim=8)(h, h)
            model = keras.Model(inputs, layers.Dense(1)(att))
        """, line=4, unsafe_fix=True, fixed="""
            import keras
            from keras import layers
            inputs = keras.Input(shape=(10, 4))
            h = layers.GRU(16, return_sequences=True)(inputs)
            att = layers.MultiHeadAttention(num_heads=2, key_dim=8)(h, h)
            model = keras.Model(inputs, layers.Dense(1)(att))
        """),
        Example("""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            def build_model(n_steps, n_features):
                model = Sequential()
                model.add(LSTM(64, input_shape=(n_steps, n_features)))
                model.add(LSTM(32))
                model.add(Dense(1))
                return model
        """, line=5, fixed="""
            from keras.models import Sequential
            from keras.layers import LSTM, Dense
            def build_model(n_steps, n_features):
                model = Sequential()
                model.add(LSTM(64, input_shape=(n_steps, n_features), return_sequences=True))
                model.add(LSTM(32))
                model.add(Dense(1))
                return model
        """, note="a builder nobody calls here: its sizes are symbols, and it is wrong for every one of them"),
        Example("""
            from tensorflow.keras import Input, Model
            from tensorflow.keras.layers import LSTM, Dense, concatenate
            in_a, in_b = Input(shape=(10, 3)), Input(shape=(10, 2))
            merged = concatenate([LSTM(32)(in_a), LSTM(16)(in_b)])
            model = Model([in_a, in_b], Dense(1)(LSTM(24)(merged)))
        """, line=4, fixed="""
            from tensorflow.keras import Input, Model
            from tensorflow.keras.layers import LSTM, Dense, concatenate
            in_a, in_b = Input(shape=(10, 3)), Input(shape=(10, 2))
            merged = concatenate([LSTM(32, return_sequences=True)(in_a), LSTM(16, return_sequences=True)(in_b)])
            model = Model([in_a, in_b], Dense(1)(LSTM(24)(merged)))
        """, message_contains="Concatenate (line 4) merges it", note="a branch of a merge helper"),
        Example("""
            import keras
            model = keras.Sequential([keras.Input(shape=(20, 2))])
            for _ in range(3):
                model.add(keras.layers.LSTM(32))
            model.add(keras.layers.Dense(1))
        """, line=4, message_contains="made in a loop", note="layers added in a loop: no fix (it would change "
                                                             "the last one too)"),
        Example("""
            from tensorflow.keras.models import Sequential
            from tensorflow.keras.layers import LSTM, Dense
            model = Sequential()
            model.add(LSTM(32, input_shape=(10, 1)))
            model.add(LSTM(16))
            model.add(Dense(1))
        """, line=4, target_keras=2, note="the same mistake under Keras 2 (built with tf_keras by the checker)",
            fixed="""
            from tensorflow.keras.models import Sequential
            from tensorflow.keras.layers import LSTM, Dense
            model = Sequential()
            model.add(LSTM(32, input_shape=(10, 1), return_sequences=True))
            model.add(LSTM(16))
            model.add(Dense(1))
        """),
    ]

    def check(self, ctx: RuleContext) -> Iterable[Diagnostic]:
        for model, shapes in ctx.models():
            blamed: set[int] = set()
            for error in shapes.errors:
                for diagnostic, culprit in self._diagnose(model, shapes, error, ctx.target_keras):
                    if culprit not in blamed:
                        blamed.add(culprit)
                        yield diagnostic
            yield from self._flat_attention(model, shapes)

    def _flat_attention(self, model: Model, shapes: ModelShapes) -> Iterable[Diagnostic]:
        """Attention fed a recurrent layer's last output: Keras builds it, and attends across the batch."""
        blamed: set[int] = set()
        for node in model.nodes:
            if node.layer.kind not in ATTENTION or not node.layer.known or node.id in shapes.repaired:
                continue
            arriving = shapes.inputs.get(node.id, ())
            for index, shape in enumerate(arriving):
                ref = input_ref(node, index)
                if ref is None or ref.index not in (None, 0) or not isinstance(shape, tuple) or len(shape) != 2:
                    continue  # a state tensor (return_state) is a vector on purpose
                for culprit in sequence_culprits(model, node, index, want_sequences=True):
                    if culprit.id in blamed or culprit.id in shapes.repaired:
                        continue
                    blamed.add(culprit.id)
                    layer = culprit.layer
                    core = recurrent_core(layer)
                    assert core is not None
                    mixes = " (it attends across the samples of a batch instead)" if node.layer.kind != \
                        "MultiHeadAttention" else ""
                    message = (
                        f"{label(layer)} outputs {format_shape(shape)}, 2D, but {label(node.layer)} needs a "
                        f"sequence (batch, timesteps, features): Keras builds it, but there are no timesteps to "
                        f"attend over{mixes}; add return_sequences=True to the {layer.kind} on line {layer.span.line}"
                    )
                    fix = None if _repeated(model, culprit) else _sequences_fix(core, "unsafe")
                    yield Diagnostic(message, layer.span, fix=fix,
                                     evidence=Evidence("gets_2d", model=model, upto=node.id))

    def _diagnose(self, model: Model, shapes: ModelShapes, error: ShapeError, keras_major: int
                  ) -> list[tuple[Diagnostic, int]]:
        consumer = model.nodes[error.node]
        found = error.found
        if error.kind != "ndim" or found is None:
            return []
        needs_sequence = (error.expected_ndim or error.min_ndim or 0) >= 3 and len(found) == 2
        needs_vector = error.expected_ndim == 2 and len(found) == 3
        if not (needs_sequence or needs_vector):
            return []
        out = []
        culprits = sequence_culprits(model, consumer, error.input_index, want_sequences=needs_sequence)
        for culprit in culprits:
            layer = culprit.layer
            core = recurrent_core(layer)
            assert core is not None
            consumer_label = label(consumer.layer)
            if consumer.layer.span == layer.span:
                consumer_label = f"the next {consumer.layer.kind} made by the same line (a loop)"
            evidence = Evidence("raises", model=_with_other_fixes(model, shapes, culprit.id, culprits),
                                upto=consumer.id, match=RANK_ERROR)
            repeated = _repeated(model, culprit)
            merge = _merge_between(model, consumer, error.input_index)
            if merge is not None:  # e.g. two LSTM branches concatenated, then fed to another LSTM
                own = layer_output(layer, shapes.inputs.get(culprit.id, ()), keras_major)
                shown = format_shape(own) if isinstance(own, tuple) else "a vector"
                consumer_label = (f"{label(merge.layer)} merges it into {format_shape(found)}, and {consumer_label}")
            else:
                shown = format_shape(found)
            if needs_sequence:
                message = (
                    f"{label(layer)} outputs {shown}, 2D, but {consumer_label} needs 3D "
                    f"(batch, timesteps, features): add return_sequences=True to the {layer.kind} on line "
                    f"{layer.span.line}"
                )
                if repeated:
                    message += (" (it is made in a loop: every layer the loop adds but the last needs it, e.g. "
                                "return_sequences=(i < n - 1))")
                fix = None if repeated else _sequences_fix(core, "safe")  # a loop: the user decides which ones
                out.append((Diagnostic(message, layer.span, fix=fix, evidence=evidence), culprit.id))
                continue
            message = (
                f"{label(layer)} returns sequences {shown}, 3D, but {consumer_label} needs 2D "
                f"(batch, features): remove return_sequences=True from the {layer.kind} on line {layer.span.line}"
            )
            arg = core.argument("return_sequences")
            fix = Fix("unsafe", "Remove return_sequences=True", (remove_argument(core, arg),)) \
                if arg and not repeated and not arg.unpacked else None
            out.append((Diagnostic(message, layer.span, fix=fix, evidence=evidence), culprit.id))
        return out


def _with_other_fixes(model: Model, shapes: ModelShapes, culprit: int, together: list[Node]) -> Model:
    """The model the checker builds for one finding of a stack: the other mistakes before it fixed (as the
    shapes assume), so that Keras fails on this one; `together` are the culprits of the same error (the branches
    of one merge), which stay as written."""
    fixed = {n for n in shapes.repaired if n < culprit and n not in {c.id for c in together}}
    if not fixed:
        return model
    nodes = tuple(dataclasses.replace(n, layer=with_sequences(n.layer, True)) if n.id in fixed else n
                  for n in model.nodes)
    return dataclasses.replace(model, nodes=nodes)


def _merge_between(model: Model, consumer: Node, index: int) -> Node | None:
    """The merge layer (Concatenate, Add…) the consumer's input comes out of, through rank-preserving layers."""
    for node in walk_back(model, consumer, index):
        if node is not None and node.layer.known and node.layer.kind in MERGE_KINDS:
            return node
    return None


def _repeated(model: Model, node: Node) -> bool:
    """Whether the node's layer is written once and made several times (added in a loop, a builder called
    twice): a fix to that one call changes every layer it makes."""
    return any(other.id != node.id and other.layer.span == node.layer.span for other in model.nodes)


def _sequences_fix(core: Layer, applicability: str) -> Fix | None:
    """Add `return_sequences=True`, or flip an explicit `return_sequences=False`; None for any other value
    written there (a variable, a `**config` entry): the user's decision."""
    written = next((a for a in core.arguments if a.keyword == "return_sequences"), None)
    if written is None:
        return Fix(applicability, "Add return_sequences=True", insert_argument(core, "return_sequences=True"))
    if written.value is False and not written.unpacked:
        return Fix(applicability, "Set return_sequences=True", (Edit(written.value_span, "True"),))
    return None
