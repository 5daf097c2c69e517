"""Evidence declaration of the collusion detector (D3): each rule family's fields in Vietnamese and headline facts."""

from __future__ import annotations

from detectors.evidence.fields import (
    Declaration,
    Phrases,
    RuleEvidence,
    area,
    code,
    count,
    day,
    fact,
    fraction,
    group,
    hidden,
    ident,
    money,
    moment,
    number,
    ordinal,
    percent,
    text,
    yesno,
)
from detectors.evidence.words import CLASS_REASONS, SEVERITY
from vntext.amounts import BASIS_VI

# ------------------------------------------------------------------------------------------ exclusionary_terms

CHECKS = {
    "deposit_out_of_range": "tiền đặt trước ngoài khoảng luật cho phép",
    "fee_above_cap": "tiền hồ sơ vượt mức tối đa",
    "short_registration_window": "thời gian nhận đăng ký ngắn hơn luật định",
    "auction_too_soon_after_registration": "đấu giá quá sớm sau khi hết hạn đăng ký",
}
CHECK_STATUS = {"flag": "vi phạm", "insufficient": "chưa kết luận được", "pass": "đạt"}
# vntext.amounts: what a price or a deposit is per
BASES = Phrases({**BASIS_VI, "percent": "phần trăm giá khởi điểm"})
# vntext.amounts.LotAmounts.whole_price_candidates: the readings of the start price the text allows
READINGS = {
    "as_written": "giá như ghi trên Cổng",
    "price_per_unit_times_units": "giá mỗi đơn vị × số đơn vị",
    "total_over_units": "tổng giá chia cho số đơn vị",
    "notice_total_over_lots": "tổng giá của thông báo chia cho số lô",
    "per_month_times_term": "giá mỗi tháng × số tháng của thời hạn",
    "per_year_times_term": "giá mỗi năm × số năm của thời hạn",
    "per_m2_times_area": "giá mỗi m² × diện tích",
    "per_m2_year_times_area_and_term": "giá mỗi m² mỗi năm × diện tích × thời hạn",
}
DEPOSIT_UNITS = {"VND": "đồng", "%": "phần trăm giá khởi điểm", "USD": "đô la Mỹ", "?": "không rõ"}
FEE_TABLES = {
    "general": "mức thu chung theo giá khởi điểm (TT 48/2017)",
    "state_land_households": "đấu giá đất của Nhà nước cho hộ gia đình, cá nhân (TT 48/2017)",
    "state_land": "đấu giá đất khác của Nhà nước (TT 48/2017)",
}
ASSET_CLASSES = {"real_estate": "bất động sản", "debt": "khoản nợ", "other": "tài sản khác"}

BASIS = group("basis", "Cách tính giá",
              code("price_basis", "Giá khởi điểm tính cho", BASES),
              yesno("price_basis_proven", "Đã xác định được cách tính"),
              text("price_basis_note", "Ghi chú"),
              code("deposit_basis", "Tiền đặt trước tính cho", BASES),
              count("units", "Số đơn vị trong lô"),
              number("term_months", "Thời hạn", unit="tháng"),
              area("land_area_m2", "Diện tích đất"),
              email=False)
