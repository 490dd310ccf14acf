"""Configuration files: `[tool.rnnlint]` in pyproject.toml, or a standalone rnnlint.toml (same keys, top level).

Finding it, as ruff does: each linted file uses the closest configuration above it — walking up from its folder,
the first folder with an `rnnlint.toml`, or a `pyproject.toml` that has a `[tool.rnnlint]` table (rnnlint.toml
wins in the same folder). Patterns (`exclude`, `per-file-ignores`) are relative to that file's folder. Run-wide
options (`confirm`, `fail-on`, `respect-gitignore`) come from the configuration of the first path given (or of
the working folder). `--config PATH` uses one file for everything; `--isolated` reads none.

Command-line options override the file: `--select` replaces the file's whole selection (its `select`,
`extend-select` and `ignore`); `--extend-select` and `--ignore` add to it (a code named by `--extend-select`
is taken out of the file's `ignore`); `--no-confirm`, `--fail-on`, `--target-keras` win over the file.

Every key is checked: an unknown key, a value of the wrong type or an unknown rule code is a `ConfigError`,
reported as `rnnlint: <file>: [tool.rnnlint] <key>: expected …` with exit status 2.

`.gitignore` files (from the folder being walked up to the repository root) are respected while walking
folders (`respect-gitignore`, `--no-respect-gitignore`), matched with pathspec (a runtime dependency).
"""
from __future__ import annotations

import dataclasses
import difflib
import fnmatch
import os
import sys
from dataclasses import dataclass
from typing import Any

from rnnlint.declared import ProjectKeras
from rnnlint.kerasver import explicit_choice
from rnnlint.settings import Settings, unknown_selectors

PYPROJECT, STANDALONE = "pyproject.toml", "rnnlint.toml"
SEVERITIES = ("error", "warning", "info")

KEYS: dict[str, str] = {  # key → what it expects (for messages and docs)
    "select": "a list of rule codes, prefixes or names",
    "extend-select": "a list of rule codes, prefixes or names",
    "ignore": "a list of rule codes, prefixes or names",
    "exclude": "a list of glob patterns",
    "extend-exclude": "a list of glob patterns",
    "per-file-ignores": "a table of glob pattern = list of rule codes",
    "confirm": "true or false",
    "confirm-timeout": "a number of seconds greater than 0",
    "target-keras": "2 or 3",
    "fail-on": "one of \"error\", \"warning\", \"info\"",
    "respect-gitignore": "true or false",
    "force-exclude": "true or false",
    "vanishing-gradient-timesteps": "a whole number of time steps greater than 0 (RNN008's threshold)",
}


class ConfigError(Exception):
    """An unreadable or invalid configuration file; the message names the file and the key."""


@dataclass(frozen=True)
class Config:
    """One configuration file's values (None = not set there). `root` is the folder patterns are relative to."""

    path: str | None = None
    root: str = "."
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    confirm: bool | None = None
    confirm_timeout: float | None = None
    target_keras: int | None = None
    fail_on: str | None = None
    respect_gitignore: bool | None = None
    force_exclude: bool | None = None
    vanishing_gradient_timesteps: int | None = None


EMPTY = Config()


_TOML_CACHE: dict[str, tuple[tuple[int, int], dict]] = {}  # path → ((mtime_ns, size), data): for long-lived servers


def _load_toml(path: str) -> dict:
    try:
        info = os.stat(path)
        stamp = (info.st_mtime_ns, info.st_size)
    except OSError:
        stamp = None
    cached = _TOML_CACHE.get(path)
    if stamp is not None and cached is not None and cached[0] == stamp:
        return cached[1]
    data = _parse_toml(path)
    if stamp is not None:
        _TOML_CACHE[path] = (stamp, data)
    return data


def _parse_toml(path: str) -> dict:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{_display(path)}: cannot read: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{_display(path)}: invalid TOML: {exc}") from None


def _display(path: str) -> str:
    relative = os.path.relpath(path)
    return relative if not relative.startswith("..") else path


