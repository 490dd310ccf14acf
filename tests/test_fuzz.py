"""Fuzzing the engine in-process with hypothesis: generated Keras-like programs, byte-level mutations of
examples/*.py, token soup and arbitrary text.

Properties checked on every input (`check`):
- no exception escapes `engine.lint_source` / `engine.lint_file`, and no `RNN000 internal-error` (a crash
  caught by the engine is still a bug);
- the JSON report (rnnlint.report.json) parses and every object has exactly the contract fields and types;
- every position (finding span and fix edit) lies inside the file: line in 1..n_lines (a span may end at the
  start of line n_lines + 1), column in 1..len(line) + 1, and ends do not precede starts;
- each fix, applied alone, gives text that libcst parses; `fix.fix_source` never returns text that does not
  parse, and fixing its output again changes nothing (idempotence) — half of the inputs with --unsafe-fixes;
- `--fix`, run one pass at a time, changes each pass's text only inside the fix ranges that pass's report
  showed, and ends where `--fix` ends.

The default profile keeps the file under a minute (bounded examples, no deadline). For a long run:

    RNNLINT_FUZZ_LONG=1 python -m pytest tests/test_fuzz.py -q          # 20,000 examples per property
    RNNLINT_FUZZ_LONG=1 RNNLINT_FUZZ_EXAMPLES=500000 python -m pytest tests/test_fuzz.py -q
"""
from __future__ import annotations

import json
import os
import re
import zlib
from pathlib import Path

import libcst
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rnnlint.engine import confirm_results, lint_file, lint_source
from rnnlint.fix import MAX_ITERATIONS, applicable, fix_source
from rnnlint.report import json as json_report
from rnnlint.report import models as models_report
from rnnlint.settings import Settings

