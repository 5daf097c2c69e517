"""The HTML e-mail rendered by a real headless Chromium at phone width: a non-blank screenshot, and the
portal's <script> shown as inert text in the DOM."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import struct
import subprocess
import zlib

import pytest

from alerts.compose import compose_finding
from alerts.settings import AlertSettings
from storage.models import Finding

CHROMIUM = "/usr/bin/chromium"
EVIL = "<script>document.title='PWNED'</script><img src=x onerror=alert(1)>"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (os.path.exists(CHROMIUM) or shutil.which("chromium")), reason="chromium not installed"),
]


def chromium(tmp_path, *args: str) -> subprocess.CompletedProcess:
    cmd = [CHROMIUM if os.path.exists(CHROMIUM) else shutil.which("chromium"), "--headless", "--no-sandbox",
           "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}", "--window-size=412,900", *args]
    return subprocess.run(cmd, capture_output=True, timeout=90)


def png_pixels(path) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes) into rows of raw pixel bytes."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, color, *_ = header
    assert depth == 8 and color in (2, 6)
    bpp = 3 if color == 2 else 4
    raw, stride, rows, prev = zlib.decompress(idat), width * bpp, [], bytearray(width * bpp)
    for y in range(height):
        ftype, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line))
        prev = line
    return width, height, rows


@pytest.fixture()
def mail_file(tmp_path):
    now = dt.datetime(2026, 7, 1, 1, 0, tzinfo=dt.timezone.utc)
    finding = Finding(id=9, detector="premature_scoring", rule="scored_before_deadline", subject_kind="selection_result",
                      subject_id="9", status="flag", severity="high", title=f"Chấm điểm sớm {EVIL}",
                      evidence={"window_end": "2026-06-20", "decision_date": "2026-06-18", "ghi chú": EVIL},
                      evidence_hash="h", urls=["https://dgts.moj.gov.vn/portal/x/9"], legal_basis="TT 02/2022",
                      owner_name="Cục THADS tỉnh Trà Vinh", province="vinh-long", first_seen=now, last_seen=now)
    path = tmp_path / "mail.html"
    path.write_text(compose_finding(finding, "new", AlertSettings()).body_html, encoding="utf-8")
    return path


def test_screenshot_at_phone_width_is_not_blank(tmp_path, mail_file):
    png = tmp_path / "mail.png"
    chromium(tmp_path, f"--screenshot={png}", mail_file.as_uri())
    assert png.exists() and png.stat().st_size > 1000
    width, height, rows = png_pixels(png)
    assert (width, height) == (412, 900)
    distinct = {row[i:i + 3] for row in rows[::10] for i in range(0, len(row), 3 * 7)}
    assert len(distinct) > 20  # text, badge and table colours, not one flat colour


def test_dom_shows_script_as_text_and_runs_nothing(tmp_path, mail_file):
    result = chromium(tmp_path, "--dump-dom", mail_file.as_uri())
    dom = result.stdout.decode("utf-8")
    assert "Chấm điểm sớm" in dom
    assert "&lt;script&gt;document.title='PWNED'&lt;/script&gt;" in dom
    assert "<script" not in dom and "<img" not in dom and "PWNED</title>" not in dom
