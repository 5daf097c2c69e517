"""Tests for crawler.attachments: hostile names, type sniffing and sandboxed extraction of files built here."""

from __future__ import annotations

import io
import shutil
import subprocess
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler import attachments
from crawler.attachments import ExtractResult, extract_text, normalize_text, safe_attachment_name, safe_join, sniff_kind
from crawler.textextract import sandbox
from crawler.textextract.rtf import rtf_to_text
from crawler.textextract.zipguard import ZipBombError, ZipLimits, check_zip

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT = FONT_DIR / "DejaVuSans.ttf"
needs_font = pytest.mark.skipif(not FONT.exists(), reason="DejaVuSans.ttf missing: apt-get install fonts-dejavu-core")

HEADING = "THÔNG BÁO ĐẤU GIÁ QUYỀN SỬ DỤNG ĐẤT"
PARCEL = "Thửa đất số 123, tờ bản đồ số 45, diện tích 150,5 m², xã Nhơn Hội, tỉnh Bình Định."
CHALLENGE_HTML = (
    b"<!DOCTYPE html><html><head><title>Just a moment...</title>"
    b"<script>var secret = 'challenge-token';</script></head>"
    b"<body><p>Vui l\xc3\xb2ng ch\xe1\xbb\x9d trong gi\xc3\xa2y l\xc3\xa1t</p></body></html>"
)


def _tesseract_vie_missing() -> str | None:
    if shutil.which("tesseract") is None:
        return "tesseract not installed (apt-get install tesseract-ocr)"
    if shutil.which("pdftoppm") is None:
        return "pdftoppm not installed (apt-get install poppler-utils)"
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout.split()
    return None if "vie" in langs else "Vietnamese model missing (apt-get install tesseract-ocr-vie)"


needs_ocr = pytest.mark.skipif(_tesseract_vie_missing() is not None, reason=str(_tesseract_vie_missing()))


# ---------- file builders ----------

def make_text_pdf(pages: list[list[str]]) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVuSans", str(FONT)))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    for lines in pages:
        pdf.setFont("DejaVuSans", 12)
        for row, line in enumerate(lines):
            pdf.drawString(60, 780 - 20 * row, line)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def make_scan_image():
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT), 44)
    page = Image.new("L", (1654, 2339), 255)  # A4 at 200 dpi
    draw = ImageDraw.Draw(page)
    lines = ["THÔNG BÁO ĐẤU GIÁ TÀI SẢN", "Quyền sử dụng thửa đất số 127,", "tờ bản đồ số 45, diện tích 312,5 m2",
             "tại xã Nhơn Hội, tỉnh Bình Định."]
    for row, line in enumerate(lines):
        draw.text((120, 200 + 90 * row), line, font=font, fill=0)
    return page


def make_scan_pdf() -> bytes:
    buffer = io.BytesIO()
    make_scan_image().save(buffer, "PDF", resolution=200.0)
    return buffer.getvalue()


def make_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(HEADING, level=1)
    document.add_paragraph("Tài sản đấu giá gồm các thửa sau:")
    table = document.add_table(rows=3, cols=3)
    for row, values in enumerate([("Thửa số", "Tờ bản đồ", "Diện tích (m²)"), ("123", "45", "150,5"),
                                  ("124", "45", "98,0")]):
        for col, value in enumerate(values):
            table.cell(row, col).text = value
    document.add_paragraph("Giá khởi điểm: 1.250.000.000 đồng.")
    document.sections[0].header.paragraphs[0].text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def make_zip_bomb(inflated: int = 60_000_000) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", b"<w:t>" + b"A" * inflated + b"</w:t>")
    return buffer.getvalue()


# ---------- names ----------

@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..%2F..%2Fx.pdf", "x.pdf"),
        ("C:\\evil\\a.doc", "a.doc"),
        ("%00", "attachment"),
        ("a%00b.pdf", "ab.pdf"),
        ("CON.pdf", "attachment.pdf"),
        ("nul", "attachment"),
        ("com1.tar.gz", "attachment.gz"),
        ("Lu%E1%BA%ADt-31-2024-QH15.pdf", "Luật-31-2024-QH15.pdf"),
        ("TB 0101A.01.02.pdf", "TB 0101A.01.02.pdf"),
        ("03. QC TS01.doc", "03. QC TS01.doc"),
        ("3. THÔNG BÁO ĐẤU GIÁ.docx", "3. THÔNG BÁO ĐẤU GIÁ.docx"),
        ("--rf .pdf", "rf.pdf"),
        (".htaccess", "attachment.htaccess"),
        ("...pdf", "attachment.pdf"),
        ("a..b.pdf", "a.b.pdf"),
        ('a<b>:c"d|e?f*.pdf', "a_b__c_d_e_f_.pdf"),
        ("%E1%BAx%zz.pdf", "_x%zz.pdf"),
        ("%252e%252e%252fx.pdf", "%2e%2e%2fx.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("tab\tand\nnewline.doc", "tabandnewline.doc"),
        ("", "attachment"),
        ("/", "attachment"),
    ],
)
def test_safe_attachment_name(raw: str, expected: str) -> None:
    assert safe_attachment_name(raw) == expected


