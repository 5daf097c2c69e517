"""Identity of owners and auction organisations as written on dgts/THADS.

`parse_owner` turns any spelling of an asset owner ("Chi cục THADS huyện Cư M'gar, tỉnh Đắk Lắk",
"Thi hành án dân sự TP.HCM - Phòng Thi hành án dân sự khu vực 12", "Ngân hàng TMCP …") into a kind, the new
(post-July-2025) province, the regional office number and a stable matching key."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from vntext.fold import fold_index, fold_words
from vntext.provinces import (
    PREFIX_DISPLAY,
    PROVINCE_ALIAS_RE,
    OldProvince,
    Province,
    district_candidates,
    find_old_province,
    find_province,
    match_district_at,
    match_province_at,
    prefix_class,
    resolve_district_key,
    slugify,
)

__all__ = [
    "OWNER_KINDS",
    "OwnerIdentity",
    "extract_renames",
    "normalize_org_name",
    "parse_owner",
]

MAX_NAME_CHARS = 1_000
MAX_RENAME_TEXT_CHARS = 200_000

OWNER_KINDS = (
    "thads_province",
    "thads_region",
    "thads_district_old",
    "thads_province_old",
    "bank",
    "state",
    "enterprise",
    "individual",
    "other",
)


@dataclass(frozen=True, slots=True)
class OwnerIdentity:
    """Who owns an auctioned asset, normalised.

    kind: one of OWNER_KINDS. province: the new (34-unit) province. region_no: number of the
    "Phòng Thi hành án dân sự khu vực N". old_unit: the pre-2025 district ("huyện Vạn Ninh") of a Chi cục or
    the old province ("tỉnh Trà Vinh") of a Cục. old_province: the pre-2025 province name when known.
    key: stable matching key (same office, any spelling -> same key)."""

    kind: str
    is_thads: bool
    province: Province | None
    region_no: int | None
    old_unit: str | None
    canonical_name: str
    key: str
    old_province: str | None = None


_WS_RE = re.compile(r"\s+")
_NON_WORD_RE = re.compile(r"[^0-9a-z]+")
_TRAILING_PUNCT = " \t\n.,;:-–—_/\\|"


def _nfc_collapsed(text: str) -> str:
    return _WS_RE.sub(" ", unicodedata.normalize("NFC", text)).strip()


def _clean_display(text: str) -> str:
    return _nfc_collapsed(text).strip(_TRAILING_PUNCT)


# ---- organisation names -----------------------------------------------------------------------------------

_HCM_RE = re.compile(r"\b(?:thanh pho ho chi minh|tp ho chi minh|tphcm|tp hcm|hcm)\b")
_HUE_RE = re.compile(r"\b(?:thanh pho hue|tp hue|thua thien hue|tinh thua thien hue)\b")
_PROVINCE_PREFIX_RE = re.compile(rf"\b(?:tinh|thanh pho|tp)\s+(?={PROVINCE_ALIAS_RE}\b)")
_ORG_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), repl)
    for pattern, repl in (
        (r"\bcty\b", "cong ty"),
        (r"^ct\b(?=\s+(?:dau gia|tnhh|cp|co phan|hop danh|dgts|dghd|dg)\b)", "cong ty"),
        (r"\bctcp\b", "cong ty cp"),
        (r"\bdghd\b", "dau gia hop danh"),
        (r"\bdgts\b", "dau gia tai san"),
        (r"\bdg\b", "dau gia"),
        (r"\bdndgtn\b", "dntn dau gia"),
        (r"\btt\b(?=\s+dv\b)", "trung tam"),
        (r"\bdv\b", "dich vu"),
        (r"\bban dau gia\b", "dau gia"),
        (r"\btrach nhiem huu han\b", "tnhh"),
        (r"\bmot thanh vien\b", "mtv"),
        (r"\bthuong mai co phan\b", "tmcp"),
        (r"\bco phan\b", "cp"),
        (r"\bdoanh nghiep dau gia tu nhan\b", "dntn dau gia"),
        (r"\bdoanh nghiep tu nhan\b", "dntn"),
        (r"\buy ban nhan dan\b", "ubnd"),
        (r"\b(?:no|nn)\s+(?:va\s+)?ptnt\b", "nong nghiep va phat trien nong thon"),
        (r"\bquan ly no va khai thac tai san\b", "qln ktts"),
        (r"\bqln\s+(?:va\s+)?ktts\b", "qln ktts"),
    )
)


@lru_cache(maxsize=65536)
def normalize_org_name(name: str) -> str:
    """Matching key of an organisation name (auction firms in particular): case, diacritics, punctuation,
    abbreviations (Cty, ĐGHD, TNHH, CP, UBND…), "bán đấu giá", "tỉnh/TP" before a province, typos such as
    "họp danh" all collapse. Not meant for display."""
    words = fold_words(name[:MAX_NAME_CHARS])
    for pattern, repl in _ORG_REWRITES:
        words = pattern.sub(repl, words)
    words = _HCM_RE.sub("ho chi minh", words)
    words = _HUE_RE.sub("hue", words)
    words = _PROVINCE_PREFIX_RE.sub("", words)
    return _WS_RE.sub(" ", words).strip()


# ---- THADS office names -----------------------------------------------------------------------------------

_THA = r"(?:(?:thi|tha)\s+hanh\s+an(?:\s+dan\s+su)?|thads)"
_THADS_RE = re.compile(r"\b(?:thi|tha)\s+hanh\s+an\b(?!\s+hinh\s+su)|\bthads\b")
_CENTRAL_RE = re.compile(r"\b(?:tong\s+cuc|cuc\s+quan\s+ly)\s+" + _THA + r"\b")
_CHI_CUC_RE = re.compile(r"\bchi\s+cuc\s+" + _THA + r"\b")
_CUC_RE = re.compile(r"(?<!chi )\bcuc\s+" + _THA + r"\b")
_THA_THEN_PLACE_RE = re.compile(r"\b" + _THA + r"\s*")
_REGION_RE = re.compile(r"\b(?:khu\s*vuc|kv)\s*[.:]?\s*(?P<num>\d{1,3}|[ivxlc]{1,7})(?![0-9a-z])")
_UNIT_PREFIX_RE = re.compile(r"[\s,:\-]*(?P<pre>huyen|quan|thi\s+xa|t?hanh\s+pho|tp|q(?=\s*\.)|tx)\b[\s.]*")
_UNIT_RAW_RE = re.compile(r"[^,;()\-]{1,40}")
_PLACE_SEP_RE = re.compile(r"[\s,:\-]*")

_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def _roman_to_int(text: str) -> int | None:
    total = 0
    prev = 0
    for ch in reversed(text):
        value = _ROMAN[ch]
        if value < prev:
            total -= value
        else:
            total += value
            prev = value
    # reject non-canonical spellings such as "iiii" or "vx" (these are words, not numerals)
    return total if _int_to_roman(total) == text else None


def _int_to_roman(number: int) -> str:
    out = []
    for value, sym in ((100, "c"), (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"),
                       (1, "i")):
        while number >= value:
            out.append(sym)
            number -= value
    return "".join(out)


def _region(folded: str, nfc: str) -> tuple[int | None, int]:
    """Number of "khu vực N" / "KV N" / "khu vực IV" and the offset after it."""
    for m in _REGION_RE.finditer(folded):
        raw = m.group("num")
        if raw.isdigit():
            number: int | None = int(raw)
        else:
            written = nfc[m.start("num"):m.end("num")]
            # "khu vực Vị Thanh" folds to "vi"; numerals are written in plain upper case
            number = _roman_to_int(raw) if written.isascii() and written.isupper() else None
        if number:
            return number, m.end()
    return None, -1


def _province_after(folded: str, pos: int) -> OldProvince | None:
    sep = _PLACE_SEP_RE.match(folded, pos)
    hit = match_province_at(folded, sep.end() if sep else pos)
    return hit[0] if hit else None


def _thads_named_province(folded: str) -> OldProvince | None:
    """Province written right after "Thi hành án dân sự" (also the typos "Tha hành án", "hành phố")."""
    for m in _THA_THEN_PLACE_RE.finditer(folded):
        hit = match_province_at(folded, m.end())
        if hit:
            return hit[0]
    return None


def _hints(*texts: str | None) -> frozenset[str]:
    out: set[str] = set()
    for text in texts:
        if text:
            old = find_old_province(text)
            if old:
                out.update((old.name, old.new_code))
            else:
                new = find_province(text)
                if new:
                    out.add(new.code)
    return frozenset(out)


def _title_if_upper(text: str) -> str:
    return text.title() if text.isupper() else text


@dataclass(frozen=True, slots=True)
class _Unit:
    display: str | None
    slug: str | None
    old_province: OldProvince | None
    province: Province | None


def _chi_cuc_unit(nfc: str, folded: str, pos: int, address: str | None) -> _Unit:
    m = _UNIT_PREFIX_RE.match(folded, pos)
    if not m:
        return _Unit(None, None, None, None)
    pclass = prefix_class(m.group("pre")) or "huyen"
    start = m.end()
    hit = match_district_at(folded, start)
    rest_start = hit[1] if hit else start
    hints = _hints(nfc[rest_start:], address)
    if hit:
        key, end = hit
        district, province = resolve_district_key(key, pclass, hints, nfc[start:end])
        candidates = district_candidates(key)
        name = district.name if district else candidates[0].name
        if province is None and pclass == "thanh pho":
            prov_hit = match_province_at(folded, start)
            province = prov_hit[0].province if prov_hit else None
        if province is None:
            province = find_province(nfc[rest_start:]) or (find_province(address) if address else None)
        old = district.old_province if district else None
        return _Unit(f"{PREFIX_DISPLAY[pclass]} {name}", f"{pclass.replace(' ', '-')}-{slugify(name)}", old, province)
    raw = _UNIT_RAW_RE.match(nfc, start)
    raw_name = _clean_display(raw.group(0)) if raw else ""
    prov_hit = match_province_at(folded, start)
    if prov_hit:  # "Chi cục … thành phố Cần Thơ": a city that is also a province
        old = prov_hit[0]
        return _Unit(f"{PREFIX_DISPLAY[pclass]} {_title_if_upper(raw_name)}", f"{pclass.replace(' ', '-')}-"
                     f"{slugify(raw_name)}", old, old.province)
    rest = nfc[start + len(raw_name):]
    old = find_old_province(rest)
    province = (old.province if old else find_province(rest)) or (find_province(address) if address else None)
    display = f"{PREFIX_DISPLAY[pclass]} {_title_if_upper(raw_name)}" if raw_name else None
    return _Unit(display, f"{pclass.replace(' ', '-')}-{slugify(raw_name)}" if raw_name else None, old, province)


def _parse_thads(nfc: str, folded: str, address: str | None) -> OwnerIdentity:
    renames = _renames_in(nfc, folded)
    if renames:
        old_text, new_text = renames[-1]
        current = _parse_thads(_nfc_collapsed(new_text), fold_index(_nfc_collapsed(new_text)), address)
        before = _parse_thads(_nfc_collapsed(old_text), fold_index(_nfc_collapsed(old_text)), address)
        if current.kind in ("thads_region", "thads_province"):
            province = current.province or before.province
            return _thads_identity(current.kind, province, current.region_no, before.old_unit,
                                   before.old_province, None)
    region_no, region_end = _region(folded, nfc)

    chi_cuc = _CHI_CUC_RE.search(folded)
    if chi_cuc:
        unit = _chi_cuc_unit(nfc, folded, chi_cuc.end(), address)
        province = unit.province or find_province(nfc) or (find_province(address) if address else None)
        old = unit.old_province
        return _thads_identity("thads_district_old", province, None, unit.display,
                               old.name if old else None, unit.slug, old)

    cuc = _CUC_RE.search(folded)
    if cuc and not _CENTRAL_RE.search(folded):
        hit = match_province_at(folded, _PLACE_SEP_RE.match(folded, cuc.end()).end())
        old = hit[0] if hit else find_old_province(nfc)
        province = old.province if old else (find_province(address) if address else None)
        return _thads_identity("thads_province_old", province, None, old.full_name if old else None,
                               old.name if old else None, None, old)

    if _CENTRAL_RE.search(folded):
        return OwnerIdentity("thads_province", True, None, None, None, "Cục Quản lý Thi hành án dân sự",
                             "thads:central")

    old = _thads_named_province(folded)
    if old is None and region_no is not None:
        old = _province_after(folded, region_end)
    province = old.province if old else find_province(nfc) or (find_province(address) if address else None)
    kind = "thads_region" if region_no is not None else "thads_province"
    return _thads_identity(kind, province, region_no, None, None, None)


def _thads_identity(kind: str, province: Province | None, region_no: int | None, old_unit: str | None,
                    old_province: str | None, unit_slug: str | None,
                    old: OldProvince | None = None) -> OwnerIdentity:
    code = province.code if province else "unknown"
    if kind == "thads_region":
        suffix = f" - {province.name}" if province else ""
        canonical = f"Phòng Thi hành án dân sự khu vực {region_no}{suffix}"
        key = f"thads:{code}:kv{region_no}"
    elif kind == "thads_province":
        canonical = f"Thi hành án dân sự {province.full_name}" if province else "Thi hành án dân sự"
        key = f"thads:{code}"
    elif kind == "thads_district_old":
        canonical = "Chi cục Thi hành án dân sự" + (f" {old_unit}" if old_unit else "")
        if old is not None:
            canonical += f", {old.full_name}"
        scope = slugify(old.name) if old else code
        key = f"thads-old:{scope}:{unit_slug or 'unknown'}"
    else:  # thads_province_old
        canonical = "Cục Thi hành án dân sự" + (f" {old_unit}" if old_unit else "")
        key = f"thads-old:{slugify(old_province) if old_province else code}"
    return OwnerIdentity(kind, True, province, region_no, old_unit, canonical, key, old_province)


# ---- other owners -----------------------------------------------------------------------------------------

_INDIVIDUAL_RE = re.compile(
    r"^(?:ông|bà(?!\s+rịa)|anh|chị|cụ|hộ\s+(?:gia\s+đình|kinh\s+doanh|ông|bà)|mr|mrs|ms)\b[\s.:]"
)
_SURNAMES = frozenset(
    "nguyen tran le pham hoang huynh phan vu vo dang bui do ho ngo duong ly truong dinh doan lam mai cao "
    "trinh luong ta chau quach thai ton tang la lu kieu van ha tong".split()
)
_BANK_RE = re.compile(
    r"\bngan\s+hang\b|\bquy\s+tin\s+dung\b|\b(?:agribank|vietcombank|vietinbank|bidv|techcombank|vpbank|"
    r"sacombank|mbbank|hdbank|tpbank|seabank|eximbank|lpbank|abbank|pvcombank|vietbank|baovietbank|"
    r"kienlongbank|saigonbank|vibamc|vamc|agribank\s+amc)\b"
)
_ENTERPRISE_START_RE = re.compile(
    r"^(?:chi\s+nhanh\s+)?(?:cong\s+ty|cty|ctcp|tong\s+cong\s+ty|doanh\s+nghiep|dntn|hop\s+tac\s+xa|htx|"
    r"tap\s+doan)\b"
)
_ENTERPRISE_ANY_RE = re.compile(r"\b(?:tnhh|co\s+phan|jsc|ltd|corporation|company|limited|corp)\b")
_STATE_START_RE = re.compile(
    r"^(?:ubnd|uy\s+ban|so|phong|ban|trung\s+tam|benh\s+vien|truong|vien|hoc\s+vien|dai\s+hoc|cuc|chi\s+cuc|"
    r"tong\s+cuc|bo|cong\s+an|doi|kho\s+bac|toa\s+an|hai\s+quan|van\s+phong|hoi\s+dong|nha\s+xuat\s+ban|"
    r"dai\s+phat\s+thanh|bao\s+hiem\s+xa\s+hoi|hat\s+kiem\s+lam|trai\s+giam|quan\s+khu|bo\s+chi\s+huy|"
    r"tram|thanh\s+tra|kiem\s+toan|ky\s+tuc\s+xa|nha\s+van\s+hoa|thu\s+vien|bao\s+tang)\b"
)
_BRANCH_RE = re.compile(r"\bchi\s+nhanh\b")
_AT_RE = re.compile(r"\b(?:tai|khu\s+vuc)\b")
_PARENS_RE = re.compile(r"\([^()]*\)")


def _classify_other(nfc: str, folded: str) -> str:
    lowered = nfc.lower()
    if _INDIVIDUAL_RE.match(lowered):
        return "individual"
    if _BANK_RE.search(folded):
        return "bank"
    if _ENTERPRISE_START_RE.match(folded):
        return "enterprise"
    if _STATE_START_RE.match(folded):
        return "state"
    if _ENTERPRISE_ANY_RE.search(folded):
        return "enterprise"
    words = nfc.split()
    first = _NON_WORD_RE.sub("", fold_index(words[0])) if words else ""
    if (2 <= len(words) <= 5 and first in _SURNAMES and all(w[:1].isupper() for w in words)
            and not any(ch.isdigit() for ch in nfc)):
        return "individual"
    return "other"


def _bank_province(nfc: str, folded: str) -> Province | None:
    """Province of a bank branch: after the last "Chi nhánh", else after "tại"/"khu vực"; never the brand."""
    branches = list(_BRANCH_RE.finditer(folded))
    segment = None
    if branches and branches[-1].start() > 0:
        segment = nfc[branches[-1].end():]
    else:
        at = _AT_RE.search(folded)
        if at:
            segment = nfc[at.end():]
    if not segment:
        return None
    segment = _PARENS_RE.sub(" ", segment)
    province = find_province(segment)
    if province is None and not any(ch.isdigit() for ch in segment):
        # "Chi nhánh Đông Anh": branches are named after districts ("Chi nhánh 11" is not Quận 11)
        candidates = district_candidates(_clean_display(segment))
        if len({c.old_province.new_code for c in candidates}) == 1:
            province = candidates[0].province
    return province


def _parse_other(nfc: str, folded: str, address: str | None) -> OwnerIdentity:
    kind = _classify_other(nfc, folded)
    from_address = find_province(address) if address else None
    if kind == "bank":
        province = _bank_province(nfc, folded) or from_address
    elif kind == "state":
        province = find_province(nfc) or from_address
    elif kind == "individual":
        province = from_address
    else:
        province = from_address or find_province(nfc)
    canonical = _clean_display(nfc)
    key_basis = normalize_org_name(_PARENS_RE.sub(" ", canonical)) or normalize_org_name(canonical)
    return OwnerIdentity(kind, False, province, None, None, canonical, f"{kind}:{key_basis.replace(' ', '-')}")


# ---- public API -------------------------------------------------------------------------------------------

@lru_cache(maxsize=131072)
def _parse_owner_cached(name: str, address: str | None) -> OwnerIdentity:
    nfc = _nfc_collapsed(name)
    folded = fold_index(nfc)
    if _THADS_RE.search(folded):
        return _parse_thads(nfc, folded, address)
    return _parse_other(nfc, folded, address)


def parse_owner(name: str, address: str | None = None) -> OwnerIdentity:
    """Classify an owner ("fullname" on dgts) and find its new province, THADS region and matching key.

    `address` is any text naming a place (the owner's or the asset's address, or the dgts province field); it
    breaks ties between same-named districts and gives the province when the name itself does not."""
    return _parse_owner_cached((name or "")[:MAX_NAME_CHARS], address[:MAX_NAME_CHARS] if address else None)


_RENAME_RE = re.compile(
    r"\b(?:chi\s+cuc|cuc)\s+" + _THA
    + r"(?:(?!\bcuc\s+(?:thi|tha)\s+hanh|\bnay\s+la\b)[^()\n]){0,150}?"
    + r"\s*(?P<open>\()?\s*nay\s+la\s*:?\s*"
    + r"(?P<new>(?:phong\s+)?" + _THA + r"[^()\n;]{0,160})"
)
_RENAME_CLOSE_RE = re.compile(r"[()\n;]")


def _trim_new_office(nfc_new: str, folded_new: str, in_parens: bool) -> str:
    if in_parens:
        close = _RENAME_CLOSE_RE.search(folded_new)
        if close:
            return nfc_new[:close.start()]
    region_no, region_end = _region(folded_new, nfc_new)
    if region_no is not None:
        sep = _PLACE_SEP_RE.match(folded_new, region_end)
        hit = match_province_at(folded_new, sep.end() if sep else region_end)
        return nfc_new[:hit[1] if hit else region_end]
    for m in _THA_THEN_PLACE_RE.finditer(folded_new):
        hit = match_province_at(folded_new, m.end())
        if hit:
            return nfc_new[:hit[1]]
    comma = folded_new.find(",")
    return nfc_new[:comma] if comma > 0 else nfc_new


def _renames_in(nfc: str, folded: str) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for m in _RENAME_RE.finditer(folded):
        old_end = m.start("open") if m.group("open") else folded.rfind("nay", m.start(), m.start("new"))
        old = _clean_display(nfc[m.start():old_end])
        new = _clean_display(_trim_new_office(nfc[m.start("new"):], folded[m.start("new"):],
                                              bool(m.group("open"))))
        if old and new and (old, new) not in pairs:
            pairs.append((old, new))
    return pairs


def extract_renames(text: str) -> list[tuple[str, str]]:
    """(old office, new office) pairs from phrases such as "Chi cục Thi hành án dân sự huyện Hàm Thuận Bắc
    (nay là Phòng Thi hành án dân sự Khu vực 12 - Lâm Đồng)", in order of appearance, without duplicates."""
    if not text:
        return []
    nfc = _nfc_collapsed(text[:MAX_RENAME_TEXT_CHARS])
    return _renames_in(nfc, fold_index(nfc))
