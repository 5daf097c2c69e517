"""Deterministic generator of the MADE-UP demo records (dgts selection notices and results, dgts auction notices,
THADS notices) and of their PDF attachments.

    python -m service.demo_data.build_demo            # rewrites service/demo_data/made_up_*.jsonl
    python -m service.demo_data.build_demo --out DIR  # writes them to DIR instead

Every record is built from the fixed tables below: no clock, no randomness, so two runs give the same bytes (the
PDFs too: ReportLab runs in invariant mode and the scanned PDF is written here byte by byte). Each record belongs to
a `Scenario` that names the detector rule it should trigger or, for the clean ones, should not; `SCENARIOS` is
filled by `build_documents()` and README.md describes the same list for people.

Ids cannot collide with real portal ids: selection notices 900001+, selection results 990001+, auction notices
9000001+ (real auction notices are below 600000; real selection notices and results seen so far are near 106000 and
63000), THADS items 9101+. Times are epoch ms in ICT, selection
windows at local midnight (the end day is inclusive, as on the portal).
"""

from __future__ import annotations

import argparse
import base64
import html
import io
import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from storage.kinds import RecordKind
from vntext.workdays import holiday_name, next_working_day

ICT = ZoneInfo("Asia/Ho_Chi_Minh")
LABEL = " (dữ liệu giả lập)"
BODY_NOTE = "(Dữ liệu giả lập dùng cho bản trình diễn của auction-monitor, không phải thông báo thật.)"
DEFAULT_OUT = Path(__file__).resolve().parent
SELECTION_FILE = "made_up_selection_2026.jsonl"
THADS_FILE = "made_up_thads_2026.jsonl"
AUCTION_FILE = "made_up_auctions_2026.jsonl"
AUCTION_TITLE = "Thông báo việc đấu giá đối với danh mục tài sản: "
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/local/share/fonts/DejaVuSans.ttf",
)

TYPE_NAMES = {
    173: "Tài sản là quyền sử dụng đất theo quy định của pháp luật về đất đai",
    174: "Tài sản bảo đảm theo quy định của pháp luật về giao dịch bảo đảm",
    176: "Tài sản nhà nước theo quy định của pháp luật về quản lý, sử dụng tài sản nhà nước",
    178: "Tài sản thi hành án theo quy định của pháp luật về thi hành án dân sự",
    180: ("Tài sản là tang vật, phương tiện vi phạm hành chính bị tịch thu sung quỹ nhà nước, tài sản kê biên để bảo "
          "đảm thi hành quyết định xử phạt vi phạm hành chính theo quy định của pháp luật về xử lý vi phạm hành chính"),
    326: "Tài sản thuộc sở hữu của cá nhân, tổ chức",
}


# ---------------------------------------------------------------------------------------------------------------
# Time and number helpers
# ---------------------------------------------------------------------------------------------------------------

def day(text: str) -> date:
    return date.fromisoformat(text)


def at(day_text: str, clock: str = "00:00:00", millis: int = 0) -> int:
    """Epoch ms of an ICT wall time ("2026-06-18", "09:12:07")."""
    moment = datetime.fromisoformat(f"{day_text}T{clock}").replace(tzinfo=ICT)
    return int(moment.timestamp()) * 1000 + millis


def midnight(value: date) -> int:
    return at(value.isoformat())


def iso(value: date, clock: str) -> str:
    return f"{value.isoformat()}T{clock}+07:00"


def vn_day(value: date) -> str:
    """"09/6/2026": the way notice texts write dates."""
    return f"{value.day:02d}/{value.month}/{value.year}"


def vnd(amount: int) -> str:
    """"4.250.000.000" (dots group thousands)."""
    return f"{amount:,}".replace(",", ".")


def deadline_day_on_or_after(value: date) -> date:
    """A working day that is not the eve of a public holiday (offices do not set deadlines there)."""
    value = next_working_day(value)
    while holiday_name(following := value + timedelta(days=1)) is not None:
        value = next_working_day(following)
    return value


# ---------------------------------------------------------------------------------------------------------------
# Parties (all fictional; real province names only so that alerts can be routed)
# ---------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Party:
    name: str
    address: str
    phone: str


def _org(letter: str, number: int, province: str) -> Party:
    return Party(f"Công ty Đấu giá hợp danh Minh Họa {letter}",
                 f"Số {number} đường Minh Họa, phường Minh Họa, {province}", f"000.000.00{number:02d}")


ORGS = {
    "A": _org("A", 1, "tỉnh Đồng Nai"),
    "B": _org("B", 2, "tỉnh Gia Lai"),
    "C": _org("C", 3, "tỉnh Đắk Lắk"),
    "D": _org("D", 4, "tỉnh Gia Lai"),
    "E": _org("E", 5, "tỉnh Tây Ninh"),
    "F": _org("F", 6, "Thành phố Hồ Chí Minh"),
}
VALUATION_ORG = Party("Công ty Cổ phần Thẩm định giá Minh Họa", "Số 7 đường Minh Họa, phường Minh Họa, tỉnh Gia Lai",
                      "000.000.0007")


_MINH_HOA = "đường Minh Họa, phường Minh Họa"
_OWNER_ROWS: tuple[tuple[str, str, str], ...] = (  # key, name, address
    ("kv91", "Phòng Thi hành án dân sự khu vực 91 - Đồng Nai", "Số 91 đường Minh Họa, xã Minh Họa, tỉnh Đồng Nai"),
    ("kv92", "Phòng Thi hành án dân sự khu vực 92 - Đồng Nai", "Số 92 đường Minh Họa, xã Minh Họa Bắc, tỉnh Đồng Nai"),
    ("kv93", "Phòng Thi hành án dân sự khu vực 93 - Cần Thơ", f"Số 93 {_MINH_HOA}, thành phố Cần Thơ"),
    ("kv94", "Phòng Thi hành án dân sự khu vực 94 - Tây Ninh", "Số 94 đường Minh Họa, xã Minh Họa, tỉnh Tây Ninh"),
    ("kv95", "Phòng Thi hành án dân sự khu vực 95 - Gia Lai", "Số 95 đường Minh Họa, xã Minh Họa, tỉnh Gia Lai"),
    ("kv96", "Phòng Thi hành án dân sự khu vực 96 - Đồng Tháp", "Số 96 đường Minh Họa, xã Minh Họa, tỉnh Đồng Tháp"),
    ("kv97", "Phòng Thi hành án dân sự khu vực 97 - Thành phố Hồ Chí Minh", f"Số 97 {_MINH_HOA}, Thành phố Hồ Chí Minh"),
    ("kv98", "Phòng Thi hành án dân sự khu vực 98 - Đồng Nai", "Số 98 đường Minh Họa, xã Minh Họa Nam, tỉnh Đồng Nai"),
    *((f"kv{n}", f"Phòng Thi hành án dân sự khu vực {n} - {province}", f"Số {n} {_MINH_HOA}, tỉnh {province}")
      for n, province in ((81, "Khánh Hòa"), (82, "Đắk Lắk"), (83, "Lâm Đồng"), (84, "An Giang"), (85, "Vĩnh Long"),
                          (86, "Quảng Ngãi"))),
    ("land_fund", "Trung tâm Phát triển quỹ đất Minh Họa, tỉnh Tây Ninh", "Số 10 đường Minh Họa, xã Minh Họa, tỉnh Tây Ninh"),
    ("ubnd_ld", "Ủy ban nhân dân xã Minh Họa, tỉnh Lâm Đồng", "Thôn Minh Họa, xã Minh Họa, tỉnh Lâm Đồng"),
    ("ubnd_dl", "Ủy ban nhân dân xã Minh Họa Đông, tỉnh Đắk Lắk", "Thôn Minh Họa, xã Minh Họa Đông, tỉnh Đắk Lắk"),
    ("ubnd_ag", "Ủy ban nhân dân xã Minh Họa Nam, tỉnh An Giang", "Ấp Minh Họa, xã Minh Họa Nam, tỉnh An Giang"),
    ("hospital_qt", "Bệnh viện Đa khoa Minh Họa, tỉnh Quảng Trị", f"Số 14 {_MINH_HOA}, tỉnh Quảng Trị"),
    ("hospital_na", "Bệnh viện Đa khoa khu vực Minh Họa, tỉnh Nghệ An", "Số 15 đường Minh Họa, xã Minh Họa, tỉnh Nghệ An"),
    ("school_na", "Trường Trung học phổ thông Minh Họa, tỉnh Nghệ An", "Số 16 đường Minh Họa, xã Minh Họa Tây, tỉnh Nghệ An"),
    ("health_kh", "Trung tâm Y tế Minh Họa, tỉnh Khánh Hòa", f"Số 17 {_MINH_HOA}, tỉnh Khánh Hòa"),
    ("pmu_qn", "Ban Quản lý dự án đầu tư xây dựng Minh Họa, tỉnh Quảng Ngãi", f"Số 18 {_MINH_HOA}, tỉnh Quảng Ngãi"),
    ("ward_hn", "Ủy ban nhân dân phường Minh Họa Tây, thành phố Hà Nội", "Số 19 phố Minh Họa, phường Minh Họa Tây, "
     "thành phố Hà Nội"),
    ("market_ls", "Đội Quản lý thị trường số 20 Minh Họa, tỉnh Lạng Sơn", f"Số 20 {_MINH_HOA}, tỉnh Lạng Sơn"),
    ("enterprise_south", "Công ty TNHH Một thành viên Minh Họa Nam", "Lô 21 khu công nghiệp Minh Họa, Thành phố Hồ Chí Minh"),
    ("enterprise_green", "Công ty Cổ phần Minh Họa Xanh", "Lô 22 khu công nghiệp Minh Họa, tỉnh Bắc Ninh"),
    ("bank", "Ngân hàng Thương mại cổ phần Minh Họa", "Số 23 phố Minh Họa, phường Minh Họa, thành phố Hà Nội"),
    ("bank_amc", "Công ty TNHH Một thành viên Quản lý nợ và Khai thác tài sản Ngân hàng Thương mại cổ phần Minh Họa",
     "Số 24 phố Minh Họa, phường Minh Họa, thành phố Hà Nội"),
)
OWNERS = {key: Party(name, address, f"000.000.01{number:02d}")
          for number, (key, name, address) in enumerate(_OWNER_ROWS, start=1)}


# ---------------------------------------------------------------------------------------------------------------
# Scenarios and the document accumulator
# ---------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scenario:
    """One demo situation: the records it is made of, the detector and rule it targets, and the expected verdict.

    ``expect``: "flag" (the rule must fire), "no_flag" (a clean control), "insufficient" (the detector must say it
    cannot decide), "event" (a change-history event after ``demo_clock()``: DELISTED, SECOND_PUBLICATION, CHANGED).
    Record references are "dgts.selection_notice:900001" or "thads.notice:binhdinh/9202". ``rule_id`` is the rule
    name the detector reports (``findings.rule``) or, for "event", the change-event name; None for clean controls.
    """

    key: str
    detector: str
    rule: str
    expect: str
    records: tuple[str, ...]
    summary: str
    rule_id: str | None = None


