"""Evidence shown from a detector's declaration: kinds, code words, e-mail vs review-site fields, headline facts,
the one-line summary, undecided reasons, and what ``RuleEvidence.problems`` reports."""

from __future__ import annotations

from alerts.presentation import (
    finding_evidence_rows,
    finding_facts,
    finding_reasons,
    finding_summary,
    generic_rows,
)
from detectors.evidence.fields import Phrases, RuleEvidence, code, fact, group, ident, money, text
from storage.models import Finding

TERMS = {"problems": [{"code": "fee_above_cap", "status": "flag", "lot": 0, "start_price": 37397000000.0,
                       "file_cost": 600000.0, "cap": 500000.0, "ratio": 1.2, "table": "general",
                       "basis": {"price_basis": "lot", "price_basis_proven": True}, "source": "TT 48/2017/TT-BTC"},
                      {"code": "deposit_out_of_range", "status": "flag", "lot": 1, "start_price": 100.0,
                       "deposit": 3.0, "deposit_unit": "%", "deposit_pct": 3.0, "allowed_pct": [5.0, 20.0]}],
         "undecided": [], "checks_evaluated": 4}


def f(detector: str, rule: str, evidence: dict, status: str = "flag") -> Finding:
    return Finding(detector=detector, rule=rule, status=status, evidence=evidence)


def rows(finding: Finding, **kw) -> dict[str, str]:
    return {r.label: r.value for r in finding_evidence_rows(finding, **kw)}


def test_values_are_shown_by_their_declared_kind():
    shown = rows(f("collusion", "exclusionary_terms", TERMS))
    first = shown["Điều kiện hạn chế (1)"]
    assert "Vấn đề: tiền hồ sơ vượt mức tối đa" in first and "Lô số: 1" in first
    assert "Giá khởi điểm: 37.397.000.000 đ" in first and "Gấp mức tối đa: 1,2 lần" in first
    assert "Bảng mức thu: mức thu chung theo giá khởi điểm (TT 48/2017)" in first
    # a deposit written in percent is a percentage, not "3 đ"
    assert "Tiền đặt trước: 3%" in shown["Điều kiện hạn chế (2)"] and "3 đ" not in shown["Điều kiện hạn chế (2)"]


def test_ids_are_never_money_and_fractions_are_percentages():
    chain = {"steps": [{"from_notice": 9000201, "to_notice": 9000202, "from_price": 2e9, "to_price": 1.6e9,
                        "comparable": True, "cut": 0.2}], "chain_notice_ids": [9000201, 9000202],
             "failed_rounds": 5, "max_cut_per_round": 0.1}
    shown = rows(f("collusion", "relist_chain", chain))
    assert "Từ thông báo: 9000201" in shown["Các lần thay đổi giá"]
    assert "Mức giảm: 20%" in shown["Các lần thay đổi giá"]
    assert shown["Các thông báo trong chuỗi"] == "9000201; 9000202"
    assert shown["Mức giảm tối đa mỗi lần"] == "10%"


def test_email_leaves_out_review_site_fields_and_undeclared_keys():
    evidence = {**TERMS, "bất ngờ": "giá trị lạ"}
    site = rows(f("collusion", "exclusionary_terms", evidence))
    mail = rows(f("collusion", "exclusionary_terms", evidence), email=True)
    assert "Cách tính giá" in site["Điều kiện hạn chế (1)"] and "Cách tính giá" not in mail["Điều kiện hạn chế (1)"]
    assert site["bất ngờ"] == "giá trị lạ" and "bất ngờ" not in mail


def test_headline_facts_and_summary():
    finding = f("collusion", "exclusionary_terms", TERMS)
    assert finding_facts(finding) == ["Tiền hồ sơ 600.000 đ — mức tối đa 500.000 đ (gấp 1,2 lần)",
                                      "Tiền đặt trước 3% giá khởi điểm — luật cho phép 5% đến 20%"]
    assert finding_summary(finding) == "Tiền hồ sơ 600.000 đ, tối đa 500.000 đ; Tiền đặt trước 3% giá khởi điểm"


