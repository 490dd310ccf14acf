"""The worker process: imports Keras once and builds specs read from stdin, one JSON line each.

Protocol: the worker first writes {"ready": true, "keras_version": ..., "backend": ...} (or
{"ready": false, "error": ...}); then for each request line {"id": n, "spec": {...}} it writes one line
{"id": n, "status": ..., "detail": ...}. It exits when stdin closes. Only the protocol goes to stdout:
everything Keras or TensorFlow print is sent to stderr.
"""
from __future__ import annotations

import json
import os
import sys
import warnings
from typing import Any, TextIO

from rnnlint.confirm.checks import backend_name, run_check  # plain Python: Keras is imported by main()

MODULE_ENV = "RNNLINT_KERAS_MODULE"  # "keras" or "tf_keras"


def main() -> int:
    protocol = _protocol_stream()
    warnings.filterwarnings("ignore")
    try:
        keras = _import_keras(os.environ.get(MODULE_ENV, "keras"))
        _quiet(keras)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which keeps going
        _send(protocol, {"ready": False, "error": f"{type(exc).__name__}: {exc}"})
        return 1
    _send(protocol, {"ready": True, "keras_version": keras.__version__, "backend": backend_name(keras)})

    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            result = run_check(keras, request["spec"], lambda: _fresh(keras))
        except Exception as exc:  # noqa: BLE001
            result = {"status": "unconfirmed", "detail": f"checker error: {type(exc).__name__}: {exc}"}
        _send(protocol, {"id": request["id"], **result})
    return 0


def _protocol_stream() -> TextIO:
    """A private copy of stdout for the protocol; fd 1 then points at stderr."""
    stream = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", buffering=1)
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    return stream


def _import_keras(module: str) -> Any:
    if module == "tf_keras":
        import tf_keras as keras
    elif module == "keras":
        import keras
    else:
        raise ValueError(f"unknown Keras module {module!r}")
    return keras


def _quiet(keras: Any) -> None:
    try:
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)
    except ImportError:
        pass
    utils = getattr(keras, "utils", None)
    if utils is not None and hasattr(utils, "disable_interactive_logging"):
        utils.disable_interactive_logging()


def _fresh(keras: Any) -> None:
    """Reset Keras's global state (layer name counters) so details do not depend on build order."""
    try:
        keras.backend.clear_session(free_memory=False)
    except TypeError:
        keras.backend.clear_session()


def _send(stream: TextIO, message: dict) -> None:
    stream.write(json.dumps(message) + "\n")
    stream.flush()


if __name__ == "__main__":
    sys.exit(main())
