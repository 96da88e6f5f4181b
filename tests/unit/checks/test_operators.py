from __future__ import annotations

import pytest

from egov_audit.checks.operators import OPERATORS, OperatorTypeError


@pytest.mark.parametrize("op,observed,expected,result", [
    ("eq", 1, 1, True), ("eq", 1, 1.0, True), ("eq", "a", "b", False),
    ("ne", "a", "b", True), ("is_true", True, None, True), ("is_true", False, None, False),
    ("is_false", False, None, True), ("ge", 90, 90, True), ("ge", 89, 90, False),
    ("le", 4.1, 4, False), ("gt", 2, 1, True), ("lt", 2, 1, False),
    ("between", 27, [18, 27], True), ("between", 27.5, [18, 27], False),
    ("in", "a", ["a", "b"], True), ("not_in", "c", ["a", "b"], True),
    ("contains", ["internet", "tslcd"], "tslcd", True), ("contains", ["internet"], "tslcd", False),
    ("not_contains", ["telnet"], "telnet", False), ("subset_of", ["a"], ["a", "b"], True),
    ("subset_of", ["a", "c"], ["a", "b"], False), ("length_ge", [1, 2], 2, True),
    ("empty", [], None, True), ("empty", ["toor"], None, False),
    ("regex", "prohibit-password", "no|prohibit-password", True),
    ("regex", "yes", "no|prohibit-password", False),
    ("cidr_within", "10.1.2.3", ["10.0.0.0/8"], True),
    ("cidr_within", "10.1.0.0/16", "192.168.0.0/16", False),
])
def test_operators(op: str, observed: object, expected: object, result: bool) -> None:
    assert OPERATORS[op].test(observed, expected) is result


@pytest.mark.parametrize("op,observed,expected", [
    ("ge", "90", 90), ("ge", True, 1), ("eq", True, 1), ("eq", "0", 0),
    ("ne", [], "x"), ("is_true", "yes", None), ("between", 5, [1]),
    ("contains", "tslcd", "tslcd"), ("regex", 5, "5"), ("cidr_within", "x", ["10.0.0.0/8"]),
])
def test_type_mismatches_are_errors_not_verdicts(op: str, observed: object,
                                                 expected: object) -> None:
    with pytest.raises(OperatorTypeError):
        OPERATORS[op].test(observed, expected)


def test_every_operator_describes_itself_in_both_languages() -> None:
    for op in OPERATORS.values():
        assert op.expected.vi and op.expected.en
        assert op.describe(5, "vi") != op.describe(5, "en")


def test_observed_true_and_false_are_said_in_words_as_requirements_are() -> None:
    from egov_audit.checks.operators import OPERATORS, shown_value

    assert shown_value(False).vi == OPERATORS["is_false"].expected.vi == "không (false)"
    assert shown_value(True).en == OPERATORS["is_true"].expected.en == "yes (true)"
    assert shown_value(3).vi == "3" and shown_value(None).en == "null"
