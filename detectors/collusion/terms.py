"""exclusionary_terms: notice terms that keep bidders out.

Per auction notice, each check answers flag / insufficient / pass:

* **deposit**: outside ``deposit_min_pct``–``deposit_max_pct`` % of the start price (Luật Đấu giá tài sản Điều 39
  k1). The two numbers are compared only on one proven basis (``vntext.amounts``): a lot of several plots, a price
  per m² or per month, a notice total repeated on several lots are *insufficient* unless a reading the text allows
  (the sum of the units, the whole term) makes the deposit legal. A ratio outside ``plausible_deposit_pct`` is a
  mistyped or mismatched value, never a violation (the ``data_quality`` detector reports it).
* **fee**: a dossier fee above the cap of Thông tư 48/2017/TT-BTC for the lot's start price (general table) or, for
  State land, for the price or the area (land tables); assets outside Điều 4 k1 (``fee_exempt_property_types``) are
  not capped.
* **registration window**: shorter than the minimum for the asset class (real estate, or other assets and debts);
  a deadline on a weekend or holiday counts to the end of the next working day (Bộ luật Dân sự Điều 148 k5).
* **auction too soon**: the auction less than ``min_days_reg_to_auction`` days after registration closes.

A notice with a flagged check is ``flag``; otherwise one with an insufficient check (something that may be wrong
but cannot be decided from the text) is ``insufficient`` with the reason in Vietnamese; otherwise ``pass``.
Subject: ``auction_notice``.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Iterator

from detectors.base import Result, inputs_digest
from detectors.collusion import legal
from detectors.collusion.dataset import LotDetail
from detectors.collusion.notice import LotTerms, Notice
from detectors.collusion.settings import ExclusionaryTermsSettings
from vntext.amounts import LOT, within
from vntext.workdays import holiday_name, next_working_day

RULE = "exclusionary_terms"
UNIT_NAMES = {0: "VND", 1: "%", 2: "USD"}
WEEKDAYS_VI = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]


@dataclass
class Check:
    """One check on one lot or notice: its outcome, the facts behind it and, when insufficient, why."""

    code: str  # deposit_out_of_range | fee_above_cap | short_registration_window | auction_too_soon_after_registration
    status: str  # flag | insufficient | pass
    facts: dict[str, Any] = field(default_factory=dict)
    reason_vi: str | None = None

    def as_dict(self) -> dict[str, Any]:
        out = {"code": self.code, "status": self.status, **self.facts}
        if self.reason_vi:
            out["reason_vi"] = self.reason_vi
        return out


DetailOf = Callable[[Notice, LotTerms], LotDetail]


def _basis(lot: LotTerms, detail: LotDetail | None = None) -> dict[str, Any]:
    """What a finding shows of the amounts' bases: the text layer's full reading when fetched, else the typed
    columns (a check on its way to a pass needs no more)."""
    if detail is not None and detail.amounts is not None:
        return detail.amounts.evidence()
    return {"price_basis": lot.price_basis, "price_basis_proven": lot.price_basis_proven, "units": lot.units,
            "term_months": lot.term_months, "land_area_m2": lot.land_area_m2}


def _cap(bounds: list[float], caps: list[float], value: float) -> float:
    """Cap of a table for a value; bounds are inclusive upper limits of their band."""
    return caps[bisect_left(bounds, value)]


# ------------------------------------------------------------------------------------------------------------ deposit


def deposit_pct(lot: LotTerms) -> float | None:
    """Deposit as % of the start price when both are on one proven basis (or the deposit is given in %), else None."""
    if lot.deposit is None or lot.deposit < 0:
        return None
    if lot.deposit_unit == 1:
        return float(lot.deposit)
    if lot.deposit_unit not in (0, None) or not lot.start_price or lot.start_price <= 0 or not lot.deposit_comparable:
        return None
    return 100.0 * lot.deposit / lot.start_price


def check_deposit(n: Notice, lot: LotTerms, s: ExclusionaryTermsSettings, detail_of: DetailOf) -> Check | None:
    if lot.deposit is None or lot.deposit < 0 or not lot.start_price or lot.start_price <= 0:
        return None
    if lot.deposit_unit not in (0, 1, None):
        return None  # a USD deposit against a VND price
    lo, hi = s.deposit_min_pct, s.deposit_max_pct
    plausible_lo, plausible_hi = s.plausible_deposit_pct
    facts: dict[str, Any] = {"lot": lot.index, "start_price": lot.start_price, "deposit": lot.deposit,
                             "deposit_unit": UNIT_NAMES.get(lot.deposit_unit or 0, "?"), "allowed_pct": [lo, hi],
                             "rounding_tolerance": s.rounding_tolerance, "basis": _basis(lot, detail_of(n, lot)),
                             "source": "Luật Đấu giá tài sản 2016 Điều 39 k1"}
    if lot.deposit_unit == 1 or lot.deposit_comparable:
        pct = float(lot.deposit) if lot.deposit_unit == 1 else 100.0 * lot.deposit / lot.start_price
        facts["deposit_pct"] = round(pct, 4)
        if within(pct, lo, hi, s.rounding_tolerance):
            return Check("deposit_out_of_range", "pass", facts)
        if not plausible_lo <= pct <= plausible_hi:
            return Check("deposit_out_of_range", "insufficient", facts,
                         f"tiền đặt trước bằng {legal.quantity(pct, 1)}% giá khởi điểm: hai số không thể cùng đơn vị tính "
                         "hoặc một trong hai số bị nhập sai trên Cổng, không kết luận được")
        return Check("deposit_out_of_range", "flag", facts)
    raw = 100.0 * lot.deposit / lot.start_price
    facts["deposit_pct_as_written"] = round(raw, 4)
    readings = [(label, 100.0 * lot.deposit / whole) for label, whole in lot.readings() if whole > 0]
    legal_reading = next(((label, pct) for label, pct in readings if within(pct, lo, hi, s.rounding_tolerance)), None)
    if legal_reading is not None:
        facts["consistent_reading"] = {"reading": legal_reading[0], "deposit_pct": round(legal_reading[1], 4)}
        return Check("deposit_out_of_range", "pass", facts)
    detail = detail_of(n, lot)
    facts["basis"] = _basis(lot, detail)
    facts["readings_tried"] = [{"reading": label, "deposit_pct": round(pct, 4)} for label, pct in readings]
    note = detail.amounts.price_basis.note_vi if detail.amounts else "không xác định được đơn vị tính của giá khởi điểm"
    return Check("deposit_out_of_range", "insufficient", facts,
                 f"{note}; tiền đặt trước bằng {legal.quantity(raw, 1)}% giá khởi điểm như ghi trên Cổng "
                 "nhưng không xác định được hai số có cùng đơn vị tính")


# ------------------------------------------------------------------------------------------------------------ fee


def fee_caps(lot: LotTerms, s: ExclusionaryTermsSettings) -> list[float]:
    """The caps that may apply: one per price the text allows the lot to have (the area band too, for State land
    whose bidders are not stated to be households)."""
    prices = [whole for _, whole in lot.readings() if whole > 0]
    if lot.fee_table == "general":
        return [_cap(s.fee_cap_bounds_vnd, s.fee_caps_vnd, p) for p in prices]
    caps = [_cap(s.land_fee_cap_bounds_vnd, s.land_fee_caps_vnd, p) for p in prices]
    if lot.fee_table == "state_land_households":
        return caps
    if lot.land_area_m2:
        caps.append(_cap(s.other_land_fee_area_bounds_m2, s.other_land_fee_caps_vnd, lot.land_area_m2))
    else:
        caps.append(max(s.other_land_fee_caps_vnd))
    return caps


def fee_ratio(lot: LotTerms, s: ExclusionaryTermsSettings) -> float | None:
    """Dossier fee / its cap when the lot's price is proven to be the whole lot's (else None: not comparable)."""
    if (lot.file_cost is None or lot.file_cost <= 0 or not lot.start_price or lot.start_price <= 0
            or not (lot.price_basis_proven and lot.price_basis == LOT) or lot.fee_table == "state_land"):
        return None
    bounds, caps = ((s.fee_cap_bounds_vnd, s.fee_caps_vnd) if lot.fee_table == "general"
                    else (s.land_fee_cap_bounds_vnd, s.land_fee_caps_vnd))
    return lot.file_cost / _cap(bounds, caps, lot.start_price)


def check_fee(n: Notice, lot: LotTerms, s: ExclusionaryTermsSettings, detail_of: DetailOf) -> Check | None:
    if lot.file_cost is None or lot.file_cost <= 0 or not lot.start_price or lot.start_price <= 0:
        return None
    if n.type_ids() & set(s.fee_exempt_property_types):
        return None
    caps = fee_caps(lot, s)
    if not caps:
        return None
    limit = 1 + s.rounding_tolerance
    facts: dict[str, Any] = {"lot": lot.index, "start_price": lot.start_price, "file_cost": lot.file_cost,
                             "table": lot.fee_table, "basis": _basis(lot, detail_of(n, lot)),
                             "source": legal.FEE_SOURCE}
    decisive = lot.price_basis_proven and lot.price_basis == LOT and lot.fee_table != "state_land"
    if decisive:
        cap = caps[0]
        facts.update(cap=cap, ratio=round(lot.file_cost / cap, 4))
        return Check("fee_above_cap", "flag" if lot.file_cost > cap * limit else "pass", facts)
    facts["caps_possible"] = sorted(set(caps))
    if lot.file_cost <= min(caps) * limit:
        return Check("fee_above_cap", "pass", facts)
    # the lot's real price may be any multiple of the one written (a price per m² of an unstated area): only a fee
    # above every cap of the table is above the cap whatever the price
    table_max = {"general": max(s.fee_caps_vnd), "state_land_households": max(s.land_fee_caps_vnd),
                 "state_land": max(s.other_land_fee_caps_vnd)}[lot.fee_table]
    if lot.file_cost > table_max * limit:
        facts.update(cap=table_max, ratio=round(lot.file_cost / table_max, 4))
        return Check("fee_above_cap", "flag", facts)
    detail = detail_of(n, lot)
    facts["basis"] = _basis(lot, detail)
    note = detail.amounts.price_basis.note_vi if detail.amounts else "không xác định được đơn vị tính của giá khởi điểm"
    return Check("fee_above_cap", "insufficient", facts,
                 f"{note}; tiền hồ sơ {legal.vnd(lot.file_cost)} có thể vượt hoặc không vượt mức tối đa tùy giá "
                 "khởi điểm thực của lô")


# ------------------------------------------------------------------------------------------------------------ windows


def registration_end_day(n: Notice, s: ExclusionaryTermsSettings):
    """The last day of the registration window as the law counts it (rolled past a weekend or holiday)."""
    day = n.reg_end.date()  # type: ignore[union-attr]
    return next_working_day(day) if s.roll_deadline_to_working_day else day


def check_window(n: Notice, s: ExclusionaryTermsSettings, detail_of: DetailOf) -> Check | None:
    if not (n.reg_start and n.reg_end):
        return None
    stated = n.reg_end.date()
    end = registration_end_day(n, s)
    days = (end - n.reg_start.date()).days
    real_estate = n.asset_class == "real_estate"
    minimum = s.min_reg_window_days_real_estate if real_estate else s.min_reg_window_days_other
    facts: dict[str, Any] = {"reg_start": n.reg_start, "reg_end": n.reg_end, "days": days, "minimum_days": minimum,
                             "asset_class": n.asset_class}
    if end != stated:
        facts["deadline_rolled_to"] = end
        facts["day_off"] = holiday_name(stated) or WEEKDAYS_VI[stated.weekday()]
    if days >= minimum:
        return Check("short_registration_window", "pass", facts)
    lot = next((l for l in n.lots if l.asset_class == n.asset_class), None)
    if lot is not None:
        facts["asset_class_reason"] = detail_of(n, lot).asset_class_reason
    return Check("short_registration_window", "flag", facts)


def check_auction_gap(n: Notice, s: ExclusionaryTermsSettings) -> Check | None:
    if not (n.reg_end and n.auction_at):
        return None
    gap = (n.auction_at.date() - n.reg_end.date()).days
    facts = {"reg_end": n.reg_end, "auction_at": n.auction_at, "days": gap, "minimum_days": s.min_days_reg_to_auction}
    return Check("auction_too_soon_after_registration", "flag" if gap < s.min_days_reg_to_auction else "pass", facts)


# ------------------------------------------------------------------------------------------------------------ notice


def check_notice(n: Notice, s: ExclusionaryTermsSettings, detail_of: DetailOf) -> list[Check]:
    """Every check that could be evaluated on this notice (``detail_of`` gives a lot's full reading when a finding
    needs its notes)."""
    checks: list[Check | None] = []
    deposit_exempt = bool(n.type_ids() & set(s.deposit_exempt_property_types))
    for lot in n.lots:
        if not deposit_exempt:
            checks.append(check_deposit(n, lot, s, detail_of))
        checks.append(check_fee(n, lot, s, detail_of))
    checks += [check_window(n, s, detail_of), check_auction_gap(n, s)]
    return [c for c in checks if c is not None]


DetailsOf = Callable[[list[tuple[int, int]]], dict[tuple[int, int], LotDetail]]


def notice_digest(n: Notice, settings_fp: str) -> str:
    """What a notice's verdict is computed from: its lots as the text layer read them, its times, the settings."""
    lots = [(l.index, l.inputs, l.start_price, l.deposit, l.deposit_unit, l.file_cost) for l in n.lots]
    return inputs_digest(settings_fp, lots, n.reg_start, n.reg_end, n.auction_at, sorted(n.type_ids()), n.url,
                         n.owner_name, n.province)


