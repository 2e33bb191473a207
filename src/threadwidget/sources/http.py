"""The HTTP client every source uses: httpx with a descriptive User-Agent, a polite per-host rate
limit, retries with exponential backoff honouring ``Retry-After`` (up to ``max_wait``), a
deadline for the whole fetch, a size limit per answer, and the on-disk cache.

An answer is parsed before it is cached, so a web page, a truncated body or an error status is
never stored; every failure is a :class:`~threadwidget.sources.errors.FetchError` subclass.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from .cache import Cache
from .errors import (
    DeadlineError,
    FetchError,
    NoAnswerError,
    NotFoundError,
    OfflineError,
    PrivateError,
    RateLimitedError,
    ResponseTooLargeError,
    RetryAfterTooLongError,
    ServerError,
    UnexpectedAnswerError,
)
from .progress import Progress, _seconds

__all__ = [
    "DEADLINE",
    "MAX_BYTES",
    "MAX_WAIT",
    "USER_AGENT",
    "Client",
    "Params",
    "parse_json",
    "web_page_hint",
]

#: Sent with every request, so that site operators know who asks and where to complain.
USER_AGENT = (
    "threadwidget/0.1 (+https://github.com/threadwidget/threadwidget; "
    "fetches one discussion for a notebook)"
)
#: Default seconds one whole fetch may take (every request, retry and wait included).
DEADLINE = 180.0
#: Default longest wait a ``Retry-After`` may ask for; longer is a RetryAfterTooLongError.
MAX_WAIT = 60.0
#: Default largest answer read (bytes, after decompression).
MAX_BYTES = 50 * 1024 * 1024

Params = Sequence[tuple[str, str | int]] | Mapping[str, str | int] | None
T = TypeVar("T")
#: parses a body (url, body, content type); raises UnexpectedAnswerError when it is not right
Parser = Callable[[str, bytes, str], T]

_RETRY_STATUS = {429, 500, 502, 503, 504}
_CONNECT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol)
_NO_ANSWER = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.PoolTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)


class _TooSlow(Exception):
    """The answer was still arriving when the request's time was up (a trickling server)."""

    def __init__(self, received: int) -> None:
        super().__init__(received)
        self.received = received


def _raw(url: str, body: bytes, content_type: str) -> bytes:
    return body


