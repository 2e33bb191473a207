"""What a tree measure would be by chance: a null model of random reply trees of the same size.

Structural virality, the h-index and depth all grow with the number of comments, so a raw value
says little across threads of different sizes. :func:`reference` simulates random recursive
trees (each comment answers the post or any earlier comment, all equally likely; Smythe and
Mahmoud (1995), A survey of recursive trees) of the thread's size and gives each tree measure
the range 90% of them fall in (5th to 95th percentile), cached per size. :func:`reading` turns a
value and its range into words ("deeper than expected for its size"). Needs numpy (it comes with
``pip install 'threadwidget[pandas]'`` or ``[plot]``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from ..extras import require

__all__ = [
    "MODEL",
    "PHRASES",
    "TREE_MEASURES",
    "Reference",
    "default_samples",
    "random_parents",
    "reading",
    "reference",
    "tree_measures",
]

#: The null model, as tables and docs name it.
MODEL = "random reply trees of the same size (each comment answers any earlier one or the post)"
#: Measures the null model gives a range for (keys of ``measures()``).
TREE_MEASURES = ("h_index", "structural_virality", "max_level", "mean_level", "top_level_share")
#: What a value above / below its range means, per measure.
PHRASES = {
    "h_index": ("higher h-index than expected", "lower h-index than expected"),
    "structural_virality": ("more chain-like than expected", "more star-like than expected"),
    "max_level": ("deeper than expected", "shallower than expected"),
    "mean_level": ("deeper on average than expected", "flatter than expected"),
    "top_level_share": (
        "more replies to the post than expected",
        "fewer replies to the post than expected",
    ),
}
#: Share of random trees a range covers (from the 5th to the 95th percentile).
COVER = 0.9


def _np() -> Any:
    return require("numpy", "pandas", "reference ranges (threadwidget.analysis.reference)")


def random_parents(comments: int, rng: Any) -> Any:
    """Parents of a random recursive tree: comment k (1..n) answers node 0..k-1 (0 = the post)."""
    np = _np()
    k = np.arange(1, comments + 1)
    return np.concatenate(([-1], (rng.random(comments) * k).astype(np.int64)))


def tree_measures(parents: Any) -> dict[str, float]:
    """The :data:`TREE_MEASURES` of a tree given as parent indices (node 0 the post, parents
    before children), with numpy: levels by repeated lookup, subtree sizes level by level."""
    np = _np()
    nodes = len(parents)
    comments = nodes - 1
    if comments < 1:
        return {key: float("nan") for key in TREE_MEASURES}
    level = np.zeros(nodes, dtype=np.int64)
    lookup = parents.copy()
    lookup[0] = 0
    while True:  # as many passes as the tree is deep
        nxt = level[lookup] + 1
        nxt[0] = 0
        if np.array_equal(nxt, level):
            break
        level = nxt
    counts = np.bincount(level)[1:]
    deepest = len(counts)
    h = int(max((lv for lv in range(1, deepest + 1) if counts[lv - 1] >= lv), default=0))
    size = np.ones(nodes, dtype=np.float64)
    order = np.argsort(level, kind="stable")
    bounds = np.searchsorted(level[order], np.arange(deepest + 2))
    for lv in range(deepest, 0, -1):
        members = order[bounds[lv] : bounds[lv + 1]]
        size += np.bincount(parents[members], weights=size[members], minlength=nodes)
    edges = size[1:]
    virality = float(np.sum(edges * (nodes - edges)) / (nodes * (nodes - 1) / 2))
    return {
        "h_index": h,
        "structural_virality": virality,
        "max_level": deepest,
        "mean_level": float(level[1:].mean()),
        "top_level_share": float(counts[0] / comments),
    }


@dataclass(frozen=True)
class Reference:
    """Ranges of the tree measures over random trees of ``comments`` comments."""

    comments: int
    samples: int
    low: dict[str, float]
    high: dict[str, float]
    median: dict[str, float]

    def range_text(self, key: str) -> str:
        """``"3-4"`` (or ``"3"`` when both ends agree) for a measure of :data:`TREE_MEASURES`."""
        low, high = _fmt(self.low[key]), _fmt(self.high[key])
        return low if low == high else f"{low}-{high}"


def _fmt(value: float) -> str:
    return f"{value:.3g}"


def default_samples(comments: int) -> int:
    """200 random trees up to 10,000 comments, fewer above (40 at 100,000: ranges narrow)."""
    return 200 if comments <= 10_000 else max(40, 4_000_000 // comments)


def reference(comments: int, samples: int | None = None, seed: int = 0) -> Reference:
    """Ranges of the tree measures over ``samples`` random trees of ``comments`` comments (by
    default :func:`default_samples`), cached per size: the same size simulates once."""
    if comments < 0:
        raise ValueError(f"comments must be >= 0, got {comments}")
    count = default_samples(comments) if samples is None else samples
    if count < 10:
        raise ValueError(f"samples must be >= 10, got {samples}")
    return _reference(comments, count, seed)


@functools.lru_cache(maxsize=64)
def _reference(comments: int, samples: int, seed: int) -> Reference:
    np = _np()
    if comments == 0:
        empty = {key: float("nan") for key in TREE_MEASURES}
        return Reference(0, samples, empty, empty, empty)
    rng = np.random.default_rng(seed)
    values: dict[str, list[float]] = {key: [] for key in TREE_MEASURES}
    for _ in range(samples):
        for key, value in tree_measures(random_parents(comments, rng)).items():
            values[key].append(value)
    tail = (1 - COVER) / 2 * 100
    low, high, median = {}, {}, {}
    for key, found in values.items():
        data = np.asarray(found, dtype=np.float64)
        low[key] = float(np.percentile(data, tail, method="lower"))
        high[key] = float(np.percentile(data, 100 - tail, method="higher"))
        median[key] = float(np.median(data))
    return Reference(comments, samples, low, high, median)


def reading(key: str, value: float | None, ref: Reference) -> str:
    """``"deeper than expected for its size"``, ``"as expected for its size"`` or ``""``."""
    if key not in PHRASES or value is None or ref.comments == 0:
        return ""
    above, below = PHRASES[key]
    if value > ref.high[key]:
        return f"{above} for its size"
    if value < ref.low[key]:
        return f"{below} for its size"
    return "as expected for its size"
