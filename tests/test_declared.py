"""The Keras a project declares (rnnlint.declared): every dependency file kind, on small project trees, and the
order of precedence — the flag, then `[tool.rnnlint] target-keras`, then the project, then the installed Keras."""
from __future__ import annotations

import re
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import run_cli
from rnnlint.declared import ProjectKeras

CASES = [
    # (id, {file: text}, expected major or None, expected reason)
    ("requirements-pinned", {"requirements.txt": "numpy\ntensorflow==2.12.0\n"},
     2, "requirements.txt:2: tensorflow==2.12.0"),
    ("requirements-include", {"requirements.txt": "-r requirements/base.txt\n",
                              "requirements/base.txt": "pandas\ntensorflow>=2.16\n"},
     3, "base.txt:2: tensorflow>=2.16"),
    ("requirements-dev-keras2", {"requirements-dev.txt": "keras<3  # the book's code\n"}, 2, "requirements-dev.txt:1: keras<3"),
    ("requirements-wildcard", {"requirements.txt": "tensorflow==2.15.*\n"}, 2, "requirements.txt:1: tensorflow==2.15.*"),
    ("requirements-tf-keras", {"requirements.txt": "tensorflow>=2.16\ntf-keras\n"}, 2, "requirements.txt:2: tf-keras"),
    ("requirements-open", {"requirements.txt": "tensorflow>=2.10\n"}, None, None),
    ("requirements-bare", {"requirements.txt": "tensorflow\n"}, None, None),
    ("requirements-disagree", {"requirements.txt": "tensorflow==2.12\nkeras>=3\n"}, None, None),
    ("pyproject-dependencies", {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["keras>=3.0"]\n'},
     3, "pyproject.toml:3: keras>=3.0"),
    ("pyproject-optional", {"pyproject.toml": '[project]\nname = "x"\n\n[project.optional-dependencies]\n'
                                              'gpu = ["tensorflow[and-cuda]<2.16"]\n'},
     2, "pyproject.toml:5: tensorflow[and-cuda]<2.16"),
    ("pyproject-tf-keras-main", {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["tensorflow>=2.16", '
                                                 '"tf-keras"]\n'}, 2, "pyproject.toml:3: tf-keras"),
    # tf-keras only as a test extra, TensorFlow 2.16+ for the code (rnnlint's own pyproject): not decided
    ("pyproject-tf-keras-test-extra", {"pyproject.toml": '[project]\nname = "x"\n\n[project.optional-dependencies]\n'
                                                       'tensorflow = ["tensorflow>=2.16"]\ntest = ["pytest", '
                                                       '"tf-keras>=2.16"]\n'}, None, None),
    ("pyproject-poetry", {"pyproject.toml": '[tool.poetry.dependencies]\npython = "^3.9"\ntensorflow = "~2.12"\n'},
     2, 'pyproject.toml:3: tensorflow = "~2.12"'),
    ("pyproject-poetry-caret-open", {"pyproject.toml": '[tool.poetry.dependencies]\ntensorflow = "^2.12"\n'},
     None, None),
    ("setup-cfg", {"setup.cfg": "[metadata]\nname = x\n\n[options]\ninstall_requires =\n    numpy\n    keras==2.*\n"},
     2, "setup.cfg:7: keras==2.*"),
    ("setup-py", {"setup.py": 'from setuptools import setup\n\nsetup(name="x", install_requires=["tensorflow>=2.4,<2.11"])\n'},
     2, "setup.py:3: tensorflow>=2.4,<2.11"),
    ("setup-py-not-literal", {"setup.py": 'from setuptools import setup\nsetup(install_requires=open("r").read())\n'},
     None, None),
    ("pipfile", {"Pipfile": '[packages]\nnumpy = "*"\ntensorflow = "==2.13"\n'}, 2, 'Pipfile:3: tensorflow = "==2.13"'),
    ("environment-conda", {"environment.yml": "name: x\ndependencies:\n  - python=3.9\n  - tensorflow=2.12\n"},
     2, "environment.yml:4: tensorflow=2.12"),
    ("environment-pip", {"environment.yml": "name: x\ndependencies:\n  - python=3.11\n  - pip:\n    - keras>=3\n"},
     3, "environment.yml:5: keras>=3"),
    ("environment-broken", {"environment.yml": "dependencies: [tensorflow=2.12\n  : :\n"}, None, None),
    ("nothing-about-keras", {"requirements.txt": "numpy\npandas\n"}, None, None),
]


def _tree(root, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("files, major, reason", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_dependency_file_kind(tmp_path, files, major, reason) -> None:
    _tree(tmp_path, {**files, ".git/HEAD": ""})  # a repository: the walk ends here whatever is above
    declared = ProjectKeras().declared(str(tmp_path / "train.py"))
    assert (declared.major, declared.reason()) == (major, reason) if major else declared is None


def test_the_closest_project_decides_and_the_walk_stops_at_the_repository(tmp_path) -> None:
    _tree(tmp_path, {"requirements.txt": "tensorflow==2.12.0\n", "sub/requirements.txt": "keras>=3\n",
                     "sub/pkg/model.py": "", "other/notes.txt": "", "repo/.git/HEAD": "", "repo/train.py": ""})
    projects = ProjectKeras()
    assert projects.declared(str(tmp_path / "sub" / "pkg" / "model.py")).major == 3
    assert projects.declared(str(tmp_path / "other" / "notes.txt")).major == 2  # from the folder above
    assert projects.declared(str(tmp_path / "repo" / "train.py")) is None  # a repository root ends the walk


PROGRAM = textwrap.dedent("""
    import keras
    model = keras.Sequential([keras.layers.LSTM(8, input_shape=(10,)), keras.layers.Dense(1)])
""").lstrip()


def _summary(tmp_path, *args: str) -> str:
    r = run_cli("--no-confirm", *args, ".", cwd=tmp_path)
    return r.out.splitlines()[-1]


def test_the_summary_line_says_what_it_judged_against_and_why(tmp_path) -> None:
    _tree(tmp_path, {"requirements.txt": "tensorflow==2.12.0\n", "train.py": PROGRAM})
    assert _summary(tmp_path) == \
        "Found 1 problem in 1 file; judged against Keras 2 (requirements.txt:1: tensorflow==2.12.0)."


def test_the_flag_and_the_configuration_win_over_the_project(tmp_path) -> None:
    _tree(tmp_path, {"requirements.txt": "tensorflow==2.12.0\n", "train.py": PROGRAM})
    assert _summary(tmp_path, "--target-keras", "3").endswith("; judged against Keras 3 (--target-keras 3).")
    _tree(tmp_path, {"pyproject.toml": "[tool.rnnlint]\ntarget-keras = 3\n"})
    assert _summary(tmp_path).endswith("; judged against Keras 3 (pyproject.toml [tool.rnnlint]: target-keras = 3).")


def test_without_a_declaration_the_installed_keras_is_named(tmp_path) -> None:
    from importlib import metadata

    _tree(tmp_path, {"train.py": PROGRAM})
    r = run_cli("--no-confirm", ".", cwd=tmp_path)  # (run_cli leaves TF_USE_LEGACY_KERAS out)
    assert r.out.splitlines()[-1].endswith(f"; judged against Keras 3 (installed keras {metadata.version('keras')}).")


def test_json_and_sarif_carry_it(tmp_path) -> None:
    import json

    _tree(tmp_path, {"environment.yml": "dependencies:\n  - tensorflow=2.12\n", "train.py": PROGRAM})
    [finding] = json.loads(run_cli("--no-confirm", "--format", "json", ".", cwd=tmp_path).out)
    assert finding["keras"] == {"major": 2, "reason": "environment.yml:2: tensorflow=2.12"}
    sarif = json.loads(run_cli("--no-confirm", "--format", "sarif", ".", cwd=tmp_path).out)
    [run] = sarif["runs"]
    assert run["properties"]["kerasTargets"] == [{"major": 2, "reason": "environment.yml:2: tensorflow=2.12",
                                                  "files": 1}]
    assert run["results"][0]["properties"]["keras"]["major"] == 2
    assert re.fullmatch(r"RNN\d{3}", run["results"][0]["ruleId"])


# --- reading one requirement: the quick path for `name` + version clauses agrees with packaging's Requirement --

def _by_requirement(text: str):
    """What packaging.requirements.Requirement reads from the line: (normalised name, specifier), or None."""
    from packaging.requirements import InvalidRequirement, Requirement

    from rnnlint.declared import _normalise

    try:
        parsed = Requirement(text.strip())
    except InvalidRequirement:
        return None
    return _normalise(parsed.name), str(parsed.specifier)


_PIECES = ["tensorflow", "keras", "tf-keras", "tf_keras", "Keras", "tensorflow-cpu", "tensorflow-datasets", "a", "a.b",
           "-x", "x-", "9", "==", "===", ">=", "<=", "<", ">", "!=", "~=", "=", "=>", "2", "2.4", "2.16.1", "2.*",
           "2.4.*", "3.0rc1", "1.0+cpu", "1!2.0", "v2", "latest", ",", " ", "  ", "\t", "[and-cuda]", "[", "]", "(",
           ")", ";", "; python_version < '3.9'", "@ https://example.com/x.whl", "#", ".", "*", "-", "_", "+"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=7))
def test_a_requirement_reads_as_packaging_reads_it(pieces) -> None:
    """rnnlint.declared reads `name` + version clauses (most lines) without importing packaging.requirements; every
    line, of that shape or not, gives what Requirement gives: the same name and specifier, or no requirement — and
    none for another package than Keras, tf-keras or TensorFlow (nothing is read from those)."""
    from rnnlint.declared import _RELEVANT, _requirement

    text = "".join(pieces)
    found = _requirement(text, "requirements.txt", 1)
    expected = _by_requirement(text)
    if expected is not None and expected[0] not in _RELEVANT:
        expected = None
    assert ((found.name, found.specifier) if found is not None else None) == expected, text


@pytest.mark.parametrize("text", ["tensorflow==2.12.0", "keras >= 3.0, < 4", "tf-keras", "tensorflow~=2.12.0",
                                  "Keras==2.2.0", "tensorflow-gpu===1.15.0", "keras==2.*"])
def test_a_plain_requirement_does_not_import_packaging_requirements(text) -> None:
    """The quick path is taken for plain lines (measured: ~30 ms of import a run does not pay)."""
    import subprocess
    import sys

    code = ("import sys\nfrom rnnlint.declared import _requirement\n"
            f"found = _requirement({text!r}, 'requirements.txt', 1)\n"
            "print(found.name, found.specifier, 'packaging.requirements' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out[-1] == "False" and (out[0], out[1] if len(out) == 3 else "") == _by_requirement(text)


def test_requirements_that_include_each_other_are_read_once_each(tmp_path):
    """`-r` includes in a cycle end; the requirements of both files are read, and `requirement_files` (what a
    replayed run checks) names each file once, an include that does not exist too."""
    from rnnlint.declared import requirement_files, requirements_txt

    (tmp_path / "a.txt").write_text("-r b.txt\nkeras==3.3.0\n")
    (tmp_path / "b.txt").write_text("-r a.txt\n-r missing.txt\ntensorflow>=2.16\n")
    assert sorted(r.name for r in requirements_txt(str(tmp_path / "a.txt"))) == ["keras", "tensorflow"]
    assert requirement_files(str(tmp_path / "a.txt")) == [str(tmp_path / name) for name in ("a.txt", "b.txt",
                                                                                             "missing.txt")]


@pytest.mark.parametrize("name, read", [
    ("requirements.txt", True), ("requirements-dev.txt", True), ("Requirements_GPU.TXT", True),
    ("requirements.in", False), ("dev-requirements.txt", False), ("requirements.txt.bak", False),
    ("requirements", False), ("requirements\n.txt", False), ("setup.cfg", False),
])
def test_which_files_are_requirements_files(name, read):
    """requirements*.txt in any case: what the dependency reader reads and a replayed run checks."""
    from rnnlint.depfiles import is_requirements_name

    assert is_requirements_name(name) is read
