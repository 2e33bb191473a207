"""Layouts and presets (issue 28): ``w.layout`` and ``w.preset`` validated once, folded into
``_config`` (what every view and a saved notebook read), the preset's settings and precedence,
custom presets."""

from __future__ import annotations

from typing import Any

import pytest

import threadwidget
from threadwidget import Preset, ThreadWidget, register_preset
from threadwidget.page.presets import PRESETS
from threadwidget.page.settings import DEFAULT_OPTIONS, LAYOUTS

from .test_saved_notebooks import execute, widget_state


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_reaches_the_views_and_the_saved_state(layout: str) -> None:
    w = ThreadWidget(layout=layout)
    assert w.layout == layout
    assert w._config["layout"] == layout
    assert w.get_state()["_config"]["layout"] == layout  # what nbclient saves
    assert "layout" not in w.keys  # ipywidgets' Layout model is not sent: the name is ours


def test_layout_change_is_a_fresh_config() -> None:
    w = ThreadWidget()
    before = w._config
    w.layout = "two-level"
    assert w._config is not before and w._config["layout"] == "two-level"
    assert before["layout"] == "tree"


@pytest.mark.parametrize("bad", ["nested", "", "Tree", None, 1, ["flat"]])
def test_bad_layout_names_the_field(bad: Any) -> None:
    with pytest.raises(ValueError, match="layout"):
        ThreadWidget(layout=bad) if bad is not None else ThreadWidget().set_trait("layout", bad)
    w = ThreadWidget(layout="flat")
    with pytest.raises((ValueError, Exception), match="layout"):
        w.layout = bad
    assert w.layout == "flat" and w._config["layout"] == "flat"


def test_the_page_cannot_set_the_layout_or_the_preset_css() -> None:
    w = ThreadWidget(layout="flat")
    w.set_state({"_config": {**w._config, "layout": "tree", "style": "body{display:none}"}})
    w.set_state({"layout": "tree"})
    assert w.layout == "flat" and w._config["layout"] == "flat" and w._config["style"] == ""


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_builtin_preset_sets_what_it_bundles(name: str) -> None:
    p = PRESETS[name]
    w = ThreadWidget(preset=name, options={"max_indent": 3})
    assert (w.layout, w.sort, w.voting) == (p.layout, p.sort, p.voting)
    assert w.options["counts"] == list(p.counts) and w.options["density"] == p.density
    assert w.options["max_indent"] == 3  # options the preset does not bundle are kept
    assert w._config["style"] == p.css and p.css.startswith(f"/* {name}:")
    assert ".tw-root" in p.css and "</style" not in p.css.lower()


def test_presets_are_recognisable_bundles() -> None:
    assert PRESETS["reddit"].layout == "tree" and PRESETS["reddit"].voting == "updown"
    assert PRESETS["hackernews"].density == "compact"
    assert PRESETS["youtube"].layout == "two-level"
    assert PRESETS["discourse"].layout == "flat" and PRESETS["blogger"].layout == "flat"


def test_precedence_keywords_beside_the_preset_win_then_later_assignments() -> None:
    w = ThreadWidget(preset="youtube", sort="newest", layout="flat", options={"density": "compact"})
    assert (w.layout, w.sort, w.options["density"]) == ("flat", "newest", "compact")
    assert w.options["counts"] == ["votes", "replies"]  # from the preset
    w.layout = "tree"  # a later setting wins
    assert w.layout == "tree" and w.preset == "youtube"
    w.preset = "discourse"  # choosing a preset sets its settings again
    assert (w.layout, w.sort) == ("flat", "oldest")
    w.sort = "top"
    assert w.sort == "top" and w._config["style"] == PRESETS["discourse"].css
    w.preset = None  # its CSS goes; the settings it made stay
    assert w._config["style"] == "" and w.layout == "flat"


def test_a_preset_of_your_own_passed_directly_or_registered() -> None:
    mine = Preset(
        layout="two-level",
        sort="top",
        voting={"👍": "Agree", "👎": "Disagree"},
        counts=("votes",),
        density="compact",
        css=".tw-root .tw-author { color: var(--jp-brand-color1, teal); }",
    )
    w = ThreadWidget(preset=mine)
    assert (w.layout, w.sort, w.options["counts"]) == ("two-level", "top", ["votes"])
    assert w._config["voting"]["kind"] == "reactions"
    assert "teal" in w._config["style"]
    register_preset("my-forum", mine)
    try:
        w2 = ThreadWidget()
        w2.preset = "my-forum"
        assert w2.layout == "two-level" and w2._config["style"] == mine.css
    finally:
        del PRESETS["my-forum"]
    assert threadwidget.Preset is Preset


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"layout": "nested"}, "layout"),
        ({"sort": "random"}, "sort"),
        ({"voting": "stars"}, "voting"),
        ({"counts": ("votes", "views")}, "counts"),
        ({"density": "roomy"}, "density"),
        ({"css": "</style><script>"}, "css"),
    ],
)
def test_bad_preset_fields_name_the_field(fields: dict[str, Any], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        Preset(**fields)


def test_unknown_preset_and_bad_registrations_are_refused() -> None:
    with pytest.raises(ValueError, match="preset"):
        ThreadWidget(preset="myspace")
    w = ThreadWidget(preset="reddit")
    with pytest.raises(ValueError, match="preset"):
        w.preset = "myspace"
    assert w.preset == "reddit" and w.layout == "tree"
    with pytest.raises(ValueError, match="built in"):
        register_preset("reddit", Preset())
    with pytest.raises(ValueError, match="Preset"):
        register_preset("x", {"layout": "flat"})  # type: ignore[arg-type]
    assert DEFAULT_OPTIONS["counts"] == ["votes", "replies", "comments"]  # nothing mutated


def test_a_saved_notebook_keeps_the_layout_and_the_preset_look() -> None:
    """nbclient's saved widget state (what a page opened without a kernel draws) carries the
    layout and the preset's CSS, including changes made after the widget was shown."""
    nb = execute(
        "from threadwidget import ThreadWidget\n"
        "w = ThreadWidget(post={'title': 'T'}, user='Chris', preset='hackernews')\nw",
        "w.layout = 'flat'",
    )
    state = widget_state(nb)
    assert state["_config"]["layout"] == "flat"
    assert state["_config"]["style"].startswith("/* hackernews:")
    assert state["sort"] == "best" and state["options"]["density"] == "compact"