def test_safe_attachment_name_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", "Quyết định.pdf")
    assert safe_attachment_name(decomposed) == unicodedata.normalize("NFC", "Quyết định.pdf")


def test_safe_attachment_name_trims_bytes_keeping_extension() -> None:
    name = safe_attachment_name("Đ" * 300 + ".pdf")
    assert len(name.encode("utf-8")) <= 150
    assert name.endswith(".pdf") and name.startswith("ĐĐ")
    assert set(name[:-4]) == {"Đ"}


def test_safe_attachment_name_custom_max_len() -> None:
    name = safe_attachment_name("x" * 300 + ".docx", max_len=40)
    assert name == "x" * 35 + ".docx"


def test_safe_attachment_name_rejects_tiny_max_len() -> None:
    with pytest.raises(ValueError):
        safe_attachment_name("a.pdf", max_len=3)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_safe_attachment_name_properties(tmp_path_factory, raw: str) -> None:
    name = safe_attachment_name(raw)
    assert name and len(name.encode("utf-8")) <= 150
    assert not any(ch in name for ch in '/\\\x00<>:"|?*')
    assert not name.startswith((".", "-")) and ".." not in name
    folder = tmp_path_factory.getbasetemp()
    assert safe_join(folder, name).parent == folder.resolve()


def test_safe_join_inside(tmp_path: Path) -> None:
    assert safe_join(tmp_path, "a.pdf") == tmp_path.resolve() / "a.pdf"


@pytest.mark.parametrize("name", ["../x.pdf", "/etc/passwd", "", ".", "a/../../x", "a\x00b"])
def test_safe_join_refuses_escape(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        safe_join(tmp_path, name)


def test_safe_join_refuses_symlink_escape(tmp_path: Path) -> None:
    (tmp_path / "link.pdf").symlink_to("/etc/hostname")
    with pytest.raises(ValueError):
        safe_join(tmp_path, "link.pdf")


# ---------- sniffing ----------

@needs_font
def test_sniff_real_formats() -> None:
    assert sniff_kind(make_text_pdf([["x"]]), "a.doc") == "pdf"
    assert sniff_kind(make_docx(), "a.pdf") == "docx"


@pytest.mark.parametrize(
    ("data", "name", "kind"),
    [
        (CHALLENGE_HTML, "TB 0101A.01.02.pdf", "html"),
        (b"\n\n  <html><body>x</body></html>", "a.docx", "html"),
        (b"\xef\xbb\xbf<!doctype html><p>x", "a.pdf", "html"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "x.bin", "doc"),
        (b"{\\rtf1\\ansi x}", "DANGTIN TB2491.doc", "doc"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "scan.pdf", "image"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "scan", "image"),
        (b"\x8f\x01garbage\x00\x00\xff", "broken.pdf", "pdf"),
        (b"\x8f\x01garbage\x00\x00\xff", "broken.bin", "unknown"),
        ("Thửa đất số 12".encode(), "note", "text"),
        (b"BMW X5 for sale", "ad", "text"),
    ],
)
def test_sniff_kind(data: bytes, name: str, kind: str) -> None:
    assert sniff_kind(data, name) == kind


def test_sniff_plain_zip() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "x")
    assert sniff_kind(buffer.getvalue(), "files.zip") == "zip"


# ---------- extraction ----------

@needs_font
def test_pdf_text_layer_vietnamese() -> None:
    result = extract_text(make_text_pdf([[HEADING, PARCEL]]), "Lu%E1%BA%ADt.pdf")
    assert (result.status, result.method, result.pages, result.error) == ("ok", "pypdf", 1, None)
    assert HEADING in result.text and PARCEL in result.text


