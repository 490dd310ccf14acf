"""`rnnlint.ir.fast_init`: the classes it marks construct exactly as the `__init__` dataclasses generates would —
same signature, same fields for positional, keyword and defaulted arguments, the same errors — and stay frozen."""
from __future__ import annotations

import dataclasses
import inspect

import pytest

import rnnlint.analyze.values as values
import rnnlint.findings as findings
import rnnlint.ir as ir

FAST = sorted((cls for module in (ir, values, findings) for cls in vars(module).values()
               if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == module.__name__
               and getattr(cls.__init__, "fast_init", False)), key=lambda cls: cls.__name__)


def generated(cls: type) -> type:
    """A twin of `cls` whose `__init__` dataclasses generates (same fields and defaults, frozen)."""
    return dataclasses.make_dataclass(cls.__name__, [
        (f.name, f.type) if f.default is dataclasses.MISSING else (f.name, f.type, dataclasses.field(default=f.default))
        for f in dataclasses.fields(cls)], frozen=True)


def test_the_hot_classes_are_marked() -> None:
    assert {cls.__name__ for cls in FAST} >= {"Span", "Pos", "Sym", "Argument", "CallSite", "Layer", "TensorRef",
                                              "Node", "ArrayShape", "TensorObj", "ModuleRef", "ListObj",
                                              "CallableRef", "ArrayObj", "Evidence"}


@pytest.mark.parametrize("cls", FAST, ids=lambda cls: cls.__name__)
def test_construction_is_the_generated_one(cls) -> None:
    twin = generated(cls)
    fields = dataclasses.fields(cls)
    shape = [(p.name, p.kind, p.default) for p in inspect.signature(cls).parameters.values()]
    assert shape == [(p.name, p.kind, p.default) for p in inspect.signature(twin).parameters.values()]
    required = [f for f in fields if f.default is dataclasses.MISSING]
    values_ = {f.name: object() for f in fields}  # a distinct value for each field
    for given in (
        [values_[f.name] for f in fields],  # every field, positionally
        [values_[f.name] for f in required],  # the defaults taken
    ):
        assert vars(cls(*given)) == vars(twin(*given))
    assert vars(cls(**values_)) == vars(twin(**values_))
    made = cls(**values_)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(made, fields[0].name, 1)
    with pytest.raises(TypeError):
        cls(*[values_[f.name] for f in fields], object())  # one argument too many
    with pytest.raises(TypeError):
        cls(**values_, not_a_field=1)
    if required:
        with pytest.raises(TypeError):
            cls()


def test_fast_init_refuses_what_it_cannot_make() -> None:
    with pytest.raises(TypeError):
        @ir.fast_init
        @dataclasses.dataclass(frozen=True)
        class Listed:
            items: list = dataclasses.field(default_factory=list)
