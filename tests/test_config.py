"""Configuration files (rnnlint.config): finding them, validating them, and what they change in a run."""
from __future__ import annotations

import json
import subprocess
import sys
import os
from pathlib import Path

import pytest

from conftest import STACKED_LSTM, run_cli, write
from rnnlint.config import ConfigError, EMPTY, find, glob_match, load

ROOT = Path(__file__).resolve().parent.parent

# RNN006 (fit without batch_size) and nothing else.
NO_BATCH = """\
import numpy as np
from keras.models import Sequential
from keras.layers import LSTM, Dense
X = np.zeros((8, 10, 1))
y = np.zeros((8, 1))
model = Sequential()
model.add(LSTM(4, input_shape=(10, 1)))
model.add(Dense(1))
model.compile(loss="mse")
model.fit(X, y)
"""


def codes(run) -> list[tuple[str, str]]:
    """(path with '/', code) of each finding in a JSON run."""
    assert run.code in (0, 1), run.err
    return sorted((f["path"].replace(os.sep, "/"), f["code"]) for f in json.loads(run.out))


def lint(cwd: Path, *args: str):
    return run_cli("--no-confirm", "--format", "json", *args, cwd=cwd)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project: pyproject.toml ignores RNN006 and RNN001 in legacy/; src/ has both bugs."""
    root = tmp_path / "project"
    write(root, "pyproject.toml", """\
[project]
name = "demo"

[tool.rnnlint]
ignore = ["RNN006"]

