"""Issue 17: a fix keeps the layout of the call it edits — a magic trailing comma, one argument per line,
comments before `)` and after an argument, parenthesised values, CRLF line ends. Each row is the text before
and the exact text after `rnnlint --fix` (through the engine's own fix loop, `fix_source`)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnnlint.fix import fix_source
from rnnlint.settings import Settings

HEAD = "from keras.models import Sequential\nfrom keras.layers import LSTM, Dense\n"
TAIL = "model.add(LSTM(16))\nmodel.add(Dense(1))\n"


def program(first_layer: str) -> str:
    return f"{HEAD}model = Sequential()\nmodel.add({first_layer})\n{TAIL}"


LAYOUTS = [
    ("one-line", "LSTM(32, input_shape=(10, 1))", "LSTM(32, input_shape=(10, 1), return_sequences=True)"),
    ("trailing-comma-one-line", "LSTM(32, input_shape=(10, 1),)",
     "LSTM(32, input_shape=(10, 1), return_sequences=True,)"),
    ("magic-trailing-comma", "LSTM(\n    32,\n    input_shape=(10, 1),\n)",
     "LSTM(\n    32,\n    input_shape=(10, 1),\n    return_sequences=True,\n)"),
    ("one-per-line-no-comma", "LSTM(\n    32,\n    input_shape=(10, 1)\n)",
     "LSTM(\n    32,\n    input_shape=(10, 1),\n    return_sequences=True\n)"),
    ("comment-after-argument", "LSTM(\n    32,\n    input_shape=(10, 1),  # ten steps\n)",
     "LSTM(\n    32,\n    input_shape=(10, 1),  # ten steps\n    return_sequences=True,\n)"),
    ("comment-before-paren", "LSTM(32, input_shape=(10, 1)  # ten steps\n)",
     "LSTM(32, input_shape=(10, 1), return_sequences=True  # ten steps\n)"),
    ("hanging-indent", "LSTM(32,\n          input_shape=(10, 1))",
     "LSTM(32,\n          input_shape=(10, 1), return_sequences=True)"),
    ("parenthesised-value", "LSTM((32), input_shape=((10, 1)))",
     "LSTM((32), input_shape=((10, 1)), return_sequences=True)"),
    ("explicit-false", "LSTM(32, input_shape=(10, 1), return_sequences=False)",
     "LSTM(32, input_shape=(10, 1), return_sequences=True)"),
    ("explicit-false-one-per-line", "LSTM(\n    32,\n    return_sequences=False,  # was many-to-one\n"
                                    "    input_shape=(10, 1),\n)",
     "LSTM(\n    32,\n    return_sequences=True,  # was many-to-one\n    input_shape=(10, 1),\n)"),
]


@pytest.mark.parametrize("before, after", [row[1:] for row in LAYOUTS], ids=[row[0] for row in LAYOUTS])
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_fix_keeps_the_layout(before: str, after: str, newline: str) -> None:
    source = program(before).replace("\n", newline)
    result = fix_source(source, "model.py", Settings(select=("RNN001",), confirm=False, use_cache=False))
    assert result.error is None, result.error
    assert result.text == program(after).replace("\n", newline)
    assert result.fixed_count == 1


def test_input_length_on_a_later_recurrent_layer_is_removed() -> None:
    source = f"{HEAD}model = Sequential([LSTM(8, input_shape=(10, 1), return_sequences=True),\n" \
             "                    LSTM(4, input_length=10), Dense(1)])\n"
    result = fix_source(source, "model.py", Settings(select=("RNN010",), confirm=False, use_cache=False,
                                                     target_keras=3))
    assert result.text == f"{HEAD}model = Sequential([LSTM(8, input_shape=(10, 1), return_sequences=True),\n" \
                          "                    LSTM(4), Dense(1)])\n"


@pytest.mark.parametrize("code, trailing", [
    ("f(a, b,)", True), ("f(a, b)", False), ("f(a, (b,))", False), ("f(\n  a,  # c, d\n  b  # x,\n)", False),
    ("g()(a,)", True), ("f (a, [1, 2,],)", True), ("f(a, '#,')", False), ("f(a, b  # ,\n)", False),
    ("f(a,  # comment\n)", True),
], ids=["trailing", "none", "inner-tuple", "commas-in-comments", "called-result", "space-and-inner-list",
        "comma-in-string", "comment-after-last", "trailing-before-comment"])
def test_trailing_comma_is_read_from_tokens(code, trailing):
    """A magic trailing comma is the call's own: commas of nested brackets, in strings or in comments are not it
    (the layout the fixes keep depends on it)."""
    import ast

    from rnnlint.analyze.positions import SourceText

    call = ast.parse(code).body[0].value
    assert SourceText(code).trailing_comma(call) is trailing


PREDICT = ("import numpy as np\nimport keras\nX = np.random.rand(8, 5, 1)\n"
           "model = keras.Sequential([keras.Input(shape=(5, 1)), keras.layers.LSTM(4), keras.layers.Dense(3)])\n")


@pytest.mark.parametrize("body, fixed", [
    ("classes = model.predict_classes(X, batch_size=8)\n",
     "classes = np.argmax(model.predict(X, batch_size=8), axis=-1)\n"),
    ("classes = model.predict_classes(\n    X,  # the windows\n    batch_size=8,\n)\n",
     "classes = np.argmax(model.predict(\n    X,  # the windows\n    batch_size=8,\n), axis=-1)\n"),
    ("def top(X):\n    return model.predict_classes(X)[0]  # first\n",
     "def top(X):\n    return np.argmax(model.predict(X), axis=-1)[0]  # first\n"),
    ("print(len(model.predict_classes(X)), model.predict_classes(X))\n",
     "print(len(np.argmax(model.predict(X), axis=-1)), np.argmax(model.predict(X), axis=-1))\n"),
    ("top = model.predict_classes(X).tolist()\n",
     "top = np.argmax(model.predict(X), axis=-1).tolist()\n"),
    ("c = (model).predict_classes(X[:, :, :1] * 2)  # é\n",
     "c = np.argmax((model).predict(X[:, :, :1] * 2), axis=-1)  # é\n"),
    ("c = model.predict_classes(model.predict_classes(X))\n",
     "c = np.argmax(model.predict(np.argmax(model.predict(X), axis=-1)), axis=-1)\n"),
    ("c = model \\\n    .predict_classes(X)\n",
     "c = np.argmax(model \\\n    .predict(X), axis=-1)\n"),
    ("c = {'é': model.predict_classes(X, verbose=0)}\n",
     "c = {'é': np.argmax(model.predict(X, verbose=0), axis=-1)}\n"),
], ids=["plain", "one-per-line-comment-trailing-comma", "indented-subscript-comment", "two-in-one-statement",
        "method-on-the-result", "parenthesized-receiver", "nested", "continued-line",
        "non-ascii-before-the-call"])
def test_predict_classes_is_wrapped_in_argmax_with_its_text_kept(body, fixed):
    """RNN010's predict_classes → argmax of predict changes three places of the call (opened before it, the
    method's name, closed after it): the receiver, the arguments, their comments and layout stay as written."""
    settings = Settings(select=("RNN010",), confirm=False, use_cache=False)
    result = fix_source(PREDICT + body, "m.py", settings, unsafe=True)
    assert result.error is None and result.text == PREDICT + fixed


