"""The language server, driven by a real LSP client (pytest-lsp) over stdio: `python -m rnnlint --lsp`.

Plus unit tests of the pure conversions in `rnnlint.lsp_convert` (positions, edits, noqa, notebooks).
"""
from __future__ import annotations

import asyncio
import sys
import textwrap

import pytest

import pygls  # noqa: E402,F401 - the test extra installs these: a missing one is a failure, not a skip
import pytest_lsp  # noqa: E402

from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402

from rnnlint import lsp_convert as conv  # noqa: E402
from rnnlint.engine import lint_source  # noqa: E402
from rnnlint.fix import apply_edits  # noqa: E402
from rnnlint.patterns import model_pattern  # noqa: E402
from rnnlint.findings import Edit  # noqa: E402
from rnnlint.ir import Span  # noqa: E402
from rnnlint.settings import Settings  # noqa: E402

BUGGY = textwrap.dedent("""\
    from keras.models import Sequential
    from keras.layers import LSTM, Dense
    model = Sequential()
    model.add(LSTM(256, input_shape=(10, 1)))
    model.add(LSTM(256))
    model.add(Dense(1))
""")
FIXED = BUGGY.replace("LSTM(256, input_shape=(10, 1))", "LSTM(256, input_shape=(10, 1), return_sequences=True)")
URI = "file:///tmp/rnnlint-lsp-test/model.py"
TIMEOUT = 20.0
STATIC = Settings(confirm=False)


def _record_publications(client: LanguageClient) -> None:
    """Keep every publishDiagnostics the server sends, per URI, in `client.published` (pytest-lsp's own
    `client.diagnostics` keeps only the latest list, without its version). Tests read this state instead of
    waiting for the *next* notification: the server may publish several URIs within a millisecond, and a
    notification that arrives before the wait is armed would be lost."""
    features = client.protocol.fm.features
    original = features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]
    client.published = {}

    def record(params: types.PublishDiagnosticsParams):
        client.published.setdefault(params.uri, []).append(params)
        return original(params)

    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "rnnlint", "--lsp"]))
async def client(lsp_client: LanguageClient):
    _record_publications(lsp_client)
    params = types.InitializeParams(
        capabilities=types.ClientCapabilities(),
        initialization_options={"confirm": False, "debounceMs": 20},
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


async def _diagnostics(client: LanguageClient, uri: str = URI, version: int | None = None,
                       after: int = 0) -> list[types.Diagnostic]:
    """The latest diagnostics published for `uri` (of `version`, when given; among the publications after the
    first `after` ones), waiting until there are such."""
    async def wait() -> list[types.Diagnostic]:
        while True:
            history = client.published.get(uri, [])[after:]
            matching = [p for p in history if version is None or p.version == version]
            if matching:
                return list(matching[-1].diagnostics)
            await asyncio.sleep(0.005)

    return await asyncio.wait_for(wait(), TIMEOUT)


def _open(client: LanguageClient, text: str, uri: str = URI) -> None:
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))


def _replace_all(client: LanguageClient, text: str, version: int, uri: str = URI) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


def _apply(text: str, edits: list[types.TextEdit]) -> str:
    """Apply LSP TextEdits (UTF-16 positions) to `text`, as an editor would."""
    lines = conv.split_lines(text)
    ours = []
    for edit in edits:
        start = conv.from_position(lines, edit.range.start)
        end = conv.from_position(lines, edit.range.end)
        ours.append(Edit(Span(start[0], start[1], end[0], end[1]), edit.new_text))
    applied = apply_edits(text, ours)
    assert applied is not None, "the server sent overlapping or out-of-range edits"
    return applied


def _codes(text: str) -> list[str]:
    return [f.code for f in lint_source(text, "model.py", STATIC).findings]


# ---------------------------------------------------------------------------------------------------------
# Over stdio

@pytest.mark.asyncio
async def test_diagnostics_appear_and_disappear_after_fix(client: LanguageClient):
    _open(client, BUGGY)
    diagnostics = await _diagnostics(client)
    assert [d.code for d in diagnostics] == ["RNN001"]
    diagnostic = diagnostics[0]
    assert diagnostic.range.start.line == 3
    assert diagnostic.range.start.character == 10
    assert diagnostic.source == "rnnlint"
    assert diagnostic.severity == types.DiagnosticSeverity.Error
    assert diagnostic.code_description.href == conv.rule_url("RNN001")
    assert diagnostic.code_description.href.endswith("/docs/rules/RNN001.md")

    _replace_all(client, FIXED, version=2)
    assert await _diagnostics(client, version=2) == []


