"""The page's requests to the kernel, answered (a mixin of :class:`~threadwidget.ThreadWidget`):
sync, operations, custom actions, the timeline and replays, each rate-limited per view."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from ..core import operations, rules
from ..core.engine import Engine
from ..core.models import Thread
from ..page.channel import RATE_LIMIT, RATE_WINDOW, PageChannel, RateLimiter, replay_messages
from ..page.messages import action_result_message, reject_message, timeline_message
from ..page.requests import (
    ActionRequest,
    OpRequest,
    ProtocolError,
    ReplayRequest,
    SyncRequest,
    TimelineRequest,
    describe_validation_error,
    parse_client_message,
)
from .action_registry import ActionRegistry

__all__ = ["PageRequests"]


class PageRequests:
    """Mixin answering the page's custom messages (the engine and traits come from the widget)."""

    user: str
    read_only: bool
    _engine: Engine
    _page: PageChannel
    _rates: RateLimiter
    _actions: ActionRegistry

    if TYPE_CHECKING:  # provided by the widget, Classroom and anywidget; declared, not defined,
        # so that nothing here shadows them in the widget's method order

        def send(self, content: Any, buffers: Iterable[Any] | None = None) -> None: ...
        def role_of(self, user: str) -> rules.Role: ...
        def _context(self, actor: str, trusted: bool) -> rules.Context: ...
        def moments(self) -> list[datetime]: ...
        def replay_at(self, when: datetime) -> Thread: ...

    def _on_custom_message(self, _widget: object, content: object, _buffers: object) -> None:
        try:
            message = parse_client_message(content)
        except ProtocolError as error:
            self.send(reject_message(error.rid, error.reason, None))
            return
        if isinstance(message, SyncRequest):
            engine = self._engine
            self._page.answer_sync(
                message.client,
                message.rid,
                (message.epoch, message.seq),
                lambda: (engine.seq, len(engine.state.comments)),
                # the state as it is (immutable comments, checked event by event): no validation
                lambda: Thread.model_construct(
                    post=engine.state.post, comments=tuple(engine.state)
                ),
            )
        elif isinstance(message, OpRequest):
            self._handle_op_request(message)
        elif isinstance(message, ActionRequest):
            self._handle_action(message)
        elif isinstance(message, TimelineRequest):
            self.send(timeline_message(message.rid, self.moments()))
        else:
            self._answer_replay(message)

    def _refusal(self, client: str, what: str) -> str | None:
        """Why a page's request is refused before it is looked at (None: go on)."""
        if not self._rates.allow(client):
            return (
                f"Too many {what} at once (at most {RATE_LIMIT} in {RATE_WINDOW:g} s). "
                "Wait a moment and try again."
            )
        return None

    def _handle_op_request(self, request: OpRequest) -> None:
        refusal = self._refusal(request.rid.rsplit("-", 1)[0], "actions")
        if refusal is not None:
            self.send(reject_message(request.rid, refusal, None))
            return
        try:
            operation = operations.parse_operation(request.op)
        except ValidationError as error:
            reason, field = describe_validation_error(error)
            self.send(reject_message(request.rid, f"Invalid operation: {reason}", field))
            return
        try:
            self._engine.submit(
                operation, self._context(self.user, trusted=False), request.rid, wait=False
            )
        except rules.OperationRejected as error:
            self.send(reject_message(request.rid, error.reason, error.field))

    def _handle_action(self, request: ActionRequest) -> None:
        """Run a custom action's handler for a click, apply what it returns, answer the view."""

        def answer(ok: bool, reason: str | None = None, message: str | None = None) -> None:
            self.send(action_result_message(request.rid, ok, reason, message))

        if request.name not in self._actions.names:
            answer(False, f"There is no action {request.name!r} (any more).")
            return
        refusal = self._refusal(request.rid.rsplit("-", 1)[0], "actions")
        if refusal is not None:
            answer(False, "Too many actions at once. Wait a moment and try again.")
            return
        if self.read_only:
            answer(False, "This discussion is read-only.")
            return
        if self.role_of(self.user) == "reader":
            answer(False, "Readers cannot change this discussion (your role is reader).")
            return
        ok, reason, message = self._actions.run(
            request.name,
            request.id,
            self.user,
            lambda actor: self._context(actor, trusted=True),
        )
        answer(ok, reason, message)

    def _answer_replay(self, request: ReplayRequest) -> None:
        """The thread at one moment of the timeline, in bounded parts (``replay_state``)."""
        for message in replay_messages(request, self.moments(), self.replay_at):
            self.send(message)
