"""Why a fetch failed: one ``FetchError`` (a ``ValueError``) subclass per cause, naming the URL.

Every failure of ``fetch`` and ``follow`` is one of these (docs/formats.md, "When fetching
fails", says when each happens and what to do); invalid arguments raise a plain ``ValueError``.
"""

from __future__ import annotations

__all__ = [
    "DeadlineError",
    "FetchError",
    "FetchWarning",
    "NoAnswerError",
    "NotFoundError",
    "OfflineError",
    "PrivateError",
    "RateLimitedError",
    "ResponseTooLargeError",
    "RetryAfterTooLongError",
    "ServerError",
    "TokenRequiredError",
    "UnexpectedAnswerError",
    "UnsupportedURLError",
]


class FetchError(ValueError):
    """A thread could not be fetched; ``url`` is the request that failed, ``status`` its HTTP
    status when the server answered."""

    def __init__(self, url: str, message: str, status: int | None = None) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.status = status


class UnsupportedURLError(FetchError):
    """A URL no source recognises; the message lists what is supported, with examples."""


class PrivateError(FetchError):
    """The source refused access (HTTP 401/403): private, login required, or forbidden."""


class TokenRequiredError(PrivateError):
    """The source needs a token that was not given (GitHub discussions need ``GITHUB_TOKEN``)."""


class NotFoundError(FetchError):
    """The item is deleted or does not exist (HTTP 404/410, or the source says so)."""


class RateLimitedError(FetchError):
    """The source kept answering "too many requests" after every retry."""


class RetryAfterTooLongError(RateLimitedError):
    """The source asked to wait longer than ``max_wait`` before the next request; ``wait`` is
    how many seconds it asked for."""

    def __init__(self, url: str, message: str, wait: float, status: int | None = None) -> None:
        super().__init__(url, message, status)
        self.wait = wait


class ServerError(FetchError):
    """The server failed (HTTP 5xx) on every attempt."""


class OfflineError(FetchError):
    """No connection could be made (no network, a wrong address, the server is down), and
    nothing was cached for this request."""


class NoAnswerError(FetchError):
    """A connection was made, but the server sent no complete answer in time (stalled, trickled,
    or closed the connection without answering)."""


class DeadlineError(FetchError):
    """The fetch as a whole ran past its ``deadline`` (seconds); nothing was returned."""


class ResponseTooLargeError(FetchError):
    """An answer was larger than ``max_bytes``; it was not read further."""


class UnexpectedAnswerError(FetchError):
    """The server answered, but not with what the source gives: a web page (a login page, a
    captive portal), truncated or invalid JSON/XML, or JSON of another shape. Nothing of the
    failed fetch's answers was cached."""


class FetchWarning(UserWarning):
    """A fetch brought in less than the whole thread (``thread.completeness`` says what is
    missing: ``more`` stubs left, pages cut by ``max_pages``, deleted or blocked comments)."""
