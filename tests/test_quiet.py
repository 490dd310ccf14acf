"""Issue 15, "quiet when nothing is wrong": each point as a flagged case and its clean twin, linted with every
default rule, so a finding from another rule (a second finding for the same cause) fails too. Each row is
(source, the Keras the project declares or None, the exact findings as (code, line, severity))."""
from __future__ import annotations

import textwrap

import pytest

from rnnlint.declared import choice_from_requirement
from rnnlint.engine import lint_source
from rnnlint.settings import Settings

SERIES = """
import numpy as np
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import LSTM, Dense
X = np.random.rand(50, 3)
y = np.random.rand(50, 1)
model = Sequential([LSTM(8, input_shape=(3, 1)), Dense(1)])
model.compile(loss="mse")
model.fit(X, y, batch_size=10)
"""

STATEFUL_20_ON_15 = """
import numpy as np
import keras
X = np.random.rand(15, 4, 1)
y = np.random.rand(15, 1)
model = keras.Sequential([keras.Input(batch_shape=(20, 4, 1)), keras.layers.LSTM(8, stateful=True),
                          keras.layers.Dense(1)])
model.compile(loss="mse")
model.fit(X, y, epochs=2, batch_size=5)
"""

STATEFUL_ON_DATASET = """
import numpy as np
import tensorflow as tf
import keras
X = np.random.rand(64, 10, 1)
ds = tf.data.Dataset.from_tensor_slices((X, X[:, -1])).batch(8)
model = keras.Sequential([keras.Input(batch_shape=(8, 10, 1)), keras.layers.GRU(4, stateful=True),
                          keras.layers.Dense(1)])
model.compile(loss="mse")
model.fit(ds, epochs=3)
model.predict(ds)
"""

STATELESS_PREDICT = """
import numpy as np
import keras
X = np.random.rand(100, 10, 1)
model = keras.Sequential([keras.Input(shape=(10, 1)), keras.layers.LSTM(4), keras.layers.Dense(1)])
model.compile(loss="mse")
model.fit(X, X[:, -1], batch_size=10)
print(model.predict(X), model.evaluate(X, X[:, -1]))
"""

FIT_WITHOUT_BATCH_SIZE = """
import numpy as np
import keras
X = np.random.rand(100, 10, 1)
model = keras.Sequential([keras.Input(shape=(10, 1)), keras.layers.LSTM(4), keras.layers.Dense(1)])
model.compile(loss="mse")
model.fit(X, X[:, -1], epochs=2)
model.predict(X, batch_size=200)
"""

BEGINNER_LINE = """
import numpy as np
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense
x = np.array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
y = 2 * x + 1
model = Sequential([Dense(1, input_dim=1)])
model.compile(optimizer="sgd", loss="mse")
model.fit(x, y, epochs=5, batch_size=10)
"""

DENSE_WRONG_FEATURES = """
import numpy as np
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Dense
x = np.random.rand(10, 3)
model = Sequential([Dense(1, input_dim=4)])
model.compile(optimizer="sgd", loss="mse")
model.fit(x, np.zeros((10, 1)), epochs=5, batch_size=10)
"""

NESTED_DECODER = """
import keras
from keras import layers
encoder_inputs = keras.Input(shape=(20, 8))
state = layers.LSTM(32)(encoder_inputs)
decoder = keras.Sequential([layers.LSTM(32, return_sequences=True), layers.TimeDistributed(layers.Dense(8))])
model = keras.Model(encoder_inputs, decoder(layers.RepeatVector(10)(state)))
"""

UNBUILT_SEQUENTIAL = """
import keras
from keras import layers
model = keras.Sequential([layers.LSTM(32, return_sequences=True), layers.TimeDistributed(layers.Dense(8))])
"""

EMBEDDING_INPUT_LENGTH = """
import keras
model = keras.Sequential([keras.layers.Embedding(1000, 16, input_length=20), keras.layers.LSTM(8),
                          keras.layers.Dense(1)])
"""