[tool.rnnlint.per-file-ignores]
"legacy/*.py" = ["RNN001"]
"src/stacked.py" = ["missing-input-shape"]
""")
    write(root, "src/stacked.py", STACKED_LSTM)
    write(root, "src/train.py", NO_BATCH)
    write(root, "legacy/old.py", STACKED_LSTM)
    write(root, "legacy/deep/older.py", STACKED_LSTM)
    return root


# --- the project, from anywhere -----------------------------------------------------------------------------

def test_project_config_from_its_root(project: Path) -> None:
    assert codes(lint(project)) == [("src/stacked.py", "RNN001")]


@pytest.mark.parametrize("sub", ["src", "legacy", "legacy/deep"])
def test_project_config_from_a_subfolder(project: Path, sub: str) -> None:
    found = codes(lint(project / sub))
    assert all(code != "RNN006" for _, code in found)
    if sub == "src":
        assert found == [("stacked.py", "RNN001")]
    else:
        assert found == []  # per-file-ignores patterns are relative to the pyproject.toml's folder


def test_project_config_from_outside(project: Path) -> None:
    assert codes(lint(project.parent, "project")) == [("project/src/stacked.py", "RNN001")]


def test_isolated_ignores_the_config(project: Path) -> None:
    found = codes(lint(project / "src", "--isolated"))
    assert ("train.py", "RNN006") in found and ("stacked.py", "RNN001") in found


def test_command_line_select_wins_over_the_file(project: Path) -> None:
    assert codes(lint(project / "src", "--select", "RNN006")) == [("train.py", "RNN006")]
    assert ("train.py", "RNN006") in codes(lint(project / "src", "--extend-select", "RNN006"))
    assert codes(lint(project / "src", "--ignore", "RNN001")) == []


def test_closest_config_wins(project: Path) -> None:
    write(project, "src/rnnlint.toml", 'select = ["RNN006"]\n')
    assert codes(lint(project)) == [("src/train.py", "RNN006")]  # legacy/ still uses the pyproject.toml


def test_explicit_config_file(project: Path, tmp_path: Path) -> None:
    other = write(tmp_path, "elsewhere/strict.toml", 'select = ["RNN006"]\n')
    assert codes(lint(project, "--config", str(other))) == [("src/train.py", "RNN006")]
    run = lint(project, "--config", str(tmp_path / "missing.toml"))
    assert run.code == 2 and "missing.toml" in run.err


def test_exclude_relative_to_the_config(project: Path) -> None:
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    text = text.replace('ignore = ["RNN006"]', 'ignore = ["RNN006"]\nexclude = ["src/stacked.py"]\n'
                                               'extend-exclude = ["legacy"]')
    (project / "pyproject.toml").write_text(text, encoding="utf-8")
    write(project, "src/other.py", STACKED_LSTM)
    assert codes(lint(project / "src")) == [("other.py", "RNN001")]
    # a file named on the command line is always linted
    assert codes(lint(project / "src", "stacked.py")) == [("stacked.py", "RNN001")]


def test_fail_on_and_confirm_from_the_file(tmp_path: Path) -> None:
    write(tmp_path, "rnnlint.toml", 'fail-on = "error"\nconfirm = false\n')
    write(tmp_path, "train.py", NO_BATCH)
    run = run_cli("--format", "json", ".", cwd=tmp_path)  # no --no-confirm: the file turns confirmation off
    findings = json.loads(run.out)
    assert [f["code"] for f in findings] == ["RNN006"]
    assert findings[0]["confirmation"]["detail"] == "not run"
    assert run.code == 0  # a warning does not reach fail-on = "error"
    assert run_cli("--no-confirm", "--fail-on", "warning", ".", cwd=tmp_path).code == 1


def test_target_keras_from_the_file(tmp_path: Path) -> None:
    code = "from keras.layers import LSTM\nlayer = LSTM(4, input_length=10)\n"
    write(tmp_path, "a.py", code)
    write(tmp_path, "rnnlint.toml", "target-keras = 2\n")
    assert "RNN010" not in {c for _, c in codes(lint(tmp_path))}
    write(tmp_path, "rnnlint.toml", "target-keras = 3\n")
    assert "RNN010" in {c for _, c in codes(lint(tmp_path))}


# --- .gitignore ---------------------------------------------------------------------------------------------

def test_gitignore_respected(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    write(tmp_path, ".gitignore", "generated/\n*_scratch.py\n!keep_scratch.py\n")
    write(tmp_path, "generated/model.py", NO_BATCH)
    write(tmp_path, "a_scratch.py", NO_BATCH)
    write(tmp_path, "keep_scratch.py", NO_BATCH)
    write(tmp_path, "sub/.gitignore", "local.py\n")
    write(tmp_path, "sub/local.py", NO_BATCH)
    write(tmp_path, "sub/kept.py", NO_BATCH)
    assert [p for p, _ in codes(lint(tmp_path))] == ["keep_scratch.py", "sub/kept.py"]
    assert len(codes(lint(tmp_path, "--no-respect-gitignore"))) == 5
    write(tmp_path, "rnnlint.toml", "respect-gitignore = false\n")
    assert len(codes(lint(tmp_path))) == 5


def test_gitignore_respected_in_a_plain_install(tmp_path: Path) -> None:
    """`pip install -e .` alone (no extras) into a fresh virtual environment: pathspec comes with rnnlint, so a
    .gitignore'd folder is skipped there too (issue 18)."""
    import venv

    repo = Path(__file__).resolve().parent.parent
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = env_dir / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", "-e",
                              str(repo)], capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr[-2000:]
    tree = tmp_path / "tree"
    (tree / ".git").mkdir(parents=True)
    write(tree, ".gitignore", "generated/\n")
    write(tree, "generated/model.py", NO_BATCH)
    write(tree, "kept.py", NO_BATCH)
    run = subprocess.run([str(python), "-m", "rnnlint", "--no-confirm", "--no-cache", "--format", "json", "."],
                         cwd=tree, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr
    assert {f["path"] for f in json.loads(run.stdout)} == {"kept.py"}
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format", "freeze"], capture_output=True, text=True)
    assert "pathspec==" in listed.stdout and "tensorflow==" not in listed.stdout and "pytest==" not in listed.stdout


# --- broken configuration: exit 2, one line naming the file and the key -------------------------------------

BROKEN = [
    ("unknown-key", 'ignor = ["RNN006"]', "ignor: unknown key (did you mean 'ignore'?"),
    ("underscore-key", 'extend_select = ["RNN006"]', "extend_select: unknown key (did you mean 'extend-select'?"),
    ("string-not-list", 'ignore = "RNN006"', "ignore: expected a list of rule codes"),
    ("unknown-code", 'select = ["RNN001", "RNN999"]', "select: expected rule codes, prefixes or names, got unknown 'RNN999'"),
    ("bool-type", 'confirm = "no"', "confirm: expected true or false, got a string"),
    ("target-keras", "target-keras = 4", "target-keras: expected 2 or 3, got an integer (4)"),
    ("fail-on", 'fail-on = "fatal"', 'fail-on: expected one of "error", "warning", "info"'),
    ("per-file-table", 'per-file-ignores = ["a.py"]', "per-file-ignores: expected a table"),
    ("per-file-codes", '[tool.rnnlint.per-file-ignores]\n"a.py" = "RNN001"', "per-file-ignores.'a.py': expected a list"),
    ("per-file-unknown", '[tool.rnnlint.per-file-ignores]\n"a.py" = ["RNN777"]', "per-file-ignores: expected rule codes"),
    ("exclude-type", "exclude = [1]", "exclude: expected a list of glob patterns"),
    ("invalid-toml", 'ignore = ["RNN006"', "invalid TOML"),
]


@pytest.mark.parametrize(("body", "message"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_config_exits_2_naming_the_key(tmp_path: Path, body: str, message: str) -> None:
    write(tmp_path, "pyproject.toml", f"[tool.rnnlint]\n{body}\n")
    write(tmp_path, "sub/a.py", NO_BATCH)
    run = run_cli("--no-confirm", ".", cwd=tmp_path / "sub")
    assert run.code == 2
    assert run.out == ""
    lines = run.err.strip().splitlines()
    assert len(lines) == 1, run.err
    expected_file = os.path.join("..", "pyproject.toml")
    assert lines[0].startswith(f"rnnlint: {tmp_path / 'pyproject.toml'}") or lines[0].startswith(
        f"rnnlint: {expected_file}"), lines[0]
    if message != "invalid TOML":
        assert "[tool.rnnlint] " in lines[0]
    assert message in lines[0]


def test_broken_standalone_file(tmp_path: Path) -> None:
    write(tmp_path, "rnnlint.toml", "fail-on = 3\n")
    write(tmp_path, "a.py", NO_BATCH)
    run = run_cli("--no-confirm", ".", cwd=tmp_path)
    assert run.code == 2 and run.err.strip() == (
        'rnnlint: rnnlint.toml: fail-on: expected one of "error", "warning", "info", got an integer (3)')


# --- the library --------------------------------------------------------------------------------------------

def test_pyproject_without_table_is_not_a_config(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[project]\nname = 'x'\n")
    assert find(str(tmp_path)) is None or not find(str(tmp_path)).startswith(str(tmp_path))
    assert load(str(tmp_path / "pyproject.toml")).select is None


def test_standalone_wins_in_the_same_folder(tmp_path: Path) -> None:
    write(tmp_path, "pyproject.toml", "[tool.rnnlint]\nignore = ['RNN006']\n")
    write(tmp_path, "rnnlint.toml", "ignore = ['RNN001']\n")
    assert find(str(tmp_path / "deeper")) == str(tmp_path / "rnnlint.toml")
    assert load(find(str(tmp_path))).ignore == ("RNN001",)


def test_the_repositorys_own_config_is_valid() -> None:
    config = load(str(ROOT / "pyproject.toml"))
    assert "tests/data" in config.exclude and config != EMPTY


def test_config_error_is_an_exception_with_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "rnnlint.toml", "select = 1\n")
    with pytest.raises(ConfigError) as info:
        load(str(path))
    assert "\n" not in str(info.value) and "select" in str(info.value)


@pytest.mark.parametrize(("relative", "pattern", "matches"), [
    ("legacy/old.py", "legacy/*.py", True),
    ("legacy/old.py", "legacy", True),
    ("legacy/old.py", "legacy/", True),
    ("legacy/deep/older.py", "legacy/*.py", True),  # fnmatch: * crosses folders, as ruff's globs do not (lenient)
    ("src/legacy.py", "legacy", False),
    ("src/a_test.py", "*_test.py", True),
    ("src/a.py", "**/a.py", True),
    ("a.py", "**/a.py", True),
    ("src/gen/x.py", "src/gen/**", True),
    ("src/genx.py", "src/gen/**", False),
    ("notebooks/a.ipynb", "notebooks/", True),
    ("b.py", "./b.py", True),
    ("b.py", "", False),
])
def test_glob_match(relative: str, pattern: str, matches: bool) -> None:
    assert glob_match(relative, pattern) is matches


def test_force_exclude_applies_to_named_files(project: Path) -> None:
    (project / ".git").mkdir()
    write(project, ".gitignore", "scratch.py\n")
    write(project, "src/scratch.py", STACKED_LSTM)
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    (project / "pyproject.toml").write_text(text.replace('ignore = ["RNN006"]',
                                                         'ignore = ["RNN006"]\nexclude = ["src/stacked.py"]'))
    named = ("src/stacked.py", "src/scratch.py", "src/train.py")
    assert [p for p, _ in codes(lint(project, *named))] == ["src/scratch.py", "src/stacked.py"]
    assert codes(lint(project, "--force-exclude", *named)) == []
    assert codes(lint(project, "--force-exclude", "src/stacked.py")) == []
    (project / "pyproject.toml").write_text(
        (project / "pyproject.toml").read_text().replace("[tool.rnnlint]\n", "[tool.rnnlint]\nforce-exclude = true\n"))
    assert codes(lint(project, *named)) == []


# --- standard input: linted as --stdin-filename, with that file's configuration -----------------------------

def test_stdin_uses_the_named_files_configuration(project: Path) -> None:
    as_legacy = run_cli("--no-confirm", "--format", "json", "--stdin-filename", "legacy/new.py", cwd=project,
                        stdin=STACKED_LSTM)
    assert json.loads(as_legacy.out) == [] and as_legacy.code == 0  # legacy/*.py ignores RNN001
    as_src = run_cli("--no-confirm", "--format", "json", "--stdin-filename", "src/new.py", cwd=project,
                     stdin=STACKED_LSTM + NO_BATCH.split("\n", 3)[3])
    found = json.loads(as_src.out)
    assert [(f["path"], f["code"]) for f in found] == [("src/new.py", "RNN001")]  # RNN006 ignored project-wide
    dash = run_cli("--no-confirm", "--format", "json", "-", cwd=project / "src", stdin=NO_BATCH)
    assert json.loads(dash.out) == [] and dash.code == 0
    isolated = run_cli("--no-confirm", "--format", "json", "--isolated", "-", cwd=project, stdin=NO_BATCH)
    assert [(f["path"], f["code"]) for f in json.loads(isolated.out)] == [("-", "RNN006")]


def test_stdin_force_exclude(project: Path) -> None:
    text = (project / "pyproject.toml").read_text(encoding="utf-8")
    (project / "pyproject.toml").write_text(text.replace('ignore = ["RNN006"]', 'exclude = ["gen"]'))
    args = ("--no-confirm", "--format", "json", "--stdin-filename", "gen/a.py")
    assert len(json.loads(run_cli(*args, cwd=project, stdin=NO_BATCH).out)) == 1
    assert json.loads(run_cli(*args, "--force-exclude", cwd=project, stdin=NO_BATCH).out) == []


def test_stdin_fix_prints_the_fixed_text(tmp_path: Path) -> None:
    run = run_cli("--no-confirm", "--fix", "-", cwd=tmp_path, stdin=STACKED_LSTM)
    assert run.out == STACKED_LSTM.replace("input_shape=(10, 1))", "input_shape=(10, 1), return_sequences=True)")
    assert "Fixed 1 problem." in run.err and run.code == 0
    diff = run_cli("--no-confirm", "--diff", "--stdin-filename", "m.py", cwd=tmp_path, stdin=STACKED_LSTM)
    assert diff.code == 1 and "+model.add(LSTM(256, input_shape=(10, 1), return_sequences=True))" in diff.out
    clean = run_cli("--no-confirm", "--fix", "-", cwd=tmp_path, stdin="import keras\n")
    assert (clean.code, clean.out) == (0, "import keras\n")
    bad = run_cli("--no-confirm", "--fix", "-", "x.py", cwd=tmp_path, stdin="")
    assert bad.code == 2 and "standard input" in bad.err


# --- the language server's entry point ----------------------------------------------------------------------

def test_the_language_server_reads_configuration_as_the_cli_does(project: Path) -> None:
    from rnnlint.lsp import RnnlintServer
    from rnnlint.settings import enabled_rules

    server = RnnlintServer()
    server.client_options = {"confirm": False, "ignore": ["RNN009"]}
    src = server.settings_for(str(project / "src" / "stacked.py"))
    assert {"RNN006", "RNN009", "missing-input-shape"} <= set(src.ignore)
    assert "RNN006" not in {r.code for r in enabled_rules(src)} and src.confirm is False
    legacy = server.settings_for(str(project / "legacy" / "unsaved.py"))
    assert "RNN001" not in {r.code for r in enabled_rules(legacy)}
    write(project, "legacy/rnnlint.toml", "ignor = 1\n")
    broken = server.settings_for(str(project / "legacy" / "old.py"))  # the editor keeps going, with its options
    assert broken.ignore == ("RNN009",) and broken.confirm is False


def test_confirm_timeout_from_config_and_command_line(tmp_path):
    """`confirm-timeout` in [tool.rnnlint] reaches the settings; the command line wins; a bad value is exit 2."""
    from rnnlint.config import Overrides, configure
    from rnnlint.settings import Settings

    (tmp_path / "pyproject.toml").write_text("[tool.rnnlint]\nconfirm-timeout = 7.5\n")
    (tmp_path / "a.py").write_text("import keras\n")
    paths = [str(tmp_path / "a.py")]
    assert configure(Settings(), Overrides(), paths)[0].confirm_timeout == 7.5
    assert configure(Settings(), Overrides(), paths, confirm_timeout=3.0)[0].confirm_timeout == 3.0
    (tmp_path / "pyproject.toml").write_text("[tool.rnnlint]\nconfirm-timeout = -1\n")
    proc = subprocess.run([sys.executable, "-m", "rnnlint", "--no-confirm", str(tmp_path / "a.py")],
                          capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 2 and "confirm-timeout" in proc.stderr


def test_rnn008_threshold_is_set_from_the_configuration(tmp_path):
    """RNN008's option reaches the rule through the validated configuration (it could not be set before)."""
    model = ("from keras.models import Sequential\nfrom keras.layers import SimpleRNN, Input\n"
             "model = Sequential([Input(shape=(200, 1)), SimpleRNN(8)])\n")
    write(tmp_path, "m.py", model)
    args = ("--no-confirm", "--no-cache", "--select", "RNN008", "--format", "json", "m.py")
    assert json.loads(run_cli(*args, cwd=tmp_path).out) == []  # 200 steps: under the default 300
    write(tmp_path, "pyproject.toml", "[tool.rnnlint]\nvanishing-gradient-timesteps = 100\n")
    found = json.loads(run_cli(*args, cwd=tmp_path).out)
    assert [(f["code"], f["line"]) for f in found] == [("RNN008", 3)] and "(more than 100)" in found[0]["message"]
    write(tmp_path, "pyproject.toml", "[tool.rnnlint]\nvanishing-gradient-timesteps = 0\n")
    bad = run_cli(*args, cwd=tmp_path)
    assert bad.code == 2 and "vanishing-gradient-timesteps: expected a whole number" in bad.err


def test_settings_are_a_frozen_value_without_the_resolver(tmp_path):
    """Settings holds no configuration reader: two runs configured alike compare and hash equal, and nothing in
    them can change after they are made (the Resolver, which caches files as the run meets them, is apart)."""
    import dataclasses as dc

    from rnnlint.config import Overrides, Resolver, configure
    from rnnlint.settings import Settings

    (tmp_path / "pyproject.toml").write_text('[tool.rnnlint]\nignore = ["RNN006"]\n')
    one, resolver = configure(Settings(), Overrides(), [str(tmp_path)])
    two, _ = configure(Settings(), Overrides(), [str(tmp_path)])
    assert isinstance(resolver, Resolver) and one == two and hash(one) == hash(two)
    assert not any(isinstance(getattr(one, f.name), Resolver) for f in dc.fields(one))
    with pytest.raises(dc.FrozenInstanceError):
        one.ignore = ()  # type: ignore[misc]
    for value in (getattr(one, f.name) for f in dc.fields(one)):
        assert isinstance(value, (str, int, float, bool, tuple, type(None))) or dc.is_dataclass(value), value
