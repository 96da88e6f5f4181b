"""The facade: load -> (collect) -> evaluate -> score. The CLI and the tests go through here."""

from __future__ import annotations

import gc
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .checks.context import AuditOptions, CheckContext, NationalContext
from .checks.evaluate import evaluate_agency, evaluate_national
from .checks.vocabulary import load_catalogue
from .errors import EgovAuditError, InventoryError, Message, UsageError
from .evidence.kind import HOST_FACTS, Sources
from .inventory import Inventories, Inventory
from .inventory.model import (
    Portal,
    locate,
)
from .kinds import EVIDENCE_KINDS
from .models import (
    Bundle,
    ControlInfo,
    NationalResults,
    Result,
    ResultSet,
    Target,
    TargetKind,
    Text,
)
from .network.kinds import DEVICE_CONFIG, REGISTRY_FILE, VRP_FILE
from .policy import PolicySet
from .portal.kind import PORTAL_PROBE
from .score import ScoreTally, compute_scores
from .sinks import JudgedPart, KeptResults, ResultSink, StreamedBundle, judged_part
from .waivers import DEFAULT_PATH as DEFAULT_WAIVERS
from .waivers import LEGACY_PATH as LEGACY_WAIVERS
from .waivers import WaiverLedger, find_waivers, load_waivers
from .workers import default_workers, in_order

if TYPE_CHECKING:
    from .collect.interface import (
        CollectionReport,
        CollectOptions,
        Collector,
        ProgressFn,
    )
    from .evidence.host_facts import EvidenceFolder
    from .evidence.model import HostEvidence
    from .network.registry import Registry
    from .portal.probe import ProbeOptions

# what the probe reports as each portal is done: agency code, portal, its bundle
PortalProgress = Callable[[str, str, dict[str, Any]], None]


@dataclass(frozen=True)
class AuditRequest:
    """What to audit and against what: inventories, baseline and level, options, inputs."""

    inventories: Sequence[Path]
    baseline: str | None = None  # override the agency's declared baseline
    level: int | None = None  # override the agency's declared level
    options: AuditOptions = field(default_factory=AuditOptions)
    policies_dir: Path | None = None
    models_dir: Path | None = None
    waivers: Path | None = None  # default: <inventory>/.egov-audit/waivers.yml when it exists
    today: date | None = None  # for waiver expiry (default: today)
    # a folder of router/firewall configuration backups (Oxidized, RANCID, <device>.cfg)
    device_configs: Path | None = None
    # the registry's delegation statistics (delegated-apnic-extended-latest), for every
    # inventory; without it, an inventory's own network.registry_file
    registry_file: Path | None = None
    # validated ROA payloads (rpki-client's or Routinator's JSON), for every inventory; without
    # it, an inventory's own network.vrp_file
    vrp_file: Path | None = None
    # processes that judge an agency's hosts, a pass each (None: one per core)
    workers: int | None = None

    def given(self) -> dict[str, Path]:
        """The evidence the command line gave, by the name of its kind."""
        files = {DEVICE_CONFIG.name: self.device_configs, REGISTRY_FILE.name: self.registry_file,
                 VRP_FILE.name: self.vrp_file}
        return {name: path for name, path in files.items() if path is not None}


# the kinds a scan collects (those with a collector), and the one a probe does
SCANNED = frozenset(kind.name for kind in EVIDENCE_KINDS.values() if kind.collector is not None)
PROBED = frozenset({PORTAL_PROBE.name})


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _context(inventory: Inventory, policy: PolicySet, request: AuditRequest) -> CheckContext:
    name = request.baseline or inventory.agency.baseline
    baseline = policy.baseline_named(name)
    if baseline is None or baseline.id != name:
        where = locate(inventory.agency_source, ("baseline",))
    if baseline is None:
        known = ", ".join(sorted(policy.baselines))
        if request.baseline:
            raise UsageError(Message("unknown baseline {baseline!r} (known: {known})",
                                     baseline=name, known=known))
        raise InventoryError(Message("unknown baseline {baseline!r} (known: {known})",
                                     baseline=name, known=known), file=where.file,
                             line=where.line, column=where.column, path="agency.baseline")
    # a renamed baseline's former id (an inventory, a stored bundle rescored or fixed) is
    # judged as the baseline it now is, and the report says so
    notices = () if baseline.id == name else (baseline.renamed_notice(
        name, "--baseline" if request.baseline else f"{where.file}:{where.line}"),)
    level = request.level or inventory.agency.level
    return CheckContext(inventory, policy, baseline.id, level, request.options,
                        notices=notices)


