"""Hostile attachment names and zip/PDF bombs through the THADS crawl path (the simulator serves them on
127.0.0.1, the spider downloads them, ingest records them, text extraction parses them): every local name is one
safe path component, nothing is written outside the evidence store, the bombs cost a bounded time and a failed
row each, and the harmless attachment next to them is read. The notices and attachments are MADE UP."""

from __future__ import annotations

import base64
import io
import json
import time
import unicodedata
import zipfile
import zlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from am_testing import crawl_thads, make_app_context
from badinput_helpers import fresh_context, new_folder, next_id, thads_notice
from crawler.attachment_text import extract_pending
from crawler.attachments import safe_join
from crawler.dataset_import import import_dataset
from crawler.simulator import PortalSimulator
from storage.evidence import sha256_hex
from storage.models import Attachment, ThadsNotice

CLOCK = "2026-06-20T12:00:00+07:00"
EXTRACT_TIMEOUT_S = 15.0

HOSTILE_NAMES = [
    "../../../../etc/passwd.pdf", "..\\..\\windows\\system32\\evil.pdf", "/etc/shadow.pdf", "CON.pdf", "nul.docx",
    "a\r\nContent-Type: text/html\r\n.pdf", "x" * 3000 + ".pdf", "%2e%2e%2f%2e%2e%2fsecret.pdf", "\u202egpj.exe.pdf",
    "<script>alert(1)</script>.pdf", ".hidden.pdf", "   .pdf", "-rf .pdf", "tệp đính kèm (dữ liệu giả lập).pdf",
    "a/b/c.docx", "\x1b[31mred.pdf", "file:C:\\x.pdf", "?*<>|\".pdf",
]


def text_pdf(text: str) -> bytes:
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    c.drawString(72, 720, text)
    c.showPage()
    c.save()
    return buf.getvalue()


