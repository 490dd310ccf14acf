"""Reading files (rnnlint.sources), finding them (rnnlint.discover) and the target Keras (rnnlint.kerasver)."""
from __future__ import annotations

import os
import sys
from importlib import metadata

import pytest

from conftest import write
from rnnlint import kerasver
from rnnlint.discover import PathNotFound, discover, exclude_matcher
from rnnlint.sources import Source, SourceError, read_source

# --- read_source --------------------------------------------------------------------------------------------

DECODE_OK = [
    ("utf8", "s = 'café'\n".encode("utf-8"), "s = 'café'\n"),
    ("utf8-bom", b"\xef\xbb\xbf" + "s = 'café'\n".encode("utf-8"), "s = 'café'\n"),
    ("latin1-cookie", b"# -*- coding: latin-1 -*-\ns = 'caf\xe9'\n", "# -*- coding: latin-1 -*-\ns = 'café'\n"),
    ("cookie-line-2", b"#!/usr/bin/env python\n# coding=cp1252\ns = '\x80'\n",
     "#!/usr/bin/env python\n# coding=cp1252\ns = '€'\n"),
    ("crlf", b"x = 1\r\ny = 2\r\n", "x = 1\r\ny = 2\r\n"),
    ("empty", b"", ""),
]


@pytest.mark.parametrize(("data", "text"), [c[1:] for c in DECODE_OK], ids=[c[0] for c in DECODE_OK])
def test_decodes(tmp_path, data: bytes, text: str) -> None:
    path = write(tmp_path, "a.py", data)
    assert read_source(str(path)) == Source(path=str(path), text=text)


DECODE_ERRORS = [
    ("binary", b"x = 1\x00\x01\x02", "binary file"),
    ("latin1-no-cookie", b"x = 1\ns = 'caf\xe9'\n", "cannot decode as utf-8: byte 0xe9 at line 2, column 9"),
    ("unknown-codec", b"# coding: klingon\nx = 1\n", "unknown encoding: klingon"),
    ("bom-vs-cookie", b"\xef\xbb\xbf# coding: latin-1\nx = 1\n", "bad encoding declaration"),
    ("bad-bytes-for-cookie", b"# coding: ascii\ns = '\xff'\n", "cannot decode as ascii"),
]


@pytest.mark.parametrize(("data", "reason"), [c[1:] for c in DECODE_ERRORS], ids=[c[0] for c in DECODE_ERRORS])
def test_decode_errors_give_a_reason(tmp_path, data: bytes, reason: str) -> None:
    path = write(tmp_path, "a.py", data)
    result = read_source(str(path))
    assert isinstance(result, SourceError)
    assert reason in result.reason
    assert "\n" not in result.reason


def test_latin1_without_cookie_suggests_a_cookie(tmp_path) -> None:
    result = read_source(str(write(tmp_path, "a.py", b"s = '\xe9'\n")))
    assert isinstance(result, SourceError) and "PEP 263" in result.reason


def test_missing_file_is_an_error_not_an_exception(tmp_path) -> None:
    result = read_source(str(tmp_path / "gone.py"))
    assert isinstance(result, SourceError) and "cannot read file" in result.reason


def test_directory_is_an_error(tmp_path) -> None:
    result = read_source(str(tmp_path))
    assert isinstance(result, SourceError)


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file(tmp_path) -> None:
    path = write(tmp_path, "a.py", "x = 1\n")
    path.chmod(0)
    try:
        result = read_source(str(path))
    finally:
        path.chmod(0o644)
    assert isinstance(result, SourceError) and "cannot read file" in result.reason


def test_notebook_without_nbformat_is_an_error(tmp_path) -> None:
    result = read_source(str(write(tmp_path, "n.ipynb", '{"cells": []}')))
    assert isinstance(result, SourceError) and "'nbformat' is missing" in result.reason


# --- discover -----------------------------------------------------------------------------------------------

def _tree(root) -> None:
    for name in [
        "a.py", "b/c.py", "b/d.ipynb", "b/notes.txt", "z.py",
        ".hidden/x.py", "venv/x.py", ".venv/x.py", "env/x.py", "myenv/pyvenv.cfg", "myenv/x.py",
        "__pycache__/x.py", "build/x.py", "dist/x.py", "node_modules/x.py", ".rnnlint_cache/x.py",
        "pkg.egg-info/x.py",
    ]:
        write(root, name, "x = 1\n")


def test_walk_skips_hidden_venvs_and_build_output(tmp_path) -> None:
    _tree(tmp_path)
    found = [os.path.relpath(p, tmp_path) for p in discover([str(tmp_path)])]
    assert found == ["a.py", os.path.join("b", "c.py"), os.path.join("b", "d.ipynb"), "z.py"]


