"""Tolerant importers: undeclared XML prefixes (still defusedxml), and the new JSON formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from threadwidget.formats import ThreadFileError, detect_format, load_with_report

SOURCES = Path(__file__).parent.parent / "data" / "sources"

BLOGGER = b"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns='http://www.w3.org/2005/Atom'>
<entry><id>tag:blogger.com,1999:blog-1.post-456</id><published>2012-05-01T10:00:00Z</published>
<title>On a social media power trip?</title><content type='html'>Are you on one?</content>
<app:control><app:draft>no</app:draft></app:control></entry>
<entry><id>tag:blogger.com,1999:blog-1.post-9</id><published>2012-05-01T11:00:00Z</published>
<content type='html'>I agree</content><author><name>Jennifer</name></author>
<thr:in-reply-to ref='tag:blogger.com,1999:blog-1.post-456'/></entry>
</feed>"""

WORDPRESS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Blog</title><wp:wxr_version>1.2</wp:wxr_version>
<item><title>Power trip</title><wp:post_id>42</wp:post_id><wp:post_name>power-trip</wp:post_name>
<wp:post_date_gmt>2024-05-01 10:00:00</wp:post_date_gmt>
<wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author>Ann</wp:comment_author>
<wp:comment_date_gmt>2024-05-01 11:00:00</wp:comment_date_gmt>
<wp:comment_content>Hello</wp:comment_content><wp:comment_approved>1</wp:comment_approved>
<wp:comment_parent>0</wp:comment_parent></wp:comment></item></channel></rss>"""


def test_blogger_with_undeclared_prefixes_loads_and_says_so() -> None:
    thread, report = load_with_report(text=BLOGGER)
    assert thread.post.title == "On a social media power trip?"
    assert thread.get("9").author == "Jennifer"
    assert any("app:" in n and "thr:" in n for n in report.notes)


def test_wordpress_with_undeclared_wp_prefix_is_detected_and_read() -> None:
    assert detect_format(WORDPRESS) == "wordpress"
    thread, _ = load_with_report(text=WORDPRESS)
    assert thread.get("1").body == "Hello"


def test_undeclared_prefixes_do_not_open_the_door_to_entities() -> None:
    bomb = BLOGGER.replace(b"<feed", b'<!DOCTYPE feed [<!ENTITY a "aaaa">]>\n<feed', 1).replace(
        b"Are you on one?", b"&a;"
    )
    with pytest.raises(ThreadFileError, match="refused"):
        load_with_report(text=bomb)


def test_other_malformed_xml_still_names_the_line() -> None:
    with pytest.raises(ThreadFileError, match=r"line 3, column \d+: not well-formed XML"):
        load_with_report(text=b"<feed xmlns='http://www.w3.org/2005/Atom'>\n<entry>\n</feed>")


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("bluesky_thread_captured.json", "bluesky"),
        ("bluesky_deleted_parent_snapshot.json", "bluesky"),
        ("hackernews_item_captured.json", "hackernews"),
        ("blogger_comments_removed_captured.xml", "blogger"),
    ],
)
def test_captured_files_are_detected(name: str, fmt: str) -> None:
    assert detect_format((SOURCES / name).read_bytes()) == fmt


def test_bluesky_blocked_reply_and_labelled_reply() -> None:
    # The AppView's own answer in its test network (atproto snapshot): a reply by someone the
    # reader blocks, and a reply with an image and a labeler's (non-hiding) labels.
    thread, _ = load_with_report(SOURCES / "bluesky_blocked_reply_snapshot.json")
    blocked, shown = thread.comments
    assert blocked.status == "hidden" and blocked.author == "[blocked]" and blocked.body == ""
    assert blocked.moderation is not None and blocked.moderation.by == "Bluesky"
    assert shown.status == "visible" and shown.author == "bobby (@bob.test)"
    assert shown.body.startswith("hear that label\\_me")
    assert (
        "[image: ../dev-env/assets/key-landscape-small.jpg](https://bsky.public.url/img/"
        in shown.body
    )
    assert "%28" in shown.body  # parentheses in the address escaped: the Markdown link holds
    (gap,) = thread.completeness.gaps  # the blocked reply's own replies are not in the answer
    assert (gap.kind, gap.parent_id, gap.count) == ("unavailable", blocked.id, None)
    assert thread.completeness.text() == (
        "incomplete: 1 deleted or blocked comment given without replies"
    )


@pytest.mark.parametrize(
    ("name", "gone"),
    [
        ("bluesky_blocked_parent_snapshot.json", "blocked"),
        ("bluesky_deleted_parent_snapshot.json", "deleted (not found)"),
    ],
)
def test_bluesky_top_post_gone_gives_a_placeholder(name: str, gone: str) -> None:
    thread, report = load_with_report(SOURCES / name)
    assert f"is {gone} on Bluesky" in thread.post.body
    assert "placeholder" in report.notes[0]
    assert thread.comments[0].parent_id is None and thread.comments[0].status == "visible"
    (gap,) = thread.completeness.gaps
    assert (gap.kind, gap.parent_id) == ("unavailable", None) and gone in gap.reason


def test_blogger_comment_feed_alone() -> None:
    # A real comment feed (www.hradiska.sk): 15 comments newest first, replies by rel="related",
    # one removed by its author ("Tento komentár bol odstránený autorom.") with two replies.
    thread, report = load_with_report(SOURCES / "blogger_comments_removed_captured.xml")
    assert "placeholder" in report.notes[0]
    assert thread.post.id == "blogger-5863411843847167997"
    assert (
        thread.post.url
        == "http://www.hradiska.sk/2016/08/ohlasit-archeologicky-nalez-sa-oplati.html"
    )
    assert thread.post.title.startswith("Slovanské Hradiská: Ohlásiť archeologický nález")
    assert len(thread.comments) == 15 and sum(c.parent_id is not None for c in thread.comments) == 7
    removed = thread.get("4824350773570080085")
    assert removed.status == "deleted" and removed.body == "" and removed.author == "Orgon"
    replies = [c.id for c in thread.comments if c.parent_id == removed.id]
    assert sorted(replies) == ["2291899072834537847", "8998189975703952693"]
    assert thread.post.created_at == min(c.created_at for c in thread.comments)


def test_discourse_file_with_staff_deleted_and_hidden_posts() -> None:
    data = json.loads((SOURCES / "discourse_posts.json").read_text(encoding="utf-8"))
    posts = data["post_stream"]["posts"]
    posts[1]["deleted_at"] = "2026-01-12T00:00:00Z"
    posts[2]["hidden"] = True
    posts[3]["user_deleted"] = True
    posts[4]["post_type"] = 3
    thread, report = load_with_report(text=json.dumps(data), format="discourse")
    assert thread.get(str(posts[1]["id"])).status == "removed"
    assert thread.get(str(posts[2]["id"])).status == "hidden"
    assert thread.get(str(posts[3]["id"])).status == "deleted"
    assert str(posts[4]["id"]) not in thread and "small-action" in report.notes[0]


def test_lemmy_and_github_issue_files() -> None:
    captured = json.loads((SOURCES / "lemmy_comments_captured.json").read_text(encoding="utf-8"))
    view = captured["comments"][0]
    lemmy = {"post_view": {k: view[k] for k in ("post", "creator", "community")}, **captured}
    assert detect_format(json.dumps(lemmy)) == "lemmy"
    issue = {
        "issue": json.loads((SOURCES / "github_issue.json").read_text(encoding="utf-8")),
        "comments": json.loads((SOURCES / "github_comments_page1.json").read_text("utf-8")),
    }
    issue["comments"][1]["user"] = None  # as for a deleted account
    thread, _ = load_with_report(text=json.dumps(issue))
    assert thread.post.title == "Issue created by PyGithub" and len(thread.comments) == 2
    assert [c.author for c in thread.comments] == ["jacquev6", "ghost"]


def test_github_discussion_saved_with_edges_html_and_no_times() -> None:
    # PyGithub's captured discussion 2177 written as another tool may save it: connections as
    # edges, bodies only as bodyHTML, one reply without createdAt.
    captured = json.loads((SOURCES / "github_discussions_captured.json").read_text("utf-8"))
    nodes = captured["data"]["repository"]["discussions"]["nodes"]
    discussion = next(n for n in nodes if n["number"] == 2177)
    discussion["body"] = "How do I revert it?"
    first, second = discussion["comments"]["nodes"]
    first["bodyHTML"] = "<p>Use <code>git revert</code> and <strong>-m 1</strong>.</p>"
    del first["replies"]["nodes"][1]["createdAt"]
    first["replies"] = {"edges": [{"node": n} for n in first["replies"]["nodes"]]}
    discussion["comments"] = {"edges": [{"node": first}, {"node": second}]}
    thread, report = load_with_report(text=json.dumps({"discussion": discussion}))
    assert report.format == "GitHub JSON" and len(thread.comments) == 6
    assert thread.get(first["id"]).body == "Use `git revert` and **-m 1**."
    timeless = first["replies"]["edges"][1]["node"]["id"]
    assert thread.get(timeless).parent_id == first["id"]
    assert thread.get(timeless).created_at == thread.get(first["id"]).created_at
    filled = {(p.place, p.reason) for p in report.filled}
    assert (
        "$.discussion.comments.edges[0].node.replies.edges[1].node.createdAt",
        "missing; read as its parent's time (estimated)",
    ) in filled
    assert thread.get(timeless).extra["time_estimated"] == "its parent's time"
    assert any(place.endswith("edges[1].node.body") for place, _ in filled)  # no body at all


def test_bluesky_negated_label_is_taken_back() -> None:
    # The labelled capture, with the moderation service taking its label back (``neg``).
    data = json.loads((SOURCES / "bluesky_labelled_captured.json").read_text("utf-8"))
    label = data["thread"]["post"]["labels"][0]
    data["thread"]["post"]["labels"].append({**label, "neg": True})
    thread, report = load_with_report(text=json.dumps(data))
    assert "labelled" not in thread.post.body and not report.notes
    assert thread.post.body.startswith("[image: no description](https://cdn.bsky.app/img/")
