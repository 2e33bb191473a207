"""The HTTP client every source uses: httpx with a descriptive User-Agent, a polite per-host rate
limit, retries with exponential backoff honouring ``Retry-After``, and the on-disk cache."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from .cache import Cache
from .errors import FetchError, NotFoundError, OfflineError, PrivateError, RateLimitedError

__all__ = ["USER_AGENT", "Client", "Params"]

#: Sent with every request, so that site operators know who asks and where to complain.
USER_AGENT = (
    "threadwidget/0.1 (+https://github.com/threadwidget/threadwidget; "
    "fetches one discussion for a notebook)"
)
Params = Sequence[tuple[str, str | int]] | Mapping[str, str | int] | None

_RETRY_STATUS = {429, 500, 502, 503, 504}


class Client:
    """GET/POST returning parsed JSON or text; one instance per ``fetch`` (or ``follow``).

    ``min_interval`` seconds separate two requests to the same host; ``retries`` failed attempts
    (429, 5xx, network errors) are retried, waiting ``Retry-After`` when given (at most
    ``max_wait``) or ``backoff * 2**attempt``. ``sleep`` and ``clock`` are injectable for tests.
    With ``refresh=False`` a cached response is returned without any request.
    """

    def __init__(
        self,
        *,
        cache: Cache | None = None,
        refresh: bool = False,
        retries: int = 4,
        backoff: float = 1.0,
        max_wait: float = 120.0,
        min_interval: float = 1.0,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.cache = cache
        self.refresh = refresh
        self.retries = retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.min_interval = min_interval
        self.sleep = sleep
        self.clock = clock
        self.requests = 0  # how many went to the network (tests and progress use it)
        self._last: dict[str, float] = {}
        self._http = httpx.Client(
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            timeout=timeout,
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

    def get_json(self, url: str, params: Params = None, headers: Mapping[str, str] = {}) -> Any:
        """The JSON answer to a GET (from the cache unless refreshing)."""
        return _json(url, self.request("GET", url, params=params, headers=headers))

    def post_json(self, url: str, body: Any, headers: Mapping[str, str] = {}) -> Any:
        """The JSON answer to a POST of JSON (GraphQL); cached like a GET, keyed by the body."""
        return _json(url, self.request("POST", url, body=body, headers=headers))

    def get_text(self, url: str, params: Params = None, headers: Mapping[str, str] = {}) -> bytes:
        """The raw body of a GET (XML feeds)."""
        return self.request("GET", url, params=params, headers=headers)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Params = None,
        body: Any = None,
        headers: Mapping[str, str] = {},
    ) -> bytes:
        """The body of a successful response, retrying as described on the class."""
        full = str(httpx.URL(url, params=_params(params)))
        key = f"{method} {full}" + (f" {json.dumps(body, sort_keys=True)}" if body else "")
        if self.cache is not None and not self.refresh:
            cached = self.cache.get(key)
            if cached is not None:
                return cached
        attempt = 0
        while True:
            self._polite(full)
            try:
                self.requests += 1
                response = self._http.request(method, full, json=body, headers=dict(headers))
            except httpx.TransportError as error:
                if attempt >= self.retries:
                    raise OfflineError(
                        full,
                        f"cannot reach the server ({type(error).__name__}: {error}) and nothing "
                        "is cached for this request; connect and run again",
                    ) from error
                self.sleep(self._delay(attempt, None))
                attempt += 1
                continue
            status = response.status_code
            if status < 300:
                if self.cache is not None:
                    self.cache.put(key, response.content)
                return response.content
            if status in _RETRY_STATUS and attempt < self.retries:
                self.sleep(self._delay(attempt, response.headers.get("Retry-After")))
                attempt += 1
                continue
            raise _error(full, response, attempt)

    def _polite(self, url: str) -> None:
        host = urlsplit(url).netloc
        last = self._last.get(host)
        now = self.clock()
        if last is not None and now - last < self.min_interval:
            self.sleep(self.min_interval - (now - last))
            now = self.clock()
        self._last[host] = now

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        if retry_after:
            seconds = _retry_after(retry_after)
            if seconds is not None:
                return min(max(seconds, 0.0), self.max_wait)
        return float(min(self.backoff * 2**attempt, self.max_wait))


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


def _json(url: str, body: bytes) -> Any:
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise FetchError(url, f"the answer is not JSON ({error})") from error


def _error(url: str, response: httpx.Response, attempts: int) -> FetchError:
    status = response.status_code
    if status == 429 or (status == 403 and response.headers.get("x-ratelimit-remaining") == "0"):
        return RateLimitedError(
            url,
            f"rate-limited (HTTP {status}) after {attempts + 1} attempts; wait a while and run "
            "again (the cache keeps what was fetched; for GitHub, set GITHUB_TOKEN)",
        )
    if status in (401, 403):
        return PrivateError(
            url, f"access refused (HTTP {status}): the thread is private or needs a login"
        )
    if status in (404, 410):
        return NotFoundError(url, f"not found (HTTP {status}): deleted, or never existed")
    if status >= 500:
        return FetchError(
            url, f"the server failed (HTTP {status}) after {attempts + 1} attempts; try later"
        )
    return FetchError(url, f"HTTP {status}: {response.text[:200]}")
