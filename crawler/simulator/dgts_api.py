"""dgts.moj.gov.vn JSON endpoints served from dataset documents (paths and shapes as in dgts-api.md).

Choices where the real portal is unknown (dgts-api.md §12):
* `numberPerPage` defaults to 20 and is capped at 1000 (100 is the proven real maximum); `p` < 1 is page 1;
  `pageList` is the window pageNumber-4 … pageNumber+7 within 1 … pageCount.
* `/portal/search/auction-notice`: `typeOrder=2` (default) sorts by the newest publication time
  (publishTime2, else publishTime1) newest first, `typeOrder=1` by `aucTime` latest first; ties by id desc.
  `startPublishDate`/`endPublishDate` filter that same publication time, `startDate`/`endDate` filter
  `aucTime`, both as inclusive ICT days. `fullName` and `assetName` are case-insensitive substrings of
  `fullname` / `propertyName`; `propertyTypeId` is exact. Other parameters, malformed dates and empty
  strings are ignored (no filter).
* `/ThongTin/getInfoSelectAuctionOrg`: `lastUpdated` desc; `startPublishDate`/`endPublishDate` on
  `lastUpdated`; `fromDate`/`startDate` keep windows starting on or after that day, `toDate`/`endDate`
  windows ending on or before that day; `ownerFullname`, `noticeSub` substrings.
* `/ThongTin/getResultSelectAuctionOrg`: no date filter, order = sha256 of the id (stable, not by time).
* Unknown, future or taken-down ids give the empty shapes: empty envelopes, `[]`, or objects with empty
  lists; never 404 (the Java API answers 200).
"""

from __future__ import annotations

import hashlib
import html
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vntext.fold import fold_case

from .clock import day_end_ms, day_start_ms, from_ms, parse_portal_date
from .dataset import AUCTION_NOTICE, SELECTION_NOTICE, SELECTION_RESULT, DocumentStore, View
from .dgts_files import download, public_files
from .responses import Response, html_response, json_response

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 1000
LIST_PAGE_PATH = "/thong-bao-cong-khai-viec-dau-gia.html"

Query = dict[str, list[str]]


@dataclass
class DgtsContext:
    store: DocumentStore
    now_ms: int
    link_moment: Callable[[], datetime]  # response time written into fresh linkFile tokens
    fec_scripts: str = ""                 # FEC script tags the real pages carry


def param(query: Query, name: str) -> str:
    values = query.get(name)
    return values[0].strip() if values else ""


def _int_param(query: Query, name: str, default: int) -> int:
    try:
        return int(param(query, name))
    except ValueError:
        return default


def _contains(haystack: Any, needle: str) -> bool:
    return fold_case(needle) in fold_case(str(haystack or ""))


def envelope(rows: list[Any], query: Query, echo_page: bool = False) -> dict[str, Any]:
    """The portal's PagingResult for `rows` (1-based `p`; `echo_page` keeps p=0 as sent, for history lists)."""
    size = min(max(_int_param(query, "numberPerPage", DEFAULT_PAGE_SIZE), 1), MAX_PAGE_SIZE)
    requested = _int_param(query, "p", 1)
    page = max(requested, 1)
    row_count = len(rows)
    page_count = math.ceil(row_count / size)
    items = rows[(page - 1) * size: page * size]
    page_list = list(range(max(1, page - 4), min(page_count, page + 7) + 1))
    return {
        "items": items,
        "rowCount": row_count,
        "pageCount": page_count,
        "numberPerPage": size,
        "pageNumber": requested if echo_page else page,
        "pageList": page_list,
    }


def _day_window(query: Query, start_name: str, end_name: str) -> tuple[int | None, int | None]:
    start_day = parse_portal_date(param(query, start_name))
    end_day = parse_portal_date(param(query, end_name))
    return (day_start_ms(start_day) if start_day else None, day_end_ms(end_day) if end_day else None)


def _in_window(value: Any, window: tuple[int | None, int | None]) -> bool:
    low, high = window
    if low is None and high is None:
        return True
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def _list_item(record_id: Any, view: View) -> dict[str, Any]:
    item = view.document.get("list_item")
    return item if isinstance(item, dict) else {"id": record_id}


# --- auction notices -------------------------------------------------------------------------------

def _sorted_auction_rows(ctx: DgtsContext, by_auction_time: bool) -> list[tuple[View, dict[str, Any]]]:
    def compute() -> list[tuple[View, dict[str, Any]]]:
        rows = [(view, _list_item(record.key, view)) for record, view in ctx.store.visible(AUCTION_NOTICE, ctx.now_ms)]
        if by_auction_time:
            rows.sort(key=lambda row: (isinstance(row[1].get("aucTime"), (int, float)), row[1].get("aucTime") or 0,
                                       row[1].get("id") or 0), reverse=True)
        else:
            rows.sort(key=lambda row: (row[0].sort_ms, row[1].get("id") or 0), reverse=True)
        return rows
    return ctx.store.memo(("auction-rows", by_auction_time, ctx.now_ms), compute)


