"""fetch(url) against a local server replaying captured responses: every source, and its limits."""

from __future__ import annotations

import json
import warnings
from typing import Any
from urllib.parse import parse_qs, urlsplit

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
    # The captured answer with pg's comment 17 deleted: Algolia then gives only the node's id and
    # its children (algolia/hn-search app/serializers/item_serializer.rb at f1aa5673c78e).
    item = json.loads(data("hackernews_item_captured.json"))
    seventeen = item["children"][0]["children"][0]
    item["children"][0]["children"][0] = {"id": 17, "children": seventeen["children"]}
    replay.json("/api/v1/items/1", json.dumps(item).encode())
    thread = fetch(
        "https://news.ycombinator.com/item?id=1", base_urls={"hackernews": replay.url}, **opts
    )
    gone = thread.get("17")
    assert gone.status == "deleted" and gone.body == "" and gone.parent_id == "15"
    assert gone.created_at == thread.get("15").created_at  # no time of its own: its parent's
    assert thread.get("1079").parent_id == "17" and thread.get("1079").author == "dmon"


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


def test_bluesky_labelled_post(replay: Replay, opts: Any) -> None:
    # A real public AppView answer: a post Bluesky's moderation service labelled "porn".
    replay.json("/xrpc/app.bsky.feed.getPostThread", data("bluesky_labelled_captured.json"))
    url = "https://bsky.app/profile/did:plc:iyqgkr3bmlxwma7i63imodfs/post/3mh4g7iacos23"
    thread = fetch(url, base_urls={"bluesky": replay.url}, **opts)
    assert thread.post.body == "*(labelled porn on Bluesky; its media is not shown)*"
    assert thread.post.author == "Adrián (@naranjo47.bsky.social)" and not thread.comments
    asked = parse_qs(urlsplit(replay.log[0][1]).query)
    assert asked["uri"] == [
        "at://did:plc:iyqgkr3bmlxwma7i63imodfs/app.bsky.feed.post/3mh4g7iacos23"
    ]


def test_bluesky_labelled_reply_is_hidden_or_spam(replay: Replay, opts: Any) -> None:
    # The captured thread with the moderation service's labels put on two replies (the label
    # objects as the labelled capture carries them).
    thread_data = json.loads(data("bluesky_thread_captured.json"))
    label = json.loads(data("bluesky_labelled_captured.json"))["thread"]["post"]["labels"][0]
    replies = thread_data["thread"]["replies"]
    replies[0]["post"]["labels"] = [{**label, "val": "spam"}]
    replies[1]["post"]["labels"] = [label, {**label, "val": "nudity"}]
    replay.json(
        "/xrpc/com.atproto.identity.resolveHandle", b'{"did": "did:plc:uy7ehrx332p6dow5sk32hxzq"}'
    )
    replay.json("/xrpc/app.bsky.feed.getPostThread", json.dumps(thread_data).encode())
    url = "https://bsky.app/profile/someone.bsky.social/post/3k7rmyigapw2y"
    thread = fetch(url, base_urls={"bluesky": replay.url}, **opts)
    spam = thread.get(replies[0]["post"]["uri"].rsplit("/", 1)[-1])
    hidden = thread.get(replies[1]["post"]["uri"].rsplit("/", 1)[-1])
    assert spam.status == "spam"
    assert hidden.status == "hidden" and hidden.moderation is not None
    assert hidden.moderation.reason == "labelled nudity, porn on Bluesky"


def test_bluesky_replies_the_author_hid(replay: Replay, opts: Any) -> None:
    # The captured thread with the labelled capture's threadgate, its hiddenReplies naming one
    # reply (the captured threadgate hides none).
    thread_data = json.loads(data("bluesky_thread_captured.json"))
    gate = json.loads(data("bluesky_labelled_captured.json"))["threadgate"]
    hidden_uri = thread_data["thread"]["replies"][0]["post"]["uri"]
    gate["record"]["hiddenReplies"] = [hidden_uri]
    thread_data["threadgate"] = gate
    replay.json(
        "/xrpc/com.atproto.identity.resolveHandle", b'{"did": "did:plc:uy7ehrx332p6dow5sk32hxzq"}'
    )
    replay.json("/xrpc/app.bsky.feed.getPostThread", json.dumps(thread_data).encode())
    url = "https://bsky.app/profile/someone.bsky.social/post/3k7rmyigapw2y"
    thread = fetch(url, base_urls={"bluesky": replay.url}, **opts)
    hidden = thread.get(hidden_uri.rsplit("/", 1)[-1])
    assert hidden.status == "hidden" and hidden.moderation is not None
    assert hidden.moderation.by == thread.post.author
    assert hidden.moderation.reason == "hidden by the thread's author on Bluesky"
    assert sum(c.status == "hidden" for c in thread.comments) == 1


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


