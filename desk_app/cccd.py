"""Citizen identity card numbers (CCCD): 12 digits, with province, century and sex.

Digits 1–3: province code of birth registration; digit 4: century and sex (0/1 = 1900s
male/female, 2/3 = 2000s, 4/5 = 2100s…); digits 5–6: the last two digits of the birth
year; digits 7–12: serial. There is no public checksum.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# Province codes of birth registration (the 63 provinces before the 2025 merger; old
# codes stay valid on cards already issued).
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn",
    "008": "Tuyên Quang", "010": "Lào Cai", "011": "Điện Biên", "012": "Lai Châu",
    "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ",
    "026": "Vĩnh Phúc", "027": "Bắc Ninh", "030": "Hải Dương", "031": "Hải Phòng",
    "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh",
    "044": "Quảng Bình", "045": "Quảng Trị", "046": "Thừa Thiên Huế", "048": "Đà Nẵng",
    "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum",
    "064": "Gia Lai", "066": "Đắk Lắk", "067": "Đắk Nông", "068": "Lâm Đồng",
    "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu", "079": "TP. Hồ Chí Minh", "080": "Long An",
    "082": "Tiền Giang", "083": "Bến Tre", "084": "Trà Vinh", "086": "Vĩnh Long",
    "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}  # fmt: skip


@dataclass(frozen=True)
class CccdCheck:
    """The outcome of checking a CCCD: an error blocks, warnings only inform."""

    error: str | None
    warnings: tuple[str, ...] = ()
    birth_century_start: int | None = None
    female: bool | None = None


def check_cccd(number: str, date_of_birth: dt.date | None = None) -> CccdCheck:
    """Check the format, and digits 4–6 against the date of birth when one is given.

    Messages are in Vietnamese: they are shown beside the field.
    """
    number = number.strip()
    if not number.isdigit() or len(number) != 12 or not number.isascii():
        return CccdCheck(error="Số CCCD phải gồm đúng 12 chữ số.")
    warnings: list[str] = []
    if number[:3] not in PROVINCE_CODES:
        warnings.append(f"Mã tỉnh {number[:3]} không có trong danh sách; kiểm tra lại số CCCD.")
    century_digit = int(number[3])
    century = 1900 + 100 * (century_digit // 2)
    female = century_digit % 2 == 1
    if century > 2100:
        return CccdCheck(error="Chữ số thứ 4 của CCCD (thế kỷ, giới tính) không hợp lệ.")
    if date_of_birth is not None:
        year = century + int(number[4:6])
        if year != date_of_birth.year:
            return CccdCheck(
                error=(
                    f"Số CCCD ứng với năm sinh {year}, nhưng ngày sinh đã nhập là năm "
                    f"{date_of_birth.year}."
                ),
                birth_century_start=century,
                female=female,
            )
    return CccdCheck(
        error=None, warnings=tuple(warnings), birth_century_start=century, female=female
    )


def mask_cccd(number: str | None) -> str:
    """``079123456734`` → ``0791******34``: what lists, logs and exports show."""
    if not number:
        return ""
    if len(number) <= 6:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 6) + number[-2:]
