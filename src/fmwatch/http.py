"""The HTTP layer every source shares: one requests Session, a process-wide rate limit,
retries with backoff (tenacity), secret redaction, and record/replay.

Offline runs and tests use the very same code: only the transport adapter mounted on
the Session changes (``ReplayAdapter`` serves recorded responses from a snapshot folder).
"""

from __future__ import annotations

import http.client
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests
import urllib3
from requests.adapters import BaseAdapter, HTTPAdapter
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter
from tenacity.wait import wait_base

from .records import RawResponse

log = logging.getLogger("fmwatch.http")

SECRET_PARAMS = frozenset({"api_key"})
MAX_RETRY_AFTER_SECONDS = 120.0
MAX_BODY_BYTES = 200 * 1024 * 1024  # an E-utilities batch of 500 records is a few MB


class FetchError(RuntimeError):
    """A request failed for good (after its retries, or at once for a client error)."""


class TransientFetchError(FetchError):
    """Worth another attempt: 429, 5xx, timeouts, resets, truncated bodies, errors inside a 200."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


# --- rate limiting ---------------------------------------------------------------------------

class RateLimiter:
    """At most ``rate`` requests in any sliding one-second window, across all threads.

    A sliding window rather than even spacing: spacing 1/3 s apart still lets four
    requests fall inside one second, which NCBI counts as over the limit. And the window is
    counted from when each request *finished*, not when it left: NCBI counts arrivals, and an
    arrival lies somewhere between the two, so only the finish time makes the count safe on
    the server's side whatever the network's jitter.
    """

    def __init__(self, rate: float, window: float = 1.0):
        self.limit = max(1, int(rate))
        self.window = window
        self._slots: list[float] = []  # finish times; inf while a request is in flight
        self._changed = threading.Condition()

    def acquire(self) -> Callable[[], None]:
        """Wait for a slot; returns the function to call when the request has finished."""
        with self._changed:
            while True:
                now = time.monotonic()
                self._slots = [t for t in self._slots if now - t < self.window]
                if len(self._slots) < self.limit:
                    self._slots.append(float("inf"))
                    break
                oldest = min(self._slots)
                # wait() lets go of the lock, so a finishing request can release its slot meanwhile
                self._changed.wait(None if oldest == float("inf") else self.window - (now - oldest) + 0.001)

        def release() -> None:
            with self._changed:
                self._slots.remove(float("inf"))
                self._slots.append(time.monotonic())
                self._changed.notify_all()
        return release


_limiters: dict[tuple[str, float], RateLimiter] = {}
_limiters_lock = threading.Lock()


def shared_limiter(key: str, rate: float) -> RateLimiter:
    """The one limiter for ``key`` (e.g. NCBI's host) in this process."""
    with _limiters_lock:
        return _limiters.setdefault((key, rate), RateLimiter(rate))


# --- secrets ---------------------------------------------------------------------------------

def public_url(url: str, params: dict[str, Any] | None = None) -> str:
    """The URL with its parameters, less any secret: what logs and the raw archive see."""
    parts = urlsplit(url)
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in SECRET_PARAMS]
    pairs += [(k, v) for k, v in (params or {}).items() if k not in SECRET_PARAMS and v is not None]
    base = parts._replace(query="").geturl()
    return f"{base}?{urlencode(pairs)}" if pairs else base


class RedactingFilter(logging.Filter):
    """Replaces known secret values in every log record that passes through a handler."""

    def __init__(self, secrets: Iterable[str]):
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            for secret in self.secrets:
                message = message.replace(secret, "***")
            record.msg, record.args = message, None
        return True


# --- retries ---------------------------------------------------------------------------------

