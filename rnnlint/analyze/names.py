"""Canonical names: one small alias table from qualified names to public Keras / NumPy names.

`tensorflow.keras.layers.LSTM`, `tf_keras.layers.LSTM`, `keras.src.layers.rnn.lstm.LSTM` and legacy
`keras.layers.recurrent.LSTM` all become ("keras", "layers.LSTM"). Matching is exact, never by suffix.
"""
from __future__ import annotations

# Prefixes that mean "Keras", longest first.
_KERAS_PREFIXES = (
    "tensorflow.compat.v1.keras.",
    "tensorflow.compat.v2.keras.",
    "tensorflow.python.keras.",
    "tensorflow.keras.",
    "tf_keras.src.",
    "tf_keras.",
    "keras.src.",
    "keras._tf_keras.keras.",
    "keras.",
)

# Legacy or private submodules of keras.layers whose classes are the public layers.
_LAYER_SUBMODULES = (
    "recurrent", "recurrent_v2", "core", "wrappers", "embeddings", "convolutional", "convolutional_recurrent",
    "pooling", "normalization", "merge", "cudnn_recurrent", "advanced_activations", "noise", "attention",
    "rnn", "rnn.lstm", "rnn.gru", "rnn.simple_rnn", "rnn.bidirectional", "rnn.time_distributed", "rnn.rnn",
    "rnn.conv_lstm1d", "rnn.conv_lstm2d", "rnn.conv_lstm3d", "core.dense", "core.embedding", "core.input_layer",
    "core.masking", "core.lambda_layer", "regularization", "regularization.dropout", "reshaping",
    "reshaping.repeat_vector", "reshaping.flatten", "reshaping.reshape", "reshaping.permute", "merging",
    "normalization.batch_normalization", "normalization.layer_normalization", "convolutional.conv1d",
)

MODEL_CLASSES = {"Sequential", "Model", "Functional"}
INPUT_FUNCS = {"Input"}


def keras_name(qualified: str) -> str | None:
    """The public Keras name for a qualified name: 'layers.LSTM', 'Sequential', 'Model', 'Input', 'losses.MSE'…

    Returns None when the name is not Keras's.
    """
    rest = None
    for prefix in _KERAS_PREFIXES:
        if qualified.startswith(prefix):
            rest = qualified[len(prefix):]
            break
    if rest is None:
        return None
    if rest.startswith("layers."):
        tail = rest[len("layers."):]
        for sub in sorted(_LAYER_SUBMODULES, key=len, reverse=True):
            if tail.startswith(sub + "."):
                tail = tail[len(sub) + 1:]
                break
        if "." in tail:
            return None
        if tail == "Input":
            return "Input"
        return "layers." + tail
    for module in ("models.", "engine.sequential.", "engine.training.", "engine.functional.",
                   "engine.input_layer.", "models.sequential.", "models.model.", "models.functional."):
        if rest.startswith(module):
            rest = rest[len(module):]
            break
    if rest in ("Sequential", "Model", "Input", "Functional", "InputLayer"):
        return rest if rest != "InputLayer" else "layers.InputLayer"
    if rest.startswith(("losses.", "optimizers.", "utils.", "preprocessing.", "callbacks.")):
        return rest
    return None


def numpy_name(qualified: str) -> str | None:
    """'numpy.random.rand' → 'random.rand'; None if not NumPy."""
    if qualified.startswith("numpy."):
        return qualified[len("numpy."):]
    return None


def tf_name(qualified: str) -> str | None:
    """'tensorflow.constant' → 'constant' (non-Keras TensorFlow functions)."""
    if qualified.startswith("tensorflow.") and not qualified.startswith("tensorflow.keras."):
        return qualified[len("tensorflow."):]
    return None
