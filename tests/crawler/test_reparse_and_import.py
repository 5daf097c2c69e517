"""`reparse` rebuilds parsed rows from stored raw bytes; `import-dataset` goes through the same ingest path."""

from __future__ import annotations

import json
from datetime import date, datetime

from sqlalchemy import delete, func, select

from am_testing import crawl_dgts, real_notices_path
from crawler.dataset_import import import_dataset
from crawler.reparse import reparse_all
from crawler.simulator import PortalSimulator
from storage.models import AuctionNotice, ChangeEvent, Lot, Snapshot


def test_reparse_rebuilds_rows_from_raw_evidence(app_ctx, real_notice_docs):
    docs = [d for d in real_notice_docs if d["list_item"]["publishTime1"] >= 1782838800000]
    with PortalSimulator(docs, clock=datetime.fromisoformat("2026-07-01T20:00:00+07:00")) as sim:
        crawl_dgts(app_ctx, sim, since=date(2026, 7, 1), until=date(2026, 7, 1))
    with app_ctx.session() as s:
        before = {a.id: (a.property_name, a.reg_end, a.org_name) for a in s.scalars(select(AuctionNotice))}
        s.execute(delete(Lot))
        s.execute(delete(AuctionNotice))
        n_events = s.scalar(select(func.count()).select_from(ChangeEvent))
    summary = reparse_all(app_ctx.session, app_ctx.evidence)
    assert summary == {"from_raw": 6}
    with app_ctx.session() as s:
        after = {a.id: (a.property_name, a.reg_end, a.org_name) for a in s.scalars(select(AuctionNotice))}
        assert after == before
        assert s.scalar(select(func.count()).select_from(Lot)) == 6
        assert s.scalar(select(func.count()).select_from(ChangeEvent)) == n_events  # history is not rewritten


def test_import_dataset_reports_bad_lines_and_keeps_the_rest(app_ctx, tmp_path):
    lines = real_notices_path().read_text(encoding="utf-8").splitlines()[:5]
    bad = tmp_path / "mixed.jsonl"
    bad.write_text("\n".join([lines[0], "{not json", json.dumps([1, 2]), json.dumps({"kind": "dgts.nothing"}),
                              lines[1], "", lines[2]]) + "\n", encoding="utf-8")
    summary = import_dataset(app_ctx.session, app_ctx.evidence, [bad])
    assert summary["counters"]["new"] == 3 and summary["counters"]["errors"] == 3
    assert [e.split(": ")[0] for e in summary["errors"]] == [f"{bad}:2", f"{bad}:3", f"{bad}:4"]
    with app_ctx.session() as s:
        assert s.scalar(select(func.count()).select_from(Snapshot)) == 3
    # importing the good file afterwards loses nothing already stored and adds the rest
    summary2 = import_dataset(app_ctx.session, app_ctx.evidence, [real_notices_path()])
    assert summary2["counters"]["new"] == 233 and summary2["counters"]["unchanged"] == 3
