"""thads.moj.gov.vn SharePoint pages served from `thads.notice` documents: the notice list
(`/<slug>/noidung/thongbao/Lists/<List>/View_Detail.aspx?Page=N`), the item page (`?ItemID=N`) and list-item
attachments (`/<slug>/noidung/thongbao/Lists/<List>/Attachments/<ItemID>/<name>`).

Paths and query keys are case-insensitive like SharePoint. Lists are newest first (date, then ItemID),
`page_size` rows a page; a page past the end is an empty list. Unknown sites, lists, items and attachments
answer 404; sites in `redirect_sites` answer 302 to `/`. Titles and names are escaped; `body_html` is the
notice's own HTML and is served as is.
"""

from __future__ import annotations

import base64
import binascii
import html
import math
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

from .dataset import THADS_NOTICE, DocumentStore, View
from .responses import Response, error_page, html_response, not_found

AREA = "thongbao"


@dataclass
class ThadsContext:
    store: DocumentStore
    now_ms: int
    page_size: int
    redirect_sites: frozenset[str]


def _web_part_id(site: str) -> str:
    return "ctl00_ctl35_g_" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"thads/{site}")).replace("-", "_")


def _list_base(site: str, list_name: str) -> str:
    return f"/{quote(site)}/noidung/{AREA}/Lists/{quote(list_name)}"


def _page(site: str, title: str, inner: str) -> str:
    return f"""<!DOCTYPE html>
<html dir="ltr" lang="vi-VN">
<head><meta charset="utf-8"><title>{html.escape(title)}</title></head>
<body>
<form method="post" id="aspnetForm">
<div id="s4-ribbonrow"><span id="ctl00_IdWelcome">
<a id="ctl00_IdWelcome_ExplicitLogin" href="/{quote(site)}/_layouts/15/Authenticate.aspx">Sign In</a></span></div>
<div id="s4-workspace"><div class="breadcrumb">Trang chủ » Thông báo</div>
<div id="{_web_part_id(site)}" class="ms-webpart-zone">
{inner}
</div></div>
</form>
</body>
</html>
"""


def _visible_items(ctx: ThadsContext, site: str, list_name: str) -> list[tuple[Any, View]]:
    rows = [(record, view) for record, view in ctx.store.visible(THADS_NOTICE, ctx.now_ms)
            if record.key[0] == site and record.key[1] == list_name]
    rows.sort(key=lambda rv: (rv[1].sort_ms, rv[0].key[2]), reverse=True)
    return rows


def _names(ctx: ThadsContext, site: str, list_name: str) -> tuple[str, str] | None:
    """Display spelling (as in the documents) of a known site and list, None when unknown."""
    site_name = list_display = None
    for record in ctx.store.records(THADS_NOTICE):
        if record.key[0] == site:
            site_name = site_name or str(record.base.get("site"))
            if record.key[1] == list_name:
                list_display = str(record.base.get("list", "ThongBao"))
                break
    if site_name is None or list_display is None:
        return None
    return site_name, list_display


def _int(text: str | None, default: int) -> int:
    try:
        return int(text or "")
    except ValueError:
        return default


def _list_page(ctx: ThadsContext, site_name: str, list_name: str, rows: list[tuple[Any, View]], page: int) -> Response:
    base = _list_base(site_name, list_name)
    page_count = max(1, math.ceil(len(rows) / ctx.page_size))
    shown = rows[(page - 1) * ctx.page_size: page * ctx.page_size]
    entries = []
    for record, view in shown:
        doc = view.document
        entries.append(
            f'<div class="item"><p class="title"><a href="{base}/View_Detail.aspx?ItemID={record.key[2]}">'
            f'{html.escape(str(doc.get("title") or ""))}</a></p>'
            f'<p class="date">{html.escape(str(doc.get("date") or ""))}</p></div>')
    pager = []
    if page > 1:
        pager.append(f'<a class="prev" href="{base}/View_Detail.aspx?Page={page - 1}">«</a>')
    for number in range(1, page_count + 1):
        if number == page:
            pager.append(f'<span class="current">{number}</span>')
        else:
            pager.append(f'<a href="{base}/View_Detail.aspx?Page={number}">{number}</a>')
    if page < page_count:
        pager.append(f'<a class="next" href="{base}/View_Detail.aspx?Page={page + 1}">»</a>')
    inner = (f'<div class="list-news">\n{chr(10).join(entries)}\n</div>\n'
             f'<div class="paging">{" ".join(pager)}</div>')
    return html_response(_page(site_name, "Thông báo", inner))


