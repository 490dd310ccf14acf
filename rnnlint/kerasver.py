"""Which Keras the user targets, read from installed package metadata (Keras and TensorFlow are never imported),
and which Keras one file is written for (its imports)."""
from __future__ import annotations

import os
from collections.abc import Iterable
from functools import lru_cache
from importlib import metadata

DEFAULT_MAJOR = 3
_LEGACY_ON = ("1", "true", "True")  # the values tf.keras itself accepts for TF_USE_LEGACY_KERAS


def _version(distribution: str) -> str | None:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


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
        legacy = _version("tf-keras") or _version("tf_keras")
        if legacy:
            return legacy
    return _version("keras")


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
