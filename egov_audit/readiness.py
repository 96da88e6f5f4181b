"""Portal readiness per agency, the inspectors' three questions: how many of its portals answer
over IPv6, are DNSSEC-signed, serve sound HTTPS. Counted from results in one place for the
national summary of a run and for the national table of stored bundles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

IPV6 = ("PORTAL-IPV6-01",)
DNSSEC = ("PORTAL-DNS-01",)
# sound HTTPS: current TLS only, no weak suite, a valid certificate, plain http redirected
HTTPS = ("PORTAL-TLS-01", "PORTAL-TLS-02", "PORTAL-TLS-03", "PORTAL-HTTP-01")


@dataclass(frozen=True)
class Readiness:
    """How many of an agency's portals have IPv6, DNSSEC and HTTPS."""

    portals: int  # portals judged (mail included)
    ipv6: int
    dnssec: int
    web: int  # web portals among them (HTTPS is asked of these only)
    https: int

    def shown(self) -> str:
        """"IPv6 1/2 · DNSSEC 0/2 · HTTPS 1/2", or "-" without portals."""
        if not self.portals:
            return "-"
        return (f"IPv6 {self.ipv6}/{self.portals} · DNSSEC {self.dnssec}/{self.portals} · "
                f"HTTPS {self.https}/{self.web}")

    def columns(self) -> dict[str, int | None]:
        """As the store keeps it: None when the bundle judged no portal."""
        if not self.portals:
            return dict.fromkeys(("portals", "portals_ipv6", "portals_dnssec", "portals_web",
                                  "portals_https"))
        return {"portals": self.portals, "portals_ipv6": self.ipv6,
                "portals_dnssec": self.dnssec, "portals_web": self.web,
                "portals_https": self.https}


def readiness(results: Iterable[tuple[str, str, str]]) -> Readiness:
    """From (control, target, status) of an agency's results."""
    statuses: dict[str, dict[str, str]] = {}
    for control, target, status in results:
        if control.startswith("PORTAL-"):
            statuses.setdefault(target, {})[control] = status
    def passes(found: Mapping[str, str], controls: tuple[str, ...]) -> bool:
        return all(found.get(c) == "pass" for c in controls)

    web = [found for found in statuses.values() if found.get(HTTPS[0], "not_applicable")
           != "not_applicable"]
    return Readiness(len(statuses), sum(passes(f, IPV6) for f in statuses.values()),
                     sum(passes(f, DNSSEC) for f in statuses.values()), len(web),
                     sum(passes(f, HTTPS) for f in web))


def from_row(row: Mapping[str, int | None]) -> Readiness:
    """From a stored bundle's columns."""
    if not row.get("portals"):
        return Readiness(0, 0, 0, 0, 0)
    return Readiness(int(row["portals"] or 0), int(row["portals_ipv6"] or 0),
                     int(row["portals_dnssec"] or 0), int(row["portals_web"] or 0),
                     int(row["portals_https"] or 0))
