"""Public entry point for THADS page parsing: URLs and HTML live in thads_html, notice text in thads_text."""

from crawler.parsers.thads_html import (
    AttachmentLink,
    DetailPage,
    ItemKey,
    ListItem,
    ListPage,
    canonical_thads_url,
    html_to_text,
    parse_detail_page,
    parse_list_page,
    thads_item_key,
)
from crawler.parsers.thads_text import (
    Classification,
    NoticeCategory,
    ThadsAsset,
    ThadsFields,
    classify_notice,
    extract_notice_fields,
)

__all__ = [
    "AttachmentLink",
    "Classification",
    "DetailPage",
    "ItemKey",
    "ListItem",
    "ListPage",
    "NoticeCategory",
    "ThadsAsset",
    "ThadsFields",
    "canonical_thads_url",
    "classify_notice",
    "extract_notice_fields",
    "html_to_text",
    "parse_detail_page",
    "parse_list_page",
    "thads_item_key",
]
