"""The measures of several threads side by side, each tree measure read against its size."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ..core.models import Thread
from ..extras import require
from .measures import as_thread, measures
from .reference import MODEL, TREE_MEASURES, reading, reference

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["FIELDS", "measures_table", "thread_names"]

#: Columns under each thread: its value, the range of random trees of its size, and the reading.
FIELDS = ("value", "expected low", "expected high", "reading")


def thread_names(threads: Sequence[object], names: Sequence[str] | None = None) -> list[str]:
    """``names`` (one per thread), else each post's title or id, made unique with " (2)"."""
    sources = [as_thread(t) for t in threads]
    if names is not None and len(names) != len(sources):
        raise ValueError(f"names: {len(names)} names for {len(sources)} threads")
    raw = list(names) if names is not None else [t.post.title or t.post.id for t in sources]
    seen: dict[str, int] = {}
    out = []
    for name in raw:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def measures_table(
    threads: Iterable[object], names: Sequence[str] | None = None, reference_ranges: bool = True
) -> pd.DataFrame:
    """A DataFrame: one row per measure, for each thread its value and (tree measures) the range
    of random reply trees of its size with a reading ("deeper than expected for its size").

    Columns are (thread name, field) with fields :data:`FIELDS`; ``table.xs("value", axis=1,
    level=1)`` gives the values alone. ``reference_ranges=False`` leaves the ranges out.
    """
    pandas = require("pandas", "pandas", "measures_table")
    if isinstance(threads, str | bytes | Thread) or not isinstance(threads, Iterable):
        raise ValueError("threads: a list of threads (or widgets)")
    sources = [as_thread(t) for t in threads]
    labels = thread_names(sources, names)
    rows: dict[str, str] = {}
    columns: dict[tuple[str, str], dict[str, Any]] = {}
    for source, label in zip(sources, labels, strict=True):
        table = measures(source)
        ref = reference(len(source.comments)) if reference_ranges else None
        value: dict[str, Any] = {}
        low: dict[str, Any] = {}
        high: dict[str, Any] = {}
        said: dict[str, Any] = {}
        for row in table:
            rows.setdefault(row.key, row.name)
            value[row.key] = row.value
            tree = ref is not None and row.key in TREE_MEASURES and ref.comments > 0
            low[row.key] = ref.low[row.key] if tree and ref is not None else None
            high[row.key] = ref.high[row.key] if tree and ref is not None else None
            said[row.key] = (
                reading(row.key, _number(row.value), ref) if tree and ref is not None else ""
            )
        parts = (value, low, high, said) if reference_ranges else (value,)
        for field, data in zip(FIELDS, parts, strict=False):
            columns[(label, field)] = data
    frame: pd.DataFrame = pandas.DataFrame(columns, index=list(rows))
    frame.columns = pandas.MultiIndex.from_tuples(list(columns), names=["thread", "field"])
    frame.index.name = "measure"
    frame.attrs["measure names"] = rows
    frame.attrs["reference model"] = MODEL
    return frame


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None
