"""What opening a database did to its schema, in words for the person who opened it.

Apart from ``migrate`` so that the engine can carry a report without importing the
migrations (which import the engine).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# What each revision brings, for the administrator who just upgraded (shown once, after
# the upgrade). A revision that changes nothing a person notices says so in a few words.
CHANGES: dict[str, str] = {
    "0002": "lưu giấy tiếp nhận đã in và sổ theo dõi theo năm",
    "0003": "đồng bộ với máy chủ cấp trên",
    "0004": "đồng bộ an toàn hơn khi mất mạng và khi khôi phục",
    "0005": "mỗi hồ sơ có người đang giữ, hạn ban đầu, các lần tạm dừng và xếp loại",
    "0006": "lỗi đồng bộ được ghi kèm mã lỗi",
    "0007": "khóa tài khoản tạm thời sau nhiều lần sai mật khẩu; sao lưu mã hóa",
    "0008": "danh mục thủ tục thật của cấp xã, kèm các mục quản trị viên cần kiểm tra",
    "0009": "ghi nhận cả quá trình của hồ sơ: chuyển xử lý, yêu cầu bổ sung, gia hạn, rút, "
    "dừng, có kết quả, trả kết quả; danh sách người và bộ phận nhận chuyển",
    "0010": "tìm hồ sơ theo mã, mã tra cứu, họ tên không dấu, CCCD hoặc số điện thoại",
    "0011": "giữ hồ sơ đang nhập dở cho từng công chức; nhắc khi cùng người nộp lại cùng thủ tục",
    "0012": "thay đổi chờ máy chủ cập nhật được giữ lại, sự kiện không áp dụng được để riêng "
    "kèm lý do; nhập tệp hồ sơ chỉ một lần",
    "0014": "lịch sử trạng thái hồ sơ cho báo cáo thống kê và đánh giá mức độ hài lòng",
    "0015": "quản trị tài khoản (đặt lại mật khẩu, mã khôi phục) và nội dung giấy tiếp nhận",
    "0017": "số liệu tổng hợp theo ngày cho báo cáo thống kê (lập lại lịch sử báo cáo)",
}


@dataclass(frozen=True)
class UpgradeReport:
    """What opening the database did to its schema: nothing (``from_revision`` equals
    ``to_revision``), a new database, or an upgrade with a copy taken first."""

    from_revision: str | None
    to_revision: str
    backup: Path | None = None
    applied: tuple[str, ...] = field(default=())

    @property
    def upgraded(self) -> bool:
        return self.from_revision is not None and bool(self.applied)

    def changes(self) -> list[str]:
        return [f"{rev}: {CHANGES[rev]}" for rev in self.applied if rev in CHANGES]

    def summary(self) -> str:
        """One paragraph in Vietnamese for the person who opened the upgraded desk."""
        text = (
            f"Cơ sở dữ liệu đã được nâng cấp từ phiên bản lược đồ {self.from_revision} "
            f"lên {self.to_revision}."
        )
        if self.backup is not None:
            text += f" Bản sao trước khi nâng cấp: {self.backup}."
        changes = self.changes()
        if changes:
            text += " Những thay đổi: " + "; ".join(changes) + "."
        return text
