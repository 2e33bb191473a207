"""The classroom side of :class:`~threadwidget.ThreadWidget`: votes, labels, rankings and custom
actions, read from the engine's thread with the settings the widget passes in."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..analysis.labelling import agreement, label_rows, labels_frame
from ..core import rules
from ..core.engine import Engine
from ..core.models import Comment
from ..core.ranking import rank, rank_frame
from ..core.voting import VotingModel, tally
from .action_registry import ActionRegistry
from .actions import Action, ActionResult, ActionTarget

__all__ = ["Classroom", "Reader"]


@dataclass(frozen=True)
class Reader:
    """Whose view the classroom reads the thread with: the widget's voting, sort, the role of
    its user and its strings (as they are at each call)."""

    voting: VotingModel
    sort: str
    role: rules.Role
    strings: Mapping[str, str]


class Classroom:
    """Votes, labels, rankings and custom actions of one engine's thread."""

    def __init__(
        self, engine: Engine, actions: ActionRegistry, reader: Callable[[], Reader]
    ) -> None:
        self._engine = engine
        self._actions = actions
        self._reader = reader

    def votes_of(self, comment_id: str) -> dict[str, list[str]]:
        """Who chose what on a comment: choice -> users (``"like"`` -> likers for likes)."""
        return tally(self._engine.get(comment_id), self._reader().voting)

    def labels(self) -> Any:
        """The labelling exercise as a DataFrame: comment_id, user, label, author, body."""
        return labels_frame(self._engine.thread)

    def label_rows(self) -> list[dict[str, Any]]:
        """The rows of :meth:`labels` as dicts (no pandas needed)."""
        return label_rows(self._engine.thread)

    def ranking(self, sort: str | None = None, now: datetime | None = None) -> Any:
        """Every comment this widget's user sees, in page order, with its rank, score inputs,
        score and formula under ``sort`` (default ``w.sort``; ``now``: the clock of hot)."""
        r = self._reader()
        thread = self._engine.thread
        rows = rank(thread, sort or r.sort, r.voting, now, role=r.role, strings=r.strings)
        return rank_frame(rows)

    def agreement(self, key: Mapping[str, str]) -> Any:
        """Per student: labelled, matches, agreement and accuracy against an answer key
        (comment id -> label), as a DataFrame indexed by user."""
        return agreement(self._engine.thread, key)

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
