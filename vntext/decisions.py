"""Dates a selection result ties to the scoring of the applications or to the selection decision.

One reading for both portals: the dgts result text and attachments, and the THADS result notice and its
attachments. Accepted cues, each on a date found by ``vntext.core.find_dates``:

* a label before the date: "Ngày chấm điểm: 12/6/2026", "Thời gian lựa chọn: …", also with a clock time between
  ("Ngày chấm điểm: 8 giờ ngày 12/6/2026");
* a selection decision: "Quyết định số 45/QĐ-X ngày 16/6/2026 về việc lựa chọn/phê duyệt kết quả …" (not one that
  sets up the panel or the criteria, and not a notice reference "Thông báo số … ngày … về việc lựa chọn");
* scoring done on a day: "Ngày 12/6/2026, … đã (tiến hành) chấm điểm", "… chấm điểm hồ sơ vào ngày 12/6/2026".

"Hồ sơ sẽ được chấm điểm theo Thông tư … ngày …" (a legal basis, scoring to come) is no cue.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from datetime import date

from vntext.core import DateMatch, find_dates, normalize_vn
from vntext.fold import fold_lower

MAX_TEXT_CHARS = 200_000
MAX_EXCERPT = 160

LABEL = "label"
SELECTION_DECISION = "selection decision"
SCORED_ON = "scored on"


@dataclass(frozen=True)
class DecisionDate:
    value: date
    source: str  # "result text", "attachment:<name>", "result notice date", ...
    cue: str  # label | selection decision | scored on (or the caller's own wording for a stored date)
    excerpt: str


_LABEL_BEFORE = re.compile(
    r"(?:ngay|thoi gian)\s+(?:to chuc\s+|tien hanh\s+|hop\s+)?(?:cham diem|xet chon|lua chon(?: to chuc dau gia)?|"
    r"quyet dinh lua chon)[^\d\n]{0,20}$")
_SCORING_LABEL = re.compile(r"(?:ngay|thoi\s+gian)\s+(?:to\s+chuc\s+)?cham\s+diem\s*[:\-]?\s*")
_SCORING_LABEL_REACH = 60  # the labelled date ends within this many characters after the label
_DECISION_BEFORE = re.compile(r"quyet dinh\s+(?:so\b[^\n]{0,40}?\s)?ngay\s*$")
_DECISION_AFTER = re.compile(r"^[^\n.;]{0,60}?\b(?:lua chon|phe duyet ket qua)\b")
_NOT_A_DECISION = re.compile(r"thanh lap|to cham diem|hoi dong|ban hanh quy che|tieu chi")
_SCORED_AFTER = re.compile(r"^[^\d\n.;]{0,100}?\b(?:cham diem|xet chon)\b")
_SCORED_BEFORE = re.compile(r"(?:cham diem|xet chon|hop lua chon)[^\d\n.;]{0,60}?\bngay\s*$")
_DAY_WORD_BEFORE = re.compile(r"\bngay\s*$")
# Scoring that has happened, written after its date on the same line: "Ngày 12/6/2026, … đã tiến hành chấm điểm".
_SCORING_DONE = re.compile(
    r"\b(?:da\s+)?(?:tien\s+hanh|to\s+chuc|thuc\s+hien|hop)\s+(?:viec\s+|hop\s+)?cham\s+diem|\bda\s+cham\s+diem")
_SCORING_DONE_REACH = 200
_SCORING_WORDS = re.compile(r"cham\s+diem")
_SCORING_WORDS_REACH = 80  # "chấm điểm hồ sơ vào ngày 12/6/2026": the date starts this close after the words


def _scoring_label_dates(folded: str, dates: list[DateMatch]) -> set[int]:
    """Start offsets of the dates right after a scoring label."""
    starts = [d.start for d in dates]
    out: set[int] = set()
    for label in _SCORING_LABEL.finditer(folded):
        i = bisect_left(starts, label.end())
        if i < len(dates) and dates[i].end <= label.end() + _SCORING_LABEL_REACH:
            out.add(dates[i].start)
    return out


def _dates_after_scoring_words(folded: str, dates: list[DateMatch]) -> set[int]:
    """Start offsets of dates that follow "chấm điểm … ngày" with no number, slash or line break in between."""
    starts = [d.start for d in dates]
    out: set[int] = set()
    for words in _SCORING_WORDS.finditer(folded):
        i = bisect_left(starts, words.end())
        if i == len(dates) or dates[i].start > words.end() + _SCORING_WORDS_REACH:
            continue
        gap = folded[words.end():dates[i].start]
        if not re.search(r"[\d\n/]", gap) and re.search(r"\bngay\b", gap + folded[dates[i].start:dates[i].start + 5]):
            out.add(dates[i].start)
    return out


def _scoring_done_after(folded: str, dates: list[DateMatch], index: int) -> bool:
    """The date's own line goes on to say the scoring was done, before any other date."""
    match = dates[index]
    limit = match.end + _SCORING_DONE_REACH
    if index + 1 < len(dates):
        limit = min(limit, dates[index + 1].start)
    newline = folded.find("\n", match.end, limit)
    return bool(_SCORING_DONE.search(folded, match.end, newline if newline != -1 else limit))


def find_decision_dates(text: str | None, source: str) -> list[DecisionDate]:
    """Dates that ``text`` ties to the scoring or the selection decision, in text order (see the module
    docstring), each with its cue and a short excerpt around it."""
    if not text:
        return []
    norm = normalize_vn(text[:MAX_TEXT_CHARS])
    folded = fold_lower(norm)
    dates = find_dates(norm)
    labelled = _scoring_label_dates(folded, dates)
    after_words = _dates_after_scoring_words(folded, dates)
    out: list[DecisionDate] = []
    for index, m in enumerate(dates):
        before = folded[max(0, m.start - 90):m.start]
        if folded.startswith("ngay", m.start):  # "ngày 12 tháng 6 năm 2026" carries its own "ngày"
            before += "ngay "
        after = folded[m.end:m.end + 110]
        cue = None
        if _LABEL_BEFORE.search(before) or m.start in labelled:
            cue = LABEL
        elif _DECISION_BEFORE.search(before):
            tail = _DECISION_AFTER.search(after)
            if tail and not _NOT_A_DECISION.search(after[:tail.end()]):
                cue = SELECTION_DECISION
        elif (_SCORED_BEFORE.search(before) or m.start in after_words
              or (_DAY_WORD_BEFORE.search(before) and _SCORED_AFTER.search(after))
              or _scoring_done_after(folded, dates, index)):
            cue = SCORED_ON
        if cue:
            excerpt = " ".join(norm[max(0, m.start - 70):m.end + 70].split())[:MAX_EXCERPT]
            out.append(DecisionDate(m.value, source, cue, excerpt))
    return out


def earliest_decision_date(text: str | None, source: str) -> DecisionDate | None:
    """The earliest date ``find_decision_dates`` reads in ``text`` (what a result row stores as its decision date)."""
    found = find_decision_dates(text, source)
    return min(found, key=lambda d: d.value) if found else None
