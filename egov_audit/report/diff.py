"""Renderers of a diff between two audits (text, json, markdown, html), and of re-scoring
stored bundles (text, json), which is a diff per agency."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from ..diff import BundleDiff, Change, Rescored
from ..gates.sanitize import html_environment
from ..models import Text
from .common import LABELS, terminal
from .interface import Render, ReportOptions, reporter
from .markdown import md

DIFF_LABELS: dict[str, Text] = {
    "title": Text("Thay đổi giữa hai lần đánh giá", "What changed between two audits"),
    "newly_failing": Text("Mới không đạt", "Newly failing"),
    "newly_passing": Text("Mới đạt", "Newly passing"),
    "still_failing": Text("Vẫn không đạt", "Still failing"),
    "controls_added": Text("Biện pháp mới (cập nhật chính sách)",
                           "Controls added (policy update)"),
    "controls_removed": Text("Biện pháp đã bỏ", "Controls removed"),
    "targets_added": Text("Đối tượng mới", "Targets added"),
    "targets_removed": Text("Đối tượng không còn", "Targets removed"),
    "scores": Text("Thay đổi điểm", "Score change"),
    "before": Text("Trước", "Before"),
    "after": Text("Sau", "After"),
    "change": Text("Thay đổi", "Change"),
    "overall": Text("Tổng", "Overall"),
    "none": Text("không có", "none"),
}


def _l(key: str, lang: str) -> str:
    return (DIFF_LABELS.get(key) or LABELS[key]).get(lang)


def _scope(scope: str, lang: str) -> str:
    if scope in ("overall",):
        return _l("overall", lang)
    if scope == "coverage":
        return LABELS["coverage"].get(lang)
    return LABELS[f"area.{scope}"].get(lang)


def _num(value: float | None, scope: str) -> str:
    if value is None:
        return "-"
    return f"{value * 100:.0f}%" if scope == "coverage" else f"{value:.1f}"


def _delta(value: float | None, scope: str) -> str:
    if value is None:
        return "-"
    shown = f"{value * 100:+.0f} pp" if scope == "coverage" else f"{value:+.1f}"
    return shown


def _status(change: Change, lang: str) -> tuple[str, str]:
    def one(status: Any) -> str:
        return LABELS[f"status.{status.value}"].get(lang) if status else "-"
    return one(change.old), one(change.new)


SECTIONS = ("newly_failing", "newly_passing", "still_failing")
LISTS = ("controls_added", "controls_removed", "targets_added", "targets_removed")


def render_text(diffs: Sequence[BundleDiff], lang: str) -> str:
    out: list[str] = []
    for d in diffs:
        out += [f"egov-audit · {_l('title', lang)}: {terminal(d.name.get(lang))} "
                f"({terminal(d.new_agency)})",
                f"{_l('before', lang)}: {terminal(d.old_date)} (policy "
                f"{terminal(d.old_policy)}) · {_l('after', lang)}: {terminal(d.new_date)} "
                f"(policy {terminal(d.new_policy)})", "",
                f"== {_l('scores', lang)} =="]
        for s in d.scores:
            out.append(f"  {_scope(s.scope, lang):<22} {_num(s.old, s.scope):>7} → "
                       f"{_num(s.new, s.scope):>7}  ({_delta(s.delta, s.scope)})")
        for section in SECTIONS:
            items = getattr(d, section)
            out += ["", f"== {_l(section, lang)}: {len(items)} =="]
            for c in items:
                old, new = _status(c, lang)
                out.append(f"  [{LABELS['severity.' + c.severity.value].get(lang)}] "
                           f"{terminal(c.control)} {terminal(c.target)} — "
                           f"{terminal(c.title.get(lang))} ({old} → {new})")
        for key in LISTS:
            items = getattr(d, key)
            shown = ", ".join(terminal(i) for i in items) or _l("none", lang)
            out.append(f"{_l(key, lang)}: {shown}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _change_dict(c: Change) -> dict[str, Any]:
    return {"control": c.control, "target": c.target, "severity": c.severity.value,
            "area": c.area.value, "title": c.title.to_dict(),
            "old": c.old.value if c.old else None, "new": c.new.value if c.new else None,
            "observed": c.observed.to_dict()}


def render_json(diffs: Sequence[BundleDiff], lang: str) -> str:
    return json.dumps(_document(diffs), ensure_ascii=False, indent=2) + "\n"


def _document(diffs: Sequence[BundleDiff]) -> dict[str, Any]:
    return {"schema": "egov-audit/diff@1", "agencies": [{
        "old_agency": d.old_agency, "new_agency": d.new_agency, "name": d.name.to_dict(),
        "old": {"date": d.old_date, "policy": d.old_policy},
        "new": {"date": d.new_date, "policy": d.new_policy},
        **{s: [_change_dict(c) for c in getattr(d, s)] for s in SECTIONS},
        **{k: list(getattr(d, k)) for k in LISTS},
        "scores": {s.scope: {"old": s.old, "new": s.new, "delta": s.delta} for s in d.scores},
    } for d in diffs]}


def render_markdown(diffs: Sequence[BundleDiff], lang: str) -> str:
    out: list[str] = []
    for d in diffs:
        out += [f"# {_l('title', lang)}: {md(d.name.get(lang))} ({md(d.new_agency)})", "",
                f"- **{_l('before', lang)}:** {md(d.old_date)} · policy {md(d.old_policy)}",
                f"- **{_l('after', lang)}:** {md(d.new_date)} · policy {md(d.new_policy)}", "",
                f"## {_l('scores', lang)}", "",
                f"| | {_l('before', lang)} | {_l('after', lang)} | {_l('change', lang)} |",
                "| --- | ---: | ---: | ---: |"]
        out += [f"| {_scope(s.scope, lang)} | {_num(s.old, s.scope)} | {_num(s.new, s.scope)} | "
                f"{_delta(s.delta, s.scope)} |" for s in d.scores]
        for section in SECTIONS:
            items = getattr(d, section)
            out += ["", f"## {_l(section, lang)} ({len(items)})", ""]
            out += [f"- **[{LABELS['severity.' + c.severity.value].get(lang)}] {md(c.control)}** "
                    f"{md(c.target)} — {md(c.title.get(lang))} ({' → '.join(_status(c, lang))})"
                    for c in items] or [_l("none", lang)]
        out.append("")
        for key in LISTS:
            shown = ", ".join(md(i) for i in getattr(d, key)) or _l("none", lang)
            out.append(f"- **{_l(key, lang)}:** {shown}")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def render_html(diffs: Sequence[BundleDiff], lang: str) -> str:
    env = html_environment()
    labels = {k: _l(k, lang) for k in DIFF_LABELS}
    labels.update({"severity": LABELS["col.severity"].get(lang),
                   "control": LABELS["col.control"].get(lang),
                   "target": LABELS["col.target"].get(lang),
                   "status": LABELS["col.status"].get(lang)})
    context = []
    for d in diffs:
        context.append({
            "name": d.name.get(lang), "code": d.new_agency, "old_date": d.old_date,
            "new_date": d.new_date, "old_policy": d.old_policy, "new_policy": d.new_policy,
            "scores": [{"scope": _scope(s.scope, lang), "old": _num(s.old, s.scope),
                        "new": _num(s.new, s.scope), "delta": _delta(s.delta, s.scope),
                        "cls": "" if not s.delta else "up" if s.delta > 0 else "down"}
                       for s in d.scores],
            "sections": [{"title": _l(sec, lang), "rows": [
                {"severity": LABELS[f"severity.{c.severity.value}"].get(lang),
                 "control": c.control, "title": c.title.get(lang), "target": c.target,
                 "old": _status(c, lang)[0], "new": _status(c, lang)[1]}
                for c in getattr(d, sec)]} for sec in SECTIONS],
            "lists": [{"title": _l(k, lang), "names": getattr(d, k)} for k in LISTS]})
    return env.get_template("diff.html.j2").render(lang=lang, L=labels, diffs=context)


def _with_lang(fn: Callable[[Sequence[BundleDiff], str], str]) -> Render:
    return lambda diffs, options: fn(diffs, options.lang)


for _format, _render in (("text", render_text), ("json", render_json),
                         ("markdown", render_markdown), ("html", render_html)):
    reporter("diff", _format)(_with_lang(_render))


def render_rescore_json(items: Sequence[Rescored], options: ReportOptions) -> str:
    diffs = _document([i.diff for i in items if i.diff])
    skipped = [{"agency": i.agency, "reason": i.reason, "failed": i.failed}
               for i in items if not i.diff]
    return json.dumps({**diffs, "not_rescored": skipped}, ensure_ascii=False, indent=2) + "\n"


def render_rescore_text(items: Sequence[Rescored], options: ReportOptions) -> str:
    parts = [render_text([i.diff], options.lang) for i in items if i.diff]
    parts += [f"{terminal(i.agency)}: not re-scored: {terminal(i.reason)}\n"
              for i in items if not i.diff]
    return "\n".join(parts) if parts else "no bundle stored\n"


reporter("rescore", "text")(render_rescore_text)
reporter("rescore", "json")(render_rescore_json)
