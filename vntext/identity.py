"""Asset identity of an auction notice, for linking relisted notices: what kind of asset, and which identifiers.

Parcel and map-sheet numbers, the land area and the certificate serial are read by light patterns here first
(list-aware: "thửa đất số 85 + 95 + 532", "thửa 6+628+629"; the sheet typo "trờ bản đồ"); a land text where they
miss the parcel, the sheet or the area goes through ``vntext.parcels`` (the full D2 extractor), whose results are
added. That split keeps identity extraction near 0.3 ms per notice, which a daily pass over ~600,000 notices needs.
The other identifiers are read here: licence plates and vessel registrations, chassis and engine numbers, house
addresses (number + street), share counts, the debtor named in the text, wards and districts. Everything runs on
accent-folded lower-case text (``vntext.fold.fold_name``), bounded in size, and each pattern only runs when a cheap
substring test says it can match.

Known false-positive cases handled (kinnhun's extractor notes): "ô tô 46 chỗ" is not map sheet 46, "Tổ 10" is not a
sheet, "tờ bản đồ số 491-III-D-d" is one sheet; a model code ("Số loại: AE101") is never an identifier.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from vntext.fold import fold_name, fold_words
from vntext.numbers import parse_vn_number
from vntext.parcels import extract_parcel_details

MAX_CHARS = 8_000
CATEGORY_WORDS: dict[str, re.Pattern[str]] = {
    "land": re.compile(r"quyen su dung|qsdd|thua dat|nha o|\bnha,? dat\b|can ho|quyen so huu nha|bat dong san|"
                       r"cong trinh xay dung|\bdat o\b"),
    "vehicle": re.compile(r"\bxe (?:o to|oto|tai|may|mo to|nang|khach|dau keo|ca|cuu hoa|ban tai|con|du lich|"
                          r"chuyen dung|cau|xuc|lu|ui)|\bo to\b|ro mooc|so khung|bien kiem soat|bien so"),
    "vessel": re.compile(r"\btau (?:keo|ca|cao toc|hang|thuy|cho)|\bsa lan\b|\bxa lan\b|phuong tien thuy"),
    "shares": re.compile(r"\bco phan\b(?! (?:quan ly|dau tu|tap doan|thuong mai|xay dung|dich vu|phat trien|"
                         r"san xuat|dia oc|chung khoan|ngan hang|bao hiem))|\bco phieu\b|\bphan von gop\b"),
    "debt": re.compile(r"\bkhoan no\b|\bkhoan vay\b|\bdu no\b|\bno xau\b|\bquyen doi no\b"),
}
_PARCEL = re.compile(r"\bthua(?: dat)?(?: so)?\s*:?\s*(\d{1,5}[a-z]?(?:\s*(?:\+|,|;|va|-)\s*\d{1,5}[a-z]?)*)"
                     r"(?!\s*(?:m2|m\b|ha\b))")
_SHEET = re.compile(r"\b(?:to|tro) ban do(?: dia chinh)?(?: so)?\s*:?\s*(\d{1,4}(?:-[ivx]{1,4}(?:-[a-d]){0,2})?)|"
                    r"\btbd(?: so)?\s*:?\s*(\d{1,4})")
_PLATE = re.compile(r"(?:bien (?:so|kiem soat)|bks|\bbs|so dang ky|bien dang ky)\s*[:.]?\s*"
                    r"(\d{2}[a-z]{1,2}\d?|[a-z]{2,3})\s*[-.]?\s*(\d{3}\.?\d{2}|\d{4,5})(?!\d)")
_CHASSIS = re.compile(r"\bso khung\s*[:.]?\s*([a-z0-9][a-z0-9\-./]{3,24})")
_ENGINE = re.compile(r"\bso may\s*[:.]?\s*([a-z0-9][a-z0-9\-./]{3,24})")
_SHARES = re.compile(r"(\d{1,3}(?:[.,]\d{3})+|\d{1,9})\s*(?:co phan|co phieu|cp)\b")
_ADDRESS = re.compile(r"(?:\bso nha|\bso|\btai|\bdia chi\s*:?)\s+(\d{1,5}[a-z]?\d?(?:[/-]\d{1,5}[a-z]?\d?)*)\s+"
                      r"(?:\([^)]{0,40}\)\s*)?(?:duong\s+)?([a-z0-9 ]{2,40}?)\s*(?:\([^)]{0,40}\)\s*)?[,;.]\s*"
                      r"(?=(?:phuong|p\s?\.|xa|quan|q\s?\.|huyen|thi tran|ap|khu pho|to dan pho|thanh pho|tp))")
_ADDRESS_EXCLUDED_BEFORE = re.compile(r"(?:thua(?: dat)?|ban do|chung nhan|vao|quyet dinh|hop dong|dang ky|"
                                      r"thong bao|cong van|van ban|giay|khung|may|seri|serial|cmnd|cccd)\s*$")
_STREET_STOP = re.compile(r"^(?:tai san|thua|lo|xe|chiec|cai|bo|m2|nam|thang|ngay|nguoi|quyen|hai|ba|mot|"
                          r"bon|nam|so)\b")
_DEBTOR = re.compile(r"(?:nguoi phai thi hanh an|ben vay|ben the chap|khach hang vay|ben bao lanh|ben duoc cap tin dung|"
                     r"dung ten(?: so huu)?|thuoc so huu cua|cua)\s*:?\s*((?:ong|ba|cong ty|ctcp|cty|dntn|hop tac xa)"
                     r"\s+[a-z0-9 ]{3,60}?)(?=[,;.()]|$| va | theo | tai | dia chi| so | dia chi| sinh nam)")
_WARD = re.compile(r"\b(?:phuong|xa|thi tran)\s+([a-z0-9][a-z0-9 ]{0,30}?)(?=\s*[,;.)]|$|\s(?:quan|huyen|thi xa|"
                   r"thanh pho|tp|tinh)\b)|\bp\s?\.\s?(\d{1,2})\b")
_DISTRICT = re.compile(r"\b(?:quan|huyen|thi xa)\s+([a-z0-9][a-z0-9 ]{0,30}?)(?=\s*[,;.)]|$|\s(?:thanh pho|tp|tinh)\b)|"
                       r"\bq\s?\.\s?(\d{1,2}|[a-z][a-z ]{1,20}?)(?=\s*[,;.)]|$)")
_AREA = re.compile(r"\bdien tich(?: dat| su dung| dat o| thuc te| theo gcn| la| khoang| dat thuc te){0,2}\s*:?\s*"
                   r"(\d[\d.,]{0,20}\d|\d)\s?(m2|ha)\b")
_CERT = re.compile(r"(?:giay chung nhan|gcn)[^;\n]{0,150}?\bso\s*(?:phat hanh|seri)?\s*:?\s*([a-z]{2})\s?(\d{6})\b")
_WORD_NUMBERS = re.compile(r"\d+")
_LIST_SPLIT = re.compile(r"\s*(?:\+|,|;|va|-)\s*")
_WARD_NOISE = {"hoi"}  # "xã hội" in "bảo hiểm xã hội"
_PLACE_STOP = re.compile(r"\b(?:cua|thuoc|tai|theo|do|voi|va|gom|la|co|dien tich|thua|to ban do)\b")


@dataclass(frozen=True, slots=True)
class AssetIdentity:
    categories: frozenset[str]
    parcels: frozenset[str]
    sheets: frozenset[str]
    area_m2: float | None
    certificates: frozenset[str]
    plates: frozenset[str]
    chassis: frozenset[str]
    engines: frozenset[str]
    addresses: frozenset[str]  # "102/53a|100 binh thoi"
    streets: frozenset[str]
    shares: frozenset[int]
    debtors: frozenset[str]
    wards: frozenset[str]
    districts: frozenset[str]
    words: str  # folded words of the notice name (text similarity)

    # Derived from `words` on use (and memoised per words), not stored: 600,000 identities held for a full pass
    # would carry two more sets each.
    @property
    def word_set(self) -> frozenset[str]:
        return _word_set(self.words)

    @property
    def numbers(self) -> frozenset[str]:
        """Numbers written in the name."""
        return _name_numbers(self.words)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {}
        for name in ("categories", "parcels", "sheets", "certificates", "plates", "chassis", "engines", "addresses",
                     "shares", "debtors", "wards", "districts"):
            value = getattr(self, name)
            if value:
                out[name] = sorted(value)
        if self.area_m2 is not None:
            out["area_m2"] = self.area_m2
        return out

    def to_cache(self) -> dict[str, object]:
        """Everything but what ``from_cache`` derives from the name words (word set, numbers)."""
        return {**self.as_dict(), "words": self.words}

    @classmethod
    def from_cache(cls, d: dict) -> "AssetIdentity":
        name_words = d["words"]
        sets = {name: frozenset(d.get(name, ())) for name in (
            "categories", "parcels", "sheets", "certificates", "plates", "chassis", "engines", "addresses", "shares",
            "debtors", "wards", "districts")}
        streets = frozenset(a.split("|", 1)[1] for a in sets["addresses"] if "|" in a)
        return cls(area_m2=d.get("area_m2"), streets=streets, words=name_words, **sets)


@lru_cache(maxsize=65_536)
def _word_set(name_words: str) -> frozenset[str]:
    return frozenset(name_words.split())


@lru_cache(maxsize=65_536)
def _name_numbers(name_words: str) -> frozenset[str]:
    return frozenset(_num(n) for n in _WORD_NUMBERS.findall(name_words))


def _num(token: str) -> str:
    token = token.strip().lower()
    return token.lstrip("0") or "0" if token.isdigit() else token


def _ident(raw: str) -> str | None:
    s = re.sub(r"[-./]", "", raw.lower())
    return s.upper() if len(s) >= 5 and any(c.isdigit() for c in s) else None


def words(text: str | None) -> str:
    """The folded words of a notice name (its first MAX_CHARS characters), for text similarity."""
    return fold_words((text or "")[:MAX_CHARS])


def _parcel_lists(low: str) -> set[str]:
    out: set[str] = set()
    for m in _PARCEL.finditer(low):
        for token in _LIST_SPLIT.split(m.group(1)):
            if token and token[0].isdigit():
                out.add(_num(token))
    return out


def _sheets(low: str) -> set[str]:
    out = set()
    for m in _SHEET.finditer(low):
        token = m.group(1) or m.group(2)
        if token:
            out.add(_num(token.upper() if "-" in token else token))
    return out


def _addresses(low: str) -> tuple[set[str], set[str]]:
    keys, streets = set(), set()
    for m in _ADDRESS.finditer(low):
        if _ADDRESS_EXCLUDED_BEFORE.search(low[max(0, m.start() - 25):m.start()]):
            continue
        house, street = m.group(1), " ".join(m.group(2).split())
        if not street or _STREET_STOP.match(street) or street.isdigit():
            continue
        street = " ".join(street.split()[:4])
        keys.add(f"{house}|{street}")
        streets.add(street)
    return keys, streets


def _area(low: str) -> float | None:
    if "dien tich" not in low:
        return None
    for m in _AREA.finditer(low):
        value = parse_vn_number(m.group(1))
        if value:
            return value * 10_000 if m.group(2) == "ha" else value
    return None


def _localities(low: str) -> tuple[set[str], set[str]]:
    wards = {(" ".join((m.group(1) or m.group(2)).split())) for m in _WARD.finditer(low)}
    districts = {(" ".join((m.group(1) or m.group(2)).split())) for m in _DISTRICT.finditer(low)}
    wards = {_num(w) for w in map(_place_name, wards) if w and w not in _WARD_NOISE}
    return wards, {_num(d) for d in map(_place_name, districts) if d}


def _place_name(raw: str) -> str:
    """A ward or district name: cut at the first word that cannot belong to it, at most four words."""
    m = _PLACE_STOP.search(raw)
    return " ".join((raw[:m.start()] if m else raw).split()[:4])


def extract_identity(name: str, places: list[str] | None = None, property_type_id: int | None = None) -> AssetIdentity:
    """Identity of one notice from its asset name and lot places (no attachments: they describe other lots too)."""
    text = (name or "")[:MAX_CHARS]
    joined = " ; ".join([text, *[p[:1000] for p in places or [] if p and p not in text]])
    low = fold_name(joined)
    categories = {cat for cat, rx in CATEGORY_WORDS.items() if rx.search(low)}
    if property_type_id == 173:
        categories.add("land")
    parcels = _parcel_lists(low) if "thua" in low else set()
    sheets = _sheets(low) if ("ban do" in low or "tbd" in low) else set()
    area = _area(low)
    certificates = {(m.group(1) + m.group(2)).upper() for m in _CERT.finditer(low)} if (
        "giay chung nhan" in low or "gcn" in low) else set()
    if "land" in categories and not (parcels and sheets and area):
        details = extract_parcel_details({"name": text, "place": " ; ".join(places or [])},
                                         property_type_id=property_type_id)
        parcels |= {_num(p) for p in details.parcel_no}
        sheets |= {_num(s.upper() if "-" in s else s) for s in details.map_sheet}
        area = area or details.area_m2
        if details.certificate and re.fullmatch(r"[A-Z]{1,2}\s?\d{6,8}", details.certificate.strip()):
            certificates.add(details.certificate.replace(" ", "").upper())
    plates = set()
    if "bien" in low or "bks" in low or "bs" in low or "dang ky" in low:
        for m in _PLATE.finditer(low):
            plates.add((m.group(1) + m.group(2).replace(".", "")).upper())
    chassis = {i for m in _CHASSIS.finditer(low) if (i := _ident(m.group(1)))} if "so khung" in low else set()
    engines = {i for m in _ENGINE.finditer(low) if (i := _ident(m.group(1)))} if "so may" in low else set()
    addresses, streets = _addresses(low) if _WORD_NUMBERS.search(low) else (set(), set())
    shares = set()
    if "shares" in categories:
        for m in _SHARES.finditer(low):
            digits = re.sub(r"[.,]", "", m.group(1))
            if digits.isdigit() and int(digits) > 0:
                shares.add(int(digits))
    debtors = {" ".join(m.group(1).split()) for m in _DEBTOR.finditer(low)} if (
        "ong " in low or "ba " in low or "cong ty" in low or "cty" in low or "dntn" in low or "hop tac xa" in low) else set()
    wards, districts = _localities(low)
    name_words = words(text)
    return AssetIdentity(
        categories=frozenset(categories), parcels=frozenset(parcels), sheets=frozenset(sheets), area_m2=area,
        certificates=frozenset(certificates), plates=frozenset(plates), chassis=frozenset(chassis),
        engines=frozenset(engines), addresses=frozenset(addresses), streets=frozenset(streets),
        shares=frozenset(shares), debtors=frozenset(debtors), wards=frozenset(wards),
        districts=frozenset(districts), words=name_words,
    )