def _targets(inventory: Inventory, found: Mapping[str, Any]) -> tuple[Target, ...]:
    """The agency, its network and rooms, then each evidence kind's targets: what collecting
    gave, or (a kind not given) what the inventory declares."""
    targets = [Target(inventory.agency.code, TargetKind.AGENCY),
               Target("network", TargetKind.NETWORK)]
    targets += [Target(f"room:{r.id}", TargetKind.SERVER_ROOM) for r in inventory.server_rooms]
    for kind in EVIDENCE_KINDS.values():
        targets += kind.targets(inventory, found.get(kind.name))
    return tuple(targets)


def _evidence_notices(inventory: Inventory, found: Mapping[str, Any],
                      today: date | None) -> tuple[Text, ...]:
    out: tuple[Text, ...] = ()
    for kind in EVIDENCE_KINDS.values():
        if kind.notices is not None and found.get(kind.name) is not None:
            out += kind.notices(inventory, found[kind.name], today)
    return out


def _national_registry(contexts: Sequence[CheckContext]) -> Registry | None:
    """One file for every agency: the run's, or the one all the inventories name."""
    found = {id(file): file for file in (ctx.of(REGISTRY_FILE) for ctx in contexts)}
    if len(found) == 1:
        return next(iter(found.values()))
    return None


def _notices(options: AuditOptions) -> tuple[Text, ...]:
    if options.documentation_as_public:
        return (Text("CHẾ ĐỘ MINH HỌA: địa chỉ và ASN dành cho tài liệu (RFC 5737, 3849, 5398) "
                     "được tính như tài nguyên công cộng.",
                     "DEMO MODE: documentation addresses and ASNs (RFC 5737, 3849, 5398) are "
                     "counted as public resources."),)
    return ()


def _waiver_ledger(request: AuditRequest, inventory: Inventory, policy: PolicySet,
                   targets: Callable[[], Sequence[Target]]) -> WaiverLedger:
    """The agency's waivers, ready to apply; `targets` (what they may name) is only listed when
    there are waivers: for tens of thousands of hosts it is not free."""
    today = request.today or date.today()
    if request.waivers is not None:
        path, display = request.waivers, str(request.waivers)
    else:
        relative = find_waivers(inventory.root)
        if relative is None:
            return WaiverLedger([], today)
        path, display = inventory.root / relative, str(Path(inventory.display) / relative)
    return WaiverLedger(load_waivers(path, display, {c.id for c in policy.controls},
                                     {t.id for t in targets()}), today)


def _waivers_place_notice(request: AuditRequest, inventory: Inventory) -> tuple[Text, ...]:
    if request.waivers is not None or find_waivers(inventory.root) != LEGACY_WAIVERS:
        return ()
    return (Text(f"Các ngoại lệ đang nằm ở {LEGACY_WAIVERS}: Ansible đọc thư mục đó như một "
                 f"nguồn kho máy chủ; hãy chuyển sang {DEFAULT_WAIVERS}.",
                 f"The waivers are in {LEGACY_WAIVERS}: Ansible reads that folder as an "
                 f"inventory source; move them to {DEFAULT_WAIVERS}."),)


def _waiver_notices(record: Sequence[Mapping[str, Any]]) -> tuple[Text, ...]:
    expired = [w for w in record if w["state"] == "expired"]
    if not expired:
        return ()
    names = ", ".join(f"{w['control']} ({w['expires']})" for w in expired)
    return (Text(f"{len(expired)} ngoại lệ đã hết hạn, không được áp dụng: {names}.",
                 f"{len(expired)} waivers have expired and were not applied: {names}."),)


