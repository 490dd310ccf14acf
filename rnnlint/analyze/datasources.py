"""Where recurrent models' data come from, and the shapes they have: Keras's datasets, scikit-learn's datasets,
splits, scalers and encoders, Keras's text and sequence utilities, pandas frames, tf.data pipelines and Keras's
timeseries and image generators.

Each function takes evaluated arguments and a `sym(name)` callback that makes a fresh symbol for the call being
evaluated (a sample count nobody wrote down), and returns an `ArrayObj`, a `DatasetObj`, a `FrameObj`, a tuple
or list of them, or Unknown. Shapes are exact where the source fixes them (mnist is (60000, 28, 28)), symbolic
where it does not (a CSV's row count), and rank-only where only the rank is known.
"""
from __future__ import annotations

import math
from typing import Any, Callable

from rnnlint import shapes, symbolic
from rnnlint.analyze import arrays
from rnnlint.analyze.values import ArrayObj, DatasetObj, FrameObj, ListObj, ToolObj
from rnnlint.ir import UNKNOWN, ArrayShape, DatasetShape, Layer, Sym

Mint = Callable[..., Sym]

# keras.datasets.<name>.load_data(): ((x_train, y_train), (x_test, y_test)), per the Keras documentation.
# `split` datasets (reuters, boston_housing) cut `total` samples at int(total * (1 - test_split)).
KERAS_DATASETS: dict[str, dict] = {
    "mnist": {"train": 60000, "test": 10000, "x": (28, 28), "y": (), "dtype": "int", "classes": 10},
    "fashion_mnist": {"train": 60000, "test": 10000, "x": (28, 28), "y": (), "dtype": "int", "classes": 10},
    "cifar10": {"train": 50000, "test": 10000, "x": (32, 32, 3), "y": (1,), "dtype": "int", "classes": 10},
    "cifar100": {"train": 50000, "test": 10000, "x": (32, 32, 3), "y": (1,), "dtype": "int", "classes": 100},
    "imdb": {"train": 25000, "test": 25000, "x": (), "y": (), "dtype": "object", "classes": 2},
    "reuters": {"total": 11228, "split": 0.2, "x": (), "y": (), "dtype": "object", "classes": 46},
    "boston_housing": {"total": 506, "split": 0.2, "x": (13,), "y": (), "dtype": "float", "classes": None},
}

# sklearn.datasets loaders whose shapes are fixed: (samples, features); `images` where the Bunch has them.
SKLEARN_DATASETS: dict[str, tuple[int, int]] = {
    "load_iris": (150, 4), "load_wine": (178, 13), "load_digits": (1797, 64), "load_diabetes": (442, 10),
    "load_breast_cancer": (569, 30), "fetch_california_housing": (20640, 8), "fetch_covtype": (581012, 54),
    "load_linnerud": (20, 3),
}

SCALERS = {"StandardScaler", "MinMaxScaler", "RobustScaler", "MaxAbsScaler", "Normalizer", "QuantileTransformer",
           "PowerTransformer", "FunctionTransformer", "SimpleImputer", "PolynomialFeatures"}
ENCODERS = {"OneHotEncoder", "LabelBinarizer", "MultiLabelBinarizer", "LabelEncoder", "OrdinalEncoder"}
KERAS_TOOLS = {"Tokenizer", "ImageDataGenerator"}


def keras_dataset(name: str, kwargs: dict, source: str) -> Any:
    """`keras.datasets.<name>.load_data(...)`."""
    spec = KERAS_DATASETS.get(name)
    if spec is None:
        return UNKNOWN
    if "total" in spec:
        split = kwargs.get("test_split", spec["split"])
        if not isinstance(split, float) or not 0 < split < 1:
            return UNKNOWN
        train = int(spec["total"] * (1 - split))
        test = spec["total"] - train
    else:
        train, test = spec["train"], spec["test"]
    if name in ("imdb", "reuters") and kwargs.get("maxlen") is not None:
        return UNKNOWN  # sequences longer than maxlen are dropped: the counts are not the documented ones
    dtype = spec["dtype"]

    def pair(n: int) -> tuple:
        return (ArrayObj(ArrayShape((n,) + spec["x"], dtype, source)),
                ArrayObj(ArrayShape((n,) + spec["y"], "int" if name != "boston_housing" else "float", source,
                                    spec["classes"])))

    return (pair(train), pair(test))


