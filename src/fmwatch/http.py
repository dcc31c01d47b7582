"""The HTTP layer every source shares: one requests Session, a process-wide rate limit,
retries with backoff (tenacity), secret redaction, deadlines, a redirect policy, and record/replay.

Policies (README, "Reliability and security"):

- **Redirects** are followed by hand, never across hosts: a redirect to another host (or from
  https down to http) is refused with a ``PermanentFetchError``, so a POST body carrying the
  ``api_key`` never reaches another host and nothing from that host is accepted. A 303 (and a
  301/302 after a POST) becomes a GET without the body, as browsers do.
- **Retries**: 429, 5xx, timeouts, resets, cut-off bodies and errors inside a 200 are retried
  (tenacity: Retry-After or exponential backoff), for at most ``max_attempts`` attempts and at
  most ``retry_budget_seconds`` from the first attempt's start to the last attempt's end
  (``stop_before_delay``: no wait is begun that would end past it, and an attempt is cut at it);
  any other 4xx, a refused redirect, an HTML page where a document was expected and a passed
  deadline are not, here or by Prefect (:func:`is_retriable`).
- **An unreachable host** (connection refused, a name that does not resolve, no route) is tried
  ``connect_attempts`` times, then fails with :class:`HostUnreachable`, one line naming the host
  and why; later requests of the same fetcher to that host fail at once, so a run whose
  E-utilities host is down fails in seconds, not once per watch after a full backoff.
- **Deadlines**: each attempt has a total deadline (``request_deadline``), checked between the
  reads of the body, so a server that drips one byte at a time is cut off; a source or a run may
  also set ``Fetcher.deadline`` (a ``time.monotonic()`` instant) past which no request starts.

Offline runs and tests use the very same code: only the transport adapter mounted on
the Session changes (``ReplayAdapter`` serves recorded responses from a snapshot folder).
"""

from __future__ import annotations

import http.client
import io
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests
import urllib3
from requests.adapters import BaseAdapter, HTTPAdapter
from tenacity import (RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, stop_before_delay,
                      wait_exponential_jitter)
from tenacity.wait import wait_base

from .records import RawResponse
from .redact import RedactingFilter, redact  # noqa: F401  (RedactingFilter: where the CLI found it before)

log = logging.getLogger("fmwatch.http")

SECRET_PARAMS = frozenset({"api_key"})
MAX_RETRY_AFTER_SECONDS = 120.0
MAX_BODY_BYTES = 200 * 1024 * 1024  # an E-utilities batch of 500 records is a few MB


MAX_REDIRECTS = 10
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


class FetchError(RuntimeError):
    """A request failed for good (after its retries, or at once for a client error).

    The message is redacted (``fmwatch.redact``) when the error is made, so no copy of it
    (a log line, ``runs.error``, a Prefect state) can carry the key or the e-mail.
    """

    def __init__(self, message: object = "", *, status: int | None = None):
        super().__init__(redact(message))
        self.status = status  # the HTTP status that caused it, when there was one


class TransientFetchError(FetchError):
    """Worth another attempt: 429, 5xx, timeouts, resets, truncated bodies, errors inside a 200."""

    def __init__(self, message: str, retry_after: float | None = None, *, status: int | None = None):
        super().__init__(message, status=status)
        self.retry_after = retry_after


class RetriesExhausted(FetchError):
    """A transient failure that outlived every attempt: a later try (Prefect's task retry) may succeed."""


class _ConnectFailed(TransientFetchError):
    """One attempt could not open a connection at all (refused, name not resolved, no route).

    ``why`` is the short cause ("connection refused", "name not resolved by DNS"); ``host`` is
    ``host:port``. Retried up to ``connect_attempts`` times, then raised as :class:`HostUnreachable`."""

    def __init__(self, host: str, why: str):
        super().__init__(f"cannot connect to {host}: {why}")
        self.host, self.why = host, why


