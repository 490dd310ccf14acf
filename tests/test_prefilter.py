"""The prefilter (rnnlint.prefilter): files whose bytes never mention `keras` are skipped unread, and that is exact."""
from __future__ import annotations

import ast
import json
import os
import re
import unicodedata
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from conftest import STACKED_LSTM, write

from rnnlint import engine
from rnnlint.analyze import names
from rnnlint.prefilter import (_IMPORT, KEYWORD, _import_lines, _may_spell, code_of, may_hold_model,
                               names_recurrent, names_recurrent_in_code)
from rnnlint.rule import all_rules
from rnnlint.settings import Settings

NO_CONFIRM = Settings(confirm=False, use_cache=False)

CASES = [
    # (id, path, bytes, may hold a model)
    ("keras-import", "a.py", b"import keras\n", True),
    ("tf-keras", "a.py", b"import tensorflow as tf\nm = tf.keras.Sequential()\n", True),
    ("tf_keras", "a.py", b"import tf_keras\n", True),
    ("keras-in-a-comment", "a.py", b"# no keras here\nx = 1\n", True),  # cheap test: over-inclusion is fine
    ("plain", "a.py", b"x = 1\n", False),
    ("torch-lstm", "a.py", b"import torch.nn as nn\nlstm = nn.LSTM(8, 16)\n", False),
    ("tensorflow-only", "a.py", b"import tensorflow as tf\nx = tf.constant(1)\n", False),
    ("capitalised", "a.py", b"import Keras\n", False),  # module names are case-sensitive; so is the analyzer
    ("empty", "a.py", b"", False),
    ("binary", "a.py", b"\x89PNG\r\n\x1a\n\x00\x00", False),
    ("syntax-error", "a.py", b"def f(:\n", False),
    ("utf8-bom", "a.py", b"\xef\xbb\xbfimport keras\n", True),
    ("latin1-cookie", "a.py", b"# -*- coding: latin-1 -*-\ns = 'caf\xe9'\n", False),
    ("cp1252-cookie", "a.py", b"# coding=cp1252\ns = '\x80'\n", False),
    # UTF-7 can spell k as +AGs-: the bytes lack "keras", the text has it
    ("utf7-cookie", "a.py", b"# coding: utf-7\nimport +AGs-eras\n", True),
    ("utf7-cookie-line-2", "a.py", b"#!/usr/bin/env python\n# coding: utf-7\nimport +AGs-eras\n", True),
    ("utf7-cookie-no-keras", "a.py", b"# coding: utf-7\nx = 1\n", False),
    ("unknown-codec", "a.py", b"# coding: no-such-codec\nx = 1\n", False),
    ("notebook", "a.ipynb", b'{"cells": [{"source": "import keras"}]}', True),
    ("notebook-plain", "a.ipynb", b'{"cells": [{"source": "x = 1"}], "outputs": "\\u001b[0m"}', False),
    ("notebook-escaped-k", "a.ipynb", b'{"cells": [{"source": "import \\u006beras"}]}', True),
    ("notebook-escaped-upper-hex", "a.ipynb", b'{"cells": [{"source": "import k\\u0065ras"}]}', True),
    ("notebook-utf16", "A.IPYNB", "{}".encode("utf-16"), True),
    # NFKC: CPython normalises identifiers, so these spell the name keras
    ("utf8-fullwidth-k", "a.py", "import \uff4beras\n".encode(), True),
    ("utf8-non-ascii-plain", "a.py", "s = 'café'\n".encode(), False),
    ("latin1-feminine-ordinal", "a.py", b"# coding: latin-1\nimport ker\xaas\n", True),  # ª → a
    ("notebook-ansi-escape", "a.ipynb", b'{"outputs": "\\u001b[0m"}', False),
    ("notebook-escaped-ordinal", "a.ipynb", b'{"source": "import ker\\u00aas"}', True),
    ("notebook-escaped-math-k", "a.ipynb", b'{"source": "import \\ud835\\udc24eras"}', True),  # 𝐤
    ("notebook-escaped-e-acute", "a.ipynb", b'{"source": "s = \'caf\\u00e9\'"}', False),
    ("notebook-escape-not-json", "a.ipynb", b'{"source": "\\u00e9', False),
]


