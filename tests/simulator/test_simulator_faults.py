"""Fault injection: 429/5xx bursts, timeouts, slow and truncated answers, FEC challenges, renamed fields."""

from __future__ import annotations

import http.client
import json
import re
import socket
import threading
import time
import urllib.error
from datetime import datetime

import pytest

from crawler.simulator import COOKIE_NAME, DEFAULT_RENAMES, ICT, FaultPlan, Trigger, fec_token

LIST = "/portal/search/auction-notice?p=1&numberPerPage=10"
DETAIL = "/portal/propertyInfo?auctionInfoId="
CLOCK = datetime(2026, 7, 2, tzinfo=ICT)


@pytest.fixture
def sim(start_sim, real_notices):
    return start_sim(real_notices, clock=CLOCK)


def statuses(sim, http_get, count: int, path: str = LIST) -> list[int]:
    return [http_get(sim.base_url + path).status for _ in range(count)]


def test_next_n_requests_get_429_with_retry_after(sim, http_get):
    sim.faults = FaultPlan(rate_limit=Trigger(next=2), rate_limit_retry_after=7)
    first = http_get(sim.base_url + LIST)
    assert first.status == 429 and first.headers["Retry-After"] == "7"
    assert statuses(sim, http_get, 3) == [429, 200, 200]


def test_every_kth_request_gets_5xx(sim, http_get):
    sim.faults = FaultPlan(server_error=Trigger(every=3), server_error_status=502, server_error_retry_after=4)
    assert statuses(sim, http_get, 6) == [200, 200, 502, 200, 200, 502]
    assert http_get(sim.base_url + LIST).status == 200
    assert sim.request_log.count(status=502, fault="5xx") == 2


def test_5xx_retry_after_header(sim, http_get):
    sim.faults = FaultPlan(server_error=Trigger(next=1), server_error_retry_after=4)
    assert http_get(sim.base_url + LIST).headers["Retry-After"] == "4"


def test_first_n_requests_per_endpoint(sim, http_get, real_notices):
    sim.faults = FaultPlan(rate_limit=Trigger(first_per_endpoint=1, endpoints=("/portal/",)))
    notice_id = real_notices[0]["id"]
    assert statuses(sim, http_get, 2) == [429, 200]
    assert statuses(sim, http_get, 2, DETAIL + str(notice_id)) == [429, 200]
    assert http_get(sim.base_url + "/thong-bao-cong-khai-viec-dau-gia.html").status == 200


def test_probability_faults_are_deterministic_per_seed(start_sim, http_get, real_notices):
    patterns = []
    for _ in range(2):
        simulator = start_sim(real_notices, clock=CLOCK, faults=FaultPlan(seed=11, rate_limit=Trigger(probability=0.5)))
        patterns.append(statuses(simulator, http_get, 12))
    assert patterns[0] == patterns[1]
    assert set(patterns[0]) == {200, 429}


def test_timeout_holds_the_connection(sim, http_get):
    sim.faults = FaultPlan(timeout=Trigger(next=1), timeout_seconds=2)
    started = time.monotonic()
    with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)):
        http_get(sim.base_url + LIST, timeout=0.3)
    assert time.monotonic() - started < 1.5
    assert http_get(sim.base_url + LIST, timeout=5).status == 200


def test_timeout_closes_without_an_answer_after_the_hold(sim):
    sim.faults = FaultPlan(timeout=Trigger(next=1), timeout_seconds=0.3)
    connection = http.client.HTTPConnection("127.0.0.1", sim.port, timeout=5)
    started = time.monotonic()
    connection.request("GET", LIST)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        connection.getresponse()
    assert 0.25 <= time.monotonic() - started < 3
    assert sim.request_log[0].status is None and sim.request_log[0].faults == ("timeout",)


def test_stop_releases_a_held_connection(start_sim, real_notices):
    simulator = start_sim(real_notices, clock=CLOCK, faults=FaultPlan(timeout=Trigger(next=1), timeout_seconds=600))
    errors: list[BaseException] = []

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", simulator.port, timeout=10)
        try:
            connection.request("GET", LIST)
            connection.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            errors.append(exc)

    thread = threading.Thread(target=client)
    thread.start()
    time.sleep(0.2)
    started = time.monotonic()
    simulator.stop()
    thread.join(5)
    assert not thread.is_alive() and errors
    assert time.monotonic() - started < 3


def test_slow_responses_wait_then_answer(sim, http_get):
    sim.faults = FaultPlan(slow=Trigger(every=1), slow_seconds=0.4)
    started = time.monotonic()
    assert http_get(sim.base_url + LIST).status == 200
    assert time.monotonic() - started >= 0.4


