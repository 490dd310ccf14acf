"""The checks the worker runs on a built model, one per `Evidence.expect` (runs in the worker)."""
from __future__ import annotations

import re
from typing import Any, Callable

from rnnlint.confirm.build import build_model, holds_argument
from rnnlint.confirm.messages import describe_exception

MAX_ELEMENTS = 1_000_000  # largest zeros array a check will feed to a model or a loss
Result = dict  # {"status": ..., "detail": ...}


def run_check(keras: Any, spec: dict, fresh: Callable[[], None]) -> Result:
    """Build `spec` and look for what its check expects. `fresh` resets Keras's global state."""
    expect = spec["check"]["expect"]
    check = _CHECKS.get(expect)
    if check is None:
        return _result("unconfirmed", f"no check for {expect!r}")
    fresh()
    if expect == "no_effect":
        return _no_effect(keras, spec, fresh)
    return check(keras, spec)


def _raises(keras: Any, spec: dict) -> Result:
    try:
        model = build_model(keras, spec)
    except Exception as exc:  # noqa: BLE001 - any Keras error is the finding (of the kind asked, when asked)
        described = describe_exception(exc)
        match = spec["check"].get("match")
        if match and not re.search(match, described, re.IGNORECASE):
            return _result("unconfirmed", f"Keras raised another error with the sizes and inputs chosen here: "
                                          f"{described}")
        return _result("confirmed", described)
    data = spec["check"]["data"]
    if data:
        called = _call(keras, model, data, spec["check"]["batch_size"])
        if called is not None:
            return _result("confirmed", f"{called} (called on x of shape {_shape(data)})")
        target = spec["check"].get("target")
        if target:
            trained = _fit(model, data, target, spec["check"]["loss"] or "mse", spec["check"]["batch_size"])
            if trained is not None:
                return _result("confirmed", f"{trained} (training one epoch on x {_shape(data)}, y {_shape(target)})")
            return _result("refuted", f"Keras built the model and trained it one epoch on zeros of x "
                                      f"{_shape(data)} and y {_shape(target)} without error")
    elif len(model.inputs) == 1:
        # Keras 3 skips some input checks at build (the layer inside TimeDistributed, Bidirectional(RNN(cell))):
        # the first batch shows them. Call once on zeros of the declared input before refuting.
        probe = [2] + [d if isinstance(d, int) else 4 for d in tuple(model.input_shape)[1:]]
        called = _call(keras, model, probe, 2)
        if called is not None:
            return _result("confirmed", f"{called} (Keras builds the model, but calling it on zeros of shape "
                                        f"{_shape(probe)} raises)")
    return _result("refuted", "Keras built the model without error")


def _gets_2d(keras: Any, spec: dict) -> Result:
    model, failure = _try_build(keras, spec)
    if model is None:
        return failure  # unconfirmed: the claim is about a model that builds
    layer = model.layers[-1]
    received = layer.input
    first = received[0] if isinstance(received, (list, tuple)) else received
    shape = _shape(first.shape)
    if len(first.shape) == 2:
        return _result("confirmed", f"Keras builds the model, and {type(layer).__name__} receives {shape}, 2D: "
                                    f"no time axis")
    return _result("refuted", f"{type(layer).__name__} receives {shape}")


def _input_mismatch(keras: Any, spec: dict) -> Result:
    model, failure = _try_build(keras, spec)
    if model is None:
        return failure
    declared = _pick(model.input_shape, spec)
    data = spec["check"]["data"]
    verdict = _compare(declared[1:], tuple(data[1:]))
    text = f"Keras model input is {_shape(declared)}; x is {_shape(data)}"
    if verdict == "equal":
        return _result("refuted", text)
    if verdict == "partial":
        return _result("unconfirmed", text + " (x is only partly known)")
    if len(model.inputs) != 1 or not _concrete(data):
        return _result("unconfirmed", text + " (not called: x is not fully known or the model has several inputs)")
    called = _call(keras, model, data, None)
    if called is not None:
        return _result("confirmed", f"{text}; calling the model on it raises {called}")
    seen = list(data) + [1] if len(data) == len(declared) - 1 and declared[-1] == 1 else list(data)  # axis added
    if _time_steps_only(declared, seen) and _is_sequential(keras, model):
        added = f" read as {_shape(seen)}" if seen != list(data) else ""
        return _result("confirmed", f"{text}; Keras runs the Sequential model on it{added} without error, "
                                    f"ignoring the declared time steps")
    return _result("refuted", f"{text}; Keras accepts such an x: calling the model on zeros of its shape works")