class _wait_retry_after_or_backoff(wait_base):
    """Honour a server's Retry-After; otherwise exponential backoff with jitter."""

    def __init__(self, backoff: float):
        self.backoff = wait_exponential_jitter(multiplier=backoff, max=max(backoff * 32, 0.001), jitter=backoff)

    def __call__(self, retry_state: RetryCallState) -> float:
        error = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(error, TransientFetchError) and error.retry_after is not None:
            return min(error.retry_after, MAX_RETRY_AFTER_SECONDS)
        return self.backoff(retry_state)


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        from email.utils import parsedate_to_datetime
        try:
            return max(0.0, (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds())
        except (TypeError, ValueError):
            return None


# --- the fetcher -----------------------------------------------------------------------------

Validator = Callable[[requests.Response, bytes], None]


class Fetcher:
    """GET/POST with the shared limiter and retry policy; keeps what it fetched for the raw archive."""

    def __init__(
        self,
        *,
        user_agent: str,
        throttle: Callable[[], object] | None = None,
        max_attempts: int = 6,
        backoff_seconds: float = 1.0,
        timeout_seconds: float = 60.0,
        transport: BaseAdapter | None = None,
        max_bytes: int = MAX_BODY_BYTES,
    ):
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        if transport is not None:
            self.session.mount("http://", transport)
            self.session.mount("https://", transport)
        self.throttle = throttle or (lambda: None)
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.timeout = (min(10.0, timeout_seconds), timeout_seconds)
        self.max_bytes = max_bytes
        self.requests_made = 0
        self.fetched: list[RawResponse] = []  # drained by the caller into the raw archive

    def drain(self) -> list[RawResponse]:
        fetched, self.fetched = self.fetched, []
        return fetched

    def request(
        self,
        method: str,
        url: str,
        *,
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        validate: Validator | None = None,
        archive: bool = True,
    ) -> requests.Response:
        """One logical request, retried on transient failure; returns the accepted response.

        The response's body is read and checked (``validate``) inside the retry, so a
        truncated body or an error inside a 200 is retried like a 503.
        """
        shown = public_url(url, {**(params or {}), **(data or {})})
        retrying = Retrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=_wait_retry_after_or_backoff(self.backoff_seconds),
            retry=retry_if_exception_type(TransientFetchError),
            reraise=True,
            before_sleep=lambda state: log.warning(
                "retrying %s (attempt %d of %d): %s", shown, state.attempt_number + 1, self.max_attempts,
                state.outcome.exception()),
        )
        try:
            for attempt in retrying:
                with attempt:
                    response = self._attempt(method, url, shown, params, data, headers, validate)
        except TransientFetchError as error:
            raise FetchError(f"{method} {shown} failed after {self.max_attempts} attempts: {error}") from None
        if archive:
            self.fetched.append(RawResponse(
                url=shown, method=method, status=response.status_code, body=response.content,
                fetched_at=datetime.now(timezone.utc),
                elapsed_ms=int(response.elapsed.total_seconds() * 1000) if response.elapsed else 0,
            ))
        return response

    def _attempt(self, method, url, shown, params, data, headers, validate) -> requests.Response:
        release = self.throttle()  # the library's limiter hands back a release; Prefect's rate_limit does not
        self.requests_made += 1
        try:
            return self._send(method, url, shown, params, data, headers, validate)
        finally:
            if callable(release):
                release()

    def _send(self, method, url, shown, params, data, headers, validate) -> requests.Response:
        try:
            response = self.session.request(
                method, url, params=params, data=data, headers=headers, timeout=self.timeout,
                allow_redirects=True, stream=True)
            body = _read_bounded(response, self.max_bytes)
        except requests.TooManyRedirects:
            raise FetchError(f"{method} {shown}: too many redirects (a redirect loop?)") from None
        except (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError, urllib3.exceptions.HTTPError,
                http.client.HTTPException, ConnectionError) as error:
            # The original exception text can hold the full URL; say only what kind it was.
            raise TransientFetchError(f"{type(error).__name__} while fetching") from None
        status = response.status_code
        if status == 429 or status >= 500:
            raise TransientFetchError(f"HTTP {status}", retry_after=_retry_after(response))
        if status >= 400:
            raise FetchError(f"{method} {shown}: HTTP {status}: {body[:200]!r}")
        if validate is not None:
            validate(response, body)
        return response


