"""Static shapes of NumPy / TensorFlow data arrays: constructors, reshape, indexing, stacking, encoders, windows.

Functions take already-evaluated arguments (literals, symbols, `ArrayObj`, `ListObj` or Unknown) and return an
`ArrayObj` or `UNKNOWN`. A dim is an int, a symbol (`ir.Sym`: a size with an identity, such as `n_steps` or
`len(texts)`) or None (not known at all); a rank that cannot be resolved is Unknown.
"""
from __future__ import annotations

import math
from typing import Any, Callable

from rnnlint import symbolic
from rnnlint.analyze.values import ArrayObj, ListObj
from rnnlint.ir import UNKNOWN, ArrayShape, Sym, Unknown

Dims = tuple  # tuple[int | Sym | None, ...]


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _size_like(value: Any) -> bool:
    """An int or a symbol: something a dim or an index can be."""
    return isinstance(value, Sym) or _int(value) is not None


def as_dims(value: Any) -> Dims | None:
    """A shape argument (int, symbol or tuple/list of them) as dims; None when unknown. Unknown entries become
    None, symbols stay."""
    if isinstance(value, ListObj):
        value = value.items
    if isinstance(value, bool):
        return None
    if isinstance(value, Sym):
        return (value,)
    if isinstance(value, int):
        return (value,) if value >= 0 else None
    if isinstance(value, tuple):
        dims = []
        for v in value:
            if isinstance(v, Sym):
                dims.append(v)
            elif isinstance(v, Unknown):
                dims.append(None)
            elif _int(v) is not None and v >= 0:
                dims.append(v)
            else:
                return None
        return tuple(dims)
    return None


def array(dims: Dims | None, dtype: str | None = None, source: str = "") -> Any:
    if dims is None:
        return UNKNOWN
    return ArrayObj(ArrayShape(tuple(dims), dtype, source))


def with_source(value: Any, source: str) -> Any:
    """`value` (an array) marked with where it was made, unless it already says."""
    if isinstance(value, ArrayObj) and not value.shape.source:
        return ArrayObj(ArrayShape(value.shape.dims, value.shape.dtype, source))
    return value


def dtype_name(value: Any) -> str | None:
    """'float32' / np.float32 names / int → 'float' | 'int' | 'bool' | None."""
    if isinstance(value, str):
        v = value.lower().rsplit(".", 1)[-1]
        if v.startswith(("float", "double", "half", "bfloat")):
            return "float"
        if v.startswith(("int", "uint", "long")):
            return "int"
        if v.startswith("bool"):
            return "bool"
        if v.startswith(("str", "unicode", "<u")):
            return "str"
    return None


def literal_array(value: Any, dtype: str | None = None) -> Any:
    """np.array of a nested literal list/tuple, of a list of known arrays (stacking), or of a list grown in a loop
    (a `GrowingList`: its count and item shape)."""
    if isinstance(value, ArrayObj):
        return ArrayObj(ArrayShape(value.shape.dims, dtype or value.shape.dtype, value.shape.source))
    if isinstance(value, GrowingList):
        item = value.item
        if isinstance(item, ArrayObj):
            return array((value.count,) + item.shape.dims, dtype or item.shape.dtype)
        if isinstance(item, (int, float)) and not isinstance(item, bool) or isinstance(item, Sym) and item.integer:
            return array((value.count,), dtype)  # numbers (an opaque value may be an array: not these)
        return UNKNOWN
    if isinstance(value, ListObj):
        value = value.items
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return array((), dtype or ("int" if isinstance(value, int) else "float"))
    if isinstance(value, str):
        return array((), dtype or "string")
    if not isinstance(value, tuple):
        return UNKNOWN
    if all(isinstance(v, ArrayObj) for v in value) and value:
        return stack(value, 0, dtype)
    dims = _nested_dims(value)
    if dims is None:
        return UNKNOWN
    kind = dtype or _nested_kind(value)
    return array(dims, kind)


class GrowingList:
    """A list appended to in a loop the analyzer does not unroll: `count` items (a symbol) like `item`."""

    def __init__(self, count: Any, item: Any) -> None:
        self.count = count
        self.item = item

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GrowingList) and other.count == self.count and _same_item(other.item, self.item)

    __hash__ = None  # type: ignore[assignment]


