"""The checks the worker runs on a built model, one per `Evidence.expect` (runs in the worker)."""
from __future__ import annotations

import importlib
import math
import re
from typing import Any, Callable

from rnnlint.confirm.build import build_model, holds_argument
from rnnlint.confirm.messages import describe_exception

MAX_ELEMENTS = 1_000_000  # largest zeros array a check will feed to a model or a loss
DEFAULT_STEPS = 10  # a time axis the model leaves open (None), when a check must feed it data
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
                return _result("confirmed", f"{trained} (training one step on x {_shape(data)}, y {_shape(target)})")
            return _result("refuted", f"Keras built the model and trained it one step on zeros of x "
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
    trained = _train_on(model, data, loss or "mse")
    if trained is not None:
        return _result("confirmed", text + trained)
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
    """What compiling the model and training it one step (a batch) on zeros of x and y raises, or None when it
    trains."""
    if not (_concrete(x) and _concrete(y)):
        return None
    samples = x[0] if isinstance(x[0], int) else 2
    if isinstance(y[0], int) and y[0] != samples:
        return None
    batch = batch or min(samples, 32)
    samples = min(samples, batch)  # one step shows what Keras does with the two shapes
    try:
        import numpy as np

        model.compile(optimizer="sgd", loss=loss, run_eagerly=True)  # one tiny step: no tracing
        model.train_on_batch(np.zeros((samples,) + tuple(x[1:]), "float32"),
                             np.zeros((samples,) + tuple(y[1:]), "float32"))
    except Exception as exc:  # noqa: BLE001
        return describe_exception(exc)
    return None


def _train_on(model: Any, y: list, loss: str) -> str | None:
    """Train one step on zeros of the model's input and of `y`: what Keras did ("; Keras trained ..."), or None
    when that cannot be run (several inputs or outputs, sizes not known)."""
    if len(model.inputs) != 1 or len(model.outputs) != 1 or not _concrete(y):
        return None
    x = [y[0]] + [d if isinstance(d, int) else DEFAULT_STEPS for d in tuple(model.input_shape)[1:]]
    if not _concrete(x):
        return None
    failed = _fit(model, x, y, loss, None)
    shapes = f"y {_shape(y)} against outputs {_shape(model.output_shape)}"
    if failed is not None:
        return f"; training one step on {shapes} raises {failed}"
    return f"; Keras trained one step on zeros of {shapes} without error: the {loss!r} loss broadcast them"


def _gradient(keras: Any, spec: dict) -> Result:
    """Advice, measured: one backward pass through the plain RNN on random data; the gradient norm that reaches
    the first time step against the last. The status stays unconfirmed: nothing fails."""
    model, failure = _try_build(keras, spec)
    if model is None:
        return failure
    dims = [2] + [d if isinstance(d, int) else DEFAULT_STEPS for d in tuple(model.input_shape)[1:]]
    if len(model.inputs) != 1 or len(dims) != 3 or not _concrete(dims) or backend_name(keras) != "tensorflow":
        return _result("unconfirmed", "not checked with Keras: this is advice (not measured: the model is not "
                                      "one 3D input on TensorFlow)")
    import numpy as np
    import tensorflow as tf  # the backend of this Keras

    x = tf.constant(np.random.default_rng(0).normal(size=dims).astype("float32"))
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(model(x))
    norms = np.linalg.norm(tape.gradient(total, x).numpy(), axis=(0, 2))
    first, last = float(norms[0]), float(norms[-1])
    return _result("unconfirmed", f"this is advice (nothing fails); Keras measured, after one backward pass on "
                                  f"random data, a gradient norm of {first:.1e} at time step 1 and {last:.1e} at "
                                  f"step {dims[1]}")


def backend_name(keras: Any) -> str:
    """The Keras backend's name (`tensorflow`, `jax`…), or "unknown"."""
    try:
        return str(keras.backend.backend())
    except Exception:  # noqa: BLE001
        return "unknown"


def _removed(keras: Any, spec: dict) -> Result:
    """Look a Keras 1/2 API up in this Keras: its own error is the evidence; finding it refutes the claim."""
    kind, *rest = spec["check"]["lookup"]
    version = getattr(keras, "__version__", "")
    try:
        if kind == "module":
            importlib.import_module(_keras_module(keras, rest[0]))
            found = f"{rest[0]} imports"
        elif kind == "name":
            module = importlib.import_module(_keras_module(keras, rest[0]))
            if not hasattr(module, rest[1]):  # what `from module import name` raises
                raise ImportError(f"cannot import name {rest[1]!r} from {module.__name__!r}")
            found = f"{rest[0]} has {rest[1]}"
        elif kind == "layer":
            getattr(keras.layers, rest[0])
            found = f"keras.layers.{rest[0]} exists"
        elif kind == "method":
            getattr(keras.Model, rest[0])
            found = f"Model.{rest[0]} exists"
        elif kind == "keyword":
            _construct_with(keras, *rest)
            found = f"{rest[0]}({rest[1]}=...) is accepted"
        elif kind == "fit_keyword":
            model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])
            model.compile(loss="mse")
            model.fit(_zeros([2, 1], 2), _zeros([2, 1], 2), verbose=0, **{rest[0]: rest[1]})
            found = f"fit({rest[0]}=...) is accepted"
        else:
            return _result("unconfirmed", f"no lookup of kind {kind!r}")
    except Exception as exc:  # noqa: BLE001 - the error of this Keras is the finding
        return _result("confirmed", describe_exception(exc))
    return _result("refuted", f"{found} in Keras {version}".strip())


