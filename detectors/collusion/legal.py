"""Legal bases quoted in collusion findings, and the Vietnamese number formats their titles use."""

from __future__ import annotations

COLLUSION = ("Luật Đấu giá tài sản 2016 (01/2016/QH14) Điều 9: nghiêm cấm thông đồng, móc nối, dìm giá; "
             "Chương trình hành động THADS năm 2024: phòng ngừa \"quân xanh, quân đỏ\", thông đồng, dìm giá")
THADS_PRICE_CUT = ("Luật Thi hành án dân sự 2008 Điều 104 khoản 5: mỗi lần giảm giá không quá 10% giá khởi điểm "
                   "của lần bán đấu giá liền trước")
DEPOSIT = "Luật Đấu giá tài sản 2016 Điều 39 khoản 1: tiền đặt trước tối thiểu 5%, tối đa 20% giá khởi điểm"
FEE = "Thông tư 48/2017/TT-BTC: mức thu tối đa tiền bán hồ sơ tham gia đấu giá theo giá khởi điểm"
FEE_SOURCE = "TT 48/2017/TT-BTC"
REGISTRATION = ("Luật Đấu giá tài sản 2016 Điều 35 (niêm yết) và Điều 38 khoản 1 (bán, tiếp nhận hồ sơ liên tục "
                "đến trước ngày mở cuộc đấu giá 02 ngày)")
MIN_BIDDERS = "Luật Đấu giá tài sản 2016 Điều 5 khoản 2 và Điều 49 (đấu giá phải có từ hai người trở lên tham gia)"


def join(*parts: str) -> str:
    """Several legal bases, each once, in order."""
    seen: list[str] = []
    for p in parts:
        if p and p not in seen:
            seen.append(p)
    return "; ".join(seen)


def vnd(amount: float | int | None) -> str:
    """1893523000 -> '1.893.523.000 đ'."""
    if amount is None:
        return "?"
    return f"{round(amount):,}".replace(",", ".") + " đ"


def pct(share: float | None, digits: int = 1) -> str:
    """0.1234 -> '12,3%' (Vietnamese decimal comma)."""
    if share is None:
        return "?"
    return f"{share * 100:.{digits}f}".replace(".", ",") + "%"


def num(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "?"
    return f"{value:.{digits}f}".replace(".", ",")


def quantity(value: float | None, max_decimals: int = 2) -> str:
    """26281.0 -> '26.281', 8101.25 -> '8.101,25' (dot thousands, comma decimals, no trailing zeros)."""
    if value is None:
        return "?"
    whole, _, frac = f"{value:.{max_decimals}f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    whole = f"{int(whole.lstrip('-')):,}".replace(",", ".")
    frac = frac.rstrip("0")
    return sign + whole + ("," + frac if frac else "")
