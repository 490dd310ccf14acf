"""Which Keras a project declares it runs on, read from its dependency files (never executed).

Walking up from a linted file's folder, the first folder that has a dependency file naming TensorFlow, Keras or
tf-keras decides: `pyproject.toml` (`[project] dependencies`, its optional groups, `[dependency-groups]`,
Poetry's tables), `requirements*.txt` (following `-r` includes), `setup.cfg` (`install_requires`,
`extras_require`), `setup.py` (literal `install_requires` / `extras_require` of `setup(...)`), `Pipfile` and
conda's `environment.yml` (its `pip:` list too). The walk stops at a repository root (a `.git`).

A requirement decides the major version when every release it allows is on one side: `keras<3`, `keras==2.*`,
`tensorflow<2.16` or `tensorflow==2.15.*` mean Keras 2, `keras>=3` or `tensorflow>=2.16` Keras 3, and `tf-keras`
always Keras 2. `tf-keras` wins, then `keras`, then `tensorflow`; requirements that disagree, or allow both
sides (`tensorflow>=2.10`, a bare `tensorflow`), decide nothing.
"""
from __future__ import annotations

import ast
import configparser
import dataclasses
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # packaging is imported when a requirement is read (~25 ms a run that has none does not pay)
    from packaging.version import Version

from rnnlint.depfiles import DEPENDENCY_FILES, is_requirements_name
from rnnlint.kerasver import KerasChoice

KERAS, TF_KERAS = "keras", "tf-keras"
TENSORFLOW = frozenset({"tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tensorflow-macos", "tensorflow-intel",
                        "tensorflow-aarch64", "tensorflow-rocm", "intel-tensorflow"})
FIRST_KERAS3_TENSORFLOW = "2.16"  # TensorFlow 2.16 made tf.keras Keras 3
_RELEVANT = frozenset({KERAS, TF_KERAS, *TENSORFLOW})  # the packages that declare a Keras (all else is not read)

# Releases a specifier is tried against (its allowed ones decide); every boundary that matters is here.
KERAS_RELEASES = ((
    "0.3.3", "1.0.0", "1.2.2", "2.0.0", "2.0.9", "2.1.6", "2.2.0", "2.2.4", "2.2.5", "2.3.0", "2.3.1", "2.4.0",
    "2.4.3", "2.6.0", "2.7.0", "2.8.0", "2.9.0", "2.10.0", "2.11.0", "2.12.0", "2.13.1", "2.14.0", "2.15.0",
    "3.0.0", "3.0.5", "3.1.0", "3.3.3", "3.5.0", "3.6.0", "3.8.0", "3.10.0", "3.12.0", "3.15.0", "4.0.0"))
TENSORFLOW_RELEASES = ((
    "1.0.0", "1.4.0", "1.8.0", "1.12.0", "1.13.1", "1.14.0", "1.15.0", "1.15.5", "2.0.0", "2.1.0", "2.2.0",
    "2.3.0", "2.4.0", "2.4.1", "2.5.0", "2.6.0", "2.7.0", "2.8.0", "2.9.0", "2.10.0", "2.11.0", "2.12.0",
    "2.13.0", "2.14.0", "2.15.0", "2.15.1", "2.16.1", "2.16.2", "2.17.0", "2.18.0", "2.19.0", "2.20.0",
    "2.21.0", "3.0.0"))

MAX_FILE_BYTES = 1_000_000  # a dependency file larger than this is not read


@dataclass(frozen=True)
class Dependency:
    """One requirement as written: the package (normalised), its specifier, and where it was read."""

    name: str
    specifier: str
    text: str
    path: str
    line: int | None = None
    group: str = ""  # the optional group or extra it is listed in ("": the main dependencies, a requirements file)


