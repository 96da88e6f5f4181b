"""The declared AS number and address blocks against the registry's own statistics (APNIC's
delegated-extended file: VNNIC delegates under APNIC). Declared values and the registry's records
meet here; a finding points at both the inventory line and the registry line.

Without a registry file these controls are not assessed, with the reason: never passed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..inventory.model import AddressBlock, locate
from ..models import Location, TargetKind, Text
from ..network.kinds import REGISTRY_FILE
from ..policy import Control
from .context import CheckContext, Finding, NationalContext, Verdicts, cap_list, named_check

if TYPE_CHECKING:
    from ..network.registry import Delegation, Registry

NET = TargetKind.NETWORK
NO_REGISTRY = Text(
    "không có tệp thống kê cấp phát của cơ quan đăng ký (--registry-file, biến môi trường "
    "EGOV_AUDIT_REGISTRY_FILE, hoặc network.registry_file trong kho máy chủ)",
    "no registry statistics file given (--registry-file, the EGOV_AUDIT_REGISTRY_FILE "
    "environment variable, or network.registry_file in the inventory)")
NOT_EXTENDED = Text(
    "tệp thống kê ở định dạng thường, không có mã chủ thể (opaque id); hãy dùng tệp "
    "delegated-apnic-extended-latest",
    "the statistics file is the plain format, without holder ids (opaque id); use "
    "delegated-apnic-extended-latest")
# blocks that are not a provider's assignment: the registry's own, the specialized network's,
# private space behind NAT
_NOT_PROVIDER = frozenset({"VNNIC", "TSLCD", "INTERNAL"})


def _not_assessed(verdicts: Verdicts, reason: Text) -> list[Finding]:
    return [verdicts.not_assessed(f"Không đánh giá được: {reason.vi}.",
                                  f"Not assessed: {reason.en}.", reason)]


def _file(registry: Registry) -> str:
    return f"{registry.display} ({registry.registry}, {registry.date})"


def no_asn(net: Verdicts, declared: Location) -> Finding:
    """Not applicable: a control on the agency's own ASN, when it declares none."""
    return net.not_applicable("Đơn vị không khai báo ASN (xem NET-ASN-01).",
                              "The agency declares no ASN (see NET-ASN-01).",
                              Text("không có ASN", "no ASN"), (declared,))


def no_vnnic_block(net: Verdicts) -> Finding:
    """Not applicable: a control on the agency's own (VNNIC) blocks, when it declares none."""
    return net.not_applicable("Không khai báo khối nào do VNNIC cấp (xem NET-IP-01/02).",
                              "No block is declared allocated by VNNIC (see NET-IP-01/02).",
                              Text("không có khối VNNIC", "no VNNIC block"))


def is_vnnic(block: AddressBlock) -> bool:
    return block.allocated_by.strip().upper() == "VNNIC"


def _shown(delegations: Iterable[Delegation]) -> str:
    return "; ".join(d.shown for d in delegations)


# -- NET-REG-01 ------------------------------------------------------------------------------
@named_check("registry_asn", NET, requires=Text(
    "ASN khai báo được cấp cho Việt Nam (VN) trong thống kê của cơ quan đăng ký",
    "the declared ASN delegated to VN in the registry's statistics"))
def registry_asn(ctx: CheckContext, control: Control, args: Mapping[str, Any]) -> list[Finding]:
    """The declared ASN is delegated with country VN and status allocated or assigned."""
    asn = ctx.inventory.network.asn
    net = Verdicts("network", NET, Text(f"AS{asn} cấp cho VN (allocated/assigned)",
                                        f"AS{asn} delegated to VN (allocated/assigned)"))
    registry = ctx.of(REGISTRY_FILE)
    if registry is None:
        return _not_assessed(net, NO_REGISTRY)
    declared = locate(ctx.inventory.network.source, ("asn",))
    if asn is None:
        return [no_asn(net, declared)]
    found = registry.asn(asn)
    if found is None:
        return [net.failed(
            f"AS{asn} không có trong tệp thống kê {_file(registry)}: cơ quan đăng ký này "
            "chưa cấp số hiệu mạng đó.",
            f"AS{asn} is not in the statistics file {_file(registry)}: this registry has "
            "not delegated it.",
            Text("không có trong tệp", "not in the file"), (declared,))]
    where = (declared, registry.location(found))
    if found.delegated_in_vn:
        return [net.passed(f"AS{asn} được cấp cho VN: {found.shown}.",
                           f"AS{asn} is delegated to VN: {found.shown}.", found.shown, where)]
    return [net.failed(f"AS{asn} không phải ASN cấp cho VN: {found.shown}.",
                       f"AS{asn} is not delegated to VN: {found.shown}.", found.shown, where)]


