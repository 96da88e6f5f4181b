"""From a result bundle to an Ansible playbook that fixes exactly the failing controls on exactly
the failing hosts (remediation as code), and, with --apply, running it safely: a preview in check
mode first, a confirmation, then the change, then a re-scan of the changed hosts.

A bundle travels between agencies and inspectors, so nothing in it is trusted (see
docs/SECURITY.md): which controls fail on which hosts comes from re-evaluating the bundle's
evidence against the inventory the operator names, or from a bundle whose signature verifies
against a registered key; plays target exact host names of that inventory only (never a group, a
pattern or the controller); every text written into the playbook comes from the policy, and is
marked `!unsafe` so that Ansible never templates it."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from pathlib import Path
from textwrap import indent
from typing import Any

import yaml

from . import __version__
from .audit import AuditRequest
from .bundle import Opened, open_bundle
from .checks.context import AuditOptions
from .collection import COLLECTION, role_fqcn, semantic_version
from .errors import Message, UsageError
from .evidence.host_facts import read_evidence_dir
from .evidence.kind import HOST_FACTS
from .gates.addresses import LOCAL_CONNECTIONS, is_this_machine
from .gates.names import is_exact_host
from .gates.sanitize import terminal
from .inputs import unpack
from .inventory import Inventories, Inventory
from .models import Bundle, Status, TargetKind
from .pipeline import Run
from .policy import PolicySet
from .sign import KeyRegistry, verify_opened
from .times import instant
from .yamlsource import LintCleanDumper


@dataclass(frozen=True)
class Fix:
    control: str
    clause: str
    role: str  # fully qualified: egov.audit.remediate_sshd


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
    # when the judged evidence was collected (the bundle's end when it was trusted as signed);
    # a re-evaluated bundle ends when fix ran, which says nothing of the hosts
    evidence_at: str = ""

    @property
    def empty(self) -> bool:
        return not any(self.hosts.values())


# fixes that need a service of the agency's plan: the parameter and the host role that gives it
NEEDS = {"HOST-LOG-01": ("log_collector", "log_collector"), "HOST-TIME-02": ("ntp_servers", "ntp")}

# host variable: controls egov-audit must not fix on this host (its firewall is run by another
# tool, it shares the network stack of a lab machine, ...)
SKIP_VAR = "egov_fix_skip"


def is_controller(name: str, variables: Mapping[str, Any]) -> str:
    """Why an inventory host is the machine egov-audit runs on ("" if it is not): a local
    connection (by any of the plugin's names), or an address or name that is this machine
    (all of 127/8, 0.0.0.0, ::1 and ::, in any IPv6 spelling; localhost and its variants, this
    machine's own names and addresses, a name that resolves to one of them)."""
    connection = str(variables.get("ansible_connection", "")).strip().lower()
    if connection in LOCAL_CONNECTIONS:
        return f"ansible_connection is {connection}"
    return is_this_machine(str(variables.get("ansible_host") or variables.get("ansible_ssh_host")
                               or name))


@dataclass(frozen=True)
class AgencyPlan:
    """What the operator's inventory says that fixes need: the agency's services and management
    networks, its hosts (the only names a play may target), which of them are the controller,
    and per host the controls that must never be fixed there automatically."""
    services: dict[str, Any] = field(default_factory=dict)
    skip: dict[str, frozenset[str]] = field(default_factory=dict)
    hosts: frozenset[str] = frozenset()
    controller: frozenset[str] = frozenset()


def read_agency_plan(inventory: Inventory) -> AgencyPlan:
    """The agency's log collector and time servers (from the inventory's host roles), its
    management networks (from the zones), its hosts and the hosts' `egov_fix_skip` lists."""
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
    controller: set[str] = set()
    for host in inventory.hosts:
        listed = host.vars.get(SKIP_VAR)  # the host schema made it a list of ids
        if isinstance(listed, list):
            skip[host.name] = frozenset(str(c).upper() for c in listed)
        if is_controller(host.name, host.vars):
            controller.add(host.name)
    return AgencyPlan(out, skip, frozenset(h.name for h in inventory.hosts),
                      frozenset(controller))


_SKIPPED = {"vi": f"{SKIP_VAR} của máy chủ này không cho sửa tự động: ",
            "en": f"{SKIP_VAR} of this host keeps it from being fixed automatically: "}
_NO_ROLE = {"vi": "kho máy chủ không có máy nào có vai trò {role}: ",
            "en": "no host with role {role} in the inventory: "}


def _refuse_stale(stamp: str, max_age_days: float | None, now: datetime | None = None) -> None:
    """Host facts older than `max_age_days` no longer say what the host is (None: any age)."""
    if max_age_days is not None and HOST_FACTS.is_stale(stamp, max_age_days, now):
        days = HOST_FACTS.age(stamp, now).total_seconds() / 86400
        raise UsageError(Message("the evidence is {days:.1f} days old (more than "
                                 "{max_age_days:g}): scan again, or allow it with --max-age DAYS",
                                 days=days, max_age_days=max_age_days))


def plan_fixes(bundle: Bundle, policy: PolicySet, agency: AgencyPlan,
               controls: Sequence[str] = (), limit: Sequence[str] = (),
               max_age_days: float | None = HOST_FACTS.max_age_days, now: datetime | None = None,
               lang: str = "en", collected_at: str | None = None,
               allow_controller: bool = False) -> FixPlan:
    """Failing host controls that have a remediation task file, per host; the others are
    listed as manual work. `bundle` holds trusted results (re-evaluated, or signed). Evidence
    older than `max_age_days` (collected at `collected_at`, default the bundle's end) is refused:
    the host may have changed since. A host that is not an exact host of the operator's inventory
    is refused; the controller only with `allow_controller`."""
    now = now or datetime.now(UTC)
    if not bundle.evidence_digests:
        raise UsageError(Message("the bundle holds no assessed host: it was not made from "
                                 "evidence (scan or evaluate first)"))
    _refuse_stale(collected_at or bundle.finished_at, max_age_days, now)
    by_id = {c.id: c for c in policy.controls}
    plan = FixPlan(bundle, services=dict(agency.services),
                   evidence_at=collected_at or bundle.finished_at)

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
        if control is not None and control.remediation_role is not None and \
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
        if control is None or control.remediation_role is None:
            text = control.remediation.get(lang) if control else ""
            if control is not None and control.owner:
                text += f" [{control.owner.get(lang)}"
                text += f"; {control.form.get(lang)}]" if control.form else "]"
            plan.manual.append(Manual(result.control, result.target, text))
            continue
        _check_target(result.target, agency, allow_controller)
        reference = control.baselines.get(bundle.baseline)
        clause = reference.clause.get(lang) if reference else ""
        plan.hosts.setdefault(result.target, []).append(
            Fix(control.id, clause, role_fqcn(control.remediation_role)))
    return plan


def _check_target(host: str, agency: AgencyPlan, allow_controller: bool) -> None:
    """A play's `hosts:` is a pattern: only an exact host of the operator's inventory may be
    one, and the controller only when the operator asks for it."""
    if not is_exact_host(host):
        raise UsageError(Message("the bundle names a host {host!r} that Ansible would read as a "
                                 "pattern of several hosts, a group or the controller: refusing "
                                 "to write a play for it", host=host[:80]))
    if host not in agency.hosts:
        raise UsageError(Message("the bundle names a host {host!r} that the inventory does not "
                                 "declare: refusing to write a play for it", host=host[:80]))
    if host in agency.controller and not allow_controller:
        raise UsageError(Message("host {host!r} is this machine (a local connection, a loopback"
                                 " or own address, or a name of this machine): give "
                                 "--allow-controller to fix it", host=host))


def host_params(policy: PolicySet, baseline: str, level: int) -> dict[str, Any]:
    """Every parameter of the host reference model at this baseline and level, as the controls
    that apply check it: a value the baseline sets otherwise for a control is the one its fix
    writes (a host must end up passing the control, not the model's default)."""
    levels = policy.model("host").get("parameters", {}).get(baseline, {})
    keys = sorted({k for values in levels.values() for k in (values or {})})
    out = {key: policy.param(f"host.{key}", baseline, level) for key in keys}
    for control in policy.select(baseline, level, [TargetKind.HOST]):
        for name, value in control.baselines[baseline].params.items():
            model, _, key = name.partition(".")
            if model == "host":
                out[key] = value
    return out


class Unsafe(str):
    """Text Ansible must never template: written as `!unsafe` (Ansible's own marker). Every
    string of a play that is data (messages, parameters) is one, and every name that could hold
    a template (_name); only the tool's own paths and keywords are plain."""


def _name(text: str) -> str:
    """A play's or task's name: `!unsafe` when it could hold a template (a `{`: every Jinja
    delimiter starts with one), plain otherwise. ansible-lint matches its noqa comments to tasks
    by name, comparing PyYAML's reading with ruamel's, and an `!unsafe` name never matches
    (a traceback per task, "Error in matching skip comment to a task")."""
    return Unsafe(text) if "{" in text else text


def _unsafe(value: Any) -> Any:
    if isinstance(value, str):
        return Unsafe(value)
    if isinstance(value, dict):
        return {key: _unsafe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_unsafe(item) for item in value]
    return value


# the words of a generated playbook (its comments, play and task names: what Ansible prints)
_PLAYBOOK = {
    "vi": {"generated": "# Tạo bởi egov-audit fix từ {source}",
           "about": "# đơn vị {agency}, khung tiêu chuẩn {baseline}, cấp độ {level}, bằng chứng "
                    "lúc {at}",
           "how": "# Chỉ khắc phục các biện pháp không đạt có thể sửa tự động; hãy chạy thử với\n"
                  "# --check --diff trước (egov-audit fix --apply làm việc này).\n"
                  "# Cần collection Ansible {collection} {version}: egov-audit collection build,\n"
                  "# rồi ansible-galaxy collection install <tệp .tar.gz> (fix --apply tự nạp nó).",
           "play": "Khắc phục bởi egov-audit: {host}",
           "apply": "Thực hiện khắc phục {control}",
           "report": "Báo rằng {control} không khắc phục được",
           "not_fixed": "egov-audit: {control} chưa được khắc phục"},
    "en": {"generated": "# Generated by egov-audit fix from {source}",
           "about": "# agency {agency}, baseline {baseline}, level {level}, evidence of {at}",
           "how": "# Fixes only the failing controls that can be fixed automatically; run it "
                  "with\n# --check --diff first (egov-audit fix --apply does).\n"
                  "# Needs the Ansible collection {collection} {version}: egov-audit collection\n"
                  "# build, then ansible-galaxy collection install <its .tar.gz> (fix --apply\n"
                  "# brings its own).",
           "play": "Remediation by egov-audit: {host}",
           "apply": "Apply the remediation of {control}",
           "report": "Report that {control} could not be fixed",
           "not_fixed": "egov-audit: {control} was not fixed"}}


def _task(fix: Fix, words: Mapping[str, str]) -> dict[str, Any]:
    # one block per control: a fix that fails is reported (rescue) and the host's other fixes
    # still run. The role is imported, not included: without the collection the playbook stops
    # before its first task, instead of "rescuing" every fix as not done
    return {"name": _name(f"{fix.control} — {fix.clause}"),
            "block": [{"name": _name(words["apply"].format(control=fix.control)),
                       "ansible.builtin.import_role": {"name": fix.role},
                       "vars": {"egov_control": Unsafe(fix.control)}}],
            "rescue": [{"name": _name(words["report"].format(control=fix.control)),
                        "ansible.builtin.debug": {
                            "msg": Unsafe(words["not_fixed"].format(control=fix.control))}}]}


def _play(host: str, params: Any, tasks: Any, words: Mapping[str, str]) -> dict[str, Any]:
    # the roles bring their own handlers (sshd reloaded once, however many of its controls ran)
    return {"name": _name(words["play"].format(host=host)), "hosts": host,
            "become": True, "gather_facts": True, "gather_subset": ["min"],
            "vars": params, "tasks": tasks}


def _params(plan: FixPlan, policy: PolicySet) -> dict[str, Any]:
    bundle = plan.bundle
    return {"egov_params": _unsafe({**host_params(policy, bundle.baseline, bundle.level),
                                    **plan.services})}


def playbook_data(plan: FixPlan, policy: PolicySet, lang: str = "en") -> list[dict[str, Any]]:
    """The plays: one per host, one task per control (its id and clause as the name)."""
    params = _params(plan, policy)
    words = _PLAYBOOK["vi" if lang == "vi" else "en"]
    return [_play(host, params, [_task(fix, words) for fix in
                                 sorted(plan.hosts[host], key=lambda f: f.control)], words)
            for host in sorted(plan.hosts)]


def _dumper() -> Any:
    class _Plain(LintCleanDumper):
        pass

    def unsafe(dumper: yaml.SafeDumper, value: Unsafe) -> yaml.ScalarNode:
        return dumper.represent_scalar("!unsafe", str(value))

    _Plain.add_representer(Unsafe, unsafe)
    return _Plain


def render_playbook(plan: FixPlan, policy: PolicySet, source: str, lang: str = "en") -> str:
    """The playbook of `playbook_data` as YAML that ansible-lint accepts. The parameters and each
    control's task are the same in every play: they are written once and pasted, which makes a
    playbook for 1,000 hosts about ten times faster to write than dumping every play."""
    dumper = _dumper()
    words = _PLAYBOOK["vi" if lang == "vi" else "en"]

    def dump(data: Any) -> str:
        return yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, width=100)

    def line(value: object) -> str:  # a comment stays one line, whatever it holds
        return " ".join(terminal(str(value), 300).split())

    bundle = plan.bundle
    params_text = "  vars:\n" + indent(dump(_params(plan, policy)), "    ")
    tasks_text: dict[Fix, str] = {}
    body: list[str] = []
    for host in sorted(plan.hosts):
        head = dump([_play(host, "EGOV_PARAMS", "EGOV_TASKS", words)])
        head = head.replace("\n  vars: EGOV_PARAMS\n", "\n" + params_text, 1)
        head, tail = head.split("\n  tasks: EGOV_TASKS\n", 1)
        body.append(head + "\n  tasks:\n")
        for fix in sorted(plan.hosts[host], key=lambda f: f.control):
            if fix not in tasks_text:
                tasks_text[fix] = indent(dump([_task(fix, words)]), "    ")
            body.append(tasks_text[fix])
        body.append(tail)
    header = (words["generated"].format(source=line(source)) + "\n"
              + words["about"].format(agency=line(bundle.agency.code),
                                      baseline=line(bundle.baseline), level=bundle.level,
                                      at=line(plan.evidence_at or bundle.finished_at)) + "\n"
              + words["how"].format(collection=COLLECTION,
                                    version=semantic_version(__version__)) + "\n")
    return header + "---\n" + "".join(body)


# -- where the results come from --------------------------------------------------------------
@dataclass(frozen=True)
class FixRequest:
    bundle: Path
    inventory: Path | None = None  # the operator's; None: the one the bundle names (said so)
    evidence: Path | None = None  # the bundle's evidence; None: packed in it, or evidence/<code>
    keys: Path | None = None  # a key registry: trust a signed bundle's results as they are
    controls: tuple[str, ...] = ()
    limit: tuple[str, ...] = ()
    max_age_days: float | None = HOST_FACTS.max_age_days
    lang: str = "en"
    allow_controller: bool = False


@dataclass(frozen=True)
class PreparedFix:
    plan: FixPlan
    inventory: Path  # the inventory the plays run against
    evidence: Path | None  # where a re-scan writes
    notices: tuple[str, ...]  # what the operator must know (one line each, in `lang`)
    # the inventories as this fix read them: the re-scan reads none again
    inventories: Inventories | None = field(default=None, compare=False)


_NOTICES = {
    "inventory_from_bundle": {
        "vi": "dùng kho máy chủ do gói kết quả ghi: {path} (chỉ định bằng --inventory)",
        "en": "using the inventory the bundle names: {path} (choose one with --inventory)"},
    "signed": {"vi": "kết quả lấy từ gói đã ký, chữ ký hợp lệ ({key})",
               "en": "results taken from the signed bundle, signature valid ({key})"},
    "reevaluated": {"vi": "kết quả được đánh giá lại từ bằng chứng: {path}",
                    "en": "results re-evaluated from the evidence: {path}"},
    "packed": {"vi": "kết quả được đánh giá lại từ bằng chứng đóng gói trong gói kết quả",
               "en": "results re-evaluated from the evidence packed in the bundle"},
    "unconfirmed": {
        "vi": "{count} kết quả không đạt mà gói ghi không được bằng chứng xác nhận, bỏ qua: "
              "{items}",
        "en": "{count} failures the bundle claims are not confirmed by its evidence, ignored: "
              "{items}"},
    "changed": {
        "vi": "bằng chứng của {count} máy chủ đã thay đổi kể từ khi lập gói: {items}",
        "en": "the evidence of {count} hosts changed since the bundle was made: {items}"},
}


def _notice(which: str, lang: str, **values: object) -> str:
    text = _NOTICES[which]["vi" if lang == "vi" else "en"]
    return text.format(**{k: terminal(str(v), 300) for k, v in values.items()})


def prepare(request: FixRequest, policy: PolicySet) -> PreparedFix:
    """Read the bundle through its gate, decide which results to trust, and plan the fixes."""
    opened = open_bundle(request.bundle)
    claimed = opened.bundle
    notices: list[str] = []
    inventory_path = request.inventory
    if inventory_path is None:
        inventory_path = Path(claimed.inventory or "")
        notices.append(_notice("inventory_from_bundle", request.lang, path=inventory_path))
    if not str(inventory_path) or not inventory_path.is_dir():
        raise UsageError(Message("no inventory directory {inventory_path!r}: give --inventory",
                                 inventory_path=str(inventory_path)))
    inventories = Inventories(set(policy.model("network")["roles"]))
    inventory = inventories.get(inventory_path)
    code = inventory.agency.code
    if claimed.agency.code != code:
        raise UsageError(Message("the bundle is agency {data!r}'s, the inventory agency "
                                 "{code!r}'s", data=claimed.agency.code, code=code),
                         file=str(request.bundle))
    _refuse_stale(claimed.finished_at, request.max_age_days)  # before any work: cheap and clear
    baseline = policy.baseline_named(claimed.baseline)
    if baseline is None:
        raise UsageError(Message("the bundle's baseline {baseline!r} is not one of this policy's "
                                 "({value})", baseline=claimed.baseline,
                                 value=', '.join(sorted(policy.baselines))))
    if baseline.id != claimed.baseline:  # a bundle made before its baseline was renamed
        notices.append(terminal(baseline.renamed_notice(claimed.baseline, str(request.bundle))
                                .get(request.lang), 600))
    collected_at: str | None = None
    evidence_dir = request.evidence
    if request.keys is not None:
        verified = verify_opened(opened, KeyRegistry.from_dir(request.keys))
        trusted = replace(claimed, baseline=baseline.id)
        notices.append(_notice("signed", request.lang, key=verified.key_id))
    else:
        trusted, collected_at = _reevaluate(request, opened, inventory_path,
                                            Run(AuditRequest([inventory_path]), policy,
                                                inventories), notices)
    if evidence_dir is None:
        evidence_dir = Path("evidence") / code
    plan = plan_fixes(trusted, policy, read_agency_plan(inventory), request.controls,
                      request.limit, request.max_age_days, lang=request.lang,
                      collected_at=collected_at, allow_controller=request.allow_controller)
    return PreparedFix(plan, inventory_path, evidence_dir, tuple(notices), inventories)


def _reevaluate(request: FixRequest, opened: Opened, inventory: Path, loaded: Run,
                notices: list[str]) -> tuple[Bundle, str | None]:
    """The bundle's results, recomputed from its evidence against the operator's inventory:
    a forged or edited bundle cannot add a single fix."""
    claimed = opened.bundle
    options = AuditOptions.from_dict(dict(claimed.options))
    audit = AuditRequest([inventory], baseline=claimed.baseline, level=claimed.level,
                         options=options)
    with tempfile.TemporaryDirectory(prefix="egov-audit-fix-") as work:
        evidence = request.evidence
        packed = (opened.inputs or {}).get("evidence")
        from_bundle = evidence is None and bool(packed)
        if from_bundle:
            _, evidence = unpack({"evidence": packed}, Path(work))
        if evidence is None:
            evidence = Path("evidence") / claimed.agency.code
        if not evidence.is_dir():
            raise UsageError(Message("no evidence folder {evidence!r}: fix re-evaluates the "
                                     "evidence the bundle was made from (--evidence DIR), or "
                                     "trusts a signed bundle (--keys DIR)",
                                     evidence=str(evidence)))
        found = read_evidence_dir(evidence)
        run = Run(audit, loaded.policy, loaded.inventories)
        trusted = run.evaluate(evidence, found).bundles[0]
        notices.append(_notice("packed", request.lang) if from_bundle else
                       _notice("reevaluated", request.lang, path=evidence))
    changed = sorted(h for h, digest in claimed.evidence_digests.items()
                     if h in found and found[h].digest != digest)
    if changed:
        notices.append(_notice("changed", request.lang, count=len(changed),
                               items=", ".join(changed[:10])))
    confirmed = {(r.control, r.target) for r in trusted.results if r.status is Status.FAIL}
    unconfirmed = sorted({(r.control, r.target) for r in claimed.results
                          if r.status is Status.FAIL and r.target_kind is TargetKind.HOST}
                         - confirmed)
    if unconfirmed:
        notices.append(_notice("unconfirmed", request.lang, count=len(unconfirmed),
                               items=", ".join(f"{c} {t}" for c, t in unconfirmed[:10])))
    stamps = [e.collected_at for e in found.values() if e.collected and e.collected_at]
    return trusted, min(stamps, key=instant) if stamps else None  # the schema required zones