READING = (code("reading", "Cách hiểu giá", READINGS), percent("deposit_pct", "Tiền đặt trước (% giá)"))
CHECK_FIELDS = (
    code("code", "Vấn đề", CHECKS),
    ordinal("lot", "Lô số"),
    money("start_price", "Giá khởi điểm"),
    money("deposit", "Tiền đặt trước", kind_by=("deposit_unit", {"%": "percent", "USD": "number"})),
    percent("deposit_pct", "Tiền đặt trước (% giá khởi điểm)"),
    percent("deposit_pct_as_written", "Tiền đặt trước (% giá như ghi trên Cổng)"),
    percent("allowed_pct", "Khoảng cho phép", many=True),
    money("file_cost", "Tiền hồ sơ"),
    money("cap", "Mức tối đa"),
    number("ratio", "Gấp mức tối đa", unit="lần"),
    money("caps_possible", "Các mức tối đa có thể áp dụng", many=True),
    code("table", "Bảng mức thu", FEE_TABLES),
    moment("reg_start", "Bắt đầu nhận đăng ký"),
    moment("reg_end", "Hết hạn nhận đăng ký"),
    moment("auction_at", "Thời điểm đấu giá"),
    day("deadline_rolled_to", "Hạn cuối theo luật (lùi qua ngày nghỉ)"),
    text("day_off", "Ngày nghỉ"),
    count("days", "Số ngày"),
    count("minimum_days", "Tối thiểu", unit="ngày"),
    code("asset_class", "Loại tài sản", ASSET_CLASSES),
    code("asset_class_reason", "Vì sao", CLASS_REASONS, email=False),
    text("reason_vi", "Lý do chưa kết luận được"),
    code("deposit_unit", "Đơn vị tiền đặt trước", DEPOSIT_UNITS, email=False),
    BASIS,
    group("readings_tried", "Các cách hiểu giá đã thử", *READING, many=True),
    group("consistent_reading", "Cách hiểu giá phù hợp", *READING),
    text("source", "Căn cứ"),
    code("status", "Kết luận", CHECK_STATUS, email=False),
    *hidden("rounding_tolerance"),
)
CHECK_FACTS = (
    "Tiền hồ sơ {file_cost} — mức tối đa {cap} (gấp {ratio} lần)",
    "Tiền đặt trước {deposit_pct} giá khởi điểm — luật cho phép {allowed_pct.0} đến {allowed_pct.1}",
    "Nhận đăng ký {reg_start} — {reg_end}: {days} ngày, tối thiểu {minimum_days} ngày với {asset_class}",
    "Hết hạn đăng ký {reg_end} — đấu giá {auction_at}: {days} ngày, tối thiểu {minimum_days} ngày",
)

EXCLUSIONARY_TERMS = RuleEvidence(
    fields=(
        group("problems", "Điều kiện hạn chế", *CHECK_FIELDS, many=True),
        group("undecided", "Chưa kết luận được", *CHECK_FIELDS, many=True),
        *hidden("checks_evaluated"),
    ),
    facts=(fact(*CHECK_FACTS, each="problems"),),
    summary=(fact("Tiền hồ sơ {file_cost}, tối đa {cap}", "Tiền đặt trước {deposit_pct} giá khởi điểm",
                  "Nhận đăng ký {days} ngày, tối thiểu {minimum_days}",
                  "Đấu giá {days} ngày sau hạn đăng ký, tối thiểu {minimum_days}", each="problems"),),
    reasons=("undecided.reason_vi",),
)

# ------------------------------------------------------------------------------------------ relist_chain

RELIST_CODES = {
    "cut_above_legal_step": "giảm giá vượt mức luật cho phép mỗi lần",
    "restart_other_organisation": "đấu giá lại với tổ chức đấu giá khác",
    "sold_after_cut_same_organisation": "bán được ngay sau khi giảm giá, cùng tổ chức đấu giá",
    "cut_may_span_missing_rounds": "mức giảm có thể gồm nhiều lần đấu giá chưa thu thập được",
}
CONSECUTIVE = {"portal links": "liên tiếp (theo liên kết trên Cổng)", "time": "liên tiếp (theo thời gian)"}
RELIST_MISSING = {"no two consecutive rounds with comparable start prices":
                  "không có hai lần liên tiếp có giá khởi điểm so sánh được"}
GAP = (count("days_between", "Cách nhau", unit="ngày"),
       count("rounds_possible", "Số lần đấu giá có thể có"),
       count("min_round_days", "Mỗi lần cần ít nhất", unit="ngày"),
       code("consecutive", "Liên tiếp", CONSECUTIVE))
RELIST_REASON = (
    code("code", "Dấu hiệu", RELIST_CODES),
    ident("notice", "Thông báo"),
    fraction("cut", "Mức giảm"),
    fraction("max_cut_per_round", "Tối đa mỗi lần"),
    *GAP,
    text("from", "Từ tổ chức", many=True),
    text("to", "Sang tổ chức", many=True),
    text("organisation", "Tổ chức đấu giá", many=True),
    money("winning_price", "Giá trúng"),
    code("severity", "Mức độ", SEVERITY, email=False),
)