def evaluate_terms(notices: list[Notice], s: ExclusionaryTermsSettings, open_digests: dict[str, str | None],
                   details_of: DetailsOf, digest_of: Callable[[Notice], str] | None = None
                   ) -> Iterator[Result]:
    """One result per notice with a problem (or an open finding). A notice whose open finding was computed from the
    same inputs (``digest_of``, by default ``notice_digest``) is answered ``unchanged``; the full readings behind a
    finding's notes are fetched in one batch."""
    settings_fp = inputs_digest(s.model_dump())
    digest_of = digest_of or (lambda n: notice_digest(n, settings_fp))
    todo: list[tuple[Notice, str, list[Check]]] = []
    wanted: set[tuple[int, int]] = set()
    for n in notices:
        subject = str(n.id)
        digest = digest_of(n)
        if subject in open_digests and open_digests[subject] == digest:
            yield Result(rule=RULE, subject_kind="auction_notice", subject_id=subject, status="unchanged")
            continue
        checks = check_notice(n, s, lambda n_, lot: _NO_DETAIL)
        if any(c.status in ("flag", "insufficient") for c in checks):
            wanted.update((n.id, l.index) for l in n.lots)  # a finding shows every lot's reading
            todo.append((n, digest, checks))
        elif subject in open_digests:
            todo.append((n, digest, checks))
    details = details_of(sorted(wanted)) if wanted else {}
    for n, digest, checks in todo:
        if any((n.id, l.index) in wanted for l in n.lots):
            checks = check_notice(n, s, lambda n_, lot: details.get((n_.id, lot.index), _NO_DETAIL))
        result = _result(n, checks)
        result.digest = digest
        yield result