def sklearn_dataset(name: str, kwargs: dict, source: str) -> Any:
    """`sklearn.datasets.load_*()` / `fetch_*()`: a Bunch (`.data`, `.target`), or (X, y) with return_X_y."""
    size = SKLEARN_DATASETS.get(name)
    if size is None or kwargs.get("as_frame") is True:
        return UNKNOWN
    n, features = size
    x = ArrayObj(ArrayShape((n, features), "float", source))
    y = ArrayObj(ArrayShape((n, 3) if name == "load_linnerud" else (n,), "float", source))
    if kwargs.get("return_X_y") is True:
        return (x, y)
    from rnnlint.analyze.values import DictObj

    items = {"data": x, "target": y}
    if name == "load_digits":
        items["images"] = ArrayObj(ArrayShape((n, 8, 8), "float", source))
    return DictObj(items)


def train_test_split(args: tuple, kwargs: dict, sym: Mint) -> Any:
    """sklearn's train_test_split(*arrays): each array cut into a train and a test part along its first axis
    (test_size 0.25 when neither size is given); the other axes are kept."""
    arrays_in = list(args)
    if not arrays_in or not all(isinstance(a, ArrayObj) and a.shape.dims for a in arrays_in):
        return UNKNOWN
    n = arrays_in[0].shape.dims[0]
    test_size, train_size = kwargs.get("test_size"), kwargs.get("train_size")
    n_train: Any = None
    n_test: Any = None
    if symbolic.is_int(n):
        if test_size is None and train_size is None:
            test_size = 0.25
        if isinstance(test_size, float) and 0 < test_size < 1:
            n_test = math.ceil(test_size * n)
        elif symbolic.is_int(test_size):
            n_test = test_size
        if isinstance(train_size, float) and 0 < train_size < 1:
            n_train = math.floor(train_size * n)
        elif symbolic.is_int(train_size):
            n_train = train_size
        if n_train is None and n_test is not None:
            n_train = n - n_test
        if n_test is None and n_train is not None:
            n_test = n - n_train
    if n_train is None or n_test is None:
        n_train, n_test = sym("n_train"), sym("n_test")
    out = []
    for a in arrays_in:
        rest = a.shape.dims[1:]
        out.append(ArrayObj(ArrayShape((n_train,) + rest, a.shape.dtype, a.shape.source)))
        out.append(ArrayObj(ArrayShape((n_test,) + rest, a.shape.dtype, a.shape.source)))
    return ListObj(tuple(out))


def tool(kind: str, args: tuple, kwargs: dict) -> Any:
    """A scaler, an encoder, a Tokenizer or an ImageDataGenerator, with the options that decide its shapes."""
    options = tuple(sorted((k, v) for k, v in kwargs.items() if k in ("num_words", "drop", "sparse_output",
                                                                       "sparse", "degree")))
    return ToolObj(kind, options)


def tool_method(obj: ToolObj, method: str, args: tuple, kwargs: dict, sym: Mint, source: str) -> Any:
    """What a scaler's, encoder's, Tokenizer's or ImageDataGenerator's method returns."""
    kind = obj.kind
    first = args[0] if args else None
    if method == "fit":
        return obj
    if kind in SCALERS and method in ("fit_transform", "transform", "inverse_transform"):
        if kind == "PolynomialFeatures":
            return UNKNOWN
        return first if isinstance(first, ArrayObj) else UNKNOWN
    if kind in ENCODERS and method in ("fit_transform", "transform"):
        if not isinstance(first, ArrayObj) or not first.shape.dims:
            return UNKNOWN
        n = first.shape.dims[0]
        if kind == "LabelEncoder":
            return arrays.array((n,), "int", source)
        if kind == "OrdinalEncoder":
            return first
        return arrays.array((n, sym("categories")), "float", source)
    if kind in ENCODERS and method == "inverse_transform" and isinstance(first, ArrayObj) and first.shape.dims:
        return arrays.array((first.shape.dims[0],) if kind in ("LabelEncoder", "LabelBinarizer") else
                            (first.shape.dims[0], None), None)
    if kind == "Tokenizer":
        count = _count(first)
        if method == "texts_to_sequences" and count is not None:
            return ArrayObj(ArrayShape((count,), "object", source))
        if method in ("texts_to_matrix", "sequences_to_matrix") and count is not None:
            words = dict(obj.options).get("num_words")
            return arrays.array((count, words if arrays._size_like(words) else sym("num_words")), "float", source)
        return UNKNOWN
    if kind == "ImageDataGenerator":
        return image_generator(method, args, kwargs, sym, source)
    return UNKNOWN


