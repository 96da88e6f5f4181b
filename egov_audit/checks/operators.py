"""The fixed operator registry of declarative checks. Policies name operators; they cannot bring
their own code."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import Message
from ..ipnet import parse_addr, parse_net
from ..models import Text


class OperatorTypeError(Exception):
    """The observed or expected value has a type the operator cannot compare."""


@dataclass(frozen=True)
class Operator:
    """A comparison a policy can name (`op`), with how to say what it requires."""

    name: str
    test: Callable[[Any, Any], bool]
    expected: Text  # how to say what is required, with {value}
    needs_expected: bool = True

    def describe(self, value: Any, lang: str) -> str:
        return self.expected.get(lang).format(value=render(value))


OPERATORS: dict[str, Operator] = {}


def render(value: Any, limit: int = 200) -> str:
    if value is True:
        text = "true"
    elif value is False:
        text = "false"
    elif value is None:
        text = "null"
    elif isinstance(value, list | tuple):
        text = "[" + ", ".join(render(v, limit) for v in value) + "]"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown_value(value: Any) -> Text:
    """An observed value for people: true and false in words, as the requirement says them
    ("có (true)"), anything else as render() writes it."""
    if value is True:
        return Text("có (true)", "yes (true)")
    if value is False:
        return Text("không (false)", "no (false)")
    return Text.of(render(value))


def _register(name: str, vi: str, en: str, needs_expected: bool = True
              ) -> Callable[[Callable[[Any, Any], bool]], Callable[[Any, Any], bool]]:
    def wrap(fn: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
        OPERATORS[name] = Operator(name, fn, Text(vi, en), needs_expected)
        return fn
    return wrap


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise OperatorTypeError(Message("{value} is not a number", value=render(value)))
    return float(value)


def _list(value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise OperatorTypeError(Message("{value} is not a list", value=render(value)))
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _same(observed: Any, expected: Any) -> bool:
    # true must not equal 1: YAML surveys mix booleans and numbers
    if _is_number(observed) and _is_number(expected):
        return bool(observed == expected)
    return type(observed) is type(expected) and bool(observed == expected)


def _comparable(observed: Any, expected: Any) -> None:
    """A count reported as text ('0') must not quietly compare unequal to 0: that is a broken
    fact, not a verdict."""
    kinds = {"number" if _is_number(v) else type(v).__name__ for v in (observed, expected)}
    if len(kinds) > 1:
        raise OperatorTypeError(Message("{observed} and {expected} are of different types",
                                        observed=render(observed), expected=render(expected)))


@_register("eq", "bằng {value}", "equal to {value}")
def _eq(observed: Any, expected: Any) -> bool:
    _comparable(observed, expected)
    return _same(observed, expected)


@_register("ne", "khác {value}", "not equal to {value}")
def _ne(observed: Any, expected: Any) -> bool:
    return not _eq(observed, expected)


@_register("is_true", "có (true)", "yes (true)", needs_expected=False)
def _is_true(observed: Any, _: Any) -> bool:
    if not isinstance(observed, bool):
        raise OperatorTypeError(Message("{observed} is not true or false",
                                        observed=render(observed)))
    return observed


@_register("is_false", "không (false)", "no (false)", needs_expected=False)
def _is_false(observed: Any, _: Any) -> bool:
    return not _is_true(observed, None)


@_register("ge", "tối thiểu {value}", "at least {value}")
def _ge(observed: Any, expected: Any) -> bool:
    return _number(observed) >= _number(expected)


@_register("le", "tối đa {value}", "at most {value}")
def _le(observed: Any, expected: Any) -> bool:
    return _number(observed) <= _number(expected)


@_register("gt", "lớn hơn {value}", "more than {value}")
def _gt(observed: Any, expected: Any) -> bool:
    return _number(observed) > _number(expected)


@_register("lt", "nhỏ hơn {value}", "less than {value}")
def _lt(observed: Any, expected: Any) -> bool:
    return _number(observed) < _number(expected)


@_register("between", "trong khoảng {value}", "within {value}")
def _between(observed: Any, expected: Any) -> bool:
    bounds = _list(expected)
    if len(bounds) != 2:
        raise OperatorTypeError(Message("between needs [low, high]"))
    return _number(bounds[0]) <= _number(observed) <= _number(bounds[1])


@_register("in", "một trong {value}", "one of {value}")
def _in(observed: Any, expected: Any) -> bool:
    return any(_same(observed, item) for item in _list(expected))


@_register("not_in", "không thuộc {value}", "none of {value}")
def _not_in(observed: Any, expected: Any) -> bool:
    return not _in(observed, expected)


@_register("contains", "có chứa {value}", "includes {value}")
def _contains(observed: Any, expected: Any) -> bool:
    return any(_same(item, expected) for item in _list(observed))


@_register("not_contains", "không chứa {value}", "does not include {value}")
def _not_contains(observed: Any, expected: Any) -> bool:
    return not _contains(observed, expected)


@_register("subset_of", "chỉ gồm các giá trị trong {value}", "only values from {value}")
def _subset_of(observed: Any, expected: Any) -> bool:
    allowed = _list(expected)
    return all(_in(item, allowed) for item in _list(observed))


@_register("present", "có", "present", needs_expected=False)
def _present(observed: Any, _: Any) -> bool:
    return True  # reached only when the fact exists and is not null


@_register("empty", "không có (danh sách rỗng)", "none (an empty list)", needs_expected=False)
def _empty(observed: Any, _: Any) -> bool:
    return len(_list(observed)) == 0


@_register("length_ge", "ít nhất {value} phần tử", "at least {value} items")
def _length_ge(observed: Any, expected: Any) -> bool:
    return len(_list(observed)) >= _number(expected)


@_register("regex", "khớp biểu thức {value}", "matching {value}")
def _regex(observed: Any, expected: Any) -> bool:
    if not isinstance(observed, str) or not isinstance(expected, str):
        raise OperatorTypeError(Message("regex compares text"))
    return re.fullmatch(expected, observed) is not None


@_register("cidr_within", "nằm trong {value}", "within {value}")
def _cidr_within(observed: Any, expected: Any) -> bool:
    try:
        addr = parse_net(observed) if "/" in str(observed) else parse_addr(observed)
        nets = [parse_net(p) for p in (expected if isinstance(expected, list) else [expected])]
    except ValueError as exc:
        raise OperatorTypeError(str(exc)) from None
    return any(net.contains(addr) for net in nets)
