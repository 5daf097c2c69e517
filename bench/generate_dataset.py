"""Seeded generator of a national-scale, SYNTHETIC dgts portal dataset (portal-dataset JSONL) for the benchmarks.

Volumes follow shared/reference/dgts-api.md §10: ~500 auction notices a day (600,000 by default), ~65 selection
notices a day, results for ~¼ of the selection notices. Everything is drawn from the 236 real notices
(service/demo_data/dgts_auction_notices_real_2025-05_2026-07.jsonl, else shared/data/dgts/…): lot texts (digits
re-drawn, dates kept, so lengths follow the real ones), lots per notice, files, property types, prices and
deposits, publication times of day and registration/auction days and local times (deadlines off Sundays, as in
the sample) are bootstrapped from one real notice each;
owners and organisations are the real names plus recombinations of their office prefix and place, drawn with a
Zipf-like frequency; each owner prefers a few organisations. Relist chains repeat an earlier notice's owner and
lots (14–180 days later) at a price cut of ~10 %. A few records carry `_sim` schedules (edits, take-downs, second postings) so a simulated day has
changed records as well as new ones.

Ids are far above the real ranges (auction notices from 20,000,001, selection notices from 2,000,001, results
from 3,000,001) so nothing here can be mistaken for a real record. The selection-notice and result shapes are made
up (no real payload is public), like the demo data's.

    python bench/generate_dataset.py --notices 600000 --out /tmp/am-bench/national
    python bench/generate_dataset.py --notices 20000 --days 40 --seed 7 --out /tmp/am-bench/small

Writes auction_notices.jsonl, selection_notices.jsonl, selection_results.jsonl and manifest.json, one day at a
time (memory stays bounded by one day plus the pending results and relist candidates), then prints one figure
per line.
"""

from __future__ import annotations

import argparse
import bisect
import heapq
import json
import math
import random
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from crawler.simulator.dgts_files import encode_link  # noqa: E402
from storage.kinds import RecordKind  # noqa: E402
from vntext.workdays import add_working_days  # noqa: E402

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
DAY_MS = 86_400_000
SAMPLE_PATHS = (
    REPO / "service" / "demo_data" / "dgts_auction_notices_real_2025-05_2026-07.jsonl",
    Path("/work/shared/data/dgts/auction_notices_2025-05_2026-07.jsonl"),
)
THADS_OWNERS_TSV = Path("/work/shared/data/thads/dgts_thads_owner_names_2025-05_to_2026-07.tsv")

AUCTION_ID_BASE = 20_000_000
SELECTION_ID_BASE = 2_000_000
RESULT_ID_BASE = 3_000_000
HIDDEN_ID_RATE = 0.0265          # ids never listed (dgts-api.md §10)
WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 1.0, 0.6, 0.2)  # Mon..Sun: fewer postings at weekends (assumption)
RELIST_POOL = 20_000             # earlier notices kept as relist candidates (bounded memory)
SUB_NAME_LIMIT = 250             # subPropertyName = first 250 characters + "..." (real sample)

# Where an owner's name turns from "what office" to "where": the split used to recombine real names.
_PLACE_START = re.compile(r"[\s,(–-]+(?=(?:huyện|quận|thị xã|thành phố|tỉnh|khu vực|xã|phường|thị trấn|tp\.?)\s)",
                          re.IGNORECASE)
_ORG_PREFIX = re.compile(
    r"^(công ty(?: cổ phần| tnhh(?: mtv| một thành viên)?)?(?: đấu giá(?: tài sản)?(?: hợp danh)?)?|"
    r"trung tâm dịch vụ đấu giá tài sản|doanh nghiệp đấu giá tư nhân)\s+", re.IGNORECASE)
# Digit runs that are not part of a date (dd/mm/yyyy) are re-drawn; dates and separators stay.
_NUMBER = re.compile(r"(?<![\d/])\d+(?![\d/])")


# ----------------------------------------------------------------------------------------------- samples

@dataclass
class Template:
    """One real notice reduced to what the generator reuses."""

    lots: list[dict[str, Any]]
    files: list[str]
    title: str
    type_id: int | None
    type_name: str
    time_of_day_ms: int
    # (days after the publication day, local time of day in ms) of registration start and end; the auction's
    # days are counted from the registration end day. Real deadlines sit on round local times (17:00).
    reg_start: tuple[int, int] | None
    reg_end: tuple[int, int] | None
    auction: tuple[int, int] | None


