"""Who replies to whom: authors as nodes, replies as tapered edges (wide end at the replier)."""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Mapping

import altair as alt
import numpy as np
import pandas as pd

from ._frame import frame_of, reply_ends
from ._layout import missing_layer, titled

__all__ = ["layout", "network", "network_rows"]

#: Most authors drawn (those in most replies); a bigger graph would be a hairball.
MAX_AUTHORS = 40
#: Most links drawn (the strongest); more would hide the authors under them.
MAX_EDGES = 120
#: Widest an edge gets (pixels at the replier's end), however many replies it carries.
MAX_WIDTH = 9.0


def layout(
    nodes: list[str], edges: Mapping[tuple[str, str], int], seed: int = 1, steps: int = 300
) -> dict[str, tuple[float, float]]:
    """Force-directed positions in [0, 1]^2 (Fruchterman and Reingold, 1991), seeded: stable.

    All pairs repel and linked authors attract (more with more replies, on a log scale); numpy
    moves every author at once each step.
    """
    if not nodes:
        return {}
    names = sorted(nodes)
    if len(names) == 1:
        return {names[0]: (0.5, 0.5)}
    rng = random.Random(seed)
    pos = np.asarray([[rng.random(), rng.random()] for _ in names], dtype=np.float64)
    k = math.sqrt(1.0 / len(names))
    where = {v: i for i, v in enumerate(names)}
    weight = np.zeros((len(names), len(names)), dtype=np.float64)
    for (a, b), w in edges.items():
        if a in where and b in where and a != b:
            weight[where[a], where[b]] += w
            weight[where[b], where[a]] += w
    pull = np.where(weight > 0, 1 + np.log(np.maximum(weight, 1)), 0.0)
    temperature = 0.1
    for _ in range(steps):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.maximum(np.sqrt((delta**2).sum(-1)), 1e-3)
        force = k * k / dist - dist * dist / k * pull  # repulsion minus attraction
        np.fill_diagonal(force, 0.0)
        move = (delta / dist[:, :, None] * force[:, :, None]).sum(1)
        move += (0.5 - pos) * k  # a gentle pull to the middle keeps loners on the page
        length = np.maximum(np.sqrt((move**2).sum(-1)), 1e-9)
        pos += move / length[:, None] * np.minimum(length, temperature)[:, None]
        temperature = max(temperature * 0.985, 0.002)
    low = pos.min(0)
    span = max(float((pos.max(0) - low).max()), 1e-9)
    placed = (pos - low) / span
    return {v: (float(placed[i, 0]), float(placed[i, 1])) for i, v in enumerate(names)}