@dataclass
class Demo:
    selection: list[dict[str, Any]] = field(default_factory=list)
    thads: list[dict[str, Any]] = field(default_factory=list)
    auctions: list[dict[str, Any]] = field(default_factory=list)
    scenarios: list[Scenario] = field(default_factory=list)

    def scenario(self, key: str, detector: str, rule: str, expect: str, records: Sequence[str], summary: str) -> None:
        self.scenarios.append(Scenario(key, detector, rule, expect, tuple(records), summary))


def ref_sel(notice_id: int) -> str:
    return f"dgts.selection_notice:{notice_id}"


def ref_res(result_id: int) -> str:
    return f"dgts.selection_result:{result_id}"


def ref_auc(notice_id: int) -> str:
    return f"dgts.auction_notice:{notice_id}"


def ref_thads(site: str, item_id: int) -> str:
    return f"thads.notice:{site}/{item_id}"


# ---------------------------------------------------------------------------------------------------------------
# Attachments: a PDF with a text layer (ReportLab) and an image-only "scanned" PDF (Pillow)
# ---------------------------------------------------------------------------------------------------------------

def font_path() -> str:
    """A DejaVu Sans TTF (Vietnamese glyphs): the system copy, else the one matplotlib ships."""
    candidates = list(FONT_CANDIDATES)
    try:
        import matplotlib

        candidates.append(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"))
    except ImportError:
        pass
    for candidate in candidates:
        if Path(candidate).is_file():
            return candidate
    raise FileNotFoundError("DejaVuSans.ttf not found; install fonts-dejavu-core (Debian) or matplotlib")


def text_pdf(title: str, lines: Sequence[str]) -> bytes:
    """A one-page A4 PDF with a real text layer (ReportLab, invariant mode, so the bytes are reproducible)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    if "DemoDejaVuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DemoDejaVuSans", font_path()))
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1, pageCompression=1)
    pdf.setTitle(title)
    pdf.setAuthor("auction-monitor demo (dữ liệu giả lập)")
    y = A4[1] - 64
    pdf.setFont("DemoDejaVuSans", 13)
    pdf.drawCentredString(A4[0] / 2, y, title)
    y -= 28
    pdf.setFont("DemoDejaVuSans", 10.5)
    for line in lines:
        pdf.drawString(56, y, line)
        y -= 16
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


SCAN_DPI = 100
SCAN_SIZE = (827, 1169)  # A4 at 100 dpi


def scanned_pdf(lines: Sequence[str]) -> bytes:
    """A one-page, image-only PDF: the lines rendered in grey by Pillow at 100 dpi, no text layer.

    The PDF container is written here rather than by Pillow's PDF writer, which stores grey images as JPEG (soft
    edges hurt OCR) and stamps its version into the file; a FlateDecode image keeps the glyphs crisp and the bytes
    reproducible.
    """
    from PIL import Image, ImageDraw, ImageFont

    width, height = SCAN_SIZE
    image = Image.new("L", SCAN_SIZE, 246)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(font_path(), 19)
    y = 80
    for line in lines:
        draw.text((70, y), line, fill=24, font=font)
        y += 32
    pixels = zlib.compress(image.tobytes(), 9)
    page_w, page_h = width * 72 / SCAN_DPI, height * 72 / SCAN_DPI
    content = f"q {page_w:.2f} 0 0 {page_h:.2f} 0 0 cm /Scan Do Q".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {page_w:.2f} {page_h:.2f}] "
         f"/Resources << /XObject << /Scan 4 0 R >> >> /Contents 5 0 R >>").encode(),
        (f"<< /Type /XObject /Subtype /Image /Width {width} /Height {height} /ColorSpace /DeviceGray "
         f"/BitsPerComponent 8 /Filter /FlateDecode /Length {len(pixels)} >>\nstream\n").encode()
        + pixels + b"\nendstream",
        f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


# ---------------------------------------------------------------------------------------------------------------
# dgts documents
# ---------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Lot:
    """One asset of a selection notice (name without the made-up label; the builders add it)."""

    name: str
    start_price: int
    amount: str = "01"
    quality: str = "Theo hiện trạng thực tế"
    type_name: str = ""


def labelled(text: str) -> str:
    return text + LABEL


def joined_name(lots: Sequence[Any]) -> str:
    return labelled("; ".join(lot.name for lot in lots))


def _window_text(start: date, end: date) -> str:
    return f"từ ngày {vn_day(start)} đến hết ngày {vn_day(end)} (trong giờ hành chính)"


def selection_notice_text(owner: Party, lots: Sequence[Lot], start: date, end: date) -> str:
    """The public form of a selection notice (Thông tư 02/2022 Điều 4; Luật Đấu giá tài sản Điều 56)."""
    assets = "; ".join(f"{lot.name}, giá khởi điểm: {vnd(lot.start_price)} đồng" for lot in lots)
    return "\n".join([
        f"1. Tên, địa chỉ người có tài sản đấu giá: {owner.name}, địa chỉ: {owner.address}.",
        f"2. Tên tài sản đấu giá, giá khởi điểm: {assets}.",
        "3. Tiêu chí lựa chọn tổ chức đấu giá tài sản: theo Phụ lục tiêu chí đăng kèm thông báo.",
        f"4. Thời gian, địa điểm nộp hồ sơ đăng ký tham gia lựa chọn: {_window_text(start, end)} tại {owner.address}.",
        BODY_NOTE,
    ])


def selection_notice(notice_id: int, owner: Party, lots: Sequence[Lot], published: tuple[str, str],
                     window: tuple[str, str], *, files: Sequence[dict[str, Any]] = (),
                     sim: dict[str, Any] | None = None) -> dict[str, Any]:
    """A dgts selection notice ("Thông báo lựa chọn tổ chức đấu giá"); `published` = (day, clock)."""
    published_ms = at(*published)
    start, end = day(window[0]), day(window[1])
    name = joined_name(lots)
    created_ms = published_ms - 26 * 3600 * 1000 + 417_000 + notice_id % 997
    document: dict[str, Any] = {
        "kind": RecordKind.DGTS_SELECTION_NOTICE,
        "id": notice_id,
        "list_item": {"id": notice_id, "propertyName": name, "lastUpdated": published_ms,
                      "receiveTimeStart": midnight(start), "receiveTimeEnd": midnight(end)},
        "detail": {"id": notice_id, "ownerFullname": owner.name, "ownerTel": owner.phone, "ownerAddress": owner.address,
                   "addrOwner": owner.address, "genDate": created_ms, "fromDate": midnight(start),
                   "toDate": midnight(end), "addressReceive": owner.address,
                   "contactInfo": f"Bộ phận tiếp nhận hồ sơ - SĐT {owner.phone}", "propertyName": name},
        "properties": [{"propertyName": labelled(lot.name), "propertyAmount": lot.amount,
                        "propertyQuality": lot.quality, "propertyStartPrice": lot.start_price,
                        "propertyTypeName": lot.type_name} for lot in lots],
        "edit_notice": {
            "listFileNotice": list(files),
            "property": [{"propertyName": labelled(lot.name), "listFile": []} for lot in lots],
            "notice": {"id": notice_id, "title": labelled("Thông báo lựa chọn tổ chức đấu giá tài sản"),
                       "content": selection_notice_text(owner, lots, start, end)},
        },
    }
    if sim:
        document["_sim"] = sim
    return document


def shortened_window_edit(owner: Party, lots: Sequence[Lot], start: str, new_end: str, when: str) -> dict[str, Any]:
    """A `_sim` edit that moves the window end (list, detail and the notice text) at `when` (ISO time)."""
    end_ms = midnight(day(new_end))
    return {"at": when, "set": {
        "list_item.receiveTimeEnd": end_ms,
        "detail.toDate": end_ms,
        "edit_notice.notice.content": selection_notice_text(owner, lots, day(start), day(new_end)),
    }}


def result_text(owner: Party, org: Party, lots: Sequence[Lot], scored: date, score: int) -> str:
    """The result's free text (DB PUBLISH_INFO), in the public form of a result notice (Thông tư 02/2022 Phụ lục II)."""
    return " ".join([
        f"Ngày {vn_day(scored)}, {owner.name} đã tiến hành chấm điểm hồ sơ đăng ký tham gia lựa chọn tổ chức đấu giá"
        f" tài sản đối với tài sản: {'; '.join(lot.name for lot in lots)}.",
        f"Tổ chức đấu giá tài sản được lựa chọn: {org.name}, địa chỉ: {org.address}.",
        f"Tổng số điểm của tổ chức đấu giá tài sản được lựa chọn: {score}/100 điểm.",
        "Tổ chức đấu giá tài sản bị từ chối xem xét, đánh giá hồ sơ: Không.",
        BODY_NOTE,
    ])


def selection_result(result_id: int, owner: Party, org: Party, lots: Sequence[Lot], published: tuple[str, str],
                     scored: str, score: int = 90, *, sim: dict[str, Any] | None = None) -> dict[str, Any]:
    """A dgts selection result ("Kết quả lựa chọn tổ chức đấu giá"); `scored` = the scoring day its text states."""
    published_ms = at(*published)
    name = joined_name(lots)
    document: dict[str, Any] = {
        "kind": RecordKind.DGTS_SELECTION_RESULT,
        "id": result_id,
        "list_item": {"id": result_id, "propertyName": name, "orgName": org.name, "publishTime": published_ms,
                      "ownerFullname": owner.name},
        "owner": {"fullname": owner.name, "addrOwner": owner.address},
        "history": {"orgInfo": {"orgName": org.name, "addrFull": org.address, "foneNumber": org.phone},
                    "property": [{"propertyName": labelled(lot.name), "propertyAmount": lot.amount,
                                  "propertyQuality": lot.quality, "propertyStartPrice": lot.start_price,
                                  "propertyTypeName": lot.type_name} for lot in lots]},
        "info": {"publishTime": published_ms, "subPropertyName": name,
                 "publishInfo": result_text(owner, org, lots, day(scored), score)},
    }
    if sim:
        document["_sim"] = sim
    return document


@dataclass(frozen=True)
class AuctionLot:
    """One lot of an auction notice (name without the label). `deposit_unit` 0 = VND, 1 = percent."""

    name: str
    place: str
    start_price: int
    deposit: int
    file_cost: int
    deposit_unit: int = 0
    amount: str = "01"
    quality: str = ""
    detail: str = ""
    type_id: int | None = None


