"""`build_simulator` options and the blocking `serve()` entry point."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.simulator import DEFAULT_RENAMES, Trigger, build_simulator

REPO = Path(__file__).resolve().parents[2]


def test_fault_options_by_name(real_notices):
    sim = build_simulator(real_notices, js_challenge=True, rate_limit={"every": 4}, renamed_fields=True,
                          clock="2026-07-02T00:00:00")
    assert sim.faults.js_challenge
    assert sim.faults.rate_limit == Trigger(every=4)
    assert sim.faults.renamed_fields == DEFAULT_RENAMES


def test_fault_spec_string(real_notices):
    sim = build_simulator(real_notices, fault_spec="5xx:next=2;status=500, slow:seconds=0.1")
    assert sim.faults.server_error == Trigger(next=2) and sim.faults.server_error_status == 500
    assert sim.faults.slow_seconds == 0.1


def test_documents_may_be_jsonl_paths(tmp_path, real_notices):
    path = tmp_path / "notices.jsonl"
    path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in real_notices[:3]), encoding="utf-8")
    sim = build_simulator([path])
    assert len(sim.store.records("dgts.auction_notice")) == 3


def test_unknown_option_is_an_error(real_notices):
    with pytest.raises(TypeError, match="unknown simulator options"):
        build_simulator(real_notices, colour="red")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_blocks_until_interrupted(tmp_path, real_notices, http_get):
    path = tmp_path / "notices.jsonl"
    path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in real_notices), encoding="utf-8")
    port = _free_port()
    code = ("from crawler.simulator import serve, load_documents; import sys;"
            f"serve(load_documents([sys.argv[1]]), {port}, clock='2026-07-02T00:00:00')")
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    process = subprocess.Popen([sys.executable, "-c", code, str(path)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert "portal simulator on http://127.0.0.1:" in process.stdout.readline()
        body = http_get(f"http://127.0.0.1:{port}/portal/search/auction-notice?p=1").json()
        assert body["rowCount"] == len(real_notices)
    finally:
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=10) == 0
