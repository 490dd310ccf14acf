"""Small helpers shared by rules: naming layers in messages, walking the graph back to a culprit, edits.

Everything here reads the IR and the shapes only.
"""
from __future__ import annotations

import math
import re
from typing import Iterator

from rnnlint.findings import Edit
from rnnlint.ir import ArrayShape, Argument, CallSite, FileIR, Layer, Model, Pos, Span, TrainCall

from rnnlint.layerkinds import (  # noqa: E402,F401 - the rules import these from here too
    CONV_RECURRENT_KINDS, INPUT_KINDS, RANK_PRESERVING, RECURRENT_KINDS, RECURRENT_NAMES, input_ref, producer, recurrent_core,
    sequence_flag, walk_back,
)


def label(layer: Layer) -> str:
    """'LSTM (line 3)' or 'Bidirectional(LSTM) (line 3)'; a layer written in another module says where."""
    name = layer.kind
    if layer.inner is not None:
        name = f"{layer.kind}({layer.inner.kind})"
    if layer.span.path:  # not "line N": notebooks rewrite those mentions into cell positions
        return f"{name} ({layer.span.path}:{layer.span.line})"
    return f"{name} (line {layer.span.line})"


def insertion(at: Pos, text: str) -> Edit:
    """An edit inserting `text` at `at` (a span of no width)."""
    return Edit(Span(at.line, at.column, at.line, at.column), text)


def insert_argument(layer: Layer, text: str) -> tuple[Edit, ...]:
    """The edits appending `text` (e.g. 'return_sequences=True') to the layer call's arguments."""
    return append_to_call(layer.call, layer.arguments, text)


def append_to_call(call: CallSite, arguments: tuple[Argument, ...], text: str) -> tuple[Edit, ...]:
    """The edits appending the argument `text` to a call, in the call's own layout: after the last argument on
    its line (`f(a, b)` → `f(a, b, text)`, a trailing comma kept), or, when the closing parenthesis is on a line of
    its own, as a new line with the last argument's indentation (one argument per line stays so; a comment after
    the last argument stays on its line)."""
    close = call.close_paren
    if not arguments:
        return (insertion(close, text),)
    last = max(arguments, key=lambda a: (a.span.end_line, a.span.end_column))
    if close.line == last.span.end_line or last.span.line == call.span.line:
        return (insertion(last.span.end, f", {text}"),)
    indent = " " * (last.span.column - 1)
    line_start = Pos(close.line, 1)
    if call.has_trailing_comma:
        return (insertion(line_start, f"{indent}{text},\n"),)
    return insertion(last.span.end, ","), insertion(line_start, f"{indent}{text}\n")


def rename_keyword(arg: Argument, new: str) -> Edit:
    """An edit renaming the keyword of `arg` (`nb_epoch=3` → `epochs=3`)."""
    assert arg.keyword is not None
    start = arg.span
    return Edit(Span(start.line, start.column, start.line, start.column + len(arg.keyword)), new)


def all_layers(layer: Layer) -> Iterator[Layer]:
    """A layer and the layers it wraps."""
    yield layer
    for inner in (layer.inner, layer.backward):
        if inner is not None:
            yield from all_layers(inner)


def model_has_recurrent(model: Model) -> bool:
    return any(recurrent_core(n.layer) is not None or (n.layer.inner is not None and
               recurrent_core(n.layer.inner) is not None) or n.layer.kind == "RNN" for n in model.nodes)


def stateful_layer(model: Model) -> Layer | None:
    """The model's first layer that is, or wraps, a layer with `stateful=True` (None for a stateless model)."""
    return next((node.layer for node in model.nodes
                 if any(inner.arg("stateful") is True for inner in all_layers(node.layer))), None)




def file_has_recurrent(ir: FileIR) -> bool:
    """The file builds or imports a recurrent layer (rnnlint's scope: rules about Keras in general, such as the
    Keras 3 migration, speak only in such files)."""
    if any(model_has_recurrent(model) for model in ir.models):
        return True
    if any(recurrent_core(layer) is not None or layer.kind in RECURRENT_NAMES for layer in ir.standalone_layers):
        return True
    return any(name in RECURRENT_NAMES for imp in ir.imports for name in imp.names) or any(
        imp.module.rsplit(".", 1)[-1] in ("recurrent", "cudnn_recurrent", "convolutional_recurrent")
        for imp in ir.imports)