class HostUnreachable(FetchError):
    """The host could not be reached at all after ``connect_attempts`` tries (or was found unreachable
    earlier by the same fetcher). Not retried by Prefect either (:func:`is_retriable`): an operator
    has to fix the network, the proxy or the URL setting, and the next scheduled run tries again.

    ``reason`` is the message without the request: "cannot reach HOST:PORT (why) after N attempts:
    check ...", the same for every request to that host (a run reports it once)."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = redact(reason)


class PermanentFetchError(FetchError):
    """Another attempt would get the same answer: a 4xx other than 429, a refused redirect, an HTML
    page where a document was expected. Neither the library nor Prefect retries it."""


class DeadlineExceeded(PermanentFetchError):
    """The source's or the run's deadline passed: no further request starts."""


def is_retriable(error: BaseException | None) -> bool:
    """Whether a failed step is worth retrying later (Prefect's ``retry_condition_fn`` asks this).

    False for the permanent kinds above and for :class:`DeadlineExceeded`; True for a transient
    failure that exhausted its attempts and for anything that is not a fetch error at all
    (a locked warehouse, say).
    """
    if isinstance(error, FetchError):
        return isinstance(error, (RetriesExhausted, TransientFetchError))
    return True


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
    """The URL with its parameters, less any secret: what logs and the raw archive see.

    The ``api_key`` parameter is dropped; any other registered secret (the e-mail) is masked
    (``fmwatch.redact``)."""
    parts = urlsplit(url)
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in SECRET_PARAMS]
    pairs += [(k, v) for k, v in (params or {}).items() if k not in SECRET_PARAMS and v is not None]
    base = parts._replace(query="").geturl()
    return redact(f"{base}?{urlencode(pairs)}" if pairs else base)


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


# --- the request deadline ------------------------------------------------------------------

class _DeadlineAdapter(HTTPAdapter):
    """requests' HTTP adapter, remembering the connection each thread is using, so that a
    watchdog can shut its socket when the request's deadline passes: a server that drips its
    headers or body a byte at a time never lets the read timeout fire on its own."""

    def __init__(self, **kwargs):
        self.in_use: dict[int, object] = {}  # thread id -> the urllib3 connection it is using
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        adapter = self

        def tracking(pool_class):
            class Tracking(pool_class):
                def _get_conn(self, timeout=None):
                    conn = super()._get_conn(timeout)
                    adapter.in_use[threading.get_ident()] = conn
                    return conn
            return Tracking

        self.poolmanager.pool_classes_by_scheme = {
            scheme: tracking(cls) for scheme, cls in self.poolmanager.pool_classes_by_scheme.items()}

    def cut(self, thread_id: int) -> None:
        """Shut the socket of the connection ``thread_id`` is using (its blocked read returns at once)."""
        conn = self.in_use.get(thread_id)
        sock = getattr(conn, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


# --- the fetcher -----------------------------------------------------------------------------

Validator = Callable[[requests.Response, bytes], None]


class Fetcher:
    """GET/POST with the shared limiter and retry policy; keeps what it fetched for the raw archive.

    ``request_deadline_seconds`` bounds one attempt from its first byte sent to its last byte read
    (None: ``timeout_seconds`` x 5). ``deadline`` (a ``time.monotonic()`` instant, set by the
    pipeline for a source or a run) stops any further attempt, and any wait before one, once passed.
    ``allowed_hosts`` are the ``host[:port]`` names a redirect may lead to besides the request's own.
    ``retry_budget_seconds`` bounds one logical request with all its retries (None: no bound but
    ``max_attempts``); ``connect_attempts`` is how many times a host that cannot be connected to
    at all is tried before :class:`HostUnreachable`; ``url_setting`` names the setting that holds the
    service's URL, for that error's message (e.g. ``FMWATCH_EUTILS_URL``).
    """

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
        request_deadline_seconds: float | None = None,
        allowed_hosts: Iterable[str] = (),
        retry_budget_seconds: float | None = None,
        connect_attempts: int = 2,
        url_setting: str | None = None,
    ):
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.adapter = transport if transport is not None else _DeadlineAdapter()
        self.session.mount("http://", self.adapter)
        self.session.mount("https://", self.adapter)
        self.throttle = throttle or (lambda: None)
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.timeout = (min(10.0, timeout_seconds), timeout_seconds)
        self.request_deadline = request_deadline_seconds or timeout_seconds * 5
        self.deadline: float | None = None
        self.deadline_reason = "the deadline"
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.max_bytes = max_bytes
        self.retry_budget = retry_budget_seconds
        self.connect_attempts = max(1, connect_attempts)
        self.url_setting = url_setting
        self.unreachable: dict[str, str] = {}  # host:port -> why it could not be reached (this fetcher's life)
        self.requests_made = 0
        self.fetched: list[RawResponse] = []  # drained by the caller into the raw archive

    def drain(self) -> list[RawResponse]:
        fetched, self.fetched = self.fetched, []
        return fetched

    def set_deadline(self, seconds: float | None, reason: str) -> None:
        """No request starts more than ``seconds`` from now (the earlier of this and any deadline set before)."""
        if seconds is None:
            return
        deadline = time.monotonic() + seconds
        if self.deadline is None or deadline < self.deadline:
            self.deadline, self.deadline_reason = deadline, reason

    def check_deadline(self, shown: str = "") -> None:
        """Raise :class:`DeadlineExceeded` if the source's or run's deadline has passed."""
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise DeadlineExceeded(f"{self.deadline_reason} passed{' before ' + shown if shown else ''}; "
                                   "what was fetched before it is kept and the rest is left for the next run")

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
        truncated body or an error inside a 200 is retried like a 503. Raises
        :class:`RetriesExhausted` after the last attempt, :class:`PermanentFetchError` at once
        for what another attempt cannot fix, and :class:`DeadlineExceeded` when the deadline
        passes (a wait for the next attempt that would end past it is not begun), and
        :class:`HostUnreachable` after ``connect_attempts`` attempts that could not connect at all
        (or at once, when this fetcher found the host unreachable before). All attempts and waits
        together end within ``retry_budget_seconds`` of the first attempt's start.
        """
        shown = public_url(url, {**(params or {}), **(data or {})})
        host = _host_port(url)
        if host in self.unreachable:
            raise HostUnreachable(f"{method} {shown}: {self.unreachable[host]} (not tried again this run)",
                                  self.unreachable[host])
        stop = stop_after_attempt(self.max_attempts) | self._stop_at_deadline | self._stop_unreachable
        budget_end = None
        if self.retry_budget is not None:
            stop = stop | stop_before_delay(self.retry_budget)
            budget_end = time.monotonic() + self.retry_budget
        retrying = Retrying(
            stop=stop,
            wait=_wait_retry_after_or_backoff(self.backoff_seconds),
            retry=retry_if_exception_type(TransientFetchError),
            reraise=True,
            before_sleep=lambda state: log.warning(
                "retrying %s (attempt %d of %d): %s", shown, state.attempt_number + 1,
                self.connect_attempts if isinstance(state.outcome.exception(), _ConnectFailed) else self.max_attempts,
                state.outcome.exception()),
        )
        try:
            for attempt in retrying:
                with attempt:
                    self.check_deadline(shown)
                    response = self._attempt(method, url, shown, params, data, headers, validate, budget_end)
        except _ConnectFailed as error:
            tries = attempt.retry_state.attempt_number
            where = f" and {self.url_setting}" if self.url_setting else ""
            self.unreachable[host] = (f"cannot reach {error.host} ({error.why}) after {tries} "
                                      f"attempt{'s' if tries != 1 else ''}: check the network (or proxy){where}")
            raise HostUnreachable(f"{method} {shown}: {self.unreachable[host]}", self.unreachable[host]) from None
        except TransientFetchError as error:
            tries = attempt.retry_state.attempt_number
            spent = attempt.retry_state.seconds_since_start or 0.0
            over = (f" (the retry budget of {self.retry_budget:g} s, FMWATCH_RETRY_BUDGET_SECONDS, was spent)"
                    if self.retry_budget is not None and tries < self.max_attempts
                    and spent + attempt.retry_state.upcoming_sleep >= self.retry_budget else "")
            raise RetriesExhausted(f"{method} {shown} failed after {tries} attempt{'s' if tries != 1 else ''} "
                                   f"in {spent:.0f} s{over}: {error}", status=error.status) from None
        if archive:
            self.fetched.append(RawResponse(
                url=public_url(response.url) if getattr(response, "redirected_from", None) else shown, method=method,
                status=response.status_code, body=response.content,
                fetched_at=datetime.now(timezone.utc),
                elapsed_ms=int(response.elapsed.total_seconds() * 1000) if response.elapsed else 0,
            ))
        return response

    def _stop_unreachable(self, retry_state: RetryCallState) -> bool:
        """Stop once ``connect_attempts`` attempts could not connect at all."""
        error = retry_state.outcome.exception() if retry_state.outcome else None
        return isinstance(error, _ConnectFailed) and retry_state.attempt_number >= self.connect_attempts

    def _stop_at_deadline(self, retry_state: RetryCallState) -> bool:
        if self.deadline is None:
            return False
        wait = _wait_retry_after_or_backoff(self.backoff_seconds)(retry_state)
        return time.monotonic() + wait >= self.deadline

    def _attempt(self, method, url, shown, params, data, headers, validate, budget_end=None) -> requests.Response:
        release = self.throttle()  # the library's limiter hands back a release; Prefect's rate_limit does not
        self.requests_made += 1
        try:
            return self._send(method, url, shown, params, data, headers, validate, budget_end)
        finally:
            if callable(release):
                release()

    def _open(self, method, url, shown, params, data, headers, ends_at: float) -> requests.Response:
        """Send, following redirects by hand within the policy (module docstring)."""
        origin = urlsplit(url)
        for _ in range(MAX_REDIRECTS + 1):
            read_timeout = max(0.1, min(self.timeout[1], ends_at - time.monotonic()))
            response = self.session.request(
                method, url, params=params, data=data, headers=headers,
                timeout=(min(self.timeout[0], read_timeout), read_timeout), allow_redirects=False, stream=True)
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                if url != urlunsplit(origin):
                    response.redirected_from = shown
                return response
            response.close()
            target = urljoin(response.url or url, location)
            refusal = _redirect_refusal(origin, urlsplit(target), self.allowed_hosts)
            if refusal:
                raise PermanentFetchError(
                    f"{method} {shown}: HTTP {response.status_code} redirect to {public_url(target)} not followed: "
                    f"{refusal}. If the service has moved, set its URL in the settings to the new address.")
            if response.status_code == 303 or (response.status_code in (301, 302) and method == "POST"):
                method, data = "GET", None
            url, params = target, None
        raise PermanentFetchError(f"{method} {shown}: more than {MAX_REDIRECTS} redirects (a redirect loop?)")

    def _send(self, method, url, shown, params, data, headers, validate, budget_end=None) -> requests.Response:
        ends_at = time.monotonic() + self.request_deadline
        if self.deadline is not None:
            ends_at = min(ends_at, self.deadline)
        if budget_end is not None:  # the retry budget bounds the attempt too, not only the waits
            ends_at = min(ends_at, budget_end)
        cut = threading.Event()
        watchdog = None
        if isinstance(self.adapter, _DeadlineAdapter):
            thread_id = threading.get_ident()
            watchdog = threading.Timer(max(0.0, ends_at - time.monotonic()),
                                       lambda: (cut.set(), self.adapter.cut(thread_id)))
            watchdog.daemon = True
            watchdog.start()
        try:
            response = self._open(method, url, shown, params, data, headers, ends_at)
            body = _read_bounded(response, self.max_bytes, ends_at, shown)
            if cut.is_set():  # a body without a length, cut short by the watchdog
                raise TransientFetchError(_too_slow("the request's deadline passed"))
        except (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError, urllib3.exceptions.HTTPError,
                http.client.HTTPException, ConnectionError) as error:
            if cut.is_set():
                raise TransientFetchError(_too_slow("the request's deadline passed")) from None
            why = _unreachable_cause(error)
            if why:
                raise _ConnectFailed(_host_port(url), why) from None
            # The original exception text can hold the full URL; say only what kind it was.
            raise TransientFetchError(f"{type(error).__name__} while fetching") from None
        except requests.RequestException as error:  # InvalidSchema, InvalidURL, MissingSchema: another try cannot help
            raise PermanentFetchError(f"{method} {shown}: cannot be fetched ({type(error).__name__})") from None
        finally:
            if watchdog is not None:
                watchdog.cancel()
        status = response.status_code
        if status == 429 or status >= 500:
            raise TransientFetchError(f"HTTP {status}", retry_after=_retry_after(response), status=status)
        if status >= 400:
            raise PermanentFetchError(f"{method} {shown}: HTTP {status}: {body[:200]!r}", status=status)
        if validate is not None:
            try:
                validate(response, body)
            except FetchError as error:
                page = describe_html_page(response, body)
                if page:
                    raise PermanentFetchError(
                        f"{method} {shown}: expected a document, received {page} (the validator said: {error}). "
                        "A captcha, login or block page means the service is refusing this client: open the URL "
                        "in a browser, check NCBI_API_KEY/NCBI_EMAIL, or wait and run again.") from None
                raise
        return response


def _unreachable_cause(error: BaseException) -> str | None:
    """Why no connection could be opened at all ("connection refused", "name not resolved by DNS"),
    or None when the error is something else (a timeout, a reset, a cut-off body).

    requests wraps urllib3's ``NewConnectionError`` (and its ``NameResolutionError``) in a
    ``ConnectionError``; a connect *timeout* (``ConnectTimeout``) is left to the ordinary retries:
    a host that is slow to answer may answer the next time."""
    if not isinstance(error, requests.ConnectionError) or isinstance(error, requests.Timeout):
        return None
    reason = getattr(error.args[0], "reason", None) if error.args else None
    if not isinstance(reason, urllib3.exceptions.NewConnectionError):
        return None
    if isinstance(reason, urllib3.exceptions.NameResolutionError):
        return "name not resolved by DNS"
    cause = reason.__cause__ or reason.__context__
    if isinstance(cause, ConnectionRefusedError):
        return "connection refused"
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror[0].lower() + cause.strerror[1:]
    return "no connection could be opened"


def _host_port(url: str) -> str:
    """``host:port`` of a URL (the scheme's port when none is written)."""
    parts = urlsplit(url)
    try:
        return f"{(parts.hostname or '').lower()}:{_port(parts)}"
    except ValueError:  # a port that is not a number: requests refuses the URL itself (PermanentFetchError)
        return parts.netloc.lower()


def _redirect_refusal(origin, target, allowed_hosts: set[str]) -> str | None:
    """Why a redirect from ``origin`` to ``target`` (SplitResults) is not followed, or None."""
    if target.scheme not in ("http", "https"):
        return f"only http(s) is followed, not {target.scheme or 'a relative'}: URL"
    if origin.scheme == "https" and target.scheme == "http":
        return "a downgrade from https to http"
    same = (target.hostname or "").lower() == (origin.hostname or "").lower() and (
        _port(target) == _port(origin) or (origin.scheme, target.scheme) == ("http", "https"))
    if same or (target.netloc or "").lower() in allowed_hosts or (target.hostname or "").lower() in allowed_hosts:
        return None
    return f"it leads to another host ({target.netloc}), and a request may carry the API key"


def _port(parts) -> int:
    return parts.port or (443 if parts.scheme == "https" else 80)


def describe_html_page(response: requests.Response, body: bytes) -> str | None:
    """'an HTML page titled ... (N bytes, text/html)' when the body is an HTML page, else None."""
    head = body[:4096].lstrip().lower()
    content_type = response.headers.get("Content-Type", "")
    if not (head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512]
            or ("html" in content_type.lower() and b"<" in head[:1])):
        return None
    match = re.search(rb"<title[^>]*>(.*?)</title>", body[:65536], re.I | re.S)
    title = " ".join(match.group(1).decode("utf-8", "replace").split())[:80] if match else ""
    return (f"an HTML page{f' titled {title!r}' if title else ''} ({len(body)} bytes, "
            f"HTTP {response.status_code}, {content_type or 'no Content-Type'})")