def _keras_module(keras: Any, module: str) -> str:
    """A module of Keras itself (never anything else): `keras.x` in the Keras being checked."""
    for prefix in ("keras.", "tf_keras.", "tensorflow.keras."):
        if module.startswith(prefix):
            rest = module[len(prefix):]
            return f"{keras.__name__}.{rest}" if prefix != "tensorflow.keras." else module
    raise ValueError(f"{module} is not a Keras module")


def _construct_with(keras: Any, name: str, keywords: str, value: Any) -> None:
    """`optimizers.Adam(lr=value)`, or `Model(input=..., output=...)` on a one-layer graph."""
    if name == "Model":
        old = keywords.split(",")
        inputs = keras.Input(shape=(1,))
        outputs = keras.layers.Dense(1)(inputs)
        keras.Model(**{"input" if "input" in old else "inputs": inputs,
                       "output" if "output" in old else "outputs": outputs})
    elif name.startswith("optimizers.") and name.count(".") == 1:
        getattr(keras.optimizers, name.split(".")[1])(**{keywords: value})
    else:
        raise ValueError(f"{name} is not looked up")


def _stateful_fit(keras: Any, spec: dict) -> Result:
    """Train (or predict) a stateful model with the file's samples, batch size, split, shuffle or dataset batches."""
    model, failure = _try_build(keras, spec)
    if model is None:
        return failure
    train = spec["check"]["train"]
    samples, method = train["samples"], train.get("method", "fit")
    x = [samples] + list(tuple(model.input_shape)[1:])
    y = [samples] + list(tuple(model.output_shape)[1:])
    if len(model.inputs) != 1 or len(model.outputs) != 1 or not (_concrete(x) and _concrete(y)) \
            or samples * math.prod(x[1:]) > MAX_ELEMENTS:
        return _result("unconfirmed", "not run: the model's inputs or outputs are not one fully known tensor")
    batch, split, shuffle = train.get("batch_size"), train.get("validation_split") or 0.0, train.get("shuffle", True)
    chunk = train.get("dataset_batch")
    xs, ys = _zeros_n(x), _zeros_n(y)
    try:
        if chunk:
            model.compile(optimizer="sgd", loss="mse", run_eagerly=True)
            steps = math.ceil(samples / chunk)
            batches = ((xs[i:i + chunk], ys[i:i + chunk]) for _ in range(2) for i in range(0, samples, chunk))
            model.fit(batches, steps_per_epoch=steps, epochs=1, verbose=0)
            ran = f"fit on batches of {chunk} (the dataset's) from {samples} samples"
        elif method == "fit":
            model.compile(optimizer="sgd", loss="mse", run_eagerly=True)
            model.fit(xs, ys, batch_size=batch, epochs=1, shuffle=shuffle, validation_split=split, verbose=0)
            ran = f"fit(batch_size={batch}, shuffle={shuffle}" + (f", validation_split={split}" if split else "") + \
                f") on {samples} samples"
        elif method == "evaluate":
            model.compile(optimizer="sgd", loss="mse", run_eagerly=True)
            model.evaluate(xs, ys, batch_size=batch, verbose=0)
            ran = f"evaluate(batch_size={batch}) on {samples} samples"
        else:
            model.predict(xs, batch_size=batch, verbose=0)
            ran = f"predict(batch_size={batch}) on {samples} samples"
    except Exception as exc:  # noqa: BLE001 - the error is the finding
        return _result("confirmed", f"{describe_exception(exc)} ({_run_words(method, chunk)} {_shape(x)})")
    if train.get("claim") == "shuffle":
        return _result("confirmed", f"Keras ran {ran} without a word: with shuffling, each batch's carried state "
                                    f"comes from other sequences")
    return _result("refuted", f"Keras ran {ran} without error")


def _run_words(method: str, chunk: Any) -> str:
    return f"training on the dataset's batches of {chunk}, x" if chunk else f"running {method} on x"


def _zeros_n(dims: list) -> Any:
    import numpy as np  # available wherever Keras is

    return np.zeros(tuple(dims), dtype="float32")


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
    "removed": _removed,
    "stateful_fit": _stateful_fit,
    "gradient": _gradient,
}

__all__ = ["run_check"]
