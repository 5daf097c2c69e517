"""Precision per rule on the 236 real dgts notices, against the hand labels in ``bench/labels/real_notices.jsonl``.

Imports the real notices into a throw-away SQLite database with ``auction-monitor import-dataset``, runs every
detector with its default settings (``auction-monitor detect``), exports the findings and compares each flag and
each "insufficient" verdict with the label a person wrote after reading the notice (``detectors.label_eval``).
Prints one figure per line; ``--wrong`` also lists every flag labelled wrong, ``--json FILE`` writes the scores.

    python bench/precision.py [--data PATH] [--labels PATH] [--wrong]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from detectors.label_eval import evaluate, load_labels  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "dgts" / "auction_notices_2025-05_2026-07.jsonl"
DEFAULT_LABELS = ROOT / "bench" / "labels" / "real_notices.jsonl"


def cli() -> list[str]:
    exe = shutil.which("auction-monitor") or str(Path(sys.executable).with_name("auction-monitor"))
    return [exe]


def run_pipeline(data: Path, workdir: Path) -> list[dict]:
    db = f"sqlite:///{workdir / 'real.sqlite'}"
    for args in (["db", "upgrade"], ["import-dataset", str(data)], ["detect"]):
        subprocess.run(cli() + ["--db", db, *args], check=True, capture_output=True, text=True)
    out = subprocess.run(cli() + ["--db", db, "findings", "--format", "jsonl"], check=True, capture_output=True,
                         text=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    ap.add_argument("--wrong", action="store_true", help="list every flag labelled wrong and every miss")
    ap.add_argument("--json", type=Path, help="write the scores to this file")
    args = ap.parse_args()
    labels = load_labels(args.labels)
    with tempfile.TemporaryDirectory(prefix="am-precision-") as tmp:
        findings = run_pipeline(args.data, Path(tmp))
    scores = evaluate(findings, labels)
    print(f"# {len(findings)} open findings on {args.data.name}; {len(labels)} labels in {args.labels.name}")
    report = {}
    for name, s in scores.items():
        precision = "n/a" if s.precision is None else f"{s.precision:.3f}"
        recall = "n/a" if s.recall is None else f"{s.recall:.3f}"
        print(f"{name}: flags {s.flags}, correct {s.correct}, wrong {len(s.wrong)}, unlabelled {len(s.unlabelled)}, "
              f"precision {precision}, recall {recall} ({s.violations_flagged}/{s.violations_labelled} labelled "
              f"violations), insufficient on a violation {len(s.insufficient_on_violation)}, "
              f"insufficient on an undecidable case {s.insufficient_right}")
        report[name] = {"flags": s.flags, "correct": s.correct, "wrong": s.wrong, "unlabelled": s.unlabelled,
                        "precision": s.precision, "recall": s.recall,
                        "insufficient_on_violation": s.insufficient_on_violation}
        if args.wrong:
            for w in s.wrong:
                print(f"#   wrong flag {w['key']}: labelled {w['verdict']}: {w['reason']}")
            for k in s.insufficient_on_violation:
                print(f"#   insufficient on a labelled violation {list(k)}: {labels[k]['reason']}")
            for k in s.unlabelled:
                print(f"#   unlabelled flag {list(k)}")
    if args.json:
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2, default=list) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