def _discussion_server(number: int) -> Any:
    """A /graphql handler serving discussion ``number`` of PyGithub's captured GraphQL answer
    one comment and one reply per page: each page ends at the cursor GitHub gave that item."""
    nodes = json.loads(data("github_discussions_captured.json"))["data"]["repository"]
    captured = next(n for n in nodes["discussions"]["nodes"] if n["number"] == number)

    def page(box: dict[str, Any], after: str | None) -> dict[str, Any]:
        """The first item alone (its cursor is the captured startCursor), then all the rest."""
        info, items = box["pageInfo"], box["nodes"]
        assert after in (None, info["startCursor"]), after
        if after is None and len(items) > 1:
            first = {"hasNextPage": True, "endCursor": info["startCursor"]}
            return {"pageInfo": first, "nodes": items[:1]}
        rest = items if after is None else items[1:]
        return {"pageInfo": {"hasNextPage": False, "endCursor": info["endCursor"]}, "nodes": rest}

    def answer(method: str, query: dict[str, list[str]], body: bytes) -> Any:
        asked = json.loads(body)
        variables = asked["variables"]
        if "node(id:" in asked["query"]:  # the rest of one comment's replies
            comment = next(c for c in captured["comments"]["nodes"] if c["id"] == variables["id"])
            payload: Any = {"node": {"replies": page(comment["replies"], variables["after"])}}
        else:
            assert variables["number"] == number
            comments = page(captured["comments"], variables["after"])
            comments["nodes"] = [
                {**c, "replies": page(c["replies"], None)} for c in comments["nodes"]
            ]
            payload = {"repository": {"discussion": {**captured, "comments": comments}}}
        return 200, {"Content-Type": "application/json"}, json.dumps({"data": payload}).encode()

    return answer