class Client:
    """GET/POST returning parsed JSON or bytes; one instance per ``fetch`` (or ``follow`` poll).

    ``min_interval`` seconds separate two requests to the same host; ``retries`` failed attempts
    (429, 5xx, no connection, a closed connection; a timeout only once) are retried, waiting
    ``Retry-After`` when given (more than ``max_wait`` seconds: :class:`RetryAfterTooLongError`
    at once) or ``backoff * 2**n``.
    ``timeout`` bounds one request (connecting and the whole answer), ``deadline`` the client's
    whole life (None: no bound), ``max_bytes`` one answer. With ``refresh=False`` a cached
    answer is returned without any request. ``sleep`` and ``clock`` (pacing) are injectable.
    """

    def __init__(
        self,
        *,
        cache: Cache | None = None,
        refresh: bool = False,
        retries: int = 4,
        backoff: float = 1.0,
        max_wait: float = MAX_WAIT,
        min_interval: float = 1.0,
        timeout: float = 30.0,
        deadline: float | None = DEADLINE,
        max_bytes: int = MAX_BYTES,
        progress: Progress | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        for name, value in (("timeout", timeout), ("max_wait", max_wait)):
            if not isinstance(value, int | float) or value <= 0:
                raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
        if deadline is not None and (not isinstance(deadline, int | float) or deadline <= 0):
            raise ValueError(
                f"deadline must be a positive number of seconds or None, not {deadline!r}"
            )
        if not isinstance(max_bytes, int) or max_bytes < 1:
            raise ValueError(f"max_bytes must be a positive whole number, not {max_bytes!r}")
        self.cache = cache
        self.refresh = refresh
        self.retries = retries
        self.backoff = backoff
        self.max_wait = float(max_wait)
        self.min_interval = min_interval
        self.timeout = float(timeout)
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.progress = progress or Progress("fetch", enabled=False)
        self.sleep = sleep
        self.clock = clock
        self.requests = 0  # how many went to the network (tests and progress use it)
        #: cache keys written by this client (forgotten if the fetch's answers turn out wrong)
        self.written: list[str] = []
        self._started = time.monotonic()
        self._last: dict[str, float] = {}
        self._http = httpx.Client(
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            timeout=self.timeout,
            follow_redirects=True,
            transport=transport,
        )

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def forget(self) -> None:
        """Remove from the cache every answer this client stored (the fetch failed on them)."""
        if self.cache is not None:
            for key in self.written:
                self.cache.delete(key)
        self.written.clear()

    def get_json(self, url: str, params: Params = None, headers: Mapping[str, str] = {}) -> Any:
        """The JSON answer to a GET (from the cache unless refreshing)."""
        return self.request("GET", url, params=params, headers=headers, parse=parse_json)

    def post_json(self, url: str, body: Any, headers: Mapping[str, str] = {}) -> Any:
        """The JSON answer to a POST of JSON (GraphQL); cached like a GET, keyed by the body."""
        return self.request("POST", url, body=body, headers=headers, parse=parse_json)

    def get_text(
        self,
        url: str,
        params: Params = None,
        headers: Mapping[str, str] = {},
        parse: Parser[Any] | None = None,
    ) -> Any:
        """The body of a GET as bytes, or as ``parse`` makes it (checked before caching)."""
        return self.request("GET", url, params=params, headers=headers, parse=parse or _raw)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Params = None,
        body: Any = None,
        headers: Mapping[str, str] = {},
        parse: Parser[T] = _raw,  # type: ignore[assignment]
    ) -> T:
        """The parsed body of a successful answer, retrying as described on the class."""
        try:
            full = str(httpx.URL(url, params=_params(params)))
        except httpx.InvalidURL as error:  # a base URL given by hand
            raise FetchError(url, f"not a valid address ({error})") from None
        key = f"{method} {full}" + (f" {json.dumps(body, sort_keys=True)}" if body else "")
        if self.cache is not None and not self.refresh:
            cached = self.cache.get(key)
            if cached is not None:
                try:
                    return parse(full, cached, "")
                except UnexpectedAnswerError:
                    self.cache.delete(key)  # stored unparsed by an earlier version: ask again
        host = urlsplit(full).netloc
        attempt = 0
        while True:
            self._polite(full, host)
            self.progress.request(host)
            self.requests += 1
            try:
                status, answer_headers, content = self._send(method, full, body, headers)
            except (*_CONNECT, *_NO_ANSWER, _TooSlow) as error:
                # a server that stalled once rarely answers soon: one more try, not four
                stalled = isinstance(error, httpx.TimeoutException | _TooSlow)
                if attempt >= (min(self.retries, 1) if stalled else self.retries):
                    raise self._network_error(full, host, key, error, attempt) from None
                self._wait(full, self._delay(full, attempt, None, 0), _reason(host, error))
                attempt += 1
                continue
            except httpx.HTTPError as error:  # an invalid address, too many redirects, ...
                why = f"the request failed ({type(error).__name__}: {error})"
                raise FetchError(full, why) from error
            if status < 300:
                value = parse(full, content, answer_headers.get("content-type", ""))
                if self.cache is not None:
                    self.cache.put(key, content)
                    self.written.append(key)
                return value
            if status in _RETRY_STATUS and attempt < self.retries:
                retry_after = answer_headers.get("Retry-After")
                delay = self._delay(full, attempt, retry_after, status)
                why = (
                    f"rate limited by {host}" if status == 429 else f"{host} answered HTTP {status}"
                )
                self._wait(full, delay, why)
                attempt += 1
                continue
            raise _error(full, status, answer_headers, content, attempt)

    # -- one request ----------------------------------------------------------------------------

    def _remaining(self) -> float | None:
        if self.deadline is None:
            return None
        return self.deadline - (time.monotonic() - self._started)

    def _send(
        self, method: str, url: str, body: Any, headers: Mapping[str, str]
    ) -> tuple[int, httpx.Headers, bytes]:
        remaining = self._remaining()
        if remaining is not None and remaining <= 0:
            raise self._late(url, "before the next request")
        budget = self.timeout if remaining is None else min(self.timeout, remaining)
        ends = time.monotonic() + budget
        timeout = httpx.Timeout(budget, connect=min(budget, 10.0))
        with self._http.stream(
            method, url, json=body, headers=dict(headers), timeout=timeout
        ) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > self.max_bytes:
                raise self._too_large(url, int(length), "says its Content-Length")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.max_bytes:
                    raise self._too_large(url, size, "had sent more than that already")
                chunks.append(chunk)
                if time.monotonic() > ends:
                    raise _TooSlow(size)
            return response.status_code, response.headers, b"".join(chunks)

    def _too_large(self, url: str, size: int, how: str) -> ResponseTooLargeError:
        return ResponseTooLargeError(
            url,
            f"the answer is larger than max_bytes={self.max_bytes:,} bytes (the server {how}: "
            f"{size:,} bytes); it was not read further. Pass max_bytes= (--max-bytes) to allow "
            "more",
        )

    def _late(self, url: str, doing: str) -> DeadlineError:
        return DeadlineError(
            url,
            f"the fetch ran out of time {doing}: its deadline is {self.deadline:g} s and "
            f"{self.requests} request(s) were made. Pass deadline= (--deadline) for more time, "
            "or deadline=None for no bound",
        )

    def _network_error(
        self, url: str, host: str, key: str, error: BaseException, attempts: int
    ) -> FetchError:
        tries = f"{attempts + 1} attempt{'s' if attempts else ''}"
        cached = ""
        if self.refresh and self.cache is not None and self.cache.get(key) is not None:
            cached = "; a cached copy exists: run without refresh=True (--refresh) to use it"
        if isinstance(error, _CONNECT):
            return OfflineError(
                url,
                f"cannot connect to {host} ({type(error).__name__}: {error}; {tries}): no "
                "network, a wrong address, or the server is down; nothing is cached for this "
                f"request{cached or ''}. Connect and run again",
            )
        if isinstance(error, _TooSlow):
            said = (
                f"connected to {host}, but its answer came too slowly: {error.received:,} "
                f"bytes in {self.timeout:g} s"
            )
        elif isinstance(error, httpx.RemoteProtocolError | httpx.ReadError):
            said = f"connected to {host}, but it closed the connection without an answer"
        else:
            said = f"connected to {host}, but it sent no answer within {self.timeout:g} s"
        return NoAnswerError(
            url,
            f"{said} ({tries}); the server is up but stalled or overloaded. Try again later, "
            f"or pass a longer timeout= (--timeout){cached}",
        )

    # -- waiting --------------------------------------------------------------------------------

    def _polite(self, url: str, host: str) -> None:
        last = self._last.get(host)
        now = self.clock()
        if last is not None and now - last < self.min_interval:
            why = f"pacing requests to {host}"
            self._wait(url, self.min_interval - (now - last), why, retry=False)
            now = self.clock()
        self._last[host] = now

    def _wait(self, url: str, seconds: float, reason: str, retry: bool = True) -> None:
        """Sleep ``seconds``, shown with its reason; past the deadline: a DeadlineError now."""
        remaining = self._remaining()
        if remaining is not None and seconds > remaining:
            raise self._late(url, f"({reason}: it would wait {_seconds(seconds)} more)")
        self.progress.wait(seconds, reason, retry)
        self.sleep(seconds)

    def _delay(self, url: str, attempt: int, retry_after: str | None, status: int) -> float:
        if retry_after:
            seconds = _retry_after(retry_after)
            if seconds is not None and seconds > self.max_wait:
                host = urlsplit(url).netloc
                at = datetime.now(timezone.utc) + timedelta(seconds=seconds)
                raise RetryAfterTooLongError(
                    url,
                    f"{host} answered HTTP {status} and asks to wait {_seconds(seconds)} before "
                    f"the next request (Retry-After: {retry_after}); that is more than "
                    f"max_wait={self.max_wait:g} s, so the fetch stops instead of waiting. Run "
                    f"it again after {at:%H:%M} UTC, or pass max_wait={int(seconds) + 1} to wait",
                    wait=seconds,
                    status=status,
                )
            if seconds is not None:
                return max(seconds, 0.0)
        return float(min(self.backoff * 2**attempt, self.max_wait))


