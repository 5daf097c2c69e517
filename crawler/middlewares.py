"""Downloader middlewares: transport concerns kept out of the spiders.

Order (``crawler.settings``): the evidence recorder sits closest to the engine, so it sees every final response
(after retries) and stores its bytes before anything parses them; the challenge detector comes next; retries with
back-off sit closest to the downloader; the browser bridge (browser mode only) answers requests from inside a
Chromium page that passed the portal's JavaScript challenge. The host guard sees every request first, redirects
included: nothing is fetched from a host outside the allow-list.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from typing import Any

from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from twisted.internet.error import (
    ConnectError,
    ConnectionDone,
    ConnectionLost,
    DNSLookupError,
    TCPTimedOutError,
    TimeoutError,
)
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from crawler.errors import PortalBlocked
from crawler.hosts import host_of
from storage.evidence import EvidenceError

log = logging.getLogger(__name__)

CHALLENGE_MARKERS = (b"fec_wrapper", b"_fec_sbu")
RETRY_STATUSES = {429, 500, 502, 503, 504, 520, 522, 524}
BLOCK_STATUSES = {403, 406}
NETWORK_ERRORS: tuple[type[BaseException], ...] = (
    TimeoutError, TCPTimedOutError, ConnectError, ConnectionDone, ConnectionLost, DNSLookupError, ResponseFailed,
    ResponseNeverReceived, IOError)
try:  # Scrapy >= 2.13 wraps transport failures in its own exception types
    from scrapy.exceptions import (
        DownloadConnectionRefusedError,
        DownloadFailedError,
        DownloadTimeoutError,
        ResponseDataLossError,
    )

    NETWORK_ERRORS += (DownloadTimeoutError, DownloadConnectionRefusedError, DownloadFailedError, ResponseDataLossError)
except ImportError:  # pragma: no cover - older Scrapy
    pass


def looks_like_challenge(response: Response, expect_json: bool) -> str | None:
    """Why this response is an anti-bot page rather than data, or None."""
    head = response.body[:200_000]
    if any(m in head for m in CHALLENGE_MARKERS):
        return "FEC anti-bot markers (fec_wrapper/_fec_sbu) in the response"
    if expect_json and response.status == 200:
        ctype = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
        start = head.lstrip()[:1]
        if "html" in ctype or start == b"<":
            return f"HTML page where JSON was expected (content type {ctype or 'none'})"
    return None


class _CrawlerBound:
    """Keeps the crawler, since Scrapy no longer passes the spider to middleware methods."""

    def __init__(self, crawler=None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _spider(self, spider: Spider | None) -> Spider:
        return spider if spider is not None else self.crawler.spider


class RawEvidenceMiddleware(_CrawlerBound):
    """Stores every response (bytes, URL, time, status, SHA-256), retried attempts included, before any parsing."""

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        spider = self._spider(spider)
        recorder = getattr(spider, "recorder", None)
        if recorder is not None and not request.meta.get("skip_evidence"):
            try:
                raw_id = recorder.record_response(request, response)
            except EvidenceError as exc:  # nothing may be parsed or kept without its evidence
                spider.storage_failed(str(exc))
                raise IgnoreRequest(f"evidence not stored: {exc}") from exc
            request.meta["raw_id"] = raw_id
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None):
        spider = self._spider(spider)
        recorder = getattr(spider, "recorder", None)
        if isinstance(exception, IgnoreRequest):  # refused before it was sent (another host): nothing to keep
            return None
        if recorder is not None:
            try:
                recorder.record_failure(request, exception)
            except EvidenceError as exc:
                spider.storage_failed(str(exc))
        return None


class ChallengeMiddleware(_CrawlerBound):
    """An HTML challenge where JSON was expected stops the whole source; nothing of it is parsed."""

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        spider = self._spider(spider)
        if request.meta.get("skip_challenge"):
            return response
        reason = looks_like_challenge(response, expect_json=request.meta.get("expect") == "json")
        if reason is None and response.status in BLOCK_STATUSES:
            reason = f"HTTP {response.status} (access refused)"
        if reason is not None:
            spider.block(reason, request.url)
            raise IgnoreRequest(f"portal blocked: {reason}")
        return response


class OffHostMiddleware(_CrawlerBound):
    """A request to a host outside the spider's allow-list (a redirect away from the portal, a forged link) is never
    sent: like a challenge, it stops the source and the operator is told; nothing from that host is stored."""

    def process_request(self, request: Request, spider: Spider | None = None):
        spider = self._spider(spider)
        hosts = getattr(spider, "allowed_hosts", None)
        if hosts is None:
            return None
        host = host_of(request.url)
        if host is not None and host in hosts:
            return None
        origin = (request.meta.get("redirect_urls") or [None])[0]
        reason = (f"redirected from {origin} to another host ({host or request.url[:200]})" if origin
                  else f"request to another host ({host or request.url[:200]})")
        spider.block(f"answer from outside the portal: {reason}", origin or request.url)
        raise IgnoreRequest(f"off-host: {reason}")


class BackoffRetryMiddleware(_CrawlerBound):
    """Retries 429, 5xx and network errors with exponential back-off and jitter, honouring Retry-After."""

    def __init__(self, crawler, max_retries: int, base_delay: float, max_delay: float) -> None:
        super().__init__(crawler)
        self.max_retries = max_retries
        self.base_delay = base_delay
        self.max_delay = max_delay

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        return cls(crawler, s.getint("AM_MAX_RETRIES", 4), s.getfloat("AM_RETRY_BASE_DELAY", 2.0),
                   s.getfloat("AM_RETRY_MAX_DELAY", 120.0))

    def _delay(self, attempt: int, retry_after: bytes | None) -> float:
        if retry_after:
            try:
                return min(self.max_delay, max(0.0, float(retry_after.decode().strip())))
            except ValueError:
                pass
        return min(self.max_delay, self.base_delay * (2 ** attempt) * (0.75 + random.random() / 2))

    async def _retry(self, request: Request, reason: str, spider: Spider, retry_after: bytes | None = None):
        attempt = request.meta.get("am_retries", 0)
        if attempt >= self.max_retries:
            spider.crawler.stats.inc_value("am/retry_gave_up")
            log.warning("giving up on %s after %d retries (%s)", request.url, attempt, reason)
            return None
        delay = self._delay(attempt, retry_after)
        spider.crawler.stats.inc_value("am/retries")
        log.info("retry %d of %s in %.1fs (%s)", attempt + 1, request.url, delay, reason)
        if delay:
            await asyncio.sleep(delay)
        new = request.replace(dont_filter=True)
        new.meta["am_retries"] = attempt + 1
        new.priority = request.priority + 1
        return new

    async def process_response(self, request: Request, response: Response, spider: Spider | None = None):
        spider = self._spider(spider)
        if response.status in RETRY_STATUSES and not request.meta.get("dont_retry"):
            new = await self._retry(request, f"HTTP {response.status}", spider, response.headers.get(b"Retry-After"))
            if new is not None:
                return new
        if request.meta.get("expect") == "json" and response.status == 200:
            try:
                json.loads(response.body)
            except ValueError:
                if looks_like_challenge(response, True) is None:
                    new = await self._retry(request, "truncated or invalid JSON", spider)
                    if new is not None:
                        return new
        return response

    async def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None):
        spider = self._spider(spider)
        if isinstance(exception, NETWORK_ERRORS) and not request.meta.get("dont_retry"):
            return await self._retry(request, type(exception).__name__, spider)
        return None


class BrowserFetchMiddleware(_CrawlerBound):
    """Browser mode: answer API requests with ``fetch()`` run inside the page that passed the JS challenge.

    The page is opened by the spider's bootstrap request through scrapy-playwright (system Chromium); working
    peers found that cookies from the browser do not carry over to a plain HTTP client (TLS fingerprinting), so
    every later call is made from the page context, as a person's browser would.
    """

    FETCH_JS = """async (url) => {
        const r = await fetch(url, {credentials: 'same-origin',
            headers: {'Accept': 'application/json, text/javascript, */*; q=0.01', 'X-Requested-With': 'XMLHttpRequest'}});
        const buf = new Uint8Array(await r.arrayBuffer());
        let bin = ''; for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode.apply(null, buf.subarray(i, i + 0x8000));
        return {status: r.status, body: btoa(bin), ctype: r.headers.get('content-type') || '', url: r.url};
    }"""

    async def process_request(self, request: Request, spider: Spider | None = None) -> Any:
        spider = self._spider(spider)
        page = getattr(spider, "browser_page", None)
        if page is None or request.meta.get("playwright") or not request.meta.get("via_browser", True):
            return None
        import base64

        try:
            result = await page.evaluate(self.FETCH_JS, request.url)
        except Exception as exc:  # the page crashed or navigated away: let the retry layer decide
            raise ConnectionLost(f"browser fetch failed: {exc}") from exc
        final = result.get("url") or request.url
        hosts = getattr(spider, "allowed_hosts", None)
        if hosts is not None and host_of(final) not in hosts:  # fetch() followed a redirect away from the portal
            spider.block(f"answer from outside the portal: redirected to another host ({host_of(final)})", request.url)
            raise IgnoreRequest("off-host answer in the browser")
        headers = {"Content-Type": result.get("ctype") or "application/octet-stream"}
        return TextResponse(url=request.url, status=int(result["status"]), headers=headers,
                            body=base64.b64decode(result["body"]), request=request, encoding="utf-8")
