"""The widget as composed parts: settings validated by their trait types wherever assigned, the
constructor's keywords checked in one place, and the rules a page is held to following every
setting that changes them."""

from __future__ import annotations

import anywidget
import pytest

from threadwidget import Thread, ThreadWidget
from threadwidget.widget.keywords import SETTING_NAMES

from .conftest import Recorder


def test_the_widget_is_a_facade_over_composed_parts() -> None:
    assert ThreadWidget.__bases__ == (anywidget.AnyWidget,)
    w = ThreadWidget()
    # the page server is what on_msg calls with a view's messages
    assert w._on_custom_message == w._server.handle


def test_the_widgets_verbs_are_its_parts_methods_with_their_signatures_and_docs() -> None:
    import inspect

    from threadwidget.core.engine import Engine
    from threadwidget.widget.classroom import Classroom
    from threadwidget.widget.commands import Commands

    w = ThreadWidget(user="Ann")
    for name, part, cls in [
        ("add_comment", w._commands, Commands),
        ("hide", w._commands, Commands),
        ("on_change", w._engine, Engine),
        ("ranking", w._classroom, Classroom),
    ]:
        assert getattr(w, name) == getattr(part, name)  # the same bound method, no wrapper
        assert getattr(ThreadWidget, name).__doc__ == getattr(cls, name).__doc__
        assert "self" not in inspect.signature(getattr(w, name)).parameters
    c = w.add_comment("Hi")
    assert w.get(c.id).author == "Ann"
    assert w.apply({"type": "like", "id": c.id}, actor="Bob").type == "like"  # a dict too
    with pytest.raises(TypeError, match="validator must be callable"):
        w.add_validator("nope")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("name", "value", "match"),
    [
        ("roles", {"Ann": "boss"}, r"roles\['Ann'\]"),
        ("badges", {"Ann": ""}, r"badges\['Ann'\]"),
        ("strings", {"no_such_key": "x"}, "unknown string key"),
        ("options", {"density": "tight"}, "option 'density'"),
        ("locale", "not a tag!", "BCP 47"),
        ("css", "</style><script>", "</style"),
        ("label_set", "spam", "not a single str"),
        ("label_set", ["a", "a"], "twice"),
        ("fields", [("k", "sparkle")], r"fields\[0\]"),
        ("voting", "stars", "voting"),
    ],
)
def test_each_setting_is_checked_by_its_trait_in_the_constructor_and_on_assignment(
    name: str, value: object, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        ThreadWidget(**{name: value})  # type: ignore[arg-type]
    w = ThreadWidget()
    before = getattr(w, name)
    with pytest.raises(ValueError, match=match):
        setattr(w, name, value)
    assert getattr(w, name) == before


def test_valid_settings_are_kept_as_their_traits_normalise_them() -> None:
    w = ThreadWidget(fields="topic", options={"density": "compact"}, voting={"👍": "Agree"})
    assert w.fields == [("topic", "text", "topic")]
    assert w.options["density"] == "compact" and w.options["max_indent"] == 6
    assert w.voting == {"👍": "Agree"}
    w.label_set = ("spam", "ham")
    assert w.label_set == ["spam", "ham"]


def test_none_keeps_a_settings_default_and_unknown_keywords_are_refused_together() -> None:
    w = ThreadWidget(strings=None, options=None, roles=None, badges=None, user="Ann")
    assert w.strings == {} and w.roles == {} and w.options["density"] == "comfortable"
    with pytest.raises(TypeError, match="colour, theme"):
        ThreadWidget(theme="dark", colour="red")  # type: ignore[call-arg]
    assert {"user", "read_only", "sort", "layout"} <= SETTING_NAMES


def test_the_rules_a_page_is_held_to_follow_every_setting(thread: Thread) -> None:
    w = ThreadWidget(thread=thread, user="Ann")
    rec = Recorder(w)
    assert rec.op({"type": "like", "id": "b"})["kind"] == "event"
    w.read_only = True
    reply = rec.op({"type": "like", "id": "c"})
    assert reply["kind"] == "reject" and "read-only" in reply["reason"]
    w.read_only = False
    w.role = "reader"
    assert rec.op({"type": "like", "id": "c"})["kind"] == "reject"
    w.roles = {"Ann": "moderator"}
    assert w.role_of("Ann") == "moderator" and w._config["role"] == "moderator"
    assert rec.op({"type": "moderate", "id": "c", "action": "hide"})["kind"] == "event"
    w.user = "Bob"  # Bob is a reader: the page now acts as Bob
    assert rec.op({"type": "like", "id": "a"})["kind"] == "reject"
    w.voting = "updown"
    w.user = "Ann"
    reply = rec.op({"type": "vote", "id": "a", "choice": "up"})
    assert reply["kind"] == "event", reply
    # Python's verbs are trusted: a reader's vote given from Python counts
    w.vote("b", "down", user="Bob")
    assert w.votes_of("b")["down"] == ["Bob"]


def test_the_widget_loads_the_packages_built_bundle() -> None:
    from pathlib import Path

    import threadwidget
    from threadwidget.widget.bundle import css_source, esm_source

    static = Path(threadwidget.__file__).parent / "static"
    if not (static / "widget.js").exists():
        pytest.skip("the frontend bundle is not built (npm run build)")
    assert esm_source() == static / "widget.js"
    assert css_source() == static / "widget.css"