CASES = {
    # 2. a 2D x into (T, 1): tf.keras before 2.7 raises; tf-keras and Keras 3 add the axis; a range spanning
    #    2.7 cannot decide, nor can a bare major version
    "x-2d-tensorflow-2.4": (SERIES, "tensorflow==2.4.0", [("RNN004", 8, "error")]),
    "x-2d-tf-keras-2.21": (SERIES, "tf-keras==2.21.0", []),
    "x-2d-tensorflow-2.12": (SERIES, "tensorflow==2.12.0", []),
    "x-2d-keras-3": (SERIES, "keras>=3", []),
    "x-2d-undecided-range": (SERIES, "tensorflow>=2.4,<2.16", []),
    "x-2d-multi-backend-keras": (SERIES.replace("tensorflow.keras", "keras"), "keras==2.3.1", [("RNN004", 8, "error")]),
    "x-1d-into-dense": (BEGINNER_LINE, None, []),
    "x-1d-into-dense-tensorflow-2.4": (BEGINNER_LINE, "tensorflow==2.4.0", []),
    "x-wrong-features-dense": (DENSE_WRONG_FEATURES, None, [("RNN004", 7, "error")]),
    "nested-decoder": (NESTED_DECODER, None, []),
    "unbuilt-sequential": (UNBUILT_SEQUENTIAL, None, [("RNN002", 3, "warning")]),
    # 3. RNN006: fit without batch_size only; never predict of a stateless model, never a dataset
    "stateless-predict": (STATELESS_PREDICT, None, []),
    "fit-without-batch-size": (FIT_WITHOUT_BATCH_SIZE, None, [("RNN006", 6, "warning")]),
    # 4. RNN007: one finding per cause
    "stateful-20-on-15": (STATEFUL_20_ON_15, None, [("RNN007", 5, "error")]),
    "stateful-on-own-dataset": (STATEFUL_ON_DATASET.replace("model.fit(ds, epochs=3)",
                                                            "model.fit(ds, epochs=3, shuffle=False)"), None, []),
    # 5. RNN010: input_length on Embedding is ignored, not rejected
    "embedding-input-length": (EMBEDDING_INPUT_LENGTH, None, [("RNN010", 2, "warning")]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_findings_are_exactly_these(name: str) -> None:
    source, project, expected = CASES[name]
    keras = choice_from_requirement(project) if project else None
    assert project is None or keras is not None, project
    result = lint_source(textwrap.dedent(source).lstrip("\n"), "case.py",
                         Settings(confirm=False, use_cache=False, keras=keras))
    found = [(f.code, f.span.line, f.severity) for f in result.findings]
    assert found == expected, [(f.code, f.span.line, f.message) for f in result.findings]


def test_the_stateful_finding_says_what_must_agree_and_nothing_absurd() -> None:
    result = lint_source(textwrap.dedent(STATEFUL_20_ON_15).lstrip("\n"), "case.py",
                         Settings(confirm=False, use_cache=False))
    (finding,) = result.findings
    assert "the declared batch size, batch_size= and the number of samples must agree" in finding.message
    assert "shuffle=False" in finding.message  # the other thing this fit gets wrong, in the same finding
    assert "trim" not in finding.message and " 0 samples" not in finding.message


def test_a_stateful_dataset_of_other_batches_is_one_finding() -> None:
    source = STATEFUL_ON_DATASET.replace(".batch(8)", ".batch(16)").replace("model.predict(ds)\n", "")
    result = lint_source(textwrap.dedent(source).lstrip("\n"), "case.py", Settings(confirm=False, use_cache=False))
    assert [(f.code, f.span.line) for f in result.findings] == [("RNN007", 6)]
    assert "yields batches of 16" in result.findings[0].message


def test_the_keras_2_message_names_the_release_that_decides() -> None:
    result = lint_source(textwrap.dedent(SERIES).lstrip("\n"), "case.py",
                         Settings(confirm=False, use_cache=False, keras=choice_from_requirement("tensorflow==2.4.0")))
    (finding,) = result.findings
    assert finding.message.endswith("Keras 2 (requirements.txt:1: tensorflow==2.4.0) does not add the missing "
                                    "feature axis")
    assert "(samples, timesteps, features)" in finding.message


def test_a_model_without_a_recurrent_layer_speaks_of_features_not_timesteps() -> None:
    result = lint_source(textwrap.dedent(DENSE_WRONG_FEATURES).lstrip("\n"), "case.py",
                         Settings(confirm=False, use_cache=False))
    (finding,) = result.findings
    assert "timesteps" not in finding.message and "features" in finding.message
