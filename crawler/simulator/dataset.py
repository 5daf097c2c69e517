"""Portal dataset documents: loading JSONL, the `_sim` schedule (edits, take-downs, second postings) and
what each record looks like at a given simulated time."""

from __future__ import annotations

import bisect
import copy
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from storage.kinds import RecordKind

from .clock import day_start_ms, parse_moment, to_ms

AUCTION_NOTICE = RecordKind.DGTS_AUCTION_NOTICE
SELECTION_NOTICE = RecordKind.DGTS_SELECTION_NOTICE
SELECTION_RESULT = RecordKind.DGTS_SELECTION_RESULT
THADS_NOTICE = RecordKind.THADS_NOTICE
KINDS = (AUCTION_NOTICE, SELECTION_NOTICE, SELECTION_RESULT, THADS_NOTICE)

_SIM_KEYS = {"edits", "taken_down_at", "restored_at", "second_publication_at"}

RecordKey = int | tuple[str, str, int]


class DatasetError(ValueError):
    """A document that the simulator cannot serve (bad JSON, unknown kind, malformed `_sim`)."""


def load_documents(paths: Iterable[str | Path] | str | Path) -> list[dict[str, Any]]:
    """Read portal dataset JSONL files (one JSON object per line, blank lines skipped)."""
    documents: list[dict[str, Any]] = []
    for path in [paths] if isinstance(paths, (str, Path)) else paths:
        with open(path, encoding="utf-8-sig") as handle:
            for line_number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    document = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise DatasetError(f"{path}:{line_number}: invalid JSON ({exc.msg} at column {exc.colno})") from exc
                if not isinstance(document, dict) or "kind" not in document:
                    raise DatasetError(f"{path}:{line_number}: expected a JSON object with a 'kind' key")
                documents.append(document)
    return documents


def thads_date_ms(text: str) -> int | None:
    """Epoch ms of 00:00 ICT of a THADS `dd/mm/yyyy` date, None when malformed."""
    try:
        return day_start_ms(datetime.strptime(text.strip(), "%d/%m/%Y").date())
    except (ValueError, AttributeError):
        return None


def record_key(kind: str, document_or_id: Any) -> RecordKey:
    """Identity of a record: the dgts id, or (site, list, item_id) lower-cased for THADS.

    THADS ids given at runtime may be `(site, item_id)`, `(site, list, item_id)` or `"site/item_id"`,
    `"site/list/item_id"`; the list defaults to `ThongBao`.
    """
    if kind not in KINDS:
        raise DatasetError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    if kind == THADS_NOTICE:
        if isinstance(document_or_id, dict):
            parts: list[Any] = [document_or_id.get("site"), document_or_id.get("list", "ThongBao"),
                                document_or_id.get("item_id")]
        elif isinstance(document_or_id, str):
            parts = document_or_id.strip("/").split("/")
        else:
            parts = list(document_or_id)
        if len(parts) == 2:
            parts = [parts[0], "ThongBao", parts[1]]
        if len(parts) != 3 or not parts[0] or not parts[1]:
            raise DatasetError(f"bad THADS record id {document_or_id!r}")
        try:
            return (str(parts[0]).lower(), str(parts[1]).lower(), int(parts[2]))
        except (TypeError, ValueError) as exc:
            raise DatasetError(f"bad THADS item id in {document_or_id!r}") from exc
    raw = document_or_id.get("id") if isinstance(document_or_id, dict) else document_or_id
    try:
        return int(raw)
    except (TypeError, ValueError) as exc:
        raise DatasetError(f"{kind} needs an integer id, got {raw!r}") from exc


def set_path(document: dict[str, Any], dotted: str, value: Any) -> None:
    """Set `a.b.0.c` in a document: dict keys, list indexes; missing dicts are created."""
    parts = dotted.split(".")
    target: Any = document
    for position, part in enumerate(parts):
        last = position == len(parts) - 1
        if isinstance(target, list):
            try:
                index = int(part)
                if last:
                    target[index] = value
                    return
                target = target[index]
            except (ValueError, IndexError) as exc:
                raise DatasetError(f"path {dotted!r}: no list index {part!r}") from exc
        elif isinstance(target, dict):
            if last:
                target[part] = value
                return
            if not isinstance(target.get(part), (dict, list)):
                target[part] = {}
            target = target[part]
        else:
            raise DatasetError(f"path {dotted!r}: {part!r} is inside a scalar")


