"""The Python engine as an oracle for the frontend's property test (js/tests/convergence.test.ts).

JSON in (stdin), JSON out (stdout): for each case, a thread and a list of requests (an operation,
who asks, with which role, trusted or not), every request decided by ``rules.check`` and committed
by ``rules.commit`` in order, exactly as the kernel does. Out come the messages the kernel sends (an
``event`` or a ``reject``, from the ``wire`` builders) and the thread after every ``seq``.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from threadwidget.core import operations, rules
from threadwidget.core.models import Thread
from threadwidget.page import messages
from threadwidget.page.requests import describe_validation_error


def _state_json(state: rules.ThreadState) -> dict[str, Any]:
    """The thread as a view should hold it at this ``seq``: wire post and wire comments."""
    return {
        "post": messages.wire_post(state.post),
        "comments": [messages.wire_comment(c) for c in state.comments.values()],
    }


def _valid(state: rules.ThreadState) -> bool:
    """The invariants every operation keeps: a valid tree, likes covering the likers."""
    thread = state.to_thread()  # validates ids, parents and cycles
    return all(c.likes >= len(c.liked_by) for c in thread.comments)


def _decide(state: rules.ThreadState, step: dict[str, Any], ctx: rules.Context) -> dict[str, Any]:
    """One request, as the kernel answers it: the ``event`` broadcast or the ``reject``."""
    rid = step.get("rid")
    try:
        operation = operations.parse_operation(step["op"])
    except ValidationError as error:
        reason, field = describe_validation_error(error)
        return messages.reject_message(rid, f"Invalid operation: {reason}", field)
    try:
        event = rules.check(state, operation, ctx)
    except rules.OperationRejected as error:
        return messages.reject_message(rid, error.reason, error.field)
    rules.commit(state, event)
    return messages.event_message(step["epoch"], state.seq, rid, event)


def run_case(case: dict[str, Any]) -> dict[str, Any]:
    """Decide every step of one case against one thread."""
    thread = Thread.model_validate(case["thread"])
    state = rules.ThreadState.from_thread(thread)
    start = datetime.fromisoformat(case["now"])
    epoch = case["epoch"]
    trait = messages.snapshot_value(thread.post, thread.comments, epoch=epoch, seq=0)
    states = [_state_json(state)]
    results: list[dict[str, Any]] = []
    valid = True
    for index, step in enumerate(case["steps"]):
        ctx = rules.Context(
            actor=step["actor"],
            trusted=step.get("trusted", False),
            role=step.get("role", "participant"),
            now=start + timedelta(seconds=index),
            votes=frozenset(case.get("votes", ())),
            labels=frozenset(case.get("labels", ())),
        )
        message = _decide(state, {**step, "epoch": epoch}, ctx)
        results.append(message)
        if message["kind"] == "event":
            states.append(_state_json(state))
            valid = valid and _valid(state)
    return {"snapshot": trait, "results": results, "states": states, "valid": valid}


def main() -> None:
    """Read ``{"cases": [...]}`` from stdin, write ``{"cases": [...]}`` to stdout."""
    request = json.load(sys.stdin)
    json.dump({"cases": [run_case(case) for case in request["cases"]]}, sys.stdout)


if __name__ == "__main__":
    main()
