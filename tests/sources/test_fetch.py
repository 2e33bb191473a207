"""fetch(url) against a local server replaying captured responses: every source, and its limits."""

from __future__ import annotations

import json
from typing import Any

import pytest

import threadwidget
from threadwidget.sources import (
    FetchError,
    NotFoundError,
    PrivateError,
    TokenRequiredError,
    UnsupportedURLError,
    discourse,
    fetch,
    github,
    provenance,
)

from .conftest import Replay, data


def test_hacker_news_captured_tree_and_provenance(replay: Replay, opts: Any) -> None:
    # Algolia's real answer for item 1 (one subtree kept): 15 -> 17 -> 1079, HTML entities in text.
    replay.json("/api/v1/items/1", data("hackernews_item_captured.json"))
    url = "https://news.ycombinator.com/item?id=1"
    thread = fetch(url, base_urls={"hackernews": replay.url}, **opts)
    assert thread.post.title == "Y Combinator" and thread.post.author == "pg"
    assert thread.post.body.startswith("<http://ycombinator.com>")
    assert [c.id for c in thread.comments] == ["15", "17", "1079"]
    assert thread.get("15").parent_id is None and thread.get("15").author == "sama"
    assert thread.get("15").body.startswith('"the rising star of venture capital"')
    assert thread.get("17").parent_id == "15" and thread.get("1079").parent_id == "17"
    assert thread.get("1079").created_at.isoformat() == "2007-02-25T22:18:23+00:00"
    source = provenance(thread)
    assert source is not None and source["url"] == url and source["kind"] == "hackernews"
    assert source["fetched_at"].endswith("Z")
    assert thread.post.extra["source"] == source
    assert threadwidget.fetch is fetch


def test_hacker_news_deleted_item(replay: Replay, opts: Any) -> None:
    # Hand-written after the documentation: no capture holding a deleted node was found.
    replay.json("/api/v1/items/8863", data("hackernews_item.json"))
    url = "https://news.ycombinator.com/item?id=8863"
    thread = fetch(url, base_urls={"hackernews": replay.url}, **opts)
    assert thread.get("9224").parent_id == "8952"
    assert thread.get("8917").status == "deleted"


def test_reddit_follows_more_stubs_up_to_the_limit(replay: Replay, opts: Any) -> None:
    page = json.loads(data("reddit_comments.json"))
    parents: dict[str, str] = {}

    def collect(children: list[Any]) -> None:
        for child in children:
            if child["kind"] == "more":
                parents.update({i: child["data"]["parent_id"] for i in child["data"]["children"]})
            elif isinstance(child["data"].get("replies"), dict):
                collect(child["data"]["replies"]["data"]["children"])

    collect(page[1]["data"]["children"])
    captured = json.loads(data("reddit_more.json"))["json"]["data"]["things"]

    def more(method: str, query: dict[str, list[str]], body: bytes) -> Any:
        ids = query["children"][0].split(",")
        things = []
        for n, cid in enumerate(ids):
            thing = json.loads(json.dumps(captured[n % len(captured)]))
            thing["data"].update(id=cid, name=f"t1_{cid}", parent_id=parents[cid])
            things.append(thing)
        payload = {"json": {"errors": [], "data": {"things": things}}}
        return 200, {"Content-Type": "application/json"}, json.dumps(payload).encode()

    replay.json("/comments/1cebxh.json", data("reddit_comments.json"))
    replay.routes["/api/morechildren.json"] = more
    url = "https://www.reddit.com/r/self/comments/1cebxh/a_title/"
    few = fetch(url, base_urls={"reddit": replay.url}, more_limit=2, **opts)
    all_ = fetch(url, base_urls={"reddit": replay.url}, more_limit=50, refresh=True, **opts)
    stubs = len({p for p in parents.values()})
    assert len(all_.comments) == len(few.comments) + len(parents) - sum(
        1 for c in few.comments if c.id in parents
    )
    assert all(cid in all_ for cid in parents)
    assert all_.get("c9h6l0x").parent_id == "c9g6iq2" and stubs > 2
    assert all_.get("c9fs6hy").status == "deleted"  # [deleted]: by its author
    removed = all_.get("c9fsi2e")  # [removed]: by the subreddit's moderators
    assert removed.status == "removed" and removed.moderation is not None


