"""A minimal standalone Keras script that reproduces a confirmed finding (for `--show-repro`)."""
from __future__ import annotations

from typing import Any

from rnnlint.confirm.build import inner_without
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
             "import tf_keras as keras  # Keras 2" if legacy else "import keras"]
    if check["expect"] in ("input_mismatch", "output_mismatch") or (check["expect"] == "raises" and check["data"]):
        lines.append("import numpy as np")
    lines.append("")
    lines += _model(data, "model")
    lines += _check_lines(data)
    return "\n".join(lines) + "\n"


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
                "print(model.output_shape, y.shape)",
                "y_pred = np.zeros(y.shape[:1] + model.output_shape[1:])",
                f"print(keras.losses.get({loss!r})(y, y_pred).shape)"]
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
