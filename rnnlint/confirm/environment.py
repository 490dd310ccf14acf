"""Which Keras the worker will use, found without importing it (find_spec and package metadata)."""
from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
from dataclasses import dataclass
from pathlib import Path

INSTALL_HINT = "pip install tensorflow, the 'tensorflow' extra of rnnlint"
PRE_COMMIT_HINT = "add `additional_dependencies: [tensorflow]` to the rnnlint hook in .pre-commit-config.yaml"


def install_hint(environ: dict[str, str]) -> str:
    """How to get Keras where rnnlint runs: in a pre-commit hook (pre-commit sets PRE_COMMIT=1), the hook's own
    environment."""
    return PRE_COMMIT_HINT if environ.get("PRE_COMMIT") == "1" else INSTALL_HINT
_BACKEND_MODULES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch", "numpy": "numpy",
                    "openvino": "openvino"}


@dataclass(frozen=True)
class KerasTarget:
    """The Keras package the worker imports: `module` is "keras" or "tf_keras"."""

    module: str
    version: str
    legacy: bool  # Keras 2 through tf-keras (TF_USE_LEGACY_KERAS=1)

    @property
    def major(self) -> int:
        head = self.version.split(".", 1)[0]
        return int(head) if head.isdigit() else 0

    @property
    def cache_id(self) -> str:
        return f"{self.module}=={self.version}"

    def environment(self, base: dict[str, str]) -> dict[str, str]:
        """The worker's environment: quiet TensorFlow, CPU only, the right Keras."""
        env = dict(base)
        env["TF_CPP_MIN_LOG_LEVEL"] = "3"
        env["PYTHONWARNINGS"] = "ignore"
        env.setdefault("CUDA_VISIBLE_DEVICES", "-1")
        env["RNNLINT_KERAS_MODULE"] = self.module
        if self.legacy:
            env["TF_USE_LEGACY_KERAS"] = "1"
        else:
            env.pop("TF_USE_LEGACY_KERAS", None)
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
        env["PYTHONSAFEPATH"] = "1"  # Python 3.11+: `-m` does not put the working folder on sys.path
        return env


def find_keras(target_keras: int | None, environ: dict[str, str] | None = None) -> KerasTarget | str:
    """The Keras to confirm with, or a note saying why findings stay unconfirmed."""
    environ = dict(os.environ) if environ is None else environ
    legacy_env = environ.get("TF_USE_LEGACY_KERAS", "").lower() in ("1", "true", "yes")
    if target_keras == 2 or (target_keras is None and legacy_env):
        version = _version("tf_keras", "tf-keras")
        if version is not None:
            return KerasTarget("tf_keras", version, legacy=True)
        plain = _version("keras", "keras")
        if plain is not None and plain.startswith("2."):
            return KerasTarget("keras", plain, legacy=False)
        return "Keras 2 (tf-keras) is not installed: findings are not checked with Keras (pip install tf-keras)"
    version = _version("keras", "keras")
    if version is None:
        return f"Keras is not installed: findings are not checked with Keras ({install_hint(environ)})"
    if target_keras == 3 and not version.startswith("3."):
        return f"Keras 3 is targeted but Keras {version} is installed: findings are unconfirmed"
    if version.startswith("3."):
        backend = _keras3_backend(environ)
        module = _BACKEND_MODULES.get(backend, backend)
        if importlib.util.find_spec(module) is None:
            return (f"the Keras backend `{backend}` is not installed: findings are not checked with Keras "
                    f"({install_hint(environ)})")
    return KerasTarget("keras", version, legacy=False)


def _version(module: str, distribution: str) -> str | None:
    try:
        if importlib.util.find_spec(module) is None:
            return None
    except (ImportError, ValueError):
        return None
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _keras3_backend(environ: dict[str, str]) -> str:
    if environ.get("KERAS_BACKEND"):
        return environ["KERAS_BACKEND"]
    home = Path(environ.get("KERAS_HOME") or Path.home() / ".keras")
    try:
        config = json.loads((home / "keras.json").read_text(encoding="utf-8"))
        return str(config.get("backend") or "tensorflow")
    except (OSError, ValueError, AttributeError):
        return "tensorflow"


__all__ = ["KerasTarget", "find_keras", "INSTALL_HINT"]
