"""Chart specs (data rows, encodings, titles, aggregation notes) for the seed, a real Hacker
News thread and a 100,000-comment synthetic thread; offline PNG/SVG export; the widget link."""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import traitlets

import threadwidget
from threadwidget import Comment, Post, Thread, plot, read_thread
from threadwidget.analysis import synthetic
from threadwidget.analysis.measures import depth_profile, h_index, reply_pairs
from threadwidget.plot.activity import activity_rows
from threadwidget.plot.distributions import REPLY_BINS
from threadwidget.plot.network import MAX_EDGES, MAX_WIDTH, layout, network_rows
from threadwidget.plot.participation import exchange_rows, lorenz_rows, reply_rows
from threadwidget.plot.tree import TOP_SUBTREES, tree_rows

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "examples" / "data"
SEED = DATA / "power-trip.json"
BIG = 100_000


@pytest.fixture(scope="module")
def seed() -> Thread:
    return read_thread(SEED)


@pytest.fixture(scope="module")
def hn() -> Thread:
    """A real Hacker News story: 116 comments, two deleted, no comment scores."""
    return threadwidget.load(DATA / "hn-planet-nine.json")


@pytest.fixture(scope="module")
def synth() -> Thread:
    return synthetic.thread(120, seed=3, spam_rate=0.05)


@pytest.fixture(scope="module")
def big() -> Thread:
    return synthetic.thread(BIG, seed=1, bodies=False)


def _spec(chart: Any) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict()
    return spec