# -- NET-REG-02 ------------------------------------------------------------------------------
@named_check("registry_blocks", NET, requires=Text(
    "mỗi khối khai báo do VNNIC cấp nằm trong một vùng cấp phát cho VN",
    "every block declared allocated by VNNIC inside a delegation to VN"))
def registry_blocks(ctx: CheckContext, control: Control,
                    args: Mapping[str, Any]) -> list[Finding]:
    """Every block declared `allocated_by: VNNIC` lies inside delegations to VN (allocated or
    assigned); adjacent delegations together count."""
    blocks = [b for b in ctx.inventory.network.blocks if is_vnnic(b)]
    net = Verdicts("network", NET, Text("nằm trong vùng cấp phát cho VN (allocated/assigned)",
                                        "inside delegations to VN (allocated/assigned)"))
    registry = ctx.of(REGISTRY_FILE)
    if registry is None:
        return _not_assessed(net, NO_REGISTRY)
    if not blocks:
        return [no_vnnic_block(net)]
    good: list[str] = []
    bad_vi: list[str] = []
    bad_en: list[str] = []
    where: list[Location] = []
    for block in blocks:
        text = block.prefix.net.text
        covering, whole = registry.covering(block.prefix.net)
        where.extend((block.prefix.where, *(registry.location(d) for d in covering[:3])))
        foreign = [d for d in covering if not d.delegated_in_vn]
        if whole and not foreign:
            good.append(f"{text}: {_shown(covering)}")
        elif not covering:
            bad_vi.append(f"{text}: không có trong tệp")
            bad_en.append(f"{text}: not in the file")
        elif foreign:
            bad_vi.append(f"{text}: {_shown(foreign)}")
            bad_en.append(f"{text}: {_shown(foreign)}")
        else:
            bad_vi.append(f"{text}: chỉ một phần được cấp ({_shown(covering)})")
            bad_en.append(f"{text}: only partly delegated ({_shown(covering)})")
    if not bad_en:
        return [net.passed(f"{len(good)} khối VNNIC đều được cấp cho VN.",
                           f"All {len(good)} VNNIC blocks are delegated to VN.",
                           cap_list(good), where[:20])]
    return [net.failed(
        f"{len(bad_en)} khối khai báo do VNNIC cấp không nằm trong vùng cấp phát cho VN theo "
        f"{_file(registry)}: {cap_list(bad_vi, 10)}.",
        f"{len(bad_en)} blocks declared allocated by VNNIC are not inside delegations to VN in "
        f"{_file(registry)}: {cap_list(bad_en, 10)}.",
        Text(cap_list(bad_vi), cap_list(bad_en)), where[:20])]


# -- NET-REG-03 ------------------------------------------------------------------------------
def agency_holders(ctx: CheckContext, registry: Registry
                   ) -> tuple[dict[str, list[str]], list[Location]]:
    """The holders (opaque ids) of the agency's delegated ASN and VNNIC blocks, each with the
    resources of the agency it holds, and where they are declared and recorded."""
    holders: dict[str, list[str]] = {}
    where: list[Location] = []
    plan = ctx.inventory.network
    if plan.asn is not None:
        found = registry.asn(plan.asn)
        if found is not None and found.delegated_in_vn and found.holder:
            holders.setdefault(found.holder, []).append(f"AS{plan.asn}")
            where.extend((locate(plan.source, ("asn",)), registry.location(found)))
    for block in plan.blocks:
        if not is_vnnic(block):
            continue
        covering, _ = registry.covering(block.prefix.net)
        for delegation in covering:
            if delegation.delegated_in_vn and delegation.holder:
                shown = holders.setdefault(delegation.holder, [])
                if block.prefix.net.text not in shown:
                    shown.append(block.prefix.net.text)
                    where.extend((block.prefix.where, registry.location(delegation)))
    return holders, where


