"""The requirement matrix (checks/requirements.py) as text, Markdown, HTML, CSV, XLSX and JSON.
In one language, or in both (Vietnamese first) for documents a regulator reviews."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence

from ..checks.requirements import Requirement, RequirementMatrix, requirement_matrix
from ..gates.sanitize import cell, cell_text, html_environment, terminal
from ..gates.sanitize import markdown as md
from ..models import Text
from ..policy import PolicySet
from .common import label
from .interface import Render, reporter

COLUMNS = ("control", "family", "title", "severity", "area", "target_kind", "from_level",
           "clause", "required", "closes", "form")
_WIDTHS = (14, 22, 40, 12, 14, 14, 8, 36, 48, 36, 40)
Langs = Sequence[str]


def _both(text: Text, langs: Langs, sep: str) -> str:
    parts = [text.get(lang) for lang in langs]
    return parts[0] if len(parts) == 1 or parts[0] == parts[1] else sep.join(parts)


def _labels(key: str, langs: Langs, sep: str = " / ") -> str:
    return _both(Text(label(key, "vi"), label(key, "en")), langs, sep)


def _cells(row: Requirement) -> list[Text | str | int]:
    return [row.control, row.family, row.title,
            Text(label(f"severity.{row.severity.value}", "vi"),
                 label(f"severity.{row.severity.value}", "en")),
            Text(label(f"area.{row.area.value}", "vi"), label(f"area.{row.area.value}", "en")),
            Text(label(f"targetkind.{row.target.value}", "vi"),
                 label(f"targetkind.{row.target.value}", "en")),
            row.from_level, row.clause, row.required, row.owner, row.procedure]


def _plain(value: Text | str | int, langs: Langs, sep: str = "\n") -> str | int:
    return _both(value, langs, sep) if isinstance(value, Text) else value


def _heading(m: RequirementMatrix, langs: Langs) -> list[tuple[str, str]]:
    """(label, value) pairs that head every format."""
    stated = [(_labels(key, langs), _both(text, langs, " / "))
              for key, text in (("matrix.issuer", m.baseline_issuer),
                                ("matrix.scope", m.baseline_scope)) if text.vi or text.en]
    levels = [(_labels("matrix.judged", langs), _labels("matrix.beside", langs))] if m.beside \
        else [(_labels("level", langs), str(m.level)),
              (_labels("matrix.clause", langs), m.level_clause)]
    return [(_labels("baseline", langs), f"{m.baseline} — {_both(m.baseline_title, langs, ' / ')}"),
            *stated, *levels,
            (_labels("matrix.certainty", langs),
             _both(Text(label(f"certainty.{m.certainty}", "vi"),
                        label(f"certainty.{m.certainty}", "en")), langs, " / ")),
            (_labels("policy", langs), f"{m.policy_version} ({m.policy_digest[:19]}…)")]


def _title(m: RequirementMatrix, langs: Langs) -> str:
    if m.beside:
        return f"{_labels('matrix.title', langs)}: {m.baseline}"
    return f"{_labels('matrix.title', langs)}: {m.baseline}, {_labels('level', langs)} {m.level}"


def render_text(m: RequirementMatrix, langs: Langs) -> str:
    out = [terminal(_title(m, langs))]
    out += [f"  {terminal(k)}: {terminal(v)}" for k, v in _heading(m, langs)]
    for row in m.rows:
        cells = _cells(row)
        out.append("")
        out.append(f"{row.control}  [{terminal(str(_plain(cells[3], langs, ' / ')))}] "
                   f"{terminal(str(_plain(row.title, langs, ' / ')))}")
        for key, value in zip(COLUMNS[6:], cells[6:], strict=True):
            out.append(f"    {terminal(_labels('col.' + key, langs))}: "
                       f"{terminal(str(_plain(value, langs, ' / ')))}")
    out.append("")
    out.append(_count(m, langs))
    return "\n".join(out) + "\n"


def _count(m: RequirementMatrix, langs: Langs) -> str:
    return " / ".join(label("matrix.count", lang).format(count=len(m.rows)) for lang in langs)


def render_markdown(m: RequirementMatrix, langs: Langs,
                    link: Callable[[str], str] | None = None) -> str:
    """`link`: where each control's own page is (the documentation site), if anywhere."""

    def mdt(value: Text | str | int) -> str:
        if isinstance(value, Text):
            parts = [md(value.get(lang)) for lang in langs]
            if len(parts) == 2 and parts[0] != parts[1]:
                return f"{parts[0]}<br>*{parts[1]}*"
            return parts[0]
        return md(str(value))

    out = [f"# {md(_title(m, langs))}", "",
           "<!-- " + " / ".join(label("matrix.generated", lang) for lang in langs) + " -->", ""]
    out += [f"- **{md(k)}:** {md(v)}" for k, v in _heading(m, langs)]
    out += [f"- {md(_count(m, langs))}", ""]
    out.append("| " + " | ".join(md(_labels("col." + c, langs)) for c in COLUMNS) + " |")
    out.append("|" + "---|" * len(COLUMNS))
    for row in m.rows:
        cells = [mdt(v) for v in _cells(row)]
        if link is not None:
            cells[0] = f"[{cells[0]}]({link(row.control)})"
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def render_csv(m: RequirementMatrix, langs: Langs) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell_text(_labels("col." + c, langs)) for c in COLUMNS])
    for row in m.rows:
        writer.writerow([cell_text(_plain(v, langs)) for v in _cells(row)])
    return "\ufeff" + buffer.getvalue()


