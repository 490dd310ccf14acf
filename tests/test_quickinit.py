"""rnnlint.quickinit: the cheaper `__init__` of the hot frozen dataclasses builds what the dataclass's own would."""
from __future__ import annotations

import dataclasses
import inspect
import pickle
from dataclasses import dataclass, field
from typing import ClassVar

import pytest

from rnnlint import ir
from rnnlint.analyze import values
from rnnlint.quickinit import MADE_BY, quick_init


def _quick_classes() -> list[type]:
    """The classes of ir and values whose __init__ quick_init made."""
    return sorted({cls for module in (ir, values) for cls in vars(module).values()
                   if isinstance(cls, type) and cls.__module__ == module.__name__
                   and getattr(cls.__init__, "__doc__", None) == MADE_BY}, key=lambda c: c.__name__)


def _stock_twin(cls: type) -> type:
    """The same fields as a frozen dataclass with the generated __init__ (the reference)."""
    specs = [(f.name, f.type, field(default=f.default) if f.default is not dataclasses.MISSING else field())
             for f in dataclasses.fields(cls)]
    return dataclasses.make_dataclass(f"Stock{cls.__name__}", specs, frozen=True)


def _sample_values(cls: type) -> list:
    return [f"value-{i}" if i % 2 else i for i, _ in enumerate(dataclasses.fields(cls))]


def test_the_hot_classes_use_it() -> None:
    names = {cls.__name__ for cls in _quick_classes()}
    assert {"Span", "Sym", "Argument", "Pos", "CallSite", "TensorRef", "Layer", "Node", "ModuleRef", "TensorObj",
            "ListObj", "CallableRef"} <= names


@pytest.mark.parametrize("cls", _quick_classes(), ids=lambda c: c.__name__)
def test_it_builds_what_the_generated_init_builds(cls: type) -> None:
    twin = _stock_twin(cls)
    fields = dataclasses.fields(cls)
    args = _sample_values(cls)
    required = [f for f in fields if f.default is dataclasses.MISSING]
    for given in range(len(required), len(fields) + 1):  # every count of positional arguments the class accepts
        assert vars(cls(*args[:given])) == vars(twin(*args[:given]))
        keywords = {f.name: a for f, a in zip(fields[:given], args)}
        assert vars(cls(**keywords)) == vars(twin(**keywords))
    assert inspect.signature(cls).parameters.keys() == inspect.signature(twin).parameters.keys()
    for bad in ((), tuple(args) + ("one too many",)):
        if bad == () and not required:
            continue
        with pytest.raises(TypeError):
            cls(*bad)
    with pytest.raises(TypeError):
        cls(*args, no_such_field=1)
    made = cls(*args)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(made, fields[0].name, "changed")
    assert dataclasses.replace(made, **{fields[0].name: "changed"}) == cls("changed", *args[1:])
    assert pickle.loads(pickle.dumps(made)) == made and hash(made) == hash(cls(*args))


def test_it_refuses_what_it_does_not_support() -> None:
    @dataclass
    class NotFrozen:
        a: int

    @dataclass(frozen=True)
    class WithPostInit:
        a: int

        def __post_init__(self) -> None:
            pass

    @dataclass(frozen=True)
    class WithFactory:
        a: list = field(default_factory=list)

    @dataclass(frozen=True)
    class WithNoInitField:
        a: int = field(default=0, init=False)

    @dataclass(frozen=True)
    class WithInitVar:
        a: dataclasses.InitVar[int]

    @dataclass(frozen=True, slots=True)
    class WithSlots:
        a: int

    @dataclass(frozen=True)
    class WithClassVar:  # (a pseudo-field, told apart from an InitVar only through dataclasses' internals)
        shared: ClassVar[int] = 3
        a: int = 1

    for cls in (NotFrozen, WithPostInit, WithFactory, WithNoInitField, WithInitVar, WithSlots, WithClassVar):
        with pytest.raises(TypeError):
            quick_init(cls)
