"""Evidence declaration of the premature-scoring detector (D1): its fields in Vietnamese and its headline facts."""

from __future__ import annotations

from detectors.evidence.fields import (
    Declaration,
    Phrases,
    RuleEvidence,
    code,
    count,
    day,
    fact,
    fraction,
    group,
    hidden,
    ident,
    link,
    moment,
    number,
    text,
    yesno,
)
from detectors.evidence.words import NOTICE_KINDS

# detectors.linking: why a result was matched to a notice
LINK_REASONS = Phrases({
    "same owner": "cùng người có tài sản",
    "same owner (normalised name)": "cùng người có tài sản (tên viết khác nhau)",
    "owner unknown on one side": "một bên không ghi người có tài sản",
    "owner names similar ({n:num})": "tên người có tài sản gần giống ({n}/100)",
    "asset similarity {n:num}": "tên tài sản giống {n}/100",
    "numbers differ ({a} vs {b})": "số hiệu trong tên tài sản khác nhau ({a} và {b})",
    "start price unknown": "chưa biết giá khởi điểm",
    "same start price": "cùng giá khởi điểm",
    "start prices differ": "giá khởi điểm khác nhau",
    "result cites notice number {number}": "kết quả dẫn số thông báo {number}",
    "notice published {n:num} days before the result": "thông báo đăng {n} ngày trước kết quả",
    "publication time unknown on one side": "một bên không rõ thời điểm đăng",
    "portal link id": "Cổng ghi mã liên kết giữa kết quả và thông báo",
})
LINK_STATUS = Phrases({
    "linked": "theo mã liên kết của Cổng", "matched": "ghép theo người có tài sản và tên tài sản",
    "ambiguous": "nhiều thông báo giống nhau như nhau, chưa ghép được", "none": "không tìm thấy thông báo nào",
})
LINK_NOTE = Phrases({"portal link id {id}: notice not in the database":
                     "Cổng ghi mã thông báo {id} nhưng hệ thống chưa lưu thông báo này"})

LINK = group(
    "link", "Ghép với thông báo lựa chọn",
    code("status", "Cách ghép", LINK_STATUS),
    ident("notice", "Thông báo lựa chọn"),
    fraction("confidence", "Độ tin cậy"),
    code("reasons", "Căn cứ ghép", LINK_REASONS, many=True),
    code("note", "Ghi chú", LINK_NOTE),
    group("candidates", "Thông báo có thể tương ứng",
          ident("notice", "Thông báo"),
          fraction("confidence", "Độ tin cậy"),
          code("reasons", "Căn cứ", LINK_REASONS, many=True),
          number("asset_similarity", "Độ giống tên tài sản", unit="/100"),
          number("owner_similarity", "Độ giống tên người có tài sản", unit="/100"),
          yesno("price_match", "Cùng giá khởi điểm"),
          moment("notice_published_at", "Ngày đăng"),
          many=True, email=False),
)