LONG = os.environ.get("RNNLINT_FUZZ_LONG") == "1"
settings.register_profile(
    # derandomize: CI sees the same inputs every run (green stays green); the long profile explores freely.
    "rnnlint-ci", max_examples=50, deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
settings.register_profile(
    "rnnlint-long", max_examples=int(os.environ.get("RNNLINT_FUZZ_EXAMPLES", "20000")), deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
)
FUZZ = settings(settings.get_profile("rnnlint-long" if LONG else "rnnlint-ci"))

SETTINGS = Settings(confirm=False, use_cache=False, extend_select=("RNN100",))
EXAMPLES = sorted((Path(__file__).resolve().parent.parent / "examples").glob("*.py"))
CONTRACT = {
    "code": str, "name": str, "severity": str, "message": str, "path": str, "line": int, "column": int,
    "end_line": int, "end_column": int, "cell": (int, type(None)), "confirmation": dict, "fix": (dict, type(None)),
    "keras": (dict, type(None)),  # the Keras the file was judged against: {"major", "reason"}
}
LINE_BREAK = re.compile(r"\r\n|\r|\n")  # Python's line terminators (not str.splitlines's \x0c, \u2028 …)
COUNTER = {"inputs": 0}  # how many inputs `check` saw (printed by the long profile)
# Rules whose fixes are known to break the file in some cases (reported, to be fixed in rules/; fix_source
# refuses such a result, so nothing is lost). Empty this set to make the property strict again.
# RNN009 was here (`LSTM(input_shape=0,)` → `LSTM(,)`); fixed, see its regression test below.
# RNN010 was here (overlapping deletions); fixed, see its regression test.
KNOWN_BAD_FIXES: set[str] = set()  # last: RNN009 after `(8)` (argument spans now include redundant parentheses)
# Rules known to crash on some inputs (an RNN000 internal-error finding; reported, to be fixed in rules/).
KNOWN_RULE_CRASHES: set[str] = set()  # RNN007 was here (input_shape=True + stateful=True); fixed, see below


# --- the properties ------------------------------------------------------------------------------------------


def lines_of(text: str) -> list[str]:
    return LINE_BREAK.split(text)


def assert_inside(lines: list[str], line: int, column: int, what: str) -> None:
    assert isinstance(line, int) and isinstance(column, int), what
    if line == len(lines) + 1:  # the position just after a final line break
        assert column == 1, (what, line, column)
        return
    assert 1 <= line <= len(lines), (what, line, len(lines))
    assert 1 <= column <= len(lines[line - 1]) + 1, (what, line, column, len(lines[line - 1]))


def apply_one_fix(text: str, edits) -> str:
    starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    for edit in sorted(edits, key=lambda e: (e.span.line, e.span.column), reverse=True):
        a, b = offset(edit.span.line, edit.span.column), offset(edit.span.end_line, edit.span.end_column)
        assert a <= b, edit
        text = text[:a] + edit.text + text[b:]
    return text


def check(text: str, path: str = "fuzz.py", result=None, fixes: bool = True) -> None:
    COUNTER["inputs"] += 1
    result = result if result is not None else lint_source(text, path, SETTINGS)
    internal = [f.message for f in result.findings if f.name == "internal-error"
                and not any(f.message.startswith(f"internal error in rule {code} ") for code in KNOWN_RULE_CRASHES)]
    assert not internal, internal
    # JSON contract
    run = confirm_results([result], SETTINGS)
    objects = json.loads(json_report.render(run))
    assert isinstance(objects, list) and len(objects) == len(result.findings)
    for obj in objects:
        assert set(obj) == set(CONTRACT), sorted(obj)
        for key, kind in CONTRACT.items():
            assert isinstance(obj[key], kind), (key, obj[key])
        assert set(obj["confirmation"]) == {"status", "detail", "keras_version"}
        assert obj["code"].startswith("RNN") and obj["severity"] in ("error", "warning", "info")
        assert obj["cell"] is None
    # --show-models --format json: every IR value of every program is serialisable (issue 18: a non-literal
    # batch_size crashed it)
    assert isinstance(json.loads(models_report.render_json([result])), list)
    if result.source is None:
        return
    # positions
    lines = lines_of(result.source)
    for finding in result.findings:
        span = finding.span
        assert_inside(lines, span.line, span.column, f"{finding.code} start")
        assert_inside(lines, span.end_line, span.end_column, f"{finding.code} end")
        assert (span.end_line, span.end_column) >= (span.line, span.column), (finding.code, span)
        if finding.fix is None:
            continue
        for edit in finding.fix.edits:
            assert_inside(lines, edit.span.line, edit.span.column, f"{finding.code} edit start")
            assert_inside(lines, edit.span.end_line, edit.span.end_column, f"{finding.code} edit end")
            assert (edit.span.end_line, edit.span.end_column) >= (edit.span.line, edit.span.column)
        ordered = sorted(((e.span.line, e.span.column), (e.span.end_line, e.span.end_column))
                         for e in finding.fix.edits)
        overlapping = any(b[0] < a[1] for a, b in zip(ordered, ordered[1:]))
        assert not overlapping or finding.code in KNOWN_BAD_FIXES, (finding.code, finding.fix.edits)
        if fixes and result.ir is not None and not overlapping:
            fixed = apply_one_fix(result.source, finding.fix.edits)
            try:
                libcst.parse_module(fixed)
            except libcst.ParserSyntaxError:
                if finding.code not in KNOWN_BAD_FIXES:
                    raise  # a rule's fix breaks the file
    # --fix: parses, and is idempotent
    if fixes and result.ir is not None and any(f.fix is not None for f in result.findings):
        unsafe = with_unsafe_fixes(result.source)
        once = fix_source(result.source, path, SETTINGS, unsafe=unsafe)
        if once.error is not None:
            bad = re.search(r"\(fixes of ([A-Z0-9, ]+)\)", once.error)
            assert bad and set(bad.group(1).split(", ")) & KNOWN_BAD_FIXES, once.error
            assert once.text == result.source  # refused: the original text comes back
            return
        libcst.parse_module(once.text)
        if once.converged:
            twice = fix_source(once.text, path, SETTINGS, unsafe=unsafe)
            assert twice.text == once.text and twice.fixed_count == 0, (once.text, twice.text)
        assert fix_passes_stay_in_ranges(result.source, path, unsafe) == once.text


def with_unsafe_fixes(text: str) -> bool:
    """Half of the inputs are fixed with --unsafe-fixes too; chosen from the text, so CI stays deterministic."""
    return zlib.crc32(text.encode("utf-8", "surrogatepass")) % 2 == 1


def offsets_of(text: str, edits) -> list[tuple[int, int]]:
    """Character offsets (start, end) of `edits` in `text`, computed here, not by rnnlint.fix."""
    starts = [0] + [m.end() for m in LINE_BREAK.finditer(text)]
    return [(starts[e.span.line - 1] + e.span.column - 1, starts[e.span.end_line - 1] + e.span.end_column - 1)
            for e in edits]


def assert_changed_only_inside(before: str, after: str, ranges: list[tuple[int, int]]) -> None:
    """`after` is `before` with some of `ranges` (character offsets, merged when they touch) replaced."""
    merged: list[list[int]] = []
    for a, b in sorted(ranges):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    pattern, position = [], 0
    for a, b in merged:
        pattern.append(re.escape(before[position:a]))
        pattern.append("(?s:.*?)")
        position = b
    pattern.append(re.escape(before[position:]))
    assert re.fullmatch("".join(pattern), after), (before, after, merged)


def fix_passes_stay_in_ranges(text: str, path: str, unsafe: bool) -> str:
    """Run `--fix` one pass at a time; each pass may change the text only inside the fix ranges that the report
    of that pass's input showed (safe fixes). Returns the final text, which must equal fix_source's."""
    for _ in range(MAX_ITERATIONS):
        reported = lint_source(text, path, SETTINGS)
        ranges = [r for f in reported.findings if applicable(f, unsafe) for r in offsets_of(text, f.fix.edits)]
        step = fix_source(text, path, SETTINGS, unsafe=unsafe, max_passes=1)
        assert step.error is None, step.error
        assert_changed_only_inside(text, step.text, ranges)
        if step.text == text:
            break
        text = step.text
    return text


# --- generated Keras-like programs ---------------------------------------------------------------------------

IMPORT_STYLES = {
    # name → (import lines, layer prefix, Sequential, Model, Input)
    "from": ("from keras.models import Sequential, Model\nfrom keras.layers import *\nfrom keras import Input\n",
             "", "Sequential", "Model", "Input"),
    "keras": ("import keras\n", "keras.layers.", "keras.Sequential", "keras.Model", "keras.Input"),
    "tf": ("import tensorflow as tf\n", "tf.keras.layers.", "tf.keras.Sequential", "tf.keras.Model",
           "tf.keras.Input"),
    "tf-from": ("from tensorflow import keras\nfrom tensorflow.keras import layers as L\n", "L.",
                "keras.models.Sequential", "keras.models.Model", "keras.layers.Input"),
    "alias": ("import keras as K\nfrom keras import layers as kl\n", "kl.", "K.Sequential", "K.Model", "K.Input"),
    "tf-keras": ("import tf_keras\n", "tf_keras.layers.", "tf_keras.Sequential", "tf_keras.Model",
                 "tf_keras.Input"),
    "legacy": ("from keras.layers.recurrent import LSTM, GRU\nfrom keras.models import Sequential\n"
               "from keras.layers.core import Dense, Dropout\n", "", "Sequential", "Model", "Input"),
    "shadowed": ("import keras\nclass LSTM: pass\nkeras = None\n", "keras.layers.", "keras.Sequential",
                 "keras.Model", "keras.Input"),
    "none": ("", "", "Sequential", "Model", "Input"),
}
RECURRENT = ["LSTM", "GRU", "SimpleRNN"]
PLAIN = ["Dense", "Dropout", "RepeatVector", "Flatten", "Conv1D", "Embedding", "Masking", "LayerNormalization",
         "GlobalAveragePooling1D", "MaxPooling1D", "Reshape", "Permute", "CuDNNLSTM", "ConvLSTM2D", "Attention"]
WRAPPERS = ["TimeDistributed", "Bidirectional", "RNN"]
KEYWORDS = ["units", "return_sequences", "return_state", "input_shape", "input_dim", "input_length", "activation",
            "rate", "n", "stateful", "batch_input_shape", "batch_size", "go_backwards", "unroll", "dropout",
            "target_shape", "dims", "filters", "kernel_size", "pool_size", "output_dim", "name", "merge_mode",
            "backward_layer", "layer", "cell", "time_major", "implementation", "shape", "batch_shape"]

scalars = st.one_of(
    st.integers(min_value=-3, max_value=400).map(str),
    st.sampled_from(["0", "1", "10", "256", "10**100", "-1", "2**31", "1e308*10", "float('nan')", "True", "False",
                     "None", "...", "0.5", "1j", "'relu'", "'tanh'", "''", "'\\x00'", "b'x'", "f'{x}'", "x",
                     "X.shape[1]", "X.shape[-1]", "len(X)", "n_steps", "n_steps * 2", "units // 0", "lambda: 1",
                     "{}", "{'a': 1}", "[]", "set()", "[1, 2][5]", "__import__('os')", "open('x')", "(1, 2)[::-1]",
                     "not None", "-'a'", "'a' * 10**9", "x if y else z", "(yield)", "await x", "*args", "**kw"]),
    st.text(max_size=8).map(repr),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
)
shapes = st.lists(st.one_of(st.integers(-2, 300).map(str), st.just("None"), st.just("n_steps"), scalars),
                  max_size=5).map(lambda dims: "(" + ", ".join(dims) + ("," if len(dims) == 1 else "") + ")")
values = st.one_of(scalars, shapes, shapes.map(lambda s: "[" + s[1:-1] + "]"))


@st.composite
def layer_call(draw, prefix: str, depth: int = 0) -> str:
    kinds = RECURRENT * 3 + PLAIN + (WRAPPERS if depth < 2 else [])
    kind = draw(st.sampled_from(kinds))
    args: list[str] = []
    if kind in WRAPPERS:
        args.append(draw(layer_call(prefix, depth + 1)))
    for _ in range(draw(st.integers(0, 2))):
        args.append(draw(values))
    used: set[str] = set()
    for _ in range(draw(st.integers(0, 4))):
        key = draw(st.sampled_from(KEYWORDS))
        if key in used:
            continue
        used.add(key)
        value = draw(st.one_of(values, st.just("True"), st.just("False"), shapes))
        if key in ("layer", "cell", "backward_layer") and depth < 2 and draw(st.booleans()):
            value = draw(layer_call(prefix, depth + 1))
        args.append(f"{key}={value}")
    return f"{prefix}{kind}({draw(separator())}{_join(args, draw)})"


def _join(args: list[str], draw) -> str:
    parts = []
    for i, arg in enumerate(args):
        parts.append(arg)
        if i < len(args) - 1:
            parts.append("," + draw(separator()))
    if args and draw(st.booleans()):
        parts.append(",")  # trailing comma
    return "".join(parts)


@st.composite
def separator(draw) -> str:
    """Whitespace that is legal inside brackets: spaces, newlines with indentation, comments."""
    return draw(st.sampled_from(["", " ", "  ", "\n    ", "  # note: LSTM(8)\n        ", "\n\n", "\t", "\\\n "]))


@st.composite
def keras_program(draw) -> str:
    style = draw(st.sampled_from(sorted(IMPORT_STYLES)))
    imports, prefix, sequential, model_cls, input_fn = IMPORT_STYLES[style]
    n_layers = draw(st.integers(0, 6))
    layers = [draw(layer_call(prefix)) for _ in range(n_layers)]
    lines = [imports.rstrip("\n")] if imports else []
    if draw(st.booleans()):
        lines.append("import numpy as np")
        lines.append(f"n_steps = {draw(values)}")
        lines.append(f"X = np.zeros({draw(shapes)})")
        lines.append(f"y = np.{draw(st.sampled_from(['zeros', 'ones', 'random.rand']))}({draw(shapes)})")
    api = draw(st.sampled_from(["sequential-list", "sequential-add", "functional", "function", "subclass"]))
    if api == "sequential-list":
        lines.append(f"model = {sequential}([{_join(layers, draw)}])")
    elif api == "sequential-add":
        lines.append(f"model = {sequential}()")
        for layer in layers:
            lines.append(f"model.add({layer})")
    elif api == "functional":
        lines.append(f"inp = {input_fn}(shape={draw(shapes)})")
        lines.append("x = inp")
        for layer in layers:
            lines.append(f"x = {layer}(x)")
        lines.append(f"model = {model_cls}({draw(st.sampled_from(['inp, x', 'inputs=inp, outputs=x', 'inp', '']))})")
    elif api == "function":
        lines.append(f"def build(units={draw(values)}, steps=10):")
        lines.append(f"    m = {sequential}()")
        for layer in layers:
            lines.append(f"    m.add({layer})")
        lines.append("    return m")
        lines.append(f"model = build({draw(st.sampled_from(['', '32', 'units=64', 'steps=None', '*a']))})")
    else:
        lines.append(f"class Net({model_cls}):")
        lines.append("    def __init__(self):")
        lines.append("        super().__init__()")
        for i, layer in enumerate(layers):
            lines.append(f"        self.l{i} = {layer}")
        lines.append("    def call(self, x):")
        for i in range(len(layers)):
            lines.append(f"        x = self.l{i}(x)")
        lines.append("        return x")
        lines.append("model = Net()")
    for _ in range(draw(st.integers(0, 3))):
        lines.append(draw(st.sampled_from([
            "model.compile(loss='mse', optimizer='adam')",
            "model.compile(loss=keras.losses.SparseCategoricalCrossentropy(), optimizer='adam')",
            f"model.fit(X, y, batch_size={draw(values)}, epochs={draw(values)}, shuffle={draw(values)})",
            "model.fit(X, y)", "model.fit(X)", "model.predict(X, batch_size=1)", "model.evaluate(X, y)",
            "model.fit(x=X, y=y, nb_epoch=3)", "model.summary()", "model.reset_states()",
            "model.fit(X, y, validation_data=(X, y))", "model.fit(X, y, validation_data=X)",
            "X = X.reshape((X.shape[0], X.shape[1], 1))", "y = y[:, None]", "X = X[..., np.newaxis]",
            "for i in range(3):\n    model.add(LSTM(8))", "if x:\n    model = None",
            "model.fit(X, y)  # noqa: RNN006", "# rnnlint: noqa: RNN001", "model.fit(X, y)  # noqa",
        ])))
    text = "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n", "\r\n", "  # trailing comment\n"]))
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text