def _read_bounded(response: requests.Response, limit: int, ends_at: float | None = None, shown: str = "") -> bytes:
    """Read the body (refusing more than ``limit`` bytes, or reading past ``ends_at``, a monotonic
    instant) and keep it on the response as ``.content``.

    The body is read one network read at a time (``read1``), so the deadline is checked as often as
    data arrives: a server dripping a byte every few seconds is cut off at the deadline, however
    short each wait.
    """
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        response.close()
        raise PermanentFetchError(f"{shown or public_url(response.url)}: {declared} bytes, over the {limit} byte limit")
    chunks, size = [], 0
    for chunk in _chunks(response.raw):
        size += len(chunk)
        if size > limit:
            response.close()
            raise PermanentFetchError(f"{shown or public_url(response.url)}: over the {limit} byte limit")
        chunks.append(chunk)
        if ends_at is not None and time.monotonic() > ends_at:
            response.close()
            raise TransientFetchError(_too_slow(f"the body was still arriving when the request's deadline passed "
                                                f"({size} bytes read)"))
    body = b"".join(chunks)
    response._content = body  # so response.content / .text work as usual
    response._content_consumed = True
    return body


def _too_slow(what: str) -> str:
    return f"{what}; the server is too slow or dripping data (FMWATCH_REQUEST_DEADLINE_SECONDS)"


def _chunks(raw) -> Iterator[bytes]:
    read1 = getattr(raw, "read1", None)
    if read1 is None or isinstance(getattr(raw, "_fp", None), io.BytesIO):  # a replayed body: all there
        yield from raw.stream(64 * 1024, decode_content=True)
        return
    while True:
        chunk = read1(64 * 1024, decode_content=True)
        if not chunk:
            return
        yield chunk


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
