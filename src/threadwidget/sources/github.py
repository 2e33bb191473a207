"""GitHub issues and pull requests (REST, all comment pages) and discussions (GraphQL, threaded).

``GITHUB_TOKEN`` (or ``token=``) is sent when set; discussions need it (GitHub's GraphQL API
refuses anonymous requests), so without one a :class:`TokenRequiredError` says how to set it.
"""

from __future__ import annotations

import os
import re
from typing import Any

from ..core.models import Thread
from ..formats._jsonutil import as_dict
from .base import Context, Source, to_thread
from .errors import FetchError, NotFoundError, TokenRequiredError

__all__ = ["DISCUSSION_QUERY", "REPLIES_QUERY", "SOURCE"]

DEFAULT_BASE = "https://api.github.com"
PER_PAGE = 100
_FIELDS = "id body createdAt lastEditedAt deletedAt isMinimized minimizedReason upvoteCount"
_REPLIES = f"""
  pageInfo {{ hasNextPage endCursor }}
  nodes {{ {_FIELDS} author {{ login }} }}
"""
DISCUSSION_QUERY = f"""
query($owner: String!, $name: String!, $number: Int!, $after: String) {{
  repository(owner: $owner, name: $name) {{
    discussion(number: $number) {{
      number title body url createdAt author {{ login }}
      comments(first: 100, after: $after) {{
        pageInfo {{ hasNextPage endCursor }}
        nodes {{ {_FIELDS} author {{ login }} replies(first: 100) {{ {_REPLIES} }} }}
      }}
    }}
  }}
}}
"""
#: the further replies of one comment (GitHub's connections give at most 100 at a time)
REPLIES_QUERY = f"""
query($id: ID!, $after: String) {{
  node(id: $id) {{
    ... on DiscussionComment {{ replies(first: 100, after: $after) {{ {_REPLIES} }} }}
  }}
}}
"""


def _headers(ctx: Context) -> dict[str, str]:
    headers = {"Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"}
    token = ctx.token or os.environ.get("GITHUB_TOKEN")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers


def _issue(match: re.Match[str], url: str, ctx: Context, base: str) -> Thread:
    repo = f"{base}/repos/{match.group('owner')}/{match.group('repo')}"
    number = match.group("number")
    headers = _headers(ctx)
    issue = ctx.client.get_json(f"{repo}/issues/{number}", headers=headers)
    total = int(issue.get("comments") or 0) if isinstance(issue, dict) else 0
    needed = max(1, -(-total // PER_PAGE))
    pages = min(needed, ctx.max_pages)
    comments: list[Any] = []
    ctx.page(0, pages + 1)
    for page in range(1, pages + 1):
        batch = ctx.client.get_json(
            f"{repo}/issues/{number}/comments",
            params={"per_page": PER_PAGE, "page": page},
            headers=headers,
        )
        comments += batch if isinstance(batch, list) else []
        ctx.page(len(comments))
    if pages < needed:
        ctx.cut(
            f"read {pages} of {needed} pages of comments (max_pages={ctx.max_pages})",
            max(total - len(comments), 0),
        )
    return to_thread({"issue": issue, "comments": comments}, "github", url)[0]


def _discussion(match: re.Match[str], url: str, ctx: Context, base: str) -> Thread:
    headers = _headers(ctx)
    if "Authorization" not in headers:
        raise TokenRequiredError(
            url,
            "GitHub discussions are read through GitHub's GraphQL API, which needs a token: "
            "set the GITHUB_TOKEN environment variable (a token with no scopes is enough) or "
            "pass token=",
        )
    variables: dict[str, Any] = {
        "owner": match.group("owner"),
        "name": match.group("repo"),
        "number": int(match.group("number")),
        "after": None,
    }
    discussion: dict[str, Any] | None = None
    nodes: list[Any] = []
    requests, cut = 0, False
    while True:
        requests += 1
        found = _ask(ctx, url, f"{base}/graphql", DISCUSSION_QUERY, variables, headers)
        discussion = as_dict(found.get("repository")).get("discussion")
        if not isinstance(discussion, dict):
            raise NotFoundError(url, "GitHub has no such discussion")
        comments = as_dict(discussion.get("comments"))
        info = as_dict(comments.get("pageInfo"))
        after = info.get("endCursor")
        if variables["after"] is not None and after == variables["after"]:
            break  # a server repeating its last page
        nodes += comments.get("nodes") or []
        ctx.page(_count(nodes))
        if not info.get("hasNextPage") or after is None:
            break
        if requests >= ctx.max_pages:
            cut = True
            break
        variables["after"] = after
    for comment in nodes:  # a comment with over 100 replies: ask for the rest of them
        replies = as_dict(as_dict(comment).get("replies"))
        info = as_dict(replies.get("pageInfo"))
        after = info.get("endCursor")
        while info.get("hasNextPage") and after is not None:
            if requests >= ctx.max_pages:
                cut = True
                break
            requests += 1
            more = {"id": comment.get("id"), "after": after}
            found = _ask(ctx, url, f"{base}/graphql", REPLIES_QUERY, more, headers)
            page = as_dict(as_dict(found.get("node")).get("replies"))
            info = as_dict(page.get("pageInfo"))
            if info.get("endCursor") == after:  # a server repeating its cursor: the same page
                break
            after = info.get("endCursor")
            replies["nodes"] = [*(replies.get("nodes") or []), *(page.get("nodes") or [])]
            ctx.page(_count(nodes))
    if cut:
        ctx.cut(
            f"read in {requests} requests (max_pages={ctx.max_pages}); the discussion has more "
            "comments or replies than were read",
        )
    assert discussion is not None
    discussion["comments"] = {"nodes": nodes}
    return to_thread({"discussion": discussion}, "github", url)[0]


def _count(nodes: list[Any]) -> int:
    """Comments and replies read so far."""
    replies = (as_dict(as_dict(n).get("replies")).get("nodes") or [] for n in nodes)
    return len(nodes) + sum(len(r) for r in replies)


def _ask(
    ctx: Context, url: str, endpoint: str, query: str, variables: Any, headers: dict[str, str]
) -> dict[str, Any]:
    """The ``data`` of one GraphQL answer; GraphQL's errors raised as fetch errors."""
    answer = ctx.client.post_json(endpoint, {"query": query, "variables": variables}, headers)
    if isinstance(answer, dict) and answer.get("errors"):
        message = "; ".join(str(as_dict(e).get("message")) for e in answer["errors"])
        kind = NotFoundError if "Could not resolve" in message else FetchError
        raise kind(url, f"GitHub GraphQL: {message}")
    return as_dict(as_dict(answer).get("data"))


def _fetch(match: re.Match[str], url: str, ctx: Context) -> Thread:
    base = ctx.base("github", DEFAULT_BASE)
    if match.group("kind") == "discussions":
        return _discussion(match, url, ctx, base)
    return _issue(match, url, ctx, base)


SOURCE = Source(
    name="github",
    label="GitHub issue, pull request or discussion",
    example="https://github.com/python/cpython/issues/100000",
    pattern=re.compile(
        r"https?://(?:www\.)?github\.com/(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+)/"
        r"(?P<kind>issues|pull|discussions)/(?P<number>\d+)"
    ),
    fetch=_fetch,
)