# where a scoring or selection date came from, and the cue that tied it to the decision (find_decision_dates)
DATE_CUES = Phrases({
    "label": "ghi sau nhãn ngày chấm điểm/lựa chọn", "selection decision": "ngày của quyết định lựa chọn",
    "scored on": "văn bản ghi đã chấm điểm ngày này", "result text": "ngày ghi trong kết quả",
    "scoring date": "ngày chấm điểm ghi trong kết quả", "the result notice is dated": "ngày ký thông báo kết quả",
})
DATE_SOURCES = Phrases({
    "result text": "nội dung kết quả lựa chọn",
    "result notice date": "ngày của thông báo kết quả",
    "result text: {cue:cue}": "nội dung kết quả lựa chọn, {cue}",
    "attachment:{file}": "tệp đính kèm «{file}»",
}, {"cue": DATE_CUES})
BEFORE_CLOSE_WHAT = Phrases({
    "result published": "kết quả được công bố",
    "decision/scoring date ({cue:cue})": "ngày chấm điểm/quyết định lựa chọn",
}, {"cue": DATE_CUES})
WINDOW_SOURCES = Phrases({
    "receiveTimeEnd": "thời hạn ghi trên Cổng", "text": "thời hạn ghi trong nội dung thông báo",
    "{n:num} working days after {d:date}": "{n} ngày làm việc kể từ {d}",
    "{n:num} days after {d:date}": "{n} ngày kể từ {d}",
})
REASONS = Phrases({
    "the notice has no publication date": "thông báo không có ngày đăng",
    "neither an application window end nor a decision date is known":
        "không biết thời hạn nhận hồ sơ cũng như ngày quyết định lựa chọn",
    "the window ended before the recorded publication date (the portal's lastUpdated moves on edits)":
        "thời hạn nhận hồ sơ kết thúc trước ngày đăng ghi nhận được (Cổng cập nhật ngày khi thông báo được sửa)",
    "no matching selection notice": "không tìm thấy thông báo lựa chọn tương ứng",
    "the result matches several selection notices equally well":
        "kết quả giống nhiều thông báo lựa chọn như nhau, không xác định được thông báo nào",
    "the linked selection notice is not in the database": "hệ thống chưa lưu thông báo lựa chọn được liên kết",
    "the selection notice states no application window end": "thông báo lựa chọn không ghi thời hạn nhận hồ sơ",
    "the result has neither a publication date nor a stated decision date":
        "kết quả không có ngày đăng cũng không ghi ngày quyết định",
    "published after the window closed, but an attachment we could not read may state an earlier scoring date":
        "kết quả đăng sau khi hết hạn, nhưng tệp đính kèm chưa đọc được có thể ghi ngày chấm điểm sớm hơn",
    "no linked notice with a window end, or no result publication date":
        "không có thông báo lựa chọn kèm thời hạn, hoặc kết quả không có ngày đăng",
    "no linked result names the selected organisation": "không có kết quả nào nêu tổ chức được chọn",
    "the notice has no window end or no publication date": "thông báo không có thời hạn nhận hồ sơ hoặc ngày đăng",
    "no selection notice of this source is in the database": "hệ thống chưa có thông báo lựa chọn nào của nguồn này",
    "the result is within {n:num} days of the first notice we hold; its notice may predate our data":
        "kết quả công bố trong vòng {n} ngày kể từ thông báo lựa chọn sớm nhất hệ thống có; thông báo của nó có "
        "thể đăng trước thời gian hệ thống thu thập",
})
WINDOW_UNITS = Phrases({"working_days": "ngày làm việc", "calendar_days": "ngày"})
SHORT_WINDOW_BASIS = Phrases({
    "decision_date": "tính đến ngày quyết định lựa chọn",
    "window_end": "tính đến hết hạn nhận hồ sơ (chưa biết ngày quyết định)",
})
CHANGED_WHICH = Phrases({"end": "Hạn cuối nhận hồ sơ", "start": "Ngày bắt đầu nhận hồ sơ"})

RESULT = ident("result", "Kết quả lựa chọn (mã)")
NOTICE = ident("notice", "Thông báo lựa chọn (mã)")
REASON = code("reason", "Lý do chưa kết luận được", REASONS)
WINDOW = (day("window_start", "Bắt đầu nhận hồ sơ"), day("window_end", "Hết hạn nhận hồ sơ"),
          code("window_source", "Nguồn của thời hạn", WINDOW_SOURCES, email=False))
INCLUSIVE = yesno("window_end_inclusive", "Nhận hồ sơ đến hết ngày hết hạn", email=False)
CLOSES = moment("window_closes_at", "Thời điểm hết hạn nhận hồ sơ")

