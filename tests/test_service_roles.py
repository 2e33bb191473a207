"""Roles and access lists of the hub service kept in the threads' store: two service processes
on one store (here two RoleBooks on one SQLite file, each with its own connection) see each
other's changes; a roles.json of an earlier version moves into the store once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

pytest.importorskip("jupyterhub")

from threadwidget.service.auth import Identity
from threadwidget.service.roles import Access, RoleBook
from threadwidget.stores.store import open_store

ALICE = Identity("alice", groups=frozenset({"cs101"}))
BOB = Identity("bob")


def test_two_processes_share_roles_and_access(tmp_path: Path) -> None:
    with open_store(tmp_path / "t.db") as one, open_store(tmp_path / "t.db") as two:
        first, second = (
            RoleBook("teachers", store=one, ttl=0),
            RoleBook("teachers", store=two, ttl=0),
        )
        assert second.role_of(BOB, "w1") == "participant" and second.may_read(BOB, "w1")
        first.set_role("w1", "bob", "reader")
        first.set_access("w1", Access(readers=("group:cs101", "bob"), writers=("group:cs101",)))
        assert second.role_of(BOB, "w1") == "reader"
        assert second.may_read(ALICE, "w1") and second.role_of(ALICE, "w1") == "participant"
        assert not second.may_read(Identity("carol"), "w1")
        second.set_role("w1", "bob", None)
        assert first.roles("w1") == {}
        first.drop_thread("w1")
        assert second.access("w1") == Access() and second.may_read(Identity("carol"), "w1")


def test_a_roles_file_moves_into_the_store(tmp_path: Path) -> None:
    path = tmp_path / "roles.json"
    path.write_text(json.dumps({"w1": {"bob": "moderator"}}))
    with open_store(tmp_path / "t.db") as store:
        RoleBook("teachers", path, store=store)
        assert RoleBook("teachers", store=store).role_of(BOB, "w1") == "moderator"
