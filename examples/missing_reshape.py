# Sensor rows (temperature, humidity, pressure) windowed 2 steps at a time -- but X was never reshaped.
import numpy as np
from tensorflow.keras import layers, Sequential

rows = np.random.rand(120, 3).astype("float32")
X = rows.reshape(60, 6)                 # forgot the time axis: should be (60, 2, 3)
y = np.random.rand(60, 1).astype("float32")

model = Sequential([
    layers.Input(shape=(2, 3)),
    layers.GRU(16),
    layers.Dense(1),
])
model.compile(optimizer="adam", loss="mse")
model.fit(X, y, epochs=1, batch_size=12, verbose=0)
