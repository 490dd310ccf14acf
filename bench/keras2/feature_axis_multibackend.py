# multi-backend Keras (import keras) and TF 1.15's tf.keras: 2D x (n,T) into a declared (T,1) input
import os, sys, warnings
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"; warnings.filterwarnings("ignore")
import numpy as np
which = sys.argv[1]
if which == "keras":
    import keras as K
else:
    import tensorflow as tf; K = tf.keras
L = K.layers
T, n = 5, 32
x2 = np.random.rand(n, T).astype("float32"); x1 = np.random.rand(n).astype("float32"); y2 = np.random.rand(n, 1)
def seq(): return K.models.Sequential([L.LSTM(4, input_shape=(T, 1)), L.Dense(1)])
def fun():
    i = L.Input(shape=(T, 1)); return K.models.Model(i, L.Dense(1)(L.LSTM(4)(i)))
def dense(): return K.models.Sequential([L.Dense(1, input_dim=1)])
print(which, K.__version__)
for name, mk, x in [("seq (T,1) x(n,T)", seq, x2), ("functional (T,1) x(n,T)", fun, x2), ("dense input_dim=1 x(n,)", dense, x1)]:
    try:
        m = mk(); m.compile("sgd", "mse"); m.fit(x, y2, batch_size=8, epochs=1, verbose=0); print(name, "fit=OK")
    except Exception as e:
        print(name, "fit=ERR", type(e).__name__, str(e).strip().splitlines()[-1][:150])