def _infos(policy: PolicySet, ids: Collection[str]) -> dict[str, ControlInfo]:
    return {c.id: c.info() for c in policy.controls if c.id in ids}


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Loading builds millions of small objects that all stay alive (the YAML node trees are kept
    to locate findings); the cyclic collector would rescan them again and again for nothing (3x
    slower on a national plan). Nothing here builds cycles that need collecting."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _loader(policy: PolicySet, inventories: Inventories | None) -> Inventories:
    """The run's inventories (read once each), or a new reader for them."""
    return inventories or Inventories(set(policy.model("network")["roles"]))


def validate(request: AuditRequest, policy: PolicySet | None = None,
             inventories: Inventories | None = None) -> ResultSet:
    """Audit inventories from what they declare, with no host contacted."""
    with _gc_paused():
        return _audit(request, policy, inventories=inventories)


def evaluate(request: AuditRequest, evidence_dir: Path, policy: PolicySet | None = None,
             evidence: Mapping[str, HostEvidence] | None = None,
             inventories: Inventories | None = None) -> ResultSet:
    """Audit one inventory with the evidence collected from its hosts (offline, re-runnable).
    `evidence`: the folder already read (by a caller that needed it too)."""
    kept = KeptResults()
    bundle, _ = _evaluate(request, evidence_dir, policy, evidence, kept, inventories)
    return ResultSet((replace(bundle, results=tuple(kept.results)),), None)


def evaluate_into(request: AuditRequest, evidence_dir: Path, output: Path,
                  inputs: Sequence[Path] = (), policy: PolicySet | None = None,
                  inventories: Inventories | None = None) -> ScoreTally:
    """`evaluate`, its result bundle written to `output` as the results are made: an agency of
    tens of thousands of hosts in bounded memory (a few hundred hosts' facts and results at a
    time). The tally says what failed, for --fail-on."""
    from .gates.fileout import open_output  # writes files: not loaded by a cold validate

    with open_output(output, inputs=inputs) as out:
        streamed = StreamedBundle(out)
        bundle, tally = _evaluate(request, evidence_dir, policy, None, streamed, inventories)
        streamed.close(bundle)
    return tally


def _evaluate(request: AuditRequest, evidence_dir: Path, policy: PolicySet | None,
              evidence: Mapping[str, HostEvidence] | None, sink: ResultSink,
              inventories: Inventories | None = None) -> tuple[Bundle, ScoreTally]:
    from .evidence.host_facts import EvidenceFolder  # readers: only with evidence

    if len(request.inventories) != 1:
        raise UsageError(Message("evaluate takes one inventory and its evidence directory"))
    folder = EvidenceFolder(evidence_dir, evidence)
    with _gc_paused():
        policy = policy or load_catalogue(request.policies_dir, request.models_dir)
        [ctx] = _contexts(request, policy, [evidence_dir], SCANNED, inventories)
        return _judge(request, policy, ctx, sink, folder)


def reevaluate(request: AuditRequest, evidence_dir: Path | None,
               policy: PolicySet | None = None,
               inventories: Inventories | None = None) -> ResultSet:
    """An audit again from the inputs it was made from: the declared plan alone (validate), with
    the portals a probe saw (probe), or with the hosts' evidence (scan, evaluate)."""
    if evidence_dir is None:
        return validate(request, policy, inventories)
    hosts = HOST_FACTS.read(evidence_dir)
    portals = _portal_evidence(evidence_dir)
    if not hosts and portals is not None:  # a probe: the hosts were never contacted
        with _gc_paused():
            return _audit(request, policy, [evidence_dir], PROBED, inventories)
    return evaluate(request, evidence_dir, policy, hosts, inventories)


