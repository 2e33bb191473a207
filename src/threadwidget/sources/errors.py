"""Why a fetch failed: one ``FetchError`` (a ``ValueError``) subclass per cause, naming the URL."""

from __future__ import annotations

__all__ = [
    "FetchError",
    "FetchWarning",
    "NotFoundError",
    "OfflineError",
    "PrivateError",
    "RateLimitedError",
    "TokenRequiredError",
    "UnsupportedURLError",
]


class FetchError(ValueError):
    """A thread could not be fetched; ``url`` is the request that failed."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url


class PrivateError(FetchError):
    """The source refused access (HTTP 401/403): private, login required, or forbidden."""


class TokenRequiredError(PrivateError):
    """The source needs a token that was not given (GitHub discussions need ``GITHUB_TOKEN``)."""


class NotFoundError(FetchError):
    """The item is deleted or does not exist (HTTP 404/410, or the source says so)."""


class RateLimitedError(FetchError):
    """The source kept answering "too many requests" after every retry."""


class OfflineError(FetchError):
    """The network could not be reached and nothing was cached for this request."""


class UnsupportedURLError(ValueError):
    """A URL no source recognises; the message lists what is supported, with examples."""


class FetchWarning(UserWarning):
    """A fetch stopped short of the whole thread (``max_pages`` reached); what was read is kept."""