def _reason(host: str, error: BaseException) -> str:
    if isinstance(error, _CONNECT):
        return f"cannot connect to {host}"
    if isinstance(error, _TooSlow):
        return f"{host} answers too slowly"
    return f"no answer from {host}"


def _params(params: Params) -> list[tuple[str, str | int]] | None:
    if params is None:
        return None
    return list(params.items()) if isinstance(params, Mapping) else list(params)


def _retry_after(value: str) -> float | None:
    """Seconds from a ``Retry-After`` header: a number, or an HTTP date."""
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return when.timestamp() - time.time()


_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def web_page_hint(body: bytes, content_type: str) -> str | None:
    """What to say when an answer is a web page (a login page, a captive portal), else None."""
    head = body[:1024].lstrip().lower()
    if "html" not in content_type.lower() and not head.startswith((b"<!doctype html", b"<html")):
        return None
    found = _TITLE.search(body[:65536])
    title = " ".join(found.group(1).decode("utf-8", "replace").split())[:80] if found else ""
    named = f" titled {title!r}" if title else ""
    return (
        f"the server answered with a web page{named} instead of the data asked for: a login or "
        "consent page, a captive portal (the sign-in page of a hotel, campus or train Wi-Fi), or "
        "an error page. Open the address in a browser and sign in or accept if asked, then run "
        "the fetch again (nothing of this answer was cached; refresh=True, --refresh on the "
        "command line, also asks again for every part cached before)"
    )


