"""Jupyter notebooks: reading (rnnlint.sources.notebook), positions mapped back to cells, and the CLI on examples/."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import run_cli, write
from rnnlint.engine import lint_file
from rnnlint.sources.notebook import NotebookError, join, load, neutralise, read_notebook, split_lines
from rnnlint.settings import Settings
from rnnlint.sources import Source, SourceError, read_source

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "stacked_lstm.ipynb"


def code(source: str | list[str], outputs: list | None = None) -> dict:
    return {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": outputs or [],
            "source": source}


def markdown(source: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def notebook(*cells: dict, **extra) -> str:
    return json.dumps({"cells": list(cells), "metadata": {}, "nbformat": 4, "nbformat_minor": 5, **extra})


MODEL = ["from keras.models import Sequential\n", "from keras.layers import LSTM, Dense\n",
         "model = Sequential()\n", "model.add(LSTM(256, input_shape=(10, 1)))\n", "model.add(LSTM(256))\n",
         "model.add(Dense(1))"]


# --- neutralising IPython syntax ----------------------------------------------------------------------------

@pytest.mark.parametrize(("cell", "linted"), [
    ("%matplotlib inline\nimport keras", "pass\nimport keras"),
    ("!pip install keras\nx = 1", "pass\nx = 1"),
    ("files = !ls\nx = 1", "pass\nx = 1"),
    ("t = %time f()\nx = 1", "pass\nx = 1"),
    ("model.fit?\nx = 1", "pass\nx = 1"),
    ("??LSTM\nx = 1", "pass\nx = 1"),
    ("for i in range(2):\n    !echo $i\n", "for i in range(2):\n    pass"),
    ("%%timeit\nx = 1\ny = 2", "\n\n"),
    ("%%time\nx = 1\n!ls", "\nx = 1\npass"),
    ("%%capture out\nmodel.fit(X, y)", "\nmodel.fit(X, y)"),
    ("%%time", ""),
    ("%%", ""),
    ("%%bash\nls -l\n", "\n"),
    ("s = '''\n%d items\n'''", "s = '''\n%d items\n'''"),  # parses: left alone
    ("x = 1  # really?\n!ls", "x = 1  # really?\npass"),
])
def test_neutralise_keeps_lines(cell: str, linted: str) -> None:
    lines = split_lines(cell)
    out = neutralise(lines)
    assert len(out) == len(lines)
    assert "\n".join(out) == linted


def test_split_lines_only_on_python_line_breaks() -> None:
    assert split_lines("a\r\nb\rc\nd\x0ce\n") == ["a", "b", "c", "d\x0ce"]
    assert split_lines("") == [""]


# --- reading ------------------------------------------------------------------------------------------------

def test_code_cells_joined_markdown_skipped(tmp_path) -> None:
    path = write(tmp_path, "nb.ipynb", notebook(
        markdown("# title\nmodel = broken("), code(["import keras\n", "x = 1"]), code(""),
        {"cell_type": "raw", "metadata": {}, "source": "!!!"}, code("%%bash\ny = 2\n"), code("z = 3\n")))
    source = read_source(str(path))
    assert isinstance(source, Source)
    assert source.text == "import keras\nx = 1\n\n\nz = 3\n"
    assert [(c.index, c.first_line, c.line_count) for c in source.cells] == [(2, 1, 2), (5, 3, 2), (6, 5, 1)]


def test_non_python_notebook_is_skipped(tmp_path) -> None:
    path = write(tmp_path, "r.ipynb", notebook(code("library(keras)\nx <- 1"),
                                              metadata={"kernelspec": {"language": "R", "name": "ir"}}))
    source = read_source(str(path))
    assert isinstance(source, Source) and source.text == "" and source.cells == ()


MALFORMED = [
    ("not-json", b"{ not json", "invalid JSON at line 1"),
    ("binary", b"\xff\xfe\x00", "not a notebook"),
    ("a-list", b"[1, 2]", "is a list, not an object"),
    ("no-nbformat", b'{"cells": []}', "'nbformat' is missing"),
    ("nbformat-3", b'{"nbformat": 3, "worksheets": []}', "nbformat 3 notebooks are not supported"),
    ("nbformat-5", b'{"nbformat": 5, "cells": []}', "'nbformat' is 5"),
    ("cells-not-list", b'{"nbformat": 4, "cells": {}}', "'cells' is not a list"),
    ("cell-not-object", b'{"nbformat": 4, "cells": [3]}', "cell 1 is not an object"),
    ("bad-source", b'{"nbformat": 4, "cells": [{"cell_type": "code", "source": [1]}]}', "cell 1: 'source'"),
]


@pytest.mark.parametrize(("data", "reason"), [m[1:] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_notebook_is_a_source_error(tmp_path, data: bytes, reason: str) -> None:
    path = write(tmp_path, "bad.ipynb", data)
    result = read_source(str(path))
    assert isinstance(result, SourceError)
    assert reason in result.reason and "\n" not in result.reason
    with pytest.raises(NotebookError):
        load(data)


def test_malformed_notebook_is_one_rnn000(tmp_path) -> None:
    write(tmp_path, "bad.ipynb", b"{ not json, but keras LSTM")  # keras, LSTM: else the prefilter skips it
    run = run_cli("--no-confirm", "--format", "json", str(tmp_path))
    assert run.code == 1, run.err
    findings = json.loads(run.out)
    assert len(findings) == 1
    assert findings[0]["code"] == "RNN000" and findings[0]["name"] == "unreadable-file"
    assert "invalid JSON" in findings[0]["message"]


def test_join_of_no_cells_is_empty() -> None:
    assert join([]) == ("", ())


# --- positions back in cells --------------------------------------------------------------------------------

def test_finding_located_in_its_cell(tmp_path) -> None:
    path = write(tmp_path, "nb.ipynb", notebook(
        markdown("intro"), code(MODEL[:2]), code("!nvidia-smi"), markdown("the model"), code(MODEL[2:])))
    result = lint_file(str(path), Settings(confirm=False))
    [finding] = [f for f in result.findings if f.code == "RNN001"]
    assert finding.cell == 5
    assert (finding.span.line, finding.span.column) == (2, 11)  # model.add(LSTM(256, input_shape=...)) in cell 5
    assert "line 2" in finding.message and "line 5" not in finding.message
    assert finding.fix is not None and all(e.span.line == 2 for e in finding.fix.edits)


def test_syntax_error_located_in_its_cell(tmp_path) -> None:
    path = write(tmp_path, "nb.ipynb", notebook(code("from keras.layers import LSTM\ny = 2"), code("z = (\n")))
    [finding] = lint_file(str(path), Settings(confirm=False)).findings
    assert finding.code == "RNN000" and finding.name == "syntax-error"
    assert finding.cell == 2 and finding.span.line == 1


def test_read_notebook_api() -> None:
    source = read_notebook(str(EXAMPLE), EXAMPLE.read_bytes())
    assert source.cells and all(c.index > 1 for c in source.cells)


# --- the bundled example, as a user runs it -----------------------------------------------------------------

def test_example_notebook_layout() -> None:
    document = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    kinds = [c["cell_type"] for c in document["cells"]]
    assert "markdown" in kinds
    assert any(c.get("outputs") for c in document["cells"] if c["cell_type"] == "code")
    model_cell = document["cells"][4]
    assert "".join(model_cell["source"]).splitlines()[1] == "model.add(LSTM(256, input_shape=(10, 1)))"
    assert "model.fit" in "".join(document["cells"][6]["source"])


def test_example_notebook_cli_json() -> None:
    run = run_cli("--no-confirm", "--format", "json", "examples/stacked_lstm.ipynb", cwd=ROOT)
    assert run.code == 1, run.err
    findings = json.loads(run.out)
    assert [(f["code"], f["cell"], f["line"], f["column"]) for f in findings] == [("RNN001", 5, 2, 11)]
    assert findings[0]["path"] == "examples/stacked_lstm.ipynb"
    assert findings[0]["fix"]["edits"][0]["line"] == 2


def test_example_notebook_cli_text() -> None:
    run = run_cli("--no-confirm", "examples/stacked_lstm.ipynb", cwd=ROOT)
    assert run.code == 1, run.err
    assert "examples/stacked_lstm.ipynb:cell 5:2:11: RNN001" in run.out


def test_example_notebook_text_excerpt_is_the_cells_line() -> None:
    run = run_cli("--no-confirm", "examples/stacked_lstm.ipynb", cwd=ROOT)
    lines = run.out.splitlines()
    assert lines[1] == " 2 | model.add(LSTM(256, input_shape=(10, 1)))"
    assert lines[2] == "   |           " + "^" * 30


@pytest.mark.parametrize("fmt", ["github", "sarif", "junit"])
def test_example_notebook_cell_in_every_format(fmt: str) -> None:
    run = run_cli("--no-confirm", "--format", fmt, "examples/stacked_lstm.ipynb", cwd=ROOT)
    assert run.code == 1, run.err
    assert {"github": "cell 5, line 2, column 11: ", "sarif": '"cell": 5',
            "junit": "RNN001 missing-return-sequences at cell 5:2:11"}[fmt] in run.out
    if fmt == "junit":
        assert 'line="65"' in run.out  # the .ipynb line of cell 5's line 2 (see test_formats.NOTEBOOK_LINE)


# --- fixing: only the changed cells' source is rewritten ----------------------------------------------------

def test_fix_example_notebook_changes_only_the_model_cell() -> None:
    from rnnlint.fix.notebook import fix_notebook

    data = EXAMPLE.read_bytes()
    result = fix_notebook(str(EXAMPLE), data)
    assert result.error is None and result.fixed_count == 1
    old, new = json.loads(result.original), json.loads(result.text)
    assert result.original == data.decode("utf-8")
    assert old.keys() == new.keys() and old["metadata"] == new["metadata"]
    changed = [i for i, (a, b) in enumerate(zip(old["cells"], new["cells"])) if a != b]
    assert changed == [4]  # cell 5 only
    assert {k: v for k, v in old["cells"][4].items() if k != "source"} == {
        k: v for k, v in new["cells"][4].items() if k != "source"}
    assert new["cells"][4]["source"][1] == "model.add(LSTM(256, input_shape=(10, 1), return_sequences=True))\n"
    # byte for byte: everything before and after that one source line is untouched (outputs, key order, indent,
    # the trailing newline)
    from rnnlint.sources.notebook import source_spans

    start, end = source_spans(result.original)[5]
    raw, text = result.original, result.text
    assert text[:start] == raw[:start]
    assert text[len(text) - (len(raw) - end):] == raw[end:]
    assert text.endswith("}\n")


def test_fixed_example_notebook_lints_clean(tmp_path) -> None:
    from rnnlint.fix.notebook import fix_notebook

    path = write(tmp_path, "nb.ipynb", EXAMPLE.read_bytes())
    fixed = fix_notebook(str(path), path.read_bytes())
    path.write_text(fixed.text, encoding="utf-8")
    assert [f.code for f in lint_file(str(path), Settings(confirm=False)).findings] == []


def test_fix_keeps_magics_and_string_sources(tmp_path) -> None:
    from rnnlint.fix.notebook import fix_notebook

    model = "%%capture\n!pip install keras\n"  # a cell magic: the whole cell is blank while linting
    cell = ("%time x = 1\n" + "".join(MODEL[2:4]) + "!echo hi\n" + "".join(MODEL[4:]))
    raw = json.dumps({"cells": [code(MODEL[:2]), code(model), code(cell)], "metadata": {}, "nbformat": 4,
                      "nbformat_minor": 5}, indent=2) + "\n"
    result = fix_notebook("nb.ipynb", raw.encode())
    assert result.error is None and result.fixed_count == 1
    new = json.loads(result.text)
    assert new["cells"][1]["source"] == model
    assert isinstance(new["cells"][2]["source"], str)
    assert new["cells"][2]["source"] == cell.replace("input_shape=(10, 1))", "input_shape=(10, 1), return_sequences=True)")


def test_fix_compact_list_source_keeps_its_style() -> None:
    from rnnlint.fix.notebook import fix_notebook

    raw = json.dumps({"cells": [code(MODEL)], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    result = fix_notebook("nb.ipynb", raw.encode())
    assert result.error is None and result.fixed_count == 1
    assert '"model.add(LSTM(256, input_shape=(10, 1), return_sequences=True))\\n", "model.add(LSTM(256))\\n"' in result.text


def test_fix_nothing_to_fix_and_malformed() -> None:
    from rnnlint.fix.notebook import fix_notebook

    raw = notebook(code("import keras\nx = 1\n"))
    assert fix_notebook("nb.ipynb", raw.encode()).text == raw
    assert "cannot fix this notebook" in fix_notebook("nb.ipynb", b"{ nope").error


def test_source_spans_match_the_json() -> None:
    from rnnlint.sources.notebook import source_spans

    raw = EXAMPLE.read_text(encoding="utf-8")
    document = json.loads(raw)
    spans = source_spans(raw)
    assert sorted(spans) == list(range(1, len(document["cells"]) + 1))
    for position, (start, end) in spans.items():
        assert json.loads(raw[start:end]) == document["cells"][position - 1]["source"]


def test_cli_fix_example_notebook_keeps_outputs_byte_for_byte(tmp_path) -> None:
    path = write(tmp_path, "stacked_lstm.ipynb", EXAMPLE.read_bytes())
    run = run_cli("--fix", "--no-confirm", "--no-cache", "stacked_lstm.ipynb", cwd=tmp_path)
    assert run.code == 0, run.out + run.err
    assert "(1 fixed, 0 remaining)" in run.out
    before, after = EXAMPLE.read_text(encoding="utf-8"), path.read_text(encoding="utf-8")
    old, new = json.loads(before), json.loads(after)
    for a, b in zip(old["cells"], new["cells"]):
        assert json.dumps(a.get("outputs")) == json.dumps(b.get("outputs"))
        assert {k: v for k, v in a.items() if k != "source"} == {k: v for k, v in b.items() if k != "source"}
    assert [i for i, (a, b) in enumerate(zip(old["cells"], new["cells"])) if a != b] == [4]
    # every output cell's JSON text is unchanged, byte for byte
    for output in ('"output_type": "stream"', '"output_type": "error"', '"output_type": "execute_result"'):
        at = before.index(output)
        block = before[before.rindex("{", 0, at):before.index("}", at)]
        assert block in after
    assert run_cli("--no-confirm", "stacked_lstm.ipynb", cwd=tmp_path).code == 0


# --- robustness ---------------------------------------------------------------------------------------------

from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402

_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                     max_leaves=20)
_CELL = st.fixed_dictionaries({"cell_type": st.sampled_from(["code", "markdown", "raw", 3]),
                               "source": st.one_of(st.text(max_size=60), st.lists(st.text(max_size=20), max_size=5),
                                                   _JSON)})


@hsettings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=200), _JSON.map(lambda v: json.dumps(v).encode()),
                 st.lists(_CELL, max_size=4).map(lambda cells: json.dumps({"nbformat": 4, "cells": cells}).encode())))
def test_reader_never_raises_anything_but_notebook_error(data: bytes) -> None:
    try:
        document, cells = load(data)
    except NotebookError as exc:
        assert "\n" not in str(exc)
        return
    text, placed = join(cells)
    assert len(split_lines(text)) >= sum(c.line_count for c in placed) if text else not placed
    for cell, place in zip(cells, placed):
        assert place.line_count == len(split_lines(cell.text))


@hsettings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="%!?#x =()\t:'\"\\", max_size=12), min_size=1, max_size=6))
def test_neutralise_keeps_the_line_count(lines: list[str]) -> None:
    assert len(neutralise(lines)) == len(lines)


def test_stdin_notebook() -> None:
    run = run_cli("--no-confirm", "--format", "json", "--stdin-filename", "nb.ipynb", cwd=ROOT,
                  stdin=EXAMPLE.read_text(encoding="utf-8"))
    assert [(f["path"], f["cell"], f["line"]) for f in json.loads(run.out)] == [("nb.ipynb", 5, 2)]
    fixed = run_cli("--no-confirm", "--fix", "--stdin-filename", "nb.ipynb", cwd=ROOT,
                    stdin=EXAMPLE.read_text(encoding="utf-8"))
    assert fixed.code == 0, fixed.err
    assert "return_sequences=True" in json.loads(fixed.out)["cells"][4]["source"][1]


def test_fit_inside_a_time_cell_is_checked(tmp_path) -> None:
    fit = "%%time\nmodel.fit(np.zeros((8, 10, 1)), np.zeros((8, 1)))\n"
    path = write(tmp_path, "nb.ipynb", notebook(code(["import numpy as np\n"] + MODEL), code(fit)))
    found = [(f.code, f.cell, f.span.line) for f in lint_file(str(path), Settings(confirm=False)).findings]
    assert ("RNN006", 2, 2) in found


def test_json_lines_of_list_and_string_sources() -> None:
    from rnnlint.sources.notebook import json_lines

    raw = json.dumps({"cells": [code(["a = 1\n", "b = 2\n", "c = 3"]), markdown("x"), code("d = 4\ne = 5\n")],
                      "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1)
    lines = json_lines(raw)
    text = raw.splitlines()
    assert [text[n - 1].strip() for n in lines[1]] == ['"a = 1\\n",', '"b = 2\\n",', '"c = 3"']
    assert len(lines[3]) == 2 and '"source": "d = 4\\ne = 5\\n"' in text[lines[3][0] - 1]
    compact = json.dumps({"cells": [code(["a = 1\n", "b = 2"])], "nbformat": 4})
    assert json_lines(compact) == {1: [1, 1]}


# --- one parse for the whole notebook ---------------------------------------------------------------------------
# code_cells assumes that the cells without IPython lines parse alone, parses the joined program once, and keeps
# the assumption only when every statement lies within one cell; the result must be what making each cell alone
# (code_cell: parse, neutralise, blank) gives, and the tree the parse of the joined program.

_CELL_LINES = ["x = 1", "(", ")", "def f():", "    return 1", "@staticmethod", "if x:", "else:", "    y = 2", "\\",
               "'''", "%matplotlib inline", "!ls", "x?", "# c \\", "", "  ", "z = (1,", "2)", "print x", "\t"]


def _made_alone(sources: list[tuple[int, str]]) -> list:
    from rnnlint.sources.notebook import code_cell

    return [c for index, text in sources if (c := code_cell(index, text)) is not None]


def _check_one_parse(sources: list[tuple[int, str]]) -> None:
    import ast

    from rnnlint.sources.notebook import code_cells

    cells, tree = code_cells(sources)
    assert cells == _made_alone(sources)
    if tree is not None:
        text, _ = join(cells)
        assert ast.dump(tree, include_attributes=True) == ast.dump(ast.parse(text), include_attributes=True)


@hsettings(max_examples=int(os.environ.get("RNNLINT_NOTEBOOK_EXAMPLES", "400")), deadline=None)
@given(st.lists(st.lists(st.sampled_from(_CELL_LINES), max_size=4), min_size=1, max_size=4))
def test_one_parse_makes_the_cells_that_parsing_each_alone_makes(cells: list[list[str]]) -> None:
    _check_one_parse([(i, "\n".join(lines)) for i, lines in enumerate(cells, start=1)])


@pytest.mark.parametrize("cells", [
    ["import keras", "x = keras.layers.LSTM(3)"],  # aligned: one parse
    ["if x:\n    a = 1", "else:\n    a = 2"],  # a statement across two cells: each alone, as Jupyter runs them
    ["x = (1,", "2)"],
    ["@staticmethod", "def f():\n    pass"],
    ["x = 1 \\", "+ 2"],
    ["x = 1\n\\", "y = 2"],  # a cell ending in a continuation does not parse alone
    ["'''", "'''"],
    ["%matplotlib inline\nimport keras", "keras.layers.GRU(2)"],
])
def test_one_parse_on_cells_that_split_a_statement(cells: list[str]) -> None:
    _check_one_parse(list(enumerate(cells, start=1)))


def test_a_notebook_is_parsed_once(tmp_path, monkeypatch) -> None:
    """The reader hands its parse of the program to the analysis: one parse of the notebook in all."""
    import ast as ast_module

    from rnnlint.analyze import limits
    from rnnlint.sources import notebook as notebook_module

    path = write(tmp_path, "a.ipynb", notebook(code("from keras.models import Sequential\nfrom keras.layers import LSTM"),
                                               markdown("text"), code("m = Sequential([LSTM(4, input_shape=(3, 2)),"
                                                                      " LSTM(2)])")))
    parses: list[str] = []
    real_compile = compile

    def counting(source, *args, **kwargs):
        if isinstance(source, str) and args and args[2] & ast_module.PyCF_ONLY_AST:
            parses.append(source)
        return real_compile(source, *args, **kwargs)

    monkeypatch.setattr(notebook_module, "compile", counting, raising=False)
    monkeypatch.setattr(limits, "compile", counting, raising=False)
    monkeypatch.setattr(ast_module, "compile", counting, raising=False)
    result = lint_file(str(path), Settings(confirm=False, use_cache=False))
    assert [f.code for f in result.findings] == ["RNN001"]
    assert len(parses) == 1
