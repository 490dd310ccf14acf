"""Security: rnnlint never imports, executes or evaluates the code it lints — not in the analyzer, not in the
checker's Keras worker, not through configuration, not through modules lying in the linted project.

Every hostile file here would create a marker file (a unique name containing TOKEN) or spawn a process if any
of its expressions were evaluated. Each test then searches the test's folder, the working folder and the
system temp folder for the marker. docs/security.md explains the threat model.
"""
from __future__ import annotations

import builtins
import importlib.util
import json
import stat
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

from conftest import STACKED_LSTM, run_cli, write
from rnnlint.cachedir import KEY_ENV, MAC_PREFIX, mac, sign, verified
from rnnlint.engine import lint_paths
from rnnlint.settings import Settings

TOKEN = f"PWNED_{uuid.uuid4().hex[:12]}"
HAS_KERAS = importlib.util.find_spec("keras") is not None or importlib.util.find_spec("tensorflow") is not None


@pytest.fixture
def keras_installed() -> None:
    """Confirmation tests FAIL without Keras: a CI that lacks TensorFlow must not look green."""
    assert HAS_KERAS, "confirmation needs Keras: pip install -e '.[tensorflow,test]'"


needs_keras = pytest.mark.usefixtures("keras_installed")


def hostile_module(root: Path) -> str:
    """Python source whose every statement and argument would leave a marker under `root` if it ran."""
    m = lambda i: repr(str(root / f"{TOKEN}_{i}"))  # noqa: E731
    return f'''\
import os
import subprocess
import numpy as np
import keras
from keras.models import Sequential
from keras.layers import LSTM, Dense, Lambda

os.system("touch " + {m(0)})
open({m(1)}, "w").write("x")
exec("open({m(2)[1:-1]}, 'w')")
eval("__import__('os').system('touch {m(3)[1:-1]}')")
__import__("os").system("touch " + {m(4)})
subprocess.run(["touch", {m(5)}])
N = int(open({m(6)}, "w").write("12345"))


def build():
    import subprocess
    subprocess.run(["touch", {m(7)}])
    model = Sequential()
    model.add(LSTM(__import__("os").system("touch " + {m(8)}), input_shape=(10, 1)))
    model.add(LSTM(8))
    return model


build()


class Evil(keras.layers.Layer):
    def __init__(self):
        super().__init__()
        open({m(9)}, "w").close()

    def call(self, x):
        os.system("touch " + {m(10)})
        return x


class Plain:
    def __init__(self):
        open({m(11)}, "w").close()

    def __del__(self):
        open({m(12)}, "w").close()


Plain()
custom = Sequential([LSTM(16, input_shape=(10, 1)), Evil(), LSTM(8), Dense(1)])
lam = Sequential([LSTM(16, input_shape=(10, 1)), Lambda(lambda x: os.system("touch " + {m(13)})), LSTM(8)])
units = Sequential([LSTM(16, input_shape=(10, 1)), LSTM(len(os.listdir({m(14)})) or 8), Dense(1)])
names = Sequential([LSTM(16, input_shape=(10, 1), activation="os.system", kernel_initializer="eval",
                         name="__import__('os').system('touch {m(15)[1:-1]}')"), LSTM(8), Dense(1)])
plain_bug = Sequential([LSTM(16, input_shape=(10, 1)), LSTM(8), Dense(1)])
X = np.zeros((os.system("touch " + {m(16)}), 10, 1))
plain_bug.fit(X, np.zeros((16, 1)), batch_size=len(open({m(17)}, "w").name))
if __name__ == "__main__":
    os.system("touch " + {m(18)})
'''


def markers(*roots: Path) -> list[Path]:
    found = []
    for root in roots:
        if root.is_dir():
            found += [p for p in root.glob(f"**/*{TOKEN}*")] if root != Path(tempfile.gettempdir()) \
                else [p for p in root.glob(f"*{TOKEN}*")]
    return found


def roots(tmp_path: Path) -> tuple[Path, ...]:
    return tmp_path, Path.cwd(), Path(tempfile.gettempdir())


# --- the CLI, with confirmation ---------------------------------------------------------------------------------


@needs_keras
def test_hostile_file_with_confirmation_runs_nothing(tmp_path):
    write(tmp_path, "evil.py", hostile_module(tmp_path))
    run = run_cli("--format", "json", "--no-cache", "evil.py", cwd=tmp_path)
    assert "Traceback" not in run.err, run.err
    assert run.code in (0, 1), (run.code, run.err)
    findings = json.loads(run.out)
    assert markers(*roots(tmp_path)) == []
    # The run completed and the checker did run: the plain stacked-LSTM bug was built and confirmed by Keras.
    source_lines = (tmp_path / "evil.py").read_text().splitlines()
    plain = [f for f in findings if f["code"] == "RNN001" and "plain_bug" in source_lines[f["line"] - 1]]
    assert plain and plain[0]["confirmation"]["status"] == "confirmed", findings
    statuses = {f["confirmation"]["status"] for f in findings}
    assert statuses <= {"confirmed", "unconfirmed"}, statuses