@FUZZ
@given(keras_program())
@example("from keras.models import Sequential\nfrom keras.layers import LSTM, Dense\nmodel = Sequential()\n"
         "model.add(LSTM(256, input_shape=(10, 1)))\nmodel.add(LSTM(256))\nmodel.add(Dense(1))\n")
@example("import numpy as np\nimport keras\nX = np.zeros((16, 5, 1))\nmodel = keras.Sequential([keras.Input(shape=(5, 1)), "
         "keras.layers.LSTM(3), keras.layers.Dense(1)])\nmodel.fit(X, X[:, -1], batch_size=config.batch_size, "
         "epochs=cfg['epochs'])\n")
def test_generated_keras_programs(text):
    check(text)


def test_rnn007_non_tuple_input_shape_with_stateful_does_not_crash():
    # Found by the long fuzz profile: RNN007 raised TypeError building its suggested keras.Input.
    text = ("import keras as K\nfrom keras import layers as kl\n"
            "model = K.Sequential([kl.LSTM(0,0,input_shape=True,units=0),kl.LSTM(stateful=True)])\n")
    assert [f.message for f in lint_source(text, "fuzz.py", SETTINGS).findings if f.name == "internal-error"] == []


# --- byte-level mutations of the examples --------------------------------------------------------------------