@dataclass(frozen=True)
class Event:
    """A scheduled change: `edit` (dotted path → value), `take_down`, `restore`, `second_publication`."""

    at_ms: int
    seq: int
    action: str
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class View:
    """A record as the portal shows it at some time; `document` is shared, never mutate it."""

    document: dict[str, Any]
    taken_down: bool
    published_ms: int | None
    sort_ms: int

    def visible_at(self, now_ms: int) -> bool:
        return not self.taken_down and (self.published_ms is None or self.published_ms <= now_ms)


class Record:
    """One dataset document plus its time-ordered events, with views cached per number of applied events."""

    def __init__(self, kind: str, key: RecordKey, base: dict[str, Any]) -> None:
        self.kind = kind
        self.key = key
        self.base = base
        self.events: list[Event] = []
        self._event_times: list[int] = []
        self._views: dict[int, View] = {}
        self._lock = threading.Lock()

    def add_event(self, event: Event) -> None:
        """Insert an event in time order; an edit whose path cannot be applied is refused at once."""
        with self._lock:
            position = bisect.bisect_right([(e.at_ms, e.seq) for e in self.events], (event.at_ms, event.seq))
            candidate = self.events[:position] + [event] + self.events[position:]
            if event.action == "edit":
                self._build_view(candidate)
            self.events = candidate
            self._event_times = [e.at_ms for e in self.events]
            self._views.clear()

    def view(self, now_ms: int) -> View:
        with self._lock:
            applied = bisect.bisect_right(self._event_times, now_ms)
            cached = self._views.get(applied)
            if cached is None:
                cached = self._build_view(self.events[:applied])
                self._views[applied] = cached
            return cached

    def _build_view(self, events: list[Event]) -> View:
        document = copy.deepcopy(self.base) if events else self.base
        taken_down = False
        for event in events:
            if event.action == "edit":
                for dotted, value in event.changes.items():
                    set_path(document, dotted, copy.deepcopy(value))
                if self.kind == SELECTION_NOTICE and "list_item.lastUpdated" not in event.changes:
                    # The portal's lastUpdated is the DB LAST_UPDATED column: every edit moves it.
                    set_path(document, "list_item.lastUpdated", event.at_ms - event.at_ms % 1000)
            elif event.action == "take_down":
                taken_down = True
            elif event.action == "restore":
                taken_down = False
            elif event.action == "second_publication":
                _apply_second_publication(document, self.key, event.at_ms)
        published, sort_key = _publication_times(self.kind, document)
        return View(document=document, taken_down=taken_down, published_ms=published, sort_ms=sort_key)


def _apply_second_publication(document: dict[str, Any], notice_id: RecordKey, at_ms: int) -> None:
    set_path(document, "list_item.publishTime2", at_ms)
    for entry in document.get("publish_history") or []:
        if isinstance(entry, dict) and entry.get("auctionInfoId") == notice_id:
            entry["publishTime2"] = at_ms


def _number(value: Any) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _publication_times(kind: str, document: dict[str, Any]) -> tuple[int | None, int]:
    """(first-visible time, newest publication time used for sorting and publish-date filters)."""
    item = document.get("list_item") or {}
    if kind == AUCTION_NOTICE:
        first, second = _number(item.get("publishTime1")), _number(item.get("publishTime2"))
        published = first if first is not None else second
        newest = second if second is not None else first
    elif kind == SELECTION_NOTICE:
        published = newest = _number(item.get("lastUpdated"))
    elif kind == SELECTION_RESULT:
        published = newest = _number(item.get("publishTime"))
        if published is None:
            published = newest = _number((document.get("info") or {}).get("publishTime"))
    else:
        published = newest = thads_date_ms(str(document.get("date", "")))
    return published, newest if newest is not None else 0