@needs_keras
def test_modules_in_the_linted_project_are_not_imported(tmp_path):
    # `python -m` puts the working folder on sys.path: the CLI and the checker's worker must not import a
    # project's json.py, keras.py, … (they did, before the worker was started outside the project).
    for name in ("json", "keras", "tensorflow", "numpy", "libcst", "typing_extensions", "sitecustomize",
                 "usercustomize", "rnnlint_worker", "encodings_local", "h5py", "absl"):
        write(tmp_path, f"{name}.py", f"open({str(tmp_path / (TOKEN + '_' + name))!r}, 'w').close()\n")
    write(tmp_path, "model.py", STACKED_LSTM)
    run = run_cli("--format", "json", "--no-cache", "model.py", cwd=tmp_path)  # python -m rnnlint, in the project
    assert run.code == 1 and "Traceback" not in run.err, run.err
    assert markers(*roots(tmp_path)) == []
    assert json.loads(run.out)[0]["confirmation"]["status"] == "confirmed"  # the worker did start and build


def test_stdin_is_never_executed(tmp_path):
    run = run_cli("--no-confirm", "--format", "json", "--stdin-filename", "evil.py", "-",
                  cwd=tmp_path, stdin=hostile_module(tmp_path))
    assert run.code in (0, 1) and "Traceback" not in run.err, run.err
    assert markers(*roots(tmp_path)) == []
    assert all(f["path"] == "evil.py" for f in json.loads(run.out))


# --- in-process: no import, exec or eval of the user's code -------------------------------------------------------


def test_engine_in_process_never_imports_or_executes_the_file(tmp_path, monkeypatch):
    module_name = f"evil_{TOKEN.lower()}"
    write(tmp_path, f"{module_name}.py", hostile_module(tmp_path))
    monkeypatch.syspath_prepend(str(tmp_path))  # even importable, it must not be imported
    imported: list[str] = []
    executed: list[str] = []
    real_import, real_exec, real_eval = builtins.__import__, builtins.exec, builtins.eval

    def spy_import(name, *args, **kwargs):
        imported.append(name)
        return real_import(name, *args, **kwargs)

    def spy(real, log):
        def call(source, *args, **kwargs):
            if TOKEN in str(source if not isinstance(source, bytes) else source.decode("latin-1")):
                log.append(str(source)[:80])
            return real(source, *args, **kwargs)
        return call

    monkeypatch.setattr(builtins, "__import__", spy_import)
    monkeypatch.setattr(builtins, "exec", spy(real_exec, executed))
    monkeypatch.setattr(builtins, "eval", spy(real_eval, executed))
    before = set(sys.modules)
    result = lint_paths([str(tmp_path)], Settings(confirm=False, use_cache=False))
    assert module_name not in sys.modules and module_name not in imported
    assert not any(name.startswith("evil_") for name in set(sys.modules) - before)
    assert executed == []
    assert markers(*roots(tmp_path)) == []
    assert [f.code for f in result.findings if f.code == "RNN001"], result.findings


@needs_keras
def test_engine_in_process_with_confirmation_never_imports_the_file(tmp_path, monkeypatch):
    module_name = f"evil_{TOKEN.lower()}"
    write(tmp_path, f"{module_name}.py", hostile_module(tmp_path))
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)
    before = set(sys.modules)
    result = lint_paths(["."], Settings(confirm=True, use_cache=False))
    assert module_name not in sys.modules
    new = set(sys.modules) - before
    assert not any(name.startswith(("evil_", "tensorflow", "keras")) for name in new), sorted(new)[:20]
    assert markers(*roots(tmp_path)) == []
    assert "confirmed" in {f.confirmation.status for f in result.findings}


# --- configuration cannot run code -------------------------------------------------------------------------------

HOSTILE_CONFIGS = {
    "code-in-values": f'''
[tool.rnnlint]
select = ["RNN001", "__import__('os').system('touch {{root}}/{TOKEN}_select')"]
exclude = ["$(touch {{root}}/{TOKEN}_exclude)", "`touch {{root}}/{TOKEN}_tick`"]
''',
    "code-in-per-file-ignores": f'''
[tool.rnnlint]
per-file-ignores = {{ "$(touch {{root}}/{TOKEN}_pfi).py" = ["RNN006"] }}
target-keras = 3
''',
    "unknown-keys": f'''
[tool.rnnlint]
plugins = ["os:system"]
init-hook = "import os; os.system('touch {{root}}/{TOKEN}_hook')"
load-plugins = ["evil_plugin"]
''',
    "not-toml": f'''
[tool.rnnlint
select = !!python/object/apply:os.system ["touch {{root}}/{TOKEN}_yaml"]
''',
}