def _count(value: Any) -> Any:
    """How many items a list of texts or sequences has (an array's first dim, a list's length, `len(x)`)."""
    if isinstance(value, ArrayObj) and value.shape.dims:
        return value.shape.dims[0]
    if isinstance(value, ListObj):
        return len(value.items)
    if isinstance(value, tuple):
        return len(value)
    if isinstance(value, Sym):
        return symbolic.named(f"len({value.name})", f"len({value.key})", integer=True)
    if isinstance(value, arrays.GrowingList):
        return value.count
    return None


# --- pandas ---------------------------------------------------------------------------------------------------

def frame(rows: Any, columns: Any = None) -> FrameObj:
    return FrameObj(rows, columns)


def frame_attr(obj: FrameObj, attr: str, sym: Mint, source: str) -> Any:
    """`df.values`, `df.shape`, `s.values`, `df.iloc` (an indexer: itself)…"""
    if attr == "values":
        return frame_values(obj, sym, source)
    if attr == "shape":
        return (obj.rows,) if obj.series else (obj.rows, obj.columns if obj.columns is not None else sym("columns"))
    if attr in ("iloc", "loc", "T"):
        return FrameObj(obj.rows, obj.columns, obj.series) if attr != "T" else UNKNOWN
    return None


def frame_values(obj: FrameObj, sym: Mint, source: str) -> Any:
    if obj.series:
        return ArrayObj(ArrayShape((obj.rows,), None, source))
    columns = obj.columns if obj.columns is not None else sym("columns")
    return ArrayObj(ArrayShape((obj.rows, columns), None, source))


def frame_method(obj: FrameObj, method: str, args: tuple, kwargs: dict, sym: Mint, source: str) -> Any:
    if method in ("to_numpy", "as_matrix"):
        return frame_values(obj, sym, source)
    if method in ("dropna", "drop_duplicates", "sample", "head", "tail", "query"):
        return FrameObj(sym("rows"), obj.columns, obj.series)
    if method in ("fillna", "astype", "copy", "reset_index", "sort_values", "sort_index", "interpolate", "ffill",
                  "bfill", "abs", "apply", "replace", "clip", "shift", "diff", "pct_change", "rolling", "mean",
                  "round"):
        if method == "reset_index" and obj.series:
            return FrameObj(obj.rows, None)
        if method in ("mean",):
            return UNKNOWN
        return FrameObj(obj.rows, obj.columns if method != "reset_index" else None, obj.series)
    if method in ("drop", "set_index", "filter", "select_dtypes", "pivot", "merge", "join", "groupby"):
        return FrameObj(sym("rows") if method in ("merge", "join", "pivot", "groupby") else obj.rows, None)
    return UNKNOWN


def frame_index(obj: FrameObj, key: Any, sym: Mint) -> Any:
    """`df["col"]` (a Series), `df[["a", "b"]]` (two columns), `df.iloc[:, 1:3]`, `df.iloc[rows]`."""
    if isinstance(key, str) and not obj.series:
        return FrameObj(obj.rows, None, series=True)
    if isinstance(key, ListObj) and all(isinstance(k, str) for k in key.items):
        return FrameObj(obj.rows, len(key.items))
    if isinstance(key, tuple) and len(key) == 2 and not obj.series:
        rows, cols = key
        n = obj.rows if isinstance(rows, slice) and rows == slice(None) else sym("rows")
        if isinstance(cols, slice):
            count = None
            if all(p is None or symbolic.is_int(p) for p in (cols.start, cols.stop, cols.step)) and \
                    symbolic.is_int(obj.columns):
                count = len(range(obj.columns)[cols])
            elif cols.step is None and symbolic.is_int(cols.start) and symbolic.is_int(cols.stop) and \
                    0 <= cols.start <= cols.stop:
                count = cols.stop - cols.start
            return FrameObj(n, count)
        if symbolic.is_int(cols) or isinstance(cols, str):
            return FrameObj(n, None, series=True)
        if isinstance(cols, ListObj):
            return FrameObj(n, len(cols.items))
        return FrameObj(n, None)
    if isinstance(key, slice):
        return FrameObj(sym("rows"), obj.columns, obj.series)
    return UNKNOWN


def get_dummies(args: tuple, sym: Mint, source: str) -> Any:
    data = args[0] if args else None
    rows = data.rows if isinstance(data, FrameObj) else (data.shape.dims[0] if isinstance(data, ArrayObj) and
                                                         data.shape.dims else None)
    if rows is None:
        return UNKNOWN
    return FrameObj(rows, sym("categories"))


