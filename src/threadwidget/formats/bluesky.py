"""Bluesky ``app.bsky.feed.getPostThread`` JSON: a post, its parents and its replies.

The topmost parent in the file is the post; every other post is a comment linked by nesting.
``notFound`` nodes (deleted posts) become deleted comments; ``blocked`` nodes become comments
hidden by "Bluesky" (their text is not in the file); posts labelled ``spam`` get status "spam",
``!hide``/``!takedown`` or an adult or graphic media label (``porn``, ``sexual``, ``nudity``,
``graphic-media``, ``gore``: what Bluesky's apps hide or blur unless the reader opted in) status
"hidden", the label named; a labelled top post says so and keeps its text. Text is plain text
(escaped); the link, mention and hashtag facets of a post (byte ranges of its UTF-8 text) become
Markdown links, so a link Bluesky shortens in the text (``mashable.com/article/blue...``) keeps its
full address. Replies the thread's author hid (its threadgate's ``hiddenReplies``) are hidden by
that author. Attached images become links (``[image: alt text](...)``, never loaded in the page),
except on labelled posts. ``likeCount`` is ``likes``.
"""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any, Literal
from urllib.parse import quote

from ..core.models import Thread
from ._common import Bad, RawComment, Reader, to_likes
from ._jsonutil import as_dict, as_list, obj
from ._markup import html_to_markdown, text_to_markdown

__all__ = ["LABEL", "looks_like", "read"]

LABEL = "Bluesky JSON"
_NODE = "app.bsky.feed.defs#"


def looks_like(data: Any) -> bool:
    """True for ``{"thread": {...}}`` whose thread is a thread view, notFound or blocked node."""
    thread = data.get("thread") if isinstance(data, dict) else None
    if not isinstance(thread, dict):
        return False
    kind = str(thread.get("$type", ""))
    return kind.startswith(_NODE) or ("post" in thread and "replies" in thread)


def _rkey(uri: object) -> str:
    """``3k2a…`` from ``at://did:plc:…/app.bsky.feed.post/3k2a…``."""
    return str(uri or "").rstrip("/").rsplit("/", 1)[-1] or "post"


def _author(post: dict[str, Any]) -> str:
    author = as_dict(post.get("author"))
    handle, name = author.get("handle"), author.get("displayName")
    if name and handle:
        return f"{name} (@{handle})"
    return str(name or (f"@{handle}" if handle else "anonymous"))


#: how a placeholder names a node Bluesky did not give
_GONE = {"notFound": "deleted (not found)", "blocked": "blocked"}


def _kind(node: dict[str, Any]) -> str:
    if node.get("notFound") or str(node.get("$type", "")).endswith("notFoundPost"):
        return "notFound"
    if node.get("blocked") or str(node.get("$type", "")).endswith("blockedPost"):
        return "blocked"
    return "post"


#: labels that hide a post: moderation's own, and the adult or graphic media labels Bluesky's apps
#: hide or blur unless the reader opted in (docs.bsky.app, "Labels and moderation")
_HIDING = {"!hide", "!takedown", "porn", "sexual", "nudity", "graphic-media", "gore"}


def _label(post: dict[str, Any]) -> str | None:
    """``spam``, the hiding labels on a post (``porn, sexual``), or None."""
    labels = [x for x in as_list(post.get("labels")) if isinstance(x, dict)]
    # a negation label (``neg``) takes back the same label from the same labeler
    taken_back = {(x.get("src"), x.get("val")) for x in labels if x.get("neg")}
    values = {
        str(x.get("val"))
        for x in labels
        if not x.get("neg") and (x.get("src"), x.get("val")) not in taken_back
    }
    if "spam" in values:
        return "spam"
    return ", ".join(sorted(values & _HIDING)) or None


def _images(post: dict[str, Any]) -> list[str]:
    """Markdown links to a post's attached images (links, so the page never loads them)."""
    embed = as_dict(post.get("embed"))
    if str(embed.get("$type", "")).startswith("app.bsky.embed.recordWithMedia"):
        embed = as_dict(embed.get("media"))
    if not str(embed.get("$type", "")).startswith("app.bsky.embed.images"):
        return []
    links = []
    for image in as_list(embed.get("images")):
        image = as_dict(image)
        href = image.get("fullsize") or image.get("thumb")
        if isinstance(href, str) and href.startswith("https://"):
            alt = " ".join(str(image.get("alt") or "").split()) or "no description"
            href = quote(href, safe=":/?&=#%@+,;~")
            links.append(f"[image: {text_to_markdown(alt)}]({href})")
    return links


def _body(post: dict[str, Any], label: str | None) -> str:
    """A post's text and image links (none on a labelled post)."""
    text = _text(as_dict(post.get("record")))
    images = [] if label else _images(post)
    return "\n\n".join(part for part in (text, "\n".join(images)) if part)


