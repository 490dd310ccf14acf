# The lecture note's stacked LSTM, fixed: every LSTM but the last returns sequences.
import numpy as np
from keras.models import Sequential
from keras.layers import LSTM, Dense

# 16 samples, 10 time steps, 1 feature
X = np.random.rand(16, 10, 1).astype("float32")
y = np.random.rand(16, 1).astype("float32")

model = Sequential()
model.add(LSTM(256, input_shape=(10, 1), return_sequences=True))
model.add(LSTM(256))
model.add(Dense(1))

model.compile(optimizer="adam", loss="mse")
model.fit(X, y, epochs=1, batch_size=4, verbose=0)
