"""The labelling exercise: per-user labels from the browser and from Python, the labels table,
agreement with an answer key, and labels surviving files, the autosave journal and tables."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from threadwidget import Comment, OperationRejected, ThreadWidget
from threadwidget.analysis.labelling import agreement_rows, valid_label_set
from threadwidget.analysis.tabular import from_pandas, to_pandas

from .conftest import Recorder

SET = ["spam", "off-topic", "supportive"]


def _widget(**kwargs: object) -> ThreadWidget:
    return ThreadWidget(
        comments=[
            Comment(id="a", author="Ann", body="great post"),
            Comment(id="b", parent_id="a", author="Bob", body="buy followers"),
            Comment(id="c", author="Cy", body="what about cats"),
        ],
        user="Chris",
        label_set=SET,
        **kwargs,  # type: ignore[arg-type]
    )


def test_browser_labels_are_per_user_and_acked() -> None:
    w = _widget()
    rec = Recorder(w)
    reply = rec.op({"type": "label", "id": "b", "label": "spam"})
    assert reply["kind"] == "event" and reply["rid"] == "view1-1"
    assert reply["event"] == {**reply["event"], "type": "label", "user": "Chris", "label": "spam"}
    w.label("b", "off-topic", user="Ann")
    assert w.get("b").labels == {"Chris": "spam", "Ann": "off-topic"}
    # a browser cannot label for someone else: the actor is always the widget's user
    reply = rec.op({"type": "label", "id": "b", "label": "supportive", "user": "Ann"})
    assert reply["kind"] == "reject" and w.get("b").labels["Ann"] == "off-topic"


def test_changing_and_clearing_a_label() -> None:
    w = _widget()
    rec = Recorder(w)
    assert rec.op({"type": "label", "id": "a", "label": "spam"})["kind"] == "event"
    assert rec.op({"type": "label", "id": "a", "label": "supportive"})["kind"] == "event"
    assert w.get("a").labels == {"Chris": "supportive"}
    same = rec.op({"type": "label", "id": "a", "label": "supportive"})
    assert same["kind"] == "reject" and same["field"] == "label"
    cleared = rec.op({"type": "label", "id": "a", "label": None})
    assert cleared["kind"] == "event" and cleared["event"]["label"] is None
    assert w.get("a").labels == {}
    again = rec.op({"type": "label", "id": "a", "label": None})
    assert again["kind"] == "reject" and "have not labelled" in again["reason"]
    assert w.label("a", "spam").labels == {"Chris": "spam"}
    assert w.label("a", None).labels == {}


def test_a_label_outside_the_set_is_refused_naming_the_field() -> None:
    w = _widget()
    rec = Recorder(w)
    reply = rec.op({"type": "label", "id": "a", "label": "rude"})
    assert reply["kind"] == "reject" and reply["field"] == "label"
    assert "spam" in reply["reason"] and "'rude'" in reply["reason"]
    with pytest.raises(OperationRejected, match="rude") as info:
        w.label("a", "rude")
    assert info.value.field == "label"
    assert w.get("a").labels == {} and w.seq == 0


def test_readers_and_widgets_without_a_label_set_refuse_browser_labels() -> None:
    w = _widget(role="reader")
    rec = Recorder(w)
    reply = rec.op({"type": "label", "id": "a", "label": "spam"})
    assert reply["kind"] == "reject" and "reader" in reply["reason"]
    w.roles = {"Chris": "participant"}
    assert rec.op({"type": "label", "id": "a", "label": "spam"})["kind"] == "event"

    off = ThreadWidget(comments=[Comment(id="a", body="x")], user="Chris")
    reply = Recorder(off).op({"type": "label", "id": "a", "label": "spam"})
    assert reply["kind"] == "reject" and reply["field"] == "type"
    assert "no labelling exercise" in reply["reason"]


def test_deleted_and_moderated_comments() -> None:
    w = _widget()
    rec = Recorder(w)
    w.delete_comment("c")
    reply = rec.op({"type": "label", "id": "c", "label": "spam"})
    assert reply["kind"] == "reject" and "deleted" in reply["reason"]
    w.mark_spam("b", user="Teacher")
    assert rec.op({"type": "label", "id": "b", "label": "spam"})["kind"] == "reject"
    w.role = "moderator"
    assert rec.op({"type": "label", "id": "b", "label": "spam"})["kind"] == "event"


def test_label_set_validation() -> None:
    assert valid_label_set(("a", "b")) == ["a", "b"]
    with pytest.raises(ValueError, match="not a single str"):
        ThreadWidget(label_set="spam")
    with pytest.raises(ValueError, match=r"label_set\[1\].*twice"):
        ThreadWidget(label_set=["a", "a"])
    with pytest.raises(ValueError, match=r"label_set\[0\]"):
        ThreadWidget(label_set=[""])
    with pytest.raises(ValueError, match="at most 20"):
        ThreadWidget(label_set=[f"l{i}" for i in range(21)])
    w = _widget()
    w.label_set = ["x"]
    assert w._config["label_set"] == ["x"]


def test_labels_table_has_one_row_per_comment_and_user() -> None:
    w = _widget()
    w.label("b", "spam", user="Ann")
    w.label("b", "spam", user="Bo")
    w.label("a", "supportive", user="Ann")
    frame = w.labels
    assert list(frame.columns) == ["comment_id", "user", "label", "author", "body"]
    assert frame[["comment_id", "user", "label"]].values.tolist() == [
        ["a", "Ann", "supportive"],
        ["b", "Ann", "spam"],
        ["b", "Bo", "spam"],
    ]
    assert w.label_rows()[1] == {
        "comment_id": "b",
        "user": "Ann",
        "label": "spam",
        "author": "Bob",
        "body": "buy followers",
    }
    empty = _widget().labels
    assert empty.empty and list(empty.columns) == list(frame.columns)


def test_agreement_with_an_answer_key() -> None:
    w = _widget()
    key = {"a": "supportive", "b": "spam", "c": "off-topic"}
    w.label("a", "supportive", user="Ann")
    w.label("b", "spam", user="Ann")
    w.label("c", "supportive", user="Ann")  # wrong
    w.label("b", "spam", user="Bo")  # Bo labelled only one comment, correctly
    w.label("a", "spam", user="Cy")
    table = w.agreement(key)
    assert list(table.index) == ["Ann", "Bo", "Cy"]
    assert table.loc["Ann"].tolist() == [3, 2, pytest.approx(2 / 3), pytest.approx(2 / 3)]
    # unlabelled comments count as misses in agreement, not in accuracy
    assert table.loc["Bo"].tolist() == [1, 1, pytest.approx(1 / 3), 1.0]
    assert table.loc["Cy"].tolist() == [1, 0, 0.0, 0.0]
    # a student who labelled nothing in the key gets zeros, not a division error
    w.label("c", "off-topic", user="Dee")
    rows = {r["user"]: r for r in agreement_rows(w.thread, {"a": "supportive"})}
    assert rows["Dee"] == {
        "user": "Dee",
        "labelled": 0,
        "matches": 0,
        "agreement": 0.0,
        "accuracy": 0.0,
    }
    # students named in advance appear even with no labels at all
    named = agreement_rows(w.thread, key, users=["Eve"])
    assert [r["user"] for r in named] == ["Ann", "Bo", "Cy", "Dee", "Eve"]
    assert named[-1]["labelled"] == 0


def test_agreement_names_unknown_comment_ids() -> None:
    w = _widget()
    with pytest.raises(KeyError, match="ghost, zz"):
        w.agreement({"a": "spam", "ghost": "spam", "zz": "ok"})
    assert agreement_rows(w.thread, {}) == []


def test_labels_survive_save_load_and_the_journal(tmp_path: Path) -> None:
    w = _widget()
    w.label("a", "supportive", user="Ann")
    w.label("b", "spam")
    again = ThreadWidget.load(w.save(tmp_path / "t.json"), label_set=SET)
    assert again.label_rows() == w.label_rows()
    assert again.get("b").labels == {"Chris": "spam"}

    path = tmp_path / "auto.json"
    live = _widget(autosave=path)
    rec = Recorder(live)
    assert rec.op({"type": "label", "id": "b", "label": "spam"})["kind"] == "event"
    live.label("a", "off-topic", user="Ann")
    live.label("b", None)
    resumed = ThreadWidget(autosave=path)
    assert resumed.label_rows() == live.label_rows()
    assert [(r["comment_id"], r["user"]) for r in resumed.label_rows()] == [("a", "Ann")]


def test_labels_reach_the_dataframe_and_come_back() -> None:
    w = _widget()
    w.label("b", "spam", user="Ann")
    w.label("b", "off-topic", user="Bo")
    frame = to_pandas(w.thread)
    assert "labels" in frame.columns
    assert frame.set_index("id").loc["b", "labels"] == {"Ann": "spam", "Bo": "off-topic"}
    assert frame.set_index("id").loc["a", "labels"] == {}
    assert from_pandas(frame) == w.thread
    # JSON text (as a CSV cell holds it) reads back too
    frame["labels"] = [
        '{"Ann": "spam", "Bo": "off-topic"}' if i == "b" else "" for i in frame["id"]
    ]
    assert from_pandas(frame).get("b").labels == {"Ann": "spam", "Bo": "off-topic"}
    assert isinstance(frame, pd.DataFrame)


def test_labels_without_pandas_name_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "pandas", None)  # as if pandas were not installed
    w = ThreadWidget(label_set=["spam"])
    with pytest.raises(ImportError, match=r"pip install 'threadwidget\[pandas\]'"):
        _ = w.labels
    assert w.label_rows() == []  # the rows need nothing