def _detail_page(ctx: ThadsContext, site_name: str, list_name: str, rows: list[tuple[Any, View]],
                 item_id: int) -> Response:
    match = next(((record, view) for record, view in rows if record.key[2] == item_id), None)
    if match is None:
        return error_page(404, "Item does not exist. It may have been deleted by another user.")
    doc = match[1].document
    base = _list_base(site_name, list_name)
    attachments = []
    for attachment in doc.get("attachments") or []:
        if isinstance(attachment, dict) and attachment.get("name"):
            name = str(attachment["name"])
            attachments.append(
                f'<tr><td class="ms-vb"><span dir="ltr"><a href="{base}/Attachments/{item_id}/{quote(name, safe="")}">'
                f'{html.escape(name)}</a></span></td></tr>')
    others = [
        f'<li><a href="{base}/View_Detail.aspx?ItemID={record.key[2]}">{html.escape(str(view.document.get("title") or ""))}</a>'
        f' <span class="date">({html.escape(str(view.document.get("date") or ""))})</span></li>'
        for record, view in rows if record.key[2] != item_id][:5]
    inner = f"""<div class="news-detail">
<h1 class="title">{html.escape(str(doc.get("title") or ""))}</h1>
<div class="date">{html.escape(str(doc.get("date") or ""))}</div>
<div class="content">{doc.get("body_html") or ""}</div>
<div class="attachments"><table id="idAttachmentsTable" border="0" cellpadding="0" cellspacing="0"><tbody>
{chr(10).join(attachments)}
</tbody></table></div>
</div>
<div class="other-news"><h3>Các thông báo khác</h3><ul>
{chr(10).join(others)}
</ul></div>"""
    return html_response(_page(site_name, str(doc.get("title") or "Thông báo"), inner))


def _attachment(rows: list[tuple[Any, View]], item_id: int, raw_name: str) -> Response:
    match = next((view for record, view in rows if record.key[2] == item_id), None)
    if match is None:
        return not_found()
    wanted = unquote(raw_name).casefold()
    for attachment in match.document.get("attachments") or []:
        if isinstance(attachment, dict) and str(attachment.get("name", "")).casefold() == wanted:
            try:
                data = base64.b64decode(str(attachment.get("content_b64") or ""), validate=True)
            except (binascii.Error, ValueError):
                return not_found()
            return Response(status=200, content_type=str(attachment.get("content_type") or "application/octet-stream"),
                            body=data)
    return not_found()


def handle(ctx: ThadsContext, raw_path: str, query: dict[str, list[str]]) -> Response:
    """Answer a path under a THADS site slug."""
    segments = raw_path.split("/")
    if len(segments) < 2 or not segments[1]:
        return not_found()
    site = unquote(segments[1]).lower()
    if site in ctx.redirect_sites:
        return Response(status=302, headers={"Location": "/"}, body=b"")
    lowered = [unquote(s).lower() for s in segments]
    if site not in ctx.store.thads_sites():
        return not_found()
    if len(lowered) < 7 or lowered[2] != "noidung" or lowered[3] != AREA or lowered[4] != "lists":
        return not_found()
    names = _names(ctx, site, lowered[5])
    if names is None:
        return not_found()
    site_name, list_name = names
    rows = _visible_items(ctx, site, lowered[5])
    if len(lowered) == 7 and lowered[6] == "view_detail.aspx":
        keys = {key.lower(): values[0] for key, values in query.items() if values}
        if "itemid" in keys:
            item_id = _int(keys["itemid"], -1)
            return _detail_page(ctx, site_name, list_name, rows, item_id)
        return _list_page(ctx, site_name, list_name, rows, max(_int(keys.get("page"), 1), 1))
    if len(lowered) == 9 and lowered[6] == "attachments":
        return _attachment(rows, _int(lowered[7], -1), segments[8])
    return not_found()
