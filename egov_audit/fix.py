"""From a result bundle to an Ansible playbook that fixes exactly the failing controls on exactly
the failing hosts (remediation as code), and, with --apply, running it safely: a preview in check
mode first, a confirmation, then the change, then a re-scan of the changed hosts."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from .errors import UsageError
from .models import Bundle, Status, TargetKind
from .paths import data_root
from .policy import PolicySet


@dataclass(frozen=True)
class Fix:
    control: str
    clause: str
    task_file: Path


@dataclass(frozen=True)
class Manual:
    control: str
    target: str
    remediation: str


@dataclass
class FixPlan:
    bundle: Bundle
    services: dict[str, Any] = field(default_factory=dict)
    hosts: dict[str, list[Fix]] = field(default_factory=dict)
    manual: list[Manual] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not any(self.hosts.values())


def _age(bundle: Bundle, now: datetime) -> timedelta:
    finished = datetime.fromisoformat(bundle.finished_at.replace("Z", "+00:00"))
    return now - finished


# fixes that need a service of the agency's plan: the parameter and the host role that gives it
NEEDS = {"HOST-LOG-01": ("log_collector", "log_collector"), "HOST-TIME-02": ("ntp_servers", "ntp")}


@dataclass(frozen=True)
class AgencyPlan:
    """What the inventory says that fixes need: the agency's services and management networks,
    and per host the controls that must never be fixed there automatically."""
    services: dict[str, Any] = field(default_factory=dict)
    skip: dict[str, frozenset[str]] = field(default_factory=dict)


# host variable: controls egov-audit must not fix on this host (its firewall is run by another
# tool, it shares the network stack of a lab machine, ...)
SKIP_VAR = "egov_fix_skip"


def read_agency_plan(inventory_dir: Path | None, policy: PolicySet) -> AgencyPlan:
    """The agency's log collector and time servers (from the inventory's host roles), its
    management networks (from the zones), and the hosts' `egov_fix_skip` lists."""
    if inventory_dir is None or not inventory_dir.is_dir():
        return AgencyPlan()
    from .inventory import load_inventory

    inventory = load_inventory(inventory_dir, set(policy.model("network")["roles"]))

    def addresses(role: str) -> list[str]:
        return [h.addresses[0].net.text for h in inventory.hosts
                if h.role == role and h.addresses]

    out: dict[str, Any] = {}
    # where administrators connect from: the firewall baseline keeps SSH open to these
    management = [subnet.net.text for zone in inventory.network.zones
                  if zone.kind == "management" for subnet in zone.subnets]
    if management:
        out["mgmt_sources"] = sorted(set(management))
    if addresses("log_collector"):
        out["log_collector"] = f"{addresses('log_collector')[0]}:514"
    if addresses("ntp"):
        out["ntp_servers"] = addresses("ntp")
    skip: dict[str, frozenset[str]] = {}
    for host in inventory.hosts:
        listed = host.vars.get(SKIP_VAR)  # the host schema made it a list of ids
        if isinstance(listed, list):
            skip[host.name] = frozenset(str(c).upper() for c in listed)
    return AgencyPlan(out, skip)


# an inventory host name that is exactly one host as a play's `hosts:` (no pattern characters)
_ONE_HOST = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.\-]*")

_SKIPPED = {"vi": f"{SKIP_VAR} của máy chủ này không cho sửa tự động: ",
            "en": f"{SKIP_VAR} of this host keeps it from being fixed automatically: "}
_NO_ROLE = {"vi": "kho máy chủ không có máy nào có vai trò {role}: ",
            "en": "no host with role {role} in the inventory: "}


