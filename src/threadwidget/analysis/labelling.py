"""The labelling exercise: students label comments, the teacher compares with an answer key.

Labels live on the comments (``Comment.labels``: user -> label, one per user), so they travel
with the thread through every store and file. This module turns them into tables.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..core.models import Thread
from ..extras import require

__all__ = ["agreement", "agreement_rows", "label_rows", "labels_frame", "valid_label_set"]


def valid_label_set(labels: Iterable[object]) -> list[str]:
    """A label set as a list of distinct short strings; ``ValueError`` naming ``label_set``."""
    if isinstance(labels, str):
        raise ValueError("label_set must be a list of labels, not a single str")
    out: list[str] = []
    for index, label in enumerate(labels):
        if not isinstance(label, str) or not 1 <= len(label.strip()) <= 64:
            raise ValueError(f"label_set[{index}] must be a str of 1 to 64 characters: {label!r}")
        if label in out:
            raise ValueError(f"label_set[{index}]: {label!r} is listed twice")
        out.append(label)
    if len(out) > 20:
        raise ValueError(f"label_set: at most 20 labels, not {len(out)}")
    return out


def label_rows(thread: Thread) -> list[dict[str, Any]]:
    """One row per (comment, user) label: comment_id, user, label, author, body."""
    return [
        {
            "comment_id": c.id,
            "user": user,
            "label": label,
            "author": c.author,
            "body": c.body,
        }
        for c in thread.comments
        for user, label in sorted(c.labels.items())
    ]


def labels_frame(thread: Thread) -> Any:
    """:func:`label_rows` as a pandas DataFrame (needs pandas)."""
    pd = require("pandas", "pandas", "labels (w.labels)")

    return pd.DataFrame(
        label_rows(thread), columns=["comment_id", "user", "label", "author", "body"]
    )


def agreement_rows(
    thread: Thread, key: Mapping[str, str], users: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """Per user: how many key comments they labelled, how many match the key, and the share.

    ``key`` maps comment id -> expected label; ids not in the thread raise ``KeyError`` naming
    them. ``agreement`` is matches / comments in the key (unlabelled ones count as misses), and
    ``accuracy`` is matches / labelled.
    """
    missing = [cid for cid in key if cid not in thread]
    if missing:
        raise KeyError(f"answer key names comments not in the thread: {', '.join(missing)}")
    everyone = set(users or ())
    for comment in thread.comments:
        everyone.update(comment.labels)
    rows = []
    for user in sorted(everyone):
        labelled = matches = 0
        for comment_id, expected in key.items():
            given = thread.get(comment_id).labels.get(user)
            if given is not None:
                labelled += 1
                matches += given == expected
        rows.append(
            {
                "user": user,
                "labelled": labelled,
                "matches": matches,
                "agreement": matches / len(key) if key else 0.0,
                "accuracy": matches / labelled if labelled else 0.0,
            }
        )
    return rows


def agreement(thread: Thread, key: Mapping[str, str], users: Iterable[str] | None = None) -> Any:
    """:func:`agreement_rows` as a pandas DataFrame indexed by user (needs pandas)."""
    pd = require("pandas", "pandas", "agreement (w.agreement)")

    columns = ["user", "labelled", "matches", "agreement", "accuracy"]
    return pd.DataFrame(agreement_rows(thread, key, users), columns=columns).set_index("user")
