"""One redaction of the secrets fmwatch sends: the NCBI ``api_key`` and the contact e-mail.

Every text that leaves the process passes through :func:`redact`: error messages
(``FetchError`` and ``RunFailed`` redact themselves), log records (:class:`RedactingFilter`
on the CLI's handler and on Prefect's run loggers), the ``runs.error`` column and the Prefect
flow state. The secrets are registered once, when a client is built from the settings
(:func:`register`), so that code far from the settings (a log handler, a flow) needs no copy.

Each secret is replaced in the forms it takes on the wire as well: URL-encoded
(``editor%40example.org``), form-encoded (``+`` for a space) and JSON-escaped, since NCBI's
answer to a bad key (``400 {"error":"API key invalid","api-key":"<the key>"}``) echoes it back.
"""

from __future__ import annotations

import json
import logging
import threading
from urllib.parse import quote, quote_plus

MASK = "***"
_MIN_LENGTH = 4  # a one-letter "secret" would turn every message into asterisks

_secrets: set[str] = set()
_lock = threading.Lock()


def _forms(secret: str) -> set[str]:
    return {secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret)[1:-1]} - {""}


def register(*secrets: str | None) -> None:
    """Remember these values (None and very short values are ignored) for every later :func:`redact`."""
    with _lock:
        for secret in secrets:
            if secret and len(secret) >= _MIN_LENGTH:
                _secrets.update(_forms(secret))


def forget_all() -> None:
    """Drop every registered secret (tests that change the key between runs)."""
    with _lock:
        _secrets.clear()


def redact(text: object) -> str:
    """``str(text)`` with every registered secret, in each of its encodings, replaced by ``***``.

    Longest first, so that the plain secret inside its URL-encoded form cannot leave a fragment.
    """
    result = str(text)
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in result:
            result = result.replace(secret, MASK)
    return result


class RedactingFilter(logging.Filter):
    """A logging filter that passes every record's message (and exception text) through :func:`redact`.

    ``extra`` secrets are registered too (kept for callers that built it from the settings).
    """

    def __init__(self, extra: list[str] | tuple[str, ...] = ()):
        super().__init__()
        register(*extra)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # The traceback is formatted later, by the handler: format it now, redacted.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True
