"""The shared vocabulary: enums and frozen dataclasses that every layer passes around."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import EgovAuditError


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    NOT_APPLICABLE = "not_applicable"
    NOT_ASSESSED = "not_assessed"
    WAIVED = "waived"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_ORDER.index(self)


_SEVERITY_ORDER = [Severity.LOW, Severity.MEDIUM, Severity.HIGH, Severity.CRITICAL]


class Area(StrEnum):
    INFRASTRUCTURE = "infrastructure"
    IP_ADDRESSING = "ip_addressing"
    SECURITY = "security"


class TargetKind(StrEnum):
    AGENCY = "agency"
    NETWORK = "network"
    SERVER_ROOM = "server_room"
    HOST = "host"
    DEVICE = "device"  # a router or firewall (its configuration, backed up or live)
    FACILITY = "facility"  # a UPS or room sensor read over SNMP (evidence for its server room)
    PORTAL = "portal"  # a public portal or mail domain, probed from outside
    NATIONAL = "national"


class TargetStatus(StrEnum):
    ASSESSED = "assessed"
    UNREACHABLE = "unreachable"
    FAILED = "failed"


class EvidenceStatus(StrEnum):
    """What collecting evidence from one target gave (the `status` of a fact bundle)."""

    COLLECTED = "collected"
    UNREACHABLE = "unreachable"
    FAILED = "failed"

    @property
    def target_status(self) -> TargetStatus:
        return {EvidenceStatus.COLLECTED: TargetStatus.ASSESSED,
                EvidenceStatus.UNREACHABLE: TargetStatus.UNREACHABLE}.get(self,
                                                                          TargetStatus.FAILED)


LANGS = ("vi", "en")


@dataclass(frozen=True)
class Text:
    """A user-facing text in both languages."""

    vi: str
    en: str

    def get(self, lang: str) -> str:
        return self.vi if lang == "vi" else self.en

    def to_dict(self) -> dict[str, str]:
        return {"vi": self.vi, "en": self.en}

    @classmethod
    def from_dict(cls, data: Mapping[str, str]) -> Text:
        return cls(vi=data["vi"], en=data["en"])

    @classmethod
    def same(cls, text: str) -> Text:
        """Language-neutral text (data, identifiers, citations): the same in both languages."""
        return cls(text, text)

    @classmethod
    def of(cls, value: Text | str) -> Text:
        return value if isinstance(value, Text) else cls(value, value)

    def __bool__(self) -> bool:
        return bool(self.vi or self.en)


EMPTY = Text("", "")


@dataclass(frozen=True)
class Location:
    """Where in the inventory an offending item is declared."""

    file: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        if self.line is None:
            return self.file
        return f"{self.file}:{self.line}" + (f":{self.column}" if self.column else "")

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "column": self.column}


@dataclass(frozen=True)
class Target:
    """What a result is about (a host, the network, a room...) and whether it was assessed."""

    id: str
    kind: TargetKind
    status: TargetStatus = TargetStatus.ASSESSED
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "kind": str(self.kind), "status": str(self.status)}
        if self.reason:
            out["reason"] = self.reason
        return out


@dataclass(frozen=True)
class Result:
    """The verdict of one control on one target."""

    control: str
    target: str
    target_kind: TargetKind
    status: Status
    severity: Severity
    area: Area
    message: Text
    expected: Text = EMPTY
    observed: Text = EMPTY
    clause: Text = EMPTY
    locations: tuple[Location, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "control": self.control,
            "target": self.target,
            "target_kind": str(self.target_kind),
            "status": str(self.status),
            "severity": str(self.severity),
            "area": str(self.area),
            "message": self.message.to_dict(),
            "expected": self.expected.to_dict(),
            "observed": self.observed.to_dict(),
            "clause": self.clause.to_dict(),
            "locations": [loc.to_dict() for loc in self.locations],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Result:
        return cls(
            control=data["control"],
            target=data["target"],
            target_kind=TargetKind(data.get("target_kind", "agency")),
            status=Status(data["status"]),
            severity=Severity(data["severity"]),
            area=Area(data["area"]),
            message=Text.from_dict(data["message"]),
            expected=Text.from_dict(data.get("expected", EMPTY.to_dict())),
            observed=Text.from_dict(data.get("observed", EMPTY.to_dict())),
            clause=Text.from_dict(data.get("clause", EMPTY.to_dict())),
            locations=tuple(
                Location(loc["file"], loc.get("line"), loc.get("column"))
                for loc in data.get("locations", [])
            ),
        )


@dataclass(frozen=True)
class Scores:
    """Compliance scores of one scope; None where nothing counts (no applicable result)."""

    overall: float | None
    by_area: Mapping[str, float | None]
    coverage: float | None
    overall_without_waivers: float | None
    counts: Mapping[str, int]
    # the controls judged beside the baseline (a profile: internet standards), scored apart and
    # in none of the figures above; empty counts when none was judged
    beside: float | None = None
    beside_counts: Mapping[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "overall": self.overall,
            "by_area": dict(self.by_area),
            "coverage": self.coverage,
            "overall_without_waivers": self.overall_without_waivers,
            "counts": dict(self.counts),
        }
        if self.beside_counts:
            out["beside"] = self.beside
            out["beside_counts"] = dict(self.beside_counts)
        return out


@dataclass(frozen=True)
class ControlInfo:
    """What a reporter needs to know about a control (copied into the bundle, so that a saved
    bundle renders without the policy files)."""

    id: str
    title: Text
    description: Text
    remediation: Text
    remediation_role: str | None = None
    clauses: Mapping[str, Text] = field(default_factory=dict)  # per baseline
    owner: Text | None = None  # who does it, when a person must
    form: Text | None = None  # the form, registry or procedure involved

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "title": self.title.to_dict(),
            "description": self.description.to_dict(),
            "remediation": self.remediation.to_dict(),
            "clauses": {b: t.to_dict() for b, t in sorted(self.clauses.items())},
        }
        if self.remediation_role:
            out["remediation_role"] = self.remediation_role
        if self.owner:
            out["owner"] = self.owner.to_dict()
        if self.form:
            out["form"] = self.form.to_dict()
        return out


@dataclass(frozen=True)
class Agency:
    """The audited ministry or province, as its inventory declares it."""

    code: str
    name: Text
    kind: str
    baseline: str
    level: int
    region: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "name": self.name.to_dict(), "kind": self.kind}
        if self.region:
            out["region"] = self.region
        return out


@dataclass(frozen=True)
class Bundle:
    """The result bundle: the one interchange format every reporter reads."""

    agency: Agency
    baseline: str
    level: int
    policy_digest: str
    policy_version: str
    tool_version: str
    started_at: str
    finished_at: str
    targets: tuple[Target, ...]
    results: tuple[Result, ...]
    scores: Scores
    controls: Mapping[str, ControlInfo]
    inventory: str = ""
    options: Mapping[str, Any] = field(default_factory=dict)
    notices: tuple[Text, ...] = ()
    evidence_digests: Mapping[str, str] = field(default_factory=dict)  # host -> sha256
    waivers: tuple[Mapping[str, Any], ...] = ()  # every waiver, with its state

    def profile_of(self, result: Result) -> str | None:
        """The profile a result was judged for beside the bundle's baseline (a control that
        does not cite the baseline: not in its compliance score), or None."""
        info = self.controls.get(result.control)
        if info is None or self.baseline in info.clauses:
            return None
        return min(info.clauses, default="")


@dataclass(frozen=True)
class NationalResults:
    """Results of the checks across several agencies (target kind `national`)."""

    agencies: tuple[str, ...]
    results: tuple[Result, ...]
    scores: Scores
    controls: Mapping[str, ControlInfo]


@dataclass(frozen=True)
class ResultSet:
    """What one command run produced: a bundle per agency, and national results when several
    agencies were audited together."""

    bundles: tuple[Bundle, ...]
    national: NationalResults | None = None
    # inventories of a national run that could not be read (each one's error): the others are
    # judged, and the run ends with exit 2
    refused: tuple[EgovAuditError, ...] = ()

    def all_results(self) -> list[Result]:
        out = [r for b in self.bundles for r in b.results]
        if self.national:
            out.extend(self.national.results)
        return out

    def scored_results(self) -> list[Result]:
        """The results the compliance scores count: a profile's judged beside a bundle's
        baseline (a control that does not cite that baseline) are left out."""
        out = [r for b in self.bundles for r in b.results if b.profile_of(r) is None]
        if self.national:
            out.extend(self.national.results)
        return out
