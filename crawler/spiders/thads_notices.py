"""THADS provincial notices (thads.moj.gov.vn, SharePoint sub-site per province).

List ``/<slug>/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?Page=N`` (newest first), detail
``…/View_Detail.aspx?ItemID=N``, attachments ``…/Lists/ThongBao/Attachments/<ItemID>/<name>``. Identity is
(site, list, ItemID); URLs are canonicalised. Incremental runs stop a site after ``stop_after_known`` already-known
items in a row; the weekly full pass re-reads every item to find edits and, when a site was read completely,
deletions. A site that answers 404 or redirects away is recorded and skipped, never fatal. No real notice page
has been captured yet: the HTML parsing lives in ``crawler.parsers.thads_html`` so it is easy to correct.

A site pass counts as complete (``complete_lists``) only when every item it listed was stored or quarantined with
its reason; unreadable notices are fetched again on later runs until stored, and a site whose last pass was not
complete is read without the stop-after-known shortcut (``thorough_sites``). Links to hosts outside the allow-list
(item rows, attachments) are never followed or stored.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date
from typing import Any
from urllib.parse import quote

from scrapy import Request

from crawler.attachments import safe_attachment_name
from crawler.hosts import host_of, is_allowed
from crawler.parsers.thads_html import parse_detail_page, parse_list_page, thads_item_key
from crawler.spiders.base import PortalSpider, _too_large
from storage.evidence import sha256_hex
from storage.kinds import RecordKind

log = logging.getLogger(__name__)

KIND = RecordKind.THADS_NOTICE


class ThadsNoticeSpider(PortalSpider):
    name = "thads_notices"
    source = "thads"
    record_kind = KIND
    bootstrap_path = "/"

    def __init__(self, *, sites: list[str], list_name: str = "ThongBao", stop_after_known: int = 20,
                 max_pages: int = 30, full: bool = False, thorough_sites: list[str] | None = None,
                 **kwargs: Any) -> None:
        kwargs.setdefault("since", date(2000, 1, 1))
        kwargs.setdefault("until", date.today())
        super().__init__(**kwargs)
        self.sites = [s.strip().lower() for s in sites if s.strip()]
        self.list_name = list_name
        self.stop_after_known = stop_after_known
        self.max_pages = max_pages
        self.full = full
        self.recorder.run.kind = "full" if full else "incremental"
        self.thorough = {s.strip().lower() for s in thorough_sites or ()}
        self.site_state: dict[str, dict[str, Any]] = {
            s: {"known_run": 0, "done": False, "ok": True, "seen": set(), "available": None, "problems": []}
            for s in self.sites}
        self.pending_details: dict[str, dict[str, Any]] = {}
        self.unlisted_done = False
        self.recorder.plan_lists(self.sites)

    # ---------------------------------------------------------------- lists

    def list_url(self, site: str, page: int) -> str:
        return f"{self.portal_url}/{site}/noidung/thongbao/Lists/{self.list_name}/View_Detail.aspx?Page={page}"

    def first_requests(self):
        for site in self.sites:
            yield self.list_request(site, 1)
        for row in self.recorder.retry_queue(KIND):  # notices earlier runs could not read
            if row.item_key in self.pending_details or not is_allowed(row.url, self.allowed_hosts):
                continue
            key = thads_item_key(row.url)
            if key is None:
                continue
            self.recorder.counters["retried"] += 1
            yield self.detail_request(row.item_key, row.url, key, row.list_name)

    def detail_request(self, key: str, url: str, item_key: tuple, site: str) -> Request:
        self.pending_details[key] = {"site": site, "files": [], "pending": 0, "url": url}
        return Request(url, callback=self.parse_detail, errback=self.detail_failed, dont_filter=True,
                       meta={"endpoint": "thads.detail", "expect": "html", "record_kind": KIND, "record_key": key,
                             "item_key": item_key})

    def list_request(self, site: str, page: int) -> Request:
        return Request(self.list_url(site, page), callback=self.parse_list, errback=self.list_failed,
                       dont_filter=True, priority=10,
                       meta={"endpoint": "thads.list", "expect": "html", "site": site, "page": page,
                             "record_kind": KIND, "handle_httpstatus_all": True})

    def list_failed(self, failure):
        site = failure.request.meta["site"]
        self.site_state[site]["ok"] = False
        self.site_state[site]["done"] = True
        self.site_state[site]["problems"].append(f"page {failure.request.meta.get('page')} failed")
        if not self.halted:
            self.recorder.error(f"THADS {site}: list page failed: {failure.value!r}")

    def parse_list(self, response):
        site, page = response.meta["site"], response.meta["page"]
        state = self.site_state[site]
        redirected = response.meta.get("redirect_urls")
        if response.status == 404 or (redirected and f"/{site}/" not in response.url.lower()):
            why = "404 Not Found" if response.status == 404 else f"redirected to {response.url}"
            state.update(done=True, available=False)
            self.recorder.check_failed(KIND, f"{site}/*", f"site {site}: {why}")
            self.recorder.counters["sites_unavailable"] += 1
            return
        if response.status != 200:
            state.update(done=True, ok=False)
            state["problems"].append(f"page {page} answered HTTP {response.status}")
            self.recorder.error(f"THADS {site}: list page {page} answered HTTP {response.status}")
            return
        state["available"] = True
        listing = parse_list_page(response.text, response.url)
        items = [it for it in listing.items if it.item_key[0] == site]
        keys = [f"{it.item_key[0]}/{it.item_key[1]}/{it.item_key[2]}" for it in items]
        known = self.recorder.known(KIND, keys)
        stop = False
        for it, key in zip(items, keys):
            if key in state["seen"]:
                continue
            state["seen"].add(key)
            rec = known.get(key)
            quarantined = key in self.recorder.open_quarantine(KIND)
            if rec is not None and rec.status == "active" and not self.full and not quarantined:
                state["known_run"] += 1
                self.recorder.seen_unchanged(rec, rec.list_hash or "")
                if state["known_run"] >= self.stop_after_known and site not in self.thorough:
                    stop = True
                    break
                continue
            state["known_run"] = 0
            if key in self.pending_details:
                continue
            if not is_allowed(it.url, self.allowed_hosts):
                self.recorder.quarantine(KIND, key, site, f"listed with a link to another host "
                                         f"({host_of(it.url) or '?'}), not followed", retryable=False)
                continue
            yield self.detail_request(key, it.url, it.item_key, site)
        if stop:
            state["done"] = True
            state["complete"] = False
            return
        if items and listing.next_page_url and page < self.max_pages:
            yield self.list_request(site, page + 1)
        else:
            state["done"] = True
            # Complete only when the list ran out of pages (not when max_pages cut it short).
            state["complete"] = not (items and listing.next_page_url)
            if not state["complete"]:  # the items past the bound were never listed to us: say so every time
                state["cut"] = True
                state["problems"].append(f"more than portals.thads.max_pages ({self.max_pages}) pages")

    # ---------------------------------------------------------------- details and attachments

    def unreadable(self, key: str, reason: str) -> None:
        """The notice cannot be read or stored in this run: quarantined, and fetched again on later runs. Once the
        source is halted it stays pending instead, so its site pass does not count as complete."""
        if self.halted:
            return
        entry = self.pending_details.pop(key, None)
        if entry is None:
            return
        self.recorder.quarantine(KIND, key, entry["site"], reason[:1000], retryable=True, url=entry.get("url"))

    def detail_failed(self, failure):
        self.unreadable(failure.request.meta["record_key"], f"detail page failed: {failure.value!r}")

    def parse_detail(self, response):
        key = response.meta["record_key"]
        site, list_name, item_id = response.meta["item_key"]
        entry = self.pending_details.get(key)
        if entry is None:
            return
        if response.status != 200:
            self.unreadable(key, f"detail page answered HTTP {response.status}")
            return
        page = parse_detail_page(response.text, response.url)
        entry["raw_ids"] = [response.meta["raw_id"]] if response.meta.get("raw_id") else []
        entry["doc"] = {
            "kind": KIND, "site": site, "list": self.list_name, "item_id": int(item_id),
            "title": page.title or "", "date": page.published.strftime("%d/%m/%Y") if page.published else "",
            "dates": [d.isoformat() for d in page.dates], "body_html": page.body_html, "url": response.url,
        }
        wanted = []
        for att in page.attachments:
            name = att.name_decoded or "attachment"
            if not is_allowed(att.url, self.allowed_hosts):  # page text is untrusted: no link elsewhere is kept
                entry["files"].append({"name": name, "fetch_status": "skipped",
                                       "error": f"link to another host ({host_of(att.url) or '?'}), not followed"})
            elif self.wants_file("thads", name):
                wanted.append(att)
            else:
                entry["files"].append({"name": name, "url": att.url, "fetch_status": "skipped"})
        entry["pending"] = len(wanted)
        if not wanted:
            yield from self.finish_item(key)
            return
        for att in wanted:
            yield Request(att.url, callback=self.parse_attachment, errback=self.attachment_failed, dont_filter=True,
                          meta={"endpoint": "thads.attachment", "expect": "file", "record_kind": KIND,
                                "record_key": key, "att_name": att.name_decoded,
                                "download_maxsize": self.attachment_policy.get("max_bytes", 20_000_000)})

    def parse_attachment(self, response):
        yield from self._attachment_done(response.meta, response)

    def attachment_failed(self, failure):
        yield from self._attachment_done(failure.request.meta, None, repr(failure.value))

    def _attachment_done(self, meta, response, error: str | None = None):
        key = meta["record_key"]
        entry = self.pending_details.get(key)
        if entry is None:
            return
        name = meta["att_name"]
        f: dict[str, Any] = {"name": name, "url": (response.url if response is not None else None)}
        if response is not None and response.status == 200:
            f.update(sha256=sha256_hex(response.body), size=len(response.body), fetch_status="ok",
                     content_type=(response.headers.get(b"Content-Type") or b"").decode("latin-1")[:200] or None)
            if meta.get("raw_id"):
                entry["raw_ids"].append(meta["raw_id"])
        else:
            f["fetch_status"] = "too_large" if error and _too_large(error) else "failed"
            f["error"] = error or f"HTTP {response.status}"
        entry["files"].append(f)
        entry["pending"] -= 1
        if entry["pending"] <= 0:
            yield from self.finish_item(key)

    def finish_item(self, key: str):
        entry = self.pending_details.pop(key, None)
        if entry is None or "doc" not in entry:
            return
        doc = entry["doc"]
        doc["attachments"] = sorted(entry["files"], key=lambda a: a["name"])
        problem = self.recorder.ingest(doc, entry.get("raw_ids", []))
        if problem is not None:
            self.recorder.quarantine(KIND, key, entry["site"], problem, retryable=True, url=entry.get("url"))
        return
        yield

    # ---------------------------------------------------------------- completeness

    def _pending_sites(self) -> set[str]:
        return {e["site"] for e in self.pending_details.values()}

    def incomplete_lists(self) -> list[str]:
        pending = self._pending_sites()
        out = []
        for site, st in self.site_state.items():
            if st["available"] is not False and not (st["done"] and st["ok"] and not st.get("cut")):
                out.append(f"{site} ({'; '.join(st['problems']) or 'not read to the end'})")
            elif site in pending:
                out.append(f"{site} (details not all fetched)")
        return out

    def accounted_lists(self) -> list[str]:
        """Sites whose every listed item was stored or quarantined. A site cut short by ``max_pages`` counts (a
        thorough re-read would only reach the same bound) while the run still reports it incomplete."""
        pending = self._pending_sites()
        return [site for site, st in self.site_state.items()
                if st["done"] and (st["available"] is False or st["ok"]) and site not in pending]

    def on_idle(self) -> bool:
        if self.pending_details or not all(st["done"] for st in self.site_state.values()):
            return False
        if not self.full or self.unlisted_done:
            return False
        from sqlalchemy import select

        from storage.models import Record

        if not hasattr(self, "_probe_verdicts"):
            # First idle of a full pass: probe items already delisted that are missing again.
            self._probe_verdicts: dict[str, bool | None] = {}
            self._probing: set[str] = set()
            self._complete_sites = [s for s, st in self.site_state.items()
                                    if st["available"] and st["ok"] and st.get("complete")]
            for site in self._complete_sites:
                missing = [r for r in self.recorder.session.scalars(
                    select(Record).where(Record.record_kind == KIND, Record.record_key.like(f"{site}/%")))
                    if r.record_key not in self.site_state[site]["seen"] and r.status in ("delisted", "removal_pending")]
                for rec in missing:
                    _site, lst, item = rec.record_key.split("/")
                    url = f"{self.portal_url}/{_site}/noidung/thongbao/Lists/{self.list_name}/View_Detail.aspx?ItemID={item}"
                    self._probing.add(rec.record_key)
                    self.crawler.engine.crawl(Request(url, callback=self.parse_probe, errback=self.probe_failed,
                                                      dont_filter=True,
                                                      meta={"endpoint": "thads.detail.probe", "expect": "html",
                                                            "record_kind": KIND, "record_key": rec.record_key}))
            if self._probing:
                return True
        if self._probing:
            return False
        self.unlisted_done = True
        for site in self._complete_sites:
            scope = list(self.recorder.session.scalars(
                select(Record.record_key).where(Record.record_kind == KIND, Record.record_key.like(f"{site}/%"))))
            self.recorder.mark_unlisted(KIND, self.site_state[site]["seen"], scope, self._probe_verdicts)
        return False

    def parse_probe(self, response):
        """A deleted SharePoint item answers 404 (or a page without the item's title) on its own URL."""
        key = response.meta["record_key"]
        if response.status == 404:
            self._probe_verdicts[key] = True
        elif response.status == 200:
            page = parse_detail_page(response.text, response.url)
            self._probe_verdicts[key] = not (page.title or page.body_text.strip())
        else:
            self._probe_verdicts[key] = None
        self._probing.discard(key)

    def probe_failed(self, failure):
        key = failure.request.meta["record_key"]
        self._probe_verdicts[key] = None
        self._probing.discard(key)


def attachment_url(base: str, site: str, list_name: str, item_id: int, name: str) -> str:
    return f"{base}/{site}/noidung/thongbao/Lists/{list_name}/Attachments/{item_id}/{quote(safe_attachment_name(name))}"
