"""Copy a history database from SQLite into PostgreSQL, table by table with COPY, for the PostgreSQL benchmarks.

Importing the national history takes about an hour per backend (it is the crawler's ingest path, one document at a
time); the detection and daily benchmarks only need the resulting tables. This copies every table of a SQLite
history database (both brought to the head schema first) into a fresh PostgreSQL database: values go over as SQLite stores
them (times as UTC text, read with the session time zone set to UTC; JSON as text; booleans as 0/1), then the
id sequences are moved past the copied ids and the tables analysed.

    python bench/copy_history.py /tmp/am-bench/hist_x.sqlite postgresql://postgres@127.0.0.1:55433/am_bench_hist_x
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import figure  # noqa: E402


def copy_history(sqlite_path: Path, pg_url: str, *, batch: int = 5_000) -> dict[str, int]:
    import psycopg
    from sqlalchemy.engine import make_url

    from storage.db import upgrade
    from storage.models import Base

    upgrade(f"sqlite:///{sqlite_path.resolve()}")  # both sides at head
    upgrade(pg_url)
    u = make_url(pg_url)
    src = sqlite3.connect(sqlite_path)
    counts: dict[str, int] = {}
    with psycopg.connect(host=u.host, port=u.port or 5432, user=u.username, password=u.password,
                         dbname=u.database) as dst:
        dst.execute("SET TIME ZONE 'UTC'")
        tables = [t for t in Base.metadata.sorted_tables]
        for table in reversed(tables):
            dst.execute(f'TRUNCATE "{table.name}" CASCADE')
        for table in tables:
            columns = [c.name for c in table.columns]
            quoted = ", ".join(f'"{c}"' for c in columns)
            rows = src.execute(f"SELECT {quoted} FROM \"{table.name}\"")
            n = 0
            with dst.cursor() as cur, cur.copy(f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
                while True:
                    chunk = rows.fetchmany(batch)
                    if not chunk:
                        break
                    for row in chunk:
                        copy.write_row(row)
                    n += len(chunk)
            counts[table.name] = n
            for column in table.primary_key.columns:
                if column.autoincrement is True or (column.autoincrement == "auto" and
                                                    len(table.primary_key.columns) == 1 and
                                                    column.type.python_type is int):
                    dst.execute(f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', '{column.name}'), "
                                f"COALESCE((SELECT MAX(\"{column.name}\") FROM \"{table.name}\"), 0) + 1, false) "
                                f"WHERE pg_get_serial_sequence('\"{table.name}\"', '{column.name}') IS NOT NULL")
        dst.commit()
        dst.autocommit = True
        dst.execute("ANALYZE")
    src.close()
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sqlite", type=Path)
    ap.add_argument("pg_url")
    args = ap.parse_args()
    t0 = time.perf_counter()
    counts = copy_history(args.sqlite, args.pg_url)
    for name, n in counts.items():
        figure(f"copied_{name}", n, "rows")
    figure("copy_wall", time.perf_counter() - t0, "s")


if __name__ == "__main__":
    main()