def _time_steps_only(declared: tuple, data: list) -> bool:
    """x differs from the declared input in its time axis (axis 1 of a 3D input) only."""
    return len(data) == len(declared) == 3 and declared[2] == data[2] and declared[1] is not None and declared[1] != data[1]


def _is_sequential(keras: Any, model: Any) -> bool:
    return isinstance(model, keras.Sequential)


def _output_mismatch(keras: Any, spec: dict) -> Result:
    model, failure = _try_build(keras, spec)
    if model is None:
        return failure
    output = _pick(model.output_shape, spec)
    data, loss = spec["check"]["data"], spec["check"]["loss"]
    y, out = tuple(data[1:]), tuple(output[1:])
    sparse = bool(loss) and "sparse" in loss
    expected = [out[:-1], out[:-1] + (1,)] if sparse else [out, out[:-1] if out[-1:] == (1,) else out, out + (1,)]
    verdicts = [_compare(e, y) for e in expected]
    text = f"Keras model output is {_shape(output)}; y is {_shape(data)}"
    if "equal" in verdicts:
        return _result("refuted", text)
    if "partial" in verdicts:
        return _result("unconfirmed", text + " (y is only partly known)")
    return _result("confirmed", text + _loss_effect(keras, model, loss or "mse", data, output))


def _no_effect(keras: Any, spec: dict, fresh: Callable[[], None] = lambda: None) -> Result:
    node, argument = spec["check"]["node"], spec["check"]["argument"]
    layers = {n["id"]: n["layer"] for n in spec["nodes"]}
    if node not in layers or not holds_argument(layers[node], argument):
        return _result("unconfirmed", f"the layer has no literal `{argument}` argument to remove")
    with_it = _outcome(keras, spec, None)
    fresh()
    without = _outcome(keras, spec, (node, argument))
    if with_it != without:
        return _result("refuted", f"removing `{argument}` changes the built model")
    if isinstance(with_it, str):
        error = with_it.split(":", 1)[0]
        return _result("confirmed", f"the argument did not change the built model (with and without "
                                    f"`{argument}`, building raises the same {error})")
    return _result("confirmed", f"the argument did not change the built model (`{argument}` removed: "
                                f"same layer shapes and parameters)")


def _outcome(keras: Any, spec: dict, drop: tuple[int, str] | None) -> Any:
    """The built model's layer signature, or the text of the error building it raises."""
    try:
        return _signature(build_model(keras, spec, drop=drop))
    except Exception as exc:  # noqa: BLE001
        return describe_exception(exc)


def _unbuilt(keras: Any, spec: dict) -> Result:
    model, failure = _try_build(keras, spec)
    if model is None:
        return failure
    if not model.built:
        return _result("confirmed", "the model is not built before fit (Keras: model.built is False)")
    return _result("refuted", "Keras builds the model before fit")


def _try_build(keras: Any, spec: dict, drop: tuple[int, str] | None = None) -> tuple[Any, Result]:
    try:
        return build_model(keras, spec, drop=drop), {}
    except Exception as exc:  # noqa: BLE001
        return None, _result("unconfirmed", f"Keras could not build the model: {describe_exception(exc)}")


def _pick(shape: Any, spec: dict) -> tuple:
    """One shape from Keras's input_shape/output_shape (a list when the model has several)."""
    if isinstance(shape, list):
        shape = shape[0]
    return tuple(shape)