# --- tf.data, timeseries and image generators ------------------------------------------------------------------

def _per_sample(value: Any) -> Any:
    """The per-sample shape of an array or pandas frame (its first axis removed), a tuple of them, or Unknown."""
    if isinstance(value, FrameObj):
        return ArrayShape(() if value.series else (value.columns,), None)
    if isinstance(value, (ListObj, arrays.GrowingList)):
        value = arrays.literal_array(value)  # tf.data and Keras convert a list to one array
    if isinstance(value, ArrayObj) and value.shape.dims:
        return ArrayShape(value.shape.dims[1:], value.shape.dtype, value.shape.source)
    if isinstance(value, tuple):
        parts = tuple(_per_sample(v) for v in value)
        return parts if all(isinstance(p, ArrayShape) for p in parts) else UNKNOWN
    return UNKNOWN


def from_tensor_slices(args: tuple, source: str) -> Any:
    """Dataset.from_tensor_slices(x), ((x, y)), ((x, y, w)): one element per sample."""
    data = args[0] if args else None
    if isinstance(data, tuple) and len(data) in (2, 3):
        return DatasetObj(_per_sample(data[0]), _per_sample(data[1]), source=source)
    return DatasetObj(_per_sample(data), None, source=source)


def dataset_method(ds: DatasetObj, method: str, args: tuple, kwargs: dict) -> Any:
    """What a tf.data method gives: batch sets the batch, shuffle marks it shuffled, map makes the elements
    unknown (the batch stays), the rest keep everything."""
    from dataclasses import replace

    if method in ("batch", "padded_batch"):
        size = kwargs.get("batch_size", args[0] if args else None)
        batch = size if symbolic.is_int(size) or isinstance(size, Sym) else UNKNOWN
        return replace(ds, batch=batch) if ds.batch is None else replace(ds, x=UNKNOWN, y=UNKNOWN, batch=UNKNOWN)
    if method == "unbatch":
        return replace(ds, batch=None)
    if method == "shuffle":
        return replace(ds, shuffled=True)
    if method == "window":
        size = kwargs.get("size", args[0] if args else None)
        return replace(ds, window=size if arrays._size_like(size) else UNKNOWN)
    if method in ("prefetch", "repeat", "cache", "take", "skip", "with_options", "filter", "shard"):
        return ds
    return replace(ds, x=UNKNOWN, y=UNKNOWN)  # still a dataset (its batches are its own), of unknown elements


# The helpers below recurse as module functions, not as closures over the dataset: a closure that calls itself
# is a reference cycle (the function, its cell), left to the cyclic collector with whatever it holds.

def _element_value(per_sample: Any, batch: Any) -> Any:
    if isinstance(per_sample, ArrayShape):
        lead = (batch,) if batch is not None else ()
        return ArrayObj(ArrayShape(lead + per_sample.dims, per_sample.dtype, per_sample.source))
    if isinstance(per_sample, tuple):
        return tuple(_element_value(p, batch) for p in per_sample)
    return UNKNOWN


def element(ds: DatasetObj) -> Any:
    """What a function mapped over the dataset receives: one element (a batch, once batched) as arrays; a
    (x, y) tuple when the elements have a target."""
    x = _element_value(ds.x, ds.batch)
    return x if ds.y is None else (x, _element_value(ds.y, ds.batch))


def _mapped_sample(value: Any, batch: Any) -> Any:
    if isinstance(value, ArrayObj):
        dims = value.shape.dims
        if batch is not None:
            if not dims:
                return UNKNOWN
            dims = dims[1:]
        return ArrayShape(dims, value.shape.dtype, value.shape.source)
    if isinstance(value, (tuple, ListObj)):
        items = value.items if isinstance(value, ListObj) else value
        parts = tuple(_mapped_sample(v, batch) for v in items)
        return parts if all(isinstance(p, ArrayShape) for p in parts) else UNKNOWN
    return UNKNOWN


def mapped(ds: DatasetObj, result: Any) -> DatasetObj:
    """The dataset after `.map(fn)`, from what `fn` returned for one element."""
    from dataclasses import replace

    if isinstance(result, tuple) and len(result) in (2, 3):
        return replace(ds, x=_mapped_sample(result[0], ds.batch), y=_mapped_sample(result[1], ds.batch))
    return replace(ds, x=_mapped_sample(result, ds.batch), y=None)


