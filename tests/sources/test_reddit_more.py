"""Reddit's ``more`` stubs: ids asked for together across stubs (up to 100 a request), and what is
left recorded in the thread, warned about, and shown."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest

from threadwidget import FetchWarning, ThreadWidget
from threadwidget.sources import fetch, reddit

from .conftest import Replay, data

#: the whole captured comments page of graw's thread (tests/data/SOURCES.md): 199 comments,
#: 125 ``more`` stubs holding 1,082 ids, 3 "continue this thread" links
FULL = "reddit_thread_full_captured.json"
URL = "https://www.reddit.com/r/self/comments/1cebxh/my_wife_passed_away/"


def _stubs(page: Any) -> tuple[dict[str, str], int]:
    """Stub id -> the parent its stub names, and how many "continue this thread" links."""
    parents: dict[str, str] = {}
    deeper = 0

    def walk(children: list[Any]) -> None:
        nonlocal deeper
        for child in children:
            if child["kind"] == "more":
                ids = child["data"]["children"]
                parents.update({i: child["data"]["parent_id"] for i in ids})
                deeper += not ids
            elif isinstance(child["data"].get("replies"), dict):
                walk(child["data"]["replies"]["data"]["children"])

    walk(page[1]["data"]["children"])
    return parents, deeper


def _serve(replay: Replay, name: str) -> tuple[dict[str, str], list[list[str]]]:
    """The page from ``name`` and /api/morechildren answering each id asked for with a captured
    comment (reddit_more.json) rewritten to that id and its stub's parent; the ids of each
    request are logged."""
    page = json.loads(data(name))
    parents, _ = _stubs(page)
    captured = json.loads(data("reddit_more.json"))["json"]["data"]["things"]
    asked: list[list[str]] = []

    def more(method: str, query: dict[str, list[str]], body: bytes) -> Any:
        ids = query["children"][0].split(",")
        asked.append(ids)
        things = []
        for n, cid in enumerate(ids):
            thing = json.loads(json.dumps(captured[n % len(captured)]))
            thing["data"].update(id=cid, name=f"t1_{cid}", parent_id=parents[cid])
            things.append(thing)
        payload = {"json": {"errors": [], "data": {"things": things}}}
        return 200, {"Content-Type": "application/json"}, json.dumps(payload).encode()

    replay.json("/comments/1cebxh.json", data(name))
    replay.routes["/api/morechildren.json"] = more
    return parents, asked


def test_many_stubs_are_fetched_in_a_few_batched_requests(replay: Replay, opts: Any) -> None:
    parents, asked = _serve(replay, FULL)
    assert len(parents) == 1082
    with pytest.warns(FetchWarning, match="continue this thread"):  # deeper links are left
        thread = fetch(URL, base_urls={"reddit": replay.url}, **opts)
    # 1,082 ids in 11 requests of at most 100 (one request per stub made 20 and stopped)
    assert [len(ids) for ids in asked] == [100] * 10 + [82]
    assert len({parents[i] for i in asked[0]}) > 10  # one request spans many stubs (of 125)
    assert all(cid in thread for cid in parents)
    assert len(thread.comments) == 199 + 1082
    gaps = thread.completeness.gaps
    _, deeper = _stubs(json.loads(data(FULL)))
    assert len(gaps) == deeper == 3 and all(g.count is None and not g.ids for g in gaps)
    assert thread.completeness.text() == "incomplete: more replies not loaded"
    assert thread.post.extra["source"]["requests"] == 12


def test_stubs_left_by_more_limit_are_in_the_thread_warned_and_shown(
    replay: Replay, opts: Any
) -> None:
    parents, asked = _serve(replay, FULL)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        thread = fetch(URL, base_urls={"reddit": replay.url}, more_limit=3, **opts)
    assert [len(ids) for ids in asked] == [100, 100, 100]
    left = [cid for cid in parents if cid not in thread]
    assert len(left) == 1082 - 300
    completeness = thread.completeness
    listed = [i for g in completeness.gaps if g.kind == "more" for i in g.ids]
    assert sorted(listed) == sorted(left)  # every id not loaded is named, under its parent
    for gap in completeness.gaps:  # under its parent (None: the post)
        if gap.ids:
            named = {parents[i] for i in gap.ids}
            assert named == {f"t1_{gap.parent_id}" if gap.parent_id else "t3_1cebxh"}
    assert completeness.not_loaded >= len(left)
    said = [str(w.message) for w in seen if issubclass(w.category, FetchWarning)]
    assert (
        len(said) == 1 and f"incomplete: {completeness.not_loaded:,}+ replies not loaded" in said[0]
    )
    assert "'more' stubs" in said[0]
    # the widget carries it to the page (the header shows it), and a saved file keeps it
    widget = ThreadWidget(thread=thread, user="teacher")
    assert widget.thread.completeness == completeness
    sent = widget._snapshot["post"]["gaps"]
    assert [g["ids"] for g in sent] == [list(g.ids) for g in completeness.gaps]


def test_batches_never_exceed_reddits_limit(
    replay: Replay, opts: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reddit, "MORE_BATCH", 7)
    _, asked = _serve(replay, "reddit_comments.json")  # 12 stubs, 78 ids
    fetch(URL, base_urls={"reddit": replay.url}, **opts)
    assert [len(ids) for ids in asked] == [7] * 11 + [1]
    assert len({i for ids in asked for i in ids}) == 78  # none asked twice


def test_ids_the_answer_leaves_out_are_recorded(replay: Replay, opts: Any) -> None:
    # Reddit's answer may lack some ids asked for (deleted meanwhile, or cut short): they are
    # gaps of the thread, under the parent their stub named, not silently lost.
    parents, _ = _serve(replay, "reddit_comments.json")
    more = replay.routes["/api/morechildren.json"]
    dropped: list[str] = []

    def partial(method: str, query: dict[str, list[str]], body: bytes) -> Any:
        status, headers, payload = more(method, query, body)  # type: ignore[operator]
        answer = json.loads(payload)
        things = answer["json"]["data"]["things"]
        dropped.extend(t["data"]["id"] for t in things[::10])
        answer["json"]["data"]["things"] = [t for n, t in enumerate(things) if n % 10]
        return status, headers, json.dumps(answer).encode()

    replay.routes["/api/morechildren.json"] = partial
    with pytest.warns(FetchWarning, match="asked for from Reddit but not in its answer"):
        thread = fetch(URL, base_urls={"reddit": replay.url}, **opts)
    recorded = {i for g in thread.completeness.gaps for i in g.ids}
    assert dropped and set(dropped) <= recorded and not any(i in thread for i in dropped)
    for gap in thread.completeness.gaps:
        for cid in gap.ids:
            assert parents[cid] == (f"t1_{gap.parent_id}" if gap.parent_id else "t3_1cebxh")