def _same_item(a: Any, b: Any) -> bool:
    if isinstance(a, ArrayObj) and isinstance(b, ArrayObj):
        return a.shape.dims == b.shape.dims
    return a is b or (isinstance(a, (int, float)) and isinstance(b, (int, float)))


def _nested_dims(value: Any) -> Dims | None:
    if isinstance(value, ListObj):
        value = value.items
    if isinstance(value, tuple):
        subs = [_nested_dims(v) for v in value]
        if any(s is None for s in subs):
            return None
        if subs and any(s != subs[0] for s in subs):
            return None  # ragged
        return (len(value),) + (subs[0] if subs else ())
    if isinstance(value, (int, float, bool, str)):
        return ()
    return None


def _nested_kind(value: Any) -> str | None:
    if isinstance(value, ListObj):
        value = value.items
    if isinstance(value, tuple):
        kinds = {_nested_kind(v) for v in value}
        if "float" in kinds:
            return "float"
        return kinds.pop() if len(kinds) == 1 else None
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return None


def stack(items: Any, axis: Any = 0, dtype: str | None = None) -> Any:
    if isinstance(items, ListObj):
        items = items.items
    if not isinstance(items, tuple) or not items or not all(isinstance(i, ArrayObj) for i in items):
        return UNKNOWN
    first = items[0].shape.dims
    if any(i.shape.dims != first for i in items):
        return UNKNOWN
    axis = _int(axis)
    if axis is None:
        return UNKNOWN
    rank = len(first) + 1
    if axis < 0:
        axis += rank
    if not 0 <= axis < rank:
        return UNKNOWN
    dims = first[:axis] + (len(items),) + first[axis:]
    return array(dims, dtype or items[0].shape.dtype)


def join(name: str, items: Any, axis: Any = 0) -> Any:
    """np.concatenate / hstack / vstack / dstack / column_stack of known arrays."""
    if isinstance(items, ListObj):
        items = items.items
    if not isinstance(items, tuple) or not items or not all(isinstance(i, ArrayObj) for i in items):
        return UNKNOWN
    shapes = [i.shape.dims for i in items]
    if name in ("vstack", "row_stack"):
        shapes = [(1,) + d if len(d) == 1 else d for d in shapes]
        axis = 0
    elif name == "hstack":
        axis = 0 if all(len(d) == 1 for d in shapes) else 1
    elif name == "dstack":
        shapes = [(1,) + d + (1,) if len(d) == 1 else d + (1,) if len(d) == 2 else d for d in shapes]
        axis = 2
    elif name == "column_stack":
        shapes = [d + (1,) if len(d) == 1 else d for d in shapes]
        axis = 1
    axis = _int(axis)
    rank = len(shapes[0])
    if axis is None or any(len(d) != rank for d in shapes) or not -rank <= axis < rank:
        return UNKNOWN
    axis %= rank
    out: list[Any] = []
    for k in range(rank):
        column = [d[k] for d in shapes]
        if k == axis:
            total: Any = 0
            for c in column:
                total = None if c is None or total is None else symbolic.binop("+", total, c)
            out.append(total if not isinstance(total, Unknown) or isinstance(total, Sym) else None)
        else:
            known = {c for c in column if _int(c) is not None}
            if len(known) > 1:
                return UNKNOWN  # numpy would raise: not ours to judge
            out.append(known.pop() if known else next((c for c in column if c is not None), None))
    return array(tuple(out), items[0].shape.dtype)


def elementwise(left: Any, right: Any) -> Any:
    """`a - mean`, `x / 255.0`, `a * b`: the broadcast shape of two arrays, or the array's shape against a number
    or a value of unknown kind (taken as a scalar: normalising data by a statistic keeps its shape)."""
    arrays_ = [v for v in (left, right) if isinstance(v, ArrayObj)]
    if len(arrays_) == 1:
        other = right if arrays_[0] is left else left
        if isinstance(other, (int, float)):
            return arrays_[0]  # x / 255.0, 1 - y
        if isinstance(other, Unknown) and arrays_[0] is left:
            return left  # x - mean, x /= std: data normalised by a statistic of its own
        return UNKNOWN
    a, b = left.shape.dims, right.shape.dims
    if len(a) < len(b):
        a, b = b, a
    out = list(a[: len(a) - len(b)])
    for x, y in zip(a[len(a) - len(b):], b):
        if x == 1:
            out.append(y)
        elif y == 1 or x == y or y is None:
            out.append(x)
        elif x is None:
            out.append(y)
        elif _int(x) is not None and _int(y) is not None:
            return UNKNOWN  # numpy would raise
        else:
            out.append(x if _int(x) is not None else y)
    return array(tuple(out), left.shape.dtype or right.shape.dtype)


