"""Who and what a finding is about, read from storage: the auction organisation, the asset in one line, and for
a parcel finding the lot's own text with the parcel facts found in it marked (e-mails and the review site)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import AuctionNotice, Finding, Lot, RecordLink, SelectionNotice, SelectionResult, ThadsNotice

ASSET_MAX_CHARS = 160
LOT_TEXT_MAX_CHARS = 700
# a lot's own texts, in the order shown, and what each is called
LOT_TEXTS = (("name", "Tên tài sản"), ("place", "Nơi có tài sản"), ("quality", "Chất lượng, hiện trạng"),
             ("detail", "Mô tả chi tiết"))
FOUND_LABELS = {"parcel_no": "số thửa", "map_sheet": "số tờ bản đồ", "area_m2": "diện tích",
                "location": "vị trí", "certificate": "giấy chứng nhận", "land_use_purpose": "mục đích sử dụng",
                "use_term": "thời hạn sử dụng"}


@dataclass(frozen=True)
class MarkedText:
    """One text of the lot: ``segments`` are (text, label of the parcel fact it states, or None)."""

    label: str
    segments: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class Subject:
    """Who and what: the organisation chosen (or holding the auction), the asset, the lot's marked texts."""

    organisation: str | None = None
    asset: str | None = None
    lot_texts: tuple[MarkedText, ...] = field(default_factory=tuple)


def _one_line(text: str | None, limit: int = ASSET_MAX_CHARS) -> str | None:
    line = " ".join((text or "").split())
    if not line:
        return None
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def _lot_key(finding: Finding) -> tuple[str, str, int] | None:
    if finding.subject_kind != "lot" or finding.subject_id.count(":") < 2:
        return None
    kind, key, index = finding.subject_id.rsplit(":", 2)
    return (kind, key, int(index)) if index.isdigit() else None


def organisation_of(session: Session, finding: Finding) -> str | None:
    """The auction organisation chosen (premature scoring) or holding the auction the finding is about."""
    kind, sid = finding.subject_kind, finding.subject_id
    evidence = finding.evidence if isinstance(finding.evidence, dict) else {}
    lot = _lot_key(finding)
    if lot is not None:
        kind, sid = lot[0], lot[1]
    # the organisations the evidence names: those chosen by the linked results, those of a relist chain's rounds
    chosen = [s.get("organisation") for s in evidence.get("selected") or [] if isinstance(s, dict)]
    chosen += [o for r in evidence.get("rounds") or [] if isinstance(r, dict) for o in r.get("organisations") or []]
    if any(isinstance(c, str) and c for c in chosen):
        return "; ".join(dict.fromkeys(c for c in chosen if isinstance(c, str) and c))
    if kind == "selection_result" and sid.isdigit():
        return session.scalar(select(SelectionResult.org_name).where(SelectionResult.id == int(sid)))
    if kind == "auction_notice" and sid.isdigit():
        return session.scalar(select(AuctionNotice.org_name).where(AuctionNotice.id == int(sid)))
    if kind == "thads_notice":
        name = session.scalar(select(ThadsNotice.selected_org).where(ThadsNotice.key == sid))
        if name:
            return name
    if kind in ("selection_notice", "thads_notice"):
        return _chosen_for_notice(session, kind, sid)
    return None


def _chosen_for_notice(session: Session, kind: str, sid: str) -> str | None:
    """The organisation named by a result linked to this selection notice (the portal's link id, or the link the
    premature-scoring detector stored)."""
    if kind == "selection_notice" and sid.isdigit():
        name = session.scalar(select(SelectionResult.org_name).where(SelectionResult.notice_id == int(sid))
                              .where(SelectionResult.org_name.is_not(None)).limit(1))
        if name:
            return name
    for from_kind, from_key in session.execute(
            select(RecordLink.from_kind, RecordLink.from_key).where(
                RecordLink.link_type == "result_notice", RecordLink.to_kind == kind, RecordLink.to_key == sid,
                RecordLink.status == "matched").limit(5)):
        if from_kind == "selection_result" and from_key.isdigit():
            name = session.scalar(select(SelectionResult.org_name).where(SelectionResult.id == int(from_key)))
        elif from_kind == "thads_notice":
            name = session.scalar(select(ThadsNotice.selected_org).where(ThadsNotice.key == from_key))
        else:
            name = None
        if name:
            return name
    return None