def search_auction_notices(ctx: DgtsContext, query: Query) -> Response:
    publish_window = _day_window(query, "startPublishDate", "endPublishDate")
    auction_window = _day_window(query, "startDate", "endDate")
    owner, asset, type_id = param(query, "fullName"), param(query, "assetName"), param(query, "propertyTypeId")
    rows = _sorted_auction_rows(ctx, param(query, "typeOrder") == "1")
    if any(bound is not None for bound in (*publish_window, *auction_window)) or owner or asset or type_id:
        rows = [
            (view, item) for view, item in rows
            if _in_window(view.sort_ms, publish_window) and _in_window(item.get("aucTime"), auction_window)
            and (not owner or _contains(item.get("fullname"), owner))
            and (not asset or _contains(item.get("propertyName"), asset))
            and (not type_id or str(item.get("propertyTypeId")) == type_id)
        ]
    return json_response(envelope([item for _, item in rows], query))


def _auction_view(ctx: DgtsContext, query: Query) -> View | None:
    return ctx.store.visible_view(AUCTION_NOTICE, param(query, "auctionInfoId"), ctx.now_ms)


def property_info(ctx: DgtsContext, query: Query) -> Response:
    view = _auction_view(ctx, query)
    rows = view.document.get("property_info") or [] if view else []
    return json_response(envelope(list(rows), query))


def view_detail_auction_info(ctx: DgtsContext, query: Query) -> Response:
    view = _auction_view(ctx, query)
    if view is None or not isinstance(view.document.get("detail"), dict):
        return json_response({"listFile": []})
    detail = dict(view.document["detail"])
    key = view.document.get("id")
    detail["listFile"] = public_files(AUCTION_NOTICE, int(key or 0), view.document, "detail",
                                      list(detail.get("listFile") or []), ctx.link_moment())
    return json_response(detail)


def _history(name: str) -> Callable[[DgtsContext, Query], Response]:
    def handler(ctx: DgtsContext, query: Query) -> Response:
        view = _auction_view(ctx, query)
        rows = view.document.get(name) or [] if view else []
        return json_response(envelope(list(rows), query, echo_page=True))
    return handler


def auction_download(ctx: DgtsContext, query: Query) -> Response:
    return download(ctx.store, AUCTION_NOTICE, param(query, "linkFile"), ctx.now_ms)


# --- selection notices -----------------------------------------------------------------------------

def _owner_of_selection(view: View) -> str:
    item = view.document.get("list_item") or {}
    detail = view.document.get("detail") or {}
    return " ".join(str(v) for v in (item.get("ownerFullname"), item.get("fullname"), detail.get("ownerFullname")) if v)


def search_selection_notices(ctx: DgtsContext, query: Query) -> Response:
    publish_window = _day_window(query, "startPublishDate", "endPublishDate")
    receive_from = parse_portal_date(param(query, "fromDate")) or parse_portal_date(param(query, "startDate"))
    receive_to = parse_portal_date(param(query, "toDate")) or parse_portal_date(param(query, "endDate"))
    owner, subject, type_id = param(query, "ownerFullname"), param(query, "noticeSub"), param(query, "propertyTypeId")
    rows: list[tuple[View, dict[str, Any]]] = []
    for record, view in ctx.store.visible(SELECTION_NOTICE, ctx.now_ms):
        item = _list_item(record.key, view)
        if not _in_window(view.sort_ms, publish_window):
            continue
        if receive_from and not _in_window(item.get("receiveTimeStart"), (day_start_ms(receive_from), None)):
            continue
        if receive_to and not _in_window(item.get("receiveTimeEnd"), (None, day_end_ms(receive_to))):
            continue
        if owner and not _contains(_owner_of_selection(view), owner):
            continue
        if subject and not _contains(item.get("propertyName"), subject):
            continue
        if type_id:
            types = {str(item.get("propertyTypeId"))} | {
                str(p.get("propertyTypeId")) for p in view.document.get("properties") or [] if isinstance(p, dict)}
            if type_id not in types:
                continue
        rows.append((view, item))
    rows.sort(key=lambda row: (row[0].sort_ms, row[1].get("id") or 0), reverse=True)
    return json_response(envelope([item for _, item in rows], query))


def _selection_view(ctx: DgtsContext, query: Query, name: str) -> View | None:
    return ctx.store.visible_view(SELECTION_NOTICE, param(query, name), ctx.now_ms)


def selection_detail(ctx: DgtsContext, query: Query) -> Response:
    view = _selection_view(ctx, query, "id")
    detail = view.document.get("detail") if view else None
    return json_response(envelope([detail] if isinstance(detail, dict) else [], query))


def selection_properties(ctx: DgtsContext, query: Query) -> Response:
    view = _selection_view(ctx, query, "noticeID")
    rows = view.document.get("properties") if view else None
    return json_response(list(rows) if isinstance(rows, list) else [])


