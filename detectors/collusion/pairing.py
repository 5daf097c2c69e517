"""Scoring whether two auction notices offer the same asset (a relist), and finding the pairs worth scoring.

Scoring is additive and explained, after kinnhun/web-thong-ke-dau-gia's ``scoreAssetPair`` (anchors.md §2.1), with
the components our data need. Every component that fires adds one reason string ("parcel 115 + map sheet 54
(+75)"), so a reviewer sees why two notices were linked.

1. **Portal link**: one notice names the other as ``rootID`` or in its publication history -> 100.
2. **Hard conflicts** -> 0: asset kinds differ (land / vehicle / vessel / shares / debt); different provinces
   (unless parcel + sheet or a certificate match); both list parcel numbers and share none; different
   certificates, plates, chassis or engine numbers, share counts; different house numbers on one street; debts
   of different debtors.
3. **Immediate matches**: >= 2 shared chassis/engine numbers -> 95; a shared plate or registration -> 90; a shared
   certificate serial -> 90.
4. **Additive points**: parcel + sheet +75; parcel + shared locality +65; house address +50; share count +30;
   same ward +10; same district +15; different districts -15; same owner +15; same debtor named +10; same
   organisation +10. Area within 2 m² or 1 % +20, within 3 % +10, within 10 % -5, else -20.
   Start price (earlier -> later): identical non-round price (not a whole million) +50, an exact cut of a whole or
   half percent of a non-round price (to 5 đ, or 2e-8 of the price) +50, the same cut within rounding to thousands +30, the same round
   price +8, any cut <= 15 % +20, <= 30 % +12, <= 50 % +5, else (larger cut or a rise) -10. Names (folded words):
   rapidfuzz token_sort_ratio >= 95 +25, else word Jaccard >= 0.55 +12; token_set_ratio >= 90 (one name contains
   the other) +15; both names carry numbers the other lacks -20. A notice published while the other one's auction was still pending, at another price, is a
   parallel listing, not a relist: -30.
5. **Partial**: shared identifiers but different sets (a multi-asset lot vs one of its assets). Such a pair never
   auto-links (it would merge the chains of separate assets); it goes to review at most.

Blocking keeps this near-linear: notices are compared only inside blocks sharing an identifier (parcel + sheet,
certificate, plate, chassis, engine, address) or the same owner or organisation plus the first words of the
folded asset name. A block larger than ``max_block_size`` is sorted by name and compared inside a sliding window.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable, Iterator

from rapidfuzz import fuzz
from sqlalchemy.orm import Session

from detectors.collusion.notice import Notice
from vntext import fold as fold_module, identity as identity_module, names as names_module, numbers as numbers_module
from vntext import parcels as parcels_module, provinces as provinces_module
from vntext.identity import AssetIdentity, extract_identity, words

ROUND_MILLION = 1_000_000
EXACT_TOLERANCE_VND = 5
EXACT_TOLERANCE_REL = 2e-8
ROUNDED_TOLERANCE_VND = 1_000
_PREFIX_STOP = frozenset({"tai", "san", "thu", "ts", "a", "b", "c", "d", "ban", "chung", "gom", "lo", "cac", "va",
                          "cua", "so", "thi", "hanh", "an", "theo", "quy", "dinh", "phap", "luat", "ve", "dan", "su"})
_KIND_CATEGORIES = frozenset({"land", "vehicle", "vessel", "shares", "debt"})


class Prepared:
    """A notice with what linking needs. The asset identity (the costly part) is extracted on first use unless the
    one stored in ``notice_identities`` was set (``link_state``)."""

    __slots__ = ("notice", "price", "when", "portal", "lot_count", "_words", "_ident")

    def __init__(self, n: Notice) -> None:
        portal = set(n.related_ids)
        if n.root_id:
            portal.add(n.root_id)
        portal.discard(n.id)
        self.notice = n
        self.price = n.total_price
        self.when = n.published
        self.portal = frozenset(portal)
        self.lot_count = len(n.lots)
        self._words: str | None = None
        self._ident: AssetIdentity | None = None

    @property
    def id(self) -> int:
        return self.notice.id

    @property
    def words(self) -> str:
        """Folded words of the notice name (the identity holds the same words once extracted)."""
        if self._words is None:
            self._words = self._ident.words if self._ident is not None else words(self.notice.name)
        return self._words

    def identity_inputs(self) -> tuple[str, list[str], int | None]:
        n = self.notice
        type_ids = n.type_ids()
        places = [l.place for l in n.lots if l.place] + [l.name for l in n.lots if l.name and l.name != n.name]
        return n.name, places, 173 if 173 in type_ids else (min(type_ids) if type_ids else None)

    @property
    def ident(self) -> AssetIdentity:
        if self._ident is None:
            self._ident = extract_identity(*self.identity_inputs())
        return self._ident

    def order_key(self) -> tuple:
        return (self.when is None, self.when or datetime.min, self.id)


def _source_version(*module_files: str) -> str:
    h = hashlib.sha256()
    for name in module_files:
        h.update(Path(name).read_bytes())
    return h.hexdigest()[:16]


# Identities stored by an older extractor are read again (``link_state``).
IDENTITY_VERSION = _source_version(identity_module.__file__, parcels_module.__file__, names_module.__file__,
                                   provinces_module.__file__, fold_module.__file__, numbers_module.__file__)


def prepare(n: Notice) -> Prepared:
    return Prepared(n)


@dataclass(frozen=True, slots=True)
class PairScore:
    a: int  # the smaller notice id
    b: int
    score: float
    reasons: tuple[str, ...]
    partial: bool = False


def _pts(reasons: list[str], points: float, why: str) -> float:
    reasons.append(f"{why} ({points:+g})")
    return points


def price_points(earlier: float | None, later: float | None) -> tuple[float, str | None]:
    """Points and reason for the start-price relation of an earlier and a later notice."""
    if not earlier or not later:
        return 0.0, None
    specific = earlier % ROUND_MILLION != 0
    if later == earlier:
        return (50.0, "identical non-round start price") if specific else (8.0, "same start price")
    if later > earlier:
        return -10.0, "start price rose"
    cut = round(1 - later / earlier, 9)  # 1 - 0.85 must be a 15 % cut, not 15.000000000000002 %
    if specific:
        step = round(cut * 200) / 2  # nearest half percent
        if 0 < step <= 50:
            expected = earlier * (1 - step / 100)
            if abs(later - expected) <= max(EXACT_TOLERANCE_VND, EXACT_TOLERANCE_REL * earlier):
                return 50.0, f"exact {step:g}% cut of a non-round price"
            if later % 1000 == 0 and abs(later - expected) <= ROUNDED_TOLERANCE_VND:
                return 30.0, f"{step:g}% cut of a non-round price, rounded to thousands"
    if cut <= 0.15:
        return 20.0, f"price cut {cut * 100:.1f}%"
    if cut <= 0.30:
        return 12.0, f"price cut {cut * 100:.1f}%"
    if cut <= 0.50:
        return 5.0, f"price cut {cut * 100:.1f}%"
    return -10.0, f"price cut {cut * 100:.1f}%"


def _area_points(a: float | None, b: float | None) -> tuple[float, str | None]:
    if not a or not b:
        return 0.0, None
    diff = abs(a - b)
    rel = diff / max(a, b)
    if diff <= 2 or rel <= 0.01:
        return 20.0, f"same area {a:g} m²"
    if rel <= 0.03:
        return 10.0, f"area within 3% ({a:g} vs {b:g} m²)"
    if rel <= 0.10:
        return -5.0, f"area differs {rel * 100:.0f}% ({a:g} vs {b:g} m²)"
    return -20.0, f"area differs {rel * 100:.0f}% ({a:g} vs {b:g} m²)"


def _disjoint(x: frozenset, y: frozenset) -> bool:
    return bool(x) and bool(y) and not (x & y)


def _conflict(x: Prepared, y: Prepared) -> str | None:
    ix, iy = x.ident, y.ident
    kx, ky = ix.categories & _KIND_CATEGORIES, iy.categories & _KIND_CATEGORIES
    if _disjoint(kx, ky):
        return f"asset kinds differ ({'/'.join(sorted(kx))} vs {'/'.join(sorted(ky))})"
    strong = bool((ix.parcels & iy.parcels) and (ix.sheets & iy.sheets)) or bool(ix.certificates & iy.certificates)
    px, py = x.notice.province, y.notice.province
    if px and py and px != py and not strong:
        return f"provinces differ ({px} vs {py})"
    for label, attr in (("parcels", "parcels"), ("certificates", "certificates"), ("plates", "plates"),
                        ("chassis numbers", "chassis"), ("engine numbers", "engines"), ("share counts", "shares")):
        vx, vy = getattr(ix, attr), getattr(iy, attr)
        if _disjoint(vx, vy):
            return f"different {label} ({', '.join(sorted(map(str, vx))[:4])} vs {', '.join(sorted(map(str, vy))[:4])})"
    if _disjoint(ix.addresses, iy.addresses) and ix.streets & iy.streets:
        return "different house numbers on the same street"
    if "debt" in kx & ky and _disjoint(ix.debtors, iy.debtors):
        return f"debts of different debtors ({sorted(ix.debtors)[0]} vs {sorted(iy.debtors)[0]})"
    return None


def _partial(ix: AssetIdentity, iy: AssetIdentity) -> str | None:
    for label, attr in (("parcels", "parcels"), ("plates", "plates"), ("certificates", "certificates")):
        vx, vy = getattr(ix, attr), getattr(iy, attr)
        if vx & vy and vx != vy:
            return f"asset lists differ ({label} {', '.join(sorted(vx ^ vy)[:6])} only in one notice)"
    return None


def score_pair(x: Prepared, y: Prepared) -> PairScore:
    """Score two notices (order does not matter); see the module docstring for the components."""
    a, b = (x, y) if x.id < y.id else (y, x)
    if b.id in a.portal or a.id in b.portal:
        return PairScore(a.id, b.id, 100.0, ("portal link (rootID / publication history) (=100)",))
    conflict = _conflict(a, b)
    if conflict:
        return PairScore(a.id, b.id, 0.0, (f"conflict: {conflict} (=0)",))
    ix, iy = a.ident, b.ident
    reasons: list[str] = []
    partial = _partial(ix, iy)
    if partial:
        reasons.append(partial + " (review only)")
    vehicle_ids = len(ix.chassis & iy.chassis) + len(ix.engines & iy.engines)
    if vehicle_ids >= 2:
        return PairScore(a.id, b.id, 95.0, tuple(reasons) + ("same chassis and engine numbers (=95)",), bool(partial))
    if ix.plates & iy.plates:
        return PairScore(a.id, b.id, 90.0, tuple(reasons) + (f"same plate/registration {', '.join(sorted(ix.plates & iy.plates)[:3])} (=90)",), bool(partial))
    if ix.certificates & iy.certificates:
        return PairScore(a.id, b.id, 90.0, tuple(reasons) + (f"same certificate {', '.join(sorted(ix.certificates & iy.certificates))} (=90)",), bool(partial))
    score = 0.0
    shared_locality = bool(ix.wards & iy.wards or ix.districts & iy.districts)
    parcels, sheets = ix.parcels & iy.parcels, ix.sheets & iy.sheets
    if parcels and sheets:
        score += _pts(reasons, 75, f"parcel {', '.join(sorted(parcels)[:4])} + map sheet {', '.join(sorted(sheets)[:2])}")
    elif parcels and shared_locality:
        score += _pts(reasons, 65, f"parcel {', '.join(sorted(parcels)[:4])} in the same locality")
    if ix.addresses & iy.addresses:
        score += _pts(reasons, 50, f"same address {sorted(ix.addresses & iy.addresses)[0].replace('|', ' ')}")
    if ix.shares & iy.shares:
        score += _pts(reasons, 30, f"same share count {sorted(ix.shares & iy.shares)[0]}")
    if ix.wards & iy.wards:
        score += _pts(reasons, 10, "same ward/commune")
    if ix.districts & iy.districts:
        score += _pts(reasons, 15, "same district")
    elif _disjoint(ix.districts, iy.districts):
        score += _pts(reasons, -15, "different districts")
    na, nb = a.notice, b.notice
    if na.owner_id is not None and na.owner_id == nb.owner_id:
        score += _pts(reasons, 15, "same owner")
    if ix.debtors & iy.debtors:
        score += _pts(reasons, 10, "same debtor named")
    if na.org_id is not None and na.org_id == nb.org_id:
        score += _pts(reasons, 10, "same auction organisation")
    pts, why = _area_points(ix.area_m2, iy.area_m2)
    if why:
        score += _pts(reasons, pts, why)
    early, late = (a, b) if a.order_key() <= b.order_key() else (b, a)
    pts, why = price_points(early.price, late.price)
    if why:
        score += _pts(reasons, pts, why)
    if (early.price and late.price and early.price != late.price and late.when and early.notice.auction_at
            and late.when < early.notice.auction_at):
        score += _pts(reasons, -30, "listed while the other auction was still pending, at another price")
    score += _text_points(ix, iy, reasons)
    return PairScore(a.id, b.id, max(0.0, min(100.0, score)), tuple(reasons), bool(partial))


def _text_points(ix: AssetIdentity, iy: AssetIdentity, reasons: list[str]) -> float:
    if not ix.words or not iy.words:
        return 0.0
    points = 0.0
    sort_ratio = fuzz.token_sort_ratio(ix.words, iy.words)
    jaccard = len(ix.word_set & iy.word_set) / len(ix.word_set | iy.word_set)
    if sort_ratio >= 95:
        points += _pts(reasons, 25, f"names nearly identical ({sort_ratio:.0f})")
    elif jaccard >= 0.55:
        points += _pts(reasons, 12, f"names share {jaccard * 100:.0f}% of their words")
    set_ratio = fuzz.token_set_ratio(ix.words, iy.words)
    if set_ratio >= 90:
        points += _pts(reasons, 15, f"one name contains the other ({set_ratio:.0f})")
    only_x, only_y = ix.numbers - iy.numbers, iy.numbers - ix.numbers
    if only_x and only_y:
        points += _pts(reasons, -20, f"names carry different numbers ({', '.join(sorted(only_x)[:3])} vs "
                                      f"{', '.join(sorted(only_y)[:3])})")
    return points


def name_similar(x: Prepared, y: Prepared, minimum: float = 90) -> bool:
    return fuzz.token_set_ratio(x.words, y.words) >= minimum


# --------------------------------------------------------------------------------------------------- blocking


def blocking_keys(p: Prepared, prefix_tokens: int) -> set[str]:
    ident, n = p.ident, p.notice
    keys: set[str] = set()
    # Parcel and sheet numbers and house addresses repeat in every commune: qualified by province, or national
    # blocks grow with the history and the pairs inside them with its square. Certificate serials, plates,
    # chassis and engine numbers are unique nationally.
    where = n.province or "?"
    for parcel in ident.parcels:
        for sheet in ident.sheets or ("",):
            keys.add(f"p:{where}:{parcel}:{sheet}")
    keys.update(f"c:{c}" for c in ident.certificates)
    keys.update(f"v:{v}" for v in ident.plates)
    keys.update(f"k:{v}" for v in ident.chassis)
    keys.update(f"e:{v}" for v in ident.engines)
    keys.update(f"a:{where}:{v}" for v in ident.addresses)
    lead = [w for w in p.words.split() if w not in _PREFIX_STOP and not w.isdigit()][:prefix_tokens]
    if lead:
        prefix = " ".join(lead)
        if n.owner_id is not None:
            keys.add(f"n:o{n.owner_id}:{prefix}")
        if n.org_id is not None:
            keys.add(f"n:g{n.org_id}:{prefix}")
    return keys


@dataclass
class BlockingStats:
    blocks: int = 0
    oversized_blocks: int = 0
    comparisons: int = 0


def candidate_pairs(prepared: dict[int, Prepared], prefix_tokens: int, max_block_size: int, window: int,
                    stats: BlockingStats, keep: Callable[[Prepared, Prepared], bool] | None = None,
                    ) -> Iterator[tuple[Prepared, Prepared]]:
    """Pairs to score: portal links, then every block (all pairs, or a sorted window when oversized).
    A pair may come out of several blocks; scoring is deterministic, so callers keep the first result."""
    for p in prepared.values():
        for other in sorted(p.portal):
            q = prepared.get(other)
            if q is not None and (keep is None or keep(p, q)):
                stats.comparisons += 1
                yield p, q
    blocks: dict[str, list[int]] = defaultdict(list)
    for nid in sorted(prepared):
        for key in blocking_keys(prepared[nid], prefix_tokens):
            blocks[key].append(nid)
    for key in sorted(blocks):
        ids = blocks[key]
        if len(ids) < 2:
            continue
        stats.blocks += 1
        members = [prepared[i] for i in ids]
        if len(members) <= max_block_size:
            pairs: Iterable[tuple[Prepared, Prepared]] = (
                (members[i], members[j]) for i in range(len(members)) for j in range(i + 1, len(members)))
        else:
            stats.oversized_blocks += 1
            members.sort(key=lambda m: (m.words, m.order_key()))
            pairs = ((members[i], members[j]) for i in range(len(members))
                     for j in range(i + 1, min(len(members), i + 1 + window)))
        for x, y in pairs:
            if keep is None or keep(x, y):
                stats.comparisons += 1
                yield x, y


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        self.parent.setdefault(x, x)
        root = x
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[x] != root:
            self.parent[x], x = root, self.parent[x]
        return root

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra  # the smaller id stays the root
        return True

    def groups(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for x in list(self.parent):
            out[self.find(x)].append(x)
        return {min(v): sorted(v) for v in out.values()}
