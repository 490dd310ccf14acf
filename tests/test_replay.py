"""The replay of a warm run (rnnlint.replay): an unchanged tree gets the last report of the same command line
without the engine, and every change that can change the report makes it a miss — then the report is the one a
run without any cache gives. CLI subprocesses, as a user runs them."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from conftest import BUILDER_MODULE, TRAIN_WITH_BUILDER, Run, cli_env, finding, run_cli, write
from rnnlint import replay
from rnnlint.findings import Confirmation
from rnnlint.results import FileResult, RunResult
from rnnlint.settings import RESERVED_CODE

DEBUG = {replay.DEBUG_ENV: "1"}
STACKED = """\
from keras.models import Sequential
from keras.layers import LSTM, Dense, Input

model = Sequential([Input(shape=(10, 1)), LSTM(8), LSTM(8), Dense(1)])
"""


def make_project(root: Path) -> Path:
    """project/{.git/, .rnnlint_cache/, requirements.txt (-r base.txt), base.txt, src/builder.py, src/train.py, src/plain.py}:
    one RNN004 in src/train.py, judged against Keras 3 as base.txt declares."""
    (root / ".git").mkdir(parents=True)
    (root / ".rnnlint_cache").mkdir()  # as a first run leaves it (making it changes the folder: no record then)
    write(root, "requirements.txt", "-r base.txt\n")
    write(root, "base.txt", "keras>=3.0\n")
    write(root, "src/builder.py", BUILDER_MODULE)
    write(root, "src/train.py", TRAIN_WITH_BUILDER)
    write(root, "src/plain.py", "def helper():\n    return 1\n")
    return root


def change(path: Path, text: str | None) -> None:
    """Write `text` to `path` (None: delete it)."""
    if text is None:
        path.unlink()
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


# (name, what the run is given, the change: (relative path, new text or None), what the new report says)
CHANGES = [
    ("a linted file is edited", ["src"], ("src/train.py", TRAIN_WITH_BUILDER.replace("12", "10")), "All checks passed"),
    ("a file is added", ["src"], ("src/stacked.py", STACKED), "stacked.py"),
    ("a file is removed", ["src"], ("src/train.py", None), "All checks passed"),
    ("an imported module outside the paths", ["src/train.py"], ("src/builder.py", BUILDER_MODULE.replace("steps, 1", "12, 1")),
     "All checks passed"),
    ("a configuration file is added in the tree", ["src"], ("src/rnnlint.toml", 'ignore = ["RNN004"]\n'),
     "All checks passed"),
    ("a configuration above the paths", ["src"], ("pyproject.toml", '[tool.rnnlint]\nignore = ["RNN004"]\n'),
     "All checks passed"),
    ("a file a requirements file includes", ["src"], ("base.txt", "keras==2.15.0\n"), "judged against Keras 2"),
    ("a file a requirements file in the tree includes", ["."], ("base.txt", "keras==2.15.0\n"),
     "judged against Keras 2"),
    ("a requirements file above the paths is added", ["src"], ("requirements-dev.txt", "tf-keras\n"),
     "judged against Keras 2"),
    ("a .gitignore", ["src"], ("src/.gitignore", "train.py\n"), "All checks passed"),
]


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> dict[str, Path]:
    """One project per case, made at once and then left alone for the 2 s after which a run records its report
    (a file changed closer to a run's start may have been read in either state)."""
    base = tmp_path_factory.mktemp("replay")
    made = {name: make_project(base / f"case{i}") for i, name in enumerate(
        ["unchanged", "forged", "json", "imports", "pipe", *(case[0] for case in CHANGES)])}
    results = made["unchanged"] / ".rnnlint_cache" / "results"  # 40 records of other command lines, long unused
    results.mkdir()
    for number in range(40):
        (results / f"replay-old{number:02d}.marshal").write_text("{}")
        os.utime(results / f"replay-old{number:02d}.marshal", ns=(0, number))
    time.sleep(replay.RACY_NS / 1e9 + 0.1)
    return made


def lint(root: Path, *args: str, env: dict[str, str] | None = None):
    return run_cli("--no-confirm", *args, cwd=root, env={**DEBUG, **(env or {})})


def report(run) -> tuple[int, str, str]:
    """What the user sees: exit status, standard output, standard error without the replay's debug lines."""
    err = "".join(line for line in run.err.splitlines(keepends=True) if not line.startswith("rnnlint: replay:"))
    return run.code, run.out, err


def uncached(root: Path, *args: str) -> tuple[int, str, str]:
    return report(run_cli("--no-confirm", "--no-cache", *args, cwd=root))


def record_and_replay(root: Path, *args: str) -> tuple[int, str, str]:
    """Run twice: the first run writes the record, the second is its replay. Returns the report."""
    first = lint(root, *args)
    assert "rnnlint: replay: written" in first.err, first.err
    second = lint(root, *args)
    assert "rnnlint: replay: hit" in second.err, second.err
    assert report(second) == report(first)
    return report(second)


def test_an_unchanged_tree_gets_the_report_a_run_without_cache_gives(projects):
    root = projects["unchanged"]
    replayed = record_and_replay(root, "src")
    assert replayed == uncached(root, "src")
    assert replayed[0] == 1 and "RNN004" in replayed[1] and "judged against Keras 3" in replayed[1]
    assert "rnnlint: replay: hit" in lint(root, "src").err  # and again
    assert len(list((root / ".rnnlint_cache" / "results").glob("replay-*"))) == replay.KEPT  # the old pruned


def test_other_formats_and_streams_are_replayed_exactly(projects):
    root = projects["json"]
    replayed = record_and_replay(root, "src", "--format", "json", "--exit-zero")
    assert replayed == uncached(root, "src", "--format", "json", "--exit-zero")
    assert replayed[0] == 0 and '"RNN004"' in replayed[1]


@pytest.mark.parametrize("name, paths, edit, expected", CHANGES, ids=[case[0] for case in CHANGES])
def test_a_change_that_can_change_the_report_is_a_miss(projects, name, paths, edit, expected):
    root = projects[name]
    before = record_and_replay(root, *paths)
    assert "RNN004" in before[1] and "judged against Keras 3" in before[1]
    change(root / edit[0], edit[1])
    after = lint(root, *paths)
    assert "rnnlint: replay: miss: changed" in after.err, after.err
    assert report(after) == uncached(root, *paths)
    assert expected in after.out and report(after) != before


def test_the_command_line_and_the_environment_are_part_of_the_key(projects):
    root = projects["unchanged"]
    lint(root, "src")
    for args, env in ((["src", "--select", "RNN001"], {}), (["src"], {"FORCE_COLOR": "1"}), (["./src"], {})):
        run = lint(root, *args, env=env)
        assert "rnnlint: replay: miss: no record" in run.err, (args, env, run.err)


def test_a_forged_record_is_a_miss(projects):
    root = projects["forged"]
    record_and_replay(root, "src")
    [path] = (root / ".rnnlint_cache" / "results").glob("replay-*")
    mac, _, body = path.read_bytes().partition(b"\n")
    assert b"RNN004" in body
    path.write_bytes(mac + b"\n" + body.replace(b"RNN004", b"RNN001"))  # still a record, under the old MAC
    run = lint(root, "src")
    assert "rnnlint: replay: miss: not a record" in run.err
    assert report(run) == uncached(root, "src")


def test_a_run_right_after_a_change_writes_no_record(tmp_path):
    root = make_project(tmp_path / "fresh")
    run = lint(root, "src")
    assert "rnnlint: replay: not written: changed at the run's start or since" in run.err
    assert not list((root / ".rnnlint_cache" / "results").glob("replay-*"))


@pytest.mark.parametrize("args", [["src", "--no-cache"], ["src", "--fix"], ["src", "--diff"], ["src", "--show-models"],
                                  ["src", "--output-file", "out.txt"], ["src", "--show-repro"], ["-"],
                                  ["--stdin-filename", "x.py"]])
def test_runs_that_are_not_replayed(args):
    from rnnlint.cli import build_parser

    assert not replay.eligible(build_parser().parse_args(args))
    assert replay.eligible(build_parser().parse_args(["src", "--statistics", "--select", "RNN001"]))


def _run_with(*findings_) -> RunResult:
    return RunResult(files=(FileResult("x.py", tuple(findings_), "", None, {}),), findings=tuple(findings_))


def test_a_run_another_run_may_report_otherwise_is_not_recorded():
    import dataclasses

    plain = finding()
    assert replay.repeatable(_run_with(plain))
    failed = plain.with_confirmation(Confirmation("unconfirmed", "time limit: Keras took longer than 20 s", "3.15.1",
                                                  transient=True))
    assert not replay.repeatable(_run_with(failed))
    limit = dataclasses.replace(finding(code=RESERVED_CODE, name="analysis-limit"))
    assert not replay.repeatable(_run_with(limit))
    assert not replay.repeatable(dataclasses.replace(_run_with(plain), errors=("internal error in confirmation",)))


def test_the_record_names_what_the_run_read(tmp_path, monkeypatch):
    root = make_project(tmp_path / "p")
    monkeypatch.chdir(root)
    files = (FileResult("src/train.py", (), "", None, {}, dependencies=(("src/builder.py", "0" * 64),)),)
    inputs = replay.run_inputs(SimpleNamespace(files=files, folders=("src",)), "cfg.toml")
    kinds = {(kind, os.path.relpath(path, root) if os.path.isabs(path) else path) for kind, path, _ in inputs}
    assert {("s", "src/train.py"), ("s", "src/builder.py"), ("s", "cfg.toml"), ("s", "src")} <= kinds
    assert {("s", "requirements.txt"), ("s", "base.txt"), ("s", "pyproject.toml"), ("e", ".git"), ("r", ".")} <= kinds
    above = os.path.dirname(str(root))
    assert ["s", os.path.join(above, "rnnlint.toml"), None] in inputs  # absent, above the project: probed


@pytest.mark.parametrize("path", ["train.py", "src/train.py", "/abs/src/train.py", "/", "src/", "a//b.py", ".git",
                                  "/top", "./x.py", "../up/x.py"])
def test_a_record_keeps_each_path_as_given(path):
    """The record groups the inputs by folder; folder + name must give back the very path that was probed."""
    packed = replay.packed([["s", path, [1, 2, 3]], ["e", path, True]])
    assert [(kind, folder + name) for kind, folders in packed.items() for folder, entries in folders.items()
            for name in entries[::2]] == [("s", path), ("e", path)]


@pytest.mark.parametrize("broken", ["run_key", "run_inputs"])
def test_a_failing_replay_costs_only_speed(tmp_path, monkeypatch, capsys, broken):
    """An error in the replay machinery (making the key; recording) never reaches the user: the run lints and
    reports as without it."""
    from rnnlint import launch

    def fail(*_args, **_kwargs):
        raise RuntimeError("broken on purpose")

    root = make_project(tmp_path / "p")
    monkeypatch.chdir(root)
    monkeypatch.setattr(replay, broken, fail)
    assert launch.main(["--no-confirm", "src"]) == 1
    out, err = capsys.readouterr()
    assert "RNN004" in out and "internal error" not in err and "Traceback" not in err
    assert not list((root / ".rnnlint_cache" / "results").glob("replay-*"))


def test_old_records_and_indexes_are_pruned_least_recently_used_first(tmp_path):
    """One record (and one run index) per command line would pile up; all but the most recently written or used go
    when another is written."""
    from rnnlint.cachedir import prune, touch

    folder = tmp_path / "results"
    folder.mkdir()
    for number in range(40):
        path = folder / f"replay-{number:02d}.json"
        path.write_text("{}")
        os.utime(path, ns=(0, number * 1_000_000_000))
    (folder / "0123.json").write_text("{}")  # a result entry: never pruned here
    touch(folder / "replay-03.json")  # used now: kept
    assert prune(folder, "replay-", replay.KEPT) == 40 - replay.KEPT
    kept = sorted(p.name for p in folder.glob("replay-*"))
    assert len(kept) == replay.KEPT and "replay-03.json" in kept and "replay-39.json" in kept
    assert "replay-08.json" not in kept and "replay-09.json" in kept and (folder / "0123.json").exists()


def test_a_replayed_run_imports_neither_the_command_line_nor_openssl(projects):
    """A replay is most of a warm run's time outside the interpreter's start: it leaves rnnlint.cli (argparse, the
    engine) and hashlib (OpenSSL) unimported, and its teardown undone (os._exit) with its report complete."""
    root = projects["imports"]
    expected = record_and_replay(root, "src")
    # sys.path as `python -m rnnlint` leaves it (rnnlint/__main__.py): the replay key holds it
    probe = ("import sys, atexit\n"
             "del sys.path[0]\n"
             "atexit.register(lambda: print('teardown ran', file=sys.stderr))\n"
             "sys.argv = ['rnnlint', '--no-confirm', 'src']\n"
             "import rnnlint.launch\n"
             "try:\n"
             "    rnnlint.launch.entry()\n"
             "finally:\n"
             "    print('never here', file=sys.stderr)\n")
    loaded = ("import sys, os\n"
              "del sys.path[0]\n"
              "from rnnlint.launch import replayed\n"
              "key, status = replayed(['--no-confirm', 'src'])\n"
              "print(status, sorted(m for m in ('rnnlint.cli', 'argparse', 'hashlib', '_hashlib', 'hmac') "
              "if m in sys.modules))\n")
    env = cli_env(DEBUG)
    proc = subprocess.run([sys.executable, "-c", probe], cwd=root, env=env, capture_output=True, text=True,
                          timeout=120)
    assert "rnnlint: replay: hit" in proc.stderr, proc.stderr
    assert "teardown ran" not in proc.stderr and "never here" not in proc.stderr
    assert report(Run(proc.returncode, proc.stdout, proc.stderr)) == expected
    proc = subprocess.run([sys.executable, "-c", loaded], cwd=root, env=env, capture_output=True, text=True,
                          timeout=120)
    assert "rnnlint: replay: hit" in proc.stderr, proc.stderr
    assert proc.stdout.splitlines()[-1] == f"{expected[0]} []"


def test_a_replay_into_a_closed_pipe_ends_quietly(projects):
    root = projects["pipe"]
    record_and_replay(root, "src")
    read, write_end = os.pipe()
    os.close(read)  # the reader is gone before the report is written (`rnnlint src | true`)
    try:
        proc = subprocess.run([sys.executable, "-m", "rnnlint", "--no-confirm", "src"], cwd=root, stdout=write_end,
                              stderr=subprocess.PIPE, text=True, env=cli_env(DEBUG), timeout=120)
    finally:
        os.close(write_end)
    assert "rnnlint: replay: hit" in proc.stderr, proc.stderr
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr


@pytest.mark.parametrize("path", ["train.py", "src/train.py", "src/", "src", ".", "./src/train.py", "src//train.py",
                                  "ABSOLUTE/src/train.py", "ABSOLUTE/src/", "../p/src/train.py", "missing.py",
                                  "src/missing/x.py"])
def test_each_input_is_checked_as_the_record_stamped_it(tmp_path, monkeypatch, path):
    """The check stats each name relative to its folder, opened once; what it sees must be what a stat of the whole
    path saw when the record was made: unchanged → nothing, changed → that path."""
    root = tmp_path / "p"
    write(root, "train.py", "x = 1\n")
    write(root, "src/train.py", "y = 2\n")
    monkeypatch.chdir(root)
    path = path.replace("ABSOLUTE", str(root))
    packed = replay.packed([["s", path, replay.stat_stamp(path)]])
    assert replay._first_changed(packed) is None
    target = Path(path) if not path.endswith(("/", ".", "src")) else Path(path) / "new.py"
    time.sleep(0.05)  # past the file system's timestamp granularity: a folder's change is only its times
    if "missing" in path:
        write(root, path, "now here\n")
    else:
        target.write_text("changed, and longer\n")
    assert replay._first_changed(packed) == path


def test_a_folder_that_cannot_be_opened_is_checked_by_whole_paths(tmp_path, monkeypatch):
    root = tmp_path / "p"
    write(root, "src/train.py", "x = 1\n")
    monkeypatch.chdir(root)
    packed = replay.packed([["s", "src/train.py", replay.stat_stamp("src/train.py")]])
    monkeypatch.setattr(replay, "_opened", lambda folder: None)
    assert replay._first_changed(packed) is None
    write(root, "src/train.py", "x = 12\n")
    assert replay._first_changed(packed) == "src/train.py"
