"""Who replies to whom: authors as nodes, replies as tapered edges (wide end at the replier)."""

from __future__ import annotations

import math
import random
from collections import Counter

import altair as alt

from ..analysis.measures import as_thread, reply_pairs
from ._data import Row, inline, subtitle

__all__ = ["layout", "network", "network_rows"]

#: Most authors drawn (those in most replies); a bigger graph would be a hairball.
MAX_AUTHORS = 40


def layout(
    nodes: list[str], edges: Counter[tuple[str, str]], seed: int = 1, steps: int = 300
) -> dict[str, tuple[float, float]]:
    """Force-directed positions in [0, 1]^2 (Fruchterman and Reingold, 1991), seeded: stable."""
    if not nodes:
        return {}
    rng = random.Random(seed)
    pos = {v: [rng.random(), rng.random()] for v in sorted(nodes)}
    if len(nodes) == 1:
        return {nodes[0]: (0.5, 0.5)}
    k = math.sqrt(1.0 / len(nodes))
    weight: Counter[tuple[str, str]] = Counter()
    for (a, b), w in edges.items():
        if a in pos and b in pos:
            weight[(min(a, b), max(a, b))] += w
    temperature = 0.1
    for _ in range(steps):
        move = {v: [0.0, 0.0] for v in pos}
        names = list(pos)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
                d = max(math.hypot(dx, dy), 1e-3)
                f = k * k / d
                move[a][0] += dx / d * f
                move[a][1] += dy / d * f
                move[b][0] -= dx / d * f
                move[b][1] -= dy / d * f
        for (a, b), w in weight.items():
            dx, dy = pos[a][0] - pos[b][0], pos[a][1] - pos[b][1]
            d = max(math.hypot(dx, dy), 1e-3)
            f = d * d / k * (1 + math.log(w))
            for v, sign in ((a, -1.0), (b, 1.0)):
                move[v][0] += sign * dx / d * f
                move[v][1] += sign * dy / d * f
        for v, (mx, my) in move.items():
            # a gentle pull to the middle keeps unconnected authors on the page
            mx += (0.5 - pos[v][0]) * k
            my += (0.5 - pos[v][1]) * k
            d = max(math.hypot(mx, my), 1e-9)
            step = min(d, temperature)
            pos[v][0] += mx / d * step
            pos[v][1] += my / d * step
        temperature = max(temperature * 0.985, 0.002)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
    return {v: ((p[0] - min(xs)) / span, (p[1] - min(ys)) / span) for v, p in pos.items()}


def network_rows(thread: object, max_authors: int = MAX_AUTHORS) -> tuple[list[Row], list[Row]]:
    """Node rows (author, place, comments, replies given and received); edge rows, two ends each."""
    tree = as_thread(thread)
    pairs = reply_pairs(tree)
    comments = Counter(c.author for c in tree.comments if c.status == "visible")
    degree: Counter[str] = Counter()
    for (a, b), w in pairs.items():
        degree[a] += w
        degree[b] += w
    chosen = sorted(degree, key=lambda a: (-degree[a], a))[:max_authors]
    keep = set(chosen)
    edges = Counter({p: w for p, w in pairs.items() if p[0] in keep and p[1] in keep})
    pos = layout(chosen, edges)
    given = Counter({a: 0 for a in chosen})
    received = Counter({a: 0 for a in chosen})
    for (a, b), w in edges.items():
        given[a] += w
        received[b] += w
    labelled = set(chosen[:12])
    nodes = [
        {
            "author": a,
            "x": round(pos[a][0], 4),
            "y": round(pos[a][1], 4),
            "comments": comments.get(a, 0),
            "replies_given": given[a],
            "replies_received": received[a],
            "post_author": a == tree.post.author,
            "label": a if a in labelled else "",
        }
        for a in chosen
    ]
    links: list[Row] = []
    for (a, b), w in sorted(edges.items()):
        (x0, y0), (x1, y1) = pos[a], pos[b]
        length = max(math.hypot(x1 - x0, y1 - y0), 1e-9)
        off = 0.012  # to the right of the direction: A→B and B→A lie side by side
        ox, oy = (y1 - y0) / length * off, -(x1 - x0) / length * off
        for end, (x, y, size) in enumerate(
            ((x0 + ox, y0 + oy, 1.0 + 2.5 * w), (x1 + ox, y1 + oy, 0.5))
        ):
            links.append(
                {
                    "edge": f"{a}→{b}",
                    "end": end,
                    "x": round(x, 4),
                    "y": round(y, 4),
                    "size": size,
                    "replies": w,
                }
            )
    return nodes, links


def network(thread: object, size: int = 420, max_authors: int = MAX_AUTHORS) -> alt.LayerChart:
    """Authors placed by who answers whom; an edge is wide where the reply starts."""
    tree = as_thread(thread)
    nodes, links = network_rows(tree, max_authors)
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[-0.05, 1.05]))
    y = alt.Y("y:Q", axis=None, scale=alt.Scale(domain=[-0.05, 1.05]))
    edges = (
        alt.Chart(inline(links))
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
    dots = (
        alt.Chart(inline(nodes))
        .mark_circle(stroke="white", strokeWidth=1, opacity=1)
        .encode(
            x=x,
            y=y,
            size=alt.Size("comments:Q", title="comments", scale=alt.Scale(range=[40, 500])),
            color=alt.Color(
                "post_author:N",
                title="post author",
                scale=alt.Scale(domain=[True, False], range=["#f58518", "#4c78a8"]),
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
        alt.Chart(inline(nodes))
        .mark_text(dy=-10, fontSize=10, color="#333333")
        .encode(x=x, y=y, text="label:N")
    )
    shown = len(nodes)
    note = f"{shown} authors who reply or are replied to" + (
        f" (the {max_authors} most connected)" if shown == max_authors else ""
    )
    title = alt.TitleParams("Who replies to whom", subtitle=[*subtitle(tree), note])
    return alt.LayerChart(layer=[edges, dots, labels], width=size, height=size, title=title)
