"""The Keras classes the checker may build, and what it knows about their arguments (pure data)."""
from __future__ import annotations

# Canonical `keras.layers` class names the worker is allowed to instantiate. Nothing else is built.
ALLOWED_LAYERS: frozenset[str] = frozenset({
    # inputs
    "Input", "InputLayer",
    # recurrent layers, cells and wrappers
    "LSTM", "GRU", "SimpleRNN", "RNN", "LSTMCell", "GRUCell", "SimpleRNNCell",
    "Bidirectional", "TimeDistributed", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D",
    "CuDNNLSTM", "CuDNNGRU",  # removed in Keras 3: building them shows Keras's own error
    # core and regularisation
    "Dense", "Activation", "Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianNoise",
    "GaussianDropout", "AlphaDropout", "ActivityRegularization", "Embedding", "Masking", "Identity",
    # convolution and pooling
    "Conv1D", "Conv2D", "SeparableConv1D", "DepthwiseConv1D", "MaxPooling1D", "AveragePooling1D",
    "MaxPooling2D", "AveragePooling2D", "GlobalMaxPooling1D", "GlobalAveragePooling1D", "ZeroPadding1D",
    "Cropping1D", "UpSampling1D",
    # reshaping
    "Flatten", "Reshape", "RepeatVector", "Permute",
    # attention and normalisation
    "Attention", "AdditiveAttention", "MultiHeadAttention", "LayerNormalization", "BatchNormalization",
    # merging
    "Concatenate", "Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum", "Dot",
    # activations as layers
    "ReLU", "LeakyReLU", "PReLU", "ELU", "Softmax",
})

RECURRENT_LAYERS: frozenset[str] = frozenset({
    "LSTM", "GRU", "SimpleRNN", "RNN", "Bidirectional", "CuDNNLSTM", "CuDNNGRU",
})

# Per-sample rank a first layer of this class needs (for a synthetic input when none is declared).
INPUT_RANK: dict[str, int] = {"ConvLSTM1D": 3, "ConvLSTM2D": 4, "ConvLSTM3D": 5, "Embedding": 1, "Dense": 1}

# Keyword arguments that never change a shape (defined with the layer kinds).
from rnnlint.layerkinds import SHAPE_NEUTRAL_ARGS  # noqa: E402,F401

# Positional slot / keyword holding the wrapped layer (filled from `Layer.inner`).
INNER_ARGUMENT: dict[str, str] = {"Bidirectional": "layer", "TimeDistributed": "layer", "RNN": "cell"}