def remove_argument(layer: Layer, arg: Argument) -> Edit:
    """An edit deleting `arg` and the separating comma (from the end of the previous argument)."""
    index = layer.arguments.index(arg)
    if index > 0:
        prev = layer.arguments[index - 1]
        return Edit(Span(prev.span.end_line, prev.span.end_column, arg.span.end_line, arg.span.end_column), "")
    if len(layer.arguments) > 1:
        nxt = layer.arguments[1]
        return Edit(Span(arg.span.line, arg.span.column, nxt.span.line, nxt.span.column), "")
    if layer.call.has_trailing_comma:  # `LSTM(input_shape=(1, 2),)`: the comma goes too
        close = layer.call.close_paren
        return Edit(Span(arg.span.line, arg.span.column, close.line, close.column), "")
    return Edit(arg.span, "")


def remove_arguments(layer: Layer, args: list[Argument]) -> tuple[Edit, ...]:
    """Edits deleting several arguments of one call; adjacent ones are removed by one edit (no overlaps)."""
    removed = sorted({layer.arguments.index(a) for a in args})
    runs: list[list[int]] = []
    for i in removed:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    edits = []
    for run in runs:
        first, last = layer.arguments[run[0]], layer.arguments[run[-1]]
        if run[0] > 0:
            prev = layer.arguments[run[0] - 1]
            edits.append(Edit(Span(prev.span.end_line, prev.span.end_column, last.span.end_line, last.span.end_column), ""))
        elif run[-1] + 1 < len(layer.arguments):
            nxt = layer.arguments[run[-1] + 1]
            edits.append(Edit(Span(first.span.line, first.span.column, nxt.span.line, nxt.span.column), ""))
        else:
            close = layer.call.close_paren
            end = (close.line, close.column) if layer.call.has_trailing_comma else (last.span.end_line, last.span.end_column)
            edits.append(Edit(Span(first.span.line, first.span.column, *end), ""))
    return tuple(edits)


def drop_leading_none(source: str) -> str | None:
    """'(None, 10, 1)' → '(10, 1)'; None when the text is not a tuple/list starting with None."""
    m = re.fullmatch(r"\s*([(\[])\s*None\s*,\s*(.*?)\s*([)\]])\s*", source, flags=re.S)
    if not m:
        return None
    inner = m.group(2).rstrip().rstrip(",").strip()
    if not inner:
        return None
    if "," not in inner and m.group(1) == "(":
        return f"({inner},)"
    return f"{m.group(1)}{inner}{m.group(3)}"


KERAS_LAYER_MODULES = ("keras.layers", "tensorflow.keras.layers", "tf_keras.layers", "keras")


def input_spelling(ir: FileIR, layer: Layer) -> tuple[str, tuple[Edit, ...]] | None:
    """How to write Keras's `Input` in this file's own import style, with the import edit it needs (if any).

    `layers.LSTM` → `layers.Input`; a bare `LSTM` imported `from keras.layers import LSTM` → `Input`, adding it to
    that import when it is not imported yet. None when no safe spelling is found.
    """
    func = layer.call.func_source.strip()
    if "." in func:
        return func.rsplit(".", 1)[0] + ".Input", ()
    for imp in ir.imports:
        if imp.module in KERAS_LAYER_MODULES and "Input" in imp.names and \
                imp.aliases[imp.names.index("Input")] in (None, "Input"):
            return "Input", ()
    for imp in ir.imports:
        if imp.module in KERAS_LAYER_MODULES and imp.names_end is not None and \
                (func in imp.names or func in imp.aliases):
            return "Input", (insertion(imp.names_end, ", Input"),)
    for imp in ir.imports:
        if not imp.names and imp.module in ("keras", "tensorflow"):
            alias = imp.aliases[0] if imp.aliases and imp.aliases[0] else imp.module
            return (f"{alias}.Input" if imp.module == "keras" else f"{alias}.keras.Input"), ()
    return None


