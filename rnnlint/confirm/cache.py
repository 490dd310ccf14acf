"""The on-disk cache of confirmations, keyed by the spec and the Keras version."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by rnnlint.\n"
    "# For information about cache directory tags, see:\n"
    "#\thttps://bford.info/cachedir/\n"
)
CACHE_VERSION = "1"
DEFAULT_CACHE_DIR = ".rnnlint_cache"
_STATUSES = ("confirmed", "refuted", "unconfirmed")


@dataclass(frozen=True)
class Cache:
    """Confirmation results under `root/confirm/<sha256>.json`. Every failure is a miss, never an error."""

    root: Path

    @staticmethod
    def key(spec_json: str, keras_id: str) -> str:
        text = f"rnnlint-confirm/{CACHE_VERSION}\n{keras_id}\n{spec_json}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def path(self, key: str) -> Path:
        return self.root / "confirm" / f"{key}.json"

    def get(self, key: str) -> dict | None:
        try:
            value = json.loads(self.path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not (isinstance(value, dict) and value.get("status") in _STATUSES
                and isinstance(value.get("detail"), str)):
            return None  # corrupt or foreign entry: ignored
        return value

    def put(self, key: str, value: dict) -> None:
        try:
            self._ensure()
            target = self.path(key)
            fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as stream:
                    json.dump(value, stream, sort_keys=True)
                os.replace(temporary, target)
            except BaseException:
                _remove(temporary)
                raise
        except OSError:
            pass  # a read-only or full disk only costs speed

    def _ensure(self) -> None:
        (self.root / "confirm").mkdir(parents=True, exist_ok=True)
        for name, text in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", "# Created by rnnlint.\n*\n")):
            marker = self.root / name
            if not marker.exists():
                marker.write_text(text, encoding="utf-8")


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


__all__ = ["Cache", "CACHEDIR_TAG", "DEFAULT_CACHE_DIR"]
