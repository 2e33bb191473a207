"""The service's limits without HTTP (``service.limits``): a caller's refusals are answered one
at a time at their read rate, however many requests they have in flight (issue #25's load
goal: a flood costs the service no more than that); the same against a real JupyterHub:
``tests/hub/test_hub_attacks.py``."""

from __future__ import annotations

import itertools

import pytest

pytest.importorskip("jupyterhub")

from threadwidget.service.limits import Limits


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_refusals_of_one_caller_wait_their_turn_at_the_read_rate() -> None:
    clock = Clock()
    limits = Limits(read_rate=20.0, clock=clock)
    waits = [limits.refusal_delay("mallory", 1.0) for _ in range(200)]
    assert waits[0] == 1.0  # one refusal: the pause alone
    gaps = [b - a for a, b in itertools.pairwise(waits)]
    assert all(gap == pytest.approx(1 / 20) for gap in gaps)  # then 20 a second
    assert limits.refusal_delay("alice", 1.0) == 1.0  # others are not behind mallory
    clock.now += 60  # all answered: back to the pause alone
    assert limits.refusal_delay("mallory", 1.0) == 1.0


def test_past_the_longest_wait_a_refusal_is_answered_at_once() -> None:
    clock = Clock()
    limits = Limits(read_rate=10.0, clock=clock, max_refusal_wait=5.0)
    waits = [limits.refusal_delay("mallory", 1.0) for _ in range(100)]
    assert max(waits) <= 5.0
    assert waits.count(0.0) == 100 - 41  # 1.0, 1.1, ... 5.0 waited; the rest at once