RELIST_CHAIN = RuleEvidence(
    fields=(
        group("reasons", "Dấu hiệu", *RELIST_REASON, many=True),
        group("undecided", "Chưa kết luận được", *RELIST_REASON, many=True),
        group("rounds", "Các lần đấu giá",
              ident("notice_ids", "Thông báo", many=True),
              moment("published", "Ngày đăng"),
              money("start_price", "Giá khởi điểm"),
              text("organisations", "Tổ chức đấu giá", many=True),
              many=True),
        group("steps", "Các lần thay đổi giá",
              ident("from_notice", "Từ thông báo"),
              ident("to_notice", "Đến thông báo"),
              money("from_price", "Giá trước"),
              money("to_price", "Giá sau"),
              fraction("cut", "Mức giảm"),
              yesno("comparable", "So sánh được"),
              *GAP,
              many=True, email=False),
        count("failed_rounds", "Số lần đấu giá không thành"),
        count("min_failed_rounds", "Số lần không thành tối thiểu để xét", email=False),
        yesno("judgment_enforcement_asset", "Tài sản thi hành án dân sự"),
        fraction("max_cut_per_round", "Mức giảm tối đa mỗi lần"),
        ident("chain_notice_ids", "Các thông báo trong chuỗi", many=True, email=False),
        code("missing", "Lý do chưa kết luận được", RELIST_MISSING),
        # the scoring notes of each pair (English, with points) stay in the finding; the score is shown
        group("links", "Các cặp thông báo được nối",
              ident("a", "Thông báo"), ident("b", "Với thông báo"), number("score", "Điểm giống nhau", unit="/100"),
              *hidden("reasons"),
              many=True, email=False),
        *hidden("cut_tolerance", "link_threshold"),
    ),
    facts=(
        fact("Bán được ngay sau khi giảm giá {cut}, cùng tổ chức {organisation}, giá trúng {winning_price}",
             "Đấu giá lại với tổ chức khác: {from} → {to} (thông báo {notice})",
             "Giá khởi điểm giảm {cut} so với lần trước, luật cho phép tối đa {max_cut_per_round} mỗi lần "
             "(thông báo {notice})",
             each="reasons"),
        fact("Giá khởi điểm giảm {cut} trong {days_between} ngày (thông báo {notice}); có thể có tới "
             "{rounds_possible} lần đấu giá ở giữa", each="undecided"),
    ),
    summary=(
        fact("Bán ngay sau khi giảm {cut}{?organisation}", "Đổi tổ chức đấu giá{?from}",
             "Giảm {cut} một lần (tối đa {max_cut_per_round})", each="reasons"),
        fact("Giảm {cut} trong {days_between} ngày", each="undecided"),
    ),
    reasons=("undecided.code", "missing"),
)

# ------------------------------------------------------------------------------------------ selections

OWNER_KINDS = {
    "thads": "cơ quan thi hành án dân sự", "bank": "ngân hàng", "state": "cơ quan, đơn vị nhà nước",
    "enterprise": "doanh nghiệp", "individual": "cá nhân", "other": "khác", "unknown": "chưa xác định",
}
SELECTION_SOURCES = {"selection_result": "kết quả lựa chọn", "auction_notice": "thông báo đấu giá"}
THRESHOLD_SOURCES = {"setting": "do cấu hình đặt",
                     "Q3 + 1.5*IQR of the owner kind": "Q3 + 1,5 × IQR của nhóm người có tài sản cùng loại"}
REPEAT_MISSING = Phrases({
    "only {n:num} owners of kind '{kind:kind}' with >= {m:num} selections; {k:num} needed for a fence":
        "mới có {n} người có tài sản loại «{kind}» lựa chọn từ {m} lần trở lên; cần {k} để so sánh",
}, {"kind": Phrases(OWNER_KINDS)})

