"""outcome_signals: cover bidding and price suppression read from auction outcomes.

Signals, per auction notice that has outcome data (``outcomes``):

* ``single_active_bidder``: at least ``min_registered`` registered but one active bidder ("quân xanh" who register
  to make the auction valid, then do not bid);
* ``price_at_start``: the winning price is at most ``max_premium_steps`` bid steps above the start price (or, when
  the step is unknown, at most ``max_premium_pct`` % above it): no competition ("dìm giá");
* ``recurring_losers``: a losing participant who has lost to the same winner in at least ``min_recurring``
  auctions (the same cover bidders behind the same winner).

A notice without outcome data gives no result at all; the run statistics record the coverage. With partial data
(an outcome text without the fields a signal needs) and no signal, the result is ``insufficient`` and says what
is missing. Subject: ``auction_notice``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Iterator

from detectors.base import Result
from detectors.collusion import legal
from detectors.collusion.dataset import Dataset
from detectors.collusion.outcomes import Outcome, person_key
from detectors.collusion.settings import OutcomeSignalsSettings
from storage.kinds import NoticeKind

RULE = "outcome_signals"


def recurring_pairs(outcomes: dict[int, Outcome]) -> dict[tuple[str, str], set[int]]:
    """(winner key, loser key) -> notices where that loser lost to that winner."""
    pairs: dict[tuple[str, str], set[int]] = defaultdict(set)
    for nid, o in outcomes.items():
        if not o.winner:
            continue
        w = person_key(o.winner)
        for loser in o.losers:
            pairs[(w, person_key(loser))].add(nid)
    return pairs


def evaluate_outcomes(ds: Dataset, outcomes: dict[int, Outcome], settings: OutcomeSignalsSettings,
                      in_scope: set[int], open_ids: set[str]) -> Iterator[Result]:
    pairs = recurring_pairs(outcomes)
    ds.prefetch(nid for nid in outcomes if nid in in_scope)
    for nid in sorted(outcomes):
        if nid not in in_scope:
            continue
        o = outcomes[nid]
        n = ds.notices.get(nid)
        if n is None:
            continue
        start = n.total_price if len(n.lots) <= 1 else None
        start = start or o.start_price_text
        signals: list[dict[str, Any]] = []
        missing: list[str] = []
        if o.registered is not None and o.active is not None:
            if o.registered >= settings.min_registered and o.active == 1:
                signals.append({"code": "single_active_bidder", "registered": o.registered, "active": o.active,
                                "min_registered": settings.min_registered})
        else:
            missing.append("registered/active bidder counts")
        if o.winning_price is not None and start:
            premium = o.winning_price - start
            if premium >= 0:
                if o.step:
                    limit = settings.max_premium_steps * o.step
                    rule = f"<= {settings.max_premium_steps} bid step(s) of {o.step}"
                else:
                    limit = start * settings.max_premium_pct / 100
                    rule = f"<= {settings.max_premium_pct}% of the start price (bid step unknown)"
                if premium <= limit:
                    signals.append({"code": "price_at_start", "winning_price": o.winning_price, "start_price": start,
                                    "premium": premium, "premium_pct": round(100 * premium / start, 4),
                                    "limit": rule})
        else:
            missing.append("winning price" if o.winning_price is None else "start price")
        if o.winner:
            w = person_key(o.winner)
            for loser in o.losers:
                seen = pairs.get((w, person_key(loser)), set())
                if len(seen) >= settings.min_recurring:
                    signals.append({"code": "recurring_losers", "winner": o.winner, "loser": loser,
                                    "auctions": sorted(seen), "min_recurring": settings.min_recurring})
        base = dict(rule=RULE, subject_kind=NoticeKind.AUCTION_NOTICE, subject_id=str(nid), owner_name=n.owner_name,
                    province=n.province, urls=[n.url] if n.url else [])
        evidence = {"outcome": o.as_dict(), "start_price": start, "signals": signals, "missing": missing,
                    "settings": settings.model_dump()}
        if signals:
            codes = {s["code"] for s in signals}
            severity = "high" if {"single_active_bidder", "price_at_start"} <= codes else "medium"
            yield Result(status="flag", severity=severity, title=_title(signals), evidence=evidence,
                         legal_basis=legal.join(legal.COLLUSION, legal.MIN_BIDDERS if "single_active_bidder" in codes
                                                else ""), **base)
        elif missing:
            yield Result(status="insufficient", title="Có dữ liệu kết quả đấu giá nhưng thiếu: " + ", ".join(
                {"registered/active bidder counts": "số người đăng ký/trả giá", "winning price": "giá trúng",
                 "start price": "giá khởi điểm"}[m] for m in missing) + ".", evidence=evidence,
                legal_basis=legal.COLLUSION, **base)
        elif str(nid) in open_ids:
            yield Result(status="pass", evidence=evidence, **base)


def _title(signals: list[dict[str, Any]]) -> str:
    parts = []
    for s in signals:
        if s["code"] == "single_active_bidder":
            parts.append(f"chỉ 1 người trả giá trong {s['registered']} người đăng ký")
        elif s["code"] == "price_at_start":
            parts.append(f"giá trúng {legal.vnd(s['winning_price'])} chỉ cao hơn giá khởi điểm "
                         f"{legal.pct(s['premium_pct'] / 100, 2)}")
    recurring = [s for s in signals if s["code"] == "recurring_losers"]
    if recurring:
        names = Counter(s["loser"] for s in recurring)
        parts.append(f"người thua lặp lại sau cùng người trúng ({', '.join(list(names)[:3])})")
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."
