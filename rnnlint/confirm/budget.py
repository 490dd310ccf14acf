"""The memory guard: estimate a spec's parameter count before anything is built."""
from __future__ import annotations

from typing import Any

DEFAULT_MAX_PARAMS = 50_000_000

_GATES = {"LSTM": 4, "CuDNNLSTM": 4, "LSTMCell": 4, "GRU": 3, "CuDNNGRU": 3, "GRUCell": 3,
          "SimpleRNN": 1, "SimpleRNNCell": 1}
_CONV_LSTM_DIMS = {"ConvLSTM1D": 1, "ConvLSTM2D": 2, "ConvLSTM3D": 3}


def estimate_params(spec: dict) -> int:
    """A lower bound of the trainable parameters of `spec` (unknown input widths count as 0)."""
    width: dict[int, int] = {}  # node id -> last dimension of its output, when known
    total = 0
    previous = _last_dim(spec["input"]["shape"]) if spec.get("input") else 0
    for node in spec["nodes"]:
        refs = node["inputs"]
        if refs:
            incoming = sum(width.get(ref[0], 0) for ref in refs)
        else:
            incoming = previous if spec["api"] == "sequential" else 0
        declared = _declared_width(node["layer"])
        if declared is not None:
            incoming = declared
        params, out = _layer(node["layer"], incoming)
        total += params
        width[node["id"]] = out
        previous = out
    return total


def _layer(layer: dict, incoming: int) -> tuple[int, int]:
    """(parameters, output width) of one layer receiving `incoming` features."""
    kind, kwargs = layer["class"], layer["kwargs"]
    first = layer["args"][0] if layer["args"] else None
    if kind in _GATES:
        units = _int(kwargs.get("units", first))
        return _GATES[kind] * (units * (units + incoming) + units), units
    if kind in _CONV_LSTM_DIMS:
        filters = _int(kwargs.get("filters", first))
        kernel = kwargs.get("kernel_size", layer["args"][1] if len(layer["args"]) > 1 else 1)
        area = _area(kernel, _CONV_LSTM_DIMS[kind])
        return 4 * (area * (incoming + filters) * filters + filters), filters
    if kind in ("Dense",):
        units = _int(kwargs.get("units", first))
        return units * incoming + units, units
    if kind in ("Conv1D", "Conv2D"):
        filters = _int(kwargs.get("filters", first))
        kernel = kwargs.get("kernel_size", layer["args"][1] if len(layer["args"]) > 1 else 1)
        return _area(kernel, 1 if kind == "Conv1D" else 2) * incoming * filters + filters, filters
    if kind == "Embedding":
        vocabulary = _int(kwargs.get("input_dim", first))
        size = _int(kwargs.get("output_dim", layer["args"][1] if len(layer["args"]) > 1 else 0))
        return vocabulary * size, size
    if kind == "MultiHeadAttention":
        heads = _int(kwargs.get("num_heads", first))
        key = _int(kwargs.get("key_dim", layer["args"][1] if len(layer["args"]) > 1 else 0))
        return 4 * heads * key * max(incoming, 1), incoming
    if kind in ("Bidirectional", "TimeDistributed", "RNN") and layer["inner"] is not None:
        params, out = _layer(layer["inner"], incoming)
        if kind == "Bidirectional":
            backward = _layer(layer["backward"], incoming)[0] if layer["backward"] else params
            return params + backward, 2 * out
        return params, out
    if kind == "RepeatVector" or kind.startswith(("Global", "Dropout", "Spatial", "Gaussian")):
        return 0, incoming
    if kind in ("Flatten", "Reshape", "Permute", "Concatenate"):
        return 0, 0  # the width changes in ways not tracked here: lower bound
    return 0, incoming


def _declared_width(layer: dict) -> int | None:
    kwargs = layer["kwargs"]
    for key in ("input_shape", "shape", "batch_input_shape", "batch_shape"):
        if isinstance(kwargs.get(key), list) and kwargs[key]:
            return _last_dim(kwargs[key])
    if layer["class"] == "Input" and layer["args"] and isinstance(layer["args"][0], list):
        return _last_dim(layer["args"][0])
    if "input_dim" in kwargs and layer["class"] != "Embedding":
        return _int(kwargs["input_dim"])
    return None


def _last_dim(shape: Any) -> int:
    return _int(shape[-1]) if isinstance(shape, list) and shape else 0


def _area(kernel: Any, rank: int) -> int:
    if isinstance(kernel, list):
        area = 1
        for k in kernel:
            area *= _int(k)
        return area
    return _int(kernel) ** rank


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


__all__ = ["estimate_params", "DEFAULT_MAX_PARAMS"]