def plan_fixes(bundle: Bundle, policy: PolicySet, controls: Sequence[str] = (),
               limit: Sequence[str] = (), max_age_days: float | None = 7,
               now: datetime | None = None, lang: str = "en",
               agency: AgencyPlan | None = None) -> FixPlan:
    """Failing host controls that have a remediation task file, per host; the others are
    listed as manual work. Evidence older than `max_age_days` is refused: the host may have
    changed since."""
    now = now or datetime.now(UTC)
    if not bundle.evidence_digests:
        raise UsageError("the bundle holds no assessed host: it was not made from evidence "
                         "(scan or evaluate first)")
    if max_age_days is not None and _age(bundle, now) > timedelta(days=max_age_days):
        days = _age(bundle, now).total_seconds() / 86400
        raise UsageError(f"the evidence is {days:.1f} days old (more than {max_age_days:g}): "
                         "scan again, or allow it with --max-age DAYS")
    by_id = {c.id: c for c in policy.controls}
    agency = agency or AgencyPlan()
    plan = FixPlan(bundle, services=dict(agency.services))

    def wanted(control: str) -> bool:
        return not controls or any(fnmatchcase(control, c.upper()) for c in controls)

    for result in bundle.results:
        if result.target_kind is not TargetKind.HOST or result.status is not Status.FAIL:
            continue
        if not wanted(result.control):
            continue
        if limit and not any(fnmatchcase(result.target, pattern) for pattern in limit):
            continue
        control = by_id.get(result.control)
        if control is not None and control.remediation_playbook is not None and \
                result.control in agency.skip.get(result.target, ()):
            plan.manual.append(Manual(result.control, result.target,
                                      _SKIPPED[lang] + control.remediation.get(lang)))
            continue
        needed = NEEDS.get(result.control)
        if control is not None and needed and needed[0] not in plan.services:
            plan.manual.append(Manual(result.control, result.target,
                                      _NO_ROLE[lang].format(role=needed[1])
                                      + control.remediation.get(lang)))
            continue
        if control is None or control.remediation_playbook is None:
            text = control.remediation.get(lang) if control else ""
            if control is not None and control.owner:
                text += f" [{control.owner.get(lang)}"
                text += f"; {control.form.get(lang)}]" if control.form else "]"
            plan.manual.append(Manual(result.control, result.target, text))
            continue
        if not _ONE_HOST.fullmatch(result.target) or result.target in ("all", "ungrouped"):
            # a play's `hosts:` is a pattern: "all", "web*" or "a,b" would reach other hosts
            raise UsageError(f"the bundle names a host {result.target!r} that Ansible would "
                             "read as a pattern of several hosts: refusing to write a play for it")
        plan.hosts.setdefault(result.target, []).append(
            Fix(result.control, result.clause.get(lang),
                data_root() / control.remediation_playbook))
    return plan


def host_params(policy: PolicySet, baseline: str, level: int) -> dict[str, Any]:
    """Every parameter of the host reference model at this baseline and level."""
    levels = policy.model("host").get("parameters", {}).get(baseline, {})
    keys = sorted({k for values in levels.values() for k in (values or {})})
    return {key: policy.param(f"host.{key}", baseline, level) for key in keys}


def _task(fix: Fix) -> dict[str, Any]:
    # one block per control: a fix that fails is reported (rescue) and the host's other fixes
    # still run
    return {"name": f"{fix.control} — {fix.clause}",
            "block": [{"name": f"Apply the remediation of {fix.control}",
                       "ansible.builtin.include_tasks": str(fix.task_file),
                       "vars": {"egov_control": fix.control}}],
            "rescue": [{"name": f"Report that {fix.control} could not be fixed",
                        "ansible.builtin.debug": {
                            "msg": f"egov-audit: {fix.control} was not fixed"}}]}


def _play(host: str, params: Any, tasks: Any) -> dict[str, Any]:
    handlers = data_root() / "playbooks" / "remediate" / "handlers.yml"
    return {"name": f"Remediation by egov-audit: {host}", "hosts": host,
            "become": True, "gather_facts": True, "gather_subset": ["min"],
            "vars": params,
            "handlers": [{"name": "Reload handlers of the remediation tasks",
                          "ansible.builtin.import_tasks": str(handlers)}],
            "tasks": tasks}


def _params(plan: FixPlan, policy: PolicySet) -> dict[str, Any]:
    bundle = plan.bundle
    return {"egov_params": {**host_params(policy, bundle.baseline, bundle.level),
                            **plan.services}}


def playbook_data(plan: FixPlan, policy: PolicySet) -> list[dict[str, Any]]:
    """The plays: one per host, one task per control (its id and clause as the name)."""
    params = _params(plan, policy)
    return [_play(host, params, [_task(fix) for fix in
                                 sorted(plan.hosts[host], key=lambda f: f.control)])
            for host in sorted(plan.hosts)]


