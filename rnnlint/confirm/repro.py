"""A minimal standalone Keras script that reproduces a confirmed finding (for `--show-repro`)."""
from __future__ import annotations

from typing import Any

from rnnlint.confirm.build import POSITIONAL_CALL, inner_without
from rnnlint.confirm.spec import Spec, build_spec
from rnnlint.findings import Finding

_INDENT = "    "


def repro_script(finding: Finding) -> str | None:
    """The script, or None when the finding is not confirmed or has nothing to build."""
    if finding.confirmation.status != "confirmed" or finding.evidence is None:
        return None
    spec = build_spec(finding.evidence)
    if not isinstance(spec, Spec):
        return None
    data = spec.data
    legacy = (finding.confirmation.keras_version or "").startswith("2.")
    check = data["check"]
    lines = [f"# {finding.code}: {finding.message}",
             f"# Keras {finding.confirmation.keras_version or ''}: {finding.confirmation.detail}".rstrip(),
             "import tf_keras as keras  # Keras 2 (pip install tf_keras)" if legacy else "import keras"]
    numeric = ("input_mismatch", "output_mismatch", "stateful_fit")
    if check["expect"] in numeric or (check["expect"] == "raises" and check["data"]) or \
            check.get("lookup", [None])[0] == "fit_keyword":
        lines.append("import numpy as np")
    lines.append("")
    if check["expect"] == "removed":
        return "\n".join(lines + _lookup_lines(check["lookup"])) + "\n"
    lines += _model(data, "model")
    lines += _check_lines(data)
    return "\n".join(lines) + "\n"


def _lookup_lines(lookup: list) -> list[str]:
    """The removed API, used as the file uses it (each line raises in the Keras that removed it)."""
    kind, *rest = lookup
    if kind == "module":
        return [f"import {rest[0]}  # raises ModuleNotFoundError"]
    if kind == "name":
        return [f"from {rest[0]} import {rest[1]}  # raises ImportError"]
    if kind == "layer":
        return [f"keras.layers.{rest[0]}  # raises AttributeError"]
    if kind == "method":
        return [f"keras.Model.{rest[0]}  # raises AttributeError"]
    if kind == "keyword" and rest[0] == "Model":
        old = rest[1].split(",")
        names = ("input" if "input" in old else "inputs", "output" if "output" in old else "outputs")
        return ["inputs = keras.Input(shape=(1,))",
                f"keras.Model({names[0]}=inputs, {names[1]}=keras.layers.Dense(1)(inputs))  # raises"]
    if kind == "keyword":
        return [f"keras.{rest[0]}({rest[1]}={rest[2]!r})  # raises"]
    if kind == "fit_keyword":
        return ["model = keras.Sequential([keras.Input(shape=(1,)), keras.layers.Dense(1)])",
                'model.compile(loss="mse")',
                f"model.fit(np.zeros((2, 1)), np.zeros((2, 1)), {rest[0]}={rest[1]!r})  # raises"]
    return []


def _check_lines(data: dict) -> list[str]:
    check = data["check"]
    expect = check["expect"]
    if expect == "raises":
        if check["data"]:
            return [f"model(np.zeros({_literal(_concrete(check['data'], check['batch_size']))}))  # raises"]
        return ["# building the model above raises"]
    if expect == "input_mismatch":
        return [f"x = np.zeros({_literal(_concrete(check['data'], None))})",
                "print(model.input_shape, x.shape)", "model(x)"]
    if expect == "output_mismatch":
        loss = check["loss"] or "mse"
        return [f"y = np.zeros({_literal(_concrete(check['data'], None))})",
                "x = np.zeros(y.shape[:1] + tuple(d or 10 for d in model.input_shape[1:]))",
                f'model.compile(optimizer="sgd", loss={loss!r}, run_eagerly=True)',
                "model.train_on_batch(x, y)  # trains on the broadcast target, or raises",
                'print("trained on y", y.shape, "against outputs", model.output_shape)']
    if expect == "stateful_fit":
        return _stateful_lines(check["train"])
    if expect == "no_effect":
        lines = ["", f"# the same model without `{check['argument']}`:"]
        lines += _model(data, "model_without", drop=(check["node"], check["argument"]))
        shapes = "[layer.output.shape for layer in {}.layers]"
        return lines + [f"print({shapes.format('model')})", f"print({shapes.format('model_without')})"]
    if expect == "unbuilt":
        return ["print(model.built)  # False: not built before fit"]
    if expect == "gets_2d":
        return ["print(model.layers[-1].input)  # 2D: no time axis"]
    return []