@needs_font
def test_pdf_max_pages_is_reported() -> None:
    result = extract_text(make_text_pdf([[HEADING, PARCEL], ["Trang hai: " + PARCEL]]), "a.pdf", max_pages=1)
    assert result.pages == 2 and "Trang hai" not in result.text
    assert "first 1 of 2 pages" in (result.error or "")


@needs_font
def test_max_chars_truncates() -> None:
    result = extract_text(make_text_pdf([[HEADING, PARCEL]]), "a.pdf", max_chars=20)
    assert result.text == HEADING[:20]
    assert "truncated" in (result.error or "")


@needs_font
def test_docx_paragraphs_and_table_in_order() -> None:
    result = extract_text(make_docx(), "3. THÔNG BÁO ĐẤU GIÁ.docx")
    assert (result.status, result.method) == ("ok", "python-docx")
    lines = result.text.splitlines()
    assert lines[0] == HEADING
    assert lines.index("Thửa số | Tờ bản đồ | Diện tích (m²)") < lines.index("123 | 45 | 150,5")
    assert lines.index("Giá khởi điểm: 1.250.000.000 đồng.") > lines.index("124 | 45 | 98,0")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in lines


@needs_font
@needs_ocr
def test_scanned_pdf_is_ocred() -> None:
    result = extract_text(make_scan_pdf(), "scan.pdf")
    assert (result.status, result.method, result.pages) == ("ocr", "pypdf+tesseract", 1)
    lowered = result.text.lower()
    assert "thửa đất" in lowered and "127" in result.text and "bình định" in lowered


@needs_font
@needs_ocr
def test_image_is_ocred() -> None:
    buffer = io.BytesIO()
    make_scan_image().save(buffer, "PNG")
    result = extract_text(buffer.getvalue(), "scan.png")
    assert (result.status, result.method) == ("ocr", "tesseract")
    assert "thửa đất" in result.text.lower() and "312,5" in result.text


@needs_font
@needs_ocr
def test_ocr_page_count_is_bounded() -> None:
    from PIL import Image

    first = make_scan_image()
    blank = Image.new("L", first.size, 255)
    buffer = io.BytesIO()
    first.save(buffer, "PDF", resolution=200.0, save_all=True, append_images=[blank, blank])
    result = extract_text(buffer.getvalue(), "three.pdf", max_ocr_pages=1)
    # two scanned pages were never read: what the file does not say may be on them
    assert result.status == "partial" and result.pages == 3
    assert "OCR limited to 1 of 3 scanned pages" in (result.error or "")
    assert "2 scanned page(s) without text were not read by OCR" in (result.error or "")
    assert "127" in result.text


@needs_font
def test_scanned_pdf_without_ocr_is_partial_not_empty() -> None:
    # an unread scan may hold anything: it is "partial" (not read), never "empty" (read, and nothing in it)
    result = extract_text(make_scan_pdf(), "scan.pdf", ocr=False)
    assert result.status == "partial" and "scanned" in (result.error or "") and "OCR is disabled" in result.error


def test_zip_bomb_docx_is_refused_quickly() -> None:
    started = time.monotonic()
    result = extract_text(make_zip_bomb(), "bomb.docx")
    assert result.status == "too_large" and "ratio" in (result.error or "")
    assert time.monotonic() - started < 15


@needs_font
def test_docx_total_size_limit() -> None:
    result = extract_text(make_docx(), "a.docx", max_unzipped_bytes=1000)
    assert result.status == "too_large" and "inflates to more than 1000" in (result.error or "")