def reduce(source: ArrayObj, kwargs: dict, args: tuple) -> Any:
    """`x.mean(axis=0)`, `x.sum()`, `x.argmax(axis=-1)`: the axis removed (kept as 1 with keepdims), a scalar
    without an axis."""
    axis = kwargs.get("axis", args[0] if args else None)
    dims = source.shape.dims
    if axis is None:
        return array((), source.shape.dtype)
    axis = _int(axis)
    if axis is None or not -len(dims) <= axis < len(dims):
        return UNKNOWN
    axis %= len(dims)
    if kwargs.get("keepdims") is True:
        return array(dims[:axis] + (1,) + dims[axis + 1:], source.shape.dtype)
    return array(dims[:axis] + dims[axis + 1:], source.shape.dtype)


def reshape(source: Any, shape: Any) -> Any:
    """`X.reshape(shape)`: every dim the call spells out (ints and symbols), one -1 resolved from the size."""
    if isinstance(shape, ListObj):
        shape = shape.items
    if _size_like(shape):
        shape = (shape,)
    if not isinstance(shape, tuple):
        return UNKNOWN
    dims: list[Any] = []
    minus = None
    for i, v in enumerate(shape):
        if isinstance(v, Sym):
            dims.append(v)
        elif isinstance(v, Unknown):
            dims.append(None)
        elif _int(v) is None:
            return UNKNOWN
        elif v == -1:
            if minus is not None:
                return UNKNOWN
            minus = i
            dims.append(None)
        elif v < 0:
            return UNKNOWN
        else:
            dims.append(v)
    dtype = source.shape.dtype if isinstance(source, ArrayObj) else None
    if minus is not None:
        total = _size(source)
        rest = [d for j, d in enumerate(dims) if j != minus]
        if total is not None and all(d is not None for d in rest):
            prod = symbolic.product(rest)
            if symbolic.is_int(total) and symbolic.is_int(prod):
                dims[minus] = total // prod if prod and total % prod == 0 else None
            elif isinstance(total, Sym) or isinstance(prod, Sym):
                quotient = _divide(total, prod)
                dims[minus] = quotient
        if dims[minus] is None and isinstance(source, ArrayObj) and source.shape.dims and minus == 0 and \
                _keeps_rest(source.shape.dims[1:], rest):
            dims[0] = source.shape.dims[0]  # (n, T*F) → (-1, T, F): the samples stay
    return array(tuple(dims), dtype)


def _keeps_rest(old_rest: tuple, new_rest: list) -> bool:
    """Whether the per-sample size is the same before and after a reshape (then a leading -1 keeps the count)."""
    a, b = symbolic.product(old_rest), symbolic.product(new_rest)
    return a == b and not (isinstance(a, Unknown) and not isinstance(a, Sym))


def _divide(total: Any, part: Any) -> Any:
    """`total // part` when it is exact: an int, or the symbol left when `part` is a factor of `total`."""
    if isinstance(total, Sym) and total.expr is not None and total.expr[0] == "*":
        a, b = total.expr[1], total.expr[2]
        if a == part:
            return b
        if b == part:
            return a
        for left, right in ((a, b), (b, a)):
            rest = _divide(left, part)
            if rest is not None:
                return symbolic.binop("*", rest, right)
    if total == part:
        return 1
    return None


def _size(value: Any) -> Any:
    """The number of elements of an array: an int, a symbolic product, or None."""
    if isinstance(value, ArrayObj) and all(d is not None for d in value.shape.dims):
        size = symbolic.product(value.shape.dims)
        return size if symbolic.is_int(size) or isinstance(size, Sym) else None
    return None


def expand_dims(source: Any, axis: Any) -> Any:
    if not isinstance(source, ArrayObj):
        return UNKNOWN
    axis = _int(axis)
    if axis is None:
        return UNKNOWN
    dims = source.shape.dims
    rank = len(dims) + 1
    if axis < 0:
        axis += rank
    if not 0 <= axis < rank:
        return UNKNOWN
    return array(dims[:axis] + (1,) + dims[axis:], source.shape.dtype, source.shape.source)


