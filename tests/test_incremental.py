"""The editor's incremental analysis (rnnlint.analyze.incremental) gives exactly the whole-file analysis, after
any sequence of edits, while analysing only the segments an edit touched."""
from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from rnnlint.analyze.incremental import IncrementalAnalyzer
from rnnlint.engine import lint_loaded
from rnnlint.settings import Settings
from rnnlint.sources import Source

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from lsp_bench import big_file  # noqa: E402

LONG = os.environ.get("RNNLINT_FUZZ_LONG") == "1"
PROFILE = settings(max_examples=int(os.environ.get("RNNLINT_FUZZ_EXAMPLES", "2000")) if LONG else 40,
                   deadline=None, derandomize=not LONG, print_blob=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
STATIC = Settings(confirm=False, use_cache=False, extend_select=("RNN100",))
HEADER = ["import numpy as np", "from keras.models import Sequential, Model",
          "from keras.layers import LSTM, GRU, Dense, Input, SimpleRNN"]
STATEMENTS = [
    "model = Sequential()", "model.add(LSTM(8, input_shape=(10, 1)))", "model.add(LSTM(4))", "model.add(Dense(1))",
    "model.compile(loss='mse')", "model.fit(X, y, batch_size=4)", "X = np.zeros((32, 12, 1))",
    "y = np.zeros((32, 10, 1))", "steps = 10", "other = Sequential([Input(shape=(steps, 2)), GRU(4), GRU(2)])",
    "def build(n):\n    m = Sequential()\n    m.add(SimpleRNN(n, input_shape=(5, 1)))\n    m.add(SimpleRNN(2))\n    return m",
    "built = build(3)", "built.fit(X, y)", "inputs = Input(shape=(7, 3))",
    "h = LSTM(5)(inputs)", "h = LSTM(5, return_sequences=True)(inputs)", "net = Model(inputs, Dense(1)(h))",
    "net.fit(np.zeros((8, 7, 3)), np.zeros((8, 1)), batch_size=2)", "LSTM = GRU", "import keras",
    "if True:\n    model = Sequential([LSTM(3, input_shape=(4, 1)), LSTM(2)])", "# a comment", "",
    "global_value = 1  # noqa: RNN001", "del steps", "for i in range(2):\n    model.add(LSTM(4))",
    "from keras.layers import Bidirectional", "z = Bidirectional(LSTM(4))(inputs)",
]


def findings(result) -> list[tuple]:
    return [(f.code, f.span, f.message, f.severity, f.fix) for f in result.findings]


def same_as_whole(text: str, analyzer: IncrementalAnalyzer) -> None:
    source = Source("m.py", text)
    whole = lint_loaded(source, STATIC)
    incremental = lint_loaded(source, STATIC, analyzer=analyzer)
    assert findings(incremental) == findings(whole)
    if whole.ir is not None:
        assert incremental.ir is not None
        assert sorted(m.span.line for m in incremental.ir.models) == sorted(m.span.line for m in whole.ir.models)


@st.composite
def edits(draw):
    """A module, then a sequence of edits: insert, delete or replace a statement, or break a line and fix it."""
    body = draw(st.lists(st.sampled_from(STATEMENTS), min_size=1, max_size=10))
    steps = []
    for _ in range(draw(st.integers(1, 5))):
        kind = draw(st.sampled_from(["insert", "delete", "replace", "break"]))
        steps.append((kind, draw(st.integers(0, 30)), draw(st.sampled_from(STATEMENTS))))
    return body, steps


@PROFILE
@given(case=edits())
def test_incremental_equals_whole_file(case):
    body, steps = case
    analyzer = IncrementalAnalyzer()
    same_as_whole("\n".join(HEADER + body) + "\n", analyzer)
    for kind, at, statement in steps:
        i = at % (len(body) + 1)
        if kind == "insert":
            body.insert(i, statement)
        elif kind == "delete" and body:
            del body[i % len(body)]
        elif kind == "replace" and body:
            body[i % len(body)] = statement
        elif kind == "break" and body:
            broken = body[:]  # an unclosed bracket while typing: the whole file is analysed (a syntax error)
            broken[i % len(body)] += "("
            same_as_whole("\n".join(HEADER + broken) + "\n", analyzer)
        same_as_whole("\n".join(HEADER + body) + "\n", analyzer)


def test_an_edit_in_the_middle_of_a_large_file_reanalyses_one_segment():
    text = big_file(2000)
    analyzer = IncrementalAnalyzer()
    lint_loaded(Source("big.py", text), STATIC, analyzer=analyzer)
    total = analyzer.analysed
    assert total > 100  # 100 builders and 100 functional models, each its own segment
    lines = text.split("\n")
    middle = [i for i, line in enumerate(lines) if "input_shape=(steps, 3)" in line][len(lines) // 40]
    lines[middle] = lines[middle].replace("input_shape=(steps, 3)", "input_shape=(steps, 4)")
    edited = "\n".join(lines)
    result = lint_loaded(Source("big.py", edited), STATIC, analyzer=analyzer)
    assert (analyzer.analysed, analyzer.reused) == (1, total - 1)
    assert findings(result) == findings(lint_loaded(Source("big.py", edited), STATIC))


def test_dynamic_names_analyse_the_whole_file():
    analyzer = IncrementalAnalyzer()
    text = "\n".join(HEADER + ["def f():\n    global model\n    model = Sequential()", "f()", "model.add(LSTM(4))"])
    same_as_whole(text + "\n", analyzer)
    assert analyzer.analysed == 1 and analyzer.pieces == {}
