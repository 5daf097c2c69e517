"""The command line as an operator uses it: init, db upgrade, import-dataset, detect, findings, parcels, review."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from am_testing import real_notices_path
from service.cli import app

runner = CliRunner()


def invoke(*args):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_init_writes_a_file_that_loads(tmp_path):
    cfg = tmp_path / "am.toml"
    assert invoke("init", str(cfg)).exit_code == 0
    assert "[detectors.premature_scoring]" in cfg.read_text(encoding="utf-8")
    again = invoke("init", str(cfg))
    assert again.exit_code == 2 and "exists" in again.output


def test_bad_config_is_one_clear_error(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[portals.dgts]\npagesize = 1\n", encoding="utf-8")
    res = invoke("--config", str(cfg), "db", "upgrade")
    assert res.exit_code == 2
    assert "portals.dgts.pagesize" in res.output and "unknown key" in res.output and "Traceback" not in res.output


def test_import_detect_export_and_review(tmp_path):
    db = str(tmp_path / "cli.sqlite")
    assert invoke("--db", db, "db", "upgrade").exit_code == 0
    res = invoke("--db", db, "import-dataset", str(real_notices_path()))
    assert res.exit_code == 0 and json.loads(res.output.strip().splitlines()[-1])["new"] == 236
    res = invoke("--db", db, "detect", "--detectors", "parcel_details")
    assert res.exit_code == 0
    res = invoke("--db", db, "findings", "--detector", "parcel_details", "--format", "jsonl")
    rows = [json.loads(line) for line in res.output.splitlines() if line.startswith("{")]
    assert rows and {"detector", "rule", "subject_kind", "subject_id", "status", "severity", "evidence", "urls",
                     "first_seen", "last_seen"} <= set(rows[0])
    res = invoke("--db", db, "parcels", "--format", "jsonl")
    lots = [json.loads(line) for line in res.output.splitlines() if line.startswith("{")]
    assert len(lots) == 287 and sum(1 for lot in lots if lot["is_land"]) > 100
    res = invoke("--db", db, "review", str(rows[0]["id"]), "--verdict", "needs_more_info", "--note", "xem tệp đính kèm")
    assert res.exit_code == 0 and json.loads(res.output)["verdict"] == "needs_more_info"
    assert invoke("--db", db, "review", "424242", "--verdict", "confirmed").exit_code == 2
    assert invoke("--db", db, "detect", "--detectors", "nope").exit_code == 2


def test_run_ends_with_a_readable_summary(tmp_path):
    db = str(tmp_path / "run.sqlite")
    cfg = tmp_path / "am.toml"
    cfg.write_text(f'[alerts]\noutbox_dir = "{tmp_path / "outbox"}"\n\n[detectors.parcel_details]\n', encoding="utf-8")
    assert invoke("--db", db, "import-dataset", str(real_notices_path())).exit_code == 0
    res = invoke("--config", str(cfg), "--db", db, "run", "--skip-crawl")
    assert res.exit_code == 0, res.output
    summary = res.output[res.output.index("Daily job #"):]
    assert summary.startswith("Daily job #1: ok") and "Stages: detect ok, alerts ok" in summary
    assert "(not crawled: --skip-crawl)" in summary
    line = next(x for x in summary.splitlines() if "parcel_details.missing_parcel_fields" in x)
    assert "flag" in line and "undecided" in line and "new" in line
    assert "digest(s) queued; 1 sent" in summary and not summary.lstrip().startswith("{")
    again = invoke("--config", str(cfg), "--db", db, "run", "--skip-crawl", "--format", "json")
    data = json.loads(again.output.strip().splitlines()[-1])
    assert data["ok"] and data["stages"] == {"detect": "ok", "alerts": "ok"}
    assert data["findings"]["parcel_details.missing_parcel_fields"]["new"] == 0


def test_detect_daily_scope_runs_a_full_pass_first_then_incremental_ones(tmp_path):
    db = str(tmp_path / "scope.sqlite")
    assert invoke("--db", db, "import-dataset", str(real_notices_path())).exit_code == 0
    first = json.loads(invoke("--db", db, "detect", "--daily-scope").output.strip().splitlines()[-1])
    assert first["scope"] == {"since": None, "reason": "no complete full detection yet"}
    assert first["counters"]["parcel_details"]["new"] > 0
    second = json.loads(invoke("--db", db, "detect", "--daily-scope").output.strip().splitlines()[-1])
    assert second["scope"]["since"] is not None and second["scope"]["reason"].startswith("0 records changed")
    assert all(c.get("new", 0) == 0 for c in second["counters"].values())
    assert invoke("--db", db, "detect", "--daily-scope", "--since", "2026-07-01").exit_code == 2
