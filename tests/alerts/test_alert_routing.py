"""Routing of findings to provincial officers, the monitor fallback, Cc to the monitor and detector filters."""

from __future__ import annotations

import pytest

from alerts.routing import Router, RoutingError, resolve_province
from alerts.settings import AlertSettings
from storage.models import Finding

VINH_LONG_OFFICER = {"name": "Cán bộ Vĩnh Long", "email": "vl@thads.gov.vn", "provinces": ["Vĩnh Long"]}
HANOI_OFFICER = {"name": "Cán bộ Hà Nội", "email": "hn@thads.gov.vn", "provinces": ["ha-noi"]}


def finding(**kw) -> Finding:
    values = dict(detector="premature_scoring", province=None, owner_name=None)
    values.update(kw)
    return Finding(**values)


def router(*recipients: dict, **kw) -> Router:
    return Router(AlertSettings.model_validate({"recipients": list(recipients), **kw}))


def test_province_code_on_finding_routes_to_that_officer():
    route = router(VINH_LONG_OFFICER, HANOI_OFFICER).route(finding(province="ha-noi"))
    assert [a.email for a in route.to] == ["hn@thads.gov.vn"]
    assert route.matched and route.province.code == "ha-noi"


def test_old_province_name_in_config_is_mapped_to_new_province():
    officer = {"name": "Cán bộ Bến Tre cũ", "email": "bt@thads.gov.vn", "provinces": ["Bến Tre"]}
    route = router(officer).route(finding(province="vinh-long"))
    assert [a.email for a in route.to] == ["bt@thads.gov.vn"]


def test_old_province_name_on_finding_is_mapped():
    route = router(VINH_LONG_OFFICER).route(finding(province="Trà Vinh"))
    assert [a.email for a in route.to] == ["vl@thads.gov.vn"]


def test_province_parsed_from_owner_name_when_finding_has_none():
    route = router(VINH_LONG_OFFICER, HANOI_OFFICER).route(
        finding(owner_name="Chi cục Thi hành án dân sự huyện Càng Long, tỉnh Trà Vinh"))
    assert [a.email for a in route.to] == ["vl@thads.gov.vn"]
    assert route.province.code == "vinh-long"


def test_several_matching_officers_all_receive():
    second = {"name": "Phó phòng", "email": "vl2@thads.gov.vn", "provinces": ["vinh-long", "ha-noi"]}
    route = router(VINH_LONG_OFFICER, second, HANOI_OFFICER).route(finding(province="vinh-long"))
    assert [a.email for a in route.to] == ["vl@thads.gov.vn", "vl2@thads.gov.vn"]


def test_unmatched_finding_goes_to_monitor():
    r = router(HANOI_OFFICER, monitor={"name": "Giám sát", "email": "gs@moj.gov.vn"})
    route = r.route(finding(province="ca-mau"))
    assert [a.email for a in route.to] == ["gs@moj.gov.vn"] and not route.matched


def test_finding_without_any_province_goes_to_monitor():
    route = router(HANOI_OFFICER).route(finding(owner_name="Ngân hàng TMCP Á Châu"))
    assert route.to == (router().monitor,) and route.province is None


def test_copy_monitor_adds_monitor_as_cc_for_officers_only():
    r = router(HANOI_OFFICER, copy_monitor=True)
    officer_route = r.route(finding(province="ha-noi"))
    assert r.cc_for(officer_route.to) == (r.monitor.email,)
    monitor_route = r.route(finding(province="ca-mau"))
    assert r.cc_for(monitor_route.to) == ()


def test_copy_monitor_off_means_no_cc():
    r = router(HANOI_OFFICER, copy_monitor=False)
    assert r.cc_for(r.route(finding(province="ha-noi")).to) == ()


def test_detector_filter_excludes_other_detectors():
    specialist = {**HANOI_OFFICER, "detectors": ["collusion"]}
    r = router(specialist)
    assert [a.email for a in r.route(finding(province="ha-noi", detector="collusion")).to] == ["hn@thads.gov.vn"]
    assert r.route(finding(province="ha-noi", detector="premature_scoring")).matched is False


def test_owner_office_substring_matches_folded_name():
    officer = {"name": "Theo dõi ngân hàng", "email": "nh@moj.gov.vn", "owners": ["ngan hang tmcp a chau"]}
    r = router(officer)
    assert r.route(finding(owner_name="NGÂN HÀNG TMCP Á CHÂU - Chi nhánh Sài Gòn", province="tp-ho-chi-minh")).matched
    assert not r.route(finding(owner_name="Ngân hàng TMCP Công Thương", province="tp-ho-chi-minh")).matched


def test_officer_without_provinces_or_owners_covers_the_country():
    nationwide = {"name": "Chuyên viên", "email": "cv@moj.gov.vn", "detectors": ["collusion"]}
    route = router(nationwide).route(finding(province="ca-mau", detector="collusion"))
    assert route.matched and route.to[0].email == "cv@moj.gov.vn"


def test_unknown_province_in_config_is_an_error():
    with pytest.raises(RoutingError, match="Atlantis"):
        router({"name": "X", "email": "x@y.vn", "provinces": ["Atlantis"]})


def test_resolve_province_accepts_codes_names_and_free_text():
    assert resolve_province("tp-ho-chi-minh").code == "tp-ho-chi-minh"
    assert resolve_province("Bình Dương").code == "tp-ho-chi-minh"
    assert resolve_province("xã A, huyện Cái Bè, tỉnh Tiền Giang").code == "dong-thap"
    assert resolve_province("") is None