def selection_edit_notice(ctx: DgtsContext, query: Query) -> Response:
    view = _selection_view(ctx, query, "id")
    source = view.document.get("edit_notice") if view else None
    if view is None or not isinstance(source, dict):
        return json_response({"listFileNotice": [], "property": [], "notice": None})
    moment = ctx.link_moment()
    key = int(view.document.get("id") or 0)
    result = dict(source)
    if isinstance(source.get("listFileNotice"), list):
        result["listFileNotice"] = public_files(SELECTION_NOTICE, key, view.document, "notice",
                                                source["listFileNotice"], moment)
    properties = []
    for position, prop in enumerate(source.get("property") or []):
        if isinstance(prop, dict) and isinstance(prop.get("listFile"), list):
            prop = dict(prop, listFile=public_files(SELECTION_NOTICE, key, view.document, f"property{position}",
                                                    prop["listFile"], moment))
        properties.append(prop)
    if "property" in source:
        result["property"] = properties
    return json_response(result)


def selection_download(ctx: DgtsContext, query: Query) -> Response:
    return download(ctx.store, SELECTION_NOTICE, param(query, "linkFile"), ctx.now_ms)


# --- selection results -----------------------------------------------------------------------------

def _stable_shuffle_key(record_id: Any) -> str:
    return hashlib.sha256(str(record_id).encode()).hexdigest()


def search_selection_results(ctx: DgtsContext, query: Query) -> Response:
    owner, subject = param(query, "ownerFullname"), param(query, "noticeSub")
    rows: list[tuple[Any, dict[str, Any]]] = []
    for record, view in ctx.store.visible(SELECTION_RESULT, ctx.now_ms):
        item = _list_item(record.key, view)
        owner_text = f"{item.get('ownerFullname') or ''} {(view.document.get('owner') or {}).get('fullname') or ''}"
        if owner and not _contains(owner_text, owner):
            continue
        if subject and not _contains(item.get("propertyName"), subject):
            continue
        rows.append((record.key, item))
    rows.sort(key=lambda row: _stable_shuffle_key(row[0]))
    return json_response(envelope([item for _, item in rows], query))


def _result_object(name: str, empty: Callable[[], Any], id_param: str) -> Callable[[DgtsContext, Query], Response]:
    def handler(ctx: DgtsContext, query: Query) -> Response:
        view = ctx.store.visible_view(SELECTION_RESULT, param(query, id_param), ctx.now_ms)
        value = view.document.get(name) if view else None
        return json_response(value if isinstance(value, dict) else empty())
    return handler


# --- HTML list page --------------------------------------------------------------------------------

def list_page(ctx: DgtsContext, query: Query) -> Response:
    """The public list page (used as Referer, opened by browsers); shows the 20 newest notices."""
    rows = sorted(ctx.store.visible(AUCTION_NOTICE, ctx.now_ms), key=lambda rv: rv[1].sort_ms, reverse=True)[:20]
    lines = []
    for record, view in rows:
        item = _list_item(record.key, view)
        when = from_ms(view.sort_ms).strftime("%H:%M %d/%m/%Y")
        lines.append(
            f'<li data-id="{record.key}"><span class="time">{when}</span> '
            f'<span class="name">{html.escape(str(item.get("subPropertyName") or item.get("propertyName") or ""))}</span> '
            f'<span class="owner">{html.escape(str(item.get("fullname") or ""))}</span></li>')
    page = f"""<!DOCTYPE html>
<html>
<head>{ctx.fec_scripts}
<meta charset="utf-8">
<title>Thông báo công khai việc đấu giá</title>
</head>
<body>
<h1>Thông báo công khai việc đấu giá</h1>
<ul id="auction-notice-list">
{chr(10).join(lines)}
</ul>
</body>
</html>
"""
    return html_response(page)


ROUTES: dict[str, Callable[[DgtsContext, Query], Response]] = {
    "/portal/search/auction-notice": search_auction_notices,
    "/portal/propertyInfo": property_info,
    "/portal/viewDetailAuctionInfo": view_detail_auction_info,
    "/portal/pageAuctionInfoPublish2": _history("publish_history"),
    "/portal/pageAuctionInfoCorrections": _history("corrections"),
    "/portal/downloadFile": auction_download,
    "/ThongTin/getInfoSelectAuctionOrg": search_selection_notices,
    "/ThongTin/getDetailSelectOrgAuction": selection_detail,
    "/ThongTin/getDetailPropertyInfo": selection_properties,
    "/ThongTin/getInfoEditNotice": selection_edit_notice,
    "/ThongTin/downloadFile": selection_download,
    "/ThongTin/getResultSelectAuctionOrg": search_selection_results,
    "/ThongTin/getInfoOwner": _result_object("owner", dict, "id"),
    "/ThongTin/getDetaiResultHistory": _result_object("history", lambda: {"orgInfo": None, "property": []}, "resultID"),
    "/ThongTin/getInfoResult": _result_object("info", dict, "resultID"),
    LIST_PAGE_PATH: list_page,
}


def is_dgts_path(path: str) -> bool:
    """Paths of the dgts portal (the FEC challenge guards these)."""
    return path in ROUTES or path.startswith(("/portal/", "/ThongTin/", "/common/", "/thong-bao-"))
