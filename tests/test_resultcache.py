"""The result cache (rnnlint.resultcache): hits skip the analysis, corrupt or foreign entries are misses and get
rewritten, --no-cache writes nothing, entries are private JSON data that round-trips findings exactly."""
from __future__ import annotations

import json
import os
import stat
import sys
import threading
import time
from pathlib import Path

import pytest

import rnnlint.engine as engine
import rnnlint.parallel as parallel
from conftest import STACKED_LSTM, run_cli, write
from rnnlint import resultcache
from rnnlint.cachedir import sign, verified
from rnnlint.resultcache import DEBUG_ENV, ResultCache, decode, encode
from rnnlint.settings import Settings
from test_parallel import EXAMPLES, make_tree

DEBUG = {DEBUG_ENV: "1"}
N = 18  # files of make_tree that mention keras (3 plain modules never reach the cache)


def events(err: str, kind: str) -> list[str]:
    prefix = f"rnnlint: result cache: {kind} "
    return sorted(line[len(prefix):] for line in err.splitlines() if line.startswith(prefix))


def served(err: str) -> list[str]:
    """The files a run took from the cache: through the run index (unchanged files, not read) or by content."""
    return sorted(events(err, "hit") + events(err, "index-hit"))


def entries(root: Path) -> list[Path]:
    """The cache entries (not the run index, rnnlint.runindex)."""
    return sorted(p for p in (root / ".rnnlint_cache" / "results").glob("*.json") if not p.name.startswith("index-"))


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return make_tree(tmp_path / "tree")


def lint(tree: Path, *args: str, env: dict | None = None):
    return run_cli("--no-confirm", "--format", "json", *args, ".", cwd=tree, env={**DEBUG, **(env or {})})


