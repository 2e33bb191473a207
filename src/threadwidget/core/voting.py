"""Voting models: likes (the default), up/down votes with a score, or a set of reactions.

A widget's ``voting`` setting picks one. Likes use the ``like``/``unlike`` operations and the
comment's ``likes``/``liked_by``; the others use the ``vote`` operation and the comment's
``votes`` (one entry per user, so one vote per user per comment). :func:`up_down` gives the two
numbers the ranking formulas start from, the same way in Python and in ``js/src/ranking.ts``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from .models import Comment

__all__ = ["UPDOWN", "VoteChoice", "VotingModel", "tally", "up_down", "voting_model"]


@dataclass(frozen=True)
class VoteChoice:
    """One thing a user can choose: ``key`` is stored in ``Comment.votes``, ``icon`` is shown."""

    key: str
    icon: str
    label: str

    def wire(self) -> dict[str, str]:
        """The choice as the frontend reads it (``_config.voting.choices``)."""
        return {"key": self.key, "icon": self.icon, "label": self.label}


UPDOWN = (VoteChoice("up", "▲", "Upvote"), VoteChoice("down", "▼", "Downvote"))


@dataclass(frozen=True)
class VotingModel:
    """The validated form of a ``voting`` setting."""

    kind: Literal["likes", "updown", "reactions"]
    choices: tuple[VoteChoice, ...] = ()

    @property
    def keys(self) -> frozenset[str]:
        """The allowed ``vote`` choices (empty for likes)."""
        return frozenset(c.key for c in self.choices)

    def wire(self) -> dict[str, Any]:
        """The model as the frontend reads it (``_config.voting``)."""
        return {"kind": self.kind, "choices": [c.wire() for c in self.choices]}


LIKES = VotingModel("likes")


def voting_model(spec: object) -> VotingModel:
    """``"likes"``, ``"updown"``, or a reaction set ``{"👍": "Agree", "🤔": "Unsure"}`` (emoji or
    short key -> label), as a :class:`VotingModel`; ``ValueError`` naming ``voting`` otherwise."""
    if isinstance(spec, VotingModel):
        return spec
    if spec == "likes":
        return LIKES
    if spec == "updown":
        return VotingModel("updown", UPDOWN)
    if isinstance(spec, Mapping) and spec:
        choices = []
        for key, label in spec.items():
            if not isinstance(key, str) or not 1 <= len(key) <= 64:
                raise ValueError(f"voting: reaction {key!r} must be a str of 1 to 64 characters")
            if not isinstance(label, str) or not label.strip():
                raise ValueError(f"voting[{key!r}]: the label must be a non-empty str")
            choices.append(VoteChoice(key, key, label))
        if len(choices) > 12:
            raise ValueError(f"voting: at most 12 reactions, not {len(choices)}")
        return VotingModel("reactions", tuple(choices))
    raise ValueError(
        f"voting must be 'likes', 'updown' or a non-empty mapping of reactions "
        f"(like {{'👍': 'Agree'}}), not {spec!r}"
    )


def tally(comment: Comment, model: VotingModel) -> dict[str, list[str]]:
    """Who chose what on a comment: choice key -> users (``"like"`` -> likers for likes).

    Every choice of the model is a key, in the model's order, even with no users.
    """
    if model.kind == "likes":
        return {"like": list(comment.liked_by)}
    out: dict[str, list[str]] = {c.key: [] for c in model.choices}
    for user, choice in comment.votes.items():
        out.setdefault(choice, []).append(user)
    return out


def up_down(comment: Comment, model: VotingModel) -> tuple[int, int]:
    """The positive and negative counts the ranking formulas use.

    likes: (likes, reports); updown: (up votes, down votes); reactions: (reactions, reports).
    """
    if model.kind == "updown":
        values = list(comment.votes.values())
        return values.count("up"), values.count("down")
    if model.kind == "reactions":
        return len(comment.votes), len(comment.flags)
    return comment.likes, len(comment.flags)