class DocumentStore:
    """All records by kind and key; thread safe; schedules edits/take-downs as timed events."""

    def __init__(self, documents: Iterable[dict[str, Any]] = ()) -> None:
        self._lock = threading.RLock()
        self._seq = 0
        self._records: dict[str, dict[RecordKey, Record]] = {kind: {} for kind in KINDS}
        self._version = 0
        self._memo: dict[tuple[Any, ...], Any] = {}
        for document in documents:
            self.add(document)

    def _next_seq(self) -> int:
        with self._lock:
            self._seq += 1
            return self._seq

    def add(self, document: dict[str, Any]) -> Record:
        """Add a document (its `_sim` schedule is parsed and removed); duplicates are an error."""
        kind = document.get("kind")
        if kind not in KINDS:
            raise DatasetError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
        key = record_key(kind, document)
        base = copy.deepcopy({k: v for k, v in document.items() if k != "_sim"})
        record = Record(kind, key, base)
        schedule = document.get("_sim") or {}
        if not isinstance(schedule, dict) or set(schedule) - _SIM_KEYS:
            raise DatasetError(f"{kind} {key}: `_sim` must be an object with keys {sorted(_SIM_KEYS)}")
        if kind == AUCTION_NOTICE:
            stored_second = _number((base.get("list_item") or {}).get("publishTime2"))
            if stored_second is not None:
                # A stored second posting only shows once the clock reaches it.
                base["list_item"]["publishTime2"] = None
                for entry in base.get("publish_history") or []:
                    if isinstance(entry, dict) and entry.get("auctionInfoId") == key:
                        entry["publishTime2"] = None
                record.add_event(Event(stored_second, self._next_seq(), "second_publication"))
        for event in self._schedule_events(kind, key, schedule):
            record.add_event(event)
        with self._lock:
            if key in self._records[kind]:
                raise DatasetError(f"duplicate {kind} {key}")
            self._records[kind][key] = record
            self._changed()
        return record

    def _changed(self) -> None:
        with self._lock:
            self._version += 1
            self._memo.clear()

    def memo(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """Cache a value derived from the store (e.g. a sorted visible list at a frozen clock) until the
        store changes; keep `now_ms` in the key."""
        with self._lock:
            full_key = (self._version, *key)
            if full_key in self._memo:
                return self._memo[full_key]
        value = compute()
        with self._lock:
            if len(self._memo) >= 16:
                self._memo.pop(next(iter(self._memo)))
            self._memo[full_key] = value
        return value

    def _schedule_events(self, kind: str, key: RecordKey, schedule: dict[str, Any]) -> Iterator[Event]:
        try:
            for edit in schedule.get("edits") or []:
                if not isinstance(edit, dict) or not isinstance(edit.get("set"), dict):
                    raise DatasetError(f"{kind} {key}: each edit needs 'at' and a 'set' object")
                yield Event(to_ms(parse_moment(edit["at"])), self._next_seq(), "edit", dict(edit["set"]))
            for name, action in (("taken_down_at", "take_down"), ("restored_at", "restore")):
                moments = schedule.get(name)
                for moment in moments if isinstance(moments, list) else [moments] if moments else []:
                    yield Event(to_ms(parse_moment(moment)), self._next_seq(), action)
            if schedule.get("second_publication_at"):
                if kind != AUCTION_NOTICE:
                    raise DatasetError(f"{kind} {key}: second_publication_at is for auction notices only")
                at_ms = to_ms(parse_moment(schedule["second_publication_at"]))
                yield Event(at_ms, self._next_seq(), "second_publication")
        except (ValueError, KeyError) as exc:
            if isinstance(exc, DatasetError):
                raise
            raise DatasetError(f"{kind} {key}: bad `_sim` time: {exc}") from exc

    def get(self, kind: str, key_or_id: Any) -> Record | None:
        return self._records.get(kind, {}).get(record_key(kind, key_or_id))

    def require(self, kind: str, key_or_id: Any) -> Record:
        record = self.get(kind, key_or_id)
        if record is None:
            raise KeyError(f"no {kind} {key_or_id!r}")
        return record

    def records(self, kind: str) -> list[Record]:
        with self._lock:
            return list(self._records[kind].values())

    def schedule(self, kind: str, key_or_id: Any, at_ms: int, action: str, changes: dict[str, Any] | None = None) -> None:
        """Add an event to an existing record (runtime edit/take-down/restore/second posting)."""
        record = self.require(kind, key_or_id)
        if action == "second_publication" and kind != AUCTION_NOTICE:
            raise DatasetError("second publication is for auction notices only")
        record.add_event(Event(at_ms, self._next_seq(), action, dict(changes or {})))
        self._changed()

    def visible(self, kind: str, now_ms: int) -> list[tuple[Record, View]]:
        """Records of a kind the public can see at `now_ms`, with their views (memoised; do not mutate)."""
        return self.memo(("visible", kind, now_ms), lambda: self._compute_visible(kind, now_ms))

    def _compute_visible(self, kind: str, now_ms: int) -> list[tuple[Record, View]]:
        result = []
        for record in self.records(kind):
            view = record.view(now_ms)
            if view.visible_at(now_ms):
                result.append((record, view))
        return result

    def visible_view(self, kind: str, key_or_id: Any, now_ms: int) -> View | None:
        """The view of one record if the public can see it now, else None (unknown, future or taken down)."""
        try:
            record = self.get(kind, key_or_id)
        except DatasetError:
            return None
        if record is None:
            return None
        view = record.view(now_ms)
        return view if view.visible_at(now_ms) else None

    def thads_sites(self) -> set[str]:
        """Lower-cased THADS site slugs that have at least one document (visible or not)."""
        return {key[0] for key in self._records[THADS_NOTICE]}  # type: ignore[index]
