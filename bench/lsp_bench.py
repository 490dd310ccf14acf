"""Language-server latency: time from didChange to the matching publishDiagnostics.

    python bench/lsp_bench.py [--edits 20] [--lines 2000] [--debounce-ms 0]

Starts `python -m rnnlint --lsp` as an editor would (stdio, a pygls client), opens each document — a generated
2,000-line file with 100 models, and every file in examples/ (.py as text documents, .ipynb through notebook
sync) — then makes `--edits` incremental edits (adding and removing a comment line at the end, so the findings
stay the same) and reports the median and max latency per document. With the default `--debounce-ms 0` this
measures the static analysis itself; editors see that plus the server's debounce (150 ms by default, which
`--debounce-ms 150` includes). Confirmation is off: it only runs on save, in the background.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import textwrap
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

ROOT = Path(__file__).resolve().parents[1]

BLOCK = textwrap.dedent("""\
    def build_{i}(units={u}, steps={t}):
        model = Sequential()
        model.add(LSTM(units, input_shape=(steps, 3), return_sequences=True))
        model.add(Dropout(0.2))
        model.add(GRU(units // 2))
        model.add(Dense(1))
        model.compile(loss="mse", optimizer="adam")
        return model


    inputs_{i} = Input(shape=({t}, 3))
    x_{i} = Bidirectional(LSTM({u}, return_sequences=True))(inputs_{i})
    x_{i} = LSTM({u})(x_{i})
    x_{i} = Dense(8, activation="relu")(x_{i})
    outputs_{i} = Dense(1)(x_{i})
    model_{i} = Model(inputs_{i}, outputs_{i})
    model_{i}.compile(loss="mse", optimizer="adam")
    model_{i}.add = None
    X_{i} = np.zeros((64, {t}, 3))


""")


def big_file(lines: int) -> str:
    head = ("import numpy as np\nfrom keras.models import Sequential, Model\n"
            "from keras.layers import LSTM, GRU, Dense, Dropout, Input, Bidirectional\n\n\n")
    out, i = [head], 0
    while sum(chunk.count("\n") for chunk in out) < lines:
        out.append(BLOCK.format(i=i, u=32 + i % 5 * 16, t=10 + i % 7))
        i += 1
    text = "".join(out)
    return "\n".join(text.split("\n")[:lines]) + "\n"


class Bench:
    def __init__(self, client: LanguageClient) -> None:
        self.client = client
        self.waiters: dict[tuple[str, int | None], asyncio.Future] = {}
        self.arrived: dict[str, float] = {}

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            for key in ((params.uri, params.version), (params.uri, None)):
                future = self.waiters.pop(key, None)
                if future is not None and not future.done():
                    future.set_result((time.perf_counter(), len(params.diagnostics)))

    def expect(self, uri: str, version: int | None) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self.waiters[(uri, version)] = future
        return future


def _middle_edit(text: str, n: int) -> types.TextDocumentContentChangePartial | None:
    """A keystroke in the middle of the file: the feature count of the middle model's LSTM, 3 -> 4 and back."""
    lines = text.split("\n")
    candidates = [i for i, line in enumerate(lines) if "input_shape=(steps, " in line]
    if not candidates:
        return None
    i = candidates[len(candidates) // 2]
    at = lines[i].index("input_shape=(steps, ") + len("input_shape=(steps, ")
    return types.TextDocumentContentChangePartial(
        range=types.Range(start=types.Position(line=i, character=at), end=types.Position(line=i, character=at + 1)),
        text="4" if n % 2 == 0 else "3")


async def bench_text(bench: Bench, uri: str, text: str, edits: int, where: str = "end") -> tuple[list[float], int]:
    client = bench.client
    opened = bench.expect(uri, 1)
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
    _, count = await asyncio.wait_for(opened, 60)
    end_line = len(text.split("\n")) - 1  # the empty line after the final newline
    times = []
    for n in range(edits):
        version = n + 2
        middle = _middle_edit(text, n) if where == "middle" else None
        if middle is not None:
            change = middle
        elif n % 2 == 0:  # add a comment line at the end
            change = types.TextDocumentContentChangePartial(
                range=types.Range(start=types.Position(line=end_line, character=0),
                                  end=types.Position(line=end_line, character=0)), text=f"# edit {n}\n")
        else:  # …and remove it again
            change = types.TextDocumentContentChangePartial(
                range=types.Range(start=types.Position(line=end_line, character=0),
                                  end=types.Position(line=end_line + 1, character=0)), text="")
        done = bench.expect(uri, version)
        start = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[change]))
        arrived, _ = await asyncio.wait_for(done, 60)
        times.append((arrived - start) * 1000)
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    return times, count


async def bench_notebook(bench: Bench, uri: str, path: Path, edits: int) -> tuple[list[float], int]:
    client = bench.client
    cells = [c for c in json.loads(path.read_text())["cells"] if c.get("cell_type") == "code"]
    texts = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"] for c in cells]
    cell_uris = [f"vscode-notebook-cell:{path}#C{i}" for i in range(len(cells))]
    last = cell_uris[-1]
    opened = bench.expect(last, None)
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        notebook_document=types.NotebookDocument(
            uri=uri, notebook_type="jupyter-notebook", version=1,
            cells=[types.NotebookCell(kind=types.NotebookCellKind.Code, document=u) for u in cell_uris]),
        cell_text_documents=[types.TextDocumentItem(uri=u, language_id="python", version=1, text=t)
                             for u, t in zip(cell_uris, texts)]))
    await asyncio.wait_for(opened, 60)
    end_line = len(texts[-1].split("\n")) - 1
    end_char = len(texts[-1].split("\n")[-1])
    times = []
    for n in range(edits):
        version = n + 2
        at = types.Position(line=end_line, character=end_char)
        if n % 2 == 0:
            change = types.TextDocumentContentChangePartial(range=types.Range(start=at, end=at), text="  # e")
        else:
            change = types.TextDocumentContentChangePartial(
                range=types.Range(start=at, end=types.Position(line=end_line, character=end_char + 5)), text="")
        done = bench.expect(last, version)
        start = time.perf_counter()
        client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
            notebook_document=types.VersionedNotebookDocumentIdentifier(uri=uri, version=version),
            change=types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(
                text_content=[types.NotebookDocumentCellContentChanges(
                    document=types.VersionedTextDocumentIdentifier(uri=last, version=version),
                    changes=[change])]))))
        arrived, _ = await asyncio.wait_for(done, 60)
        times.append((arrived - start) * 1000)
    return times, -1


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--debounce-ms", type=float, default=0)
    parser.add_argument("--where", choices=("end", "middle"), default="end",
                        help="end: add and remove a comment line at the end; middle: change a digit in the middle "
                             "model (the generated file; the examples are edited at the end)")
    args = parser.parse_args(argv)

    client = LanguageClient("rnnlint-bench", "0")
    bench = Bench(client)
    await client.start_io(sys.executable, "-m", "rnnlint", "--lsp")
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(), root_uri=ROOT.as_uri(),
        initialization_options={"confirm": False, "debounceMs": args.debounce_ms}))
    client.initialized(types.InitializedParams())

    documents: list[tuple[str, str | Path, str]] = [
        (f"generated {args.lines}-line file", big_file(args.lines), "file:///bench/generated.py")]
    for path in sorted((ROOT / "examples").glob("*")):
        if path.suffix in (".py", ".ipynb"):
            documents.append((f"examples/{path.name}", path, path.as_uri()))

    print(f"didChange → publishDiagnostics, median of {args.edits} edits ({args.where}), server debounce "
          f"{args.debounce_ms:g} ms")
    print(f"{'document':44} {'lines':>6} {'findings':>8} {'median ms':>10} {'max ms':>8}")
    medians = []
    for label, content, uri in documents:
        if isinstance(content, Path) and content.suffix == ".ipynb":
            times, count = await bench_notebook(bench, uri, content, args.edits)
            lines = "cells"
        else:
            text = content.read_text() if isinstance(content, Path) else content
            times, count = await bench_text(bench, uri, text, args.edits, args.where)
            lines = str(text.count("\n"))
        median = statistics.median(times)
        medians.append(median)
        shown = "" if count < 0 else str(count)
        print(f"{label:44} {lines:>6} {shown:>8} {median:10.1f} {max(times):8.1f}")

    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