REPEAT_SELECTION = RuleEvidence(
    fields=(
        text("top_organisation", "Tổ chức được chọn nhiều nhất"),
        count("top_count", "Số lần tổ chức đó được chọn"),
        count("selections", "Tổng số lần lựa chọn"),
        fraction("top_share", "Tỷ lệ"),
        fraction("threshold", "Ngưỡng so sánh"),
        code("threshold_source", "Nguồn của ngưỡng", THRESHOLD_SOURCES, email=False),
        day("period_start", "Từ ngày"),
        day("period_end", "Đến ngày"),
        count("period_days", "Khoảng thời gian", unit="ngày"),
        code("owner_kind", "Loại người có tài sản", OWNER_KINDS),
        group("organisations", "Các tổ chức được chọn",
              text("organisation", "Tổ chức"), count("count", "Số lần"), many=True),
        group("by_source", "Theo nguồn",
              count("selection_result", "Từ kết quả lựa chọn"), count("auction_notice", "Từ thông báo đấu giá"),
              email=False),
        number("herfindahl", "Chỉ số tập trung (HHI)", email=False),
        group("fence", "Phân bố tỷ lệ của nhóm cùng loại",
              count("n", "Số người có tài sản"), fraction("q1", "Tứ phân vị 1"), fraction("median", "Trung vị"),
              fraction("q3", "Tứ phân vị 3"), fraction("iqr", "Khoảng tứ phân vị"),
              fraction("upper_fence", "Ngưỡng trên"), email=False),
        count("min_selections", "Số lần lựa chọn tối thiểu để xét", email=False),
        group("top_selections", "Các lần tổ chức đó được chọn",
              code("source", "Nguồn", SELECTION_SOURCES), ident("id", "Mã"), moment("published", "Ngày đăng"),
              many=True, email=False),
        code("missing", "Lý do chưa kết luận được", REPEAT_MISSING),
        *hidden("top_organisation_key"),
    ),
    facts=(
        fact("{top_organisation} được chọn {top_count}/{selections} lần trong {period_days} ngày ({top_share}) — "
             "ngưỡng của nhóm cùng loại {threshold}",
             "{top_organisation} được chọn {top_count}/{selections} lần trong {period_days} ngày ({top_share})"),
    ),
    summary=(fact("{top_organisation}: {top_count}/{selections} lần ({top_share})"),),
    reasons=("missing",),
)

ROTATION = RuleEvidence(
    fields=(
        group("rotating_set", "Các tổ chức luân phiên",
              text("organisation", "Tổ chức"), count("wins", "Số lần được chọn"), *hidden("key"), many=True),
        text("sequence", "Thứ tự được chọn", many=True),
        count("selections", "Tổng số lần lựa chọn"),
        count("changes", "Số lần đổi tổ chức"),
        number("alternation", "Hệ số luân phiên"),
        number("expected_alternation", "Hệ số nếu chọn ngẫu nhiên"),
        number("min_alternation", "Hệ số tối thiểu để xét", email=False),
        number("p_value", "Xác suất ngẫu nhiên (p)"),
        number("max_p_value", "Ngưỡng p", email=False),
        fraction("coverage", "Tỷ lệ lần chọn thuộc nhóm"),
        fraction("min_coverage", "Tỷ lệ tối thiểu", email=False),
        day("period_start", "Từ ngày"),
        day("period_end", "Đến ngày"),
        *hidden("permutations", "seed", "statistic"),
    ),
    facts=(
        fact("Luân phiên được chọn: {rotating_set.organisation}"),
        fact("Hệ số luân phiên {alternation} (chọn ngẫu nhiên: {expected_alternation}), xác suất ngẫu nhiên p = "
             "{p_value}, qua {selections} lần lựa chọn"),
    ),
    summary=(fact("Luân phiên {selections} lần: {rotating_set.organisation}"),),
)

# ------------------------------------------------------------------------------------------ outcome_signals

SIGNALS = {
    "single_active_bidder": "chỉ một người trả giá",
    "price_at_start": "giá trúng sát giá khởi điểm",
    "recurring_losers": "cùng người thua lặp lại",
}
PREMIUM_LIMITS = Phrases({
    "<= {n:num} bid step(s) of {step:num}": "không quá {n} bước giá ({step} đ)",
    "<= {p:num}% of the start price (bid step unknown)": "không quá {p}% giá khởi điểm (không rõ bước giá)",
})
OUTCOME_SOURCES = Phrases({
    "attachment {file}": "tệp đính kèm «{file}»",
    "THADS {key} attachment {file}": "tệp đính kèm «{file}» của thông báo thi hành án {key}",
    "THADS {key}": "thông báo thi hành án {key}",
})
OUTCOME_MISSING = {"registered/active bidder counts": "số người đăng ký và số người trả giá",
                   "winning price": "giá trúng", "start price": "giá khởi điểm"}