def _portal_evidence(evidence_dir: Path) -> dict[str, HostEvidence] | None:
    """The portals probed into an evidence folder (None: no probe there)."""
    from .portal.evidence import PORTALS_DIR  # with the probe's module: only with a folder

    return PORTAL_PROBE.read(evidence_dir) if (evidence_dir / PORTALS_DIR).is_dir() else None


def portal_evidence_dir(root: Path, agency: str, several: bool) -> Path:
    """Where one agency's probe evidence goes: the folder itself, or one folder per agency."""
    return root / agency if several else root


def probe(request: AuditRequest, evidence_root: Path, options: ProbeOptions,
          progress: PortalProgress | None = None, policy: PolicySet | None = None,
          inventories: Inventories | None = None) -> ResultSet:
    """Probe the declared portals of each inventory from outside (no host is contacted), write
    one portal bundle each as soon as it is probed, then evaluate the declared plan with them.
    With several inventories: one evidence folder per agency, and the national checks."""
    policy = policy or load_catalogue(request.policies_dir, request.models_dir)
    inventories = _loader(policy, inventories)
    loaded = [inventories.get(path) for path in request.inventories]
    several = len(loaded) > 1
    folders = [portal_evidence_dir(evidence_root, i.agency.code, several) for i in loaded]
    probe_portals(loaded, folders, options, progress)
    with _gc_paused():
        return _audit(request, policy, folders, PROBED, inventories)


def probe_portals(inventories: Sequence[Inventory], folders: Sequence[Path],
                  options: ProbeOptions, progress: PortalProgress | None = None) -> None:
    """Probe every declared portal of the inventories (all at once, `options.concurrency` at
    a time), each bundle written into its agency's folder as soon as it is probed."""
    # DNS, TLS and HTTP clients: only when portals are probed
    from .portal.evidence import write_portal_bundle
    from .portal.probe import probe_all

    owners: dict[int, tuple[str, Path]] = {}
    queue: list[Portal] = []
    for inventory, folder in zip(inventories, folders, strict=True):
        for portal in inventory.network.portals:
            owners[id(portal)] = (inventory.agency.code, folder)
            queue.append(portal)

    def done(portal: Portal, bundle: dict[str, Any]) -> None:
        code, folder = owners[id(portal)]
        write_portal_bundle(folder, bundle)
        if progress is not None:
            progress(code, portal.name, bundle)

    probe_all(queue, options, done)


def scan(request: AuditRequest, evidence_dir: Path, options: CollectOptions,
         collector: Collector | None = None, progress: ProgressFn | None = None,
         policy: PolicySet | None = None, portals: ProbeOptions | None = None,
         portal_progress: PortalProgress | None = None,
         inventories: Inventories | None = None) -> tuple[ResultSet, CollectionReport]:
    """Collect evidence from the inventory's hosts, then evaluate everything on it."""
    policy = policy or load_catalogue(request.policies_dir, request.models_dir)
    inventories = _loader(policy, inventories)
    report = collect_evidence(request, evidence_dir, options, collector, progress, policy,
                              portals, portal_progress, inventories)
    return evaluate(request, evidence_dir, policy, inventories=inventories), report


def collect_evidence(request: AuditRequest, evidence_dir: Path, options: CollectOptions,
                     collector: Collector | None = None, progress: ProgressFn | None = None,
                     policy: PolicySet | None = None, portals: ProbeOptions | None = None,
                     portal_progress: PortalProgress | None = None,
                     inventories: Inventories | None = None) -> CollectionReport:
    """A scan's collection: the evidence of the inventory's hosts (and of its portals, with
    `portals`) in `evidence_dir`, for `evaluate` or `evaluate_into`."""
    # what only a scan needs (the collectors, host selection): a cold validate loads none of it
    from .collect.collectors import COLLECTORS
    from .collect.selection import remote_groups, select_hosts

    if len(request.inventories) != 1:
        raise UsageError(Message("scan takes one inventory"))
    policy = policy or load_catalogue(request.policies_dir, request.models_dir)
    inventory = _loader(policy, inventories).get(request.inventories[0])
    hosts = select_hosts(inventory, options.limit)
    if not hosts:
        raise UsageError(Message("--limit {limit!r} matches no host of the inventory",
                                 limit=options.limit))
    if collector is None:
        assert HOST_FACTS.collector is not None
        collector = COLLECTORS[HOST_FACTS.collector]()
    device_names = {device.name for device in inventory.devices}
    facility_names = {device.name for device in inventory.facility_devices}
    options = replace(options, devices=tuple(h for h in hosts if h in device_names),
                      facility=tuple(h for h in hosts if h in facility_names),
                      remote=remote_groups(inventory, hosts))
    report = collector.collect(inventory.root, hosts, evidence_dir, options, progress)
    if portals is not None:  # the same evidence folder: evaluate reads both
        probe_portals([inventory], [evidence_dir], portals, portal_progress)
    return report


