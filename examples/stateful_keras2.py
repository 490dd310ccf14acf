# Keras 2 era code: a stateful LSTM declared with batch_input_shape, trained with nb_epoch.
import numpy as np
from keras.models import Sequential
from keras.layers import LSTM, Dense

X = np.random.rand(40, 10, 1).astype("float32")
y = np.random.rand(40, 1).astype("float32")

model = Sequential()
model.add(LSTM(16, batch_input_shape=(4, 10, 1), stateful=True))
model.add(Dense(1))
model.compile(optimizer="adam", loss="mse")
model.fit(X, y, nb_epoch=1, batch_size=4, shuffle=False, verbose=0)
