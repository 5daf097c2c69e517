"""`PortalSimulator`: a local HTTP server (127.0.0.1, stdlib ThreadingHTTPServer in a background thread)
that serves the dgts JSON API and THADS SharePoint pages from dataset documents, with a simulated clock,
scheduled/runtime edits and take-downs, fault injection and a request log; `serve()` runs it in the
foreground until Ctrl-C."""

from __future__ import annotations

import html
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from .challenge import HXK_JS, WRAPPER_JS, WRAPPER_SCRIPT, Challenge
from .clock import SimClock, parse_moment
from .dataset import AUCTION_NOTICE, DocumentStore, load_documents
from .dgts_api import LIST_PAGE_PATH, ROUTES, DgtsContext, is_dgts_path
from .faults import MAX_HOLD_SECONDS, FaultPlan, FaultState, rename_keys
from .responses import Response, error_page, html_response, not_found
from .thads_pages import ThadsContext
from .thads_pages import handle as handle_thads


@dataclass(frozen=True)
class RequestRecord:
    """One request as the simulator saw it; `status` None = connection closed unanswered (timeout fault)."""

    method: str
    path: str
    query: str
    params: dict[str, list[str]]
    status: int | None
    faults: tuple[str, ...]
    started_at: float
    duration: float


class RequestLog:
    """Thread-safe list of `RequestRecord`s."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def append(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def __iter__(self) -> Iterator[RequestRecord]:
        return iter(self.snapshot())

    def __getitem__(self, index: int) -> RequestRecord:
        with self._lock:
            return self._records[index]

    def clear(self) -> None:
        with self._lock:
            self._records.clear()

    def count(self, path: str | None = None, status: int | None = None, fault: str | None = None) -> int:
        """Requests whose path starts with `path` (if given), with that status and fault (if given)."""
        return sum(
            1 for r in self.snapshot()
            if (path is None or r.path.startswith(path))
            and (status is None or r.status == status)
            and (fault is None or fault in r.faults))


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (a cancelled oversized download, a timeout) is normal here, not a traceback."""
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        super().handle_error(request, client_address)

    def close_open_connections(self) -> None:
        with self._open_lock:
            open_sockets = list(self._open)
        for sock in open_sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class PortalSimulator:
    """Serve dataset documents as the dgts API and THADS pages on `host:port` (0 = a free port)."""

    def __init__(
        self,
        documents: Iterable[dict[str, Any]] = (),
        *,
        clock: datetime | str | None = None,
        faults: FaultPlan | None = None,
        latency: float = 0.0,
        host: str = "127.0.0.1",
        port: int = 0,
        redirect_sites: Iterable[str] = (),
        page_size_thads: int = 10,
    ) -> None:
        self.store = DocumentStore(documents)
        self.clock = SimClock(parse_moment(clock) if clock is not None else None)
        self.latency = float(latency)
        self.host = host
        self.port = port
        self.redirect_sites = frozenset(site.lower() for site in redirect_sites)
        self.page_size_thads = max(1, int(page_size_thads))
        self.request_log = RequestLog()
        self._fault_state = FaultState(faults or FaultPlan())
        self.challenge = Challenge(self._fault_state.plan.seed)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._link_lock = threading.Lock()
        self._last_link_moment: datetime | None = None

    # --- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> PortalSimulator:
        if self._server is not None:
            return self
        simulator = self

        class Handler(_RequestHandler):
            sim = simulator

        self._stopping.clear()
        self._server = _Server((self.host, self.port), Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="portal-simulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # releases held (timeout) and delayed requests
        self._server.shutdown()
        self._server.close_open_connections()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> PortalSimulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    # --- clock, faults, data -----------------------------------------------------------------------

    def set_clock(self, moment: datetime | str) -> None:
        """Freeze the simulated clock at `moment` (naive or ISO without offset = ICT)."""
        self.clock.set(parse_moment(moment))

    def advance(self, days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0) -> datetime:
        return self.clock.advance(days=days, hours=hours, minutes=minutes, seconds=seconds)

    @property
    def faults(self) -> FaultPlan:
        """The installed plan. Assigning a plan resets its counters; mutating it in place keeps them."""
        return self._fault_state.plan

    @faults.setter
    def faults(self, plan: FaultPlan | None) -> None:
        self._fault_state = FaultState(plan or FaultPlan())

    def add_document(self, document: dict[str, Any]) -> None:
        self.store.add(document)

    def edit(self, kind: str, record_id: Any, path: str, value: Any) -> None:
        """Change one dotted path of a record from the current simulated time on."""
        self.store.schedule(kind, record_id, self.clock.now_ms(), "edit", {path: value})

    def take_down(self, kind: str, record_id: Any) -> None:
        self.store.schedule(kind, record_id, self.clock.now_ms(), "take_down")

    def restore(self, kind: str, record_id: Any) -> None:
        self.store.schedule(kind, record_id, self.clock.now_ms(), "restore")

    def publish_second(self, record_id: Any) -> None:
        """Post an auction notice a second time now (sets publishTime2)."""
        self.store.schedule(AUCTION_NOTICE, record_id, self.clock.now_ms(), "second_publication")

    # --- request handling --------------------------------------------------------------------------

    def _link_moment(self) -> datetime:
        """Response time for fresh linkFile tokens: the clock, but at least 1 s after the previous one so
        a token never repeats even with a frozen clock."""
        with self._link_lock:
            moment = self.clock.now().replace(microsecond=0)
            if self._last_link_moment is not None and moment <= self._last_link_moment:
                moment = self._last_link_moment + timedelta(seconds=1)
            self._last_link_moment = moment
            return moment

    def _route(self, path: str, query: dict[str, list[str]]) -> Response:
        now_ms = self.clock.now_ms()
        if path == "/":
            return self._home()
        if path.lower().startswith("/_fec_sbu/") and path.lower().endswith(".js"):
            script = WRAPPER_JS if path.lower() == WRAPPER_SCRIPT else HXK_JS
            return Response(content_type="application/javascript; charset=utf-8", body=script.encode())
        route = ROUTES.get(path)
        if route is not None:
            context = DgtsContext(self.store, now_ms, self._link_moment, self._fec_script_tags())
            return route(context, query)
        if is_dgts_path(path):
            return not_found()
        return handle_thads(ThadsContext(self.store, now_ms, self.page_size_thads, self.redirect_sites), path, query)

    def _fec_script_tags(self) -> str:
        return (f'<script src="{WRAPPER_SCRIPT}"></script>\n'
                f'<script id="{self.challenge.script_id}" src="{self.challenge.hxk_script}"></script>')

    def _home(self) -> Response:
        sites = sorted(self.store.thads_sites())
        links = "".join(
            f'<li><a href="/{quote(site)}/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?Page=1">{html.escape(site)}</a></li>'
            for site in sites)
        return html_response(
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Portal simulator</title></head><body>"
            f'<p><a href="{LIST_PAGE_PATH}">Thông báo công khai việc đấu giá</a></p><ul>{links}</ul></body></html>')

    def _handle(self, handler: BaseHTTPRequestHandler, head: bool) -> None:
        started = time.time()
        parts = urlsplit(handler.path)
        path = parts.path or "/"
        query = parse_qs(parts.query, keep_blank_values=True)
        dgts = is_dgts_path(path)
        if self.latency > 0:
            self._stopping.wait(self.latency)
        state = self._fault_state
        plan = state.plan
        decision = state.decide(path, dgts, parts.query)
        applied: list[str] = []

        def log(status: int | None) -> None:
            self.request_log.append(RequestRecord(handler.command, path, parts.query, query, status,
                                                  tuple(applied), started, time.time() - started))

        if decision.timeout:
            applied.append("timeout")
            self._stopping.wait(min(max(plan.timeout_seconds, 0.0), MAX_HOLD_SECONDS))
            handler.close_connection = True
            log(None)
            return
        if decision.slow:
            applied.append("slow")
            self._stopping.wait(min(max(plan.slow_seconds, 0.0), MAX_HOLD_SECONDS))
        truncate = False
        if decision.redirect:
            applied.append("redirect")
            target = plan.redirect_to.rstrip("/") + handler.path
            response = Response(status=302, content_type="text/html; charset=utf-8",
                                body=f'<a href="{html.escape(target)}">moved</a>'.encode(), headers={"Location": target})
        elif decision.rate_limit:
            applied.append("429")
            response = error_page(429, "Too Many Requests", {"Retry-After": str(plan.rate_limit_retry_after)})
        elif decision.server_error:
            applied.append("5xx")
            extra = {} if plan.server_error_retry_after is None else {"Retry-After": str(plan.server_error_retry_after)}
            response = error_page(plan.server_error_status, "Service Unavailable", extra)
        elif dgts and plan.js_challenge and not self.challenge.cookie_is_valid(handler.headers.get("Cookie")):
            applied.append("js_challenge")
            response = html_response(self.challenge.page())
        elif decision.html_challenge:
            applied.append("html_challenge")
            response = html_response(self.challenge.page())
        else:
            try:
                response = self._route(path, query)
            except Exception as exc:  # a bug in a route must show up as a 500, not a dropped connection
                response = error_page(500, f"Internal Server Error: {type(exc).__name__}")
            if response.is_json and plan.envelope and isinstance(response.payload, dict) and "rowCount" in response.payload:
                applied.append("envelope")
                response.payload = {**response.payload, **plan.envelope}
            if response.is_json and plan.renamed_fields and dgts:
                applied.append("renamed")
                response.payload = rename_keys(response.payload, plan.renamed_fields)
            truncate = decision.truncate
        body = response.encoded()
        if truncate and body:
            applied.append("truncate")
            body = body[: len(body) // 2]
        if path == LIST_PAGE_PATH and "JSESSIONID" not in (handler.headers.get("Cookie") or ""):
            response.headers.setdefault("Set-Cookie", f"JSESSIONID={self.challenge.new_nonce()[:32].upper()}; Path=/; HttpOnly")
        # Logged before the bytes go out, so a client that has its answer always finds the request in the log.
        log(response.status)
        try:
            handler.send_response(response.status)
            handler.send_header("Content-Type", response.content_type)
            handler.send_header("Content-Length", str(len(body)))
            for name, value in response.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            if not head:
                handler.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Apache-Coyote/1.1"
    timeout = 30  # idle keep-alive connections are dropped after this
    sim: PortalSimulator

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self.sim._handle(self, head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self.sim._handle(self, head=True)

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        if 0 < length <= 1_000_000:
            self.rfile.read(length)
        body = b"Method Not Allowed"
        self.send_response(405)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


_SIMULATOR_OPTIONS = {"clock", "faults", "latency", "host", "redirect_sites", "page_size_thads"}


def build_simulator(documents: Iterable[dict[str, Any]] | Iterable[str | Path], port: int = 0,
                    **options: Any) -> PortalSimulator:
    """A simulator from documents (or JSONL paths) and options: PortalSimulator keywords, `fault_spec`
    (a `FaultPlan.from_spec` string) and any `FaultPlan` field by name (e.g. `js_challenge=True`)."""
    items = list(documents)
    if items and all(isinstance(item, (str, Path)) for item in items):
        items = load_documents(items)  # type: ignore[arg-type]
    plan = options.pop("faults", None) or FaultPlan()
    spec = options.pop("fault_spec", None)
    if spec:
        spec_plan = FaultPlan.from_spec(spec)
        plan = plan.with_options(**{f.name: getattr(spec_plan, f.name) for f in fields(spec_plan)
                                    if getattr(spec_plan, f.name) != getattr(FaultPlan(), f.name)})
    fault_names = {f.name for f in fields(FaultPlan)}
    fault_options = {k: options.pop(k) for k in list(options) if k in fault_names}
    if fault_options:
        plan = plan.with_options(**fault_options)
    unknown = set(options) - _SIMULATOR_OPTIONS
    if unknown:
        raise TypeError(f"unknown simulator options: {', '.join(sorted(unknown))}")
    return PortalSimulator(items, port=port, faults=plan, **options)  # type: ignore[arg-type]


def serve(documents: Iterable[dict[str, Any]] | Iterable[str | Path], port: int = 8080, **options: Any) -> None:
    """Run the simulator in the foreground until Ctrl-C (options as for `build_simulator`)."""
    simulator = build_simulator(documents, port, **options).start()
    print(f"portal simulator on {simulator.base_url} (dgts list: {simulator.base_url}{LIST_PAGE_PATH}); Ctrl-C stops",
          flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()
