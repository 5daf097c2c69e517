"""The e-mails as a phone shows them: one e-mail of each detector and a digest of about eighty findings, built
from the golden fixtures through detection and the outbox, rendered by a real headless Chromium at 390 px and
screenshotted into the test's folder. Each must read without sideways scrolling, show its headline and facts on
the first screen, carry the link to the finding's page, and the digest must fit in a few screens. Portal text
stays inert."""

from __future__ import annotations

import datetime as dt
import os
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "detectors"))

from alerts.compose import DigestEntry, compose_digest, compose_finding  # noqa: E402
from alerts.links import make_finding_link  # noqa: E402
from alerts.outbox import queue_alerts  # noqa: E402
from alerts.subject import describe  # noqa: E402
from detector_db import load_case  # noqa: E402
from detectors.registry import available  # noqa: E402
from detectors.runner import run_detectors  # noqa: E402
from alerts.settings import WebSettings  # noqa: E402
from service.config import Settings  # noqa: E402
from vntext.provinces import province_by_code  # noqa: E402
from storage.db import dispose_engines, session_factory  # noqa: E402
from storage.models import Alert, AlertItem, Finding  # noqa: E402
from storage.timeutil import VN_TZ  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PHONE = {"width": 390, "height": 844}
DIGEST_MAX_SCREENS = 6
DIGEST_ITEMS = 80
SECRET = "test-secret-" + "m" * 40
NOW = dt.datetime(2026, 8, 1, 8, 0, tzinfo=VN_TZ)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "detectors"
# one fixture per detector, and the rule whose e-mail is looked at
CASES = {
    "premature_scoring": ("result_before_window_end.jsonl", "result_before_window_end"),
    "parcel_details": ("missing_parcel_fields.jsonl", "missing_parcel_fields"),
    "collusion": ("collusion/collusion-relist.jsonl", "relist_chain"),
    "data_quality": ("implausible_portal_value.jsonl", "implausible_portal_value"),
}
EVIL = "<script>document.title='PWNED'</script><img src=x onerror=\"document.title='PWNED'\">"
PROVINCES = ("ha-noi", "ca-mau", "lam-dong", "gia-lai", "dong-thap", "khanh-hoa", "an-giang")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"Chromium is not installed at {CHROMIUM} "
                                                            "(Debian package chromium)"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory, monkeypatch_module):
    """Per detector: (its e-mail's HTML as the outbox queued it, its stored findings with who/what)."""
    monkeypatch_module.setenv("AUCTION_MONITOR_WEB_SECRET", SECRET)
    settings = Settings.model_validate({"alerts": {"immediate_severities": ["low", "medium", "high"],
                                                   "copy_monitor": False},
                                        "web": {"public_base_url": "https://giamsat.example.gov.vn"}})
    mails: dict[str, str] = {}
    findings: list[tuple[Finding, object]] = []
    for detector, (case, rule) in CASES.items():
        tmp = tmp_path_factory.mktemp(detector)
        url = load_case(FIXTURES / case, tmp)
        try:
            with session_factory(url)() as s:
                cls = available()[detector]
                run_detectors(s, [cls(cls.Settings())], now=NOW)
                queue_alerts(s, settings, NOW)
                s.commit()
                mails[detector] = s.scalar(
                    select(Alert.body_html).join(AlertItem, AlertItem.alert_id == Alert.id)
                    .join(Finding, Finding.id == AlertItem.finding_id)
                    .where(Alert.kind == "finding", Finding.rule == rule, Finding.status == "flag")
                    .order_by(Finding.severity.desc(), Alert.id).limit(1))
                for f in s.scalars(select(Finding).where(Finding.status.in_(("flag", "insufficient")))):
                    findings.append((f, describe(s, f)))
                s.expunge_all()
        finally:
            dispose_engines()
    return mails, findings


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as mp:
        yield mp


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, html: str, png: Path):
    page = browser.new_page(viewport=PHONE, device_scale_factor=1, java_script_enabled=False)
    page.set_content(html)
    page.screenshot(path=str(png), full_page=True)
    page.screenshot(path=str(png.with_name(png.stem + "-first.png")))
    return page


