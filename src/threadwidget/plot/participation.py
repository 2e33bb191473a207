"""Participation inequality: the Lorenz curve with its Gini coefficient, and who writes most."""

from __future__ import annotations

from collections import Counter

import altair as alt

from ..analysis.measures import as_thread, gini
from ._data import Row, inline, titled

__all__ = ["lorenz", "lorenz_rows", "participation", "top_authors"]


def _counts(thread: object) -> Counter[str]:
    return Counter(c.author for c in as_thread(thread).comments if c.status == "visible")


def lorenz_rows(thread: object) -> list[Row]:
    """Points of the Lorenz curve: share of authors (fewest comments first) vs share of comments."""
    counts = sorted(_counts(thread).values())
    total, n = sum(counts), len(counts)
    rows: list[Row] = [{"authors": 0.0, "comments": 0.0}]
    running = 0
    for i, count in enumerate(counts, start=1):
        running += count
        rows.append({"authors": i / n, "comments": running / total})
    return rows if n else []


def lorenz(thread: object, size: int = 260) -> alt.LayerChart:
    """Lorenz curve of comments per author against the line of equal shares; Gini in the title."""
    tree = as_thread(thread)
    rows = lorenz_rows(tree)
    g = gini(list(_counts(tree).values()))
    x = alt.X(
        "authors:Q", title="share of authors (fewest comments first)", axis=alt.Axis(format="%")
    )
    y = alt.Y("comments:Q", title="share of comments", axis=alt.Axis(format="%"))
    equal = (
        alt.Chart(inline([{"authors": 0, "comments": 0}, {"authors": 1, "comments": 1}]))
        .mark_line(color="#bbbbbb", strokeDash=[4, 4])
        .encode(x=x, y=y)
    )
    curve = (
        alt.Chart(inline(rows))
        .mark_line(color="#e45756", point=alt.OverlayMarkDef(color="#e45756", size=20))
        .encode(
            x=x,
            y=y,
            tooltip=[
                alt.Tooltip("authors:Q", format=".0%", title="authors"),
                alt.Tooltip("comments:Q", format=".0%", title="comments"),
            ],
        )
    )
    label = "-" if g is None else f"{g:.2f}"
    title = titled(f"Who writes: Gini {label}", tree)
    return alt.LayerChart(layer=[equal, curve], width=size, height=size, title=title)


def top_authors(thread: object, n: int = 10, width: int = 260) -> alt.Chart:
    """The ``n`` authors with most visible comments, the post's author marked."""
    tree = as_thread(thread)
    counts = _counts(tree)
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:n]
    rows = [
        {"author": a, "comments": k, "role": "post author" if a == tree.post.author else "other"}
        for a, k in ranked
    ]
    chart: alt.Chart = (
        alt.Chart(inline(rows), width=width, height=max(60, 20 * len(rows)))
        .mark_bar()
        .encode(
            y=alt.Y("author:N", sort=[str(r["author"]) for r in rows], title=None),
            x=alt.X("comments:Q", title="comments", axis=alt.Axis(tickMinStep=1, format="d")),
            color=alt.Color(
                "role:N",
                title=None,
                scale=alt.Scale(domain=["post author", "other"], range=["#f58518", "#4c78a8"]),
            ),
            tooltip=[alt.Tooltip("author:N"), alt.Tooltip("comments:Q")],
        )
        .properties(title=titled(f"Who writes most (top {n})", tree))
    )
    return chart


def participation(thread: object) -> alt.HConcatChart:
    """The Lorenz curve and the top authors side by side."""
    chart: alt.HConcatChart = alt.hconcat(lorenz(thread), top_authors(thread))
    resolved: alt.HConcatChart = chart.resolve_scale(color="independent")
    return resolved