def test_check_zip_counts_entries(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for index in range(12):
            archive.writestr(f"f{index}.xml", "x")
    assert check_zip(path, ZipLimits()) == 12
    with pytest.raises(ZipBombError):
        check_zip(path, ZipLimits(max_entries=10))


@needs_font
def test_truncated_pdf_fails_with_error() -> None:
    result = extract_text(make_text_pdf([[HEADING]])[:120], "cut.pdf")
    assert result.status == "failed" and result.error


def test_garbage_pdf_fails_with_error() -> None:
    result = extract_text(b"%PDF-1.7\n" + bytes(range(256)) * 20, "garbage.pdf")
    assert result.status == "failed" and result.error


def test_oversized_input_is_not_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_child(*args, **kwargs):
        raise AssertionError("a worker was started for an oversized file")

    monkeypatch.setattr(sandbox.subprocess, "Popen", no_child)
    result = extract_text(b"%PDF-1.7\n" + b"0" * 2000, "big.pdf", max_bytes=1000)
    assert result == ExtractResult("", "none", "too_large", "attachment is 2009 bytes; limit is 1000", None)


def test_html_saved_as_pdf() -> None:
    result = extract_text(CHALLENGE_HTML, "TB 0101A.01.02.pdf")
    assert (result.status, result.method) == ("ok", "html")
    assert "Vui lòng chờ trong giây lát" in result.text and "challenge-token" not in result.text


@needs_font
def test_tiny_timeout() -> None:
    started = time.monotonic()
    result = extract_text(make_text_pdf([[HEADING]]), "a.pdf", timeout_s=0.01)
    assert result.status == "timeout" and "0.01" in (result.error or "")
    assert time.monotonic() - started < 5


@needs_font
@needs_ocr
def test_scanned_pdf_without_time_for_ocr_is_timeout() -> None:
    # Every path (killed, budget gone before page 1, or OCR skipped for lack of time) must say 'timeout', not 'empty'.
    result = extract_text(make_scan_pdf(), "scan.pdf", timeout_s=0.6)
    assert result.status == "timeout" and result.error


def test_memory_limit_gives_clear_status() -> None:
    result = extract_text(("Thửa đất số 1 " * 1_000_000).encode(), "big.txt", max_memory_mb=120)
    assert result.status == "failed" and "memory" in (result.error or "").lower()


def test_plain_text_is_normalised() -> None:
    raw = unicodedata.normalize("NFD", "  Thửa\t đất\u00a0số 12 \r\n\r\n\r\nDiện tích  ").encode()
    result = extract_text(raw, "note.txt")
    assert (result.status, result.text) == ("ok", "Thửa đất số 12\n\nDiện tích")


def test_plain_text_cp1258() -> None:
    result = extract_text(b"Th\xfd\xd2a \xf0\xe2\xect s\xf4\xec 12", "note.txt")
    assert result.text == "Thửa đất số 12"


def test_whitespace_only_text_is_empty() -> None:
    assert extract_text(b" \n\t \n", "blank.txt").status == "empty"
    assert extract_text(b"", "zero.pdf").status == "empty"


def test_unsupported_kinds() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "x")
    assert extract_text(buffer.getvalue(), "files.zip").status == "unsupported"
    assert extract_text(b"\x8f\x01\x00\xff" * 10, "blob.bin").status == "unsupported"
    assert extract_text(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "x.png", ocr=False).status == "unsupported"


def test_rtf_disguised_as_doc() -> None:
    rtf = (
        b"{\\rtf1\\ansi\\ansicpg1258\\uc1{\\fonttbl{\\f0 Times New Roman;}}{\\*\\generator Word;}"
        b"\\pard Th\\u7917?a \\'f0\\u7845?t s\\u7889? 12\\par "
        b"Di\\u7879?n t\\'edch: 150 m\\u178?\\par}"
    )
    result = extract_text(rtf, "DANGTIN TB2491.doc")
    assert (result.status, result.method) == ("ok", "rtf")
    assert result.text == "Thửa đất số 12\nDiện tích: 150 m²"


def test_rtf_rejects_non_rtf() -> None:
    with pytest.raises(ValueError):
        rtf_to_text(b"plain")


@pytest.mark.skipif(shutil.which("antiword") is None, reason="antiword not installed")
def test_doc_converter_error_is_reported() -> None:
    # No LibreOffice here to author a real .doc: an OLE2 file that is not Word exercises antiword's error path.
    result = extract_text(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "DANGTIN.doc")
    assert result.status == "failed" and "antiword" in (result.error or "")


def test_doc_without_converter_is_unsupported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = extract_text(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "old.doc")
    assert result.status == "unsupported" and "antiword" in (result.error or "")


def test_child_environment_is_scrubbed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SMTP_PASSWORD", "hunter2")
    env = sandbox._child_env(tmp_path)
    assert "SMTP_PASSWORD" not in env and env["HOME"] == str(tmp_path)


def test_invalid_ocr_lang_is_rejected() -> None:
    with pytest.raises(ValueError):
        extract_text(b"hello", "a.txt", ocr_lang="vie; rm -rf /")


def test_normalize_text_collapses_lines() -> None:
    assert normalize_text("a\u200b  b\x07\n\n\n\n c \f d") == "a b\n\nc\nd"


def test_public_api_exports() -> None:
    assert set(attachments.__all__) >= {"safe_attachment_name", "safe_join", "sniff_kind", "extract_text",
                                        "ExtractResult"}
