# The lecture's 2 samples of 4 steps: a many-to-many model trained on one target per sample.
# Keras trains this without any error: the mse broadcasts (2, 1) over (2, 4, 1).
import numpy as np
from keras.models import Sequential
from keras.layers import LSTM, Dense

X = np.array([[[1.], [2.], [3.], [4.]],
              [[2.], [3.], [4.], [5.]]], dtype="float32")   # (2, 4, 1)
y = np.array([[5.], [6.]], dtype="float32")                 # (2, 1)

model = Sequential()
model.add(LSTM(10, input_shape=(4, 1), return_sequences=True))
model.add(Dense(1))

model.compile(optimizer="adam", loss="mse")
model.fit(X, y, epochs=1, batch_size=2, verbose=0)
