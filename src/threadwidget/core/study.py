"""An interface study's data beside a thread: the variant plan (who sees which settings) and the
shape of an interaction-log row. Pure values; storages keep them, the widget applies them."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, get_args

__all__ = [
    "INTERACTION_BURST_BYTES",
    "INTERACTION_BYTES_PER_SECOND",
    "INTERACTION_FUTURE_MS",
    "INTERACTION_KINDS",
    "INTERACTION_PAST_MS",
    "ByteBudget",
    "InteractionKind",
    "VariantPlan",
    "clean_row",
    "stamped_near",
]

#: What a row of the interaction log records (docs/studies.md, "Interaction log").
InteractionKind = Literal[
    "seen",  # a comment was on screen for ``ms`` milliseconds
    "expand",
    "collapse",
    "sort",  # ``value``: the new sort
    "filter",  # ``value``: the search text ("" when cleared)
    "why",  # "why this order" opened
    "draft_start",  # ``id``: the comment replied to or edited (None: a new comment)
    "draft_abandon",
    "draft_send",
    "focus",  # a comment selected or jumped to (keyboard, permalink, ``w.focus``)
    "like",
    "unlike",
    "vote",  # ``value``: the choice
]
INTERACTION_KINDS: tuple[str, ...] = get_args(InteractionKind)
#: What a page may send of its log, on average (bytes of JSON per second) ...
INTERACTION_BYTES_PER_SECOND = 2048
#: ... and at once after a quiet spell (the bucket's size).
INTERACTION_BURST_BYTES = 16384
#: Rows stamped further from the receiver's clock than this (ms, past / future) are dropped.
INTERACTION_PAST_MS = 15 * 60 * 1000
INTERACTION_FUTURE_MS = 60 * 1000


def stamped_near(at_ms: float, now_ms: float) -> bool:
    """Whether a log row stamped ``at_ms`` is near enough to the receiver's clock to keep."""
    return now_ms - INTERACTION_PAST_MS <= at_ms <= now_ms + INTERACTION_FUTURE_MS


#: Longest variant name, most variants and most rows of a teacher's table.
_MAX_NAME = 64
_MAX_VARIANTS = 32
_MAX_TABLE = 10000


@dataclass(frozen=True)
class VariantPlan:
    """Named variants (each a dict of widget settings), a seed, a teacher's table (participant
    -> variant) that wins over the seeded hash, and whether every participant's page logs."""

    variants: dict[str, dict[str, Any]]
    seed: int = 0
    table: dict[str, str] = field(default_factory=dict)
    log_interactions: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.variants, Mapping) or not self.variants:
            raise ValueError("variants: give at least one named variant ({'A': {...}, ...})")
        if len(self.variants) > _MAX_VARIANTS:
            raise ValueError(f"variants: at most {_MAX_VARIANTS} variants")
        for name, settings in self.variants.items():
            if not isinstance(name, str) or not 0 < len(name) <= _MAX_NAME:
                raise ValueError(f"variants: a variant name must be 1 to {_MAX_NAME} characters")
            if not isinstance(settings, Mapping):
                raise ValueError(f"variants.{name}: must be a dict of widget settings")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"seed: must be an integer, not {self.seed!r}")
        if not isinstance(self.log_interactions, bool):
            raise ValueError(f"log_interactions: True or False, not {self.log_interactions!r}")
        if not isinstance(self.table, Mapping) or len(self.table) > _MAX_TABLE:
            raise ValueError(f"table: a dict of at most {_MAX_TABLE} participant -> variant")
        for user, name in self.table.items():
            if not isinstance(user, str) or name not in self.variants:
                raise ValueError(
                    f"table.{user}: {name!r} is not one of the variants "
                    f"({', '.join(sorted(self.variants))})"
                )

    @property
    def names(self) -> list[str]:
        """The variant names, sorted (the hash picks among them in this order)."""
        return sorted(self.variants)

    def assign(self, user: str) -> str:
        """The variant of ``user``: the table's, else SHA-256 of the seed and the name picks one
        (the same in every process, kernel and service)."""
        if user in self.table:
            return self.table[user]
        digest = hashlib.sha256(f"{self.seed}\x00{user}".encode()).digest()
        names = self.names
        return names[int.from_bytes(digest[:8], "big") % len(names)]

    def settings_of(self, user: str) -> dict[str, Any]:
        """The settings ``user``'s variant gives."""
        return dict(self.variants[self.assign(user)])

    def only_for(self, user: str) -> VariantPlan:
        """What ``user`` may know of the plan: their own variant, pinned by the table."""
        name = self.assign(user)
        return VariantPlan(
            {name: self.variants[name]}, self.seed, {user: name}, self.log_interactions
        )

    def to_json(self) -> str:
        """The plan as JSON (what storages keep)."""
        data = {"variants": self.variants, "seed": self.seed, "table": self.table}
        if self.log_interactions:  # plans without it read as before
            data["log_interactions"] = True
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> VariantPlan:
        """A plan from :meth:`to_json`'s JSON (``ValueError`` naming the field if malformed)."""
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("variants: the plan must be a JSON object")
        return cls(
            dict(data.get("variants") or {}),
            data.get("seed", 0),
            dict(data.get("table") or {}),
            data.get("log_interactions", False),
        )


class ByteBudget:
    """A token bucket of bytes: ``rate`` per second on average, ``burst`` at once (thread-safe)."""

    def __init__(
        self,
        rate: float = INTERACTION_BYTES_PER_SECOND,
        burst: float = INTERACTION_BURST_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate, self.burst, self._clock = rate, burst, clock
        self._level = burst
        self._at = clock()
        self._lock = threading.Lock()

    def take(self, size: int) -> bool:
        """Spend ``size`` bytes if the bucket holds them (False: nothing spent)."""
        with self._lock:
            now = self._clock()
            self._level = min(self.burst, self._level + (now - self._at) * self.rate)
            self._at = now
            if size > self._level:
                return False
            self._level -= size
            return True


def clean_row(row: object) -> dict[str, Any]:
    """A stored log row (``at``, ``kind``, ``id``, ``value``, ``ms``) checked field by field
    (``ValueError`` naming the field); what the hub service accepts from a kernel."""
    if not isinstance(row, Mapping):
        raise ValueError("rows: each row must be an object")
    at, kind, ident, value, ms = (row.get(k) for k in ("at", "kind", "id", "value", "ms"))
    if set(row) - {"at", "kind", "id", "value", "ms"}:
        raise ValueError(
            f"rows: unexpected field(s) {sorted(set(row) - {'at', 'kind', 'id', 'value', 'ms'})}"
        )
    if kind not in INTERACTION_KINDS:
        raise ValueError(f"kind: {kind!r} is not one of {', '.join(INTERACTION_KINDS)}")
    try:
        datetime.fromisoformat(str(at))
    except ValueError:
        raise ValueError(f"at: {at!r} is not an ISO time") from None
    if ident is not None and not (isinstance(ident, str) and 0 < len(ident) <= 64):
        raise ValueError("id: a comment id (1 to 64 characters) or null")
    if value is not None and not (isinstance(value, str) and len(value) <= 200):
        raise ValueError("value: a string of at most 200 characters or null")
    if ms is not None and (
        isinstance(ms, bool) or not isinstance(ms, int) or not 0 <= ms <= 86_400_000
    ):
        raise ValueError("ms: milliseconds (0 to one day) or null")
    return {"at": str(at), "kind": kind, "id": ident, "value": value, "ms": ms}