def _facet_href(facet: Any) -> str | None:
    """Where a richtext facet points: a link's URI, a mention's profile, a hashtag's page."""
    for feature in as_list(as_dict(facet).get("features")):
        feature = as_dict(feature)
        kind = str(feature.get("$type", ""))
        if kind.endswith("#link") and isinstance(feature.get("uri"), str):
            return str(feature["uri"])
        if kind.endswith("#mention") and isinstance(feature.get("did"), str):
            return f"https://bsky.app/profile/{feature['did']}"
        if kind.endswith("#tag") and isinstance(feature.get("tag"), str):
            return f"https://bsky.app/hashtag/{quote(feature['tag'], safe='')}"
    return None


def _text(record: dict[str, Any]) -> str:
    """A post's text as Markdown, its facets (UTF-8 byte ranges) as links."""
    text = str(record.get("text") or "")
    data = text.encode("utf-8")
    spans: list[tuple[int, int, str]] = []
    for facet in as_list(record.get("facets")):
        index = as_dict(as_dict(facet).get("index"))
        start, end, href = index.get("byteStart"), index.get("byteEnd"), _facet_href(facet)
        if not (isinstance(start, int) and isinstance(end, int) and href):
            continue
        inside = 0 <= start < end <= len(data)
        if inside and all(end <= s or start >= e for s, e, _ in spans):
            spans.append((start, end, href))
    if not spans:
        return text_to_markdown(text)

    def piece(chunk: bytes) -> str:
        part = html.escape(chunk.decode("utf-8", errors="replace"))
        return part.replace("\n", "<br>\n")

    out, at = [], 0
    for start, end, href in sorted(spans):
        out.append(piece(data[at:start]))
        out.append(f'<a href="{html.escape(href)}">{piece(data[start:end])}</a>')
        at = end
    out.append(piece(data[at:]))
    return html_to_markdown("".join(out))


_TID = "234567abcdefghijklmnopqrstuvwxyz"  # base32-sortable, as atproto writes record keys