@st.composite
def mutated_example(draw) -> bytes:
    data = bytearray(draw(st.sampled_from(EXAMPLES)).read_bytes())
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["flip", "delete", "insert", "duplicate", "swap", "truncate", "splice"]))
        if not data:
            data = bytearray(b"import keras\n")
        i = draw(st.integers(0, len(data) - 1))
        j = min(len(data), i + draw(st.integers(0, 40)))
        if op == "flip":
            data[i] = draw(st.integers(0, 255))
        elif op == "delete":
            del data[i:j]
        elif op == "insert":
            data[i:i] = draw(st.one_of(st.binary(max_size=12), st.sampled_from(
                [b"(", b")", b"[", b"\n", b"\r", b"\\\n", b"\t", b"  ", b"#", b"'", b'"""', b"\x00", b"\xff",
                 b"\xef\xbb\xbf", b"return_sequences=True, ", b"LSTM(8)", b"lambda: ", b"(" * 300])))
        elif op == "duplicate":
            data[j:j] = data[i:j]
        elif op == "swap":
            data[i:j] = data[i:j][::-1]
        elif op == "truncate":
            del data[j:]
        else:
            other = draw(st.sampled_from(EXAMPLES)).read_bytes()
            k = draw(st.integers(0, len(other)))
            data[i:j] = other[k:k + draw(st.integers(0, 200))]
    return bytes(data)


