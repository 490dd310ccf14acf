"""The warm-run index (rnnlint.runindex): an unchanged tree is answered without reading its files, and a change
re-decides exactly what it can change — the file itself, the files that import it, the files the prefilter
skipped."""
from __future__ import annotations

from pathlib import Path

import pytest

import rnnlint.engine as engine
import rnnlint.parallel as parallel
from conftest import BUILDER_MODULE, TRAIN_WITH_BUILDER, write
from rnnlint import runindex
from rnnlint.cachedir import sign
from rnnlint.settings import Settings

SETTINGS = Settings(confirm=False)

PLAIN = "def helper():\n    return 1\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    write(tmp_path, "builder.py", BUILDER_MODULE)
    write(tmp_path, "train.py", TRAIN_WITH_BUILDER)
    write(tmp_path, "util.py", PLAIN)
    write(tmp_path, "uses_util.py", "from util import helper\nhelper().fit(1)\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run() -> dict[str, tuple]:
    result = engine.lint_paths(["."], SETTINGS, cache=True)
    return {Path(r.path).name: (r.skipped, tuple((f.code, f.span.line) for f in r.findings)) for r in result.files}


def reads(monkeypatch) -> list[str]:
    """The files the run reads from now on."""
    seen: list[str] = []
    real = parallel.read_bytes

    def counting(path):
        seen.append(Path(path).name)
        return real(path)

    monkeypatch.setattr(parallel, "read_bytes", counting)
    return seen


def touch(path: Path, text: str) -> None:
    path.write_text(text)
    stat = path.stat()  # a new mtime even on a coarse clock
    import os

    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def test_an_unchanged_tree_is_answered_without_reading_it(project, monkeypatch):
    cold = run()
    assert cold["train.py"] == (False, (("RNN004", 6),))  # 12 time steps for a model built with 10
    assert cold["util.py"][0] and cold["uses_util.py"][0]  # skipped by the prefilter
    seen = reads(monkeypatch)
    assert run() == cold
    assert seen == ["train.py"]  # only for the excerpt of its finding; nothing else is read


def test_a_changed_builder_invalidates_the_script_that_imports_it(project):
    assert run()["train.py"][1] == (("RNN004", 6),)
    touch(project / "builder.py", BUILDER_MODULE)  # same text, new mtime: answered again, by content
    assert run()["train.py"][1] == (("RNN004", 6),)
    touch(project / "builder.py", BUILDER_MODULE.replace("def build(steps):", "def build(steps):\n    steps = 12"))
    assert run()["train.py"] == (False, ())  # train.py did not change; what it imports did


def test_a_skipped_file_is_decided_again_when_the_tree_changes(project):
    assert run()["uses_util.py"][0] is True
    touch(project / "util.py", "from keras.layers import LSTM\n\n\ndef helper():\n    return LSTM(4)\n")
    assert run()["uses_util.py"][0] is False  # it imports a module that names a recurrent layer now


def test_a_corrupt_or_foreign_index_is_an_empty_one(project):
    cold = run()
    [index] = (project / ".rnnlint_cache" / "results").glob("index-*.json")
    for bad in ("", "{not json", '{"format": "rnnlint-index/1", "files": {"train.py": [1]}}',
                '{"format": "rnnlint-index/0", "files": {}}', '[1, 2]'):
        index.write_text(sign(bad) or "")  # signed with the user's own key: the checks behind the MAC still hold
        assert runindex.load(index) == {}
        assert run() == cold


def test_a_file_the_index_knows_clean_needs_no_cache_entry(project, monkeypatch):
    write(project, "clean.py", BUILDER_MODULE.replace("LSTM(8)", "LSTM(8, return_sequences=False)"))
    cold = run()
    assert cold["clean.py"] == (False, ())
    import rnnlint.resultcache as resultcache

    real = resultcache.ResultCache.get_indexed
    read: list[str] = []

    def get_indexed(self, key, path, content):
        read.append(Path(path).name)
        return real(self, key, path, content)

    monkeypatch.setattr(resultcache.ResultCache, "get_indexed", get_indexed)
    assert run() == cold
    assert read == ["train.py"]  # the one file with a finding; clean.py and builder.py need no entry


def test_a_notebook_with_findings_is_shown_again_without_reading_it(project, monkeypatch):
    """A notebook's cache entry holds its program (the code cells as linted, where each cell sits): the warm run
    shows the same findings with the same excerpts without reading the notebook's JSON or parsing its cells."""
    from rnnlint.report import text as text_report
    from rnnlint.sources import notebook

    examples = Path(__file__).resolve().parent.parent / "examples"
    write(project, "stacked.ipynb", (examples / "stacked_lstm.ipynb").read_text())
    cold = engine.lint_paths(["."], SETTINGS, cache=True)
    assert any(f.cell for f in cold.findings)  # the notebook has findings, placed in its cells
    seen = reads(monkeypatch)
    monkeypatch.setattr(notebook, "load", lambda data: pytest.fail("the notebook was parsed again"))
    warm = engine.lint_paths(["."], SETTINGS, cache=True)
    assert "stacked.ipynb" not in seen
    assert text_report.render(warm, color=False) == text_report.render(cold, color=False)
    shown = [(r.path, r.source, r.cells) for r in cold.files if r.findings]
    assert [(r.path, r.source, r.cells) for r in warm.files if r.findings] == shown
    assert any(cells for _, _, cells in shown)


TRAINER = """\
from keras.layers import LSTM  # trains the LSTM forecaster (named in code: analysed)


def train(model, generator):
    model.fit_generator(generator, steps_per_epoch=2)
"""
RUN_TRAINER = """\
from keras.layers import LSTM, Dense, Input
from keras.models import Sequential
from trainer import train

train(Sequential([Input(shape=(10, 1)), LSTM(8), Dense(1)]), None)
"""


def test_a_finding_another_file_located_in_a_module_keeps_its_excerpt_when_warm(tmp_path, monkeypatch):
    """trainer.py has no finding of its own (the index answers it unread); run.py's analysis finds the removed
    fit_generator in it. The warm run must show that finding as the cold run does: with its source excerpt."""
    from rnnlint.report import text as text_report

    write(tmp_path, "trainer.py", TRAINER)
    write(tmp_path, "run.py", RUN_TRAINER)
    monkeypatch.chdir(tmp_path)
    cold = engine.lint_paths(["."], SETTINGS, cache=True)
    assert [(Path(f.path).name, f.code, f.span.line) for f in cold.findings] == [("trainer.py", "RNN010", 5)]
    warm = engine.lint_paths(["."], SETTINGS, cache=True)
    assert all(r.cached for r in warm.files)  # both analysed, both answered from the cache
    rendered = text_report.render(warm, color=False)
    assert "model.fit_generator(generator" in rendered
    assert rendered == text_report.render(cold, color=False)


def test_old_indexes_are_pruned_when_one_is_written(project):
    import os

    results = project / ".rnnlint_cache" / "results"
    results.mkdir(parents=True)
    for number in range(20):  # indexes of other lists of paths, long unused
        (results / f"index-old{number:02d}.json").write_text("{}")
        os.utime(results / f"index-old{number:02d}.json", ns=(0, number))
    run()
    left = sorted(p.name for p in results.glob("index-*.json"))
    assert len(left) == runindex.KEPT and "index-old00.json" not in left and "index-old19.json" in left
