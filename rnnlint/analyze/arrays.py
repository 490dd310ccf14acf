"""Static shapes of NumPy / TensorFlow data arrays: constructors, reshape, indexing, stacking.

Functions take already-evaluated arguments (literals, `ArrayObj`, `ListObj` or Unknown) and return an
`ArrayObj` or `UNKNOWN`. A dim that cannot be resolved is None; a rank that cannot be resolved is Unknown.
"""
from __future__ import annotations

import math
from typing import Any, Callable

from rnnlint.analyze.values import ArrayObj, ListObj
from rnnlint.ir import UNKNOWN, ArrayShape, Unknown

Dims = tuple  # tuple[int | None, ...]


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def as_dims(value: Any) -> Dims | None:
    """A shape argument (int or tuple/list of ints) as dims; None when unknown. Unknown entries become None."""
    if isinstance(value, ListObj):
        value = value.items
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return (value,) if value >= 0 else None
    if isinstance(value, tuple):
        dims = []
        for v in value:
            if isinstance(v, Unknown):
                dims.append(None)
            elif _int(v) is not None and v >= 0:
                dims.append(v)
            else:
                return None
        return tuple(dims)
    return None


def array(dims: Dims | None, dtype: str | None = None) -> Any:
    if dims is None:
        return UNKNOWN
    return ArrayObj(ArrayShape(tuple(dims), dtype))


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
    """np.array of a nested literal list/tuple (or of a list of known arrays: stacking)."""
    if isinstance(value, ArrayObj):
        return ArrayObj(ArrayShape(value.shape.dims, dtype or value.shape.dtype))
    if isinstance(value, ListObj):
        value = value.items
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return array((), dtype or ("int" if isinstance(value, int) else "float"))
    if not isinstance(value, tuple):
        return UNKNOWN
    if all(isinstance(v, ArrayObj) for v in value) and value:
        return stack(value, 0, dtype)
    dims = _nested_dims(value)
    if dims is None:
        return UNKNOWN
    kind = dtype or _nested_kind(value)
    return array(dims, kind)


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
    if isinstance(value, (int, float, bool)):
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
    out: list[int | None] = []
    for k in range(rank):
        column = [d[k] for d in shapes]
        if k == axis:
            out.append(None if None in column else sum(column))  # type: ignore[arg-type]
        else:
            known = {c for c in column if c is not None}
            if len(known) > 1:
                return UNKNOWN  # numpy would raise: not ours to judge
            out.append(known.pop() if known else None)
    return array(tuple(out), items[0].shape.dtype)


def reshape(source: Any, shape: Any) -> Any:
    """`X.reshape(shape)` with one -1 resolved when the total size is known."""
    if isinstance(shape, ListObj):
        shape = shape.items
    if isinstance(shape, int) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, tuple):
        return UNKNOWN
    dims: list[int | None] = []
    minus = None
    for i, v in enumerate(shape):
        if isinstance(v, Unknown):
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
            prod = math.prod(rest)  # type: ignore[arg-type]
            dims[minus] = total // prod if prod and total % prod == 0 else None
    return array(tuple(dims), dtype)


def _size(value: Any) -> int | None:
    if isinstance(value, ArrayObj) and all(d is not None for d in value.shape.dims):
        return math.prod(value.shape.dims)  # type: ignore[arg-type]
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
    return array(dims[:axis] + (1,) + dims[axis:], source.shape.dtype)


def index(source: Any, items: tuple) -> Any:
    """Basic indexing: ints drop an axis, slices keep it (the first axis' length computed when known),
    None / np.newaxis add an axis, one Ellipsis expands. Anything else (fancy indexing) is Unknown."""
    if not isinstance(source, ArrayObj):
        return UNKNOWN
    dims = list(source.shape.dims)
    n_real = sum(1 for it in items if not (it is None or it == "newaxis" or it is Ellipsis))
    if sum(1 for it in items if it is Ellipsis) > 1 or n_real > len(dims):
        return UNKNOWN
    expanded: list[Any] = []
    for it in items:
        if it is Ellipsis:
            expanded.extend([slice(None)] * (len(dims) - n_real))
        else:
            expanded.append(it)
    out: list[int | None] = []
    axis = 0
    for it in expanded:
        if it is None or it == "newaxis":
            out.append(1)
            continue
        if isinstance(it, slice):
            out.append(_slice_len(dims[axis], it))
            axis += 1
        elif _int(it) is not None:
            axis += 1
        else:
            return UNKNOWN
    out.extend(dims[axis:])
    return array(tuple(out), source.shape.dtype)


def _slice_len(dim: int | None, sl: slice) -> int | None:
    parts = (sl.start, sl.stop, sl.step)
    if any(p is not None and (isinstance(p, Unknown) or _int(p) is None) for p in parts):
        return None
    if dim is None:
        if sl.start is None and sl.step is None and sl.stop is not None and sl.stop >= 0:
            return None  # X[:800] of an unknown length: at most 800, not known
        if sl.start is None and sl.stop is None and sl.step is None:
            return None
        return None
    return len(range(dim)[sl])


def random_shape(func: str, args: tuple, kwargs: dict) -> Any:
    """numpy.random.* and Generator methods."""
    if func in ("rand", "randn"):
        if kwargs or not all(_int(a) is not None for a in args):
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
        return array((num,), "float") if _int(num) is not None else UNKNOWN
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
    if name in ELEMENTWISE and args:
        return args[0] if isinstance(args[0], ArrayObj) else UNKNOWN
    return UNKNOWN


ELEMENTWISE = {"sin", "cos", "tan", "exp", "log", "log1p", "sqrt", "abs", "tanh", "square", "round", "floor",
               "ceil", "clip", "nan_to_num", "float32", "float64", "sign", "negative"}


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
    return UNKNOWN


def to_categorical(args: tuple, kwargs: dict) -> Any:
    y = args[0] if args else kwargs.get("y")
    num = kwargs.get("num_classes", args[1] if len(args) > 1 else None)
    if not isinstance(y, ArrayObj) or _int(num) is None:
        return UNKNOWN
    dims = y.shape.dims
    if dims and dims[-1] == 1 and len(dims) > 1:
        dims = dims[:-1]
    return array(dims + (num,), "float")


def method_call(source: ArrayObj | None, method: str, args: tuple, kwargs: dict) -> Any:
    """`X.reshape(...)`, `X.astype(...)`, `X.copy()`, `X.flatten()`… (`source` None: X's own shape is unknown,
    which only `reshape` can recover: its rank and the dims it spells out)."""
    if method == "reshape":
        shape = args[0] if len(args) == 1 else tuple(args)
        return reshape(source, kwargs.get("shape", shape))
    if source is None:
        return UNKNOWN
    if method == "astype":
        return ArrayObj(ArrayShape(source.shape.dims, dtype_name(args[0] if args else kwargs.get("dtype"))))
    if method in ("copy", "squeeze") and not args and method == "copy":
        return source
    if method in ("flatten", "ravel"):
        size = _size(source)
        return array((size,), source.shape.dtype)
    if method == "squeeze" and not args and not kwargs:
        return array(tuple(d for d in source.shape.dims if d != 1), source.shape.dtype) \
            if all(d is not None for d in source.shape.dims) else UNKNOWN
    if method == "numpy":
        return source
    return UNKNOWN


ArrayFn = Callable[..., Any]
