"""What a named check receives (the context) and returns (findings), and their registry."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from ..models import EvidenceStatus, Location, Status, TargetKind, Text
from ..network.kinds import DEVICE_CONFIG

if TYPE_CHECKING:
    from ..evidence.kind import EvidenceKind
    from ..evidence.model import HostEvidence
    from ..inventory import Inventory
    from ..inventory.model import Host
    from ..network.registry import Registry
    from ..policy import Control, PolicySet

E = TypeVar("E")


NOT_DECLARED = Text("chưa khai báo", "not declared")


@dataclass(frozen=True)
class AuditOptions:
    """Choices of the auditor that change verdicts (and are recorded in the bundle)."""

    # Sample inventories use documentation ranges (RFC 5737/3849/5398); a demo may count them as
    # public. The report says so loudly.
    documentation_as_public: bool = False
    # an auditor's method may demand written settings: a host setting left to the compiled-in
    # default then fails ("relies on the default") even when the default is good enough
    require_explicit: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"documentation_as_public": self.documentation_as_public,
                "require_explicit": self.require_explicit}

    @classmethod
    def from_dict(cls, data: Any) -> AuditOptions:
        """The options a bundle was made with (unknown or malformed values are off)."""
        data = data if isinstance(data, Mapping) else {}
        return cls(data.get("documentation_as_public") is True,
                   data.get("require_explicit") is True)


@dataclass(frozen=True)
class Finding:
    """One verdict of a check on one target, before the control's metadata is attached."""

    target: str
    target_kind: TargetKind
    status: Status
    message: Text
    expected: Text | str = ""  # a plain str is language-neutral data (values, prefixes, names)
    observed: Text | str = ""
    locations: tuple[Location, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "expected", Text.of(self.expected))
        object.__setattr__(self, "observed", Text.of(self.observed))


@dataclass(frozen=True)
class Verdicts:
    """Findings on one target against one expectation, each said in both languages:
    `net = Verdicts("network", NET, expected)`, then `net.failed("vi...", "en...", observed,
    where)`. Checks say what they found; the Finding is built here."""

    target: str
    kind: TargetKind
    expected: Text | str = ""

    def _finding(self, status: Status, vi: str, en: str, observed: Text | str,
                 where: Iterable[Location]) -> Finding:
        return Finding(self.target, self.kind, status, Text(vi, en), self.expected, observed,
                       tuple(dict.fromkeys(where)))  # each place once

    def passed(self, vi: str, en: str, observed: Text | str = "",
               where: Iterable[Location] = ()) -> Finding:
        return self._finding(Status.PASS, vi, en, observed, where)

    def failed(self, vi: str, en: str, observed: Text | str = "",
               where: Iterable[Location] = ()) -> Finding:
        return self._finding(Status.FAIL, vi, en, observed, where)

    def not_applicable(self, vi: str, en: str, observed: Text | str = "",
                       where: Iterable[Location] = ()) -> Finding:
        return self._finding(Status.NOT_APPLICABLE, vi, en, observed, where)

    def not_assessed(self, vi: str, en: str, observed: Text | str = "",
                     where: Iterable[Location] = ()) -> Finding:
        return self._finding(Status.NOT_ASSESSED, vi, en, observed, where)


@dataclass
class CheckContext:
    """One agency under audit at one baseline and level."""

    inventory: Inventory
    policy: PolicySet
    baseline: str
    level: int
    options: AuditOptions = field(default_factory=AuditOptions)
    # what each evidence kind gave this run, by the kind's name (egov_audit/kinds.py): host
    # facts by host (scan, evaluate; judged a pass of hosts at a time), device configurations,
    # the registry's statistics, facility readings, portal probes. A kind that is absent was not
    # given: the controls that read it do not run (validate contacts no host)
    found: Mapping[str, Any] = field(default_factory=dict)
    # the hosts that controls of target kind `host` judge in this pass (None: every host of the
    # inventory); a large agency is judged a few hundred hosts at a time (audit.evaluate)
    hosts: Sequence[Host] | None = None
    cache: dict[str, Any] = field(default_factory=dict, repr=False)  # derived once per audit
    notices: tuple[Text, ...] = ()  # what the report says of how the agency was read

    def of(self, kind: EvidenceKind[E]) -> E | None:
        """What this run has of an evidence kind (None: not given)."""
        found: E | None = self.found.get(kind.name)
        return found

    def with_found(self, kind: EvidenceKind[E], value: E | None) -> None:
        """Set (or, with None, drop) what the run has of a kind."""
        found = {k: v for k, v in self.found.items() if k != kind.name}
        if value is not None:
            found[kind.name] = value
        self.found = found

    @property
    def judged_hosts(self) -> Sequence[Host]:
        """The hosts a control of target kind `host` judges: each host alone, never by
        comparing it with other hosts (so that an agency can be judged in parts)."""
        return self.inventory.hosts if self.hosts is None else self.hosts

    def param(self, name: str, control: Control) -> Any:
        """The parameter's value at this baseline and level, as the baseline sets it for
        `control` (a baseline may set a parameter otherwise for one control)."""
        return self.policy.param(name, self.baseline, self.level, control)

    @property
    def network_target(self) -> str:
        return "network"