def _tid_time(rkey: str) -> datetime | None:
    """The creation time a TID record key encodes (microseconds since 1970, above 10 bits of
    clock id), or None for a key that is not a TID."""
    if len(rkey) != 13 or any(c not in _TID for c in rkey):
        return None
    value = 0
    for char in rkey:
        value = value * 32 + _TID.index(char)
    try:
        return datetime.fromtimestamp((value >> 10) / 1_000_000, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _created(
    post: dict[str, Any], place: str, rd: Reader, source_id: str | None
) -> tuple[datetime | None, str | None]:
    """The record's ``createdAt``; when missing, the post's ``indexedAt``, else the time its
    record key encodes (estimated), else None (the Reader uses the parent's)."""
    record = as_dict(post.get("record"))
    alternatives = (
        ("its indexedAt", post.get("indexedAt")),
        ("the time its record key encodes", _tid_time(_rkey(post.get("uri")))),
    )
    return rd.when(record.get("createdAt"), f"{place}.record.createdAt", source_id, alternatives)


def _url(post: dict[str, Any]) -> str | None:
    author = as_dict(post.get("author"))
    who = author.get("handle") or author.get("did")
    return f"https://bsky.app/profile/{who}/post/{_rkey(post.get('uri'))}" if who else None


def read(data: Any, rd: Reader) -> Thread:
    """A Bluesky thread as a Thread."""
    try:
        node = obj(obj(data, "$").get("thread"), "$.thread", "a thread node")
    except Bad as error:
        rd.fail(error.place or "$", error.message)
    place = "$.thread"
    chain: list[tuple[str, dict[str, Any]]] = [(place, node)]
    while isinstance(chain[-1][1].get("parent"), dict):
        chain.append((f"{chain[-1][0]}.parent", chain[-1][1]["parent"]))
    chain.reverse()  # topmost ancestor first
    root_place, root = chain[0]
    rd.allow_orphans()
    if _kind(root) == "post":
        try:
            post_data = obj(root.get("post"), f"{root_place}.post")
        except Bad as error:
            rd.fail(error.place or root_place, error.message)
        created, estimated = _created(post_data, f"{root_place}.post", rd, None)
        label = _label(post_data)
        body = _body(post_data, label)
        if label is not None:
            body = f"*(labelled {label} on Bluesky; its media is not shown)*\n\n{body}".strip()
            rd.report.notes.append(f"the top post of the thread is labelled {label} on Bluesky")
        post = rd.make_post(
            root_place,
            id=f"bsky-{_rkey(post_data.get('uri'))}",
            title=f"{_author(post_data)} on Bluesky",
            author=_author(post_data),
            body=body,
            created_at=created,
            estimated=estimated,
            url=_url(post_data),
        )
        start = 1
    else:
        # The top of the thread was deleted or is blocked: the post is a placeholder.
        found = [n for _, n in chain if _kind(n) == "post"]
        first = as_dict(found[0].get("post")) if found else {}
        created = _created(first, f"{place}.post", rd, None)[0] if first else None
        post = rd.make_post(  # no time: the earliest comment's (Reader.finish)
            root_place,
            id=f"bsky-{_rkey(root.get('uri'))}",
            title="Bluesky thread",
            body=f"*(the post this thread answers is {_GONE[_kind(root)]} on Bluesky)*",
            created_at=created,
        )
        rd.report.notes.append(f"the top post of the thread is {_GONE[_kind(root)]}: a placeholder")
        why = f"the top post is {_GONE[_kind(root)]} on Bluesky: its text and other replies "
        why += "are not in the answer"
        rd.gap("unavailable", None, (), None, why)
        start = 1
    # Ancestors between the root and the requested post form a chain of replies.
    todo: list[tuple[str, Any, str | None, datetime]] = []
    parent = None
    for item_place, item in chain[start:]:
        todo.append((item_place, {**item, "replies": []}, parent, post.created_at))
        parent = _rkey(item.get("uri") or (item.get("post") or {}).get("uri"))
    replies = as_list(node.get("replies"))
    me = parent if len(chain) > 1 else None
    todo += [(f"{place}.replies[{i}]", r, me, post.created_at) for i, r in enumerate(replies)]
    todo.reverse()
    hidden = _hidden_replies(data, root)
    # the threadgate is the thread root's: its author, when the file's top post is that root
    root_record = as_dict(as_dict(root.get("post")).get("record"))
    is_root = _kind(root) == "post" and "reply" not in root_record
    gate_by = post.author if is_root else "the thread's author"
    while todo:
        item_place, item, parent_key, parent_time = todo.pop()
        item = item if isinstance(item, dict) else {}
        inner = as_dict(item.get("post"))
        source_id = _rkey(item.get("uri") or inner.get("uri") or item_place)
        with rd.comment(item_place, source_id, parent_key):
            raw = _comment(item, source_id, parent_key, item_place, parent_time, rd)
            if inner.get("uri") in hidden and raw.moderated is None:
                why = "hidden by the thread's author on Bluesky"
                raw = replace(raw, moderated=rd.flag(item_place, source_id, why, "hidden", gate_by))
            rd.add(raw)
            kids = as_list(item.get("replies"))
            todo += [
                (f"{item_place}.replies[{i}]", r, source_id, raw.created_at or parent_time)
                for i, r in reversed(list(enumerate(kids)))
            ]
    return rd.finish(post)


def _hidden_replies(data: dict[str, Any], root: dict[str, Any]) -> set[str]:
    """The replies the thread's author hid (``hiddenReplies`` of the root post's threadgate)."""
    gates = [as_dict(data.get("threadgate")), as_dict(as_dict(root.get("post")).get("threadgate"))]
    uris = [as_list(as_dict(g.get("record")).get("hiddenReplies")) for g in gates]
    return {str(u) for found in uris for u in found}


def _comment(
    node: dict[str, Any],
    source_id: str,
    parent: str | None,
    place: str,
    parent_time: datetime,
    rd: Reader,
) -> RawComment:
    """One thread node as a RawComment (deleted and blocked ones as placeholders)."""
    kind = _kind(node)
    if kind != "post":
        why = f"{_GONE[kind]} on Bluesky: its text and replies are not in the answer"
        rd.gap("unavailable", source_id, (), None, why)
        moderated = None
        if kind == "blocked":
            why = "blocked: Bluesky does not show it to this reader"
            moderated = rd.flag(place, source_id, why, "hidden", "Bluesky")
        return RawComment(
            source_id=source_id,
            parent=parent,
            author="[blocked]" if kind == "blocked" else "[deleted]",
            body="",
            created_at=parent_time,
            status="deleted" if kind == "notFound" else "visible",
            place=place,
            moderated=moderated,
            estimated="its parent's time",
        )
    post = obj(node.get("post"), f"{place}.post")
    obj(post.get("record"), f"{place}.post.record")
    created, estimated = _created(post, f"{place}.post", rd, source_id)
    label = _label(post)
    moderated = None
    if label is not None:
        why = f"labelled {label} on Bluesky"
        status: Literal["spam", "hidden"] = "spam" if label == "spam" else "hidden"
        moderated = rd.flag(place, source_id, why, status, "Bluesky")
    return RawComment(
        source_id=source_id,
        parent=parent,
        author=_author(post),
        body=_body(post, label),
        created_at=created,
        likes=to_likes(post.get("likeCount")),
        place=place,
        moderated=moderated,
        estimated=estimated,
    )
