"""Job steps shared by the CLI, the daily run, the scheduler and the demo."""

from __future__ import annotations

from datetime import date
from typing import Any, Callable

from detectors.registry import build
from detectors.runner import run_detectors
from service.context import AppContext


def run_detection(ctx: AppContext, *, only: list[str] | None = None, since: date | None = None,
                  progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    detectors = build(ctx.settings.detector_settings(), only)
    with ctx.session() as session:
        run = run_detectors(session, detectors, since=since, evidence_root=str(ctx.evidence.root), progress=progress)
        return {"detector_run_id": run.id, "counters": run.counters}