def test_github_discussion_captured_threads_and_pages(
    replay: Replay, opts: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PyGithub's recorded answer of api.github.com/graphql (tests/data/SOURCES.md): discussion 2177,
    # two comments (3 and 1 replies); its query asked for no bodies, so every body is "filled".
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    url = "https://github.com/PyGithub/PyGithub/discussions/2177"
    with pytest.raises(TokenRequiredError, match="GITHUB_TOKEN"):
        fetch(url, base_urls={"github": replay.url}, **opts)
    replay.routes["/graphql"] = _discussion_server(2177)
    with pytest.warns(UserWarning, match="body"):
        thread = fetch(url, base_urls={"github": replay.url}, token="x", **opts)
    assert thread.post.title == "How to Revert a Merged PR" and thread.post.author == "jackfurr"
    assert thread.post.url == url
    by_id = {c.id: c for c in thread.comments}
    assert [c.id for c in thread.comments if c.parent_id is None] == [
        "DC_kwDOADYVqs4ALblT",
        "DC_kwDOADYVqs4AV6p6",
    ]
    assert [c.author for c in thread.comments if c.parent_id == "DC_kwDOADYVqs4ALblT"] == [
        "jackfurr",
        "ltagliamonte-dd",
        "bassil-overjet",
    ]
    assert by_id["DC_kwDOADYVqs4AV6z_"].parent_id == "DC_kwDOADYVqs4AV6p6"
    assert by_id["DC_kwDOADYVqs4ANSYq"].created_at.isoformat() == "2022-08-26T12:34:35+00:00"
    assert len(thread.comments) == 6
    # Two pages of comments, and the rest of the first comment's replies asked by its node id.
    asked = [json.loads(b) for m, t, h, b in replay.bodies if t == "/graphql"]
    assert [a["variables"].get("after") for a in asked] == [
        None,
        "Y3Vyc29yOnYyOpK5MjAyMi0wNi0yMVQyMTowNToyNyswMjowMM4ALblT",
        "Y3Vyc29yOnYyOpHOAC292g==",
    ]
    assert asked[2]["variables"]["id"] == "DC_kwDOADYVqs4ALblT"
    assert "isMinimized" in asked[0]["query"] and "deletedAt" in asked[0]["query"]
    # Two requests allowed: both comment pages are read, the first comment's other replies not.
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        cut = fetch(
            url, base_urls={"github": replay.url}, token="x", **opts, max_pages=2, refresh=True
        )
    said = [str(w.message) for w in seen]
    assert any("read in 2 requests (max_pages=2); the discussion has more" in m for m in said)
    assert len(cut.comments) == 4


def test_github_discussion_server_repeating_its_cursor(replay: Replay, opts: Any) -> None:
    # Every answer says "more after this cursor", with the same cursor: read once, no duplicates.
    captured = json.loads(data("github_discussions_captured.json"))["data"]["repository"]
    discussion = next(n for n in captured["discussions"]["nodes"] if n["number"] == 2177)
    discussion["comments"]["pageInfo"]["hasNextPage"] = True
    answer = {"data": {"repository": {"discussion": discussion}}}
    replay.json("/graphql", json.dumps(answer).encode())
    url = "https://github.com/PyGithub/PyGithub/discussions/2177"
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        thread = fetch(url, base_urls={"github": replay.url}, token="x", **opts)
    said = " ".join(str(w.message) for w in seen)
    assert "duplicate" not in said and "max_pages" not in said
    assert len(thread.comments) == 6
    assert sum(1 for m, t, _ in replay.log if t == "/graphql") == 2


def test_github_discussion_by_a_deleted_account(
    replay: Replay, opts: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    replay.routes["/graphql"] = _discussion_server(2619)  # captured with "author": null
    url = "https://github.com/PyGithub/PyGithub/discussions/2619"
    with pytest.warns(UserWarning, match="read as empty"):
        thread = fetch(url, base_urls={"github": replay.url}, token="x", **opts)
    assert thread.post.author == "ghost"
    assert [(c.author, c.parent_id) for c in thread.comments] == [("sheeehy", None)]


def test_github_discussion_moderation_fields(replay: Replay, opts: Any) -> None:
    # PyGithub's capture with GitHub's moderation fields set on two replies (no recorded answer
    # asks for isMinimized or deletedAt), and a body and an edit on the first comment.
    captured = json.loads(data("github_discussions_captured.json"))["data"]["repository"]
    discussion = next(n for n in captured["discussions"]["nodes"] if n["number"] == 2177)
    first = discussion["comments"]["nodes"][0]
    first.update(body="Try `git revert -m 1`.", lastEditedAt="2022-06-22T08:00:00Z", upvoteCount=4)
    spam, deleted, _ = first["replies"]["nodes"]
    spam.update(body="cheap pills", isMinimized=True, minimizedReason="SPAM")
    deleted.update(body="", deletedAt="2022-08-26T00:00:00Z")
    answer = {"data": {"repository": {"discussion": discussion}}}
    replay.json("/graphql", json.dumps(answer).encode())
    url = "https://github.com/PyGithub/PyGithub/discussions/2177"
    with pytest.warns(UserWarning, match="read as empty"):  # the others still have no body
        thread = fetch(url, base_urls={"github": replay.url}, token="x", **opts)
    comment = thread.get(first["id"])
    assert comment.body == "Try `git revert -m 1`." and comment.likes == 4
    assert comment.edited_at is not None
    assert (
        thread.get(spam["id"]).status == "spam" and thread.get(spam["id"]).parent_id == first["id"]
    )
    assert thread.get(deleted["id"]).status == "deleted"


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
    # A blog that does not answer ?path= (404 here): the post id is found in its summary feed, a
    # real one (windazure.blogspot.com); the post and comment feeds served after it are
    # hand-written Atom, served at the id the capture gives.
    replay.json("/feeds/posts/summary", data("blogger_posts_captured.json"))
    post_id = "356042424318268556"
    replay.routes[f"/feeds/posts/default/{post_id}"] = (200, {}, data("blogger_post.xml"))
    replay.routes[f"/feeds/{post_id}/comments/default"] = (200, {}, data("blogger_comments.xml"))
    url = "https://windazure.blogspot.com/2019/07/priorityqueue.html"
    thread = fetch(url, base_urls={"blogger": replay.url}, **opts)
    paths = [target.split("?")[0] for _, target, _ in replay.log]
    assert paths == [
        "/feeds/posts/default",
        "/feeds/posts/summary",
        f"/feeds/posts/default/{post_id}",
        f"/feeds/{post_id}/comments/default",
    ]
    assert len(thread.comments) > 0
    with pytest.raises(NotFoundError, match="no post with this address"):  # nor at its ?path=
        fetch(url.replace("priorityqueue", "missing"), base_urls={"blogger": replay.url}, **opts)


HRADISKA = "/2023/01/bronzovy-poklad-z-hradiska-na-strednom.html"


def test_blogger_post_by_address_and_its_comment_feed(replay: Replay, opts: Any) -> None:
    # Real answers of www.hradiska.sk (tests/data/SOURCES.md): the post from its posts feed, as a
    # ?path= query answers it, and the post's comment feed (two comments, one replying).
    post = data("blogger_post_captured.xml")
    replay.routes["/feeds/posts/default"] = (200, {}, post)
    comments = "/feeds/7363549676454738514/comments/default"
    replay.routes[comments] = (200, {}, data("blogger_comments_captured.xml"))
    url = f"http://www.hradiska.sk{HRADISKA}"
    thread = fetch(url, base_urls={"blogger": replay.url}, **opts)
    assert thread.post.title == "Bronzový poklad z hradiska na strednom Považí"
    assert thread.post.author == "Orgon" and thread.post.url == url
    assert sorted(c.id for c in thread.comments) == ["6748192159515915561", "7325823601297060803"]
    assert thread.get("6748192159515915561").parent_id == "7325823601297060803"
    assert thread.get("7325823601297060803").author == "Anonymous"
    assert [(t.split("?")[0], parse_qs(urlsplit(t).query)) for _, t, _ in replay.log] == [
        ("/feeds/posts/default", {"path": [HRADISKA]}),
        (comments, {"max-results": ["150"], "start-index": ["1"]}),
    ]


def test_blogger_shaped_address_on_another_site(replay: Replay, opts: Any) -> None:
    url = "https://example.org/2024/05/a-post.html"  # not Blogger: the server has no feeds
    with pytest.raises(NotFoundError, match=r"example\.org has no Blogger feed"):
        fetch(url, base_urls={"blogger": replay.url}, **opts)
    page = (200, {"Content-Type": "text/html"}, b"<!DOCTYPE html><html><body>Hi</body></html>")
    replay.routes["/feeds/posts/default"] = replay.routes["/feeds/posts/summary"] = page
    with pytest.raises(NotFoundError, match=r"example\.org has no Blogger feed"):  # a web page
        fetch(url, base_urls={"blogger": replay.url}, **opts, refresh=True)


def test_blogger_server_ignoring_the_path_query(replay: Replay, opts: Any) -> None:
    # A server that answers ?path= with its latest posts (here the captured hradiska feed,
    # whose post is not the one asked for): the post is looked up in the summary instead.
    replay.routes["/feeds/posts/default"] = (200, {}, data("blogger_post_captured.xml"))
    url = "http://www.hradiska.sk/2099/01/not-that-post.html"
    replay.json("/feeds/posts/summary", data("blogger_posts_captured.json"))
    with pytest.raises(NotFoundError, match="no post with this address"):
        fetch(url, base_urls={"blogger": replay.url}, **opts)
    assert [t.split("?")[0] for _, t, _ in replay.log] == [
        "/feeds/posts/default",
        "/feeds/posts/summary",
    ]


def test_fetch_refuses_max_pages_below_one() -> None:
    with pytest.raises(ValueError, match="max_pages must be a whole number of at least 1, not 0"):
        fetch("https://news.ycombinator.com/item?id=1", max_pages=0)


def _pages(feed: bytes, per_page: int, next_host: str) -> list[bytes]:
    """A captured comment feed cut into pages linked by rel="next", as Blogger pages it."""
    text = feed.decode("utf-8")
    head, rest = text.split("<entry>", 1)
    entries = [
        "<entry>" + e for e in ("<entry>" + rest).removesuffix("</feed>").split("<entry>")[1:]
    ]
    pages = []
    for at in range(0, len(entries), per_page):
        more = at + per_page < len(entries)
        link = (
            f"<link rel='next' type='application/atom+xml' href='{next_host}"
            f"?start-index={at + per_page + 1}&amp;max-results={per_page}'/>"
        )
        pages.append(
            (
                head + (link if more else "") + "".join(entries[at : at + per_page]) + "</feed>"
            ).encode()
        )
    return pages


def test_blogger_follows_the_comment_feeds_next_links(replay: Replay, opts: Any) -> None:
    # The captured comment feed served one comment per page; each page's next link names the
    # blog's own host, and the fetch asks its base URL for that page.
    replay.routes["/feeds/posts/default"] = (200, {}, data("blogger_post_captured.xml"))
    comments = "/feeds/7363549676454738514/comments/default"
    pages = _pages(
        data("blogger_comments_captured.xml"),
        1,
        "http://www.blogger.com/feeds/6818054921907446479/7363549676454738514/comments/default",
    )

    def page(method: str, query: dict[str, list[str]], body: bytes) -> Any:
        return 200, {}, pages[int(query["start-index"][0]) - 1]

    replay.routes[comments] = page
    url = f"http://www.hradiska.sk{HRADISKA}"
    thread = fetch(url, base_urls={"blogger": replay.url}, **opts)
    assert len(thread.comments) == 2
    asked = [parse_qs(urlsplit(t).query) for _, t, _ in replay.log if t.startswith(comments)]
    assert asked == [
        {"max-results": ["150"], "start-index": ["1"]},
        {"max-results": ["1"], "start-index": ["2"]},
    ]
    with pytest.warns(UserWarning, match=r"read 1 pages of comments \(max_pages=1\)"):
        cut = fetch(
            url, base_urls={"blogger": replay.url}, **{**opts, "max_pages": 1}, refresh=True
        )
    assert len(cut.comments) == 1


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