def test_constructor_latency_delays_every_request(start_sim, http_get, real_notices):
    simulator = start_sim(real_notices, clock=CLOCK, latency=0.2)
    started = time.monotonic()
    http_get(simulator.base_url + LIST)
    assert time.monotonic() - started >= 0.2


def test_truncated_body_is_status_200_and_invalid_json(sim, http_get):
    full = http_get(sim.base_url + LIST).body
    sim.faults = FaultPlan(truncate=Trigger(next=1))
    cut = http_get(sim.base_url + LIST)
    assert cut.status == 200
    assert cut.body == full[: len(full) // 2]
    with pytest.raises(json.JSONDecodeError):
        json.loads(cut.body.decode("utf-8", errors="ignore"))


def test_html_challenge_replaces_json(sim, http_get):
    sim.faults = FaultPlan(html_challenge=Trigger(next=1))
    page = http_get(sim.base_url + LIST)
    assert page.status == 200 and page.headers["Content-Type"].startswith("text/html")
    assert '<script src="/_fec_sbu/fec_wrapper.js"></script>' in page.text
    assert re.search(r'<script id="[a-z]+" src="/_fec_sbu/hxk_fec_[0-9a-f]{8}\.js">', page.text)
    assert http_get(sim.base_url + LIST).json()["rowCount"] > 0


def test_challenge_scripts_are_served(sim, http_get):
    assert http_get(sim.base_url + "/_fec_sbu/fec_wrapper.js").status == 200


def test_js_challenge_refuses_a_plain_client(sim, http_get):
    sim.faults = FaultPlan(js_challenge=True)
    for _ in range(3):
        result = http_get(sim.base_url + LIST)
        assert result.status == 200 and "fec_wrapper.js" in result.text
        assert "document.cookie" in result.text and "location.reload()" in result.text


def test_js_challenge_accepts_the_token_the_script_computes(sim, http_get):
    sim.faults = FaultPlan(js_challenge=True)
    page = http_get(sim.base_url + "/thong-bao-cong-khai-viec-dau-gia.html").text
    nonce = re.search(r'var nonce = "([0-9a-f]+)"', page).group(1)
    cookie = f"{COOKIE_NAME}={nonce}.{fec_token(nonce)}"
    assert http_get(sim.base_url + LIST, headers={"Cookie": cookie}).json()["rowCount"] > 0
    forged = f"{COOKIE_NAME}={'0' * 32}.{fec_token('0' * 32)}"
    assert "fec_wrapper.js" in http_get(sim.base_url + LIST, headers={"Cookie": forged}).text


def test_js_challenge_leaves_thads_pages_alone(start_sim, http_get, made_up_thads_documents):
    simulator = start_sim(made_up_thads_documents, clock=CLOCK, faults=FaultPlan(js_challenge=True))
    page = http_get(simulator.base_url + "/binhdinh/noidung/thongbao/Lists/ThongBao/View_Detail.aspx?Page=1")
    assert "ItemID=23" in page.text


def test_renamed_fields_mode(sim, http_get):
    sim.faults = FaultPlan(renamed_fields=dict(DEFAULT_RENAMES))
    body = http_get(sim.base_url + LIST).json()
    assert "totalRows" in body and "rowCount" not in body
    assert "publishTimeFirst" in body["items"][0] and "publishTime1" not in body["items"][0]


def test_spec_string_builds_the_same_plan():
    plan = FaultPlan.from_spec("429:every=5;retry_after=2, 5xx:next=3;status=502, timeout:next=1;seconds=3,"
                               " slow:seconds=0.5, truncate:first=2;endpoints=/portal/, js_challenge, renamed, seed=4")
    assert plan.rate_limit == Trigger(every=5) and plan.rate_limit_retry_after == 2
    assert plan.server_error == Trigger(next=3) and plan.server_error_status == 502
    assert plan.timeout == Trigger(next=1) and plan.timeout_seconds == 3
    assert plan.slow == Trigger(every=1) and plan.slow_seconds == 0.5
    assert plan.truncate == Trigger(first_per_endpoint=2, endpoints=("/portal/",))
    assert plan.js_challenge and plan.renamed_fields == DEFAULT_RENAMES and plan.seed == 4


def test_spec_string_rejects_unknown_faults():
    with pytest.raises(ValueError, match="unknown fault"):
        FaultPlan.from_spec("teapot:every=2")


def test_request_log_counts_every_request(sim, http_get):
    sim.faults = FaultPlan(rate_limit=Trigger(next=1))
    statuses(sim, http_get, 3)
    assert len(sim.request_log) == 3
    assert sim.request_log.count(path="/portal/search", status=200) == 2
    assert sim.request_log[0].params["numberPerPage"] == ["10"]