def flattened(ds: DatasetObj, inner: Any) -> DatasetObj:
    """`.flat_map(lambda w: w.batch(n))` on a windowed dataset: each element becomes one window of n."""
    from dataclasses import replace

    if isinstance(inner, DatasetObj) and inner.batch is not None and isinstance(inner.x, ArrayShape):
        x = ArrayShape((inner.batch,) + inner.x.dims, inner.x.dtype)
        y = ArrayShape((inner.batch,) + inner.y.dims, inner.y.dtype) if isinstance(inner.y, ArrayShape) else None
        return replace(ds, x=x, y=y, window=None, batch=None)
    return replace(ds, x=UNKNOWN, y=UNKNOWN, window=None)


def timeseries_dataset(args: tuple, kwargs: dict, source: str) -> Any:
    """keras.utils.timeseries_dataset_from_array(data, targets, sequence_length, …, batch_size=128,
    shuffle=False): batches of windows (w, *data's other axes)."""
    data = args[0] if args else kwargs.get("data")
    targets = args[1] if len(args) > 1 else kwargs.get("targets")
    length = args[2] if len(args) > 2 else kwargs.get("sequence_length")
    batch = kwargs.get("batch_size", args[6] if len(args) > 6 else 128)
    shuffle = kwargs.get("shuffle", False)
    return _windows(data, targets, length, batch, shuffle, "dataset", source)


def timeseries_generator(args: tuple, kwargs: dict, source: str) -> Any:
    """keras TimeseriesGenerator(data, targets, length, …, shuffle=False, batch_size=128)."""
    data = args[0] if args else kwargs.get("data")
    targets = args[1] if len(args) > 1 else kwargs.get("targets")
    length = args[2] if len(args) > 2 else kwargs.get("length")
    batch = kwargs.get("batch_size", args[9] if len(args) > 9 else 128)
    shuffle = kwargs.get("shuffle", False)
    return _windows(data, targets, length, batch, shuffle, "generator", source)


def _windows(data: Any, targets: Any, length: Any, batch: Any, shuffle: Any, kind: str, source: str) -> Any:
    if not isinstance(data, ArrayObj) or not data.shape.dims or not arrays._size_like(length):
        return DatasetObj(UNKNOWN, UNKNOWN, UNKNOWN, None, kind, source)
    x = ArrayShape((length,) + data.shape.dims[1:], data.shape.dtype, source)
    y = None if targets is None else _per_sample(targets)
    return DatasetObj(x, y, batch if arrays._size_like(batch) else UNKNOWN,
                      shuffle if isinstance(shuffle, bool) else None, kind, source)


_CHANNELS = {"rgb": 3, "grayscale": 1, "rgba": 4}


def image_generator(method: str, args: tuple, kwargs: dict, sym: Mint, source: str) -> Any:
    """ImageDataGenerator().flow_from_directory(…) / .flow(x, y, …)."""
    if method == "flow_from_directory":
        size = kwargs.get("target_size", (256, 256))
        channels = _CHANNELS.get(kwargs.get("color_mode", "rgb"))
        mode = kwargs.get("class_mode", "categorical")
        batch = kwargs.get("batch_size", 32)
        shuffle = kwargs.get("shuffle", True)
        return _images(size, channels, mode, batch, shuffle, "generator", sym, source)
    if method == "flow":
        x = args[0] if args else kwargs.get("x")
        y = args[1] if len(args) > 1 else kwargs.get("y")
        batch = kwargs.get("batch_size", 32)
        return DatasetObj(_per_sample(x), None if y is None else _per_sample(y),
                          batch if arrays._size_like(batch) else UNKNOWN,
                          kwargs.get("shuffle", True) if isinstance(kwargs.get("shuffle", True), bool) else None,
                          "generator", source)
    return UNKNOWN


def image_dataset(args: tuple, kwargs: dict, sym: Mint, source: str) -> Any:
    """keras.utils.image_dataset_from_directory(…, label_mode='int', color_mode='rgb', batch_size=32,
    image_size=(256, 256), shuffle=True)."""
    mode = {"int": "sparse", "categorical": "categorical", "binary": "binary1", None: None}.get(
        kwargs.get("label_mode", "int"), "unknown")
    return _images(kwargs.get("image_size", (256, 256)), _CHANNELS.get(kwargs.get("color_mode", "rgb")), mode,
                   kwargs.get("batch_size", 32), kwargs.get("shuffle", True), "dataset", sym, source)