def network_rows(
    thread: object, max_authors: int = MAX_AUTHORS
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Node rows (author, place, comments, replies given and received) and edge rows (two ends
    each). The ``max_authors`` most connected are drawn; the others share one "others" node.
    Edge widths grow with replies up to :data:`MAX_WIDTH` (the count is in the tooltip)."""
    frame = frame_of(thread)
    tree = frame.thread
    authors, answered, mask = reply_ends(frame)
    pairs = Counter(zip(authors[mask].tolist(), answered[mask].tolist(), strict=True))
    comments = frame.rows.loc[frame.rows["speaks"], "author"].value_counts()
    degree: Counter[str] = Counter()
    for (a, b), w in pairs.items():
        degree[a] += w
        degree[b] += w
    ranked = sorted(degree, key=lambda a: (-degree[a], a))
    chosen, rest = ranked[:max_authors], ranked[max_authors:]
    keep = set(chosen)
    others = f"{len(rest):,} others" if rest else ""
    edges: Counter[tuple[str, str]] = Counter()
    for (a, b), w in pairs.items():
        a2 = a if a in keep else others
        b2 = b if b in keep else others
        if a2 != b2:
            edges[(a2, b2)] += w
    names = [*chosen, *([others] if rest else [])]
    pos = layout(names, edges)
    given: Counter[str] = Counter()
    received: Counter[str] = Counter()
    for (a, b), w in edges.items():
        given[a] += w
        received[b] += w
    links_all = len(edges)
    strongest = sorted(edges.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_EDGES]
    edges = Counter(dict(strongest))
    labelled = set(chosen[:12])
    nodes = pd.DataFrame(
        [
            {
                "author": a,
                "x": round(pos[a][0], 4),
                "y": round(pos[a][1], 4),
                "comments": int(sum(comments.get(r, 0) for r in rest))
                if a == others
                else int(comments.get(a, 0)),
                "replies_given": given[a],
                "replies_received": received[a],
                "role": "others"
                if a == others
                else "post author"
                if a == tree.post.author
                else "author",
                "label": a if a in labelled or a == others else "",
            }
            for a in names
        ],
        columns=[
            "author",
            "x",
            "y",
            "comments",
            "replies_given",
            "replies_received",
            "role",
            "label",
        ],
    )
    most = max(edges.values(), default=1)
    links = []
    for (a, b), w in sorted(edges.items()):
        (x0, y0), (x1, y1) = pos[a], pos[b]
        length = max(math.hypot(x1 - x0, y1 - y0), 1e-9)
        off = 0.012  # to the right of the direction: A→B and B→A lie side by side
        ox, oy = (y1 - y0) / length * off, -(x1 - x0) / length * off
        wide = 1.0 + (MAX_WIDTH - 1.0) * math.log1p(w) / math.log1p(most) if most > 1 else 2.0
        for end, (x, y, size) in enumerate(((x0 + ox, y0 + oy, wide), (x1 + ox, y1 + oy, 0.5))):
            links.append(
                {
                    "edge": f"{a}→{b}",
                    "end": end,
                    "x": round(x, 4),
                    "y": round(y, 4),
                    "size": round(size, 2),
                    "replies": w,
                }
            )
    table = pd.DataFrame(links, columns=["edge", "end", "x", "y", "size", "replies"])
    table.attrs["links"] = links_all
    return nodes, table


def network(thread: object, size: int = 420, max_authors: int = MAX_AUTHORS) -> alt.LayerChart:
    """Authors placed by who answers whom; an edge is wide where the reply starts."""
    frame = frame_of(thread)
    title = "Who replies to whom"
    nodes, links = network_rows(frame.thread, max_authors)
    if not len(nodes):
        note = "nobody answered anybody else (replies to the post and to oneself left out)"
        return missing_layer(title, frame.thread, note, size, size)
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-0.05, 1.05]))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[-0.05, 1.05]))
    edges = (
        alt.Chart(links)
        .mark_trail(color="#9ecae9", opacity=0.8)
        .encode(
            x=x,
            y=y,
            detail="edge:N",
            order="end:Q",
            size=alt.Size("size:Q", scale=None, legend=None),
            tooltip=[
                alt.Tooltip("edge:N", title="replies"),
                alt.Tooltip("replies:Q", title="count"),
            ],
        )
    )
    roles = [r for r in ("post author", "author", "others") if r in set(nodes["role"])]
    palette = {"post author": "#f58518", "author": "#4c78a8", "others": "#bbbbbb"}
    dots = (
        alt.Chart(nodes)
        .mark_circle(stroke="white", strokeWidth=1, opacity=1)
        .encode(
            x=x,
            y=y,
            size=alt.Size(
                "comments:Q",
                title="comments",
                scale=alt.Scale(type="sqrt", range=[30, 600], zero=False),
                legend=alt.Legend(format=",d", tickMinStep=1),
            ),
            color=alt.Color(
                "role:N",
                title=None,
                scale=alt.Scale(domain=roles, range=[palette[r] for r in roles]),
                legend=alt.Legend() if len(roles) > 1 else None,
            ),
            tooltip=[
                alt.Tooltip("author:N"),
                alt.Tooltip("comments:Q"),
                alt.Tooltip("replies_given:Q", title="replies given"),
                alt.Tooltip("replies_received:Q", title="replies received"),
            ],
        )
    )
    labels = (
        alt.Chart(nodes)
        .mark_text(dy=-10, fontSize=10, color="#333333")
        .encode(x=x, y=y, text="label:N")
    )
    shown = int((nodes["role"] != "others").sum())
    grouped = len(nodes) > shown
    note = f"{shown} authors who reply or are replied to" + (
        f" (the {max_authors} most connected; the rest as one grey dot)" if grouped else ""
    )
    most = int(links["replies"].max()) if len(links) else 0
    drawn = len(links) // 2
    if drawn < links.attrs.get("links", drawn):
        note += f"; the {drawn} strongest of {links.attrs['links']:,} links drawn"
    notes = [note]
    if most > 1:
        notes.append(f"edge width: replies, on a log scale up to {most:,} (capped width)")
    chart = alt.LayerChart(
        layer=[edges, dots, labels], width=size, height=size, title=titled(title, frame, *notes)
    )
    resolved: alt.LayerChart = chart.resolve_scale(size="independent")
    return resolved
