"""Who takes part: the Lorenz curve with its Gini coefficient, who writes most, replies given and
received per author, and the back-and-forth exchanges between two people.

People count by the one rule of ``threadwidget.analysis.measures``: comments by someone (visible,
author known); "[deleted]" is nobody, never the busiest author.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from ..analysis.measures import gini
from ._frame import ThreadFrame, frame_of, reply_ends
from ._layout import count_axis, missing, missing_layer, side_by_side, titled

__all__ = [
    "exchange_rows",
    "exchanges",
    "lorenz",
    "lorenz_rows",
    "participation",
    "replies_per_author",
    "reply_rows",
    "top_authors",
]

#: Most points of a Lorenz curve (evenly spaced authors; exact at each point kept).
CURVE_POINTS = 400
#: Colours of the post's author and everyone else.
ROLE = {"post author": "#f58518", "other": "#4c78a8"}


def _counts(frame: ThreadFrame) -> pd.Series:
    """Comments per author, comments by someone only, most first (ties by name)."""
    speakers = frame.rows.loc[frame.rows["speaks"], "author"]
    counts = speakers.value_counts()
    order = sorted(counts.index, key=lambda a: (-int(counts[a]), str(a)))
    ranked: pd.Series = counts.reindex(order)
    return ranked


def lorenz_rows(thread: object) -> pd.DataFrame:
    """Points of the Lorenz curve: share of authors (fewest comments first) against their share
    of comments, at most :data:`CURVE_POINTS` (exact at each), from (0, 0)."""
    counts = np.sort(_counts(frame_of(thread)).to_numpy())
    n = len(counts)
    if not n:
        empty: pd.DataFrame = pd.DataFrame({"authors": [], "comments": []}, dtype=float)
        return empty
    running = np.cumsum(counts) / counts.sum()
    keep = np.unique(np.linspace(0, n - 1, min(n, CURVE_POINTS)).round().astype(np.int64))
    curve: pd.DataFrame = pd.DataFrame(
        {
            "authors": np.concatenate(([0.0], (keep + 1) / n)),
            "comments": np.concatenate(([0.0], running[keep])),
        }
    )
    return curve


def lorenz(thread: object, size: int = 260) -> alt.LayerChart:
    """Lorenz curve of comments per author against the line of equal shares; Gini in the title."""
    frame = frame_of(thread)
    counts = _counts(frame)
    if not len(counts):
        return missing_layer(
            "Who writes", frame.thread, "no comments by anyone yet: no Gini", size, size
        )
    rows = lorenz_rows(frame.thread)
    g = gini([float(v) for v in counts.to_numpy()])
    x = alt.X(
        "authors:Q", title="share of authors (fewest comments first)", axis=alt.Axis(format="%")
    )
    y = alt.Y("comments:Q", title="share of comments", axis=alt.Axis(format="%"))
    equal = (
        alt.Chart(pd.DataFrame({"authors": [0.0, 1.0], "comments": [0.0, 1.0]}))
        .mark_line(color="#bbbbbb", strokeDash=[4, 4])
        .encode(x=x, y=y)
    )
    curve = (
        alt.Chart(rows)
        .mark_line(
            color="#e45756",
            point=alt.OverlayMarkDef(color="#e45756", size=20) if len(rows) <= 60 else False,
        )
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
    note = f"{len(counts):,} authors, {int(counts.sum()):,} comments by someone"
    title = titled(f"Who writes: Gini {label}", frame, note)
    return alt.LayerChart(layer=[equal, curve], width=size, height=size, title=title)


def _poster_note(frame: ThreadFrame, shown: list[str], counts: pd.Series) -> str:
    poster = frame.thread.post.author
    if poster in shown:
        return ""
    if poster not in counts.index:
        return f"the post's author ({poster}) wrote no comment here"
    return f"the post's author ({poster}) wrote {int(counts[poster])}, not among these"


def top_authors(thread: object, n: int = 10, width: int = 260) -> alt.Chart:
    """The ``n`` authors with most comments (by someone), the post's author marked if among them."""
    frame = frame_of(thread)
    counts = _counts(frame)
    title = f"Who writes most (top {n})"
    if not len(counts):
        return missing(title, frame.thread, "no comments by anyone yet", width, 80)
    ranked = counts.iloc[:n]
    poster = frame.thread.post.author
    rows = pd.DataFrame(
        {
            "author": [str(a) for a in ranked.index],
            "comments": ranked.to_numpy().astype(np.int64),
            "role": ["post author" if a == poster else "other" for a in ranked.index],
        }
    )
    roles = [r for r in ROLE if r in set(rows["role"])]
    color = alt.Color(
        "role:N",
        title=None,
        scale=alt.Scale(domain=roles, range=[ROLE[r] for r in roles]),
        legend=alt.Legend() if "post author" in roles else None,
    )
    chart: alt.Chart = (
        alt.Chart(rows, width=width, height=max(60, 20 * len(rows)))
        .mark_bar()
        .encode(
            y=alt.Y("author:N", sort=list(rows["author"]), title=None),
            x=alt.X("comments:Q", title="comments", axis=count_axis(int(rows["comments"].max()))),
            color=color,
            tooltip=[alt.Tooltip("author:N"), alt.Tooltip("comments:Q")],
        )
        .properties(title=titled(title, frame, _poster_note(frame, list(rows["author"]), counts)))
    )
    return chart


def participation(thread: object) -> alt.HConcatChart:
    """The Lorenz curve and the top authors side by side."""
    source = frame_of(thread).thread
    chart = side_by_side(source, lorenz(source), top_authors(source))
    resolved: alt.HConcatChart = chart.resolve_scale(color="independent")
    return resolved