@pytest.mark.parametrize("name", sorted(HOSTILE_CONFIGS))
def test_configuration_cannot_run_code(tmp_path, name):
    write(tmp_path, "pyproject.toml", HOSTILE_CONFIGS[name].replace("{root}", str(tmp_path)))
    write(tmp_path, "evil_plugin.py", f"open({str(tmp_path / (TOKEN + '_plugin'))!r}, 'w').close()\n")
    write(tmp_path, "model.py", STACKED_LSTM)
    run = run_cli("--no-confirm", "--format", "json", ".", cwd=tmp_path)
    assert "Traceback" not in run.err, run.err
    assert run.code in (0, 1, 2), run.err  # 2: an unreadable or invalid configuration is a usage error
    assert markers(*roots(tmp_path)) == []


# --- files rnnlint writes ------------------------------------------------------------------------------------------


@needs_keras
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_cache_files_are_private_and_inside_the_project(tmp_path):
    write(tmp_path, "model.py", STACKED_LSTM)
    before = set(Path(tempfile.gettempdir()).iterdir())
    run = run_cli("--format", "json", "model.py", cwd=tmp_path)
    assert run.code == 1, run.err
    cache = tmp_path / ".rnnlint_cache"
    entries = list((cache / "confirm").glob("*.json"))
    assert entries, list(cache.rglob("*"))
    for entry in entries:
        mode = stat.S_IMODE(entry.stat().st_mode)
        assert mode & (stat.S_IWGRP | stat.S_IWOTH) == 0, oct(mode)  # never writable by others
        assert entry.resolve().is_relative_to(tmp_path.resolve())
        json.loads(verified(entry.read_text()))  # plain JSON data under a signature line, never pickle
    assert not list(cache.glob("**/.tmp-*")), "temporary files left behind"
    left = {p for p in set(Path(tempfile.gettempdir()).iterdir()) - before if "rnnlint" in p.name}
    assert not left, left


@needs_keras
def test_a_cache_entry_is_data_not_code(tmp_path):
    # A forged cache entry can only say confirmed/refuted/unconfirmed with a text: it is parsed as JSON and
    # shape-checked, never executed. (A forged "refuted" can hide a finding: see docs/security.md.)
    write(tmp_path, "model.py", STACKED_LSTM)
    assert run_cli("--format", "json", "model.py", cwd=tmp_path).code == 1
    for entry in (tmp_path / ".rnnlint_cache" / "confirm").glob("*.json"):
        entry.write_text(json.dumps({"status": {"__class__": "os.system"}, "detail": f"$(touch {TOKEN})",
                                     "py/object": "os.system", "__reduce__": ["os.system", ["touch x"]]}))
    run = run_cli("--format", "json", "model.py", cwd=tmp_path)
    assert run.code == 1 and "Traceback" not in run.err, run.err
    assert json.loads(run.out)[0]["confirmation"]["status"] == "confirmed"  # the bad entry was ignored
    assert markers(*roots(tmp_path)) == []


def foreign_signature(text: str) -> str:
    """An entry as a pull request could commit it: well-formed, signed with some key that is not the user's."""
    forged = mac(b"attacker" * 8, text.encode())  # the right algorithm, the wrong key
    return f"{MAC_PREFIX}{forged}\n{text}"


@needs_keras
def test_a_committed_confirmation_cannot_hide_a_finding(tmp_path):
    # Cache poisoning: a forged, well-formed "refuted" entry would drop the finding if it were believed.
    write(tmp_path, "model.py", STACKED_LSTM)
    cold = run_cli("--format", "json", "model.py", cwd=tmp_path)
    assert json.loads(cold.out)[0]["confirmation"]["status"] == "confirmed", cold.err
    [entry] = (tmp_path / ".rnnlint_cache" / "confirm").glob("*.json")
    value = json.loads(verified(entry.read_text()))
    value.update(status="refuted", detail="Keras built it")
    for text in (json.dumps(value, sort_keys=True),                      # unsigned, as an old rnnlint wrote it
                 foreign_signature(json.dumps(value, sort_keys=True))):  # signed with another key
        entry.write_text(text)
        run = run_cli("--format", "json", "model.py", cwd=tmp_path)
        assert (run.code, json.loads(run.out)[0]["confirmation"]["status"]) == (1, "confirmed"), run.err


