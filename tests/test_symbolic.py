"""Sizes that are symbols (`ir.Sym`) and their arithmetic (`rnnlint.symbolic`)."""
from __future__ import annotations

import pytest

from rnnlint import symbolic
from rnnlint.ir import UNKNOWN, Sym, Unknown, dims_differ, is_unknown

N = symbolic.named("n_steps", "k:n_steps@3")
F = symbolic.named("n_features", "k:n_features@3")


def test_a_symbol_is_an_unknown_to_those_who_need_a_literal_and_equal_by_source() -> None:
    assert isinstance(N, Unknown) and is_unknown(N) and is_unknown((N, 1))
    assert N == symbolic.named("other name", "k:n_steps@3") and N != F and N != UNKNOWN
    assert hash(N) == hash(symbolic.named("n_steps", "k:n_steps@3"))
    assert repr(N) == "n_steps"


@pytest.mark.parametrize("a, b, differ", [(3, 4, True), (3, 3, False), (N, 4, False), (N, F, False),
                                          (None, 4, False), (N, N, False), (True, 2, False)])
def test_only_two_different_literals_certainly_differ(a, b, differ) -> None:
    assert dims_differ(a, b) is differ


@pytest.mark.parametrize("op, a, b, name, value", [
    ("*", N, 2, "2 * n_steps", 24),
    ("+", symbolic.binop("-", N, 1), 1, "n_steps", 12),
    ("+", 1, N, "n_steps + 1", 13),
    ("*", N, F, "n_steps * n_features", 36),
    ("//", symbolic.binop("-", N, 4), 2, "(n_steps - 4) // 2", 4),
    ("-", N, N, None, 0),
    ("*", N, 1, "n_steps", 12),
])
def test_arithmetic_keeps_an_identity_and_evaluates(op, a, b, name, value) -> None:
    out = symbolic.binop(op, a, b)
    if name is None:
        assert out == value
    else:
        assert isinstance(out, Sym) and out.name == name
        assert symbolic.evaluate(out, {N.key: 12, F.key: 3}) == value
    assert symbolic.binop(op, a, b) == out  # the same expression twice is the same symbol


@pytest.mark.parametrize("op, a, b", [("/", N, 2), ("//", N, 0), ("*", N, 2.5), ("+", N, UNKNOWN), ("**", N, 2)])
def test_what_a_size_cannot_be_is_unknown(op, a, b) -> None:
    out = symbolic.binop(op, a, b)
    assert isinstance(out, Unknown) and not isinstance(out, Sym)


def test_base_symbols_and_unbound_evaluation() -> None:
    shape = (None, symbolic.binop("*", N, F), N)
    assert symbolic.base_symbols(shape) == [N, F]
    assert symbolic.evaluate(shape, {N.key: 5, F.key: 2}) == (None, 10, 5)
    assert symbolic.evaluate(shape, {N.key: 5}) is None
    assert symbolic.product((N, 2, F)).name == "2 * n_steps * n_features"