def _values(spec: dict[str, Any], part: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The rows a (part of a) chart draws, from the spec's named datasets."""
    data = (part or spec).get("data") or spec["data"]  # one layer: altair lifts its data
    if "values" in data:
        return list(data["values"])
    rows: list[dict[str, Any]] = spec["datasets"][data["name"]]
    return rows


def _layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    layers: list[dict[str, Any]] = spec["layer"]
    return layers


def _subtitle(spec: dict[str, Any]) -> list[str]:
    title = spec["title"]
    return list(title.get("subtitle", [])) if isinstance(title, dict) else []


# ---- activity, cumulative, timeline ---------------------------------------------------------


def test_activity_bins_in_one_unit_with_a_later_bar_for_stragglers(seed: Thread) -> None:
    rows, name, unit = activity_rows(seed)
    assert (name, unit) == ("hour", "hours")  # 90% of the seed's comments come within two days
    counted = rows[rows["comments"] > 0]
    assert list(zip(counted["bin"], counted["kind"], counted["comments"], strict=True)) == [
        ("2", "top level", 1),
        ("4", "top level", 1),
        ("6", "reply", 1),
        ("19", "top level", 2),
        ("23", "reply", 1),
        ("43", "top level", 1),
        ("45", "reply", 1),
        ("later", "top level", 1),  # the advert, three and a half years on
    ]
    assert rows["comments"].sum() == len(seed.comments)
    assert set(rows["order"]) == set(range(47))  # empty hours are rows too
    spec = _spec(plot.activity(seed))
    assert spec["mark"]["type"] == "bar"
    x, y = spec["encoding"]["x"], spec["encoding"]["y"]
    assert x["title"] == "hours after the post (hour bins)"  # one unit, no "+0 min"
    assert x["scale"]["domain"][:3] == ["0", "1", "2"] and x["scale"]["domain"][-1] == "later"
    assert "later" in x["axis"]["values"]
    assert y["axis"]["labelExpr"] == "datum.value % 1 !== 0 ? '' : datum.label"  # whole counts
    assert y["axis"]["gridOpacity"]["condition"]["value"] == 0
    assert spec["title"] == {
        "text": "Comments per hour after the post",
        "subtitle": ["On a social media power trip?"],
    }


def test_activity_of_a_real_and_a_huge_thread(hn: Thread, big: Thread) -> None:
    rows, name, _ = activity_rows(hn)
    assert name == "hour" and rows["comments"].sum() == 116
    assert rows.loc[rows["kind"] == "deleted", "comments"].sum() == 2
    rows, name, unit = activity_rows(big)
    assert (name, unit) == ("week", "weeks") and rows["comments"].sum() == BIG
    spec = _spec(plot.activity(big))
    assert len(_values(spec)) == len(rows) < 100  # counts, not comments
    with pytest.raises(ValueError, match=r"interval: .* at most 400"):
        plot.activity(big, interval=timedelta(minutes=1))


def test_cumulative_counts_every_comment_and_says_what_is_off_the_axis(
    seed: Thread, hn: Thread, big: Thread
) -> None:
    spec = _spec(plot.cumulative(seed))
    points = _values(spec)
    assert [p["comments"] for p in points] == [0, 1, 2, 3, 4, 5, 6, 7, 8]
    assert spec["mark"]["interpolate"] == "step-after"
    assert "1 later comment (up to 30,398 hours after the post) beyond the axis: 9 in all" in (
        _subtitle(spec)
    )
    assert _values(_spec(plot.cumulative(hn)))[-1]["comments"] == 116
    spec = _spec(plot.cumulative(big))
    points = _values(spec)
    assert len(points) == 401 and points[-1]["comments"] == BIG
    assert "400 of 100,000 comments drawn as points of the curve" in _subtitle(spec)
    assert spec["encoding"]["x"]["title"] == "weeks after the post"


def test_timeline_points_edges_and_link_params(seed: Thread) -> None:
    spec = _spec(plot.timeline(seed))
    edges, points = _layers(spec)
    rows = _values(spec, points)
    assert [r["id"] for r in rows] == [
        "c1",
        "c2",
        "c2-r1",
        "c3",
        "c4",
        "c4-r1",
        "c5",
        "c5-r1",
        "c6",
    ]
    c2r1 = next(r for r in rows if r["id"] == "c2-r1")
    assert (c2r1["author"], c2r1["depth"], c2r1["minutes"]) == ("Steve", 2, 386.0)
    assert c2r1["when"] == "2012-05-14 19:31 UTC"
    assert [e["id"] for e in _values(spec, edges)] == ["c2-r1", "c4-r1", "c5-r1"]
    assert points["encoding"]["x"]["scale"]["type"] == "symlog"
    assert points["encoding"]["y"]["title"] == "depth (1 = reply to the post)"
    assert points["encoding"]["y"]["axis"]["values"] == [1, 2]
    assert points["encoding"]["shape"]["field"] == "moderated"
    assert points["encoding"]["strokeWidth"]["condition"]["test"] == "datum.id === highlight"
    names = {p["name"]: p for p in spec["params"]}
    assert names["highlight"]["value"] == ""
    assert names["pick"]["select"] == {
        "type": "point",
        "fields": ["id"],
        "on": "click",
        "clear": False,
    }
    assert spec["title"]["text"] == "Every comment in time"


def test_timeline_of_a_real_and_a_huge_thread(hn: Thread, big: Thread) -> None:
    spec = _spec(plot.timeline(hn))
    _, points = _layers(spec)
    rows = _values(spec, points)
    assert len(rows) == 116 and max(r["depth"] for r in rows) == max(depth_profile(hn))
    spec = _spec(plot.timeline(big))
    (heat,) = _layers(spec)
    bins = _values(spec, heat)
    assert heat["mark"]["type"] == "rect" and heat["encoding"]["color"]["field"] == "comments"
    assert sum(b["comments"] for b in bins) == BIG and len(bins) < 1000
    assert _subtitle(spec)[1] == (
        "aggregated: 100,000 comments (above 2,000): comments per time bin and depth"
    )
    assert "params" not in spec  # nothing to click: bins are not comments


# ---- the tree -------------------------------------------------------------------------------


def test_tree_icicle_tiles_children_under_parents(seed: Thread, synth: Thread) -> None:
    rows = tree_rows(seed)
    post = rows.iloc[0]
    assert (post["id"], post["depth"], post["x0"], post["x1"]) == ("post", 0, 0, 6)
    spans = {r.id: (r.x0, r.x1, r.depth) for r in rows.iloc[1:].itertuples()}
    assert spans["c2"] == (1, 2, 1) and spans["c2-r1"] == (1, 2, 2)
    assert spans["c6"] == (5, 6, 1)
    for thread in (seed, synth):
        table = tree_rows(thread).set_index("id")
        for cid, r in table.iloc[1:].iterrows():
            parent_id = thread.get(str(cid)).parent_id or "post"
            parent = table.loc[parent_id]
            assert parent["x0"] <= r["x0"] < r["x1"] <= parent["x1"]
            assert r["depth"] == parent["depth"] + 1
    spec = _spec(plot.tree(seed))
    assert spec["mark"]["type"] == "rect"
    assert spec["encoding"]["x"]["field"] == "x0" and spec["encoding"]["x2"]["field"] == "x1"
    color = spec["encoding"]["color"]
    assert color["condition"]["test"] == "datum.kind === 'post'"
    assert color["field"] == "author_group"
    assert color["scale"]["domain"][:2] == ["Steve", "Chris"]
    assert spec["encoding"]["y"]["title"] == "depth"
    assert _subtitle(spec)[1] == "depth 0: the post; depth 1: a reply to it"
    assert spec["title"]["text"] == "Reply tree, coloured by author"
    assert {p["name"] for p in spec["params"]} == {"pick", "highlight"}


def test_tree_of_a_real_thread_says_what_it_lacks(hn: Thread) -> None:
    spec = _spec(plot.tree(hn))
    rows = _values(spec)
    assert len(rows) == 117  # the post and every comment
    domain = spec["encoding"]["color"]["scale"]["domain"]
    assert "[deleted]" not in domain and domain[-1] == "no author (deleted)"
    assert {r["author_group"] for r in rows if r["author"] == "[deleted]"} == {
        "no author (deleted)"
    }
    scores = _spec(plot.tree(hn, color_by="score"))
    assert "no scores recorded for these comments: drawn in one colour" in _subtitle(scores)
    assert "depth 0: the post; depth 1: a reply to it" in _subtitle(scores)
    assert scores["encoding"]["color"]["legend"] is None
    assert _values(scores)[0]["score"] is None  # the post's points are not in the file: not 0
    pointed = Thread(
        post=hn.post.model_copy(update={"extra": {"points": 943}}), comments=hn.comments
    )
    assert _values(_spec(plot.tree(pointed)))[0]["score"] == 943  # recorded: shown


@pytest.mark.parametrize("color_by", ["author", "depth", "score", "kind"])
def test_tree_colours_and_radial_layout(synth: Thread, color_by: str) -> None:
    spec = _spec(plot.tree(synth, color_by=color_by, layout="radial"))  # type: ignore[arg-type]
    assert spec["mark"]["type"] == "arc"
    assert spec["encoding"]["theta"] == {"field": "theta", "type": "quantitative", "scale": None}
    field = {"author": "author_group", "depth": "depth", "score": "score", "kind": "kind"}
    assert spec["encoding"]["color"]["field"] == field[color_by]
    rows = _values(spec)
    assert rows[0]["theta"] == 0 and rows[0]["theta2"] == pytest.approx(2 * math.pi)
    assert len(rows) == 121


@pytest.mark.parametrize("layout_name", ["icicle", "radial"])
def test_tree_of_100000_comments_draws_the_biggest_subtrees(big: Thread, layout_name: str) -> None:
    spec = _spec(plot.tree(big, layout=layout_name))  # type: ignore[arg-type]
    rows = _values(spec)
    deepest = max(depth_profile(big))
    assert len(rows) <= 1 + (TOP_SUBTREES + 1) * deepest
    assert sum(r["comments"] for r in rows if r["kind"] != "post") == BIG
    more = [r for r in rows if r["kind"] == "more"]
    tops = sum(1 for c in big.comments if c.parent_id is None)
    assert more[0]["group"] == f"{tops - TOP_SUBTREES:,} more threads"
    assert more[0]["x1"] - more[0]["x0"] == pytest.approx(0.2)  # the band: a fifth
    assert _subtitle(spec)[2].startswith(
        "aggregated: 100,000 comments (above 2,000): the 30 biggest top-level subtrees"
    )
    assert spec["encoding"]["color"]["field"] == "comments"


def test_radial_tree_places_comments_on_circles_of_their_depth(seed: Thread, hn: Thread) -> None:
    spec = _spec(plot.radial_tree(seed))
    rings, lines, dots = _layers(spec)
    nodes = _values(spec, dots)
    assert nodes[0]["id"] == "post" and (nodes[0]["x"], nodes[0]["y"]) == (0, 0)
    for node in nodes[1:]:
        assert math.hypot(node["x"], node["y"]) == pytest.approx(node["depth"])
    assert len(_values(spec, lines)) == 9  # one edge per comment, to what it answers
    assert {r["ring"] for r in _values(spec, rings)} == {1, 2}
    assert "circles: depth 1 (replies to the post) to 2" in _subtitle(spec)
    nodes = _values(_spec(plot.radial_tree(hn)), _layers(_spec(plot.radial_tree(hn)))[2])
    assert len(nodes) == 117


def test_radial_tree_of_100000_comments(big: Thread) -> None:
    spec = _spec(plot.radial_tree(big))
    _, _, dots = _layers(spec)
    nodes = _values(spec, dots)
    assert sum(n["comments"] for n in nodes) == BIG + 1  # the post is one dot too
    assert len(nodes) <= 1 + (TOP_SUBTREES + 1) * max(depth_profile(big))
    assert dots["encoding"]["size"]["field"] == "comments"
    assert any("aggregated: 100,000 comments" in line for line in _subtitle(spec))


# ---- distributions --------------------------------------------------------------------------


def test_depths_and_reply_times(seed: Thread, hn: Thread, big: Thread) -> None:
    spec = _spec(plot.distributions(seed))
    depth, reply = spec["hconcat"]
    bars, _ = _layers(depth)
    assert [(r["depth"], r["comments"]) for r in _values(spec, bars)] == [(1, 6), (2, 3)]
    assert "h-index 2: the last depth whose bar reaches the red line" in _subtitle(depth)
    assert [(r["bin"], r["replies"]) for r in _values(spec, reply) if r["replies"]] == [
        ("1.7-17 h", 3)
    ]
    assert [label for _, label in REPLY_BINS][:4] == [
        "< 1 min",
        "1-10 min",
        "10-100 min",
        "1.7-17 h",
    ]
    uppers = [upper for upper, _ in REPLY_BINS][:-1]
    assert all(b / a == 10 for a, b in itertools.pairwise(uppers))  # tenfold
    for thread in (hn, big):
        spec = _spec(plot.depths(thread))
        bars, _ = _layers(spec)
        rows = _values(spec, bars)
        assert {r["depth"]: r["comments"] for r in rows} == depth_profile(thread)
        assert f"h-index {h_index(thread)}:" in _subtitle(spec)[1]
    replies = _values(_spec(plot.reply_times(big)))
    speakers = sum(1 for c in big.comments if c.parent_id is not None and c.status == "visible")
    assert sum(r["replies"] for r in replies) == speakers


# ---- people ---------------------------------------------------------------------------------


def test_participation(seed: Thread, hn: Thread) -> None:
    rows = lorenz_rows(seed)
    # comments per author: 1, 1, 1, 1, 2, 3 (Steve) out of 9
    assert [round(v, 4) for v in rows["comments"]] == [0, 0.1111, 0.2222, 0.3333, 0.4444, 0.6667, 1]
    spec = _spec(plot.participation(seed))
    lorenz_spec, top = spec["hconcat"]
    assert lorenz_spec["title"]["text"] == "Who writes: Gini 0.24"
    top_rows = _values(spec, top)
    assert top_rows[0] == {"author": "Steve", "comments": 3, "role": "post author"}
    assert top["encoding"]["y"]["sort"][:2] == ["Steve", "Chris"]
    hn_top = _spec(plot.top_authors(hn))
    assert "[deleted]" not in [r["author"] for r in _values(hn_top)]
    assert hn_top["encoding"]["color"]["scale"]["domain"] == ["other"]  # the poster is absent
    assert hn_top["encoding"]["color"]["legend"] is None
    assert "the post's author (cyanbane) wrote no comment here" in _subtitle(hn_top)


def test_lorenz_of_many_authors_and_of_nobody(big: Thread) -> None:
    spec = _spec(plot.lorenz(big))
    curve = _values(spec, _layers(spec)[1])
    assert len(curve) == 401 and curve[-1] == {"authors": 1.0, "comments": 1.0}
    empty = _spec(plot.lorenz(Thread(post=Post(title="Nothing yet"))))
    assert "no comments by anyone yet: no Gini" in _subtitle(empty)
    assert "Gini -" not in json.dumps(empty)


def test_replies_given_and_received(seed: Thread, hn: Thread, big: Thread) -> None:
    rows = reply_rows(seed)
    table = {(r.author, r.way): r.replies for r in rows.itertuples()}
    assert table[("Steve", "given")] == 3 and table[("Steve", "received")] == 0
    assert table[("Chris", "received")] == 1
    pairs = reply_pairs(hn)
    rows = reply_rows(hn, n=1000)
    assert rows.loc[rows["way"] == "given", "replies"].sum() == sum(pairs.values())
    spec = _spec(plot.replies_per_author(big))
    values = _values(spec)
    assert len(values) == 32 and values[-1]["author"].endswith(" others")
    assert spec["encoding"]["yOffset"]["field"] == "way"
    total = sum(v["replies"] for v in values if v["way"] == "given")
    assert total == sum(reply_pairs(big).values())


def test_exchanges_follow_alternating_chains(seed: Thread, hn: Thread, big: Thread) -> None:
    t0 = seed.post.created_at
    chain = Thread(
        post=Post(created_at=t0),
        comments=tuple(
            Comment(
                id=f"c{i}",
                parent_id=f"c{i - 1}" if i else None,
                author=a,
                created_at=t0 + timedelta(minutes=i),
            )
            for i, a in enumerate(["Ann", "Bob", "Ann", "Bob", "Cat", "Bob", "Cat"])
        ),
    )
    rows = exchange_rows(chain)
    assert list(rows.itertuples(index=False, name=None)) == [
        ("Ann ↔ Bob", 1, 4),  # Ann, Bob, Ann, Bob
        ("Bob ↔ Cat", 1, 4),  # Bob, Cat, Bob, Cat (the chain goes on with Cat)
    ]
    none = _spec(plot.exchanges(seed))
    assert "no back-and-forth: nobody answered someone who had answered them" in _subtitle(none)
    assert len(exchange_rows(hn)) == 7
    spec = _spec(plot.exchanges(big))
    assert len(_values(spec, _layers(spec)[0])) == 15


def test_network_rows_and_layout(seed: Thread, hn: Thread, synth: Thread) -> None:
    nodes, links = network_rows(seed)
    # Steve answers Steve Browne, Chris and Steve M.; nobody answers Steve
    assert {r.author: (r.replies_given, r.replies_received) for r in nodes.itertuples()} == {
        "Steve": (3, 0),
        "Steve Browne": (0, 1),
        "Chris": (0, 1),
        "Steve M.": (0, 1),
    }
    assert sorted(set(links["edge"])) == ["Steve→Chris", "Steve→Steve Browne", "Steve→Steve M."]
    assert ((nodes["x"] >= 0) & (nodes["x"] <= 1) & (nodes["y"] >= 0) & (nodes["y"] <= 1)).all()
    nodes2, _ = network_rows(synth, max_authors=12)
    assert len(nodes2) == 13 and nodes2.iloc[-1]["role"] == "others"
    assert layout(["a", "b"], {}) == layout(["a", "b"], {})  # seeded: the same every time
    spec = _spec(plot.network(seed))
    assert [layer["mark"]["type"] for layer in _layers(spec)] == ["trail", "circle", "text"]
    assert spec["title"]["text"] == "Who replies to whom"
    dots = _spec(plot.network(hn))["layer"][1]
    assert dots["encoding"]["color"]["scale"]["domain"] == ["author", "others"]  # poster absent


def test_network_of_100000_comments_groups_the_rest_and_caps_edges(big: Thread) -> None:
    nodes, links = network_rows(big)
    assert len(nodes) == 41 and nodes.iloc[-1]["author"].endswith(" others")
    assert len(links) == 2 * MAX_EDGES and links["size"].max() <= MAX_WIDTH
    subtitle = _subtitle(_spec(plot.network(big)))
    assert any(f"the {MAX_EDGES} strongest of" in line for line in subtitle)
    assert any("capped width" in line for line in subtitle)


# ---- several threads, missing data, every chart at 100,000 ---------------------------------


def test_compare_shares_bins_and_scales(seed: Thread, hn: Thread, synth: Thread) -> None:
    spec = _spec(plot.compare([seed, hn], "activity", names=["blog", "hn"]))
    panels = spec["concat"]
    assert [p["title"]["text"] for p in panels] == ["blog", "hn"]
    assert spec["title"]["text"] == "Comments per hour after the post"  # said once
    assert all("On a social media" not in json.dumps(p["title"]) for p in panels)
    domains = [p["encoding"]["x"]["scale"]["domain"] for p in panels]
    assert domains[0] == domains[1]  # the same bins in every panel
    assert spec["resolve"]["scale"]["x"] == "shared" and spec["resolve"]["scale"]["y"] == "shared"
    assert [p["name"] for p in spec["params"]] == ["highlight"]  # one highlight for all panels
    tree_spec = _spec(plot.compare([seed, synth], "tree", names=["blog", "synthetic"]))
    assert tree_spec["columns"] == 3 and tree_spec["concat"][0]["width"] == 320
    ys = [p["encoding"]["y"]["scale"]["domain"] for p in tree_spec["concat"]]
    assert ys[0] == ys[1]  # the same depths
    # a note every panel shares is said once, above the grid
    assert tree_spec["title"]["subtitle"] == [
        "depth 0: the post; depth 1: a reply to it",
        "axes shared",
    ]
    assert all(p["title"]["subtitle"] == [] for p in tree_spec["concat"])
    depth_spec = _spec(plot.compare([seed, hn], "depths"))
    assert depth_spec["resolve"]["scale"]["y"] == "shared"
    own = _spec(plot.compare([seed, hn], "depths", shared=False))
    assert set(own["resolve"]["scale"].values()) == {"independent"}
    assert "axes shared" not in json.dumps(own["title"])
    spec2 = _spec(plot.compare([seed, seed], plot.lorenz))
    assert len(spec2["concat"]) == 2
    with pytest.raises(ValueError, match="unknown chart"):
        plot.compare([seed], "pie")
    with pytest.raises(ValueError, match="1 names for 2 threads"):
        plot.compare([seed, seed], names=["one"])


def test_missing_times_and_comments_are_said_not_drawn_as_zero(seed: Thread) -> None:
    at = seed.post.created_at
    untimed = Thread(
        post=seed.post,
        comments=tuple(c.model_copy(update={"created_at": at}) for c in seed.comments),
    )
    for make in (plot.activity, plot.cumulative, plot.reply_times, plot.timeline):
        assert "no comment times recorded" in _subtitle(_spec(make(untimed))), make
    empty = Thread(post=Post(title="Nothing yet"))
    for make in (plot.activity, plot.cumulative, plot.timeline, plot.radial_tree, plot.depths):
        assert "no comments yet" in _subtitle(_spec(make(empty))), make
    assert "nobody answered" in json.dumps(_spec(plot.network(empty)))


ALL_CHARTS = [
    "activity",
    "cumulative",
    "timeline",
    "tree",
    "radial_tree",
    "depths",
    "reply_times",
    "lorenz",
    "top_authors",
    "replies_per_author",
    "exchanges",
    "network",
    "distributions",
    "participation",
]


#: What each chart of 100,000 comments says about how it was drawn (in its subtitles).
SAYS = {
    "timeline": "aggregated: 100,000 comments (above 2,000)",
    "tree": "aggregated: 100,000 comments (above 2,000)",
    "radial_tree": "aggregated: 100,000 comments (above 2,000)",
    "cumulative": "400 of 100,000 comments drawn as points of the curve",
    "network": "the 40 most connected; the rest as one grey dot",
    "lorenz": "1,288 authors, 100,000 comments by someone",
}


@pytest.mark.parametrize("name", ALL_CHARTS)
def test_every_chart_of_100000_comments_is_small(big: Thread, name: str) -> None:
    text = json.dumps(getattr(plot, name)(big).to_dict())
    assert len(text) < 2_000_000  # timings: benchmarks/charts.py
    if name in SAYS:
        assert SAYS[name] in text


@pytest.mark.parametrize("name", ALL_CHARTS)
def test_every_chart_of_a_real_thread_draws_its_rows(hn: Thread, name: str) -> None:
    spec = _spec(getattr(plot, name)(hn))
    text = json.dumps(spec)
    assert "Caltech Researchers Find Evidence of a Planet Beyond Pluto" in text  # said once
    layout = json.dumps({k: v for k, v in spec.items() if k != "datasets"})
    assert layout.count("Caltech Researchers Find Evidence") == 1  # titles: the post once
    assert "aggregated" not in text  # 116 comments: every comment drawn
    assert sum(len(rows) for rows in spec.get("datasets", {}).values()) > 0
    assert "[deleted]" not in json.dumps(spec.get("encoding", {}))  # nobody in a legend


def test_charts_accept_a_widget_like_object(seed: Thread) -> None:
    class Holder:
        thread = seed

    assert _spec(plot.tree(Holder())) == _spec(plot.tree(seed))
    with pytest.raises(TypeError, match="Thread or a ThreadWidget"):
        plot.activity("not a thread")


def test_an_empty_thread_still_draws(tmp_path: Path) -> None:
    empty = Thread(post=Post(title="Nothing yet"))
    for name in ALL_CHARTS:
        assert getattr(plot, name)(empty).to_dict()
    plot.save(plot.network(empty), tmp_path / "empty.svg")


def test_png_and_svg_export_render_offline(seed: Thread, tmp_path: Path) -> None:
    png = plot.save(plot.tree(seed), tmp_path / "tree.png")
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(data[16:20], "big")
    assert width > 1000  # scale 2 of a 560 px chart plus legend
    svg = plot.save(plot.timeline(seed), tmp_path / "timeline.svg").read_text()
    assert svg.startswith("<svg") and "Every comment in time" in svg
    spec = json.loads(plot.save(plot.activity(seed), tmp_path / "a.json").read_text())
    assert spec["mark"]["type"] == "bar"
    with pytest.raises(ValueError, match="save as"):
        plot.save(plot.activity(seed), tmp_path / "a.gif")


def test_importing_plot_without_altair_names_the_extra() -> None:
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'altair' or name.startswith('altair.'):\n"
        "            raise ImportError('blocked')\n"
        "sys.meta_path.insert(0, Block())\n"
        "import threadwidget.plot\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode != 0
    assert "pip install 'threadwidget[plot]'" in result.stderr


class FakeWidget(traitlets.HasTraits):
    """The part of ThreadWidget a link needs: the id of the selected comment."""

    selected = traitlets.Unicode(None, allow_none=True)


def _click(chart: Any, comment_id: str) -> None:
    """What the page sends when a mark is clicked: the pick selection's signal and store."""
    chart._vl_selections = {
        "pick": {
            "value": {"vlPoint": {"or": [{"id": comment_id}]}, "id": [comment_id]},
            "store": [
                {
                    "unit": "layer_1",
                    "fields": [{"field": "id", "type": "E"}],
                    "values": [comment_id],
                }
            ],
        }
    }


def test_link_clicks_select_and_selection_highlights(seed: Thread) -> None:
    widget = FakeWidget()
    chart = plot.link(widget, plot.timeline(seed))
    assert isinstance(chart, plot.ThreadChart)
    assert chart.params.highlight == "" and chart.selected is None
    assert chart.selections.pick.value == []

    _click(chart, "c4")  # a click in the chart selects the comment in the widget
    assert widget.selected == "c4"
    assert chart.params.highlight == "c4"
    assert chart._vl_selections["pick"] == {"value": None, "store": []}  # ready for a re-click

    widget.selected = "c2"  # the widget selects: the chart highlights
    assert chart.selected == "c2" and chart.params.highlight == "c2"
    assert chart._params == {"highlight": "c2"}

    _click(chart, "c4")  # the same mark again reaches Python again
    assert widget.selected == "c4"

    widget.selected = None
    assert chart.params.highlight == ""

    second = plot.link(widget, plot.tree(seed))  # several charts follow one widget
    widget.selected = "c5"
    assert chart.params.highlight == second.params.highlight == "c5"
    _click(second, "c1")
    assert widget.selected == "c1" and chart.params.highlight == "c1"

    chart.unlink()
    widget.selected = "c3"
    assert chart.params.highlight == "c1" and second.params.highlight == "c3"


def test_link_ignores_empty_selections_and_needs_a_selected_trait(seed: Thread) -> None:
    widget = FakeWidget(selected="c2")
    chart = plot.link(widget, plot.tree(seed))
    assert chart.params.highlight == "c2"  # linked: the chart starts from the widget's value
    chart._vl_selections = {"pick": {"value": {}, "store": []}}  # the page's first report
    assert widget.selected == "c2"

    class NoSelection(traitlets.HasTraits):
        pass

    with pytest.raises(TypeError, match="no 'selected' trait"):
        plot.link(NoSelection(), plot.tree(seed))


def test_thread_chart_loads_nothing_from_a_cdn(seed: Thread) -> None:
    chart = plot.ThreadChart(plot.tree(seed))
    assert "esm.sh" not in chart._esm and len(chart._esm) > 100_000