@dataclass(frozen=True)
class Declared:
    """The Keras a project declares: its major version and the requirement that says so (for messages).
    `package` is "keras", "tf-keras" or "tensorflow"; `versions` are the releases its specifier allows."""

    major: int
    requirement: Dependency
    package: str
    versions: tuple[Version, ...] = field(default=(), compare=False)

    def choice(self) -> KerasChoice:
        """The KerasChoice this declaration makes (with the releases it allows)."""
        return KerasChoice(self.major, self.reason(), self.package, tuple(str(v) for v in self.versions))

    def reason(self) -> str:
        """`requirements.txt: tensorflow==2.12.0` (the file's name and the requirement as written)."""
        where = os.path.basename(self.requirement.path)
        line = f":{self.requirement.line}" if self.requirement.line else ""
        return f"{where}{line}: {self.requirement.text}"


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@lru_cache(maxsize=None)
def _versions(releases: tuple[str, ...]) -> tuple[Version, ...]:
    from packaging.version import Version

    return tuple(Version(v) for v in releases)


# A requirement that is a name and version clauses only (`tensorflow>=2.4,<2.16`, `keras == 2.*`), as most are, is
# read with packaging.specifiers alone: packaging.requirements (markers, URLs, extras) costs ~30 ms to import, paid on
# the way to a run's first file. Anything else, or a clause SpecifierSet rejects, is Requirement's to read.
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_CLAUSE = r"(?:~=|===|==|!=|<=|>=|<|>)\s*[A-Za-z0-9.*+!_-]+"
_SIMPLE_REQUIREMENT = re.compile(rf"({_NAME})\s*((?:{_CLAUSE})(?:\s*,\s*{_CLAUSE})*)?")
_LEADING_NAME = re.compile(_NAME)


def _requirement(text: str, path: str, line: int | None) -> Dependency | None:
    """The requirement `text` declares when it is one of Keras, tf-keras or TensorFlow (None for another package's:
    nothing is read from those, not even whether they are well formed)."""
    text = text.strip()
    leading = _LEADING_NAME.match(text)
    if leading is not None and _normalise(leading.group()) not in _RELEVANT:
        return None
    simple = _SIMPLE_REQUIREMENT.fullmatch(text)
    if simple is not None:
        from packaging.specifiers import InvalidSpecifier, SpecifierSet

        try:
            specifier = SpecifierSet(simple.group(2) or "")
        except InvalidSpecifier:
            pass
        else:
            return Dependency(_normalise(simple.group(1)), str(specifier), text, path, line)
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        parsed = Requirement(text)
    except InvalidRequirement:
        return None
    name = _normalise(parsed.name)
    return Dependency(name, str(parsed.specifier), text, path, line) if name in _RELEVANT else None


# --- the file kinds ---------------------------------------------------------------------------------------------

