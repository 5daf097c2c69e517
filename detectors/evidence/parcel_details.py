"""Evidence declaration of the parcel-details detector (D2): the parcel fields found and missing, in Vietnamese."""

from __future__ import annotations

from detectors.evidence.fields import (
    Declaration,
    Phrases,
    RuleEvidence,
    area,
    code,
    fact,
    group,
    ident,
    ordinal,
    text,
)
from detectors.evidence.words import CLASS_REASONS, NOTICE_KINDS, PARCEL_FIELDS, TEXT_SOURCES, UNREAD_ATTACHMENT

REASONS = Phrases({"attachments not downloaded or not extracted may state the missing fields":
                   "tệp đính kèm chưa tải về hoặc chưa đọc được có thể ghi các thông tin còn thiếu"})


def _found(key: str, label: str, value_kind=text, many: bool = False):
    return group(key, label, value_kind("value", "Giá trị", many=many), code("source", "Nguồn", TEXT_SOURCES))


MISSING_PARCEL_FIELDS = RuleEvidence(
    fields=(
        code("missing", "Còn thiếu", PARCEL_FIELDS, many=True),
        group("found", "Thông tin đã có",
              _found("parcel_no", "Số thửa", many=True),
              _found("map_sheet", "Số tờ bản đồ", many=True),
              _found("area_m2", "Diện tích", area),
              _found("location", "Vị trí/địa chỉ"),
              _found("certificate", "Số giấy chứng nhận"),
              _found("land_use_purpose", "Mục đích sử dụng"),
              _found("use_term", "Thời hạn sử dụng")),
        code("unread_attachments", "Tệp đính kèm chưa đọc được", UNREAD_ATTACHMENT, many=True),
        code("reason", "Lý do chưa kết luận được", REASONS),
        ident("notice", "Thông báo (mã)"),
        code("notice_kind", "Loại thông báo", NOTICE_KINDS),
        ordinal("lot_index", "Lô số"),
        code("required", "Thông tin bắt buộc", PARCEL_FIELDS, many=True, email=False),
        code("land_reason", "Vì sao là đất", CLASS_REASONS, email=False),
        code("sources_read", "Đã đọc", TEXT_SOURCES, many=True, email=False),
    ),
    facts=(fact("Lô đất không nêu {missing}"),),
    summary=(fact("Không nêu {missing}"),),
    reasons=("reason",),
)

DECLARATION = Declaration({"missing_parcel_fields": MISSING_PARCEL_FIELDS})
