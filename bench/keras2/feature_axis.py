import os, warnings
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
warnings.filterwarnings("ignore")
import numpy as np
import tensorflow as tf
try:
    tf.get_logger().setLevel("ERROR")
except Exception:
    pass
K = tf.keras
L = K.layers
T, n = 5, 32
rng = np.random.RandomState(0)
x2 = rng.rand(n, T).astype("float32")
x1 = rng.rand(n).astype("float32")
x3f = rng.rand(n, 3).astype("float32")
y1 = rng.rand(n).astype("float32")
y2 = rng.rand(n, 1).astype("float32")

def seq_lstm():
    return K.Sequential([L.LSTM(4, input_shape=(T, 1)), L.Dense(1)])
def seq_conv():
    return K.Sequential([L.Conv1D(2, 2, input_shape=(T, 1)), L.Flatten(), L.Dense(1)])
def fun_lstm():
    i = K.Input(shape=(T, 1)); return K.Model(i, L.Dense(1)(L.LSTM(4)(i)))
def seq_inputlayer_lstm():
    return K.Sequential([L.InputLayer(input_shape=(T, 1)), L.LSTM(4), L.Dense(1)])
def seq_lstm_deferred():
    return K.Sequential([L.LSTM(4), L.Dense(1)])
def seq_dense_input_dim1():
    return K.Sequential([L.Dense(1, input_dim=1)])
def seq_dense_deferred():
    return K.Sequential([L.Dense(1)])
def fun_dense1():
    i = K.Input(shape=(1,)); return K.Model(i, L.Dense(1)(i))
def seq_dense10():
    return K.Sequential([L.Dense(10, input_dim=3)])

cases = [
    ("seq_lstm_input_shape(T,1) x(n,T)", seq_lstm, x2, y2),
    ("seq_inputlayer(T,1)_lstm x(n,T)", seq_inputlayer_lstm, x2, y2),
    ("seq_conv1d_input_shape(T,1) x(n,T)", seq_conv, x2, y2),
    ("functional_Input(T,1)_lstm x(n,T)", fun_lstm, x2, y2),
    ("functional_Input(T,1)_conv1d x(n,T)", lambda: (lambda i: K.Model(i, L.Dense(1)(L.Flatten()(L.Conv1D(2, 2)(i)))))(K.Input(shape=(T, 1))), x2, y2),
    ("seq_lstm_deferred x(n,T)", seq_lstm_deferred, x2, y2),
    ("seq_dense(1,input_dim=1) x(n,)", seq_dense_input_dim1, x1, y2),
    ("seq_dense_deferred x(n,)", seq_dense_deferred, x1, y2),
    ("functional_Input(1,)_dense x(n,)", fun_dense1, x1, y2),
    ("seq_dense10 mse y(n,) vs ypred(n,10)", seq_dense10, x3f, y1),
]
def short(e):
    lines = [l.strip() for l in str(e).strip().splitlines() if l.strip()]
    pick = [l for l in lines if ("incompatible" in l or "expected" in l or "Incompatible" in l or "Error" in l) and "in user code" not in l]
    msg = pick[-1] if pick else (lines[0] if lines else "")
    return ("%s: %s" % (type(e).__name__, msg))[:200]
print("TF", tf.__version__, "keras", getattr(K, "__version__", "?"))
for name, mk, x, y in cases:
    res = []
    for op in ("fit", "predict", "evaluate"):
        try:
            m = mk(); m.compile("sgd", "mse")
            if op == "fit":
                m.fit(x, y, batch_size=8, epochs=1, verbose=0)
            elif op == "predict":
                p = m.predict(x, batch_size=8); op = "predict%s" % (tuple(p.shape),)
            else:
                m.evaluate(x, y, batch_size=8, verbose=0)
            res.append("%s=OK" % op)
        except Exception as e:
            res.append("%s=ERR[%s]" % (op, short(e)))
    print("%-40s %s" % (name, " | ".join(res)))