def _holders_text(holders: Mapping[str, Sequence[str]]) -> str:
    return "; ".join(f"{holder}: {', '.join(items)}" for holder, items in sorted(holders.items()))


@named_check("registry_one_holder", NET, requires=Text(
    "ASN và các khối VNNIC của đơn vị thuộc cùng một chủ thể trong thống kê của cơ quan đăng ký",
    "the agency's ASN and VNNIC blocks belong to one holder in the registry's statistics"))
def registry_one_holder(ctx: CheckContext, control: Control,
                        args: Mapping[str, Any]) -> list[Finding]:
    """The ASN and the VNNIC blocks belong to the same holder (the same opaque id)."""
    net = Verdicts("network", NET, Text("một chủ thể (opaque id)", "one holder (opaque id)"))
    registry = ctx.of(REGISTRY_FILE)
    if registry is None:
        return _not_assessed(net, NO_REGISTRY)
    if not registry.extended:
        return _not_assessed(net, NOT_EXTENDED)
    holders, where = agency_holders(ctx, registry)
    resources = sum(len(items) for items in holders.values())
    shown = _holders_text(holders)
    if resources < 2:
        return [net.not_applicable(
            "Dưới hai tài nguyên (ASN, khối VNNIC) được cấp cho VN để so sánh chủ thể.",
            "Fewer than two resources (ASN, VNNIC blocks) delegated to VN to compare holders.",
            shown or Text("không có", "none"), where[:20])]
    if len(holders) == 1:
        return [net.passed(f"ASN và các khối cùng một chủ thể: {shown}.",
                           f"The ASN and the blocks belong to one holder: {shown}.",
                           shown, where[:20])]
    return [net.failed(
        f"Tài nguyên của đơn vị thuộc {len(holders)} chủ thể khác nhau: {shown}. ASN chỉ cấp cho "
        "tổ chức có khối địa chỉ do VNNIC cấp.",
        f"The agency's resources belong to {len(holders)} different holders: {shown}. An ASN "
        "is issued only to the organisation holding VNNIC-allocated addresses.",
        shown, where[:20])]


# -- NET-REG-04 ------------------------------------------------------------------------------
@named_check("registry_provider_blocks", NET, requires=Text(
    "không khối nào khai báo là của nhà cung cấp mà thực ra là một vùng cấp phát riêng cho VN",
    "no block declared provider-assigned that is in fact a separate delegation to VN"))