def sample_path() -> Path:
    for p in SAMPLE_PATHS:
        if p.is_file():
            return p
    raise SystemExit(f"no real sample found (looked for {', '.join(map(str, SAMPLE_PATHS))})")


def local_midnight_ms(ms: int) -> int:
    d = datetime.fromtimestamp(ms / 1000, ICT).date()
    return day_ms(d)


def day_ms(d: date) -> int:
    return int(datetime(d.year, d.month, d.day, tzinfo=ICT).timestamp() * 1000)


def day_offset(base_ms: int, ms: int | None) -> tuple[int, int] | None:
    """(whole local days from base's day to ms's day, ms's local time of day in ms)."""
    if ms is None:
        return None
    days = (datetime.fromtimestamp(ms / 1000, ICT).date() - datetime.fromtimestamp(base_ms / 1000, ICT).date()).days
    return days, ms - local_midnight_ms(ms)


def at_offset(base_ms: int, offset: tuple[int, int] | None, avoid_sunday: bool = False) -> int | None:
    if offset is None:
        return None
    d = datetime.fromtimestamp(base_ms / 1000, ICT).date() + timedelta(days=offset[0])
    if avoid_sunday and d.weekday() == 6:
        d += timedelta(days=1)  # no real registration deadline in the sample falls on a Sunday
    return day_ms(d) + offset[1]


def load_templates(path: Path) -> tuple[list[Template], list[str], list[str], list[str]]:
    """Templates, owner names (one per notice, so repeats keep their weight), organisation names, place strings."""
    templates, owners, orgs, places = [], [], [], []
    with path.open(encoding="utf-8-sig") as fh:
        for line in fh:
            if not line.strip():
                continue
            doc = json.loads(line)
            item = doc.get("list_item") or {}
            lots = [p for p in doc.get("property_info") or [] if isinstance(p, dict)]
            pub = item.get("publishTime1") or item.get("publishTime2")
            if not lots or not isinstance(pub, int):
                continue
            rs, re_, auc = (v if isinstance(v, int) else None
                            for v in (item.get("aucRegTimeStart"), item.get("aucRegTimeEnd"), item.get("aucTime")))
            files = [str(f.get("fileName") or "") for f in (doc.get("detail") or {}).get("listFile") or []
                     if isinstance(f, dict)]
            templates.append(Template(
                lots=lots, files=[f for f in files if f], title=str(item.get("titleName") or ""),
                type_id=item.get("propertyTypeId"), type_name=str(item.get("propertyTypeName") or ""),
                time_of_day_ms=pub - local_midnight_ms(pub),
                reg_start=day_offset(pub, rs), reg_end=day_offset(pub, re_),
                auction=day_offset(re_, auc) if re_ is not None else None))
            if item.get("fullname"):
                owners.append(str(item["fullname"]).strip())
            if item.get("org_name"):
                orgs.append(str(item["org_name"]).strip())
            for lot in lots:
                for seg in str(lot.get("propertyPlace") or "").split(","):
                    seg = seg.split("(")[0].strip().rstrip(".").strip()
                    if re.match(r"(?i)(huyện|quận|thị xã|thành phố|tỉnh)\s", seg):
                        places.append(seg)
    if THADS_OWNERS_TSV.is_file():
        with THADS_OWNERS_TSV.open(encoding="utf-8") as fh:
            next(fh, None)
            for line in fh:
                cols = line.rstrip("\n").split("\t")
                if len(cols) > 2 and cols[2].strip():
                    owners.append(cols[2].strip())
                if len(cols) > 6 and cols[6].strip():
                    orgs.append(cols[6].strip())
    return templates, owners, orgs, places


# ----------------------------------------------------------------------------------------------- names

class ZipfPicker:
    """Draws index k (0-based rank) with probability ∝ 1/(k+1)^s."""

    def __init__(self, n: int, s: float) -> None:
        total, cum = 0.0, []
        for k in range(n):
            total += 1.0 / (k + 1) ** s
            cum.append(total)
        self.cum, self.total = cum, total

    def pick(self, rng: random.Random) -> int:
        return min(bisect.bisect_left(self.cum, rng.random() * self.total), len(self.cum) - 1)


