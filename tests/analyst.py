"""An analyst, for the readers-and-writer tests (written by us): a separate process that opens the
warehouse read-only every ``interval`` seconds, checks that what it sees is made of whole runs,
and prints one JSON line per look. It stops when its standard input closes or says "stop".

    python tests/analyst.py DB [INTERVAL]

A look is whole when the run log accounts for every record version: each publish writes its
versions and its run's row (with versions_new) in one transaction, so a reader that saw half a
publish would find the two apart.
"""

from __future__ import annotations

import json
import select
import sys
import time

from fmwatch.warehouse import Warehouse

WHOLE_RUNS = """
SELECT (SELECT count(*) FROM run_log)                                   AS runs,
       (SELECT coalesce(sum(versions_new), 0) FROM run_log)::BIGINT     AS versions_in_run_log,
       (SELECT count(*) FROM record_versions)                           AS versions,
       (SELECT count(*) FROM pubmed_article_versions) + (SELECT count(*) FROM fm_article_versions)
           + (SELECT count(*) FROM record_versions WHERE deleted)       AS version_rows,
       (SELECT count(*) FROM articles)                                  AS articles,
       (SELECT count(*) FROM evidence_flags WHERE state <> 'new')       AS triaged
"""


def look(db: str) -> dict:
    started = time.monotonic()
    with Warehouse.open(db, read_only=True) as warehouse:
        cursor = warehouse.con.execute(WHOLE_RUNS)
        row = dict(zip([d[0] for d in cursor.description], cursor.fetchone()))
        row["snapshot"] = warehouse.snapshot.name if warehouse.snapshot else None
    row["whole"] = row["versions_in_run_log"] == row["versions"] == row["version_rows"]
    row["seconds"] = round(time.monotonic() - started, 3)
    return row


def main() -> None:
    db, interval = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 1.0
    print(json.dumps({"ready": True}), flush=True)
    while True:
        try:
            row = look(db)
        except Exception as error:  # every error counts: the test asserts there are none
            row = {"error": f"{type(error).__name__}: {error}"}
        print(json.dumps(row, default=str), flush=True)
        ready, _, _ = select.select([sys.stdin], [], [], interval)
        if ready and sys.stdin.readline().strip() in ("stop", ""):
            return


if __name__ == "__main__":
    main()