def index(source: Any, items: tuple) -> Any:
    """Basic indexing: ints (and symbols) drop an axis, slices keep it (its length computed when the bounds allow),
    None / np.newaxis add an axis, one Ellipsis expands. An integer array as the only index picks rows
    (`np.eye(n)[labels]`); other fancy indexing is Unknown."""
    if not isinstance(source, ArrayObj):
        return UNKNOWN
    dims = list(source.shape.dims)
    if len(items) == 1 and isinstance(items[0], ArrayObj) and items[0].shape.dtype in ("int", None) and dims:
        return array(items[0].shape.dims + tuple(dims[1:]), source.shape.dtype)
    n_real = sum(1 for it in items if not (it is None or it == "newaxis" or it is Ellipsis))
    if sum(1 for it in items if it is Ellipsis) > 1 or n_real > len(dims):
        return UNKNOWN
    expanded: list[Any] = []
    for it in items:
        if it is Ellipsis:
            expanded.extend([slice(None)] * (len(dims) - n_real))
        else:
            expanded.append(it)
    out: list[Any] = []
    axis = 0
    for it in expanded:
        if it is None or it == "newaxis":
            out.append(1)
            continue
        if isinstance(it, slice):
            out.append(_slice_len(dims[axis], it))
            axis += 1
        elif _int(it) is not None or isinstance(it, Sym) and it.integer:
            axis += 1  # an int (a symbol only when it is certainly one, not an array of indices)
        else:
            return UNKNOWN
    out.extend(dims[axis:])
    return array(tuple(out), source.shape.dtype, source.shape.source)


def _slice_len(dim: Any, sl: slice) -> Any:
    """The length of `dim[sl]`: exact for literals; `w` for `x[i:i + w]` whatever `i` is; else None."""
    parts = (sl.start, sl.stop, sl.step)
    if any(p is not None and not _size_like(p) and not (symbolic.is_int(p)) for p in parts):
        return None
    if sl.step not in (None, 1):
        if _int(dim) is not None and all(p is None or _int(p) is not None for p in parts):
            return len(range(dim)[sl])
        return None
    start, stop = sl.start, sl.stop
    if isinstance(start, Sym) or isinstance(stop, Sym):
        if start is not None and stop is not None:
            length = symbolic.binop("-", stop, start)
            if _int(length) is not None:
                return length if length >= 0 else None  # x[i:i + w]: w
            return length if isinstance(length, Sym) and length.expr is None else None
        if start is None and isinstance(stop, Sym):
            return None  # x[:n] may be shorter than n
        return None
    if dim is None or isinstance(dim, Sym):
        if start is None and stop is None:
            return dim
        return None
    return len(range(dim)[sl])


def random_shape(func: str, args: tuple, kwargs: dict) -> Any:
    """numpy.random.* and Generator methods."""
    if func in ("rand", "randn"):
        if kwargs or not all(_size_like(a) for a in args):
            return UNKNOWN
        return array(tuple(args), "float")
    size_pos = {"random": 0, "random_sample": 0, "sample": 0, "ranf": 0, "uniform": 2, "normal": 2,
                "standard_normal": 0, "randint": 2, "integers": 2, "binomial": 2, "choice": 1, "poisson": 1,
                "exponential": 1}
    if func not in size_pos:
        return UNKNOWN
    size = kwargs.get("size", args[size_pos[func]] if len(args) > size_pos[func] else None)
    if size is None:
        return UNKNOWN  # a scalar
    dims = as_dims(size)
    kind = "int" if func in ("randint", "integers", "binomial", "poisson") else "float"
    if func == "choice":
        kind = None
    return array(dims, kind)


