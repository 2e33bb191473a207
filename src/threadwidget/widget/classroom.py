"""The classroom side of :class:`~threadwidget.ThreadWidget`: votes, labels, rankings and custom
actions, read from the engine's thread with the settings the widget passes in."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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

__all__ = ["Classroom"]


class Classroom:
    """Votes, labels, rankings and custom actions of one engine's thread."""

    def __init__(self, engine: Engine, actions: ActionRegistry) -> None:
        self._engine = engine
        self._actions = actions

    def votes_of(self, comment_id: str, voting: VotingModel) -> dict[str, list[str]]:
        """Who chose what on a comment: choice -> users (``"like"`` -> likers for likes)."""
        return tally(self._engine.get(comment_id), voting)

    def labels(self) -> Any:
        """The labelling exercise as a DataFrame: comment_id, user, label, author, body."""
        return labels_frame(self._engine.thread)

    def label_rows(self) -> list[dict[str, Any]]:
        """The rows of :meth:`labels` as dicts (no pandas needed)."""
        return label_rows(self._engine.thread)

    def ranking(
        self,
        sort: str,
        voting: VotingModel,
        now: datetime | None,
        role: rules.Role,
        strings: Mapping[str, str],
    ) -> Any:
        """Every comment a user with ``role`` sees, in page order, with its rank and score."""
        rows = rank(self._engine.thread, sort, voting, now, role=role, strings=strings)
        return rank_frame(rows)

    def agreement(self, key: Mapping[str, str]) -> Any:
        """Per student: labelled, matches, agreement and accuracy against an answer key."""
        return agreement(self._engine.thread, key)

    def add_action(
        self,
        name: str,
        label: str | None,
        handler: Callable[..., ActionResult] | None,
        *,
        icon: str | None,
        when: Callable[[Comment], bool] | None,
        target: ActionTarget,
        actor: str | None,
    ) -> Callable[[], None]:
        """Register a custom action button; returns a function that removes it."""
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
