"""Canonical names: one small alias table from qualified names to public Keras / NumPy names.

`tensorflow.keras.layers.LSTM`, `tf_keras.layers.LSTM`, `keras.src.layers.rnn.lstm.LSTM` and legacy
`keras.layers.recurrent.LSTM` all become ("keras", "layers.LSTM"). Matching is exact, never by suffix.
"""
from __future__ import annotations

from functools import lru_cache

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

# What `from <keras>.layers import *` and `from <keras>.models import *` bind: the public names of keras.layers in
# Keras 3.15 and tf_keras 2.21 (classes and the merge functions), plus Keras 2's CuDNNLSTM/CuDNNGRU.
_LAYER_EXPORTS = frozenset("""
AbstractRNNCell Activation ActivityRegularization AdaptiveAveragePooling1D AdaptiveAveragePooling2D
AdaptiveAveragePooling3D AdaptiveMaxPooling1D AdaptiveMaxPooling2D AdaptiveMaxPooling3D Add AdditiveAttention
AlphaDropout Attention AugMix AutoContrast Average AveragePooling1D AveragePooling2D AveragePooling3D AvgPool1D
AvgPool2D AvgPool3D BatchNormalization Bidirectional CategoryEncoding CenterCrop Concatenate Conv1D Conv1DTranspose
Conv2D Conv2DTranspose Conv3D Conv3DTranspose ConvLSTM1D ConvLSTM2D ConvLSTM3D Convolution1D Convolution1DTranspose
Convolution2D Convolution2DTranspose Convolution3D Convolution3DTranspose Cropping1D Cropping2D Cropping3D CuDNNGRU
CuDNNLSTM CutMix Dense DenseFeatures DepthwiseConv1D DepthwiseConv2D Discretization Dot Dropout ELU EinsumDense
Embedding Equalization Flatten GRU GRUCell GaussianDropout GaussianNoise GlobalAveragePooling1D
GlobalAveragePooling2D GlobalAveragePooling3D GlobalAvgPool1D GlobalAvgPool2D GlobalAvgPool3D GlobalMaxPool1D
GlobalMaxPool2D GlobalMaxPool3D GlobalMaxPooling1D GlobalMaxPooling2D GlobalMaxPooling3D GroupNormalization
GroupQueryAttention HashedCrossing Hashing Identity Input InputLayer InputSpec IntegerLookup LSTM LSTMCell Lambda
Layer LayerNormalization LeakyReLU LocallyConnected1D LocallyConnected2D Masking MaxPool1D MaxPool2D MaxPool3D
MaxPooling1D MaxPooling2D MaxPooling3D Maximum MelSpectrogram Minimum MixUp MultiHeadAttention Multiply
Normalization PReLU Permute RMSNormalization RNN RandomBrightness RandomContrast RandomCrop RandomFlip RandomHeight
RandomRotation RandomTranslation RandomWidth RandomZoom ReLU RepeatVector Rescaling Reshape Resizing
SeparableConv1D SeparableConv2D SimpleRNN SimpleRNNCell Softmax SpatialDropout1D SpatialDropout2D SpatialDropout3D
SpectralNormalization StackedRNNCells StringLookup Subtract TextVectorization ThresholdedReLU TimeDistributed
UnitNormalization UpSampling1D UpSampling2D UpSampling3D Wrapper ZeroPadding1D ZeroPadding2D ZeroPadding3D
add average concatenate dot maximum minimum multiply subtract
""".split())
_STAR_EXPORTS = {
    "layers": _LAYER_EXPORTS,
    "models": frozenset({"Sequential", "Model", "load_model", "clone_model", "model_from_json"}),
    "": frozenset({"Sequential", "Model", "Input", "layers", "models", "losses", "optimizers", "utils",
                   "callbacks", "backend"}),
}

MODEL_CLASSES = {"Sequential", "Model", "Functional"}
INPUT_FUNCS = {"Input"}


def star_exports(module: str) -> frozenset[str]:
    """The names `from MODULE import *` binds, for Keras's top-level, layers and models modules; else none
    (then a star import binds nothing the analyzer follows, and what it would bind stays Unknown)."""
    for prefix in _KERAS_PREFIXES:
        if (module + ".").startswith(prefix):
            rest = (module + ".")[len(prefix):].rstrip(".")
            return _STAR_EXPORTS.get(rest, frozenset())
    return frozenset()


@lru_cache(maxsize=8192)
def keras_path(qualified: str) -> str | None:
    """The path of a qualified name inside Keras, whichever Keras spells it: 'tensorflow.keras' and 'keras' → '',
    'tf.keras.layers' → 'layers'; None when it is not Keras (so two import branches that bind the same Keras
    module under different spellings are the same module)."""
    for prefix in _KERAS_PREFIXES:
        if (qualified + ".").startswith(prefix):
            return (qualified + ".")[len(prefix):].rstrip(".")
    return None


@lru_cache(maxsize=8192)
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
    if rest.startswith(("losses.", "optimizers.", "utils.", "preprocessing.", "callbacks.", "datasets.")):
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