def parse_json(url: str, body: bytes, content_type: str) -> Any:
    """JSON, or an UnexpectedAnswerError saying what came instead (a web page, a cut answer)."""
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as error:
        hint = web_page_hint(body, content_type)
        if hint is None:
            cut = isinstance(error, json.JSONDecodeError) and error.pos >= len(body.rstrip()) - 1
            what = "ends too early (cut off)" if cut and body.strip() else "is not valid JSON"
            hint = (
                f"the answer {what} ({error}); nothing of it was cached: run the fetch again "
                "when the server answers properly (refresh=True, --refresh, also asks again "
                "for every part cached before)"
            )
        raise UnexpectedAnswerError(url, hint) from None


def _error(
    url: str, status: int, headers: httpx.Headers, content: bytes, attempts: int
) -> FetchError:
    tries = f"{attempts + 1} attempt{'s' if attempts else ''}"
    if status == 429 or (status == 403 and headers.get("x-ratelimit-remaining") == "0"):
        return RateLimitedError(
            url,
            f"rate-limited (HTTP {status}) after {tries}; wait a while and run again (the cache "
            "keeps what was fetched; for GitHub, set GITHUB_TOKEN)",
            status,
        )
    if status in (401, 403):
        return PrivateError(
            url, f"access refused (HTTP {status}): the thread is private or needs a login", status
        )
    if status in (404, 410):
        return NotFoundError(url, f"not found (HTTP {status}): deleted, or never existed", status)
    if status >= 500:
        return ServerError(
            url, f"the server failed (HTTP {status}) after {tries}; try later", status
        )
    text = content[:200].decode("utf-8", "replace")
    hint = web_page_hint(content, headers.get("content-type", ""))
    return FetchError(url, f"HTTP {status}: {hint or text}", status)