def _table(path: str) -> dict | None:
    """The rnnlint table of a config file, or None when a pyproject.toml has none."""
    data = _load_toml(path)
    if os.path.basename(path) == PYPROJECT:
        table = data.get("tool", {}).get("rnnlint") if isinstance(data.get("tool"), dict) else None
        if table is None:
            return None
        if not isinstance(table, dict):
            raise ConfigError(f"{_display(path)}: [tool.rnnlint]: expected a table")
        return table
    return data


def _type_name(value: object) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


def parse(table: dict, path: str) -> Config:
    """Validate one rnnlint table. Raises ConfigError naming the file, the key and what was expected."""
    where = f"{_display(path)}: [tool.rnnlint]" if os.path.basename(path) == PYPROJECT else _display(path) + ":"

    def fail(key: str, problem: str) -> ConfigError:
        return ConfigError(f"{where} {key}: {problem}")

    def expected(key: str, value: object) -> ConfigError:
        return fail(key, f"expected {KEYS[key]}, got {_type_name(value)} ({value!r})")

    def strings(key: str, value: object) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise expected(key, value)
        return tuple(value)

    def codes(key: str, value: object) -> tuple[str, ...]:
        selectors = strings(key, value)
        unknown = unknown_selectors(selectors)
        if unknown:
            raise fail(key, f"expected rule codes, prefixes or names, got unknown {unknown[0]!r} "
                            "(see rnnlint --list-rules)")
        return selectors

    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            close = difflib.get_close_matches(key.replace("_", "-"), KEYS, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise fail(key, f"unknown key ({hint}expected one of: {', '.join(KEYS)})")
        if key in ("select", "extend-select", "ignore"):
            values[key.replace("-", "_")] = codes(key, value)
        elif key in ("exclude", "extend-exclude"):
            values.setdefault("exclude", ())
            values["exclude"] += strings(key, value)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise expected(key, value)
            pairs = []
            for pattern, listed in value.items():
                if not isinstance(listed, list) or not all(isinstance(v, str) for v in listed):
                    raise fail(f"{key}.{pattern!r}" if not pattern.isidentifier() else f"{key}.{pattern}",
                               f"expected a list of rule codes, got {_type_name(listed)} ({listed!r})")
                pairs.append((pattern, codes(key, listed)))
            values["per_file_ignores"] = tuple(pairs)
        elif key in ("confirm", "respect-gitignore", "force-exclude"):
            if not isinstance(value, bool):
                raise expected(key, value)
            values[key.replace("-", "_")] = value
        elif key == "confirm-timeout":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise expected(key, value)
            values["confirm_timeout"] = float(value)
        elif key == "target-keras":
            if isinstance(value, bool) or value not in (2, 3):
                raise expected(key, value)
            values["target_keras"] = value
        elif key == "vanishing-gradient-timesteps":
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise expected(key, value)
            values["vanishing_gradient_timesteps"] = value
        elif key == "fail-on":
            if value not in SEVERITIES:
                raise expected(key, value)
            values["fail_on"] = value
    return Config(path=path, root=os.path.dirname(os.path.abspath(path)), **values)


def load(path: str) -> Config:
    """Read and validate a configuration file (a pyproject.toml without [tool.rnnlint] gives EMPTY)."""
    table = _table(path)
    if table is None:
        return dataclasses.replace(EMPTY, root=os.path.dirname(os.path.abspath(path)))
    return parse(table, path)


def _own_config(folder: str) -> str | None:
    """The configuration file in `folder` itself (rnnlint.toml, else a pyproject.toml with [tool.rnnlint])."""
    standalone = os.path.join(folder, STANDALONE)
    if os.path.isfile(standalone):
        return standalone
    pyproject = os.path.join(folder, PYPROJECT)
    if os.path.isfile(pyproject) and _table(pyproject) is not None:
        return pyproject
    return None


def find(start: str) -> str | None:
    """The closest configuration file at or above the folder `start` (absolute or relative), or None."""
    folder = os.path.abspath(start)
    while True:
        own = _own_config(folder)
        if own is not None:
            return own
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


# ---------------------------------------------------------------------------------------------------------
# Globs relative to a folder

def _relative(path: str, root: str) -> str | None:
    relative = os.path.relpath(os.path.abspath(path), root)
    if relative == os.curdir:
        return ""
    if relative.startswith(os.pardir + os.sep) or relative == os.pardir:
        return None
    return relative.replace(os.sep, "/")


def glob_match(relative: str, pattern: str) -> bool:
    """Whether a path (relative to the config's folder, '/'-separated) matches a pattern: the whole relative
    path, its base name, or one of its parent folders (`tests` and `tests/` match everything under tests/)."""
    pattern = pattern.strip().replace("\\", "/").rstrip("/")
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if not pattern:
        return False
    candidates = [pattern] + ([pattern[3:]] if pattern.startswith("**/") else [])
    base = relative.rsplit("/", 1)[-1]
    for p in candidates:
        if fnmatch.fnmatchcase(relative, p) or fnmatch.fnmatchcase(base, p) or relative.startswith(p + "/"):
            return True
        if p.endswith("/**") and (relative == p[:-3] or relative.startswith(p[:-2])):
            return True
    parts = relative.split("/")
    return any(fnmatch.fnmatchcase("/".join(parts[:i]), pattern) for i in range(1, len(parts)))


# ---------------------------------------------------------------------------------------------------------
# .gitignore (pathspec)

class _GitIgnore:
    """Answers "is this path ignored by a .gitignore?" from the .gitignore files between it and the repository
    root (the closest folder with a .git entry; without one, up to the filesystem root). Deeper files win."""

    def __init__(self) -> None:
        self.pathspec: Any = None  # the module, imported when the run first finds a .gitignore; False: missing
        self._specs: dict[str, Any] = {}
        self._chains: dict[str, tuple[tuple[str, Any], ...]] = {}

    def _library(self) -> Any:
        if self.pathspec is None:
            try:
                import pathspec  # a runtime dependency
            except ImportError:  # a source checkout run without installing: lint, and say what is not respected
                pathspec = False
                sys.stderr.write("rnnlint: note: pathspec is not installed, so .gitignore files are not read "
                                 "(pip install pathspec, or pip install -e . in the rnnlint clone)\n")
            self.pathspec = pathspec
        return self.pathspec

    def _spec(self, folder: str):
        if folder not in self._specs:
            path = os.path.join(folder, ".gitignore")
            spec = None
            if os.path.isfile(path) and self._library():
                try:
                    with open(path, encoding="utf-8", errors="replace") as handle:
                        spec = self.pathspec.GitIgnoreSpec.from_lines(handle.read().splitlines())
                except (OSError, ValueError, TypeError):
                    spec = None
            self._specs[folder] = spec
        return self._specs[folder]

    def _chain(self, folder: str) -> tuple[tuple[str, Any], ...]:
        """(folder, spec) of each .gitignore from the repository root down to `folder`."""
        if folder not in self._chains:
            parent = os.path.dirname(folder)
            top = parent == folder or os.path.exists(os.path.join(folder, ".git"))
            above = () if top else self._chain(parent)
            spec = self._spec(folder)
            self._chains[folder] = above + (((folder, spec),) if spec is not None else ())
        return self._chains[folder]

    def applies(self, folder: str) -> bool:
        """Whether a .gitignore may decide for the entries of the absolute `folder`."""
        return bool(self._chain(folder))

    def ignored(self, path: str) -> bool:
        path = os.path.abspath(path)
        chain = self._chain(os.path.dirname(path))
        if not chain:  # no .gitignore above this file: nothing to ask (and no stat)
            return False
        is_dir = os.path.isdir(path)
        decision = False
        for folder, spec in chain:
            relative = os.path.relpath(path, folder).replace(os.sep, "/") + ("/" if is_dir else "")
            result = spec.check_file(relative)
            if result.include is not None:
                decision = bool(result.include)
        return decision


# ---------------------------------------------------------------------------------------------------------
# Per-path settings

@dataclass(frozen=True)
class Overrides:
    """What the command line said, on top of the configuration files."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    target_keras: int | None = None


class Resolver:
    """Per-path settings and exclusion for one run: reads each folder's configuration file once, as the run meets
    it (the mutable half of the configuration; Settings stays a frozen value)."""

    def __init__(self, base: Settings, overrides: Overrides, config_file: str | None = None,
                 isolated: bool = False, respect_gitignore: bool | None = None, force_exclude: bool = False) -> None:
        self.base = base
        self.overrides = overrides
        self.isolated = isolated
        self.fixed = load(config_file) if config_file is not None else None
        self.respect_gitignore = respect_gitignore
        self.force_exclude = force_exclude
        self._by_folder: dict[str, Config] = {}
        self._settings: dict[Config, Settings] = {}
        self._gitignore: _GitIgnore | None = None
        self._open_folders: dict[str, bool] = {}  # folder (as the walk spells it) → nothing can exclude its entries
        self._projects = ProjectKeras()  # the Keras each project declares (rnnlint.declared)
        self._with_declared: dict[tuple, Settings] = {}
        self.target_reason: str | None = None  # why a target-keras override was given (None: the command line)

    # -- which configuration --
    def config_for_folder(self, folder: str) -> Config:
        if self.isolated:
            return EMPTY
        if self.fixed is not None:
            return self.fixed
        folder = os.path.abspath(folder)
        if folder not in self._by_folder:  # this folder's own file, else its parent's configuration
            own = _own_config(folder)
            if own is not None:
                self._by_folder[folder] = load(own)
            else:
                parent = os.path.dirname(folder)
                self._by_folder[folder] = EMPTY if parent == folder else self.config_for_folder(parent)
        return self._by_folder[folder]

    def config_for(self, path: str) -> Config:
        folder = path if os.path.isdir(path) else os.path.dirname(os.path.abspath(path))
        return self.config_for_folder(folder)

    # -- settings --
    def _rules(self, config: Config) -> Settings:
        if config not in self._settings:
            o = self.overrides
            if o.select is not None:
                select, extend, ignore = o.select, o.extend_select, o.ignore
            else:
                exact = {s.strip().upper() for s in o.extend_select}
                kept = tuple(s for s in config.ignore if s.strip().upper() not in exact)
                select, extend, ignore = config.select, config.extend_select + o.extend_select, kept + o.ignore
            if o.target_keras is not None:
                chosen = explicit_choice(o.target_keras, self.target_reason)
            elif config.target_keras is not None:
                where = os.path.basename(config.path or PYPROJECT)
                table = "" if where == STANDALONE else " [tool.rnnlint]"
                chosen = explicit_choice(config.target_keras, f"{where}{table}: target-keras = {config.target_keras}")
            elif self.base.target_keras is not None:
                chosen = explicit_choice(self.base.target_keras, self.target_reason)
            else:
                chosen = None
            options = tuple((key, value) for key, value in (
                ("vanishing-gradient-timesteps", config.vanishing_gradient_timesteps),) if value is not None)
            self._settings[config] = dataclasses.replace(
                self.base, select=select, extend_select=extend, ignore=ignore,
                target_keras=chosen.major if chosen else None, keras=chosen,
                rule_options=self.base.rule_options + options)
        return self._settings[config]

    def _declared(self, settings: Settings, path: str) -> Settings:
        """`settings` judged against the Keras the file's project declares, when nothing named one."""
        if settings.keras is not None:
            return settings
        declared = self._projects.declared(path)
        if declared is None:
            return settings
        key = (settings, declared)
        if key not in self._with_declared:
            self._with_declared[key] = dataclasses.replace(settings, keras=declared.choice())
        return self._with_declared[key]

    def settings_for(self, path: str) -> Settings:
        """The settings a file is linted with: its configuration's rules, the Keras it is judged against and its
        per-file ignores."""
        config = self.config_for(path)
        settings = self._declared(self._rules(config), path)
        relative = _relative(path, config.root) if config.per_file_ignores else None
        if relative is None:
            return settings
        extra = tuple(code for pattern, codes in config.per_file_ignores if glob_match(relative, pattern)
                      for code in codes)
        return dataclasses.replace(settings, ignore=settings.ignore + extra) if extra else settings

    # -- exclusion --
    def excluded(self, path: str) -> bool:
        """For discovery: a folder or file met while walking is skipped by `exclude`/`extend-exclude` of its
        configuration, by base `Settings.exclude` (relative to the working folder) or by a .gitignore."""
        folder = os.path.dirname(path)
        if folder not in self._open_folders:
            self._open_folders[folder] = self._nothing_excludes(folder)
        if self._open_folders[folder]:
            return False
        config = self.config_for_folder(os.path.dirname(os.path.abspath(path)))
        if config.exclude:  # (the common case has no patterns: skip the path arithmetic)
            relative = _relative(path, config.root)
            if relative and any(glob_match(relative, p) for p in config.exclude):
                return True
        if self.base.exclude:
            cwd_relative = _relative(path, os.getcwd())
            if cwd_relative and any(glob_match(cwd_relative, p) for p in self.base.exclude):
                return True
        if self.gitignore_enabled():
            if self._gitignore is None:
                self._gitignore = _GitIgnore()
            return self._gitignore.ignored(path)
        return False

    def _nothing_excludes(self, folder: str) -> bool:
        """Whether no pattern and no .gitignore applies to the entries of `folder` (the common case: the walk
        then asks nothing per file)."""
        absolute = os.path.abspath(folder)  # ('' is the working folder, as a bare file name's folder)
        if self.config_for_folder(absolute).exclude or self.base.exclude:
            return False
        if not self.gitignore_enabled():
            return True
        if self._gitignore is None:
            self._gitignore = _GitIgnore()
        return not self._gitignore.applies(absolute)

    def gitignore_enabled(self) -> bool:
        if self.respect_gitignore is not None:
            return self.respect_gitignore
        return self.run_config.respect_gitignore is not False

    @property
    def run_config(self) -> Config:
        return getattr(self, "_run_config", EMPTY)


def configure(base: Settings, overrides: Overrides, paths: list[str], *, config_file: str | None = None,
              isolated: bool = False, fail_on: str | None = None, confirm: bool | None = None,
              respect_gitignore: bool | None = None, force_exclude: bool = False,
              confirm_timeout: float | None = None, target_reason: str | None = None) -> tuple[Settings, Resolver]:
    """The run's Settings — `base` (from the command line) with the configuration files applied — and the
    Resolver the engine asks for each file's settings and for exclusion (kept apart: Settings is a frozen value,
    the Resolver reads and caches configuration files as the run meets them).

    `fail_on`/`confirm`/`respect_gitignore` are the command line's values, None when not given.
    Raises ConfigError for a bad configuration file.
    """
    if config_file is not None and not os.path.isfile(config_file):
        raise ConfigError(f"{config_file}: no such configuration file")
    resolver = Resolver(base, overrides, config_file, isolated, respect_gitignore, force_exclude)
    resolver.target_reason = target_reason
    first = paths[0] if paths and paths[0] != "-" and os.path.exists(paths[0]) else os.curdir
    run_config = resolver.config_for(first)
    resolver._run_config = run_config
    resolver.force_exclude = force_exclude or bool(run_config.force_exclude)
    settings = resolver._rules(run_config)
    settings = dataclasses.replace(
        settings,
        confirm=base.confirm if confirm is False or run_config.confirm is None else run_config.confirm,
        fail_on=fail_on or run_config.fail_on or base.fail_on,
        confirm_timeout=confirm_timeout or run_config.confirm_timeout or base.confirm_timeout,
    )
    resolver.base = dataclasses.replace(resolver.base, confirm=settings.confirm, fail_on=settings.fail_on)
    resolver._settings.clear()
    return settings, resolver


def discover_files(paths, settings: Settings, resolver: Resolver | None = None,
                   walked: list[str] | None = None) -> list[str]:
    """The files a run lints: `discover` with the configuration's exclusion (and .gitignore); with
    --force-exclude (or `force-exclude = true`) files named explicitly are excluded by the same rules. `walked`
    receives the folders listed (rnnlint.discover)."""
    from rnnlint.discover import discover, exclude_matcher

    if resolver is None:
        return discover(paths, exclude_matcher(settings.exclude), walked)
    files = discover(paths, resolver.excluded, walked)
    if resolver.force_exclude:
        files = [path for path in files if not resolver.excluded(path)]
    return files


def for_path(settings: Settings, path: str, resolver: Resolver | None = None) -> Settings:
    """The settings to lint `path` with: its configuration's, through the run's `resolver` (`settings` as they are
    without one)."""
    return resolver.settings_for(path) if resolver is not None else settings