@pytest.mark.asyncio
async def test_code_action_fix_yields_clean_document(client: LanguageClient):
    _open(client, BUGGY)
    diagnostics = await _diagnostics(client)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=URI), range=diagnostics[0].range,
        context=types.CodeActionContext(diagnostics=diagnostics)))
    titles = [a.title for a in actions]
    assert "Add return_sequences=True (RNN001)" in titles
    assert "Disable RNN001 for this line" in titles
    assert "Fix all rnnlint problems" in titles

    fix = next(a for a in actions if a.title.startswith("Add return_sequences"))
    assert fix.kind == types.CodeActionKind.QuickFix and fix.diagnostics
    fixed = _apply(BUGGY, fix.edit.changes[URI])
    assert fixed == FIXED
    assert _codes(fixed) == []

    fix_all = next(a for a in actions if a.title == "Fix all rnnlint problems")
    assert fix_all.kind == "source.fixAll.rnnlint"
    assert _codes(_apply(BUGGY, fix_all.edit.changes[URI])) == []

    disable = next(a for a in actions if a.title.startswith("Disable"))
    silenced = _apply(BUGGY, disable.edit.changes[URI])
    assert silenced.splitlines()[3] == "model.add(LSTM(256, input_shape=(10, 1)))  # noqa: RNN001"
    assert _codes(silenced) == []


@pytest.mark.asyncio
async def test_fix_all_only_kind_and_stacked_layers(client: LanguageClient):
    three = BUGGY.replace("model.add(LSTM(256))\n", "model.add(LSTM(256))\nmodel.add(LSTM(64))\n")
    _open(client, three)
    await _diagnostics(client)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=URI),
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
        context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll])))
    assert [a.title for a in actions] == ["Fix all rnnlint problems"]
    fixed = _apply(three, actions[0].edit.changes[URI])
    assert fixed.count("return_sequences=True") == 2  # fix all re-lints: the second LSTM's turn comes next
    assert _codes(fixed) == []


@pytest.mark.asyncio
async def test_hover_shows_shapes_and_pattern(client: LanguageClient):
    _open(client, BUGGY)
    await _diagnostics(client)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(line=3, character=12)))
    assert hover is not None
    text = hover.contents.value
    assert "LSTM" in text and "(None, 10, 1)" in text and "(None, 256)" in text

    _replace_all(client, FIXED, version=2)
    await _diagnostics(client, version=2)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(line=4, character=12)))
    assert "(None, 10, 256)" in hover.contents.value and "many-to-one" in hover.contents.value

    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(line=0, character=2)))
    assert nothing is None


@pytest.mark.asyncio
async def test_hover_prints_symbolic_sizes(client: LanguageClient):
    builder = textwrap.dedent("""\
        from keras.models import Sequential
        from keras.layers import LSTM, Dense
        def build_model(n_steps, n_features):
            model = Sequential()
            model.add(LSTM(64, input_shape=(n_steps, n_features), return_sequences=True))
            model.add(LSTM(32))
            return model
    """)
    _open(client, builder)
    assert await _diagnostics(client) == []
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(line=4, character=14)))
    assert hover is not None
    assert "(None, n_steps, n_features)" in hover.contents.value and "(None, n_steps, 64)" in hover.contents.value


@pytest.mark.asyncio
async def test_syntax_error_does_not_kill_the_server(client: LanguageClient):
    _open(client, BUGGY)
    await _diagnostics(client)
    _replace_all(client, BUGGY.replace("model.add(LSTM(256))", "model.add(LSTM(256"), version=2)
    diagnostics = await _diagnostics(client, version=2)
    assert [d.code for d in diagnostics] == ["RNN000"]
    assert "syntax" in diagnostics[0].message
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(line=3, character=12)))
    assert hover is None  # no IR while the file does not parse: no hover, no crash
    _replace_all(client, BUGGY, version=3)
    assert [d.code for d in await _diagnostics(client, version=3)] == ["RNN001"]