def _split_place(name: str) -> tuple[str, str] | None:
    m = _PLACE_START.search(name)
    if not m or m.start() < 8:
        return None
    prefix, place = name[:m.start()].strip(" ,–-("), name[m.end():].strip(" .)")
    return (prefix, place) if prefix and place else None


def owner_names(real: list[str], places: list[str], target: int, rng: random.Random) -> list[str]:
    """Real names first (most frequent first), then office prefixes recombined with places, to `target` names."""
    ranked = [n for n, _ in Counter(real).most_common()]
    prefixes, place_pool = [], list(places)
    for n in ranked:
        split = _split_place(n)
        if split:
            prefixes.append(split[0])
            place_pool.append(split[1])
    prefixes = sorted(set(prefixes))
    place_pool = sorted({p for p in place_pool if p.count("(") == p.count(")")})
    out, seen = list(ranked), set(ranked)
    attempts = 0
    while len(out) < target and prefixes and place_pool and attempts < target * 20:
        attempts += 1
        name = f"{rng.choice(prefixes)} {rng.choice(place_pool)}"
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out[:max(target, 1)]


def org_names(real: list[str], places: list[str], target: int, rng: random.Random) -> list[str]:
    """Real organisation names, then their legal-form prefixes recombined with distinctive names and places."""
    ranked = [n for n, _ in Counter(real).most_common()]
    prefixes, cores = set(), set()
    for n in ranked:
        m = _ORG_PREFIX.match(n)
        if m:
            prefixes.add(m.group(1).strip())
            cores.add(n[m.end():].strip())
    cores |= {p for p in places if p.lower().startswith(("tỉnh", "thành phố")) and p.count("(") == p.count(")")}
    prefixes_l, cores_l = sorted(prefixes), sorted(cores)
    out, seen = list(ranked), set(ranked)
    attempts = 0
    while len(out) < target and prefixes_l and cores_l and attempts < target * 20:
        attempts += 1
        name = f"{rng.choice(prefixes_l)} {rng.choice(cores_l)}"
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out[:max(target, 1)]


# ----------------------------------------------------------------------------------------------- texts