def test_discourse_reads_every_page_and_keeps_reply_links(
    replay: Replay, opts: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    posts = json.loads(data("discourse_posts.json"))["post_stream"]["posts"]
    by_id = {p["id"]: p for p in posts}
    topic = {
        "id": 2144,
        "title": "KPop Demon Hunters",
        "slug": "kpop-demon-hunters",
        "post_stream": {"posts": posts[:4], "stream": [p["id"] for p in posts]},
    }
    replay.json("/t/2144.json", json.dumps(topic).encode())

    def page(method: str, query: dict[str, list[str]], body: bytes) -> Any:
        chosen = [by_id[int(i)] for i in query["post_ids[]"]]
        return 200, {}, json.dumps({"post_stream": {"posts": chosen}, "id": 2144}).encode()

    replay.routes["/t/2144/posts.json"] = page
    monkeypatch.setattr(discourse, "PAGE", 5)
    url = "https://discuss.example.org/t/kpop-demon-hunters/2144"
    thread = fetch(url, base_urls={"discourse": replay.url}, **opts)
    assert len(thread.comments) == len(posts) - 1  # post 1 is the post
    assert sum(1 for m, t, _ in replay.log if t.startswith("/t/2144/posts.json")) == 4
    number = {p["post_number"]: str(p["id"]) for p in posts}
    assert thread.get(number[9]).parent_id == number[8]  # reply_to_post_number kept
    assert thread.get(number[8]).parent_id == number[4]
    assert thread.get(number[2]).parent_id is None
    assert thread.post.url == "https://discuss.example.org/t/kpop-demon-hunters/2144"


def test_mastodon_any_instance(replay: Replay, opts: Any) -> None:
    # Captured mastodon.social answers for status 109294719267373593 and its context.
    status = "109294719267373593"
    replay.json(f"/api/v1/statuses/{status}", data("mastodon_status.json"))
    replay.json(f"/api/v1/statuses/{status}/context", data("mastodon_context.json"))
    url = f"https://mastodon.social/@austinkocher/{status}"
    thread = fetch(url, base_urls={"mastodon": replay.url}, **opts)
    assert thread.post.author == "Austin Kocher, PhD 🌎 (@austinkocher)"
    assert thread.post.url == url and "v4.0.0rc1" in thread.post.body
    assert len(thread.comments) == 8
    chain = thread.get("109296638076485826")  # a reply to a reply, across three servers
    assert chain.parent_id == "109296622643144971" and chain.author.endswith("toot.whatever.cz)")
    assert thread.get("109296622643144971").parent_id == "109296600638577574"
    assert thread.get("109296600638577574").parent_id is None
    assert thread.get("109294767623508949").likes == 28


def test_bluesky_resolves_the_handle_and_reads_parents_and_replies(
    replay: Replay, opts: Any
) -> None:
    # A captured getPostThread answer: the requested post, its parent, and two reply subtrees.
    did = "did:plc:uy7ehrx332p6dow5sk32hxzq"
    replay.json("/xrpc/com.atproto.identity.resolveHandle", json.dumps({"did": did}).encode())
    replay.json("/xrpc/app.bsky.feed.getPostThread", data("bluesky_thread_captured.json"))
    url = "https://bsky.app/profile/chadmichael.bsky.social/post/3k7rmyigapw2y"
    thread = fetch(url, base_urls={"bluesky": replay.url}, **opts)
    asked = next(t for _, t, _ in replay.log if "getPostThread" in t)
    assert "did%3Aplc%3Auy7ehrx332p6dow5sk32hxzq" in asked and "3k7rmyigapw2y" in asked
    assert thread.post.author == "Matt Binder (@mattbinder.bsky.social)"  # the thread's top
    # the link Bluesky shortens in the text keeps its full address (from the link facet)
    assert "](https://mashable.com/article/bluesky-record-new-signups" in thread.post.body
    assert thread.get("3k7rmyigapw2y").parent_id is None
    assert thread.get("3k7rocw2w6u2t").parent_id == "3k7rob7ugc72d"
    assert thread.get("3k7rnexppqa2g").author == "@dankguyjeff.bsky.social"  # no display name
    assert thread.get("3k7rn6uemfg2c").likes == 5 and len(thread.comments) == 6


def test_bluesky_keeps_deleted_blocked_spam(replay: Replay, opts: Any) -> None:
    # Shaped after the documentation: no public capture with these node kinds was found.
    replay.json(
        "/xrpc/com.atproto.identity.resolveHandle", b'{"did": "did:plc:z72i7hdynmk6r22z27h6tvur"}'
    )
    replay.json("/xrpc/app.bsky.feed.getPostThread", data("bluesky_thread.json"))
    url = "https://bsky.app/profile/bsky.app/post/3l6oveex3ii2l"
    thread = fetch(url, base_urls={"bluesky": replay.url}, **opts)
    assert thread.get("3l6ow9").status == "deleted" and thread.get("3l6ow9").parent_id == "3l6ow1"
    assert thread.get("3l6ow2").status == "hidden"
    assert thread.get("3l6ow3").status == "spam"


def test_github_issue_pages_and_token(
    replay: Replay, opts: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Captured api.github.com answers for PyGithub/PyGithub#28 (3 comments, here 2 per page).
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    monkeypatch.setattr(github, "PER_PAGE", 2)
    pages = {"1": data("github_comments_page1.json"), "2": data("github_comments_page2.json")}

    def comments(method: str, query: dict[str, list[str]], body: bytes) -> Any:
        assert query["per_page"] == ["2"]
        return 200, {"Content-Type": "application/json"}, pages[query["page"][0]]

    repo = "/repos/PyGithub/PyGithub/issues/28"
    replay.json(repo, data("github_issue.json"))
    replay.routes[f"{repo}/comments"] = comments
    url = "https://github.com/PyGithub/PyGithub/issues/28"
    thread = fetch(url, base_urls={"github": replay.url}, **opts)
    assert thread.post.title == "Issue created by PyGithub" and thread.post.author == "jacquev6"
    assert [c.author for c in thread.comments] == ["jacquev6", "roskakori", "stuglaser"]
    assert thread.get("20227753").likes == 1  # reactions: one +1 (and a hooray, not counted)
    assert thread.get("5449237").likes == 0 and thread.get("5449237").edited_at is None
    assert sum(1 for _, t, _ in replay.log if t.startswith(f"{repo}/comments")) == 2
    assert all(h.get("Authorization") == "Bearer t0ken" for _, _, h in replay.log)


def test_github_discussion_is_threaded_and_needs_a_token(
    replay: Replay, opts: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    url = "https://github.com/octo-org/octo-repo/discussions/42"
    with pytest.raises(TokenRequiredError, match="GITHUB_TOKEN"):
        fetch(url, base_urls={"github": replay.url}, **opts)
    replay.json("/graphql", data("github_discussion.json"))
    thread = fetch(url, base_urls={"github": replay.url}, token="x", **opts)
    assert thread.get("DC_kwDOA2").parent_id == "DC_kwDOA1"
    assert thread.get("DC_kwDOA3").status == "spam"
    assert thread.get("DC_kwDOA4").status == "deleted"


def _lemmy_post(comments: dict[str, Any]) -> bytes:
    """The /api/v3/post answer built from the captured comment view's post, creator, community."""
    view = comments["comments"][0]
    post_view = {key: view[key] for key in ("post", "creator", "community")}
    return json.dumps({"post_view": post_view}).encode()


def test_lemmy_path_tree_removed_and_deleted(replay: Replay, opts: Any) -> None:
    # Captured answers of a Lemmy 0.18 server (tests/data/SOURCES.md): comments 3 and 2, then
    # comment 4 (a reply to 2) as the server returned it once removed, and once deleted too.
    comments = json.loads(data("lemmy_comments_captured.json"))
    removed = json.loads(data("lemmy_comment_removed.json"))["comment_view"]
    replay.json("/api/v3/post", _lemmy_post(comments))
    listed = {"comments": [*comments["comments"], removed]}
    replay.json("/api/v3/comment/list", json.dumps(listed).encode())
    base = {"lemmy": replay.url}
    thread = fetch("https://localhost/post/1", base_urls=base, **opts)
    assert thread.post.title == "Test post!" and thread.post.author == "lemmy"
    assert thread.post.created_at.isoformat() == "2023-08-04T18:15:42.162438+00:00"
    assert sorted(c.id for c in thread.comments) == ["2", "3", "4"]
    assert thread.get("3").parent_id is None and thread.get("3").body == "Test comment from the UI."
    assert thread.get("2").edited_at is not None
    assert thread.get("4").parent_id == "2"
    assert thread.get("4").status == "removed" and thread.get("4").body == ""
    deleted = json.loads(data("lemmy_comment_deleted.json"))["comment_view"]
    listed = {"comments": [*comments["comments"], deleted]}
    replay.json("/api/v3/comment/list", json.dumps(listed).encode())
    thread = fetch("https://localhost/post/1", base_urls=base, refresh=True, **opts)
    assert thread.get("4").status == "deleted" and thread.get("4").body == ""


def test_blogger_finds_the_post_id_in_a_captured_feed(replay: Replay, opts: Any) -> None:
    # A real Blogger posts feed (windazure.blogspot.com); the post and comment feeds served
    # after it are the hand-written Atom files, served at the id the capture gives.
    replay.json("/feeds/posts/summary", data("blogger_posts_captured.json"))
    post_id = "356042424318268556"
    replay.routes[f"/feeds/posts/default/{post_id}"] = (200, {}, data("blogger_post.xml"))
    replay.routes[f"/feeds/{post_id}/comments/default"] = (200, {}, data("blogger_comments.xml"))
    url = "https://windazure.blogspot.com/2019/07/priorityqueue.html"
    thread = fetch(url, base_urls={"blogger": replay.url}, **opts)
    paths = [target.split("?")[0] for _, target, _ in replay.log]
    assert paths == [
        "/feeds/posts/summary",
        f"/feeds/posts/default/{post_id}",
        f"/feeds/{post_id}/comments/default",
    ]
    assert len(thread.comments) > 0
    with pytest.raises(NotFoundError, match="no post with this address"):
        fetch(url.replace("priorityqueue", "missing"), base_urls={"blogger": replay.url}, **opts)


def test_blogger_finds_the_post_by_address(replay: Replay, opts: Any) -> None:
    replay.json("/feeds/posts/summary", data("blogger_posts_summary.json"))
    replay.routes["/feeds/posts/default/456"] = (200, {}, data("blogger_post.xml"))
    replay.routes["/feeds/456/comments/default"] = (200, {}, data("blogger_comments.xml"))
    url = "https://powertrip.blogspot.com/2012/05/on-social-media-power-trip.html"
    thread = fetch(url, base_urls={"blogger": replay.url}, **opts)
    assert thread.post.title == "On a social media power trip?" and thread.post.author == "Steve"
    assert thread.get("9002").parent_id == "9001"
    assert thread.get("9003").status in ("deleted", "removed")


def test_unknown_url_lists_every_source_with_an_example() -> None:
    with pytest.raises(UnsupportedURLError) as caught:
        fetch("https://example.com/some/page")
    message = str(caught.value)
    for example in ("news.ycombinator.com/item?id=", "reddit.com", "bsky.app", "github.com"):
        assert example in message
    assert isinstance(caught.value, ValueError)


def test_errors_name_the_url(replay: Replay, opts: Any) -> None:
    replay.json("/api/v1/items/1", b"{}", status=404)
    replay.json("/api/v1/items/2", b"{}", status=403)
    base = {"hackernews": replay.url}
    with pytest.raises(NotFoundError, match=r"/api/v1/items/1: not found"):
        fetch("https://news.ycombinator.com/item?id=1", base_urls=base, **opts)
    with pytest.raises(PrivateError, match="private") as caught:
        fetch("https://news.ycombinator.com/item?id=2", base_urls=base, **opts)
    assert isinstance(caught.value, FetchError) and caught.value.url.endswith("/items/2")
