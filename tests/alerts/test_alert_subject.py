"""Who and what a queued e-mail names, read from storage: the organisation chosen by the result, the asset, a
parcel lot's text with the found facts marked; and the link to the finding's page signed for the recipient."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from alert_fixtures import db, finding_factory, now, settings_for  # noqa: F401  (fixtures)
from alerts.links import read_finding_token
from alerts.outbox import queue_alerts
from alerts.subject import mark_found
from storage.models import Alert, Lot, SelectionResult

OFFICER = {"name": "Cán bộ Vĩnh Long", "email": "vl@thads.gov.vn", "provinces": ["vinh-long"]}
SECRET = "test-secret-" + "s" * 40


@pytest.fixture()
def signed(monkeypatch):
    monkeypatch.setenv("AUCTION_MONITOR_WEB_SECRET", SECRET)


def test_premature_scoring_mail_names_the_chosen_organisation_and_links_for_its_recipient(
        db, settings_for, finding_factory, now, signed):
    settings = settings_for(recipients=[OFFICER])
    settings.web.public_base_url = "https://giamsat.example.gov.vn"
    with db.factory() as s:
        s.add(SelectionResult(id=990001, org_name="Công ty Đấu giá hợp danh Minh Họa A",
                              property_name="Quyền sử dụng đất thửa số 101, tờ bản đồ số 6"))
        f = finding_factory(s, rule="result_before_window_end", subject_kind="selection_result",
                            subject_id="990001", evidence={"result": "990001", "window_end": "2026-06-26"})
        queue_alerts(s, settings, now)
        s.commit()
        (alert,) = s.scalars(select(Alert))
    assert "Tổ chức được chọn: Công ty Đấu giá hợp danh Minh Họa A" in alert.body_text
    assert "Tài sản: Quyền sử dụng đất thửa số 101, tờ bản đồ số 6" in alert.body_text
    link = next(line for line in alert.body_text.splitlines() if line.startswith("https://giamsat.example.gov.vn/l/"))
    grant = read_finding_token(SECRET, link.rsplit("/", 1)[1], 3600)
    assert (grant.finding_id, grant.recipient) == (f.id, "vl@thads.gov.vn")  # the To, not the Cc'd monitor
    assert f'href="{link}"' in alert.body_html


def test_without_the_site_secret_mails_link_to_the_page_behind_the_login(db, settings_for, finding_factory, now,
                                                                         monkeypatch):
    monkeypatch.delenv("AUCTION_MONITOR_WEB_SECRET", raising=False)
    with db.factory() as s:
        f = finding_factory(s)
        queue_alerts(s, settings_for(), now)
        s.commit()
        (alert,) = s.scalars(select(Alert))
    assert f"http://127.0.0.1:8765/findings/{f.id}" in alert.body_text


def test_parcel_digest_and_mail_show_the_lot_text_marked(db, settings_for, finding_factory, now, signed):
    text = "Quyền sử dụng đất thửa đất số 17, tờ bản đồ số 05, đất ở tại đô thị, của ông Lê Văn Thử"
    found = {"parcel_no": {"value": ["17"], "source": "name"}, "map_sheet": {"value": ["5"], "source": "name"},
             "location": {"value": "khóm Minh Họa, phường Minh Họa", "source": "place"}}
    with db.factory() as s:
        s.add(Lot(notice_kind="auction_notice", notice_key="9000103", lot_index=0, name=text,
                  place="khóm Minh Họa, phường Minh Họa, tỉnh Đồng Tháp"))
        finding_factory(s, detector="parcel_details", rule="missing_parcel_fields", subject_kind="lot",
                        subject_id="auction_notice:9000103:0", title="Thiếu diện tích",
                        evidence={"notice_kind": "auction_notice", "notice": "9000103", "lot_index": 0,
                                  "found": found, "missing": ["area_m2"]})
        queue_alerts(s, settings_for(), now)
        s.commit()
        (alert,) = s.scalars(select(Alert))
    assert "Tên tài sản: Quyền sử dụng đất thửa đất số [17], tờ bản đồ số [05]" in alert.body_text
    assert "Nơi có tài sản: [khóm Minh Họa, phường Minh Họa], tỉnh Đồng Tháp" in alert.body_text
    assert "Lô đất không nêu diện tích" in alert.body_text


def test_marking_finds_areas_however_written_and_never_overlaps():
    found = {"area_m2": {"value": 26281.0}, "parcel_no": {"value": ["188"]}, "land_use_purpose": {"value": "đất ở"}}
    marks = [(t, m) for t, m in mark_found("Thửa đất số: 188, diện tích: 26.281m2 đất ở", found) if m]
    assert marks == [("188", "số thửa"), ("26.281m2", "diện tích"), ("đất ở", "mục đích sử dụng")]
    assert [m for _, m in mark_found("diện tích 1250,5 m²", {"area_m2": {"value": 1250.5}}) if m] == ["diện tích"]