# how many hosts' facts (and results) are held at once while an agency's hosts are judged
HOSTS_PER_PASS = 256


def _judge(request: AuditRequest, policy: PolicySet, ctx: CheckContext, sink: ResultSink,
           folder: EvidenceFolder | None = None) -> tuple[Bundle, ScoreTally]:
    """Judge one agency into `sink`. With evidence (`folder`), the controls of target kind `host`
    run a pass of HOSTS_PER_PASS hosts at a time, whose facts are read for the pass and dropped
    after it; every other control then runs once, on what the passes kept of each host: its
    status and digest. Returns the bundle without its results, and its scores' tally."""
    inventory = ctx.inventory
    started = _now()
    ledger = _waiver_ledger(request, inventory, policy, lambda: _targets(inventory, ctx.found))
    # a profile's controls the baseline does not require: judged beside it, scored apart
    beside = frozenset(c.id for c in policy.controls
                       if policy.beside(ctx.baseline, ctx.level, c) is not None)
    tally = ScoreTally(policy.weights, beside)
    judged: set[str] = set()
    head = Bundle(agency=inventory.agency, baseline=ctx.baseline, level=ctx.level,
                  policy_digest=policy.digest, policy_version=policy.version,
                  tool_version=__version__, started_at=started, finished_at=started,
                  targets=(), results=(), scores=tally.scores(), controls={},
                  inventory=inventory.display, options=request.options.to_dict())
    per_host = sum(1 for c in policy.controls if c.target is TargetKind.HOST
                   and (c.applies(ctx.baseline, ctx.level) or c.id in beside))
    sink.start(head, len(inventory.hosts) * per_host + len(policy.controls))

    def part_of(results: Sequence[Result]) -> JudgedPart:
        return judged_part(results, ledger, sink, ScoreTally(policy.weights, beside))

    def add(part: JudgedPart) -> None:
        sink.add(part.prepared)
        tally.merge(part.tally)
        ledger.merge(part.waived)
        judged.update(part.controls)

    if folder is None:
        add(part_of(evaluate_agency(ctx, policy.controls)))
    else:
        kept: dict[str, HostEvidence] = {}
        hosts = inventory.hosts

        def judge_pass(first: int) -> tuple[JudgedPart, dict[str, HostEvidence]]:
            part = hosts[first:first + HOSTS_PER_PASS]
            found = folder.hosts(host.name for host in part)
            results = evaluate_agency(replace(ctx, found={**ctx.found, HOST_FACTS.name: found},
                                              hosts=part, cache={}), policy.controls,
                                      hosts=True)
            return part_of(results), {name: e.without_facts() for name, e in found.items()}

        # the passes over every core, made ready for the sink there (a bundle's rows as text),
        # added up here in the order of the passes: the same bundle, byte for byte, as one
        # process writes
        workers = request.workers or default_workers()
        for judged_pass, statuses in in_order(judge_pass, range(0, len(hosts), HOSTS_PER_PASS),
                                              workers):
            add(judged_pass)
            kept.update(statuses)
        others = folder.others({host.name for host in hosts})
        kept.update((name, e.without_facts()) for name, e in others.items())
        ctx.with_found(HOST_FACTS, kept)
        add(part_of(evaluate_agency(ctx, policy.controls, hosts=False)))

    record = ledger.record()
    notices = (ctx.notices + _notices(request.options) + _waiver_notices(record)
               + _waivers_place_notice(request, inventory)
               + _evidence_notices(inventory, ctx.found, request.today))
    end = replace(head, finished_at=_now(),
                  targets=_targets(inventory, ctx.found),
                  scores=tally.scores(), controls=_infos(policy, judged), notices=notices,
                  waivers=tuple(record),
                  evidence_digests={name: digest for kind in EVIDENCE_KINDS.values()
                                    for name, digest in kind.digests(
                                        ctx.found.get(kind.name)).items()})
    return end, tally


