"""THADS URL canonicalisation and item keys: the quirks listed in thads-portal.md §3.3."""

from __future__ import annotations

import pytest

from crawler.parsers.thads import canonical_thads_url, thads_item_key

ITEM_531 = "https://thads.moj.gov.vn/tphochiminh/noidung/thongbao/lists/thongbao/view_detail.aspx?itemid=531"


@pytest.mark.parametrize(
    "variant",
    [
        "https://thads.moj.gov.vn/tphochiminh/noidung/thongbao/lists/thongbao/view_detail.aspx?itemid=531",
        "http://thads.moj.gov.vn/tphochiminh/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=531",
        "https://thads.moj.gov.vn:443/tphochiminh/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=531",
        "https://THADS.MOJ.GOV.VN/TPHOCHIMINH/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=531#top",
        "https://thads.moj.gov.vn/tphochiminh/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?Source=x&ItemID=0531",
        "http://thads.moj.gov.vn:80/tphochiminh/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?itemid=531",
    ],
)
def test_canonical_url_variants_collapse(variant: str) -> None:
    assert canonical_thads_url(variant) == ITEM_531


def test_canonical_keeps_non_default_port() -> None:
    url = "http://127.0.0.1:8081/binhdinh/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=5"
    assert canonical_thads_url(url).startswith("https://127.0.0.1:8081/binhdinh/")


def test_canonical_list_page_keeps_sorted_lowercase_query_keys() -> None:
    url = "https://thads.moj.gov.vn/noidung/tintuc/Lists/TinTuDiaPhuong/View_Detail.aspx?Page=251&Date="
    assert canonical_thads_url(url) == (
        "https://thads.moj.gov.vn/noidung/tintuc/lists/tintudiaphuong/view_detail.aspx?date=&page=251"
    )


def test_canonical_attachment_path_encoding_is_normalised() -> None:
    encoded = "https://thads.moj.gov.vn/binhdinh/noidung/thongbao/Lists/ThongBao/Attachments/422/Lu%E1%BA%ADt-31-2024-QH15.pdf"
    raw = "https://thads.moj.gov.vn/binhdinh/noidung/thongbao/Lists/ThongBao/Attachments/422/Luật-31-2024-QH15.pdf"
    assert canonical_thads_url(encoded) == canonical_thads_url(raw)
    assert canonical_thads_url(encoded).endswith("/attachments/422/lu%E1%BA%ADt-31-2024-qh15.pdf")


@pytest.mark.parametrize("bad", ["/binhdinh/noidung/x.aspx", "ftp://thads.moj.gov.vn/x", "not a url"])
def test_canonical_rejects_non_absolute(bad: str) -> None:
    with pytest.raises(ValueError):
        canonical_thads_url(bad)


def test_item_key_provincial_lowercase_url() -> None:
    assert thads_item_key(ITEM_531) == ("tphochiminh", "thongbao", 531)


def test_item_key_mixed_case_and_http() -> None:
    url = "http://thads.moj.gov.vn/BinhDinh/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=422"
    assert thads_item_key(url) == ("binhdinh", "thongbao", 422)


def test_item_key_central_site_is_empty_slug() -> None:
    url = "https://thads.moj.gov.vn:443/noidung/tintuc/lists/chidaodieuhanh/view_detail.aspx?itemid=3950"
    assert thads_item_key(url) == ("", "chidaodieuhanh", 3950)


def test_item_key_from_attachment_url() -> None:
    url = "https://thads.moj.gov.vn/binhdinh/noidung/thongbao/Lists/ThongBao/Attachments/422/Lu%E1%BA%ADt-31-2024-QH15.pdf"
    assert thads_item_key(url) == ("binhdinh", "thongbao", 422)


def test_item_key_is_host_independent() -> None:
    url = "http://127.0.0.1:8081/soctrang/noidung/tintuc/Lists/ThongTinKhac/View_Detail.aspx?ItemID=87"
    assert thads_item_key(url) == ("soctrang", "thongtinkhac", 87)


def test_item_key_sharepoint_dispform() -> None:
    url = "https://thads.moj.gov.vn/longan/noidung/thongbao/Lists/ThongBao/DispForm.aspx?ID=9"
    assert thads_item_key(url) == ("longan", "thongbao", 9)


@pytest.mark.parametrize(
    "url",
    [
        "https://thads.moj.gov.vn/noidung/tintuc/Lists/TinTuDiaPhuong/View_Detail.aspx?Page=251",
        "https://thads.moj.gov.vn/noidung/thongbao/Pages/tbbc.aspx",
        "https://thads.moj.gov.vn/binhdinh/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=abc",
        "https://thads.moj.gov.vn/binhdinh/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?ItemID=99999999999",
        "http://[broken",
    ],
)
def test_item_key_none_for_non_items(url: str) -> None:
    assert thads_item_key(url) is None
