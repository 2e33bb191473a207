"""ThreadWidget UI settings: strings, locale, layout options and extra CSS (Python-written only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from threadwidget import ThreadWidget
from threadwidget.page.settings import DEFAULT_OPTIONS
from threadwidget.strings import DEFAULT_STRINGS

STRINGS_JSON = Path(__file__).parents[1] / "src" / "threadwidget" / "strings.json"


def test_defaults() -> None:
    w = ThreadWidget()
    assert w.strings == {}
    assert w.locale == ""
    assert w.options == DEFAULT_OPTIONS
    assert w.options == {
        "max_indent": 6,
        "density": "comfortable",
        "avatars": "initials",
        "timestamps": "relative",
        "collapsed_depth": None,
        "counts": ["votes", "replies", "comments"],
        "max_height": None,
    }
    assert w.css == ""


def test_string_keys_come_from_the_one_table() -> None:
    table = json.loads(STRINGS_JSON.read_text(encoding="utf-8"))
    assert table == DEFAULT_STRINGS
    assert {"reply", "comments", "comments_one", "deleted", "more_replies"} <= set(table)
    assert all(isinstance(v, str) and v for v in table.values())


def test_strings_accept_known_keys() -> None:
    w = ThreadWidget(strings={"reply": "Antworten", "comments": "{n} Kommentare"})
    assert w.strings == {"reply": "Antworten", "comments": "{n} Kommentare"}
    w.strings = {"deleted": "[gelöscht]"}
    assert w.strings == {"deleted": "[gelöscht]"}


def test_unknown_string_key_names_it_and_lists_valid_keys() -> None:
    w = ThreadWidget()
    with pytest.raises(ValueError, match="'replyy'") as info:
        w.strings = {"replyy": "Antworten"}
    assert "reply" in str(info.value) and "comments_one" in str(info.value)
    with pytest.raises(ValueError, match="'nope'"):
        ThreadWidget(strings={"nope": "x"})
    with pytest.raises(ValueError, match="'reply'"):
        w.strings = {"reply": 3}
    assert w.strings == {}


@pytest.mark.parametrize("tag", ["", "de", "de-DE", "pt-BR", "zh-Hant-TW", "es-419", "en-US-posix"])
def test_valid_locales(tag: str) -> None:
    assert ThreadWidget(locale=tag).locale == tag


@pytest.mark.parametrize("tag", ["german", "de_DE", "d", "de-", "<script>", "de DE", "1234"])
def test_invalid_locale_is_refused(tag: str) -> None:
    w = ThreadWidget()
    with pytest.raises(ValueError, match="locale"):
        w.locale = tag
    assert w.locale == ""


def test_options_are_merged_with_defaults() -> None:
    w = ThreadWidget(options={"density": "compact", "max_indent": 3})
    assert w.options == {**DEFAULT_OPTIONS, "density": "compact", "max_indent": 3}
    w.options = {"collapsed_depth": 2, "avatars": "none", "timestamps": "absolute"}
    assert w.options["collapsed_depth"] == 2 and w.options["density"] == "comfortable"


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"colour": "red"}, "'colour'"),
        ({"density": "cosy"}, "'density'"),
        ({"density": "cosy"}, "'cosy'"),
        ({"avatars": "photos"}, "'avatars'"),
        ({"timestamps": "both"}, "'timestamps'"),
        ({"max_indent": 0}, "'max_indent'"),
        ({"max_indent": "6"}, "'max_indent'"),
        ({"max_indent": True}, "'max_indent'"),
        ({"max_indent": None}, "'max_indent'"),
        ({"collapsed_depth": 0}, "'collapsed_depth'"),
        ({"collapsed_depth": 1.5}, "'collapsed_depth'"),
        ({"avatars": "http://img.example/{author}.png"}, "'avatars'"),  # https only
        ({"avatars": "https://img.example/a.png"}, "'avatars'"),  # no {author}
        ({"avatars": "https://img.example/{author}.png onerror=x"}, "'avatars'"),
        ({"counts": ["likes"]}, "'counts'"),
        ({"counts": "votes"}, "'counts'"),
        ({"counts": ["votes", "votes"]}, "'counts'"),
    ],
)
def test_bad_options_name_the_key_or_value(options: dict[str, object], named: str) -> None:
    w = ThreadWidget()
    with pytest.raises(ValueError, match=named):
        w.options = options
    assert w.options == DEFAULT_OPTIONS


def test_avatar_url_template_and_counts() -> None:
    w = ThreadWidget(options={"avatars": "https://img.example/{author}.png", "counts": []})
    assert w.options["avatars"] == "https://img.example/{author}.png"
    assert w.options["counts"] == []
    w.options = {"counts": ["comments"]}
    assert w.options["counts"] == ["comments"] and w.options["avatars"] == "initials"


def test_css_refuses_closing_style_tag() -> None:
    w = ThreadWidget(css=".tw-root { --tw-accent: rebeccapurple; }")
    assert "rebeccapurple" in w.css
    for bad in ["</style><script>alert(1)</script>", "x </STYLE >"]:
        with pytest.raises(ValueError, match="</style"):
            w.css = bad
    assert "rebeccapurple" in w.css


def _browser_update(widget: ThreadWidget, state: dict[str, object]) -> list[dict[str, object]]:
    sent: list[dict[str, object]] = []
    widget._send = lambda msg, buffers=None: sent.append(msg)  # type: ignore[method-assign]
    widget._handle_msg({"content": {"data": {"method": "update", "state": state}}, "buffers": []})
    return sent


@pytest.mark.parametrize(
    "state",
    [
        {"strings": {"reply": "Pwned"}},
        {"locale": "de"},
        {"options": {"density": "compact"}},
        {"css": ".tw-root { display: none }"},
    ],
)
def test_browser_cannot_change_ui_settings(state: dict[str, object]) -> None:
    w = ThreadWidget(strings={"reply": "Antworten"}, locale="fr", options={"max_indent": 4})
    before = (w.strings, w.locale, w.options, w.css)
    sent = _browser_update(w, state)
    assert (w.strings, w.locale, w.options, w.css) == before
    # the views are told the true value again
    assert sent and sent[-1]["method"] == "update"
    assert set(sent[-1]["state"]) == set(state)


def test_unknown_keyword_is_still_refused() -> None:
    with pytest.raises(TypeError, match="theme"):
        ThreadWidget(theme="dark")
