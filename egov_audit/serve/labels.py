"""The service's own words, Vietnamese first and English (the reports' words come from
report.common's labels)."""

from __future__ import annotations

from collections.abc import Callable

from ..models import Text
from ..report.common import LABELS

WORDS: dict[str, Text] = {
    "service": Text("Dịch vụ đánh giá quốc gia", "National audit service"),
    "nation": Text("Toàn quốc", "Nation"),
    "agency": Text("Đơn vị", "Agency"),
    "control": Text("Biện pháp kiểm soát", "Control"),
    "admin": Text("Quản trị", "Administration"),
    "login": Text("Đăng nhập", "Log in"),
    "logout": Text("Đăng xuất", "Log out"),
    "account": Text("Tài khoản", "Account"),
    "password": Text("Mật khẩu", "Password"),
    "login.failed": Text("Tên đăng nhập hoặc mật khẩu không đúng.",
                         "Wrong account name or password."),
    "login.throttled": Text("Quá nhiều lần đăng nhập sai: hãy thử lại sau 15 phút.",
                            "Too many failed logins: try again in 15 minutes."),
    "login.needed": Text("Hãy đăng nhập để xem trang này.", "Log in to see this page."),
    "refused.role": Text("Tài khoản này không được xem trang này.",
                         "This account may not see this page."),
    "refused.csrf": Text("Biểu mẫu đã hết hạn: hãy tải lại trang và gửi lại.",
                         "The form has expired: reload the page and send it again."),
    "not_found": Text("Không tìm thấy.", "Not found."),
    "unavailable": Text("Kho dữ liệu quốc gia tạm thời không truy cập được: hãy thử lại sau.",
                        "The national store cannot be reached right now: try again shortly."),
    "language": Text("Ngôn ngữ", "Language"),
    "filters": Text("Bộ lọc", "Filters"),
    "apply": Text("Áp dụng", "Apply"),
    "all": Text("Tất cả", "All"),
    "kind": Text("Loại đơn vị", "Kind"),
    "region": Text("Vùng", "Region"),
    "export": Text("Tải xuống", "Download"),
    "chart.table": Text("Số liệu của biểu đồ", "The chart's numbers"),
    "agencies": Text("Số đơn vị", "Agencies"),
    "score": Text("Điểm tổng", "Overall score"),
    "distribution": Text("Phân bố điểm tổng của các đơn vị", "Distribution of overall scores"),
    "range": Text("Khoảng điểm", "Score range"),
    "by_area": Text("Điểm trung bình theo lĩnh vực", "Average score by area"),
    "area": Text("Lĩnh vực", "Area"),
    "area.infrastructure": Text("Hạ tầng (mạng và phòng máy chủ)",
                                "Infrastructure (network and server rooms)"),
    "area.network": Text("Mạng", "Network"),
    "area.server_rooms": Text("Phòng máy chủ", "Server rooms"),
    "average": Text("Điểm trung bình", "Average score"),
    "median": Text("Trung vị", "Median"),
    "by_kind": Text("Điểm trung bình theo loại đơn vị", "Average score by kind"),
    "by_region": Text("Điểm trung bình theo vùng", "Average score by region"),
    "quarters": Text("Điểm trung bình toàn quốc theo quý", "National average by quarter"),
    "quarter": Text("Quý", "Quarter"),
    "common_gaps": Text("Thiếu hụt phổ biến nhất và xu hướng",
                        "The most common gaps and their trend"),
    "coverage": Text("Tình hình nộp báo cáo quý này", "Submissions this quarter"),
    "submitted": Text("Đã nộp", "Submitted"),
    "known": Text("Đơn vị đã biết", "Known agencies"),
    "late": Text("Chưa nộp trong quý", "Not submitted this quarter"),
    "last_submission": Text("Lần nộp gần nhất", "Last submission"),
    "agencies_table": Text("Các đơn vị", "Agencies"),
    "history": Text("Lịch sử điểm", "Score history"),
    "national_median": Text("Trung vị toàn quốc", "National median"),
    "regional_median": Text("Trung vị vùng", "Regional median"),
    "submissions": Text("Các lần nộp và chữ ký", "Submissions and their signatures"),
    "key_id": Text("Khóa ký", "Signing key"),
    "signed_at": Text("Thời điểm ký", "Signed at"),
    "received_at": Text("Thời điểm nhận", "Received at"),
    "digest": Text("Mã băm", "Digest"),
    "format": Text("Định dạng", "Format"),
    "latest_report": Text("Báo cáo thiếu hụt gần nhất", "Latest gap report"),
    "open_report": Text("Mở báo cáo", "Open the report"),
    "no_data": Text("Chưa có dữ liệu.", "No data yet."),
    "pass_rate": Text("Tỷ lệ đạt theo tháng", "Pass rate by month"),
    "pass_rate_region": Text("Tỷ lệ đạt theo vùng", "Pass rate by region"),
    "failing": Text("Các đơn vị chưa đạt", "Agencies failing it"),
    "keys": Text("Khóa ký của các đơn vị", "Agencies' signing keys"),
    "add_key": Text("Đăng ký khóa", "Register a key"),
    "public_key": Text("Khóa công khai (PEM)", "Public key (PEM)"),
    "revoke": Text("Thu hồi", "Revoke"),
    "revoked_at": Text("Thu hồi từ", "Revoked from"),
    "added_at": Text("Đăng ký lúc", "Added at"),
    "accounts": Text("Tài khoản", "Accounts"),
    "add_account": Text("Tạo tài khoản", "Add an account"),
    "role": Text("Vai trò", "Role"),
    "role.admin": Text("quản trị", "administrator"),
    "role.inspector": Text("thanh tra", "inspector"),
    "role.agency": Text("đơn vị", "agency"),
    "disable": Text("Khóa tài khoản", "Disable"),
    "enable": Text("Mở khóa", "Enable"),
    "disabled": Text("đã khóa", "disabled"),
    "audit_log": Text("Nhật ký thay đổi", "Audit log"),
    "at": Text("Thời điểm", "When"),
    "actor": Text("Người thực hiện", "Who"),
    "action": Text("Hành động", "Action"),
    "subject": Text("Đối tượng", "Subject"),
    "detail": Text("Chi tiết", "Detail"),
    "done": Text("Đã lưu.", "Saved."),
    "diff": Text("Thay đổi giữa hai lần nộp", "What changed between two submissions"),
    "diff.old": Text("Lần trước", "Earlier"),
    "diff.new": Text("Lần sau", "Later"),
    "diff.show": Text("So sánh", "Compare"),
    "waivers": Text("Ngoại lệ đã được phê duyệt (lần nộp gần nhất)",
                    "Approved waivers (latest submission)"),
    "waivers.unknown": Text("Lần nộp này được lưu trước khi kho tách riêng các ngoại lệ: xem "
                            "chúng trong báo cáo thiếu hụt.",
                            "This submission was stored before the store kept waivers apart: "
                            "see them in its gap report."),
    "waiver.targets": Text("Đối tượng", "Targets"),
    "waiver.justification": Text("Lý do", "Justification"),
    "waiver.approved_by": Text("Người phê duyệt", "Approved by"),
    "waiver.approved_on": Text("Ngày phê duyệt", "Approved on"),
    "waiver.expires": Text("Hết hạn", "Expires"),
    "waiver.reference": Text("Văn bản", "Reference"),
    "waiver.state": Text("Trạng thái", "State"),
    "waiver.applied": Text("Số kết quả được miễn", "Results waived"),
    "skip": Text("Bỏ qua đến nội dung", "Skip to content"),
}


def words(lang: str) -> Callable[[str], str]:
    """`word` in one language (a page's words)."""
    def w(key: str) -> str:
        return word(key, lang)
    return w


def word(key: str, lang: str) -> str:
    """A word of the service, else of the reports."""
    found = WORDS.get(key) or LABELS[key]
    return found.get(lang)
