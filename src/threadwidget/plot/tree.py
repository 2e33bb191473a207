"""The shape of the reply tree: an icicle (rows by depth), a sunburst (rings by depth), and the
node-link radial tree of Gómez, Kaltenbrunner and López (2008).

Up to :data:`~threadwidget.plot._frame.LIMIT` comments every comment is a block (or a dot);
above, each of the :data:`TOP_SUBTREES` biggest top-level subtrees is one block per depth, the
others share one "N more" band, and the subtitle says so.
"""

from __future__ import annotations

import math
from typing import Literal

import altair as alt
import numpy as np
import pandas as pd

from ..analysis.measures import UNKNOWN_AUTHORS
from ._data import highlight_condition, highlight_param, pick_param, when_text
from ._frame import ThreadFrame, excerpt, frame_of
from ._layout import missing_layer, note_aggregated, titled

__all__ = [
    "TOP_SUBTREES",
    "ColorBy",
    "Layout",
    "radial_tree",
    "radial_tree_rows",
    "tree",
    "tree_rows",
]

#: What the tree's colour shows.
ColorBy = Literal["author", "depth", "score", "kind"]
#: Icicle (depth downwards) or radial (depth outwards, a sunburst).
Layout = Literal["icicle", "radial"]
#: Authors named in the colour legend; the rest share one grey.
TOP_AUTHORS = 9
OTHERS = "others"
NOBODY = "no author (deleted)"
#: What the depth axis counts, under every tree's title.
DEPTH_NOTE = "depth 0: the post; depth 1: a reply to it"
#: Top-level subtrees drawn apart when a tree is aggregated; the rest share one band.
TOP_SUBTREES = 30
#: Share of an aggregated tree's width the drawn subtrees take (the "more" band the rest).
MORE_SHARE_REST = 0.8
_PALETTE = (
    "#4c78a8",
    "#f58518",
    "#54a24b",
    "#b279a2",
    "#eeca3b",
    "#ff9da6",
    "#9d755d",
    "#72b7b2",
    "#e45756",
)
_KIND_COLORS = {
    "post": "#555555",
    "top level": "#4c78a8",
    "reply": "#72b7b2",
    "deleted": "#bab0ac",
    "moderated": "#e45756",
}


def _post_row(frame: ThreadFrame, total: float) -> dict[str, object]:
    post = frame.thread.post
    return {
        "id": post.id,
        "author": post.author,
        "author_group": "post",
        "depth": 0,
        "x0": 0.0,
        "x1": float(total),
        "kind": "post",
        "score": frame.post_score,
        "replies": int((frame.rows["depth"] == 1).sum()),
        "excerpt": post.title,
        "when": when_text(post.created_at),
    }


def tree_rows(thread: object) -> pd.DataFrame:
    """The post (depth 0) and every comment with its span [x0, x1) in leaf units: a comment is
    as wide as the comments without replies under it, and its replies tile it."""
    frame = frame_of(thread)
    rows = frame.rows
    source = frame.thread
    out = pd.DataFrame(
        {
            "id": rows["id"],
            "author": rows["author"],
            "depth": rows["depth"],
            "x0": rows["start"].astype(np.float64),
            "x1": (rows["start"] + rows["leaves"]).astype(np.float64),
            "kind": rows["kind"],
            "score": rows["score"].astype(object) if frame.has_scores else None,
            "replies": rows["replies"],
            "excerpt": [excerpt(source.get(i)) for i in rows["id"]],
            "when": [when_text(source.get(i).created_at) for i in rows["id"]],
        }
    )
    total = float(rows["leaves"][rows["depth"] == 1].sum()) if len(rows) else 1.0
    out.insert(2, "author_group", _author_groups(frame))
    post = pd.DataFrame([_post_row(frame, max(total, 1.0))])
    table: pd.DataFrame = pd.concat([post, out], ignore_index=True) if len(out) else post
    table["score"] = table["score"].astype("Int64")  # unknown: null in the spec, never NaN or 0
    return table


def _named_authors(frame: ThreadFrame) -> list[str]:
    """The busiest authors by comments that count for people (never "[deleted]")."""
    speakers = frame.rows.loc[frame.rows["speaks"], "author"]
    counts = speakers.value_counts()
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [str(a) for a, _ in ranked[:TOP_AUTHORS]]


