"""Auction outcomes read from text: result notices and minutes attached to dgts notices, and THADS notices linked to
a dgts notice (``record_links`` of type ``thads_dgts``).

dgts publishes no bidder counts, bids or winners in structured form; they are in the text of result notices and
minutes ("biên bản đấu giá"), often scanned. A text counts as an outcome text when it carries a result marker
(kết quả / biên bản / trúng đấu giá) and at least one outcome field: registered bidders, active bidders, the
winning price, or the winner. The rest of each notice's attachments (rules, notices) are ignored. Every text is
bounded (``max_text_chars``) and parsed with plain regular expressions over accent-folded text (no backtracking-
heavy patterns), so an adversarial file cannot stall a run.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.kinds import NoticeKind, RecordKind
from storage.models import Attachment, RecordLink, ThadsNotice
from vntext.core import normalize_vn, parse_vnd
from vntext.fold import fold_lower

MARKERS = ("kết quả", "biên bản", "trúng đấu giá", "trả giá")
_RESULT_MARKER = re.compile(r"ket qua|bien ban|trung dau gia")
_AMOUNT_AFTER = 120
_WIN_PRICE = re.compile(r"(?:gia trung dau gia|gia trung|trung dau gia voi (?:muc )?gia|gia ban (?:duoc|thanh cong)|"
                        r"gia tra cao nhat)\s{0,3}(?:la|bang)?\s{0,3}:?\s{0,3}")
_STEP = re.compile(r"buoc gia\s{0,3}(?:la)?\s{0,3}:?\s{0,3}")
_START = re.compile(r"gia khoi diem\s{0,3}(?:la)?\s{0,3}:?\s{0,3}")
_COUNT = r"(\d{1,3})\s{0,3}(?:\([a-z ]{1,20}\)\s{0,3})?"
_PEOPLE = r"(?:nguoi|khach hang|to chuc(?:,? ca nhan)?|ca nhan|ho so|doanh nghiep)"
_REGISTERED = re.compile(
    rf"(?:\bco|tong so|\bgom)\s{{1,3}}{_COUNT}{_PEOPLE}[^.;\n]{{0,40}}?(?:dang ky|nop ho so|du dieu kien)|"
    rf"so {_PEOPLE} (?:da )?(?:dang ky|nop ho so)(?: tham gia)?(?: dau gia)?\s{{0,3}}(?:la)?\s{{0,3}}:?\s{{0,3}}(\d{{1,3}})")
_ACTIVE = re.compile(
    rf"(?:\bco|chi co)\s{{1,3}}{_COUNT}{_PEOPLE}[^.;\n]{{0,30}}?tra gia|"
    rf"so {_PEOPLE} (?:tham gia )?tra gia\s{{0,3}}(?:la)?\s{{0,3}}:?\s{{0,3}}(\d{{1,3}})")
_WINNER = re.compile(r"(?:nguoi|khach hang|to chuc) trung dau gia\s{0,3}(?:la)?\s{0,3}:?\s{0,3}"
                     r"((?:ong|ba|cong ty|doanh nghiep|hop tac xa)\s[^,;\n.(]{2,60})")
_PARTICIPANTS = re.compile(r"(?:danh sach (?:nguoi|khach hang) tham gia(?: dau gia| tra gia)?|"
                           r"(?:nguoi|khach hang) tham gia (?:dau gia|tra gia) gom)\s{0,3}:?")
_NAME = re.compile(r"\b(?:ong|ba|cong ty|doanh nghiep|hop tac xa)\s[^,;\n.(0-9]{2,60}")
_PARTICIPANT_WINDOW = 1_500
_MAX_PARTICIPANTS = 50
_NON_WORD = re.compile(r"[^0-9a-z]+")


def person_key(name: str) -> str:
    return " ".join(_NON_WORD.sub(" ", fold_lower(name)).split()[:8])


@dataclass
class Outcome:
    """Outcome fields found for one auction notice (merged over its outcome texts)."""

    notice_id: int
    sources: list[str] = field(default_factory=list)
    registered: int | None = None
    active: int | None = None
    winning_price: int | None = None
    step: int | None = None
    start_price_text: int | None = None
    winner: str | None = None
    participants: list[str] = field(default_factory=list)

    def merge(self, other: dict[str, Any], source: str) -> None:
        self.sources.append(source)
        for name in ("registered", "active", "winning_price", "step", "start_price_text", "winner"):
            if getattr(self, name) is None and other.get(name) is not None:
                setattr(self, name, other[name])
        for p in other.get("participants", []):
            if p not in self.participants:
                self.participants.append(p)

    @property
    def losers(self) -> list[str]:
        winner = person_key(self.winner) if self.winner else None
        return [p for p in self.participants if person_key(p) != winner]

    def as_dict(self) -> dict[str, Any]:
        return {"sources": self.sources[:10], "registered": self.registered, "active_bidders": self.active,
                "winning_price": self.winning_price, "bid_step": self.step,
                "start_price_in_text": self.start_price_text, "winner": self.winner,
                "participants": self.participants[:20]}


def _first_int(m: re.Match[str]) -> int | None:
    for g in m.groups():
        if g and g.isdigit():
            return int(g)
    return None


def _amount(text: str, folded: str, rx: re.Pattern[str]) -> int | None:
    for m in rx.finditer(folded):
        value = parse_vnd(text[m.end():m.end() + _AMOUNT_AFTER])
        if value:
            return value
    return None


def parse_outcome_text(raw: str, max_chars: int) -> dict[str, Any] | None:
    """Outcome fields of one text, or None when it is not an outcome text."""
    text = normalize_vn(raw[:max_chars])
    folded = fold_lower(text)  # same length as text: offsets carry over
    if not _RESULT_MARKER.search(folded):
        return None
    out: dict[str, Any] = {}
    m = _REGISTERED.search(folded)
    if m:
        out["registered"] = _first_int(m)
    m = _ACTIVE.search(folded)
    if m:
        out["active"] = _first_int(m)
    out["winning_price"] = _amount(text, folded, _WIN_PRICE)
    out["step"] = _amount(text, folded, _STEP)
    out["start_price_text"] = _amount(text, folded, _START)
    m = _WINNER.search(folded)
    if m:
        out["winner"] = " ".join(text[m.start(1):m.end(1)].split())
    participants: list[str] = []
    for pm in _PARTICIPANTS.finditer(folded):
        window_end = min(len(folded), pm.end() + _PARTICIPANT_WINDOW)
        for nm in _NAME.finditer(folded, pm.end(), window_end):
            name = " ".join(text[nm.start():nm.end()].split())
            if name not in participants:
                participants.append(name)
            if len(participants) >= _MAX_PARTICIPANTS:
                break
    out["participants"] = participants
    if not any(out.get(k) is not None for k in ("registered", "active", "winning_price", "winner")):
        return None
    return out


def _has_marker(text: str) -> bool:
    low = normalize_vn(text[:200_000]).lower()
    return any(mk in low for mk in MARKERS) or "ket qua" in low or "trung dau gia" in low


def _thads_links(session: Session) -> dict[str, set[int]]:
    """THADS notice key -> dgts auction notice ids, from matched record links in either direction."""
    out: dict[str, set[int]] = defaultdict(set)
    thads = (RecordKind.THADS_NOTICE, NoticeKind.THADS_NOTICE)  # crawler.thads_linking writes the record kind
    for fk, fkey, tk, tkey in session.execute(select(
            RecordLink.from_kind, RecordLink.from_key, RecordLink.to_kind, RecordLink.to_key).where(
            RecordLink.link_type == "thads_dgts", RecordLink.status == "matched")):
        if fk in thads and tk == NoticeKind.AUCTION_NOTICE and tkey.isdigit():
            out[fkey].add(int(tkey))
        elif tk in thads and fk == NoticeKind.AUCTION_NOTICE and fkey.isdigit():
            out[tkey].add(int(fkey))
    return out


def _texts(session: Session, notice_ids: set[int], max_chars: int) -> Iterator[tuple[int, str, str]]:
    """(auction notice id, source label, text) for every extracted text that may hold an outcome."""
    rows = session.execute(select(Attachment.notice_key, Attachment.file_name, Attachment.text).where(
        Attachment.notice_kind == NoticeKind.AUCTION_NOTICE, Attachment.text.is_not(None))
                           .execution_options(yield_per=500))
    for key, file_name, text in rows:
        if key.isdigit() and int(key) in notice_ids and text and _has_marker(text):
            yield int(key), f"attachment {file_name}", text[:max_chars]
    links = _thads_links(session)
    if not links:
        return
    keys = sorted(links)
    for i in range(0, len(keys), 500):
        chunk = keys[i:i + 500]
        for key, body in session.execute(select(ThadsNotice.key, ThadsNotice.body_text).where(
                ThadsNotice.key.in_(chunk), ThadsNotice.body_text.is_not(None))):
            if body and _has_marker(body):
                for nid in sorted(links[key]):
                    if nid in notice_ids:
                        yield nid, f"THADS {key}", body[:max_chars]
        for key, file_name, text in session.execute(select(
                Attachment.notice_key, Attachment.file_name, Attachment.text).where(
                Attachment.notice_kind == NoticeKind.THADS_NOTICE, Attachment.notice_key.in_(chunk),
                Attachment.text.is_not(None))):
            if text and _has_marker(text):
                for nid in sorted(links[key]):
                    if nid in notice_ids:
                        yield nid, f"THADS {key} attachment {file_name}", text[:max_chars]


def collect_outcomes(session: Session, notice_ids: set[int], max_chars: int) -> tuple[dict[int, Outcome], dict[str, int]]:
    outcomes: dict[int, Outcome] = {}
    texts_read = 0
    for nid, source, text in _texts(session, notice_ids, max_chars):
        texts_read += 1
        fields = parse_outcome_text(text, max_chars)
        if fields is None:
            continue
        outcomes.setdefault(nid, Outcome(nid)).merge(fields, source)
    coverage = {"notices": len(notice_ids), "candidate_texts_read": texts_read,
                "notices_with_outcome": len(outcomes)}
    for name in ("registered", "active", "winning_price", "winner"):
        coverage[f"with_{name}"] = sum(1 for o in outcomes.values() if getattr(o, name) is not None)
    coverage["with_participants"] = sum(1 for o in outcomes.values() if o.participants)
    return outcomes, coverage
