"""Real captures with a time missing: each comment placed by the best time the source offers
(indexedAt, an id that encodes a time, the parent's), marked estimated, warned about by place."""

from __future__ import annotations

import json
from typing import Any

import pytest

from threadwidget import ThreadLoadWarning
from threadwidget.formats import ThreadFileError, load
from threadwidget.sources import fetch

from .conftest import Replay, data

STATUS = "109294719267373593"


def _mastodon(replay: Replay, status: Any, context: Any) -> None:
    replay.json(f"/api/v1/statuses/{STATUS}", json.dumps(status).encode())
    replay.json(f"/api/v1/statuses/{STATUS}/context", json.dumps(context).encode())


def test_mastodon_statuses_without_created_at(replay: Replay, opts: Any) -> None:
    # The captured mastodon.social answers with every created_at removed: each status is placed
    # at the time its id encodes (Mastodon ids are milliseconds << 16), marked estimated.
    status, context = (
        json.loads(data("mastodon_status.json")),
        json.loads(data("mastodon_context.json")),
    )
    given = {s["id"]: s.pop("created_at") for s in [status, *context["descendants"]]}
    _mastodon(replay, status, context)
    url = f"https://mastodon.social/@austinkocher/{STATUS}"
    with pytest.warns(ThreadLoadWarning, match=r"\$\[1\]\.descendants\[0\]\.created_at") as seen:
        thread = fetch(url, base_urls={"mastodon": replay.url}, **opts)
    assert "read as the time its id encodes (estimated)" in str(seen[0].message)
    assert len(thread.comments) == 8
    for comment in thread.comments:
        assert comment.extra["time_estimated"] == "the time its id encodes"
        # an id is given when the status reaches this server: seconds after a remote one was made
        assert -1 < comment.created_at.timestamp() - _ts(given[comment.id]) < 60
    assert thread.post.extra["time_estimated"] == "the time its id encodes"


def _ts(text: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def test_mastodon_context_alone_without_times_or_snowflake_ids(tmp_path: Any) -> None:
    # Only the context, no status; ids that encode nothing and no created_at anywhere but one
    # reply: the placeholder post and the others take that one time (parent or earliest).
    context = json.loads(data("mastodon_context.json"))
    for n, item in enumerate(context["descendants"]):
        item["id"] = f"s{n}"
        if n:
            item.pop("created_at")
    ids = {s["id"] for s in context["descendants"]}
    for item in context["descendants"]:
        if item["in_reply_to_id"] not in ids:
            item["in_reply_to_id"] = None
    path = tmp_path / "context.json"
    path.write_text(json.dumps(context))
    with pytest.warns(ThreadLoadWarning, match="earliest comment's time"):
        thread = load(path)
    assert thread.post.created_at == thread.get("s0").created_at
    assert "time_estimated" not in thread.get("s0").extra
    context["descendants"][0].pop("created_at")  # nothing at all: refused, naming the file
    path.write_text(json.dumps(context))
    with pytest.raises(ThreadFileError, match="no time anywhere"):
        load(path)


def test_bluesky_parent_without_created_at_uses_indexed_at(replay: Replay, opts: Any) -> None:
    # The captured getPostThread answer with the parent's record missing createdAt (it keeps
    # the post view's indexedAt), and one reply missing both (its record key is a TID).
    answer = json.loads(data("bluesky_thread_captured.json"))
    parent = answer["thread"]["parent"]["post"]
    del parent["record"]["createdAt"]
    reply = answer["thread"]["replies"][0]["post"]
    reply_time = reply["record"].pop("createdAt")
    reply.pop("indexedAt", None)
    replay.json(
        "/xrpc/com.atproto.identity.resolveHandle", b'{"did": "did:plc:uy7ehrx332p6dow5sk32hxzq"}'
    )
    replay.json("/xrpc/app.bsky.feed.getPostThread", json.dumps(answer).encode())
    url = "https://bsky.app/profile/someone.bsky.social/post/3k7rmyigapw2y"
    with pytest.warns(ThreadLoadWarning) as seen:
        thread = fetch(url, base_urls={"bluesky": replay.url}, **opts)
    said = str(seen[0].message)
    assert (
        "$.thread.parent.post.record.createdAt: missing; read as its indexedAt (estimated)" in said
    )
    assert "read as the time its record key encodes (estimated)" in said
    assert thread.post.created_at == _dt(parent["indexedAt"])
    assert thread.post.extra["time_estimated"] == "its indexedAt"
    placed = thread.get(reply["uri"].rsplit("/", 1)[-1])
    assert placed.extra["time_estimated"] == "the time its record key encodes"
    assert abs(placed.created_at.timestamp() - _ts(reply_time)) < 5


def _dt(text: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(text.replace("Z", "+00:00"))
