"""The interaction log's kernel side: a page's batches checked and kept with the thread's storage
(docs/studies.md, "Interaction log"). The page never names who it is: rows are the widget's
user's; they are dropped while logging is off, past the bytes per second, or when they name a
comment the thread does not have or a time far from the kernel's clock."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from ..core.engine import Engine
from ..core.study import (
    INTERACTION_BURST_BYTES,
    INTERACTION_BYTES_PER_SECOND,
    ByteBudget,
    stamped_near,
)
from ..page.requests import InteractionsRequest

__all__ = ["InteractionLog"]

#: The kernel's budget is the page's with this margin (clocks and timers of the two differ).
MARGIN = 1.25


class InteractionLog:
    """Receives one widget's log batches; ``user()`` is who the views act as (never the page's
    word), ``enabled()`` whether ``log_interactions`` is on."""

    def __init__(
        self,
        engine: Engine,
        user: Callable[[], str],
        enabled: Callable[[], bool],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._engine = engine
        self._user = user
        self._enabled = enabled
        self._clock = clock
        self._budget = ByteBudget(
            INTERACTION_BYTES_PER_SECOND * MARGIN, INTERACTION_BURST_BYTES * MARGIN
        )
        #: rows refused here (over the budget, malformed times or ids) and left out by pages
        self.dropped = 0
        self.page_dropped = 0

    def receive(self, request: InteractionsRequest) -> int:
        """Keep what may be kept of a batch; how many rows were stored."""
        if not self._enabled():
            return 0
        now_ms = int(self._clock() * 1000)
        comments = self._engine.state.comments
        rows: list[dict[str, Any]] = []
        for row in request.rows:
            if not stamped_near(row.t, now_ms) or (row.id is not None and row.id not in comments):
                continue
            stored = {
                "at": datetime.fromtimestamp(row.t / 1000, timezone.utc).isoformat(
                    timespec="milliseconds"
                ),
                "kind": row.k,
                "id": row.id,
                "value": row.v,
                "ms": row.ms,
            }
            wire = json.dumps(row.model_dump(exclude_none=True), separators=(",", ":"))
            if not self._budget.take(len(wire)):  # measured as the page measures it
                break  # over the bytes per second: this row and the rest are dropped
            rows.append(stored)
        self.dropped += len(request.rows) - len(rows)
        self.page_dropped += request.dropped
        if rows:
            self._engine.storage.add_interactions(self._user(), rows)
        return len(rows)