@pytest.mark.parametrize(("path", "data", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_may_hold_model(path: str, data: bytes, expected: bool) -> None:
    assert may_hold_model(path, data) is expected


def test_utf7_file_is_really_linted(tmp_path) -> None:
    data = b"# coding: utf-7\n" + STACKED_LSTM.replace("keras", "+AGs-eras").encode()
    path = write(tmp_path, "a.py", data)
    result = engine.lint_file(str(path), NO_CONFIRM)
    assert not result.skipped and "RNN001" in {f.code for f in result.findings}


# --- the claim the prefilter rests on ------------------------------------------------------------------------


def test_every_keras_name_contains_the_keyword() -> None:
    word = KEYWORD.decode()
    assert all(word in prefix for prefix in names._KERAS_PREFIXES)
    import sys

    from rnnlint.rule import rule_by_code

    removed = sys.modules[rule_by_code("RNN010").__module__].REMOVED_MODULES
    assert removed and all(word in module for module in removed)


def _rule_examples():
    for rule in all_rules():
        for i, example in enumerate(rule.INVALID, 1):
            yield pytest.param(example, id=f"{rule.code}-invalid-{i}")


@pytest.mark.parametrize("example", list(_rule_examples()))
def test_without_the_keyword_no_rule_fires(example) -> None:
    """Every rule's flagged examples, with `keras` respelled everywhere, give no finding from any rule."""
    assert KEYWORD.decode() in example.source
    respelled = example.source.replace("keras", "kerax")
    off_by_default = tuple(rule.code for rule in all_rules() if not rule.default_enabled)  # every rule, RNN100 too
    settings = Settings(confirm=False, use_cache=False, target_keras=example.target_keras, keras=example.keras(),
                        extend_select=off_by_default)
    flagged = engine.lint_source(example.source, "example.py", settings).findings
    assert flagged  # sanity: the original is flagged
    result = engine.lint_source(respelled, "example.py", settings)
    assert [f.code for f in result.findings if f.code != "RNN000"] == []


def test_fullwidth_keras_is_keras_for_python_the_analyzer_and_the_prefilter() -> None:
    """Python NFKC-normalises `ｋeras` to `keras` (so the import works); the analyzer, on CPython's ast, sees the
    same, and the prefilter must not skip such a file."""
    text = STACKED_LSTM.replace("keras", "\uff4beras")
    assert may_hold_model("a.py", text.encode())
    assert [f.code for f in engine.lint_source(text, "a.py", NO_CONFIRM).findings] == ["RNN001"]


# --- in the engine -------------------------------------------------------------------------------------------


def test_a_file_without_keras_is_not_parsed(tmp_path, monkeypatch) -> None:
    def parse(text):
        raise AssertionError("parsed a file the prefilter should skip")

    monkeypatch.setattr(engine, "analyze_source", parse)
    path = write(tmp_path, "broken.py", "def f(:\n    pass\n")  # a syntax error: silent, by design
    result = engine.lint_file(str(path), NO_CONFIRM)
    assert result.skipped and result.findings == () and result.source is None


def test_a_keras_file_is_linted(tmp_path) -> None:
    path = write(tmp_path, "stacked.py", STACKED_LSTM)
    result = engine.lint_file(str(path), NO_CONFIRM)
    assert not result.skipped and [f.code for f in result.findings] == ["RNN001"]


def test_a_keras_file_with_a_syntax_error_is_reported(tmp_path) -> None:
    path = write(tmp_path, "broken.py", "from keras.layers import LSTM\ndef f(:\n")
    [finding] = engine.lint_file(str(path), NO_CONFIRM).findings
    assert (finding.code, finding.name) == ("RNN000", "syntax-error")


DENSE_ONLY = ("import numpy as np\nimport keras\nmodel = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(1)])\n"
              "model.fit(np.zeros((10, 3)), np.zeros((10, 1)), batch_size=5)\n")


def test_a_keras_file_without_recurrent_layers_is_not_analysed(tmp_path) -> None:
    """Issue 19: rnnlint analyses what can hold or use a recurrent model; a Dense-only script is skipped."""
    path = write(tmp_path, "dense.py", DENSE_ONLY)
    assert engine.lint_file(str(path), NO_CONFIRM).skipped
    recurrent = DENSE_ONLY.replace("Dense(1)", "LSTM(1)").encode()
    assert not engine.lint_file(str(path), NO_CONFIRM, data=recurrent).skipped


def test_a_training_script_importing_a_recurrent_builder_is_analysed(tmp_path) -> None:
    """Issue 19: only models.py names a recurrent layer; train.py, which imports its builder, is analysed, and
    the mistake written in models.py is found through train.py's call (the builder alone has symbolic sizes)."""
    write(tmp_path, "models.py", "from keras.models import Sequential\nfrom keras.layers import LSTM, Dense\n\n\n"
                                 "def build(steps, features):\n    model = Sequential()\n"
                                 "    model.add(LSTM(32, input_shape=(steps, features)))\n"
                                 "    model.add(LSTM(16))\n    model.add(Dense(1))\n    return model\n")
    write(tmp_path, "train.py", "import numpy as np\nfrom models import build\n\n"
                                "model = build(10, 3)\nmodel.fit(np.zeros((8, 10, 3)), np.zeros((8, 1)), batch_size=4)\n")
    write(tmp_path, "plot.py", "import keras\nimport matplotlib\nkeras.utils.plot_model\n")  # keras, no model
    result = engine.lint_paths([str(tmp_path)], NO_CONFIRM)
    skipped = {os.path.basename(r.path): r.skipped for r in result.files}
    assert skipped == {"models.py": False, "plot.py": True, "train.py": False}
    assert [(os.path.basename(f.path), f.code, f.span.line) for f in result.findings] == [("models.py", "RNN001", 7)]


@pytest.mark.parametrize("first_cell", ["import numpy as np\nfrom models import build",
                                        "import numpy as np\nimport keras\nfrom models import build"])
def test_a_training_notebook_importing_a_recurrent_builder_is_analysed(tmp_path, first_cell: str) -> None:
    """Issue 19: a notebook's imports are read from its JSON source lines, as a module's are from its lines; the
    builder's mistake (symbolic sizes alone) is found through the notebook's call. Without the import it is
    skipped (it names no recurrent layer)."""
    write(tmp_path, "models.py", "from keras.models import Sequential\nfrom keras.layers import LSTM, Dense\n\n\n"
                                 "def build(steps, features):\n    model = Sequential()\n"
                                 "    model.add(LSTM(32, input_shape=(steps, features)))\n"
                                 "    model.add(LSTM(16))\n    model.add(Dense(1))\n    return model\n")
    calls = "model = build(10, 3)\nmodel.fit(np.zeros((8, 10, 3)), np.zeros((8, 1)), batch_size=4)\n"
    write(tmp_path, "train.ipynb", _notebook(("markdown", "Training"), ("code", first_cell), ("code", calls)))
    result = engine.lint_file(str(tmp_path / "train.ipynb"), NO_CONFIRM)
    assert not result.skipped
    assert [(os.path.basename(f.path), f.code, f.span.line) for f in result.foreign] == [("models.py", "RNN001", 7)]
    write(tmp_path, "train.ipynb", _notebook(("code", first_cell.replace("from models import build", "")),
                                             ("code", calls)))
    assert engine.lint_file(str(tmp_path / "train.ipynb"), NO_CONFIRM).skipped


# A project: a builder naming LSTM, modules that import it at one, two and three imports' distance (one of them
# with a star import), a module that imports nothing of it, and scripts (with and without `keras`) importing each.
_CHAIN = {
    "builder.py": "import keras\nfrom keras.layers import LSTM\n\n\ndef build():\n    return keras.Sequential([LSTM(4)])\n",
    "one.py": "from builder import build\n",
    "two.py": "from one import *\n",
    "three.py": "import two\n",
    "plain.py": "import os\n",
}


def _chain_project(tmp_path) -> list[str]:
    for name, text in _CHAIN.items():
        write(tmp_path, name, text)
    scripts = []
    for module in ("builder", "one", "two", "three", "plain"):
        for keras_too in (False, True):
            name = f"run_{module}{'_keras' if keras_too else ''}.py"
            header = "import keras\n" if keras_too else ""
            write(tmp_path, name, f"{header}import {module}\nmodel = {module}.make()\nmodel.fit(x, y)\n")
            scripts.append(str(tmp_path / name))
    return scripts


def test_the_import_search_reads_each_module_once_and_decides_the_same(tmp_path, monkeypatch) -> None:
    """Issue 19: a run's ImportMemo reads and checks each project module once, however many files import it,
    and decides what a search without it decides: a script is analysed when the builder is at most three imports
    away (through `from one import *` too)."""
    import builtins

    from rnnlint.analyze.project import ModuleLoader
    from rnnlint.prefilter import ImportMemo, should_analyse

    scripts = _chain_project(tmp_path)
    data = {path: open(path, "rb").read() for path in scripts}
    alone = {path: should_analyse(path, data[path], ModuleLoader()) for path in scripts}
    expected = {f"run_{m}{k}.py": m in ("builder", "one", "two") for m in ("builder", "one", "two", "three", "plain")
                for k in ("", "_keras")}
    assert {os.path.basename(p): v for p, v in alone.items()} == expected
    opened: list[str] = []
    real_open = builtins.open

    def counting_open(file, *args, **kwargs):
        opened.append(os.path.basename(str(file)))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    memo, loader = ImportMemo(), ModuleLoader()
    shared = {path: should_analyse(path, data[path], loader, memo=memo) for path in scripts}
    assert shared == alone
    assert sorted(opened) == sorted(_CHAIN)  # each module once (the builder too), for ten scripts


def test_an_unreadable_path_is_still_reported(tmp_path) -> None:
    folder = tmp_path / "dir.py"
    folder.mkdir()
    result = engine.lint_file(str(folder), NO_CONFIRM)
    assert not result.skipped and [f.name for f in result.findings] == ["unreadable-file"]


def test_notebook_without_keras_is_skipped_and_with_keras_linted(tmp_path) -> None:
    def nb(source: str) -> str:
        return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": source}]})

    plain = write(tmp_path, "plain.ipynb", nb("x = (\n"))
    stacked = write(tmp_path, "stacked.ipynb", nb(STACKED_LSTM))
    assert engine.lint_file(str(plain), NO_CONFIRM).skipped
    result = engine.lint_file(str(stacked), NO_CONFIRM)
    assert not result.skipped and [(f.code, f.cell) for f in result.findings] == [("RNN001", 1)]


def test_run_counts_skipped_files(tmp_path) -> None:
    write(tmp_path, "stacked.py", STACKED_LSTM)
    write(tmp_path, "util.py", "def f():\n    return 1\n")
    write(tmp_path, "broken.py", "def f(:\n")
    result = engine.lint_paths([str(tmp_path)], NO_CONFIRM)
    assert result.skipped == 2 and len(result.files) == 3
    assert [f.code for f in result.findings] == ["RNN001"]


def test_statistics_prints_the_table_only(tmp_path) -> None:
    from conftest import run_cli

    write(tmp_path, "stacked.py", STACKED_LSTM)
    write(tmp_path, "broken.py", "def f(:\n")  # no keras: skipped, its syntax error not reported
    r = run_cli("--no-confirm", "--statistics", ".", cwd=tmp_path)
    assert r.code == 1, r.err
    assert r.out == "1\tRNN001\t[*]\tmissing-return-sequences\n", r.err  # the table only (ruff), fixable marked
    j = run_cli("--no-confirm", "--statistics", "--format", "json", ".", cwd=tmp_path)
    assert json.loads(j.out) == [{"code": "RNN001", "name": "missing-return-sequences", "count": 1, "fixable": True}]


def test_a_clean_run_without_keras_imports_nothing_heavy(tmp_path) -> None:
    """With every file prefiltered, a run (confirmation on) imports neither libcst nor TensorFlow nor pygls."""
    import subprocess
    import sys

    write(tmp_path, "pkg/util.py", "def f(x):\n    return x + 1\n")
    write(tmp_path, "pkg/torch_model.py", "import torch.nn as nn\nlstm = nn.LSTM(8, 16)\n")
    code = ("import sys\nfrom rnnlint.launch import main\nstatus = main([sys.argv[1]])\n"
            "print(status, [m for m in ('libcst', 'tensorflow', 'keras', 'pygls', 'numpy') if m in sys.modules])")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "0 []"


def test_latin1_file_spelling_keras_with_an_ordinal_is_linted(tmp_path) -> None:
    """`kerªs` under a latin-1 cookie is the module keras for CPython (NFKC), hence for the analyzer."""
    data = b"# -*- coding: latin-1 -*-\n" + STACKED_LSTM.replace("keras", "ker\u00aas").encode("latin-1")
    path = write(tmp_path, "a.py", data)
    result = engine.lint_file(str(path), NO_CONFIRM)
    assert not result.skipped and "RNN001" in {f.code for f in result.findings}


# The shortcut for text that is not NFKC-normalised (`_may_spell`) must decide as a full normalisation does: pieces
# of the words in plain and compatibility forms (fullwidth, math bold and italic, ª, subscript t, Kelvin sign),
# combining marks that compose with the letter before them, precomposed letters, characters that decompose to
# ASCII that is no letter of the words (no-break space, ellipsis) and characters that never decompose to ASCII.
_PIECES = ["keras", "ker", "as", "k", "eras", "\uff4beras", "ker\u00aas", "\U0001d424eras", "kera\u0301s", "e\u0301",
           "\u00e9", "LSTM", "\uff2cSTM", "GR", "U", "RNN", "recurrent", "\u212a", "\u0323", "\uac00", "\U0001f600",
           "\u2460", "\ufb01", "\u00bd", "\u00a0", "\u2026", "\u209c", "recurren", "\U0001d44e", " ", "\n", "#"]


@settings(max_examples=int(os.environ.get("RNNLINT_PREFILTER_EXAMPLES", "400")), deadline=None)
@given(pieces=st.lists(st.sampled_from(_PIECES), max_size=8))
def test_the_normalisation_shortcut_decides_as_nfkc_does(pieces: list[str]) -> None:
    text = "".join(pieces)
    normalised = unicodedata.normalize("NFKC", text)
    for decide, words in ((may_hold_model, ("keras",)), (names_recurrent, ("LSTM", "GRU", "RNN", "recurrent"))):
        if any(w in text for w in words):  # the bytes say it: kept (even where a mark composes a letter away)
            assert decide("a.py", text.encode("utf-8"))
        else:  # only normalisation can spell it: kept exactly when it does
            assert decide("a.py", text.encode("utf-8")) is any(w in normalised for w in words)


# The same in bytes that are not all valid UTF-8 (read with replacement, as the engine reads them): the shortcut
# looks at the non-ASCII bytes alone, joined; orphan lead and continuation bytes around ASCII must not hide a letter.
_BYTE_PIECES = [p.encode("utf-8") for p in _PIECES] + [b"\xc3", b"\xa9", b"\xe2\x82", b"\xac", b"\xef\xbc",
                                                          b"\x8b", b"\xff", b"\xf0\x9d\x90", b"\xa4", b"a", b"s"]


@settings(max_examples=int(os.environ.get("RNNLINT_PREFILTER_EXAMPLES", "400")), deadline=None)
@given(pieces=st.lists(st.sampled_from(_BYTE_PIECES), max_size=8), notebook=st.booleans())
def test_the_shortcut_on_bytes_decides_as_decoding_and_nfkc_do(pieces: list[bytes], notebook: bool) -> None:
    data = b"".join(pieces)
    normalised = unicodedata.normalize("NFKC", data.decode("utf-8", "replace"))
    path = "a.ipynb" if notebook else "a.py"
    for decide, words in ((may_hold_model, ("keras",)), (names_recurrent, ("LSTM", "GRU", "RNN", "recurrent"))):
        if any(w.encode() in data for w in words):
            assert decide(path, data)
        else:
            assert decide(path, data) is any(w in normalised for w in words), (path, data)


# A notebook's JSON: string contents built from JSON-source pieces — escapes of the words' letters, of characters that
# NFKC turns into letters (ª, ｋ, 𝐤 as a surrogate pair, alone or split), of characters that spell nothing (an ANSI
# colour, `<`, a typographic quote), simple escapes, an escaped backslash before `u`, raw non-ASCII characters.
_JSON_PIECES = ["keras", "ker", "as", "k", "LSTM", "LS", "TM", "GR", "U", "RNN", "R", "N", "recurrent", "recur", "rent",
                "\\u006b", "\\u006B", "\\u0065", "\\u004c", "\\u0055", "\\u004e", "\\u0072", "\\u00aa", "\\uff4b",
                "\\uff2c", "\\ud835\\udc24", "\\ud835\\udc0b", "\\ud835", "\\udc24", "eras", "STM", "\\u001b",
                "\\u003c", "\\u2019", "\\u00e9", "\\u0301", "\\n", "\\\"", "\\\\", "\\\\u006b", "\u00aa", "\uff4b",
                "\u00e9", " ", "#"]


@settings(max_examples=int(os.environ.get("RNNLINT_PREFILTER_EXAMPLES", "400")), deadline=None)
@given(pieces=st.lists(st.sampled_from(_JSON_PIECES), max_size=8))
def test_a_notebooks_escapes_decide_as_decoding_the_json_does(pieces: list[str]) -> None:
    """The notebook's JSON is decoded only when an escape may spell a letter; the answer is always that of decoding
    it first (what the prefilter did for any escape before): the decoded text, NFKC-normalised where a character
    could spell a letter (`_may_spell`; a combining mark that composes a letter away keeps it, as for a module)."""
    data = json.dumps({"cells": [{"cell_type": "code", "source": "PLACEHOLDER"}]}).replace(
        "PLACEHOLDER", "".join(pieces)).encode("utf-8")
    decoded = json.dumps(json.loads(data), ensure_ascii=False)
    for decide, words in ((may_hold_model, ("keras",)), (names_recurrent, ("LSTM", "GRU", "RNN", "recurrent"))):
        text = unicodedata.normalize("NFKC", decoded) if _may_spell(decoded, words) else decoded
        assert decide("a.ipynb", data) is (any(w.encode() in data for w in words) or any(w in text for w in words))


@pytest.mark.parametrize("data", [
    b"import a\nfrom .b import c, d\n  import e.f as g\nx = 'import h'\nfrom . import (i, j)\nimport importlib, k\n",
    b"#import x\nfrom\timport_me import y\nimportx = 1\n\rimport z\r\nimport w",
    b"",
])
def test_import_lines_are_those_a_multiline_search_finds(data: bytes) -> None:
    anchored = re.compile(b"^" + _IMPORT.pattern, re.MULTILINE)
    assert [m.groups() for m in _import_lines(data)] == [m.groups() for m in anchored.finditer(data)]


def _notebook(*cells: tuple[str, object], outputs: str = "") -> bytes:
    made = [{"cell_type": kind, "source": source, "metadata": {},
             **({"outputs": [{"output_type": "stream", "name": "stdout", "text": outputs}], "execution_count": None}
                if kind == "code" else {})} for kind, source in cells]
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": made}).encode()


CODE_CASES = [
    # (id, path, bytes, its code names Keras and a recurrent layer)
    ("in-code", "a.py", b"from keras.layers import LSTM\n", True),
    ("attribute", "a.py", b"import keras\nx = keras.layers.GRU(4)\n", True),
    ("comment-only", "a.py", b"import keras  # an LSTM comes later\nx = keras.layers.Dense(4)\n", False),
    ("docstring-only", "a.py", b'"""Why not an LSTM?"""\nimport keras\n', False),
    ("string-only", "a.py", b"import keras\nname = 'SimpleRNN'\n", False),
    ("bytes-string", "a.py", b"import keras\nname = rb'GRU'\n", False),
    ("escaped-quote", "a.py", b"import keras\nname = 'it\\'s an LSTM'\n", False),
    ("hash-in-string", "a.py", b"import keras\ns = '#'; y = keras.layers.LSTM(3)\n", True),
    ("quote-in-comment", "a.py", b"import keras  # it's\ny = keras.layers.LSTM(3)\n", True),
    ("triple-quoted-then-code", "a.py", b"import keras\n'''x\n'''\nLSTM = 1\n", True),
    ("f-string-braces", "a.py", b"import keras\nprint(f'{keras.layers.LSTM}')\n", True),
    ("f-string-upper", "a.py", b"import keras\nprint(F'''{keras.layers.LSTM}''')\n", True),
    # Python 3.12 (PEP 701): strings in an f-string's own quotes inside its braces; the rest of the text is kept
    ("f-string-nested-quotes", "a.py", b'import keras\nprint(f"{d["k"]}{keras.layers.LSTM}")\n', True),
    ("f-string-escaped-braces", "a.py", b"import keras\nx = f'{{LSTM}}'\ny = 'GRU'\n", True),  # kept: f-string
    ("keras-only-in-comment", "a.py", b"# keras\nimport torch\nlstm = torch.nn.LSTM(3, 4)\n", False),
    ("cookie-latin1", "a.py", b"# coding: latin-1\nimport keras\nx = 'caf\xe9'  # LSTM\n", False),
    ("cookie-latin1-code", "a.py", b"# coding: latin-1\nimport keras\nx = 'caf\xe9'; keras.layers.LSTM\n", True),
    ("fullwidth-in-code", "a.py", "import keras\nkeras.layers.\uff2cSTM\n".encode(), True),
    ("fullwidth-in-comment", "a.py", "import keras  # \uff2cSTM\n".encode(), False),
    ("undecodable", "a.py", b"import keras\nLSTM\n\xff\n", True),  # the reader's diagnostic is the analysis's
    ("notebook-code", "a.ipynb", _notebook(("code", "from keras.layers import LSTM")), True),
    ("notebook-markdown", "a.ipynb", _notebook(("markdown", "an LSTM"), ("code", "import keras")), False),
    ("notebook-output", "a.ipynb", _notebook(("code", "import keras"), outputs="GRU"), False),
    ("notebook-comment", "a.ipynb", _notebook(("code", "import keras\n# an RNN later")), False),
    ("notebook-magic-cell", "a.ipynb", _notebook(("code", "import keras\n!echo '# LSTM")), True),
    ("notebook-list-source", "a.ipynb", _notebook(("code", ["import keras\n", "keras.layers.GRU"])), True),
    ("notebook-not-json", "a.ipynb", b'{"cells": [LSTM keras', True),
    ("stdin-notebook", "-", _notebook(("code", "from keras.layers import LSTM")), True),
    ("stdin-notebook-markdown", "-", _notebook(("markdown", "LSTM"), ("code", "import keras")), False),
    ("stdin-python", "-", b"from keras.layers import LSTM\n", True),
    ("stdin-python-dict", "-", b"{'keras': 'LSTM'}\n", True),  # not JSON: not told here, analysed
    ("notebook-bad-source", "a.ipynb", b'{"cells": [{"cell_type": "code", "source": 3}], "x": "keras LSTM"}', True),
]


@pytest.mark.parametrize(("path", "data", "expected"), [c[1:] for c in CODE_CASES], ids=[c[0] for c in CODE_CASES])
def test_names_recurrent_in_code(path: str, data: bytes, expected: bool) -> None:
    assert names_recurrent_in_code(path, data) is expected


def test_a_file_naming_lstm_only_in_its_prose_is_not_analysed(tmp_path) -> None:
    """Issue 19: the word in a docstring, a comment or a string is not a layer; the script that imports a module
    naming one only there is not analysed either."""
    prose = write(tmp_path, "prose.py", '"""An LSTM would fit here."""\nimport keras\nkeras.layers.Dense(3)\n')
    user = write(tmp_path, "user.py", "import numpy as np\nfrom prose import build\nbuild().fit(np.zeros((2, 3)))\n")
    code = write(tmp_path, "code.py", STACKED_LSTM)
    run = engine.lint_paths([str(prose), str(user), str(code)], NO_CONFIRM)
    assert {r.path for r in run.files if r.skipped} == {str(prose), str(user)}
    assert "RNN001" in {f.code for f in run.findings}
    prose.write_text("import keras\nkeras.layers.LSTM(3)\n", encoding="utf-8")  # now in code: both are analysed
    run = engine.lint_paths([str(prose), str(user), str(code)], NO_CONFIRM)
    assert not any(r.skipped for r in run.files)


def _identifiers(tree: ast.AST) -> list[str]:
    """Every identifier a parse finds (the words an analysis could resolve)."""
    out: list[str] = []
    for node in ast.walk(tree):
        for field in ("id", "attr", "arg", "name", "module"):
            value = getattr(node, field, None)
            if isinstance(value, str):
                out.extend(value.split("."))
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            out.extend(node.names)
    return out


_LEXEMES = ["LSTM", "x", "f", "rb", "'", '"', "'''", '"""', "#", "\\", "\n", " ", "=", "(", ")", "{", "}", ",", "1",
            "{LSTM}", "f'", 'F"', "rf'''"]


@settings(max_examples=int(os.environ.get("RNNLINT_PREFILTER_EXAMPLES", "400")), deadline=None)
@given(pieces=st.lists(st.sampled_from(_LEXEMES), max_size=14))
def test_code_of_keeps_every_identifier_a_parse_finds(pieces: list[str]) -> None:
    text = "".join(pieces)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences
            tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return  # not Python: the analysis would only report it
    words = re.findall(r"\w+", code_of(text))
    for identifier in _identifiers(tree):
        assert identifier in words, (text, code_of(text))
    assert code_of(text.encode()) == code_of(text).encode()


def test_code_of_keeps_every_identifier_of_rnnlints_own_sources() -> None:
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    checked = 0
    for folder in ("rnnlint", "rules", "tests", "examples"):
        for base, _, files in os.walk(os.path.join(root, folder)):
            for name in files:
                if name.endswith(".py"):
                    with open(os.path.join(base, name), encoding="utf-8") as handle:
                        text = handle.read()
                    words = set(re.findall(r"\w+", code_of(text)))
                    assert set(_identifiers(ast.parse(text))) <= words, name
                    checked += 1
    assert checked > 100


@pytest.mark.parametrize("data", [
    _notebook(("code", ["import numpy as np\n", "from models import build, train\n", "x = 'import y'\n"]),
              ("markdown", "import z"), ("code", "import a\nfrom .b import (c, d)\n  import e")),
    _notebook(("code", "print('import keras')"), outputs="import  spaced\\nimport x"),
    b'{"cells": []}',
])
def test_notebook_import_lines_are_those_a_search_of_the_json_finds(data: bytes) -> None:
    from rnnlint.prefilter import _NOTEBOOK_IMPORT

    assert [m.groups() for m in _import_lines(data, notebook=True)] == \
        [m.groups() for m in _NOTEBOOK_IMPORT.finditer(data)]
    assert _import_lines(data, notebook=True) or data == b'{"cells": []}'


@settings(max_examples=400, deadline=None)
@given(data=st.lists(st.sampled_from([b"keras", b"ker", b"as", b"LSTM", b"LST", b"GRU", b"RNN", b"RN", b"\\", b"u",
                                      b"\\u", b".fit", b".fi", b"t", b"recurrent", b"_on_batch", b"x", b"\n", b"\xc3\xa9"]),
                     max_size=40).map(b"".join))
def test_the_fast_literal_search_answers_as_in_does(data: bytes) -> None:
    from rnnlint.prefilter import _SEARCHES, _USES_A_MODEL, RECURRENT_MARKERS, _contains

    assert set(_SEARCHES) == {b"keras", b"LSTM", b"GRU", b"RNN", b"\\u", b".fit"}  # the short words
    for word in (KEYWORD, *RECURRENT_MARKERS, b"\\u", *_USES_A_MODEL):
        assert _contains(data, word) is (word in data), word