def render_playbook(plan: FixPlan, policy: PolicySet, source: str) -> str:
    """The playbook of `playbook_data` as YAML that ansible-lint accepts. The parameters and each
    control's task are the same in every play: they are written once and pasted, which makes a
    playbook for 1,000 hosts about ten times faster to write than dumping every play."""
    from textwrap import indent

    import yaml

    class _Plain(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:  # every play spells its parameters out
            return True

        def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
            super().increase_indent(flow, False)  # lists indented under their key (yamllint)

    def dump(data: Any) -> str:
        return yaml.dump(data, Dumper=_Plain, allow_unicode=True, sort_keys=False, width=100)

    def line(value: object) -> str:  # a comment stays one line, whatever the bundle holds
        return " ".join(str(value).split())

    bundle = plan.bundle
    params_text = "  vars:\n" + indent(dump(_params(plan, policy)), "    ")
    tasks_text: dict[Fix, str] = {}
    body: list[str] = []
    for host in sorted(plan.hosts):
        head = dump([_play(host, "EGOV_PARAMS", "EGOV_TASKS")])
        head = head.replace("\n  vars: EGOV_PARAMS\n", "\n" + params_text, 1)
        head, tail = head.split("\n  tasks: EGOV_TASKS\n", 1)
        body.append(head + "\n  tasks:\n")
        for fix in sorted(plan.hosts[host], key=lambda f: f.control):
            if fix not in tasks_text:
                tasks_text[fix] = indent(dump([_task(fix)]), "    ")
            body.append(tasks_text[fix])
        body.append(tail)
    header = (f"# Generated by egov-audit fix from {line(source)}\n"
              f"# agency {line(bundle.agency.code)}, baseline {line(bundle.baseline)}, level "
              f"{bundle.level}, evidence of {line(bundle.finished_at)}\n"
              "# Fixes only the failing controls that can be fixed automatically; run it with\n"
              "# --check --diff first (egov-audit fix --apply does).\n")
    return header + "---\n" + "".join(body)


@dataclass(frozen=True)
class RunReport:
    changed: dict[str, list[str]]  # host -> task names that changed
    failed: dict[str, list[str]]  # host -> "task: reason"
    unreachable: dict[str, str]
    rc: int


def run_playbook(playbook: Path, inventory: Path, check: bool,
                 host_key_checking: bool = True, forks: int = 10) -> RunReport:
    """Run a remediation playbook through ansible-runner (check mode: nothing changes)."""
    import shutil
    import sys
    import tempfile

    import ansible_runner

    private = Path(tempfile.mkdtemp(prefix="egov-audit-fix-"))
    changed: dict[str, list[str]] = {}
    failed: dict[str, list[str]] = {}
    unreachable: dict[str, str] = {}

    def on_event(event: dict[str, Any]) -> bool:
        data = event.get("event_data") or {}
        host, task = data.get("host"), str(data.get("task", ""))
        kind = event.get("event")
        res = data.get("res") or {}
        if not host:
            return False
        if kind == "runner_on_ok" and res.get("changed"):
            changed.setdefault(host, []).append(task)
        elif kind == "runner_on_failed" and not data.get("ignore_errors"):
            reason = " ".join(str(res.get("msg", "failed")).split())[:300]
            failed.setdefault(host, []).append(f"{task}: {reason}")
        elif kind == "runner_on_unreachable":
            unreachable[host] = " ".join(str(res.get("msg", "")).split())[:300]
        return False

    bin_dir = Path(sys.executable).parent
    env = {"ANSIBLE_HOST_KEY_CHECKING": str(host_key_checking),
           "ANSIBLE_HOME": str(private / "home"), "ANSIBLE_NOCOLOR": "1",
           "ANSIBLE_RETRY_FILES_ENABLED": "False",
           "ANSIBLE_CONFIG": str(data_root() / "ansible.cfg"),
           "PATH": f"{bin_dir}:{__import__('os').environ.get('PATH', '')}"}
    try:
        runner = ansible_runner.run(
            private_data_dir=str(private), playbook=str(playbook.resolve()),
            inventory=str(inventory.resolve()), forks=forks, envvars=env, quiet=True,
            cmdline="--check --diff" if check else "--diff", event_handler=on_event,
            suppress_env_files=True, settings={"suppress_ansible_output": True})
    finally:
        shutil.rmtree(private, ignore_errors=True)
    return RunReport(changed, failed, unreachable, int(runner.rc or 0))


def plan_summary(plan: FixPlan) -> dict[str, Any]:
    return {"hosts": {h: [f.control for f in fixes] for h, fixes in sorted(plan.hosts.items())},
            "manual": [{"control": m.control, "target": m.target, "remediation": m.remediation}
                       for m in plan.manual]}


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
