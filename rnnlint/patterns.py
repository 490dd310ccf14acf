"""The four input/output patterns the lecture teaches, derived from a model's shapes.

many-to-many: a sequence in, a sequence out (output (batch, timesteps, units));
many-to-one:  a sequence in, one vector out (output (batch, units));
one-to-many:  one vector in, a sequence out (e.g. Dense → RepeatVector → LSTM(return_sequences=True));
one-to-one:   one vector in, one vector out.
"""
from __future__ import annotations

from rnnlint.ir import Model
from rnnlint.shapes import ModelShapes, MultiOutput

SEQUENCE_FIRST = ("Embedding",)


def model_pattern(model: Model, shapes: ModelShapes) -> str | None:
    """'many-to-one', 'many-to-many', 'one-to-many', 'one-to-one', or None when the shapes are unknown."""
    inp, out = shapes.model_input, shapes.model_output
    if isinstance(inp, MultiOutput):  # several inputs: a sequence in if any input is one
        known = [s for s in inp.shapes if isinstance(s, tuple)]
        if len(known) != len(inp.shapes):
            return None
        inp = max(known, key=len)
    if not (isinstance(inp, tuple) and isinstance(out, tuple)):
        return None
    first = next((n.layer.kind for n in model.nodes if n.layer.kind not in ("Input", "InputLayer")), None)
    sequence_in = len(inp) >= 3 or (first in SEQUENCE_FIRST and len(inp) == 2)
    sequence_out = len(out) >= 3
    if sequence_in:
        return "many-to-many" if sequence_out else "many-to-one"
    return "one-to-many" if sequence_out else "one-to-one"
