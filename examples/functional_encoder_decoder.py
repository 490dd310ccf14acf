# A correct encoder-decoder: the encoder's final states (return_state=True) start the decoder.
import numpy as np
import keras
from keras import layers

num_tokens = 30
enc_x = np.random.rand(48, 8, num_tokens).astype("float32")
dec_x = np.random.rand(48, 6, num_tokens).astype("float32")
dec_y = np.random.randint(0, num_tokens, size=(48, 6))

encoder_inputs = keras.Input(shape=(8, num_tokens))
_, state_h, state_c = layers.LSTM(64, return_state=True)(encoder_inputs)

decoder_inputs = keras.Input(shape=(6, num_tokens))
decoder_seq = layers.LSTM(64, return_sequences=True)(decoder_inputs, initial_state=[state_h, state_c])
decoder_outputs = layers.Dense(num_tokens, activation="softmax")(decoder_seq)

model = keras.Model([encoder_inputs, decoder_inputs], decoder_outputs)
model.compile(optimizer="rmsprop", loss="sparse_categorical_crossentropy")
model.fit([enc_x, dec_x], dec_y, epochs=1, batch_size=8, verbose=0)