def pdf(objects: list[bytes]) -> bytes:
    """A PDF with a correct cross-reference table from numbered object bodies (object i+1 = objects[i])."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def page_tree_bomb(pages: int = 200_000) -> bytes:
    """One page referenced hundreds of thousands of times."""
    content = b"BT /F1 12 Tf 72 712 Td (bomb) Tj ET"
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [" + b"3 0 R " * pages + b"] /Count %d >>" % pages,
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
                b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"])


def flate_bomb(inflated: int = 300_000_000) -> bytes:
    """A content stream of a few hundred kilobytes that inflates to hundreds of megabytes."""
    packed = zlib.compress(b"0 0 m " * (inflated // 6), 9)
    return pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
                b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream"])


def zip_bomb_docx(inflated: int = 150_000_000) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", b"<w:t>" + b"A" * inflated + b"</w:t>")
    return buf.getvalue()


def attachment(name: str, data: bytes, content_type: str = "application/pdf") -> dict:
    return {"name": name, "content_type": content_type, "content_b64": base64.b64encode(data).decode()}


def served_notices() -> list[dict]:
    harmless = text_pdf("Thong bao lua chon to chuc dau gia tai san thi hanh an so 45 (du lieu gia lap)")
    docs = []
    for i, chunk in enumerate([HOSTILE_NAMES[:9], HOSTILE_NAMES[9:]]):
        doc = thads_notice(300 + i)
        doc["attachments"] = [attachment(name, harmless) for name in chunk]
        docs.append(doc)
    bombs = thads_notice(310)
    bombs["attachments"] = [attachment("pages.pdf", page_tree_bomb()), attachment("flate.pdf", flate_bomb()),
                            attachment("bomb.docx", zip_bomb_docx(), "application/vnd.openxmlformats-officedocument"
                                                                      ".wordprocessingml.document"),
                            attachment("ok.pdf", harmless)]
    docs.append(bombs)
    for d in docs:
        d.pop("url")
    return docs


def assert_safe_local_name(name: str, folder: Path) -> None:
    assert name and name not in (".", "..") and not name.startswith((".", "-", " "))
    assert not any(c in name for c in '/\\\x00<>:"|?*')
    assert not any(unicodedata.category(c).startswith("C") for c in name)
    assert len(name.encode("utf-8")) <= 150
    assert safe_join(folder, name).parent == folder.resolve()


def test_hostile_names_and_bombs_through_the_thads_crawl(tmp_path):
    ctx = make_app_context(tmp_path, **{"attachments.timeout_s": EXTRACT_TIMEOUT_S})
    before = {p for p in tmp_path.parent.rglob("*")}
    with PortalSimulator(served_notices(), clock=CLOCK) as sim:
        (run,) = crawl_thads(ctx, sim, ["binhdinh"], full=True)
    assert run["status"] == "complete", run

    with ctx.session() as s:
        rows = list(s.scalars(select(Attachment).order_by(Attachment.id)))
        assert s.scalar(select(func.count()).select_from(ThadsNotice)) == 3
    assert len(rows) == len(HOSTILE_NAMES) + 4  # every attachment recorded once, whatever its name
    for row in rows:
        assert_safe_local_name(row.file_name, tmp_path)
        if row.original_name.lower().endswith((".pdf", ".doc", ".docx")):
            assert row.sha256 and ctx.evidence.get(row.sha256)  # its bytes are in the store, under their hash
        else:  # a name cut short by the page parser lost its extension: recorded, not downloaded
            assert row.sha256 is None and row.text_status == "skipped"
    assert {r.original_name for r in rows} >= {"ok.pdf", "pages.pdf", "flate.pdf", "bomb.docx", "CON.pdf"}

    started = time.monotonic()
    counts = extract_pending(ctx.session, ctx.evidence, max_bytes=ctx.settings.attachments.max_bytes,
                             timeout_s=EXTRACT_TIMEOUT_S, ocr=False)
    elapsed = time.monotonic() - started
    assert elapsed < 3 * EXTRACT_TIMEOUT_S + 60, f"extraction took {elapsed:.0f} s"
    with ctx.session() as s:
        by_name = {a.original_name: a for a in s.scalars(select(Attachment))}
    for name in ("pages.pdf", "flate.pdf", "bomb.docx"):
        a = by_name[name]
        assert a.text_status in ("failed", "timeout", "too_large", "empty") or len(a.text or "") < 10_000, \
            (name, a.text_status, a.error)
    bomb = by_name["bomb.docx"]
    assert bomb.text_status in ("failed", "too_large") and "inflate" in (bomb.error or "").lower(), bomb.error
    assert by_name["ok.pdf"].text_status == "ok" and "du lieu gia lap" in by_name["ok.pdf"].text
    assert counts.get("ok", 0) >= 1

    # nothing was written outside the database, the evidence store and the outbox of this test
    after = {p for p in tmp_path.parent.rglob("*")} - before
    for p in after:
        assert p.resolve().is_relative_to(ctx.evidence.root.resolve()) or p.name.startswith("db.sqlite"), p
    for p in ctx.evidence.root.rglob("*"):
        if p.is_file():
            assert p.name == sha256_hex(p.read_bytes())


names = st.one_of(
    st.text(min_size=0, max_size=300),
    st.text(alphabet=st.sampled_from(list("./\\:*?\"<>|%\x00\r\n\u202e -_aĐ~")), max_size=60),
    st.builds(lambda a, b: a + b, st.text(max_size=5000), st.sampled_from([".pdf", ".docx", ".doc", ""])),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.lists(names, min_size=1, max_size=6))
def test_any_attachment_names_are_recorded_once_with_a_safe_local_name(tmp_path, raw_names):
    ctx = fresh_context(new_folder(tmp_path))
    doc = thads_notice(next_id() % 1_000_000)
    doc["attachments"] = [attachment(n, n.encode("utf-8", "surrogatepass")[:50] or b"-") for n in raw_names]
    data = new_folder(tmp_path) / "thads.jsonl"
    data.write_text(json.dumps(doc, ensure_ascii=True) + "\n", encoding="utf-8")
    for _ in range(2):  # twice: the second import must not add rows
        summary = import_dataset(ctx.session, ctx.evidence, [data])
        assert summary["errors"] == []
    from crawler.ingest import ingest_document, without_nul
    from storage.timeutil import utcnow

    with ctx.session() as s:  # and a forced rebuild of the typed rows neither
        ingest_document(s, doc, run=None, at=utcnow(), evidence=ctx.evidence, force_apply=True)
    with ctx.session() as s:
        rows = list(s.scalars(select(Attachment)))
    expected = {without_nul(n)[:300] for n in raw_names if without_nul(n)}
    assert {r.file_key for r in rows} == expected and len(rows) == len(expected)
    for r in rows:
        assert_safe_local_name(r.file_name, tmp_path)