def reply_rows(thread: object, n: int = 15) -> pd.DataFrame:
    """Replies given and received per author for the ``n`` busiest (given + received), the rest
    in one "others" row; replies to the post and to oneself left out, as in the network."""
    frame = frame_of(thread)
    authors, answered, mask = reply_ends(frame)
    given = pd.Series(authors[mask]).value_counts()
    received = pd.Series(answered[mask]).value_counts()
    table = pd.DataFrame({"given": given, "received": received}).fillna(0).astype(np.int64)
    table["total"] = table["given"] + table["received"]
    table = table.sort_values("total", ascending=False, kind="stable")
    order = sorted(table.index, key=lambda a: (-int(table.loc[a, "total"]), str(a)))
    table = table.reindex(order)
    top, rest = table.iloc[:n], table.iloc[n:]
    records = []
    for author, row in top.iterrows():
        for way in ("given", "received"):
            records.append({"author": str(author), "way": way, "replies": int(row[way])})
    if len(rest):
        label = f"{len(rest):,} others"
        for way in ("given", "received"):
            records.append({"author": label, "way": way, "replies": int(rest[way].sum())})
    table_out: pd.DataFrame = pd.DataFrame.from_records(
        records, columns=["author", "way", "replies"]
    )
    return table_out


def replies_per_author(thread: object, n: int = 15, width: int = 300) -> alt.Chart:
    """Replies each author gave to others and received from them, side by side."""
    frame = frame_of(thread)
    rows = reply_rows(frame.thread, n)
    title = "Replies given and received"
    if not len(rows):
        return missing(title, frame.thread, "nobody answered anybody else", width, 80)
    authors = list(dict.fromkeys(rows["author"]))
    chart: alt.Chart = (
        alt.Chart(rows, width=width, height=max(60, 26 * len(authors)))
        .mark_bar()
        .encode(
            y=alt.Y("author:N", sort=authors, title=None),
            yOffset=alt.YOffset("way:N", sort=["given", "received"]),
            x=alt.X("replies:Q", title="replies", axis=count_axis(int(rows["replies"].max()))),
            color=alt.Color(
                "way:N",
                title=None,
                scale=alt.Scale(domain=["given", "received"], range=["#4c78a8", "#f58518"]),
            ),
            tooltip=[alt.Tooltip("author:N"), alt.Tooltip("way:N"), alt.Tooltip("replies:Q")],
        )
        .properties(
            title=titled(
                title, frame, "replies to other people's comments (to the post, to oneself: not)"
            )
        )
    )
    return chart


def exchange_rows(thread: object, n: int = 15) -> pd.DataFrame:
    """Back-and-forth exchanges per pair of people, most first: an exchange is a chain A, B, A
    (B answered A, and A answered back), longer while they keep alternating. For each pair:
    exchanges begun, the longest in comments, and every comment they hold."""
    frame = frame_of(thread)
    rows = frame.rows
    parent = rows["parent"].to_numpy()
    speaks = rows["speaks"].to_numpy()
    authors = rows["author"].to_numpy()
    up = np.maximum(parent, 0)
    grand = np.where(parent >= 0, parent[up], -1)
    top = np.maximum(grand, 0)
    back = (
        (grand >= 0)
        & speaks
        & speaks[up]
        & speaks[top]
        & (authors == authors[top])
        & (authors != authors[up])
    )
    run = np.zeros(len(rows), dtype=np.int64)
    begun: dict[tuple[str, str], int] = {}
    longest: dict[tuple[str, str], int] = {}
    for i in np.flatnonzero(back):  # tree order: a parent's run is known before its replies
        p = parent[i]
        pair = tuple(sorted((str(authors[i]), str(authors[p]))))
        key = (pair[0], pair[1])
        if back[p] and run[p]:
            run[i] = run[p] + 1
        else:
            run[i] = 3
            begun[key] = begun.get(key, 0) + 1
        longest[key] = max(longest.get(key, 0), int(run[i]))
    found = sorted(begun.items(), key=lambda kv: (-kv[1], -longest[kv[0]], kv[0]))
    pairs: pd.DataFrame = pd.DataFrame.from_records(
        [(f"{a} ↔ {b}", k, longest[(a, b)]) for (a, b), k in found[:n]],
        columns=["pair", "exchanges", "longest"],
    )
    return pairs


def exchanges(thread: object, n: int = 15, width: int = 300) -> alt.LayerChart:
    """The pairs of people who answered each other back most, with their longest exchange."""
    frame = frame_of(thread)
    rows = exchange_rows(frame.thread, n)
    title = "Back-and-forth between two people"
    if not len(rows):
        note = "no back-and-forth: nobody answered someone who had answered them"
        return missing_layer(title, frame.thread, note, width, 80)
    y = alt.Y("pair:N", sort=list(rows["pair"]), title=None)
    bars = (
        alt.Chart(rows)
        .mark_bar(color="#54a24b")
        .encode(
            y=y,
            x=alt.X(
                "exchanges:Q",
                title="exchanges (A, B, A or longer)",
                axis=count_axis(int(rows["exchanges"].max())),
            ),
            tooltip=[
                alt.Tooltip("pair:N"),
                alt.Tooltip("exchanges:Q"),
                alt.Tooltip("longest:Q", title="longest (comments)"),
            ],
        )
    )
    labels = (
        alt.Chart(rows.assign(text=[f"longest {k}" for k in rows["longest"]]))
        .mark_text(align="left", dx=4, fontSize=10, color="#333333")
        .encode(y=y, x="exchanges:Q", text="text:N")
    )
    return alt.LayerChart(
        layer=[bars, labels],
        width=width,
        height=max(60, 22 * len(rows)),
        title=titled(title, frame, "an exchange: B answers A, A answers back (and on)"),
    )