@pytest.mark.asyncio
async def test_debounce_publishes_only_the_latest_text(client: LanguageClient):
    _open(client, BUGGY)
    await _diagnostics(client)
    for version in range(2, 8):  # a burst of keystrokes, faster than the debounce
        _replace_all(client, FIXED if version % 2 else BUGGY, version=version)
    assert await _diagnostics(client, version=7) == []


@pytest.mark.asyncio
async def test_utf16_positions(client: LanguageClient):
    text = BUGGY.replace("model.add(LSTM(256, input_shape", "𝔪 = 1; model.add(LSTM(256, input_shape")
    _open(client, text)
    diagnostics = await _diagnostics(client)
    # "𝔪 = 1; " is 7 characters but 8 UTF-16 code units (𝔪 is outside the BMP)
    assert diagnostics[0].range.start == types.Position(line=3, character=18)
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=URI), range=diagnostics[0].range,
        context=types.CodeActionContext(diagnostics=diagnostics)))
    fix = next(a for a in actions if a.title.startswith("Add return_sequences"))
    assert _codes(_apply(text, fix.edit.changes[URI])) == []


@pytest.mark.asyncio
async def test_project_config_applies_per_file(client: LanguageClient, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.rnnlint]\nignore = ["RNN001"]\n')
    uri = (tmp_path / "model.py").as_uri()
    _open(client, BUGGY, uri=uri)
    assert await _diagnostics(client, uri=uri) == []


@pytest.mark.asyncio
async def test_notebook_cells(client: LanguageClient):
    nb = "file:///tmp/rnnlint-lsp-test/model.ipynb"
    cells = [
        "%matplotlib inline\nfrom keras.models import Sequential\nfrom keras.layers import LSTM, Dense\n",
        "model = Sequential()\nmodel.add(LSTM(256, input_shape=(10, 1)))\n",
        "model.add(LSTM(256))\nmodel.add(Dense(1))\n",
    ]
    uris = [f"vscode-notebook-cell:/tmp/rnnlint-lsp-test/model.ipynb#C{i}" for i in range(len(cells))]
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(
            uri=nb, notebook_type="jupyter-notebook", version=1,
            cells=[types.NotebookCell(kind=types.NotebookCellKind.Code, document=u) for u in uris]),
        cell_text_documents=[types.TextDocumentItem(uri=u, language_id="python", version=1, text=t)
                             for u, t in zip(uris, cells)]))
    diagnostics = await _diagnostics(client, uri=uris[1])
    assert [(d.code, d.range.start.line) for d in diagnostics] == [("RNN001", 1)]
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uris[1]), position=types.Position(line=1, character=12)))
    assert "(None, 256)" in hover.contents.value


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[sys.executable, "-m", "rnnlint", "--lsp"]))
async def confirming_client(lsp_client: LanguageClient):
    _record_publications(lsp_client)
    params = types.InitializeParams(
        capabilities=types.ClientCapabilities(),
        initialization_options={"confirm": True, "useCache": False, "debounceMs": 20},
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


@pytest.mark.asyncio
async def test_save_republishes_with_confirmation(confirming_client: LanguageClient):
    import keras  # noqa: F401 - confirmation needs the real Keras: missing is a failure
    client = confirming_client
    _open(client, BUGGY)
    first = await _diagnostics(client)
    assert first[0].data["confirmation"]["status"] == "unconfirmed"  # static: the checker has not run
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=URI)))
    # the static republish comes at once; the confirmed one when Keras has built the model (in the background)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(line=3, character=12)))
    assert hover is not None  # the editor is never blocked by the checker

    async def confirmed() -> types.Diagnostic:
        while True:
            diagnostics = await _diagnostics(client)
            if diagnostics and diagnostics[0].data["confirmation"]["detail"] != "not run":
                return diagnostics[0]
            await asyncio.sleep(0.05)

    diagnostic = await asyncio.wait_for(confirmed(), 180)
    assert diagnostic.data["confirmation"]["status"] == "confirmed"
    assert "[confirmed by Keras" in diagnostic.message and "ndim=3" in diagnostic.message


@pytest.mark.asyncio
async def test_shutdown_and_exit_are_clean(client: LanguageClient):
    # the fixture's own shutdown_session runs after this; here: the server answers shutdown with null
    _open(client, BUGGY)
    await _diagnostics(client)
    assert await client.shutdown_async(None) is None
    client.exit(None)
    await asyncio.wait_for(client._server.wait(), TIMEOUT)
    assert client._server.returncode == 0
    client.capabilities = None  # already shut down: the fixture must not do it again


