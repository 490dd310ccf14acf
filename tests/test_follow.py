"""Following real code (issue: symbolic shapes, opaque layers, builders, classes and modules).

Table-driven, as flake8-bugbear's tests: each case is a small program written the way public Keras projects
write models, with the findings it must give as (file, code, line) — and a clean twin, the same program
corrected, that must give none. Multi-file cases are linted as a project (`lint_paths` over a folder), so a model
built in one module and fitted in another is one model.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from rnnlint.engine import lint_paths, lint_source
from rnnlint.settings import Settings

STATIC = Settings(confirm=False, use_cache=False)


@dataclass(frozen=True)
class Case:
    id: str
    files: dict  # file name → source (dedented)
    expected: tuple = ()  # (file, code, line)
    note: str = ""
    notebook: tuple = ()  # cells, for a notebook case (the file is nb.ipynb)
    extra: dict = field(default_factory=dict)


def _src(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


def one(id: str, code: str, expected: list[tuple[str, int]], note: str = "") -> Case:
    return Case(id, {"main.py": _src(code)}, tuple(("main.py", c, l) for c, l in expected), note)


# A training script fitting `models.build()` on 10 time steps (the main-guard cases below).
FIT_BUILD_10_STEPS = _src("""
    import numpy as np
    from models import build
    model = build()
    model.fit(np.zeros((8, 10, 3)), np.zeros((8, 1)), batch_size=4)
