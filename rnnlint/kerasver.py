"""Which Keras the user targets — the flag or configuration, else what the project declares (rnnlint.declared),
else the installed Keras (package metadata: Keras and TensorFlow are never imported), else 3 — and which Keras
one file is written for (its imports)."""
from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

DEFAULT_MAJOR = 3
_LEGACY_ON = ("1", "true", "True")  # the values tf.keras itself accepts for TF_USE_LEGACY_KERAS


def installed_version(distribution: str) -> str | None:
    """The installed version of `distribution`, as importlib.metadata.version gives it."""
    quick = _dist_info_version(distribution)
    if quick is not None:
        return quick or None
    from importlib import metadata  # ~25 ms to import (email parsing and more): only when the quick look cannot tell

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "_", name).lower()  # importlib.metadata's Prepared.normalize


def _dist_info_version(distribution: str) -> str | None:
    """importlib.metadata.version's answer in the plain case, without importing it: the first folder on sys.path
    that holds exactly one `NAME-VERSION.dist-info` of the distribution (and no .egg-info of it) answers with its
    METADATA's Version; "" when no folder has one. None — ask importlib.metadata — whenever anything is not plain:
    a finder of distributions other than the path finder, a sys.path entry that is a file (a zip), an egg, several
    candidates in one folder, a METADATA without a Version line."""
    from importlib.machinery import PathFinder

    if any(hasattr(f, "find_distributions") and f is not PathFinder for f in sys.meta_path):
        return None
    wanted = _normalise(distribution)
    for entry in sys.path:
        folder = entry or "."
        try:
            names = os.listdir(folder)
        except NotADirectoryError:
            return None
        except OSError:
            continue
        found = [n for n in names if n.lower().endswith((".dist-info", ".egg-info", ".egg"))
                 and _normalise(n.rpartition(".")[0].partition("-")[0]) == wanted]
        if not found:
            continue
        if len(found) != 1 or not found[0].lower().endswith(".dist-info"):
            return None
        try:
            with open(os.path.join(folder, found[0], "METADATA"), encoding="utf-8") as handle:
                for line in handle:
                    if not line.strip():
                        break  # the end of the headers
                    if line.startswith("Version:"):
                        return line[len("Version:"):].strip() or None
        except (OSError, UnicodeDecodeError):
            return None
        return None
    return ""


def _major(version: str | None) -> int | None:
    if not version:
        return None
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else None


@lru_cache(maxsize=1)
def detect_keras_version() -> str | None:
    """The version of the Keras the user's code would run with, or None when none is installed.

    TF_USE_LEGACY_KERAS=1 with tf-keras installed means tf.keras is Keras 2 (tf-keras); otherwise the
    `keras` distribution.
    """
    if os.environ.get("TF_USE_LEGACY_KERAS") in _LEGACY_ON:
        legacy = installed_version("tf-keras") or installed_version("tf_keras")
        if legacy:
            return legacy
    return installed_version("keras")


@dataclass(frozen=True)
class KerasChoice:
    """The Keras a file is judged against and why (`requirements.txt: tensorflow==2.12.0`, `installed keras
    3.15.1`). `package` ("keras", "tensorflow", "tf-keras") and `versions` (the releases the choice allows, as
    strings) let a rule follow a behaviour that changed within a major version; empty when unknown."""

    major: int
    reason: str
    package: str | None = None
    versions: tuple[str, ...] = ()


def installed_choice() -> KerasChoice:
    """The installed Keras (or tf-keras under TF_USE_LEGACY_KERAS=1); Keras 3 when none is installed."""
    version = detect_keras_version()
    major = _major(version)
    if major is None:
        return KerasChoice(DEFAULT_MAJOR, "no Keras installed")
    legacy = os.environ.get("TF_USE_LEGACY_KERAS") in _LEGACY_ON and version == (
        installed_version("tf-keras") or installed_version("tf_keras"))
    package = "tf-keras" if legacy else "keras"
    return KerasChoice(2 if major <= 2 else 3, f"installed {package} {version}", package, (version,))


def explicit_choice(major: int, reason: str | None = None) -> KerasChoice:
    """A major version the user named (flag, configuration, editor setting)."""
    return KerasChoice(major, reason or f"--target-keras {major}")


