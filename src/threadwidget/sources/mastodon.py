"""A Mastodon status and its conversation, on any instance (``/api/v1/statuses/:id/context``)."""

from __future__ import annotations

import re

from ..core.models import Thread
from .base import Context, Source, origin, to_thread
from .errors import UnexpectedAnswerError

__all__ = ["SOURCE"]


def _fetch(match: re.Match[str], url: str, ctx: Context) -> Thread:
    api = f"{ctx.base('mastodon', origin(url))}/api/v1/statuses/{match.group('id')}"
    status = ctx.client.get_json(api)
    if not isinstance(status, dict) or "id" not in status:
        raise UnexpectedAnswerError(api, "not a Mastodon status (no id)")
    context = ctx.client.get_json(f"{api}/context")
    if not isinstance(context, dict) or not {"ancestors", "descendants"} <= context.keys():
        keys = (
            ", ".join(sorted(context)[:5]) if isinstance(context, dict) else type(context).__name__
        )
        raise UnexpectedAnswerError(
            f"{api}/context", f"not a Mastodon context (no ancestors and descendants; {keys})"
        )
    ctx.page(len(context["descendants"]) + len(context["ancestors"]))
    return to_thread([status, context], "mastodon", url)[0]


SOURCE = Source(
    name="mastodon",
    label="Mastodon status (any instance)",
    example="https://mastodon.social/@Gargron/109318821117356215",
    pattern=re.compile(
        r"https?://[^/\s]+/(?:@[\w.-]+(?:@[\w.-]+)?|users/[\w.-]+/statuses|web/statuses)/"
        r"(?P<id>\d+)/?(?:[?#].*)?$"
    ),
    fetch=_fetch,
)
