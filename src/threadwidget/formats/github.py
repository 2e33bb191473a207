"""GitHub issue, pull request and discussion JSON.

Issues and pull requests: ``{"issue": <REST issue>, "comments": [<REST issue comments>]}`` (what
``threadwidget.fetch`` saves; GitHub's issue comments are flat, so every comment is top-level).
Discussions: the GraphQL ``repository.discussion`` object (or the whole ``{"data": ...}`` answer)
with ``comments`` and their ``replies`` (one level of replies, as on GitHub), each connection as
``nodes`` or ``edges[].node``. Bodies are GitHub Markdown, kept as written (``bodyHTML`` when a
tool saved only that, converted); a comment without a body or time loads with an empty body or its
parent's time, listed in ``LoadReport.filled`` (a warning). A deleted account is ``ghost``.
Minimized comments become spam (reason ``SPAM``) or hidden by "GitHub" with the reason;
``deletedAt`` → deleted.
Reactions: ``+1`` and ``heart`` (REST ``reactions``, GraphQL ``upvoteCount``) become ``likes``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from ..core.models import Thread
from ._common import Bad, RawComment, Reader, to_likes
from ._jsonutil import as_dict, obj, time_field
from ._markup import html_to_markdown

__all__ = ["LABEL", "looks_like", "read"]

LABEL = "GitHub JSON"


def _discussion(data: Any) -> dict[str, Any] | None:
    if not isinstance(data, dict):
        return None
    found = data.get("discussion")
    if not isinstance(found, dict):
        found = as_dict(as_dict(as_dict(data.get("data")).get("repository")).get("discussion"))
    return found or None


def looks_like(data: Any) -> bool:
    """True for ``{"issue", "comments"}`` or a GraphQL discussion."""
    if isinstance(data, dict) and isinstance(data.get("issue"), dict) and "comments" in data:
        return True
    return isinstance(_discussion(data), dict)


def _login(item: dict[str, Any], key: str) -> str:
    user = item.get(key)
    return str(user.get("login") or "ghost") if isinstance(user, dict) else "ghost"


def _reactions(item: dict[str, Any]) -> int:
    if "upvoteCount" in item:
        return to_likes(item.get("upvoteCount"))
    reactions = item.get("reactions")
    if isinstance(reactions, dict):
        return to_likes(reactions.get("+1")) + to_likes(reactions.get("heart"))
    return 0


def read(data: Any, rd: Reader) -> Thread:
    """A GitHub issue, pull request or discussion as a Thread."""
    discussion = _discussion(data)
    if discussion is not None:
        return _read_discussion(discussion, rd)
    try:
        issue = obj(obj(data, "$").get("issue"), "$.issue")
        created = time_field(issue, "created_at", "$.issue")
        comments = data.get("comments")
        if not isinstance(comments, list):
            raise Bad("expected a list", "$.comments")
    except Bad as error:
        rd.fail(error.place or "$", error.message)
    kind = "pull request" if issue.get("pull_request") else "issue"
    post = rd.make_post(
        "$.issue",
        id=f"gh-{issue.get('number', issue.get('id', 'issue'))}",
        title=str(issue.get("title") or f"GitHub {kind}"),
        author=_login(issue, "user"),
        body=str(issue.get("body") or ""),
        created_at=created,
        url=issue.get("html_url"),
    )
    for index, item in enumerate(comments):
        place = f"$.comments[{index}]"
        source_id = str(item.get("id")) if isinstance(item, dict) and item.get("id") else place
        with rd.comment(place, source_id, None):
            item = obj(item, place)
            when, estimated = rd.when(item.get("created_at"), f"{place}.created_at", source_id)
            updated = time_field(item, "updated_at", place) if item.get("updated_at") else None
            if updated is not None and (when is None or (updated - when).total_seconds() <= 60):
                updated = None
            rd.add(
                RawComment(
                    source_id=source_id,
                    parent=None,
                    author=_login(item, "user"),
                    body=str(item.get("body") or ""),
                    created_at=when,
                    estimated=estimated,
                    edited_at=updated,
                    likes=_reactions(item),
                    place=place,
                )
            )
    return rd.finish(post)


def _nodes(item: dict[str, Any], key: str, place: str) -> list[tuple[str, Any]]:
    """The items of a GraphQL connection, written as ``nodes`` or as ``edges[].node``."""
    box = as_dict(item.get(key))
    if isinstance(box.get("nodes"), list):
        return [(f"{place}.{key}.nodes[{i}]", n) for i, n in enumerate(box["nodes"])]
    edges = box["edges"] if isinstance(box.get("edges"), list) else []
    return [(f"{place}.{key}.edges[{i}].node", as_dict(e).get("node")) for i, e in enumerate(edges)]


def _body(item: dict[str, Any], place: str, source_id: str, rd: Reader) -> str:
    """``body`` (Markdown), else ``bodyHTML`` converted; neither: empty, noted in the report."""
    if isinstance(item.get("body"), str):
        return str(item["body"])
    if isinstance(item.get("bodyHTML"), str):
        return html_to_markdown(item["bodyHTML"])
    rd.filled(f"{place}.body", source_id, "missing; read as empty")
    return ""


def _read_discussion(discussion: dict[str, Any], rd: Reader) -> Thread:
    place = "$.discussion"
    try:
        created = time_field(discussion, "createdAt", place)
    except Bad as error:
        rd.fail(error.place or place, error.message)
    body = _body(discussion, place, str(discussion.get("id") or "post"), rd)
    post = rd.make_post(
        place,
        id=f"gh-discussion-{discussion.get('number', 'post')}",
        title=str(discussion.get("title") or "GitHub discussion"),
        author=_login(discussion, "author"),
        body=body,
        created_at=created,
        url=discussion.get("url"),
    )
    todo: list[tuple[str, Any, str | None, datetime]] = [
        (p, n, None, created) for p, n in _nodes(discussion, "comments", place)
    ]
    for item_place, item, parent, parent_time in todo:  # grows while walked: replies follow
        source_id = str(item.get("id")) if isinstance(item, dict) and item.get("id") else item_place
        with rd.comment(item_place, source_id, parent):
            raw = _discussion_comment(item, source_id, parent, item_place, parent_time, rd)
            rd.add(raw)
            if parent is None:
                replies = _nodes(item, "replies", item_place)
                todo += [(p, n, source_id, raw.created_at or parent_time) for p, n in replies]
    return rd.finish(post)


def _discussion_comment(
    item: Any, source_id: str, parent: str | None, place: str, parent_time: datetime, rd: Reader
) -> RawComment:
    item = obj(item, place)
    alternatives = (("its parent's time", parent_time),)
    created, estimated = rd.when(
        item.get("createdAt"), f"{place}.createdAt", source_id, alternatives
    )
    deleted = bool(item.get("deletedAt"))
    moderated = None
    if item.get("isMinimized") and not deleted:
        reason = str(item.get("minimizedReason") or "minimized").lower().replace("_", " ")
        status: Literal["spam", "hidden"] = "spam" if reason == "spam" else "hidden"
        moderated = rd.flag(place, source_id, f"minimized on GitHub: {reason}", status, "GitHub")
    edited = None
    if item.get("lastEditedAt"):
        edited = time_field(item, "lastEditedAt", place)
    return RawComment(
        source_id=source_id,
        parent=parent,
        author=_login(item, "author"),
        body="" if deleted else _body(item, place, source_id, rd),
        created_at=created,
        edited_at=edited,
        status="deleted" if deleted else "visible",
        likes=_reactions(item),
        place=place,
        moderated=moderated,
        estimated=estimated,
    )