def _argmax_of_predict_tree(text: str) -> str:
    """The oracle: the tree of `text` with every `R.predict_classes(args)` call replaced by
    `np.argmax(R.predict(args), axis=-1)` — what the fix must produce, whatever its text looks like."""
    import ast

    class Rewrite(ast.NodeTransformer):
        def visit_Call(self, node: ast.Call) -> ast.AST:
            self.generic_visit(node)
            func = node.func
            if not (isinstance(func, ast.Attribute) and func.attr == "predict_classes"):
                return node
            predict = ast.Call(ast.Attribute(func.value, "predict", ast.Load()), node.args, node.keywords)
            return ast.Call(ast.Attribute(ast.Name("np", ast.Load()), "argmax", ast.Load()), [predict],
                            [ast.keyword("axis", ast.UnaryOp(ast.USub(), ast.Constant(1)))])

    return ast.dump(Rewrite().visit(ast.parse(text)))


_SPACE = st.sampled_from(["", " ", "\n    ", "  # note\n    ", "\\\n    "])
_ARGUMENT = st.sampled_from(["X", "X[:1]", "(X)", "X * 1", "batch_size=8", "verbose=0", "[X][0]", "'é'and X"])
_PLACE = st.sampled_from(["c = {}\n", "print({})\n", "c = {}.tolist()\n", "c = -{}\n", "c = {}[0]  # é\n",
                          "def top(X):\n    return {}\n", "c = (\n    {}\n)\n", "c = 1 if X is None else {}\n"])


@st.composite
def _predict_classes_statements(draw) -> str:
    """A statement with `model.predict_classes(...)` in it: a place around the call, spacing, comments and line
    continuations inside its parentheses (only where Python allows them), any arguments, maybe a trailing comma."""
    arguments = draw(st.lists(_ARGUMENT, max_size=3))
    positional = [a for a in arguments if "=" not in a or "==" in a]
    keywords = list(dict.fromkeys(a for a in arguments if a not in positional))
    inside = "(" + ",".join(draw(_SPACE).replace("\\\n", "") + a for a in positional + keywords)
    if arguments and draw(st.booleans()):
        inside += ","
    inside += draw(_SPACE).replace("\\\n", "") + ")"
    receiver = draw(st.sampled_from(["model", "(model)", "model \\\n    "]))
    call = f"{receiver}.predict_classes{inside}"
    return draw(_PLACE).replace("{}", call)


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(statement=_predict_classes_statements())
def test_the_predict_classes_fix_is_argmax_of_predict_wherever_the_call_is(statement):
    """The three edits (open, rename, close) give exactly the tree of `np.argmax(R.predict(args), axis=-1)` in
    place of the call, for any layout inside the call and any expression around it."""
    import ast

    before = PREDICT + statement
    ast.parse(before)  # the generator writes Python
    settings_ = Settings(select=("RNN010",), confirm=False, use_cache=False)
    result = fix_source(before, "m.py", settings_, unsafe=True)
    assert result.error is None
    assert result.fixed_count == 1, statement  # the analyzer follows `model` in every place generated
    assert _argmax_of_predict_tree(result.text) == _argmax_of_predict_tree(before)
