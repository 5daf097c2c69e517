"""Base spiders. Concrete spiders are declarative: they set class attributes, in this order:

``record_kind``, ``list_path``, ``list_endpoint``, ``list_params`` (constant query parameters), ``paging``
(``window``: one query per publication day, pages fetched in parallel, ``rowCount`` verified per day;
``sorted_desc``: newest first, stop at the first item older than the window; ``full``: every page, the list has no
usable order or filter), ``window_params``, ``sort_field``, ``details`` (the detail endpoints fetched per new or
changed record), ``file_lists`` (where attachment lists sit in the assembled parts), ``removal_probe`` (the detail
whose empty answer confirms a take-down).

Flow per list item: if the record is known, active and its list item is unchanged, only its sighting is
recorded; otherwise every detail part is fetched, attachments are downloaded by policy, and the assembled document
goes to ingest. After a complete list pass, records in scope that were not listed become DELISTED, and those
already delisted are probed once and become REMOVED when the probe confirms it.

Nothing listed is lost in silence: an item that names no record (an id that is not a positive integer) and a
notice whose detail cannot be read or stored are quarantined with their reason (``storage.quarantine``); the
latter are fetched again on every later run until stored. A list (one publication day, or "all") is recorded in
``complete_lists`` only when it was paged to the end with a verified ``rowCount`` and every item it listed was
stored or quarantined; a list that was not stays in the next runs' window. Pages are bounded by
``crawl.max_list_pages``; the time budget closes the spider (``CLOSESPIDER_TIMEOUT``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode

import scrapy
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider

from crawler.assemble import (
    DetailPart,
    assemble,
    check_envelope,
    count_value,
    decode_json,
    list_item_problem,
    missing_item_keys,
    unwrap,
)
from crawler.errors import SchemaDrift
from crawler.hosts import allowed_hosts as host_allow_list
from crawler.parsers.dgts import portal_id
from crawler.recorder import CrawlRecorder
from storage.quarantine import malformed_key
from storage.history import stable_document
from storage.timeutil import VN_TZ, from_epoch_ms, utcnow

log = logging.getLogger(__name__)

API_HEADERS = {
    "Accept": "application/json, text/javascript, */*; q=0.01",
    "X-Requested-With": "XMLHttpRequest",
}


def _too_large(error: str) -> bool:
    """Scrapy cancels a download above DOWNLOAD_MAXSIZE; its message names the max size."""
    e = error.lower()
    return "maxsize" in e or "max size" in e


def list_hash(item: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(stable_document(item), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


@dataclass
class Bundle:
    record_id: int
    item: dict[str, Any]
    list_hash: str
    raw_ids: list[int]
    pending: set[str]
    list_name: str = ""
    parts: dict[str, Any] = field(default_factory=dict)
    files: list[dict[str, Any]] = field(default_factory=list)
    pending_files: int = 0
    failed: bool = False


@dataclass
class ListState:
    expected: int | None = None
    pages_total: int | None = None
    pages_done: int = 0
    ids: set[str] = field(default_factory=set)
    malformed: set[str] = field(default_factory=set)  # quarantined items that name no record
    ok: bool = True
    finished: bool = False
    problems: list[str] = field(default_factory=list)  # why the list cannot count as complete

    def fail(self, problem: str) -> None:
        self.ok = False
        if problem not in self.problems:
            self.problems.append(problem)


class PortalSpider(scrapy.Spider):
    """Shared plumbing: the recorder, blocking, attachment policy and the browser bootstrap."""

    source: ClassVar[str] = "dgts"
    custom_settings: ClassVar[dict[str, Any]] = {}

    def __init__(self, *, db_url: str, evidence_root: str, portal_url: str, since: date, until: date,
                 page_size: int = 100, attachments: dict[str, Any] | None = None, browser: bool = False,
                 run_id: int | None = None, allowed_hosts: list[str] | None = None,
                 max_list_pages: int = 500, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.portal_url = portal_url.rstrip("/")
        # The portal we were pointed at is always trusted; redirects elsewhere only to these hosts.
        self.allowed_hosts = host_allow_list([self.portal_url], allowed_hosts or ())
        self.max_list_pages = max_list_pages
        self.since, self.until = since, until
        self.page_size = page_size
        self.attachment_policy = attachments or {"download": False}
        self.browser = browser
        self.browser_page = None
        self.blocked: str | None = None
        self.drift: str | None = None
        self.storage_error: str | None = None  # our disk or evidence store failed: stop, the portal is not to blame
        self.recorder = CrawlRecorder(db_url, evidence_root, source=self.source, kind=self.record_kind,
                                      portal_url=self.portal_url, window_start=since, window_end=until, run_id=run_id,
                                      allowed_hosts=self.allowed_hosts)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        return spider

    # ---------------------------------------------------------------- start

    async def start(self):
        if self.browser:
            yield self.bootstrap_request()
            return
        for req in self.first_requests():
            yield req

    def start_requests(self):  # Scrapy < 2.13
        if self.browser:
            yield self.bootstrap_request()
            return
        yield from self.first_requests()

    def bootstrap_request(self) -> Request:
        return Request(self.portal_url + self.bootstrap_path, callback=self._bootstrapped, dont_filter=True,
                       errback=self._bootstrap_failed,
                       meta={"playwright": True, "playwright_include_page": True, "endpoint": f"{self.source}.bootstrap",
                             "expect": "html", "skip_challenge": True})

    bootstrap_path: ClassVar[str] = "/thong-bao-cong-khai-viec-dau-gia.html"
    bootstrap_probe_path: ClassVar[str] = "/portal/search/auction-notice?p=1&numberPerPage=1&typeOrder=2"
    bootstrap_timeout_s: ClassVar[float] = 60.0
    bootstrap_attempts: ClassVar[int] = 3  # the challenge reloads the page: reading it mid-navigation can fail

    async def _bootstrapped(self, response):
        """Wait until the page has passed the challenge: an API call from the page context returns JSON."""
        import asyncio
        import base64
        import json as _json

        from crawler.middlewares import BrowserFetchMiddleware

        page = response.meta["playwright_page"]
        deadline = asyncio.get_running_loop().time() + self.bootstrap_timeout_s
        last = None
        while asyncio.get_running_loop().time() < deadline:
            try:
                got = await page.evaluate(BrowserFetchMiddleware.FETCH_JS, self.portal_url + self.bootstrap_probe_path)
                body = base64.b64decode(got["body"])
                _json.loads(body)
                if got["status"] == 200:
                    self.browser_page = page
                    log.info("browser bootstrap passed the challenge at %s", response.url)
                    for req in self.first_requests():
                        yield req
                    return
                last = f"HTTP {got['status']}"
            except Exception as exc:  # challenge page still in place, or the page is reloading
                last = f"{type(exc).__name__}: {exc}"[:300]
            await asyncio.sleep(1.0)
        self.block(f"browser could not pass the JavaScript challenge within {self.bootstrap_timeout_s:.0f} s ({last})",
                   response.url)

    def _bootstrap_failed(self, failure):
        attempt = failure.request.meta.get("bootstrap_attempt", 1)
        if attempt < self.bootstrap_attempts:
            log.warning("browser bootstrap attempt %d failed (%r); trying again", attempt, failure.value)
            retry = self.bootstrap_request()
            retry.meta["bootstrap_attempt"] = attempt + 1
            return retry
        self.block(f"browser bootstrap failed: {failure.value!r}"[:500], failure.request.url)

    def first_requests(self):
        raise NotImplementedError

    # ---------------------------------------------------------------- blocking

    def block(self, reason: str, url: str) -> None:
        if self.blocked:
            return
        self.blocked = f"{reason} at {url}"
        log.error("portal blocked: %s", self.blocked)
        self.recorder.check_failed(self.record_kind, "*", f"portal blocked: {self.blocked}")
        self.crawler.engine.close_spider(self, "blocked")

    def drifted(self, message: str) -> None:
        if self.drift:
            return
        self.drift = message
        log.error("payload shape changed: %s", message)
        self.recorder.check_failed(self.record_kind, "*", f"payload shape changed: {message}")
        self.crawler.engine.close_spider(self, "schema_drift")

    def storage_failed(self, message: str) -> None:
        """Evidence could not be stored (disk full, permissions): stop the crawl, nothing is kept without it."""
        if self.storage_error:
            return
        self.storage_error = message
        log.error("local storage failed: %s", message)
        self.crawler.engine.close_spider(self, "storage_failed")

    @property
    def halted(self) -> bool:
        return bool(self.blocked or self.drift or self.storage_error)

    def _on_idle(self, spider):
        if spider is not self or self.halted:
            return
        if self.on_idle():
            raise DontCloseSpider

    def on_idle(self) -> bool:
        """Return True to keep the spider open (more work was scheduled)."""
        return False

    def closed(self, reason: str) -> None:
        if not self.storage_error:
            try:
                for name in self.accounted_lists():
                    self.recorder.list_complete(f"{self.record_kind}:{name}")
            except Exception:  # the run's end is still recorded below, without these lists (they are re-read)
                log.exception("could not record the complete lists")
        incomplete = self.incomplete_lists()
        if self.storage_error:
            status, msg = "failed", f"local storage failed, crawl stopped: {self.storage_error}"
        elif self.blocked:
            status, msg = "blocked", f"portal blocked: {self.blocked}"
        elif self.drift:
            status, msg = "failed", f"payload shape changed: {self.drift}"
        elif reason == "closespider_timeout":
            status, msg = "partial", ("time budget (crawl.time_budget_s) used up; not finished: "
                                      + (", ".join(incomplete[:20]) or "-"))
        elif reason not in ("finished",):
            status, msg = "partial", f"crawl stopped: {reason}"
        elif self.recorder.counters.get("requests", 0) == 0:
            status, msg = "failed", "no response received"
        elif self.recorder.errors or incomplete or self.recorder.quarantined:
            status, msg = "partial", ("incomplete lists: " + ", ".join(incomplete[:50])) if incomplete else None
        else:
            status, msg = "complete", None
        self.recorder.finish(status, msg)
        if self.browser_page is not None:
            try:
                import asyncio

                asyncio.ensure_future(self.browser_page.close())
            except Exception:  # the browser is going away with the crawl anyway
                pass

    def incomplete_lists(self) -> list[str]:
        """Lists of this run that do not count as complete, each with why."""
        return []

    def accounted_lists(self) -> list[str]:
        """Lists read to the end whose every item was stored or quarantined (recorded in ``complete_lists``)."""
        return []

    # ---------------------------------------------------------------- attachments

    def wants_file(self, role: str, name: str) -> bool:
        pol = self.attachment_policy
        if not pol.get("download"):
            return False
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        return role in pol.get("roles", ()) and ext in pol.get("extensions", ())


class DgtsListSpider(PortalSpider):
    """A paged JSON list plus per-record detail endpoints (dgts)."""

    record_kind: ClassVar[str]
    list_path: ClassVar[str]
    list_endpoint: ClassVar[str]
    list_params: ClassVar[dict[str, str]] = {}
    paging: ClassVar[str] = "full"
    window_params: ClassVar[tuple[str, str] | None] = None
    sort_field: ClassVar[str | None] = None
    details: ClassVar[tuple[DetailPart, ...]] = ()
    file_lists: ClassVar[tuple[tuple[str, str, str, str], ...]] = ()  # (part, key, download path, role)
    removal_probe: ClassVar[DetailPart | None] = None

    def __init__(self, *, days: list[date] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lists: dict[str, ListState] = {}
        self.bundles: dict[str, Bundle] = {}
        self.probes_started = False
        self.probe_verdicts: dict[str, bool | None] = {}
        # Window paging: the publication days to read (the window plus days earlier runs left incomplete).
        self.days = sorted(set(days), reverse=True) if days else None
        if self.paging == "window":
            if self.days is None:
                self.days = [self.until - timedelta(days=n) for n in range((self.until - self.since).days + 1)]
            self.recorder.plan_lists([d.isoformat() for d in self.days])
        else:
            self.recorder.plan_lists(["all"])

    # ---------------------------------------------------------------- list paging

    def list_request(self, list_name: str, page: int, params: dict[str, str]) -> Request:
        q = {**self.list_params, **params, "p": str(page), "numberPerPage": str(self.page_size)}
        return Request(f"{self.portal_url}{self.list_path}?{urlencode(q)}", callback=self.parse_list,
                       errback=self.list_failed, headers=API_HEADERS, dont_filter=True, priority=10,
                       meta={"endpoint": self.list_endpoint, "expect": "json", "list_name": list_name, "page": page,
                             "list_params": params, "record_kind": self.record_kind})

    def first_requests(self):
        if self.paging == "window":
            for day in self.days:  # newest day first
                s = day.strftime("%d/%m/%Y")
                name = day.isoformat()
                self.lists[name] = ListState()
                yield self.list_request(name, 1, {self.window_params[0]: s, self.window_params[1]: s})
        else:
            self.lists["all"] = ListState()
            yield self.list_request("all", 1, {})
        yield from self.retry_requests()

    def retry_requests(self):
        """Notices earlier runs quarantined as unreadable: fetched again until stored."""
        for row in self.recorder.retry_queue(self.record_kind):
            rid = portal_id(row.item_key)
            item = row.item if isinstance(row.item, dict) else None
            if rid is None or item is None or row.item_key in self.bundles:
                continue
            self.recorder.counters["retried"] += 1
            yield from self.fetch_details(rid, item, list_hash(item), None, row.list_name)

    def list_failed(self, failure):
        req = failure.request
        state = self.lists.get(req.meta.get("list_name"))
        if state:
            state.fail(f"page {req.meta.get('page')} failed")
        if not self.halted:
            self.recorder.error(f"list page failed: {req.url}: {failure.value!r}")

    def parse_list(self, response):
        name = response.meta["list_name"]
        page = response.meta["page"]
        state = self.lists[name]
        if response.status != 200:
            state.fail(f"page {page} answered HTTP {response.status}")
            self.recorder.error(f"list page {response.url} answered HTTP {response.status}")
            return
        try:
            env = check_envelope(decode_json(response.body, response.url), response.url)
        except SchemaDrift as exc:
            self.drifted(str(exc))
            return
        raw_items = env["items"]
        missing = [missing_item_keys(self.record_kind, it) for it in raw_items if isinstance(it, dict)]
        if missing and all(missing) and len(set(missing)) == 1:  # every item lacks it: a renamed field, not one odd item
            self.drifted(f"{response.url}: list items lack {', '.join(missing[0])} "
                         f"(has {', '.join(sorted(next(it for it in raw_items if isinstance(it, dict)))[:15])})")
            return
        items: list[dict[str, Any]] = []
        for it in raw_items:
            problem = list_item_problem(self.record_kind, it)
            if problem is None:
                items.append(it)
                continue
            key = malformed_key(name, it)
            if key not in state.malformed:
                state.malformed.add(key)
                self.recorder.quarantine(self.record_kind, key, name, f"{problem} (page {page} of list {name})",
                                         retryable=False, item=it)
        row_count = count_value(env.get("rowCount"))
        if row_count is None:
            state.fail(f"rowCount is not a count: {str(env.get('rowCount'))[:40]!r}")
        elif state.expected is None:
            state.expected = row_count
        elif state.expected != row_count:
            log.info("%s: rowCount moved from %s to %s while paging", name, state.expected, row_count)
            state.fail(f"rowCount moved from {state.expected} to {row_count} while paging")
        page_count = count_value(env.get("pageCount"))
        if page_count is None and row_count is not None:
            page_count = -(-row_count // self.page_size)
        state.pages_done += 1
        stop_here = False
        fresh: list[dict[str, Any]] = []
        for it in items:
            if self.paging == "sorted_desc" and self.sort_field:
                t = from_epoch_ms(it.get(self.sort_field))
                if t is not None and t.astimezone(VN_TZ).date() < self.since:
                    stop_here = True
                    continue
            fresh.append(it)
        yield from self.handle_items(name, fresh, response.meta.get("raw_id"))
        full_page = len(raw_items) >= self.page_size
        if self.paging == "sorted_desc":
            more = not stop_here and bool(raw_items) and (page < page_count if page_count is not None else full_page)
            if more and page >= self.max_list_pages:
                state.fail(f"more than crawl.max_list_pages ({self.max_list_pages}) pages")
                more = False
            if more:
                yield self.list_request(name, page + 1, response.meta["list_params"])
            else:
                state.finished = True
        elif page_count is None:  # no usable count: read on until a short page (bounded like any list)
            if full_page and page < self.max_list_pages:
                yield self.list_request(name, page + 1, response.meta["list_params"])
            else:
                if full_page:
                    state.fail(f"more than crawl.max_list_pages ({self.max_list_pages}) pages")
                state.pages_total = page
        elif page == 1:
            last = min(page_count, self.max_list_pages)
            if page_count > self.max_list_pages:
                state.fail(f"rowCount {row_count} needs {page_count} pages, more than crawl.max_list_pages "
                           f"({self.max_list_pages})")
            state.pages_total = max(last, 1)
            for p in range(2, last + 1):
                yield self.list_request(name, p, response.meta["list_params"])
        if state.pages_total is not None and state.pages_done >= state.pages_total:
            state.finished = True
            listed = len(state.ids) + len(state.malformed)
            if state.expected is not None and listed != state.expected:
                log.info("%s: %d distinct items for rowCount %d", name, listed, state.expected)
                state.fail(f"{listed} distinct items for rowCount {state.expected}")

    def handle_items(self, list_name: str, items: list[dict[str, Any]], raw_id: int | None):
        state = self.lists[list_name]
        keys = [str(portal_id(it["id"])) for it in items]
        known = self.recorder.known(self.record_kind, keys)
        quarantined = self.recorder.open_quarantine(self.record_kind)
        for it, key in zip(items, keys):
            if key in state.ids:
                continue
            state.ids.add(key)
            h = list_hash(it)
            rec = known.get(key)
            if rec is not None and rec.status == "active" and rec.list_hash == h and key not in quarantined:
                self.recorder.seen_unchanged(rec, h)
                continue
            if key in self.bundles:
                continue
            yield from self.fetch_details(int(key), it, h, raw_id, list_name)

    # ---------------------------------------------------------------- details

    def fetch_details(self, record_id: int, item: dict[str, Any], h: str, raw_id: int | None, list_name: str = ""):
        key = str(record_id)
        bundle = Bundle(record_id=record_id, item=item, list_hash=h, raw_ids=[raw_id] if raw_id else [],
                        pending={d.part for d in self.details}, list_name=list_name)
        self.bundles[key] = bundle
        if not self.details:
            yield from self.complete(bundle)
            return
        for d in self.details:
            yield Request(f"{self.portal_url}{d.path}?{urlencode(d.params(record_id))}", callback=self.parse_detail,
                          errback=self.detail_failed, headers=API_HEADERS, dont_filter=True,
                          meta={"endpoint": d.endpoint, "expect": "json", "record_kind": self.record_kind,
                                "record_key": key, "part": d})

    def unreadable(self, key: str, reason: str) -> None:
        """The notice's detail cannot be read in this run: quarantined (and retried on later runs). Once the source
        is halted the bundle stays open instead, so its list does not count as complete."""
        if self.halted:
            return
        bundle = self.bundles.pop(key, None)
        if bundle is None:
            return
        self.recorder.quarantine(self.record_kind, key, bundle.list_name or "retry", reason[:1000], retryable=True,
                                 item=bundle.item)

    def detail_failed(self, failure):
        req = failure.request
        self.unreadable(req.meta.get("record_key"), f"{req.meta['part'].path}: {failure.value!r}")

    def parse_detail(self, response):
        key = response.meta["record_key"]
        part: DetailPart = response.meta["part"]
        bundle = self.bundles.get(key)
        if bundle is None:
            return
        if response.status != 200:
            self.unreadable(key, f"{part.path} answered HTTP {response.status}")
            return
        body = response.body
        if body.strip():
            try:
                payload = json.loads(body)
            except (ValueError, UnicodeDecodeError) as exc:  # one garbled answer: this notice, not the source
                self.unreadable(key, f"{part.path}: body is not JSON ({exc})")
                return
        else:
            payload = None
        try:
            bundle.parts[part.part] = unwrap(part, payload)
        except SchemaDrift as exc:
            self.drifted(str(exc))
            return
        if response.meta.get("raw_id"):
            bundle.raw_ids.append(response.meta["raw_id"])
        bundle.pending.discard(part.part)
        if not bundle.pending:
            yield from self.request_files(bundle)

    def request_files(self, bundle: Bundle):
        wanted = []
        for part, list_key, path, role in self.file_lists:
            holder = bundle.parts.get(part)
            entries = []
            if isinstance(holder, dict):
                entries = holder.get(list_key) or []
                if part == "edit_notice" and list_key == "property":
                    entries = [f for p in entries if isinstance(p, dict) for f in (p.get("listFile") or [])]
            for f in entries if isinstance(entries, list) else []:
                if isinstance(f, dict) and f.get("linkFile"):
                    name = str(f.get("fileName") or "")
                    fkey = str(f.get("idFile") or name)
                    if self.wants_file(role, name):
                        wanted.append((fkey, name, role, path, f["linkFile"]))
                    else:
                        bundle.files.append({"file_key": fkey, "name": name, "role": role, "fetch_status": "skipped"})
        if not wanted:
            yield from self.complete(bundle)
            return
        bundle.pending_files = len(wanted)
        for fkey, name, role, path, token in wanted:
            yield Request(f"{self.portal_url}{path}?{urlencode({'linkFile': str(token)})}", callback=self.parse_file,
                          errback=self.file_failed, dont_filter=True,
                          meta={"endpoint": f"{self.source}.file", "expect": "file", "record_kind": self.record_kind,
                                "record_key": str(bundle.record_id), "file": (fkey, name, role, path),
                                "download_maxsize": self.attachment_policy.get("max_bytes", 20_000_000)})

    def parse_file(self, response):
        yield from self._file_done(response.meta, response)

    def file_failed(self, failure):
        yield from self._file_done(failure.request.meta, None, repr(failure.value))

    def _file_done(self, meta, response, error: str | None = None):
        bundle = self.bundles.get(meta["record_key"])
        if bundle is None:
            return
        fkey, name, role, path = meta["file"]
        entry: dict[str, Any] = {"file_key": fkey, "name": name, "role": role, "url": self.portal_url + path}
        if response is not None and response.status == 200:
            from storage.evidence import sha256_hex

            entry.update(sha256=sha256_hex(response.body), size=len(response.body), fetch_status="ok",
                         content_type=(response.headers.get(b"Content-Type") or b"").decode("latin-1")[:200] or None)
            if meta.get("raw_id"):
                bundle.raw_ids.append(meta["raw_id"])
        else:
            entry["fetch_status"] = "too_large" if error and _too_large(error) else "failed"
            entry["error"] = error or f"HTTP {response.status}"
        bundle.files.append(entry)
        bundle.pending_files -= 1
        if bundle.pending_files <= 0:
            yield from self.complete(bundle)

    def complete(self, bundle: Bundle):
        self.bundles.pop(str(bundle.record_id), None)
        if bundle.failed:
            return
        doc = assemble(self.record_kind, bundle.record_id, bundle.item, bundle.parts,
                       sorted(bundle.files, key=lambda f: str(f["file_key"])))
        problem = self.recorder.ingest(doc, bundle.raw_ids, bundle.list_hash)
        if problem is not None:
            self.recorder.quarantine(self.record_kind, str(bundle.record_id), bundle.list_name or "retry", problem,
                                     retryable=True, item=bundle.item)
        return
        yield  # a generator, so callers can `yield from` it

    # ---------------------------------------------------------------- completeness and removals

    def incomplete_lists(self) -> list[str]:
        out = []
        for name, s in self.lists.items():
            if not (s.ok and s.finished):
                out.append(f"{name} ({'; '.join(s.problems) or 'not read to the end'})")
            elif any(k in self.bundles for k in s.ids):
                out.append(f"{name} (details not all fetched)")
        return out

    def accounted_lists(self) -> list[str]:
        return [n for n, s in self.lists.items() if s.ok and s.finished and not any(k in self.bundles for k in s.ids)]

    def scope_keys(self) -> list[str]:
        """Keys of stored records this pass could have listed (override for windowed lists)."""
        from sqlalchemy import select

        from storage.models import Record

        return list(self.recorder.session.scalars(
            select(Record.record_key).where(Record.record_kind == self.record_kind)))

    def on_idle(self) -> bool:
        if self.bundles or self.incomplete_lists():
            return False
        seen = set().union(*(s.ids for s in self.lists.values())) if self.lists else set()
        if not self.probes_started:
            self.probes_started = True
            self.recorder.session.commit()
            scope = self.scope_keys()
            missing = set(scope) - seen
            to_probe = [k for k, r in self.recorder.known(self.record_kind, sorted(missing)).items()
                        if r.status in ("delisted", "removal_pending")]
            self._scope = scope
            if self.removal_probe is not None and to_probe:
                for key in to_probe:
                    d = self.removal_probe
                    self.crawler.engine.crawl(Request(
                        f"{self.portal_url}{d.path}?{urlencode(d.params(key))}", callback=self.parse_probe,
                        errback=self.probe_failed, headers=API_HEADERS, dont_filter=True,
                        meta={"endpoint": d.endpoint + ".probe", "expect": "json", "record_kind": self.record_kind,
                              "record_key": key}))
                self._probing = set(to_probe)
                return True
            self._probing = set()
        if getattr(self, "_probing", set()):
            return False
        if not getattr(self, "_unlisted_done", False):
            self._unlisted_done = True
            self.recorder.mark_unlisted(self.record_kind, seen, self._scope, self.probe_verdicts)
        return False

    def parse_probe(self, response):
        key = response.meta["record_key"]
        verdict = None
        if response.status == 200:
            try:
                got = unwrap(self.removal_probe, decode_json(response.body, response.url))
                verdict = not got
            except SchemaDrift:
                verdict = None
        self.probe_verdicts[key] = verdict
        self._probing.discard(key)

    def probe_failed(self, failure):
        key = failure.request.meta["record_key"]
        self.probe_verdicts[key] = None
        self._probing.discard(key)
