"""The review site as `auction-monitor serve` runs it, driven by a real headless Chromium (Playwright): an e-mail's
signed link opens the finding, the officer records a verdict and `review-report` counts it; without a link or a
session nothing is shown; hostile portal text runs nothing; phone-width screenshots of the list and a finding."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alerts.links import make_finding_link
from service.cli import app as cli_app
from alerts.settings import WebSettings
from site_db import ANALYST, OFFICER, PASSWORD, SECRET, build

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Chromium is not installed at {CHROMIUM} "
                                                            "(Debian package chromium)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def served(tmp: Path, *, hostile: bool = False):
    """`auction-monitor serve` on a fresh database under ``tmp``; yields (site, base URL, config file)."""
    site = build(tmp, hostile=hostile)
    port = _free_port()
    config = tmp / "am.toml"
    config.write_text(
        f'[web]\npublic_base_url = "http://127.0.0.1:{port}"\n\n'
        f'[[alerts.recipients]]\nname = "Cán bộ A"\nemail = "{OFFICER}"\nprovinces = ["Lâm Đồng"]\n', encoding="utf-8")
    exe = shutil.which("auction-monitor") or str(Path(sys.executable).with_name("auction-monitor"))
    env = {**os.environ, "AUCTION_MONITOR_WEB_SECRET": SECRET}
    proc = subprocess.Popen([exe, "--config", str(config), "--db", site.ctx.db_url, "serve", "--port", str(port),
                             "--evidence", str(tmp / "evidence")], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"serve did not start: {proc.stdout.read() if proc.poll() is not None else 'timeout'}")
            time.sleep(0.1)
        yield site, f"http://127.0.0.1:{port}", config
    finally:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        assert SECRET not in (out or ""), "the secret key was printed"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _confirmed(db_url: str, rule: str) -> int:
    res = CliRunner().invoke(cli_app, ["--db", db_url, "review-report"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.output.splitlines() if line.startswith("{")]
    return sum(r.get("confirmed", 0) for r in rows if r.get("rule") == rule)


def _non_blank(png: Path) -> None:
    from PIL import Image

    with Image.open(png) as im:
        assert im.width == PHONE["width"]
        colours = im.convert("RGB").resize((60, 60)).getcolors(3600)
        assert colours is None or len(colours) > 8, f"{png} looks blank"


def test_signed_link_read_verdict_report_and_screenshots(tmp_path, browser):
    with served(tmp_path) as (site, base, _config):
        link = make_finding_link(WebSettings(public_base_url=base), site.result_finding, OFFICER, secret=SECRET)
        assert _confirmed(site.ctx.db_url, "result_before_window_end") == 0
        ctx = browser.new_context(viewport=PHONE, device_scale_factor=1)
        page = ctx.new_page()
        page.goto(link)
        assert page.url == f"{base}/findings/{site.result_finding}"  # the token left the address bar
        body = page.inner_text("body")
        assert "Kết quả lựa chọn công bố trước khi hết hạn nhận hồ sơ" in body
        assert "1.800.000.000 đ" in body and "26/06/2026" in body and OFFICER in body
        page.screenshot(path=str(tmp_path / "finding-390.png"), full_page=True)
        page.fill("#note", "Đã đối chiếu với hồ sơ gốc")
        page.click("button[value=confirmed]")
        assert "Đã ghi nhận kết luận của bạn." in page.inner_text("body")
        assert _confirmed(site.ctx.db_url, "result_before_window_end") == 1
        page.click("button[value=false_positive]")  # a change of mind replaces, it does not add
        assert _confirmed(site.ctx.db_url, "result_before_window_end") == 0
        # the link opens that finding only
        page.goto(f"{base}/findings/{site.lot_finding}")
        assert page.url.startswith(f"{base}/login") and "Thiếu số thửa" not in page.content()
        ctx.close()

        analyst = browser.new_context(viewport=PHONE, device_scale_factor=1)
        page = analyst.new_page()
        page.goto(f"{base}/findings")
        page.fill("#name", ANALYST)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        assert page.url == f"{base}/findings" and "3 phát hiện" in page.inner_text("body")
        page.screenshot(path=str(tmp_path / "list-390.png"))
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
        page.goto(f"{base}/findings/{site.lot_finding}")
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        analyst.close()
        for png in ("finding-390.png", "list-390.png"):
            _non_blank(tmp_path / png)


def test_no_link_no_session_no_data(tmp_path, browser):
    with served(tmp_path) as (site, base, _config):
        ctx = browser.new_context()
        page = ctx.new_page()
        for path in ("/findings", f"/findings/{site.result_finding}",
                     f"/findings/{site.result_finding}/evidence/{site.response_sha}"):
            page.goto(base + path)
            assert page.url.startswith(f"{base}/login"), path
            assert "Minh Họa" not in page.content() and "990001" not in page.content()
        response = page.goto(f"{base}/l/not-a-valid-token")
        assert response.status == 403 and "không hợp lệ" in page.inner_text("body")
        api = ctx.request
        r = api.get(f"{base}/findings/{site.result_finding}", max_redirects=0)
        assert r.status == 302 and "Minh Họa" not in r.text()
        r = api.post(f"{base}/findings/{site.result_finding}/verdict", form={"verdict": "confirmed"})
        assert r.status in (400, 403) and "Minh Họa" not in r.text()
        assert _confirmed(site.ctx.db_url, "result_before_window_end") == 0
        ctx.close()


def test_hostile_portal_text_runs_nothing_in_the_browser(tmp_path, browser):
    with served(tmp_path, hostile=True) as (site, base, _config):
        ctx = browser.new_context(viewport=PHONE)
        page = ctx.new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{base}/login")
        page.fill("#name", ANALYST)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        paths = ["/findings", *(f"/findings/{f}" for f in (site.result_finding, site.lot_finding, site.chain_finding)),
                 f"/findings/{site.result_finding}/evidence/{site.response_sha}",
                 f"/findings/{site.lot_finding}/evidence/{site.attachment_sha}"]
        for path in paths:
            page.goto(base + path)
            assert "PWNED" not in page.title(), path
            assert page.locator("script, img, iframe").count() == 0, path
            hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
            assert all(h.startswith((base + "/", "https://dgts.moj.gov.vn/", "https://thads.moj.gov.vn/"))
                       for h in hrefs), (path, hrefs)
            assert "<script>document.title" in page.inner_text("body"), path  # shown as text
        assert dialogs == []
        assert page.context.cookies()[0]["name"] == "am_session" and len(page.context.cookies()) == 1
        ctx.close()