@dataclass
class NationalContext:
    """Several agencies audited together (checks of target kind `national`)."""

    agencies: Sequence[CheckContext]
    policy: PolicySet
    options: AuditOptions = field(default_factory=AuditOptions)
    registry: Registry | None = None  # one statistics file for every agency, when there is one


CheckFn = Callable[[Any, "Control", Mapping[str, Any]], list[Finding]]


@dataclass(frozen=True)
class NamedCheck:
    """Check logic registered under a name a policy's control can use (`check.named`)."""

    name: str
    target: TargetKind
    fn: CheckFn
    doc: str
    # what it requires, for the requirement matrix: {name} is filled in with each parameter's
    # value (by its name without the model) and each argument's
    requires: Text
    # the evidence kinds it reads, by name: it runs only when the run has each of them
    reads: frozenset[str] = frozenset()
    # JSON Schema of each argument a policy may give (`check.args`); all are required unless
    # they have a default, and no other argument is accepted: a typo is a load-time error
    args: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    params: tuple[str, ...] = ()  # the reference-model parameters it reads

    def arguments(self, given: Mapping[str, Any] | None) -> dict[str, Any]:
        """The arguments a control's check runs with: what the policy gives, else the default."""
        return {**self.defaults, **(given or {})}


NAMED_CHECKS: dict[str, NamedCheck] = {}


def named_check(name: str, target: TargetKind, requires: Text, *,
                reads: Sequence[EvidenceKind[Any]] = (),
                args: Mapping[str, Mapping[str, Any]] | None = None,
                defaults: Mapping[str, Any] | None = None,
                params: Sequence[str] = ()) -> Callable[[CheckFn], CheckFn]:
    """Register structural check logic under a name that policies can use."""

    def wrap(fn: CheckFn) -> CheckFn:
        if name in NAMED_CHECKS:
            raise RuntimeError(f"named check {name} registered twice")
        NAMED_CHECKS[name] = NamedCheck(name, target, fn, (fn.__doc__ or "").strip(),
                                        requires, frozenset(k.name for k in reads),
                                        dict(args or {}),
                                        dict(defaults or {}), tuple(params))
        return fn

    return wrap


def not_assessed_host(host: str, evidence: HostEvidence | None) -> Finding:
    """The verdict on a host the scan could not assess: unreachable, failed, no evidence."""
    if evidence is None:
        return Finding(host, TargetKind.HOST, Status.NOT_ASSESSED,
                       Text("Không có dữ liệu thu thập từ máy chủ này.",
                            "No evidence was collected from this host."),
                       observed=Text("không có dữ liệu", "no evidence"))
    reason = evidence.reason or evidence.status
    what = Text("không kết nối được", "unreachable") \
        if evidence.status is EvidenceStatus.UNREACHABLE \
        else Text("thu thập thất bại", "collection failed")
    return Finding(host, TargetKind.HOST, Status.NOT_ASSESSED,
                   Text(f"Không đánh giá được: {what.vi} ({reason}).",
                        f"Not assessed: {what.en} ({reason})."),
                   observed=Text(f"{what.vi}: {reason}", f"{what.en}: {reason}"))


def not_assessed_devices(ctx: CheckContext) -> list[Finding]:
    """The verdicts on declared devices whose configuration could not be judged: no backup of
    it, or a backup that could not be read or parsed (the reason says which)."""
    out = []
    devices = ctx.of(DEVICE_CONFIG) or {}
    for device in ctx.inventory.devices:
        found = devices.get(device.name)
        if found is not None and found.collected:
            continue
        reason = Text("không có bản cấu hình của thiết bị này",
                      "no configuration of this device was given") if found is None \
            else Text(f"không dùng được bản cấu hình: {found.reason}",
                      f"its configuration could not be used: {found.reason}")
        out.append(Finding(device.name, TargetKind.DEVICE, Status.NOT_ASSESSED,
                           Text(f"Không đánh giá được: {reason.vi}.",
                                f"Not assessed: {reason.en}."), observed=reason))
    return out


def cap_list(items: Sequence[str], limit: int = 20) -> str:
    """Join at most `limit` items; say how many more there are."""
    shown = "; ".join(items[:limit])
    if len(items) > limit:
        shown += f"; … (+{len(items) - limit})"
    return shown