OUTCOME_SIGNALS = RuleEvidence(
    fields=(
        group("signals", "Dấu hiệu",
              code("code", "Dấu hiệu", SIGNALS),
              count("registered", "Số người đăng ký"),
              count("active", "Số người trả giá"),
              count("min_registered", "Số người đăng ký tối thiểu để xét", email=False),
              money("winning_price", "Giá trúng"),
              money("start_price", "Giá khởi điểm"),
              money("premium", "Cao hơn giá khởi điểm"),
              percent("premium_pct", "Tỷ lệ cao hơn"),
              code("limit", "Ngưỡng", PREMIUM_LIMITS),
              text("winner", "Người trúng"),
              text("loser", "Người thua"),
              ident("auctions", "Các cuộc đấu giá", many=True),
              count("min_recurring", "Số lần tối thiểu", email=False),
              many=True),
        money("start_price", "Giá khởi điểm"),
        group("outcome", "Kết quả đấu giá đọc được",
              count("registered", "Số người đăng ký"),
              count("active_bidders", "Số người trả giá"),
              money("winning_price", "Giá trúng"),
              money("bid_step", "Bước giá"),
              money("start_price_in_text", "Giá khởi điểm ghi trong văn bản"),
              text("winner", "Người trúng"),
              text("participants", "Người tham gia", many=True),
              code("sources", "Đọc từ", OUTCOME_SOURCES, many=True)),
        code("missing", "Còn thiếu", OUTCOME_MISSING, many=True),
        *hidden("settings"),
    ),
    facts=(
        fact("Chỉ {active} người trả giá trong {registered} người đăng ký",
             "Giá trúng {winning_price} — giá khởi điểm {start_price}: chỉ cao hơn {premium_pct}",
             "{loser} thua {winner} ở các cuộc đấu giá {auctions}", each="signals"),
    ),
    summary=(fact("Chỉ {active}/{registered} người trả giá", "Giá trúng chỉ cao hơn {premium_pct}",
                  "{loser} thua {winner} nhiều lần", each="signals"),),
    reasons=("missing",),
)

# ------------------------------------------------------------------------------------------ anomaly_rank

FEATURE_FIELDS = (
    text("label", "Đặc điểm"),
    number("value", "Giá trị"),
    number("population_median", "Giá trị thông thường"),
    number("suspicious_z", "Mức bất thường (z)"),
    yesno("imputed", "Thiếu dữ liệu (dùng giá trị thông thường)", email=False),
    yesno("already_flagged", "Đã được quy tắc khác báo (không tính lại)", email=False),
    *hidden("feature"),  # the label says it in Vietnamese
)

ANOMALY_RANK = RuleEvidence(
    fields=(
        count("rank", "Hạng"),
        count("ranked_among", "Trong số thông báo được xếp hạng"),
        number("score", "Điểm bất thường"),
        group("top_features", "Đặc điểm bất thường nhất", *FEATURE_FIELDS, many=True),
        group("features", "Tất cả đặc điểm", *FEATURE_FIELDS, many=True, email=False),
        # model bookkeeping, and two lists of feature codes the "features" rows already say in words
        *hidden("model_version", "random_state", "imputed", "not_counted_already_flagged"),
    ),
    facts=(
        fact("Hạng {rank}/{ranked_among} trong các thông báo gần đây"),
        fact("{label}: {value} (thông thường {population_median})", each="top_features"),
    ),
    summary=(fact("Hạng {rank}/{ranked_among}: {top_features.label}"),),
)

DECLARATION = Declaration({
    "exclusionary_terms": EXCLUSIONARY_TERMS,
    "relist_chain": RELIST_CHAIN,
    "repeat_selection": REPEAT_SELECTION,
    "rotation": ROTATION,
    "outcome_signals": OUTCOME_SIGNALS,
    "anomaly_rank": ANOMALY_RANK,
})