@FUZZ
@given(mutated_example())
def test_mutated_examples(data):
    result = lint_file("fuzz_mutant.py", SETTINGS, data=data)
    check(result.source or "", "fuzz_mutant.py", result=result)


@FUZZ
@given(st.sampled_from(EXAMPLES), st.integers(0, 10_000), st.sampled_from(["\r\n", "\r", "\t", "\x0c", "\u2028",
                                                                          "\u00a0", "é", "𝕏", "\ufeff"]))
def test_examples_with_odd_characters(example_path, position, char):
    text = example_path.read_text(encoding="utf-8")
    position %= len(text) + 1
    check(text[:position] + char + text[position:])


# --- arbitrary text ------------------------------------------------------------------------------------------

TOKENS = ["(", ")", "[", "]", "{", "}", ":", ",", ".", "=", "+", "-", "*", "/", "**", " ", "\n", "\t", "    ", "#",
          "'", '"', "\\", "import keras", "from keras.layers import LSTM", "LSTM", "GRU", "Dense", "keras", "layers",
          "Sequential", "model", "add", "fit", "X", "y", "np.zeros", "return_sequences=True", "input_shape=",
          "(10, 1)", "256", "None", "def ", "class ", "return ", "if ", "else:", "for ", "in ", "lambda ",
          "with ", "try:", "except:", "async ", "await ", "yield ", "@", ";", "# noqa", "# rnnlint: disable=RNN001"]


