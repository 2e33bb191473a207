"""The page's requests to the kernel, answered: sync, operations, custom actions, the timeline and
replays, each rate-limited per view. The widget registers :meth:`PageServer.handle` with
``on_msg``; every answer goes out through ``send``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from ..core import operations, rules
from ..core.engine import Engine
from ..core.models import Thread
from ..page.channel import RATE_LIMIT, RATE_WINDOW, PageChannel, RateLimiter, replay_messages
from ..page.messages import (
    action_result_message,
    focus_message,
    reject_message,
    timeline_message,
)
from ..page.requests import (
    ActionRequest,
    InteractionsRequest,
    OpRequest,
    ProtocolError,
    ReplayRequest,
    SyncRequest,
    TimelineRequest,
    describe_validation_error,
    parse_client_message,
)
from .access import Access
from .action_registry import ActionRegistry

__all__ = ["PageServer"]


class PageServer:
    """Answers one widget's views: requests are parsed, rate-limited, checked against
    ``access()`` (who the views act as, read at each request) and handed to the engine."""

    def __init__(
        self,
        engine: Engine,
        channel: PageChannel,
        rates: RateLimiter,
        replay_rates: RateLimiter,
        actions: ActionRegistry,
        access: Callable[[], Access],
        send: Callable[[dict[str, Any]], None],
        interactions: Callable[[InteractionsRequest], object] = lambda _request: None,
    ) -> None:
        self._engine = engine
        self._channel = channel
        self._rates = rates
        #: timeline and replay requests, limited apart from operations (scrubbing a timeline
        #: must not block posting, and each answer reads the stored history)
        self._replay_rates = replay_rates
        self._actions = actions
        self._access = access
        self._send = send
        self._interactions = interactions

    def focus(self, comment_id: str) -> None:
        """Scroll every open view to this comment and highlight it (a permalink from Python),
        opening collapsed ancestors and replies behind "more" / "continue" as needed."""
        if comment_id not in self._engine.state.comments:
            raise KeyError(f"no comment with id {comment_id!r}")
        self._send(focus_message(comment_id))

    def handle(self, _widget: object, content: object, _buffers: object) -> None:
        """One custom message from a view (the ``on_msg`` callback)."""
        try:
            message = parse_client_message(content)
        except ProtocolError as error:
            self._send(reject_message(error.rid, error.reason, None))
            return
        if isinstance(message, SyncRequest):
            self.sync(message)
        elif isinstance(message, OpRequest):
            self.operation(message)
        elif isinstance(message, ActionRequest):
            self.action(message)
        elif isinstance(message, InteractionsRequest):
            self._interactions(message)  # never answered: the log is the page's business
        elif (refusal := self._refusal(message.rid, "replays", self._replay_rates)) is not None:
            self._send(reject_message(message.rid, refusal, None))
        elif isinstance(message, TimelineRequest):
            self._send(timeline_message(message.rid, self._engine.moments()))
        else:
            self.replay(message)

    def sync(self, request: SyncRequest) -> None:
        """What the view missed since the state it holds: at once, or a whole-thread answer sent
        from a background thread (the kernel goes on with the next cell meanwhile)."""
        engine = self._engine
        self._channel.answer_sync(
            request.client,
            request.rid,
            (request.epoch, request.seq),
            lambda: (engine.seq, len(engine.state.comments)),
            # the state as it is (immutable comments, checked event by event): no validation
            lambda: Thread.model_construct(post=engine.state.post, comments=tuple(engine.state)),
        )

    def operation(self, request: OpRequest) -> None:
        """An operation from a view: submitted as the view's user, never trusted; refusals are
        answered with the reason (and the field) at once, acceptances by the channel."""
        refusal = self._refusal(request.rid, "actions")
        if refusal is not None:
            self._send(reject_message(request.rid, refusal, None))
            return
        try:
            operation = operations.parse_operation(request.op)
        except ValidationError as error:
            reason, field = describe_validation_error(error)
            self._send(reject_message(request.rid, f"Invalid operation: {reason}", field))
            return
        access = self._access()
        try:
            self._engine.submit(
                operation, access.context(access.user, trusted=False), request.rid, wait=False
            )
        except rules.OperationRejected as error:
            self._send(reject_message(request.rid, error.reason, error.field))

    def action(self, request: ActionRequest) -> None:
        """Run a custom action's handler for a click, apply what it returns, answer the view."""

        def answer(ok: bool, reason: str | None = None, message: str | None = None) -> None:
            self._send(action_result_message(request.rid, ok, reason, message))

        access = self._access()
        if request.name not in self._actions.names:
            answer(False, f"There is no action {request.name!r} (any more).")
        elif self._refusal(request.rid, "actions") is not None:
            answer(False, "Too many actions at once. Wait a moment and try again.")
        elif access.read_only:
            answer(False, "This discussion is read-only.")
        elif access.role_of(access.user) == "reader":
            answer(False, "Readers cannot change this discussion (your role is reader).")
        else:
            answer(
                *self._actions.run(
                    request.name,
                    request.id,
                    access.user,
                    lambda actor: access.context(actor, trusted=True),
                )
            )

    def replay(self, request: ReplayRequest) -> None:
        """The thread at one moment of the timeline, in bounded parts (``replay_state``)."""
        engine = self._engine
        for message in replay_messages(request, engine.moments(), engine.replay_at):
            self._send(message)

    def _refusal(self, rid: str, what: str, rates: RateLimiter | None = None) -> str | None:
        """Why a view's request is refused before it is looked at (None: go on)."""
        if not (rates or self._rates).allow(rid.rsplit("-", 1)[0]):
            return (
                f"Too many {what} at once (at most {RATE_LIMIT} in {RATE_WINDOW:g} s). "
                "Wait a moment and try again."
            )
        return None