def _lot_row(notice_id: int, index: int, lot: AuctionLot) -> dict[str, Any]:
    return {
        "auPropertyInfoId": notice_id * 10 + index, "auctionInfoId": notice_id, "propertyName": labelled(lot.name),
        "propertyAmount": lot.amount, "propertyPlace": lot.place, "propertyStartPrice": lot.start_price,
        "deposit": lot.deposit, "depositUnit": lot.deposit_unit,
        "strDeposit": f"{lot.deposit}%" if lot.deposit_unit == 1 else vnd(lot.deposit),
        "fileCost": lot.file_cost, "propertyQuality": lot.quality, "detail": lot.detail,
        "propertyTypeId": lot.type_id, "propertyTypeName": TYPE_NAMES.get(lot.type_id, "") if lot.type_id else "",
    }


@dataclass(frozen=True)
class Schedule:
    published: int
    reg_start: int
    reg_end: int
    auction: int


def auction_schedule(published_day: str, published_clock: str, *, reg_days: int = 16, gap_days: int = 3,
                     auction_clock: str = "09:00:00") -> Schedule:
    """A lawful timetable: registration from the next working day 07:30 to a working day `reg_days` later at
    17:00 (never the eve of a holiday), the auction on a working day at least `gap_days` after that (with the
    default 16 + 3 days, real estate is posted >= 15 days before its auction)."""
    pub = day(published_day)
    reg_start = next_working_day(pub + timedelta(days=1))
    reg_end = deadline_day_on_or_after(pub + timedelta(days=reg_days))
    auction = next_working_day(reg_end + timedelta(days=gap_days))
    millis = sum(ord(ch) for ch in published_day + published_clock) * 7 % 1000
    return Schedule(at(published_day, published_clock, millis), at(reg_start.isoformat(), "07:30:00"),
                    at(reg_end.isoformat(), "17:00:00"), at(auction.isoformat(), auction_clock))


def auction_notice(notice_id: int, owner: Party, org: Party, lots: Sequence[AuctionLot], schedule: Schedule, *,
                   venue: str | None = None, files: Sequence[dict[str, Any]] = (),
                   sim: dict[str, Any] | None = None) -> dict[str, Any]:
    """A dgts auction notice ("Thông báo công khai việc đấu giá") in the shape of the real dataset."""
    name = joined_name(lots)
    types = {lot.type_id for lot in lots}
    type_id = types.pop() if len(types) == 1 else None
    document: dict[str, Any] = {
        "kind": RecordKind.DGTS_AUCTION_NOTICE,
        "id": notice_id,
        "list_item": {
            "id": notice_id, "titleName": AUCTION_TITLE, "propertyName": name,
            "subPropertyName": name if len(name) <= 250 else name[:250] + "...",
            "publishTime1": schedule.published, "publishTime2": None, "aucTime": schedule.auction,
            "aucRegTimeStart": schedule.reg_start, "aucRegTimeEnd": schedule.reg_end,
            "fullname": owner.name, "org_name": org.name, "propertyTypeId": type_id,
            "propertyTypeName": TYPE_NAMES.get(type_id, "") if type_id else "",
        },
        "property_info": [_lot_row(notice_id, index, lot) for index, lot in enumerate(lots)],
        "detail": {
            "fullName": owner.name, "addrOwner": owner.address, "orgFullName": org.name, "orgAddress": org.address,
            "foneNumber": org.phone, "aucAddr": venue or f"Trụ sở {org.name}, {org.address}",
            "aucRegTimeStart": schedule.reg_start, "aucRegTimeEnd": schedule.reg_end, "listFile": list(files),
        },
        "publish_history": [{"auctionInfoId": notice_id, "rootID": None,
                             "strLevelCorrection": "Thông báo công khai lần 1",
                             "publishTime1": schedule.published, "publishTime2": None}],
        "corrections": [],
    }
    if sim:
        document["_sim"] = sim
    return document


def dgts_file(file_id: int, name: str, data: bytes) -> dict[str, Any]:
    return {"idFile": file_id, "fileName": name, "content_type": "application/pdf", "content_b64": b64(data)}


# ---------------------------------------------------------------------------------------------------------------
# THADS documents (body in the public form of a Vietnamese administrative notice)
# ---------------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ThadsOffice:
    parent: str  # upper line of the header ("THI HÀNH ÁN DÂN SỰ THÀNH PHỐ CẦN THƠ")
    unit: str    # issuing unit ("PHÒNG THI HÀNH ÁN DÂN SỰ KHU VỰC 93")
    place: str   # place name of the date line
    owner: Party


THADS_OFFICES = {
    "tphochiminh": ThadsOffice("THI HÀNH ÁN DÂN SỰ THÀNH PHỐ HỒ CHÍ MINH", "PHÒNG THI HÀNH ÁN DÂN SỰ KHU VỰC 97",
                               "Thành phố Hồ Chí Minh", OWNERS["kv97"]),
    "binhdinh": ThadsOffice("THI HÀNH ÁN DÂN SỰ TỈNH GIA LAI", "PHÒNG THI HÀNH ÁN DÂN SỰ KHU VỰC 95", "Gia Lai",
                            OWNERS["kv95"]),
    "cantho": ThadsOffice("THI HÀNH ÁN DÂN SỰ THÀNH PHỐ CẦN THƠ", "PHÒNG THI HÀNH ÁN DÂN SỰ KHU VỰC 93", "Cần Thơ",
                          OWNERS["kv93"]),
}


def thads_body(office: ThadsOffice, number: str, issued: date, heading: str, paragraphs: Sequence[str],
               signer: str = "Trần Văn Minh Họa") -> str:
    """Notice HTML: header table (issuer | national motto), number and date line, heading, numbered paragraphs."""
    esc = html.escape
    rows = "\n".join(f"<p>{esc(paragraph)}</p>" for paragraph in paragraphs)
    return (
        '<table class="header" style="width:100%"><tr>'
        f'<td style="text-align:center">{esc(office.parent)}<br/><b>{esc(office.unit)}</b></td>'
        '<td style="text-align:center"><b>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</b><br/>'
        '<b>Độc lập - Tự do - Hạnh phúc</b></td></tr>\n'
        f'<tr><td style="text-align:center">Số: {esc(number)}</td>'
        f'<td style="text-align:center"><i>{esc(office.place)}, ngày {issued.day:02d} tháng {issued.month:02d} năm '
        f'{issued.year}</i></td></tr></table>\n'
        f'<p style="text-align:center"><b>THÔNG BÁO</b></p>\n<p style="text-align:center"><b>{esc(heading)}</b></p>\n'
        f"<p><i>{esc(BODY_NOTE)}</i></p>\n{rows}\n"
        f'<p style="text-align:right"><b>CHẤP HÀNH VIÊN</b></p>\n<p style="text-align:right">{esc(signer)}</p>'
    )