@FUZZ
@given(st.lists(st.sampled_from(TOKENS), max_size=80).map("".join))
def test_token_soup(text):
    check(text)


@FUZZ
@given(st.text(max_size=400))
def test_arbitrary_text(text):
    check("import keras\n" + text)


@FUZZ
@given(st.text(max_size=200), st.sampled_from(["fuzz.py", "nb.pyi", "weird name.py", "-x.py", "ü.py"]))
def test_arbitrary_text_any_path(text, path):
    check(text, path)


@pytest.mark.skipif(not LONG, reason="long profile only")
def test_long_profile_report():
    print(f"\nfuzz: {COUNTER['inputs']} inputs checked")
    assert COUNTER["inputs"] > 0


def test_starred_argument_is_not_a_keyword():
    # Found by the long fuzz profile: `build(*a)` crashed the analyzer when keyword spans learned about `=`.
    text = ("import keras as K\nfrom keras import layers as kl\ndef build(units=0, steps=10):\n"
            "    m = K.Sequential()\n    return m\nmodel = build(*a)\n")
    check(text)


# Fix regressions found by the long fuzz profile: each fix alone must give text that parses.
HEADER = "import keras as K\nfrom keras import layers as kl\n"
FIX_REGRESSIONS = [
    # removing `input_dim=0,input_length=0` used two overlapping deletions
    pytest.param("model = K.Sequential()\nmodel.add(kl.LSTM(input_dim=0,input_length=0))\n", id="rnn010-adjacent"),
    # the span of `(8)` left out its parentheses, so the deletion began inside them
    pytest.param("model = K.Sequential([kl.LSTM(),kl.LSTM((8),input_shape=0)])\n", id="rnn009-parenthesized"),
    # removing a lone `input_shape=0,` left `LSTM(,)`
    pytest.param("model = K.Sequential([kl.LSTM(),kl.LSTM(input_shape=0,)])\n", id="rnn009-trailing-comma"),
    # `input_length=(1, 2)[::-1]` was spliced into the new Input's shape as if it were a tuple literal
    pytest.param("model = K.Sequential([kl.LSTM(input_dim=0,input_length=(1, 2)[::-1])])\n", id="rnn010-expression"),
    # `batch_input_shape=(yield)` became `Input(batch_shape=yield)`
    pytest.param("model = K.Sequential([kl.LSTM(batch_input_shape=(yield))])\n", id="keyword-parentheses"),
    # an undefined name CuDNNLSTM, its result applied to a tensor: RNN010 renamed "the callee" `CuDNNLSTM(0,0.0)` at
    # the dot of `0.0` (found by the long profile of 2026-12-06; the name is not Keras's: no finding either)
    pytest.param("from keras.layers.recurrent import LSTM, GRU\ninp = Input(shape=())\nx = inp\nx = LSTM()(x)\n"
                 "x = CuDNNLSTM(0,0.0)(x)\nmodel = Model(inp, x)\n", id="rnn010-cudnn-float"),
]