def _walked_by_os_walk(root: str) -> list[str]:
    """The files a walk finds, the slow way: os.walk, then a stat of each candidate (what the walk was before it
    read the entry types from the directory listing)."""
    from rnnlint.discover import SUFFIXES, is_skipped_dir

    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = [d for d in dirs if not is_skipped_dir(os.path.join(folder, d), d)]
        found += [os.path.join(folder, f) for f in files if f.endswith(SUFFIXES)
                  and not os.path.islink(os.path.join(folder, f)) and os.path.isfile(os.path.join(folder, f))]
    return sorted(found)


@pytest.mark.skipif(not hasattr(os, "symlink") or not hasattr(os, "mkfifo"), reason="no symlinks or FIFOs")
def test_walk_reads_entry_types_as_a_stat_would(tmp_path) -> None:
    """Symlinks to files, folders, nothing and loops; a FIFO named like a module; a folder named like a module;
    nested packages: the walk lists what os.walk and a stat of each file list."""
    _tree(tmp_path)
    write(tmp_path, "pkg/sub/deep/m.py", "x = 1\n")
    write(tmp_path, "pkg/sub/n.ipynb", "{}")
    os.makedirs(tmp_path / "folder.py")
    write(tmp_path, "folder.py/inner.py", "x = 1\n")
    os.symlink(tmp_path / "a.py", tmp_path / "link_to_file.py")
    os.symlink(tmp_path / "pkg", tmp_path / "link_to_folder")
    os.symlink(tmp_path / "missing.py", tmp_path / "dangling.py")
    os.symlink("..", tmp_path / "pkg" / "up")
    os.mkfifo(tmp_path / "pipe.py")
    found = discover([str(tmp_path)])
    assert found == _walked_by_os_walk(str(tmp_path))
    assert str(tmp_path / "folder.py" / "inner.py") in found and str(tmp_path / "link_to_file.py") not in found


def test_explicit_files_are_always_linted(tmp_path) -> None:
    _tree(tmp_path)
    explicit = [str(tmp_path / "venv" / "x.py"), str(tmp_path / "b" / "notes.txt")]
    assert discover(explicit) == sorted(os.path.normpath(p) for p in explicit)


def test_explicit_hidden_folder_is_walked(tmp_path) -> None:
    _tree(tmp_path)
    assert discover([str(tmp_path / ".hidden")]) == [str(tmp_path / ".hidden" / "x.py")]


def test_result_is_sorted_and_deduplicated(tmp_path) -> None:
    _tree(tmp_path)
    once = discover([str(tmp_path)])
    twice = discover([str(tmp_path / "z.py"), str(tmp_path), str(tmp_path / "b") + "/", str(tmp_path / "a.py")])
    assert twice == once == sorted(once)


def test_relative_paths_stay_relative(tmp_path, monkeypatch) -> None:
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    assert discover(["."]) == ["a.py", os.path.join("b", "c.py"), os.path.join("b", "d.ipynb"), "z.py"]


def test_missing_path_raises(tmp_path) -> None:
    with pytest.raises(PathNotFound, match="does-not-exist"):
        discover([str(tmp_path / "does-not-exist")])


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symlinks")
def test_symlinked_folders_are_not_followed(tmp_path) -> None:
    write(tmp_path, "pkg/a.py", "x = 1\n")
    os.symlink(tmp_path, tmp_path / "pkg" / "loop")  # a loop back to the root
    assert discover([str(tmp_path)]) == [str(tmp_path / "pkg" / "a.py")]


def test_exclude_matcher(tmp_path, monkeypatch) -> None:
    write(tmp_path, "src/a.py", "")
    write(tmp_path, "tests/data/b.py", "")
    write(tmp_path, "gen_x.py", "")
    monkeypatch.chdir(tmp_path)
    found = discover(["."], exclude_matcher(["tests/data", "gen_*.py"]))
    assert found == [os.path.join("src", "a.py")]


# --- kerasver -----------------------------------------------------------------------------------------------

def _fake_versions(monkeypatch, versions: dict[str, str]) -> None:
    monkeypatch.setattr(kerasver, "installed_version", versions.get)
    kerasver.detect_keras_version.cache_clear()


@pytest.fixture(autouse=False)
def fresh_keras(monkeypatch):
    monkeypatch.delenv("TF_USE_LEGACY_KERAS", raising=False)
    yield monkeypatch
    kerasver.detect_keras_version.cache_clear()


