"""What one caller may take of the service: open push channels, reads per second, failed token
lookups per address, request body sizes and JSON nesting. No HTTP here; :mod:`.handlers`
answers a refusal with 429 (and ``Retry-After``), 413 or 400.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "EVENTS_PER_READ",
    "MAX_JSON_DEPTH",
    "Bucket",
    "Limits",
    "TooMany",
    "json_depth",
]

#: Deepest JSON nesting a request body may have (a thread is post > comments > comment > extra).
MAX_JSON_DEPTH = 32
#: Events a read may return for the price of one read; a longer catch-up costs more.
EVENTS_PER_READ = 200


class TooMany(Exception):
    """A caller went past a limit: retry after ``retry_after`` seconds (HTTP 429)."""

    def __init__(self, reason: str, retry_after: float) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = max(1, math.ceil(retry_after))


@dataclass
class Bucket:
    """A token bucket: ``burst`` at once, refilled at ``rate`` per second."""

    rate: float
    burst: float
    tokens: float = -1.0
    stamp: float = 0.0

    def take(self, now: float, cost: float = 1.0) -> float:
        """Take ``cost`` tokens (at most a burst's worth): 0.0 if there were, else the seconds
        until there are."""
        cost = min(cost, self.burst)
        if self.tokens < 0:
            self.tokens, self.stamp = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= cost:
            self.tokens -= cost
            return 0.0
        return (cost - self.tokens) / self.rate


@dataclass
class Limits:
    """The limits of one service process (thread-safe). Defaults suit a class of a hundred."""

    #: open push channels per user (a few kernels and pages each)
    streams_per_user: int = 16
    #: reads per user: a burst, then this many per second
    read_burst: float = 120.0
    read_rate: float = 20.0
    #: token lookups the hub answered "no" per client address: a burst, then per second
    failed_burst: float = 20.0
    failed_rate: float = 1.0
    clock: Callable[[], float] = time.monotonic
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _streams: dict[str, int] = field(default_factory=dict)
    _reads: dict[str, Bucket] = field(default_factory=dict)
    _failed: dict[str, Bucket] = field(default_factory=dict)
    #: when each caller's next refusal may be answered (:meth:`refusal_delay`)
    _refusals: dict[str, float] = field(default_factory=dict)
    #: a caller's refusals wait their turn at most this long (beyond: answered at once)
    max_refusal_wait: float = 30.0

    def open_stream(self, user: str) -> Callable[[], None]:
        """Count one more push channel of ``user`` (:class:`TooMany` past the cap); the undo."""
        with self._lock:
            count = self._streams.get(user, 0)
            if count >= self.streams_per_user:
                raise TooMany(
                    f"{user} already has {count} live connections to this service (at most "
                    f"{self.streams_per_user}); close a notebook or page, or wait.",
                    5,
                )
            self._streams[user] = count + 1
        done = False

        def close() -> None:
            nonlocal done
            with self._lock:
                if not done:
                    done = True
                    left = self._streams.get(user, 1) - 1
                    if left > 0:
                        self._streams[user] = left
                    else:
                        self._streams.pop(user, None)

        return close

    def streams_of(self, user: str) -> int:
        """How many push channels ``user`` has open."""
        with self._lock:
            return self._streams.get(user, 0)

    def read(self, user: str, cost: float = 1.0) -> None:
        """Count a read of ``user`` worth ``cost`` reads (a long catch-up costs more than a
        short one; :class:`TooMany` past the rate)."""
        wait = self._take(self._reads, user, self.read_rate, self.read_burst, cost)
        if wait:
            raise TooMany(
                f"Too many requests from {user} (at most {self.read_rate:g} per second); "
                "wait a moment.",
                wait,
            )

    def may_look_up(self, address: str) -> None:
        """Before asking the hub about an unknown token from ``address``: take one from that
        address's budget (:class:`TooMany` when it is spent: nothing is asked then). Lookups in
        flight count, so a burst of them cannot overrun it."""
        wait = self._take(self._failed, address, self.failed_rate, self.failed_burst)
        if wait:
            raise TooMany(
                "Too many refused tokens from this address; wait before trying again.", wait
            )

    def accepted_lookup(self, address: str) -> None:
        """The hub accepted the token ``address`` sent: give its budget back."""
        with self._lock:
            bucket = self._failed.get(address)
            if bucket is not None:
                bucket.tokens = min(bucket.burst, bucket.tokens + 1)

    def refusal_delay(self, caller: str, pause: float) -> float:
        """Seconds to wait before answering a refusal of ``caller`` (a user, or an address):
        ``pause``, and one ``1 / read_rate`` after the caller's previous refusal, so that a
        caller with many requests in flight gets at most ``read_rate`` refusals a second (the
        service reads and answers no more of theirs than that). At once past
        ``max_refusal_wait`` of them waiting."""
        with self._lock:
            now = self.clock()
            turn = max(now + pause, self._refusals.get(caller, now) + 1 / self.read_rate)
            if turn - now > self.max_refusal_wait:
                return 0.0
            if len(self._refusals) > 100_000:  # a flood of names or addresses: start over
                self._refusals = {k: t for k, t in self._refusals.items() if t > now}
            self._refusals[caller] = turn
            return turn - now

    def _take(
        self, buckets: dict[str, Bucket], key: str, rate: float, burst: float, cost: float = 1.0
    ) -> float:
        with self._lock:
            bucket = buckets.get(key)
            if bucket is None:
                if len(buckets) > 100_000:  # a flood of names or addresses: start over
                    buckets.clear()
                bucket = buckets[key] = Bucket(rate, burst)
            return bucket.take(self.clock(), cost)


def json_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether parsed JSON ``value`` nests at most ``limit`` deep (iteratively: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True
