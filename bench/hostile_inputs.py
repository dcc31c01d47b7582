"""Memory of `fmwatch import` on hostile local files, each generated here in a temporary folder.

    python bench/hostile_inputs.py            # the 2 GB inputs and the gzip bomb (about a minute)
    python bench/hostile_inputs.py --small    # the same kinds at 1/8 of the size (CI-sized)

Each input is imported by its own `fmwatch import` process, into its own warehouse; its peak RSS
(``os.wait4``) is set beside the reference: the same command importing one small, good PubMed XML
file. The inputs:

- ``medline-2g.txt``: 2 GB that start like a MEDLINE export and hold no record break (refused at
  the 8 MiB record bound);
- ``medline-real-shaped.txt``: MEDLINE records in PubMed's shape (written here), 256 MB (32 MB
  with ``--small``): streamed; only read (``iter_file_items``), since loading that many records
  measures the import pipeline, not the reading;
- ``unknown-2g.bin``: 2 GB of zeros (not a known format; 1 MiB of it kept in quarantine);
- ``broken-2g.xml``: a PubMed XML start tag, then 2 GB of spaces: streamed, then found broken at
  its end, and re-read record by record only up to ``MAX_RECOVERY_BYTES``;
- ``bomb-4m.xml.gz``: about 4 MB of gzip that expand to 4 GB of zeros.

The stated bound (README, "Reliability and security") is a peak RSS under 400 MB for each.
Results go to bench/results/hostile_inputs.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SHARED = Path(os.environ.get("FMWATCH_SHARED", REPO.parent / "shared"))
BOUND_MB = 400
GB = 1024 ** 3


def _sparse(path: Path, start: bytes, size: int) -> Path:
    with open(path, "wb") as handle:
        handle.write(start)
        handle.truncate(size)  # the rest reads as zeros and costs no disk
    return path


def _spaces(path: Path, start: bytes, size: int) -> Path:
    block = b" " * (16 * 1024 * 1024)
    with open(path, "wb") as handle:
        handle.write(start)
        for _ in range(size // len(block)):
            handle.write(block)
    return path


def _medline(path: Path, size: int) -> Path:
    """MEDLINE records (written here, in PubMed's shape), ``size`` bytes of them."""
    with open(path, "w", encoding="utf-8") as handle:
        pmid, written = 91000000, 0
        while written < size:
            record = (f"PMID- {pmid}\nOWN - NLM\nSTAT- MEDLINE\nDP  - 2020 Jan\nTI  - Oral magnesium in "
                      f"fibromyalgia, report {pmid}.\nAB  - " + "An open study of magnesium citrate in women "
                      "with fibromyalgia measured pain and sleep over eight weeks. " * 12 +
                      "\nFAU - Pérez, Ángela\nAU  - Pérez Á\nLA  - eng\nPT  - Journal Article\nTA  - Test J\n"
                      "EDAT- 2020/01/05 06:00\nCRDT- 2020/01/04 08:00\n\n")
            handle.write(record)
            written += len(record.encode("utf-8"))
            pmid += 1
    return path


def _bomb(path: Path, size: int) -> Path:
    block = b"\0" * (16 * 1024 * 1024)
    with gzip.open(path, "wb", compresslevel=9) as handle:
        handle.write(b"<?xml version='1.0'?><PubmedArticleSet>")
        for _ in range(size // len(block)):
            handle.write(block)
    return path


def make_inputs(folder: Path, scale: float) -> dict[str, Path]:
    size = int(2 * GB * scale)
    return {
        "medline-2g.txt": _sparse(folder / "medline-2g.txt", b"PMID- 90000001\nTI  - a title\n", size),
        "medline-real-shaped.txt": _medline(folder / "medline-real-shaped.txt", int(GB / 4 * scale)),
        "unknown-2g.bin": _sparse(folder / "unknown-2g.bin", b"", size),
        "broken-2g.xml": _spaces(folder / "broken-2g.xml", b"<?xml version='1.0'?><PubmedArticleSet>", size),
        "bomb-4m.xml.gz": _bomb(folder / "bomb-4m.xml.gz", int(4 * GB * scale)),
    }


READ_ONLY = ("import sys; from fmwatch.sources.files import iter_file_items; from fmwatch.records import Quarantined\n"
             "n = 0\nfor item in iter_file_items(sys.argv[1]):\n"
             "    n += 1\n    if isinstance(item, Quarantined): print('quarantined ' + item.origin + ': ' + item.reason, "
             "file=sys.stderr)\nprint(n)")


def measure(path: Path, db: Path, read_only: bool = False) -> dict:
    """Peak RSS (MB), seconds, exit code and the quarantine reason of one `fmwatch import` (or, with
    ``read_only``, of reading the file's records without loading them)."""
    env = {**os.environ, "FMWATCH_DB": str(db), "FMWATCH_EUTILS_URL": "http://127.0.0.1:9/eutils/"}
    started = time.monotonic()
    command = ([sys.executable, "-c", READ_ONLY, str(path)] if read_only
               else [sys.executable, "-m", "fmwatch.cli", "import", "--offline", str(path)])
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode("utf-8", "replace")
    reason = next((line.split(": ", 1)[-1] for line in stderr.splitlines() if line.startswith("quarantined ")), "")
    return {"peak_rss_mb": round(usage.ru_maxrss / 1024, 1), "seconds": round(time.monotonic() - started, 2),
            "exit": process.returncode, "bytes": path.stat().st_size, "reason": reason[:200]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="1/8 of the sizes")
    args = parser.parse_args()
    reference_file = sorted((SHARED / "fixtures" / "eutils").glob("pubmed*.xml"))[3]
    results = {}
    with tempfile.TemporaryDirectory(prefix="fmwatch-hostile-") as tmp:
        folder = Path(tmp)
        results["reference (one good PubMed XML file)"] = measure(reference_file, folder / "ref.duckdb")
        results["reference, read only"] = measure(reference_file, folder / "ref2.duckdb", read_only=True)
        for name, path in make_inputs(folder, 1 / 8 if args.small else 1.0).items():
            results[name] = measure(path, folder / f"{name}.duckdb", read_only="real-shaped" in name)
            if "real-shaped" in name:
                results[name]["mode"] = "read only"
            path.unlink()
    reference = results["reference (one good PubMed XML file)"]["peak_rss_mb"]
    print(f"{'input':40} {'size':>12} {'peak RSS':>10} {'x ref':>6} {'s':>7} exit  reason")
    for name, row in results.items():
        row["ratio_to_reference"] = round(row["peak_rss_mb"] / reference, 2)
        print(f"{name:40} {row['bytes']:>12} {row['peak_rss_mb']:>8} MB {row['ratio_to_reference']:>6} "
              f"{row['seconds']:>7} {row['exit']:>4}  {row['reason'][:70]}")
    over = [name for name, row in results.items() if row["peak_rss_mb"] > BOUND_MB]
    print(f"bound: {BOUND_MB} MB peak RSS; over it: {', '.join(over) or 'none'}")
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "hostile_inputs.json").write_text(json.dumps(
        {"bound_mb": BOUND_MB, "small": args.small, "results": results}, indent=1))
    sys.exit(1 if over else 0)


if __name__ == "__main__":
    main()
