"""What the checks accept from a policy: operator names, named checks with the arguments each
declares, the parameters each reads. The policy loader asks (policy.CheckVocabulary); this is
the only place that knows the answers, so policy/ never imports checks/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..cache import catalogue
from ..policy import Control, PolicySet, Problem, load_policies, policy_dirs
from ..schemas import first_error
from .named import NAMED_CHECKS, NamedCheck
from .operators import OPERATORS


class Vocabulary:
    """The check vocabulary of this egov-audit: the registries of operators and named checks."""

    def problems(self, control: Control) -> Iterator[Problem]:
        check = control.check
        if check.named is not None:
            yield from _named_problems(control, NAMED_CHECKS.get(check.named))
            return
        op = OPERATORS.get(check.op or "")
        if op is None:
            yield Problem(f"unknown operator {check.op!r} (known: {', '.join(sorted(OPERATORS))})",
                          ("check", "op"))
            return
        has_expected = check.has_value or check.param is not None
        if op.needs_expected and not has_expected:
            yield Problem(f"operator {check.op!r} needs a value or a param")
        if not op.needs_expected and has_expected:
            yield Problem(f"operator {check.op!r} takes no value or param")
        if check.has_value and check.param is not None:
            yield Problem("give either a value or a param, not both")
        if check.when is not None and check.when["op"] not in OPERATORS:
            yield Problem(f"unknown operator {check.when['op']!r} in `when`",
                          ("check", "when", "op"))

    def params(self, control: Control) -> tuple[str, ...]:
        check = control.check
        if check.named is not None:
            spec = NAMED_CHECKS.get(check.named)
            return spec.params if spec else ()
        return (check.param,) if check.param else ()


def _named_problems(control: Control, spec: NamedCheck | None) -> Iterator[Problem]:
    check = control.check
    if spec is None:
        yield Problem(f"unknown named check {check.named!r} (known: "
                      f"{', '.join(sorted(NAMED_CHECKS))})", ("check", "named"))
        return
    if spec.target != control.target:
        yield Problem(f"named check {check.named!r} checks {spec.target} targets, not "
                      f"{control.target}")
    if check.param is not None and check.param not in spec.params:
        reads = ", ".join(spec.params) or "no parameter"
        yield Problem(f"named check {check.named!r} reads {reads}, not {check.param!r}",
                      ("check", "param"))
    given = dict(check.args or {})
    for name in sorted(set(given) - set(spec.args)):
        known = ", ".join(sorted(spec.args)) or "none"
        yield Problem(f"named check {check.named!r} takes no argument {name!r} (it takes: "
                      f"{known})", ("check", "args", name))
    for name, schema in spec.args.items():
        if name not in given:
            if name not in spec.defaults:
                yield Problem(f"named check {check.named!r} needs the argument {name!r}",
                              ("check", "args"))
            continue
        error = first_error(given[name], schema)
        if error is not None:
            yield Problem(f"argument {name!r} of {check.named!r}: {error.message}",
                          ("check", "args", name))


VOCABULARY = Vocabulary()


def load_catalogue(policies_dir: Path | None = None,
                   models_dir: Path | None = None) -> PolicySet:
    """The catalogue, checked against this egov-audit's checks: what every command audits with.
    Kept in egov-audit's cache (egov_audit/cache.py) once loaded."""
    policies, models = policy_dirs(policies_dir, models_dir)
    return catalogue(policies, models,
                  lambda: load_policies(policies, models, vocabulary=VOCABULARY), PolicySet)