def _images(size: Any, channels: Any, mode: Any, batch: Any, shuffle: Any, kind: str, sym: Mint, source: str) -> Any:
    if isinstance(size, ListObj):
        size = size.items
    if not (isinstance(size, tuple) and len(size) == 2 and all(arrays._size_like(d) for d in size)) or channels is None:
        return DatasetObj(UNKNOWN, UNKNOWN, UNKNOWN, None, kind, source)
    x = ArrayShape(tuple(size) + (channels,), "float", source)
    y: Any = {"categorical": ArrayShape((sym("classes", 2),), "float", source), "binary": ArrayShape((), "float", source),
              "sparse": ArrayShape((), "int", source), "binary1": ArrayShape((1,), "float", source),
              None: None, "input": x}.get(mode, UNKNOWN)
    return DatasetObj(x, y, batch if batch is None and kind == "dataset" or arrays._size_like(batch) else UNKNOWN,
                      shuffle if isinstance(shuffle, bool) else None, kind, source)


def text_dataset(args: tuple, kwargs: dict, sym: Mint, source: str) -> Any:
    """keras.utils.text_dataset_from_directory(…, label_mode='int', batch_size=32, shuffle=True): batches of
    strings (batch,) and their labels."""
    mode = kwargs.get("label_mode", "int")
    y: Any = {"int": ArrayShape((), "int", source), "binary": ArrayShape((1,), "float", source),
              "categorical": ArrayShape((sym("classes", 2),), "float", source), None: None}.get(mode, UNKNOWN) \
        if isinstance(mode, (str, type(None))) else UNKNOWN
    batch = kwargs.get("batch_size", 32)
    shuffle = kwargs.get("shuffle", True)
    return DatasetObj(ArrayShape((), "string", source), y, batch if batch is None or arrays._size_like(batch) else UNKNOWN,
                      shuffle if isinstance(shuffle, bool) else None, "dataset", source)


PREPROCESSING = frozenset({"TextVectorization", "Normalization", "Rescaling", "RandomFlip", "RandomRotation",
                           "RandomZoom", "RandomTranslation", "RandomContrast", "RandomBrightness"})


def preprocessed(layer: Layer, array: ArrayObj, sym: Mint) -> Any:
    """A preprocessing layer called eagerly on an array (in a `dataset.map`): the array it gives. Token ids
    of a TextVectorization without output_sequence_length are as long as each batch's longest text."""
    out = shapes.layer_output(layer, (array.shape.dims,))
    if layer.kind == "TextVectorization":
        dims = array.shape.dims
        if not isinstance(out, tuple) and layer.arg("output_mode", 4, "int") in ("multi_hot", "count", "tf_idf") \
                and (len(dims) < 2 or len(dims) == 2 and dims[1] == 1):
            return ArrayObj(ArrayShape(dims[:1] + (sym("vocabulary"),), "float"))  # the adapted vocabulary's size
        if not isinstance(out, tuple):
            return UNKNOWN
        return ArrayObj(ArrayShape(tuple(sym("tokens") if d is None else d for d in out), "int"))
    return ArrayObj(ArrayShape(out, array.shape.dtype)) if isinstance(out, tuple) else UNKNOWN


def _batched(per_sample: Any, batch: Any) -> Any:
    if per_sample is None:
        return None
    if isinstance(per_sample, ArrayShape):  # not batched: Keras takes each element as a batch
        lead = (batch,) if batch is not None else ()
        return ArrayShape(lead + per_sample.dims, per_sample.dtype, per_sample.source)
    if isinstance(per_sample, tuple):
        return tuple(_batched(p, batch) for p in per_sample)
    return UNKNOWN


def dataset_shape(ds: DatasetObj) -> DatasetShape:
    """The IR of a dataset given to a train call: its batches' shapes (the batch axis first)."""
    return DatasetShape(_batched(ds.x, ds.batch), _batched(ds.y, ds.batch), ds.batch, ds.shuffled,
                        "generator" if ds.kind == "generator" else "dataset", ds.source)


__all__ = ["ENCODERS", "KERAS_DATASETS", "KERAS_TOOLS", "SCALERS", "SKLEARN_DATASETS", "dataset_method",
           "dataset_shape", "frame", "frame_attr", "frame_index", "frame_method", "from_tensor_slices",
           "get_dummies", "image_dataset", "image_generator", "keras_dataset", "preprocessed", "sklearn_dataset",
           "text_dataset", "timeseries_dataset", "timeseries_generator", "tool", "tool_method", "train_test_split"]