def render_xlsx(m: RequirementMatrix, langs: Langs) -> bytes:
    # openpyxl: only for an xlsx document
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    ws = book.create_sheet(f"{m.baseline} L{m.level}"[:31])
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(m.rows) + 1}"
    for index, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    wrap = Alignment(vertical="top", wrap_text=True)
    header = []
    for key in COLUMNS:
        head = WriteOnlyCell(ws, value=_labels("col." + key, langs, "\n"))
        head.font, head.fill, head.alignment = (Font(bold=True),
                                                PatternFill("solid", fgColor="DDE4EE"), wrap)
        header.append(head)
    ws.append(header)
    for row in m.rows:
        cells = []
        for value in _cells(row):
            c = WriteOnlyCell(ws, value=cell(_plain(value, langs)))  # type: ignore[arg-type]
            c.alignment = wrap
            cells.append(c)
        ws.append(cells)
    about = book.create_sheet(_labels("matrix.title", langs[:1]))
    for key, value in _heading(m, langs):
        about.append([cell(key), cell(value)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render_html(m: RequirementMatrix, langs: Langs) -> str:
    def parts(value: Text | str | int) -> list[str]:
        if isinstance(value, Text):
            shown = [value.get(lang) for lang in langs]
            return shown[:1] if len(shown) == 2 and shown[0] == shown[1] else shown
        return [str(value)]

    env = html_environment()
    return env.get_template("matrix.html.j2").render(
        lang=langs[0], title=_title(m, langs), heading=_heading(m, langs),
        count=_count(m, langs), columns=[_labels("col." + c, langs) for c in COLUMNS],
        rows=[{"severity": row.severity.value, "cells": [parts(v) for v in _cells(row)]}
              for row in m.rows])


def render_json(m: RequirementMatrix, langs: Langs) -> str:
    def t(text: Text) -> dict[str, str]:
        return text.to_dict()

    return json.dumps({
        "schema": "egov-audit/requirement-matrix@1", "baseline": m.baseline,
        "baseline_title": t(m.baseline_title), "baseline_issuer": t(m.baseline_issuer),
        "baseline_scope": t(m.baseline_scope), "level": m.level, "level_clause": m.level_clause,
        "beside": m.beside,
        "certainty": m.certainty, "policy_version": m.policy_version,
        "policy_digest": m.policy_digest,
        "requirements": [{
            "control": r.control, "family": t(r.family), "title": t(r.title),
            "severity": r.severity.value, "area": r.area.value, "target": r.target.value,
            "from_level": r.from_level, "clause": t(r.clause), "required": t(r.required),
            "owner": t(r.owner), "procedure": t(r.procedure),
            "remediation": t(r.remediation)} for r in m.rows]},
        ensure_ascii=False, indent=2) + "\n"


def _with_langs(fn: Callable[[RequirementMatrix, Langs], str | bytes]) -> Render:
    return lambda matrix, options: fn(matrix, options.langs)


for _format, _render in (("text", render_text), ("markdown", render_markdown),
                         ("html", render_html), ("csv", render_csv), ("xlsx", render_xlsx),
                         ("json", render_json)):
    reporter("matrix", _format)(_with_langs(_render))


# -- the documents generated from the catalogue (docs/requirements/, the README's numbers) -------

def requirement_documents(policy: PolicySet) -> dict[str, str]:
    """docs/requirements/<baseline>-level-<n>.md for every baseline and level, bilingual; one
    <profile>.md for a profile judged beside them (levels do not apply to it)."""
    docs = {_document(policy, baseline, level):
            render_markdown(requirement_matrix(policy, baseline, level), ("vi", "en"),
                            lambda control: f"../controls/{control}.md")
            for baseline in sorted(policy.baselines)
            for level in (range(1, 2) if policy.baselines[baseline].beside else range(1, 6))}
    docs["README.md"] = _index(policy)
    return docs


def _index(policy: PolicySet) -> str:
    out = ["# Requirement matrices / Ma trận yêu cầu", "",
           "<!-- " + label("matrix.generated", "vi") + " / " + label("matrix.generated", "en")
           + " -->", "",
           "One per baseline and security level (levels are cumulative). / Mỗi khung tiêu chuẩn, "
           "mỗi cấp độ một bảng (yêu cầu cộng dồn theo cấp độ).", ""]
    out += _level_table(policy, "{count} controls", "", md)
    return "\n".join(out) + "\n"


def _level_table(policy: PolicySet, text: str, folder: str,
                 name: Callable[[str], str]) -> list[str]:
    """Per baseline, how many controls apply at each level, each linking to its matrix."""
    out = ["| Baseline | " + " | ".join(f"Level {n}" for n in range(1, 6)) + " |",
           "|---|" + "---|" * 5]
    for baseline in sorted(policy.baselines):
        cells = [f"[{text.format(count=len(policy.select(baseline, n)))}]"
                 f"({folder}{_document(policy, baseline, n)})" for n in range(1, 6)]
        out.append(f"| {name(baseline)} | " + " | ".join(cells) + " |")
    return out


def _document(policy: PolicySet, baseline: str, level: int) -> str:
    """A matrix's file: per level, or one for a profile judged beside the baselines."""
    return f"{baseline}.md" if policy.baselines[baseline].beside \
        else f"{baseline}-level-{level}.md"


def catalogue_summary(policy: PolicySet) -> str:
    """The README's paragraph on what the catalogue holds: every number comes from it."""
    by_target: dict[str, int] = {}
    for control in policy.controls:
        by_target[control.target.value] = by_target.get(control.target.value, 0) + 1
    families = len(policy.families)
    parts = ", ".join(f"{count} {label(f'targetkind.{target}', 'en').lower()}"
                      for target, count in sorted(by_target.items(), key=lambda i: -i[1]))
    fixable = sum(1 for c in policy.controls if c.remediation_role)
    lines = [f"{len(policy.controls)} controls in {families} families ({parts}); {fixable} of "
             "them fixed by `egov-audit fix` (a role of the egov.audit collection). Per baseline "
             "and level, how many apply:", ""]
    lines += _level_table(policy, "{count}", "docs/requirements/", lambda b: f"`{b}`")
    return "\n".join(lines) + "\n"