def _read(path: str) -> str | None:
    try:
        if os.path.getsize(path) > MAX_FILE_BYTES:
            return None
        with open(path, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def _requirement_lines(text: str) -> Iterator[tuple[int, str]]:
    """(number, line) of a requirements file's lines that say something (continuations joined, comments cut)."""
    joined = re.sub(r"\\\r?\n", " ", text)  # line continuations
    for number, raw in enumerate(joined.splitlines(), start=1):
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if line:
            yield number, line


def _included(path: str, line: str) -> str | None:
    """The file a `-r`/`--requirement` line of the requirements file `path` includes."""
    include = re.match(r"^(?:-r|--requirement)(?:\s+|=)(\S+)", line)
    return os.path.join(os.path.dirname(path), include.group(1)) if include else None


def _requirement_walk(path: str, seen: frozenset[str] = frozenset()) -> Iterator[tuple[str, int, str]]:
    """(file, number, line) of a requirements file's lines, its `-r`/`--requirement` includes read in their place
    (each file once along an include chain): first (file, 0, "") for each file reached, read or not."""
    path = os.path.abspath(path)
    if path in seen:
        return
    yield path, 0, ""
    for number, line in _requirement_lines(_read(path) or ""):
        include = _included(path, line)
        if include is not None:
            yield from _requirement_walk(include, seen | {path})
        else:
            yield path, number, line


def requirement_files(path: str) -> list[str]:
    """The files reading the requirements file `path` reads: itself and its includes (absolute, each once)."""
    return list(dict.fromkeys(file for file, number, _ in _requirement_walk(path) if number == 0))


def requirements_txt(path: str) -> Iterator[Dependency]:
    """A pip requirements file, with its `-r`/`--requirement` includes."""
    for file, number, line in _requirement_walk(path):
        if number == 0 or line.startswith("-"):
            continue  # a file reached; -e, -c, --index-url…
        found = _requirement(line.split(" --", 1)[0], file, number)
        if found is not None:
            yield found


def _toml(path: str) -> dict:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    text = _read(path)
    if text is None:
        return {}
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return {}


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _line_of(text: str | None, needle: str) -> int | None:
    if not text:
        return None
    at = text.find(needle)
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def pyproject(path: str) -> Iterator[Dependency]:
    """PEP 621 dependencies and optional dependencies, PEP 735 dependency groups, and Poetry's tables."""
    data = _toml(path)
    text = _read(path)
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    written = [(item, "") for item in _strings(project.get("dependencies"))]
    for table in (project.get("optional-dependencies"), data.get("dependency-groups")):
        for name, group in (table.items() if isinstance(table, dict) else ()):
            written += [(item, str(name)) for item in _strings(group)]
    for item, group in written:
        found = _requirement(item, path, _line_of(text, item))
        if found is not None:
            yield dataclasses.replace(found, group=group)
    poetry = data.get("tool", {}).get("poetry", {}) if isinstance(data.get("tool"), dict) else {}
    if isinstance(poetry, dict):
        tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
        group = poetry.get("group")
        if isinstance(group, dict):
            tables += [g.get("dependencies") for g in group.values() if isinstance(g, dict)]
        for table in tables:
            yield from _name_to_constraint(table, path, text, poetry_syntax=True)


def _poetry_specifier(constraint: str) -> str | None:
    """Poetry's `^2.12`, `~2.12`, `2.12.0`, `*`, or a PEP 440 specifier, as a PEP 440 specifier."""
    constraint = constraint.strip()
    if constraint in ("*", ""):
        return ""
    caret = re.fullmatch(r"\^(\d+)(?:\.(\d+))?(?:\.(\d+))?", constraint)
    if caret:
        parts = [int(p) for p in caret.groups() if p is not None]
        first = next((i for i, p in enumerate(parts) if p != 0), len(parts) - 1)
        upper = parts[: first + 1]
        upper[-1] += 1
        return f">={'.'.join(map(str, parts))},<{'.'.join(map(str, upper))}"
    tilde = re.fullmatch(r"~(\d+)(?:\.(\d+))?(?:\.(\d+))?", constraint)
    if tilde:
        parts = [int(p) for p in tilde.groups() if p is not None]
        upper = parts[:2] if len(parts) > 1 else parts[:1]
        upper[-1] += 1
        return f">={'.'.join(map(str, parts))},<{'.'.join(map(str, upper))}"
    if re.fullmatch(r"\d+(\.\d+)*(\.\*)?", constraint):
        return f"=={constraint}"
    return constraint


def _name_to_constraint(table: object, path: str, text: str | None, poetry_syntax: bool) -> Iterator[Dependency]:
    """A TOML table of `name = "constraint"` or `name = {version = "..."}` (Poetry, Pipfile)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    if not isinstance(table, dict):
        return
    for name, value in table.items():
        if isinstance(value, dict):
            value = value.get("version", "*")
        if not isinstance(name, str) or not isinstance(value, str):
            continue
        spec = _poetry_specifier(value) if poetry_syntax else ("" if value.strip() == "*" else value.strip())
        if spec is None:
            continue
        try:
            SpecifierSet(spec)
        except InvalidSpecifier:
            continue
        line = None
        if text:
            match = re.search(rf"(?m)^\s*[\"']?{re.escape(name)}[\"']?\s*=", text)
            line = text.count("\n", 0, match.start()) + 1 if match else None
        yield Dependency(_normalise(name), spec, f'{name} = "{value}"', path, line)


def pipfile(path: str) -> Iterator[Dependency]:
    data = _toml(path)
    text = _read(path)
    for table in ("packages", "dev-packages"):
        yield from _name_to_constraint(data.get(table), path, text, poetry_syntax=False)


def setup_cfg(path: str) -> Iterator[Dependency]:
    text = _read(path)
    if text is None:
        return
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return
    values: list[str] = []
    if parser.has_option("options", "install_requires"):
        values.append(parser.get("options", "install_requires"))
    if parser.has_section("options.extras_require"):
        values += [parser.get("options.extras_require", k) for k in parser.options("options.extras_require")]
    for value in values:
        for item in value.replace(";", "\n;").splitlines():
            item = item.strip()
            if item and not item.startswith(";"):
                found = _requirement(item, path, _line_of(text, item))
                if found is not None:
                    yield found


def setup_py(path: str) -> Iterator[Dependency]:
    """`install_requires=[...]` and `extras_require={...: [...]}` written as literals in a `setup(...)` call."""
    text = _read(path)
    if text is None:
        return
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg not in ("install_requires", "extras_require"):
                continue
            try:
                value = ast.literal_eval(keyword.value)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                continue
            items = value if isinstance(value, (list, tuple)) else (
                [i for group in value.values() if isinstance(group, (list, tuple)) for i in group]
                if isinstance(value, dict) else [])
            for item in items:
                if isinstance(item, str):
                    found = _requirement(item, path, _line_of(text, item))
                    if found is not None:
                        yield found


def _conda_spec(item: str) -> str | None:
    """A conda match spec (`tensorflow=2.12`, `conda-forge::keras>=2.4`, `tensorflow 2.12.*`) as a PEP 508
    requirement; None for what cannot be one."""
    item = item.split("::", 1)[-1].strip()
    match = re.fullmatch(r"([A-Za-z0-9_.\-]+)\s*(.*)", item)
    if not match:
        return None
    name, spec = match.group(1), match.group(2).strip()
    if not spec:
        return name
    single = re.fullmatch(r"=?\s*(\d[\w.]*?)(\.\*)?(=[\w.*]+)?", spec)  # `=2.12`, `2.12.*`, `=2.12.0=py39h…`
    if single and not spec.startswith("=="):
        return f"{name}=={single.group(1)}.*"
    return f"{name}{spec.split('=', 2)[0] if spec.count('=') > 2 else spec}"


def environment_yml(path: str) -> Iterator[Dependency]:
    text = _read(path)
    if text is None:
        return
    try:
        import yaml

        data = yaml.safe_load(text)
    except Exception:  # noqa: BLE001 - any malformed YAML: nothing declared
        return
    dependencies = data.get("dependencies") if isinstance(data, dict) else None
    if not isinstance(dependencies, list):
        return
    for item in dependencies:
        if isinstance(item, str):
            converted = _conda_spec(item)
            found = _requirement(converted, path, _line_of(text, item)) if converted else None
            found = dataclasses.replace(found, text=item.strip()) if found is not None else None
        elif isinstance(item, dict) and isinstance(item.get("pip"), list):
            for pip_item in _strings(item["pip"]):
                found = _requirement(pip_item, path, _line_of(text, pip_item))
                if found is not None:
                    yield found
            continue
        else:
            continue
        if found is not None:
            yield found


READERS = dict(zip(DEPENDENCY_FILES, (pyproject, setup_cfg, setup_py, pipfile, environment_yml, environment_yml)))


def folder_requirements(folder: str) -> list[Dependency]:
    """Every Keras, tf-keras or TensorFlow requirement the dependency files in `folder` itself declare (in a fixed
    file order)."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    found: list[Dependency] = []
    for name in names:
        path = os.path.join(folder, name)
        if name in READERS and os.path.isfile(path):
            found += READERS[name](path)
        elif is_requirements_name(name) and os.path.isfile(path):
            found += requirements_txt(path)
    return found


# --- deciding -------------------------------------------------------------------------------------------------

def _allowed(requirement: Dependency, releases: tuple[str, ...]) -> tuple[Version, ...]:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        spec = SpecifierSet(requirement.specifier)
    except InvalidSpecifier:
        return ()
    return tuple(v for v in _versions(releases) if spec.contains(v, prereleases=False))


def choice_from_requirement(text: str, path: str = "requirements.txt") -> KerasChoice | None:
    """The Keras one requirement line (`tensorflow==2.4.0`) declares, as a project with only that line would."""
    dependency = _requirement(text, path, 1)
    declared = decide([dependency]) if dependency is not None else None
    return declared.choice() if declared is not None else None


def decide(requirements: list[Dependency]) -> Declared | None:
    """The Keras major version these requirements pin down, or None (see the module docstring)."""
    relevant = [r for r in requirements if r.name in _RELEVANT]
    legacy = next((r for r in relevant if r.name == TF_KERAS), None)
    decided: list[Declared] = []
    for requirement in (r for r in relevant if r.name != TF_KERAS):
        if requirement.name == KERAS:
            versions = _allowed(requirement, KERAS_RELEASES)
            majors = {3 if v.major >= 3 else 2 for v in versions}
            package = "keras"
        else:
            versions = _allowed(requirement, TENSORFLOW_RELEASES)
            majors = {3 if v >= _versions((FIRST_KERAS3_TENSORFLOW,))[0] else 2 for v in versions}
            package = "tensorflow"
        if len(majors) == 1:
            decided.append(Declared(majors.pop(), requirement, package, versions))
    if legacy is not None:  # tf-keras is Keras 2 (with TensorFlow >= 2.16: TF_USE_LEGACY_KERAS) — unless it is only
        # an optional group's (a test extra) while the project's Keras-3 requirement is elsewhere: then undecided
        threes = [d for d in decided if d.major == 3]
        if not threes or legacy.group == "" or any(d.requirement.group == legacy.group for d in threes):
            return Declared(2, legacy, "tf-keras")
        return None
    if not decided or len({d.major for d in decided}) > 1:
        return None
    return next((d for d in decided if d.package == "keras"), decided[0])


class ProjectKeras:
    """Finds the declared Keras of each folder's project, reading each folder's files once (one per run)."""

    def __init__(self) -> None:
        self._by_folder: dict[str, tuple[bool, Declared | None]] = {}
        self._closest: dict[str, Declared | None] = {}  # a file's folder → what decides for it

    def _folder(self, folder: str) -> tuple[bool, Declared | None]:
        """(whether this folder's files name TensorFlow/Keras at all, what they decide)."""
        if folder not in self._by_folder:
            requirements = folder_requirements(folder)
            names = any(r.name in _RELEVANT for r in requirements)
            self._by_folder[folder] = (names, decide(requirements) if names else None)
        return self._by_folder[folder]

    def declared(self, path: str) -> Declared | None:
        """The Keras declared for the file or folder `path`: the closest folder above it whose dependency files
        name TensorFlow, Keras or tf-keras decides (None when they leave it open, or none does)."""
        start = os.path.abspath(path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path)))
        if start not in self._closest:
            self._closest[start] = self._walk_up(start)
        return self._closest[start]

    def _walk_up(self, folder: str) -> Declared | None:
        while True:
            names, decided = self._folder(folder)
            if names:
                return decided
            parent = os.path.dirname(folder)
            if parent == folder or os.path.exists(os.path.join(folder, ".git")):
                return None
            folder = parent
