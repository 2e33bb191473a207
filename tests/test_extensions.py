"""Extension points for prototypers: extra data and fields, voting models, badges, custom
actions and bots, each checked through the Python API and the simulated browser protocol."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from threadwidget import Comment, OperationRejected, Post, Thread, ThreadWidget, load, save
from threadwidget.analysis.tabular import from_pandas, to_pandas
from threadwidget.core import operations
from threadwidget.formats import html as html_format
from threadwidget.formats import render

from .conftest import ROOT, T0, Recorder

EXTRA = {"sentiment": "positive", "toxicity": 0.12, "tags": ["intro", "q"], "meta": {"n": [1, 2]}}


@pytest.fixture
def rich(thread: Thread) -> Thread:
    """The small thread with extra data on the post and on comment ``a``, and a vote on ``c``."""
    comments = list(thread.comments)
    comments[0] = comments[0].model_copy(update={"extra": EXTRA})
    comments[2] = comments[2].model_copy(update={"votes": {"Ann": "up"}})
    post = thread.post.model_copy(update={"extra": {"topic": "moderation"}})
    return Thread(post=post, comments=tuple(comments))


def action_click(rec: Recorder, name: str, comment_id: str | None = None) -> list[dict[str, Any]]:
    """Click a custom action as a browser would; return what the widget sent back."""
    rec.counter += 1
    message = {"kind": "action", "rid": f"view1-q{rec.counter}", "name": name, "id": comment_id}
    return rec.browser(message)


def result_of(replies: list[dict[str, Any]]) -> dict[str, Any]:
    """The one ``action_result`` among the replies to a click."""
    found = [m for m in replies if m["kind"] == "action_result"]
    assert len(found) == 1, replies
    return found[0]


# ---- extra: custom data on comments and the post -------------------------------------------


def test_extra_survives_every_operation(rich: Thread) -> None:
    w = ThreadWidget(thread=rich, user="Ann", label_set=["spam", "ok"])
    w.edit_comment("a", "first, edited")
    w.like("a", user="Bob")
    w.flag("a", "rude?", user="Bob")
    w.label("a", "ok")
    w.hide("a", "checking")
    w.unhide("a")
    w.pin("a")
    w.lock("a", "calm down")
    w.add_comment("a reply", parent_id="a")
    assert w.get("a").extra == EXTRA
    w.delete_comment("a")
    assert w.get("a").extra == EXTRA  # a tombstone keeps its data for analysis
    w.lock(None)
    assert w.post.extra == {"topic": "moderation"}


def test_set_extra_merges_and_a_none_value_deletes(widget: ThreadWidget, rec: Recorder) -> None:
    widget.set_extra("a", sentiment="negative", score=2)
    widget.set_extra("a", score=None, flagged_by_model=True)
    assert widget.get("a").extra == {"sentiment": "negative", "flagged_by_model": True}
    widget.set_extra(None, topic="moderation")
    assert widget.post.extra == {"topic": "moderation"}
    events = [m["event"] for m in rec.sent if m["kind"] == "event"]
    assert [e["type"] for e in events] == ["set_extra"] * 3
    assert events[1]["extra"] == {"score": None, "flagged_by_model": True}
    assert events[2]["id"] is None
    with pytest.raises(OperationRejected, match="empty") as empty:
        widget.set_extra("a")
    assert empty.value.field == "extra"
    with pytest.raises(OperationRejected, match="ghost"):
        widget.set_extra("ghost", x=1)


def test_add_comment_with_extra(widget: ThreadWidget) -> None:
    c = widget.add_comment("scored", author="model", extra={"toxicity": 0.9})
    assert widget.get(c.id).extra == {"toxicity": 0.9} and c.author == "model"


def test_browser_cannot_set_extra(widget: ThreadWidget, rec: Recorder) -> None:
    before = widget.thread
    for op in (
        {"type": "set_extra", "id": "a", "extra": {"x": 1}},
        {"type": "add", "id": "n1", "parent_id": None, "body": "hi", "extra": {"x": 1}},
    ):
        reply = rec.op(op)
        assert reply["kind"] == "reject" and reply["field"] == "extra", reply
        assert "Python" in reply["reason"]
    assert widget.thread == before


def test_extra_round_trips_save_load_and_formats(rich: Thread, tmp_path: Path) -> None:
    w = ThreadWidget(thread=rich)
    w.set_extra("b", label="helpful")
    again = ThreadWidget.load(w.save(tmp_path / "t.json"))
    assert again.thread == w.thread and again.get("a").extra == EXTRA
    assert load(save(w.thread, tmp_path / "u.json")) == w.thread
    assert json.loads(render(w.thread, "json"))["post"]["extra"] == {"topic": "moderation"}


def test_extra_round_trips_through_the_journal(rich: Thread, tmp_path: Path) -> None:
    path = tmp_path / "auto.json"
    w = ThreadWidget(thread=rich, autosave=path)
    w.set_extra("a", sentiment="mixed")
    w.add_comment("scored", extra={"toxicity": 0.5})
    resumed = ThreadWidget(autosave=path)
    assert resumed.thread == w.thread
    assert resumed.get("a").extra["sentiment"] == "mixed"


def test_extra_round_trips_through_a_shared_store(rich: Thread, tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    one = ThreadWidget.connect(db, "week1", thread=rich, user="Ann")
    two = ThreadWidget.connect(db, "week1", user="Bob")
    try:
        one.set_extra("a", sentiment="mixed")
        one.set_extra(None, topic="rules")
        two.refresh()
        assert two.get("a").extra == {**EXTRA, "sentiment": "mixed"}
        assert two.post.extra == {"topic": "rules"}
    finally:
        one.close()
        two.close()


def test_extra_and_votes_round_trip_through_dataframes_and_csv(
    rich: Thread, tmp_path: Path
) -> None:
    frame = to_pandas(rich)
    assert {"extra", "votes"} <= set(frame.columns)
    row = frame.set_index("id").loc["a"]
    assert row["extra"] == EXTRA
    assert frame.set_index("id").loc["c", "votes"] == {"Ann": "up"}
    assert from_pandas(frame) == rich
    # a column of sentiment scores straight from the extra data
    assert frame["extra"].map(lambda e: e.get("toxicity")).tolist()[0] == 0.12
    path = save(rich, tmp_path / "t.csv")
    text = path.read_text(encoding="utf-8")
    assert '"{""sentiment"": ""positive""' in text
    back = load(path)
    assert {c.id: c.extra for c in back.comments} == {c.id: c.extra for c in rich.comments}
    assert back.get("c").votes == {"Ann": "up"}


def test_bad_extra_json_in_a_table_names_the_row_and_column() -> None:
    rows = [{"id": "a", "author": "Ann", "created_at": "2024-05-01T12:00:00Z", "body": "x"}]
    frame = to_pandas(Thread(comments=(Comment(id="a", body="x"),)))
    frame.loc[0, "extra"] = "[1, 2]"
    with pytest.raises(ValueError, match=r"row 1 \(id 'a'\): extra"):
        from_pandas(frame)
    from threadwidget.analysis.tabular import thread_from_rows

    thread = thread_from_rows([{**rows[0], "extra": "", "votes": None}], Post())
    assert thread.get("a").extra == {} and thread.get("a").votes == {}


def test_anonymize_keeps_extra(rich: Thread) -> None:
    anon, _key = rich.anonymize(seed=1)
    assert anon.get("a").extra == EXTRA and anon.post.extra == {"topic": "moderation"}


def test_standalone_html_shows_fields_badges_and_votes(rich: Thread, tmp_path: Path) -> None:
    static = tmp_path / "static"
    static.mkdir()
    (static / "widget.js").write_text("export default {render(){}}", encoding="utf-8")
    (static / "widget.css").write_text(".tw-root{}", encoding="utf-8")
    page = html_format.render(
        rich,
        static=static,
        fields=[("sentiment", "badge"), ("toxicity", "bar", "Toxicity")],
        badges={"Ann": "teacher"},
        voting="updown",
    )
    config = json.loads(re.search(r'id="tw-config">(.*?)</script>', page).group(1))  # type: ignore[union-attr]
    assert config["role"] == "reader"
    assert config["fields"][1] == {"key": "toxicity", "kind": "bar", "label": "Toxicity"}
    assert config["badges"] == {"Ann": "teacher"} and config["voting"]["kind"] == "updown"
    snapshot = json.loads(re.search(r'id="tw-snapshot">(.*?)</script>', page).group(1))  # type: ignore[union-attr]
    assert snapshot["comments"][0]["extra"] == EXTRA
    with pytest.raises(ValueError, match=r"fields\[0\]"):
        html_format.render(rich, static=static, fields=[("x", "sparkle")])
    with pytest.raises(ValueError, match="voting"):
        html_format.render(rich, static=static, voting="stars")


# ---- fields and badges ------------------------------------------------------------------------


def test_fields_reach_the_config_with_labels(widget: ThreadWidget) -> None:
    widget.fields = ["topic", ("sentiment", "badge"), ("toxicity", "bar", "Toxicity")]
    assert widget._config["fields"] == [
        {"key": "topic", "kind": "text", "label": "topic"},
        {"key": "sentiment", "kind": "badge", "label": "sentiment"},
        {"key": "toxicity", "kind": "bar", "label": "Toxicity"},
    ]
    assert ThreadWidget(fields=[("n", "number")])._config["fields"][0]["kind"] == "number"
    assert ThreadWidget(fields="topic").fields == [("topic", "text", "topic")]  # one bare key


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ([("sentiment", "badge"), ("toxicity", "sparkle")], r"fields\[1\]: kind must be one of"),
        ([("a", "text"), ("a", "bar")], r"fields\[1\]: 'a' is listed twice"),
        ([42], r"fields\[0\] must be \(key, kind\)"),
        ([("a", "text", "label", "more")], r"fields\[0\] must be"),
        ([("", "text")], r"fields\[0\]: the key must be 1 to 64"),
    ],
)
def test_bad_fields_name_the_entry(widget: ThreadWidget, fields: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        widget.fields = fields
    assert widget.fields == []


def test_badges_reach_the_config(widget: ThreadWidget) -> None:
    widget.badges = {"helper": "bot", "Ms. Rivera": "teacher"}
    assert widget._config["badges"] == {"helper": "bot", "Ms. Rivera": "teacher"}
    with pytest.raises(ValueError, match=r"badges\['helper'\]"):
        widget.badges = {"helper": ""}
    with pytest.raises(ValueError, match=r"badges\['x'\]"):
        widget.badges = {"x": "y" * 41}
    assert widget._config["badges"]["helper"] == "bot"


# ---- voting models ----------------------------------------------------------------------------


def test_updown_one_vote_per_user_from_the_browser(widget: ThreadWidget, rec: Recorder) -> None:
    widget.voting = "updown"
    assert widget._config["voting"]["kind"] == "updown"
    assert [c["key"] for c in widget._config["voting"]["choices"]] == ["up", "down"]
    assert rec.op({"type": "vote", "id": "a", "choice": "up"})["kind"] == "event"
    widget.vote("a", "up", user="Bob")
    assert rec.op({"type": "vote", "id": "a", "choice": "down"})["kind"] == "event"  # a switch
    assert widget.get("a").votes == {"Chris": "down", "Bob": "up"}
    assert widget.votes_of("a") == {"up": ["Bob"], "down": ["Chris"]}
    again = rec.op({"type": "vote", "id": "a", "choice": "down"})
    assert again["kind"] == "reject" and again["field"] == "choice"
    assert rec.op({"type": "vote", "id": "a", "choice": None})["kind"] == "event"  # retract
    assert widget.votes_of("a") == {"up": ["Bob"], "down": []}
    like = rec.op({"type": "like", "id": "a"})
    assert like["kind"] == "reject" and "votes, not likes" in like["reason"]


def test_an_injected_unknown_choice_is_refused_naming_choice(
    widget: ThreadWidget, rec: Recorder
) -> None:
    widget.voting = "updown"
    before = widget.thread
    for choice in ("sideways", "👍", "x" * 65):
        reply = rec.op({"type": "vote", "id": "a", "choice": choice})
        assert reply["kind"] == "reject" and reply["field"] == "choice", reply
    assert widget.thread == before
    with pytest.raises(OperationRejected, match="Unknown vote 'sideways'"):
        widget.vote("a", "sideways")


def test_reactions_one_per_user_and_who_reacted(widget: ThreadWidget, rec: Recorder) -> None:
    widget.voting = {"👍": "Agree", "🤔": "Unsure", "❤️": "Love"}
    assert widget._config["voting"] == {
        "kind": "reactions",
        "choices": [
            {"key": "👍", "icon": "👍", "label": "Agree"},
            {"key": "🤔", "icon": "🤔", "label": "Unsure"},
            {"key": "❤️", "icon": "❤️", "label": "Love"},
        ],
    }
    for user in ("Ann", "Bob"):
        widget.vote("c", "👍", user=user)
    assert rec.op({"type": "vote", "id": "c", "choice": "🤔"})["kind"] == "event"
    assert rec.op({"type": "vote", "id": "c", "choice": "❤️"})["kind"] == "event"  # switches
    assert widget.votes_of("c") == {"👍": ["Ann", "Bob"], "🤔": [], "❤️": ["Chris"]}
    reply = rec.op({"type": "vote", "id": "c", "choice": "up"})
    assert reply["kind"] == "reject" and reply["field"] == "choice"


def test_likes_model_tallies_likers_and_refuses_votes(widget: ThreadWidget, rec: Recorder) -> None:
    assert widget.votes_of("c") == {"like": ["Ann"]}
    reply = rec.op({"type": "vote", "id": "c", "choice": "up"})
    assert reply["kind"] == "reject" and "likes, not votes" in reply["reason"]


@pytest.mark.parametrize(
    ("voting", "message"),
    [
        ("stars", "voting must be"),
        ({}, "voting must be"),
        ({"👍": ""}, r"voting\['👍'\]: the label"),
        ({str(i): "x" for i in range(13)}, "at most 12"),
    ],
)
def test_bad_voting_settings_are_refused(widget: ThreadWidget, voting: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        widget.voting = voting
    assert widget.voting == "likes"


def test_readers_cannot_vote(widget: ThreadWidget, rec: Recorder) -> None:
    widget.voting = "updown"
    widget.role = "reader"
    assert widget._config["role"] == "reader"
    reply = rec.op({"type": "vote", "id": "a", "choice": "up"})
    assert reply["kind"] == "reject" and "reader" in reply["reason"]


# ---- custom actions ---------------------------------------------------------------------------


def test_action_handler_gets_the_comment_and_user_and_its_reply_is_applied(
    widget: ThreadWidget, rec: Recorder
) -> None:
    calls: list[tuple[Comment, str]] = []

    def translate(comment: Comment, user: str) -> operations.AddComment:
        calls.append((comment, user))
        return operations.AddComment(parent_id=comment.id, body=f"(fr) {comment.body}")

    widget.add_action("translate", "Translate", translate, icon="🌐", actor="translator")
    assert widget._config["actions"] == [
        {"name": "translate", "label": "Translate", "icon": "🌐", "target": "comment", "ids": None}
    ]
    replies = action_click(rec, "translate", "a")
    assert calls == [(widget.get("a"), "Chris")]
    event = next(m for m in replies if m["kind"] == "event")["event"]
    assert event["type"] == "add" and event["comment"]["author"] == "translator"
    assert event["comment"]["body"] == "(fr) first" and event["comment"]["parent_id"] == "a"
    assert replies[-1] == {
        "kind": "action_result",
        "rid": "view1-q1",
        "ok": True,
        "reason": None,
        "message": None,
    }


def test_action_may_return_a_dict_a_list_or_a_message(widget: ThreadWidget, rec: Recorder) -> None:
    widget.set_extra("a", sentiment="positive")
    widget.add_action(
        "shout", "Shout", lambda c, u: {"type": "edit", "id": c.id, "body": c.body.upper()}
    )
    assert result_of(action_click(rec, "shout", "a"))["ok"]
    assert widget.get("a").body == "FIRST" and widget.get("a").extra == {"sentiment": "positive"}

    def both(comment: Comment, user: str) -> list[Any]:
        return [
            operations.Like(id=comment.id),
            {"type": "flag", "id": comment.id, "reason": "check"},
        ]

    widget.add_action("both", "Both", both)
    assert result_of(action_click(rec, "both", "c"))["ok"]
    assert "Chris" in widget.get("c").liked_by and widget.get("c").flags[0].reason == "check"

    widget.add_action("count", "Count", lambda c, u: f"{len(c.body.split())} words")
    result = result_of(action_click(rec, "count", "a"))
    assert result["ok"] and result["message"] == "1 words"


def test_action_raising_value_error_refuses_with_its_message(
    widget: ThreadWidget, rec: Recorder
) -> None:
    def refuse(comment: Comment, user: str) -> None:
        raise ValueError(f"{user} may not summarise this")

    widget.add_action("summarise", "Summarise", refuse)
    before = widget.thread
    result = result_of(action_click(rec, "summarise", "a"))
    assert result == {
        "kind": "action_result",
        "rid": "view1-q1",
        "ok": False,
        "reason": "Chris may not summarise this",
        "message": None,
    }
    assert widget.thread == before and widget.errors == []


@pytest.mark.parametrize(
    "handler",
    [
        lambda c, u: 1 / 0,
        lambda c, u: 42,  # not something an action may return
        lambda c, u: {"type": "edit", "id": c.id},  # a malformed operation: a bug, not a refusal
    ],
)
def test_a_buggy_action_is_reported_and_refused(
    widget: ThreadWidget, rec: Recorder, handler: Any, reported: Any
) -> None:
    widget.add_action("buggy", "Buggy", handler)
    before = widget.thread
    with reported("raised"):
        result = result_of(action_click(rec, "buggy", "a"))
    assert not result["ok"] and result["reason"].startswith("Buggy failed (")
    assert "nothing changed" in result["reason"]
    assert widget.thread == before and len(widget.errors) == 1


def test_an_action_whose_operation_is_refused_reports_the_reason(
    widget: ThreadWidget, rec: Recorder
) -> None:
    widget.add_action("ghost", "Ghost", lambda c, u: operations.EditComment(id="nope", body="x"))
    result = result_of(action_click(rec, "ghost", "a"))
    assert not result["ok"] and "nope" in result["reason"]


def test_when_predicate_ids_follow_events(widget: ThreadWidget, rec: Recorder) -> None:
    widget.add_action(
        "answer", "Answer", lambda c, u: None, when=lambda c: c.body.rstrip().endswith("?")
    )
    assert widget._config["actions"][0]["ids"] == []
    refused = result_of(action_click(rec, "answer", "a"))
    assert not refused["ok"] and "does not apply" in refused["reason"]
    question = widget.add_comment("Why?")
    assert widget._config["actions"][0]["ids"] == [question.id]
    widget.edit_comment(question.id, "Because.")
    assert widget._config["actions"][0]["ids"] == []
    rec.op({"type": "edit", "id": "b", "body": "really?"})
    assert widget._config["actions"][0]["ids"] == ["b"]
    assert result_of(action_click(rec, "answer", "b"))["ok"]


def test_a_failing_predicate_hides_the_action_and_is_reported(
    widget: ThreadWidget, reported: Any
) -> None:
    with reported():
        widget.add_action("x", "X", lambda c, u: None, when=lambda c: c.extra["missing"])
    assert widget._config["actions"][0]["ids"] == []
    assert widget.errors


def test_unknown_and_removed_actions_are_refused(widget: ThreadWidget, rec: Recorder) -> None:
    result = result_of(action_click(rec, "nothing", "a"))
    assert not result["ok"] and "no action 'nothing'" in result["reason"]
    remove = widget.add_action("tmp", "Tmp", lambda c, u: None)
    assert widget.actions == ["tmp"]
    remove()
    assert widget.actions == [] and widget._config["actions"] == []
    assert not result_of(action_click(rec, "tmp", "a"))["ok"]
    assert not result_of(action_click(rec, "ghost-comment", "zz"))["ok"]


def test_post_and_thread_actions(widget: ThreadWidget, rec: Recorder) -> None:
    seen: list[Any] = []

    def on_post(post: Post, user: str) -> operations.SetExtra:
        seen.append(post)
        return operations.SetExtra(id=None, extra={"summary": f"{post.title} ({user})"})

    def on_thread(thread: Thread, user: str) -> str:
        seen.append(thread)
        return f"{len(thread.comments)} comments"

    widget.add_action("summary", "Summarise", on_post, target="post")
    widget.add_action("stats", "Stats", on_thread, target="thread", icon="📊")
    targets = [(a["name"], a["target"], a["ids"]) for a in widget._config["actions"]]
    assert targets == [("summary", "post", None), ("stats", "thread", None)]
    assert result_of(action_click(rec, "summary"))["ok"]
    assert widget.post.extra == {"summary": "On a social media power trip? (Chris)"}
    assert result_of(action_click(rec, "stats"))["message"] == "3 comments"
    assert isinstance(seen[0], Post) and isinstance(seen[1], Thread)


def test_readers_and_read_only_views_cannot_run_actions(
    widget: ThreadWidget, rec: Recorder
) -> None:
    calls: list[str] = []
    widget.add_action("go", "Go", lambda c, u: calls.append(u))
    widget.role = "reader"
    assert "reader" in result_of(action_click(rec, "go", "a"))["reason"]
    widget.role = "participant"
    widget.roles = {"Chris": "reader"}
    assert not result_of(action_click(rec, "go", "a"))["ok"]
    widget.roles = {}
    widget.read_only = True
    assert "read-only" in result_of(action_click(rec, "go", "a"))["reason"]
    assert calls == []


def test_bad_action_definitions_are_refused(widget: ThreadWidget) -> None:
    with pytest.raises(ValueError, match="name"):
        widget.add_action("two words", "X", lambda c, u: None)
    with pytest.raises(TypeError, match="handler"):
        widget.add_action("x", "X")
    with pytest.raises(ValueError, match="only comment actions"):
        widget.add_action("x", "X", lambda c, u: None, when=lambda c: True, target="post")
    with pytest.raises(ValueError, match="target"):
        widget.add_action("x", "X", lambda c, u: None, target="everything")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="icon"):
        widget.add_action("x", "X", lambda c, u: None, icon="a very long icon")
    assert widget.actions == []


# ---- bots -------------------------------------------------------------------------------------


def add_helper_bot(w: ThreadWidget) -> None:
    """The pattern of docs/extending.md: answer comments that mention @helper."""

    def helper(comment: Comment) -> None:
        if comment.author != "helper" and "@helper" in comment.body:
            words = len(comment.body.split())
            w.add_comment(f"Your comment has {words} words.", author="helper", parent_id=comment.id)

    w.badges = {**w.badges, "helper": "bot"}
    w.on_comment(helper)


def test_the_helper_bot_answers_browser_and_python_comments(
    widget: ThreadWidget, rec: Recorder
) -> None:
    add_helper_bot(widget)
    op = {"type": "add", "id": "q1", "parent_id": "a", "body": "@helper count me"}
    reply, bot = rec.browser({"kind": "op", "rid": "view1-1", "op": op})
    assert reply["kind"] == "event" and reply["rid"] == "view1-1"  # the ack first, then the bot
    assert bot["kind"] == "event" and bot["rid"] is None
    assert bot["event"]["comment"]["author"] == "helper"
    assert bot["event"]["comment"]["parent_id"] == "q1"
    assert bot["event"]["comment"]["body"] == "Your comment has 3 words."
    widget.add_comment("no mention here")
    mine = widget.add_comment("hey @helper, hello", author="Bob")
    answers = [c for c in widget.comments if c.author == "helper"]
    assert [c.parent_id for c in answers] == ["q1", mine.id]
    assert widget._config["badges"] == {"helper": "bot"}
    assert widget.errors == []


def test_the_bot_reaches_every_view_of_a_shared_thread(thread: Thread, tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    host = ThreadWidget.connect(db, "t", thread=thread, user="Ann")
    other = ThreadWidget.connect(db, "t", user="Bob")
    try:
        add_helper_bot(host)
        other.add_comment("@helper how long is this")
        host.refresh()
        other.refresh()
        assert [c.author for c in other.comments][-2:] == ["Bob", "helper"]
        assert other.comments[-1].body == "Your comment has 5 words."
        assert host.comments[-1].created_at >= T0
    finally:
        host.close()
        other.close()


# ---- the example notebook ---------------------------------------------------------------------


def test_the_prototyping_notebook_is_clean_and_runs_end_to_end() -> None:
    import nbformat
    from nbclient import NotebookClient

    path = ROOT / "examples" / "prototyping.ipynb"
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)  # no outputs
    client = NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()  # raises CellExecutionError naming the cell on any error
    text = "".join(
        o.get("text", "") + o.get("data", {}).get("text/plain", "") for c in code for o in c.outputs
    )
    assert "Your comment has 6 words." in text
    assert "would refuse: Nothing to redact" in text
    assert "Unknown vote '🎉'" in text


# ---- docs/extending.md lists every option ----------------------------------------------------


def test_the_extending_page_lists_every_option_string_and_property() -> None:
    from threadwidget.page.settings import DEFAULT_OPTIONS
    from threadwidget.strings import DEFAULT_STRINGS

    doc = (ROOT / "docs" / "extending.md").read_text(encoding="utf-8")
    for key, default in DEFAULT_STRINGS.items():
        row = f"| `{key}` | {default.replace('|', chr(92) + '|')} |"
        assert row in doc, f"docs/extending.md: the strings table needs the row {row}"
    for option in DEFAULT_OPTIONS:
        assert f"| `{option}` |" in doc, option
    css = "".join(  # styles.css imports one file per concern from js/src/styles/
        p.read_text(encoding="utf-8") for p in sorted((ROOT / "js" / "src").rglob("*.css"))
    )
    for prop in sorted(set(re.findall(r"--tw-[a-z-]+", css))):
        assert f"| `{prop}` |" in doc, f"docs/extending.md: document {prop}"
    for setting in ("user", "read_only", "sort", "autosave", "strings", "locale", "options", "css"):
        assert f"| `{setting}` |" in doc, setting
    for setting in ("fields", "voting", "badges", "role", "roles", "label_set"):
        assert f"| `{setting}` |" in doc, setting
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "[Extending](docs/extending.md)" in readme


def test_when_ids_follow_a_replaced_thread() -> None:
    w = ThreadWidget(comments=[Comment(id="a", author="Ann", body="question?")], user="Bo")
    rec = Recorder(w)
    w.add_action("answer", "Answer", lambda c, u: "ok", when=lambda c: c.body.endswith("?"))
    w.thread = Thread(comments=(Comment(id="x1", author="Cy", body="why?"),))
    assert w._config["actions"][0]["ids"] == ["x1"]
    assert result_of(action_click(rec, "answer", "x1"))["ok"] is True


def test_actions_refuse_deleted_and_moderated_comments_for_participants() -> None:
    w = ThreadWidget(
        comments=[
            Comment(id="gone", author="Bo", body="x"),
            Comment(id="hid", author="Cy", body="y"),
        ],
        user="Bo",
    )
    rec = Recorder(w)
    calls: list[str] = []
    w.add_action("tag", "Tag", lambda c, u: calls.append(c.id))
    w.delete_comment("gone")
    w.hide("hid", "off topic", user="Mod")
    for comment_id, status in (("gone", "deleted"), ("hid", "hidden")):
        result = result_of(action_click(rec, "tag", comment_id))
        assert result["ok"] is False and status in result["reason"]
    assert calls == []
    w.roles = {"Bo": "moderator"}  # a moderator may act on what they see greyed
    assert result_of(action_click(rec, "tag", "hid"))["ok"] is True
    assert calls == ["hid"]


def test_an_action_returning_several_operations_is_all_or_nothing() -> None:
    w = ThreadWidget(comments=[Comment(id="a", author="Ann", body="hello")], user="Bo")
    rec = Recorder(w)
    w.add_action(
        "two",
        "Two",
        lambda c, u: [
            {"type": "add", "id": "r1", "parent_id": c.id, "body": "a reply"},
            {"type": "edit", "id": "ghost", "body": "no such comment"},
        ],
    )
    result = result_of(action_click(rec, "two", "a"))
    assert result["ok"] is False and "ghost" in result["reason"]
    assert "r1" not in w.thread and w.seq == 0  # the first one was not applied either
    w.add_action(
        "both",
        "Both",
        lambda c, u: [
            {"type": "add", "id": "r2", "parent_id": c.id, "body": "a reply"},
            {"type": "edit", "id": "r2", "body": "the reply, edited"},
        ],
    )
    assert result_of(action_click(rec, "both", "a"))["ok"] is True
    assert w.get("r2").body == "the reply, edited" and w.seq == 2
