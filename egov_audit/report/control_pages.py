"""A page per control for the documentation site (docs/controls/<ID>.md), written from the
catalogue and the control's own test cases: what it asks (both languages), the clause and the
first level in each baseline, what it requires at each level (the parameters filled in), how it
is judged, what closes a gap, and the cases it passes and fails on. The requirement matrices
link each control to its page. `make docs` writes them; a test holds them current."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import yaml

from ..checks.named import NAMED_CHECKS
from ..checks.operators import OPERATORS
from ..checks.requirements import required_value
from ..gates.sanitize import markdown as md
from ..models import Text
from ..policy import Control, PolicySet
from .common import label

# what a case changes, in the order a reader needs it (tests/fixtures/control_cases/README.md)
CASE_KEYS = ("base", "baseline", "level", "documentation_as_public", "target", "set", "delete",
             "append", "other", "facts", "evidence_status", "evidence_extra_hosts", "configs",
             "registry", "facility", "portals")
EXAMPLES_PER_OUTCOME = 3
GENERATED = ("<!-- written by `make docs` (tools/gen_docs.py) from the catalogue and "
             "tests/fixtures/control_cases/: do not edit by hand -->")


def _both(text: Text) -> str:
    vi, en = md(text.vi), md(text.en)
    return vi if vi == en else f"{vi}<br>*{en}*"


def _judged(control: Control) -> list[str]:
    check = control.check
    if check.named is not None:
        named = NAMED_CHECKS[check.named]
        out = [f"Named check `{check.named}`: {md(' '.join(named.doc.split()))}"]
        if check.args:
            out.append("Arguments: `" + md(yaml.safe_dump(dict(check.args), default_flow_style=True,
                                                        allow_unicode=True).strip()) + "`")
        if named.reads:
            out.append("Reads: " + ", ".join(f"`{kind}`" for kind in sorted(named.reads)))
        return out
    assert check.fact is not None and check.op is not None
    expected = f"the parameter `{check.param}`" if check.param else \
        f"`{md(OPERATORS[check.op].describe(check.value, 'en'))}`"
    out = [f"The fact `{check.fact}` of each {label('targetkind.' + control.target.value, 'en')} "
           f"target, by the operator `{check.op}`, against {expected}; a missing fact is "
           f"`{check.missing}`."]
    if check.when is not None:
        value = check.when.get("value")
        out.append(f"Only where `{check.when.get('fact')}` `{check.when.get('op')}`"
                   + (f" `{md(str(value))}`" if value is not None else "") + ".")
    return out


def _case(case: Mapping[str, Any]) -> str:
    changes = {k: case[k] for k in CASE_KEYS if k in case}
    why = md(str(case.get("why") or "the compliant base, unchanged"))
    if not changes:
        return f"- {why}"
    shown = yaml.safe_dump(changes, allow_unicode=True, sort_keys=False, width=96).rstrip()
    return f"- {why}\n\n    ```yaml\n" + "\n".join(f"    {line}" for line in
                                                 shown.splitlines()) + "\n    ```"


def control_page(policy: PolicySet, control: Control, cases: Sequence[Mapping[str, Any]]) -> str:
    out = [f"# {control.id}: {md(control.title.en)}", "",
           f"**{md(control.title.vi)}**", "",
           GENERATED, "",
           md(control.description.vi), "", f"*{md(control.description.en)}*", "",
           "| | |", "|---|---|",
           f"| Area / Lĩnh vực | {md(label('area.' + control.area.value, 'en'))} |",
           f"| Target / Đối tượng | {md(label('targetkind.' + control.target.value, 'en'))} |",
           f"| Severity / Mức độ | `{control.severity.value}` |",
           f"| Family / Nhóm | `{control.family}` ({_both(policy.families[control.family])}) |",
           f"| Defined in / Định nghĩa | `policies/{control.family}.yml` line "
           f"{control.where.line} |", ""]
    out += ["## Required / Yêu cầu", ""]
    for baseline, ref in sorted(control.baselines.items()):
        out += [f"### `{baseline}`, from level {ref.from_level}", "", _both(ref.clause), "",
                "| Level / Cấp độ | Required / Yêu cầu |", "|---|---|"]
        out += [f"| {level} | {_both(required_value(policy, control, baseline, level))} |"
                for level in range(ref.from_level, 6)]
        out.append("")
    out += ["## How it is judged / Cách đánh giá", ""]
    for line in _judged(control):
        out += [line, ""]
    out += ["## Closing a gap / Khắc phục", "", _both(control.remediation), ""]
    if control.remediation_role:
        out += [f"`egov-audit fix` applies the role `egov.audit.{control.remediation_role}`.", ""]
    if control.owner:
        out += [f"Who / Ai: {_both(control.owner)}", ""]
    for outcome in ("pass", "fail"):
        chosen = [c for c in cases if c["expect"] == outcome][:EXAMPLES_PER_OUTCOME]
        if chosen:
            title = "Passes when / Đạt khi" if outcome == "pass" else "Fails when / Không đạt khi"
            out += [f"## {title}", "", *(_case(c) for c in chosen), ""]
    return "\n".join(out).rstrip() + "\n"


def control_pages(policy: PolicySet,
                  cases: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """docs/controls/<ID>.md for every control, and the index of them (index.md)."""
    by_control: dict[str, list[Mapping[str, Any]]] = {}
    for case in cases:
        by_control.setdefault(case["control"], []).append(case)
    pages = {f"{c.id}.md": control_page(policy, c, by_control.get(c.id, ()))
             for c in policy.controls}
    index = ["# Controls / Biện pháp kiểm soát", "",
             GENERATED, "",
             "| Control | Title / Tên | Severity |", "|---|---|---|"]
    index += [f"| [{c.id}]({c.id}.md) | {_both(c.title)} | `{c.severity.value}` |"
              for c in sorted(policy.controls, key=lambda c: c.id)]
    pages["index.md"] = "\n".join(index) + "\n"
    return pages