# ---------------------------------------------------------------------------------------------------------
# Pure conversions

@pytest.mark.parametrize("line, index, encoding, units", [
    ("abc", 2, conv.UTF16, 2),
    ("é = 1", 1, conv.UTF16, 1),
    ("é = 1", 1, conv.UTF8, 2),
    ("𝔪x", 1, conv.UTF16, 2),
    ("𝔪x", 1, conv.UTF8, 4),
    ("𝔪x", 1, conv.UTF32, 1),
    ("ab", 4, conv.UTF16, 4),
], ids=["ascii", "latin-utf16", "latin-utf8", "astral-utf16", "astral-utf8", "astral-utf32", "past-end"])
def test_units_round_trip(line, index, encoding, units):
    assert conv.to_units(line, index, encoding) == units
    if index <= len(line):
        assert conv.from_units(line, units, encoding) == index


@pytest.mark.parametrize("line, expected", [
    ("x = LSTM(8)(x)", "x = LSTM(8)(x)  # noqa: RNN001"),
    ("x = LSTM(8)(x)   ", "x = LSTM(8)(x)  # noqa: RNN001"),
    ("x = LSTM(8)(x)  # noqa: RNN003", "x = LSTM(8)(x)  # noqa: RNN003, RNN001"),
    ("x = LSTM(8)(x)  # noqa: RNN003, RNN009  # why", "x = LSTM(8)(x)  # noqa: RNN003, RNN009, RNN001  # why"),
    ("x = LSTM(8)(x)  # the encoder", "x = LSTM(8)(x)  # the encoder  # noqa: RNN001"),
    ("s = '#'; x = LSTM(8)(x)", "s = '#'; x = LSTM(8)(x)  # noqa: RNN001"),
], ids=["plain", "trailing-space", "merge", "merge-before-comment", "other-comment", "hash-in-string"])
def test_noqa_edit(line, expected):
    edit = conv.noqa_edit(line + "\n", 1, "RNN001")
    assert apply_edits(line + "\n", [edit]) == expected + "\n"


@pytest.mark.parametrize("line", ["x = f(1)  # noqa", "x = f(1)  # noqa: RNN001", "x = f(1) + \\"],
                         ids=["bare-noqa", "already", "backslash"])
def test_noqa_edit_not_offered(line):
    assert conv.noqa_edit(line + "\n", 1, "RNN001") is None


def test_apply_edits_in_reverse_order():
    text = "ab\ncd\n"
    edits = [Edit(Span(1, 2, 1, 2), "X"), Edit(Span(2, 1, 2, 3), "YY"), Edit(Span(1, 1, 1, 1), "<")]
    assert apply_edits(text, edits) == "<aXb\nYY\n"


def test_whole_text_edit_is_minimal():
    edit = conv.whole_text_edit(BUGGY, FIXED)
    assert edit.range.start.line == 3 and edit.range.end.line == 4
    assert _apply(BUGGY, [edit]) == FIXED


@pytest.mark.parametrize("code, pattern", [
    ("model = Sequential([LSTM(8, input_shape=(10, 1)), Dense(1)])", "many-to-one"),
    ("model = Sequential([LSTM(8, input_shape=(10, 1), return_sequences=True), Dense(1)])", "many-to-many"),
    ("model = Sequential([RepeatVector(5, input_shape=(3,)), LSTM(8, return_sequences=True)])", "one-to-many"),
    ("model = Sequential([Dense(8, input_shape=(3,)), Dense(1)])", "one-to-one"),
    ("model = Sequential([Embedding(100, 8, input_shape=(20,)), LSTM(8), Dense(1)])", "many-to-one"),
], ids=["many-to-one", "many-to-many", "one-to-many", "one-to-one", "embedding-many-to-one"])
def test_model_pattern(code, pattern):
    source = "from keras.models import Sequential\nfrom keras.layers import LSTM, Dense, Embedding, RepeatVector\n" + code + "\n"
    result = lint_source(source, "m.py", STATIC)
    model = result.ir.models[0]
    assert model_pattern(model, result.shapes[model.id]) == pattern