_NO_DETAIL = LotDetail(None, "")


def _result(n: Notice, checks: list[Check]) -> Result:
    flagged = [c for c in checks if c.status == "flag"]
    unsure = [c for c in checks if c.status == "insufficient"]
    base = dict(rule=RULE, subject_kind="auction_notice", subject_id=str(n.id), owner_name=n.owner_name,
                province=n.province, urls=[n.url] if n.url else [])
    evidence: dict[str, Any] = {"problems": [c.as_dict() for c in flagged],
                                "undecided": [c.as_dict() for c in unsure], "checks_evaluated": len(checks)}
    if flagged:
        kinds = {c.code for c in flagged}
        return Result(status="flag", severity="medium" if len(kinds) >= 2 else "low", title=_title(flagged),
                      evidence=evidence, legal_basis=_legal(kinds), **base)
    if unsure:
        return Result(status="insufficient", severity="low", title=_insufficient_title(unsure), evidence=evidence,
                      legal_basis=_legal({c.code for c in unsure}), **base)
    return Result(status="pass" if checks else "not_applicable", evidence={"checks_evaluated": len(checks)}, **base)


def _legal(kinds: set[str]) -> str:
    parts = []
    if "deposit_out_of_range" in kinds:
        parts.append(legal.DEPOSIT)
    if "fee_above_cap" in kinds:
        parts.append(legal.FEE)
    if kinds & {"short_registration_window", "auction_too_soon_after_registration"}:
        parts.append(legal.REGISTRATION)
    return legal.join(*parts)