""")

CASES = [
    # --- the examples --------------------------------------------------------------------------------
    one("vocab-from-tokenizer", """
        from tensorflow.keras.preprocessing.text import Tokenizer
        from tensorflow.keras.models import Sequential
        from tensorflow.keras.layers import Embedding, LSTM, Dense
        tokenizer = Tokenizer()
        tokenizer.fit_on_texts(["a b", "b c"])
        vocab = len(tokenizer.word_index) + 1
        model = Sequential([Embedding(vocab, 64), LSTM(32), LSTM(16), Dense(1)])
    """, [("RNN001", 7)], "a size from the data is a symbol: the layer and the rank after it stay known"),
    one("vocab-from-tokenizer-clean", """
        from tensorflow.keras.preprocessing.text import Tokenizer
        from tensorflow.keras.models import Sequential
        from tensorflow.keras.layers import Embedding, LSTM, Dense
        tokenizer = Tokenizer()
        tokenizer.fit_on_texts(["a b", "b c"])
        vocab = len(tokenizer.word_index) + 1
        model = Sequential([Embedding(vocab, 64), LSTM(32, return_sequences=True), LSTM(16), Dense(1)])
    """, []),
    one("builder-never-called", """
        from keras.models import Sequential
        from keras.layers import LSTM, Dense
        def build_model(n_steps, n_features):
            model = Sequential()
            model.add(LSTM(64, input_shape=(n_steps, n_features)))
            model.add(LSTM(32))
            return model
    """, [("RNN001", 5)], "wrong for every n_steps / n_features"),
    one("builder-never-called-clean", """
        from keras.models import Sequential
        from keras.layers import LSTM, Dense
        def build_model(n_steps, n_features):
            model = Sequential()
            model.add(LSTM(64, input_shape=(n_steps, n_features), return_sequences=True))
            model.add(LSTM(32))
            return model
    """, []),
    one("model-on-self", """
        from keras.models import Sequential
        from keras.layers import LSTM
        class Forecaster:
            def __init__(self, units=50):
                self.model = Sequential()
                self.model.add(LSTM(units, input_shape=(30, 1)))
                self.model.add(LSTM(units))
    """, [("RNN001", 6)]),
    one("model-on-self-clean", """
        from keras.models import Sequential
        from keras.layers import LSTM
        class Forecaster:
            def __init__(self, units=50):
                self.model = Sequential()
                self.model.add(LSTM(units, input_shape=(30, 1), return_sequences=True))
                self.model.add(LSTM(units))
    """, []),
    one("third-party-layer-downstream", """
        from keras.layers import Input, LSTM, Dense
        from keras.models import Model
        from attention import Attention
        inputs = Input(shape=(20, 1))
        x = LSTM(32)(inputs)
        x = LSTM(32, return_sequences=True)(x)
        x = Attention()(x)
        model = Model(inputs, Dense(1)(x))
    """, [("RNN001", 5)], "the opaque Attention hides only its own output"),
    one("third-party-layer-downstream-clean", """
        from keras.layers import Input, LSTM, Dense
        from keras.models import Model
        from attention import Attention
        inputs = Input(shape=(20, 1))
        x = LSTM(32, return_sequences=True)(inputs)
        x = LSTM(32, return_sequences=True)(x)
        x = Attention()(x)
        model = Model(inputs, Dense(1)(x))
    """, []),
    one("try-except-import", """
        try:
            from tensorflow import keras
        except ImportError:
            import keras
        model = keras.Sequential([keras.Input(shape=(25, 1)), keras.layers.LSTM(40), keras.layers.LSTM(20)])
    """, [("RNN001", 5)]),
    one("try-except-import-clean", """
        try:
            from tensorflow import keras
        except ImportError:
            import keras
        model = keras.Sequential([keras.Input(shape=(25, 1)), keras.layers.LSTM(40, return_sequences=True),
                                  keras.layers.LSTM(20)])
    """, []),
    # --- the further observations ----------------------------------------------------------------------
    one("embedding-first-no-input", """
        import numpy as np
        from keras.models import Sequential
        from keras.layers import Embedding, GRU, Dense
        x = np.random.randint(0, 300, size=(60, 40))
        model = Sequential()
        model.add(Embedding(300, 24))
        model.add(GRU(32))
        model.add(GRU(32))
        model.add(Dense(1))
        model.fit(x, np.zeros(60), batch_size=12)
    """, [("RNN001", 7)], "Keras builds it from the first fit(x)"),
    one("embedding-first-no-input-clean", """
        import numpy as np
        from keras.models import Sequential
        from keras.layers import Embedding, GRU, Dense
        x = np.random.randint(0, 300, size=(60, 40))
        model = Sequential()
        model.add(Embedding(300, 24))
        model.add(GRU(32, return_sequences=True))
        model.add(GRU(32))
        model.add(Dense(1))
        model.fit(x, np.zeros(60), batch_size=12)
    """, []),
    one("stack-of-four", """
        from keras.models import Sequential
        from keras.layers import LSTM, Dropout, Dense
        model = Sequential()
        model.add(LSTM(50, input_shape=(30, 1)))
        model.add(Dropout(0.2))
        model.add(LSTM(50))
        model.add(LSTM(50))
        model.add(LSTM(50))
        model.add(Dense(1))
    """, [("RNN001", 4), ("RNN001", 6), ("RNN001", 7)], "every missing return_sequences in one run"),
    one("loop-over-range-of-a-parameter", """
        from keras.models import Sequential
        from keras.layers import Input, LSTM, Dense
        def build(n_layers=3, units=32):
            model = Sequential([Input(shape=(20, 2))])
            for _ in range(n_layers):
                model.add(LSTM(units))
            model.add(Dense(1))
            return model
    """, [("RNN001", 6)]),
    one("loop-over-range-of-a-parameter-clean", """
        from keras.models import Sequential
        from keras.layers import Input, LSTM, Dense
        def build(n_layers=3, units=32):
            model = Sequential([Input(shape=(20, 2))])
            for i in range(n_layers):
                model.add(LSTM(units, return_sequences=(i < n_layers - 1)))
            model.add(Dense(1))
            return model
    """, []),
    one("loop-over-a-literal-list", """
        import keras
        model = keras.Sequential([keras.Input(shape=(20, 2))])
        for units in [128, 64]:
            model.add(keras.layers.LSTM(units))
    """, [("RNN001", 4)]),
    one("loop-over-a-literal-list-clean", """
        import keras
        model = keras.Sequential([keras.Input(shape=(20, 2))])
        sizes = [128, 64]
        for i, units in enumerate(sizes):
            model.add(keras.layers.LSTM(units, return_sequences=i < len(sizes) - 1))
    """, []),
    one("merge-helpers", """
        from keras import Input, Model
        from keras.layers import LSTM, Dense, concatenate, add
        a_in, b_in = Input(shape=(10, 3)), Input(shape=(10, 2))
        a = LSTM(16)(a_in)
        b = LSTM(16)(b_in)
        merged = concatenate([a, b])
        summed = add([a, b])
        h = LSTM(8)(merged)
        model = Model([a_in, b_in], [Dense(1)(h), Dense(1)(summed)])
    """, [("RNN001", 4), ("RNN001", 5)], "one finding per branch"),
    one("merge-helpers-clean", """
        from keras import Input, Model
        from keras.layers import LSTM, Dense, concatenate, add
        a_in, b_in = Input(shape=(10, 3)), Input(shape=(10, 2))
        a = LSTM(16, return_sequences=True)(a_in)
        b = LSTM(16, return_sequences=True)(b_in)
        merged = concatenate([a, b])
        summed = add([LSTM(4)(a), LSTM(4)(b)])
        h = LSTM(8)(merged)
        model = Model([a_in, b_in], [Dense(1)(h), Dense(1)(summed)])
    """, []),
    # --- what to build ---------------------------------------------------------------------------------------
    one("symbols-from-the-same-source-match", """
        import numpy as np
        from keras.models import Sequential
        from keras.layers import LSTM, Dense
        data = np.load("series.npy")
        n_steps, n_features = data.shape[1], data.shape[2]
        X = data.reshape(-1, n_steps, n_features)
        model = Sequential([LSTM(16, input_shape=(n_steps, n_features)), Dense(1)])
        model.fit(X, X[:, -1, :1], batch_size=8)
    """, [], "input_shape=(n_steps, n_features) and X.reshape(-1, n_steps, n_features) agree"),
    one("symbol-rank-still-checked", """
        import numpy as np
        from keras.models import Sequential
        from keras.layers import Input, LSTM, Dense
        data = np.load("series.npy")
        n_steps, n_features = data.shape[1], 3
        X = data.reshape(-1, n_steps)
        model = Sequential([Input(shape=(n_steps, n_features)), LSTM(16), Dense(1)])
        model.fit(X, np.zeros(10), batch_size=8)
    """, [("RNN004", 8)], "a 2D x into 3 features fails whatever n_steps is"),
    one("symbolic-feature-axis-may-be-one", """
        import numpy as np
        from keras.models import Sequential
        from keras.layers import Input, LSTM, Dense
        data = np.load("series.npy")
        n_steps, n_features = data.shape[1], data.shape[2]
        X = data.reshape(-1, n_steps)
        model = Sequential([Input(shape=(n_steps, n_features)), LSTM(16), Dense(1)])
        model.fit(X, np.zeros(10), batch_size=8)
    """, [], "Keras 3 adds a missing size-1 axis: with n_features unknown, stay silent"),
    one("builder-called-with-literals", """
        import numpy as np
        from keras.models import Sequential
        from keras.layers import LSTM, Dense
        def build(n_steps, n_features):
            return Sequential([LSTM(8, input_shape=(n_steps, n_features)), Dense(1)])
        model = build(12, 3)
        model.fit(np.random.rand(40, 12, 2), np.random.rand(40, 1), batch_size=8)
    """, [("RNN004", 7)], "only the call's literals say the model wants 3 features"),
    one("builder-called-with-literals-clean", """
        import numpy as np
        from keras.models import Sequential
        from keras.layers import LSTM, Dense
        def build(n_steps, n_features):
            return Sequential([LSTM(8, input_shape=(n_steps, n_features)), Dense(1)])
        model = build(12, 2)
        model.fit(np.random.rand(40, 12, 2), np.random.rand(40, 1), batch_size=8)
    """, []),
    one("argparse-defaults", """
        import argparse
        from keras.models import Sequential
        from keras.layers import LSTM, Dense
        parser = argparse.ArgumentParser()
        parser.add_argument("--units", type=int, default=64)
        parser.add_argument("--stacked", action="store_true")
        args = parser.parse_args()
        model = Sequential([LSTM(args.units, input_shape=(10, 1)), LSTM(args.units), Dense(1)])
    """, [("RNN001", 8)]),
    one("config-dict", """
        from keras.models import Sequential
        from keras.layers import LSTM, Dense
        cfg = {"units": 64, "steps": 10, "sequences": False}
        model = Sequential([LSTM(cfg["units"], input_shape=(cfg["steps"], 1), return_sequences=cfg["sequences"]),
                            LSTM(cfg["units"]), Dense(1)])
    """, [("RNN001", 4)]),
    one("config-dict-clean", """
        from keras.models import Sequential
        from keras.layers import LSTM, Dense
        cfg = {"units": 64, "steps": 10, "sequences": True}
        model = Sequential([LSTM(cfg["units"], input_shape=(cfg["steps"], 1), return_sequences=cfg["sequences"]),
                            LSTM(cfg["units"]), Dense(1)])
    """, []),
    one("if-else-same-shape", """
        import sys
        from keras.models import Sequential
        from keras.layers import LSTM, Dense
        if sys.argv[1:]:
            first = LSTM(32, activation="relu", input_shape=(10, 1))
        else:
            first = LSTM(32, activation="tanh", input_shape=(10, 1))
        model = Sequential([first, LSTM(16), Dense(1)])
    """, [("RNN001", 5)], "branches that build the same shape keep it (the first one is reported)"),
    one("if-else-different-shape", """
        import sys
        from keras.models import Sequential
        from keras.layers import LSTM, Dense
        if sys.argv[1:]:
            first = LSTM(32, return_sequences=True, input_shape=(10, 1))
        else:
            first = LSTM(32, input_shape=(10, 1))
        model = Sequential([first, LSTM(16), Dense(1)])
    """, [], "the branches disagree: stay silent"),
    one("custom-layer-class-is-followed", """
        import keras
        class Encoder(keras.layers.Layer):
            def __init__(self, units=32):
                super().__init__()
                self.rnn = keras.layers.GRU(units)
                self.rnn2 = keras.layers.GRU(units)
            def call(self, x):
                return self.rnn2(self.rnn(x))
    """, [("RNN001", 5)]),
    one("dangling-graph", """
        import keras
        from keras import layers
        inputs = keras.Input(shape=(None, 14))
        x = layers.SimpleRNN(16)(inputs)
        x = layers.SimpleRNN(16)(x)
        print(x.shape)
    """, [("RNN001", 4)], "no Model(...) closes it, but Keras builds each call"),
    *[Case("imported-custom-layer" + suffix, {
        "blocks.py": _src(f"""
            import keras
            class Encoder(keras.layers.Layer):
                def __init__(self, units=32):
                    super().__init__()
                    self.rnn = keras.layers.GRU(units{keyword})
                    self.rnn2 = keras.layers.GRU(units)
                def call(self, x):
                    return self.rnn2(self.rnn(x))
        """),
        "train.py": _src("""
            import numpy as np
            import keras
            from blocks import Encoder
            model = keras.Sequential([keras.Input((10, 3)), Encoder(16), keras.layers.Dense(1)])
            model.fit(np.zeros((8, 10, 3)), np.zeros((8, 1)), batch_size=4)
        """)}, expected, "a custom layer's own graph is checked in its module, once (an importer uses it opaque)")
      for suffix, keyword, expected in (("", "", (("blocks.py", "RNN001", 5),)),
                                        ("-clean", ", return_sequences=True", ()))],
    # --- a module's `if __name__ == "__main__":` block runs when it is the script, not when it is imported -------
    Case("imported-main-guard-clean", {
        "models.py": _src("""
            import keras
            from keras import layers
            STEPS = 10

            def build():
                return keras.Sequential([keras.Input((STEPS, 3)), layers.LSTM(8), layers.Dense(1)])

            if __name__ == "__main__":
                STEPS = 20  # the module's own experiment: an importer never sees it
                demo = build()
        """),
        "train.py": FIT_BUILD_10_STEPS}, (), "Python does not run an imported module's main block (the model takes 10 steps)"),
    Case("imported-main-guard-else-clean", {
        "models.py": _src("""
            import keras
            from keras import layers
            STEPS = 20
            if __name__ == "__main__":
                pass
            else:
                STEPS = 10  # what an importer gets

            def build():
                return keras.Sequential([keras.Input((STEPS, 3)), layers.LSTM(8), layers.Dense(1)])
        """),
        "train.py": FIT_BUILD_10_STEPS}, (), "an imported module runs the else branch of its main guard"),
    Case("imported-main-guard", {
        "models.py": _src("""
            import keras
            from keras import layers
            STEPS = 10

            def build():
                return keras.Sequential([keras.Input((STEPS, 3)), layers.LSTM(8), layers.Dense(1)])
        """),
        "train.py": _src("""
            import numpy as np
            from models import build
            if __name__ == "__main__":
                model = build()
                model.fit(np.zeros((8, 20, 3)), np.zeros((8, 1)), batch_size=4)
        """)}, (("train.py", "RNN004", 5),), "the linted script's own main block runs"),
]


def _lint_case(case: Case, tmp_path: Path) -> set[tuple[str, str, int]]:
    for name, text in case.files.items():
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    run = lint_paths([str(tmp_path)], STATIC, jobs=1)
    return {(str(Path(f.path).relative_to(tmp_path)), f.code, f.span.line) for f in run.findings}


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_follows_real_code(case: Case, tmp_path: Path) -> None:
    assert _lint_case(case, tmp_path) == set(case.expected), case.note


def test_every_flagged_case_has_a_clean_twin() -> None:
    ids = {c.id for c in CASES}
    flagged = [c.id for c in CASES if c.expected and not c.id.endswith("-clean")]
    twins = {"stack-of-four": "the issue's own four-LSTM example; its twin is rw_four_lstm_dropout_stack_clean",
             "symbol-rank-still-checked": "symbolic-feature-axis-may-be-one",
             "argparse-defaults": "config-dict-clean", "if-else-same-shape": "if-else-different-shape",
             "custom-layer-class-is-followed": "model-on-self-clean", "dangling-graph": "vocab-from-tokenizer-clean"}
    missing = [i for i in flagged if f"{i}-clean" not in ids and i not in twins]
    assert missing == []


CONFIG_BUILDER = _src("""
    import json
    from keras.models import Sequential
    from keras.layers import LSTM, Dense

    configs = json.load(open("config.json"))
    model = Sequential()
    for layer in configs["layers"]:
        if layer["type"] == "lstm":
            model.add(LSTM(layer["neurons"], input_shape=(configs["steps"], 2), return_sequences=layer["seq"]))
    model.add(Dense(1))