def _stateful_lines(train: dict) -> list[str]:
    n, method, chunk = train["samples"], train.get("method", "fit"), train.get("dataset_batch")
    lines = [f"x = np.zeros(({n},) + model.input_shape[1:])", f"y = np.zeros(({n},) + model.output_shape[1:])"]
    if method != "predict" or chunk:
        lines.append('model.compile(optimizer="sgd", loss="mse", run_eagerly=True)')
    if chunk:
        lines += [f"batches = ((x[i:i + {chunk}], y[i:i + {chunk}]) for i in range(0, {n}, {chunk}))",
                  f"model.fit(batches, steps_per_epoch={-(-n // chunk)}, epochs=1)"]
    elif method == "fit":
        split = f", validation_split={train['validation_split']}" if train.get("validation_split") else ""
        lines.append(f"model.fit(x, y, batch_size={train.get('batch_size')}, epochs=1, "
                     f"shuffle={train.get('shuffle', True)}{split})")
    elif method == "evaluate":
        lines.append(f"model.evaluate(x, y, batch_size={train.get('batch_size')})")
    else:
        lines.append(f"model.predict(x, batch_size={train.get('batch_size')})")
    if train.get("claim") == "shuffle":
        lines.append('print("trained without a word on shuffled samples: the carried state mixes sequences")')
    else:
        lines[-1] += "  # raises"
    return lines


def _model(data: dict, name: str, drop: tuple[Any, Any] | None = None) -> list[str]:
    if data["api"] == "sequential":
        items = []
        if data["input"] is not None:
            items.append(f"keras.Input(shape={_literal(data['input']['shape'])})")
        items += [_layer(n["layer"], _without(n, drop)) for n in data["nodes"]]
        return [f"{name} = keras.Sequential(["] + [f"{_INDENT}{item}," for item in items] + ["])"]
    lines: list[str] = []
    shared: dict[str, str] = {}
    counts: dict[str, int] = {}
    for node in data["nodes"]:
        counts[node["instance"]] = counts.get(node["instance"], 0) + 1
    inputs: list[str] = []
    for node in data["nodes"]:
        layer = _layer(node["layer"], _without(node, drop))
        if node["layer"]["class"] == "Input":
            lines.append(f"x{node['id']} = {layer}")
            inputs.append(f"x{node['id']}")
            continue
        if counts[node["instance"]] > 1:
            if node["instance"] not in shared:
                shared[node["instance"]] = f"layer{node['id']}"
                lines.append(f"{shared[node['instance']]} = {layer}")
            layer = shared[node["instance"]]
        refs = [_ref(r) for r in node["inputs"]]
        if node["layer"]["class"] in POSITIONAL_CALL and len(refs) > 1:
            argument = ", ".join(refs)  # mha(query, value): separate arguments, as the worker calls it
        else:
            argument = refs[0] if len(refs) == 1 else "[" + ", ".join(refs) + "]"
        kwargs = "".join(f", {k}={_call_value(v)}" for k, v in node["call_kwargs"].items())
        lines.append(f"x{node['id']} = {layer}({argument}{kwargs})")
    order = [f"x{i}" for i in data.get("input_order") or [] if f"x{i}" in inputs]
    inputs = order + [i for i in inputs if i not in order]
    outputs = [_ref(r) for r in data["outputs"]]
    model_inputs = inputs[0] if len(inputs) == 1 else "[" + ", ".join(inputs) + "]"
    model_outputs = outputs[0] if len(outputs) == 1 else "[" + ", ".join(outputs) + "]"
    return lines + [f"{name} = keras.Model({model_inputs}, {model_outputs})"]


def _without(node: dict, drop: tuple[Any, Any] | None) -> str | None:
    return drop[1] if drop and drop[0] == node["id"] else None


def _layer(layer: dict, without: str | None = None) -> str:
    parts = [_layer(layer["inner"], inner_without(layer, without))] if layer.get("inner") else []
    parts += [_literal(a) for a in layer["args"]]
    parts += [f"{k}={_literal(v)}" for k, v in layer["kwargs"].items() if k != without]
    if layer.get("backward"):
        parts.append(f"backward_layer={_layer(layer['backward'])}")
    callee = "keras.Input" if layer["class"] == "Input" else f"keras.layers.{layer['class']}"
    return f"{callee}({', '.join(parts)})"


def _ref(ref: list) -> str:
    node, index = ref
    return f"x{node}" if index is None else f"x{node}[{index}]"


def _call_value(value: dict) -> str:
    if "ref" in value:
        return _ref(value["ref"])
    if "refs" in value:
        return "[" + ", ".join(_ref(r) for r in value["refs"]) + "]"
    return _literal(value["literal"])


def _literal(value: Any) -> str:
    """Python source for plain data (lists were tuples in the source); repr keeps strings inert."""
    if isinstance(value, list):
        inner = ", ".join(_literal(v) for v in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    return repr(value)


def _concrete(dims: list, batch: int | None) -> list:
    samples = dims[0] if isinstance(dims[0], int) else (batch or 32)
    return [samples] + [d if isinstance(d, int) else 1 for d in dims[1:]]


__all__ = ["repro_script"]
