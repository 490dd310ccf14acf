"""The analyzer: import styles, model styles and value resolution, table-driven (pyupgrade style)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rnnlint.analyze import SourceSyntaxError, analyze_source
from rnnlint.ir import ArrayShape, Unknown

IMPORT_STYLES = [
    ("keras-layers", "import keras\nm = keras.Sequential([keras.layers.LSTM(4)])"),
    ("from-keras-layers", "from keras.layers import LSTM\nfrom keras.models import Sequential\nm = Sequential([LSTM(4)])"),
    ("tf-keras", "import tensorflow as tf\nm = tf.keras.Sequential([tf.keras.layers.LSTM(4)])"),
    ("tensorflow-keras", "import tensorflow\nm = tensorflow.keras.models.Sequential([tensorflow.keras.layers.LSTM(4)])"),
    ("alias-layer", "from tensorflow.keras.layers import LSTM as L\nfrom keras import Sequential\nm = Sequential([L(4)])"),
    ("alias-module", "from keras import layers as kl\nfrom keras import Sequential\nm = Sequential([kl.LSTM(4)])"),
    ("legacy-recurrent", "from keras.layers.recurrent import LSTM\nfrom keras.models import Sequential\nm = Sequential([LSTM(4)])"),
    ("tf_keras", "import tf_keras\nm = tf_keras.Sequential([tf_keras.layers.LSTM(4)])"),
    ("try-except-import", "try:\n    from tensorflow.keras.layers import LSTM\nexcept ImportError:\n    from keras.layers import LSTM\n"
                          "from keras import Sequential\nm = Sequential([LSTM(4)])"),
]


@pytest.mark.parametrize("source", [s for _, s in IMPORT_STYLES], ids=[i for i, _ in IMPORT_STYLES])
def test_import_styles_resolve_to_keras_lstm(source):
    ir = analyze_source(source)
    [model] = ir.models
    assert model.api == "sequential"
    assert [(n.layer.kind, n.layer.known) for n in model.nodes] == [("LSTM", True)]


NOT_KERAS = [
    ("own-class", "class LSTM:\n    pass\nfrom keras import Sequential\nm = Sequential([LSTM()])"),
    ("star-import-elsewhere", "from mylib.layers import *\nfrom keras import Sequential\nm = Sequential([LSTM(4)])"),
    ("star-import-then-own", "from keras.layers import *\nfrom keras import Sequential\nclass LSTM:\n    pass\n"
                             "m = Sequential([LSTM(4)])"),
    ("star-import-of-a-submodule", "from keras.layers.core import *\nfrom keras import Sequential\n"
                                   "m = Sequential([LSTM(4)])"),
    ("other-library", "from torch.nn import LSTM\nx = LSTM(4, 4)"),
    ("rebound-name", "from keras.layers import LSTM\nfrom keras import Sequential\nLSTM = object\nm = Sequential([LSTM(4)])"),
    ("import-in-a-branch", "import sys\nif sys.argv:\n    from keras.layers import LSTM\nelse:\n    from torch.nn import LSTM\n"
                           "from keras import Sequential\nm = Sequential([LSTM(4)])"),
    ("shadowed-module", "import keras\ndef f(keras):\n    return keras.Sequential([keras.layers.LSTM(4)])\nf(None)"),
]


@pytest.mark.parametrize("source", [s for _, s in NOT_KERAS], ids=[i for i, _ in NOT_KERAS])
def test_non_keras_names_are_not_keras_layers(source):
    ir = analyze_source(source)
    for model in ir.models:
        assert all(not n.layer.known for n in model.nodes)
    assert all(layer.kind != "LSTM" or not layer.known for layer in ir.standalone_layers)


@pytest.mark.parametrize("source", [
    "from keras.layers import *\nfrom keras.models import *\nm = Sequential([LSTM(4, input_shape=(3, 2))])",
    "from tensorflow.keras.layers import *\nfrom tensorflow.keras import Sequential\nm = Sequential([LSTM(4)])",
    "class LSTM:\n    pass\nfrom keras.layers import *\nfrom keras import *\nm = Sequential([LSTM(4)])",
])
def test_a_star_import_of_keras_layers_binds_their_names(source):
    # Like Python: `from keras.layers import *` binds each public name of keras.layers at that point (so it
    # also replaces an earlier class of the same name); a later definition replaces it in turn (see NOT_KERAS).
    [model] = analyze_source(source).models
    assert [(n.layer.kind, n.layer.known) for n in model.nodes] == [("LSTM", True)]


def test_functional_nested_calls_and_reused_names():
    ir = analyze_source(
        "import keras\nfrom keras import layers\n"
        "inp = keras.Input(shape=(10, 2))\n"
        "x = layers.LSTM(8, return_sequences=True)(inp)\n"
        "x = layers.Dropout(0.1)(x)\n"
        "out = layers.Dense(1)(layers.LSTM(4)(x))\n"
        "model = keras.Model(inputs=inp, outputs=out)\n")
    [model] = ir.models
    assert model.api == "functional"
    assert [n.layer.kind for n in model.nodes] == ["Input", "LSTM", "Dropout", "LSTM", "Dense"]
    assert [tuple(r.node for r in n.inputs) for n in model.nodes] == [(), (0,), (1,), (2,), (3,)]
    assert model.declared_input.shape == (10, 2)
    assert model.nodes[1].layer.span.line == 4 and model.nodes[1].layer.span.column == 5


def test_values_constants_arithmetic_and_build_model_function():
    ir = analyze_source(
        "import numpy as np\nfrom keras.models import Sequential\nfrom keras.layers import LSTM, Dense\n"
        "timesteps = 5 * 2\n"
        "def build_model(t, f, units=32):\n"
        "    model = Sequential()\n"
        "    model.add(LSTM(units, input_shape=(t, f)))\n"
        "    model.add(Dense(1))\n"
        "    return model\n"
        "X = np.zeros((100, timesteps, 3))\n"
        "model = build_model(timesteps, X.shape[2])\n"
        "model.fit(X[:80], np.ones((80, 1)), batch_size=8)\n")
    [model] = ir.models
    assert model.declared_input.shape == (10, 3)
    assert model.nodes[0].layer.arg("units", 0) == 32
    [call] = model.train_calls
    assert call.x == ArrayShape((80, 10, 3), "float")
    assert call.batch_size == 8


def test_branch_assignment_makes_value_unknown():
    ir = analyze_source(
        "import numpy as np\nimport keras\n"
        "X = np.zeros((10, 4, 1))\n"
        "if input('x'):\n    X = np.zeros((10, 5, 1))\n"
        "model = keras.Sequential([keras.Input(shape=(4, 1)), keras.layers.LSTM(2)])\n"
        "model.fit(X, batch_size=2)\n")
    [call] = ir.models[0].train_calls
    assert isinstance(call.x, Unknown)


@pytest.mark.parametrize("expr, dims", [
    ("np.random.rand(16, 10, 1)", (16, 10, 1)),
    ("np.random.randint(0, 5, size=(8, 3))", (8, 3)),
    ("np.random.default_rng(0).random((4, 2, 1))", (4, 2, 1)),
    ("np.arange(24).reshape(-1, 4, 2)", (3, 4, 2)),
    ("np.expand_dims(np.zeros((6, 4)), -1)", (6, 4, 1)),
    ("np.zeros((6, 4))[..., np.newaxis]", (6, 4, 1)),
    ("np.zeros((6, 4))[:, :, None]", (6, 4, 1)),
    ("np.zeros((100, 4, 1))[:80]", (80, 4, 1)),
    ("np.zeros((100, 4, 1))[80:]", (20, 4, 1)),
    ("np.array([[1, 2], [3, 4], [5, 6]])", (3, 2)),
    ("np.stack([np.zeros((4, 1)), np.zeros((4, 1))])", (2, 4, 1)),
    ("tf.reshape(tf.constant(np.zeros((6, 4))), (6, 4, 1))", (6, 4, 1)),
    ("np.dstack((np.zeros((50, 10)), np.zeros((50, 10)), np.zeros((50, 10))))", (50, 10, 3)),
    ("np.hstack((np.zeros((9, 1)), np.zeros((9, 2))))", (9, 3)),
    ("np.vstack((np.zeros(4), np.zeros(4)))", (2, 4)),
    ("np.column_stack((np.zeros(9), np.zeros(9)))", (9, 2)),
    ("np.concatenate([np.zeros((5, 3, 1)), np.zeros((7, 3, 1))])", (12, 3, 1)),
    ("np.concatenate([np.zeros((5, 3, 1)), np.zeros((5, 3, 2))], axis=-1)", (5, 3, 3)),
    ("load().reshape((-1, 5, 1))", (None, 5, 1)),
    ("np.array([w for w in load()]).reshape(-1, 5, 2)", (None, 5, 2)),
])
def test_array_shapes(expr, dims):
    ir = analyze_source(
        "import numpy as np\nimport tensorflow as tf\nimport keras\n"
        f"X = {expr}\n"
        "model = keras.Sequential([keras.layers.LSTM(2)])\nmodel.predict(X, batch_size=1)\n")
    [call] = ir.models[0].train_calls
    assert isinstance(call.x, ArrayShape) and call.x.dims == dims


def test_subclassed_model_chain():
    ir = analyze_source(
        "import keras\nfrom keras import layers\n"
        "class M(keras.Model):\n"
        "    def __init__(self):\n"
        "        super().__init__()\n"
        "        self.l1 = layers.LSTM(8)\n"
        "        self.l2 = layers.LSTM(4)\n"
        "    def call(self, inputs):\n"
        "        x = self.l1(inputs)\n"
        "        return self.l2(x)\n")
    [model] = ir.models
    assert model.api == "subclass"
    assert [n.layer.kind for n in model.nodes] == ["<subclass-input>", "LSTM", "LSTM"]


def test_syntax_error_is_reported_with_position():
    with pytest.raises(SourceSyntaxError) as info:
        analyze_source("y = 1\nx = (\n")
    assert (info.value.line, info.value.column) == (2, 5)  # the unclosed `(`


def test_positional_argument_spans_include_redundant_parentheses():
    ir = analyze_source("import keras\nx = keras.layers.LSTM( (8) , ((4)), input_shape=(2, 1))\n")
    [layer] = ir.standalone_layers
    first, second, shape = layer.arguments
    assert (first.span.column, first.span.end_column) == (24, 27)  # `(8)`, not the call's own parenthesis
    assert (second.span.column, second.span.end_column) == (30, 35)  # `((4))`
    assert shape.keyword == "input_shape" and shape.value == (2, 1)


def test_a_call_run_again_gets_its_new_values_at_the_same_places():
    """A call's site and its arguments' spans are made once (SourceText.memo); the values are each run's own: a
    builder called with 8 and with 16 builds an LSTM of 8 and one of 16 units, written at the same place, and the
    `**config` of a loop's second iteration gives that iteration's entries."""
    ir = analyze_source(
        "import keras\n"
        "def build(units):\n"
        "    return keras.Sequential([keras.Input((5, 2)), keras.layers.LSTM(units, dropout=(0.1))])\n"
        "small = build(8)\n"
        "large = build(16)\n"
        "for config in [{'units': 4}, {'units': 32}]:\n"
        "    keras.layers.GRU(**config)\n")
    lstms = [node.layer for model in ir.models for node in model.nodes if node.layer.kind == "LSTM"]
    assert [layer.arguments[0].value for layer in lstms] == [8, 16]
    assert len({(a.span, a.value_span, a.source) for layer in lstms for a in layer.arguments[:1]}) == 1
    assert {layer.arguments[1].source for layer in lstms} == {"(0.1)"} and lstms[0].call == lstms[1].call
    grus = [layer for layer in ir.standalone_layers if layer.kind == "GRU"]
    assert [(a.keyword, a.value, a.source) for layer in grus for a in layer.arguments] == [
        ("units", 4, "config['units']"), ("units", 32, "config['units']")]


@settings(max_examples=300, deadline=None)
@given(pieces=st.lists(st.sampled_from(["\n", "\r\n", "\r", "x", "é", " ", "ab"]), max_size=30))
def test_source_text_lines_and_starts_are_cpythons_line_breaks(pieces):
    """The fast path (no carriage return) gives the lines and line starts the regex of CPython's line breaks
    gives; so does the general path."""
    import re

    from rnnlint.analyze.positions import SourceText

    text = "".join(pieces)
    breaks = re.compile(r"\r\n|\r|\n")
    source = SourceText(text)
    assert source.lines == breaks.split(text)
    assert source.starts == [0] + [m.end() for m in breaks.finditer(text)]


def test_a_branch_binds_in_its_own_scope_and_reads_the_enclosing_one_live():
    """A body run as a branch binds in a scope of its own over the enclosing one (what only it binds is kept after
    the merge), and a function defined in a branch reads the module's names as Python does — live, so names bound
    after the `if` are known when it is called."""
    ir = analyze_source(
        "import numpy as np\nimport keras\n"
        "X = np.zeros((10, 4, 1))\n"
        "if input('a'):\n"
        "    def build():\n"
        "        return keras.Sequential([keras.Input(shape=(STEPS, 1)), keras.layers.LSTM(UNITS)])\n"
        "    Y = np.zeros((10, 1))\n"
        "STEPS, UNITS = 4, 3\n"
        "model = build()\n"
        "model.fit(X, Y, batch_size=2)\n")
    built = [m for m in ir.models if m.train_calls]
    assert len(built) == 1
    [model] = built
    assert model.declared_input.shape == (4, 1)
    assert model.nodes[-1].layer.arg("units", 0) == 3
    [call] = model.train_calls
    assert call.x == ArrayShape((10, 4, 1), "float") and call.y == ArrayShape((10, 1), "float")


@pytest.mark.parametrize("call, order", [
    ("f(a, b)", ["a", "b"]),
    ("f(k=1, j=2)", ["k", "j"]),
    ("f(a, k=1)", ["a", "k"]),
    ("f(a, *rest, k=1)", ["a", "rest", "k"]),
    ("f(a, k=1, *rest)", ["a", "k", "rest"]),
    ("f(k=1, *rest, **more)", ["k", "rest", None]),
    ("f(\n  a,\n  k=1,\n  *rest)", ["a", "k", "rest"]),
])
def test_arguments_are_evaluated_in_written_order(call, order):
    import ast

    from rnnlint.analyze.interpret import _written_order

    node = ast.parse(call).body[0].value
    named = [getattr(part, "arg", None) if isinstance(part, ast.keyword) else
             (part.value.id if isinstance(part, ast.Starred) else part.id) for part in _written_order(node)]
    assert named == order


def test_keyword_arguments_of_an_applied_layer_keep_their_spans_and_positional_ones_are_not_recorded():
    ir = analyze_source(
        "import keras\n"
        "inp = keras.Input(shape=(5, 2))\n"
        "x = keras.layers.LSTM(4, return_sequences=True)(inp, training=False)\n"
        "y = keras.layers.LSTM(4)(x)\n"
        "model = keras.Model(inp, y)\n")
    [model] = ir.models
    first, second = (n for n in model.nodes if n.layer.kind == "LSTM")
    [training] = first.call_arguments
    assert (training.keyword, training.value, training.source) == ("training", False, "False")
    assert (training.span.line, training.span.column) == (3, 54)
    assert second.call_arguments == ()


def test_a_custom_layer_keeps_its_constructor_arguments_and_a_plain_class_is_instantiated():
    ir = analyze_source(
        "import keras\n"
        "class Attention(keras.layers.Layer):\n"
        "    def __init__(self, units, **kwargs):\n"
        "        super().__init__(**kwargs)\n"
        "        self.units = units\n"
        "class Config:\n"
        "    def __init__(self, units):\n"
        "        self.units = units\n"
        "config = Config(16)\n"
        "inp = keras.Input(shape=(5, 2))\n"
        "x = keras.layers.LSTM(config.units, return_sequences=True)(inp)\n"
        "y = Attention(8, name='att')(x)\n"
        "model = keras.Model(inp, y)\n")
    [model] = ir.models
    lstm, attention = (n.layer for n in model.nodes[1:])
    assert lstm.arg("units", 0) == 16
    assert attention.kind == "Attention" and not attention.known
    assert [(a.keyword, a.value, a.source) for a in attention.arguments] == [(None, 8, "8"), ("name", "att", "'att'")]


def test_columns_are_characters_after_non_ascii_text_on_the_line():
    ir = analyze_source("import keras\nlabel = 'données'; layer = keras.layers.LSTM(4)\n")
    [layer] = ir.standalone_layers
    assert (layer.span.line, layer.span.column) == (2, 28)  # `keras` after 27 characters (29 bytes)
    ascii_ir = analyze_source("import keras\nlabel = 'donnees'; layer = keras.layers.LSTM(4)\n")
    assert ascii_ir.standalone_layers[0].span.column == 28


@pytest.mark.parametrize("extra, unrolled", [
    ("", True),
    ("    if units < 0:\n        break\n", False),
    ("    if units < 0:\n        continue\n", False),
    ("    print('break here')  # and continue\n", True),  # the words in a string and a comment: no exit
    ("    for _ in range(2):\n        break\n", True),  # the inner loop's own break
])
def test_a_loop_over_a_literal_list_is_unrolled_unless_it_has_an_exit_of_its_own(extra, unrolled):
    ir = analyze_source(
        "import keras\n"
        "model = keras.Sequential([keras.Input((5, 2))])\n"
        "for units in [8, 4]:\n"
        "    model.add(keras.layers.LSTM(units, return_sequences=True))\n"
        + extra)
    [model] = ir.models
    lstms = [node.layer for node in model.nodes if node.layer.kind == "LSTM"]
    if unrolled:
        assert [layer.arg("units", 0) for layer in lstms] == [8, 4]
    else:
        assert len(lstms) < 2 and not model.complete


@pytest.mark.parametrize("args, kwargs, expected", [
    ((1, "a", 2.5, True, None), {}, ((), (("value", "int", 1), ("value", "str", "a"), ("value", "float", 2.5),
                                          ("value", "bool", True), ("value", "NoneType", None)))),
    ((), {"b": 2, "a": (1, 2)}, (("a", "b"), (("value", "tuple", (1, 2)), ("value", "int", 2)))),
    ((True,), {"k": False}, (("k",), (("value", "bool", True), ("value", "bool", False)))),
])
def test_the_signature_of_a_call_with_literal_arguments(args, kwargs, expected) -> None:
    """What makes two calls of a user function the same call: literals by type and value (True is not 1), keywords
    by name in sorted order; the plain literals take a shorter way to the same signature."""
    from rnnlint.analyze.interpret import _signature

    assert _signature(args, kwargs) == expected
    assert _signature((1,), {}) != _signature((True,), {}) and _signature((1,), {}) != _signature((1.0,), {})



@pytest.mark.parametrize("outer, inner, unrolled", [
    (2, 3, True),  # 6 iterations of the inner loop's body
    (16, 4, True),  # 64: MAX_UNROLL
    (17, 4, False),  # 68: the inner loop runs as a branch, once per outer iteration
    (4, 17, False),
])
def test_nested_loops_are_unrolled_while_their_iterations_multiplied_stay_within_the_limit(outer, inner, unrolled):
    """A loop inside an unrolled loop runs once per outer iteration: the iterations of a nest multiply (a chorale
    generator's 56 x 4 calls of model.predict, run three times, were two fifths of a notebook's analysis), so a nest
    is unrolled only while the product stays within MAX_UNROLL; otherwise the inner loop runs as a branch."""
    from rnnlint.analyze.limits import MAX_UNROLL

    assert MAX_UNROLL == 64
    ir = analyze_source(
        "import keras\n"
        "model = keras.Sequential([keras.Input((5, 2))])\n"
        f"for i in range({outer}):\n"
        f"    for j in range({inner}):\n"
        "        model.add(keras.layers.LSTM(j + 1, return_sequences=True))\n")
    [model] = ir.models
    units = [node.layer.arg("units", 0) for node in model.nodes if node.layer.kind == "LSTM"]
    if unrolled:
        assert units == list(range(1, inner + 1)) * outer
    else:
        assert len(units) < outer * inner and not model.complete