def test_normal_runs_never_import_pygls(tmp_path):
    import subprocess

    clean = tmp_path / "clean.py"
    clean.write_text(FIXED)
    code = ("import sys; from rnnlint.launch import main; rc = main(['--no-confirm', sys.argv[1]]); "
            "print('pygls' in sys.modules, rc)")
    run = subprocess.run([sys.executable, "-c", code, str(clean)], capture_output=True, text=True, timeout=120)
    assert run.stdout.strip().splitlines()[-1] == "False 0", run.stdout + run.stderr


# ---------------------------------------------------------------------------------------------------------
# One program for the command line and the editor

# The notebook from issue 17: an IPython assignment from a shell command in one cell, and a `%%time` cell (run as
# Python by IPython) holding a stacked LSTM. The server used to blank the `%%time` cell and leave `files = !ls`
# as a syntax error; the command line lints both cells as Python.
ISSUE_NOTEBOOK_CELLS = [
    ("markdown", "# Stacked LSTM\n"),
    ("code", "files = !ls data/\nfrom keras.models import Sequential\nfrom keras.layers import LSTM, Dense\n"),
    ("code", "%%time\nmodel = Sequential()\nmodel.add(LSTM(32, input_shape=(10, 1)))\nmodel.add(LSTM(16))\n"
             "model.add(Dense(1))\n"),
]


def _write_notebook(path, cells) -> None:
    import json as _json

    path.write_text(_json.dumps({
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "cells": [{"cell_type": kind, "metadata": {}, "source": text, **(
            {"outputs": [], "execution_count": None} if kind == "code" else {})} for kind, text in cells],
    }))


def _open_notebook(client: LanguageClient, uri: str, cells) -> list[str]:
    uris = [f"{uri}#cell{i}" for i in range(len(cells))]
    kinds = {"code": types.NotebookCellKind.Code, "markdown": types.NotebookCellKind.Markup}
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(
            uri=uri, notebook_type="jupyter-notebook", version=1,
            cells=[types.NotebookCell(kind=kinds[kind], document=u) for (kind, _), u in zip(cells, uris)]),
        cell_text_documents=[types.TextDocumentItem(uri=u, language_id="python" if kind == "code" else "markdown",
                                                    version=1, text=text) for (kind, text), u in zip(cells, uris)]))
    return uris


def _cli_json(*args: str) -> list[dict]:
    import json as _json
    import subprocess

    run = subprocess.run([sys.executable, "-m", "rnnlint", "--no-confirm", "--no-cache", "--output-format", "json",
                          *args], capture_output=True, text=True, timeout=120)
    assert run.returncode in (0, 1), run.stderr
    return _json.loads(run.stdout)


@pytest.mark.asyncio
async def test_notebook_gives_the_cli_findings(client: LanguageClient, tmp_path):
    path = tmp_path / "stacked.ipynb"
    _write_notebook(path, ISSUE_NOTEBOOK_CELLS)
    uris = _open_notebook(client, path.as_uri(), ISSUE_NOTEBOOK_CELLS)
    cli = [(f["code"], f["cell"], f["line"], f["column"]) for f in _cli_json(str(path))]
    assert cli == [("RNN001", 3, 3, 11)]  # the first LSTM of the %%time cell (cell 3 counts the markdown cell)
    server = []
    for index, uri in enumerate(uris, start=1):
        if ISSUE_NOTEBOOK_CELLS[index - 1][0] == "code":
            for d in await _diagnostics(client, uri=uri):
                server.append((d.code, index, d.range.start.line + 1, d.range.start.character + 1))
    assert server == cli