def registry_provider_blocks(ctx: CheckContext, control: Control,
                             args: Mapping[str, Any]) -> list[Finding]:
    """A block declared provider-assigned (allocated by an ISP) that holds a whole delegation to
    VN of its own is likely provider-independent space declared wrong."""
    blocks = [b for b in ctx.inventory.network.blocks
              if b.allocated_by.strip().upper() not in _NOT_PROVIDER]
    net = Verdicts("network", NET, Text("khối của nhà cung cấp nằm trong vùng cấp phát của nhà "
                                        "cung cấp",
                                        "provider blocks inside the provider's delegation"))
    registry = ctx.of(REGISTRY_FILE)
    if registry is None:
        return _not_assessed(net, NO_REGISTRY)
    if not blocks:
        return [net.not_applicable("Không khai báo khối nào của nhà cung cấp.",
                                   "No provider-assigned block is declared.",
                                   Text("không có khối của nhà cung cấp",
                                        "no provider-assigned block"))]
    own = set(agency_holders(ctx, registry)[0])
    wrong_vi: list[str] = []
    wrong_en: list[str] = []
    where: list[Location] = []
    for block in blocks:
        separate = [d for d in registry.inside(block.prefix.net) if d.delegated_in_vn]
        if not separate:
            continue
        mine = any(d.holder and d.holder in own for d in separate)
        suffix = Text(", cùng chủ thể với ASN/khối VNNIC của đơn vị" if mine else "",
                      ", the holder of the agency's own ASN/VNNIC blocks" if mine else "")
        wrong_vi.append(f"{block.prefix.net.text} (khai báo: {block.allocated_by}) là "
                        f"{_shown(separate[:3])}{suffix.vi}")
        wrong_en.append(f"{block.prefix.net.text} (declared: {block.allocated_by}) is "
                        f"{_shown(separate[:3])}{suffix.en}")
        where.extend((block.prefix.where, *(registry.location(d) for d in separate[:3])))
    checked = ", ".join(f"{b.prefix.net.text} ({b.allocated_by})" for b in blocks)
    if not wrong_en:
        return [net.passed(f"Các khối của nhà cung cấp không phải vùng cấp phát riêng: "
                           f"{checked}.",
                           f"The provider-assigned blocks are not delegations of their own: "
                           f"{checked}.", checked, [b.prefix.where for b in blocks[:20]])]
    return [net.failed(
        f"{len(wrong_en)} khối khai báo là của nhà cung cấp nhưng là vùng cấp phát riêng cho VN "
        f"(có thể là địa chỉ độc lập khai báo nhầm): {cap_list(wrong_vi, 10)}.",
        f"{len(wrong_en)} blocks declared provider-assigned are delegations to VN of their own "
        f"(likely provider-independent space declared wrong): {cap_list(wrong_en, 10)}.",
        Text(cap_list(wrong_vi), cap_list(wrong_en)), where[:20])]


# -- NET-REG-05 (national) --------------------------------------------------------------------
@named_check("national_registry_holders", TargetKind.NATIONAL, requires=Text(
    "mỗi chủ thể trong thống kê cấp phát ứng với đúng một đơn vị",
    "each registry holder maps to exactly one agency"))
def national_registry_holders(ctx: NationalContext, control: Control,
                              args: Mapping[str, Any]) -> list[Finding]:
    """Agencies whose declared resources map to one registry holder, and agencies whose
    resources map to several, listed for the inspector."""
    national = Verdicts("national", TargetKind.NATIONAL,
                        Text("một chủ thể cho mỗi đơn vị, một đơn vị cho mỗi chủ thể",
                             "one holder per agency, one agency per holder"))
    registry = ctx.registry
    if registry is None:
        return _not_assessed(national, Text(
            "các kiểm tra cấp quốc gia cần một tệp thống kê chung cho mọi đơn vị "
            "(--registry-file hoặc EGOV_AUDIT_REGISTRY_FILE)",
            "the national checks need one statistics file for every agency (--registry-file "
            "or EGOV_AUDIT_REGISTRY_FILE)"))
    if not registry.extended:
        return _not_assessed(national, NOT_EXTENDED)
    by_holder: dict[str, list[str]] = {}
    several: list[str] = []
    where: list[Location] = []
    for agency in ctx.agencies:
        code = agency.inventory.agency.code
        holders, seen = agency_holders(agency, registry)
        for holder in holders:
            by_holder.setdefault(holder, []).append(code)
        if len(holders) > 1:
            several.append(f"{code} → {', '.join(sorted(holders))}")
            where.extend(seen[:4])
    shared = [f"{holder} ← {', '.join(codes)}" for holder, codes in sorted(by_holder.items())
              if len(codes) > 1]
    detail = shared + several
    if not detail:
        return [national.passed(
            f"{len(by_holder)} chủ thể, mỗi chủ thể một đơn vị, mỗi đơn vị một chủ thể.",
            f"{len(by_holder)} holders, one agency each, one holder per agency.",
            Text(f"{len(by_holder)} chủ thể", f"{len(by_holder)} holders"))]
    return [national.failed(
        f"{len(shared)} chủ thể ứng với nhiều đơn vị, {len(several)} đơn vị có tài nguyên của "
        f"nhiều chủ thể: {cap_list(detail, 10)}.",
        f"{len(shared)} holders map to several agencies, {len(several)} agencies have resources "
        f"of several holders: {cap_list(detail, 10)}.", cap_list(detail, 50), where[:20])]
