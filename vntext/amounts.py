"""Money amounts of an auctioned lot with what they are per: the whole lot, a m², a m² a year, a month, a year, one
unit of several, or a total shared by several lots.

The portal's ``propertyStartPrice``, ``deposit`` and ``fileCost`` are bare numbers; what each is per is read from the
lot's texts (name, quantity, quality, detail, place) and from the shape of the notice:

* an explicit unit written after an amount ("17.100.000 đồng/m²", "775 đồng/m²/năm", "60.950.000 đồng/tháng",
  "tiền đặt trước 300.000.000 đồng/thửa") fixes the basis of the portal value it matches (``proven``);
* a lot that groups several units ("02 thửa", "59", "50 suất đất", "73 vị trí", "được chia thành 08 lô") has a price
  that may be their sum or one unit's price;
* a right to exploit or rent something ("quyền khai thác", "cho thuê", not "công trình trên đất thuê") is priced per
  period, and its deposit is often set on the whole term ("Thời hạn khai thác: 03 năm");
* the same start price repeated on several lots of one notice is a notice total, not each lot's price;
* otherwise the price is the lot's own (``lot``, the portal's meaning of the field).

``LotAmounts.whole_price_candidates`` lists, by reading (``as_written``, ``price_per_unit_times_units``,
``total_over_units``, ``notice_total_over_lots``, ``per_month_times_term``, ``per_year_times_term``,
``per_m2_times_area``, ``per_m2_year_times_area_and_term``), the prices the text allows the deposit to be measured against (the price
itself; times the units, the term in months or years, or the land area; one unit's share of a total); a ratio rule
that finds none of them legal, on a basis that is not proven, must answer "insufficient" (``Basis.note_vi`` says why
in Vietnamese), never "violation".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from vntext.core import normalize_vn, parse_vnd
from vntext.fold import fold_lower
from vntext.parcels import land_areas

MAX_TEXT = 6_000  # characters of each text that are read
MAX_UNITS = 5_000  # a lot grouping more units than this is a parse error

LOT = "lot"
PER_M2 = "m2"
PER_M2_YEAR = "m2_year"
PER_MONTH = "month"
PER_YEAR = "year"
PER_UNIT = "unit"
SHARED = "notice_total"
UNKNOWN = "unknown"

BASIS_VI = {
    LOT: "cả lô tài sản", PER_M2: "mỗi m²", PER_M2_YEAR: "mỗi m² mỗi năm", PER_MONTH: "mỗi tháng",
    PER_YEAR: "mỗi năm", PER_UNIT: "mỗi đơn vị", SHARED: "tổng của cả thông báo", UNKNOWN: "chưa xác định",
}

_SLASH_UNIT = re.compile(
    r"\s{0,2}/\s{0,2}(m2|m²|met vuong|ha|thang|nam|lo|thua|suat|vi tri|xe|chiec|ho so|bo ho so|bo|nguoi)\b"
    r"(?:\s{0,2}/\s{0,2}(nam|thang))?"
)
_LABELS = (
    ("price", re.compile(r"gia khoi diem|gia khoi dau|gia thue khoi diem|don gia")),
    ("deposit", re.compile(r"tien dat truoc|khoan tien dat truoc|dat truoc")),
    ("fee", re.compile(r"tien (?:mua|ban) ho so|tien ho so|phi ho so|gia ban ho so")),
)
_AMOUNT_START = re.compile(r"(?<![\d.,])\d{1,3}(?:[.,]\d{3})+(?:,\d+)?|(?<![\d.,])\d+(?:,\d+)?")
_COUNT_UNIT = re.compile(
    r"(?<![\d.,/])(\d{1,4})\s{1,3}(thua(?: dat)?|lo(?: dat)?|suat(?: dat)?|vi tri|o dat|can ho|can nha|can|nen(?: dat)?|"
    r"xe|chiec|tau|quyen su dung dat|bat dong san|tai san)\b"
)
_SPLIT_INTO = re.compile(r"chia thanh\s{1,3}(\d{1,4})\s{1,3}(lo|thua|suat|nen|o)\b")
_PARCEL_LIST = re.compile(r"\bcac thua(?: dat)?(?: so)?\s*:?\s*(\d{1,6}[a-z]?(?:\s*,\s*\d{1,6}[a-z]?){1,60})")
_CODE_LIST = re.compile(r"\bky hieu\s*:?\s*([a-z0-9]{1,6}(?:[-.][a-z0-9]{1,6}){1,3}(?:\s*,\s*[a-z0-9]{1,6}(?:[-.][a-z0-9]{1,6}){1,3}){1,60})")
_BARE_COUNT = re.compile(r"\s*(\d{1,4})\s*\.?\s*")
_PERIODIC = re.compile(
    r"\b(?:quyen khai thac|quyen thue|quyen cho thue|cho thue (?:dat|mat bang|tai san|kiot|ki ot|quay|nha)|"
    r"thue (?:dat|mat bang) de|dau gia cho thue|khai thac tai san cong)\b"
)
_NOT_PERIODIC = re.compile(r"\b(?:tren dat thue|dat thue|thue dat tra tien (?:mot lan|hang nam))\b")
_TERM = re.compile(
    r"thoi (?:han|gian) (?:khai thac|thue|cho thue|su dung)(?: dat)?\s*[:\-]?\s*(?:la\s+)?(\d{1,3}(?:,\d)?)\s{0,2}"
    r"(nam|thang)\b"
)
_SEE_ATTACHMENT = re.compile(
    r"(?:gia khoi diem|tien dat truoc|tien ho so)[^.;\n]{0,80}(?:chi tiet|cu the|theo) (?:tai|trong) (?:file|tep|tai lieu|"
    r"ho so|phu luc|danh muc|quy che)"
)


@dataclass(frozen=True)
class StatedAmount:
    """An amount written in the text with its label and unit: "Giá khởi điểm: 17.100.000 đồng/m²"."""

    label: str  # price | deposit | fee
    value: float
    basis: str
    text: str


@dataclass(frozen=True)
class Quantity:
    """How many units a lot groups, and the word that counts them ("02 thửa" -> 2, "thửa")."""

    count: int
    unit: str | None
    source: str


@dataclass(frozen=True)
class Basis:
    """What one portal amount is per, and how sure that is."""

    basis: str
    proven: bool  # read from an explicit unit in the text (or the default lot basis with nothing against it)
    note_vi: str  # why, in Vietnamese (shown in findings)


@dataclass(frozen=True)
class LotAmounts:
    """A lot's start price, deposit and dossier fee with their bases and the whole-lot prices the text allows."""

    price: float | None
    deposit: float | None
    deposit_is_percent: bool
    fee: float | None
    price_basis: Basis
    deposit_basis: Basis
    fee_basis: Basis
    quantity: Quantity | None
    term_months: float | None
    periodic: bool
    land_area_m2: float | None
    details_in_attachment: bool
    stated: tuple[StatedAmount, ...] = ()
    whole_price_candidates: tuple[tuple[str, float], ...] = field(default_factory=tuple)

    @property
    def comparable(self) -> bool:
        """Price and deposit are on one proven basis: their ratio means what the law measures."""
        return (self.price_basis.proven and self.deposit_basis.proven
                and self.price_basis.basis == self.deposit_basis.basis)

    def as_dict(self) -> dict:
        """A JSON-able form (cached by the detectors; ``from_dict`` reads it back)."""
        return {
            "price": self.price, "deposit": self.deposit, "deposit_is_percent": self.deposit_is_percent,
            "fee": self.fee,
            "price_basis": [self.price_basis.basis, self.price_basis.proven, self.price_basis.note_vi],
            "deposit_basis": [self.deposit_basis.basis, self.deposit_basis.proven, self.deposit_basis.note_vi],
            "fee_basis": [self.fee_basis.basis, self.fee_basis.proven, self.fee_basis.note_vi],
            "quantity": [self.quantity.count, self.quantity.unit, self.quantity.source] if self.quantity else None,
            "term_months": self.term_months, "periodic": self.periodic, "land_area_m2": self.land_area_m2,
            "details_in_attachment": self.details_in_attachment,
            "stated": [[a.label, a.value, a.basis, a.text] for a in self.stated],
            "whole_price_candidates": [list(c) for c in self.whole_price_candidates],
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> LotAmounts:
        q = d.get("quantity")
        return cls(
            price=d["price"], deposit=d["deposit"], deposit_is_percent=d["deposit_is_percent"], fee=d["fee"],
            price_basis=Basis(*d["price_basis"]), deposit_basis=Basis(*d["deposit_basis"]),
            fee_basis=Basis(*d["fee_basis"]), quantity=Quantity(*q) if q else None, term_months=d["term_months"],
            periodic=d["periodic"], land_area_m2=d["land_area_m2"], details_in_attachment=d["details_in_attachment"],
            stated=tuple(StatedAmount(*a) for a in d["stated"]),
            whole_price_candidates=tuple((str(k), float(v)) for k, v in d["whole_price_candidates"]))

    def evidence(self) -> dict:
        """What a finding shows about the amounts' bases."""
        return {"price_basis": self.price_basis.basis, "price_basis_proven": self.price_basis.proven,
                "price_basis_note": self.price_basis.note_vi, "deposit_basis": self.deposit_basis.basis,
                "units": self.quantity.count if self.quantity else None, "term_months": self.term_months,
                "land_area_m2": self.land_area_m2}


def _folded(text: str) -> str:
    return fold_lower(normalize_vn(text[:MAX_TEXT]))


def _slash_basis(unit: str, second: str | None) -> str:
    if unit in ("m2", "m²", "met vuong", "ha"):
        return PER_M2_YEAR if second == "nam" else PER_M2
    if unit == "thang":
        return PER_MONTH
    if unit == "nam":
        return PER_YEAR
    if unit in ("ho so", "bo ho so", "bo", "nguoi"):
        return LOT  # per registration: the whole lot
    return PER_UNIT


def stated_amounts(text: str) -> list[StatedAmount]:
    """Amounts after a price / deposit / fee label, with the unit written after them (none = the whole lot)."""
    folded = _folded(text)
    out: list[StatedAmount] = []
    for label, rx in _LABELS:
        for m in rx.finditer(folded):
            window_end = min(len(folded), m.end() + 120)
            number = _AMOUNT_START.search(folded, m.end(), window_end)
            if number is None or re.search(r"[.;\n]\s", folded[m.end():number.start()]):
                continue
            value = parse_vnd(folded[number.start():number.start() + 80])
            if value is None or value <= 0:
                continue
            tail = folded[number.end():number.end() + 40]
            tail = re.sub(r"^\s{0,2}(?:dong|vnd|vnđ|d)\b\.?", "", tail)
            slash = _SLASH_UNIT.match(tail)
            basis = _slash_basis(slash.group(1), slash.group(2)) if slash else LOT
            out.append(StatedAmount(label, float(value), basis, " ".join(folded[m.start():number.end() + 20].split())))
            if len(out) >= 40:
                return out
    return out


def read_quantity(texts: Mapping[str, str]) -> Quantity | None:
    """How many units the lot groups: the quantity field ("01", "59", "02 thửa") or counted words in the texts."""
    best: Quantity | None = None

    def consider(count: int, unit: str | None, source: str) -> None:
        nonlocal best
        if 1 <= count <= MAX_UNITS and (best is None or count > best.count):
            best = Quantity(count, unit, source)

    amount = texts.get("amount")
    if amount:
        bare = _BARE_COUNT.fullmatch(_folded(amount))
        if bare:
            consider(int(bare.group(1)), None, "amount")
    for source in ("amount", "name", "quality", "detail"):
        text = texts.get(source)
        if not text:
            continue
        folded = _folded(text)
        for m in _COUNT_UNIT.finditer(folded[:1500]):
            if re.search(r"(?:so|lo|thua|to|ban do)\s*:?\s*$", folded[max(0, m.start() - 12):m.start()]):
                continue  # "thửa đất số 2 thửa" / "Lô 1 ..." : a label, not a count
            consider(int(m.group(1)), m.group(2).split()[0], source)
        for m in _SPLIT_INTO.finditer(folded):
            consider(int(m.group(1)), m.group(2), source)
        for rx in (_PARCEL_LIST, _CODE_LIST):
            for m in rx.finditer(folded):
                consider(len([x for x in m.group(1).split(",") if x.strip()]), "thua", source)
    return best


def read_term_months(texts: Mapping[str, str]) -> float | None:
    """The term of a rent or exploitation right in months ("Thời hạn khai thác: 03 năm" -> 36)."""
    for source in ("quality", "detail", "name", "amount"):
        text = texts.get(source)
        if not text:
            continue
        m = _TERM.search(_folded(text))
        if m:
            value = float(m.group(1).replace(",", "."))
            months = value * 12 if m.group(2) == "nam" else value
            if 0 < months <= 12 * 99:
                return months
    return None


def is_periodic(texts: Mapping[str, str]) -> bool:
    """The lot is a right to rent or exploit something for a term (priced per period), not a sale."""
    head = _folded(texts.get("name") or "")[:400]
    if _NOT_PERIODIC.search(head) and not re.search(r"\b(?:quyen khai thac|quyen thue|cho thue)\b", head[:80]):
        return False
    return bool(_PERIODIC.search(head))


def _match(stated: list[StatedAmount], label: str, value: float | None, tolerance: float = 0.005) -> StatedAmount | None:
    if value is None or value <= 0:
        return None
    for s in stated:
        if s.label == label and abs(s.value - value) <= tolerance * value:
            return s
    return None


def read_lot_amounts(texts: Mapping[str, str], *, start_price: float | None, deposit: float | None,
                     deposit_unit: int | None, file_cost: float | None, shared_by_lots: int = 1) -> LotAmounts:
    """The lot's amounts with their bases (see the module docstring). ``texts`` holds the lot's own fields under
    ``name``, ``amount``, ``quality``, ``detail``, ``place``; ``shared_by_lots`` is how many lots of the notice
    carry this same start price (more than one: the price is a notice total)."""
    stated: list[StatedAmount] = []
    see_attachment = False
    for source in ("name", "quality", "detail", "amount"):
        text = texts.get(source)
        if text:
            stated += stated_amounts(text)
            see_attachment = see_attachment or bool(_SEE_ATTACHMENT.search(_folded(text)))
    quantity = read_quantity(texts)
    periodic = is_periodic(texts)
    term = read_term_months(texts) if periodic else None
    areas = land_areas(" ; ".join(t for k, t in texts.items() if k in ("name", "quality", "detail") and t))
    area = areas[0] if areas else None
    units = quantity.count if quantity else 1
    percent = deposit_unit == 1

    price_stated = _match(stated, "price", start_price)
    if price_stated is not None:
        price_basis = Basis(price_stated.basis, True, f"văn bản ghi: “{price_stated.text}”")
    elif shared_by_lots > 1:
        price_basis = Basis(SHARED, False, f"cùng một giá khởi điểm ghi cho {shared_by_lots} lô của thông báo: có thể "
                                           "là tổng giá của cả thông báo")
    elif periodic:
        price_basis = Basis(UNKNOWN, False, "tài sản là quyền thuê/khai thác có thời hạn: giá khởi điểm có thể tính "
                                            "theo tháng, theo năm hoặc theo m²")
    elif units > 1:
        unit = quantity.unit if quantity and quantity.unit else "đơn vị"
        price_basis = Basis(UNKNOWN, False, f"lô gồm {units} {_unit_vi(unit)}: giá khởi điểm có thể là tổng giá hoặc "
                                            "giá của từng đơn vị, hoặc giá mỗi m²")
    elif see_attachment:
        price_basis = Basis(UNKNOWN, False, "thông báo ghi giá khởi điểm chi tiết tại tệp đính kèm")
    else:
        price_basis = Basis(LOT, True, "giá khởi điểm của lô (không có dấu hiệu tính theo đơn vị khác)")

    deposit_stated = _match(stated, "deposit", deposit)
    if percent:
        deposit_basis = Basis("percent", True, "tiền đặt trước ghi theo tỷ lệ % giá khởi điểm")
    elif deposit_stated is not None:
        deposit_basis = Basis(deposit_stated.basis, True, f"văn bản ghi: “{deposit_stated.text}”")
    elif price_basis.basis == LOT and price_basis.proven:
        deposit_basis = Basis(LOT, True, "tiền đặt trước cho một hồ sơ tham gia đấu giá cả lô")
    else:
        deposit_basis = Basis(UNKNOWN, False, "tiền đặt trước có thể tính cho từng đơn vị hoặc cả lô")

    fee_stated = _match(stated, "fee", file_cost)
    fee_basis = Basis(LOT, True, "tiền bán một bộ hồ sơ") if fee_stated is None or fee_stated.basis == LOT \
        else Basis(fee_stated.basis, True, f"văn bản ghi: “{fee_stated.text}”")

    candidates = price_readings(start_price, price_basis.basis, price_basis.proven, units, shared_by_lots,
                                periodic, term, area)
    return LotAmounts(
        price=start_price, deposit=deposit, deposit_is_percent=percent, fee=file_cost, price_basis=price_basis,
        deposit_basis=deposit_basis, fee_basis=fee_basis, quantity=quantity, term_months=term, periodic=periodic,
        land_area_m2=area, details_in_attachment=see_attachment, stated=tuple(stated),
        whole_price_candidates=tuple(candidates))


def price_readings(start_price: float | None, basis: str, proven: bool, units: int | None, shared_by_lots: int,
                   periodic: bool, term_months: float | None, land_area_m2: float | None) -> list[tuple[str, float]]:
    """The prices a deposit or a fee band may be measured against, by reading (see the module docstring): the
    price as written, and on an unproven basis its products with the units, the term or the land area, and one
    unit's or one lot's share of a total."""
    if not start_price or start_price <= 0:
        return []
    units = units or 1
    if proven and basis == PER_M2 and land_area_m2:
        return [("per_m2_times_area", start_price * land_area_m2)]
    if proven and basis in (PER_MONTH, PER_YEAR) and term_months:
        per = 1 if basis == PER_MONTH else 12
        return [("per_month_times_term" if per == 1 else "per_year_times_term", start_price * term_months / per)]
    out = [("as_written", float(start_price))]
    if proven and basis == LOT:
        return out
    if units > 1:
        out += [("price_per_unit_times_units", start_price * units), ("total_over_units", start_price / units)]
    if shared_by_lots > 1:
        out.append(("notice_total_over_lots", start_price / shared_by_lots))
    if periodic and term_months:
        out += [("per_month_times_term", start_price * term_months), ("per_year_times_term", start_price * term_months / 12)]
    if land_area_m2:
        out.append(("per_m2_times_area", start_price * land_area_m2))
        if periodic and term_months:
            out.append(("per_m2_year_times_area_and_term", start_price * land_area_m2 * term_months / 12))
    return out


_UNIT_VI = {"thua": "thửa", "lo": "lô", "suat": "suất", "vi": "vị trí", "o": "ô", "can": "căn", "nen": "nền",
            "xe": "xe", "chiec": "chiếc", "tau": "tàu", "quyen": "quyền sử dụng đất", "bat": "bất động sản",
            "tai": "tài sản"}


def _unit_vi(unit: str) -> str:
    return _UNIT_VI.get(unit.split()[0], unit)


def within(value: float, low: float, high: float, tolerance: float) -> bool:
    """``low <= value <= high`` with a relative rounding tolerance on both bounds (20.0000036 % is 20 %)."""
    return low * (1 - tolerance) <= value <= high * (1 + tolerance)