@pytest.mark.asyncio
async def test_notebook_fix_all_is_the_cli_fix(client: LanguageClient, tmp_path):
    import json as _json
    import subprocess

    cells = ISSUE_NOTEBOOK_CELLS + [("code", "model.add(LSTM(8))  # a third layer: two fixes, one re-lint apart\n")]
    cells[2] = ("code", cells[2][1].replace("model.add(Dense(1))\n", ""))
    path = tmp_path / "three.ipynb"
    _write_notebook(path, cells)
    uris = _open_notebook(client, path.as_uri(), cells)
    await _diagnostics(client, uri=uris[2])
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uris[2]),
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
        context=types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.SourceFixAll])))
    assert [a.title for a in actions] == ["Fix all rnnlint problems"]
    changes = actions[0].edit.changes
    in_editor = {i + 1: _apply(text, changes[uris[i]]) if uris[i] in changes else text
                 for i, (kind, text) in enumerate(cells) if kind == "code"}
    run = subprocess.run([sys.executable, "-m", "rnnlint", "--no-confirm", "--no-cache", "--fix", str(path)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    on_disk = {i + 1: c["source"] for i, c in enumerate(_json.loads(path.read_text())["cells"])
               if c["cell_type"] == "code"}
    assert in_editor == on_disk
    assert in_editor[3].count("return_sequences=True") == 2 and in_editor[3].startswith("%%time\n")
    assert in_editor[2].startswith("files = !ls data/\n")  # the IPython line is kept as written


@pytest.mark.asyncio
async def test_hover_on_fit_shows_the_data_against_the_model(client: LanguageClient):
    text = FIXED + ("import numpy as np\nX = np.zeros((32, 10, 1))\ny = np.zeros((32, 1))\n"
                    "model.compile(loss='mse')\nmodel.fit(X, y, batch_size=8)\n")
    _open(client, text)
    assert await _diagnostics(client) == []
    line = text.splitlines().index("model.fit(X, y, batch_size=8)")
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=URI), position=types.Position(line=line, character=3)))
    assert hover is not None
    value = hover.contents.value
    assert value.splitlines()[0] == "**model.fit()** (rnnlint)"
    assert "x: `(32, 10, 1)`" in value and "model input: `(None, 10, 1)`" in value
    assert "y: `(32, 1)`" in value and "model output: `(None, 1)`" in value and "batch_size: `8`" in value


@pytest.mark.asyncio
async def test_broken_config_is_shown_to_the_user(client: LanguageClient, tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.rnnlint]\nselect = 5\n')
    uri = (tmp_path / "model.py").as_uri()
    _open(client, BUGGY, uri=uri)
    assert [d.code for d in await _diagnostics(client, uri=uri)] == ["RNN001"]  # linted with the defaults

    async def shown() -> types.ShowMessageParams:
        while not client.messages:
            await asyncio.sleep(0.005)
        return client.messages[0]

    message = await asyncio.wait_for(shown(), TIMEOUT)
    assert message.type == types.MessageType.Warning
    assert "configuration ignored" in message.message and "select" in message.message


def test_the_server_makes_full_collections_only_when_idle(monkeypatch) -> None:
    """The server's full collections traverse everything it holds (tens of ms with a large file open): they run
    IDLE_GC_SECONDS after a lint ends, and not while a lint is pending or running (SERVER_GC_THRESHOLDS keeps
    the collector from starting one itself)."""
    import gc

    from rnnlint import lsp

    monkeypatch.setattr(lsp, "IDLE_GC_SECONDS", 0.05)
    full: list[int] = []

    def seen(phase, info):
        if phase == "start" and info["generation"] == 2:
            full.append(1)

    async def scenario() -> tuple[int, int, int]:
        server = lsp.RnnlintServer()
        unit = lsp.Unit(key="file:///m.py", path="m.py", running=True)
        server.units[unit.key] = unit
        server._schedule_idle_collection()  # (as a lint that ended does)
        await asyncio.sleep(0.2)
        while_running = len(full)  # another lint is running: no full collection
        unit.running = False
        server._schedule_idle_collection()
        server._cancel_idle_collection()  # a lint started before the server was idle long enough
        await asyncio.sleep(0.2)
        cancelled = len(full)
        server._schedule_idle_collection()
        await asyncio.sleep(0.2)
        server.pool.shutdown()
        return while_running, cancelled, len(full)

    before = gc.get_threshold()
    gc.set_threshold(*lsp.SERVER_GC_THRESHOLDS)  # as the server runs: no full collection of the collector's own
    gc.callbacks.append(seen)
    try:
        assert asyncio.run(scenario()) == (0, 0, 1)
    finally:
        gc.callbacks.remove(seen)
        gc.set_threshold(*before)


def test_the_server_runs_with_its_collector_thresholds() -> None:
    """`rnnlint --lsp` serves with SERVER_GC_THRESHOLDS (in a process of its own: the setting is the process's)."""
    import subprocess

    from rnnlint import lsp

    script = ("import gc\nfrom rnnlint import lsp\n"
              "class Serving:\n    def start_io(self):\n        print(gc.get_threshold())\n"
              "print(gc.get_threshold())\nlsp.create_server = Serving\nlsp.start()\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    before, serving = proc.stdout.splitlines()
    assert serving == str(lsp.SERVER_GC_THRESHOLDS) != before