class DigitMutator:
    """Re-draws digit runs (same length, a leading zero kept) consistently within one record."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.memo: dict[str, str] = {}

    def _new(self, digits: str) -> str:
        got = self.memo.get(digits)
        if got is None:
            first = "0" if digits[0] == "0" else str(self.rng.randint(1, 9))
            got = first + "".join(str(self.rng.randint(0, 9)) for _ in range(len(digits) - 1))
            self.memo[digits] = got
        return got

    def __call__(self, text: Any) -> Any:
        if not isinstance(text, str) or not text:
            return text
        return _NUMBER.sub(lambda m: self._new(m.group(0)), text)


def sub_name(name: str) -> str:
    return name if len(name) <= SUB_NAME_LIMIT + 3 else name[:SUB_NAME_LIMIT] + "..."


def round_price(value: float) -> int:
    if value <= 0:
        return 0
    step = 10 ** max(0, int(math.log10(value)) - 3)
    return int(round(value / step) * step)


# ----------------------------------------------------------------------------------------------- generator

@dataclass
class Options:
    notices: int
    days: int
    seed: int
    out: Path
    last_day: date
    selection_per_day: float
    result_share: float
    owners: int
    orgs: int
    zipf: float
    relist_share: float
    relist_cut: float
    edit_share: float
    takedown_share: float
    second_posting_share: float


@dataclass
class Recent:
    """An earlier auction notice an owner may relist (lots after digit mutation)."""

    id: int
    root: int
    day_index: int
    lots: list[dict[str, Any]]
    name: str
    template: Template
    owner: int
    chain: list[int] = field(default_factory=list)


class Generator:
    def __init__(self, opts: Options) -> None:
        self.o = opts
        self.rng = random.Random(opts.seed)
        self.sample = sample_path()
        self.templates, real_owners, real_orgs, places = load_templates(self.sample)
        self.owners = owner_names(real_owners, places, opts.owners, random.Random(opts.seed + 1))
        self.orgs = org_names(real_orgs, places, opts.orgs, random.Random(opts.seed + 2))
        self.owner_pick = ZipfPicker(len(self.owners), opts.zipf)
        self.org_pick = ZipfPicker(len(self.orgs), opts.zipf)
        self.preferred: dict[int, list[int]] = {}
        self.relist_pool: list[Recent] = []  # a bounded random sample of earlier notices
        self.next_auction = AUCTION_ID_BASE + 1
        self.next_selection = SELECTION_ID_BASE + 1
        self.next_result = RESULT_ID_BASE + 1
        self.pending_results: list[tuple[int, int, dict[str, Any]]] = []  # (publish ms, seq, partial doc)
        self.seq = 0
        self.counts: Counter[str] = Counter()
        self.first_day = opts.last_day - timedelta(days=opts.days - 1)

    # ---------------------------------------------------------------- helpers

    def owner(self) -> int:
        return self.owner_pick.pick(self.rng)

    def org_for(self, owner: int, loyalty: float) -> str:
        prefs = self.preferred.get(owner)
        if prefs is None:
            r = random.Random(self.o.seed * 1_000_003 + owner)
            prefs = [self.org_pick.pick(r) for _ in range(r.randint(1, 3))]
            self.preferred[owner] = prefs
        k = self.rng.choice(prefs) if self.rng.random() < loyalty else self.org_pick.pick(self.rng)
        return self.orgs[k]

    def per_day(self, total: float) -> list[int]:
        """Integer counts per day summing to round(total), weighted by weekday."""
        days = [self.first_day + timedelta(days=i) for i in range(self.o.days)]
        weights = [WEEKDAY_WEIGHT[d.weekday()] for d in days]
        wsum = sum(weights)
        exact = [total * w / wsum for w in weights]
        counts = [int(x) for x in exact]
        short = int(round(total)) - sum(counts)
        for i in sorted(range(len(days)), key=lambda i: exact[i] - counts[i], reverse=True)[:max(short, 0)]:
            counts[i] += 1
        return counts

    def link_file(self, record_id: int, pos: int, name: str, moment_ms: int) -> dict[str, Any]:
        moment = datetime.fromtimestamp(moment_ms / 1000, ICT)
        digits = f"{self.rng.randrange(10 ** 17, 10 ** 18)}"
        path = f"/u01/btpdgts/files_upload/{moment:%Y%m%d}/CTR_{digits}.dat"
        return {"idFile": record_id * 100 + pos, "fileName": name, "linkFile": encode_link(path, moment)}

    def daytime(self, day_start: int) -> int:
        return day_start + self.rng.choice(self.templates).time_of_day_ms + self.rng.randrange(0, 60_000)

    # ---------------------------------------------------------------- auction notices

    def auction_notice(self, rid: int, day_index: int, pub: int) -> dict[str, Any]:
        mut = DigitMutator(self.rng)
        t = self.rng.choice(self.templates)
        relist, slot = None, None
        if self.rng.random() < self.o.relist_share and self.relist_pool:
            slot = self.rng.randrange(len(self.relist_pool))
            cand = self.relist_pool[slot]
            if 14 <= day_index - cand.day_index <= 180:
                relist = cand
        owner = relist.owner if relist is not None else self.owner()
        if relist is not None:
            t = relist.template
            cut = min(max(self.rng.gauss(self.o.relist_cut, 0.02), 0.03), 0.25)
            lots = []
            for lot in relist.lots:
                new = dict(lot, auctionInfoId=rid)
                price = lot.get("propertyStartPrice")
                if isinstance(price, (int, float)) and price > 0:
                    new["propertyStartPrice"] = round_price(price * (1 - cut))
                    if new.get("depositUnit") != 1 and isinstance(lot.get("deposit"), (int, float)):
                        new["deposit"] = round_price(lot["deposit"] * (1 - cut))
                        new["strDeposit"] = f"{int(new['deposit']):,}".replace(",", ".")
                lots.append(new)
            name = relist.name
            root, chain = relist.root, relist.chain + [relist.id]
            self.counts["auction_relists"] += 1
        else:
            lots = []
            for lot in t.lots:
                new = {k: mut(v) for k, v in lot.items()}
                price = lot.get("propertyStartPrice")
                if isinstance(price, (int, float)) and price > 0:
                    new["propertyStartPrice"] = round_price(price * math.exp(self.rng.gauss(0, 0.5)))
                    dep = lot.get("deposit")
                    if lot.get("depositUnit") != 1 and isinstance(dep, (int, float)):
                        new["deposit"] = round_price(new["propertyStartPrice"] * dep / price)
                        new["strDeposit"] = f"{int(new['deposit']):,}".replace(",", ".")
                lots.append(new)
            name = "; ".join(str(l.get("propertyName") or "") for l in lots) if len(lots) > 1 else \
                str(lots[0].get("propertyName") or "")
            root, chain = None, []
        for i, lot in enumerate(lots):
            lot["auPropertyInfoId"] = rid * 10 + i
            lot["auctionInfoId"] = rid
        reg_start = at_offset(pub, t.reg_start)
        reg_end = at_offset(pub, t.reg_end, avoid_sunday=True)
        auc = at_offset(reg_end, t.auction, avoid_sunday=True) if reg_end is not None else None
        owner_name, org_name = self.owners[owner], self.org_for(owner, 0.6)
        item = {"id": rid, "titleName": t.title, "propertyName": name, "subPropertyName": sub_name(name),
                "publishTime1": pub, "publishTime2": None, "aucTime": auc, "aucRegTimeStart": reg_start,
                "aucRegTimeEnd": reg_end, "fullname": owner_name, "org_name": org_name,
                "propertyTypeId": t.type_id, "propertyTypeName": t.type_name}
        label = f"Thông báo công khai lần {len(chain) + 1}"
        history = [{"auctionInfoId": rid, "rootID": root, "strLevelCorrection": label, "publishTime1": pub,
                    "publishTime2": None}]
        history += [{"auctionInfoId": c, "rootID": None if c == root else root,
                     "strLevelCorrection": f"Thông báo công khai lần {i + 1}", "publishTime1": None,
                     "publishTime2": None} for i, c in enumerate(chain[-8:])]
        files = [self.link_file(rid, i, mut(n), pub) for i, n in enumerate(t.files)]
        doc: dict[str, Any] = {
            "kind": RecordKind.DGTS_AUCTION_NOTICE, "id": rid, "list_item": item, "property_info": lots,
            "detail": {"fullName": owner_name, "orgFullName": org_name, "aucRegTimeStart": reg_start,
                       "aucRegTimeEnd": reg_end, "listFile": files},
            "publish_history": history, "corrections": []}
        self.schedule_auction_events(doc, pub)
        entry = Recent(rid, root or rid, day_index, lots, name, t, owner, chain)
        if relist is not None and slot is not None:
            self.relist_pool[slot] = entry  # the chain continues from its newest round
        elif len(self.relist_pool) < RELIST_POOL:
            self.relist_pool.append(entry)
        else:
            self.relist_pool[self.rng.randrange(RELIST_POOL)] = entry
        self.counts["auction_files"] += len(files)
        self.counts["auction_lots"] += len(lots)
        return doc

    def schedule_auction_events(self, doc: dict[str, Any], pub: int) -> None:
        sim: dict[str, Any] = {}
        r = self.rng.random()
        item = doc["list_item"]
        if r < self.o.edit_share and item["aucTime"] and item["aucRegTimeEnd"]:
            at = pub + self.rng.randint(1, 10) * DAY_MS + self.rng.randrange(0, 8 * 3_600_000)
            shift = self.rng.choice((-2, 3, 7)) * DAY_MS
            sim["edits"] = [{"at": at, "set": {"list_item.aucTime": item["aucTime"] + shift,
                                               "list_item.aucRegTimeEnd": item["aucRegTimeEnd"] + shift,
                                               "detail.aucRegTimeEnd": item["aucRegTimeEnd"] + shift}}]
            self.counts["auction_edits"] += 1
        elif r < self.o.edit_share + self.o.takedown_share:
            sim["taken_down_at"] = pub + self.rng.randint(1, 20) * DAY_MS
            self.counts["auction_takedowns"] += 1
        elif r < self.o.edit_share + self.o.takedown_share + self.o.second_posting_share:
            sim["second_publication_at"] = pub + self.rng.randint(1, 10) * DAY_MS + self.rng.randrange(0, 3_600_000)
            self.counts["auction_second_postings"] += 1
        if sim:
            doc["_sim"] = sim

    # ---------------------------------------------------------------- selection notices and results

    def selection_notice(self, rid: int, pub: int) -> dict[str, Any]:
        owner = self.owner()
        owner_name = self.owners[owner]
        mut = DigitMutator(self.rng)
        t = self.rng.choice(self.templates)
        lot = t.lots[0]
        name = str(mut(lot.get("propertyName")) or "")
        price = lot.get("propertyStartPrice")
        price = round_price(price * math.exp(self.rng.gauss(0, 0.5))) if isinstance(price, (int, float)) else None
        pub_day = datetime.fromtimestamp(pub / 1000, ICT).date()
        start = pub_day + timedelta(days=self.rng.choices((0, 1, 2), (3, 6, 1))[0])
        short = self.rng.random() < 0.03  # below the legal 3 working days: what the detector looks for
        wdays = self.rng.randint(1, 2) if short else self.rng.choices(range(3, 11), (8, 6, 10, 5, 3, 2, 2, 4))[0]
        end = add_working_days(start - timedelta(days=1), wdays)
        place = str(mut(lot.get("propertyPlace")) or "").strip() or "địa chỉ người có tài sản"
        prop = {"propertyName": name, "propertyAmount": str(lot.get("propertyAmount") or "01"),
                "propertyQuality": str(lot.get("propertyQuality") or ""), "propertyStartPrice": price,
                "propertyTypeName": t.type_name}
        phone = f"000.000.{self.rng.randrange(10_000):04d}"
        gen = pub - self.rng.randrange(0, 2 * DAY_MS)
        content = (f"1. Tên, địa chỉ người có tài sản đấu giá: {owner_name}, địa chỉ: {place}.\n"
                   f"2. Tên tài sản đấu giá, giá khởi điểm: {name}, giá khởi điểm: "
                   f"{(f'{price:,}'.replace(',', '.') + ' đồng') if price else 'theo hồ sơ'}.\n"
                   "3. Tiêu chí lựa chọn tổ chức đấu giá tài sản: theo Phụ lục tiêu chí đăng kèm thông báo.\n"
                   f"4. Thời gian, địa điểm nộp hồ sơ: từ ngày {start:%d/%m/%Y} đến hết ngày {end:%d/%m/%Y} "
                   f"(trong giờ hành chính) tại {place}.")
        files_notice = [self.link_file(rid, 0, f"Tieu chi lua chon {rid % 1000}.pdf", pub)]
        files_prop = [self.link_file(rid, 1, f"Thong bao lua chon {rid % 1000}.pdf", pub)]
        doc: dict[str, Any] = {
            "kind": RecordKind.DGTS_SELECTION_NOTICE, "id": rid,
            "list_item": {"id": rid, "propertyName": name, "lastUpdated": pub - pub % 1000,
                          "receiveTimeStart": day_ms(start), "receiveTimeEnd": day_ms(end)},
            "detail": {"id": rid, "ownerFullname": owner_name, "ownerTel": phone, "ownerAddress": place,
                       "addrOwner": place, "genDate": gen, "fromDate": day_ms(start), "toDate": day_ms(end),
                       "addressReceive": place, "contactInfo": f"Bộ phận tiếp nhận hồ sơ - SĐT {phone}",
                       "propertyName": name},
            "properties": [prop],
            "edit_notice": {"listFileNotice": files_notice,
                            "property": [{"propertyName": name, "listFile": files_prop}],
                            "notice": {"id": rid, "title": "Thông báo lựa chọn tổ chức đấu giá tài sản",
                                       "content": content}}}
        if self.rng.random() < 0.03:  # an edit moving the window end 1–3 days, 1–3 days after publication
            at = pub + self.rng.randint(1, 3) * DAY_MS
            new_end = day_ms(end + timedelta(days=self.rng.choice((-2, -1, 1, 3))))
            doc["_sim"] = {"edits": [{"at": at, "set": {"list_item.receiveTimeEnd": new_end, "detail.toDate": new_end}}]}
            self.counts["selection_edits"] += 1
        if self.rng.random() < self.o.result_share:
            self.plan_result(doc, owner, owner_name, place, prop, end)
        return doc

    def plan_result(self, notice: dict[str, Any], owner: int, owner_name: str, place: str, prop: dict[str, Any],
                    window_end: date) -> None:
        if self.rng.random() < 0.02:  # published before the window closed
            scored = window_end - timedelta(days=self.rng.randint(0, 2))
            self.counts["results_before_window_end"] += 1
        else:
            scored = add_working_days(window_end, self.rng.choices(range(1, 11), (4, 5, 5, 4, 3, 2, 2, 1, 1, 1))[0])
        published_day = scored + timedelta(days=self.rng.choices((0, 1, 2, 3, 5), (3, 4, 2, 1, 1))[0])
        pub = self.daytime(day_ms(published_day))
        org = self.org_for(owner, 0.7)
        score = self.rng.randint(70, 98)
        text = (f"Ngày {scored.day}/{scored.month}/{scored.year}, {owner_name} đã tiến hành chấm điểm hồ sơ đăng ký "
                f"tham gia lựa chọn tổ chức đấu giá tài sản đối với tài sản: {prop['propertyName']}. "
                f"Tổ chức đấu giá tài sản được lựa chọn: {org}. Tổng số điểm của tổ chức đấu giá tài sản được lựa "
                f"chọn: {score}/100 điểm. Tổ chức đấu giá tài sản bị từ chối xem xét, đánh giá hồ sơ: Không.")
        partial = {"kind": RecordKind.DGTS_SELECTION_RESULT,
                   "list_item": {"propertyName": prop["propertyName"], "orgName": org, "publishTime": pub,
                                 "ownerFullname": owner_name},
                   "owner": {"fullname": owner_name, "addrOwner": place},
                   "history": {"orgInfo": {"orgName": org, "addrFull": "", "foneNumber": ""}, "property": [dict(prop)]},
                   "info": {"publishTime": pub, "subPropertyName": sub_name(prop["propertyName"]), "publishInfo": text}}
        self.seq += 1
        heapq.heappush(self.pending_results, (pub, self.seq, partial))

    def release_results(self, until_ms: int, out: TextIO) -> int:
        n = 0
        while self.pending_results and self.pending_results[0][0] < until_ms:
            _, _, doc = heapq.heappop(self.pending_results)
            rid = self.next_result
            self.next_result += 1
            doc["id"] = rid
            doc["list_item"] = {"id": rid, **doc["list_item"]}
            out.write(json.dumps({"kind": doc.pop("kind"), "id": doc.pop("id"), **doc}, ensure_ascii=False) + "\n")
            n += 1
        return n

    # ---------------------------------------------------------------- driver

    def run(self) -> dict[str, Any]:
        o = self.o
        o.out.mkdir(parents=True, exist_ok=True)
        auction_counts = self.per_day(o.notices)
        selection_counts = self.per_day(o.selection_per_day * o.days)
        paths = {k: o.out / f"{k}.jsonl" for k in ("auction_notices", "selection_notices", "selection_results")}
        with paths["auction_notices"].open("w", encoding="utf-8") as fa, \
                paths["selection_notices"].open("w", encoding="utf-8") as fs, \
                paths["selection_results"].open("w", encoding="utf-8") as fr:
            for i in range(o.days):
                day = self.first_day + timedelta(days=i)
                start = day_ms(day)
                # Ids are allocated when a draft is created, not when it is published: shuffle within the day.
                ids = []
                for _ in range(auction_counts[i]):
                    if self.rng.random() < HIDDEN_ID_RATE:
                        self.next_auction += 1
                    ids.append(self.next_auction)
                    self.next_auction += 1
                times = sorted(self.daytime(start) for _ in ids)
                self.rng.shuffle(ids)
                for rid, pub in zip(ids, times):
                    fa.write(json.dumps(self.auction_notice(rid, i, pub), ensure_ascii=False) + "\n")
                self.counts["auction_notices"] += len(ids)
                for _ in range(selection_counts[i]):
                    rid = self.next_selection
                    self.next_selection += 1
                    fs.write(json.dumps(self.selection_notice(rid, self.daytime(start)), ensure_ascii=False) + "\n")
                self.counts["selection_notices"] += selection_counts[i]
                self.counts["selection_results"] += self.release_results(start + DAY_MS, fr)
        self.counts["results_after_last_day_dropped"] = len(self.pending_results)
        clock = datetime.combine(o.last_day + timedelta(days=1), datetime.min.time(), ICT).replace(hour=6)
        manifest = {
            "synthetic": True,
            "generator": "bench/generate_dataset.py",
            "seed": o.seed, "notices": o.notices, "days": o.days,
            "first_day": self.first_day.isoformat(), "last_day": o.last_day.isoformat(),
            "daily_clock": clock.isoformat(),
            "source_sample": str(self.sample),
            "parameters": {k: (str(v) if isinstance(v, (Path, date)) else v) for k, v in vars(o).items()},
            "owners": len(self.owners), "organisations": len(self.orgs),
            "counts": dict(self.counts),
            "files": {k: {"path": p.name, "bytes": p.stat().st_size} for k, p in paths.items()},
        }
        (o.out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        return manifest


def parse_args(argv: list[str] | None = None) -> Options:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--notices", type=int, default=600_000, help="auction notices (default 600000)")
    ap.add_argument("--days", type=int, default=None, help="publication days (default notices/500)")
    ap.add_argument("--seed", type=int, default=20260801)
    ap.add_argument("--out", type=Path, required=True, help="output folder")
    ap.add_argument("--last-day", type=date.fromisoformat, default=date(2026, 7, 31),
                    help="last publication day, ISO (default 2026-07-31, a Friday)")
    ap.add_argument("--selection-per-day", type=float, default=65.0)
    ap.add_argument("--result-share", type=float, default=0.25, help="share of selection notices with a result")
    ap.add_argument("--owners", type=int, default=None, help="distinct owners (default notices/40, at least 300)")
    ap.add_argument("--orgs", type=int, default=900, help="distinct auction organisations")
    ap.add_argument("--zipf", type=float, default=0.8, help="Zipf exponent of owner and organisation frequency")
    ap.add_argument("--relist-share", type=float, default=0.12, help="share of notices that relist an earlier one")
    ap.add_argument("--relist-cut", type=float, default=0.10, help="mean price cut per relist")
    ap.add_argument("--edit-share", type=float, default=0.015)
    ap.add_argument("--takedown-share", type=float, default=0.003)
    ap.add_argument("--second-posting-share", type=float, default=0.01)
    a = ap.parse_args(argv)
    if a.notices < 1:
        ap.error("--notices must be positive")
    days = a.days or max(1, math.ceil(a.notices / 500))
    owners = a.owners or max(300, a.notices // 40)
    return Options(notices=a.notices, days=days, seed=a.seed, out=a.out, last_day=a.last_day,
                   selection_per_day=a.selection_per_day, result_share=a.result_share, owners=owners, orgs=a.orgs,
                   zipf=a.zipf, relist_share=a.relist_share, relist_cut=a.relist_cut, edit_share=a.edit_share,
                   takedown_share=a.takedown_share, second_posting_share=a.second_posting_share)


def main(argv: list[str] | None = None) -> int:
    opts = parse_args(argv)
    t0 = time.perf_counter()
    manifest = Generator(opts).run()
    wall = time.perf_counter() - t0
    c = manifest["counts"]
    docs = c["auction_notices"] + c["selection_notices"] + c["selection_results"]
    size = sum(f["bytes"] for f in manifest["files"].values())
    print(f"auction_notices: {c['auction_notices']} documents")
    print(f"selection_notices: {c['selection_notices']} documents")
    print(f"selection_results: {c['selection_results']} documents")
    print(f"relisted_notices: {c.get('auction_relists', 0)} documents")
    print(f"distinct_owners: {manifest['owners']} names")
    print(f"distinct_organisations: {manifest['organisations']} names")
    print(f"generation_wall: {wall:.1f} s")
    print(f"generation_rate: {docs / wall:.0f} documents/s")
    print(f"dataset_size: {size / 1e6:.1f} MB")
    print(f"daily_clock: {manifest['daily_clock']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
