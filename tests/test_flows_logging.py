"""What the flows' logs show of the library's messages: a request by its short URL, as the CLI does."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "flows"))
import fmwatch_flows  # noqa: E402,F401  (importing it installs the filters)

LONG_URL = ("http://127.0.0.1:9/eutils/esearch.fcgi?db=pubmed&term=%28fibromyalgia%5BMeSH+Terms%5D+OR+"
            "fibromyalgia%5Btiab%5D+OR+%22fibromyalgia+syndrome%22%5Btiab%5D%29+AND+magnesium%5Btiab%5D"
            "&usehistory=y&retmax=10000&tool=fmwatch&email=***")


class Kept(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_a_retry_logged_inside_a_flow_names_its_request_by_a_short_url():
    logger = logging.getLogger("fmwatch.http")
    kept = Kept()
    logger.addHandler(kept)
    try:
        logger.warning("retrying %s (attempt %d of %d): %s", LONG_URL, 2, 6, "HTTP 503")
    finally:
        logger.removeHandler(kept)
    [message] = kept.messages
    assert "esearch.fcgi?db=pubmed&term=" in message and "attempt 2 of 6" in message
    assert "fibromyalgia%22%5Btiab" not in message and len(message) < len(LONG_URL)


@pytest.mark.filterwarnings("ignore:Logger 'prefect.task_runs' attempted to send logs")  # no flow run here
def test_prefects_task_run_log_names_a_failed_request_by_a_short_url():
    logger = logging.getLogger("prefect.task_runs")
    kept = Kept()
    logger.addHandler(kept)
    try:
        logger.info("Task run failed with exception: RetriesExhausted('POST %s failed after 6 attempts')", LONG_URL)
    finally:
        logger.removeHandler(kept)
    [message] = kept.messages
    assert "RetriesExhausted('POST http://127.0.0.1:9/eutils/esearch.fcgi?db=pubmed&term=" in message
    assert "fibromyalgia%22%5Btiab" not in message