def test_fact_alternatives_pick_the_first_that_has_every_value():
    evidence = {"notice": "900401", "published": "2026-06-04T09:00:00+07:00", "window_end": "2026-06-08",
                "days": 2, "minimum": 3, "unit": "working_days", "basis": "window_end"}
    finding = f("premature_scoring", "short_window", evidence)
    assert finding_facts(finding) == ["Đăng thông báo 04/06/2026 09:00 — hết hạn nhận hồ sơ 08/06/2026: 2 ngày làm "
                                      "việc, tối thiểu 3"]
    evidence.update(decision_date="2026-06-05", basis="decision_date")
    assert finding_facts(finding)[0].startswith("Đăng thông báo 04/06/2026 09:00 — quyết định lựa chọn 05/06/2026")


def test_undecided_reasons_come_from_the_declared_fields():
    terms = {"problems": [], "undecided": [{"code": "fee_above_cap", "status": "insufficient",
                                            "reason_vi": "lô gồm 2 thửa: giá có thể là giá mỗi m²"}]}
    assert finding_reasons(f("collusion", "exclusionary_terms", terms, "insufficient")) == [
        "lô gồm 2 thửa: giá có thể là giá mỗi m²"]
    window = {"reason": "the result is within 60 days of the first notice we hold; its notice may predate our data"}
    (reason,) = finding_reasons(f("premature_scoring", "result_without_notice", window, "insufficient"))
    assert reason.startswith("kết quả công bố trong vòng 60 ngày")


def test_phrases_translate_codes_and_generated_sentences():
    sources = Phrases({"name": "tên tài sản", "attachment:{file}": "tệp «{file}»"})
    words = Phrases({"text ({source:source}): '{signal}'": "{source} có «{signal}»",
                     "within {n:num} days after {d:date}": "trong {n} ngày kể từ {d}"}, {"source": sources})
    assert words.render("text (name): 'Quyền sử dụng đất'") == "tên tài sản có «Quyền sử dụng đất»"
    assert words.render("text (attachment:QC.pdf): 'đất'") == "tệp «QC.pdf» có «đất»"
    assert words.render("text (nowhere): 'x'") is None
    assert words.render("within 1250.5 days after 2026-06-01",
                        lambda spec, raw: {"num": "1.250,5", "date": "01/06/2026"}[spec]) == \
        "trong 1.250,5 ngày kể từ 01/06/2026"


def test_problems_reports_undeclared_keys_shapes_and_codes():
    rule = RuleEvidence(fields=(ident("notice", "Thông báo"), code("kind", "Loại", {"a": "một"}),
                                group("items", "Mục", money("price", "Giá"), many=True), text("note", "Ghi chú")),
                        facts=(fact("Giá {price}", each="items"),))
    assert rule.problems({"notice": 1, "kind": "a", "items": [{"price": 1.0}], "raw_sha256s": ["x"]}) == []
    assert rule.problems({"notice": 1, "extra": 2, "kind": "b", "items": [{"price": 1, "cost": 2}],
                          "note": {"nested": 1}}) == [
        "undeclared key extra", "kind: no Vietnamese for 'b'", "undeclared key items.cost",
        "note: dict, declared as text"]


def test_detectors_without_a_declaration_get_the_generic_reading():
    finding = f("third_party", "x", {"start_price": 1500000000, "window_end": "2026-06-20", "notice_id": 593406,
                                     "raw_sha256s": ["ab" * 32]})
    assert rows(finding) == {"Giá khởi điểm": "1.500.000.000 đ", "Hết hạn nhận hồ sơ": "20/06/2026",
                             "Mã thông báo": "593406"}
    assert finding_facts(finding) == [] and finding_summary(finding) is None
    assert len(generic_rows({f"k{i}": "v" * 5000 for i in range(500)})) == 60