""")


@pytest.mark.parametrize("first_seq, expected", [(False, {("main.py", "RNN001", 9)}), (True, set())],
                         ids=["flagged", "clean"])
def test_a_json_config_is_a_known_value(tmp_path: Path, first_seq: bool, expected: set) -> None:
    config = {"steps": 49, "layers": [{"type": "lstm", "neurons": 100, "seq": first_seq},
                                      {"type": "lstm", "neurons": 100, "seq": False}]}
    files = {"main.py": CONFIG_BUILDER, "config.json": json.dumps(config)}
    assert _lint_case(Case("json", files), tmp_path) == expected


def test_a_config_outside_the_project_is_not_read(tmp_path: Path) -> None:
    config = {"steps": 49, "layers": [{"type": "lstm", "neurons": 100, "seq": False},
                                      {"type": "lstm", "neurons": 100, "seq": False}]}
    (tmp_path / "config.json").write_text(json.dumps(config))
    project = tmp_path / "project"
    (project / ".git").mkdir(parents=True)
    files = {"main.py": CONFIG_BUILDER.replace('open("config.json")', 'open("../config.json")')}
    assert _lint_case(Case("outside", files), project) == set()


def test_symbols_are_printed_in_show_models() -> None:
    text = CASES[2].files["main.py"]  # builder-never-called
    result = lint_source(text, "main.py", STATIC)
    from rnnlint.report.models import render_text

    shown = render_text([result])
    assert "LSTM (line 5)  -> (None, 64)" in shown
    assert "Input" not in shown
    fixed = text.replace("n_features)))", "n_features), return_sequences=True))")
    shown = render_text([lint_source(fixed, "main.py", STATIC)])
    assert "LSTM (line 5)  -> (None, n_steps, 64)" in shown


# --- several modules ------------------------------------------------------------------------------------------

PROJECT = {
    "models/__init__.py": "",
    "models/lstm.py": _src("""
        from keras.models import Sequential
        from keras.layers import LSTM, Dense

        def build_model(n_steps, n_features, units=32):
            model = Sequential()
            model.add(LSTM(units, input_shape=(n_steps, n_features)))
            model.add(LSTM(units))
            model.add(Dense(1))
            model.compile(loss="mse", optimizer="adam")
            return model
    """),
    "train.py": _src("""
        import numpy as np
        from models.lstm import build_model

        X = np.random.rand(40, 12, 3)
        y = np.random.rand(40, 12, 1)
        model = build_model(12, 3)
        model.fit(X, y, batch_size=8)
    """),
}


def test_a_model_built_in_one_module_and_fitted_in_another(tmp_path: Path) -> None:
    found = _lint_case(Case("project", PROJECT), tmp_path)
    # the stack's mistake is reported once, where it is written; train.py (no `keras` in it) is analysed
    assert found == {("models/lstm.py", "RNN001", 6)}
    clean = dict(PROJECT, **{"models/lstm.py": PROJECT["models/lstm.py"].replace(
        "input_shape=(n_steps, n_features))", "input_shape=(n_steps, n_features), return_sequences=True)")})
    found = _lint_case(Case("project-fixed", clean), tmp_path)
    # now the model builds, and the target is checked against it in train.py: y (40, 12, 1) for (None, 1)
    assert found == {("train.py", "RNN005", 7)}


def test_a_correct_project_is_silent(tmp_path: Path) -> None:
    clean = dict(PROJECT, **{
        "models/lstm.py": PROJECT["models/lstm.py"].replace(
            "input_shape=(n_steps, n_features))", "input_shape=(n_steps, n_features), return_sequences=True)"),
        "train.py": PROJECT["train.py"].replace("np.random.rand(40, 12, 1)", "np.random.rand(40, 1)")})
    assert _lint_case(Case("project-clean", clean), tmp_path) == set()


def test_relative_imports_and_the_cli(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/net.py": _src("""
            import keras
            def stack(units):
                return keras.Sequential([keras.Input(shape=(8, 2)), keras.layers.GRU(units), keras.layers.GRU(4)])
        """),
        "pkg/run.py": _src("""
            from .net import stack
            model = stack(16)
            model.summary()
        """),
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "rnnlint", "--no-confirm", "--no-cache", "--format", "json", "."],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 1, out.stderr
    assert [(f["path"], f["code"], f["line"]) for f in json.loads(out.stdout)] == [("pkg/net.py", "RNN001", 3)]


def test_a_changed_module_invalidates_the_cached_result_of_its_importer(tmp_path: Path, monkeypatch) -> None:
    from rnnlint import engine

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    project = tmp_path / "p"
    fixed_model = PROJECT["models/lstm.py"].replace(
        "input_shape=(n_steps, n_features))", "input_shape=(n_steps, n_features), return_sequences=True)")
    for name, text in dict(PROJECT, **{"models/lstm.py": fixed_model}).items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text, encoding="utf-8")
    settings = Settings(confirm=False)
    monkeypatch.chdir(project)
    first = engine.lint_paths(["."], settings, jobs=1, cache=True)
    assert {(f.path, f.code) for f in first.findings} == {("train.py", "RNN005")}
    assert all(r.cached for r in engine.lint_paths(["."], settings, jobs=1, cache=True).files if not r.skipped)
    # the builder now returns a many-to-many model: train.py's y (40, 12, 1) fits it; train.py itself is unchanged
    (project / "models/lstm.py").write_text(fixed_model.replace("model.add(LSTM(units))",
                                                                "model.add(LSTM(units, return_sequences=True))"))
    again = engine.lint_paths(["."], settings, jobs=1, cache=True)
    train = next(r for r in again.files if r.path.endswith("train.py"))
    assert not train.cached and [f.code for f in again.findings] == []


# --- notebooks ------------------------------------------------------------------------------------------------

def _notebook(cells: list[str]) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                       "cells": [{"cell_type": "code", "source": c, "metadata": {}, "outputs": [],
                                  "execution_count": None} for c in cells]})


STACK_CELLS = ["from keras.models import Sequential\nfrom keras.layers import LSTM\n",
               "model = Sequential()\nmodel.add(LSTM(8, input_shape=(10, 1)))\nmodel.add(LSTM(4))\n"]


@pytest.mark.parametrize("bad", ["x = 1\u00a0+ 2\n", "model.fit(X, y)  <1>\n"], ids=["nbsp", "callout"])
def test_a_notebook_cell_that_does_not_parse_is_one_rnn000(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "nb.ipynb"
    path.write_text(_notebook([STACK_CELLS[0], bad, STACK_CELLS[1]]), encoding="utf-8")
    run = lint_paths([str(path)], STATIC, jobs=1)
    assert [(f.code, f.cell, f.span.line) for f in run.findings] == [("RNN000", 2, 1), ("RNN001", 3, 2)]
    assert "this cell is not analysed" in run.findings[0].message


def test_a_notebook_whose_only_problem_is_a_bad_cell(tmp_path: Path) -> None:
    path = tmp_path / "nb.ipynb"
    fixed = STACK_CELLS[1].replace("(10, 1))", "(10, 1), return_sequences=True)")
    path.write_text(_notebook([STACK_CELLS[0], "print(1\n", fixed]), encoding="utf-8")
    run = lint_paths([str(path)], STATIC, jobs=1)
    assert [(f.code, f.cell) for f in run.findings] == [("RNN000", 2)]


@pytest.mark.parametrize("train_name", ["a_train.py", "z_train.py"], ids=["importer-first", "module-first"])
def test_a_module_both_analysed_and_imported_is_parsed_once(tmp_path: Path, monkeypatch, train_name: str) -> None:
    """models/lstm.py is analysed (it names a recurrent layer) and imported by the training script: one parse of
    it in the run, whichever comes first, and the same findings as when each analysis parses for itself."""
    from rnnlint.analyze import limits, module, project

    for name, text in PROJECT.items():
        (tmp_path / (train_name if name == "train.py" else name)).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / (train_name if name == "train.py" else name)).write_text(text)
    parsed: list[str] = []

    def counting(text: str):
        parsed.append(text)
        return limits.preflight(text)

    monkeypatch.setattr(project, "preflight", counting)
    monkeypatch.setattr(module, "preflight", counting)
    shared = lint_paths([str(tmp_path)], Settings(confirm=False, use_cache=False), jobs=1)
    assert sorted(parsed) == sorted(t for t in PROJECT.values() if t)  # each once (the package's empty __init__
    # is not imported by `from models.lstm import …`)
    monkeypatch.setattr(project.ModuleLoader, "tree_for", lambda self, path, text: limits.preflight(text))
    alone = lint_paths([str(tmp_path)], Settings(confirm=False, use_cache=False), jobs=1)
    assert [(f.path, f.code, f.span) for f in shared.findings] == [(f.path, f.code, f.span) for f in alone.findings]
    assert {(Path(f.path).name, f.code) for f in shared.findings} == {("lstm.py", "RNN001")}


def test_a_worker_keeps_only_the_latest_analysed_trees(tmp_path: Path, monkeypatch) -> None:
    """A tree costs ~30 times its text: of the files a loader analyses, only the latest MAX_ANALYSED_KEPT stay for
    a later importer (a worker analysing 500 files held them all: 276 MB for 1,000); an imported one stays."""
    from rnnlint.analyze import limits, project

    parsed: list[str] = []

    def counting(text: str):
        parsed.append(text)
        return limits.preflight(text)

    monkeypatch.setattr(project, "preflight", counting)
    loader = project.ModuleLoader()
    texts = {f"m{i}.py": f"X = {i}\n" for i in range(project.MAX_ANALYSED_KEPT + 5)}
    for name, text in texts.items():
        (tmp_path / name).write_text(text)
        loader.tree_for(str(tmp_path / name), text)
    assert len(parsed) == len(texts)
    latest, oldest = f"m{len(texts) - 1}.py", "m0.py"
    assert loader.load(str(tmp_path / latest)) is not None and len(parsed) == len(texts)  # kept: no new parse
    assert loader.load(str(tmp_path / oldest)) is not None and len(parsed) == len(texts) + 1  # dropped: read again
    for i in range(project.MAX_ANALYSED_KEPT + 1):  # more files analysed: the imported ones are not dropped
        loader.tree_for(str(tmp_path / f"n{i}.py"), f"Y = {i}\n")
    before = len(parsed)
    loader.load(str(tmp_path / latest))
    loader.load(str(tmp_path / oldest))
    assert len(parsed) == before


@pytest.mark.parametrize("spelled", ["plain", "symlink"])
def test_a_module_that_imports_the_file_being_analysed_does_not_run_it_again(tmp_path: Path, spelled: str) -> None:
    """train.py imports helpers.py, which imports train.py back (for a constant): the analysis of train.py does not
    evaluate train.py a second time as a module — also when helpers.py reaches it through a symlink (the same
    file, another path) — so its model is one model, found once, in train.py."""
    from rnnlint.analyze import analyze_source
    from rnnlint.analyze.project import ModuleLoader

    train = (
        "import keras\nimport numpy as np\nimport helpers\n"
        "STEPS = 7\n"
        "model = keras.Sequential([keras.Input(shape=(STEPS, 1)), keras.layers.LSTM(4), keras.layers.LSTM(2)])\n"
        "model.fit(np.zeros((8, STEPS, 1)), np.zeros((8, 2)), batch_size=4)\n")
    (tmp_path / "train.py").write_text(train)
    if spelled == "symlink":
        (tmp_path / "shared").mkdir()
        (tmp_path / "shared" / "trainer.py").symlink_to(tmp_path / "train.py")
        (tmp_path / "helpers.py").write_text("import sys\nsys.path.insert(0, 'shared')\nfrom shared.trainer import STEPS\n")
    else:
        (tmp_path / "helpers.py").write_text("from train import STEPS\nWINDOW = STEPS * 2\n")
    ir = analyze_source(train, path=str(tmp_path / "train.py"), loader=ModuleLoader())
    assert len(ir.models) == 1
    assert all(node.layer.span.path is None for node in ir.models[0].nodes)
    assert str(tmp_path / "helpers.py") in {str(Path(d).resolve()) for d in ir.dependencies}
    assert not any(Path(d).resolve() == (tmp_path / "train.py").resolve() for d in ir.dependencies)
