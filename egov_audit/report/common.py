"""What every reporter shares: labels in both languages, ordering of gaps, sanitising."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..gates.sanitize import terminal
from ..models import Result, Severity, Status, Text

__all__ = ["LABELS", "gaps_worst_first", "label", "terminal"]


LABELS: dict[str, Text] = {
    "title": Text("Báo cáo đánh giá mức độ đáp ứng (báo cáo thiếu hụt)", "Gap report"),
    "agency": Text("Đơn vị", "Agency"),
    "inventory": Text("Kho máy chủ", "Inventory"),
    "baseline": Text("Khung tiêu chuẩn", "Baseline"),
    "level": Text("Cấp độ", "Level"),
    "policy": Text("Bộ chính sách", "Policy"),
    "generated": Text("Thời điểm", "Generated"),
    "score": Text("Điểm tuân thủ", "Compliance score"),
    "coverage": Text("Độ bao phủ", "Coverage"),
    "beside": Text("Tiêu chuẩn Internet, đánh giá bên cạnh (không tính vào điểm tuân thủ)",
                   "Internet standards, judged beside (not in the compliance score)"),
    "beside.short": Text("tiêu chuẩn Internet, không tính điểm",
                         "Internet standards, not scored"),
    "results": Text("Kết quả", "Results"),
    "gaps": Text("thiếu hụt", "gaps"),
    "no_gaps": Text("Không có thiếu hụt.", "No gaps."),
    "observed": Text("Thực tế", "Observed"),
    "expected": Text("Yêu cầu", "Expected"),
    "clause": Text("Căn cứ", "Clause"),
    "where": Text("Vị trí", "Where"),
    "fix": Text("Khắc phục", "Fix"),
    "role": Text("Khắc phục tự động", "Automatic fix"),
    "passed": Text("Đạt", "Passed"),
    "national": Text("Kiểm tra liên đơn vị (quốc gia)", "Checks across agencies (national)"),
    "targets": Text("Đối tượng", "Targets"),
    "not_scored": Text("chưa có điểm", "not scored"),
    "summary": Text("Tổng hợp", "Summary"),
    "area.infrastructure": Text("Hạ tầng", "Infrastructure"),
    "area.ip_addressing": Text("Địa chỉ IP", "IP addressing"),
    "area.security": Text("An toàn thông tin", "Security"),
    "status.pass": Text("đạt", "pass"),
    "status.fail": Text("không đạt", "fail"),
    "status.error": Text("lỗi kiểm tra", "error"),
    "status.not_applicable": Text("không áp dụng", "not applicable"),
    "status.not_assessed": Text("chưa đánh giá", "not assessed"),
    "status.waived": Text("ngoại lệ được phê duyệt", "waived"),
    "severity.low": Text("THẤP", "LOW"),
    "severity.medium": Text("TRUNG BÌNH", "MEDIUM"),
    "severity.high": Text("CAO", "HIGH"),
    "severity.critical": Text("NGHIÊM TRỌNG", "CRITICAL"),
    "kind.province": Text("tỉnh, thành phố", "province"),
    "kind.ministry": Text("bộ, ngành", "ministry"),
    "kind.national": Text("quốc gia", "national"),
    "col.agency": Text("Đơn vị", "Agency"),
    "col.code": Text("Mã đơn vị", "Agency code"),
    "col.control": Text("Biện pháp kiểm soát", "Control"),
    "col.title": Text("Nội dung", "Title"),
    "col.severity": Text("Mức độ", "Severity"),
    "col.area": Text("Lĩnh vực", "Area"),
    "col.status": Text("Trạng thái", "Status"),
    "col.target": Text("Đối tượng", "Target"),
    "col.kind": Text("Loại đối tượng", "Target kind"),
    "col.observed": Text("Thực tế", "Observed"),
    "col.expected": Text("Yêu cầu", "Expected"),
    "col.clause": Text("Căn cứ", "Clause"),
    "col.where": Text("Vị trí khai báo", "Where declared"),
    "col.fix": Text("Khắc phục", "Fix"),
    "col.notice": Text("Lưu ý", "Notice"),
    "col.scored": Text("Tính vào điểm tuân thủ", "In the compliance score"),
    "yes": Text("có", "yes"),
    "no": Text("không", "no"),
    "col.owner": Text("Ai thực hiện", "Who does it"),
    # egov-audit fix: its summary, preview and outcome ({...} filled in by the command)
    "fix.summary": Text("egov-audit: {fixes} bản sửa trên {hosts} máy chủ; {manual} điểm thiếu "
                        "cần người xử lý",
                        "egov-audit: {fixes} fixes on {hosts} hosts; {manual} gaps need a person"),
    "fix.manual": Text("  cần người: {control} trên {target}: {text}",
                       "  manual: {control} on {target}: {text}"),
    "fix.preview": Text("xem trước (chế độ kiểm tra, chưa thay đổi gì):",
                        "preview (check mode, nothing changed yet):"),
    "fix.would": Text("  {host}: {count} thay đổi", "  {host}: {count} changes"),
    "fix.confirm": Text("áp dụng các thay đổi này?", "apply these changes?"),
    "fix.nothing": Text("không áp dụng gì", "nothing applied"),
    "fix.failed": Text("  THẤT BẠI {host}: {why}", "  FAILED {host}: {why}"),
    "fix.unreachable": Text("  KHÔNG KẾT NỐI ĐƯỢC {host}: {why}", "  UNREACHABLE {host}: {why}"),
    "fix.applied": Text("đã áp dụng: {changes} thay đổi trên {hosts} máy chủ; {failed} máy chủ "
                        "có bản sửa thất bại",
                        "applied: {changes} changes on {hosts} hosts; {failed} hosts with failed "
                        "fixes"),
    "fix.score": Text("điểm {before} -> {after}", "score {before} -> {after}"),
    "fix.host_after": Text("  {host}: {before} biện pháp không đạt -> {after}",
                           "  {host}: {before} failing controls -> {after}"),
    "col.form": Text("Thủ tục, biểu mẫu", "Form or procedure"),
    "col.family": Text("Nhóm biện pháp", "Family"),
    "col.from_level": Text("Từ cấp độ", "From level"),
    "col.required": Text("Yêu cầu (giá trị theo cấp độ)", "Required (the level's values)"),
    "col.closes": Text("Ai khắc phục", "Who closes a gap"),
    "col.target_kind": Text("Áp dụng cho", "Applies to"),
    "matrix.title": Text("Ma trận yêu cầu", "Requirement matrix"),
    "matrix.certainty": Text("Độ chắc chắn của căn cứ", "Certainty of the sources"),
    "matrix.clause": Text("Điều khoản của cấp độ", "The level's clause"),
    "matrix.judged": Text("Cách đánh giá", "How it is judged"),
    "matrix.beside": Text("bên cạnh khung tiêu chuẩn của mỗi cuộc đánh giá, điểm riêng; không "
                          "phân cấp độ",
                          "beside every audit's baseline, in a score of its own; no levels"),
    "matrix.issuer": Text("Ban hành", "Issued"),
    "matrix.scope": Text("Phạm vi", "Scope"),
    "matrix.count": Text("{count} biện pháp kiểm soát áp dụng", "{count} controls apply"),
    "matrix.generated": Text("Sinh tự động bởi `egov-audit policies matrix`; không sửa tay.",
                             "Generated by `egov-audit policies matrix`; do not edit by hand."),
    "certainty.firm": Text("chắc chắn", "firm"),
    "certainty.one_source": Text("một nguồn", "one source"),
    "certainty.unsure": Text("chưa chắc chắn", "unsure"),
    "targetkind.agency": Text("Đơn vị", "Agency"),
    "targetkind.network": Text("Mạng", "Network"),
    "targetkind.server_room": Text("Phòng máy chủ", "Server room"),
    "targetkind.host": Text("Máy chủ", "Host"),
    "targetkind.device": Text("Thiết bị mạng", "Network device"),
    "targetkind.facility": Text("Thiết bị phòng máy chủ (UPS, cảm biến)",
                                "Server-room device (UPS, sensor)"),
    "targetkind.portal": Text("Cổng thông tin công khai (nhìn từ bên ngoài)",
                              "Public portal (seen from outside)"),
    "targetkind.national": Text("Liên đơn vị", "Across agencies"),
    "col.reason": Text("Lý do", "Reason"),
    "col.score": Text("Điểm", "Score"),
    "col.coverage": Text("Độ bao phủ", "Coverage"),
    "col.level": Text("Cấp độ", "Level"),
    "col.baseline": Text("Khung tiêu chuẩn", "Baseline"),
    "col.date": Text("Ngày", "Date"),
    "col.without_waivers": Text("Điểm không tính ngoại lệ", "Score without waivers"),
    "col.count": Text("Số đối tượng", "Targets"),
    "sheet.gaps": Text("Thiếu hụt", "Gaps"),
    "sheet.scores": Text("Điểm", "Scores"),
    "sheet.targets": Text("Đối tượng", "Targets"),
    "html.filter": Text("Lọc", "Filter"),
    "html.search": Text("Tìm kiếm", "Search"),
    "html.all": Text("Tất cả", "All"),
    "html.shown": Text("đang hiển thị", "shown"),
    "html.why": Text("Vì sao quan trọng", "Why it matters"),
    "html.unassessed": Text("Không đánh giá được", "Could not be assessed"),
    "target.assessed": Text("đã đánh giá", "assessed"),
    "target.unreachable": Text("không kết nối được", "unreachable"),
    "target_kind.agency": Text("đơn vị", "agency"),
    "target_kind.network": Text("mạng", "network"),
    "target_kind.server_room": Text("phòng máy chủ", "server room"),
    "target_kind.host": Text("máy chủ", "host"),
    "target_kind.device": Text("thiết bị mạng", "network device"),
    "target_kind.facility": Text("thiết bị phòng máy chủ", "server-room device"),
    "target_kind.portal": Text("cổng thông tin công khai", "public portal"),
    "target_kind.national": Text("quốc gia", "national"),
    "target.failed": Text("thu thập bằng chứng thất bại", "collection failed"),
    "html.unassessed_note": Text(
        "Các đối tượng dưới đây không được đánh giá: điểm số không phản ánh chúng.",
        "The targets below were not assessed: the score does not cover them."),
    "html.passed": Text("Biện pháp đã đạt", "Controls passed"),
    "html.gaps_title": Text("Các thiếu hụt, nghiêm trọng nhất trước", "Gaps, worst first"),
    "html.by_area": Text("Điểm theo lĩnh vực", "Score by area"),
    "html.by_severity": Text("Thiếu hụt theo mức độ", "Gaps by severity"),
    "html.by_host": Text("Máy chủ nhiều thiếu hụt nhất", "Hosts with the most failures"),
    "html.tool": Text("Công cụ", "Tool"),
    "html.waived": Text("ngoại lệ", "waived"),
    "html.gap_targets": Text("đối tượng", "targets"),
    "html.none": Text("Không có.", "None."),
    "national.kind": Text("Loại đơn vị", "Kind"),
    "national.portals": Text("Cổng công khai (IPv6 · DNSSEC · HTTPS)",
                             "Public portals (IPv6 · DNSSEC · HTTPS)"),
    "national.common_gaps": Text("Thiếu hụt phổ biến nhất giữa các đơn vị",
                                 "Most common gaps across agencies"),
    "national.agencies": Text("Số đơn vị", "Agencies"),
    "national.beside": Text("Tiêu chuẩn Internet (điểm riêng)",
                            "Internet standards (scored apart)"),
    "national.trend": Text("Thay đổi so với lần trước", "Change since last"),
    "col.region": Text("Vùng", "Region"),
    "col.month": Text("Tháng", "Month"),
    "question.failing": Text("Đối tượng không đạt", "Targets failing"),
    "question.judged": Text("Đối tượng được đánh giá", "Targets judged"),
    "question.passed": Text("Kết quả đạt", "Passed"),
    "question.rate": Text("Tỷ lệ đạt (%)", "Pass rate (%)"),
    "question.failing_agencies": Text("các đơn vị chưa đạt (lần nộp gần nhất)",
                                      "agencies failing it (latest submission)"),
    "question.pass_rate": Text("Tỷ lệ đạt theo tháng (mọi lần nộp)",
                               "Pass rate by month (every submission)"),
    "question.history": Text("các lần nộp gói kết quả", "submitted bundles"),
    "question.hosts": Text("Số máy chủ", "Hosts"),
    "question.gaps": Text("Số thiếu hụt", "Gaps"),
}


def label(key: str, lang: str) -> str:
    return LABELS[key].get(lang)


GAP_STATUSES = (Status.FAIL, Status.ERROR, Status.NOT_ASSESSED)
_STATUS_ORDER = {Status.ERROR: 0, Status.FAIL: 1, Status.NOT_ASSESSED: 2}


def gaps_worst_first(results: Iterable[Result]) -> list[Result]:
    """Failing, broken and unassessed results; worst severity first, then by status and id."""
    gaps = [r for r in results if r.status in GAP_STATUSES]
    gaps.sort(key=lambda r: (-r.severity.rank, _STATUS_ORDER[r.status], r.control, r.target))
    return gaps


def severity_at_least(result: Result, threshold: Severity) -> bool:
    return result.severity.rank >= threshold.rank


def number(value: float, lang: str, digits: int = 1) -> str:
    """A decimal as the language writes it: 62,4 in Vietnamese, 62.4 in English (machine
    formats, JSON, CSV and XLSX cells, keep the number itself)."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "vi" else text


def fmt_score(value: float | None, lang: str) -> str:
    return number(value, lang) if value is not None else label("not_scored", lang)


def shown_number(value: Any, lang: str) -> str:
    """A table cell for people: a float as the language writes it, None as '-'."""
    if value is None:
        return "-"
    return number(value, lang) if isinstance(value, float) else str(value)
