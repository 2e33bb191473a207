"""The shape of the reply tree: an icicle (rows by depth) or a sunburst (rings by depth)."""

from __future__ import annotations

import math
from typing import Literal

import altair as alt

from ..analysis.measures import as_thread
from ._data import (
    Row,
    author_order,
    comment_rows,
    highlight_condition,
    highlight_param,
    inline,
    pick_param,
    titled,
)

__all__ = ["ColorBy", "Layout", "tree", "tree_rows"]

#: What the tree's colour shows.
ColorBy = Literal["author", "depth", "score", "kind"]
#: Icicle (depth downwards) or radial (depth outwards).
Layout = Literal["icicle", "radial"]
#: Authors named in the colour legend; the rest share one grey.
TOP_AUTHORS = 9
OTHERS = "others"


def tree_rows(thread: object) -> list[Row]:
    """The post and every comment with its span [x0, x1) in leaf units; children tile parents."""
    tree = as_thread(thread)
    rows = {row["id"]: row for row in comment_rows(tree)}
    leaves: dict[str | None, int] = {}
    order: list[str | None] = []
    stack: list[str | None] = [None]
    while stack:
        node = stack.pop()
        order.append(node)
        stack.extend(c.id for c in tree.children(node))
    for node in reversed(order):
        kids = tree.children(node)
        leaves[node] = sum(leaves[c.id] for c in kids) if kids else 1
    post = tree.post
    out: list[Row] = [
        {
            "id": post.id,
            "parent": None,
            "author": post.author,
            "depth": -1,
            "x0": 0,
            "x1": leaves[None],
            "kind": "post",
            "moderated": False,
            "score": 0,
            "replies": len(tree.children(None)),
            "excerpt": post.title,
            "when": "",
        }
    ]
    place: list[tuple[str | None, int]] = [(None, 0)]
    while place:
        node, start = place.pop()
        for child in tree.children(node):
            span = leaves[child.id]
            out.append({**rows[child.id], "x0": start, "x1": start + span})
            place.append((child.id, start))
            start += span
    return out


def _color(color_by: ColorBy, rows: list[Row]) -> alt.Color:
    if color_by == "author":
        named = author_order([r for r in rows if r["kind"] != "post"])[:TOP_AUTHORS]
        for row in rows:
            row["author_group"] = row["author"] if row["author"] in named else OTHERS
        domain = (
            [
                *named,
                OTHERS,
            ]
            if len(named) < len({r["author"] for r in rows})
            else named
        )
        palette = [
            "#4c78a8",
            "#f58518",
            "#54a24b",
            "#b279a2",
            "#eeca3b",
            "#ff9da6",
            "#9d755d",
            "#72b7b2",
            "#e45756",
        ][: len(named)]
        rng = [*palette, "#d9d9d9"] if OTHERS in domain else palette
        return alt.Color(
            "author_group:N", title="author", scale=alt.Scale(domain=domain, range=rng)
        )
    if color_by == "depth":
        return alt.Color("depth:O", title="depth", scale=alt.Scale(scheme="viridis"))
    if color_by == "score":
        return alt.Color("score:Q", title="score", scale=alt.Scale(scheme="blues"))
    return alt.Color(
        "kind:N",
        title="comment",
        scale=alt.Scale(
            domain=["post", "top level", "reply", "deleted", "moderated"],
            range=["#555555", "#4c78a8", "#72b7b2", "#bab0ac", "#e45756"],
        ),
    )


def tree(
    thread: object,
    color_by: ColorBy = "author",
    layout: Layout = "icicle",
    width: int = 560,
    height: int | None = None,
) -> alt.Chart:
    """Every comment as a block under the one it answers, width by its replies' leaves."""
    source = as_thread(thread)
    rows = tree_rows(source)
    color = _color(color_by, rows)
    depth = max((r["depth"] for r in rows), default=-1) + 2
    pick = pick_param()
    tooltip = [
        alt.Tooltip("author:N"),
        alt.Tooltip("when:N", title="time"),
        alt.Tooltip("depth:Q"),
        alt.Tooltip("replies:Q"),
        alt.Tooltip("score:Q"),
        alt.Tooltip("excerpt:N", title="text"),
    ]
    title = titled(f"Reply tree, coloured by {color_by}", source)
    if layout == "radial":
        total = max(rows[0]["x1"], 1)
        size = width if height is None else min(width, height)
        ring = size / 2 / depth
        for row in rows:
            row["theta"] = 2 * math.pi * row["x0"] / total
            row["theta2"] = 2 * math.pi * row["x1"] / total
            row["r"] = (row["depth"] + 1) * ring
            row["r2"] = (row["depth"] + 2) * ring - 1
        base = (
            alt.Chart(inline(rows), width=size, height=size)
            .mark_arc(stroke="white", strokeWidth=0.6, cursor="pointer")
            .encode(
                theta=alt.Theta("theta:Q", scale=None),
                theta2="theta2:Q",
                radius=alt.Radius("r:Q", scale=None),
                radius2="r2:Q",
            )
        )
    else:
        row_height = 26 if height is None else max(4, height // depth)
        base = (
            alt.Chart(inline(rows), width=width, height=row_height * depth)
            .mark_rect(stroke="white", strokeWidth=0.6, cursor="pointer")
            .encode(
                x=alt.X("x0:Q", axis=None, scale=alt.Scale(domain=[0, rows[0]["x1"]], nice=False)),
                x2="x1:Q",
                y=alt.Y(
                    "depth:O",
                    title="depth (-1 = the post)",
                    scale=alt.Scale(domain=list(range(-1, depth - 1))),
                ),
            )
        )
    chart: alt.Chart = (
        base.encode(
            color=color,
            opacity=highlight_condition(1.0, 0.85),
            stroke=highlight_condition("#111111", "white"),
            strokeWidth=highlight_condition(3, 0.6),
            tooltip=tooltip,
        )
        .add_params(pick, highlight_param())
        .properties(title=title)
    )
    return chart