def _title(checks: list[Check]) -> str:
    parts: list[str] = []
    done: set[str] = set()
    for c in checks:
        if c.code in done:
            continue
        done.add(c.code)
        f = c.facts
        if c.code == "deposit_out_of_range":
            parts.append(f"tiền đặt trước {legal.num(f['deposit_pct'], 1)}% giá khởi điểm (ngoài khoảng "
                         f"{legal.num(f['allowed_pct'][0], 0)}–{legal.num(f['allowed_pct'][1], 0)}%)")
        elif c.code == "fee_above_cap":
            parts.append(f"tiền hồ sơ {legal.vnd(f['file_cost'])} vượt mức tối đa {legal.vnd(f['cap'])}")
        elif c.code == "short_registration_window":
            parts.append(f"thời gian đăng ký chỉ {f['days']} ngày (tối thiểu {f['minimum_days']})")
        elif c.code == "auction_too_soon_after_registration":
            parts.append(f"đấu giá chỉ {f['days']} ngày sau khi hết hạn đăng ký (tối thiểu {f['minimum_days']})")
    return "Điều kiện hạn chế người tham gia: " + "; ".join(parts) + "."


def _insufficient_title(checks: list[Check]) -> str:
    what = {"deposit_out_of_range": "tiền đặt trước", "fee_above_cap": "tiền hồ sơ"}
    names = sorted({what.get(c.code, c.code) for c in checks})
    return ("Chưa đủ dữ liệu để đánh giá " + " và ".join(names) + ": " + (checks[0].reason_vi or "") + ".")
