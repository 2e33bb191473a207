"""Chart specs (data rows, encodings, titles), offline PNG/SVG export and the widget link."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import traitlets

from threadwidget import Post, Thread, plot, read_thread
from threadwidget.analysis import synthetic
from threadwidget.plot.activity import activity_rows
from threadwidget.plot.distributions import reply_time_rows
from threadwidget.plot.network import layout, network_rows
from threadwidget.plot.participation import lorenz_rows
from threadwidget.plot.tree import tree_rows

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "examples" / "data" / "power-trip.json"


@pytest.fixture(scope="module")
def seed() -> Thread:
    return read_thread(SEED)


@pytest.fixture(scope="module")
def synth() -> Thread:
    return synthetic.thread(120, seed=3, spam_rate=0.05)


def _spec(chart: Any) -> dict[str, Any]:
    spec: dict[str, Any] = chart.to_dict()
    return spec


def _values(spec: dict[str, Any]) -> list[dict[str, Any]]:
    values: list[dict[str, Any]] = spec["data"]["values"]
    return values


def _layers(spec: dict[str, Any]) -> list[dict[str, Any]]:
    layers: list[dict[str, Any]] = spec["layer"]
    return layers


def test_activity_bins_after_the_post_with_a_later_bar_for_stragglers(seed: Thread) -> None:
    rows, name = activity_rows(seed)
    assert name == "hour"  # 90% of the seed's comments come within two days
    counted = [r for r in rows if r["comments"]]
    assert [(r["bin"], r["kind"], r["comments"]) for r in counted] == [
        ("+2 h", "top level", 1),
        ("+4 h", "top level", 1),
        ("+6 h", "reply", 1),
        ("+19 h", "top level", 2),
        ("+23 h", "reply", 1),
        ("+43 h", "top level", 1),
        ("+45 h", "reply", 1),
        ("later", "top level", 1),  # the advert, three and a half years on
    ]
    assert sum(r["comments"] for r in rows) == len(seed.comments)
    assert {r["order"] for r in rows} == set(range(47))  # empty hours are rows too
    spec = _spec(plot.activity(seed))
    assert spec["mark"]["type"] == "bar"
    assert spec["encoding"]["x"]["field"] == "bin"
    assert spec["encoding"]["x"]["scale"]["domain"][-1] == "later"
    assert spec["encoding"]["y"] == {
        "aggregate": "sum",
        "field": "comments",
        "type": "quantitative",
        "title": "comments",
        "stack": True,
        "axis": {"format": "d", "tickMinStep": 1},
    }
    assert spec["encoding"]["color"]["scale"]["domain"] == [
        "top level",
        "reply",
        "deleted",
        "moderated",
    ]
    assert spec["title"] == {
        "text": "Comments per hour after the post",
        "subtitle": ["On a social media power trip?"],
    }


def test_activity_of_a_synthetic_thread(synth: Thread) -> None:
    rows, name = activity_rows(synth)
    assert name == "10 minutes"  # 120 comments about 90 s apart: three hours
    assert {r["kind"] for r in rows if r["comments"]} == {"top level", "reply"}
    top = sum(1 for c in synth.comments if c.parent_id is None)
    assert sum(r["comments"] for r in rows if r["kind"] == "top level") == top
    assert sum(r["comments"] for r in rows) == 120
    assert all(r["bin"] != "later" for r in rows)  # no stragglers: regular bins cover all


def test_synthetic_spam_shows_as_moderated() -> None:
    thread = synthetic.thread(30, seed=1)
    marked = Thread(
        post=thread.post,
        comments=tuple(
            c.model_copy(update={"status": "spam"}) if c.id == "s3" else c for c in thread.comments
        ),
    )
    rows, _ = activity_rows(marked)
    assert sum(r["comments"] for r in rows if r["kind"] == "moderated") == 1
    points = _values(_layers(_spec(plot.timeline(marked)))[1])
    assert [p["id"] for p in points if p["moderated"]] == ["s3"]


def test_timeline_points_edges_and_link_params(seed: Thread) -> None:
    spec = _spec(plot.timeline(seed))
    edges, points = _layers(spec)
    rows = _values(points)
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
    assert (c2r1["author"], c2r1["depth"], c2r1["minutes"], c2r1["reply_minutes"]) == (
        "Steve",
        1,
        386.0,
        141.0,
    )
    assert c2r1["when"] == "2012-05-14 19:31 UTC"
    assert [e["id"] for e in _values(edges)] == ["c2-r1", "c4-r1", "c5-r1"]
    assert points["encoding"]["x"]["field"] == "minutes"
    assert points["encoding"]["x"]["scale"]["type"] == "symlog"
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


def test_tree_icicle_tiles_children_under_parents(seed: Thread, synth: Thread) -> None:
    rows = tree_rows(seed)
    post = rows[0]
    assert (post["id"], post["depth"], post["x0"], post["x1"]) == ("post", -1, 0, 6)
    spans = {r["id"]: (r["x0"], r["x1"], r["depth"]) for r in rows[1:]}
    assert spans["c2"] == (1, 2, 0) and spans["c2-r1"] == (1, 2, 1)
    assert spans["c6"] == (5, 6, 0)
    for thread in (seed, synth):
        by_id = {r["id"]: r for r in tree_rows(thread)}
        for r in by_id.values():
            if r["parent"] is not None:
                parent = by_id[r["parent"]]
                assert parent["x0"] <= r["x0"] < r["x1"] <= parent["x1"]
                assert r["depth"] == parent["depth"] + 1
    spec = _spec(plot.tree(seed))
    assert spec["mark"]["type"] == "rect"
    assert spec["encoding"]["x"]["field"] == "x0" and spec["encoding"]["x2"]["field"] == "x1"
    assert spec["encoding"]["color"]["field"] == "author_group"
    assert spec["encoding"]["color"]["scale"]["domain"][:2] == ["Steve", "Chris"]
    assert spec["title"]["text"] == "Reply tree, coloured by author"
    assert {p["name"] for p in spec["params"]} == {"pick", "highlight"}


@pytest.mark.parametrize("color_by", ["author", "depth", "score", "kind"])
def test_tree_colours_and_radial_layout(synth: Thread, color_by: str) -> None:
    spec = _spec(plot.tree(synth, color_by=color_by, layout="radial"))  # type: ignore[arg-type]
    assert spec["mark"]["type"] == "arc"
    assert spec["encoding"]["theta"] == {"field": "theta", "type": "quantitative", "scale": None}
    field = {"author": "author_group", "depth": "depth", "score": "score", "kind": "kind"}
    assert spec["encoding"]["color"]["field"] == field[color_by]
    rows = _values(spec)
    assert rows[0]["theta"] == 0 and rows[0]["theta2"] == pytest.approx(6.283185, rel=1e-6)
    assert len(rows) == 121


def test_distributions(seed: Thread, synth: Thread) -> None:
    spec = _spec(plot.distributions(seed))
    depth, reply = spec["hconcat"]
    assert _values(depth) == [{"depth": 0, "comments": 6}, {"depth": 1, "comments": 3}]
    assert [(r["bin"], r["replies"]) for r in _values(reply) if r["replies"]] == [("1-6 h", 3)]
    assert reply["encoding"]["x"]["scale"]["domain"][0] == "< 1 min"
    assert depth["title"]["text"] == "How deep replies go"
    rows = reply_time_rows(synth)
    replies = sum(1 for c in synth.comments if c.parent_id is not None)
    assert sum(r["replies"] for r in rows) == replies


def test_participation(seed: Thread) -> None:
    rows = lorenz_rows(seed)
    # visible comments per author: 1, 1, 1, 1, 2, 3 (Steve) out of 9
    assert [round(r["comments"], 4) for r in rows] == [0, 0.1111, 0.2222, 0.3333, 0.4444, 0.6667, 1]
    spec = _spec(plot.participation(seed))
    lorenz_spec, top = spec["hconcat"]
    assert lorenz_spec["title"]["text"] == "Who writes: Gini 0.24"
    top_rows = _values(top)
    assert top_rows[0] == {"author": "Steve", "comments": 3, "role": "post author"}
    assert top["encoding"]["y"]["sort"][:2] == ["Steve", "Chris"]


def test_network_rows_and_layout(seed: Thread, synth: Thread) -> None:
    nodes, links = network_rows(seed)
    # Steve answers Steve Browne, Chris and Steve M.; nobody answers Steve
    assert {n["author"]: (n["replies_given"], n["replies_received"]) for n in nodes} == {
        "Steve": (3, 0),
        "Steve Browne": (0, 1),
        "Chris": (0, 1),
        "Steve M.": (0, 1),
    }
    assert sorted({link["edge"] for link in links}) == [
        "Steve→Chris",
        "Steve→Steve Browne",
        "Steve→Steve M.",
    ]
    assert all(0 <= n["x"] <= 1 and 0 <= n["y"] <= 1 for n in nodes)
    nodes2, _ = network_rows(synth, max_authors=12)
    assert len(nodes2) == 12
    assert layout(["a", "b"], {}) == layout(["a", "b"], {})  # seeded: the same every time
    spec = _spec(plot.network(seed))
    assert [layer["mark"]["type"] for layer in _layers(spec)] == ["trail", "circle", "text"]
    assert spec["title"]["text"] == "Who replies to whom"


def test_compare_puts_one_panel_per_thread(seed: Thread, synth: Thread) -> None:
    spec = _spec(plot.compare([seed, synth], "tree", names=["blog", "synthetic"]))
    assert spec["columns"] == 3
    panels = spec["concat"]
    assert [p["title"]["text"] for p in panels] == ["blog", "synthetic"]
    assert panels[0]["title"]["subtitle"] == ["Reply tree, coloured by author"]
    assert [p["name"] for p in spec["params"]] == ["highlight"]  # one highlight for all panels
    assert panels[0]["width"] == 320
    spec2 = _spec(plot.compare([seed, seed], plot.lorenz))
    assert len(spec2["concat"]) == 2
    with pytest.raises(ValueError, match="unknown chart"):
        plot.compare([seed], "pie")
    with pytest.raises(ValueError, match="1 names for 2 threads"):
        plot.compare([seed, seed], names=["one"])


def test_charts_accept_a_widget_like_object(seed: Thread) -> None:
    class Holder:
        thread = seed

    assert _spec(plot.tree(Holder())) == _spec(plot.tree(seed))
    with pytest.raises(TypeError, match="Thread or a ThreadWidget"):
        plot.activity("not a thread")


def test_an_empty_thread_still_draws(tmp_path: Path) -> None:
    empty = Thread(post=Post(title="Nothing yet"))
    for make in (plot.activity, plot.timeline, plot.tree, plot.distributions, plot.participation):
        assert make(empty).to_dict()
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
