"""Evidence declaration of the data-quality detector: the portal values that cannot both be right, in Vietnamese."""

from __future__ import annotations

from detectors.evidence.fields import (
    Declaration,
    RuleEvidence,
    area,
    code,
    fact,
    group,
    ident,
    money,
    number,
    ordinal,
    text,
)

PROBLEMS = {
    "deposit_above_start_price": "tiền đặt trước lớn hơn giá khởi điểm",
    "land_price_per_m2_implausible": "giá đất mỗi m² không hợp lý",
}

IMPLAUSIBLE_PORTAL_VALUE = RuleEvidence(
    fields=(
        group("problems", "Giá trị không hợp lý",
              code("code", "Vấn đề", PROBLEMS),
              money("start_price", "Giá khởi điểm"),
              money("deposit", "Tiền đặt trước"),
              number("times", "Gấp", unit="lần"),
              text("price_basis_note", "Cách tính giá khởi điểm"),
              area("land_area_m2", "Diện tích đất"),
              money("price_per_m2", "Giá mỗi m²"),
              money("plausible_per_m2", "Khoảng giá hợp lý mỗi m²", many=True),
              many=True),
        text("lot_name", "Tài sản"),
        ident("notice", "Thông báo đấu giá (mã)"),
        ordinal("lot_index", "Lô số"),
    ),
    facts=(
        fact("Tiền đặt trước {deposit} — giá khởi điểm {start_price}: gấp {times} lần",
             "Giá khởi điểm {start_price} cho {land_area_m2} đất — {price_per_m2} mỗi m²", each="problems"),
    ),
    summary=(fact("Tiền đặt trước gấp {times} lần giá khởi điểm", "{price_per_m2} mỗi m² đất", each="problems"),),
)

DECLARATION = Declaration({"implausible_portal_value": IMPLAUSIBLE_PORTAL_VALUE})