def asset_of(session: Session, finding: Finding) -> str | None:
    """The asset in one line, from the subject record (a lot's own name first)."""
    kind, sid = finding.subject_kind, finding.subject_id
    lot = _lot_key(finding)
    if lot is not None:
        name = session.scalar(select(Lot.name).where(Lot.notice_kind == lot[0], Lot.notice_key == lot[1],
                                                     Lot.lot_index == lot[2]))
        if name:
            return _one_line(name)
        kind, sid = lot[0], lot[1]
    if kind == "chain":  # a relist chain is named by its first auction notice
        kind = "auction_notice"
    model = {"selection_notice": SelectionNotice, "selection_result": SelectionResult,
             "auction_notice": AuctionNotice}.get(kind)
    if model is not None and sid.isdigit():
        return _one_line(session.scalar(select(model.property_name).where(model.id == int(sid))))
    if kind == "thads_notice":  # a THADS notice's title is "Thông báo ..."; its first asset says what is sold
        first = session.scalar(select(Lot.name).where(Lot.notice_kind == "thads_notice", Lot.notice_key == sid)
                               .order_by(Lot.lot_index).limit(1))
        return _one_line(first or session.scalar(select(ThadsNotice.title).where(ThadsNotice.key == sid)))
    evidence = finding.evidence if isinstance(finding.evidence, dict) else {}
    return _one_line(evidence.get("asset") or evidence.get("lot_name")) if isinstance(
        evidence.get("asset") or evidence.get("lot_name"), str) else None


def lot_texts(session: Session, finding: Finding) -> tuple[MarkedText, ...]:
    """A parcel finding's lot: its name, and each other own text a parcel fact was found in, with the facts
    found marked."""
    lot = _lot_key(finding)
    evidence = finding.evidence if isinstance(finding.evidence, dict) else {}
    found = evidence.get("found") if isinstance(evidence.get("found"), dict) else None
    if lot is None or found is None:
        return ()
    row = session.scalar(select(Lot).where(Lot.notice_kind == lot[0], Lot.notice_key == lot[1],
                                           Lot.lot_index == lot[2]))
    if row is None:
        return ()
    sources = {part for entry in found.values() if isinstance(entry, dict)
               for part in str(entry.get("source") or "").split("+")}
    out = []
    for column, label in LOT_TEXTS:
        text = getattr(row, column)
        if text and text.strip() and (column == "name" or column in sources):
            out.append(MarkedText(label, mark_found(text, found)))
    return tuple(out)


def describe(session: Session, finding: Finding) -> Subject:
    """Everything ``alerts.compose`` shows about who and what a finding concerns."""
    return Subject(organisation_of(session, finding), asset_of(session, finding), lot_texts(session, finding))


# ------------------------------------------------------------------------------------------ marking


def _number_forms(value: float) -> list[str]:
    """How an area may be written: 26.281 / 26281 / 1.250,5 / 1250,5 / 1250.5."""
    whole = int(value)
    frac = f"{value:.4f}".rstrip("0").rstrip(".").partition(".")[2]
    dotted = f"{whole:,}".replace(",", ".")
    forms = [dotted, str(whole)] if not frac else [f"{dotted},{frac}", f"{whole},{frac}", f"{whole}.{frac}"]
    return list(dict.fromkeys(forms))


def _patterns(key: str, value: Any) -> list[re.Pattern[str]]:
    if key == "area_m2" and isinstance(value, (int, float)) and not isinstance(value, bool):
        numbers = "|".join(re.escape(f) for f in _number_forms(float(value)))
        return [re.compile(rf"(?<![\d.,])(?:{numbers})(?![\d])\s*(?:m2|m²|m\s2|mét vuông)?", re.I)]
    if not isinstance(value, str) or not value.strip():
        return []
    v = rf"0*{re.escape(value.strip())}" if value.strip().isdigit() else re.escape(value.strip())
    if key == "parcel_no":
        return [re.compile(rf"(thửa(?:\s+đất)?(?:\s+số)?\s*[:.]?\s*)({v})(?![\w])", re.I)]
    if key == "map_sheet":
        return [re.compile(rf"(tờ(?:\s+bản\s+đồ)?(?:\s+số)?\s*[:.]?\s*)({v})(?![\w])", re.I)]
    return [re.compile(rf"(?<![\w]){v}(?![\w])", re.I)]


def mark_found(text: str, found: dict[str, Any]) -> tuple[tuple[str, str | None], ...]:
    """``text`` cut into segments, the parts stating a found parcel fact labelled with the fact's name."""
    text = unicodedata.normalize("NFC", " ".join(text.split()))
    if len(text) > LOT_TEXT_MAX_CHARS:
        text = text[: LOT_TEXT_MAX_CHARS - 1].rstrip() + "…"
    spans: list[tuple[int, int, str]] = []
    for key, entry in found.items():
        if key not in FOUND_LABELS or not isinstance(entry, dict):
            continue
        values = entry.get("value")
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, str):
                value = unicodedata.normalize("NFC", value)
            for pattern in _patterns(key, value):
                for m in pattern.finditer(text):
                    start = m.start(2) if pattern.groups >= 2 else m.start()  # the number after "thửa số"
                    if m.end() > start:
                        spans.append((start, m.end(), FOUND_LABELS[key]))
    chosen: list[tuple[int, int, str]] = []
    for span in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if not chosen or span[0] >= chosen[-1][1]:
            chosen.append(span)
    out: list[tuple[str, str | None]] = []
    pos = 0
    for start, end, label in chosen:
        if start > pos:
            out.append((text[pos:start], None))
        out.append((text[start:end], label))
        pos = end
    if pos < len(text):
        out.append((text[pos:], None))
    return tuple(out)