def choice_for(settings: object) -> KerasChoice:
    """The choice a file's Settings carry (`keras`, set per file by the configuration resolver), else their
    `target_keras`, else the installed Keras."""
    chosen = getattr(settings, "keras", None)
    if isinstance(chosen, KerasChoice):
        return chosen
    explicit = getattr(settings, "target_keras", None)
    return explicit_choice(explicit) if explicit is not None else installed_choice()


def target_keras_major(explicit: int | None = None) -> int:
    """The Keras major version rules target: the flag/config value, else the installed Keras, else 3."""
    if explicit is not None:
        return explicit
    major = _major(detect_keras_version())
    if major is None:
        return DEFAULT_MAJOR
    return 2 if major <= 2 else 3  # rules know Keras 2 and Keras 3 semantics


# Packages that are always Keras 2, whatever Keras is installed: tf-keras, and TensorFlow's old bundled copy.
KERAS2_PACKAGES = ("tf_keras", "tensorflow.python.keras")


def _family(module: str) -> str | None:
    """'keras2' for the Keras-2-only packages, 'keras' for `keras…`, None for anything else (tensorflow too)."""
    if any(module == p or module.startswith(p + ".") for p in KERAS2_PACKAGES):
        return "keras2"
    if module == "keras" or module.startswith("keras."):
        return "keras"
    return None


def file_keras_major(imported_modules: Iterable[str], default: int) -> int:
    """The Keras major version one file is written for: 2 when it imports Keras only from tf_keras (or
    tensorflow.python.keras), which are Keras 2 whatever is installed; else `default`."""
    families = {_family(module) for module in imported_modules}
    return 2 if "keras2" in families and "keras" not in families else default


def file_choice(imported_modules: Iterable[str], project: KerasChoice) -> KerasChoice:
    """The Keras one file is judged against: its project's, except that code importing Keras only from
    tf_keras (or tensorflow.python.keras) is Keras 2 whatever the project says."""
    if file_keras_major(imported_modules, project.major) == project.major:
        return project
    version = installed_version("tf-keras") or installed_version("tf_keras")
    return KerasChoice(2, "the file imports tf_keras", "tf-keras", (version,) if version else ())


# --- behaviours that changed within Keras 2 ---------------------------------------------------------------
# A 2D x (n, T) for a declared (T, 1) input: Keras adds the size-1 feature axis from these releases on (measured
# with bench/keras2/feature_axis.py, one virtualenv per release: TensorFlow 2.0–2.7, TF 1.15, Keras 2.3.1):
# tf.keras functional models from TensorFlow 2.2, tf.keras Sequential models from 2.7 (2.2–2.6 raise "expected
# ndim=3, found ndim=2"), multi-backend Keras (< 2.4) and TF 1.x never; tf-keras, and Keras 3, always.
_FEATURE_AXIS_FROM = {"functional": (2, 2), "sequential": (2, 7)}


def _release(version: str) -> tuple[int, int] | None:
    parts = version.split(".")
    try:
        return int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
    except ValueError:
        return None


def _adds_axis_in(package: str | None, version: str, api: str) -> bool | None:
    release = _release(version)
    if release is None or package not in ("tensorflow", "keras"):
        return None
    if package == "keras" and release < (2, 4):
        return False  # multi-backend Keras: "expected lstm_input to have 3 dimensions"
    if package == "keras" and release < (2, 6):
        return None  # keras 2.4/2.5 re-export tf.keras: the TensorFlow release decides
    return release >= _FEATURE_AXIS_FROM.get(api, _FEATURE_AXIS_FROM["sequential"])


def adds_feature_axis(choice: KerasChoice | None, api: str) -> bool | None:
    """Whether the Keras of `choice` reads a 2D (n, T) x as (n, T, 1) for a declared (T, 1) input of a model
    built with `api` ("sequential", "functional", "subclass"); None when the releases it allows disagree, or
    only the major version is known for Keras 2."""
    if choice is None:
        return None
    if choice.major >= 3 or choice.package == "tf-keras":
        return True
    answers = {_adds_axis_in(choice.package, v, api) for v in choice.versions}
    return answers.pop() if len(answers) == 1 else None