def _on_first_screen(page, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


@pytest.mark.parametrize("detector", list(CASES))
def test_each_detectors_mail_reads_on_a_phone(detector, built, browser, tmp_path):
    html = built[0][detector]
    assert html, f"no e-mail of {detector}"
    page = _open(browser, html, tmp_path / f"{detector}-390.png")
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
        assert _on_first_screen(page, "h1")
        facts = page.locator("h1 + div p")  # the facts box right under the headline
        assert facts.count() >= 1 and _on_first_screen(page, "h1 + div")
        body = page.inner_text("body")
        assert "Người có tài sản" in body and "Xem bằng chứng và ghi kết luận" in body
        link = page.locator("a", has_text="Xem bằng chứng và ghi kết luận").get_attribute("href")
        assert link.startswith("https://giamsat.example.gov.vn/l/")
        assert not [h for h in page.eval_on_selector_all("a", "els => els.map(e => e.href)")
                    if not h.startswith(("https://giamsat.example.gov.vn/", "https://dgts.moj.gov.vn/",
                                         "https://thads.moj.gov.vn/"))]
    finally:
        page.close()
    assert (tmp_path / f"{detector}-390.png").stat().st_size > 5000


def test_digest_of_eighty_findings_reads_in_a_few_screens(built, browser, tmp_path):
    _, findings = built
    entries = []
    for i in range(DIGEST_ITEMS):
        f, subject = findings[i % len(findings)]
        copy = Finding(**{c: getattr(f, c) for c in ("detector", "rule", "subject_kind", "subject_id", "status",
                                                     "severity", "title", "evidence", "urls", "legal_basis",
                                                     "owner_name", "first_seen", "last_seen")}, id=1000 + i)
        link = make_finding_link(WebSettings(public_base_url="https://giamsat.example.gov.vn"), copy.id,
                                 "can.bo@thads.gov.vn", secret=SECRET)
        entries.append(DigestEntry(copy, "new", province=province_by_code(PROVINCES[i % len(PROVINCES)]),
                                   subject=replace(subject), link=link))
    html = compose_digest("Cán bộ theo dõi", entries, NOW.date(), link_days=30).body_html
    page = _open(browser, html, tmp_path / "digest-390.png")
    try:
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height <= DIGEST_MAX_SCREENS * PHONE["height"], f"{height / PHONE['height']:.1f} screens"
        assert _on_first_screen(page, "h1") and _on_first_screen(page, "h2")
        links = page.eval_on_selector_all("a", "els => els.map(e => e.href)")
        assert len({h for h in links if h.startswith("https://giamsat.example.gov.vn/l/")}) == DIGEST_ITEMS
        undecided = page.locator("h2", has_text="Chưa đủ dữ liệu để kết luận")
        if undecided.count():  # no severity badge or dot after that heading
            after = page.evaluate("""() => { const h = [...document.querySelectorAll('h2')]
                .find(e => e.textContent.includes('Chưa đủ dữ liệu')); let t = '', n = h.nextElementSibling;
                while (n && n.tagName !== 'H2') { t += n.textContent; n = n.nextElementSibling; } return t; }""")
            assert "Mức" not in after and "●" not in after
    finally:
        page.close()


def test_portal_text_stays_inert(built, browser, tmp_path):
    _, findings = built
    f, subject = findings[0]
    hostile = Finding(**{c: getattr(f, c) for c in ("detector", "rule", "subject_kind", "subject_id", "status",
                                                    "severity", "evidence", "urls", "legal_basis", "first_seen",
                                                    "last_seen")}, id=1, title=f"Tài sản {EVIL}",
                      owner_name=f"Chủ {EVIL}")
    html = compose_finding(hostile, "new", subject=replace(subject, organisation=f"Tổ chức {EVIL}"),
                           link="https://giamsat.example.gov.vn/l/x").body_html
    page = browser.new_page(viewport=PHONE)  # scripts enabled: nothing may run
    try:
        page.set_content(html)
        assert page.title() != "PWNED" and page.title().startswith("[Cảnh báo đấu giá")  # no script ran
        assert page.locator("script").count() == 0 and page.locator("img").count() == 0
        assert "<script>document.title='PWNED'</script>" in page.inner_text("h1")
        page.screenshot(path=str(tmp_path / "hostile-390.png"))
    finally:
        page.close()
