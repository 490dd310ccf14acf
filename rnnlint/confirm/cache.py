"""The on-disk cache of confirmations, keyed by the spec and the Keras version; entries are signed
(`rnnlint.cachedir.sign`), so a forged or foreign entry is a miss."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from rnnlint.cachedir import CACHEDIR_TAG, DEFAULT_CACHE_DIR, ensure, sign, verified, write_atomic

CACHE_VERSION = "2"  # 2: signed entries
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
            text = verified(self.path(key).read_text(encoding="utf-8"))
            if text is None:
                return None  # forged, foreign or unsigned
            value = json.loads(text)
        except (OSError, ValueError, RecursionError):
            return None
        if not (isinstance(value, dict) and value.get("status") in _STATUSES
                and isinstance(value.get("detail"), str)):
            return None  # corrupt or foreign entry: ignored
        return value

    def put(self, key: str, value: dict) -> None:
        signed = sign(json.dumps(value, sort_keys=True))
        if signed is None:
            return  # no key: no cache
        try:
            ensure(self.root, "confirm")
            write_atomic(self.path(key), signed)
        except OSError:
            pass  # a read-only or full disk only costs speed


__all__ = ["Cache", "CACHEDIR_TAG", "DEFAULT_CACHE_DIR"]