def _author_groups(frame: ThreadFrame) -> list[str]:
    named = set(_named_authors(frame))
    out = []
    for author, speaks in zip(frame.rows["author"], frame.rows["speaks"], strict=True):
        if author in named and speaks:
            out.append(author)
        elif not speaks and author in UNKNOWN_AUTHORS:
            out.append(NOBODY)
        else:
            out.append(OTHERS)
    return out


def subtree_rows(thread: object, top: int = TOP_SUBTREES) -> pd.DataFrame:
    """One row per (top-level subtree, depth) for the ``top`` biggest subtrees, and one per depth
    for the rest ("N more"); x spans by comments in the subtree, the post a row of depth 0."""
    frame = frame_of(thread)
    rows = frame.rows
    tops = rows[rows["depth"] == 1]
    ranked = tops.sort_values(["size", "start"], ascending=[False, True])
    chosen = ranked.iloc[:top]
    rest = ranked.iloc[top:]
    # chosen subtrees in tree order, the "more" band last
    chosen = chosen.sort_values("start")
    group_of = pd.Series(-1, index=rows.index, dtype=np.int64)
    root_rank = {int(r): k for k, r in enumerate(chosen.index)}
    group_of[:] = [root_rank.get(int(r), -1) for r in rows["root"]]
    sizes = [int(s) for s in chosen["size"]] + ([int(rest["size"].sum())] if len(rest) else [])
    # widths: the chosen subtrees by comments; the "more" band a fixed fifth when there is one
    widths = np.asarray(sizes[: len(chosen)], dtype=np.float64)
    widths = widths / max(widths.sum(), 1.0) * (MORE_SHARE_REST if len(rest) else 1.0)
    if len(rest):
        widths = np.append(widths, 1.0 - MORE_SHARE_REST)
    edges = np.concatenate(([0.0], np.cumsum(widths)))
    counts = pd.DataFrame({"group": group_of.to_numpy(), "depth": rows["depth"].to_numpy()})
    counts["group"] = counts["group"].where(counts["group"] >= 0, len(chosen))
    table = counts.value_counts().rename("comments").reset_index()
    records = []
    labels = [f"{a}'s thread" for a in chosen["author"]]
    ids = list(chosen["id"])
    for group, depth, n in table.itertuples(index=False):
        more = group == len(chosen)
        records.append(
            {
                "id": None if more else ids[group],
                "rank": int(group),
                "group": f"{len(rest):,} more threads" if more else labels[group],
                "depth": int(depth),
                "x0": edges[group],
                "x1": edges[group + 1],
                "comments": int(n),
                "subtree": sizes[group],
                "kind": "more" if more else "subtree",
            }
        )
    out = pd.DataFrame.from_records(records).sort_values(["x0", "depth"], ignore_index=True)
    post = frame.thread.post
    head = pd.DataFrame(
        [
            {
                "id": post.id,
                "rank": -1,
                "group": "the post",
                "depth": 0,
                "x0": 0.0,
                "x1": 1.0,
                "comments": 1,
                "subtree": frame.comments,
                "kind": "post",
            }
        ]
    )
    joined: pd.DataFrame = pd.concat([head, out], ignore_index=True)
    return joined


def _color(color_by: ColorBy, frame: ThreadFrame, rows: pd.DataFrame) -> tuple[alt.Color, str]:
    """The colour encoding, and a note when the data it needs is missing."""
    if color_by == "author":
        named = _named_authors(frame)
        present = set(rows["author_group"])
        domain = [a for a in named] + [g for g in (OTHERS, NOBODY) if g in present]
        palette = list(_PALETTE[: len(named)])
        extra = {"others": "#d9d9d9", NOBODY: "#eeeeee"}
        rng = palette + [extra[g] for g in domain[len(named) :]]
        return (
            alt.Color(
                "author_group:N",
                title="author",
                scale=alt.Scale(domain=domain, range=rng),
            ),
            "",
        )
    if color_by == "depth":
        return alt.Color("depth:O", title="depth", scale=alt.Scale(scheme="viridis")), ""
    if color_by == "score":
        if not frame.has_scores:
            note = "no scores recorded for these comments: drawn in one colour"
            return alt.Color("kind:N", scale=alt.Scale(range=["#9ecae9"]), legend=None), note
        return alt.Color("score:Q", title="score", scale=alt.Scale(scheme="blues")), ""
    return (
        alt.Color(
            "kind:N",
            title="comment",
            scale=alt.Scale(domain=list(_KIND_COLORS), range=list(_KIND_COLORS.values())),
        ),
        "",
    )