def _read_bounded(response: requests.Response, limit: int) -> bytes:
    """Read the body (refusing more than ``limit`` bytes) and keep it on the response as ``.content``."""
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        response.close()
        raise FetchError(f"{response.url}: {declared} bytes, over the {limit} byte limit")
    chunks, size = [], 0
    for chunk in response.raw.stream(64 * 1024, decode_content=True):
        size += len(chunk)
        if size > limit:
            response.close()
            raise FetchError(f"{response.url}: over the {limit} byte limit")
        chunks.append(chunk)
    body = b"".join(chunks)
    response._content = body  # so response.content / .text work as usual
    response._content_consumed = True
    return body


# --- record / replay -------------------------------------------------------------------------

def _request_params(request: requests.PreparedRequest) -> dict[str, str]:
    params = dict(parse_qsl(urlsplit(request.url).query, keep_blank_values=True))
    body = request.body
    if body and "application/x-www-form-urlencoded" in (request.headers.get("Content-Type") or ""):
        text = body.decode() if isinstance(body, bytes) else body
        params.update(parse_qsl(text, keep_blank_values=True))
    return params


class ReplayAdapter(BaseAdapter):
    """Serves recorded responses from a snapshot folder instead of the network.

    ``index.json`` lists entries ``{"path", "params", "params_contain", "params_absent",
    "file", "status", "headers"}``; a request matches the first entry whose path ends the
    request's path, whose ``params`` are all among the request's, whose ``params_contain``
    values are substrings of the request's (so dates, keys and long queries need not match
    exactly), and none of whose ``params_absent`` the request has.
    """

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.entries: list[dict] = json.loads((self.folder / "index.json").read_text(encoding="utf-8"))
        self.served = 0

    def send(self, request: requests.PreparedRequest, **kwargs) -> requests.Response:
        path = urlsplit(request.url).path
        params = _request_params(request)
        for entry in self.entries:
            if not path.endswith("/" + entry["path"].lstrip("/")) and not (entry["path"] == "" and path in ("", "/")):
                continue
            if (all(params.get(k) == str(v) for k, v in entry.get("params", {}).items())
                    and all(str(v) in params.get(k, "") for k, v in entry.get("params_contain", {}).items())
                    and not any(k in params for k in entry.get("params_absent", []))):
                self.served += 1
                headers = entry.get("headers", {})
                if headers.get("ETag") and request.headers.get("If-None-Match") == headers["ETag"]:
                    return _response(request, 304, b"", headers)  # as a server honouring validators would
                body = (self.folder / entry["file"]).read_bytes() if entry.get("file") else b""
                return _response(request, entry.get("status", 200), body, headers)
        message = f"fmwatch replay: no recorded response for {public_url(request.url)}"
        return _response(request, 404, message.encode(), {"Content-Type": "text/plain"})

    def close(self) -> None:
        pass


class RecordingAdapter(HTTPAdapter):
    """Fetches live and writes each response into a snapshot folder ReplayAdapter can serve."""

    def __init__(self, folder: Path, **kwargs):
        super().__init__(**kwargs)
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def send(self, request, **kwargs):
        response = super().send(request, **kwargs)
        body = response.content
        params = {k: v for k, v in _request_params(request).items() if k not in SECRET_PARAMS}
        with self._lock:
            index_path = self.folder / "index.json"
            entries = json.loads(index_path.read_text()) if index_path.exists() else []
            name = f"{len(entries):05d}_{Path(urlsplit(request.url).path).name or 'index'}"
            (self.folder / name).write_bytes(body)
            entries.append({"path": Path(urlsplit(request.url).path).name, "params": params, "file": name,
                            "status": response.status_code,
                            "headers": {k: v for k, v in response.headers.items()
                                        if k.lower() in ("content-type", "etag", "last-modified", "retry-after")}})
            index_path.write_text(json.dumps(entries, indent=1))
        return response


def _response(request: requests.PreparedRequest, status: int, body: bytes, headers: dict) -> requests.Response:
    import io

    from urllib3 import HTTPResponse

    raw = HTTPResponse(body=io.BytesIO(body), headers={"Content-Length": str(len(body)), **headers},
                       status=status, preload_content=False)
    response = requests.Response()
    response.status_code = status
    response.headers = requests.structures.CaseInsensitiveDict(raw.headers)
    response.raw = raw
    response.url = request.url
    response.request = request
    response.reason = "OK" if status < 400 else "Not Found"
    return response