def numpy_call(name: str, args: tuple, kwargs: dict) -> Any:
    """Shape of `numpy.<name>(*args, **kwargs)`; `name` is relative to numpy ('random.rand')."""
    dtype = dtype_name(kwargs.get("dtype")) if "dtype" in kwargs else None
    if name in ("array", "asarray", "asanyarray", "ascontiguousarray", "copy"):
        if not args:
            return UNKNOWN
        return literal_array(args[0], dtype)
    if name in ("zeros", "ones", "empty", "full"):
        if not args and "shape" not in kwargs:
            return UNKNOWN
        default = "float" if name != "full" else None
        return array(as_dims(kwargs.get("shape", args[0] if args else None)), dtype or default)
    if name in ("zeros_like", "ones_like", "empty_like", "full_like"):
        return args[0] if args and isinstance(args[0], ArrayObj) else UNKNOWN
    if name.startswith("random."):
        return random_shape(name[len("random."):], args, kwargs)
    if name == "arange":
        nums = [a for a in args]
        if len(nums) == 1 and isinstance(nums[0], Sym):
            return array((nums[0],), dtype or "int")  # np.arange(len(x)): one index per sample
        if not nums or not all(isinstance(a, (int, float)) and not isinstance(a, bool) for a in nums):
            return UNKNOWN
        start, stop, step = (0, nums[0], 1) if len(nums) == 1 else (nums[0], nums[1], nums[2] if len(nums) > 2 else 1)
        if step == 0:
            return UNKNOWN
        count = max(0, math.ceil((stop - start) / step))
        kind = "int" if all(isinstance(a, int) for a in nums) else "float"
        return array((count,), dtype or kind)
    if name == "linspace":
        num = kwargs.get("num", args[2] if len(args) > 2 else 50)
        return array((num,), "float") if _size_like(num) else UNKNOWN
    if name in ("eye", "identity"):
        n = args[0] if args else kwargs.get("N", kwargs.get("n"))
        m = args[1] if len(args) > 1 and name == "eye" else kwargs.get("M", n)
        return array((n, m if m is not None else n), dtype or "float") if _size_like(n) and \
            (m is None or _size_like(m)) else UNKNOWN
    if name == "reshape":
        shape = kwargs.get("newshape", kwargs.get("shape", args[1] if len(args) > 1 else None))
        return reshape(args[0], shape) if args else UNKNOWN
    if name == "expand_dims":
        axis = kwargs.get("axis", args[1] if len(args) > 1 else None)
        return expand_dims(args[0], axis) if args else UNKNOWN
    if name == "stack":
        axis = kwargs.get("axis", args[1] if len(args) > 1 else 0)
        return stack(args[0], axis) if args else UNKNOWN
    if name in ("concatenate", "hstack", "vstack", "dstack", "column_stack", "row_stack") and args:
        axis = kwargs.get("axis", args[1] if len(args) > 1 else 0)
        return join(name, args[0], axis)
    if name == "lib.stride_tricks.sliding_window_view" and args:
        window = kwargs.get("window_shape", args[1] if len(args) > 1 else None)
        axis = kwargs.get("axis", args[2] if len(args) > 2 else None)
        return sliding_window_view(args[0], window, axis)
    if name in ELEMENTWISE and args:
        return args[0] if isinstance(args[0], ArrayObj) else UNKNOWN
    return UNKNOWN


ELEMENTWISE = {"sin", "cos", "tan", "exp", "log", "log1p", "sqrt", "abs", "tanh", "square", "round", "floor",
               "ceil", "clip", "nan_to_num", "float32", "float64", "sign", "negative"}


def sliding_window_view(source: Any, window: Any, axis: Any = None) -> Any:
    """np.lib.stride_tricks.sliding_window_view(x, w, axis): the windowed axis shrinks to n - w + 1 and the window
    is appended as the last axis."""
    if not isinstance(source, ArrayObj) or not _size_like(window):
        return UNKNOWN
    dims = list(source.shape.dims)
    axis = 0 if axis is None and len(dims) == 1 else axis
    if _int(axis) is None or not -len(dims) <= axis < len(dims):
        return UNKNOWN
    axis %= len(dims)
    n = dims[axis]
    dims[axis] = None if n is None else symbolic.binop("+", symbolic.binop("-", n, window), 1)
    return array(tuple(dims) + (window,), source.shape.dtype)


