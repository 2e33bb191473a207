"""The classroom side of :class:`~threadwidget.ThreadWidget`: roles, votes, labels, rankings and
custom actions, read from the widget's thread and settings (a mixin, like the Python verbs)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from ..analysis.labelling import agreement, label_rows, labels_frame
from ..core import rules
from ..core.models import Comment, Thread
from ..core.ranking import rank, rank_frame
from ..core.voting import VotingModel, tally, voting_model
from .action_registry import ActionRegistry
from .actions import Action, ActionResult, ActionTarget

__all__ = ["Classroom"]


class Classroom:
    """Mixin of the widget's classroom methods (the traits and the thread come from it)."""

    roles: dict[str, rules.Role]
    role: rules.Role
    voting: object
    sort: str
    user: str
    strings: dict[str, str]
    _actions: ActionRegistry

    @property
    def thread(self) -> Thread:
        raise NotImplementedError  # pragma: no cover - provided by ThreadWidget

    def get(self, comment_id: str) -> Comment:
        raise NotImplementedError  # pragma: no cover - provided by ThreadWidget

    def role_of(self, user: str) -> rules.Role:
        """The role ``user`` acts with: ``roles[user]`` if set, else ``role``."""
        role: rules.Role = self.roles.get(user, self.role)
        return role

    @property
    def voting_model(self) -> VotingModel:
        """The validated voting model (see :mod:`threadwidget.core.voting`)."""
        return voting_model(self.voting)

    def votes_of(self, comment_id: str) -> dict[str, list[str]]:
        """Who chose what on a comment: choice -> users (``"like"`` -> likers for likes)."""
        return tally(self.get(comment_id), self.voting_model)

    @property
    def labels(self) -> Any:
        """The labelling exercise as a DataFrame: comment_id, user, label, author, body."""
        return labels_frame(self.thread)

    def label_rows(self) -> list[dict[str, Any]]:
        """The rows of :attr:`labels` as dicts (no pandas needed)."""
        return label_rows(self.thread)

    def ranking(self, sort: str | None = None, now: datetime | None = None) -> Any:
        """Every comment this widget's user sees, in page order, with its rank among siblings,
        score inputs, score and formula under ``sort`` (default: :attr:`sort`), as a DataFrame.
        ``now`` is the clock of ``hot`` (default: the current time)."""
        rows = rank(
            self.thread,
            sort or self.sort,
            self.voting_model,
            now,
            role=self.role_of(self.user),
            strings=self.strings,
        )
        return rank_frame(rows)

    def agreement(self, key: Mapping[str, str]) -> Any:
        """Per student: labelled, matches, agreement and accuracy against an answer key
        (comment id -> label), as a DataFrame indexed by user."""
        return agreement(self.thread, key)

    def add_action(
        self,
        name: str,
        label: str | None = None,
        handler: Callable[..., ActionResult] | None = None,
        *,
        icon: str | None = None,
        when: Callable[[Comment], bool] | None = None,
        target: ActionTarget = "comment",
        actor: str | None = None,
    ) -> Callable[[], None]:
        """Put a button named ``label`` on every comment ``when(comment)`` accepts (all when
        None), on the post (``target="post"``) or in the toolbar (``target="thread"``).

        A click calls ``handler(comment_or_post_or_thread, user)`` in the kernel. It may return
        operations (or dicts) to apply — as ``actor``, default the clicking user — a message
        str to show, or None; raising refuses the click, its message shown in the page. Returns
        a function that removes the action.
        """
        if handler is None:
            raise TypeError("add_action needs a handler: handler(comment, user)")
        action = Action(
            name=name,
            label=label or name.replace("_", " ").capitalize(),
            handler=handler,
            icon=icon,
            when=when,
            target=target,
            actor=actor,
        )
        return self._actions.add(action)

    @property
    def actions(self) -> list[str]:
        """Names of the registered custom actions, in the order they show."""
        return self._actions.names