def _polar(rows: pd.DataFrame, size: int, rings: int) -> pd.DataFrame:
    total = max(float(rows["x1"].iloc[0]), 1.0)
    ring = size / 2 / rings
    out: pd.DataFrame = rows.copy()
    out["theta"] = 2 * math.pi * out["x0"] / total
    out["theta2"] = 2 * math.pi * out["x1"] / total
    out["r"] = out["depth"] * ring
    out["r2"] = (out["depth"] + 1) * ring - 1
    return out


def tree(
    thread: object,
    color_by: ColorBy = "author",
    layout: Layout = "icicle",
    width: int = 560,
    height: int | None = None,
    deepest: int | None = None,
) -> alt.Chart:
    """Every comment as a block under the one it answers, width by its replies' leaves; above
    the size limit the biggest subtrees as blocks per depth and an "N more" band. ``deepest``
    fixes the depth axis (``compare`` gives every panel the same)."""
    if color_by not in ("author", "depth", "score", "kind"):
        raise ValueError(f"color_by: one of author, depth, score, kind; got {color_by!r}")
    if layout not in ("icicle", "radial"):
        raise ValueError(f"layout: icicle or radial; got {layout!r}")
    frame = frame_of(thread)
    if frame.aggregated:
        return _aggregated_tree(frame, layout, width, height, color_by, deepest)
    rows = tree_rows(frame.thread)
    color, note = _color(color_by, frame, rows)
    rings = max(int(rows["depth"].max()), deepest or 0) + 1
    tooltip = [
        alt.Tooltip("author:N"),
        alt.Tooltip("when:N", title="time"),
        alt.Tooltip("depth:Q", title="depth (1 = reply to the post)"),
        alt.Tooltip("replies:Q"),
        alt.Tooltip("score:Q"),
        alt.Tooltip("excerpt:N", title="text"),
    ]
    base = _blocks(rows, layout, width, height, rings)
    title = f"Reply tree, coloured by {color_by}"
    post_grey = alt.condition("datum.kind === 'post'", alt.value("#555555"), color)
    chart: alt.Chart = (
        base.encode(
            color=post_grey,
            opacity=highlight_condition(1.0, 0.85),
            stroke=highlight_condition("#111111", "white"),
            strokeWidth=highlight_condition(3, 0.6),
            tooltip=tooltip,
        )
        .add_params(pick_param(), highlight_param())
        .properties(title=titled(title, frame, DEPTH_NOTE, note))
    )
    return chart


def _aggregated_tree(
    frame: ThreadFrame,
    layout: Layout,
    width: int,
    height: int | None,
    color_by: ColorBy,
    deepest: int | None,
) -> alt.Chart:
    rows = subtree_rows(frame.thread)
    rings = max(int(rows["depth"].max()), deepest or 0) + 1
    color = alt.condition(
        "datum.kind === 'post'",
        alt.value("#555555"),
        alt.Color(
            "comments:Q",
            title="comments",
            scale=alt.Scale(type="log", scheme="blues"),
            legend=alt.Legend(format=",d"),
        ),
    )
    tooltip = [
        alt.Tooltip("group:N", title="subtree"),
        alt.Tooltip("depth:Q", title="depth (1 = reply to the post)"),
        alt.Tooltip("comments:Q", title="comments at this depth", format=","),
        alt.Tooltip("subtree:Q", title="comments in the subtree", format=","),
    ]
    base = _blocks(rows, layout, width, height, rings)
    more = rows[rows["kind"] == "more"]
    shown = min(TOP_SUBTREES, int((frame.rows["depth"] == 1).sum()))
    where = "the band on the right" if layout == "icicle" else "the last sector"
    rest = f"; the other {more['group'].iloc[0].split()[0]} share {where}" if len(more) else ""
    note = note_aggregated(
        frame,
        f"the {shown} biggest top-level subtrees, one block per depth{rest}",
        "width: comments in the subtree (the band: a fifth), colour: comments at that depth",
    )
    title = "Reply tree" + (
        "" if color_by == "author" else f" ({color_by} not drawn when aggregated)"
    )
    chart: alt.Chart = (
        base.encode(
            color=color,
            stroke=highlight_condition("#111111", "white"),
            strokeWidth=highlight_condition(3, 0.6),
            tooltip=tooltip,
        )
        .add_params(pick_param(), highlight_param())
        .properties(title=titled(title, frame, DEPTH_NOTE, *note))
    )
    return chart