def tf_call(name: str, args: tuple, kwargs: dict) -> Any:
    """Shape of `tensorflow.<name>(...)` for the few data functions scripts use."""
    if name in ("constant", "convert_to_tensor", "cast", "identity", "Variable"):
        value = args[0] if args else kwargs.get("value")
        if isinstance(value, ArrayObj):
            return value
        return literal_array(value) if value is not None else UNKNOWN
    if name in ("reshape",):
        shape = kwargs.get("shape", args[1] if len(args) > 1 else None)
        return reshape(args[0], shape) if args else UNKNOWN
    if name in ("expand_dims",):
        axis = kwargs.get("axis", args[1] if len(args) > 1 else None)
        return expand_dims(args[0], axis) if args else UNKNOWN
    if name in ("zeros", "ones"):
        return array(as_dims(args[0] if args else kwargs.get("shape")), "float")
    if name in ("random.normal", "random.uniform"):
        return array(as_dims(args[0] if args else kwargs.get("shape")), "float")
    if name == "stack":
        return stack(args[0], kwargs.get("axis", args[1] if len(args) > 1 else 0)) if args else UNKNOWN
    if name == "one_hot":
        indices = args[0] if args else kwargs.get("indices")
        depth = kwargs.get("depth", args[1] if len(args) > 1 else None)
        if isinstance(indices, ArrayObj) and _size_like(depth):
            return array(indices.shape.dims + (depth,), "float")
    return UNKNOWN


def to_categorical(args: tuple, kwargs: dict, classes: Any = None) -> Any:
    """keras.utils.to_categorical(y, num_classes): y's dims (a trailing 1 dropped) and the classes; without
    num_classes the classes are a symbol of at least 2 (`classes`)."""
    y = args[0] if args else kwargs.get("y")
    num = kwargs.get("num_classes", args[1] if len(args) > 1 else None)
    if not isinstance(y, ArrayObj):
        return UNKNOWN
    if num is None:
        num = y.shape.classes if y.shape.classes is not None else classes
    if not _size_like(num):
        return UNKNOWN
    dims = y.shape.dims
    if dims and dims[-1] == 1 and len(dims) > 1:
        dims = dims[:-1]
    return array(dims + (num,), "float")


def pad_sequences(args: tuple, kwargs: dict, longest: Any) -> Any:
    """pad_sequences(sequences, maxlen=N) → (number of sequences, N) ints (without maxlen: the longest, a
    symbol)."""
    sequences = args[0] if args else kwargs.get("sequences")
    maxlen = kwargs.get("maxlen", args[1] if len(args) > 1 else None)
    count: Any = None
    if isinstance(sequences, ArrayObj) and sequences.shape.dims:
        count = sequences.shape.dims[0]
    elif isinstance(sequences, (ListObj, tuple)):
        count = len(sequences.items if isinstance(sequences, ListObj) else sequences)
    elif isinstance(sequences, GrowingList):
        count = sequences.count
    elif isinstance(sequences, Sym):
        count = symbolic.named(f"len({sequences.name})", f"len({sequences.key})", integer=True)
    else:
        return UNKNOWN
    length = maxlen if _size_like(maxlen) else longest
    return array((count, length), dtype_name(kwargs.get("dtype")) or "int")


def method_call(source: ArrayObj | None, method: str, args: tuple, kwargs: dict) -> Any:
    """`X.reshape(...)`, `X.astype(...)`, `X.copy()`, `X.flatten()`… (`source` None: X's own shape is unknown,
    which only `reshape` can recover: its rank and the dims it spells out)."""
    if method == "reshape":
        shape = args[0] if len(args) == 1 else tuple(args)
        return reshape(source, kwargs.get("shape", shape))
    if source is None:
        return UNKNOWN
    if method == "astype":
        return ArrayObj(ArrayShape(source.shape.dims, dtype_name(args[0] if args else kwargs.get("dtype")),
                                   source.shape.source))
    if method == "copy" and not args:
        return source
    if method in ("flatten", "ravel"):
        size = _size(source)
        return array((size,), source.shape.dtype)
    if method == "squeeze" and not args and not kwargs:
        return array(tuple(d for d in source.shape.dims if d != 1), source.shape.dtype) \
            if all(_int(d) is not None for d in source.shape.dims) else UNKNOWN
    if method == "numpy":
        return source
    if method in ("mean", "std", "sum", "max", "min", "var", "argmax", "argmin", "prod", "any", "all"):
        return reduce(source, kwargs, args)
    if method in ("transpose",) and not args:
        return array(tuple(reversed(source.shape.dims)), source.shape.dtype)
    return UNKNOWN


ArrayFn = Callable[..., Any]
