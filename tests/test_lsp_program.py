"""The editor and the command line lint one program (issue 17): for any notebook, the program the language server
builds from its cell documents (`rnnlint.lsp.notebook_unit`) is the one the command line reads from the .ipynb
(`rnnlint.sources.read_text`), and the findings are the same, cell for cell.

Property-based (hypothesis): notebooks of code and markdown cells mixing Python that builds recurrent models,
IPython line and cell magics, shell assignments, help lines and cells that do not parse. The default profile runs a
few dozen notebooks; `RNNLINT_FUZZ_LONG=1` runs 2,000 (or RNNLINT_FUZZ_EXAMPLES).
"""
from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, given, settings, strategies as st

from rnnlint.engine import lint_file, lint_loaded
from rnnlint.lsp import notebook_unit
from rnnlint.settings import Settings
from rnnlint.sources import read_text

LONG = os.environ.get("RNNLINT_FUZZ_LONG") == "1"
PROFILE = settings(
    max_examples=int(os.environ.get("RNNLINT_FUZZ_EXAMPLES", "2000")) if LONG else 40,
    deadline=None, derandomize=not LONG, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
STATIC = Settings(confirm=False, use_cache=False, extend_select=("RNN100",))

PYTHON = [
    "from keras.models import Sequential",
    "from keras.layers import LSTM, GRU, Dense, Embedding",
    "import numpy as np",
    "model = Sequential()",
    "model.add(LSTM(32, input_shape=(10, 1)))",
    "model.add(LSTM(16))",
    "model.add(GRU(8, return_sequences=True))",
    "model.add(Dense(1))",
    "model.add(Embedding(100, 8, input_length=20))",
    "X = np.zeros((64, 10))",
    "y = np.zeros((64, 10, 1))",
    "model.compile(loss='mse', optimizer='adam')",
    "model.fit(X, y, epochs=1)",
    "for i in range(3):",
    "    model.add(LSTM(4))",
    "if True:",
    "    !nvidia-smi",
    "    pass",
    "print('100%!')  # a % and a ! inside a string",
    "x = 1  # noqa: RNN001",
    "",
    "# a comment",
]
IPYTHON = [
    "%matplotlib inline", "!pip install keras", "files = !ls data/", "t = %time model.summary()", "model.fit?",
    "??LSTM", "%load_ext autoreload",
]
BROKEN = ["def (", "model.add(LSTM(8", "    return 1", "x = = 2"]
CELL_MAGICS = ["%%time", "%%capture out", "%%bash", "%%writefile model.py", "%%timeit", "%%prun"]
NEWLINES = ["\n", "\r\n"]


@st.composite
def cells(draw) -> list[tuple[str, str]]:
    """(cell_type, source) of each cell of one notebook."""
    out = []
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.integers(0, 5)) == 0:
            out.append(("markdown", draw(st.sampled_from(["# Title", "Some *text*", ""]))))
            continue
        lines = draw(st.lists(st.sampled_from(PYTHON + IPYTHON + BROKEN), max_size=8))
        if draw(st.booleans()) and draw(st.booleans()):
            lines = [draw(st.sampled_from(CELL_MAGICS))] + lines
        newline = draw(st.sampled_from(NEWLINES))
        text = newline.join(lines) + (newline if draw(st.booleans()) else "")
        out.append(("code", text))
    return out


def _notebook(path, notebook_cells) -> bytes:
    document = {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "cells": [{"cell_type": kind, "metadata": {}, "source": text,
                   **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                  for kind, text in notebook_cells],
    }
    data = json.dumps(document).encode()
    path.write_bytes(data)
    return data


def _key(finding) -> tuple:
    return (finding.code, finding.cell, finding.span, finding.message, finding.severity, finding.fix)


@PROFILE
@given(notebook_cells=cells())
def test_the_server_lints_the_cli_program(tmp_path_factory, notebook_cells):
    path = tmp_path_factory.mktemp("nb") / "n.ipynb"
    data = _notebook(path, notebook_cells)
    cli_source = read_text(str(path), data)
    documents = [(index, f"cell-{index}", text) for index, (kind, text) in enumerate(notebook_cells, start=1)
                 if kind == "code"]
    server_source, cells_linted, parts = notebook_unit(str(path), documents)
    assert server_source == cli_source
    assert [p.cell for p in parts] == [index for index, _, _ in documents]
    cli = lint_file(str(path), STATIC, data=data)
    server = lint_loaded(server_source, STATIC, prefilter="\n".join(c.text for c in cells_linted))
    assert cli.skipped == server.skipped
    assert [_key(f) for f in server.findings] == [_key(f) for f in cli.findings]
    for finding in server.findings:  # every finding lands in a cell document the editor shows
        assert finding.cell in {p.cell for p in parts if p.first_line}


def test_the_issue_notebook_is_one_program(tmp_path):
    """The notebook of issue 17 in the pure form (the stdio form is in test_lsp.py): RNN001 from both."""
    path = tmp_path / "n.ipynb"
    notebook_cells = [("code", "files = !ls\nfrom keras.models import Sequential\nfrom keras.layers import LSTM\n"),
                      ("code", "%%time\nmodel = Sequential()\nmodel.add(LSTM(8, input_shape=(3, 1)))\nmodel.add(LSTM(4))\n")]
    data = _notebook(path, notebook_cells)
    server_source, linted, _ = notebook_unit(str(path), [(1, "a", notebook_cells[0][1]), (2, "b", notebook_cells[1][1])])
    server = lint_loaded(server_source, STATIC, prefilter="\n".join(c.text for c in linted))
    cli = lint_file(str(path), STATIC, data=data)
    assert [(f.code, f.cell, f.span.line) for f in server.findings] == [("RNN001", 2, 3)]
    assert [_key(f) for f in cli.findings] == [_key(f) for f in server.findings]
