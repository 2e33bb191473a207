"""The custom actions of one widget: which comments each applies to, and running a click.

A click is decided here and applied through the engine like any Python call (as the action's
``actor`` or the clicking user), all or nothing when a handler returns several operations.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from ..core import operations, rules
from ..core.engine import Engine
from ..core.models import Comment
from .actions import Action, outcome

__all__ = ["ActionRegistry", "Answer"]

#: How a click is answered: (ok, reason for a refusal, message to show).
Answer = Callable[[bool, "str | None", "str | None"], None]


class ActionRegistry:
    """Registered actions of one engine and, for each with a ``when``, the ids it accepts."""

    def __init__(self, engine: Engine, changed: Callable[[], None]) -> None:
        self._engine = engine
        self._changed = changed  # the views' config must be recomputed
        self._actions: dict[str, Action] = {}
        self._ids: dict[str, set[str] | None] = {}
        self._lock = threading.RLock()
        engine.add_sink(self._on_event)

    @property
    def names(self) -> list[str]:
        """Names of the registered actions, in the order they show."""
        return list(self._actions)

    def add(self, action: Action) -> Callable[[], None]:
        """Register (or replace) an action; returns a function that removes it."""
        with self._lock:
            self._actions[action.name] = action
            self._ids[action.name] = None if action.when is None else self._matching(action)
        self._changed()

        def remove() -> None:
            with self._lock:
                if self._actions.get(action.name) is not action:
                    return
                del self._actions[action.name]
                self._ids.pop(action.name, None)
            self._changed()

        return remove

    def wire(self) -> list[dict[str, Any]]:
        """The actions as ``_config.actions`` lists them, with the ids each accepts."""
        with self._lock:
            return [
                action.wire(None if self._ids.get(name) is None else sorted(self._ids[name] or ()))
                for name, action in self._actions.items()
            ]

    def _matching(self, action: Action) -> set[str]:
        """Ids of the comments an action's ``when`` accepts (a failing predicate: none)."""
        return {c.id for c in self._engine.state if self._accepts(action, c)}

    def _accepts(self, action: Action, comment: Comment) -> bool:
        if action.when is None:
            return True
        try:
            return bool(action.when(comment))
        except Exception as error:  # a failing predicate hides the button and is reported
            self._engine.report(action.when, error)
            return False

    def _on_event(self, _seq: int, event: operations.Recorded, _rid: str | None) -> None:
        """Keep the accepted ids current after each event (engine lock held)."""
        if not any(a.when for a in self._actions.values()):
            return  # only actions with a `when` keep ids
        if isinstance(event, operations.ReplaceEvent):
            with self._lock:
                for name, action in self._actions.items():
                    if action.when is not None:
                        self._ids[name] = self._matching(action)
            self._changed()
            return
        comment_id = event.comment.id if isinstance(event, operations.AddEvent) else event.id
        if comment_id is None or comment_id not in self._engine.state.comments:
            return
        comment = self._engine.state.comments[comment_id]
        changed = False
        with self._lock:
            for name, action in self._actions.items():
                ids = self._ids.get(name)
                if ids is not None and self._accepts(action, comment) != (comment_id in ids):
                    ids.symmetric_difference_update({comment_id})
                    changed = True
        if changed:
            self._changed()

    def run(
        self, name: str, target_id: str | None, user: str, ctx_for: Callable[[str], rules.Context]
    ) -> tuple[bool, str | None, str | None]:
        """Run a click on action ``name`` by ``user``: (ok, reason, message). The caller has
        checked the rate limit, ``read_only`` and the user's role already."""
        engine = self._engine
        action = self._actions.get(name)
        if action is None:
            return False, f"There is no action {name!r} (any more).", None
        with engine.lock:
            state = engine.state
            subject: Any
            if action.target == "comment":
                ids = self._ids.get(action.name)
                if target_id is None or target_id not in state.comments:
                    return False, f"There is no comment with id {target_id!r}.", None
                if ids is not None and target_id not in ids:
                    return False, f"{action.label} does not apply to this comment.", None
                subject = state.comments[target_id]
                moderator = ctx_for(user).role == "moderator"
                if subject.status == "deleted" or (subject.status != "visible" and not moderator):
                    return (
                        False,
                        f"{action.label} does not apply to a {subject.status} comment.",
                        None,
                    )
            elif action.target == "post":
                subject = state.post
            else:
                subject = state.to_thread()
        try:
            operations, message = outcome(action.handler(subject, user))
        except Exception as error:
            # ValueError is a refusal, with the reason for the user; anything else (a malformed
            # operation too, pydantic's ValidationError) is a bug: report it, change nothing
            if isinstance(error, ValueError) and not isinstance(error, ValidationError):
                return False, getattr(error, "reason", None) or str(error) or "Refused.", None
            engine.report(action.handler, error)
            return False, f"{action.label} failed ({type(error).__name__}); nothing changed.", None
        ctx = ctx_for(action.actor or user)
        with engine.lock:
            if len(operations) > 1:
                # All or nothing: try the whole list on a copy first (a reply and then an edit of
                # it, say), so that a refusal half-way leaves the thread as it was.
                trial = rules.ThreadState(engine.state.post, dict(engine.state.comments))
                try:
                    for operation in operations:
                        rules.apply(trial, engine.validated(operation, ctx), ctx)
                except rules.OperationRejected as error:
                    return False, f"{error.reason} Nothing changed.", None
            for operation in operations:
                try:
                    engine.submit(operation, ctx, wait=False)
                except rules.OperationRejected as error:  # a shared thread changed meanwhile
                    return False, error.reason, None
        return True, None, message
