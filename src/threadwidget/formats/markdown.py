"""Markdown export: the post, then comments oldest first, replies as nested blockquotes.

A reply at depth d has every line prefixed with ``> `` d times, under a header line with the
author, the time (UTC) and the like count; deleted comments show as ``*[deleted]*``.
"""

from __future__ import annotations

from datetime import datetime

from ..core.models import Comment, Thread

__all__ = ["LABEL", "render"]

LABEL = "Markdown"


def _when(comment_or_post_time: datetime) -> str:
    return comment_or_post_time.strftime("%Y-%m-%d %H:%M UTC")


def _inline(text: str) -> str:
    """An author name safe inside ``**...**`` on one line."""
    return " ".join(text.split()).replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_")


#: What stands in for a moderated comment (the document is for readers: no author, no text).
_PLACEHOLDERS = {
    "removed": "*[removed by a moderator]*",
    "hidden": "*[hidden by a moderator]*",
    "spam": "*[hidden by a moderator]*",
}


def _comment_lines(comment: Comment) -> list[str]:
    if comment.status in _PLACEHOLDERS:
        return [_PLACEHOLDERS[comment.status]]
    likes = f" · {comment.likes} like{'s' if comment.likes != 1 else ''}" if comment.likes else ""
    edited = f" · edited {_when(comment.edited_at)}" if comment.edited_at else ""
    head = f"**{_inline(comment.author)}** · {_when(comment.created_at)}{edited}{likes}"
    body = "*[deleted]*" if comment.status == "deleted" else (comment.body.strip() or "*(empty)*")
    return [head, "", *body.splitlines()]


def _has_visible(thread: Thread, comment_id: str) -> bool:
    """True if some reply below the comment is visible (so its placeholder keeps the tree)."""
    stack = list(thread.children(comment_id))
    while stack:
        child = stack.pop()
        if child.status == "visible":
            return True
        stack.extend(thread.children(child.id))
    return False


def render(thread: Thread) -> str:
    """The whole thread as one Markdown document."""
    post = thread.post
    out = [f"# {' '.join(post.title.split()) or 'Untitled'}", ""]
    by = f"*by {_inline(post.author)} · {_when(post.created_at)}*"
    if post.url:
        by += f" · <{post.url}>"
    out += [by, ""]
    if post.body.strip():
        out += [*post.body.strip().splitlines(), ""]
    visible = thread.visible_count()
    out += ["---", "", f"## Comments ({visible})", ""]
    stack = [(c, 0) for c in reversed(thread.children(None))]
    while stack:
        comment, depth = stack.pop()
        if comment.status in ("hidden", "spam") and not _has_visible(thread, comment.id):
            continue  # a reader does not see it at all
        prefix = "> " * depth
        for line in _comment_lines(comment):
            out.append((prefix + line).rstrip() if line else prefix.rstrip())
        out.append("")
        stack.extend((c, depth + 1) for c in reversed(thread.children(comment.id)))
    return "\n".join(out).rstrip() + "\n"
