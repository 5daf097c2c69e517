"""exclusionary_terms: notice terms that keep bidders out.

Per auction notice: a deposit outside ``deposit_min_pct``–``deposit_max_pct`` % of the start price (``depositUnit``
0 = VND, 1 = %, 2 = USD, not comparable with a VND price); a dossier fee above the cap of the fee table for its
start price (Thông tư 48/2017/TT-BTC); a registration window shorter than the minimum for its asset class; a
registration deadline on a Sunday (``closed_weekdays``) or a Vietnamese public holiday (``holidays`` package); an
auction held less than ``min_days_reg_to_auction`` days after registration closes. Subject: ``auction_notice``.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any, Iterator

from detectors.base import Result
from detectors.collusion import legal
from detectors.collusion.dataset import Notice
from detectors.collusion.identity import CATEGORY_WORDS
from detectors.collusion.settings import ExclusionaryTermsSettings
from vntext.workdays import holiday_name
from storage.names import fold

RULE = "exclusionary_terms"
UNIT_NAMES = {0: "VND", 1: "%", 2: "USD"}
WEEKDAYS_VI = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


def fee_cap(settings: ExclusionaryTermsSettings, start_price: float) -> float:
    """Cap of the fee table for a start price; bounds are inclusive upper limits of their band."""
    return settings.fee_caps_vnd[bisect_left(settings.fee_cap_bounds_vnd, start_price)]


def is_real_estate(n: Notice) -> bool:
    return 173 in n.type_ids() or bool(CATEGORY_WORDS["land"].search(fold(n.name[:2000])))


def deposit_pct(price: float | None, deposit: float | None, unit: int | None) -> float | None:
    if not price or price <= 0 or deposit is None or deposit < 0:
        return None
    if unit == 1:
        return float(deposit)
    if unit in (0, None):
        return 100.0 * deposit / price
    return None  # USD deposit against a VND price


def check_notice(n: Notice, s: ExclusionaryTermsSettings) -> tuple[list[dict[str, Any]], int]:
    """Problems found and the number of checks that could be evaluated."""
    problems: list[dict[str, Any]] = []
    checked = 0
    exempt = bool(n.type_ids() & set(s.deposit_exempt_property_types))
    fee_exempt = bool(n.type_ids() & set(s.fee_exempt_property_types))
    for lot in n.lots:
        pct = None if exempt else deposit_pct(lot.start_price, lot.deposit, lot.deposit_unit)
        if pct is not None:
            checked += 1
            if pct < s.deposit_min_pct or pct > s.deposit_max_pct:
                problems.append({"code": "deposit_out_of_range", "lot": lot.index, "start_price": lot.start_price,
                                 "deposit": lot.deposit, "deposit_unit": UNIT_NAMES.get(lot.deposit_unit, "?"),
                                 "deposit_pct": round(pct, 4), "allowed_pct": [s.deposit_min_pct, s.deposit_max_pct],
                                 "source": "Luật Đấu giá tài sản 2016 Điều 39 k1"})
        if not fee_exempt and lot.start_price and lot.start_price > 0 and lot.file_cost is not None:
            checked += 1
            cap = fee_cap(s, lot.start_price)
            if lot.file_cost > cap:
                problems.append({"code": "fee_above_cap", "lot": lot.index, "start_price": lot.start_price,
                                 "file_cost": lot.file_cost, "cap": cap, "ratio": round(lot.file_cost / cap, 4),
                                 "cap_table": {"bounds_vnd": s.fee_cap_bounds_vnd, "caps_vnd": s.fee_caps_vnd},
                                 "source": legal.FEE_SOURCE})
    if n.reg_start and n.reg_end:
        checked += 1
        days = (n.reg_end.date() - n.reg_start.date()).days
        real_estate = is_real_estate(n)
        minimum = s.min_reg_window_days_real_estate if real_estate else s.min_reg_window_days_other
        if days < minimum:
            problems.append({"code": "short_registration_window", "reg_start": n.reg_start, "reg_end": n.reg_end,
                             "days": days, "minimum_days": minimum,
                             "asset_class": "real_estate" if real_estate else "other"})
    if n.reg_end:
        checked += 1
        day = n.reg_end.date()
        holiday = holiday_name(day)
        if day.weekday() in s.closed_weekdays or holiday:
            problems.append({"code": "registration_closes_on_day_off", "reg_end": n.reg_end,
                             "weekday": WEEKDAYS_VI[day.weekday()], "holiday": holiday})
    if n.reg_end and n.auction_at:
        checked += 1
        gap = (n.auction_at.date() - n.reg_end.date()).days
        if gap < s.min_days_reg_to_auction:
            problems.append({"code": "auction_too_soon_after_registration", "reg_end": n.reg_end,
                             "auction_at": n.auction_at, "days": gap, "minimum_days": s.min_days_reg_to_auction})
    return problems, checked


def evaluate_terms(notices: list[Notice], s: ExclusionaryTermsSettings, open_ids: set[str]) -> Iterator[Result]:
    for n in notices:
        problems, checked = check_notice(n, s)
        base = dict(rule=RULE, subject_kind="auction_notice", subject_id=str(n.id), owner_name=n.owner_name,
                    province=n.province, urls=[n.url] if n.url else [])
        if problems:
            kinds = {p["code"] for p in problems}
            yield Result(status="flag", severity="medium" if len(kinds) >= 2 else "low", title=_title(problems),
                         evidence={"problems": problems, "checks_evaluated": checked}, legal_basis=_legal(kinds),
                         **base)
        elif str(n.id) in open_ids:
            yield Result(status="pass" if checked else "not_applicable", evidence={"checks_evaluated": checked},
                         **base)


def _legal(kinds: set[str]) -> str:
    parts = []
    if "deposit_out_of_range" in kinds:
        parts.append(legal.DEPOSIT)
    if "fee_above_cap" in kinds:
        parts.append(legal.FEE)
    if kinds & {"short_registration_window", "registration_closes_on_day_off", "auction_too_soon_after_registration"}:
        parts.append(legal.REGISTRATION)
    return legal.join(*parts)


def _title(problems: list[dict[str, Any]]) -> str:
    parts: list[str] = []
    done: set[str] = set()
    for p in problems:
        code = p["code"]
        if code in done:
            continue
        done.add(code)
        if code == "deposit_out_of_range":
            parts.append(f"tiền đặt trước {legal.num(p['deposit_pct'], 1)}% giá khởi điểm (ngoài khoảng "
                         f"{legal.num(p['allowed_pct'][0], 0)}–{legal.num(p['allowed_pct'][1], 0)}%)")
        elif code == "fee_above_cap":
            parts.append(f"tiền hồ sơ {legal.vnd(p['file_cost'])} vượt mức tối đa {legal.vnd(p['cap'])}")
        elif code == "short_registration_window":
            parts.append(f"thời gian đăng ký chỉ {p['days']} ngày (tối thiểu {p['minimum_days']})")
        elif code == "registration_closes_on_day_off":
            day = p["holiday"] and f"ngày nghỉ lễ ({p['holiday']})" or p["weekday"]
            parts.append(f"hạn đăng ký kết thúc vào {day}")
        elif code == "auction_too_soon_after_registration":
            parts.append(f"đấu giá chỉ {p['days']} ngày sau khi hết hạn đăng ký (tối thiểu {p['minimum_days']})")
    text = "; ".join(parts)
    return "Điều kiện hạn chế người tham gia: " + text + "."
