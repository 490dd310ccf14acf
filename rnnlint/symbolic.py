"""Arithmetic on sizes that may be symbols (`ir.Sym`): the analyzer's constant folding, the shape functions and
the checker's binding of symbols to concrete values share it.

A derived size keeps its operands (`Sym.expr`), so `n_steps * 2` computed twice is the same symbol (equal keys)
and the checker can evaluate it once the base symbols are bound. Nothing here guesses: an operation it cannot
express (a float, a negative literal divisor, a symbol over a symbol that is not exact) gives Unknown.
"""
from __future__ import annotations

from typing import Iterable

from rnnlint.ir import UNKNOWN, Sym, Unknown

_OPS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "//": lambda a, b: a // b,
    "%": lambda a, b: a % b,
}


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def anonymous(key: str) -> Sym:
    """A size nobody named (the time steps behind an opaque layer): equal only to itself."""
    return Sym(name="?", key=f"anon:{key}")


def named(name: str, key: str, integer: bool = False) -> Sym:
    """A base symbol: `name` is what messages print, `key` what makes two symbols the same value; `integer` when
    it is certainly an int (a length, a shape entry, a loop counter)."""
    return Sym(name=name, key=key, integer=integer)


def integral(value: object) -> bool:
    """An int, or a symbol known to be one."""
    return is_int(value) or isinstance(value, Sym) and value.integer


def _text(value: object, op: str) -> str:
    text = str(value)
    if isinstance(value, Sym) and value.expr is not None and value.expr[0] in "+-" and op in ("*", "//", "%", "-"):
        return f"({text})"
    return text


def _key(value: object) -> str:
    return value.key if isinstance(value, Sym) else repr(value)


def binop(op: str, a: object, b: object) -> object:
    """`a op b` where each side is an int or a symbol: an int when both are ints, a derived symbol when one is
    a symbol, Unknown when the operation is not one a size can take."""
    if op not in _OPS:
        return UNKNOWN
    if is_int(a) and is_int(b):
        try:
            return _OPS[op](a, b)
        except ZeroDivisionError:
            return UNKNOWN
    if not (isinstance(a, Sym) or is_int(a)) or not (isinstance(b, Sym) or is_int(b)):
        return UNKNOWN
    if op in ("//", "%") and is_int(b) and b <= 0:
        return UNKNOWN
    if op == "+" and is_int(a) and isinstance(b, Sym):  # n + 1, not 1 + n
        a, b = b, a
    if op in ("+", "-") and is_int(b) and isinstance(a, Sym) and a.expr is not None and a.expr[0] in "+-" \
            and is_int(a.expr[2]):  # (x - 1) - 1 + 1 → x - 1
        offset = (a.expr[2] if a.expr[0] == "+" else -a.expr[2]) + (b if op == "+" else -b)
        return binop("+" if offset >= 0 else "-", a.expr[1], abs(offset))
    # identities that keep the same symbol
    if op in ("+", "-") and b == 0 and is_int(b):
        return a
    if op == "+" and a == 0 and is_int(a):
        return b
    if op in ("*", "//") and is_int(b) and b == 1:
        return a
    if op == "*" and is_int(a) and a == 1:
        return b
    if op == "-" and isinstance(a, Sym) and isinstance(b, Sym) and a == b:
        return 0
    if op == "-" and isinstance(a, Sym) and a.expr is not None and a.expr[0] == "+":  # (i + w) - i → w
        if a.expr[1] == b and (isinstance(b, Sym) or is_int(b)):
            return a.expr[2]
        if a.expr[2] == b and (isinstance(b, Sym) or is_int(b)):
            return a.expr[1]
    if op == "*" and is_int(b) and isinstance(a, Sym):  # write the literal first: 2 * n
        a, b = b, a
    name = f"{_text(a, op)} {op} {_text(b, op)}"
    return Sym(name=name, key=f"({op} {_key(a)} {_key(b)})", expr=(op, a, b), integer=integral(a) and integral(b))


def product(dims: Iterable[object]) -> object:
    """The product of sizes (1 for none); Unknown if any is neither an int nor a symbol."""
    out: object = 1
    for d in dims:
        out = binop("*", out, d)
        if isinstance(out, Unknown) and not isinstance(out, Sym):
            return UNKNOWN
    return out


def base_symbols(value: object) -> list[Sym]:
    """The named symbols a size is built from, in order of first appearance."""
    found: list[Sym] = []

    def walk(v: object) -> None:
        if isinstance(v, Sym):
            if v.expr is None:
                if v not in found:
                    found.append(v)
            else:
                walk(v.expr[1])
                walk(v.expr[2])
        elif isinstance(v, (tuple, list)):
            for item in v:
                walk(item)

    walk(value)
    return found


def evaluate(value: object, binding: dict[str, int]) -> object:
    """`value` with every base symbol replaced by its bound int (by key): an int, a tuple of evaluated items,
    the value itself when it holds no symbol; None when a symbol is unbound or an operation fails."""
    if isinstance(value, Sym):
        if value.expr is None:
            return binding.get(value.key)
        op, a, b = value.expr
        left, right = evaluate(a, binding), evaluate(b, binding)
        if not (is_int(left) and is_int(right)):
            return None
        result = binop(op, left, right)
        return result if is_int(result) else None
    if isinstance(value, tuple):
        items = tuple(evaluate(v, binding) for v in value)
        return None if any(i is None and v is not None for i, v in zip(items, value)) else items
    return value


__all__ = ["anonymous", "base_symbols", "binop", "evaluate", "is_int", "named", "product"]