def test_a_committed_result_cannot_hide_a_finding(tmp_path):
    write(tmp_path, "model.py", STACKED_LSTM)
    cold = run_cli("--no-confirm", "--format", "json", "model.py", cwd=tmp_path)
    [entry] = [p for p in (tmp_path / ".rnnlint_cache" / "results").glob("*.json") if not p.name.startswith("index-")]
    value = json.loads(verified(entry.read_text()))
    assert value["findings"], value
    value["findings"] = []  # "nothing to report"
    entry.write_text(foreign_signature(json.dumps(value)))
    run = run_cli("--no-confirm", "--format", "json", "model.py", cwd=tmp_path)
    assert (run.code, run.out) == (cold.code, cold.out) == (1, cold.out), run.err
    entry.write_text(sign(json.dumps(value)))  # the same entry under the user's own key is believed:
    assert run_cli("--no-confirm", "model.py", cwd=tmp_path).code == 0  # so the signature is what decided


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_the_cache_key_is_private_and_outside_the_project(tmp_path):
    project, home = tmp_path / "project", tmp_path / "xdg"
    write(project, "model.py", STACKED_LSTM)
    env = {KEY_ENV: "", "XDG_CACHE_HOME": str(home)}
    assert run_cli("--no-confirm", "model.py", cwd=project, env=env).code == 1
    key = home / "rnnlint" / "cache-key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600 and len(key.read_text().strip()) == 64
    assert stat.S_IMODE(key.parent.stat().st_mode) & 0o077 == 0
    assert not list(project.rglob("cache-key"))
    first = key.read_text()
    assert run_cli("--no-confirm", "model.py", cwd=project, env=env).code == 1
    assert key.read_text() == first  # made once, then reused


@pytest.mark.parametrize("head", [MAC_PREFIX + "é" * 64, MAC_PREFIX + "0" * 64, MAC_PREFIX.strip(), "", "rnnlint"])
def test_a_forged_signature_line_is_refused_not_an_error(tmp_path, monkeypatch, head):
    """Whatever the first line of an entry says (non-ASCII included), verifying it answers None."""
    from rnnlint.cachedir import sign_bytes, verified_bytes

    monkeypatch.setenv(KEY_ENV, str(tmp_path / "key"))
    assert verified(sign("data")) == "data" and verified_bytes(sign_bytes(b"data")) == b"data"
    assert verified(f"{head}\ndata") is None
    assert verified_bytes(f"{head}\ndata".encode("utf-8")) is None


@pytest.mark.parametrize("length", [32, 64, 100])
def test_the_signature_is_a_blake2b_keyed_with_the_users_key(tmp_path, monkeypatch, length):
    """Checked against hashlib's own BLAKE2b: keyed with the key file's bytes (a key longer than BLAKE2b's 64 bytes,
    which only a hand-made key file has, is hashed down to 64 first)."""
    import hashlib

    key = bytes(range(97, 97 + 26)) * 4
    key = key[:length]
    (tmp_path / "key").write_bytes(key + b"\n")
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "key"))
    used = key if length <= 64 else hashlib.blake2b(key).digest()
    text = "an entry\nof two lines"
    expected = hashlib.blake2b(text.encode(), key=used, digest_size=32).hexdigest()
    assert sign(text) == f"{MAC_PREFIX}{expected}\n{text}" and verified(sign(text)) == text
    assert verified(f"{MAC_PREFIX}{hashlib.sha256(text.encode()).hexdigest()}\n{text}") is None


def test_without_a_key_there_is_no_cache(tmp_path):
    blocker = write(tmp_path, "not-a-folder", "")  # the key's folder cannot be made, not even by root
    write(tmp_path, "model.py", STACKED_LSTM)
    run = run_cli("--no-confirm", "model.py", cwd=tmp_path, env={KEY_ENV: str(blocker / "rnnlint" / "cache-key")})
    assert run.code == 1 and "Traceback" not in run.err, run.err
    assert not list((tmp_path / ".rnnlint_cache").glob("results/*.json"))


def test_fix_writes_nothing_but_the_fixed_file(tmp_path):
    path = write(tmp_path, "model.py", STACKED_LSTM)
    if sys.platform != "win32":
        path.chmod(0o640)
    before = sorted(p.name for p in tmp_path.iterdir())
    run = run_cli("--no-confirm", "--fix", "model.py", cwd=tmp_path)
    assert "Traceback" not in run.err, run.err
    after = sorted(p.name for p in tmp_path.iterdir() if p.name != ".rnnlint_cache")
    assert after == before  # no temporary file left next to it
    assert "return_sequences=True" in path.read_text()
    if sys.platform != "win32":
        assert stat.S_IMODE(path.stat().st_mode) == 0o640  # not widened by the rewrite
