"""An interface study's numbers (docs/studies.md, "Analysis of a study"): per participant and per
variant, time to first reply, replies, depth reached and the share of comments read before
replying, from the thread and its interaction log."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from ..core.models import Thread
from ..extras import require

__all__ = ["LOG_COLUMNS", "interactions_frame", "participant_measures", "variant_measures"]

#: Columns of :func:`interactions_frame` (and of ``ThreadWidget.interactions()``).
LOG_COLUMNS = ("user", "variant", "at", "kind", "id", "value", "ms")


def interactions_frame(
    rows: Iterable[Mapping[str, Any]], variant_of: Callable[[str], str | None] | None = None
) -> Any:
    """Log rows as a DataFrame (``at`` as UTC times), with each user's variant."""
    pd = require("pandas", "pandas", "interaction logs as DataFrames")
    records = [
        {
            **{k: row.get(k) for k in LOG_COLUMNS},
            "variant": variant_of(row["user"]) if variant_of else None,
        }
        for row in rows
    ]
    frame = pd.DataFrame.from_records(records, columns=list(LOG_COLUMNS))
    frame["at"] = pd.to_datetime(frame["at"], utc=True, format="ISO8601")
    frame["ms"] = frame["ms"].astype("Int64")  # whole milliseconds, missing where none
    return frame


def _depths(thread: Thread) -> dict[str, int]:
    parents = {c.id: c.parent_id for c in thread.comments}
    depths: dict[str, int] = {}
    for cid in parents:
        chain: list[str] = []
        cur: str | None = cid
        while cur is not None and cur not in depths:
            chain.append(cur)
            cur = parents.get(cur)
        base = 0 if cur is None else depths[cur]
        for n, node in enumerate(reversed(chain), 1):
            depths[node] = base + n
    return depths


def participant_measures(
    thread: Thread, rows: Iterable[Mapping[str, Any]], variant_of: Callable[[str], str | None]
) -> Any:
    """Per participant who left a log: variant, first interaction, seconds to first reply (None
    without one), replies, deepest reply (1: a top-level comment) and the share of the comments
    there when they first replied that they had seen (on screen) before."""
    pd = require("pandas", "pandas", "interaction logs as DataFrames")
    log: dict[str, list[tuple[datetime, str, str | None]]] = {}
    for row in rows:
        at = datetime.fromisoformat(str(row["at"]))
        log.setdefault(str(row["user"]), []).append((at, str(row["kind"]), row.get("id")))
    depths = _depths(thread)
    records = []
    for user, events in sorted(log.items()):
        events.sort(key=lambda e: e[0])
        mine = sorted((c for c in thread.comments if c.author == user), key=lambda c: c.created_at)
        first = events[0][0]
        reply = mine[0] if mine else None
        read_share = None
        if reply is not None:
            there = {c.id for c in thread.comments if c.created_at < reply.created_at}
            seen = {i for at, kind, i in events if kind == "seen" and at <= reply.created_at}
            read_share = len(seen & there) / len(there) if there else None
        records.append(
            {
                "user": user,
                "variant": variant_of(user),
                "first_seen": first,
                "seconds_to_first_reply": (
                    (reply.created_at - first).total_seconds() if reply is not None else None
                ),
                "replies": len(mine),
                "depth_reached": max((depths[c.id] for c in mine), default=0),
                "read_before_reply": read_share,
            }
        )
    return pd.DataFrame.from_records(
        records,
        columns=[
            "user",
            "variant",
            "first_seen",
            "seconds_to_first_reply",
            "replies",
            "depth_reached",
            "read_before_reply",
        ],
    )


def variant_measures(
    thread: Thread, rows: Iterable[Mapping[str, Any]], variant_of: Callable[[str], str | None]
) -> Any:
    """Per variant: participants, median seconds to first reply, mean replies per participant,
    mean depth reached, mean share read before replying (participants who replied)."""
    pd = require("pandas", "pandas", "interaction logs as DataFrames")
    people = participant_measures(thread, rows, variant_of)
    records = []
    for variant, group in people.groupby("variant", sort=True):
        times = [t for t in group["seconds_to_first_reply"] if t is not None and t == t]
        shares = [s for s in group["read_before_reply"] if s is not None and s == s]
        records.append(
            {
                "variant": variant,
                "participants": len(group),
                "median_seconds_to_first_reply": statistics.median(times) if times else None,
                "replies_per_participant": float(group["replies"].mean()),
                "mean_depth_reached": float(group["depth_reached"].mean()),
                "read_before_reply": statistics.fmean(shares) if shares else None,
            }
        )
    return pd.DataFrame.from_records(records).set_index("variant") if records else pd.DataFrame()