RESULT_BEFORE_WINDOW_END = RuleEvidence(
    fields=(
        RESULT,
        NOTICE,
        code("notice_kind", "Loại thông báo", NOTICE_KINDS, email=False),
        moment("notice_published", "Ngày đăng thông báo lựa chọn"),
        *WINDOW,
        CLOSES,
        moment("result_published_at", "Kết quả công bố lúc"),
        day("result_published_on", "Kết quả công bố ngày"),
        group("before_window_close", "Trước khi hết hạn nhận hồ sơ",
              code("what", "Sự việc", BEFORE_CLOSE_WHAT),
              moment("at", "Lúc"),
              day("on", "Ngày"),
              number("hours_before_close", "Sớm", unit="giờ"),
              code("source", "Nguồn", DATE_SOURCES),
              text("excerpt", "Trích văn bản"),
              many=True),
        group("decision_dates", "Ngày chấm điểm/quyết định ghi trong hồ sơ",
              day("on", "Ngày"), code("source", "Nguồn", DATE_SOURCES), code("cue", "Căn cứ", DATE_CUES),
              many=True, email=False),
        count("unread_attachments", "Số tệp đính kèm chưa đọc được"),
        REASON,
        LINK,
        INCLUSIVE,
    ),
    facts=(
        fact("Hết hạn nhận hồ sơ {window_end} — kết quả công bố {at}, sớm {hours_before_close} giờ",
             "Hết hạn nhận hồ sơ {window_end} — {what} {on} ({source})",
             "Hết hạn nhận hồ sơ {window_end} — kết quả công bố ngày {on}",
             each="before_window_close"),
        fact("Hết hạn nhận hồ sơ {window_end} — kết quả công bố {result_published_at}",
             "Hết hạn nhận hồ sơ {window_end} — kết quả công bố ngày {result_published_on}", fallback=True),
    ),
    summary=(
        fact("Sớm {hours_before_close} giờ: kết quả công bố {at}, hết hạn {window_end}",
             "Chấm điểm/quyết định {on}, hết hạn {window_end}{?source}",
             "Kết quả công bố ngày {on}, hết hạn {window_end}", each="before_window_close"),
    ),
    reasons=("reason",),
)

AUCTION_NOTICE_BEFORE_WINDOW_END = RuleEvidence(
    fields=(
        NOTICE,
        day("window_end", "Hết hạn nhận hồ sơ"),
        CLOSES,
        group("selected", "Tổ chức được chọn",
              text("organisation", "Tổ chức đấu giá"), ident("result", "Kết quả lựa chọn"), many=True),
        group("auction_notices", "Thông báo đấu giá đăng trước khi hết hạn",
              ident("auction_notice", "Thông báo đấu giá"),
              moment("published_at", "Đăng lúc"),
              text("organisation", "Tổ chức đấu giá"),
              number("asset_similarity", "Độ giống tên tài sản", unit="/100"),
              yesno("price_match", "Cùng giá khởi điểm"),
              ident("result", "Kết quả lựa chọn"),
              link("url", "Thông báo đấu giá"),
              many=True),
        REASON,
        INCLUSIVE,
    ),
    facts=(
        fact("Hết hạn nhận hồ sơ {window_end} — {organisation} đã đăng thông báo đấu giá {auction_notice} lúc "
             "{published_at}", each="auction_notices"),
    ),
    summary=(fact("Đăng thông báo đấu giá {published_at}, hết hạn nhận hồ sơ {window_end}", each="auction_notices"),),
    reasons=("reason",),
)