@pytest.mark.parametrize("body", FIX_REGRESSIONS)
def test_fix_regression_parses(body):
    text = HEADER + body
    fixes = [f for f in lint_source(text, "fuzz.py", SETTINGS).findings if f.fix is not None]
    assert fixes  # the regression is about a fix: it must still be offered
    for finding in fixes:
        libcst.parse_module(apply_one_fix(text, finding.fix.edits))


@pytest.mark.parametrize("before, after, ranges, ok", [
    ("model.add(LSTM(8))", "model.add(LSTM(8, return_sequences=True))", [(16, 16)], True),
    ("LSTM(8, input_shape=(3, 1))", "LSTM(8)", [(6, 26)], True),
    ("LSTM(8)", "LSTM(8)", [(0, 2)], True),  # a range may be left as it was
    ("LSTM(8)\nx = 1\n", "LSTM(8)\nx = 2\n", [(0, 7)], False),  # a change outside every range
    ("ab", "ba", [(0, 0)], False),  # an insertion point does not license a change after it
    ("a.b", "a.b.c", [(1, 2)], False),
])
def test_changed_only_inside_can_fail(before, after, ranges, ok):
    # The checker of the "changes stay inside the fix ranges" property, checked on hand-made cases.
    if ok:
        assert_changed_only_inside(before, after, ranges)
    else:
        with pytest.raises(AssertionError):
            assert_changed_only_inside(before, after, ranges)