def insert_first_layer(model: Model, text: str) -> Edit | None:
    """An edit that makes `text` (an `Input(...)` expression) the first layer of a Sequential model."""
    if model.api != "sequential" or not model.nodes:
        return None
    first = model.nodes[0]
    add = first.added_by
    if add is not None:
        if add.statement is None or add.statement != add.span.start:
            return None  # `model.add(...)` is not a statement of its own: no safe place for a new line
        return insertion(add.statement, f"{add.func_source}({text})\n{add.statement_indent}")
    call = first.layer.call
    if call.starts_line:
        return insertion(call.span.start, f"{text},\n{call.line_indent}")
    return insertion(call.span.start, f"{text}, ")


def prepend_input(ir: FileIR, model: Model, layer: Layer, arguments: str) -> tuple[str, tuple[Edit, ...]] | None:
    """The edits that make `Input(<arguments>)`, spelled in the file's import style (`input_spelling`), the first
    layer of a Sequential model, with the import they need; and that spelling. None when either is impossible."""
    spelling = input_spelling(ir, layer)
    if spelling is None:
        return None
    name, import_edits = spelling
    insert = insert_first_layer(model, f"{name}({arguments})")
    if insert is None:
        return None
    return name, (*import_edits, insert)


def tuple_source(*parts: tuple[str, bool]) -> str:
    """'(4, 10, 1)' from (source, is_sequence) parts such as ('4', False) and ('(10, 1)', True).

    A sequence written as a tuple or list literal is spliced in element by element; any other sequence
    expression is unpacked (`(4, *shape)`); a scalar is kept as written (parenthesised when it is not a plain
    name or number, so the result always parses as the same values)."""
    out: list[str] = []
    for text, is_sequence in parts:
        p = text.strip()
        elements = _literal_elements(p) if is_sequence else None
        if elements is not None:
            out.extend(elements)
        elif is_sequence:
            out.append(f"*({p})")
        else:
            out.append(p if re.fullmatch(r"[\w.]+", p) else f"({p})")
    joined = ", ".join(out)
    return f"({joined},)" if len(out) == 1 else f"({joined})"


def _literal_elements(text: str) -> list[str] | None:
    """The element sources of a tuple/list literal that is the whole of `text`, else None."""
    import ast

    try:
        node = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return None
    if not isinstance(node, (ast.Tuple, ast.List)) or any(isinstance(e, ast.Starred) for e in node.elts):
        return None
    if not (text.startswith(("(", "[")) and ast.get_source_segment(text, node) == text):
        return None
    return [ast.get_source_segment(text, e) for e in node.elts]


def batched_samples(call: TrainCall) -> tuple[int, ...] | None:
    """The sample counts Keras cuts into batches in `call`: (n,), or (training, validation) for a fit with a
    literal `validation_split` (Keras: training = floor(n * (1 - split)), the rest validates); None when the
    count, or the split, is not known."""
    samples = call.x.samples if isinstance(call.x, ArrayShape) else None
    if not isinstance(samples, int) or isinstance(samples, bool) or samples <= 0:
        return None
    split = next((a.value for a in call.arguments if a.keyword == "validation_split"), None)
    if call.method != "fit" or split is None or split == 0:
        return (samples,)
    if not isinstance(split, (int, float)) or isinstance(split, bool) or not 0 < split < 1:
        return None
    training = int(math.floor(samples * (1.0 - split)))
    if training in (0, samples):
        return None  # Keras refuses such a split
    return (training, samples - training)


DECLARING = ("input_shape", "batch_input_shape", "input_dim")  # a layer's own input declaration


def wrapped_declaration(layer: Layer) -> Argument | None:
    """An input declaration on the layer `layer` wraps, which Keras ignores (it reads the wrapper's only);
    `input_dim` of an Embedding is its vocabulary size, not a declaration."""
    inner = layer.inner
    if inner is None:
        return None
    return next((a for a in inner.arguments if a.keyword in DECLARING
                 and not (a.keyword == "input_dim" and inner.kind == "Embedding")), None)