KERAS_CASES = [
    ("explicit-wins", {"keras": "3.15.1"}, None, 2, 2),
    ("keras3", {"keras": "3.15.1"}, None, None, 3),
    ("keras2", {"keras": "2.15.0"}, None, None, 2),
    ("nothing-installed", {}, None, None, 3),
    ("legacy-env", {"keras": "3.15.1", "tf-keras": "2.21.0"}, "1", None, 2),
    ("legacy-env-true", {"keras": "3.15.1", "tf-keras": "2.21.0"}, "true", None, 2),
    ("legacy-env-without-tf-keras", {"keras": "3.15.1"}, "1", None, 3),
    ("legacy-env-off", {"keras": "3.15.1", "tf-keras": "2.21.0"}, "0", None, 3),
]


@pytest.mark.parametrize(("versions", "env", "explicit", "major"), [c[1:] for c in KERAS_CASES],
                         ids=[c[0] for c in KERAS_CASES])
def test_target_keras_major(fresh_keras, versions, env, explicit, major) -> None:
    _fake_versions(fresh_keras, versions)
    if env is not None:
        fresh_keras.setenv("TF_USE_LEGACY_KERAS", env)
    assert kerasver.target_keras_major(explicit) == major


def test_detect_reads_metadata(fresh_keras) -> None:
    _fake_versions(fresh_keras, {"keras": "3.4.0"})
    assert kerasver.detect_keras_version() == "3.4.0"


def test_the_quick_version_lookup_answers_as_importlib_metadata_for_every_installed_distribution() -> None:
    names = {d.metadata["Name"] for d in metadata.distributions()} | {"Keras", "TF_Keras", "no-such-distribution"}
    quick = 0
    for name in sorted(names):
        try:
            expected = metadata.version(name)
        except metadata.PackageNotFoundError:
            expected = None
        answer = kerasver._dist_info_version(name)
        if answer is not None:
            quick += 1
            assert (answer or None) == expected, name
        assert kerasver.installed_version(name) == expected, name
    assert quick >= len(names) - 3  # a plain environment is answered without importlib.metadata


def _dist(folder, name: str, metadata_text: str | None = "Metadata-Version: 2.1\nName: keras\nVersion: 3.1.0\n\nBody") -> None:
    info = folder / name
    info.mkdir(parents=True)
    if metadata_text is not None:
        (info / ("PKG-INFO" if name.endswith(".egg-info") else "METADATA")).write_text(metadata_text, encoding="utf-8")


@pytest.mark.parametrize(("layout", "quick"), [
    ({"a": ["Keras-3.1.0.dist-info"]}, "3.1.0"),  # names compare normalised, as importlib.metadata compares them
    ({"a": [], "b": ["keras-3.1.0.dist-info"]}, "3.1.0"),
    ({"a": ["keras-3.1.0.dist-info"], "b": ["keras-2.0.0.dist-info"]}, "3.1.0"),  # the first folder on sys.path
    ({"a": ["keras-3.1.0.dist-info", "keras-2.0.0.dist-info"]}, None),  # two in one folder: importlib decides
    ({"a": ["keras-3.1.0.egg-info"]}, None),
    ({"a": ["kerasx-3.1.0.dist-info", "tf_keras-2.1.0.dist-info"]}, ""),
    ({"a": []}, ""),
])
def test_the_quick_version_lookup_on_a_made_up_sys_path(tmp_path, monkeypatch, layout, quick) -> None:
    for folder, infos in layout.items():
        (tmp_path / folder).mkdir()
        for info in infos:
            version = info.rsplit(".", 1)[0].split("-", 1)[1]
            _dist(tmp_path / folder, info, f"Metadata-Version: 2.1\nName: {info.split('-')[0]}\nVersion: {version}\n")
    monkeypatch.setattr(sys, "path", [str(tmp_path / folder) for folder in layout])
    assert kerasver._dist_info_version("keras") == quick
    try:
        expected = metadata.version("keras")
    except metadata.PackageNotFoundError:
        expected = None
    assert kerasver.installed_version("keras") == expected
    if quick:
        assert quick == expected


def test_keras_is_never_imported() -> None:
    import subprocess
    import sys

    code = ("import sys; from rnnlint.kerasver import target_keras_major; target_keras_major(); "
            "print('keras' in sys.modules or 'tensorflow' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize("modules, default, major", [
    (["tf_keras"], 3, 2),
    (["tf_keras.layers", "numpy", "tensorflow"], 3, 2),  # tf for tf.data next to tf_keras: still Keras 2 code
    (["tensorflow.python.keras.layers"], 3, 2),
    (["tf_keras", "keras.layers"], 3, 3),  # mixed: the run's target decides
    (["tensorflow"], 3, 3),  # tf.keras follows the installed Keras / TF_USE_LEGACY_KERAS
    (["keras"], 2, 2),
    (["tf_kerasx", "tensorflow.pythonx.keras"], 3, 3),  # prefixes match whole names only
    ([], 3, 3),
])
def test_file_keras_major(modules, default, major) -> None:
    assert kerasver.file_keras_major(modules, default) == major