SHORT_WINDOW = RuleEvidence(
    fields=(
        NOTICE,
        moment("published", "Ngày đăng thông báo"),
        *WINDOW,
        day("window_end_rolled_to", "Hạn cuối theo luật (lùi qua ngày nghỉ)"),
        day("decision_date", "Ngày quyết định lựa chọn"),
        code("decision_source", "Nguồn của ngày quyết định", DATE_SOURCES),
        ident("result", "Kết quả lựa chọn (mã)"),
        count("days", "Số ngày thông báo công khai"),
        count("minimum", "Mức tối thiểu"),
        code("unit", "Đơn vị tính", WINDOW_UNITS),
        code("basis", "Cách tính", SHORT_WINDOW_BASIS),
        count("window_working_days", "Số ngày làm việc từ khi đăng đến hết hạn", email=False),
        moment("created_at", "Ngày tạo trên Cổng", email=False),
        REASON,
        # the method in English for analysts reading the raw finding; "basis" says it in Vietnamese
        *hidden("interpretation"),
    ),
    facts=(
        fact("Đăng thông báo {published} — quyết định lựa chọn {decision_date}: {days} {unit}, tối thiểu {minimum}",
             "Đăng thông báo {published} — hết hạn nhận hồ sơ {window_end} (theo luật lùi đến "
             "{window_end_rolled_to}): {days} {unit}, tối thiểu {minimum}",
             "Đăng thông báo {published} — hết hạn nhận hồ sơ {window_end}: {days} {unit}, tối thiểu {minimum}"),
        fact("Đăng thông báo {published} — hết hạn nhận hồ sơ {window_end}", fallback=True),
    ),
    summary=(fact("Chỉ {days}/{minimum} {unit}: đăng {published}, quyết định {decision_date}",
                  "Chỉ {days}/{minimum} {unit}: đăng {published}, hết hạn {window_end}"),),
    reasons=("reason",),
)

RUSHED_RESULT = RuleEvidence(
    fields=(
        RESULT,
        NOTICE,
        day("window_end", "Hết hạn nhận hồ sơ"),
        CLOSES,
        moment("result_published", "Kết quả công bố lúc"),
        number("delay_hours", "Công bố sau khi hết hạn", unit="giờ"),
        yesno("date_only", "Chỉ biết ngày công bố (không có giờ)", email=False),
        number("band_hours", "Khoảng bị coi là quá sớm", unit="giờ", many=True, email=False),
        REASON,
    ),
    facts=(
        fact("Hết hạn nhận hồ sơ {window_end} — kết quả công bố {result_published}, chỉ {delay_hours} giờ sau khi "
             "hết hạn"),
    ),
    summary=(fact("Công bố {delay_hours} giờ sau khi hết hạn nhận hồ sơ ({result_published})"),),
    reasons=("reason",),
)

RESULT_WITHOUT_NOTICE = RuleEvidence(
    fields=(
        RESULT,
        moment("result_published", "Kết quả công bố"),
        text("owner", "Người có tài sản"),
        text("asset", "Tài sản"),
        day("notices_held_from", "Hệ thống có thông báo lựa chọn từ ngày"),
        REASON,
        LINK,
    ),
    facts=(
        fact("Kết quả lựa chọn công bố {result_published} — không tìm thấy thông báo lựa chọn công khai nào "
             "tương ứng (hệ thống có thông báo lựa chọn từ {notices_held_from})",
             "Kết quả lựa chọn công bố {result_published} — không tìm thấy thông báo lựa chọn công khai nào "
             "tương ứng"),
    ),
    summary=(fact("Không có thông báo lựa chọn; kết quả công bố {result_published}"),),
    reasons=("reason",),
)

WINDOW_CHANGED_AFTER_PUBLICATION = RuleEvidence(
    fields=(
        NOTICE,
        yesno("shortened", "Thời hạn bị rút ngắn"),
        group("changes", "Các lần sửa thời hạn",
              code("which", "Sửa", CHANGED_WHICH),
              day("old", "Trước khi sửa"),
              day("new", "Sau khi sửa"),
              moment("at", "Phát hiện lúc"),
              yesno("shortened", "Rút ngắn"),
              *hidden("field"),  # the portal's internal field name
              many=True),
    ),
    facts=(fact("{which}: {old} → {new} (sửa sau khi đăng; phát hiện lúc {at})", each="changes"),),
    summary=(fact("{which}: {old} → {new}", each="changes"),),
)

DECLARATION = Declaration({
    "result_before_window_end": RESULT_BEFORE_WINDOW_END,
    "auction_notice_before_window_end": AUCTION_NOTICE_BEFORE_WINDOW_END,
    "short_window": SHORT_WINDOW,
    "rushed_result": RUSHED_RESULT,
    "result_without_notice": RESULT_WITHOUT_NOTICE,
    "window_changed_after_publication": WINDOW_CHANGED_AFTER_PUBLICATION,
})
