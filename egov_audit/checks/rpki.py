"""The agency's own address space as the routing system sees it: each provider-independent block
judged against RPKI's validated ROA payloads (the VRP file a relying-party tool made) for the
agency's ASN, as RFC 6811 defines route origin validation; and each probed portal's addresses,
in the agency's blocks or in a provider's space a ROA covers. These controls run only when a VRP
file is given: a profile judged beside the baseline, never a gap for lack of the file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..inventory.model import Portal, locate
from ..ipnet import parse_addr
from ..models import Location, TargetKind, Text
from ..network.kinds import VRP_FILE
from ..network.rpki import INVALID, NOT_FOUND, VALID, RouteValidity, VrpSet
from ..policy import Control
from ..portal.kind import PORTAL_PROBE
from .context import CheckContext, Finding, Verdicts, cap_list, named_check
from .portals import PORTAL, Facts, per_portal
from .registry import is_vnnic, no_asn, no_vnnic_block

NET = TargetKind.NETWORK


def _vrps(found: RouteValidity, limit: int = 3) -> str:
    return ", ".join(v.shown for v in found.covering[:limit]) + \
        (" …" if len(found.covering) > limit else "")


def _why(found: RouteValidity, asn: int) -> Text:
    """Why a block is not valid, in both languages."""
    if found.state == NOT_FOUND:
        return Text("không có ROA nào (not found)", "no ROA covers it (not found)")
    if found.reason == "max_length":
        return Text(f"ROA cho AS{asn} có maxLength ngắn hơn khối (invalid): {_vrps(found)}",
                    f"the ROAs for AS{asn} allow no prefix this long (invalid, max-length): "
                    f"{_vrps(found)}")
    return Text(f"ROA chỉ cho ASN khác (invalid): {_vrps(found)}",
                f"the ROAs name other origins (invalid, origin): {_vrps(found)}")


# -- NET-RPKI-01 -----------------------------------------------------------------------------
@named_check("rpki_blocks", NET, reads=(VRP_FILE,), requires=Text(
    "mỗi khối do VNNIC cấp hợp lệ theo RPKI khi quảng bá từ ASN của đơn vị (RFC 6811)",
    "every VNNIC-allocated block RPKI-valid when announced from the agency's ASN (RFC 6811)"))
def rpki_blocks(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
    """Every block declared `allocated_by: VNNIC`, announced whole from the declared ASN, is
    valid against the VRPs: not found (no ROA) and invalid (by origin or max-length) fail, each
    block named with the ROAs that decided it."""
    vrps = ctx.of(VRP_FILE)
    assert vrps is not None, "the control runs only with a VRP file (reads=VRP_FILE)"
    asn = ctx.inventory.network.asn
    blocks = [b for b in ctx.inventory.network.blocks if is_vnnic(b)]
    net = Verdicts("network", NET, Text(f"mỗi khối VNNIC hợp lệ RPKI cho AS{asn}",
                                        f"each VNNIC block RPKI-valid for AS{asn}"))
    if asn is None:
        return [no_asn(net, locate(ctx.inventory.network.source, ("asn",)))]
    if not blocks:
        return [no_vnnic_block(net)]
    good: list[str] = []
    bad_vi: list[str] = []
    bad_en: list[str] = []
    where: list[Location] = []
    for block in blocks:
        text = block.prefix.net.text
        found = vrps.validate(block.prefix.net, asn)
        where.extend((block.prefix.where, *(vrps.location(v) for v in found.covering[:3])))
        if found.state == VALID:
            good.append(f"{text}: {', '.join(v.shown for v in found.matching[:3])}")
            continue
        why = _why(found, asn)
        bad_vi.append(f"{text}: {why.vi}")
        bad_en.append(f"{text}: {why.en}")
    source = f"{vrps.display} ({vrps.tool}, {vrps.generated})"
    if not bad_en:
        return [net.passed(f"{len(good)} khối VNNIC đều hợp lệ RPKI cho AS{asn}.",
                           f"All {len(good)} VNNIC blocks are RPKI-valid for AS{asn}.",
                           cap_list(good), where[:20])]
    return [net.failed(
        f"{len(bad_en)} khối do VNNIC cấp không hợp lệ RPKI khi quảng bá từ AS{asn} theo "
        f"{source}: {cap_list(bad_vi, 10)}.",
        f"{len(bad_en)} VNNIC-allocated blocks are not RPKI-valid when announced from AS{asn} "
        f"in {source}: {cap_list(bad_en, 10)}.",
        Text(cap_list(bad_vi), cap_list(bad_en)), where[:20])]


# -- NET-RPKI-02 -----------------------------------------------------------------------------
def _address_route(address: str, ctx: CheckContext, asn: int | None,
                   vrps: VrpSet) -> tuple[bool, Text, str]:
    """One portal address: (protected, why not, what decided it). In one of the agency's
    declared blocks, the block (the route it announces) is judged for its ASN; elsewhere (a
    provider's space, whose route and origin only the provider knows) a ROA of any AS but AS0
    must cover it."""
    host = parse_addr(address)
    block = next((b for b in ctx.inventory.network.blocks if b.prefix.net.contains(host)), None)
    if block is not None and asn is not None:
        found = vrps.validate(block.prefix.net, asn)
        shown = f"{address} ∈ {block.prefix.net.text}"
        if found.state == VALID:
            return True, Text("", ""), f"{shown}: valid ({_vrps(found)})"
        why = _why(found, asn)
        return False, Text(f"{shown}: {why.vi}", f"{shown}: {why.en}"), f"{shown}: {found.state}"
    covering = vrps.covering(host)
    routed = [v for v in covering if v.asn != 0]
    if routed:
        return True, Text("", ""), f"{address}: {', '.join(v.shown for v in routed[:3])}"
    if covering:  # AS0 only: the holder says the space must not be routed
        return False, Text(f"{address}: chỉ có ROA AS0 (không được định tuyến)",
                           f"{address}: only AS0 ROAs (not to be routed)"), \
            f"{address}: {_vrps(RouteValidity(INVALID, 'origin', covering))}"
    return False, Text(f"{address}: không ROA nào bao trùm (not found)",
                       f"{address}: no ROA covers it (not found)"), f"{address}: not found"


@named_check("rpki_portals", PORTAL, reads=(PORTAL_PROBE, VRP_FILE), requires=Text(
    "mọi địa chỉ của cổng nằm trong không gian có ROA (của đơn vị: hợp lệ cho ASN của đơn vị)",
    "every address of the portal in space a ROA covers (the agency's own: valid for its ASN)"))
def rpki_portals(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
    """Each address the portal's name resolved to when probed is in RPKI-protected space: in
    the agency's declared blocks, the block is valid for the agency's ASN (RFC 6811); in a
    provider's space, some ROA (not AS0) covers it, so the provider has signed its routes."""
    vrps = ctx.of(VRP_FILE)
    assert vrps is not None, "the control runs only with a VRP file (reads=VRP_FILE)"
    asn = ctx.inventory.network.asn

    def judge(portal: Portal, facts: Facts, verdicts: Verdicts) -> list[Finding]:
        where = (portal.where,)
        addresses = [*facts["dns"].get("a", []), *facts["dns"].get("aaaa", [])]
        if not addresses:
            return [verdicts.not_applicable("Tên của cổng không có địa chỉ.",
                                            "The portal's name has no address.", "", where)]
        seen, vi, en = [], [], []
        for address in addresses:
            protected, why, shown = _address_route(address, ctx, asn, vrps)
            seen.append(shown)
            if not protected:
                vi.append(why.vi)
                en.append(why.en)
        observed = f"{vrps.display} ({vrps.date}): " + "; ".join(seen)
        if vi:
            return [verdicts.failed("Địa chỉ không được RPKI bảo vệ: " + "; ".join(vi) + ".",
                                    "Addresses not protected by RPKI: " + "; ".join(en) + ".",
                                    observed, where)]
        return [verdicts.passed("Mọi địa chỉ của cổng nằm trong không gian có ROA.",
                                "Every address of the portal is in space a ROA covers.",
                                observed, where)]

    return per_portal(ctx, Text("địa chỉ có ROA", "addresses covered by ROAs"), judge)
