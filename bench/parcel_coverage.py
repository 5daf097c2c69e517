"""Print how often land lots of real dgts notices lack each parcel field (vntext.parcels over a JSONL file).

Reads either the portal dataset format (one notice per line with ``list_item`` and ``property_info``, e.g.
shared/data/dgts/auction_notices_2025-05_2026-07.jsonl) or the per-lot fixture tests/fixtures/parcels/real_lots.jsonl
(the default). Only the lots' own texts and the notice name are used; attachments are not in these files.

    python bench/parcel_coverage.py [path.jsonl]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from vntext.parcels import DEFAULT_REQUIRED, FIELDS, ParcelDetails, extract_lot  # noqa: E402

DEFAULT_PATH = REPO / "tests" / "fixtures" / "parcels" / "real_lots.jsonl"


def iter_lots(path: Path) -> Iterator[tuple[Any, dict[str, Any], str | None, int | None]]:
    """(notice id, lot row, notice name, notice property type) for every lot in the file."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            record = json.loads(line)
            if "property_info" in record:
                item = record.get("list_item") or {}
                for lot in record["property_info"]:
                    yield record.get("id"), lot, item.get("propertyName"), item.get("propertyTypeId")
            else:
                yield record.get("notice_id"), record, record.get("notice_name"), record.get("notice_property_type_id")


def coverage(path: Path) -> str:
    results: list[tuple[Any, ParcelDetails]] = [
        (notice_id, extract_lot(lot, notice_name=name, notice_property_type_id=type_id, required=FIELDS))
        for notice_id, lot, name, type_id in iter_lots(path)
    ]
    land = [(nid, d) for nid, d in results if d.is_land]
    lines = [
        f"file: {path}",
        f"notices: {len({nid for nid, _ in results})}   lots: {len(results)}   land lots: {len(land)} "
        f"(in {len({nid for nid, _ in land})} notices)",
        "",
        "why lots were (not) classified as land:",
    ]
    reasons = Counter(d.land_reason.split(" (")[0].split(":")[0] for _, d in results)
    lines += [f"  {count:4d}  {reason}" for reason, count in reasons.most_common()]
    lines += ["", f"share of the {len(land)} land lots missing each field (* = required by default):"]
    for name in FIELDS:
        absent = sum(name in d.missing for _, d in land)
        mark = "*" if name in DEFAULT_REQUIRED else " "
        lines.append(f"  {mark} {name:17s} {absent:4d}  {absent / max(len(land), 1):6.1%}")
    complete = sum(not set(DEFAULT_REQUIRED) & set(d.missing) for _, d in land)
    lines += [
        "",
        f"land lots with every required field: {complete} ({complete / max(len(land), 1):.1%})",
        f"land lots missing diện tích or vị trí (D2 'required' in legal-rules.md): "
        f"{sum(bool({'area_m2', 'location'} & set(d.missing)) for _, d in land)}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)
    args = parser.parse_args(argv)
    print(coverage(args.path))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