def radial_tree_rows(thread: object) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes (the post at the centre, each comment on the circle of its depth, at the middle of
    its leaves' angle) and edges (parent to reply) of the node-link radial tree; above the size
    limit one node per (biggest subtree, depth) sized by its comments, and one "more" spoke."""
    frame = frame_of(thread)
    if frame.aggregated:
        rows = subtree_rows(frame.thread)
        total = max(float(rows["x1"].iloc[0]), 1.0)
        angle = (rows["x0"] + rows["x1"]) / 2 / total * 2 * math.pi
        nodes = pd.DataFrame(
            {
                "id": rows["id"],
                "label": rows["group"],
                "depth": rows["depth"],
                "x": rows["depth"] * np.sin(angle),
                "y": -rows["depth"] * np.cos(angle),
                "comments": rows["comments"],
                "kind": rows["kind"],
            }
        )
        nodes.loc[0, ["x", "y"]] = 0.0
        key = {(g, d): i for i, (g, d) in enumerate(zip(rows["rank"], rows["depth"], strict=True))}
        links = []
        for i, (group, depth) in enumerate(zip(rows["rank"], rows["depth"], strict=True)):
            if depth == 0:
                continue
            up = 0 if depth == 1 else key.get((group, depth - 1))
            if up is None:
                continue
            links.append((nodes["x"][up], nodes["y"][up], nodes["x"][i], nodes["y"][i]))
        edges = pd.DataFrame(links, columns=["x", "y", "x2", "y2"])
        return nodes, edges
    rows = frame.rows
    total = max(float(rows["leaves"][rows["depth"] == 1].sum()), 1.0)
    angle = (rows["start"] + rows["leaves"] / 2) / total * 2 * math.pi
    x = (rows["depth"] * np.sin(angle)).to_numpy()
    y = (-rows["depth"] * np.cos(angle)).to_numpy()
    source = frame.thread
    nodes = pd.DataFrame(
        {
            "id": rows["id"],
            "label": rows["author"],
            "depth": rows["depth"],
            "x": x,
            "y": y,
            "comments": 1,
            "kind": rows["kind"],
            "when": [when_text(source.get(i).created_at) for i in rows["id"]],
            "excerpt": [excerpt(source.get(i)) for i in rows["id"]],
        }
    )
    post = source.post
    head = pd.DataFrame(
        [
            {
                "id": post.id,
                "label": post.author,
                "depth": 0,
                "x": 0.0,
                "y": 0.0,
                "comments": 1,
                "kind": "post",
                "when": when_text(post.created_at),
                "excerpt": post.title,
            }
        ]
    )
    parent = rows["parent"].to_numpy()
    px = np.where(parent >= 0, x[np.maximum(parent, 0)], 0.0)
    py = np.where(parent >= 0, y[np.maximum(parent, 0)], 0.0)
    edges = pd.DataFrame({"x": px, "y": py, "x2": x, "y2": y})
    return pd.concat([head, nodes], ignore_index=True), edges


def radial_tree(thread: object, size: int = 460, deepest: int | None = None) -> alt.LayerChart:
    """The node-link radial tree as Gómez, Kaltenbrunner and López (2008) draw a discussion: the
    post at the centre, each comment on the circle of its depth, joined to what it answers."""
    frame = frame_of(thread)
    title = "Radial reply tree"
    if not frame.comments:
        return missing_layer(title, frame.thread, "no comments yet", size, size)
    nodes, edges = radial_tree_rows(frame.thread)
    deepest = max(int(nodes["depth"].max()), deepest or 0)
    limit = deepest + 0.3
    scale = alt.Scale(domain=[-limit, limit], nice=False)
    x = alt.X("x:Q", axis=None, scale=scale)
    y = alt.Y("y:Q", axis=None, scale=scale)
    turn = np.linspace(0, 2 * math.pi, 97)
    circles = pd.DataFrame(
        [
            {"ring": d, "step": k, "x": d * math.sin(a), "y": d * math.cos(a)}
            for d in range(1, deepest + 1)
            for k, a in enumerate(turn)
        ]
    )
    rings = (
        alt.Chart(circles)
        .mark_line(color="#e6e6e6", strokeWidth=1)
        .encode(x=x, y=y, detail="ring:N", order="step:Q")
    )
    lines = (
        alt.Chart(edges)
        .mark_rule(color="#9aa7b4", strokeWidth=0.7, opacity=0.7)
        .encode(x=x, y=y, x2="x2:Q", y2="y2:Q")
    )
    if frame.aggregated:
        dots = (
            alt.Chart(nodes)
            .mark_circle(opacity=0.9, stroke="white", strokeWidth=0.5)
            .encode(
                x=x,
                y=y,
                size=alt.Size(
                    "comments:Q",
                    title="comments",
                    scale=alt.Scale(type="sqrt", range=[8, 600]),
                    legend=alt.Legend(format=",d"),
                ),
                color=alt.Color(
                    "kind:N",
                    title=None,
                    scale=alt.Scale(
                        domain=["post", "subtree", "more"], range=["#555555", "#4c78a8", "#bbbbbb"]
                    ),
                    legend=None,
                ),
                tooltip=[
                    alt.Tooltip("label:N", title="subtree"),
                    alt.Tooltip("depth:Q"),
                    alt.Tooltip("comments:Q", format=","),
                ],
            )
        )
        shown = min(TOP_SUBTREES, int((frame.rows["depth"] == 1).sum()))
        note = note_aggregated(
            frame,
            f"one dot per depth of the {shown} biggest subtrees (grey: the rest together)",
            "dot size: comments; angle: the subtree's share of comments (the rest: a fifth)",
        )
    else:
        dots = (
            alt.Chart(nodes)
            .mark_circle(opacity=0.95, size=28 if frame.comments < 400 else 10)
            .encode(
                x=x,
                y=y,
                color=alt.Color(
                    "kind:N",
                    title="comment",
                    scale=alt.Scale(domain=list(_KIND_COLORS), range=list(_KIND_COLORS.values())),
                ),
                tooltip=[
                    alt.Tooltip("label:N", title="author"),
                    alt.Tooltip("when:N", title="time"),
                    alt.Tooltip("depth:Q"),
                    alt.Tooltip("excerpt:N", title="text"),
                ],
            )
        )
        note = []
    rings_note = "circles: depth 1 (replies to the post) to " + str(deepest)
    chart = alt.LayerChart(
        layer=[rings, lines, dots],
        width=size,
        height=size,
        title=titled(title, frame, *(note or [rings_note])),
    )
    return chart


def _blocks(
    rows: pd.DataFrame, layout: Layout, width: int, height: int | None, rings: int
) -> alt.Chart:
    """The blocks of a tree chart: arcs around the post (radial) or rows by depth (icicle)."""
    if layout == "radial":
        size = width if height is None else min(width, height)
        arcs: alt.Chart = (
            alt.Chart(_polar(rows, size, rings), width=size, height=size)
            .mark_arc(stroke="white", strokeWidth=0.6, cursor="pointer")
            .encode(
                theta=alt.Theta("theta:Q", scale=None),
                theta2="theta2:Q",
                radius=alt.Radius("r:Q", scale=None),
                radius2="r2:Q",
            )
        )
        return arcs
    row_height = 26 if height is None else max(4, height // rings)
    rects: alt.Chart = (
        alt.Chart(rows, width=width, height=row_height * rings)
        .mark_rect(stroke="white", strokeWidth=0.6, cursor="pointer")
        .encode(
            x=alt.X(
                "x0:Q",
                axis=None,
                scale=alt.Scale(domain=[0, float(rows["x1"].iloc[0])], nice=False),
            ),
            x2="x1:Q",
            y=alt.Y("depth:O", title="depth", scale=alt.Scale(domain=list(range(rings)))),
        )
    )
    return rects