def thads_notice(site: str, item_id: int, title: str, issued: str, body_html: str,
                 attachments: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    value = day(issued)
    return {"kind": RecordKind.THADS_NOTICE, "site": site, "list": "ThongBao", "item_id": item_id,
            "title": labelled(title), "date": value.strftime("%d/%m/%Y"), "body_html": body_html,
            "attachments": list(attachments)}


# ---------------------------------------------------------------------------------------------------------------
# Asset texts
# ---------------------------------------------------------------------------------------------------------------

def land(parcel: int, sheet: int, area: str, where: str, purpose: str = "đất ở tại nông thôn",
         debtor: str | None = None) -> str:
    text = (f"Quyền sử dụng đất thửa đất số {parcel}, tờ bản đồ số {sheet}, diện tích {area} m2, mục đích sử dụng: "
            f"{purpose}, tại {where}")
    return f"{text}, của {debtor}" if debtor else text


DEBTORS = ("ông Nguyễn Văn Mẫu", "bà Trần Thị Mẫu", "ông Lê Văn Thử", "bà Phạm Thị Thử", "ông Hoàng Văn Giả",
           "bà Võ Thị Giả", "ông Đặng Văn Minh Họa", "bà Bùi Thị Minh Họa", "ông Đỗ Văn Ví Dụ")


# ---------------------------------------------------------------------------------------------------------------
# D1: premature scoring of the auction-organisation selection (dgts)
# ---------------------------------------------------------------------------------------------------------------

def add_premature_scoring(demo: Demo) -> None:
    o, org = OWNERS, ORGS
    sel = res = demo.selection.append

    lots = [Lot(land(101, 6, "125", "khu dân cư Minh Họa, xã Minh Họa, tỉnh Lâm Đồng"), 612_500_000)]
    sel(selection_notice(900001, o["ubnd_ld"], lots, ("2026-06-18", "09:12:07"), ("2026-06-19", "2026-06-26")))
    res(selection_result(990001, o["ubnd_ld"], org["A"], lots, ("2026-06-23", "14:05:33"), "2026-06-23", 88))
    demo.scenario("d1_result_before_window_end", "premature_scoring", "result published before the application window "
                  "closed", "flag", [ref_sel(900001), ref_res(990001)],
                  "Window 19/6–26/6/2026; result published 23/6 14:05 (and its text says scoring on 23/6).")

    lots = [Lot("Xe ô tô cứu thương Toyota Hiace, biển kiểm soát 74A-000.02, sản xuất năm 2010", 48_000_000,
                quality="Xe đã qua sử dụng, hoạt động bình thường", type_name=TYPE_NAMES[176])]
    sel(selection_notice(900002, o["hospital_qt"], lots, ("2026-06-18", "10:40:52"), ("2026-06-19", "2026-06-24")))
    res(selection_result(990002, o["hospital_qt"], org["B"], lots, ("2026-06-29", "10:30:18"), "2026-06-23", 86))
    demo.scenario("d1_scoring_date_in_text_before_window_end", "premature_scoring", "scoring date stated in the result "
                  "text is before the window end", "flag", [ref_sel(900002), ref_res(990002)],
                  "Window 19/6–24/6; result published 29/6 (after the window) but info.publishInfo says "
                  "'Ngày 23/6/2026 … đã tiến hành chấm điểm'.")

    lots = [Lot(land(203, 3, "120", "khu dân cư Minh Họa, xã Minh Họa Đông, tỉnh Đắk Lắk", "đất ở tại nông thôn")
                + " (lô đất số LK-03)", 480_000_000, type_name=TYPE_NAMES[173])]
    sel(selection_notice(900003, o["ubnd_dl"], lots, ("2026-06-19", "09:05:40"), ("2026-06-22", "2026-06-30")))
    res(selection_result(990003, o["ubnd_dl"], org["C"], lots, ("2026-07-02", "09:30:09"), "2026-07-01", 93))
    lot = lots[0]
    demo.auctions.append(auction_notice(
        9000003, o["ubnd_dl"], org["C"],
        [AuctionLot(lot.name, "Khu dân cư Minh Họa, xã Minh Họa Đông, tỉnh Đắk Lắk", lot.start_price, 96_000_000,
                    200_000, quality="Đất trống, đã có hạ tầng kỹ thuật", type_id=173)],
        auction_schedule("2026-06-26", "15:20:44", reg_days=17)))
    demo.scenario("d1_auction_notice_before_window_end", "premature_scoring", "the later-selected organisation published "
                  "an auction notice for the same owner and asset before the window closed", "flag",
                  [ref_sel(900003), ref_auc(9000003), ref_res(990003)],
                  "Window 22/6–30/6; Minh Họa C posts auction notice 9000003 for lot LK-03 on 26/6; the result "
                  "selecting Minh Họa C only appears on 2/7.")

    lots = [Lot("Lô phế liệu sắt thép thu hồi sau thanh lý nhà xưởng cũ, khối lượng khoảng 42 tấn", 230_000_000,
                quality="Phế liệu", type_name=TYPE_NAMES[326])]
    sel(selection_notice(900004, o["enterprise_south"], lots, ("2026-06-18", "16:30:21"), ("2026-06-19", "2026-06-22")))
    res(selection_result(990004, o["enterprise_south"], org["F"], lots, ("2026-06-24", "15:10:02"), "2026-06-23", 85))
    demo.scenario("d1_window_two_working_days_weekend", "premature_scoring", "notice period shorter than 3 working days "
                  "(counted in working days, not calendar days)", "flag", [ref_sel(900004), ref_res(990004)],
                  "Published Thu 18/6; window Fri 19/6–Mon 22/6 = 4 calendar days but 2 working days; scored 23/6, "
                  "published 24/6.")

    lots = [Lot("Xe ô tô 16 chỗ Ford Transit, biển kiểm soát 37B-000.05, sản xuất năm 2009", 85_000_000,
                quality="Xe đã qua sử dụng", type_name=TYPE_NAMES[176])]
    sel(selection_notice(900005, o["school_na"], lots, ("2026-02-12", "10:00:31"), ("2026-02-13", "2026-02-23")))
    res(selection_result(990005, o["school_na"], org["B"], lots, ("2026-02-25", "09:30:47"), "2026-02-24", 87))
    demo.scenario("d1_window_over_tet", "premature_scoring", "notice period shorter than 3 working days (Tết holidays "
                  "not counted)", "flag", [ref_sel(900005), ref_res(990005)],
                  "Published Thu 12/2/2026; window 13/2–23/2 = 11 calendar days but 2 working days (Tết 14/2–22/2).")

    lots = [Lot("02 máy điều hòa nhiệt độ và 01 máy phát điện dự phòng đã hết khấu hao", 36_000_000,
                quality="Đã qua sử dụng, hư hỏng một phần", type_name=TYPE_NAMES[176])]
    sel(selection_notice(900006, o["health_kh"], lots, ("2026-04-29", "09:45:12"), ("2026-04-29", "2026-05-04")))
    res(selection_result(990006, o["health_kh"], org["E"], lots, ("2026-05-06", "10:00:55"), "2026-05-05", 84))
    demo.scenario("d1_window_over_30_4_1_5", "premature_scoring", "notice period shorter than 3 working days (30/4 and "
                  "1/5 not counted)", "flag", [ref_sel(900006), ref_res(990006)],
                  "Published Wed 29/4/2026; window 29/4–Mon 4/5 = 1 working day (30/4, 1/5 holidays, then a weekend).")

    lots = [Lot(land(512, 27, "230,4", "ấp Minh Họa, xã Minh Họa, tỉnh Đồng Tháp", "đất trồng cây lâu năm",
                     "bà Võ Thị Giả"), 910_000_000, type_name=TYPE_NAMES[178])]
    sel(selection_notice(900007, o["kv96"], lots, ("2026-06-19", "10:20:26"), ("2026-06-22", "2026-06-25")))
    res(selection_result(990007, o["kv96"], org["D"], lots, ("2026-06-26", "02:00:41"), "2026-06-26", 90))
    demo.scenario("d1_rushed_result", "premature_scoring", "result published within hours of the window closing "
                  "(no time to score)", "flag", [ref_sel(900007), ref_res(990007)],
                  "Window ends 25/6 (closes 24:00); result published 26/6 02:00, two hours later.")

    lots = [Lot("Vật tư, thiết bị thu hồi sau tháo dỡ trụ sở làm việc cũ (cửa, khung thép, dây điện)", 64_000_000,
                quality="Vật tư thu hồi", type_name=TYPE_NAMES[176])]
    res(selection_result(990008, o["pmu_qn"], org["E"], lots, ("2026-06-24", "11:00:13"), "2026-06-24", 82))
    demo.scenario("d1_result_without_notice", "premature_scoring", "result with no matching selection notice", "flag",
                  [ref_res(990008)], "No selection notice of this owner or asset exists on the portal.")

    lots = [Lot(land(77, 4, "310,5", "khu vực Minh Họa, phường Minh Họa, thành phố Cần Thơ", "đất ở tại đô thị")
                + " (tài sản bảo đảm)", 3_150_000_000, type_name=TYPE_NAMES[174])]
    owner = o["bank_amc"]
    edit = shortened_window_edit(owner, lots, "2026-06-19", "2026-06-22", "2026-06-19T14:30:00+07:00")
    sel(selection_notice(900009, owner, lots, ("2026-06-18", "14:00:09"), ("2026-06-19", "2026-06-30"),
                         sim={"edits": [edit]}))
    res(selection_result(990009, owner, org["F"], lots, ("2026-06-24", "09:20:36"), "2026-06-23", 91))
    demo.scenario("d1_window_shortened_after_publication", "premature_scoring", "window end moved earlier after "
                  "publication (WINDOW_CHANGED)", "flag", [ref_sel(900009), ref_res(990009)],
                  "Window 19/6–30/6 published 18/6 14:00; on 19/6 14:30 the end becomes 22/6; scored 23/6. Seen only "
                  "by a crawl between those two times (a day-by-day replay); see also d1_after_clock_shortened_window.")

    lots = [Lot("Xe ô tô cứu thương Ford Transit, biển kiểm soát 37A-000.10, sản xuất năm 2012", 95_000_000,
                quality="Xe đã qua sử dụng", type_name=TYPE_NAMES[176])]
    sel(selection_notice(900010, o["hospital_na"], lots, ("2026-06-18", "10:00:15"), ("2026-06-19", "2026-06-23")))
    sel(selection_notice(900011, o["hospital_na"], lots, ("2026-06-24", "09:30:44"), ("2026-06-25", "2026-07-02")))
    res(selection_result(990010, o["hospital_na"], org["B"], lots, ("2026-06-26", "16:00:27"), "2026-06-26", 89))
    demo.scenario("d1_ambiguous_result", "premature_scoring", "result matches two notices equally (same owner, asset, "
                  "price): insufficient data, never a flag", "insufficient",
                  [ref_sel(900010), ref_sel(900011), ref_res(990010)],
                  "Notice 900010 (window to 23/6) and its re-posting 900011 (window to 2/7) are identical; the result "
                  "of 26/6 would be clean for the first and premature for the second.")

    clean = [
        (900012, 990012, o["enterprise_green"], "A",
         Lot("Dây chuyền sản xuất gạch không nung công suất 10 triệu viên/năm, sản xuất năm 2015", 1_450_000_000,
             quality="Đã qua sử dụng", type_name=TYPE_NAMES[326]),
         ("2026-06-18", "14:00:48"), ("2026-06-19", "2026-06-25"), ("2026-06-29", "10:00:05"), "2026-06-26"),
        (900013, 990013, o["ward_hn"], "F",
         Lot("Xe ô tô Toyota Camry, biển kiểm soát 29A-000.13, sản xuất năm 2011", 120_000_000,
             quality="Xe đã qua sử dụng", type_name=TYPE_NAMES[176]),
         ("2026-06-19", "08:30:19"), ("2026-06-22", "2026-06-26"), ("2026-06-30", "15:00:51"), "2026-06-29"),
        (900014, 990014, o["kv94"], "E",
         Lot(land(318, 11, "402,7", "ấp Minh Họa, xã Minh Họa, tỉnh Tây Ninh", "đất trồng cây lâu năm",
                  "ông Hoàng Văn Giả"), 1_280_000_000, type_name=TYPE_NAMES[178]),
         ("2026-06-22", "09:00:33"), ("2026-06-23", "2026-06-29"), ("2026-07-01", "16:20:14"), "2026-06-30"),
    ]
    criteria = text_pdf("TIÊU CHÍ LỰA CHỌN TỔ CHỨC ĐẤU GIÁ TÀI SẢN (DỮ LIỆU GIẢ LẬP)", [
        "Người có tài sản: Công ty Cổ phần Minh Họa Xanh.",
        "Tài sản: Dây chuyền sản xuất gạch không nung công suất 10 triệu viên/năm.",
        "Nhóm I. Cơ sở vật chất, trang thiết bị bảo đảm cho việc đấu giá: 23 điểm.",
        "Nhóm II. Phương án đấu giá khả thi, hiệu quả: 22 điểm.",
        "Nhóm III. Năng lực, kinh nghiệm và uy tín của tổ chức đấu giá: 45 điểm.",
        "Nhóm IV. Thù lao dịch vụ đấu giá, chi phí đấu giá tài sản phù hợp: 5 điểm.",
        "Nhóm V. Có tên trong danh sách tổ chức đấu giá tài sản do Bộ Tư pháp công bố.",
        "Nhóm VI. Tiêu chí khác phù hợp với tài sản đấu giá: 5 điểm.",
        BODY_NOTE,
    ])
    for notice_id, result_id, owner, letter, lot, published, window, result_at, scored in clean:
        files = [dgts_file(notice_id * 100, "Tieu chi lua chon to chuc dau gia.pdf", criteria)] \
            if notice_id == 900012 else []
        sel(selection_notice(notice_id, owner, [lot], published, window, files=files))
        res(selection_result(result_id, owner, org[letter], [lot], result_at, scored, 92))
        demo.scenario(f"d1_clean_{notice_id}", "premature_scoring", "clean control: >= 5 working days, scored and "
                      "published after the window", "no_flag", [ref_sel(notice_id), ref_res(result_id)],
                      f"Window {window[0]}–{window[1]}, scored {scored}, published {result_at[0]}.")


# ---------------------------------------------------------------------------------------------------------------
# D3 (selection side): concentration on one organisation, rotation of three (a year of dgts selections)
# ---------------------------------------------------------------------------------------------------------------

HISTORY_PARCEL_PLACES = {
    "kv91": "ấp Minh Họa {n}, xã Minh Họa, tỉnh Đồng Nai",
    "kv92": "ấp Minh Họa {n}, xã Minh Họa Bắc, tỉnh Đồng Nai",
    "kv98": "ấp Minh Họa {n}, xã Minh Họa Nam, tỉnh Đồng Nai",
    "land_fund": "khu dân cư Minh Họa {n}, xã Minh Họa, tỉnh Tây Ninh",
}


def _history_lot(owner_key: str, seq: int) -> Lot:
    place = HISTORY_PARCEL_PLACES[owner_key].format(n=seq % 7 + 1)
    parcel, sheet = 1000 + seq * 37 % 900, 10 + seq * 3 % 40
    area = f"{120 + seq * 53 % 600},{seq % 10}"
    price = (350 + seq * 97 % 2400) * 1_000_000
    if owner_key == "land_fund":
        return Lot(land(parcel, sheet, area, place, "đất ở tại nông thôn") + f" (lô đất số LK-{seq:02d})", price,
                   type_name=TYPE_NAMES[173])
    if seq % 3 == 2:
        return Lot(f"Xe ô tô tải Hyundai, biển kiểm soát 60C-000.{seq:02d}, sản xuất năm {2012 + seq % 8}, "
                   f"của {DEBTORS[seq % len(DEBTORS)]}", price // 10, quality="Xe đã qua sử dụng",
                   type_name=TYPE_NAMES[178])
    return Lot(land(parcel, sheet, area, place, "đất trồng cây lâu năm", DEBTORS[seq % len(DEBTORS)]), price,
               type_name=TYPE_NAMES[178])


def _history_pair(demo: Demo, notice_id: int, result_id: int, owner_key: str, letter: str, published: str,
                  seq: int) -> None:
    """A clean selection (window Tuesday to the next Tuesday, scored two days later) published on a Monday."""
    owner = OWNERS[owner_key]
    lot = _history_lot(owner_key, seq)
    pub = day(published)
    start, end = pub + timedelta(days=1), pub + timedelta(days=8)
    scored = next_working_day(end + timedelta(days=2))
    result_day = next_working_day(scored + timedelta(days=1))
    notice_clock = f"{8 + seq % 3:02d}:{seq * 13 % 60:02d}:{seq * 29 % 60:02d}"
    result_clock = f"{9 + seq % 6:02d}:{seq * 17 % 60:02d}:{seq * 7 % 60:02d}"
    demo.selection.append(selection_notice(notice_id, owner, [lot], (published, notice_clock),
                                           (start.isoformat(), end.isoformat())))
    demo.selection.append(selection_result(result_id, owner, ORGS[letter], [lot], (result_day.isoformat(), result_clock),
                                           scored.isoformat(), 88 + seq % 8))


# Starts in August 2025 so that all nine stay inside a 365-day period for weeks after demo_clock().
CONCENTRATION = ("kv91", [("2025-08-11", "A"), ("2025-09-08", "A"), ("2025-10-06", "A"), ("2025-11-03", "A"),
                          ("2025-12-01", "B"), ("2026-01-12", "A"), ("2026-03-16", "A"), ("2026-04-13", "A"),
                          ("2026-06-15", "A")])
PEERS = (("kv92", [("2025-08-04", "C"), ("2025-11-03", "A"), ("2026-02-02", "D"), ("2026-05-11", "B")]),
         ("kv98", [("2025-09-08", "B"), ("2025-12-08", "D"), ("2026-03-02", "E"), ("2026-06-01", "C")]))
# Twelve turns: with three organisations, fewer cannot be told from chance (the orders of CCDDEE with no repeat
# make up a third of all its orders; for four wins each, 3 %).
ROTATION = ("land_fund", [(published, "CDE"[turn % 3]) for turn, published in enumerate((
    "2025-07-21", "2025-08-18", "2025-09-15", "2025-10-13", "2025-11-10", "2025-12-08", "2026-01-05", "2026-02-02",
    "2026-03-09", "2026-04-06", "2026-05-11", "2026-06-08"))])


PEER_AUCTION_OWNERS = ("kv81", "kv82", "kv83", "kv84", "kv85", "kv86")
PLATES = {"kv81": "79A", "kv82": "47A", "kv83": "49A", "kv84": "67A", "kv85": "64A", "kv86": "76A"}


def fee_cap(price: int) -> int:
    """Dossier-fee cap of the stricter TT 48/2017/TT-BTC table (land-use rights): <=200M 100.000 đ, <=500M 200.000 đ."""
    return 100_000 if price <= 200_000_000 else 200_000 if price <= 500_000_000 else 500_000


def _peer_auctions(demo: Demo) -> list[str]:
    """Six more enforcement offices, each with four auction notices by four different organisations over the year:
    the baseline of top shares the repeat-selection fence is computed from (it needs eight owners of one kind)."""
    refs = []
    for peer, owner_key in enumerate(PEER_AUCTION_OWNERS):
        owner = OWNERS[owner_key]
        province = owner.name.rsplit(" - ", 1)[1]
        for turn in range(4):
            notice_id = 9000501 + 4 * peer + turn
            seq = 4 * peer + turn
            letter = "ABCDEF"[(peer + 5 * turn) % 6]
            published = next_working_day(day("2025-07-14") + timedelta(days=91 * turn + 9 * peer))
            clock = f"{9 + peer:02d}:{(7 * turn + 13 * peer) % 60:02d}:{(11 * turn + 17 * peer) % 60:02d}"
            debtor = DEBTORS[seq % len(DEBTORS)]
            if turn % 2 == 0:
                price = (150 + 23 * seq % 250) * 1_000_000
                lot = AuctionLot(f"Xe ô tô con Kia Morning, biển kiểm soát {PLATES[owner_key]}-000.{seq + 20:02d}, "
                                 f"sản xuất năm {2012 + seq % 9}, của {debtor}",
                                 f"Kho vật chứng Minh Họa, phường Minh Họa, tỉnh {province}", price, price * 15 // 100,
                                 fee_cap(price), quality="Xe đã qua sử dụng", type_id=178)
                schedule = auction_schedule(published.isoformat(), clock, reg_days=12)
            else:
                price = (700 + 137 * seq % 1300) * 1_000_000
                where = f"tổ dân phố Minh Họa {seq}, phường Minh Họa, tỉnh {province}"
                lot = AuctionLot(land(2000 + 61 * seq, 40 + seq, f"{90 + 7 * seq},5", where, "đất ở tại đô thị", debtor),
                                 where, price, price // 5, fee_cap(price), type_id=178)
                schedule = auction_schedule(published.isoformat(), clock)
            demo.auctions.append(auction_notice(notice_id, owner, ORGS[letter], [lot], schedule))
            refs.append(ref_auc(notice_id))
    return refs


def add_selection_history(demo: Demo) -> None:
    def series(first_id: int, owner_key: str, picks: list[tuple[str, str]], seq0: int) -> list[str]:
        refs = []
        for offset, (published, letter) in enumerate(picks):
            _history_pair(demo, first_id + offset, first_id + 90_000 + offset, owner_key, letter, published,
                          seq0 + offset)
            refs += [ref_sel(first_id + offset), ref_res(first_id + 90_000 + offset)]
        return refs

    owner_key, picks = CONCENTRATION
    refs = series(900101, owner_key, picks, 1)
    demo.scenario("d3_owner_concentration", "collusion", "one owner picks the same organisation in 8 of 9 selections "
                  "in a year while peers of the same kind spread their choices", "flag", refs,
                  f"{OWNERS[owner_key].name}: Minh Họa A chosen 8 times (07/2025–06/2026), Minh Họa B once.")
    peer_refs: list[str] = []
    for index, (peer_key, peer_picks) in enumerate(PEERS):
        peer_refs += series(900111 + 10 * index, peer_key, peer_picks, 20 + 10 * index)
    peer_refs += _peer_auctions(demo)
    demo.scenario("d3_peer_baseline", "collusion", "clean control: peer enforcement offices spread their choices over "
                  "four organisations each (and give the repeat-selection fence its eight owners of one kind)",
                  "no_flag", peer_refs,
                  "Khu vực 92 and 98 - Đồng Nai by selections, khu vực 81–86 by auction notices; four different "
                  "organisations each, no pattern.")
    owner_key, picks = ROTATION
    refs = series(900131, owner_key, picks, 40)
    demo.scenario("d3_rotation", "collusion", "three organisations take turns for one owner (C → D → E → C → …)",
                  "flag", refs, f"{OWNERS[owner_key].name}: twelve monthly selections rotating Minh Họa C, D, E.")


# ---------------------------------------------------------------------------------------------------------------
# D2: missing land-parcel details (dgts auction notices)
# ---------------------------------------------------------------------------------------------------------------

def add_parcel_details(demo: Demo) -> None:
    o, org = OWNERS, ORGS
    add = demo.auctions.append
    where_gl = "thôn Minh Họa, xã Minh Họa, tỉnh Gia Lai"

    add(auction_notice(9000101, o["kv95"], org["B"], [AuctionLot(
        land(245, 12, "150,5", where_gl, "đất ở tại nông thôn, thời hạn sử dụng: lâu dài", "ông Nguyễn Văn Mẫu")
        + "; Giấy chứng nhận quyền sử dụng đất số CS 000245", where_gl, 780_000_000, 156_000_000, 500_000,
        quality="Đất có nhà cấp 4 xuống cấp", type_id=178)], auction_schedule("2026-06-18", "08:47:12")))
    demo.scenario("d2_complete_land_lot", "parcel_details", "clean control: parcel number, map sheet, area and "
                  "location all stated", "no_flag", [ref_auc(9000101)], "Thửa 245, tờ 12, 150,5 m2, full address.")

    add(auction_notice(9000102, o["kv95"], org["D"], [AuctionLot(
        "Quyền sử dụng đất thửa đất số 88, diện tích 320 m2, đất trồng cây lâu năm, của bà Trần Thị Mẫu",
        "thôn Minh Họa, xã Minh Họa Bắc, tỉnh Gia Lai", 265_000_000, 53_000_000, 200_000, type_id=178)],
        auction_schedule("2026-06-19", "09:31:05")))
    demo.scenario("d2_missing_map_sheet", "parcel_details", "land lot without the map sheet (tờ bản đồ)", "flag",
                  [ref_auc(9000102)], "Thửa 88, 320 m2, address given; no tờ bản đồ anywhere.")

    add(auction_notice(9000103, o["kv96"], org["D"], [AuctionLot(
        "Quyền sử dụng đất thửa đất số 17, tờ bản đồ số 5, đất ở tại đô thị, của ông Lê Văn Thử",
        "khóm Minh Họa, phường Minh Họa, tỉnh Đồng Tháp", 1_540_000_000, 308_000_000, 500_000, type_id=178)],
        auction_schedule("2026-06-22", "10:12:40")))
    demo.scenario("d2_missing_area", "parcel_details", "land lot without its area (diện tích)", "flag",
                  [ref_auc(9000103)], "Thửa 17, tờ 5, address given; no area.")

    add(auction_notice(9000104, o["ubnd_ld"], org["A"], [AuctionLot(
        "Quyền sử dụng đất thửa đất số 301, tờ bản đồ số 14, diện tích 1.250 m2, đất trồng lúa",
        "Theo hồ sơ pháp lý của tài sản", 690_000_000, 138_000_000, 500_000, type_id=173)],
        auction_schedule("2026-06-23", "14:05:56")))
    demo.scenario("d2_missing_location", "parcel_details", "land lot without a location (vị trí/địa chỉ)", "flag",
                  [ref_auc(9000104)], "Thửa 301, tờ 14, 1.250 m2; propertyPlace only says 'Theo hồ sơ pháp lý'.")

    rules_pdf = text_pdf("QUY CHẾ CUỘC ĐẤU GIÁ TÀI SẢN (DỮ LIỆU GIẢ LẬP)", [
        "Tổ chức đấu giá: Công ty Đấu giá hợp danh Minh Họa E.",
        "Người có tài sản: Ngân hàng Thương mại cổ phần Minh Họa.",
        "Điều 1. Tài sản đấu giá",
        "Quyền sử dụng đất thửa đất số 311, tờ bản đồ số 9, diện tích 500 m2,",
        "mục đích sử dụng: đất trồng cây lâu năm, thời hạn sử dụng đến năm 2065,",
        "tại ấp Minh Họa, xã Minh Họa, tỉnh Đồng Nai.",
        "Giấy chứng nhận quyền sử dụng đất số DL 000311.",
        "Giá khởi điểm: 1.050.000.000 đồng. Tiền đặt trước: 210.000.000 đồng.",
        BODY_NOTE,
    ])
    add(auction_notice(9000105, o["bank"], org["E"], [AuctionLot(
        "Quyền sử dụng đất diện tích 500 m2 tại ấp Minh Họa, xã Minh Họa, tỉnh Đồng Nai (chi tiết thửa đất theo Quy "
        "chế cuộc đấu giá đính kèm)", "ấp Minh Họa, xã Minh Họa, tỉnh Đồng Nai", 1_050_000_000, 210_000_000, 500_000,
        type_id=174)], auction_schedule("2026-06-24", "15:44:21"),
        files=[dgts_file(900010500, "Quy che cuoc dau gia 9000105.pdf", rules_pdf)]))
    demo.scenario("d2_parcel_numbers_in_pdf", "parcel_details", "parcel number and map sheet missing from the notice "
                  "but stated in the attached PDF (text layer): complete once the attachment is read", "no_flag",
                  [ref_auc(9000105)], "The lot text has area and address only; 'Quy che cuoc dau gia 9000105.pdf' "
                  "gives thửa 311, tờ 9. Without attachment text the lot would miss parcel_no and map_sheet.")

    add(auction_notice(9000106, o["kv95"], org["B"], [AuctionLot(
        "Xe ô tô con nhãn hiệu Toyota Vios, biển kiểm soát 81A-000.06, màu bạc, sản xuất năm 2018, của ông Đỗ Văn Ví Dụ",
        "Kho vật chứng Minh Họa, xã Minh Họa, tỉnh Gia Lai", 215_000_000, 43_000_000, 200_000,
        quality="Xe đã qua sử dụng", type_id=178)], auction_schedule("2026-06-25", "09:02:37", reg_days=10)))
    demo.scenario("d2_vehicle_not_land", "parcel_details", "clean control: a vehicle lot is not land, so no parcel "
                  "fields are required", "no_flag", [ref_auc(9000106)], "Toyota Vios 81A-000.06.")


# ---------------------------------------------------------------------------------------------------------------
# D3 (auction side): relist chain, deposits, dossier fee, registration and auction dates
# ---------------------------------------------------------------------------------------------------------------

RELIST_ROUNDS = (  # (notice id, publication day, clock, start price, organisation)
    (9000201, "2025-11-03", "09:10:22", 2_000_000_000, "D"),
    (9000202, "2025-12-15", "10:05:47", 1_800_000_000, "D"),
    (9000203, "2026-01-26", "08:55:03", 1_629_000_000, "D"),
    (9000204, "2026-03-09", "14:30:38", 1_466_100_000, "D"),
    (9000205, "2026-04-20", "09:40:16", 1_319_490_000, "D"),
    (9000206, "2026-06-22", "15:12:29", 1_055_592_000, "E"),
)


def add_auction_patterns(demo: Demo) -> None:
    o, org = OWNERS, ORGS
    add = demo.auctions.append
    place = "thôn Minh Họa, xã Minh Họa Tây, tỉnh Gia Lai"
    chain = []
    for round_no, (notice_id, published, clock, price, letter) in enumerate(RELIST_ROUNDS, start=1):
        if letter == "E":
            name = ("Quyền sử dụng đất tại thửa đất số 402, tờ bản đồ số 15 (diện tích 1.250 m2, đất trồng cây lâu "
                    "năm), thôn Minh Họa, xã Minh Họa Tây, tỉnh Gia Lai; người phải thi hành án: ông Nguyễn Văn Mẫu")
        else:
            name = land(402, 15, "1.250", place, "đất trồng cây lâu năm", "ông Nguyễn Văn Mẫu")
        note = "Đấu giá lần đầu" if round_no == 1 else f"Đấu giá lần thứ {round_no} sau khi giảm giá"
        add(auction_notice(notice_id, o["kv95"], org[letter], [AuctionLot(
            name, place, price, price // 10, 500_000, detail=note, type_id=178)], auction_schedule(published, clock)))
        chain.append(ref_auc(notice_id))
    demo.scenario("d3_relist_cut_beyond_10_percent", "collusion", "relist chain: price cuts of ~10 % per failed round, "
                  "then a 20 % cut (THADS allows <= 10 % per cut) and a new organisation", "flag", chain,
                  "Thửa 402 tờ 15: 2.000 → 1.800 → 1.629 → 1.466,1 → 1.319,49 million (Minh Họa D), then "
                  "1.055,592 million (-20 %) under Minh Họa E.")

    add(auction_notice(9000301, o["market_ls"], org["F"], [AuctionLot(
        "Lô hàng tịch thu: 1.200 kg hạt điều nhân không rõ nguồn gốc", "Kho tang vật Minh Họa, phường Minh Họa, tỉnh "
        "Lạng Sơn", 95_000_000, 30, 100_000, deposit_unit=1, quality="Hàng còn nguyên bao bì", type_id=180)],
        auction_schedule("2026-06-22", "11:18:09", reg_days=12)))
    demo.scenario("d3_deposit_30_percent", "collusion", "deposit above the 20 % ceiling (Luật ĐGTS Điều 39)", "flag",
                  [ref_auc(9000301)], "Deposit 30 % (depositUnit 1) of 95 million.")

    add(auction_notice(9000302, o["bank"], org["B"], [AuctionLot(
        "Xe ô tô tải Hino, biển kiểm soát 51C-000.02, sản xuất năm 2019 (tài sản bảo đảm)", "Bãi xe Minh Họa, xã "
        "Minh Họa, Thành phố Hồ Chí Minh", 420_000_000, 8_400_000, 200_000, quality="Xe đã qua sử dụng", type_id=174)],
        auction_schedule("2026-06-23", "10:27:33", reg_days=12)))
    demo.scenario("d3_deposit_2_percent", "collusion", "deposit below the 5 % floor (Luật ĐGTS Điều 39)", "flag",
                  [ref_auc(9000302)], "Deposit 8.400.000 đ (depositUnit 0) = 2 % of 420 million.")

    add(auction_notice(9000303, o["enterprise_green"], org["A"], [AuctionLot(
        "Máy xúc đào bánh xích Komatsu PC200, sản xuất năm 2012", "Lô 22 khu công nghiệp Minh Họa, tỉnh Bắc Ninh",
        150_000_000, 22_500_000, 1_000_000, quality="Máy đã qua sử dụng", type_id=182)],
        auction_schedule("2026-06-24", "16:02:51", reg_days=12)))
    demo.scenario("d3_dossier_fee_too_high", "collusion", "dossier fee far above the cap for the price band "
                  "(1.000.000 đ on a 150-million start price; cap 100.000–200.000 đ)", "flag", [ref_auc(9000303)],
                  "fileCost 1.000.000 on propertyStartPrice 150.000.000.")

    sunday = auction_schedule("2026-06-25", "08:33:18", reg_days=12)
    sunday = Schedule(sunday.published, sunday.reg_start, at("2026-07-12", "11:30:00"), at("2026-07-15", "09:00:00"))
    add(auction_notice(9000304, o["health_kh"], org["C"], [AuctionLot(
        "Xe ô tô Mitsubishi Pajero, biển kiểm soát 79A-000.04, sản xuất năm 2008", "Trung tâm Y tế Minh Họa, phường "
        "Minh Họa, tỉnh Khánh Hòa", 68_000_000, 10_200_000, 100_000, quality="Xe đã qua sử dụng", type_id=176)],
        sunday))
    demo.scenario("d3_registration_closes_sunday", "collusion", "registration window closes on a Sunday: the "
                  "deadline rolls to Monday (Bộ luật Dân sự Điều 148 k5), so it keeps nobody out", "no_flag",
                  [ref_auc(9000304)], "aucRegTimeEnd Sunday 12/7/2026 11:30; auction Wednesday 15/7.")

    quick = auction_schedule("2026-06-26", "10:48:02", reg_days=12)
    quick = Schedule(quick.published, quick.reg_start, at("2026-07-09", "17:00:00"), at("2026-07-10", "08:30:00"))
    add(auction_notice(9000305, o["kv94"], org["D"], [AuctionLot(
        "Xe ô tô tải Isuzu, biển kiểm soát 70C-000.05, sản xuất năm 2016, của bà Phạm Thị Thử",
        "Kho vật chứng Minh Họa, xã Minh Họa, tỉnh Tây Ninh", 310_000_000, 62_000_000, 200_000,
        quality="Xe đã qua sử dụng", type_id=178)], quick))
    demo.scenario("d3_auction_day_after_registration", "collusion", "auction the day after registration closes "
                  "(registration must end 2 days before)", "flag", [ref_auc(9000305)],
                  "aucRegTimeEnd Thu 9/7/2026 17:00; aucTime Fri 10/7 08:30.")


# ---------------------------------------------------------------------------------------------------------------
# Events after demo_clock(): take-down, second publication, edits, next-day records
# ---------------------------------------------------------------------------------------------------------------

def add_after_clock_events(demo: Demo) -> None:
    o, org = OWNERS, ORGS
    lots = [Lot(land(66, 8, "180", "ấp Minh Họa, xã Minh Họa Nam, tỉnh An Giang", "đất ở tại nông thôn")
                + " (lô đất số LK-16)", 540_000_000, type_name=TYPE_NAMES[173])]
    edit = shortened_window_edit(o["ubnd_ag"], lots, "2026-07-02", "2026-07-06", "2026-07-02T16:00:00+07:00")
    demo.selection.append(selection_notice(900016, o["ubnd_ag"], lots, ("2026-07-01", "08:45:12"),
                                           ("2026-07-02", "2026-07-10"), sim={"edits": [edit]}))
    demo.selection.append(selection_result(990016, o["ubnd_ag"], org["C"], lots, ("2026-07-03", "09:10:05"),
                                           "2026-07-03", 90))
    demo.scenario("d1_after_clock_shortened_window", "premature_scoring", "window shortened on 2/7 16:00 "
                  "(CHANGED + WINDOW_CHANGED on the next crawl) and a result on 3/7 before even the new end",
                  "flag", [ref_sel(900016), ref_res(990016)],
                  "Published 1/7, window 2/7–10/7; at 2/7 16:00 the end becomes 6/7; result 990016 appears 3/7 "
                  "09:10 (advance the clock one day).")

    add = demo.auctions.append
    add(auction_notice(9000401, o["kv92"], org["C"], [AuctionLot(
        "Xe mô tô Honda SH 150i, biển kiểm soát 60B1-000.01, sản xuất năm 2020, của ông Lê Văn Thử",
        "Kho vật chứng Minh Họa, xã Minh Họa Bắc, tỉnh Đồng Nai", 62_000_000, 9_300_000, 100_000,
        quality="Xe đã qua sử dụng", type_id=178)], auction_schedule("2026-07-01", "10:15:33", reg_days=12),
        sim={"taken_down_at": "2026-07-02T17:30:00+07:00"}))
    demo.scenario("history_take_down", "history", "notice taken down after demo_clock(): DELISTED on the next "
                  "complete crawl", "event", [ref_auc(9000401)], "Published 1/7 10:15, taken down 2/7 17:30.")

    add(auction_notice(9000402, o["kv93"], org["F"], [AuctionLot(
        land(905, 30, "96,8", "khu vực Minh Họa, phường Minh Họa, thành phố Cần Thơ", "đất ở tại đô thị",
             "bà Bùi Thị Minh Họa"), "khu vực Minh Họa, phường Minh Họa, thành phố Cần Thơ", 1_720_000_000,
        344_000_000, 500_000, type_id=178)], auction_schedule("2026-06-29", "09:00:26"),
        sim={"second_publication_at": "2026-07-03T08:30:00+07:00"}))
    demo.scenario("history_second_publication", "history", "second posting after demo_clock(): SECOND_PUBLICATION",
                  "event", [ref_auc(9000402)], "Published 29/6 09:00; posted a second time 3/7 08:30 (publishTime2).")

    add(auction_notice(9000403, o["enterprise_south"], org["F"], [AuctionLot(
        "Hệ thống máy nén khí trục vít Atlas Copco GA75, sản xuất năm 2014", "Lô 21 khu công nghiệp Minh Họa, "
        "Thành phố Hồ Chí Minh", 180_000_000, 27_000_000, 100_000, quality="Máy đã qua sử dụng", type_id=326)],
        auction_schedule("2026-06-30", "14:20:57", reg_days=12),
        sim={"edits": [{"at": "2026-07-02T20:00:00+07:00", "set": {
            "property_info.0.propertyStartPrice": 162_000_000, "property_info.0.deposit": 24_300_000,
            "property_info.0.strDeposit": vnd(24_300_000)}}]}))
    demo.scenario("history_edit", "history", "start price and deposit edited after demo_clock(): CHANGED",
                  "event", [ref_auc(9000403)], "On 2/7 20:00 the start price drops from 180 to 162 million.")


# ---------------------------------------------------------------------------------------------------------------
# THADS notices
# ---------------------------------------------------------------------------------------------------------------

def add_thads(demo: Demo) -> None:
    add = demo.thads.append
    hcm, gl, ct = THADS_OFFICES["tphochiminh"], THADS_OFFICES["binhdinh"], THADS_OFFICES["cantho"]
    hcm_asset = ("Quyền sử dụng đất và nhà ở gắn liền với đất tại thửa đất số 455, tờ bản đồ số 31, diện tích 86,4 "
                 "m2, địa chỉ: số 12 đường Minh Họa, phường Minh Họa, Thành phố Hồ Chí Minh")
    add(thads_notice("tphochiminh", 9101, "Thông báo về việc lựa chọn tổ chức đấu giá tài sản", "2026-06-19",
                     thads_body(hcm, "971/TB-THADS", day("2026-06-19"), "Về việc lựa chọn tổ chức đấu giá tài sản", [
                         "Căn cứ Luật Thi hành án dân sự; Căn cứ Luật Đấu giá tài sản và các văn bản hướng dẫn thi hành;",
                         f"{hcm.owner.name} thông báo lựa chọn tổ chức đấu giá tài sản như sau:",
                         f"1. Tên, địa chỉ của người có tài sản đấu giá: {hcm.owner.name}, địa chỉ: {hcm.owner.address}.",
                         f"2. Tên tài sản đấu giá: {hcm_asset}.",
                         "Giá khởi điểm: 4.250.000.000 đồng (Bằng chữ: Bốn tỷ hai trăm năm mươi triệu đồng).",
                         "Người phải thi hành án: bà Trần Thị Mẫu, địa chỉ: số 12 đường Minh Họa, phường Minh Họa, "
                         "Thành phố Hồ Chí Minh.",
                         "3. Tiêu chí lựa chọn tổ chức đấu giá tài sản: theo quy định tại Điều 56 Luật Đấu giá tài sản "
                         "và Thông tư số 02/2022/TT-BTP.",
                         "4. Thời gian, địa điểm nộp hồ sơ:",
                         "- Thời gian nộp hồ sơ: từ ngày 22/6/2026 đến hết ngày 26/6/2026 (trong giờ hành chính).",
                         f"- Địa điểm nộp hồ sơ: {hcm.owner.address}.",
                     ])))
    add(thads_notice("tphochiminh", 9102, "Thông báo kết quả lựa chọn tổ chức đấu giá tài sản", "2026-06-29",
                     thads_body(hcm, "1003/TB-THADS", day("2026-06-29"), "Kết quả lựa chọn tổ chức đấu giá tài sản", [
                         "Căn cứ Thông báo số 971/TB-THADS về việc lựa chọn tổ chức đấu giá tài sản;",
                         f"Ngày 24/6/2026, {hcm.owner.name} đã tiến hành chấm điểm hồ sơ của các tổ chức đấu giá tài "
                         "sản đăng ký tham gia lựa chọn.",
                         f"Tài sản: {hcm_asset}; người phải thi hành án: bà Trần Thị Mẫu.",
                         "I. KẾT QUẢ LỰA CHỌN",
                         f"1. Tên, địa chỉ tổ chức đấu giá tài sản được lựa chọn: {ORGS['A'].name}, địa chỉ: "
                         f"{ORGS['A'].address}.",
                         "2. Tổng số điểm của tổ chức đấu giá tài sản được lựa chọn: 91/100 điểm.",
                         "3. Tổ chức đấu giá tài sản bị từ chối xem xét, đánh giá hồ sơ: Không.",
                         "II. KẾT QUẢ CHẤM ĐIỂM: Cơ sở vật chất 21 điểm; Phương án đấu giá 20 điểm; Năng lực, kinh "
                         "nghiệm 41 điểm; Thù lao, chi phí 5 điểm; Tiêu chí khác 4 điểm.",
                     ])))
    demo.scenario("thads_scoring_before_window_end", "premature_scoring", "THADS result whose scoring date precedes "
                  "the window end stated in its selection notice", "flag",
                  [ref_thads("tphochiminh", 9101), ref_thads("tphochiminh", 9102)],
                  "Notice 971/TB-THADS: dossiers 22/6–26/6/2026; result 1003/TB-THADS: scored 24/6, Minh Họa A.")

    add(thads_notice("binhdinh", 9201, "Thông báo về việc lựa chọn tổ chức thẩm định giá tài sản", "2026-06-23",
                     thads_body(gl, "951/TB-THADS", day("2026-06-23"), "Về việc lựa chọn tổ chức thẩm định giá tài sản", [
                         f"{gl.owner.name} thông báo lựa chọn tổ chức thẩm định giá để ký hợp đồng dịch vụ thẩm định "
                         "giá tài sản kê biên như sau:",
                         "1. Tài sản cần thẩm định giá: 01 xe ô tô tải Thaco, biển kiểm soát 81C-000.01, sản xuất năm "
                         "2017, của ông Lê Văn Thử.",
                         "Người phải thi hành án: ông Lê Văn Thử.",
                         "2. Yêu cầu: tổ chức thẩm định giá có Giấy chứng nhận đủ điều kiện kinh doanh dịch vụ thẩm "
                         "định giá do Bộ Tài chính cấp.",
                         "3. Thời gian nộp hồ sơ: từ ngày 24/6/2026 đến hết ngày 30/6/2026.",
                         f"4. Địa điểm nộp hồ sơ: {gl.owner.address}.",
                     ])))
    add(thads_notice("binhdinh", 9205, "Thông báo kết quả lựa chọn tổ chức thẩm định giá tài sản", "2026-07-03",
                     thads_body(gl, "968/TB-THADS", day("2026-07-03"), "Kết quả lựa chọn tổ chức thẩm định giá tài sản", [
                         "Căn cứ Thông báo số 951/TB-THADS về việc lựa chọn tổ chức thẩm định giá tài sản;",
                         f"Ngày 01/7/2026, {gl.owner.name} đã tiến hành chấm điểm hồ sơ của các tổ chức thẩm định giá.",
                         "Tài sản: 01 xe ô tô tải Thaco, biển kiểm soát 81C-000.01, của ông Lê Văn Thử.",
                         f"Tổ chức thẩm định giá được lựa chọn: {VALUATION_ORG.name}, địa chỉ: {VALUATION_ORG.address}.",
                     ])))
    demo.scenario("thads_valuation_selection", "premature_scoring", "clean control: a valuation-organisation "
                  "selection (classified apart from auction-organisation selections); its result is scored after "
                  "the window and appears only on 3/7, after demo_clock()", "no_flag",
                  [ref_thads("binhdinh", 9201), ref_thads("binhdinh", 9205)],
                  "Valuation notice 951/TB-THADS (24/6–30/6); result 968/TB-THADS dated 3/7, scored 1/7.")

    add(thads_notice("binhdinh", 9202, "Thông báo về việc bán đấu giá tài sản", "2026-06-25",
                     thads_body(gl, "957/TB-THADS", day("2026-06-25"), "Về việc bán đấu giá tài sản", [
                         f"1. Người có tài sản đấu giá: {gl.owner.name}, địa chỉ: {gl.owner.address}.",
                         f"2. Tổ chức đấu giá tài sản: {ORGS['B'].name}, địa chỉ: {ORGS['B'].address}.",
                         "3. Tài sản bán đấu giá: Quyền sử dụng đất thửa đất số 56, tờ bản đồ số 23, đất ở tại nông "
                         "thôn, tọa lạc tại thôn Minh Họa, xã Minh Họa Đông, tỉnh Gia Lai, của ông Hoàng Văn Giả.",
                         "Giá khởi điểm: 850.000.000 đồng. Tiền đặt trước: 170.000.000 đồng.",
                         "Người phải thi hành án: ông Hoàng Văn Giả.",
                         "4. Thời gian đăng ký tham gia đấu giá: từ ngày 26/6/2026 đến 17 giờ 00 ngày 13/7/2026.",
                         "5. Thời gian tổ chức cuộc đấu giá: 09 giờ 00 ngày 16/7/2026 tại trụ sở tổ chức đấu giá.",
                     ])))
    demo.scenario("thads_land_without_area", "parcel_details", "THADS auction notice: land parcel without area",
                  "flag", [ref_thads("binhdinh", 9202)], "Thửa 56, tờ 23, address given; no diện tích.")

    add(thads_notice("binhdinh", 9203, "Thông báo về việc lựa chọn tổ chức đấu giá tài sản", "2026-06-18",
                     thads_body(gl, "948/TB-THADS", day("2026-06-18"), "Về việc lựa chọn tổ chức đấu giá tài sản", [
                         f"1. Tên, địa chỉ của người có tài sản đấu giá: {gl.owner.name}, địa chỉ: {gl.owner.address}.",
                         "2. Tên tài sản đấu giá: Quyền sử dụng đất thửa đất số 143, tờ bản đồ số 8, diện tích 260 m2, "
                         "đất ở tại nông thôn, tại thôn Minh Họa, xã Minh Họa, tỉnh Gia Lai.",
                         "Giá khởi điểm: 640.000.000 đồng.",
                         "Người phải thi hành án: bà Phạm Thị Thử.",
                         "3. Thời gian nộp hồ sơ: từ ngày 19/6/2026 đến hết ngày 25/6/2026.",
                     ])))
    add(thads_notice("binhdinh", 9204, "Thông báo kết quả lựa chọn tổ chức đấu giá tài sản", "2026-06-29",
                     thads_body(gl, "962/TB-THADS", day("2026-06-29"), "Kết quả lựa chọn tổ chức đấu giá tài sản", [
                         "Căn cứ Thông báo số 948/TB-THADS về việc lựa chọn tổ chức đấu giá tài sản;",
                         f"Ngày 26/6/2026, {gl.owner.name} đã tiến hành chấm điểm hồ sơ đăng ký tham gia lựa chọn.",
                         "Tài sản: Quyền sử dụng đất thửa đất số 143, tờ bản đồ số 8, diện tích 260 m2, tại thôn "
                         "Minh Họa, xã Minh Họa, tỉnh Gia Lai; người phải thi hành án: bà Phạm Thị Thử.",
                         f"1. Tên, địa chỉ tổ chức đấu giá tài sản được lựa chọn: {ORGS['D'].name}, địa chỉ: "
                         f"{ORGS['D'].address}.",
                         "2. Tổng số điểm của tổ chức đấu giá tài sản được lựa chọn: 94/100 điểm.",
                     ])))
    demo.scenario("thads_clean_pair", "premature_scoring", "clean control: THADS selection (19/6–25/6) scored "
                  "26/6, result posted 29/6", "no_flag", [ref_thads("binhdinh", 9203), ref_thads("binhdinh", 9204)],
                  "948/TB-THADS and its result 962/TB-THADS.")

    scan_lines = [
        "THI HÀNH ÁN DÂN SỰ THÀNH PHỐ CẦN THƠ",
        "PHÒNG THI HÀNH ÁN DÂN SỰ KHU VỰC 93",
        "Số: 936/TB-THADS",
        "",
        "THÔNG BÁO BÁN ĐẤU GIÁ TÀI SẢN (DỮ LIỆU GIẢ LẬP)",
        "",
        "Tài sản: Quyền sử dụng đất thửa đất số 612, tờ bản đồ số 18,",
        "diện tích 180,2 m2, đất ở tại đô thị, tọa lạc tại khu vực Minh Họa,",
        "phường Minh Họa, thành phố Cần Thơ; của bà Võ Thị Giả.",
        "Giá khởi điểm: 2.160.000.000 đồng.",
        "Tiền đặt trước: 432.000.000 đồng.",
        f"Tổ chức đấu giá: {ORGS['F'].name}.",
        "Thời gian tổ chức cuộc đấu giá: 09 giờ 00 ngày 20/7/2026.",
    ]
    add(thads_notice("cantho", 9301, "Thông báo về việc bán đấu giá tài sản kê biên", "2026-06-26",
                     thads_body(ct, "936/TB-THADS", day("2026-06-26"), "Về việc bán đấu giá tài sản kê biên", [
                         f"{ct.owner.name} thông báo bán đấu giá tài sản kê biên của bà Võ Thị Giả.",
                         "Tài sản bán đấu giá: Quyền sử dụng đất tại phường Minh Họa, thành phố Cần Thơ (số thửa, số tờ "
                         "bản đồ, diện tích theo văn bản đính kèm).",
                         "Thông tin chi tiết về tài sản, giá khởi điểm, thời gian và địa điểm tổ chức đấu giá xem tại "
                         "văn bản đính kèm.",
                     ]),
                     [{"name": "TB ban dau gia 936.pdf", "content_type": "application/pdf",
                       "content_b64": b64(scanned_pdf(scan_lines))}]))
    demo.scenario("thads_scanned_attachment", "parcel_details", "parcel details only in a scanned PDF (no text layer): "
                  "complete after OCR, 'insufficient' without it", "no_flag", [ref_thads("cantho", 9301)],
                  "The body names the land and its ward but refers to the attachment for parcel, sheet and area; the "
                  "image-only PDF gives thửa 612, tờ 18, 180,2 m2.")

    match_asset = land(789, 21, "245,6", "khu vực Minh Họa, phường Minh Họa, thành phố Cần Thơ", "đất ở tại đô thị",
                       "ông Nguyễn Văn Mẫu")
    lots = [Lot(match_asset, 1_960_000_000, type_name=TYPE_NAMES[178])]
    demo.selection.append(selection_notice(900015, OWNERS["kv93"], lots, ("2026-06-22", "09:30:18"),
                                           ("2026-06-23", "2026-06-29")))
    add(thads_notice("cantho", 9302, "Thông báo về việc lựa chọn tổ chức đấu giá tài sản", "2026-06-22",
                     thads_body(ct, "931/TB-THADS", day("2026-06-22"), "Về việc lựa chọn tổ chức đấu giá tài sản", [
                         f"1. Tên, địa chỉ của người có tài sản đấu giá: {ct.owner.name}, địa chỉ: {ct.owner.address}.",
                         f"2. Tên tài sản đấu giá: {match_asset}.",
                         "Giá khởi điểm: 1.960.000.000 đồng.",
                         "Người phải thi hành án: ông Nguyễn Văn Mẫu.",
                         "3. Tiêu chí lựa chọn: theo Thông tư số 02/2022/TT-BTP.",
                         "4. Thời gian nộp hồ sơ: từ ngày 23/6/2026 đến hết ngày 29/6/2026.",
                     ])))
    demo.scenario("thads_matches_dgts_selection", "linking", "the same selection published on THADS (cantho 9302) "
                  "and on dgts (900015): same office, debtor and parcel", "no_flag",
                  [ref_thads("cantho", 9302), ref_sel(900015)],
                  "Phòng THADS khu vực 93 - Cần Thơ, ông Nguyễn Văn Mẫu, thửa 789 tờ 21; window 23/6–29/6 on both.")


# ---------------------------------------------------------------------------------------------------------------
# Build and write
# ---------------------------------------------------------------------------------------------------------------

SCENARIOS: list[Scenario] = []
# Rule names as the detectors report them (detectors/premature_scoring/, parcel_details.py, collusion/).
RULE_IDS = {
    "d1_result_before_window_end": "result_before_window_end",
    "d1_scoring_date_in_text_before_window_end": "result_before_window_end",
    "d1_auction_notice_before_window_end": "auction_notice_before_window_end",
    "d1_window_two_working_days_weekend": "short_window",
    "d1_window_over_tet": "short_window",
    "d1_window_over_30_4_1_5": "short_window",
    "d1_rushed_result": "rushed_result",
    "d1_result_without_notice": "result_without_notice",
    "d1_window_shortened_after_publication": "window_changed_after_publication",
    "d1_ambiguous_result": "result_before_window_end",
    "d1_after_clock_shortened_window": "window_changed_after_publication",
    "thads_scoring_before_window_end": "result_before_window_end",
    "d2_missing_map_sheet": "missing_parcel_fields",
    "d2_missing_area": "missing_parcel_fields",
    "d2_missing_location": "missing_parcel_fields",
    "thads_land_without_area": "missing_parcel_fields",
    "d3_owner_concentration": "repeat_selection",
    "d3_rotation": "rotation",
    "d3_relist_cut_beyond_10_percent": "relist_chain",
    "d3_deposit_30_percent": "exclusionary_terms",
    "d3_deposit_2_percent": "exclusionary_terms",
    "d3_dossier_fee_too_high": "exclusionary_terms",
    "d3_auction_day_after_registration": "exclusionary_terms",
    "history_take_down": "DELISTED",
    "history_second_publication": "SECOND_PUBLICATION",
    "history_edit": "CHANGED",
}


def build_documents() -> dict[str, list[dict[str, Any]]]:
    """All made-up documents by output file name (sorted by kind and id); also refreshes `SCENARIOS`."""
    demo = Demo()
    add_premature_scoring(demo)
    add_selection_history(demo)
    add_parcel_details(demo)
    add_auction_patterns(demo)
    add_after_clock_events(demo)
    add_thads(demo)
    SCENARIOS[:] = [replace(s, rule_id=RULE_IDS.get(s.key)) for s in demo.scenarios]
    return {
        SELECTION_FILE: sorted(demo.selection, key=lambda d: (d["kind"], d["id"])),
        THADS_FILE: sorted(demo.thads, key=lambda d: (d["site"], d["item_id"])),
        AUCTION_FILE: sorted(demo.auctions, key=lambda d: d["id"]),
    }


def dump_jsonl(documents: Iterable[dict[str, Any]]) -> str:
    return "".join(json.dumps(document, ensure_ascii=False) + "\n" for document in documents)


def write_demo_files(out_dir: Path | str = DEFAULT_OUT) -> list[Path]:
    """Write the made-up JSONL files into `out_dir` (created if needed); returns their paths."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, documents in build_documents().items():
        path = folder / name
        path.write_text(dump_jsonl(documents), encoding="utf-8", newline="\n")
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Rewrite the made-up demo records (portal dataset JSONL).")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="Output folder (default: this package).")
    args = parser.parse_args(argv)
    for path in write_demo_files(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