def _compare(expected: tuple, actual: tuple) -> str:
    """"equal", "partial" (equal where both are known) or "differ"."""
    if len(expected) != len(actual):
        return "differ"
    if any(e is not None and a is not None and e != a for e, a in zip(expected, actual)):
        return "differ"
    return "partial" if any(a is None and e is not None for e, a in zip(expected, actual)) else "equal"


def _concrete(dims: list) -> bool:
    rest = dims[1:]
    size = 2
    for d in rest:
        if not isinstance(d, int):
            return False
        size *= d
    return size <= MAX_ELEMENTS


def _zeros(dims: list, batch: int | None) -> Any:
    import numpy as np  # available wherever Keras is

    samples = dims[0] if isinstance(dims[0], int) else 2
    return np.zeros((min(samples, batch or 2),) + tuple(dims[1:]), dtype="float32")


def _call(keras: Any, model: Any, dims: list, batch: int | None) -> str | None:
    """What calling the model on zeros of `dims` raises, or None when it runs."""
    if not _concrete(dims):
        return None
    try:
        model(_zeros(dims, batch))
    except Exception as exc:  # noqa: BLE001
        return describe_exception(exc)
    return None


def _fit(model: Any, x: list, y: list, loss: str, batch: int | None) -> str | None:
    """What compiling the model and training it one epoch on zeros of x and y raises, or None when it trains."""
    if not (_concrete(x) and _concrete(y)):
        return None
    samples = x[0] if isinstance(x[0], int) else 2
    if isinstance(y[0], int) and y[0] != samples:
        return None
    batch = batch or min(samples, 32)
    samples = min(samples, 4 * batch)
    try:
        import numpy as np

        model.compile(optimizer="adam", loss=loss)
        model.fit(np.zeros((samples,) + tuple(x[1:]), "float32"), np.zeros((samples,) + tuple(y[1:]), "float32"),
                  batch_size=batch, epochs=1, verbose=0, shuffle=False)
    except Exception as exc:  # noqa: BLE001
        return describe_exception(exc)
    return None


def _loss_effect(keras: Any, model: Any, loss: str, y: list, output: tuple) -> str:
    """What compiling `model` with `loss` and computing it on zeros of y and the output gives, as in fit."""
    if len(model.outputs) != 1 or not (_concrete(y) and _concrete(list(output))):
        return ""
    y_true, y_pred = _zeros(y, 2), _zeros([2] + list(output[1:]), 2)
    try:
        model.compile(loss=loss)
        if hasattr(model, "compute_loss") and hasattr(keras, "ops"):  # Keras 3
            model.compute_loss(x=None, y=y_true, y_pred=y_pred)
        else:  # Keras 2 (tf-keras)
            model.compiled_loss(keras.backend.constant(y_true), keras.backend.constant(y_pred))
    except Exception as exc:  # noqa: BLE001
        return f"; the {loss!r} loss raises {describe_exception(exc)}"
    return f"; the {loss!r} loss accepts them without error (it broadcasts)"


def _signature(model: Any) -> list:
    return [(type(layer).__name__, _shape(layer.output.shape), layer.count_params()) for layer in model.layers]


def _shape(dims: Any) -> str:
    dims = tuple(dims)
    return "(" + ", ".join("None" if d is None else str(d) for d in dims) + ("," if len(dims) == 1 else "") + ")"


def _result(status: str, detail: str) -> Result:
    return {"status": status, "detail": detail}


_CHECKS: dict[str, Callable[[Any, dict], Result]] = {
    "raises": _raises,
    "input_mismatch": _input_mismatch,
    "output_mismatch": _output_mismatch,
    "no_effect": _no_effect,  # called with `fresh` by run_check
    "unbuilt": _unbuilt,
    "gets_2d": _gets_2d,
}

__all__ = ["run_check"]