def test_second_run_is_served_from_the_cache(tree) -> None:
    cold = lint(tree)
    analysed = events(cold.err, "write")
    assert len(analysed) == N and events(cold.err, "hit") == []  # files without keras: never cached
    stamps = {p: p.stat().st_mtime_ns for p in entries(tree)}
    assert len(stamps) == N
    warm = lint(tree)
    assert (warm.code, warm.out) == (cold.code, cold.out)
    # an unchanged tree: every analysed file answered through the run index, without reading it
    assert events(warm.err, "index-hit") == analysed and events(warm.err, "write") == []
    assert events(warm.err, "hit") == [] and events(warm.err, "miss") == []
    assert {p: p.stat().st_mtime_ns for p in entries(tree)} == stamps  # nothing rewritten
    assert (tree / ".rnnlint_cache" / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f")


def test_warm_text_report_and_statistics_match_cold(tree) -> None:
    cold = run_cli("--no-confirm", "--statistics", ".", cwd=tree)
    warm = run_cli("--no-confirm", "--statistics", ".", cwd=tree)
    assert (warm.code, warm.out) == (cold.code, cold.out)  # source excerpts of cached files included


def test_editing_a_file_or_the_selection_misses(tree) -> None:
    lint(tree)
    path = tree / "pkg" / "buggy_0.py"
    path.write_text(path.read_text() + "\n# edited\n")
    again = lint(tree)
    assert events(again.err, "write") == ["pkg/buggy_0.py"]
    assert len(entries(tree)) == N  # the file's entry was overwritten, not joined by another
    other = lint(tree, "--select", "RNN001")
    assert len(events(other.err, "write")) == N and events(other.err, "hit") == []
    assert {o["code"] for o in json.loads(other.out)} <= {"RNN000", "RNN001"}


def test_per_file_ignores_are_part_of_the_key(tree) -> None:
    lint(tree)
    write(tree, "pyproject.toml", '[tool.rnnlint]\nper-file-ignores = {"pkg/buggy_1.py" = ["RNN001"]}\n')
    again = lint(tree)
    assert events(again.err, "write") == ["pkg/buggy_1.py"]
    assert not any(o["path"].endswith("buggy_1.py") for o in json.loads(again.out))


BAD_ENTRIES = [
    b"",
    b"{not json",
    b'{"format": "rnnlint-results/0"}',
    b"[1, 2, 3]",
    b"\xff\xfe garbage",
    json.dumps({"!": "os.system", "a": ["touch pwned"]}).encode(),
    b'{"py/object": "os.system", "__reduce__": ["os.system", ["touch pwned"]]}',
]


@pytest.mark.parametrize("bad", BAD_ENTRIES)
def test_a_corrupt_or_foreign_entry_is_ignored_and_rewritten(tree, bad) -> None:
    cold = lint(tree)
    for entry in entries(tree):
        entry.write_bytes(bad)
    for index in (tree / ".rnnlint_cache" / "results").glob("index-*.json"):
        index.unlink()  # without the run index every entry is read (with it, files it knows clean need none)
    again = lint(tree)
    assert (again.code, again.out) == (cold.code, cold.out) and "Traceback" not in again.err
    assert len(events(again.err, "write")) == N
    warm = lint(tree)
    assert len(served(warm.err)) == N
    assert not (tree / "pwned").exists()


def forged(entry: Path, mutate) -> None:
    """Mutate an entry and sign it again with the user's own key: the checks behind the signature still hold."""
    data = json.loads(verified(entry.read_text()))
    mutate(data)
    entry.write_text(sign(json.dumps(data)))


@pytest.mark.parametrize("mutate", [
    lambda d: d.update(content="0" * 64),  # another file's bytes
    lambda d: d.update(path="elsewhere.py"),
    lambda d: d["findings"][0]["a"].__setitem__(5, "not a span"),  # ill-typed: would crash a reporter
    lambda d: d["findings"][0]["a"].__setitem__(2, "fatal"),  # unknown severity
    lambda d: d["findings"][0].update({"!": "Model"}),  # wrong arity
    lambda d: d["findings"].append({"!": "Finding", "a": [1] * 99}),
    lambda d: d.update(findings={"!d": 3}),
])
def test_a_forged_entry_that_does_not_fit_is_a_miss(tmp_path, mutate) -> None:
    write(tmp_path, "model.py", STACKED_LSTM)
    cold = run_cli("--no-confirm", "--format", "json", "model.py", cwd=tmp_path)
    [entry] = entries(tmp_path)
    forged(entry, mutate)
    again = run_cli("--no-confirm", "--format", "json", "model.py", cwd=tmp_path, env=DEBUG)
    assert (again.code, again.out) == (cold.code, cold.out), again.err
    assert events(again.err, "miss") == ["model.py"]


def test_no_cache_writes_nothing(tree) -> None:
    run = lint(tree, "--no-cache")
    assert run.code == 1 and not (tree / ".rnnlint_cache").exists()
    assert events(run.err, "write") == []
    lint(tree)  # now warm…
    stamps = {p: p.stat().st_mtime_ns for p in entries(tree)}
    again = lint(tree, "--no-cache")  # …and --no-cache does not read it either
    assert events(again.err, "hit") == [] and {p: p.stat().st_mtime_ns for p in entries(tree)} == stamps


def test_what_the_analysis_read_is_hashed_only_for_the_cache(tmp_path) -> None:
    """A result's dependencies — (module, sha256) of what its analysis read — are what a cached result is checked
    against; a run without the cache does not read and hash them again."""
    import hashlib

    module = write(tmp_path, "models.py", "from keras.layers import LSTM\n\ndef block(units):\n    return LSTM(units)\n")
    script = write(tmp_path, "train.py", "from keras.models import Sequential\nfrom models import block\n\n"
                   "model = Sequential([block(8)])\n")
    cached = engine.lint_file(str(script), Settings(confirm=False, use_cache=True))
    uncached = engine.lint_file(str(script), Settings(confirm=False, use_cache=False))
    assert [(os.path.basename(path), digest) for path, digest in cached.dependencies] == [
        ("models.py", hashlib.sha256(module.read_bytes()).hexdigest())]
    assert uncached.dependencies == ()
    assert uncached.findings == cached.findings


def test_show_models_does_not_use_the_cache(tree) -> None:
    cold = run_cli("--show-models", "--format", "json", ".", cwd=tree)
    lint(tree)
    warm = run_cli("--show-models", "--format", "json", ".", cwd=tree)
    assert warm.out == cold.out and json.loads(warm.out)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_entries_are_private_json_and_no_temporary_file_is_left(tree) -> None:
    lint(tree)
    for entry in entries(tree):
        assert stat.S_IMODE(entry.stat().st_mode) & 0o077 == 0
        assert json.loads(verified(entry.read_text()))["format"] == resultcache.FORMAT
    assert not list((tree / ".rnnlint_cache").glob("**/.tmp-*"))


def test_a_read_only_cache_folder_costs_only_speed(tree) -> None:
    cache = tree / ".rnnlint_cache"
    cache.mkdir()
    cache.chmod(0o500)
    try:
        run = lint(tree)
        assert run.code == 1 and "Traceback" not in run.err
    finally:
        cache.chmod(0o700)


def test_concurrent_runs_do_not_corrupt_the_cache(tree) -> None:
    expected = lint(tree, "--no-cache").out
    outs: list = []
    threads = [threading.Thread(target=lambda: outs.append(lint(tree, "-j", "2"))) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.out for r in outs] == [expected] * 3
    warm = lint(tree)
    assert warm.out == expected and len(served(warm.err)) == N


def test_pool_workers_write_the_entries(tree, monkeypatch) -> None:
    monkeypatch.setattr(parallel, "MIN_POOL_FILES", 2)
    monkeypatch.setattr(parallel, "MIN_POOL_BYTES", 0)
    monkeypatch.chdir(tree)
    settings = Settings(confirm=False)
    cold = engine.lint_paths(["."], settings, jobs=2, cache=True)
    assert not any(r.cached for r in cold.files) and len(entries(tree)) == N
    warm = engine.lint_paths(["."], settings, jobs=2, cache=True)
    assert sum(r.cached for r in warm.files) == N
    assert [r.findings for r in warm.files] == [r.findings for r in cold.files]
    assert all(r.ir is None for r in warm.files if r.cached)


def test_engine_failures_are_not_cached(tmp_path, monkeypatch) -> None:
    write(tmp_path, "model.py", STACKED_LSTM)
    monkeypatch.chdir(tmp_path)

    def boom(text):
        raise RuntimeError("analyzer bug")

    monkeypatch.setattr(engine, "analyze_source", boom)
    result = engine.lint_paths(["."], Settings(confirm=False), cache=True)
    assert result.internal_error and entries(tmp_path) == []


def test_findings_round_trip_exactly() -> None:
    """Evidence (the model the checker builds), fixes, notebook cells, Unknown, floats: decode(encode(x)) == x."""
    count = 0
    for example in sorted(EXAMPLES.iterdir()):
        if example.suffix in (".py", ".ipynb"):
            result = engine.lint_file(str(example), Settings(confirm=False))
            for finding in result.findings:
                again = decode(json.loads(json.dumps(encode(finding))))
                assert again == finding and repr(again) == repr(finding)
                count += finding.evidence is not None
    assert count >= 3
    for value in ((1, [2.5, float("inf")], {"a": (None, True)}), float("-inf"), "\udcff lone surrogate"):
        assert repr(decode(json.loads(json.dumps(encode(value))))) == repr(value)
    with pytest.raises(resultcache.Unencodable):
        encode(b"bytes")


def test_the_key_covers_the_code_fingerprint(tmp_path) -> None:
    settings = Settings()
    a = ResultCache(tmp_path, "one").key("m.py", settings)
    assert a != ResultCache(tmp_path, "two").key("m.py", settings)
    assert a != ResultCache(tmp_path, "one").key("n.py", settings)
    assert a != ResultCache(tmp_path, "one").key("m.py", Settings(target_keras=2))
    assert a == ResultCache(tmp_path, "one").key("m.py", Settings(output_format="json"))  # no effect on findings


def test_temporary_files_of_killed_runs_are_swept(tree) -> None:
    lint(tree)
    results = tree / ".rnnlint_cache" / "results"
    old, fresh = results / ".tmp-killed.json", results / ".tmp-live.json"
    for path in (old, fresh):
        path.write_text('{"torn')
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    again = lint(tree)
    assert again.code == 1 and "Traceback" not in again.err
    assert not old.exists() and fresh.exists()  # a live run's temporary file is left alone