def _contexts(request: AuditRequest, policy: PolicySet,
              folders: Sequence[Path | None] | None = None,
              collected: frozenset[str] = frozenset(),
              inventories: Inventories | None = None,
              refused: list[EgovAuditError] | None = None) -> list[CheckContext]:
    """Each inventory's check context, with what each evidence kind has for it. `folders`:
    each inventory's evidence folder (None: validate); `collected`: the kinds the run, or the
    scan that made the folder, collected (host facts are then read pass by pass: see _judge).
    `refused`: with several inventories, one that cannot be read is put there and the others go
    on (a national check judges every one)."""
    if not request.inventories:
        raise UsageError(Message("no inventory given"))
    inventories = _loader(policy, inventories)
    contexts: list[CheckContext] = []
    seen: dict[str, str] = {}
    shared: dict[Path, Any] = {}  # files every inventory reads (a registry file), read once
    if request.device_configs is not None and len(request.inventories) != 1:
        raise UsageError(Message("--device-configs applies to one inventory"))
    keep_going = refused is not None and len(request.inventories) > 1
    for index, path in enumerate(request.inventories):
        try:
            inventory = inventories.get(path)  # read once a run (a scan read it to pick hosts)
            code = inventory.agency.code
            if code in seen:
                raise InventoryError(Message("agency code {code!r} is also used by {seen}",
                                             code=code, seen=seen[code]),
                                     file=inventory.display)
            ctx = _context(inventory, policy, request)
            sources = Sources(inventory, folders[index] if folders else None, request.given(),
                              collected, shared)
            for kind in EVIDENCE_KINDS.values():
                ctx.with_found(kind, kind.found(sources))
        except UsageError:
            raise  # the command line, not one inventory
        except EgovAuditError as exc:
            if not keep_going:
                raise
            assert refused is not None
            refused.append(exc)
            continue
        seen[code] = inventory.display
        contexts.append(ctx)
    if not contexts and refused:
        raise refused[0]  # nothing left to judge
    if request.waivers is not None and len(contexts) != 1:
        raise UsageError(Message("--waivers applies to one inventory (each inventory may keep its"
                                 " own {default_waivers})", default_waivers=DEFAULT_WAIVERS))
    return contexts


def _audit(request: AuditRequest, policy: PolicySet | None,
           folders: Sequence[Path | None] | None = None, collected: frozenset[str] = frozenset(),
           inventories: Inventories | None = None) -> ResultSet:
    """Inventories judged on what they declare (and on the portals probed, if any)."""
    policy = policy or load_catalogue(request.policies_dir, request.models_dir)
    refused: list[EgovAuditError] = []
    contexts = _contexts(request, policy, folders, collected, inventories, refused)
    bundles: list[Bundle] = []
    for ctx in contexts:
        kept = KeptResults()
        bundle, _ = _judge(request, policy, ctx, kept)
        bundles.append(replace(bundle, results=tuple(kept.results)))

    national = None
    if len(contexts) > 1:
        nctx = NationalContext(contexts, policy, request.options,
                               _national_registry(contexts))
        nresults = evaluate_national(nctx, policy.controls)
        national = NationalResults(tuple(c.inventory.agency.code for c in contexts),
                                   tuple(nresults), compute_scores(nresults, policy.weights),
                                   _infos(policy, {r.control for r in nresults}))
    return ResultSet(tuple(bundles), national, tuple(refused))
