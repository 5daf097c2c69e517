"""Hostile portal text (script tags, event handlers, ``javascript:`` links, CRLF) in every finding, evidence and
record field stays inert on every page of the review site: escaped in the HTML, never an element or a link."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from site_db import build, client, login

SCRIPTY_ATTRS = ("onerror", "onload", "onclick", "onmouseover", "srcdoc", "formaction")


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_inert(html: str, where: str) -> None:
    parser = _Elements()
    parser.feed(html)
    tags = {t for t, _ in parser.tags}
    assert not tags & {"script", "img", "iframe", "object", "embed", "svg", "base", "style"}, (where, tags)
    for tag, attrs in parser.tags:
        assert not any(a in attrs for a in SCRIPTY_ATTRS), (where, tag, attrs)
        if tag == "meta":
            assert set(attrs) <= {"charset", "name", "content"}, (where, attrs)
        for name in ("href", "src", "action"):
            value = (attrs.get(name) or "").strip().lower()
            if value:
                assert value.startswith(("/", "#", "https://dgts.moj.gov.vn/", "https://thads.moj.gov.vn/")), \
                    (where, tag, name, value)


@pytest.fixture
def hostile_site(tmp_path):
    return build(tmp_path, hostile=True)


def test_hostile_text_is_escaped_on_every_page(hostile_site):
    site = hostile_site
    _, c = client(site)
    assert_inert(c.get("/login").get_data(as_text=True), "login")
    login(c)
    pages = {"list": "/findings", "list filtered": "/findings?owner=%3Cscript%3E&organisation=%22%3E%3Cimg"}
    for fid in (site.result_finding, site.lot_finding, site.chain_finding):
        pages[f"finding {fid}"] = f"/findings/{fid}"
    pages["raw response"] = f"/findings/{site.result_finding}/evidence/{site.response_sha}"
    pages["attachment"] = f"/findings/{site.lot_finding}/evidence/{site.attachment_sha}"
    c.post(f"/findings/{site.result_finding}/verdict",
           data={"verdict": "confirmed", "note": "<script>alert(1)</script>\r\nX-Injected: 1"})
    seen_escaped = 0
    for where, path in pages.items():
        r = c.get(path)
        assert r.status_code == 200, where
        html = r.get_data(as_text=True)
        assert_inert(html, where)
        assert "\r\n" not in "".join(f"{k}: {v}" for k, v in r.headers.items())
        seen_escaped += "&lt;script&gt;document.title=" in html
    assert seen_escaped == len(pages) - 1  # every page but the filtered list shows the portal text, escaped
    # the portal's own links survive, the others are not links
    page = c.get(f"/findings/{site.result_finding}").get_data(as_text=True)
    assert 'href="https://dgts.moj.gov.vn/thong-bao-ket-qua-lua-chon' in page
    assert "evil.example" not in page and "127.0.0.1:9" not in page
